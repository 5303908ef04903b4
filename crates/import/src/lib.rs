//! Reports as they arrive: an email (`.eml`), a web form export (CSV), or casebook's own JSON.
//! Parsing only: bytes in, [`Report`]s out, no I/O. Text is kept exactly as received; it is
//! sanitised when shown, never altered in storage.
//!
//! CSV columns are matched by name (case-insensitive). Default names per field:
//!
//! | field      | columns                                               |
//! |------------|-------------------------------------------------------|
//! | `title`    | title, subject                                        |
//! | `body`     | body, report, description, what happened, details     |
//! | `name`     | name, reporter, reporter name, your name              |
//! | `email`    | email, reporter email, your email                     |
//! | `handle`   | handle, username                                      |
//! | `anonymous`| anonymous (yes/no/true/false/1/0)                     |
//! | `received` | received, received at, timestamp, submitted at, date  |
//! | `venue`    | venue, where, location                                |
//! | `incident` | incident, incident date, when                         |
//!
//! `--map FIELD=COLUMN` names another column for a field.
//!
//! JSON (schema version 1):
//!
//! ```json
//! { "casebook_reports": 1,
//!   "reports": [ { "title": "…", "body": "…", "received_at": "2026-05-01T10:00:00Z",
//!                  "channel": "form", "venue": "…", "incident_date": "2026-04-30",
//!                  "reporter": { "name": "…", "email": "…", "handle": "…", "anonymous": false } } ] }
//! ```
#![deny(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use mail_parser::{MessageParser, MimeHeaders};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use casebook_core::case::Channel;
use casebook_core::dates::{self, DateOrder};

/// The largest report file casebook imports.
pub const MAX_REPORT_BYTES: usize = 32 << 20;
/// The longest one-line field (title, subject, name) accepted.
pub const MAX_FIELD_CHARS: usize = 10_000;

/// Who made a report, as far as it says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reporter {
    /// Name, if given.
    pub name: Option<String>,
    /// Email, if given.
    pub email: Option<String>,
    /// Handle, if given.
    pub handle: Option<String>,
    /// The reporter asked not to be identified.
    pub anonymous: bool,
}

/// A file that came with a report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    /// File name as received.
    pub name: String,
    /// MIME type as received.
    pub content_type: String,
    /// The bytes.
    pub data: Vec<u8>,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
}

/// One incoming report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// How it arrived.
    pub channel: Channel,
    /// Title for the case (subject line, form title).
    pub title: String,
    /// The sender as stated (email `From`, or the form's name/email).
    pub from: String,
    /// The report's text, as received.
    pub body: String,
    /// When it was sent or submitted, if stated.
    pub received_at: Option<DateTime<Utc>>,
    /// The reporter.
    pub reporter: Reporter,
    /// Where it happened, if stated.
    pub venue: Option<String>,
    /// When it happened (day), if stated.
    pub incident_date: Option<NaiveDate>,
    /// Attachments.
    pub attachments: Vec<Attachment>,
    /// For a form export: which column went to which field (`None`: kept in the body).
    pub columns: Vec<(String, Option<&'static str>)>,
    /// SHA-256 of what the source holds for this report (the email's bytes, the form row),
    /// hex: the same report imported twice has the same hash.
    pub source_sha256: String,
    /// Dates not written YYYY-MM-DD, as they were read ("11/27/2026 = 27 November 2026
    /// (2026-11-27)"), or why one was kept in the text instead.
    pub readings: Vec<String>,
}

/// Why a report file cannot be imported. Messages are completed with the file name by the
/// caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// Larger than [`MAX_REPORT_BYTES`].
    #[error("is {size} bytes; casebook imports reports up to {max} bytes", max = MAX_REPORT_BYTES)]
    TooLarge { size: usize },
    /// Not UTF-8 where text is required.
    #[error("is not valid UTF-8 text (first bad byte at offset {offset})")]
    NotUtf8 { offset: usize },
    /// The format could not be told from the name.
    #[error("has an unknown type; casebook imports .eml, .csv and .json reports")]
    UnknownFormat,
    /// The email is not a parseable message.
    #[error("is not an email message: {0}")]
    BadEmail(String),
    /// A CSV problem.
    #[error("is not a usable CSV export: {0}")]
    BadCsv(String),
    /// A JSON problem.
    #[error("does not follow casebook's report schema: {0}")]
    BadJson(String),
    /// A one-line field is absurdly long.
    #[error("has a {field} of {chars} characters (at most {max})", max = MAX_FIELD_CHARS)]
    FieldTooLong { field: &'static str, chars: usize },
    /// Nothing to import.
    #[error("holds no report")]
    Empty,
}

