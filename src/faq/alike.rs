//! The near-duplicate question check: pairs of questions of different entries so alike
//! (normalised Levenshtein at least [`ALIKE_QUESTIONS`]) that the matcher cannot tell them
//! apart, found without comparing all pairs.
//!
//! Two questions are alike when their edit distance is at most `allowed(L)`, a tenth of the
//! longer one's length `L`. Questions are taken shortest first; each is looked up, through an
//! index of character trigrams, only against the shorter ones it could be alike with:
//!
//! - **Length**: a partner is at most `allowed(L)` characters shorter.
//! - **Positional prefix filter** (Ed-Join, Xiao, Wang and Lin, VLDB 2008): the trigrams of a
//!   question, rarest first, are taken until no `allowed` edits can destroy them all (each edit
//!   destroys the trigrams covering one character). An alike partner keeps one of them, within
//!   `allowed` places of where it was, and the smallest kept trigram is in both questions' prefixes
//!   (the kept trigrams are in the same order on both sides). Only questions that share a prefix
//!   trigram at such a place are looked at, and rare trigrams have short lists.
//! - **Letter counts**: each edit changes at most one letter count on each side, so two
//!   questions whose counts differ by more than `allowed` are not alike (a 16-bucket count
//!   kept in the index entry first, then the full one).
//! - **Edit distance** last, on what is left once the common beginning and end are cut (the
//!   same distance), with a bit-parallel algorithm (Myers 1999) for up to 64 characters.
//!
//! On questions that share a template ("can occupational therapy help with ...") and differ in
//! a short topic, every filter above still lets most same-template pairs through to the
//! letter counts (no filter built on shared pieces can reject them), so the work there grows
//! with the square of the template's use, at a few nanoseconds a pair.

use super::ALIKE_QUESTIONS;
use rustc_hash::FxHashMap;

/// Character n-grams of this length index the questions.
const GRAM: usize = 3;
/// Slack for the floating-point bounds below, so that rounding never makes them stricter.
const EPSILON: f64 = 1e-9;
/// The longest text the bit-parallel edit distance takes (one machine word of rows).
const WORD_BITS: usize = 64;

/// The most edits two questions may differ by and still be alike, when the longer one has
/// `len` characters.
fn allowed(len: usize) -> usize {
    (len as f64 * (1.0 - ALIKE_QUESTIONS) + EPSILON).floor() as usize
}

/// The longest question a question of `len` characters can be alike with.
fn longest_partner(len: usize) -> usize {
    (len as f64 / ALIKE_QUESTIONS + EPSILON).floor() as usize
}

/// Counts of a-z, 0-9 and anything else in a normalised question.
fn histogram(text: &[char]) -> [u16; 37] {
    let mut counts = [0u16; 37];
    for &c in text {
        let slot = match c {
            'a'..='z' => c as usize - 'a' as usize,
            '0'..='9' => 26 + c as usize - '0' as usize,
            _ => 36,
        };
        counts[slot] = counts[slot].saturating_add(1);
    }
    counts
}

/// A lower bound of the edit distance from character counts alone: each edit fixes at most
/// one surplus character on each side. Cheap enough to skip most edit-distance computations.
fn bag_distance(a: &[u16; 37], b: &[u16; 37]) -> usize {
    let (mut more, mut less) = (0usize, 0usize);
    for (x, y) in a.iter().zip(b) {
        if x > y {
            more += usize::from(x - y);
        } else {
            less += usize::from(y - x);
        }
    }
    more.max(less)
}

/// Character counts in 16 buckets (two letters a bucket, a frequent one with a rare one;
/// digits; anything else), saturating: merged and capped counts only lower the bag distance,
/// so [`sketch_distance`] is a lower bound too, small enough to keep in each index entry.
fn sketch(text: &[char]) -> [u8; 16] {
    /// Letters by frequency in English; bucket `i` holds `BY_FREQUENCY[i]` and
    /// `BY_FREQUENCY[25 - i]`.
    const BY_FREQUENCY: &[u8; 26] = b"etaoinshrdlcumwfgypbvkjxqz";
    let mut bucket = [0u8; 26];
    for (i, &letter) in BY_FREQUENCY.iter().enumerate() {
        bucket[usize::from(letter - b'a')] = i.min(25 - i) as u8;
    }
    let mut counts = [0u8; 16];
    for &c in text {
        let slot = match c {
            'a'..='z' => usize::from(bucket[c as usize - 'a' as usize]),
            '0'..='9' => 14,
            _ => 15,
        };
        counts[slot] = counts[slot].saturating_add(1);
    }
    counts
}

