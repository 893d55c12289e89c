//! The weekly digest end to end: the real bot, on the fake Discord, posts the week's report to
//! the moderators' channel as a multipart upload (the message as `payload_json`, the chart as a
//! PNG in `files[0]`), and a restart within the week does not post it again (the time of the
//! last digest is kept in the question log). "Due" is made testable by scheduling the digest at
//! the current UTC day and hour, a time that has just passed: the stored last digest decides.

use crate::support::fake_discord::Recorded;
use crate::support::harness::{logs, mention, Harness, T};
use faqbot::store::{LogConfig, Origin, Outcome, QuestionLog, QuestionRecord};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

const MOD_LOG_CHANNEL_ID: u64 = 1_100_000_000_000_000_011;

/// `DIGEST_DAY` and `DIGEST_HOUR` of the current UTC hour: a digest scheduled then is due now
/// (and stays due for the rest of the week until one is posted).
fn due_now() -> (&'static str, String) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs();
    let days = now / 86_400;
    // 1970-01-01 was a Thursday.
    let day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][((days + 3) % 7) as usize];
    (day, ((now % 86_400) / 3600).to_string())
}

/// Writes a few questions into the (closed) question log, as the bot would have logged them.
fn seed_questions(db: &Path) {
    let log = QuestionLog::open(&LogConfig::new(db)).expect("open the question log");
    let questions = [
        ("how long is a session", Outcome::NoMatch, None),
        ("how long is a session?", Outcome::NoMatch, None),
        ("can siblings come along", Outcome::NoMatch, None),
        ("what is ot", Outcome::Answer, Some("what-is-ot")),
        ("what is pt", Outcome::Answer, Some("what-is-pt")),
        ("therapy", Outcome::Ambiguous, Some("what-is-ot")),
    ];
    for (text, outcome, entry) in questions {
        let _ = log.log(QuestionRecord::now(
            Origin::Mention,
            text,
            outcome,
            entry.map(str::to_owned),
            0.5,
        ));
    }
    log.close().expect("close the question log");
}

fn last_digest(db: &Path) -> Option<i64> {
    let log = QuestionLog::open(&LogConfig::new(db)).expect("open the question log");
    let last = log.last_digest().expect("read the last digest");
    log.close().expect("close");
    last
}

fn is_digest(r: &Recorded) -> bool {
    r.is_message_in(MOD_LOG_CHANNEL_ID) && !r.files.is_empty()
}

/// Waits (at most [`T`]) until the digest task writing `db` has said "next one scheduled" more
/// than `seen` times: once per start, and once after each post.
async fn digest_scheduled(db: &Path, seen: usize) -> bool {
    let db = db.display().to_string();
    let count = || {
        logs()
            .iter()
            .filter(|e| {
                e["fields"]["message"] == "weekly digest: next one scheduled"
                    && e["fields"]["question_log"].as_str() == Some(db.as_str())
            })
            .count()
    };
    let deadline = std::time::Instant::now() + T;
    while count() <= seen {
        if std::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    true
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn digest_posts_the_chart_to_the_moderators_channel_once_a_week_across_restarts() {
    let mod_log = MOD_LOG_CHANNEL_ID.to_string();
    let (day, hour) = due_now();
    let due = [
        ("MOD_LOG_CHANNEL_ID", mod_log.as_str()),
        ("DIGEST_DAY", day),
        ("DIGEST_HOUR", hour.as_str()),
    ];
    // First with the digest off (the harness's default), to seed the log without a bot on it.
    let mut h = Harness::start_with(&[("MOD_LOG_CHANNEL_ID", &mod_log)]).await;
    h.shutdown_bot().await;
    let db = h.log_path();
    seed_questions(&db);
    assert_eq!(last_digest(&db), None);

    h.restart_with(&due).await;
    let posted = h
        .fake
        .wait_for(|r| is_digest(r) && r.status == 200, T)
        .await
        .unwrap_or_else(|| panic!("no digest; requests: {:#?}", h.fake.requests()));

    // The attachment: one PNG, as Discord's form wants it.
    assert_eq!(posted.files.len(), 1, "{:?}", posted.files);
    let file = &posted.files[0];
    assert_eq!(file.name, "files[0]");
    assert_eq!(file.file_name.as_deref(), Some("questions-per-day.png"));
    assert_eq!(file.content_type.as_deref(), Some("image/png"));
    assert!(
        file.is_png(),
        "not a PNG: {:?}",
        &file.bytes[..file.bytes.len().min(16)]
    );
    assert_eq!(
        faqbot::chart::png_size(&file.bytes),
        Some((faqbot::chart::WIDTH, faqbot::chart::HEIGHT))
    );
    // The JSON part: the summary, the top unanswered group, the attachment's metadata, and
    // mentions that parse nothing.
    let content = posted.content().expect("digest text");
    assert!(content.starts_with("**Weekly digest**"), "{content}");
    assert!(
        content.contains("6 questions: 2 answered, 1 ambiguous, 3 no match"),
        "{content}"
    );
    assert!(content.contains("1. 2× how long is a session"), "{content}");
    assert!(
        content.contains("2. 1× can siblings come along"),
        "{content}"
    );
    assert_eq!(posted.body["attachments"][0]["id"], 0);
    assert_eq!(
        posted.body["attachments"][0]["filename"],
        "questions-per-day.png"
    );
    let allowed = &posted.body["allowed_mentions"];
    assert_eq!(allowed["parse"], serde_json::json!([]), "{allowed}");
    assert_eq!(allowed["users"], serde_json::json!([]), "{allowed}");
    assert_eq!(allowed["roles"], serde_json::json!([]), "{allowed}");
    assert!(
        digest_scheduled(&db, 0).await,
        "the digest task did not go on"
    );

    // Saved in the log: a restart within the week does not post it again.
    h.shutdown_bot().await;
    let saved = last_digest(&db).expect("the digest's time is saved");
    assert!(saved > 0);
    h.restart_with(&due).await;
    assert!(
        digest_scheduled(&db, 1).await,
        "the restarted digest task did not decide"
    );
    assert_eq!(h.fake.count(is_digest), 1, "posted again after a restart");
    assert_eq!(last_digest_after_stop(h).await, Some(saved));
}

/// Stops the bot and reads the saved time of the last digest.
async fn last_digest_after_stop(h: Harness) -> Option<i64> {
    let dir = h.stop().await;
    last_digest(&dir.path().join("questions.sqlite3"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn digest_is_not_posted_when_off_even_with_a_moderators_channel() {
    let mod_log = MOD_LOG_CHANNEL_ID.to_string();
    let (_, hour) = due_now();
    let h = Harness::start_with(&[
        ("MOD_LOG_CHANNEL_ID", &mod_log),
        ("DIGEST_DAY", "off"),
        ("DIGEST_HOUR", &hour),
    ])
    .await;
    // The bot answers (it is up and handling events), and posted no digest.
    let id = h.send(&mention("what is OT?"));
    let _ = h.reply_to(id).await;
    assert_eq!(h.fake.count(is_digest), 0);
    let db = h.log_path();
    assert_eq!(last_digest_after_stop(h).await, None, "{}", db.display());
}
