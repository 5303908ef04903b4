//! The committee's process rules: which changes a member may make to a case, turned into the
//! events that record them. Every refusal names the case and what is allowed instead.
//!
//! Functions here check and build; they never store. Time and identifiers are passed in.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::case::{Case, Status};
use super::decision::{Ballot, Ladder, QuorumRule, Tally, tally};
use super::event::{ConflictKind, Event, EventKind, Profile};
use super::roster::{Member, MemberId, Role, Roster};

/// The committee's configurable rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// The outcome ladder.
    pub ladder: Ladder,
    /// The quorum rule for decisions.
    pub quorum: QuorumRule,
    /// Reports are acknowledged within this many hours.
    pub acknowledge_hours: u32,
    /// Cases are decided within this many days of the report.
    pub decide_days: u32,
    /// A decision may be appealed within this many days.
    #[serde(default = "default_appeal_days")]
    pub appeal_days: u32,
    /// A sanction shows as ending this many days before its last day.
    #[serde(default = "default_notice_days")]
    pub notice_days: u32,
    /// A reporter hears from the committee at least this often while their case waits for
    /// its decision.
    #[serde(default = "default_update_days")]
    pub update_days: u32,
    /// The grounds the committee hears appeals on.
    #[serde(default)]
    pub grounds: super::sanction::Grounds,
    /// When cases are due to be expunged (none unless the committee set it).
    #[serde(
        default,
        skip_serializing_if = "super::retention::Schedule::is_default"
    )]
    pub retention: super::retention::Schedule,
}

/// How often a reporter hears while their case is open, unless the committee set it: every
/// 14 days.
pub fn default_update_days() -> u32 {
    14
}

/// The appeal window of a committee that never set one: 30 days.
pub fn default_appeal_days() -> u32 {
    30
}

/// How long before its end a sanction shows as ending, unless the committee set it: 14 days.
pub fn default_notice_days() -> u32 {
    14
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            ladder: Ladder::default(),
            quorum: QuorumRule::default(),
            acknowledge_hours: 72,
            decide_days: 30,
            appeal_days: default_appeal_days(),
            notice_days: default_notice_days(),
            update_days: default_update_days(),
            grounds: super::sanction::Grounds::default(),
            retention: super::retention::Schedule::default(),
        }
    }
}

/// Emergency actions must be reviewed by a second member within this time.
pub const EMERGENCY_REVIEW_HOURS: i64 = 24;

