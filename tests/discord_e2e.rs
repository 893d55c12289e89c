//! The Discord bot end to end: the real serenity + poise client of `faqbot::discord` connected
//! to a fake Discord on 127.0.0.1 (`tests/support/fake_discord.rs`), driven by gateway events,
//! checked on the REST calls it makes. Harness: `tests/support/harness.rs`.

use crate::support;

use faqbot::store::{LogConfig, Origin, QuestionLog};
use serde_json::{json, Value};
use std::time::Duration;
use support::fake_discord::{
    components, dm_channel_id, message_json, opt_focused, opt_str, opt_sub, perm, snowflake,
    FakeDiscord, InteractionSpec, MessageSpec, Recorded, APPLICATION_ID, BOT_USER_ID,
    GUILD_CHANNEL_ID, GUILD_ID, MOD_ROLE_ID, USER_ID,
};
use support::harness::{
    clinic, help, log_text, logs, mention, Harness, APPOINTMENT_URL, HELP_CHANNEL_ID, T,
};

/// A question the shipped FAQ answers with `what-is-ot` (one of its own phrasings).
const OT_QUESTION: &str = "what does OT stand for";
/// A question the shipped FAQ answers with `book-appointment`.
const BOOK_QUESTION: &str = "how do I book an appointment";
/// A question the shipped FAQ answers with `what-is-pt`.
const PT_QUESTION: &str = "what is PT";
/// Nothing to do with the FAQ.
const OUT_OF_SCOPE: &str = "what is the weather like tomorrow";

/// The moderators' channel, when a test configures one.
const MOD_LOG_CHANNEL_ID: u64 = 1_100_000_000_000_000_011;

/// Another member of the server.
const OTHER_USER_ID: u64 = 1_100_000_000_000_000_020;

fn embed(r: &Recorded) -> &Value {
    &r.body["embeds"][0]
}

fn custom_ids(message: &Value) -> Vec<String> {
    components(message)
        .iter()
        .filter_map(|b| b["custom_id"].as_str().map(str::to_owned))
        .collect()
}

/// The allowed mentions of a body: nothing parsed, no users or roles, no ping of the replied-to.
fn assert_pings_no_one(body: &Value) {
    let allowed = &body["allowed_mentions"];
    assert_eq!(allowed["parse"], json!([]), "{body:#}");
    assert_eq!(allowed["users"], json!([]), "{body:#}");
    assert_eq!(allowed["roles"], json!([]), "{body:#}");
    assert_ne!(allowed["replied_user"], json!(true), "{body:#}");
}

fn assert_answer_of(h: &Harness, body: &Value, entry: &str) {
    let embed = &body["embeds"][0];
    assert_eq!(
        embed["title"].as_str(),
        Some(h.title(entry).as_str()),
        "{body:#}"
    );
    let link = components(body)
        .into_iter()
        .find(|b| b["style"] == json!(5))
        .unwrap_or_else(|| panic!("no link button: {body:#}"));
    assert_eq!(link["url"], json!(APPOINTMENT_URL));
    assert_eq!(link["label"], json!("Book an appointment"));
}

#[tokio::test]
async fn help_channel_question_gets_one_reply_with_the_entry() {
    let h = Harness::start().await;
    // Autosharded by default: the shard count comes from `/gateway/bot`.
    assert!(h.fake.count(|r| r.is("GET", "/gateway/bot")) >= 1);
    assert_eq!(h.expected_entry(OT_QUESTION).as_deref(), Some("what-is-ot"));
    let question = h.send(&help(OT_QUESTION));
    let reply = h.reply_to(question).await;

    assert!(reply.is_message_in(HELP_CHANNEL_ID));
    assert_answer_of(&h, &reply.body, "what-is-ot");
    assert_eq!(
        reply.body["message_reference"]["message_id"],
        json!(question.to_string())
    );
    assert_pings_no_one(&reply.body);
    assert_eq!(reply.body["allowed_mentions"]["replied_user"], json!(false));
    let e = embed(&reply);
    let entry = h.knowledge.faq().get("what-is-ot").expect("entry");
    let first_words: String = entry.answer.chars().take(40).collect();
    assert!(
        e["description"]
            .as_str()
            .is_some_and(|d| d.starts_with(&first_words)),
        "{e:#}"
    );
    let source = &e["fields"][0];
    assert_eq!(source["name"], json!("Source"));
    assert!(source["value"]
        .as_str()
        .is_some_and(|v| v.contains(entry.sources[0].as_str())));
    assert!(e["fields"][1]["value"]
        .as_str()
        .is_some_and(|v| v.contains("Book an appointment with Test Kids Therapy")));
    let related: Vec<String> = entry
        .related
        .iter()
        .map(|id| format!("faq:show:{id}"))
        .collect();
    let ids = custom_ids(&reply.body);
    assert_eq!(ids[..related.len()], related);
    // Then "Helpful" / "Not helpful", carrying the question log's answer id.
    let votes = &ids[related.len()..];
    assert_eq!(votes.len(), 2, "{ids:?}");
    assert!(votes[0].starts_with("faq:vote:") && votes[0].ends_with(":y"));
    assert_eq!(votes[1], votes[0].replace(":y", ":n"));

    // One reply only: the next question's reply comes, and the first still has one.
    let next = h.send(&help(BOOK_QUESTION));
    h.reply_to(next).await;
    assert_eq!(h.replies_to(question), 1);
    h.stop().await;
}

#[tokio::test]
async fn out_of_scope_in_help_channel_gets_no_reply() {
    let h = Harness::start().await;
    assert_eq!(h.expected_entry(OUT_OF_SCOPE), None);
    let chat = h.send(&help(OUT_OF_SCOPE));
    let question = h.send(&help(BOOK_QUESTION));
    let reply = h.reply_to(question).await;
    assert_answer_of(&h, &reply.body, "book-appointment");
    assert_eq!(h.replies_to(chat), 0, "{:#?}", h.fake.requests());
    // Nor does a message in an ordinary channel without a mention.
    let elsewhere = h.send(&MessageSpec::guild(BOOK_QUESTION));
    let marker = h.send(&help(OT_QUESTION));
    h.reply_to(marker).await;
    assert_eq!(h.replies_to(elsewhere), 0);
    h.stop().await;
}

#[tokio::test]
async fn out_of_scope_mention_gets_the_kind_fallback() {
    let h = Harness::start().await;
    let question = h.send(&mention(OUT_OF_SCOPE));
    let reply = h.reply_to(question).await;
    assert!(reply.is_message_in(GUILD_CHANNEL_ID));
    let clinic = clinic();
    let want = format!(
        "{}\n\n{}",
        faqbot::reply::fallback_text(&clinic),
        clinic.appointment_prompt()
    );
    assert_eq!(reply.content(), Some(want.as_str()));
    assert!(want.contains("moderator") && want.contains("555-0199"));
    let link = components(&reply.body)[0];
    assert_eq!(link["url"], json!(APPOINTMENT_URL));
    // No moderators' channel configured: no "Ask a moderator".
    assert_eq!(components(&reply.body).len(), 1);
    assert_pings_no_one(&reply.body);

    // A mention with an in-scope question is answered from the FAQ, anywhere.
    let asked = h.send(&mention(OT_QUESTION));
    assert_answer_of(&h, &h.reply_to(asked).await.body, "what-is-ot");
    // A bare mention gets a hello that says how to ask.
    let bare = h.send(&mention(""));
    let hello = h.reply_to(bare).await;
    assert!(
        hello.content().is_some_and(|c| c.contains("/ask")),
        "{:#}",
        hello.body
    );
    h.stop().await;
}

