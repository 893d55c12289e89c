//! CLINC150 benchmark of the matcher, following `shared/baselines.md` exactly: each of the 150
//! intents is an FAQ entry whose questions are its first K train utterances (file order); the
//! answer threshold is the one that maximises (in-scope accuracy + OOS recall) / 2 on val, and
//! the figures are reported on test (4500 in-scope + 1000 out-of-scope queries).
//!
//! It uses the bot's own matcher with the bot's defaults (`Matcher::new`); the tuning flags exist
//! only to measure alternatives.
//!
//! ```text
//! cargo run --release --example clinc150 -- --data ../shared/data/clinc150/data_full.json --k all
//! ```

use anyhow::{bail, Context, Result};
use faqbot::matcher::Addressing;
use faqbot::matcher::{Matcher, Tuning};
use faqbot::synonyms::Synonyms;
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

/// The bot's allocator (see `src/main.rs`), so that the latencies printed are the bot's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

type Split = Vec<(String, String)>;

struct Options {
    data: String,
    k: Option<usize>,
    json: bool,
    slowest: usize,
    tuning: Tuning,
}

fn parse_options() -> Result<Options> {
    let mut options = Options {
        data: "../shared/data/clinc150/data_full.json".into(),
        k: None,
        json: false,
        slowest: 0,
        tuning: Tuning::DEFAULT,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--data" => options.data = value()?,
            "--k" => {
                let v = value()?;
                options.k = if v == "all" {
                    None
                } else {
                    Some(v.parse().context("--k takes a number or all")?)
                };
            }
            "--json" => options.json = true,
            "--slowest" => options.slowest = value()?.parse()?,
            "--k1" => options.tuning.k1 = value()?.parse()?,
            "--b" => options.tuning.b = value()?.parse()?,
            "--stop-weight" => options.tuning.stop_word_weight = value()?.parse()?,
            "--weights" => {
                let weights: Vec<f32> = value()?
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<_, _>>()?;
                options.tuning.weights = weights
                    .try_into()
                    .map_err(|_| anyhow::anyhow!("--weights takes four numbers"))?;
            }
            other => bail!("unknown argument {other}; see the top of examples/clinc150.rs"),
        }
    }
    Ok(options)
}

/// Top score and predicted intent for each query.
fn predict(matcher: &Matcher, queries: &Split) -> Vec<(f32, Option<String>)> {
    queries
        .iter()
        .map(|(q, _)| {
            let ranked = matcher.read(q, Addressing::Direct).candidates();
            ranked
                .first()
                .map_or((0.0, None), |c| (c.score, Some(c.id.clone())))
        })
        .collect()
}

struct Figures {
    accuracy: f64,
    recall: f64,
}

fn figures(
    inscope: &Split,
    preds_in: &[(f32, Option<String>)],
    preds_oos: &[(f32, Option<String>)],
    t: f32,
) -> Figures {
    let right = inscope
        .iter()
        .zip(preds_in)
        .filter(|((_, intent), (score, id))| *score >= t && id.as_deref() == Some(intent.as_str()))
        .count();
    let refused = preds_oos.iter().filter(|(score, _)| *score < t).count();
    Figures {
        accuracy: right as f64 / inscope.len() as f64,
        recall: refused as f64 / preds_oos.len() as f64,
    }
}

