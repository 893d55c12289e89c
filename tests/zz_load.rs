mod support;
use poise::serenity_prelude as serenity;
use std::time::{Duration, Instant};
use support::fake_discord::*;
struct H;
#[serenity::async_trait]
impl serenity::EventHandler for H {
    async fn message(&self, ctx: serenity::Context, msg: serenity::Message) {
        let b = serenity::CreateMessage::new()
            .content(format!("echo: {}", msg.content))
            .reference_message(&msg);
        let _ = msg.channel_id.send_message(&ctx, b).await;
    }
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load() {
    let fake = FakeDiscord::start().await;
    let http = serenity::HttpBuilder::new("t")
        .proxy(fake.base_url())
        .ratelimiter_disabled(true)
        .build();
    let mut client =
        serenity::ClientBuilder::new_with_http(http, serenity::GatewayIntents::GUILD_MESSAGES)
            .event_handler(H)
            .await
            .unwrap();
    let sm = client.shard_manager.clone();
    let task = tokio::spawn(async move {
        let _ = client.start().await;
    });
    assert!(fake.wait_ready(Duration::from_secs(10)).await);
    let n = 10_000;
    let t0 = Instant::now();
    for i in 0..n {
        fake.message_create(&MessageSpec::guild(&format!("m{i}")));
    }
    let queued = t0.elapsed();
    let got = fake
        .wait_for_count(
            |r| r.is_message_in(GUILD_CHANNEL_ID),
            n,
            Duration::from_secs(60),
        )
        .await;
    let el = t0.elapsed();
    let mut lat: Vec<Duration> = fake
        .requests()
        .iter()
        .filter_map(|r| Some(r.at - fake.sent_at(r.reply_to()?)?))
        .collect();
    lat.sort();
    eprintln!(
        "queued in {queued:?}; {got} replies in {el:?} = {:.0}/s; p50 {:?} p99 {:?}",
        got as f64 / el.as_secs_f64(),
        lat[lat.len() / 2],
        lat[lat.len() * 99 / 100]
    );
    fake.nudge_during(sm.shutdown_all()).await;
    let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
}
