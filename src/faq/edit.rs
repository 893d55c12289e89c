//! FAQ edits planned in memory: a moderator's [`Change`] applied to the FAQ's files as read,
//! giving the new bytes of one entry file and the whole FAQ checked with them ([`plan`]).
//!
//! Pure: no I/O. The writer ([`crate::editor::FaqEditor`]) reads the folder, calls [`plan`],
//! and writes only what an `Ok` plan holds. An entry's front matter is edited with `toml_edit`,
//! so every line the change does not touch (comments, spacing, the order of keys, the other
//! phrasings) stays byte for byte as the moderator wrote it: adding a phrasing to a multi-line
//! `questions` list inserts exactly one line.

use super::{check::is_entry_file, parse, Checked, Faq, FaqError, Problem, SourceFile};
use std::fmt;
use std::str::FromStr;
use toml_edit::{DocumentMut, Item, Value};

/// Discord's limit on a modal's text input: the longest answer a moderator can submit.
pub const MAX_ANSWER_INPUT_CHARS: usize = 4000;
/// The longest title: Discord's limit on an embed title, where the title is shown.
pub const MAX_TITLE_CHARS: usize = 256;
/// The longest phrasing: the question log keeps at most this much of a question
/// ([`crate::store::MAX_QUESTION_CHARS`]), and a phrasing is one question as a parent asks it.
pub const MAX_PHRASING_CHARS: usize = 300;
/// The most phrasings a new entry may be given at once (a modal has room for a few lines).
pub const MAX_NEW_PHRASINGS: usize = 50;

/// The line that opens and closes an entry's front matter (as in `parse.rs`).
const FENCE: &str = "+++";

/// What a moderator asks to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Add one phrasing to an entry's `questions`.
    AddPhrasing {
        /// The entry id.
        entry: String,
        /// The phrasing, as the moderator left it (spacing is tidied: one line).
        phrasing: String,
    },
    /// Write a new entry file `<id>.md`.
    NewEntry {
        /// The new entry's id (its file name without `.md`).
        id: String,
        /// Its title.
        title: String,
        /// Its answer (Markdown).
        answer: String,
        /// The ways parents ask for it (empty lines are dropped).
        phrasings: Vec<String>,
    },
    /// Replace an entry's title and answer; refused if the file changed since `base`.
    EditEntry {
        /// The entry id.
        entry: String,
        /// The new title.
        title: String,
        /// The new answer (Markdown).
        answer: String,
        /// The version of the file the moderator started from (when the modal opened).
        base: Version,
    },
}

impl Change {
    /// The id of the entry the change is about.
    #[must_use]
    pub fn entry(&self) -> &str {
        match self {
            Change::AddPhrasing { entry, .. } | Change::EditEntry { entry, .. } => entry,
            Change::NewEntry { id, .. } => id,
        }
    }
}

/// A short fingerprint of one entry file's bytes (16 hex digits of its blake3 hash), carried in
/// a modal's custom id so that an edit of a file changed since the modal opened is caught.
///
/// ```
/// use faqbot::faq::edit::{version_of, Version};
/// let v = version_of(b"+++\ntitle = \"T\"\n+++\nA.\n");
/// let text = v.to_string();
/// assert_eq!(text.len(), 16);
/// assert_eq!(text.parse::<Version>(), Ok(v));
/// assert_ne!(version_of(b"other bytes"), v);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Version(u64);

/// The [`Version`] of an entry file's bytes.
#[must_use]
pub fn version_of(bytes: &[u8]) -> Version {
    let hash = blake3::hash(bytes);
    let mut first = [0u8; 8];
    first.copy_from_slice(&hash.as_bytes()[..8]);
    Version(u64::from_be_bytes(first))
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// A text that is not a [`Version`] (16 hex digits).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an entry version (16 hex digits): {0:?}")]
pub struct BadVersion(pub String);

impl FromStr for Version {
    type Err = BadVersion;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() != 16 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(BadVersion(s.to_owned()));
        }
        u64::from_str_radix(s, 16)
            .map(Version)
            .map_err(|_| BadVersion(s.to_owned()))
    }
}

