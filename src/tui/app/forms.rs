//! The forms each action asks for (built from the open case and the committee's rules), and
//! what happens when one is submitted: it is read as a typed request, or stays open to say
//! what is missing.

use super::*;
use crate::ops::cases::CaseChange;

impl App {
    /// A form was submitted: read it as a request; what is missing keeps the form open and
    /// says so there.
    pub(super) fn submit(&mut self, mut form: Box<Form>) -> Option<Effect> {
        let read =
            crate::tui::request::read_with(&form.submission(), &self.export_dir, self.date_order);
        let request = match read.and_then(|r| self.known_members(r)) {
            Ok(Submitted::Request(request)) => request,
            Ok(Submitted::Filter(filter)) => {
                self.filter = filter;
                self.selected = 0;
                self.offset = 0;
                self.status = if self.filter.is_active() {
                    format!("showing {} (f changes it)", self.filter.describe())
                } else {
                    "showing every case".into()
                };
                return Some(Effect::Refresh);
            }
            Err(missing) => {
                form.error = Some(missing.clone());
                self.status = missing;
                self.overlay = Some(Overlay::Form(form));
                return None;
            }
        };
        form.error = None;
        let question = match (&form.purpose, &request) {
            (_, Request::AddMember(new)) => {
                // The key is read (it may be a file) and its fingerprint shown before adding.
                let new = new.clone();
                self.overlay = Some(Overlay::Form(form));
                return Some(Effect::PreviewMember(new));
            }
            (Purpose::Export(code), Request::Export(r)) => {
                let untold = match &self.screen {
                    Screen::Case { data, .. } if r.profile != crate::export::Profile::Internal => {
                        crate::core::process::record_text(&data.case, &data.timeline, r.profile)
                            .is_none()
                    }
                    _ => false,
                };
                let untold = if untold {
                    format!(
                        "No member wrote the text of the {} record (T writes it): it will say \
                         only \"Decision record for {code}\", the outcome and dates.\n\n",
                        r.profile.as_str()
                    )
                } else {
                    String::new()
                };
                match (r.encrypt_to.is_empty(), untold.is_empty()) {
                    (true, _) => Some(format!(
                        "{untold}This writes a PLAINTEXT record for the {} audience, with a \
                         signature, to\n\n  {}\n\noutside the encrypted case file. Share it \
                         only with its audience. Write it?",
                        r.profile.as_str(),
                        r.output.display()
                    )),
                    (false, false) => Some(format!("{untold}Export it anyway?")),
                    (false, true) => None,
                }
            }
            (Purpose::Report, Request::Report(r)) if r.encrypt_to.is_empty() => Some(format!(
                "This writes a PLAINTEXT transparency report, with a signature, to\n\n  {}\n\n\
                 outside the encrypted case file. Write it?",
                r.output.display()
            )),
            (Purpose::SaveAttachment { name, .. }, Request::SaveAttachment { path, .. }) => {
                Some(format!(
                    "This writes the attachment {} as PLAINTEXT to\n\n  {}\n\noutside the \
                     encrypted case file, where anyone with access to that folder can read it. \
                     Write it?",
                    crate::core::sanitize::inline(name),
                    path.display()
                ))
            }
            (
                Purpose::Conflict(code),
                Request::Change {
                    change:
                        CaseChange::Conflict {
                            kind: ConflictKind::Hard,
                            ..
                        },
                    ..
                },
            ) => Some(format!(
                "Declare a HARD conflict on {code}? The case is sealed from you at once: you \
                 will no longer see its content, in the interface or on the command line. \
                 c on it withdraws the conflict later; a member who can read it then gives you \
                 access again."
            )),
            (
                Purpose::Seal(code),
                Request::Change {
                    change: CaseChange::Exclude { members, why },
                    ..
                },
            ) => Some(format!(
                "Seal {code} from {} ({})? Its content is encrypted again inside the file, with \
                 a new case key, to the other members who read it now. What {} read before \
                 stays read.",
                crate::core::sanitize::inline(&members.join(", ")),
                why.describe(),
                crate::core::sanitize::inline(&members.join(", ")),
            )),
            (
                Purpose::GiveAccess(code),
                Request::Change {
                    change: CaseChange::GiveAccess(member),
                    ..
                },
            ) => Some(format!(
                "Give {} access to {code}? They can read all of it, its history included.",
                crate::core::sanitize::inline(member)
            )),
            (
                Purpose::Decide(code),
                Request::Change {
                    change:
                        CaseChange::Decide {
                            outcome,
                            override_reason,
                            ..
                        },
                    ..
                },
            ) => Some(format!(
                "Record the decision {} on {code}{}? The case moves to decided; a decision is \
                 never erased, only reopened.",
                crate::core::sanitize::inline(outcome),
                if override_reason.is_some() {
                    " as a chair's override of the vote"
                } else {
                    ""
                }
            )),
            _ => None,
        };
        let effect = Effect::Submit(request);
        match question {
            Some(question) => {
                self.overlay = Some(Overlay::Confirm {
                    question,
                    effect,
                    back: Some(Box::new(Overlay::Form(form))),
                });
                None
            }
            None => {
                // The form stays open until the runner says it worked.
                self.overlay = Some(Overlay::Form(form));
                Some(effect)
            }
        }
    }

