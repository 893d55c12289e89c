//! The writer of FAQ edits made from Discord: one [`FaqEditor`] per FAQ folder.
//!
//! [`FaqEditor::apply`] reads the folder, plans the change ([`crate::faq::edit::plan`]: the
//! whole `check` runs on the result first), writes the one file the way a careful person would
//! (a temporary file in the same folder, flushed to disk, renamed over the old one), and
//! versions it: in a git work tree one commit of just that file with the moderator as author
//! (the git command line; nothing is pushed), else one line appended to `CHANGES.md` in the
//! folder. Edits are serialised (a mutex), so two moderators saving at once both keep their
//! change; on any error nothing is left written. [`FaqEditor::undo`] reverts the bot's last
//! change, as a new change; [`FaqEditor::history`] lists the last ones.
//!
//! Blocking (file and process I/O): the Discord layer calls it from `spawn_blocking`.

use crate::eval;
use crate::faq::edit::{self, version_of, Change, EditError, Version};
use crate::faq::{read_faq_dir, Checked, Faq, FaqError, SourceFile, CHANGES_FILE};
use crate::knowledge::Knowledge;
use crate::matcher::MatchConfig;
use std::collections::HashSet;
use std::fmt;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, PoisonError};

/// The committer of the bot's commits (the author is the moderator); also how
/// [`FaqEditor::undo`] finds them.
pub const BOT_NAME: &str = "faqbot";
/// The committer's e-mail address (a reserved domain: it is not anyone's mailbox).
pub const BOT_EMAIL: &str = "faqbot@faqbot.invalid";
/// The eval cases file in the FAQ folder run after each change.
pub const CASES_FILE: &str = "cases.toml";
/// How many of the bot's commits [`FaqEditor::undo`] looks back through.
const UNDO_LOOKBACK: usize = 500;
/// How many changes [`FaqEditor::undo`] remembers without git (in memory, this run only).
const UNDO_MEMORY: usize = 100;
/// The longest commit subject; a longer summary goes whole into the body.
const MAX_SUBJECT_CHARS: usize = 100;
/// Between the fields of a `CHANGES.md` line.
const SEPARATOR: &str = " · ";

/// Who makes a change: the moderator's Discord name and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    /// The Discord name shown for the moderator.
    pub name: String,
    /// The Discord user id.
    pub id: u64,
}

impl Author {
    /// The name as it goes into a commit or `CHANGES.md`: one line, without `<`, `>` or the
    /// field separator; a placeholder when empty.
    #[must_use]
    pub fn display_name(&self) -> String {
        let name: String = self
            .name
            .replace(SEPARATOR.trim(), "-")
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .filter(|c| !matches!(c, '<' | '>'))
            .collect();
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            format!("Discord user {}", self.id)
        } else {
            name
        }
    }

    /// The e-mail address of the commit's author: `<id>@discord`.
    #[must_use]
    pub fn email(&self) -> String {
        format!("{}@discord", self.id)
    }
}

/// A change made.
#[derive(Debug, Clone)]
pub struct Applied {
    /// What changed, in one line (`Add phrasing to what-is-ot: "..."`, `Undo: ...`).
    pub summary: String,
    /// The entry changed.
    pub entry: String,
    /// The commit made (full hash), when the folder is in a git work tree.
    pub commit: Option<String>,
    /// The whole FAQ as checked with the change (its warnings are worth showing).
    pub checked: Checked,
    /// How the folder's `cases.toml` does with the change (`None`: there is none).
    pub cases: Option<CasesSummary>,
}

/// How the FAQ folder's eval cases do after a change, compared with before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CasesSummary {
    /// How many cases.
    pub cases: usize,
    /// Cases answered right (or refused, when out of scope) with the change.
    pub passing: usize,
    /// The same before the change (`None` when the FAQ before did not pass `check`).
    pub passing_before: Option<usize>,
    /// The questions of the cases that passed before the change and fail with it.
    pub newly_failing: Vec<String>,
    /// Why the cases could not be run (a broken `cases.toml`), if so.
    pub error: Option<String>,
}

impl CasesSummary {
    /// True when every case that passed before still passes (and the file could be run).
    #[must_use]
    pub fn still_pass(&self) -> bool {
        self.error.is_none() && self.newly_failing.is_empty()
    }
}

