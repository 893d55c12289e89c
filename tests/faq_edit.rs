//! FAQ edits through the public API (`faqbot::editor::FaqEditor`) on a copy of the shipped FAQ
//! in a temporary folder: what is written, what is refused (nothing written), versioning with
//! git (a repository made in the temporary folder, with its own identity) and without.

use faqbot::editor::{Author, FaqEditor, BOT_EMAIL, BOT_NAME};
use faqbot::faq::edit::{Change, EditError, MAX_ANSWER_INPUT_CHARS};
use faqbot::faq::{load_dir, read_faq_dir, CHANGES_FILE};
use faqbot::matcher::MatchConfig;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier};

use crate::support::files::{git, snapshot};

/// A copy of the shipped FAQ (entries, synonyms, cases) in `root/faq`.
fn faq_copy(root: &Path) -> PathBuf {
    let dir = root.join("faq");
    crate::support::harness::copy_faq(&crate::support::harness::shipped_faq(), &dir);
    dir
}

fn jane() -> Author {
    Author {
        name: "Jane Moderator".to_owned(),
        id: 4242,
    }
}

fn add(entry: &str, phrasing: &str) -> Change {
    Change::AddPhrasing {
        entry: entry.to_owned(),
        phrasing: phrasing.to_owned(),
    }
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).expect("read")
}

/// A git repository at `root` with the FAQ copy committed.
fn git_repo(root: &Path) -> PathBuf {
    let dir = faq_copy(root);
    git(root, &["init", "--quiet"]);
    git(root, &["add", "."]);
    git(root, &["commit", "--quiet", "-m", "The FAQ"]);
    dir
}

fn commits(root: &Path) -> usize {
    git(root, &["rev-list", "--count", "HEAD"])
        .trim()
        .parse()
        .expect("count")
}

#[test]
fn add_phrasing_adds_one_line_and_keeps_every_other_byte() {
    let root = tempfile::tempdir().expect("tempdir");
    let dir = faq_copy(root.path());
    let before = snapshot(&dir);
    let editor = FaqEditor::new(dir.clone(), MatchConfig::DEFAULT);
    let applied = editor
        .apply(
            &add(
                "ot-vs-pt",
                "which one for a toddler who trips a lot, ot or pt",
            ),
            &jane(),
        )
        .expect("applied");
    assert_eq!(applied.entry, "ot-vs-pt");
    assert_eq!(applied.commit, None);
    let old = String::from_utf8(before["ot-vs-pt.md"].clone()).expect("utf-8");
    let new = read(&dir, "ot-vs-pt.md");
    let inserted = "  \"which one for a toddler who trips a lot, ot or pt\",\n";
    let at = old.find("\n]\n").expect("end of questions") + 1;
    assert_eq!(new, format!("{}{inserted}{}", &old[..at], &old[at..]));
    // Nothing else changed but the new CHANGES.md.
    let after = snapshot(&dir);
    for (name, bytes) in &before {
        if name != "ot-vs-pt.md" {
            assert_eq!(&after[name], bytes, "{name} changed");
        }
    }
    assert_eq!(after.len(), before.len() + 1);
    assert!(after.contains_key(CHANGES_FILE));
    // The shipped cases still pass, and the checked FAQ has the phrasing.
    let cases = applied.cases.expect("the shipped FAQ has cases.toml");
    assert!(cases.still_pass(), "{cases}");
    assert!(applied
        .checked
        .faq
        .get("ot-vs-pt")
        .expect("entry")
        .questions
        .iter()
        .any(|q| q == "which one for a toddler who trips a lot, ot or pt"));
}

