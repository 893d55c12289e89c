//! The moderators' review queue, in the question log's file: one row per group of questions
//! the bot could not answer (or whose answer a parent voted not helpful), grouped as the report
//! groups them ([`same_question`]), with its post in the moderators' channel, a moderator's
//! answer captured from a Discord reply, and what the moderators did with it.
//!
//! - **Posted at most once per group per day.** [`enqueue`] claims the day's post for a group
//!   in the same transaction that counts the question (`posted_day`), so two identical
//!   questions at once, or a restart, never post twice; [`unclaim`] gives the claim back when
//!   the post failed.
//! - **The same text rules as the log.** Questions are masked and capped with [`redact`]
//!   (the caller only queues text the log keeps: see [`super::privacy`]); a moderator's answer
//!   is masked the same way, line by line, capped at [`MAX_ANSWER_CHARS`]. Rows go with the
//!   retention of the questions (by their last question).
//! - **Closed items stay for the counts.** An item added as a phrasing or a new entry is
//!   closed: a new question like it (the bot still did not answer it) starts a new item. A
//!   dismissed item keeps counting its questions without being posted again.
//!
//! Plain functions on a connection; the writer thread runs them ([`QuestionLog`]'s
//! `queue_*` methods), so the writing connection stays the only writer.
//!
//! [`QuestionLog`]: super::QuestionLog

use std::fmt;
use std::str::FromStr;

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction, TransactionBehavior};
use serde::Serialize;

use super::cluster::same_question;
use super::privacy::{redact, redact_to};
use super::record::SECS_PER_DAY;
use super::StoreError;

/// The most characters of a moderator's captured answer kept: an FAQ answer is a paragraph or
/// three, and the queue post (Discord's 2 000 characters) also shows the question.
pub const MAX_ANSWER_CHARS: usize = 1500;

/// Open items a new question is compared with, newest first: bounds the work of one question
/// while far above the open items of a parents' server.
const MAX_COMPARED_ITEMS: i64 = 500;

/// The id of one review queue item, carried in the queue post's custom ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QueueItemId(i64);

impl QueueItemId {
    /// The id as stored.
    #[must_use]
    pub const fn get(self) -> i64 {
        self.0
    }

    /// An id from its stored number.
    #[must_use]
    pub const fn new(id: i64) -> Self {
        QueueItemId(id)
    }
}

impl fmt::Display for QueueItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for QueueItemId {
    type Err = StoreError;

    /// A positive decimal number.
    ///
    /// ```
    /// use faqbot::store::QueueItemId;
    /// assert_eq!("12".parse::<QueueItemId>().ok(), Some(QueueItemId::new(12)));
    /// assert!("0".parse::<QueueItemId>().is_err());
    /// assert!("+1".parse::<QueueItemId>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || StoreError::UnknownValue {
            kind: "queue item id",
            value: s.to_owned(),
        };
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        match s.parse::<i64>() {
            Ok(n) if n > 0 => Ok(QueueItemId(n)),
            _ => Err(bad()),
        }
    }
}

/// Why a question is in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueKind {
    /// Asked of the bot, not answered.
    Unanswered,
    /// Answered, and a parent voted the answer not helpful.
    NotHelpful,
}

impl QueueKind {
    fn as_str(self) -> &'static str {
        match self {
            QueueKind::Unanswered => "unanswered",
            QueueKind::NotHelpful => "not_helpful",
        }
    }

    fn parse(s: &str) -> QueueKind {
        if s == "not_helpful" {
            QueueKind::NotHelpful
        } else {
            QueueKind::Unanswered
        }
    }
}

/// What the moderators did with an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Learned {
    /// The question became a phrasing of an entry.
    Phrasing,
    /// A new entry was written for it.
    NewEntry,
    /// Not for the FAQ.
    Dismissed,
}

