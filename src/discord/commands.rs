//! The slash and context-menu commands. Each command's doc comment is its help text (Discord
//! shows the first line, so it stays under 100 characters). Command bodies are a few lines that
//! call plain functions; moderator commands are checked on the server side by
//! [`moderator_check`], not only hidden.
#![allow(
    missing_docs,
    reason = "poise::command moves each doc comment into the command's description, so the \
              functions it generates carry none; the comments are there, in the source"
)]

use super::action::Action;
use super::handler::{trace_handled, Sent};
use super::render::{self, limits, no_pings, render, render_with, split_text, truncate, Rendered};
use super::rest::SendError;
use super::route::clean_question;
use super::suggest::{self, MAX_SUGGESTIONS};
use super::{AskedWhere, Context, Data, Error};
use crate::editor::{Applied, Author, CasesSummary, HistoryItem};
use crate::faq::edit::{Change, EditError};
use crate::faq::{Severity, CHANGES_FILE};
use crate::live::{self, ReloadOutcome};
use crate::reply::{self, Choice, Reply};
use crate::store::{Origin, StoreError};
use poise::serenity_prelude::{
    AutocompleteChoice, ButtonStyle, ComponentInteraction, CreateAutocompleteResponse,
    CreateButton, CreateInteractionResponse, CreateInteractionResponseFollowup,
    CreateInteractionResponseMessage, Message, MessageId, MessageReference, Permissions, RoleId,
};
use std::fmt::Write as _;
use std::sync::atomic::Ordering;
use std::time::Instant;
use tracing::{debug, info, warn};

/// The period of `/faq stats` when none is given: the moderators' weekly look.
const DEFAULT_STATS_DAYS: u32 = 7;

/// How many entries "Answer from FAQ" offers a moderator when the FAQ is not sure.
const MODERATOR_CHOICES: usize = 3;

/// Whether a member is a moderator: Manage Server (or Administrator), or one of the configured
/// moderator roles.
///
/// ```
/// use faqbot::discord::commands::is_moderator;
/// use poise::serenity_prelude::{Permissions, RoleId};
/// let mods = [RoleId::new(7)];
/// assert!(is_moderator(&[RoleId::new(7)], None, &mods));
/// assert!(is_moderator(&[], Some(Permissions::MANAGE_GUILD), &mods));
/// assert!(!is_moderator(&[RoleId::new(8)], Some(Permissions::SEND_MESSAGES), &mods));
/// ```
#[must_use]
pub fn is_moderator(
    roles: &[RoleId],
    permissions: Option<Permissions>,
    moderators: &[RoleId],
) -> bool {
    permissions.is_some_and(|p| p.manage_guild() || p.administrator())
        || roles.iter().any(|r| moderators.contains(r))
}

/// poise check of the moderator commands, from the interaction's member (its roles, and its
/// permissions as Discord computed them for this channel). Outside a server: no.
pub async fn moderator_check(ctx: Context<'_>) -> Result<bool, Error> {
    let Some(member) = ctx.author_member().await else {
        return Ok(false);
    };
    Ok(is_moderator(
        &member.roles,
        member.permissions,
        &ctx.data().config.moderator_roles,
    ))
}

/// Sends `reply` as the command's response (its first response, else a follow-up), as poise's
/// `ctx.send` does, through [`Rest`](super::rest::Rest) so a 429 from `DISCORD_API_PROXY` is
/// waited out.
async fn send(ctx: Context<'_>, reply: poise::CreateReply) -> Result<(), SendError> {
    let poise::Context::Application(app) = ctx else {
        // Prefix commands are off; if one came, poise knows how to answer it.
        ctx.send(reply).await?;
        return Ok(());
    };
    let reply = ctx.reply_builder(reply);
    let rest = &ctx.data().rest;
    let interaction = app.interaction;
    if app.has_sent_initial_response.load(Ordering::SeqCst) {
        let followup = reply.to_slash_followup_response(CreateInteractionResponseFollowup::new());
        rest.create_followup(&interaction.token, followup).await?;
    } else {
        let message = reply.to_slash_initial_response(CreateInteractionResponseMessage::new());
        rest.create_interaction_response(
            interaction.id,
            &interaction.token,
            CreateInteractionResponse::Message(message),
        )
        .await?;
        app.has_sent_initial_response.store(true, Ordering::SeqCst);
    }
    Ok(())
}

