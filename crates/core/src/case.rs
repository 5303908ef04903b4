//! Cases: the incident reports a committee handles, where each one is in the process, and
//! how a case's current state is derived from its events.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::attention::{Attention, Trouble};
use super::decision::Ballot;
use super::event::{Access, Audience, ConflictKind, Details, Event, EventKind, ExcludeWhy};
use super::party::Party;
use super::roster::MemberId;

/// A case's stable identifier. Committee members talk about cases by [`Case::code_name`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CaseId(pub Uuid);

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Where a case is in the committee's process (Kubernetes CoC committee incident process).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Received, not yet acknowledged.
    New,
    /// Acknowledged; severity, safety risk, scope and jurisdiction being assessed.
    Triage,
    /// Facts being gathered: interviews, evidence.
    Investigating,
    /// The committee is discussing; a vote is open.
    Deliberating,
    /// An outcome is recorded; communication may be pending.
    Decided,
    /// Done.
    Closed,
    /// Opened again after closure (new report or appeal).
    Reopened,
    /// Handed to another body (terminal).
    Transferred,
    /// Judged outside the code of conduct's scope (terminal).
    OutOfScope,
}

impl Status {
    /// Every status, in process order.
    pub const ALL: [Status; 9] = [
        Status::New,
        Status::Triage,
        Status::Investigating,
        Status::Deliberating,
        Status::Decided,
        Status::Closed,
        Status::Reopened,
        Status::Transferred,
        Status::OutOfScope,
    ];

    /// The name used in the file, on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Triage => "triage",
            Status::Investigating => "investigating",
            Status::Deliberating => "deliberating",
            Status::Decided => "decided",
            Status::Closed => "closed",
            Status::Reopened => "reopened",
            Status::Transferred => "transferred",
            Status::OutOfScope => "out-of-scope",
        }
    }

    /// The statuses a case may move to from this one. `decided` is reached only by recording
    /// a decision.
    pub fn next(self) -> &'static [Status] {
        use Status::*;
        match self {
            New => &[Triage, OutOfScope, Transferred],
            Triage => &[Investigating, Deliberating, OutOfScope, Transferred],
            Investigating => &[Deliberating, OutOfScope, Transferred],
            Deliberating => &[Investigating, Decided],
            Decided => &[Closed],
            Closed => &[Reopened],
            Reopened => &[Triage, Investigating, Deliberating],
            Transferred | OutOfScope => &[],
        }
    }

    /// Whether the committee's work on the case is over.
    pub fn is_finished(self) -> bool {
        matches!(
            self,
            Status::Closed | Status::Transferred | Status::OutOfScope
        )
    }

    /// Whether a report in this status still waits for the committee's decision.
    pub fn awaits_decision(self) -> bool {
        matches!(
            self,
            Status::New
                | Status::Triage
                | Status::Investigating
                | Status::Deliberating
                | Status::Reopened
        )
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A status name casebook does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown status {0:?}; statuses: new, triage, investigating, deliberating, decided, closed, reopened, transferred, out-of-scope"
)]
pub struct UnknownStatus(pub String);

impl FromStr for Status {
    type Err = UnknownStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| UnknownStatus(s.to_string()))
    }
}

/// How a report reached the committee.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Channel {
    /// An email to the committee's address.
    Email,
    /// A web form submission.
    Form,
    /// Told to a member in person.
    InPerson,
    /// A chat message.
    Chat,
    /// Passed on by event staff.
    EventStaff,
    /// Anything else.
    Other,
}

impl Channel {
    /// Every channel.
    pub const ALL: [Channel; 6] = [
        Channel::Email,
        Channel::Form,
        Channel::InPerson,
        Channel::Chat,
        Channel::EventStaff,
        Channel::Other,
    ];

    /// The channel's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Form => "form",
            Channel::InPerson => "in-person",
            Channel::Chat => "chat",
            Channel::EventStaff => "event-staff",
            Channel::Other => "other",
        }
    }
}

impl FromStr for Channel {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s).ok_or_else(|| {
            format!("unknown channel {s:?}; channels: email, form, in-person, chat, event-staff, other")
        })
    }
}

/// How serious the reported behaviour is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// Every severity, mildest first.
    pub const ALL: [Severity; 4] = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The severity's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| {
                format!("unknown severity {s:?}; severities: low, medium, high, critical")
            })
    }
}

/// Whether where it happened is within the code of conduct's scope.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScopeJudgement {
    /// Not judged yet.
    #[default]
    Undecided,
    /// Within scope.
    InScope,
    /// Outside scope.
    OutOfScope,
}

impl FromStr for ScopeJudgement {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "undecided" => Ok(ScopeJudgement::Undecided),
            "in" | "in-scope" => Ok(ScopeJudgement::InScope),
            "out" | "out-of-scope" => Ok(ScopeJudgement::OutOfScope),
            other => Err(format!("unknown scope {other:?}; use in, out or undecided")),
        }
    }
}

