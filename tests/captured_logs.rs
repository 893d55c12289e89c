//! The log events of the test binary, for the modules that check what was logged. A process has
//! one global tracing subscriber and all modules share the process, so it is installed here,
//! once, with one buffer per format: plain text (`store`, `reload_patterns`) and JSON lines as
//! `faqbot run --log-format json` writes them (the bot's harness, `support::harness`). Each
//! buffer holds the events of every test of the binary: tests find their own.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use tracing_subscriber::filter::{EnvFilter, LevelFilter};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, Layer};

/// A buffer the subscriber appends formatted lines to.
pub type Buffer = Arc<Mutex<Vec<u8>>>;

struct Buffers {
    text: Buffer,
    json: Buffer,
}

fn buffers() -> &'static Buffers {
    static BUFFERS: OnceLock<Buffers> = OnceLock::new();
    BUFFERS.get_or_init(|| {
        let buffers = Buffers {
            text: Buffer::default(),
            json: Buffer::default(),
        };
        let text = Appender(Arc::clone(&buffers.text));
        let json = Appender(Arc::clone(&buffers.json));
        tracing_subscriber::registry()
            .with(
                fmt::layer()
                    .with_ansi(false)
                    .with_writer(move || text.clone())
                    .with_filter(LevelFilter::INFO),
            )
            .with(
                fmt::layer()
                    .json()
                    .with_writer(move || json.clone())
                    .with_filter(EnvFilter::new("warn,faqbot=info")),
            )
            .init();
        buffers
    })
}

/// Every event at `info` and above, as plain text lines.
#[must_use]
pub fn text() -> Buffer {
    Arc::clone(&buffers().text)
}

/// faqbot's events at `info` and above and the other crates' warnings, as JSON lines.
#[must_use]
pub fn json() -> Buffer {
    Arc::clone(&buffers().json)
}

#[derive(Clone)]
struct Appender(Buffer);

impl Write for Appender {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
