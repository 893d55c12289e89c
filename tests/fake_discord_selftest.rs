//! Proves the fake Discord in `tests/support/fake_discord.rs` with plain serenity and poise
//! clients (no faqbot code): the real clients connect to it, get events, and their REST calls
//! are recorded and answered with payloads they accept.

use crate::support;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use poise::serenity_prelude as serenity;
use serde_json::json;
use serenity::{
    ClientBuilder, Context, CreateActionRow, CreateAllowedMentions, CreateButton, CreateEmbed,
    CreateInteractionResponse, CreateInteractionResponseMessage, CreateMessage, EventHandler,
    GatewayIntents, GuildId, HttpBuilder, Interaction, Message, ShardManager,
};
use support::fake_discord::{
    dm_channel_id, message_json, opt_focused, opt_str, opt_sub, snowflake, FakeConfig, FakeDiscord,
    InteractionSpec, MessageSpec, Recorded, APPLICATION_ID, BOT_USER_ID, GUILD_CHANNEL_ID,
    GUILD_ID, MOD_ROLE_ID, OWNER_USER_ID, USER_ID,
};
use tokio::task::JoinHandle;

/// Bound on every wait in these tests.
const T: Duration = Duration::from_secs(10);

fn intents() -> GatewayIntents {
    GatewayIntents::GUILD_MESSAGES
        | GatewayIntents::DIRECT_MESSAGES
        | GatewayIntents::MESSAGE_CONTENT
}

fn http_for(fake: &FakeDiscord) -> serenity::Http {
    HttpBuilder::new("fake-token")
        .proxy(fake.base_url())
        .ratelimiter_disabled(true)
        .build()
}

/// What the echo handler saw.
#[derive(Default)]
struct Seen {
    errors: AtomicUsize,
    guild_create: AtomicBool,
    components: AtomicUsize,
}

struct Echo(Arc<Seen>);

#[serenity::async_trait]
impl EventHandler for Echo {
    async fn message(&self, ctx: Context, msg: Message) {
        if msg.author.bot {
            return;
        }
        let reply = CreateMessage::new()
            .content(format!("echo: {}", msg.content))
            .reference_message(&msg)
            .allowed_mentions(CreateAllowedMentions::new())
            .embed(
                CreateEmbed::new()
                    .title("t")
                    .description("d")
                    .field("f", "v", true),
            )
            .components(vec![CreateActionRow::Buttons(vec![CreateButton::new(
                "more",
            )
            .label("More")])]);
        // `&ctx` (not `&ctx.http`): with the guild cached, serenity checks permissions first.
        if msg.channel_id.send_message(&ctx, reply).await.is_err() {
            self.0.errors.fetch_add(1, Ordering::SeqCst);
        }
    }

    async fn guild_create(&self, _ctx: Context, guild: serenity::Guild, _is_new: Option<bool>) {
        if guild.id == GuildId::new(GUILD_ID) && guild.channels.len() == 1 && guild.roles.len() == 2
        {
            self.0.guild_create.store(true, Ordering::SeqCst);
        }
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        if let Interaction::Component(click) = interaction {
            self.0.components.fetch_add(1, Ordering::SeqCst);
            let text = format!(
                "clicked: {} on {}",
                click.data.custom_id, click.message.content
            );
            let response = CreateInteractionResponse::Message(
                CreateInteractionResponseMessage::new().content(text),
            );
            if click.create_response(&ctx.http, response).await.is_err() {
                self.0.errors.fetch_add(1, Ordering::SeqCst);
            }
        }
    }
}

struct Running {
    shards: Arc<ShardManager>,
    task: JoinHandle<()>,
}

impl Running {
    async fn stop(self, fake: &FakeDiscord) {
        let stopped = tokio::time::timeout(T, fake.nudge_during(self.shards.shutdown_all())).await;
        assert!(stopped.is_ok(), "shutdown_all did not finish");
        assert!(
            tokio::time::timeout(T, self.task).await.is_ok(),
            "client did not stop"
        );
    }
}

