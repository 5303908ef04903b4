//! The people in a case: who reported, who is reported, who witnessed, and how much of their
//! identity the committee holds.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::roster::MemberId;

/// A party's stable identifier within the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PartyId(pub Uuid);

/// One person, possibly appearing in several cases (repeat-behaviour awareness). Parties that
/// share a `PersonId` are the same person; their details are recorded once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PersonId(pub Uuid);

/// A party's part in the case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PartyRole {
    /// Made the report.
    Reporter,
    /// The report is about them.
    Reported,
    /// Saw or heard what happened.
    Witness,
    /// Anyone else involved.
    Other,
}

impl PartyRole {
    /// Every role.
    pub const ALL: [PartyRole; 4] = [
        PartyRole::Reporter,
        PartyRole::Reported,
        PartyRole::Witness,
        PartyRole::Other,
    ];

    /// The role's name.
    pub fn as_str(self) -> &'static str {
        match self {
            PartyRole::Reporter => "reporter",
            PartyRole::Reported => "reported",
            PartyRole::Witness => "witness",
            PartyRole::Other => "other",
        }
    }
}

impl fmt::Display for PartyRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PartyRole {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PartyRole::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                format!("unknown party role {s:?}; roles: reporter, reported, witness, other")
            })
    }
}

/// How much of a party's identity the committee holds (its disclosure to the committee).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Disclosure {
    /// Known by name.
    Named {
        /// Name as given.
        name: String,
        /// Handle on the community's platforms.
        handle: Option<String>,
        /// Contact address.
        email: Option<String>,
    },
    /// Known only by an alias.
    Pseudonymous {
        /// The alias.
        alias: String,
    },
    /// Nothing of who they are is stored: one member holds the contact.
    Anonymous {
        /// The member who holds the contact.
        contact_held_by: MemberId,
    },
    /// The same person as in an earlier party; details are held there.
    Linked,
    /// Known to one member only: their details (a [`Disclosure::Named`] as JSON) are stored
    /// age-encrypted (armored) to that member's key, and only they can open them.
    Held {
        /// The custodian.
        held_by: MemberId,
        /// The details, encrypted to the custodian (stored as `sealed`, the name it had).
        #[serde(rename = "sealed")]
        encrypted: String,
    },
    /// Anonymous with no contact at all: the report came without one (an anonymous form),
    /// so nobody holds it.
    NoContact,
}

/// A party to a case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    /// Stable identifier.
    pub id: PartyId,
    /// Their part in the case.
    pub role: PartyRole,
    /// The person, shared with their parties in other cases.
    pub person: PersonId,
    /// What the committee holds of their identity.
    pub identity: Disclosure,
    /// The committee member this party is, when the member who recorded it said so (the
    /// party looked like them): the reported party is a hard conflict for that member at once,
    /// any other role once a second reader approves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<MemberId>,
}

impl Party {
    /// Whether this party looks like `member`: their name, handle or address names the
    /// member by the rule import uses ([`super::mentions`]). A report about a committee
    /// member must not be read by them.
    pub fn looks_like(&self, member: &super::roster::Member) -> bool {
        let Disclosure::Named {
            name,
            handle,
            email,
        } = &self.identity
        else {
            return false;
        };
        let texts: Vec<&str> = [Some(name.as_str()), handle.as_deref(), email.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        !super::mentions::members_named_in(&texts, std::slice::from_ref(member)).is_empty()
    }

    /// Words to show for the party (before sanitising): name, alias, or what is withheld.
    pub fn label(&self) -> String {
        match &self.identity {
            Disclosure::Named {
                name,
                handle: Some(handle),
                ..
            } => format!("{name} ({handle})"),
            Disclosure::Named { name, .. } => name.clone(),
            Disclosure::Pseudonymous { alias } => format!("\"{alias}\" (pseudonym)"),
            Disclosure::Anonymous { .. } => "anonymous".to_string(),
            Disclosure::NoContact => "anonymous (no contact given)".to_string(),
            Disclosure::Linked => "(linked person)".to_string(),
            Disclosure::Held { .. } => "identity held by one member".to_string(),
        }
    }
}
