//! Case work: each request goes through the process rules in [`casebook_core::process`] as the
//! member who opened the file and becomes events, recorded (not yet saved).

use crate::OpenFile;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::{Error, acting_member, as_member, events_by, member_named};
use casebook_core::case::{Case, CaseId, Channel, Status};
use casebook_core::decision::Ballot;
use casebook_core::event::{
    Audience, ConflictKind, Details, Event, EventKind, ExcludeWhy, NoteKind, Profile,
};
use casebook_core::party::{Disclosure, Party, PartyId, PartyRole, PersonId};
use casebook_core::process::{self, Settings};
use casebook_core::roster::Role;
use casebook_vault::CaseFile;

/// One change to one case, as a member asks for it.
#[derive(Clone, Debug, PartialEq)]
pub enum CaseChange {
    /// Move the case to another status.
    Status(Status),
    /// Assign the member with this roster name.
    Assign(String),
    /// Take the member with this roster name off the case.
    Unassign(String),
    /// Declare the acting member's conflict of interest.
    Conflict {
        /// Hard (may not see the case) or soft (may not vote).
        kind: ConflictKind,
        /// Why, if given.
        reason: Option<String>,
    },
    /// Add a party.
    AddParty {
        /// Their role in the case.
        role: PartyRole,
        /// How they are known.
        who: NewParty,
    },
    /// Record an emergency action taken before the committee could meet.
    Emergency {
        /// What was done.
        action: String,
    },
    /// Review another member's emergency action.
    Review {
        /// The review.
        note: String,
        /// Upheld, changed or lifted.
        result: Option<casebook_core::event::ReviewResult>,
    },
    /// Withdraw the acting member's conflict of interest.
    WithdrawConflict {
        /// Why, if given.
        reason: Option<String>,
    },
    /// Vote on an outcome (the first vote proposes it).
    Vote {
        /// The outcome from the ladder.
        outcome: String,
        /// For, against or abstain.
        ballot: Ballot,
        /// Put a different outcome to the vote.
        propose: bool,
    },
    /// Record the decision.
    Decide {
        /// The outcome from the ladder.
        outcome: String,
        /// Why.
        rationale: String,
        /// A chair's reason to decide without the quorum rule being met.
        override_reason: Option<String>,
    },
    /// Log a message sent about the case.
    Message {
        /// To whom.
        to: Audience,
        /// What it said.
        summary: String,
        /// The day it promised the next update by, if it did.
        next_update_by: Option<NaiveDate>,
        /// With an empty summary: the message is the committee's template for this step,
        /// filled with what the case may show its audience (see [`message`]).
        template: Option<casebook_core::comms::Step>,
        /// A second member reviews it (`approve`) before it counts as sent.
        review: bool,
    },
    /// Add a note (or a correction of an earlier entry).
    Note {
        /// General, interview or deliberation.
        kind: NoteKind,
        /// The text.
        body: String,
        /// The entry this corrects, if any.
        amends: Option<Entry>,
    },
    /// Change the case's details.
    Edit(Details),
    /// Keep members out of the case: it is sealed from them (its content is encrypted in the
    /// file to the members who may read it).
    Exclude {
        /// Their roster names.
        members: Vec<String>,
        /// Why.
        why: ExcludeWhy,
    },
    /// Give the member with this roster name access to the sealed case (an exclusion lifted,
    /// or a member who joined after it was sealed).
    GiveAccess(String),
    /// Write (or confirm) the title and summary of the decision record for one audience or
    /// more (one change each, recorded together).
    RecordText(Vec<RecordText>),
    /// Start, tell of, review, extend, lift or record a breach of a sanction.
    Sanction(SanctionChange),
    /// Appeal the case's decision: the case is reopened, heard by members who did not decide.
    Appeal {
        /// Why.
        grounds: casebook_core::sanction::Ground,
        /// What the appellant says.
        note: String,
    },
    /// Propose to expunge the case (a second member approves).
    Expunge {
        /// Why.
        reason: casebook_core::retention::Reason,
        /// The proposer's note (kept with the tombstone: say why, not who).
        note: String,
    },
    /// Approve the expunge that waits on the case: its content is erased at the save.
    ApproveExpunge,
    /// Say this laptop applied the case's expunge and deleted casebook's leftovers of it.
    ExpungeApplied,
    /// Place a legal hold on expunging the case, or postpone the date its schedule gives.
    HoldExpunge {
        /// The last day it holds.
        until: chrono::NaiveDate,
        /// Why.
        reason: String,
        /// A legal hold, not a postponement.
        legal: bool,
    },
}

/// The event an expunge's change records on `case` (the rules judge it as it is made).
fn expunge_kind(file: &CaseFile, case: &Case, change: CaseChange) -> Result<EventKind, Error> {
    Ok(match change {
        CaseChange::Expunge { reason, note } => {
            let (manifest, seen) = file.expunge_manifest(case.id)?;
            EventKind::CaseExpunged {
                reason,
                note,
                seen,
                manifest,
                retained: Box::new(casebook_core::retention::retained(case)),
            }
        }
        CaseChange::ApproveExpunge => EventKind::ExpungeApproved {
            tombstone: case
                .pending
                .iter()
                .find(|p| matches!(p.kind, EventKind::CaseExpunged { .. }))
                .map(|p| p.id)
                .unwrap_or_default(),
        },
        CaseChange::HoldExpunge {
            until,
            reason,
            legal,
        } => EventKind::ExpungeHeld {
            until,
            reason,
            legal,
        },
        _ => EventKind::ExpungeApplied {
            tombstone: case
                .expunged
                .as_ref()
                .map(|x| x.tombstone)
                .unwrap_or_default(),
        },
    })
}

