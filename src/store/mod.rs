//! The moderators' question log: the handled questions, the parents' "helpful / not helpful"
//! votes, and the weekly report built from them, kept in one `SQLite` file.
//!
//! Why it looks like this:
//! - **Answers never wait for storage.** [`QuestionLog`] is a cheap handle onto a dedicated writer
//!   thread that owns the writing connection, fed through a bounded queue with `try_send`. The
//!   writer batches records into one transaction per pass; while the database is busy (another
//!   connection's lock) or not open yet, it holds them, up to the queue bound, and writes them
//!   when it can. Records dropped beyond the bound and writes that failed are counted, warned
//!   about at most once a minute, and shown in the report.
//! - **A database that will not open comes back.** [`QuestionLog::open_retrying`] (what the bot
//!   uses) keeps trying, with growing pauses, and logs when the log is open again;
//!   [`QuestionLog::open`] fails at once, and [`QuestionLog::disabled`] does nothing.
//! - **Little personal data.** Rows hold the time, the [`Origin`], the [`Outcome`], the FAQ entry
//!   and the score; no user, channel or message ids. Text is kept only where it serves the
//!   moderators, masked and capped (see [`privacy`](redact)): unanswered questions addressed to the
//!   bot, and answers voted not helpful. Help-channel messages the bot stays silent on are only
//!   counted. Votes are kept once per person per answer by storing a keyed hash of (answer id,
//!   voter); the key is never in the file ([`LogConfig::voter_key`]).
//! - **Reports never write.** [`QuestionLog::report`] and [`report_from_file`] read through a
//!   read-only connection that never creates, migrates or changes the file; the file is in WAL
//!   mode, so readers and the writer do not wait on each other.
//! - **Old rows go.** Rows older than [`LogConfig::retention_days`] are deleted at open and by
//!   [`QuestionLog::apply_retention`], which the bot calls daily; deleted rows are overwritten
//!   (`secure_delete`).
//!
//! ```no_run
//! use faqbot::store::{LogConfig, Origin, Outcome, QuestionLog, QuestionRecord};
//!
//! let log = QuestionLog::open_retrying(&LogConfig::new("faqbot.sqlite3")).unwrap_or_else(|e| {
//!     eprintln!("question log off: {e}");
//!     QuestionLog::disabled()
//! });
//! let id = log.log(QuestionRecord::now(
//!     Origin::Mention,
//!     "how much does OT cost",
//!     Outcome::NoMatch,
//!     None,
//!     0.12,
//! ));
//! // `id` goes into the feedback buttons; a click becomes:
//! let _ = log.vote(id, 123_456_789, false);
//! ```

mod cluster;
mod privacy;
mod queue;
mod record;
mod report;
mod schema;
mod throttle;
mod writer;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub use cluster::{
    normalise_question, same_question, QuestionGroup, GROUP_EXAMPLES, SAME_QUESTION_JACCARD,
    SAME_QUESTION_LEVENSHTEIN,
};
pub use privacy::{redact, MASKED_EMAIL, MASKED_MENTION, MASKED_PHONE, MAX_QUESTION_CHARS};
pub use queue::{
    Enqueued, Learned, LearnedCounts, QueueItem, QueueItemId, QueueKind, MAX_ANSWER_CHARS,
};
pub use record::{AnswerId, Origin, Outcome, QuestionRecord, VoteOutcome};
pub use report::{
    DayCount, EntryCount, EntryVotes, OriginCount, OutcomeCount, Report, MAX_DAYS,
    MAX_GROUPED_QUESTIONS, TOP_ENTRIES,
};

use privacy::TextUse;
use record::now_unix;
use throttle::Throttle;
use writer::{Command, Counters, Row, Writer, WriterSettings};

/// Default size of the queue in front of the writer: at a few questions a minute this is hours
/// of questions while the disk is away, and at a few hundred bytes each well under a megabyte.
pub const DEFAULT_QUEUE_CAPACITY: usize = 1024;

/// Default retention: a quarter of weekly reports to compare, and no parent's question kept
/// longer than the moderators' loop needs it.
pub const DEFAULT_RETENTION_DAYS: u32 = 90;

/// How long [`QuestionLog::vote`] waits for the writer: Discord wants an interaction
/// acknowledged within 3 s, and the reply needs the last second.
pub const VOTE_TIMEOUT: Duration = Duration::from_secs(2);