/// Tells Discord the answer is coming (shown only to the caller), as poise's
/// `ctx.defer_ephemeral` does, through [`Rest`](super::rest::Rest).
async fn defer_ephemeral(ctx: Context<'_>) -> Result<(), SendError> {
    let poise::Context::Application(app) = ctx else {
        return Ok(());
    };
    if app.has_sent_initial_response.load(Ordering::SeqCst) {
        return Ok(());
    }
    let defer =
        CreateInteractionResponse::Defer(CreateInteractionResponseMessage::new().ephemeral(true));
    ctx.data()
        .rest
        .create_interaction_response(app.interaction.id, &app.interaction.token, defer)
        .await?;
    app.has_sent_initial_response.store(true, Ordering::SeqCst);
    Ok(())
}

/// Ask the clinic's FAQ a question about therapy for your child.
#[poise::command(slash_command)]
pub async fn ask(
    ctx: Context<'_>,
    #[description = "Your question, in your own words"] question: String,
) -> Result<(), Error> {
    let started = Instant::now();
    let data = ctx.data();
    let question = clean_question(&question);
    let handled = data.answer(Origin::SlashCommand, &question).await;
    let at = AskedWhere {
        author: ctx.author().id,
        channel: ctx.channel_id(),
        guild: ctx.guild_id(),
        message: None,
    };
    data.remember(&handled, &question, at);
    let rendered = render_with(&handled.reply, Some(data.feedback(&handled)));
    let sent = send(ctx, rendered.into_poise(false)).await;
    let outcome = if sent.is_ok() {
        Sent::Reply
    } else {
        Sent::Failed
    };
    trace_handled(Origin::SlashCommand, &handled, outcome, started);
    super::queue::after_question(data, Origin::SlashCommand, &question, &handled).await;
    sent?;
    Ok(())
}

