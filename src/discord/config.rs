//! The bot's settings, read from the environment (and `.env`) and checked before anything
//! connects: Discord ids are parsed into typed ids, and a bad value stops start-up with the
//! variable, the value and what is expected. Every variable is documented in `.env.example`.

use super::digest::{Schedule, Weekday};
use crate::config::{self, ConfigError};
use crate::matcher::MatchConfig;
use crate::reply::Clinic;
use crate::store::{parse_voter_key, voter_key_from_token, LogConfig, DEFAULT_RETENTION_DAYS};
use poise::serenity_prelude::{ChannelId, GuildId, RoleId};
use std::fmt;
use std::num::NonZeroU64;
use std::path::PathBuf;
use std::time::Duration;

/// The default per-user cooldown: long enough to stop a flood or a reply loop, short enough
/// that a parent's follow-up question a few seconds later is not ignored for long.
pub const DEFAULT_COOLDOWN: Duration = Duration::from_secs(10);

/// The longest cooldown accepted (one hour): beyond that the bot would look broken.
const MAX_COOLDOWN_SECONDS: u64 = 3600;

/// The default question log file (relative to the working directory).
pub const DEFAULT_QUESTION_LOG_PATH: &str = "faqbot.sqlite3";

/// Why the bot's configuration cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BotConfigError {
    /// No bot token: the one thing a fresh install is missing (with the other required
    /// variables that are missing too, so one run names all of them).
    #[error(
        "DISCORD_TOKEN is not set{}: put your bot's token in .env (see .env.example); the README's \
         \"Discord setup\" section explains creating the bot (Message Content intent, scopes \
         bot + applications.commands, permissions)",
        also_missing(.also)
    )]
    MissingToken {
        /// The clinic's variables that are missing as well.
        also: Vec<&'static str>,
    },
    /// Any other missing or invalid variable.
    #[error(transparent)]
    Config(#[from] ConfigError),
}

fn also_missing(names: &[&str]) -> String {
    if names.is_empty() {
        String::new()
    } else {
        format!(", nor {}", names.join(", "))
    }
}

/// The bot token. Its `Debug` never shows it, so it cannot leak into logs by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Wraps a token (surrounding whitespace and quotes removed).
    #[must_use]
    pub fn new(token: &str) -> Self {
        Token(token.trim().trim_matches('"').trim().to_owned())
    }

    /// The token itself, for the HTTP client only.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// Which gateway shards this process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardSpec {
    /// As many shards as Discord recommends, all in this process (`SHARDS` unset or `auto`).
    Auto,
    /// Shards `first..=last` of `total` (`SHARDS=first-last/total`, or `SHARDS=n/total`), for
    /// one process of several.
    Range {
        /// The first shard this process runs.
        first: u32,
        /// The last shard this process runs (inclusive).
        last: u32,
        /// The total number of shards over all processes.
        total: u32,
    },
}

impl ShardSpec {
    /// Parses `auto`, `n/total` or `first-last/total`.
    ///
    /// ```
    /// use faqbot::discord::config::ShardSpec;
    /// assert_eq!(ShardSpec::parse("0-1/4"), Some(ShardSpec::Range { first: 0, last: 1, total: 4 }));
    /// assert_eq!(ShardSpec::parse("auto"), Some(ShardSpec::Auto));
    /// assert_eq!(ShardSpec::parse("4/4"), None);
    /// ```
    #[must_use]
    pub fn parse(text: &str) -> Option<ShardSpec> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("auto") {
            return Some(ShardSpec::Auto);
        }
        let (range, total) = text.split_once('/')?;
        let total: u32 = total.trim().parse().ok()?;
        let (first, last) = if let Some((a, b)) = range.split_once('-') {
            (a.trim().parse().ok()?, b.trim().parse().ok()?)
        } else {
            let n = range.trim().parse().ok()?;
            (n, n)
        };
        (first <= last && last < total).then_some(ShardSpec::Range { first, last, total })
    }
}

