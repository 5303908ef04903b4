//! The form each action on the open case asks for, one function an action, built from the case
//! and the committee's rules (see [`case_form`]).

use super::forms::{expunge_form, record_text_form, resolve_form};
use super::*;
use crate::core::event::ExcludeWhy;

/// The form an action on the open case asks for, if it asks for one.
pub(super) fn case_form(data: &CaseData, action: Action) -> Option<Form> {
    let code = data.case.code_name.clone();
    let my_conflict = data.me.and_then(|(me, _)| data.case.conflict_of(me));
    let outcomes = data.settings.ladder.outcomes();
    let proposed = data
        .case
        .proposal
        .as_ref()
        .and_then(|p| outcomes.iter().position(|o| *o == p.outcome))
        .unwrap_or(0);
    Some(match action {
        Action::Assign => assign_form(data, code),
        Action::Conflict if my_conflict.is_some() => return withdraw_conflict_form(data, code),
        Action::Seal => return seal_form(data, code),
        Action::GiveAccess => return give_access_form(data, code),
        Action::OpenContact => return open_contact_form(data, code),
        Action::Conflict => conflict_form(code),
        Action::AddParty => add_party_form(data, code),
        Action::Emergency => Form::new(
            format!("Emergency action on {code}"),
            Purpose::Emergency(code),
            vec![Field::line("action", "action taken", "")],
        )
        .with_notes(vec![
            "Another member must review it within 24 hours.".into(),
        ]),
        Action::ReviewEmergency => review_emergency_form(code),
        Action::Vote => vote_form(data, code),
        Action::Decide => Form::new(
            format!("Record the decision on {code}"),
            Purpose::Decide(code),
            vec![
                Field::names("outcome", "outcome", &outcomes, proposed),
                Field::text("rationale", "rationale", "Why the committee decided this."),
                Field::line("override", "override reason", ""),
            ],
        ),
        Action::Comms => comms_form(code),
        Action::Sanction => sanction_form(data, code),
        Action::Tell => tell_form(data, code),
        Action::SanctionStep => sanction_step_form(data, code),
        Action::Appeal => appeal_form(data, code),
        Action::Expunge => expunge_form(data, code),
        Action::Export => export_form(code),
        Action::Amend => return amend_form(data, code),
        Action::Resolve if !data.case.attention.is_empty() => resolve_on_case_form(data, code),
        Action::RecordText => record_text_form(data, &code),
        _ => return None,
    })
}

/// [`Action::Assign`]: see [`case_form`].
fn assign_form(data: &CaseData, code: String) -> Form {
    Form::new(
        format!("Assign on {code}"),
        Purpose::Assign(code),
        vec![
            Field::names("member", "member", &data.active, 0),
            Field::choice(
                "how",
                "",
                [
                    ("assign", Assignment::Assign),
                    ("take off", Assignment::TakeOff),
                ],
                0,
            ),
        ],
    )
}

/// [`Action::Conflict`]  when my_conflict.is_some(): see [`case_form`].
fn withdraw_conflict_form(data: &CaseData, code: String) -> Option<Form> {
    let my_conflict = data.me.and_then(|(me, _)| data.case.conflict_of(me));
    Some(
        Form::new(
            format!("Withdraw your conflict of interest on {code}"),
            Purpose::WithdrawConflict(code),
            vec![Field::line("reason", "reason (optional)", "")],
        )
        .with_notes(vec![
            format!(
                "You declared a {} conflict of interest on this case. Withdrawing it is \
             recorded in its timeline.",
                crate::core::describe::conflict_kind(my_conflict?)
            ),
            if data.sealed_from_me() {
                "The case stays sealed from you until a member who can read it gives you \
             access again."
                    .into()
            } else {
                "You may vote on it again.".into()
            },
        ]),
    )
}

/// [`Action::Seal`]: see [`case_form`].
fn seal_form(data: &CaseData, code: String) -> Option<Form> {
    let me = data.me.map(|(id, _)| id);
    let candidates: Vec<&str> = data
        .members
        .iter()
        .filter(|(id, _)| Some(*id) != me && data.case.readable_by(*id))
        .map(|(_, name)| name.as_str())
        .collect();
    if candidates.is_empty() {
        return None;
    }
    Some(
        Form::new(
            format!("Seal {code} from a member"),
            Purpose::Seal(code),
            vec![
                Field::names("member", "keep out", &candidates, 0),
                Field::choice(
                    "why",
                    "because",
                    [ExcludeWhy::Request, ExcludeWhy::Party, ExcludeWhy::Conflict]
                        .map(|w| (w.describe(), w)),
                    0,
                ),
            ],
        )
        .with_notes(vec![
            "The case's content is encrypted inside the file to the members who may read \
             it; the member kept out holds only its code name, status and dates."
                .into(),
            "To keep yourself out, declare a hard conflict (c) instead.".into(),
        ]),
    )
}