#[tokio::test]
async fn dm_gets_an_answer() {
    let h = Harness::start().await;
    assert_eq!(h.expected_entry(PT_QUESTION).as_deref(), Some("what-is-pt"));
    let question = h.send(&MessageSpec::dm(USER_ID, PT_QUESTION));
    let reply = h.reply_to(question).await;
    assert!(reply.is_message_in(dm_channel_id(USER_ID)));
    assert_answer_of(&h, &reply.body, "what-is-pt");
    // Out of scope in a DM: the fallback, never silence.
    let other = h.send(&MessageSpec::dm(USER_ID, OUT_OF_SCOPE));
    let fallback = h.reply_to(other).await;
    assert!(fallback
        .content()
        .is_some_and(|c| c.contains("I don't have an answer")));
    h.stop().await;
}

#[tokio::test]
async fn bot_author_is_ignored() {
    let h = Harness::start().await;
    let by_bot = h.send(&MessageSpec {
        author_bot: true,
        author_id: 42,
        mentions_bot: true,
        ..help(&format!("<@{BOT_USER_ID}> {OT_QUESTION}"))
    });
    let by_itself = h.send(&MessageSpec {
        author_bot: true,
        author_id: BOT_USER_ID,
        ..help(OT_QUESTION)
    });
    let by_bot_dm = h.send(&MessageSpec {
        author_bot: true,
        ..MessageSpec::dm(43, OT_QUESTION)
    });
    let by_person = h.send(&help(OT_QUESTION));
    h.reply_to(by_person).await;
    for id in [by_bot, by_itself, by_bot_dm] {
        assert_eq!(h.replies_to(id), 0, "{:#?}", h.fake.requests());
    }
    h.stop().await;
}

#[tokio::test]
async fn everyone_in_the_question_pings_no_one() {
    let h = Harness::start().await;
    let text = format!("@everyone @here <@{OTHER_USER_ID}> <@&{MOD_ROLE_ID}> {BOOK_QUESTION}");
    let question = h.send(&help(&text));
    let reply = h.reply_to(question).await;
    assert_answer_of(&h, &reply.body, "book-appointment");
    assert_pings_no_one(&reply.body);
    assert_eq!(reply.body["allowed_mentions"]["replied_user"], json!(false));
    // Same for the fallback to a mention, and for interaction responses.
    let mentioned = h.send(&mention(&format!("@everyone {OUT_OF_SCOPE}")));
    assert_pings_no_one(&h.reply_to(mentioned).await.body);
    let id = h.fake.command_interaction(
        &InteractionSpec::member(),
        "ask",
        json!([opt_str("question", &format!("@everyone {BOOK_QUESTION}"))]),
    );
    assert_pings_no_one(&h.callback(id).await.body["data"]);
    h.stop().await;
}

#[tokio::test]
async fn a_very_long_strange_message_is_handled_like_any_other() {
    let h = Harness::start().await;
    let strange: String = "ﾟ･✿ヾ╲(｡◕‿◕｡)╱✿･ﾟ \u{202e}\u{0}\u{feff} 🧒🏽‍🦽 ".repeat(120);
    assert!(strange.chars().count() > 1900);
    let question = h.send(&mention(&strange));
    let reply = h.reply_to(question).await;
    assert!(reply
        .content()
        .is_some_and(|c| c.contains("I don't have an answer")));
    let long = format!("{} {OT_QUESTION}", "please help ".repeat(300));
    let asked = h.send(&MessageSpec::dm(USER_ID, &long));
    h.reply_to(asked).await;
    h.stop().await;
}

#[tokio::test]
async fn ask_command_answers_with_an_interaction_callback() {
    let h = Harness::start().await;
    let id = h.fake.command_interaction(
        &InteractionSpec::member(),
        "ask",
        json!([opt_str("question", PT_QUESTION)]),
    );
    let callback = h.callback(id).await;
    assert_eq!((callback.status, callback.callback_type()), (204, Some(4)));
    assert_answer_of(&h, &callback.body["data"], "what-is-pt");
    assert_ne!(
        callback.body["data"]["flags"],
        json!(64),
        "answers to /ask are public"
    );
    // /ask always answers: the fallback when the FAQ does not know.
    let id = h.fake.command_interaction(
        &InteractionSpec::dm(USER_ID),
        "ask",
        json!([opt_str("question", OUT_OF_SCOPE)]),
    );
    let fallback = h.callback(id).await;
    assert!(fallback
        .data_content()
        .is_some_and(|c| c.contains("I don't have an answer")));
    h.stop().await;
}

#[tokio::test]
async fn commands_are_registered_in_the_configured_guild() {
    let guild = GUILD_ID.to_string();
    let h = Harness::start_with(&[("GUILD_ID", &guild)]).await;
    let path = format!("/applications/{APPLICATION_ID}/guilds/{GUILD_ID}/commands");
    let put = h
        .fake
        .wait_for(|r| r.is("PUT", &path), T)
        .await
        .expect("commands registered in the guild");
    let names: Vec<&str> = put
        .body
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(names, ["ask", "faq", "Answer from FAQ"]);
    let faq = &put.body[1];
    let subcommands: Vec<&str> = faq["options"]
        .as_array()
        .expect("subcommands")
        .iter()
        .filter_map(|o| o["name"].as_str())
        .collect();
    assert_eq!(
        subcommands,
        [
            "list",
            "show",
            "reload",
            "stats",
            "add-phrasing",
            "history",
            "undo",
            "edit"
        ]
    );
    assert!(faq["description"].as_str().is_some_and(|d| !d.is_empty()));
    assert_eq!(
        h.fake
            .count(|r| r.starts("PUT", &format!("/applications/{APPLICATION_ID}/commands"))),
        0,
        "not also globally"
    );
    h.stop().await;
}

#[tokio::test]
async fn faq_list_and_show() {
    let h = Harness::start().await;
    let id = h.fake.command_interaction(
        &InteractionSpec::member(),
        "faq",
        json!([opt_sub("list", &[])]),
    );
    let list = h.callback(id).await;
    assert_eq!(
        list.body["data"]["flags"],
        json!(64),
        "the list is only for the asker"
    );
    let text = list.data_content().expect("content");
    for entry in h.knowledge.faq().entries() {
        assert!(
            text.contains(entry.title.as_str()),
            "{} missing: {text}",
            entry.title
        );
    }
    let id = h.fake.command_interaction(
        &InteractionSpec::member(),
        "faq",
        json!([opt_sub("show", &[opt_str("topic", "ot-vs-pt")])]),
    );
    assert_answer_of(&h, &h.callback(id).await.body["data"], "ot-vs-pt");
    let id = h.fake.command_interaction(
        &InteractionSpec::member(),
        "faq",
        json!([opt_sub("show", &[opt_str("topic", "qqqqqq")])]),
    );
    let missing = h.callback(id).await;
    assert!(missing
        .data_content()
        .is_some_and(|c| c.contains("No FAQ topic matches")));
    h.stop().await;
}

