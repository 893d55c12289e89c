//! A fake Discord (REST API + gateway websocket) served on 127.0.0.1 for end-to-end tests.
//!
//! The real serenity client (and poise on top of it) connects to it:
//!
//! ```ignore
//! let fake = FakeDiscord::start().await;
//! let http = serenity::http::HttpBuilder::new("fake-token")
//!     .proxy(fake.base_url())
//!     .ratelimiter_disabled(true) // in serenity 0.12.5 the proxy is only used without it
//!     .build();
//! let client = serenity::Client::builder... // ClientBuilder::new_with_http(http, intents)
//! ```
//!
//! The test then pushes gateway events ([`FakeDiscord::message_create`],
//! [`FakeDiscord::command_interaction`], ...) and checks the REST calls the bot made
//! ([`FakeDiscord::wait_for`], [`FakeDiscord::requests`]).
//!
//! The module depends only on tokio, axum, tokio-tungstenite, futures-util and `serde_json`, not
//! on the faqbot library nor on serenity, so it can be used from integration tests
//! (`mod support;`) and from examples or benches
//! (`#[path = "../tests/support/fake_discord.rs"] mod fake_discord;`).
//!
//! Everything is bounded: waits take a timeout, and dropping the [`FakeDiscord`] aborts its
//! servers and open gateway connections.

// Each test binary uses only part of this module; the rest would be reported as dead code.
#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Map, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot, Notify};
use tokio::task::{AbortHandle, JoinHandle};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message as WsMessage;

/// User id of the bot (the `user` in READY, the author of the messages the bot posts).
pub const BOT_USER_ID: u64 = 1_100_000_000_000_000_001;
/// Application id of the bot (READY `application.id`, `/oauth2/applications/@me`).
///
/// Deliberately different from [`BOT_USER_ID`] so that code mixing the two up is caught.
pub const APPLICATION_ID: u64 = 1_100_000_000_000_000_002;
/// The one guild the fake knows.
pub const GUILD_ID: u64 = 1_100_000_000_000_000_003;
/// The `@everyone` role of [`GUILD_ID`] (Discord gives it the guild's id).
pub const EVERYONE_ROLE_ID: u64 = GUILD_ID;
/// A text channel of [`GUILD_ID`] (listed in `GUILD_CREATE`, named `general`).
pub const GUILD_CHANNEL_ID: u64 = 1_100_000_000_000_000_004;
/// The owner of the application and of the guild.
pub const OWNER_USER_ID: u64 = 1_100_000_000_000_000_005;
/// A default human user (the default author of messages and interactions).
pub const USER_ID: u64 = 1_100_000_000_000_000_006;
/// A role that grants `MANAGE_GUILD`, present in `GUILD_CREATE` (see [`FakeConfig::roles`]).
pub const MOD_ROLE_ID: u64 = 1_100_000_000_000_000_007;

/// Discord permission bits (as in the API's permission strings).
pub mod perm {
    /// `ADMINISTRATOR`.
    pub const ADMINISTRATOR: u64 = 1 << 3;
    /// `MANAGE_GUILD`.
    pub const MANAGE_GUILD: u64 = 1 << 5;
    /// `ADD_REACTIONS`.
    pub const ADD_REACTIONS: u64 = 1 << 6;
    /// `VIEW_CHANNEL`.
    pub const VIEW_CHANNEL: u64 = 1 << 10;
    /// `SEND_MESSAGES`.
    pub const SEND_MESSAGES: u64 = 1 << 11;
    /// `MANAGE_MESSAGES`.
    pub const MANAGE_MESSAGES: u64 = 1 << 13;
    /// `EMBED_LINKS`.
    pub const EMBED_LINKS: u64 = 1 << 14;
    /// `ATTACH_FILES`.
    pub const ATTACH_FILES: u64 = 1 << 15;
    /// `READ_MESSAGE_HISTORY`.
    pub const READ_MESSAGE_HISTORY: u64 = 1 << 16;
    /// `USE_EXTERNAL_EMOJIS`.
    pub const USE_EXTERNAL_EMOJIS: u64 = 1 << 18;
    /// `USE_APPLICATION_COMMANDS`.
    pub const USE_APPLICATION_COMMANDS: u64 = 1 << 31;
    /// `SEND_MESSAGES_IN_THREADS`.
    pub const SEND_MESSAGES_IN_THREADS: u64 = 1 << 38;
    /// What an ordinary member has in a channel: read, write, react, embed, attach, use commands.
    pub const DEFAULT_MEMBER: u64 = VIEW_CHANNEL
        | SEND_MESSAGES
        | READ_MESSAGE_HISTORY
        | ADD_REACTIONS
        | EMBED_LINKS
        | ATTACH_FILES
        | USE_EXTERNAL_EMOJIS
        | USE_APPLICATION_COMMANDS
        | SEND_MESSAGES_IN_THREADS;
    /// What the bot has (`app_permissions` of interactions, `@everyone` in `GUILD_CREATE`).
    pub const DEFAULT_BOT: u64 = DEFAULT_MEMBER;
}

static LAST_SNOWFLAKE: AtomicU64 = AtomicU64::new(0);
const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;
const DM_CHANNEL_BIT: u64 = 1 << 62;
const DEFAULT_HEARTBEAT_MS: u64 = 41_250;

/// A fresh, unique, increasing snowflake id whose timestamp part is "now" (unique process-wide).
#[must_use]
pub fn snowflake() -> u64 {
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let candidate = now_ms.saturating_sub(DISCORD_EPOCH_MS) << 22;
    let mut prev = LAST_SNOWFLAKE.load(Ordering::Relaxed);
    loop {
        let next = candidate.max(prev + 1);
        match LAST_SNOWFLAKE.compare_exchange_weak(prev, next, Ordering::Relaxed, Ordering::Relaxed)
        {
            Ok(_) => return next,
            Err(actual) => prev = actual,
        }
    }
}

/// The id of the DM channel between the bot and `user_id` (deterministic, so specs can be built
/// without a [`FakeDiscord`]; `GET /channels/{id}` answers a DM channel for such ids).
#[must_use]
pub fn dm_channel_id(user_id: u64) -> u64 {
    user_id | DM_CHANNEL_BIT
}

/// The current time as an ISO 8601 / RFC 3339 timestamp, as Discord writes them.
#[must_use]
pub fn now_timestamp() -> String {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = d.as_secs();
    let (y, m, day) = civil_from_days(i64::try_from(secs / 86_400).unwrap_or(0));
    let rem = secs % 86_400;
    format!(
        "{y:04}-{m:02}-{day:02}T{:02}:{:02}:{:02}.{:06}+00:00",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        d.subsec_micros()
    )
}

/// Days since 1970-01-01 to (year, month, day), after Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month as u32, day as u32)
}

// ---------------------------------------------------------------------------------------------
// Option builders for interactions
// ---------------------------------------------------------------------------------------------

/// A string option `{"type":3,"name":..,"value":..}` for [`FakeDiscord::command_interaction`].
#[must_use]
pub fn opt_str(name: &str, value: &str) -> Value {
    json!({"type": 3, "name": name, "value": value})
}

/// An integer option (type 4).
#[must_use]
pub fn opt_int(name: &str, value: i64) -> Value {
    json!({"type": 4, "name": name, "value": value})
}

/// A boolean option (type 5).
#[must_use]
pub fn opt_bool(name: &str, value: bool) -> Value {
    json!({"type": 5, "name": name, "value": value})
}

/// A subcommand option (type 1) holding `options` (serenity requires the `options` field, even
/// if empty). `/faq show topic:x` is `command_interaction(.., "faq", json!([opt_sub("show",
/// &[opt_str("topic", "x")])]))`.
#[must_use]
pub fn opt_sub(name: &str, options: &[Value]) -> Value {
    json!({"type": 1, "name": name, "options": options})
}

/// A subcommand group option (type 2) holding subcommands.
#[must_use]
pub fn opt_group(name: &str, subcommands: &[Value]) -> Value {
    json!({"type": 2, "name": name, "options": subcommands})
}

/// The focused string option of an autocomplete interaction: what the user has typed so far.
#[must_use]
pub fn opt_focused(name: &str, partial: &str) -> Value {
    json!({"type": 3, "name": name, "value": partial, "focused": true})
}

// ---------------------------------------------------------------------------------------------
// Public specs and records
// ---------------------------------------------------------------------------------------------

/// Settings of a [`FakeDiscord`]; `FakeConfig::default()` is what [`FakeDiscord::start`] uses.
#[derive(Clone, Debug)]
pub struct FakeConfig {
    /// `heartbeat_interval` sent in HELLO, in milliseconds (default 41 250).
    pub heartbeat_interval_ms: u64,
    /// Send a `GUILD_CREATE` for [`GUILD_ID`] right after READY (default true). It puts the guild
    /// (roles, channels, the bot as member) in serenity's cache; serenity then checks the bot's
    /// permissions from the cache before posting in the guild's channels.
    pub guild_create: bool,
    /// Text channels of the guild in `GUILD_CREATE` (default: [`GUILD_CHANNEL_ID`]).
    pub guild_channels: Vec<u64>,
    /// Roles of the guild besides `@everyone` (default: a "Moderator" role [`MOD_ROLE_ID`] with
    /// `MANAGE_GUILD`).
    pub roles: Vec<FakeRole>,
    /// Permissions of `@everyone` (default [`perm::DEFAULT_BOT`]: enough for the bot to post).
    pub everyone_permissions: u64,
}

