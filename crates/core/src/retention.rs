//! Retention and erasure: a case's content expunged by two members, and the committee's
//! schedule that says when.
//!
//! A `case-expunged` event (the tombstone) names what is erased and carries the retained
//! record: exactly what the transparency report counts ([`retained`]). It waits for a second
//! member's `expunge-approved`; once approved (the rules judge both on every copy), the case's
//! state is the retained record and nothing else, and every copy erases the payloads of the
//! case's other events, keeping their signed headers and hashes (see `vault::expunge`). A copy
//! that holds a case only as erased payloads replays it from the tombstone alone
//! ([`super::event::EventKind::Erased`]).

use std::collections::BTreeMap;

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::case::{Case, Status};
use super::roster::MemberId;

/// Why a case is expunged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Reason {
    /// The committee's retention schedule says its time has come.
    Retention,
    /// A person in the report asked for erasure.
    Request,
    /// The case went to another body, which keeps its own record.
    Transfer,
}

impl Reason {
    /// Every reason.
    pub const ALL: [Reason; 3] = [Reason::Retention, Reason::Request, Reason::Transfer];

    /// The reason's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Retention => "retention",
            Reason::Request => "request",
            Reason::Transfer => "transfer",
        }
    }
}

impl std::str::FromStr for Reason {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Reason::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown reason {s:?}; reasons: retention, request, transfer"))
    }
}

/// What a tombstone erases: how many events, and one SHA-256 over their sorted
/// `(event id, event hash)` pairs, as the proposer's copy held them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// How many events.
    pub count: u64,
    /// SHA-256 (hex) over `id:hash\n` of each, sorted by id.
    pub hash: String,
}

/// An approved expunge, as the case's state records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expunged {
    /// The `case-expunged` event.
    pub tombstone: Uuid,
    /// Why.
    pub reason: Reason,
    /// The proposer's note.
    pub note: String,
    /// Who proposed it, and when.
    pub by: MemberId,
    /// When it was proposed.
    pub at: DateTime<Utc>,
    /// Who approved it.
    pub approved_by: MemberId,
    /// When it took effect.
    pub approved_at: DateTime<Utc>,
    /// What it erased.
    pub manifest: Manifest,
    /// The newest commit the proposer had seen.
    pub seen: String,
    /// The members whose laptops say they applied it and deleted casebook's leftovers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applied: Vec<(MemberId, DateTime<Utc>)>,
}

/// A hold on a case's expunging: a legal hold forbids it until `until`; a postponement only
/// moves the date the schedule gives to `until`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    /// The `expunge-held` event.
    pub id: Uuid,
    /// The last day it holds.
    pub until: NaiveDate,
    /// Why.
    pub reason: String,
    /// A legal hold (forbids expunging), not a postponement.
    pub legal: bool,
    /// Who placed it.
    pub by: MemberId,
    /// When.
    pub at: DateTime<Utc>,
}

/// The committee's retention schedule: a case is due to be expunged `months` after its
/// decision (or after it closed without one), or after the months its outcome has of its own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// Months after the decision or closing; `None`: no schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months: Option<u32>,
    /// Months per outcome, where the committee keeps some longer (or shorter).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub by_outcome: BTreeMap<String, u32>,
    /// Days before its date a case shows in the expunge-due queue.
    #[serde(default = "default_notice_days")]
    pub notice_days: u32,
}

/// Days a case shows in the expunge-due queue before its date, unless the committee set it.
pub fn default_notice_days() -> u32 {
    30
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            months: None,
            by_outcome: BTreeMap::new(),
            notice_days: default_notice_days(),
        }
    }
}

impl Schedule {
    /// Whether it is the schedule of a committee that never set one (not stored).
    pub fn is_default(&self) -> bool {
        *self == Schedule::default()
    }

    /// Whether it expunges anything.
    pub fn is_on(&self) -> bool {
        self.months.is_some() || !self.by_outcome.is_empty()
    }

    /// The months a case with `outcome` (none: closed without a decision) is kept.
    pub fn months_for(&self, outcome: Option<&str>) -> Option<u32> {
        outcome
            .and_then(|o| self.by_outcome.get(o).copied())
            .or(self.months)
    }

    /// One line for `settings`: "24 months; ban 60" or "none".
    pub fn line(&self) -> String {
        let mut parts = Vec::new();
        let months = |m: u32| super::describe::count(m as usize, "month", "months");
        if let Some(m) = self.months {
            parts.push(format!("{} after the decision or closing", months(m)));
        }
        for (outcome, m) in &self.by_outcome {
            parts.push(format!("{outcome}: {}", months(*m)));
        }
        if parts.is_empty() {
            "none (cases are kept until expunged by hand)".into()
        } else {
            format!(
                "{} (shown {} before)",
                parts.join("; "),
                super::describe::count(self.notice_days as usize, "day", "days")
            )
        }
    }
}