/// When the incident happened, as precisely as known.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "precision", rename_all = "lowercase")]
pub enum IncidentAt {
    /// Not known.
    #[default]
    Unknown,
    /// On or around a day.
    Around {
        /// The day.
        date: NaiveDate,
    },
    /// At a known moment.
    Exact {
        /// The moment.
        at: DateTime<Utc>,
    },
}

/// A conflict of interest a member declared on a case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    /// Hard or soft.
    pub kind: ConflictKind,
    /// Why, if they said.
    pub reason: Option<String>,
}

/// An interim action and its review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Emergency {
    /// The `EmergencyRecorded` event.
    pub id: Uuid,
    /// What was done.
    pub action: String,
    /// Who did it.
    pub by: MemberId,
    /// When.
    pub at: DateTime<Utc>,
    /// Who reviewed it, when, with what note.
    pub review: Option<(MemberId, DateTime<Utc>, String)>,
    /// What the review made of it (absent before reviews recorded a result).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_result: Option<crate::event::ReviewResult>,
}

/// The outcome put to a vote, and the votes on it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    /// The proposed outcome.
    pub outcome: String,
    /// Who proposed it.
    pub by: MemberId,
    /// When.
    pub at: DateTime<Utc>,
    /// Each member's latest vote on it.
    pub votes: BTreeMap<MemberId, Ballot>,
}

/// The committee's decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// The outcome.
    pub outcome: String,
    /// Why.
    pub rationale: String,
    /// Who recorded it.
    pub by: MemberId,
    /// When.
    pub at: DateTime<Utc>,
    /// Set when a chair decided without the quorum rule being met.
    pub override_reason: Option<String>,
    /// The vote as the replay counted it when the decision was recorded (never as the event
    /// claims it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tally: Option<crate::decision::Tally>,
    /// The `decision-recorded` event.
    #[serde(default, skip_serializing_if = "Uuid::is_nil")]
    pub event: Uuid,
}

/// A signed event the rules did not allow: kept in the history (it is evidence), never
/// applied, and shown as such.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    /// The event.
    pub event: Uuid,
    /// Who signed it.
    pub by: MemberId,
    /// When (their claim).
    pub at: DateTime<Utc>,
    /// What it was (the event's kind name).
    pub kind: String,
    /// Why it is not applied, in the rules' words.
    pub why: String,
}

/// A message sent about the case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Communication {
    /// To whom.
    pub to: Audience,
    /// What was said, in short.
    pub summary: String,
    /// Logged by.
    pub by: MemberId,
    /// When.
    pub at: DateTime<Utc>,
    /// The day the message promised the next update by, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_update_by: Option<NaiveDate>,
}

/// A case as the committee currently sees it, derived from its events by [`Case::apply`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// Stable identifier.
    pub id: CaseId,
    /// Human code name such as `amber-kettle`, never derived from the content.
    pub code_name: String,
    /// Short title as the committee wrote it.
    pub title: String,
    /// Summary of the report.
    pub summary: String,
    /// Where the case is in the process.
    pub status: Status,
    /// How the report arrived.
    pub channel: Channel,
    /// When the report reached the committee.
    pub received_at: DateTime<Utc>,
    /// When the case was acknowledged (first left `new`).
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// When the incident happened.
    pub incident: IncidentAt,
    /// Where it happened.
    pub venue: Option<String>,
    /// Scope judgement.
    pub scope: ScopeJudgement,
    /// Why.
    pub scope_reason: Option<String>,
    /// Clauses concerned.
    pub clauses: BTreeSet<String>,
    /// Severity, once assessed.
    pub severity: Option<Severity>,
    /// Safety risk flag.
    pub safety_risk: bool,
    /// Labels.
    pub labels: BTreeSet<String>,
    /// Assigned members.
    pub assignees: BTreeSet<MemberId>,
    /// Review date.
    pub review_on: Option<NaiveDate>,
    /// Expunge date.
    pub expunge_on: Option<NaiveDate>,
    /// Whether a public report may describe it (anonymised); counted only if not.
    pub anonymisable: bool,
    /// Parties.
    pub parties: Vec<Party>,
    /// Declared conflicts of interest.
    pub conflicts: BTreeMap<MemberId, Conflict>,
    /// Interim actions.
    pub emergencies: Vec<Emergency>,
    /// The outcome under vote.
    pub proposal: Option<Proposal>,
    /// The decision, once recorded.
    pub decision: Option<Decision>,
    /// Messages sent.
    pub communications: Vec<Communication>,
    /// Number of notes.
    pub notes: usize,
    /// Merged changes that need a member's attention (see [`super::attention`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attention: Vec<Attention>,
    /// Set once the case is sealed: who may read it, who is kept out, since when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<Sealing>,
    /// Signed events the rules did not allow: kept, not applied.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub held: Vec<Held>,
    /// Changes that wait for a second reader's approval (see [`super::rules::needs_approval`])
    /// and requests for a party's access, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending: Vec<Event>,
    /// Committee members the case records as parties to it, with their role: they may not
    /// vote, decide, move, assign, seal or write record text on it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub links: BTreeMap<MemberId, super::party::PartyRole>,
    /// The sanctions its decisions imposed, oldest first (see [`super::sanction`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sanctions: Vec<super::sanction::Sanction>,
    /// The appeal of its decision, once there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appeal: Option<super::sanction::Appeal>,
    /// Set once an approved expunge erased the case: its state is the retained record (see
    /// [`super::retention`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expunged: Option<super::retention::Expunged>,
    /// This copy holds the case's events only as erased payloads: the case is known from its
    /// tombstone alone (never saved so: an approved expunge replaces the state).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub erased: bool,
    /// Legal holds and postponements of its expunging, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holds: Vec<super::retention::Hold>,
}