/// Why a change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// A sealing that names other readers than its change gives.
    #[error(
        "on {case}, the sealing names {named} as its readers, where the change it records gives {expected}"
    )]
    WrongReaders {
        /// The case.
        case: String,
        /// The readers it names.
        named: String,
        /// The readers its change gives.
        expected: String,
    },
    /// The lifecycle does not allow this move.
    #[error("{case} is {from}; it cannot move to {to} (allowed: {})", list(.allowed))]
    IllegalTransition {
        case: String,
        from: Status,
        to: Status,
        allowed: Vec<Status>,
    },
    /// `decided` is reached by recording a decision.
    #[error("{case} becomes decided by recording a decision, not by a status change")]
    DecideInstead { case: String },
    /// The member has a hard conflict on the case.
    #[error("{member} has a hard conflict of interest on {case}")]
    HardConflict { case: String, member: String },
    /// The member has a conflict and may not vote.
    #[error("{member} has a {kind} conflict of interest on {case} and may not vote")]
    ConflictedVote {
        case: String,
        member: String,
        kind: &'static str,
    },
    /// The member is not (or no longer) on the committee.
    #[error("{member} is not an active member of the committee")]
    NotActive { member: String },
    /// Only a chair may do this.
    #[error("only a chair may {what}; {member} is a member")]
    NotChair { member: String, what: &'static str },
    /// Votes happen while deliberating.
    #[error("{case} is {status}; votes are cast while it is deliberating")]
    NotDeliberating { case: String, status: Status },
    /// The outcome is not on the committee's ladder.
    #[error("{outcome:?} is not an outcome of the {ladder} ladder (outcomes: {})", .allowed.join(", "))]
    UnknownOutcome {
        outcome: String,
        ladder: Ladder,
        allowed: Vec<&'static str>,
    },
    /// A vote on another outcome than the proposal.
    #[error(
        "the outcome proposed on {case} is {proposed}; vote on it, or propose {outcome} instead (earlier votes then lapse)"
    )]
    OtherProposal {
        case: String,
        proposed: String,
        outcome: String,
    },
    /// Deciding without the rule being met.
    #[error(
        "the vote on {case} does not meet the {rule} rule: {for_} for, {needed} needed of {eligible} eligible"
    )]
    QuorumNotMet {
        case: String,
        rule: QuorumRule,
        for_: usize,
        needed: usize,
        eligible: usize,
    },
    /// An override needs a reason.
    #[error("a chair override on {case} must give its reason")]
    OverrideWithoutReason { case: String },
    /// The same member may not review their own emergency action.
    #[error(
        "the emergency action on {case} must be reviewed by another member than the one who took it"
    )]
    SelfReview { case: String },
    /// No such emergency action (or already reviewed).
    #[error("{case} has no emergency action awaiting review{}", .hint)]
    NoEmergency { case: String, hint: String },
    /// Assigning someone already assigned, or unassigning someone who is not.
    #[error("{member} is {} assigned to {case}", if *.assigned { "already" } else { "not" })]
    Assignment {
        case: String,
        member: String,
        assigned: bool,
    },
    /// The case is finished.
    #[error("{case} is {status}; it must be reopened first")]
    Finished { case: String, status: Status },
    /// The roster would be left without a chair.
    #[error("{member} is the last chair; make another member chair first")]
    LastChair { member: String },
    /// The member already has that role.
    #[error("{member} already is {}", crate::describe::role_words(*.role))]
    SameRole { member: String, role: Role },
    /// Re-adding a member who was never removed.
    #[error("{member} is an active member already")]
    NotRemoved { member: String },
    /// Withdrawing a conflict that was never declared.
    #[error("{member} has declared no conflict of interest on {case}")]
    NoConflict { case: String, member: String },
    /// The roster would be left empty.
    #[error("{member} is the last member; a case file needs at least one")]
    LastMember { member: String },
    /// The member running the command would lose access to the file.
    #[error("removing {member} would produce a file you can no longer open")]
    SelfRemoval { member: String },
    /// The key is already on the roster.
    #[error("that key already belongs to {member}")]
    DuplicateKey { member: String },
    /// The name is already on the roster.
    #[error("the roster already has a member named {name}")]
    DuplicateName { name: String },
    /// An address that cannot stand as a signer's principal.
    #[error(
        "{email:?} is not a plain email address (local@domain, no spaces, commas, quotes or wildcards)"
    )]
    InvalidEmail { email: String },
    /// The address is already another member's.
    #[error("{email} is already {member}'s address")]
    DuplicateEmail { email: String, member: String },
    /// Removing someone who is not an active member.
    #[error("{member} is not an active member")]
    AlreadyRemoved { member: String },
    /// A decision is recorded once; reopen to decide again.
    #[error("{case} already has a decision ({outcome}); reopen it to decide again")]
    AlreadyDecided { case: String, outcome: String },
    /// The committee's own record shows everything; it has no per-audience text.
    #[error("the internal record of {case} shows everything recorded; it has no text of its own")]
    InternalRecordText { case: String },
    /// A record's title must say something.
    #[error("the record title for {case} is empty")]
    EmptyRecordTitle { case: String },
    /// The case is sealed from the member: their copy does not hold its content.
    #[error("{case} is sealed from {member}")]
    SealedFrom { case: String, member: String },
    /// Giving access to a case that is not sealed.
    #[error("{case} is not sealed; every member can read it")]
    NotSealed { case: String },
    /// Giving access to a member who has it.
    #[error("{member} can read {case} already")]
    AlreadyReader { case: String, member: String },
    /// Keeping out a member who is kept out already.
    #[error("{case} is sealed from {member} already")]
    AlreadyExcluded { case: String, member: String },
    /// Sealing a case from every member who could read it.
    #[error("sealing {case} from {members} would leave nobody who can read it")]
    NoReaderLeft { case: String, members: String },
    /// Keeping every other member out of a case.
    #[error("sealing {case} from {members} would leave {member} its only reader")]
    OnlyReader {
        case: String,
        members: String,
        member: String,
    },
    /// A member who is a party to the case keeping others out of it.
    #[error("{member} is a party to {case} and may not keep other members out of it")]
    PartyExcludes { case: String, member: String },
    /// A member the case records as a party acting on it.
    #[error("{member} is a party to {case} and may not {what} on it")]
    IsParty {
        case: String,
        member: String,
        what: &'static str,
    },
    /// An event for a case the history never opened.
    #[error("case {case} was never opened")]
    NoSuchCase { case: String },
    /// A case opened twice.
    #[error("{case} is opened a second time")]
    OpenedTwice { case: String },
    /// A member acting in another member's name.
    #[error("{member} {what} for another member on {case}")]
    ForOthers {
        case: String,
        member: String,
        what: &'static str,
    },
    /// A vote with no outcome proposed.
    #[error("no outcome is proposed on {case}; propose one first")]
    NoProposal { case: String },
    /// A status move from a status the case is not in.
    #[error("{case} is {status}, not {from}; a move from {from} does not apply")]
    StaleStatus {
        case: String,
        from: Status,
        status: Status,
    },
    /// A committee-wide change recorded on a case.
    #[error("{kind} is not a change to a case ({case})")]
    NotACaseChange { case: String, kind: &'static str },
    /// Asking twice for one member's access.
    #[error("access to {case} for {member} is asked for already; another reader gives it")]
    AlreadyRequested { case: String, member: String },
    /// Opening a party's contact details held by someone else.
    #[error("{member} does not hold that party's contact details on {case}")]
    NotCustodian { case: String, member: String },
    /// Approving or withdrawing what is not waiting.
    #[error("nothing on {case} waits for that approval")]
    NothingPending { case: String },
    /// Approving one's own change, or a change about oneself.
    #[error(
        "a change on {case} is approved by a second member, not by its author or the member it is about"
    )]
    SelfApproval { case: String },
    /// Keeping a member out for a reason the rules cannot check.
    #[error(
        "{member} cannot be kept out of {case} as {}: {}", .why.describe(),
        match .why {
            crate::event::ExcludeWhy::Conflict => "they have declared no hard conflict on it",
            crate::event::ExcludeWhy::Party => "the case records no party as them",
            crate::event::ExcludeWhy::Request => "the request is not recorded",
            crate::event::ExcludeWhy::Named =>
                "only a report being imported keeps out the members it names",
        }
    )]
    UncheckedReason {
        case: String,
        member: String,
        why: crate::event::ExcludeWhy,
    },
    /// Keeping a member out for a reason this copy cannot read (sealed to a key it never
    /// held, or not given at all).
    #[error("{case}: {member} is kept out for a reason that cannot be read")]
    UnreadableReason { case: String, member: String },
    /// Giving a party access to a case about them alone.
    #[error(
        "{member} is a party to {case}: a second reader must agree before they may read it (the first asks, the second gives access)"
    )]
    SecondReaderNeeded { case: String, member: String },
    /// A member the roster does not know.
    #[error("{member} is not on the roster")]
    UnknownMember { member: String },
    /// A member recorded as the reported party without keeping them out of the case.
    #[error(
        "{member} is recorded as the reported party of {case} but not kept out of it in the same change"
    )]
    ReportedNotSealed { case: String, member: String },
    /// A sanction or an appeal before the case has a decision.
    #[error("{case} has no decision yet; {what} follows a decision")]
    NoDecision { case: String, what: &'static str },
    /// A sanction of a kind that is not a step of the ladder.
    #[error("{step:?} is not a step of the {ladder} ladder (steps: {})", .allowed.join(", "))]
    NotAStep {
        step: String,
        ladder: super::decision::Ladder,
        allowed: Vec<&'static str>,
    },
    /// A sanction without a person or a space.
    #[error("a sanction on {case} needs {what}")]
    SanctionIncomplete { case: String, what: &'static str },
    /// A sanction that would end before it starts.
    #[error("a sanction on {case} cannot end on {ends}, before it starts on {starts}")]
    EndsBeforeStart {
        case: String,
        starts: chrono::NaiveDate,
        ends: chrono::NaiveDate,
    },
    /// A permanent sanction with a last day.
    #[error("a {step} on {case} has no last day; choose a temporary step for one that ends")]
    PermanentEnds { case: String, step: String },
    /// A sanction starting before the case's report arrived.
    #[error(
        "a sanction on {case} cannot start on {starts}, before its report arrived on {received}"
    )]
    StartsBeforeReport {
        case: String,
        starts: chrono::NaiveDate,
        received: chrono::NaiveDate,
    },
    /// No such sanction on the case.
    #[error("{case} has no such sanction")]
    NoSanction { case: String },
    /// A sanction that is lifted or over cannot change.
    #[error("the {step} on {case} is {state}; start a new sanction instead")]
    SanctionOver {
        case: String,
        step: String,
        state: &'static str,
    },
    /// Telling someone who is not on the sanction's checklist, or told already.
    #[error("{whom:?} {} (still to tell: {})", if *.told { "was told already" } else { "is not on the sanction's checklist" }, if .left.is_empty() { "nobody".to_string() } else { .left.join(", ") })]
    NotToTell {
        whom: String,
        told: bool,
        left: Vec<String>,
    },
    /// Everyone on a sanction's checklist was told of its latest change.
    #[error("everyone on the checklist of the {step} on {case} was told of its latest change")]
    AllTold { case: String, step: String },
    /// An extension that does not move the end later.
    #[error("the {step} on {case} already ends {ends}; an extension moves it later")]
    NotLater {
        case: String,
        step: String,
        ends: String,
    },
    /// An appeal after the window.
    #[error(
        "the appeal window of {case} closed on {closed} ({days} days after its decision); a new report reopens the case instead"
    )]
    AppealWindowClosed {
        case: String,
        closed: chrono::NaiveDate,
        days: u32,
    },
    /// A message about an appeal's outcome before it has one.
    #[error("{case} has no decided appeal; the appeal-outcome message follows its decision")]
    NoAppealDecision { case: String },
    /// A sanction harsher than the outcome decided.
    #[error(
        "on {case}, a {step} is harsher than the {outcome} decided; a sanction is that step or a milder one"
    )]
    HarsherThanDecided {
        case: String,
        step: String,
        outcome: String,
    },
    /// A change to a case whose content was expunged.
    #[error("{case} was expunged: its content is gone, and nothing more can be added to it")]
    Expunged { case: String },
    /// An expunge the rules do not allow yet.
    #[error("{case} cannot be expunged: {why}")]
    NotExpungeable { case: String, why: String },
    /// An approval of an expunge that is not waiting, or by the member who proposed it.
    #[error("on {case}, {why}")]
    ExpungeApproval { case: String, why: String },
    /// A sanction after an outcome that imposes none.
    #[error(
        "{case} was decided {outcome:?}, which imposes no sanction; a sanction follows a step of the ladder"
    )]
    NotASanctionOutcome { case: String, outcome: String },
    /// An open appeal moved to a final status.
    #[error("{case} is under appeal; the appeal ends with its decision, not with a status")]
    AppealEndsWithDecision { case: String },
    /// An appeal on a ground the committee does not hear.
    #[error("the committee hears appeals on {allowed}, not on {ground}")]
    NotAGround {
        ground: super::sanction::Ground,
        allowed: String,
    },
    /// A second appeal.
    #[error("{case}'s decision was appealed already; a decision is appealed once")]
    AlreadyAppealed { case: String },
    /// A member who voted on or decided the decision appealed, voting or deciding on the
    /// appeal.
    #[error(
        "{member} voted on or decided the decision of {case} that is appealed; the appeal is heard by the others"
    )]
    AppealPanel { case: String, member: String },
    /// A message template naming what its audience may not see.
    #[error("a message to {audience} may not show {names}; it may show {allowed}")]
    TemplateShows {
        audience: &'static str,
        names: String,
        allowed: String,
    },
    /// An empty message template.
    #[error("the template is empty")]
    EmptyTemplate,
}