async fn autocomplete(h: &Harness, typed: &str) -> Vec<(String, String)> {
    let id = h.fake.autocomplete_interaction(
        &InteractionSpec::member(),
        "faq",
        json!([opt_sub("show", &[opt_focused("topic", typed)])]),
    );
    let callback = h.callback(id).await;
    assert_eq!(callback.callback_type(), Some(8));
    callback.body["data"]["choices"]
        .as_array()
        .expect("choices")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or_default().to_owned(),
                c["value"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn autocomplete_returns_fuzzy_matches() {
    let h = Harness::start().await;
    let typo = autocomplete(&h, "ocupational").await;
    assert_eq!(
        typo.first().map(|c| c.1.as_str()),
        Some("what-is-ot"),
        "{typo:?}"
    );
    assert_eq!(typo[0].0, h.title("what-is-ot"));
    let motor = autocomplete(&h, "motor").await;
    let values: Vec<&str> = motor.iter().map(|c| c.1.as_str()).collect();
    assert!(
        values.contains(&"fine-motor-skills") && values.contains(&"gross-motor-skills"),
        "{motor:?}"
    );
    let all = autocomplete(&h, "").await;
    assert_eq!(all.len(), h.knowledge.faq().len().min(25));
    h.stop().await;
}

#[tokio::test]
async fn did_you_mean_click_answers() {
    // A wide margin makes "what is therapy" (OT and PT score alike) a sure "did you mean".
    let h = Harness::start_with(&[("AMBIGUITY_MARGIN", "0.3")]).await;
    let question = h.send(&help("what is therapy"));
    let reply = h.reply_to(question).await;
    assert_eq!(
        reply.content(),
        Some(faqbot::reply::DID_YOU_MEAN),
        "{:#}",
        reply.body
    );
    assert_pings_no_one(&reply.body);
    let ids = custom_ids(&reply.body);
    assert!((2..=3).contains(&ids.len()), "{ids:?}");
    assert!(ids.iter().all(|id| id.starts_with("faq:show:")));
    let chosen = ids[0].trim_start_matches("faq:show:").to_owned();

    // Another member clicks the first choice: the answer, to them only.
    let spec = InteractionSpec {
        channel_id: HELP_CHANNEL_ID,
        user_id: OTHER_USER_ID,
        ..InteractionSpec::member()
    };
    let click = h
        .fake
        .component_interaction(&spec, &ids[0], reply.response.clone());
    let answer = h.callback(click).await;
    assert_eq!(answer.callback_type(), Some(4));
    assert_eq!(answer.body["data"]["flags"], json!(64));
    assert_answer_of(&h, &answer.body["data"], &chosen);
    assert_pings_no_one(&answer.body["data"]);

    // A button of an entry that no longer exists.
    let stale =
        h.fake
            .component_interaction(&spec, "faq:show:removed-entry", reply.response.clone());
    let gone = h.callback(stale).await;
    assert!(gone
        .data_content()
        .is_some_and(|c| c.contains("no longer exists")));
    assert_eq!(gone.body["data"]["flags"], json!(64));
    h.stop().await;
}

#[tokio::test]
async fn related_button_click_answers() {
    let h = Harness::start().await;
    let question = h.send(&help(OT_QUESTION));
    let reply = h.reply_to(question).await;
    let ids = custom_ids(&reply.body);
    let first = ids.first().expect("related buttons");
    let click =
        h.fake
            .component_interaction(&InteractionSpec::member(), first, reply.response.clone());
    let answer = h.callback(click).await;
    assert_answer_of(
        &h,
        &answer.body["data"],
        first.trim_start_matches("faq:show:"),
    );
    h.stop().await;
}

const NEW_ENTRY: &str = r#"+++
title = "Do you offer aquatic therapy?"
questions = [
  "do you offer aquatic therapy",
  "is there pool therapy for kids",
  "hydrotherapy for my child",
  "swimming pool exercises with a therapist",
  "water therapy sessions",
  "aquatic therapy for toddlers",
  "does the clinic have a therapy pool",
  "can my son do therapy in the water",
]
sources = ["Test article"]
+++
Not yet. Ask {clinic_name} about it.
"#;

async fn reload(h: &Harness, who: &InteractionSpec) -> (Recorded, Option<String>) {
    let mark = h.fake.mark();
    let id = h
        .fake
        .command_interaction(who, "faq", json!([opt_sub("reload", &[])]));
    let callback = h.callback(id).await;
    if callback.callback_type() != Some(5) {
        return (callback, None);
    }
    let follow = h
        .fake
        .wait_for_since(
            mark,
            |r| r.starts("POST", &format!("/webhooks/{APPLICATION_ID}/itok-{id}")),
            T,
        )
        .await
        .expect("reload report");
    assert_eq!(follow.body["flags"], json!(64));
    (callback, follow.content().map(str::to_owned))
}

#[tokio::test]
async fn faq_reload_is_for_moderators_and_keeps_the_old_faq_on_errors() {
    let h = Harness::start().await;
    std::fs::write(h.faq_dir().join("aquatic-therapy.md"), NEW_ENTRY).expect("write");
    let before = autocomplete(&h, "aquatic").await;
    assert!(before.iter().all(|c| c.1 != "aquatic-therapy"));

    // Refused for a member: neither the role nor Manage Server.
    let (refused, report) = reload(&h, &InteractionSpec::member()).await;
    assert_eq!(refused.callback_type(), Some(4));
    assert_eq!(report, None);
    assert!(
        refused
            .data_content()
            .is_some_and(|c| c.contains("Only moderators")),
        "{:#}",
        refused.body
    );
    assert_eq!(refused.body["data"]["flags"], json!(64));
    assert!(autocomplete(&h, "aquatic")
        .await
        .iter()
        .all(|c| c.1 != "aquatic-therapy"));

    // A moderator by role only (no Manage Server): reloaded.
    let by_role = InteractionSpec {
        member_roles: vec![MOD_ROLE_ID],
        ..InteractionSpec::member()
    };
    let (deferred, report) = reload(&h, &by_role).await;
    assert_eq!(deferred.body["data"]["flags"], json!(64));
    let report = report.expect("a report");
    assert!(
        report.starts_with(&format!(
            "FAQ reloaded: {} entries",
            h.knowledge.faq().len() + 1
        )),
        "{report}"
    );
    let after = autocomplete(&h, "aquatic").await;
    assert_eq!(after.first().map(|c| c.1.as_str()), Some("aquatic-therapy"));

    // A broken edit, by a moderator by Manage Server only: refused, the FAQ stays.
    std::fs::write(h.faq_dir().join("broken.md"), "no front matter here").expect("write");
    let by_permission = InteractionSpec {
        permissions: perm::DEFAULT_MEMBER | perm::MANAGE_GUILD,
        ..InteractionSpec::member()
    };
    let (_, report) = reload(&h, &by_permission).await;
    let report = report.expect("a report");
    assert!(report.starts_with("FAQ edit refused"), "{report}");
    assert!(report.contains("broken.md"), "{report}");
    let id = h.fake.command_interaction(
        &InteractionSpec::member(),
        "faq",
        json!([opt_sub("show", &[opt_str("topic", "aquatic-therapy")])]),
    );
    let shown = h.callback(id).await;
    assert_eq!(
        shown.body["data"]["embeds"][0]["title"],
        json!("Do you offer aquatic therapy?")
    );
    h.stop().await;
}

#[tokio::test]
async fn answer_from_faq_context_menu() {
    let h = Harness::start_with(&[("AMBIGUITY_MARGIN", "0.3")]).await;
    let target = message_json(
        snowflake(),
        &MessageSpec {
            author_id: OTHER_USER_ID,
            ..MessageSpec::guild(BOOK_QUESTION)
        },
    );
    let target_id: u64 = target["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("id");

    // A member cannot use it.
    let id = h.fake.message_command_interaction(
        &InteractionSpec::member(),
        "Answer from FAQ",
        target.clone(),
    );
    let refused = h.callback(id).await;
    assert!(refused
        .data_content()
        .is_some_and(|c| c.contains("Only moderators")));
    assert_eq!(h.replies_to(target_id), 0);

    // A moderator: the answer is posted as a reply to that message, the moderator told so.
    let id = h.fake.message_command_interaction(
        &InteractionSpec::moderator(),
        "Answer from FAQ",
        target.clone(),
    );
    let note = h.callback(id).await;
    let posted = h.reply_to(target_id).await;
    assert!(posted.is_message_in(GUILD_CHANNEL_ID));
    assert_answer_of(&h, &posted.body, "book-appointment");
    assert_pings_no_one(&posted.body);
    assert_eq!(note.body["data"]["flags"], json!(64));
    assert!(note
        .data_content()
        .is_some_and(|c| c.starts_with("Answered with")));

    // Not sure: the moderator picks from the closest entries, and the pick is posted.
    let unsure = message_json(snowflake(), &MessageSpec::guild("what is therapy"));
    let unsure_id: u64 = unsure["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("id");
    let id = h.fake.message_command_interaction(
        &InteractionSpec::moderator(),
        "Answer from FAQ",
        unsure,
    );
    let picker = h.callback(id).await;
    assert_eq!(h.replies_to(unsure_id), 0, "nothing posted before the pick");
    let picks = custom_ids(&picker.body["data"]);
    assert!(!picks.is_empty(), "{:#}", picker.body);
    let prefix = format!("faq:post:{unsure_id}:");
    assert!(picks.iter().all(|p| p.starts_with(&prefix)), "{picks:?}");
    let chosen = picks[0].trim_start_matches(&prefix).to_owned();
    let ephemeral_picker = json!({"id": snowflake().to_string(), "channel_id": GUILD_CHANNEL_ID.to_string(), "author": {"id": BOT_USER_ID.to_string(), "username": "faqbot", "discriminator": "0", "global_name": null, "avatar": null, "bot": true}, "content": "", "timestamp": "2024-01-01T00:00:00.000000+00:00", "edited_timestamp": null, "tts": false, "mention_everyone": false, "mentions": [], "mention_roles": [], "attachments": [], "embeds": [], "pinned": false, "type": 0, "flags": 64});
    // A member cannot press a moderator's button (even with its custom id).
    let click = h.fake.component_interaction(
        &InteractionSpec::member(),
        &picks[0],
        ephemeral_picker.clone(),
    );
    assert!(h
        .callback(click)
        .await
        .data_content()
        .is_some_and(|c| c.contains("Only moderators")));
    assert_eq!(h.replies_to(unsure_id), 0);
    let click =
        h.fake
            .component_interaction(&InteractionSpec::moderator(), &picks[0], ephemeral_picker);
    let updated = h.callback(click).await;
    assert_eq!(
        updated.callback_type(),
        Some(7),
        "the picker becomes a confirmation"
    );
    let posted = h.reply_to(unsure_id).await;
    assert_answer_of(&h, &posted.body, &chosen);
    h.stop().await;
}

#[tokio::test]
async fn cooldown_holds() {
    let h = Harness::start_with(&[("COOLDOWN_SECONDS", "60")]).await;
    let first = h.send(&help(OT_QUESTION));
    h.reply_to(first).await;
    // The same person again at once: silent in the help channel...
    let again = h.send(&help(BOOK_QUESTION));
    // ...one short note for questions addressed to the bot, then nothing.
    let mention_a = h.send(&mention(PT_QUESTION));
    let mention_b = h.send(&mention(PT_QUESTION));
    // Someone else is answered meanwhile.
    let other = h.send(&MessageSpec {
        author_id: OTHER_USER_ID,
        ..help(BOOK_QUESTION)
    });
    h.reply_to(other).await;
    let note = h
        .fake
        .wait_for(
            |r| matches!(r.reply_to(), Some(id) if id == mention_a || id == mention_b),
            T,
        )
        .await
        .expect("one cooldown note");
    assert!(
        note.content()
            .is_some_and(|c| c.contains("ask me again in")),
        "{:#}",
        note.body
    );
    assert_pings_no_one(&note.body);
    // The last reply (the other person's, or the note) is in; nothing else came.
    let marker = h.send(&MessageSpec {
        author_id: OTHER_USER_ID + 1,
        ..help(OT_QUESTION)
    });
    h.reply_to(marker).await;
    assert_eq!(h.replies_to(again), 0);
    assert_eq!(h.replies_to(mention_a) + h.replies_to(mention_b), 1);
    assert_eq!(h.replies_to(first), 1);
    h.stop().await;
}

#[tokio::test]
async fn reconnects_after_the_gateway_drops() {
    let h = Harness::start().await;
    let first = h.send(&help(OT_QUESTION));
    h.reply_to(first).await;
    assert!(h.fake.drop_gateway());
    // Sent while the bot reconnects: the fake delivers it after RESUMED (or READY).
    let second = h.send(&help(BOOK_QUESTION));
    let back = h
        .fake
        .wait_gateway(|s| s.ready && s.resumes + s.identifies >= 2, T)
        .await;
    assert!(back, "no reconnect: {:?}", h.fake.gateway_stats());
    assert_answer_of(&h, &h.reply_to(second).await.body, "book-appointment");
    h.stop().await;
}

#[tokio::test]
async fn shutdown_lets_the_replies_in_flight_finish() {
    let mut h = Harness::start().await;
    let hold = Duration::from_millis(700);
    let path = format!("/channels/{HELP_CHANNEL_ID}/messages");
    h.fake.delay_next("POST", &path, hold, 1);
    let question = h.send(&help(OT_QUESTION));
    // Bounded polling: until the bot's reply is on the wire, held by the fake.
    let deadline = std::time::Instant::now() + T;
    while h.fake.in_progress() == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the reply never started"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(h.replies_to(question), 0);
    // Stop as on SIGTERM: it returns only once the held reply has been answered.
    let started = std::time::Instant::now();
    h.shutdown_bot().await;
    assert!(
        started.elapsed() >= hold / 2,
        "shutdown did not wait: {:?}",
        started.elapsed()
    );
    assert_eq!(h.replies_to(question), 1, "the reply in flight was lost");
    assert_eq!(h.fake.in_progress(), 0);
}

#[tokio::test]
async fn a_post_in_a_help_forum_counts_as_the_help_channel() {
    let h = Harness::start().await;
    let thread = snowflake();
    h.fake.send_dispatch(
        "THREAD_CREATE",
        &json!({
            "id": thread.to_string(),
            "type": 11,
            "guild_id": GUILD_ID.to_string(),
            "parent_id": HELP_CHANNEL_ID.to_string(),
            "owner_id": USER_ID.to_string(),
            "name": "My toddler and OT",
            "last_message_id": null,
            "rate_limit_per_user": 0,
            "message_count": 0,
            "member_count": 1,
            "flags": 0,
            "newly_created": true,
            "thread_metadata": {
                "archived": false,
                "auto_archive_duration": 1440,
                "archive_timestamp": "2024-01-01T00:00:00.000000+00:00",
                "locked": false,
                "create_timestamp": "2024-01-01T00:00:00.000000+00:00"
            },
        }),
    );
    let in_thread = |content: &str| MessageSpec {
        channel_id: thread,
        ..MessageSpec::guild(content)
    };
    // Out of scope in the post: silence, as in the help channel; in scope: the answer.
    let chat = h.send(&in_thread(OUT_OF_SCOPE));
    let question = h.send(&in_thread(OT_QUESTION));
    let reply = h.reply_to(question).await;
    assert!(reply.is_message_in(thread));
    assert_answer_of(&h, &reply.body, "what-is-ot");
    assert_eq!(h.replies_to(chat), 0);
    h.stop().await;
}

#[tokio::test]
async fn run_refuses_bad_configuration_before_connecting() {
    let dir = tempfile::tempdir().expect("temp dir");
    let clinic = clinic();
    let base = vec![
        ("DISCORD_TOKEN", "fake-token".to_owned()),
        // Nothing listens here: these runs must stop before connecting.
        ("DISCORD_API_PROXY", "http://127.0.0.1:9".to_owned()),
        ("CLINIC_NAME", clinic.name),
        ("APPOINTMENT_URL", clinic.appointment_url),
        ("APPOINTMENT_PHONE", clinic.appointment_phone),
    ];
    let mut bad_id = base.clone();
    bad_id.push(("HELP_CHANNEL_IDS", "123,help-channel".to_owned()));
    bad_id.push((
        "FAQ_DIR",
        support::harness::shipped_faq().display().to_string(),
    ));
    let out = faqbot(dir.path(), &bad_id).output().expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("HELP_CHANNEL_IDS") && stderr.contains("help-channel"),
        "{stderr}"
    );

    let mut broken_faq = base;
    let broken = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/faq-broken");
    broken_faq.push(("FAQ_DIR", broken.display().to_string()));
    let out = faqbot(dir.path(), &broken_faq).output().expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no-title.md:"), "{stderr}");
    assert!(stderr.contains("fix the FAQ"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_exits_1_when_discord_refuses_the_token() {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let clinic = clinic();
    let env = [
        ("DISCORD_TOKEN", "fake-token".to_owned()),
        ("DISCORD_API_PROXY", fake.base_url().to_owned()),
        (
            "FAQ_DIR",
            support::harness::shipped_faq().display().to_string(),
        ),
        ("CLINIC_NAME", clinic.name),
        ("APPOINTMENT_URL", clinic.appointment_url),
        ("APPOINTMENT_PHONE", clinic.appointment_phone),
    ];
    let child = tokio::process::Command::from(faqbot(dir.path(), &env))
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn faqbot run");
    assert!(fake.wait_ready(T).await, "faqbot run never got READY");
    // 4004: authentication failed.
    assert!(fake.close_gateway(4004));
    let out = tokio::time::timeout(T, child.wait_with_output())
        .await
        .expect("faqbot run stopped in time")
        .expect("output");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Discord refused the bot token"), "{stderr}");
}

#[tokio::test]
async fn a_shard_range_identifies_as_its_shard() {
    // One process of several: this one runs shard 0 of 1 (the fake has one), without asking
    // Discord for a recommendation (`/gateway/bot`).
    let h = Harness::start_with(&[("SHARDS", "0/1")]).await;
    let identify = h.fake.last_identify().expect("identify");
    assert_eq!(identify["shard"], json!([0, 1]));
    assert_eq!(h.fake.count(|r| r.is("GET", "/gateway/bot")), 0);
    let question = h.send(&help(OT_QUESTION));
    h.reply_to(question).await;
    h.stop().await;
}

#[tokio::test]
async fn a_failed_reply_is_logged_and_the_next_message_answered() {
    let h = Harness::start().await;
    h.fake.fail_next(
        "POST",
        &format!("/channels/{HELP_CHANNEL_ID}/messages"),
        500,
    );
    let first = h.send(&help(OT_QUESTION));
    let failed = h
        .fake
        .wait_for(|r| r.reply_to() == Some(first), T)
        .await
        .expect("the reply was attempted");
    assert_eq!(failed.status, 500);
    let second = h.send(&help(BOOK_QUESTION));
    assert_answer_of(&h, &h.reply_to(second).await.body, "book-appointment");

    let first_id = first.to_string();
    let warned = logs().into_iter().any(|e| {
        e["level"] == json!("WARN")
            && e["fields"]["message"] == json!("could not send a reply")
            && e["fields"]["message_id"].as_str().map_or_else(
                || e["fields"].to_string().contains(&first_id),
                |m| m == first_id,
            )
    });
    assert!(warned, "no warning for {first}: {}", log_text());
    let failed_event = logs().into_iter().any(|e| {
        e["fields"]["message"] == json!("question handled")
            && e["fields"]["reply"] == json!("failed")
    });
    assert!(failed_event);
    h.stop().await;
}

#[tokio::test]
async fn one_log_event_per_question_without_its_text() {
    let h = Harness::start().await;
    // A DM is always answered, whatever the marker word does to the match.
    let marker = "zebracornflakes";
    let dm_user = OTHER_USER_ID + 7;
    let dm = h.send(&MessageSpec::dm(
        dm_user,
        &format!("{OT_QUESTION} {marker}"),
    ));
    h.reply_to(dm).await;
    let asked = h.send(&help(OT_QUESTION));
    h.reply_to(asked).await;
    let handled: Vec<Value> = logs()
        .into_iter()
        .filter(|e| e["fields"]["message"] == json!("question handled"))
        .collect();
    assert!(handled
        .iter()
        .any(|e| e["fields"]["origin"] == json!("direct_message")));
    let event = handled
        .iter()
        .find(|e| {
            e["fields"]["origin"] == json!("help_channel")
                && e["fields"]["entry"] == json!("what-is-ot")
                && e["fields"]["reply"] == json!("sent")
        })
        .unwrap_or_else(|| panic!("no event: {}", log_text()));
    assert_eq!(event["level"], json!("INFO"));
    let f = &event["fields"];
    assert_eq!(f["outcome"], json!("answer"));
    assert!(
        f["score"]
            .as_str()
            .is_some_and(|s| s.parse::<f32>().is_ok()),
        "{f}"
    );
    assert!(
        f["latency_ms"]
            .as_str()
            .is_some_and(|s| s.parse::<f64>().is_ok()),
        "{f}"
    );
    assert!(
        f["answer_id"].as_str().is_some_and(|s| s.len() == 16),
        "{f}"
    );
    assert!(!log_text().contains(marker), "question text at info");
    assert!(!log_text().contains("fake-token"), "the token in the logs");
    h.stop().await;
}

#[tokio::test]
async fn questions_are_in_the_question_log_after_shutdown() {
    let h = Harness::start().await;
    let a = h.send(&help(OT_QUESTION));
    let b = h.send(&MessageSpec::dm(USER_ID, OUT_OF_SCOPE));
    let id = h.fake.command_interaction(
        &InteractionSpec::member(),
        "ask",
        json!([opt_str("question", PT_QUESTION)]),
    );
    h.reply_to(a).await;
    h.reply_to(b).await;
    h.callback(id).await;
    // Shutdown closes the log: everything is written, and the file opens again.
    let dir = h.stop().await;
    let log = QuestionLog::open(&LogConfig::new(dir.path().join("questions.sqlite3")))
        .expect("the question log opens");
    let report = log.report(0).expect("report");
    assert_eq!(report.total_questions, 3, "{report:#?}");
    let by = |origin: Origin| {
        report
            .by_origin
            .iter()
            .find(|o| o.origin == origin)
            .map_or(0, |o| o.count)
    };
    assert_eq!(
        (
            by(Origin::HelpChannel),
            by(Origin::DirectMessage),
            by(Origin::SlashCommand)
        ),
        (1, 1, 1)
    );
    assert!(report
        .top_entries
        .iter()
        .any(|e| e.entry_id == "what-is-ot"));
    assert_eq!(report.unanswered.len(), 1, "{report:#?}");
    log.close().expect("close");
}

/// The `faqbot` binary, with only the given environment, in an empty directory (no `.env`).
fn faqbot(dir: &std::path::Path, env: &[(&str, String)]) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_faqbot"));
    command.env_clear().current_dir(dir).arg("run");
    for (k, v) in env {
        command.env(k, v);
    }
    command
}

#[test]
fn run_without_a_token_exits_1_with_one_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = faqbot(dir.path(), &[]).output().expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    for needle in ["DISCORD_TOKEN", ".env", "README", "Message Content"] {
        assert!(stderr.contains(needle), "{needle}: {stderr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_answers_then_stops_on_sigterm_with_exit_0() {
    let fake = FakeDiscord::start_with(support::fake_discord::FakeConfig {
        guild_channels: vec![GUILD_CHANNEL_ID, HELP_CHANNEL_ID],
        ..support::fake_discord::FakeConfig::default()
    })
    .await;
    let dir = tempfile::tempdir().expect("temp dir");
    support::harness::copy_faq(&support::harness::shipped_faq(), &dir.path().join("faq"));
    let clinic = clinic();
    let env = [
        ("DISCORD_TOKEN", "fake-token".to_owned()),
        ("DISCORD_API_PROXY", fake.base_url().to_owned()),
        ("HELP_CHANNEL_IDS", HELP_CHANNEL_ID.to_string()),
        ("CLINIC_NAME", clinic.name),
        ("APPOINTMENT_URL", clinic.appointment_url),
        ("APPOINTMENT_PHONE", clinic.appointment_phone),
        ("RUST_LOG", "warn,faqbot=info".to_owned()),
    ];
    let mut child = tokio::process::Command::from(faqbot(dir.path(), &env))
        .arg("--log-format")
        .arg("json")
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn faqbot run");
    assert!(fake.wait_ready(T).await, "faqbot run never got READY");
    let question = fake.message_create(&help(OT_QUESTION));
    let reply = fake
        .wait_for(|r| r.reply_to() == Some(question) && r.status == 200, T)
        .await
        .expect("a reply from faqbot run");
    assert!(reply.body["embeds"][0]["title"].is_string());

    let pid = child.id().expect("pid").to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = tokio::time::timeout(T, fake.nudge_during(child.wait()))
        .await
        .expect("faqbot run stopped in time")
        .expect("wait");
    assert_eq!(status.code(), Some(0));
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        use tokio::io::AsyncReadExt as _;
        pipe.read_to_string(&mut stderr).await.expect("stderr");
    }
    assert!(stderr.contains("question handled"), "{stderr}");
    assert!(stderr.contains("SIGTERM"), "{stderr}");
    assert!(!stderr.contains("fake-token"), "{stderr}");
    assert!(!stderr.contains(OT_QUESTION), "{stderr}");
    // The question log was created in the working directory.
    assert!(dir.path().join("faqbot.sqlite3").exists());
}

fn at(user_id: u64) -> InteractionSpec {
    InteractionSpec {
        channel_id: HELP_CHANNEL_ID,
        user_id,
        ..InteractionSpec::member()
    }
}

#[tokio::test]
async fn votes_are_stored_once_per_person_and_thanked() {
    let mod_log = MOD_LOG_CHANNEL_ID.to_string();
    let h = Harness::start_with(&[("MOD_LOG_CHANNEL_ID", &mod_log)]).await;
    let question = h.send(&help(OT_QUESTION));
    let reply = h.reply_to(question).await;
    let ids = custom_ids(&reply.body);
    let helpful = ids
        .iter()
        .find(|id| id.ends_with(":y"))
        .expect("helpful")
        .clone();
    let not_helpful = helpful.replace(":y", ":n");
    let click = |who: u64, id: &str| {
        h.fake
            .component_interaction(&at(who), id, reply.response.clone())
    };

    let thanks = h.callback(click(USER_ID, &helpful)).await;
    assert_eq!(thanks.body["data"]["flags"], json!(64));
    assert!(thanks
        .data_content()
        .is_some_and(|c| c.contains("glad it helped")));
    assert_pings_no_one(&thanks.body["data"]);
    let again = h.callback(click(USER_ID, &helpful)).await;
    assert!(again
        .data_content()
        .is_some_and(|c| c.contains("already told us")));
    let changed = h.callback(click(USER_ID, &not_helpful)).await;
    assert!(changed
        .data_content()
        .is_some_and(|c| c.contains("changed your vote")));
    // Someone else finds it not helpful: thanked, and offered a moderator.
    let other = h.callback(click(OTHER_USER_ID, &not_helpful)).await;
    assert!(other
        .data_content()
        .is_some_and(|c| c.contains("ask a moderator")));
    let ask = custom_ids(&other.body["data"]);
    assert_eq!(ask.len(), 1);
    assert!(ask[0].starts_with("faq:askmod:"));

    let dir = h.stop().await;
    let log = QuestionLog::open(&LogConfig::new(dir.path().join("questions.sqlite3")))
        .expect("the question log opens");
    let report = log.report(0).expect("report");
    let votes = report
        .most_not_helpful
        .iter()
        .find(|e| e.entry_id == "what-is-ot")
        .unwrap_or_else(|| panic!("{report:#?}"));
    assert_eq!((votes.not_helpful, votes.helpful), (2, 0));
    log.close().expect("close");
}

#[tokio::test]
async fn ask_a_moderator_posts_the_question_to_the_moderators() {
    let mod_log = MOD_LOG_CHANNEL_ID.to_string();
    let h = Harness::start_with(&[("MOD_LOG_CHANNEL_ID", &mod_log)]).await;
    let question = h.send(&MessageSpec {
        channel_id: HELP_CHANNEL_ID,
        ..mention(&format!("@everyone {OUT_OF_SCOPE}"))
    });
    let fallback = h.reply_to(question).await;
    let ids = custom_ids(&fallback.body);
    assert_eq!(ids.len(), 1, "{:#}", fallback.body);
    assert!(ids[0].starts_with("faq:askmod:"));

    let click = h
        .fake
        .component_interaction(&at(USER_ID), &ids[0], fallback.response.clone());
    let told = h.callback(click).await;
    assert_eq!(told.body["data"]["flags"], json!(64));
    assert!(told
        .data_content()
        .is_some_and(|c| c.contains("someone will follow up")));
    let posted = h
        .fake
        .wait_for(is_moderator_request, T)
        .await
        .expect("posted to the moderators");
    let text = posted.content().expect("content");
    assert!(text.contains(&format!("<@{USER_ID}>")), "{text}");
    assert!(text.contains(&format!("<#{HELP_CHANNEL_ID}>")), "{text}");
    assert!(text.contains(OUT_OF_SCOPE), "{text}");
    assert!(text.contains("no answer in the FAQ"), "{text}");
    assert!(
        text.contains(&format!(
            "https://discord.com/channels/{GUILD_ID}/{HELP_CHANNEL_ID}/{question}"
        )),
        "{text}"
    );
    assert_pings_no_one(&posted.body);

    // Once per question.
    let again = h
        .fake
        .component_interaction(&at(USER_ID), &ids[0], fallback.response.clone());
    assert!(h
        .callback(again)
        .await
        .data_content()
        .is_some_and(|c| c.contains("already have")));
    assert_eq!(h.fake.count(is_moderator_request), 1);
    h.stop().await;
}

/// A post of "Ask a moderator" in the moderators' channel (not a review queue post).
fn is_moderator_request(r: &Recorded) -> bool {
    r.is_message_in(MOD_LOG_CHANNEL_ID)
        && r.content()
            .is_some_and(|c| c.starts_with("**A parent asked for a moderator:**"))
}

#[tokio::test]
async fn faq_stats_is_for_moderators() {
    let h = Harness::start().await;
    let a = h.send(&help(OT_QUESTION));
    let b = h.send(&MessageSpec::dm(USER_ID, OUT_OF_SCOPE));
    h.reply_to(a).await;
    h.reply_to(b).await;
    let stats = |who: &InteractionSpec| {
        h.fake
            .command_interaction(who, "faq", json!([opt_sub("stats", &[])]))
    };
    let refused = h.callback(stats(&InteractionSpec::member())).await;
    assert!(refused
        .data_content()
        .is_some_and(|c| c.contains("Only moderators")));

    let mark = h.fake.mark();
    let id = stats(&InteractionSpec::moderator());
    let deferred = h.callback(id).await;
    assert_eq!(deferred.callback_type(), Some(5));
    let report = h
        .fake
        .wait_for_since(
            mark,
            |r| r.starts("POST", &format!("/webhooks/{APPLICATION_ID}/itok-{id}")),
            T,
        )
        .await
        .expect("the report");
    assert_eq!(report.body["flags"], json!(64));
    assert_pings_no_one(&report.body);
    let text = report.content().expect("content");
    assert!(text.starts_with("Question report"), "{text}");
    assert!(text.contains("Questions: 2"), "{text}");
    assert!(text.contains(OUT_OF_SCOPE), "{text}");
    h.stop().await;
}

#[tokio::test]
async fn refused_non_moderator_user_id_is_not_logged_at_info() {
    // A user id no other test uses, so another test's events cannot hide or fake the result.
    const REFUSED_USER_ID: u64 = 1_100_000_000_000_000_777;
    let h = Harness::start().await;
    let who = InteractionSpec {
        user_id: REFUSED_USER_ID,
        ..InteractionSpec::member()
    };
    let (refused, _) = reload(&h, &who).await;
    assert!(
        refused
            .data_content()
            .is_some_and(|c| c.contains("Only moderators")),
        "{:#}",
        refused.body
    );
    h.stop().await;
    assert!(
        logs()
            .iter()
            .any(|e| e["fields"]["message"] == json!("moderator command refused")),
        "the refusal is logged: {}",
        log_text()
    );
    assert!(
        !log_text().contains(&REFUSED_USER_ID.to_string()),
        "the refused user's id is in the info logs: {}",
        log_text()
    );
}

#[tokio::test]
async fn faq_reload_logged_the_moderators_id_at_info() {
    // A user id no other test uses, so another test's events cannot hide or fake the result.
    const RELOADING_MODERATOR_ID: u64 = 1_100_000_000_000_000_778;
    let h = Harness::start().await;
    let who = InteractionSpec {
        user_id: RELOADING_MODERATOR_ID,
        ..InteractionSpec::moderator()
    };
    let (_, report) = reload(&h, &who).await;
    assert!(
        report
            .as_deref()
            .is_some_and(|r| r.contains("FAQ reloaded")),
        "{report:?}"
    );
    h.stop().await;
    assert!(
        logs()
            .iter()
            .any(|e| e["fields"]["message"] == json!("FAQ reloaded by a moderator")),
        "the reload is logged: {}",
        log_text()
    );
    assert!(
        !log_text().contains(&RELOADING_MODERATOR_ID.to_string()),
        "the moderator's id is in the info logs: {}",
        log_text()
    );
}

#[tokio::test]
async fn poise_overwrote_initialize_owners_and_logged_failed_to_insert_owners() {
    // A token whose application cannot be read: poise, if it asks, warns "Failed to insert
    // owners from HTTP". The bot does not use owners, so it must not ask at all.
    let h = Harness::start_prepared(&[], |fake| {
        fake.fail_next("GET", "/oauth2/applications/@me", 403);
    })
    .await;
    let question = h.send(&help(OT_QUESTION));
    h.reply_to(question).await;
    assert_eq!(
        h.fake.count(|r| r.is("GET", "/oauth2/applications/@me")),
        0,
        "poise still asks Discord for the owners"
    );
    assert!(
        !log_text().contains("Failed to insert owners"),
        "{}",
        log_text()
    );
    h.stop().await;
}

/// The ways a token shows up in a log line: as text, hex (either case), and a decimal byte
/// list as `Debug` and JSON print one.
fn token_forms(token: &str) -> Vec<String> {
    let bytes = token.as_bytes();
    let hex = bytes.iter().fold(String::new(), |mut hex, b| {
        let _ = std::fmt::Write::write_fmt(&mut hex, format_args!("{b:02x}"));
        hex
    });
    let decimal: Vec<String> = bytes.iter().map(u8::to_string).collect();
    vec![
        token.to_owned(),
        hex.to_ascii_uppercase(),
        hex,
        decimal.join(", "),
        decimal.join(","),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bot_token_is_printed_at_rust_log_trace() {
    // Shaped like a real token (the fake accepts any).
    let token = "MTEwMDAwMDAwMDAwMDAwMDAwMQ.GfAkEt.0123456789abcdefghijklmnopqrstuvwxyzAB";
    for format in ["pretty", "json"] {
        let fake = FakeDiscord::start_with(support::fake_discord::FakeConfig {
            guild_channels: vec![GUILD_CHANNEL_ID, HELP_CHANNEL_ID],
            ..support::fake_discord::FakeConfig::default()
        })
        .await;
        let dir = tempfile::tempdir().expect("temp dir");
        support::harness::copy_faq(&support::harness::shipped_faq(), &dir.path().join("faq"));
        let clinic = clinic();
        let env = [
            ("DISCORD_TOKEN", token.to_owned()),
            ("DISCORD_API_PROXY", fake.base_url().to_owned()),
            ("HELP_CHANNEL_IDS", HELP_CHANNEL_ID.to_string()),
            ("CLINIC_NAME", clinic.name),
            ("APPOINTMENT_URL", clinic.appointment_url),
            ("APPOINTMENT_PHONE", clinic.appointment_phone),
            ("WATCH_FAQ", "false".to_owned()),
            ("RUST_LOG", "trace".to_owned()),
        ];
        let mut child = tokio::process::Command::from(faqbot(dir.path(), &env))
            .arg("--log-format")
            .arg(format)
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn faqbot run");
        // Read standard error as it comes: at trace it is more than a pipe holds.
        let mut pipe = child.stderr.take().expect("stderr");
        let reader = tokio::spawn(async move {
            use tokio::io::AsyncReadExt as _;
            let mut out = Vec::new();
            let _ = pipe.read_to_end(&mut out).await;
            out
        });
        assert!(fake.wait_ready(T).await, "faqbot run never got READY");
        // The token did go over the wire, in the IDENTIFY frame.
        let identify = fake.last_identify().expect("identify");
        assert!(identify["token"]
            .as_str()
            .is_some_and(|t| t.contains(token)));
        let question = fake.message_create(&help(OT_QUESTION));
        fake.wait_for(|r| r.reply_to() == Some(question) && r.status == 200, T)
            .await
            .expect("a reply from faqbot run");
        let pid = child.id().expect("pid").to_string();
        let killed = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        assert!(killed.success());
        let status = tokio::time::timeout(T, fake.nudge_during(child.wait()))
            .await
            .expect("faqbot run stopped in time")
            .expect("wait");
        assert_eq!(status.code(), Some(0));
        let stderr = String::from_utf8_lossy(&reader.await.expect("reader")).into_owned();
        // Trace level really was on.
        assert!(stderr.contains("TRACE"), "{format}: no trace lines");
        for form in token_forms(token) {
            let line = stderr.lines().find(|l| l.contains(&form));
            assert!(
                line.is_none(),
                "{format}: the token as {form:?} in {line:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_429_from_the_proxy_lost_the_reply_after_one_attempt() {
    let h = Harness::start().await;
    let path = format!("/channels/{HELP_CHANNEL_ID}/messages");
    let retry_after = Duration::from_millis(300);
    h.fake.rate_limit_next("POST", &path, retry_after, 1);
    let question = h.send(&help(OT_QUESTION));
    let limited = h
        .fake
        .wait_for(|r| r.reply_to() == Some(question) && r.status == 429, T)
        .await
        .expect("the first attempt");
    let reply = h.reply_to(question).await;
    assert_answer_of(&h, &reply.body, "what-is-ot");
    let gap = reply.at.duration_since(limited.answered);
    assert!(
        gap >= retry_after,
        "retried after {gap:?}, before retry_after"
    );
    assert_eq!(h.replies_to(question), 2, "one 429, then the reply");
    h.stop().await;
}

#[tokio::test]
async fn a_429_on_every_attempt_gives_up_with_one_warning_naming_the_rate_limit() {
    let h = Harness::start().await;
    let path = format!("/channels/{HELP_CHANNEL_ID}/messages");
    h.fake
        .rate_limit_next("POST", &path, Duration::from_millis(20), 1000);
    let question = h.send(&help(OT_QUESTION));
    let id = question.to_string();
    let about_it = |e: &Value| {
        e["fields"]["message"] == json!("could not send a reply")
            && e["fields"]["message_id"].as_str() == Some(id.as_str())
    };
    let warning = support::harness::wait_for_log(about_it, T)
        .await
        .unwrap_or_else(|| panic!("no warning: {}", log_text()));
    assert_eq!(warning["level"], json!("WARN"));
    let error = warning["fields"]["error"].as_str().unwrap_or_default();
    assert!(error.contains("rate limited"), "{error}");
    assert!(error.contains(&path), "{error}");
    assert!(error.contains("retry after"), "{error}");
    assert!(error.contains("attempt"), "{error}");
    assert!(!error.contains("Could not decode"), "{error}");
    assert_eq!(
        h.replies_to(question),
        faqbot::discord::rest::MAX_ATTEMPTS as usize,
        "attempts"
    );
    assert_eq!(logs().iter().filter(|e| about_it(e)).count(), 1);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_slow_rest_call_stalls_every_channel() {
    let h = Harness::start().await;
    // Discord is slow in one channel: more replies are held there than the events the bot
    // once handled at once (32, then 1 024, each holding its turn across the REST wait).
    let slow = format!("/channels/{GUILD_CHANNEL_ID}/messages");
    let held = 1100;
    h.fake
        .delay_next("POST", &slow, Duration::from_secs(6), held);
    for _ in 0..held {
        h.send(&mention(OT_QUESTION));
    }
    // Bounded polling: until every reply in the slow channel is on the wire at once (waiting
    // for Discord is not bounded by the matching work).
    let deadline = std::time::Instant::now() + T;
    while h.fake.in_progress() < held as usize {
        assert!(
            std::time::Instant::now() < deadline,
            "only {} of {held} replies were sent while Discord was slow",
            h.fake.in_progress()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // A parent in another channel (a DM) is answered while those still wait.
    let dm = h.send(&MessageSpec::dm(OTHER_USER_ID, BOOK_QUESTION));
    h.reply_to(dm).await;
    let slow_done = h.fake.count(|r| r.is_message_in(GUILD_CHANNEL_ID));
    assert_eq!(slow_done, 0, "the DM waited for the slow channel");
    h.stop().await;
}

/// The attempts at interaction `id`'s first response: (status, arrived, answered) in order.
fn callbacks_of(h: &Harness, id: u64) -> Vec<(u16, std::time::Instant, std::time::Instant)> {
    h.fake
        .requests()
        .iter()
        .filter(|r| r.is_callback_of(id))
        .map(|r| (r.status, r.at, r.answered))
        .collect()
}

/// Waits for the successful first response to interaction `id`, after a 429 on the first try;
/// checks that the retry waited `retry_after`.
async fn retried_callback(h: &Harness, id: u64, retry_after: Duration) -> Recorded {
    let answered = h
        .fake
        .wait_for(|r| r.is_callback_of(id) && r.status == 204, T)
        .await
        .unwrap_or_else(|| panic!("no response after the 429: {:?}", callbacks_of(h, id)));
    let attempts = callbacks_of(h, id);
    assert_eq!(
        attempts.len(),
        2,
        "one 429, then the response: {attempts:?}"
    );
    assert_eq!(attempts[0].0, 429);
    let gap = attempts[1].1.duration_since(attempts[0].2);
    assert!(
        gap >= retry_after,
        "retried after {gap:?}, before retry_after"
    );
    answered
}

#[tokio::test]
async fn a_429_on_an_interaction_response_lost_it_after_one_attempt() {
    let mod_log = MOD_LOG_CHANNEL_ID.to_string();
    let h = Harness::start_with(&[("MOD_LOG_CHANNEL_ID", &mod_log)]).await;
    let retry_after = Duration::from_millis(300);

    // A slash command: /ask.
    h.fake
        .rate_limit_next("POST", "/interactions/", retry_after, 1);
    let ask = h.fake.command_interaction(
        &InteractionSpec::member(),
        "ask",
        json!([opt_str("question", PT_QUESTION)]),
    );
    let answer = retried_callback(&h, ask, retry_after).await;
    assert_answer_of(&h, &answer.body["data"], "what-is-pt");

    // A button: "Helpful" under a reply.
    let question = h.send(&help(OT_QUESTION));
    let reply = h.reply_to(question).await;
    let helpful = custom_ids(&reply.body)
        .into_iter()
        .find(|id| id.ends_with(":y"))
        .expect("helpful");
    h.fake
        .rate_limit_next("POST", "/interactions/", retry_after, 1);
    let click = h
        .fake
        .component_interaction(&at(USER_ID), &helpful, reply.response.clone());
    let thanks = retried_callback(&h, click, retry_after).await;
    assert!(thanks
        .data_content()
        .is_some_and(|c| c.contains("glad it helped")));
    h.stop().await;
}

#[tokio::test]
async fn a_429_on_the_moderators_channel_lost_the_question_after_one_attempt() {
    let mod_log = MOD_LOG_CHANNEL_ID.to_string();
    let h = Harness::start_with(&[("MOD_LOG_CHANNEL_ID", &mod_log)]).await;
    let question = h.send(&MessageSpec {
        channel_id: HELP_CHANNEL_ID,
        ..mention(OUT_OF_SCOPE)
    });
    let fallback = h.reply_to(question).await;
    let ask = custom_ids(&fallback.body)
        .into_iter()
        .find(|id| id.starts_with("faq:askmod:"))
        .expect("ask a moderator");
    // The question's review queue post first, so the 429 meets the moderator request.
    h.fake
        .wait_for(
            |r| {
                r.is_message_in(MOD_LOG_CHANNEL_ID)
                    && r.content()
                        .is_some_and(|c| c.starts_with("**Review queue**"))
            },
            T,
        )
        .await
        .expect("the review queue post");
    let retry_after = Duration::from_millis(300);
    let path = format!("/channels/{MOD_LOG_CHANNEL_ID}/messages");
    h.fake.rate_limit_next("POST", &path, retry_after, 1);
    let click = h
        .fake
        .component_interaction(&at(USER_ID), &ask, fallback.response.clone());
    let told = h.callback(click).await;
    assert!(
        told.data_content()
            .is_some_and(|c| c.contains("someone will follow up")),
        "{:#}",
        told.body
    );
    let posts: Vec<Recorded> = h
        .fake
        .requests()
        .into_iter()
        .filter(|r| {
            r.is_message_in(MOD_LOG_CHANNEL_ID)
                && !r
                    .content()
                    .is_some_and(|c| c.starts_with("**Review queue**"))
        })
        .collect();
    assert_eq!(posts.len(), 2, "one 429, then the post");
    assert_eq!((posts[0].status, posts[1].status), (429, 200));
    assert!(posts[1].at.duration_since(posts[0].answered) >= retry_after);
    assert!(posts[1].content().is_some_and(|c| c.contains(OUT_OF_SCOPE)));
    h.stop().await;
}

#[tokio::test]
async fn a_429_on_every_interaction_response_gives_up_with_one_warning_naming_the_rate_limit() {
    let h = Harness::start().await;
    let question = h.send(&help(BOOK_QUESTION));
    let reply = h.reply_to(question).await;
    let helpful = custom_ids(&reply.body)
        .into_iter()
        .find(|id| id.ends_with(":y"))
        .expect("helpful");
    h.fake
        .rate_limit_next("POST", "/interactions/", Duration::from_millis(20), 1000);
    let click = h
        .fake
        .component_interaction(&at(USER_ID), &helpful, reply.response.clone());
    let about_it = |e: &Value| {
        e["fields"]["message"] == json!("could not answer a button click")
            && e["fields"]["custom_id"].as_str() == Some(helpful.as_str())
    };
    let warning = support::harness::wait_for_log(about_it, T)
        .await
        .unwrap_or_else(|| panic!("no warning: {}", log_text()));
    assert_eq!(warning["level"], json!("WARN"));
    let error = warning["fields"]["error"].as_str().unwrap_or_default();
    assert!(error.contains("rate limited"), "{error}");
    assert!(
        error.contains(&format!("/interactions/{click}/:token/callback")),
        "{error}"
    );
    assert!(
        !error.contains(&format!("itok-{click}")),
        "the token: {error}"
    );
    assert!(error.contains("retry after"), "{error}");
    assert!(error.contains("attempt"), "{error}");
    assert!(!error.contains("Could not decode"), "{error}");
    assert_eq!(
        callbacks_of(&h, click).len(),
        faqbot::discord::rest::MAX_ATTEMPTS as usize
    );
    assert_eq!(logs().iter().filter(|e| about_it(e)).count(), 1);
    h.stop().await;
}

#[tokio::test]
async fn an_invalid_session_re_identifies_and_later_messages_are_answered() {
    let h = Harness::start().await;
    let first = h.send(&help(OT_QUESTION));
    h.reply_to(first).await;
    assert!(h.fake.invalidate_session(false));
    // Sent while the bot has no session: Discord does not replay it to the new one.
    let in_the_gap = h.send(&help(PT_QUESTION));
    // serenity waits 5 s between IDENTIFYs.
    let back = h
        .fake
        .wait_gateway(|s| s.ready && s.identifies >= 2, T)
        .await;
    assert!(back, "no new session: {:?}", h.fake.gateway_stats());
    assert_eq!(h.fake.gateway_stats().dropped, 1);
    let after = h.send(&help(BOOK_QUESTION));
    assert_answer_of(&h, &h.reply_to(after).await.body, "book-appointment");
    assert_eq!(h.replies_to(in_the_gap), 0);
    h.stop().await;
}
