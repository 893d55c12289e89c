//! Features a text is scored on: character n-grams of its words (which carry typos and word
//! forms for free), stemmed words, and adjacent stemmed word pairs (which carry word order).

use super::index::{Bag, Feature};
use std::cell::RefCell;
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

/// Counts equal items (sorting is cheaper than a hash map for a few hundred items), in order;
/// `hash` is the item's hash, its first key.
fn count<T: Ord + Copy>(mut items: Vec<T>, hash: impl Fn(&T) -> u64) -> Vec<(T, u32)> {
    sort_by_hash(&mut items, hash, |&item| item);
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
#[inline]
pub fn stem_feature(stem: &str) -> Feature {
    hash(Kind::Stem, &[stem])
}

/// Hash of a stem pair feature ("how" "long"), for checking an entry holds it.
#[must_use]
#[inline]
pub fn stem_pair_feature(first: &str, second: &str) -> Feature {
    hash(Kind::StemPair, &[first, second])
}

/// Calls `out` with each character n-gram of the text of `words`: their characters, each word
/// followed by a space and the first preceded by one, in every window of `MIN_GRAM..=MAX_GRAM`
/// characters. `chars` is scratch space.
fn for_each_gram(words: &[String], chars: &mut Vec<char>, mut out: impl FnMut(Feature)) {
    chars.clear();
    if words.is_empty() {
        return;
    }
    chars.push(' ');
    for word in words {
        chars.extend(word.chars());
        chars.push(' ');
    }
    for start in 0..chars.len() {
        for n in MIN_GRAM..=MAX_GRAM {
            if start + n > chars.len() {
                break;
            }
            out(hash_chars(&chars[start..start + n]));
        }
    }
}

/// Computes the features of a text from its words (normalised, synonyms applied) and their
/// stems, with `stop[i]` telling whether word `i` is a stop word.
#[must_use]
pub fn extract(words: &[String], stems: &[String], stop: &[bool]) -> TextFeatures {
    let mut chars: Vec<char> =
        Vec::with_capacity(words.iter().map(|w| w.len() + 1).sum::<usize>() + 1);
    let mut grams = Vec::with_capacity((chars.capacity()) * (MAX_GRAM - MIN_GRAM + 1));
    for_each_gram(words, &mut chars, |g| grams.push(g));
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
        grams: count(grams, |&g| g),
        stems_and_pairs: flatten(count(
            stem_items.iter().copied().chain(pairs).collect(),
            |&(f, _)| f,
        )),
        stems: flatten(count(stem_items, |&(f, _)| f)),
    }
}

// A stretch's n-grams are its parts' and those across each join, each counted once: a part's
// text is at least 3 characters (" a "), so an n-gram of at most 4 spans at most one join, and
// one of at least 2 is never both the end of a part's text and the start of the next one's
// (they share the space between them).
const _: () = assert!(MAX_GRAM <= 4 && MIN_GRAM >= 2);

/// A word feature of a stretch of text, as [`Segmented`] keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WordItem {
    /// The stem's or stem pair's feature.
    pub feature: Feature,
    /// A stop word, or a pair of two.
    pub stop: bool,
    /// A stem pair (scored by the stem+pair scorer only).
    pub pair: bool,
    /// Where it occurs (see [`Segmented`]).
    pub segment: u32,
}

/// The features of a message's parts, to score any stretch of consecutive parts as the text of
/// their words joined would be scored (as [`extract`] finds them), several stretches in one
/// pass. Each non-empty part `j` (in order, empty parts skipped) is segment `2 j`, and the join
/// between it and the next non-empty part, segment `2 j + 1`: the n-grams and the stem pair
/// that span the join. A stretch's features are those of its segments, counts added.
#[derive(Debug, Default)]
pub struct Segmented {
    /// (n-gram, segment), one item per occurrence, sorted by n-gram.
    pub grams: Vec<(Feature, u32)>,
    /// Stems and stem pairs, one item per occurrence, sorted by (feature, stop).
    pub words: Vec<WordItem>,
    /// Per part: its segment, or `None` for a part without words.
    pub segment_of: Vec<Option<u32>>,
    /// The sorts' scratch, given back with the lists when dropped (see [`BUFFERS`]).
    scratch: Buffers,
}

