//! The `faqbot` command as a newcomer or a moderator runs it: ask, check, eval.

use std::path::Path;
use std::process::{Command, Output};

fn faqbot(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_faqbot"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        // The tests set the clinic themselves; a developer's .env must not leak in.
        .env("CLINIC_NAME", "Test Clinic")
        .env("APPOINTMENT_URL", "https://clinic.test/book")
        .env("APPOINTMENT_PHONE", "555-0199")
        .env_remove("FAQ_DIR")
        .env_remove("MATCH_THRESHOLD")
        .output()
        .expect("faqbot runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn ask_answers_with_the_appointment_prompt() {
    let out = faqbot(&["ask", "OT or PT for my 3 year old?"]);
    assert!(out.status.success(), "{out:?}");
    let text = stdout(&out);
    assert!(
        text.contains(
            "Book an appointment with Test Clinic at https://clinic.test/book or call 555-0199"
        ),
        "{text}"
    );
    assert!(text.to_lowercase().contains("occupational"), "{text}");
}

#[test]
fn ask_json_has_the_documented_fields() {
    let out = faqbot(&["ask", "--json", "what is occupational therapy"]);
    assert!(out.status.success(), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["outcome"], "answer");
    assert_eq!(json["id"], "what-is-ot");
    assert!(json["score"].as_f64().is_some_and(|s| s > 0.0 && s <= 1.0));
    assert!(json["candidates"].as_array().is_some_and(|c| !c.is_empty()));
}

#[test]
fn ask_refuses_out_of_scope_kindly() {
    let out = faqbot(&["ask", "--json", "does my insurance cover OT?"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["outcome"], "no_match", "{json:#}");
    let reply = json["reply"].as_str().unwrap_or_default();
    assert!(
        reply.contains("moderator") && reply.contains("555-0199"),
        "{reply}"
    );
}

#[test]
fn ask_explain_shows_candidates_and_matched_words() {
    let out = faqbot(&["ask", "--explain", "what is ocupational therapy"]);
    let text = stdout(&out);
    assert!(text.contains("typo: ocupational -> occupational"), "{text}");
    assert!(
        text.contains("what-is-ot") && text.contains("[matched words]"),
        "{text}"
    );
}

#[test]
fn check_passes_on_the_shipped_faq() {
    let out = faqbot(&["check"]);
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(
        stdout(&out).starts_with("ok: 19 entries"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn check_reports_every_problem_with_file_and_line() {
    let out = faqbot(&["check", "--faq", "tests/fixtures/faq-broken"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    for expected in [
        "bad-toml.md:3: error: bad front matter",
        "good.md:3: error: the question \"a fine question\" is also under dup-question (line 3",
        "dup-question.md:5: error: unknown placeholder {unknown_placeholder}",
        "good.md:4: error: related entry 'missing-entry' does not exist",
        "no-front-matter.md:1: error: missing front matter",
        "no-title.md:2: error: missing title",
        "not-utf8.md:3: error: file is not UTF-8 text",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn ask_on_a_broken_faq_prints_the_errors_and_exits_1() {
    let out = faqbot(&["ask", "--faq", "tests/fixtures/faq-broken", "anything"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("good.md:4: error") && err.contains("faqbot check"),
        "{err}"
    );
}

#[test]
fn check_on_a_missing_directory_says_so() {
    let out = faqbot(&["check", "--faq", "no/such/dir"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot read the FAQ directory no/such/dir")
    );
}

#[test]
fn eval_json_reports_the_figures_and_gates() {
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cases-small.toml");
    let cases = cases.to_str().expect("utf-8 path");
    let out = faqbot(&["eval", "--faq", "tests/fixtures/faq-small", "--json", cases]);
    assert!(out.status.success(), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["cases"], 4);
    assert_eq!(json["in_scope_accuracy"], 1.0);
    assert_eq!(json["out_of_scope_refusal"], 1.0);
    assert_eq!(json["wrong_answer_rate"], 0.0);

    // A bar the figures cannot reach fails the run.
    let out = faqbot(&[
        "eval",
        "--faq",
        "tests/fixtures/faq-small",
        "--min-accuracy",
        "1.01",
        cases,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("below the bar"));
}

#[test]
fn eval_sweep_lists_thresholds() {
    let out = faqbot(&[
        "eval",
        "--faq",
        "tests/fixtures/faq-small",
        "--sweep",
        "tests/fixtures/cases-small.toml",
    ]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.starts_with("threshold") && text.lines().count() > 10,
        "{text}"
    );
}

#[test]
fn eval_rejects_unknown_expected_ids() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = dir.path().join("cases.toml");
    std::fs::write(
        &cases,
        "[[case]]\nquestion = \"x\"\nexpect = [\"no-such-id\"]\n",
    )
    .expect("write");
    let out = faqbot(&[
        "eval",
        "--faq",
        "tests/fixtures/faq-small",
        cases.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("'no-such-id', which is not an FAQ entry")
    );
}

#[test]
fn report_groups_unanswered_questions_and_writes_them_as_cases() {
    use faqbot::store::{LogConfig, Origin, Outcome, QuestionLog, QuestionRecord};
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("log.sqlite3");
    let log = QuestionLog::open(&LogConfig::new(&db)).expect("open");
    for (question, outcome, id) in [
        ("what is OT", Outcome::Answer, Some("what-is-ot")),
        ("how much does OT cost", Outcome::NoMatch, None),
        ("How much does OT cost??", Outcome::NoMatch, None),
        ("do you take insurance", Outcome::NoMatch, None),
    ] {
        log.log(QuestionRecord::now(
            Origin::Mention,
            question,
            outcome,
            id.map(String::from),
            0.5,
        ));
    }
    log.close().expect("close");

    let cases = dir.path().join("unanswered.toml");
    let out = faqbot(&[
        "report",
        "--db",
        db.to_str().expect("utf-8"),
        "--unanswered-as-cases",
        cases.to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "{out:?}");
    let text = stdout(&out);
    assert!(text.contains("how much does OT cost"), "{text}");
    let cases = faqbot::eval::parse_cases(&std::fs::read_to_string(&cases).expect("cases written"))
        .expect("valid cases");
    assert_eq!(cases.len(), 2, "{cases:?}");
    assert!(cases.iter().all(|c| c.expect.is_empty()));

    let out = faqbot(&["report", "--db", "no-such.sqlite3"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn report_since_that_overflows_is_refused_clearly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = written_log(dir.path());
    let db = db.to_str().expect("utf-8");
    // The first is just below u64::MAX seconds, the second just above.
    for since in [
        "30500000000000w",
        "30600000000000w",
        "99999999999999999999d",
    ] {
        let out = faqbot(&["report", "--since", since, "--db", db]);
        assert_eq!(out.status.code(), Some(2), "{since}: {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("too far back"), "{since}: {err}");
        assert!(!err.contains("panicked"), "{since}: {err}");
    }
    let out = faqbot(&["report", "--since", "36600d", "--db", db]);
    assert!(out.status.success(), "100 years is fine: {out:?}");
}

/// A question log with a few questions, closed, in `dir`.
fn written_log(dir: &Path) -> std::path::PathBuf {
    use faqbot::store::{LogConfig, Origin, Outcome, QuestionLog, QuestionRecord};
    let db = dir.join("log.sqlite3");
    let log = QuestionLog::open(&LogConfig::new(&db)).expect("open");
    log.log(QuestionRecord::now(
        Origin::Mention,
        "how much does OT cost",
        Outcome::NoMatch,
        None,
        0.1,
    ));
    log.close().expect("close");
    db
}

/// The folder holds the log file only: a report leaves no `-wal` or `-shm` beside it.
fn assert_nothing_beside(dir: &Path) {
    let files: Vec<_> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(files, vec!["log.sqlite3"], "files written beside the log");
}

fn bytes_and_mtime(path: &Path) -> (Vec<u8>, std::time::SystemTime) {
    let bytes = std::fs::read(path).expect("read");
    let mtime = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .expect("mtime");
    (bytes, mtime)
}

#[test]
fn report_opens_the_database_read_only_and_never_changes_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = written_log(dir.path());
    // A copy in rollback-journal mode, as a backup tool may leave it.
    rusqlite::Connection::open(&db)
        .and_then(|c| c.pragma_update(None, "journal_mode", "DELETE"))
        .expect("journal mode");
    let before = bytes_and_mtime(&db);
    std::thread::sleep(std::time::Duration::from_millis(20));
    let out = faqbot(&["report", "--db", db.to_str().expect("utf-8")]);
    assert!(out.status.success(), "{out:?}");
    assert!(stdout(&out).contains("how much does OT cost"));
    assert!(
        bytes_and_mtime(&db) == before,
        "the report changed the file"
    );
    assert_nothing_beside(dir.path());
}

#[test]
fn report_reads_a_read_only_copy() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = written_log(dir.path());
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    let before = bytes_and_mtime(&db);
    let out = faqbot(&["report", "--db", db.to_str().expect("utf-8")]);
    assert!(out.status.success(), "{out:?}");
    assert!(stdout(&out).contains("how much does OT cost"));
    assert!(
        bytes_and_mtime(&db) == before,
        "the report changed the file"
    );
    assert_nothing_beside(dir.path());
}

#[test]
fn report_on_an_empty_file_says_so_and_leaves_it_empty() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("empty.sqlite3");
    std::fs::write(&db, b"").expect("empty file");
    let out = faqbot(&["report", "--db", db.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("empty"), "{err}");
    assert_eq!(std::fs::metadata(&db).expect("metadata").len(), 0);
}
