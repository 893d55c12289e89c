//! The `faqbot` command: parses arguments, loads configuration, calls the library, prints.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use faqbot::discord::{BotConfig, RunError};
use faqbot::eval::{self, Summary};
use faqbot::faq::FaqError;
use faqbot::knowledge::Knowledge;
use faqbot::matcher::MatchConfig;
use faqbot::reply::Clinic;
use faqbot::store;
use faqbot::{cli, config};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Answers parents' questions about pediatric OT and PT from the clinic's FAQ.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// The FAQ directory.
    #[arg(long, global = true, env = "FAQ_DIR", default_value = "faq")]
    faq: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the Discord bot (configuration from the environment and .env).
    Run {
        /// Log format: human-readable lines, or one JSON object per line.
        #[arg(long, value_enum, env = "LOG_FORMAT", default_value = "pretty")]
        log_format: LogFormat,
    },
    /// Answer one question as the bot would.
    Ask {
        /// The question, as a parent would type it.
        question: String,
        /// Print JSON: outcome, id, score, candidates, reply.
        #[arg(long)]
        json: bool,
        /// Show the top candidates, their scores and the words that matched.
        #[arg(long)]
        explain: bool,
    },
    /// Answer questions from standard input, one per line.
    Chat {
        /// Show the explanation after each reply.
        #[arg(long)]
        explain: bool,
    },
    /// Load and check the FAQ directory; report every problem.
    Check,
    /// Evaluate the matcher on labelled questions.
    Eval {
        /// A cases file (`[[case]]` tables with `question` and `expect`).
        cases: PathBuf,
        /// Print the figures as one JSON object.
        #[arg(long)]
        json: bool,
        /// Show the figures for a range of thresholds instead.
        #[arg(long)]
        sweep: bool,
        /// Exit 1 if in-scope accuracy is below this fraction.
        #[arg(long)]
        min_accuracy: Option<f64>,
        /// Exit 1 if out-of-scope refusal is below this fraction.
        #[arg(long)]
        min_refusal: Option<f64>,
        /// Exit 1 if the wrong-answer rate is above this fraction.
        #[arg(long)]
        max_wrong: Option<f64>,
        /// Exit 1 if help-channel silence on `expect = []` cases is below this fraction.
        #[arg(long)]
        min_silence: Option<f64>,
    },
    /// What parents asked: questions by outcome, most asked entries, unanswered questions
    /// grouped, entries voted not helpful.
    Report {
        /// How far back: e.g. 7d, 24h, 2w.
        #[arg(long, default_value = "7d", value_parser = parse_since)]
        since: u64,
        /// The question log.
        #[arg(long, env = "QUESTION_LOG_PATH", default_value = "faqbot.sqlite3")]
        db: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Also write the unanswered questions to FILE as an eval cases file.
        #[arg(long, value_name = "FILE")]
        unanswered_as_cases: Option<PathBuf>,
    },
}

/// The furthest back `--since` goes: far beyond any retention, and small enough that the
/// arithmetic on it cannot overflow.
const MAX_SINCE_DAYS: u64 = 100 * 366;

/// Seconds in "7d", "24h", "2w" or "90m", at most [`MAX_SINCE_DAYS`].
fn parse_since(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let number: u64 = number.parse().map_err(|_| {
        if number.is_empty() {
            format!("{text:?}: expected a number and a unit, e.g. 7d")
        } else {
            format!("{text:?} is too far back: at most {MAX_SINCE_DAYS}d (100 years)")
        }
    })?;
    let unit = match unit {
        "m" => 60,
        "h" => 3600,
        "d" | "" => 86_400,
        "w" => 7 * 86_400,
        other => return Err(format!("unknown unit {other:?}: use m, h, d or w")),
    };
    number
        .checked_mul(unit)
        .filter(|secs| *secs <= MAX_SINCE_DAYS * 86_400)
        .ok_or_else(|| format!("{text:?} is too far back: at most {MAX_SINCE_DAYS}d (100 years)"))
}

