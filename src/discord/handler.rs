//! Events that are not commands: messages (help channels, mentions, DMs) and button clicks.
//! Each handler reads the event's facts, calls the plain functions (route, answer, render) and
//! sends the result; a failed send is logged and the bot goes on.

use super::action::Action;
use super::cooldown::Verdict;
use super::recent::Escalation;
use super::render::{self, render, render_with, Rendered};
use super::route::{route, should_reply, Incoming, Route};
use super::{commands, queue, AskedWhere, Data, Error, Handled};
use crate::reply;
use crate::store::{AnswerId, Origin, VoteOutcome};
use poise::serenity_prelude::{
    self as serenity, ChannelId, ComponentInteraction, CreateInteractionResponse,
    CreateInteractionResponseMessage, FullEvent, Interaction, Message, MessageType,
};
use std::time::Instant;
use tracing::{debug, info, warn};

/// What happened to the reply of a handled question, for the log event.
#[derive(Debug, Clone, Copy)]
pub enum Sent {
    /// The reply was sent.
    Reply,
    /// No reply: a help-channel message the FAQ does not cover.
    NotForUs,
    /// No reply (or only the one cooldown note): the cooldown holds.
    Cooldown,
    /// Sending failed (logged separately with the error).
    Failed,
}

impl Sent {
    fn as_str(self) -> &'static str {
        match self {
            Sent::Reply => "sent",
            Sent::NotForUs => "none",
            Sent::Cooldown => "cooldown",
            Sent::Failed => "failed",
        }
    }
}

/// The one `info` event per handled question: origin, outcome, entry, score, latency. Never the
/// text (that is at `debug` only).
pub fn trace_handled(origin: Origin, handled: &Handled, sent: Sent, started: Instant) {
    info!(
        origin = origin.as_str(),
        outcome = handled.outcome.as_str(),
        entry = handled.entry.as_deref().unwrap_or("-"),
        score = format_args!("{:.3}", handled.score),
        latency_ms = format_args!("{:.2}", started.elapsed().as_secs_f64() * 1000.0),
        reply = sent.as_str(),
        answer_id = %handled.answer_id,
        "question handled"
    );
}

/// poise's `event_handler`: everything that is not a command.
pub async fn on_event(
    framework: poise::FrameworkContext<'_, Data, Error>,
    event: &FullEvent,
) -> Result<(), Error> {
    let ctx = framework.serenity_context;
    let data = framework.user_data;
    match event {
        FullEvent::Message { new_message } => on_message(ctx, data, new_message).await,
        FullEvent::InteractionCreate {
            interaction: Interaction::Component(click),
        } => on_click(data, click).await,
        FullEvent::InteractionCreate {
            interaction: Interaction::Modal(form),
        } => queue::on_modal(data, form).await,
        FullEvent::Ready { data_about_bot } => info!(
            user = %data_about_bot.user.name,
            shard = ?data_about_bot.shard.map(|s| (s.id.0, s.total)),
            guilds = data_about_bot.guilds.len(),
            "connected to Discord"
        ),
        FullEvent::Resume { .. } => info!("gateway session resumed"),
        _ => {}
    }
    Ok(())
}

/// The channel a thread (or forum post) belongs to, from the cache; `None` for a plain channel
/// or when not cached.
fn thread_parent(ctx: &serenity::Context, msg: &Message) -> Option<ChannelId> {
    let guild = ctx.cache.guild(msg.guild_id?)?;
    guild
        .threads
        .iter()
        .find(|t| t.id == msg.channel_id)
        .and_then(|t| t.parent_id)
}

/// The facts of a message that decide its route.
fn incoming<'m>(ctx: &serenity::Context, data: &Data, msg: &'m Message) -> Incoming<'m> {
    let help_channels = &data.config.help_channels;
    // Only threads need the cache lookup; most messages are in plain channels.
    let parent_channel = (msg.guild_id.is_some()
        && !help_channels.is_empty()
        && !help_channels.contains(&msg.channel_id))
    .then(|| thread_parent(ctx, msg))
    .flatten();
    Incoming {
        author: msg.author.id,
        author_is_bot: msg.author.bot,
        from_webhook: msg.webhook_id.is_some(),
        system: !matches!(msg.kind, MessageType::Regular | MessageType::InlineReply),
        in_guild: msg.guild_id.is_some(),
        channel: msg.channel_id,
        parent_channel,
        content: &msg.content,
    }
}

