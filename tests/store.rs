//! The question log through its public API, on real files: restarts, an unopenable path, a
//! database locked mid-run or unopenable at start, failed writes, votes and the voter key,
//! retention, what text is kept, and the report's grouping and eval-cases output.

use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::time::Duration;

use faqbot::store::{
    AnswerId, LogConfig, Origin, Outcome, QuestionLog, QuestionRecord, StoreError, VoteOutcome,
};
use rusqlite::Connection;
use tempfile::TempDir;

const DAY: i64 = 86_400;

/// A bound that only a hang would hit: a log call that blocked on the locked database would
/// wait out `SQLite`'s busy timeout per record, 1000 times over.
const HANG_BOUND: Duration = Duration::from_secs(60);

/// A temporary folder holding one question log file.
struct Harness {
    _dir: TempDir,
    path: PathBuf,
}

impl Harness {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("questions.sqlite3");
        Harness { _dir: dir, path }
    }

    fn config(&self) -> LogConfig {
        LogConfig::new(&self.path)
    }

    fn open(&self) -> QuestionLog {
        QuestionLog::open(&self.config()).expect("open question log")
    }

    /// A plain connection of our own for looking at the file.
    fn peek(&self) -> Connection {
        let conn = Connection::open(&self.path).expect("open for peeking");
        conn.busy_timeout(Duration::from_secs(5))
            .expect("busy timeout");
        conn
    }

    fn count(&self, sql: &str) -> i64 {
        self.peek()
            .query_row(sql, [], |r| r.get(0))
            .expect("count query")
    }
}

/// An unanswered question addressed to the bot (its text is kept).
fn unanswered(text: &str) -> QuestionRecord {
    QuestionRecord::now(Origin::Mention, text, Outcome::NoMatch, None, 0.1)
}

fn answered(text: &str, entry: &str) -> QuestionRecord {
    QuestionRecord::now(
        Origin::SlashCommand,
        text,
        Outcome::Answer,
        Some(entry.to_owned()),
        0.9,
    )
}

fn outcome_count(report: &faqbot::store::Report, outcome: Outcome) -> u64 {
    report
        .by_outcome
        .iter()
        .find(|c| c.outcome == outcome)
        .map_or(0, |c| c.count)
}

#[test]
fn log_survives_a_restart() {
    let h = Harness::new();
    let log = h.open();
    log.log(answered("what is OT", "what-is-ot"));
    log.log(answered("what is occupational therapy", "what-is-ot"));
    log.log(answered("what is PT", "what-is-pt"));
    log.log(unanswered("do you take insurance"));
    log.close().expect("close");

    let reopened = h.open();
    let report = reopened.report(0).expect("report");
    assert_eq!(report.total_questions, 4);
    assert_eq!(outcome_count(&report, Outcome::Answer), 3);
    assert_eq!(outcome_count(&report, Outcome::NoMatch), 1);
    let slash = report
        .by_origin
        .iter()
        .find(|c| c.origin == Origin::SlashCommand)
        .map(|c| c.count);
    assert_eq!(slash, Some(3));
    assert_eq!(report.help_channel_silent, 0);
    let top: Vec<(&str, u64)> = report
        .top_entries
        .iter()
        .map(|e| (e.entry_id.as_str(), e.count))
        .collect();
    assert_eq!(top, vec![("what-is-ot", 2), ("what-is-pt", 1)]);
    assert_eq!(report.unanswered.len(), 1);
    assert_eq!(report.unanswered[0].representative, "do you take insurance");
}

#[test]
fn configured_voter_key_survives_a_restart() {
    let h = Harness::new();
    let mut config = h.config();
    config.voter_key = Some(faqbot::store::voter_key_from_token("a token"));
    let log = QuestionLog::open(&config).expect("open");
    let id = log.log(answered("what is OT", "what-is-ot"));
    assert_eq!(log.vote(id, 7, true).expect("vote"), VoteOutcome::Recorded);
    log.close().expect("close");

    // The same key from the configuration, so the same person is recognised after the restart.
    let reopened = QuestionLog::open(&config).expect("reopen");
    assert_eq!(
        reopened.vote(id, 7, true).expect("vote again"),
        VoteOutcome::Unchanged
    );
}