/// The bag distance of two [`sketch`]es.
fn sketch_distance(a: &[u8; 16], b: &[u8; 16]) -> usize {
    let (mut more, mut less) = (0u32, 0u32);
    for (x, y) in a.iter().zip(b) {
        more += u32::from(x.saturating_sub(*y));
        less += u32::from(y.saturating_sub(*x));
    }
    more.max(less) as usize
}

/// The fewest edits that destroy every trigram starting at `starts` (sorted): an edit of one
/// character destroys the trigrams covering it, so placing each edit at the end of the first
/// trigram not yet destroyed is optimal (interval stabbing).
fn edits_to_destroy(starts: &[usize]) -> usize {
    let mut edits = 0;
    let mut destroyed_to = None;
    for &start in starts {
        if destroyed_to.is_some_and(|end| start <= end) {
            continue;
        }
        edits += 1;
        destroyed_to = Some(start + GRAM - 1);
    }
    edits
}

/// How many of `grams` (rarest first, as `(frequency, gram, start)`) to take so that `edits`
/// edits cannot destroy them all; all of them if no prefix is enough (never for a question
/// long enough to be alike with another: `(L - 2) / 3` edits are needed to destroy all the
/// trigrams of `L` characters, more than a tenth of any partner's length).
fn prefix_len(grams: &[(u32, u32, usize)], edits: usize, starts: &mut Vec<usize>) -> usize {
    starts.clear();
    for (taken, &(_, _, start)) in grams.iter().enumerate() {
        let at = starts.partition_point(|&s| s < start);
        starts.insert(at, start);
        if taken >= edits && edits_to_destroy(starts) > edits {
            return taken + 1;
        }
    }
    grams.len()
}

/// Myers' bit-parallel edit distance (Hyyrö's form for whole strings) of `a`, at most
/// [`WORD_BITS`] characters long and not empty, and `b`. `ascii` is a zeroed table, left zeroed.
fn bit_parallel_distance(a: &[char], b: &[char], ascii: &mut [u64; 128]) -> usize {
    debug_assert!(!a.is_empty() && a.len() <= WORD_BITS);
    for (i, &c) in a.iter().enumerate() {
        if c.is_ascii() {
            ascii[c as usize] |= 1 << i;
        }
    }
    let matches = |c: char, ascii: &[u64; 128]| {
        if c.is_ascii() {
            ascii[c as usize]
        } else {
            a.iter()
                .enumerate()
                .filter(|&(_, &x)| x == c)
                .fold(0u64, |mask, (i, _)| mask | 1 << i)
        }
    };
    let last = 1u64 << (a.len() - 1);
    let (mut vertical_plus, mut vertical_minus, mut distance) = (!0u64, 0u64, a.len());
    for &c in b {
        let eq = matches(c, ascii);
        let xv = eq | vertical_minus;
        let xh = ((eq & vertical_plus).wrapping_add(vertical_plus) ^ vertical_plus) | eq;
        let horizontal_plus = vertical_minus | !(xh | vertical_plus);
        let horizontal_minus = vertical_plus & xh;
        if horizontal_plus & last != 0 {
            distance += 1;
        } else if horizontal_minus & last != 0 {
            distance -= 1;
        }
        let horizontal_plus = (horizontal_plus << 1) | 1;
        let horizontal_minus = horizontal_minus << 1;
        vertical_plus = horizontal_minus | !(xv | horizontal_plus);
        vertical_minus = horizontal_plus & xv;
    }
    for &c in a {
        if c.is_ascii() {
            ascii[c as usize] = 0;
        }
    }
    distance
}

