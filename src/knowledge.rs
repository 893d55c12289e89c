//! One complete, checked FAQ with the matcher built from it: the unit the bot answers from and
//! swaps whole when moderators edit the FAQ.

use crate::faq::{self, Checked, Faq, FaqError};
use crate::matcher::{Addressing, Decision, Explanation, MatchConfig, Matcher, Reading, Tuning};
use std::path::Path;

/// An FAQ and its index. Immutable: a reload builds a new one.
#[derive(Debug, Clone)]
pub struct Knowledge {
    faq: Faq,
    matcher: Matcher,
    config: MatchConfig,
}

impl Knowledge {
    /// Indexes a checked FAQ. Each entry is matched on its questions, title and keywords.
    #[must_use]
    pub fn new(faq: Faq, config: MatchConfig) -> Self {
        Knowledge::with_tuning(faq, config, Tuning::DEFAULT)
    }

    /// [`Knowledge::new`] with other scoring parameters (for tuning experiments).
    #[must_use]
    pub fn with_tuning(faq: Faq, config: MatchConfig, tuning: Tuning) -> Self {
        let documents = faq.entries().iter().map(|entry| {
            let texts: Vec<&str> = entry
                .questions
                .iter()
                .chain(std::iter::once(&entry.title))
                .chain(&entry.keywords)
                .map(String::as_str)
                .collect();
            (entry.id.clone(), texts)
        });
        let matcher = Matcher::with_tuning(documents, faq.synonyms().clone(), tuning);
        Knowledge {
            faq,
            matcher,
            config,
        }
    }

    /// Loads, checks and indexes the FAQ directory; the warnings come back beside it.
    pub fn load(dir: &Path, config: MatchConfig) -> Result<(Self, Vec<faq::Problem>), FaqError> {
        let Checked { faq, warnings } = faq::load_dir(dir)?;
        Ok((Knowledge::new(faq, config), warnings))
    }

    /// What to do with a parent's question addressed to the bot.
    #[must_use]
    pub fn ask(&self, question: &str) -> Decision {
        self.matcher.decide(question, &self.config)
    }

    /// What to do with a message sent where `addressing` says.
    #[must_use]
    pub fn answer(&self, message: &str, addressing: Addressing) -> Decision {
        self.matcher.read(message, addressing).decide(&self.config)
    }

    /// How the matcher reads a message (decide it at any threshold with [`Reading::decide`]).
    #[must_use]
    pub fn read(&self, message: &str, addressing: Addressing) -> Reading {
        self.matcher.read(message, addressing)
    }

    /// Why [`Knowledge::ask`] decides what it does.
    #[must_use]
    pub fn explain(&self, question: &str) -> Explanation {
        self.matcher
            .read(question, Addressing::Direct)
            .explanation(self.config.threshold)
    }

    /// [`Knowledge::ask`] and [`Knowledge::explain`] from one reading.
    #[must_use]
    pub fn ask_explained(&self, question: &str) -> (Decision, Explanation) {
        let reading = self.matcher.read(question, Addressing::Direct);
        (
            reading.decide(&self.config),
            reading.explanation(self.config.threshold),
        )
    }

    /// The FAQ.
    #[must_use]
    pub fn faq(&self) -> &Faq {
        &self.faq
    }

    /// The matcher.
    #[must_use]
    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    /// The decision thresholds in use.
    #[must_use]
    pub fn config(&self) -> &MatchConfig {
        &self.config
    }
}