#[test]
fn without_git_each_change_is_a_changes_md_line_the_loader_ignores() {
    let root = tempfile::tempdir().expect("tempdir");
    let dir = faq_copy(root.path());
    let entries = load_dir(&dir).expect("loads").faq.len();
    let editor = FaqEditor::new(dir.clone(), MatchConfig::DEFAULT);
    editor
        .apply(&add("what-is-ot", "what is an ot actually for"), &jane())
        .expect("first");
    editor
        .apply(&add("what-is-pt", "what is a pt actually for"), &jane())
        .expect("second");
    let changes = read(&dir, CHANGES_FILE);
    let lines: Vec<&str> = changes.lines().filter(|l| l.starts_with("- ")).collect();
    assert_eq!(lines.len(), 2, "{changes}");
    assert!(lines[0].contains(" · what-is-ot · Jane Moderator (4242) · Add phrasing to what-is-ot: \"what is an ot actually for\""), "{changes}");
    assert!(lines[1].contains(" · what-is-pt · "), "{changes}");
    // The loader neither reads it as an entry nor complains about it.
    let checked = load_dir(&dir).expect("loads with CHANGES.md");
    assert_eq!(checked.faq.len(), entries);
    assert!(checked.warnings.iter().all(|w| w.file != CHANGES_FILE));
    let read = read_faq_dir(&dir).expect("read");
    assert!(read.files().iter().all(|f| f.name != CHANGES_FILE));
    // History from it, newest first, by entry or all.
    let all = editor.history(None, 10).expect("history");
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].entry.as_deref(), Some("what-is-pt"));
    assert_eq!(all[0].who, "Jane Moderator (4242)");
    let one = editor.history(Some("what-is-ot"), 10).expect("history");
    assert_eq!(one.len(), 1);
    assert!(one[0].summary.starts_with("Add phrasing to what-is-ot"));
}

#[test]
fn without_git_undo_restores_the_bytes_only_if_the_file_is_unchanged() {
    let root = tempfile::tempdir().expect("tempdir");
    let dir = faq_copy(root.path());
    let original = read(&dir, "what-is-ot.md");
    let editor = FaqEditor::new(dir.clone(), MatchConfig::DEFAULT);
    editor
        .apply(&add("what-is-ot", "what is an ot actually for"), &jane())
        .expect("applied");
    let undone = editor.undo(&jane()).expect("undone");
    assert_eq!(
        undone.summary,
        "Undo: Add phrasing to what-is-ot: \"what is an ot actually for\""
    );
    assert_eq!(read(&dir, "what-is-ot.md"), original);
    assert!(read(&dir, CHANGES_FILE).contains(" · Undo: Add phrasing to what-is-ot"));
    assert!(matches!(
        editor.undo(&jane()),
        Err(EditError::NothingToUndo(_))
    ));

    // Changed by hand after the bot's change: undo refuses and touches nothing.
    editor
        .apply(&add("what-is-ot", "what is an ot actually for"), &jane())
        .expect("applied");
    let by_hand =
        read(&dir, "what-is-ot.md").replace("define occupational therapy", "define OT please");
    std::fs::write(dir.join("what-is-ot.md"), &by_hand).expect("write");
    let before = snapshot(&dir);
    let refused = editor.undo(&jane()).expect_err("refused");
    assert!(
        matches!(refused, EditError::UndoRefused { .. }),
        "{refused}"
    );
    assert!(
        refused
            .to_string()
            .contains("what-is-ot.md has changed since"),
        "{refused}"
    );
    assert_eq!(snapshot(&dir), before);
}