impl Default for FakeConfig {
    fn default() -> Self {
        Self {
            heartbeat_interval_ms: DEFAULT_HEARTBEAT_MS,
            guild_create: true,
            guild_channels: vec![GUILD_CHANNEL_ID],
            roles: vec![FakeRole {
                id: MOD_ROLE_ID,
                name: "Moderator".to_owned(),
                permissions: perm::MANAGE_GUILD | perm::MANAGE_MESSAGES,
            }],
            everyone_permissions: perm::DEFAULT_BOT,
        }
    }
}

/// A guild role for `GUILD_CREATE` and `GET /guilds/{id}/roles`.
#[derive(Clone, Debug)]
pub struct FakeRole {
    /// Role id.
    pub id: u64,
    /// Role name.
    pub name: String,
    /// Permission bits (see [`perm`]).
    pub permissions: u64,
}

/// A `MESSAGE_CREATE` to dispatch with [`FakeDiscord::message_create`].
#[derive(Clone, Debug)]
pub struct MessageSpec {
    /// Channel the message is posted in (for a DM, use [`dm_channel_id`]).
    pub channel_id: u64,
    /// `Some(guild)` for a guild message, `None` for a DM.
    pub guild_id: Option<u64>,
    /// Author's user id.
    pub author_id: u64,
    /// Whether the author is a bot.
    pub author_bot: bool,
    /// Message text. With `mentions_bot`, write the mention (`<@{BOT_USER_ID}>`) yourself if the
    /// content should carry it.
    pub content: String,
    /// Put the bot in `mentions`.
    pub mentions_bot: bool,
    /// Role ids of the author's member object (guild messages only).
    pub member_roles: Vec<u64>,
    /// Make the message a reply to this message id (`message_reference`).
    pub reply_to: Option<u64>,
}

impl Default for MessageSpec {
    fn default() -> Self {
        Self {
            channel_id: GUILD_CHANNEL_ID,
            guild_id: Some(GUILD_ID),
            author_id: USER_ID,
            author_bot: false,
            content: String::new(),
            mentions_bot: false,
            member_roles: Vec::new(),
            reply_to: None,
        }
    }
}

impl MessageSpec {
    /// A message by [`USER_ID`] in [`GUILD_CHANNEL_ID`] of [`GUILD_ID`].
    #[must_use]
    pub fn guild(content: &str) -> Self {
        Self {
            content: content.to_owned(),
            ..Self::default()
        }
    }

    /// A direct message from `author_id` to the bot (channel [`dm_channel_id`]`(author_id)`).
    #[must_use]
    pub fn dm(author_id: u64, content: &str) -> Self {
        Self {
            channel_id: dm_channel_id(author_id),
            guild_id: None,
            author_id,
            content: content.to_owned(),
            ..Self::default()
        }
    }
}

/// Where and by whom an interaction is made, for the interaction builders.
#[derive(Clone, Debug)]
pub struct InteractionSpec {
    /// `Some(guild)`: the interaction carries `member` (with `permissions`); `None`: a DM, it
    /// carries `user`.
    pub guild_id: Option<u64>,
    /// Channel of the interaction.
    pub channel_id: u64,
    /// The invoking user.
    pub user_id: u64,
    /// The member's role ids (guild only).
    pub member_roles: Vec<u64>,
    /// The member's permissions in the channel (guild only), e.g. add [`perm::MANAGE_GUILD`].
    pub permissions: u64,
    /// `app_permissions`: the bot's permissions in the channel.
    pub app_permissions: u64,
    /// `locale` of the user.
    pub locale: String,
}

impl Default for InteractionSpec {
    fn default() -> Self {
        Self {
            guild_id: Some(GUILD_ID),
            channel_id: GUILD_CHANNEL_ID,
            user_id: USER_ID,
            member_roles: Vec::new(),
            permissions: perm::DEFAULT_MEMBER,
            app_permissions: perm::DEFAULT_BOT,
            locale: "en-US".to_owned(),
        }
    }
}

impl InteractionSpec {
    /// [`USER_ID`] in [`GUILD_CHANNEL_ID`], ordinary member permissions (no `MANAGE_GUILD`).
    #[must_use]
    pub fn member() -> Self {
        Self::default()
    }

    /// [`USER_ID`] in [`GUILD_CHANNEL_ID`] with the [`MOD_ROLE_ID`] role and `MANAGE_GUILD`.
    #[must_use]
    pub fn moderator() -> Self {
        Self {
            member_roles: vec![MOD_ROLE_ID],
            permissions: perm::DEFAULT_MEMBER | perm::MANAGE_GUILD | perm::MANAGE_MESSAGES,
            ..Self::default()
        }
    }

    /// `user_id` in their DM channel with the bot.
    #[must_use]
    pub fn dm(user_id: u64) -> Self {
        Self {
            guild_id: None,
            channel_id: dm_channel_id(user_id),
            user_id,
            ..Self::default()
        }
    }
}

/// One REST request the fake received, with what it answered.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// HTTP method, upper case (`"POST"`).
    pub method: String,
    /// Path without the query, e.g. `/api/v10/channels/123/messages`.
    pub path: String,
    /// Query string, if any (without `?`).
    pub query: Option<String>,
    /// Request body as JSON (`payload_json` for multipart bodies); `Null` when empty, a JSON
    /// string when the body is not JSON.
    pub body: Value,
    /// The files of a `multipart/form-data` body (every part but `payload_json`), in order;
    /// empty for a JSON body.
    pub files: Vec<Upload>,
    /// Status code the fake answered.
    pub status: u16,
    /// Body the fake answered (`Null` for 204).
    pub response: Value,
    /// When the request arrived.
    pub at: Instant,
    /// When the fake answered it (later than `at` by any delay set with
    /// [`FakeDiscord::delay_next`]).
    pub answered: Instant,
}

impl Recorded {
    /// Method and exact path match (`path` may omit the `/api/v10` prefix).
    #[must_use]
    pub fn is(&self, method: &str, path: &str) -> bool {
        self.method.eq_ignore_ascii_case(method) && strip_api(&self.path) == strip_api(path)
    }

    /// Method matches and the path (without `/api/v10`) starts with `prefix` (which may also
    /// omit `/api/v10`).
    #[must_use]
    pub fn starts(&self, method: &str, prefix: &str) -> bool {
        self.method.eq_ignore_ascii_case(method)
            && strip_api(&self.path).starts_with(strip_api(prefix))
    }

    /// `POST /channels/{channel_id}/messages`: a message the bot posted in that channel.
    #[must_use]
    pub fn is_message_in(&self, channel_id: u64) -> bool {
        self.method == "POST"
            && strip_api(&self.path) == format!("/channels/{channel_id}/messages").as_str()
    }

    /// `POST /interactions/{interaction_id}/.../callback`: the response to that interaction.
    #[must_use]
    pub fn is_callback_of(&self, interaction_id: u64) -> bool {
        self.method == "POST"
            && strip_api(&self.path).starts_with(&format!("/interactions/{interaction_id}/"))
            && self.path.ends_with("/callback")
    }

    /// `body.content`, if a string.
    #[must_use]
    pub fn content(&self) -> Option<&str> {
        self.body.get("content").and_then(Value::as_str)
    }

    /// `body.data.content` (interaction callbacks), if a string.
    #[must_use]
    pub fn data_content(&self) -> Option<&str> {
        self.body.get("data")?.get("content")?.as_str()
    }

    /// `body.message_reference.message_id`: which message the bot replied to.
    #[must_use]
    pub fn reply_to(&self) -> Option<u64> {
        id_of(self.body.get("message_reference")?.get("message_id")?)
    }

    /// `body.type` of an interaction callback (4 message, 5 deferred, 6 deferred update,
    /// 7 update, 8 autocomplete result, 9 modal).
    #[must_use]
    pub fn callback_type(&self) -> Option<u64> {
        self.body.get("type").and_then(Value::as_u64)
    }

    /// The modal of a callback of type 9: `(custom_id, title)`.
    #[must_use]
    pub fn modal(&self) -> Option<(&str, &str)> {
        if self.callback_type() != Some(9) {
            return None;
        }
        let data = self.body.get("data")?;
        Some((
            data.get("custom_id")?.as_str()?,
            data.get("title")?.as_str()?,
        ))
    }

    /// The text inputs of a modal callback (type 9), in order: `(custom_id, value)`, the value
    /// empty when none is pre-filled.
    #[must_use]
    pub fn modal_inputs(&self) -> Vec<(String, String)> {
        if self.callback_type() != Some(9) {
            return Vec::new();
        }
        self.body["data"]["components"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|row| row.get("components")?.as_array())
            .flatten()
            .filter(|c| c.get("type").and_then(Value::as_u64) == Some(4))
            .map(|c| {
                (
                    c["custom_id"].as_str().unwrap_or("").to_owned(),
                    c.get("value")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_owned(),
                )
            })
            .collect()
    }

    /// `PATCH /channels/{channel_id}/messages/{message_id}`: an edit of that message.
    #[must_use]
    pub fn is_edit_of(&self, channel_id: u64, message_id: u64) -> bool {
        self.method == "PATCH"
            && strip_api(&self.path)
                == format!("/channels/{channel_id}/messages/{message_id}").as_str()
    }

    /// The `id` of the response (e.g. of the message the fake created).
    #[must_use]
    pub fn response_id(&self) -> Option<u64> {
        id_of(self.response.get("id")?)
    }
}

/// One file part of a `multipart/form-data` request (e.g. a message attachment).
#[derive(Clone, Debug)]
pub struct Upload {
    /// The form field's name, e.g. `files[0]`.
    pub name: String,
    /// The part's file name, if given.
    pub file_name: Option<String>,
    /// The part's content type, if given.
    pub content_type: Option<String>,
    /// The bytes.
    pub bytes: Vec<u8>,
}

impl Upload {
    /// Whether the bytes start with the PNG signature.
    #[must_use]
    pub fn is_png(&self) -> bool {
        self.bytes.starts_with(b"\x89PNG\r\n\x1a\n")
    }
}

