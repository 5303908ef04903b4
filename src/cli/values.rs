//! Parsers for option values that are not simply a core type's name: dates, moments, yes/no,
//! recipients, `FIELD=COLUMN`.

use chrono::{DateTime, NaiveDate, Utc};

use crate::core::case::IncidentAt;
use crate::core::dates::{self, DateOrder, read_day};
use crate::core::queue::Queue;
use crate::ops::vault::Recipient;

/// `case list --queue`: one queue, or the counts of all of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueChoice {
    /// The counts of every queue.
    Counts,
    /// The cases of one queue.
    Queue(Queue),
}

impl std::str::FromStr for QueueChoice {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "counts" => Ok(QueueChoice::Counts),
            other => other.parse().map(QueueChoice::Queue),
        }
    }
}

/// The order the member's committee writes `A/B/YYYY` days in (`date_order` in the config
/// file), read before the arguments are (see [`super::parse`]).
pub(super) static DATE_ORDER: std::sync::OnceLock<DateOrder> = std::sync::OnceLock::new();

/// A day as people write it (see [`crate::core::dates`]); a day not written YYYY-MM-DD is
/// said back on standard error as it was read.
pub(super) fn date(value: &str) -> Result<NaiveDate, String> {
    let day = read_day(value, DATE_ORDER.get().copied()).map_err(|e| e.to_string())?;
    if let Some(reading) = dates::reading(value, day) {
        eprintln!("note: read {}", crate::core::sanitize::inline(&reading));
    }
    Ok(day)
}

/// A moment: RFC 3339, or a day (its midnight, UTC).
pub(super) fn moment(value: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(at) = DateTime::parse_from_rfc3339(value) {
        return Ok(at.with_timezone(&Utc));
    }
    let day = date(value)?;
    Ok(day.and_time(chrono::NaiveTime::MIN).and_utc())
}

/// When an incident happened: `unknown`, an RFC 3339 moment (exact) or a day (approximate).
pub(super) fn incident(value: &str) -> Result<IncidentAt, String> {
    if value == "unknown" {
        return Ok(IncidentAt::Unknown);
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(value) {
        return Ok(IncidentAt::Exact {
            at: at.with_timezone(&Utc),
        });
    }
    Ok(IncidentAt::Around { date: date(value)? })
}

/// yes or no.
pub(super) fn yes_no(value: &str) -> Result<bool, String> {
    match value {
        "yes" | "true" => Ok(true),
        "no" | "false" => Ok(false),
        other => Err(format!("expected yes or no, got {other:?}")),
    }
}

/// An `ssh-ed25519 AAAA...` public key line or an `age1...` recipient.
pub(super) fn recipient(value: &str) -> Result<Recipient, String> {
    Recipient::parse(value).map_err(|e| e.to_string())
}

/// `FIELD=COLUMN`.
pub(super) fn column_map(value: &str) -> Result<(String, String), String> {
    value
        .split_once('=')
        .map(|(f, c)| (f.trim().to_string(), c.to_string()))
        .ok_or_else(|| {
            format!("{value:?} is not FIELD=COLUMN, for example body=\"What happened?\"")
        })
}

/// A committee's fingerprint as `casebook info` prints it (`SHA256:` and 43 base64
/// characters); the bare hash, or `sha256:` in any case, is read as the same.
pub(super) fn committee_fingerprint(value: &str) -> Result<String, String> {
    let trimmed = value.trim().trim_matches(|c| c == '"' || c == '\'');
    let hash = match trimmed.get(..7) {
        Some(prefix) if prefix.eq_ignore_ascii_case("sha256:") => &trimmed[7..],
        _ => trimmed,
    };
    let base64 = |c: char| c.is_ascii_alphanumeric() || c == '+' || c == '/';
    if hash.chars().count() != 43 || !hash.chars().all(base64) {
        return Err(format!(
            "{value:?} is not a committee fingerprint: expected SHA256: and 43 characters, as \
             `casebook info` prints it"
        ));
    }
    Ok(format!("SHA256:{hash}"))
}

/// The agent's lifetime in minutes: more than zero, at most a day.
pub(super) fn agent_minutes(value: &str) -> Result<f64, String> {
    match value.parse::<f64>() {
        Ok(m) if m.is_finite() && m > 0.0 && m <= 24.0 * 60.0 => Ok(m),
        _ => Err(format!(
            "{value:?} is not a number of minutes between 0 and 1440"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fingerprint_is_read_with_or_without_its_prefix() {
        let hash = "q0nXq2ZbX1c0Jm2o3lmU1dO9wS1sZ2q1f4xMZbWfQ0E";
        let full = format!("SHA256:{hash}");
        assert_eq!(committee_fingerprint(hash).unwrap(), full);
        assert_eq!(committee_fingerprint(&full).unwrap(), full);
        assert_eq!(
            committee_fingerprint(&format!(" sha256:{hash}\n")).unwrap(),
            full
        );
        assert!(committee_fingerprint("SHA256:short").is_err());
        assert!(committee_fingerprint(&format!("MD5:{hash}")).is_err());
    }
}