/// The chance that a random in-scope query scores above a random out-of-scope one.
fn auroc(inscope: &[f32], oos: &[f32]) -> f64 {
    let mut all: Vec<(f32, bool)> = inscope
        .iter()
        .map(|s| (*s, true))
        .chain(oos.iter().map(|s| (*s, false)))
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Mann-Whitney U with average ranks for ties.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < all.len() {
        let mut j = i;
        while j < all.len() && all[j].0.total_cmp(&all[i].0).is_eq() {
            j += 1;
        }
        let average_rank = (i + 1 + j) as f64 / 2.0;
        rank_sum += average_rank * all[i..j].iter().filter(|(_, pos)| *pos).count() as f64;
        i = j;
    }
    let (n1, n0) = (inscope.len() as f64, oos.len() as f64);
    (rank_sum - n1 * (n1 + 1.0) / 2.0) / (n1 * n0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

// A benchmark script: it reads top to bottom as the protocol of baselines.md does.
#[allow(clippy::too_many_lines)]
fn main() -> Result<()> {
    let options = parse_options()?;
    let json_text = std::fs::read_to_string(&options.data)
        .with_context(|| format!("cannot read {}", options.data))?;
    let data: HashMap<String, Split> =
        serde_json::from_str(&json_text).context("not CLINC150 data_full.json")?;
    let split = |name: &str| {
        data.get(name)
            .cloned()
            .with_context(|| format!("no {name} split"))
    };
    let (train, val, test, oos_val, oos_test) = (
        split("train")?,
        split("val")?,
        split("test")?,
        split("oos_val")?,
        split("oos_test")?,
    );

    // Each intent's first K train utterances, in file order.
    let mut questions: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (utterance, intent) in &train {
        let list = questions.entry(intent.clone()).or_default();
        if options.k.is_none_or(|k| list.len() < k) {
            list.push(utterance.clone());
        }
    }
    let n_questions: usize = questions.values().map(Vec::len).sum();
    let started = Instant::now();
    let matcher = Matcher::with_tuning(questions, Synonyms::default(), options.tuning);
    let build_ms = started.elapsed().as_secs_f64() * 1000.0;

    // Threshold: best balanced score on val, over every distinct top score.
    let (val_in, val_oos) = (predict(&matcher, &val), predict(&matcher, &oos_val));
    let mut thresholds: Vec<f32> = val_in.iter().chain(&val_oos).map(|(s, _)| *s).collect();
    thresholds.push(f32::INFINITY);
    thresholds.sort_by(f32::total_cmp);
    thresholds.dedup();
    let balanced = |t: f32| {
        let f = figures(&val, &val_in, &val_oos, t);
        f64::midpoint(f.accuracy, f.recall)
    };
    let threshold = thresholds
        .iter()
        .copied()
        .max_by(|a, b| balanced(*a).total_cmp(&balanced(*b)).then(b.total_cmp(a)))
        .unwrap_or(0.0);

    // What tuning may look at: val at its own threshold (test is for reporting only).
    let val_balanced = balanced(threshold);

    // Test, one query at a time, timed.
    let mut latencies_us = Vec::with_capacity(test.len() + oos_test.len());
    let mut slow: Vec<(f64, String)> = Vec::new();
    let mut timed = |queries: &Split| -> Vec<(f32, Option<String>)> {
        queries
            .iter()
            .map(|(q, _)| {
                let start = Instant::now();
                let ranked = matcher.read(q, Addressing::Direct).candidates();
                let us = start.elapsed().as_secs_f64() * 1e6;
                latencies_us.push(us);
                if options.slowest > 0 {
                    slow.push((us, q.clone()));
                }
                ranked
                    .first()
                    .map_or((0.0, None), |c| (c.score, Some(c.id.clone())))
            })
            .collect()
    };
    let (test_in, test_oos) = (timed(&test), timed(&oos_test));
    latencies_us.sort_by(f64::total_cmp);
    slow.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (us, q) in slow.iter().take(options.slowest) {
        eprintln!("slow: {us:.0} us  {q}");
    }
    let top1 = figures(&test, &test_in, &test_oos, f32::NEG_INFINITY).accuracy;
    let f = figures(&test, &test_in, &test_oos, threshold);
    let scores_in: Vec<f32> = test_in.iter().map(|(s, _)| *s).collect();
    let scores_oos: Vec<f32> = test_oos.iter().map(|(s, _)| *s).collect();
    let area = auroc(&scores_in, &scores_oos);
    let k = options.k.map_or("all".to_owned(), |k| k.to_string());
    let (p50, p99) = (
        percentile(&latencies_us, 0.5),
        percentile(&latencies_us, 0.99),
    );
    let mean = latencies_us.iter().sum::<f64>() / latencies_us.len() as f64;

    if options.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "k": k, "entries": matcher.len(), "questions": n_questions,
                "top1_accuracy": top1, "threshold": threshold,
                "in_scope_accuracy": f.accuracy, "oos_recall": f.recall,
                "balanced": f64::midpoint(f.accuracy, f.recall), "auroc": area,
                "latency_us": {"mean": mean, "p50": p50, "p99": p99},
                "index_build_ms": build_ms, "val_balanced": val_balanced,
                "tuning": {"k1": options.tuning.k1, "b": options.tuning.b, "stop_word_weight": options.tuning.stop_word_weight, "weights": options.tuning.weights},
            }))?
        );
    } else {
        println!(
            "CLINC150 K={k}: {} entries, {n_questions} questions, index built in {build_ms:.0} ms",
            matcher.len()
        );
        println!(
            "threshold (tuned on val): {threshold:.4} (val balanced {:.1}; tune on this, not test)",
            val_balanced * 100.0
        );
        println!("top-1 acc, never abstain: {:.1}", top1 * 100.0);
        println!("in-scope acc:             {:.1}", f.accuracy * 100.0);
        println!("OOS recall:               {:.1}", f.recall * 100.0);
        println!(
            "balanced (acc+recall)/2:  {:.1}",
            f64::midpoint(f.accuracy, f.recall) * 100.0
        );
        println!("AUROC in vs OOS:          {area:.3}");
        println!("latency per query (us):   mean {mean:.1}, p50 {p50:.1}, p99 {p99:.1}");
    }
    Ok(())
}