/// Counters of the gateway side, see [`FakeDiscord::gateway_stats`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GatewayStats {
    /// Websocket connections accepted.
    pub connections: u64,
    /// IDENTIFY (op 2) received.
    pub identifies: u64,
    /// RESUME (op 6) received.
    pub resumes: u64,
    /// Heartbeats (op 1) received.
    pub heartbeats: u64,
    /// READY or RESUMED dispatches sent.
    pub readies: u64,
    /// Last sequence number sent.
    pub seq: u64,
    /// A connection is open and has been sent READY/RESUMED.
    pub ready: bool,
    /// Dispatches waiting for the next READY/RESUMED.
    pub pending: usize,
    /// Dispatches dropped: parked after a session was invalidated (not resumable) and not sent
    /// to the new session, as Discord replays nothing across a new IDENTIFY.
    pub dropped: u64,
}

// ---------------------------------------------------------------------------------------------
// Internal state
// ---------------------------------------------------------------------------------------------

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn strip_api(path: &str) -> &str {
    path.strip_prefix("/api/v10").unwrap_or(path)
}

fn id_of(v: &Value) -> Option<u64> {
    match v {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

enum Out {
    Text(String),
    Close(u16),
}

struct Conn {
    id: u64,
    tx: mpsc::UnboundedSender<Out>,
    ready: bool,
}

#[derive(Default)]
struct GwState {
    current: Option<Conn>,
    tasks: HashMap<u64, AbortHandle>,
    next_conn_id: u64,
    session: u64,
    session_id: Option<String>,
    pending: VecDeque<(String, String)>,
    stats: GatewayStats,
    last_identify: Option<Value>,
    /// A session was invalidated: the next IDENTIFY starts a new one without the parked events.
    session_lost: bool,
}

struct DelayRule {
    method: String,
    prefix: String,
    delay: Duration,
    times: u32,
}

struct FailRule {
    method: String,
    prefix: String,
    status: u16,
    times: u32,
    /// For 429: the `retry_after` to answer.
    retry_after: Duration,
}

struct TokenInfo {
    channel_id: u64,
    guild_id: Option<u64>,
    original: Option<Value>,
}

struct Inner {
    config: FakeConfig,
    ws_url: String,
    gw: Mutex<GwState>,
    gw_notify: Notify,
    ack_heartbeats: AtomicBool,
    log: Mutex<Vec<Recorded>>,
    rest_notify: Notify,
    fail: Mutex<Vec<FailRule>>,
    delays: Mutex<Vec<DelayRule>>,
    /// REST requests received and not yet answered.
    in_progress: std::sync::atomic::AtomicUsize,
    sent_at: Mutex<HashMap<u64, Instant>>,
    /// Messages by id, as JSON text (cheap to store on the hot path).
    messages: Mutex<HashMap<u64, String>>,
    tokens: Mutex<HashMap<String, TokenInfo>>,
    commands: Mutex<HashMap<Option<u64>, Vec<Value>>>,
    channel_guild: Mutex<HashMap<u64, u64>>,
    member_roles: Mutex<HashMap<u64, Vec<u64>>>,
}

/// A fake Discord on loopback: REST on [`Self::base_url`], gateway on [`Self::ws_url`].
///
/// Dropping it stops both servers and closes open gateway connections.
pub struct FakeDiscord {
    inner: Arc<Inner>,
    base_url: String,
    rest_task: JoinHandle<()>,
    gw_task: JoinHandle<()>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl Drop for FakeDiscord {
    fn drop(&mut self) {
        // Let axum close its keep-alive connections, and stop accepting.
        drop(self.shutdown.take());
        self.rest_task.abort();
        self.gw_task.abort();
        let mut gw = lock(&self.inner.gw);
        gw.current = None;
        for (_, task) in gw.tasks.drain() {
            task.abort();
        }
    }
}

impl FakeDiscord {
    /// Starts the fake with [`FakeConfig::default`] on two ephemeral 127.0.0.1 ports.
    ///
    /// # Panics
    /// If it cannot bind a loopback port.
    pub async fn start() -> Self {
        Self::start_with(FakeConfig::default()).await
    }

    /// Starts the fake with `config`.
    ///
    /// # Panics
    /// If it cannot bind a loopback port.
    pub async fn start_with(config: FakeConfig) -> Self {
        let rest = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind REST port");
        let gw = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind gateway port");
        let rest_addr: SocketAddr = rest.local_addr().expect("REST addr");
        let gw_addr: SocketAddr = gw.local_addr().expect("gateway addr");
        let inner = Arc::new(Inner {
            config,
            ws_url: format!("ws://{gw_addr}"),
            gw: Mutex::new(GwState::default()),
            gw_notify: Notify::new(),
            ack_heartbeats: AtomicBool::new(true),
            log: Mutex::new(Vec::with_capacity(1024)),
            rest_notify: Notify::new(),
            fail: Mutex::new(Vec::new()),
            delays: Mutex::new(Vec::new()),
            in_progress: std::sync::atomic::AtomicUsize::new(0),
            sent_at: Mutex::new(HashMap::new()),
            messages: Mutex::new(HashMap::new()),
            tokens: Mutex::new(HashMap::new()),
            commands: Mutex::new(HashMap::new()),
            channel_guild: Mutex::new(HashMap::new()),
            member_roles: Mutex::new(HashMap::new()),
        });
        let app = axum::Router::new()
            .fallback(rest_handler)
            .layer(DefaultBodyLimit::max(64 * 1024 * 1024))
            .with_state(Arc::clone(&inner));
        let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
        let rest_task = tokio::spawn(async move {
            let _ = axum::serve(rest, app)
                .with_graceful_shutdown(async move {
                    let _ = shutdown_rx.await;
                })
                .await;
        });
        let gw_task = tokio::spawn(accept_gateway(Arc::clone(&inner), gw));
        Self {
            inner,
            base_url: format!("http://{rest_addr}"),
            rest_task,
            gw_task,
            shutdown: Some(shutdown_tx),
        }
    }

    /// `http://127.0.0.1:PORT`: give it to `HttpBuilder::proxy`.
    #[must_use]
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `ws://127.0.0.1:PORT`: what `GET /gateway` answers.
    #[must_use]
    pub fn ws_url(&self) -> &str {
        &self.inner.ws_url
    }

    /// The configuration the fake runs with.
    #[must_use]
    pub fn config(&self) -> &FakeConfig {
        &self.inner.config
    }

    // ----- gateway -----------------------------------------------------------------------

    /// Waits until a client has identified (or resumed) and been sent READY (or RESUMED) on the
    /// current connection. Returns false on timeout.
    pub async fn wait_ready(&self, timeout: Duration) -> bool {
        self.wait_gateway(|s| s.ready, timeout).await
    }

    /// Waits until `pred` holds for the [`GatewayStats`]; returns whether it did in time.
    pub async fn wait_gateway(
        &self,
        pred: impl Fn(&GatewayStats) -> bool,
        timeout: Duration,
    ) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let mut notified = pin!(self.inner.gw_notify.notified());
            notified.as_mut().enable();
            if pred(&self.gateway_stats()) {
                return true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return pred(&self.gateway_stats());
            }
        }
    }

    /// A snapshot of the gateway counters.
    #[must_use]
    pub fn gateway_stats(&self) -> GatewayStats {
        let gw = lock(&self.inner.gw);
        let mut stats = gw.stats;
        stats.ready = gw.current.as_ref().is_some_and(|c| c.ready);
        stats.pending = gw.pending.len();
        stats
    }

    /// Whether a client is connected and has been sent READY/RESUMED.
    #[must_use]
    pub fn is_ready(&self) -> bool {
        self.gateway_stats().ready
    }

    /// Number of IDENTIFY (op 2) received.
    #[must_use]
    pub fn identify_count(&self) -> u64 {
        lock(&self.inner.gw).stats.identifies
    }

    /// Number of RESUME (op 6) received.
    #[must_use]
    pub fn resume_count(&self) -> u64 {
        lock(&self.inner.gw).stats.resumes
    }

    /// Number of websocket connections accepted.
    #[must_use]
    pub fn connection_count(&self) -> u64 {
        lock(&self.inner.gw).stats.connections
    }

    /// The `d` of the last IDENTIFY (token, intents, properties, ...).
    #[must_use]
    pub fn last_identify(&self) -> Option<Value> {
        lock(&self.inner.gw).last_identify.clone()
    }

    /// Sends the dispatch `{"op":0,"s":SEQ,"t":t,"d":d}` on the current connection.
    ///
    /// If no connection is ready (before READY, or while the client reconnects after
    /// [`Self::drop_gateway`]), the dispatch is queued and sent right after the next
    /// READY/RESUMED, in order.
    pub fn send_dispatch(&self, t: &str, d: &Value) {
        self.inner.dispatch(t, d.to_string());
    }

    /// Sends a raw gateway payload (e.g. `{"op":7,"d":null}`) on the current connection.
    /// Returns false if there is none.
    pub fn send_raw(&self, payload: &Value) -> bool {
        let gw = lock(&self.inner.gw);
        gw.current
            .as_ref()
            .is_some_and(|c| c.tx.send(Out::Text(payload.to_string())).is_ok())
    }

    /// Sends RECONNECT (op 7): the client should reconnect and RESUME.
    pub fn send_reconnect(&self) -> bool {
        self.send_raw(&json!({"op": 7, "d": null, "s": null, "t": null}))
    }

    /// Sends `INVALID_SESSION` (op 9). With `resumable == false` the client must IDENTIFY again;
    /// serenity then waits for its 5 s gap between IDENTIFYs, so this reconnect is slow.
    ///
    /// Not resumable: dispatches from now on are parked, and dropped at the next IDENTIFY (a
    /// new session), as Discord does not replay events across sessions (only a RESUME does).
    pub fn invalidate_session(&self, resumable: bool) -> bool {
        if !resumable {
            let mut gw = lock(&self.inner.gw);
            gw.session_id = None;
            gw.session_lost = true;
            if let Some(c) = gw.current.as_mut() {
                c.ready = false;
            }
        }
        self.send_raw(&json!({"op": 9, "d": resumable, "s": null, "t": null}))
    }

    /// Whether heartbeats (op 1) are answered with op 11 (default true). Without acks serenity
    /// considers the connection zombied after one heartbeat interval (see
    /// [`FakeConfig::heartbeat_interval_ms`]) and reconnects.
    pub fn set_heartbeat_ack(&self, ack: bool) {
        self.inner.ack_heartbeats.store(ack, Ordering::Relaxed);
    }

    /// Runs `fut` while asking the client for a heartbeat (op 1) every 10 ms.
    ///
    /// serenity's shard runner reads the gateway with a 500 ms timeout and looks at its control
    /// channel only between reads, so `shard_manager.shutdown_all()` on an idle connection takes
    /// about 500 ms; `fake.nudge_during(shard_manager.shutdown_all()).await` takes about 10 ms.
    pub async fn nudge_during<F: std::future::Future>(&self, fut: F) -> F::Output {
        let nudge = async {
            loop {
                self.send_raw(&json!({"op": 1, "d": null, "s": null, "t": null}));
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        };
        tokio::select! {
            out = fut => out,
            () = nudge => unreachable!("the nudge loop never ends"),
        }
    }

    /// Closes the current gateway connection abruptly (TCP closed, no close frame). Queued
    /// frames not yet written are lost. The client should reconnect and RESUME. Returns false if
    /// there was no connection.
    pub fn drop_gateway(&self) -> bool {
        let mut gw = lock(&self.inner.gw);
        let Some(conn) = gw.current.take() else {
            return false;
        };
        if let Some(task) = gw.tasks.remove(&conn.id) {
            task.abort();
        }
        drop(gw);
        self.inner.gw_notify.notify_waiters();
        true
    }

    /// Closes the current gateway connection with a websocket close frame carrying `code`
    /// (4000 = unknown error, resumable; 4007/4009 = invalid sequence/session timeout, the
    /// client re-identifies). Returns false if there was no connection.
    pub fn close_gateway(&self, code: u16) -> bool {
        let mut gw = lock(&self.inner.gw);
        let Some(conn) = gw.current.take() else {
            return false;
        };
        let sent = conn.tx.send(Out::Close(code)).is_ok();
        drop(gw);
        self.inner.gw_notify.notify_waiters();
        sent
    }

    /// Dispatches a `MESSAGE_CREATE` built from `spec` and returns the new message's id. The
    /// payload has every field serenity 0.12.5 requires (and `member` for guild messages); see
    /// [`message_json`].
    pub fn message_create(&self, spec: &MessageSpec) -> u64 {
        let id = snowflake();
        let mut text = message_text(id, spec);
        // A reply carries the message it replies to, as Discord sends it.
        if let Some(referenced) = spec.reply_to.and_then(|r| self.message(r)) {
            let mut full: Value = serde_json::from_str(&text).expect("message_text writes JSON");
            full["referenced_message"] = referenced;
            text = full.to_string();
        }
        if let Some(guild_id) = spec.guild_id {
            lock(&self.inner.channel_guild).insert(spec.channel_id, guild_id);
            if !spec.member_roles.is_empty() {
                lock(&self.inner.member_roles).insert(spec.author_id, spec.member_roles.clone());
            }
        }
        lock(&self.inner.messages).insert(id, text.clone());
        lock(&self.inner.sent_at).insert(id, Instant::now());
        self.inner.dispatch("MESSAGE_CREATE", text);
        id
    }

    /// When the `MESSAGE_CREATE` with this id was handed to the gateway (queued for writing).
    #[must_use]
    pub fn sent_at(&self, message_id: u64) -> Option<Instant> {
        lock(&self.inner.sent_at).get(&message_id).copied()
    }

    /// Dispatches an application command interaction (type 2, chat input) and returns its id.
    /// `options` is the JSON array of options, e.g. `json!([opt_sub("show", &[opt_str("topic",
    /// "sleep")])])` for `/faq show topic:sleep`.
    pub fn command_interaction(&self, at: &InteractionSpec, name: &str, options: Value) -> u64 {
        let mut data = json!({
            "id": self.command_id(name, at.guild_id),
            "name": name,
            "type": 1,
        });
        data["options"] = options;
        self.interaction(2, at, data, None)
    }

    /// Dispatches an autocomplete interaction (type 4) and returns its id. One option in
    /// `options` (possibly inside a subcommand) must be focused, see [`opt_focused`].
    pub fn autocomplete_interaction(
        &self,
        at: &InteractionSpec,
        name: &str,
        options: Value,
    ) -> u64 {
        let mut data = json!({
            "id": self.command_id(name, at.guild_id),
            "name": name,
            "type": 1,
        });
        data["options"] = options;
        self.interaction(4, at, data, None)
    }

    /// Dispatches a button click (type 3, `component_type` 2) on `message` (a message object,
    /// e.g. [`Recorded::response`] of the bot's reply or [`Self::message_json`]) and returns the
    /// interaction id.
    pub fn component_interaction(
        &self,
        at: &InteractionSpec,
        custom_id: &str,
        message: Value,
    ) -> u64 {
        let data = json!({"custom_id": custom_id, "component_type": 2});
        self.interaction(3, at, data, Some(message))
    }

    /// Dispatches a string-select choice (type 3, `component_type` 3) with the chosen `values`.
    pub fn select_interaction(
        &self,
        at: &InteractionSpec,
        custom_id: &str,
        values: &[&str],
        message: Value,
    ) -> u64 {
        let data = json!({"custom_id": custom_id, "component_type": 3, "values": values});
        self.interaction(3, at, data, Some(message))
    }

    /// Dispatches a modal submit (type 5) of the form `custom_id` with the text inputs
    /// `fields` (custom id, value), each in its own action row as Discord sends them, and
    /// returns the interaction id. `message`: the message whose component opened the form.
    pub fn modal_interaction(
        &self,
        at: &InteractionSpec,
        custom_id: &str,
        fields: &[(&str, &str)],
        message: Option<Value>,
    ) -> u64 {
        let rows: Vec<Value> = fields
            .iter()
            .map(|(id, value)| {
                json!({"type": 1, "components": [{"type": 4, "custom_id": id, "value": value}]})
            })
            .collect();
        let data = json!({"custom_id": custom_id, "components": rows});
        self.interaction(5, at, data, message)
    }

    /// Dispatches a message context-menu command (type 2, `data.type` 3) named `name` on the
    /// message `target` (a message object: its `id` is the `target_id`, and it is put in
    /// `resolved.messages`). Returns the interaction id.
    pub fn message_command_interaction(
        &self,
        at: &InteractionSpec,
        name: &str,
        target: Value,
    ) -> u64 {
        let target_id = target.get("id").and_then(id_of).unwrap_or(0);
        let mut messages = Map::new();
        messages.insert(target_id.to_string(), target);
        let data = json!({
            "id": self.command_id(name, at.guild_id),
            "name": name,
            "type": 3,
            "target_id": target_id.to_string(),
            "resolved": {"messages": messages},
        });
        self.interaction(2, at, data, None)
    }

    /// The id a command got when the bot registered it (or a fresh one if not registered).
    fn command_id(&self, name: &str, guild_id: Option<u64>) -> String {
        let commands = lock(&self.inner.commands);
        [guild_id, None]
            .iter()
            .filter_map(|g| commands.get(g))
            .flatten()
            .find(|c| c.get("name").and_then(Value::as_str) == Some(name))
            .and_then(|c| c.get("id").cloned())
            .and_then(|v| id_of(&v))
            .unwrap_or_else(snowflake)
            .to_string()
    }

    fn interaction(
        &self,
        kind: u8,
        at: &InteractionSpec,
        data: Value,
        message: Option<Value>,
    ) -> u64 {
        let id = snowflake();
        let token = format!("itok-{id}");
        let user = user_json(at.user_id, false);
        let channel_type = u8::from(at.guild_id.is_none());
        let mut obj = json!({
            "id": id.to_string(),
            "application_id": APPLICATION_ID.to_string(),
            "type": kind,
            "channel_id": at.channel_id.to_string(),
            "channel": {
                "id": at.channel_id.to_string(),
                "type": channel_type,
                "name": if at.guild_id.is_some() { Value::from(channel_name(at.channel_id)) } else { Value::Null },
                "permissions": at.app_permissions.to_string(),
            },
            "token": token,
            "version": 1,
            "app_permissions": at.app_permissions.to_string(),
            "locale": at.locale,
            "entitlements": [],
            "attachment_size_limit": 26_214_400,
        });
        let o = obj.as_object_mut().expect("object");
        o.insert("data".into(), data);
        if let Some(guild_id) = at.guild_id {
            o.insert("guild_id".into(), json!(guild_id.to_string()));
            o.insert("guild_locale".into(), json!("en-US"));
            o.insert("context".into(), json!(0));
            o.insert(
                "authorizing_integration_owners".into(),
                json!({"0": guild_id.to_string()}),
            );
            o.insert(
                "member".into(),
                json!({
                    "user": user,
                    "roles": ids(&at.member_roles),
                    "permissions": at.permissions.to_string(),
                    "joined_at": "2024-01-01T00:00:00.000000+00:00",
                    "deaf": false, "mute": false, "flags": 0, "pending": false,
                    "nick": null, "avatar": null, "premium_since": null,
                }),
            );
            lock(&self.inner.channel_guild).insert(at.channel_id, guild_id);
            lock(&self.inner.member_roles).insert(at.user_id, at.member_roles.clone());
        } else {
            o.insert("user".into(), user);
            o.insert("context".into(), json!(1));
            o.insert("authorizing_integration_owners".into(), json!({"0": "0"}));
        }
        if let Some(message) = message {
            o.insert("message".into(), message);
        }
        lock(&self.inner.tokens).insert(
            token,
            TokenInfo {
                channel_id: at.channel_id,
                guild_id: at.guild_id,
                original: None,
            },
        );
        self.inner.dispatch("INTERACTION_CREATE", obj.to_string());
        id
    }

    // ----- REST --------------------------------------------------------------------------

    /// A copy of every REST request recorded so far, in arrival order.
    #[must_use]
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.inner.log).clone()
    }

    /// Number of requests recorded so far: a mark for [`Self::wait_for_since`] and
    /// [`Self::requests_since`].
    #[must_use]
    pub fn mark(&self) -> usize {
        lock(&self.inner.log).len()
    }

    /// The requests recorded after `mark`.
    #[must_use]
    pub fn requests_since(&self, mark: usize) -> Vec<Recorded> {
        let log = lock(&self.inner.log);
        log[mark.min(log.len())..].to_vec()
    }

    /// Number of recorded requests matching `pred`.
    pub fn count(&self, pred: impl Fn(&Recorded) -> bool) -> usize {
        lock(&self.inner.log).iter().filter(|r| pred(r)).count()
    }

    /// The first recorded request (since the start) matching `pred`, waiting up to `timeout`
    /// for it.
    pub async fn wait_for(
        &self,
        pred: impl Fn(&Recorded) -> bool,
        timeout: Duration,
    ) -> Option<Recorded> {
        self.wait_for_since(0, pred, timeout).await
    }

    /// The first request recorded after `mark` (see [`Self::mark`]) matching `pred`, waiting up
    /// to `timeout` for it.
    pub async fn wait_for_since(
        &self,
        mark: usize,
        pred: impl Fn(&Recorded) -> bool,
        timeout: Duration,
    ) -> Option<Recorded> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut from = mark;
        loop {
            let mut notified = pin!(self.inner.rest_notify.notified());
            notified.as_mut().enable();
            {
                let log = lock(&self.inner.log);
                let start = from.min(log.len());
                if let Some(r) = log[start..].iter().find(|r| pred(r)) {
                    return Some(r.clone());
                }
                from = log.len();
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let log = lock(&self.inner.log);
                let start = from.min(log.len());
                return log[start..].iter().find(|r| pred(r)).cloned();
            }
        }
    }

    /// Waits until at least `n` recorded requests (since the start) match `pred`; returns the
    /// number reached (`>= n` on success, less on timeout). Cheap for large logs: each request
    /// is looked at once.
    pub async fn wait_for_count(
        &self,
        pred: impl Fn(&Recorded) -> bool,
        n: usize,
        timeout: Duration,
    ) -> usize {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut from = 0;
        let mut found = 0;
        loop {
            let mut notified = pin!(self.inner.rest_notify.notified());
            notified.as_mut().enable();
            {
                let log = lock(&self.inner.log);
                let start = from.min(log.len());
                found += log[start..].iter().filter(|r| pred(r)).count();
                from = log.len();
            }
            if found >= n || tokio::time::timeout_at(deadline, notified).await.is_err() {
                return found;
            }
        }
    }

    /// Answers the next request whose method is `method` and whose path starts with
    /// `path_prefix` (with or without `/api/v10`) with `status` and a Discord error JSON
    /// (`{"message":..,"code":0}`; for 429 Discord's rate-limit body, see
    /// [`Self::rate_limit_next`], with `retry_after` 0.05 s).
    pub fn fail_next(&self, method: &str, path_prefix: &str, status: u16) {
        self.fail_times(method, path_prefix, status, 1);
    }

    /// Like [`Self::fail_next`], for the next `times` matching requests.
    pub fn fail_times(&self, method: &str, path_prefix: &str, status: u16, times: u32) {
        lock(&self.inner.fail).push(FailRule {
            method: method.to_ascii_uppercase(),
            prefix: strip_api(path_prefix).to_owned(),
            status,
            times,
            retry_after: Duration::from_millis(50),
        });
    }

    /// Answers the next `times` matching requests with 429 as Discord (and a rate-limit proxy
    /// passing it on) does: a `Retry-After` header in whole seconds and the body
    /// `{"message":"You are being rate limited.","retry_after":S,"global":false}` (no `code`).
    pub fn rate_limit_next(
        &self,
        method: &str,
        path_prefix: &str,
        retry_after: Duration,
        times: u32,
    ) {
        lock(&self.inner.fail).push(FailRule {
            method: method.to_ascii_uppercase(),
            prefix: strip_api(path_prefix).to_owned(),
            status: 429,
            times,
            retry_after,
        });
    }

    /// Holds the answer to the next `times` requests matching `method` and `path_prefix` for
    /// `delay` (then answers them as usual): a slow Discord, e.g. a reply still in flight when
    /// the bot is told to stop.
    pub fn delay_next(&self, method: &str, path_prefix: &str, delay: Duration, times: u32) {
        lock(&self.inner.delays).push(DelayRule {
            method: method.to_ascii_uppercase(),
            prefix: strip_api(path_prefix).to_owned(),
            delay,
            times,
        });
    }

    /// REST requests received and not answered yet (e.g. held by [`Self::delay_next`]).
    #[must_use]
    pub fn in_progress(&self) -> usize {
        self.inner.in_progress.load(Ordering::SeqCst)
    }

    /// Forgets the recorded requests (marks taken before become stale).
    pub fn clear_requests(&self) {
        lock(&self.inner.log).clear();
    }

    /// The commands the bot registered with PUT (`None`: global, `Some(guild)`: that guild's).
    #[must_use]
    pub fn registered_commands(&self, guild_id: Option<u64>) -> Vec<Value> {
        lock(&self.inner.commands)
            .get(&guild_id)
            .cloned()
            .unwrap_or_default()
    }

    /// A message the fake knows by id: dispatched with [`Self::message_create`] or created by
    /// the bot through REST.
    #[must_use]
    pub fn message(&self, id: u64) -> Option<Value> {
        let messages = lock(&self.inner.messages);
        messages.get(&id).and_then(|m| serde_json::from_str(m).ok())
    }
}

