//! Events: every change to a case file, as an append-only record.
//!
//! Who (a roster member), when (UTC, the writer's clock), what (a kind and its payload), with a
//! UUID so that two members' copies can later be merged without loss. Current state is derived
//! from events; a correction is a new event that names the one it amends.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::case::{CaseId, Channel, IncidentAt, ScopeJudgement, Severity, Status};
use super::decision::{Ballot, Ladder, QuorumRule, Tally};
use super::party::Party;
use super::roster::{MemberId, Role};

/// One change, as stored in the file's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Unique identifier of this event.
    pub id: Uuid,
    /// The case it belongs to; `None` for committee-level events such as roster changes.
    pub case: Option<CaseId>,
    /// The roster member who made the change.
    pub author: MemberId,
    /// When the change was made, by the author's clock.
    pub at: DateTime<Utc>,
    /// An earlier event this one corrects, if any.
    pub amends: Option<Uuid>,
    /// What happened.
    pub kind: EventKind,
}

/// What kind of note a member wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NoteKind {
    /// Anything.
    #[default]
    General,
    /// What someone said in an interview.
    Interview,
    /// Deliberation: the committee's reasoning.
    Deliberation,
}

impl NoteKind {
    /// Every kind, in the order forms offer them.
    pub const ALL: [NoteKind; 3] = [
        NoteKind::General,
        NoteKind::Interview,
        NoteKind::Deliberation,
    ];

    /// The kind's name.
    pub fn as_str(self) -> &'static str {
        match self {
            NoteKind::General => "general",
            NoteKind::Interview => "interview",
            NoteKind::Deliberation => "deliberation",
        }
    }
}

impl std::str::FromStr for NoteKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NoteKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                format!("unknown note kind {s:?}; kinds: general, interview, deliberation")
            })
    }
}

/// Whether a conflict of interest excludes a member from the case entirely.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConflictKind {
    /// Must not handle or see the case.
    Hard,
    /// May discuss, may not vote.
    Soft,
}

/// What a second member's review made of an interim (emergency) action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReviewResult {
    /// The action stands as taken.
    Upheld,
    /// The action stands, changed (the note says how).
    Changed,
    /// The action is lifted.
    Lifted,
}

impl ReviewResult {
    /// Every result, in the order they are offered.
    pub const ALL: [ReviewResult; 3] = [
        ReviewResult::Upheld,
        ReviewResult::Changed,
        ReviewResult::Lifted,
    ];

    /// The result's name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewResult::Upheld => "upheld",
            ReviewResult::Changed => "changed",
            ReviewResult::Lifted => "lifted",
        }
    }
}

impl std::str::FromStr for ReviewResult {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ReviewResult::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown review result {s:?} (upheld, changed or lifted)"))
    }
}

/// Who a communication went to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    /// The reporter.
    Reporter,
    /// The reported party.
    Reported,
    /// Anyone else.
    Other,
}

impl Audience {
    /// Every audience.
    pub const ALL: [Audience; 3] = [Audience::Reporter, Audience::Reported, Audience::Other];

    /// The audience's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Reporter => "reporter",
            Audience::Reported => "reported",
            Audience::Other => "other",
        }
    }
}

impl std::str::FromStr for Audience {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Audience::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| format!("unknown audience {s:?}"))
    }
}

/// Who a decision record is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// The committee: everything recorded about the case.
    Internal,
    /// The reported person: only what a member wrote for them, the outcome and how to appeal.
    Reported,
    /// The reporter: only what a member wrote for them, the outcome and follow-up.
    Reporter,
    /// The public: anonymised.
    Public,
}

impl Profile {
    /// Every profile.
    pub const ALL: [Profile; 4] = [
        Profile::Internal,
        Profile::Reported,
        Profile::Reporter,
        Profile::Public,
    ];

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
        Profile::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| {
                format!("unknown profile {s:?}; profiles: internal, reported, reporter, public")
            })
    }
}

