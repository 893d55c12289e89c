//! Moderator-kept synonyms: "OT" is read as "occupational therapy", "physio" as "physical
//! therapy".
//!
//! No string similarity sees that "physio" and "physical therapy" mean the same thing, so the FAQ
//! folder carries a small list of such equivalences (`faq/synonyms.toml`). Both the FAQ's
//! questions and parents' messages are rewritten with it before matching, so either side may use
//! either form.

use crate::text::words;
use rustc_hash::FxHashMap;

/// One rewrite: the variant's words and the canonical words they become.
type Rule = (Vec<String>, Vec<String>);

/// Word sequences that are rewritten to their canonical words before matching.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    /// First word of a variant -> its rules, longest variant first.
    by_first_word: FxHashMap<String, Vec<Rule>>,
    len: usize,
    alternatives: Vec<Vec<String>>,
}

impl Synonyms {
    /// Builds the table from `(canonical, variants)` pairs, all normalised with
    /// [`crate::text::words`]. Empty variants are skipped.
    #[must_use]
    pub fn new<'a, I, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (&'a str, V)>,
        V: IntoIterator<Item = &'a str>,
    {
        let mut table = Synonyms::default();
        for (canonical, variants) in pairs {
            let canonical = words(canonical);
            for variant in variants {
                let variant = words(variant);
                let Some(first) = variant.first().cloned() else {
                    continue;
                };
                table.len += 1;
                let rules = table.by_first_word.entry(first).or_default();
                rules.push((variant, canonical.clone()));
                rules.sort_by_key(|(variant, _)| std::cmp::Reverse(variant.len()));
            }
        }
        table
    }

    /// The same table with groups of alternatives: words, as read after synonyms, that name
    /// one of several options ("occupational", "physical"). A question that names one is not
    /// answered by an entry that names only others (see `crate::matcher::Refusal`).
    #[must_use]
    pub fn with_alternatives(mut self, groups: Vec<Vec<String>>) -> Self {
        self.alternatives = groups;
        self
    }

    /// The groups of alternatives.
    #[must_use]
    pub fn alternatives(&self) -> &[Vec<String>] {
        &self.alternatives
    }

    /// How many variants the table rewrites.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there is nothing to rewrite.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Rewrites every whole-word occurrence of a variant to its canonical words, longest variant
    /// first, in one left-to-right pass (a rewrite is never rewritten again).
    ///
    /// ```
    /// use faqbot::synonyms::Synonyms;
    /// let table = Synonyms::new([("physical therapy", ["pt", "physio"])]);
    /// let words = faqbot::text::words("PT or physio?");
    /// assert_eq!(
    ///     table.apply(words),
    ///     ["physical", "therapy", "or", "physical", "therapy"]
    /// );
    /// ```
    #[must_use]
    pub fn apply(&self, input: Vec<String>) -> Vec<String> {
        if self.is_empty() {
            return input;
        }
        let mut input = input;
        let mut out = Vec::with_capacity(input.len() + 4);
        let mut i = 0;
        while i < input.len() {
            let rule = self.by_first_word.get(&input[i]).and_then(|rules| {
                rules
                    .iter()
                    .find(|(variant, _)| input[i..].starts_with(variant))
            });
            if let Some((variant, canonical)) = rule {
                out.extend(canonical.iter().cloned());
                i += variant.len();
            } else {
                // Moved, not cloned: only the words from `i` on are compared again.
                out.push(std::mem::take(&mut input[i]));
                i += 1;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Synonyms {
        Synonyms::new([
            ("occupational therapy", vec!["ot", "occ therapy"]),
            ("occupational therapist", vec!["ots"]),
            ("low muscle tone", vec!["hypotonia", "floppy muscles"]),
        ])
    }

    #[test]
    fn apply_table() {
        let cases = [
            ("ot", "occupational therapy"),
            ("what is OT?", "what is occupational therapy"),
            ("occ therapy", "occupational therapy"),
            ("occ", "occ"),
            ("my kid has hypotonia", "my kid has low muscle tone"),
            (
                "floppy muscles and floppy ears",
                "low muscle tone and floppy ears",
            ),
            ("ots and pts", "occupational therapist and pts"),
            ("rotate", "rotate"),
            ("", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(table().apply(words(input)).join(" "), expected, "{input}");
        }
    }

    #[test]
    fn empty_variants_are_skipped() {
        let t = Synonyms::new([("x", vec!["", "  "])]);
        assert!(t.is_empty());
        assert_eq!(t.apply(words("a b")), ["a", "b"]);
    }
}
