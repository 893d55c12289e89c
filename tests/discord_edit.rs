//! FAQ edits from Discord end to end: `/faq add-phrasing`, `/faq history` and `/faq undo` sent
//! through the fake Discord to the real bot, checked on the files on disk, on git (a repository
//! made in the test's temporary folder, with its own identity), and on what the next parent is
//! answered.

use crate::support;

use serde_json::{json, Value};
use support::fake_discord::{opt_str, opt_sub, InteractionSpec, Recorded, APPLICATION_ID, USER_ID};
use support::files::{git, snapshot};
use support::harness::{mention, Harness, T};

/// Not answered by the shipped FAQ; answered with `gross-motor-skills` once it is one of its
/// phrasings.
const TIPTOES: &str = "my kid keeps walking on tiptoes is that bad";
const ENTRY: &str = "gross-motor-skills";

/// How the fake names [`USER_ID`] (`username` and `global_name`), the moderator's Discord name.
fn moderator_name() -> String {
    format!("user{}", USER_ID % 100_000)
}

/// Runs `/faq <sub> <options>` as `who`; the deferred callback and the follow-up's text (none
/// when the command was answered at once, e.g. refused).
async fn faq(
    h: &Harness,
    who: &InteractionSpec,
    sub: &str,
    options: &[Value],
) -> (Recorded, Option<String>) {
    let mark = h.fake.mark();
    let id = h
        .fake
        .command_interaction(who, "faq", json!([opt_sub(sub, options)]));
    let callback = h.callback(id).await;
    if callback.callback_type() != Some(5) {
        return (callback, None);
    }
    assert_eq!(
        callback.body["data"]["flags"],
        json!(64),
        "only the moderator sees it"
    );
    let follow = h
        .fake
        .wait_for_since(
            mark,
            |r| r.starts("POST", &format!("/webhooks/{APPLICATION_ID}/itok-{id}")),
            T,
        )
        .await
        .expect("a follow-up");
    assert_eq!(follow.body["flags"], json!(64));
    (callback, follow.content().map(str::to_owned))
}

fn add_phrasing(entry: &str, phrasing: &str) -> [Value; 2] {
    [opt_str("entry", entry), opt_str("phrasing", phrasing)]
}

/// The title of the entry the bot answered a mention with (`None`: not an answer).
async fn answered_title(h: &Harness, question: &str) -> Option<String> {
    let id = h.send(&mention(question));
    let reply = h.reply_to(id).await;
    reply.body["embeds"][0]["title"].as_str().map(str::to_owned)
}

#[tokio::test]
async fn add_phrasing_by_a_moderator_writes_the_file_and_the_next_parent_gets_that_entry() {
    let h = Harness::start().await;
    let title = h.title(ENTRY);
    assert_ne!(
        answered_title(&h, TIPTOES).await.as_deref(),
        Some(title.as_str())
    );
    let file = h.faq_dir().join(format!("{ENTRY}.md"));
    let old = std::fs::read_to_string(&file).expect("read");

    let (_, report) = faq(
        &h,
        &InteractionSpec::moderator(),
        "add-phrasing",
        &add_phrasing(ENTRY, TIPTOES),
    )
    .await;
    let report = report.expect("a report");
    assert!(
        report.starts_with(&format!("Done: Add phrasing to {ENTRY}: \"{TIPTOES}\"")),
        "{report}"
    );
    assert!(report.contains("The bot answers with it now."), "{report}");
    assert!(report.contains("Recorded in CHANGES.md"), "{report}");
    assert!(
        report.contains("The FAQ's test cases still pass"),
        "{report}"
    );

    // The file gained the line; every other byte is as it was.
    let at = old.find("\n]\n").expect("end of questions") + 1;
    assert_eq!(
        std::fs::read_to_string(&file).expect("read"),
        format!("{}  \"{TIPTOES}\",\n{}", &old[..at], &old[at..])
    );
    let changes = std::fs::read_to_string(h.faq_dir().join("CHANGES.md")).expect("CHANGES.md");
    assert!(
        changes.contains(&format!(
            " · {ENTRY} · {} ({USER_ID}) · Add phrasing",
            moderator_name()
        )),
        "{changes}"
    );
    // Live at once (the harness has no watcher): the next parent asking it gets that entry.
    assert_eq!(
        answered_title(&h, TIPTOES).await.as_deref(),
        Some(title.as_str())
    );

    // The same again is refused, and says why.
    let (_, again) = faq(
        &h,
        &InteractionSpec::moderator(),
        "add-phrasing",
        &add_phrasing(ENTRY, TIPTOES),
    )
    .await;
    let again = again.expect("a report");
    assert!(
        again.starts_with("Not saved:") && again.contains("already has the phrasing"),
        "{again}"
    );
    h.stop().await;
}