/// How long [`QuestionLog::flush`] and [`QuestionLog::close`] wait: long enough for a full queue
/// on a healthy disk, short enough not to hold up a shutdown when the disk is stuck.
pub const FLUSH_TIMEOUT: Duration = Duration::from_secs(10);

/// The `meta` key of when the weekly digest was last posted (unix seconds).
const LAST_DIGEST_KEY: &str = "last_digest_unix";
/// How long the review queue's calls ([`QuestionLog::queue_question`] and the others) wait for
/// the writer: they answer a click or follow a reply, within Discord's 3 s for a click.
pub const QUEUE_TIMEOUT: Duration = Duration::from_secs(2);

/// How long [`QuestionLog::apply_retention`] waits: deleting a day's worth of old rows is quick,
/// but the first run on a large file may not be.
pub const RETENTION_TIMEOUT: Duration = Duration::from_secs(30);

/// Pause between attempts to queue a command that waits for a reply (vote, flush) while the
/// queue is full: short against the timeouts, long enough not to spin.
const SEND_RETRY_INTERVAL: Duration = Duration::from_millis(5);

/// At most one warning per this many seconds for dropped records and for failed writes, each
/// with the count of those it left out: a stuck disk should not flood the log.
const WARN_INTERVAL_SECS: i64 = 60;

/// Why the question log could not do something.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The file could not be opened, set up or migrated.
    #[error("cannot open the question log at {}: {source}", path.display())]
    Open {
        /// The configured path.
        path: PathBuf,
        /// What `SQLite` said.
        source: rusqlite::Error,
    },
    /// `SQLite` could open the file only read-only.
    #[error(
        "the question log at {} is read-only; give the bot write access to the file and its folder",
        path.display()
    )]
    ReadOnly {
        /// The configured path.
        path: PathBuf,
    },
    /// The file was written by a newer faqbot.
    #[error(
        "the question log has schema version {found}, but this faqbot knows only up to {supported}; upgrade faqbot or use another file"
    )]
    SchemaTooNew {
        /// The file's `user_version`.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
    /// A voter key could not be used.
    #[error("bad voter key: {reason}")]
    BadVoterKey {
        /// What is wrong with it.
        reason: String,
    },
    /// A text form did not name a known value.
    #[error("{value:?} is not a known {kind}")]
    UnknownValue {
        /// What was being parsed (origin, outcome, answer id).
        kind: &'static str,
        /// The text given.
        value: String,
    },
    /// A database operation failed after opening.
    #[error("question log database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The operating system gave no randomness for a new voter key.
    #[error("no randomness from the operating system for the voter key: {0}")]
    Random(getrandom::Error),
    /// The writer thread could not be started.
    #[error("cannot start the question log writer thread: {0}")]
    Thread(std::io::Error),
    /// This is the handle from [`QuestionLog::disabled`].
    #[error("the question log is disabled")]
    Disabled,
    /// The writer thread has stopped (closed, or it died).
    #[error("the question log writer has stopped")]
    WriterGone,
    /// The file is not a question log (empty, or another `SQLite` file).
    #[error("{} is not a question log: {reason}", path.display())]
    NotALog {
        /// The path given.
        path: PathBuf,
        /// What was found instead.
        reason: String,
    },
    /// The database could not be opened yet; the writer keeps trying and holds records.
    #[error("the question log is not open (the bot keeps trying; see its logs); {waiting} record(s) waiting")]
    NotOpen {
        /// Records held until it opens.
        waiting: u64,
    },
    /// Another connection holds the database's lock; the records wait and are written later.
    #[error("the question log database is busy (locked by another connection); {waiting} record(s) waiting to be written")]
    Busy {
        /// Records held until the lock is released.
        waiting: u64,
    },
    /// The writer did not answer in time (it may still do the work later).
    #[error("the question log writer did not answer within {0:?}")]
    Timeout(Duration),
}

