//! Speed of the matching core: one question against the real FAQ and against the CLINC150
//! K=all corpus (150 entries, 15 000 questions), a long parent message read sentence by
//! sentence, the worst-case messages (issue 9), and loading the FAQ directory.
//!
//! `cargo bench --features bench --bench matcher`. After criterion's figures it prints per-call latency
//! distributions (p50/p99), since a tail is what a parent waits on: the 6-sentence message beside
//! its baselines measured in the same run (a busy loop of its median, called alternately with
//! it, whose tail is the machine's alone; its question alone; and the raw whole-message
//! ranking), the worst cases, and the CLINC150 test queries read as the bot reads them beside the
//! raw ranking.

use criterion::Criterion;
use faqbot::knowledge::Knowledge;
use faqbot::matcher::{Addressing, MatchConfig, Matcher};
use std::hint::black_box;
use std::time::Instant;

mod support;
use support::{clinc, CLINC, SIX_SENTENCES};

/// The question sentence of [`SIX_SENTENCES`] alone.
const SIX_SENTENCES_QUESTION: &str =
    "Would occupational therapy help with her fine motor skills, or is it too early to tell?";

/// The longest message Discord sends (Nitro).
const DISCORD_MAX: usize = 4000;

/// `n` pseudo-random items from `pick` (a fixed linear congruential sequence: the same message
/// in every run).
fn sequence(n: usize, mut pick: impl FnMut(u32) -> char) -> String {
    let mut state: u32 = 0x2545_f491;
    (0..n)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            pick(state >> 8)
        })
        .collect()
}

/// Repeats `piece` up to `DISCORD_MAX` characters.
fn repeated(piece: &str) -> String {
    piece.chars().cycle().take(DISCORD_MAX).collect()
}

/// The messages that cost the most per character (issue 9), each `DISCORD_MAX` characters.
fn worst_cases() -> Vec<(&'static str, String)> {
    vec![
        (
            "4000 letters without a space",
            sequence(DISCORD_MAX, |r| char::from(b'a' + (r % 26) as u8)),
        ),
        (
            "4000 CJK chars",
            sequence(DISCORD_MAX, |r| {
                char::from_u32(0x4e00 + r % 0x5000).unwrap_or('\u{4e00}')
            }),
        ),
        (
            "4000 chars of asking sentences",
            repeated("how do i help my son with walking? "),
        ),
        (
            "4000 chars of long misspelled words",
            repeated(
                "ocupationnal physiotherrapy developmentaly incomprehensibilitties \
                 sensorry proccessing dissorderr rehabilitaton ",
            ),
        ),
    ]
}

fn benches(c: &mut Criterion, knowledge: &Knowledge, clinc: Option<&(Matcher, Vec<String>)>) {
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

    let mut long = c.benchmark_group("faq: 6-sentence message");
    long.bench_function("answer, help channel", |b| {
        b.iter(|| black_box(knowledge.answer(SIX_SENTENCES, Addressing::HelpChannel)));
    });
    long.bench_function("baseline: its question alone, help channel", |b| {
        b.iter(|| black_box(knowledge.answer(SIX_SENTENCES_QUESTION, Addressing::HelpChannel)));
    });
    long.bench_function("baseline: rank the whole message", |b| {
        b.iter(|| black_box(knowledge.matcher().rank(SIX_SENTENCES)));
    });
    long.finish();

    let mut worst = c.benchmark_group("faq: worst case");
    for (name, message) in worst_cases() {
        worst.bench_function(name, |b| {
            b.iter(|| black_box(knowledge.answer(&message, Addressing::HelpChannel)));
        });
    }
    worst.finish();

    if let Some((matcher, queries)) = clinc {
        c.bench_function("clinc150 K=all: rank one query", |b| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % queries.len();
                black_box(matcher.rank(&queries[i]))
            });
        });
        c.bench_function("clinc150 K=all: read one query", |b| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % queries.len();
                black_box(matcher.read(&queries[i], Addressing::Direct))
            });
        });
    } else {
        eprintln!("{CLINC} not read: CLINC150 benches skipped");
    }
}

/// Per-call latencies in microseconds, sorted.
struct Distribution(Vec<f64>);

impl Distribution {
    fn new(mut us: Vec<f64>) -> Self {
        us.sort_by(f64::total_cmp);
        Distribution(us)
    }

    /// The `p` quantile (0..=1); 0 for no calls.
    fn at(&self, p: f64) -> f64 {
        let last = self.0.len().saturating_sub(1);
        self.0
            .get((last as f64 * p).round() as usize)
            .copied()
            .unwrap_or(0.0)
    }

