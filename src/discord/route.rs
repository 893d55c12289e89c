//! Who answers what: the pure decision, from a message's facts alone, whether the bot looks at
//! it, as what kind of question, and whether the outcome is worth a reply there.
//!
//! - Bots (itself included), webhooks and system messages are never answered: no reply loops.
//! - A direct message, or a message that mentions the bot in its text, always gets a reply.
//! - In a help channel (or a thread or forum post inside one) the bot answers only what it
//!   recognises: people also talk to each other there, and "I don't know" to every "thanks!"
//!   would be noise.
//! - A reply to one of the bot's messages mentions it only in Discord's metadata (the "ping"
//!   toggle), not in the text; that is not treated as a mention, so "thank you!" under an
//!   answer does not get an "I don't know".

use crate::store::{Origin, Outcome};
use poise::serenity_prelude::{ChannelId, UserId};

/// The facts about an incoming message that decide its route.
#[allow(
    clippy::struct_excessive_bools,
    reason = "independent facts of one message, read straight off the event"
)]
#[derive(Debug, Clone, Copy)]
pub struct Incoming<'a> {
    /// The author.
    pub author: UserId,
    /// The author is a bot account.
    pub author_is_bot: bool,
    /// Sent by a webhook (or an app acting as one).
    pub from_webhook: bool,
    /// A system message (member joined, pin, thread created, ...), not one someone wrote.
    pub system: bool,
    /// Sent in a server (false: a direct message).
    pub in_guild: bool,
    /// The channel (or thread) it was sent in.
    pub channel: ChannelId,
    /// For a thread or forum post, the channel it belongs to.
    pub parent_channel: Option<ChannelId>,
    /// The text.
    pub content: &'a str,
}

/// What the bot does with a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Not for the bot.
    Ignore(Ignored),
    /// Addressed to the bot with nothing to ask: say how to ask.
    Hello {
        /// How it came in.
        origin: Origin,
    },
    /// A question to match.
    Ask {
        /// How it came in.
        origin: Origin,
        /// The text to match, the bot's mention removed.
        question: String,
    },
}

/// Why a message is not for the bot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ignored {
    /// The bot's own message.
    Own,
    /// Another bot or a webhook.
    Bot,
    /// A system message.
    System,
    /// A server channel that is not a help channel, without a mention.
    NotAddressed,
    /// A help-channel message with no text (an image, a sticker).
    Empty,
}

/// Decides the route of `msg` for the bot `bot` with these help channels.
///
/// ```
/// use faqbot::discord::route::{route, Incoming, Route};
/// use faqbot::store::Origin;
/// use poise::serenity_prelude::{ChannelId, UserId};
/// let msg = Incoming {
///     author: UserId::new(7), author_is_bot: false, from_webhook: false, system: false,
///     in_guild: true, channel: ChannelId::new(5), parent_channel: None,
///     content: "<@1> what is OT?",
/// };
/// assert_eq!(
///     route(&msg, UserId::new(1), &[]),
///     Route::Ask { origin: Origin::Mention, question: "what is OT?".into() },
/// );
/// ```
#[must_use]
pub fn route(msg: &Incoming<'_>, bot: UserId, help_channels: &[ChannelId]) -> Route {
    if msg.author == bot {
        return Route::Ignore(Ignored::Own);
    }
    if msg.author_is_bot || msg.from_webhook {
        return Route::Ignore(Ignored::Bot);
    }
    if msg.system {
        return Route::Ignore(Ignored::System);
    }
    let mentioned = mentions(msg.content, bot);
    let origin = if !msg.in_guild {
        Origin::DirectMessage
    } else if mentioned {
        Origin::Mention
    } else if is_help_channel(msg.channel, msg.parent_channel, help_channels) {
        Origin::HelpChannel
    } else {
        return Route::Ignore(Ignored::NotAddressed);
    };
    let question = clean_question(msg.content);
    match (question.is_empty(), origin) {
        (true, Origin::HelpChannel) => Route::Ignore(Ignored::Empty),
        (true, _) => Route::Hello { origin },
        (false, _) => Route::Ask { origin, question },
    }
}

