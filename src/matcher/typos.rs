//! Typo correction against real English: a word is read as another only when it is not an
//! English word (or a far rarer one than the correction), with a cost per kind of edit.
//!
//! A noisy-channel choice: the typed word `w` is read as `c` when
//! `ln f(c) - cost(w -> c) > ln f(w) + CORRECTION_MARGIN`, where `f` is a word's frequency in
//! English (`data/english-words.txt`, see `data/README.md`) and `cost` a weighted edit distance
//! in which a letter left out (the commonest slip when typing fast: "wat", "dauter", "shud") is
//! cheaper than a wrong one. So "paying" stays "paying" (a common word, and "playing" is only
//! three times as frequent), while "shoos" becomes "shoes" (three thousand times rarer).
//! Targets are the FAQ's own words and the common English words (question words among them,
//! so "wat is ot" reads "what is ot" and is seen to ask).

use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::OnceLock;

/// The English words with their frequencies, most frequent first (see `data/README.md`).
const ENGLISH_WORDS: &str = include_str!("../../data/english-words.txt");

/// Frequency given to a word of the English list that the frequency list lacks (mostly
/// contractions such as "dont" and "ive", which are common): high enough that such a word is
/// never "corrected" into a neighbour ("dont" -> "done").
const LISTED_WITHOUT_COUNT: f32 = 1.0e7;

/// Frequency given to an FAQ word the English list lacks ("playdough", "proprioception"): a
/// moderately common word, so a typo near it is corrected but a real word near it is not.
const FAQ_WORD_COUNT: f32 = 1.0e7;

/// An English word is a correction target when at least this frequent (about the 20 000 most
/// common words): a rarer target would turn typos into obscure words nobody meant.
const TARGET_MIN_COUNT: u64 = 1_000_000;

/// A correction into the FAQ's own words is this much likelier (in natural log units, about 7
/// times) than into another English word: the message is a question to this FAQ ("shoos" is
/// "shoes" here, not "shows").
const FAQ_WORD_BONUS: f32 = 2.0;

/// A word at least this frequent in English is never corrected: it is what was typed ("toe"
/// is not a slip for "to", "paying" not for "playing").
const KNOWN_WORD_COUNT: f32 = 5.0e6;

/// How much more likely the correction must be than the word as typed, in natural log units
/// (e^1.5 is about 4.5 times), on top of the edit costs: a real word is kept unless the
/// correction is clearly what was meant.
const CORRECTION_MARGIN: f32 = 1.5;

/// Cost of a letter of the correction missing from the typed word ("wat" for "what"), in
/// natural log units of frequency: the most common slip.
const COST_OMITTED: f32 = 3.0;
/// Cost of two neighbouring letters swapped ("teh").
const COST_SWAPPED: f32 = 3.5;
/// Cost of an extra letter typed ("shooes").
const COST_EXTRA: f32 = 4.0;
/// Cost of a wrong letter ("shoos" for "shoes"): a substitution often makes another real word.
const COST_WRONG: f32 = 5.0;

/// Shortest word that is corrected: one- and two-letter words ("ot", "u", "2") have too many
/// neighbours, and the moderators' synonyms handle such abbreviations.
pub const TYPO_MIN_LEN: usize = 3;
/// From this length on a word may be two edits from its correction; shorter words one edit,
/// except for omitted letters, which may be two from 4 letters on ("shud", "dauter").
pub const TYPO_TWO_EDITS_LEN: usize = 7;
/// Longest word that is corrected. No English word a parent types is longer, and the work of a
/// correction grows with the square of the length (deletion variants, edit distance), so a
/// pasted 4 000-letter "word" or a run of CJK text costs nothing here.
pub const TYPO_MAX_LEN: usize = 24;

/// English words at least this frequent (the 9 207 most common) have their stems worked out
/// once, with the list: most of a parent's story is such words and the FAQ lacks them.
/// Stemming them per message was 6% of a 6-sentence message's instructions; looked up, the
/// message takes 786k instead of 824k (callgrind over `examples/profile.rs`). Working them out
/// takes about 8 ms, once per process.
const STEM_KEPT_MIN_COUNT: u64 = 5_000_000;