// ---------------------------------------------------------------------------------------------
// JSON builders
// ---------------------------------------------------------------------------------------------

/// Every component (button, select menu) of a message object, across its action rows.
#[must_use]
pub fn components(message: &Value) -> Vec<&Value> {
    message["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().into_iter().flatten())
        .collect()
}

/// The `MESSAGE_CREATE` `d` that [`FakeDiscord::message_create`] sends for `spec` with message
/// id `id`. Useful as the `message` of a component interaction or the target of a message
/// command without dispatching it.
#[must_use]
pub fn message_json(id: u64, spec: &MessageSpec) -> Value {
    serde_json::from_str(&message_text(id, spec)).expect("message_text writes valid JSON")
}

/// [`message_json`] written directly as text: the load bench's hot path.
fn message_text(id: u64, spec: &MessageSpec) -> String {
    use std::fmt::Write as _;
    let content = serde_json::to_string(&spec.content).expect("a string serialises");
    let mentions = if spec.mentions_bot {
        format!("[{}]", user_json(BOT_USER_ID, true))
    } else {
        "[]".to_owned()
    };
    let kind = if spec.reply_to.is_some() { 19 } else { 0 };
    let mut text = format!(
        r#"{{"id":"{id}","channel_id":"{channel}","author":{author},"content":{content},"timestamp":"{ts}","edited_timestamp":null,"tts":false,"mention_everyone":false,"mentions":{mentions},"mention_roles":[],"attachments":[],"embeds":[],"components":[],"pinned":false,"type":{kind},"flags":0"#,
        channel = spec.channel_id,
        author = user_text(spec.author_id, spec.author_bot),
        ts = now_timestamp(),
    );
    if let Some(guild_id) = spec.guild_id {
        let roles = serde_json::to_string(&ids(&spec.member_roles)).expect("ids serialise");
        let _ = write!(
            text,
            r#","guild_id":"{guild_id}","member":{{"roles":{roles},"joined_at":"2024-01-01T00:00:00.000000+00:00","deaf":false,"mute":false,"flags":0,"pending":false,"nick":null,"avatar":null,"premium_since":null}}"#
        );
    }
    if let Some(reply_to) = spec.reply_to {
        let guild = spec
            .guild_id
            .map_or_else(|| "null".to_owned(), |g| format!("\"{g}\""));
        let _ = write!(
            text,
            r#","message_reference":{{"type":0,"message_id":"{reply_to}","channel_id":"{}","guild_id":{guild}}}"#,
            spec.channel_id
        );
    }
    text.push('}');
    text
}

fn user_name(id: u64) -> String {
    match id {
        BOT_USER_ID => "faqbot".to_owned(),
        OWNER_USER_ID => "owner".to_owned(),
        _ => format!("user{}", id % 100_000),
    }
}

fn user_text(id: u64, bot: bool) -> String {
    let name = user_name(id);
    format!(
        r#"{{"id":"{id}","username":"{name}","discriminator":"0","global_name":"{name}","avatar":null,"bot":{bot},"public_flags":0}}"#
    )
}

fn ids(list: &[u64]) -> Vec<String> {
    list.iter().map(u64::to_string).collect()
}

fn channel_name(channel_id: u64) -> String {
    if channel_id == GUILD_CHANNEL_ID {
        "general".to_owned()
    } else {
        format!("channel-{channel_id}")
    }
}

fn user_json(id: u64, bot: bool) -> Value {
    serde_json::from_str(&user_text(id, bot)).expect("user_text writes valid JSON")
}

fn bot_user_json() -> Value {
    let mut user = user_json(BOT_USER_ID, true);
    let o = user.as_object_mut().expect("object");
    o.insert("verified".into(), json!(true));
    o.insert("mfa_enabled".into(), json!(false));
    o.insert("flags".into(), json!(0));
    user
}

fn message_base(
    id: u64,
    channel_id: u64,
    guild_id: Option<u64>,
    author: Value,
    content: &str,
) -> Value {
    let mut msg = json!({
        "id": id.to_string(),
        "channel_id": channel_id.to_string(),
        "content": content,
        "timestamp": now_timestamp(),
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "components": [],
        "pinned": false,
        "type": 0,
        "flags": 0,
    });
    msg["author"] = author;
    if let Some(guild_id) = guild_id {
        msg.as_object_mut()
            .expect("object")
            .insert("guild_id".into(), json!(guild_id.to_string()));
    }
    msg
}

/// A message object for what the bot sent in `body` (create or edit).
fn bot_message(
    id: u64,
    channel_id: u64,
    guild_id: Option<u64>,
    body: &Value,
    webhook: bool,
) -> Value {
    let content = body.get("content").and_then(Value::as_str).unwrap_or("");
    let mut msg = message_base(
        id,
        channel_id,
        guild_id,
        user_json(BOT_USER_ID, true),
        content,
    );
    merge_message_fields(&mut msg, body, channel_id, guild_id);
    if webhook {
        let o = msg.as_object_mut().expect("object");
        o.insert("webhook_id".into(), json!(APPLICATION_ID.to_string()));
        o.insert("application_id".into(), json!(APPLICATION_ID.to_string()));
    }
    msg
}

/// Copies the fields of a create/edit body into a message object, in response format.
fn merge_message_fields(msg: &mut Value, body: &Value, channel_id: u64, guild_id: Option<u64>) {
    let o = msg.as_object_mut().expect("object");
    if let Some(content) = body.get("content").and_then(Value::as_str) {
        o.insert("content".into(), json!(content));
    }
    if let Some(embeds) = body.get("embeds").and_then(Value::as_array) {
        let embeds: Vec<Value> = embeds
            .iter()
            .map(|e| {
                let mut e = e.clone();
                if let Some(eo) = e.as_object_mut() {
                    eo.entry("type").or_insert_with(|| json!("rich"));
                }
                e
            })
            .collect();
        o.insert("embeds".into(), Value::Array(embeds));
    }
    if let Some(components) = body.get("components").filter(|c| c.is_array()) {
        o.insert("components".into(), components.clone());
    }
    if let Some(tts) = body.get("tts").and_then(Value::as_bool) {
        o.insert("tts".into(), json!(tts));
    }
    if let Some(flags) = body.get("flags").and_then(Value::as_u64) {
        o.insert("flags".into(), json!(flags));
    }
    if let Some(reference) = body.get("message_reference").and_then(Value::as_object) {
        let mut r = reference.clone();
        r.entry("channel_id")
            .or_insert_with(|| json!(channel_id.to_string()));
        if let Some(g) = guild_id {
            r.entry("guild_id").or_insert_with(|| json!(g.to_string()));
        }
        r.remove("fail_if_not_exists");
        o.insert("message_reference".into(), Value::Object(r));
        o.insert("type".into(), json!(19));
    }
}

fn role_json(id: u64, name: &str, permissions: u64, position: u32) -> Value {
    json!({
        "id": id.to_string(),
        "name": name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": null, "tertiary_color": null},
        "hoist": false,
        "icon": null,
        "unicode_emoji": null,
        "position": position,
        "permissions": permissions.to_string(),
        "managed": false,
        "mentionable": false,
        "flags": 0,
    })
}

fn guild_channel_json(channel_id: u64, guild_id: u64, position: usize) -> Value {
    json!({
        "id": channel_id.to_string(),
        "type": 0,
        "guild_id": guild_id.to_string(),
        "name": channel_name(channel_id),
        "position": position,
        "permission_overwrites": [],
        "nsfw": false,
        "topic": null,
        "parent_id": null,
        "last_message_id": null,
        "rate_limit_per_user": 0,
        "flags": 0,
    })
}

fn dm_channel_json(channel_id: u64) -> Value {
    json!({
        "id": channel_id.to_string(),
        "type": 1,
        "last_message_id": null,
        "recipients": [user_json(channel_id & !DM_CHANNEL_BIT, false)],
    })
}

fn member_json(user_id: u64, roles: &[u64]) -> Value {
    json!({
        "user": user_json(user_id, user_id == BOT_USER_ID),
        "roles": ids(roles),
        "joined_at": "2024-01-01T00:00:00.000000+00:00",
        "deaf": false, "mute": false, "flags": 0, "pending": false,
        "nick": null, "avatar": null, "premium_since": null,
    })
}

impl Inner {
    fn roles_json(&self) -> Vec<Value> {
        let mut roles = vec![role_json(
            EVERYONE_ROLE_ID,
            "@everyone",
            self.config.everyone_permissions,
            0,
        )];
        for (i, r) in self.config.roles.iter().enumerate() {
            roles.push(role_json(r.id, &r.name, r.permissions, i as u32 + 1));
        }
        roles
    }

    /// The guild as in `GUILD_CREATE` (also a valid `PartialGuild` for `GET /guilds/{id}`).
    fn guild_json(&self) -> Value {
        let channels: Vec<Value> = self
            .config
            .guild_channels
            .iter()
            .enumerate()
            .map(|(i, &c)| guild_channel_json(c, GUILD_ID, i))
            .collect();
        // Two halves: one json! of this size exceeds the default macro recursion limit.
        let mut guild = json!({
            "id": GUILD_ID.to_string(),
            "name": "Fake Guild",
            "icon": null, "icon_hash": null, "splash": null, "discovery_splash": null,
            "owner_id": OWNER_USER_ID.to_string(),
            "afk_channel_id": null, "afk_timeout": 300,
            "widget_enabled": false, "widget_channel_id": null,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": self.roles_json(),
            "emojis": [],
            "features": [],
            "mfa_level": 0,
            "application_id": null,
            "system_channel_id": null, "system_channel_flags": 0,
            "rules_channel_id": null,
            "max_presences": null, "max_members": 500_000,
            "vanity_url_code": null, "description": null, "banner": null,
        });
        let rest = json!({
            "premium_tier": 0, "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "public_updates_channel_id": null,
            "max_video_channel_users": 25, "max_stage_video_channel_users": 50,
            "nsfw_level": 0,
            "stickers": [],
            "premium_progress_bar_enabled": false,
            "safety_alerts_channel_id": null,
            "incidents_data": null,
            "joined_at": "2024-01-01T00:00:00.000000+00:00",
            "large": false,
            "unavailable": false,
            "member_count": 2,
            "voice_states": [],
            "members": [member_json(BOT_USER_ID, &[])],
            "channels": channels,
            "threads": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
        });
        if let (Some(g), Value::Object(r)) = (guild.as_object_mut(), rest) {
            g.extend(r);
        }
        guild
    }

    fn application_json() -> Value {
        json!({
            "id": APPLICATION_ID.to_string(),
            "name": "faqbot",
            "icon": null,
            "description": "fake application",
            "rpc_origins": [],
            "bot_public": false,
            "bot_require_code_grant": false,
            "owner": user_json(OWNER_USER_ID, false),
            "verify_key": "0000000000000000000000000000000000000000000000000000000000000000",
            "team": null,
            "flags": 0,
            "bot": bot_user_json(),
        })
    }

    fn ready_json(&self, session_id: &str) -> String {
        let guilds: Vec<Value> = if self.config.guild_create {
            vec![json!({"id": GUILD_ID.to_string(), "unavailable": true})]
        } else {
            vec![]
        };
        json!({
            "v": 10,
            "user": bot_user_json(),
            "guilds": guilds,
            "session_id": session_id,
            "resume_gateway_url": self.ws_url,
            "shard": [0, 1],
            "application": {"id": APPLICATION_ID.to_string(), "flags": 0},
        })
        .to_string()
    }

    /// Queues a dispatch (already serialised `d`), or parks it until the next READY/RESUMED.
    fn dispatch(&self, t: &str, d: String) {
        let mut gw = lock(&self.gw);
        if gw.current.as_ref().is_some_and(|c| c.ready) {
            if let Err(d) = emit(&mut gw, t, d) {
                gw.pending.push_back((t.to_owned(), d));
            }
        } else {
            gw.pending.push_back((t.to_owned(), d));
        }
    }

    fn handle_frame(&self, conn_id: u64, tx: &mpsc::UnboundedSender<Out>, text: &str) {
        let Ok(frame) = serde_json::from_str::<Value>(text) else {
            return;
        };
        match frame.get("op").and_then(Value::as_u64) {
            Some(1) => {
                lock(&self.gw).stats.heartbeats += 1;
                if !self.ack_heartbeats.load(Ordering::Relaxed) {
                    return;
                }
                let _ = tx.send(Out::Text(
                    r#"{"op":11,"d":null,"s":null,"t":null}"#.to_owned(),
                ));
            }
            Some(2) => {
                let mut gw = lock(&self.gw);
                gw.stats.identifies += 1;
                gw.last_identify = frame.get("d").cloned();
                if gw.current.as_ref().is_none_or(|c| c.id != conn_id) {
                    return;
                }
                if std::mem::take(&mut gw.session_lost) {
                    gw.stats.dropped += gw.pending.len() as u64;
                    gw.pending.clear();
                }
                gw.session += 1;
                let session_id = format!("fake-session-{}", gw.session);
                gw.session_id = Some(session_id.clone());
                gw.stats.seq = 0;
                let ready = self.ready_json(&session_id);
                let _ = emit(&mut gw, "READY", ready);
                if self.config.guild_create {
                    let guild = self.guild_json().to_string();
                    let _ = emit(&mut gw, "GUILD_CREATE", guild);
                }
                self.became_ready(gw);
            }
            Some(6) => {
                let mut gw = lock(&self.gw);
                gw.stats.resumes += 1;
                if gw.current.as_ref().is_none_or(|c| c.id != conn_id) {
                    return;
                }
                let asked = frame
                    .get("d")
                    .and_then(|d| d.get("session_id"))
                    .and_then(Value::as_str);
                if asked.is_some() && asked == gw.session_id.as_deref() {
                    let _ = emit(&mut gw, "RESUMED", "{}".to_owned());
                    self.became_ready(gw);
                } else {
                    let _ = tx.send(Out::Text(
                        r#"{"op":9,"d":false,"s":null,"t":null}"#.to_owned(),
                    ));
                }
            }
            _ => {}
        }
    }

    /// Marks the current connection ready, flushes parked dispatches, wakes waiters.
    fn became_ready(&self, mut gw: MutexGuard<'_, GwState>) {
        gw.stats.readies += 1;
        if let Some(c) = gw.current.as_mut() {
            c.ready = true;
        }
        while let Some((t, d)) = gw.pending.pop_front() {
            if let Err(d) = emit(&mut gw, &t, d) {
                gw.pending.push_front((t, d));
                break;
            }
        }
        drop(gw);
        self.gw_notify.notify_waiters();
    }

    fn record(&self, rec: Recorded) {
        lock(&self.log).push(rec);
        self.rest_notify.notify_waiters();
    }
}

/// Writes a dispatch with the next sequence number to the current connection. On failure
/// (no connection, or its task is gone) gives `d` back and forgets the connection.
fn emit(gw: &mut GwState, t: &str, d: String) -> Result<(), String> {
    let Some(conn) = gw.current.as_ref() else {
        return Err(d);
    };
    let seq = gw.stats.seq + 1;
    let frame = format!(r#"{{"op":0,"s":{seq},"t":"{t}","d":{d}}}"#);
    if conn.tx.send(Out::Text(frame)).is_ok() {
        gw.stats.seq = seq;
        Ok(())
    } else {
        gw.current = None;
        Err(d)
    }
}

// ---------------------------------------------------------------------------------------------
// Gateway server
// ---------------------------------------------------------------------------------------------

async fn accept_gateway(inner: Arc<Inner>, listener: TcpListener) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let mut gw = lock(&inner.gw);
        gw.next_conn_id += 1;
        let conn_id = gw.next_conn_id;
        gw.tasks.retain(|_, t| !t.is_finished());
        let task = tokio::spawn(run_connection(Arc::clone(&inner), stream, conn_id));
        gw.tasks.insert(conn_id, task.abort_handle());
    }
}

