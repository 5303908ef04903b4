//! Decision records: what leaves the encrypted file, shaped for one audience, signed so that
//! anyone can verify it with stock OpenSSH.
//!
//! A record is built from a case by [`record`] for a [`Profile`], then rendered as Markdown or
//! JSON. The signed bytes always name the case, the profile, the outcome, the decision date,
//! the signer and a hash of the roster, so a signature cannot be moved to another case or
//! another audience. All untrusted text goes through [`crate::core::sanitize`].

pub mod report;
pub mod signature;

use std::fmt::Write as _;

use chrono::{DateTime, Datelike, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::core::case::{Case, Channel};
use crate::core::describe;
use crate::core::event::{Audience, Event, EventKind};
use crate::core::party::Identity as PartyIdentity;
use crate::core::roster::{MemberId, Roster};
use crate::core::sanitize::{body, inline};

/// The version of the JSON schema (documented in `assets/schemas/decision-record.md`).
pub const SCHEMA: &str = "casebook-decision-record/1";

/// Who a record is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// The committee: everything.
    Internal,
    /// The reported person: behaviour, impact, outcome, consequences, appeal; never the
    /// reporter or witnesses, never deliberation.
    Reported,
    /// The reporter: outcome and follow-up; no deliberation, no details of the reported party.
    Reporter,
    /// The public: anonymised.
    Public,
}

impl Profile {
    /// The profile's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Internal => "internal",
            Profile::Reported => "reported",
            Profile::Reporter => "reporter",
            Profile::Public => "public",
        }
    }
}

impl std::str::FromStr for Profile {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            Profile::Internal,
            Profile::Reported,
            Profile::Reporter,
            Profile::Public,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
        .ok_or_else(|| {
            format!("unknown profile {s:?}; profiles: internal, reported, reporter, public")
        })
    }
}

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
    /// Title (not in public records).
    pub title: Option<String>,
    /// How the report arrived (the venue class, in public records).
    pub channel: Channel,
    /// Code of conduct clauses concerned.
    pub clauses: Vec<String>,
    /// What happened, in the committee's words (summary); not in public records.
    pub behaviour: Option<String>,
    /// The committee's rationale (not for the reporter or the public).
    pub rationale: Option<String>,
    /// Consequences and follow-up (review date).
    pub review_on: Option<String>,
    /// How to appeal (for the reported person).
    pub appeal: Option<String>,
    /// Parties, labelled (internal only).
    pub parties: Vec<String>,
    /// Timeline (internal: everything; others: nothing or communications to them).
    pub timeline: Vec<Entry>,
}