/// [`Action::GiveAccess`]: see [`case_form`].
fn give_access_form(data: &CaseData, code: String) -> Option<Form> {
    let candidates: Vec<&str> = data
        .members
        .iter()
        .filter(|(id, _)| !data.case.readable_by(*id))
        .map(|(_, name)| name.as_str())
        .collect();
    if data.case.sealed.is_none() || candidates.is_empty() {
        return None;
    }
    Some(
        Form::new(
            format!("Give access to {code}"),
            Purpose::GiveAccess(code),
            vec![Field::names("member", "member", &candidates, 0)],
        )
        .with_notes(vec![
            "An exclusion is lifted (not while the member declares a hard conflict), or a \
             member who joined after the case was sealed is given it."
                .into(),
        ]),
    )
}

/// [`Action::OpenContact`]: see [`case_form`].
fn open_contact_form(data: &CaseData, code: String) -> Option<Form> {
    let me = data.me.map(|(id, _)| id)?;
    let held: Vec<(String, usize)> = data
            .case
            .parties
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                matches!(p.identity, crate::core::party::Disclosure::Held { held_by, .. } if held_by == me)
            })
            .map(|(n, p)| (format!("{}. {}", n + 1, p.role.as_str()), n + 1))
            .collect();
    if held.is_empty() {
        return None;
    }
    Some(
        Form::new(
            format!("Open contact details on {code}"),
            Purpose::OpenContact(code),
            vec![Field::choice("party", "party", held, 0)],
        )
        .with_notes(vec![
            "They are sealed to your key alone. Opening them is recorded in the case's \
             timeline, for the committee to see."
                .into(),
        ]),
    )
}

/// [`Action::Conflict`]: see [`case_form`].
fn conflict_form(code: String) -> Form {
    Form::new(
        format!("Declare a conflict of interest on {code}"),
        Purpose::Conflict(code),
        vec![
            Field::choice(
                "kind",
                "kind",
                [("soft", ConflictKind::Soft), ("hard", ConflictKind::Hard)],
                0,
            ),
            Field::line("reason", "reason (optional)", ""),
        ],
    )
    .with_notes(vec![
        "soft: you may discuss the case but not vote on it.".into(),
        "hard: you will no longer see the case at all.".into(),
    ])
}

/// [`Action::AddParty`]: see [`case_form`].
fn add_party_form(data: &CaseData, code: String) -> Form {
    // Who may hold the party's contact details alone: a member who reads the case.
    let custodians = std::iter::once(("nobody".to_string(), None)).chain(
        data.members
            .iter()
            .filter(|(id, _)| data.case.readable_by(*id))
            .map(|(_, name)| (name.clone(), Some(name.clone()))),
    );
    Form::new(
        format!("Add a party to {code}"),
        Purpose::Party(code),
        vec![
            Field::choice("role", "role", PartyRole::ALL.map(|r| (r.as_str(), r)), 1),
            Field::choice(
                "identity",
                "known as",
                [
                    ("named", KnownAs::Named),
                    ("pseudonymous", KnownAs::Pseudonymous),
                    ("anonymous", KnownAs::Anonymous),
                    ("same person as", KnownAs::SameAs),
                ],
                0,
            ),
            Field::line("name", "name or alias", ""),
            Field::line("handle", "handle (optional)", ""),
            Field::line("email", "email (optional)", ""),
            Field::line("same_as", "same as (CODE:N)", ""),
            Field::choice("custodian", "contact held by", custodians, 0),
        ],
    )
    .with_notes(vec![
        "anonymous: the committee holds no identity; the custodian (you, unless you \
         choose one) holds the contact, outside casebook."
            .into(),
        "contact held by: a named party's name, handle and email are encrypted to that \
         member alone, and the others see who holds them (nobody: the file holds them \
         for every member who reads the case)."
            .into(),
        "same person as: party N of another case (CODE:N, numbered as its case lists them).".into(),
    ])
}

