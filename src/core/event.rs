//! Events: every change to a case file, as an append-only record.
//!
//! Who (a roster member), when (UTC, the writer's clock), what (a kind and its payload), with a
//! UUID so that two members' copies can later be merged without loss. Current state is derived
//! from events; a correction is a new event that names the one it amends.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::case::{CaseId, Channel, Status};
use super::roster::{MemberId, Role};

/// One change, as stored in the file's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Unique identifier of this event.
    pub id: Uuid,
    /// The case it belongs to; `None` for committee-level events such as roster changes.
    pub case: Option<CaseId>,
    /// The roster member who made the change.
    pub author: MemberId,
    /// When the change was made, by the author's clock.
    pub at: DateTime<Utc>,
    /// An earlier event this one corrects, if any.
    pub amends: Option<Uuid>,
    /// What happened.
    pub kind: EventKind,
}

/// What an event records. Serialised as JSON with a `kind` tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum EventKind {
    /// The case file was created.
    FileCreated,
    /// A member joined the roster.
    MemberAdded {
        /// The new member.
        member: MemberId,
        /// Their name at the time.
        name: String,
        /// Their role.
        role: Role,
        /// The age recipient the file is now also encrypted to.
        recipient: String,
    },
    /// A recipient that is not a member (for example an offline escrow key) was added.
    RecipientAdded {
        /// The age recipient.
        recipient: String,
    },
    /// A report was received and a case opened for it.
    CaseOpened {
        /// The case's code name.
        code_name: String,
        /// Short title.
        title: String,
        /// How the report arrived.
        channel: Channel,
        /// When it arrived.
        received_at: DateTime<Utc>,
    },
    /// The case moved through the process.
    StatusChanged {
        /// Status before.
        from: Status,
        /// Status after.
        to: Status,
    },
    /// A member wrote a note on the case.
    NoteAdded {
        /// The note, as written.
        body: String,
    },
}

impl EventKind {
    /// The kind's name as stored in the file (the `kind` column).
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::FileCreated => "file-created",
            EventKind::MemberAdded { .. } => "member-added",
            EventKind::RecipientAdded { .. } => "recipient-added",
            EventKind::CaseOpened { .. } => "case-opened",
            EventKind::StatusChanged { .. } => "status-changed",
            EventKind::NoteAdded { .. } => "note-added",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_kind_name_matches_the_json_tag() {
        let kinds = [
            EventKind::FileCreated,
            EventKind::RecipientAdded {
                recipient: "age1x".into(),
            },
            EventKind::StatusChanged {
                from: Status::New,
                to: Status::Triage,
            },
            EventKind::NoteAdded { body: "b".into() },
        ];
        for kind in kinds {
            let json = serde_json::to_value(&kind).unwrap();
            assert_eq!(json["kind"], kind.name());
        }
    }
}
