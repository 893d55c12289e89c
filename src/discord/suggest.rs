//! Autocomplete for `/faq show topic`: FAQ entries whose title (or id) fuzzily matches what the
//! person has typed so far, best first.
//!
//! Tiers, so that a plain substring always beats a fuzzy guess:
//! 1. the title or id contains the typed text ("motor" -> "Fine motor skills");
//! 2. every typed word starts a word of the title ("wha is o" -> "What is OT?");
//! 3. every typed word is close to a title word, typos allowed ("ocupational therapy");
//! 4. the FAQ matcher recognises it as a question about the entry ("toddler not walking"),
//!    which also brings the synonyms ("PT", "hypotonia").

use crate::knowledge::Knowledge;
use crate::reply::Choice;

/// Discord shows at most 25 autocomplete choices.
pub const MAX_SUGGESTIONS: usize = 25;

/// A typed word is "close" to a title word at this Jaro-Winkler similarity: one or two typos in
/// a word of 6+ letters pass, a different word of similar letters does not.
const WORD_SIMILARITY: f64 = 0.85;

/// The matcher's score from which an entry is offered in the last tier: well below the
/// answering threshold, since here the person picks from a list and a loose match helps.
const MATCHER_FLOOR: f32 = 0.15;

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// How well `typed` (lower case, trimmed) matches an entry's title and id; 0 for not at all.
fn title_score(typed: &str, typed_words: &[String], title: &str, id: &str) -> f64 {
    let lower = title.to_lowercase();
    if let Some(pos) = lower.find(typed).or_else(|| id.find(typed)) {
        // Earlier is better, by a hair.
        return 4.0 - (pos as f64 / 1000.0).min(0.5);
    }
    let title_words = words(title);
    if typed_words.is_empty() {
        return 0.0;
    }
    if typed_words
        .iter()
        .all(|t| title_words.iter().any(|w| w.starts_with(t.as_str())))
    {
        return 3.0;
    }
    let mut total = 0.0;
    for t in typed_words {
        let best = title_words
            .iter()
            .map(|w| strsim::jaro_winkler(t, w))
            .fold(0.0, f64::max);
        if best < WORD_SIMILARITY {
            return 0.0;
        }
        total += best;
    }
    2.0 + total / typed_words.len() as f64
}

/// Up to `limit` entries for what has been typed so far, best first; with nothing typed, the
/// entries in title order.
#[must_use]
pub fn suggest(knowledge: &Knowledge, typed: &str, limit: usize) -> Vec<Choice> {
    let limit = limit.min(MAX_SUGGESTIONS);
    let typed = typed.trim().to_lowercase();
    let choice = |e: &crate::faq::Entry| Choice {
        id: e.id.clone(),
        title: e.title.clone(),
    };
    let entries = knowledge.faq().entries();
    if typed.is_empty() {
        let mut all: Vec<Choice> = entries.iter().map(choice).collect();
        all.sort_by(|a, b| a.title.cmp(&b.title));
        all.truncate(limit);
        return all;
    }
    let typed_words = words(&typed);
    let mut scored: Vec<(f64, &crate::faq::Entry)> = entries
        .iter()
        .map(|e| (title_score(&typed, &typed_words, &e.title, &e.id), e))
        .collect();
    for candidate in knowledge.matcher().rank(&typed) {
        if candidate.score < MATCHER_FLOOR {
            continue;
        }
        if let Some(slot) = scored.iter_mut().find(|(_, e)| e.id == candidate.id) {
            slot.0 = slot.0.max(1.0 + f64::from(candidate.score));
        }
    }
    scored.retain(|(score, _)| *score > 0.0);
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.title.cmp(&b.1.title)));
    scored
        .into_iter()
        .take(limit)
        .map(|(_, e)| choice(e))
        .collect()
}

/// The entry a topic names exactly: its id (what the autocomplete sends) or its title (any
/// case). Never a guess: what an edit is written to.
#[must_use]
pub fn exact<'k>(knowledge: &'k Knowledge, topic: &str) -> Option<&'k crate::faq::Entry> {
    let topic = topic.trim();
    let faq = knowledge.faq();
    faq.get(topic).or_else(|| {
        faq.entries()
            .iter()
            .find(|e| e.title.eq_ignore_ascii_case(topic))
    })
}

/// The entry a `/faq show` topic names: [`exact`], or else the best suggestion, as when someone
/// types a title without picking it from the list.
#[must_use]
pub fn resolve<'k>(knowledge: &'k Knowledge, topic: &str) -> Option<&'k crate::faq::Entry> {
    exact(knowledge, topic).or_else(|| {
        suggest(knowledge, topic.trim(), 1)
            .first()
            .and_then(|c| knowledge.faq().get(&c.id))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faq::{Entry, Faq};
    use crate::matcher::MatchConfig;
    use crate::synonyms::Synonyms;

    fn knowledge() -> Knowledge {
        let entry = |id: &str, title: &str, questions: &[&str]| Entry {
            id: id.into(),
            title: title.into(),
            questions: questions.iter().map(|q| (*q).to_owned()).collect(),
            keywords: vec![],
            related: vec![],
            sources: vec![],
            answer: "a".into(),
            file: format!("{id}.md"),
        };
        let checked = Faq::from_entries(
            vec![
                entry(
                    "what-is-ot",
                    "What is occupational therapy (OT)?",
                    &["what does an occupational therapist do"],
                ),
                entry(
                    "fine-motor",
                    "Fine motor skills",
                    &["trouble holding a pencil", "weak grip"],
                ),
                entry(
                    "walking",
                    "When should my child walk?",
                    &["my toddler is not walking yet", "late walker"],
                ),
            ],
            Synonyms::default(),
        )
        .expect("valid");
        Knowledge::new(checked.faq, MatchConfig::DEFAULT)
    }

    fn ids(choices: &[Choice]) -> Vec<&str> {
        choices.iter().map(|c| c.id.as_str()).collect()
    }

    #[test]
    fn suggest_table() {
        let k = knowledge();
        let table: [(&str, &[&str]); 7] = [
            ("motor", &["fine-motor"]),
            ("MOTOR SK", &["fine-motor"]),
            ("wha is occ", &["what-is-ot"]),
            ("ocupational therapy", &["what-is-ot"]),
            ("walking", &["walking"]),
            ("trouble holding pencil", &["fine-motor"]),
            ("zzzz", &[]),
        ];
        for (typed, want) in table {
            let got = suggest(&k, typed, 5);
            assert_eq!(ids(&got).first(), want.first(), "{typed:?}: {got:?}");
        }
    }

    #[test]
    fn suggest_empty_lists_titles_in_order() {
        let k = knowledge();
        assert_eq!(
            ids(&suggest(&k, " ", 25)),
            ["fine-motor", "what-is-ot", "walking"]
        );
        assert_eq!(suggest(&k, "", 2).len(), 2);
        assert!(suggest(&k, "", 1000).len() <= MAX_SUGGESTIONS);
    }

    #[test]
    fn resolve_table() {
        let k = knowledge();
        let table = [
            ("walking", Some("walking")),
            ("fine motor skills", Some("fine-motor")),
            ("ocupational", Some("what-is-ot")),
            ("qqqq", None),
        ];
        for (topic, want) in table {
            assert_eq!(resolve(&k, topic).map(|e| e.id.as_str()), want, "{topic:?}");
        }
    }
}
