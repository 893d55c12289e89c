//! Live reload under every way an editor or a deploy saves the FAQ: in place, temp file then
//! rename, delete and recreate, folder swap, `rm -rf` and copy back, symlink switch, `git
//! checkout`. Each test makes one such change, waits for it to be served, then makes an
//! ordinary edit *after* it and checks that this edit is served too: the watch survived.
//! Then the half-written saves: a save in two steps never serves its first half, and a state
//! broken only for a moment is never reported as refused.

use crate::support::files::git;
use arc_swap::ArcSwap;
use faqbot::knowledge::Knowledge;
use faqbot::live::{watch, FaqWatcher, ReloadOutcome, SharedKnowledge, SETTLE};
use faqbot::matcher::{Decision, MatchConfig};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Added to `walking` by the change under test.
const AT_THE_EVENT: &str = "wobbly zigzag scooter races at recess";
/// Added to `hands` by an ordinary edit after it.
const AFTER_THE_EVENT: &str = "purple kazoo marching band practice";
/// Generous: this is not a speed test (that is `tests/live.rs`), only "it goes live".
const LIVE_WITHIN: Duration = Duration::from_secs(8);

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/faq-small")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create");
    for file in std::fs::read_dir(from).expect("read") {
        let file = file.expect("entry").path();
        std::fs::copy(&file, to.join(file.file_name().expect("name"))).expect("copy");
    }
}

/// `text` with `phrasing` as the first of its questions.
fn with_phrasing(text: &str, phrasing: &str) -> String {
    let edited = text.replacen(
        "questions = [",
        &format!("questions = [\n  \"{phrasing}\","),
        1,
    );
    assert_ne!(edited, text, "the entry has a questions list");
    edited
}

/// The entry `id` of `dir` with `phrasing` added, as text.
fn edited_entry(dir: &Path, id: &str, phrasing: &str) -> String {
    let text = std::fs::read_to_string(dir.join(format!("{id}.md"))).expect("entry");
    with_phrasing(&text, phrasing)
}

/// Adds `phrasing` to the entry `id` of `dir`, written in place.
fn edit_in_place(dir: &Path, id: &str, phrasing: &str) {
    let text = edited_entry(dir, id, phrasing);
    std::fs::write(dir.join(format!("{id}.md")), text).expect("save");
}

fn shared(dir: &Path) -> SharedKnowledge {
    let (knowledge, _) = Knowledge::load(dir, MatchConfig::DEFAULT).expect("fixture loads");
    Arc::new(ArcSwap::from_pointee(knowledge))
}

fn answered(shared: &SharedKnowledge, question: &str) -> Option<String> {
    match shared.load().ask(question) {
        Decision::Answer(c) => Some(c.id),
        _ => None,
    }
}

/// Watches `dir` for `shared`; every reload outcome arrives on the receiver.
fn watched(dir: &Path, shared: &SharedKnowledge) -> (FaqWatcher, mpsc::Receiver<ReloadOutcome>) {
    let (tx, rx) = mpsc::channel();
    let watcher = watch(
        shared.clone(),
        dir.to_owned(),
        MatchConfig::DEFAULT,
        move |o: &ReloadOutcome| {
            let _ = tx.send(o.clone());
        },
    )
    .expect("watch");
    (watcher, rx)
}

