//! Transparency reports: what the committee handled in a period, as counts only, compared with
//! the period of the same length before it (after the Kubernetes CoC committee's half-yearly
//! reports and PSF/Django statistics). No case is ever described; cases the committee marked
//! as not anonymisable are counted without their venue.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use crate::core::case::Case;
use crate::core::sanitize::inline;

/// The version of the report's JSON schema.
pub const SCHEMA: &str = "casebook-transparency-report/1";

/// Counts of the cases received in one period.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Cases received.
    pub received: u64,
    /// By how they arrived.
    pub by_channel: BTreeMap<String, u64>,
    /// By where they stand now.
    pub by_status: BTreeMap<String, u64>,
    /// By decided outcome (undecided cases are not in this table).
    pub by_outcome: BTreeMap<String, u64>,
    /// By venue as recorded ("not disclosed" for cases that cannot be anonymised).
    pub by_venue: BTreeMap<String, u64>,
}

/// One breakdown: value to number of cases.
type Table = BTreeMap<String, u64>;

/// A transparency report.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// First day of the period.
    pub from: NaiveDate,
    /// Last day of the period (inclusive).
    pub to: NaiveDate,
    /// The period of the same length just before.
    pub previous_from: NaiveDate,
    /// Its last day.
    pub previous_to: NaiveDate,
    /// Who signs it.
    pub signer: String,
    /// Hash of the roster (see [`super::roster_hash`]).
    pub roster_hash: String,
    /// This period.
    pub current: Counts,
    /// The period before.
    pub previous: Counts,
}

/// Count `cases` received between `from` and `to` (inclusive) and in the period before.
pub fn build<'a>(
    cases: impl IntoIterator<Item = &'a Case> + Clone,
    from: NaiveDate,
    to: NaiveDate,
    signer: &str,
    roster_hash: String,
) -> Report {
    let days = (to - from).num_days() + 1;
    let previous_to = from - Duration::days(1);
    let previous_from = from - Duration::days(days);
    Report {
        schema: SCHEMA,
        from,
        to,
        previous_from,
        previous_to,
        signer: signer.to_string(),
        roster_hash,
        current: count(cases.clone(), from, to),
        previous: count(cases, previous_from, previous_to),
    }
}

fn count<'a>(cases: impl IntoIterator<Item = &'a Case>, from: NaiveDate, to: NaiveDate) -> Counts {
    let mut counts = Counts::default();
    for case in cases {
        let day = case.received_at.date_naive();
        if day < from || day > to {
            continue;
        }
        counts.received += 1;
        *counts
            .by_channel
            .entry(case.channel.as_str().to_string())
            .or_default() += 1;
        *counts
            .by_status
            .entry(case.status.as_str().to_string())
            .or_default() += 1;
        if let Some(decision) = &case.decision {
            *counts
                .by_outcome
                .entry(decision.outcome.clone())
                .or_default() += 1;
        }
        let venue = match (&case.venue, case.anonymisable) {
            (_, false) => "not disclosed".to_string(),
            (Some(venue), true) => inline(venue).to_lowercase(),
            (None, true) => "not recorded".to_string(),
        };
        *counts.by_venue.entry(venue).or_default() += 1;
    }
    counts
}

impl Report {
    /// Every (table, value, count now, count before) row.
    fn rows(&self) -> Vec<(&'static str, String, u64, u64)> {
        let mut rows = vec![(
            "received",
            "all".to_string(),
            self.current.received,
            self.previous.received,
        )];
        let tables: [(&'static str, &Table, &Table); 4] = [
            (
                "channel",
                &self.current.by_channel,
                &self.previous.by_channel,
            ),
            ("status", &self.current.by_status, &self.previous.by_status),
            (
                "outcome",
                &self.current.by_outcome,
                &self.previous.by_outcome,
            ),
            ("venue", &self.current.by_venue, &self.previous.by_venue),
        ];
        for (table, now, before) in tables {
            let mut keys: Vec<&String> = now.keys().chain(before.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                rows.push((
                    table,
                    key.clone(),
                    now.get(key).copied().unwrap_or(0),
                    before.get(key).copied().unwrap_or(0),
                ));
            }
        }
        rows
    }

    /// JSON (schema [`SCHEMA`]), ending with a newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// CSV: `table,value,count,previous,change`.
    pub fn to_csv(&self) -> String {
        let mut csv = String::from("table,value,count,previous,change\n");
        for (table, value, now, before) in self.rows() {
            let value = value.replace('"', "\"\"");
            let _ = writeln!(
                csv,
                "{table},\"{value}\",{now},{before},{:+}",
                now as i64 - before as i64
            );
        }
        csv
    }

    /// Markdown.
    pub fn to_markdown(&self) -> String {
        let mut md = String::new();
        let _ = writeln!(
            md,
            "# Code of conduct transparency report, {} to {}\n",
            self.from, self.to
        );
        let _ = writeln!(
            md,
            "Reports received: {} (previous period, {} to {}: {}).\n",
            self.current.received, self.previous_from, self.previous_to, self.previous.received
        );
        let _ = writeln!(
            md,
            "Signed by {}; roster sha256:{}; schema {}.",
            self.signer, self.roster_hash, self.schema
        );
        let mut table = "";
        for (name, value, now, before) in self.rows().into_iter().skip(1) {
            if name != table {
                table = name;
                let _ = writeln!(
                    md,
                    "\n## By {name}\n\n| {name} | cases | previous | change |\n|---|---:|---:|---:|"
                );
            }
            let value = value.replace('|', "\\|");
            let _ = writeln!(
                md,
                "| {value} | {now} | {before} | {:+} |",
                now as i64 - before as i64
            );
        }
        md
    }
}
