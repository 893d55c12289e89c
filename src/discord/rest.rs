//! Bot posts with Discord's rate limits honoured, also through `DISCORD_API_PROXY`: replies
//! and channel posts ([`Rest::send_message`], with a file [`Rest::send_message_with_file`]),
//! interaction responses
//! ([`Rest::create_interaction_response`], for slash commands and button clicks alike) and
//! their follow-ups ([`Rest::create_followup`]).
//!
//! With a proxy, serenity 0.12.5 runs without its own rate limiter (it applies the proxy only
//! then), so a 429 the proxy passes on reaches the caller at once, and serenity's error for it
//! has dropped the `retry_after` (when the body has no `code`, as Discord's 429 bodies do, it
//! reads "Could not decode json ... missing field `code`"). Through a proxy these calls post
//! the request serenity would build itself, in one loop ([`Rest::post`]): wait `retry_after` on
//! a 429 and try again, within [`MAX_ATTEMPTS`] and a total wait ([`MAX_RATE_LIMIT_WAIT`], or
//! [`MAX_CALLBACK_WAIT`] for an interaction's first response). Without a proxy, serenity's rate
//! limiter waits and retries, and the call goes straight to serenity.

use serenity::all::{
    ChannelId, CreateAttachment, CreateInteractionResponse, CreateInteractionResponseFollowup,
    CreateMessage, EditMessage, Http, InteractionId, Message, MessageId,
};
use serenity::builder::Builder as _;
use serenity::http::{
    ErrorResponse, HttpError, LightMethod, Multipart, MultipartUpload, Request, Route,
};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use tracing::debug;

/// Tries of one call (the first and the retries) before it is given up.
pub const MAX_ATTEMPTS: u32 = 5;

/// The most a message waits for rate limits in all; a 429 asking for longer is given up at
/// once. A parent who waited longer than this for an answer has moved on, and a reply held
/// longer would also hold shutdown.
pub const MAX_RATE_LIMIT_WAIT: Duration = Duration::from_secs(10);

/// The most an interaction's first response waits for rate limits in all: Discord takes it
/// only within 3 s of the click or command, and the retry itself needs time on the wire.
pub const MAX_CALLBACK_WAIT: Duration = Duration::from_millis(2500);

/// The wait after a 429 that says neither `retry_after` nor `Retry-After`.
pub const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(1);

/// Why a post was not made.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Discord (or the proxy) kept answering 429 until the bounds ran out.
    #[error(
        "rate limited by Discord (429{}) on {route}: gave up after {attempts} attempt(s) and \
         {:.2} s of waiting; the last 429 said retry after {:.2} s",
        if *.global { ", global" } else { "" },
        .waited.as_secs_f64(),
        .retry_after.as_secs_f64()
    )]
    RateLimited {
        /// Method and path, e.g. `POST /api/v10/channels/1/messages` (an interaction's token
        /// shown as `:token`).
        route: String,
        /// Tries made.
        attempts: u32,
        /// Time spent waiting between them.
        waited: Duration,
        /// The wait the last 429 asked for.
        retry_after: Duration,
        /// Whether the last 429 was the global limit.
        global: bool,
    },
    /// Any other failure, as serenity reports it.
    #[error(transparent)]
    Serenity(#[from] serenity::Error),
}

/// How long a 429 asks to wait: the body's `retry_after` (seconds, fractional), else the
/// `Retry-After` header, else [`DEFAULT_RETRY_AFTER`]; and whether it is the global limit.
///
/// ```
/// use faqbot::discord::rest::{retry_after, DEFAULT_RETRY_AFTER};
/// use std::time::Duration;
/// let body = br#"{"message":"You are being rate limited.","retry_after":0.25,"global":false}"#;
/// assert_eq!(retry_after(None, body), (Duration::from_millis(250), false));
/// assert_eq!(retry_after(Some("2"), b""), (Duration::from_secs(2), false));
/// assert_eq!(retry_after(None, b"<html>"), (DEFAULT_RETRY_AFTER, false));
/// ```
#[must_use]
pub fn retry_after(header: Option<&str>, body: &[u8]) -> (Duration, bool) {
    let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let global = json
        .as_ref()
        .and_then(|j| j.get("global"))
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false);
    let seconds = json
        .as_ref()
        .and_then(|j| j.get("retry_after"))
        .and_then(serde_json::Value::as_f64)
        .or_else(|| header.and_then(|h| h.trim().parse::<f64>().ok()))
        .filter(|s| s.is_finite() && *s >= 0.0);
    let wait = seconds
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .unwrap_or(DEFAULT_RETRY_AFTER);
    (wait, global)
}

/// Posts messages: through serenity, or (with a proxy) itself, retrying on 429.
#[derive(Clone)]
pub struct Rest {
    http: Arc<Http>,
    /// The HTTP client serenity was given, when a proxy is set.
    proxied: Option<reqwest::Client>,
}

impl fmt::Debug for Rest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rest")
            .field("proxy", &self.http.proxy)
            .finish_non_exhaustive()
    }
}