#[test]
fn a_new_entry_with_a_broken_id_or_an_over_long_answer_is_refused_and_nothing_written() {
    let root = tempfile::tempdir().expect("tempdir");
    let dir = faq_copy(root.path());
    let before = snapshot(&dir);
    let editor = FaqEditor::new(dir.clone(), MatchConfig::DEFAULT);
    let new = |id: &str, answer: &str| Change::NewEntry {
        id: id.to_owned(),
        title: "Do you offer aquatic therapy?".to_owned(),
        answer: answer.to_owned(),
        phrasings: vec!["do you offer aquatic therapy".to_owned()],
    };
    let Err(EditError::Invalid(problems)) =
        editor.apply(&new("Aquatic Therapy!", "Not yet."), &jane())
    else {
        panic!("a broken id was not refused");
    };
    assert!(
        problems.iter().any(|p| p
            .message
            .contains("'Aquatic Therapy!' is not a valid entry id")),
        "{problems:#?}"
    );
    let long = "x".repeat(MAX_ANSWER_INPUT_CHARS + 1);
    let refused = editor
        .apply(&new("aquatic-therapy", &long), &jane())
        .expect_err("refused");
    assert!(
        matches!(refused, EditError::TooLong { what: "answer", .. }),
        "{refused}"
    );
    let escape = editor
        .apply(&new("../escape", "Not yet."), &jane())
        .expect_err("refused");
    assert!(matches!(escape, EditError::Invalid(_)), "{escape}");
    assert!(!root.path().join("escape.md").exists());
    assert_eq!(snapshot(&dir), before, "something was written");

    // A good one is written and loads.
    editor
        .apply(
            &new("aquatic-therapy", "Not yet. Ask {clinic_name}."),
            &jane(),
        )
        .expect("applied");
    let checked = load_dir(&dir).expect("loads");
    assert_eq!(
        checked.faq.get("aquatic-therapy").map(|e| e.title.as_str()),
        Some("Do you offer aquatic therapy?")
    );
}

#[test]
fn a_change_that_fails_the_check_leaves_every_file_untouched() {
    let root = tempfile::tempdir().expect("tempdir");
    let dir = faq_copy(root.path());
    let before = snapshot(&dir);
    let editor = FaqEditor::new(dir.clone(), MatchConfig::DEFAULT);
    // A phrasing that is already another entry's question.
    let taken = load_dir(&dir)
        .expect("loads")
        .faq
        .get("what-is-pt")
        .expect("entry")
        .questions[0]
        .clone();
    let Err(EditError::Invalid(problems)) = editor.apply(&add("what-is-ot", &taken), &jane())
    else {
        panic!("not refused by the check");
    };
    assert!(!problems.is_empty());
    assert_eq!(snapshot(&dir), before);
    // No temporary file left behind either (hidden files included).
    let names: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
}

#[test]
fn a_stale_edit_entry_is_refused_and_the_newer_text_kept() {
    let root = tempfile::tempdir().expect("tempdir");
    let dir = faq_copy(root.path());
    let editor = FaqEditor::new(dir.clone(), MatchConfig::DEFAULT);
    // Moderator A opens the modal...
    let base = editor.version("ot-session").expect("version");
    // ...moderator B saves a change meanwhile...
    editor
        .apply(&add("ot-session", "what goes on in an ot hour"), &jane())
        .expect("applied");
    let newer = read(&dir, "ot-session.md");
    // ...and A's submit is refused, not written over B's.
    let refused = editor
        .apply(
            &Change::EditEntry {
                entry: "ot-session".to_owned(),
                title: "What happens in an OT session?".to_owned(),
                answer: "A new answer.".to_owned(),
                base,
            },
            &jane(),
        )
        .expect_err("stale");
    assert!(matches!(refused, EditError::Stale { .. }), "{refused}");
    assert!(
        refused.to_string().contains("changed by someone else"),
        "{refused}"
    );
    assert_eq!(read(&dir, "ot-session.md"), newer);
    // From the current version it goes through, and the phrasing B added stays.
    let base = editor.version("ot-session").expect("version");
    editor
        .apply(
            &Change::EditEntry {
                entry: "ot-session".to_owned(),
                title: "What happens in an OT session?".to_owned(),
                answer: "A new answer.".to_owned(),
                base,
            },
            &jane(),
        )
        .expect("applied");
    let text = read(&dir, "ot-session.md");
    assert!(text.ends_with("+++\nA new answer.\n"), "{text}");
    assert!(text.contains("\"what goes on in an ot hour\""), "{text}");
}

