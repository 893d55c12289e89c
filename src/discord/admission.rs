//! The bounds on work in flight, one per resource, so that waiting for Discord never holds up
//! matching and a flood never holds unbounded memory.
//!
//! - [`Matching`] bounds CPU: at most one question per core is matched at a time (more would
//!   only take turns on the cores), the rest wait in line. Nothing else is held: the reply's
//!   REST call, however slow Discord or the proxy is, happens after the permit is given back.
//!   Matching runs on the async worker that took the event: it is bounded to a few ms per
//!   message (the matcher's caps), and handing it to tokio's blocking pool was tried and did
//!   not pay (load bench, 1 000/s at 100 ms per REST call, loaded 2-core machine: p99 201-207
//!   ms on the pool, 114-199 ms inline, 113-198 ms for the old code in the same minutes).
//! - [`Admission`] bounds memory: each message or interaction holds a place from its arrival
//!   until its reply is posted, the wait for Discord included; with all
//!   [`MAX_EVENTS_OUTSTANDING`] places taken a new one is shed (not handled), counted, and
//!   warned about at most once per [`SHED_WARN_INTERVAL`]. Throughput is then
//!   `MAX_EVENTS_OUTSTANDING` / REST latency.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tracing::warn;

/// Messages and interactions handled at once, waiting for Discord included. One waiting costs
/// about 80 KB (its gateway event, its reply and its own connection to the proxy: the load
/// bench's peak RSS was 253 MB with 2 000 waiting, 98 MB with 100), so 4 096 is about 0.4 GB
/// at worst; it keeps up with 2 000 questions/s while every REST call takes 2 s (a Discord in
/// trouble), or 40 000/s at 100 ms, far more than one shard delivers.
pub const MAX_EVENTS_OUTSTANDING: usize = 4096;

/// At most one "events shed" warning per this interval (each says how many since the last):
/// a flood must not flood the log too.
pub const SHED_WARN_INTERVAL: Duration = Duration::from_secs(10);

/// The bound on events outstanding (see the module docs).
#[derive(Debug)]
pub struct Admission {
    places: Arc<Semaphore>,
    capacity: usize,
    /// Events shed since the last warning.
    shed_unreported: AtomicU64,
    /// Events shed since start.
    shed_total: AtomicU64,
    last_warning: Mutex<Option<Instant>>,
}

impl Admission {
    /// At most `capacity` events outstanding.
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        Self {
            places: Arc::new(Semaphore::new(capacity)),
            capacity,
            shed_unreported: AtomicU64::new(0),
            shed_total: AtomicU64::new(0),
            last_warning: Mutex::new(None),
        }
    }

    /// A place for one event, held until it is dropped; `None` when every place is taken: the
    /// event is shed, and a warning logged unless one was within [`SHED_WARN_INTERVAL`].
    #[must_use]
    pub fn admit(&self) -> Option<OwnedSemaphorePermit> {
        if let Ok(place) = Arc::clone(&self.places).try_acquire_owned() {
            return Some(place);
        }
        self.shed_total.fetch_add(1, Ordering::Relaxed);
        self.shed_unreported.fetch_add(1, Ordering::Relaxed);
        if self.warning_due(Instant::now()) {
            warn!(
                shed = self.shed_unreported.swap(0, Ordering::Relaxed),
                limit = self.capacity,
                "overloaded: events shed (not handled), every place in flight is taken; \
                 Discord or the proxy may be slow"
            );
        }
        None
    }

    /// Events shed since start.
    #[must_use]
    pub fn shed(&self) -> u64 {
        self.shed_total.load(Ordering::Relaxed)
    }

    /// Whether a warning is due at `now` (then `now` is the last warning).
    fn warning_due(&self, now: Instant) -> bool {
        let mut last = self
            .last_warning
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let due = last.is_none_or(|at| now.duration_since(at) >= SHED_WARN_INTERVAL);
        if due {
            *last = Some(now);
        }
        due
    }
}

/// The bound on matching work (see the module docs).
#[derive(Debug, Clone)]
pub struct Matching {
    permits: Arc<Semaphore>,
}

impl Default for Matching {
    /// One permit per core.
    fn default() -> Self {
        Self::new(std::thread::available_parallelism().map_or(1, usize::from))
    }
}

impl Matching {
    /// At most `permits` matched at once (at least one).
    #[must_use]
    pub fn new(permits: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(permits.max(1))),
        }
    }

    /// Runs `work` once a permit is free (waiting in line for it), and gives the permit back
    /// as soon as `work` returns, before anything the caller sends.
    pub async fn run<T>(&self, work: impl FnOnce() -> T) -> T {
        // The semaphore is never closed; if it were, running unbounded is the right fallback.
        let _permit = self.permits.acquire().await.ok();
        work()
    }

    /// Permits free now.
    #[must_use]
    pub fn available(&self) -> usize {
        self.permits.available_permits()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admission_sheds_past_the_bound_and_takes_again_once_a_place_is_free() {
        let admission = Admission::new(2);
        let a = admission.admit().expect("first place");
        let b = admission.admit().expect("second place");
        assert!(admission.admit().is_none(), "a third event is shed");
        assert!(admission.admit().is_none());
        assert_eq!(admission.shed(), 2);
        drop(a);
        let c = admission.admit().expect("a place again");
        drop((b, c));
        assert_eq!(admission.shed(), 2);
    }

    #[test]
    fn admission_warns_once_per_interval() {
        let admission = Admission::new(0);
        let start = Instant::now();
        assert!(admission.warning_due(start), "the first shed warns");
        assert!(!admission.warning_due(start + Duration::from_secs(1)));
        assert!(!admission.warning_due(start + SHED_WARN_INTERVAL / 2));
        assert!(admission.warning_due(start + SHED_WARN_INTERVAL));
        assert!(!admission.warning_due(start + SHED_WARN_INTERVAL + Duration::from_secs(1)));
    }

    #[tokio::test]
    async fn matching_gives_the_permit_back_when_the_work_returns() {
        let matching = Matching::new(1);
        let seen = matching.run(|| matching.available()).await;
        assert_eq!(seen, 0, "the work holds the one permit");
        assert_eq!(matching.available(), 1, "and gives it back");
    }
}