    /// The members a new case keeps out, checked against the committee (and spelled as its
    /// roster does), so that a typo is said in the form.
    fn known_members(&self, read: Submitted) -> Result<Submitted, String> {
        Ok(match read {
            Submitted::Request(Request::Open(mut new)) if !new.exclude.is_empty() => {
                new.exclude = crate::tui::request::members_named(&new.exclude, &self.choices.0)?;
                Submitted::Request(Request::Open(new))
            }
            other => other,
        })
    }

    /// The new member's key was read: confirm with its fingerprint before adding them.
    pub(super) fn confirm_member(
        &mut self,
        new: crate::ops::members::NewMember,
        fingerprint: String,
    ) {
        let back = self.overlay.take().map(Box::new);
        self.overlay = Some(Overlay::Confirm {
            question: format!(
                "Add {} ({}) to the committee?\n\nTheir key's fingerprint:\n\n  {fingerprint}\n\n\
                 Check it with them over another channel. The file is re-encrypted and saved at \
                 once; from then on they can read every case not sealed from them.",
                crate::core::sanitize::inline(&new.name),
                new.role.as_str(),
            ),
            effect: Effect::Submit(Request::AddMember(new)),
            back,
        });
    }
}

pub(super) fn form(form: Form) -> Overlay {
    Overlay::Form(Box::new(form))
}

/// Where the decision on `outcome` stands: the live quorum line of the decision form.
pub fn quorum_line(data: &CaseData, outcome: &str) -> String {
    let empty = BTreeMap::new();
    let votes = match &data.case.proposal {
        Some(p) if p.outcome == outcome => &p.votes,
        _ => &empty,
    };
    let t = tally(data.settings.quorum, &data.eligible, votes);
    let state = if t.met {
        "quorum MET: the decision can be recorded".to_string()
    } else {
        "quorum NOT met: only the chair can record it, with an override reason".to_string()
    };
    format!(
        "{outcome}: {} for, {} against, {} abstain; {} of {} needed ({}) — {state}",
        t.for_, t.against, t.abstain, t.needed, t.eligible, t.rule
    )
}

/// The audiences a member writes record text for, in the order of the form's tabs.
const RECORD_AUDIENCES: [Profile; 3] = [Profile::Reported, Profile::Reporter, Profile::Public];

