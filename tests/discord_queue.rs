//! The review queue end to end, through the real bot, a fake Discord and the FAQ files on disk:
//! unanswered questions posted once to the moderators' channel, grouped; a moderator's pick
//! and edited phrasing written to the entry's file (the rest of it byte for byte as it was)
//! and answered at once; refusals for non-moderators and for broken entries, with nothing
//! written; two moderators editing at once; a moderator's reply kept with the item.

use crate::support;

use faqbot::discord::{self, BotConfig};
use faqbot::store::{LogConfig, QuestionLog};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;
use support::fake_discord::{
    components, opt_str, opt_sub, InteractionSpec, MessageSpec, Recorded, GUILD_CHANNEL_ID,
    GUILD_ID, MOD_ROLE_ID, USER_ID,
};
use support::files::snapshot;
use support::harness::{clinic, help, mention, Harness, HELP_CHANNEL_ID, T};

/// The moderators' channel.
const MOD_LOG_CHANNEL_ID: u64 = 1_100_000_000_000_000_011;
/// A second moderator.
const OTHER_MOD_ID: u64 = 1_100_000_000_000_000_021;
/// A parent (not a moderator).
const PARENT_ID: u64 = 1_100_000_000_000_000_022;

/// Not in the shipped FAQ; the closest entry is `ot-session`.
const SESSION_QUESTION: &str = "how long is a session";
/// Not in the shipped FAQ, with a child's name in it; the closest entry is `ot-session`.
const STAY_QUESTION: &str = "can I stay in the room during Emma's session";
/// What a moderator makes of it.
const STAY_PHRASING: &str = "can I stay in the room during my child's session";
/// A moderator's answer to [`SESSION_QUESTION`].
const ANSWER: &str = "Sessions are 45 minutes, once a week to start.";
/// A moderator's answer to [`PARKING_QUESTION`].
const PARKING_ANSWER: &str = "Yes, behind the building.";
/// Not in the shipped FAQ.
const PARKING_QUESTION: &str = "is there parking at the clinic";

async fn start() -> Harness {
    let mod_log = MOD_LOG_CHANNEL_ID.to_string();
    Harness::start_with(&[("MOD_LOG_CHANNEL_ID", &mod_log)]).await
}

/// A bot on the fake and the folder of a stopped one (its FAQ and question log), as after a
/// restart.
async fn restart(h: &mut Harness) {
    h.shutdown_bot().await;
    let env: BTreeMap<&str, String> = [
        ("DISCORD_TOKEN", "fake-token".to_owned()),
        ("DISCORD_API_PROXY", h.fake.base_url().to_owned()),
        ("HELP_CHANNEL_IDS", HELP_CHANNEL_ID.to_string()),
        ("MODERATOR_ROLE_IDS", MOD_ROLE_ID.to_string()),
        ("MOD_LOG_CHANNEL_ID", MOD_LOG_CHANNEL_ID.to_string()),
        ("CLINIC_NAME", clinic().name),
        ("APPOINTMENT_URL", clinic().appointment_url),
        ("APPOINTMENT_PHONE", clinic().appointment_phone),
        ("FAQ_DIR", h.faq_dir().display().to_string()),
        (
            "QUESTION_LOG_PATH",
            h.dir.path().join("questions.sqlite3").display().to_string(),
        ),
        ("COOLDOWN_SECONDS", "0".to_owned()),
        ("WATCH_FAQ", "false".to_owned()),
    ]
    .into_iter()
    .collect();
    let config = BotConfig::from_env(&|k: &str| env.get(k).cloned()).expect("bot config");
    let readies = h.fake.gateway_stats().readies;
    h.bot = Some(discord::start(config).await.expect("the bot starts again"));
    assert!(
        h.fake
            .wait_gateway(|g| g.readies > readies && g.ready, T)
            .await,
        "the bot never got READY again"
    );
}

fn moderator(user_id: u64) -> InteractionSpec {
    InteractionSpec {
        channel_id: MOD_LOG_CHANNEL_ID,
        user_id,
        ..InteractionSpec::moderator()
    }
}

fn parent() -> InteractionSpec {
    InteractionSpec {
        channel_id: MOD_LOG_CHANNEL_ID,
        user_id: PARENT_ID,
        ..InteractionSpec::member()
    }
}

fn is_queue_post(r: &Recorded) -> bool {
    r.is_message_in(MOD_LOG_CHANNEL_ID)
        && r.status == 200
        && r.content()
            .is_some_and(|c| c.starts_with("**Review queue**"))
}

