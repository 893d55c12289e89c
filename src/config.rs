//! Configuration from the environment (and `.env`, loaded by the binary): the clinic's contact
//! details and the matcher's thresholds. Every variable is documented in `.env.example`.

use crate::matcher::MatchConfig;
use crate::reply::Clinic;

/// A configuration value that is missing or cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// Required variables are not set: all of them, so one run shows everything to add.
    #[error("{} not set: add {} to .env (see .env.example)", list(.names), if .names.len() == 1 { "it" } else { "them" })]
    Missing {
        /// The variables, in the order `.env.example` lists them.
        names: Vec<&'static str>,
    },
    /// A variable is set to something unusable.
    #[error("{name}={value:?} is not valid: {why}")]
    Invalid {
        /// The variable.
        name: &'static str,
        /// Its value.
        value: String,
        /// What is expected.
        why: &'static str,
    },
}

/// Reads a variable through `get`, treating blank as unset.
fn read(get: &dyn Fn(&str) -> Option<String>, name: &'static str) -> Option<String> {
    get(name)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// "A is", "A and B are", "A, B and C are".
fn list(names: &[&str]) -> String {
    match names {
        [] => "nothing is".to_owned(),
        [one] => format!("{one} is"),
        [init @ .., last] => format!("{} and {last} are", init.join(", ")),
    }
}

/// The clinic's variables, in the order `.env.example` lists them.
pub const CLINIC_VARIABLES: [&str; 3] = ["CLINIC_NAME", "APPOINTMENT_URL", "APPOINTMENT_PHONE"];

/// Which of `names` are unset (or blank), in order.
#[must_use]
pub fn missing(get: &dyn Fn(&str) -> Option<String>, names: &[&'static str]) -> Vec<&'static str> {
    names
        .iter()
        .copied()
        .filter(|name| read(get, name).is_none())
        .collect()
}

/// The clinic's details from `CLINIC_NAME`, `APPOINTMENT_URL` and `APPOINTMENT_PHONE`, read
/// through `get` (e.g. `|k| std::env::var(k).ok()`). Every missing one is named at once.
/// `APPOINTMENT_URL` must be `https://`: it becomes a button parents tap.
pub fn clinic(get: &dyn Fn(&str) -> Option<String>) -> Result<Clinic, ConfigError> {
    let names = missing(get, &CLINIC_VARIABLES);
    if !names.is_empty() {
        return Err(ConfigError::Missing { names });
    }
    let value = |name| read(get, name).unwrap_or_default();
    let appointment_url = value("APPOINTMENT_URL");
    let rest = appointment_url
        .get(..8)
        .filter(|scheme| scheme.eq_ignore_ascii_case("https://"))
        .map(|_| &appointment_url[8..]);
    if rest.is_none_or(|host| host.is_empty() || host.contains(char::is_whitespace)) {
        return Err(ConfigError::Invalid {
            name: "APPOINTMENT_URL",
            value: appointment_url,
            why: "it must be a web address starting with https:// (parents tap it as a link button; plain http:// is refused)",
        });
    }
    Ok(Clinic {
        name: value("CLINIC_NAME"),
        appointment_url,
        appointment_phone: value("APPOINTMENT_PHONE"),
    })
}

fn fraction(
    get: &dyn Fn(&str) -> Option<String>,
    name: &'static str,
    default: f32,
) -> Result<f32, ConfigError> {
    match read(get, name) {
        None => Ok(default),
        Some(value) => match value.parse::<f32>() {
            Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
            _ => Err(ConfigError::Invalid {
                name,
                value,
                why: "it must be a number from 0 to 1",
            }),
        },
    }
}

/// The matcher's thresholds: `MATCH_THRESHOLD` and `AMBIGUITY_MARGIN`, defaults from
/// [`MatchConfig::DEFAULT`].
pub fn match_config(get: &dyn Fn(&str) -> Option<String>) -> Result<MatchConfig, ConfigError> {
    Ok(MatchConfig {
        threshold: fraction(get, "MATCH_THRESHOLD", MatchConfig::DEFAULT.threshold)?,
        ambiguity_margin: fraction(
            get,
            "AMBIGUITY_MARGIN",
            MatchConfig::DEFAULT.ambiguity_margin,
        )?,
        ..MatchConfig::DEFAULT
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn clinic_table() {
        let full = [
            ("CLINIC_NAME", "C"),
            ("APPOINTMENT_URL", "https://x.test"),
            ("APPOINTMENT_PHONE", "1"),
        ];
        assert!(clinic(&env(&full)).is_ok());
        assert_eq!(
            clinic(&env(&full[1..])),
            Err(ConfigError::Missing {
                names: vec!["CLINIC_NAME"]
            })
        );
        let blank = [
            ("CLINIC_NAME", " "),
            ("APPOINTMENT_URL", "https://x.test"),
            ("APPOINTMENT_PHONE", "1"),
        ];
        assert_eq!(
            clinic(&env(&blank)),
            Err(ConfigError::Missing {
                names: vec!["CLINIC_NAME"]
            })
        );
        let bad = [
            ("CLINIC_NAME", "C"),
            ("APPOINTMENT_URL", "javascript:x"),
            ("APPOINTMENT_PHONE", "1"),
        ];
        assert!(matches!(
            clinic(&env(&bad)),
            Err(ConfigError::Invalid { .. })
        ));
    }

    #[test]
    fn missing_clinic_variables_are_all_named_at_once() {
        let err = clinic(&env(&[("APPOINTMENT_URL", "https://x.test")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "CLINIC_NAME and APPOINTMENT_PHONE are not set: add them to .env (see .env.example)"
        );
        let err = clinic(&env(&[])).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("CLINIC_NAME, APPOINTMENT_URL and APPOINTMENT_PHONE are not set"),
            "{err}"
        );
    }

    #[test]
    fn appointment_url_http_is_refused_as_its_message_says() {
        for (url, ok) in [
            ("https://x.test/book", true),
            ("HTTPS://x.test", true),
            ("http://x.test/book", false),
            ("https://", false),
            ("https://x y", false),
            ("javascript:x", false),
        ] {
            let got = clinic(&env(&[
                ("CLINIC_NAME", "C"),
                ("APPOINTMENT_URL", url),
                ("APPOINTMENT_PHONE", "1"),
            ]));
            assert_eq!(got.is_ok(), ok, "{url}: {got:?}");
            if let Err(e) = got {
                assert!(e.to_string().contains("starting with https://"), "{e}");
            }
        }
    }

    #[test]
    fn match_config_table() {
        assert_eq!(match_config(&env(&[])), Ok(MatchConfig::DEFAULT));
        assert!(
            (match_config(&env(&[("MATCH_THRESHOLD", "0.5")])).map_or(0.0, |c| c.threshold) - 0.5)
                .abs()
                < 1e-6
        );
        assert!(match_config(&env(&[("MATCH_THRESHOLD", "2")])).is_err());
        assert!(match_config(&env(&[("AMBIGUITY_MARGIN", "x")])).is_err());
    }
}