#[test]
fn two_moderators_adding_at_once_both_keep_their_phrasing() {
    let root = tempfile::tempdir().expect("tempdir");
    let dir = faq_copy(root.path());
    let editor = Arc::new(FaqEditor::new(dir.clone(), MatchConfig::DEFAULT));
    let start = Arc::new(Barrier::new(2));
    let threads: Vec<_> = [
        "can we see the ot on saturdays zz",
        "can we see the ot after school zz",
    ]
    .into_iter()
    .map(|phrasing| {
        let editor = Arc::clone(&editor);
        let start = Arc::clone(&start);
        std::thread::spawn(move || {
            start.wait();
            editor.apply(&add("book-appointment", phrasing), &jane())
        })
    })
    .collect();
    for thread in threads {
        thread.join().expect("thread").expect("applied");
    }
    let text = read(&dir, "book-appointment.md");
    assert!(
        text.contains("\"can we see the ot on saturdays zz\""),
        "{text}"
    );
    assert!(
        text.contains("\"can we see the ot after school zz\""),
        "{text}"
    );
}

#[test]
fn with_git_each_change_is_one_commit_by_the_moderator_and_undo_a_new_revert_commit() {
    let root = tempfile::tempdir().expect("tempdir");
    let dir = git_repo(root.path());
    // Something unrelated staged by someone else stays out of the bot's commits.
    std::fs::write(root.path().join("notes.txt"), "staged, not the bot's").expect("write");
    git(root.path(), &["add", "notes.txt"]);
    let editor = FaqEditor::new(dir.clone(), MatchConfig::DEFAULT);
    assert!(editor.uses_git());
    let original = read(&dir, "what-is-ot.md");
    let first = editor
        .apply(&add("what-is-ot", "what is an ot actually for"), &jane())
        .expect("first");
    let second = editor
        .apply(&add("what-is-pt", "what is a pt actually for"), &jane())
        .expect("second");
    assert_eq!(commits(root.path()), 3);
    let head = second.commit.clone().expect("a commit");
    assert_eq!(git(root.path(), &["rev-parse", "HEAD"]).trim(), head);
    for (applied, file) in [
        (&first, "faq/what-is-ot.md"),
        (&second, "faq/what-is-pt.md"),
    ] {
        let hash = applied.commit.as_deref().expect("a commit");
        assert_eq!(
            git(
                root.path(),
                &[
                    "show",
                    "--format=%an <%ae>|%cn <%ce>|%s",
                    "--name-only",
                    hash
                ]
            ),
            format!(
                "Jane Moderator <4242@discord>|{BOT_NAME} <{BOT_EMAIL}>|{}\n\n{file}\n",
                applied.summary
            )
        );
    }
    assert!(!git(root.path(), &["status", "--porcelain"]).contains("faq/"));
    assert!(git(root.path(), &["status", "--porcelain"]).contains("A  notes.txt"));
    // Without CHANGES.md: git is the record.
    assert!(!dir.join(CHANGES_FILE).exists());
    let history = editor.history(Some("what-is-ot"), 5).expect("history");
    assert_eq!(history.len(), 2, "{history:#?}");
    assert_eq!(history[0].summary, first.summary);
    assert_eq!(history[0].who, "Jane Moderator");
    assert_eq!(history[1].summary, "The FAQ");

    // Undo: a new commit reverting the last change, by the moderator who undid it...
    let bob = Author {
        name: "Bob".to_owned(),
        id: 7,
    };
    let undone = editor.undo(&bob).expect("undone");
    assert_eq!(commits(root.path()), 4);
    let message = git(root.path(), &["log", "-1", "--format=%an|%s|%b"]);
    assert!(
        message.starts_with(&format!("Bob|Undo: {}|", second.summary)),
        "{message}"
    );
    assert!(
        message.contains(&format!("This reverts commit {head}.")),
        "{message}"
    );
    assert_eq!(
        undone.commit.as_deref(),
        Some(git(root.path(), &["rev-parse", "HEAD"]).trim())
    );
    assert_eq!(
        git(
            root.path(),
            &["diff", &format!("{head}~1"), "HEAD", "--stat"]
        ),
        ""
    );
    // ...and a second undo steps back past it to the first change.
    editor.undo(&bob).expect("undone again");
    assert_eq!(read(&dir, "what-is-ot.md"), original);
    assert_eq!(commits(root.path()), 5);
    let nothing = editor.undo(&bob).expect_err("nothing left");
    assert!(matches!(nothing, EditError::NothingToUndo(_)), "{nothing}");
    assert_eq!(commits(root.path()), 5);
}