/// A change to a case's sanctions. Sanctions are numbered from 1 in the order they started,
/// as `sanction list` shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SanctionChange {
    /// Start a sanction the decision imposed.
    Start {
        /// A step of the ladder.
        step: String,
        /// The handle or name the people who enforce it know the person by.
        subject: String,
        /// Where it applies.
        spaces: Vec<String>,
        /// Its first day.
        starts: NaiveDate,
        /// Its last day; `None`: until reviewed.
        ends: Option<NaiveDate>,
        /// Conditions for return; empty for none.
        conditions: String,
    },
    /// Record that these were told of sanction `number`'s latest change.
    Tell {
        /// The sanction.
        number: usize,
        /// Spaces of the sanction, or "reported person"; all still to tell when empty.
        whom: Vec<String>,
    },
    /// The committee reviewed it; it stands.
    Review {
        /// The sanction.
        number: usize,
        /// The review.
        note: String,
    },
    /// Move its end.
    Extend {
        /// The sanction.
        number: usize,
        /// The new last day; `None`: until reviewed.
        ends: Option<NaiveDate>,
        /// Why.
        note: String,
    },
    /// End it now.
    Lift {
        /// The sanction.
        number: usize,
        /// Why.
        note: String,
    },
    /// The person broke it: recorded on the case, and a new case opened for what happened.
    Breach {
        /// The sanction.
        number: usize,
        /// What happened, in short.
        note: String,
    },
}

/// The title and summary of the decision record for one audience.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordText {
    /// The audience.
    pub profile: Profile,
    /// The record's title.
    pub title: String,
    /// What the record says happened; empty for none.
    pub summary: String,
}

/// A timeline entry, by id or by the start of its id as `case show` prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// The whole id.
    Id(Uuid),
    /// The start of an id.
    Prefix(String),
}

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

/// What a recorded change did.
#[derive(Clone, Debug)]
pub struct Changed {
    /// The case as it was before the change.
    pub before: Case,
    /// The events recorded.
    pub events: Vec<Event>,
    /// Committee members a party added looks like (same name or address): the case records
    /// the party as the first of them (see [`casebook_core::party::Party::member`]).
    pub linked: Vec<casebook_core::roster::Member>,
    /// A change recorded that waits for a second member who can read the case (its event):
    /// a keeping-out at the reporter's request made after the case was opened, a party
    /// recorded as a member in another role than the reported one, or a request that a party
    /// may read the case.
    pub waiting: Option<Uuid>,
    /// The code name of a case the change opened (a breach of a sanction opens one).
    pub opened: Option<String>,
}

/// Apply `change` to the case `code` as the member who opened `file` and record the events it
/// makes (not saved).
pub fn change(file: &mut OpenFile, code: &str, change: CaseChange) -> Result<Changed, Error> {
    let file = &mut file.file;
    let case = file.case_by_code(code)?;
    let roster = file.roster()?;
    let mut draft = Drafting {
        file,
        case,
        roster,
        amends: None,
        linked: Vec::new(),
        opened: None,
    };
    let case = &draft.case.clone();
    let (me, kinds) = match change {
        CaseChange::Status(to) => {
            draft.as_member(|actor| process::change_status(actor, case, to).map(one))?
        }
        CaseChange::Assign(name) => {
            let member = member_named(&draft.roster, &name)?;
            draft.as_member(|actor| process::assign(actor, case, &member).map(one))?
        }
        CaseChange::Unassign(name) => {
            let member = member_named(&draft.roster, &name)?;
            draft.as_member(|actor| process::unassign(actor, case, &member).map(one))?
        }
        CaseChange::Conflict { kind, reason } => draft.conflict(kind, reason)?,
        CaseChange::Exclude { members, why } => draft.exclude(&members, why)?,
        CaseChange::GiveAccess(name) => draft.give_access(&name)?,
        CaseChange::AddParty { role, who } => draft.add_party(role, who)?,
        CaseChange::Emergency { action } => {
            draft.as_member(|actor| process::record_emergency(actor, case, &action).map(one))?
        }
        CaseChange::Review { note, result } => draft
            .as_member(|actor| process::review_emergency(actor, case, &note, result).map(one))?,
        CaseChange::WithdrawConflict { reason } => {
            draft.as_member(|actor| process::withdraw_conflict(actor, case, reason).map(one))?
        }
        CaseChange::Vote {
            outcome,
            ballot,
            propose,
        } => draft.as_member(|actor| process::vote(actor, case, &outcome, ballot, propose))?,
        CaseChange::Decide {
            outcome,
            rationale,
            override_reason,
        } => draft.as_member(|actor| {
            let overridden = override_reason.as_deref();
            process::decide(actor, case, &outcome, &rationale, overridden).map(one)
        })?,
        CaseChange::RecordText(texts) => draft.as_member(|actor| {
            texts
                .iter()
                .map(|t| process::write_record_text(actor, case, t.profile, &t.title, &t.summary))
                .collect()
        })?,
        CaseChange::Message {
            to,
            summary,
            next_update_by,
            template,
            review,
        } => draft.message(to, summary, next_update_by, template, review)?,
        CaseChange::Note {
            kind,
            body,
            amends: entry,
        } => draft.note(kind, body, entry)?,
        CaseChange::Sanction(sanction) => {
            let kinds = sanction_kinds(draft.file, case, sanction, &mut draft.opened)?;
            draft.after_decision(kinds)?
        }
        CaseChange::Appeal { grounds, note } => {
            if note.trim().is_empty() {
                return Err(Error::Empty {
                    what: "appeal note",
                });
            }
            draft.after_decision(vec![EventKind::AppealOpened { grounds, note }])?
        }
        change @ (CaseChange::Expunge { .. }
        | CaseChange::ApproveExpunge
        | CaseChange::ExpungeApplied
        | CaseChange::HoldExpunge { .. }) => {
            let kind = expunge_kind(draft.file, case, change)?;
            draft.after_decision(vec![kind])?
        }
        CaseChange::Edit(changes) => {
            if changes == Details::default() {
                return Err(Error::NothingToChange);
            }
            draft.written(EventKind::DetailsChanged { changes })?
        }
    };
    draft.record(me, kinds)
}

