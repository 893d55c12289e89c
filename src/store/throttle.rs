//! A limiter for repeated warnings, so a full disk or a stuck lock gives one warning a minute
//! (with a count of what it left out) rather than one per question.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// Allows one event per interval and counts the ones it holds back. Lock-free, so the answer
/// path can consult it without waiting.
#[derive(Debug)]
pub(crate) struct Throttle {
    interval_secs: i64,
    /// Unix seconds of the last event let through; `i64::MIN` before the first.
    last: AtomicI64,
    suppressed: AtomicU64,
}

impl Throttle {
    pub(crate) fn new(interval_secs: i64) -> Self {
        Throttle {
            interval_secs,
            last: AtomicI64::new(i64::MIN),
            suppressed: AtomicU64::new(0),
        }
    }

    /// At time `now` (unix seconds): `Some(n)` if this event should be reported, `n` being how
    /// many were held back since the last one reported; `None` if it should be held back.
    pub(crate) fn allow(&self, now: i64) -> Option<u64> {
        let last = self.last.load(Ordering::Relaxed);
        let due = last == i64::MIN || now.saturating_sub(last) >= self.interval_secs;
        if due
            && self
                .last
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            return Some(self.suppressed.swap(0, Ordering::Relaxed));
        }
        self.suppressed.fetch_add(1, Ordering::Relaxed);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttle_lets_one_through_per_interval_and_counts_the_rest() {
        let t = Throttle::new(60);
        // (time, expected answer)
        let table = [
            (1000, Some(0)),
            (1001, None),
            (1059, None),
            (1060, Some(2)),
            (1061, None),
            (2000, Some(1)),
        ];
        for (now, want) in table {
            assert_eq!(t.allow(now), want, "at {now}");
        }
    }

    #[test]
    fn throttle_survives_a_clock_that_goes_back() {
        let t = Throttle::new(60);
        assert_eq!(t.allow(1000), Some(0));
        assert_eq!(t.allow(10), None);
    }
}