/// How to open the question log. Build with [`LogConfig::new`] and change fields as needed.
#[derive(Clone)]
pub struct LogConfig {
    /// The `SQLite` file. It is created if missing; its folder must exist.
    pub path: PathBuf,
    /// Whether to keep the question text (default on). When off, the text column is NULL and
    /// reports cannot list unanswered questions.
    pub log_question_text: bool,
    /// Delete rows older than this many days; `None` keeps them forever.
    pub retention_days: Option<u32>,
    /// The secret for hashing voters: from `VOTER_KEY` ([`parse_voter_key`]) or derived from the
    /// bot token ([`voter_key_from_token`]). It is never written to the file.
    ///
    /// The threat: Discord user ids are public, so anyone holding the file and the key can hash
    /// a known id with each answer id and see how that person voted. With the key outside the
    /// file, a copy of the file (a backup, a moderator's copy for reports, a lost disk) does not
    /// link votes to people. `None`: a random key for this open only, so votes are once per
    /// person until a restart. Changing the key only means people can vote again on old answers.
    pub voter_key: Option<[u8; 32]>,
    /// Capacity of the queue in front of the writer (at least 1 is used).
    pub queue_capacity: usize,
}

impl LogConfig {
    /// Defaults for the file at `path`: text logged (by the rules of [`redact`]'s module),
    /// [`DEFAULT_RETENTION_DAYS`], a random voter key for this run, [`DEFAULT_QUEUE_CAPACITY`].
    #[must_use]
    pub fn new(path: impl Into<PathBuf>) -> Self {
        LogConfig {
            path: path.into(),
            log_question_text: true,
            retention_days: Some(DEFAULT_RETENTION_DAYS),
            voter_key: None,
            queue_capacity: DEFAULT_QUEUE_CAPACITY,
        }
    }
}

impl fmt::Debug for LogConfig {
    /// Shows whether a voter key is set, never the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogConfig")
            .field("path", &self.path)
            .field("log_question_text", &self.log_question_text)
            .field("retention_days", &self.retention_days)
            .field("voter_key", &self.voter_key.map(|_| "<set>"))
            .field("queue_capacity", &self.queue_capacity)
            .finish()
    }
}

/// Parses a voter key given as 64 hex digits (surrounding whitespace ignored).
///
/// ```
/// # use faqbot::store::parse_voter_key;
/// assert_eq!(parse_voter_key(&"ab".repeat(32)).unwrap(), [0xab; 32]);
/// assert!(parse_voter_key("abc").is_err());
/// ```
pub fn parse_voter_key(hex: &str) -> Result<[u8; 32], StoreError> {
    blake3::Hash::from_hex(hex.trim())
        .map(|h| *h.as_bytes())
        .map_err(|e| StoreError::BadVoterKey {
            reason: format!("expected 64 hex digits: {e}"),
        })
}

/// Context of [`voter_key_from_token`]'s key derivation (blake3 `derive_key`): fixed, so the
/// same token gives the same key across restarts, and unique to this use of the token.
const VOTER_KEY_CONTEXT: &str = "faqbot 2026-12-01 question log voter key";

/// The voter key derived from the bot token with blake3's `derive_key`: stable across restarts
/// without another secret to keep, and the file never holds the token. The token cannot be
/// recovered from the key. A new token gives a new key (people may then vote again on old
/// answers); set `VOTER_KEY` to keep the key across token changes.
///
/// ```
/// # use faqbot::store::voter_key_from_token;
/// assert_eq!(voter_key_from_token("a"), voter_key_from_token("a"));
/// assert_ne!(voter_key_from_token("a"), voter_key_from_token("b"));
/// ```
#[must_use]
pub fn voter_key_from_token(token: &str) -> [u8; 32] {
    blake3::derive_key(VOTER_KEY_CONTEXT, token.as_bytes())
}

/// The report of the questions handled since `since_unix` in the file at `path`, opened
/// read-only: the file is never created, migrated or changed, so this works on a backup or a
/// read-only copy. Lost records are those saved in the file (a running bot's last unsaved
/// counts are only in its own `/faq stats`).
pub fn report_from_file(path: &Path, since_unix: i64) -> Result<Report, StoreError> {
    let mut conn = schema::open_reader(path)?;
    report::build(&mut conn, since_unix, now_unix(), true)
}

/// A handle to the question log; clone it freely. Logging never blocks; see the module docs.
///
/// Dropping the last handle lets the writer finish the queue in the background; call
/// [`close`](QuestionLog::close) at shutdown to wait for it.
#[derive(Clone)]
pub struct QuestionLog {
    inner: Option<Arc<Inner>>,
}

struct Inner {
    commands: SyncSender<Command>,
    path: PathBuf,
    log_question_text: bool,
    voter_key: [u8; 32],
    counters: Arc<Counters>,
    drop_warnings: Throttle,
    writer: Mutex<Option<JoinHandle<()>>>,
}