#[test]
fn unwritable_path_fails_open_and_disabled_handle_keeps_answering() {
    // A path below a regular file can never be created, even by root.
    let file = tempfile::NamedTempFile::new().expect("temp file");
    let path = file.path().join("sub").join("db.sqlite3");
    let err = QuestionLog::open(&LogConfig::new(&path)).expect_err("open must fail");
    assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "the error names the path: {err}"
    );

    let log = QuestionLog::disabled();
    let ids: Vec<AnswerId> = (0..1000)
        .map(|i| log.log(unanswered(&format!("question {i}"))))
        .collect();
    assert_eq!(ids.len(), 1000);
    assert_ne!(ids[0], ids[1]);
    assert!(!log.is_enabled());
    assert!(log.flush().is_ok());
}

/// Everything logged in the test binary, once a test has called this (the subscriber is
/// process-wide because the writer logs from its own thread: `captured_logs`).
fn captured_logs() -> &'static Captured {
    static LOGS: OnceLock<Captured> = OnceLock::new();
    LOGS.get_or_init(|| Captured(crate::captured_logs::text()))
}

struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log buffer")).into_owned()
    }
}

#[test]
fn locked_database_holds_records_up_to_the_bound_and_never_blocks_log() {
    let logs = captured_logs();
    let h = Harness::new();
    let capacity = 8;
    let mut config = h.config();
    config.queue_capacity = capacity;
    let log = QuestionLog::open(&config).expect("open");
    log.log(unanswered("before the lock"));
    log.flush().expect("flush before the lock");

    // Another connection takes the write lock and keeps it.
    let locker = h.peek();
    locker
        .execute_batch("BEGIN EXCLUSIVE")
        .expect("take the lock");

    // One record: the writer meets the lock and holds the record.
    log.log(unanswered("first while locked"));
    assert!(
        matches!(log.flush(), Err(StoreError::Busy { waiting: 1 })),
        "flush says the record waits"
    );

    // Log from another thread so that a blocking log() fails the test instead of hanging it.
    let (done, finished) = mpsc::channel();
    let logger = log.clone();
    std::thread::spawn(move || {
        for i in 0..1000 {
            logger.log(unanswered(&format!("while locked {i}")));
        }
        let _ = done.send(());
    });
    finished
        .recv_timeout(HANG_BOUND)
        .expect("1000 log() calls returned while the database was locked");

    // The writer holds at most `capacity` records and the queue `capacity` more (and one in
    // hand); the rest were dropped. A blocking log() would give 0.
    let dropped = log.dropped_records();
    let most_kept = 2 * capacity as u64 + 1;
    assert!(
        dropped >= 1000 - most_kept,
        "dropped only {dropped} of 1000"
    );
    assert!(dropped <= 1000);

    // Release the lock: everything held is written.
    locker.execute_batch("ROLLBACK").expect("release the lock");
    log.flush().expect("flush after the lock");
    for i in 0..5 {
        log.log(unanswered(&format!("after the lock {i}")));
    }
    log.flush().expect("flush new records");
    assert_eq!(
        h.count("SELECT count(*) FROM questions WHERE question = 'first while locked'"),
        1,
        "the record that met the lock was held and written"
    );
    let after = h.count("SELECT count(*) FROM questions WHERE question LIKE 'after the lock%'");
    assert_eq!(after, 5);
    // The writer may have dropped a few more after the count above (while still locked).
    let dropped = log.dropped_records();
    let total = h.count("SELECT count(*) FROM questions");
    let expected = 1 + 1 + 5 + (1000 - i64::try_from(dropped).unwrap_or(0));
    assert_eq!(total, expected, "every record not dropped is written");

    // The drops are in the report, saved in the file.
    let report = log.report(0).expect("report");
    assert_eq!(report.dropped_records, dropped);
    assert_eq!(report.failed_writes, 0);
    log.close().expect("close");
    let saved = faqbot::store::report_from_file(&h.path, 0).expect("report from the file");
    assert_eq!(saved.dropped_records, dropped);

    // Both were warned about, and no question text went into the logs.
    let text = logs.text();
    assert!(text.contains("database is busy"), "{text}");
    assert!(
        text.contains("record dropped because the queue is full"),
        "{text}"
    );
    for asked in [
        "before the lock",
        "first while locked",
        "while locked 1",
        "after the lock",
    ] {
        assert!(
            !text.contains(asked),
            "question text {asked:?} in the logs: {text}"
        );
    }
}

