//! Subject access: everything the file holds about one person, as a party, in the cases the
//! member may read, gathered into one signed record for a data-subject request.
//!
//! What others said follows the `reported` audience's rules: the person's own details as
//! recorded, their role, the case's dates, status and outcome, the sanctions imposed on them,
//! the messages the committee logged to them, the text a member wrote for their record, and a
//! report they sent themselves (matched by their address). Notes, interviews and other
//! people's reports are counted, never quoted: a committee member reviews them by hand.

use crate::OpenFile;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use chrono::{DateTime, Utc};

use super::Error;
use casebook_core::case::Case;
use casebook_core::event::{Audience, EventKind, Profile};
use casebook_core::party::{Disclosure, PartyRole, PersonId};
use casebook_core::sanitize::inline;
use casebook_vault::{Identity, Recipient};

/// What the file holds about one person.
#[derive(Clone, Debug, Default)]
pub struct PersonRecord {
    /// The reference the member gave.
    pub reference: String,
    /// Each case the person is a party to, oldest first.
    pub cases: Vec<PersonCase>,
    /// Cases they are a party to that are sealed from the member (not included).
    pub sealed_from_you: usize,
}

/// The person in one case.
#[derive(Clone, Debug, Default)]
pub struct PersonCase {
    /// The case's code name.
    pub code: String,
    /// Their role or roles in it.
    pub roles: Vec<String>,
    /// How the case records them (name, handle, address, alias).
    pub recorded_as: Vec<String>,
    /// When the report reached the committee.
    pub received: Option<DateTime<Utc>>,
    /// Where the case stands.
    pub status: String,
    /// The decision, if any: outcome and when.
    pub decided: Option<(String, DateTime<Utc>)>,
    /// Sanctions imposed on them: one line each.
    pub sanctions: Vec<String>,
    /// Messages the committee logged to them: when, and what was said.
    pub messages: Vec<(DateTime<Utc>, String)>,
    /// The text a member wrote for their record: title and summary.
    pub record_text: Option<(String, String)>,
    /// Reports they sent themselves: when, subject, body.
    pub reports: Vec<(DateTime<Utc>, String, String)>,
    /// Notes, interviews and other people's reports held on the case, not quoted.
    pub withheld: usize,
}

/// Whether the party identity `identity` is the person `reference` names: their whole name,
/// address or handle (with or without `@`), or alias, letter case aside.
fn names(identity: &Disclosure, reference: &str) -> bool {
    let want = reference.trim().trim_start_matches('@').to_lowercase();
    if want.is_empty() {
        return false;
    }
    let same = |text: &str| text.trim().trim_start_matches('@').to_lowercase() == want;
    match identity {
        Disclosure::Named {
            name,
            handle,
            email,
        } => {
            same(name) || handle.as_deref().is_some_and(same) || email.as_deref().is_some_and(same)
        }
        Disclosure::Pseudonymous { alias } => same(alias),
        _ => false,
    }
}

/// Whether `text` (a name, handle or address as a case records it) is `subject`, letter case
/// and a leading `@` aside.
fn names_text(text: &str, subject: &str) -> bool {
    let norm = |t: &str| t.trim().trim_start_matches('@').to_lowercase();
    !subject.trim().is_empty() && norm(text) == norm(subject)
}

/// The address a report's `From` names: inside `<…>` when there is one, else the whole.
fn sender(from: &str) -> String {
    let inner = match (from.rfind('<'), from.rfind('>')) {
        (Some(a), Some(b)) if a < b => &from[a + 1..b],
        _ => from,
    };
    inner.trim().to_lowercase()
}

