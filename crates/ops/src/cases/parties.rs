//! The parties to a case: a new one (named, anonymous, or with contact details one member
//! holds), the committee members and other cases a party looks like, and opening held
//! contact details.

use crate::OpenFile;
use uuid::Uuid;

use crate::{Error, acting_member, as_member, events_by, member_named};
use casebook_core::case::Case;
use casebook_core::event::EventKind;
use casebook_core::party::{Disclosure, Party, PartyId, PartyRole, PersonId};
use casebook_vault::CaseFile;

/// How a new party is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NewParty {
    /// By name, and optionally handle and email.
    Named {
        /// Their name.
        name: String,
        /// Their handle.
        handle: Option<String>,
        /// Their email.
        email: Option<String>,
    },
    /// By an alias only.
    Pseudonymous {
        /// The alias.
        alias: String,
    },
    /// Not at all; one member holds their contact.
    Anonymous {
        /// That member's roster name; the acting member when `None`.
        held_by: Option<String>,
    },
    /// The same person as party N of another case, as `CODE:N`.
    SameAs(String),
    /// Known by name, with their details sealed to one member (the custodian), whom the others
    /// see holding them.
    Held {
        /// The custodian's roster name.
        held_by: String,
        /// Their name.
        name: String,
        /// Their handle.
        handle: Option<String>,
        /// Their email.
        email: Option<String>,
    },
}

/// Committee members `party` looks like: the same name or the same address (case and spaces
/// aside). A report about a member must not be read by them.
pub fn linked_members(
    roster: &casebook_core::roster::Roster,
    party: &Party,
) -> Vec<casebook_core::roster::Member> {
    roster
        .active()
        .filter(|m| party.looks_like(m))
        .cloned()
        .collect()
}

/// The contact details of party `number` (from 1, as `case show` numbers them) of case
/// `code`, held by the acting member as its custodian: opened with their key, and recorded
/// as an event (not saved).
pub fn open_contact(
    file: &mut OpenFile,
    identity: &casebook_vault::Identity,
    code: &str,
    number: usize,
) -> Result<Disclosure, Error> {
    let file = &mut file.file;
    let case = file.case_by_code(code)?;
    let party = case
        .parties
        .get(number.wrapping_sub(1))
        .cloned()
        .ok_or_else(|| Error::NoSuchParty {
            case: case.code_name.clone(),
            number,
        })?;
    let (me, _) = as_member(file, |actor| actor.may_handle(&case))?;
    let Disclosure::Held { held_by, encrypted } = &party.identity else {
        return Err(Error::NotHeld {
            case: case.code_name.clone(),
            number,
        });
    };
    if *held_by != me.id {
        let holder = file
            .roster()?
            .get(*held_by)
            .map(|m| m.name.clone())
            .unwrap_or_else(|| "another member".into());
        return Err(Error::HeldByOther {
            case: case.code_name.clone(),
            number,
            holder,
        });
    }
    let text = casebook_vault::open_held(encrypted, identity)?;
    let details: Disclosure = serde_json::from_str(&text).map_err(|_| {
        Error::Vault(casebook_vault::Error::Tampered {
            path: file.label().into(),
            detail: "a party's sealed details are unreadable",
        })
    })?;
    file.record(&events_by(
        me.id,
        Some(case.id),
        vec![EventKind::ContactOpened { party: party.id }],
        None,
    ))?;
    Ok(details)
}

/// The party `who` would be in a case, with a fresh id.
pub(super) fn new_party(
    file: &mut CaseFile,
    role: PartyRole,
    who: NewParty,
) -> Result<Party, Error> {
    let mut person = PersonId(Uuid::new_v4());
    let identity = match who {
        NewParty::Named {
            name,
            handle,
            email,
        } => Disclosure::Named {
            name,
            handle,
            email,
        },
        NewParty::Pseudonymous { alias } => Disclosure::Pseudonymous { alias },
        NewParty::Anonymous { held_by } => {
            let holder = match held_by {
                Some(name) => member_named(&file.roster()?, &name)?,
                None => acting_member(file)?,
            };
            Disclosure::Anonymous {
                contact_held_by: holder.id,
            }
        }
        NewParty::SameAs(reference) => {
            person = same_person(OpenFile::wrap(file), &reference)?;
            Disclosure::Linked
        }
        NewParty::Held {
            held_by,
            name,
            handle,
            email,
        } => {
            let holder = member_named(&file.roster()?, &held_by)?;
            let details = serde_json::to_string(&Disclosure::Named {
                name,
                handle,
                email,
            })
            .map_err(|e| {
                Error::Vault(casebook_vault::Error::Encrypt {
                    path: file.label().into(),
                    detail: e.to_string(),
                })
            })?;
            Disclosure::Held {
                held_by: holder.id,
                encrypted: casebook_vault::encrypt_to_custodian(&holder.recipient, &details)?,
            }
        }
    };
    Ok(Party {
        id: PartyId(Uuid::new_v4()),
        role,
        person,
        identity,
        member: None,
    })
}

/// The person who is party N of another case, from a `CODE:N` reference (parties numbered from
/// 1 as the case lists them): a new party that is the same person links to them.
pub fn same_person(file: &mut OpenFile, reference: &str) -> Result<PersonId, Error> {
    let file = &mut file.file;
    let (other_code, number) = reference
        .rsplit_once(':')
        .and_then(|(c, n)| n.trim().parse::<usize>().ok().map(|n| (c.trim(), n)))
        .ok_or_else(|| Error::BadPartyReference {
            reference: reference.to_string(),
        })?;
    let other = file.case_by_code(other_code)?;
    let party = other
        .parties
        .get(number.wrapping_sub(1))
        .ok_or_else(|| Error::NoSuchParty {
            case: other.code_name.clone(),
            number,
        })?;
    Ok(party.person)
}

/// Who a linked party is (raw): the details are held once, with the person's appearance
/// that is not itself a link.
pub fn linked_label(file: &mut OpenFile, party: &Party) -> Option<String> {
    let file = &mut file.file;
    let cases = file.cases().ok()?;
    cases
        .values()
        .flat_map(|c| c.parties.iter())
        .find(|p| p.person == party.person && p.identity != Disclosure::Linked)
        .map(Party::label)
}

/// The other cases this party's person appears in, as "CODE as ROLE".
pub fn other_cases(file: &mut OpenFile, case: &Case, party: &Party) -> Result<Vec<String>, Error> {
    let file = &mut file.file;
    let others = file.cases_of_person(party.person)?;
    let cases = file.cases()?;
    Ok(others
        .iter()
        .filter(|(id, _)| *id != case.id)
        .filter_map(|(id, role)| cases.get(id).map(|c| format!("{} as {role}", c.code_name)))
        .collect())
}
