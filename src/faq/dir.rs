//! Reading the FAQ directory from disk (the only I/O of the FAQ module).
//!
//! Only the files the FAQ is made of are opened: entries (`*.md` other than `README.md`) and
//! `synonyms.toml`. Anything else in the folder (a moderator's `notes.txt`, an editor's swap
//! file, a FIFO, a socket, a dangling link) is never opened, so it can neither hang a load nor
//! refuse the FAQ. The files that are read are opened without blocking and read only when the
//! open file is a regular file: a FIFO, socket or device under an entry's name is skipped with a
//! warning, never waited on.

use super::check::{self, is_entry_file};
use super::{Checked, FaqError, Problem, SourceFile, MAX_FILE_BYTES, SYNONYMS_FILE};
use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

/// The FAQ directory's files as read at one moment, before they are checked.
///
/// Two readings of an unchanged directory have the same
/// [`fingerprint`](DirContents::fingerprint), so a reader can tell whether a save has settled.
#[derive(Debug, Clone)]
pub struct DirContents {
    files: Vec<SourceFile>,
    /// Problems met while reading (a file that could not be read, one that was skipped).
    problems: Vec<Problem>,
    /// Ids of entries whose file exists but could not be read.
    unreadable: Vec<String>,
}

impl DirContents {
    /// The files read, in file-name order.
    #[must_use]
    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    /// A hash of everything read (names, bytes and reading problems): equal for two readings
    /// that would check the same, different as soon as one byte differs.
    #[must_use]
    pub fn fingerprint(&self) -> blake3::Hash {
        let mut hasher = blake3::Hasher::new();
        for file in &self.files {
            // Lengths first, so that no two different lists hash the same bytes.
            hasher.update(&(file.name.len() as u64).to_le_bytes());
            hasher.update(file.name.as_bytes());
            hasher.update(&(file.bytes.len() as u64).to_le_bytes());
            hasher.update(&file.bytes);
        }
        for problem in &self.problems {
            let text = problem.to_string();
            hasher.update(&(text.len() as u64).to_le_bytes());
            hasher.update(text.as_bytes());
        }
        hasher.finalize()
    }

    /// Parses and checks what was read as one FAQ. A file that could not be read is one error
    /// in the report, like any other problem; references to it from other entries' `related`
    /// are not reported again.
    pub fn check(self) -> Result<Checked, FaqError> {
        check::check(&self.files, self.problems, &self.unreadable)
    }
}

/// True for the name of a file the FAQ is made of (an entry or the synonyms file): the only
/// files [`read_faq_dir`] opens, and the only ones whose changes matter.
#[must_use]
pub fn is_faq_file(name: &str) -> bool {
    is_entry_file(name) || name == SYNONYMS_FILE
}

/// Reads the FAQ files of `dir` (entries and the synonyms file; not subdirectories, hidden
/// files or anything else).
///
/// Fails only when the directory itself cannot be listed; a file that cannot be read becomes
/// a problem in the result, so one run shows everything a moderator has to fix.
pub fn read_faq_dir(dir: &Path) -> Result<DirContents, FaqError> {
    let unreadable_dir = |source| FaqError::Unreadable {
        dir: dir.display().to_string(),
        source,
    };
    let mut contents = DirContents {
        files: Vec::new(),
        problems: Vec::new(),
        unreadable: Vec::new(),
    };
    for item in std::fs::read_dir(dir).map_err(unreadable_dir)? {
        let item = item.map_err(unreadable_dir)?;
        let name = item.file_name().to_string_lossy().into_owned();
        // Not opened, not even looked at: whatever it is, it is not part of the FAQ.
        if !is_faq_file(&name) {
            continue;
        }
        // A directory is never an entry (the type from the listing costs no extra call).
        if item.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        match read_file(&item.path()) {
            Ok(Some(bytes)) => contents.files.push(SourceFile { name, bytes }),
            Ok(None) => {}
            Err(Unread::Skipped(what)) => contents.problems.push(Problem::warning(
                &name,
                1,
                format!("skipped: {what}, not a file the bot can read"),
                "replace it with a regular text file, or remove it",
            )),
            Err(Unread::Failed(e)) => {
                if is_entry_file(&name) {
                    contents.unreadable.push(entry_id(&name));
                }
                contents.problems.push(Problem::error(
                    &name,
                    1,
                    format!("cannot read the file: {e}"),
                    "check that the file is readable by the bot",
                ));
            }
        }
    }
    contents.files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(contents)
}

/// Reads every file of `dir` that belongs to the FAQ and checks them as one FAQ.
///
/// A file that cannot be read becomes an error in the report, like any other problem, so one
/// run shows everything a moderator has to fix.
pub fn load_dir(dir: &Path) -> Result<Checked, FaqError> {
    read_faq_dir(dir)?.check()
}

/// The id of the entry in the file `name` (`walking.md` is `walking`).
fn entry_id(name: &str) -> String {
    Path::new(name)
        .file_stem()
        .map_or_else(|| name.to_owned(), |s| s.to_string_lossy().into_owned())
}