/// Everything `faqbot run` needs, checked.
#[derive(Debug, Clone)]
pub struct BotConfig {
    /// `DISCORD_TOKEN`.
    pub token: Token,
    /// `HELP_CHANNEL_IDS`: channels (or forum channels: their posts count too) where the bot
    /// answers questions it recognises without being mentioned.
    pub help_channels: Vec<ChannelId>,
    /// `MODERATOR_ROLE_IDS`: members with any of these roles (or with Manage Server) may use the
    /// moderator commands.
    pub moderator_roles: Vec<RoleId>,
    /// `MOD_LOG_CHANNEL_ID`: where FAQ reload problems (and, later, "ask a moderator") go.
    pub mod_log_channel: Option<ChannelId>,
    /// `GUILD_ID`: register the commands in this server at once instead of globally.
    pub guild: Option<GuildId>,
    /// `CLINIC_NAME`, `APPOINTMENT_URL`, `APPOINTMENT_PHONE`.
    pub clinic: Clinic,
    /// `FAQ_DIR` (default `faq`).
    pub faq_dir: PathBuf,
    /// `MATCH_THRESHOLD`, `AMBIGUITY_MARGIN`.
    pub match_config: MatchConfig,
    /// `DISCORD_API_PROXY`: base URL that replaces `https://discord.com` for REST calls.
    pub api_proxy: Option<String>,
    /// `COOLDOWN_SECONDS` (default [`DEFAULT_COOLDOWN`]; 0 turns it off).
    pub cooldown: Duration,
    /// `SHARDS` (default [`ShardSpec::Auto`]).
    pub shards: ShardSpec,
    /// `QUESTION_LOG_PATH`, `LOG_QUESTION_TEXT`, `LOG_RETENTION_DAYS`; the voter key from
    /// `VOTER_KEY`, else derived from the token (never stored in the file).
    pub question_log: LogConfig,
    /// `WATCH_FAQ` (default true): reload the FAQ when its files change.
    pub watch_faq: bool,
    /// `DIGEST_DAY` (`mon`..`sun`, or `off`) and `DIGEST_HOUR` (0-23, UTC): when the weekly
    /// digest goes to the moderators' channel (default [`Schedule::DEFAULT`]); `None` when
    /// `DIGEST_DAY=off` or `MOD_LOG_CHANNEL_ID` is unset.
    pub digest: Option<Schedule>,
}

