//! Evaluation on labelled parent questions: how often the bot answers right, answers wrong, and
//! refuses what it should refuse.
//!
//! A cases file is TOML with `[[case]]` tables of `question`, `expect` (the ids any of which
//! is a right answer; `[]` means the bot must not answer) and an optional `kind` ("long",
//! "chit-chat", ...) for figures by kind. Each case is read as a message in a help channel, where
//! the bot must also stay silent on what is not a question for it. An ambiguous outcome counts as
//! right only when its first candidate is expected, and as a refusal for an out-of-scope case
//! (but not as silence: a "did you mean" is visible in the channel).

use crate::knowledge::Knowledge;
use crate::matcher::{Addressing, Candidate, Decision, MatchConfig, Reading};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One labelled question.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// What the parent asked.
    pub question: String,
    /// Entry ids any of which is a right answer; empty: the bot must not answer.
    pub expect: Vec<String>,
    /// What kind of message it is ("long", "short", "chit-chat", ...), for figures by kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CasesFile {
    #[serde(default)]
    case: Vec<Case>,
}

/// A cases file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// Not valid TOML, or not `[[case]]` tables.
    #[error("bad cases file: {0}")]
    Parse(#[from] toml::de::Error),
    /// The file has no cases.
    #[error("the cases file has no [[case]] entries")]
    Empty,
    /// A case expects an id the FAQ does not have (a typo would silently count as a miss).
    #[error("case {index} (\"{question}\") expects '{id}', which is not an FAQ entry")]
    UnknownId {
        /// 1-based case number.
        index: usize,
        /// Its question.
        question: String,
        /// The unknown id.
        id: String,
    },
}

/// Parses a cases file.
pub fn parse_cases(text: &str) -> Result<Vec<Case>, EvalError> {
    let file: CasesFile = toml::from_str(text)?;
    if file.case.is_empty() {
        return Err(EvalError::Empty);
    }
    Ok(file.case)
}

/// How one case went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// In scope, and an expected entry was answered (or offered first).
    Right,
    /// An entry was answered that is not expected (in or out of scope).
    WrongAnswer,
    /// In scope, and the bot did not answer or offered a wrong entry first.
    Missed,
    /// Out of scope, and the bot did not answer.
    Refused,
}

/// One case and what the bot did.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// The case.
    pub question: String,
    /// What was expected.
    pub expect: Vec<String>,
    /// What kind of message it is, if the case says.
    pub kind: Option<String>,
    /// "answer", "ambiguous", `no_match` or `not_a_question`.
    pub outcome: &'static str,
    /// The entry answered or offered first (also the best guess on no match).
    pub id: Option<String>,
    /// Its score.
    pub score: Option<f32>,
    /// Right or not.
    pub verdict: Verdict,
}

/// The figures of an evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// How many cases.
    pub cases: usize,
    /// Cases with an expected entry.
    pub in_scope: usize,
    /// Cases the bot must not answer.
    pub out_of_scope: usize,
    /// Share of in-scope cases answered right (0..=1).
    pub in_scope_accuracy: f64,
    /// Share of all cases answered with an entry that is not expected (0..=1).
    pub wrong_answer_rate: f64,
    /// Share of out-of-scope cases not answered (0..=1).
    pub out_of_scope_refusal: f64,
    /// Share of out-of-scope cases that get no reply at all in a help channel (no match or
    /// not a question; a "did you mean" is a visible reply).
    pub help_channel_silence: f64,
    /// Cases answered with "did you mean".
    pub ambiguous: usize,
    /// The same figures for each kind of case.
    pub by_kind: BTreeMap<String, KindFigures>,
    /// The threshold used.
    pub threshold: f32,
    /// (expected, got) -> count, for every in-scope case not answered right; "none" when not
    /// answered.
    pub confusion: BTreeMap<String, usize>,
    /// Every case that was not right.
    pub misses: Vec<Outcome>,
}

/// The figures of one kind of case.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct KindFigures {
    /// How many cases.
    pub cases: usize,
    /// Share of its in-scope cases answered right (1 when it has none).
    pub in_scope_accuracy: f64,
    /// Share of its cases answered wrongly.
    pub wrong_answer_rate: f64,
    /// Share of its out-of-scope cases with no reply in a help channel (1 when it has none).
    pub help_channel_silence: f64,
}

/// Is the bot silent in a help channel with this decision?
fn silent(decision: &Decision) -> bool {
    matches!(decision, Decision::NoMatch(_) | Decision::NotAQuestion(_))
}

