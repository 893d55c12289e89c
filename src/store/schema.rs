//! Opening the `SQLite` file: pragmas, the schema and its migrations, and the voter-key secret.
//!
//! Migrations are numbered by `PRAGMA user_version`: migration `i` (0-based) brings the file from
//! version `i` to `i + 1`. Each runs in its own `BEGIN IMMEDIATE` transaction, so two processes
//! starting at once cannot both apply it. Only ever append to [`MIGRATIONS`].

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior};

use super::StoreError;

/// How long the writer waits for another connection's lock before giving up on one write: long
/// enough to ride out a checkpoint or a moderator's quick `sqlite3` query, short enough that a
/// stuck lock fills the bounded queue (and drops records) instead of stalling votes for long.
pub(crate) const WRITER_BUSY_TIMEOUT: Duration = Duration::from_secs(1);

/// How long a report waits for a lock: reports are off the answer path and can afford to wait.
const READER_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The `meta` key under which a generated voter key is kept.
const VOTER_KEY_META: &str = "voter_key";

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
];

/// Opens (creating if needed) the file for writing, sets it up and migrates it; returns the
/// connection and the voter key to use (see [`voter_key`]).
pub(crate) fn open_writer(
    path: &Path,
    configured_key: Option<[u8; 32]>,
) -> Result<(Connection, [u8; 32]), StoreError> {
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
    migrate(&mut conn).map_err(with_path)?;
    let key = voter_key(&conn, configured_key).map_err(with_path)?;
    Ok((conn, key))
}

/// Opens the file read-only for a report, separate from the writer so neither waits on the other.
pub(crate) fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let wrap = |source| StoreError::Open {
        path: path.to_owned(),
        source,
    };
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(wrap)?;
    conn.busy_timeout(READER_BUSY_TIMEOUT).map_err(wrap)?;
    Ok(conn)
}

/// The schema version this build writes.
pub(crate) fn latest_version() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}

fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

/// Applies the migrations the file has not had yet.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    for (index, sql) in MIGRATIONS.iter().enumerate() {
        let target = i64::try_from(index + 1).unwrap_or(i64::MAX);
        if user_version(conn)? >= target {
            continue;
        }
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Another process may have migrated between our check and our lock.
        if user_version(&tx)? < target {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", target)?;
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
    Ok(())
}

/// The key for hashing voters: the configured one, else the one kept in `meta`, else a new
/// random one that is then kept in `meta`.
pub(crate) fn voter_key(
    conn: &Connection,
    configured: Option<[u8; 32]>,
) -> Result<[u8; 32], StoreError> {
    if let Some(key) = configured {
        return Ok(key);
    }
    let stored: Option<Vec<u8>> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = ?1",
            [VOTER_KEY_META],
            |row| row.get(0),
        )
        .optional()?;
    if let Some(bytes) = stored {
        return stored_key(&bytes);
    }
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(StoreError::Random)?;
    // OR IGNORE + re-read: if another process stored a key first, use theirs.
    conn.execute(
        "INSERT OR IGNORE INTO meta (key, value) VALUES (?1, ?2)",
        rusqlite::params![VOTER_KEY_META, key.as_slice()],
    )?;
    let kept: Vec<u8> = conn.query_row(
        "SELECT value FROM meta WHERE key = ?1",
        [VOTER_KEY_META],
        |row| row.get(0),
    )?;
    stored_key(&kept)
}

fn stored_key(bytes: &[u8]) -> Result<[u8; 32], StoreError> {
    <[u8; 32]>::try_from(bytes).map_err(|_| StoreError::BadVoterKey {
        reason: format!(
            "the key kept in the log's meta table is {} bytes, not 32",
            bytes.len()
        ),
    })
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
        for table in ["meta", "questions", "votes"] {
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
    fn voter_key_prefers_config_then_keeps_a_generated_one() {
        let mut conn = memory();
        migrate(&mut conn).expect("migrate");
        assert_eq!(
            voter_key(&conn, Some([7; 32])).expect("configured"),
            [7; 32]
        );
        let first = voter_key(&conn, None).expect("generated");
        let second = voter_key(&conn, None).expect("kept");
        assert_eq!(first, second);
        assert_ne!(first, [7; 32]);
    }
}