impl fmt::Debug for QuestionLog {
    /// Shows the path, never the voter key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("QuestionLog");
        match &self.inner {
            None => s.field("enabled", &false),
            Some(inner) => s
                .field("path", &inner.path)
                .field("log_question_text", &inner.log_question_text)
                .field("dropped", &inner.counters.dropped.load(Ordering::Relaxed))
                .field("failed", &inner.counters.failed.load(Ordering::Relaxed)),
        }
        .finish_non_exhaustive()
    }
}

impl QuestionLog {
    /// Opens (creating and migrating) the file, deletes rows past retention, and starts the
    /// writer thread. Fails if the file cannot be opened now; see also
    /// [`open_retrying`](QuestionLog::open_retrying).
    pub fn open(config: &LogConfig) -> Result<Self, StoreError> {
        let conn = schema::open_writer(&config.path)?;
        match writer::prune(&conn, config.retention_days, now_unix()) {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, "question log: deleted rows past retention"),
            // Not fatal: the daily retention run will try again.
            Err(e) => tracing::warn!(error = %e, "question log: deleting old rows failed"),
        }
        Self::start(config, Some(conn))
    }

    /// Like [`open`](QuestionLog::open), but if the file cannot be opened now (locked, disk
    /// full, bad permissions, a mount not there yet) the error is logged and the writer keeps
    /// trying, with pauses growing from 1 s to a minute; records are held meanwhile (up to the
    /// queue bound), and the log says when it is open. Fails only if no thread can be started
    /// or no voter key made.
    pub fn open_retrying(config: &LogConfig) -> Result<Self, StoreError> {
        match Self::open(config) {
            Ok(log) => Ok(log),
            Err(e @ (StoreError::Thread(_) | StoreError::Random(_))) => Err(e),
            Err(e) => {
                tracing::warn!(
                    error = %e,
                    path = %config.path.display(),
                    retry_in_s = writer::REOPEN_FIRST_DELAY.as_secs(),
                    "question log: cannot open the database; answering without it and trying again"
                );
                Self::start(config, None)
            }
        }
    }

    /// Starts the writer thread on `conn` (`None`: it keeps trying to open the file).
    fn start(config: &LogConfig, conn: Option<rusqlite::Connection>) -> Result<Self, StoreError> {
        let voter_key = if let Some(key) = config.voter_key {
            key
        } else {
            let mut key = [0u8; 32];
            getrandom::fill(&mut key).map_err(StoreError::Random)?;
            key
        };
        let capacity = config.queue_capacity.max(1);
        let (commands, queue) = mpsc::sync_channel(capacity);
        let counters = Arc::new(Counters::default());
        let state = Writer::new(
            conn,
            WriterSettings {
                path: config.path.clone(),
                retention_days: config.retention_days,
                capacity,
            },
            Arc::clone(&counters),
        );
        let writer = std::thread::Builder::new()
            .name("question-log".to_owned())
            .spawn(move || writer::run(state, &queue))
            .map_err(StoreError::Thread)?;
        Ok(QuestionLog {
            inner: Some(Arc::new(Inner {
                commands,
                path: config.path.clone(),
                log_question_text: config.log_question_text,
                voter_key,
                counters,
                drop_warnings: Throttle::new(WARN_INTERVAL_SECS),
                writer: Mutex::new(Some(writer)),
            })),
        })
    }

    /// A handle that stores nothing: `log` still returns ids, `vote` and `report` return
    /// [`StoreError::Disabled`], `flush`, `close` and `apply_retention` succeed doing nothing.
    #[must_use]
    pub fn disabled() -> Self {
        QuestionLog { inner: None }
    }

    /// Whether this handle stores anything.
    #[must_use]
    pub fn is_enabled(&self) -> bool {
        self.inner.is_some()
    }

    /// The file this handle writes, if any.
    #[must_use]
    pub fn path(&self) -> Option<&Path> {
        self.inner.as_deref().map(|inner| inner.path.as_path())
    }

    /// Whether the database is open (it may not be yet with
    /// [`open_retrying`](QuestionLog::open_retrying)).
    #[must_use]
    pub fn is_open(&self) -> bool {
        self.inner
            .as_deref()
            .is_some_and(|inner| inner.counters.open.load(Ordering::Relaxed))
    }

    /// Whether question text is being kept.
    #[must_use]
    pub fn logs_question_text(&self) -> bool {
        self.inner
            .as_deref()
            .is_some_and(|inner| inner.log_question_text)
    }

    /// Queues one handled question and returns its new [`AnswerId`]. Never blocks: if the queue
    /// is full or the writer has stopped, the record is dropped (counted in
    /// [`dropped_records`](QuestionLog::dropped_records), warned about at most once a minute).
    ///
    /// Of the text, the log keeps only what serves the moderators, redacted ([`redact`]): an
    /// unanswered question addressed to the bot is kept; an answered one only if voted not
    /// helpful (until then it is held in memory, at most a day); a help-channel message the
    /// FAQ does not cover (the bot stays silent) is only counted.
    #[allow(
        clippy::must_use_candidate,
        reason = "logging is the point; the id matters only when the reply has feedback buttons"
    )]
    pub fn log(&self, mut record: QuestionRecord) -> AnswerId {
        let answer_id = AnswerId::random();
        let Some(inner) = self.inner.as_deref() else {
            return answer_id;
        };
        let text = std::mem::take(&mut record.question);
        let text_use = TextUse::for_question(record.origin, record.outcome);
        let row = Row {
            answer_id,
            record,
            question: (inner.log_question_text && text_use != TextUse::Discard).then_some(text),
            until_voted: text_use == TextUse::UntilVoted,
        };
        match inner.commands.try_send(Command::Log(row)) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => inner.note_dropped("the queue is full"),
            Err(TrySendError::Disconnected(_)) => inner.note_dropped("the writer has stopped"),
        }
        answer_id
    }

    /// How many records this log (all clones together) has dropped: queue full, writer gone,
    /// or held beyond the bound while the database was unavailable.
    #[must_use]
    pub fn dropped_records(&self) -> u64 {
        self.inner
            .as_deref()
            .map_or(0, |inner| inner.counters.dropped.load(Ordering::Relaxed))
    }

    /// How many records this log could not write (a failed write other than a busy database).
    #[must_use]
    pub fn failed_writes(&self) -> u64 {
        self.inner
            .as_deref()
            .map_or(0, |inner| inner.counters.failed.load(Ordering::Relaxed))
    }

    /// Records `voter`'s vote on an answer, once per person per answer: a second vote the same
    /// way changes nothing, the other way replaces the first. Only a keyed hash of
    /// (answer, voter) is stored. A vote for an id with no log row (dropped, or past retention)
    /// is stored anyway.
    ///
    /// Waits for the writer, at most [`VOTE_TIMEOUT`]; from async code call it on a blocking
    /// thread (e.g. `tokio::task::spawn_blocking`).
    pub fn vote(
        &self,
        answer_id: AnswerId,
        voter: u64,
        helpful: bool,
    ) -> Result<VoteOutcome, StoreError> {
        let inner = self.inner.as_deref().ok_or(StoreError::Disabled)?;
        let voter_key = hash_voter(&inner.voter_key, answer_id, voter);
        let (reply, answer) = mpsc::sync_channel(1);
        inner.request(
            Command::Vote {
                answer_id,
                voter_key,
                helpful,
                at_unix: now_unix(),
                reply,
            },
            &answer,
            VOTE_TIMEOUT,
        )?
    }

    /// Deletes rows older than the retention period now; returns how many went (0 when
    /// retention is off or the log is disabled). Waits at most [`RETENTION_TIMEOUT`].
    pub fn apply_retention(&self) -> Result<u64, StoreError> {
        let Some(inner) = self.inner.as_deref() else {
            return Ok(0);
        };
        let (reply, answer) = mpsc::sync_channel(1);
        inner.request(Command::Prune { reply }, &answer, RETENTION_TIMEOUT)?
    }

    /// Waits (at most [`FLUSH_TIMEOUT`]) until everything queued before this call is written,
    /// or has failed (counted). [`StoreError::Busy`] or [`StoreError::NotOpen`]: records are
    /// still held, to be written when the database can take them.
    pub fn flush(&self) -> Result<(), StoreError> {
        let Some(inner) = self.inner.as_deref() else {
            return Ok(());
        };
        let (reply, answer) = mpsc::sync_channel(1);
        inner.request(Command::Flush { reply }, &answer, FLUSH_TIMEOUT)?
    }

    /// Writes what is queued (waiting a few seconds for a busy database), closes the file and
    /// ends the writer thread, waiting at most [`FLUSH_TIMEOUT`]. Records it could not write are
    /// counted as dropped and the error says why. Other clones of this handle keep working as far
    /// as queueing goes, but their records are dropped from then on.
    pub fn close(self) -> Result<(), StoreError> {
        let Some(inner) = self.inner.as_deref() else {
            return Ok(());
        };
        let (reply, answer) = mpsc::sync_channel(1);
        let written = inner.request(Command::Shutdown { reply }, &answer, FLUSH_TIMEOUT)?;
        // The thread has answered and is returning, so joining is quick.
        let writer = inner.writer.lock().ok().and_then(|mut w| w.take());
        if let Some(writer) = writer {
            writer.join().map_err(|_| StoreError::WriterGone)?;
        }
        written
    }

    /// The report of questions handled since `since_unix`, read through a separate read-only
    /// connection, with this run's lost records not yet saved in the file added. Records still
    /// queued are not in it; call [`flush`](QuestionLog::flush) first if that matters.
    pub fn report(&self, since_unix: i64) -> Result<Report, StoreError> {
        let inner = self.inner.as_deref().ok_or(StoreError::Disabled)?;
        if !inner.counters.open.load(Ordering::Relaxed) {
            return Err(StoreError::NotOpen {
                waiting: inner.counters.waiting.load(Ordering::Relaxed),
            });
        }
        let mut conn = schema::open_reader(&inner.path)?;
        let mut report = report::build(&mut conn, since_unix, now_unix(), inner.log_question_text)?;
        let (dropped, failed) = inner.counters.unsaved();
        report.dropped_records += dropped;
        report.failed_writes += failed;
        Ok(report)
    }
}

