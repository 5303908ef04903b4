//! From a submitted form to a typed request for [`crate::ops`], in pure code: what is missing
//! is said here (and the form stays open), so that the runner only ever carries out requests
//! that are complete. One function per form; the match on [`Purpose`] is exhaustive.

use std::path::{Path, PathBuf};

use super::app::Filter;
use super::form::{Assignment, Chosen, KnownAs, Purpose, Submission};
use crate::core::event::{ConflictKind, NoteKind};
use crate::ops::cases::{CaseChange, Entry, NewCase, NewParty};
use crate::ops::export::{RecordRequest, ReportRequest};
use crate::ops::members::NewMember;

/// Work a form asks the runner for, typed.
#[derive(Clone, Debug)]
pub enum Request {
    /// Change a case.
    Change {
        /// The case.
        code: String,
        /// What to change.
        change: CaseChange,
    },
    /// Open a new case.
    Open(NewCase),
    /// Import these report files as new cases, with form columns mapped to fields
    /// (FIELD, COLUMN), as the command line's `--map`.
    Import {
        /// The report files.
        paths: Vec<PathBuf>,
        /// Field to column.
        map: Vec<(String, String)>,
    },
    /// Resolve items needing attention on a case, or (`None`) the roster's.
    Resolve {
        /// The case, if it is one.
        code: Option<String>,
        /// The items (their event ids).
        items: Vec<String>,
        /// How it was resolved.
        note: String,
        /// Of two decisions, the one that stands (the second one's id); `None` keeps the first.
        keep: Option<String>,
    },
    /// Write a signed decision record.
    Export(RecordRequest),
    /// Write a signed transparency report.
    Report(ReportRequest),
    /// Add a member (saved at once).
    AddMember(NewMember),
    /// Remove a member (saved at once).
    RemoveMember {
        /// Their roster name.
        name: String,
        /// Why, if given.
        reason: Option<String>,
    },
    /// Open the contact details of party `number` of case `code`, held by the member
    /// (recorded as an event).
    OpenContact {
        /// The case.
        code: String,
        /// The party, from 1.
        number: usize,
    },
    /// Write an attachment to a file (plaintext).
    SaveAttachment {
        /// Its SHA-256.
        sha256: String,
        /// Where (never over an existing file).
        path: PathBuf,
    },
}

impl PartialEq for Request {
    fn eq(&self, other: &Request) -> bool {
        use Request::*;
        match (self, other) {
            (
                Change { code, change },
                Change {
                    code: c,
                    change: ch,
                },
            ) => code == c && change == ch,
            (Open(a), Open(b)) => a == b,
            (Import { paths, map }, Import { paths: p, map: m }) => paths == p && map == m,
            (
                Resolve {
                    code,
                    items,
                    note,
                    keep,
                },
                Resolve {
                    code: c,
                    items: i,
                    note: n,
                    keep: k,
                },
            ) => (code, items, note, keep) == (c, i, n, k),
            (Export(a), Export(b)) => {
                let RecordRequest {
                    code,
                    profile,
                    format,
                    output,
                    encrypt_to,
                } = a;
                (code, profile, format, output, encrypt_to)
                    == (&b.code, &b.profile, &b.format, &b.output, &b.encrypt_to)
            }
            (Report(a), Report(b)) => {
                let ReportRequest {
                    from,
                    to,
                    format,
                    output,
                    encrypt_to,
                } = a;
                (from, to, format, output, encrypt_to)
                    == (&b.from, &b.to, &b.format, &b.output, &b.encrypt_to)
            }
            (AddMember(a), AddMember(b)) => a == b,
            (RemoveMember { name, reason }, RemoveMember { name: n, reason: r }) => {
                name == n && reason == r
            }
            (OpenContact { code, number }, OpenContact { code: c, number: n }) => {
                code == c && number == n
            }
            (SaveAttachment { sha256, path }, SaveAttachment { sha256: s, path: p }) => {
                sha256 == s && path == p
            }
            _ => false,
        }
    }
}

/// What a submitted form asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum Submitted {
    /// Work for the runner.
    Request(Request),
    /// Show only these cases (the model does it itself).
    Filter(Filter),
}

/// Why a form cannot be carried out yet, in words for the form.
type Missing = String;

/// Read a submitted form as what it asks for, or say what is missing; exports and saved
/// attachments go to `export_dir` unless a path is typed.
pub fn read(form: &Submission, export_dir: &Path) -> Result<Submitted, Missing> {
    read_with(form, export_dir, None)
}

