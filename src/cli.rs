//! The command-line reports: what `faqbot ask`, `check` and `eval` print. Pure formatting; the
//! binary reads the input and prints these.

use crate::eval::{Summary, Verdict};
use crate::faq::{Faq, Problem, Severity};
use crate::knowledge::Knowledge;
use crate::matcher::{Decision, Explanation, Refusal};
use crate::reply::{self, Clinic, Reply};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// How the terminal shows a reply: the Markdown of answers rendered, never printed raw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terminal {
    /// Show `**bold**` as bold (standard output is a terminal); otherwise plain text.
    pub bold: bool,
    /// Wrap lines to this many columns (the terminal's width); `None`: one line per paragraph.
    pub width: Option<usize>,
}

impl Terminal {
    /// Plain text, unwrapped: for a pipe or a file.
    pub const PLAIN: Terminal = Terminal {
        bold: false,
        width: None,
    };
}

/// Select Graphic Rendition: bold on, and back to normal intensity.
const BOLD_ON: &str = "\x1b[1m";
const BOLD_OFF: &str = "\x1b[22m";
/// Lines narrower than this are not worth wrapping to (a tiny pane): they stay unwrapped.
const MIN_WRAP_WIDTH: usize = 20;

/// Renders Markdown (paragraphs, `**bold**`, lists, headings, links) for a terminal: bold as
/// bold or dropped, each block wrapped to the width with list items indented under their bullet.
///
/// ```
/// use faqbot::cli::{render_markdown, Terminal};
/// let text = render_markdown("Some **bold** words.\n\n- one\n- two", Terminal::PLAIN);
/// assert_eq!(text, "Some bold words.\n\n- one\n- two\n");
/// ```
#[must_use]
pub fn render_markdown(markdown: &str, term: Terminal) -> String {
    let mut blocks: Vec<(String, String, String)> = Vec::new();
    let (mut text, mut first, mut rest) = (String::new(), String::new(), String::new());
    let mut lists: Vec<Option<u64>> = Vec::new();
    let mut links: Vec<String> = Vec::new();
    // Ends the block being written, if it has text; what follows in the same list item is
    // indented like the item's continuation lines.
    let flush = |blocks: &mut Vec<_>, text: &mut String, first: &mut String, rest: &String| {
        if !text.trim().is_empty() {
            blocks.push((
                std::mem::take(text),
                std::mem::replace(first, rest.clone()),
                rest.clone(),
            ));
        }
        text.clear();
    };
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::List(start)) => {
                flush(&mut blocks, &mut text, &mut first, &rest);
                lists.push(start);
            }
            Event::End(TagEnd::List(_)) => {
                flush(&mut blocks, &mut text, &mut first, &rest);
                lists.pop();
                rest = "  ".repeat(lists.len());
                first.clone_from(&rest);
            }
            Event::Start(Tag::Item) => {
                flush(&mut blocks, &mut text, &mut first, &rest);
                let depth = lists.len().saturating_sub(1);
                let bullet = match lists.last_mut() {
                    Some(Some(n)) => {
                        *n += 1;
                        format!("{}. ", *n - 1)
                    }
                    _ => "- ".to_owned(),
                };
                first = format!("{}{bullet}", "  ".repeat(depth));
                rest = " ".repeat(first.chars().count());
            }
            Event::End(TagEnd::Item | TagEnd::Paragraph) => {
                flush(&mut blocks, &mut text, &mut first, &rest);
            }
            Event::Start(Tag::Heading { .. }) => {
                flush(&mut blocks, &mut text, &mut first, &rest);
                if term.bold {
                    text.push_str(BOLD_ON);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if term.bold {
                    text.push_str(BOLD_OFF);
                }
                flush(&mut blocks, &mut text, &mut first, &rest);
            }
            Event::Start(Tag::Strong) if term.bold => text.push_str(BOLD_ON),
            Event::End(TagEnd::Strong) if term.bold => text.push_str(BOLD_OFF),
            Event::Start(Tag::Link { dest_url, .. }) => links.push(dest_url.into_string()),
            Event::End(TagEnd::Link) => {
                if let Some(url) = links.pop().filter(|url| !text.ends_with(url.as_str())) {
                    let _ = write!(text, " ({url})");
                }
            }
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                text.push_str(&t);
            }
            Event::SoftBreak => text.push(' '),
            Event::HardBreak => text.push('\n'),
            _ => {}
        }
    }
    flush(&mut blocks, &mut text, &mut first, &rest);
    let mut out = String::new();
    let mut previous_was_item = false;
    for (text, first, rest) in &blocks {
        let is_item = !first.is_empty();
        let same_list = is_item && previous_was_item;
        if !out.is_empty() && !same_list {
            out.push('\n');
        }
        previous_was_item = is_item;
        let text = text.trim();
        if let Some(width) = term.width.filter(|w| *w >= MIN_WRAP_WIDTH) {
            let options = textwrap::Options::new(width)
                .initial_indent(first)
                .subsequent_indent(rest);
            out.push_str(&textwrap::fill(text, options));
        } else {
            out.push_str(first);
            out.push_str(text);
        }
        out.push('\n');
    }
    out
}