#[test]
fn stopped_writer_drops_records_without_blocking() {
    let h = Harness::new();
    let log = h.open();
    let other = log.clone();
    log.close().expect("close");
    other.log(unanswered("after close"));
    assert_eq!(other.dropped_records(), 1);
    assert!(matches!(
        other.vote(AnswerId::from_u64(1), 1, true),
        Err(StoreError::WriterGone)
    ));
}

#[test]
fn a_vote_is_stored_once_per_person() {
    let h = Harness::new();
    let log = h.open();
    let id = log.log(answered("what is OT", "what-is-ot"));
    let votes = || h.count("SELECT count(*) FROM votes");

    assert_eq!(log.vote(id, 1, true).expect("vote"), VoteOutcome::Recorded);
    assert_eq!(votes(), 1);
    assert_eq!(log.vote(id, 1, true).expect("vote"), VoteOutcome::Unchanged);
    assert_eq!(votes(), 1, "same voter twice is one row");
    assert_eq!(log.vote(id, 2, true).expect("vote"), VoteOutcome::Recorded);
    assert_eq!(votes(), 2, "two voters are two rows");
    assert_eq!(log.vote(id, 1, false).expect("vote"), VoteOutcome::Changed);
    assert_eq!(votes(), 2, "switching keeps one row per voter");
    assert_eq!(
        h.count("SELECT count(*) FROM votes WHERE helpful = 0"),
        1,
        "the switch is stored"
    );

    // Who voted is not stored: the voter column is a 32-byte hash, not the id.
    let voter_keys: Vec<Vec<u8>> = h
        .peek()
        .prepare("SELECT voter_key FROM votes")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    for key in &voter_keys {
        assert_eq!(key.len(), 32);
        assert_ne!(&key[..8], &1u64.to_le_bytes());
        assert_ne!(&key[..8], &2u64.to_le_bytes());
    }

    // A vote for an answer with no log row is kept and reported apart.
    let unknown = AnswerId::from_u64(42);
    assert_eq!(
        log.vote(unknown, 1, false).expect("vote"),
        VoteOutcome::Recorded
    );

    let report = log.report(0).expect("report");
    assert_eq!(report.votes_without_question, 1);
    assert_eq!(report.most_not_helpful.len(), 1);
    let entry = &report.most_not_helpful[0];
    assert_eq!(
        (entry.entry_id.as_str(), entry.not_helpful, entry.helpful),
        ("what-is-ot", 1, 1)
    );
    assert_eq!(report.not_helpful_answers.len(), 1);
    assert_eq!(report.not_helpful_answers[0].representative, "what is OT");
    assert_eq!(report.not_helpful_answers[0].entry_ids, vec!["what-is-ot"]);
}

#[test]
fn configured_voter_key_is_used_and_not_stored() {
    let h = Harness::new();
    let mut config = h.config();
    config.voter_key = Some([5; 32]);
    let log = QuestionLog::open(&config).expect("open");
    let id = log.log(answered("what is OT", "what-is-ot"));
    log.vote(id, 9, true).expect("vote");
    log.close().expect("close");
    assert_eq!(h.count("SELECT count(*) FROM meta"), 0);

    // Another key does not recognise the voter: the key is what links votes to people.
    config.voter_key = Some([6; 32]);
    let other = QuestionLog::open(&config).expect("reopen");
    assert_eq!(
        other.vote(id, 9, true).expect("vote"),
        VoteOutcome::Recorded
    );
}