impl fmt::Display for CasesSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(error) = &self.error {
            return write!(f, "{CASES_FILE} could not be run: {error}");
        }
        write!(
            f,
            "{CASES_FILE}: {} of {} cases pass",
            self.passing, self.cases
        )?;
        match self.passing_before {
            Some(before) if before == self.passing && self.newly_failing.is_empty() => {
                write!(f, " (as before)")?;
            }
            Some(before) => write!(f, " (before: {before})")?,
            None => {}
        }
        if !self.newly_failing.is_empty() {
            write!(
                f,
                "; {} passed before and fail now:",
                self.newly_failing.len()
            )?;
            for question in &self.newly_failing {
                write!(f, "\n- {question}")?;
            }
        }
        Ok(())
    }
}

/// One change in the history of the FAQ or of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryItem {
    /// When, `YYYY-MM-DD HH:MM UTC`.
    pub when: String,
    /// Who (the commit's author, or the moderator named in `CHANGES.md`).
    pub who: String,
    /// The entry changed, when known.
    pub entry: Option<String>,
    /// What changed (the commit's subject, or the `CHANGES.md` line's text).
    pub summary: String,
    /// The commit, with git.
    pub commit: Option<String>,
}

impl fmt::Display for HistoryItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} · {} · {}", self.when, self.who, self.summary)?;
        if let Some(commit) = &self.commit {
            write!(f, " ({})", &commit[..commit.len().min(10)])?;
        }
        Ok(())
    }
}

/// What undoing one change without git needs: the file's bytes before and after it.
#[derive(Debug, Clone)]
struct UndoRecord {
    entry: String,
    file: String,
    /// `None`: the change created the file.
    before: Option<Vec<u8>>,
    after: Vec<u8>,
    summary: String,
}

#[derive(Debug, Default)]
struct State {
    /// Without git: the changes made in this run, newest last.
    undo: Vec<UndoRecord>,
}

/// Writes moderators' changes to one FAQ folder, one at a time.
#[derive(Debug)]
pub struct FaqEditor {
    dir: PathBuf,
    config: MatchConfig,
    state: Mutex<State>,
}

impl FaqEditor {
    /// The editor of the FAQ folder `dir`; `config` is the matching the bot uses, for the
    /// cases run after each change.
    #[must_use]
    pub fn new(dir: PathBuf, config: MatchConfig) -> Self {
        FaqEditor {
            dir,
            config,
            state: Mutex::new(State::default()),
        }
    }

    /// The FAQ folder.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether changes are git commits (the folder is inside a git work tree).
    #[must_use]
    pub fn uses_git(&self) -> bool {
        Git::find(&self.dir).is_some()
    }