/// Who may read a sealed case (see [`EventKind::CaseSealed`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealing {
    /// When it was first sealed.
    pub since: DateTime<Utc>,
    /// When who may read it last changed.
    pub changed_at: DateTime<Utc>,
    /// Who made the current case key (a member kept out who made it once knew it: the next
    /// reader to work on the case replaces it).
    pub key_by: MemberId,
    /// The members the case key is given to.
    pub readers: BTreeSet<MemberId>,
    /// The members kept out, and why where this copy knows it (members who joined later are
    /// not readers either, but were not excluded). Only a copy holding the case key knows why
    /// of a keeping-out casebook 8 or later recorded; a summary never says.
    pub excluded: BTreeMap<MemberId, Option<ExcludeWhy>>,
    /// The case key's public half: new content is sealed to it.
    pub recipient: String,
    /// Whether the current key is wrapped to exactly the readers. Not when two changes of
    /// who may read it were made at the same time on two copies (each wrapped its key to the
    /// readers it knew): content is then sealed to the readers' own keys until a reader
    /// replaces the case key.
    #[serde(default = "exact", skip_serializing_if = "is_exact")]
    pub key_exact: bool,
}

fn exact() -> bool {
    true
}

fn is_exact(exact: &bool) -> bool {
    *exact
}

/// Who reads a sealed case and who was kept out of it, as every copy derives it from the
/// case's `case-sealed` events alone, a copy the case is sealed from too: the committee's rules
/// use it where every copy must agree (see [`super::history::Committee`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Readers {
    /// The members the case key is given to.
    pub readers: BTreeSet<MemberId>,
    /// The members kept out (not those who joined after it was sealed).
    pub kept_out: BTreeSet<MemberId>,
}

impl Readers {
    /// Who reads the case after `event` (a [`EventKind::CaseSealed`] by its author), from
    /// `before`: the readers it had, less those kept out, plus a member given access; the first
    /// sealing's readers are the event's. `None` when the author may not change who may read
    /// it (they are not a reader); `before` for any other event.
    pub fn after(before: Option<&Readers>, event: &Event) -> Option<Readers> {
        let EventKind::CaseSealed {
            access,
            readers: given,
            ..
        } = &event.kind
        else {
            return before.cloned();
        };
        let Some(before) = before else {
            let kept_out = match access {
                Access::Excluded { members, .. } => members.clone(),
                _ => BTreeSet::new(),
            };
            return Some(Readers {
                readers: given.clone(),
                kept_out,
            });
        };
        if !before.readers.contains(&event.author) {
            return None;
        }
        let mut next = before.clone();
        match access {
            Access::Excluded { members, .. } => {
                for member in members {
                    next.readers.remove(member);
                    next.kept_out.insert(*member);
                }
            }
            Access::Given { member } => {
                next.readers.insert(*member);
                next.kept_out.remove(member);
            }
            // A re-key may only narrow who reads it (a reader who left).
            Access::Rekeyed => next.readers.retain(|m| given.contains(m)),
        }
        Some(next)
    }
}

impl Sealing {
    /// Who reads it and who is kept out, without why: what a summary says of it (only a
    /// reader learns why a member was kept out).
    pub fn without_reasons(&self) -> Sealing {
        Sealing {
            excluded: self.excluded.keys().map(|m| (*m, None)).collect(),
            ..self.clone()
        }
    }

    /// Who may read the case after `event` (a [`EventKind::CaseSealed`] by its author), from
    /// `before`, as [`Readers::after`] gives it, with why each member was kept out. Derived
    /// from the sealing events alone, so that a copy the case is sealed from derives it too.
    pub fn after(before: Option<&Sealing>, event: &Event) -> Option<Sealing> {
        let EventKind::CaseSealed {
            access,
            readers: given,
            recipient,
            ..
        } = &event.kind
        else {
            return before.cloned();
        };
        let was = before.map(|b| Readers {
            readers: b.readers.clone(),
            kept_out: b.excluded.keys().copied().collect(),
        });
        let next = Readers::after(was.as_ref(), event)?;
        let mut excluded = before.map(|b| b.excluded.clone()).unwrap_or_default();
        excluded.retain(|member, _| next.kept_out.contains(member));
        if let Access::Excluded { members, why, .. } = access {
            excluded.extend(members.iter().map(|m| (*m, *why)));
        }
        Some(Sealing {
            since: before.map_or(event.at, |b| b.since),
            changed_at: event.at,
            key_by: event.author,
            key_exact: before.is_none() || next.readers == *given,
            readers: next.readers,
            excluded,
            recipient: recipient.clone(),
        })
    }
}