#[test]
fn retention_deletes_old_rows_on_demand_and_at_open() {
    let h = Harness::new();
    let mut config = h.config();
    config.retention_days = Some(30);
    let log = QuestionLog::open(&config).expect("open");
    let mut old = unanswered("asked long ago");
    old.at_unix -= 40 * DAY;
    log.log(old.clone());
    log.log(unanswered("asked today"));
    log.flush().expect("flush");
    assert_eq!(log.report(0).expect("report").total_questions, 2);

    assert_eq!(log.apply_retention().expect("retention"), 1);
    let report = log.report(0).expect("report");
    assert_eq!(report.total_questions, 1);
    assert_eq!(report.unanswered[0].representative, "asked today");

    // At open: write an old row with retention off, reopen with it on.
    log.close().expect("close");
    config.retention_days = None;
    let keep_all = QuestionLog::open(&config).expect("open keeping all");
    keep_all.log(old);
    keep_all.close().expect("close");
    assert_eq!(h.count("SELECT count(*) FROM questions"), 2);
    config.retention_days = Some(30);
    let _pruned = QuestionLog::open(&config).expect("reopen");
    assert_eq!(h.count("SELECT count(*) FROM questions"), 1);
}

#[test]
fn question_text_off_stores_null() {
    let h = Harness::new();
    let mut config = h.config();
    config.log_question_text = false;
    let secret = "my daughter Zoe-Marie cannot hold a spoon";
    let log = QuestionLog::open(&config).expect("open");
    log.log(unanswered(secret));
    log.flush().expect("flush");
    assert_eq!(
        h.count("SELECT count(*) FROM questions WHERE question IS NULL"),
        1
    );

    let report = log.report(0).expect("report");
    assert!(!report.question_text_logged);
    assert!(report.unanswered.is_empty());
    assert_eq!(report.unanswered_not_listed, 1);
    let text = report.to_string();
    assert!(text.contains("Question text logging is off"), "{text}");
    let cases = report.unanswered_as_cases();
    assert!(cases.contains("logging is off"), "{cases}");
    log.close().expect("close");

    // The words are nowhere in the files (database, WAL) either.
    for entry in std::fs::read_dir(h.path.parent().unwrap_or(Path::new("."))).expect("dir") {
        let bytes = std::fs::read(entry.expect("entry").path()).expect("read");
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "question text found on disk"
        );
    }
}

fn log_cost_questions(log: &QuestionLog) {
    log.log(unanswered("how much does OT cost"));
    log.log(unanswered("do you take insurance"));
    log.log(unanswered("How much does OT cost??"));
    log.log(answered("what is OT", "what-is-ot"));
    log.log(unanswered("how much does ot costs"));
    log.flush().expect("flush");
}

#[test]
fn report_groups_near_identical_unanswered_questions() {
    let h = Harness::new();
    let log = h.open();
    log_cost_questions(&log);
    let report = log.report(0).expect("report");

    assert_eq!(report.unanswered.len(), 2);
    let cost = &report.unanswered[0];
    assert_eq!(cost.count, 3);
    assert_eq!(cost.representative, "how much does OT cost");
    assert_eq!(cost.examples, vec!["how much does ot costs"]);
    let insurance = &report.unanswered[1];
    assert_eq!(insurance.count, 1);
    assert_eq!(insurance.representative, "do you take insurance");
    assert_eq!(report.unanswered_not_listed, 0);

    let text = report.to_string();
    assert!(text.contains("3× how much does OT cost"), "{text}");
    assert!(text.lines().all(|l| l.chars().count() <= 100), "{text}");

    let json = serde_json::to_value(&report).expect("report as JSON");
    assert_eq!(json["unanswered"][0]["count"], 3);
    assert_eq!(json["by_outcome"][2]["outcome"], "no_match");
}

#[test]
fn report_window_excludes_older_questions() {
    let h = Harness::new();
    let log = h.open();
    let today = unanswered("asked today");
    let mut last_month = unanswered("asked last month");
    last_month.at_unix = today.at_unix - 20 * DAY;
    let week_ago = today.at_unix - 7 * DAY;
    log.log(last_month);
    log.log(today);
    log.flush().expect("flush");
    let report = log.report(week_ago).expect("report");
    assert_eq!(report.total_questions, 1);
    assert_eq!(report.unanswered[0].representative, "asked today");
}

#[derive(serde::Deserialize)]
struct CasesFile {
    case: Vec<Case>,
}