/// [`Action::ReviewEmergency`]: see [`case_form`].
fn review_emergency_form(code: String) -> Form {
    Form::new(
        format!("Review the emergency action on {code}"),
        Purpose::Review(code),
        vec![
            Field::choice(
                "result",
                "result",
                crate::core::event::ReviewResult::ALL.map(|r| (r.as_str(), r)),
                0,
            ),
            Field::text("note", "review", "Why it stands, or what changes."),
        ],
    )
    .with_notes(vec![
        "upheld: it stands as taken; changed: it stands, changed as the note says; \
         lifted: it no longer applies."
            .into(),
    ])
}

/// [`Action::Vote`]: see [`case_form`].
fn vote_form(data: &CaseData, code: String) -> Form {
    let outcomes = data.settings.ladder.outcomes();
    let proposed = data
        .case
        .proposal
        .as_ref()
        .and_then(|p| outcomes.iter().position(|o| *o == p.outcome))
        .unwrap_or(0);
    let outcomes = data.settings.ladder.outcomes();
    Form::new(
        format!("Vote on {code}"),
        Purpose::Vote(code),
        vec![
            Field::names("outcome", "outcome", &outcomes, proposed),
            Field::choice("ballot", "ballot", Ballot::ALL.map(|b| (b.as_str(), b)), 0),
        ],
    )
    .with_notes(vec![match &data.case.proposal {
        Some(p) => format!(
            "Proposed: {}. Another outcome replaces the proposal.",
            p.outcome
        ),
        None => "Nothing proposed yet: your vote proposes the outcome.".into(),
    }])
}

/// [`Action::Comms`]: see [`case_form`].
fn comms_form(code: String) -> Form {
    Form::new(
        format!("Log a message sent on {code}"),
        Purpose::Comms(code),
        vec![
            Field::choice("to", "sent to", Audience::ALL.map(|a| (a.as_str(), a)), 0),
            Field::line(
                "summary",
                "what it said (empty: the template below, filled)",
                "",
            ),
            Field::choice(
                "template",
                "template",
                [("none", None)]
                    .into_iter()
                    .chain(crate::core::comms::Step::ALL.map(|s| (s.as_str(), Some(s)))),
                0,
            ),
            Field::line("next", "next update", ""),
        ],
    )
}

/// [`Action::Sanction`]: see [`case_form`].
fn sanction_form(data: &CaseData, code: String) -> Form {
    Form::new(
        format!("Start a sanction on {code}"),
        Purpose::Sanction(code),
        vec![
            Field::names("step", "kind", data.settings.ladder.steps(), 0),
            Field::line("subject", "person", ""),
            Field::line("spaces", "spaces", ""),
            Field::line(
                "starts",
                "from",
                &chrono::Utc::now().date_naive().to_string(),
            ),
            Field::line("ends", "until", ""),
            Field::line("conditions", "to return", ""),
        ],
    )
    .with_notes(vec![
        "person: a handle or name, as the organisers know them. spaces: where it applies, \
         with commas (chat, repositories, events, mailing-lists...). until: the last day; \
         empty lasts until the committee reviews it. The organisers' list shows the person, \
         the spaces and the days; nothing about the case."
            .into(),
    ])
}

/// [`Action::Tell`]: see [`case_form`].
fn tell_form(data: &CaseData, code: String) -> Form {
    let open: Vec<(String, usize)> = data
        .case
        .sanctions
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.to_tell().is_empty())
        .map(|(i, s)| {
            (
                format!(
                    "{}. {} (to tell: {})",
                    i + 1,
                    s.step_name(),
                    s.to_tell().join(", ")
                ),
                i + 1,
            )
        })
        .collect();
    let whom: Vec<String> =
        data.case
            .sanctions
            .iter()
            .flat_map(|s| s.to_tell())
            .fold(Vec::new(), |mut all, w| {
                if !all.contains(&w) {
                    all.push(w);
                }
                all
            });
    Form::new(
        format!("Record who was told of a sanction on {code}"),
        Purpose::Tell(code),
        vec![
            Field::choice("sanction", "sanction", open, 0),
            Field::choice(
                "whom",
                "told",
                [("everyone still to tell".to_string(), None::<String>)]
                    .into_iter()
                    .chain(whom.into_iter().map(|w| (w.clone(), Some(w)))),
                0,
            ),
        ],
    )
}

