//! Evaluation on labelled parent questions: how often the bot answers right, answers wrong, and
//! refuses what it should refuse.
//!
//! A cases file is TOML with `[[case]]` tables of `question` and `expect` (the ids any of which
//! is a right answer; `[]` means the bot must not answer). An ambiguous outcome counts as right
//! only when its first candidate is expected, and as a refusal for an out-of-scope case.

use crate::knowledge::Knowledge;
use crate::matcher::{decide, Candidate, Decision, MatchConfig};
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
    /// "answer", "ambiguous" or `no_match`.
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
    /// Cases answered with "did you mean".
    pub ambiguous: usize,
    /// The threshold used.
    pub threshold: f32,
    /// (expected, got) -> count, for every in-scope case not answered right; "none" when not
    /// answered.
    pub confusion: BTreeMap<String, usize>,
    /// Every case that was not right.
    pub misses: Vec<Outcome>,
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

/// Ranks every case once, for [`summarise`] at one or many thresholds.
#[must_use]
pub fn rank_all(knowledge: &Knowledge, cases: &[Case]) -> Vec<Vec<Candidate>> {
    cases
        .iter()
        .map(|case| knowledge.matcher().rank(&case.question))
        .collect()
}

/// The figures for `cases` ranked as `ranked`, decided with `config`.
#[must_use]
pub fn summarise(cases: &[Case], ranked: &[Vec<Candidate>], config: &MatchConfig) -> Summary {
    let mut outcomes = Vec::with_capacity(cases.len());
    for (case, ranked) in cases.iter().zip(ranked) {
        let decision = decide(ranked, config);
        let best = decision.best();
        outcomes.push(Outcome {
            question: case.question.clone(),
            expect: case.expect.clone(),
            outcome: decision.outcome(),
            id: best.map(|c| c.id.clone()),
            score: best.map(|c| c.score),
            verdict: verdict(case, &decision),
        });
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
            "no_match" => "none".to_owned(),
            _ => o.id.clone().unwrap_or_else(|| "none".to_owned()),
        };
        *confusion
            .entry(format!("{} -> {got}", o.expect.join("|")))
            .or_default() += 1;
    }
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
        ambiguous: count(&|o| o.outcome == "ambiguous"),
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
    summarise(cases, &rank_all(knowledge, cases), knowledge.config())
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
        let s = summarise(&cases, &ranked, &config);
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
