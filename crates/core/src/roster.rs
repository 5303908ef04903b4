//! The roster: who is on the committee, in which role, and with which key.
//!
//! A member's key is stored as text (an `ssh-ed25519 ...` public key line or an age `age1...`
//! recipient); turning it into something that encrypts is the vault's job.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::event::{Event, EventKind};

/// A member's stable identifier; names can change, this does not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MemberId(pub Uuid);

impl fmt::Display for MemberId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What a member may do on the committee.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Chairs record decisions, may override a vote with a recorded reason, and hold the roster.
    Chair,
    /// Members handle cases, deliberate and vote.
    Member,
}

impl Role {
    /// The name used in the file, on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Chair => "chair",
            Role::Member => "member",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name that is neither `chair` nor `member`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}: expected chair or member")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "chair" => Ok(Role::Chair),
            "member" => Ok(Role::Member),
            other => Err(UnknownRole(other.to_string())),
        }
    }
}

/// One person on the committee, past or present.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// Stable identifier, referenced by events.
    pub id: MemberId,
    /// Display name, unique within the roster.
    pub name: String,
    /// Contact address, if the member gave one.
    pub email: Option<String>,
    /// Chair or member.
    pub role: Role,
    /// The age recipient the file is encrypted to: `ssh-ed25519 AAAA...` or `age1...`.
    pub recipient: String,
    /// When the member joined the roster.
    pub added_at: DateTime<Utc>,
    /// When the member left the roster; `None` while active.
    pub removed_at: Option<DateTime<Utc>>,
}

impl Member {
    /// The member's principal in an OpenSSH allowed_signers file (`ssh-keygen -Y verify -I`):
    /// their address when it is a plain one (the rules refuse any other, and any address
    /// another member has), else a name derived from theirs and their member id, such as
    /// `sam-lindqvist.3f2a9c1e`. A derived principal has no `@`, so it never equals an
    /// address; its id part makes it unique; it keeps to `[a-z0-9.-]`, so it means nothing to
    /// OpenSSH's pattern lists or to a shell. It stays the same when the member rotates keys.
    pub fn principal(&self) -> String {
        match &self.email {
            Some(email) if valid_email(email) => email.clone(),
            _ => {
                let mut slug = String::new();
                for c in self.name.chars().flat_map(char::to_lowercase) {
                    if c.is_ascii_alphanumeric() {
                        slug.push(c);
                    } else if !slug.ends_with('-') && !slug.is_empty() {
                        slug.push('-');
                    }
                }
                let slug = slug.trim_end_matches('-');
                let slug = if slug.is_empty() { "member" } else { slug };
                let id = self.id.0.simple().to_string();
                format!("{slug}.{}", &id[..8])
            }
        }
    }

    /// Whether the member is on the committee now (and so a recipient of every save).
    pub fn is_active(&self) -> bool {
        self.removed_at.is_none()
    }
}

/// Whether `email` can stand as a member's address: it becomes their principal in an OpenSSH
/// allowed_signers file, so it must be one plain `local@domain` word with nothing that file
/// gives a meaning (spaces, commas, quotes, wildcards, negation) and nothing invisible.
pub fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && email.len() <= 254
        && email
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+' | '@' | '%'))
}

/// Why a member stopped holding a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyEnd {
    /// They replaced it with a new one.
    Rotated,
    /// They left the committee.
    Removed,
}

/// A key a member held, and when: what a signature is judged by, so that a key keeps
/// verifying what its holder signed while it was theirs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldKey {
    /// Whose.
    pub member: MemberId,
    /// The key (`ssh-ed25519 AAAA...` or `age1...`).
    pub key: String,
    /// Since when.
    pub from: DateTime<Utc>,
    /// Until when, and why it ended; `None` while it is theirs.
    pub until: Option<(DateTime<Utc>, KeyEnd)>,
}

