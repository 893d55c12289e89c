//! The end-to-end harness of the Discord bot: a [`FakeDiscord`] on loopback and the real bot
//! (`faqbot::discord::start`, serenity + poise) connected to it through `DISCORD_API_PROXY`,
//! with a copy of the shipped FAQ and a question log in a temporary directory. Every wait is
//! bounded by [`T`].

// Each test binary uses only part of this module.
#![allow(dead_code)]

use super::fake_discord::{
    FakeConfig, FakeDiscord, MessageSpec, Recorded, BOT_USER_ID, GUILD_CHANNEL_ID, MOD_ROLE_ID,
};
use faqbot::discord::{self, Bot, BotConfig};
use faqbot::knowledge::Knowledge;
use faqbot::reply::Clinic;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;
use tempfile::TempDir;

/// Bound on every wait.
pub const T: Duration = Duration::from_secs(10);

/// The help channel the bot is configured with (a second text channel of the fake's guild;
/// [`GUILD_CHANNEL_ID`] stays an ordinary channel).
pub const HELP_CHANNEL_ID: u64 = 1_100_000_000_000_000_010;

/// The booking link the bot is configured with.
pub const APPOINTMENT_URL: &str = "https://clinic.test/book";

/// The clinic the bot is configured with.
#[must_use]
pub fn clinic() -> Clinic {
    Clinic {
        name: "Test Kids Therapy".to_owned(),
        appointment_url: APPOINTMENT_URL.to_owned(),
        appointment_phone: "555-0199".to_owned(),
    }
}

/// The shipped FAQ directory.
#[must_use]
pub fn shipped_faq() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("faq")
}

/// A message in the help channel.
#[must_use]
pub fn help(content: &str) -> MessageSpec {
    MessageSpec {
        channel_id: HELP_CHANNEL_ID,
        ..MessageSpec::guild(content)
    }
}

/// A message that mentions the bot (in the ordinary channel), as Discord writes it.
#[must_use]
pub fn mention(content: &str) -> MessageSpec {
    MessageSpec {
        mentions_bot: true,
        ..MessageSpec::guild(&format!("<@{BOT_USER_ID}> {content}"))
    }
}

// ----- captured logs ------------------------------------------------------------------------

static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();

/// Sends faqbot's `info` and above (JSON lines, as `faqbot run --log-format json` writes
/// them) to a buffer that [`logs`] reads. Process-wide (`crate::captured_logs`): tests find
/// their own events by ids.
fn capture_logs() {
    LOGS.get_or_init(crate::captured_logs::json);
}

