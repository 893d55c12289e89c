//! The writer thread: the only owner of the writing connection, so a slow, locked or missing
//! database delays nothing but this thread.
//!
//! - **Batches.** Records are taken off the queue into a pending list and written in one
//!   transaction per pass, however many arrived meanwhile.
//! - **A busy database loses nothing.** When another connection holds the lock past the busy
//!   timeout, the batch stays pending and is tried again shortly; records are dropped (counted)
//!   only beyond the queue bound.
//! - **A database that would not open is opened later.** If the file cannot be opened at start
//!   (locked, disk full, bad permissions), the thread keeps trying with growing pauses
//!   ([`REOPEN_FIRST_DELAY`] doubling up to [`REOPEN_MAX_DELAY`]), holds records up to the
//!   bound meanwhile, and logs when the log is open again.
//! - **Lost records are counted.** Dropped and failed records are counted in [`Counters`] and,
//!   once the database takes writes, saved per day in `lost_records` for the reports.
//! - **Answered questions' text stays in memory** ([`HeldText`]) and is written only when
//!   someone votes the answer not helpful (see [`super::privacy`]).
//!
//! Failures are logged throttled and without question text.

use std::collections::{HashMap, VecDeque};
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rusqlite::{
    params, Connection, ErrorCode, OptionalExtension, Transaction, TransactionBehavior,
};

use super::privacy::redact;
use super::record::{now_unix, AnswerId, QuestionRecord, VoteOutcome, SECS_PER_DAY};
use super::schema;
use super::throttle::Throttle;
use super::{StoreError, WARN_INTERVAL_SECS};

/// First pause before trying again to open a database that would not open: a lock or a
/// mount that is a moment late is back within a second.
pub(crate) const REOPEN_FIRST_DELAY: Duration = Duration::from_secs(1);

/// Longest pause between attempts to open: an operator who fixes the permissions sees the log
/// come back within a minute, and a file that never opens costs one attempt a minute.
pub(crate) const REOPEN_MAX_DELAY: Duration = Duration::from_secs(60);

/// Pause before trying a batch again after the database was busy. Each attempt itself waits up
/// to the busy timeout, so this only keeps the thread from spinning.
const BUSY_RETRY_DELAY: Duration = Duration::from_millis(50);

/// At shutdown, how long pending records may wait for a busy database before they are given
/// up: within [`super::FLUSH_TIMEOUT`], which the closing caller waits.
const SHUTDOWN_BUSY_BUDGET: Duration = Duration::from_secs(5);

/// Answered questions whose text is held for a possible "not helpful" vote: about a day of a
/// busy parents' server, and at most [`super::MAX_QUESTION_CHARS`] characters each.
const HELD_TEXT_MAX: usize = 1000;

/// How long an answered question's text is held for a vote: a parent reads the answer, tries
/// it, and comes back the same day; after that the words are not kept at all.
pub(crate) const HELD_TEXT_FOR: Duration = Duration::from_secs(24 * 3600);

/// A question as it goes to the writer. The caller puts the text in `question` only when the
/// log may keep it (text logging on, and a question whose text serves the moderators).
#[derive(Debug)]
pub(crate) struct Row {
    pub(crate) answer_id: AnswerId,
    /// The record, its `question` field emptied.
    pub(crate) record: QuestionRecord,
    /// The text as asked (redacted by the writer).
    pub(crate) question: Option<String>,
    /// Hold the text in memory for a "not helpful" vote instead of storing it.
    pub(crate) until_voted: bool,
}

/// What the writer thread can be asked to do.
pub(crate) enum Command {
    Log(Row),
    Vote {
        answer_id: AnswerId,
        voter_key: [u8; 32],
        helpful: bool,
        at_unix: i64,
        reply: SyncSender<Result<VoteOutcome, StoreError>>,
    },
    Prune {
        reply: SyncSender<Result<u64, StoreError>>,
    },
    /// Answered once every record queued before it is written (or it is known why not).
    Flush {
        reply: SyncSender<Result<(), StoreError>>,
    },
    /// Like `Flush` (waiting out a busy database a little), then the thread ends.
    Shutdown {
        reply: SyncSender<Result<(), StoreError>>,
    },
    /// Sets a number in the `meta` table (e.g. when the weekly digest was last posted).
    SetMeta {
        key: &'static str,
        value: i64,
        reply: SyncSender<Result<(), StoreError>>,
    },
    /// Work on the review queue (see `queue.rs`), run on the writing connection after the
    /// records queued before it are written; `None` when the database is not open. The job
    /// sends its own answer.
    Run(Job),
}

