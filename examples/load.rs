//! Load bench of the Discord bot: the release `faqbot run` as a child process, connected to the
//! fake Discord (`tests/support/fake_discord.rs`) served by this process on 127.0.0.1, fed
//! 10 000 questions through the fake gateway. Reports replies per second, message-to-reply
//! latency (from the fake handing the `MESSAGE_CREATE` to its websocket writer to the reply's
//! `POST` arriving at the fake) p50/p99/max, and the bot process's peak RSS (`VmHWM`).
//!
//! ```sh
//! cargo build --release && cargo run --release --example load               # paced, 2000/s
//! cargo run --release --example load -- --rate 0                            # all at once
//! cargo run --release --example load -- --rate 1000 --rest-delay-ms 100     # a slow Discord
//! cargo run --release --example load -- --rate 1000 --rest-delay-ms 2000    # Discord in trouble
//! ```
//!
//! With `--rest-delay-ms`, the fake holds every reply's `POST` that long before answering it
//! (a slow Discord or proxy), and the latency is measured to the answer instead of the arrival.
//!
//! The questions are the FAQ's own phrasings and some out-of-scope sentences, half as
//! mentions in a server channel and half as DMs, each from its own user (so the per-user
//! cooldown, left at its default, never holds a reply back; `--same-user --cooldown 0` sends
//! them all from one person with the cooldown off). Every one of them gets a reply (an answer,
//! a "did you mean" or the fallback), so every message has a latency. The bot logs at info
//! (one JSON line per question, to a file) and writes the question log, as in production.

#[path = "../tests/support/fake_discord.rs"]
mod fake_discord;

use clap::Parser;
use fake_discord::{FakeConfig, FakeDiscord, MessageSpec, Recorded, BOT_USER_ID};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Load bench of `faqbot run` against the fake Discord.
#[derive(Parser)]
struct Args {
    /// Questions to send (after the warm-up).
    #[arg(long, default_value_t = 10_000)]
    messages: usize,
    /// Messages per second offered; 0 sends them all at once (peak throughput, latency then
    /// includes the queue).
    #[arg(long, default_value_t = 2000)]
    rate: u32,
    /// Questions sent and answered before measuring.
    #[arg(long, default_value_t = 200)]
    warmup: usize,
    /// `COOLDOWN_SECONDS` of the bot (default: the bot's default).
    #[arg(long)]
    cooldown: Option<u32>,
    /// Send everything from one user (use with `--cooldown 0`).
    #[arg(long)]
    same_user: bool,
    /// The `faqbot` binary (default: the one beside this example, i.e. target/release/faqbot).
    #[arg(long)]
    bin: Option<PathBuf>,
    /// The FAQ directory.
    #[arg(long, default_value = "faq")]
    faq: PathBuf,
    /// Hold every reply's POST this long before answering it (a slow Discord); the latency is
    /// then measured to the answer.
    #[arg(long, default_value_t = 0)]
    rest_delay_ms: u64,
    /// Extra environment of the bot, `NAME=VALUE` (repeatable), e.g. `RUST_LOG=warn`.
    #[arg(long = "env", value_parser = parse_env)]
    envs: Vec<(String, String)>,
}

fn parse_env(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("expected NAME=VALUE, got {text:?}"))
}

