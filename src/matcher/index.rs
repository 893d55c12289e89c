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
/// per weight than scattered adds, and frequent features are where a query spends its time.
/// But a dense row is read whole, and reading memory is most of a query's time: 0.3 rather
/// than 0.08 read a third less from beyond a 1 MB cache over the CLINC150 queries (misses
/// 3.78M -> 2.55M, valgrind's cache simulation) with 1% fewer instructions; 0.45 read less
/// still but took 3% more instructions, and was no quicker.
const DENSE_SHARE: f32 = 0.3;

/// Dense rows and the score vectors they are added into are padded with zeros to a multiple
/// of this many documents, so that adding a row is whole vector steps with no scalar tail
/// (19 entries were four steps of four and three single adds).
pub const LANES: usize = 8;

/// The length of a score vector for `docs` documents (see [`LANES`]): the documents' scores,
/// then zeros.
#[must_use]
pub fn score_len(docs: usize) -> usize {
    docs.div_ceil(LANES) * LANES
}

/// Where a feature's weights are.
#[derive(Debug, Clone, Copy)]
enum Place {
    /// `sparse[start..end]`: (document, weights) postings.
    Sparse(u32, u32),
    /// `dense[w][start..start + score_len(docs)]`: weights for every document, then zeros;
    /// and how many documents hold the feature.
    Dense(u32, u32),
}

/// A feature of an index, as its hash map gives it: where its weights are, and its inverse
/// document frequencies. One lookup finds both, so adding a query feature touches the map
/// and then its weights, and nothing between (a query's time goes mostly in memory reads).
#[derive(Debug, Clone, Copy)]
pub struct Row<const W: usize> {
    place: Place,
    idf: [f32; W],
}

/// Posting lists of one index, flattened for cache locality, with `W` weights per posting so
/// that scorers sharing features (BM25 and cosine over character n-grams) read one row.
#[derive(Debug, Clone)]
struct Postings<const W: usize> {
    docs: usize,
    rows: FxHashMap<Feature, Row<W>>,
    /// The sparse postings: (document, its weights by kind), each row's in document order and
    /// in one stretch of memory.
    sparse: Vec<(u32, [f32; W])>,
    /// Dense rows, one array per weight (so that adding a row is a loop over contiguous
    /// memory).
    dense: [Vec<f32>; W],
}

impl<const W: usize> Postings<W> {
    /// `weight(doc, tf, df)` and `idf(df)` give each posting's weights and each feature's idf.
    fn build(
        docs: &[Bag],
        weight: impl Fn(usize, u32, usize) -> [f32; W],
        idf: impl Fn(usize) -> [f32; W],
    ) -> Self {
        // Every (feature, document, count), sorted: each feature's postings in document order.
        let mut all: Vec<(Feature, u32, u32)> = Vec::with_capacity(docs.iter().map(Bag::len).sum());
        for (doc, bag) in docs.iter().enumerate() {
            all.extend(bag.iter().map(|(&feature, &tf)| (feature, doc as u32, tf)));
        }
        all.sort_unstable();
        let mut postings = Postings {
            docs: docs.len(),
            rows: FxHashMap::default(),
            sparse: Vec::new(),
            dense: std::array::from_fn(|_| Vec::new()),
        };
        postings
            .rows
            .reserve(all.chunk_by(|a, b| a.0 == b.0).count());
        for list in all.chunk_by(|a, b| a.0 == b.0) {
            let feature = list[0].0;
            let list = list.iter().map(|&(_, doc, tf)| (doc, tf));
            let df = list.len();
            let place = if df as f32 >= DENSE_SHARE * docs.len() as f32 {
                let start = postings.dense[0].len();
                for dense in &mut postings.dense {
                    dense.resize(start + score_len(docs.len()), 0.0);
                }
                for (doc, tf) in list {
                    let weights = weight(doc as usize, tf, df);
                    for (dense, w) in postings.dense.iter_mut().zip(weights) {
                        dense[start + doc as usize] = w;
                    }
                }
                Place::Dense(start as u32, df as u32)
            } else {
                let start = postings.sparse.len() as u32;
                postings
                    .sparse
                    .extend(list.map(|(doc, tf)| (doc, weight(doc as usize, tf, df))));
                Place::Sparse(start, postings.sparse.len() as u32)
            };
            postings.rows.insert(
                feature,
                Row {
                    place,
                    idf: idf(df),
                },
            );
        }
        postings
    }