/// Why a file of the FAQ was not read.
enum Unread {
    /// It is not a regular file (or a link to one): what it is instead.
    Skipped(String),
    /// It is a file, but reading it failed.
    Failed(io::Error),
}

/// Reads a file of the FAQ (at most one byte past [`MAX_FILE_BYTES`]: enough for the parser to
/// refuse a huge file). `Ok(None)` when it vanished since the directory was listed (a save in
/// progress: the next reading sees what replaced it).
fn read_file(path: &Path) -> Result<Option<Vec<u8>>, Unread> {
    // The type first, without opening anything; a link is followed to what it points at.
    let link = std::fs::symlink_metadata(path).map_err(Unread::Failed);
    let target = match std::fs::metadata(path) {
        Ok(target) => target,
        Err(e) if link.as_ref().is_ok_and(Metadata::is_symlink) => {
            return Err(Unread::Skipped(if is_loop(&e) {
                "a symbolic link that loops".to_owned()
            } else {
                format!("a symbolic link that leads nowhere ({e})")
            }));
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Unread::Failed(e)),
    };
    if !target.is_file() {
        return Err(Unread::Skipped(kind_of(&target)));
    }
    // Opened without blocking all the same: the path may have been swapped for a FIFO since.
    let file = match open_nonblocking(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Unread::Failed(e)),
    };
    let opened = file.metadata().map_err(Unread::Failed)?;
    if !opened.is_file() {
        return Err(Unread::Skipped(kind_of(&opened)));
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(Unread::Failed)?;
    Ok(Some(bytes))
}

/// Opens `path` for reading; on Unix with `O_NONBLOCK`, so a FIFO opens at once instead of
/// waiting for a writer (a regular file reads the same either way).
fn open_nonblocking(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// True for "too many levels of symbolic links".
fn is_loop(error: &io::Error) -> bool {
    #[cfg(unix)]
    {
        error.raw_os_error() == Some(libc::ELOOP)
    }
    #[cfg(not(unix))]
    {
        let _ = error;
        false
    }
}

/// What a file that is not a regular file is, for the warning.
fn kind_of(metadata: &Metadata) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = metadata.file_type();
        if t.is_fifo() {
            return "a FIFO (named pipe)".to_owned();
        }
        if t.is_socket() {
            return "a socket".to_owned();
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device".to_owned();
        }
    }
    if metadata.is_dir() {
        "a directory".to_owned()
    } else {
        "not a regular file".to_owned()
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    const ENTRY: &str = "+++\ntitle = \"T\"\nquestions = [\"q one\", \"q two\"]\n+++\nAnswer.\n";

    fn problems(contents: &DirContents) -> Vec<String> {
        contents.problems.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn files_that_are_not_entries_are_never_opened() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("a.md"), ENTRY).expect("write");
        // Each of these would hang, fail or loop if it were opened.
        std::os::unix::fs::symlink("nowhere", dir.path().join("notes.txt")).expect("link");
        std::os::unix::fs::symlink("loop.txt", dir.path().join("loop.txt")).expect("link");
        std::fs::create_dir(dir.path().join("drafts.md")).expect("dir");
        let contents = read_faq_dir(dir.path()).expect("listed");
        assert_eq!(problems(&contents), Vec::<String>::new());
        assert_eq!(contents.files().len(), 1);
    }

    #[test]
    fn an_entry_that_is_a_dangling_or_looping_link_is_skipped_with_a_warning() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::os::unix::fs::symlink("nowhere.md", dir.path().join("gone.md")).expect("link");
        std::os::unix::fs::symlink("loop.md", dir.path().join("loop.md")).expect("link");
        let all = problems(&read_faq_dir(dir.path()).expect("listed"));
        assert!(
            all.iter().any(|p| p
                .starts_with("gone.md:1: warning: skipped: a symbolic link that leads nowhere")),
            "{all:#?}"
        );
        assert!(
            all.iter()
                .any(|p| p.starts_with("loop.md:1: warning: skipped: a symbolic link that loops")),
            "{all:#?}"
        );
    }

    #[test]
    fn changes_md_written_by_the_bot_is_not_read_as_an_entry() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("a.md"), ENTRY).expect("write");
        std::fs::write(
            dir.path().join(crate::faq::CHANGES_FILE),
            "# Changes made from Discord\n\n- 2026-12-01 17:20:05 UTC · a · Jane (1) · Add phrasing to a\n",
        )
        .expect("write");
        assert!(!is_faq_file(crate::faq::CHANGES_FILE));
        let contents = read_faq_dir(dir.path()).expect("listed");
        assert_eq!(contents.files().len(), 1);
        assert_eq!(contents.check().expect("loads").faq.len(), 1);
    }

    #[test]
    fn the_fingerprint_changes_with_one_byte() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("a.md"), ENTRY).expect("write");
        let first = read_faq_dir(dir.path()).expect("listed");
        let again = read_faq_dir(dir.path()).expect("listed");
        assert_eq!(first.fingerprint(), again.fingerprint());
        std::fs::write(dir.path().join("a.md"), ENTRY.replace("Answer", "Answes")).expect("write");
        let changed = read_faq_dir(dir.path()).expect("listed");
        assert_ne!(first.fingerprint(), changed.fingerprint());
    }
}
