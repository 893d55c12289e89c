//! Grouping near-identical phrasings of a question, so the report shows "how much does OT cost"
//! once with a count instead of once per spelling.
//!
//! Pure functions, no I/O. Each question is normalised (lowercase, anything not a letter or
//! digit becomes a space, spaces collapsed), then clustered greedily in the order given: a
//! question joins the most similar existing group whose first question it resembles, else it
//! starts a new group. Two questions resemble each other if their normalised forms are close by
//! edit distance or share most of their words (see the constants).

use std::cmp::Reverse;
use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

/// Normalised Levenshtein similarity at or above which two questions are one: 0.8 lets through
/// a typo, a plural or a dropped word in a short question ("how much does ot costs"). Known cost:
/// very short questions that differ in one key word ("what is OT" / "what is PT", 0.9) merge too;
/// the group's examples show the moderator both phrasings.
pub const SAME_QUESTION_LEVENSHTEIN: f64 = 0.8;

/// Jaccard similarity of word sets at or above which two questions are one: 0.7 catches the same
/// words in another order ("OT cost how much") while two words of difference in a short
/// question keep them apart.
pub const SAME_QUESTION_JACCARD: f64 = 0.7;

/// Only this many characters of each normalised question are compared: questions are short, and
/// edit distance is quadratic in length, so a pasted essay must not make the report crawl.
const SIMILARITY_MAX_CHARS: usize = 200;

/// Other phrasings shown per group besides the representative.
pub const GROUP_EXAMPLES: usize = 3;

/// Questions that were asked in near-identical words, most frequent phrasing first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuestionGroup {
    /// The most frequent phrasing (earliest on a tie), as it was first asked.
    pub representative: String,
    /// How many questions the group holds.
    pub count: u64,
    /// Up to [`GROUP_EXAMPLES`] other phrasings, as first asked; phrasings that differ only in
    /// case or punctuation count as one.
    pub examples: Vec<String>,
    /// The FAQ entries the bot gave for these questions, sorted (empty for unanswered ones).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub entry_ids: Vec<String>,
}

