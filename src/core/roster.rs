//! The roster: who is on the committee, in which role, and with which key.
//!
//! A member's key is stored as text (an `ssh-ed25519 ...` public key line or an age `age1...`
//! recipient); turning it into something that encrypts is the vault's job.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

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
    /// their email if known, else their name with spaces as dashes (principals are one word).
    pub fn principal(&self) -> String {
        match &self.email {
            Some(email) if !email.is_empty() => email.clone(),
            _ => self
                .name
                .chars()
                .filter(|c| *c != ',' && *c != '"')
                .map(|c| if c.is_whitespace() { '-' } else { c })
                .collect(),
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

/// The committee's members, in the order they joined.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
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