/// Waits (bounded) until `question` is answered with `id`; fails the test otherwise.
fn assert_goes_live(shared: &SharedKnowledge, question: &str, id: &str, what: &str) {
    let start = Instant::now();
    while start.elapsed() < LIVE_WITHIN {
        if answered(shared, question).as_deref() == Some(id) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!(
        "{what}: \"{question}\" was not answered with {id} within {} s",
        LIVE_WITHIN.as_secs()
    );
}

/// A temporary folder holding the FAQ at `faq/`, and the bot watching it.
struct Site {
    root: tempfile::TempDir,
    shared: SharedKnowledge,
    outcomes: mpsc::Receiver<ReloadOutcome>,
    _watcher: FaqWatcher,
}

impl Site {
    /// The FAQ at `root/faq`, made by `lay_out` (which returns nothing; the fixture by default).
    fn new(lay_out: impl FnOnce(&Path)) -> Site {
        let root = tempfile::tempdir().expect("tempdir");
        lay_out(root.path());
        let faq = root.path().join("faq");
        let shared = shared(&faq);
        let (watcher, outcomes) = watched(&faq, &shared);
        assert_eq!(answered(&shared, AT_THE_EVENT), None, "not answered before");
        assert_eq!(
            answered(&shared, AFTER_THE_EVENT),
            None,
            "not answered before"
        );
        Site {
            root,
            shared,
            outcomes,
            _watcher: watcher,
        }
    }

    fn plain() -> Site {
        Site::new(|root| copy_dir(&fixture(), &root.join("faq")))
    }

    fn root(&self) -> &Path {
        self.root.path()
    }

    /// The configured path.
    fn faq(&self) -> PathBuf {
        self.root().join("faq")
    }

    /// Checks that the change is served, then that an ordinary edit after it is served too.
    fn assert_the_change_and_the_edit_after_it_go_live(&self) {
        assert_goes_live(&self.shared, AT_THE_EVENT, "walking", "the change");
        edit_in_place(&self.faq(), "hands", AFTER_THE_EVENT);
        assert_goes_live(
            &self.shared,
            AFTER_THE_EVENT,
            "hands",
            "the edit after the change",
        );
    }
}

#[test]
fn write_in_place_then_an_edit_after_it_go_live() {
    let site = Site::plain();
    let text = edited_entry(&site.faq(), "walking", AT_THE_EVENT);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(site.faq().join("walking.md"))
        .expect("open in place");
    file.write_all(text.as_bytes()).expect("write");
    drop(file);
    site.assert_the_change_and_the_edit_after_it_go_live();
}

#[test]
fn write_temp_then_rename_then_an_edit_after_it_go_live() {
    // VS Code and vim (with `backupcopy=no`) write a temporary file and rename it over the
    // entry; vim's own `4913` probe file comes and goes first.
    let site = Site::plain();
    let faq = site.faq();
    std::fs::write(faq.join("4913"), "").expect("probe");
    std::fs::remove_file(faq.join("4913")).expect("probe");
    let temp = faq.join(".walking.md.swp");
    std::fs::write(&temp, edited_entry(&faq, "walking", AT_THE_EVENT)).expect("temp");
    std::fs::rename(&temp, faq.join("walking.md")).expect("rename");
    site.assert_the_change_and_the_edit_after_it_go_live();
}

#[test]
fn delete_and_recreate_then_an_edit_after_it_go_live() {
    let site = Site::plain();
    let faq = site.faq();
    let text = edited_entry(&faq, "walking", AT_THE_EVENT);
    std::fs::remove_file(faq.join("walking.md")).expect("delete");
    std::thread::sleep(Duration::from_millis(100));
    std::fs::write(faq.join("walking.md"), text).expect("recreate");
    site.assert_the_change_and_the_edit_after_it_go_live();
}

#[test]
fn folder_swap_then_an_edit_after_it_go_live() {
    // `mv faq faq.old && mv faq.new faq`
    let site = Site::plain();
    let (faq, new, old) = (
        site.faq(),
        site.root().join("faq.new"),
        site.root().join("faq.old"),
    );
    copy_dir(&faq, &new);
    edit_in_place(&new, "walking", AT_THE_EVENT);
    std::fs::rename(&faq, &old).expect("mv faq faq.old");
    std::fs::rename(&new, &faq).expect("mv faq.new faq");
    site.assert_the_change_and_the_edit_after_it_go_live();
    // The old folder lives on, renamed: its edits are not the FAQ's any more.
    std::fs::remove_file(old.join("walking.md")).expect("edit the old folder");
    std::thread::sleep(SETTLE * 2);
    assert_eq!(
        answered(&site.shared, "my toddler is not walking yet").as_deref(),
        Some("walking"),
        "an edit of the renamed-away folder was served"
    );
}

#[test]
fn rm_rf_and_copy_back_then_an_edit_after_it_go_live() {
    // `rm -rf faq && cp -r backup faq`
    let site = Site::plain();
    let (faq, backup) = (site.faq(), site.root().join("backup"));
    copy_dir(&faq, &backup);
    edit_in_place(&backup, "walking", AT_THE_EVENT);
    std::fs::remove_dir_all(&faq).expect("rm -rf faq");
    copy_dir(&backup, &faq);
    site.assert_the_change_and_the_edit_after_it_go_live();
}

#[test]
fn symlink_switch_then_an_edit_after_it_go_live() {
    // A deploy: `faq -> releases/1`, then `ln -sfn releases/2 faq` (a new link renamed over).
    let site = Site::new(|root| {
        copy_dir(&fixture(), &root.join("releases/1"));
        std::os::unix::fs::symlink("releases/1", root.join("faq")).expect("link");
    });
    let next = site.root().join("releases/2");
    copy_dir(&site.root().join("releases/1"), &next);
    edit_in_place(&next, "walking", AT_THE_EVENT);
    let link = site.root().join("faq.tmp");
    std::os::unix::fs::symlink("releases/2", &link).expect("new link");
    std::fs::rename(&link, site.faq()).expect("switch");
    site.assert_the_change_and_the_edit_after_it_go_live();
}

/// A git repository with the fixture FAQ at `faq/` committed on `main`, and a branch `edit`
/// that adds [`AT_THE_EVENT`] to `walking`; `main` is checked out.
fn repository(root: &Path) {
    git(root, &["init", "-q", "-b", "main"]);
    copy_dir(&fixture(), &root.join("faq"));
    git(root, &["add", "faq"]);
    git(root, &["commit", "-q", "-m", "the FAQ"]);
    git(root, &["checkout", "-q", "-b", "edit"]);
    edit_in_place(&root.join("faq"), "walking", AT_THE_EVENT);
    git(root, &["commit", "-q", "-am", "a new phrasing"]);
    git(root, &["checkout", "-q", "main"]);
}

#[test]
fn git_checkout_of_another_commit_then_an_edit_after_it_go_live() {
    let site = Site::new(repository);
    git(site.root(), &["checkout", "-q", "edit"]);
    site.assert_the_change_and_the_edit_after_it_go_live();
}

#[test]
fn git_checkout_of_a_commit_without_the_folder_and_back_then_an_edit_after_it_go_live() {
    let site = Site::new(|root| {
        repository(root);
        git(root, &["checkout", "-q", "-b", "empty"]);
        git(root, &["rm", "-q", "-r", "faq"]);
        git(root, &["commit", "-q", "-m", "no FAQ"]);
        git(root, &["checkout", "-q", "main"]);
    });
    git(site.root(), &["checkout", "-q", "empty"]);
    assert!(!site.faq().exists(), "git removed the folder");
    // Away for longer than the settle interval: reported once as unreadable.
    let outcome = site
        .outcomes
        .recv_timeout(LIVE_WITHIN)
        .expect("the missing folder is reported");
    assert!(
        matches!(outcome, ReloadOutcome::Unreadable { .. }),
        "{outcome}"
    );
    git(site.root(), &["checkout", "-q", "edit"]);
    site.assert_the_change_and_the_edit_after_it_go_live();
}

/// Everything logged in the test binary (the watch logs from its own thread: `captured_logs`).
fn captured_log() -> &'static Mutex<Vec<u8>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(crate::captured_logs::text)
}