impl Rest {
    /// Posts through `http`; `proxied` is the client `http` was built with when it has a proxy
    /// (and so no rate limiter of its own).
    #[must_use]
    pub fn new(http: Arc<Http>, proxied: Option<reqwest::Client>) -> Self {
        let proxied = proxied.filter(|_| http.proxy.is_some() && http.ratelimiter.is_none());
        Self { http, proxied }
    }

    /// Posts `message` in `channel`, waiting out rate limits (see the module docs).
    pub async fn send_message(
        &self,
        channel: ChannelId,
        message: CreateMessage,
    ) -> Result<Message, SendError> {
        if self.proxied.is_none() {
            return Ok(channel.send_message(&self.http, message).await?);
        }
        let route = Route::ChannelMessages {
            channel_id: channel,
        };
        let bytes = self
            .post(route, &message, None, MAX_RATE_LIMIT_WAIT)
            .await?;
        Ok(serde_json::from_slice(&bytes).map_err(serenity::Error::Json)?)
    }

    /// Posts `message` with `file` attached in `channel` (a `multipart/form-data` upload: the
    /// message as `payload_json`, the file as `files[0]`), waiting out rate limits.
    pub async fn send_message_with_file(
        &self,
        channel: ChannelId,
        message: CreateMessage,
        file: CreateAttachment,
    ) -> Result<Message, SendError> {
        if self.proxied.is_none() {
            return Ok(channel
                .send_message(&self.http, message.add_file(file))
                .await?);
        }
        // The message's JSON lists the file with the placeholder id 0 (a new attachment's id
        // until serenity numbers them), which is the form part `files[0]`.
        let message = message.add_file(file.clone());
        let route = Route::ChannelMessages {
            channel_id: channel,
        };
        let bytes = self
            .post(route, &message, Some(file), MAX_RATE_LIMIT_WAIT)
            .await?;
        Ok(serde_json::from_slice(&bytes).map_err(serenity::Error::Json)?)
    }

    /// Edits the bot's message `message` in `channel` (a review queue post), waiting out rate
    /// limits.
    pub async fn edit_message(
        &self,
        channel: ChannelId,
        message: MessageId,
        edit: EditMessage,
    ) -> Result<Message, SendError> {
        if self.proxied.is_none() {
            return Ok(channel.edit_message(&self.http, message, edit).await?);
        }
        let route = Route::ChannelMessage {
            channel_id: channel,
            message_id: message,
        };
        let bytes = self
            .call(LightMethod::Patch, route, &edit, None, MAX_RATE_LIMIT_WAIT)
            .await?;
        Ok(serde_json::from_slice(&bytes).map_err(serenity::Error::Json)?)
    }

    /// Answers interaction `id` (its first response: a message, a deferral, an update of the
    /// clicked message), waiting out rate limits within [`MAX_CALLBACK_WAIT`].
    pub async fn create_interaction_response(
        &self,
        id: InteractionId,
        token: &str,
        response: CreateInteractionResponse,
    ) -> Result<(), SendError> {
        if self.proxied.is_none() {
            return Ok(response.execute(&*self.http, (id, token)).await?);
        }
        let route = Route::InteractionResponse {
            interaction_id: id,
            token,
        };
        self.post(route, &response, None, MAX_CALLBACK_WAIT).await?;
        Ok(())
    }

    /// Sends a follow-up message to the interaction with `token` (after its first response),
    /// waiting out rate limits.
    pub async fn create_followup(
        &self,
        token: &str,
        followup: CreateInteractionResponseFollowup,
    ) -> Result<Message, SendError> {
        if self.proxied.is_none() {
            return Ok(followup.execute(&*self.http, (None, token)).await?);
        }
        let application_id = self
            .http
            .application_id()
            .ok_or(serenity::Error::Http(HttpError::ApplicationIdMissing))?;
        let route = Route::WebhookFollowupMessages {
            application_id,
            token,
        };
        let bytes = self
            .post(route, &followup, None, MAX_RATE_LIMIT_WAIT)
            .await?;
        Ok(serde_json::from_slice(&bytes).map_err(serenity::Error::Json)?)
    }

    /// The one retry loop: POSTs `body` as JSON to `route` through the proxy (with `file`: as
    /// the `payload_json` of a multipart form with the file as `files[0]`); on a 429 waits
    /// `retry_after` and tries again, at most [`MAX_ATTEMPTS`] tries and `budget` of waiting in
    /// all. Returns the body of the successful answer.
    async fn post(
        &self,
        route: Route<'_>,
        body: &impl serde::Serialize,
        file: Option<CreateAttachment>,
        budget: Duration,
    ) -> Result<Vec<u8>, SendError> {
        self.call(LightMethod::Post, route, body, file, budget)
            .await
    }