/// [`read`], reading days written `A/B/YYYY` in the committee's `order`.
pub fn read_with(
    form: &Submission,
    export_dir: &Path,
    order: Option<crate::core::dates::DateOrder>,
) -> Result<Submitted, Missing> {
    let change = |code: &String, change| {
        Ok(Submitted::Request(Request::Change {
            code: code.clone(),
            change,
        }))
    };
    match &form.purpose {
        Purpose::Assign(code) => change(code, assign(form)?),
        Purpose::Conflict(code) => change(code, conflict(form)?),
        Purpose::WithdrawConflict(code) => change(
            code,
            CaseChange::WithdrawConflict {
                reason: form.optional("reason"),
            },
        ),
        Purpose::Party(code) => change(code, party(form)?),
        Purpose::Seal(code) => change(
            code,
            CaseChange::Exclude {
                members: vec![chosen(form, "member")?],
                why: chosen(form, "why")?,
            },
        ),
        Purpose::GiveAccess(code) => change(code, CaseChange::GiveAccess(chosen(form, "member")?)),
        Purpose::OpenContact(code) => Ok(Submitted::Request(Request::OpenContact {
            code: code.clone(),
            number: chosen(form, "party")?,
        })),
        Purpose::Emergency(code) => change(
            code,
            CaseChange::Emergency {
                action: required(form, "action", "say what was done")?,
            },
        ),
        Purpose::Review(code) => change(
            code,
            CaseChange::Review {
                note: required(form, "note", "write the review")?,
                result: Some(chosen(form, "result")?),
            },
        ),
        Purpose::Vote(code) => change(
            code,
            CaseChange::Vote {
                outcome: chosen(form, "outcome")?,
                ballot: chosen(form, "ballot")?,
                propose: true,
            },
        ),
        Purpose::Decide(code) => change(
            code,
            CaseChange::Decide {
                outcome: chosen(form, "outcome")?,
                rationale: required(form, "rationale", "write the rationale")?,
                override_reason: form.optional("override"),
            },
        ),
        Purpose::Comms(code) => change(
            code,
            CaseChange::Message {
                to: chosen(form, "to")?,
                summary: match form.choice::<Option<crate::core::comms::Step>>("template") {
                    Some(Some(_)) => form.get("summary").to_string(),
                    _ => required(
                        form,
                        "summary",
                        "say what the message said, or choose a template",
                    )?,
                },
                next_update_by: form
                    .optional("next")
                    .map(|typed| crate::core::dates::read_day(&typed, order))
                    .transpose()
                    .map_err(|e| format!("next update by: {e}"))?,
                template: form.choice("template").flatten(),
                review: false,
            },
        ),
        Purpose::Amend(code) => change(
            code,
            CaseChange::Note {
                kind: NoteKind::General,
                body: required(form, "body", "write the correction")?,
                amends: form.choice("entry").map(Entry::Id),
            },
        ),
        Purpose::NewCase => Ok(Submitted::Request(Request::Open(NewCase {
            title: required(form, "title", "give the case a title")?,
            summary: form.get("summary").to_string(),
            channel: chosen(form, "channel")?,
            received_at: None,
            exclude: names(form.get("exclude")),
        }))),
        Purpose::Import => import(form),
        Purpose::Resolve { code, items } => resolve(form, code, items),
        Purpose::RecordText(code) => change(code, CaseChange::RecordText(record_texts(form)?)),
        Purpose::Sanction(code) => {
            let day = |key: &str| {
                crate::core::dates::read_day(form.get(key), order)
                    .map_err(|e| format!("{key}: {e}"))
            };
            let spaces: Vec<String> = names(form.get("spaces"));
            if spaces.is_empty() {
                return Err("name at least one space it applies to".into());
            }
            change(
                code,
                CaseChange::Sanction(crate::ops::cases::SanctionChange::Start {
                    step: chosen(form, "step")?,
                    subject: required(form, "subject", "say how the organisers know the person")?,
                    spaces,
                    starts: day("starts")?,
                    ends: form.optional("ends").map(|_| day("ends")).transpose()?,
                    conditions: form.get("conditions").trim().to_string(),
                }),
            )
        }
        Purpose::Tell(code) => change(
            code,
            CaseChange::Sanction(crate::ops::cases::SanctionChange::Tell {
                number: form
                    .choice("sanction")
                    .ok_or("no sanction has anyone left to tell")?,
                whom: form
                    .choice::<Option<String>>("whom")
                    .flatten()
                    .into_iter()
                    .collect(),
            }),
        ),
        Purpose::SanctionStep(code) => {
            use crate::core::sanction::Step;
            use crate::ops::cases::SanctionChange;
            let number: usize = form
                .choice("sanction")
                .ok_or("no sanction of the case is in force")?;
            let note = required(form, "note", "say why, or what happened")?;
            let step: Step = chosen(form, "step")?;
            let sanction = match step {
                Step::Reviewed => SanctionChange::Review { number, note },
                Step::Extended => SanctionChange::Extend {
                    number,
                    ends: form
                        .optional("ends")
                        .map(|typed| crate::core::dates::read_day(&typed, order))
                        .transpose()
                        .map_err(|e| format!("until: {e}"))?,
                    note,
                },
                Step::Lifted => SanctionChange::Lift { number, note },
                Step::Breached => SanctionChange::Breach { number, note },
            };
            change(code, CaseChange::Sanction(sanction))
        }
        Purpose::Appeal(code) => change(
            code,
            CaseChange::Appeal {
                grounds: chosen(form, "grounds")?,
                note: required(form, "note", "write what the appellant says")?,
            },
        ),
        Purpose::Expunge(code) => change(
            code,
            CaseChange::Expunge {
                reason: chosen(form, "reason")?,
                note: form.optional("note").unwrap_or_default(),
            },
        ),
        Purpose::ApproveExpunge(code) => {
            let typed = required(form, "confirm", "type the case's code name to confirm")?;
            if typed.trim() != code {
                return Err(format!(
                    "confirm: type {code} exactly (it cannot be undone)"
                ));
            }
            change(code, CaseChange::ApproveExpunge)
        }
        Purpose::Export(code) => export(form, code, export_dir),
        Purpose::Report => report(form, export_dir, order),
        Purpose::SaveAttachment { sha256, name } => {
            let fallback = crate::ops::export::safe_file_name(name);
            Ok(Submitted::Request(Request::SaveAttachment {
                sha256: sha256.clone(),
                path: place(form.optional("path"), export_dir, &fallback),
            }))
        }
        Purpose::AddMember => Ok(Submitted::Request(Request::AddMember(NewMember {
            name: required(form, "name", "give the member's name")?,
            email: form.optional("email"),
            role: chosen(form, "role")?,
            key: required(form, "key", "give their public key")?,
        }))),
        Purpose::RemoveMember(name) => Ok(Submitted::Request(Request::RemoveMember {
            name: name.clone(),
            reason: form.optional("reason"),
        })),
        Purpose::Filter => Ok(Submitted::Filter(Filter {
            severity: chosen(form, "severity")?,
            assignee: chosen(form, "assignee")?,
            label: chosen(form, "label")?,
        })),
    }
}

