//! An open case file: the decrypted database, held only in memory, and where it came from.
//!
//! Open = read ciphertext, decrypt straight into a buffer SQLite owns, deserialise, check it is
//! a casebook database of a schema we know, migrate in memory. Save = serialise (no copy),
//! encrypt to the active roster into a temporary file, read it back and decrypt it with the
//! saver's identity, then atomically put it in place if the file on disk is still the version
//! we opened.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, MAIN_DB};
use serde::Serialize;
use uuid::Uuid;

use super::atomic::{self, Backup, Stamp};
use super::crypto::{self, Ciphertext, Stanza};
use super::ffi::{self, SqliteBuffer};
use super::keys::{self, Identity, Recipient};
use super::lock::Lock;
use super::{Error, schema, store};
use crate::core::case::{Case, CaseId, Status};
use crate::core::codename;
use crate::core::event::{Event, EventKind};
use crate::core::party::PersonId;
use crate::core::process::Settings;
use crate::core::roster::{Member, MemberId, Role, Roster};
use std::collections::BTreeMap;

/// Whether this process may write the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenMode {
    /// Read only: no lock is taken and saving is refused.
    ReadOnly,
    /// Take the writer's lock; refused if another casebook holds it.
    ReadWrite,
}

/// The largest database casebook will hold in memory (SQLite's default for deserialised
/// databases is 1 GiB).
const MAX_DATABASE_BYTES: i64 = 64 << 30;

/// A decrypted case file.
pub struct CaseFile {
    conn: Connection,
    /// Every case's derived state, loaded on first use and kept up to date by `record`:
    /// queues and lists are computed from it without touching SQL.
    index: Option<BTreeMap<CaseId, Case>>,
    settings: Settings,
    origin: Origin,
    armor: bool,
    stanzas: Vec<Stanza>,
    opener: String,
    dirty: bool,
    /// A recorded roster change must also replace the backup at the next save.
    retire_backup: bool,
    /// While locked: the database, encrypted to the file's recipients, and nothing else.
    sealed: Option<Vec<u8>>,
    /// While locked: a draft the member was writing, encrypted to the sealing key.
    sealed_draft: Option<Vec<u8>>,
}

/// A full-text search hit.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SearchHit {
    /// The case.
    pub case: CaseId,
    /// The event whose text matched.
    pub event: Uuid,
    /// The matching text, with the match between `\u{1}` and `\u{2}` (raw: sanitise it).
    pub snippet: String,
    /// FTS5 rank (lower is better).
    pub rank: f64,
}

enum Origin {
    Disk {
        path: PathBuf,
        stamp: Stamp,
        lock: Option<Lock>,
    },
    Builtin {
        label: String,
    },
}

/// How a save treats the saver's access and the backup.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SavePolicy {
    /// The saver may be missing from the recipients (an explicitly allowed self-removal); the
    /// new file is then checked by its header only.
    pub allow_lockout: bool,
    /// Make the backup a copy of the new version instead of the previous one, so that no file
    /// encrypted to an old roster or an old key is left beside it.
    pub backup_new_version: bool,
}

/// What a save did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SaveReport {
    /// Where the file was written.
    pub path: PathBuf,
    /// Size of the encrypted file.
    pub bytes: u64,
    /// How many recipients it is encrypted to.
    pub recipients: usize,
}

