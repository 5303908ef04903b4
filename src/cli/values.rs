//! Parsers for option values that are not simply a core type's name: dates, moments, yes/no,
//! recipients, `FIELD=COLUMN`.

use chrono::{DateTime, NaiveDate, Utc};

use crate::core::case::IncidentAt;
use crate::core::queue::Queue;
use crate::vault::Recipient;

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

/// A day written YYYY-MM-DD.
pub(super) fn date(value: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| format!("{value:?} is not a date; write dates as YYYY-MM-DD"))
}

/// A moment: RFC 3339, or a day (its midnight, UTC).
pub(super) fn moment(value: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(at) = DateTime::parse_from_rfc3339(value) {
        return Ok(at.with_timezone(&Utc));
    }
    let day = date(value)?;
    Ok(day.and_time(chrono::NaiveTime::MIN).and_utc())
}

/// When an incident happened: `unknown`, a day (approximate) or an RFC 3339 moment (exact).
pub(super) fn incident(value: &str) -> Result<IncidentAt, String> {
    match value {
        "unknown" => Ok(IncidentAt::Unknown),
        day if day.len() == 10 => Ok(IncidentAt::Around { date: date(day)? }),
        at => Ok(IncidentAt::Exact { at: moment(at)? }),
    }
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