#[tokio::test]
async fn add_phrasing_by_a_non_moderator_is_refused_and_nothing_written() {
    let h = Harness::start().await;
    let before = snapshot(&h.faq_dir());
    for sub in ["add-phrasing", "undo", "history"] {
        let options: &[Value] = if sub == "add-phrasing" {
            &add_phrasing(ENTRY, TIPTOES)
        } else {
            &[]
        };
        let (refused, report) = faq(&h, &InteractionSpec::member(), sub, options).await;
        assert_eq!(report, None, "{sub}");
        assert_eq!(refused.callback_type(), Some(4), "{sub}");
        assert!(
            refused
                .data_content()
                .is_some_and(|c| c.contains("Only moderators")),
            "{sub}: {:#}",
            refused.body
        );
    }
    assert_eq!(snapshot(&h.faq_dir()), before);
    assert_ne!(
        answered_title(&h, TIPTOES).await,
        Some(h.title(ENTRY)),
        "the FAQ in service changed"
    );
    h.stop().await;
}

#[tokio::test]
async fn a_broken_change_is_refused_with_the_check_errors_and_nothing_written() {
    let h = Harness::start().await;
    let before = snapshot(&h.faq_dir());
    // A phrasing that is another entry's question: `check` refuses the result.
    let taken = h
        .knowledge
        .faq()
        .get("what-is-pt")
        .expect("entry")
        .questions[0]
        .clone();
    let (_, report) = faq(
        &h,
        &InteractionSpec::moderator(),
        "add-phrasing",
        &add_phrasing(ENTRY, &taken),
    )
    .await;
    let report = report.expect("a report");
    assert!(
        report.starts_with("Not saved: the FAQ would have 1 error(s) with this change:"),
        "{report}"
    );
    assert!(report.contains("is also under"), "{report}");
    // An entry that is not one (a fuzzy guess is never written to).
    let (_, unknown) = faq(
        &h,
        &InteractionSpec::moderator(),
        "add-phrasing",
        &add_phrasing("gross motor", "a new way to ask"),
    )
    .await;
    assert!(unknown
        .expect("a report")
        .starts_with("No FAQ entry \"gross motor\""));
    assert_eq!(snapshot(&h.faq_dir()), before);
    h.stop().await;
}

#[tokio::test]
async fn faq_undo_in_a_git_dir_reverts_the_change_as_a_new_commit() {
    let h = Harness::start().await;
    let root = h.dir.path().to_path_buf();
    git(&root, &["init", "--quiet"]);
    git(&root, &["add", "faq"]);
    git(&root, &["commit", "--quiet", "-m", "The FAQ"]);
    let file = h.faq_dir().join(format!("{ENTRY}.md"));
    let original = std::fs::read(&file).expect("read");
    let title = h.title(ENTRY);

    let (_, report) = faq(
        &h,
        &InteractionSpec::moderator(),
        "add-phrasing",
        &add_phrasing(ENTRY, TIPTOES),
    )
    .await;
    let report = report.expect("a report");
    assert!(report.contains("Committed to git as "), "{report}");
    // One commit of just that file, by the moderator.
    let commit = git(
        &root,
        &["show", "--format=%an <%ae>|%s", "--name-only", "HEAD"],
    );
    assert_eq!(
        commit,
        format!(
            "{} <{USER_ID}@discord>|Add phrasing to {ENTRY}: \"{TIPTOES}\"\n\nfaq/{ENTRY}.md\n",
            moderator_name()
        )
    );
    let added = git(&root, &["rev-parse", "HEAD"]).trim().to_owned();
    assert!(!h.faq_dir().join("CHANGES.md").exists());
    assert_eq!(
        answered_title(&h, TIPTOES).await.as_deref(),
        Some(title.as_str())
    );

    let (_, history) = faq(
        &h,
        &InteractionSpec::moderator(),
        "history",
        &[opt_str("entry", ENTRY)],
    )
    .await;
    let history = history.expect("history");
    assert!(
        history.contains(&format!("Add phrasing to {ENTRY}")),
        "{history}"
    );
    assert!(history.contains("The FAQ"), "{history}");

    let (_, undone) = faq(&h, &InteractionSpec::moderator(), "undo", &[]).await;
    let undone = undone.expect("a report");
    assert!(
        undone.starts_with(&format!("Done: Undo: Add phrasing to {ENTRY}")),
        "{undone}"
    );
    assert_eq!(git(&root, &["rev-list", "--count", "HEAD"]).trim(), "3");
    let message = git(&root, &["log", "-1", "--format=%B"]);
    assert!(
        message.contains(&format!("This reverts commit {added}.")),
        "{message}"
    );
    assert_eq!(std::fs::read(&file).expect("read"), original);
    assert_eq!(git(&root, &["status", "--porcelain", "--", "faq"]), "");
    // Live at once: the phrasing is gone from the FAQ in service.
    assert_ne!(
        answered_title(&h, TIPTOES).await.as_deref(),
        Some(title.as_str())
    );
    h.stop().await;
}