#[test]
fn a_folder_missing_for_a_while_is_watched_again_when_it_is_back_and_the_log_says_so() {
    let log = captured_log();
    let site = Site::plain();
    let (faq, backup) = (site.faq(), site.root().join("backup"));
    copy_dir(&faq, &backup);
    edit_in_place(&backup, "walking", AT_THE_EVENT);
    std::fs::remove_dir_all(&faq).expect("rm -rf faq");
    let outcome = site
        .outcomes
        .recv_timeout(LIVE_WITHIN)
        .expect("the missing folder is reported");
    assert!(
        outcome.to_string().starts_with("FAQ not reloaded"),
        "{outcome}"
    );
    assert_eq!(
        answered(&site.shared, "my toddler is not walking yet").as_deref(),
        Some("walking"),
        "the FAQ in service stays while the folder is missing"
    );
    std::thread::sleep(SETTLE);
    copy_dir(&backup, &faq);
    site.assert_the_change_and_the_edit_after_it_go_live();
    let text = String::from_utf8_lossy(&log.lock().expect("log")).into_owned();
    let dir = faq.display().to_string();
    assert!(
        text.lines()
            .any(|l| l.contains("FAQ watch live again") && l.contains(&dir)),
        "no 'live again' line for {dir} in:\n{text}"
    );
}