const OUT_OF_SCOPE: [&str; 6] = [
    "what is the weather like tomorrow",
    "anyone selling a stroller?",
    "thank you so much everyone!",
    "how do I reset my router password",
    "recommend a good pizza place nearby",
    "what time does the football game start",
];

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn status_field(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn is_reply(r: &Recorded) -> bool {
    r.method == "POST" && r.path.ends_with("/messages") && r.reply_to().is_some()
}

struct Sender {
    questions: Vec<String>,
    same_user: bool,
    sent: usize,
}

impl Sender {
    fn send(&mut self, fake: &FakeDiscord) -> u64 {
        let i = self.sent;
        self.sent += 1;
        let question = &self.questions[i % self.questions.len()];
        let author = if self.same_user {
            1_200_000_000_000_000_000
        } else {
            1_200_000_000_000_000_000 + i as u64
        };
        let spec = if i % 2 == 0 {
            MessageSpec {
                author_id: author,
                mentions_bot: true,
                ..MessageSpec::guild(&format!("<@{BOT_USER_ID}> {question}"))
            }
        } else {
            MessageSpec::dm(author, question)
        };
        fake.message_create(&spec)
    }
}

#[allow(clippy::too_many_lines, reason = "a bench script, read top to bottom")]
#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let bin = match args.bin {
        Some(bin) => bin,
        None => std::env::current_exe()?
            .parent()
            .and_then(|examples| examples.parent())
            .map(|dir| dir.join("faqbot"))
            .ok_or("cannot find target/release/faqbot")?,
    };
    if !bin.exists() {
        return Err(format!(
            "{} not found: run `cargo build --release` first",
            bin.display()
        )
        .into());
    }
    let checked = faqbot::faq::load_dir(&args.faq)?;
    let mut questions: Vec<String> = Vec::new();
    for entry in checked.faq.entries() {
        questions.extend(entry.questions.iter().cloned());
    }
    // One out-of-scope sentence in every five questions.
    let in_scope = questions.len();
    for i in 0..in_scope / 4 {
        questions.insert(i * 5, OUT_OF_SCOPE[i % OUT_OF_SCOPE.len()].to_owned());
    }

    let fake = FakeDiscord::start_with(FakeConfig::default()).await;
    let dir = tempfile::tempdir()?;
    let log_file = std::fs::File::create(dir.path().join("faqbot.log"))?;
    let mut command = tokio::process::Command::new(&bin);
    command
        .arg("run")
        .arg("--faq")
        .arg(std::fs::canonicalize(&args.faq)?)
        .arg("--log-format")
        .arg("json")
        .current_dir(dir.path())
        .env_clear()
        .env("DISCORD_TOKEN", "fake-token")
        .env("DISCORD_API_PROXY", fake.base_url())
        .env("HELP_CHANNEL_IDS", "1100000000000000010")
        .env("CLINIC_NAME", "Example Pediatric Therapy")
        .env("APPOINTMENT_URL", "https://example.com/book")
        .env("APPOINTMENT_PHONE", "555-0100")
        .env("WATCH_FAQ", "false")
        .stdout(Stdio::null())
        .stderr(log_file)
        .kill_on_drop(true);
    command.envs(args.envs.iter().map(|(k, v)| (k, v)));
    if let Some(cooldown) = args.cooldown {
        command.env("COOLDOWN_SECONDS", cooldown.to_string());
    }
    let mut child = command.spawn()?;
    let pid = child.id().ok_or("no pid")?;
    if !fake.wait_ready(Duration::from_secs(30)).await {
        return Err("the bot never got READY".into());
    }
    let rss_ready = status_field(pid, "VmRSS:").unwrap_or(0);

    let mut sender = Sender {
        questions,
        same_user: args.same_user,
        sent: 0,
    };
    for _ in 0..args.warmup {
        sender.send(&fake);
    }
    let warm = fake
        .wait_for_count(is_reply, args.warmup, Duration::from_secs(60))
        .await;
    if warm < args.warmup {
        return Err(format!("warm-up: {warm} of {} replies", args.warmup).into());
    }
    fake.clear_requests();
    let rest_delay = Duration::from_millis(args.rest_delay_ms);
    if !rest_delay.is_zero() {
        // Every reply: mentions and DMs alike, from now on.
        fake.delay_next("POST", "/channels/", rest_delay, u32::MAX);
    }

    let n = args.messages;
    let started = Instant::now();
    let mut ids = Vec::with_capacity(n);
    if args.rate == 0 {
        for _ in 0..n {
            ids.push(sender.send(&fake));
        }
    } else {
        let per_sec = f64::from(args.rate);
        while ids.len() < n {
            let due = ((started.elapsed().as_secs_f64() * per_sec) as usize + 1).min(n);
            while ids.len() < due {
                ids.push(sender.send(&fake));
            }
            tokio::time::sleep(Duration::from_micros(500)).await;
        }
    }
    let send_time = started.elapsed();
    let replies = fake
        .wait_for_count(is_reply, n, Duration::from_secs(120))
        .await;
    let requests = fake.requests();
    let mut last = started;
    let mut latencies = Vec::with_capacity(n);
    let mut failed = 0;
    for r in requests.iter().filter(|r| is_reply(r)) {
        if r.status != 200 {
            failed += 1;
        }
        let done = if rest_delay.is_zero() {
            r.at
        } else {
            r.answered
        };
        last = last.max(done);
        if let Some(sent) = r.reply_to().and_then(|id| fake.sent_at(id)) {
            latencies.push(done.saturating_duration_since(sent));
        }
    }
    latencies.sort_unstable();
    let elapsed = last.duration_since(started);
    let peak_rss = status_field(pid, "VmHWM:").unwrap_or(0);
    let rss_end = status_field(pid, "VmRSS:").unwrap_or(0);

    let kill = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()?;
    let status = tokio::time::timeout(Duration::from_secs(15), fake.nudge_during(child.wait()))
        .await
        .map_err(|_| "the bot did not stop on SIGTERM")??;

    let rate = replies as f64 / elapsed.as_secs_f64();
    println!(
        "faqbot load bench ({} in release, {} CPUs)",
        bin.display(),
        std::thread::available_parallelism().map_or(0, usize::from)
    );
    println!(
        "  offered: {n} questions {} ({} warm-up first), sent in {:.2} s",
        if args.rate == 0 {
            "all at once".to_owned()
        } else {
            format!("at {}/s", args.rate)
        },
        args.warmup,
        send_time.as_secs_f64()
    );
    if !rest_delay.is_zero() {
        println!(
            "  Discord holds each reply {} ms (latency measured to its answer)",
            rest_delay.as_millis()
        );
    }
    println!(
        "  replies: {replies} of {n} ({failed} failed) in {:.2} s = {rate:.0} replies/s",
        elapsed.as_secs_f64()
    );
    println!(
        "  latency message -> reply: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        percentile(&latencies, 0.50).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1000.0
    );
    println!(
        "  bot RSS: {:.1} MB after READY, {:.1} MB at the end, peak {:.1} MB (VmHWM)",
        rss_ready as f64 / 1024.0,
        rss_end as f64 / 1024.0,
        peak_rss as f64 / 1024.0
    );
    println!(
        "  shutdown on SIGTERM: {} (kill {})",
        status,
        if kill.success() { "ok" } else { "failed" }
    );
    if replies < n || failed > 0 || !status.success() {
        return Err("the bot did not answer every question cleanly".into());
    }
    Ok(())
}
