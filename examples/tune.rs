//! Grid search over the matcher's tuning on a cases file (the dev set): for each setting, the
//! best threshold's figures. Tune on dev only; report on held-out data.
//!
//! ```text
//! cargo run --release --example tune -- faq ../shared/eval/parent-questions-dev.toml
//! ```

use anyhow::{Context, Result};
use faqbot::eval::{parse_cases, summarise_ranked};
use faqbot::faq::load_dir;
use faqbot::knowledge::Knowledge;
use faqbot::matcher::{MatchConfig, Tuning};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args.first().map_or("faq", String::as_str);
    let cases_path = args
        .get(1)
        .map_or("../shared/eval/parent-questions-dev.toml", String::as_str);
    let faq = load_dir(dir.as_ref())
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .faq;
    let cases = parse_cases(&std::fs::read_to_string(cases_path).context("cases")?)?;
    println!("k1    stop  weights              best-t  acc    refuse wrong  | margin-to-first-oos");
    for k1 in [0.5_f32, 0.8, 1.0, 1.2, 2.0] {
        for stop in [0.25_f32, 0.5] {
            for weights in [
                [1.0, 1.0, 1.0, 1.0],
                [1.0, 0.5, 1.0, 1.0],
                [2.0, 1.0, 1.0, 1.0],
                [1.0, 1.0, 2.0, 1.0],
                [1.0, 1.0, 1.0, 2.0],
            ] {
                let tuning = Tuning {
                    k1,
                    stop_word_weight: stop,
                    weights,
                    ..Tuning::DEFAULT
                };
                let knowledge = Knowledge::with_tuning(faq.clone(), MatchConfig::DEFAULT, tuning);
                let matcher = knowledge.matcher();
                let ranked: Vec<_> = cases.iter().map(|c| matcher.rank(&c.question)).collect();
                let mut best = None;
                for i in 5..=60 {
                    let threshold = i as f32 * 0.01;
                    let _ = &cases;
                    let s = summarise_ranked(
                        &cases,
                        &ranked,
                        &MatchConfig {
                            threshold,
                            ..MatchConfig::DEFAULT
                        },
                    );
                    let key =
                        s.in_scope_accuracy + s.out_of_scope_refusal - 2.0 * s.wrong_answer_rate;
                    if best.as_ref().is_none_or(|(k, _)| key > *k) {
                        best = Some((key, s));
                    }
                }
                // Separation: lowest in-scope right top score minus highest oos top score.
                let lowest_in = cases
                    .iter()
                    .zip(&ranked)
                    .filter(|(c, r)| {
                        !c.expect.is_empty() && r.first().is_some_and(|x| c.expect.contains(&x.id))
                    })
                    .map(|(_, r)| r[0].score)
                    .fold(f32::INFINITY, f32::min);
                let highest_oos = cases
                    .iter()
                    .zip(&ranked)
                    .filter(|(c, _)| c.expect.is_empty())
                    .map(|(_, r)| r.first().map_or(0.0, |x| x.score))
                    .fold(0.0, f32::max);
                if let Some((_, s)) = best {
                    println!(
                        "{k1:<5} {stop:<5} {weights:?} {:.2}   {:.3}  {:.3}  {:.3}  | {:.3} {:.3}",
                        s.threshold,
                        s.in_scope_accuracy,
                        s.out_of_scope_refusal,
                        s.wrong_answer_rate,
                        lowest_in,
                        highest_oos
                    );
                }
            }
        }
    }
    Ok(())
}