/// A change worked out against the FAQ's files: what to write, and the FAQ checked with it.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The entry the change is about.
    pub entry: String,
    /// The file to write, a name in the FAQ folder (`<entry>.md`).
    pub file: String,
    /// Its new content.
    pub bytes: Vec<u8>,
    /// True when the file is new.
    pub created: bool,
    /// What changed, in one line for the moderator and the history, e.g. `Add phrasing to
    /// what-is-ot: "what is ot for"`.
    pub summary: String,
    /// The whole FAQ, checked with the new file in place of the old.
    pub checked: Checked,
}

/// Why a change was not made. The first group comes from [`plan`]; the rest from the writer.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// No entry has this id.
    #[error("there is no FAQ entry '{entry}'")]
    UnknownEntry {
        /// The id asked for.
        entry: String,
    },
    /// A new entry's id is taken.
    #[error("an entry '{entry}' already exists; choose another id")]
    EntryExists {
        /// The id.
        entry: String,
    },
    /// The entry's file changed since the moderator opened it.
    #[error("'{entry}' was changed by someone else since you opened it; nothing was saved: open it again to see the new text")]
    Stale {
        /// The entry id.
        entry: String,
    },
    /// The FAQ with the change fails `check`: nothing is written; show these.
    #[error("the FAQ would have {} error(s) with this change; nothing was saved", errors(.0))]
    Invalid(Vec<Problem>),
    /// A text is longer than Discord or the FAQ allows.
    #[error("the {what} is {chars} characters; at most {max} fit")]
    TooLong {
        /// "answer", "title" or "phrasing".
        what: &'static str,
        /// Its length in characters.
        chars: usize,
        /// The limit.
        max: usize,
    },
    /// A required text is empty.
    #[error("the {what} is empty")]
    Empty {
        /// "answer", "title" or "phrasing".
        what: &'static str,
    },
    /// The entry already has this phrasing.
    #[error("'{entry}' already has the phrasing \"{phrasing}\"")]
    DuplicatePhrasing {
        /// The entry id.
        entry: String,
        /// The phrasing.
        phrasing: String,
    },
    /// The change would leave the entry as it is.
    #[error("nothing to change: '{entry}' already reads like that")]
    NoChange {
        /// The entry id.
        entry: String,
    },
    /// The entry's file is not in a shape the editor can change without rewriting it (its
    /// front matter cannot be read, or `questions` is not a list): fix it by hand first.
    #[error("cannot edit {file}: {reason}")]
    Unsupported {
        /// The file.
        file: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Nothing the bot changed is left to undo.
    #[error("nothing to undo: {0}")]
    NothingToUndo(String),
    /// The last change cannot be undone cleanly (the file changed since); nothing was done.
    #[error("cannot undo \"{summary}\": {reason}; nothing was changed")]
    UndoRefused {
        /// The change that was to be undone.
        summary: String,
        /// Why not.
        reason: String,
    },
    /// The FAQ folder or a file in it could not be read or written.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// What the system said.
        source: std::io::Error,
    },
    /// A git command failed (the change was rolled back).
    #[error("git {command} failed: {message}")]
    Git {
        /// The git subcommand.
        command: String,
        /// Its error output.
        message: String,
    },
}

fn errors(problems: &[Problem]) -> usize {
    problems
        .iter()
        .filter(|p| p.severity == super::Severity::Error)
        .count()
}

