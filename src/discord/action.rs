//! What a button does, written into its custom id (`faq:show:<entry id>`) and read back,
//! checked, when someone clicks it. The id is all the state a button has: the bot keeps none,
//! so buttons keep working across restarts, and a click on a button whose entry has since been
//! removed from the FAQ is caught when the entry is looked up.

use crate::store::{AnswerId, QueueItemId};
use poise::serenity_prelude::MessageId;
use std::fmt;

/// Discord's limit on a custom id's length.
pub const MAX_CUSTOM_ID_LEN: usize = 100;

/// The prefix of every faqbot custom id, so other apps' ids are never mistaken for ours.
const PREFIX: &str = "faq";

/// A button's action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Show this FAQ entry to the person who clicked.
    Show {
        /// The entry id.
        entry: String,
    },
    /// Post this entry as the bot's reply to that message (a moderator's pick after "Answer
    /// from FAQ" was not sure); the message is in the channel of the click.
    Post {
        /// The message to answer.
        message: MessageId,
        /// The entry id.
        entry: String,
    },
    /// A "Helpful" / "Not helpful" vote on one answer.
    Vote {
        /// The answer, as logged.
        answer: AnswerId,
        /// Helpful or not.
        helpful: bool,
    },
    /// "Ask a moderator" about one question: post it to the moderators' channel.
    AskModerator {
        /// The answer, as logged.
        answer: AnswerId,
    },
    /// Review queue: "Add as a phrasing of..." on an item (shows the entry menus).
    QueuePhrasing {
        /// The queue item.
        item: QueueItemId,
    },
    /// Review queue: "New entry..." on an item (opens the new entry form).
    QueueNewEntry {
        /// The queue item.
        item: QueueItemId,
    },
    /// Review queue: "Dismiss" an item.
    QueueDismiss {
        /// The queue item.
        item: QueueItemId,
    },
    /// Review queue: an entry picked in one of the entry menus (opens the phrasing form).
    QueuePick {
        /// The queue item.
        item: QueueItemId,
        /// Which menu of the message (their custom ids must differ).
        menu: u8,
    },
    /// The phrasing form's submit: add the phrasing to `entry`.
    SubmitPhrasing {
        /// The queue item.
        item: QueueItemId,
        /// The entry id.
        entry: String,
    },
    /// The new entry form's submit.
    SubmitNewEntry {
        /// The queue item.
        item: QueueItemId,
    },
    /// `/faq edit`'s form submit: the entry as opened at `version` (a stale edit is refused).
    SubmitEdit {
        /// The entry id.
        entry: String,
        /// The entry file's version when the form opened (hex).
        version: String,
    },
}

impl Action {
    /// The custom id, or `None` if it would exceed [`MAX_CUSTOM_ID_LEN`] (then the button is
    /// left out rather than sent and refused by Discord).
    ///
    /// ```
    /// use faqbot::discord::action::Action;
    /// let show = Action::Show { entry: "what-is-ot".into() };
    /// assert_eq!(show.custom_id().as_deref(), Some("faq:show:what-is-ot"));
    /// assert_eq!(Action::parse("faq:show:what-is-ot"), Some(show));
    /// ```
    #[must_use]
    pub fn custom_id(&self) -> Option<String> {
        let id = self.to_string();
        (id.len() <= MAX_CUSTOM_ID_LEN).then_some(id)
    }

    /// Reads a custom id; `None` for anything that is not a well-formed faqbot id.
    #[must_use]
    pub fn parse(custom_id: &str) -> Option<Action> {
        let mut parts = custom_id.splitn(3, ':');
        if parts.next()? != PREFIX {
            return None;
        }
        match (parts.next()?, parts.next()?) {
            ("show", entry) if is_entry_id(entry) => Some(Action::Show {
                entry: entry.to_owned(),
            }),
            ("post", rest) => {
                let (message, entry) = rest.split_once(':')?;
                let message = message.parse::<std::num::NonZeroU64>().ok()?;
                is_entry_id(entry).then(|| Action::Post {
                    message: MessageId::from(message),
                    entry: entry.to_owned(),
                })
            }
            ("vote", rest) => {
                let (answer, vote) = rest.split_once(':')?;
                let helpful = match vote {
                    "y" => true,
                    "n" => false,
                    _ => return None,
                };
                Some(Action::Vote {
                    answer: answer.parse().ok()?,
                    helpful,
                })
            }
            ("askmod", answer) => Some(Action::AskModerator {
                answer: answer.parse().ok()?,
            }),
            ("qphr", item) => Some(Action::QueuePhrasing {
                item: item.parse().ok()?,
            }),
            ("qnew", item) => Some(Action::QueueNewEntry {
                item: item.parse().ok()?,
            }),
            ("qdis", item) => Some(Action::QueueDismiss {
                item: item.parse().ok()?,
            }),
            ("qpick", rest) => {
                let (item, menu) = rest.split_once(':')?;
                if menu.len() != 1 {
                    return None;
                }
                Some(Action::QueuePick {
                    item: item.parse().ok()?,
                    menu: menu.parse().ok()?,
                })
            }
            ("mphr", rest) => {
                let (item, entry) = rest.split_once(':')?;
                is_entry_id(entry).then_some(())?;
                Some(Action::SubmitPhrasing {
                    item: item.parse().ok()?,
                    entry: entry.to_owned(),
                })
            }
            ("mnew", item) => Some(Action::SubmitNewEntry {
                item: item.parse().ok()?,
            }),
            ("medit", rest) => {
                let (version, entry) = rest.split_once(':')?;
                let hex = !version.is_empty()
                    && version.len() <= 64
                    && version.bytes().all(|b| b.is_ascii_hexdigit());
                (hex && is_entry_id(entry)).then(|| Action::SubmitEdit {
                    entry: entry.to_owned(),
                    version: version.to_owned(),
                })
            }
            _ => None,
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Show { entry } => write!(f, "{PREFIX}:show:{entry}"),
            Action::Post { message, entry } => write!(f, "{PREFIX}:post:{message}:{entry}"),
            Action::Vote { answer, helpful } => {
                write!(
                    f,
                    "{PREFIX}:vote:{answer}:{}",
                    if *helpful { 'y' } else { 'n' }
                )
            }
            Action::AskModerator { answer } => write!(f, "{PREFIX}:askmod:{answer}"),
            Action::QueuePhrasing { item } => write!(f, "{PREFIX}:qphr:{item}"),
            Action::QueueNewEntry { item } => write!(f, "{PREFIX}:qnew:{item}"),
            Action::QueueDismiss { item } => write!(f, "{PREFIX}:qdis:{item}"),
            Action::QueuePick { item, menu } => write!(f, "{PREFIX}:qpick:{item}:{menu}"),
            Action::SubmitPhrasing { item, entry } => write!(f, "{PREFIX}:mphr:{item}:{entry}"),
            Action::SubmitNewEntry { item } => write!(f, "{PREFIX}:mnew:{item}"),
            Action::SubmitEdit { entry, version } => {
                write!(f, "{PREFIX}:medit:{version}:{entry}")
            }
        }
    }
}