/// Browse the clinic's FAQ: list its topics or show one.
#[allow(clippy::unused_async)] // poise needs an async fn even for a parent without a body
#[poise::command(
    slash_command,
    subcommands(
        "list",
        "show",
        "reload",
        "stats",
        "add_phrasing",
        "history",
        "undo",
        "super::queue::edit"
    ),
    subcommand_required
)]
pub async fn faq(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// List every topic in the FAQ (only you see the list).
#[poise::command(slash_command)]
pub async fn list(ctx: Context<'_>) -> Result<(), Error> {
    let text = {
        let knowledge = ctx.data().knowledge.load();
        let mut titles: Vec<&str> = knowledge
            .faq()
            .entries()
            .iter()
            .map(|e| e.title.as_str())
            .collect();
        titles.sort_unstable();
        let mut text = format!(
            "**{} topics in the FAQ** (read one with `/faq show`):",
            titles.len()
        );
        for title in titles {
            text.push_str("\n• ");
            text.push_str(title);
        }
        text
    };
    for piece in split_text(&text, limits::CONTENT) {
        send(ctx, Rendered::text(piece).into_poise(true)).await?;
    }
    Ok(())
}

/// Autocomplete of `/faq show`: topics whose title fuzzily matches what has been typed.
#[allow(clippy::unused_async)] // poise calls autocomplete callbacks as async fns
pub(crate) async fn autocomplete_topic(
    ctx: Context<'_>,
    partial: &str,
) -> CreateAutocompleteResponse {
    let choices = {
        let knowledge = ctx.data().knowledge.load();
        suggest::suggest(&knowledge, partial, MAX_SUGGESTIONS)
    };
    CreateAutocompleteResponse::new().set_choices(
        choices
            .into_iter()
            .map(|c| AutocompleteChoice::new(truncate(&c.title, 100), c.id))
            .collect(),
    )
}

/// Show one FAQ topic in this channel.
#[poise::command(slash_command)]
pub async fn show(
    ctx: Context<'_>,
    #[description = "The topic: start typing to search"]
    #[autocomplete = "autocomplete_topic"]
    topic: String,
) -> Result<(), Error> {
    let (rendered, ephemeral) = {
        let knowledge = ctx.data().knowledge.load();
        match suggest::resolve(&knowledge, &topic) {
            Some(entry) => {
                let reply = reply::answer(&knowledge, entry, 1.0, ctx.data().clinic());
                (render(&reply), false)
            }
            None => (
                Rendered::text(format!(
                    "No FAQ topic matches \"{}\". `/faq list` shows them all.",
                    truncate(&topic, 100)
                )),
                true,
            ),
        }
    };
    send(ctx, rendered.into_poise(ephemeral)).await?;
    Ok(())
}

/// Reload the FAQ from its files and check it; on errors the old FAQ stays (moderators only).
#[poise::command(slash_command, check = "moderator_check")]
pub async fn reload(ctx: Context<'_>) -> Result<(), Error> {
    defer_ephemeral(ctx).await?;
    let data = ctx.data();
    let shared = data.knowledge.clone();
    let dir = data.config.faq_dir.clone();
    let match_config = data.config.match_config;
    let outcome =
        tokio::task::spawn_blocking(move || live::reload(&shared, &dir, match_config)).await?;
    // Which moderator it was is for debugging only: user ids stay out of the logs above debug.
    debug!(by = %ctx.author().id, reloaded = outcome.is_reloaded(), "/faq reload");
    if outcome.is_reloaded() {
        info!("FAQ reloaded by a moderator");
    } else {
        warn!("FAQ reload refused: {outcome}");
    }
    for piece in split_text(&outcome.to_string(), limits::CONTENT) {
        send(ctx, Rendered::text(piece).into_poise(true)).await?;
    }
    Ok(())
}

/// What parents asked: the question log's report, only to you (moderators only).
#[poise::command(slash_command, check = "moderator_check")]
pub async fn stats(
    ctx: Context<'_>,
    #[description = "How many days back (default 7)"]
    #[min = 1]
    #[max = 365]
    days: Option<u32>,
) -> Result<(), Error> {
    defer_ephemeral(ctx).await?;
    let days = days.unwrap_or(DEFAULT_STATS_DAYS);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let since = i64::try_from(now.saturating_sub(u64::from(days) * 86_400)).unwrap_or(0);
    let log = ctx.data().log.clone();
    // Flushing and reading wait on SQLite: not on the async workers.
    let report = tokio::task::spawn_blocking(move || {
        if let Err(e) = log.flush() {
            warn!(error = %e, "question log: flush before the report failed");
        }
        log.report(since)
    })
    .await?;
    let text = match report {
        Ok(report) => report.to_string(),
        Err(StoreError::Disabled) => {
            "The question log is off (it could not be opened at start; see the bot's logs)."
                .to_owned()
        }
        Err(e) => {
            warn!(error = %e, "question log: report failed");
            format!("I could not read the question log: {e}")
        }
    };
    for piece in split_text(&text, limits::CONTENT) {
        send(ctx, Rendered::text(piece).into_poise(true)).await?;
    }
    Ok(())
}

/// Answer this message from the FAQ, as a reply to it (moderators only).
#[poise::command(
    context_menu_command = "Answer from FAQ",
    check = "moderator_check",
    guild_only,
    default_member_permissions = "MANAGE_GUILD"
)]
pub async fn answer_from_faq(ctx: Context<'_>, message: Message) -> Result<(), Error> {
    let started = Instant::now();
    let data = ctx.data();
    let question = clean_question(&message.content);
    let handled = data.answer(Origin::ContextMenu, &question).await;
    let (note, sent) = if let Reply::Answer(answer) = &handled.reply {
        let at = AskedWhere {
            author: message.author.id,
            channel: message.channel_id,
            guild: message.guild_id.or(ctx.guild_id()),
            message: Some(message.id),
        };
        data.remember(&handled, &question, at);
        let feedback = Some(data.feedback(&handled));
        let reply = render_with(&handled.reply, feedback).into_reply(&message);
        match data.rest.send_message(message.channel_id, reply).await {
            Ok(_) => (
                Rendered::text(format!("Answered with \"{}\".", answer.title)),
                Sent::Reply,
            ),
            Err(e) => {
                warn!(error = %e, channel = %message.channel_id, "could not post an answer");
                (
                    Rendered::text(format!("I could not post the answer: {e}")),
                    Sent::Failed,
                )
            }
        }
    } else {
        (
            moderator_picker(data, &question, message.id),
            Sent::NotForUs,
        )
    };
    trace_handled(Origin::ContextMenu, &handled, sent, started);
    send(ctx, note.into_poise(true)).await?;
    Ok(())
}

