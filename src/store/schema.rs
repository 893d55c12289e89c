//! Opening the `SQLite` file: pragmas, the schema and its migrations; and opening it read-only
//! for reports.
//!
//! Migrations are numbered by `PRAGMA user_version`: migration `i` (0-based) brings the file from
//! version `i` to `i + 1`. Each runs in its own `BEGIN IMMEDIATE` transaction, so two processes
//! starting at once cannot both apply it. Only ever append to [`MIGRATIONS`].
//!
//! The voter key is never in the file (see [`super::LogConfig::voter_key`]); migration 2 removes
//! the key that earlier versions kept in `meta`, and brings the stored question text under the
//! rules of [`super::privacy`].

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, Transaction, TransactionBehavior};

use super::privacy::redact;
use super::StoreError;

/// How long the writer waits for another connection's lock in one attempt: long enough to ride
/// out a checkpoint, short enough that a vote (2 s budget) still gets its answer. A batch that
/// meets a longer lock stays queued and is tried again (see the writer).
pub(crate) const WRITER_BUSY_TIMEOUT: Duration = Duration::from_secs(1);

/// How long a report waits for a lock: reports are off the answer path and can afford to wait.
const READER_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The schema, one step per entry.
const MIGRATIONS: &[&str] = &[
    // 1: the question log, the votes, and a key-value table for the voter key.
    "CREATE TABLE meta (
         key   TEXT PRIMARY KEY,
         value BLOB NOT NULL
     ) WITHOUT ROWID;
     CREATE TABLE questions (
         -- Write order: answer ids are random, so they cannot order questions of one second.
         seq       INTEGER PRIMARY KEY,
         answer_id INTEGER NOT NULL UNIQUE,
         at_unix   INTEGER NOT NULL,
         origin    TEXT NOT NULL,
         question  TEXT,
         outcome   TEXT NOT NULL,
         entry_id  TEXT,
         score     REAL
     );
     CREATE INDEX questions_by_time ON questions (at_unix);
     CREATE TABLE votes (
         answer_id INTEGER NOT NULL,
         voter_key BLOB NOT NULL,
         helpful   INTEGER NOT NULL CHECK (helpful IN (0, 1)),
         at_unix   INTEGER NOT NULL,
         PRIMARY KEY (answer_id, voter_key)
     ) WITHOUT ROWID;
     CREATE INDEX votes_by_time ON votes (at_unix);",
    // 2: the voter key leaves the file; records the log could not keep are counted per day;
    // text the moderators do not need goes (the rest is redacted by `redact_stored_text`).
    "DELETE FROM meta WHERE key = 'voter_key';
     CREATE TABLE lost_records (
         day     INTEGER PRIMARY KEY,  -- unix day (seconds / 86400)
         dropped INTEGER NOT NULL DEFAULT 0,
         failed  INTEGER NOT NULL DEFAULT 0
     );
     UPDATE questions SET question = NULL
      WHERE question IS NOT NULL
        AND ((origin = 'help_channel' AND outcome = 'no_match')
          OR (outcome <> 'no_match' AND NOT EXISTS (
                SELECT 1 FROM votes v WHERE v.answer_id = questions.answer_id AND v.helpful = 0)));",
    // 3: the moderators' review queue (see `queue.rs`): one row per group of questions, its
    // post in the moderators' channel, the moderator's answer captured from a reply, and what
    // the moderators did with it. Text is masked as in `questions` and goes with retention.
    "CREATE TABLE queue_items (
         id             INTEGER PRIMARY KEY,
         kind           TEXT NOT NULL,             -- 'unanswered' | 'not_helpful'
         question       TEXT NOT NULL,             -- the group's first phrasing, masked
         entry_id       TEXT,                      -- the entry answered (not helpful)
         count          INTEGER NOT NULL DEFAULT 1,
         first_unix     INTEGER NOT NULL,
         last_unix      INTEGER NOT NULL,
         posted_day     INTEGER,                   -- unix day of the last post
         channel_id     INTEGER,                   -- the post in the moderators' channel
         message_id     INTEGER,
         answer         TEXT,                      -- a moderator's reply, masked
         learned        TEXT,                      -- 'phrasing' | 'new_entry' | 'dismissed'
         learned_entry  TEXT,
         learned_unix   INTEGER
     );
     CREATE INDEX queue_items_by_time ON queue_items (last_unix);
     CREATE INDEX queue_items_by_learned ON queue_items (learned_unix);",
];

/// Work of a migration that SQL alone cannot do, run in the same transaction after it.
fn after_migration(version: i64, tx: &Transaction<'_>) -> Result<(), StoreError> {
    if version == 2 {
        redact_stored_text(tx)?;
    }
    Ok(())
}

/// Redacts every stored question text (masks, length cap) in place.
fn redact_stored_text(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let rows: Vec<(i64, String)> = tx
        .prepare("SELECT seq, question FROM questions WHERE question IS NOT NULL")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut update = tx.prepare("UPDATE questions SET question = ?2 WHERE seq = ?1")?;
    for (seq, text) in rows {
        let redacted = redact(&text);
        if redacted != text {
            update.execute(rusqlite::params![seq, redacted])?;
        }
    }
    Ok(())
}

