//! The FAQ: entries as moderators write them, checked as a whole before the bot uses them.
//!
//! An entry is one Markdown file, `faq/<id>.md`: TOML front matter between `+++` lines (title,
//! the questions parents ask, keywords, related entries, sources), then the answer. The
//! directory may also hold `synonyms.toml` (see [`crate::synonyms`]) and a `README.md` for
//! moderators, which is not an entry.
//!
//! [`Faq::from_files`] parses and checks files already read (pure, so it can be tested on any
//! bytes); [`load_dir`] reads a directory ([`read_faq_dir`]) and calls it. Every problem is reported, not just the
//! first, as `file:line: message` with a hint.

mod alike;
mod check;
mod dir;
pub mod edit;
#[doc(hidden)]
pub mod generated;
mod parse;

pub use dir::{is_faq_file, load_dir, read_faq_dir, DirContents};

/// Warnings for entry files (`*.md`) in subfolders of `dir`, which are never loaded: one per
/// subfolder, e.g. "2 files in drafts/ not loaded", so a moderator knows. Hidden folders (`.git`)
/// are skipped; an unreadable folder is passed over.
#[must_use]
pub fn unloaded_subfolders(dir: &std::path::Path) -> Vec<Problem> {
    let Ok(items) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut folders: Vec<(String, usize)> = items
        .filter_map(Result::ok)
        .filter(|item| item.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|item| {
            let name = item.file_name().to_string_lossy().into_owned();
            let count = count_entry_files(&item.path(), 0);
            (!name.starts_with('.') && count > 0).then_some((name, count))
        })
        .collect();
    folders.sort();
    folders
        .into_iter()
        .map(|(name, count)| {
            Problem::warning(
                &format!("{name}/"),
                1,
                format!(
                    "{count} {} in {name}/ not loaded: the bot reads only the FAQ folder itself, not its subfolders",
                    if count == 1 { "file" } else { "files" }
                ),
                "move an entry up into the FAQ folder to publish it; drafts may stay where they are",
            )
        })
        .collect()
}

/// How deep [`unloaded_subfolders`] looks: enough for drafts/old/, bounded against loops.
const MAX_SUBFOLDER_DEPTH: usize = 4;

fn count_entry_files(dir: &std::path::Path, depth: usize) -> usize {
    if depth >= MAX_SUBFOLDER_DEPTH {
        return 0;
    }
    let Ok(items) = std::fs::read_dir(dir) else {
        return 0;
    };
    items
        .filter_map(Result::ok)
        .map(|item| {
            let name = item.file_name().to_string_lossy().into_owned();
            match item.file_type() {
                _ if name.starts_with('.') => 0,
                Ok(t) if t.is_dir() => count_entry_files(&item.path(), depth + 1),
                Ok(t) if t.is_file() => usize::from(
                    Path::new(&name)
                        .extension()
                        .is_some_and(|e| e.eq_ignore_ascii_case("md"))
                        && !name.eq_ignore_ascii_case("readme.md"),
                ),
                _ => 0,
            }
        })
        .sum()
}

use crate::synonyms::Synonyms;
use rustc_hash::FxHashMap;
use std::fmt;
use std::path::Path;

/// Answers longer than this do not fit in a Discord embed description.
pub const MAX_ANSWER_CHARS: usize = 4096;
/// Answers longer than this are hard to read on a phone; a warning suggests trimming.
pub const LONG_ANSWER_CHARS: usize = 1200;
/// Fewer phrasings than this and the matcher misses the ways parents actually ask.
pub const MIN_QUESTIONS: usize = 8;
/// Files larger than this are refused rather than read (an FAQ entry is a few kilobytes).
pub const MAX_FILE_BYTES: usize = 256 * 1024;
/// Questions of two entries at least this similar (normalised Levenshtein) cannot be told
/// apart by the matcher: `check` warns.
pub const ALIKE_QUESTIONS: f64 = 0.9;
/// The file where the bot records the changes moderators make from Discord when the FAQ folder
/// is not in a git repository; never an entry.
pub const CHANGES_FILE: &str = "CHANGES.md";
/// The name of the synonyms file in the FAQ directory.
pub const SYNONYMS_FILE: &str = "synonyms.toml";
/// Placeholders an answer may use; the reply fills them from configuration.
pub const PLACEHOLDERS: &[&str] = &["clinic_name", "appointment_url", "appointment_phone"];