/// An entry the half-written tests write; its answer's last word tells whether it is whole.
const SWIMMING_HEAD: &str = "+++\ntitle = \"Swimming\"\nquestions = [\"can my child learn to swim\", \"swimming lessons for kids\", \"water confidence\", \"afraid of the pool\", \"swim skills\", \"learning to float\", \"swimming with a disability\", \"kid scared of water\"]\n+++\nSwimming lessons build water confidence";
const SWIMMING_TAIL: &str = " step by step. WHOLE\n";

#[test]
fn a_file_written_in_two_steps_500_ms_apart_never_serves_its_first_half() {
    let site = Site::plain();
    // Watches what a parent would be told, every 5 ms, until the whole answer is served.
    let reader = {
        let shared = site.shared.clone();
        std::thread::spawn(move || {
            let mut served_half = 0;
            let start = Instant::now();
            while start.elapsed() < LIVE_WITHIN * 2 {
                let snapshot = shared.load();
                if let Some(entry) = snapshot.faq().get("swimming") {
                    if entry.answer.trim_end().ends_with("WHOLE") {
                        return (served_half, true);
                    }
                    served_half += 1;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            (served_half, false)
        })
    };
    let mut file = std::fs::File::create(site.faq().join("swimming.md")).expect("create");
    file.write_all(SWIMMING_HEAD.as_bytes())
        .expect("first half");
    file.flush().expect("flush");
    std::thread::sleep(Duration::from_millis(500));
    file.write_all(SWIMMING_TAIL.as_bytes())
        .expect("second half");
    drop(file);
    let (served_half, whole) = reader.join().expect("reader");
    assert_eq!(
        served_half, 0,
        "the first half was served ({served_half} looks)"
    );
    assert!(whole, "the whole entry was never served");
}

#[test]
fn a_state_broken_for_500_ms_is_not_reported_as_refused() {
    let site = Site::plain();
    let walking = site.faq().join("walking.md");
    let good = std::fs::read_to_string(&walking).expect("entry");
    let fixed = with_phrasing(&good, AT_THE_EVENT);
    std::fs::write(
        &walking,
        "+++\ntitle = \"When should my child walk?\"\nquestions = [\n",
    )
    .expect("half-saved");
    std::thread::sleep(Duration::from_millis(500));
    std::fs::write(&walking, fixed).expect("saved");
    assert_goes_live(&site.shared, AT_THE_EVENT, "walking", "the fixed entry");
    // Every outcome up to a settle interval after the fix: none is a refusal.
    let until = Instant::now() + SETTLE * 2;
    let mut outcomes = Vec::new();
    while let Ok(outcome) = site
        .outcomes
        .recv_timeout(until.saturating_duration_since(Instant::now()))
    {
        outcomes.push(outcome);
    }
    assert!(
        outcomes.iter().all(ReloadOutcome::is_reloaded),
        "a passing broken state was reported: {outcomes:#?}"
    );
}