/// Which parser a file name asks for.
pub fn format_of(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    ["eml", "csv", "json"]
        .into_iter()
        .find(|ext| lower.ends_with(&format!(".{ext}")))
}

/// Parse the report file `bytes`, whose name is `name`. `map` renames CSV columns.
pub fn parse(
    name: &str,
    bytes: &[u8],
    map: &HashMap<String, String>,
) -> Result<Vec<Report>, ImportError> {
    parse_with(name, bytes, map, None)
}

/// [`parse`], reading a form's `A/B/YYYY` days in the committee's `order` (an ambiguous one
/// is kept in the report's text when no order is set).
pub fn parse_with(
    name: &str,
    bytes: &[u8],
    map: &HashMap<String, String>,
    order: Option<DateOrder>,
) -> Result<Vec<Report>, ImportError> {
    if bytes.len() > MAX_REPORT_BYTES {
        return Err(ImportError::TooLarge { size: bytes.len() });
    }
    let reports = match format_of(name) {
        Some("eml") => vec![email(bytes)?],
        Some("csv") => csv_export(text(bytes)?, map, order)?,
        Some("json") => json(text(bytes)?)?,
        _ => return Err(ImportError::UnknownFormat),
    };
    if reports.is_empty() {
        return Err(ImportError::Empty);
    }
    for report in &reports {
        for (field, value) in [("title", &report.title), ("sender", &report.from)] {
            let chars = value.chars().count();
            if chars > MAX_FIELD_CHARS {
                return Err(ImportError::FieldTooLong { field, chars });
            }
        }
    }
    Ok(reports)
}

fn text(bytes: &[u8]) -> Result<&str, ImportError> {
    std::str::from_utf8(bytes).map_err(|e| ImportError::NotUtf8 {
        offset: e.valid_up_to(),
    })
}

fn email(bytes: &[u8]) -> Result<Report, ImportError> {
    let message = MessageParser::default()
        .parse(bytes)
        .filter(|m| m.from().is_some() || m.subject().is_some())
        .ok_or_else(|| ImportError::BadEmail("no From or Subject header".into()))?;
    let sender = message.from().and_then(|a| a.first());
    let name = sender.and_then(|a| a.name()).map(str::to_string);
    let email = sender.and_then(|a| a.address()).map(str::to_string);
    let from = match (&name, &email) {
        (Some(n), Some(e)) => format!("{n} <{e}>"),
        (None, Some(e)) => e.clone(),
        (Some(n), None) => n.clone(),
        (None, None) => "(no sender)".into(),
    };
    let body = (0..message.text_body_count())
        .filter_map(|i| message.body_text(i))
        .collect::<Vec<_>>()
        .join("\n\n");
    let attachments = message
        .attachments()
        .map(|part| {
            let data = part.contents().to_vec();
            let content_type = part
                .content_type()
                .map(|ct| match ct.subtype() {
                    Some(sub) => format!("{}/{sub}", ct.ctype()),
                    None => ct.ctype().to_string(),
                })
                .unwrap_or_else(|| "application/octet-stream".into());
            Attachment {
                name: part.attachment_name().unwrap_or("attachment").to_string(),
                content_type,
                sha256: hex(&Sha256::digest(&data)),
                data,
            }
        })
        .collect();
    Ok(Report {
        channel: Channel::Email,
        title: message.subject().unwrap_or("(no subject)").to_string(),
        from,
        body,
        received_at: message
            .date()
            .and_then(|d| DateTime::from_timestamp(d.to_timestamp(), 0)),
        reporter: Reporter {
            name,
            email,
            handle: None,
            anonymous: false,
        },
        venue: None,
        incident_date: None,
        attachments,
        columns: Vec::new(),
        source_sha256: hex(&Sha256::digest(bytes)),
        readings: Vec::new(),
    })
}

