//! The per-user cooldown on automatic replies (help channel, mention, DM): after the bot
//! replies to someone, it does not reply to them again for the cooldown period. That stops a
//! flood from one person, and a loop with anything that answers the bot.
//!
//! Only replies count: someone chatting in a help channel without being answered does not use
//! up their turn, so their real question a moment later is still answered.
//!
//! What the person is told: the first message that hits the cooldown gets one short note
//! ("I can answer again in a few seconds") when it was addressed to the bot (a mention or a DM),
//! because silence there looks like the bot is broken; later ones in the same period get
//! nothing, or the note itself would be the spam. In a help channel the bot says nothing: it
//! was not asked directly, and people there talk to each other.

use poise::serenity_prelude::UserId;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Below this many remembered users the map is never swept; above it, a sweep drops expired
/// entries and the next sweep waits until the map has doubled (amortised O(1) per reply).
const SWEEP_AT: usize = 4096;

/// Whether the bot may reply to someone now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Reply; the cooldown has started.
    Go,
    /// Do not reply yet.
    Wait {
        /// How long until the next reply is allowed.
        remaining: Duration,
        /// Tell the person (once): this is the first message addressed to the bot that is held
        /// back in this period.
        first: bool,
    },
}

#[derive(Debug)]
struct Slot {
    until: Instant,
    told: bool,
}

#[derive(Debug, Default)]
struct Users {
    slots: HashMap<UserId, Slot>,
    sweep_at: usize,
}

/// The cooldown state shared by all handlers.
#[derive(Debug)]
pub struct Cooldown {
    period: Duration,
    users: Mutex<Users>,
}

impl Cooldown {
    /// A cooldown of `period` per user; zero turns it off.
    #[must_use]
    pub fn new(period: Duration) -> Self {
        Cooldown {
            period,
            users: Mutex::new(Users {
                slots: HashMap::new(),
                sweep_at: SWEEP_AT,
            }),
        }
    }

    /// The period.
    #[must_use]
    pub fn period(&self) -> Duration {
        self.period
    }

    /// Asks to reply to `user` at `now`; on [`Verdict::Go`] the period starts at once, so two
    /// messages handled at the same moment cannot both pass. `addressed`: the message was
    /// addressed to the bot (mention, DM), so the first one held back gets the note.
    pub fn try_begin(&self, user: UserId, now: Instant, addressed: bool) -> Verdict {
        if self.period.is_zero() {
            return Verdict::Go;
        }
        let mut users = self.users.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(slot) = users.slots.get_mut(&user) {
            if now < slot.until {
                let first = addressed && !slot.told;
                slot.told |= first;
                return Verdict::Wait {
                    remaining: slot.until - now,
                    first,
                };
            }
        }
        users.slots.insert(
            user,
            Slot {
                until: now + self.period,
                told: false,
            },
        );
        if users.slots.len() >= users.sweep_at {
            users.slots.retain(|_, slot| slot.until > now);
            users.sweep_at = (users.slots.len() * 2).max(SWEEP_AT);
        }
        Verdict::Go
    }

    /// How many users are remembered (for tests and the load bench).
    #[must_use]
    pub fn tracked(&self) -> usize {
        self.users
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .slots
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    #[test]
    fn cooldown_holds_then_releases() {
        let c = Cooldown::new(10 * S);
        let t0 = Instant::now();
        let a = UserId::new(1);
        assert_eq!(c.try_begin(a, t0, false), Verdict::Go);
        // Held back in a help channel: no note, and the note is still owed.
        assert_eq!(
            c.try_begin(a, t0 + S, false),
            Verdict::Wait {
                remaining: 9 * S,
                first: false
            }
        );
        assert_eq!(
            c.try_begin(a, t0 + 2 * S, true),
            Verdict::Wait {
                remaining: 8 * S,
                first: true
            }
        );
        assert_eq!(
            c.try_begin(a, t0 + 3 * S, true),
            Verdict::Wait {
                remaining: 7 * S,
                first: false
            }
        );
        // Someone else is not held back.
        assert_eq!(c.try_begin(UserId::new(2), t0 + 3 * S, true), Verdict::Go);
        // After the period: a reply, and the next hold is "first" again.
        assert_eq!(c.try_begin(a, t0 + 10 * S, true), Verdict::Go);
        assert!(matches!(
            c.try_begin(a, t0 + 11 * S, true),
            Verdict::Wait { first: true, .. }
        ));
    }

    #[test]
    fn cooldown_zero_is_off() {
        let c = Cooldown::new(Duration::ZERO);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(c.try_begin(UserId::new(1), t0, true), Verdict::Go);
        }
        assert_eq!(c.tracked(), 0);
    }

    #[test]
    fn cooldown_forgets_expired_users() {
        let c = Cooldown::new(S);
        let t0 = Instant::now();
        for id in 1..(SWEEP_AT as u64) {
            c.try_begin(UserId::new(id), t0, false);
        }
        assert_eq!(c.tracked(), SWEEP_AT - 1);
        // All of those have expired by now: the sweep keeps only the newcomer.
        c.try_begin(UserId::new(u64::MAX), t0 + 2 * S, false);
        assert_eq!(c.tracked(), 1);
    }
}