/// The queue post whose text contains `text` (waits for it).
async fn queue_post(h: &Harness, text: &str) -> Recorded {
    h.fake
        .wait_for(
            |r| is_queue_post(r) && r.content().is_some_and(|c| c.contains(text)),
            T,
        )
        .await
        .unwrap_or_else(|| panic!("no queue post with {text:?}: {:#?}", h.fake.requests()))
}

/// The queue post `message_id` as the bot next edits it.
async fn edited_queue_post(h: &Harness, message_id: u64) -> Recorded {
    h.fake
        .wait_for(|r| r.is_edit_of(MOD_LOG_CHANNEL_ID, message_id), T)
        .await
        .expect("the queue post is edited")
}

fn queue_posts(h: &Harness, text: &str) -> usize {
    h.fake
        .count(|r| is_queue_post(r) && r.content().is_some_and(|c| c.contains(text)))
}

/// The custom id of the component whose id starts with `prefix`.
fn custom_id(message: &Value, prefix: &str) -> String {
    components(message)
        .iter()
        .filter_map(|c| c["custom_id"].as_str())
        .find(|id| id.starts_with(prefix))
        .unwrap_or_else(|| panic!("no {prefix} in {message:#}"))
        .to_owned()
}

/// Asks `question` mentioning the bot and waits for its reply (the fallback).
async fn ask(h: &Harness, question: &str) -> u64 {
    let id = h.send(&mention(question));
    h.reply_to(id).await;
    id
}

/// The FAQ's entry files (what `check` reads), without the change log the editor may append.
fn entry_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = snapshot(dir);
    files.remove("CHANGES.md");
    files
}

/// The ephemeral text of an interaction callback (type 4).
fn said(r: &Recorded) -> String {
    assert_eq!(r.callback_type(), Some(4), "{:#}", r.body);
    assert_eq!(
        r.body["data"]["flags"],
        json!(64),
        "ephemeral: {:#}",
        r.body
    );
    r.data_content().unwrap_or_default().to_owned()
}

/// Opens "New entry..." on `post` as `who` and returns the form's custom id and inputs.
async fn open_new_entry(h: &Harness, post: &Recorded, who: u64) -> (String, Vec<(String, String)>) {
    let click = h.fake.component_interaction(
        &moderator(who),
        &custom_id(&post.body, "faq:qnew:"),
        post.response.clone(),
    );
    let form = h.callback(click).await;
    let (id, _) = form
        .modal()
        .unwrap_or_else(|| panic!("no form: {:#}", form.body));
    (id.to_owned(), form.modal_inputs())
}

#[tokio::test]
async fn an_unanswered_question_is_posted_once_with_candidates_and_grouped_not_reposted() {
    let mut h = start().await;
    ask(&h, SESSION_QUESTION).await;
    let post = queue_post(&h, SESSION_QUESTION).await;
    let text = post.content().expect("content");
    assert!(text.contains("asked once"), "{text}");
    assert!(text.contains("`ot-session`"), "the closest entry: {text}");
    for prefix in ["faq:qphr:", "faq:qnew:", "faq:qdis:"] {
        custom_id(&post.body, prefix);
    }
    assert_eq!(post.body["allowed_mentions"]["parse"], json!([]));

    // The same question again, in other words, the same day: counted, not posted.
    ask(&h, "How long is a session?").await;
    // A restart does not post it again either (the day's post is in the question log).
    restart(&mut h).await;
    ask(&h, "how long is a session??").await;
    h.shutdown_bot().await;
    assert_eq!(
        queue_posts(&h, SESSION_QUESTION),
        1,
        "{:#?}",
        h.fake.requests()
    );

    let log = QuestionLog::open(&LogConfig::new(h.dir.path().join("questions.sqlite3")))
        .expect("the question log opens");
    let item_id = custom_id(&post.body, "faq:qphr:")
        .trim_start_matches("faq:qphr:")
        .parse()
        .expect("item id");
    let item = log.queue_item(item_id).expect("read").expect("the item");
    assert_eq!(item.count, 3);
    assert_eq!(item.post.map(|(c, _)| c), Some(MOD_LOG_CHANNEL_ID));
    log.close().expect("close");
}