/// When the FAQ is not sure: the closest entries, for the moderator to pick one to post.
fn moderator_picker(data: &Data, question: &str, message: MessageId) -> Rendered {
    let choices: Vec<Choice> = {
        let knowledge = data.knowledge.load();
        knowledge
            .matcher()
            .rank(question)
            .into_iter()
            .filter_map(|c| knowledge.faq().get(&c.id))
            .take(MODERATOR_CHOICES)
            .map(|e| Choice {
                id: e.id.clone(),
                title: e.title.clone(),
            })
            .collect()
    };
    if choices.is_empty() {
        return Rendered::text("The FAQ has nothing close to that message.");
    }
    let buttons = choices
        .iter()
        .filter_map(|c| {
            let id = Action::Post {
                message,
                entry: c.id.clone(),
            }
            .custom_id()?;
            Some(
                CreateButton::new(id)
                    .label(truncate(&c.title, limits::BUTTON_LABEL))
                    .style(ButtonStyle::Primary),
            )
        })
        .collect();
    Rendered {
        content: Some(
            "The FAQ is not sure which entry answers that message. Post one of these as the \
             answer?"
                .to_owned(),
        ),
        embeds: Vec::new(),
        components: render::rows(buttons),
    }
}

/// A moderator's pick from [`moderator_picker`]: post the entry as a reply to the message, and
/// turn the picker into a short confirmation. Checked again here: a custom id is not a proof.
pub async fn post_chosen(
    data: &Data,
    click: &ComponentInteraction,
    message: MessageId,
    entry: &str,
) -> CreateInteractionResponse {
    let refuse = |text: &str| {
        CreateInteractionResponse::Message(Rendered::text(text).into_interaction(true))
    };
    let allowed = click
        .member
        .as_ref()
        .is_some_and(|m| is_moderator(&m.roles, m.permissions, &data.config.moderator_roles));
    if !allowed {
        return refuse("Only moderators can post answers.");
    }
    let (rendered, title) = {
        let knowledge = data.knowledge.load();
        let Some(found) = knowledge.faq().get(entry) else {
            return refuse("That entry no longer exists in the FAQ.");
        };
        let reply = reply::answer(&knowledge, found, 1.0, data.clinic());
        (render(&reply), found.title.clone())
    };
    let reference = MessageReference::from((click.channel_id, message)).fail_if_not_exists(false);
    let post = rendered
        .into_message()
        .reference_message(reference)
        .allowed_mentions(no_pings().replied_user(false));
    match data.rest.send_message(click.channel_id, post).await {
        Ok(_) => CreateInteractionResponse::UpdateMessage(
            CreateInteractionResponseMessage::new()
                .content(format!("Posted \"{title}\" as the answer."))
                .components(Vec::new())
                .allowed_mentions(no_pings()),
        ),
        Err(e) => {
            warn!(error = %e, channel = %click.channel_id, "could not post a chosen answer");
            refuse("I could not post the answer; please try again.")
        }
    }
}

/// poise's `on_error`: refusals for the moderator check, a log line for everything else.
pub async fn on_error(error: poise::FrameworkError<'_, Data, Error>) {
    match error {
        poise::FrameworkError::CommandCheckFailed { ctx, error, .. } => {
            if let Some(e) = error {
                warn!(error = %e, command = %ctx.command().qualified_name, "command check failed");
            }
            // Who was refused is nobody's business at info; the id is there for debugging only.
            info!(command = %ctx.command().qualified_name, "moderator command refused");
            debug!(command = %ctx.command().qualified_name, user = %ctx.author().id, "moderator command refused for this user");
            let refusal = Rendered::text(
                "Only moderators can use this (a moderator role, or the Manage Server permission).",
            );
            if let Err(e) = send(ctx, refusal.into_poise(true)).await {
                warn!(error = %e, "could not send a refusal");
            }
        }
        poise::FrameworkError::Command { ctx, error, .. } => {
            warn!(error = %error, command = %ctx.command().qualified_name, "command failed");
        }
        poise::FrameworkError::EventHandler { error, .. } => {
            warn!(error = %error, "event handler failed");
        }
        other => {
            if let Err(e) = poise::builtins::on_error(other).await {
                warn!(error = %e, "could not handle a framework error");
            }
        }
    }
}