async fn start_echo(fake: &FakeDiscord) -> (Running, Arc<Seen>) {
    let seen = Arc::new(Seen::default());
    let mut client = ClientBuilder::new_with_http(http_for(fake), intents())
        .event_handler(Echo(Arc::clone(&seen)))
        .await
        .expect("client");
    let shards = Arc::clone(&client.shard_manager);
    let task = tokio::spawn(async move {
        let _ = client.start().await;
    });
    assert!(fake.wait_ready(T).await, "client never got READY");
    (Running { shards, task }, seen)
}

async fn reply_to(fake: &FakeDiscord, channel: u64, message_id: u64) -> Recorded {
    fake.wait_for(
        |r| r.is_message_in(channel) && r.reply_to() == Some(message_id) && r.status == 200,
        T,
    )
    .await
    .unwrap_or_else(|| panic!("no reply to {message_id}; requests: {:#?}", fake.requests()))
}

#[tokio::test]
async fn message_gets_one_reply_with_reference() {
    let fake = FakeDiscord::start().await;
    let (client, seen) = start_echo(&fake).await;
    assert!(fake.count(|r| r.is("GET", "/gateway")) >= 1);
    let identify = fake.last_identify().expect("identify");
    assert_eq!(identify["intents"].as_u64(), Some(intents().bits()));
    assert_eq!(fake.identify_count(), 1);

    let id = fake.message_create(&MessageSpec::guild("hello"));
    let reply = reply_to(&fake, GUILD_CHANNEL_ID, id).await;
    assert_eq!(reply.content(), Some("echo: hello"));
    assert_eq!(reply.body["allowed_mentions"]["parse"], json!([]));
    assert_eq!(
        reply.body["message_reference"]["channel_id"].as_str(),
        Some(GUILD_CHANNEL_ID.to_string().as_str())
    );
    assert_eq!(
        reply.response["author"]["id"].as_str(),
        Some(BOT_USER_ID.to_string().as_str())
    );
    assert!(fake.sent_at(id).is_some_and(|t| t <= reply.at));

    // A DM is answered in the DM channel.
    let dm = fake.message_create(&MessageSpec::dm(USER_ID, "psst"));
    let dm_reply = reply_to(&fake, dm_channel_id(USER_ID), dm).await;
    assert_eq!(dm_reply.content(), Some("echo: psst"));

    // Bots are ignored, and each message got exactly one reply.
    let bot_msg = fake.message_create(&MessageSpec {
        author_bot: true,
        author_id: 42,
        ..MessageSpec::guild("beep")
    });
    let later = fake.message_create(&MessageSpec::guild("later"));
    reply_to(&fake, GUILD_CHANNEL_ID, later).await;
    assert_eq!(fake.count(|r| r.reply_to() == Some(bot_msg)), 0);
    assert_eq!(fake.count(|r| r.reply_to() == Some(id)), 1);

    // A click on the bot's reply (the message the fake created) reaches the handler.
    let click =
        fake.component_interaction(&InteractionSpec::member(), "more", reply.response.clone());
    let answer = fake
        .wait_for(|r| r.is_callback_of(click), T)
        .await
        .expect("component callback");
    assert_eq!(answer.data_content(), Some("clicked: more on echo: hello"));

    assert!(
        seen.guild_create.load(Ordering::SeqCst),
        "GUILD_CREATE did not reach the cache"
    );
    assert_eq!(
        seen.errors.load(Ordering::SeqCst),
        0,
        "requests: {:#?}",
        fake.requests()
    );
    assert_eq!(seen.components.load(Ordering::SeqCst), 1);
    client.stop(&fake).await;
}

#[tokio::test]
async fn reconnects_after_dropped_gateway() {
    let fake = FakeDiscord::start().await;
    let (client, seen) = start_echo(&fake).await;
    let first = fake.message_create(&MessageSpec::guild("one"));
    reply_to(&fake, GUILD_CHANNEL_ID, first).await;

    assert!(fake.drop_gateway());
    // Sent while the client reconnects: parked until RESUMED.
    let second = fake.message_create(&MessageSpec::guild("two"));
    let reconnected = fake
        .wait_gateway(|s| s.ready && s.resumes + s.identifies >= 2, T)
        .await;
    assert!(reconnected, "no reconnect: {:?}", fake.gateway_stats());
    assert_eq!(
        fake.resume_count(),
        1,
        "serenity should RESUME, not IDENTIFY again"
    );
    assert_eq!(fake.connection_count(), 2);
    reply_to(&fake, GUILD_CHANNEL_ID, second).await;

    // A close frame with a resumable code: resumed again.
    assert!(fake.close_gateway(4000));
    let third = fake.message_create(&MessageSpec::guild("three"));
    assert!(
        fake.wait_gateway(|s| s.ready && s.resumes >= 2, T).await,
        "{:?}",
        fake.gateway_stats()
    );
    reply_to(&fake, GUILD_CHANNEL_ID, third).await;

    assert_eq!(seen.errors.load(Ordering::SeqCst), 0);
    client.stop(&fake).await;
}