/// FAQ entry ids are file stems (lower-case letters, digits, `-`); a little more is accepted
/// here and the FAQ lookup decides.
fn is_entry_id(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_parse_table() {
        let show = |e: &str| {
            Some(Action::Show {
                entry: e.to_owned(),
            })
        };
        let table = [
            ("faq:show:ot-vs-pt", show("ot-vs-pt")),
            ("faq:show:a_1", show("a_1")),
            (
                "faq:post:123:what-is-ot",
                Some(Action::Post {
                    message: MessageId::new(123),
                    entry: "what-is-ot".into(),
                }),
            ),
            ("faq:post:0:what-is-ot", None),
            ("faq:post:x:what-is-ot", None),
            ("faq:post:123", None),
            (
                "faq:vote:00000000000000ff:y",
                Some(Action::Vote {
                    answer: AnswerId::from_u64(255),
                    helpful: true,
                }),
            ),
            (
                "faq:vote:00000000000000ff:n",
                Some(Action::Vote {
                    answer: AnswerId::from_u64(255),
                    helpful: false,
                }),
            ),
            ("faq:vote:00000000000000ff:maybe", None),
            ("faq:vote:zz:y", None),
            (
                "faq:askmod:00000000000000ff",
                Some(Action::AskModerator {
                    answer: AnswerId::from_u64(255),
                }),
            ),
            ("faq:askmod:", None),
            ("faq:show:", None),
            ("faq:show:a:b", None),
            ("faq:show:../etc", None),
            ("faq:shw:a", None),
            ("other:show:a", None),
            ("faq", None),
            ("", None),
        ];
        for (text, want) in table {
            assert_eq!(Action::parse(text), want, "{text:?}");
        }
    }

    #[test]
    fn action_round_trips() {
        let answer = AnswerId::from_u64(u64::MAX);
        for action in [
            Action::Vote {
                answer,
                helpful: false,
            },
            Action::AskModerator { answer },
            Action::Post {
                message: MessageId::new(u64::MAX),
                entry: "ot-vs-pt".into(),
            },
        ] {
            let id = action.custom_id().expect("fits");
            assert_eq!(Action::parse(&id), Some(action), "{id}");
        }
    }

    #[test]
    fn action_queue_ids_round_trip_and_bad_ones_are_refused() {
        let item = QueueItemId::new(42);
        for action in [
            Action::QueuePhrasing { item },
            Action::QueueNewEntry { item },
            Action::QueueDismiss { item },
            Action::QueuePick { item, menu: 3 },
            Action::SubmitPhrasing {
                item,
                entry: "what-is-ot".into(),
            },
            Action::SubmitNewEntry { item },
            Action::SubmitEdit {
                entry: "what-is-ot".into(),
                version: "0123456789abcdef".into(),
            },
        ] {
            let id = action.custom_id().expect("fits");
            assert_eq!(Action::parse(&id), Some(action), "{id}");
        }
        for bad in [
            "faq:qphr:",
            "faq:qphr:0",
            "faq:qphr:x",
            "faq:qpick:42",
            "faq:qpick:42:10",
            "faq:mphr:42:../x",
            "faq:mphr:42",
            "faq:medit:xyz:what-is-ot",
            "faq:medit::what-is-ot",
            "faq:medit:00ff",
        ] {
            assert_eq!(Action::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn action_too_long_is_left_out() {
        let long = Action::Show {
            entry: "x".repeat(MAX_CUSTOM_ID_LEN),
        };
        assert_eq!(long.custom_id(), None);
        let fits = Action::Show {
            entry: "x".repeat(MAX_CUSTOM_ID_LEN - "faq:show:".len()),
        };
        assert_eq!(fits.custom_id().map(|s| s.len()), Some(MAX_CUSTOM_ID_LEN));
    }
}