/// Gather what `file` holds about the person `reference` names (see the module docs).
pub fn gather(file: &mut OpenFile, reference: &str) -> Result<PersonRecord, Error> {
    let file = &mut file.file;
    let me = super::acting_member(file)?;
    let cases: Vec<Case> = file.cases()?.values().cloned().collect();
    let mut persons: BTreeSet<PersonId> = BTreeSet::new();
    let mut emails: BTreeSet<String> = BTreeSet::new();
    for case in cases.iter().filter(|c| c.readable_by(me.id)) {
        for party in &case.parties {
            if names(&party.identity, reference) {
                persons.insert(party.person);
                if let Disclosure::Named {
                    email: Some(email), ..
                } = &party.identity
                {
                    emails.insert(email.to_lowercase());
                }
            }
        }
    }
    let mut record = PersonRecord {
        reference: reference.to_string(),
        ..PersonRecord::default()
    };
    if persons.is_empty() {
        return Err(Error::NoSuchPerson {
            reference: reference.to_string(),
        });
    }
    let mut ordered: Vec<&Case> = cases.iter().collect();
    ordered.sort_by_key(|c| c.received_at);
    for case in ordered {
        let theirs: Vec<_> = case
            .parties
            .iter()
            .filter(|p| persons.contains(&p.person))
            .collect();
        if theirs.is_empty() {
            continue;
        }
        if !case.readable_by(me.id) {
            record.sealed_from_you += 1;
            continue;
        }
        let timeline = file.timeline(case.id)?;
        let mut entry = PersonCase {
            code: case.code_name.clone(),
            received: Some(case.received_at),
            status: case.status.as_str().to_string(),
            decided: case.decision.as_ref().map(|d| (d.outcome.clone(), d.at)),
            ..PersonCase::default()
        };
        let (mut to_reported, mut to_reporter) = (false, false);
        // What a sanction or a message names is a role, not a person: it is theirs only when
        // they are the one party of that role (else it may be another's, and is withheld).
        let only = |role: PartyRole| {
            case.parties.iter().filter(|p| p.role == role).count()
                == theirs.iter().filter(|p| p.role == role).count()
        };
        let mut handles: Vec<String> = Vec::new();
        for party in &theirs {
            entry.roles.push(party.role.as_str().to_string());
            match &party.identity {
                Disclosure::Named {
                    name,
                    handle,
                    email,
                } => {
                    handles.extend(
                        [Some(name), handle.as_ref(), email.as_ref()]
                            .into_iter()
                            .flatten()
                            .cloned(),
                    );
                    entry.recorded_as.push(format!("name: {name}"));
                    entry
                        .recorded_as
                        .extend(handle.iter().map(|h| format!("handle: {h}")));
                    entry
                        .recorded_as
                        .extend(email.iter().map(|e| format!("address: {e}")));
                }
                Disclosure::Pseudonymous { alias } => {
                    entry.recorded_as.push(format!("alias: {alias}"))
                }
                Disclosure::Held { .. } => entry
                    .recorded_as
                    .push("contact details held sealed by one member".into()),
                _ => {}
            }
            to_reported |= party.role == PartyRole::Reported;
            to_reporter |= party.role == PartyRole::Reporter;
        }
        if to_reported {
            let named = |subject: &str| handles.iter().any(|h| names_text(h, subject));
            for s in case
                .sanctions
                .iter()
                .filter(|s| named(&s.subject) || only(PartyRole::Reported))
            {
                entry.sanctions.push(format!(
                    "{} in {}, from {}{}{}",
                    s.kind,
                    s.spaces.join(", "),
                    s.starts,
                    s.ends
                        .map(|e| format!(" to {e}"))
                        .unwrap_or_else(|| " until reviewed".into()),
                    if s.conditions.is_empty() {
                        String::new()
                    } else {
                        format!("; to return: {}", s.conditions)
                    }
                ));
            }
        }
        for c in &case.communications {
            let theirs = (c.to == Audience::Reported && to_reported && only(PartyRole::Reported))
                || (c.to == Audience::Reporter && to_reporter && only(PartyRole::Reporter));
            if theirs {
                entry.messages.push((c.at, c.summary.clone()));
            } else if (c.to == Audience::Reported && to_reported)
                || (c.to == Audience::Reporter && to_reporter)
            {
                entry.withheld += 1;
            }
        }
        let profile = if to_reported {
            Some(Profile::Reported)
        } else if to_reporter {
            Some(Profile::Reporter)
        } else {
            None
        };
        entry.record_text = profile
            .and_then(|p| casebook_core::process::record_text(case, &timeline, p))
            .map(|(title, summary, _, _)| (title.to_string(), summary.to_string()));
        for event in &timeline {
            match &event.kind {
                EventKind::ReportReceived {
                    from,
                    subject,
                    body,
                    ..
                } if emails.contains(&sender(from)) => {
                    entry
                        .reports
                        .push((event.at, subject.clone(), body.clone()));
                }
                EventKind::ReportReceived { .. } | EventKind::NoteAdded { .. } => {
                    entry.withheld += 1;
                }
                _ => {}
            }
        }
        record.cases.push(entry);
    }
    Ok(record)
}

