//! The review queue in the moderators' channel: what the bot could not answer becomes FAQ
//! edits after a click or two.
//!
//! - **Posted once.** Each unanswered question addressed to the bot (its text is what the log
//!   keeps; help-channel messages the bot stays silent on keep none) and each "Not helpful"
//!   vote is counted in its group ([`QuestionLog::queue_question`], grouped as the report
//!   groups them) and posted to `MOD_LOG_CHANNEL_ID` at most once per group per day, with the
//!   bot's closest entries and three buttons: **Add as a phrasing of...**, **New entry...**,
//!   **Dismiss**.
//! - **A moderator's answer is captured.** A moderator's Discord reply to a parent's question
//!   the bot does not answer (re-matched now), to the bot's "Ask a moderator" post or to a
//!   queue post is kept with the item; the post shows it and **New entry...** opens with it.
//! - **Edits in forms.** The buttons open modals; their submits become [`Change`]s that the
//!   [`FaqEditor`](crate::editor::FaqEditor) plans, checks, writes and versions. Then the
//!   live FAQ is reloaded at once, the item is marked learned, its post says who did what,
//!   and the moderator is told whether the FAQ's cases still pass. `/faq edit` opens an
//!   entry's title and answer the same way, its version in the form's custom id.
//! - **Stateless and checked.** Every button, menu and form carries what it acts on in its
//!   custom id ([`Action`]); the moderator permission is checked on every click and every
//!   submit, here on the server, and a refusal writes nothing.

use super::action::Action;
use super::commands::{autocomplete_topic, is_moderator, moderator_check};
use super::render::{self, inputs, limits, split_text, truncate, QueueView, Rendered};
use super::route::{route, Route};
use super::{Context, Data, Error, Handled};
use crate::editor::{Applied, Author};
use crate::faq::edit::{Change, EditError, Version};
use crate::knowledge::Knowledge;
use crate::live;
use crate::matcher::{Addressing, Decision};
use crate::reply::Choice;
use crate::store::{
    AnswerId, Enqueued, Learned, Origin, Outcome, QuestionLog, QueueItem, QueueItemId, QueueKind,
    StoreError,
};
use poise::serenity_prelude::{
    ChannelId, ComponentInteraction, ComponentInteractionDataKind, CreateInteractionResponse,
    CreateInteractionResponseMessage, EditMessage, Member, Message, MessageId, ModalInteraction,
    User,
};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tracing::{debug, info, warn};

/// Entries in the "closest" menu of "Add as a phrasing of...".
const CLOSEST_MENU: usize = render::SELECT_OPTIONS;

/// The refusal of a click or submit by someone who is not a moderator.
const NOT_A_MODERATOR: &str =
    "Only moderators can use the review queue (a moderator role, or the Manage Server permission).";

/// Runs a question log call on a blocking thread (they wait for the writer).
async fn store<T, F>(log: &QuestionLog, call: F) -> Result<T, StoreError>
where
    T: Send + 'static,
    F: FnOnce(&QuestionLog) -> Result<T, StoreError> + Send + 'static,
{
    let log = log.clone();
    tokio::task::spawn_blocking(move || call(&log))
        .await
        .unwrap_or(Err(StoreError::WriterGone))
}

/// The entries closest to `question`, best first (the matcher's ranking).
fn closest(knowledge: &Knowledge, question: &str, limit: usize) -> Vec<Choice> {
    knowledge
        .matcher()
        .rank(question)
        .into_iter()
        .filter(|c| c.score > 0.0)
        .filter_map(|c| knowledge.faq().get(&c.id))
        .take(limit)
        .map(|e| Choice {
            id: e.id.clone(),
            title: e.title.clone(),
        })
        .collect()
}

/// Every entry, by title.
fn by_title(knowledge: &Knowledge) -> Vec<Choice> {
    let mut all: Vec<Choice> = knowledge
        .faq()
        .entries()
        .iter()
        .map(|e| Choice {
            id: e.id.clone(),
            title: e.title.clone(),
        })
        .collect();
    all.sort_by(|a, b| a.title.cmp(&b.title).then_with(|| a.id.cmp(&b.id)));
    all
}

