//! Configuration from the environment (and `.env`, loaded by the binary): the clinic's contact
//! details and the matcher's thresholds. Every variable is documented in `.env.example`.

use crate::matcher::MatchConfig;
use crate::reply::Clinic;

/// A configuration value that is missing or cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// A required variable is not set.
    #[error("{name} is not set: add it to .env (see .env.example)")]
    Missing {
        /// The variable.
        name: &'static str,
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

fn required(
    get: &dyn Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<String, ConfigError> {
    read(get, name).ok_or(ConfigError::Missing { name })
}

/// The clinic's details from `CLINIC_NAME`, `APPOINTMENT_URL` and `APPOINTMENT_PHONE`, read
/// through `get` (e.g. `|k| std::env::var(k).ok()`).
pub fn clinic(get: &dyn Fn(&str) -> Option<String>) -> Result<Clinic, ConfigError> {
    let appointment_url = required(get, "APPOINTMENT_URL")?;
    if !(appointment_url.starts_with("https://") || appointment_url.starts_with("http://")) {
        return Err(ConfigError::Invalid {
            name: "APPOINTMENT_URL",
            value: appointment_url,
            why: "it must be a web address starting with https://",
        });
    }
    Ok(Clinic {
        name: required(get, "CLINIC_NAME")?,
        appointment_url,
        appointment_phone: required(get, "APPOINTMENT_PHONE")?,
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
                name: "CLINIC_NAME"
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
                name: "CLINIC_NAME"
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