    fn print(&self, label: &str) {
        println!(
            "{label}: {} calls: p50 {:.1} us, p90 {:.1} us, p99 {:.1} us, max {:.1} us",
            self.0.len(),
            self.at(0.5),
            self.at(0.9),
            self.at(0.99),
            self.at(1.0)
        );
    }
}

/// Microseconds `run` takes, one call.
fn timed(run: impl FnOnce()) -> f64 {
    let start = Instant::now();
    run();
    start.elapsed().as_secs_f64() * 1e6
}

/// Times `run` on every input `rounds` times, one call at a time, after a warm-up.
fn distribution<T>(inputs: &[T], rounds: usize, mut run: impl FnMut(&T)) -> Distribution {
    for input in inputs.iter().cycle().take(inputs.len().clamp(50, 500)) {
        run(input);
    }
    let mut us: Vec<f64> = Vec::with_capacity(inputs.len() * rounds);
    for _ in 0..rounds {
        for input in inputs {
            us.push(timed(|| run(input)));
        }
    }
    Distribution::new(us)
}

/// Prints the distribution of `run` on every input, `rounds` times.
fn percentiles<T>(label: &str, inputs: &[T], rounds: usize, run: impl FnMut(&T)) {
    distribution(inputs, rounds, run).print(label);
}

/// A loop of `steps` dependent multiply-adds: work that neither allocates nor reads memory,
/// whose time is the machine's alone.
fn busy(steps: u64) -> u64 {
    let mut x: u64 = 1;
    for i in 0..steps {
        x = black_box(x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(i));
    }
    x
}

/// The machine's own tail for a call of `run`'s length: `run` and a [`busy`] loop of the same
/// median, called alternately `rounds` times so that both meet the same interruptions (this
/// machine's timer ticks and neighbours stop a thread for tens of microseconds, hundreds of
/// times a second), printed one under the other. A `run` whose p99 is the loop's adds no tail
/// of its own.
fn beside_busy_loop(label: &str, rounds: usize, mut run: impl FnMut()) {
    // The loop's length, from short loops alternating with the calls (the machine's speed
    // drifts from minute to minute, so both are timed under the same conditions).
    let probe = 20_000;
    let (calls, probes) = alternately(rounds / 10, &mut run, || {
        black_box(busy(probe));
    });
    let steps = (probe as f64 * calls.at(0.5) / probes.at(0.5)).round() as u64;
    let (calls, loops) = alternately(rounds, &mut run, || {
        black_box(busy(steps));
    });
    calls.print(label);
    loops.print("  baseline: a busy loop of its median, alternating with it");
}

/// `a` and `b` called alternately `rounds` times, after a warm-up.
fn alternately(
    rounds: usize,
    mut a: impl FnMut(),
    mut b: impl FnMut(),
) -> (Distribution, Distribution) {
    for _ in 0..rounds.clamp(10, 100) {
        a();
        b();
    }
    let (mut of_a, mut of_b) = (Vec::with_capacity(rounds), Vec::with_capacity(rounds));
    for _ in 0..rounds {
        of_a.push(timed(&mut a));
        of_b.push(timed(&mut b));
    }
    (Distribution::new(of_a), Distribution::new(of_b))
}

fn distributions(knowledge: &Knowledge, clinc: Option<&(Matcher, Vec<String>)>) {
    let one = [()];
    beside_busy_loop("6-sentence message, answer (help channel)", 5000, || {
        black_box(knowledge.answer(SIX_SENTENCES, Addressing::HelpChannel));
    });
    percentiles("  baseline: its question alone", &one, 5000, |()| {
        black_box(knowledge.answer(SIX_SENTENCES_QUESTION, Addressing::HelpChannel));
    });
    percentiles("  baseline: rank the whole message", &one, 5000, |()| {
        black_box(knowledge.matcher().rank(SIX_SENTENCES));
    });
    for (name, message) in worst_cases() {
        percentiles(&format!("worst case: {name}"), &one, 200, |()| {
            black_box(knowledge.answer(&message, Addressing::HelpChannel));
        });
    }
    if let Some((matcher, queries)) = clinc {
        percentiles("clinc150 K=all per query, read (Direct)", queries, 3, |q| {
            black_box(matcher.read(q, Addressing::Direct));
        });
        percentiles("clinc150 K=all per query, rank", queries, 3, |q| {
            black_box(matcher.rank(q));
        });
    }
}

fn main() {
    let (knowledge, _) = Knowledge::load("faq".as_ref(), MatchConfig::DEFAULT).expect("faq/ loads");
    let clinc = match clinc() {
        Ok(clinc) => Some(clinc),
        Err(error) => {
            eprintln!("{error:#}");
            None
        }
    };
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion, &knowledge, clinc.as_ref());
    criterion.final_summary();
    distributions(&knowledge, clinc.as_ref());
}
