//! The `faqbot` command: parses arguments, loads configuration, calls the library, prints.

use anyhow::{bail, Context, Result};
use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use faqbot::cli::Terminal;
use faqbot::discord::{BotConfig, RunError};
use faqbot::eval::{self, Summary};
use faqbot::faq::FaqError;
use faqbot::knowledge::Knowledge;
use faqbot::matcher::MatchConfig;
use faqbot::reply::Clinic;
use faqbot::store::{self, LogConfig, Origin, QuestionLog, QuestionRecord};
use faqbot::{cli, config};
use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// mimalloc rather than the system's allocator: reading a message allocates a few hundred
/// words and lists, and glibc's malloc, free and realloc were 18% of a long message's
/// instructions (the matcher bench and `examples/profile.rs` use it too).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The question log the bot writes, and `--log` and `report` use, unless `QUESTION_LOG_PATH`
/// or `--db` says otherwise.
const DEFAULT_DB: &str = faqbot::discord::config::DEFAULT_QUESTION_LOG_PATH;
/// The cases file `check` summarises when the FAQ folder has one.
const CASES_FILE: &str = "cases.toml";

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
        /// The question, as a parent would type it (quotes optional: the words are joined).
        #[arg(required = true, num_args = 1.., value_name = "QUESTION")]
        question: Vec<String>,
        /// Print JSON: outcome, id, score, candidates, reply.
        #[arg(long)]
        json: bool,
        /// Show the top candidates, their scores and the words that matched.
        #[arg(long)]
        explain: bool,
        #[command(flatten)]
        log: LogArgs,
    },
    /// Answer questions from standard input, one per line.
    Chat {
        /// Show the explanation after each reply.
        #[arg(long)]
        explain: bool,
        /// Print one JSON object per line (JSON Lines), each with its question.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        log: LogArgs,
    },
    /// Load and check the FAQ directory; report every problem.
    Check {
        /// Also list the sources the entries name, with how many entries name each.
        #[arg(long, short)]
        verbose: bool,
    },
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
        /// Also draw the questions per day by outcome as a PNG chart to FILE (the weekly
        /// digest's picture).
        #[arg(long, value_name = "FILE")]
        png: Option<PathBuf>,
    },
}

/// `--log` of `ask` and `chat`.
#[derive(clap::Args)]
struct LogArgs {
    /// Write each question to the question log as the bot does (then see `faqbot report`).
    #[arg(long)]
    log: bool,
    /// The question log for --log.
    #[arg(long, env = "QUESTION_LOG_PATH", default_value = DEFAULT_DB, requires = "log")]
    db: PathBuf,
}

impl LogArgs {
    /// The question log to write to, or a disabled one without `--log`.
    fn open(&self) -> Result<QuestionLog> {
        if !self.log {
            return Ok(QuestionLog::disabled());
        }
        // The store's error already names the file.
        Ok(QuestionLog::open(&LogConfig::new(&self.db))?)
    }
}

/// Seconds in "7d", "24h", "2w" or "90m".
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

/// Where the FAQ directory comes from, for messages when it is not there.
#[derive(Clone, Copy)]
enum FaqFrom {
    /// `--faq DIR`.
    Flag,
    /// `FAQ_DIR` (environment or `.env`).
    Env,
    /// The default `faq`, relative to the working directory.
    Default,
}

/// The FAQ directory, or an error that names the directory looked in and how to point
/// elsewhere: a binary installed with `cargo install` runs from anywhere.
fn faq_dir(dir: &Path, from: FaqFrom) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let shown = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let how = match from {
        FaqFrom::Flag => "given with --faq".to_owned(),
        FaqFrom::Env => "from FAQ_DIR".to_owned(),
        FaqFrom::Default => "the default `faq`, in the working directory".to_owned(),
    };
    let what = if dir.exists() {
        "is not a directory"
    } else {
        "does not exist"
    };
    bail!(
        "no FAQ directory: {} ({how}) {what}; run faqbot from the folder that holds faq/, or pass --faq DIR or set FAQ_DIR",
        shown.display()
    )
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
/// set (a fresh clone), the example values of `.env.example` (in the working directory, or
/// beside the FAQ folder), said on standard error.
fn terminal_clinic(faq: &Path) -> Result<Clinic> {
    match config::clinic(&env) {
        Ok(clinic) => Ok(clinic),
        Err(config::ConfigError::Missing { names })
            if names.len() == config::CLINIC_VARIABLES.len() =>
        {
            let beside_faq = std::path::absolute(faq)
                .ok()
                .and_then(|dir| dir.parent().map(|parent| parent.join(".env.example")));
            let candidates: Vec<PathBuf> = std::iter::once(PathBuf::from(".env.example"))
                .chain(beside_faq)
                .collect();
            let Some(example) = candidates.iter().find(|path| path.is_file()) else {
                let cwd = std::env::current_dir().unwrap_or_default();
                bail!(
                    "no clinic details: {} are not set, and there is no .env or .env.example in {}; \
                     set them in the environment or in a .env file there (see .env.example in faqbot's repository)",
                    config::CLINIC_VARIABLES.join(", "),
                    cwd.display()
                );
            };
            let pairs: Vec<(String, String)> = dotenvy::from_path_iter(example)
                .and_then(Iterator::collect)
                .with_context(|| format!("cannot read {}", example.display()))?;
            eprintln!(
                "note: no .env: using the example clinic details of {} (copy it to .env and edit it)",
                example.display()
            );
            let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
            Ok(config::clinic(&get)?)
        }
        Err(e) => Err(e.into()),
    }
}