#[test]
fn with_git_undo_of_a_new_entry_removes_it_in_a_commit() {
    let root = tempfile::tempdir().expect("tempdir");
    let dir = git_repo(root.path());
    let editor = FaqEditor::new(dir.clone(), MatchConfig::DEFAULT);
    editor
        .apply(
            &Change::NewEntry {
                id: "aquatic-therapy".to_owned(),
                title: "Do you offer aquatic therapy?".to_owned(),
                answer: "Not yet.".to_owned(),
                phrasings: vec!["do you offer aquatic therapy".to_owned()],
            },
            &jane(),
        )
        .expect("applied");
    assert!(git(root.path(), &["ls-files"]).contains("faq/aquatic-therapy.md"));
    editor.undo(&jane()).expect("undone");
    assert!(!dir.join("aquatic-therapy.md").exists());
    assert!(!git(root.path(), &["ls-files"]).contains("faq/aquatic-therapy.md"));
    assert_eq!(git(root.path(), &["status", "--porcelain"]), "");
}

#[test]
fn with_git_undo_refuses_when_the_file_changed_since_and_changes_nothing() {
    let root = tempfile::tempdir().expect("tempdir");
    let dir = git_repo(root.path());
    let editor = FaqEditor::new(dir.clone(), MatchConfig::DEFAULT);
    editor
        .apply(&add("what-is-ot", "what is an ot actually for"), &jane())
        .expect("applied");
    // Someone edits the same file by hand and commits it.
    let by_hand =
        read(&dir, "what-is-ot.md").replace("define occupational therapy", "define OT please");
    std::fs::write(dir.join("what-is-ot.md"), by_hand).expect("write");
    git(root.path(), &["commit", "--quiet", "-am", "by hand"]);
    let head = git(root.path(), &["rev-parse", "HEAD"]);
    let before = snapshot(&dir);
    let refused = editor.undo(&jane()).expect_err("refused");
    assert!(
        matches!(refused, EditError::UndoRefused { .. }),
        "{refused}"
    );
    assert_eq!(git(root.path(), &["rev-parse", "HEAD"]), head);
    assert_eq!(snapshot(&dir), before);
    assert_eq!(git(root.path(), &["status", "--porcelain"]), "");
}

#[test]
fn with_git_a_failed_commit_puts_the_file_back() {
    let root = tempfile::tempdir().expect("tempdir");
    let dir = git_repo(root.path());
    // A hook that refuses every commit: the change must not stay on disk uncommitted.
    let hooks = root.path().join(".git/hooks");
    std::fs::create_dir_all(&hooks).expect("hooks");
    std::fs::write(
        hooks.join("pre-commit"),
        "#!/bin/sh\necho 'no commits today' >&2\nexit 1\n",
    )
    .expect("hook");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            hooks.join("pre-commit"),
            std::fs::Permissions::from_mode(0o755),
        )
        .expect("chmod");
    }
    let before = snapshot(&dir);
    let editor = FaqEditor::new(dir.clone(), MatchConfig::DEFAULT);
    let failed = editor
        .apply(&add("what-is-ot", "what is an ot actually for"), &jane())
        .expect_err("the commit fails");
    assert!(matches!(failed, EditError::Git { .. }), "{failed}");
    assert!(failed.to_string().contains("no commits today"), "{failed}");
    assert_eq!(snapshot(&dir), before);
    assert_eq!(git(root.path(), &["status", "--porcelain"]), "");
    assert_eq!(commits(root.path()), 1);
}
