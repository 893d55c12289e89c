//! The moderators' report: what was asked, what went unanswered (grouped by similarity), and
//! which answers parents found unhelpful. Built from one read transaction, so its numbers agree
//! with each other; shown as short plain-text lines (also posted to Discord), as JSON through
//! serde, or as eval cases for the matcher's test set.

use std::fmt::{self, Write as _};

use rusqlite::{params, Connection};
use serde::Serialize;

use super::cluster::{group_questions, QuestionGroup};
use super::queue::{learned_counts, LearnedCounts};
use super::record::{Origin, Outcome, SECS_PER_DAY};
use super::schema::has_table;
use super::StoreError;

/// How many entries the "most asked" and "most not helpful" lists keep: a week's worth of
/// attention for the moderators.
pub const TOP_ENTRIES: usize = 10;

/// The most recent questions of each list that are grouped: bounds the report's time (grouping
/// compares each question with every group) while far above a week of a parents' server.
pub const MAX_GROUPED_QUESTIONS: usize = 2000;

/// Groups shown per list in the text report; the JSON has them all. Keeps the Discord message
/// within reach of its length limit.
const DISPLAY_GROUPS: usize = 10;

/// Characters of a question shown in the text report before it is cut with "…".
const DISPLAY_QUESTION_CHARS: usize = 80;

/// The most days [`Report::by_day`] lists (the most recent ones): a year of bars is already
/// more than a chart can show, and a report `--since` ten years stays small.
pub const MAX_DAYS: usize = 366;

/// The text report lists the days one per line up to this many (a week or two); a longer
/// period's days are in the JSON and the chart only, so `/faq stats` stays one message.
const DISPLAY_DAYS: usize = 14;

/// Questions with one outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutcomeCount {
    /// The outcome.
    pub outcome: Outcome,
    /// How many questions had it.
    pub count: u64,
}

/// Questions from one origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OriginCount {
    /// The origin.
    pub origin: Origin,
    /// How many questions came from it.
    pub count: u64,
}

/// How often one FAQ entry was given as the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryCount {
    /// The FAQ entry id.
    pub entry_id: String,
    /// Questions answered with it.
    pub count: u64,
}

/// The votes on answers from one FAQ entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryVotes {
    /// The FAQ entry id.
    pub entry_id: String,
    /// "Not helpful" votes.
    pub not_helpful: u64,
    /// "Helpful" votes.
    pub helpful: u64,
}

/// Questions of one UTC day, per outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayCount {
    /// The day, `YYYY-MM-DD` (UTC).
    pub date: String,
    /// Its start, unix seconds (midnight UTC).
    pub start_unix: i64,
    /// Questions answered from one entry.
    pub answer: u64,
    /// Questions answered with "did you mean".
    pub ambiguous: u64,
    /// Questions nothing in the FAQ fitted.
    pub no_match: u64,
}

impl DayCount {
    /// An empty day starting at `start_unix`.
    fn empty(start_unix: i64) -> Self {
        DayCount {
            date: utc_date(start_unix),
            start_unix,
            answer: 0,
            ambiguous: 0,
            no_match: 0,
        }
    }

    /// The day's questions with `outcome`.
    #[must_use]
    pub fn count(&self, outcome: Outcome) -> u64 {
        match outcome {
            Outcome::Answer => self.answer,
            Outcome::Ambiguous => self.ambiguous,
            Outcome::NoMatch => self.no_match,
        }
    }

    /// All the day's questions.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.answer + self.ambiguous + self.no_match
    }

    /// A short label for charts and lists, e.g. `Tue 24 Nov`.
    #[must_use]
    pub fn label(&self) -> String {
        short_date(self.start_unix)
    }

    fn add(&mut self, outcome: Outcome, n: u64) {
        match outcome {
            Outcome::Answer => self.answer += n,
            Outcome::Ambiguous => self.ambiguous += n,
            Outcome::NoMatch => self.no_match += n,
        }
    }
}

