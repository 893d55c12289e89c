//! The writer thread: the only owner of the writing connection. It takes commands from the
//! bounded queue one at a time, so a slow or failing disk delays nothing but this thread.
//!
//! A failed write is logged (throttled, without the question text) and the thread carries on
//! with the next command. Commands that want an answer carry a one-slot reply channel; if the
//! asker has stopped waiting, the reply is simply dropped.

use std::sync::mpsc::{Receiver, SyncSender};

use rusqlite::{params, Connection, OptionalExtension};

use super::record::{now_unix, AnswerId, QuestionRecord, VoteOutcome, SECS_PER_DAY};
use super::throttle::Throttle;
use super::{StoreError, WARN_INTERVAL_SECS};

/// A question as it goes to the writer. The caller takes the text out of the record and puts it
/// in `question` only if text logging is on, so otherwise it never reaches this thread.
#[derive(Debug)]
pub(crate) struct Row {
    pub(crate) answer_id: AnswerId,
    /// The record, its `question` field emptied.
    pub(crate) record: QuestionRecord,
    pub(crate) question: Option<String>,
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
    /// Answered once every command queued before it is done.
    Flush {
        reply: SyncSender<()>,
    },
    /// Like `Flush`, then the thread closes the connection and ends.
    Shutdown {
        reply: SyncSender<()>,
    },
}

/// The writer's settings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WriterSettings {
    pub(crate) retention_days: Option<u32>,
}

/// Runs until the queue's senders are all gone or a `Shutdown` arrives.
pub(crate) fn run(conn: Connection, commands: &Receiver<Command>, settings: WriterSettings) {
    let failures = Throttle::new(WARN_INTERVAL_SECS);
    let warn = |what: &str, e: &StoreError| {
        if let Some(suppressed) = failures.allow(now_unix()) {
            tracing::warn!(error = %e, suppressed, "question log: {what} failed");
        }
    };
    while let Ok(command) = commands.recv() {
        match command {
            Command::Log(row) => {
                if let Err(e) = insert_question(&conn, &row) {
                    warn("writing a question (record dropped)", &e);
                }
            }
            Command::Vote {
                answer_id,
                voter_key,
                helpful,
                at_unix,
                reply,
            } => {
                let result = record_vote(&conn, answer_id, &voter_key, helpful, at_unix);
                if let Err(e) = &result {
                    warn("recording a vote", e);
                }
                // The asker may have timed out; then nobody needs the answer.
                let _ = reply.send(result);
            }
            Command::Prune { reply } => {
                let result = prune(&conn, settings.retention_days, now_unix());
                if let Err(e) = &result {
                    warn("deleting old rows", e);
                }
                let _ = reply.send(result);
            }
            Command::Flush { reply } => {
                let _ = reply.send(());
            }
            Command::Shutdown { reply } => {
                if let Err((_, e)) = conn.close() {
                    warn("closing the database", &e.into());
                }
                let _ = reply.send(());
                return;
            }
        }
    }
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

/// Deletes questions and votes older than the retention period; returns how many rows went.
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
    tx.commit()?;
    Ok((questions + votes) as u64)
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
}