/// A job of [`Command::Run`].
pub(crate) type Job = Box<dyn FnOnce(Option<&Connection>) + Send>;

/// Counts shared by the handles and the writer.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    /// Records dropped: queue full, writer gone, or pending beyond the bound.
    pub(crate) dropped: AtomicU64,
    /// Records whose write failed (other than by a busy database).
    pub(crate) failed: AtomicU64,
    /// How much of `dropped` is saved in `lost_records`.
    pub(crate) saved_dropped: AtomicU64,
    /// How much of `failed` is saved in `lost_records`.
    pub(crate) saved_failed: AtomicU64,
    /// Whether the database is open.
    pub(crate) open: AtomicBool,
    /// Records the writer holds, not yet written.
    pub(crate) waiting: AtomicU64,
}

impl Counters {
    /// Dropped and failed records not yet saved in `lost_records`.
    pub(crate) fn unsaved(&self) -> (u64, u64) {
        let dropped = self.dropped.load(Ordering::Relaxed);
        let failed = self.failed.load(Ordering::Relaxed);
        (
            dropped.saturating_sub(self.saved_dropped.load(Ordering::Relaxed)),
            failed.saturating_sub(self.saved_failed.load(Ordering::Relaxed)),
        )
    }
}

/// The writer's settings.
#[derive(Debug, Clone)]
pub(crate) struct WriterSettings {
    pub(crate) path: PathBuf,
    pub(crate) retention_days: Option<u32>,
    /// Most records held pending (the queue bound).
    pub(crate) capacity: usize,
}

/// Texts of answered questions, held in memory for a "not helpful" vote: bounded in number and
/// age, oldest out first.
#[derive(Debug, Default)]
pub(crate) struct HeldText {
    texts: HashMap<AnswerId, String>,
    order: VecDeque<(Instant, AnswerId)>,
}

impl HeldText {
    fn forget_old(&mut self, now: Instant) {
        while let Some(&(at, id)) = self.order.front() {
            if self.order.len() <= HELD_TEXT_MAX && now.duration_since(at) < HELD_TEXT_FOR {
                break;
            }
            self.order.pop_front();
            self.texts.remove(&id);
        }
    }

    fn hold(&mut self, id: AnswerId, text: String, now: Instant) {
        if self.texts.insert(id, text).is_none() {
            self.order.push_back((now, id));
        }
        self.forget_old(now);
    }

    fn get(&mut self, id: AnswerId, now: Instant) -> Option<&str> {
        self.forget_old(now);
        self.texts.get(&id).map(String::as_str)
    }
}

/// The writer thread's state.
pub(crate) struct Writer {
    conn: Option<Connection>,
    settings: WriterSettings,
    counters: Arc<Counters>,
    pending: VecDeque<Row>,
    held: HeldText,
    /// When to try again (open, or a batch that met a busy database); `None`: now.
    next_try: Option<Instant>,
    reopen_delay: Duration,
    failed_opens: u32,
    /// Whether the last batch met a busy database (to log when it is free again).
    was_busy: bool,
    failures: Throttle,
    drops: Throttle,
}

/// Whether an error only means another connection holds the lock.
fn is_busy(e: &StoreError) -> bool {
    matches!(
        e,
        StoreError::Sqlite(err) | StoreError::Open { source: err, .. }
            if matches!(err.sqlite_error_code(), Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked))
    )
}

impl Writer {
    /// A writer for the open `conn`, or (`None`) one that keeps trying to open the file.
    pub(crate) fn new(
        conn: Option<Connection>,
        settings: WriterSettings,
        counters: Arc<Counters>,
    ) -> Self {
        let failed_opens = u32::from(conn.is_none());
        counters.open.store(conn.is_some(), Ordering::Relaxed);
        Writer {
            next_try: conn.is_none().then(|| Instant::now() + REOPEN_FIRST_DELAY),
            conn,
            settings,
            counters,
            pending: VecDeque::new(),
            held: HeldText::default(),
            reopen_delay: REOPEN_FIRST_DELAY,
            failed_opens,
            was_busy: false,
            failures: Throttle::new(WARN_INTERVAL_SECS),
            drops: Throttle::new(WARN_INTERVAL_SECS),
        }
    }