fn list(statuses: &[Status]) -> String {
    if statuses.is_empty() {
        return "none: this is a final status".to_string();
    }
    statuses
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Who is acting and under which rules.
#[derive(Clone, Copy, Debug)]
pub struct Actor<'a> {
    /// The member making the change.
    pub member: &'a Member,
    /// The roster, for eligibility.
    pub roster: &'a Roster,
    /// The committee's rules.
    pub settings: &'a Settings,
}

impl<'a> Actor<'a> {
    pub(crate) fn active(&self) -> Result<(), RuleError> {
        if self.member.is_active() {
            Ok(())
        } else {
            Err(RuleError::NotActive {
                member: self.member.name.clone(),
            })
        }
    }

    fn not_hard_conflicted(&self, case: &Case) -> Result<(), RuleError> {
        if case.conflict_of(self.member.id) == Some(ConflictKind::Hard) {
            return Err(RuleError::HardConflict {
                case: case.code_name.clone(),
                member: self.member.name.clone(),
            });
        }
        Ok(())
    }

    pub(crate) fn reads(&self, case: &Case) -> Result<(), RuleError> {
        if case.readable_by(self.member.id) {
            Ok(())
        } else {
            Err(RuleError::SealedFrom {
                case: case.code_name.clone(),
                member: self.member.name.clone(),
            })
        }
    }

    /// The checks every change to a case goes through: an active member who can read it,
    /// without a hard conflict of interest on it.
    pub fn may_handle(&self, case: &Case) -> Result<(), RuleError> {
        self.active()?;
        self.reads(case)?;
        self.not_hard_conflicted(case)
    }

    /// [`Actor::may_handle`], and not a party to the case: what moving, assigning, deciding,
    /// sealing, giving access and writing a record's text need.
    pub fn may_act(&self, case: &Case) -> Result<(), RuleError> {
        self.may_handle(case)?;
        self.not_a_party(case)
    }

    pub(crate) fn not_a_party(&self, case: &Case) -> Result<(), RuleError> {
        if case.links.contains_key(&self.member.id) {
            return Err(RuleError::IsParty {
                case: case.code_name.clone(),
                member: self.member.name.clone(),
                what: "act",
            });
        }
        Ok(())
    }