/// Hash of the active roster's recipients, sorted: changes whenever the committee changes.
pub fn roster_hash(roster: &Roster) -> String {
    let mut recipients: Vec<&str> = roster.active().map(|m| m.recipient.as_str()).collect();
    recipients.sort_unstable();
    let digest = Sha256::digest(recipients.join("\n").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Build the record of `case` for `profile`.
pub fn record(
    case: &Case,
    timeline: &[Event],
    roster: &Roster,
    profile: Profile,
    signer: &str,
) -> Result<Record, ExportError> {
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
        roster
            .get(id)
            .map(|m| inline(&m.name).into_owned())
            .unwrap_or_else(|| "?".into())
    };
    let decided = if profile == Profile::Public {
        format!("{:04}-{:02}", decision.at.year(), decision.at.month())
    } else {
        decision.at.format("%Y-%m-%d").to_string()
    };
    let internal = profile == Profile::Internal;
    let parties = if internal {
        case.parties
            .iter()
            .map(|p| match &p.identity {
                PartyIdentity::Anonymous { contact_held_by } => {
                    format!(
                        "{}: anonymous (contact held by {})",
                        p.role,
                        name(*contact_held_by)
                    )
                }
                PartyIdentity::Named {
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
            .collect()
    } else {
        Vec::new()
    };
    let timeline = timeline
        .iter()
        .filter_map(|e| {
            entry(e, profile, &name).map(|text| Entry {
                at: e.at,
                by: name(e.author),
                text,
            })
        })
        .collect();
    Ok(Record {
        schema: SCHEMA,
        case: case.code_name.clone(),
        profile,
        outcome: decision.outcome.clone(),
        decided,
        signer: signer.to_string(),
        roster_hash: roster_hash(roster),
        title: (profile != Profile::Public).then(|| inline(&case.title).into_owned()),
        channel: case.channel,
        clauses: case.clauses.iter().map(|c| inline(c).into_owned()).collect(),
        behaviour: matches!(profile, Profile::Internal | Profile::Reported)
            .then(|| body(&case.summary).into_owned())
            .filter(|s| !s.is_empty()),
        rationale: matches!(profile, Profile::Internal | Profile::Reported).then(|| body(&decision.rationale).into_owned()),
        review_on: case.review_on.map(|d| d.to_string()).filter(|_| profile != Profile::Public),
        appeal: (profile == Profile::Reported).then(|| {
            "You may appeal this decision once, in writing, to the committee's chair within 30 days; \
             the appeal is heard by members who did not take part in this decision."
                .to_string()
        }),
        parties,
        timeline,
    })
}

/// What a timeline event says in a record for `profile`, if anything: the committee's own
/// record has every note, move, vote and decision; the parties' records only the messages sent
/// to them. The words are [`describe`]'s, so a record reads like the case screen.
fn entry(event: &Event, profile: Profile, name: &dyn Fn(MemberId) -> String) -> Option<String> {
    let shown = match (&event.kind, profile) {
        (
            EventKind::NoteAdded { .. }
            | EventKind::StatusChanged { .. }
            | EventKind::VoteCast { .. }
            | EventKind::DecisionRecorded { .. },
            Profile::Internal,
        ) => true,
        (EventKind::CommunicationLogged { to, .. }, _) => matches!(
            (profile, to),
            (Profile::Internal, _)
                | (Profile::Reporter, Audience::Reporter)
                | (Profile::Reported, Audience::Reported)
        ),
        _ => false,
    };
    if !shown {
        return None;
    }
    let mut line = describe::headline(&event.kind, name);
    if let EventKind::DecisionRecorded {
        override_reason: Some(reason),
        ..
    } = &event.kind
    {
        line.push_str(&format!("; override reason: {}", inline(reason)));
    }
    // A decision's rationale is part of the record already.
    if let (Some(text), false) = (
        describe::text(&event.kind),
        matches!(event.kind, EventKind::DecisionRecorded { .. }),
    ) {
        line.push_str(&format!(": {}", body(text)));
    }
    Some(line)
}

impl Record {
    /// The record as pretty JSON (schema [`SCHEMA`]), ending with a newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// The record as Markdown.
    pub fn to_markdown(&self) -> String {
        let mut md = String::new();
        let _ = writeln!(md, "# Decision record: {}", self.case);
        let _ = writeln!(md);
        let _ = writeln!(md, "| | |\n|---|---|");
        let _ = writeln!(md, "| Case | {} |", self.case);
        let _ = writeln!(md, "| For | {} |", self.profile.as_str());
        let _ = writeln!(md, "| Outcome | {} |", self.outcome);
        let _ = writeln!(md, "| Decided | {} |", self.decided);
        let _ = writeln!(md, "| Signed by | {} |", self.signer);
        let _ = writeln!(md, "| Roster | sha256:{} |", self.roster_hash);
        let _ = writeln!(md, "| Channel | {} |", self.channel.as_str());
        let _ = writeln!(md, "| Schema | {} |", self.schema);
        if let Some(title) = &self.title {
            let _ = writeln!(md, "\n## {title}");
        }
        if !self.clauses.is_empty() {
            let _ = writeln!(md, "\nClauses concerned: {}", self.clauses.join(", "));
        }
        if let Some(text) = &self.behaviour {
            let _ = writeln!(md, "\n## What happened\n\n{text}");
        }
        if let Some(text) = &self.rationale {
            let _ = writeln!(md, "\n## Why the committee decided so\n\n{text}");
        }
        if let Some(date) = &self.review_on {
            let _ = writeln!(
                md,
                "\n## Follow-up\n\nThe committee will review this case on {date}."
            );
        }
        if let Some(text) = &self.appeal {
            let _ = writeln!(md, "\n## Appeal\n\n{text}");
        }
        if !self.parties.is_empty() {
            let _ = writeln!(md, "\n## Parties\n");
            for p in &self.parties {
                let _ = writeln!(md, "- {p}");
            }
        }
        if !self.timeline.is_empty() {
            let _ = writeln!(md, "\n## Timeline\n");
            for e in &self.timeline {
                let text = e.text.replace('\n', "\n  ");
                let _ = writeln!(
                    md,
                    "- {} {}: {text}",
                    e.at.format("%Y-%m-%d %H:%M UTC"),
                    e.by
                );
            }
        }
        md
    }
}