async fn run_connection(inner: Arc<Inner>, stream: TcpStream, conn_id: u64) {
    let Ok(Ok(ws)) = tokio::time::timeout(
        Duration::from_secs(5),
        tokio_tungstenite::accept_async(stream),
    )
    .await
    else {
        return;
    };
    let (mut sink, mut source) = ws.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<Out>();
    {
        let mut gw = lock(&inner.gw);
        gw.stats.connections += 1;
        let hello = json!({
            "op": 10,
            "d": {"heartbeat_interval": inner.config.heartbeat_interval_ms},
            "s": null,
            "t": null,
        });
        let _ = tx.send(Out::Text(hello.to_string()));
        // The newest connection is the current one (serenity drops the old one on resume).
        gw.current = Some(Conn {
            id: conn_id,
            tx: tx.clone(),
            ready: false,
        });
    }
    inner.gw_notify.notify_waiters();
    let mut batch = Vec::with_capacity(64);
    'conn: loop {
        tokio::select! {
            n = rx.recv_many(&mut batch, 256) => {
                if n == 0 {
                    break;
                }
                for out in batch.drain(..) {
                    match out {
                        Out::Text(text) => {
                            if sink.feed(WsMessage::Text(text)).await.is_err() {
                                break 'conn;
                            }
                        },
                        Out::Close(code) => {
                            let frame = CloseFrame { code: CloseCode::from(code), reason: "".into() };
                            let _ = sink.send(WsMessage::Close(Some(frame))).await;
                            break 'conn;
                        },
                    }
                }
                if sink.flush().await.is_err() {
                    break;
                }
            },
            msg = source.next() => match msg {
                Some(Ok(WsMessage::Text(text))) => {
                    inner.handle_frame(conn_id, &tx, text.as_str());
                    // Counters changed: wake `wait_gateway`.
                    inner.gw_notify.notify_waiters();
                },
                Some(Ok(WsMessage::Close(_))) => {
                    // Completes the closing handshake (tungstenite queued our reply): serenity's
                    // shutdown waits for it, or for an error.
                    let _ = tokio::time::timeout(Duration::from_secs(1), sink.close()).await;
                    break;
                },
                Some(Err(_)) | None => break,
                Some(Ok(_)) => {},
            },
        }
    }
    let mut gw = lock(&inner.gw);
    if gw.current.as_ref().is_some_and(|c| c.id == conn_id) {
        gw.current = None;
    }
    gw.tasks.remove(&conn_id);
    drop(gw);
    inner.gw_notify.notify_waiters();
}