// ----- FAQ edits from Discord (issue 11): /faq add-phrasing, /faq history, /faq undo -------

/// How many changes `/faq history` lists.
const HISTORY_LIMIT: usize = 10;

/// The moderator running a command, as the edit's author: their name in this server (else
/// their Discord name) and id.
async fn author_of(ctx: Context<'_>) -> Author {
    let name = match ctx.author_member().await {
        Some(member) => member.display_name().to_owned(),
        None => ctx.author().display_name().to_owned(),
    };
    Author {
        name,
        id: ctx.author().id.get(),
    }
}

/// The id of the entry a moderator picked: its id (what the autocomplete sends) or its exact
/// title. Never a fuzzy guess: a change is written to that entry's file.
fn picked_entry(data: &Data, topic: &str) -> Option<String> {
    suggest::exact(&data.knowledge.load(), topic).map(|e| e.id.clone())
}

/// What a moderator asks the editor to do.
#[derive(Debug, Clone)]
pub enum EditRequest {
    /// Apply this change.
    Apply(Change),
    /// Undo the bot's last change.
    Undo,
}

/// Runs `request` through the FAQ editor and, when it changed a file, reloads the FAQ in
/// service at once (the next parent gets the change); the text for the moderator. Blocking
/// work runs on the blocking pool.
pub async fn edit_faq(data: &Data, request: EditRequest, author: Author) -> String {
    let Some(editor) = data.editor.clone() else {
        return "Editing the FAQ from Discord is off: this bot has no FAQ folder.".to_owned();
    };
    let shared = data.knowledge.clone();
    let dir = data.config.faq_dir.clone();
    let match_config = data.config.match_config;
    let done = tokio::task::spawn_blocking(move || {
        let result = match &request {
            EditRequest::Apply(change) => editor.apply(change, &author),
            EditRequest::Undo => editor.undo(&author),
        };
        let reloaded = result
            .as_ref()
            .ok()
            .map(|_| live::reload(&shared, &dir, match_config));
        (result, reloaded)
    })
    .await;
    let (result, reloaded) = match done {
        Ok(done) => done,
        Err(e) => {
            warn!(error = %e, "FAQ edit task failed");
            return "The change could not be made (the bot's edit task failed); nothing is \
                    known to be written: check `/faq history`."
                .to_owned();
        }
    };
    match &result {
        Ok(applied) => info!(
            entry = %applied.entry,
            commit = applied.commit.as_deref().unwrap_or("-"),
            cases_pass = applied.cases.as_ref().map(CasesSummary::still_pass),
            "FAQ changed by a moderator"
        ),
        Err(e @ (EditError::Io { .. } | EditError::Git { .. })) => {
            warn!(error = %e, "FAQ change failed; nothing was left written");
        }
        Err(e) => {
            // The message may quote the phrasing (a parent's words): at debug only.
            info!(refused = e.kind(), "FAQ change refused");
            debug!(error = %e, "FAQ change refused");
        }
    }
    edit_report(&result, reloaded.as_ref())
}

