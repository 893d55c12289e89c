//! The values that go into the question log: where a question came from, what the bot did with
//! it, the id shown on its feedback buttons, and what a vote did.
//!
//! These are plain data with their text forms; the `SQLite` columns hold the `as_str` forms so the
//! file stays readable with the `sqlite3` shell.

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::StoreError;

/// Where a question reached the bot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// A message in a channel the bot watches for questions.
    HelpChannel,
    /// A message that mentions the bot.
    Mention,
    /// A direct message to the bot.
    DirectMessage,
    /// The bot's slash command.
    SlashCommand,
    /// The "ask the FAQ" context-menu command on someone's message.
    ContextMenu,
}

impl Origin {
    /// Every origin, in the order reports list them.
    pub const ALL: [Origin; 5] = [
        Origin::HelpChannel,
        Origin::Mention,
        Origin::DirectMessage,
        Origin::SlashCommand,
        Origin::ContextMenu,
    ];

    /// The stored text form, e.g. `"help_channel"`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::HelpChannel => "help_channel",
            Origin::Mention => "mention",
            Origin::DirectMessage => "direct_message",
            Origin::SlashCommand => "slash_command",
            Origin::ContextMenu => "context_menu",
        }
    }

    /// A short label for the moderators' report.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Origin::HelpChannel => "help channel",
            Origin::Mention => "mention",
            Origin::DirectMessage => "DM",
            Origin::SlashCommand => "slash command",
            Origin::ContextMenu => "context menu",
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Origin {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Origin::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| StoreError::UnknownValue {
                kind: "origin",
                value: s.to_owned(),
            })
    }
}

/// What the bot did with a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// It answered from one FAQ entry.
    Answer,
    /// Several entries fitted about equally well and it asked which one was meant.
    Ambiguous,
    /// Nothing in the FAQ fitted, so it did not answer.
    NoMatch,
}

impl Outcome {
    /// Every outcome, in the order reports list them.
    pub const ALL: [Outcome; 3] = [Outcome::Answer, Outcome::Ambiguous, Outcome::NoMatch];

    /// The stored text form: `"answer"`, `"ambiguous"` or `"no_match"`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Answer => "answer",
            Outcome::Ambiguous => "ambiguous",
            Outcome::NoMatch => "no_match",
        }
    }

    /// A short label for the moderators' report.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Answer => "answered",
            Outcome::Ambiguous => "ambiguous",
            Outcome::NoMatch => "no match",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Outcome {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Outcome::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| StoreError::UnknownValue {
                kind: "outcome",
                value: s.to_owned(),
            })
    }
}

/// One handled question, as the caller hands it to [`QuestionLog::log`](super::QuestionLog::log).
///
/// There is deliberately no field for who asked or where (user, channel, message link): parents
/// talk about their children's health, and the moderators' loop needs none of it.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionRecord {
    /// When the question was handled, in unix seconds.
    pub at_unix: i64,
    /// Where the question came from.
    pub origin: Origin,
    /// The question as asked. Stored only when question text logging is on.
    pub question: String,
    /// What the bot did with it.
    pub outcome: Outcome,
    /// The FAQ entry answered (or the best candidate), if any.
    pub entry_id: Option<String>,
    /// The matcher's score for that entry. A non-finite score is stored as NULL.
    pub score: f32,
}

impl QuestionRecord {
    /// A record stamped with the current time.
    #[must_use]
    pub fn now(
        origin: Origin,
        question: impl Into<String>,
        outcome: Outcome,
        entry_id: Option<String>,
        score: f32,
    ) -> Self {
        QuestionRecord {
            at_unix: now_unix(),
            origin,
            question: question.into(),
            outcome,
            entry_id,
            score,
        }
    }
}

/// The id of one answer, made on the caller's side so it can go into the feedback buttons'
/// custom ids before the log row is written. Shown and parsed as 16 lowercase hex digits.
///
/// ```
/// use faqbot::store::AnswerId;
/// let id: AnswerId = "00000000000000ff".parse().unwrap();
/// assert_eq!(id.to_string(), "00000000000000ff");
/// assert_eq!(id, AnswerId::from_u64(255));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AnswerId(u64);

