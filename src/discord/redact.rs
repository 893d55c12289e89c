//! Keeping the bot token out of the logs, whatever `RUST_LOG` says.
//!
//! Two guards, both installed by `faqbot run`:
//! - [`caps`]: a filter that caps the crates which log raw wire data (tungstenite logs every
//!   websocket frame at `trace`, the IDENTIFY frame with the token among them, as a decimal byte
//!   list and as hex). `RUST_LOG=trace` still shows everything else.
//! - [`Redacting`]: a log writer that scrubs every form of a registered secret (text, JSON- and
//!   Debug-escaped, hex, decimal byte lists) from each formatted line before it is written, in
//!   case a crate logs it some other way. [`bot::start`](super::bot::start) registers the token
//!   with [`add_secret`] before it connects.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;

/// The crates that log raw wire data, and the most verbose level each may log at, whatever
/// `RUST_LOG` asks for.
pub const NOISY_TARGETS: [(&str, LevelFilter); 7] = [
    // Every websocket frame sent and received, payload included, at trace.
    ("tungstenite", LevelFilter::DEBUG),
    ("tokio_tungstenite", LevelFilter::DEBUG),
    // HTTP internals (connections, frames, TLS) at trace: request headers hold the token.
    ("hyper", LevelFilter::DEBUG),
    ("hyper_util", LevelFilter::DEBUG),
    ("h2", LevelFilter::DEBUG),
    ("reqwest", LevelFilter::DEBUG),
    // Gateway payloads it could not decode, as raw bytes, at debug.
    ("serenity::gateway", LevelFilter::INFO),
];

/// What the replacement of a secret reads in the logs.
pub const REDACTED: &str = "<redacted>";

/// Secrets shorter than this are not scrubbed: replacing a few common characters everywhere
/// would garble the logs and hide nothing (a real bot token is about 70 characters).
pub const MIN_SECRET_LEN: usize = 8;

/// The filter that caps [`NOISY_TARGETS`]; every other target is left to `RUST_LOG`. Add it
/// to the subscriber beside the `EnvFilter`: an event is logged only if both let it through.
#[must_use]
pub fn caps() -> Targets {
    Targets::new()
        .with_default(LevelFilter::TRACE)
        .with_targets(NOISY_TARGETS)
}

/// Every form in which `secret` may show up in a log line: as text, JSON- and Debug-escaped,
/// hex (lower and upper case), and decimal byte lists as `Debug` (`[98, 111]`) and JSON
/// (`[98,111]`) print them. Longest first, so a longer form is replaced whole.
#[must_use]
pub fn forms(secret: &str) -> Vec<String> {
    let bytes = secret.as_bytes();
    let mut hex = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(hex, "{b:02x}");
    }
    let decimal: Vec<String> = bytes.iter().map(u8::to_string).collect();
    let json = serde_json::to_string(secret).unwrap_or_default();
    let debug = format!("{secret:?}");
    let mut forms = vec![
        secret.to_owned(),
        json.trim_matches('"').to_owned(),
        debug.trim_matches('"').to_owned(),
        // Escaped twice: a Debug-printed string inside a JSON log line.
        serde_json::to_string(debug.trim_matches('"'))
            .unwrap_or_default()
            .trim_matches('"')
            .to_owned(),
        hex.to_ascii_uppercase(),
        hex,
        decimal.join(", "),
        decimal.join(","),
    ];
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    forms.dedup();
    forms
}

/// A set of secrets to scrub from log lines, shared between the writer and the code that
/// learns them. Its `Debug` never shows them.
#[derive(Clone, Default)]
pub struct Secrets(Arc<RwLock<Vec<String>>>);

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = self.0.read().unwrap_or_else(PoisonError::into_inner).len();
        write!(f, "Secrets(<{count} forms redacted>)")
    }
}

impl Secrets {
    /// Scrubs every form of `secret` from now on (ignored if shorter than [`MIN_SECRET_LEN`]).
    pub fn add(&self, secret: &str) {
        if secret.len() < MIN_SECRET_LEN {
            return;
        }
        let mut all = self.0.write().unwrap_or_else(PoisonError::into_inner);
        for form in forms(secret) {
            if !all.contains(&form) {
                all.push(form);
            }
        }
        all.sort_by_key(|f| std::cmp::Reverse(f.len()));
    }

    /// `line` with every form of every secret replaced by [`REDACTED`].
    ///
    /// ```
    /// use faqbot::discord::redact::Secrets;
    /// let secrets = Secrets::default();
    /// secrets.add("abc.def.ghi");
    /// assert_eq!(secrets.scrub("token=abc.def.ghi"), "token=<redacted>");
    /// assert_eq!(secrets.scrub("hex 6162632e6465662e676869"), "hex <redacted>");
    /// ```
    #[must_use]
    pub fn scrub<'a>(&self, line: &'a str) -> Cow<'a, str> {
        let all = self.0.read().unwrap_or_else(PoisonError::into_inner);
        let mut out = Cow::Borrowed(line);
        for form in all.iter() {
            if out.contains(form.as_str()) {
                out = Cow::Owned(out.replace(form.as_str(), REDACTED));
            }
        }
        out
    }

    fn is_empty(&self) -> bool {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .is_empty()
    }
}