fn assign(form: &Submission) -> Result<CaseChange, Missing> {
    let member = chosen(form, "member")?;
    Ok(match chosen(form, "how")? {
        Assignment::Assign => CaseChange::Assign(member),
        Assignment::TakeOff => CaseChange::Unassign(member),
    })
}

fn conflict(form: &Submission) -> Result<CaseChange, Missing> {
    let kind: ConflictKind = chosen(form, "kind")?;
    Ok(CaseChange::Conflict {
        kind,
        reason: form.optional("reason"),
    })
}

fn party(form: &Submission) -> Result<CaseChange, Missing> {
    let role = chosen(form, "role")?;
    let name = form.get("name").to_string();
    let known: KnownAs = chosen(form, "identity")?;
    // Forms without the field (older drafts) hold no custodian.
    let custodian: Option<String> = form.choice("custodian").flatten();
    let (handle, email) = (form.optional("handle"), form.optional("email"));
    let who = match known {
        // Nothing typed is dropped without a word: an anonymous party has no details in the
        // file at all.
        KnownAs::Anonymous if !name.is_empty() || handle.is_some() || email.is_some() => {
            return Err(
                "an anonymous party has no name, handle or email in the file: \
                        choose \"named\" with a custodian to keep them to one member"
                    .into(),
            );
        }
        KnownAs::Anonymous => NewParty::Anonymous { held_by: custodian },
        KnownAs::SameAs => {
            NewParty::SameAs(required(form, "same_as", "give the other party as CODE:N")?)
        }
        _ if name.is_empty() => return Err("give the party's name or alias".into()),
        KnownAs::Pseudonymous if custodian.is_some() => {
            return Err(
                "an alias is all the file holds of a pseudonymous party: there is \
                        nothing for a custodian to hold"
                    .into(),
            );
        }
        KnownAs::Pseudonymous => NewParty::Pseudonymous { alias: name },
        KnownAs::Named => match custodian {
            Some(held_by) => NewParty::Held {
                held_by,
                name,
                handle,
                email,
            },
            None => NewParty::Named {
                name,
                handle,
                email,
            },
        },
    };
    Ok(CaseChange::AddParty { role, who })
}

