//! Starting, running and stopping the bot.
//!
//! [`start`] loads and checks the FAQ, opens the question log, connects to Discord (through
//! `DISCORD_API_PROXY` if set) and returns a running [`Bot`]; [`run`] is `start` plus waiting for
//! SIGINT/SIGTERM, then [`Bot::shutdown`]: stop the shards (no new events), let the replies in
//! flight finish (at most [`SHUTDOWN_GRACE`]), close the question log.

use super::admission::{Admission, Matching, MAX_EVENTS_OUTSTANDING};
use super::config::{BotConfig, ShardSpec};
use super::cooldown::Cooldown;
use super::render::{limits, split_text, Rendered};
use super::rest::Rest;
use super::{commands, handler, Data, Error};
use crate::editor::FaqEditor;
use crate::faq::{FaqError, Problem};
use crate::knowledge::Knowledge;
use crate::live::{self, FaqWatcher, ReloadOutcome, SharedKnowledge};
use crate::store::QuestionLog;
use arc_swap::ArcSwap;
use poise::serenity_prelude::{
    self as serenity, ChannelId, ClientBuilder, GatewayIntents, GuildId, HttpBuilder, ShardManager,
};
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tracing::{info, warn};

/// How long shutdown waits for each step (shards to close, replies in flight to finish).
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// How often rows past retention are deleted from the question log.
const RETENTION_INTERVAL: Duration = Duration::from_secs(24 * 60 * 60);

/// The gateway intents: server and DM messages with their text (the privileged Message Content
/// intent), and servers (for the channels and threads in the cache).
#[must_use]
pub fn intents() -> GatewayIntents {
    GatewayIntents::GUILDS
        | GatewayIntents::GUILD_MESSAGES
        | GatewayIntents::DIRECT_MESSAGES
        | GatewayIntents::MESSAGE_CONTENT
}

/// Why the bot could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The FAQ has errors.
    #[error("the FAQ in {dir} has {} error(s); run `faqbot check` for the list", problems.len())]
    Faq {
        /// The FAQ directory.
        dir: String,
        /// Every problem.
        problems: Vec<Problem>,
    },
    /// The FAQ directory cannot be read.
    #[error("cannot load the FAQ: {0}")]
    FaqUnreadable(#[source] FaqError),
    /// The Discord client could not be built.
    #[error("cannot set up the Discord client: {0}")]
    Client(#[source] Box<serenity::Error>),
    /// Discord refused or lost the connection for good.
    #[error("{}", gateway_hint(.0))]
    Gateway(#[source] Box<serenity::Error>),
    /// The signal handlers could not be installed.
    #[error("cannot listen for shutdown signals: {0}")]
    Signal(#[source] std::io::Error),
}

/// The gateway error, with what to do about the usual ones.
fn gateway_hint(error: &serenity::Error) -> String {
    use serenity::GatewayError as G;
    match error {
        serenity::Error::Gateway(G::InvalidAuthentication) => {
            "Discord refused the bot token: check DISCORD_TOKEN (Developer Portal, Bot, Reset Token)"
                .to_owned()
        }
        serenity::Error::Gateway(G::DisallowedGatewayIntents | G::InvalidGatewayIntents) => {
            "Discord refused the intents: turn on the Message Content intent (Developer Portal, \
             Bot, Privileged Gateway Intents); see the README's Discord setup"
                .to_owned()
        }
        other => format!("Discord connection failed: {other}"),
    }
}

/// Counts the events being handled, so shutdown can wait for the replies in flight.
#[derive(Debug, Clone, Default)]
pub struct InFlight(Arc<InFlightInner>);

#[derive(Debug, Default)]
struct InFlightInner {
    count: AtomicUsize,
    idle: Notify,
}

/// Held while one event is handled.
#[derive(Debug)]
pub struct InFlightGuard(Arc<InFlightInner>);

impl InFlight {
    /// Marks one event as being handled until the guard is dropped.
    #[must_use]
    pub fn enter(&self) -> InFlightGuard {
        self.0.count.fetch_add(1, Ordering::SeqCst);
        InFlightGuard(Arc::clone(&self.0))
    }

    /// Events being handled now.
    #[must_use]
    pub fn count(&self) -> usize {
        self.0.count.load(Ordering::SeqCst)
    }

    /// Waits until no event is being handled, at most `timeout`; returns whether it got there.
    pub async fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let mut idle = pin!(self.0.idle.notified());
            idle.as_mut().enable();
            if self.count() == 0 {
                return true;
            }
            if tokio::time::timeout_at(deadline, idle).await.is_err() {
                return self.count() == 0;
            }
        }
    }
}

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        if self.0.count.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

/// poise's framework, with every event counted in [`InFlight`] while it is handled, and the
/// messages and interactions bounded by [`Admission`] (shed past
/// [`MAX_EVENTS_OUTSTANDING`](super::admission::MAX_EVENTS_OUTSTANDING)).
struct Tracked {
    inner: poise::Framework<Data, Error>,
    in_flight: InFlight,
    admission: Admission,
}

#[serenity::async_trait]
impl serenity::Framework for Tracked {
    async fn init(&mut self, client: &serenity::Client) {
        self.inner.init(client).await;
    }

    async fn dispatch(&self, ctx: serenity::Context, event: serenity::FullEvent) {
        // Only what parents and moderators send is bounded: READY (poise's setup), resumes and
        // the cache updates are few and must never be shed.
        let bounded = matches!(
            event,
            serenity::FullEvent::Message { .. } | serenity::FullEvent::InteractionCreate { .. }
        );
        let _place = if bounded {
            let Some(place) = self.admission.admit() else {
                return;
            };
            Some(place)
        } else {
            None
        };
        let _busy = self.in_flight.enter();
        self.inner.dispatch(ctx, event).await;
    }
}

/// A running bot.
pub struct Bot {
    shard_manager: Arc<ShardManager>,
    client: Option<JoinHandle<Result<(), serenity::Error>>>,
    in_flight: InFlight,
    log: QuestionLog,
    knowledge: SharedKnowledge,
    watcher: Option<FaqWatcher>,
    retention: JoinHandle<()>,
    digest: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Bot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bot")
            .field("in_flight", &self.in_flight.count())
            .field("log", &self.log)
            .finish_non_exhaustive()
    }
}

