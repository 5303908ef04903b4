//! What `casebook info` shows about an open file: its roster, its other recipients, whom the
//! file on disk is encrypted to, and how many cases are in each status.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::CaseFile;
use crate::{Error, keys, store};
use casebook_core::case::Status;
use casebook_core::roster::Role;

/// Whether the file on disk can be decrypted by a member's key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EncryptedTo {
    /// The header holds a stanza for this key.
    Yes,
    /// It does not.
    No,
    /// Cannot be told from outside: age X25519 stanzas do not name their recipient.
    Unknown,
}

/// A roster entry as `casebook info` shows it.
#[derive(Clone, Debug, Serialize)]
pub struct MemberSummary {
    /// Name.
    pub name: String,
    /// Contact address.
    pub email: Option<String>,
    /// Chair or member.
    pub role: Role,
    /// `ssh-ed25519` or `age-x25519`.
    pub key_type: &'static str,
    /// Key fingerprint (`SHA256:...`, or the age recipient).
    pub fingerprint: String,
    /// On the committee now.
    pub active: bool,
    /// Joined.
    pub added_at: DateTime<Utc>,
    /// Left, if they did.
    pub removed_at: Option<DateTime<Utc>>,
    /// Whether the file as opened is encrypted to this member's key.
    pub encrypted_to: EncryptedTo,
}

/// A recipient that is not a member, as `casebook info` shows it.
#[derive(Clone, Debug, Serialize)]
pub struct RecipientSummary {
    /// `ssh-ed25519` or `age-x25519`.
    pub key_type: &'static str,
    /// Key fingerprint.
    pub fingerprint: String,
    /// Whether the file as opened is encrypted to it.
    pub encrypted_to: EncryptedTo,
}

/// Everything `casebook info` prints.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// The file, or the demo's label.
    pub file: String,
    /// `PRAGMA user_version` of the database.
    pub schema_version: i64,
    /// The member whose identity opened the file, if it is a roster key.
    pub opened_as: Option<String>,
    /// The roster.
    pub members: Vec<MemberSummary>,
    /// Recipients that are not members.
    pub extra_recipients: Vec<RecipientSummary>,
    /// Number of recipient stanzas in the file's header.
    pub header_stanzas: usize,
    /// Number of cases.
    pub case_count: u64,
    /// Cases per status, every status listed.
    pub cases_by_status: Vec<StatusCount>,
    /// The committee's fingerprint (`None`: written before signed history).
    pub committee: Option<String>,
    /// The newest commit of the verified history.
    pub head: Option<String>,
    /// How many commits the history has.
    pub commits: usize,
    /// When this laptop had last verified history at this path, before this open.
    pub last_verified: Option<chrono::DateTime<chrono::Utc>>,
    /// Set when this is an older copy than one this laptop verified at this path.
    pub older_copy: Option<String>,
}

/// How many cases are in one status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct StatusCount {
    /// The status.
    pub status: Status,
    /// Cases in it.
    pub count: u64,
}

impl CaseFile {
    /// What `casebook info` shows.
    pub fn summary(&self) -> Result<Summary, Error> {
        let roster = self.roster()?;
        let extra = store::extra_recipients(&self.conn).map_err(|e| self.db_error(e))?;
        let cases_by_status = store::cases_by_status(&self.conn).map_err(|e| self.db_error(e))?;
        let schema_version: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(|e| self.db_error(e))?;
        let members = roster
            .members()
            .iter()
            .map(|m| MemberSummary {
                name: m.name.clone(),
                email: m.email.clone(),
                role: m.role,
                key_type: keys::kind_of(&m.recipient),
                fingerprint: keys::fingerprint(&m.recipient),
                active: m.is_active(),
                added_at: m.added_at,
                removed_at: m.removed_at,
                encrypted_to: self.encrypted_to(&m.recipient),
            })
            .collect();
        let extra_recipients = extra
            .iter()
            .map(|r| RecipientSummary {
                key_type: keys::kind_of(r),
                fingerprint: keys::fingerprint(r),
                encrypted_to: self.encrypted_to(r),
            })
            .collect();
        Ok(Summary {
            file: self.label(),
            schema_version,
            opened_as: roster
                .active_by_recipient(&self.opener)
                .map(|m| m.name.clone()),
            members,
            extra_recipients,
            header_stanzas: self.stanzas.len(),
            case_count: cases_by_status.iter().map(|(_, n)| n).sum(),
            cases_by_status: cases_by_status
                .into_iter()
                .map(|(status, count)| StatusCount { status, count })
                .collect(),
            committee: self.trust.fingerprint.clone(),
            head: self.trust.head.clone(),
            commits: self.trust.commits,
            last_verified: self.trust.last_verified,
            older_copy: self.trust.older.clone(),
        })
    }

    /// Whether the file as last opened or saved is encrypted to `recipient`, judged from its
    /// header: ssh-ed25519 stanzas carry a tag of their key; X25519 stanzas are anonymous.
    fn encrypted_to(&self, recipient: &str) -> EncryptedTo {
        if self.stanzas.is_empty() {
            return EncryptedTo::Unknown;
        }
        if recipient == self.opener {
            return EncryptedTo::Yes;
        }
        if recipient.starts_with("age1") {
            return if self.stanzas.iter().any(|s| s.kind == "X25519") {
                EncryptedTo::Unknown
            } else {
                EncryptedTo::No
            };
        }
        let Some(tag) = keys::ssh_stanza_tag(recipient) else {
            return EncryptedTo::Unknown;
        };
        let found = self
            .stanzas
            .iter()
            .any(|s| s.kind == "ssh-ed25519" && s.args.first() == Some(&tag));
        if found {
            EncryptedTo::Yes
        } else {
            EncryptedTo::No
        }
    }
}
