//! Checks across entries: unique ids, related ids that exist, questions no two entries share.

use super::parse::{self, line_of};
use super::{Checked, Entry, Faq, FaqError, Problem, Severity, SourceFile, SYNONYMS_FILE};
use crate::synonyms::Synonyms;
use rustc_hash::FxHashMap;

/// True for the name of an entry file: `*.md` other than `README.md` and the bot's
/// [`CHANGES_FILE`](super::CHANGES_FILE), not hidden.
pub(super) fn is_entry_file(name: &str) -> bool {
    let path = std::path::Path::new(name);
    path.extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("md"))
        && !name.eq_ignore_ascii_case("readme.md")
        && !name.eq_ignore_ascii_case(super::CHANGES_FILE)
        && !name.starts_with('.')
}

/// Checks `files` as one FAQ. `problems` are those met while reading them; `unreadable` are
/// the ids of entries whose file could not be read (already one error each in `problems`), so
/// that `related` references to them are not reported again.
pub(super) fn check(
    files: &[SourceFile],
    mut problems: Vec<Problem>,
    unreadable: &[String],
) -> Result<Checked, FaqError> {
    let mut entries = Vec::new();
    let mut texts: FxHashMap<String, String> = FxHashMap::default();
    let mut synonyms = Synonyms::default();
    let mut sorted: Vec<&SourceFile> = files.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    for file in sorted {
        if file.name == SYNONYMS_FILE {
            if let Some(text) = parse::text(&file.name, &file.bytes, &mut problems) {
                let parsed = parse::synonyms(&file.name, text, &mut problems);
                synonyms = Synonyms::new(
                    parsed
                        .pairs
                        .iter()
                        .map(|(c, v)| (c.as_str(), v.iter().map(String::as_str))),
                )
                .with_alternatives(parsed.alternatives);
            }
        } else if is_entry_file(&file.name) {
            if let Some((stem, original)) = copy_of(file, files) {
                problems.push(Problem::error(
                    &file.name,
                    1,
                    format!("'{stem}' is not a valid entry id, and the file repeats {original}"),
                    "a copy made by a file manager? delete it, or name it <new-id>.md (lower-case letters, digits and dashes) and give it its own questions",
                ));
                continue;
            }
            if let Some(text) = parse::text(&file.name, &file.bytes, &mut problems) {
                if let Some(entry) = parse::entry(&file.name, text, &mut problems) {
                    entries.push(entry);
                }
                texts.insert(file.name.clone(), text.to_owned());
            }
        }
    }
    if texts.is_empty() && !problems.iter().any(|p| p.severity == Severity::Error) {
        problems.push(Problem::error(
            "(faq directory)",
            1,
            "no FAQ entries: no .md files besides README.md",
            "each entry is a file named <id>.md; see faq/README.md",
        ));
    }
    if !texts.is_empty() && !files.iter().any(|f| f.name == SYNONYMS_FILE) {
        problems.push(Problem::warning(
            SYNONYMS_FILE,
            1,
            "no synonyms file: parents' own words (PT, physio, hypotonia, ...) are no longer read as the FAQ's words, so fewer questions get an answer and more get a wrong one",
            "restore it (e.g. `git checkout faq/synonyms.toml`); with a cases.toml in the FAQ folder, `faqbot check` shows the figures",
        ));
    }
    let located =
        |file: &str, needle: &str| texts.get(file).map_or(1, |text| line_of(text, needle, 1));
    cross_check(entries, synonyms, problems, unreadable, &located)
}

/// When `file` has an invalid id and is a copy of a valid entry file (the same bytes, or a file
/// manager's copy name such as `toe-walking copy.md` or `toe-walking (1).md`): its id and the
/// original's name. Such a copy is one error, not a follow-on error for every question it
/// repeats.
fn copy_of(file: &SourceFile, files: &[SourceFile]) -> Option<(String, String)> {
    let stem = file
        .name
        .rsplit_once('.')
        .map_or(file.name.as_str(), |(s, _)| s);
    if parse::valid_id(stem) {
        return None;
    }
    let base = copy_base(stem);
    files
        .iter()
        .filter(|other| other.name != file.name && is_entry_file(&other.name))
        .find(|other| {
            let other_stem = other
                .name
                .rsplit_once('.')
                .map_or(other.name.as_str(), |(s, _)| s);
            parse::valid_id(other_stem) && (other.bytes == file.bytes || other_stem == base)
        })
        .map(|other| (stem.to_owned(), other.name.clone()))
}