    /// The version of an entry's file now, for a modal that edits it.
    pub fn version(&self, entry: &str) -> Result<Version, EditError> {
        let file = entry_file(entry)?;
        match fs::read(self.dir.join(&file)) {
            Ok(bytes) => Ok(version_of(&bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(EditError::UnknownEntry {
                entry: entry.to_owned(),
            }),
            Err(source) => Err(EditError::Io {
                what: format!("cannot read {file}"),
                source,
            }),
        }
    }

    /// Reads the folder, plans and checks the change, writes the file (temporary file and
    /// rename), versions it (a git commit with `author` as its author, or a `CHANGES.md` line)
    /// and runs the folder's cases. On any error nothing is left written.
    pub fn apply(&self, change: &Change, author: &Author) -> Result<Applied, EditError> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let files = self.read()?;
        let plan = edit::plan(&files, change)?;
        let before = files
            .iter()
            .find(|f| f.name == plan.file)
            .map(|f| f.bytes.clone());
        let commit = self.write_and_record(
            &plan.file,
            Some(&plan.bytes),
            before.as_deref(),
            &plan.entry,
            &plan.summary,
            author,
            None,
        )?;
        if commit.is_none() {
            remember(
                &mut state,
                UndoRecord {
                    entry: plan.entry.clone(),
                    file: plan.file.clone(),
                    before,
                    after: plan.bytes.clone(),
                    summary: plan.summary.clone(),
                },
            );
        }
        let cases = self.cases(&files, &plan.checked);
        Ok(Applied {
            summary: plan.summary,
            entry: plan.entry,
            commit,
            checked: plan.checked,
            cases,
        })
    }

    /// Reverts the last change the bot made that is not undone yet, as a new change by
    /// `author` (with git a new commit that says which one it reverts). Only if the file is
    /// as that change left it and the FAQ passes `check` without the change; else nothing is
    /// done and the error says why.
    pub fn undo(&self, author: &Author) -> Result<Applied, EditError> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let files = self.read()?;
        let (target, reverts) = match Git::find(&self.dir) {
            Some(git) => git.last_change()?,
            None => {
                let last = state.undo.last().cloned().ok_or_else(|| {
                    EditError::NothingToUndo(
                        "the bot has made no change since it started (without git, undo \
                         remembers only the changes of this run)"
                            .to_owned(),
                    )
                })?;
                (last, None)
            }
        };
        let current = files.iter().find(|f| f.name == target.file);
        if current.map(|f| f.bytes.as_slice()) != Some(target.after.as_slice()) {
            return Err(EditError::UndoRefused {
                summary: target.summary,
                reason: format!("{} has changed since", target.file),
            });
        }
        let mut planned: Vec<SourceFile> = files
            .iter()
            .filter(|f| f.name != target.file)
            .cloned()
            .collect();
        if let Some(before) = &target.before {
            planned.push(SourceFile {
                name: target.file.clone(),
                bytes: before.clone(),
            });
        }
        let checked = match Faq::from_files(&planned) {
            Ok(checked) => checked,
            Err(FaqError::Invalid { problems }) => return Err(EditError::Invalid(problems)),
            Err(FaqError::Unreadable { dir, source }) => {
                return Err(EditError::Io { what: dir, source })
            }
        };
        let summary = format!("Undo: {}", target.summary);
        let commit = self.write_and_record(
            &target.file,
            target.before.as_deref(),
            Some(&target.after),
            &target.entry,
            &summary,
            author,
            reverts.as_deref(),
        )?;
        if commit.is_none() {
            state.undo.pop();
        }
        let cases = self.cases(&files, &checked);
        Ok(Applied {
            summary,
            entry: target.entry,
            commit,
            checked,
            cases,
        })
    }