    /// The member with this id on the roster.
    pub(crate) fn member_of(&self, id: MemberId) -> Result<&'a Member, RuleError> {
        self.roster.get(id).ok_or_else(|| RuleError::UnknownMember {
            member: id.to_string(),
        })
    }

    /// A member's name, or their id when the roster does not know them.
    pub(crate) fn name_of(&self, id: MemberId) -> String {
        self.roster
            .get(id)
            .map(|m| m.name.clone())
            .unwrap_or_else(|| id.to_string())
    }

    /// Judge `kind`, by this member on `case`, as every copy's replay will judge it (see
    /// [`super::rules::judge`]); gives it back when the rules allow it.
    pub fn check(&self, case: &Case, kind: EventKind) -> Result<EventKind, RuleError> {
        self.check_in(case, kind, Default::default())
    }

    /// [`Actor::check`] in `context` (where the change stands in its commit).
    pub fn check_in(
        &self,
        case: &Case,
        kind: EventKind,
        context: super::rules::Context<'_>,
    ) -> Result<EventKind, RuleError> {
        let event = Event {
            id: uuid::Uuid::nil(),
            case: Some(case.id),
            author: self.member.id,
            at: case.updated_at,
            amends: None,
            kind,
        };
        super::rules::judge(*self, Some(case), &event, context)?;
        Ok(event.kind)
    }
}

/// Who may read a sealed case after a change (see [`EventKind::CaseSealed`]); the case key
/// and its wrapping are the vault's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resealing {
    /// What changed.
    pub access: super::event::Access,
    /// Who may read it afterwards.
    pub readers: std::collections::BTreeSet<MemberId>,
}

/// Keep `members` out of `case` for `why`. The first sealing makes every other active member
/// a reader; later ones keep the readers it has, less `members`. The rules are
/// [`super::rules::judge`]'s: the acting member reads the case, may keep themselves out (a
/// hard conflict), someone must be left, and the reason must be one the rules can check.
pub fn exclude(
    actor: Actor<'_>,
    case: &Case,
    members: &[&Member],
    why: super::event::ExcludeWhy,
) -> Result<Resealing, RuleError> {
    exclude_in(actor, case, members, why, false)
}

/// [`exclude`], in the change that opens the case when `opening` (a report's request, or the
/// members it names, arrive with it).
pub fn exclude_in(
    actor: Actor<'_>,
    case: &Case,
    members: &[&Member],
    why: super::event::ExcludeWhy,
    opening: bool,
) -> Result<Resealing, RuleError> {
    let access = super::event::Access::Excluded {
        members: members.iter().map(|m| m.id).collect(),
        why: Some(why),
        why_sealed: None,
    };
    actor.check_in(
        case,
        sealing_with(access.clone()),
        super::rules::Context {
            opening_commit: opening,
            ..Default::default()
        },
    )?;
    let mut readers: std::collections::BTreeSet<MemberId> = match &case.sealed {
        Some(sealed) => sealed.readers.clone(),
        None => actor.roster.active().map(|m| m.id).collect(),
    };
    for member in members {
        readers.remove(&member.id);
    }
    Ok(Resealing { access, readers })
}

/// A `case-sealed` event with `access`, as the rules judge it (its key is the vault's).
fn sealing_with(access: super::event::Access) -> EventKind {
    EventKind::CaseSealed {
        access,
        readers: Default::default(),
        recipient: String::new(),
        keys: String::new(),
    }
}

/// Give `member` access to the sealed `case`: lifting their exclusion (not while they declare
/// a hard conflict on it), or giving it to a member who joined after it was sealed. A party to
/// the case is given it only after another reader asked ([`request_access`]).
pub fn give_access(actor: Actor<'_>, case: &Case, member: &Member) -> Result<Resealing, RuleError> {
    let access = super::event::Access::Given { member: member.id };
    actor.check(case, sealing_with(access.clone()))?;
    let mut readers = case
        .sealed
        .as_ref()
        .map(|s| s.readers.clone())
        .unwrap_or_default();
    readers.insert(member.id);
    Ok(Resealing { access, readers })
}

/// Ask that `member`, a party to the sealed `case`, may read it; another reader gives it.
pub fn request_access(
    actor: Actor<'_>,
    case: &Case,
    member: &Member,
) -> Result<EventKind, RuleError> {
    actor.check(case, EventKind::AccessRequested { member: member.id })
}

/// Whether giving `member` access to `case` waits for a second reader: they are a party to it.
pub fn access_needs_request(case: &Case, member: MemberId) -> bool {
    case.links.contains_key(&member)
        || case.sealed.as_ref().and_then(|s| s.excluded.get(&member))
            == Some(&Some(super::event::ExcludeWhy::Party))
}

/// A new key for the sealed `case` when one is due: a reader has left the committee (their
/// access goes with them), or the current key was made by a member who cannot read the case
/// (who declared a conflict, say, and once held the key they made). `None` when none is due.
pub fn rekey_due(actor: Actor<'_>, case: &Case) -> Option<Resealing> {
    let sealed = case.sealed.as_ref()?;
    if !sealed.readers.contains(&actor.member.id) || !actor.member.is_active() {
        return None;
    }
    let active: std::collections::BTreeSet<MemberId> =
        actor.roster.active().map(|m| m.id).collect();
    let readers: std::collections::BTreeSet<MemberId> =
        sealed.readers.intersection(&active).copied().collect();
    let due = readers.len() != sealed.readers.len()
        || !readers.contains(&sealed.key_by)
        || !sealed.key_exact;
    due.then_some(Resealing {
        access: super::event::Access::Rekeyed,
        readers,
    })
}

/// A chair adds a member with `recipient` as their key and `email` as their address.
pub fn add_member(
    actor: Actor<'_>,
    name: &str,
    email: Option<&str>,
    recipient: &str,
) -> Result<(), RuleError> {
    chair(actor, "change the roster")?;
    if let Some(email) = email {
        check_email(actor.roster, email)?;
    }
    if let Some(holder) = actor
        .roster
        .members()
        .iter()
        .find(|m| m.recipient == recipient)
    {
        return Err(RuleError::DuplicateKey {
            member: holder.name.clone(),
        });
    }
    if actor.roster.members().iter().any(|m| m.name == name) {
        return Err(RuleError::DuplicateName {
            name: name.to_string(),
        });
    }
    Ok(())
}