/// The lists a [`Segmented`] and its sorts fill, kept for the thread's next message (see
/// [`BUFFERS`]).
#[derive(Debug, Default)]
struct Buffers {
    grams: Vec<(Feature, u32)>,
    words: Vec<WordItem>,
    /// Scratch of the sorts (see [`sort_by_hash_in`]).
    sorted_grams: Vec<(Feature, u32)>,
    sorted_words: Vec<WordItem>,
    starts: Vec<u32>,
}

/// A list longer than this many items is not kept (see [`BUFFERS`]): a pasted page would
/// otherwise hold its megabytes for the life of the thread, and allocating anew costs little
/// beside reading it.
const KEPT_ITEMS_MAX: usize = 1 << 16;

impl Buffers {
    /// Drops the lists too long to keep (see [`KEPT_ITEMS_MAX`]).
    fn trimmed(mut self) -> Self {
        fn trim<T>(list: &mut Vec<T>) {
            list.clear();
            if list.capacity() > KEPT_ITEMS_MAX {
                *list = Vec::new();
            }
        }
        trim(&mut self.grams);
        trim(&mut self.words);
        trim(&mut self.sorted_grams);
        trim(&mut self.sorted_words);
        trim(&mut self.starts);
        self
    }
}

thread_local! {
    /// The lists of the thread's last [`Segmented`], reused by the next one. A message's
    /// n-grams take a few kilobytes: allocated for each message, they were the one large
    /// allocation of a read, on which the allocator gathers up every small block freed since
    /// (a tenth of the instructions of reading a CLINC150 query).
    static BUFFERS: RefCell<Buffers> = RefCell::default();
}

/// Takes the thread's kept lists (empty ones when there are none).
fn take_buffers() -> Buffers {
    BUFFERS
        .try_with(|kept| std::mem::take(&mut *kept.borrow_mut()))
        .unwrap_or_default()
}

impl Drop for Segmented {
    fn drop(&mut self) {
        let mut buffers = std::mem::take(&mut self.scratch);
        buffers.grams = std::mem::take(&mut self.grams);
        buffers.words = std::mem::take(&mut self.words);
        let buffers = buffers.trimmed();
        // Fails only while the thread ends, when nothing is to be kept.
        let _ = BUFFERS.try_with(|kept| *kept.borrow_mut() = buffers);
    }
}

impl Segmented {
    /// The features of `parts`, each (words, stems, stop flags).
    #[must_use]
    pub fn new<'a>(
        parts: impl IntoIterator<Item = (&'a [String], &'a [String], &'a [bool])>,
    ) -> Self {
        let parts = parts.into_iter();
        let mut scratch = take_buffers();
        let mut out = Segmented {
            segment_of: Vec::with_capacity(parts.size_hint().0),
            grams: std::mem::take(&mut scratch.grams),
            words: std::mem::take(&mut scratch.words),
            scratch: Buffers::default(),
        };
        let mut chars = Vec::with_capacity(64);
        let mut previous: Option<(&[String], &String, bool)> = None;
        let mut next_segment = 0_u32;
        for (words, stems, stop) in parts {
            if words.is_empty() {
                out.segment_of.push(None);
                continue;
            }
            if let Some((before, last_stem, last_stop)) = previous {
                let join = next_segment + 1;
                cross_grams(before, words, |g| out.grams.push((g, join)));
                out.words.push(WordItem {
                    feature: stem_pair_feature(last_stem, &stems[0]),
                    stop: last_stop && stop[0],
                    pair: true,
                    segment: join,
                });
                next_segment += 2;
            }
            let segment = next_segment;
            out.segment_of.push(Some(segment));
            let letters: usize = words.iter().map(|w| w.len() + 1).sum::<usize>() + 1;
            out.grams
                .reserve(letters * (MAX_GRAM - MIN_GRAM + 1) + 2 * MAX_GRAM);
            out.words.reserve(2 * words.len() + 1);
            for_each_gram(words, &mut chars, |g| out.grams.push((g, segment)));
            for (stem, &is_stop) in stems.iter().zip(stop) {
                out.words.push(WordItem {
                    feature: stem_feature(stem),
                    stop: is_stop,
                    pair: false,
                    segment,
                });
            }
            for (pair, stop) in stems.windows(2).zip(stop.windows(2)) {
                out.words.push(WordItem {
                    feature: stem_pair_feature(&pair[0], &pair[1]),
                    stop: stop[0] && stop[1],
                    pair: true,
                    segment,
                });
            }
            previous = stems.last().map(|s| (words, s, stop[stop.len() - 1]));
        }
        sort_by_hash_in(
            &mut out.grams,
            (&mut scratch.sorted_grams, &mut scratch.starts),
            |&(feature, _)| feature,
            |&(feature, _)| feature,
        );
        sort_by_hash_in(
            &mut out.words,
            (&mut scratch.sorted_words, &mut scratch.starts),
            |item| item.feature,
            |item| (item.feature, item.stop),
        );
        out.scratch = scratch;
        out
    }