impl QuestionLog {
    /// When the weekly digest was last posted (unix seconds), as saved in the file's `meta`
    /// table by [`set_last_digest`](QuestionLog::set_last_digest); `None` if never. Read
    /// through a read-only connection.
    pub fn last_digest(&self) -> Result<Option<i64>, StoreError> {
        let inner = self.inner.as_deref().ok_or(StoreError::Disabled)?;
        if !inner.counters.open.load(Ordering::Relaxed) {
            return Err(StoreError::NotOpen {
                waiting: inner.counters.waiting.load(Ordering::Relaxed),
            });
        }
        let conn = schema::open_reader(&inner.path)?;
        read_meta(&conn, LAST_DIGEST_KEY)
    }

    /// Saves when the weekly digest was posted, so a restart does not post it again. Waits
    /// for the writer, at most [`FLUSH_TIMEOUT`]; from async code call it on a blocking thread.
    pub fn set_last_digest(&self, at_unix: i64) -> Result<(), StoreError> {
        let inner = self.inner.as_deref().ok_or(StoreError::Disabled)?;
        let (reply, answer) = mpsc::sync_channel(1);
        inner.request(
            Command::SetMeta {
                key: LAST_DIGEST_KEY,
                value: at_unix,
                reply,
            },
            &answer,
            FLUSH_TIMEOUT,
        )?
    }
}