/// The day `case` is due to be expunged: the date a member set on it, else the one `schedule`
/// gives, moved by its holds; `None` while it is not finished, when neither covers it, or once
/// it is expunged. A postponement moves
/// the day to its end when that is later; a legal hold in force moves it to the day after.
pub fn due_on(case: &Case, schedule: &Schedule) -> Option<NaiveDate> {
    if case.expunged.is_some() || !finished(case) {
        return None;
    }
    let outcome = case.decision.as_ref().map(|d| d.outcome.as_str());
    let from = case
        .decision
        .as_ref()
        .map(|d| d.at)
        .unwrap_or(case.updated_at)
        .date_naive();
    // A date a member set on the case stands; else the schedule's.
    let mut due = match case.expunge_on {
        Some(day) => day,
        None => from.checked_add_months(Months::new(schedule.months_for(outcome)?))?,
    };
    for hold in &case.holds {
        let after = if hold.legal {
            hold.until.succ_opt()?
        } else {
            hold.until
        };
        due = due.max(after);
    }
    Some(due)
}

/// Whether the committee is done with `case`: decided, closed, transferred or out of scope.
pub fn finished(case: &Case) -> bool {
    case.status == Status::Decided || case.status.is_finished()
}

/// The legal hold on `case` in force on `day`, if any.
pub fn legal_hold_on(case: &Case, day: NaiveDate) -> Option<&Hold> {
    case.holds.iter().find(|h| h.legal && day <= h.until)
}

/// The retained record of `case`: exactly what the transparency report counts (when it was
/// received, acknowledged and decided, its channel, status, outcome, venue where it may be
/// described, when it was first told of its decision, its sanctions' kinds and dates, its
/// appeal's dates and outcomes) and its clauses. No person's name or handle, no text anyone
/// wrote. A sealed case keeps only what its summary shows the members kept out of it.
pub fn retained(case: &Case) -> Case {
    let mut kept = case.sealed_summary();
    kept.sealed = None;
    kept.title = String::new();
    kept.summary = String::new();
    kept.incident = super::case::IncidentAt::Unknown;
    if !kept.anonymisable {
        kept.venue = None;
    }
    kept.venue = kept.venue.map(|v| super::sanitize::inline(&v).into_owned());
    kept.scope = super::case::ScopeJudgement::Undecided;
    kept.scope_reason = None;
    kept.severity = None;
    kept.safety_risk = false;
    kept.labels.clear();
    kept.assignees.clear();
    kept.review_on = None;
    kept.expunge_on = None;
    kept.parties.clear();
    kept.conflicts.clear();
    kept.emergencies.clear();
    kept.proposal = None;
    kept.notes = 0;
    kept.attention.clear();
    kept.held.clear();
    kept.pending.clear();
    kept.links.clear();
    kept.holds.clear();
    if let Some(d) = kept.decision.as_mut() {
        d.rationale = String::new();
        d.override_reason = d.override_reason.as_ref().map(|_| String::new());
        d.tally = None;
    }
    // The first message after the decision counts its timing; what it said does not.
    let first_told = kept
        .decision
        .as_ref()
        .map(|d| d.at)
        .and_then(|at| {
            kept.communications
                .iter()
                .filter(|c| c.at >= at)
                .min_by_key(|c| c.at)
        })
        .cloned();
    kept.communications = first_told
        .map(|mut c| {
            c.summary = String::new();
            c.next_update_by = None;
            vec![c]
        })
        .unwrap_or_default();
    for s in &mut kept.sanctions {
        s.subject = String::new();
        s.spaces.clear();
        s.conditions = String::new();
        s.tell.clear();
        s.told.clear();
        s.history.clear();
        if let Some(l) = s.lifted.as_mut() {
            l.note = String::new();
        }
    }
    if let Some(a) = kept.appeal.as_mut() {
        a.note = String::new();
        a.original.rationale = String::new();
        a.original.override_reason = a.original.override_reason.as_ref().map(|_| String::new());
        a.original.tally = None;
        a.panel_out.clear();
    }
    kept
}

/// What an expunge of a case with `changes` changes erases, from where, and what stays, in
/// words (the command line and the interface say the same before anything goes).
pub fn what_goes(changes: usize) -> String {
    format!(
        "Gone, once a second member approves, from this file, its backup and every copy that \
         merges it: the content of its {} (report, notes, parties and their contact details, \
         attachments, messages, the words of votes and of the decision), and its search \
         entries. Stays: each change's signed header, and the retained record (when it was \
         received, acknowledged and decided, its channel, status, outcome and clauses, its \
         sanctions' kinds and dates), with no person's name or handle. Your exports of it, a \
         sync tool's version history and a git history of the file are listed after, with \
         what to do: casebook cannot reach them.",
        super::describe::count(changes, "change", "changes")
    )
}

/// The state an approved expunge leaves: the tombstone's retained record, marked expunged.
pub fn after_expunge(retained: &Case, expunged: Expunged) -> Case {
    let mut case = retained.clone();
    case.updated_at = case.updated_at.max(expunged.approved_at);
    case.expunged = Some(expunged);
    case.erased = false;
    case
}