#[tokio::test]
async fn a_moderator_adds_an_edited_phrasing_the_file_gains_that_line_and_the_next_parent_gets_the_entry(
) {
    let h = start().await;
    assert_eq!(h.expected_entry(STAY_PHRASING), None, "not answered before");
    let file = h.faq_dir().join("ot-session.md");
    let before = std::fs::read_to_string(&file).expect("entry file");
    let others_before = entry_files(&h.faq_dir());

    ask(&h, STAY_QUESTION).await;
    let post = queue_post(&h, STAY_QUESTION).await;
    let message_id = post.response_id().expect("post id");

    // "Add as a phrasing of...": the entry menus, closest first.
    let click = h.fake.component_interaction(
        &moderator(USER_ID),
        &custom_id(&post.body, "faq:qphr:"),
        post.response.clone(),
    );
    let menus = h.callback(click).await;
    assert_eq!(menus.callback_type(), Some(4));
    let data = &menus.body["data"];
    let selects = components(data);
    assert!(selects.iter().all(|c| c["type"] == json!(3)), "{data:#}");
    assert!(selects
        .iter()
        .all(|c| c["options"].as_array().is_some_and(|o| o.len() <= 25)));
    assert_eq!(
        selects[0]["options"][0]["value"],
        json!("ot-session"),
        "the closest entry first: {data:#}"
    );
    let titled: usize = selects[1..]
        .iter()
        .map(|c| c["options"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(titled, h.knowledge.faq().len(), "every entry by title");

    // The pick opens the form with the question to edit.
    let menu_message = json!({
        "id": "1100000000000009999", "channel_id": MOD_LOG_CHANNEL_ID.to_string(),
        "author": {"id": "1100000000000000001", "username": "faqbot", "discriminator": "0", "bot": true, "avatar": null, "public_flags": 0, "global_name": "faqbot"},
        "content": data["content"], "timestamp": "2026-01-01T00:00:00.000000+00:00", "edited_timestamp": null,
        "tts": false, "mention_everyone": false, "mentions": [], "mention_roles": [], "attachments": [],
        "embeds": [], "components": data["components"], "pinned": false, "type": 0, "flags": 64,
    });
    let pick = h.fake.select_interaction(
        &moderator(USER_ID),
        selects[0]["custom_id"].as_str().expect("menu id"),
        &["ot-session"],
        menu_message.clone(),
    );
    let form = h.callback(pick).await;
    let (form_id, _) = form.modal().unwrap_or_else(|| panic!("{:#}", form.body));
    assert!(form_id.ends_with(":ot-session"), "{form_id}");
    assert_eq!(
        form.modal_inputs(),
        [("phrasing".to_owned(), STAY_QUESTION.to_owned())]
    );

    // The moderator takes the name out and submits.
    let submit = h.fake.modal_interaction(
        &moderator(USER_ID),
        form_id,
        &[("phrasing", STAY_PHRASING)],
        Some(menu_message),
    );
    let done = said(&h.callback(submit).await);
    assert!(done.starts_with("Done"), "{done}");
    assert!(done.contains("cases"), "told about the cases: {done}");

    // The file gained that one line; every other byte is as it was.
    let after = std::fs::read_to_string(&file).expect("entry file");
    let added: Vec<&str> = after
        .lines()
        .filter(|l| l.contains(STAY_PHRASING))
        .collect();
    assert_eq!(added.len(), 1, "{after}");
    let without: String = after
        .split_inclusive('\n')
        .filter(|l| !l.contains(STAY_PHRASING))
        .collect();
    assert_eq!(without, before, "the rest of the file is unchanged");
    let mut others_after = entry_files(&h.faq_dir());
    let mut others_before = others_before;
    others_after.remove("ot-session.md");
    others_before.remove("ot-session.md");
    assert_eq!(others_after, others_before, "no other file changed");

    // The queue post says who did what, without buttons.
    let edited = edited_queue_post(&h, message_id).await;
    let text = edited.body["content"].as_str().expect("content");
    assert!(text.contains("Added as a phrasing of"), "{text}");
    assert!(text.contains(&format!("<@{USER_ID}>")), "{text}");
    assert_eq!(edited.body["components"], json!([]));

    // The next parent asking it gets the entry at once (no reload by hand).
    let next = h.send(&mention(STAY_PHRASING));
    let reply = h.reply_to(next).await;
    assert_eq!(
        reply.body["embeds"][0]["title"].as_str(),
        Some(h.title("ot-session").as_str()),
        "{:#}",
        reply.body
    );

    let dir = h.stop().await;
    let report =
        faqbot::store::report_from_file(&dir.path().join("questions.sqlite3"), 0).expect("report");
    assert_eq!(report.learned.phrasings, 1);
    assert!(report.to_string().contains("1 phrasing added"), "{report}");
}

#[tokio::test]
async fn a_non_moderators_click_or_submit_is_refused_and_nothing_is_written() {
    let mut h = start().await;
    ask(&h, PARKING_QUESTION).await;
    let post = queue_post(&h, PARKING_QUESTION).await;
    let message_id = post.response_id().expect("post id");
    let files = snapshot(&h.faq_dir());

    for prefix in ["faq:qphr:", "faq:qnew:", "faq:qdis:"] {
        let click = h.fake.component_interaction(
            &parent(),
            &custom_id(&post.body, prefix),
            post.response.clone(),
        );
        let refused = said(&h.callback(click).await);
        assert!(refused.contains("Only moderators"), "{prefix}: {refused}");
    }
    let item = custom_id(&post.body, "faq:qphr:").replace("faq:qphr:", "");
    // Forged submits, as if the forms had been opened.
    let forged = [
        (
            format!("faq:mphr:{item}:ot-session"),
            vec![("phrasing", PARKING_QUESTION)],
        ),
        (
            format!("faq:mnew:{item}"),
            vec![
                ("id", "parking"),
                ("title", "Parking"),
                ("answer", "There is parking behind the clinic."),
                ("phrasings", PARKING_QUESTION),
            ],
        ),
    ];
    for (form_id, fields) in &forged {
        let submit = h.fake.modal_interaction(&parent(), form_id, fields, None);
        let refused = said(&h.callback(submit).await);
        assert!(refused.contains("Only moderators"), "{form_id}: {refused}");
    }
    // /faq edit is refused before any form opens.
    let edit = h.fake.command_interaction(
        &parent(),
        "faq",
        json!([opt_sub("edit", &[opt_str("entry", "ot-session")])]),
    );
    let refused = h.callback(edit).await;
    assert_ne!(refused.callback_type(), Some(9), "{:#}", refused.body);

    h.shutdown_bot().await;
    assert_eq!(snapshot(&h.faq_dir()), files, "nothing written");
    assert_eq!(
        h.fake
            .count(|r| r.is_edit_of(MOD_LOG_CHANNEL_ID, message_id)),
        0,
        "the queue post is as it was"
    );
}

#[tokio::test]
async fn a_new_entry_with_a_broken_id_or_an_over_long_answer_is_refused_with_the_errors() {
    let h = start().await;
    ask(&h, PARKING_QUESTION).await;
    let post = queue_post(&h, PARKING_QUESTION).await;
    let message_id = post.response_id().expect("post id");
    let (form_id, inputs) = open_new_entry(&h, &post, USER_ID).await;
    let names: Vec<&str> = inputs.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(names, ["id", "title", "answer", "phrasings"]);
    assert_eq!(
        inputs[3].1, PARKING_QUESTION,
        "the question is the first phrasing"
    );
    let files = snapshot(&h.faq_dir());

    let long_answer = "Parking is behind the clinic. ".repeat(200);
    let refusals = [
        (
            "Parking!! Info",
            "There is parking behind the clinic.",
            "id",
        ),
        ("parking", long_answer.as_str(), "answer"),
    ];
    for (id, answer, named) in refusals {
        let submit = h.fake.modal_interaction(
            &moderator(USER_ID),
            &form_id,
            &[
                ("id", id),
                ("title", "Is there parking?"),
                ("answer", answer),
                ("phrasings", PARKING_QUESTION),
            ],
            None,
        );
        let refused = said(&h.callback(submit).await);
        assert!(refused.starts_with("Nothing was written"), "{refused}");
        assert!(refused.contains(named), "names the {named}: {refused}");
        assert_eq!(snapshot(&h.faq_dir()), files, "nothing written for {id:?}");
    }
    assert_eq!(
        h.fake
            .count(|r| r.is_edit_of(MOD_LOG_CHANNEL_ID, message_id)),
        0
    );

    // Fixed, it is written, and answered at once.
    let submit = h.fake.modal_interaction(
        &moderator(USER_ID),
        &form_id,
        &[
            ("id", "parking"),
            ("title", "Is there parking at the clinic?"),
            (
                "answer",
                "Yes: free parking behind the clinic, and two spaces by the door for wheelchairs.",
            ),
            (
                "phrasings",
                &format!("{PARKING_QUESTION}\nwhere do I park\n"),
            ),
        ],
        None,
    );
    let done = said(&h.callback(submit).await);
    assert!(done.starts_with("Done"), "{done}");
    assert!(h.faq_dir().join("parking.md").is_file());
    let edited = edited_queue_post(&h, message_id).await;
    assert!(edited.body["content"]
        .as_str()
        .is_some_and(|c| c.contains("New entry")));
    let next = h.send(&mention("where do I park"));
    let reply = h.reply_to(next).await;
    assert_eq!(
        reply.body["embeds"][0]["title"].as_str(),
        Some("Is there parking at the clinic?")
    );
    h.stop().await;
}

#[tokio::test]
async fn two_moderators_editing_the_same_entry_at_once_never_lose_an_edit() {
    let h = start().await;
    // Both open /faq edit on the same entry.
    let open = |who: u64| {
        h.fake.command_interaction(
            &moderator(who),
            "faq",
            json!([opt_sub("edit", &[opt_str("entry", "what-is-ot")])]),
        )
    };
    let (a, b) = (open(USER_ID), open(OTHER_MOD_ID));
    let (form_a, form_b) = (h.callback(a).await, h.callback(b).await);
    let (id_a, _) = form_a
        .modal()
        .unwrap_or_else(|| panic!("{:#}", form_a.body));
    let (id_b, _) = form_b.modal().expect("a form");
    assert_eq!(id_a, id_b, "the same entry at the same version");
    let inputs = form_a.modal_inputs();
    assert_eq!(inputs[0], ("title".to_owned(), h.title("what-is-ot")));
    assert!(!inputs[1].1.is_empty(), "the answer to edit");

    // Both submit at once, with different answers.
    let answer = |n: u32| format!("{}\n\nEdited by moderator {n}.", inputs[1].1);
    let title = inputs[0].1.clone();
    let submit = |who: u64, n: u32| {
        h.fake.modal_interaction(
            &moderator(who),
            id_a,
            &[("title", &title), ("answer", &answer(n))],
            None,
        )
    };
    let (sa, sb) = (submit(USER_ID, 1), submit(OTHER_MOD_ID, 2));
    let (ra, rb) = (said(&h.callback(sa).await), said(&h.callback(sb).await));
    let outcomes = [&ra, &rb];
    let done: Vec<usize> = (0..2)
        .filter(|&i| outcomes[i].starts_with("Done"))
        .collect();
    assert_eq!(done.len(), 1, "one kept, one refused: {ra:?} / {rb:?}");
    let refused = outcomes[1 - done[0]];
    assert!(refused.starts_with("Nothing was written"), "{refused}");
    assert!(refused.contains("changed"), "says why: {refused}");
    let file = std::fs::read_to_string(h.faq_dir().join("what-is-ot.md")).expect("entry");
    let kept = u32::try_from(done[0] + 1).expect("small");
    assert!(
        file.contains(&format!("Edited by moderator {kept}.")),
        "{file}"
    );
    assert!(!file.contains(&format!("Edited by moderator {}.", 3 - kept)));

    // Two phrasings for the same entry at once, from two queue items: both kept.
    ask(&h, SESSION_QUESTION).await;
    ask(&h, STAY_QUESTION).await;
    let item = |post: &Recorded| custom_id(&post.body, "faq:qphr:").replace("faq:qphr:", "");
    let first = item(&queue_post(&h, SESSION_QUESTION).await);
    let second = item(&queue_post(&h, STAY_QUESTION).await);
    let sa = h.fake.modal_interaction(
        &moderator(USER_ID),
        &format!("faq:mphr:{first}:ot-session"),
        &[("phrasing", SESSION_QUESTION)],
        None,
    );
    let sb = h.fake.modal_interaction(
        &moderator(OTHER_MOD_ID),
        &format!("faq:mphr:{second}:ot-session"),
        &[("phrasing", STAY_PHRASING)],
        None,
    );
    let (ra, rb) = (said(&h.callback(sa).await), said(&h.callback(sb).await));
    assert!(
        ra.starts_with("Done") && rb.starts_with("Done"),
        "{ra:?} / {rb:?}"
    );
    let file = std::fs::read_to_string(h.faq_dir().join("ot-session.md")).expect("entry");
    for phrasing in [SESSION_QUESTION, STAY_PHRASING] {
        assert!(
            file.contains(&format!("\"{phrasing}\"")),
            "{phrasing} kept: {file}"
        );
    }
    h.stop().await;
}

#[tokio::test]
async fn a_moderators_reply_to_an_unanswered_question_shows_in_the_queue_item() {
    let mut h = start().await;
    // In the help channel the bot stays silent on what it cannot answer: no queue post.
    let question = h.send(&help(SESSION_QUESTION));
    // A parent's reply is not a moderator's answer.
    let chat = h.send(&MessageSpec {
        channel_id: HELP_CHANNEL_ID,
        author_id: PARENT_ID,
        reply_to: Some(question),
        ..MessageSpec::guild("no idea, sorry")
    });
    // A moderator replies: the question goes to the queue with the answer.
    h.send(&MessageSpec {
        channel_id: HELP_CHANNEL_ID,
        author_id: OTHER_MOD_ID,
        member_roles: vec![MOD_ROLE_ID],
        reply_to: Some(question),
        ..MessageSpec::guild(ANSWER)
    });
    let post = queue_post(&h, ANSWER).await;
    let text = post.content().expect("content");
    assert!(text.contains(SESSION_QUESTION), "{text}");
    assert!(text.contains("A moderator answered"), "{text}");
    assert_eq!(h.replies_to(chat), 0);

    // "New entry..." opens with that answer.
    let (_, inputs) = open_new_entry(&h, &post, USER_ID).await;
    assert_eq!(inputs[2], ("answer".to_owned(), ANSWER.to_owned()));

    // A question already posted: the moderator's reply edits its post.
    let asked = ask(&h, PARKING_QUESTION).await;
    let parking = queue_post(&h, PARKING_QUESTION).await;
    let parking_id = parking.response_id().expect("post id");
    h.send(&MessageSpec {
        channel_id: GUILD_CHANNEL_ID,
        guild_id: Some(GUILD_ID),
        author_id: OTHER_MOD_ID,
        member_roles: vec![MOD_ROLE_ID],
        reply_to: Some(asked),
        ..MessageSpec::guild(PARKING_ANSWER)
    });
    let edited = edited_queue_post(&h, parking_id).await;
    let text = edited.body["content"].as_str().expect("content");
    assert!(text.contains(PARKING_ANSWER), "{text}");
    assert!(text.contains(PARKING_QUESTION), "{text}");
    h.shutdown_bot().await;
    assert_eq!(
        queue_posts(&h, PARKING_QUESTION),
        1,
        "edited, not posted again"
    );
}

#[tokio::test]
async fn a_not_helpful_vote_is_queued_and_a_reply_to_the_moderator_request_shows_in_it() {
    let h = start().await;
    let question = h.send(&help("what does OT stand for"));
    let reply = h.reply_to(question).await;
    let not_helpful = custom_id(&reply.body, "faq:vote:").replace(":y", ":n");
    let at = InteractionSpec {
        channel_id: HELP_CHANNEL_ID,
        user_id: PARENT_ID,
        ..InteractionSpec::member()
    };
    let vote = h
        .fake
        .component_interaction(&at, &not_helpful, reply.response.clone());
    let thanks = h.callback(vote).await;
    let post = queue_post(&h, "voted not helpful").await;
    let text = post.content().expect("content");
    assert!(text.contains("what does OT stand for"), "{text}");
    assert!(
        text.contains(&h.title("what-is-ot")),
        "the answer given: {text}"
    );
    let message_id = post.response_id().expect("post id");

    // The parent asks for a moderator; a moderator replies to that request.
    let ask = custom_id(&thanks.body["data"], "faq:askmod:");
    let click = h
        .fake
        .component_interaction(&at, &ask, reply.response.clone());
    h.callback(click).await;
    let request = h
        .fake
        .wait_for(
            |r| {
                r.is_message_in(MOD_LOG_CHANNEL_ID)
                    && r.content()
                        .is_some_and(|c| c.starts_with("**A parent asked for a moderator:**"))
            },
            T,
        )
        .await
        .expect("the moderator request");
    h.send(&MessageSpec {
        channel_id: MOD_LOG_CHANNEL_ID,
        author_id: OTHER_MOD_ID,
        member_roles: vec![MOD_ROLE_ID],
        reply_to: Some(request.response_id().expect("request id")),
        ..MessageSpec::guild(ANSWER)
    });
    let edited = edited_queue_post(&h, message_id).await;
    assert!(edited.body["content"]
        .as_str()
        .is_some_and(|c| c.contains(ANSWER)));
    h.stop().await;
}