/// Works out `change` against `files` (the FAQ folder as read) and checks the whole FAQ with
/// the result; on `Ok`, writing [`Plan::bytes`] to [`Plan::file`] is the whole change.
///
/// ```
/// use faqbot::faq::edit::{plan, Change};
/// use faqbot::faq::SourceFile;
/// let entry = "+++\ntitle = \"T\"\nquestions = [\n  \"first way\", # a comment\n]\n+++\nAnswer.\n";
/// let files = [SourceFile { name: "t.md".into(), bytes: entry.into() }];
/// let change = Change::AddPhrasing { entry: "t".into(), phrasing: "second way".into() };
/// let plan = plan(&files, &change).expect("planned");
/// assert_eq!(
///     String::from_utf8(plan.bytes).unwrap(),
///     "+++\ntitle = \"T\"\nquestions = [\n  \"first way\", # a comment\n  \"second way\",\n]\n+++\nAnswer.\n",
/// );
/// ```
pub fn plan(files: &[SourceFile], change: &Change) -> Result<Plan, EditError> {
    let (file, bytes, created, summary) = match change {
        Change::AddPhrasing { entry, phrasing } => {
            let (file, text) = entry_text(files, entry)?;
            let phrasing = one_line(phrasing, "phrasing", MAX_PHRASING_CHARS)?;
            let new = add_phrasing(&file, text, entry, &phrasing)?;
            let summary = format!("Add phrasing to {entry}: \"{phrasing}\"");
            (file, new, false, summary)
        }
        Change::NewEntry {
            id,
            title,
            answer,
            phrasings,
        } => {
            let file = format!("{id}.md");
            if !valid_id(id) {
                // Refused before anything else: the id becomes a file name.
                return Err(EditError::Invalid(vec![Problem::error(
                    &file,
                    1,
                    format!("'{id}' is not a valid entry id"),
                    "use lower-case letters, digits and dashes, e.g. aquatic-therapy",
                )]));
            }
            if files.iter().any(|f| f.name == file) {
                return Err(EditError::EntryExists { entry: id.clone() });
            }
            let title = one_line(title, "title", MAX_TITLE_CHARS)?;
            let answer = answer_text(answer)?;
            let mut lines = Vec::new();
            for phrasing in phrasings {
                if phrasing.trim().is_empty() {
                    continue;
                }
                let phrasing = one_line(phrasing, "phrasing", MAX_PHRASING_CHARS)?;
                if lines.iter().any(|l: &String| same_phrasing(l, &phrasing)) {
                    continue;
                }
                lines.push(phrasing);
            }
            if lines.len() > MAX_NEW_PHRASINGS {
                return Err(EditError::TooLong {
                    what: "list of phrasings",
                    chars: lines.len(),
                    max: MAX_NEW_PHRASINGS,
                });
            }
            let new = new_entry_text(&title, &lines, &answer);
            let summary = format!("New entry {id}: \"{title}\"");
            (file, new, true, summary)
        }
        Change::EditEntry {
            entry,
            title,
            answer,
            base,
        } => {
            let (file, text) = entry_text(files, entry)?;
            if version_of(text.as_bytes()) != *base {
                return Err(EditError::Stale {
                    entry: entry.clone(),
                });
            }
            let title = one_line(title, "title", MAX_TITLE_CHARS)?;
            let answer = answer_text(answer)?;
            let (new, what) = edit_entry(&file, text, &title, &answer)?;
            if new == text {
                return Err(EditError::NoChange {
                    entry: entry.clone(),
                });
            }
            let summary = format!("Edit {what} of {entry}");
            (file, new, false, summary)
        }
    };
    let mut planned: Vec<SourceFile> = files.iter().filter(|f| f.name != file).cloned().collect();
    planned.push(SourceFile {
        name: file.clone(),
        bytes: bytes.clone().into_bytes(),
    });
    let checked = match Faq::from_files(&planned) {
        Ok(checked) => checked,
        Err(FaqError::Invalid { problems }) => return Err(EditError::Invalid(problems)),
        Err(FaqError::Unreadable { dir, source }) => {
            return Err(EditError::Io { what: dir, source });
        }
    };
    Ok(Plan {
        entry: change.entry().to_owned(),
        file,
        bytes: bytes.into_bytes(),
        created,
        summary,
        checked,
    })
}

/// The file name and text of entry `entry` among `files`.
fn entry_text<'a>(files: &'a [SourceFile], entry: &str) -> Result<(String, &'a str), EditError> {
    let file = format!("{entry}.md");
    let unknown = || EditError::UnknownEntry {
        entry: entry.to_owned(),
    };
    if !is_entry_file(&file) || entry.contains(['/', '\\']) {
        return Err(unknown());
    }
    let found = files.iter().find(|f| f.name == file).ok_or_else(unknown)?;
    let text = std::str::from_utf8(&found.bytes).map_err(|_| EditError::Unsupported {
        file: file.clone(),
        reason: "the file is not UTF-8 text".to_owned(),
    })?;
    Ok((file, text))
}

/// `text` as one line: every run of white space (line breaks too) one space, trimmed; empty
/// or longer than `max` characters refused.
fn one_line(text: &str, what: &'static str, max: usize) -> Result<String, EditError> {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let chars = line.chars().count();
    if chars == 0 {
        return Err(EditError::Empty { what });
    }
    if chars > max {
        return Err(EditError::TooLong { what, chars, max });
    }
    Ok(line)
}

