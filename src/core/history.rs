//! Who could have written each part of the history. The signed history is a chain of
//! commits, each by one member; replaying the committee-wide events commit by commit gives the
//! roster, the extra recipients and the rules as they stood at every point, and so decides
//! whether a commit's author was allowed to make its changes then. Nothing here checks a
//! signature or a hash (that is the vault's); this is the committee's rule about authority.

use chrono::{DateTime, Utc};

use super::event::{Event, EventKind};
use super::process::Settings;
use super::roster::{Member, MemberId, Role, Roster};

/// Why a commit could not have been made by its author at that point of the history.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Unauthorized {
    /// The history does not start as `init` starts it.
    #[error("the history does not start with the file's creation by its founder: {0}")]
    BadStart(String),
    /// The signer was never on the roster (at that point).
    #[error("a commit is signed by {key}, which was not a member's key at that point")]
    NotAMember {
        /// The signing key.
        key: String,
    },
    /// The signer had been removed.
    #[error("a commit is signed by {name}, who had been removed from the committee on {removed}")]
    Removed {
        /// The member.
        name: String,
        /// When they were removed.
        removed: String,
    },
    /// An event inside a commit names another author than the commit's signer.
    #[error("a commit signed by {signer} contains an event attributed to someone else")]
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
    /// A roster event that makes no sense at that point (an unknown member, a duplicate).
    #[error("the history changes the roster impossibly: {0}")]
    Impossible(String),
}

/// The committee as it stood at a point of the history: replayed from committee-wide events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Committee {
    members: Vec<Member>,
    extra_recipients: Vec<(String, DateTime<Utc>)>,
    settings: Settings,
}