/// Loads the FAQ, failing with every problem listed.
fn load_faq(config: &BotConfig) -> Result<Knowledge, RunError> {
    match Knowledge::load(&config.faq_dir, config.match_config) {
        Ok((knowledge, warnings)) => {
            for warning in &warnings {
                warn!("FAQ: {warning}");
            }
            info!(
                entries = knowledge.faq().len(),
                dir = %config.faq_dir.display(),
                "FAQ loaded"
            );
            Ok(knowledge)
        }
        Err(FaqError::Invalid { problems }) => Err(RunError::Faq {
            dir: config.faq_dir.display().to_string(),
            problems,
        }),
        Err(e) => Err(RunError::FaqUnreadable(e)),
    }
}

/// Opens the question log; if the file cannot be opened now, the log keeps trying in the
/// background (warned, and logged when it opens). Runs without one only if no writer can start.
fn open_log(config: &BotConfig) -> QuestionLog {
    match QuestionLog::open_retrying(&config.question_log) {
        Ok(log) if !log.is_open() => log,
        Ok(log) => {
            info!(
                path = %config.question_log.path.display(),
                text = config.question_log.log_question_text,
                retention_days = ?config.question_log.retention_days,
                "question log open"
            );
            log
        }
        Err(e) => {
            warn!(
                error = %e,
                path = %config.question_log.path.display(),
                "question log disabled: cannot open it"
            );
            QuestionLog::disabled()
        }
    }
}

/// Posts `text` to the moderators' log channel, split to fit, waiting out rate limits;
/// failures are logged.
async fn post_to_mod_log(rest: &Rest, channel: ChannelId, text: &str) {
    for piece in split_text(text, limits::CONTENT) {
        if let Err(e) = rest
            .send_message(channel, Rendered::text(piece).into_message())
            .await
        {
            warn!(error = %e, %channel, "could not post to the moderator log channel");
            return;
        }
    }
}

/// Registers the commands in `guild` (at once) or globally (Discord may take a while to show
/// them); a failure is logged and the bot keeps running without fresh registrations.
async fn register_commands(
    http: Arc<serenity::Http>,
    guild: Option<GuildId>,
    commands: Vec<serenity::CreateCommand>,
) {
    let result = match guild {
        Some(guild) => guild.set_commands(&http, commands).await.map(|c| c.len()),
        None => serenity::Command::set_global_commands(&http, commands)
            .await
            .map(|c| c.len()),
    };
    match result {
        Ok(count) => info!(count, guild = ?guild.map(GuildId::get), "commands registered"),
        Err(e) => warn!(error = %e, "could not register the commands"),
    }
}