/// How `faqbot run` writes its logs (standard error).
#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    /// Human-readable lines.
    Pretty,
    /// One JSON object per line.
    Json,
}

/// Logs to standard error: `RUST_LOG` if set, else faqbot at info and its libraries at warn.
/// Question text is logged only at debug; the token never, whatever `RUST_LOG` says: the crates
/// that log raw frames are capped and every line is scrubbed of it (`discord::redact`).
fn init_tracing(format: LogFormat) {
    use faqbot::discord::redact;
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,faqbot=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(redact::Redacting::new(std::io::stderr));
    match format {
        LogFormat::Pretty => builder.finish().with(redact::caps()).init(),
        LogFormat::Json => builder.json().finish().with(redact::caps()).init(),
    }
}

/// Prints to standard output; a closed pipe (`faqbot ask ... | head`) is not an error.
fn out(text: &str) -> Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("cannot write to standard output")
        }
        _ => Ok(()),
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Loads the FAQ, printing every problem like `check` does when it cannot be used.
fn load(dir: &Path, config: MatchConfig) -> Result<Knowledge> {
    match Knowledge::load(dir, config) {
        Ok((knowledge, _warnings)) => Ok(knowledge),
        Err(FaqError::Invalid { problems }) => {
            eprint!("{}", cli::problems_text(&problems, None));
            bail!("fix the FAQ in {} (run `faqbot check`)", dir.display())
        }
        Err(e) => Err(e).context("cannot load the FAQ"),
    }
}

/// The clinic for the terminal commands: from the environment and `.env`, or, when none of it is
/// set (a fresh clone), the example values of `.env.example`, said on standard error.
fn terminal_clinic() -> Result<Clinic> {
    match config::clinic(&env) {
        Ok(clinic) => Ok(clinic),
        Err(config::ConfigError::Missing { .. })
            if ["CLINIC_NAME", "APPOINTMENT_URL", "APPOINTMENT_PHONE"]
                .iter()
                .all(|k| env(k).is_none()) =>
        {
            let example: Vec<(String, String)> = dotenvy::from_filename_iter(".env.example")
                .context("no clinic details: copy .env.example to .env and edit it")?
                .collect::<Result<_, _>>()
                .context("cannot read .env.example")?;
            eprintln!("note: no .env: using the example clinic details of .env.example (copy it to .env and edit it)");
            let get = |k: &str| example.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
            Ok(config::clinic(&get)?)
        }
        Err(e) => Err(e.into()),
    }
}

/// `faqbot run`: the Discord bot until SIGINT/SIGTERM.
fn run_bot(faq: PathBuf, log_format: LogFormat) -> Result<ExitCode> {
    init_tracing(log_format);
    let config = BotConfig {
        faq_dir: faq,
        ..BotConfig::from_env(&env)?
    };
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    match runtime.block_on(faqbot::discord::run(config)) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(RunError::Faq { dir, problems }) => {
            eprint!("{}", cli::problems_text(&problems, None));
            bail!("fix the FAQ in {dir} (run `faqbot check`)")
        }
        Err(e) => Err(e.into()),
    }
}