/// The moderators' report on the questions handled since a given time. The default is the
/// report of a period with no questions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Start of the period, unix seconds.
    pub since_unix: i64,
    /// When the report was made, unix seconds.
    pub generated_unix: i64,
    /// Whether question text logging is on; when off, the question lists stay empty.
    pub question_text_logged: bool,
    /// All questions in the period.
    pub total_questions: u64,
    /// Questions per outcome, every outcome listed.
    pub by_outcome: Vec<OutcomeCount>,
    /// Questions per origin, every origin listed.
    pub by_origin: Vec<OriginCount>,
    /// Questions per UTC day by outcome, oldest first: every day from the one of `since_unix`
    /// to the one of `generated_unix`, days without questions as zero (at most the last
    /// [`MAX_DAYS`]).
    pub by_day: Vec<DayCount>,
    /// The entries most often given as answers (outcome "answer"), most first, at most
    /// [`TOP_ENTRIES`].
    pub top_entries: Vec<EntryCount>,
    /// Unanswered questions addressed to the bot (outcome "no match", not from a help channel)
    /// grouped by similarity, most frequent first.
    pub unanswered: Vec<QuestionGroup>,
    /// Unanswered questions addressed to the bot not in `unanswered`: stored without text, or
    /// beyond the most recent [`MAX_GROUPED_QUESTIONS`].
    pub unanswered_not_listed: u64,
    /// Help-channel messages the FAQ did not cover, on which the bot stayed silent: counted
    /// only, their text is never kept (most are parents talking to each other).
    pub help_channel_silent: u64,
    /// Questions whose answer got at least one "not helpful" vote, grouped by similarity.
    pub not_helpful_answers: Vec<QuestionGroup>,
    /// Entries with "not helpful" votes on their answers, most such votes first, at most
    /// [`TOP_ENTRIES`].
    pub most_not_helpful: Vec<EntryVotes>,
    /// Votes in the period on answers that have no log row (dropped, or past retention).
    pub votes_without_question: u64,
    /// Records the log dropped in the period (queue full, or held beyond the bound while the
    /// database was unavailable): questions the counts above miss.
    pub dropped_records: u64,
    /// Records whose write failed in the period.
    pub failed_writes: u64,
    /// Review queue items the moderators handled in the period (learned or dismissed).
    pub learned: LearnedCounts,
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Builds the report from `conn` (read-only is enough) inside one read transaction.
pub(crate) fn build(
    conn: &mut Connection,
    since_unix: i64,
    generated_unix: i64,
    question_text_logged: bool,
) -> Result<Report, StoreError> {
    let tx = conn.transaction()?;

    let by_outcome_text = count_by(&tx, "outcome", since_unix)?;
    let total_questions = by_outcome_text.iter().map(|(_, n)| n).sum();
    let by_outcome: Vec<OutcomeCount> = Outcome::ALL
        .into_iter()
        .map(|outcome| OutcomeCount {
            outcome,
            count: lookup(&by_outcome_text, outcome.as_str()),
        })
        .collect();
    let by_origin_text = count_by(&tx, "origin", since_unix)?;
    let by_origin: Vec<OriginCount> = Origin::ALL
        .into_iter()
        .map(|origin| OriginCount {
            origin,
            count: lookup(&by_origin_text, origin.as_str()),
        })
        .collect();

    let by_day = per_day(&tx, since_unix, generated_unix)?;

    let top_entries = tx
        .prepare(
            "SELECT entry_id, count(*) AS n FROM questions
             WHERE at_unix >= ?1 AND outcome = 'answer' AND entry_id IS NOT NULL
             GROUP BY entry_id ORDER BY n DESC, entry_id LIMIT ?2",
        )?
        .query_map(params![since_unix, limit(TOP_ENTRIES)], |r| {
            Ok(EntryCount {
                entry_id: r.get(0)?,
                count: count(r.get(1)?),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;

    let (unanswered, not_helpful_answers) =
        listed_questions(&tx, since_unix, question_text_logged)?;
    let no_match = by_outcome
        .iter()
        .find(|c| c.outcome == Outcome::NoMatch)
        .map_or(0, |c| c.count);
    let help_channel_silent = count(tx.query_row(
        "SELECT count(*) FROM questions
         WHERE at_unix >= ?1 AND outcome = 'no_match' AND origin = 'help_channel'",
        [since_unix],
        |r| r.get(0),
    )?);
    let listed: u64 = unanswered.iter().map(|g| g.count).sum();

    let most_not_helpful = tx
        .prepare(
            "SELECT q.entry_id, sum(v.helpful = 0) AS bad, sum(v.helpful = 1) AS good
             FROM votes v JOIN questions q ON q.answer_id = v.answer_id
             WHERE q.at_unix >= ?1 AND q.entry_id IS NOT NULL
             GROUP BY q.entry_id HAVING bad > 0
             ORDER BY bad DESC, good, q.entry_id LIMIT ?2",
        )?
        .query_map(params![since_unix, limit(TOP_ENTRIES)], |r| {
            Ok(EntryVotes {
                entry_id: r.get(0)?,
                not_helpful: count(r.get(1)?),
                helpful: count(r.get(2)?),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;

    let votes_without_question = count(tx.query_row(
        "SELECT count(*) FROM votes v WHERE v.at_unix >= ?1
         AND NOT EXISTS (SELECT 1 FROM questions q WHERE q.answer_id = v.answer_id)",
        [since_unix],
        |r| r.get(0),
    )?);

    let (dropped_records, failed_writes) = lost_records(&tx, since_unix)?;
    let learned = learned_counts(&tx, since_unix)?;

    tx.commit()?;
    Ok(Report {
        since_unix,
        generated_unix,
        question_text_logged,
        total_questions,
        by_outcome,
        by_origin,
        by_day,
        top_entries,
        unanswered,
        unanswered_not_listed: no_match
            .saturating_sub(help_channel_silent)
            .saturating_sub(listed),
        help_channel_silent,
        not_helpful_answers,
        most_not_helpful,
        votes_without_question,
        dropped_records,
        failed_writes,
        learned,
    })
}

/// The unanswered questions addressed to the bot and the questions voted not helpful, grouped.
/// With text logging off the stored texts (from before) are not shown either.
fn listed_questions(
    conn: &Connection,
    since_unix: i64,
    question_text_logged: bool,
) -> Result<(Vec<QuestionGroup>, Vec<QuestionGroup>), StoreError> {
    if !question_text_logged {
        return Ok((Vec::new(), Vec::new()));
    }
    let unanswered = questions(
        conn,
        "SELECT question, entry_id FROM questions
         WHERE at_unix >= ?1 AND outcome = 'no_match' AND origin <> 'help_channel'
           AND question IS NOT NULL
         ORDER BY at_unix DESC, seq DESC LIMIT ?2",
        since_unix,
    )?;
    let not_helpful = questions(
        conn,
        "SELECT question, entry_id FROM questions q
         WHERE at_unix >= ?1 AND question IS NOT NULL
           AND EXISTS (SELECT 1 FROM votes v WHERE v.answer_id = q.answer_id AND v.helpful = 0)
         ORDER BY at_unix DESC, seq DESC LIMIT ?2",
        since_unix,
    )?;
    Ok((unanswered, not_helpful))
}

/// Records dropped and failed writes saved since `since_unix`'s day.
fn lost_records(conn: &Connection, since_unix: i64) -> Result<(u64, u64), StoreError> {
    // Files from before schema 2 (read by a report, which never migrates) have no such table.
    if !has_table(conn, "lost_records")? {
        return Ok((0, 0));
    }
    Ok(conn.query_row(
        "SELECT coalesce(sum(dropped), 0), coalesce(sum(failed), 0) FROM lost_records
         WHERE day >= ?1",
        [since_unix.div_euclid(SECS_PER_DAY)],
        |r| Ok((count(r.get(0)?), count(r.get(1)?))),
    )?)
}

/// The days of the period (see [`Report::by_day`]) with their questions per outcome. Questions
/// stamped after `generated_unix` (a clock set back) are in the totals but on no day.
fn per_day(
    conn: &Connection,
    since_unix: i64,
    generated_unix: i64,
) -> Result<Vec<DayCount>, StoreError> {
    let first_day = since_unix.div_euclid(SECS_PER_DAY);
    let last_day = generated_unix.div_euclid(SECS_PER_DAY).max(first_day);
    let first_day = first_day.max(last_day - limit(MAX_DAYS) + 1);
    let mut days: Vec<DayCount> = (first_day..=last_day)
        .map(|day| DayCount::empty(day * SECS_PER_DAY))
        .collect();
    // Floor division in SQL (`/` truncates toward zero, which is wrong before 1970).
    let mut stmt = conn.prepare(
        "SELECT (at_unix - ((at_unix % 86400) + 86400) % 86400) / 86400 AS day, outcome, count(*)
         FROM questions WHERE at_unix >= ?1 AND at_unix >= ?2
         GROUP BY day, outcome",
    )?;
    let rows = stmt.query_map([since_unix, first_day * SECS_PER_DAY], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            count(r.get(2)?),
        ))
    })?;
    for row in rows {
        let (day, outcome, n) = row?;
        let Ok(outcome) = outcome.parse::<Outcome>() else {
            continue;
        };
        if let Some(slot) = usize::try_from(day - first_day)
            .ok()
            .and_then(|i| days.get_mut(i))
        {
            slot.add(outcome, n);
        }
    }
    Ok(days)
}

/// Questions since `since_unix` counted per value of `column` (a fixed column name).
fn count_by(
    conn: &Connection,
    column: &str,
    since_unix: i64,
) -> Result<Vec<(String, u64)>, StoreError> {
    let sql =
        format!("SELECT {column}, count(*) FROM questions WHERE at_unix >= ?1 GROUP BY {column}");
    let rows = conn
        .prepare(&sql)?
        .query_map([since_unix], |r| Ok((r.get(0)?, count(r.get(1)?))))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

fn lookup(counts: &[(String, u64)], key: &str) -> u64 {
    counts.iter().find(|(k, _)| k == key).map_or(0, |(_, n)| *n)
}

/// Runs a `(question, entry_id)` query (newest first, ties newest-written first; `?1` since,
/// `?2` limit) and groups the result oldest first, so groups keep the earliest phrasing on ties.
fn questions(
    conn: &Connection,
    sql: &str,
    since_unix: i64,
) -> Result<Vec<QuestionGroup>, StoreError> {
    let mut rows = conn
        .prepare(sql)?
        .query_map(params![since_unix, limit(MAX_GROUPED_QUESTIONS)], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    rows.reverse();
    Ok(group_questions(rows))
}

/// `YYYY-MM-DD` (UTC) for unix seconds, by the days-to-civil algorithm of Howard Hinnant's
/// "chrono-Compatible Low-Level Date Algorithms".
fn utc_date(unix: i64) -> String {
    let z = unix.div_euclid(SECS_PER_DAY) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// `Tue 24 Nov` (UTC) for unix seconds.
fn short_date(unix: i64) -> String {
    const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = unix.div_euclid(SECS_PER_DAY);
    // 1970-01-01 was a Thursday (index 3 from Monday).
    let weekday = WEEKDAYS[(days + 3).rem_euclid(7) as usize];
    let date = utc_date(unix);
    let month = date
        .get(5..7)
        .and_then(|m| m.parse::<usize>().ok())
        .and_then(|m| MONTHS.get(m.wrapping_sub(1)))
        .copied()
        .unwrap_or("?");
    let day = date.get(8..10).unwrap_or("?").trim_start_matches('0');
    format!("{weekday} {day} {month}")
}

/// `text` cut to `max` characters, with "…" when cut; line breaks become spaces.
fn shorten(text: &str, max: usize) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if flat.chars().count() <= max {
        return flat;
    }
    let mut cut: String = flat.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Writes a list of groups, at most [`DISPLAY_GROUPS`].
fn write_groups(f: &mut fmt::Formatter<'_>, groups: &[QuestionGroup]) -> fmt::Result {
    for group in groups.iter().take(DISPLAY_GROUPS) {
        write!(
            f,
            "  {}× {}",
            group.count,
            shorten(&group.representative, DISPLAY_QUESTION_CHARS)
        )?;
        if !group.entry_ids.is_empty() {
            write!(f, " → {}", group.entry_ids.join(", "))?;
        }
        writeln!(f)?;
        for example in &group.examples {
            writeln!(f, "     ~ {}", shorten(example, DISPLAY_QUESTION_CHARS))?;
        }
    }
    if groups.len() > DISPLAY_GROUPS {
        writeln!(
            f,
            "  … and {} more (see the JSON report)",
            plural((groups.len() - DISPLAY_GROUPS) as u64, "group", "groups")
        )?;
    }
    Ok(())
}

/// The per-day lines (answered / ambiguous / no match), when there are few enough days.
fn write_days(f: &mut fmt::Formatter<'_>, days: &[DayCount]) -> fmt::Result {
    if days.is_empty() {
        return Ok(());
    }
    if days.len() > DISPLAY_DAYS {
        return writeln!(
            f,
            "Per day: {} days (in the JSON report and the chart, `faqbot report --png`)",
            days.len()
        );
    }
    writeln!(f, "Per day (UTC): answered / ambiguous / no match")?;
    for day in days {
        writeln!(
            f,
            "  {}: {} / {} / {}",
            day.label(),
            day.answer,
            day.ambiguous,
            day.no_match
        )?;
    }
    Ok(())
}

impl fmt::Display for Report {
    /// Short plain-text lines for moderators. The question texts are parents' words: when posting
    /// this to Discord, send it with mentions disabled.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Question report, {} to {} (UTC)",
            utc_date(self.since_unix),
            utc_date(self.generated_unix)
        )?;
        writeln!(f, "Questions: {}", self.total_questions)?;
        let outcomes: Vec<String> = self
            .by_outcome
            .iter()
            .map(|c| format!("{} {}", c.outcome.label(), c.count))
            .collect();
        writeln!(f, "  {}", outcomes.join(", "))?;
        if self.dropped_records > 0 || self.failed_writes > 0 {
            writeln!(
                f,
                "  Not in these counts: {} dropped (queue full or log unavailable), {} failed",
                plural(self.dropped_records, "record", "records"),
                plural(self.failed_writes, "write", "writes")
            )?;
        }
        let origins: Vec<&OriginCount> = self.by_origin.iter().filter(|c| c.count > 0).collect();
        if !origins.is_empty() {
            writeln!(f, "From:")?;
            for c in origins {
                writeln!(f, "  {}: {}", c.origin.label(), c.count)?;
            }
        }

        write_days(f, &self.by_day)?;

        writeln!(f)?;
        writeln!(f, "Most asked entries:")?;
        if self.top_entries.is_empty() {
            writeln!(f, "  none")?;
        }
        for (rank, e) in self.top_entries.iter().enumerate() {
            writeln!(f, "  {}. {} ({})", rank + 1, e.entry_id, e.count)?;
        }

        writeln!(f)?;
        writeln!(
            f,
            "Unanswered (no match), asked of the bot, most asked first:"
        )?;
        if !self.question_text_logged {
            writeln!(f, "  Question text logging is off, so")?;
            writeln!(f, "  unanswered questions cannot be listed.")?;
        } else if self.unanswered.is_empty() && self.unanswered_not_listed == 0 {
            writeln!(f, "  none")?;
        }
        write_groups(f, &self.unanswered)?;
        if self.question_text_logged && self.unanswered_not_listed > 0 {
            writeln!(
                f,
                "  ({} without stored text, not listed)",
                plural(self.unanswered_not_listed, "question", "questions")
            )?;
        }
        if self.help_channel_silent > 0 {
            writeln!(
                f,
                "  (and {} the bot stayed silent on; their text is not kept)",
                plural(
                    self.help_channel_silent,
                    "help-channel message",
                    "help-channel messages"
                )
            )?;
        }

        writeln!(f)?;
        writeln!(f, "Answers voted not helpful:")?;
        if !self.question_text_logged {
            writeln!(f, "  (not listed: question text logging is off)")?;
        } else if self.not_helpful_answers.is_empty() {
            writeln!(f, "  none")?;
        }
        write_groups(f, &self.not_helpful_answers)?;

        writeln!(f)?;
        writeln!(f, "Entries with most \"not helpful\" votes:")?;
        if self.most_not_helpful.is_empty() {
            writeln!(f, "  none")?;
        }
        for e in &self.most_not_helpful {
            writeln!(
                f,
                "  {}: {} not helpful, {} helpful",
                e.entry_id, e.not_helpful, e.helpful
            )?;
        }
        if self.votes_without_question > 0 {
            writeln!(
                f,
                "  ({} on answers no longer in the log)",
                plural(self.votes_without_question, "vote", "votes")
            )?;
        }

        writeln!(f)?;
        write_learned(f, &self.learned)
    }
}

/// The review queue's line of the report.
fn write_learned(f: &mut fmt::Formatter<'_>, l: &LearnedCounts) -> fmt::Result {
    writeln!(
        f,
        "Learned from the review queue: {} added, {} created, {} dismissed",
        plural(l.phrasings, "phrasing", "phrasings"),
        plural(l.new_entries, "entry", "entries"),
        l.dismissed
    )
}

impl Report {
    /// The unanswered question groups as an eval cases file in the format of
    /// `eval/parent-questions-dev.toml`: one `[[case]]` per group, its representative as the
    /// question and `expect = []`, each under a comment saying how often it was asked.
    #[must_use]
    pub fn unanswered_as_cases(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail; the results are ignored on purpose.
        let _ = writeln!(
            out,
            "# Unanswered questions from the faqbot question log, {} to {} (UTC),",
            utc_date(self.since_unix),
            utc_date(self.generated_unix)
        );
        out.push_str(
            "# most asked first, one case per group of near-identical phrasings.\n\
             # expect: the FAQ ids any of which is a right answer; [] means the bot must not\n\
             # answer from the FAQ.\n",
        );
        if !self.question_text_logged {
            out.push_str("# Question text logging is off, so there are no questions to list.\n");
        }
        for group in &self.unanswered {
            let _ = write!(
                out,
                "\n# asked {}; fill in the right FAQ id(s) in expect, or leave [] if the bot must not answer\n\
                 [[case]]\n\
                 question = {}\n\
                 expect = []\n",
                plural(group.count, "time", "times"),
                toml::Value::String(group.representative.clone())
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_date_table() {
        let table = [
            (0, "1970-01-01"),
            (86_399, "1970-01-01"),
            (86_400, "1970-01-02"),
            (951_782_400, "2000-02-29"),
            (1_709_251_199, "2024-02-29"),
            (1_735_689_600, "2025-01-01"),
            (-1, "1969-12-31"),
        ];
        for (unix, want) in table {
            assert_eq!(utc_date(unix), want, "{unix}");
        }
    }

    #[test]
    fn short_date_table() {
        let table = [
            (0, "Thu 1 Jan"),
            (951_782_400, "Tue 29 Feb"),
            (1_764_547_200, "Mon 1 Dec"),
            (1_764_547_199, "Sun 30 Nov"),
            (-1, "Wed 31 Dec"),
        ];
        for (unix, want) in table {
            assert_eq!(short_date(unix), want, "{unix}");
        }
    }

    /// A fresh in-memory question log holding `rows` of (`at_unix`, outcome).
    fn log_with(rows: &[(i64, &str)]) -> Connection {
        let mut conn = Connection::open_in_memory().expect("in-memory database");
        super::super::schema::migrate(&mut conn).expect("migrate");
        for (i, (at, outcome)) in rows.iter().enumerate() {
            conn.execute(
                "INSERT INTO questions (answer_id, at_unix, origin, outcome) VALUES (?1, ?2, 'mention', ?3)",
                params![i64::try_from(i).expect("small"), at, outcome],
            )
            .expect("insert");
        }
        conn
    }

    const DAY: i64 = SECS_PER_DAY;
    /// Monday 2026-11-23 00:00 UTC.
    const MONDAY: i64 = 1_795_392_000;

    #[test]
    fn per_day_counts_each_utc_day_by_outcome_with_empty_days_as_zero() {
        let rows = [
            (MONDAY - 1, "answer"), // Sunday 23:59:59: before the period
            (MONDAY, "answer"),
            (MONDAY + 3600, "no_match"),
            (MONDAY + DAY - 1, "ambiguous"),
            (MONDAY + DAY, "answer"), // Tuesday 00:00
            (MONDAY + 3 * DAY + 5, "no_match"),
            (MONDAY + 3 * DAY + 6, "no_match"),
        ];
        let mut conn = log_with(&rows);
        let report = build(&mut conn, MONDAY, MONDAY + 4 * DAY + 60, true).expect("report");
        let got: Vec<(&str, u64, u64, u64)> = report
            .by_day
            .iter()
            .map(|d| (d.date.as_str(), d.answer, d.ambiguous, d.no_match))
            .collect();
        assert_eq!(
            got,
            [
                ("2026-11-23", 1, 1, 1),
                ("2026-11-24", 1, 0, 0),
                ("2026-11-25", 0, 0, 0),
                ("2026-11-26", 0, 0, 2),
                ("2026-11-27", 0, 0, 0),
            ]
        );
        let per_day: u64 = report.by_day.iter().map(DayCount::total).sum();
        assert_eq!(per_day, report.total_questions);
        assert_eq!(report.by_day[0].start_unix, MONDAY);
        assert_eq!(report.by_day[3].count(Outcome::NoMatch), 2);
    }

    #[test]
    fn per_day_starts_on_the_day_of_since_and_lists_an_empty_period() {
        let mut conn = log_with(&[]);
        // From Monday noon to the next Monday noon: eight days, the first and last in part.
        let report = build(
            &mut conn,
            MONDAY + DAY / 2,
            MONDAY + 7 * DAY + DAY / 2,
            true,
        )
        .expect("report");
        assert_eq!(report.by_day.len(), 8);
        assert!(report.by_day.iter().all(|d| d.total() == 0));
        assert_eq!(report.by_day[0].label(), "Mon 23 Nov");
        assert_eq!(report.by_day[7].label(), "Mon 30 Nov");
    }

    #[test]
    fn per_day_keeps_the_most_recent_max_days() {
        let mut conn = log_with(&[(0, "answer"), (MONDAY, "answer")]);
        let report = build(&mut conn, 0, MONDAY, true).expect("report");
        assert_eq!(report.by_day.len(), MAX_DAYS);
        assert_eq!(report.by_day.last().map(|d| d.start_unix), Some(MONDAY));
        assert_eq!(report.by_day.iter().map(DayCount::total).sum::<u64>(), 1);
        assert_eq!(report.total_questions, 2);
    }

    #[test]
    fn display_lists_a_week_per_day_and_a_long_period_in_one_line() {
        let mut conn = log_with(&[(MONDAY + 10, "answer"), (MONDAY + 20, "no_match")]);
        let text = build(&mut conn, MONDAY, MONDAY + 6 * DAY, true)
            .expect("report")
            .to_string();
        assert!(
            text.contains("Per day (UTC): answered / ambiguous / no match"),
            "{text}"
        );
        assert!(text.contains("  Mon 23 Nov: 1 / 0 / 1\n"), "{text}");
        assert!(text.contains("  Sun 29 Nov: 0 / 0 / 0\n"), "{text}");
        let text = build(&mut conn, MONDAY - 30 * DAY, MONDAY, true)
            .expect("report")
            .to_string();
        assert!(
            text.contains("Per day: 31 days (in the JSON report"),
            "{text}"
        );
    }

    #[test]
    fn shorten_table() {
        let table = [
            ("short", 10, "short"),
            ("exactly10!", 10, "exactly10!"),
            ("this is too long", 10, "this is t…"),
            ("line\nbreak", 20, "line break"),
            ("ééééé", 3, "éé…"),
        ];
        for (text, max, want) in table {
            assert_eq!(shorten(text, max), want, "{text:?}");
        }
    }

    fn empty_report(question_text_logged: bool) -> Report {
        Report {
            since_unix: 0,
            generated_unix: 7 * SECS_PER_DAY,
            question_text_logged,
            ..Report::default()
        }
    }

    #[test]
    fn display_counts_what_the_queue_learned() {
        let mut report = empty_report(true);
        report.learned = LearnedCounts {
            phrasings: 2,
            new_entries: 1,
            dismissed: 3,
        };
        let text = report.to_string();
        assert!(
            text.contains(
                "Learned from the review queue: 2 phrasings added, 1 entry created, 3 dismissed"
            ),
            "{text}"
        );
    }

    #[test]
    fn display_says_when_text_logging_is_off() {
        let text = empty_report(false).to_string();
        assert!(text.contains("Question text logging is off"), "{text}");
        let text = empty_report(true).to_string();
        assert!(!text.contains("logging is off"), "{text}");
    }

    #[test]
    fn display_shows_lost_records_and_silent_messages_only_when_there_are_some() {
        let text = empty_report(true).to_string();
        assert!(!text.contains("Not in these counts"), "{text}");
        assert!(!text.contains("stayed silent"), "{text}");
        let mut report = empty_report(true);
        report.dropped_records = 3;
        report.failed_writes = 1;
        report.help_channel_silent = 2;
        let text = report.to_string();
        assert!(
            text.contains("Not in these counts: 3 records dropped (queue full or log unavailable), 1 write failed"),
            "{text}"
        );
        assert!(
            text.contains("2 help-channel messages the bot stayed silent on"),
            "{text}"
        );
    }

    #[test]
    fn cases_escape_awkward_questions() {
        let mut report = empty_report(true);
        let awkward = [
            "she said \"no\" \\ then left",
            "two\nlines",
            "tab\there # not a comment",
            "'''triple''' \"\"\"quotes\"\"\"",
            "emoji 🙂 and \u{7f} delete",
        ];
        report.unanswered = awkward
            .iter()
            .map(|q| QuestionGroup {
                representative: (*q).to_owned(),
                count: 2,
                examples: Vec::new(),
                entry_ids: Vec::new(),
            })
            .collect();
        let cases = report.unanswered_as_cases();
        let parsed: toml::Table = toml::from_str(&cases).expect("cases parse as TOML");
        let list = parsed["case"].as_array().expect("case array");
        assert_eq!(list.len(), awkward.len());
        for (case, want) in list.iter().zip(awkward) {
            assert_eq!(case["question"].as_str(), Some(want));
            assert_eq!(case["expect"].as_array().map(Vec::len), Some(0));
        }
        assert!(cases.contains("# asked 2 times; fill in"));
    }
}