/// Opens (creating if needed) the file for writing, sets it up and migrates it.
pub(crate) fn open_writer(path: &Path) -> Result<Connection, StoreError> {
    let wrap = |source| StoreError::Open {
        path: path.to_owned(),
        source,
    };
    let mut conn = Connection::open(path).map_err(wrap)?;
    conn.busy_timeout(WRITER_BUSY_TIMEOUT).map_err(wrap)?;
    // SQLite silently falls back to read-only when it cannot write the file; every write would
    // then fail later, so refuse now while the caller can still say why.
    if conn.is_readonly(rusqlite::MAIN_DB).map_err(wrap)? {
        return Err(StoreError::ReadOnly {
            path: path.to_owned(),
        });
    }
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
        .map_err(wrap)?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(journal_mode = %mode, "question log could not switch to WAL; reports may wait for writes");
    }
    // WAL makes NORMAL safe against corruption; a power cut may lose the last few records,
    // which a best-effort log can afford.
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(wrap)?;
    // Overwrite deleted rows so retention really removes parents' questions from the file.
    conn.pragma_update(None, "secure_delete", true)
        .map_err(wrap)?;
    let with_path = |e| match e {
        StoreError::Sqlite(source) => wrap(source),
        other => other,
    };
    if migrate(&mut conn).map_err(with_path)? {
        // What the migration deleted or rewrote is overwritten in the database (secure_delete);
        // move it out of the WAL too, so no copy of the old key or text stays in either file.
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(wrap)?;
    }
    Ok(conn)
}

/// Opens an existing file read-only for a report: never creates, migrates or writes it, so it
/// works on a backup or a read-only mount and leaves the file as it was. Separate from the
/// writer, so neither waits on the other.
///
/// Without a `-wal` file beside it (no bot has the file open, e.g. a backup) the file is
/// opened as immutable: nothing is written next to it either (a read-only connection would
/// leave `-wal` and `-shm` files behind), and a read-only folder is no obstacle. With one, it
/// is read through the WAL, as the running bot writes it; if the `-shm` cannot be set up there
/// (a read-only folder), immutable again.
pub(crate) fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let wrap = |source| StoreError::Open {
        path: path.to_owned(),
        source,
    };
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    if !Path::new(&wal).exists() {
        let conn =
            Connection::open_with_flags(immutable_uri(path), flags | OpenFlags::SQLITE_OPEN_URI)
                .map_err(wrap)?;
        check_readable(&conn, path)?;
        return Ok(conn);
    }
    let conn = Connection::open_with_flags(path, flags).map_err(wrap)?;
    conn.busy_timeout(READER_BUSY_TIMEOUT).map_err(wrap)?;
    let conn = match check_readable(&conn, path) {
        Err(StoreError::Open { source, .. }) if needs_immutable(&source) => {
            let conn = Connection::open_with_flags(
                immutable_uri(path),
                flags | OpenFlags::SQLITE_OPEN_URI,
            )
            .map_err(wrap)?;
            check_readable(&conn, path)?;
            conn
        }
        Err(e) => return Err(e),
        Ok(()) => conn,
    };
    Ok(conn)
}

/// Whether a read-only open failed only because `SQLite` could not set up WAL shared memory.
fn needs_immutable(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::CannotOpen | ErrorCode::ReadOnly)
    )
}

/// `file:` URI of `path` with `immutable=1`, the path percent-encoded where a URI needs it.
fn immutable_uri(path: &Path) -> String {
    use std::fmt::Write as _;
    use std::os::unix::ffi::OsStrExt;
    let mut uri = String::from("file:");
    for &b in path.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            uri.push(char::from(b));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(uri, "%{b:02X}");
        }
    }
    uri.push_str("?immutable=1");
    uri
}

/// Checks that a read-only connection sees a question log this build can read.
fn check_readable(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let wrap = |source| StoreError::Open {
        path: path.to_owned(),
        source,
    };
    let version = user_version(conn).map_err(wrap)?;
    if version > latest_version() {
        return Err(StoreError::SchemaTooNew {
            found: version,
            supported: latest_version(),
        });
    }
    if !has_table(conn, "questions").map_err(wrap)? {
        let empty = std::fs::metadata(path).is_ok_and(|m| m.len() == 0);
        return Err(StoreError::NotALog {
            path: path.to_owned(),
            reason: if empty {
                "the file is empty (0 bytes): the bot has not written to it yet".to_owned()
            } else {
                "it is an SQLite file without a question log in it".to_owned()
            },
        });
    }
    Ok(())
}

/// Whether the file has a table of this name.
pub(crate) fn has_table(conn: &Connection, name: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1",
        [name],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
}

/// The schema version this build writes.
pub(crate) fn latest_version() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}

fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