/// Case details that can be set or corrected after a case is opened. `None` leaves a detail
/// as it was.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Details {
    /// New title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// New summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// When the incident happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<IncidentAt>,
    /// Where it happened (repository, chat, event, social media...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub venue: Option<String>,
    /// Whether that is within the code of conduct's scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<ScopeJudgement>,
    /// Why the scope judgement was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope_reason: Option<String>,
    /// The code of conduct clauses concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clauses: Option<BTreeSet<String>>,
    /// Severity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// Whether someone's safety is at risk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safety_risk: Option<bool>,
    /// Labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeSet<String>>,
    /// When to review the case (for example the end of a temporary ban).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_on: Option<NaiveDate>,
    /// When to expunge the case's records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expunge_on: Option<NaiveDate>,
    /// Whether the case can be described, anonymised, in a public report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anonymisable: Option<bool>,
}

/// A file attached to a report, stored encrypted inside the case file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentRef {
    /// File name as received.
    pub name: String,
    /// MIME type as received.
    pub content_type: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
}

/// Why a member is kept out of a sealed case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExcludeWhy {
    /// They declared a hard conflict of interest on it.
    Conflict,
    /// They are a party to it (the report names them).
    Party,
    /// The reporter asked for them to be kept out.
    Request,
    /// The report names them (recognised when it was imported): kept out until a reader
    /// gives them access.
    Named,
}

impl ExcludeWhy {
    /// Every reason.
    pub const ALL: [ExcludeWhy; 4] = [
        ExcludeWhy::Conflict,
        ExcludeWhy::Party,
        ExcludeWhy::Request,
        ExcludeWhy::Named,
    ];

    /// The reason's name in the file and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ExcludeWhy::Conflict => "conflict",
            ExcludeWhy::Party => "party",
            ExcludeWhy::Request => "request",
            ExcludeWhy::Named => "named",
        }
    }

    /// The reason in words, for a case screen.
    pub fn describe(self) -> &'static str {
        match self {
            ExcludeWhy::Conflict => "hard conflict of interest",
            ExcludeWhy::Party => "a party to the case",
            ExcludeWhy::Request => "at the reporter's request",
            ExcludeWhy::Named => "named in the report",
        }
    }
}

impl std::str::FromStr for ExcludeWhy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ExcludeWhy::ALL
            .into_iter()
            .find(|w| w.as_str() == s)
            .ok_or_else(|| {
                format!("unknown reason {s:?}; reasons: conflict, party, request, named")
            })
    }
}

/// What changed in who may read a sealed case (see [`EventKind::CaseSealed`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "kebab-case")]
pub enum Access {
    /// Members kept out from now on.
    Excluded {
        /// Who.
        members: BTreeSet<MemberId>,
        /// Why. Stored in plaintext by casebook 7 and earlier; since, only sealed (in
        /// `why_sealed`), and known in memory on a copy that holds the case key it is sealed
        /// to. `None` where it is not known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        why: Option<ExcludeWhy>,
        /// Why, age-encrypted (armored) to the case key the same event makes: a copy the
        /// case is sealed from learns who was kept out, never why (see `vault::sealing`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        why_sealed: Option<String>,
    },
    /// A member may read the case (again): an exclusion lifted, or a member who joined after
    /// it was sealed given it.
    Given {
        /// Who.
        member: MemberId,
    },
    /// A new case key for the same readers: a reader left the committee, or the key was made
    /// by a member who is kept out.
    Rekeyed,
}