/// One FAQ entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The entry's id: its file name without `.md`.
    pub id: String,
    /// The title shown above the answer.
    pub title: String,
    /// The ways parents ask for this entry.
    pub questions: Vec<String>,
    /// Extra words that point to this entry.
    pub keywords: Vec<String>,
    /// Ids of entries a reader may want next.
    pub related: Vec<String>,
    /// The articles the answer is taken from.
    pub sources: Vec<String>,
    /// The answer, in Markdown, with `{placeholders}` still in it.
    pub answer: String,
    /// The file the entry came from, for messages.
    pub file: String,
}

/// How serious a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The FAQ cannot be used until this is fixed.
    Error,
    /// The FAQ works, but a parent may get a worse answer.
    Warning,
}

/// Something wrong in an FAQ file, with where and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file, as named in the FAQ directory.
    pub file: String,
    /// The 1-based line the problem is on.
    pub line: usize,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

impl Problem {
    fn error(file: &str, line: usize, message: impl Into<String>, hint: impl Into<String>) -> Self {
        Problem {
            file: file.to_owned(),
            line,
            severity: Severity::Error,
            message: message.into(),
            hint: hint.into(),
        }
    }

    fn warning(
        file: &str,
        line: usize,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(file, line, message, hint)
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}:{}: {severity}: {}",
            self.file, self.line, self.message
        )?;
        if !self.hint.is_empty() {
            write!(f, " (hint: {})", self.hint)?;
        }
        Ok(())
    }
}

/// Why an FAQ could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum FaqError {
    /// The directory itself could not be listed.
    /// (The message holds the system's reason, which is also `source()`: the CLI prints the
    /// chain with [`crate::cli::error_text`], which says it once.)
    #[error("cannot read the FAQ directory {dir}: {source}")]
    Unreadable {
        /// The directory.
        dir: String,
        /// What the system said.
        source: std::io::Error,
    },
    /// One or more files have errors; `problems` lists all of them, warnings included.
    #[error("the FAQ has {} error(s)", .problems.iter().filter(|p| p.severity == Severity::Error).count())]
    Invalid {
        /// Every problem found, errors first.
        problems: Vec<Problem>,
    },
}

/// A file of the FAQ directory, already read.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Its name in the directory, e.g. `ot-vs-pt.md`.
    pub name: String,
    /// Its content.
    pub bytes: Vec<u8>,
}

/// A checked FAQ: entries with unique ids whose related ids all exist, and the synonyms.
#[derive(Debug, Clone, Default)]
pub struct Faq {
    entries: Vec<Entry>,
    synonyms: Synonyms,
    by_id: FxHashMap<String, usize>,
}

/// A checked FAQ and the warnings found while checking it.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The FAQ, ready to use.
    pub faq: Faq,
    /// Problems that do not stop it from being used.
    pub warnings: Vec<Problem>,
}

impl Faq {
    /// Parses and checks the FAQ directory's files: `*.md` entries (except `README.md`) and
    /// `synonyms.toml`; other files are ignored. Never panics, whatever the bytes.
    pub fn from_files(files: &[SourceFile]) -> Result<Checked, FaqError> {
        check::check(files, Vec::new(), &[])
    }

    /// Builds an FAQ from entries made in code (benchmarks, tests), with the same cross-entry
    /// checks as files get.
    pub fn from_entries(entries: Vec<Entry>, synonyms: Synonyms) -> Result<Checked, FaqError> {
        check::check_entries(entries, synonyms, Vec::new())
    }

    /// The entries, in file-name order.
    #[must_use]
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry with this id.
    #[must_use]
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.by_id.get(id).map(|&i| &self.entries[i])
    }

    /// The synonyms table.
    #[must_use]
    pub fn synonyms(&self) -> &Synonyms {
        &self.synonyms
    }

    /// How many entries there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are no entries.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