/// Starts the FAQ watch (if configured): each reload is logged, and a refused edit is also
/// posted to the moderator log channel.
fn watch_faq(config: &BotConfig, knowledge: &SharedKnowledge, rest: Rest) -> Option<FaqWatcher> {
    if !config.watch_faq {
        return None;
    }
    let runtime = tokio::runtime::Handle::current();
    let mod_log = config.mod_log_channel;
    let on_outcome = move |outcome: &ReloadOutcome| {
        if outcome.is_reloaded() {
            info!("FAQ changed on disk: {outcome}");
            return;
        }
        warn!("FAQ changed on disk: {outcome}");
        if let Some(channel) = mod_log {
            let rest = rest.clone();
            let text = outcome.to_string();
            runtime.spawn(async move { post_to_mod_log(&rest, channel, &text).await });
        }
    };
    match live::watch(
        Arc::clone(knowledge),
        config.faq_dir.clone(),
        config.match_config,
        on_outcome,
    ) {
        Ok(watcher) => Some(watcher),
        Err(e) => {
            warn!(error = %e, "not watching the FAQ for changes (use /faq reload)");
            None
        }
    }
}

/// serenity's HTTP client, and with `DISCORD_API_PROXY` the reqwest client it runs on.
///
/// serenity 0.12.5 applies the proxy only without its own rate limiter: with a proxy, rate
/// limits are the proxy's job (as with twilight-http-proxy), and the 429s it passes on are
/// retried by [`Rest`] (replies, interaction responses, the moderators' channel), on the
/// same client.
fn build_http(config: &BotConfig) -> Result<(serenity::Http, Option<reqwest::Client>), RunError> {
    let http = HttpBuilder::new(config.token.expose());
    let Some(proxy) = &config.api_proxy else {
        return Ok((http.build(), None));
    };
    let client = reqwest::Client::builder()
        .build()
        .map_err(|e| RunError::Client(Box::new(e.into())))?;
    info!(proxy = %proxy, "REST calls go through the proxy");
    let http = http
        .proxy(proxy.as_str())
        .ratelimiter_disabled(true)
        .client(client.clone())
        .build();
    Ok((http, Some(client)))
}

/// Applies the question log's retention every [`RETENTION_INTERVAL`] (`open` has just applied
/// it once).
fn spawn_retention(log: QuestionLog) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(RETENTION_INTERVAL);
        every.tick().await; // the first tick is now: `open` has just pruned
        loop {
            every.tick().await;
            let log = log.clone();
            match tokio::task::spawn_blocking(move || log.apply_retention()).await {
                Ok(Ok(deleted)) => info!(deleted, "question log retention applied"),
                Ok(Err(e)) => warn!(error = %e, "question log retention failed"),
                Err(e) => warn!(error = %e, "question log retention task failed"),
            }
        }
    })
}

/// Loads the FAQ, opens the question log, connects to Discord and starts handling events.
pub async fn start(config: BotConfig) -> Result<Bot, RunError> {
    let knowledge: SharedKnowledge = Arc::new(ArcSwap::from_pointee(load_faq(&config)?));
    let log = open_log(&config);
    if config.help_channels.is_empty() {
        warn!("HELP_CHANNEL_IDS is empty: the bot answers only mentions, DMs and commands");
    }
    let config = Arc::new(config);
    // Before anything can log it: the writers of `faqbot run` scrub it from every line.
    super::redact::add_secret(config.token.expose());

    let (http, proxied) = build_http(&config)?;

    let in_flight = InFlight::default();
    let parts = (
        Arc::clone(&knowledge),
        Arc::clone(&config),
        log.clone(),
        Cooldown::new(config.cooldown),
        proxied.clone(),
    );
    let guild = config.guild;
    let editor = Arc::new(FaqEditor::new(config.faq_dir.clone(), config.match_config));
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: super::commands(),
            event_handler: |framework, event| Box::pin(handler::on_event(framework, event)),
            on_error: |error| Box::pin(commands::on_error(error)),
            allowed_mentions: Some(super::render::no_pings()),
            prefix_options: poise::PrefixFrameworkOptions {
                prefix: None,
                mention_as_prefix: false,
                ..Default::default()
            },
            ..Default::default()
        })
        // Owners are not used (moderators are): skip the REST call. Set on the builder, which
        // poise 0.7 copies over `FrameworkOptions::initialize_owners` in `build()`.
        .initialize_owners(false)
        .setup(move |ctx, ready, framework| {
            let (knowledge, config, log, cooldown, proxied) = parts;
            let rest = Rest::new(Arc::clone(&ctx.http), proxied);
            Box::pin(async move {
                // In the background: events wait for this setup, not for Discord's answer.
                let commands =
                    poise::builtins::create_application_commands(&framework.options().commands);
                tokio::spawn(register_commands(Arc::clone(&ctx.http), guild, commands));
                Ok(Data {
                    knowledge,
                    config,
                    log,
                    cooldown,
                    recent: super::recent::Recent::default(),
                    bot_id: ready.user.id,
                    rest,
                    matching: Matching::default(),
                    editor: Some(editor),
                })
            })
        })
        .build();
    let tracked = Tracked {
        inner: framework,
        in_flight: in_flight.clone(),
        admission: Admission::new(MAX_EVENTS_OUTSTANDING),
    };
    let mut client = ClientBuilder::new_with_http(http, intents())
        .framework(tracked)
        .await
        .map_err(|e| RunError::Client(Box::new(e)))?;
    let shard_manager = Arc::clone(&client.shard_manager);
    let rest = Rest::new(Arc::clone(&client.http), proxied);
    let digest = super::digest::spawn(&config, log.clone(), rest.clone());
    let watcher = watch_faq(&config, &knowledge, rest);
    let shards = config.shards;
    let task = tokio::spawn(async move {
        match shards {
            ShardSpec::Auto => client.start_autosharded().await,
            // serenity's range end is inclusive (0.12.5 `start_connection(start, end, total)`).
            ShardSpec::Range { first, last, total } => {
                client.start_shard_range(first..last, total).await
            }
        }
    });
    let retention = spawn_retention(log.clone());
    Ok(Bot {
        shard_manager,
        client: Some(task),
        in_flight,
        log,
        knowledge,
        watcher,
        retention,
        digest,
    })
}

