//! Case work: each request goes through the process rules in [`casebook_core::process`] as the
//! member who opened the file and becomes events, recorded (not yet saved).

use crate::OpenFile;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::{Error, acting_member, as_member, events_by, member_named};
use casebook_core::case::{Case, CaseId, Channel, Status};
use casebook_core::decision::Ballot;
use casebook_core::event::{
    Audience, ConflictKind, Details, Event, EventKind, ExcludeWhy, NoteKind, Profile,
};
use casebook_core::party::PartyRole;
use casebook_core::process;
use casebook_vault::CaseFile;

mod attachments;
mod change;
mod parties;
mod sanctions;
mod search;
mod settings;

pub use attachments::{attachment, private_dir, save_attachment};
pub use change::change;
pub use parties::{NewParty, linked_label, linked_members, open_contact, other_cases, same_person};
pub use sanctions::SanctionChange;
pub use search::{Found, Matched, search};
pub use settings::{SettingsChange, change_settings, message, set_space, set_template};

use parties::new_party;
use sanctions::{expunge_kind, sanction_kinds};

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