/// `at` plus `after`, or the end of time when that is beyond what a date can hold (a promise
/// of 4,294,967,295 days is never late).
fn later(at: DateTime<Utc>, after: Duration) -> DateTime<Utc> {
    at.checked_add_signed(after)
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Whether `email` may be a new member's address on `roster`.
pub fn check_email(roster: &Roster, email: &str) -> Result<(), RuleError> {
    if !crate::roster::valid_email(email) {
        return Err(RuleError::InvalidEmail {
            email: email.to_string(),
        });
    }
    if let Some(holder) = roster.members().iter().find(|m| {
        m.email
            .as_deref()
            .is_some_and(|e| e.eq_ignore_ascii_case(email))
    }) {
        return Err(RuleError::DuplicateEmail {
            email: email.to_string(),
            member: holder.name.clone(),
        });
    }
    Ok(())
}

/// A chair removes `target` from the roster. The committee keeps at least one member and one
/// chair; removing oneself needs `allow_self`.
pub fn remove_member(
    actor: Actor<'_>,
    target: &Member,
    reason: Option<String>,
    allow_self: bool,
) -> Result<EventKind, RuleError> {
    chair(actor, "change the roster")?;
    if !target.is_active() {
        return Err(RuleError::AlreadyRemoved {
            member: target.name.clone(),
        });
    }
    let others: Vec<&Member> = actor
        .roster
        .active()
        .filter(|m| m.id != target.id)
        .collect();
    if others.is_empty() {
        return Err(RuleError::LastMember {
            member: target.name.clone(),
        });
    }
    if target.role == Role::Chair && !others.iter().any(|m| m.role == Role::Chair) {
        return Err(RuleError::LastChair {
            member: target.name.clone(),
        });
    }
    if target.id == actor.member.id && !allow_self {
        return Err(RuleError::SelfRemoval {
            member: target.name.clone(),
        });
    }
    Ok(EventKind::MemberRemoved {
        member: target.id,
        reason,
    })
}

/// A chair makes `target` a chair or an ordinary member; the committee keeps a chair.
pub fn change_role(actor: Actor<'_>, target: &Member, role: Role) -> Result<EventKind, RuleError> {
    chair(actor, "change the roster")?;
    if !target.is_active() {
        return Err(RuleError::AlreadyRemoved {
            member: target.name.clone(),
        });
    }
    if target.role == role {
        return Err(RuleError::SameRole {
            member: target.name.clone(),
            role,
        });
    }
    let other_chairs = actor
        .roster
        .active()
        .any(|m| m.id != target.id && m.role == Role::Chair);
    if role != Role::Chair && !other_chairs {
        return Err(RuleError::LastChair {
            member: target.name.clone(),
        });
    }
    Ok(EventKind::MemberRoleChanged {
        member: target.id,
        role,
    })
}

/// A chair re-adds `target`, who was removed, with `recipient` as their key.
pub fn rejoin_member(
    actor: Actor<'_>,
    target: &Member,
    recipient: &str,
) -> Result<EventKind, RuleError> {
    chair(actor, "change the roster")?;
    if target.is_active() {
        return Err(RuleError::NotRemoved {
            member: target.name.clone(),
        });
    }
    if let Some(holder) = actor
        .roster
        .members()
        .iter()
        .find(|m| m.id != target.id && m.recipient == recipient)
    {
        return Err(RuleError::DuplicateKey {
            member: holder.name.clone(),
        });
    }
    Ok(EventKind::MemberRejoined {
        member: target.id,
        recipient: recipient.to_string(),
    })
}

/// The acting member replaces their own key with `recipient`.
pub fn rotate_key(actor: Actor<'_>, recipient: &str) -> Result<EventKind, RuleError> {
    actor.active()?;
    if let Some(holder) = actor
        .roster
        .members()
        .iter()
        .find(|m| m.recipient == recipient)
    {
        return Err(RuleError::DuplicateKey {
            member: holder.name.clone(),
        });
    }
    Ok(EventKind::MemberKeyChanged {
        member: actor.member.id,
        recipient: recipient.to_string(),
    })
}

fn chair(actor: Actor<'_>, what: &'static str) -> Result<(), RuleError> {
    actor.active()?;
    if actor.member.role == Role::Chair {
        Ok(())
    } else {
        Err(RuleError::NotChair {
            member: actor.member.name.clone(),
            what,
        })
    }
}

/// Whether the acting member may change `case` at all (notes, details, parties,
/// communications): an active member who reads it, without a hard conflict.
pub fn change_details(actor: Actor<'_>, case: &Case) -> Result<(), RuleError> {
    actor.may_handle(case)
}

/// Move `case` to `to`.
pub fn change_status(actor: Actor<'_>, case: &Case, to: Status) -> Result<EventKind, RuleError> {
    actor.check(
        case,
        EventKind::StatusChanged {
            from: case.status,
            to,
        },
    )
}

/// Assign `member` to `case`.
pub fn assign(actor: Actor<'_>, case: &Case, member: &Member) -> Result<EventKind, RuleError> {
    actor.check(case, EventKind::Assigned { member: member.id })
}

/// Take `member` off `case`.
pub fn unassign(actor: Actor<'_>, case: &Case, member: &Member) -> Result<EventKind, RuleError> {
    actor.check(case, EventKind::Unassigned { member: member.id })
}

/// The acting member declares their own conflict of interest. Allowed even with an existing
/// conflict (a soft one can become hard).
pub fn declare_conflict(
    actor: Actor<'_>,
    kind: ConflictKind,
    reason: Option<String>,
) -> Result<EventKind, RuleError> {
    actor.active()?;
    Ok(EventKind::ConflictDeclared {
        member: actor.member.id,
        conflict: kind,
        reason,
    })
}

/// The acting member withdraws the conflict of interest they declared on `case`.
pub fn withdraw_conflict(
    actor: Actor<'_>,
    case: &Case,
    reason: Option<String>,
) -> Result<EventKind, RuleError> {
    actor.check(
        case,
        EventKind::ConflictWithdrawn {
            member: actor.member.id,
            reason,
        },
    )
}

pub use super::rules::eligible_voters;

/// Where the vote on `case` stands, if an outcome is proposed. Once the case is decided, the
/// vote is the one the replay counted when the decision was recorded: removing a member, a key
/// change or a later conflict never recounts a decided case.
pub fn current_tally(roster: &Roster, settings: &Settings, case: &Case) -> Option<Tally> {
    let proposal = case.proposal.as_ref()?;
    if let Some(decision) = &case.decision
        && proposal.at <= decision.at
        && let Some(counted) = &decision.tally
    {
        return Some(counted.clone());
    }
    Some(tally(
        settings.quorum,
        &eligible_voters(roster, case),
        &proposal.votes,
    ))
}

/// The acting member votes on `outcome`. With no proposal yet (or with `propose`), the vote
/// first proposes the outcome. Returns the events to record, in order.
pub fn vote(
    actor: Actor<'_>,
    case: &Case,
    outcome: &str,
    ballot: Ballot,
    propose: bool,
) -> Result<Vec<EventKind>, RuleError> {
    let cast = EventKind::VoteCast {
        outcome: outcome.to_string(),
        ballot,
    };
    match &case.proposal {
        Some(p) if p.outcome == outcome => Ok(vec![actor.check(case, cast)?]),
        Some(p) if !propose => {
            // Judged as cast, for the rule's own message (a conflicted member, a case not
            // deliberating) before the proposal's.
            actor.check(
                case,
                EventKind::OutcomeProposed {
                    outcome: outcome.to_string(),
                },
            )?;
            Err(RuleError::OtherProposal {
                case: case.code_name.clone(),
                proposed: p.outcome.clone(),
                outcome: outcome.to_string(),
            })
        }
        _ => {
            let proposed = actor.check(
                case,
                EventKind::OutcomeProposed {
                    outcome: outcome.to_string(),
                },
            )?;
            let mut after = case.clone();
            after.proposal = Some(super::case::Proposal {
                outcome: outcome.to_string(),
                by: actor.member.id,
                at: case.updated_at,
                votes: Default::default(),
            });
            Ok(vec![proposed, actor.check(&after, cast)?])
        }
    }
}

/// Record the decision on `case`: the proposed outcome once the quorum rule is met, or any
/// outcome by a chair's override with a reason. The tally is the one the votes give.
pub fn decide(
    actor: Actor<'_>,
    case: &Case,
    outcome: &str,
    rationale: &str,
    override_reason: Option<&str>,
) -> Result<EventKind, RuleError> {
    let tally = super::rules::derived_tally(actor, case, outcome);
    let override_reason = match override_reason {
        Some(_) if tally.met && actor.member.role != Role::Chair => None,
        other => other.map(str::to_string),
    };
    actor.check(
        case,
        EventKind::DecisionRecorded {
            outcome: outcome.to_string(),
            rationale: rationale.to_string(),
            tally,
            override_reason,
        },
    )
}

/// Record an interim action on `case`.
pub fn record_emergency(
    actor: Actor<'_>,
    case: &Case,
    action: &str,
) -> Result<EventKind, RuleError> {
    actor.check(
        case,
        EventKind::EmergencyRecorded {
            action: action.to_string(),
        },
    )
}

/// Judge a change that follows the decision (a sanction's start and life, an appeal) as made
/// at `now`: whether a sanction is over, or an appeal in time, depends on the day.
pub fn after_decision(
    actor: Actor<'_>,
    case: &Case,
    kind: EventKind,
    now: DateTime<Utc>,
) -> Result<EventKind, RuleError> {
    let event = Event {
        id: uuid::Uuid::nil(),
        case: Some(case.id),
        author: actor.member.id,
        at: now,
        amends: None,
        kind,
    };
    super::rules::judge(actor, Some(case), &event, Default::default())?;
    Ok(event.kind)
}

/// Review the oldest unreviewed emergency action on `case` (another member than its author).
pub fn review_emergency(
    actor: Actor<'_>,
    case: &Case,
    note: &str,
    result: Option<crate::event::ReviewResult>,
) -> Result<EventKind, RuleError> {
    actor.may_act(case)?;
    let pending: Vec<_> = case.unreviewed_emergencies().collect();
    let Some(emergency) = pending.iter().find(|e| e.by != actor.member.id) else {
        return Err(if pending.is_empty() {
            RuleError::NoEmergency {
                case: case.code_name.clone(),
                hint: String::new(),
            }
        } else {
            RuleError::SelfReview {
                case: case.code_name.clone(),
            }
        });
    };
    actor.check(
        case,
        EventKind::EmergencyReviewed {
            emergency: emergency.id,
            note: note.to_string(),
            result,
        },
    )
}

/// Write (or confirm) the title and summary of `case`'s decision record for `profile`. The
/// committee's own record shows everything, so it has no such text.
pub fn write_record_text(
    actor: Actor<'_>,
    case: &Case,
    profile: Profile,
    title: &str,
    summary: &str,
) -> Result<EventKind, RuleError> {
    actor.check(
        case,
        EventKind::RecordTextWritten {
            profile,
            title: title.to_string(),
            summary: summary.to_string(),
        },
    )
}

/// The text a member wrote for `profile`'s record of `case`, latest first wins: (title,
/// summary, by, at). Text the rules did not apply (held on the case) is never it.
pub fn record_text<'a>(
    case: &Case,
    timeline: &'a [Event],
    profile: Profile,
) -> Option<(&'a str, &'a str, MemberId, DateTime<Utc>)> {
    let held = |e: &Event| case.held.iter().any(|h| h.event == e.id);
    timeline
        .iter()
        .rev()
        .filter(|e| !held(e))
        .find_map(|e| match &e.kind {
            EventKind::RecordTextWritten {
                profile: p,
                title,
                summary,
            } if *p == profile => Some((title.as_str(), summary.as_str(), e.author, e.at)),
            _ => None,
        })
}