/// Every log event captured so far (all tests of this binary), as JSON objects.
#[must_use]
pub fn logs() -> Vec<Value> {
    let Some(buffer) = LOGS.get() else {
        return Vec::new();
    };
    let bytes = buffer
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    String::from_utf8_lossy(&bytes)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// The first captured log event that `pred` accepts, waiting for it (at most `timeout`).
pub async fn wait_for_log(pred: impl Fn(&Value) -> bool, timeout: Duration) -> Option<Value> {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        if let Some(found) = logs().into_iter().find(|e| pred(e)) {
            return Some(found);
        }
        if std::time::Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The raw text of every captured log line.
#[must_use]
pub fn log_text() -> String {
    LOGS.get().map_or_else(String::new, |b| {
        String::from_utf8_lossy(&b.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
    })
}

// ----- the harness --------------------------------------------------------------------------

/// A fake Discord with the bot connected to it.
pub struct Harness {
    /// The fake.
    pub fake: FakeDiscord,
    /// The bot (taken by [`Harness::stop`]).
    pub bot: Option<Bot>,
    /// The temporary directory (FAQ copy in `faq/`, question log `questions.sqlite3`).
    pub dir: TempDir,
    /// The FAQ as the bot loaded it at start, to compare replies with.
    pub knowledge: Arc<Knowledge>,
}

/// The environment the harness gives the bot, before a test's overrides.
fn base_env(fake: &FakeDiscord, dir: &Path) -> HashMap<String, String> {
    let clinic = clinic();
    [
        ("DISCORD_TOKEN", "fake-token".to_owned()),
        ("DISCORD_API_PROXY", fake.base_url().to_owned()),
        ("HELP_CHANNEL_IDS", HELP_CHANNEL_ID.to_string()),
        ("MODERATOR_ROLE_IDS", MOD_ROLE_ID.to_string()),
        ("CLINIC_NAME", clinic.name),
        ("APPOINTMENT_URL", clinic.appointment_url),
        ("APPOINTMENT_PHONE", clinic.appointment_phone),
        ("FAQ_DIR", dir.join("faq").display().to_string()),
        (
            "QUESTION_LOG_PATH",
            dir.join("questions.sqlite3").display().to_string(),
        ),
        // Tests send several questions as the same user; the cooldown test turns it on.
        ("COOLDOWN_SECONDS", "0".to_owned()),
        // Tests edit the FAQ and reload it with /faq reload, not through the watcher.
        ("WATCH_FAQ", "false".to_owned()),
        // A moderators' channel would get a digest at start; tests/discord_digest.rs turns it on.
        ("DIGEST_DAY", "off".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// Copies the FAQ files (not subdirectories) from `from` to `to`.
pub fn copy_faq(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create faq dir");
    for entry in std::fs::read_dir(from).expect("read faq dir") {
        let path = entry.expect("dir entry").path();
        if path.is_file() {
            std::fs::copy(&path, to.join(path.file_name().expect("file name"))).expect("copy");
        }
    }
}

impl Harness {
    /// The fake and the bot with the default settings.
    pub async fn start() -> Self {
        Self::start_with(&[]).await
    }

    /// The fake and the bot, with `overrides` on top of the harness's environment.
    pub async fn start_with(overrides: &[(&str, &str)]) -> Self {
        Self::start_prepared(overrides, |_| {}).await
    }

    /// Like [`Self::start_with`], with `prepare` run on the fake before the bot connects (e.g.
    /// to fail or delay the requests the bot makes at start).
    pub async fn start_prepared(
        overrides: &[(&str, &str)],
        prepare: impl FnOnce(&FakeDiscord),
    ) -> Self {
        capture_logs();
        let fake = FakeDiscord::start_with(FakeConfig {
            guild_channels: vec![GUILD_CHANNEL_ID, HELP_CHANNEL_ID],
            ..FakeConfig::default()
        })
        .await;
        prepare(&fake);
        let dir = tempfile::tempdir().expect("temp dir");
        copy_faq(&shipped_faq(), &dir.path().join("faq"));
        let mut env = base_env(&fake, dir.path());
        for (k, v) in overrides {
            env.insert((*k).to_owned(), (*v).to_owned());
        }
        let config = BotConfig::from_env(&|k: &str| env.get(k).cloned()).expect("bot config");
        let bot = discord::start(config).await.expect("the bot starts");
        // The FAQ as loaded at start (later reloads do not change this copy).
        let knowledge = bot.knowledge().load_full();
        assert!(fake.wait_ready(T).await, "the bot never got READY");
        Harness {
            fake,
            bot: Some(bot),
            dir,
            knowledge,
        }
    }

    /// The FAQ directory the bot reads.
    #[must_use]
    pub fn faq_dir(&self) -> PathBuf {
        self.dir.path().join("faq")
    }

    /// The title of an FAQ entry.
    #[must_use]
    pub fn title(&self, id: &str) -> String {
        self.knowledge
            .faq()
            .get(id)
            .unwrap_or_else(|| panic!("no entry {id}"))
            .title
            .clone()
    }

    /// The entry the bot answers `question` with when asked directly (`None`: no answer).
    #[must_use]
    pub fn expected_entry(&self, question: &str) -> Option<String> {
        match self.knowledge.ask(question) {
            faqbot::matcher::Decision::Answer(c) => Some(c.id),
            _ => None,
        }
    }

    /// Dispatches a message; returns its id.
    pub fn send(&self, spec: &MessageSpec) -> u64 {
        self.fake.message_create(spec)
    }

    /// The bot's successful reply to message `id` (waits for it).
    pub async fn reply_to(&self, id: u64) -> Recorded {
        self.fake
            .wait_for(|r| r.reply_to() == Some(id) && r.status == 200, T)
            .await
            .unwrap_or_else(|| panic!("no reply to {id}; requests: {:#?}", self.fake.requests()))
    }

    /// How many replies (attempted) to message `id` the fake has seen.
    #[must_use]
    pub fn replies_to(&self, id: u64) -> usize {
        self.fake.count(|r| r.reply_to() == Some(id))
    }

    /// The bot's response to interaction `id` (waits for it).
    pub async fn callback(&self, id: u64) -> Recorded {
        self.fake
            .wait_for(|r| r.is_callback_of(id), T)
            .await
            .unwrap_or_else(|| {
                panic!(
                    "no callback for {id}; requests: {:#?}",
                    self.fake.requests()
                )
            })
    }

    /// Stops the bot (as on SIGTERM), checks that it stopped in time, and hands back the
    /// temporary directory (with the closed question log).
    pub async fn stop(mut self) -> TempDir {
        self.shutdown_bot().await;
        self.dir
    }

    /// Stops the bot (if running) and starts a new one on the same fake, FAQ copy and question
    /// log, with `overrides` on top of the harness's environment; waits until it is READY.
    pub async fn restart_with(&mut self, overrides: &[(&str, &str)]) {
        self.shutdown_bot().await;
        let identified = self.fake.identify_count();
        let mut env = base_env(&self.fake, self.dir.path());
        for (k, v) in overrides {
            env.insert((*k).to_owned(), (*v).to_owned());
        }
        let config = BotConfig::from_env(&|k: &str| env.get(k).cloned()).expect("bot config");
        self.bot = Some(discord::start(config).await.expect("the bot starts again"));
        let ready = self
            .fake
            .wait_gateway(|s| s.identifies > identified && s.ready, T)
            .await;
        assert!(ready, "the restarted bot never got READY");
    }

    /// The question log file the bot writes.
    #[must_use]
    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("questions.sqlite3")
    }

    /// Stops the bot (as on SIGTERM) and checks that it stopped in time; the fake stays up.
    pub async fn shutdown_bot(&mut self) {
        if let Some(bot) = self.bot.take() {
            let stopped = tokio::time::timeout(T, self.fake.nudge_during(bot.shutdown())).await;
            assert!(stopped.is_ok(), "the bot did not shut down in time");
        }
    }
}