#[derive(serde::Deserialize)]
struct Case {
    question: String,
    expect: Vec<String>,
}

#[test]
fn unanswered_as_cases_parses_as_toml_with_one_case_per_group() {
    let h = Harness::new();
    let log = h.open();
    log_cost_questions(&log);
    log.log(unanswered(
        "is \"sensory diet\" a real\tthing?\nasking for my son",
    ));
    log.flush().expect("flush");
    let report = log.report(0).expect("report");

    let cases = report.unanswered_as_cases();
    let parsed: CasesFile = toml::from_str(&cases).expect("cases parse as TOML");
    assert_eq!(parsed.case.len(), 3, "{cases}");
    assert_eq!(parsed.case[0].question, "how much does OT cost");
    assert!(parsed.case.iter().all(|c| c.expect.is_empty()));
    assert!(parsed
        .case
        .iter()
        // Stored with line breaks and tabs as spaces (see `redact`); the quotes survive.
        .any(|c| c.question == "is \"sensory diet\" a real thing? asking for my son"));
    assert!(cases.starts_with('#'), "header comment: {cases}");
    assert!(
        cases.contains("# asked 3 times; fill in the right FAQ id(s) in expect"),
        "{cases}"
    );
}

// ----- regression tests of issue 9 ------------------------------------------------------------

/// Every file of the log (database, WAL, shared memory) as bytes, to search for what must not
/// be on disk.
fn files_contain(h: &Harness, needle: &[u8]) -> bool {
    let dir = h.path.parent().unwrap_or(Path::new("."));
    std::fs::read_dir(dir).expect("dir").any(|entry| {
        let bytes = std::fs::read(entry.expect("entry").path()).unwrap_or_default();
        bytes.windows(needle.len()).any(|w| w == needle)
    })
}