impl Case {
    /// The state a `CaseOpened` event creates.
    pub fn opened(id: CaseId, event: &Event) -> Option<Case> {
        let EventKind::CaseOpened {
            code_name,
            title,
            summary,
            channel,
            received_at,
        } = &event.kind
        else {
            return None;
        };
        Some(Case {
            id,
            code_name: code_name.clone(),
            title: title.clone(),
            summary: summary.clone(),
            status: Status::New,
            channel: *channel,
            received_at: *received_at,
            acknowledged_at: None,
            updated_at: event.at,
            incident: IncidentAt::Unknown,
            venue: None,
            scope: ScopeJudgement::Undecided,
            scope_reason: None,
            clauses: BTreeSet::new(),
            severity: None,
            safety_risk: false,
            labels: BTreeSet::new(),
            assignees: BTreeSet::new(),
            review_on: None,
            expunge_on: None,
            anonymisable: true,
            parties: Vec::new(),
            conflicts: BTreeMap::new(),
            emergencies: Vec::new(),
            proposal: None,
            decision: None,
            communications: Vec::new(),
            notes: 0,
            attention: Vec::new(),
            sealed: None,
            held: Vec::new(),
            pending: Vec::new(),
            links: BTreeMap::new(),
            sanctions: Vec::new(),
            appeal: None,
            expunged: None,
            erased: false,
            holds: Vec::new(),
        })
    }

    /// A case this copy holds only as erased payloads, from the header of its erased
    /// `case-opened` event: known by its tombstone alone until its expunge takes effect.
    pub fn erased(id: CaseId, event: &Event) -> Option<Case> {
        let opened = Event {
            kind: EventKind::CaseOpened {
                code_name: String::new(),
                title: String::new(),
                summary: String::new(),
                channel: Channel::Other,
                received_at: event.at,
            },
            ..event.clone()
        };
        Case::opened(id, &opened).map(|case| Case {
            erased: true,
            ..case
        })
    }

    /// Replay a case's events, oldest first. `None` if they do not start with `CaseOpened`.
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Option<Case> {
        let mut events = events.into_iter();
        let first = events.next()?;
        let mut case = Case::opened(first.case?, first)?;
        for event in events {
            case.apply(event);
        }
        Some(case)
    }