fn hex(bytes: &[u8]) -> String {
    base16ct::lower::encode_string(bytes)
}

/// The fields a form column can fill, with the headers common form tools (Google Forms,
/// Microsoft Forms, Typeform, Tally, Jotform...) write for them, compared after
/// [`header_key`]. A header containing one of the `contains` phrases matches too.
const CSV_FIELDS: [(&str, &[&str], &[&str]); 9] = [
    ("title", &["title", "subject", "summary", "topic"], &[]),
    (
        "body",
        &[
            "body",
            "report",
            "description",
            "what happened",
            "details",
            "message",
            "incident description",
        ],
        &["what happened", "describe", "description", "tell us"],
    ),
    (
        "name",
        &[
            "name",
            "reporter",
            "reporter name",
            "your name",
            "full name",
            "your full name",
            "name optional",
        ],
        &["your name"],
    ),
    (
        "email",
        &[
            "email",
            "e mail",
            "reporter email",
            "your email",
            "email address",
            "your email address",
        ],
        &["email"],
    ),
    (
        "handle",
        &["handle", "username", "user name"],
        &["handle", "username"],
    ),
    (
        "anonymous",
        &["anonymous", "stay anonymous"],
        &["anonymous"],
    ),
    (
        "received",
        &[
            "received",
            "received at",
            "timestamp",
            "submitted at",
            "submitted",
            "submission date",
            "date submitted",
            "created",
            "created at",
            "completion time",
            "start time",
            "date",
        ],
        &[],
    ),
    (
        "venue",
        &["venue", "where", "location", "place"],
        &["where did", "where was", "where it happened"],
    ),
    (
        "incident",
        &["incident", "incident date", "when", "date of incident"],
        &["when did", "when was", "date of the incident"],
    ),
];