/// A change to one case as it is drafted: the file, the case and the committee as they stand,
/// and what the change makes besides its events (the entry it amends, the members a party
/// looks like, a case it opens).
struct Drafting<'f> {
    file: &'f mut CaseFile,
    case: Case,
    roster: casebook_core::roster::Roster,
    amends: Option<Uuid>,
    linked: Vec<casebook_core::roster::Member>,
    opened: Option<String>,
}

/// The member who makes a change, and the kinds of its events.
type Made = (casebook_core::roster::Member, Vec<EventKind>);

impl Drafting<'_> {
    /// The events `rule` makes as the member who opened the file.
    fn as_member(
        &self,
        rule: impl FnOnce(process::Actor<'_>) -> Result<Vec<EventKind>, process::RuleError>,
    ) -> Result<Made, Error> {
        as_member(self.file, rule)
    }

    /// What a member writes on the case: they may work on it.
    fn written(&self, kind: EventKind) -> Result<Made, Error> {
        self.as_member(|actor| {
            process::change_details(actor, &self.case)?;
            Ok(vec![kind])
        })
    }

    /// What happens after the decision (a sanction's changes, an appeal, an expunge's steps),
    /// judged as of now.
    fn after_decision(&self, kinds: Vec<EventKind>) -> Result<Made, Error> {
        let now = Utc::now();
        self.as_member(|actor| {
            kinds
                .into_iter()
                .map(|kind| process::after_decision(actor, &self.case, kind, now))
                .collect()
        })
    }

    /// A conflict of interest declared; a hard one seals the case from the member at once,
    /// with a new case key.
    fn conflict(&mut self, kind: ConflictKind, reason: Option<String>) -> Result<Made, Error> {
        let case = &self.case;
        let (me, mut kinds) =
            self.as_member(|actor| process::declare_conflict(actor, kind, reason).map(one))?;
        if kind == ConflictKind::Hard && case.readable_by(me.id) {
            let mut declared = case.clone();
            for kind in &kinds {
                declared.apply(&Event {
                    id: Uuid::nil(),
                    case: Some(case.id),
                    author: me.id,
                    at: case.updated_at,
                    amends: None,
                    kind: kind.clone(),
                });
            }
            match as_member(self.file, |actor| {
                process::exclude(actor, &declared, &[&me], ExcludeWhy::Conflict)
            }) {
                Ok((_, resealing)) => kinds.push(self.file.reseal(case.id, resealing)?),
                // The only member: there is nobody to seal it for.
                Err(Error::Rule(process::RuleError::NoReaderLeft { .. })) => {}
                Err(e) => return Err(e),
            }
        }
        Ok((me, kinds))
    }

    /// Members kept out of the case: it is sealed again, to its other readers.
    fn exclude(&mut self, names: &[String], why: ExcludeWhy) -> Result<Made, Error> {
        let members = names
            .iter()
            .map(|name| member_named(&self.roster, name))
            .collect::<Result<Vec<_>, _>>()?;
        let refs: Vec<&casebook_core::roster::Member> = members.iter().collect();
        let (me, resealing) = as_member(self.file, |actor| {
            process::exclude(actor, &self.case, &refs, why)
        })?;
        Ok((me, vec![self.file.reseal(self.case.id, resealing)?]))
    }

    /// A member given access to the sealed case; a case about a member reaches them only
    /// when two readers agree: the first asks, another gives it.
    fn give_access(&mut self, name: &str) -> Result<Made, Error> {
        let case = &self.case;
        let member = member_named(&self.roster, name)?;
        let me = self.file.me().ok().flatten().map(|m| m.id);
        let asked_by_another = case.pending.iter().any(|p| {
            matches!(p.kind, EventKind::AccessRequested { member: m } if m == member.id)
                && Some(p.author) != me
        });
        if process::access_needs_request(case, member.id) && !asked_by_another {
            return self.as_member(|actor| process::request_access(actor, case, &member).map(one));
        }
        let (me, resealing) = as_member(self.file, |actor| {
            process::give_access(actor, case, &member)
        })?;
        Ok((me, vec![self.file.reseal(case.id, resealing)?]))
    }

    /// A party added. The party is recorded as the member they look like (not the member
    /// recording it: nobody is sealed out of a case by naming themselves): as the reported
    /// party, the member is kept out in the same change (no version they can read is saved);
    /// in another role, once a second reader approves.
    fn add_party(&mut self, role: PartyRole, who: NewParty) -> Result<Made, Error> {
        let mut party = new_party(self.file, role, who)?;
        let me = self.file.me()?.map(|m| m.id);
        self.linked = linked_members(&self.roster, &party)
            .into_iter()
            .filter(|m| Some(m.id) != me)
            .collect();
        party.member = self.linked.first().map(|m| m.id);
        let case = &self.case;
        let (me, mut kinds) = self.written(EventKind::PartyAdded {
            party: party.clone(),
        })?;
        if let (Some(member), PartyRole::Reported) = (self.linked.first(), role)
            && case.readable_by(member.id)
        {
            let mut recorded = case.clone();
            recorded.links.insert(member.id, role);
            recorded.parties.push(party);
            let (_, resealing) = as_member(self.file, |actor| {
                process::exclude(actor, &recorded, &[member], ExcludeWhy::Party)
            })?;
            kinds.push(self.file.reseal(case.id, resealing)?);
        }
        Ok((me, kinds))
    }

    /// A message logged; without a summary, the template of `template`'s step fills it.
    fn message(
        &mut self,
        to: Audience,
        summary: String,
        next_update_by: Option<NaiveDate>,
        template: Option<casebook_core::comms::Step>,
        review: bool,
    ) -> Result<Made, Error> {
        let (summary, next_update_by) = match template {
            Some(step) if summary.trim().is_empty() => {
                let code = self.case.code_name.clone();
                message(OpenFile::wrap(self.file), &code, to, step, next_update_by)?
            }
            _ if summary.trim().is_empty() => return Err(Error::Empty { what: "message" }),
            _ => (summary, next_update_by),
        };
        self.written(EventKind::CommunicationLogged {
            to,
            summary,
            next_update_by,
            review,
        })
    }

    /// A note, or a correction of an earlier entry of the case.
    fn note(&mut self, kind: NoteKind, body: String, entry: Option<Entry>) -> Result<Made, Error> {
        if body.trim().is_empty() {
            return Err(Error::Empty { what: "note" });
        }
        self.amends = entry
            .map(|e| find_entry(OpenFile::wrap_ref(self.file), &self.case, &e))
            .transpose()?;
        if let Some(id) = self.amends {
            check_amendable(self.file, &self.case, id)?;
        }
        self.written(EventKind::NoteAdded { body, note: kind })
    }

    /// Record the change's events: after a new key for the case first, when a reader has left
    /// the committee or the key was made by a member kept out (see `process::rekey_due`).
    fn record(
        self,
        me: casebook_core::roster::Member,
        mut kinds: Vec<EventKind>,
    ) -> Result<Changed, Error> {
        let case = self.case;
        if !kinds
            .iter()
            .any(|k| matches!(k, EventKind::CaseSealed { .. }))
            && let (_, Some(resealing)) =
                as_member(self.file, |actor| Ok(process::rekey_due(actor, &case)))?
        {
            kinds.insert(0, self.file.reseal(case.id, resealing)?);
        }
        let mut events = events_by(me.id, Some(case.id), kinds, None);
        // What a correction amends is the member's change, not a key replaced before it.
        if let Some(last) = events.last_mut() {
            last.amends = self.amends;
        }
        self.file.record(&events)?;
        let after = self.file.case_by_code(&case.code_name).ok();
        let waiting = events
            .iter()
            .find(|e| {
                after
                    .as_ref()
                    .is_some_and(|a| a.pending.iter().any(|p| p.id == e.id))
            })
            .map(|e| e.id);
        Ok(Changed {
            before: case,
            events,
            linked: self.linked,
            waiting,
            opened: self.opened,
        })
    }
}