/// A reply as the terminal shows it: the answer's title in bold and its Markdown rendered, every
/// line wrapped to the width. With [`Terminal::PLAIN`] it is [`Reply::to_text`] less the
/// Markdown marks.
#[must_use]
pub fn reply_text(reply: &Reply, term: Terminal) -> String {
    match reply {
        Reply::Answer(a) => {
            let mut out = render_markdown(&format!("**{}**", a.title), term);
            out.push('\n');
            out.push_str(&render_markdown(&a.body, term));
            let mut tail = String::new();
            if !a.sources.is_empty() {
                let _ = writeln!(tail, "Source: {}", a.sources.join("; "));
            }
            if !a.related.is_empty() {
                let titles: Vec<&str> = a.related.iter().map(|c| c.title.as_str()).collect();
                let _ = writeln!(tail, "Related: {}", titles.join(" · "));
            }
            if !tail.is_empty() {
                out.push('\n');
                out.push_str(&wrap_lines(&tail, term));
            }
            out.push('\n');
            out.push_str(&wrap_lines(&a.appointment_prompt, term));
            out
        }
        other => wrap_lines(&other.to_text(), term),
    }
}

/// Plain text wrapped line by line to the terminal's width (indentation kept).
fn wrap_lines(text: &str, term: Terminal) -> String {
    let mut out = String::new();
    for line in text.trim_end().lines() {
        match term.width.filter(|w| *w >= MIN_WRAP_WIDTH) {
            Some(width) => {
                let indent = &line[..line.len() - line.trim_start().len()];
                let options = textwrap::Options::new(width).subsequent_indent(indent);
                out.push_str(&textwrap::fill(line, options));
            }
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

/// An error and its causes on one line, each cause said once: a cause whose text the message
/// already holds (libraries that print their source in their own message) is skipped.
///
/// ```
/// let io = std::io::Error::new(std::io::ErrorKind::NotFound, "path not found");
/// let err = anyhow::Error::new(io).context("no clinic details");
/// assert_eq!(faqbot::cli::error_text(err.as_ref()), "no clinic details: path not found");
/// ```
#[must_use]
pub fn error_text(error: &(dyn std::error::Error + 'static)) -> String {
    let mut out = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        let text = e.to_string();
        if !text.is_empty() && !out.contains(text.trim()) {
            let _ = write!(out, ": {text}");
        }
        cause = e.source();
    }
    out
}

/// The sources the entries name, with how many entries name each (for `check --verbose`):
/// sources are free text, so a moderator sees at a glance what the answers rest on.
#[must_use]
pub fn sources_text(faq: &Faq) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut without = 0;
    for entry in faq.entries() {
        if entry.sources.is_empty() {
            without += 1;
        }
        for source in &entry.sources {
            *counts.entry(source.as_str()).or_default() += 1;
        }
    }
    let mut rows: Vec<(&str, usize)> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut out = format!("sources in use ({}):\n", rows.len());
    for (source, n) in rows {
        let _ = writeln!(
            out,
            "  {n:>3} {}  {source}",
            if n == 1 { "entry  " } else { "entries" }
        );
    }
    if without > 0 {
        let _ = writeln!(
            out,
            "  {without:>3} {} without a source",
            if without == 1 { "entry  " } else { "entries" }
        );
    }
    out
}

/// `check`'s one-line quality summary from the FAQ folder's own cases file.
#[must_use]
pub fn quality_line(file: &str, summary: &Summary) -> String {
    format!(
        "quality on {file} ({} cases): in-scope accuracy {}, wrong answers {}, out-of-scope refusal {}\n",
        summary.cases,
        pct(summary.in_scope_accuracy),
        pct(summary.wrong_answer_rate),
        pct(summary.out_of_scope_refusal)
    )
}

/// The reply to one question, as a parent sees it (rendered for `term`), optionally followed by
/// the explanation.
#[must_use]
pub fn ask_text(
    knowledge: &Knowledge,
    clinic: &Clinic,
    question: &str,
    explain: bool,
    term: Terminal,
) -> String {
    let (decision, explanation) = ranked(knowledge, question);
    let mut out = reply_text(&reply::build(knowledge, &decision, clinic), term);
    if explain {
        out.push('\n');
        out.push_str(&explain_text(&decision, &explanation, knowledge));
    }
    out
}

/// Reads `question` once: the decision and the explanation of the same reading.
#[must_use]
pub fn ranked(knowledge: &Knowledge, question: &str) -> (Decision, Explanation) {
    knowledge.ask_explained(question)
}

/// `--json` output of `ask`.
#[must_use]
pub fn ask_json(knowledge: &Knowledge, clinic: &Clinic, question: &str, explain: bool) -> Value {
    let (decision, e) = ranked(knowledge, question);
    let candidates: Vec<Value> = match &decision {
        Decision::Ambiguous(list) => list
            .iter()
            .map(|c| candidate_json(knowledge, &c.id, c.score))
            .collect(),
        _ => e
            .candidates
            .iter()
            .map(|e| candidate_json(knowledge, &e.candidate.id, e.candidate.score))
            .collect(),
    };
    let (id, score) = match &decision {
        Decision::Answer(c) => (Some(c.id.clone()), Some(c.score)),
        Decision::Ambiguous(list) => (None, list.first().map(|c| c.score)),
        Decision::NoMatch(best) => (None, best.as_ref().map(|c| c.score)),
        Decision::NotAQuestion(_) => (None, None),
    };
    let mut out = json!({
        "outcome": decision.outcome(),
        "id": id,
        "score": score,
        "candidates": candidates,
        "reply": reply::build(knowledge, &decision, clinic).to_text(),
    });
    if explain {
        out["explain"] = json!({
            "words": e.words,
            "corrections": e.corrections,
            "candidates": e.candidates.iter().map(|c| json!({
                "id": c.candidate.id,
                "score": c.candidate.score,
                "parts": {"char_grams_bm25": c.parts[0], "stems_pairs_bm25": c.parts[1], "stems_bm25": c.parts[2], "char_grams_cosine": c.parts[3]},
                "matched_words": c.matched_words,
                "refused": c.refusal.as_ref().map(refusal_text),
            })).collect::<Vec<_>>(),
            "parts": e.parts.iter().map(|p| json!({"text": p.text, "asks": p.form.asks})).collect::<Vec<_>>(),
            "window": [e.window.start, e.window.end],
        });
    }
    out
}

fn candidate_json(knowledge: &Knowledge, id: &str, score: f32) -> Value {
    let title = knowledge.faq().get(id).map(|e| e.title.clone());
    json!({"id": id, "title": title, "score": score})
}

fn explain_text(decision: &Decision, e: &Explanation, knowledge: &Knowledge) -> String {
    let config = knowledge.config();
    let mut out = String::new();
    let _ = writeln!(out, "-- explain --");
    for (i, part) in e.parts.iter().enumerate() {
        let mark = if e.window.contains(&i) { '>' } else { ' ' };
        let form = if part.form.asks_another_parent {
            "asks another parent"
        } else if part.form.asks {
            "asks"
        } else {
            "says"
        };
        let _ = writeln!(out, "{mark} part {}: {form}: {:?}", i + 1, part.text);
    }
    let _ = writeln!(out, "read as: {}", e.words.join(" "));
    for (typed, fixed) in &e.corrections {
        let _ = writeln!(out, "typo: {typed} -> {fixed}");
    }
    let _ = writeln!(
        out,
        "decision: {} (threshold {:.2}, ambiguity margin {:.3})",
        decision.outcome(),
        config.threshold,
        config.ambiguity_margin
    );
    let _ = writeln!(
        out,
        "  score  grams  pairs  stems  cosine  entry  [matched words]"
    );
    for c in &e.candidates {
        let _ = writeln!(
            out,
            "  {:.3}  {:.3}  {:.3}  {:.3}  {:.3}   {}  [{}]",
            c.candidate.score,
            c.parts[0],
            c.parts[1],
            c.parts[2],
            c.parts[3],
            c.candidate.id,
            c.matched_words.join(", ")
        );
        if let Some(refusal) = &c.refusal {
            let _ = writeln!(out, "         refused: {}", refusal_text(refusal));
        }
    }
    if e.candidates.is_empty() {
        let _ = writeln!(out, "  (no entry shares anything with the question)");
    }
    out
}

/// Why a candidate was refused, in a line.
fn refusal_text(refusal: &Refusal) -> String {
    match refusal {
        Refusal::OtherAlternative { asked, entry } => format!(
            "the question is about {}, the entry about {}",
            asked.join(" and "),
            entry.join(" and ")
        ),
        Refusal::TopicNotCovered(words) => {
            format!("the entry does not cover {}", words.join(", "))
        }
        Refusal::NothingShared => "the entry shares only function words".to_owned(),
    }
}

/// `check`'s report: every problem, then a one-line summary.
#[must_use]
pub fn problems_text(problems: &[Problem], entries: Option<usize>) -> String {
    let mut out = String::new();
    for p in problems {
        let _ = writeln!(out, "{p}");
    }
    let errors = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    let warnings = problems.len() - errors;
    match entries {
        Some(n) => {
            let _ = writeln!(out, "ok: {n} entries, {warnings} warning(s)");
        }
        None => {
            let _ = writeln!(
                out,
                "{errors} error(s), {warnings} warning(s): the FAQ was not loaded"
            );
        }
    }
    out
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// What the bot did with a missed case, in words: "answered X (0.41)", "refused (best: X
/// 0.247)", "offered X first (0.33)", "stayed silent: not a question".
fn got_text(m: &crate::eval::Outcome) -> String {
    let id = m.id.as_deref().unwrap_or("-");
    let score = m.score.unwrap_or(0.0);
    match m.outcome {
        "answer" => format!("answered {id} ({score:.3})"),
        "ambiguous" => format!("offered {id} first ({score:.3})"),
        "not_a_question" => "stayed silent: read as not a question".to_owned(),
        _ if m.id.is_some() => format!("refused (best: {id} {score:.3})"),
        _ => "refused (no candidate)".to_owned(),
    }
}

/// `eval`'s report: each miss, then the figures, the figures by kind and the confusion.
#[must_use]
pub fn eval_text(summary: &Summary) -> String {
    let mut out = String::new();
    for m in &summary.misses {
        let what = match m.verdict {
            Verdict::WrongAnswer => "WRONG ",
            _ => "MISSED",
        };
        let expected = if m.expect.is_empty() {
            "(refuse)".to_owned()
        } else {
            m.expect.join("|")
        };
        let kind = m
            .kind
            .as_deref()
            .map(|k| format!("[{k}] "))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{what} {kind}{:?}: expected {expected}, {}",
            m.question,
            got_text(m)
        );
    }
    let _ = writeln!(
        out,
        "cases: {} ({} in scope, {} out of scope), threshold {:.2}",
        summary.cases, summary.in_scope, summary.out_of_scope, summary.threshold
    );
    let _ = writeln!(
        out,
        "in-scope accuracy:    {}",
        pct(summary.in_scope_accuracy)
    );
    let _ = writeln!(
        out,
        "wrong answers:        {}",
        pct(summary.wrong_answer_rate)
    );
    let _ = writeln!(
        out,
        "out-of-scope refusal: {}",
        pct(summary.out_of_scope_refusal)
    );
    let _ = writeln!(
        out,
        "help-channel silence: {} (out-of-scope cases with no reply at all in a help channel)",
        pct(summary.help_channel_silence)
    );
    let _ = writeln!(out, "ambiguous:            {}", summary.ambiguous);
    if !summary.by_kind.is_empty() {
        let _ = writeln!(
            out,
            "by kind:     cases  in-scope acc  wrong answers  silence"
        );
        for (kind, f) in &summary.by_kind {
            let _ = writeln!(
                out,
                "  {kind:<10} {:>5}  {:>12}  {:>13}  {:>7}",
                f.cases,
                pct(f.in_scope_accuracy),
                pct(f.wrong_answer_rate),
                pct(f.help_channel_silence)
            );
        }
    }
    if !summary.confusion.is_empty() {
        let _ = writeln!(out, "confusion (expected -> got):");
        for (pair, n) in &summary.confusion {
            let _ = writeln!(out, "  {n} x {pair}");
        }
    }
    out
}

/// `eval --sweep`'s table: figures for each threshold, the row of the threshold in use marked.
#[must_use]
pub fn sweep_text(rows: &[Summary], in_use: f32) -> String {
    let mut out = String::from(
        "balanced = (in-scope accuracy + out-of-scope refusal) / 2; silence = out-of-scope \
         cases with no reply in a help channel; * = the threshold in use\n\
         threshold  in-scope acc  wrong answers  oos refusal  silence  ambiguous  balanced\n",
    );
    for s in rows {
        let mark = if (s.threshold - in_use).abs() < 0.005 {
            '*'
        } else {
            ' '
        };
        let _ = writeln!(
            out,
            "{mark}{:>8.2}  {:>12}  {:>13}  {:>11}  {:>7}  {:>9}  {:>8}",
            s.threshold,
            pct(s.in_scope_accuracy),
            pct(s.wrong_answer_rate),
            pct(s.out_of_scope_refusal),
            pct(s.help_channel_silence),
            s.ambiguous,
            pct(f64::midpoint(s.in_scope_accuracy, s.out_of_scope_refusal))
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_on_a_terminal_is_bold_and_wrapped() {
        let term = Terminal {
            bold: true,
            width: Some(24),
        };
        let text = render_markdown(
            "A **physical therapist** helps.\n\n- one item that is long enough to wrap\n- two",
            term,
        );
        assert!(text.contains("\x1b[1mphysical"), "{text:?}");
        assert!(!text.contains("**"), "{text:?}");
        for line in text.lines() {
            let visible = line.replace("\x1b[1m", "").replace("\x1b[22m", "");
            assert!(visible.chars().count() <= 24, "{line:?} in {text:?}");
        }
        // A wrapped list item continues under its text, not under the bullet.
        assert!(text.contains("\n  "), "{text:?}");
    }

    #[test]
    fn markdown_plain_has_no_escapes_and_no_wrapping() {
        let long = "word ".repeat(40);
        let text = render_markdown(&format!("**{long}**"), Terminal::PLAIN);
        assert!(!text.contains('\x1b'));
        assert_eq!(text.lines().count(), 1);
    }

    #[test]
    fn error_text_skips_a_cause_already_in_the_message() {
        let io = std::io::Error::other("disk full");
        let outer = anyhow::Error::new(io).context("cannot write: disk full");
        assert_eq!(error_text(outer.as_ref()), "cannot write: disk full");
    }
}