/// Every key every member held, oldest first, from the committee-wide events.
pub fn key_history(events: &[Event]) -> Vec<HeldKey> {
    let mut keys: Vec<HeldKey> = Vec::new();
    let end = |keys: &mut Vec<HeldKey>, member: MemberId, at, why| {
        if let Some(held) = keys
            .iter_mut()
            .rev()
            .find(|k| k.member == member && k.until.is_none())
        {
            held.until = Some((at, why));
        }
    };
    for event in events {
        match &event.kind {
            EventKind::MemberAdded {
                member, recipient, ..
            } => keys.push(HeldKey {
                member: *member,
                key: recipient.clone(),
                from: event.at,
                until: None,
            }),
            EventKind::MemberKeyChanged { member, recipient } => {
                end(&mut keys, *member, event.at, KeyEnd::Rotated);
                keys.push(HeldKey {
                    member: *member,
                    key: recipient.clone(),
                    from: event.at,
                    until: None,
                });
            }
            EventKind::MemberRemoved { member, .. } => {
                end(&mut keys, *member, event.at, KeyEnd::Removed)
            }
            _ => {}
        }
    }
    keys
}

/// The committee's members, in the order they joined.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Roster {
    members: Vec<Member>,
}

impl Roster {
    /// A roster of the given members.
    pub fn new(members: Vec<Member>) -> Self {
        Roster { members }
    }

    /// Every member, active or removed.
    pub fn members(&self) -> &[Member] {
        &self.members
    }

    /// Every member, to change (the committee's replay only).
    pub(crate) fn members_mut(&mut self) -> &mut Vec<Member> {
        &mut self.members
    }

    /// Members who are on the committee now.
    pub fn active(&self) -> impl Iterator<Item = &Member> {
        self.members.iter().filter(|m| m.is_active())
    }

    /// The active member whose recipient is `recipient`, if any.
    pub fn active_by_recipient(&self, recipient: &str) -> Option<&Member> {
        self.active().find(|m| m.recipient == recipient)
    }

    /// The member with this id, active or not.
    pub fn get(&self, id: MemberId) -> Option<&Member> {
        self.members.iter().find(|m| m.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn member(name: &str, recipient: &str, removed: bool) -> Member {
        let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        Member {
            id: MemberId(Uuid::new_v4()),
            name: name.into(),
            email: None,
            role: Role::Member,
            recipient: recipient.into(),
            added_at: at,
            removed_at: removed.then_some(at),
        }
    }

    #[test]
    fn removed_members_are_not_active_recipients() {
        let roster = Roster::new(vec![
            member("Ada", "age1a", false),
            member("Bo", "age1b", true),
        ]);
        assert_eq!(roster.active().count(), 1);
        assert!(roster.active_by_recipient("age1a").is_some());
        assert!(roster.active_by_recipient("age1b").is_none());
    }

    #[test]
    fn principals_without_an_address_are_plain_and_unique() {
        let mut a = member("*", "age1a", false);
        let b = member("Ada\n Lovelace\u{1b}[2J", "age1b", false);
        assert!(a.principal().starts_with("member."));
        assert!(b.principal().starts_with("ada-lovelace-2j."));
        for p in [a.principal(), b.principal()] {
            assert!(
                p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
            );
        }
        a.email = Some("a@x.org\nb".into());
        assert!(
            !a.principal().contains('@'),
            "an address that is not plain is never used"
        );
        a.email = Some("ada@x.org".into());
        assert_eq!(a.principal(), "ada@x.org");
    }

    #[test]
    fn emails_that_would_mean_something_to_openssh_are_refused() {
        assert!(valid_email("robin.okafor+coc@example.org"));
        for bad in [
            "",
            "robin",
            "*",
            "a@b,*",
            "ada@x.org\nCy namespaces=\"casebook\" ssh-ed25519 AAAA",
            "q@x;touch${IFS}/tmp/PWNED;#",
            "a b@x.org",
            "!a@x.org",
            "a@b@c",
            "a@x.org\u{202e}",
        ] {
            assert!(!valid_email(bad), "{bad:?}");
        }
    }

    #[test]
    fn roles_round_trip_and_reject_unknown_names() {
        for role in [Role::Chair, Role::Member] {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert_eq!(
            "admin".parse::<Role>().unwrap_err().to_string(),
            "unknown role \"admin\": expected chair or member"
        );
    }
}
