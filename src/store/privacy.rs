//! What of a parent's question text the log may keep, and in what form.
//!
//! The rule ([`TextUse::for_question`]): text is kept only where it serves the moderators.
//! - An unanswered question **addressed to the bot** (mention, DM, slash or context-menu
//!   command): kept, it is the gap in the FAQ the moderators fill.
//! - An answered (or "did you mean") question: kept only in memory, for a short while, in case
//!   someone votes the answer not helpful; only then is it written.
//! - A help-channel message the FAQ does not cover: the bot stays silent and the message is
//!   most often chat between parents, so its text is never kept (the row only counts it).
//!
//! Kept text goes through [`redact`] first: user, role and channel mentions, e-mail addresses
//! and phone numbers are masked, and the result is cut to [`MAX_QUESTION_CHARS`].

use std::sync::LazyLock;

use regex::Regex;

use super::record::{Origin, Outcome};

/// The most characters of a question kept: a question to an FAQ is a sentence or two (the
/// report shows 80), while a pasted life story is not something the moderators' loop needs.
pub const MAX_QUESTION_CHARS: usize = 300;

/// What replaces a masked user, role or channel mention.
pub const MASKED_MENTION: &str = "@someone";
/// What replaces a masked e-mail address.
pub const MASKED_EMAIL: &str = "[email]";
/// What replaces a masked phone number.
pub const MASKED_PHONE: &str = "[phone]";

/// The fewest digits that make a number a phone number: short numbers are ages, counts and
/// session lengths ("3 year old", "45 minutes"), which the moderators need to read.
const PHONE_MIN_DIGITS: usize = 7;

/// What the log does with a question's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextUse {
    /// Stored (redacted) with the row.
    Keep,
    /// Held in memory for a not-helpful vote; stored only if one comes.
    UntilVoted,
    /// Never stored.
    Discard,
}

impl TextUse {
    /// The rule of the module docs.
    pub(crate) fn for_question(origin: Origin, outcome: Outcome) -> TextUse {
        match (origin, outcome) {
            (Origin::HelpChannel, Outcome::NoMatch) => TextUse::Discard,
            (_, Outcome::NoMatch) => TextUse::Keep,
            (_, Outcome::Answer | Outcome::Ambiguous) => TextUse::UntilVoted,
        }
    }
}

static MENTION: LazyLock<Regex> = LazyLock::new(|| {
    // <@id>, <@!id> (users), <@&id> (roles), <#id> (channels); @everyone / @here say nothing
    // about anyone.
    Regex::new(r"<(?:@[!&]?|#)\d+>").unwrap_or_else(|e| unreachable!("mention pattern: {e}"))
});

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}")
        .unwrap_or_else(|e| unreachable!("e-mail pattern: {e}"))
});

static PHONE_LIKE: LazyLock<Regex> = LazyLock::new(|| {
    // A run of digits with the separators people type in phone numbers; counted below.
    Regex::new(r"\+?\(?\d[\d\s().\-/]*\d").unwrap_or_else(|e| unreachable!("phone pattern: {e}"))
});

/// `text` with mentions, e-mail addresses and phone numbers masked and line breaks as spaces,
/// cut to [`MAX_QUESTION_CHARS`] characters (with "…" when cut).
///
/// ```
/// use faqbot::store::redact;
/// assert_eq!(
///     redact("<@123> mail me at a.b@example.com or 555-010-4477, my son is 3"),
///     "@someone mail me at [email] or [phone], my son is 3"
/// );
/// ```
#[must_use]
pub fn redact(text: &str) -> String {
    redact_to(text, MAX_QUESTION_CHARS)
}

/// [`redact`] with another length cap (a moderator's answer is longer than a question).
pub(crate) fn redact_to(text: &str, max_chars: usize) -> String {
    let text = MENTION.replace_all(text, MASKED_MENTION);
    let text = EMAIL.replace_all(&text, MASKED_EMAIL);
    let text = PHONE_LIKE.replace_all(&text, |caps: &regex::Captures<'_>| {
        let found = &caps[0];
        if found.bytes().filter(u8::is_ascii_digit).count() >= PHONE_MIN_DIGITS {
            MASKED_PHONE.to_owned()
        } else {
            found.to_owned()
        }
    });
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let flat = flat.trim();
    if flat.chars().count() <= max_chars {
        return flat.to_owned();
    }
    let mut cut: String = flat.chars().take(max_chars.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_table() {
        let table = [
            ("what is OT", "what is OT"),
            ("<@123456789012345678> what is OT", "@someone what is OT"),
            (
                "ask <@!42> or <@&7> in <#99>",
                "ask @someone or @someone in @someone",
            ),
            ("@everyone what is OT", "@everyone what is OT"),
            (
                "write to Jane.Doe+ot@mail.example.co.uk",
                "write to [email]",
            ),
            ("call 555-010-4477", "call [phone]"),
            ("call +1 (555) 010 4477 today", "call [phone] today"),
            ("tel 0170/1234567", "tel [phone]"),
            (
                "my 3 year old, 45 minute sessions",
                "my 3 year old, 45 minute sessions",
            ),
            (
                "twins aged 2 and 4, born 2021",
                "twins aged 2 and 4, born 2021",
            ),
            ("line\nbreak", "line break"),
        ];
        for (text, want) in table {
            assert_eq!(redact(text), want, "{text:?}");
        }
    }

    #[test]
    fn redact_caps_the_length() {
        let long = "é".repeat(MAX_QUESTION_CHARS * 3);
        let kept = redact(&long);
        assert_eq!(kept.chars().count(), MAX_QUESTION_CHARS);
        assert!(kept.ends_with('…'));
        assert_eq!(
            redact(&"a".repeat(MAX_QUESTION_CHARS)).chars().count(),
            MAX_QUESTION_CHARS
        );
    }

    #[test]
    fn text_use_table() {
        use Origin::{ContextMenu, DirectMessage, HelpChannel, Mention, SlashCommand};
        let table = [
            (HelpChannel, Outcome::NoMatch, TextUse::Discard),
            (HelpChannel, Outcome::Answer, TextUse::UntilVoted),
            (HelpChannel, Outcome::Ambiguous, TextUse::UntilVoted),
            (Mention, Outcome::NoMatch, TextUse::Keep),
            (DirectMessage, Outcome::NoMatch, TextUse::Keep),
            (SlashCommand, Outcome::NoMatch, TextUse::Keep),
            (ContextMenu, Outcome::NoMatch, TextUse::Keep),
            (SlashCommand, Outcome::Answer, TextUse::UntilVoted),
        ];
        for (origin, outcome, want) in table {
            assert_eq!(
                TextUse::for_question(origin, outcome),
                want,
                "{origin:?} {outcome:?}"
            );
        }
    }
}