    /// Adds `scale[w]` times the row's weights `w` into `scores[w]`; returns its idfs.
    #[inline]
    fn add(
        &self,
        row: Row<W>,
        scale: impl Fn([f32; W]) -> [f32; W],
        scores: [&mut [f32]; W],
    ) -> [f32; W] {
        self.weights(row).add(scale(row.idf), scores);
        row.idf
    }

    /// The row's weights, to add into several score vectors (see [`Postings::add`]).
    #[inline]
    fn weights(&self, row: Row<W>) -> RowWeights<'_, W> {
        match row.place {
            Place::Sparse(start, end) => RowWeights {
                weights: Weights::Sparse(&self.sparse[start as usize..end as usize]),
                idf: row.idf,
            },
            Place::Dense(start, _) => {
                let range = start as usize..start as usize + score_len(self.docs);
                RowWeights {
                    weights: Weights::Dense(std::array::from_fn(|k| &self.dense[k][range.clone()])),
                    idf: row.idf,
                }
            }
        }
    }

    fn contains(&self, feature: Feature, doc: usize) -> bool {
        self.rows
            .get(&feature)
            .is_some_and(|&row| self.row_contains(row, doc))
    }

    /// Does the row hold `doc`?
    fn row_contains(&self, row: Row<W>, doc: usize) -> bool {
        match row.place {
            Place::Sparse(start, end) => self.sparse[start as usize..end as usize]
                .binary_search_by_key(&(doc as u32), |&(d, _)| d)
                .is_ok(),
            Place::Dense(start, _) => self.dense[0][start as usize + doc] > 0.0,
        }
    }

    /// How many documents hold the row's feature.
    fn docs_holding(row: Row<W>) -> u32 {
        match row.place {
            Place::Sparse(start, end) => end - start,
            Place::Dense(_, docs) => docs,
        }
    }
}

/// One feature's weights by kind (see [`Postings::weights`]).
#[derive(Debug, Clone, Copy)]
enum Weights<'a, const W: usize> {
    /// A sparse row's postings.
    Sparse(&'a [(u32, [f32; W])]),
    /// A dense row: per kind, a weight per document.
    Dense([&'a [f32]; W]),
}

/// One feature's weights, looked up (see [`Postings::weights`]).
#[derive(Debug, Clone, Copy)]
struct RowWeights<'a, const W: usize> {
    weights: Weights<'a, W>,
    idf: [f32; W],
}

impl<const W: usize> RowWeights<'_, W> {
    /// Adds `scale[w]` times the weights `w` into `scores[w]`.
    #[inline]
    fn add(&self, scale: [f32; W], mut scores: [&mut [f32]; W]) {
        match self.weights {
            Weights::Sparse(postings) => {
                for &(doc, weights) in postings {
                    for ((scores, scale), w) in scores.iter_mut().zip(scale).zip(weights) {
                        scores[doc as usize] += scale * w;
                    }
                }
            }
            Weights::Dense(rows) => {
                // One loop per weight: with padded score vectors (see `LANES`), whole vector
                // steps only.
                for ((scores, scale), row) in scores.into_iter().zip(scale).zip(rows) {
                    for (s, w) in scores.iter_mut().zip(row) {
                        *s += scale * w;
                    }
                }
            }
        }
    }
}

/// BM25 term saturation: how fast repeated features stop adding weight.
///
/// 1.4: with ~20 questions per entry a word said once in an entry must still count (at 2.0 a
/// single mention explains only a third of its weight, our harder parent set fell to 92.8%
/// right, and parents' questions fell below out-of-scope ones). Chosen on CLINC150 val with the
/// topic refusals (1.0: 88.9 / 79.5 at K=all / K=10; 1.4: 89.5 / 79.5; 1.2-1.5 are within 0.1)
/// and the three parent sets (the messages unchanged; our harder set trades one right answer
/// for one wrong answer fewer). Below 0.5 CLINC150 drops under its K=all bar.
pub const BM25_K1: f32 = 1.4;
/// BM25 length normalisation (the textbook value; long entries are not penalised much more).
pub const BM25_B: f32 = 0.75;

