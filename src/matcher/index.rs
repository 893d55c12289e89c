//! The inverted indexes behind the scorers: BM25 with a coverage-normalised score, and TF-IDF
//! cosine. Each FAQ entry is one document (all its questions' features summed), so a posting
//! list is at most as long as the FAQ has entries and a query's cost does not grow with the
//! number of questions.

use rustc_hash::FxHashMap;

/// A feature's id: a hash of its text and its kind (see `features`).
pub type Feature = u64;

/// Features of one document with their counts.
pub type Bag = FxHashMap<Feature, u32>;

/// Posting lists of one index, flattened for cache locality.
#[derive(Debug, Clone, Default)]
struct Postings {
    ids: FxHashMap<Feature, u32>,
    /// Per feature: the range of `items` that holds its (document, weight) pairs.
    ranges: Vec<(u32, u32)>,
    items: Vec<(u32, f32)>,
    /// Per feature: its inverse document frequency.
    idf: Vec<f32>,
}

impl Postings {
    fn build(docs: &[Bag], weight: impl Fn(usize, u32) -> f32, idf: impl Fn(usize) -> f32) -> Self {
        let mut lists: FxHashMap<Feature, Vec<(u32, f32)>> = FxHashMap::default();
        for (doc, bag) in docs.iter().enumerate() {
            for (&feature, &tf) in bag {
                lists
                    .entry(feature)
                    .or_default()
                    .push((doc as u32, weight(doc, tf)));
            }
        }
        let mut postings = Postings::default();
        let mut features: Vec<_> = lists.into_iter().collect();
        features.sort_unstable_by_key(|(feature, _)| *feature);
        for (feature, mut list) in features {
            list.sort_unstable_by_key(|(doc, _)| *doc);
            let start = postings.items.len() as u32;
            postings.idf.push(idf(list.len()));
            postings.items.extend(list);
            postings.ranges.push((start, postings.items.len() as u32));
            postings.ids.insert(feature, postings.ranges.len() as u32 - 1);
        }
        postings
    }

    fn lookup(&self, feature: Feature) -> Option<(f32, &[(u32, f32)])> {
        let id = *self.ids.get(&feature)? as usize;
        let (start, end) = self.ranges[id];
        Some((self.idf[id], &self.items[start as usize..end as usize]))
    }
}

/// BM25 term saturation: how fast repeated features stop adding weight.
///
/// 2.0 rather than the textbook 1.2: an entry document sums many questions, so its counts are
/// high; measured best on CLINC150 val (see `matcher-notes.md`).
pub const BM25_K1: f32 = 2.0;
/// BM25 length normalisation (the textbook value; long entries are not penalised much more).
pub const BM25_B: f32 = 0.75;

/// BM25 over entry documents whose score is divided by the best score the query could get:
/// `(k1 + 1) * sum of idf over the query's features`, unknown features included. The result, in
/// 0..=1, is the share of the question's weight the entry explains, so one threshold means the
/// same for short and long questions, and words the FAQ has never seen pull the score down.
#[derive(Debug, Clone, Default)]
pub struct Bm25 {
    postings: Postings,
    unknown_idf: f32,
    k1: f32,
}

