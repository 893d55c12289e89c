//! What a parent reads: the answer with the appointment prompt, a "did you mean", or a kind
//! "I don't know" that says who can help. Pure text building; the CLI prints it and the Discord
//! layer turns it into an embed with buttons.

use crate::faq::Entry;
use crate::knowledge::Knowledge;
use crate::matcher::{Chatter, Decision};
use std::fmt::Write as _;

/// The clinic's contact details, from configuration (never from code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clinic {
    /// The clinic's name, e.g. "Sunny Kids Therapy".
    pub name: String,
    /// Where parents book online.
    pub appointment_url: String,
    /// The phone number for bookings.
    pub appointment_phone: String,
}

impl Clinic {
    /// "Book an appointment with X: URL or call PHONE." — the line under every answer.
    #[must_use]
    pub fn appointment_prompt(&self) -> String {
        format!(
            "Want to talk it through with a therapist? Book an appointment with {} at {} or call {}.",
            self.name, self.appointment_url, self.appointment_phone
        )
    }

    /// Fills the answer placeholders (`{clinic_name}`, `{appointment_url}`,
    /// `{appointment_phone}`).
    #[must_use]
    pub fn fill(&self, text: &str) -> String {
        text.replace("{clinic_name}", &self.name)
            .replace("{appointment_url}", &self.appointment_url)
            .replace("{appointment_phone}", &self.appointment_phone)
    }
}

/// An entry as offered in a list: id and title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// The entry id.
    pub id: String,
    /// Its title.
    pub title: String,
}

/// An answer from the FAQ.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The entry answered.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The answer with placeholders filled.
    pub body: String,
    /// The articles it comes from.
    pub sources: Vec<String>,
    /// Entries to read next.
    pub related: Vec<Choice>,
    /// The appointment prompt.
    pub appointment_prompt: String,
    /// The booking link, for a button.
    pub appointment_url: String,
    /// The matcher's score.
    pub score: f32,
}

/// What the bot says back.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// An answer.
    Answer(Answer),
    /// Entries too close to call, offered back.
    DidYouMean {
        /// "Did you mean one of these?"
        text: String,
        /// The entries, best first.
        choices: Vec<Choice>,
    },
    /// A short warm word to a parent who said "hi" or "thanks" to the bot (no FAQ content, no
    /// "I don't know").
    Warm {
        /// The words.
        text: String,
    },
    /// The bot does not know.
    Fallback {
        /// The kind "I don't know", naming who can help.
        text: String,
        /// The appointment prompt.
        appointment_prompt: String,
        /// The booking link, for a button.
        appointment_url: String,
    },
}

/// The text of the "did you mean" reply.
pub const DID_YOU_MEAN: &str = "I'm not sure which of these you mean. Did you mean one of these?";

/// The kind "I don't know": no guessing about a child's health, and who to ask instead.
#[must_use]
pub fn fallback_text(clinic: &Clinic) -> String {
    format!(
        "I'm sorry, I don't have an answer to that in our FAQ, and I'd rather not guess when it \
         comes to your child. A moderator in this server can help: mention one or ask in the \
         help channel. You can also contact {} directly at {}.",
        clinic.name, clinic.appointment_phone
    )
}

/// The short warm reply to chatter addressed to the bot: thanks, a greeting, or anything else
/// that asks nothing ("ok", "lol").
#[must_use]
pub fn warm_text(chatter: Chatter) -> String {
    match chatter {
        Chatter::Thanks => {
            "You're welcome! I'm glad it helped. If anything else comes up, just ask.".to_owned()
        }
        Chatter::Greeting => "Hi! I answer questions about occupational and physical therapy \
                              for children from our FAQ. Ask me in your own words, for example \
                              \"what is the difference between OT and PT?\""
            .to_owned(),
        Chatter::Other => "I'm here whenever you have a question about occupational or physical \
                           therapy: just ask it in your own words."
            .to_owned(),
    }
}

/// Does an answer already offer booking itself (it holds the booking link)? Then the standard
/// appointment line under it would offer booking twice.
fn offers_booking(answer: &str) -> bool {
    answer.contains("{appointment_url}")
}

/// The reply for one entry, as when a parent picks it from a list.
#[must_use]
pub fn answer(knowledge: &Knowledge, entry: &Entry, score: f32, clinic: &Clinic) -> Reply {
    let related = entry
        .related
        .iter()
        .filter_map(|id| knowledge.faq().get(id))
        .map(choice)
        .collect();
    Reply::Answer(Answer {
        id: entry.id.clone(),
        title: entry.title.clone(),
        body: clinic.fill(&entry.answer),
        sources: entry.sources.clone(),
        related,
        appointment_prompt: if offers_booking(&entry.answer) {
            String::new()
        } else {
            clinic.appointment_prompt()
        },
        appointment_url: clinic.appointment_url.clone(),
        score,
    })
}

fn choice(entry: &Entry) -> Choice {
    Choice {
        id: entry.id.clone(),
        title: entry.title.clone(),
    }
}

