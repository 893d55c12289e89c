//! Speed of the matching core: one question against the real FAQ and against the CLINC150
//! K=all corpus (150 entries, 15 000 questions), and loading the FAQ directory.
//!
//! `cargo bench --bench matcher`. After criterion's figures it prints the per-query latency
//! distribution (p50/p99) over the CLINC150 test queries, since a tail is what a parent waits on.

use criterion::Criterion;
use faqbot::knowledge::Knowledge;
use faqbot::matcher::{MatchConfig, Matcher};
use faqbot::synonyms::Synonyms;
use std::collections::{BTreeMap, HashMap};
use std::hint::black_box;
use std::time::Instant;

const CLINC: &str = "../shared/data/clinc150/data_full.json";

/// The CLINC150 K=all matcher and the test queries (in-scope and out-of-scope).
fn clinc() -> Option<(Matcher, Vec<String>)> {
    let text = std::fs::read_to_string(CLINC).ok()?;
    let data: HashMap<String, Vec<(String, String)>> = serde_json::from_str(&text).ok()?;
    let mut questions: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (utterance, intent) in data.get("train")? {
        questions
            .entry(intent.clone())
            .or_default()
            .push(utterance.clone());
    }
    let queries = data
        .get("test")?
        .iter()
        .chain(data.get("oos_test")?)
        .map(|(q, _)| q.clone())
        .collect();
    Some((Matcher::new(questions, Synonyms::default()), queries))
}

fn benches(c: &mut Criterion) {
    let (knowledge, _) = Knowledge::load("faq".as_ref(), MatchConfig::DEFAULT).expect("faq/ loads");
    c.bench_function("faq: ask (19 entries)", |b| {
        let questions = [
            "OT or PT for my 3 year old?",
            "my son is 18 months and not walking yet",
            "do you take insurance",
        ];
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % questions.len();
            black_box(knowledge.ask(questions[i]))
        });
    });
    c.bench_function("faq: load and index faq/", |b| {
        b.iter(|| black_box(Knowledge::load("faq".as_ref(), MatchConfig::DEFAULT).is_ok()));
    });
    if let Some((matcher, queries)) = clinc() {
        c.bench_function("clinc150 K=all: rank one query", |b| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % queries.len();
                black_box(matcher.rank(&queries[i]))
            });
        });
    } else {
        eprintln!("{CLINC} not found: CLINC150 benches skipped");
    }
}

fn percentiles() {
    let Some((matcher, queries)) = clinc() else {
        return;
    };
    // Warm up, then time every test query three times, one at a time.
    for q in queries.iter().take(500) {
        black_box(matcher.rank(q));
    }
    let mut us: Vec<f64> = Vec::with_capacity(queries.len() * 3);
    for _ in 0..3 {
        for q in &queries {
            let start = Instant::now();
            black_box(matcher.rank(q));
            us.push(start.elapsed().as_secs_f64() * 1e6);
        }
    }
    us.sort_by(f64::total_cmp);
    let at = |p: f64| us[((us.len() - 1) as f64 * p).round() as usize];
    println!(
        "clinc150 K=all per-query latency over {} queries: p50 {:.1} us, p90 {:.1} us, p99 {:.1} us, max {:.1} us",
        us.len(),
        at(0.5),
        at(0.9),
        at(0.99),
        at(1.0)
    );
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion);
    criterion.final_summary();
    percentiles();
}