    /// Bring the state up to date with one more event the rules allowed (the judging is
    /// [`super::rules::judge`]'s, and the order the replay's: see [`super::engine`]). Every
    /// event is taken as given, so that replaying a history always gives the same state.
    pub fn apply(&mut self, event: &Event) {
        self.updated_at = self.updated_at.max(event.at);
        match &event.kind {
            EventKind::DetailsChanged { changes } => self.apply_details(changes),
            EventKind::AttentionResolved { events, keep, .. } => {
                if let Some(kept) = keep
                    .and_then(|k| self.attention.iter().find(|a| a.event == k))
                    .cloned()
                    && let Trouble::Decision {
                        outcome,
                        rationale,
                        override_reason,
                        ..
                    } = kept.what
                {
                    if self.decision.is_none() {
                        self.status = Status::Decided;
                    }
                    self.decision = Some(Decision {
                        outcome,
                        rationale,
                        by: kept.by,
                        at: kept.at,
                        override_reason,
                        tally: None,
                        event: kept.event,
                    });
                }
                self.attention.retain(|a| !events.contains(&a.event));
                // The decision kept stands now: it is no longer one not applied.
                self.held.retain(|h| Some(h.event) != *keep);
            }
            EventKind::StatusChanged { to, .. } => {
                if self.status == Status::New && *to != Status::New {
                    self.acknowledged_at.get_or_insert(event.at);
                }
                if *to == Status::Reopened {
                    self.proposal = None;
                }
                self.status = *to;
            }
            EventKind::Assigned { member } => {
                self.assignees.insert(*member);
            }
            EventKind::Unassigned { member } => {
                self.assignees.remove(member);
            }
            EventKind::PartyAdded { party } => {
                // A member recorded as the reported party is one at once; in another role,
                // once a second reader approves (see `approve`).
                if let (Some(member), super::party::PartyRole::Reported) =
                    (party.member, party.role)
                {
                    self.links.insert(member, party.role);
                }
                self.parties.push(party.clone());
            }
            EventKind::AccessRequested { .. } => self.pending.push(event.clone()),
            EventKind::ExpungeApproved { tombstone } => self.approve(*tombstone, event),
            EventKind::ExpungeApplied { tombstone } => {
                if let Some(x) = self.expunged.as_mut()
                    && x.tombstone == *tombstone
                    && !x.applied.iter().any(|(m, _)| *m == event.author)
                {
                    x.applied.push((event.author, event.at));
                }
            }
            EventKind::ExpungeHeld {
                until,
                reason,
                legal,
            } => self.holds.push(super::retention::Hold {
                id: event.id,
                until: *until,
                reason: reason.clone(),
                legal: *legal,
                by: event.author,
                at: event.at,
            }),
            EventKind::Approved { event: approved } => self.approve(*approved, event),
            EventKind::Withdrawn { event: withdrawn } => {
                self.pending.retain(|p| p.id != *withdrawn);
            }
            EventKind::ConflictDeclared {
                member,
                conflict,
                reason,
            } => {
                self.conflicts.insert(
                    *member,
                    Conflict {
                        kind: *conflict,
                        reason: reason.clone(),
                    },
                );
                if *conflict == ConflictKind::Hard {
                    self.assignees.remove(member);
                }
            }
            EventKind::EmergencyRecorded { action } => self.emergencies.push(Emergency {
                id: event.id,
                action: action.clone(),
                by: event.author,
                at: event.at,
                review: None,
                review_result: None,
            }),
            EventKind::EmergencyReviewed {
                emergency,
                note,
                result,
            } => {
                if let Some(e) = self.emergencies.iter_mut().find(|e| e.id == *emergency) {
                    e.review = Some((event.author, event.at, note.clone()));
                    e.review_result = *result;
                }
            }
            EventKind::ConflictWithdrawn { member, .. } => {
                self.conflicts.remove(member);
            }
            EventKind::OutcomeProposed { outcome } => {
                self.proposal = Some(Proposal {
                    outcome: outcome.clone(),
                    by: event.author,
                    at: event.at,
                    votes: BTreeMap::new(),
                });
            }
            EventKind::VoteCast { outcome, ballot } => {
                if let Some(p) = self.proposal.as_mut().filter(|p| &p.outcome == outcome) {
                    p.votes.insert(event.author, *ballot);
                }
            }
            EventKind::DecisionRecorded {
                outcome,
                rationale,
                override_reason,
                ..
            } => {
                self.decision = Some(Decision {
                    outcome: outcome.clone(),
                    rationale: rationale.clone(),
                    by: event.author,
                    at: event.at,
                    override_reason: override_reason.clone(),
                    tally: None,
                    event: event.id,
                });
                self.status = Status::Decided;
                if let Some(appeal) = self.appeal.as_mut().filter(|a| a.is_open()) {
                    appeal.decided = Some((outcome.clone(), event.at));
                }
            }
            EventKind::SanctionStarted { .. } => {
                self.sanctions
                    .extend(super::sanction::Sanction::started(event));
            }
            EventKind::SanctionTold { sanction, .. }
            | EventKind::SanctionReviewed { sanction, .. }
            | EventKind::SanctionExtended { sanction, .. }
            | EventKind::SanctionBreached { sanction, .. }
            | EventKind::SanctionLifted { sanction, .. } => {
                if let Some(s) = self.sanctions.iter_mut().find(|s| s.id == *sanction) {
                    s.apply(event);
                }
            }
            EventKind::AppealOpened { grounds, note } => {
                if let Some(original) = self.decision.clone() {
                    // Who proposed the outcome decided, who voted on it, who recorded it.
                    let mut panel_out: BTreeSet<MemberId> = self
                        .proposal
                        .iter()
                        .flat_map(|p| p.votes.keys().copied().chain([p.by]))
                        .collect();
                    panel_out.insert(original.by);
                    self.appeal = Some(super::sanction::Appeal {
                        id: event.id,
                        grounds: *grounds,
                        note: note.clone(),
                        by: event.author,
                        at: event.at,
                        original,
                        panel_out,
                        decided: None,
                    });
                    self.proposal = None;
                    self.status = Status::Reopened;
                }
            }
            // A tombstone waits for its approval (see `approve`); an erased payload is only
            // its header.
            EventKind::CaseExpunged { .. } | EventKind::Erased { .. } => {}
            EventKind::CommunicationLogged {
                to,
                summary,
                next_update_by,
                ..
            } => self.communications.push(Communication {
                to: *to,
                summary: summary.clone(),
                by: event.author,
                at: event.at,
                next_update_by: *next_update_by,
            }),
            EventKind::CaseSealed { access, .. } => {
                if let Access::Given { member } = access {
                    self.pending.retain(|p| {
                        !matches!(p.kind, EventKind::AccessRequested { member: m } if m == *member)
                    });
                }
                self.apply_sealing(event)
            }
            EventKind::NoteAdded { .. } => {
                // A correction amends an earlier note; it is not a new note.
                if event.amends.is_none() {
                    self.notes += 1;
                }
            }
            EventKind::CaseOpened { .. }
            | EventKind::ContactOpened { .. }
            | EventKind::RecordTextWritten { .. }
            | EventKind::ReportReceived { .. }
            | EventKind::FileCreated
            | EventKind::MemberAdded { .. }
            | EventKind::MemberEmailChanged { .. }
            | EventKind::MemberRoleChanged { .. }
            | EventKind::MemberRejoined { .. }
            | EventKind::MemberRemoved { .. }
            | EventKind::MemberKeyChanged { .. }
            | EventKind::Rekeyed
            | EventKind::HistoryRecovered { .. }
            | EventKind::RecipientAdded { .. }
            | EventKind::SettingsChanged { .. }
            | EventKind::TemplateSet { .. }
            | EventKind::SpaceSet { .. } => {}
        }
    }

