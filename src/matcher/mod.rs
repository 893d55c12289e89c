//! The matcher: finds the FAQ entry a question is about, or says that none is.
//!
//! Pure: no I/O, no threads, no Discord. A question goes through [`crate::text`] (normalised
//! words), [`crate::synonyms`], token-level typo correction against the FAQ's own vocabulary, and
//! then four scorers over inverted indexes with one document per entry:
//!
//! 1. BM25 over character 3-5-grams (typos and word forms),
//! 2. BM25 over stemmed words and adjacent stem pairs (word order),
//! 3. BM25 over stemmed words,
//! 4. TF-IDF cosine over character 2-5-grams (whole-phrase similarity).
//!
//! The BM25 scores are coverage-normalised (the share of the question's weight an entry
//! explains), so all four lie in 0..=1 and their mean is the entry's score. The decision
//! ([`decide`]) turns the ranked scores into an answer, a "did you mean", or no match.

mod features;
mod index;

pub use index::{BM25_B, BM25_K1};

use crate::synonyms::Synonyms;
use crate::text;
use features::{add_pairs_to_bag, add_to_bag, extract, stem_feature};
use index::{Bag, Bm25, Grams};
use rustc_hash::{FxHashMap, FxHashSet};

/// How the index scores: BM25 parameters, the weight of stop words, and how the four scorers
/// are mixed. One set of values serves the bot and the CLINC150 benchmark alike.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tuning {
    /// BM25 term saturation.
    pub k1: f32,
    /// BM25 length normalisation.
    pub b: f32,
    /// Weight of a stop word's feature relative to other features of the same idf.
    pub stop_word_weight: f32,
    /// Weights of the scorers: char-gram BM25, stem+pair BM25, stem BM25, char-gram cosine.
    pub weights: [f32; 4],
}

impl Tuning {
    /// The defaults; each value's reason is on its line.
    pub const DEFAULT: Tuning = Tuning {
        // See `BM25_K1`.
        k1: BM25_K1,
        // See `BM25_B`.
        b: BM25_B,
        // Kept (dropping stop words cost accuracy) but halved, so that "what is" agreeing
        // counts less than the topic words agreeing.
        stop_word_weight: 0.5,
        // The plain mean: no scorer was better alone on CLINC150 val (matcher-notes.md).
        weights: [1.0, 1.0, 1.0, 1.0],
    };
}

impl Default for Tuning {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Shortest word that typo correction touches: shorter words have too many neighbours.
pub const TYPO_MIN_LEN: usize = 5;
/// From this length on, a word may be two edits away from its correction instead of one.
pub const TYPO_TWO_EDITS_LEN: usize = 9;

/// How many ranked candidates a decision and an explanation keep.
pub const MAX_CANDIDATES: usize = 5;

/// The matcher's tuning: when to answer, when to ask back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatchConfig {
    /// Below this score the bot does not answer (no match).
    pub threshold: f32,
    /// Entries whose scores are within this distance of the best are too close to call: the bot
    /// offers them as "did you mean" instead of picking one.
    pub ambiguity_margin: f32,
    /// At most this many entries are offered in a "did you mean".
    pub max_suggestions: usize,
}

impl MatchConfig {
    /// The defaults. The threshold is the best (in-scope accuracy + refusal) with no wrong
    /// answers over the dev set and `tests/fixtures/parent-questions-extra.toml` in
    /// `faqbot eval --sweep` (see the README); the margin keeps "did you mean" for near ties.
    pub const DEFAULT: MatchConfig = MatchConfig {
        threshold: 0.26,
        ambiguity_margin: 0.015,
        max_suggestions: 3,
    };
}

impl Default for MatchConfig {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// One ranked entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Position of the entry in the list the matcher was built from.
    pub entry: usize,
    /// The entry's id.
    pub id: String,
    /// Its score in 0..=1.
    pub score: f32,
}

/// What the bot should do with a question.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// One entry answers it.
    Answer(Candidate),
    /// Several entries are too close to call: offer them, best first.
    Ambiguous(Vec<Candidate>),
    /// Nothing answers it; the best candidate, if any, is kept for logs and explanations.
    NoMatch(Option<Candidate>),
}

impl Decision {
    /// "answer", "ambiguous" or `no_match`, as in logs and JSON output.
    #[must_use]
    pub fn outcome(&self) -> &'static str {
        match self {
            Decision::Answer(_) => "answer",
            Decision::Ambiguous(_) => "ambiguous",
            Decision::NoMatch(_) => "no_match",
        }
    }

    /// The entry answered, or the first one offered.
    #[must_use]
    pub fn best(&self) -> Option<&Candidate> {
        match self {
            Decision::Answer(c) => Some(c),
            Decision::Ambiguous(list) => list.first(),
            Decision::NoMatch(best) => best.as_ref(),
        }
    }
}

