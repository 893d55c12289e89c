//! Features a text is scored on: character n-grams of its words (which carry typos and word
//! forms for free), stemmed words, and adjacent stemmed word pairs (which carry word order).

use super::index::{Bag, Feature};
use std::hash::{Hash, Hasher};

/// Kinds of feature, mixed into the hash so that a word and an n-gram never collide by design.
#[derive(Clone, Copy)]
enum Kind {
    CharGram = 1,
    Stem = 2,
    StemPair = 3,
}

fn hash(kind: Kind, parts: &[&str]) -> Feature {
    let mut hasher = rustc_hash::FxHasher::default();
    (kind as u8).hash(&mut hasher);
    for part in parts {
        part.hash(&mut hasher);
    }
    hasher.finish()
}

fn hash_chars(chars: &[char]) -> Feature {
    let mut hasher = rustc_hash::FxHasher::default();
    (Kind::CharGram as u8).hash(&mut hasher);
    chars.hash(&mut hasher);
    hasher.finish()
}

/// Shortest character n-gram of the cosine scorer: bigrams still see two-letter words ("ot").
pub const COSINE_MIN_GRAM: usize = 2;
/// Shortest character n-gram of the BM25 n-gram scorer: bigrams there match too much noise.
pub const BM25_MIN_GRAM: usize = 3;
/// Longest character n-gram: five characters cover most English stems.
pub const MAX_GRAM: usize = 5;

/// The features of one prepared text, split by scorer.
#[derive(Debug, Default, Clone)]
pub struct TextFeatures {
    /// Character n-grams of lengths `BM25_MIN_GRAM..=MAX_GRAM`, with counts.
    pub grams_bm25: Vec<(Feature, u32)>,
    /// Character n-grams of lengths `COSINE_MIN_GRAM..=MAX_GRAM`, with counts.
    pub grams_cosine: Vec<(Feature, u32)>,
    /// Stemmed words and adjacent stem pairs, with counts and whether they are stop words.
    pub stems_and_pairs: Vec<(Feature, u32, bool)>,
    /// Stemmed words alone, with counts and whether they are stop words.
    pub stems: Vec<(Feature, u32, bool)>,
}

fn count<T: Eq + std::hash::Hash + Copy>(items: impl IntoIterator<Item = T>) -> Vec<(T, u32)> {
    let mut map: rustc_hash::FxHashMap<T, u32> = rustc_hash::FxHashMap::default();
    for item in items {
        *map.entry(item).or_default() += 1;
    }
    map.into_iter().collect()
}

/// Hash of a stem feature, for explaining which words matched.
#[must_use]
pub fn stem_feature(stem: &str) -> Feature {
    hash(Kind::Stem, &[stem])
}

/// Computes the features of a text from its words (normalised, synonyms applied) and their
/// stems, with `stop[i]` telling whether word `i` is a stop word.
#[must_use]
pub fn extract(words: &[String], stems: &[String], stop: &[bool]) -> TextFeatures {
    let mut chars: Vec<char> = Vec::with_capacity(words.iter().map(|w| w.len() + 1).sum::<usize>() + 1);
    chars.push(' ');
    for word in words {
        chars.extend(word.chars());
        chars.push(' ');
    }
    let mut grams = Vec::new();
    for start in 0..chars.len() {
        for n in COSINE_MIN_GRAM..=MAX_GRAM {
            if start + n > chars.len() {
                break;
            }
            let window = &chars[start..start + n];
            // A gram that is only spaces or starts and ends on one word boundary adds nothing.
            if n == 2 && window.iter().all(|c| *c == ' ') {
                continue;
            }
            grams.push((hash_chars(window), n));
        }
    }
    let grams_bm25 = count(grams.iter().filter(|(_, n)| *n >= BM25_MIN_GRAM).map(|(h, _)| *h));
    let grams_cosine = count(grams.iter().map(|(h, _)| *h));

    let stem_items: Vec<(Feature, bool)> = stems
        .iter()
        .zip(stop)
        .map(|(s, &is_stop)| (stem_feature(s), is_stop))
        .collect();
    let pairs = stems.windows(2).zip(stop.windows(2)).map(|(pair, stop)| {
        (hash(Kind::StemPair, &[&pair[0], &pair[1]]), stop[0] && stop[1])
    });
    let with_stop = |items: Vec<((Feature, bool), u32)>| {
        items
            .into_iter()
            .map(|((f, s), c)| (f, c, s))
            .collect::<Vec<_>>()
    };
    TextFeatures {
        grams_bm25,
        grams_cosine,
        stems_and_pairs: with_stop(count(stem_items.iter().copied().chain(pairs))),
        stems: with_stop(count(stem_items.iter().copied())),
    }
}

/// Adds `items` into a document bag.
pub fn add_to_bag<T>(bag: &mut Bag, items: &[(Feature, u32, T)]) {
    for (feature, count, _) in items {
        *bag.entry(*feature).or_default() += count;
    }
}

/// Adds `(feature, count)` pairs into a document bag.
pub fn add_pairs_to_bag(bag: &mut Bag, items: &[(Feature, u32)]) {
    for (feature, count) in items {
        *bag.entry(*feature).or_default() += count;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feats(text: &str) -> TextFeatures {
        let words = crate::text::words(text);
        let stems: Vec<String> = words.iter().map(|w| crate::text::stem(w)).collect();
        let stop: Vec<bool> = words.iter().map(|w| crate::text::is_stop_word(w)).collect();
        extract(&words, &stems, &stop)
    }

    #[test]
    fn typo_shares_most_grams() {
        let a = feats("therapy");
        let b = feats("therpy");
        let shared = a
            .grams_cosine
            .iter()
            .filter(|(f, _)| b.grams_cosine.iter().any(|(g, _)| g == f))
            .count();
        assert!(shared >= 5, "{shared}");
    }

    #[test]
    fn stems_and_pairs_counts() {
        let f = feats("walking walks");
        assert_eq!(f.stems.len(), 1);
        assert_eq!(f.stems[0].1, 2);
        assert_eq!(f.stems_and_pairs.len(), 2);
    }

    #[test]
    fn empty_text_has_no_word_features() {
        let f = feats("");
        assert!(f.stems.is_empty() && f.grams_bm25.is_empty());
    }
}