/// The name a file manager's copy was made from: `toe-walking copy 2` -> `toe-walking`,
/// `Copy of toe-walking` -> `toe-walking`, `toe-walking (1)` -> `toe-walking`.
fn copy_base(stem: &str) -> String {
    let lower = stem.to_lowercase();
    let mut rest = lower.strip_prefix("copy of ").unwrap_or(&lower).trim_end();
    for _ in 0..3 {
        if let Some(inner) = rest
            .strip_suffix(')')
            .and_then(|r| r.rsplit_once('('))
            .filter(|(_, n)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        {
            rest = inner.0.trim_end();
        } else if let Some(before) = rest
            .trim_end_matches(|c: char| c.is_ascii_digit())
            .trim_end()
            .strip_suffix("copy")
        {
            rest = before.trim_end_matches([' ', '-', '_']);
        } else {
            break;
        }
    }
    rest.to_owned()
}

/// The existing id closest to a mistyped one, if one is close enough to suggest.
fn closest_id<'a>(wanted: &str, ids: impl Iterator<Item = &'a String>) -> Option<&'a str> {
    /// Jaro-Winkler similarity from which an id is offered: "gross-motor" finds
    /// "gross-motor-skills" (0.92), unrelated ids of the FAQ score under 0.7.
    const SUGGEST_FROM: f64 = 0.8;
    ids.map(|id| (strsim::jaro_winkler(wanted, id), id))
        .filter(|(score, _)| *score >= SUGGEST_FROM)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, id)| id.as_str())
}

pub(super) fn check_entries(
    entries: Vec<Entry>,
    synonyms: Synonyms,
    problems: Vec<Problem>,
) -> Result<Checked, FaqError> {
    cross_check(entries, synonyms, problems, &[], &|_, _| 1)
}

/// The normalised form two questions are compared in: words, synonyms applied.
fn normalised(synonyms: &Synonyms, question: &str) -> String {
    synonyms.apply(crate::text::words(question)).join(" ")
}