/// The post of `item`, as it is now; `done` once a moderator acted.
fn render_item(data: &Data, item: &QueueItem, done: Option<&str>) -> Rendered {
    let knowledge = data.knowledge.load();
    let candidates = closest(&knowledge, &item.question, render::QUEUE_CANDIDATES);
    let answered = item
        .entry_id
        .as_deref()
        .and_then(|id| knowledge.faq().get(id))
        .map(|e| e.title.clone());
    render::queue_post(&QueueView {
        item,
        candidates: &candidates,
        answered_title: answered.as_deref(),
        done,
    })
}

/// Posts `item` to the moderators' channel and records the post; a failure gives the day's
/// claim back (the next question like it tries again).
async fn post_item(data: &Data, channel: ChannelId, item: &QueueItem) {
    let rendered = render_item(data, item, None);
    let id = item.id;
    match data
        .rest
        .send_message(channel, rendered.into_message())
        .await
    {
        Ok(message) => {
            let (c, m) = (channel.get(), message.id.get());
            if let Err(e) = store(&data.log, move |log| log.queue_posted(id, c, m)).await {
                warn!(error = %e, item = %id, "review queue: could not record a post");
            }
            info!(item = %id, kind = ?item.kind, count = item.count, "review queue: item posted");
        }
        Err(e) => {
            warn!(error = %e, %channel, item = %id, "review queue: could not post an item");
            if let Err(e) = store(&data.log, move |log| log.queue_unclaim(id)).await {
                warn!(error = %e, item = %id, "review queue: could not release a post claim");
            }
        }
    }
}

/// Edits the post of `item` (if it was posted) to show it as it is now.
async fn edit_post(data: &Data, item: &QueueItem, done: Option<&str>) {
    let Some((channel, message)) = item.post else {
        return;
    };
    let (Some(channel), Some(message)) = (
        std::num::NonZeroU64::new(channel),
        std::num::NonZeroU64::new(message),
    ) else {
        return;
    };
    let rendered = render_item(data, item, done);
    let edit = EditMessage::new()
        .content(rendered.content.unwrap_or_default())
        .components(rendered.components)
        .allowed_mentions(render::no_pings());
    if let Err(e) = data
        .rest
        .edit_message(ChannelId::from(channel), MessageId::from(message), edit)
        .await
    {
        warn!(error = %e, item = %item.id, "review queue: could not edit a post");
    }
}

/// Posts what [`QuestionLog::queue_question`] says is to be posted.
async fn post_if_claimed(data: &Data, enqueued: Enqueued) {
    let Some(channel) = data.config.mod_log_channel else {
        return;
    };
    match enqueued {
        Enqueued::Post(item) => post_item(data, channel, &item).await,
        Enqueued::Grouped(item) => {
            debug!(item = %item.id, count = item.count, "review queue: grouped, not posted again");
        }
    }
}

/// After a question was handled: an unanswered question addressed to the bot goes to the
/// queue (when there is a moderators' channel and the log keeps question text).
pub async fn after_question(data: &Data, origin: Origin, question: &str, handled: &Handled) {
    if data.config.mod_log_channel.is_none()
        || origin == Origin::HelpChannel
        || handled.outcome != Outcome::NoMatch
        || !data.log.logs_question_text()
    {
        return;
    }
    let question = question.to_owned();
    match store(&data.log, move |log| {
        log.queue_question(QueueKind::Unanswered, &question, None)
    })
    .await
    {
        Ok(enqueued) => post_if_claimed(data, enqueued).await,
        Err(e) => warn!(error = %e, "review queue: could not queue a question"),
    }
}

/// After a "Not helpful" vote: the answered question goes to the queue.
pub async fn after_not_helpful(data: &Data, answer: AnswerId) {
    if data.config.mod_log_channel.is_none() || !data.log.logs_question_text() {
        return;
    }
    match store(&data.log, move |log| log.queue_not_helpful(answer)).await {
        Ok(Some(enqueued)) => post_if_claimed(data, enqueued).await,
        Ok(None) => debug!(%answer, "review queue: no text for a not-helpful answer"),
        Err(e) => warn!(error = %e, %answer, "review queue: could not queue a vote"),
    }
}

/// What a moderator's reply answers, if it answers a question the queue should learn from.
enum Replied {
    /// A queue post.
    Item(QueueItemId),
    /// A question (the text as asked).
    Question(String),
}

