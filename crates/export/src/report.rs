//! Transparency reports: what the committee handled in a period, as counts only, compared with
//! the period of the same length before it (after the Kubernetes CoC committee's half-yearly
//! reports and PSF/Django statistics). No case is ever described; cases the committee marked
//! as not anonymisable are counted without their venue.
//!
//! Small cells identify people: a venue, channel, status or outcome with fewer than
//! `min_cell` cases (default [`DEFAULT_MIN_CELL`]) in either period is folded into "other"
//! in both, so a public report never says "1 case in chat #help". CSV is written with the
//! `csv` crate, and a text cell that a spreadsheet would take for a formula is neutralised.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use casebook_core::case::Case;
use casebook_core::sanitize::inline;

/// The version of the report's JSON schema.
pub const SCHEMA: &str = "casebook-transparency-report/2";

/// Cells with fewer cases than this are folded into "other" unless asked otherwise.
pub const DEFAULT_MIN_CELL: u64 = 3;

/// The first line of a report in CSV.
pub const CSV_HEADER: &str = "table,value,count,previous,change\n";

/// The value small cells are folded into.
const OTHER: &str = "other";

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
    /// Sanctions in force on the period's last day, by kind.
    pub sanctions_in_force: BTreeMap<String, u64>,
    /// Appeals received in the period, by what became of them (upheld, changed, pending).
    pub appeals: BTreeMap<String, u64>,
    /// How long the committee took, over the cases received in the period.
    pub timing: Timing,
}

/// How long the committee took: from the report to its acknowledgement, from the report to
/// the decision (the first, when it was appealed), and from the decision to the first
/// message after it. In whole hours; a median and a 90th percentile are given only over at
/// least `min_cell` cases.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Timing {
    /// Report to acknowledgement.
    pub acknowledge: Spread,
    /// Report to decision.
    pub decide: Spread,
    /// Decision to the first message after it.
    pub communicate: Spread,
}

/// The spread of one duration over some cases.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Spread {
    /// Cases measured.
    pub cases: u64,
    /// The median, in hours (none below the small-cell threshold).
    pub median_hours: Option<i64>,
    /// The 90th percentile, in hours (none below the small-cell threshold).
    pub p90_hours: Option<i64>,
}

impl Spread {
    /// The spread of `hours` (each one case), shown only over at least `min_cell` cases.
    fn of(mut hours: Vec<i64>, min_cell: u64) -> Spread {
        hours.sort_unstable();
        let cases = hours.len() as u64;
        // Nearest rank: the smallest value at or above the share asked for.
        let rank = |share: f64| -> Option<i64> {
            let n = hours.len();
            (n > 0 && cases >= min_cell).then(|| {
                let at = ((share * n as f64).ceil() as usize).clamp(1, n);
                hours[at - 1]
            })
        };
        Spread {
            cases,
            median_hours: rank(0.5),
            p90_hours: rank(0.9),
        }
    }
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
    /// Values with fewer cases than this (in either period) are counted under "other".
    pub min_cell: u64,
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
    min_cell: u64,
) -> Report {
    let days = (to - from).num_days() + 1;
    let previous_to = from - Duration::days(1);
    let previous_from = from - Duration::days(days);
    let mut current = count(cases.clone(), from, to, min_cell);
    let mut previous = count(cases, previous_from, previous_to, min_cell);
    for (now, before) in [
        (&mut current.by_channel, &mut previous.by_channel),
        (&mut current.by_status, &mut previous.by_status),
        (&mut current.by_outcome, &mut previous.by_outcome),
        (&mut current.by_venue, &mut previous.by_venue),
        (
            &mut current.sanctions_in_force,
            &mut previous.sanctions_in_force,
        ),
        (&mut current.appeals, &mut previous.appeals),
    ] {
        fold_small_cells(now, before, min_cell);
    }
    Report {
        schema: SCHEMA,
        from,
        to,
        previous_from,
        previous_to,
        signer: signer.to_string(),
        roster_hash,
        min_cell,
        current,
        previous,
    }
}