    /// Hold `event` as needing attention for `what` (once).
    pub fn flag(&mut self, event: &Event, what: Trouble) {
        self.hold(Attention {
            event: event.id,
            by: event.author,
            at: event.at,
            what,
        });
    }

    /// Hold `item` as needing attention (once).
    pub fn hold(&mut self, item: Attention) {
        if !self.attention.contains(&item) {
            self.attention.push(item);
        }
    }

    /// Give the case another code name after a merge found another case with the same one
    /// (see [`Trouble::CodeName`]).
    pub fn rename(&mut self, code_name: String) {
        self.code_name = code_name;
    }

    fn apply_details(&mut self, d: &Details) {
        let set = |slot: &mut String, value: &Option<String>| {
            if let Some(v) = value {
                slot.clone_from(v);
            }
        };
        set(&mut self.title, &d.title);
        set(&mut self.summary, &d.summary);
        if let Some(v) = &d.incident {
            self.incident = v.clone();
        }
        if let Some(v) = &d.venue {
            self.venue = Some(v.clone());
        }
        if let Some(v) = d.scope {
            self.scope = v;
        }
        if let Some(v) = &d.scope_reason {
            self.scope_reason = Some(v.clone());
        }
        if let Some(v) = &d.clauses {
            self.clauses = v.clone();
        }
        if let Some(v) = d.severity {
            self.severity = Some(v);
        }
        if let Some(v) = d.safety_risk {
            self.safety_risk = v;
        }
        if let Some(v) = &d.labels {
            self.labels = v.clone();
        }
        if let Some(v) = d.review_on {
            self.review_on = Some(v);
        }
        if let Some(v) = d.expunge_on {
            self.expunge_on = Some(v);
        }
        if let Some(v) = d.anonymisable {
            self.anonymisable = v;
        }
    }

    /// A change of who may read the case (the rules made sure its author reads it).
    fn apply_sealing(&mut self, event: &Event) {
        if let Some(sealing) = Sealing::after(self.sealed.as_ref(), event) {
            self.sealed = Some(sealing);
        }
    }

    /// A second reader approved the waiting change `approved` with `by`: it takes effect now.
    fn approve(&mut self, approved: Uuid, by: &Event) {
        let Some(index) = self.pending.iter().position(|p| p.id == approved) else {
            return;
        };
        let mut change = self.pending.remove(index);
        match &change.kind {
            EventKind::PartyAdded { party } => {
                if let Some(member) = party.member {
                    self.links.insert(member, party.role);
                }
            }
            EventKind::CaseSealed { .. } => {
                change.at = by.at;
                self.apply_sealing(&change);
            }
            // A message reviewed: it counts as sent from the review on.
            EventKind::CommunicationLogged { .. } => {
                change.at = by.at;
                self.apply(&change);
            }
            // Only its own approval takes an expunge (the rules refuse any other).
            EventKind::CaseExpunged {
                reason,
                note,
                seen,
                manifest,
                retained,
            } if matches!(by.kind, EventKind::ExpungeApproved { .. }) => {
                let expunged = super::retention::Expunged {
                    tombstone: change.id,
                    reason: *reason,
                    note: note.clone(),
                    by: change.author,
                    at: change.at,
                    approved_by: by.author,
                    approved_at: by.at,
                    manifest: manifest.clone(),
                    seen: seen.clone(),
                    applied: Vec::new(),
                };
                let mut retained = (**retained).clone();
                retained.id = self.id;
                *self = super::retention::after_expunge(&retained, expunged);
            }
            _ => {}
        }
    }

    /// Keep `event` waiting for a second reader's approval (see [`super::rules::needs_approval`]):
    /// until then, a keeping-out does not apply and a party is not taken as the member.
    pub fn defer(&mut self, event: &Event) {
        self.pending.push(event.clone());
    }

    /// Keep `event` in the history without applying it: the rules did not allow it (`why`).
    /// It is listed on the case and needs a member's attention.
    pub fn hold_event(&mut self, event: &Event, why: String, concurrent: bool) {
        self.hold_as(event, why.clone(), Trouble::NotApplied { why, concurrent });
    }