/// The details of a member needed to create a case file.
#[derive(Clone, Debug)]
pub struct Founder {
    /// The creator's name.
    pub name: String,
    /// The creator's contact address.
    pub email: Option<String>,
}

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
    /// Open the case file at `path` with `identity`.
    pub fn open(path: &Path, identity: &Identity, mode: OpenMode) -> Result<CaseFile, Error> {
        std::fs::metadata(path).map_err(|e| Error::reading(path, e))?;
        let lock = match mode {
            OpenMode::ReadWrite => Some(Lock::acquire(path)?),
            OpenMode::ReadOnly => None,
        };
        let mut file = File::open(path).map_err(|e| Error::reading(path, e))?;
        let stamp = Stamp::of_file(&mut file).map_err(|e| Error::reading(path, e))?;
        let prefix = crypto::prefix(&file).map_err(|e| Error::reading(path, e))?;
        let (armor, stanzas) = crypto::inspect(&prefix, path)?;
        // Decrypt from the same handle the stamp was taken from: a save by someone else
        // renames a new inode into place and cannot change what this handle reads.
        let conn = decrypt_database(&file, armor, identity, path)?;
        let settings = store::settings(&conn).map_err(|e| Error::database(path, e))?;
        Ok(CaseFile {
            conn,
            index: None,
            settings,
            origin: Origin::Disk {
                path: path.to_path_buf(),
                stamp,
                lock,
            },
            armor,
            stanzas,
            opener: identity.recipient().to_string(),
            dirty: false,
            retire_backup: false,
            sealed: None,
            sealed_draft: None,
        })
    }

    /// Open a case file held in memory (the built-in demo), read-only.
    pub fn open_bytes(
        ciphertext: &[u8],
        label: &str,
        identity: &Identity,
    ) -> Result<CaseFile, Error> {
        let path = Path::new(label);
        let (armor, stanzas) = crypto::inspect(ciphertext, path)?;
        let conn = decrypt_database(ciphertext, armor, identity, path)?;
        let settings = store::settings(&conn).map_err(|e| Error::database(path, e))?;
        Ok(CaseFile {
            conn,
            index: None,
            settings,
            origin: Origin::Builtin {
                label: label.to_string(),
            },
            armor,
            stanzas,
            opener: identity.recipient().to_string(),
            dirty: false,
            retire_backup: false,
            sealed: None,
            sealed_draft: None,
        })
    }

    /// Create a new case file at `path` whose roster holds its founder as chair, encrypted to
    /// the founder's identity and any `extra` recipients. Refuses to overwrite anything.
    pub fn create(
        path: &Path,
        identity: &Identity,
        founder: &Founder,
        extra: &[Recipient],
        armor: bool,
        now: DateTime<Utc>,
    ) -> Result<CaseFile, Error> {
        if path.exists() {
            return Err(Error::Exists {
                path: path.to_path_buf(),
            });
        }
        let mut file = CaseFile::new_in_memory(identity, founder, extra, now, &mut Uuid::new_v4)?;
        file.armor = armor;
        file.save_as(path, identity)?;
        Ok(file)
    }

    /// A new database in memory, not yet written anywhere (the founder is its first chair).
    /// `ids` makes the UUIDs of the founder and the first events.
    pub fn new_in_memory(
        identity: &Identity,
        founder: &Founder,
        extra: &[Recipient],
        now: DateTime<Utc>,
        ids: &mut dyn FnMut() -> Uuid,
    ) -> Result<CaseFile, Error> {
        let label = Path::new("new case file");
        let conn = empty_database().map_err(|e| Error::database(label, e))?;
        let file = CaseFile {
            conn,
            index: None,
            settings: Settings::default(),
            origin: Origin::Builtin {
                label: label.display().to_string(),
            },
            armor: false,
            stanzas: Vec::new(),
            opener: identity.recipient().to_string(),
            dirty: true,
            retire_backup: false,
            sealed: None,
            sealed_draft: None,
        };
        let founder_id = MemberId(ids());
        let member = Member {
            id: founder_id,
            name: founder.name.clone(),
            email: founder.email.clone(),
            role: Role::Chair,
            recipient: identity.recipient().to_string(),
            added_at: now,
            removed_at: None,
        };
        let event = |id: Uuid, kind: EventKind| Event {
            id,
            case: None,
            author: founder_id,
            at: now,
            amends: None,
            kind,
        };
        // One transaction, so the history can open with "file created" although its author
        // joins the roster in the same breath (the foreign key is checked at commit).
        let tx = file
            .conn
            .unchecked_transaction()
            .map_err(|e| Error::database(label, e))?;
        let mut build = || -> rusqlite::Result<()> {
            store::insert_member(&tx, &member)?;
            store::append_event(&tx, &event(ids(), EventKind::FileCreated), None)?;
            store::append_event(&tx, &event(ids(), member_added(&member)), None)?;
            for recipient in extra {
                store::insert_extra_recipient(&tx, recipient.as_str(), now)?;
                let kind = EventKind::RecipientAdded {
                    recipient: recipient.as_str().to_string(),
                };
                store::append_event(&tx, &event(ids(), kind), None)?;
            }
            Ok(())
        };
        build().map_err(|e| Error::database(label, e))?;
        tx.commit().map_err(|e| Error::database(label, e))?;
        Ok(file)
    }

    /// The file's path, or the demo's label.
    pub fn label(&self) -> String {
        match &self.origin {
            Origin::Disk { path, .. } => path.display().to_string(),
            Origin::Builtin { label } => label.clone(),
        }
    }

    /// Whether there are changes not yet saved.
    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// The roster, removed members included.
    pub fn roster(&self) -> Result<Roster, Error> {
        store::roster(&self.conn).map_err(|e| self.db_error(e))
    }

    /// The member whose identity opened the file, if it is on the roster and active.
    pub fn me(&self) -> Result<Option<Member>, Error> {
        Ok(self.roster()?.active_by_recipient(&self.opener).cloned())
    }

    /// Append events (oldest first) to the history and bring the derived case state up to
    /// date. The rules are the caller's (see [`crate::core::process`]); this records.
    pub fn record(&mut self, events: &[Event]) -> Result<(), Error> {
        if self.sealed.is_some() {
            return Err(Error::Sealed {
                label: self.label(),
            });
        }
        let label = PathBuf::from(self.label());
        let db = |e: rusqlite::Error| Error::Database {
            path: label.clone(),
            source: e,
        };
        self.cases()?;
        // New states are collected apart and merged after the commit, so a failure leaves the
        // index as it was.
        let mut changed: BTreeMap<CaseId, Case> = BTreeMap::new();
        let tx = self.conn.unchecked_transaction().map_err(db)?;
        for event in events {
            let Some(id) = event.case else {
                store::append_event(&tx, event, None).map_err(db)?;
                continue;
            };
            let previous = changed.remove(&id).or_else(|| {
                self.index
                    .as_ref()
                    .and_then(|index| index.get(&id).cloned())
            });
            let case = match previous {
                Some(mut case) => {
                    case.apply(event);
                    case
                }
                None => Case::opened(id, event).ok_or_else(|| Error::UnknownCase {
                    file: label.display().to_string(),
                    code: id.to_string(),
                    near: Vec::new(),
                })?,
            };
            store::append_event(&tx, event, Some(&case)).map_err(db)?;
            changed.insert(id, case);
        }
        tx.commit().map_err(db)?;
        if let Some(index) = self.index.as_mut() {
            index.extend(changed);
        }
        if events
            .iter()
            .any(|e| matches!(e.kind, EventKind::SettingsChanged { .. }))
        {
            self.settings = store::settings(&self.conn).map_err(db)?;
        }
        // After a removal or a key change, no later save may leave a backup the old key opens.
        self.retire_backup |= events.iter().any(|e| {
            matches!(
                e.kind,
                EventKind::MemberRemoved { .. }
                    | EventKind::MemberKeyChanged { .. }
                    | EventKind::Rekeyed
            )
        });
        self.dirty = true;
        Ok(())
    }

    /// Refuse early when this file cannot be saved over (the demo, a read-only open).
    pub fn check_writable(&self) -> Result<(), Error> {
        match &self.origin {
            Origin::Disk { lock: Some(_), .. } => Ok(()),
            _ => Err(Error::ReadOnly {
                label: self.label(),
            }),
        }
    }

    /// Whether the file on disk is no longer the version this was opened from (or last saved
    /// as): someone else saved it, or it was replaced or removed.
    pub fn changed_on_disk(&self) -> bool {
        match &self.origin {
            Origin::Disk { path, stamp, .. } => {
                !matches!(Stamp::of_path(path), Ok(Some(now)) if now == *stamp)
            }
            Origin::Builtin { .. } => false,
        }
    }

    /// Lock: encrypt the database (unsaved changes included) in memory to the file's
    /// recipients and `identity`, and `draft` (text being written) to `identity`, then drop
    /// every decrypted page and every case. Until [`CaseFile::unseal`], the file holds no
    /// plaintext, reads find an empty database, and saving or recording is refused.
    pub fn seal(&mut self, identity: &Identity, draft: Option<&str>) -> Result<(), Error> {
        if self.sealed.is_some() {
            return Ok(());
        }
        let label = PathBuf::from(self.label());
        let mut texts = self.recipients()?;
        if !texts.iter().any(|r| r == identity.recipient()) {
            texts.push(identity.recipient().to_string());
        }
        let recipients = texts
            .iter()
            .map(|r| keys::to_age_recipient(r))
            .collect::<Result<Vec<_>, _>>()?;
        let draft = match draft {
            Some(text) => {
                let me = [keys::to_age_recipient(identity.recipient())?];
                Some(crypto::encrypt(
                    text.as_bytes(),
                    &me,
                    false,
                    Vec::new(),
                    &label,
                )?)
            }
            None => None,
        };
        let data = self
            .conn
            .serialize(MAIN_DB)
            .map_err(|e| Error::database(&label, e))?;
        let sealed = crypto::encrypt(&data, &recipients, false, Vec::new(), &label)?;
        drop(data);
        // Replacing the connection frees the deserialised buffer, which is zeroed on drop.
        self.conn = empty_database().map_err(|e| Error::database(&label, e))?;
        self.index = None;
        self.sealed = Some(sealed);
        self.sealed_draft = draft;
        Ok(())
    }

    /// Whether the file is locked (see [`CaseFile::seal`]).
    pub fn is_sealed(&self) -> bool {
        self.sealed.is_some()
    }

    /// Unlock with `identity` (a recipient of the sealed copy); gives back the sealed draft.
    pub fn unseal(&mut self, identity: &Identity) -> Result<Option<String>, Error> {
        let Some(sealed) = &self.sealed else {
            return Ok(None);
        };
        let label = PathBuf::from(self.label());
        let conn = decrypt_database(sealed.as_slice(), false, identity, &label)?;
        let draft = match &self.sealed_draft {
            Some(bytes) => {
                let text = crypto::decrypt_small(bytes, identity, &label)?;
                Some(String::from_utf8_lossy(&text).into_owned())
            }
            None => None,
        };
        self.settings = store::settings(&conn).map_err(|e| Error::database(&label, e))?;
        self.conn = conn;
        self.index = None;
        self.sealed = None;
        self.sealed_draft = None;
        self.opener = identity.recipient().to_string();
        Ok(draft)
    }

    /// Every case, by id (loaded on first use, then kept up to date).
    pub fn cases(&mut self) -> Result<&BTreeMap<CaseId, Case>, Error> {
        if self.index.is_none() {
            let cases = store::cases(&self.conn).map_err(|e| self.db_error(e))?;
            self.index = Some(cases.into_iter().map(|c| (c.id, c)).collect());
        }
        Ok(self.index.get_or_insert_default())
    }

    /// The case with this code name, or an error naming similar ones.
    pub fn case_by_code(&mut self, code: &str) -> Result<Case, Error> {
        let label = self.label();
        let cases = self.cases()?;
        if let Some(case) = cases.values().find(|c| c.code_name == code) {
            return Ok(case.clone());
        }
        let first = code.split('-').next().unwrap_or(code);
        let mut near: Vec<String> = cases
            .values()
            .filter(|c| c.code_name.split('-').any(|w| w == first) || c.code_name.starts_with(code))
            .map(|c| c.code_name.clone())
            .collect();
        near.sort();
        near.truncate(5);
        Err(Error::UnknownCase {
            file: label,
            code: code.to_string(),
            near,
        })
    }

    /// A fresh code name, unique in this file.
    pub fn new_code_name(&mut self, rng: &mut impl rand::Rng) -> Result<String, Error> {
        let cases = self.cases()?;
        let taken: std::collections::HashSet<&str> =
            cases.values().map(|c| c.code_name.as_str()).collect();
        Ok(codename::generate(rng, |name| taken.contains(name)))
    }

    /// A case's history, oldest first.
    pub fn timeline(&self, case: CaseId) -> Result<Vec<Event>, Error> {
        store::case_events(&self.conn, case).map_err(|e| self.db_error(e))
    }

    /// The committee's rules.
    pub fn settings(&self) -> Settings {
        self.settings
    }

    /// Ranked full-text search over titles, summaries, reports, notes and party names.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>, Error> {
        let hits = store::search(&self.conn, query, limit).map_err(|e| self.db_error(e))?;
        Ok(hits
            .into_iter()
            .map(|h| SearchHit {
                case: h.case,
                event: h.event,
                snippet: h.snippet,
                rank: h.rank,
            })
            .collect())
    }

    /// The cases a person appears in, with their role in each.
    pub fn cases_of_person(&self, person: PersonId) -> Result<Vec<(CaseId, String)>, Error> {
        store::cases_of_person(&self.conn, person).map_err(|e| self.db_error(e))
    }

    /// Store an attachment's bytes (encrypted with the rest of the file) under its SHA-256.
    pub fn store_attachment(&mut self, sha256: &str, data: &[u8]) -> Result<(), Error> {
        store::insert_attachment(&self.conn, sha256, data).map_err(|e| self.db_error(e))?;
        self.dirty = true;
        Ok(())
    }

    /// Add a member to the roster, recording it as an event by `author`.
    pub fn add_member(
        &mut self,
        member: &Member,
        author: MemberId,
        event_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(|e| self.db_error(e))?;
        store::insert_member(&tx, member).map_err(|e| self.db_error(e))?;
        let event = Event {
            id: event_id,
            case: None,
            author,
            at: now,
            amends: None,
            kind: member_added(member),
        };
        store::append_event(&tx, &event, None).map_err(|e| self.db_error(e))?;
        tx.commit().map_err(|e| self.db_error(e))?;
        self.dirty = true;
        Ok(())
    }

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

    /// Every recipient a save encrypts to: the active roster plus extra recipients.
    fn recipients(&self) -> Result<Vec<String>, Error> {
        let mut all: Vec<String> = self
            .roster()?
            .active()
            .map(|m| m.recipient.clone())
            .collect();
        for extra in store::extra_recipients(&self.conn).map_err(|e| self.db_error(e))? {
            if !all.contains(&extra) {
                all.push(extra);
            }
        }
        Ok(all)
    }

    /// Save over the file this was opened from.
    pub fn save(&mut self, identity: &Identity) -> Result<SaveReport, Error> {
        self.save_with(identity, SavePolicy::default())
    }

    /// Save over the file this was opened from, under `policy` (used for roster changes).
    pub fn save_with(
        &mut self,
        identity: &Identity,
        policy: SavePolicy,
    ) -> Result<SaveReport, Error> {
        let (path, expected) = match &self.origin {
            Origin::Disk {
                path,
                stamp,
                lock: Some(_),
            } => (path.clone(), stamp.clone()),
            _ => {
                return Err(Error::ReadOnly {
                    label: self.label(),
                });
            }
        };
        let (report, stamp) = self.write(&path, Some(&expected), identity, policy)?;
        if let Origin::Disk { stamp: current, .. } = &mut self.origin {
            *current = stamp;
        }
        Ok(report)
    }

    /// Save to a new file at `path` (never overwriting one), which becomes this file's origin.
    pub fn save_as(&mut self, path: &Path, identity: &Identity) -> Result<SaveReport, Error> {
        if path.exists() {
            return Err(Error::Exists {
                path: path.to_path_buf(),
            });
        }
        let lock = Lock::acquire(path)?;
        let (report, stamp) = self.write(path, None, identity, SavePolicy::default())?;
        self.origin = Origin::Disk {
            path: path.to_path_buf(),
            stamp,
            lock: Some(lock),
        };
        Ok(report)
    }

    fn write(
        &mut self,
        path: &Path,
        expected: Option<&Stamp>,
        identity: &Identity,
        policy: SavePolicy,
    ) -> Result<(SaveReport, Stamp), Error> {
        if self.sealed.is_some() {
            return Err(Error::Sealed {
                label: self.label(),
            });
        }
        let recipient_texts = self.recipients()?;
        if !policy.allow_lockout && !recipient_texts.iter().any(|r| r == identity.recipient()) {
            return Err(Error::WouldLockOut {
                path: path.to_path_buf(),
            });
        }
        let recipients = recipient_texts
            .iter()
            .map(|r| keys::to_age_recipient(r))
            .collect::<Result<Vec<_>, _>>()?;
        let armor = self.armor;
        let data = self
            .conn
            .serialize(MAIN_DB)
            .map_err(|e| Error::database(path, e))?;
        let plaintext_len = data.len() as u64;
        let staged = atomic::stage(path, |out| {
            crypto::encrypt(&data, &recipients, armor, out, path)
        })?;
        drop(data);
        let backup = if policy.backup_new_version || self.retire_backup {
            Backup::NewVersion
        } else {
            Backup::Previous
        };
        let (stanzas, stamp) = staged.commit(path, expected, backup, |file| {
            verify(file, identity, path, plaintext_len, &recipient_texts)
        })?;
        let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        self.stanzas = stanzas;
        self.opener = identity.recipient().to_string();
        self.dirty = false;
        self.retire_backup = false;
        Ok((
            SaveReport {
                path: path.to_path_buf(),
                bytes,
                recipients: recipients.len(),
            },
            stamp,
        ))
    }

    /// A logical dump of every row (for comparing two files' contents).
    pub fn dump(&self) -> Result<Vec<String>, Error> {
        store::dump(&self.conn).map_err(|e| self.db_error(e))
    }

    /// The SQLite connection, for the vault's own bulk writers (synthetic data).
    pub(crate) fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Drop the in-memory case index after bulk writes; it is reloaded on next use.
    pub(crate) fn forget_index(&mut self) {
        self.index = None;
    }

    pub(crate) fn mark_dirty(&mut self) {
        self.dirty = true;
    }

    fn db_error(&self, e: rusqlite::Error) -> Error {
        Error::Database {
            path: PathBuf::from(self.label()),
            source: e,
        }
    }
}