/// [`Action::SanctionStep`]: see [`case_form`].
fn sanction_step_form(data: &CaseData, code: String) -> Form {
    let today = chrono::Utc::now().date_naive();
    let on: Vec<(String, usize)> = data
        .case
        .sanctions
        .iter()
        .enumerate()
        .filter(|(_, s)| s.lifted.is_none() && !s.over_on(today))
        .map(|(i, s)| (format!("{}. {}", i + 1, s.step_name()), i + 1))
        .collect();
    Form::new(
        format!("A sanction on {code}: review, extend, lift, breach"),
        Purpose::SanctionStep(code),
        vec![
            Field::choice("sanction", "sanction", on, 0),
            Field::choice(
                "step",
                "what",
                [
                    crate::core::sanction::Step::Reviewed,
                    crate::core::sanction::Step::Extended,
                    crate::core::sanction::Step::Lifted,
                    crate::core::sanction::Step::Breached,
                ]
                .map(|s| (s.as_str(), s)),
                0,
            ),
            Field::line("ends", "until", ""),
            Field::text("note", "note", "Why, or what happened."),
        ],
    )
    .with_notes(vec![
        "reviewed: it stands. extended: until is its new last day (empty: until the \
             committee reviews it). lifted: it ends now. breached: a new case is opened \
             for what happened."
            .into(),
    ])
}

/// [`Action::Appeal`]: see [`case_form`].
fn appeal_form(data: &CaseData, code: String) -> Form {
    Form::new(
        format!("Record an appeal of the decision on {code}"),
        Purpose::Appeal(code),
        vec![
            Field::choice(
                "grounds",
                "grounds",
                data.settings.grounds.iter().map(|g| (g.as_str(), g)),
                0,
            ),
            Field::text(
                "note",
                "appeal",
                "What the appellant says, in their words or in short.",
            ),
        ],
    )
    .with_notes(vec![
        "The case is reopened; the members who voted on or decided it are left out of the \
         appeal's vote and quorum."
            .into(),
    ])
}

/// [`Action::Export`]: see [`case_form`].
fn export_form(code: String) -> Form {
    Form::new(
        format!("Export a signed decision record of {code}"),
        Purpose::Export(code.clone()),
        vec![
            Field::choice(
                "profile",
                "for",
                [
                    Profile::Internal,
                    Profile::Reported,
                    Profile::Reporter,
                    Profile::Public,
                ]
                .map(|p| (p.as_str(), p)),
                0,
            ),
            Field::choice(
                "format",
                "format",
                RecordFormat::ALL.map(|f| (f.as_str(), f)),
                0,
            ),
            Field::line("output", "file", ""),
            Field::line("encrypt_to", "encrypt to (optional)", ""),
        ],
    )
    .with_notes(vec![
        "internal: everything. reported: no reporter or witnesses, no deliberation.".into(),
        "reporter: outcome and follow-up. public: anonymised, month dates.".into(),
        "encrypt to: age1... or ssh-ed25519 keys, separated by commas; the record and its \
         signature are then written encrypted, not as plaintext."
            .into(),
    ])
}

/// [`Action::Amend`]: see [`case_form`].
fn amend_form(data: &CaseData, code: String) -> Option<Form> {
    // The most recent entries with text, newest first.
    let entries: Vec<&Event> = data
        .timeline
        .iter()
        .rev()
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::NoteAdded { .. } | EventKind::ReportReceived { .. }
            )
        })
        .take(6)
        .collect();
    if entries.is_empty() {
        return None;
    }
    let options = entries.iter().map(|e| {
        let text = match &e.kind {
            EventKind::NoteAdded { body, .. } | EventKind::ReportReceived { body, .. } => {
                body.as_str()
            }
            _ => "",
        };
        let start: String = text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .take(40)
            .collect();
        (format!("{} {start}…", e.at.format("%m-%d %H:%M")), e.id)
    });
    Some(
        Form::new(
            format!("Correct an entry of {code}"),
            Purpose::Amend(code),
            vec![
                Field::choice("entry", "entry", options, 0),
                Field::text("body", "correction", "What was wrong, and what is right."),
            ],
        )
        .with_notes(vec![
            "Nothing is ever erased: the correction is recorded under the entry it amends.".into(),
        ]),
    )
}

/// [`Action::Resolve`]  when !data.case.attention.is_empty(): see [`case_form`].
fn resolve_on_case_form(data: &CaseData, code: String) -> Form {
    let name = |id| {
        data.names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| "a former member".into())
    };
    let items: Vec<(crate::core::attention::Attention, String)> = data
        .case
        .attention
        .iter()
        .map(|a| (a.clone(), name(a.by)))
        .collect();
    let first = data.case.decision.as_ref().map(|d| d.outcome.as_str());
    resolve_form(Some(code), &items, first)
}
