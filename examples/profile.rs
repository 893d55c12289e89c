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
use faqbot::matcher::{Addressing, MatchConfig};
use std::hint::black_box;
use std::time::Instant;

/// The bench's message and CLINC150 queries.
#[path = "../benches/support/mod.rs"]
mod support;
use support::{clinc, SIX_SENTENCES};

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