    /// [`Case::hold_event`], needing attention as `what`.
    pub fn hold_as(&mut self, event: &Event, why: String, what: Trouble) {
        if self.held.iter().any(|h| h.event == event.id) {
            return;
        }
        self.held.push(Held {
            event: event.id,
            by: event.author,
            at: event.at,
            kind: event.kind.name().to_string(),
            why,
        });
        self.flag(event, what);
    }

    /// Whether `member` may read the case's content (every member, unless it is sealed).
    pub fn readable_by(&self, member: MemberId) -> bool {
        self.sealed
            .as_ref()
            .is_none_or(|s| s.readers.contains(&member))
    }

    /// What a copy that cannot read this sealed case holds of it, in plaintext: its code name,
    /// status and dates, what its due dates and queues are computed from (emergency actions,
    /// the decision and messages sent, each without a word of what they said), who may read
    /// it and who is kept out (never why), and the attention items a merge of code names or a removal
    /// raised. Everything anyone wrote is left out. The case itself when not sealed.
    pub fn sealed_summary(&self) -> Case {
        let Some(sealed) = &self.sealed else {
            return self.clone();
        };
        Case {
            id: self.id,
            code_name: self.code_name.clone(),
            title: String::new(),
            summary: String::new(),
            status: self.status,
            channel: Channel::Other,
            received_at: self.received_at,
            acknowledged_at: self.acknowledged_at,
            updated_at: self.updated_at,
            incident: IncidentAt::Unknown,
            venue: None,
            scope: ScopeJudgement::Undecided,
            scope_reason: None,
            clauses: BTreeSet::new(),
            severity: None,
            safety_risk: false,
            labels: BTreeSet::new(),
            assignees: BTreeSet::new(),
            review_on: None,
            expunge_on: None,
            // Counted, never described, in a public report.
            anonymisable: false,
            // Roles only, for whom a decision is owed to: no person, no name.
            parties: self
                .parties
                .iter()
                .map(|p| Party {
                    id: p.id,
                    role: p.role,
                    person: super::party::PersonId(Uuid::nil()),
                    identity: super::party::Disclosure::NoContact,
                    member: None,
                })
                .collect(),
            // The conflicts of the members kept out, without their reasons: so that a member
            // can withdraw their own (a reader then gives them access back).
            conflicts: self
                .conflicts
                .iter()
                .filter(|(member, _)| sealed.excluded.contains_key(member))
                .map(|(member, c)| {
                    (
                        *member,
                        Conflict {
                            kind: c.kind,
                            reason: None,
                        },
                    )
                })
                .collect(),
            emergencies: self
                .emergencies
                .iter()
                .map(|e| Emergency {
                    id: e.id,
                    action: String::new(),
                    by: e.by,
                    at: e.at,
                    review: e
                        .review
                        .as_ref()
                        .map(|(by, at, _)| (*by, *at, String::new())),
                    review_result: None,
                })
                .collect(),
            proposal: None,
            decision: self.decision.as_ref().map(|d| Decision {
                outcome: String::new(),
                rationale: String::new(),
                by: d.by,
                at: d.at,
                override_reason: None,
                tally: None,
                event: d.event,
            }),
            communications: self
                .communications
                .iter()
                .map(|c| Communication {
                    to: c.to,
                    summary: String::new(),
                    by: c.by,
                    at: c.at,
                    next_update_by: c.next_update_by,
                })
                .collect(),
            notes: 0,
            attention: self
                .attention
                .iter()
                .filter(|a| {
                    matches!(
                        a.what,
                        Trouble::CodeName { .. } | Trouble::RemovedElsewhere { .. }
                    )
                })
                .cloned()
                .collect(),
            sealed: Some(sealed.without_reasons()),
            held: Vec::new(),
            pending: Vec::new(),
            links: BTreeMap::new(),
            // What the committee imposed, and its appeal, stay with the case's readers.
            sanctions: Vec::new(),
            appeal: None,
            expunged: self.expunged.clone(),
            erased: false,
            holds: Vec::new(),
        }
    }

    /// The member's conflict on this case, if any.
    pub fn conflict_of(&self, member: MemberId) -> Option<ConflictKind> {
        self.conflicts.get(&member).map(|c| c.kind)
    }

    /// Emergency actions no other member has reviewed yet.
    pub fn unreviewed_emergencies(&self) -> impl Iterator<Item = &Emergency> {
        self.emergencies.iter().filter(|e| e.review.is_none())
    }

