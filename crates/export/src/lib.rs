//! Decision records: what leaves the encrypted file, shaped for one audience, signed so that
//! anyone can verify it with stock OpenSSH.
//!
//! A record is built from a case by [`record`] for a [`Profile`], then rendered as Markdown or
//! JSON. The signed bytes always name the case, the profile, the outcome, the decision date,
//! the signer and a hash of the roster, so a signature cannot be moved to another case or
//! another audience.
//!
//! Outside the `internal` profile a record holds only what a member wrote (or confirmed) for
//! that audience ([`casebook_core::event::EventKind::RecordTextWritten`]), with a neutral
//! default title, plus the outcome, dates and messages logged as sent to that audience: never
//! a report's subject or body, a party's name or a venue. All untrusted text goes through
//! [`casebook_core::sanitize`], and in Markdown through [`markdown`].
#![deny(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod markdown;
pub mod report;
pub mod sanctions;
pub mod signature;

use std::fmt::Write as _;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use casebook_core::case::{Case, Channel, IncidentAt, ScopeJudgement};
use casebook_core::decision::Tally;
use casebook_core::describe;
pub use casebook_core::event::Profile;
use casebook_core::event::{Audience, Event, EventKind};
use casebook_core::party::Disclosure;
use casebook_core::process;
use casebook_core::roster::{MemberId, Roster};
use casebook_core::sanitize::{body, inline};

/// The version of the JSON schema (documented in `assets/schemas/decision-record.md`).
pub const SCHEMA: &str = "casebook-decision-record/2";

/// Why a record cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// Nothing decided yet.
    #[error("{case} has no decision yet; a decision record needs one")]
    NotDecided {
        /// The case.
        case: String,
    },
    /// The committee marked it as impossible to anonymise.
    #[error(
        "{case} is marked as not anonymisable; it can appear in public reports only as a count"
    )]
    NotAnonymisable {
        /// The case.
        case: String,
    },
}

/// One entry of a record's timeline.
#[derive(Clone, Debug, Serialize)]
pub struct Entry {
    /// When.
    pub at: DateTime<Utc>,
    /// By whom (a member's name).
    pub by: String,
    /// What, sanitised.
    pub text: String,
    /// The longer text the entry carries (a note, a report), sanitised (internal only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The entry this one corrects, in words (internal only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corrects: Option<String>,
}

/// One emergency action and its review.
#[derive(Clone, Debug, Serialize)]
pub struct EmergencyEntry {
    /// When it was taken.
    pub at: DateTime<Utc>,
    /// By whom.
    pub by: String,
    /// What was done.
    pub action: String,
    /// "Name on DATE: note", once reviewed.
    pub review: Option<String>,
}

/// The report as received.
#[derive(Clone, Debug, Serialize)]
pub struct Received {
    /// When it was recorded.
    pub at: DateTime<Utc>,
    /// Who sent it, as stated.
    pub from: String,
    /// Its subject.
    pub subject: String,
    /// Its text.
    pub body: String,
    /// Attachments: "name (type, size bytes, sha256:...)".
    pub attachments: Vec<String>,
}

/// Text a member wrote for another audience's record.
#[derive(Clone, Debug, Serialize)]
pub struct AudienceText {
    /// The audience.
    pub profile: Profile,
    /// The title.
    pub title: String,
    /// The summary.
    pub summary: String,
    /// "Name on DATE".
    pub written: String,
}

