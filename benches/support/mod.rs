//! The workload the matcher bench (`benches/matcher.rs`) and the profiling loop
//! (`examples/profile.rs`) share, so that their figures are of the same calls: a parent's long
//! help-channel message and the CLINC150 K=all test queries.

use anyhow::{Context, Result};
use faqbot::matcher::Matcher;
use faqbot::synonyms::Synonyms;
use std::collections::{BTreeMap, HashMap};

/// The bot's allocator (see `src/main.rs`), so that these figures are of the bot's calls.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The CLINC150 data, beside the repository (see `../shared/data/clinc150/README.md`).
pub const CLINC: &str = "../shared/data/clinc150/data_full.json";

/// A parent's long help-channel message: five sentences of story, then the question.
pub const SIX_SENTENCES: &str = "Hi everyone, first time posting here. My daughter is 4 and she \
    was born 8 weeks early, so she spent a month in the NICU. She walks and runs fine now but she \
    still can't hold a crayon properly and gets really frustrated at preschool. Her teacher \
    mentioned that the other kids are already writing their names. We tried some of the apps \
    and play dough ideas from online but nothing seems to stick. Would occupational therapy help \
    with her fine motor skills, or is it too early to tell?";

/// The CLINC150 K=all matcher (each intent an entry of all its train utterances) and the test
/// queries, in-scope then out-of-scope.
pub fn clinc() -> Result<(Matcher, Vec<String>)> {
    let text = std::fs::read_to_string(CLINC).with_context(|| format!("reading {CLINC}"))?;
    let data: HashMap<String, Vec<(String, String)>> =
        serde_json::from_str(&text).with_context(|| format!("parsing {CLINC}"))?;
    let split = |name: &str| {
        data.get(name)
            .with_context(|| format!("{CLINC} has no {name:?} split"))
    };
    let mut questions: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (utterance, intent) in split("train")? {
        questions
            .entry(intent.clone())
            .or_default()
            .push(utterance.clone());
    }
    let queries = split("test")?
        .iter()
        .chain(split("oos_test")?)
        .map(|(query, _)| query.clone())
        .collect();
    Ok((Matcher::new(questions, Synonyms::default()), queries))
}