/// A number saved in `meta` under `key`, if any.
fn read_meta(conn: &rusqlite::Connection, key: &str) -> Result<Option<i64>, StoreError> {
    use rusqlite::OptionalExtension as _;
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

/// The review queue (see [`queue`](self::queue)'s module docs). Each call waits for the
/// writer thread, at most [`QUEUE_TIMEOUT`]; from async code call them on a blocking thread.
/// With text logging off the queue holds nothing ([`StoreError::Disabled`]): its items are
/// questions' text.
impl QuestionLog {
    /// Runs `job` on the writing connection (after what is queued before it) and waits for its
    /// answer.
    fn on_writer<T, F>(&self, job: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let inner = self.inner.as_deref().ok_or(StoreError::Disabled)?;
        if !inner.log_question_text {
            return Err(StoreError::Disabled);
        }
        let (reply, answer) = mpsc::sync_channel(1);
        let waiting = Arc::clone(&inner.counters);
        let run = move |conn: Option<&rusqlite::Connection>| {
            let result = match conn {
                Some(conn) => job(conn),
                None => Err(StoreError::NotOpen {
                    waiting: waiting.waiting.load(Ordering::Relaxed),
                }),
            };
            // The asker may have timed out; then nobody needs the answer.
            let _ = reply.send(result);
        };
        inner.request(Command::Run(Box::new(run)), &answer, QUEUE_TIMEOUT)?
    }

    /// Counts a question in its review queue group (or starts one): [`Enqueued::Post`] when it
    /// is to be posted now (the day's post is claimed for it). `entry`: the entry answered, for
    /// [`QueueKind::NotHelpful`]. The text is masked as the log masks it; pass only what the
    /// log keeps (unanswered questions addressed to the bot).
    pub fn queue_question(
        &self,
        kind: QueueKind,
        question: &str,
        entry: Option<&str>,
    ) -> Result<Enqueued, StoreError> {
        let question = question.to_owned();
        let entry = entry.map(str::to_owned);
        self.on_writer(move |conn| {
            queue::enqueue(conn, kind, &question, entry.as_deref(), now_unix())
        })
    }

    /// Queues the question of an answer just voted not helpful (its text is in the log since
    /// the vote); `None` if the log has no text for it (dropped, or past retention).
    pub fn queue_not_helpful(&self, answer: AnswerId) -> Result<Option<Enqueued>, StoreError> {
        self.on_writer(move |conn| {
            let Some((question, entry)) = queue::voted_question(conn, answer.to_sql())? else {
                return Ok(None);
            };
            queue::enqueue(
                conn,
                QueueKind::NotHelpful,
                &question,
                entry.as_deref(),
                now_unix(),
            )
            .map(Some)
        })
    }

    /// Records the post of an item in the moderators' channel.
    pub fn queue_posted(
        &self,
        item: QueueItemId,
        channel: u64,
        message: u64,
    ) -> Result<(), StoreError> {
        self.on_writer(move |conn| queue::posted(conn, item, channel, message))
    }

    /// Gives back the day's post claim of an item whose post failed.
    pub fn queue_unclaim(&self, item: QueueItemId) -> Result<(), StoreError> {
        self.on_writer(move |conn| queue::unclaim(conn, item))
    }

    /// The item `item`, if it is in the queue.
    pub fn queue_item(&self, item: QueueItemId) -> Result<Option<QueueItem>, StoreError> {
        self.on_writer(move |conn| queue::item(conn, item))
    }

    /// The open unanswered item of `question`'s group (the same question), if any: what the
    /// weekly digest's buttons for that group act on.
    pub fn queue_open_item(&self, question: &str) -> Result<Option<QueueItem>, StoreError> {
        let question = question.to_owned();
        self.on_writer(move |conn| queue::open_item(conn, &question))
    }

    /// The item posted as `message` in the moderators' channel, if any.
    pub fn queue_item_of_post(&self, message: u64) -> Result<Option<QueueItem>, StoreError> {
        self.on_writer(move |conn| queue::item_of_post(conn, message))
    }

    /// Keeps a moderator's `answer` to `question` with its item (`item` if known, else the
    /// question's group, else a new item): [`Enqueued::Post`] when the item was never posted
    /// (post it now), else edit its post.
    pub fn queue_answer(
        &self,
        item: Option<QueueItemId>,
        question: &str,
        answer: &str,
    ) -> Result<Enqueued, StoreError> {
        let question = question.to_owned();
        let answer = answer.to_owned();
        self.on_writer(move |conn| {
            queue::capture_answer(conn, item, &question, &answer, now_unix())
        })
    }

    /// Marks an item learned (`entry`: the entry it went to) or dismissed; returns the item and
    /// whether this call closed it (`false`: another moderator did first), `None` for an item
    /// not in the queue (past retention).
    pub fn queue_close(
        &self,
        item: QueueItemId,
        learned: Learned,
        entry: Option<&str>,
    ) -> Result<Option<(QueueItem, bool)>, StoreError> {
        let entry = entry.map(str::to_owned);
        self.on_writer(move |conn| queue::close(conn, item, learned, entry.as_deref(), now_unix()))
    }
}

impl Inner {
    fn note_dropped(&self, reason: &str) {
        let total = self.counters.dropped.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(suppressed) = self.drop_warnings.allow(now_unix()) {
            tracing::warn!(
                dropped_total = total,
                suppressed,
                "question log: record dropped because {reason}"
            );
        }
    }

    /// Queues a command that expects an answer and waits for it, all within `timeout`.
    fn request<T>(
        &self,
        command: Command,
        answer: &Receiver<T>,
        timeout: Duration,
    ) -> Result<T, StoreError> {
        let deadline = Instant::now() + timeout;
        let mut command = command;
        loop {
            match self.commands.try_send(command) {
                Ok(()) => break,
                Err(TrySendError::Disconnected(_)) => return Err(StoreError::WriterGone),
                Err(TrySendError::Full(back)) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(StoreError::Timeout(timeout));
                    }
                    command = back;
                    std::thread::sleep(SEND_RETRY_INTERVAL.min(left));
                }
            }
        }
        answer
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .map_err(|e| match e {
                RecvTimeoutError::Timeout => StoreError::Timeout(timeout),
                RecvTimeoutError::Disconnected => StoreError::WriterGone,
            })
    }
}

