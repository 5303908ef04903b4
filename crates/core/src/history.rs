//! Who could have written each part of the history. The signed history is a chain of
//! commits, each by one member; replaying the committee-wide events commit by commit gives the
//! roster, the extra recipients and the rules as they stood at every point, and so decides
//! whether a commit's author was allowed to make its changes then. Nothing here checks a
//! signature or a hash (that is the vault's); this is the committee's rule about authority.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::case::{CaseId, Readers};
use super::event::{Event, EventKind};
use super::process::Settings;
use super::roster::{Member, MemberId, Role, Roster};

/// Why a commit, or a committee-wide change in it, is not applied. Only [`Unauthorized::BadStart`]
/// refuses a file (it is not this committee's history); everything else is kept in the
/// history, not applied, and shown (see [`super::engine`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Unauthorized {
    /// The history does not start as `init` starts it.
    #[error("the history does not start with the file's creation by its founder: {0}")]
    BadStart(String),
    /// The signer was never on the roster (at that point).
    #[error("signed by {key}, which was not a member's key at that point")]
    NotAMember {
        /// The signing key.
        key: String,
    },
    /// The signer had been removed.
    #[error("signed by {name}, who had been removed from the committee on {removed}")]
    Removed {
        /// The member.
        name: String,
        /// When they were removed.
        removed: String,
    },
    /// An event inside a commit names another author than the commit's signer.
    #[error("signed by {signer} but attributed to someone else")]
    ForeignEvent {
        /// The signer.
        signer: String,
    },
    /// A roster or rules change by a member who was not a chair.
    #[error("{name} changed {what} without being a chair at that point")]
    NotChair {
        /// The member.
        name: String,
        /// What they changed.
        what: &'static str,
    },
    /// A chair acting while a motion to remove or demote them was pending.
    #[error("{name} changed {what} while a motion to remove or demote them was pending")]
    UnderMotion {
        /// The member.
        name: String,
        /// What they changed.
        what: &'static str,
    },
    /// A key another member held before.
    #[error("it gives {name} a key that was another member's")]
    KeyReused {
        /// Who was given it.
        name: String,
    },
    /// A chair replacing the key of a member who reads a sealed case the chair was kept out of.
    #[error(
        "{name} replaced the key of {member}, who reads a sealed case {name} is kept out of \
         (only {member} replaces their own key)"
    )]
    KeptOut {
        /// The chair.
        name: String,
        /// The reader.
        member: String,
    },
    /// A roster event that makes no sense at that point (an unknown member, a duplicate).
    #[error("it changes the roster impossibly: {0}")]
    Impossible(String),
}

/// A removal or a change of role that one chair may not make alone: removing or demoting
/// another chair, or leaving the committee without a chair. It takes effect when a majority of
/// the active members approved it ([`EventKind::Approved`]), each approval judged in its own
/// causal past. Nobody wins a duel of chairs alone (see `shared/AUTHORITY.md`, R5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Motion {
    /// The change proposed (a `member-removed` or `member-role-changed` event).
    pub change: Event,
    /// The members who approved it, its proposer first.
    pub approvals: BTreeSet<MemberId>,
}

impl Motion {
    /// The member the motion is about.
    pub fn target(&self) -> Option<MemberId> {
        match &self.change.kind {
            EventKind::MemberRemoved { member, .. }
            | EventKind::MemberRoleChanged { member, .. } => Some(*member),
            _ => None,
        }
    }
}

/// What an applied committee-wide change took from a member: their place on the committee, the
/// chair's role, or the key they signed with. A change the member signed on another copy at
/// the same time is then not applied (removed, demoted: "strong remove") or flagged (key).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Loss {
    /// Removed from the committee.
    Removed,
    /// A chair made an ordinary member.
    Demoted,
    /// Their key was replaced.
    KeyReplaced,
}

/// How a roster change may be made by the chair who makes it.
enum Way {
    /// At once.
    Direct,
    /// As a motion a majority approves.
    Motion,
}

/// The committee as it stood at a point of the history: replayed from committee-wide events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Committee {
    #[serde(rename = "members")]
    roster: Roster,
    extra_recipients: Vec<(String, DateTime<Utc>)>,
    settings: Settings,
    /// Roster changes waiting for a majority, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    motions: Vec<Motion>,
    /// Every key each member has held: a key once used is never given to another member.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    keys: Vec<(MemberId, String)>,
    /// Who reads each sealed case and who was kept out of it, from the `case-sealed` events
    /// every copy holds in plaintext (a copy the case is sealed from too): a chair kept out of
    /// a case does not take its readers off the committee, or replace their keys, alone.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    sealed: BTreeMap<CaseId, Readers>,
    /// The message templates chairs set, by audience and step (see [`super::comms::key`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    templates: BTreeMap<String, String>,
    /// Who must be told of a sanction in each kind of space (lower case), as chairs set it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    spaces: BTreeMap<String, Vec<String>>,
    /// Replaying copies merged together (see [`Committee::merging`]).
    #[serde(skip)]
    merging: bool,
}

