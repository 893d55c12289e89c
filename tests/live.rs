//! Live FAQ edits: a saved edit is answered within seconds, a broken one is refused while the
//! old FAQ keeps answering, and readers never see a half-loaded FAQ.

use arc_swap::ArcSwap;
use faqbot::knowledge::Knowledge;
use faqbot::live::{reload, watch, FaqWatcher, ReloadOutcome, SharedKnowledge};
use faqbot::matcher::{Decision, MatchConfig};
use std::path::Path;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A copy of the small fixture FAQ in a temporary directory.
fn temp_faq() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/faq-small");
    for file in std::fs::read_dir(fixture).expect("fixture") {
        let file = file.expect("entry").path();
        std::fs::copy(&file, dir.path().join(file.file_name().expect("name"))).expect("copy");
    }
    dir
}

fn shared(dir: &Path) -> SharedKnowledge {
    let (knowledge, _) = Knowledge::load(dir, MatchConfig::DEFAULT).expect("fixture loads");
    Arc::new(ArcSwap::from_pointee(knowledge))
}

const NEW_ENTRY: &str = "+++\ntitle = \"Swimming\"\nquestions = [\"can my child learn to swim\", \"swimming lessons for kids\", \"water confidence\", \"afraid of the pool\", \"swim skills\", \"learning to float\", \"swimming with a disability\", \"kid scared of water\"]\n+++\nAn answer about swimming.\n";

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

/// Waits (bounded) until `check` holds.
fn eventually(limit: Duration, check: impl Fn() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    check()
}

#[test]
fn a_saved_edit_is_answered_within_two_seconds() {
    let dir = temp_faq();
    let shared = shared(dir.path());
    let (_watcher, rx) = watched(dir.path(), &shared);
    assert_eq!(answered(&shared, "is my kid scared of water normal"), None);

    let saved = Instant::now();
    std::fs::write(dir.path().join("swimming.md"), NEW_ENTRY).expect("write");
    assert!(
        eventually(Duration::from_secs(2), || answered(
            &shared,
            "my kid is scared of water"
        )
        .as_deref()
            == Some("swimming")),
        "the new entry was not answered within 2 s"
    );
    eprintln!("edit live after {} ms", saved.elapsed().as_millis());
    let message = rx
        .recv_timeout(Duration::from_secs(2))
        .expect("outcome reported")
        .to_string();
    assert!(message.starts_with("FAQ reloaded: 3 entries"), "{message}");
}

#[test]
fn a_broken_edit_is_refused_once_and_the_old_faq_keeps_answering() {
    let dir = temp_faq();
    let shared = shared(dir.path());
    let (_watcher, rx) = watched(dir.path(), &shared);

    std::fs::write(
        dir.path().join("walking.md"),
        "+++\ntitle = \"Walking\"\nquestions = [\"unclosed\"\n+++\nA",
    )
    .expect("write");
    let outcome = rx
        .recv_timeout(Duration::from_secs(3))
        .expect("refusal reported");
    let ReloadOutcome::Rejected { problems } = &outcome else {
        panic!("{outcome}")
    };
    assert!(
        problems.iter().any(|p| p
            .to_string()
            .starts_with("walking.md:3: error: bad front matter")),
        "{outcome}"
    );
    assert!(outcome
        .to_string()
        .contains("the previous FAQ is still in service"));
    assert_eq!(
        answered(&shared, "my toddler is not walking yet").as_deref(),
        Some("walking")
    );

    // Saving the same broken file again is not reported a second time...
    std::fs::write(
        dir.path().join("walking.md"),
        "+++\ntitle = \"Walking\"\nquestions = [\"unclosed\"\n+++\nA",
    )
    .expect("write");
    assert!(
        rx.recv_timeout(Duration::from_millis(1500)).is_err(),
        "the same failure was reported twice"
    );
    // ...and a fix is.
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/faq-small/walking.md"),
        dir.path().join("walking.md"),
    )
    .expect("fix");
    let outcome = rx
        .recv_timeout(Duration::from_secs(3))
        .expect("reload reported");
    assert!(outcome.is_reloaded(), "{outcome}");
}

#[test]
fn questions_during_fifty_reloads_are_answered_from_a_complete_faq() {
    let dir = temp_faq();
    let shared = shared(dir.path());
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let shared = shared.clone();
            std::thread::spawn(move || {
                for i in 0..250 {
                    let snapshot = shared.load();
                    let entries = snapshot.faq().len();
                    // Every version on disk has 2 or 3 whole entries; a torn one would not.
                    assert!(entries == 2 || entries == 3, "{entries} entries");
                    let question = if i % 2 == 0 {
                        "my toddler is not walking yet"
                    } else {
                        "trouble holding a pencil"
                    };
                    match snapshot.ask(question) {
                        Decision::Answer(c) => {
                            let entry = snapshot
                                .faq()
                                .get(&c.id)
                                .expect("answered entry exists in the same snapshot");
                            assert!(!entry.answer.is_empty());
                        }
                        other => panic!("{question}: {other:?}"),
                    }
                }
            })
        })
        .collect();
    let mut reloaded = 0;
    for round in 0..50 {
        let path = dir.path().join("swimming.md");
        if round % 2 == 0 {
            std::fs::write(&path, NEW_ENTRY).expect("write");
        } else {
            std::fs::remove_file(&path).expect("remove");
        }
        if reload(&shared, dir.path(), MatchConfig::DEFAULT).is_reloaded() {
            reloaded += 1;
        }
    }
    for reader in readers {
        reader.join().expect("reader saw only complete FAQs");
    }
    assert_eq!(reloaded, 50);
}

#[test]
fn an_unreadable_directory_keeps_the_old_faq() {
    let dir = temp_faq();
    let shared = shared(dir.path());
    let outcome = reload(&shared, &dir.path().join("gone"), MatchConfig::DEFAULT);
    assert!(
        matches!(outcome, ReloadOutcome::Unreadable { .. }),
        "{outcome}"
    );
    assert_eq!(
        answered(&shared, "trouble holding a pencil").as_deref(),
        Some("hands")
    );
}