    /// The segments of the parts `parts` (as `start..=end`), or `None` when they hold no word.
    #[must_use]
    pub fn segments(&self, parts: std::ops::Range<usize>) -> Option<(u32, u32)> {
        let mut inside = self.segment_of[parts].iter().flatten();
        let first = *inside.next()?;
        let last = inside.last().copied().unwrap_or(first);
        Some((first, last))
    }
}

/// Sorts `items` by `key`, whose first part is `hash`, a hash (spread evenly over `u64`): in
/// linear time, by the top bits of the hash into about one bucket per item, then by insertion
/// (which only moves an item within its bucket). Several times quicker than a comparison sort
/// for the few hundred n-grams of a message.
pub(crate) fn sort_by_hash<T: Copy, K: Ord>(
    items: &mut Vec<T>,
    hash: impl Fn(&T) -> u64,
    key: impl Fn(&T) -> K,
) {
    sort_by_hash_in(items, (&mut Vec::new(), &mut Vec::new()), hash, key);
}

/// [`sort_by_hash`] with its scratch lists given (`sorted` ends up holding the list as it was).
fn sort_by_hash_in<T: Copy, K: Ord>(
    items: &mut Vec<T>,
    (sorted, starts): (&mut Vec<T>, &mut Vec<u32>),
    hash: impl Fn(&T) -> u64,
    key: impl Fn(&T) -> K,
) {
    let n = items.len();
    if n < 2 {
        return;
    }
    let bits = usize::BITS - (n - 1).leading_zeros();
    let bucket = |item: &T| (hash(item) >> (64 - bits)) as usize;
    starts.clear();
    starts.resize((1 << bits) + 1, 0);
    for item in items.iter() {
        starts[bucket(item) + 1] += 1;
    }
    for b in 1..starts.len() {
        starts[b] += starts[b - 1];
    }
    sorted.clone_from(items);
    for item in items.iter() {
        let at = &mut starts[bucket(item)];
        sorted[*at as usize] = *item;
        *at += 1;
    }
    for i in 1..n {
        let item = sorted[i];
        let mut j = i;
        while j > 0 && key(&sorted[j - 1]) > key(&item) {
            sorted[j] = sorted[j - 1];
            j -= 1;
        }
        sorted[j] = item;
    }
    std::mem::swap(items, sorted);
}