impl Committee {
    fn empty() -> Committee {
        Committee {
            roster: Roster::default(),
            extra_recipients: Vec::new(),
            settings: Settings::default(),
            motions: Vec::new(),
            keys: Vec::new(),
            sealed: BTreeMap::new(),
            templates: BTreeMap::new(),
            spaces: BTreeMap::new(),
            merging: false,
        }
    }

    /// Replay roster changes of copies merged together (`true`), or of one history (`false`,
    /// as its authors made it). Merged, a chair's proposal to remove or demote another chair is
    /// not held for a motion against them made at the same time on another copy: two chairs
    /// proposing each other's removal at once both wait for a majority, whichever claims the
    /// earlier time. (A proposal made after seeing the motion against its author is held.)
    pub fn merging(&mut self, merging: bool) {
        self.merging = merging;
    }

    /// The committee made by the history's first two events, which `init` writes: the file's
    /// creation and its founder joining as chair, signed by the founder's `key`. The rest of
    /// the first commit is the caller's to [`Committee::step`].
    pub fn founded(key: &str, events: &[Event]) -> Result<Committee, Unauthorized> {
        let bad = |why: &str| Unauthorized::BadStart(why.to_string());
        let (created, rest) = events.split_first().ok_or_else(|| bad("it is empty"))?;
        if created.kind != EventKind::FileCreated {
            return Err(bad("its first event is not the file's creation"));
        }
        let Some(EventKind::MemberAdded {
            member,
            role: Role::Chair,
            recipient,
            email,
            ..
        }) = rest.first().map(|e| &e.kind)
        else {
            return Err(bad("the founder does not join as chair"));
        };
        if recipient != key || *member != created.author || rest[0].author != created.author {
            return Err(bad("it is not signed by the founder"));
        }
        let mut committee = Committee::empty();
        committee
            .check_email(email.as_deref(), *member)
            .map_err(|e| bad(&e.to_string()))?;
        committee.apply_unchecked(&rest[0]);
        Ok(committee)
    }

    /// The committee of a history written before casebook signed it, adopted by `author`
    /// (whose key is `key`) with one signed commit: its committee-wide events are replayed as
    /// they are, and the adopter must be an active chair at the end of them.
    pub fn adopted(
        author: MemberId,
        key: &str,
        events: &[Event],
    ) -> Result<Committee, Unauthorized> {
        if events.first().map(|e| &e.kind) != Some(&EventKind::FileCreated) {
            return Err(Unauthorized::BadStart(
                "its first event is not the file's creation".into(),
            ));
        }
        let committee = Committee::replayed(events);
        let adopter = committee
            .admit(author, key)
            .map_err(|e| Unauthorized::BadStart(e.to_string()))?;
        if adopter.role != Role::Chair {
            return Err(Unauthorized::BadStart(format!(
                "{} adopted it without being a chair",
                adopter.name
            )));
        }
        Ok(committee)
    }

    /// The committee that committee-wide `events` describe, taken as they are (a history
    /// nobody signed: see [`Committee::adopted`]).
    pub fn replayed(events: &[Event]) -> Committee {
        let mut committee = Committee::empty();
        for event in events {
            committee.apply_unchecked(event);
        }
        committee
    }

    /// Check that the member holding `key` could make a commit now, then judge and apply each
    /// of its committee-wide `events` (case events change nothing here). Gives, for each event
    /// not applied, why.
    pub fn apply(
        &mut self,
        author: MemberId,
        key: &str,
        events: &[Event],
    ) -> Result<Vec<(Uuid, Unauthorized)>, Unauthorized> {
        self.admit(author, key)?;
        Ok(events
            .iter()
            .filter_map(|event| self.step(author, event).err().map(|why| (event.id, why)))
            .collect())
    }

    /// Judge one committee-wide event of a commit by `author` (already admitted) and apply it
    /// when the rules allow it: the event must be theirs, and a change they could make at this
    /// point. Gives what the change took from a member, if anything.
    pub fn step(
        &mut self,
        author: MemberId,
        event: &Event,
    ) -> Result<Option<(MemberId, Loss)>, Unauthorized> {
        // Of a case's events, only who reads it concerns the committee; whether the rules
        // allow the change is the case's to judge (see `core::rules`).
        if event.case.is_some() {
            if event.author == author {
                self.fold_sealing(event);
            }
            return Ok(None);
        }
        let way = self.judge(author, event)?;
        if let Way::Motion = way {
            self.motions.push(Motion {
                change: event.clone(),
                approvals: BTreeSet::from([author]),
            });
            return Ok(self.settle_motions(event));
        }
        if let EventKind::Approved { event: approved } = &event.kind {
            if let Some(motion) = self.motions.iter_mut().find(|m| m.change.id == *approved) {
                motion.approvals.insert(author);
            }
            return Ok(self.settle_motions(event));
        }
        if let EventKind::Withdrawn { event: withdrawn } = &event.kind {
            self.motions.retain(|m| m.change.id != *withdrawn);
            return Ok(None);
        }
        Ok(self.apply_change(event, event.at))
    }

