//! The weekly digest: once a week, at `DIGEST_DAY` `DIGEST_HOUR` (UTC), the week's report goes
//! to the moderators' channel: a short summary, the chart of questions per day
//! ([`crate::chart`]) as a PNG attachment, and the most asked unanswered question groups.
//!
//! - **When** is pure: [`Schedule::latest_slot`] and [`Schedule::next_slot`] compute the
//!   scheduled times around a given `now`, and [`Schedule::is_due`] decides from `now` and the
//!   time of the last digest. A digest is due when none was posted since the latest scheduled
//!   time, so a bot that was down then posts when it is back (within the week), and a new
//!   question log gets its first digest at once.
//! - **Once a week across restarts**: the time of the last digest is kept in the question
//!   log's `meta` table ([`QuestionLog::last_digest`]). It is saved after the post; if saving
//!   fails, this process remembers it and does not post again.
//! - **What** is pure too: [`summary`] and [`group_line`] write the text, [`message`] builds the
//!   message. [`group_components`] gives each top group the review queue's buttons of its open
//!   item (Add as a phrasing, New entry, Dismiss), looked up when the digest is posted.
//! - The task ([`spawn`]) posts through [`Rest`] (429s waited out) with mentions that ping no
//!   one, and only in the process that runs shard 0, so a bot split over processes posts once.

use std::fmt::Write as _;
use std::str::FromStr;
use std::time::Duration;

use poise::serenity_prelude::{ChannelId, CreateActionRow, CreateAttachment, CreateMessage};
use tokio::task::JoinHandle;
use tracing::{info, warn};

use super::config::{BotConfig, ShardSpec};
use super::render::{self, limits, no_pings, truncate};
use super::rest::Rest;
use crate::chart;
use crate::store::{Outcome, QuestionGroup, QuestionLog, QueueItemId, Report};

/// Seconds in a day and in a week.
const DAY: i64 = 86_400;
const WEEK: i64 = 7 * DAY;

/// The period a digest reports on: the week before it.
pub const PERIOD: Duration = Duration::from_secs(7 * 86_400);

/// Unanswered groups listed in the digest: one per action row of a message (Discord allows
/// five), so each can carry its own buttons.
pub const TOP_GROUPS: usize = 5;

/// Characters of a question shown in the digest before it is cut with "…".
const QUESTION_CHARS: usize = 100;

/// The longest the task sleeps before looking at the clock again: a wall clock changed under
/// it (or a suspended machine) delays a digest by at most this much.
const CHECK_INTERVAL: Duration = Duration::from_secs(3600);

/// The wait before trying again after a failed post or an unreadable question log.
const RETRY_INTERVAL: Duration = Duration::from_secs(15 * 60);

/// The attachment's file name.
pub const FILE_NAME: &str = "questions-per-day.png";

/// A day of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weekday {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

impl Weekday {
    /// Every day, Monday first.
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    /// Days since Monday (Monday 0, Sunday 6).
    #[must_use]
    pub fn index(self) -> i64 {
        match self {
            Weekday::Mon => 0,
            Weekday::Tue => 1,
            Weekday::Wed => 2,
            Weekday::Thu => 3,
            Weekday::Fri => 4,
            Weekday::Sat => 5,
            Weekday::Sun => 6,
        }
    }

    /// The three-letter name, as `DIGEST_DAY` takes it (`mon`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][self.index() as usize]
    }
}

impl FromStr for Weekday {
    type Err = ();

    /// `mon`..`sun` or the full English name, in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_ascii_lowercase();
        Weekday::ALL
            .into_iter()
            .find(|d| {
                let full = [
                    "monday",
                    "tuesday",
                    "wednesday",
                    "thursday",
                    "friday",
                    "saturday",
                    "sunday",
                ][d.index() as usize];
                s == d.as_str() || s == full
            })
            .ok_or(())
    }
}

/// When the weekly digest is posted: a day of the week and an hour, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// `DIGEST_DAY`.
    pub day: Weekday,
    /// `DIGEST_HOUR`, 0 to 23.
    pub hour: u8,
}

impl Schedule {
    /// The default: Monday 09:00 UTC, the start of the moderators' week.
    pub const DEFAULT: Schedule = Schedule {
        day: Weekday::Mon,
        hour: 9,
    };