/// Fold every value with fewer than `min` cases in either period into "other", in both
/// periods, so that no count can be told apart by comparing the two.
fn fold_small_cells(now: &mut Table, before: &mut Table, min: u64) {
    let small: BTreeSet<String> = now
        .iter()
        .chain(before.iter())
        .filter(|(value, n)| **n > 0 && **n < min && value.as_str() != OTHER)
        .map(|(value, _)| value.clone())
        .collect();
    for table in [now, before] {
        for value in &small {
            if let Some(n) = table.remove(value) {
                *table.entry(OTHER.to_string()).or_default() += n;
            }
        }
    }
}

/// The last day of the period a report (Markdown or CSV) covers, as it states it.
pub fn period_end(text: &str) -> Option<NaiveDate> {
    let line = text.lines().find_map(|l| {
        l.strip_prefix("# Code of conduct transparency report, ")
            .or_else(|| l.strip_prefix("period,"))
    })?;
    let period = line.split(',').next()?;
    let end = period.split(" to ").nth(1)?;
    NaiveDate::parse_from_str(end.trim(), "%Y-%m-%d").ok()
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR) is prefixed
/// with `'`, which spreadsheets show as text.
fn neutralise(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

fn count<'a>(
    cases: impl IntoIterator<Item = &'a Case>,
    from: NaiveDate,
    to: NaiveDate,
    min_cell: u64,
) -> Counts {
    let mut counts = Counts::default();
    let (mut acknowledge, mut decide, mut communicate) = (Vec::new(), Vec::new(), Vec::new());
    let hours = |a: chrono::DateTime<chrono::Utc>, b: chrono::DateTime<chrono::Utc>| {
        (b - a).num_hours().max(0)
    };
    for case in cases {
        // Sanctions in force on the last day, and appeals received in the period, whenever
        // their case was reported.
        for s in case.sanctions.iter().filter(|s| s.active_on(to)) {
            *counts
                .sanctions_in_force
                .entry(inline(&s.kind).into_owned())
                .or_default() += 1;
        }
        if let Some(appeal) = &case.appeal {
            let day = appeal.at.date_naive();
            if from <= day && day <= to {
                let became = match &appeal.decided {
                    None => "pending",
                    Some((outcome, _)) if *outcome == appeal.original.outcome => "upheld",
                    Some(_) => "changed",
                };
                *counts.appeals.entry(became.to_string()).or_default() += 1;
            }
        }
        let day = case.received_at.date_naive();
        if day < from || day > to {
            continue;
        }
        if let Some(at) = case.acknowledged_at {
            acknowledge.push(hours(case.received_at, at));
        }
        let first = case
            .appeal
            .as_ref()
            .map(|a| &a.original)
            .or(case.decision.as_ref());
        if let Some(decision) = first {
            decide.push(hours(case.received_at, decision.at));
            if let Some(told) = case
                .communications
                .iter()
                .filter(|c| c.at >= decision.at)
                .map(|c| c.at)
                .min()
            {
                communicate.push(hours(decision.at, told));
            }
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
    counts.timing = Timing {
        acknowledge: Spread::of(acknowledge, min_cell),
        decide: Spread::of(decide, min_cell),
        communicate: Spread::of(communicate, min_cell),
    };
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
        let tables: [(&'static str, &Table, &Table); 6] = [
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
            (
                "sanctions in force",
                &self.current.sanctions_in_force,
                &self.previous.sanctions_in_force,
            ),
            ("appeals", &self.current.appeals, &self.previous.appeals),
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

    /// Each timing, named, now and before.
    fn timings(&self) -> [(&'static str, &Spread, &Spread); 3] {
        [
            (
                "time to acknowledge",
                &self.current.timing.acknowledge,
                &self.previous.timing.acknowledge,
            ),
            (
                "time to decide",
                &self.current.timing.decide,
                &self.previous.timing.decide,
            ),
            (
                "time to communicate the decision",
                &self.current.timing.communicate,
                &self.previous.timing.communicate,
            ),
        ]
    }

    /// JSON (schema [`SCHEMA`]), ending with a newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// CSV: `table,value,count,previous,change`, after a `report` row naming the schema and a
    /// `period` row.
    pub fn to_csv(&self) -> String {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        let period = format!("{} to {}", self.from, self.to);
        let previous = format!("{} to {}", self.previous_from, self.previous_to);
        let min = format!("fewer than {} cases counted as other", self.min_cell);
        let mut rows: Vec<[String; 5]> = vec![
            ["table", "value", "count", "previous", "change"].map(String::from),
            [
                "report".into(),
                SCHEMA.into(),
                String::new(),
                String::new(),
                String::new(),
            ],
            [
                "period".into(),
                period,
                String::new(),
                previous,
                String::new(),
            ],
            [
                "cells".into(),
                min,
                String::new(),
                String::new(),
                String::new(),
            ],
        ];
        for (table, value, now, before) in self.rows() {
            rows.push([
                table.to_string(),
                neutralise(&inline(&value)),
                now.to_string(),
                before.to_string(),
                format!("{:+}", now as i64 - before as i64),
            ]);
        }
        for (name, now, before) in self.timings() {
            for (value, a, b) in [
                ("cases", Some(now.cases as i64), Some(before.cases as i64)),
                ("median hours", now.median_hours, before.median_hours),
                ("90th percentile hours", now.p90_hours, before.p90_hours),
            ] {
                let shown = |x: Option<i64>| x.map(|x| x.to_string()).unwrap_or_default();
                rows.push([
                    name.to_string(),
                    value.to_string(),
                    shown(a),
                    shown(b),
                    match (a, b) {
                        (Some(a), Some(b)) => format!("{:+}", a - b),
                        _ => String::new(),
                    },
                ]);
            }
        }
        for row in rows {
            if writer.write_record(&row).is_err() {
                return String::new();
            }
        }
        writer
            .into_inner()
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .unwrap_or_default()
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
            super::markdown::text(&self.signer),
            self.roster_hash,
            self.schema
        );
        let _ = writeln!(
            md,
            "\nAny value with fewer than {} cases in either period is counted under \"other\".",
            self.min_cell
        );
        let mut table = "";
        for (name, value, now, before) in self.rows().into_iter().skip(1) {
            if name != table {
                table = name;
                let unit = match name {
                    "sanctions in force" => "sanctions",
                    "appeals" => "appeals",
                    _ => "cases",
                };
                let _ = writeln!(
                    md,
                    "\n## By {name}\n\n| {name} | {unit} | previous | change |\n|---|---:|---:|---:|"
                );
            }
            let value = super::markdown::text(&value);
            let _ = writeln!(
                md,
                "| {value} | {now} | {before} | {:+} |",
                now as i64 - before as i64
            );
        }
        let _ = writeln!(
            md,
            "\n## Timing\n\nHours, over the cases received in each period; a median or 90th \
             percentile is shown only over at least {} cases.\n\n\
             | measure | cases | median | 90th percentile | previous: cases | median | 90th percentile |\n\
             |---|---:|---:|---:|---:|---:|---:|",
            self.min_cell
        );
        let shown = |x: Option<i64>| x.map_or_else(|| "–".to_string(), |x| x.to_string());
        for (name, now, before) in self.timings() {
            let _ = writeln!(
                md,
                "| {name} | {} | {} | {} | {} | {} | {} |",
                now.cases,
                shown(now.median_hours),
                shown(now.p90_hours),
                before.cases,
                shown(before.median_hours),
                shown(before.p90_hours)
            );
        }
        md
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_percentile_is_the_nearest_rank_and_only_over_enough_cases() {
        let spread = Spread::of((1..=10).rev().collect(), 3);
        assert_eq!(spread.cases, 10);
        assert_eq!(spread.median_hours, Some(5));
        assert_eq!(spread.p90_hours, Some(9));
        let few = Spread::of(vec![4, 80], 3);
        assert_eq!(
            (few.cases, few.median_hours, few.p90_hours),
            (2, None, None)
        );
        let none = Spread::of(Vec::new(), 1);
        assert_eq!((none.cases, none.median_hours), (0, None));
    }
}