    /// Follow who reads a sealed case: `event` is one of the case's (any other changes
    /// nothing). A sealing whose author could not read the case changes nothing either.
    fn fold_sealing(&mut self, event: &Event) {
        let Some(case) = event.case else { return };
        if !matches!(event.kind, EventKind::CaseSealed { .. }) {
            return;
        }
        if let Some(next) = Readers::after(self.sealed.get(&case), event) {
            self.sealed.insert(case, next);
        }
    }

    /// Whether `event` is one the committee follows: committee-wide, or a change of who reads
    /// a sealed case (see [`Committee::step`]). Every path that replays the committee feeds it
    /// exactly these.
    pub fn follows(event: &Event) -> bool {
        event.case.is_none() || matches!(event.kind, EventKind::CaseSealed { .. })
    }

    /// Whether `member` is kept out of the sealed case `case`, as every copy follows it.
    pub fn kept_out_of(&self, case: CaseId, member: MemberId) -> bool {
        self.sealed
            .get(&case)
            .is_some_and(|r| r.kept_out.contains(&member))
    }

    /// Whether `member` reads the sealed case `case`, as every copy follows it.
    pub fn reads(&self, case: CaseId, member: MemberId) -> bool {
        self.sealed
            .get(&case)
            .is_some_and(|r| r.readers.contains(&member))
    }

    /// Whether `member` reads a sealed case `chair` was kept out of (a chair kept out of a
    /// case must not be able to take its readers away alone: the report may be about them).
    fn kept_out_from_reader(&self, chair: MemberId, member: MemberId) -> bool {
        self.sealed
            .values()
            .any(|r| r.kept_out.contains(&chair) && r.readers.contains(&member))
    }

    /// Whether `author` could make `event` now: `Err` with why when not, else how it takes
    /// effect. Changes nothing.
    fn judge(&self, author: MemberId, event: &Event) -> Result<Way, Unauthorized> {
        let Some(by) = self.get(author).cloned() else {
            return Err(Unauthorized::NotAMember {
                key: author.to_string(),
            });
        };
        if event.author != author {
            return Err(Unauthorized::ForeignEvent { signer: by.name });
        }
        if event.case.is_some() {
            return Ok(Way::Direct);
        }
        self.authorise(&by, event)
    }

    /// Whether `author` could make the committee-wide change `event` now (the check every
    /// copy's replay makes, made before it is written).
    pub fn allows(&self, author: MemberId, event: &Event) -> Result<(), Unauthorized> {
        self.judge(author, event).map(|_| ())
    }

    /// Whether `event`, were it applied now, would be a motion waiting for a majority.
    pub fn needs_motion(&self, author: MemberId, event: &Event) -> bool {
        matches!(self.judge(author, event), Ok(Way::Motion))
    }

    /// Apply the motions a majority of the active members approved (after `event`, the last
    /// proposal or approval); drop those that can no longer apply.
    fn settle_motions(&mut self, event: &Event) -> Option<(MemberId, Loss)> {
        let mut lost = None;
        loop {
            let active: BTreeSet<MemberId> = self
                .roster
                .members()
                .iter()
                .filter(|m| m.is_active())
                .map(|m| m.id)
                .collect();
            let passed = self
                .motions
                .iter()
                .position(|m| m.approvals.intersection(&active).count() * 2 > active.len());
            let Some(index) = passed else { break };
            let motion = self.motions.remove(index);
            if self.still_applies(&motion.change) {
                lost = self.apply_change(&motion.change, event.at).or(lost);
            }
        }
        // A motion about a member who left, or who no longer has the role, is moot.
        let motions = std::mem::take(&mut self.motions);
        let keep: Vec<Motion> = motions
            .into_iter()
            .filter(|m| {
                let change = &m.change;
                matches!(
                    change.kind,
                    EventKind::MemberRemoved { .. } | EventKind::MemberRoleChanged { .. }
                ) && self.still_applies(change)
            })
            .collect();
        self.motions = keep;
        lost
    }

    /// Whether a proposed removal or change of role still changes something.
    fn still_applies(&self, change: &Event) -> bool {
        match &change.kind {
            EventKind::MemberRemoved { member, .. } => {
                self.get(*member).is_some_and(|m| m.is_active())
                    && self
                        .roster
                        .members()
                        .iter()
                        .filter(|m| m.is_active())
                        .count()
                        > 1
            }
            EventKind::MemberRoleChanged { member, role } => self
                .get(*member)
                .is_some_and(|m| m.is_active() && m.role != *role),
            _ => false,
        }
    }

    /// The active member who holds `key` and is `author`: who may sign a commit now.
    pub fn admit(&self, author: MemberId, key: &str) -> Result<&Member, Unauthorized> {
        let Some(member) = self.roster.members().iter().find(|m| m.id == author) else {
            return Err(Unauthorized::NotAMember {
                key: key.to_string(),
            });
        };
        if member.recipient != key {
            return Err(Unauthorized::NotAMember {
                key: key.to_string(),
            });
        }
        if let Some(removed) = member.removed_at {
            return Err(Unauthorized::Removed {
                name: member.name.clone(),
                removed: removed.format("%Y-%m-%d").to_string(),
            });
        }
        Ok(member)
    }