/// The stored stand-in for a voter: a keyed hash of the answer id and the voter's id. Including
/// the answer id means one person's votes on different answers cannot be linked to each other.
fn hash_voter(key: &[u8; 32], answer_id: AnswerId, voter: u64) -> [u8; 32] {
    let mut input = [0u8; 16];
    input[..8].copy_from_slice(&answer_id.to_le_bytes());
    input[8..].copy_from_slice(&voter.to_le_bytes());
    *blake3::keyed_hash(key, &input).as_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn voter_hash_depends_on_key_answer_and_voter() {
        let a = AnswerId::from_u64(1);
        let base = hash_voter(&[0; 32], a, 42);
        assert_eq!(base, hash_voter(&[0; 32], a, 42));
        assert_ne!(base, hash_voter(&[1; 32], a, 42));
        assert_ne!(base, hash_voter(&[0; 32], AnswerId::from_u64(2), 42));
        assert_ne!(base, hash_voter(&[0; 32], a, 43));
    }

    #[test]
    fn voter_key_from_token_is_not_the_token_and_is_stable() {
        let token = "MTIz.abc.def";
        let key = voter_key_from_token(token);
        assert_eq!(key, voter_key_from_token(token));
        assert_ne!(key, voter_key_from_token("MTIz.abc.deg"));
        assert!(
            !key.windows(3).any(|w| w == b"MTI"),
            "the token shows in the key"
        );
    }

    #[test]
    fn parse_voter_key_table() {
        let table: [(&str, Option<[u8; 32]>); 5] = [
            (&"00".repeat(32), Some([0; 32])),
            (&"ff".repeat(32), Some([0xff; 32])),
            (
                "  0101010101010101010101010101010101010101010101010101010101010101\n",
                Some([1; 32]),
            ),
            (&"0".repeat(63), None),
            (&"zz".repeat(32), None),
        ];
        for (text, want) in table {
            assert_eq!(parse_voter_key(text).ok(), want, "{text:?}");
        }
    }

    #[test]
    fn debug_output_hides_the_voter_key() {
        let mut config = LogConfig::new("x.sqlite3");
        config.voter_key = Some([0xab; 32]);
        let shown = format!("{config:?}");
        assert!(shown.contains("<set>"));
        assert!(!shown.contains("171"), "{shown}");
    }

    #[test]
    fn last_digest_is_kept_across_a_reopen() {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = LogConfig::new(dir.path().join("q.sqlite3"));
        let log = QuestionLog::open(&config).expect("open");
        assert_eq!(log.last_digest().expect("read"), None);
        log.set_last_digest(1_795_392_000).expect("save");
        log.set_last_digest(1_795_996_800).expect("save again");
        assert_eq!(log.last_digest().expect("read"), Some(1_795_996_800));
        log.close().expect("close");
        let log = QuestionLog::open(&config).expect("reopen");
        assert_eq!(log.last_digest().expect("read"), Some(1_795_996_800));
        log.close().expect("close");
    }

    #[test]
    fn disabled_handle_does_nothing_and_never_fails_the_answer_path() {
        let log = QuestionLog::disabled();
        assert!(!log.is_enabled());
        let record = QuestionRecord::now(Origin::Mention, "q", Outcome::NoMatch, None, 0.0);
        let _ = log.log(record);
        assert_eq!(log.dropped_records(), 0);
        assert_eq!(log.failed_writes(), 0);
        assert!(!log.is_open());
        assert!(log.flush().is_ok());
        assert_eq!(log.apply_retention().ok(), Some(0));
        assert!(matches!(
            log.vote(AnswerId::from_u64(1), 1, true),
            Err(StoreError::Disabled)
        ));
        assert!(matches!(log.report(0), Err(StoreError::Disabled)));
        assert!(matches!(log.last_digest(), Err(StoreError::Disabled)));
        assert!(matches!(log.set_last_digest(1), Err(StoreError::Disabled)));
        assert!(log.close().is_ok());
    }
}