/// A header as compared: lower case, punctuation dropped, spaces collapsed ("When did it
/// happen?" and "when did it happen" are one header).
fn header_key(header: &str) -> String {
    header
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn csv_export(
    text: &str,
    map: &HashMap<String, String>,
    order: Option<DateOrder>,
) -> Result<Vec<Report>, ImportError> {
    for field in map.keys() {
        if !CSV_FIELDS.iter().any(|(f, _, _)| f == field) {
            let fields: Vec<_> = CSV_FIELDS.iter().map(|(f, _, _)| *f).collect();
            return Err(ImportError::BadCsv(format!(
                "--map names unknown field {field:?} (fields: {})",
                fields.join(", ")
            )));
        }
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let original: Vec<String> = reader
        .headers()
        .map_err(|e| ImportError::BadCsv(e.to_string()))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let headers: Vec<String> = original.iter().map(|h| header_key(h)).collect();
    // Each column fills at most one field: --map first, then exact headers, then phrases.
    let mut assigned: Vec<Option<&'static str>> = vec![None; headers.len()];
    for (field, _, _) in CSV_FIELDS {
        if let Some(name) = map.get(field) {
            let wanted = header_key(name);
            if let Some(i) = headers.iter().position(|h| *h == wanted) {
                assigned[i] = Some(field);
            }
        }
    }
    for pass in 0..2 {
        for (field, exact, contains) in CSV_FIELDS {
            if map.contains_key(field) || assigned.contains(&Some(field)) {
                continue;
            }
            let found = headers.iter().enumerate().position(|(i, h)| {
                assigned[i].is_none()
                    && if pass == 0 {
                        exact.contains(&h.as_str())
                    } else {
                        contains.iter().any(|phrase| h.contains(phrase))
                    }
            });
            if let Some(i) = found {
                assigned[i] = Some(field);
            }
        }
    }
    let column = |field: &str| -> Option<usize> { assigned.iter().position(|a| *a == Some(field)) };
    for (field, name) in map {
        if column(field).is_none() {
            return Err(ImportError::BadCsv(format!(
                "no column {name:?} (for {field}); columns: {}",
                original.join(", ")
            )));
        }
    }
    let body_col = column("body").ok_or_else(|| {
        ImportError::BadCsv(format!(
            "no column for the report text (body, report, description...); columns: {}; use --map body=COLUMN",
            original.join(", ")
        ))
    })?;
    let columns: Vec<(String, Option<&'static str>)> = original
        .iter()
        .cloned()
        .zip(assigned.iter().copied())
        .collect();
    let mut reports = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|e| ImportError::BadCsv(format!("row {}: {e}", n + 2)))?;
        let get = |field: &str| {
            column(field)
                .and_then(|i| record.get(i))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let body = record.get(body_col).unwrap_or_default().to_string();
        let anonymous = get("anonymous")
            .is_some_and(|v| matches!(v.to_lowercase().as_str(), "yes" | "true" | "1" | "y"));
        let reporter = Reporter {
            name: get("name").filter(|_| !anonymous),
            email: get("email").filter(|_| !anonymous),
            handle: get("handle").filter(|_| !anonymous),
            anonymous,
        };
        // What a field cannot hold (a date written "last Tuesday") stays in the body.
        let mut unused: Vec<usize> = Vec::new();
        let mut readings = Vec::new();
        let received_at = get("received").and_then(|value| {
            let at = moment(&value, order, &mut readings);
            if at.is_none() {
                unused.extend(column("received"));
            }
            at
        });
        let incident_date = get("incident").and_then(|value| {
            let date = day(&value, order, &mut readings);
            if date.is_none() {
                unused.extend(column("incident"));
            }
            date
        });
        // Nothing a reporter wrote is dropped: every other non-empty column is kept, under
        // its header, after the report's text.
        let mut kept = String::new();
        for (i, value) in record.iter().enumerate() {
            let value = value.trim();
            if i == body_col || value.is_empty() || (assigned[i].is_some() && !unused.contains(&i))
            {
                continue;
            }
            let header = original.get(i).map(String::as_str).unwrap_or("column");
            kept.push_str(&format!("\n{header}: {value}"));
        }
        let mut body = body;
        if !kept.is_empty() {
            body.push_str("\n\n-- other answers on the form --");
            body.push_str(&kept);
        }
        let from = sender(&reporter);
        let mut row_hash = Sha256::new();
        for (header, value) in original.iter().zip(record.iter()) {
            for part in [header.as_str(), value] {
                row_hash.update((part.len() as u64).to_le_bytes());
                row_hash.update(part.as_bytes());
            }
        }
        reports.push(Report {
            channel: Channel::Form,
            title: get("title").unwrap_or_else(|| first_words(&body)),
            from,
            body,
            received_at,
            reporter,
            venue: get("venue"),
            incident_date,
            attachments: Vec::new(),
            columns: columns.clone(),
            source_sha256: hex(&row_hash.finalize()),
            readings,
        });
    }
    Ok(reports)
}

fn sender(reporter: &Reporter) -> String {
    if reporter.anonymous {
        return "(anonymous)".into();
    }
    match (&reporter.name, &reporter.email) {
        (Some(n), Some(e)) => format!("{n} <{e}>"),
        (Some(n), None) => n.clone(),
        (None, Some(e)) => e.clone(),
        (None, None) => "(not given)".into(),
    }
}

fn first_words(body: &str) -> String {
    let line = body
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("(untitled report)")
        .trim();
    let mut title: String = line.chars().take(80).collect();
    if line.chars().count() > 80 {
        title.push('…');
    }
    title
}

/// A form's timestamp: RFC 3339, `YYYY-MM-DD HH:MM[:SS]`, or a day as people write it with
/// an optional time after it (`11/27/2026 14:03:12`, as form tools export it).
fn moment(
    value: &str,
    order: Option<DateOrder>,
    readings: &mut Vec<String>,
) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(value) {
        return Some(at.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S"] {
        if let Ok(at) = chrono::NaiveDateTime::parse_from_str(value, format) {
            return Some(at.and_utc());
        }
    }
    // The day, then a time if one follows it.
    let (date, time) = match value.trim().rsplit_once(' ') {
        Some((date, time)) if time.contains(':') => (date, Some(time)),
        _ => (value, None),
    };
    let time = match time {
        Some(t) => chrono::NaiveTime::parse_from_str(t, "%H:%M:%S")
            .or_else(|_| chrono::NaiveTime::parse_from_str(t, "%H:%M"))
            .ok()?,
        None => chrono::NaiveTime::MIN,
    };
    day(date, order, readings).map(|d| d.and_time(time).and_utc())
}

/// A day as people write it; how it was read (or why not) goes to `readings`.
fn day(value: &str, order: Option<DateOrder>, readings: &mut Vec<String>) -> Option<NaiveDate> {
    match dates::read_day(value, order) {
        Ok(day) => {
            readings.extend(dates::reading(value, day));
            Some(day)
        }
        Err(e @ dates::DateError::Ambiguous { .. }) => {
            readings.push(format!("{e}; kept in the report's text"));
            None
        }
        Err(_) => None,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonFile {
    casebook_reports: u32,
    reports: Vec<JsonReport>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonReport {
    title: Option<String>,
    body: String,
    received_at: Option<DateTime<Utc>>,
    channel: Option<String>,
    venue: Option<String>,
    incident_date: Option<NaiveDate>,
    #[serde(default)]
    reporter: JsonReporter,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonReporter {
    name: Option<String>,
    email: Option<String>,
    handle: Option<String>,
    #[serde(default)]
    anonymous: bool,
}

fn json(text: &str) -> Result<Vec<Report>, ImportError> {
    let file: JsonFile =
        serde_json::from_str(text).map_err(|e| ImportError::BadJson(e.to_string()))?;
    if file.casebook_reports != 1 {
        return Err(ImportError::BadJson(format!(
            "schema version {} (this casebook reads version 1)",
            file.casebook_reports
        )));
    }
    file.reports
        .into_iter()
        .map(|r| {
            let channel = match r.channel.as_deref() {
                Some(c) => c.parse().map_err(ImportError::BadJson)?,
                None => Channel::Form,
            };
            let reporter = Reporter {
                name: r.reporter.name.filter(|_| !r.reporter.anonymous),
                email: r.reporter.email.filter(|_| !r.reporter.anonymous),
                handle: r.reporter.handle.filter(|_| !r.reporter.anonymous),
                anonymous: r.reporter.anonymous,
            };
            // The entry as it stands in the file, as far as casebook reads it.
            let mut hash = Sha256::new();
            let stamp = r.received_at.map(|at| at.to_rfc3339()).unwrap_or_default();
            let day = r.incident_date.map(|d| d.to_string()).unwrap_or_default();
            for part in [
                r.title.as_deref().unwrap_or_default(),
                &r.body,
                &stamp,
                r.venue.as_deref().unwrap_or_default(),
                &day,
                &sender(&reporter),
            ] {
                hash.update((part.len() as u64).to_le_bytes());
                hash.update(part.as_bytes());
            }
            Ok(Report {
                channel,
                title: r.title.unwrap_or_else(|| first_words(&r.body)),
                from: sender(&reporter),
                body: r.body,
                received_at: r.received_at,
                reporter,
                venue: r.venue,
                incident_date: r.incident_date,
                attachments: Vec::new(),
                columns: Vec::new(),
                source_sha256: hex(&hash.finalize()),
                readings: Vec::new(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_map() -> HashMap<String, String> {
        HashMap::new()
    }

    #[test]
    fn an_email_keeps_its_sender_date_subject_body_and_attachments() {
        let eml = b"From: Ada Reporter <ada@example.org>\r\nTo: conduct@example.org\r\nSubject: Hostile replies\r\nDate: Tue, 3 Mar 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThey wrote \x1b[2J at me.\r\n--b\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=\"shot.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n--b--\r\n";
        let reports = parse("r.eml", eml, &no_map()).unwrap();
        let r = &reports[0];
        assert_eq!(r.from, "Ada Reporter <ada@example.org>");
        assert_eq!(r.title, "Hostile replies");
        assert!(
            r.body.contains("They wrote \u{1b}[2J at me."),
            "kept as received: {:?}",
            r.body
        );
        assert_eq!(
            r.received_at.unwrap().to_rfc3339(),
            "2026-03-03T09:00:00+00:00"
        );
        assert_eq!(r.attachments.len(), 1);
        assert_eq!(r.attachments[0].name, "shot.png");
        assert_eq!(r.attachments[0].data, b"hello");
        assert_eq!(
            r.attachments[0].sha256,
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
    }

    #[test]
    fn csv_columns_are_found_by_name_or_mapped() {
        let csv = "Timestamp,Your name,Your account,Anonymous\n2026-03-01 10:00:00,Bo,\"Line one\nline two\",no\n2026-03-02 11:00:00,Cy,Other,yes\n";
        let err = parse("f.csv", csv.as_bytes(), &no_map()).unwrap_err();
        assert!(err.to_string().contains("use --map body=COLUMN"), "{err}");
        let map = HashMap::from([("body".to_string(), "Your account".to_string())]);
        let reports = parse("f.csv", csv.as_bytes(), &map).unwrap();
        assert_eq!(reports.len(), 2);
        assert_eq!(reports[0].reporter.name.as_deref(), Some("Bo"));
        assert_eq!(reports[0].body, "Line one\nline two");
        assert_eq!(reports[0].title, "Line one");
        assert!(
            reports[1].reporter.anonymous && reports[1].reporter.name.is_none(),
            "anonymity drops the name"
        );
    }

    #[test]
    fn headers_form_tools_write_are_recognised_and_no_answer_is_dropped() {
        let csv = include_str!("../../../assets/samples/form-export.csv");
        let reports = parse("form-export.csv", csv.as_bytes(), &no_map()).unwrap();
        let first = &reports[0];
        assert_eq!(first.venue.as_deref(), Some("Community forum"));
        assert_eq!(
            first.incident_date,
            NaiveDate::from_ymd_opt(2026, 10, 30),
            "When did it happen? is the incident date"
        );
        assert!(first.body.starts_with("Another participant"));
        let columns: Vec<_> = first
            .columns
            .iter()
            .map(|(h, f)| (h.as_str(), *f))
            .collect();
        assert!(
            columns.contains(&("What happened?", Some("body"))),
            "{columns:?}"
        );
        assert!(columns.contains(&("Where did it happen?", Some("venue"))));
        // An extra question no field holds, and a date nobody can read, stay in the report.
        let csv = "What happened?,When did it happen?,Anything else?\nIt did,last Tuesday,Please call me\n";
        let report = &parse("f.csv", csv.as_bytes(), &no_map()).unwrap()[0];
        assert!(
            report.body.contains("Anything else?: Please call me"),
            "{}",
            report.body
        );
        assert!(
            report.body.contains("When did it happen?: last Tuesday"),
            "{}",
            report.body
        );
        assert_eq!(report.incident_date, None);
        // The same row is the same report; another row is not.
        let again = &parse("f.csv", csv.as_bytes(), &no_map()).unwrap()[0];
        assert_eq!(report.source_sha256, again.source_sha256);
        assert_ne!(reports[0].source_sha256, reports[1].source_sha256);
    }

    #[test]
    fn hostile_and_broken_inputs_are_refused_clearly() {
        assert_eq!(
            parse("x.csv", b"title,body\n\xff\xfe,x\n", &no_map()),
            Err(ImportError::NotUtf8 { offset: 11 })
        );
        let big = vec![b'a'; MAX_REPORT_BYTES + 1];
        assert!(matches!(
            parse("x.eml", &big, &no_map()),
            Err(ImportError::TooLarge { .. })
        ));
        assert!(matches!(
            parse("x.txt", b"hi", &no_map()),
            Err(ImportError::UnknownFormat)
        ));
        assert!(matches!(
            parse(
                "x.json",
                b"{\"casebook_reports\": 2, \"reports\": []}",
                &no_map()
            ),
            Err(ImportError::BadJson(_))
        ));
        assert!(matches!(
            parse("x.csv", b"title,body\n", &no_map()),
            Err(ImportError::Empty)
        ));
        let long_title = format!("title,body\n{},x\n", "t".repeat(MAX_FIELD_CHARS + 1));
        assert!(matches!(
            parse("x.csv", long_title.as_bytes(), &no_map()),
            Err(ImportError::FieldTooLong { .. })
        ));
        assert!(matches!(
            parse("x.eml", b"\x00\x01 garbage", &no_map()),
            Err(ImportError::BadEmail(_))
        ));
    }

    #[test]
    fn a_million_character_line_is_kept_whole() {
        let line = "x".repeat(1_000_000);
        let json = format!(
            "{{\"casebook_reports\": 1, \"reports\": [{{\"title\": \"long\", \"body\": \"{line}\"}}]}}"
        );
        let reports = parse("r.json", json.as_bytes(), &no_map()).unwrap();
        assert_eq!(reports[0].body.len(), 1_000_000);
    }
}