    /// The pending motions, oldest first.
    pub fn motions(&self) -> &[Motion] {
        &self.motions
    }

    fn authorise(&self, by: &Member, event: &Event) -> Result<Way, Unauthorized> {
        if let Some(removed) = by.removed_at {
            return Err(Unauthorized::Removed {
                name: by.name.clone(),
                removed: removed.format("%Y-%m-%d").to_string(),
            });
        }
        let chairs: Vec<&Member> = self
            .members()
            .iter()
            .filter(|m| m.is_active() && m.role == Role::Chair)
            .collect();
        let chair = |what: &'static str| -> Result<Way, Unauthorized> {
            if by.role != Role::Chair {
                return Err(Unauthorized::NotChair {
                    name: by.name.clone(),
                    what,
                });
            }
            let proposal = matches!(
                event.kind,
                EventKind::MemberRemoved { .. } | EventKind::MemberRoleChanged { .. }
            );
            if !(self.merging && proposal) && self.motions.iter().any(|m| m.target() == Some(by.id))
            {
                return Err(Unauthorized::UnderMotion {
                    name: by.name.clone(),
                    what,
                });
            }
            Ok(Way::Direct)
        };
        let impossible = |why: String| Err(Unauthorized::Impossible(why));
        let reused = |member: MemberId, recipient: &str, name: &str| {
            if self
                .keys
                .iter()
                .any(|(holder, key)| *holder != member && key == recipient)
                || self
                    .members()
                    .iter()
                    .any(|m| m.id != member && m.recipient == recipient)
            {
                Err(Unauthorized::KeyReused {
                    name: name.to_string(),
                })
            } else {
                Ok(())
            }
        };
        match &event.kind {
            EventKind::FileCreated => impossible("the file is created twice".into()),
            EventKind::MemberAdded {
                member,
                recipient,
                email,
                name,
                ..
            } => {
                chair("the roster")?;
                if self.get(*member).is_some() {
                    return impossible("a member is added twice".into());
                }
                reused(*member, recipient, name)?;
                self.check_email(email.as_deref(), *member)?;
                Ok(Way::Direct)
            }
            EventKind::MemberRemoved { member, .. } => {
                chair("the roster")?;
                let Some(target) = self.get(*member).filter(|m| m.is_active()) else {
                    return impossible("a member who is not active is removed".into());
                };
                if self
                    .roster
                    .members()
                    .iter()
                    .filter(|m| m.is_active())
                    .count()
                    < 2
                {
                    return impossible("the last member is removed".into());
                }
                let chairs_left = chairs.iter().filter(|c| c.id != target.id).count();
                if target.role == Role::Chair && (target.id != by.id || chairs_left == 0) {
                    return Ok(Way::Motion);
                }
                // A chair kept out of a case takes none of its readers away alone.
                if target.id != by.id && self.kept_out_from_reader(by.id, target.id) {
                    return Ok(Way::Motion);
                }
                Ok(Way::Direct)
            }
            // Members rotate their own keys.
            EventKind::MemberKeyChanged { member, recipient } => {
                if *member != by.id {
                    chair("another member's key")?;
                }
                let Some(target) = self.get(*member).filter(|m| m.is_active()) else {
                    return impossible("a member who is not active changes key".into());
                };
                if *member != by.id && self.kept_out_from_reader(by.id, *member) {
                    return Err(Unauthorized::KeptOut {
                        name: by.name.clone(),
                        member: target.name.clone(),
                    });
                }
                reused(*member, recipient, &target.name)?;
                Ok(Way::Direct)
            }
            EventKind::MemberRoleChanged { member, role } => {
                let Some(target) = self.get(*member).filter(|m| m.is_active()) else {
                    return impossible("a member who is not active changes role".into());
                };
                if target.role == *role {
                    return impossible(format!("{} already has that role", target.name));
                }
                // A committee left without a chair makes one by a majority.
                if chairs.is_empty() && *role == Role::Chair {
                    return Ok(Way::Motion);
                }
                chair("the roster")?;
                let chairs_left = chairs.iter().filter(|c| c.id != target.id).count();
                if *role != Role::Chair && (target.id != by.id || chairs_left == 0) {
                    return Ok(Way::Motion);
                }
                Ok(Way::Direct)
            }
            EventKind::MemberRejoined { member, recipient } => {
                chair("the roster")?;
                let Some(target) = self.get(*member).filter(|m| !m.is_active()) else {
                    return impossible("a member who was not removed rejoins".into());
                };
                reused(*member, recipient, &target.name)?;
                Ok(Way::Direct)
            }
            // Addresses are principals of signatures: only chairs record them.
            EventKind::MemberEmailChanged { member, email } => {
                chair("a member's contact address")?;
                match self.get(*member) {
                    Some(_) => self
                        .check_email(email.as_deref(), *member)
                        .map(|_| Way::Direct),
                    None => impossible("an unknown member's address is changed".into()),
                }
            }
            EventKind::RecipientAdded { .. } => chair("the file's recipients"),
            // What needs attention on the roster is resolved by a chair.
            EventKind::AttentionResolved { .. } => chair("what needs attention on the roster"),
            EventKind::SettingsChanged { .. } => chair("the committee's rules"),
            EventKind::SpaceSet { space, tell } => {
                chair("the committee's checklist for sanctions")?;
                if space.trim().is_empty() || tell.iter().any(|t| t.trim().is_empty()) {
                    impossible("a space or someone on its checklist has no name".into())
                } else {
                    Ok(Way::Direct)
                }
            }
            EventKind::TemplateSet { to, text, .. } => {
                chair("the committee's message templates")?;
                match super::comms::check(*to, text) {
                    Ok(()) => Ok(Way::Direct),
                    Err(names) => impossible(format!(
                        "the template names {} that a message to {} may not show",
                        names
                            .iter()
                            .map(|n| format!("{{{n}}}"))
                            .collect::<Vec<_>>()
                            .join(", "),
                        super::comms::words(*to)
                    )),
                }
            }
            EventKind::Approved { event: motion } => {
                if self.motions.iter().any(|m| m.change.id == *motion) {
                    Ok(Way::Direct)
                } else {
                    impossible("it approves a motion that is not pending".into())
                }
            }
            EventKind::Withdrawn { event: motion } => {
                match self.motions.iter().find(|m| m.change.id == *motion) {
                    Some(m) if m.change.author == by.id => Ok(Way::Direct),
                    Some(_) => impossible("only its proposer withdraws a motion".into()),
                    None => impossible("it withdraws a motion that is not pending".into()),
                }
            }
            _ => Ok(Way::Direct),
        }
    }

    /// An address must be plain and no other member's.
    fn check_email(&self, email: Option<&str>, member: MemberId) -> Result<(), Unauthorized> {
        let Some(email) = email else { return Ok(()) };
        if !super::roster::valid_email(email) {
            return Err(Unauthorized::Impossible(format!(
                "{email:?} is not a plain email address"
            )));
        }
        if self.roster.members().iter().any(|m| {
            m.id != member
                && m.email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(email))
        }) {
            return Err(Unauthorized::Impossible(format!(
                "{email} is given to two members"
            )));
        }
        Ok(())
    }

    /// Apply an allowed change, taking effect `at` (a motion's when it passed); gives what it
    /// took from a member.
    fn apply_change(&mut self, event: &Event, at: DateTime<Utc>) -> Option<(MemberId, Loss)> {
        let lost = match &event.kind {
            EventKind::MemberRemoved { member, .. } => Some((*member, Loss::Removed)),
            EventKind::MemberRoleChanged {
                member,
                role: Role::Member,
            } => Some((*member, Loss::Demoted)),
            EventKind::MemberKeyChanged { member, .. } => Some((*member, Loss::KeyReplaced)),
            _ => None,
        };
        let mut effective = event.clone();
        effective.at = at;
        self.apply_unchecked(&effective);
        lost
    }

    /// Apply a committee-wide event, or follow who reads a sealed case.
    fn apply_unchecked(&mut self, event: &Event) {
        if event.case.is_some() {
            self.fold_sealing(event);
            return;
        }
        match &event.kind {
            EventKind::MemberAdded {
                member,
                name,
                role,
                recipient,
                email,
            } => {
                self.roster.members_mut().push(Member {
                    id: *member,
                    name: name.clone(),
                    email: email.clone(),
                    role: *role,
                    recipient: recipient.clone(),
                    added_at: event.at,
                    removed_at: None,
                });
                self.keys.push((*member, recipient.clone()));
            }
            EventKind::MemberRemoved { member, .. } => {
                if let Some(m) = self
                    .roster
                    .members_mut()
                    .iter_mut()
                    .find(|m| m.id == *member)
                {
                    m.removed_at = Some(event.at);
                }
            }
            EventKind::MemberKeyChanged { member, recipient } => {
                if let Some(m) = self
                    .roster
                    .members_mut()
                    .iter_mut()
                    .find(|m| m.id == *member)
                {
                    m.recipient = recipient.clone();
                }
                self.keys.push((*member, recipient.clone()));
            }
            EventKind::MemberEmailChanged { member, email } => {
                if let Some(m) = self
                    .roster
                    .members_mut()
                    .iter_mut()
                    .find(|m| m.id == *member)
                {
                    m.email = email.clone();
                }
            }
            EventKind::MemberRoleChanged { member, role } => {
                if let Some(m) = self
                    .roster
                    .members_mut()
                    .iter_mut()
                    .find(|m| m.id == *member)
                {
                    m.role = *role;
                }
            }
            EventKind::MemberRejoined { member, recipient } => {
                if let Some(m) = self
                    .roster
                    .members_mut()
                    .iter_mut()
                    .find(|m| m.id == *member)
                {
                    m.recipient = recipient.clone();
                    m.removed_at = None;
                }
                self.keys.push((*member, recipient.clone()));
            }
            EventKind::SpaceSet { space, tell } => {
                let space = space.trim().to_lowercase();
                if tell.is_empty() {
                    self.spaces.remove(&space);
                } else {
                    self.spaces.insert(space, tell.clone());
                }
            }
            EventKind::TemplateSet { to, step, text } => {
                let key = super::comms::key(*to, *step);
                if text.trim().is_empty() {
                    self.templates.remove(&key);
                } else {
                    self.templates.insert(key, text.clone());
                }
            }
            EventKind::RecipientAdded { recipient }
                if !self.extra_recipients.iter().any(|(r, _)| r == recipient) =>
            {
                self.extra_recipients.push((recipient.clone(), event.at));
            }
            EventKind::SettingsChanged {
                ladder,
                quorum,
                acknowledge_hours,
                decide_days,
                appeal_days,
                notice_days,
                update_days,
                grounds,
                retention,
            } => {
                self.settings = Settings {
                    ladder: *ladder,
                    quorum: *quorum,
                    acknowledge_hours: *acknowledge_hours,
                    decide_days: *decide_days,
                    appeal_days: *appeal_days,
                    notice_days: *notice_days,
                    update_days: *update_days,
                    grounds: *grounds,
                    retention: retention.clone(),
                }
            }
            _ => {}
        }
    }

    /// The committee's template for messages to `to` at `step`: the one a chair set, or
    /// casebook's.
    pub fn template(&self, to: super::event::Audience, step: super::comms::Step) -> String {
        self.templates
            .get(&super::comms::key(to, step))
            .cloned()
            .unwrap_or_else(|| super::comms::default_template(to, step).to_string())
    }

    /// Who must be told of a sanction in each kind of space, as chairs set it (space in
    /// lower case).
    pub fn spaces(&self) -> &BTreeMap<String, Vec<String>> {
        &self.spaces
    }

    /// Whether a chair set the template for `to` at `step` (else it is casebook's).
    pub fn template_set(&self, to: super::event::Audience, step: super::comms::Step) -> bool {
        self.templates.contains_key(&super::comms::key(to, step))
    }

    /// The member with this id, active or not.
    pub fn get(&self, id: MemberId) -> Option<&Member> {
        self.roster.members().iter().find(|m| m.id == id)
    }

    /// The roster at this point.
    pub fn roster(&self) -> &Roster {
        &self.roster
    }

    /// The members, in the order they joined.
    pub fn members(&self) -> &[Member] {
        self.roster.members()
    }

    /// Recipients that are not members, with when they were added.
    pub fn extra_recipients(&self) -> &[(String, DateTime<Utc>)] {
        &self.extra_recipients
    }

    /// The rules at this point.
    pub fn settings(&self) -> Settings {
        self.settings.clone()
    }

    /// The rules at this point, borrowed.
    pub fn rules(&self) -> &Settings {
        &self.settings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use uuid::Uuid;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
    }

    fn event(author: MemberId, kind: EventKind) -> Event {
        Event {
            id: Uuid::new_v4(),
            case: None,
            author,
            at: at(),
            amends: None,
            kind,
        }
    }

    fn added(id: MemberId, name: &str, role: Role, key: &str) -> EventKind {
        EventKind::MemberAdded {
            member: id,
            name: name.into(),
            role,
            recipient: key.into(),
            email: None,
        }
    }

    fn founded() -> (Committee, MemberId) {
        let robin = MemberId(Uuid::new_v4());
        let start = [
            event(robin, EventKind::FileCreated),
            event(robin, added(robin, "Robin", Role::Chair, "key-r")),
        ];
        (Committee::founded("key-r", &start).unwrap(), robin)
    }

    /// Apply `kind` by `who` (signing with `key`); the reason it is not applied, if it is not.
    fn by(committee: &mut Committee, who: MemberId, key: &str, kind: EventKind) -> Option<String> {
        let event = event(who, kind);
        match committee.apply(who, key, std::slice::from_ref(&event)) {
            Err(e) => Some(e.to_string()),
            Ok(held) => held.first().map(|(_, why)| why.to_string()),
        }
    }

    fn role(member: MemberId, role: Role) -> EventKind {
        EventKind::MemberRoleChanged { member, role }
    }

    fn removal(member: MemberId) -> EventKind {
        EventKind::MemberRemoved {
            member,
            reason: None,
        }
    }

    fn is_chair(committee: &Committee, id: MemberId) -> bool {
        committee
            .get(id)
            .is_some_and(|m| m.role == Role::Chair && m.is_active())
    }

    /// A committee of Robin (chair), Sam (chair), Mei and Bo.
    fn four() -> (Committee, [MemberId; 4]) {
        let (mut committee, robin) = founded();
        let [sam, mei, bo] = [(); 3].map(|_| MemberId(Uuid::new_v4()));
        for (id, name, role, key) in [
            (sam, "Sam", Role::Chair, "key-s"),
            (mei, "Mei", Role::Member, "key-m"),
            (bo, "Bo", Role::Member, "key-b"),
        ] {
            assert_eq!(
                by(&mut committee, robin, "key-r", added(id, name, role, key)),
                None
            );
        }
        (committee, [robin, sam, mei, bo])
    }

    /// Robin keeps Sam out of a case Mei and Bo read.
    fn sealed_from_sam(committee: &mut Committee, [robin, sam, mei, bo]: [MemberId; 4]) {
        let sealing = Event {
            case: Some(super::super::case::CaseId(Uuid::new_v4())),
            ..event(
                robin,
                EventKind::CaseSealed {
                    access: super::super::event::Access::Excluded {
                        members: BTreeSet::from([sam]),
                        why: Some(super::super::event::ExcludeWhy::Party),
                        why_sealed: None,
                    },
                    readers: BTreeSet::from([robin, mei, bo]),
                    recipient: "age1case".into(),
                    keys: String::new(),
                },
            )
        };
        assert_eq!(committee.apply(robin, "key-r", &[sealing]).unwrap(), vec![]);
    }

    #[test]
    fn a_chair_kept_out_of_a_case_removes_its_readers_only_by_a_majority() {
        let (mut committee, ids) = four();
        let [robin, sam, mei, bo] = ids;
        sealed_from_sam(&mut committee, ids);
        assert!(committee.needs_motion(sam, &event(sam, removal(mei))));
        let rekey = EventKind::MemberKeyChanged {
            member: bo,
            recipient: "key-b2".into(),
        };
        let why = by(&mut committee, sam, "key-s", rekey).unwrap();
        assert!(
            why.contains("reads a sealed case Sam is kept out of"),
            "{why}"
        );
        // Robin, who reads it, removes Bo alone; Sam's own key is his to replace.
        assert!(!committee.needs_motion(robin, &event(robin, removal(bo))));
        let own = EventKind::MemberKeyChanged {
            member: sam,
            recipient: "key-s2".into(),
        };
        assert_eq!(by(&mut committee, sam, "key-s", own), None);
        // Given access again, Sam is a chair like any other.
        let mut back = committee.clone();
        let case = *back.sealed.keys().next().unwrap();
        let given = Event {
            case: Some(case),
            ..event(
                mei,
                EventKind::CaseSealed {
                    access: super::super::event::Access::Given { member: sam },
                    readers: BTreeSet::from([robin, mei, bo, sam]),
                    recipient: "age1case2".into(),
                    keys: String::new(),
                },
            )
        };
        back.apply(mei, "key-m", &[given]).unwrap();
        assert!(!back.needs_motion(sam, &event(sam, removal(mei))));
    }

    #[test]
    fn only_chairs_change_the_roster_and_removed_members_sign_nothing() {
        let (mut committee, [robin, _, mei, bo]) = four();
        let stranger = MemberId(Uuid::new_v4());
        let why = by(
            &mut committee,
            mei,
            "key-m",
            added(stranger, "X", Role::Chair, "key-x"),
        );
        assert!(why.unwrap().contains("without being a chair"));
        assert!(committee.get(stranger).is_none(), "not applied");
        // Mei may rotate her own key, not Bo's.
        let own = EventKind::MemberKeyChanged {
            member: mei,
            recipient: "key-m2".into(),
        };
        assert_eq!(by(&mut committee, mei, "key-m", own), None);
        let others = EventKind::MemberKeyChanged {
            member: bo,
            recipient: "key-b2".into(),
        };
        assert!(by(&mut committee, mei, "key-m2", others).is_some());
        assert_eq!(by(&mut committee, robin, "key-r", removal(bo)), None);
        let note = EventKind::NoteAdded {
            body: "after removal".into(),
            note: Default::default(),
        };
        let refused = by(&mut committee, bo, "key-b", note).unwrap();
        assert!(refused.contains("had been removed"), "{refused}");
    }

    #[test]
    fn one_chair_cannot_remove_or_demote_another_alone_a_majority_can() {
        let (mut committee, [robin, sam, mei, bo]) = four();
        // Robin proposes to remove Sam: a motion, pending.
        assert_eq!(by(&mut committee, robin, "key-r", removal(sam)), None);
        assert!(is_chair(&committee, sam));
        let motion = committee.motions()[0].change.id;
        // While it is pending, Sam's chair acts are not applied (he cannot purge voters).
        let purge = by(&mut committee, sam, "key-s", removal(mei)).unwrap();
        assert!(purge.contains("motion"), "{purge}");
        assert!(committee.get(mei).unwrap().is_active());
        // Half is not a majority; a third approval passes it.
        let approve = EventKind::Approved { event: motion };
        assert_eq!(by(&mut committee, mei, "key-m", approve.clone()), None);
        assert!(committee.get(sam).unwrap().is_active());
        assert_eq!(by(&mut committee, bo, "key-b", approve), None);
        assert!(
            !committee.get(sam).unwrap().is_active(),
            "removed by a majority"
        );
        assert!(committee.motions().is_empty());
    }

    #[test]
    fn a_duel_of_two_chairs_changes_nothing_without_a_majority() {
        let (base, [robin, sam, ..]) = four();
        let mut one = base.clone();
        assert_eq!(by(&mut one, robin, "key-r", role(sam, Role::Member)), None);
        let mut two = base;
        assert_eq!(by(&mut two, sam, "key-s", removal(robin)), None);
        assert!(is_chair(&one, sam) && is_chair(&one, robin));
        assert!(is_chair(&two, sam) && is_chair(&two, robin));
    }

    #[test]
    fn the_last_chair_goes_only_by_a_majority_and_a_chairless_committee_elects_one() {
        let (mut committee, robin) = founded();
        let sam = MemberId(Uuid::new_v4());
        assert_eq!(
            by(
                &mut committee,
                robin,
                "key-r",
                added(sam, "Sam", Role::Member, "key-s")
            ),
            None
        );
        // Robin stepping down would leave no chair: it waits for a majority (2 of 2).
        assert_eq!(
            by(&mut committee, robin, "key-r", role(robin, Role::Member)),
            None
        );
        assert!(is_chair(&committee, robin));
        let motion = committee.motions()[0].change.id;
        assert_eq!(
            by(
                &mut committee,
                sam,
                "key-s",
                EventKind::Approved { event: motion }
            ),
            None
        );
        assert!(!is_chair(&committee, robin));
        // Chairless: anyone proposes a chair, a majority makes one.
        assert_eq!(
            by(&mut committee, sam, "key-s", role(sam, Role::Chair)),
            None
        );
        assert!(!is_chair(&committee, sam));
        let motion = committee.motions()[0].change.id;
        assert_eq!(
            by(
                &mut committee,
                robin,
                "key-r",
                EventKind::Approved { event: motion }
            ),
            None
        );
        assert!(is_chair(&committee, sam));
        // Sam cannot approve a motion twice, nor one that is not pending.
        let why = by(
            &mut committee,
            sam,
            "key-s",
            EventKind::Approved { event: motion },
        )
        .unwrap();
        assert!(why.contains("not pending"), "{why}");
    }

    #[test]
    fn a_key_once_held_is_never_given_to_another_member() {
        let (mut committee, [robin, _, mei, bo]) = four();
        assert_eq!(
            by(
                &mut committee,
                mei,
                "key-m",
                EventKind::MemberKeyChanged {
                    member: mei,
                    recipient: "key-m2".into()
                }
            ),
            None
        );
        let taken = EventKind::MemberKeyChanged {
            member: bo,
            recipient: "key-m".into(),
        };
        let why = by(&mut committee, bo, "key-b", taken).unwrap();
        assert!(why.contains("was another member's"), "{why}");
        let newcomer = MemberId(Uuid::new_v4());
        let why = by(
            &mut committee,
            robin,
            "key-r",
            added(newcomer, "Nia", Role::Member, "key-m"),
        )
        .unwrap();
        assert!(why.contains("was another member's"), "{why}");
    }

    #[test]
    fn addresses_are_recorded_by_chairs_plain_and_unique() {
        let (mut committee, robin) = founded();
        let sam = MemberId(Uuid::new_v4());
        let with_email = |email: &str| EventKind::MemberAdded {
            member: sam,
            name: "Sam".into(),
            role: Role::Member,
            recipient: "key-s".into(),
            email: Some(email.into()),
        };
        assert!(by(&mut committee, robin, "key-r", with_email("a@b,*")).is_some());
        assert_eq!(
            by(&mut committee, robin, "key-r", with_email("sam@x.org")),
            None
        );
        let change = |email: &str| EventKind::MemberEmailChanged {
            member: sam,
            email: Some(email.into()),
        };
        // Sam may not set his own address (it names his signatures), not even a plain one.
        assert!(by(&mut committee, sam, "key-s", change("robin@x.org")).is_some());
        let mei = MemberId(Uuid::new_v4());
        let second = EventKind::MemberAdded {
            member: mei,
            name: "Mei".into(),
            role: Role::Member,
            recipient: "key-m".into(),
            email: Some("SAM@x.org".into()),
        };
        assert!(by(&mut committee, robin, "key-r", second).is_some());
    }

    #[test]
    fn a_commit_cannot_carry_another_members_events_or_a_stranger_key() {
        let (mut committee, robin) = founded();
        let other = MemberId(Uuid::new_v4());
        let forged = event(other, EventKind::Rekeyed);
        let held = committee.apply(robin, "key-r", &[forged]).unwrap();
        assert!(held[0].1.to_string().contains("attributed to someone else"));
        assert!(matches!(
            committee.apply(robin, "key-x", &[event(robin, EventKind::Rekeyed)]),
            Err(Unauthorized::NotAMember { .. })
        ));
    }

    #[test]
    fn the_history_must_start_with_its_founder() {
        let robin = MemberId(Uuid::new_v4());
        let start = [
            event(robin, EventKind::FileCreated),
            event(robin, added(robin, "Robin", Role::Chair, "key-r")),
        ];
        assert!(matches!(
            Committee::founded("key-x", &start),
            Err(Unauthorized::BadStart(_))
        ));
        assert!(Committee::founded("key-r", &start[1..]).is_err());
    }
}