/// Whether a channel, or the channel a thread belongs to, is a help channel.
#[must_use]
pub fn is_help_channel(
    channel: ChannelId,
    parent: Option<ChannelId>,
    help_channels: &[ChannelId],
) -> bool {
    help_channels.contains(&channel) || parent.is_some_and(|p| help_channels.contains(&p))
}

/// Whether an outcome is worth a reply for a question that came in this way: in a help channel
/// only an answer or a "did you mean"; addressed to the bot, always (the kind fallback at worst).
#[must_use]
pub fn should_reply(origin: Origin, outcome: Outcome) -> bool {
    origin != Origin::HelpChannel || outcome != Outcome::NoMatch
}

/// The two ways Discord writes a mention of `user` in text: `<@ID>` and the legacy `<@!ID>`.
fn mention_forms(user: UserId) -> [String; 2] {
    [format!("<@{user}>"), format!("<@!{user}>")]
}

/// Whether the text mentions `user`.
#[must_use]
pub fn mentions(text: &str, user: UserId) -> bool {
    mention_forms(user)
        .iter()
        .any(|m| text.contains(m.as_str()))
}

/// The question in a message: the text without mentions of any kind (the bot, people, roles,
/// channels, `@everyone`, `@here`) or custom emoji, trimmed. They carry no meaning for the FAQ
/// and would only dilute the match ("@everyone what does OT stand for").
///
/// ```
/// use faqbot::discord::route::clean_question;
/// assert_eq!(clean_question("<@1> @everyone what is <#5> OT <:ot:42>?"), "what is   OT  ?");
/// ```
#[must_use]
pub fn clean_question(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(['<', '@']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        // '<' and '@' are one byte each.
        let skip = mention_len(tail).unwrap_or(1);
        if skip > 1 {
            out.push(' ');
        } else {
            out.push_str(&tail[..1]);
        }
        rest = &tail[skip..];
    }
    out.push_str(rest);
    out.trim().to_owned()
}