/// An answer as submitted: line endings made `\n`, trimmed, at most [`MAX_ANSWER_INPUT_CHARS`].
fn answer_text(answer: &str) -> Result<String, EditError> {
    let answer = answer.replace("\r\n", "\n").replace('\r', "\n");
    let answer = answer.trim();
    let chars = answer.chars().count();
    if chars == 0 {
        return Err(EditError::Empty { what: "answer" });
    }
    if chars > MAX_ANSWER_INPUT_CHARS {
        return Err(EditError::TooLong {
            what: "answer",
            chars,
            max: MAX_ANSWER_INPUT_CHARS,
        });
    }
    Ok(answer.to_owned())
}

/// Whether two phrasings are the same question (case and spacing aside).
fn same_phrasing(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    norm(a) == norm(b)
}

/// Where an entry's parts are: the front matter's TOML (`front`, between the fences) and the
/// answer (from `answer` to the end). Same rule as the parser: the first non-blank line is
/// `+++`, the next `+++` line closes.
struct Layout {
    front: std::ops::Range<usize>,
    answer: usize,
}

fn layout(file: &str, text: &str) -> Result<Layout, EditError> {
    let unsupported = |reason: &str| EditError::Unsupported {
        file: file.to_owned(),
        reason: reason.to_owned(),
    };
    let mut lines = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        lines.push((offset, line));
        offset += line.len();
    }
    let fence = |line: &str| line.trim() == FENCE;
    let open = lines
        .iter()
        .position(|(_, l)| !l.trim().is_empty())
        .filter(|&i| fence(lines[i].1))
        .ok_or_else(|| unsupported("it does not start with a +++ line"))?;
    let close = lines
        .iter()
        .skip(open + 1)
        .position(|(_, l)| fence(l))
        .map(|i| i + open + 1)
        .ok_or_else(|| unsupported("its front matter has no closing +++ line"))?;
    let (open_at, open_line) = lines[open];
    let (close_at, close_line) = lines[close];
    Ok(Layout {
        front: open_at + open_line.len()..close_at,
        answer: close_at + close_line.len(),
    })
}

/// The front matter of `text` as an editable TOML document.
fn front_matter(file: &str, text: &str, layout: &Layout) -> Result<DocumentMut, EditError> {
    text[layout.front.clone()]
        .parse::<DocumentMut>()
        .map_err(|e| EditError::Unsupported {
            file: file.to_owned(),
            reason: format!(
                "its front matter is not valid TOML ({})",
                e.message().trim()
            ),
        })
}

/// `text` with `phrasing` appended to its `questions` list, in the list's own layout: in a
/// list of one phrasing per line, one new line after the last, indented like it; a comment
/// after the last phrasing stays on its line.
fn add_phrasing(file: &str, text: &str, entry: &str, phrasing: &str) -> Result<String, EditError> {
    let layout = layout(file, text)?;
    let mut doc = front_matter(file, text, &layout)?;
    let not_a_list = || EditError::Unsupported {
        file: file.to_owned(),
        reason: "`questions` is not a list of phrasings".to_owned(),
    };
    let questions = doc
        .get_mut("questions")
        .and_then(Item::as_array_mut)
        .ok_or_else(not_a_list)?;
    if questions
        .iter()
        .filter_map(Value::as_str)
        .any(|q| same_phrasing(q, phrasing))
    {
        return Err(EditError::DuplicatePhrasing {
            entry: entry.to_owned(),
            phrasing: phrasing.to_owned(),
        });
    }
    let mut value = basic_string(phrasing);
    let raw = |r: Option<&toml_edit::RawString>| {
        r.and_then(toml_edit::RawString::as_str)
            .unwrap_or("")
            .to_owned()
    };
    // What follows the last phrasing: without a trailing comma its decor's suffix, with one
    // the list's trailing text (a comment, the line break before `]`).
    let last_prefix = questions
        .iter()
        .last()
        .map(|v| raw(v.decor().prefix()))
        .unwrap_or_default();
    if !questions.trailing_comma() {
        if let Some(last) = questions.iter_mut().last() {
            let suffix = raw(last.decor().suffix());
            last.decor_mut().set_suffix("");
            let trailing = raw(Some(questions.trailing()));
            questions.set_trailing(format!("{suffix}{trailing}"));
        }
    }
    let trailing = raw(Some(questions.trailing()));
    match (trailing.rfind('\n'), last_prefix.rfind('\n')) {
        // One phrasing per line: the new one on a line of its own after whatever ends the
        // last one's line (a comment), indented like the last one; then what closed the list.
        (Some(end), Some(indent_at)) => {
            let indent = &last_prefix[indent_at + 1..];
            value
                .decor_mut()
                .set_prefix(format!("{}{indent}", &trailing[..=end]));
            value.decor_mut().set_suffix("");
            questions.set_trailing(format!("\n{}", &trailing[end + 1..]));
        }
        // On one line, or an empty list: spaced like the last one.
        _ => {
            let prefix = if questions.is_empty() {
                String::new()
            } else if last_prefix.is_empty() {
                " ".to_owned()
            } else {
                last_prefix
            };
            value.decor_mut().set_prefix(prefix);
            value.decor_mut().set_suffix("");
        }
    }
    questions.push_formatted(value);
    Ok(format!(
        "{}{}{}",
        &text[..layout.front.start],
        doc,
        &text[layout.front.end..]
    ))
}