#[tokio::test]
async fn heartbeats_are_acknowledged() {
    let config = FakeConfig {
        heartbeat_interval_ms: 40,
        ..FakeConfig::default()
    };
    let fake = FakeDiscord::start_with(config).await;
    let (client, _seen) = start_echo(&fake).await;
    // serenity checks its heartbeat timer between gateway reads (500 ms timeout), so ~2 per s.
    let beating = fake.wait_gateway(|s| s.heartbeats >= 2, T).await;
    assert!(beating, "{:?}", fake.gateway_stats());
    // Acked, so no reconnect happened.
    assert_eq!(
        (
            fake.connection_count(),
            fake.identify_count(),
            fake.resume_count()
        ),
        (1, 1, 0)
    );
    client.stop(&fake).await;
}

#[tokio::test]
async fn failed_reply_then_next_message_answered() {
    let fake = FakeDiscord::start().await;
    let (client, seen) = start_echo(&fake).await;
    fake.fail_next("POST", "/channels/", 500);

    let first = fake.message_create(&MessageSpec::guild("fails"));
    let failed = fake
        .wait_for(|r| r.reply_to() == Some(first), T)
        .await
        .expect("the reply was attempted");
    assert_eq!(failed.status, 500);
    assert_eq!(failed.response["code"], json!(0));

    let second = fake.message_create(&MessageSpec::guild("works"));
    let ok = reply_to(&fake, GUILD_CHANNEL_ID, second).await;
    assert_eq!(ok.content(), Some("echo: works"));
    assert_eq!(
        seen.errors.load(Ordering::SeqCst),
        1,
        "exactly the injected failure"
    );
    client.stop(&fake).await;
}

/// The REST answers deserialise into serenity's models.
#[tokio::test]
async fn rest_answers_deserialise() {
    let fake = FakeDiscord::start().await;
    let http = http_for(&fake);
    let me = http.get_current_user().await.expect("users/@me");
    assert_eq!(me.id.get(), BOT_USER_ID);
    let app = http
        .get_current_application_info()
        .await
        .expect("application");
    assert_eq!(app.id.get(), APPLICATION_ID);
    assert_eq!(app.owner.expect("owner").id.get(), OWNER_USER_ID);
    let gateway = http.get_bot_gateway().await.expect("gateway/bot");
    assert_eq!(gateway.url, fake.ws_url());
    let channel = http
        .get_channel(GUILD_CHANNEL_ID.into())
        .await
        .expect("guild channel");
    assert_eq!(
        channel.guild().expect("guild channel").guild_id.get(),
        GUILD_ID
    );
    let dm = http
        .get_channel(dm_channel_id(USER_ID).into())
        .await
        .expect("dm channel");
    assert_eq!(dm.private().expect("dm").recipient.id.get(), USER_ID);
    let created = serenity::UserId::new(USER_ID)
        .create_dm_channel(&http)
        .await
        .expect("create dm");
    assert_eq!(created.id.get(), dm_channel_id(USER_ID));
    let guild = http.get_guild(GUILD_ID.into()).await.expect("guild");
    assert_eq!(guild.roles.len(), 2);
    let member = http
        .get_member(GUILD_ID.into(), USER_ID.into())
        .await
        .expect("member");
    assert_eq!(member.user.id.get(), USER_ID);
    let roles = http.get_guild_roles(GUILD_ID.into()).await.expect("roles");
    assert!(roles.iter().any(|r| r.id.get() == MOD_ROLE_ID));
    let err = http
        .get_guild(12_345.into())
        .await
        .expect_err("unknown guild");
    assert!(err.to_string().contains("Unknown"), "{err}");

    // Builder payloads deserialise too (checked here, not only through the gateway).
    let msg: Message = serde_json::from_value(message_json(
        snowflake(),
        &MessageSpec {
            mentions_bot: true,
            reply_to: Some(7),
            member_roles: vec![MOD_ROLE_ID],
            ..MessageSpec::guild("x")
        },
    ))
    .expect("message json");
    assert_eq!(msg.mentions[0].id.get(), BOT_USER_ID);
    assert_eq!(
        fake.requests().len(),
        fake.count(|r| r.method == "GET" || r.method == "POST")
    );
}