    /// The latest scheduled time at or before `now` (unix seconds).
    ///
    /// ```
    /// use faqbot::discord::digest::{Schedule, Weekday};
    /// let monday_9 = Schedule { day: Weekday::Mon, hour: 9 };
    /// // Wednesday 2026-11-25 12:00 UTC -> Monday 2026-11-23 09:00 UTC.
    /// assert_eq!(monday_9.latest_slot(1_795_608_000), 1_795_424_400);
    /// ```
    #[must_use]
    pub fn latest_slot(self, now: i64) -> i64 {
        let day = now.div_euclid(DAY);
        // 1970-01-01 was a Thursday: its index from Monday is 3.
        let monday = (day - (day + 3).rem_euclid(7)) * DAY;
        let slot = monday + self.day.index() * DAY + i64::from(self.hour) * 3600;
        if slot <= now {
            slot
        } else {
            slot - WEEK
        }
    }

    /// The first scheduled time after `now`.
    #[must_use]
    pub fn next_slot(self, now: i64) -> i64 {
        self.latest_slot(now) + WEEK
    }

    /// Whether a digest is due at `now`, given when the last one was posted (`None`: never):
    /// when none was posted since the latest scheduled time.
    #[must_use]
    pub fn is_due(self, now: i64, last: Option<i64>) -> bool {
        last.is_none_or(|last| last < self.latest_slot(now))
    }
}

impl std::fmt::Display for Schedule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {:02}:00 UTC", self.day.as_str(), self.hour)
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn count(report: &Report, outcome: Outcome) -> u64 {
    report
        .by_outcome
        .iter()
        .find(|c| c.outcome == outcome)
        .map_or(0, |c| c.count)
}

/// The digest's text: the period, the questions by outcome, the busiest day, the entries
/// voted not helpful, and the top unanswered groups ([`group_line`]).
#[must_use]
pub fn summary(report: &Report) -> String {
    let mut text = String::new();
    let period = match (report.by_day.first(), report.by_day.last()) {
        (Some(first), Some(last)) => format!("{} to {}", first.label(), last.label()),
        _ => "this week".to_owned(),
    };
    // Writing to a String cannot fail.
    let _ = writeln!(text, "**Weekly digest**, {period} (UTC)");
    let total = report.total_questions;
    let answered = count(report, Outcome::Answer);
    let _ = write!(
        text,
        "{}: {answered} answered, {} ambiguous, {} no match",
        plural(total, "question", "questions"),
        count(report, Outcome::Ambiguous),
        count(report, Outcome::NoMatch),
    );
    if let Some(percent) = (answered * 100).checked_div(total) {
        let _ = write!(text, " ({percent}% answered)");
    }
    text.push('\n');
    if let Some(busiest) = report
        .by_day
        .iter()
        .filter(|d| d.total() > 0)
        .max_by_key(|d| (d.total(), std::cmp::Reverse(d.start_unix)))
    {
        let _ = writeln!(
            text,
            "Busiest day: {} ({})",
            busiest.label(),
            busiest.total()
        );
    }
    if !report.most_not_helpful.is_empty() {
        let entries: Vec<String> = report
            .most_not_helpful
            .iter()
            .take(3)
            .map(|e| format!("{} ({})", e.entry_id, e.not_helpful))
            .collect();
        let _ = writeln!(text, "Voted not helpful: {}", entries.join(", "));
    }
    if !report.question_text_logged {
        text.push_str("Unanswered questions are not listed: question text logging is off.\n");
    } else if report.unanswered.is_empty() {
        text.push_str("No unanswered questions this week.\n");
    } else {
        text.push_str("Most asked unanswered:\n");
        for (rank, group) in report.unanswered.iter().take(TOP_GROUPS).enumerate() {
            text.push_str(&group_line(rank + 1, group));
            text.push('\n');
        }
        let more = report.unanswered.len().saturating_sub(TOP_GROUPS);
        if more > 0 {
            let _ = writeln!(text, "… and {more} more (see `/faq stats`)");
        }
    }
    truncate(&text, limits::CONTENT)
}

/// One top unanswered group's line: its rank, how often it was asked, and its most frequent
/// phrasing (a parent's words, redacted in the log; the message pings no one).
#[must_use]
pub fn group_line(rank: usize, group: &QuestionGroup) -> String {
    let question: String = group
        .representative
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    format!(
        "{rank}. {}× {}",
        group.count,
        truncate(question.trim(), QUESTION_CHARS)
    )
}

/// The buttons of one top unanswered group: the review queue's (Add as a phrasing, New entry,
/// Dismiss) for the group's open queue item, one action row; none when the group has no open
/// item (already learned or dismissed, or the queue is off).
#[must_use]
pub fn group_components(item: Option<QueueItemId>) -> Option<CreateActionRow> {
    render::queue_buttons(item?).into_iter().next()
}

