//! The inverted indexes behind the scorers: BM25 with a coverage-normalised score, and TF-IDF
//! cosine. Each FAQ entry is one document (all its questions' features summed), so a posting
//! list is at most as long as the FAQ has entries and a query's cost does not grow with the
//! number of questions.

use rustc_hash::FxHashMap;

/// A feature's id: a hash of its text and its kind (see `features`).
pub type Feature = u64;

/// Features of one document with their counts.
pub type Bag = FxHashMap<Feature, u32>;

/// A feature found in at least this share of documents gets a dense row (one weight per
/// document, zeros included): adding a dense row is a vectorised loop, several times faster
/// than scattered adds, and frequent features are where a query spends its time.
const DENSE_SHARE: f32 = 0.08;

/// Where a feature's weights are.
#[derive(Debug, Clone, Copy)]
enum Row {
    /// `sparse[start..end]`: (document, weight) pairs.
    Sparse(u32, u32),
    /// `dense[start..start + docs]`: one weight per document.
    Dense(u32),
}

/// Posting lists of one index, flattened for cache locality.
#[derive(Debug, Clone, Default)]
struct Postings {
    docs: usize,
    ids: FxHashMap<Feature, u32>,
    rows: Vec<Row>,
    sparse: Vec<(u32, f32)>,
    dense: Vec<f32>,
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
        let mut postings = Postings {
            docs: docs.len(),
            ..Postings::default()
        };
        let mut features: Vec<_> = lists.into_iter().collect();
        features.sort_unstable_by_key(|(feature, _)| *feature);
        for (feature, mut list) in features {
            list.sort_unstable_by_key(|(doc, _)| *doc);
            postings.idf.push(idf(list.len()));
            if list.len() as f32 >= DENSE_SHARE * docs.len() as f32 {
                let start = postings.dense.len();
                postings.dense.resize(start + docs.len(), 0.0);
                for (doc, w) in list {
                    postings.dense[start + doc as usize] = w;
                }
                postings.rows.push(Row::Dense(start as u32));
            } else {
                let start = postings.sparse.len() as u32;
                postings.sparse.extend(list);
                postings
                    .rows
                    .push(Row::Sparse(start, postings.sparse.len() as u32));
            }
            postings.ids.insert(feature, postings.rows.len() as u32 - 1);
        }
        postings
    }

    /// Adds `scale` times the weights of feature `id` into `scores`; returns its idf.
    fn add(&self, id: u32, scale: impl Fn(f32) -> f32, scores: &mut [f32]) -> f32 {
        let id = id as usize;
        let idf = self.idf[id];
        let scale = scale(idf);
        match self.rows[id] {
            Row::Sparse(start, end) => {
                for &(doc, w) in &self.sparse[start as usize..end as usize] {
                    scores[doc as usize] += scale * w;
                }
            }
            Row::Dense(start) => {
                let row = &self.dense[start as usize..start as usize + self.docs];
                for (s, w) in scores.iter_mut().zip(row) {
                    *s += scale * w;
                }
            }
        }
        idf
    }

    fn contains(&self, feature: Feature, doc: usize) -> bool {
        let Some(&id) = self.ids.get(&feature) else {
            return false;
        };
        match self.rows[id as usize] {
            Row::Sparse(start, end) => self.sparse[start as usize..end as usize]
                .binary_search_by_key(&(doc as u32), |(d, _)| *d)
                .is_ok(),
            Row::Dense(start) => self.dense[start as usize + doc] > 0.0,
        }
    }

    /// Multiplies every weight of every feature by `factor(idf)`.
    fn scale_by_idf(&mut self, factor: impl Fn(f32) -> f32) {
        for (id, row) in self.rows.iter().enumerate() {
            let f = factor(self.idf[id]);
            match *row {
                Row::Sparse(start, end) => {
                    for item in &mut self.sparse[start as usize..end as usize] {
                        item.1 *= f;
                    }
                }
                Row::Dense(start) => {
                    for w in &mut self.dense[start as usize..start as usize + self.docs] {
                        *w *= f;
                    }
                }
            }
        }
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

    /// The row id of each feature in this index (`None`: no document has it). Indexes built
    /// from the same bags give the same ids.
    #[must_use]
    pub fn resolve(&self, features: impl Iterator<Item = Feature>) -> Vec<Option<u32>> {
        features
            .map(|f| self.postings.ids.get(&f).copied())
            .collect()
    }

    /// Adds the query's coverage-normalised scores into `scores` (one slot per document,
    /// zeroed by the caller). `query` holds (row id from [`Bm25::resolve`], count, weight) with
    /// weight a multiplier on the feature's idf (1.0 for most features).
    pub fn score(&self, query: &[(Option<u32>, u32, f32)], scores: &mut [f32]) {
        let mut best_possible = 0.0;
        for &(id, count, weight) in query {
            let count = count as f32 * weight;
            best_possible += match id {
                Some(id) => self.postings.add(id, |idf| idf * count, scores) * count,
                None => self.unknown_idf * count,
            };
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
        self.postings.contains(feature, doc)
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
        let mut postings = Postings::build(
            docs,
            |doc, tf| sublinear(tf) / norms[doc],
            |df| cosine_idf(n, df),
        );
        postings.scale_by_idf(|idf| idf);
        Cosine {
            postings,
            unknown_idf: cosine_idf(n, 0),
        }
    }

    /// Adds the query's cosine similarity with each document into `scores` (zeroed by the
    /// caller). `query` holds (row id, count) pairs, the ids from [`Bm25::resolve`] on an
    /// index built from the same bags.
    pub fn score(&self, query: &[(Option<u32>, u32)], scores: &mut [f32]) {
        let mut norm = 0.0;
        for &(id, count) in query {
            let tf = sublinear(count);
            let idf = match id {
                Some(id) => self.postings.add(id, |idf| tf * idf, scores),
                None => self.unknown_idf,
            };
            norm += (tf * idf).powi(2);
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
        let q = |features: &[Feature]| -> Vec<(Option<u32>, u32, f32)> {
            index
                .resolve(features.iter().copied())
                .into_iter()
                .map(|id| (id, 1, 1.0))
                .collect()
        };
        index.score(&q(&[1]), &mut scores);
        assert!(scores[0] > 0.2 && scores[0] <= 1.0, "{scores:?}");
        assert!(scores[1].abs() < f32::EPSILON);

        let mut with_unknown = [0.0; 2];
        index.score(&q(&[1, 99]), &mut with_unknown);
        assert!(with_unknown[0] < scores[0] / 2.0, "{with_unknown:?}");
        assert!(index.contains(1, 0) && !index.contains(1, 1));
    }

    #[test]
    fn cosine_of_identical_bags_is_one() {
        let docs = [bag(&[1, 2, 3]), bag(&[4, 5])];
        let index = Cosine::build(&docs);
        let ids = Bm25::build(&docs, BM25_K1, BM25_B).resolve([1, 2, 3].into_iter());
        let query: Vec<(Option<u32>, u32)> = ids.into_iter().map(|id| (id, 1)).collect();
        let mut scores = [0.0; 2];
        index.score(&query, &mut scores);
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
