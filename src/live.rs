//! The FAQ in service, swapped whole when moderators edit it.
//!
//! Readers take one snapshot per question (`shared.load()`) and answer from it, so a question
//! is always answered from one complete FAQ, never a half-loaded one, and never waits on a
//! lock. A reload loads and checks the whole directory (the same checks as `faqbot check`) and
//! swaps the new FAQ in only if it is valid; otherwise the old one stays in service.
//!
//! [`watch`] does that on every saved change, once the folder has stopped changing for
//! [`SETTLE`]: a save in several steps (an editor writing in pieces, a copied folder, a
//! `git checkout`) is never served half-written, and a state that was broken only for a moment
//! is never reported. The watch follows the configured path, not the folder it first found
//! there: when the folder is renamed away, deleted and copied back, or a symlink is switched to
//! another one, the watch re-arms on whatever the path names now (within [`REARM_POLL`] at
//! worst), keeps waiting while nothing is there, and logs when it is live again.

use crate::faq::{is_faq_file, read_faq_dir, DirContents};
use crate::faq::{FaqError, Problem, Severity};
use crate::knowledge::Knowledge;
use crate::matcher::MatchConfig;
use arc_swap::ArcSwap;
use notify::event::{EventKind, ModifyKind};
use notify::{RecommendedWatcher, RecursiveMode, Watcher};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The FAQ in service, shared by every handler.
pub type SharedKnowledge = Arc<ArcSwap<Knowledge>>;

/// How long the FAQ on disk must stay byte for byte the same before the watcher loads it (or
/// reports it refused). Saves pass through states that are half-written or broken: an editor
/// writing a file in two steps, `cp -r` of a folder, `git checkout` replacing files one by
/// one. The slowest of these we test writes its two halves 500 ms apart; one second is twice
/// that, and still keeps a saved edit live within about a second.
pub const SETTLE: Duration = Duration::from_secs(1);

/// How long the folder must be free of change events before the watcher reads it. One save
/// is a burst of events microseconds to milliseconds apart (truncate then write; temp file then
/// rename); read in the middle of it, the folder would differ from the next reading and cost a
/// whole [`SETTLE`] more. A tenth of [`SETTLE`]: it adds little to the time to live.
pub const QUIET: Duration = Duration::from_millis(100);

/// How often the watcher checks that it still watches the folder the configured path names,
/// and, while nothing is there, whether it is back. Events in the parent folder re-arm the
/// watch at once; this poll (one `stat`) is the backstop for what they cannot show: a symlink
/// switched higher up the path, an event lost to a full queue. Half of [`SETTLE`], so a
/// replaced folder goes live within about [`SETTLE`] + this.
pub const REARM_POLL: Duration = Duration::from_millis(500);

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
    wake: Sender<Wake>,
    worker: Option<JoinHandle<()>>,
}

impl fmt::Debug for FaqWatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FaqWatcher")
    }
}

impl Drop for FaqWatcher {
    /// Stops the watch and waits for the worker (at most the end of one reload), so no outcome
    /// is reported after the drop.
    fn drop(&mut self) {
        let _ = self.wake.send(Wake::Stop);
        if let Some(worker) = self.worker.take() {
            if worker.join().is_err() {
                tracing::error!("the FAQ watcher thread panicked");
            }
        }
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
    pub source: notify::Error,
}

/// Watches `dir` and reloads `shared` after every change once the directory has settled (see
/// [`SETTLE`]), calling `on_outcome` with each result. A state of the directory is reported
/// once: another save of the same bytes, or the same problems again (an unrelated file
/// touched), are not reported twice in a row. A directory missing for longer than [`SETTLE`]
/// is reported as [`ReloadOutcome::Unreadable`]; the watch waits for it to come back.
///
/// Fails when the system watcher cannot be created or `dir` cannot be watched at start.
pub fn watch(
    shared: SharedKnowledge,
    dir: PathBuf,
    config: MatchConfig,
    on_outcome: impl Fn(&ReloadOutcome) + Send + 'static,
) -> Result<FaqWatcher, WatchError> {
    let dir_text = dir.display().to_string();
    let fail = |source| WatchError {
        dir: dir_text.clone(),
        source,
    };
    let root = std::path::absolute(&dir).map_err(|e| fail(notify::Error::io(e)))?;
    let (wake, wakes) = mpsc::channel();
    let armed = Armed::arm(&root, &wake).map_err(fail)?;
    if armed.identity.is_none() {
        return Err(fail(notify::Error::path_not_found().add_path(root.clone())));
    }
    let mut worker = Worker {
        shared,
        dir,
        root,
        config,
        on_outcome: Box::new(on_outcome),
        wake: wake.clone(),
        wakes,
        armed,
        lost_since: None,
        last_state: None,
        last_rejection: None,
        last_change: Instant::now(),
        rearm_asked: false,
    };
    let worker = std::thread::Builder::new()
        .name("faq-watch".into())
        .spawn(move || worker.run())
        .map_err(|e| fail(notify::Error::io(e)))?;
    Ok(FaqWatcher {
        wake,
        worker: Some(worker),
    })
}

/// What wakes the worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wake {
    /// Something in the directory changed.
    Changed,
    /// The directory itself was renamed, removed or replaced, or the watcher lost track.
    Rearm,
    /// The [`FaqWatcher`] was dropped.
    Stop,
}