// ---------------------------------------------------------------------------------------------
// REST server
// ---------------------------------------------------------------------------------------------

fn json_response(status: u16, text: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if status == StatusCode::NO_CONTENT {
        return status.into_response();
    }
    (status, [(header::CONTENT_TYPE, "application/json")], text).into_response()
}

fn stored_message(inner: &Inner, id: u64) -> Option<Value> {
    let messages = lock(&inner.messages);
    messages.get(&id).and_then(|m| serde_json::from_str(m).ok())
}

/// `POST /channels/{id}/messages` or `POST /webhooks/{app}/{token}`: creates a message.
fn creates_message(method: &str, api_path: &str) -> bool {
    if method != "POST" {
        return false;
    }
    let segs: Vec<&str> = api_path.trim_matches('/').split('/').collect();
    matches!(
        segs.as_slice(),
        ["channels", _, "messages"] | ["webhooks", _, _]
    )
}

fn error_body(status: u16, message: &str, retry_after: Duration) -> Value {
    if status == 429 {
        json!({"message": "You are being rate limited.", "retry_after": retry_after.as_secs_f64(), "global": false})
    } else {
        json!({"message": message, "code": 0})
    }
}

/// Parses a request body: JSON, or a `multipart/form-data` body (Discord's file uploads) into
/// its `payload_json` part and its files. A multipart body that does not parse is recorded as a
/// JSON string saying why, so a test sees it.
async fn parse_body(headers: &HeaderMap, body: Bytes) -> (Value, Vec<Upload>) {
    if body.is_empty() {
        return (Value::Null, Vec::new());
    }
    let multipart = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("multipart/form-data"));
    if !multipart {
        return match serde_json::from_slice::<Value>(&body) {
            Ok(v) => (v, Vec::new()),
            Err(_) => (
                Value::String(String::from_utf8_lossy(&body).into_owned()),
                Vec::new(),
            ),
        };
    }
    match parse_multipart(headers, body).await {
        Ok(parsed) => parsed,
        Err(why) => (
            Value::String(format!("bad multipart body: {why}")),
            Vec::new(),
        ),
    }
}

