//! Loading and checking a large FAQ: a generated directory of 3 000 entries (10 questions each
//! from shared templates, topics of English words, the shipped synonyms; see
//! `faqbot::faq::generated`), read from disk, parsed and checked as `faqbot check` and
//! `faqbot ask` do, then indexed.
//!
//! `cargo bench --features bench --bench faq_check`. The bar: load + check of 3 000 entries in at most 1 s (the
//! near-duplicate question check took 13 s on it before `src/faq/alike.rs`).

use criterion::Criterion;
use faqbot::knowledge::Knowledge;
use faqbot::matcher::MatchConfig;
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

/// Entries in the generated FAQ.
const ENTRIES: usize = 3000;
/// The most load + check of the generated FAQ may take.
const BAR: Duration = Duration::from_secs(1);
/// Runs the printed figure is the median of.
const RUNS: usize = 5;
fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let words = std::fs::read_to_string(root.join("data/english-words.txt")).expect("word list");
    faqbot::faq::generated::write(dir.path(), ENTRIES, &words).expect("write the generated FAQ");
    std::fs::copy(
        root.join("faq/synonyms.toml"),
        dir.path().join("synonyms.toml"),
    )
    .expect("copy the shipped synonyms");
    // The figure against the bar: the median of a few runs, printed before criterion's own,
    // with the CPU time they took (on a busy machine the wall time is the larger).
    let cpu_before = cpu_time();
    let mut loads: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            black_box(faqbot::faq::load_dir(dir.path()).is_ok());
            start.elapsed()
        })
        .collect();
    let cpu = cpu_time()
        .zip(cpu_before)
        .map(|(after, before)| (after.saturating_sub(before)) / RUNS as u32);
    loads.sort();
    let load = loads[RUNS / 2];
    let checked = faqbot::faq::load_dir(dir.path()).expect("the generated FAQ is valid");
    assert_eq!(checked.faq.len(), ENTRIES);
    let start = Instant::now();
    let knowledge = Knowledge::new(checked.faq, MatchConfig::DEFAULT);
    let index = start.elapsed();
    println!(
        "generated FAQ: {ENTRIES} entries, {} questions, {} warnings: load + check {load:.2?} \
         (median of {RUNS}; CPU {}; bar: at most {BAR:?}: {}), index {index:.2?}",
        ENTRIES * faqbot::faq::generated::QUESTIONS,
        checked.warnings.len(),
        cpu.map_or_else(|| "unknown".to_owned(), |cpu| format!("{cpu:.2?}")),
        if load <= BAR { "met" } else { "NOT MET" },
    );
    black_box(knowledge);

    let mut group = c.benchmark_group("faq 3000 entries");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("load + check", |b| {
        b.iter(|| black_box(faqbot::faq::load_dir(dir.path()).is_ok()));
    });
    group.bench_function("load + check + index", |b| {
        b.iter(|| black_box(Knowledge::load(dir.path(), MatchConfig::DEFAULT).is_ok()));
    });
    group.finish();
}

/// The CPU time (user + system) this process has used so far, from `/proc/self/stat` (Linux;
/// `None` elsewhere), in clock ticks of 10 ms.
fn cpu_time() -> Option<Duration> {
    /// Clock ticks per second of `/proc` times (`USER_HZ`, 100 on Linux).
    const TICKS_PER_SECOND: u64 = 100;
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (in parentheses, which may hold spaces): utime is the
    // 14th field of the line, stime the 15th.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 1000 / TICKS_PER_SECOND))
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion);
    criterion.final_summary();
}
