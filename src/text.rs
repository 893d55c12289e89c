//! Text normalisation: what a parent typed becomes a list of plain words.
//!
//! Both the FAQ's questions and incoming messages go through the same steps, so they meet on
//! equal terms: Unicode compatibility folding (NFKC), lower case, accents dropped, apostrophes
//! joined ("what's" becomes "whats"), every other non-alphanumeric character a word break, and
//! letters split from digits ("3yo" becomes "3 yo"). Stemming and synonyms come after this step
//! (see [`stem`] and [`crate::synonyms`]).

use rust_stemmers::{Algorithm, Stemmer};
use std::sync::OnceLock;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// How many characters of a message are read for matching.
///
/// An FAQ question fits in a sentence or two; reading the first 1000 characters keeps the cost of
/// a pasted essay bounded (matching is linear in the text) without losing any real question.
pub const MAX_QUERY_CHARS: usize = 1000;

/// Common English function words.
///
/// They are kept for matching (dropping them cost accuracy on CLINC150, see the README) but are
/// never "typo-corrected" into FAQ words and weigh less when a question is scored.
pub const STOP_WORDS: &[&str] = &[
    "a", "about", "am", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by", "can",
    "could", "did", "do", "does", "for", "from", "had", "has", "have", "he", "her", "hers", "him",
    "his", "how", "i", "if", "im", "in", "into", "is", "it", "its", "just", "me", "my", "of", "on",
    "or", "our", "she", "so", "than", "that", "the", "their", "them", "then", "there", "these",
    "they", "this", "those", "to", "us", "was", "we", "were", "what", "whats", "when", "where",
    "which", "who", "whom", "why", "will", "with", "would", "you", "your",
];

/// Words that give a child's age ("my 3 year old", "18 months"): frequent in parents'
/// questions and never what the question is about, so they weigh like stop words.
pub const AGE_WORDS: &[&str] = &[
    "mo", "month", "months", "mos", "old", "week", "weeks", "year", "years", "yo", "yr", "yrs",
];

/// Is `word` (already normalised) one of the [`STOP_WORDS`], an [`AGE_WORDS`] word or a
/// number? Such words are kept but weigh less, and are never typo-corrected.
#[must_use]
pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.binary_search(&word).is_ok()
        || AGE_WORDS.binary_search(&word).is_ok()
        || word.chars().all(char::is_numeric)
}

/// Normalises `text` into lower-case words of letters or of digits.
///
/// Only the first [`MAX_QUERY_CHARS`] characters are read.
///
/// ```
/// assert_eq!(
///     faqbot::text::words("What's OT/PT for my 3yo?? Café"),
///     ["whats", "ot", "pt", "for", "my", "3", "yo", "cafe"]
/// );
/// ```
#[must_use]
pub fn words(text: &str) -> Vec<String> {
    // Pure ASCII (most messages) needs no Unicode folding: lower case is all there is to do.
    let prefix: &str = if text.len() <= MAX_QUERY_CHARS {
        text
    } else {
        match text.char_indices().nth(MAX_QUERY_CHARS) {
            Some((end, _)) => &text[..end],
            None => text,
        }
    };
    // Each case its own loop (no boxed iterator to call through for every character).
    if prefix.is_ascii() {
        split_ascii_words(prefix.as_bytes())
    } else {
        split_words(
            prefix
                .chars()
                .nfkc()
                .flat_map(char::to_lowercase)
                .nfd()
                .filter(|c| !is_combining_mark(*c)),
        )
    }
}