    fn warn(&self, what: &str, e: &StoreError) {
        if let Some(suppressed) = self.failures.allow(now_unix()) {
            tracing::warn!(error = %e, suppressed, waiting = self.pending.len(), "question log: {what}");
        }
    }

    fn due(&self) -> bool {
        self.next_try.is_none_or(|at| Instant::now() >= at)
    }

    /// How long to wait for the next command: `None` blocks (nothing to retry).
    fn wait(&self) -> Option<Duration> {
        if self.conn.is_some() && self.pending.is_empty() {
            return None;
        }
        Some(self.next_try.map_or(Duration::ZERO, |at| {
            at.saturating_duration_since(Instant::now())
        }))
    }

    fn set_waiting(&self) {
        self.counters
            .waiting
            .store(self.pending.len() as u64, Ordering::Relaxed);
    }

    fn drop_records(&self, n: u64, why: &str) {
        if n == 0 {
            return;
        }
        let total = self.counters.dropped.fetch_add(n, Ordering::Relaxed) + n;
        if let Some(suppressed) = self.drops.allow(now_unix()) {
            tracing::warn!(
                dropped_total = total,
                suppressed,
                "question log: records dropped: {why}"
            );
        }
    }

    /// Tries to open the file; on failure, schedules the next attempt.
    fn try_open(&mut self) {
        match schema::open_writer(&self.settings.path) {
            Ok(conn) => {
                match prune(&conn, self.settings.retention_days, now_unix()) {
                    Ok(0) => {}
                    Ok(deleted) => {
                        tracing::info!(deleted, "question log: deleted rows past retention");
                    }
                    Err(e) => self.warn("deleting old rows failed", &e),
                }
                tracing::info!(
                    path = %self.settings.path.display(),
                    failed_attempts = self.failed_opens,
                    waiting = self.pending.len(),
                    "question log open again"
                );
                self.conn = Some(conn);
                self.counters.open.store(true, Ordering::Relaxed);
                self.next_try = None;
                self.reopen_delay = REOPEN_FIRST_DELAY;
            }
            Err(e) => {
                self.failed_opens = self.failed_opens.saturating_add(1);
                self.reopen_delay = (self.reopen_delay * 2).min(REOPEN_MAX_DELAY);
                self.next_try = Some(Instant::now() + self.reopen_delay);
                if let Some(suppressed) = self.failures.allow(now_unix()) {
                    tracing::warn!(
                        error = %e,
                        suppressed,
                        attempts = self.failed_opens,
                        retry_in_s = self.reopen_delay.as_secs(),
                        waiting = self.pending.len(),
                        "question log: still cannot open the database; records are held until it opens"
                    );
                }
            }
        }
    }

    /// One record in: its text stored, held for a vote or dropped by the rules; the row pending.
    fn take(&mut self, mut row: Row) {
        if let Some(text) = row.question.take() {
            let text = redact(&text);
            if row.until_voted {
                self.held.hold(row.answer_id, text, Instant::now());
            } else {
                row.question = Some(text);
            }
        }
        if self.pending.len() >= self.settings.capacity.max(1) && self.due() {
            // Full, but the database may take writes again: try before dropping anything.
            self.write_pending();
        }
        if self.pending.len() >= self.settings.capacity.max(1) {
            self.drop_records(1, "the database is unavailable and the queue is full");
            return;
        }
        self.pending.push_back(row);
        self.set_waiting();
    }

