//! A change to one case: what a member asks for, judged by the process rules as that member,
//! made into events and recorded (not yet saved).

use crate::OpenFile;
use chrono::{NaiveDate, Utc};
use uuid::Uuid;

use super::{
    CaseChange, Changed, Entry, NewParty, expunge_kind, find_entry, linked_members, message,
    new_party, sanction_kinds,
};
use crate::{Error, as_member, events_by, member_named};
use casebook_core::case::Case;
use casebook_core::event::{
    Audience, ConflictKind, Details, Event, EventKind, ExcludeWhy, NoteKind,
};
use casebook_core::party::PartyRole;
use casebook_core::process;
use casebook_vault::CaseFile;

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