/// What the moderator is told about a change: what was done and how it is recorded, that
/// it is live, new warnings for the entry, and the cases; or why nothing was saved, with
/// every problem `check` found.
#[must_use]
pub fn edit_report(
    result: &Result<Applied, EditError>,
    reloaded: Option<&ReloadOutcome>,
) -> String {
    let applied = match result {
        Ok(applied) => applied,
        Err(EditError::Invalid(problems)) => {
            let errors: Vec<_> = problems
                .iter()
                .filter(|p| p.severity == Severity::Error)
                .collect();
            let mut text = format!(
                "Not saved: the FAQ would have {} error(s) with this change:",
                errors.len()
            );
            for problem in errors {
                let _ = write!(text, "\n• {problem}");
            }
            return text;
        }
        Err(e) => return format!("Not saved: {e}."),
    };
    let mut text = format!("Done: {}", applied.summary);
    match &applied.commit {
        Some(commit) => {
            let _ = write!(
                text,
                "\nCommitted to git as {}.",
                &commit[..commit.len().min(10)]
            );
        }
        None => {
            let _ = write!(text, "\nRecorded in {CHANGES_FILE} in the FAQ folder.");
        }
    }
    match reloaded {
        Some(outcome) if outcome.is_reloaded() => {
            text.push_str("\nThe bot answers with it now.");
        }
        Some(outcome) => {
            let _ = write!(
                text,
                "\nThe file is saved, but the FAQ was not reloaded: {outcome}"
            );
        }
        None => {}
    }
    let file = format!("{}.md", applied.entry);
    let warnings: Vec<String> = applied
        .checked
        .warnings
        .iter()
        .filter(|w| w.file == file)
        .map(ToString::to_string)
        .collect();
    if !warnings.is_empty() {
        text.push_str("\nWarnings for this entry:");
        for warning in warnings {
            let _ = write!(text, "\n• {warning}");
        }
    }
    if let Some(cases) = &applied.cases {
        let verdict = if cases.still_pass() {
            "The FAQ's test cases still pass"
        } else {
            "Some of the FAQ's test cases fail now; look at the change again"
        };
        let _ = write!(text, "\n{verdict}: {cases}");
    }
    text
}

/// Sends `text` to the moderator only, split to fit.
async fn tell(ctx: Context<'_>, text: &str) -> Result<(), Error> {
    for piece in split_text(text, limits::CONTENT) {
        send(ctx, Rendered::text(piece).into_poise(true)).await?;
    }
    Ok(())
}

/// Add a way parents ask to an FAQ entry; saved to its file and live at once (moderators only).
#[poise::command(slash_command, rename = "add-phrasing", check = "moderator_check")]
pub async fn add_phrasing(
    ctx: Context<'_>,
    #[description = "The entry: start typing to search"]
    #[autocomplete = "autocomplete_topic"]
    entry: String,
    #[description = "The question as a parent would ask it, without names or personal details"]
    #[max_length = 300]
    phrasing: String,
) -> Result<(), Error> {
    defer_ephemeral(ctx).await?;
    let Some(entry) = picked_entry(ctx.data(), &entry) else {
        return tell(
            ctx,
            &format!(
                "No FAQ entry \"{}\": pick one from the list that appears as you type.",
                truncate(&entry, 100)
            ),
        )
        .await;
    };
    let author = author_of(ctx).await;
    let change = Change::AddPhrasing { entry, phrasing };
    let text = edit_faq(ctx.data(), EditRequest::Apply(change), author).await;
    tell(ctx, &text).await
}

/// The last changes to the FAQ, or to one entry (moderators only).
#[poise::command(slash_command, check = "moderator_check")]
pub async fn history(
    ctx: Context<'_>,
    #[description = "One entry (default: the whole FAQ)"]
    #[autocomplete = "autocomplete_topic"]
    entry: Option<String>,
) -> Result<(), Error> {
    defer_ephemeral(ctx).await?;
    let data = ctx.data();
    let Some(editor) = data.editor.clone() else {
        return tell(ctx, "This bot has no FAQ folder, so no history.").await;
    };
    let entry = match entry {
        Some(topic) => match picked_entry(data, &topic) {
            Some(id) => Some(id),
            None => {
                return tell(ctx, &format!("No FAQ entry \"{}\".", truncate(&topic, 100))).await
            }
        },
        None => None,
    };
    let wanted = entry.clone();
    let items =
        tokio::task::spawn_blocking(move || editor.history(wanted.as_deref(), HISTORY_LIMIT))
            .await?;
    let text = history_text(entry.as_deref(), &items);
    tell(ctx, &text).await
}

/// The `/faq history` reply.
#[must_use]
pub fn history_text(entry: Option<&str>, items: &Result<Vec<HistoryItem>, EditError>) -> String {
    let of = entry.map_or_else(|| "the FAQ".to_owned(), |e| format!("`{e}`"));
    match items {
        Err(e) => format!("I could not read the history of {of}: {e}"),
        Ok(items) if items.is_empty() => format!("No recorded changes to {of} yet."),
        Ok(items) => {
            let mut text = format!("**Last changes to {of}** (newest first):");
            for item in items {
                let _ = write!(text, "\n• {item}");
            }
            text
        }
    }
}