fn verdict(case: &Case, decision: &Decision) -> Verdict {
    let expected = |c: &Candidate| case.expect.contains(&c.id);
    match (case.expect.is_empty(), decision) {
        (true, Decision::Answer(_)) => Verdict::WrongAnswer,
        (true, _) => Verdict::Refused,
        (false, Decision::Answer(c)) if expected(c) => Verdict::Right,
        (false, Decision::Answer(_)) => Verdict::WrongAnswer,
        (false, Decision::Ambiguous(list)) if list.first().is_some_and(expected) => Verdict::Right,
        (false, _) => Verdict::Missed,
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

/// Checks that every expected id exists in the FAQ.
pub fn check_ids(knowledge: &Knowledge, cases: &[Case]) -> Result<(), EvalError> {
    for (i, case) in cases.iter().enumerate() {
        if let Some(id) = case
            .expect
            .iter()
            .find(|id| knowledge.faq().get(id).is_none())
        {
            return Err(EvalError::UnknownId {
                index: i + 1,
                question: case.question.clone(),
                id: id.clone(),
            });
        }
    }
    Ok(())
}

/// Reads every case once, as a message in a help channel, for [`summarise`] at one or many
/// thresholds.
#[must_use]
pub fn read_all(knowledge: &Knowledge, cases: &[Case]) -> Vec<Reading> {
    cases
        .iter()
        .map(|case| knowledge.read(&case.question, Addressing::HelpChannel))
        .collect()
}

/// The figures for `cases` ranked as `ranked` (best first, read as one text each: no reading
/// of sentences), decided with `config`. For experiments on the raw ranking.
#[must_use]
pub fn summarise_ranked(
    cases: &[Case],
    ranked: &[Vec<Candidate>],
    config: &MatchConfig,
) -> Summary {
    let decisions: Vec<Decision> = ranked
        .iter()
        .map(|r| crate::matcher::decide(r, config))
        .collect();
    summarise_decisions(cases, &decisions, config)
}

/// The figures for `cases` read as `readings`, decided with `config`.
#[must_use]
pub fn summarise(cases: &[Case], readings: &[Reading], config: &MatchConfig) -> Summary {
    let decisions: Vec<Decision> = readings.iter().map(|r| r.decide(config)).collect();
    summarise_decisions(cases, &decisions, config)
}

fn figures(outcomes: &[(&Outcome, bool)]) -> KindFigures {
    let count =
        |f: &dyn Fn(&Outcome, bool) -> bool| outcomes.iter().filter(|(o, s)| f(o, *s)).count();
    let in_scope = count(&|o, _| !o.expect.is_empty());
    let out_of_scope = outcomes.len() - in_scope;
    KindFigures {
        cases: outcomes.len(),
        in_scope_accuracy: ratio(count(&|o, _| o.verdict == Verdict::Right), in_scope),
        wrong_answer_rate: ratio(
            count(&|o, _| o.verdict == Verdict::WrongAnswer),
            outcomes.len(),
        ),
        help_channel_silence: ratio(count(&|o, s| o.expect.is_empty() && s), out_of_scope),
    }
}

fn summarise_decisions(cases: &[Case], decisions: &[Decision], config: &MatchConfig) -> Summary {
    let mut outcomes = Vec::with_capacity(cases.len());
    let mut silences = Vec::with_capacity(cases.len());
    for (case, decision) in cases.iter().zip(decisions) {
        let best = decision.best();
        outcomes.push(Outcome {
            question: case.question.clone(),
            expect: case.expect.clone(),
            kind: case.kind.clone(),
            outcome: decision.outcome(),
            id: best.map(|c| c.id.clone()),
            score: best.map(|c| c.score),
            verdict: verdict(case, decision),
        });
        silences.push(silent(decision));
    }
    let count = |f: &dyn Fn(&Outcome) -> bool| outcomes.iter().filter(|o| f(o)).count();
    let in_scope = count(&|o| !o.expect.is_empty());
    let out_of_scope = outcomes.len() - in_scope;
    let mut confusion = BTreeMap::new();
    for o in outcomes
        .iter()
        .filter(|o| !o.expect.is_empty() && o.verdict != Verdict::Right)
    {
        let got = match o.outcome {
            "no_match" | "not_a_question" => "none".to_owned(),
            _ => o.id.clone().unwrap_or_else(|| "none".to_owned()),
        };
        *confusion
            .entry(format!("{} -> {got}", o.expect.join("|")))
            .or_default() += 1;
    }
    let mut kinds: BTreeMap<String, Vec<(&Outcome, bool)>> = BTreeMap::new();
    for (o, &s) in outcomes.iter().zip(&silences) {
        if let Some(kind) = &o.kind {
            kinds.entry(kind.clone()).or_default().push((o, s));
        }
    }
    let by_kind = kinds
        .into_iter()
        .map(|(kind, list)| (kind, figures(&list)))
        .collect();
    let silent_out_of_scope = outcomes
        .iter()
        .zip(&silences)
        .filter(|(o, s)| o.expect.is_empty() && **s)
        .count();
    Summary {
        cases: outcomes.len(),
        in_scope,
        out_of_scope,
        in_scope_accuracy: ratio(count(&|o| o.verdict == Verdict::Right), in_scope),
        wrong_answer_rate: ratio(
            count(&|o| o.verdict == Verdict::WrongAnswer),
            outcomes.len(),
        ),
        out_of_scope_refusal: ratio(count(&|o| o.verdict == Verdict::Refused), out_of_scope),
        help_channel_silence: ratio(silent_out_of_scope, out_of_scope),
        ambiguous: count(&|o| o.outcome == "ambiguous"),
        by_kind,
        threshold: config.threshold,
        confusion,
        misses: outcomes
            .into_iter()
            .filter(|o| !matches!(o.verdict, Verdict::Right | Verdict::Refused))
            .collect(),
    }
}

/// Evaluates `cases` with the knowledge's own thresholds.
#[must_use]
pub fn evaluate(knowledge: &Knowledge, cases: &[Case]) -> Summary {
    summarise(cases, &read_all(knowledge, cases), knowledge.config())
}

/// The bar an evaluation must reach (`--min-accuracy`, `--min-refusal`, `--max-wrong`,
/// `--min-silence`); unset parts are not checked.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Bar {
    /// Lowest in-scope accuracy.
    pub min_accuracy: Option<f64>,
    /// Lowest out-of-scope refusal.
    pub min_refusal: Option<f64>,
    /// Highest wrong-answer rate.
    pub max_wrong: Option<f64>,
    /// Lowest help-channel silence on out-of-scope cases.
    pub min_silence: Option<f64>,
}

impl Bar {
    /// What falls short of the bar, one line each (empty: the bar is met).
    #[must_use]
    pub fn failures(&self, summary: &Summary) -> Vec<String> {
        let mut failures = Vec::new();
        let mut below = |name: &str, value: f64, bar: Option<f64>| {
            if let Some(min) = bar.filter(|m| value < *m) {
                failures.push(format!("{name} {value:.3} < {min}"));
            }
        };
        below(
            "in-scope accuracy",
            summary.in_scope_accuracy,
            self.min_accuracy,
        );
        below(
            "out-of-scope refusal",
            summary.out_of_scope_refusal,
            self.min_refusal,
        );
        below(
            "help-channel silence",
            summary.help_channel_silence,
            self.min_silence,
        );
        if let Some(max) = self.max_wrong.filter(|m| summary.wrong_answer_rate > *m) {
            failures.push(format!(
                "wrong-answer rate {:.3} > {max}",
                summary.wrong_answer_rate
            ));
        }
        failures
    }
}

/// Thresholds `--sweep` tries: 0.20 to 0.70 by 0.02.
#[must_use]
pub fn sweep_thresholds() -> Vec<f32> {
    (10..=35).map(|i| i as f32 * 0.02).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(expect: &[&str]) -> Case {
        Case {
            question: "q".into(),
            expect: expect.iter().map(|s| (*s).to_owned()).collect(),
            kind: None,
        }
    }

    fn c(id: &str, score: f32) -> Candidate {
        Candidate {
            entry: 0,
            id: id.into(),
            score,
        }
    }

    #[test]
    fn verdict_table() {
        let answer = |id| Decision::Answer(c(id, 0.9));
        let ambiguous = |a, b| Decision::Ambiguous(vec![c(a, 0.9), c(b, 0.9)]);
        let none = Decision::NoMatch(None);
        let cases = [
            (case(&["a"]), answer("a"), Verdict::Right),
            (case(&["a", "b"]), answer("b"), Verdict::Right),
            (case(&["a"]), answer("b"), Verdict::WrongAnswer),
            (case(&["a"]), none.clone(), Verdict::Missed),
            (case(&["a"]), ambiguous("a", "b"), Verdict::Right),
            (case(&["a"]), ambiguous("b", "a"), Verdict::Missed),
            (case(&[]), answer("a"), Verdict::WrongAnswer),
            (case(&[]), ambiguous("a", "b"), Verdict::Refused),
            (case(&[]), none, Verdict::Refused),
        ];
        for (case, decision, expected) in cases {
            assert_eq!(verdict(&case, &decision), expected, "{case:?} {decision:?}");
        }
    }

    #[test]
    fn summary_figures() {
        let cases = [case(&["a"]), case(&["b"]), case(&[]), case(&[])];
        let ranked = vec![
            vec![c("a", 0.9)],
            vec![c("a", 0.9)],
            vec![c("a", 0.1)],
            vec![c("a", 0.9)],
        ];
        let config = MatchConfig {
            threshold: 0.5,
            ..MatchConfig::DEFAULT
        };
        let s = summarise_ranked(&cases, &ranked, &config);
        assert_eq!((s.cases, s.in_scope, s.out_of_scope), (4, 2, 2));
        assert!((s.in_scope_accuracy - 0.5).abs() < 1e-9);
        assert!((s.wrong_answer_rate - 0.5).abs() < 1e-9);
        assert!((s.out_of_scope_refusal - 0.5).abs() < 1e-9);
        assert_eq!(s.confusion.get("b -> a"), Some(&1));
        assert_eq!(s.misses.len(), 2);
    }

    #[test]
    fn parse_cases_table() {
        assert_eq!(
            parse_cases("[[case]]\nquestion = \"x\"\nexpect = []\n")
                .map(|c| c.len())
                .ok(),
            Some(1)
        );
        assert!(matches!(parse_cases(""), Err(EvalError::Empty)));
        assert!(matches!(
            parse_cases("[[case]]\nquestion = 1\n"),
            Err(EvalError::Parse(_))
        ));
    }
}
