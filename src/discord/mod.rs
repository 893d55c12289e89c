//! The Discord bot: poise on serenity, kept thin.
//!
//! A gateway event comes in through serenity and poise; [`handler`] (messages, button clicks)
//! and [`commands`] (slash and context-menu commands) turn it into calls of plain functions:
//! [`route::route`] decides whether and how the bot answers a message, [`Data::answer`] matches
//! the question against one snapshot of the FAQ and logs it, [`render::render`] turns the
//! [`Reply`](crate::reply::Reply) into an embed with buttons, and the handler sends that. Those
//! functions are unit-tested without Discord; the whole is tested end to end against a fake
//! Discord on loopback (`tests/discord_e2e.rs`).
//!
//! - [`config`]: the settings, checked at start-up.
//! - [`bot`]: start, run until SIGINT/SIGTERM, shut down cleanly.
//! - [`cooldown`]: the per-user cooldown on automatic replies.
//! - [`action`]: what a button does, carried in its custom id.
//! - [`suggest`]: fuzzy autocomplete of FAQ topics.
//! - [`recent`]: the questions recently answered, for "Ask a moderator".
//! - [`redact`]: the bot token kept out of the logs, whatever `RUST_LOG` says.
//! - [`rest`]: posting messages with rate limits honoured, also through a proxy.
//! - [`admission`]: the bounds on work in flight (matching; events waiting for Discord).
//! - [`digest`]: the weekly digest to the moderators' channel (report, chart, top groups).
//! - [`queue`]: the review queue in the moderators' channel, its buttons and forms.

pub mod action;
pub mod admission;
pub mod bot;
pub mod commands;
pub mod config;
pub mod cooldown;
pub mod digest;
pub mod handler;
pub mod queue;
pub mod recent;
pub mod redact;
pub mod render;
pub mod rest;
pub mod route;
pub mod suggest;

pub use bot::{run, start, Bot, RunError};
pub use config::{BotConfig, BotConfigError, ShardSpec};

use crate::editor::FaqEditor;
use crate::live::SharedKnowledge;
use crate::matcher::{Addressing, Decision};
use crate::reply::{self, Clinic, Reply};
use crate::store::{AnswerId, Origin, Outcome, QuestionLog, QuestionRecord};
use cooldown::Cooldown;
use poise::serenity_prelude::{ChannelId, GuildId, MessageId, UserId};
use recent::{Asked, Recent};
use render::Feedback;
use std::sync::Arc;

/// The error type of commands and handlers.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// The poise context of every command.
pub type Context<'a> = poise::Context<'a, Data, Error>;

/// What every handler and command shares.
#[derive(Debug)]
pub struct Data {
    /// The FAQ in service; take one snapshot per question (`knowledge.load()`).
    pub knowledge: SharedKnowledge,
    /// The settings.
    pub config: Arc<BotConfig>,
    /// The question log.
    pub log: QuestionLog,
    /// The per-user cooldown on automatic replies.
    pub cooldown: Cooldown,
    /// The questions recently answered, for "Ask a moderator".
    pub recent: Recent,
    /// The bot's own user id.
    pub bot_id: UserId,
    /// Posts replies, waiting out rate limits.
    pub rest: rest::Rest,
    /// The bound on matching work: questions are matched under it, replies sent outside it.
    pub matching: admission::Matching,
    /// Writes moderators' FAQ changes to the FAQ folder (`None` only where the bot has no
    /// FAQ folder).
    pub editor: Option<Arc<FaqEditor>>,
}

/// A question matched and logged: what to reply and what to report.
#[derive(Debug, Clone)]
pub struct Handled {
    /// What the parent reads.
    pub reply: Reply,
    /// The outcome.
    pub outcome: Outcome,
    /// The entry answered, or the best candidate.
    pub entry: Option<String>,
    /// Its score (0 when there was no candidate at all).
    pub score: f32,
    /// The question log's id of this answer (for feedback buttons).
    pub answer_id: AnswerId,
}

/// The question log's outcome for a matcher decision.
#[must_use]
pub fn outcome_of(decision: &Decision) -> Outcome {
    match decision {
        Decision::Answer(_) => Outcome::Answer,
        Decision::Ambiguous(_) => Outcome::Ambiguous,
        Decision::NoMatch(_) | Decision::NotAQuestion(_) => Outcome::NoMatch,
    }
}

impl Data {
    /// The clinic's details.
    #[must_use]
    pub fn clinic(&self) -> &Clinic {
        &self.config.clinic
    }

    /// Matches `question` against one snapshot of the FAQ, builds the reply and logs the
    /// question (never blocks: see [`QuestionLog::log`]); under [`Data::matching`] (waiting
    /// in line when every core is matching).
    pub async fn answer(&self, origin: Origin, question: &str) -> Handled {
        self.matching
            .run(|| answer_now(&self.knowledge, self.clinic(), &self.log, origin, question))
            .await
    }
}

/// [`Data::answer`], on the calling thread.
fn answer_now(
    knowledge: &SharedKnowledge,
    clinic: &Clinic,
    log: &QuestionLog,
    origin: Origin,
    question: &str,
) -> Handled {
    let knowledge = knowledge.load();
    // In a help channel parents also talk to each other: only what asks something is ours.
    let addressing = if origin == Origin::HelpChannel {
        Addressing::HelpChannel
    } else {
        Addressing::Direct
    };
    let decision = knowledge.answer(question, addressing);
    let reply = reply::build(&knowledge, &decision, clinic);
    let outcome = outcome_of(&decision);
    let (entry, score) = decision
        .best()
        .map_or((None, 0.0), |c| (Some(c.id.clone()), c.score));
    let answer_id = log.log(QuestionRecord::now(
        origin,
        question,
        outcome,
        entry.clone(),
        score,
    ));
    Handled {
        reply,
        outcome,
        entry,
        score,
        answer_id,
    }
}

/// Where a question was asked, for "Ask a moderator".
#[derive(Debug, Clone, Copy)]
pub struct AskedWhere {
    /// Who asked.
    pub author: UserId,
    /// The channel.
    pub channel: ChannelId,
    /// The server (`None`: a DM).
    pub guild: Option<GuildId>,
    /// The question's message (`None` for `/ask`).
    pub message: Option<MessageId>,
}

impl Data {
    /// The feedback buttons of a reply to `handled`.
    #[must_use]
    pub fn feedback(&self, handled: &Handled) -> Feedback {
        Feedback {
            answer: handled.answer_id,
            ask_moderator: self.config.mod_log_channel.is_some(),
        }
    }

    /// Keeps the question of an answer or a fallback in memory for "Ask a moderator" (only when
    /// a moderators' channel is configured).
    pub fn remember(&self, handled: &Handled, question: &str, at: AskedWhere) {
        if self.config.mod_log_channel.is_none() {
            return;
        }
        let answered = match &handled.reply {
            Reply::Answer(answer) => Some(answer.title.clone()),
            Reply::Fallback { .. } => None,
            Reply::DidYouMean { .. } | Reply::Warm { .. } => return,
        };
        self.recent.remember(
            handled.answer_id,
            Asked {
                question: question.to_owned(),
                answered,
                author: at.author,
                channel: at.channel,
                guild: at.guild,
                message: at.message,
            },
        );
    }
}

/// Every command the bot registers, in one place.
#[must_use]
pub fn commands() -> Vec<poise::Command<Data, Error>> {
    vec![
        commands::ask(),
        commands::faq(),
        commands::answer_from_faq(),
    ]
}