fn import(form: &Submission) -> Result<Submitted, Missing> {
    let paths: Vec<PathBuf> = form
        .get("paths")
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .collect();
    if paths.is_empty() {
        return Err("give the report files to import".into());
    }
    let mut map = Vec::new();
    for pair in form
        .get("map")
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        match pair.split_once('=') {
            Some((field, column)) if !field.trim().is_empty() && !column.trim().is_empty() => {
                map.push((field.trim().to_string(), column.trim().to_string()))
            }
            _ => {
                return Err(format!(
                    "{pair:?} is not FIELD=COLUMN (for example body=What happened?)"
                ));
            }
        }
    }
    Ok(Submitted::Request(Request::Import { paths, map }))
}

/// Resolving what needs attention: which items (one, or all of them), how, and of two
/// decisions which one stands.
fn resolve(
    form: &Submission,
    code: &Option<String>,
    all: &[uuid::Uuid],
) -> Result<Submitted, Missing> {
    let items: Vec<String> = match form.choice::<Option<String>>("item") {
        Some(Some(one)) => vec![one],
        _ => all.iter().map(|id| id.to_string()).collect(),
    };
    if items.is_empty() {
        return Err("nothing needs attention here".into());
    }
    Ok(Submitted::Request(Request::Resolve {
        code: code.clone(),
        items,
        note: required(form, "note", "say how it was resolved")?,
        keep: form.choice::<Option<String>>("keep").flatten(),
    }))
}

/// Where a file goes (see [`crate::ops::export::place`]).
fn place(typed: Option<String>, dir: &Path, fallback: &str) -> PathBuf {
    crate::ops::export::place(typed.as_deref(), dir, fallback)
}

/// Recipients typed into a form (commas between them).
fn recipients(form: &Submission) -> Result<Vec<crate::ops::vault::Recipient>, Missing> {
    form.get("encrypt_to")
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(|k| {
            crate::ops::vault::Recipient::parse(k)
                .map_err(|_| format!("{k:?} is not a key: give age1... or ssh-ed25519 AAAA..."))
        })
        .collect()
}

fn export(form: &Submission, code: &str, dir: &Path) -> Result<Submitted, Missing> {
    let profile: crate::export::Profile = chosen(form, "profile")?;
    let format: crate::ops::export::RecordFormat = chosen(form, "format")?;
    let output = place(
        form.optional("output"),
        dir,
        &format!("{code}-{}.{}", profile.as_str(), format.as_str()),
    );
    Ok(Submitted::Request(Request::Export(RecordRequest {
        code: code.to_string(),
        profile,
        format,
        output,
        encrypt_to: recipients(form)?,
    })))
}

fn report(
    form: &Submission,
    dir: &Path,
    order: Option<crate::core::dates::DateOrder>,
) -> Result<Submitted, Missing> {
    let day =
        |key: &str| crate::core::dates::read_day(form.get(key), order).map_err(|e| e.to_string());
    let (from, to) = (day("from")?, day("to")?);
    let format: crate::ops::export::ReportFormat = chosen(form, "format")?;
    let output = place(
        form.optional("output"),
        dir,
        &format!("transparency-{from}-{to}.{}", format.as_str()),
    );
    Ok(Submitted::Request(Request::Report(ReportRequest {
        from,
        to,
        format,
        output,
        encrypt_to: Vec::new(),
    })))
}

/// Names typed with commas between them.
fn names(typed: &str) -> Vec<String> {
    typed
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect()
}

