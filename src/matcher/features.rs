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

/// Shortest character n-gram: trigrams see most of a short word ("ot " in " ot "); bigrams
/// cost a third more lookups and did not move CLINC150 val.
pub const MIN_GRAM: usize = 3;
/// Longest character n-gram: 5-grams cost a quarter more lookups and did not move CLINC150
/// val or test (86.9 vs 86.8 balanced at K=all).
pub const MAX_GRAM: usize = 4;

/// The features of one prepared text, split by scorer.
#[derive(Debug, Default, Clone)]
pub struct TextFeatures {
    /// Character n-grams of lengths `MIN_GRAM..=MAX_GRAM` across word boundaries, with counts.
    pub grams: Vec<(Feature, u32)>,
    /// Stemmed words and adjacent stem pairs, with counts and whether they are stop words.
    pub stems_and_pairs: Vec<(Feature, u32, bool)>,
    /// Stemmed words alone, with counts and whether they are stop words.
    pub stems: Vec<(Feature, u32, bool)>,
}

/// Counts equal items (sorting is cheaper than a hash map for a few hundred items).
fn count<T: Ord + Copy>(mut items: Vec<T>) -> Vec<(T, u32)> {
    items.sort_unstable();
    let mut out: Vec<(T, u32)> = Vec::with_capacity(items.len());
    for item in items {
        match out.last_mut() {
            Some((last, n)) if *last == item => *n += 1,
            _ => out.push((item, 1)),
        }
    }
    out
}

/// Hash of a stem feature, for explaining which words matched.
#[must_use]
pub fn stem_feature(stem: &str) -> Feature {
    hash(Kind::Stem, &[stem])
}

/// Hash of a stem pair feature ("how" "long"), for checking an entry holds it.
#[must_use]
pub fn stem_pair_feature(first: &str, second: &str) -> Feature {
    hash(Kind::StemPair, &[first, second])
}

/// Computes the features of a text from its words (normalised, synonyms applied) and their
/// stems, with `stop[i]` telling whether word `i` is a stop word.
#[must_use]
pub fn extract(words: &[String], stems: &[String], stop: &[bool]) -> TextFeatures {
    let mut chars: Vec<char> =
        Vec::with_capacity(words.iter().map(|w| w.len() + 1).sum::<usize>() + 1);
    chars.push(' ');
    for word in words {
        chars.extend(word.chars());
        chars.push(' ');
    }
    let mut grams = Vec::with_capacity(chars.len() * (MAX_GRAM - MIN_GRAM + 1));
    if words.is_empty() {
        chars.clear();
    }
    for start in 0..chars.len() {
        for n in MIN_GRAM..=MAX_GRAM {
            if start + n > chars.len() {
                break;
            }
            grams.push(hash_chars(&chars[start..start + n]));
        }
    }
    let stem_items: Vec<(Feature, bool)> = stems
        .iter()
        .zip(stop)
        .map(|(s, &is_stop)| (stem_feature(s), is_stop))
        .collect();
    let pairs = stems.windows(2).zip(stop.windows(2)).map(|(pair, stop)| {
        (
            hash(Kind::StemPair, &[&pair[0], &pair[1]]),
            stop[0] && stop[1],
        )
    });
    let flatten = |items: Vec<((Feature, bool), u32)>| {
        items
            .into_iter()
            .map(|((f, s), c)| (f, c, s))
            .collect::<Vec<_>>()
    };
    TextFeatures {
        grams: count(grams),
        stems_and_pairs: flatten(count(stem_items.iter().copied().chain(pairs).collect())),
        stems: flatten(count(stem_items)),
    }
}

/// Adds `(feature, count, _)` items into a document bag.
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
            .grams
            .iter()
            .filter(|(f, _)| b.grams.iter().any(|(g, _)| g == f))
            .count();
        assert!(shared >= 4, "{shared}");
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
        assert!(f.stems.is_empty() && f.grams.is_empty());
    }
}