/// Which folder a path names: it changes when the folder is replaced, even under the same name.
#[cfg(unix)]
type Identity = (u64, u64);
#[cfg(not(unix))]
type Identity = PathBuf;

/// The folder `path` names now, if it names one.
fn identity(path: &Path) -> Option<Identity> {
    let metadata = std::fs::metadata(path)
        .ok()
        .filter(std::fs::Metadata::is_dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((metadata.dev(), metadata.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = metadata;
        std::fs::canonicalize(path).ok()
    }
}

/// The system watch on the FAQ folder and on its parent (which sees the folder itself being
/// renamed, removed, created or switched).
struct Armed {
    _watcher: Option<RecommendedWatcher>,
    /// The folder watched; `None` while there is none to watch.
    identity: Option<Identity>,
}

impl Armed {
    /// Watches the parent of `root` (if it exists) and the folder `root` names (if any), with
    /// a new system watcher: nothing is kept of a watch on a folder that was replaced.
    fn arm(root: &Path, wake: &Sender<Wake>) -> Result<Armed, notify::Error> {
        let mut watcher = notify::recommended_watcher(event_handler(root, wake.clone()))?;
        // Read before watching: if the folder is replaced in between, the identity is stale
        // and the next poll arms again (read after, a stale watch would look current).
        let identity = identity(root);
        if let Some(parent) = root.parent() {
            if let Err(error) = watcher.watch(parent, RecursiveMode::NonRecursive) {
                tracing::debug!(%error, parent = %parent.display(), "not watching the FAQ folder's parent");
            }
        }
        let identity = match identity {
            Some(identity) => match watcher.watch(root, RecursiveMode::NonRecursive) {
                Ok(()) => Some(identity),
                // Gone again already: the poll will try again.
                Err(notify::Error {
                    kind: notify::ErrorKind::PathNotFound,
                    ..
                }) => None,
                Err(error) => return Err(error),
            },
            None => None,
        };
        Ok(Armed {
            _watcher: Some(watcher),
            identity,
        })
    }

    /// No watch at all (the system watcher could not be made); the poll tries again.
    fn none() -> Armed {
        Armed {
            _watcher: None,
            identity: None,
        }
    }
}

/// Turns the system watcher's events into [`Wake`]s: only those about `root` itself or a file
/// of the FAQ in it count (not the parent folder's other files, not a `notes.txt` or an
/// editor's swap file beside the entries), and opening or reading a file (the watcher's own
/// reads) is not a change.
fn event_handler(
    root: &Path,
    wake: Sender<Wake>,
) -> impl FnMut(notify::Result<notify::Event>) + Send + 'static {
    let root = root.to_owned();
    move |event| {
        let message = match event {
            Ok(event) if event.need_rescan() => Wake::Rearm,
            Ok(event) if event.kind.is_access() => return,
            // The folder itself created, removed, renamed or switched (from the parent's
            // watch or its own); a mere attribute change of it is a change like any other.
            Ok(event)
                if event.paths.contains(&root)
                    && !matches!(
                        event.kind,
                        EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Metadata(_))
                    ) =>
            {
                Wake::Rearm
            }
            Ok(event) if event.paths.iter().any(|p| is_in_faq(&root, p)) => Wake::Changed,
            Ok(_) => return,
            Err(error) => {
                tracing::warn!(%error, "FAQ watcher error");
                Wake::Rearm
            }
        };
        // The worker is gone only when the watch is being dropped.
        let _ = wake.send(message);
    }
}