/// The edit distance of `a` and `b` when it may be at most `limit`, else `None` (or the
/// distance), and the steps it took. The common beginning and end are cut first: they change
/// nothing.
fn distance_within(
    a: &[char],
    b: &[char],
    limit: usize,
    ascii: &mut [u64; 128],
) -> (Option<usize>, usize) {
    let start = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[start..], &b[start..]);
    let end = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a, b) = (&a[..a.len() - end], &b[..b.len() - end]);
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > limit {
        return (None, 0);
    }
    if short.is_empty() {
        (Some(long.len()), 0)
    } else if short.len() <= WORD_BITS {
        (Some(bit_parallel_distance(short, long, ascii)), long.len())
    } else {
        let distance = strsim::generic_levenshtein(&short.to_vec(), &long.to_vec());
        (Some(distance), short.len() * long.len())
    }
}

/// Each text's trigrams as ids, and how many times each id occurs in all of them.
fn trigrams(texts: &[Vec<char>]) -> (Vec<Vec<u32>>, Vec<u32>) {
    let mut ids: FxHashMap<&[char], u32> = FxHashMap::default();
    let mut frequency: Vec<u32> = Vec::new();
    let grams = texts
        .iter()
        .map(|text| {
            text.windows(GRAM)
                .map(|gram| {
                    let next = ids.len() as u32;
                    let id = *ids.entry(gram).or_insert(next);
                    if id == next {
                        frequency.push(0);
                    }
                    frequency[id as usize] += 1;
                    id
                })
                .collect()
        })
        .collect();
    (grams, frequency)
}

/// An index entry: a question (by its place in length order) has a trigram at `start`, in
/// its prefix for pairs allowed `budget` edits or more.
#[derive(Debug, Clone, Copy)]
struct Posting {
    rank: u32,
    start: u32,
    /// Saturating: a smaller budget only means the entry is skipped less often.
    budget: u8,
    sketch: [u8; 16],
}

/// What [`pairs_counted`] did, for the tests that pin its cost.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Work {
    /// Index entries read: each is one pair of questions looked at.
    pub examined: u64,
    /// Pairs whose edit distance was computed.
    pub measured: u64,
    /// Steps of those computations: a column of the bit-parallel algorithm, or a cell of the
    /// dynamic-programming table (an all-pairs check over whole questions takes length squared).
    pub steps: u64,
}

/// The pairs `(i, j)`, `i < j`, of `questions` (normalised text, entry) of different entries
/// that are at least [`ALIKE_QUESTIONS`] alike, in order. The texts must be distinct.
pub(super) fn pairs(questions: &[(&str, usize)]) -> Vec<(usize, usize)> {
    pairs_counted(questions).0
}