/// Writing the title and summary of case `code`'s decision record, one tab per audience: each
/// tab opens with the text its record shows now (marked ✓ when a member wrote it), and the
/// record of the tab shown is previewed as it will read.
pub(super) fn record_text_form(data: &CaseData, code: &str) -> Form {
    // Per audience: the title and summary its record shows now, if a member wrote them.
    let written: Vec<Option<(&str, &str)>> = RECORD_AUDIENCES
        .iter()
        .map(|p| process::record_text(&data.case, &data.timeline, *p).map(|(t, s, ..)| (t, s)))
        .collect();
    let options = RECORD_AUDIENCES.iter().zip(&written).map(|(p, text)| {
        let label = match text {
            Some(_) => format!("{} ✓", p.as_str()),
            None => p.as_str().to_string(),
        };
        (label, *p)
    });
    let filled = written
        .iter()
        .map(|text| match text {
            Some((title, summary)) => vec![title.to_string(), summary.to_string()],
            None => vec![crate::export::default_title(code), String::new()],
        })
        .collect();
    let names = |id| data.names.get(&id).cloned();
    let me = data
        .me
        .and_then(|(id, _)| names(id))
        .unwrap_or_else(|| "you".into());
    let provenance = crate::export::Provenance {
        signer: format!("{me} (with the key's fingerprint, at export)"),
        roster_hash: "(at export)".into(),
        commit: "(at export)".into(),
        appeal_days: data.settings.appeal_days,
        appeal_grounds: data.settings.grounds,
    };
    let records = RECORD_AUDIENCES
        .iter()
        .map(|p| {
            crate::export::record_with(&data.case, &data.timeline, &names, *p, provenance.clone())
                .map_err(|e| e.to_string())
        })
        .collect();
    Form::new(
        format!("Record text of {code}"),
        Purpose::RecordText(code.to_string()),
        vec![
            Field::choice("profile", "for", options, 0),
            Field::line("title", "title", ""),
            Field::text(
                "summary",
                "summary",
                "What this audience is told happened, in words written for it.",
            ),
        ],
    )
    .with_tabs("profile", vec!["title", "summary"], filled)
    .with_preview(crate::tui::form::Preview { records, by: me })
    .with_notes(vec![
        "Only text written here reaches a record outside the committee, never the report's \
         own words. One tab per audience (✓ written before, ✎ changed here); Ctrl-D records \
         every tab you changed."
            .into(),
        "Writing again for the same audience replaces what it shows (the earlier text stays \
         in the timeline)."
            .into(),
    ])
}

/// Resolving what needs attention on case `code` (or, `None`, the roster): which item (or
/// all), how it was resolved, and when a second decision is among them, which one stands
/// (`first`: the outcome of the decision the case has).
pub(super) fn resolve_form(
    code: Option<String>,
    items: &[(crate::core::attention::Attention, String)],
    first: Option<&str>,
) -> Form {
    use crate::core::attention::Trouble;
    use crate::core::sanitize::inline;
    let place = code.clone().unwrap_or_else(|| "the roster".into());
    let mut options: Vec<(String, Option<String>)> = Vec::new();
    if items.len() > 1 {
        options.push((format!("all {}", items.len()), None));
    }
    for (a, by) in items {
        let summary: String = inline(&a.what.summary()).chars().take(48).collect();
        options.push((
            format!(
                "{} {summary}… ({})",
                &crate::core::describe::short_event(&a.event),
                inline(by)
            ),
            Some(a.event.to_string()),
        ));
    }
    let mut fields = vec![
        Field::choice("item", "item", options, 0),
        Field::text(
            "note",
            "how",
            "How it was resolved, for the committee's record.",
        ),
    ];
    let second: Vec<(String, Option<String>)> = items
        .iter()
        .filter_map(|(a, _)| match &a.what {
            Trouble::Decision { outcome, .. } => Some((
                match first {
                    Some(_) => format!("the second: {}", inline(outcome)),
                    None => format!(
                        "{}: {}",
                        &crate::core::describe::short_event(&a.event),
                        inline(outcome)
                    ),
                },
                Some(a.event.to_string()),
            )),
            _ => None,
        })
        .collect();
    let mut notes = vec![format!(
        "The resolution is recorded (and signed at the next save); what it resolves leaves \
         the needs-attention queue of {place}."
    )];
    if !second.is_empty() {
        let mut choices = vec![(
            match first {
                Some(first) => format!("the first: {}", inline(first)),
                None => "neither: decide again".to_string(),
            },
            None,
        )];
        choices.extend(second);
        fields.push(Field::choice("keep", "stands", choices, 0));
        notes.push(match first {
            Some(_) => "Two decisions were recorded: say which one stands.".into(),
            None => "Two decisions were made at the same time on two copies and neither \
                     stands: say which one does, or decide again."
                .into(),
        });
    }
    Form::new(
        format!("Resolve what needs attention on {place}"),
        Purpose::Resolve {
            code,
            items: items.iter().map(|(a, _)| a.event).collect(),
        },
        fields,
    )
    .with_notes(notes)
}