/// True if `path` names a file of the FAQ in `root`.
fn is_in_faq(root: &Path, path: &Path) -> bool {
    path.parent() == Some(root)
        && path
            .file_name()
            .is_some_and(|name| is_faq_file(&name.to_string_lossy()))
}

/// The directory as read at one moment.
enum DirState {
    Read(DirContents),
    Unreadable(FaqError),
}

impl DirState {
    fn read(dir: &Path) -> DirState {
        match read_faq_dir(dir) {
            Ok(contents) => DirState::Read(contents),
            Err(e) => DirState::Unreadable(e),
        }
    }

    fn fingerprint(&self) -> blake3::Hash {
        match self {
            DirState::Read(contents) => contents.fingerprint(),
            DirState::Unreadable(e) => blake3::hash(format!("unreadable: {e}").as_bytes()),
        }
    }
}

/// The watch's thread: waits for changes, lets them settle, reloads, re-arms the watch.
struct Worker {
    shared: SharedKnowledge,
    /// The configured path, as given (for reading and messages).
    dir: PathBuf,
    /// The same, absolute (as the system watcher names paths).
    root: PathBuf,
    config: MatchConfig,
    on_outcome: Box<dyn Fn(&ReloadOutcome) + Send>,
    wake: Sender<Wake>,
    wakes: Receiver<Wake>,
    armed: Armed,
    /// Since when no folder has been watched (it was replaced or is missing).
    lost_since: Option<Instant>,
    /// The fingerprint of the last state loaded or refused.
    last_state: Option<blake3::Hash>,
    /// The problems of the last refusal reported.
    last_rejection: Option<Vec<Problem>>,
    /// When the last change event came.
    last_change: Instant,
    /// A wake-up asked to re-arm the watch, not yet done.
    rearm_asked: bool,
}

/// The worker was told to stop.
struct Stopped;

/// What checking one state of the directory gave, not yet in service.
enum Candidate {
    /// Valid: the FAQ to swap in, its warnings, how long checking and indexing took.
    Valid(Box<Knowledge>, Vec<Problem>, Duration),
    /// Refused or unreadable: what to report instead.
    Invalid(ReloadOutcome),
}

impl Worker {
    fn run(&mut self) {
        while self.step().is_ok() {}
    }

    /// Waits for one change (or one poll) and handles it.
    fn step(&mut self) -> Result<(), Stopped> {
        let changed = match self.wakes.recv_timeout(REARM_POLL) {
            Ok(wake) => {
                self.take(wake)?;
                true
            }
            Err(RecvTimeoutError::Timeout) => false,
            Err(RecvTimeoutError::Disconnected) => return Err(Stopped),
        };
        let rearmed = self.rearm_if_needed();
        if changed || rearmed {
            self.settle_and_reload()?;
        }
        Ok(())
    }

    /// Notes one wake-up.
    fn take(&mut self, wake: Wake) -> Result<(), Stopped> {
        match wake {
            Wake::Stop => return Err(Stopped),
            Wake::Rearm => self.rearm_asked = true,
            Wake::Changed => {}
        }
        self.last_change = Instant::now();
        Ok(())
    }