/// Turns ranked candidates (best first) into a decision.
///
/// ```
/// use faqbot::matcher::{decide, Candidate, Decision, MatchConfig};
/// let c = |id: &str, score| Candidate { entry: 0, id: id.into(), score };
/// let config = MatchConfig { threshold: 0.5, ambiguity_margin: 0.05, max_suggestions: 3 };
/// assert!(matches!(decide(&[c("a", 0.9), c("b", 0.2)], &config), Decision::Answer(_)));
/// assert!(matches!(decide(&[c("a", 0.9), c("b", 0.88)], &config), Decision::Ambiguous(_)));
/// assert!(matches!(decide(&[c("a", 0.3)], &config), Decision::NoMatch(_)));
/// ```
#[must_use]
pub fn decide(ranked: &[Candidate], config: &MatchConfig) -> Decision {
    let Some(best) = ranked.first() else {
        return Decision::NoMatch(None);
    };
    if best.score < config.threshold || best.score <= 0.0 {
        return Decision::NoMatch(Some(best.clone()));
    }
    let close: Vec<Candidate> = ranked
        .iter()
        .take(config.max_suggestions.max(1))
        .take_while(|c| best.score - c.score <= config.ambiguity_margin)
        .cloned()
        .collect();
    if close.len() > 1 {
        Decision::Ambiguous(close)
    } else {
        Decision::Answer(best.clone())
    }
}

/// Scores of one candidate by scorer, and the question's words it shares, for `--explain`.
#[derive(Debug, Clone, PartialEq)]
pub struct Explained {
    /// The candidate.
    pub candidate: Candidate,
    /// Scores of the four scorers: char-gram BM25, stem+pair BM25, stem BM25, char-gram cosine.
    pub parts: [f32; 4],
    /// The question's words (after synonyms and typo correction) found in the entry.
    pub matched_words: Vec<String>,
}

/// Why the matcher decided what it did.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// The question's words after normalisation, synonyms and typo correction.
    pub words: Vec<String>,
    /// Typo corrections made: (typed, read as).
    pub corrections: Vec<(String, String)>,
    /// The best candidates with their scores by scorer.
    pub candidates: Vec<Explained>,
}

/// A question ready to score: its words and features.
struct Prepared {
    words: Vec<String>,
    corrections: Vec<(String, String)>,
    stems: Vec<String>,
    features: features::TextFeatures,
}

/// Words of the FAQ, for typo correction: a deletion index (each word under every form with
/// up to its allowed number of letters deleted, hashed), so a typed word finds the words one
/// or two edits away with a few lookups instead of a scan of the vocabulary.
#[derive(Debug, Clone, Default)]
struct Vocabulary {
    words: FxHashSet<String>,
    stems: FxHashSet<String>,
    /// (word, number of entries that use it).
    list: Vec<(String, u32)>,
    by_deletion: FxHashMap<u64, Vec<u32>>,
}