/// Calls `out` with each n-gram of the text of `before` and `after` joined that neither text
/// holds alone: those that start before the space between them and end after it. Both are
/// non-empty.
fn cross_grams(before: &[String], after: &[String], mut out: impl FnMut(Feature)) {
    // The end of the first text (up to the space they share) and the start of the second after it.
    let mut tail: Vec<char> = Vec::with_capacity(2 * MAX_GRAM);
    let last = before.last().map_or("", String::as_str);
    let end: Vec<char> = last.chars().rev().take(MAX_GRAM - 2).collect();
    if end.len() < MAX_GRAM - 2 {
        tail.push(' ');
    }
    tail.extend(end.iter().rev());
    tail.push(' ');
    let shared = tail.len() - 1;
    let first = after.first().map_or("", String::as_str);
    tail.extend(first.chars().chain(std::iter::once(' ')).take(MAX_GRAM - 2));
    for start in 0..shared {
        for n in MIN_GRAM..=MAX_GRAM {
            if start + n > shared + 1 && start + n <= tail.len() {
                out(hash_chars(&tail[start..start + n]));
            }
        }
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

    /// The features [`Segmented`] gives the parts `span`, as [`extract`] lists them.
    fn of_span(segmented: &Segmented, span: std::ops::Range<usize>) -> TextFeatures {
        let Some((first, last)) = segmented.segments(span) else {
            return TextFeatures::default();
        };
        let inside = |segment: u32| first <= segment && segment <= last;
        let grams = segmented
            .grams
            .chunk_by(|a, b| a.0 == b.0)
            .map(|g| (g[0].0, g.iter().filter(|(_, s)| inside(*s)).count() as u32))
            .filter(|&(_, count)| count > 0)
            .collect();
        let words = |with_pairs: bool| {
            segmented
                .words
                .chunk_by(|a, b| (a.feature, a.stop) == (b.feature, b.stop))
                .map(|g| {
                    let count = g
                        .iter()
                        .filter(|i| inside(i.segment) && (with_pairs || !i.pair))
                        .count() as u32;
                    (g[0].feature, count, g[0].stop)
                })
                .filter(|&(_, count, _)| count > 0)
                .collect()
        };
        TextFeatures {
            grams,
            stems_and_pairs: words(true),
            stems: words(false),
        }
    }

    #[test]
    fn a_stretch_of_parts_has_the_features_of_its_words_joined() {
        // Words of one letter at the joins, a repeated word, stop words, an empty part.
        let texts = [
            "is it a",
            "",
            "b or the walking walks",
            "x",
            "x y",
            "therapy for my 3 yo",
            "walking",
        ];
        let parts: Vec<(Vec<String>, Vec<String>, Vec<bool>)> = texts
            .iter()
            .map(|text| {
                let words = crate::text::words(text);
                let stems = words.iter().map(|w| crate::text::stem(w)).collect();
                let stop = words.iter().map(|w| crate::text::is_stop_word(w)).collect();
                (words, stems, stop)
            })
            .collect();
        let segmented = Segmented::new(parts.iter().map(|(w, s, t)| (&w[..], &s[..], &t[..])));
        for start in 0..texts.len() {
            for end in start..=texts.len() {
                let joined = |i: usize| -> Vec<String> {
                    parts[start..end]
                        .iter()
                        .flat_map(|p| match i {
                            0 => p.0.clone(),
                            _ => p.1.clone(),
                        })
                        .collect()
                };
                let stop: Vec<bool> = parts[start..end].iter().flat_map(|p| p.2.clone()).collect();
                let whole = extract(&joined(0), &joined(1), &stop);
                let pieces = of_span(&segmented, start..end);
                assert_eq!(whole.grams, pieces.grams, "{start}..{end}");
                assert_eq!(whole.stems, pieces.stems, "{start}..{end}");
                assert_eq!(
                    whole.stems_and_pairs, pieces.stems_and_pairs,
                    "{start}..{end}"
                );
            }
        }
    }

    #[test]
    fn sorting_by_hash_sorts() {
        let mut state = 0x2545_f491_u64;
        let mut items: Vec<(u64, u32)> = (0..700)
            .map(|i| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                // Repeated keys too, with different payloads.
                (if i % 7 == 0 { 42 } else { state }, i % 5)
            })
            .collect();
        let mut expected = items.clone();
        expected.sort_unstable();
        sort_by_hash(&mut items, |&(h, _)| h, |&item| item);
        assert_eq!(items, expected);
    }

    #[test]
    fn empty_text_has_no_word_features() {
        let f = feats("");
        assert!(f.stems.is_empty() && f.grams.is_empty());
    }
}
