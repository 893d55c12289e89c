//! The command-line reports: what `faqbot ask`, `check` and `eval` print. Pure formatting; the
//! binary reads the input and prints these.

use crate::eval::{Summary, Verdict};
use crate::faq::{Problem, Severity};
use crate::knowledge::Knowledge;
use crate::matcher::{decide, Decision, Explanation};
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

/// Ranks `question` once: the decision and the explanation of the same ranking.
fn ranked(knowledge: &Knowledge, question: &str) -> (Decision, Explanation) {
    let explanation = knowledge.explain(question);
    let candidates: Vec<_> = explanation
        .candidates
        .iter()
        .map(|e| e.candidate.clone())
        .collect();
    (decide(&candidates, knowledge.config()), explanation)
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
            })).collect::<Vec<_>>(),
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
    }
    if e.candidates.is_empty() {
        let _ = writeln!(out, "  (no entry shares anything with the question)");
    }
    out
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

/// `eval`'s report: each miss, then the figures and the confusion.
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
        let _ = writeln!(
            out,
            "{what} {:?}: expected {expected}, got {} {} ({:.3})",
            m.question,
            m.outcome,
            m.id.as_deref().unwrap_or("-"),
            m.score.unwrap_or(0.0)
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
    let _ = writeln!(out, "ambiguous:            {}", summary.ambiguous);
    if !summary.confusion.is_empty() {
        let _ = writeln!(out, "confusion (expected -> got):");
        for (pair, n) in &summary.confusion {
            let _ = writeln!(out, "  {n} x {pair}");
        }
    }
    out
}

/// `eval --sweep`'s table: figures for each threshold.
#[must_use]
pub fn sweep_text(rows: &[Summary]) -> String {
    let mut out =
        String::from("threshold  in-scope acc  wrong answers  oos refusal  ambiguous  balanced\n");
    for s in rows {
        let _ = writeln!(
            out,
            "{:>9.2}  {:>12}  {:>13}  {:>11}  {:>9}  {:>8}",
            s.threshold,
            pct(s.in_scope_accuracy),
            pct(s.wrong_answer_rate),
            pct(s.out_of_scope_refusal),
            s.ambiguous,
            pct(f64::midpoint(s.in_scope_accuracy, s.out_of_scope_refusal))
        );
    }
    out
}