/// Where to save an attachment of `code`.
pub(super) fn save_attachment_form(
    code: &str,
    attachment: &crate::core::event::AttachmentRef,
    dir: &std::path::Path,
) -> Form {
    Form::new(
        format!("Save an attachment of {code}"),
        Purpose::SaveAttachment {
            sha256: attachment.sha256.clone(),
            name: attachment.name.clone(),
        },
        vec![Field::line("path", "save to", "")],
    )
    .with_notes(vec![
        format!(
            "{} ({}, {} bytes).",
            crate::core::sanitize::inline(&attachment.name),
            crate::core::sanitize::inline(&attachment.content_type),
            attachment.size
        ),
        format!(
            "Left empty, or a bare name: in {} (export_dir). An existing file is never \
             overwritten.",
            dir.display()
        ),
    ])
}

pub(super) fn filter_form(
    current: &Filter,
    (members, labels): &(Vec<String>, Vec<String>),
) -> Form {
    let mut severities = vec![("any", None)];
    severities.extend(Severity::ALL.map(|s| (s.as_str(), Some(s))));
    let severity = severities
        .iter()
        .position(|(_, s)| *s == current.severity)
        .unwrap_or(0);
    let mut people = vec![
        ("anyone".to_string(), None),
        ("nobody".to_string(), Some(String::new())),
    ];
    people.extend(members.iter().map(|m| (m.clone(), Some(m.clone()))));
    let person = people
        .iter()
        .position(|(_, p)| *p == current.assignee)
        .unwrap_or(0);
    let mut all_labels = vec![("any".to_string(), None)];
    all_labels.extend(labels.iter().map(|l| (l.clone(), Some(l.clone()))));
    let label = all_labels
        .iter()
        .position(|(_, l)| *l == current.label)
        .unwrap_or(0);
    Form::new(
        "Show only",
        Purpose::Filter,
        vec![
            Field::choice("severity", "severity", severities, severity),
            Field::choice("assignee", "assigned to", people, person),
            Field::choice("label", "label", all_labels, label),
        ],
    )
}

pub(super) fn new_case_form() -> Form {
    Form::new(
        "New case",
        Purpose::NewCase,
        vec![
            Field::line("title", "title", ""),
            Field::choice(
                "channel",
                "received by",
                Channel::ALL.map(|c| (c.as_str(), c)),
                0,
            ),
            Field::text("summary", "summary", "What was reported (optional)."),
            Field::line("exclude", "keep out (members)", ""),
        ],
    )
    .with_notes(vec![
        "keep out (optional, comma-separated): members the reporter asked to be kept out, or \
         whom the report is about; the case is sealed from them from its first entry."
            .into(),
    ])
}

pub(super) fn import_form() -> Form {
    Form::new(
        "Import reports",
        Purpose::Import,
        vec![
            Field::line("paths", "files", ""),
            Field::line("map", "columns (optional)", ""),
        ],
    )
    .with_notes(vec![
        "Email (.eml), form exports (.csv) or JSON; separate several files with ;".into(),
        "columns: FIELD=COLUMN of a form export, separated by ; (for example \
         body=What happened?; venue=Where). Fields: title, body, name, email, handle, \
         anonymous, received, venue, incident."
            .into(),
        "Each report becomes a new case; the files themselves stay where they are.".into(),
    ])
}

pub(super) fn report_form(today: chrono::NaiveDate) -> Form {
    use chrono::Datelike;
    let start = today.with_day(1).unwrap_or(today) - chrono::Months::new(6);
    Form::new(
        "Transparency report",
        Purpose::Report,
        vec![
            Field::line("from", "from", &start.to_string()),
            Field::line("to", "to", &today.to_string()),
            Field::choice(
                "format",
                "format",
                ReportFormat::ALL.map(|f| (f.as_str(), f)),
                0,
            ),
            Field::line("output", "file", ""),
        ],
    )
    .with_notes(vec![
        "Counts by channel, outcome, venue and status, against the previous period.".into(),
        "Dates as YYYY-MM-DD. Left empty, the file is transparency-FROM-TO.FORMAT in the export \
         folder (export_dir); a bare name goes there too."
            .into(),
    ])
}