/// The `payload_json` part (as JSON; `Null` if missing) and the other parts of a multipart
/// body, with axum's parser (multer).
async fn parse_multipart(headers: &HeaderMap, body: Bytes) -> Result<(Value, Vec<Upload>), String> {
    use axum::extract::{FromRequest, Multipart};
    let mut request = axum::extract::Request::new(axum::body::Body::from(body));
    *request.headers_mut() = headers.clone();
    let mut form = Multipart::from_request(request, &())
        .await
        .map_err(|e| e.body_text())?;
    let mut payload = Value::Null;
    let mut files = Vec::new();
    while let Some(field) = form.next_field().await.map_err(|e| e.body_text())? {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(str::to_owned);
        let bytes = field.bytes().await.map_err(|e| e.body_text())?;
        if name == "payload_json" {
            payload = serde_json::from_slice(&bytes)
                .map_err(|e| format!("payload_json is not JSON: {e}"))?;
        } else {
            files.push(Upload {
                name,
                file_name,
                content_type,
                bytes: bytes.to_vec(),
            });
        }
    }
    Ok((payload, files))
}

async fn rest_handler(
    State(inner): State<Arc<Inner>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let at = Instant::now();
    let path = uri.path().to_owned();
    let (body, files) = parse_body(&headers, body).await;
    let method = method.as_str().to_owned();
    inner.in_progress.fetch_add(1, Ordering::SeqCst);
    let delay = {
        let mut delays = lock(&inner.delays);
        let api = strip_api(&path);
        let found = delays
            .iter()
            .position(|d| d.method == method && api.starts_with(&d.prefix));
        found.map(|i| {
            let delay = delays[i].delay;
            delays[i].times -= 1;
            if delays[i].times == 0 {
                delays.remove(i);
            }
            delay
        })
    };
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    let injected = {
        let mut fail = lock(&inner.fail);
        let api = strip_api(&path);
        let found = fail
            .iter()
            .position(|f| f.method == method && api.starts_with(&f.prefix));
        found.map(|i| {
            let status = fail[i].status;
            let retry_after = fail[i].retry_after;
            fail[i].times -= 1;
            if fail[i].times == 0 {
                fail.remove(i);
            }
            (status, retry_after)
        })
    };
    let (status, response) = match injected {
        Some((status, retry_after)) => {
            (status, error_body(status, "Injected failure", retry_after))
        }
        None => route(&inner, &method, strip_api(&path), &body),
    };
    let retry_after = (status == 429).then(|| {
        let seconds = response
            .get("retry_after")
            .and_then(Value::as_f64)
            .unwrap_or(0.0);
        format!("{}", seconds.ceil() as u64)
    });
    let text = if status == 204 {
        String::new()
    } else {
        response.to_string()
    };
    if status == 200 && creates_message(&method, strip_api(&path)) {
        if let Some(id) = response.get("id").and_then(id_of) {
            lock(&inner.messages).insert(id, text.clone());
        }
    }
    let mut reply = json_response(status, text);
    if let Some(value) = retry_after.and_then(|v| header::HeaderValue::from_str(&v).ok()) {
        reply.headers_mut().insert(header::RETRY_AFTER, value);
    }
    let query = uri.query().map(str::to_owned);
    inner.record(Recorded {
        method,
        path,
        query,
        body,
        files,
        status,
        response,
        at,
        answered: Instant::now(),
    });
    inner.in_progress.fetch_sub(1, Ordering::SeqCst);
    reply
}