    /// Takes wake-ups until `until`.
    fn pause_until(&mut self, until: Instant) -> Result<(), Stopped> {
        loop {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(());
            }
            match self.wakes.recv_timeout(left) {
                Ok(wake) => self.take(wake)?,
                Err(RecvTimeoutError::Timeout) => return Ok(()),
                Err(RecvTimeoutError::Disconnected) => return Err(Stopped),
            }
        }
    }

    /// Takes wake-ups until none has come for [`QUIET`] (at most [`SETTLE`] in all).
    fn quiet(&mut self) -> Result<(), Stopped> {
        let give_up = Instant::now() + SETTLE;
        loop {
            let quiet_at = (self.last_change + QUIET).min(give_up);
            if Instant::now() >= quiet_at {
                return Ok(());
            }
            self.pause_until(quiet_at)?;
        }
    }

    /// Arms the watch again if a wake-up asked to, or if the path names another folder (or
    /// none, or one again) than the one watched. True if it did.
    fn rearm_if_needed(&mut self) -> bool {
        let now = identity(&self.root);
        if !std::mem::take(&mut self.rearm_asked) && now == self.armed.identity {
            return false;
        }
        let dir = self.dir.display().to_string();
        if self.armed.identity.is_some() {
            tracing::info!(%dir, "the FAQ folder was moved, removed or replaced; following the path");
            self.lost_since = Some(Instant::now());
        }
        // Drop the old watch first: its folder may live on elsewhere (renamed away).
        self.armed = Armed::none();
        self.armed = match Armed::arm(&self.root, &self.wake) {
            Ok(armed) => armed,
            Err(error) => {
                tracing::warn!(%dir, %error, "cannot watch the FAQ folder; trying again");
                Armed::none()
            }
        };
        if self.armed.identity.is_some() {
            let after = self.lost_since.take().map(|t| t.elapsed());
            tracing::info!(
                %dir,
                after_ms = after.map(|a| a.as_millis()),
                "FAQ watch live again"
            );
        } else {
            if self.lost_since.is_none() {
                self.lost_since = Some(Instant::now());
            }
            tracing::debug!(%dir, "no FAQ folder to watch yet; waiting for it");
        }
        true
    }

    /// Reads the directory until two readings [`SETTLE`] apart are the same, then swaps that
    /// state in or reports it refused, unless it is the one handled last. Each state read is
    /// checked while the watcher waits to see whether it stays: the check costs no extra time.
    fn settle_and_reload(&mut self) -> Result<(), Stopped> {
        tracing::debug!(dir = %self.dir.display(), "the FAQ folder changed; waiting for it to settle");
        self.quiet()?;
        self.rearm_if_needed();
        let mut read_at = Instant::now();
        let mut state = DirState::read(&self.dir);
        let (fingerprint, candidate) = loop {
            let fingerprint = state.fingerprint();
            let candidate = (self.last_state != Some(fingerprint)).then(|| self.check(state));
            self.pause_until(read_at + SETTLE)?;
            self.quiet()?;
            // Keep following the path while a swap is under way.
            self.rearm_if_needed();
            read_at = Instant::now();
            state = DirState::read(&self.dir);
            if state.fingerprint() == fingerprint {
                break (fingerprint, candidate);
            }
            tracing::debug!("the FAQ folder is still changing; waiting for it to settle");
        };
        // `None`: the state handled last, back again or never left.
        let Some(candidate) = candidate else {
            return Ok(());
        };
        self.last_state = Some(fingerprint);
        let outcome = match candidate {
            Candidate::Valid(knowledge, warnings, took) => {
                let entries = knowledge.faq().len();
                self.shared.store(Arc::from(knowledge));
                ReloadOutcome::Reloaded {
                    entries,
                    warnings,
                    took,
                }
            }
            Candidate::Invalid(outcome) => outcome,
        };
        match &outcome {
            ReloadOutcome::Rejected { problems } => {
                if self.last_rejection.as_ref() == Some(problems) {
                    return Ok(());
                }
                self.last_rejection = Some(problems.clone());
            }
            _ => self.last_rejection = None,
        }
        (self.on_outcome)(&outcome);
        Ok(())
    }

    /// Checks and indexes one state of the directory, without putting it in service.
    fn check(&self, state: DirState) -> Candidate {
        let started = Instant::now();
        let checked = match state {
            DirState::Read(contents) => contents.check(),
            DirState::Unreadable(e) => Err(e),
        };
        match checked {
            Ok(checked) => Candidate::Valid(
                Box::new(Knowledge::new(checked.faq, self.config)),
                checked.warnings,
                started.elapsed(),
            ),
            Err(FaqError::Invalid { problems }) => {
                Candidate::Invalid(ReloadOutcome::Rejected { problems })
            }
            Err(e @ FaqError::Unreadable { .. }) => Candidate::Invalid(ReloadOutcome::Unreadable {
                error: e.to_string(),
            }),
        }
    }
}