/// The process's secrets, scrubbed by every [`Redacting::new`] writer.
fn global() -> &'static Secrets {
    static SECRETS: OnceLock<Secrets> = OnceLock::new();
    SECRETS.get_or_init(Secrets::default)
}

/// Scrubs `secret` from everything written through a [`Redacting::new`] writer from now on.
pub fn add_secret(secret: &str) {
    global().add(secret);
}

/// A [`MakeWriter`] whose writers scrub [`Secrets`] from each formatted log line. The `fmt`
/// layer writes each event with one `write_all` of the whole line, so a secret is never split
/// between two writes.
#[derive(Debug, Clone)]
pub struct Redacting<M> {
    make: M,
    secrets: Secrets,
}

impl<M> Redacting<M> {
    /// Writes through `make`, scrubbing the secrets registered with [`add_secret`].
    pub fn new(make: M) -> Self {
        Self::with_secrets(make, global().clone())
    }

    /// Writes through `make`, scrubbing `secrets`.
    pub fn with_secrets(make: M, secrets: Secrets) -> Self {
        Self { make, secrets }
    }
}

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Redacting<M> {
    type Writer = RedactingWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter {
            inner: self.make.make_writer(),
            secrets: self.secrets.clone(),
        }
    }
}

/// The writer of one log line, made by [`Redacting`].
#[derive(Debug)]
pub struct RedactingWriter<W> {
    inner: W,
    secrets: Secrets,
}

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.secrets.is_empty() {
            return self.inner.write(buf);
        }
        let text = String::from_utf8_lossy(buf);
        self.inner.write_all(self.secrets.scrub(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "MTEwMDAwMDAwMDAwMDAwMDAwMQ.GaBcDe.x_y-z0123456789";

    fn scrubbed(line: &str) -> String {
        let secrets = Secrets::default();
        secrets.add(TOKEN);
        secrets.scrub(line).into_owned()
    }

    #[test]
    fn redact_every_form() {
        let bytes: Vec<u8> = format!("{{\"token\":\"{TOKEN}\"}}").into_bytes();
        let hex = bytes.iter().fold(String::new(), |mut hex, b| {
            let _ = std::fmt::Write::write_fmt(&mut hex, format_args!("{b:02x}"));
            hex
        });
        for line in [
            format!("token {TOKEN} end"),
            format!("payload: {bytes:?}"),
            format!(
                "payload: {}",
                serde_json::to_string(&bytes).unwrap_or_default()
            ),
            format!("payload: 0x{hex}"),
            format!("payload: 0x{}", hex.to_ascii_uppercase()),
            serde_json::json!({ "message": format!("frame {:?}", format!("\"{TOKEN}\"")) })
                .to_string(),
        ] {
            let out = scrubbed(&line);
            assert!(out.contains(REDACTED), "{line} -> {out}");
            for form in forms(TOKEN) {
                assert!(!out.contains(&form), "{form} left in {out}");
            }
        }
    }

    #[test]
    fn redact_leaves_other_lines_alone() {
        assert_eq!(scrubbed("question handled"), "question handled");
    }

    #[test]
    fn redact_ignores_short_secrets() {
        let secrets = Secrets::default();
        secrets.add("a");
        assert_eq!(secrets.scrub("a cat"), "a cat");
    }

    #[test]
    fn redact_debug_hides_the_secrets() {
        let secrets = Secrets::default();
        secrets.add(TOKEN);
        assert!(!format!("{secrets:?}").contains(TOKEN));
    }

    #[test]
    fn redact_writer_scrubs_each_line() {
        let secrets = Secrets::default();
        secrets.add(TOKEN);
        let mut out = Vec::new();
        {
            let mut w = RedactingWriter {
                inner: &mut out,
                secrets,
            };
            w.write_all(format!("identify {TOKEN}\n").as_bytes())
                .expect("write");
        }
        assert_eq!(String::from_utf8_lossy(&out), "identify <redacted>\n");
    }

    #[test]
    fn redact_caps_the_frame_loggers() {
        use tracing::Level;
        use tracing_subscriber::filter::Targets;
        let caps: Targets = caps();
        assert!(!caps.would_enable("tungstenite::protocol", &Level::TRACE));
        assert!(!caps.would_enable("tokio_tungstenite::compat", &Level::TRACE));
        assert!(!caps.would_enable("serenity::gateway::ws", &Level::DEBUG));
        assert!(caps.would_enable("faqbot::discord", &Level::TRACE));
        assert!(caps.would_enable("serenity::http", &Level::TRACE));
    }
}