/// What `msg` (a moderator's reply) answers: a queue post, the bot's "Ask a moderator" post
/// in the moderators' channel, or a parent's question (in a help channel or addressed to the
/// bot) that the bot does not answer now.
async fn replied_to(
    data: &Data,
    referenced: &Message,
    parent_channel: Option<ChannelId>,
) -> Option<Replied> {
    let mod_log = data.config.mod_log_channel?;
    if referenced.author.id == data.bot_id {
        if referenced.channel_id != mod_log {
            return None;
        }
        let message = referenced.id.get();
        if let Ok(Some(item)) = store(&data.log, move |log| log.queue_item_of_post(message)).await {
            return Some(Replied::Item(item.id));
        }
        return render::moderator_request_question(&referenced.content).map(Replied::Question);
    }
    if referenced.author.bot || referenced.webhook_id.is_some() {
        return None;
    }
    // The parent's message as the bot would read it: only a question the bot would look at.
    let incoming = super::route::Incoming {
        author: referenced.author.id,
        author_is_bot: false,
        from_webhook: false,
        system: false,
        // The reply is in a server (a moderator's member roles came with it), so is this.
        in_guild: true,
        channel: referenced.channel_id,
        parent_channel,
        content: &referenced.content,
    };
    let Route::Ask { origin, question } = route(&incoming, data.bot_id, &data.config.help_channels)
    else {
        return None;
    };
    let addressing = if origin == Origin::HelpChannel {
        Addressing::HelpChannel
    } else {
        Addressing::Direct
    };
    let decision = data.knowledge.load().answer(&question, addressing);
    match decision {
        // Answered with confidence, or not a question (chat): nothing to learn.
        Decision::Answer(_) | Decision::NotAQuestion(_) => None,
        Decision::Ambiguous(_) | Decision::NoMatch(_) => Some(Replied::Question(question)),
    }
}

/// A moderator's Discord reply to a question the bot did not answer: kept with the question's
/// queue item, whose post shows it (posted now if it was not). Returns whether it was captured
/// (then the message is not handled as a question). `parent_channel`: the channel of the
/// reply's thread, if it is in one.
pub async fn capture_reply(data: &Data, msg: &Message, parent_channel: Option<ChannelId>) -> bool {
    let (Some(referenced), Some(member), Some(_)) = (
        msg.referenced_message.as_deref(),
        msg.member.as_deref(),
        data.config.mod_log_channel,
    ) else {
        return false;
    };
    if msg.author.bot
        || !is_moderator(
            &member.roles,
            member.permissions,
            &data.config.moderator_roles,
        )
    {
        return false;
    }
    let answer = msg.content.trim().to_owned();
    if answer.is_empty() || !data.log.logs_question_text() {
        return false;
    }
    let Some(replied) = replied_to(data, referenced, parent_channel).await else {
        return false;
    };
    let (item, question) = match replied {
        Replied::Item(item) => (Some(item), String::new()),
        Replied::Question(question) => (None, question),
    };
    let captured = store(&data.log, move |log| {
        log.queue_answer(item, &question, &answer)
    })
    .await;
    match captured {
        Ok(Enqueued::Post(item)) => {
            if let Some(channel) = data.config.mod_log_channel {
                post_item(data, channel, &item).await;
            }
        }
        Ok(Enqueued::Grouped(item)) => {
            if item.learned.is_none() {
                edit_post(data, &item, None).await;
            }
        }
        Err(e) => {
            warn!(error = %e, "review queue: could not keep a moderator's answer");
            return false;
        }
    }
    info!(message_id = %msg.id, "review queue: a moderator's answer captured");
    true
}

/// Whether the member of an interaction is a moderator.
fn allowed(data: &Data, member: Option<&Member>) -> bool {
    member.is_some_and(|m| is_moderator(&m.roles, m.permissions, &data.config.moderator_roles))
}

fn ephemeral(text: impl Into<String>) -> CreateInteractionResponse {
    CreateInteractionResponse::Message(Rendered::text(text).into_interaction(true))
}

/// The item of a click or submit, or the response saying it is gone.
async fn load_item(data: &Data, item: QueueItemId) -> Result<QueueItem, CreateInteractionResponse> {
    match store(&data.log, move |log| log.queue_item(item)).await {
        Ok(Some(found)) => Ok(found),
        Ok(None) => Err(ephemeral(
            "This queue item is no longer in the question log (past retention).",
        )),
        Err(e) => {
            warn!(error = %e, %item, "review queue: could not read an item");
            Err(ephemeral(format!("I could not read the question log: {e}")))
        }
    }
}