/// The English word list, parsed once.
struct English {
    counts: FxHashMap<&'static str, f32>,
    /// The stems of the most common words (see [`STEM_KEPT_MIN_COUNT`]).
    stems: FxHashMap<&'static str, Box<str>>,
    /// Deletion index of the correction targets (common words).
    targets: DeletionIndex,
}

fn english() -> &'static English {
    static ENGLISH: OnceLock<English> = OnceLock::new();
    ENGLISH.get_or_init(|| {
        let mut counts = FxHashMap::default();
        let mut stems = FxHashMap::default();
        let mut target_words = Vec::new();
        for line in ENGLISH_WORDS.lines() {
            let Some((word, count)) = line.split_once(' ') else {
                continue;
            };
            let count: u64 = count.trim().parse().unwrap_or(0);
            let frequency = if count == 0 {
                LISTED_WITHOUT_COUNT
            } else {
                count as f32
            };
            counts.insert(word, frequency);
            if count >= STEM_KEPT_MIN_COUNT {
                stems.insert(word, crate::text::stem(word).into_boxed_str());
            }
            if count >= TARGET_MIN_COUNT {
                target_words.push(word);
            }
        }
        let mut targets = DeletionIndex::default();
        for word in target_words {
            targets.insert(word, counts[word]);
        }
        targets.finish();
        English {
            counts,
            stems,
            targets,
        }
    })
}

/// Parses the English list now, if not yet done: it takes tens of milliseconds once per process,
/// which belong to start-up (building the first index), not to a parent's first message.
pub(crate) fn warm_up() {
    english();
}

/// Frequency of a word in English (a count in a web corpus), if it is one.
pub(crate) fn frequency(word: &str) -> Option<f32> {
    english().counts.get(word).copied()
}

/// At most this many words of one message are looked up for a correction (the costly step): a
/// parent's message has a few unknown words, and one with more is pasted text or gibberish,
/// whose further words are read as typed. It bounds a message's typo work.
pub const MAX_TYPO_LOOKUPS: usize = 48;

/// Words under every form with one or two letters deleted, hashed, so that a typed word finds
/// its neighbours with a few lookups instead of a scan. Built by [`DeletionIndex::insert`] then
/// [`DeletionIndex::finish`]: each deletion's words in one flat list, in the order inserted.
#[derive(Debug, Clone, Default)]
pub(crate) struct DeletionIndex {
    words: Vec<Box<str>>,
    /// Per word, what a correction checks before reading the word itself: most neighbours
    /// fail on these, and each word read is a cache miss of its own.
    targets: Vec<Target>,
    /// Deletion -> its words, `ids[start..start + len]`.
    by_deletion: FxHashMap<u64, (u32, u32)>,
    ids: Vec<u32>,
    /// (deletion, word) pairs inserted and not yet indexed.
    pending: Vec<(u64, u32)>,
}

/// A word of a [`DeletionIndex`] as a correction first sees it.
#[derive(Debug, Clone, Copy)]
struct Target {
    first: char,
    len: u32,
    /// The natural log of its frequency in English (see [`frequency`]).
    ln_frequency: f32,
}

impl DeletionIndex {
    /// Adds `word`, of `frequency` in English (see [`frequency`]).
    pub(crate) fn insert(&mut self, word: &str, frequency: f32) {
        let len = word.chars().count();
        if !(TYPO_MIN_LEN - 1..=TYPO_MAX_LEN).contains(&len) {
            return;
        }
        let id = self.words.len() as u32;
        self.words.push(word.into());
        self.targets.push(Target {
            first: word.chars().next().unwrap_or(' '),
            len: len as u32,
            ln_frequency: frequency.ln(),
        });
        // A target is found through its deletions of two letters only by a typed word with
        // both letters omitted (at least 4 letters, so a target of 6 or more) or, from
        // `TYPO_TWO_EDITS_LEN` letters typed, with two edits of any kind, which a target two
        // letters shorter or more meets with its own letters. A shorter target's two-letter
        // deletions (one to three letters long, shared by thousands) only handed short typed
        // words neighbours they may not be corrected into.
        let edits = if len + 2 > TYPO_TWO_EDITS_LEN { 2 } else { 1 };
        self.pending
            .extend(deletions(word, edits).into_iter().map(|key| (key, id)));
    }

