//! Reading cases from the command line: queues, one case with its timeline, search. Untrusted
//! text is made safe on the way out; the words for events come from
//! [`crate::core::describe`].
//!
//! One case, shown whole, is in `show/case.rs`.

mod case;

use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Error, load_identity};
use crate::cli::{Config, QueueChoice};
use crate::core::case::{Severity, Status};
use crate::core::event::ConflictKind;
use crate::core::process::{self, Due};
use crate::core::queue::{self, View};
use crate::core::sanitize::inline;
use crate::ops::cases as case_ops;
use crate::ops::vault::OpenMode;

pub(super) use case::show;

/// A case as listed.
#[derive(Serialize)]
struct Listed<'a> {
    code_name: &'a str,
    title: Option<&'a str>,
    status: Status,
    severity: Option<Severity>,
    received_at: DateTime<Utc>,
    assignees: Vec<String>,
    due: Option<Due>,
    overdue: bool,
    /// Hidden because the member declared a hard conflict on it themselves.
    hidden_by_conflict: bool,
    /// Its content was expunged.
    expunged: bool,
    /// Sealed from the member (for whatever reason, which only its readers see).
    sealed_from_you: bool,
}

pub(super) fn list(
    config: &Config,
    file: &Path,
    queue: QueueChoice,
    json: bool,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let identity = load_identity(config)?;
    let mut case_file = super::open_file(config, file, &identity, OpenMode::ReadOnly)?;
    let roster = case_file.roster()?;
    let me = case_file.me()?.map(|m| m.id);
    let settings = case_file.settings();
    let now = Utc::now();
    let view = View {
        me,
        roster: &roster,
        settings: &settings,
        now,
    };
    let cases = case_file.cases()?;
    let queue = match queue {
        QueueChoice::Queue(queue) => queue,
        QueueChoice::Counts => {
            let counts = queue::counts(&view, cases.values());
            if json {
                let map: serde_json::Map<String, serde_json::Value> = counts
                    .iter()
                    .map(|(q, n)| (q.as_str().to_string(), (*n).into()))
                    .collect();
                writeln!(out, "{}", super::json(&map)?)?;
            } else {
                for (q, n) in counts {
                    writeln!(out, "{:<26} {n:>6}", q.as_str())?;
                }
            }
            return Ok(());
        }
    };
    let name_of = |id| {
        roster
            .get(id)
            .map(|m| m.name.clone())
            .unwrap_or_else(|| "?".into())
    };
    let mut listed: Vec<Listed<'_>> = cases
        .values()
        .filter(|c| queue.contains(&view, c))
        .map(|c| {
            let visible = view.may_see(c);
            let due = process::due(&settings, c);
            Listed {
                code_name: &c.code_name,
                title: visible.then_some(c.title.as_str()),
                status: c.status,
                severity: c.severity,
                received_at: c.received_at,
                assignees: c.assignees.iter().map(|id| name_of(*id)).collect(),
                overdue: due.is_some_and(|d| d.by < now),
                due,
                hidden_by_conflict: !visible
                    && me.is_some_and(|me| c.conflict_of(me) == Some(ConflictKind::Hard)),
                sealed_from_you: !visible && c.sealed.is_some(),
                expunged: c.expunged.is_some(),
            }
        })
        .collect();
    listed.sort_by(|a, b| {
        b.overdue
            .cmp(&a.overdue)
            .then(a.received_at.cmp(&b.received_at))
    });
    if json {
        writeln!(out, "{}", super::json(&listed)?)?;
        return Ok(());
    }
    if listed.is_empty() {
        writeln!(out, "no cases in {queue}")?;
        return Ok(());
    }
    writeln!(
        out,
        "{:<22} {:<13} {:<8} {:>5}  {:<24} {:<26} TITLE",
        "CODE", "STATUS", "SEVERITY", "AGE", "ASSIGNED", "DUE"
    )?;
    for c in &listed {
        let age = (now - c.received_at).num_days();
        let due = match c.due {
            Some(d) if c.overdue => format!("OVERDUE: {}", d.what),
            Some(d) => format!("{} in {}d", d.what, (d.by - now).num_days()),
            None => String::new(),
        };
        writeln!(
            out,
            "{:<22} {:<13} {:<8} {:>4}d  {:<24} {:<26} {}",
            inline(c.code_name),
            c.status.as_str(),
            c.severity.map(|s| s.as_str()).unwrap_or("-"),
            age,
            inline(&c.assignees.join(", ")),
            due,
            match (c.title, c.hidden_by_conflict) {
                (Some(""), _) if c.expunged => "(expunged: its retained record)".into(),
                (Some(t), _) => inline(t).into_owned(),
                (None, true) => "(hidden: you declared a hard conflict)".into(),
                (None, false) => "(sealed from you)".into(),
            },
        )?;
    }
    Ok(())
}

/// `casebook search`
pub(super) fn search(
    config: &Config,
    file: &Path,
    query: &str,
    json: bool,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let identity = load_identity(config)?;
    let mut case_file = super::open_file(config, file, &identity, OpenMode::ReadOnly)?;
    let found = case_ops::search(&mut case_file, query, 50)?;
    if json {
        // The match markers become plain text plus the matched words, not control characters.
        let rows: Vec<serde_json::Value> = found
            .iter()
            .map(|f| {
                let parts: Vec<&str> = f.snippet.split(['\u{1}', '\u{2}']).collect();
                let matches: Vec<&str> = parts.iter().skip(1).step_by(2).copied().collect();
                serde_json::json!({
                    "code_name": f.code_name,
                    "matched": f.matched,
                    "event": f.event,
                    "snippet": parts.concat(),
                    "matches": matches,
                })
            })
            .collect();
        writeln!(out, "{}", super::json(&rows)?)?;
        return Ok(());
    }
    if found.is_empty() {
        writeln!(out, "nothing found for {:?}", inline(query))?;
    }
    for f in &found {
        // Sanitise the text between the match markers, then show the markers as brackets.
        let snippet: String = f
            .snippet
            .split(['\u{1}', '\u{2}'])
            .enumerate()
            .map(|(i, part)| {
                let part = part.replace('\n', " ");
                if i % 2 == 1 {
                    format!("[{}]", inline(&part))
                } else {
                    inline(&part).into_owned()
                }
            })
            .collect();
        let what = match f.event {
            Some(event) => crate::core::describe::short_event(&event),
            None => f.matched.describe().to_string(),
        };
        writeln!(out, "{:<22} {what:<11}  {snippet}", inline(&f.code_name))?;
    }
    Ok(())
}