    /// Writes the pending records (and the lost-record counts) in one transaction. A busy
    /// database keeps them pending; another error writes them one by one, counting failures.
    fn write_pending(&mut self) {
        let Some(conn) = self.conn.as_ref() else {
            return;
        };
        let (dropped, failed) = self.counters.unsaved();
        if self.pending.is_empty() && dropped == 0 && failed == 0 {
            return;
        }
        let result = write_batch(conn, self.pending.iter(), (dropped, failed));
        match result {
            Ok(()) => {
                if self.was_busy {
                    tracing::info!(
                        written = self.pending.len(),
                        "question log: database free again; held records written"
                    );
                }
                self.pending.clear();
                self.saved(dropped, failed);
                self.next_try = None;
                self.was_busy = false;
            }
            Err(e) if is_busy(&e) => {
                self.next_try = Some(Instant::now() + BUSY_RETRY_DELAY);
                if !self.was_busy {
                    self.warn("the database is busy (locked by another connection); records are held and written when it is free", &e);
                }
                self.was_busy = true;
            }
            Err(e) => {
                self.warn("writing a batch failed; writing its records one by one", &e);
                self.write_one_by_one();
            }
        }
        self.set_waiting();
    }

    fn saved(&self, dropped: u64, failed: u64) {
        self.counters
            .saved_dropped
            .fetch_add(dropped, Ordering::Relaxed);
        self.counters
            .saved_failed
            .fetch_add(failed, Ordering::Relaxed);
    }

    fn write_one_by_one(&mut self) {
        let Some(conn) = self.conn.as_ref() else {
            return;
        };
        let mut kept = VecDeque::new();
        let mut failed = 0u64;
        let mut last = None;
        for row in self.pending.drain(..) {
            match insert_question(conn, &row) {
                Ok(()) => {}
                Err(e) if is_busy(&e) => kept.push_back(row),
                Err(e) => {
                    failed += 1;
                    last = Some(e);
                }
            }
        }
        self.pending = kept;
        if failed > 0 {
            let total = self.counters.failed.fetch_add(failed, Ordering::Relaxed) + failed;
            if let Some(e) = last {
                self.warn(
                    &format!(
                        "{failed} record(s) could not be written and are lost ({total} so far)"
                    ),
                    &e,
                );
            }
        }
        if !self.pending.is_empty() {
            self.next_try = Some(Instant::now() + BUSY_RETRY_DELAY);
        }
    }

    /// Opens or writes if it is time to.
    fn work(&mut self) {
        if self.conn.is_none() {
            if self.due() {
                self.try_open();
            }
            if self.conn.is_none() {
                return;
            }
        }
        if !self.pending.is_empty() && self.due() {
            self.write_pending();
        }
    }

    /// Why pending records are not written, if they are not.
    fn pending_error(&self) -> Result<(), StoreError> {
        let waiting = self.pending.len() as u64;
        if self.conn.is_none() {
            Err(StoreError::NotOpen { waiting })
        } else if waiting > 0 {
            Err(StoreError::Busy { waiting })
        } else {
            Ok(())
        }
    }

    fn vote(
        &mut self,
        answer_id: AnswerId,
        voter_key: &[u8; 32],
        helpful: bool,
        at_unix: i64,
    ) -> Result<VoteOutcome, StoreError> {
        // The answer's row first, so its text can be kept with a "not helpful"; but when the
        // database is known to be busy, do not spend the vote's time on it.
        if self.conn.is_some() && !self.pending.is_empty() && self.due() {
            self.write_pending();
        }
        let conn = self.conn.as_ref().ok_or(StoreError::NotOpen {
            waiting: self.pending.len() as u64,
        })?;
        let held = if helpful {
            None
        } else {
            self.held.get(answer_id, Instant::now()).map(str::to_owned)
        };
        if let (Some(text), Some(row)) = (
            &held,
            self.pending.iter_mut().find(|r| r.answer_id == answer_id),
        ) {
            row.question = Some(text.clone());
        }
        let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
        let outcome = record_vote(&tx, answer_id, voter_key, helpful, at_unix)?;
        if let Some(text) = held {
            tx.prepare_cached(
                "UPDATE questions SET question = ?2 WHERE answer_id = ?1 AND question IS NULL",
            )?
            .execute(params![answer_id.to_sql(), text])?;
        } else if helpful && outcome == VoteOutcome::Changed {
            // The text was kept for a "not helpful" vote that is now "helpful".
            tx.prepare_cached(
                "UPDATE questions SET question = NULL
                 WHERE answer_id = ?1 AND outcome <> 'no_match'
                   AND NOT EXISTS (SELECT 1 FROM votes WHERE answer_id = ?1 AND helpful = 0)",
            )?
            .execute(params![answer_id.to_sql()])?;
        }
        tx.commit()?;
        Ok(outcome)
    }