    /// Indexes the words inserted (one sort instead of a list per deletion).
    pub(crate) fn finish(&mut self) {
        let mut pending = std::mem::take(&mut self.pending);
        super::features::sort_by_hash(&mut pending, |&(key, _)| key, |&pair| pair);
        self.ids = Vec::with_capacity(pending.len());
        self.by_deletion.reserve(pending.len());
        for group in pending.chunk_by(|a, b| a.0 == b.0) {
            let start = self.ids.len() as u32;
            self.ids.extend(group.iter().map(|&(_, id)| id));
            self.by_deletion
                .insert(group[0].0, (start, group.len() as u32));
        }
        self.by_deletion.shrink_to_fit();
    }

    /// The words that share a deletion variant of `keys` (those of a typed word: a superset
    /// of the words two edits away) into `ids` (see [`DeletionIndex::word`]), each once (a
    /// near word shares many variants: "rating" a dozen of "raiting"'s), in the order
    /// inserted.
    fn neighbours(&self, keys: &[u64], ids: &mut Vec<u32>) {
        ids.clear();
        for &(start, len) in keys.iter().filter_map(|key| self.by_deletion.get(key)) {
            ids.extend_from_slice(&self.ids[start as usize..(start + len) as usize]);
        }
        ids.sort_unstable();
        ids.dedup();
    }

    /// The word of an id that [`DeletionIndex::neighbours`] gives.
    fn word(&self, id: u32) -> &str {
        &self.words[id as usize]
    }

    /// What a correction first checks of the word of `id` (see [`Target`]).
    fn target(&self, id: u32) -> Target {
        self.targets[id as usize]
    }
}

/// Hash of `chars` without the characters at positions `skip` (sorted, at most two).
fn hash_without(chars: &[char], skip: [usize; 2]) -> u64 {
    use std::hash::Hasher;
    let mut hasher = rustc_hash::FxHasher::default();
    let mut len = 0;
    for (i, c) in chars.iter().enumerate() {
        if i != skip[0] && i != skip[1] {
            hasher.write_u32(*c as u32);
            len += 1;
        }
    }
    hasher.write_usize(len);
    hasher.finish()
}

