//! The matcher in a loop, for a profiler: the 6-sentence parent message of the matcher bench read
//! as the bot reads it in a help channel, or the CLINC150 K=all test queries read as the bot
//! reads a direct question. It prints the time per call, but its use is to be run under
//! `perf record` or `valgrind --tool=callgrind`, whose counts do not move with the machine's
//! load (the README's instruction and cache-miss figures come from it):
//!
//! ```text
//! cargo build --release --example profile
//! valgrind --tool=callgrind --toggle-collect='faqbot::knowledge::Knowledge::answer' \
//!     target/release/examples/profile message 500
//! valgrind --tool=callgrind --cache-sim=yes --LL=1048576,16,64 \
//!     --toggle-collect='faqbot::matcher::Matcher::read' target/release/examples/profile clinc 1
//! ```
//!
//! `--toggle-collect` counts the calls alone, not loading the FAQ or indexing CLINC150.

use anyhow::{bail, Context, Result};
use faqbot::knowledge::Knowledge;
use faqbot::matcher::{Addressing, MatchConfig, Matcher};
use faqbot::synonyms::Synonyms;
use std::collections::{BTreeMap, HashMap};
use std::hint::black_box;
use std::time::Instant;

const CLINC: &str = "../shared/data/clinc150/data_full.json";

/// The message of the matcher bench (`benches/matcher.rs`).
const SIX_SENTENCES: &str = "Hi everyone, first time posting here. My daughter is 4 and she \
    was born 8 weeks early, so she spent a month in the NICU. She walks and runs fine now but she \
    still can't hold a crayon properly and gets really frustrated at preschool. Her teacher \
    mentioned that the other kids are already writing their names. We tried some of the apps \
    and play dough ideas from online but nothing seems to stick. Would occupational therapy help \
    with her fine motor skills, or is it too early to tell?";

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let what = args.next().unwrap_or_else(|| "message".to_owned());
    let rounds: usize = match args.next() {
        Some(n) => n.parse().context("ROUNDS must be a whole number")?,
        None => 1,
    };
    match what.as_str() {
        "message" => {
            let (knowledge, _) = Knowledge::load("faq".as_ref(), MatchConfig::DEFAULT)
                .context("loading faq/ (run from the repository's root)")?;
            let start = Instant::now();
            for _ in 0..rounds {
                black_box(knowledge.answer(SIX_SENTENCES, Addressing::HelpChannel));
            }
            let per_call = start.elapsed().as_secs_f64() * 1e6 / rounds.max(1) as f64;
            println!("6-sentence message: {per_call:.1} us a call over {rounds} calls");
        }
        "clinc" => {
            let (matcher, queries) = clinc()?;
            let start = Instant::now();
            for _ in 0..rounds {
                for query in &queries {
                    black_box(matcher.read(query, Addressing::Direct));
                }
            }
            let calls = rounds * queries.len();
            let per_call = start.elapsed().as_secs_f64() * 1e6 / calls.max(1) as f64;
            println!("CLINC150 K=all read: {per_call:.1} us a query over {calls} calls");
        }
        other => bail!("unknown loop {other:?}: use `message` or `clinc`, then ROUNDS"),
    }
    Ok(())
}

/// The CLINC150 K=all matcher and the test queries, in-scope then out-of-scope.
fn clinc() -> Result<(Matcher, Vec<String>)> {
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