    /// The last `limit` changes, newest first: of one entry's file, or of the whole folder.
    /// With git every commit counts (the bot's and anyone's); without, the `CHANGES.md` lines.
    pub fn history(
        &self,
        entry: Option<&str>,
        limit: usize,
    ) -> Result<Vec<HistoryItem>, EditError> {
        let file = entry.map(entry_file).transpose()?;
        if let Some(git) = Git::find(&self.dir) {
            return git.history(file.as_deref(), limit);
        }
        let text = match fs::read_to_string(self.dir.join(CHANGES_FILE)) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(EditError::Io {
                    what: format!("cannot read {CHANGES_FILE}"),
                    source,
                })
            }
        };
        Ok(text
            .lines()
            .rev()
            .filter_map(parse_change_line)
            .filter(|item| entry.is_none() || item.entry.as_deref() == entry)
            .take(limit)
            .collect())
    }

    /// The FAQ folder's files as the loader reads them.
    fn read(&self) -> Result<Vec<SourceFile>, EditError> {
        match read_faq_dir(&self.dir) {
            Ok(contents) => Ok(contents.files().to_vec()),
            Err(FaqError::Unreadable { dir, source }) => Err(EditError::Io {
                what: format!("cannot read the FAQ folder {dir}"),
                source,
            }),
            Err(FaqError::Invalid { problems }) => Err(EditError::Invalid(problems)),
        }
    }

    /// Writes `bytes` to `file` (`None`: removes it) and versions the change; on a failure
    /// puts `before` back (`None`: removes the file). Returns the commit, with git.
    #[allow(clippy::too_many_arguments)] // one private step of apply and undo
    fn write_and_record(
        &self,
        file: &str,
        bytes: Option<&[u8]>,
        before: Option<&[u8]>,
        entry: &str,
        summary: &str,
        author: &Author,
        reverts: Option<&str>,
    ) -> Result<Option<String>, EditError> {
        let git = Git::find(&self.dir);
        put(&self.dir, file, bytes)?;
        let recorded = match &git {
            Some(git) => git.commit(file, summary, author, reverts).map(Some),
            None => append_change(&self.dir, entry, summary, author).map(|()| None),
        };
        if recorded.is_err() {
            if let Err(e) = put(&self.dir, file, before) {
                tracing::error!(error = %e, file, "could not put the file back after a failed change");
            }
            if let Some(git) = &git {
                git.unstage(file, before.is_some());
            }
        }
        recorded
    }

    /// The folder's cases with the change (`after`), compared with the files before it.
    fn cases(&self, before: &[SourceFile], after: &Checked) -> Option<CasesSummary> {
        let text = fs::read_to_string(self.dir.join(CASES_FILE)).ok()?;
        let failed = |error: String| CasesSummary {
            cases: 0,
            passing: 0,
            passing_before: None,
            newly_failing: Vec::new(),
            error: Some(error),
        };
        let cases = match eval::parse_cases(&text) {
            Ok(cases) => cases,
            Err(e) => return Some(failed(e.to_string())),
        };
        let knowledge = Knowledge::new(after.faq.clone(), self.config);
        if let Err(e) = eval::check_ids(&knowledge, &cases) {
            return Some(failed(e.to_string()));
        }
        let failing = |knowledge: &Knowledge| -> Vec<String> {
            eval::evaluate(knowledge, &cases)
                .misses
                .into_iter()
                .map(|o| o.question)
                .collect()
        };
        let now = failing(&knowledge);
        let earlier: Option<Vec<String>> = Faq::from_files(before)
            .ok()
            .map(|checked| Knowledge::new(checked.faq, self.config))
            .filter(|k| eval::check_ids(k, &cases).is_ok())
            .map(|k| failing(&k));
        let newly_failing = match &earlier {
            Some(earlier) => {
                let earlier: HashSet<&String> = earlier.iter().collect();
                now.iter()
                    .filter(|q| !earlier.contains(q))
                    .cloned()
                    .collect()
            }
            None => Vec::new(),
        };
        Some(CasesSummary {
            cases: cases.len(),
            passing: cases.len() - now.len(),
            passing_before: earlier.map(|e| cases.len() - e.len()),
            newly_failing,
            error: None,
        })
    }
}

/// Keeps `record` for undo without git, forgetting the oldest past [`UNDO_MEMORY`].
fn remember(state: &mut State, record: UndoRecord) {
    if state.undo.len() >= UNDO_MEMORY {
        state.undo.remove(0);
    }
    state.undo.push(record);
}

/// The file name of entry `entry`, refused unless it is a plain entry file name.
fn entry_file(entry: &str) -> Result<String, EditError> {
    if !edit::valid_id(entry) {
        return Err(EditError::UnknownEntry {
            entry: entry.to_owned(),
        });
    }
    Ok(format!("{entry}.md"))
}

/// Writes `bytes` to `dir/name` through a temporary file in the same folder (flushed to disk,
/// then renamed over the old file, which keeps its permissions), so a reader sees the old file
/// or the new one, never part of it; `None` removes the file.
fn put(dir: &Path, name: &str, bytes: Option<&[u8]>) -> Result<(), EditError> {
    let io = |what: String| move |source| EditError::Io { what, source };
    // Only a plain name in the folder: never a path elsewhere.
    if Path::new(name).file_name().and_then(|n| n.to_str()) != Some(name) {
        return Err(EditError::UnknownEntry {
            entry: name.to_owned(),
        });
    }
    let target = dir.join(name);
    let Some(bytes) = bytes else {
        return match fs::remove_file(&target) {
            Ok(()) => {
                sync_dir(dir);
                Ok(())
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io(format!("cannot remove {name}"))(e)),
        };
    };
    // Hidden: never read as part of the FAQ, even if left behind by a crash.
    let temp = dir.join(format!(".{name}.faqbot-{}.tmp", std::process::id()));
    let _ = fs::remove_file(&temp);
    let written = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(bytes)?;
        if let Ok(old) = fs::metadata(&target) {
            file.set_permissions(old.permissions())?;
        }
        file.sync_all()?;
        drop(file);
        fs::rename(&temp, &target)
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&temp);
        return Err(io(format!("cannot write {name}"))(e));
    }
    sync_dir(dir);
    Ok(())
}