/// Everything else recorded about a case: the committee's own record only.
#[derive(Clone, Debug, Serialize)]
pub struct Internal {
    /// How the report arrived.
    pub channel: Channel,
    /// When the report arrived.
    pub received_at: DateTime<Utc>,
    /// When the incident happened.
    pub incident: IncidentAt,
    /// Where it happened.
    pub venue: Option<String>,
    /// In scope or not.
    pub scope: ScopeJudgement,
    /// Why.
    pub scope_reason: Option<String>,
    /// Severity.
    pub severity: Option<String>,
    /// Whether someone's safety was at risk.
    pub safety_risk: bool,
    /// Labels.
    pub labels: Vec<String>,
    /// Parties: `role: name (handle, email)`, or anonymous.
    pub parties: Vec<String>,
    /// Members assigned.
    pub assignees: Vec<String>,
    /// Conflicts of interest: `Name: hard (reason)`.
    pub conflicts: Vec<String>,
    /// Emergency actions and their reviews.
    pub emergencies: Vec<EmergencyEntry>,
    /// The reports as received.
    pub reports: Vec<Received>,
    /// The vote as counted when the decision was recorded (never recounted).
    pub vote: Option<Tally>,
    /// Each member's ballot on the decided outcome: `Name: for`.
    pub ballots: Vec<String>,
    /// A chair's reason for deciding without the quorum rule being met.
    pub override_reason: Option<String>,
    /// What each other audience's record says.
    pub audience_texts: Vec<AudienceText>,
}

/// A decision record for one audience.
#[derive(Clone, Debug, Serialize)]
pub struct Record {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// The case's code name.
    pub case: String,
    /// The audience.
    pub profile: Profile,
    /// The outcome.
    pub outcome: String,
    /// The decision date (`YYYY-MM-DD`; `YYYY-MM` in public records).
    pub decided: String,
    /// Who signs it: name and key fingerprint.
    pub signer: String,
    /// SHA-256 of the sorted active roster recipients when the record was made.
    pub roster_hash: String,
    /// The newest commit of the history the record was derived from: `casebook sign`
    /// derives the record again there and co-signs only the same bytes.
    pub commit: String,
    /// The title: the case's (internal), the one a member wrote for this audience, or
    /// "Decision record for CODE".
    pub title: String,
    /// What happened: the case summary (internal) or what a member wrote for this audience.
    pub summary: Option<String>,
    /// Who wrote this audience's title and summary, and when ("Name on DATE").
    pub written: Option<String>,
    /// Code of conduct clauses concerned.
    pub clauses: Vec<String>,
    /// The committee's rationale (internal only).
    pub rationale: Option<String>,
    /// Consequences and follow-up (review date).
    pub review_on: Option<String>,
    /// How to appeal (for the reported person).
    pub appeal: Option<String>,
    /// The sanctions the decision imposed (not in public records).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sanctions: Vec<RecordSanction>,
    /// Everything else recorded (internal only).
    pub internal: Option<Internal>,
    /// Timeline (internal: every event; reported/reporter: messages sent to them).
    pub timeline: Vec<Entry>,
}

/// A sanction as a decision record states it.
#[derive(Clone, Debug, Serialize)]
pub struct RecordSanction {
    /// The ladder step.
    pub step: String,
    /// Where it applies.
    pub spaces: Vec<String>,
    /// Its first day.
    pub from: NaiveDate,
    /// Its last day; `None`: until the committee reviews it.
    pub until: Option<NaiveDate>,
    /// What the person must do to return.
    pub conditions: String,
    /// Set when it was lifted: the day.
    pub lifted: Option<NaiveDate>,
}

impl RecordSanction {
    fn of(s: &casebook_core::sanction::Sanction) -> RecordSanction {
        RecordSanction {
            step: inline(&s.kind).into_owned(),
            spaces: s.spaces.iter().map(|x| inline(x).into_owned()).collect(),
            from: s.starts,
            until: s.ends,
            conditions: inline(&s.conditions).into_owned(),
            lifted: s.lifted.as_ref().map(|l| l.at.date_naive()),
        }
    }
}

