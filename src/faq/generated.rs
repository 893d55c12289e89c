//! A generated FAQ of any size, for the load-and-check bench, the `big_faq` example and the
//! tests that pin the check's cost: not part of the bot.
//!
//! Every entry has [`QUESTIONS`] questions built from the same templates (as a real FAQ's
//! phrasings share their openings) around a topic of two English words, distinct per entry, so
//! the FAQ is valid and its near-duplicate questions are few: the cost is in looking for them.
//! A few are planted (see [`PLANTED_EVERY`]) so that there is something to find.

use super::SourceFile;
use std::path::Path;

/// Questions per generated entry (the FAQ's rule asks for at least 8).
pub const QUESTIONS: usize = 10;

/// Ways parents start a question: shared by every entry, as in a real FAQ.
const TEMPLATES: [&str; QUESTIONS] = [
    "what is {a} and does my child need it",
    "can occupational therapy help with {a}",
    "my son has trouble with {a} and {b}, who can help",
    "is {a} something a physical therapist works on",
    "how do I know if my daughter needs help with {a}",
    "what does a therapist do for {a} in a {b} session",
    "at what age should I worry about {a}",
    "{a} or {b}: which one is it",
    "does {a} get better on its own or with therapy",
    "we were told about {a}, what happens next",
];

/// Entries from which one question repeats, one letter doubled, a question of the entry before:
/// every this many, so the check has near-duplicates to find (one per this many entries).
pub const PLANTED_EVERY: usize = 1000;

/// Words of `list` (one `word count` line per word, most frequent first, as
/// `data/english-words.txt`) that topics are drawn from: past the commonest, which the
/// templates already use, and the first `VOCABULARY` after them.
fn vocabulary(list: &str) -> Vec<&str> {
    /// Words skipped at the top of the list: "the", "child", "therapy" ... make poor topics.
    const COMMONEST: usize = 2000;
    /// Words topics are drawn from: as many as a large FAQ's own vocabulary.
    const VOCABULARY: usize = 20_000;
    list.lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|word| word.len() >= 4 && word.chars().all(|c| c.is_ascii_lowercase()))
        .skip(COMMONEST)
        .take(VOCABULARY)
        .collect()
}

/// The files of a generated FAQ of `entries` entries, `entry-NNNN.md`, in name order, with
/// topics of words from `list` (see [`vocabulary`]). The same arguments give the same files.
///
/// Entry `i`'s topic is two words; the first is word `i * STRIDE mod len` of the vocabulary, so
/// topics are distinct while there are fewer entries than words. Every [`PLANTED_EVERY`]th
/// entry also repeats, one letter doubled, the first question of the entry before it.
///
/// # Panics
/// When `list` has fewer than two usable words.
#[must_use]
pub fn files(entries: usize, list: &str) -> Vec<SourceFile> {
    /// Steps through the vocabulary: prime, so `i * STRIDE` visits every word once.
    const STRIDE: usize = 7919;
    let words = vocabulary(list);
    assert!(words.len() >= 2, "the word list has too few words");
    let word = |n: usize| words[n % words.len()];
    let question = |i: usize, k: usize| {
        let topic = format!("{} {}", word(i * STRIDE), word(i * STRIDE * 3 + 1));
        TEMPLATES[k]
            .replace("{a}", &topic)
            .replace("{b}", word(i * 31 + k * 17 + 5))
    };
    (0..entries)
        .map(|i| {
            let mut questions: Vec<String> = (0..QUESTIONS).map(|k| question(i, k)).collect();
            if i % PLANTED_EVERY == PLANTED_EVERY - 1 {
                let mut copy = question(i - 1, 0);
                copy.insert(1, copy.as_bytes()[0] as char);
                questions.push(copy);
            }
            let topic = format!("{} {}", word(i * STRIDE), word(i * STRIDE * 3 + 1));
            let text = format!(
                "+++\ntitle = \"About {topic}\"\nquestions = {questions:?}\nkeywords = [\"{topic}\"]\n\
                 sources = [\"Generated source {n}\"]\n+++\n**{topic}** is explained here, for parents.\n",
                n = i % 5
            );
            SourceFile {
                name: format!("entry-{i:04}.md"),
                bytes: text.into_bytes(),
            }
        })
        .collect()
}

/// Writes a generated FAQ of `entries` entries ([`files`]) into `dir` (which must exist).
///
/// # Errors
/// When a file cannot be written.
pub fn write(dir: &Path, entries: usize, list: &str) -> std::io::Result<()> {
    for file in files(entries, list) {
        std::fs::write(dir.join(&file.name), &file.bytes)?;
    }
    Ok(())
}