/// Flushes the folder's entry list (the rename) to disk; best effort.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(folder) = fs::File::open(dir) {
        let _ = folder.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// The head of a new `CHANGES.md`.
const CHANGES_HEADER: &str = "# Changes made from Discord\n\n\
The bot adds one line here for each change a moderator makes to the FAQ from Discord (this \
folder is not in a git repository): when (UTC), the entry, who, what. Newest last. The bot \
never reads this file as an entry.\n\n";

/// Appends one line for a change to `CHANGES.md` (creating it with its header).
fn append_change(dir: &Path, entry: &str, summary: &str, author: &Author) -> Result<(), EditError> {
    let io = |source| EditError::Io {
        what: format!("cannot write {CHANGES_FILE}"),
        source,
    };
    let path = dir.join(CHANGES_FILE);
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(io)?;
    let mut text = String::new();
    if file.metadata().map_err(io)?.len() == 0 {
        text.push_str(CHANGES_HEADER);
    }
    let when = chrono::Utc::now().format("%Y-%m-%d %H:%M:%S UTC");
    let summary: String = summary
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    text.push_str(&format!(
        "- {when}{SEPARATOR}{entry}{SEPARATOR}{} ({}){SEPARATOR}{summary}\n",
        author.display_name(),
        author.id
    ));
    file.write_all(text.as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)
}

/// A `CHANGES.md` line read back.
fn parse_change_line(line: &str) -> Option<HistoryItem> {
    let mut parts = line.strip_prefix("- ")?.splitn(4, SEPARATOR);
    let when = parts.next()?;
    let entry = parts.next()?;
    let who = parts.next()?;
    let summary = parts.next()?;
    // Seconds are kept in the file; the history shows minutes.
    let when = when.strip_suffix(" UTC").map_or_else(
        || when.to_owned(),
        |t| format!("{} UTC", &t[..t.len().min(16)]),
    );
    Some(HistoryItem {
        when,
        who: who.to_owned(),
        entry: Some(entry.to_owned()),
        summary: summary.to_owned(),
        commit: None,
    })
}

/// The git work tree the FAQ folder is in; every command runs in the folder.
struct Git<'a> {
    dir: &'a Path,
}

impl<'a> Git<'a> {
    /// The work tree `dir` is inside, if any (and if git is installed).
    fn find(dir: &'a Path) -> Option<Self> {
        let git = Git { dir };
        let out = git
            .run(&["rev-parse", "--is-inside-work-tree"], None)
            .ok()?;
        (out.trim() == "true").then_some(git)
    }