/// What the reported party's record says of appealing: the committee's real window and
/// grounds, or that this decision was the appeal's.
pub fn appeal_text(case: &Case, days: u32, grounds: casebook_core::sanction::Grounds) -> String {
    match &case.appeal {
        Some(a)
            if !a.is_open()
                && case
                    .decision
                    .as_ref()
                    .is_some_and(|d| a.panel_out.contains(&d.by)) =>
        {
            return "This decision was made on appeal. Too few members who did not take part in \
                    the decision appealed were left to hear it, and a chair recorded it by an \
                    override, with a reason the committee keeps; it cannot be appealed again."
                .to_string();
        }
        Some(a) if !a.is_open() => {
            return "This decision was made on appeal, by members who did not take part in the \
                    decision appealed; it cannot be appealed again."
                .to_string();
        }
        Some(_) => {
            return "This decision is under appeal. The appeal is heard by members who did not \
                    take part in it; we will write to you with its outcome."
                .to_string();
        }
        None => {}
    }
    let by = case
        .decision
        .as_ref()
        .map(|d| casebook_core::dates::plus_days(d.at.date_naive(), days));
    format!(
        "You may appeal this decision once, in writing, to the committee within {}{}, on the \
         grounds of {}. The appeal is heard by members who did not take part in this decision.",
        describe::count(days as usize, "day", "days"),
        by.map(|d| format!(" (by {d})")).unwrap_or_default(),
        grounds.words()
    )
}

/// Hash of the active roster's recipients, sorted: changes whenever the committee changes.
pub fn roster_hash(roster: &Roster) -> String {
    let mut recipients: Vec<&str> = roster.active().map(|m| m.recipient.as_str()).collect();
    recipients.sort_unstable();
    let digest = Sha256::digest(recipients.join("\n").as_bytes());
    base16ct::lower::encode_string(&digest)
}

/// The neutral title of a record nobody wrote a title for.
pub fn default_title(code: &str) -> String {
    format!("Decision record for {code}")
}

/// Build the record of `case` for `profile`.
pub fn record(
    case: &Case,
    timeline: &[Event],
    roster: &Roster,
    profile: Profile,
    signer: &str,
    commit: &str,
    settings: &casebook_core::process::Settings,
) -> Result<Record, ExportError> {
    let name = |id| roster.get(id).map(|m| m.name.clone());
    let provenance = Provenance {
        signer: signer.to_string(),
        roster_hash: roster_hash(roster),
        commit: commit.to_string(),
        appeal_days: settings.appeal_days,
        appeal_grounds: settings.grounds,
    };
    record_with(case, timeline, &name, profile, provenance)
}

/// What a record says of its own making: who signs it, the committee, the commit.
#[derive(Clone, Debug)]
pub struct Provenance {
    /// Who signs it: name and key fingerprint.
    pub signer: String,
    /// See [`Record::roster_hash`].
    pub roster_hash: String,
    /// See [`Record::commit`].
    pub commit: String,
    /// The committee's appeal window in days at that commit (the reported party's record
    /// states it).
    pub appeal_days: u32,
    /// The grounds it hears appeals on then.
    pub appeal_grounds: casebook_core::sanction::Grounds,
}