/// The events a sanction change makes on `case` (not yet judged). A breach opens its own
/// case first (recorded here), sealed from the members the breached case is sealed from.
fn sanction_kinds(
    file: &mut CaseFile,
    case: &Case,
    change: SanctionChange,
    opened: &mut Option<String>,
) -> Result<Vec<EventKind>, Error> {
    let sanction = |number: usize| {
        number
            .checked_sub(1)
            .and_then(|i| case.sanctions.get(i))
            .ok_or_else(|| {
                Error::Rule(process::RuleError::NoSanction {
                    case: case.code_name.clone(),
                })
            })
    };
    let noted = |note: String, what: &'static str| {
        if note.trim().is_empty() {
            Err(Error::Empty { what })
        } else {
            Ok(note)
        }
    };
    Ok(match change {
        SanctionChange::Start {
            step,
            subject,
            spaces,
            starts,
            ends,
            conditions,
        } => {
            // Each space once, whatever its case ("Chat" and "chat" are one space).
            let mut unique: Vec<String> = Vec::new();
            for space in spaces.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
                if !unique.iter().any(|u| u.eq_ignore_ascii_case(space)) {
                    unique.push(space.to_string());
                }
            }
            let tell = casebook_core::sanction::checklist_for(&unique, file.committee()?.spaces());
            vec![EventKind::SanctionStarted {
                step,
                subject: subject.trim().to_string(),
                spaces: unique,
                starts,
                ends,
                conditions,
                tell,
            }]
        }
        SanctionChange::Tell { number, whom } => {
            let s = sanction(number)?;
            // As the checklist writes them, whatever the case they were typed in.
            let checklist = s.checklist();
            let whom: Vec<String> = whom
                .into_iter()
                .map(|w| {
                    let w = w.trim().to_string();
                    checklist
                        .iter()
                        .find(|c| c.to_lowercase() == w.to_lowercase())
                        .cloned()
                        .unwrap_or(w)
                })
                .collect();
            let mut whom = if whom.is_empty() { s.to_tell() } else { whom };
            let mut seen = std::collections::BTreeSet::new();
            whom.retain(|w| seen.insert(w.clone()));
            if whom.is_empty() {
                return Err(Error::Rule(process::RuleError::AllTold {
                    case: case.code_name.clone(),
                    step: s.step_name(),
                }));
            }
            whom.into_iter()
                .map(|whom| EventKind::SanctionTold {
                    sanction: s.id,
                    whom,
                })
                .collect()
        }
        SanctionChange::Review { number, note } => vec![EventKind::SanctionReviewed {
            sanction: sanction(number)?.id,
            note: noted(note, "review note")?,
        }],
        SanctionChange::Extend { number, ends, note } => vec![EventKind::SanctionExtended {
            sanction: sanction(number)?.id,
            ends,
            note: noted(note, "reason for the extension")?,
        }],
        SanctionChange::Lift { number, note } => vec![EventKind::SanctionLifted {
            sanction: sanction(number)?.id,
            note: noted(note, "reason for lifting it")?,
        }],
        SanctionChange::Breach { number, note } => {
            let s = sanction(number)?.clone();
            let note = noted(note, "note on the breach")?;
            // The breach's case is sealed from every member who cannot read this one (kept
            // out, or joined since it was sealed): its title and note speak of this case.
            let roster = file.roster()?;
            let kept_out: Vec<String> = roster
                .active()
                .filter(|m| !case.readable_by(m.id))
                .map(|m| m.name.clone())
                .collect();
            let code = open_linked(file, case, &s, &note, kept_out)?;
            let breach = file.case_by_code(&code)?.id;
            *opened = Some(code);
            vec![EventKind::SanctionBreached {
                sanction: s.id,
                note,
                breach: Some(breach),
            }]
        }
    })
}