/// How standard output shows replies: rendered for a terminal, or plain for a pipe.
fn terminal() -> Terminal {
    if std::io::stdout().is_terminal() {
        Terminal {
            bold: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
            width: Some(textwrap::termwidth()),
        }
    } else {
        Terminal::PLAIN
    }
}

/// Logs one terminal question as the bot logs a question asked to it directly.
fn log_question(log: &QuestionLog, question: &str, decision: &faqbot::matcher::Decision) {
    let (entry, score) = decision
        .best()
        .map_or((None, 0.0), |c| (Some(c.id.clone()), c.score));
    log.log(QuestionRecord::now(
        Origin::DirectMessage,
        question,
        faqbot::discord::outcome_of(decision),
        entry,
        score,
    ));
}

/// Closes the question log of `--log`, saying where the questions went.
fn close_log(log: QuestionLog, args: &LogArgs, count: usize) -> Result<()> {
    if args.log {
        log.close().context("cannot close the question log")?;
        eprintln!(
            "logged {count} question(s) to {} (see `faqbot report --db {}`)",
            args.db.display(),
            args.db.display()
        );
    }
    Ok(())
}

/// `faqbot chat`: one reply per line of standard input. A line that is not UTF-8 is skipped
/// with a note naming it, and the lines after it are answered.
fn chat(
    knowledge: &Knowledge,
    clinic: &Clinic,
    explain: bool,
    json: bool,
    log_args: &LogArgs,
) -> Result<()> {
    let log = log_args.open()?;
    let term = terminal();
    let interactive = std::io::stdin().is_terminal();
    if interactive {
        eprintln!("Ask a question (one per line; Ctrl-D to quit).");
    }
    let prompt = || {
        if interactive && !json {
            eprint!("> ");
        }
    };
    let separator = match term.width {
        Some(width) => format!("{}\n", "─".repeat(width.min(72))),
        None => "\n".to_owned(),
    };
    let mut input = std::io::stdin().lock();
    let mut buffer = Vec::new();
    let (mut number, mut count) = (0usize, 0usize);
    prompt();
    loop {
        buffer.clear();
        if input
            .read_until(b'\n', &mut buffer)
            .context("cannot read standard input")?
            == 0
        {
            break;
        }
        number += 1;
        let Ok(line) = std::str::from_utf8(&buffer) else {
            eprintln!("line {number} skipped: it is not UTF-8 text");
            prompt();
            continue;
        };
        let question = line.trim();
        if question.is_empty() {
            prompt();
            continue;
        }
        count += 1;
        let (decision, _) = cli::ranked(knowledge, question);
        log_question(&log, question, &decision);
        if json {
            let mut value = cli::ask_json(knowledge, clinic, question, explain);
            value["question"] = serde_json::Value::from(question);
            out(&format!("{}\n", serde_json::to_string(&value)?))?;
        } else {
            let echo = if interactive {
                String::new()
            } else {
                format!("> {question}\n\n")
            };
            let reply = cli::ask_text(knowledge, clinic, question, explain, term);
            out(&format!("{echo}{reply}{separator}"))?;
        }
        prompt();
    }
    if interactive {
        eprintln!();
    }
    close_log(log, log_args, count)
}

