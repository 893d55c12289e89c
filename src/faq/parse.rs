//! Parsing one entry file or the synonyms file into data, with every problem located by line.

use super::{
    Entry, Problem, LONG_ANSWER_CHARS, MAX_ANSWER_CHARS, MAX_FILE_BYTES, MIN_QUESTIONS,
    PLACEHOLDERS,
};
use serde::Deserialize;
use std::collections::BTreeMap;

const FENCE: &str = "+++";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    title: Option<String>,
    questions: Option<Vec<String>>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    related: Vec<String>,
    #[serde(default)]
    sources: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SynonymsFile {
    #[serde(default)]
    synonyms: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    alternatives: BTreeMap<String, Vec<String>>,
}

/// What the synonyms file holds: (canonical, variants) pairs and groups of alternatives.
#[derive(Debug, Default)]
pub(super) struct SynonymsParsed {
    /// (canonical, variants) pairs.
    pub pairs: Vec<(String, Vec<String>)>,
    /// Groups of words that name alternatives ("occupational", "physical"), normalised.
    pub alternatives: Vec<Vec<String>>,
}

/// The file's text, or the problem that stops it from being read as text.
pub(super) fn text<'a>(
    file: &str,
    bytes: &'a [u8],
    problems: &mut Vec<Problem>,
) -> Option<&'a str> {
    if bytes.len() > MAX_FILE_BYTES {
        problems.push(Problem::error(
            file,
            1,
            format!("file is {} KiB, more than the {} KiB an FAQ file may have", bytes.len() / 1024, MAX_FILE_BYTES / 1024),
            "an entry is a title, some questions and a short answer: split it or remove pasted content",
        ));
        return None;
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Some(text.strip_prefix('\u{feff}').unwrap_or(text)),
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            let line = valid.split(|b| *b == b'\n').count();
            problems.push(Problem::error(
                file,
                line,
                format!(
                    "file is not UTF-8 text (bad byte at offset {})",
                    e.valid_up_to()
                ),
                "save the file as UTF-8 in your editor",
            ));
            None
        }
    }
}

/// The 1-based line of byte offset `at` in `text`.
fn line_at(text: &str, at: usize) -> usize {
    let end = at.min(text.len());
    text.as_bytes()[..end].split(|b| *b == b'\n').count()
}

/// Where a TOML error starts in the file and what it is, from toml's span and message. `part`
/// is the TOML that was parsed, found at byte `base` of the file's `text`.
///
/// - An error toml finds at the end of a line or of the text (a missing closing quote or
///   bracket) is put on the last line with something on it, where the fix goes, not the next.
/// - A string left open ("a quote is missing") is named as such: toml reads on past it and
///   reports whatever it trips on next, often "missing comma".
/// - A duplicate key is named, with the line where it first appears.
fn toml_error(text: &str, base: usize, part: &str, e: &toml::de::Error) -> (usize, String) {
    let message = e.message().trim().to_owned();
    let Some(span) = e.span() else {
        return (line_at(text, base), message);
    };
    let start = span.start.min(part.len());
    let at_blank = part[start..].chars().next().is_none_or(char::is_whitespace);
    let at = if at_blank {
        part[..start].trim_end().len()
    } else {
        start
    };
    let line = line_at(text, base + at);
    if message.starts_with("duplicate key") {
        let key = part.get(span.clone()).unwrap_or("").trim();
        let first = first_key_line(part, key, base, text).filter(|&first| first != line);
        let key = if key.starts_with(['"', '\'']) {
            key.to_owned()
        } else {
            format!("\"{key}\"")
        };
        return match first {
            Some(first) => (line, format!("duplicate key {key} (first on line {first})")),
            None => (line, format!("duplicate key {key}")),
        };
    }
    // The first line of the TOML, up to the error's, that leaves a quote open.
    let first_line = line_at(text, base);
    let open_quote = text
        .lines()
        .enumerate()
        .skip(first_line.saturating_sub(1))
        .take((line + 1).saturating_sub(first_line))
        .find(|(_, l)| unclosed_quote(l))
        .map(|(i, _)| i + 1);
    if let Some(quote_line) = open_quote {
        return (
            quote_line,
            format!(
                "unclosed quote: this line opens a \" and does not close it (toml said: {message})"
            ),
        );
    }
    (line, message)
}

/// Whether a TOML line leaves a basic string open: an unescaped `"` not closed on the line,
/// outside comments and `'literal'` strings (`"""` multi-line strings are left alone).
fn unclosed_quote(line: &str) -> bool {
    if line.contains("\"\"\"") {
        return false;
    }
    let mut chars = line.chars();
    let mut open = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' if open => {
                chars.next();
            }
            '"' => open = !open,
            '\'' if !open => {
                // A 'literal string': skip to its end.
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                }
            }
            '#' if !open => break,
            _ => {}
        }
    }
    open
}

