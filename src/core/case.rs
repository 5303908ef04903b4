//! Cases: the incident reports a committee handles, and where each one is in the process.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A case's stable identifier. Committee members talk about cases by [`Case::code_name`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CaseId(pub Uuid);

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Where a case is in the committee's process (Kubernetes CoC committee incident process).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Received, not yet acknowledged.
    New,
    /// Acknowledged; severity, safety risk, scope and jurisdiction being assessed.
    Triage,
    /// Facts being gathered: interviews, evidence.
    Investigating,
    /// The committee is discussing; a vote is open.
    Deliberating,
    /// An outcome is recorded; communication may be pending.
    Decided,
    /// Done.
    Closed,
    /// Opened again after closure (new report or appeal).
    Reopened,
    /// Handed to another body (terminal).
    Transferred,
    /// Judged outside the code of conduct's scope (terminal).
    OutOfScope,
}

impl Status {
    /// Every status, in process order.
    pub const ALL: [Status; 9] = [
        Status::New,
        Status::Triage,
        Status::Investigating,
        Status::Deliberating,
        Status::Decided,
        Status::Closed,
        Status::Reopened,
        Status::Transferred,
        Status::OutOfScope,
    ];

    /// The name used in the file, on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Triage => "triage",
            Status::Investigating => "investigating",
            Status::Deliberating => "deliberating",
            Status::Decided => "decided",
            Status::Closed => "closed",
            Status::Reopened => "reopened",
            Status::Transferred => "transferred",
            Status::OutOfScope => "out-of-scope",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A status name casebook does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown status {0:?}")]
pub struct UnknownStatus(pub String);

impl FromStr for Status {
    type Err = UnknownStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| UnknownStatus(s.to_string()))
    }
}

/// How a report reached the committee.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Channel {
    /// An email to the committee's address.
    Email,
    /// A web form submission.
    Form,
    /// Told to a member in person.
    InPerson,
    /// A chat message.
    Chat,
    /// Passed on by event staff.
    EventStaff,
    /// Anything else.
    Other,
}

/// A case as the committee currently sees it, derived from its events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// Stable identifier.
    pub id: CaseId,
    /// Human code name such as `amber-kettle`, never derived from the content.
    pub code_name: String,
    /// Short title as the committee wrote it.
    pub title: String,
    /// Where the case is in the process.
    pub status: Status,
    /// When the report reached the committee.
    pub received_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_round_trips_through_its_name() {
        for status in Status::ALL {
            assert_eq!(status.as_str().parse::<Status>(), Ok(status));
        }
        assert!("open".parse::<Status>().is_err());
    }
}