/// Open the case a breach of `sanction` (on `case`) needs, sealed from `kept_out`.
fn open_linked(
    file: &mut CaseFile,
    case: &Case,
    sanction: &casebook_core::sanction::Sanction,
    note: &str,
    kept_out: Vec<String>,
) -> Result<String, Error> {
    let me = acting_member(file)?;
    let code_name = file.new_code_name(&mut rand::thread_rng())?;
    let kind = EventKind::CaseOpened {
        code_name: code_name.clone(),
        title: format!(
            "Breach of the {} on {}",
            sanction.step_name(),
            case.code_name
        ),
        summary: note.to_string(),
        channel: Channel::Other,
        received_at: Utc::now(),
    };
    let id = CaseId(Uuid::new_v4());
    let mut events = events_by(me.id, Some(id), vec![kind], None);
    events.extend(excluding(file, &events, &kept_out, ExcludeWhy::Named)?);
    file.record(&events)?;
    Ok(code_name)
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

/// A note corrects what members wrote or received as text: notes, reports, summaries,
/// communications, emergency actions and reviews, the decision's rationale. Votes, status
/// moves, assignments and the like are changed by new ones, not corrected.
fn check_amendable(file: &CaseFile, case: &Case, id: Uuid) -> Result<(), Error> {
    let timeline = file.timeline(case.id)?;
    let Some(event) = timeline.iter().find(|e| e.id == id) else {
        return Ok(());
    };
    match event.kind {
        EventKind::NoteAdded { .. }
        | EventKind::ReportReceived { .. }
        | EventKind::CaseOpened { .. }
        | EventKind::DetailsChanged { .. }
        | EventKind::CommunicationLogged { .. }
        | EventKind::EmergencyRecorded { .. }
        | EventKind::EmergencyReviewed { .. }
        | EventKind::DecisionRecorded { .. }
        | EventKind::PartyAdded { .. } => Ok(()),
        _ => Err(Error::NotAmendable {
            case: case.code_name.clone(),
            entry: casebook_core::describe::short_event(&id),
            kind: event.kind.name(),
        }),
    }
}

fn one(kind: EventKind) -> Vec<EventKind> {
    vec![kind]
}

/// A new case, as a member types it in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCase {
    /// Its title.
    pub title: String,
    /// A summary (may be empty).
    pub summary: String,
    /// How it came in.
    pub channel: Channel,
    /// When it came in (now when `None`).
    pub received_at: Option<DateTime<Utc>>,
    /// Members the reporter asked to be kept out (roster names): the case is sealed from them
    /// from its first event.
    pub exclude: Vec<String>,
}