/// Build the record of `case` for `profile`, members named by `name` (`None`: not known).
pub fn record_with(
    case: &Case,
    timeline: &[Event],
    name: &dyn Fn(MemberId) -> Option<String>,
    profile: Profile,
    provenance: Provenance,
) -> Result<Record, ExportError> {
    // What the committee's rules did not apply never reaches a record: a record text, a note,
    // a decision signed by someone who could not make it.
    let applied: Vec<Event> = timeline
        .iter()
        .filter(|e| !case.held.iter().any(|h| h.event == e.id))
        .cloned()
        .collect();
    let timeline = applied.as_slice();
    let decision = case
        .decision
        .as_ref()
        .ok_or_else(|| ExportError::NotDecided {
            case: case.code_name.clone(),
        })?;
    if profile == Profile::Public && !case.anonymisable {
        return Err(ExportError::NotAnonymisable {
            case: case.code_name.clone(),
        });
    }
    let name = |id| {
        name(id)
            .map(|n| inline(&n).into_owned())
            .unwrap_or_else(|| "?".into())
    };
    let written = |by, at: DateTime<Utc>| format!("{} on {}", name(by), at.format("%Y-%m-%d"));
    let decided = if profile == Profile::Public {
        format!("{:04}-{:02}", decision.at.year(), decision.at.month())
    } else {
        decision.at.format("%Y-%m-%d").to_string()
    };
    let internal = profile == Profile::Internal;
    let (title, summary, written_by) = if internal {
        (
            inline(&case.title).into_owned(),
            Some(body(&case.summary).into_owned()).filter(|s| !s.is_empty()),
            None,
        )
    } else {
        match process::record_text(case, timeline, profile) {
            Some((title, summary, by, at)) => (
                inline(title).into_owned(),
                Some(body(summary).into_owned()).filter(|s| !s.is_empty()),
                Some(written(by, at)),
            ),
            None => (default_title(&case.code_name), None, None),
        }
    };
    let entries = timeline
        .iter()
        .filter_map(|e| entry(e, timeline, profile, &name))
        .collect();
    Ok(Record {
        schema: SCHEMA,
        case: case.code_name.clone(),
        profile,
        outcome: decision.outcome.clone(),
        decided,
        signer: provenance.signer,
        roster_hash: provenance.roster_hash,
        commit: provenance.commit,
        title,
        summary,
        written: written_by,
        clauses: case
            .clauses
            .iter()
            .map(|c| inline(c).into_owned())
            .collect(),
        rationale: internal.then(|| body(&decision.rationale).into_owned()),
        review_on: case
            .review_on
            .map(|d| d.to_string())
            .filter(|_| profile != Profile::Public),
        appeal: (profile == Profile::Reported)
            .then(|| appeal_text(case, provenance.appeal_days, provenance.appeal_grounds)),
        sanctions: match profile {
            Profile::Public => Vec::new(),
            _ => case
                .sanctions
                .iter()
                .map(RecordSanction::of)
                // What the person must do to return is theirs and the committee's to know.
                .map(|mut s| {
                    if profile == Profile::Reporter {
                        s.conditions.clear();
                    }
                    s
                })
                .collect(),
        },
        internal: internal.then(|| everything(case, timeline, &name)),
        timeline: entries,
    })
}