/// [`pairs`], and the work it took.
pub(super) fn pairs_counted(questions: &[(&str, usize)]) -> (Vec<(usize, usize)>, Work) {
    // Shortest first (ties in the given order): a question is looked up against shorter ones.
    let mut order: Vec<usize> = (0..questions.len()).collect();
    let lengths: Vec<usize> = questions.iter().map(|(q, _)| q.chars().count()).collect();
    order.sort_by_key(|&i| (lengths[i], i));
    let chars: Vec<Vec<char>> = order
        .iter()
        .map(|&i| questions[i].0.chars().collect())
        .collect();
    let (grams, frequency) = trigrams(&chars);
    let histograms: Vec<[u16; 37]> = chars.iter().map(|c| histogram(c)).collect();
    let mut postings: Vec<Vec<Posting>> = vec![Vec::new(); frequency.len()];
    let mut last_seen = vec![u32::MAX; chars.len()];
    let mut first_long_enough = 0;
    let (mut sorted, mut starts, mut ascii) = (Vec::new(), Vec::new(), [0u64; 128]);
    let mut work = Work::default();
    let mut pairs = Vec::new();
    for (rank, text) in chars.iter().enumerate() {
        let len = text.len();
        // The most edits any pair with this question can have: with its longest partner.
        let most = allowed(longest_partner(len));
        if most == 0 {
            // Shorter than this, "alike" means equal, which the exact check already reported.
            continue;
        }
        let limit = allowed(len);
        sorted.clear();
        sorted.extend(
            grams[rank]
                .iter()
                .enumerate()
                .map(|(start, &g)| (frequency[g as usize], g, start)),
        );
        sorted.sort_unstable();
        let sketch = sketch(text);
        while chars[first_long_enough].len() + limit < len {
            first_long_enough += 1;
        }
        let rank = rank as u32;
        if limit > 0 {
            let probe = prefix_len(&sorted, limit, &mut starts);
            for &(_, gram, start) in &sorted[..probe] {
                for posting in postings[gram as usize].iter().rev() {
                    if (posting.rank as usize) < first_long_enough {
                        break;
                    }
                    work.examined += 1;
                    if usize::from(posting.budget) > limit
                        || (posting.start as usize).abs_diff(start) > limit
                        || sketch_distance(&sketch, &posting.sketch) > limit
                        || last_seen[posting.rank as usize] == rank
                    {
                        continue;
                    }
                    last_seen[posting.rank as usize] = rank;
                    let (i, j) = (order[rank as usize], order[posting.rank as usize]);
                    let other = &chars[posting.rank as usize];
                    if questions[i].1 == questions[j].1
                        || bag_distance(
                            &histograms[rank as usize],
                            &histograms[posting.rank as usize],
                        ) > limit
                    {
                        continue;
                    }
                    let (distance, steps) = distance_within(text, other, limit, &mut ascii);
                    work.measured += 1;
                    work.steps += steps as u64;
                    let alike = distance
                        .is_some_and(|d| 1.0 - d as f64 / len.max(1) as f64 >= ALIKE_QUESTIONS);
                    if alike {
                        pairs.push((i.min(j), i.max(j)));
                    }
                }
            }
        }
        // Indexed for every budget a longer partner may bring: a trigram past the prefix for
        // the pair's own budget is skipped when looked up.
        let mut taken = 0;
        for budget in limit..=most {
            let prefix = prefix_len(&sorted, budget, &mut starts);
            for &(_, gram, start) in &sorted[taken..prefix.max(taken)] {
                postings[gram as usize].push(Posting {
                    rank,
                    start: start as u32,
                    budget: u8::try_from(budget).unwrap_or(u8::MAX),
                    sketch,
                });
            }
            taken = taken.max(prefix);
        }
    }
    pairs.sort_unstable();
    (pairs, work)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every pair, compared the slow way: what [`pairs`] must find.
    fn all_pairs(questions: &[(&str, usize)]) -> Vec<(usize, usize)> {
        let mut found = Vec::new();
        for (i, (a, ea)) in questions.iter().enumerate() {
            for (j, (b, eb)) in questions.iter().enumerate().skip(i + 1) {
                let (la, lb) = (a.chars().count(), b.chars().count());
                let len = la.max(lb).max(1);
                if ea != eb
                    && la.abs_diff(lb) <= allowed(len)
                    && 1.0 - strsim::levenshtein(a, b) as f64 / len as f64 >= ALIKE_QUESTIONS
                {
                    found.push((i, j));
                }
            }
        }
        found
    }

    #[test]
    fn bit_parallel_distance_is_levenshtein() {
        let texts = [
            "a",
            "ab",
            "ba",
            "kitten",
            "sitting",
            "what is ot",
            "what is pt",
            "wat is ot?",
            "é café",
            "cafe",
            "日本語の質問",
            "日本の質問です",
            "flaw",
            "lawn",
        ];
        let mut ascii = [0u64; 128];
        for a in texts {
            for b in texts {
                let (ca, cb): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
                assert_eq!(
                    bit_parallel_distance(&ca, &cb, &mut ascii),
                    strsim::levenshtein(a, b),
                    "{a:?} {b:?}"
                );
                assert_eq!(ascii, [0u64; 128]);
            }
        }
    }

    #[test]
    fn every_question_long_enough_has_a_prefix() {
        // The prefix filter needs enough trigrams that `most` edits cannot destroy them all.
        for len in 9..2000 {
            let starts: Vec<usize> = (0..=len - GRAM).collect();
            assert!(
                edits_to_destroy(&starts) > allowed(longest_partner(len)),
                "{len}"
            );
        }
    }

    #[test]
    fn finds_what_all_pairs_find() {
        // Questions of one template and near-misses of every kind: an edit at the start, the
        // end, the middle, spread edits, a length change, different entries and the same entry.
        let texts = [
            "what does an occupational therapist do",
            "what does an occupational therapist doo",
            "hwat does an occupational therapist do",
            "what dose an occupatoinal therapist do",
            "what does an occupational therapist do for kids",
            "what does a physical therapist do",
            "what does an ocupational therapist do",
            "wgat doez an occupational therapizt dp",
            "can occupational therapy help with handwriting",
            "can occupational therapy help with handwritin",
            "can occupational therapy help with hand writing",
            "can physical therapy help with handwriting",
            "is pt the same as physio",
            "is pt the same as physi",
            "what is ot",
            "what is pt",
            "wat is ot",
            "日本語の質問はどこですか",
            "日本語の質問はどこでしか",
        ];
        let questions: Vec<(&str, usize)> =
            texts.iter().enumerate().map(|(i, t)| (*t, i % 7)).collect();
        let expected = all_pairs(&questions);
        assert!(
            expected.len() > 8,
            "the test needs alike pairs: {expected:?}"
        );
        assert_eq!(pairs(&questions), expected);
    }

    /// `text` with `edits` edits spread over it (a substitution, a deletion and an insertion in
    /// turn), `seed` choosing the places.
    fn edited(text: &str, edits: usize, seed: usize) -> String {
        let mut chars: Vec<char> = text.chars().collect();
        for e in 0..edits {
            let at = (seed * 7 + e * (chars.len() / edits.max(1) + 3)) % chars.len();
            match (seed + e) % 3 {
                0 => chars[at] = if chars[at] == 'x' { 'y' } else { 'x' },
                1 => {
                    chars.remove(at);
                }
                _ => chars.insert(at, 'q'),
            }
        }
        chars.into_iter().collect()
    }

    #[test]
    fn finds_what_all_pairs_find_on_a_generated_faq() {
        // Questions sharing templates, and copies in other entries with 1 to 6 edits: pairs on
        // both sides of the threshold.
        let mut questions = generated_questions(150);
        let copies: Vec<(String, usize)> = questions
            .iter()
            .step_by(9)
            .enumerate()
            .map(|(n, (q, _))| (edited(q, n % 6 + 1, n), 10_000 + n))
            .collect();
        let mut seen: std::collections::HashSet<String> =
            questions.iter().map(|(q, _)| q.clone()).collect();
        questions.extend(copies.into_iter().filter(|(q, _)| seen.insert(q.clone())));
        let questions: Vec<(&str, usize)> =
            questions.iter().map(|(q, e)| (q.as_str(), *e)).collect();
        let expected = all_pairs(&questions);
        assert!(expected.len() > 50, "{}", expected.len());
        assert_eq!(pairs(&questions), expected);
    }

    #[test]
    fn near_duplicate_check_compares_most_pairs_at_full_cost() {
        // The generated FAQ (400 entries of 10 questions from shared templates, the shape of
        // the one the issue timed at 14 s for 3 000 entries). The check compared all pairs of
        // questions, then (with a count prefix filter that let every shared template trigram
        // through) 16% of them, and ran a whole-question Levenshtein on each pair whose letter
        // counts were close: 11 700 steps a question here.
        let questions = generated_questions(400);
        let questions: Vec<(&str, usize)> =
            questions.iter().map(|(q, e)| (q.as_str(), *e)).collect();
        let all = (questions.len() * (questions.len() - 1) / 2) as u64;
        let (_, work) = pairs_counted(&questions);
        assert!(work.examined * 10 < all, "{work:?} of {all} pairs");
        eprintln!("{work:?} of {all} pairs, {} questions", questions.len());
        assert!(
            work.steps < 100 * questions.len() as u64,
            "{work:?} for {} questions",
            questions.len()
        );
    }

    /// The normalised questions of the generated FAQ of `entries` entries, distinct.
    fn generated_questions(entries: usize) -> Vec<(String, usize)> {
        let files =
            crate::faq::generated::files(entries, include_str!("../../data/english-words.txt"));
        let checked = crate::faq::Faq::from_files(&files);
        let faq = checked.map(|c| c.faq).expect("the generated FAQ is valid");
        let mut seen = std::collections::HashSet::new();
        let mut questions = Vec::new();
        for (index, entry) in faq.entries().iter().enumerate() {
            for question in &entry.questions {
                let key = crate::text::words(question).join(" ");
                if seen.insert(key.clone()) {
                    questions.push((key, index));
                }
            }
        }
        questions
    }
}