fn bm25_idf(docs: usize, df: usize) -> f32 {
    let (n, df) = (docs as f32, df as f32);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

/// The BM25 tf part of each posting: `tf (k1 + 1) / (tf + k1 (1 - b + b len / average))`.
fn bm25_weights(docs: &[Bag], k1: f32, b: f32) -> impl Fn(usize, u32) -> f32 {
    let lengths: Vec<f32> = docs
        .iter()
        .map(|bag| bag.values().sum::<u32>() as f32)
        .collect();
    let average = (lengths.iter().sum::<f32>() / lengths.len().max(1) as f32).max(1.0);
    move |doc: usize, tf: u32| {
        let tf = tf as f32;
        let norm = 1.0 - b + b * lengths[doc] / average;
        tf * (k1 + 1.0) / (tf + k1 * norm)
    }
}

/// What a [`Bm25`] query has added so far: the best score it could get.
#[derive(Debug, Clone, Copy, Default)]
pub struct Bm25Query {
    best_possible: f32,
}

impl Bm25Query {
    /// Adds what `other` added: the query of both sets of features (whose scores were added
    /// into two vectors, then summed).
    pub fn absorb(&mut self, other: Bm25Query) {
        self.best_possible += other.best_possible;
    }
}

/// BM25 over entry documents whose score is divided by the best score the query could get:
/// `(k1 + 1) * sum of idf over the query's features`, unknown features included. The result, in
/// 0..=1, is the share of the question's weight the entry explains, so one threshold means the
/// same for short and long questions, and words the FAQ has never seen pull the score down.
#[derive(Debug, Clone)]
pub struct Bm25 {
    postings: Postings<1>,
    unknown_idf: f32,
    k1: f32,
}

impl Bm25 {
    /// Indexes one bag of features per document.
    #[must_use]
    pub fn build(docs: &[Bag], k1: f32, b: f32) -> Self {
        let weight = bm25_weights(docs, k1, b);
        Bm25 {
            postings: Postings::build(
                docs,
                |doc, tf, _| [weight(doc, tf)],
                |df| [bm25_idf(docs.len(), df)],
            ),
            unknown_idf: bm25_idf(docs.len(), 0),
            k1,
        }
    }

    /// Adds the query's coverage-normalised scores into `scores` (one slot per document,
    /// zeroed by the caller). `query` holds (feature, count, weight) with weight a multiplier
    /// on the feature's idf (1.0 for most features).
    #[cfg(test)]
    pub fn score(&self, query: &[(Feature, u32, f32)], scores: &mut [f32]) {
        let mut totals = Bm25Query::default();
        for &(feature, count, weight) in query {
            self.add(
                self.row(feature),
                count as f32 * weight,
                &mut totals,
                scores,
            );
        }
        self.finish(totals, scores);
    }

    /// The row of `feature`, if any document holds it (for [`Bm25::add`]).
    #[inline]
    #[must_use]
    pub fn row(&self, feature: Feature) -> Option<Row<1>> {
        self.postings.rows.get(&feature).copied()
    }

    /// Adds one query feature, of `row` (see [`Bm25::row`]) and `count` (its count times its
    /// weight), into `scores` (one slot per document, zeroed before the first feature) and its
    /// best possible score into `totals`. A query's features are added in one order, each once,
    /// then [`Bm25::finish`] normalises.
    #[inline]
    pub fn add(&self, row: Option<Row<1>>, count: f32, totals: &mut Bm25Query, scores: &mut [f32]) {
        totals.best_possible += match row {
            Some(row) => self.postings.add(row, |[idf]| [idf * count], [scores])[0] * count,
            None => self.unknown_idf * count,
        };
    }

    /// Divides the scores of a query by the best score it could get: the share of its weight
    /// each document explains.
    pub fn finish(&self, totals: Bm25Query, scores: &mut [f32]) {
        if totals.best_possible > 0.0 {
            let scale = 1.0 / ((self.k1 + 1.0) * totals.best_possible);
            for s in scores {
                *s *= scale;
            }
        }
    }

    /// Does `doc` contain `feature`?
    #[must_use]
    pub fn contains(&self, feature: Feature, doc: usize) -> bool {
        self.postings.contains(feature, doc)
    }

    /// How many documents hold the feature of `row` (see [`Bm25::row`]).
    #[must_use]
    pub fn docs_holding(row: Row<1>) -> u32 {
        Postings::docs_holding(row)
    }

    /// [`Bm25::contains`] for a feature's row (see [`Bm25::row`]), looked up once for several
    /// documents.
    #[must_use]
    pub fn row_contains(&self, row: Option<Row<1>>, doc: usize) -> bool {
        row.is_some_and(|row| self.postings.row_contains(row, doc))
    }
}

fn cosine_idf(docs: usize, df: usize) -> f32 {
    ((1.0 + docs as f32) / (1.0 + df as f32)).ln() + 1.0
}

fn sublinear(tf: u32) -> f32 {
    // Most counts are 1, whose logarithm is exactly 0.
    if tf == 1 {
        1.0
    } else {
        1.0 + (tf as f32).ln()
    }
}

/// One query n-gram looked up in a [`Grams`] index (see [`Grams::gram`]).
#[derive(Debug, Clone, Copy)]
pub struct Gram<'a> {
    weights: Option<RowWeights<'a, 2>>,
    count: f32,
    tf: f32,
}