/// Everything recorded about `case` that the record's other fields do not already say.
fn everything(case: &Case, timeline: &[Event], name: &dyn Fn(MemberId) -> String) -> Internal {
    let parties = case
        .parties
        .iter()
        .map(|p| match &p.identity {
            Disclosure::Anonymous { contact_held_by } => format!(
                "{}: anonymous (contact held by {})",
                p.role,
                name(*contact_held_by)
            ),
            Disclosure::Named {
                name: who,
                handle,
                email,
            } => {
                let extra: Vec<&str> = [handle, email]
                    .into_iter()
                    .flatten()
                    .map(String::as_str)
                    .collect();
                let extra = if extra.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", extra.join(", "))
                };
                format!("{}: {}{}", p.role, inline(who), inline(&extra))
            }
            _ => format!("{}: {}", p.role, inline(&p.label())),
        })
        .collect();
    let reports = timeline
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::ReportReceived {
                from,
                subject,
                body: text,
                attachments,
                ..
            } => Some(Received {
                at: e.at,
                from: inline(from).into_owned(),
                subject: inline(subject).into_owned(),
                body: body(text).into_owned(),
                attachments: attachments
                    .iter()
                    .map(|a| {
                        format!(
                            "{} ({}, {} bytes, sha256:{})",
                            inline(&a.name),
                            inline(&a.content_type),
                            a.size,
                            a.sha256
                        )
                    })
                    .collect(),
            }),
            _ => None,
        })
        .collect();
    let audience_texts = Profile::ALL
        .into_iter()
        .filter_map(|p| {
            process::record_text(case, timeline, p).map(|(title, summary, by, at)| AudienceText {
                profile: p,
                title: inline(title).into_owned(),
                summary: body(summary).into_owned(),
                written: format!("{} on {}", name(by), at.format("%Y-%m-%d")),
            })
        })
        .collect();
    let ballots = case
        .proposal
        .as_ref()
        .filter(|p| {
            case.decision
                .as_ref()
                .is_some_and(|d| d.outcome == p.outcome)
        })
        .map(|p| {
            p.votes
                .iter()
                .map(|(who, b)| format!("{}: {}", name(*who), b.as_str()))
                .collect()
        })
        .unwrap_or_default();
    Internal {
        channel: case.channel,
        received_at: case.received_at,
        incident: case.incident.clone(),
        venue: case.venue.as_deref().map(|v| inline(v).into_owned()),
        scope: case.scope,
        scope_reason: case.scope_reason.as_deref().map(|v| body(v).into_owned()),
        severity: case.severity.map(|s| s.as_str().to_string()),
        safety_risk: case.safety_risk,
        labels: case.labels.iter().map(|l| inline(l).into_owned()).collect(),
        parties,
        assignees: case.assignees.iter().map(|m| name(*m)).collect(),
        conflicts: case
            .conflicts
            .iter()
            .map(|(m, c)| {
                format!(
                    "{}: {}{}",
                    name(*m),
                    describe::conflict_kind(c.kind),
                    c.reason
                        .as_deref()
                        .map(|r| format!(" ({})", inline(r)))
                        .unwrap_or_default()
                )
            })
            .collect(),
        emergencies: case
            .emergencies
            .iter()
            .map(|e| EmergencyEntry {
                at: e.at,
                by: name(e.by),
                action: body(&e.action).into_owned(),
                review: e.review.as_ref().map(|(by, at, note)| {
                    format!("{} on {}: {}", name(*by), at.format("%Y-%m-%d"), body(note))
                }),
            })
            .collect(),
        reports,
        vote: case.decision.as_ref().and_then(|d| d.tally.clone()),
        ballots,
        override_reason: case
            .decision
            .as_ref()
            .and_then(|d| d.override_reason.as_deref())
            .map(|r| body(r).into_owned()),
        audience_texts,
    }
}

/// What a timeline event says in a record for `profile`, if anything: the committee's own
/// record has every event; the parties' records only the messages sent to them. The words are
/// [`describe`]'s, so a record reads like the case screen.
fn entry(
    event: &Event,
    timeline: &[Event],
    profile: Profile,
    name: &dyn Fn(MemberId) -> String,
) -> Option<Entry> {
    let internal = profile == Profile::Internal;
    let shown = match (&event.kind, profile) {
        (_, Profile::Internal) => true,
        (EventKind::CommunicationLogged { to, .. }, _) => matches!(
            (profile, to),
            (Profile::Reporter, Audience::Reporter) | (Profile::Reported, Audience::Reported)
        ),
        _ => false,
    };
    if !shown {
        return None;
    }
    let mut text = describe::headline(&event.kind, name);
    if let EventKind::DecisionRecorded {
        override_reason: Some(reason),
        ..
    } = &event.kind
    {
        text.push_str(&format!("; override reason: {}", inline(reason)));
    }
    let corrects =
        event
            .amends
            .filter(|_| internal)
            .map(|id| match timeline.iter().find(|e| e.id == id) {
                Some(e) => format!(
                    "corrects the entry of {} by {} ({})",
                    e.at.format("%Y-%m-%d %H:%M UTC"),
                    name(e.author),
                    describe::headline(&e.kind, name)
                ),
                None => format!("corrects entry {id}"),
            });
    Some(Entry {
        at: event.at,
        by: name(event.author),
        text,
        body: describe::text(&event.kind)
            .filter(|_| internal)
            .map(|t| body(t).into_owned()),
        corrects,
    })
}

impl Record {
    /// The record as pretty JSON (schema [`SCHEMA`]), ending with a newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// The same record with the title and summary a member is writing for its audience
    /// (`written`: "Name on DATE"), made safe as [`record`] makes them.
    pub fn with_text(&self, title: &str, summary: &str, written: &str) -> Record {
        let mut record = self.clone();
        record.title = inline(title.trim()).into_owned();
        record.summary = Some(body(summary.trim()).into_owned()).filter(|s| !s.is_empty());
        record.written = Some(inline(written).into_owned());
        record
    }