    /// Handles one command; `Break` when the thread must end.
    fn handle(&mut self, command: Command) -> ControlFlow<()> {
        match command {
            Command::Log(row) => self.take(row),
            Command::Vote {
                answer_id,
                voter_key,
                helpful,
                at_unix,
                reply,
            } => {
                let result = self.vote(answer_id, &voter_key, helpful, at_unix);
                if let Err(e) = &result {
                    self.warn("recording a vote failed", e);
                }
                // The asker may have timed out; then nobody needs the answer.
                let _ = reply.send(result);
            }
            Command::Prune { reply } => {
                let result = match self.conn.as_ref() {
                    Some(conn) => prune(conn, self.settings.retention_days, now_unix()),
                    None => Err(StoreError::NotOpen {
                        waiting: self.pending.len() as u64,
                    }),
                };
                if let Err(e) = &result {
                    self.warn("deleting old rows failed", e);
                }
                let _ = reply.send(result);
            }
            Command::Flush { reply } => {
                if self.conn.is_none() && self.due() {
                    self.try_open();
                }
                self.write_pending();
                let _ = reply.send(self.pending_error());
            }
            Command::Run(job) => {
                if self.conn.is_none() && self.due() {
                    self.try_open();
                }
                if self.conn.is_some() && !self.pending.is_empty() && self.due() {
                    self.write_pending();
                }
                job(self.conn.as_ref());
            }
            Command::Shutdown { reply } => {
                let result = self.finish();
                let _ = reply.send(result);
                return ControlFlow::Break(());
            }
            Command::SetMeta { key, value, reply } => {
                let result = match self.conn.as_ref() {
                    Some(conn) => set_meta(conn, key, value),
                    None => Err(StoreError::NotOpen {
                        waiting: self.pending.len() as u64,
                    }),
                };
                if let Err(e) = &result {
                    self.warn("saving a setting failed", e);
                }
                let _ = reply.send(result);
            }
        }
        ControlFlow::Continue(())
    }

    /// Writes what is pending (waiting a little for a busy database), gives up the rest
    /// (counted), and closes the connection.
    fn finish(&mut self) -> Result<(), StoreError> {
        if self.conn.is_none() {
            self.try_open();
        }
        let deadline = Instant::now() + SHUTDOWN_BUSY_BUDGET;
        self.write_pending();
        while self.conn.is_some() && !self.pending.is_empty() && Instant::now() < deadline {
            std::thread::sleep(BUSY_RETRY_DELAY);
            self.write_pending();
        }
        let result = self.pending_error();
        let left = self.pending.len() as u64;
        self.pending.clear();
        self.set_waiting();
        self.drop_records(left, "not written before the log closed");
        if let Some(conn) = self.conn.take() {
            self.counters.open.store(false, Ordering::Relaxed);
            if let Err((_, e)) = conn.close() {
                self.warn("closing the database failed", &e.into());
            }
        }
        result
    }
}

/// Runs until the queue's senders are all gone or a `Shutdown` arrives.
pub(crate) fn run(mut writer: Writer, commands: &Receiver<Command>) {
    loop {
        let received = match writer.wait() {
            None => commands.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some(wait) => commands.recv_timeout(wait),
        };
        match received {
            Ok(command) => {
                if writer.handle(command).is_break() {
                    return;
                }
                // Take what else is queued, so one transaction writes it all (bounded, so a
                // steady stream still gets written).
                for _ in 0..writer.settings.capacity {
                    match commands.try_recv() {
                        Ok(command) => {
                            if writer.handle(command).is_break() {
                                return;
                            }
                        }
                        Err(_) => break,
                    }
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                let _ = writer.finish();
                return;
            }
        }
        writer.work();
    }
}

/// Writes `rows` and the lost-record counts in one `BEGIN IMMEDIATE` transaction.
fn write_batch<'a>(
    conn: &Connection,
    rows: impl Iterator<Item = &'a Row>,
    (dropped, failed): (u64, u64),
) -> Result<(), StoreError> {
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    for row in rows {
        insert_question(&tx, row)?;
    }
    if dropped > 0 || failed > 0 {
        tx.prepare_cached(
            "INSERT INTO lost_records (day, dropped, failed) VALUES (?1, ?2, ?3)
             ON CONFLICT (day) DO UPDATE SET dropped = dropped + excluded.dropped,
                                             failed = failed + excluded.failed",
        )?
        .execute(params![
            now_unix().div_euclid(SECS_PER_DAY),
            i64::try_from(dropped).unwrap_or(i64::MAX),
            i64::try_from(failed).unwrap_or(i64::MAX)
        ])?;
    }
    tx.commit()?;
    Ok(())
}

