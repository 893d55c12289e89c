//! Odd things in the FAQ folder: a FIFO, a socket, a dangling symlink, a symlink loop, a file
//! that cannot be read. One that is not an entry (`notes.txt`) is never opened: it can neither
//! hang `faqbot check` nor refuse the FAQ. One under an entry's name is skipped with a warning
//! if it is not a regular file, and is one error (not one more per entry linking to it) if it
//! cannot be read.
#![cfg(unix)]

use faqbot::faq::{load_dir, Checked, FaqError, Severity};
use std::os::unix::net::UnixListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Long enough for any load of a small FAQ; a FIFO that is opened blocks forever.
const HANG: Duration = Duration::from_secs(10);

fn copy_dir(from: &Path, to: &Path) {
    for file in std::fs::read_dir(from).expect("read") {
        let file = file.expect("entry").path();
        std::fs::copy(&file, to.join(file.file_name().expect("name"))).expect("copy");
    }
}

/// A copy of the small fixture FAQ.
fn small_faq() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/faq-small"),
        dir.path(),
    );
    dir
}

/// A copy of the shipped FAQ, where many entries list `what-is-ot` as related.
fn shipped_faq() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("faq"),
        dir.path(),
    );
    dir
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// `load_dir` in a thread, given up on after [`HANG`] (the thread is then left blocked).
fn load_or_hang(dir: &Path) -> Result<Checked, FaqError> {
    let (tx, rx) = mpsc::channel();
    let dir = dir.to_owned();
    std::thread::spawn(move || {
        let _ = tx.send(load_dir(&dir));
    });
    rx.recv_timeout(HANG)
        .unwrap_or_else(|_| panic!("loading the FAQ hung for {} s", HANG.as_secs()))
}

/// Every problem, as `file:line: severity: message`.
fn problems(result: &Result<Checked, FaqError>) -> Vec<String> {
    match result {
        Ok(checked) => checked.warnings.iter().map(ToString::to_string).collect(),
        Err(FaqError::Invalid { problems }) => problems.iter().map(ToString::to_string).collect(),
        Err(e) => vec![e.to_string()],
    }
}

fn assert_loads_without_problems(dir: &Path, what: &str) {
    let result = load_or_hang(dir);
    assert!(
        result.is_ok(),
        "{what} refused the FAQ: {:#?}",
        problems(&result)
    );
    assert_eq!(problems(&result), Vec::<String>::new(), "{what}");
}

#[test]
fn a_fifo_that_is_not_an_entry_does_not_hang_the_load() {
    let dir = small_faq();
    mkfifo(&dir.path().join("notes.txt"));
    assert_loads_without_problems(dir.path(), "a FIFO notes.txt");
}

#[test]
fn a_fifo_that_is_not_an_entry_does_not_hang_faqbot_check() {
    let dir = small_faq();
    mkfifo(&dir.path().join("notes.txt"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_faqbot"))
        .args(["check", "--faq"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("faqbot runs");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > HANG {
            let _ = child.kill();
            let _ = child.wait();
            panic!("faqbot check hung for {} s on a FIFO", HANG.as_secs());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = child.wait_with_output().expect("output");
    assert!(status.success(), "{out:?}");
}

#[test]
fn a_fifo_under_an_entry_name_is_skipped_with_a_warning_not_waited_on() {
    let dir = small_faq();
    mkfifo(&dir.path().join("swimming.md"));
    let result = load_or_hang(dir.path());
    let all = problems(&result);
    assert!(result.is_ok(), "{all:#?}");
    assert!(
        all.iter()
            .any(|p| p.starts_with("swimming.md:1: warning: skipped: a FIFO")),
        "{all:#?}"
    );
}

#[test]
fn a_socket_that_is_not_an_entry_is_ignored() {
    let dir = small_faq();
    let _listener = UnixListener::bind(dir.path().join("notes.sock")).expect("bind");
    assert_loads_without_problems(dir.path(), "a socket notes.sock");
}

#[test]
fn a_socket_under_an_entry_name_is_skipped_with_a_warning() {
    let dir = small_faq();
    let _listener = UnixListener::bind(dir.path().join("swimming.md")).expect("bind");
    let result = load_or_hang(dir.path());
    let all = problems(&result);
    assert!(result.is_ok(), "{all:#?}");
    assert!(
        all.iter()
            .any(|p| p.starts_with("swimming.md:1: warning: skipped: a socket")),
        "{all:#?}"
    );
}

#[test]
fn a_dangling_symlink_that_is_not_an_entry_is_ignored() {
    let dir = small_faq();
    std::os::unix::fs::symlink("nowhere.txt", dir.path().join("notes.txt")).expect("link");
    assert_loads_without_problems(dir.path(), "a dangling notes.txt");
}

#[test]
fn a_symlink_loop_that_is_not_an_entry_is_ignored() {
    let dir = small_faq();
    std::os::unix::fs::symlink("b.txt", dir.path().join("a.txt")).expect("link");
    std::os::unix::fs::symlink("a.txt", dir.path().join("b.txt")).expect("link");
    assert_loads_without_problems(dir.path(), "a symlink loop");
}

/// Links `path` to a file that opens but cannot be read, whoever runs the test: reading
/// `/proc/self/mem` at offset 0 (an unmapped address) fails with EIO even for root, for whom
/// `chmod 000` changes nothing (the tests run as root here).
fn unreadable_file(path: &Path) {
    std::os::unix::fs::symlink("/proc/self/mem", path).expect("link");
}

#[test]
fn an_unreadable_file_that_is_not_an_entry_is_ignored() {
    let dir = small_faq();
    unreadable_file(&dir.path().join("notes.txt"));
    assert_loads_without_problems(dir.path(), "an unreadable notes.txt");
}

#[test]
fn a_file_with_no_read_permission_that_is_not_an_entry_is_ignored() {
    use std::os::unix::fs::PermissionsExt;
    let dir = small_faq();
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "a moderator's notes").expect("write");
    std::fs::set_permissions(&notes, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    assert_loads_without_problems(dir.path(), "notes.txt with mode 000");
}

#[test]
fn an_unreadable_entry_is_one_error_not_one_more_per_entry_linking_to_it() {
    let dir = shipped_faq();
    let target = dir.path().join("what-is-ot.md");
    std::fs::remove_file(&target).expect("remove");
    unreadable_file(&target);
    let result = load_or_hang(dir.path());
    let errors: Vec<String> = match &result {
        Err(FaqError::Invalid { problems }) => problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .map(ToString::to_string)
            .collect(),
        other => panic!("an unreadable entry must refuse the FAQ: {other:?}"),
    };
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0].starts_with("what-is-ot.md:1: error: cannot read the file"),
        "{errors:#?}"
    );
}