    /// The record as Markdown; every untrusted value is escaped (see [`markdown`]).
    pub fn to_markdown(&self) -> String {
        use markdown::{block, text as t};
        let mut md = String::new();
        let _ = writeln!(md, "# Decision record: {}", t(&self.case));
        let _ = writeln!(md);
        let _ = writeln!(md, "| | |\n|---|---|");
        let _ = writeln!(md, "| Case | {} |", t(&self.case));
        let _ = writeln!(md, "| For | {} |", self.profile.as_str());
        let _ = writeln!(md, "| Outcome | {} |", t(&self.outcome));
        let _ = writeln!(md, "| Decided | {} |", self.decided);
        let _ = writeln!(md, "| Signed by | {} |", t(&self.signer));
        let _ = writeln!(md, "| Roster | sha256:{} |", self.roster_hash);
        let _ = writeln!(md, "| Commit | {} |", self.commit);
        let _ = writeln!(md, "| Schema | {} |", self.schema);
        let _ = writeln!(md, "\n## {}", t(&self.title));
        if let Some(who) = &self.written {
            let _ = writeln!(md, "\nWritten for this record by {}.", t(who));
        }
        if !self.clauses.is_empty() {
            let clauses: Vec<String> = self.clauses.iter().map(|c| t(c)).collect();
            let _ = writeln!(md, "\nClauses concerned: {}", clauses.join(", "));
        }
        if let Some(text) = &self.summary {
            let _ = write!(md, "\n## What happened\n\n{}", block(text, ""));
        }
        if let Some(text) = &self.rationale {
            let _ = write!(
                md,
                "\n## Why the committee decided so\n\n{}",
                block(text, "")
            );
        }
        if let Some(date) = &self.review_on {
            let _ = writeln!(
                md,
                "\n## Follow-up\n\nThe committee will review this case on {date}."
            );
        }
        if !self.sanctions.is_empty() {
            let _ = writeln!(md, "\n## Sanctions\n");
            for s in &self.sanctions {
                let spaces: Vec<String> = s.spaces.iter().map(|x| t(x)).collect();
                let _ = write!(
                    md,
                    "- {} in {}, from {} {}",
                    t(&s.step),
                    spaces.join(", "),
                    s.from,
                    s.until.map_or_else(
                        || "until the committee reviews it".into(),
                        |d| format!("to {d}")
                    )
                );
                if let Some(day) = s.lifted {
                    let _ = write!(md, " (lifted on {day})");
                }
                let _ = writeln!(md);
                if !s.conditions.is_empty() {
                    let _ = writeln!(md, "  - Conditions for return: {}", t(&s.conditions));
                }
            }
        }
        if let Some(text) = &self.appeal {
            let _ = writeln!(md, "\n## Appeal\n\n{text}");
        }
        if let Some(internal) = &self.internal {
            internal.to_markdown(&mut md);
        }
        if !self.timeline.is_empty() {
            let _ = writeln!(md, "\n## Timeline\n");
            for e in &self.timeline {
                let _ = writeln!(
                    md,
                    "- {} {}: {}",
                    e.at.format("%Y-%m-%d %H:%M UTC"),
                    t(&e.by),
                    t(&e.text)
                );
                if let Some(corrects) = &e.corrects {
                    let _ = writeln!(md, "  ({})", t(corrects));
                }
                if let Some(text) = e.body.as_deref().filter(|b| !b.is_empty()) {
                    let _ = writeln!(md);
                    md.push_str(&block(text, "  "));
                }
            }
        }
        md
    }
}

