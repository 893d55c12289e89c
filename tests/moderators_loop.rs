//! The moderators' loop through the real bot and a fake Discord: a saved FAQ edit is answered
//! within seconds, a broken edit is refused and reported to the moderators once while the old
//! FAQ keeps answering, and a question log that cannot be written does not stop answers.

use crate::support;

use std::time::{Duration, Instant};
use support::fake_discord::Recorded;
use support::harness::{help, Harness, HELP_CHANNEL_ID};

/// The moderators' channel.
const MOD_LOG_CHANNEL_ID: u64 = 1_100_000_000_000_000_011;
/// A question the shipped FAQ answers with `what-is-ot`.
const OT_QUESTION: &str = "what does OT stand for";
/// A phrasing no entry has yet; the test adds it to `gross-motor-skills`.
const NEW_PHRASING: &str = "wobbly zigzag scooter races at recess";

fn title_of(reply: &Recorded) -> Option<&str> {
    reply.body["embeds"][0]["title"].as_str()
}

/// Adds `phrasing` as the first question of the entry `id` in `dir`.
fn add_phrasing(dir: &std::path::Path, id: &str, phrasing: &str) {
    let path = dir.join(format!("{id}.md"));
    let text = std::fs::read_to_string(&path).expect("entry");
    let edited = text.replacen(
        "questions = [",
        &format!("questions = [\n  \"{phrasing}\","),
        1,
    );
    assert_ne!(edited, text, "the entry has a questions list");
    std::fs::write(&path, edited).expect("save the edit");
}

#[tokio::test]
async fn a_saved_edit_that_adds_a_phrasing_is_answered_within_two_seconds() {
    let h = Harness::start_with(&[("WATCH_FAQ", "true")]).await;
    assert_eq!(
        h.expected_entry(NEW_PHRASING),
        None,
        "not answered before the edit"
    );

    let saved = Instant::now();
    add_phrasing(&h.faq_dir(), "gross-motor-skills", NEW_PHRASING);
    let expected = h.title("gross-motor-skills");
    let mut answered_after = None;
    // Ask again every 100 ms; each question gets a reply only once the edit is live.
    while saved.elapsed() < Duration::from_secs(2) {
        let question = h.send(&help(NEW_PHRASING));
        let reply = h
            .fake
            .wait_for(
                |r| r.reply_to() == Some(question) && r.is_message_in(HELP_CHANNEL_ID),
                Duration::from_millis(100),
            )
            .await;
        if let Some(reply) = reply {
            assert_eq!(
                title_of(&reply),
                Some(expected.as_str()),
                "{:#}",
                reply.body
            );
            answered_after = Some(saved.elapsed());
            break;
        }
    }
    let after = answered_after.expect("the new phrasing was not answered within 2 s of saving");
    eprintln!("answered {} ms after the save", after.as_millis());
    h.stop().await;
}

#[tokio::test]
async fn a_broken_edit_is_refused_reported_once_and_the_old_faq_keeps_answering() {
    let mod_log = MOD_LOG_CHANNEL_ID.to_string();
    let h = Harness::start_with(&[("WATCH_FAQ", "true"), ("MOD_LOG_CHANNEL_ID", &mod_log)]).await;
    let broken = "+++\ntitle = \"What is OT?\"\nquestions = [\"unclosed\"\n+++\nAnswer.\n";
    std::fs::write(h.faq_dir().join("what-is-ot.md"), broken).expect("save the broken edit");

    let report = h
        .fake
        .wait_for(
            |r| r.is_message_in(MOD_LOG_CHANNEL_ID),
            Duration::from_secs(5),
        )
        .await
        .expect("the refusal reached the moderator log channel");
    let text = report.content().unwrap_or_default().to_owned();
    assert!(text.contains("FAQ edit refused"), "{text}");
    assert!(
        text.contains("what-is-ot.md:3: error: bad front matter"),
        "{text}"
    );
    assert!(text.contains("previous FAQ is still in service"), "{text}");
    assert_eq!(
        report.body["allowed_mentions"]["parse"],
        serde_json::json!([])
    );

    // The old FAQ still answers, with the entry the broken file would have replaced.
    let question = h.send(&help(OT_QUESTION));
    let reply = h.reply_to(question).await;
    assert_eq!(title_of(&reply), Some(h.title("what-is-ot").as_str()));

    // The same broken version saved again is not reported a second time.
    std::fs::write(h.faq_dir().join("what-is-ot.md"), broken).expect("save again");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(h.fake.count(|r| r.is_message_in(MOD_LOG_CHANNEL_ID)), 1);
    h.stop().await;
}

#[tokio::test]
async fn an_unwritable_question_log_does_not_stop_answers() {
    // A path under a regular file can never be created, whoever runs the test.
    let blocker = tempfile::NamedTempFile::new().expect("temp file");
    let db = blocker.path().join("sub").join("questions.sqlite3");
    let db = db.to_str().expect("utf-8 path");
    let h = Harness::start_with(&[("QUESTION_LOG_PATH", db)]).await;
    for _ in 0..3 {
        let question = h.send(&help(OT_QUESTION));
        let reply = h.reply_to(question).await;
        assert_eq!(title_of(&reply), Some(h.title("what-is-ot").as_str()));
    }
    h.stop().await;
}

#[tokio::test]
async fn a_question_log_unavailable_at_start_is_opened_later_and_loses_nothing() {
    // The log's folder is not there when the bot starts (a volume mounted late).
    let later = tempfile::tempdir().expect("temp dir");
    let folder = later.path().join("mounted-late");
    let db = folder.join("questions.sqlite3");
    let h = Harness::start_with(&[("QUESTION_LOG_PATH", db.to_str().expect("utf-8 path"))]).await;
    let question = h.send(&help(OT_QUESTION));
    let reply = h.reply_to(question).await;
    assert_eq!(title_of(&reply), Some(h.title("what-is-ot").as_str()));

    std::fs::create_dir(&folder).expect("the folder arrives");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !db.exists() {
        assert!(
            Instant::now() < deadline,
            "the bot never opened the question log"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    h.stop().await;
    let log = faqbot::store::QuestionLog::open(&faqbot::store::LogConfig::new(&db)).expect("open");
    let report = log.report(0).expect("report");
    assert_eq!(
        report.total_questions, 1,
        "the question asked before the log opened is in it"
    );
}