    /// `git <args>` in the folder, with the bot as committer (and `author` as author), free
    /// of the environment's repository settings; its standard output, or its error.
    fn run(&self, args: &[&str], author: Option<&Author>) -> Result<String, EditError> {
        let mut command = Command::new("git");
        command
            .arg("-C")
            .arg(self.dir)
            .args(["-c", &format!("user.name={BOT_NAME}")])
            .args(["-c", &format!("user.email={BOT_EMAIL}")])
            .args(["-c", "commit.gpgsign=false"])
            .args(args)
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_COMMITTER_NAME", BOT_NAME)
            .env("GIT_COMMITTER_EMAIL", BOT_EMAIL);
        if let Some(author) = author {
            command
                .env("GIT_AUTHOR_NAME", author.display_name())
                .env("GIT_AUTHOR_EMAIL", author.email());
        }
        let name = args.first().copied().unwrap_or("").to_owned();
        let out = command.output().map_err(|e| EditError::Git {
            command: name.clone(),
            message: e.to_string(),
        })?;
        if !out.status.success() {
            return Err(EditError::Git {
                command: name,
                message: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            });
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Commits just `file` (as it is now in the folder, added or removed) with `summary` as
    /// the message; the new commit's hash.
    fn commit(
        &self,
        file: &str,
        summary: &str,
        author: &Author,
        reverts: Option<&str>,
    ) -> Result<String, EditError> {
        let path = format!("./{file}");
        self.run(&["add", "--all", "--", &path], None)?;
        let subject = shorten(summary, MAX_SUBJECT_CHARS);
        let mut body = String::new();
        if subject != summary {
            body.push_str(summary);
            body.push_str("\n\n");
        }
        if let Some(reverted) = reverts {
            body.push_str(&format!("This reverts commit {reverted}.\n\n"));
        }
        body.push_str(&format!(
            "Made from Discord by {} with faqbot.",
            author.display_name()
        ));
        self.run(
            &[
                "commit", "--quiet", "--only", "-m", &subject, "-m", &body, "--", &path,
            ],
            Some(author),
        )?;
        Ok(self.run(&["rev-parse", "HEAD"], None)?.trim().to_owned())
    }

    /// Takes `file` out of the index again after a failed commit (best effort).
    fn unstage(&self, file: &str, existed: bool) {
        let path = format!("./{file}");
        let result = if existed {
            self.run(&["reset", "--quiet", "--", &path], None)
        } else {
            self.run(
                &["rm", "--cached", "--quiet", "--ignore-unmatch", "--", &path],
                None,
            )
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, file, "could not unstage a file after a failed commit");
        }
    }

    /// The bot's last commit in the folder that is neither undone nor an undo itself, with
    /// the file's bytes before and after it, and its hash.
    fn last_change(&self) -> Result<(UndoRecord, Option<String>), EditError> {
        let committer = format!("<{BOT_EMAIL}>");
        let lookback = format!("--max-count={UNDO_LOOKBACK}");
        let log = self.run(
            &[
                "log",
                &lookback,
                "--fixed-strings",
                &format!("--committer={committer}"),
                "--format=%H%x1f%s%x1f%B%x1e",
                "--",
                ".",
            ],
            None,
        )?;
        let mut undone: HashSet<String> = HashSet::new();
        for record in log.split('\x1e') {
            let mut fields = record.trim_start_matches('\n').splitn(3, '\x1f');
            let (Some(hash), Some(subject), Some(body)) =
                (fields.next(), fields.next(), fields.next())
            else {
                continue;
            };
            if let Some(reverted) = reverted_commit(body) {
                undone.insert(reverted);
                continue;
            }
            if undone.contains(hash) {
                continue;
            }
            return self
                .change_of(hash, subject)
                .map(|r| (r, Some(hash.to_owned())));
        }
        Err(EditError::NothingToUndo(
            "no change made by the bot in this folder's git history is left to undo".to_owned(),
        ))
    }

    /// What commit `hash` did to its one file in the folder.
    fn change_of(&self, hash: &str, subject: &str) -> Result<UndoRecord, EditError> {
        let refused = |reason: &str| EditError::UndoRefused {
            summary: subject.to_owned(),
            reason: reason.to_owned(),
        };
        let changed = self.run(
            &[
                "show",
                "--format=",
                "--name-status",
                "--relative",
                hash,
                "--",
                ".",
            ],
            None,
        )?;
        let lines: Vec<&str> = changed.lines().filter(|l| !l.trim().is_empty()).collect();
        let [line] = lines.as_slice() else {
            return Err(refused(
                "that commit does not change exactly one file of the FAQ",
            ));
        };
        let (status, file) = line
            .split_once('\t')
            .ok_or_else(|| refused("git's list of changed files could not be read"))?;
        if Path::new(file).file_name().and_then(|n| n.to_str()) != Some(file) {
            return Err(refused("that commit changes a file outside the FAQ folder"));
        }
        let entry = file.strip_suffix(".md").unwrap_or(file).to_owned();
        let bytes_at = |rev: &str| -> Result<Vec<u8>, EditError> {
            let out = Command::new("git")
                .arg("-C")
                .arg(self.dir)
                .args(["show", &format!("{rev}:./{file}")])
                .env_remove("GIT_DIR")
                .env_remove("GIT_WORK_TREE")
                .env_remove("GIT_INDEX_FILE")
                .output()
                .map_err(|e| EditError::Git {
                    command: "show".to_owned(),
                    message: e.to_string(),
                })?;
            if out.status.success() {
                Ok(out.stdout)
            } else {
                Err(EditError::Git {
                    command: "show".to_owned(),
                    message: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
                })
            }
        };
        let (before, after) = match status.chars().next() {
            Some('A') => (None, bytes_at(hash)?),
            Some('M') => (Some(bytes_at(&format!("{hash}^"))?), bytes_at(hash)?),
            _ => return Err(refused("that commit does not add or change an entry file")),
        };
        Ok(UndoRecord {
            entry,
            file: file.to_owned(),
            before,
            after,
            summary: subject.to_owned(),
        })
    }

    /// The last `limit` commits of `file` (or of the folder), newest first.
    fn history(&self, file: Option<&str>, limit: usize) -> Result<Vec<HistoryItem>, EditError> {
        let path = file.map_or_else(|| ".".to_owned(), |f| format!("./{f}"));
        let count = format!("--max-count={limit}");
        let log = self.run(
            &[
                "log",
                &count,
                "--relative",
                "--name-only",
                "--format=%x1e%H%x1f%an%x1f%at%x1f%s",
                "--",
                &path,
            ],
            None,
        )?;
        Ok(log
            .split('\x1e')
            .filter_map(|record| {
                let mut lines = record.lines();
                let mut fields = lines.next()?.splitn(4, '\x1f');
                let (hash, who, at, subject) = (
                    fields.next()?,
                    fields.next()?,
                    fields.next()?,
                    fields.next()?,
                );
                let entry = lines
                    .map(str::trim)
                    .find(|l| l.ends_with(".md"))
                    .map(|l| l.trim_end_matches(".md").to_owned());
                Some(HistoryItem {
                    when: utc_minute(at.parse().unwrap_or(0)),
                    who: who.to_owned(),
                    entry,
                    summary: subject.to_owned(),
                    commit: Some(hash.to_owned()),
                })
            })
            .collect())
    }
}

/// The commit a revert's message names ("This reverts commit <hash>.").
fn reverted_commit(body: &str) -> Option<String> {
    let at = body.find("This reverts commit ")?;
    let hash: String = body[at + "This reverts commit ".len()..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    (hash.len() >= 7).then_some(hash)
}

/// `YYYY-MM-DD HH:MM UTC` for unix seconds.
fn utc_minute(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0).map_or_else(
        || unix.to_string(),
        |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
    )
}

/// `text` cut to `max` characters, with "…" when cut.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changes_line_reads_back() {
        let line = "- 2026-12-01 17:20:05 UTC · what-is-ot · Jane · Doe (42) · Add phrasing to what-is-ot: \"a · b\"";
        let item = parse_change_line(line).expect("read");
        assert_eq!(item.when, "2026-12-01 17:20 UTC");
        assert_eq!(item.entry.as_deref(), Some("what-is-ot"));
        // The name had its separator replaced when written; here it is read as written.
        assert_eq!(item.who, "Jane");
        assert!(parse_change_line("# Changes made from Discord").is_none());
    }

    #[test]
    fn author_names_are_one_clean_line() {
        let author = |name: &str| Author {
            name: name.to_owned(),
            id: 42,
        };
        assert_eq!(author("Jane <j@x>\nDoe").display_name(), "Jane j@x Doe");
        assert_eq!(author("a · b").display_name(), "a - b");
        assert_eq!(author("  ").display_name(), "Discord user 42");
        assert_eq!(author("x").email(), "42@discord");
    }

    #[test]
    fn a_revert_names_the_commit_it_reverts() {
        assert_eq!(
            reverted_commit("Undo: x\n\nThis reverts commit 0123abcd.\n").as_deref(),
            Some("0123abcd")
        );
        assert_eq!(reverted_commit("Add phrasing to x"), None);
    }

    #[test]
    fn cases_summary_says_what_fails_now() {
        let summary = CasesSummary {
            cases: 3,
            passing: 2,
            passing_before: Some(3),
            newly_failing: vec!["what is ot".to_owned()],
            error: None,
        };
        assert!(!summary.still_pass());
        assert_eq!(
            summary.to_string(),
            "cases.toml: 2 of 3 cases pass (before: 3); 1 passed before and fail now:\n- what is ot"
        );
    }
}