impl Internal {
    fn to_markdown(&self, md: &mut String) {
        use markdown::{block, text as t};
        let list = |md: &mut String, heading: &str, items: &[String]| {
            if !items.is_empty() {
                let _ = writeln!(md, "\n## {heading}\n");
                for item in items {
                    let _ = writeln!(md, "- {}", t(item));
                }
            }
        };
        let _ = writeln!(md, "\n## Case details\n\n| | |\n|---|---|");
        let _ = writeln!(md, "| Channel | {} |", self.channel.as_str());
        let _ = writeln!(
            md,
            "| Received | {} |",
            self.received_at.format("%Y-%m-%d %H:%M UTC")
        );
        let incident = match &self.incident {
            IncidentAt::Unknown => "unknown".to_string(),
            IncidentAt::Around { date } => format!("around {date}"),
            IncidentAt::Exact { at } => at.format("%Y-%m-%d %H:%M UTC").to_string(),
        };
        let _ = writeln!(md, "| Incident | {incident} |");
        let _ = writeln!(
            md,
            "| Venue | {} |",
            t(self.venue.as_deref().unwrap_or("not recorded"))
        );
        let _ = writeln!(md, "| Scope | {} |", t(&words(&self.scope)));
        if let Some(reason) = &self.scope_reason {
            let _ = writeln!(md, "| Scope reason | {} |", t(reason));
        }
        let _ = writeln!(
            md,
            "| Severity | {} |",
            self.severity.as_deref().unwrap_or("not assessed")
        );
        let _ = writeln!(
            md,
            "| Safety risk | {} |",
            if self.safety_risk { "yes" } else { "no" }
        );
        if !self.labels.is_empty() {
            let labels: Vec<String> = self.labels.iter().map(|l| t(l)).collect();
            let _ = writeln!(md, "| Labels | {} |", labels.join(", "));
        }
        list(md, "Parties", &self.parties);
        list(md, "Assigned", &self.assignees);
        list(md, "Conflicts of interest", &self.conflicts);
        if let Some(v) = &self.vote {
            let _ = writeln!(
                md,
                "\n## Vote\n\n{} for, {} against, {} abstain: {} needed of {} eligible ({}), {}; counted when the decision was recorded.",
                v.for_,
                v.against,
                v.abstain,
                v.needed,
                v.eligible,
                v.rule,
                if v.met { "met" } else { "not met" }
            );
            for b in &self.ballots {
                let _ = writeln!(md, "- {}", t(b));
            }
        }
        if let Some(reason) = &self.override_reason {
            let _ = write!(md, "\n## Chair override\n\n{}", block(reason, ""));
        }
        if !self.emergencies.is_empty() {
            let _ = writeln!(md, "\n## Emergency actions\n");
            for e in &self.emergencies {
                let _ = writeln!(
                    md,
                    "- {} {}: {}",
                    e.at.format("%Y-%m-%d %H:%M UTC"),
                    t(&e.by),
                    t(&e.action)
                );
                let _ = writeln!(
                    md,
                    "  reviewed: {}",
                    t(e.review.as_deref().unwrap_or("not yet reviewed"))
                );
            }
        }
        for r in &self.reports {
            let _ = writeln!(
                md,
                "\n## Report as received, {}\n\nFrom: {}\n\nSubject: {}\n",
                r.at.format("%Y-%m-%d %H:%M UTC"),
                t(&r.from),
                t(&r.subject)
            );
            md.push_str(&block(&r.body, ""));
            for a in &r.attachments {
                let _ = writeln!(md, "- attachment: {}", t(a));
            }
        }
        for a in &self.audience_texts {
            let _ = writeln!(
                md,
                "\n## The {} record says (written by {})\n\nTitle: {}\n",
                a.profile.as_str(),
                t(&a.written),
                t(&a.title)
            );
            if !a.summary.is_empty() {
                md.push_str(&block(&a.summary, ""));
            }
        }
    }
}

/// An enum-like value in its serialised words ("in-scope", "unknown").
fn words<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// What kind of casebook export a file is, and the moment it speaks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recognised {
    /// "decision record" or "transparency report".
    pub what: &'static str,
    /// The time a signer's key is judged at: the start of the decision day (month, for a
    /// public record) or of a report's last day. A key retired after that still verifies it.
    pub as_of: DateTime<Utc>,
}