impl Learned {
    fn as_str(self) -> &'static str {
        match self {
            Learned::Phrasing => "phrasing",
            Learned::NewEntry => "new_entry",
            Learned::Dismissed => "dismissed",
        }
    }

    fn parse(s: &str) -> Option<Learned> {
        match s {
            "phrasing" => Some(Learned::Phrasing),
            "new_entry" => Some(Learned::NewEntry),
            "dismissed" => Some(Learned::Dismissed),
            _ => None,
        }
    }
}

/// One item of the review queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueItem {
    /// Its id.
    pub id: QueueItemId,
    /// Why it is in the queue.
    pub kind: QueueKind,
    /// The group's first phrasing, masked.
    pub question: String,
    /// For [`QueueKind::NotHelpful`]: the entry the bot answered with.
    pub entry_id: Option<String>,
    /// Questions in the group.
    pub count: u64,
    /// Its post in the moderators' channel (channel id, message id), once posted.
    pub post: Option<(u64, u64)>,
    /// A moderator's answer, captured from a reply, masked.
    pub answer: Option<String>,
    /// What the moderators did with it, once they did.
    pub learned: Option<Learned>,
    /// The entry it went to (a phrasing, a new entry).
    pub learned_entry: Option<String>,
}

/// What [`enqueue`] did with a question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Enqueued {
    /// The item is to be posted now (the day's post is claimed for it): a new group, or one
    /// not posted yet today.
    Post(QueueItem),
    /// Counted in a group already posted today, or dismissed: nothing to post.
    Grouped(QueueItem),
}

impl Enqueued {
    /// The item either way.
    #[must_use]
    pub fn item(&self) -> &QueueItem {
        match self {
            Enqueued::Post(item) | Enqueued::Grouped(item) => item,
        }
    }
}

/// Questions learned from the queue in a period, for the report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LearnedCounts {
    /// Questions (items) added as a phrasing of an entry.
    pub phrasings: u64,
    /// Items that became a new entry.
    pub new_entries: u64,
    /// Items dismissed.
    pub dismissed: u64,
}

impl LearnedCounts {
    /// All three together.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.phrasings + self.new_entries + self.dismissed
    }
}

const COLUMNS: &str = "id, kind, question, entry_id, count, channel_id, message_id, answer, \
                       learned, learned_entry";

fn item_from_row(r: &Row<'_>) -> rusqlite::Result<QueueItem> {
    let channel: Option<i64> = r.get(5)?;
    let message: Option<i64> = r.get(6)?;
    let learned: Option<String> = r.get(8)?;
    Ok(QueueItem {
        id: QueueItemId(r.get(0)?),
        kind: QueueKind::parse(&r.get::<_, String>(1)?),
        question: r.get(2)?,
        entry_id: r.get(3)?,
        count: u64::try_from(r.get::<_, i64>(4)?).unwrap_or(0),
        post: channel
            .zip(message)
            .and_then(|(c, m)| Some((u64::try_from(c).ok()?, u64::try_from(m).ok()?))),
        answer: r.get(7)?,
        learned: learned.as_deref().and_then(Learned::parse),
        learned_entry: r.get(9)?,
    })
}

/// The item `id`, if it is (still) in the queue.
pub(crate) fn item(conn: &Connection, id: QueueItemId) -> Result<Option<QueueItem>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM queue_items WHERE id = ?1"))?
        .query_row([id.0], item_from_row)
        .optional()?)
}

/// The open or dismissed item of `kind` whose question `text` (masked) is the same question,
/// newest first.
fn find_group(
    tx: &Connection,
    kind: QueueKind,
    text: &str,
) -> Result<Option<QueueItem>, StoreError> {
    let mut statement = tx.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM queue_items
         WHERE kind = ?1 AND (learned IS NULL OR learned = 'dismissed')
         ORDER BY last_unix DESC, id DESC LIMIT ?2"
    ))?;
    let mut rows = statement.query(params![kind.as_str(), MAX_COMPARED_ITEMS])?;
    while let Some(row) = rows.next()? {
        let item = item_from_row(row)?;
        if same_question(&item.question, text) {
            return Ok(Some(item));
        }
    }
    Ok(None)
}

