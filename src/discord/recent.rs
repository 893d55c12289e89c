//! The questions recently answered, kept in memory for "Ask a moderator": when a parent asks
//! for one, the moderators' channel gets the question and what the bot answered, without the
//! bot storing question text anywhere else for it (the question log may keep none).
//!
//! Bounded: the last [`CAPACITY`] questions, each cut to [`MAX_QUESTION_CHARS`]; after a
//! restart or once evicted, the request still reaches the moderators, without the question.

use crate::store::AnswerId;
use poise::serenity_prelude::{ChannelId, GuildId, MessageId, UserId};
use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};

/// How many questions are kept: far more than are answered in the minutes in which a parent
/// reads an answer and asks for more, and at most about 1 MB.
pub const CAPACITY: usize = 1024;

/// Characters of a question kept (a moderator gets the gist and the link).
pub const MAX_QUESTION_CHARS: usize = 1000;

/// A question as answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked {
    /// The question text (cut).
    pub question: String,
    /// The title of the entry the bot answered with; `None` when it did not know.
    pub answered: Option<String>,
    /// Who asked.
    pub author: UserId,
    /// Where.
    pub channel: ChannelId,
    /// In which server (`None`: a DM).
    pub guild: Option<GuildId>,
    /// The question's message (`None` for `/ask`).
    pub message: Option<MessageId>,
}

/// What asking for a moderator about an answer does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Escalation {
    /// The first request: post it (with the question if it is still known).
    First(Option<Asked>),
    /// Already posted.
    Already,
}

#[derive(Debug, Default)]
struct Inner {
    order: VecDeque<AnswerId>,
    items: HashMap<AnswerId, (Option<Asked>, bool)>,
}

/// The recent questions, shared by the handlers.
#[derive(Debug, Default)]
pub struct Recent {
    inner: Mutex<Inner>,
}

impl Recent {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn insert(inner: &mut Inner, id: AnswerId, value: (Option<Asked>, bool)) {
        if inner.items.insert(id, value).is_none() {
            inner.order.push_back(id);
        }
        while inner.order.len() > CAPACITY {
            if let Some(old) = inner.order.pop_front() {
                inner.items.remove(&old);
            }
        }
    }

    /// Keeps a question answered under `id`.
    pub fn remember(&self, id: AnswerId, mut asked: Asked) {
        if asked.question.chars().count() > MAX_QUESTION_CHARS {
            asked.question = asked.question.chars().take(MAX_QUESTION_CHARS).collect();
            asked.question.push('…');
        }
        Self::insert(&mut self.lock(), id, (Some(asked), false));
    }

    /// Marks the question of `id` as passed on to the moderators.
    pub fn escalate(&self, id: AnswerId) -> Escalation {
        let mut inner = self.lock();
        match inner.items.get_mut(&id) {
            Some((_, true)) => Escalation::Already,
            Some((asked, escalated)) => {
                *escalated = true;
                Escalation::First(asked.clone())
            }
            None => {
                // Unknown (restart, evicted): remember that it was passed on all the same.
                Self::insert(&mut inner, id, (None, true));
                Escalation::First(None)
            }
        }
    }

    /// Undoes [`Recent::escalate`] when the request could not be posted, so the parent can
    /// try again.
    pub fn release(&self, id: AnswerId) {
        if let Some((_, escalated)) = self.lock().items.get_mut(&id) {
            *escalated = false;
        }
    }

    /// How many questions are kept.
    #[must_use]
    pub fn len(&self) -> usize {
        self.lock().items.len()
    }

    /// Whether none is kept.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked(question: &str) -> Asked {
        Asked {
            question: question.to_owned(),
            answered: None,
            author: UserId::new(1),
            channel: ChannelId::new(2),
            guild: None,
            message: None,
        }
    }

    #[test]
    fn recent_escalates_once() {
        let recent = Recent::default();
        let id = AnswerId::from_u64(7);
        recent.remember(id, asked("what is OT"));
        assert_eq!(
            recent.escalate(id),
            Escalation::First(Some(asked("what is OT")))
        );
        assert_eq!(recent.escalate(id), Escalation::Already);
        recent.release(id);
        assert!(matches!(recent.escalate(id), Escalation::First(Some(_))));
        let unknown = AnswerId::from_u64(8);
        assert_eq!(recent.escalate(unknown), Escalation::First(None));
        assert_eq!(recent.escalate(unknown), Escalation::Already);
    }

    #[test]
    fn recent_is_bounded() {
        let recent = Recent::default();
        for n in 0..(CAPACITY as u64 + 10) {
            recent.remember(AnswerId::from_u64(n), asked(&"x".repeat(5000)));
        }
        assert_eq!(recent.len(), CAPACITY);
        // The oldest went first.
        assert_eq!(
            recent.escalate(AnswerId::from_u64(0)),
            Escalation::First(None)
        );
        let Escalation::First(Some(kept)) = recent.escalate(AnswerId::from_u64(CAPACITY as u64))
        else {
            panic!("kept")
        };
        assert_eq!(kept.question.chars().count(), MAX_QUESTION_CHARS + 1);
    }
}