/// The digest message (the text and, for each of the top groups in order, the buttons of its
/// open queue item in `items`; the chart is attached by the caller), pinging no one.
pub fn message(report: &Report, items: &[Option<QueueItemId>]) -> CreateMessage {
    let rows: Vec<CreateActionRow> = items
        .iter()
        .take(TOP_GROUPS.min(limits::ROWS))
        .filter_map(|item| group_components(*item))
        .collect();
    CreateMessage::new()
        .content(summary(report))
        .components(rows)
        .allowed_mentions(no_pings())
}

/// Where and when the digest goes, if it is on: `MOD_LOG_CHANNEL_ID` set, `DIGEST_DAY` not
/// `off`, and this process runs shard 0.
#[must_use]
pub fn target(config: &BotConfig) -> Option<(ChannelId, Schedule)> {
    let first_shard = match config.shards {
        ShardSpec::Auto => true,
        ShardSpec::Range { first, .. } => first == 0,
    };
    Some((config.mod_log_channel?, config.digest?)).filter(|_| first_shard)
}

/// The current time in unix seconds.
fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Starts the digest task, if the digest is on ([`target`]) and the question log is
/// enabled; abort the handle at shutdown.
#[must_use]
pub fn spawn(config: &BotConfig, log: QuestionLog, rest: Rest) -> Option<JoinHandle<()>> {
    let (channel, schedule) = target(config)?;
    if !log.is_enabled() {
        warn!("weekly digest off: the question log is disabled");
        return None;
    }
    info!(%channel, schedule = %schedule, "weekly digest on");
    Some(tokio::spawn(run(channel, schedule, log, rest)))
}

/// The task: post when due, then sleep until the next scheduled time (looking at the clock
/// at least every [`CHECK_INTERVAL`]).
async fn run(channel: ChannelId, schedule: Schedule, log: QuestionLog, rest: Rest) {
    // The last digest as this process knows it, once read or posted.
    let mut last: Option<Option<i64>> = None;
    // Say when the next one is, at start and after each post.
    let mut announce = true;
    loop {
        let now = now_unix();
        let known = match last {
            Some(known) => known,
            None => match read_last(&log).await {
                Ok(known) => {
                    last = Some(known);
                    known
                }
                Err(e) => {
                    warn!(error = %e, "weekly digest: cannot read when the last one was posted; trying again later");
                    tokio::time::sleep(RETRY_INTERVAL).await;
                    continue;
                }
            },
        };
        if schedule.is_due(now, known) {
            if let Err(e) = post(channel, &log, &rest, now).await {
                warn!(error = %e, %channel, "weekly digest: could not post it; trying again later");
                tokio::time::sleep(RETRY_INTERVAL).await;
                continue;
            }
            // Remembered here even if saving fails: this process posts it once.
            last = Some(Some(now));
            announce = true;
            let saver = log.clone();
            match tokio::task::spawn_blocking(move || saver.set_last_digest(now)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    warn!(error = %e, "weekly digest: posted, but saving when failed (a restart this week would post it again)");
                }
                Err(e) => warn!(error = %e, "weekly digest: the save task failed"),
            }
        }
        let now = now_unix();
        let next = schedule.next_slot(now);
        if announce {
            announce = false;
            info!(
                next_unix = next,
                last_unix = ?last.flatten(),
                question_log = %log.path().map_or_else(String::new, |p| p.display().to_string()),
                "weekly digest: next one scheduled"
            );
        }
        let wait = Duration::from_secs(u64::try_from(next - now).unwrap_or(0));
        tokio::time::sleep(wait.clamp(Duration::from_secs(1), CHECK_INTERVAL)).await;
    }
}

/// When the last digest was posted, read on a blocking thread.
async fn read_last(log: &QuestionLog) -> Result<Option<i64>, DigestError> {
    let reader = log.clone();
    Ok(tokio::task::spawn_blocking(move || reader.last_digest()).await??)
}