impl Drop for CaseFile {
    fn drop(&mut self) {
        // Best effort: wipe the decrypted database before SQLite frees it. SQLite hands out its
        // own buffer for an in-memory (deserialised) database.
        if let Some(bytes) = ffi::serialize_nocopy(&mut self.conn) {
            bytes.fill(0);
        }
    }
}

fn member_added(member: &Member) -> EventKind {
    EventKind::MemberAdded {
        member: member.id,
        name: member.name.clone(),
        role: member.role,
        recipient: member.recipient.clone(),
    }
}

/// Write `bytes` age-encrypted to `recipients` as a new file at `path` (never overwriting),
/// atomically. Used for exports that must not exist in plaintext.
pub fn encrypt_new_file(path: &Path, bytes: &[u8], recipients: &[Recipient]) -> Result<(), Error> {
    let age_recipients = recipients
        .iter()
        .map(|r| keys::to_age_recipient(r.as_str()))
        .collect::<Result<Vec<_>, _>>()?;
    let staged = atomic::stage(path, |out| {
        crypto::encrypt(bytes, &age_recipients, false, out, path)
    })?;
    staged.commit(path, None, Backup::Previous, |file| {
        let prefix = crypto::prefix(file).map_err(|e| Error::reading(path, e))?;
        let (_, stanzas) = crypto::inspect(&prefix, path)?;
        if stanzas.len() == recipients.len() {
            Ok(())
        } else {
            Err(Error::VerifyFailed {
                path: path.to_path_buf(),
                detail: "wrong number of recipient stanzas".into(),
            })
        }
    })?;
    Ok(())
}