/// `text` with its title and answer replaced; also says which of the two changed.
fn edit_entry(
    file: &str,
    text: &str,
    title: &str,
    answer: &str,
) -> Result<(String, &'static str), EditError> {
    let layout = layout(file, text)?;
    let mut doc = front_matter(file, text, &layout)?;
    let old_title = doc.get("title").and_then(Item::as_str).map(str::to_owned);
    let title_changed = old_title.as_deref().map(str::trim) != Some(title);
    if title_changed {
        match doc.get_mut("title").and_then(Item::as_value_mut) {
            Some(old) => {
                let decor = old.decor().clone();
                *old = basic_string(title);
                *old.decor_mut() = decor;
            }
            None => {
                doc.insert("title", Item::Value(basic_string(title)));
            }
        }
    }
    let body = &text[layout.answer..];
    let answer_changed = body.trim() != answer;
    let new_body = if answer_changed {
        let lead = &body[..body.len() - body.trim_start().len()];
        let tail = &body[body.trim_end().len()..];
        let tail = if tail.is_empty() { "\n" } else { tail };
        format!("{lead}{answer}{tail}")
    } else {
        body.to_owned()
    };
    let what = match (title_changed, answer_changed) {
        (true, true) => "title and answer",
        (true, false) => "title",
        _ => "answer",
    };
    let front = if title_changed {
        doc.to_string()
    } else {
        text[layout.front.clone()].to_owned()
    };
    Ok((
        format!(
            "{}{front}{}{new_body}",
            &text[..layout.front.start],
            &text[layout.front.end..layout.answer]
        ),
        what,
    ))
}

/// A new entry file in the shipped entries' layout: the title, one phrasing per line, the
/// answer after the closing `+++`.
fn new_entry_text(title: &str, phrasings: &[String], answer: &str) -> String {
    let quoted = |s: &str| basic_string(s).to_string();
    let mut text = format!("+++\ntitle = {}\nquestions = [\n", quoted(title));
    for phrasing in phrasings {
        text.push_str("  ");
        text.push_str(&quoted(phrasing));
        text.push_str(",\n");
    }
    text.push_str("]\n+++\n");
    text.push_str(answer);
    text.push('\n');
    text
}

/// `text` as a TOML basic string (`"..."`, the shipped entries' quotes), escaped as TOML
/// requires; `toml_edit` alone would pick a `'literal'` string for a text with a `"` in it.
fn basic_string(text: &str) -> Value {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\t' => quoted.push_str("\\t"),
            '\r' => quoted.push_str("\\r"),
            c if c.is_control() => quoted.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
        .parse::<Value>()
        .unwrap_or_else(|_| Value::from(text))
}

/// The ids [`parse`] accepts: lower-case letters, digits and dashes.
#[must_use]
pub fn valid_id(id: &str) -> bool {
    parse::valid_id(id)
}

#[cfg(test)]
mod tests;