/// Open a new case with a fresh code name (recorded, not saved); gives back its code name.
pub fn open(file: &mut OpenFile, case: NewCase) -> Result<String, Error> {
    let file = &mut file.file;
    let me = acting_member(file)?;
    let code_name = file.new_code_name(&mut rand::thread_rng())?;
    let kind = EventKind::CaseOpened {
        code_name: code_name.clone(),
        title: case.title,
        summary: case.summary,
        channel: case.channel,
        received_at: case.received_at.unwrap_or_else(Utc::now),
    };
    let id = CaseId(Uuid::new_v4());
    let mut events = events_by(me.id, Some(id), vec![kind], None);
    events.extend(excluding(
        file,
        &events,
        &case.exclude,
        ExcludeWhy::Request,
    )?);
    file.record(&events)?;
    Ok(code_name)
}

/// The `case-sealed` event that keeps `names` out of the case a new case's `events` open
/// (none for no names), by the acting member.
pub(crate) fn excluding(
    file: &mut CaseFile,
    events: &[Event],
    names: &[String],
    why: ExcludeWhy,
) -> Result<Vec<Event>, Error> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let Some(case) = Case::replay(events) else {
        return Ok(Vec::new());
    };
    let roster = file.roster()?;
    let members = names
        .iter()
        .map(|name| member_named(&roster, name))
        .collect::<Result<Vec<_>, _>>()?;
    let refs: Vec<&casebook_core::roster::Member> = members.iter().collect();
    let (me, resealing) = as_member(file, |actor| {
        process::exclude_in(actor, &case, &refs, why, true)
    })?;
    let kind = file.reseal(case.id, resealing)?;
    Ok(events_by(me.id, Some(case.id), vec![kind], None))
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

/// A change to the committee's rules; `None` keeps a setting as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SettingsChange {
    /// The outcome ladder.
    pub ladder: Option<casebook_core::decision::Ladder>,
    /// The quorum rule.
    pub quorum: Option<casebook_core::decision::QuorumRule>,
    /// Hours to acknowledge a report.
    pub acknowledge_hours: Option<u32>,
    /// Days to decide a case.
    pub decide_days: Option<u32>,
    /// Days within which a decision may be appealed.
    pub appeal_days: Option<u32>,
    /// Days before its end a sanction shows as ending.
    pub notice_days: Option<u32>,
    /// Days within which a reporter hears again while their case is open.
    pub update_days: Option<u32>,
    /// The grounds the committee hears appeals on.
    pub grounds: Option<Vec<casebook_core::sanction::Ground>>,
    /// Months after the decision or closing a case is due to be expunged (0: no schedule).
    pub retain_months: Option<u32>,
    /// Months for one outcome (0 takes the outcome's own figure away).
    pub retain_outcome: Vec<(String, u32)>,
    /// Days before its date a case shows in the expunge-due queue.
    pub expunge_notice_days: Option<u32>,
}

/// Change the committee's rules (chairs only); gives back the new settings (recorded, not
/// saved).
pub fn change_settings(file: &mut OpenFile, change: SettingsChange) -> Result<Settings, Error> {
    let file = &mut file.file;
    let me = acting_member(file)?;
    if me.role != Role::Chair {
        return Err(Error::Rule(process::RuleError::NotChair {
            member: me.name.clone(),
            what: "change the committee's rules",
        }));
    }
    let mut settings = file.settings();
    if let Some(ladder) = change.ladder {
        settings.ladder = ladder;
    }
    if let Some(quorum) = change.quorum {
        settings.quorum = quorum;
    }
    if let Some(hours) = change.acknowledge_hours {
        settings.acknowledge_hours = hours;
    }
    if let Some(days) = change.decide_days {
        settings.decide_days = days;
    }
    if let Some(days) = change.appeal_days {
        settings.appeal_days = days;
    }
    if let Some(days) = change.notice_days {
        settings.notice_days = days;
    }
    if let Some(days) = change.update_days {
        settings.update_days = days;
    }
    if let Some(grounds) = change.grounds {
        if grounds.is_empty() {
            return Err(Error::Empty {
                what: "list of appeal grounds",
            });
        }
        settings.grounds = grounds.into();
    }
    // A hundred years: past that, no date is a date anyone keeps a record until.
    const MOST: u32 = 1_200;
    for months in change
        .retain_months
        .iter()
        .chain(change.retain_outcome.iter().map(|(_, m)| m))
    {
        if *months > MOST {
            return Err(Error::TooManyMonths {
                months: *months,
                most: MOST,
            });
        }
    }
    if let Some(months) = change.retain_months {
        settings.retention.months = (months > 0).then_some(months);
    }
    for (outcome, months) in change.retain_outcome {
        if !settings.ladder.allows(&outcome) {
            return Err(Error::Rule(process::RuleError::UnknownOutcome {
                outcome,
                ladder: settings.ladder,
                allowed: settings.ladder.outcomes(),
            }));
        }
        if months == 0 {
            settings.retention.by_outcome.remove(&outcome);
        } else {
            settings.retention.by_outcome.insert(outcome, months);
        }
    }
    if let Some(days) = change.expunge_notice_days {
        settings.retention.notice_days = days;
    }
    let kind = EventKind::SettingsChanged {
        ladder: settings.ladder,
        quorum: settings.quorum,
        acknowledge_hours: settings.acknowledge_hours,
        decide_days: settings.decide_days,
        appeal_days: settings.appeal_days,
        notice_days: settings.notice_days,
        update_days: settings.update_days,
        grounds: settings.grounds,
        retention: settings.retention.clone(),
    };
    file.record(&events_by(me.id, None, vec![kind], None))?;
    Ok(settings)
}