/// A fresh, empty casebook database living in SQLite's in-memory (deserialised) form, like
/// every opened file.
fn empty_database() -> rusqlite::Result<Connection> {
    let mut scratch = Connection::open_in_memory()?;
    schema::configure(&scratch)?;
    schema::create(&scratch)?;
    let bytes = scratch.serialize(MAIN_DB)?;
    let mut buffer = SqliteBuffer::new(bytes.len()).ok_or(rusqlite::Error::InvalidQuery)?;
    buffer.as_mut_slice().copy_from_slice(&bytes);
    drop(bytes);
    into_connection(buffer)
}

fn into_connection(buffer: SqliteBuffer) -> rusqlite::Result<Connection> {
    let mut conn = Connection::open_in_memory()?;
    conn.deserialize(MAIN_DB, buffer.into_owned(), false)?;
    ffi::raise_size_limit(&conn, MAX_DATABASE_BYTES);
    schema::configure(&conn)?;
    Ok(conn)
}

/// Decrypt a case file straight into a buffer SQLite will own, deserialise it and check it.
fn decrypt_database<C: Ciphertext + ?Sized>(
    src: &C,
    armor: bool,
    identity: &Identity,
    path: &Path,
) -> Result<Connection, Error> {
    let out_of_memory = || Error::Read {
        path: path.to_path_buf(),
        source: io::Error::from(io::ErrorKind::OutOfMemory),
    };
    let mut buffer = if armor {
        let plaintext = crypto::decrypt_armored(src, identity, path)?;
        let mut buffer = SqliteBuffer::new(plaintext.len()).ok_or_else(out_of_memory)?;
        buffer.as_mut_slice().copy_from_slice(&plaintext);
        buffer
    } else {
        let payload = crypto::Payload::open(src, identity, path)?;
        let len = usize::try_from(payload.len()).map_err(|_| out_of_memory())?;
        let mut buffer = SqliteBuffer::new(len).ok_or_else(out_of_memory)?;
        payload.read_into(Some(buffer.as_mut_slice()), identity, path)?;
        buffer
    };
    if !buffer.as_mut_slice().starts_with(crypto::SQLITE_MAGIC) {
        return Err(Error::NotCasebook {
            path: path.to_path_buf(),
            detail: "it does not hold an SQLite database".into(),
        });
    }
    let conn = into_connection(buffer).map_err(|e| Error::database(path, e))?;
    schema::check_and_migrate(&conn, path)?;
    Ok(conn)
}