    /// Whether the decision was communicated to everyone owed it: the reporter and the
    /// reported party, each when the case has one (a case with neither needs one message to
    /// anyone). A message to a witness alone does not close the loop.
    pub fn communicated_since_decision(&self) -> bool {
        use crate::event::Audience;
        use crate::party::PartyRole;
        let Some(decision) = &self.decision else {
            return false;
        };
        let told = |to: Audience| {
            self.communications
                .iter()
                .any(|c| c.at >= decision.at && c.to == to)
        };
        let has = |role: PartyRole| self.parties.iter().any(|p| p.role == role);
        let owed: Vec<Audience> = [
            (PartyRole::Reporter, Audience::Reporter),
            (PartyRole::Reported, Audience::Reported),
        ]
        .into_iter()
        .filter(|(role, _)| has(*role))
        .map(|(_, to)| to)
        .collect();
        if owed.is_empty() {
            return self.communications.iter().any(|c| c.at >= decision.at);
        }
        owed.into_iter().all(told)
    }

    /// The people waiting for an update past the day they were promised one, with that day:
    /// the day the last message to them named, or, for the reporter of a case still waiting
    /// for its decision, `update_days` after the last message to them (or the report).
    pub fn updates_due(&self, update_days: u32, today: NaiveDate) -> Vec<(Audience, NaiveDate)> {
        use crate::party::PartyRole;
        if self.status.is_finished() {
            return Vec::new();
        }
        let mut due = Vec::new();
        for (role, to) in [
            (PartyRole::Reporter, Audience::Reporter),
            (PartyRole::Reported, Audience::Reported),
        ] {
            let last = self.communications.iter().rev().find(|c| c.to == to);
            let by = match last {
                Some(c) => c.next_update_by.or_else(|| {
                    (to == Audience::Reporter && self.status.awaits_decision())
                        .then(|| super::dates::plus_days(c.at.date_naive(), update_days))
                }),
                None if to == Audience::Reporter
                    && self.status.awaits_decision()
                    && self.parties.iter().any(|p| p.role == role) =>
                {
                    Some(super::dates::plus_days(
                        self.received_at.date_naive(),
                        update_days,
                    ))
                }
                None => None,
            };
            if let Some(by) = by.filter(|by| *by < today) {
                due.push((to, by));
            }
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_round_trips_through_its_name() {
        for status in Status::ALL {
            assert_eq!(status.as_str().parse::<Status>(), Ok(status));
        }
        assert!("open".parse::<Status>().is_err());
    }

    #[test]
    fn a_decision_is_communicated_once_both_parties_were_told() {
        use crate::decision::{QuorumRule, Tally};
        use crate::event::Audience;
        use crate::party::{Disclosure, Party, PartyId, PartyRole, PersonId};
        use crate::roster::MemberId;
        let by = MemberId(Uuid::new_v4());
        let at = |minute: u32| {
            chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 5, 1, 10, minute, 0).unwrap()
        };
        let event = |minute, kind| Event {
            id: Uuid::new_v4(),
            case: None,
            author: by,
            at: at(minute),
            amends: None,
            kind,
        };
        let opened = event(
            0,
            EventKind::CaseOpened {
                code_name: "amber-kettle".into(),
                title: "t".into(),
                summary: String::new(),
                channel: Channel::Email,
                received_at: at(0),
            },
        );
        let mut case = Case::opened(CaseId(Uuid::new_v4()), &opened).unwrap();
        for role in [PartyRole::Reporter, PartyRole::Reported, PartyRole::Witness] {
            case.apply(&event(
                1,
                EventKind::PartyAdded {
                    party: Party {
                        id: PartyId(Uuid::new_v4()),
                        role,
                        person: PersonId(Uuid::new_v4()),
                        identity: Disclosure::NoContact,
                        member: None,
                    },
                },
            ));
        }
        case.apply(&event(
            2,
            EventKind::StatusChanged {
                from: Status::New,
                to: Status::Deliberating,
            },
        ));
        case.apply(&event(
            2,
            EventKind::DecisionRecorded {
                outcome: "warning".into(),
                rationale: "r".into(),
                tally: Tally {
                    eligible: 1,
                    for_: 1,
                    against: 0,
                    abstain: 0,
                    needed: 1,
                    rule: QuorumRule::SimpleMajority,
                    met: true,
                },
                override_reason: None,
            },
        ));
        let tell = |case: &mut Case, minute, to| {
            case.apply(&event(
                minute,
                EventKind::CommunicationLogged {
                    to,
                    summary: "s".into(),
                    next_update_by: None,
                    review: false,
                },
            ))
        };
        assert!(!case.communicated_since_decision());
        tell(&mut case, 3, Audience::Other);
        assert!(
            !case.communicated_since_decision(),
            "a witness is not owed it"
        );
        tell(&mut case, 4, Audience::Reporter);
        assert!(
            !case.communicated_since_decision(),
            "the reported party is still owed it"
        );
        tell(&mut case, 5, Audience::Reported);
        assert!(case.communicated_since_decision());
    }

    #[test]
    fn finished_cases_cannot_move_except_a_closed_one_reopening() {
        assert_eq!(Status::Closed.next(), &[Status::Reopened]);
        assert!(Status::Transferred.next().is_empty());
        assert!(Status::OutOfScope.next().is_empty());
        for status in Status::ALL {
            assert!(!status.next().contains(&status), "{status} -> itself");
        }
    }
}