/// The open (not learned, not dismissed) unanswered item whose question is the same question
/// as `text` (as the log keeps it), newest first: the digest's buttons act on it.
pub(crate) fn open_item(conn: &Connection, text: &str) -> Result<Option<QueueItem>, StoreError> {
    Ok(find_group(conn, QueueKind::Unanswered, text)?.filter(|item| item.learned.is_none()))
}

fn immediate(conn: &Connection) -> Result<Transaction<'_>, StoreError> {
    Ok(Transaction::new_unchecked(
        conn,
        TransactionBehavior::Immediate,
    )?)
}

/// Counts `question` (masked here) in its group of `kind`, or starts a group; claims today's
/// post for the group when it has none yet today (and is not dismissed). `entry` is the entry
/// the bot answered with (not-helpful items).
pub(crate) fn enqueue(
    conn: &Connection,
    kind: QueueKind,
    question: &str,
    entry: Option<&str>,
    now_unix: i64,
) -> Result<Enqueued, StoreError> {
    let text = redact(question);
    let day = now_unix.div_euclid(SECS_PER_DAY);
    let tx = immediate(conn)?;
    let id = if let Some(found) = find_group(&tx, kind, &text)? {
        tx.prepare_cached(
            "UPDATE queue_items SET count = count + 1, last_unix = ?2 WHERE id = ?1",
        )?
        .execute(params![found.id.0, now_unix])?;
        found.id
    } else {
        tx.prepare_cached(
            "INSERT INTO queue_items (kind, question, entry_id, first_unix, last_unix)
             VALUES (?1, ?2, ?3, ?4, ?4)",
        )?
        .execute(params![kind.as_str(), text, entry, now_unix])?;
        QueueItemId(tx.last_insert_rowid())
    };
    let claimed = tx
        .prepare_cached(
            "UPDATE queue_items SET posted_day = ?2
             WHERE id = ?1 AND learned IS NULL AND (posted_day IS NULL OR posted_day < ?2)",
        )?
        .execute(params![id.0, day])?
        > 0;
    let item = item(&tx, id)?.ok_or(StoreError::Sqlite(rusqlite::Error::QueryReturnedNoRows))?;
    tx.commit()?;
    Ok(if claimed {
        Enqueued::Post(item)
    } else {
        Enqueued::Grouped(item)
    })
}

/// The question of a logged answer (its text, kept because someone voted it not helpful) and
/// the entry answered, if the row and its text are there.
pub(crate) fn voted_question(
    conn: &Connection,
    answer_sql: i64,
) -> Result<Option<(String, Option<String>)>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT question, entry_id FROM questions
             WHERE answer_id = ?1 AND question IS NOT NULL",
        )?
        .query_row([answer_sql], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Records where an item was posted.
pub(crate) fn posted(
    conn: &Connection,
    id: QueueItemId,
    channel: u64,
    message: u64,
) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE queue_items SET channel_id = ?2, message_id = ?3 WHERE id = ?1")?
        .execute(params![id.0, discord_id(channel)?, discord_id(message)?])?;
    Ok(())
}

/// A Discord id as stored (snowflakes are below 2^63).
fn discord_id(id: u64) -> Result<i64, StoreError> {
    i64::try_from(id).map_err(|_| StoreError::UnknownValue {
        kind: "Discord id",
        value: id.to_string(),
    })
}

/// Gives back today's post claim of an item whose post failed, so the next question posts it.
pub(crate) fn unclaim(conn: &Connection, id: QueueItemId) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE queue_items SET posted_day = NULL WHERE id = ?1")?
        .execute([id.0])?;
    Ok(())
}

