//! What a merge brought together that the process rules do not allow together. Two copies of
//! a case file can each record a change the other never saw: a decision on both, a status move
//! from a status the case had already left, a vote by a member who had meanwhile declared a
//! conflict. Replaying the merged history keeps every event (nothing is lost) but does not
//! pick a winner silently: the change that would break a rule is held as an [`Attention`]
//! item, shown on the case and in the "needs attention" queue, until a member records an
//! `AttentionResolved` event for it.
//!
//! A history one copy wrote alone never produces an item: the rules refuse such changes
//! before they are recorded (see [`super::process`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::case::{CaseId, Status};
use super::event::ConflictKind;
use super::roster::MemberId;

/// One change that needs a member's attention.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attention {
    /// The event it is about (what a resolution names).
    pub event: Uuid,
    /// Who recorded that event.
    pub by: MemberId,
    /// When (their claim).
    pub at: DateTime<Utc>,
    /// What is wrong with it.
    pub what: Trouble,
}

/// Why a merged change needs attention.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Trouble {
    /// A decision recorded on another copy while this case was already decided (or no longer
    /// in deliberation). The first decision stands until a resolution keeps this one.
    Decision {
        /// Its outcome.
        outcome: String,
        /// Its rationale.
        rationale: String,
        /// A chair's override reason, if any.
        override_reason: Option<String>,
        /// The status the case had when this decision reached it.
        found: Status,
    },
    /// A status move from a status the case had already left on another copy; not applied.
    StatusMove {
        /// The move's starting status, as recorded.
        from: Status,
        /// Where it moved.
        to: Status,
        /// The status the case had when the move reached it.
        found: Status,
    },
    /// Work by a member who had declared a conflict of interest on another copy (a vote by a
    /// conflicted member is not counted).
    ConflictedWork {
        /// The conflict they had declared.
        conflict: ConflictKind,
        /// What they did (the event's kind name).
        change: String,
    },
    /// Two cases were opened on different copies with the same code name: the one opened
    /// later was renamed (deterministically), and both cases say so.
    CodeName {
        /// The name both chose.
        chosen: String,
        /// The other case.
        other: CaseId,
        /// Whether this is the case that was renamed.
        renamed: bool,
    },
    /// A change by a member who was removed from the committee, or whose key was replaced, on
    /// another copy at the same time (made before the removal reached them). Kept; a roster
    /// change in it is not applied.
    RemovedElsewhere {
        /// Removed (true) or their key replaced (false).
        removed: bool,
    },
    /// A roster or rules change that the merged roster does not allow (two members given one
    /// address or key, say); not applied.
    RosterChange {
        /// Why it cannot apply.
        why: String,
    },
    /// A signed change the committee's rules do not allow: kept in the history, not applied.
    NotApplied {
        /// Why, in the rules' words.
        why: String,
        /// Allowed where its author made it, but not together with a change made at the same
        /// time on another copy (rather than forbidden outright).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        concurrent: bool,
    },
}

impl Trouble {
    /// One line for a queue or a case screen (names are the caller's to add).
    pub fn summary(&self) -> String {
        match self {
            Trouble::Decision { outcome, .. } => format!(
                "a decision ({outcome}) made at the same time as another one on another copy; \
                 neither stands until a member says which does"
            ),
            Trouble::StatusMove { from, to, found } => format!(
                "a status move {from} -> {to}, made on one copy while another had moved the \
                 case to {found} (not applied)"
            ),
            Trouble::ConflictedWork { conflict, change } => format!(
                "{change} by a member with a {} conflict of interest{}",
                match conflict {
                    ConflictKind::Hard => "hard",
                    ConflictKind::Soft => "soft",
                },
                if change == "vote-cast" {
                    " (not counted)"
                } else {
                    ""
                }
            ),
            Trouble::CodeName {
                chosen, renamed, ..
            } => {
                if *renamed {
                    format!("renamed: another case opened first as {chosen} on another copy")
                } else {
                    format!("another case was opened as {chosen} on another copy and renamed")
                }
            }
            Trouble::RemovedElsewhere { removed: true } => {
                "a change by a member who was removed from the committee on another copy".into()
            }
            Trouble::RemovedElsewhere { removed: false } => {
                "a change signed with a key that was replaced on another copy".into()
            }
            Trouble::RosterChange { why } => format!("a roster change that cannot apply: {why}"),
            Trouble::NotApplied {
                why,
                concurrent: false,
            } => format!("not applied: {why}"),
            Trouble::NotApplied {
                why,
                concurrent: true,
            } => format!(
                "not applied: {why} (made on a copy that had not seen the change before it)"
            ),
        }
    }
}