/// Undo the last change the bot made to the FAQ, as a new change (moderators only).
#[poise::command(slash_command, check = "moderator_check")]
pub async fn undo(ctx: Context<'_>) -> Result<(), Error> {
    defer_ephemeral(ctx).await?;
    let author = author_of(ctx).await;
    let text = edit_faq(ctx.data(), EditRequest::Undo, author).await;
    tell(ctx, &text).await
}

#[cfg(test)]
mod edit_tests {
    use super::*;
    use crate::faq::{Faq, SourceFile};

    fn checked() -> crate::faq::Checked {
        let entry = "+++\ntitle = \"A\"\nquestions = [\"how do a things work\"]\n+++\nA.\n";
        Faq::from_files(&[SourceFile {
            name: "a.md".to_owned(),
            bytes: entry.into(),
        }])
        .expect("valid")
    }

    fn applied(commit: Option<&str>, cases: Option<CasesSummary>) -> Applied {
        Applied {
            summary: "Add phrasing to a: \"x\"".to_owned(),
            entry: "a".to_owned(),
            commit: commit.map(str::to_owned),
            checked: checked(),
            cases,
        }
    }

    #[test]
    fn edit_report_says_what_was_done_how_it_is_recorded_and_the_cases() {
        let reloaded = ReloadOutcome::Reloaded {
            entries: 1,
            warnings: Vec::new(),
            took: std::time::Duration::ZERO,
        };
        let cases = CasesSummary {
            cases: 2,
            passing: 2,
            passing_before: Some(2),
            newly_failing: Vec::new(),
            error: None,
        };
        let text = edit_report(
            &Ok(applied(Some("0123456789abcdef"), Some(cases))),
            Some(&reloaded),
        );
        assert!(text.starts_with("Done: Add phrasing to a: \"x\"\nCommitted to git as 0123456789.\nThe bot answers with it now."), "{text}");
        // The one-phrasing entry's warning is shown.
        assert!(text.contains("Warnings for this entry:\n• a.md:"), "{text}");
        assert!(
            text.ends_with(
                "The FAQ's test cases still pass: cases.toml: 2 of 2 cases pass (as before)"
            ),
            "{text}"
        );
        let text = edit_report(&Ok(applied(None, None)), Some(&reloaded));
        assert!(text.contains("Recorded in CHANGES.md"), "{text}");
    }

    #[test]
    fn edit_report_lists_every_error_of_a_refused_change() {
        let problems = vec![
            crate::faq::Problem {
                file: "a.md".to_owned(),
                line: 3,
                severity: Severity::Error,
                message: "the question \"q\" is also under b".to_owned(),
                hint: "keep it in one entry".to_owned(),
            },
            crate::faq::Problem {
                file: "a.md".to_owned(),
                line: 1,
                severity: Severity::Warning,
                message: "only 1 questions".to_owned(),
                hint: String::new(),
            },
        ];
        let text = edit_report(&Err(EditError::Invalid(problems)), None);
        assert_eq!(
            text,
            "Not saved: the FAQ would have 1 error(s) with this change:\n\
             • a.md:3: error: the question \"q\" is also under b (hint: keep it in one entry)"
        );
        let stale = EditError::Stale {
            entry: "a".to_owned(),
        };
        assert!(edit_report(&Err(stale), None)
            .starts_with("Not saved: 'a' was changed by someone else"));
    }

    #[test]
    fn history_text_lists_newest_first_or_says_there_is_none() {
        assert_eq!(
            history_text(Some("a"), &Ok(Vec::new())),
            "No recorded changes to `a` yet."
        );
        let item = HistoryItem {
            when: "2026-12-01 17:20 UTC".to_owned(),
            who: "Jane".to_owned(),
            entry: Some("a".to_owned()),
            summary: "Add phrasing to a: \"x\"".to_owned(),
            commit: Some("0123456789abcdef".to_owned()),
        };
        assert_eq!(
            history_text(None, &Ok(vec![item])),
            "**Last changes to the FAQ** (newest first):\n• 2026-12-01 17:20 UTC · Jane · Add phrasing to a: \"x\" (0123456789)"
        );
    }
}