/// Set the committee's template for messages to `to` at `step` (chairs only; recorded, not
/// saved).
pub fn set_template(
    file: &mut OpenFile,
    to: Audience,
    step: casebook_core::comms::Step,
    text: String,
) -> Result<(), Error> {
    let file = &mut file.file;
    let me = acting_member(file)?;
    if me.role != Role::Chair {
        return Err(Error::Rule(process::RuleError::NotChair {
            member: me.name.clone(),
            what: "change the committee's message templates",
        }));
    }
    casebook_core::comms::judge(to, &text)?;
    let kind = EventKind::TemplateSet { to, step, text };
    file.record(&events_by(me.id, None, vec![kind], None))?;
    Ok(())
}

/// Set who must be told when a sanction applies in `space` (chairs only; recorded, not
/// saved); no one: the space's own name again.
pub fn set_space(file: &mut OpenFile, space: &str, tell: Vec<String>) -> Result<(), Error> {
    let file = &mut file.file;
    let me = acting_member(file)?;
    if me.role != Role::Chair {
        return Err(Error::Rule(process::RuleError::NotChair {
            member: me.name.clone(),
            what: "change the committee's checklist for sanctions",
        }));
    }
    let tell: Vec<String> = tell
        .iter()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    if space.trim().is_empty() {
        return Err(Error::Empty { what: "space" });
    }
    let kind = EventKind::SpaceSet {
        space: space.trim().to_string(),
        tell,
    };
    file.record(&events_by(me.id, None, vec![kind], None))?;
    Ok(())
}

/// The message to `to` at `step` on case `code`: the committee's template filled with what
/// the case may show that audience, and the day it promises the next update by (the one
/// given, or the committee's update interval from today) when it names one.
pub fn message(
    file: &mut OpenFile,
    code: &str,
    to: Audience,
    step: casebook_core::comms::Step,
    next_update: Option<NaiveDate>,
) -> Result<(String, Option<NaiveDate>), Error> {
    let file = &mut file.file;
    let case = readable(file, code)?;
    match step {
        casebook_core::comms::Step::Decision if case.decision.is_none() => {
            return Err(Error::Rule(process::RuleError::NoDecision {
                case: case.code_name.clone(),
                what: "a message about it",
            }));
        }
        casebook_core::comms::Step::AppealOutcome
            if case.appeal.as_ref().is_none_or(|a| a.is_open()) =>
        {
            return Err(Error::Rule(process::RuleError::NoAppealDecision {
                case: case.code_name.clone(),
            }));
        }
        _ => {}
    }
    let timeline = file.timeline(case.id)?;
    let template = file.committee()?.template(to, step);
    let settings = file.settings();
    let appeal = casebook_export::appeal_text(&case, settings.appeal_days, settings.grounds);
    let next_update = casebook_core::comms::placeholders(&template)
        .iter()
        .any(|p| p == "next_update")
        .then(|| {
            next_update.unwrap_or_else(|| {
                casebook_core::dates::plus_days(Utc::now().date_naive(), settings.update_days)
            })
        })
        .or(next_update);
    let fields =
        casebook_core::comms::Fields::for_audience(&case, &timeline, to, Some(appeal), next_update);
    Ok((fields.fill(&template), next_update))
}

/// The case `code` if the member who opened `file` may read it (not with a hard conflict).
pub(crate) fn readable(file: &mut CaseFile, code: &str) -> Result<Case, Error> {
    let case = file.case_by_code(code)?;
    if let Some(me) = file.me()? {
        if !case.readable_by(me.id) {
            return Err(Error::Rule(process::RuleError::SealedFrom {
                case: case.code_name.clone(),
                member: me.name.clone(),
            }));
        }
        if case.conflict_of(me.id) == Some(ConflictKind::Hard) {
            return Err(Error::Rule(process::RuleError::HardConflict {
                case: case.code_name.clone(),
                member: me.name.clone(),
            }));
        }
    }
    Ok(case)
}

/// What a search found in a case.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Matched {
    /// The case's code name.
    CodeName,
    /// A party's name, handle or alias.
    Party,
    /// A member assigned to the case.
    Assignee,
    /// A timeline entry's text.
    Entry,
}

impl Matched {
    /// What matched, in words.
    pub fn describe(&self) -> &'static str {
        match self {
            Matched::CodeName => "code name",
            Matched::Party => "party",
            Matched::Assignee => "assigned to",
            Matched::Entry => "entry",
        }
    }
}

/// A search hit in a case the member may read.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Found {
    /// The case's code name.
    pub code_name: String,
    /// The matching timeline entry (`None` when the case itself matched).
    pub event: Option<Uuid>,
    /// The matching text, raw, the match between \u{1} and \u{2}.
    pub snippet: String,
    /// What matched.
    pub matched: Matched,
}