/// What an event records. Serialised as JSON with a `kind` tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum EventKind {
    /// The case file was created.
    FileCreated,
    /// A member joined the roster.
    MemberAdded {
        /// The new member.
        member: MemberId,
        /// Their name at the time.
        name: String,
        /// Their role.
        role: Role,
        /// The age recipient the file is now also encrypted to.
        recipient: String,
        /// Their contact address (absent in events written before it was recorded here).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        email: Option<String>,
    },
    /// A member left the roster; later versions of the file are not encrypted to them.
    MemberRemoved {
        /// The member.
        member: MemberId,
        /// Why, if given.
        reason: Option<String>,
    },
    /// A member replaced their key.
    MemberKeyChanged {
        /// The member.
        member: MemberId,
        /// The new age recipient.
        recipient: String,
    },
    /// A chair made a member a chair, or a chair an ordinary member.
    MemberRoleChanged {
        /// The member.
        member: MemberId,
        /// Their new role.
        role: Role,
    },
    /// A removed member joined the committee again, with this key.
    MemberRejoined {
        /// The member (the same as before their removal).
        member: MemberId,
        /// The age recipient the file is now encrypted to again.
        recipient: String,
    },
    /// A member's contact address was recorded or changed.
    MemberEmailChanged {
        /// The member.
        member: MemberId,
        /// The new address.
        email: Option<String>,
    },
    /// The file was re-encrypted to the current roster with a fresh file key.
    Rekeyed,
    /// A member accepted an older history for the file (`casebook recover`): what one laptop
    /// had verified there could not be found in any copy, and is lost. Changes nothing else;
    /// every copy shows it in the history.
    HistoryRecovered {
        /// The newest commit that laptop had verified and no copy holds.
        lost_head: String,
        /// Who had signed it, as that laptop knew them.
        lost_by: String,
        /// When they had signed it (their claim).
        lost_at: String,
        /// When that laptop had verified it.
        verified_at: DateTime<Utc>,
    },
    /// A recipient that is not a member (for example an offline escrow key) was added.
    RecipientAdded {
        /// The age recipient.
        recipient: String,
    },
    /// A chair set who must be told when a sanction applies in a kind of space (the
    /// committee's checklist; see [`super::sanction`]).
    SpaceSet {
        /// The space (chat, events, ...), as sanctions name it.
        space: String,
        /// Who must be told (event organisers, chat moderators, ...); empty: the space's
        /// own name, as before it was set.
        tell: Vec<String>,
    },
    /// A chair set the committee's template for messages to one audience at one step (see
    /// [`super::comms`]).
    TemplateSet {
        /// To whom such messages go.
        to: Audience,
        /// The step of the process.
        step: super::comms::Step,
        /// The template, with placeholders in braces.
        text: String,
    },
    /// The committee's rules changed.
    SettingsChanged {
        /// The outcome ladder.
        ladder: Ladder,
        /// The quorum rule.
        quorum: QuorumRule,
        /// Hours within which a report is acknowledged.
        acknowledge_hours: u32,
        /// Days within which a case is decided.
        decide_days: u32,
        /// Days after a decision within which it may be appealed (absent in settings
        /// recorded before appeals were: 30).
        #[serde(default = "super::process::default_appeal_days")]
        appeal_days: u32,
        /// Days before its end a sanction shows in the sanctions-ending queue (absent
        /// before: 14).
        #[serde(default = "super::process::default_notice_days")]
        notice_days: u32,
        /// Days within which a reporter hears again while their case waits for its decision
        /// (absent before: 14).
        #[serde(default = "super::process::default_update_days")]
        update_days: u32,
        /// The grounds the committee hears appeals on (absent before: the four defaults).
        #[serde(default)]
        grounds: super::sanction::Grounds,
        /// When cases are due to be expunged (absent before, and while none is set).
        #[serde(
            default,
            skip_serializing_if = "super::retention::Schedule::is_default"
        )]
        retention: super::retention::Schedule,
    },
    /// A report was received and a case opened for it.
    CaseOpened {
        /// The case's code name.
        code_name: String,
        /// Short title.
        title: String,
        /// Summary of the report.
        #[serde(default)]
        summary: String,
        /// How the report arrived.
        channel: Channel,
        /// When it arrived.
        received_at: DateTime<Utc>,
    },
    /// The report itself, as received (an email, a form submission).
    ReportReceived {
        /// Who sent it, as stated.
        from: String,
        /// Subject line or form title.
        subject: String,
        /// The text as received, unaltered.
        body: String,
        /// Attachments, stored encrypted in the file.
        #[serde(default)]
        attachments: Vec<AttachmentRef>,
        /// SHA-256 of the report as its source held it (the email, the form row), hex: how
        /// a second import of the same report is recognised. Absent in reports typed in or
        /// imported before it was recorded.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        source_sha256: Option<String>,
    },
    /// Case details were set or corrected.
    DetailsChanged {
        /// What changed.
        changes: Details,
    },
    /// The case moved through the process.
    StatusChanged {
        /// Status before.
        from: Status,
        /// Status after.
        to: Status,
    },
    /// A member was assigned to the case.
    Assigned {
        /// The member.
        member: MemberId,
    },
    /// A member was taken off the case.
    Unassigned {
        /// The member.
        member: MemberId,
    },
    /// A party was added.
    PartyAdded {
        /// The party.
        party: Party,
    },
    /// A member declared a conflict of interest.
    ConflictDeclared {
        /// The conflicted member.
        member: MemberId,
        /// Hard or soft.
        conflict: ConflictKind,
        /// Why, if they said.
        reason: Option<String>,
    },
    /// A member withdrew the conflict of interest they had declared.
    ConflictWithdrawn {
        /// The member (the event's author: only they withdraw it).
        member: MemberId,
        /// Why, if they said.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// An interim action taken before a decision, awaiting review by another member.
    EmergencyRecorded {
        /// What was done.
        action: String,
    },
    /// Another member reviewed an emergency action.
    EmergencyReviewed {
        /// The `EmergencyRecorded` event reviewed.
        emergency: Uuid,
        /// The reviewer's note.
        note: String,
        /// Upheld, changed or lifted (absent in reviews recorded before it was asked).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        result: Option<ReviewResult>,
    },
    /// An outcome was proposed for a vote; earlier votes no longer count.
    OutcomeProposed {
        /// The proposed outcome.
        outcome: String,
    },
    /// A member voted on the proposed outcome.
    VoteCast {
        /// The outcome voted on.
        outcome: String,
        /// For, against or abstain.
        ballot: Ballot,
    },
    /// The committee's decision.
    DecisionRecorded {
        /// The outcome.
        outcome: String,
        /// Why.
        rationale: String,
        /// The vote as counted when the decision was recorded.
        tally: Tally,
        /// Set when the chair recorded the decision without the quorum rule being met.
        override_reason: Option<String>,
    },
    /// A message was sent about the case.
    CommunicationLogged {
        /// To whom.
        to: Audience,
        /// What was said, in short.
        summary: String,
        /// The day by which the message promised them the next update, if it did.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        next_update_by: Option<NaiveDate>,
        /// The message waits for a second member's review (`approve`) before it counts as
        /// sent.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        review: bool,
    },
    /// A member wrote (or confirmed) the title and summary a decision record for one audience
    /// shows. Outside the committee's own record, nothing else a report said appears.
    RecordTextWritten {
        /// The audience (never `internal`, which shows everything).
        profile: Profile,
        /// The record's title.
        title: String,
        /// What the record says happened; empty for none.
        #[serde(default)]
        summary: String,
    },
    /// A member wrote a note on the case.
    NoteAdded {
        /// The note, as written.
        body: String,
        /// General, interview or deliberation.
        #[serde(default)]
        note: NoteKind,
    },
    /// The case is sealed: its content is stored encrypted inside the file to the members
    /// allowed to read it (`readers`), under a key of its own. Recorded when a member is kept
    /// out, given access, or the key is replaced. Stored in plaintext (it holds no content):
    /// every copy, an excluded member's too, verifies and merges sealed changes with it.
    CaseSealed {
        /// What changed.
        access: Access,
        /// Who may read the case from now on.
        readers: BTreeSet<MemberId>,
        /// The case key's public half (an age X25519 recipient): content is sealed to it.
        recipient: String,
        /// Every key the case has had, newest last, age-encrypted (armored) to the readers.
        keys: String,
    },
    /// The custodian of a party's sealed contact details opened them.
    ContactOpened {
        /// The party.
        party: super::party::PartyId,
    },
    /// A member approved a change that waits for a second member: on a case, a keeping-out
    /// at the reporter's request made after the case was opened, or a party recorded as a
    /// committee member in another role than the reported one; committee-wide, a motion
    /// (a removal or change of role a majority must approve).
    Approved {
        /// The event approved.
        event: Uuid,
    },
    /// The member who proposed a change that waits for approval withdrew it.
    Withdrawn {
        /// The event withdrawn.
        event: Uuid,
    },
    /// A reader asks that `member`, a party to the sealed case, may read it; a second reader
    /// gives the access (a case about a member never reaches them on one member's word).
    AccessRequested {
        /// The member.
        member: MemberId,
    },
    /// A sanction the decision imposed starts (see [`super::sanction`]).
    SanctionStarted {
        /// A step of the committee's ladder.
        step: String,
        /// How the people who enforce it know the person (a handle or a name).
        subject: String,
        /// Where it applies.
        spaces: Vec<String>,
        /// The first day it applies.
        starts: NaiveDate,
        /// The last day it applies; none: until the committee reviews it.
        ends: Option<NaiveDate>,
        /// What the person must do to return; empty for nothing.
        #[serde(default)]
        conditions: String,
        /// Who must be told of it, from the committee's checklist for its spaces when it
        /// started (empty: each space's people and the reported person).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tell: Vec<String>,
    },
    /// A member told a space's people, or the person, of a sanction's latest change.
    SanctionTold {
        /// The `sanction-started` event.
        sanction: Uuid,
        /// Whom: a space of the sanction, or "reported person".
        whom: String,
    },
    /// The committee reviewed a sanction; it stands as it is.
    SanctionReviewed {
        /// The `sanction-started` event.
        sanction: Uuid,
        /// The review.
        note: String,
    },
    /// A sanction's end moved.
    SanctionExtended {
        /// The `sanction-started` event.
        sanction: Uuid,
        /// Its new last day; none: until the committee reviews it.
        ends: Option<NaiveDate>,
        /// Why.
        note: String,
    },
    /// The person broke a sanction; a case of its own records what happened.
    SanctionBreached {
        /// The `sanction-started` event.
        sanction: Uuid,
        /// What happened, in short.
        note: String,
        /// The case opened for the breach, in the same commit.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        breach: Option<CaseId>,
    },
    /// A sanction ends early, or an appeal lifted it.
    SanctionLifted {
        /// The `sanction-started` event.
        sanction: Uuid,
        /// Why.
        note: String,
    },
    /// The decision is appealed: the case is reopened, and members who voted on or decided
    /// it are left out of the appeal's vote and quorum.
    AppealOpened {
        /// Why.
        grounds: super::sanction::Ground,
        /// What the appellant says, as the member recorded it.
        note: String,
    },
    /// A member proposes to expunge the case (the tombstone, never erased itself): once a
    /// second member approves it ([`EventKind::ExpungeApproved`]), every copy erases the
    /// payloads of the case's other events and keeps `retained` (see [`super::retention`]).
    CaseExpunged {
        /// Why.
        reason: super::retention::Reason,
        /// The proposer's note.
        #[serde(default)]
        note: String,
        /// The newest commit the proposer had seen.
        seen: String,
        /// What is erased, as the proposer's copy held it.
        manifest: super::retention::Manifest,
        /// What stays: [`super::retention::retained`] of the case when it was proposed.
        retained: Box<super::case::Case>,
    },
    /// A second member approved an expunge: it takes effect.
    ExpungeApproved {
        /// The `case-expunged` event.
        tombstone: Uuid,
    },
    /// A member's laptop applied an expunge and deleted casebook's own leftovers of the
    /// case (that laptop's claim).
    ExpungeApplied {
        /// The `case-expunged` event.
        tombstone: Uuid,
    },
    /// A legal hold on expunging the case, or a postponement of the date the retention
    /// schedule gives it.
    ExpungeHeld {
        /// The last day it holds.
        until: NaiveDate,
        /// Why.
        reason: String,
        /// A legal hold (forbids expunging until then), not a postponement.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        legal: bool,
    },
    /// An event whose payload an approved expunge erased: only its signed header is left.
    /// Never written: the history reads an erased payload as this.
    #[serde(skip)]
    Erased {
        /// The kind its header names.
        was: String,
    },
    /// A member resolved what a merge brought together that needed attention (see
    /// [`super::attention::Attention`]).
    AttentionResolved {
        /// The events whose attention items this resolves.
        events: Vec<Uuid>,
        /// How it was resolved, in the member's words.
        note: String,
        /// For two decisions on one case: the decision event that stands (the first recorded
        /// stands unless this names another).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        keep: Option<Uuid>,
    },
}

