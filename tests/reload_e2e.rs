//! The half-written save through the real bot and a fake Discord: a state of the FAQ that is
//! broken only for a moment (a save in two steps) is never posted to the moderators' channel
//! as "FAQ edit refused", and the finished save is answered.

use crate::support;

use faqbot::live::SETTLE;
use std::time::Duration;
use support::harness::{help, Harness, HELP_CHANNEL_ID};

/// The moderators' channel.
const MOD_LOG_CHANNEL_ID: u64 = 1_100_000_000_000_000_011;
/// A phrasing no entry has yet; the finished save adds it to `gross-motor-skills`.
const NEW_PHRASING: &str = "wobbly zigzag scooter races at recess";

#[tokio::test]
async fn a_save_broken_for_500_ms_is_not_posted_as_refused_and_the_finished_save_is_answered() {
    let mod_log = MOD_LOG_CHANNEL_ID.to_string();
    let h = Harness::start_with(&[("WATCH_FAQ", "true"), ("MOD_LOG_CHANNEL_ID", &mod_log)]).await;
    let path = h.faq_dir().join("gross-motor-skills.md");
    let good = std::fs::read_to_string(&path).expect("entry");
    let edited = good.replacen(
        "questions = [",
        &format!("questions = [\n  \"{NEW_PHRASING}\","),
        1,
    );
    // The first half of the save: front matter not closed yet.
    let half = &edited[..edited.rfind("\n+++").expect("closing +++")];
    std::fs::write(&path, half).expect("first half");
    tokio::time::sleep(Duration::from_millis(500)).await;
    std::fs::write(&path, &edited).expect("second half");

    let expected = h.title("gross-motor-skills");
    let mut answered = false;
    for _ in 0..40 {
        let question = h.send(&help(NEW_PHRASING));
        if let Some(reply) = h
            .fake
            .wait_for(
                |r| r.reply_to() == Some(question) && r.is_message_in(HELP_CHANNEL_ID),
                Duration::from_millis(100),
            )
            .await
        {
            assert_eq!(
                reply.body["embeds"][0]["title"].as_str(),
                Some(expected.as_str())
            );
            answered = true;
            break;
        }
    }
    assert!(answered, "the finished save was not answered");
    // Long enough for a late report of the broken half to arrive.
    tokio::time::sleep(SETTLE * 2).await;
    assert_eq!(
        h.fake.count(|r| r.is_message_in(MOD_LOG_CHANNEL_ID)),
        0,
        "a passing state was posted to the moderators"
    );
    h.stop().await;
}