// ----- poise -------------------------------------------------------------------------------

type Error = Box<dyn std::error::Error + Send + Sync>;
type PoiseCtx<'a> = poise::Context<'a, (), Error>;

/// Replies pong.
#[poise::command(slash_command)]
async fn ping(ctx: PoiseCtx<'_>) -> Result<(), Error> {
    ctx.say("pong").await?;
    Ok(())
}

/// FAQ commands.
#[allow(clippy::unused_async)] // poise needs an async fn even for a parent without a body
#[poise::command(slash_command, subcommands("show"))]
async fn faq(_ctx: PoiseCtx<'_>) -> Result<(), Error> {
    Ok(())
}

#[allow(clippy::unused_async)] // poise calls autocomplete callbacks as async fns
async fn topics(_ctx: PoiseCtx<'_>, partial: &str) -> serenity::CreateAutocompleteResponse {
    let choices = ["sleep", "feeding", "toys"]
        .into_iter()
        .filter(|t| t.starts_with(partial))
        .map(serenity::AutocompleteChoice::from)
        .collect();
    serenity::CreateAutocompleteResponse::new().set_choices(choices)
}

/// Shows a topic.
#[poise::command(slash_command)]
async fn show(ctx: PoiseCtx<'_>, #[autocomplete = "topics"] topic: String) -> Result<(), Error> {
    ctx.say(format!("topic: {topic}")).await?;
    Ok(())
}

/// Only for moderators.
#[poise::command(slash_command, required_permissions = "MANAGE_GUILD")]
async fn admin(ctx: PoiseCtx<'_>) -> Result<(), Error> {
    let reply = ctx.say("admin ok").await?;
    reply
        .edit(ctx, poise::CreateReply::default().content("admin edited"))
        .await?;
    ctx.say("follow-up").await?;
    Ok(())
}

/// Quotes a message.
#[poise::command(context_menu_command = "Quote")]
async fn quote(ctx: PoiseCtx<'_>, msg: Message) -> Result<(), Error> {
    ctx.say(format!("quoted: {}", msg.content)).await?;
    Ok(())
}

async fn start_poise(fake: &FakeDiscord) -> Running {
    let framework = poise::Framework::<(), Error>::builder()
        .options(poise::FrameworkOptions {
            commands: vec![ping(), faq(), admin(), quote()],
            ..Default::default()
        })
        .setup(|ctx, _ready, framework| {
            Box::pin(async move {
                poise::builtins::register_globally(ctx, &framework.options().commands).await?;
                Ok(())
            })
        })
        .build();
    let mut client = ClientBuilder::new_with_http(http_for(fake), intents())
        .framework(framework)
        .await
        .expect("client");
    let shards = Arc::clone(&client.shard_manager);
    let task = tokio::spawn(async move {
        let _ = client.start().await;
    });
    assert!(fake.wait_ready(T).await, "client never got READY");
    Running { shards, task }
}

fn callback(
    fake: &FakeDiscord,
    id: u64,
) -> impl std::future::Future<Output = Option<Recorded>> + '_ {
    fake.wait_for(move |r| r.is_callback_of(id), T)
}

