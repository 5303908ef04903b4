//! A case file opened by an active member to change it: the one path every mutating command
//! takes (open with the writer's lock, check the process rules as that member, record events,
//! save atomically).

use std::path::{Path, PathBuf};

use chrono::Utc;
use uuid::Uuid;

use super::{Error, load_identity};
use crate::cli::Config;
use crate::core::case::CaseId;
use crate::core::event::{Event, EventKind};
use crate::core::process::{Actor, RuleError};
use crate::core::roster::{Member, MemberId, Roster};
use crate::vault::{CaseFile, Identity, OpenMode};

/// An open case file, the member changing it, and the roster as it was opened.
pub(super) struct Change {
    pub(super) file: CaseFile,
    pub(super) identity: Identity,
    pub(super) me: Member,
    pub(super) roster: Roster,
}

impl Change {
    /// Open `path` for writing as the member whose key the config names.
    pub(super) fn open(config: &Config, path: &Path) -> Result<Change, Error> {
        let identity = load_identity(config)?;
        let file = CaseFile::open(path, &identity, OpenMode::ReadWrite)?;
        let me = file.me()?.ok_or_else(|| Error::NotAMember {
            file: path.to_path_buf(),
        })?;
        let roster = file.roster()?;
        Ok(Change {
            file,
            identity,
            me,
            roster,
        })
    }

    /// Apply a process rule as this member, under the file's settings.
    pub(super) fn rule<T>(
        &self,
        rule: impl FnOnce(Actor<'_>) -> Result<T, RuleError>,
    ) -> Result<T, Error> {
        let settings = self.file.settings();
        Ok(rule(Actor {
            member: &self.me,
            roster: &self.roster,
            settings: &settings,
        })?)
    }

    /// Events by this member, now, on `case` (or committee-wide).
    pub(super) fn events(
        &self,
        case: Option<CaseId>,
        kinds: Vec<EventKind>,
        amends: Option<Uuid>,
    ) -> Vec<Event> {
        events_by(self.me.id, case, kinds, amends)
    }

    /// Record `kinds` on `case` (or committee-wide) and save (or save as a new file).
    pub(super) fn commit(
        mut self,
        case: Option<CaseId>,
        kinds: Vec<EventKind>,
        amends: Option<Uuid>,
        save_as: Option<&PathBuf>,
    ) -> Result<(), Error> {
        let events = self.events(case, kinds, amends);
        self.file.record(&events)?;
        match save_as {
            Some(path) => self.file.save_as(path, &self.identity)?,
            None => self.file.save(&self.identity)?,
        };
        Ok(())
    }

    /// The roster member with this name (active or not).
    pub(super) fn member_named(&self, name: &str) -> Result<Member, Error> {
        super::member_named(&self.roster, name)
    }
}

/// The active member whose key opened `file`.
pub(crate) fn acting_member(file: &CaseFile) -> Result<Member, Error> {
    file.me()?.ok_or_else(|| Error::NotAMember {
        file: file.label().into(),
    })
}

/// Apply a process rule as the active member whose key opened `file`, under the file's
/// roster and settings as they are now; gives back that member with the rule's result.
pub(crate) fn as_member<T>(
    file: &CaseFile,
    rule: impl FnOnce(Actor<'_>) -> Result<T, RuleError>,
) -> Result<(Member, T), Error> {
    let me = acting_member(file)?;
    let roster = file.roster()?;
    let settings = file.settings();
    let result = rule(Actor {
        member: &me,
        roster: &roster,
        settings: &settings,
    })?;
    Ok((me, result))
}

/// Events by `author`, now, on `case` (or committee-wide), each with a fresh id.
pub(crate) fn events_by(
    author: MemberId,
    case: Option<CaseId>,
    kinds: Vec<EventKind>,
    amends: Option<Uuid>,
) -> Vec<Event> {
    let now = Utc::now();
    kinds
        .into_iter()
        .map(|kind| Event {
            id: Uuid::new_v4(),
            case,
            author,
            at: now,
            amends,
            kind,
        })
        .collect()
}