/// The length of the mention (or custom emoji) `text` starts with, if it starts with one.
fn mention_len(text: &str) -> Option<usize> {
    for everyone in ["@everyone", "@here"] {
        if text.starts_with(everyone) {
            return Some(everyone.len());
        }
    }
    let end = text.strip_prefix('<')?.find('>')? + 1;
    let inner = &text[1..end];
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let id = inner
        .strip_prefix("@!")
        .or_else(|| inner.strip_prefix("@&"))
        .or_else(|| inner.strip_prefix('@'))
        .or_else(|| inner.strip_prefix('#'));
    let emoji = inner
        .strip_prefix(':')
        .or_else(|| inner.strip_prefix("a:"))
        .and_then(|e| e.rsplit_once(':'))
        .map(|(_, id)| id);
    (id.is_some_and(digits) || emoji.is_some_and(digits)).then_some(end + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOT: UserId = UserId::new(1);
    const HELP: ChannelId = ChannelId::new(100);
    const OTHER: ChannelId = ChannelId::new(200);

    fn msg(content: &str) -> Incoming<'_> {
        Incoming {
            author: UserId::new(7),
            author_is_bot: false,
            from_webhook: false,
            system: false,
            in_guild: true,
            channel: HELP,
            parent_channel: None,
            content,
        }
    }

    fn ask(origin: Origin, question: &str) -> Route {
        Route::Ask {
            origin,
            question: question.to_owned(),
        }
    }

    #[test]
    #[allow(clippy::too_many_lines, reason = "one table, one case per line")]
    fn route_table() {
        let help = [HELP];
        let table: Vec<(&str, Incoming<'_>, Route)> = vec![
            (
                "help channel",
                msg("what is OT"),
                ask(Origin::HelpChannel, "what is OT"),
            ),
            (
                "other channel",
                Incoming {
                    channel: OTHER,
                    ..msg("what is OT")
                },
                Route::Ignore(Ignored::NotAddressed),
            ),
            (
                "mention elsewhere",
                Incoming {
                    channel: OTHER,
                    ..msg("<@1> what is OT")
                },
                ask(Origin::Mention, "what is OT"),
            ),
            (
                "legacy mention",
                Incoming {
                    channel: OTHER,
                    ..msg("hey <@!1>, what is OT")
                },
                ask(Origin::Mention, "hey  , what is OT"),
            ),
            (
                "everyone and roles",
                msg("@everyone <@&5> @here what is OT"),
                ask(Origin::HelpChannel, "what is OT"),
            ),
            (
                "mention in help channel",
                msg("<@1> what is OT"),
                ask(Origin::Mention, "what is OT"),
            ),
            (
                "someone else mentioned",
                Incoming {
                    channel: OTHER,
                    ..msg("<@11> what is OT")
                },
                Route::Ignore(Ignored::NotAddressed),
            ),
            (
                "dm",
                Incoming {
                    in_guild: false,
                    channel: OTHER,
                    ..msg("what is OT")
                },
                ask(Origin::DirectMessage, "what is OT"),
            ),
            (
                "dm with mention",
                Incoming {
                    in_guild: false,
                    ..msg("<@1> hi there")
                },
                ask(Origin::DirectMessage, "hi there"),
            ),
            (
                "thread in a help channel",
                Incoming {
                    channel: OTHER,
                    parent_channel: Some(HELP),
                    ..msg("what is OT")
                },
                ask(Origin::HelpChannel, "what is OT"),
            ),
            (
                "thread elsewhere",
                Incoming {
                    channel: OTHER,
                    parent_channel: Some(ChannelId::new(300)),
                    ..msg("x")
                },
                Route::Ignore(Ignored::NotAddressed),
            ),
            (
                "own message",
                Incoming {
                    author: BOT,
                    ..msg("<@1> x")
                },
                Route::Ignore(Ignored::Own),
            ),
            (
                "bot",
                Incoming {
                    author_is_bot: true,
                    in_guild: false,
                    ..msg("x")
                },
                Route::Ignore(Ignored::Bot),
            ),
            (
                "webhook",
                Incoming {
                    from_webhook: true,
                    ..msg("x")
                },
                Route::Ignore(Ignored::Bot),
            ),
            (
                "system",
                Incoming {
                    system: true,
                    ..msg("<@1>")
                },
                Route::Ignore(Ignored::System),
            ),
            (
                "empty in help channel",
                msg("  "),
                Route::Ignore(Ignored::Empty),
            ),
            (
                "bare mention",
                Incoming {
                    channel: OTHER,
                    ..msg("<@1>")
                },
                Route::Hello {
                    origin: Origin::Mention,
                },
            ),
            (
                "empty dm",
                Incoming {
                    in_guild: false,
                    ..msg("")
                },
                Route::Hello {
                    origin: Origin::DirectMessage,
                },
            ),
        ];
        for (name, incoming, want) in table {
            assert_eq!(route(&incoming, BOT, &help), want, "{name}");
        }
    }

    #[test]
    fn should_reply_table() {
        let table = [
            (Origin::HelpChannel, Outcome::Answer, true),
            (Origin::HelpChannel, Outcome::Ambiguous, true),
            (Origin::HelpChannel, Outcome::NoMatch, false),
            (Origin::Mention, Outcome::NoMatch, true),
            (Origin::DirectMessage, Outcome::NoMatch, true),
            (Origin::SlashCommand, Outcome::NoMatch, true),
        ];
        for (origin, outcome, want) in table {
            assert_eq!(
                should_reply(origin, outcome),
                want,
                "{origin:?} {outcome:?}"
            );
        }
    }

    #[test]
    fn mentions_need_the_exact_id() {
        assert!(mentions("<@1>", BOT));
        assert!(mentions("x<@!1>y", BOT));
        assert!(!mentions("<@12>", BOT));
        assert!(!mentions("<@&1>", BOT), "a role mention is not the bot");
        assert!(!mentions("@faqbot", BOT));
    }

    #[test]
    fn clean_question_table() {
        let table = [
            ("<@1><@!1> a <@1>", "a"),
            ("a <@&22> b", "a   b"),
            ("a <#33>", "a"),
            ("@here @everyone", ""),
            ("<a:dance:44> hi", "hi"),
            ("a < b and c@d.e", "a < b and c@d.e"),
            ("<@x> <#> <t:123:R>", "<@x> <#> <t:123:R>"),
            ("<", "<"),
            ("@", "@"),
            ("é@<é>", "é@<é>"),
        ];
        for (text, want) in table {
            assert_eq!(clean_question(text), want, "{text:?}");
        }
    }
}