#[tokio::test]
async fn poise_slash_commands() {
    let fake = FakeDiscord::start().await;
    let client = start_poise(&fake).await;
    let put = fake
        .wait_for(
            |r| r.is("PUT", &format!("/applications/{APPLICATION_ID}/commands")),
            T,
        )
        .await
        .expect("commands registered");
    let names: Vec<&str> = put
        .body
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(names, ["ping", "faq", "admin", "Quote"]);
    assert!(fake.count(|r| r.is("GET", "/oauth2/applications/@me")) >= 1);

    let id = fake.command_interaction(&InteractionSpec::member(), "ping", json!([]));
    let pong = callback(&fake, id).await.expect("ping callback");
    assert_eq!(
        (pong.callback_type(), pong.data_content()),
        (Some(4), Some("pong"))
    );
    assert_eq!(pong.status, 204);

    let id = fake.command_interaction(
        &InteractionSpec::member(),
        "faq",
        json!([opt_sub("show", &[opt_str("topic", "sleep")])]),
    );
    let shown = callback(&fake, id).await.expect("faq show callback");
    assert_eq!(shown.data_content(), Some("topic: sleep"));

    let id = fake.autocomplete_interaction(
        &InteractionSpec::member(),
        "faq",
        json!([opt_sub("show", &[opt_focused("topic", "s")])]),
    );
    let choices = callback(&fake, id).await.expect("autocomplete callback");
    assert_eq!(choices.callback_type(), Some(8));
    assert_eq!(choices.body["data"]["choices"][0]["name"], json!("sleep"));

    // Without MANAGE_GUILD poise refuses; with it the command runs, edits and follows up.
    let id = fake.command_interaction(&InteractionSpec::member(), "admin", json!([]));
    let refused = callback(&fake, id).await.expect("refusal");
    assert_ne!(refused.data_content(), Some("admin ok"));
    let id = fake.command_interaction(&InteractionSpec::moderator(), "admin", json!([]));
    let ok = callback(&fake, id).await.expect("admin callback");
    assert_eq!(ok.data_content(), Some("admin ok"));
    let edit = fake
        .wait_for(
            |r| r.starts("PATCH", "/webhooks/") && r.path.ends_with("/@original"),
            T,
        )
        .await
        .expect("edit");
    assert_eq!(edit.content(), Some("admin edited"));
    let follow = fake
        .wait_for(
            |r| r.starts("POST", &format!("/webhooks/{APPLICATION_ID}/")),
            T,
        )
        .await
        .expect("follow-up");
    assert_eq!((follow.status, follow.content()), (200, Some("follow-up")));

    // Message context menu on a message.
    let target = message_json(snowflake(), &MessageSpec::guild("quote me"));
    let id = fake.message_command_interaction(&InteractionSpec::member(), "Quote", target);
    let quoted = callback(&fake, id).await.expect("quote callback");
    assert_eq!(quoted.data_content(), Some("quoted: quote me"));

    // In DMs the interaction carries `user` instead of `member`.
    let id = fake.command_interaction(&InteractionSpec::dm(USER_ID), "ping", json!([]));
    callback(&fake, id).await.expect("dm ping callback");

    let unknown = fake.count(|r| r.status == 404);
    assert_eq!(unknown, 0, "unexpected 404s: {:#?}", fake.requests());
    client.stop(&fake).await;
}

/// Throughput of fake + plain serenity echo client: 10 000 `MESSAGE_CREATE`, one reply each.
/// Ignored by default; run with
/// `cargo test --release --test integration fake_discord_selftest:: -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "load check, run on demand (in release)"]
async fn load_10k_messages() {
    const N: usize = 10_000;
    let fake = FakeDiscord::start().await;
    let (client, seen) = start_echo(&fake).await;
    let start = std::time::Instant::now();
    for i in 0..N {
        fake.message_create(&MessageSpec::guild(&format!("m{i}")));
    }
    let replies = fake
        .wait_for_count(
            |r| r.is_message_in(GUILD_CHANNEL_ID),
            N,
            Duration::from_secs(120),
        )
        .await;
    let elapsed = start.elapsed();
    let mut latencies: Vec<Duration> = fake
        .requests()
        .iter()
        .filter_map(|r| Some(r.at - fake.sent_at(r.reply_to()?)?))
        .collect();
    latencies.sort();
    let rate = replies as f64 / elapsed.as_secs_f64();
    eprintln!(
        "{replies} replies in {elapsed:?} = {rate:.0}/s; latency p50 {:?} p99 {:?} (all queued at once)",
        latencies[latencies.len() / 2],
        latencies[latencies.len() * 99 / 100],
    );
    assert_eq!(replies, N);
    assert_eq!(seen.errors.load(Ordering::SeqCst), 0);
    if !cfg!(debug_assertions) {
        assert!(rate >= 2000.0, "{rate:.0} replies/s");
    }
    client.stop(&fake).await;
}