/// `faqbot check`: every problem, the summary line, files in subfolders that are not loaded,
/// the quality on the FAQ folder's own cases file, and with `--verbose` the sources in use.
fn check(dir: &Path, match_config: MatchConfig, verbose: bool) -> Result<ExitCode> {
    let unloaded = faqbot::faq::unloaded_subfolders(dir);
    match faqbot::faq::load_dir(dir) {
        Ok(checked) => {
            let mut warnings = checked.warnings;
            warnings.extend(unloaded);
            out(&cli::problems_text(&warnings, Some(checked.faq.len())))?;
            if verbose {
                out(&cli::sources_text(&checked.faq))?;
            }
            let cases_path = dir.join(CASES_FILE);
            if cases_path.is_file() {
                let knowledge = Knowledge::new(checked.faq, match_config);
                out(&quality(&knowledge, &cases_path)?)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(FaqError::Invalid { mut problems }) => {
            problems.extend(unloaded);
            out(&cli::problems_text(&problems, None))?;
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e).context("cannot check the FAQ"),
    }
}

/// The one-line quality summary of `check` on a cases file.
fn quality(knowledge: &Knowledge, path: &Path) -> Result<String> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let cases = eval::parse_cases(&text).with_context(|| format!("in {}", path.display()))?;
    if let Err(e) = eval::check_ids(knowledge, &cases) {
        return Ok(format!(
            "warning: {}: {e} (no quality figures)\n",
            path.display()
        ));
    }
    let summary = eval::evaluate(knowledge, &cases);
    Ok(cli::quality_line(&path.display().to_string(), &summary))
}

/// `faqbot run`: the Discord bot until SIGINT/SIGTERM.
fn run_bot(faq: PathBuf, faq_from: FaqFrom, log_format: LogFormat) -> Result<ExitCode> {
    init_tracing(log_format);
    let config = BotConfig::from_env(&env)?;
    faq_dir(&faq, faq_from)?;
    let config = BotConfig {
        faq_dir: faq,
        ..config
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
fn report_command(
    since: u64,
    db: &Path,
    json: bool,
    cases: Option<&Path>,
    png: Option<&Path>,
) -> Result<()> {
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
    if let Some(path) = png {
        let chart = faqbot::chart::report_png(&report).context("cannot draw the chart")?;
        std::fs::write(path, chart)
            .with_context(|| format!("cannot write the chart to {}", path.display()))?;
        eprintln!(
            "wrote the chart of {} day(s) to {}",
            report.by_day.len(),
            path.display()
        );
    }
    Ok(())
}

fn run(args: Args, faq_from: FaqFrom) -> Result<ExitCode> {
    let match_config = config::match_config(&env)?;
    // `run` checks its variables first (a fresh install is missing the token), then the FAQ.
    if !matches!(args.command, Command::Report { .. } | Command::Run { .. }) {
        faq_dir(&args.faq, faq_from)?;
    }
    match args.command {
        Command::Run { log_format } => return run_bot(args.faq, faq_from, log_format),
        Command::Ask {
            question,
            json,
            explain,
            log: log_args,
        } => {
            let question = question.join(" ");
            let knowledge = load(&args.faq, match_config)?;
            let clinic = terminal_clinic(&args.faq)?;
            let log = log_args.open()?;
            let (decision, _) = cli::ranked(&knowledge, &question);
            log_question(&log, &question, &decision);
            if json {
                let json = cli::ask_json(&knowledge, &clinic, &question, explain);
                out(&format!("{}\n", serde_json::to_string_pretty(&json)?))?;
            } else {
                out(&cli::ask_text(
                    &knowledge,
                    &clinic,
                    &question,
                    explain,
                    terminal(),
                ))?;
            }
            close_log(log, &log_args, 1)?;
        }
        Command::Chat { explain, json, log } => {
            let knowledge = load(&args.faq, match_config)?;
            let clinic = terminal_clinic(&args.faq)?;
            chat(&knowledge, &clinic, explain, json, &log)?;
        }
        Command::Check { verbose } => return check(&args.faq, match_config, verbose),
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
            png,
        } => report_command(
            since,
            &db,
            json,
            unanswered_as_cases.as_deref(),
            png.as_deref(),
        )?,
    }
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    // A missing .env is normal (variables may come from the environment); a broken one is not.
    if let Err(e) = dotenvy::dotenv() {
        if !e.not_found() {
            eprintln!("error: cannot read .env: {}", cli::error_text(&e));
            return ExitCode::FAILURE;
        }
    }
    let matches = Args::command().get_matches();
    let faq_from = match matches.value_source("faq") {
        Some(ValueSource::CommandLine) => FaqFrom::Flag,
        Some(ValueSource::EnvVariable) => FaqFrom::Env,
        _ => FaqFrom::Default,
    };
    let args = match Args::from_arg_matches(&matches) {
        Ok(args) => args,
        Err(e) => e.exit(),
    };
    match run(args, faq_from) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", cli::error_text(e.as_ref()));
            ExitCode::FAILURE
        }
    }
}