// One check after another, in the order a moderator reads the report; split, they would scatter.
#[allow(clippy::too_many_lines)]
fn cross_check(
    mut entries: Vec<Entry>,
    synonyms: Synonyms,
    mut problems: Vec<Problem>,
    unreadable: &[String],
    located: &dyn Fn(&str, &str) -> usize,
) -> Result<Checked, FaqError> {
    let mut by_id: FxHashMap<String, usize> = FxHashMap::default();
    let mut unique = Vec::with_capacity(entries.len());
    for entry in entries.drain(..) {
        if let Some(&first) = by_id.get(&entry.id) {
            let first: &Entry = &unique[first];
            problems.push(Problem::error(
                &entry.file,
                1,
                format!("duplicate id '{}': {} has it too", entry.id, first.file),
                "rename or remove one of the two files",
            ));
            continue;
        }
        by_id.insert(entry.id.clone(), unique.len());
        unique.push(entry);
    }
    let entries = unique;

    for entry in &entries {
        for related in &entry.related {
            let line = located(&entry.file, &format!("\"{related}\""));
            if !by_id.contains_key(related) {
                if unreadable.contains(related) {
                    // Its file could not be read: that is already the error to fix.
                    continue;
                }
                let hint = match closest_id(related, by_id.keys()) {
                    Some(id) => format!("did you mean {id}? use the id of an existing entry (its file name without .md)"),
                    None => "use the id of an existing entry (its file name without .md)".to_owned(),
                };
                problems.push(Problem::error(
                    &entry.file,
                    line,
                    format!("related entry '{related}' does not exist"),
                    hint,
                ));
            } else if *related == entry.id {
                problems.push(Problem::warning(
                    &entry.file,
                    line,
                    "an entry is related to itself",
                    "remove it from related",
                ));
            }
        }
    }

    // The same question twice: the matcher could not choose, and a parent would get a coin toss.
    let mut questions: Vec<(String, usize, &str)> = Vec::new();
    let mut seen: FxHashMap<String, (usize, &str)> = FxHashMap::default();
    for (index, entry) in entries.iter().enumerate() {
        for question in &entry.questions {
            let key = normalised(&synonyms, question);
            match seen.get(&key) {
                Some(&(other, other_question)) if other != index => {
                    let other = &entries[other];
                    problems.push(Problem::error(
                        &entry.file,
                        located(&entry.file, question),
                        format!("the question \"{question}\" is also under {} (line {}, \"{other_question}\")", other.id, located(&other.file, other_question)),
                        "keep it in the entry that answers it",
                    ));
                }
                Some(_) => problems.push(Problem::warning(
                    &entry.file,
                    located(&entry.file, question),
                    format!("the question \"{question}\" is listed twice"),
                    "remove one of them",
                )),
                None => {
                    seen.insert(key.clone(), (index, question));
                    questions.push((key, index, question));
                }
            }
        }
    }

    // Questions of two entries so alike that the matcher cannot tell them apart, found through
    // an index rather than by comparing all pairs (see `super::alike`).
    let keys: Vec<(&str, usize)> = questions.iter().map(|(k, e, _)| (k.as_str(), *e)).collect();
    for (i, j) in super::alike::pairs(&keys) {
        let (_, ea, qa) = &questions[i];
        let (_, eb, qb) = &questions[j];
        let (entry, other) = (&entries[*eb], &entries[*ea]);
        problems.push(Problem::warning(
            &entry.file,
            located(&entry.file, qb),
            format!("\"{qb}\" is almost the same as \"{qa}\" in {}", other.id),
            "the matcher cannot tell them apart: reword one, or keep it in one entry",
        ));
    }

    problems.sort_by(|a, b| (a.severity, &a.file, a.line).cmp(&(b.severity, &b.file, b.line)));
    if problems.iter().any(|p| p.severity == Severity::Error) {
        return Err(FaqError::Invalid { problems });
    }
    Ok(Checked {
        faq: Faq {
            entries,
            synonyms,
            by_id,
        },
        warnings: problems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> SourceFile {
        SourceFile {
            name: name.into(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    fn entry_text(questions: &[&str], related: &[&str]) -> String {
        format!(
            "+++\ntitle = \"T\"\nquestions = {questions:?}\nrelated = {related:?}\n+++\nAnswer.\n"
        )
    }

    fn messages(result: Result<Checked, FaqError>) -> Vec<String> {
        match result {
            Ok(checked) => checked.warnings.iter().map(ToString::to_string).collect(),
            Err(FaqError::Invalid { problems }) => {
                problems.iter().map(ToString::to_string).collect()
            }
            Err(e) => vec![e.to_string()],
        }
    }

    #[test]
    fn good_directory_checks() {
        let qs = [
            "q one", "q two", "q three", "q four", "q five", "q six", "q seven", "q eight",
        ];
        let files = [
            file("a.md", &entry_text(&qs, &["b"])),
            file("b.md", &entry_text(&["other question entirely"; 1], &[])),
            file("README.md", "not an entry"),
            file("notes.txt", "ignored"),
            file(
                SYNONYMS_FILE,
                "[synonyms]\n\"physical therapy\" = [\"pt\"]\n",
            ),
        ];
        let checked = Faq::from_files(&files).expect("valid");
        assert_eq!(checked.faq.len(), 2);
        assert_eq!(
            checked.faq.get("a").map(|e| e.related.clone()),
            Some(vec!["b".into()])
        );
        assert_eq!(checked.faq.synonyms().len(), 1);
    }

    #[test]
    fn every_problem_is_reported() {
        let files = [
            file("a.md", &entry_text(&["what is pt"], &["nope"])),
            file("b.md", &entry_text(&["What is PT?"], &[])),
            file("c.md", "no front matter"),
            file("d.md", "+++\n"),
        ];
        let all = messages(Faq::from_files(&files));
        let expected = [
            "a.md:4: error: related entry 'nope' does not exist",
            "b.md:3: error: the question \"What is PT?\" is also under a (line 3",
            "c.md:1: error: missing front matter",
            "d.md:1: error: front matter is not closed",
        ];
        for e in expected {
            assert!(
                all.iter().any(|m| m.starts_with(e)),
                "missing {e:?} in {all:#?}"
            );
        }
    }

    #[test]
    fn synonyms_make_questions_the_same() {
        let files = [
            file("a.md", &entry_text(&["what is physio"], &[])),
            file("b.md", &entry_text(&["what is pt"], &[])),
            file(
                SYNONYMS_FILE,
                "[synonyms]\n\"physical therapy\" = [\"pt\", \"physio\"]\n",
            ),
        ];
        assert!(messages(Faq::from_files(&files))
            .iter()
            .any(|m| m.contains("is also under a")));
    }

    #[test]
    fn alike_questions_warn() {
        let files = [
            file(
                "a.md",
                &entry_text(&["what does an occupational therapist do"], &[]),
            ),
            file(
                "b.md",
                &entry_text(&["what does an occupational therapist do?!", "x"], &[]),
            ),
        ];
        // Same after normalisation is an error; one letter apart is a warning.
        assert!(Faq::from_files(&files).is_err());
        let files = [
            file(
                "a.md",
                &entry_text(&["what does an occupational therapist do"], &[]),
            ),
            file(
                "b.md",
                &entry_text(&["what does an occupational therapist doo"], &[]),
            ),
        ];
        let all = messages(Faq::from_files(&files));
        assert!(
            all.iter().any(|m| m.contains(
                "warning: \"what does an occupational therapist doo\" is almost the same"
            )),
            "{all:#?}"
        );
    }

    #[test]
    fn empty_directory_is_an_error() {
        assert!(messages(Faq::from_files(&[]))
            .iter()
            .any(|m| m.contains("no FAQ entries")));
    }

    #[test]
    fn duplicate_ids_are_an_error() {
        let text = entry_text(&["q"], &[]);
        let files = [file("a.md", &text), file("a.MD", &entry_text(&["r"], &[]))];
        assert!(messages(Faq::from_files(&files))
            .iter()
            .any(|m| m.contains("duplicate id 'a'")));
    }
}