fn bm25_idf(docs: usize, df: usize) -> f32 {
    let (n, df) = (docs as f32, df as f32);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

impl Bm25 {
    /// Indexes one bag of features per document.
    #[must_use]
    pub fn build(docs: &[Bag], k1: f32, b: f32) -> Self {
        let lengths: Vec<f32> = docs
            .iter()
            .map(|bag| bag.values().sum::<u32>() as f32)
            .collect();
        let average = (lengths.iter().sum::<f32>() / lengths.len().max(1) as f32).max(1.0);
        let weight = |doc: usize, tf: u32| {
            let tf = tf as f32;
            let norm = 1.0 - b + b * lengths[doc] / average;
            tf * (k1 + 1.0) / (tf + k1 * norm)
        };
        Bm25 {
            postings: Postings::build(docs, weight, |df| bm25_idf(docs.len(), df)),
            unknown_idf: bm25_idf(docs.len(), 0),
            k1,
        }
    }

    /// Adds the query's coverage-normalised scores into `scores` (one slot per document,
    /// zeroed by the caller). `query` holds (feature, count, weight) with weight a multiplier
    /// on the feature's idf (1.0 for most features).
    pub fn score(&self, query: &[(Feature, u32, f32)], scores: &mut [f32]) {
        let mut best_possible = 0.0;
        for &(feature, count, weight) in query {
            let count = count as f32 * weight;
            match self.postings.lookup(feature) {
                Some((idf, list)) => {
                    best_possible += idf * count;
                    let w = idf * count;
                    for &(doc, tf_part) in list {
                        scores[doc as usize] += w * tf_part;
                    }
                }
                None => best_possible += self.unknown_idf * count,
            }
        }
        if best_possible > 0.0 {
            let scale = 1.0 / ((self.k1 + 1.0) * best_possible);
            for s in scores.iter_mut() {
                *s *= scale;
            }
        }
    }

    /// Does `doc` contain `feature`?
    #[must_use]
    pub fn contains(&self, feature: Feature, doc: usize) -> bool {
        self.postings.lookup(feature).is_some_and(|(_, list)| {
            list.binary_search_by_key(&(doc as u32), |(d, _)| *d)
                .is_ok()
        })
    }
}

/// TF-IDF cosine similarity (sublinear tf, smoothed idf, L2-normalised vectors): a whole-phrase
/// similarity that, unlike BM25, also rewards an entry for having little beyond the question.
#[derive(Debug, Clone, Default)]
pub struct Cosine {
    postings: Postings,
    unknown_idf: f32,
}

fn cosine_idf(docs: usize, df: usize) -> f32 {
    ((1.0 + docs as f32) / (1.0 + df as f32)).ln() + 1.0
}

fn sublinear(tf: u32) -> f32 {
    1.0 + (tf as f32).ln()
}

impl Cosine {
    /// Indexes one bag of features per document.
    #[must_use]
    pub fn build(docs: &[Bag]) -> Self {
        let n = docs.len();
        let df = {
            let mut df: FxHashMap<Feature, usize> = FxHashMap::default();
            for bag in docs {
                for feature in bag.keys() {
                    *df.entry(*feature).or_default() += 1;
                }
            }
            df
        };
        let norms: Vec<f32> = docs
            .iter()
            .map(|bag| {
                bag.iter()
                    .map(|(f, &tf)| (sublinear(tf) * cosine_idf(n, df[f])).powi(2))
                    .sum::<f32>()
                    .sqrt()
                    .max(f32::MIN_POSITIVE)
            })
            .collect();
        // The weight needs the feature's idf, which `Postings::build` only knows per list; the
        // document frequency map gives it here.
        let mut postings = Postings::build(docs, |doc, tf| sublinear(tf) / norms[doc], |df| {
            cosine_idf(n, df)
        });
        for (feature, &id) in &postings.ids {
            let idf = cosine_idf(n, df[feature]);
            let (start, end) = postings.ranges[id as usize];
            for item in &mut postings.items[start as usize..end as usize] {
                item.1 *= idf;
            }
        }
        Cosine {
            postings,
            unknown_idf: cosine_idf(n, 0),
        }
    }

    /// Adds the query's cosine similarity with each document into `scores` (zeroed by the
    /// caller). `query` holds (feature, count) pairs.
    pub fn score(&self, query: &[(Feature, u32)], scores: &mut [f32]) {
        let mut norm = 0.0;
        for &(feature, count) in query {
            let tf = sublinear(count);
            match self.postings.lookup(feature) {
                Some((idf, list)) => {
                    let w = tf * idf;
                    norm += w * w;
                    for &(doc, doc_weight) in list {
                        scores[doc as usize] += w * doc_weight;
                    }
                }
                None => norm += (tf * self.unknown_idf).powi(2),
            }
        }
        if norm > 0.0 {
            let scale = 1.0 / norm.sqrt();
            for s in scores.iter_mut() {
                *s *= scale;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bag(features: &[Feature]) -> Bag {
        let mut bag = Bag::default();
        for f in features {
            *bag.entry(*f).or_default() += 1;
        }
        bag
    }

    #[test]
    fn bm25_full_coverage_approaches_one_and_unknowns_pull_down() {
        let docs = [bag(&[1, 2, 2, 2, 2, 2, 2, 2]), bag(&[3, 4])];
        let index = Bm25::build(&docs, BM25_K1, BM25_B);
        let mut scores = [0.0; 2];
        index.score(&[(1, 1, 1.0)], &mut scores);
        assert!(scores[0] > 0.2 && scores[0] <= 1.0, "{scores:?}");
        assert!(scores[1].abs() < f32::EPSILON);

        let mut with_unknown = [0.0; 2];
        index.score(&[(1, 1, 1.0), (99, 1, 1.0)], &mut with_unknown);
        assert!(with_unknown[0] < scores[0] / 2.0, "{with_unknown:?}");
        assert!(index.contains(1, 0) && !index.contains(1, 1));
    }

    #[test]
    fn cosine_of_identical_bags_is_one() {
        let docs = [bag(&[1, 2, 3]), bag(&[4, 5])];
        let index = Cosine::build(&docs);
        let mut scores = [0.0; 2];
        index.score(&[(1, 1), (2, 1), (3, 1)], &mut scores);
        assert!((scores[0] - 1.0).abs() < 1e-5, "{scores:?}");
        assert!(scores[1].abs() < f32::EPSILON);
    }

    #[test]
    fn empty_query_scores_nothing() {
        let index = Bm25::build(&[bag(&[1])], BM25_K1, BM25_B);
        let mut scores = [0.0];
        index.score(&[], &mut scores);
        assert!(scores[0].abs() < f32::EPSILON);
    }
}