/// The payload an event stores: its kind as JSON, with `salt` (fresh random bytes for each
/// event, as hex) inside what is hashed. A sealed event keeps only its payload's SHA-256 in
/// the file (see `vault::sealing`); the salt makes that hash impossible to guess from the few
/// payloads a status move or a vote can have. Readers ignore the salt.
///
/// A keeping-out whose reason is sealed (`why_sealed`) stores the sealed reason only.
pub fn payload_text(kind: &EventKind, salt: &[u8; 16]) -> String {
    let mut value = serde_json::to_value(kind).unwrap_or(serde_json::Value::Null);
    if let serde_json::Value::Object(map) = &mut value {
        if let Some(serde_json::Value::Object(access)) = map.get_mut("access")
            && access.contains_key("why_sealed")
        {
            access.remove("why");
        }
        let hex = base16ct::lower::encode_string(salt);
        map.insert("salt".into(), serde_json::Value::String(hex));
    }
    value.to_string()
}

impl EventKind {
    /// The kind's name as stored in the file (the `kind` column).
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::FileCreated => "file-created",
            EventKind::MemberAdded { .. } => "member-added",
            EventKind::MemberRemoved { .. } => "member-removed",
            EventKind::MemberKeyChanged { .. } => "member-key-changed",
            EventKind::MemberEmailChanged { .. } => "member-email-changed",
            EventKind::MemberRoleChanged { .. } => "member-role-changed",
            EventKind::MemberRejoined { .. } => "member-rejoined",
            EventKind::ConflictWithdrawn { .. } => "conflict-withdrawn",
            EventKind::Rekeyed => "rekeyed",
            EventKind::HistoryRecovered { .. } => "history-recovered",
            EventKind::RecipientAdded { .. } => "recipient-added",
            EventKind::SettingsChanged { .. } => "settings-changed",
            EventKind::TemplateSet { .. } => "template-set",
            EventKind::SpaceSet { .. } => "space-set",
            EventKind::CaseOpened { .. } => "case-opened",
            EventKind::ReportReceived { .. } => "report-received",
            EventKind::DetailsChanged { .. } => "details-changed",
            EventKind::StatusChanged { .. } => "status-changed",
            EventKind::Assigned { .. } => "assigned",
            EventKind::Unassigned { .. } => "unassigned",
            EventKind::PartyAdded { .. } => "party-added",
            EventKind::ConflictDeclared { .. } => "conflict-declared",
            EventKind::EmergencyRecorded { .. } => "emergency-recorded",
            EventKind::EmergencyReviewed { .. } => "emergency-reviewed",
            EventKind::OutcomeProposed { .. } => "outcome-proposed",
            EventKind::VoteCast { .. } => "vote-cast",
            EventKind::DecisionRecorded { .. } => "decision-recorded",
            EventKind::CommunicationLogged { .. } => "communication-logged",
            EventKind::NoteAdded { .. } => "note-added",
            EventKind::AttentionResolved { .. } => "attention-resolved",
            EventKind::CaseSealed { .. } => "case-sealed",
            EventKind::ContactOpened { .. } => "contact-opened",
            EventKind::RecordTextWritten { .. } => "record-text-written",
            EventKind::Approved { .. } => "approved",
            EventKind::Withdrawn { .. } => "withdrawn",
            EventKind::AccessRequested { .. } => "access-requested",
            EventKind::SanctionStarted { .. } => "sanction-started",
            EventKind::SanctionTold { .. } => "sanction-told",
            EventKind::SanctionReviewed { .. } => "sanction-reviewed",
            EventKind::SanctionExtended { .. } => "sanction-extended",
            EventKind::SanctionBreached { .. } => "sanction-breached",
            EventKind::SanctionLifted { .. } => "sanction-lifted",
            EventKind::AppealOpened { .. } => "appeal-opened",
            EventKind::CaseExpunged { .. } => "case-expunged",
            EventKind::ExpungeApproved { .. } => "expunge-approved",
            EventKind::ExpungeApplied { .. } => "expunge-applied",
            EventKind::ExpungeHeld { .. } => "expunge-held",
            EventKind::Erased { .. } => "erased",
        }
    }

    /// The searchable text this event adds to its case (titles, bodies, names).
    pub fn search_text(&self) -> Option<String> {
        use super::party::Disclosure;
        match self {
            EventKind::CaseOpened { title, summary, .. } => Some(format!("{title}\n{summary}")),
            EventKind::ReportReceived {
                from,
                subject,
                body,
                ..
            } => Some(format!("{from}\n{subject}\n{body}")),
            EventKind::DetailsChanged { changes } => {
                let parts: Vec<&str> = [&changes.title, &changes.summary, &changes.venue]
                    .into_iter()
                    .flatten()
                    .map(String::as_str)
                    .collect();
                (!parts.is_empty()).then(|| parts.join("\n"))
            }
            EventKind::PartyAdded { party } => match &party.identity {
                Disclosure::Named {
                    name,
                    handle,
                    email,
                } => Some(
                    [Some(name), handle.as_ref(), email.as_ref()]
                        .into_iter()
                        .flatten()
                        .map(String::as_str)
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
                Disclosure::Pseudonymous { alias } => Some(alias.clone()),
                _ => None,
            },
            EventKind::EmergencyRecorded { action } => Some(action.clone()),
            EventKind::EmergencyReviewed { note, .. } => Some(note.clone()),
            EventKind::DecisionRecorded { rationale, .. } => Some(rationale.clone()),
            EventKind::CommunicationLogged { summary, .. } => Some(summary.clone()),
            EventKind::NoteAdded { body, .. } => Some(body.clone()),
            EventKind::AttentionResolved { note, .. } => Some(note.clone()),
            EventKind::SanctionStarted {
                subject,
                conditions,
                ..
            } => Some(format!("{subject}\n{conditions}")),
            EventKind::SanctionReviewed { note, .. }
            | EventKind::SanctionExtended { note, .. }
            | EventKind::SanctionBreached { note, .. }
            | EventKind::SanctionLifted { note, .. }
            | EventKind::AppealOpened { note, .. }
            | EventKind::ExpungeHeld { reason: note, .. } => Some(note.clone()),
            EventKind::RecordTextWritten { title, summary, .. } => {
                Some(format!("{title}\n{summary}"))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_kind_name_matches_the_json_tag() {
        let kinds = [
            EventKind::FileCreated,
            EventKind::RecipientAdded {
                recipient: "age1x".into(),
            },
            EventKind::StatusChanged {
                from: Status::New,
                to: Status::Triage,
            },
            EventKind::NoteAdded {
                body: "b".into(),
                note: NoteKind::Interview,
            },
            EventKind::DetailsChanged {
                changes: Details::default(),
            },
            EventKind::VoteCast {
                outcome: "warning".into(),
                ballot: Ballot::For,
            },
            EventKind::RecordTextWritten {
                profile: Profile::Reported,
                title: "t".into(),
                summary: String::new(),
            },
            EventKind::CaseSealed {
                access: Access::Rekeyed,
                readers: BTreeSet::new(),
                recipient: "age1x".into(),
                keys: String::new(),
            },
            EventKind::HistoryRecovered {
                lost_head: "c0ffee".into(),
                lost_by: "Ada".into(),
                lost_at: "2026-12-01T10:00:00+00:00".into(),
                verified_at: Utc::now(),
            },
        ];
        for kind in kinds {
            let json = serde_json::to_value(&kind).unwrap();
            assert_eq!(json["kind"], kind.name());
        }
    }
}