/// How many letters a word of `len` characters may differ by and still be corrected.
fn max_edits(len: usize) -> usize {
    if len >= TYPO_TWO_EDITS_LEN {
        2
    } else {
        1
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
/// included, without building the shortened strings.
fn deletions(word: &str, edits: usize) -> Vec<u64> {
    const NONE: usize = usize::MAX;
    let chars: Vec<char> = word.chars().collect();
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

impl Vocabulary {
    fn build(word_df: FxHashMap<String, u32>, stems: FxHashSet<String>) -> Self {
        let mut list: Vec<(String, u32)> = word_df.into_iter().collect();
        list.sort_unstable();
        let mut by_deletion: FxHashMap<u64, Vec<u32>> = FxHashMap::default();
        for (i, (word, _)) in list.iter().enumerate() {
            let len = word.chars().count();
            if len < TYPO_MIN_LEN || text::is_stop_word(word) {
                continue;
            }
            for key in deletions(word, max_edits(len)) {
                by_deletion.entry(key).or_default().push(i as u32);
            }
        }
        Vocabulary {
            words: list.iter().map(|(w, _)| w.clone()).collect(),
            stems,
            list,
            by_deletion,
        }
    }

    fn correct(&self, word: &str) -> Option<&str> {
        let len = word.chars().count();
        if len < TYPO_MIN_LEN
            || self.words.contains(word)
            || text::is_stop_word(word)
            || word.chars().any(char::is_numeric)
            || self.stems.contains(&text::stem(word))
        {
            return None;
        }
        let edits = max_edits(len);
        let first = word.chars().next();
        let mut best: Option<(usize, u32, &str)> = None;
        for key in deletions(word, edits) {
            for &i in self.by_deletion.get(&key).into_iter().flatten() {
                let (candidate, df) = &self.list[i as usize];
                // Typos rarely hit the first letter, and a real word one letter from an FAQ
                // word mostly differs there ("talking"/"walking", "fever"/"never").
                if candidate.chars().next() != first {
                    continue;
                }
                let distance = strsim::osa_distance(word, candidate);
                if distance > edits.min(max_edits(candidate.chars().count())) {
                    continue;
                }
                // Fewer edits first; among equals, the word more entries use, then the first.
                let better = match best {
                    None => true,
                    Some((d, f, w)) => {
                        (distance, std::cmp::Reverse(*df), candidate.as_str())
                            < (d, std::cmp::Reverse(f), w)
                    }
                };
                if better {
                    best = Some((distance, *df, candidate));
                }
            }
        }
        best.map(|(_, _, w)| w)
    }
}

/// An index over FAQ entries that ranks them for a question.
#[derive(Debug, Clone)]
pub struct Matcher {
    ids: Vec<String>,
    tuning: Tuning,
    synonyms: Synonyms,
    vocabulary: Vocabulary,
    grams: Grams,
    stems_and_pairs: Bm25,
    stems: Bm25,
}

impl Matcher {
    /// Builds the index. Each document is an entry id and the texts that stand for it (its
    /// questions, title and keywords).
    ///
    /// ```
    /// use faqbot::matcher::{Matcher, MatchConfig, Decision};
    /// use faqbot::synonyms::Synonyms;
    /// let matcher = Matcher::new(
    ///     [
    ///         ("walking", vec!["when should my child walk", "late walking"]),
    ///         ("hands", vec!["trouble holding a pencil", "fine motor skills"]),
    ///     ],
    ///     Synonyms::default(),
    /// );
    /// let decision = matcher.decide("my child is not walking yet", &MatchConfig::DEFAULT);
    /// assert_eq!(decision.best().map(|c| c.id.as_str()), Some("walking"));
    /// ```
    #[must_use]
    pub fn new<I, S, T>(documents: I, synonyms: Synonyms) -> Matcher
    where
        I: IntoIterator<Item = (S, Vec<T>)>,
        S: Into<String>,
        T: AsRef<str>,
    {
        Matcher::with_tuning(documents, synonyms, Tuning::DEFAULT)
    }

    /// [`Matcher::new`] with other scoring parameters (for tuning experiments).
    #[must_use]
    pub fn with_tuning<I, S, T>(documents: I, synonyms: Synonyms, tuning: Tuning) -> Matcher
    where
        I: IntoIterator<Item = (S, Vec<T>)>,
        S: Into<String>,
        T: AsRef<str>,
    {
        let mut ids = Vec::new();
        let mut bags: [Vec<Bag>; 3] = Default::default();
        let mut stems = FxHashSet::default();
        let mut word_df: FxHashMap<String, u32> = FxHashMap::default();
        for (id, texts) in documents {
            ids.push(id.into());
            let mut doc_bags: [Bag; 3] = Default::default();
            let mut doc_words = FxHashSet::default();
            for text in &texts {
                let prepared = prepare(text.as_ref(), &synonyms, None);
                add_pairs_to_bag(&mut doc_bags[0], &prepared.features.grams);
                add_to_bag(&mut doc_bags[1], &prepared.features.stems_and_pairs);
                add_to_bag(&mut doc_bags[2], &prepared.features.stems);
                stems.extend(prepared.stems);
                doc_words.extend(prepared.words);
            }
            for word in doc_words {
                *word_df.entry(word).or_default() += 1;
            }
            for (all, doc) in bags.iter_mut().zip(doc_bags) {
                all.push(doc);
            }
        }
        let vocabulary = Vocabulary::build(word_df, stems);
        let (k1, b) = (tuning.k1, tuning.b);
        Matcher {
            ids,
            tuning,
            synonyms,
            vocabulary,
            grams: Grams::build(&bags[0], k1, b),
            stems_and_pairs: Bm25::build(&bags[1], k1, b),
            stems: Bm25::build(&bags[2], k1, b),
        }
    }

    /// How many entries the index holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when the index holds no entries.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    fn scores(&self, prepared: &Prepared) -> [Vec<f32>; 4] {
        let n = self.ids.len();
        let f = &prepared.features;
        let stop = self.tuning.stop_word_weight;
        let weighted = |items: &[(u64, u32, bool)]| -> Vec<(u64, u32, f32)> {
            items
                .iter()
                .map(|&(feature, count, is_stop)| {
                    (feature, count, if is_stop { stop } else { 1.0 })
                })
                .collect()
        };
        let mut grams = [vec![0.0; n], vec![0.0; n]];
        self.grams.score(&f.grams, &mut grams);
        let [grams_bm25, grams_cosine] = grams;
        let mut pairs = vec![0.0; n];
        self.stems_and_pairs
            .score(&weighted(&f.stems_and_pairs), &mut pairs);
        let mut stems = vec![0.0; n];
        self.stems.score(&weighted(&f.stems), &mut stems);
        [grams_bm25, pairs, stems, grams_cosine]
    }

    fn top(&self, parts: &[Vec<f32>; 4], k: usize) -> Vec<Candidate> {
        let weights = self.tuning.weights;
        let total: f32 = weights.iter().sum::<f32>().max(f32::MIN_POSITIVE);
        let mut ranked: Vec<(usize, f32)> = (0..self.ids.len())
            .map(|entry| {
                let score = parts
                    .iter()
                    .zip(weights)
                    .map(|(p, w)| p[entry] * w)
                    .sum::<f32>();
                (entry, score / total)
            })
            .filter(|(_, score)| *score > 0.0)
            .collect();
        // Best first; among equal scores, the entry listed first.
        let by_score =
            |a: &(usize, f32), b: &(usize, f32)| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0));
        if ranked.len() > k {
            ranked.select_nth_unstable_by(k - 1, by_score);
            ranked.truncate(k);
        }
        ranked.sort_unstable_by(by_score);
        ranked
            .into_iter()
            .map(|(entry, score)| Candidate {
                entry,
                id: self.ids[entry].clone(),
                score,
            })
            .collect()
    }

    /// The best [`MAX_CANDIDATES`] entries for `question`, best first, with scores in 0..=1.
    #[must_use]
    pub fn rank(&self, question: &str) -> Vec<Candidate> {
        let prepared = prepare(question, &self.synonyms, Some(&self.vocabulary));
        let parts = self.scores(&prepared);
        self.top(&parts, MAX_CANDIDATES)
    }

    /// Ranks `question` and decides what to do with it.
    #[must_use]
    pub fn decide(&self, question: &str, config: &MatchConfig) -> Decision {
        decide(&self.rank(question), config)
    }

    /// Ranks `question` and says why: its words as read, typo corrections, and the best
    /// candidates' scores by scorer with the words they share with the question.
    #[must_use]
    pub fn explain(&self, question: &str) -> Explanation {
        let prepared = prepare(question, &self.synonyms, Some(&self.vocabulary));
        let parts = self.scores(&prepared);
        let candidates = self
            .top(&parts, MAX_CANDIDATES)
            .into_iter()
            .map(|candidate| {
                let entry = candidate.entry;
                let mut matched_words: Vec<String> = Vec::new();
                for (word, stem) in prepared.words.iter().zip(&prepared.stems) {
                    if self.stems.contains(stem_feature(stem), entry)
                        && !matched_words.contains(word)
                    {
                        matched_words.push(word.clone());
                    }
                }
                Explained {
                    parts: std::array::from_fn(|i| parts[i][entry]),
                    candidate,
                    matched_words,
                }
            })
            .collect();
        Explanation {
            words: prepared.words,
            corrections: prepared.corrections,
            candidates,
        }
    }
}

fn prepare(question: &str, synonyms: &Synonyms, vocabulary: Option<&Vocabulary>) -> Prepared {
    let mut words = synonyms.apply(text::words(question));
    let mut corrections = Vec::new();
    if let Some(vocabulary) = vocabulary {
        let mut corrected = false;
        for word in &mut words {
            if let Some(fixed) = vocabulary.correct(word) {
                corrections.push((word.clone(), fixed.to_owned()));
                fixed.clone_into(word);
                corrected = true;
            }
        }
        if corrected {
            // A corrected word may complete a synonym ("ocupational therapy" ...).
            words = synonyms.apply(words);
        }
    }
    let stems: Vec<String> = words.iter().map(|w| text::stem(w)).collect();
    let stop: Vec<bool> = words.iter().map(|w| text::is_stop_word(w)).collect();
    let features = extract(&words, &stems, &stop);
    Prepared {
        words,
        corrections,
        stems,
        features,
    }
}

#[cfg(test)]
mod tests;