/// The committee members `typed` names, as the roster spells them (case and spaces aside),
/// or which name is not a member's; `roster` holds the active members' names.
pub fn members_named(typed: &[String], roster: &[String]) -> Result<Vec<String>, Missing> {
    let norm = |t: &str| {
        t.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    typed
        .iter()
        .map(|name| {
            roster
                .iter()
                .find(|m| norm(m) == norm(name))
                .cloned()
                .ok_or_else(|| {
                    format!(
                        "{} is not a member of the committee (members: {})",
                        crate::core::sanitize::inline(name),
                        roster.join(", ")
                    )
                })
        })
        .collect()
}

/// A field the form must have; the message says what to write.
fn required(form: &Submission, key: &str, what: &str) -> Result<String, Missing> {
    form.optional(key)
        .ok_or_else(|| format!("{what} first (Tab moves between fields)"))
}

/// The option chosen in a choice; a choice with nothing to choose from says so.
fn chosen<T: Chosen>(form: &Submission, key: &str) -> Result<T, Missing> {
    form.choice(key)
        .ok_or_else(|| format!("there is nothing to choose as {key}"))
}

/// The record texts a record-text form writes: those of the audiences whose tab was edited in
/// it (nothing typed is left behind, and no text is signed that nobody wrote here).
fn record_texts(form: &Submission) -> Result<Vec<crate::ops::cases::RecordText>, String> {
    use crate::export::Profile;
    let mut texts = Vec::new();
    for (value, fields) in &form.edited_tabs {
        let Some(profile) = Profile::from_value(value) else {
            continue;
        };
        let title = fields.get("title").cloned().unwrap_or_default();
        if title.is_empty() {
            return Err(format!(
                "write the title of the {} record, or undo its edits",
                profile.as_str()
            ));
        }
        texts.push(crate::ops::cases::RecordText {
            profile,
            title,
            summary: fields.get("summary").cloned().unwrap_or_default(),
        });
    }
    if texts.is_empty() {
        return Err("nothing was changed: write an audience's text in its tab first".into());
    }
    Ok(texts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::party::PartyRole;
    use crate::tui::form::{Field, Form};

    fn party_form(known: KnownAs, name: &str) -> Submission {
        let form = Form::new(
            "t",
            Purpose::Party("amber-kettle".into()),
            vec![
                Field::choice("role", "role", PartyRole::ALL.map(|r| (r.as_str(), r)), 2),
                Field::choice("identity", "known as", [("x", known)], 0),
                Field::line("name", "name", name),
            ],
        );
        form.submission()
    }

    #[test]
    fn a_party_form_reads_as_a_typed_change() {
        let dir = Path::new("/exports");
        let read = read(&party_form(KnownAs::Pseudonymous, "Kestrel"), dir).unwrap();
        assert_eq!(
            read,
            Submitted::Request(Request::Change {
                code: "amber-kettle".into(),
                change: CaseChange::AddParty {
                    role: PartyRole::Witness,
                    who: NewParty::Pseudonymous {
                        alias: "Kestrel".into()
                    },
                },
            })
        );
        let missing = super::read(&party_form(KnownAs::Named, ""), dir).unwrap_err();
        assert!(missing.contains("name or alias"), "{missing}");
        assert!(super::read(&party_form(KnownAs::Anonymous, ""), dir).is_ok());
    }

    #[test]
    fn a_report_needs_real_dates() {
        let form = Form::new(
            "t",
            Purpose::Report,
            vec![
                Field::line("from", "from", "2026-13-01"),
                Field::line("to", "to", "2026-12-31"),
                Field::choice(
                    "format",
                    "format",
                    crate::ops::export::ReportFormat::ALL.map(|f| (f.as_str(), f)),
                    0,
                ),
            ],
        );
        let missing = read(&form.submission(), Path::new("/exports")).unwrap_err();
        assert!(missing.contains("is not a date"), "{missing}");
    }

    #[test]
    fn an_export_can_be_encrypted_to_keys_typed_in_the_form() {
        let key = age::x25519::Identity::generate().to_public().to_string();
        let form = |keys: &str| {
            Form::new(
                "t",
                Purpose::Export("amber-kettle".into()),
                vec![
                    Field::choice(
                        "profile",
                        "for",
                        [crate::export::Profile::Reporter].map(|p| (p.as_str(), p)),
                        0,
                    ),
                    Field::choice(
                        "format",
                        "format",
                        crate::ops::export::RecordFormat::ALL.map(|f| (f.as_str(), f)),
                        0,
                    ),
                    Field::line("output", "file", ""),
                    Field::line("encrypt_to", "encrypt to", keys),
                ],
            )
            .submission()
        };
        let Ok(Submitted::Request(Request::Export(r))) = read(&form(&key), Path::new("/x")) else {
            panic!("an export")
        };
        assert_eq!(r.encrypt_to.len(), 1);
        assert_eq!(r.output, PathBuf::from("/x/amber-kettle-reporter.md"));
        let missing = read(&form("not-a-key"), Path::new("/x")).unwrap_err();
        assert!(missing.contains("is not a key"), "{missing}");
    }

    #[test]
    fn exports_go_to_the_export_folder_unless_a_path_is_typed() {
        assert_eq!(
            place(None, Path::new("/x"), "a.md"),
            PathBuf::from("/x/a.md")
        );
        assert_eq!(
            place(Some("b.md".into()), Path::new("/x"), "a.md"),
            PathBuf::from("/x/b.md")
        );
        assert_eq!(
            place(Some("/tmp/c.md".into()), Path::new("/x"), "a.md"),
            PathBuf::from("/tmp/c.md")
        );
        assert_eq!(
            crate::ops::export::safe_file_name("../../etc/passwd"),
            "_.._etc_passwd"
        );
    }
}