/// Keeps a moderator's answer (masked line by line, capped) with the item for `question`:
/// the item whose post was replied to (`item`), else the group of the question, else a new
/// item. Returns the item, and whether it was posted already (edit its post) or must be
/// posted now (then today's post is claimed for it).
pub(crate) fn capture_answer(
    conn: &Connection,
    item: Option<QueueItemId>,
    question: &str,
    answer: &str,
    now_unix: i64,
) -> Result<Enqueued, StoreError> {
    let masked = mask_answer(answer);
    let tx = immediate(conn)?;
    let id = if let Some(id) = item {
        id
    } else {
        let text = redact(question);
        // An answer to a question whose answer was voted not helpful belongs with that item.
        let unanswered = find_group(&tx, QueueKind::Unanswered, &text)?;
        let group = match unanswered {
            Some(found) => Some(found),
            None => find_group(&tx, QueueKind::NotHelpful, &text)?,
        };
        if let Some(found) = group {
            found.id
        } else {
            tx.prepare_cached(
                "INSERT INTO queue_items (kind, question, first_unix, last_unix)
                 VALUES ('unanswered', ?1, ?2, ?2)",
            )?
            .execute(params![text, now_unix])?;
            QueueItemId(tx.last_insert_rowid())
        }
    };
    tx.prepare_cached(
        "UPDATE queue_items SET answer = ?2, last_unix = max(last_unix, ?3) WHERE id = ?1",
    )?
    .execute(params![id.0, masked, now_unix])?;
    // Never posted: post it now (claiming the day); posted (any day): its post is edited.
    let claimed = tx
        .prepare_cached(
            "UPDATE queue_items SET posted_day = ?2
             WHERE id = ?1 AND message_id IS NULL AND posted_day IS NULL",
        )?
        .execute(params![id.0, now_unix.div_euclid(SECS_PER_DAY)])?
        > 0;
    let found = self::item(&tx, id)?.ok_or(StoreError::UnknownValue {
        kind: "queue item",
        value: id.to_string(),
    })?;
    tx.commit()?;
    Ok(if claimed {
        Enqueued::Post(found)
    } else {
        Enqueued::Grouped(found)
    })
}

/// The item posted as message `message`, if one was.
pub(crate) fn item_of_post(
    conn: &Connection,
    message: u64,
) -> Result<Option<QueueItem>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM queue_items WHERE message_id = ?1"
        ))?
        .query_row([discord_id(message)?], item_from_row)
        .optional()?)
}

/// Marks an item learned (or dismissed). Returns the item as it is now, or `None` if there is
/// no such item; an item already closed stays as it was (the first moderator's action counts).
pub(crate) fn close(
    conn: &Connection,
    id: QueueItemId,
    learned: Learned,
    entry: Option<&str>,
    now_unix: i64,
) -> Result<Option<(QueueItem, bool)>, StoreError> {
    let changed = conn
        .prepare_cached(
            "UPDATE queue_items SET learned = ?2, learned_entry = ?3, learned_unix = ?4
             WHERE id = ?1 AND (learned IS NULL OR (learned = 'dismissed' AND ?2 <> 'dismissed'))",
        )?
        .execute(params![id.0, learned.as_str(), entry, now_unix])?
        > 0;
    Ok(item(conn, id)?.map(|item| (item, changed)))
}

/// Items learned since `since_unix`, by kind of learning. Files from before the queue (read by
/// a report, which never migrates) count none.
pub(crate) fn learned_counts(
    conn: &Connection,
    since_unix: i64,
) -> Result<LearnedCounts, StoreError> {
    if !super::schema::has_table(conn, "queue_items")? {
        return Ok(LearnedCounts::default());
    }
    let mut counts = LearnedCounts::default();
    let mut statement = conn.prepare_cached(
        "SELECT learned, count(*) FROM queue_items
         WHERE learned IS NOT NULL AND learned_unix >= ?1 GROUP BY learned",
    )?;
    let mut rows = statement.query([since_unix])?;
    while let Some(row) = rows.next()? {
        let n = u64::try_from(row.get::<_, i64>(1)?).unwrap_or(0);
        match Learned::parse(&row.get::<_, String>(0)?) {
            Some(Learned::Phrasing) => counts.phrasings += n,
            Some(Learned::NewEntry) => counts.new_entries += n,
            Some(Learned::Dismissed) => counts.dismissed += n,
            None => {}
        }
    }
    Ok(counts)
}