fn stored_texts(h: &Harness) -> Vec<String> {
    h.peek()
        .prepare("SELECT question FROM questions WHERE question IS NOT NULL ORDER BY seq")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

#[test]
fn question_log_keeps_no_text_of_help_channel_chat_it_stayed_silent_on() {
    let h = Harness::new();
    let log = h.open();
    let chat = "lol my son Theo threw his spoon again, see you at pickup Maria";
    log.log(QuestionRecord::now(
        Origin::HelpChannel,
        chat,
        Outcome::NoMatch,
        None,
        0.05,
    ));
    log.close().expect("close");
    assert_eq!(stored_texts(&h), Vec::<String>::new());
    assert!(!files_contain(&h, chat.as_bytes()), "the chat is on disk");
    // Counted, so moderators see how much went by unanswered, without the words.
    let report = h.open().report(0).expect("report");
    assert_eq!(report.total_questions, 1);
    assert!(report.unanswered.is_empty());
}

#[test]
fn question_log_keeps_answered_text_only_when_voted_not_helpful() {
    let h = Harness::new();
    let log = h.open();
    let kept = "what is sensory processing for my twins";
    let dropped = "what is occupational therapy for my daughter Ava";
    let voted = log.log(answered(kept, "sensory"));
    let _liked = log.log(answered(dropped, "what-is-ot"));
    log.flush().expect("flush");
    assert_eq!(
        log.vote(voted, 1, false).expect("vote"),
        VoteOutcome::Recorded
    );
    log.close().expect("close");
    assert_eq!(stored_texts(&h), vec![kept.to_owned()]);
    assert!(
        !files_contain(&h, dropped.as_bytes()),
        "answered text on disk"
    );
    let report = h.open().report(0).expect("report");
    assert_eq!(report.not_helpful_answers.len(), 1);
    assert_eq!(report.not_helpful_answers[0].representative, kept);
}

#[test]
fn question_log_masks_mentions_emails_and_phones_and_caps_the_text() {
    let h = Harness::new();
    let log = h.open();
    let asked = format!(
        "<@123456789012345678> and <@!42> my son (mail jane.doe+ot@example.org or call \
         +1 (555) 010-4477 / 0170 1234567) cannot tie his shoes {}",
        "why ".repeat(1000)
    );
    log.log(QuestionRecord::now(
        Origin::Mention,
        asked,
        Outcome::NoMatch,
        None,
        0.1,
    ));
    log.close().expect("close");
    let texts = stored_texts(&h);
    assert_eq!(
        texts.len(),
        1,
        "an unanswered question addressed to the bot keeps its text"
    );
    let text = &texts[0];
    for private in [
        "123456789012345678",
        "<@!42>",
        "jane.doe",
        "example.org",
        "555",
        "4477",
        "1234567",
    ] {
        assert!(!text.contains(private), "{private:?} kept in {text:?}");
    }
    assert!(text.contains("cannot tie his shoes"), "{text}");
    assert!(
        text.chars().count() <= 500,
        "{} chars kept",
        text.chars().count()
    );
}

#[test]
fn voter_key_is_not_stored_in_the_database() {
    let h = Harness::new();
    let log = h.open();
    let id = log.log(answered("what is OT", "what-is-ot"));
    log.vote(id, 7, true).expect("vote");
    log.close().expect("close");
    assert_eq!(
        h.count("SELECT count(*) FROM meta WHERE key = 'voter_key'"),
        0,
        "the key that links votes to people is in the file"
    );
}

/// Writes a question log as faqbot before schema 2 left it, with `key` in `meta`.
fn schema_1_file(h: &Harness, key: &[u8; 32]) {
    let conn = h.peek();
    conn.execute_batch(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
         CREATE TABLE questions (seq INTEGER PRIMARY KEY, answer_id INTEGER NOT NULL UNIQUE,
             at_unix INTEGER NOT NULL, origin TEXT NOT NULL, question TEXT,
             outcome TEXT NOT NULL, entry_id TEXT, score REAL);
         CREATE INDEX questions_by_time ON questions (at_unix);
         CREATE TABLE votes (answer_id INTEGER NOT NULL, voter_key BLOB NOT NULL,
             helpful INTEGER NOT NULL CHECK (helpful IN (0, 1)), at_unix INTEGER NOT NULL,
             PRIMARY KEY (answer_id, voter_key)) WITHOUT ROWID;
         CREATE INDEX votes_by_time ON votes (at_unix);
         INSERT INTO questions (answer_id, at_unix, origin, question, outcome)
             VALUES (1, unixepoch(), 'mention', 'how much does OT cost', 'no_match');
         PRAGMA user_version = 1;",
    )
    .expect("old schema");
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('voter_key', ?1)",
        [key.as_slice()],
    )
    .expect("old key");
}

#[test]
fn report_from_file_reads_an_old_schema_without_changing_it() {
    let h = Harness::new();
    schema_1_file(&h, &[1; 32]);
    let before = std::fs::read(&h.path).expect("read");
    let report = faqbot::store::report_from_file(&h.path, 0).expect("report");
    assert_eq!(report.total_questions, 1);
    assert_eq!(report.unanswered[0].representative, "how much does OT cost");
    assert_eq!((report.dropped_records, report.failed_writes), (0, 0));
    assert!(
        std::fs::read(&h.path).expect("read") == before,
        "the report changed the file"
    );
}

#[test]
fn stored_voter_key_is_dropped_from_an_existing_database() {
    let h = Harness::new();
    // A file as faqbot left it before: schema version 1 with a generated key in `meta`.
    let key = [0x5au8; 32];
    schema_1_file(&h, &key);
    // ... and the text of help-channel chat, which the log no longer keeps.
    let chat = "see you at pickup, Maria, Theo has his inhaler";
    h.peek()
        .execute(
            "INSERT INTO questions (answer_id, at_unix, origin, question, outcome)
             VALUES (2, unixepoch(), 'help_channel', ?1, 'no_match')",
            [chat],
        )
        .expect("old chat row");
    assert!(files_contain(&h, &key) && files_contain(&h, chat.as_bytes()));
    let log = h.open();
    log.close().expect("close");
    assert_eq!(h.count("SELECT count(*) FROM meta"), 0);
    assert!(
        !files_contain(&h, &key),
        "the old key's bytes are still in the files"
    );
    assert!(
        !files_contain(&h, chat.as_bytes()),
        "the old chat text is still in the files"
    );
    assert_eq!(
        h.count("SELECT count(*) FROM questions WHERE question = 'how much does OT cost'"),
        1,
        "an unanswered question asked of the bot keeps its text"
    );
}

