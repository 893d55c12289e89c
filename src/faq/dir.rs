//! Reading the FAQ directory from disk (the only I/O of the FAQ module).

use super::{Checked, Faq, FaqError, Problem, SourceFile, MAX_FILE_BYTES};
use std::io::Read;
use std::path::Path;

/// Reads every file of `dir` (not subdirectories or hidden files) and checks them as one FAQ.
///
/// A file that cannot be read becomes an error in the report, like any other problem, so one
/// run shows everything a moderator has to fix.
pub fn load_dir(dir: &Path) -> Result<Checked, FaqError> {
    let unreadable = |source| FaqError::Unreadable {
        dir: dir.display().to_string(),
        source,
    };
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for item in std::fs::read_dir(dir).map_err(unreadable)? {
        let item = item.map_err(unreadable)?;
        let name = item.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || item.file_type().map_or(true, |t| t.is_dir()) {
            continue;
        }
        // Read at most one byte past the limit: enough for the parser to refuse a huge file.
        let mut bytes = Vec::new();
        let read = std::fs::File::open(item.path())
            .and_then(|f| f.take(MAX_FILE_BYTES as u64 + 1).read_to_end(&mut bytes));
        match read {
            Ok(_) => files.push(SourceFile { name, bytes }),
            Err(e) => problems.push(Problem::error(
                &name,
                1,
                format!("cannot read the file: {e}"),
                "check that the file exists and is readable by the bot",
            )),
        }
    }
    match (Faq::from_files(&files), problems.is_empty()) {
        (result, true) => result,
        (Ok(checked), false) => {
            problems.extend(checked.warnings);
            Err(FaqError::Invalid { problems })
        }
        (Err(FaqError::Invalid { problems: more }), false) => {
            problems.extend(more);
            Err(FaqError::Invalid { problems })
        }
        (Err(e), false) => Err(e),
    }
}