/// Deletes items whose last question (or answer) is older than `cutoff`; returns how many.
pub(crate) fn prune(conn: &Connection, cutoff: i64) -> Result<u64, StoreError> {
    if !super::schema::has_table(conn, "queue_items")? {
        return Ok(0);
    }
    Ok(conn.execute("DELETE FROM queue_items WHERE last_unix < ?1", [cutoff])? as u64)
}

/// A moderator's answer as kept: each line masked like a question, the whole capped at
/// [`MAX_ANSWER_CHARS`].
fn mask_answer(answer: &str) -> String {
    let lines: Vec<String> = answer
        .trim()
        .lines()
        .map(|line| redact_to(line, MAX_ANSWER_CHARS))
        .collect();
    let joined = lines.join("\n");
    if joined.chars().count() <= MAX_ANSWER_CHARS {
        return joined;
    }
    let mut cut: String = joined.chars().take(MAX_ANSWER_CHARS - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::super::schema::migrate;
    use super::*;

    const DAY: i64 = SECS_PER_DAY;

    fn db() -> Connection {
        let mut conn = Connection::open_in_memory().expect("in-memory database");
        migrate(&mut conn).expect("migrate");
        conn
    }

    fn posts(e: &Enqueued) -> bool {
        matches!(e, Enqueued::Post(_))
    }

    #[test]
    fn the_open_item_of_a_question_is_its_groups_until_closed() {
        let conn = db();
        let first = enqueue(
            &conn,
            QueueKind::Unanswered,
            "how long is a session?",
            None,
            0,
        )
        .expect("enqueue");
        let id = match first {
            Enqueued::Post(item) | Enqueued::Grouped(item) => item.id,
        };
        let open = open_item(&conn, "How long is a session").expect("lookup");
        assert_eq!(open.map(|i| i.id), Some(id));
        assert!(open_item(&conn, "do you take insurance")
            .expect("lookup")
            .is_none());
        close(&conn, id, Learned::Dismissed, None, 1).expect("close");
        assert!(open_item(&conn, "how long is a session?")
            .expect("lookup")
            .is_none());
    }

    #[test]
    fn queue_groups_like_questions_and_posts_once_a_day() {
        let conn = db();
        let u = QueueKind::Unanswered;
        // (question, day, posts, group count after)
        let table = [
            ("how long is a session?", 0, true, 1),
            ("How long is a session", 0, false, 2),
            ("how long is a sesion?", 0, false, 3),
            ("do you take insurance", 0, true, 1),
            ("how long is a session?", 1, true, 4),
            ("how long is a session?", 1, false, 5),
        ];
        for (i, (question, day, want_post, want_count)) in table.into_iter().enumerate() {
            let got = enqueue(&conn, u, question, None, 100 + day * DAY).expect("enqueue");
            assert_eq!(posts(&got), want_post, "step {i}: {got:?}");
            assert_eq!(got.item().count, want_count, "step {i}");
        }
        let not_helpful = enqueue(
            &conn,
            QueueKind::NotHelpful,
            "how long is a session",
            Some("x"),
            100,
        )
        .expect("enqueue");
        assert!(posts(&not_helpful), "another kind is another group");
    }

    #[test]
    fn queue_text_is_masked() {
        let conn = db();
        let got = enqueue(
            &conn,
            QueueKind::Unanswered,
            "call me at 555-010-4477",
            None,
            0,
        )
        .expect("enqueue");
        assert_eq!(got.item().question, "call me at [phone]");
        let captured = capture_answer(&conn, Some(got.item().id), "", "Hi <@123>\nmail a@b.org", 0)
            .expect("capture");
        assert_eq!(
            captured.item().answer.as_deref(),
            Some("Hi @someone\nmail [email]")
        );
    }

    #[test]
    fn queue_failed_post_is_claimed_again() {
        let conn = db();
        let first =
            enqueue(&conn, QueueKind::Unanswered, "what about swimming", None, 0).expect("enqueue");
        assert!(posts(&first));
        unclaim(&conn, first.item().id).expect("unclaim");
        let again =
            enqueue(&conn, QueueKind::Unanswered, "what about swimming", None, 1).expect("enqueue");
        assert!(posts(&again), "{again:?}");
    }

    #[test]
    fn queue_closed_items_stop_grouping_dismissed_ones_stop_posting() {
        let conn = db();
        let u = QueueKind::Unanswered;
        let a = enqueue(&conn, u, "what about swimming", None, 0).expect("a");
        let (closed, changed) = close(&conn, a.item().id, Learned::Phrasing, Some("x"), 5)
            .expect("close")
            .expect("item");
        assert!(changed);
        assert_eq!(closed.learned, Some(Learned::Phrasing));
        let again = close(&conn, a.item().id, Learned::Dismissed, None, 6)
            .expect("close")
            .expect("item");
        assert!(!again.1, "the first action counts");
        let b = enqueue(&conn, u, "what about swimming", None, 2 * DAY).expect("b");
        assert_ne!(
            b.item().id,
            a.item().id,
            "a learned item takes no new questions"
        );
        close(&conn, b.item().id, Learned::Dismissed, None, 2 * DAY).expect("dismiss");
        let c = enqueue(&conn, u, "what about swimming?", None, 3 * DAY).expect("c");
        assert_eq!(c.item().id, b.item().id);
        assert!(!posts(&c), "a dismissed group is not posted again");
        let counts = learned_counts(&conn, 0).expect("counts");
        assert_eq!(
            (counts.phrasings, counts.new_entries, counts.dismissed),
            (1, 0, 1)
        );
        assert_eq!(learned_counts(&conn, 10 * DAY).expect("counts").total(), 0);
    }

    #[test]
    fn queue_capture_posts_a_new_item_or_edits_a_posted_one() {
        let conn = db();
        let captured = capture_answer(&conn, None, "is swimming ok", "Yes, from 6 months.", 0)
            .expect("capture");
        assert!(posts(&captured), "never posted: post it");
        posted(&conn, captured.item().id, 1, 2).expect("posted");
        let again = capture_answer(&conn, None, "is swimming ok?", "Yes.", 1).expect("capture");
        assert_eq!(again.item().id, captured.item().id);
        assert!(!posts(&again), "posted: edit it");
        assert_eq!(again.item().post, Some((1, 2)));
        assert_eq!(again.item().answer.as_deref(), Some("Yes."));
        assert_eq!(
            item_of_post(&conn, 2).expect("lookup").map(|i| i.id),
            Some(captured.item().id)
        );
    }

    #[test]
    fn queue_capture_joins_a_not_helpful_item_of_the_same_question() {
        let conn = db();
        let voted =
            enqueue(&conn, QueueKind::NotHelpful, "is swimming ok", Some("x"), 0).expect("enqueue");
        let captured = capture_answer(&conn, None, "is swimming ok?", "Yes.", 1).expect("capture");
        assert_eq!(captured.item().id, voted.item().id);
    }

    #[test]
    fn queue_prune_goes_by_the_last_question() {
        let conn = db();
        enqueue(&conn, QueueKind::Unanswered, "old one", None, 0).expect("old");
        enqueue(&conn, QueueKind::Unanswered, "new one here", None, 10 * DAY).expect("new");
        assert_eq!(prune(&conn, 5 * DAY).expect("prune"), 1);
    }

    #[test]
    fn queue_item_id_parse_table() {
        for (text, ok) in [
            ("1", true),
            ("123", true),
            ("0", false),
            ("-1", false),
            ("", false),
            ("1a", false),
        ] {
            assert_eq!(text.parse::<QueueItemId>().is_ok(), ok, "{text:?}");
        }
    }
}