#[derive(Deserialize)]
struct JsonHead {
    schema: String,
    decided: Option<String>,
    to: Option<NaiveDate>,
}

fn day_start(day: NaiveDate) -> Option<DateTime<Utc>> {
    day.and_hms_opt(0, 0, 0).map(|t| t.and_utc())
}

fn decided_start(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d"))
        .ok()
        .and_then(day_start)
}

/// What a decision record says of where it came from: enough to derive it again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identified {
    /// The case's code name.
    pub case: String,
    /// The audience.
    pub profile: Profile,
    /// Markdown (`false`) or JSON (`true`).
    pub json: bool,
    /// The commit it was derived from.
    pub commit: String,
    /// Who signed it first, exactly as the record says it.
    pub signer: String,
}

/// The decision record in `bytes` (as [`Record::to_markdown`] or [`Record::to_json`] wrote
/// it): which case, audience and commit it was derived from, and who signed it first.
pub fn identify(bytes: &[u8]) -> Option<Identified> {
    let text = std::str::from_utf8(bytes).ok()?;
    if text.starts_with('{') {
        #[derive(Deserialize)]
        struct Head {
            schema: String,
            case: String,
            profile: Profile,
            commit: String,
            signer: String,
        }
        let head: Head = serde_json::from_str(text).ok()?;
        return (head.schema == SCHEMA).then_some(Identified {
            case: head.case,
            profile: head.profile,
            json: true,
            commit: head.commit,
            signer: head.signer,
        });
    }
    if !text.starts_with("# Decision record: ") {
        return None;
    }
    let row = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("| {name} | "))?.strip_suffix(" |"))
    };
    Some(Identified {
        case: row("Case")?.to_string(),
        profile: row("For")?.parse().ok()?,
        json: false,
        commit: row("Commit")?.to_string(),
        signer: row("Signed by")?.to_string(),
    })
}

/// Whether `bytes` are a record or report casebook wrote (Markdown, JSON or CSV), and for
/// which moment. Anything else is `None`: `casebook sign` signs only casebook's own exports.
pub fn recognise(bytes: &[u8]) -> Option<Recognised> {
    let text = std::str::from_utf8(bytes).ok()?;
    if let Some(day) = sanctions::as_of(text) {
        return Some(Recognised {
            what: "list of sanctions in force",
            as_of: day_start(day)?,
        });
    }
    let record = |as_of| {
        Some(Recognised {
            what: "decision record",
            as_of,
        })
    };
    let report = |as_of| {
        Some(Recognised {
            what: "transparency report",
            as_of,
        })
    };
    if text.starts_with('{') {
        let head: JsonHead = serde_json::from_str(text).ok()?;
        return match head.schema.as_str() {
            SCHEMA => record(decided_start(&head.decided?)?),
            report::SCHEMA => report(day_start(head.to?)?),
            _ => None,
        };
    }
    if text.starts_with("# Decision record: ")
        && text.contains(&format!("\n| Schema | {SCHEMA} |\n"))
    {
        let decided = text
            .lines()
            .find_map(|l| l.strip_prefix("| Decided | ")?.strip_suffix(" |"))?;
        return record(decided_start(decided)?);
    }
    if text.starts_with("# Code of conduct transparency report, ")
        || text.starts_with(report::CSV_HEADER)
    {
        return report(day_start(report::period_end(text)?)?);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_casebook_exports_are_recognised() {
        assert_eq!(recognise(b"hello\n"), None);
        assert_eq!(recognise(b"{\"schema\":\"other\"}"), None);
        let json = format!("{{\"schema\":\"{SCHEMA}\",\"decided\":\"2026-03\"}}");
        assert_eq!(
            recognise(json.as_bytes()).map(|r| r.as_of.to_rfc3339()),
            Some("2026-03-01T00:00:00+00:00".into())
        );
    }
}