/// [`split_words`] of ASCII text lower-cased: each word one slice of the text, copied once
/// (with its apostrophes dropped when it has any).
fn split_ascii_words(text: &[u8]) -> Vec<String> {
    // About a word per six bytes of chat: the list is mostly allocated once.
    let mut out = Vec::with_capacity(text.len() / 6 + 1);
    let mut at = 0;
    while let Some(&first) = text.get(at) {
        if !first.is_ascii_alphanumeric() {
            at += 1;
            continue;
        }
        // A run of letters or of digits; an apostrophe joins ("what's").
        let digits = first.is_ascii_digit();
        let (start, mut end, mut joined) = (at, at, false);
        while let Some(&b) = text.get(at) {
            if b == b'\'' || b == b'`' {
                joined = true;
            } else if b.is_ascii_alphanumeric() && b.is_ascii_digit() == digits {
                end = at + 1;
            } else {
                break;
            }
            at += 1;
        }
        let run = &text[start..end];
        let word: String = if joined {
            run.iter()
                .filter(|&&b| b != b'\'' && b != b'`')
                .map(|&b| char::from(b.to_ascii_lowercase()))
                .collect()
        } else {
            std::str::from_utf8(run)
                .map(str::to_ascii_lowercase)
                .unwrap_or_default()
        };
        out.push(word);
    }
    out
}

/// The words of folded characters (see [`words`]).
fn split_words(folded: impl Iterator<Item = char>) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut current_is_digit = false;
    let flush = |current: &mut String, out: &mut Vec<String>| {
        if !current.is_empty() {
            out.push(std::mem::take(current));
        }
    };
    for c in folded {
        if is_apostrophe(c) {
            // "what's" and "don't" stay one word: the apostrophe joins.
            continue;
        }
        if c.is_alphanumeric() {
            let is_digit = c.is_numeric();
            if !current.is_empty() && is_digit != current_is_digit {
                flush(&mut current, &mut out);
            }
            current_is_digit = is_digit;
            current.push(c);
        } else {
            flush(&mut current, &mut out);
        }
    }
    flush(&mut current, &mut out);
    out
}

pub(crate) fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '`' | '\u{00B4}'
    )
}

/// The English (Porter2) stem of a normalised word: "therapists" and "therapist" meet.
///
/// ```
/// assert_eq!(faqbot::text::stem("walking"), "walk");
/// ```
#[must_use]
pub fn stem(word: &str) -> String {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    STEMMER
        .get_or_init(|| Stemmer::create(Algorithm::English))
        .stem(word)
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_table() {
        let cases: &[(&str, &[&str])] = &[
            ("", &[]),
            ("   ", &[]),
            (
                "OT or PT for my 3yo??",
                &["ot", "or", "pt", "for", "my", "3", "yo"],
            ),
            ("my son is 18months", &["my", "son", "is", "18", "months"]),
            ("what\u{2019}s PT", &["whats", "pt"]),
            ("can't", &["cant"]),
            ("fine-motor skills", &["fine", "motor", "skills"]),
            ("ＯＴ full width", &["ot", "full", "width"]),
            ("naïve café", &["naive", "cafe"]),
            ("@everyone <@&123> hi", &["everyone", "123", "hi"]),
            ("emoji 🙂 in between", &["emoji", "in", "between"]),
        ];
        for (input, expected) in cases {
            assert_eq!(&words(input), expected, "input: {input:?}");
        }
    }

    #[test]
    fn ascii_words_are_split_as_any_text_is() {
        for text in [
            "What's OT/PT for my 3yo?? it`s 18months",
            "  a  b--c 12ab34 x'y '' ` ",
            "1'a a'1 ab'' 'ab `x`y` 9``9 a'",
            "",
        ] {
            assert_eq!(
                split_ascii_words(text.as_bytes()),
                split_words(text.chars().map(|c| c.to_ascii_lowercase())),
                "{text}"
            );
        }
    }

    #[test]
    fn words_reads_a_bounded_prefix() {
        let long = "word ".repeat(10_000);
        assert_eq!(words(&long).len(), MAX_QUERY_CHARS / 5);
    }

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        let mut sorted = STOP_WORDS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, STOP_WORDS);
        let mut sorted = AGE_WORDS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, AGE_WORDS);
        for word in ["the", "yo", "months", "18"] {
            assert!(is_stop_word(word), "{word}");
        }
        assert!(!is_stop_word("therapy"));
    }

    #[test]
    fn stem_table() {
        for (word, expected) in [
            ("therapists", "therapist"),
            ("skills", "skill"),
            ("ot", "ot"),
        ] {
            assert_eq!(stem(word), expected);
        }
    }
}