/// Read the staged file back: its header must hold exactly one stanza per recipient (each
/// ssh-ed25519 key recognised by its tag; X25519 stanzas counted, as they are anonymous), and,
/// when the saver is a recipient, it must decrypt with the saver's identity, every chunk
/// authenticated, to the plaintext length written.
fn verify(
    file: &File,
    identity: &Identity,
    path: &Path,
    plaintext_len: u64,
    recipients: &[String],
) -> Result<Vec<Stanza>, Error> {
    let failed = |detail: String| Error::VerifyFailed {
        path: path.to_path_buf(),
        detail,
    };
    let prefix = crypto::prefix(file).map_err(|e| failed(e.to_string()))?;
    let (armor, stanzas) = crypto::inspect(&prefix, path).map_err(|e| failed(e.to_string()))?;
    if stanzas.len() != recipients.len() {
        return Err(failed(format!(
            "{} stanzas for {} recipients",
            stanzas.len(),
            recipients.len()
        )));
    }
    for recipient in recipients {
        let found = match keys::ssh_stanza_tag(recipient) {
            Some(tag) if !recipient.starts_with("age1") => stanzas
                .iter()
                .any(|s| s.kind == "ssh-ed25519" && s.args.first() == Some(&tag)),
            _ => stanzas.iter().any(|s| s.kind == "X25519"),
        };
        if !found {
            return Err(failed(format!(
                "no stanza for {}",
                keys::fingerprint(recipient)
            )));
        }
    }
    if !recipients.iter().any(|r| r == identity.recipient()) {
        // The saver removed themselves (explicitly allowed): nothing they hold can decrypt it.
        return Ok(stanzas);
    }
    let decrypted = if armor {
        crypto::decrypt_armored(file, identity, path)
            .map_err(|e| failed(e.to_string()))?
            .len() as u64
    } else {
        let payload =
            crypto::Payload::open(file, identity, path).map_err(|e| failed(e.to_string()))?;
        let len = payload.len();
        payload
            .read_into(None, identity, path)
            .map_err(|e| failed(e.to_string()))?;
        len
    };
    if decrypted != plaintext_len {
        return Err(failed(format!(
            "{decrypted} bytes instead of {plaintext_len}"
        )));
    }
    Ok(stanzas)
}
