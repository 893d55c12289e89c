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
/// Questions per entry (the FAQ's rule asks for at least 8).
const QUESTIONS: usize = 10;

/// Ways parents start a question: shared by every entry, as in a real FAQ.
const TEMPLATES: [&str; QUESTIONS] = [
    "what is {a} and does my child need it",
    "can occupational therapy help with {a}",
    "my son has trouble with {a} and {b}, who can help",
    "is {a} something a physical therapist works on",
    "how do I know if my daughter needs help with {a}",
    "what does a therapist do for {a} in a {b} session",
    "at what age should I worry about {a}",
    "{a} or {b}: which one is it",
    "does {a} get better on its own or with therapy",
    "we were told about {a}, what happens next",
];

/// A made-up word for number `n`, from syllables: distinct for distinct `n`.
fn word(mut n: usize) -> String {
    const SYLLABLES: [&str; 16] = [
        "ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "be", "da", "fu", "go", "hi", "ju", "pe",
        "zo",
    ];
    let mut out = String::new();
    loop {
        out.push_str(SYLLABLES[n % 16]);
        n /= 16;
        if n == 0 {
            break;
        }
    }
    out
}

/// Writes the generated FAQ into `dir`.
fn generate(dir: &Path) {
    for i in 0..ENTRIES {
        let topic = format!("{} {}", word(i + 16), word(i * 7 + 3));
        let questions: Vec<String> = TEMPLATES
            .iter()
            .enumerate()
            .map(|(k, t)| {
                t.replace("{a}", &topic)
                    .replace("{b}", &word((i * 31 + k * 17) % 4096 + 16))
            })
            .collect();
        let text = format!(
            "+++\ntitle = \"About {topic}\"\nquestions = {questions:?}\nkeywords = [\"{topic}\"]\n\
             sources = [\"Generated source {n}\"]\n+++\n**{topic}** is explained here, for parents.\n",
            n = i % 5
        );
        std::fs::write(dir.join(format!("entry-{i:04}.md")), text).expect("write an entry");
    }
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    generate(dir.path());
    let start = Instant::now();
    let checked = faqbot::faq::load_dir(dir.path()).expect("the generated FAQ is valid");
    let load = start.elapsed();
    assert_eq!(checked.faq.len(), ENTRIES);
    let start = Instant::now();
    let knowledge = Knowledge::new(checked.faq, MatchConfig::DEFAULT);
    let index = start.elapsed();
    println!(
        "generated FAQ: {ENTRIES} entries, {} questions: load + check {load:.2?}, index {index:.2?}",
        ENTRIES * QUESTIONS
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
