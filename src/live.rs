//! The FAQ in service, swapped whole when moderators edit it.
//!
//! Readers take one snapshot per question (`shared.load()`) and answer from it, so a question
//! is always answered from one complete FAQ, never a half-loaded one, and never waits on a
//! lock. A reload loads and checks the whole directory (the same checks as `faqbot check`) and
//! swaps the new FAQ in only if it is valid; otherwise the old one stays in service.
//! [`watch`] does that on every saved change, debounced.

use crate::faq::{FaqError, Problem, Severity};
use crate::knowledge::Knowledge;
use crate::matcher::MatchConfig;
use arc_swap::ArcSwap;
use notify_debouncer_full::notify::RecursiveMode;
use notify_debouncer_full::{new_debouncer, DebounceEventResult, Debouncer, RecommendedCache};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The FAQ in service, shared by every handler.
pub type SharedKnowledge = Arc<ArcSwap<Knowledge>>;

/// How long the watcher waits for a burst of file events to settle before reloading: editors
/// save in several writes (temp file, rename), and one reload per save is enough. Well under the
/// two seconds in which a moderator expects to see an edit live.
pub const DEBOUNCE: Duration = Duration::from_millis(300);

/// What a reload did.
#[derive(Debug, Clone)]
pub enum ReloadOutcome {
    /// The new FAQ is in service.
    Reloaded {
        /// How many entries it has.
        entries: usize,
        /// Problems that did not stop it.
        warnings: Vec<Problem>,
        /// How long loading and indexing took.
        took: Duration,
    },
    /// The FAQ on disk has errors; the previous FAQ stays in service.
    Rejected {
        /// Every problem found, errors first.
        problems: Vec<Problem>,
    },
    /// The directory could not be read; the previous FAQ stays in service.
    Unreadable {
        /// What the system said.
        error: String,
    },
}

impl ReloadOutcome {
    /// True when the new FAQ was swapped in.
    #[must_use]
    pub fn is_reloaded(&self) -> bool {
        matches!(self, ReloadOutcome::Reloaded { .. })
    }
}

impl fmt::Display for ReloadOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReloadOutcome::Reloaded {
                entries,
                warnings,
                took,
            } => {
                write!(
                    f,
                    "FAQ reloaded: {entries} entries in {} ms",
                    took.as_millis()
                )?;
                if !warnings.is_empty() {
                    write!(f, ", {} warning(s)", warnings.len())?;
                    for w in warnings {
                        write!(f, "\n{w}")?;
                    }
                }
                Ok(())
            }
            ReloadOutcome::Rejected { problems } => {
                let errors = problems
                    .iter()
                    .filter(|p| p.severity == Severity::Error)
                    .count();
                write!(
                    f,
                    "FAQ edit refused ({errors} error(s)); the previous FAQ is still in service:"
                )?;
                for p in problems {
                    write!(f, "\n{p}")?;
                }
                Ok(())
            }
            ReloadOutcome::Unreadable { error } => write!(
                f,
                "FAQ not reloaded: {error}; the previous FAQ is still in service"
            ),
        }
    }
}

/// Loads and checks `dir`; swaps it into `shared` if valid, else leaves `shared` as it was.
pub fn reload(shared: &ArcSwap<Knowledge>, dir: &Path, config: MatchConfig) -> ReloadOutcome {
    let started = Instant::now();
    match Knowledge::load(dir, config) {
        Ok((knowledge, warnings)) => {
            let entries = knowledge.faq().len();
            shared.store(Arc::new(knowledge));
            ReloadOutcome::Reloaded {
                entries,
                warnings,
                took: started.elapsed(),
            }
        }
        Err(FaqError::Invalid { problems }) => ReloadOutcome::Rejected { problems },
        Err(e @ FaqError::Unreadable { .. }) => ReloadOutcome::Unreadable {
            error: e.to_string(),
        },
    }
}

/// A running watch of the FAQ directory; dropping it stops the watch.
pub struct FaqWatcher {
    _debouncer: Debouncer<notify_debouncer_full::notify::RecommendedWatcher, RecommendedCache>,
}

impl fmt::Debug for FaqWatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FaqWatcher")
    }
}

/// Why the watch could not start.
#[derive(Debug, thiserror::Error)]
#[error("cannot watch the FAQ directory {dir}: {source}")]
pub struct WatchError {
    /// The directory.
    pub dir: String,
    /// What the watcher said.
    #[source]
    pub source: notify_debouncer_full::notify::Error,
}

/// Watches `dir` and reloads `shared` after every change, calling `on_outcome` with each
/// result. A rejected version is reported once: the same problems again (another save of the
/// same broken file, or an unrelated file touched) are not reported twice in a row.
pub fn watch(
    shared: SharedKnowledge,
    dir: PathBuf,
    config: MatchConfig,
    on_outcome: impl Fn(&ReloadOutcome) + Send + 'static,
) -> Result<FaqWatcher, WatchError> {
    let last_rejection: Mutex<Option<Vec<Problem>>> = Mutex::new(None);
    let watch_path = dir.clone();
    let dir_text = dir.display().to_string();
    let watched = dir;
    let handler = move |result: DebounceEventResult| {
        let changed = match result {
            Ok(events) => events.iter().any(|e| !e.kind.is_access()),
            Err(errors) => {
                for error in errors {
                    tracing::warn!(%error, "FAQ watcher error");
                }
                true
            }
        };
        if !changed {
            return;
        }
        let outcome = reload(&shared, &watched, config);
        let mut last = last_rejection
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match &outcome {
            ReloadOutcome::Rejected { problems } => {
                if last.as_ref() == Some(problems) {
                    return;
                }
                *last = Some(problems.clone());
            }
            _ => *last = None,
        }
        drop(last);
        on_outcome(&outcome);
    };
    let fail = |source| WatchError {
        dir: dir_text.clone(),
        source,
    };
    let mut debouncer = new_debouncer(DEBOUNCE, None, handler).map_err(fail)?;
    debouncer
        .watch(&watch_path, RecursiveMode::NonRecursive)
        .map_err(fail)?;
    Ok(FaqWatcher {
        _debouncer: debouncer,
    })
}