/// Why a digest was not posted.
#[derive(Debug, thiserror::Error)]
pub enum DigestError {
    /// The report could not be read.
    #[error("cannot read the question log: {0}")]
    Report(#[from] crate::store::StoreError),
    /// The chart could not be drawn.
    #[error(transparent)]
    Chart(#[from] chart::ChartError),
    /// Discord did not take the post.
    #[error(transparent)]
    Send(Box<super::rest::SendError>),
    /// The report task failed.
    #[error("the report task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

impl From<super::rest::SendError> for DigestError {
    fn from(e: super::rest::SendError) -> Self {
        DigestError::Send(Box::new(e))
    }
}

/// Builds the week's report and chart and posts them.
async fn post(
    channel: ChannelId,
    log: &QuestionLog,
    rest: &Rest,
    now: i64,
) -> Result<(), DigestError> {
    let since = now - i64::try_from(PERIOD.as_secs()).unwrap_or(WEEK);
    let log = log.clone();
    let (report, png, items) = tokio::task::spawn_blocking(move || {
        if let Err(e) = log.flush() {
            warn!(error = %e, "question log: flush before the digest failed");
        }
        let report = log.report(since)?;
        let png = chart::report_png(&report)?;
        // The top groups' queue items, for their buttons (none where the queue is off).
        let items: Vec<Option<QueueItemId>> = report
            .unanswered
            .iter()
            .take(TOP_GROUPS)
            .map(|group| {
                log.queue_open_item(&group.representative)
                    .ok()
                    .flatten()
                    .map(|item| item.id)
            })
            .collect();
        Ok::<_, DigestError>((report, png, items))
    })
    .await??;
    let posted = rest
        .send_message_with_file(
            channel,
            message(&report, &items),
            CreateAttachment::bytes(png, FILE_NAME),
        )
        .await?;
    info!(
        %channel,
        message = %posted.id,
        questions = report.total_questions,
        unanswered_groups = report.unanswered.len(),
        "weekly digest posted"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{DayCount, OutcomeCount};

    /// Monday 2026-11-23 00:00 UTC.
    const MONDAY: i64 = 1_795_392_000;
    const HOUR: i64 = 3600;

    fn at(day: Weekday, hour: u8) -> Schedule {
        Schedule { day, hour }
    }

    #[test]
    fn weekday_parses_short_and_full_names_in_any_case() {
        let table = [
            ("mon", Some(Weekday::Mon)),
            ("Sun", Some(Weekday::Sun)),
            (" WEDNESDAY ", Some(Weekday::Wed)),
            ("thursday", Some(Weekday::Thu)),
            ("mo", None),
            ("off", None),
            ("", None),
        ];
        for (text, want) in table {
            assert_eq!(text.parse::<Weekday>().ok(), want, "{text:?}");
        }
    }

    #[test]
    fn latest_and_next_slot_table() {
        // (schedule, now, latest slot, next slot)
        let table = [
            // Monday 09:00, asked on Wednesday noon: this Monday, next Monday.
            (
                at(Weekday::Mon, 9),
                MONDAY + 2 * DAY + 12 * HOUR,
                MONDAY + 9 * HOUR,
            ),
            // Exactly at the slot: that slot.
            (at(Weekday::Mon, 9), MONDAY + 9 * HOUR, MONDAY + 9 * HOUR),
            // A second before it: last week's.
            (
                at(Weekday::Mon, 9),
                MONDAY + 9 * HOUR - 1,
                MONDAY + 9 * HOUR - WEEK,
            ),
            // Sunday 23:00, asked on Monday: the day before.
            (at(Weekday::Sun, 23), MONDAY + HOUR, MONDAY - HOUR),
            // Sunday 23:00, asked on Sunday 23:30: that one.
            (
                at(Weekday::Sun, 23),
                MONDAY + 6 * DAY + 23 * HOUR + 1800,
                MONDAY + 6 * DAY + 23 * HOUR,
            ),
            // Friday 00:00 from Thursday 1970-01-01 (the epoch): the week before.
            (at(Weekday::Fri, 0), 0, DAY - WEEK),
        ];
        for (schedule, now, latest) in table {
            assert_eq!(schedule.latest_slot(now), latest, "{schedule} at {now}");
            assert_eq!(
                schedule.next_slot(now),
                latest + WEEK,
                "{schedule} at {now}"
            );
            assert!(schedule.latest_slot(now) <= now && now < schedule.next_slot(now));
        }
    }

    #[test]
    fn is_due_when_no_digest_since_the_latest_slot() {
        let s = at(Weekday::Mon, 9);
        let slot = MONDAY + 9 * HOUR;
        // Never posted: due.
        assert!(s.is_due(slot + 10, None));
        // Posted last week: due at the slot, and still due later in the week (the bot was down).
        assert!(s.is_due(slot, Some(slot - WEEK)));
        assert!(s.is_due(slot + 3 * DAY, Some(slot - WEEK + 60)));
        // Posted since the slot (e.g. before a restart): not due until the next one.
        assert!(!s.is_due(slot + 60, Some(slot + 30)));
        assert!(!s.is_due(slot + WEEK - 1, Some(slot)));
        assert!(s.is_due(slot + WEEK, Some(slot)));
        // Not yet the slot this week, last week's posted: not due.
        assert!(!s.is_due(slot - 1, Some(slot - WEEK)));
    }

    fn group(question: &str, count: u64) -> QuestionGroup {
        QuestionGroup {
            representative: question.to_owned(),
            count,
            examples: Vec::new(),
            entry_ids: Vec::new(),
        }
    }

    fn report() -> Report {
        let day = |i: i64, answer, no_match| DayCount {
            date: String::new(),
            start_unix: MONDAY + i * DAY,
            answer,
            ambiguous: 0,
            no_match,
        };
        Report {
            since_unix: MONDAY,
            generated_unix: MONDAY + WEEK,
            question_text_logged: true,
            total_questions: 10,
            by_outcome: vec![
                OutcomeCount {
                    outcome: Outcome::Answer,
                    count: 7,
                },
                OutcomeCount {
                    outcome: Outcome::Ambiguous,
                    count: 0,
                },
                OutcomeCount {
                    outcome: Outcome::NoMatch,
                    count: 3,
                },
            ],
            by_day: vec![day(0, 2, 1), day(1, 5, 2), day(2, 0, 0)],
            unanswered: (1..=7)
                .map(|i| group(&format!("question {i}\nsecond line"), 8 - i))
                .collect(),
            ..Report::default()
        }
    }

    #[test]
    fn summary_gives_the_counts_the_busiest_day_and_the_top_groups() {
        let text = summary(&report());
        assert!(
            text.starts_with("**Weekly digest**, Mon 23 Nov to Wed 25 Nov (UTC)\n"),
            "{text}"
        );
        assert!(
            text.contains("10 questions: 7 answered, 0 ambiguous, 3 no match (70% answered)"),
            "{text}"
        );
        assert!(text.contains("Busiest day: Tue 24 Nov (7)"), "{text}");
        assert!(text.contains("1. 7× question 1 second line\n"), "{text}");
        assert!(text.contains("5. 3× question 5 second line\n"), "{text}");
        assert!(!text.contains("question 6"), "{text}");
        assert!(text.contains("… and 2 more (see `/faq stats`)"), "{text}");
        assert!(text.chars().count() <= limits::CONTENT);
    }

    #[test]
    fn summary_of_a_quiet_week_and_without_text_logging() {
        let mut quiet = report();
        quiet.total_questions = 0;
        quiet.by_outcome.iter_mut().for_each(|c| c.count = 0);
        quiet.by_day.iter_mut().for_each(|d| {
            d.answer = 0;
            d.no_match = 0;
        });
        quiet.unanswered.clear();
        let text = summary(&quiet);
        assert!(text.contains("0 questions: 0 answered"), "{text}");
        assert!(!text.contains('%'), "{text}");
        assert!(!text.contains("Busiest"), "{text}");
        assert!(
            text.contains("No unanswered questions this week."),
            "{text}"
        );
        quiet.question_text_logged = false;
        assert!(summary(&quiet).contains("question text logging is off"));
    }

    #[test]
    fn group_line_cuts_long_questions() {
        let long = "why ".repeat(60);
        let line = group_line(2, &group(&long, 4));
        assert!(line.starts_with("2. 4× why why"), "{line}");
        assert!(line.chars().count() <= QUESTION_CHARS + 6, "{line}");
        assert!(line.ends_with('…'), "{line}");
    }

    #[test]
    fn each_top_group_with_an_open_queue_item_gets_its_queue_buttons() {
        let items = [Some(QueueItemId::new(7)), None, Some(QueueItemId::new(9))];
        let message = serde_json::to_value(message(&report(), &items)).expect("json");
        let rows = message["components"].as_array().expect("rows");
        let ids: Vec<Vec<&str>> = rows
            .iter()
            .map(|row| {
                row["components"]
                    .as_array()
                    .expect("buttons")
                    .iter()
                    .filter_map(|b| b["custom_id"].as_str())
                    .collect()
            })
            .collect();
        assert_eq!(
            ids,
            [
                ["faq:qphr:7", "faq:qnew:7", "faq:qdis:7"],
                ["faq:qphr:9", "faq:qnew:9", "faq:qdis:9"]
            ]
        );
    }
}