#[test]
fn short_exclusive_lock_loses_no_records() {
    let h = Harness::new();
    let log = h.open();
    log.log(unanswered("before the lock"));
    log.flush().expect("flush");

    let (lock_taken, is_locked) = mpsc::channel();
    let path = h.path.clone();
    let locker = std::thread::spawn(move || {
        let conn = Connection::open(path).expect("open");
        conn.execute_batch("BEGIN EXCLUSIVE")
            .expect("take the lock");
        let _ = lock_taken.send(());
        std::thread::sleep(Duration::from_millis(1500));
        conn.execute_batch("ROLLBACK").expect("release the lock");
    });
    is_locked.recv().expect("locked");
    let n = 200;
    for i in 0..n {
        log.log(QuestionRecord::now(
            Origin::Mention,
            format!("while locked {i}"),
            Outcome::NoMatch,
            None,
            0.1,
        ));
    }
    locker.join().expect("locker");
    // The lock is gone; whatever the writer still holds goes in now.
    let _ = log.flush();
    log.close().expect("close");
    assert_eq!(
        h.count("SELECT count(*) FROM questions WHERE question LIKE 'while locked %'"),
        n
    );
}

#[test]
fn database_unavailable_at_start_is_opened_later_and_keeps_what_was_asked() {
    let logs = captured_logs();
    let dir = tempfile::tempdir().expect("temp dir");
    // The folder is not there yet (a mount that comes late, a volume being restored).
    let folder = dir.path().join("not-yet");
    let path = folder.join("questions.sqlite3");
    assert!(matches!(
        QuestionLog::open(&LogConfig::new(&path)),
        Err(StoreError::Open { .. })
    ));
    let log = QuestionLog::open_retrying(&LogConfig::new(&path)).expect("a handle anyway");
    assert!(log.is_enabled() && !log.is_open());
    for i in 0..5 {
        log.log(unanswered(&format!("asked while away {i}")));
    }
    assert!(
        matches!(log.flush(), Err(StoreError::NotOpen { waiting: 5 })),
        "the records wait"
    );
    assert!(matches!(log.report(0), Err(StoreError::NotOpen { .. })));

    std::fs::create_dir(&folder).expect("the folder arrives");
    let deadline = std::time::Instant::now() + HANG_BOUND;
    while !log.is_open() {
        assert!(std::time::Instant::now() < deadline, "the log never opened");
        std::thread::sleep(Duration::from_millis(50));
    }
    log.flush().expect("flush once open");
    let report = log.report(0).expect("report");
    assert_eq!(
        report.total_questions, 5,
        "nothing asked while away is lost"
    );
    let text = logs.text();
    assert!(text.contains("cannot open the database"), "{text}");
    assert!(text.contains("question log open again"), "{text}");
    log.close().expect("close");
}

#[test]
fn failed_writes_are_counted_and_shown_in_the_report() {
    let h = Harness::new();
    let log = h.open();
    log.log(unanswered("fine"));
    log.flush().expect("flush");
    // A write that fails for good (not a lock): a trigger refuses some rows.
    h.peek()
        .execute_batch(
            "CREATE TRIGGER refuse BEFORE INSERT ON questions WHEN NEW.question LIKE 'refused%'
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;",
        )
        .expect("trigger");
    for i in 0..3 {
        log.log(unanswered(&format!("refused {i}")));
    }
    log.log(unanswered("accepted"));
    log.flush().expect("flush");
    assert_eq!(log.failed_writes(), 3);
    assert_eq!(
        h.count("SELECT count(*) FROM questions WHERE question = 'accepted'"),
        1,
        "one bad record does not take the others with it"
    );
    let report = log.report(0).expect("report");
    assert_eq!(report.failed_writes, 3);
    assert!(report.to_string().contains("3 writes failed"), "{report}");
    log.close().expect("close");
    let saved = faqbot::store::report_from_file(&h.path, 0).expect("report from the file");
    assert_eq!(
        saved.failed_writes, 3,
        "saved in the file for `faqbot report`"
    );
}