/// Lowercase; every character that is not alphanumeric becomes a space; runs of spaces collapse
/// and the ends are trimmed.
///
/// ```
/// # use faqbot::store::normalise_question;
/// assert_eq!(normalise_question("  How much does OT cost?? "), "how much does ot cost");
/// ```
#[must_use]
pub fn normalise_question(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Jaccard similarity of the word sets of two normalised questions (0 when both are empty).
fn jaccard(a: &str, b: &str) -> f64 {
    let a: BTreeSet<&str> = a.split(' ').filter(|w| !w.is_empty()).collect();
    let b: BTreeSet<&str> = b.split(' ').filter(|w| !w.is_empty()).collect();
    let union = a.union(&b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(&b).count() as f64 / union as f64
}

/// How alike two normalised questions are, if alike enough to be one question.
fn closeness(a: &str, b: &str) -> Option<f64> {
    let lev = strsim::normalized_levenshtein(a, b);
    let jac = jaccard(a, b);
    (lev >= SAME_QUESTION_LEVENSHTEIN || jac >= SAME_QUESTION_JACCARD).then_some(lev.max(jac))
}

/// Whether two questions (raw text) count as the same question.
///
/// ```
/// # use faqbot::store::same_question;
/// assert!(same_question("How much does OT cost??", "how much does ot costs"));
/// assert!(!same_question("how much does OT cost", "do you take insurance"));
/// ```
#[must_use]
pub fn same_question(a: &str, b: &str) -> bool {
    closeness(
        &compared_part(&normalise_question(a)),
        &compared_part(&normalise_question(b)),
    )
    .is_some()
}

fn compared_part(normalised: &str) -> String {
    normalised.chars().take(SIMILARITY_MAX_CHARS).collect()
}

/// One distinct normalised phrasing within a group.
struct Phrasing {
    first_text: String,
    count: u64,
}

struct Building {
    /// The compared part of the group's first question; later questions are measured against it.
    seed: String,
    /// Distinct normalised phrasings, in first-seen order.
    phrasings: Vec<Phrasing>,
    count: u64,
    entry_ids: BTreeSet<String>,
}

/// Groups questions (text, FAQ entry given) in the order given; the result is sorted by size,
/// largest first, ties in order of first appearance.
pub(crate) fn group_questions<I>(questions: I) -> Vec<QuestionGroup>
where
    I: IntoIterator<Item = (String, Option<String>)>,
{
    let mut groups: Vec<Building> = Vec::new();
    // Exact normalised form -> (group, phrasing) so repeats skip the distance computations.
    let mut seen: HashMap<String, (usize, usize)> = HashMap::new();
    for (text, entry_id) in questions {
        let normalised = normalise_question(&text);
        let (group, phrasing) = if let Some(&found) = seen.get(&normalised) {
            found
        } else {
            let compared = compared_part(&normalised);
            let best = groups
                .iter()
                .enumerate()
                .filter_map(|(i, g)| closeness(&compared, &g.seed).map(|score| (i, score)))
                // max_by keeps the last of equals; reverse so the earliest group wins a tie.
                .rev()
                .max_by(|x, y| x.1.total_cmp(&y.1))
                .map(|(i, _)| i);
            let group = best.unwrap_or_else(|| {
                groups.push(Building {
                    seed: compared,
                    phrasings: Vec::new(),
                    count: 0,
                    entry_ids: BTreeSet::new(),
                });
                groups.len() - 1
            });
            let phrasings = &mut groups[group].phrasings;
            phrasings.push(Phrasing {
                first_text: text,
                count: 0,
            });
            let found = (group, phrasings.len() - 1);
            seen.insert(normalised, found);
            found
        };
        let g = &mut groups[group];
        g.count += 1;
        g.phrasings[phrasing].count += 1;
        if let Some(id) = entry_id {
            g.entry_ids.insert(id);
        }
    }
    // Stable sort keeps first-appearance order among equal counts.
    groups.sort_by_key(|g| Reverse(g.count));
    groups.into_iter().map(finish).collect()
}

fn finish(group: Building) -> QuestionGroup {
    let mut phrasings = group.phrasings;
    // Stable: equal counts stay in first-seen order.
    phrasings.sort_by_key(|p| Reverse(p.count));
    let mut texts = phrasings.into_iter().map(|p| p.first_text);
    QuestionGroup {
        representative: texts.next().unwrap_or_default(),
        count: group.count,
        examples: texts.take(GROUP_EXAMPLES).collect(),
        entry_ids: group.entry_ids.into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_table() {
        let table = [
            ("How much does OT cost??", "how much does ot cost"),
            ("  spaced   out  ", "spaced out"),
            ("don't-stop", "don t stop"),
            ("ÉCOLE école", "école école"),
            ("???", ""),
            ("", ""),
            ("line\nbreak\ttab", "line break tab"),
            ("age 3½", "age 3½"),
        ];
        for (input, want) in table {
            assert_eq!(normalise_question(input), want, "{input:?}");
        }
    }

    #[test]
    fn same_question_table() {
        let table = [
            ("how much does OT cost", "How much does OT cost??", true),
            ("how much does OT cost", "how much does ot costs", true),
            ("How much does OT cost??", "how much does ot costs", true),
            ("OT cost how much", "how much does OT cost", true),
            ("how much does OT cost", "do you take insurance", false),
            ("what is autism", "what is speech therapy", false),
            ("my baby has a cough", "my baby has a fever", false),
            // The known cost of the edit-distance rule on very short questions.
            ("what is OT", "what is PT", true),
        ];
        for (a, b, want) in table {
            assert_eq!(same_question(a, b), want, "{a:?} vs {b:?}");
            assert_eq!(same_question(b, a), want, "{b:?} vs {a:?}");
        }
    }

    #[test]
    fn jaccard_table() {
        let table = [
            ("a b c", "a b c", 1.0),
            ("a b", "c d", 0.0),
            ("a b c d", "a b c e", 0.6),
            ("", "", 0.0),
        ];
        for (a, b, want) in table {
            assert!((jaccard(a, b) - want).abs() < 1e-9, "{a:?} vs {b:?}");
        }
    }

    fn unanswered(texts: &[&str]) -> Vec<(String, Option<String>)> {
        texts.iter().map(|t| ((*t).to_owned(), None)).collect()
    }

    #[test]
    fn groups_near_identical_phrasings_most_frequent_first() {
        let groups = group_questions(unanswered(&[
            "do you take insurance",
            "how much does OT cost",
            "How much does OT cost??",
            "how much does ot costs",
        ]));
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].count, 3);
        assert_eq!(groups[0].representative, "how much does OT cost");
        assert_eq!(
            groups[0].examples,
            vec!["how much does ot costs".to_owned()]
        );
        assert_eq!(groups[1].representative, "do you take insurance");
        assert_eq!(groups[1].count, 1);
        assert!(groups[1].examples.is_empty());
    }

    #[test]
    fn representative_is_the_most_frequent_phrasing() {
        let groups = group_questions(unanswered(&[
            "how much does ot costs",
            "How much does OT cost?",
            "how much does OT cost",
        ]));
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].representative, "How much does OT cost?");
        assert_eq!(
            groups[0].examples,
            vec!["how much does ot costs".to_owned()]
        );
    }

    #[test]
    fn examples_are_capped() {
        let groups = group_questions(unanswered(&[
            "how much does ot cost",
            "how much does ot costs",
            "how much does ot cost now",
            "how much does an ot cost",
            "how much do ot cost",
            "how much does ot cost us",
        ]));
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].count, 6);
        assert_eq!(groups[0].examples.len(), GROUP_EXAMPLES);
    }

    #[test]
    fn groups_collect_sorted_distinct_entry_ids() {
        let groups = group_questions(vec![
            ("what is OT".to_owned(), Some("what-is-ot".to_owned())),
            ("what is ot?".to_owned(), Some("ot-vs-pt".to_owned())),
            ("What is OT".to_owned(), Some("what-is-ot".to_owned())),
        ]);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].entry_ids, vec!["ot-vs-pt", "what-is-ot"]);
    }

    #[test]
    fn empty_input_gives_no_groups() {
        assert!(group_questions(Vec::new()).is_empty());
    }

    #[test]
    fn long_questions_are_compared_on_their_start_only() {
        let long_a = format!("how much does ot cost {}", "blah ".repeat(500));
        let long_b = format!("how much does ot cost {}", "blah ".repeat(900));
        assert!(same_question(&long_a, &long_b));
    }
}