/// What a [`Grams`] query has added so far: its best BM25 score and its squared length.
#[derive(Debug, Clone, Copy, Default)]
pub struct GramsQuery {
    best_possible: f32,
    norm: f32,
}

impl GramsQuery {
    /// Adds what `other` added (see [`Bm25Query::absorb`]): their n-grams must be distinct,
    /// as the cosine's length sums each n-gram's weight once.
    pub fn absorb(&mut self, other: GramsQuery) {
        self.best_possible += other.best_possible;
        self.norm += other.norm;
    }
}

/// Character n-grams scored twice from one posting row: coverage-normalised BM25 (as
/// [`Bm25`]) and TF-IDF cosine similarity (sublinear tf, smoothed idf, L2-normalised vectors),
/// a whole-phrase similarity that, unlike BM25, also rewards an entry for having little beyond
/// the question.
#[derive(Debug, Clone)]
pub struct Grams {
    postings: Postings<2>,
    bm25_unknown_idf: f32,
    cosine_unknown_idf: f32,
    k1: f32,
}

impl Grams {
    /// Indexes one bag of n-grams per document.
    #[must_use]
    pub fn build(docs: &[Bag], k1: f32, b: f32) -> Self {
        let n = docs.len();
        let mut df: FxHashMap<Feature, usize> = FxHashMap::default();
        for bag in docs {
            for feature in bag.keys() {
                *df.entry(*feature).or_default() += 1;
            }
        }
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
        let bm25 = bm25_weights(docs, k1, b);
        let weight = |doc: usize, tf: u32, df: usize| {
            [
                bm25(doc, tf),
                sublinear(tf) * cosine_idf(n, df) / norms[doc],
            ]
        };
        Grams {
            postings: Postings::build(docs, weight, |df| [bm25_idf(n, df), cosine_idf(n, df)]),
            bm25_unknown_idf: bm25_idf(n, 0),
            cosine_unknown_idf: cosine_idf(n, 0),
            k1,
        }
    }

    /// Adds the query's BM25 coverage into `scores[0]` and its cosine similarity into
    /// `scores[1]` (zeroed by the caller). `query` holds (n-gram, count) pairs.
    #[cfg(test)]
    pub fn score(&self, query: &[(Feature, u32)], scores: &mut [Vec<f32>; 2]) {
        let mut totals = GramsQuery::default();
        let [bm25, cosine] = scores;
        for &(feature, count) in query {
            self.add(self.row(feature), count, &mut totals, [bm25, cosine]);
        }
        self.finish(totals, [bm25, cosine]);
    }

    /// The row of `feature`, if any document holds it (for [`Grams::add`]).
    #[inline]
    #[must_use]
    pub fn row(&self, feature: Feature) -> Option<Row<2>> {
        self.postings.rows.get(&feature).copied()
    }

    /// Adds one query n-gram, of `row` (see [`Grams::row`]) and `count`, into the BM25 scores
    /// `scores[0]` and the cosine scores `scores[1]` (zeroed before the first n-gram), and its
    /// part of the normalisations into `totals`. A query's n-grams are added in one order, each
    /// once, then [`Grams::finish`] normalises.
    #[inline]
    pub fn add(
        &self,
        row: Option<Row<2>>,
        count: u32,
        totals: &mut GramsQuery,
        scores: [&mut [f32]; 2],
    ) {
        self.add_gram(&self.gram(row, count), totals, scores);
    }