/// Applies the migrations the file has not had yet; returns whether it applied any.
pub(crate) fn migrate(conn: &mut Connection) -> Result<bool, StoreError> {
    let mut applied = false;
    for (index, sql) in MIGRATIONS.iter().enumerate() {
        let target = i64::try_from(index + 1).unwrap_or(i64::MAX);
        if user_version(conn)? >= target {
            continue;
        }
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Another process may have migrated between our check and our lock.
        if user_version(&tx)? < target {
            tx.execute_batch(sql)?;
            after_migration(target, &tx)?;
            tx.pragma_update(None, "user_version", target)?;
            applied = true;
        }
        tx.commit()?;
    }
    let found = user_version(conn)?;
    if found > latest_version() {
        return Err(StoreError::SchemaTooNew {
            found,
            supported: latest_version(),
        });
    }
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memory() -> Connection {
        Connection::open_in_memory().expect("in-memory database")
    }

    #[test]
    fn migrate_brings_an_empty_file_to_the_latest_version() {
        let mut conn = memory();
        migrate(&mut conn).expect("migrate");
        assert_eq!(user_version(&conn).expect("version"), latest_version());
        for table in ["meta", "questions", "votes", "lost_records", "queue_items"] {
            let n: i64 = conn
                .query_row(
                    "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1",
                    [table],
                    |row| row.get(0),
                )
                .expect("schema query");
            assert_eq!(n, 1, "table {table}");
        }
    }

    #[test]
    fn migrate_twice_changes_nothing() {
        let mut conn = memory();
        migrate(&mut conn).expect("first");
        migrate(&mut conn).expect("second");
        assert_eq!(user_version(&conn).expect("version"), latest_version());
    }

    #[test]
    fn migrate_refuses_a_newer_schema() {
        let mut conn = memory();
        conn.pragma_update(None, "user_version", latest_version() + 1)
            .expect("set version");
        let err = migrate(&mut conn).expect_err("must refuse");
        assert!(matches!(err, StoreError::SchemaTooNew { .. }), "{err}");
    }

    #[test]
    fn immutable_uri_encodes_what_a_uri_cannot_hold() {
        let table = [
            (
                "/var/lib/faqbot.sqlite3",
                "file:/var/lib/faqbot.sqlite3?immutable=1",
            ),
            ("/b a?c#d%e", "file:/b%20a%3Fc%23d%25e?immutable=1"),
            ("/é", "file:/%C3%A9?immutable=1"),
        ];
        for (path, want) in table {
            assert_eq!(immutable_uri(Path::new(path)), want, "{path}");
        }
    }

    /// (answer id, origin, outcome, text, not-helpful vote, text kept after migration 2)
    type Case<'a> = (i64, &'a str, &'a str, &'a str, bool, Option<&'a str>);

    #[test]
    fn migration_2_drops_the_old_key_and_text_the_moderators_do_not_need() {
        let mut conn = memory();
        conn.execute_batch(MIGRATIONS[0]).expect("schema 1");
        conn.pragma_update(None, "user_version", 1)
            .expect("version");
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)",
            rusqlite::params!["voter_key", [1u8; 32].as_slice()],
        )
        .expect("old key");
        // (answer id, origin, outcome, text, not-helpful vote, text kept after)
        let table: [Case<'_>; 5] = [
            (
                1,
                "help_channel",
                "no_match",
                "chat between parents",
                false,
                None,
            ),
            (
                2,
                "mention",
                "no_match",
                "<@5> cost of OT?",
                false,
                Some("@someone cost of OT?"),
            ),
            (3, "help_channel", "answer", "what is OT", false, None),
            (
                4,
                "slash_command",
                "answer",
                "what is PT, call 555-010-4477",
                true,
                Some("what is PT, call [phone]"),
            ),
            (
                5,
                "direct_message",
                "ambiguous",
                "sensory or motor",
                false,
                None,
            ),
        ];
        for (id, origin, outcome, text, bad_vote, _) in table {
            conn.execute(
                "INSERT INTO questions (answer_id, at_unix, origin, question, outcome)
                 VALUES (?1, 0, ?2, ?3, ?4)",
                rusqlite::params![id, origin, text, outcome],
            )
            .expect("old row");
            if bad_vote {
                conn.execute("INSERT INTO votes VALUES (?1, x'00', 0, 0)", [id])
                    .expect("old vote");
            }
        }
        assert!(migrate(&mut conn).expect("migrate"));
        let meta: i64 = conn
            .query_row("SELECT count(*) FROM meta", [], |r| r.get(0))
            .expect("meta");
        assert_eq!(meta, 0);
        for (id, _, _, _, _, want) in table {
            let got: Option<String> = conn
                .query_row(
                    "SELECT question FROM questions WHERE answer_id = ?1",
                    [id],
                    |r| r.get(0),
                )
                .expect("row");
            assert_eq!(got.as_deref(), want, "answer {id}");
        }
        assert!(!migrate(&mut conn).expect("again"), "nothing left to apply");
    }
}