/// Turns a decision into what the parent reads.
#[must_use]
pub fn build(knowledge: &Knowledge, decision: &Decision, clinic: &Clinic) -> Reply {
    let fallback = || Reply::Fallback {
        text: fallback_text(clinic),
        appointment_prompt: clinic.appointment_prompt(),
        appointment_url: clinic.appointment_url.clone(),
    };
    match decision {
        Decision::Answer(candidate) => match knowledge.faq().get(&candidate.id) {
            Some(entry) => answer(knowledge, entry, candidate.score, clinic),
            None => fallback(),
        },
        Decision::Ambiguous(candidates) => {
            let choices: Vec<Choice> = candidates
                .iter()
                .filter_map(|c| knowledge.faq().get(&c.id))
                .map(choice)
                .collect();
            if choices.is_empty() {
                fallback()
            } else {
                Reply::DidYouMean {
                    text: DID_YOU_MEAN.to_owned(),
                    choices,
                }
            }
        }
        Decision::NoMatch(_) => fallback(),
        Decision::NotAQuestion(chatter) => Reply::Warm {
            text: warm_text(*chatter),
        },
    }
}

impl Reply {
    /// The reply as plain text, for the terminal.
    #[must_use]
    pub fn to_text(&self) -> String {
        match self {
            Reply::Answer(a) => {
                let mut out = format!("{}\n\n{}\n", a.title, a.body);
                if !a.sources.is_empty() {
                    let _ = writeln!(out, "\nSource: {}", a.sources.join("; "));
                }
                if !a.related.is_empty() {
                    let titles: Vec<&str> = a.related.iter().map(|c| c.title.as_str()).collect();
                    let _ = writeln!(out, "Related: {}", titles.join(" · "));
                }
                if !a.appointment_prompt.is_empty() {
                    let _ = write!(out, "\n{}\n", a.appointment_prompt);
                }
                out
            }
            Reply::DidYouMean { text, choices } => {
                let mut out = format!("{text}\n");
                for (i, c) in choices.iter().enumerate() {
                    let _ = writeln!(out, "  {}. {} ({})", i + 1, c.title, c.id);
                }
                out
            }
            Reply::Warm { text } => format!("{text}\n"),
            Reply::Fallback {
                text,
                appointment_prompt,
                ..
            } => format!("{text}\n\n{appointment_prompt}\n"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faq::{Entry, Faq};
    use crate::matcher::{Candidate, MatchConfig};
    use crate::synonyms::Synonyms;

    fn clinic() -> Clinic {
        Clinic {
            name: "Test Clinic".into(),
            appointment_url: "https://example.test/book".into(),
            appointment_phone: "555-0100".into(),
        }
    }

    fn knowledge() -> Knowledge {
        let entry = |id: &str, related: &[&str], answer: &str| Entry {
            id: id.into(),
            title: format!("Title {id}"),
            questions: vec![format!("question about {id}")],
            keywords: vec![],
            related: related.iter().map(|s| (*s).to_owned()).collect(),
            sources: vec!["Article".into()],
            answer: answer.into(),
            file: format!("{id}.md"),
        };
        let checked = Faq::from_entries(
            vec![
                entry("a", &["b"], "Call {appointment_phone}."),
                entry("b", &[], "B."),
            ],
            Synonyms::default(),
        )
        .expect("valid");
        Knowledge::new(checked.faq, MatchConfig::DEFAULT)
    }

    fn candidate(id: &str) -> Candidate {
        Candidate {
            entry: 0,
            id: id.into(),
            score: 0.9,
        }
    }

    #[test]
    fn answer_fills_placeholders_and_carries_the_prompt() {
        let reply = build(&knowledge(), &Decision::Answer(candidate("a")), &clinic());
        let Reply::Answer(answer) = &reply else {
            panic!("{reply:?}")
        };
        assert_eq!(answer.body, "Call 555-0100.");
        assert_eq!(
            answer.related,
            [Choice {
                id: "b".into(),
                title: "Title b".into()
            }]
        );
        let text = reply.to_text();
        assert!(
            text.contains("Book an appointment with Test Clinic at https://example.test/book"),
            "{text}"
        );
        assert!(text.contains("Source: Article"));
    }

    #[test]
    fn no_match_is_a_kind_fallback_with_who_can_help() {
        let reply = build(&knowledge(), &Decision::NoMatch(None), &clinic());
        let text = reply.to_text();
        assert!(text.contains("I don't have an answer"), "{text}");
        assert!(text.contains("moderator"));
        assert!(text.contains("555-0100"));
    }

    #[test]
    fn ambiguous_offers_choices() {
        let decision = Decision::Ambiguous(vec![candidate("b"), candidate("a")]);
        let reply = build(&knowledge(), &decision, &clinic());
        let Reply::DidYouMean { choices, .. } = reply else {
            panic!()
        };
        assert_eq!(
            choices.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
            ["b", "a"]
        );
    }

    #[test]
    fn unknown_id_falls_back() {
        let reply = build(&knowledge(), &Decision::Answer(candidate("zzz")), &clinic());
        assert!(matches!(reply, Reply::Fallback { .. }));
    }
}