impl Bot {
    /// The FAQ in service (e.g. to swap in a new one).
    #[must_use]
    pub fn knowledge(&self) -> &SharedKnowledge {
        &self.knowledge
    }

    /// The shard manager.
    #[must_use]
    pub fn shard_manager(&self) -> &Arc<ShardManager> {
        &self.shard_manager
    }

    /// Events being handled now.
    #[must_use]
    pub fn in_flight(&self) -> usize {
        self.in_flight.count()
    }

    /// Waits until the client stops by itself (Discord refused the connection, or all shards
    /// ended); returns why.
    pub async fn stopped(&mut self) -> Result<(), RunError> {
        let Some(task) = self.client.as_mut() else {
            return Ok(());
        };
        let result = task.await;
        self.client = None;
        match result {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(RunError::Gateway(Box::new(e))),
            Err(e) => Err(RunError::Gateway(Box::new(serenity::Error::Other(
                if e.is_panic() {
                    "the client task panicked"
                } else {
                    "the client task was cancelled"
                },
            )))),
        }
    }

    /// Stops the shards, lets the replies in flight finish (bounded), closes the question log.
    pub async fn shutdown(mut self) {
        info!("shutting down");
        // If the client already stopped by itself, its shards are gone: nothing to stop.
        if let Some(task) = self.client.take() {
            if tokio::time::timeout(SHUTDOWN_GRACE, self.shard_manager.shutdown_all())
                .await
                .is_err()
            {
                warn!("the shards did not stop in time");
            }
            if tokio::time::timeout(SHUTDOWN_GRACE, task).await.is_err() {
                warn!("the client did not stop in time");
            }
        }
        if !self.in_flight.wait_idle(SHUTDOWN_GRACE).await {
            warn!(
                in_flight = self.in_flight.count(),
                "gave up waiting for replies in flight"
            );
        }
        drop(self.watcher.take());
        self.retention.abort();
        if let Some(digest) = self.digest.take() {
            digest.abort();
        }
        let log = self.log;
        match tokio::task::spawn_blocking(move || log.close()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => warn!(error = %e, "question log: close failed"),
            Err(e) => warn!(error = %e, "question log: close task failed"),
        }
        info!("stopped");
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() -> Result<&'static str, RunError> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate()).map_err(RunError::Signal)?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r.map(|()| "SIGINT").map_err(RunError::Signal),
            _ = term.recv() => Ok("SIGTERM"),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c()
            .await
            .map(|()| "Ctrl-C")
            .map_err(RunError::Signal)
    }
}

/// Runs the bot until SIGINT or SIGTERM (then shuts down cleanly and returns `Ok`), or until
/// Discord refuses the connection (returns the error).
pub async fn run(config: BotConfig) -> Result<(), RunError> {
    let mut bot = start(config).await?;
    let result = tokio::select! {
        signal = shutdown_signal() => signal.map(|name| info!(signal = name, "stopping")),
        stopped = bot.stopped() => stopped,
    };
    bot.shutdown().await;
    result
}