/// Search every case the member may read; never a case they have a hard conflict on. Cases
/// whose code name matches come first (the whole name, then its words), then cases a party
/// or an assigned member of which matches, then timeline entries by rank. Code names are
/// found for every case in the member's list (a case sealed from them opens as what their
/// copy holds); parties and members only where the member reads the case.
pub fn search(file: &mut OpenFile, query: &str, limit: usize) -> Result<Vec<Found>, Error> {
    let file = &mut file.file;
    use casebook_core::snippet::{Terms, snippet};
    let me = file.me()?.map(|m| m.id);
    let terms = Terms::new(query);
    let roster = file.roster()?;
    let hits = file.search(query, limit)?;
    let cases = file.cases()?;
    let hidden =
        |case: &Case| me.is_some_and(|me| case.conflict_of(me) == Some(ConflictKind::Hard));
    let readable = |case: &Case| !hidden(case) && me.is_none_or(|me| case.readable_by(me));
    let mut found: Vec<(u8, Found)> = Vec::new();
    if !terms.is_empty() {
        let whole = query.trim().to_lowercase();
        for case in cases.values().filter(|c| !hidden(c)) {
            let code = &case.code_name;
            if code.to_lowercase() == whole || terms.all_in(code) {
                let exact = u8::from(code.to_lowercase() != whole);
                found.push((
                    exact,
                    Found {
                        code_name: code.clone(),
                        event: None,
                        snippet: snippet(code, &terms),
                        matched: Matched::CodeName,
                    },
                ));
                continue;
            }
            if !readable(case) {
                continue;
            }
            let party = case.parties.iter().find_map(|p| {
                let label = match &p.identity {
                    casebook_core::party::Disclosure::Named { .. }
                    | casebook_core::party::Disclosure::Pseudonymous { .. } => p.label(),
                    _ => return None,
                };
                terms
                    .all_in(&label)
                    .then(|| format!("{} ({})", snippet(&label, &terms), p.role))
            });
            let assignee = || {
                case.assignees.iter().find_map(|id| {
                    let name = &roster.get(*id)?.name;
                    terms.all_in(name).then(|| snippet(name, &terms))
                })
            };
            let (matched, text) = match (party, assignee()) {
                (Some(text), _) => (Matched::Party, text),
                (None, Some(text)) => (Matched::Assignee, text),
                (None, None) => continue,
            };
            found.push((
                2,
                Found {
                    code_name: code.clone(),
                    event: None,
                    snippet: text,
                    matched,
                },
            ));
        }
    }
    found.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| a.1.code_name.cmp(&b.1.code_name))
    });
    let mut found: Vec<Found> = found.into_iter().map(|(_, f)| f).collect();
    found.extend(hits.into_iter().filter_map(|hit| {
        let case = cases.get(&hit.case)?;
        if !readable(case) {
            return None;
        }
        Some(Found {
            code_name: case.code_name.clone(),
            event: Some(hit.event),
            snippet: hit.snippet,
            matched: Matched::Entry,
        })
    }));
    found.truncate(limit);
    Ok(found)
}

/// The timeline entry of `case` that `entry` names.
pub fn find_entry(file: &OpenFile, case: &Case, entry: &Entry) -> Result<Uuid, Error> {
    let file = &file.file;
    let timeline = file.timeline(case.id)?;
    let prefix = match entry {
        Entry::Id(id) if timeline.iter().any(|e| e.id == *id) => return Ok(*id),
        Entry::Id(id) => id.to_string(),
        Entry::Prefix(prefix) => prefix.to_lowercase(),
    };
    let matches: Vec<Uuid> = timeline
        .iter()
        .map(|e| e.id)
        .filter(|id| id.to_string().starts_with(&prefix))
        .collect();
    match matches.as_slice() {
        [one] => Ok(*one),
        [] => Err(Error::NoSuchEntry {
            case: case.code_name.clone(),
            prefix,
        }),
        _ => Err(Error::AmbiguousEntry {
            case: case.code_name.clone(),
            prefix,
        }),
    }
}

/// The party `who` would be in a case, with a fresh id.
fn new_party(file: &mut CaseFile, role: PartyRole, who: NewParty) -> Result<Party, Error> {
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

/// The bytes of attachment `sha256` of case `code` (plaintext, wiped on drop), if the member
/// may read the case and the attachment is one of its reports'.
pub fn attachment(
    file: &mut OpenFile,
    code: &str,
    sha256: &str,
) -> Result<zeroize::Zeroizing<Vec<u8>>, Error> {
    let file = &mut file.file;
    let case = readable(file, code)?;
    let listed = file.timeline(case.id)?.iter().any(|e| match &e.kind {
        casebook_core::event::EventKind::ReportReceived { attachments, .. } => {
            attachments.iter().any(|a| a.sha256 == sha256)
        }
        _ => false,
    });
    let missing = || Error::NoSuchEntry {
        case: case.code_name.clone(),
        prefix: format!("attachment {sha256}"),
    };
    if !listed {
        return Err(missing());
    }
    file.attachment(sha256)?.ok_or_else(missing)
}

/// Write attachment `sha256` of case `code` to `path` as plaintext: a new file (never over
/// an existing one), mode 0600, in a folder created 0700 if it is missing.
pub fn save_attachment(
    file: &mut OpenFile,
    code: &str,
    sha256: &str,
    path: &std::path::Path,
) -> Result<(), Error> {
    let file = &mut file.file;
    let bytes = attachment(OpenFile::wrap(file), code, sha256)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        private_dir(dir)?;
    }
    casebook_vault::write_new(path, &bytes, 0o600)?;
    Ok(())
}

/// Make sure `dir` exists; a folder it creates is private to the member (0700).
pub fn private_dir(dir: &std::path::Path) -> Result<(), Error> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| {
            Error::Vault(casebook_vault::Error::Write {
                path: dir.to_path_buf(),
                source: e,
            })
        })
}