/// What is due next on a case, and by when.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Due {
    /// What the committee owes.
    pub what: &'static str,
    /// By when.
    pub by: DateTime<Utc>,
}

/// The earliest promise the committee has yet to keep on `case`: acknowledging the report,
/// reviewing an emergency action, deciding.
pub fn due(settings: &Settings, case: &Case) -> Option<Due> {
    if case.status.is_finished() {
        return None;
    }
    let mut dues = Vec::new();
    if case.status == Status::New {
        dues.push(Due {
            what: "acknowledge",
            by: later(
                case.received_at,
                Duration::hours(i64::from(settings.acknowledge_hours)),
            ),
        });
    }
    for e in case.unreviewed_emergencies() {
        dues.push(Due {
            what: "review emergency action",
            by: later(e.at, Duration::hours(EMERGENCY_REVIEW_HOURS)),
        });
    }
    if case.status.awaits_decision() {
        dues.push(Due {
            what: "decide",
            by: later(
                case.received_at,
                Duration::days(i64::from(settings.decide_days)),
            ),
        });
    }
    dues.into_iter().min_by_key(|d| d.by)
}

/// Whether a promise on `case` is broken at `now`.
pub fn is_overdue(settings: &Settings, case: &Case, now: DateTime<Utc>) -> bool {
    due(settings, case).is_some_and(|d| d.by < now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{CaseId, Channel};
    use crate::event::Event;
    use chrono::TimeZone;
    use uuid::Uuid;

    fn t(h: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap() + Duration::hours(h)
    }

    fn member(n: u128, role: Role) -> Member {
        Member {
            id: MemberId(Uuid::from_u128(n)),
            name: format!("m{n}"),
            email: None,
            role,
            recipient: format!("age1{n}"),
            added_at: t(0),
            removed_at: None,
        }
    }

    fn committee() -> Roster {
        Roster::new(vec![
            member(1, Role::Chair),
            member(2, Role::Member),
            member(3, Role::Member),
            member(4, Role::Member),
        ])
    }

    fn case_in(status: Status) -> Case {
        let id = CaseId(Uuid::from_u128(99));
        let opened = Event {
            id: Uuid::from_u128(100),
            case: Some(id),
            author: MemberId(Uuid::from_u128(1)),
            at: t(0),
            amends: None,
            kind: EventKind::CaseOpened {
                code_name: "amber-kettle".into(),
                title: "t".into(),
                summary: String::new(),
                channel: Channel::Email,
                received_at: t(0),
            },
        };
        let mut case = Case::opened(id, &opened).unwrap();
        case.status = status;
        case
    }

    fn record(case: &mut Case, author: &Member, at: DateTime<Utc>, kind: EventKind) {
        case.apply(&Event {
            id: Uuid::new_v4(),
            case: Some(case.id),
            author: author.id,
            at,
            amends: None,
            kind,
        });
    }

    #[test]
    fn record_text_the_rules_did_not_apply_is_never_the_records() {
        let mut case = case_in(Status::Decided);
        let text = |id: u128, title: &str, h: i64| Event {
            id: Uuid::from_u128(id),
            case: Some(case.id),
            author: MemberId(Uuid::from_u128(2)),
            at: t(h),
            amends: None,
            kind: EventKind::RecordTextWritten {
                profile: Profile::Reported,
                title: title.into(),
                summary: String::new(),
            },
        };
        let timeline = vec![text(1, "applied", 1), text(2, "held", 2)];
        assert_eq!(
            record_text(&case, &timeline, Profile::Reported).map(|r| r.0),
            Some("held")
        );
        case.hold_event(&timeline[1], "written by a removed member".into(), true);
        assert_eq!(
            record_text(&case, &timeline, Profile::Reported).map(|r| r.0),
            Some("applied")
        );
    }

    #[test]
    fn an_illegal_transition_names_the_allowed_ones() {
        let roster = committee();
        let settings = Settings::default();
        let actor = Actor {
            member: &roster.members()[0],
            roster: &roster,
            settings: &settings,
        };
        let err = change_status(actor, &case_in(Status::Triage), Status::Closed).unwrap_err();
        assert_eq!(
            err.to_string(),
            "amber-kettle is triage; it cannot move to closed (allowed: investigating, deliberating, out-of-scope, transferred)"
        );
        let err =
            change_status(actor, &case_in(Status::Transferred), Status::Reopened).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("(allowed: none: this is a final status)"),
            "{err}"
        );
        assert!(matches!(
            change_status(actor, &case_in(Status::Deliberating), Status::Decided),
            Err(RuleError::DecideInstead { .. })
        ));
    }

    #[test]
    fn hard_conflicts_exclude_soft_conflicts_only_silence() {
        let roster = committee();
        let settings = Settings::default();
        let [chair, two, three, _] = roster.members() else {
            unreachable!()
        };
        let mut case = case_in(Status::Deliberating);
        record(
            &mut case,
            two,
            t(1),
            EventKind::ConflictDeclared {
                member: two.id,
                conflict: ConflictKind::Hard,
                reason: None,
            },
        );
        record(
            &mut case,
            three,
            t(1),
            EventKind::ConflictDeclared {
                member: three.id,
                conflict: ConflictKind::Soft,
                reason: None,
            },
        );
        let as_ = |m| Actor {
            member: m,
            roster: &roster,
            settings: &settings,
        };
        assert!(matches!(
            assign(as_(chair), &case, two),
            Err(RuleError::HardConflict { .. })
        ));
        assert!(
            assign(as_(chair), &case, three).is_ok(),
            "a soft conflict may still work on the case"
        );
        assert!(matches!(
            vote(as_(three), &case, "warning", Ballot::For, false),
            Err(RuleError::ConflictedVote { kind: "soft", .. })
        ));
        assert!(matches!(
            change_status(as_(two), &case, Status::Investigating),
            Err(RuleError::HardConflict { .. })
        ));
        assert_eq!(eligible_voters(&roster, &case).len(), 2);
    }

    #[test]
    fn a_decision_needs_the_quorum_or_a_chairs_reasoned_override() {
        let roster = committee();
        let settings = Settings::default();
        let [chair, two, three, four] = roster.members() else {
            unreachable!()
        };
        let as_ = |m| Actor {
            member: m,
            roster: &roster,
            settings: &settings,
        };
        let mut case = case_in(Status::Deliberating);
        for kind in vote(as_(chair), &case, "warning", Ballot::For, false).unwrap() {
            record(&mut case, chair, t(2), kind);
        }
        let err = decide(as_(two), &case, "warning", "r", None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the vote on amber-kettle does not meet the simple-majority rule: 1 for, 3 needed of 4 eligible"
        );
        assert!(matches!(
            decide(as_(two), &case, "warning", "r", Some("urgent")),
            Err(RuleError::NotChair { .. })
        ));
        assert!(matches!(
            decide(as_(chair), &case, "warning", "r", Some(" ")),
            Err(RuleError::OverrideWithoutReason { .. })
        ));
        let overridden = decide(as_(chair), &case, "warning", "r", Some("safety")).unwrap();
        assert!(matches!(
            overridden,
            EventKind::DecisionRecorded {
                override_reason: Some(_),
                ..
            }
        ));

        for m in [two, three] {
            for kind in vote(as_(m), &case, "warning", Ballot::For, false).unwrap() {
                record(&mut case, m, t(3), kind);
            }
        }
        let err = vote(as_(four), &case, "permanent-ban", Ballot::For, false).unwrap_err();
        assert!(matches!(err, RuleError::OtherProposal { .. }), "{err}");
        let decided = decide(as_(two), &case, "warning", "three of four agreed", None).unwrap();
        let EventKind::DecisionRecorded {
            tally,
            override_reason: None,
            ..
        } = decided
        else {
            panic!()
        };
        assert_eq!((tally.for_, tally.needed, tally.met), (3, 3, true));
        assert!(matches!(
            vote(as_(chair), &case, "banana", Ballot::For, true),
            Err(RuleError::UnknownOutcome { .. })
        ));
    }

    #[test]
    fn the_roster_keeps_a_chair_and_a_member_and_nobody_locks_themselves_out() {
        let roster = Roster::new(vec![member(1, Role::Chair), member(2, Role::Member)]);
        let settings = Settings::default();
        let [chair, two] = roster.members() else {
            unreachable!()
        };
        let as_ = |m| Actor {
            member: m,
            roster: &roster,
            settings: &settings,
        };
        assert!(matches!(
            remove_member(as_(two), chair, None, false),
            Err(RuleError::NotChair { .. })
        ));
        assert!(matches!(
            remove_member(as_(chair), chair, None, true),
            Err(RuleError::LastChair { .. })
        ));
        assert!(remove_member(as_(chair), two, None, false).is_ok());
        let solo = Roster::new(vec![member(1, Role::Chair)]);
        let alone = Actor {
            member: &solo.members()[0],
            roster: &solo,
            settings: &settings,
        };
        assert!(matches!(
            remove_member(alone, &solo.members()[0], None, true),
            Err(RuleError::LastMember { .. })
        ));
        let two_chairs = Roster::new(vec![member(1, Role::Chair), member(3, Role::Chair)]);
        let [first, second] = two_chairs.members() else {
            unreachable!()
        };
        let act = Actor {
            member: first,
            roster: &two_chairs,
            settings: &settings,
        };
        assert!(matches!(
            remove_member(act, first, None, false),
            Err(RuleError::SelfRemoval { .. })
        ));
        assert!(remove_member(act, first, None, true).is_ok());
        assert!(remove_member(act, second, None, false).is_ok());
        assert!(matches!(
            add_member(act, "new", None, "age13"),
            Err(RuleError::DuplicateKey { .. })
        ));
        assert!(matches!(
            add_member(act, "m3", None, "age1new"),
            Err(RuleError::DuplicateName { .. })
        ));
        assert!(matches!(
            rotate_key(act, "age13"),
            Err(RuleError::DuplicateKey { .. })
        ));
    }

    #[test]
    fn emergency_actions_need_a_second_member_within_a_day() {
        let roster = committee();
        let settings = Settings::default();
        let [chair, two, ..] = roster.members() else {
            unreachable!()
        };
        let as_ = |m| Actor {
            member: m,
            roster: &roster,
            settings: &settings,
        };
        let mut case = case_in(Status::Triage);
        let emergency = record_emergency(as_(chair), &case, "muted in chat").unwrap();
        record(&mut case, chair, t(1), emergency);
        assert!(matches!(
            review_emergency(as_(chair), &case, "ok", None),
            Err(RuleError::SelfReview { .. })
        ));
        assert!(!is_overdue(&settings, &case, t(24)));
        assert!(
            is_overdue(&settings, &case, t(26)),
            "unreviewed after 24 hours"
        );
        let reviewed = review_emergency(
            as_(two),
            &case,
            "proportionate",
            Some(crate::event::ReviewResult::Upheld),
        )
        .unwrap();
        record(&mut case, two, t(26), reviewed);
        assert!(!is_overdue(&settings, &case, t(27)));
        assert!(matches!(
            review_emergency(as_(two), &case, "again", None),
            Err(RuleError::NoEmergency { .. })
        ));
    }

    #[test]
    fn response_time_promises_make_cases_overdue() {
        let settings = Settings::default();
        let case = case_in(Status::New);
        assert_eq!(due(&settings, &case).unwrap().what, "acknowledge");
        assert!(!is_overdue(&settings, &case, t(71)));
        assert!(is_overdue(&settings, &case, t(73)));
        let triaged = case_in(Status::Investigating);
        assert!(!is_overdue(&settings, &triaged, t(24 * 29)));
        assert!(is_overdue(&settings, &triaged, t(24 * 31)));
        assert!(!is_overdue(
            &settings,
            &case_in(Status::Closed),
            t(24 * 365)
        ));
    }

    #[test]
    fn a_sanction_follows_its_decision_and_a_permanent_one_has_no_end() {
        use crate::case::Decision;
        let roster = committee();
        let settings = Settings::default();
        let chair = &roster.members()[0];
        let actor = Actor {
            member: chair,
            roster: &roster,
            settings: &settings,
        };
        let mut case = case_in(Status::Decided);
        let decided = |outcome: &str| Decision {
            outcome: outcome.into(),
            rationale: "r".into(),
            by: chair.id,
            at: t(2),
            override_reason: None,
            tally: None,
            event: Uuid::nil(),
        };
        let day = |h: i64| t(h).date_naive();
        let start = |step: &str, starts, ends| EventKind::SanctionStarted {
            step: step.into(),
            subject: "@x".into(),
            spaces: vec!["chat".into()],
            starts,
            ends,
            conditions: String::new(),
            tell: Vec::new(),
        };
        case.decision = Some(decided("no-violation"));
        assert!(matches!(
            after_decision(actor, &case, start("warning", day(3), None), t(3)),
            Err(RuleError::NotASanctionOutcome { .. })
        ));
        case.decision = Some(decided("permanent-ban"));
        assert!(matches!(
            after_decision(
                actor,
                &case,
                start("permanent-ban", day(3), Some(day(900))),
                t(3)
            ),
            Err(RuleError::PermanentEnds { .. })
        ));
        assert!(matches!(
            after_decision(actor, &case, start("warning", day(-48), None), t(3)),
            Err(RuleError::StartsBeforeReport { .. })
        ));
        assert!(after_decision(actor, &case, start("permanent-ban", day(3), None), t(3)).is_ok());
        case.decision = Some(decided("warning"));
        assert!(matches!(
            after_decision(
                actor,
                &case,
                start("temporary-ban", day(3), Some(day(900))),
                t(3)
            ),
            Err(RuleError::HarsherThanDecided { .. })
        ));
        assert!(after_decision(actor, &case, start("correction", day(3), None), t(3)).is_ok());
    }
}
