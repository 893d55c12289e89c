//! Chat shorthand: the abbreviations people type for everyday English words ("u", "btwn",
//! "sesh"), read as the words they stand for before synonyms and typo correction, so that
//! "diff btwn ot n pt" reads as "difference between OT and PT" and "sesh" is not "corrected"
//! to "ssh". The list is English, not the FAQ's: `data/chat-shorthand.txt`.

use rustc_hash::FxHashMap;
use std::sync::OnceLock;

/// The list, embedded at build time: "shorthand<TAB>words" per line, `#` comments.
const SHORTHAND: &str = include_str!("../../data/chat-shorthand.txt");

fn table() -> &'static FxHashMap<&'static str, Vec<&'static str>> {
    static TABLE: OnceLock<FxHashMap<&'static str, Vec<&'static str>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        SHORTHAND
            .lines()
            .filter(|line| !line.starts_with('#'))
            .filter_map(|line| line.split_once('\t'))
            .map(|(short, words)| (short, words.split_whitespace().collect()))
            .collect()
    })
}

/// The words with each shorthand replaced by what it stands for.
pub(crate) fn expand(words: Vec<String>) -> Vec<String> {
    let table = table();
    if !words.iter().any(|w| table.contains_key(w.as_str())) {
        return words;
    }
    let mut out = Vec::with_capacity(words.len() + 2);
    for word in words {
        match table.get(word.as_str()) {
            Some(long) => out.extend(long.iter().map(|w| (*w).to_owned())),
            None => out.push(word),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn sesh_reads_as_session_not_a_typo() {
        assert_eq!(
            expand(words("typical ot sesh")),
            words("typical ot session")
        );
    }

    #[test]
    fn shorthand_for_several_words_expands_to_all() {
        assert_eq!(
            expand(words("diff btwn ot n pt rn")),
            words("diff between ot and pt right now")
        );
    }

    #[test]
    fn the_list_is_well_formed() {
        for line in SHORTHAND.lines().filter(|l| !l.starts_with('#')) {
            let (short, long) = line.split_once('\t').expect("a tab in every line");
            assert_eq!(short, short.to_lowercase(), "{line}");
            assert!(!long.trim().is_empty(), "{line}");
        }
        assert!(table().len() > 40);
    }
}