/// A click on a queue post's button or entry menu. Checked here: a custom id is not a proof.
pub async fn on_click(
    data: &Data,
    click: &ComponentInteraction,
    action: Action,
) -> CreateInteractionResponse {
    if !allowed(data, click.member.as_ref()) {
        info!(custom_id = %click.data.custom_id, "review queue: click refused (not a moderator)");
        return ephemeral(NOT_A_MODERATOR);
    }
    match action {
        Action::QueuePhrasing { item } => {
            let item = match load_item(data, item).await {
                Ok(item) => item,
                Err(response) => return response,
            };
            let knowledge = data.knowledge.load();
            let near = closest(&knowledge, &item.question, CLOSEST_MENU);
            let all = by_title(&knowledge);
            CreateInteractionResponse::Message(
                render::entry_menus(item.id, &item.question, &near, &all).into_interaction(true),
            )
        }
        Action::QueuePick { item, .. } => {
            let ComponentInteractionDataKind::StringSelect { values } = &click.data.kind else {
                return ephemeral("Pick an entry from the menu.");
            };
            let Some(entry) = values.first() else {
                return ephemeral("Pick an entry from the menu.");
            };
            let item = match load_item(data, item).await {
                Ok(item) => item,
                Err(response) => return response,
            };
            let title = {
                let knowledge = data.knowledge.load();
                let Some(found) = knowledge.faq().get(entry) else {
                    return ephemeral("That entry no longer exists in the FAQ.");
                };
                found.title.clone()
            };
            match render::phrasing_form(item.id, entry, &title, &item.question) {
                Some(form) => CreateInteractionResponse::Modal(form),
                None => ephemeral("That entry's id is too long for a form; use /faq add-phrasing."),
            }
        }
        Action::QueueNewEntry { item } => {
            let item = match load_item(data, item).await {
                Ok(item) => item,
                Err(response) => return response,
            };
            match render::new_entry_form(item.id, &item.question, item.answer.as_deref()) {
                Some(form) => CreateInteractionResponse::Modal(form),
                None => ephemeral("This item cannot open a form."),
            }
        }
        Action::QueueDismiss { item } => dismiss(data, click, item).await,
        _ => ephemeral("This button no longer works."),
    }
}

/// "Dismiss": the item is closed as not for the FAQ, and its post says who dismissed it.
async fn dismiss(
    data: &Data,
    click: &ComponentInteraction,
    item: QueueItemId,
) -> CreateInteractionResponse {
    match store(&data.log, move |log| {
        log.queue_close(item, Learned::Dismissed, None)
    })
    .await
    {
        Ok(Some((found, _))) => {
            let done = format!("Dismissed by <@{}>.", click.user.id);
            info!(%item, "review queue: item dismissed");
            let rendered = render_item(data, &found, Some(&done));
            CreateInteractionResponse::UpdateMessage(
                CreateInteractionResponseMessage::new()
                    .content(rendered.content.unwrap_or_default())
                    .components(Vec::new())
                    .allowed_mentions(render::no_pings()),
            )
        }
        Ok(None) => ephemeral("This queue item is no longer in the question log."),
        Err(e) => {
            warn!(error = %e, %item, "review queue: could not dismiss an item");
            ephemeral(format!("I could not update the question log: {e}"))
        }
    }
}

/// The value of the text input `id` of a form.
fn field(modal: &ModalInteraction, id: &str) -> String {
    use poise::serenity_prelude::ActionRowComponent;
    modal
        .data
        .components
        .iter()
        .flat_map(|row| row.components.iter())
        .find_map(|c| match c {
            ActionRowComponent::InputText(input) if input.custom_id == id => {
                Some(input.value.clone().unwrap_or_default())
            }
            _ => None,
        })
        .unwrap_or_default()
}

/// The moderator as the editor records them.
fn author(user: &User) -> Author {
    Author {
        name: user
            .global_name
            .clone()
            .unwrap_or_else(|| user.name.clone()),
        id: user.id.get(),
    }
}