fn read(get: &dyn Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    get(name)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

const ID_WHY: &str =
    "Discord ids are numbers like 123456789012345678 (turn on Developer Mode, right-click, Copy ID)";

fn parse_id(name: &'static str, text: &str) -> Result<NonZeroU64, ConfigError> {
    text.trim()
        .parse::<NonZeroU64>()
        .map_err(|_| ConfigError::Invalid {
            name,
            value: text.to_owned(),
            why: ID_WHY,
        })
}

fn id_list<T: From<NonZeroU64>>(
    get: &dyn Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<Vec<T>, ConfigError> {
    let Some(value) = read(get, name) else {
        return Ok(Vec::new());
    };
    value
        .split(',')
        .filter(|part| !part.trim().is_empty())
        .map(|part| parse_id(name, part).map(T::from))
        .collect()
}

fn one_id<T: From<NonZeroU64>>(
    get: &dyn Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<Option<T>, ConfigError> {
    read(get, name)
        .map(|v| parse_id(name, &v).map(T::from))
        .transpose()
}

fn flag(
    get: &dyn Fn(&str) -> Option<String>,
    name: &'static str,
    default: bool,
) -> Result<bool, ConfigError> {
    match read(get, name) {
        None => Ok(default),
        Some(v) => match v.to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "0" | "false" | "no" | "off" => Ok(false),
            _ => Err(ConfigError::Invalid {
                name,
                value: v,
                why: "it must be true or false",
            }),
        },
    }
}

fn number(
    get: &dyn Fn(&str) -> Option<String>,
    name: &'static str,
    max: u64,
    why: &'static str,
) -> Result<Option<u64>, ConfigError> {
    read(get, name)
        .map(|v| match v.parse::<u64>() {
            Ok(n) if n <= max => Ok(n),
            _ => Err(ConfigError::Invalid {
                name,
                value: v,
                why,
            }),
        })
        .transpose()
}

/// `DIGEST_DAY` and `DIGEST_HOUR`, checked; `None` for `DIGEST_DAY=off`.
fn digest(get: &dyn Fn(&str) -> Option<String>) -> Result<Option<Schedule>, ConfigError> {
    let hour = number(
        get,
        "DIGEST_HOUR",
        23,
        "it must be an hour of the day from 0 to 23 (UTC)",
    )?
    .map_or(Schedule::DEFAULT.hour, |h| h as u8);
    let day = match read(get, "DIGEST_DAY") {
        None => Schedule::DEFAULT.day,
        Some(v) if v.eq_ignore_ascii_case("off") => return Ok(None),
        Some(v) => v.parse::<Weekday>().map_err(|()| ConfigError::Invalid {
            name: "DIGEST_DAY",
            value: v,
            why: "it must be a day of the week (mon, tue, wed, thu, fri, sat, sun) or off",
        })?,
    };
    Ok(Some(Schedule { day, hour }))
}

impl BotConfig {
    /// Reads and checks every variable through `get` (e.g. `|k| std::env::var(k).ok()`).
    pub fn from_env(get: &dyn Fn(&str) -> Option<String>) -> Result<BotConfig, BotConfigError> {
        let token = read(get, "DISCORD_TOKEN")
            .map(|t| Token::new(&t))
            .filter(|t| !t.expose().is_empty())
            .ok_or_else(|| BotConfigError::MissingToken {
                also: config::missing(get, &config::CLINIC_VARIABLES),
            })?;
        let api_proxy = match read(get, "DISCORD_API_PROXY") {
            None => None,
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                Some(url.trim_end_matches('/').to_owned())
            }
            Some(url) => {
                return Err(ConfigError::Invalid {
                    name: "DISCORD_API_PROXY",
                    value: url,
                    why: "it must be a base URL like http://127.0.0.1:3000",
                }
                .into())
            }
        };
        let shards = match read(get, "SHARDS") {
            None => ShardSpec::Auto,
            Some(v) => ShardSpec::parse(&v).ok_or(ConfigError::Invalid {
                name: "SHARDS",
                value: v,
                why: "it must be auto, first-last/total (e.g. 0-1/4) or n/total",
            })?,
        };
        let cooldown = number(
            get,
            "COOLDOWN_SECONDS",
            MAX_COOLDOWN_SECONDS,
            "it must be a whole number of seconds from 0 (off) to 3600",
        )?
        .map_or(DEFAULT_COOLDOWN, Duration::from_secs);
        let mut question_log = LogConfig::new(
            read(get, "QUESTION_LOG_PATH").unwrap_or_else(|| DEFAULT_QUESTION_LOG_PATH.to_owned()),
        );
        question_log.log_question_text = flag(get, "LOG_QUESTION_TEXT", true)?;
        question_log.retention_days = match number(
            get,
            "LOG_RETENTION_DAYS",
            u64::from(u32::MAX),
            "it must be a whole number of days (0 keeps questions forever)",
        )? {
            None => Some(DEFAULT_RETENTION_DAYS),
            Some(0) => None,
            Some(days) => u32::try_from(days).ok(),
        };
        question_log.voter_key = Some(match read(get, "VOTER_KEY") {
            Some(hex) => parse_voter_key(&hex).map_err(|_| ConfigError::Invalid {
                name: "VOTER_KEY",
                value: "(not shown)".to_owned(),
                why: "it must be 64 hex digits (e.g. from `openssl rand -hex 32`), or unset to derive it from the token",
            })?,
            None => voter_key_from_token(token.expose()),
        });
        let mod_log_channel: Option<ChannelId> = one_id(get, "MOD_LOG_CHANNEL_ID")?;
        // Checked even without a moderators' channel, so a typo shows before it matters.
        let digest = digest(get)?.filter(|_| mod_log_channel.is_some());
        Ok(BotConfig {
            token,
            help_channels: id_list(get, "HELP_CHANNEL_IDS")?,
            moderator_roles: id_list(get, "MODERATOR_ROLE_IDS")?,
            mod_log_channel,
            guild: one_id(get, "GUILD_ID")?,
            clinic: config::clinic(get)?,
            faq_dir: read(get, "FAQ_DIR").map_or_else(|| PathBuf::from("faq"), PathBuf::from),
            match_config: config::match_config(get)?,
            api_proxy,
            cooldown,
            shards,
            question_log,
            watch_faq: flag(get, "WATCH_FAQ", true)?,
            digest,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let mut map: HashMap<String, String> = [
            ("DISCORD_TOKEN", "abc.def.ghi"),
            ("CLINIC_NAME", "C"),
            ("APPOINTMENT_URL", "https://x.test/book"),
            ("APPOINTMENT_PHONE", "1"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        for (k, v) in pairs {
            map.insert((*k).to_owned(), (*v).to_owned());
        }
        move |k| map.get(k).cloned()
    }

    fn config(pairs: &[(&str, &str)]) -> Result<BotConfig, BotConfigError> {
        BotConfig::from_env(&env(pairs))
    }

    fn invalid_name(pairs: &[(&str, &str)]) -> Option<&'static str> {
        match config(pairs) {
            Err(BotConfigError::Config(ConfigError::Invalid { name, .. })) => Some(name),
            _ => None,
        }
    }

    #[test]
    fn defaults() {
        let c = config(&[]).expect("valid");
        assert_eq!(c.token.expose(), "abc.def.ghi");
        assert!(c.help_channels.is_empty());
        assert!(c.moderator_roles.is_empty());
        assert_eq!((c.mod_log_channel, c.guild), (None, None));
        assert_eq!(c.faq_dir, PathBuf::from("faq"));
        assert_eq!(c.cooldown, DEFAULT_COOLDOWN);
        assert_eq!(c.shards, ShardSpec::Auto);
        assert_eq!(c.api_proxy, None);
        assert_eq!(
            c.question_log.path,
            PathBuf::from(DEFAULT_QUESTION_LOG_PATH)
        );
        assert!(c.question_log.log_question_text);
        assert_eq!(c.question_log.retention_days, Some(DEFAULT_RETENTION_DAYS));
        assert!(c.watch_faq);
    }

    #[test]
    fn ids_parse_into_typed_ids() {
        let c = config(&[
            ("HELP_CHANNEL_IDS", " 11, 12 ,"),
            ("MODERATOR_ROLE_IDS", "21"),
            ("MOD_LOG_CHANNEL_ID", "31"),
            ("GUILD_ID", "41"),
        ])
        .expect("valid");
        assert_eq!(c.help_channels, [ChannelId::new(11), ChannelId::new(12)]);
        assert_eq!(c.moderator_roles, [RoleId::new(21)]);
        assert_eq!(c.mod_log_channel, Some(ChannelId::new(31)));
        assert_eq!(c.guild, Some(GuildId::new(41)));
    }

    #[test]
    fn bad_values_name_their_variable() {
        let table: [(&str, &str); 16] = [
            ("HELP_CHANNEL_IDS", "11,general"),
            ("HELP_CHANNEL_IDS", "0"),
            ("MODERATOR_ROLE_IDS", "-5"),
            ("MOD_LOG_CHANNEL_ID", "#mods"),
            ("GUILD_ID", "1.5"),
            ("COOLDOWN_SECONDS", "ten"),
            ("COOLDOWN_SECONDS", "3601"),
            ("SHARDS", "4/4"),
            ("DISCORD_API_PROXY", "127.0.0.1:3000"),
            ("LOG_QUESTION_TEXT", "maybe"),
            ("LOG_RETENTION_DAYS", "-1"),
            ("WATCH_FAQ", "2"),
            ("DIGEST_DAY", "monday-ish"),
            ("DIGEST_DAY", "7"),
            ("DIGEST_HOUR", "24"),
            ("DIGEST_HOUR", "9am"),
        ];
        for (name, value) in table {
            assert_eq!(invalid_name(&[(name, value)]), Some(name), "{name}={value}");
        }
    }

    #[test]
    fn missing_token_says_where_to_look() {
        let err = BotConfig::from_env(&|k: &str| {
            (k != "DISCORD_TOKEN").then(|| "https://x.test".to_owned())
        })
        .expect_err("no token");
        assert_eq!(err, BotConfigError::MissingToken { also: vec![] });
        let text = err.to_string();
        assert!(!text.contains('\n'), "one line: {text}");
        for needle in [".env", "README", "Message Content", "applications.commands"] {
            assert!(text.contains(needle), "{needle}: {text}");
        }
        assert_eq!(
            config(&[("DISCORD_TOKEN", " \"\" ")]).err(),
            Some(BotConfigError::MissingToken { also: vec![] })
        );
    }

    #[test]
    fn run_lists_every_missing_variable_at_once() {
        let err = BotConfig::from_env(&|k: &str| (k == "CLINIC_NAME").then(|| "C".to_owned()))
            .expect_err("nothing but the name");
        assert!(
            err.to_string().starts_with(
                "DISCORD_TOKEN is not set, nor APPOINTMENT_URL, APPOINTMENT_PHONE: put"
            ),
            "{err}"
        );
    }

    #[test]
    fn token_is_never_shown() {
        let c = config(&[("DISCORD_TOKEN", "\"secret-token\"")]).expect("valid");
        assert_eq!(c.token.expose(), "secret-token");
        assert!(!format!("{c:?}").contains("secret-token"));
    }

    #[test]
    fn options() {
        let c = config(&[
            ("COOLDOWN_SECONDS", "0"),
            ("SHARDS", "2/4"),
            ("DISCORD_API_PROXY", "http://127.0.0.1:3000/"),
            ("LOG_QUESTION_TEXT", "false"),
            ("LOG_RETENTION_DAYS", "0"),
            ("QUESTION_LOG_PATH", "/tmp/q.sqlite3"),
            ("FAQ_DIR", "faq-test"),
            ("WATCH_FAQ", "off"),
        ])
        .expect("valid");
        assert_eq!(c.cooldown, Duration::ZERO);
        assert_eq!(
            c.shards,
            ShardSpec::Range {
                first: 2,
                last: 2,
                total: 4
            }
        );
        assert_eq!(c.api_proxy.as_deref(), Some("http://127.0.0.1:3000"));
        assert!(!c.question_log.log_question_text);
        assert_eq!(c.question_log.retention_days, None);
        assert_eq!(c.question_log.path, PathBuf::from("/tmp/q.sqlite3"));
        assert_eq!(c.faq_dir, PathBuf::from("faq-test"));
        assert!(!c.watch_faq);
    }

    #[test]
    fn digest_is_on_with_a_moderators_channel_at_the_configured_day_and_hour() {
        // No moderators' channel: off, whatever the day says.
        assert_eq!(config(&[]).expect("valid").digest, None);
        assert_eq!(
            config(&[("DIGEST_DAY", "fri")]).expect("valid").digest,
            None
        );
        let channel = ("MOD_LOG_CHANNEL_ID", "31");
        assert_eq!(
            config(&[channel]).expect("valid").digest,
            Some(Schedule::DEFAULT)
        );
        assert_eq!(
            config(&[channel, ("DIGEST_DAY", "Sunday"), ("DIGEST_HOUR", "0")])
                .expect("valid")
                .digest,
            Some(Schedule {
                day: Weekday::Sun,
                hour: 0
            })
        );
        assert_eq!(
            config(&[channel, ("DIGEST_DAY", "OFF"), ("DIGEST_HOUR", "23")])
                .expect("valid")
                .digest,
            None
        );
        // A bad hour is refused even without a channel.
        assert_eq!(invalid_name(&[("DIGEST_HOUR", "99")]), Some("DIGEST_HOUR"));
        let err = config(&[("DIGEST_DAY", "someday")]).expect_err("bad day");
        assert!(err.to_string().contains("mon, tue"), "{err}");
    }

    #[test]
    fn shard_spec_table() {
        let table: [(&str, Option<ShardSpec>); 9] = [
            ("auto", Some(ShardSpec::Auto)),
            ("AUTO", Some(ShardSpec::Auto)),
            (
                "0-1/4",
                Some(ShardSpec::Range {
                    first: 0,
                    last: 1,
                    total: 4,
                }),
            ),
            (
                " 3 / 4 ",
                Some(ShardSpec::Range {
                    first: 3,
                    last: 3,
                    total: 4,
                }),
            ),
            ("2-1/4", None),
            ("0-4/4", None),
            ("0/0", None),
            ("1-2", None),
            ("x/4", None),
        ];
        for (text, want) in table {
            assert_eq!(ShardSpec::parse(text), want, "{text:?}");
        }
    }

    #[test]
    fn voter_key_from_voter_key_or_the_token_and_never_shown() {
        let derived = config(&[]).expect("valid").question_log.voter_key;
        assert_eq!(
            derived,
            Some(crate::store::voter_key_from_token("abc.def.ghi"))
        );
        let hex = "ab".repeat(32);
        let set = config(&[("VOTER_KEY", hex.as_str())]).expect("valid");
        assert_eq!(set.question_log.voter_key, Some([0xab; 32]));
        let bad = "not-hex-secret".repeat(5);
        let err = config(&[("VOTER_KEY", bad.as_str())]).expect_err("bad key");
        assert!(err.to_string().contains("VOTER_KEY"), "{err}");
        assert!(!err.to_string().contains("not-hex-secret"), "{err}");
    }
}