impl AnswerId {
    /// A fresh random id. If the operating system gives no randomness, falls back to a hash of
    /// the clock and a process-wide counter, so logging never fails for want of an id.
    #[must_use]
    pub fn random() -> Self {
        static FALLBACK_COUNTER: AtomicU64 = AtomicU64::new(0);
        if let Ok(n) = getrandom::u64() {
            return AnswerId(n);
        }
        let count = FALLBACK_COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let mut input = [0u8; 24];
        input[..16].copy_from_slice(&nanos.to_le_bytes());
        input[16..].copy_from_slice(&count.to_le_bytes());
        let hash = blake3::hash(&input);
        let mut first = [0u8; 8];
        first.copy_from_slice(&hash.as_bytes()[..8]);
        AnswerId(u64::from_le_bytes(first))
    }

    /// The id with this numeric value.
    #[must_use]
    pub const fn from_u64(n: u64) -> Self {
        AnswerId(n)
    }

    /// The numeric value.
    #[must_use]
    pub const fn as_u64(self) -> u64 {
        self.0
    }

    /// The same 64 bits as `SQLite`'s signed INTEGER.
    pub(crate) fn to_sql(self) -> i64 {
        i64::from_le_bytes(self.0.to_le_bytes())
    }

    /// The bytes hashed with a voter's id to make the voter key.
    pub(crate) fn to_le_bytes(self) -> [u8; 8] {
        self.0.to_le_bytes()
    }
}

impl fmt::Display for AnswerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl FromStr for AnswerId {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || StoreError::UnknownValue {
            kind: "answer id",
            value: s.to_owned(),
        };
        if s.is_empty() || s.len() > 16 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        u64::from_str_radix(s, 16).map(AnswerId).map_err(|_| bad())
    }
}

/// What a vote did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VoteOutcome {
    /// This person's first vote on this answer.
    Recorded,
    /// This person had voted the other way on this answer; the vote now says this.
    Changed,
    /// This person had already voted this way on this answer; nothing changed.
    Unchanged,
}

/// Seconds in a day, for retention cutoffs and report dates.
pub(crate) const SECS_PER_DAY: i64 = 86_400;

/// The current time in unix seconds (0 if the clock is before 1970).
pub(crate) fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_text_round_trips() {
        for origin in Origin::ALL {
            assert_eq!(origin.as_str().parse::<Origin>().ok(), Some(origin));
        }
        assert!("help channel".parse::<Origin>().is_err());
    }

    #[test]
    fn outcome_text_round_trips() {
        let table = [
            (Outcome::Answer, "answer"),
            (Outcome::Ambiguous, "ambiguous"),
            (Outcome::NoMatch, "no_match"),
        ];
        for (outcome, text) in table {
            assert_eq!(outcome.as_str(), text);
            assert_eq!(text.parse::<Outcome>().ok(), Some(outcome));
        }
        assert!("nomatch".parse::<Outcome>().is_err());
    }

    #[test]
    fn answer_id_parse_table() {
        let table: [(&str, Option<u64>); 8] = [
            ("0000000000000000", Some(0)),
            ("ffffffffffffffff", Some(u64::MAX)),
            ("00000000000000FF", Some(255)),
            ("ff", Some(255)),
            ("", None),
            ("1ffffffffffffffff", None),
            ("+f", None),
            ("xyz", None),
        ];
        for (text, want) in table {
            assert_eq!(
                text.parse::<AnswerId>().ok().map(AnswerId::as_u64),
                want,
                "{text:?}"
            );
        }
    }

    #[test]
    fn answer_id_display_is_16_hex_digits_and_round_trips() {
        for n in [0, 1, 0xdead_beef, u64::MAX] {
            let id = AnswerId::from_u64(n);
            let shown = id.to_string();
            assert_eq!(shown.len(), 16);
            assert_eq!(shown.parse::<AnswerId>().ok(), Some(id));
        }
    }

    #[test]
    fn answer_id_sql_form_keeps_all_64_bits() {
        let id = AnswerId::from_u64(u64::MAX);
        assert_eq!(id.to_sql(), -1);
    }

    #[test]
    fn random_answer_ids_differ() {
        assert_ne!(AnswerId::random(), AnswerId::random());
    }
}