async fn on_message(ctx: &serenity::Context, data: &Data, msg: &Message) {
    let started = Instant::now();
    let incoming = incoming(ctx, data, msg);
    if msg.referenced_message.is_some()
        && queue::capture_reply(data, msg, incoming.parent_channel).await
    {
        return;
    }
    match route(&incoming, data.bot_id, &data.config.help_channels) {
        Route::Ignore(why) => debug!(?why, message_id = %msg.id, "message ignored"),
        Route::Hello { origin } => {
            if data.cooldown.try_begin(msg.author.id, started, false) == Verdict::Go {
                let hello = Rendered::text(render::hello_text(data.clinic()));
                send_reply(data, msg, hello).await;
                debug!(origin = origin.as_str(), "greeted");
            }
        }
        Route::Ask { origin, question } => {
            debug!(origin = origin.as_str(), question = %question, "question");
            let handled = data.answer(origin, &question).await;
            let sent = if should_reply(origin, handled.outcome) {
                reply_to_question(data, msg, origin, &question, &handled).await
            } else {
                Sent::NotForUs
            };
            trace_handled(origin, &handled, sent, started);
            queue::after_question(data, origin, &question, &handled).await;
        }
    }
}

/// Replies to a question worth a reply, unless the cooldown holds (then at most the one note).
async fn reply_to_question(
    data: &Data,
    msg: &Message,
    origin: Origin,
    question: &str,
    handled: &Handled,
) -> Sent {
    let addressed = origin != Origin::HelpChannel;
    match data
        .cooldown
        .try_begin(msg.author.id, Instant::now(), addressed)
    {
        Verdict::Go => {
            let at = AskedWhere {
                author: msg.author.id,
                channel: msg.channel_id,
                guild: msg.guild_id,
                message: Some(msg.id),
            };
            data.remember(handled, question, at);
            let rendered = render_with(&handled.reply, Some(data.feedback(handled)));
            if send_reply(data, msg, rendered).await {
                Sent::Reply
            } else {
                Sent::Failed
            }
        }
        Verdict::Wait { remaining, first } => {
            if first {
                let note = Rendered::text(render::cooldown_text(remaining));
                send_reply(data, msg, note).await;
            }
            Sent::Cooldown
        }
    }
}

/// Sends `rendered` as a reply to `msg`; a failure is logged. Returns whether it was sent.
async fn send_reply(data: &Data, msg: &Message, rendered: Rendered) -> bool {
    match data
        .rest
        .send_message(msg.channel_id, rendered.into_reply(msg))
        .await
    {
        Ok(_) => true,
        Err(e) => {
            warn!(error = %e, channel = %msg.channel_id, message_id = %msg.id, "could not send a reply");
            false
        }
    }
}