    /// [`Rest::post`] with another method (`PATCH` for edits).
    async fn call(
        &self,
        method: LightMethod,
        route: Route<'_>,
        body: &impl serde::Serialize,
        file: Option<CreateAttachment>,
        budget: Duration,
    ) -> Result<Vec<u8>, SendError> {
        let Some(client) = &self.proxied else {
            return Err(serenity::Error::Other("Rest::post needs the proxy client").into());
        };
        let body = serde_json::to_vec(body).map_err(serenity::Error::Json)?;
        let multipart = match file {
            None => None,
            Some(file) => Some(Multipart {
                upload: MultipartUpload::Attachments(vec![file]),
                fields: Vec::new(),
                payload_json: Some(
                    String::from_utf8(body.clone())
                        .map_err(|_| serenity::Error::Other("the JSON body is not UTF-8"))?,
                ),
            }),
        };
        let mut waited = Duration::ZERO;
        let mut attempts = 0;
        loop {
            attempts += 1;
            let request = Request::new(route, method);
            let request = match &multipart {
                Some(form) => request.multipart(Some(form.clone())),
                None => request.body(Some(body.clone())),
            };
            let request = request
                .build(client, self.http.token(), self.http.proxy.as_deref())?
                .build()
                .map_err(serenity::Error::from)?;
            let response = client
                .execute(request)
                .await
                .map_err(serenity::Error::from)?;
            let status = response.status();
            if status.is_success() {
                let bytes = response.bytes().await.map_err(serenity::Error::from)?;
                return Ok(bytes.to_vec());
            }
            if status != reqwest::StatusCode::TOO_MANY_REQUESTS {
                let error = ErrorResponse::from_response(response, method.reqwest_method()).await;
                return Err(serenity::Error::Http(HttpError::UnsuccessfulRequest(error)).into());
            }
            let header = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let bytes = response.bytes().await.unwrap_or_default();
            let (wait, global) = retry_after(header.as_deref(), &bytes);
            if attempts >= MAX_ATTEMPTS || waited + wait > budget {
                return Err(SendError::RateLimited {
                    route: method_route_name(method, route),
                    attempts,
                    waited,
                    retry_after: wait,
                    global,
                });
            }
            debug!(route = %method_route_name(method, route), attempt = attempts, retry_after_ms = wait.as_millis(), global, "rate limited; retrying");
            tokio::time::sleep(wait).await;
            waited += wait;
        }
    }
}

/// [`route_name`] with the method of the call.
fn method_route_name(method: LightMethod, route: Route<'_>) -> String {
    let name = route_name(route);
    match method {
        LightMethod::Post => name,
        other => name.replacen("POST", other.reqwest_method().as_str(), 1),
    }
}

/// `POST` and the route's path, with an interaction's token (a credential for its follow-ups)
/// shown as `:token`.
fn route_name(route: Route<'_>) -> String {
    let path = route.path();
    let path = path.strip_prefix("https://discord.com").unwrap_or(&path);
    let path = match route {
        Route::InteractionResponse { token, .. } | Route::WebhookFollowupMessages { token, .. } => {
            path.replace(token, ":token")
        }
        _ => path.to_owned(),
    };
    format!("POST {path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rest_retry_after_reads_the_body_then_the_header() {
        let body = br#"{"message":"You are being rate limited.","retry_after":1.5,"global":true}"#;
        assert_eq!(
            retry_after(Some("2"), body),
            (Duration::from_millis(1500), true)
        );
        assert_eq!(
            retry_after(Some(" 3 "), b"{}"),
            (Duration::from_secs(3), false)
        );
        for bad in [
            &br#"{"retry_after":-1}"#[..],
            br#"{"retry_after":"soon"}"#,
            b"",
        ] {
            assert_eq!(
                retry_after(None, bad),
                (DEFAULT_RETRY_AFTER, false),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn rest_rate_limited_error_names_the_limit_the_route_and_the_retry() {
        let error = SendError::RateLimited {
            route: "POST /api/v10/channels/1/messages".to_owned(),
            attempts: MAX_ATTEMPTS,
            waited: Duration::from_millis(1200),
            retry_after: Duration::from_millis(300),
            global: false,
        };
        assert_eq!(
            error.to_string(),
            "rate limited by Discord (429) on POST /api/v10/channels/1/messages: gave up after 5 \
             attempt(s) and 1.20 s of waiting; the last 429 said retry after 0.30 s"
        );
    }

    #[test]
    fn rest_route_name_hides_the_interaction_token() {
        let token = "aW50ZXJhY3Rpb246MTIz";
        let callback = Route::InteractionResponse {
            interaction_id: InteractionId::new(7),
            token,
        };
        assert_eq!(
            route_name(callback),
            "POST /api/v10/interactions/7/:token/callback"
        );
        let followup = Route::WebhookFollowupMessages {
            application_id: serenity::all::ApplicationId::new(2),
            token,
        };
        assert_eq!(route_name(followup), "POST /api/v10/webhooks/2/:token");
        let reply = Route::ChannelMessages {
            channel_id: ChannelId::new(1),
        };
        assert_eq!(route_name(reply), "POST /api/v10/channels/1/messages");
    }
}