    /// An n-gram of `row` and `count`, looked up once to be added into several queries' scores
    /// with [`Grams::add_gram`] (as [`Grams::add`] adds it into one).
    #[inline]
    #[must_use]
    pub fn gram(&self, row: Option<Row<2>>, count: u32) -> Gram<'_> {
        Gram {
            weights: row.map(|row| self.postings.weights(row)),
            count: count as f32,
            tf: sublinear(count),
        }
    }

    /// [`Grams::add`] of an n-gram looked up with [`Grams::gram`].
    #[inline]
    pub fn add_gram(&self, gram: &Gram, totals: &mut GramsQuery, scores: [&mut [f32]; 2]) {
        let (c, tf) = (gram.count, gram.tf);
        let [bm25_idf, cosine_idf] = match &gram.weights {
            Some(weights) => {
                let [bi, ci] = weights.idf;
                weights.add([bi * c, tf * ci], scores);
                weights.idf
            }
            None => [self.bm25_unknown_idf, self.cosine_unknown_idf],
        };
        totals.best_possible += bm25_idf * c;
        totals.norm += (tf * cosine_idf).powi(2);
    }

    /// Normalises a query's scores: BM25 by the best score it could get, the cosine by the
    /// query vector's length.
    pub fn finish(&self, totals: GramsQuery, [bm25, cosine]: [&mut [f32]; 2]) {
        if totals.best_possible > 0.0 {
            let scale = 1.0 / ((self.k1 + 1.0) * totals.best_possible);
            for s in bm25 {
                *s *= scale;
            }
        }
        if totals.norm > 0.0 {
            let scale = 1.0 / f32::sqrt(totals.norm);
            for s in cosine {
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

    fn ones(features: &[Feature]) -> Vec<(Feature, u32, f32)> {
        features.iter().map(|f| (*f, 1, 1.0)).collect()
    }

    #[test]
    fn bm25_coverage_is_a_fraction_and_unknowns_pull_down() {
        let docs = [bag(&[1, 2, 2, 2, 2, 2, 2, 2]), bag(&[3, 4])];
        let index = Bm25::build(&docs, BM25_K1, BM25_B);
        let mut scores = vec![0.0; 2];
        index.score(&ones(&[1]), &mut scores);
        assert!(scores[0] > 0.2 && scores[0] <= 1.0, "{scores:?}");
        assert!(scores[1].abs() < f32::EPSILON);

        let mut with_unknown = vec![0.0; 2];
        index.score(&ones(&[1, 99]), &mut with_unknown);
        assert!(with_unknown[0] < scores[0] / 2.0, "{with_unknown:?}");
        assert!(index.contains(1, 0) && !index.contains(1, 1));
    }

    #[test]
    fn cosine_of_identical_bags_is_one_and_bm25_agrees_with_bm25() {
        let docs = [bag(&[1, 2, 3]), bag(&[4, 5])];
        let grams = Grams::build(&docs, BM25_K1, BM25_B);
        let mut scores = [vec![0.0; 2], vec![0.0; 2]];
        grams.score(&[(1, 1), (2, 1), (3, 1)], &mut scores);
        assert!((scores[1][0] - 1.0).abs() < 1e-5, "{scores:?}");
        assert!(scores[1][1].abs() < f32::EPSILON);

        let mut bm25 = vec![0.0; 2];
        Bm25::build(&docs, BM25_K1, BM25_B).score(&ones(&[1, 2, 3]), &mut bm25);
        assert!((bm25[0] - scores[0][0]).abs() < 1e-6, "{bm25:?} {scores:?}");
    }

    #[test]
    fn dense_and_sparse_rows_score_alike() {
        // 20 documents: feature 1 is in all (dense), feature 2 in one (sparse).
        let mut docs: Vec<Bag> = (0..20).map(|_| bag(&[1])).collect();
        docs[7] = bag(&[1, 2]);
        let index = Bm25::build(&docs, BM25_K1, BM25_B);
        let mut scores = vec![0.0; 20];
        index.score(&ones(&[1, 2]), &mut scores);
        let best = scores.iter().copied().fold(0.0, f32::max);
        assert!(
            (scores[7] - best).abs() < f32::EPSILON && scores[0] > 0.0,
            "{scores:?}"
        );
        assert!(index.contains(2, 7) && !index.contains(2, 6) && index.contains(1, 19));
    }

    #[test]
    fn empty_query_scores_nothing() {
        let index = Bm25::build(&[bag(&[1])], BM25_K1, BM25_B);
        let mut scores = vec![0.0];
        index.score(&[], &mut scores);
        assert!(scores[0].abs() < f32::EPSILON);
    }
}
