//! Loading and checking a large FAQ: a generated directory of 3 000 entries (10 questions each),
//! read from disk, parsed and checked as `faqbot check` and `faqbot ask` do, then indexed.
//!
//! `cargo bench --bench faq_check`. The bar: load + check of 3 000 entries in at most 1 s (the
//! near-duplicate question check used to compare all pairs of questions: 14 s).

use criterion::Criterion;
use faqbot::knowledge::Knowledge;
use faqbot::matcher::MatchConfig;
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

/// Entries in the generated FAQ.
const ENTRIES: usize = 3000;
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
    let start = Instant::now();
    let checked = faqbot::faq::load_dir(dir.path()).expect("the generated FAQ is valid");
    let load = start.elapsed();
    assert_eq!(checked.faq.len(), ENTRIES);
    let start = Instant::now();
    let knowledge = Knowledge::new(checked.faq, MatchConfig::DEFAULT);
    let index = start.elapsed();
    println!(
        "generated FAQ: {ENTRIES} entries, {} questions: load + check {load:.2?}, index {index:.2?}",
        ENTRIES * faqbot::faq::generated::QUESTIONS
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

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion);
    criterion.final_summary();
}