/// Sets `key` to `value` in `meta`.
fn set_meta(conn: &Connection, key: &str, value: i64) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![key, value])?;
    Ok(())
}

pub(crate) fn insert_question(conn: &Connection, row: &Row) -> Result<(), StoreError> {
    let r = &row.record;
    let score = r.score.is_finite().then_some(f64::from(r.score));
    conn.prepare_cached(
        "INSERT INTO questions (answer_id, at_unix, origin, question, outcome, entry_id, score)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        row.answer_id.to_sql(),
        r.at_unix,
        r.origin.as_str(),
        row.question,
        r.outcome.as_str(),
        r.entry_id,
        score,
    ])?;
    Ok(())
}

pub(crate) fn record_vote(
    conn: &Connection,
    answer_id: AnswerId,
    voter_key: &[u8; 32],
    helpful: bool,
    at_unix: i64,
) -> Result<VoteOutcome, StoreError> {
    let previous: Option<bool> = conn
        .prepare_cached("SELECT helpful FROM votes WHERE answer_id = ?1 AND voter_key = ?2")?
        .query_row(params![answer_id.to_sql(), voter_key.as_slice()], |row| {
            row.get(0)
        })
        .optional()?;
    match previous {
        Some(same) if same == helpful => Ok(VoteOutcome::Unchanged),
        Some(_) => {
            conn.prepare_cached(
                "UPDATE votes SET helpful = ?3, at_unix = ?4 WHERE answer_id = ?1 AND voter_key = ?2",
            )?
            .execute(params![answer_id.to_sql(), voter_key.as_slice(), helpful, at_unix])?;
            Ok(VoteOutcome::Changed)
        }
        None => {
            conn.prepare_cached(
                "INSERT INTO votes (answer_id, voter_key, helpful, at_unix) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![answer_id.to_sql(), voter_key.as_slice(), helpful, at_unix])?;
            Ok(VoteOutcome::Recorded)
        }
    }
}

/// Deletes questions, votes and lost-record counts older than the retention period; returns
/// how many rows went.
pub(crate) fn prune(
    conn: &Connection,
    retention_days: Option<u32>,
    now_unix: i64,
) -> Result<u64, StoreError> {
    let Some(days) = retention_days else {
        return Ok(0);
    };
    let cutoff = now_unix.saturating_sub(i64::from(days) * SECS_PER_DAY);
    let tx = conn.unchecked_transaction()?;
    let questions = tx.execute("DELETE FROM questions WHERE at_unix < ?1", [cutoff])?;
    let votes = tx.execute("DELETE FROM votes WHERE at_unix < ?1", [cutoff])?;
    let lost = tx.execute(
        "DELETE FROM lost_records WHERE day < ?1",
        [cutoff.div_euclid(SECS_PER_DAY)],
    )?;
    let queued = super::queue::prune(&tx, cutoff)?;
    tx.commit()?;
    Ok((questions + votes + lost) as u64 + queued)
}

#[cfg(test)]
mod tests {
    use super::super::record::{Origin, Outcome};
    use super::super::schema::migrate;
    use super::*;

    fn db() -> Connection {
        let mut conn = Connection::open_in_memory().expect("in-memory database");
        migrate(&mut conn).expect("migrate");
        conn
    }

    fn row(id: u64, at_unix: i64, score: f32) -> Row {
        Row {
            answer_id: AnswerId::from_u64(id),
            record: QuestionRecord {
                at_unix,
                origin: Origin::Mention,
                question: String::new(),
                outcome: Outcome::Answer,
                entry_id: Some("what-is-ot".to_owned()),
                score,
            },
            question: Some("what is OT".to_owned()),
            until_voted: false,
        }
    }

    fn count(conn: &Connection, table: &str) -> i64 {
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .expect("count")
    }

    #[test]
    fn vote_sequence_table() {
        let conn = db();
        let a = AnswerId::from_u64(1);
        let b = AnswerId::from_u64(2);
        // (answer, voter key, helpful, expected outcome, expected vote rows after)
        let table = [
            (a, [1u8; 32], true, VoteOutcome::Recorded, 1),
            (a, [1u8; 32], true, VoteOutcome::Unchanged, 1),
            (a, [1u8; 32], false, VoteOutcome::Changed, 1),
            (a, [1u8; 32], false, VoteOutcome::Unchanged, 1),
            (a, [2u8; 32], false, VoteOutcome::Recorded, 2),
            (b, [1u8; 32], true, VoteOutcome::Recorded, 3),
        ];
        for (i, (answer, key, helpful, want, rows)) in table.into_iter().enumerate() {
            let got = record_vote(&conn, answer, &key, helpful, 100).expect("vote");
            assert_eq!(got, want, "step {i}");
            assert_eq!(count(&conn, "votes"), rows, "step {i}");
        }
    }

    #[test]
    fn non_finite_scores_are_stored_as_null() {
        let conn = db();
        insert_question(&conn, &row(1, 10, f32::NAN)).expect("NaN");
        insert_question(&conn, &row(2, 10, f32::INFINITY)).expect("inf");
        insert_question(&conn, &row(3, 10, 0.5)).expect("finite");
        let nulls: i64 = conn
            .query_row(
                "SELECT count(*) FROM questions WHERE score IS NULL",
                [],
                |r| r.get(0),
            )
            .expect("query");
        assert_eq!(nulls, 2);
    }

    #[test]
    fn prune_cutoff_table() {
        let now = 100 * SECS_PER_DAY;
        // (retention days, ages in days of the rows, rows left)
        let table: [(Option<u32>, &[i64], i64); 4] = [
            (None, &[0, 50, 99], 3),
            (Some(30), &[0, 29, 31, 99], 2),
            (Some(0), &[0, 1], 1),
            (Some(365), &[0, 99], 2),
        ];
        for (days, ages, left) in table {
            let conn = db();
            for (i, age) in ages.iter().enumerate() {
                insert_question(&conn, &row(i as u64, now - age * SECS_PER_DAY, 1.0))
                    .expect("insert");
                record_vote(
                    &conn,
                    AnswerId::from_u64(i as u64),
                    &[9; 32],
                    true,
                    now - age * SECS_PER_DAY,
                )
                .expect("vote");
            }
            prune(&conn, days, now).expect("prune");
            assert_eq!(count(&conn, "questions"), left, "{days:?} {ages:?}");
            assert_eq!(count(&conn, "votes"), left, "{days:?} {ages:?}");
        }
    }

    #[test]
    fn held_text_is_bounded_in_number_and_age() {
        let mut held = HeldText::default();
        let start = Instant::now();
        for i in 0..(HELD_TEXT_MAX as u64 + 10) {
            held.hold(AnswerId::from_u64(i), format!("q{i}"), start);
        }
        assert_eq!(held.texts.len(), HELD_TEXT_MAX);
        assert_eq!(
            held.get(AnswerId::from_u64(0), start),
            None,
            "oldest out first"
        );
        assert_eq!(held.get(AnswerId::from_u64(10), start), Some("q10"));
        let later = start + HELD_TEXT_FOR;
        assert_eq!(held.get(AnswerId::from_u64(10), later), None, "too old");
        assert!(held.texts.is_empty());
    }

    #[test]
    fn write_batch_saves_lost_counts() {
        let conn = db();
        let rows = [row(1, 10, 0.5), row(2, 10, 0.5)];
        write_batch(&conn, rows.iter(), (3, 1)).expect("batch");
        write_batch(&conn, [].iter(), (1, 0)).expect("counts only");
        assert_eq!(count(&conn, "questions"), 2);
        let (dropped, failed): (i64, i64) = conn
            .query_row(
                "SELECT sum(dropped), sum(failed) FROM lost_records",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("lost");
        assert_eq!((dropped, failed), (4, 1));
    }
}