/// `faqbot eval`: figures (or a sweep) on a cases file, failing below the bar if one is given.
fn eval_command(
    knowledge: &Knowledge,
    cases_path: &Path,
    json: bool,
    sweep: bool,
    bar: eval::Bar,
) -> Result<ExitCode> {
    let text = std::fs::read_to_string(cases_path)
        .with_context(|| format!("cannot read {}", cases_path.display()))?;
    let cases = eval::parse_cases(&text).with_context(|| format!("in {}", cases_path.display()))?;
    eval::check_ids(knowledge, &cases)?;
    let ranked = eval::read_all(knowledge, &cases);
    let config = *knowledge.config();
    if sweep {
        let rows: Vec<Summary> = eval::sweep_thresholds()
            .into_iter()
            .map(|threshold| {
                eval::summarise(
                    &cases,
                    &ranked,
                    &MatchConfig {
                        threshold,
                        ..config
                    },
                )
            })
            .collect();
        if json {
            out(&format!("{}\n", serde_json::to_string_pretty(&rows)?))?;
        } else {
            out(&cli::sweep_text(&rows, config.threshold))?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let summary = eval::summarise(&cases, &ranked, &config);
    if json {
        out(&format!("{}\n", serde_json::to_string_pretty(&summary)?))?;
    } else {
        out(&cli::eval_text(&summary))?;
    }
    let failures = bar.failures(&summary);
    if failures.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("below the bar: {}", failures.join("; "));
        Ok(ExitCode::FAILURE)
    }
}

/// `faqbot report`: the moderators' report from the question log.
fn report_command(since: u64, db: &Path, json: bool, cases: Option<&Path>) -> Result<()> {
    if !db.exists() {
        bail!(
            "no question log at {} (the bot creates it when it runs; set QUESTION_LOG_PATH or --db)",
            db.display()
        );
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let since_unix = i64::try_from(now.saturating_sub(since)).unwrap_or(0);
    // Read-only: a report never creates, migrates or changes the file.
    let report = store::report_from_file(db, since_unix)
        .with_context(|| format!("cannot read the question log {}", db.display()))?;
    if json {
        out(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
    } else {
        out(&report.to_string())?;
    }
    if let Some(path) = cases {
        std::fs::write(path, report.unanswered_as_cases())
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!(
            "wrote {} unanswered question group(s) to {}",
            report.unanswered.len(),
            path.display()
        );
    }
    Ok(())
}

fn run(args: Args) -> Result<ExitCode> {
    let match_config = config::match_config(&env)?;
    match args.command {
        Command::Run { log_format } => return run_bot(args.faq, log_format),
        Command::Ask {
            question,
            json,
            explain,
        } => {
            let knowledge = load(&args.faq, match_config)?;
            let clinic = terminal_clinic()?;
            if json {
                let json = cli::ask_json(&knowledge, &clinic, &question, explain);
                out(&format!("{}\n", serde_json::to_string_pretty(&json)?))?;
            } else {
                out(&cli::ask_text(&knowledge, &clinic, &question, explain))?;
            }
        }
        Command::Chat { explain } => {
            let knowledge = load(&args.faq, match_config)?;
            let clinic = terminal_clinic()?;
            eprintln!("Ask a question (one per line; Ctrl-D to quit).");
            for line in std::io::stdin().lock().lines() {
                let line = line.context("cannot read standard input")?;
                if line.trim().is_empty() {
                    continue;
                }
                out(&format!(
                    "{}\n",
                    cli::ask_text(&knowledge, &clinic, &line, explain)
                ))?;
            }
        }
        Command::Check => match faqbot::faq::load_dir(&args.faq) {
            Ok(checked) => out(&cli::problems_text(
                &checked.warnings,
                Some(checked.faq.len()),
            ))?,
            Err(FaqError::Invalid { problems }) => {
                out(&cli::problems_text(&problems, None))?;
                return Ok(ExitCode::FAILURE);
            }
            Err(e) => return Err(e).context("cannot check the FAQ"),
        },
        Command::Eval {
            cases,
            json,
            sweep,
            min_accuracy,
            min_refusal,
            max_wrong,
            min_silence,
        } => {
            let knowledge = load(&args.faq, match_config)?;
            let bar = eval::Bar {
                min_accuracy,
                min_refusal,
                max_wrong,
                min_silence,
            };
            return eval_command(&knowledge, &cases, json, sweep, bar);
        }
        Command::Report {
            since,
            db,
            json,
            unanswered_as_cases,
        } => report_command(since, &db, json, unanswered_as_cases.as_deref())?,
    }
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    // A missing .env is normal (variables may come from the environment); a broken one is not.
    if let Err(e) = dotenvy::dotenv() {
        if !e.not_found() {
            eprintln!("error: cannot read .env: {e}");
            return ExitCode::FAILURE;
        }
    }
    let args = Args::parse();
    match run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