/// What the moderator is told after an edit, and the line for the queue post.
fn applied_text(applied: &Applied) -> String {
    use std::fmt::Write as _;
    let mut text = format!("Done: {}.", applied.summary.trim_end_matches('.'));
    if let Some(commit) = &applied.commit {
        let _ = write!(text, " Commit `{}`.", truncate(commit, 12));
    }
    text.push_str(" The FAQ is reloaded: the next parent who asks gets it.");
    match &applied.cases {
        Some(cases) if cases.still_pass() => {
            let _ = write!(text, "\nThe FAQ's cases still pass: {cases}");
        }
        Some(cases) => {
            let _ = write!(
                text,
                "\nCareful, the FAQ's cases do not all pass now: {cases}"
            );
        }
        None => text.push_str("\nThe FAQ has no cases file to check."),
    }
    text
}

/// What the moderator is told when an edit is refused (nothing was written).
fn refused_text(error: &EditError) -> String {
    let mut text = String::from("Nothing was written: ");
    match error {
        EditError::Invalid(problems) => {
            text.push_str("the FAQ check failed on the result:");
            for problem in problems {
                text.push_str("\n• ");
                text.push_str(&problem.to_string());
            }
        }
        EditError::Stale { .. } => {
            text.push_str(&error.to_string());
            text.push_str(
                "\nSomeone changed this entry since you opened the form. Open it again with \
                 /faq edit to see their change, then make yours.",
            );
        }
        other => text.push_str(&other.to_string()),
    }
    text
}

/// Applies `change` with the editor on a blocking thread; on success reloads the live FAQ.
async fn apply(data: &Data, change: Change, by: Author) -> Result<Applied, EditError> {
    let Some(editor) = data.editor.clone() else {
        return Err(EditError::Io {
            what: "editing the FAQ".to_owned(),
            source: std::io::Error::other("the bot has no FAQ folder to write"),
        });
    };
    let applied = tokio::task::spawn_blocking(move || editor.apply(&change, &by))
        .await
        .map_err(|e| EditError::Io {
            what: "the edit task".to_owned(),
            source: std::io::Error::other(e.to_string()),
        })??;
    let shared = Arc::clone(&data.knowledge);
    let dir = data.config.faq_dir.clone();
    let config = data.config.match_config;
    match tokio::task::spawn_blocking(move || live::reload(&shared, &dir, config)).await {
        Ok(outcome) if outcome.is_reloaded() => info!("FAQ reloaded after an edit"),
        Ok(outcome) => warn!("FAQ reload after an edit refused: {outcome}"),
        Err(e) => warn!(error = %e, "FAQ reload after an edit failed"),
    }
    Ok(applied)
}