impl PersonRecord {
    /// The record as Markdown (every text taken from the file made safe to show).
    pub fn to_markdown(&self, now: DateTime<Utc>) -> String {
        let mut out = String::new();
        let day = |t: DateTime<Utc>| t.format("%Y-%m-%d").to_string();
        let _ = writeln!(
            out,
            "# What the committee holds about {}",
            inline(&self.reference)
        );
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "Gathered on {} for a data-subject request, from {} the member may read. Notes, \
             interviews and other people's reports are counted, not quoted: the committee \
             reviews them by hand before it releases anything of them.",
            day(now),
            casebook_core::describe::count(self.cases.len(), "case", "cases")
        );
        if self.sealed_from_you > 0 {
            let _ = writeln!(
                out,
                "\n{} this person is a party to {} sealed from the member who gathered this: a \
                 member who reads {} gathers {} part.",
                casebook_core::describe::count(self.sealed_from_you, "case", "cases"),
                if self.sealed_from_you == 1 {
                    "is"
                } else {
                    "are"
                },
                if self.sealed_from_you == 1 {
                    "it"
                } else {
                    "them"
                },
                if self.sealed_from_you == 1 {
                    "its"
                } else {
                    "their"
                },
            );
        }
        for case in &self.cases {
            let _ = writeln!(out, "\n## Case {}\n", inline(&case.code));
            let _ = writeln!(out, "- role: {}", case.roles.join(", "));
            for line in &case.recorded_as {
                let _ = writeln!(out, "- {}", inline(line));
            }
            if let Some(at) = case.received {
                let _ = writeln!(out, "- received: {}", day(at));
            }
            let _ = writeln!(out, "- status: {}", case.status);
            if let Some((outcome, at)) = &case.decided {
                let _ = writeln!(out, "- decided: {} on {}", inline(outcome), day(*at));
            }
            for s in &case.sanctions {
                let _ = writeln!(out, "- sanction: {}", inline(s));
            }
            if let Some((title, summary)) = &case.record_text {
                let _ = writeln!(out, "\n### What the committee wrote for you\n");
                let _ = writeln!(out, "{}\n", inline(title));
                if !summary.is_empty() {
                    let _ = writeln!(out, "{}", casebook_core::sanitize::body(summary));
                }
            }
            if !case.messages.is_empty() {
                let _ = writeln!(out, "\n### Messages the committee logged to you\n");
                for (at, summary) in &case.messages {
                    let _ = writeln!(out, "- {}: {}", day(*at), inline(summary));
                }
            }
            for (at, subject, body) in &case.reports {
                let _ = writeln!(
                    out,
                    "\n### Your report of {}: {}\n",
                    day(*at),
                    inline(subject)
                );
                let _ = writeln!(out, "{}", casebook_core::sanitize::body(body));
            }
            if case.withheld > 0 {
                let _ = writeln!(
                    out,
                    "\n{} on this case {} not quoted (reviewed by hand).",
                    casebook_core::describe::count(
                        case.withheld,
                        "note or report",
                        "notes or reports"
                    ),
                    if case.withheld == 1 { "is" } else { "are" }
                );
            }
        }
        out
    }
}

/// Sign and write `record` to `output` (or age-encrypted to `encrypt_to`), as a decision
/// record is.
pub fn write(
    file: &OpenFile,
    identity: &Identity,
    record: &PersonRecord,
    output: &Path,
    encrypt_to: &[Recipient],
) -> Result<super::export::Written, Error> {
    let file = &file.file;
    let (me, _) = super::export::signer(file, identity)?;
    let text = record.to_markdown(Utc::now());
    super::export::sign_and_write(identity, &me, &text, output, encrypt_to, (0, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_names_a_party_by_whole_name_address_handle_or_alias() {
        let named = Disclosure::Named {
            name: "Dana Reyes".into(),
            handle: Some("@dana".into()),
            email: Some("Dana@Example.org".into()),
        };
        assert!(names(&named, "dana reyes"));
        assert!(names(&named, "dana@example.org"));
        assert!(names(&named, "dana"));
        assert!(names(&named, "@dana"));
        assert!(
            !names(&named, "Reyes"),
            "a part of the name is not the name"
        );
        assert!(!names(&named, ""));
        assert!(names(
            &Disclosure::Pseudonymous {
                alias: "nightowl".into()
            },
            "NightOwl"
        ));
    }

    #[test]
    fn a_report_is_theirs_only_from_their_own_address() {
        assert_eq!(sender("Ann <Ann@Example.org>"), "ann@example.org");
        assert_eq!(sender("ann@example.org"), "ann@example.org");
        assert_ne!(sender("Jo <joann@example.org>"), "ann@example.org");
        assert!(names_text("@dana", "Dana"));
        assert!(!names_text("dana", ""));
    }
}
