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
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no/such/dir (given with --faq) does not exist"),
        "{err}"
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
    // The legend explains `balanced`, the header follows, the threshold in use is marked.
    assert!(text.starts_with("balanced = "), "{text}");
    assert!(
        text.lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("threshold")),
        "{text}"
    );
    assert!(text.lines().any(|l| l.starts_with('*')), "{text}");
    assert!(text.lines().count() > 10, "{text}");
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

#[test]
fn report_png_writes_the_chart_and_says_clearly_when_it_cannot() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = written_log(dir.path());
    let db = db.to_str().expect("utf-8");
    let png = dir.path().join("week.png");
    let out = faqbot(&["report", "--db", db, "--png", png.to_str().expect("utf-8")]);
    assert!(out.status.success(), "{out:?}");
    let bytes = std::fs::read(&png).expect("the chart is written");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert_eq!(
        faqbot::chart::png_size(&bytes),
        Some((faqbot::chart::WIDTH, faqbot::chart::HEIGHT))
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("wrote the chart of 8 day(s)"), "{err}");
    // The text report still goes to stdout, with the days.
    assert!(stdout(&out).contains("Per day (UTC)"), "{out:?}");

    let nowhere = dir.path().join("no-such-dir").join("week.png");
    let out = faqbot(&[
        "report",
        "--db",
        db,
        "--png",
        nowhere.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot write the chart to"), "{err}");
    assert!(err.contains("no-such-dir"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
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

/// `faqbot` with `input` on standard input, run in `dir`, without any clinic, FAQ or log
/// settings of the developer's environment.
fn faqbot_in(dir: &Path, args: &[&str], input: &[u8], env: &[(&str, &str)]) -> Output {
    use std::io::Write as _;
    let mut command = Command::new(env!("CARGO_BIN_EXE_faqbot"));
    command
        .args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for name in [
        "CLINIC_NAME",
        "APPOINTMENT_URL",
        "APPOINTMENT_PHONE",
        "FAQ_DIR",
        "MATCH_THRESHOLD",
        "DISCORD_TOKEN",
        "QUESTION_LOG_PATH",
    ] {
        command.env_remove(name);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().expect("faqbot starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write stdin");
    child.wait_with_output().expect("faqbot runs")
}

const CLINIC: [(&str, &str); 3] = [
    ("CLINIC_NAME", "Test Clinic"),
    ("APPOINTMENT_URL", "https://clinic.test/book"),
    ("APPOINTMENT_PHONE", "555-0199"),
];

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A copy of `tests/fixtures/faq-small` to break in a test.
fn small_faq_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for name in ["hands.md", "walking.md", "synonyms.toml"] {
        std::fs::copy(
            repo().join("tests/fixtures/faq-small").join(name),
            dir.path().join(name),
        )
        .expect("copy fixture");
    }
    dir
}

fn check_dir(dir: &Path, extra: &[&str]) -> (Option<i32>, String) {
    let faq = dir.to_str().expect("utf-8 path");
    let mut args = vec!["check", "--faq", faq];
    args.extend_from_slice(extra);
    let out = faqbot_in(repo(), &args, b"", &CLINIC);
    (out.status.code(), stdout(&out))
}

#[test]
fn chat_skips_a_line_that_is_not_utf8_and_answers_the_lines_after_it() {
    let input =
        b"what is occupational therapy\n\xff\xfe broken\ndoes my child need physical therapy\n";
    let out = faqbot_in(repo(), &["chat", "--json"], input, &CLINIC);
    assert!(out.status.success(), "{out:?}");
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 2, "{}", stdout(&out));
    assert_eq!(lines[1]["question"], "does my child need physical therapy");
    assert!(
        stderr(&out).contains("line 2 skipped: it is not UTF-8"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn chat_json_is_one_object_per_line_carrying_its_question() {
    let out = faqbot_in(
        repo(),
        &["chat", "--json"],
        b"what is occupational therapy\n\ndo you take insurance\n",
        &CLINIC,
    );
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    let first: serde_json::Value = serde_json::from_str(lines[0]).expect("json line");
    assert_eq!(first["question"], "what is occupational therapy");
    assert_eq!(first["outcome"], "answer");
    let second: serde_json::Value = serde_json::from_str(lines[1]).expect("json line");
    assert_eq!(second["outcome"], "no_match");
}

#[test]
fn chat_with_piped_input_echoes_each_question_before_its_reply() {
    let out = faqbot_in(
        repo(),
        &["chat"],
        b"what is occupational therapy\ndo you take insurance\n",
        &CLINIC,
    );
    let text = stdout(&out);
    let first = text
        .find("> what is occupational therapy")
        .expect("first echoed");
    let second = text.find("> do you take insurance").expect("second echoed");
    let between = &text[first..second];
    assert!(between.contains("Book an appointment"), "{text}");
    assert!(text[second..].contains("I don't have an answer"), "{text}");
}

#[test]
fn ask_takes_unquoted_words_as_the_question() {
    let out = faqbot_in(
        repo(),
        &["ask", "--json", "what", "is", "occupational", "therapy"],
        b"",
        &CLINIC,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["id"], "what-is-ot", "{json:#}");
}

#[test]
fn ask_piped_prints_plain_text_without_markdown_marks() {
    let out = faqbot(&["ask", "what is occupational therapy"]);
    let text = stdout(&out);
    assert!(!text.contains("**"), "{text}");
    assert!(text.contains("occupational therapy"), "{text}");
    // --json keeps the reply exactly as the bot sends it, Markdown included.
    let out = faqbot(&["ask", "--json", "what is occupational therapy"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(
        json["reply"].as_str().is_some_and(|r| r.contains("**")),
        "{json:#}"
    );
}

#[test]
fn errors_say_each_cause_once_and_name_the_directory() {
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let faq = elsewhere.path().join("clinic-faq");
    std::fs::create_dir(&faq).expect("mkdir");
    for name in ["hands.md", "walking.md", "synonyms.toml"] {
        std::fs::copy(
            repo().join("tests/fixtures/faq-small").join(name),
            faq.join(name),
        )
        .expect("copy fixture");
    }
    let out = faqbot_in(
        elsewhere.path(),
        &["ask", "--faq", faq.to_str().expect("utf-8"), "what is ot"],
        b"",
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(!err.contains("path not found: path not found"), "{err}");
    assert!(
        err.contains("CLINIC_NAME, APPOINTMENT_URL, APPOINTMENT_PHONE are not set")
            && err.contains(&elsewhere.path().display().to_string()),
        "{err}"
    );

    let out = faqbot_in(elsewhere.path(), &["ask", "what is ot"], b"", &CLINIC);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(&elsewhere.path().join("faq").display().to_string())
            && err.contains("--faq DIR or set FAQ_DIR"),
        "{err}"
    );

    // A cause that a library already puts in its own message is not repeated after it.
    let cases = elsewhere.path().join("bad-cases.toml");
    std::fs::write(&cases, "[[case]]\nquestion = \"x\nexpect = []\n").expect("write");
    let out = faqbot_in(
        repo(),
        &["eval", cases.to_str().expect("utf-8")],
        b"",
        &CLINIC,
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.matches("invalid basic string").count(), 1, "{err}");
}

#[test]
fn ask_without_env_finds_the_example_clinic_beside_the_faq() {
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let faq = repo().join("faq");
    let out = faqbot_in(
        elsewhere.path(),
        &["ask", "--faq", faq.to_str().expect("utf-8"), "what is ot"],
        b"",
        &[],
    );
    // The repository has .env.example beside faq/: a run from elsewhere still answers, and
    // says which file the clinic details came from.
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&repo().join(".env.example").display().to_string()),
        "{}",
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("Example Pediatric Therapy"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn run_lists_every_missing_variable_in_one_message() {
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let faq = repo().join("faq");
    let out = faqbot_in(
        elsewhere.path(),
        &["run", "--faq", faq.to_str().expect("utf-8")],
        b"",
        &[("CLINIC_NAME", "Test Clinic")],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("DISCORD_TOKEN is not set, nor APPOINTMENT_URL, APPOINTMENT_PHONE"),
        "{err}"
    );
}

#[test]
fn appointment_url_with_http_is_refused_as_the_message_says() {
    let out = faqbot_in(
        repo(),
        &["ask", "what is ot"],
        b"",
        &[
            ("CLINIC_NAME", "Test Clinic"),
            ("APPOINTMENT_URL", "http://clinic.test/book"),
            ("APPOINTMENT_PHONE", "555-0199"),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("starting with https://"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn check_reports_a_file_manager_copy_once_on_the_copy() {
    let dir = small_faq_copy();
    std::fs::copy(
        dir.path().join("hands.md"),
        dir.path().join("hands copy.md"),
    )
    .expect("copy");
    let (code, text) = check_dir(dir.path(), &[]);
    assert_eq!(code, Some(1));
    let errors: Vec<&str> = text.lines().filter(|l| l.contains(": error: ")).collect();
    assert_eq!(errors.len(), 1, "{text}");
    assert!(
        errors[0].starts_with("hands copy.md:1: error:") && errors[0].contains("repeats hands.md"),
        "{text}"
    );
}

#[test]
fn check_warns_when_the_synonyms_file_is_missing() {
    let dir = small_faq_copy();
    std::fs::remove_file(dir.path().join("synonyms.toml")).expect("remove");
    let (code, text) = check_dir(dir.path(), &[]);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("synonyms.toml:1: warning: no synonyms file"),
        "{text}"
    );
}

#[test]
fn check_shows_a_quality_line_from_the_faq_folders_cases_file() {
    let dir = small_faq_copy();
    std::fs::copy(
        repo().join("tests/fixtures/cases-small.toml"),
        dir.path().join("cases.toml"),
    )
    .expect("copy cases");
    let (_, text) = check_dir(dir.path(), &[]);
    let line = text
        .lines()
        .find(|l| l.starts_with("quality on "))
        .unwrap_or_else(|| panic!("no quality line in:\n{text}"));
    assert!(
        line.contains("(4 cases): in-scope accuracy 100.0%"),
        "{line}"
    );
}

#[test]
fn check_names_a_duplicate_synonyms_key_and_its_first_line() {
    let dir = small_faq_copy();
    std::fs::write(
        dir.path().join("synonyms.toml"),
        "[synonyms]\n\"child\" = [\"kiddo\"]\n\"walk\" = [\"toddle\"]\n\"child\" = [\"kid\"]\n",
    )
    .expect("write");
    let (code, text) = check_dir(dir.path(), &[]);
    assert_eq!(code, Some(1));
    assert!(
        text.contains(
            "synonyms.toml:4: error: bad synonyms file: duplicate key \"child\" (first on line 2)"
        ),
        "{text}"
    );
}

#[test]
fn check_suggests_the_closest_id_for_an_unknown_related_entry() {
    let dir = small_faq_copy();
    let hands = std::fs::read_to_string(dir.path().join("hands.md")).expect("read");
    std::fs::write(
        dir.path().join("hands.md"),
        hands.replace("related = [\"walking\"]", "related = [\"walkin\"]"),
    )
    .expect("write");
    let (_, text) = check_dir(dir.path(), &[]);
    assert!(
        text.contains("related entry 'walkin' does not exist (hint: did you mean walking?"),
        "{text}"
    );
}

#[test]
fn check_warns_below_eight_questions_as_the_readme_says() {
    let dir = small_faq_copy();
    let hands = std::fs::read_to_string(dir.path().join("hands.md")).expect("read");
    std::fs::write(
        dir.path().join("hands.md"),
        hands.replace("  \"help with handwriting grip\",\n", ""),
    )
    .expect("write");
    let (_, text) = check_dir(dir.path(), &[]);
    assert!(
        text.contains("hands.md:3: warning: only 7 questions"),
        "{text}"
    );
    let (_, text) = check_dir(small_faq_copy().path(), &[]);
    assert!(!text.contains("only 8 questions"), "{text}");
    let readme = std::fs::read_to_string(repo().join("faq/README.md")).expect("faq/README.md");
    assert!(readme.contains("at least 8"), "the rule in faq/README.md");
}

#[test]
fn check_says_files_in_subfolders_are_not_loaded() {
    let dir = small_faq_copy();
    std::fs::create_dir(dir.path().join("drafts")).expect("mkdir");
    std::fs::write(dir.path().join("drafts/x.md"), "draft").expect("write");
    let (code, text) = check_dir(dir.path(), &[]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("1 file in drafts/ not loaded"), "{text}");
}

#[test]
fn check_verbose_lists_the_sources_with_entry_counts() {
    let (code, text) = check_dir(&repo().join("tests/fixtures/faq-small"), &["--verbose"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("sources in use"), "{text}");
    assert!(text.contains("Test article"), "{text}");
}

#[test]
fn check_points_at_the_line_of_an_unclosed_quote() {
    let dir = small_faq_copy();
    std::fs::write(
        dir.path().join("hands.md"),
        "+++\ntitle = \"Hand skills\"\nquestions = [\n  \"trouble holding a pencil\",\n  \"fine motor skills,\n  \"weak grip\",\n]\n+++\nA short answer.\n",
    )
    .expect("write");
    let (_, text) = check_dir(dir.path(), &[]);
    let line = text
        .lines()
        .find(|l| l.starts_with("hands.md:"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        line.starts_with("hands.md:5: error: bad front matter") && line.contains("unclosed"),
        "{text}"
    );
}

#[test]
fn chat_log_writes_the_question_log_that_report_reads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("log.sqlite3");
    let db = db.to_str().expect("utf-8");
    let out = faqbot_in(
        repo(),
        &["chat", "--log", "--db", db],
        b"what is occupational therapy\nhow much does a session cost\n",
        &CLINIC,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("logged 2 question(s)"),
        "{}",
        stderr(&out)
    );
    let out = faqbot_in(repo(), &["report", "--db", db, "--json"], b"", &CLINIC);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = stdout(&out);
    assert!(report.contains("what-is-ot"), "{report}");
    assert!(report.contains("how much does a session cost"), "{report}");
}