/// The phrasings of the new entry form: one per line, blank lines dropped.
fn phrasings(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A form's submit (Add as a phrasing, New entry, `/faq edit`). Checked here: a custom id is
/// not a proof.
pub async fn on_modal(data: &Data, modal: &ModalInteraction) {
    let response = submit(data, modal).await;
    if let Err(e) = data
        .rest
        .create_interaction_response(modal.id, &modal.token, response)
        .await
    {
        warn!(error = %e, custom_id = %modal.data.custom_id, "could not answer a form");
    }
}

async fn submit(data: &Data, modal: &ModalInteraction) -> CreateInteractionResponse {
    let Some(action) = Action::parse(&modal.data.custom_id) else {
        return ephemeral("This form no longer works. Please open it again.");
    };
    if !allowed(data, modal.member.as_ref()) {
        info!(custom_id = %modal.data.custom_id, "review queue: form refused (not a moderator)");
        return ephemeral(NOT_A_MODERATOR);
    }
    let by = author(&modal.user);
    let who = modal.user.id;
    let (change, item, learned) = match action {
        Action::SubmitPhrasing { item, entry } => (
            Change::AddPhrasing {
                entry,
                phrasing: field(modal, inputs::PHRASING).trim().to_owned(),
            },
            Some(item),
            Learned::Phrasing,
        ),
        Action::SubmitNewEntry { item } => (
            Change::NewEntry {
                id: field(modal, inputs::ID).trim().to_owned(),
                title: field(modal, inputs::TITLE).trim().to_owned(),
                answer: field(modal, inputs::ANSWER).trim().to_owned(),
                phrasings: phrasings(&field(modal, inputs::PHRASINGS)),
            },
            Some(item),
            Learned::NewEntry,
        ),
        Action::SubmitEdit { entry, version } => {
            let Ok(base) = version.parse::<Version>() else {
                return ephemeral("This form no longer works. Please open it again.");
            };
            (
                Change::EditEntry {
                    entry,
                    title: field(modal, inputs::TITLE).trim().to_owned(),
                    answer: field(modal, inputs::ANSWER).trim().to_owned(),
                    base,
                },
                None,
                Learned::Phrasing,
            )
        }
        _ => return ephemeral("This form no longer works. Please open it again."),
    };
    let applied = match apply(data, change, by).await {
        Ok(applied) => applied,
        Err(e) => {
            info!(custom_id = %modal.data.custom_id, error = %e, "FAQ edit refused");
            return respond_long(&refused_text(&e));
        }
    };
    info!(entry = %applied.entry, commit = ?applied.commit, "FAQ edited from Discord");
    if let Some(item) = item {
        close_item(data, item, learned, &applied, who).await;
    }
    respond_long(&applied_text(&applied))
}

/// Marks the item learned and edits its post to say who did what.
async fn close_item(
    data: &Data,
    item: QueueItemId,
    learned: Learned,
    applied: &Applied,
    who: poise::serenity_prelude::UserId,
) {
    let entry = applied.entry.clone();
    match store(&data.log, move |log| {
        log.queue_close(item, learned, Some(&entry))
    })
    .await
    {
        Ok(Some((found, _))) => {
            let title = data
                .knowledge
                .load()
                .faq()
                .get(&applied.entry)
                .map_or_else(|| applied.entry.clone(), |e| e.title.clone());
            let done = match learned {
                Learned::NewEntry => format!(
                    "New entry \"{title}\" (`{}`) written by <@{who}>.",
                    applied.entry
                ),
                _ => format!("Added as a phrasing of \"{title}\" by <@{who}>."),
            };
            edit_post(data, &found, Some(&done)).await;
        }
        Ok(None) => {}
        Err(e) => warn!(error = %e, %item, "review queue: could not mark an item learned"),
    }
}

/// An ephemeral response of up to one message (longer text is cut).
fn respond_long(text: &str) -> CreateInteractionResponse {
    let first = split_text(text, limits::CONTENT)
        .into_iter()
        .next()
        .unwrap_or_default();
    ephemeral(first)
}

pub use slash::edit;

/// `/faq edit`, in its own module for the lint: poise moves a command's doc comment into its
/// description, so the function it generates carries none.
mod slash {
    #![allow(missing_docs, reason = "see the module's comment")]
    use super::{
        autocomplete_topic, ephemeral, moderator_check, render, truncate, Context,
        CreateInteractionResponse, Error, Ordering,
    };

    /// Edit an FAQ entry's title and answer in a form (moderators only).
    #[poise::command(slash_command, check = "moderator_check", guild_only)]
    pub async fn edit(
        ctx: Context<'_>,
        #[description = "The entry: start typing to search"]
        #[autocomplete = "autocomplete_topic"]
        entry: String,
    ) -> Result<(), Error> {
        let poise::Context::Application(app) = ctx else {
            return Ok(());
        };
        let data = ctx.data();
        let found = {
            let knowledge = data.knowledge.load();
            crate::discord::suggest::resolve(&knowledge, &entry)
                .map(|e| (e.id.clone(), e.title.clone(), e.answer.clone()))
        };
        let response = match (found, data.editor.clone()) {
            (None, _) => ephemeral(format!(
                "No FAQ entry matches \"{}\". `/faq list` shows them all.",
                truncate(&entry, 100)
            )),
            (Some(_), None) => ephemeral("The bot has no FAQ folder to write."),
            (Some((id, title, answer)), Some(editor)) => {
                let lookup = id.clone();
                match tokio::task::spawn_blocking(move || editor.version(&lookup)).await? {
                    Ok(version) => {
                        match render::edit_form(&id, &version.to_string(), &title, &answer) {
                            Some(form) => CreateInteractionResponse::Modal(form),
                            None => ephemeral("That entry's id is too long for a form."),
                        }
                    }
                    Err(e) => ephemeral(format!("I could not read that entry: {e}")),
                }
            }
        };
        data.rest
            .create_interaction_response(app.interaction.id, &app.interaction.token, response)
            .await?;
        app.has_sent_initial_response.store(true, Ordering::SeqCst);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrasings_are_lines_without_blanks() {
        assert_eq!(
            phrasings("  is swimming ok \n\n\tcan my kid swim\n"),
            ["is swimming ok", "can my kid swim"]
        );
        assert!(phrasings("\n \n").is_empty());
    }
}