/// Hashes of `word` with up to `edits` (at most 2) characters deleted, the word itself
/// included. Quadratic in the length for two edits, hence [`TYPO_MAX_LEN`].
fn deletions(word: &str, edits: usize) -> Vec<u64> {
    const NONE: usize = usize::MAX;
    let chars: Vec<char> = word.chars().take(TYPO_MAX_LEN).collect();
    let n = chars.len();
    let mut out = Vec::with_capacity(1 + n + if edits > 1 { n * n / 2 } else { 0 });
    out.push(hash_without(&chars, [NONE, NONE]));
    if edits >= 1 {
        out.extend((0..n).map(|i| hash_without(&chars, [i, NONE])));
    }
    if edits >= 2 {
        for i in 0..n {
            out.extend((i + 1..n).map(|j| hash_without(&chars, [i, j])));
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Weighted optimal-string-alignment distance from what was typed to a candidate, and the
/// number of edits it takes. Both words are at most [`TYPO_MAX_LEN`] characters.
#[cfg(test)]
fn edit_cost(typed: &[char], candidate: &[char]) -> (f32, usize) {
    edit_cost_in(typed, candidate, &mut Vec::new())
}

/// [`edit_cost`] with the table in `cost` (a correction looks at many candidates: one table for
/// all of them instead of one allocated for each).
fn edit_cost_in(typed: &[char], candidate: &[char], cost: &mut Vec<(f32, usize)>) -> (f32, usize) {
    let (n, m) = (typed.len(), candidate.len());
    let width = m + 1;
    cost.clear();
    cost.resize((n + 1) * width, (0.0, 0));
    let at = |i: usize, j: usize| i * width + j;
    for i in 0..=n {
        cost[at(i, 0)] = (i as f32 * COST_EXTRA, i);
    }
    for j in 0..=m {
        cost[at(0, j)] = (j as f32 * COST_OMITTED, j);
    }
    let add = |(c, e): (f32, usize), by: f32| (c + by, e + 1);
    for i in 1..=n {
        for j in 1..=m {
            let same = typed[i - 1] == candidate[j - 1];
            let mut best = if same {
                cost[at(i - 1, j - 1)]
            } else {
                add(cost[at(i - 1, j - 1)], COST_WRONG)
            };
            for option in [
                add(cost[at(i - 1, j)], COST_EXTRA),
                add(cost[at(i, j - 1)], COST_OMITTED),
            ] {
                if option.0 < best.0 {
                    best = option;
                }
            }
            if i > 1
                && j > 1
                && typed[i - 1] == candidate[j - 2]
                && typed[i - 2] == candidate[j - 1]
                && !same
            {
                let swapped = add(cost[at(i - 2, j - 2)], COST_SWAPPED);
                if swapped.0 < best.0 {
                    best = swapped;
                }
            }
            cost[at(i, j)] = best;
        }
    }
    cost[at(n, m)]
}

/// The least [`edit_cost`] from a typed word of `typed` letters to another word of
/// `candidate` letters: a letter omitted per letter it lacks, an extra one per letter too
/// many, and for words of one length the cheapest edit that keeps it.
fn least_cost(typed: usize, candidate: usize) -> f32 {
    match candidate.cmp(&typed) {
        std::cmp::Ordering::Greater => (candidate - typed) as f32 * COST_OMITTED,
        std::cmp::Ordering::Less => (typed - candidate) as f32 * COST_EXTRA,
        std::cmp::Ordering::Equal => COST_SWAPPED.min(COST_WRONG).min(COST_OMITTED + COST_EXTRA),
    }
}

/// How many edits a typed word of `len` letters may be from its correction, and whether they
/// must all be omitted letters.
fn allowed_edits(len: usize, edits: usize, all_omitted: bool) -> bool {
    match edits {
        1 => true,
        2 => len >= TYPO_TWO_EDITS_LEN || (len >= 4 && all_omitted),
        _ => false,
    }
}

/// The FAQ's words, as correction targets beside the common English words.
#[derive(Debug, Clone, Default)]
pub(crate) struct Vocabulary {
    stems: FxHashSet<String>,
    index: DeletionIndex,
    /// Each FAQ word with its stem and whether it is a stop word, worked out once at index
    /// time: a message's words are mostly the FAQ's, and stemming them again was a tenth of a
    /// read.
    analysed: FxHashMap<String, (String, bool)>,
}

impl Vocabulary {
    /// Indexes the FAQ's words (normalised, synonyms applied), each with its stem and whether
    /// it is a stop word.
    pub(crate) fn build(analysed: FxHashMap<String, (String, bool)>) -> Self {
        let mut sorted: Vec<(&String, bool)> =
            analysed.iter().map(|(w, &(_, stop))| (w, stop)).collect();
        sorted.sort_unstable();
        let mut index = DeletionIndex::default();
        for (word, stop) in sorted {
            if !stop {
                index.insert(word, frequency(word).unwrap_or(FAQ_WORD_COUNT));
            }
        }
        index.finish();
        let stems = analysed.values().map(|(stem, _)| stem.clone()).collect();
        Vocabulary {
            stems,
            index,
            analysed,
        }
    }

    /// Is `word` one of the FAQ's words?
    fn holds(&self, word: &str) -> bool {
        self.analysed.contains_key(word)
    }

    /// The stem of `word` and whether it is a stop word ([`crate::text::stem`] and
    /// [`crate::text::is_stop_word`]), looked up for the FAQ's words and, the stem, for the
    /// most common English words (see [`STEM_KEPT_MIN_COUNT`]).
    pub(crate) fn analyse(&self, word: &str) -> (String, bool) {
        if let Some((stem, stop)) = self.analysed.get(word) {
            return (stem.clone(), *stop);
        }
        let stem = english()
            .stems
            .get(word)
            .map_or_else(|| crate::text::stem(word), ToString::to_string);
        (stem, crate::text::is_stop_word(word))
    }

    /// The word `word` was most likely meant to be, when it is not what was meant.
    #[cfg(test)]
    pub(crate) fn correct(&self, word: &str, lookups: &mut usize) -> Option<String> {
        let stop = crate::text::is_stop_word(word);
        self.correct_stemmed(word, (&crate::text::stem(word), stop), lookups)
    }

    /// [`Vocabulary::correct`] for a word whose stem and stop flag ([`Vocabulary::analyse`]) are
    /// known.
    pub(crate) fn correct_stemmed(
        &self,
        word: &str,
        (stem, stop): (&str, bool),
        lookups: &mut usize,
    ) -> Option<String> {
        let len = word.chars().count();
        if !(TYPO_MIN_LEN..=TYPO_MAX_LEN).contains(&len)
            || self.holds(word)
            || word.chars().any(|c| !c.is_alphabetic())
            || stop
            || super::message::is_discourse(word)
            || self.stems.contains(stem)
        {
            return None;
        }
        let typed_frequency = frequency(word);
        if typed_frequency.is_some_and(|f| f >= KNOWN_WORD_COUNT) {
            return None;
        }
        if *lookups == 0 {
            return None;
        }
        *lookups -= 1;
        let typed_score = typed_frequency.map_or(0.0, f32::ln) + CORRECTION_MARGIN;
        let typed: Vec<char> = word.chars().collect();
        // A word shorter than [`TYPO_TWO_EDITS_LEN`] is one edit from its correction, or two
        // omitted letters (the word itself is then a deletion of the target): its own
        // deletions of two letters find only targets it may not be corrected into, and for a
        // short word they are one or two letters long, which thousands of targets share.
        let keys = deletions(word, if len >= TYPO_TWO_EDITS_LEN { 2 } else { 1 });
        let english = english();
        let mut best: Option<(f32, &str)> = None;
        let mut chars = [' '; TYPO_MAX_LEN];
        let mut table = Vec::new();
        let mut ids = Vec::new();
        // The FAQ's words first (each one of the FAQ's, so with its bonus), then English.
        for (index, faq) in [(&self.index, true), (&english.targets, false)] {
            index.neighbours(&keys, &mut ids);
            for &id in &ids {
                let target = index.target(id);
                // Typos rarely hit the first letter, and a real word one letter from another
                // mostly differs there ("talking"/"walking", "fever"/"never").
                if typed.first() != Some(&target.first) {
                    continue;
                }
                // The alignment (the costly step) only for a candidate that could be chosen at
                // the least cost its length allows: one that could not beat the word as typed
                // or the best so far by more than a tie is left. First with the most bonus it
                // could have, before reading the word.
                let least = least_cost(typed.len(), target.len as usize);
                let cannot_win = |most: f32| {
                    most < typed_score - f32::EPSILON
                        || best.is_some_and(|(s, _)| most < s - f32::EPSILON)
                };
                if cannot_win(target.ln_frequency + FAQ_WORD_BONUS.max(0.0) - least) {
                    continue;
                }
                let candidate = index.word(id);
                let mut count = 0;
                for c in candidate.chars().take(TYPO_MAX_LEN) {
                    chars[count] = c;
                    count += 1;
                }
                let chars = &chars[..count];
                if chars == typed {
                    continue;
                }
                let bonus = if faq || self.holds(candidate) {
                    FAQ_WORD_BONUS
                } else {
                    0.0
                };
                if cannot_win(target.ln_frequency + bonus - least) {
                    continue;
                }
                let (cost, edits) = edit_cost_in(&typed, chars, &mut table);
                let all_omitted = (cost - edits as f32 * COST_OMITTED).abs() < 1e-3;
                if !allowed_edits(len, edits, all_omitted) {
                    continue;
                }
                let score = target.ln_frequency + bonus - cost;
                // Best score first; among equals the FAQ's word, then the first in order.
                let better = match best {
                    None => true,
                    Some((s, w)) => {
                        score > s
                            || ((score - s).abs() < f32::EPSILON
                                && (self.holds(candidate), std::cmp::Reverse(candidate))
                                    > (self.holds(w), std::cmp::Reverse(w)))
                    }
                };
                if better {
                    best = Some((score, candidate));
                }
            }
        }
        best.filter(|(score, _)| *score > typed_score)
            .map(|(_, w)| w.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary(words: &[&str]) -> Vocabulary {
        Vocabulary::build(
            words
                .iter()
                .map(|w| {
                    let analysis = (crate::text::stem(w), crate::text::is_stop_word(w));
                    ((*w).to_owned(), analysis)
                })
                .collect(),
        )
    }

    fn faq() -> Vocabulary {
        vocabulary(&[
            "playing",
            "think",
            "teeth",
            "shoes",
            "falls",
            "daughter",
            "occupational",
            "appointment",
            "walking",
        ])
    }

    #[test]
    fn a_kept_stem_is_the_stem_worked_out() {
        let english = english();
        assert!(english.stems.len() > 5_000, "{}", english.stems.len());
        for (word, stem) in &english.stems {
            assert_eq!(&**stem, crate::text::stem(word), "{word}");
        }
        let faq = faq();
        for word in [
            "daughter",
            "preschool",
            "frustrated",
            "crayon",
            "nicu",
            "zzzq",
        ] {
            assert_eq!(faq.analyse(word).0, crate::text::stem(word), "{word}");
        }
    }

    #[test]
    fn real_english_words_are_not_corrected_into_faq_words() {
        // The cases of issue 8: each was read as the FAQ word beside it.
        for word in [
            "paying",
            "thank",
            "teething",
            "talking",
            "dont",
            "insurance",
        ] {
            assert_eq!(
                faq().correct(word, &mut MAX_TYPO_LOOKUPS.clone()),
                None,
                "{word}"
            );
        }
    }

    #[test]
    fn common_misspellings_are_caught() {
        let cases = [
            ("wat", "what"),
            ("dauter", "daughter"),
            ("shoos", "shoes"),
            ("fals", "falls"),
            ("shud", "should"),
            ("ocupational", "occupational"),
            ("apointment", "appointment"),
        ];
        for (typed, meant) in cases {
            assert_eq!(
                faq()
                    .correct(typed, &mut MAX_TYPO_LOOKUPS.clone())
                    .as_deref(),
                Some(meant),
                "{typed}"
            );
        }
    }

    #[test]
    fn a_long_word_is_not_corrected_and_costs_nothing() {
        let long = "a".repeat(4000);
        assert_eq!(faq().correct(&long, &mut MAX_TYPO_LOOKUPS.clone()), None);
        assert!(deletions(&long, 2).len() < TYPO_MAX_LEN * TYPO_MAX_LEN);
    }

    #[test]
    fn edit_costs_favour_omitted_letters() {
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(edit_cost(&chars("wat"), &chars("what")), (COST_OMITTED, 1));
        assert_eq!(edit_cost(&chars("wat"), &chars("was")), (COST_WRONG, 1));
        assert_eq!(edit_cost(&chars("teh"), &chars("the")), (COST_SWAPPED, 1));
        assert_eq!(
            edit_cost(&chars("shud"), &chars("should")),
            (2.0 * COST_OMITTED, 2)
        );
    }

    #[test]
    fn no_alignment_costs_less_than_the_least_cost_of_its_lengths() {
        // The bound that spares a correction most alignments must never exceed a real cost,
        // or a candidate that would have been chosen is left out.
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        let pairs = [
            ("wat", "what"),
            ("wat", "was"),
            ("teh", "the"),
            ("shud", "should"),
            ("shooes", "shoes"),
            ("raiting", "rating"),
            ("dauter", "daughter"),
            ("fals", "falls"),
            ("ab", "ba"),
        ];
        for (typed, candidate) in pairs {
            let (typed, candidate) = (chars(typed), chars(candidate));
            let (cost, _) = edit_cost(&typed, &candidate);
            let least = least_cost(typed.len(), candidate.len());
            assert!(
                least <= cost,
                "{typed:?} -> {candidate:?}: {least} > {cost}"
            );
        }
        assert!((least_cost(3, 4) - COST_OMITTED).abs() < f32::EPSILON);
        assert!((least_cost(3, 3) - COST_SWAPPED).abs() < f32::EPSILON);
    }

    #[test]
    fn analysis_looked_up_is_the_analysis_worked_out() {
        // FAQ words come from the table built at index time, others are worked out: the same.
        for word in ["walking", "the", "18", "shoes", "crayons", "months", "ot"] {
            assert_eq!(
                faq().analyse(word),
                (crate::text::stem(word), crate::text::is_stop_word(word)),
                "{word}"
            );
        }
        let with_stop_words = vocabulary(&["the", "months", "walking"]);
        assert_eq!(with_stop_words.analyse("the"), ("the".to_owned(), true));
        assert_eq!(
            with_stop_words.analyse("months"),
            ("month".to_owned(), true)
        );
    }

    #[test]
    fn english_list_is_loaded() {
        assert!(frequency("the").is_some() && frequency("dont").is_some());
        assert!(frequency("teething").is_some() && frequency("dauter").is_none());
    }
}
