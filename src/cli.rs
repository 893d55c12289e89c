//! The command-line reports: what `faqbot ask`, `check` and `eval` print. Pure formatting; the
//! binary reads the input and prints these.

use crate::eval::{Summary, Verdict};
use crate::faq::{Problem, Severity};
use crate::knowledge::Knowledge;
use crate::matcher::{Decision, Explanation, Refusal};
use crate::reply::{self, Clinic};
use serde_json::{json, Value};
use std::fmt::Write as _;

/// The reply to one question, as a parent sees it, optionally followed by the explanation.
#[must_use]
pub fn ask_text(knowledge: &Knowledge, clinic: &Clinic, question: &str, explain: bool) -> String {
    let (decision, explanation) = ranked(knowledge, question);
    let mut out = reply::build(knowledge, &decision, clinic).to_text();
    if explain {
        out.push('\n');
        out.push_str(&explain_text(&decision, &explanation, knowledge));
    }
    out
}

/// Reads `question` once: the decision and the explanation of the same reading.
fn ranked(knowledge: &Knowledge, question: &str) -> (Decision, Explanation) {
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