/// What a click on an entry button shows, to the person who clicked only (ephemeral): a click
/// is "show me this", often by another parent reading the thread later, and the answer is
/// about their child; an ephemeral reply keeps the help channel for people and leaves the
/// original choices in place for the next reader.
async fn on_click(data: &Data, click: &ComponentInteraction) {
    let started = Instant::now();
    let mut not_helpful = None;
    let response = match Action::parse(&click.data.custom_id) {
        Some(Action::Show { entry }) => {
            let knowledge = data.knowledge.load();
            let message = match knowledge.faq().get(&entry) {
                Some(found) => {
                    let reply = reply::answer(&knowledge, found, 1.0, data.clinic());
                    render(&reply).into_interaction(true)
                }
                None => Rendered::text(
                    "That entry no longer exists in the FAQ. Please ask your question again and \
                     I'll look it up in the current FAQ.",
                )
                .into_interaction(true),
            };
            CreateInteractionResponse::Message(message)
        }
        Some(Action::Post { message, entry }) => {
            commands::post_chosen(data, click, message, &entry).await
        }
        Some(Action::Vote { answer, helpful }) => {
            let (thanks, outcome) = vote(data, click, answer, helpful).await;
            if !helpful && matches!(outcome, Some(VoteOutcome::Recorded | VoteOutcome::Changed)) {
                not_helpful = Some(answer);
            }
            CreateInteractionResponse::Message(thanks)
        }
        Some(Action::AskModerator { answer }) => {
            CreateInteractionResponse::Message(ask_moderator(data, click, answer).await)
        }
        Some(
            action @ (Action::QueuePhrasing { .. }
            | Action::QueueNewEntry { .. }
            | Action::QueueDismiss { .. }
            | Action::QueuePick { .. }),
        ) => queue::on_click(data, click, action).await,
        Some(
            Action::SubmitPhrasing { .. }
            | Action::SubmitNewEntry { .. }
            | Action::SubmitEdit { .. },
        ) => CreateInteractionResponse::Message(
            Rendered::text("This button no longer works.").into_interaction(true),
        ),
        None => CreateInteractionResponse::Message(
            Rendered::text("This button no longer works. Please ask your question again.")
                .into_interaction(true),
        ),
    };
    if let Err(e) = data
        .rest
        .create_interaction_response(click.id, &click.token, response)
        .await
    {
        warn!(error = %e, custom_id = %click.data.custom_id, "could not answer a button click");
    }
    info!(
        custom_id = %click.data.custom_id,
        latency_ms = format_args!("{:.2}", started.elapsed().as_secs_f64() * 1000.0),
        "button clicked"
    );
    // After the thanks: the review queue's post is not what the parent waits for.
    if let Some(answer) = not_helpful {
        queue::after_not_helpful(data, answer).await;
    }
}

/// A "Helpful" / "Not helpful" click: stored once per person (the store keeps a keyed hash of
/// the voter, not the voter), thanked in private.
async fn vote(
    data: &Data,
    click: &ComponentInteraction,
    answer: AnswerId,
    helpful: bool,
) -> (CreateInteractionResponseMessage, Option<VoteOutcome>) {
    let log = data.log.clone();
    let voter = click.user.id.get();
    // `vote` waits for the writer thread (at most 2 s): not on the async workers.
    let outcome = match tokio::task::spawn_blocking(move || log.vote(answer, voter, helpful)).await
    {
        Ok(Ok(outcome)) => Some(outcome),
        Ok(Err(e)) => {
            warn!(error = %e, %answer, "vote not stored");
            None
        }
        Err(e) => {
            warn!(error = %e, %answer, "vote task failed");
            None
        }
    };
    info!(%answer, helpful, outcome = ?outcome, "vote");
    let ask = data.config.mod_log_channel.map(|_| answer);
    (
        render::vote_thanks(helpful, outcome, ask).into_interaction(true),
        outcome,
    )
}

/// "Ask a moderator": the question goes to the moderators' channel (once per answer), and the
/// parent is told someone will follow up.
async fn ask_moderator(
    data: &Data,
    click: &ComponentInteraction,
    answer: AnswerId,
) -> CreateInteractionResponseMessage {
    let Some(channel) = data.config.mod_log_channel else {
        return Rendered::text(
            "There is no moderators' channel set up; please mention a moderator instead.",
        )
        .into_interaction(true);
    };
    let asked = match data.recent.escalate(answer) {
        Escalation::Already => {
            return Rendered::text(
                "The moderators already have your question; someone will follow up soon.",
            )
            .into_interaction(true)
        }
        Escalation::First(asked) => asked,
    };
    let text = render::moderator_request(
        click.user.id,
        click.channel_id,
        click.guild_id,
        asked.as_ref(),
    );
    match data
        .rest
        .send_message(channel, Rendered::text(text).into_message())
        .await
    {
        Ok(_) => {
            info!(%answer, known = asked.is_some(), "question passed to the moderators");
            Rendered::text(
                "Thank you. I've passed your question to the moderators: someone will follow up \
                 with you soon.",
            )
            .into_interaction(true)
        }
        Err(e) => {
            warn!(error = %e, %channel, "could not post to the moderator log channel");
            data.recent.release(answer);
            Rendered::text(
                "Sorry, I could not reach the moderators just now. Please mention a moderator, \
                 or try the button again in a moment.",
            )
            .into_interaction(true)
        }
    }
}