impl Committee {
    /// The committee made by the history's first commit, which `init` writes: the file's
    /// creation and its founder joining as chair, signed by the founder's `key`.
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
            ..
        }) = rest.first().map(|e| &e.kind)
        else {
            return Err(bad("the founder does not join as chair"));
        };
        if recipient != key || *member != created.author {
            return Err(bad("it is not signed by the founder"));
        }
        let mut committee = Committee {
            members: Vec::new(),
            extra_recipients: Vec::new(),
            settings: Settings::default(),
        };
        if let EventKind::MemberAdded { email, .. } = &rest[0].kind {
            committee.check_email(email.as_deref(), *member)?;
        }
        committee.apply_unchecked(&rest[0]);
        committee.apply(*member, key, &rest[1..])?;
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
        let adopter = committee.admit(author, key)?;
        if adopter.role != Role::Chair {
            return Err(Unauthorized::NotChair {
                name: adopter.name.clone(),
                what: "the history (only a chair adopts it)",
            });
        }
        Ok(committee)
    }

    /// The committee that committee-wide `events` describe, taken as they are (a history
    /// nobody signed: see [`Committee::adopted`]).
    pub fn replayed(events: &[Event]) -> Committee {
        let mut committee = Committee {
            members: Vec::new(),
            extra_recipients: Vec::new(),
            settings: Settings::default(),
        };
        for event in events {
            committee.apply_unchecked(event);
        }
        committee
    }

    /// Check that the member holding `key` could make the commit of `events` now, and apply
    /// its committee-wide events.
    pub fn apply(
        &mut self,
        author: MemberId,
        key: &str,
        events: &[Event],
    ) -> Result<(), Unauthorized> {
        self.admit(author, key)?;
        for event in events {
            self.apply_event(author, event)?;
        }
        Ok(())
    }

    /// Check and apply one event of a commit by `author` (already admitted): the event must
    /// be theirs, and a committee-wide change one they could make at this point.
    pub fn apply_event(&mut self, author: MemberId, event: &Event) -> Result<(), Unauthorized> {
        let Some(current) = self.get(author).cloned() else {
            return Err(Unauthorized::NotAMember {
                key: author.to_string(),
            });
        };
        if event.author != author {
            return Err(Unauthorized::ForeignEvent {
                signer: current.name,
            });
        }
        self.authorise(&current, event)?;
        self.apply_unchecked(event);
        Ok(())
    }

    /// Apply a removal its author could make in their own commit's past, where this committee
    /// (copies merged) may since have removed or demoted that author: removals win, so a
    /// removed chair cannot keep the file open to themselves by removing, on an older copy,
    /// whoever removed them. False when the member is not active here (nothing to do).
    pub fn apply_removal(&mut self, event: &Event) -> bool {
        let EventKind::MemberRemoved { member, .. } = &event.kind else {
            return false;
        };
        if self.get(*member).is_none_or(|m| m.removed_at.is_some()) {
            return false;
        }
        self.apply_unchecked(event);
        true
    }

    /// The active member who holds `key` and is `author`: who may sign a commit now.
    pub fn admit(&self, author: MemberId, key: &str) -> Result<&Member, Unauthorized> {
        let Some(member) = self.members.iter().find(|m| m.id == author) else {
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

    fn authorise(&self, by: &Member, event: &Event) -> Result<(), Unauthorized> {
        if by.removed_at.is_some() {
            return Err(Unauthorized::Removed {
                name: by.name.clone(),
                removed: by
                    .removed_at
                    .map(|r| r.format("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
            });
        }
        let chair = |what: &'static str| {
            if by.role == Role::Chair {
                Ok(())
            } else {
                Err(Unauthorized::NotChair {
                    name: by.name.clone(),
                    what,
                })
            }
        };
        let impossible = |why: String| Err(Unauthorized::Impossible(why));
        match &event.kind {
            EventKind::FileCreated => impossible("the file is created twice".into()),
            EventKind::MemberAdded {
                member,
                recipient,
                email,
                ..
            } => {
                chair("the roster")?;
                if self
                    .members
                    .iter()
                    .any(|m| m.id == *member || m.recipient == *recipient)
                {
                    return impossible("a member is added twice".into());
                }
                self.check_email(email.as_deref(), *member)
            }
            EventKind::MemberRemoved { member, .. } => {
                chair("the roster")?;
                match self.get(*member) {
                    Some(m) if m.removed_at.is_none() => Ok(()),
                    _ => impossible("a member who is not active is removed".into()),
                }
            }
            // Members rotate their own keys.
            EventKind::MemberKeyChanged { member, recipient } => {
                if *member != by.id {
                    return chair("another member's key");
                }
                if self.members.iter().any(|m| m.recipient == *recipient) {
                    return impossible("a key is given to two members".into());
                }
                Ok(())
            }
            EventKind::MemberRoleChanged { member, role } => {
                chair("the roster")?;
                let Some(target) = self.get(*member).filter(|m| m.removed_at.is_none()) else {
                    return impossible("a member who is not active changes role".into());
                };
                let chairs_left = self
                    .members
                    .iter()
                    .filter(|m| m.removed_at.is_none() && m.role == Role::Chair)
                    .filter(|m| m.id != target.id || *role == Role::Chair)
                    .count();
                if chairs_left == 0 {
                    return impossible("the last chair stops being one".into());
                }
                Ok(())
            }
            EventKind::MemberRejoined { member, recipient } => {
                chair("the roster")?;
                match self.get(*member) {
                    Some(m) if m.removed_at.is_some() => {}
                    _ => return impossible("a member who was not removed rejoins".into()),
                }
                if self
                    .members
                    .iter()
                    .any(|m| m.id != *member && m.recipient == *recipient)
                {
                    return impossible("a key is given to two members".into());
                }
                Ok(())
            }
            // Addresses are principals of signatures: only chairs record them.
            EventKind::MemberEmailChanged { member, email } => {
                chair("a member's contact address")?;
                match self.get(*member) {
                    Some(_) => self.check_email(email.as_deref(), *member),
                    None => impossible("an unknown member's address is changed".into()),
                }
            }
            EventKind::RecipientAdded { .. } => chair("the file's recipients"),
            EventKind::SettingsChanged { .. } => chair("the committee's rules"),
            _ => Ok(()),
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
        if self.members.iter().any(|m| {
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

    /// Apply a committee-wide event (case events change nothing here).
    fn apply_unchecked(&mut self, event: &Event) {
        match &event.kind {
            EventKind::MemberAdded {
                member,
                name,
                role,
                recipient,
                email,
            } => self.members.push(Member {
                id: *member,
                name: name.clone(),
                email: email.clone(),
                role: *role,
                recipient: recipient.clone(),
                added_at: event.at,
                removed_at: None,
            }),
            EventKind::MemberRemoved { member, .. } => {
                if let Some(m) = self.members.iter_mut().find(|m| m.id == *member) {
                    m.removed_at = Some(event.at);
                }
            }
            EventKind::MemberKeyChanged { member, recipient } => {
                if let Some(m) = self.members.iter_mut().find(|m| m.id == *member) {
                    m.recipient = recipient.clone();
                }
            }
            EventKind::MemberEmailChanged { member, email } => {
                if let Some(m) = self.members.iter_mut().find(|m| m.id == *member) {
                    m.email = email.clone();
                }
            }
            EventKind::MemberRoleChanged { member, role } => {
                if let Some(m) = self.members.iter_mut().find(|m| m.id == *member) {
                    m.role = *role;
                }
            }
            EventKind::MemberRejoined { member, recipient } => {
                if let Some(m) = self.members.iter_mut().find(|m| m.id == *member) {
                    m.recipient = recipient.clone();
                    m.removed_at = None;
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
            } => {
                self.settings = Settings {
                    ladder: *ladder,
                    quorum: *quorum,
                    acknowledge_hours: *acknowledge_hours,
                    decide_days: *decide_days,
                }
            }
            _ => {}
        }
    }

    fn get(&self, id: MemberId) -> Option<&Member> {
        self.members.iter().find(|m| m.id == id)
    }

    /// The roster at this point.
    pub fn roster(&self) -> Roster {
        Roster::new(self.members.clone())
    }

    /// The members, in the order they joined.
    pub fn members(&self) -> &[Member] {
        &self.members
    }

    /// Recipients that are not members, with when they were added.
    pub fn extra_recipients(&self) -> &[(String, DateTime<Utc>)] {
        &self.extra_recipients
    }

    /// The rules at this point.
    pub fn settings(&self) -> Settings {
        self.settings
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

    #[test]
    fn roles_change_by_a_chair_and_a_committee_keeps_one_and_removed_members_rejoin() {
        let (mut committee, robin) = founded();
        let sam = MemberId(Uuid::new_v4());
        committee
            .apply(
                robin,
                "key-r",
                &[event(robin, added(sam, "Sam", Role::Member, "key-s"))],
            )
            .unwrap();
        let role = |member, role| EventKind::MemberRoleChanged { member, role };
        // Sam cannot make himself chair; Robin cannot stop being the only chair.
        assert!(matches!(
            committee
                .clone()
                .apply(sam, "key-s", &[event(sam, role(sam, Role::Chair))]),
            Err(Unauthorized::NotChair { .. })
        ));
        assert!(matches!(
            committee
                .clone()
                .apply(robin, "key-r", &[event(robin, role(robin, Role::Member))]),
            Err(Unauthorized::Impossible(_))
        ));
        committee
            .apply(robin, "key-r", &[event(robin, role(sam, Role::Chair))])
            .unwrap();
        committee
            .apply(sam, "key-s", &[event(sam, role(robin, Role::Member))])
            .unwrap();
        assert_eq!(committee.roster().members()[0].role, Role::Member);
        // Sam removes Robin; Robin rejoins (with a new key) only through a chair.
        let removal = EventKind::MemberRemoved {
            member: robin,
            reason: None,
        };
        committee
            .apply(sam, "key-s", &[event(sam, removal)])
            .unwrap();
        let rejoin = EventKind::MemberRejoined {
            member: robin,
            recipient: "key-r2".into(),
        };
        assert!(matches!(
            committee
                .clone()
                .apply(robin, "key-r", &[event(robin, rejoin.clone())]),
            Err(Unauthorized::Removed { .. })
        ));
        committee
            .apply(sam, "key-s", &[event(sam, rejoin.clone())])
            .unwrap();
        committee.admit(robin, "key-r2").unwrap();
        assert!(matches!(
            committee.clone().apply(sam, "key-s", &[event(sam, rejoin)]),
            Err(Unauthorized::Impossible(_))
        ));
    }

    #[test]
    fn only_chairs_change_the_roster_and_removed_members_sign_nothing() {
        let (mut committee, robin) = founded();
        let sam = MemberId(Uuid::new_v4());
        committee
            .apply(
                robin,
                "key-r",
                &[event(robin, added(sam, "Sam", Role::Member, "key-s"))],
            )
            .unwrap();
        let mei = MemberId(Uuid::new_v4());
        let by_sam = [event(sam, added(mei, "Mei", Role::Chair, "key-m"))];
        assert!(matches!(
            committee.clone().apply(sam, "key-s", &by_sam),
            Err(Unauthorized::NotChair { .. })
        ));
        // Sam may rotate his own key, not Robin's.
        let own = [event(
            sam,
            EventKind::MemberKeyChanged {
                member: sam,
                recipient: "key-s2".into(),
            },
        )];
        committee.clone().apply(sam, "key-s", &own).unwrap();
        let removal = [event(
            robin,
            EventKind::MemberRemoved {
                member: sam,
                reason: None,
            },
        )];
        committee.apply(robin, "key-r", &removal).unwrap();
        let note = [event(
            sam,
            EventKind::NoteAdded {
                body: "after removal".into(),
                note: Default::default(),
            },
        )];
        assert!(matches!(
            committee.apply(sam, "key-s", &note),
            Err(Unauthorized::Removed { .. })
        ));
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
        assert!(
            committee
                .clone()
                .apply(robin, "key-r", &[event(robin, with_email("a@b,*"))])
                .is_err()
        );
        committee
            .apply(robin, "key-r", &[event(robin, with_email("sam@x.org"))])
            .unwrap();
        let change = |email: &str| EventKind::MemberEmailChanged {
            member: sam,
            email: Some(email.into()),
        };
        // Sam may not set his own address (it names his signatures), not even a plain one.
        assert!(matches!(
            committee
                .clone()
                .apply(sam, "key-s", &[event(sam, change("robin@x.org"))]),
            Err(Unauthorized::NotChair { .. })
        ));
        let mei = MemberId(Uuid::new_v4());
        let second = EventKind::MemberAdded {
            member: mei,
            name: "Mei".into(),
            role: Role::Member,
            recipient: "key-m".into(),
            email: Some("SAM@x.org".into()),
        };
        assert!(
            committee
                .apply(robin, "key-r", &[event(robin, second)])
                .is_err()
        );
    }

    #[test]
    fn a_commit_cannot_carry_another_members_events_or_a_stranger_key() {
        let (committee, robin) = founded();
        let other = MemberId(Uuid::new_v4());
        let forged = [event(other, EventKind::Rekeyed)];
        assert!(matches!(
            committee.clone().apply(robin, "key-r", &forged),
            Err(Unauthorized::ForeignEvent { .. })
        ));
        assert!(matches!(
            committee
                .clone()
                .apply(robin, "key-x", &[event(robin, EventKind::Rekeyed)]),
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