fn not_found() -> (u16, Value) {
    (404, json!({"message": "Unknown", "code": 0}))
}

#[allow(clippy::too_many_lines)] // one flat routing table reads better than split handlers
fn route(inner: &Inner, method: &str, path: &str, body: &Value) -> (u16, Value) {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let num = |s: &str| s.parse::<u64>().ok();
    match (method, segs.as_slice()) {
        ("GET", ["gateway"]) => (200, json!({"url": inner.ws_url})),
        ("GET", ["gateway", "bot"]) => (
            200,
            json!({
                "url": inner.ws_url,
                "shards": 1,
                "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1},
            }),
        ),
        ("GET", ["oauth2", "applications", "@me"] | ["applications", "@me"]) => {
            (200, Inner::application_json())
        }
        ("GET", ["users", "@me"]) => (200, bot_user_json()),
        ("GET", ["users", user]) => match num(user) {
            Some(id) => (200, user_json(id, id == BOT_USER_ID)),
            None => not_found(),
        },
        ("POST", ["users", "@me", "channels"]) => match body.get("recipient_id").and_then(id_of) {
            Some(user) => (200, dm_channel_json(dm_channel_id(user))),
            None => (400, json!({"message": "Invalid Form Body", "code": 50035})),
        },
        (_, ["applications", app, "commands"]) if num(app) == Some(APPLICATION_ID) => {
            commands_route(inner, method, None, body)
        }
        (_, ["applications", app, "guilds", guild, "commands"])
            if num(app) == Some(APPLICATION_ID) =>
        {
            match num(guild) {
                Some(g) => commands_route(inner, method, Some(g), body),
                None => not_found(),
            }
        }
        ("GET", ["channels", channel]) => match num(channel) {
            Some(c) if c & DM_CHANNEL_BIT != 0 => (200, dm_channel_json(c)),
            Some(c) => {
                let guild = lock(&inner.channel_guild)
                    .get(&c)
                    .copied()
                    .unwrap_or(GUILD_ID);
                (200, guild_channel_json(c, guild, 0))
            }
            None => not_found(),
        },
        ("POST", ["channels", channel, "messages"]) => match num(channel) {
            Some(c) => {
                let guild = guild_of_channel(inner, c);
                let id = snowflake();
                // Stored by `rest_handler`, which serialises it anyway.
                (200, bot_message(id, c, guild, body, false))
            }
            None => not_found(),
        },
        ("GET", ["channels", _, "messages"]) => (200, json!([])),
        ("GET", ["channels", _, "messages", message]) => {
            match num(message).and_then(|m| stored_message(inner, m)) {
                Some(msg) => (200, msg),
                None => not_found(),
            }
        }
        ("PATCH", ["channels", channel, "messages", message]) => match (num(channel), num(message))
        {
            (Some(c), Some(m)) => {
                let guild = guild_of_channel(inner, c);
                let mut msg = stored_message(inner, m)
                    .unwrap_or_else(|| bot_message(m, c, guild, &Value::Null, false));
                merge_message_fields(&mut msg, body, c, guild);
                msg["edited_timestamp"] = json!(now_timestamp());
                lock(&inner.messages).insert(m, msg.to_string());
                (200, msg)
            }
            _ => not_found(),
        },
        ("DELETE", ["channels", _, "messages", _]) | ("POST", ["channels", _, "typing"]) => {
            (204, Value::Null)
        }
        ("PUT" | "DELETE", ["channels", _, "messages", _, "reactions", ..]) => (204, Value::Null),
        ("POST", ["interactions", _, token, "callback"]) => {
            let kind = body.get("type").and_then(Value::as_u64).unwrap_or(0);
            if kind == 4 {
                let mut tokens = lock(&inner.tokens);
                if let Some(info) = tokens.get_mut(*token) {
                    let data = body.get("data").cloned().unwrap_or(Value::Null);
                    info.original = Some(bot_message(
                        snowflake(),
                        info.channel_id,
                        info.guild_id,
                        &data,
                        true,
                    ));
                }
            }
            (204, Value::Null)
        }
        (_, ["webhooks", _, token, rest @ ..]) => webhook_route(inner, method, token, rest, body),
        ("GET", ["guilds", guild]) if num(guild) == Some(GUILD_ID) => (200, inner.guild_json()),
        ("GET", ["guilds", guild, "roles"]) if num(guild) == Some(GUILD_ID) => {
            (200, Value::Array(inner.roles_json()))
        }
        ("GET", ["guilds", guild, "channels"]) if num(guild) == Some(GUILD_ID) => {
            (200, inner.guild_json()["channels"].clone())
        }
        ("GET", ["guilds", _, "members", user]) => match num(user) {
            Some(u) => {
                let roles = lock(&inner.member_roles)
                    .get(&u)
                    .cloned()
                    .unwrap_or_default();
                (200, member_json(u, &roles))
            }
            None => not_found(),
        },
        _ => not_found(),
    }
}

fn guild_of_channel(inner: &Inner, channel_id: u64) -> Option<u64> {
    if channel_id & DM_CHANNEL_BIT != 0 {
        None
    } else {
        Some(
            lock(&inner.channel_guild)
                .get(&channel_id)
                .copied()
                .unwrap_or(GUILD_ID),
        )
    }
}

fn commands_route(inner: &Inner, method: &str, guild: Option<u64>, body: &Value) -> (u16, Value) {
    let complete = |c: &Value| -> Value {
        let mut c = c.clone();
        if let Some(o) = c.as_object_mut() {
            o.insert("id".into(), json!(snowflake().to_string()));
            o.insert("application_id".into(), json!(APPLICATION_ID.to_string()));
            o.insert("version".into(), json!(snowflake().to_string()));
            o.entry("type").or_insert(json!(1));
            o.entry("description").or_insert(json!(""));
            if let Some(g) = guild {
                o.insert("guild_id".into(), json!(g.to_string()));
            }
        }
        c
    };
    let mut commands = lock(&inner.commands);
    match method {
        "GET" => (
            200,
            Value::Array(commands.get(&guild).cloned().unwrap_or_default()),
        ),
        "PUT" => {
            let list: Vec<Value> = body
                .as_array()
                .map(|a| a.iter().map(complete).collect())
                .unwrap_or_default();
            commands.insert(guild, list.clone());
            (200, Value::Array(list))
        }
        "POST" => {
            let command = complete(body);
            let list = commands.entry(guild).or_default();
            let name = command.get("name").cloned();
            list.retain(|c| c.get("name") != name.as_ref());
            list.push(command.clone());
            (201, command)
        }
        _ => not_found(),
    }
}

fn webhook_route(
    inner: &Inner,
    method: &str,
    token: &str,
    rest: &[&str],
    body: &Value,
) -> (u16, Value) {
    let mut tokens = lock(&inner.tokens);
    let Some(info) = tokens.get_mut(token) else {
        return not_found();
    };
    let (channel_id, guild_id) = (info.channel_id, info.guild_id);
    match (method, rest) {
        ("POST", []) => {
            // Stored by `rest_handler`, which serialises it anyway.
            (
                200,
                bot_message(snowflake(), channel_id, guild_id, body, true),
            )
        }
        ("GET", ["messages", "@original"]) => match &info.original {
            Some(msg) => (200, msg.clone()),
            None => not_found(),
        },
        ("PATCH", ["messages", "@original"]) => {
            let msg = info.original.get_or_insert_with(|| {
                bot_message(snowflake(), channel_id, guild_id, &Value::Null, true)
            });
            merge_message_fields(msg, body, channel_id, guild_id);
            (200, msg.clone())
        }
        ("DELETE", ["messages", _]) => (204, Value::Null),
        (_, ["messages", message]) => {
            let Some(m) = message.parse::<u64>().ok() else {
                return not_found();
            };
            drop(tokens);
            match method {
                "GET" => stored_message(inner, m).map_or_else(not_found, |msg| (200, msg)),
                "PATCH" => {
                    let mut msg = stored_message(inner, m).unwrap_or_else(|| {
                        bot_message(m, channel_id, guild_id, &Value::Null, true)
                    });
                    merge_message_fields(&mut msg, body, channel_id, guild_id);
                    lock(&inner.messages).insert(m, msg.to_string());
                    (200, msg)
                }
                _ => not_found(),
            }
        }
        _ => not_found(),
    }
}