/// The 1-based line (of `text`) where `key` is first defined in `part` (at byte `base` of
/// `text`).
fn first_key_line(part: &str, key: &str, base: usize, text: &str) -> Option<usize> {
    if key.is_empty() {
        return None;
    }
    let mut offset = 0;
    for line in part.split_inclusive('\n') {
        if let Some(after) = line.trim_start().strip_prefix(key) {
            if after.trim_start().starts_with('=') {
                return Some(line_at(
                    text,
                    base + offset + (line.len() - line.trim_start().len()),
                ));
            }
        }
        offset += line.len();
    }
    None
}

/// The first line at or after `from` (1-based) that contains `needle`, else `from`.
pub(super) fn line_of(text: &str, needle: &str, from: usize) -> usize {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, line)| line.contains(needle))
        .map_or(from, |(i, _)| i + 1)
}

/// Is `id` a valid entry id (lower-case letters, digits and dashes)?
pub(super) fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Parses one entry file; problems (errors and warnings) are appended to `problems`. The entry
/// comes back whenever its front matter could be read, even with other errors, so that the
/// checks across entries (duplicate questions, related ids) report on it too.
// Each field's checks in file order; split, the checks of one entry would scatter.
#[allow(clippy::too_many_lines)]
pub(super) fn entry(file: &str, text: &str, problems: &mut Vec<Problem>) -> Option<Entry> {
    let id = file
        .rsplit_once('.')
        .map_or(file, |(stem, _)| stem)
        .to_owned();
    if !valid_id(&id) {
        problems.push(Problem::error(
            file,
            1,
            format!("'{id}' is not a valid entry id"),
            "name the file with lower-case letters, digits and dashes, e.g. low-muscle-tone.md",
        ));
    }

    // Front matter: the first non-blank line is `+++`, and another `+++` line closes it.
    let mut offsets = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        offsets.push((offset, line.trim_end_matches(['\n', '\r'])));
        offset += line.len();
    }
    let Some(open) = offsets.iter().position(|(_, line)| !line.trim().is_empty()) else {
        problems.push(Problem::error(
            file,
            1,
            "file is empty",
            "an entry starts with a +++ line, the front matter, another +++ line, then the answer",
        ));
        return None;
    };
    if offsets[open].1.trim() != FENCE {
        problems.push(Problem::error(
            file,
            open + 1,
            "missing front matter: the file must start with a line that is just +++",
            "see faq/README.md for the format",
        ));
        return None;
    }
    let Some(close) = offsets
        .iter()
        .skip(open + 1)
        .position(|(_, line)| line.trim() == FENCE)
        .map(|i| i + open + 1)
    else {
        problems.push(Problem::error(
            file,
            open + 1,
            "front matter is not closed: no second +++ line",
            "add a line that is just +++ after the front matter, before the answer",
        ));
        return None;
    };
    let front_start = offsets[open].0 + offsets[open].1.len();
    let front = &text[front_start..offsets[close].0];
    let answer_start = offsets.get(close + 1).map_or(text.len(), |(o, _)| *o);
    let answer = text[answer_start..].trim();
    let front_line = open + 1;

    let front: FrontMatter = match toml::from_str(front) {
        Ok(front) => front,
        Err(e) => {
            let (line, message) = toml_error(text, front_start, front, &e);
            problems.push(Problem::error(
                file,
                line,
                format!("bad front matter: {message}"),
                "front matter is TOML: key = \"text\" or key = [\"a\", \"b\"]; known keys: title, questions, keywords, related, sources",
            ));
            return None;
        }
    };

    let title = front.title.unwrap_or_default().trim().to_owned();
    if title.is_empty() {
        problems.push(Problem::error(
            file,
            line_of(text, "title", front_line),
            "missing title",
            "add title = \"...\" to the front matter",
        ));
    }
    let questions: Vec<String> = front
        .questions
        .unwrap_or_default()
        .into_iter()
        .map(|q| q.trim().to_owned())
        .collect();
    let questions_line = line_of(text, "questions", front_line);
    if questions.iter().all(String::is_empty) {
        problems.push(Problem::error(
            file,
            questions_line,
            "missing questions",
            "add questions = [\"how parents ask it\", ...] to the front matter",
        ));
    } else if questions.iter().any(String::is_empty) {
        problems.push(Problem::error(
            file,
            line_of(text, "\"\"", questions_line),
            "a question is empty",
            "remove the empty string from questions",
        ));
    } else if questions.len() < MIN_QUESTIONS {
        problems.push(Problem::warning(
            file,
            questions_line,
            format!("only {} questions", questions.len()),
            format!("add phrasings until there are at least {MIN_QUESTIONS}: short ones, long ones, the words parents use"),
        ));
    }

    let answer_line = line_at(text, answer_start.min(text.len()));
    let answer_chars = answer.chars().count();
    if answer.is_empty() {
        problems.push(Problem::error(
            file,
            answer_line,
            "missing answer",
            "write the answer below the closing +++ line",
        ));
    } else if answer_chars > MAX_ANSWER_CHARS {
        problems.push(Problem::error(
            file,
            answer_line,
            format!("answer is {answer_chars} characters, more than the {MAX_ANSWER_CHARS} a Discord embed holds"),
            format!("shorten it; aim for under {LONG_ANSWER_CHARS}"),
        ));
    } else if answer_chars > LONG_ANSWER_CHARS {
        problems.push(Problem::warning(
            file,
            answer_line,
            format!("answer is {answer_chars} characters"),
            format!("parents read on phones: aim for under {LONG_ANSWER_CHARS}"),
        ));
    }
    for placeholder in placeholders(answer) {
        if !PLACEHOLDERS.contains(&placeholder) {
            problems.push(Problem::error(
                file,
                line_of(text, &format!("{{{placeholder}"), answer_line),
                format!("unknown placeholder {{{placeholder}}}"),
                format!(
                    "placeholders are {}",
                    PLACEHOLDERS
                        .iter()
                        .map(|p| format!("{{{p}}}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    }

    Some(Entry {
        id,
        title,
        questions,
        keywords: trimmed(front.keywords),
        related: trimmed(front.related),
        sources: trimmed(front.sources),
        answer: answer.to_owned(),
        file: file.to_owned(),
    })
}

fn trimmed(list: Vec<String>) -> Vec<String> {
    list.into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The names inside `{...}` in `text` (an unclosed brace counts as a bad placeholder).
pub(crate) fn placeholders(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find(['}', '{', '\n']) {
            Some(close) if after[close..].starts_with('}') => {
                names.push(&after[..close]);
                rest = &after[close + 1..];
            }
            _ => {
                names.push(after.split(['}', '{', '\n']).next().unwrap_or(""));
                rest = after;
            }
        }
    }
    names
}

/// Parses the synonyms file into (canonical, variants) pairs and groups of alternatives.
pub(super) fn synonyms(file: &str, text: &str, problems: &mut Vec<Problem>) -> SynonymsParsed {
    let parsed: SynonymsFile = match toml::from_str(text) {
        Ok(parsed) => parsed,
        Err(e) => {
            let (line, message) = toml_error(text, 0, text, &e);
            problems.push(Problem::error(
                file,
                line,
                format!("bad synonyms file: {message}"),
                "the file has a [synonyms] table of lines like \"physical therapy\" = [\"pt\", \"physio\"]",
            ));
            return SynonymsParsed::default();
        }
    };
    let canonicals: Vec<String> = parsed
        .synonyms
        .keys()
        .map(|k| crate::text::words(k).join(" "))
        .collect();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for (canonical, variants) in &parsed.synonyms {
        let line = line_of(text, &format!("\"{canonical}\""), 1);
        if crate::text::words(canonical).is_empty() {
            problems.push(Problem::error(
                file,
                line,
                "empty canonical words",
                "write the words variants are read as, e.g. \"physical therapy\"",
            ));
        }
        for variant in variants {
            let normalised = crate::text::words(variant).join(" ");
            if normalised.is_empty() {
                problems.push(Problem::error(
                    file,
                    line,
                    format!("empty variant for \"{canonical}\""),
                    "remove the empty string",
                ));
            } else if canonicals.contains(&normalised) {
                problems.push(Problem::warning(
                    file,
                    line,
                    format!("\"{variant}\" is both a variant and a canonical form"),
                    "synonyms are applied once, not in chains: point the variant at the final words",
                ));
            } else if let Some(other) = seen.insert(normalised, canonical.clone()) {
                if other != *canonical {
                    problems.push(Problem::error(
                        file,
                        line,
                        format!(
                            "\"{variant}\" is a variant of both \"{other}\" and \"{canonical}\""
                        ),
                        "keep it under one of them",
                    ));
                }
            }
        }
    }
    let mut alternatives = Vec::new();
    for (name, words) in &parsed.alternatives {
        let line = line_of(text, name, 1);
        let group: Vec<String> = words
            .iter()
            .map(|w| crate::text::words(w).join(" "))
            .collect();
        if group.len() < 2 || group.iter().any(|w| w.is_empty() || w.contains(' ')) {
            problems.push(Problem::error(
                file,
                line,
                format!("alternatives \"{name}\" must be two or more single words"),
                "e.g. therapy = [\"occupational\", \"physical\"]: words as read after synonyms",
            ));
            continue;
        }
        alternatives.push(group);
    }
    SynonymsParsed {
        pairs: parsed.synonyms.into_iter().collect(),
        alternatives,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Option<Entry>, Vec<String>) {
        let mut problems = Vec::new();
        let entry = entry("x.md", text, &mut problems);
        (entry, problems.iter().map(ToString::to_string).collect())
    }

    const GOOD: &str = "+++\ntitle = \"T\"\nquestions = [\"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\", \"h\"]\nrelated = [\"y\"]\n+++\nThe answer, {clinic_name}.\n";

    #[test]
    fn good_entry_parses() {
        let (entry, problems) = parse(GOOD);
        assert!(problems.is_empty(), "{problems:?}");
        let entry = entry.expect("entry");
        assert_eq!(entry.id, "x");
        assert_eq!(entry.answer, "The answer, {clinic_name}.");
        assert_eq!(entry.related, ["y"]);
    }

    #[test]
    fn problems_table() {
        let cases: &[(&str, &str)] = &[
            ("", "x.md:1: error: file is empty"),
            ("title = 1\n", "x.md:1: error: missing front matter"),
            (
                "+++\ntitle = \"T\"\n",
                "x.md:1: error: front matter is not closed",
            ),
            (
                "+++\ntitle = \"T\"\nquestions = [\"a\"\n+++\nA",
                "x.md:3: error: bad front matter",
            ),
            (
                "+++\ntitle = \"T\"\ncolour = 1\nquestions = [\"a\"]\n+++\nA",
                "x.md:3: error: bad front matter: unknown field `colour`",
            ),
            (
                "+++\nquestions = [\"a\"]\n+++\nA",
                "x.md:1: error: missing title",
            ),
            (
                "+++\ntitle = \"T\"\n+++\nA",
                "x.md:1: error: missing questions",
            ),
            (
                "+++\ntitle = \"T\"\nquestions = [\"a\"]\n+++\n\n",
                "x.md:5: error: missing answer",
            ),
            (
                "+++\ntitle = \"T\"\nquestions = [\"a\"]\n+++\nA",
                "x.md:3: warning: only 1 questions",
            ),
            (
                "+++\ntitle = \"T\"\nquestions = [\"a\"]\n+++\nCall {phone}",
                "x.md:5: error: unknown placeholder {phone}",
            ),
            (
                "+++\ntitle = \"T\"\nquestions = [\"a\", \"\"]\n+++\nA",
                "x.md:3: error: a question is empty",
            ),
        ];
        for (text, expected) in cases {
            let (_, problems) = parse(text);
            assert!(
                problems.iter().any(|p| p.starts_with(expected)),
                "{text:?}: expected {expected:?}, got {problems:?}"
            );
        }
    }

    #[test]
    fn long_answer_is_an_error() {
        let text = format!("{GOOD}{}", "a".repeat(MAX_ANSWER_CHARS));
        let (_, problems) = parse(&text);
        assert!(problems[0].contains("more than the 4096"), "{problems:?}");
    }

    #[test]
    fn bad_bytes_are_located() {
        let mut problems = Vec::new();
        assert!(text("x.md", b"+++\n\xff", &mut problems).is_none());
        assert_eq!(problems[0].line, 2);
    }

    #[test]
    fn bad_file_name_is_an_error() {
        let mut problems = Vec::new();
        let _ = entry("Bad Name.md", GOOD, &mut problems);
        assert!(problems[0].message.contains("not a valid entry id"));
    }

    #[test]
    fn placeholders_table() {
        assert_eq!(placeholders("a {x} b {y}"), ["x", "y"]);
        assert_eq!(placeholders("a { b"), [" b"]);
        assert!(placeholders("none").is_empty());
    }

    #[test]
    fn synonyms_file() {
        let mut problems = Vec::new();
        let pairs = synonyms(
            "s.toml",
            "[synonyms]\n\"physical therapy\" = [\"pt\", \"physio\"]\n",
            &mut problems,
        );
        assert!(problems.is_empty());
        assert_eq!(pairs.pairs[0].1, ["pt", "physio"]);
        let _ = synonyms("s.toml", "[synonyms]\nx = 3\n", &mut problems);
        assert_eq!(problems[0].line, 2, "{problems:?}");
    }
}