pub(super) fn add_member_form() -> Form {
    Form::new(
        "Add a member",
        Purpose::AddMember,
        vec![
            Field::line("name", "name", ""),
            Field::line("email", "email (optional)", ""),
            Field::choice(
                "role",
                "role",
                [Role::Member, Role::Chair].map(|r| (r.as_str(), r)),
                0,
            ),
            Field::line("key", "public key", ""),
        ],
    )
    .with_notes(vec![
        "The key: an ssh-ed25519 line, an age1... recipient, or the path of a .pub file.".into(),
        "The file is re-encrypted at once so that the new member can open it.".into(),
    ])
}

pub(super) fn remove_member_form(name: &str) -> Form {
    Form::new(
        format!("Remove {name}"),
        Purpose::RemoveMember(name.to_string()),
        vec![Field::line("reason", "reason (optional)", "")],
    )
    .with_notes(vec![
        format!("The file and its backup are re-encrypted at once without {name}'s key."),
        "This protects future versions only: copies of the file they already hold, exports they \
         received and history synced elsewhere stay readable to them."
            .into(),
        "Enter removes, Esc keeps them.".into(),
    ])
}

/// The expunge form of `code`: the approval of the expunge another member proposed (the
/// member types the code name to confirm), else a proposal. Both say exactly what goes, from
/// which files, and what stays.
pub(super) fn expunge_form(data: &CaseData, code: String) -> Form {
    let case = &data.case;
    let name = |id| {
        data.names
            .get(&id)
            .map(|n| crate::core::sanitize::inline(n).into_owned())
            .unwrap_or_else(|| "a former member".into())
    };
    let changes = data
        .timeline
        .iter()
        .filter(|e| {
            !matches!(
                e.kind,
                EventKind::CaseExpunged { .. }
                    | EventKind::ExpungeApproved { .. }
                    | EventKind::ExpungeApplied { .. }
                    | EventKind::CaseSealed { .. }
            )
        })
        .count();
    let gone = crate::core::retention::what_goes(changes);
    let waiting = case.pending.iter().find_map(|p| match &p.kind {
        EventKind::CaseExpunged { reason, note, .. } => Some((p.author, *reason, note.clone())),
        _ => None,
    });
    match waiting {
        Some((by, reason, note)) => Form::new(
            format!("Approve the expunge of {code}"),
            Purpose::ApproveExpunge(code.clone()),
            vec![Field::line("confirm", "code name", "")],
        )
        .with_notes(vec![
            format!(
                "{} proposed to expunge it ({}){}.",
                name(by),
                reason.as_str(),
                if note.is_empty() {
                    String::new()
                } else {
                    format!(": {}", crate::core::sanitize::inline(&note))
                }
            ),
            gone,
            format!("It cannot be undone. Type {code} to approve it."),
        ]),
        None => Form::new(
            format!("Propose to expunge {code}"),
            Purpose::Expunge(code),
            if case.sealed.is_some() {
                vec![Field::choice(
                    "reason",
                    "reason",
                    crate::core::retention::Reason::ALL.map(|r| (r.as_str(), r)),
                    0,
                )]
            } else {
                vec![
                    Field::choice(
                        "reason",
                        "reason",
                        crate::core::retention::Reason::ALL.map(|r| (r.as_str(), r)),
                        0,
                    ),
                    Field::text(
                        "note",
                        "note",
                        "Why, kept with the tombstone for good: say why, not who.",
                    ),
                ]
            },
        )
        .with_notes(vec![
            gone,
            if case.sealed.is_some() {
                "A sealed case's expunge takes no note: the tombstone is kept in plaintext, \
                 where the members kept out of it would read it."
                    .into()
            } else {
                "Nothing is erased until a second member approves it.".into()
            },
        ]),
    }
}
