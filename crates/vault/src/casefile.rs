//! An open case file: the decrypted database, held only in memory, and where it came from.
//!
//! Open = read ciphertext, decrypt straight into a buffer SQLite owns, deserialise, check it is
//! a casebook database of a schema we know, migrate in memory. Save = serialise (no copy),
//! encrypt to the active roster into a temporary file, read it back and decrypt it with the
//! saver's identity, then atomically put it in place if the file on disk is still the version
//! we opened.
//!
//! This file holds the type and what reads and records in an open file. The rest is beside it
//! in `casefile/`: opening and creating (`open`), saving (`save`), the lock screen's sealed
//! copy (`seal`) and what `casebook info` shows (`summary`).

mod merge;
mod open;
pub mod recover;
mod save;
mod screen_lock;
mod summary;
mod trust;
mod unsaved;

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::Serialize;
use uuid::Uuid;

use super::atomic::Stamp;
use super::crypto::Stanza;
use super::lock::Lock;
use super::{Error, ffi, store};
use casebook_core::case::{Case, CaseId};
use casebook_core::codename;
use casebook_core::event::{Event, EventKind};
use casebook_core::party::PersonId;
use casebook_core::process::Settings;
use casebook_core::roster::{Member, MemberId, Roster};

pub use merge::OtherCopy;
pub use open::{Founder, OpenMode};
pub use save::{Displaced, SavePolicy, SaveReport, encrypt_new_file};
pub use summary::{EncryptedTo, MemberSummary, RecipientSummary, StatusCount, Summary};
pub use trust::{Expect, Trust};

/// A decrypted case file.
pub struct CaseFile {
    conn: Connection,
    /// The keys of the sealed cases this member may read (in memory only).
    keys: super::sealing::Keyring,
    /// Every case's derived state, loaded on first use and kept up to date by `record`:
    /// queues and lists are computed from it without touching SQL.
    index: Option<BTreeMap<CaseId, Case>>,
    settings: Settings,
    origin: Origin,
    armor: bool,
    stanzas: Vec<Stanza>,
    opener: String,
    /// The key file that opened it, for messages.
    opener_label: PathBuf,
    /// The last event seq covered by a signed commit; later events are signed at the next save.
    committed: i64,
    /// What opening established about the history.
    trust: Trust,
    dirty: bool,
    /// A recorded roster change must also replace the backup at the next save.
    retire_backup: bool,
    /// A merge changed sealed cases this copy reads: the next commit signs their summaries
    /// again where the newest signed ones differ (see `CaseFile::commit`).
    summaries_due: bool,
    /// While the screen is locked: the database, encrypted to the file's recipients, and
    /// nothing else.
    locked: Option<Vec<u8>>,
    /// While the screen is locked: a draft the member was writing, encrypted to their key.
    locked_draft: Option<Vec<u8>>,
    /// The symbolic link it was opened through, when it was (the origin is the target).
    followed_link: Option<PathBuf>,
    /// Where the salts of new payloads come from.
    salts: Salts,
    /// The cases whose content this session erased, with how many changes' content each
    /// (see [`CaseFile::erase_expunged`]).
    erased: Vec<(CaseId, u64)>,
    /// An expunge's approval was recorded, or a copy merged in, since the last save: the
    /// next save looks for content of expunged cases to erase.
    erase_due: bool,
}

/// Where the salts of new payloads come from (see [`casebook_core::event::payload_text`]): the
/// system's random source, or a seeded one for the built-in demo, which must come out the
/// same each time it is generated.
#[derive(Default)]
pub(crate) enum Salts {
    /// Fresh random bytes.
    #[default]
    Random,
    /// From a seeded generator (the demo only).
    Seeded(Box<rand::rngs::StdRng>),
}

impl Salts {
    fn next(&mut self) -> [u8; 16] {
        use rand::Rng;
        match self {
            Salts::Random => rand::thread_rng().r#gen(),
            Salts::Seeded(rng) => rng.r#gen(),
        }
    }
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

impl CaseFile {
    /// The file's path, or the demo's label.
    pub fn label(&self) -> String {
        match &self.origin {
            Origin::Disk { path, .. } => path.display().to_string(),
            Origin::Builtin { label } => label.clone(),
        }
    }

    /// The symbolic link this file was opened through, if it was: casebook reads, locks and
    /// saves the link's target (see [`CaseFile::label`]), never replacing the link itself.
    pub fn followed_link(&self) -> Option<&std::path::Path> {
        self.followed_link.as_deref()
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

    /// Append events (oldest first) to the history and bring the derived state up to date,
    /// through the engine every copy's replay runs ([`casebook_core::engine`]): each is judged by
    /// the committee's rules as it would be judged there, and a change the rules do not allow
    /// is refused here, with the rule's reason, before anything is written.
    pub fn record(&mut self, events: &[Event]) -> Result<(), Error> {
        if self.locked.is_some() {
            return Err(Error::ScreenLocked {
                label: self.label(),
            });
        }
        self.check_signing()?;
        if self.trust.unsigned {
            return Err(Error::UnsignedHistory {
                path: PathBuf::from(self.label()),
            });
        }
        let label = PathBuf::from(self.label());
        let db = |e: rusqlite::Error| Error::Database {
            path: label.clone(),
            source: e,
        };
        self.cases()?;
        let mut committee = match store::committee(&self.conn).map_err(db)? {
            Some(committee) => committee,
            None => casebook_core::history::Committee::replayed(
                &store::committee_events(&self.conn).map_err(db)?,
            ),
        };
        let mut attention = store::attention(&self.conn).map_err(db)?;
        let not_before = super::history::latest_time(&self.conn).map_err(db)?;
        // A change never claims a time before the history it follows (every copy's replay
        // would hold it): on a laptop whose clock is behind the newest change, it is dated as
        // that change (the member is warned before signing; see `ops::notices::clock_behind`).
        // A clock ahead of everyone else's cannot stop the others from recording.
        let dated = |e: &Event| casebook_core::engine::dag::dated_after(e.at, not_before);
        let events: std::borrow::Cow<'_, [Event]> = if events.iter().all(|e| dated(e) == e.at) {
            std::borrow::Cow::Borrowed(events)
        } else {
            events
                .iter()
                .map(|e| Event {
                    at: dated(e),
                    ..e.clone()
                })
                .collect()
        };
        let events: &[Event] = &events;
        let unsaved_openings: std::collections::HashSet<CaseId> =
            store::events_after(&self.conn, self.committed)
                .map_err(db)?
                .iter()
                .chain(events)
                .filter(|e| matches!(e.kind, EventKind::CaseOpened { .. }))
                .filter_map(|e| e.case)
                .collect();
        // New states are collected apart and merged after the commit, so a failure leaves the
        // index as it was.
        let mut changed: BTreeMap<CaseId, Case> = BTreeMap::new();
        // The cases this commit seals: their events' kinds go inside their sealed payloads. A
        // keeping-out that waited for a second reader seals its case with the approval.
        let approves_sealing = |e: &Event| -> Option<CaseId> {
            let EventKind::Approved { event: approved } = &e.kind else {
                return None;
            };
            let id = e.case?;
            let case = self.index.as_ref()?.get(&id)?;
            case.pending
                .iter()
                .any(|p| p.id == *approved && matches!(p.kind, EventKind::CaseSealed { .. }))
                .then_some(id)
        };
        let sealed_now: std::collections::HashSet<CaseId> = events
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::CaseSealed { .. } => e.case,
                _ => approves_sealing(e),
            })
            .collect();
        let tx = self.conn.unchecked_transaction().map_err(db)?;
        for (i, event) in events.iter().enumerate() {
            let Some(id) = event.case else {
                committee
                    .step(event.author, event)
                    .map_err(|source| Error::RosterRule {
                        path: label.clone(),
                        source,
                    })?;
                if let EventKind::AttentionResolved { events, .. } = &event.kind {
                    attention.retain(|a| !events.contains(&a.event));
                }
                store::append_event(&tx, event, None, &self.salts.next(), false).map_err(db)?;
                continue;
            };
            // Who reads a sealed case is the committee's to follow too.
            if casebook_core::history::Committee::follows(event) {
                let _ = committee.step(event.author, event);
            }
            let previous = changed.remove(&id).or_else(|| {
                self.index
                    .as_ref()
                    .and_then(|index| index.get(&id).cloned())
            });
            let Some(member) = committee.get(event.author).cloned() else {
                return Err(Error::CannotSignHistory {
                    identity: self.opener_label.clone(),
                });
            };
            let actor = casebook_core::process::Actor {
                member: &member,
                roster: committee.roster(),
                settings: committee.rules(),
            };
            let later: Vec<Event> = events[i + 1..]
                .iter()
                .filter(|e| e.case == Some(id))
                .cloned()
                .collect();
            let context = casebook_core::rules::Context {
                opening_commit: unsaved_openings.contains(&id),
                later_in_commit: &later,
                not_before,
            };
            casebook_core::rules::judge(actor, previous.as_ref(), event, context).map_err(
                |source| match (&previous, &source) {
                    (None, casebook_core::process::RuleError::NoSuchCase { .. }) => {
                        Error::UnknownCase {
                            file: label.display().to_string(),
                            code: id.to_string(),
                            near: Vec::new(),
                        }
                    }
                    _ => Error::Rule {
                        path: label.clone(),
                        source,
                    },
                },
            )?;
            if let Some(case) = previous.as_ref() {
                casebook_core::rules::sealing_readers(actor, case, event).map_err(|source| {
                    Error::Rule {
                        path: label.clone(),
                        source,
                    }
                })?;
            }
            let mut state = previous;
            let signer = casebook_core::engine::Signer::Member {
                member: &member,
                roster: committee.roster(),
                settings: committee.rules(),
            };
            casebook_core::engine::step(&mut state, None, &signer, event, context, None);
            let Some(case) = state else {
                return Err(Error::UnknownCase {
                    file: label.display().to_string(),
                    code: id.to_string(),
                    near: Vec::new(),
                });
            };
            store::append_event(
                &tx,
                event,
                Some(&case),
                &self.salts.next(),
                sealed_now.contains(&id),
            )
            .map_err(db)?;
            changed.insert(id, case);
        }
        if events
            .iter()
            .any(casebook_core::history::Committee::follows)
        {
            let held = store::held(&tx).map_err(db)?;
            super::history::write_committee(&tx, &committee, &attention, &held).map_err(db)?;
        }
        tx.commit().map_err(db)?;
        // A case sealed just now (or by an approval just now), or from this member, is brought
        // to its stored form.
        let mut sealing = sealed_now.clone();
        let sealed_from_me: std::collections::HashSet<CaseId> = events
            .iter()
            .filter_map(|e| e.case)
            .filter(|c| {
                matches!(
                    super::sealing::here(&self.conn, &c.to_string()),
                    Ok(super::sealing::Here::SealedFrom)
                )
            })
            .collect();
        let newly_sealed = !sealing.is_empty();
        sealing.extend(sealed_from_me);
        if !sealing.is_empty() {
            let me = self.me()?.map(|m| m.id);
            super::sealing::settle(
                &self.conn,
                &mut self.keys,
                me,
                None,
                Some(&sealing),
                newly_sealed,
                &label,
            )?;
            // No backup of a version before the sealing may stay beside the file.
            self.retire_backup |= newly_sealed;
            for id in &sealing {
                if let Some(state) = store::case_state(&self.conn, *id).map_err(db)? {
                    changed.insert(*id, state);
                }
            }
        }
        if let Some(index) = self.index.as_mut() {
            index.extend(changed);
        }
        if events.iter().any(|e| e.case.is_none()) {
            self.settings = store::settings(&self.conn).map_err(db)?;
        }
        self.erase_due |= events
            .iter()
            .any(|e| matches!(e.kind, EventKind::ExpungeApproved { .. }));
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

    /// The [`EventKind::CaseSealed`] that records `change` to who may read `case`: a new case
    /// key, wrapped (with every earlier key of the case this copy holds) to the readers' keys.
    pub fn reseal(
        &mut self,
        case: CaseId,
        change: casebook_core::process::Resealing,
    ) -> Result<EventKind, Error> {
        let roster = self.roster()?;
        let recipients = change
            .readers
            .iter()
            .filter_map(|id| roster.get(*id))
            .map(|m| m.recipient.clone())
            .collect::<Vec<_>>();
        let label = self.label();
        let path = std::path::Path::new(&label);
        let (recipient, keys) = self.keys.new_key(case, &recipients, path)?;
        let mut access = change.access;
        // Why a member is kept out is for the readers alone: sealed to the new key. A
        // request made after the case was opened waits for a second reader, and the members
        // it would keep out read the case until then, its waiting change included: their copies
        // judge it too, so it is sealed to them as well.
        let opened = store::case_state(&self.conn, case)
            .map_err(|e| Error::database(path, e))?
            .is_some();
        if let casebook_core::event::Access::Excluded {
            members,
            why: Some(why),
            why_sealed,
        } = &mut access
        {
            let mut to = vec![recipient.clone()];
            if *why == casebook_core::event::ExcludeWhy::Request && opened {
                to.extend(
                    members
                        .iter()
                        .filter_map(|m| roster.get(*m))
                        .map(|m| m.recipient.clone()),
                );
            }
            *why_sealed = Some(super::sealing::seal_reason(&to, *why, path)?);
        }
        Ok(EventKind::CaseSealed {
            access,
            readers: change.readers,
            recipient,
            keys,
        })
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

    /// The committee-wide events (roster changes, key rotations, rules), oldest first: what
    /// a signature's key is judged against (see [`casebook_core::roster::key_history`]).
    pub fn committee_events(&self) -> Result<Vec<Event>, Error> {
        store::committee_events(&self.conn).map_err(|e| self.db_error(e))
    }

    /// The committee's rules.
    pub fn settings(&self) -> Settings {
        self.settings.clone()
    }

    /// Ranked full-text search over titles, summaries, reports, notes and party names.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>, Error> {
        let hits = store::search(&self.conn, query, limit).map_err(|e| self.db_error(e))?;
        // The index is derived: each hit must say what its (verified) event says.
        for hit in &hits {
            let from_event =
                store::event_search_text(&self.conn, hit.event).map_err(|e| self.db_error(e))?;
            let case = hit.case.to_string();
            if from_event != Some((Some(case), Some(hit.text.clone()))) {
                return Err(Error::DerivedMismatch {
                    path: PathBuf::from(self.label()),
                    what: "the search index".into(),
                });
            }
        }
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

    /// The cases opened from imported reports, by the SHA-256 of each report's source (see
    /// [`EventKind::ReportReceived`]), to recognise a report imported before.
    pub fn imported_sources(&self) -> Result<BTreeMap<String, CaseId>, Error> {
        let events = store::reports_received(&self.conn).map_err(|e| self.db_error(e))?;
        Ok(events
            .into_iter()
            .filter_map(|event| match (event.case, event.kind) {
                (
                    Some(case),
                    EventKind::ReportReceived {
                        source_sha256: Some(hash),
                        ..
                    },
                ) => Some((hash, case)),
                _ => None,
            })
            .collect())
    }

    /// An attachment's bytes, checked against the SHA-256 its (signed) report names: the
    /// attachments table is not part of the signed history, so bytes that do not match are
    /// refused as tampered. `None` when nothing is stored under that hash.
    pub fn attachment(&self, sha256: &str) -> Result<Option<zeroize::Zeroizing<Vec<u8>>>, Error> {
        use sha2::{Digest, Sha256};
        let Some(data) = store::attachment(&self.conn, sha256).map_err(|e| self.db_error(e))?
        else {
            return Ok(None);
        };
        let data = zeroize::Zeroizing::new(data);
        let actual = base16ct::lower::encode_string(&Sha256::digest(&*data));
        if actual != sha256 {
            return Err(Error::DerivedMismatch {
                path: PathBuf::from(self.label()),
                what: format!(
                    "the attachment stored under {}",
                    &sha256[..sha256.len().min(12)]
                ),
            });
        }
        Ok(Some(data))
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
        let event = Event {
            id: event_id,
            case: None,
            author,
            at: now,
            amends: None,
            kind: member_added(member),
        };
        self.record(std::slice::from_ref(&event))
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

    /// A logical dump of every row (for comparing two files' contents).
    pub fn dump(&self) -> Result<Vec<String>, Error> {
        store::dump(&self.conn).map_err(|e| self.db_error(e))
    }

    /// The SQLite connection, for the vault's own bulk writers (synthetic data).
    pub(crate) fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Erase the content of every case an approved expunge erased that this copy still holds
    /// (see [`super::expunge`]), before it is serialised; the cases erased. The next save
    /// replaces the backup, and the rows the pin vouches for are hashed again.
    pub(crate) fn erase_expunged(&mut self, path: &std::path::Path) -> Result<Vec<CaseId>, Error> {
        let db = |e| Error::database(path, e);
        // Only an approval recorded here or a merge can leave content of an expunged case.
        // Kept set until it succeeds: a save that fails here looks again at the next one.
        if !self.erase_due {
            return Ok(Vec::new());
        }
        let expunged = super::expunge::expunged_cases(&self.conn).map_err(db)?;
        let mut due = super::expunge::pending(&self.conn, expunged).map_err(db)?;
        // The cases sealed from this copy among them, and those a second member's approval
        // claims: erased, then replayed from their tombstone (their stored states are
        // summaries a reader signed, which may lag behind).
        let mut claimed = super::expunge::claimed_sealed_from_here(&self.conn).map_err(db)?;
        for case in &due {
            if super::sealing::here(&self.conn, &case.to_string()).map_err(db)?
                == super::sealing::Here::SealedFrom
                && !claimed.contains(case)
            {
                claimed.push(*case);
            }
        }
        due.retain(|c| !claimed.contains(c));
        if due.is_empty() && claimed.is_empty() {
            self.erase_due = false;
            return Ok(due);
        }
        let mut counts = std::collections::HashMap::new();
        for case in due.iter().chain(&claimed) {
            let n = super::expunge::unerased(&self.conn, *case).map_err(db)?;
            counts.insert(*case, u64::try_from(n).unwrap_or_default());
        }
        let tx = self.conn.unchecked_transaction().map_err(db)?;
        super::expunge::erase(&tx, &due).map_err(db)?;
        // A case sealed from this copy: erased, then replayed from its tombstone; kept as it
        // was unless that replay takes the expunge as approved.
        // Each on its own: one whose replay does not take the expunge keeps what it held, and
        // the others go on.
        let replayer = if claimed.is_empty() {
            None
        } else {
            Some(super::history::Replayer::read(&tx).map_err(db)?)
        };
        for case in claimed.iter().filter(|_| replayer.is_some()) {
            let Some(replayer) = &replayer else { break };
            tx.execute_batch("SAVEPOINT claimed").map_err(db)?;
            super::expunge::erase(&tx, std::slice::from_ref(case)).map_err(db)?;
            match replayer.case(&tx, *case).map_err(db)? {
                Some(state) if state.expunged.is_some() => {
                    store::write_state(&tx, &state).map_err(db)?;
                    tx.execute_batch("RELEASE claimed").map_err(db)?;
                    due.push(*case);
                }
                _ => {
                    tx.execute_batch("ROLLBACK TO claimed; RELEASE claimed")
                        .map_err(db)?;
                }
            }
        }
        tx.commit().map_err(db)?;
        self.erase_due = false;
        if due.is_empty() {
            return Ok(due);
        }
        self.index = None;
        self.retire_backup = true;
        self.trust.stored.clear();
        for case in &due {
            let n = counts.get(case).copied().unwrap_or_default();
            match self.erased.iter_mut().find(|(c, _)| c == case) {
                Some((_, total)) => *total += n,
                None => self.erased.push((*case, n)),
            }
        }
        Ok(due)
    }

    /// The cases whose content was erased here since this was last asked (an approved
    /// expunge took effect at a save), with how many changes' content each.
    pub fn take_erased(&mut self) -> Vec<(CaseId, u64)> {
        std::mem::take(&mut self.erased)
    }

    /// Take the salts of new payloads from `seed` (the built-in demo only).
    pub(crate) fn seed_salts(&mut self, seed: u64) {
        use rand::SeedableRng;
        self.salts = Salts::Seeded(Box::new(rand::rngs::StdRng::seed_from_u64(seed)));
    }

    /// Drop the in-memory case index after bulk writes; it is reloaded on next use.
    /// The last event seq covered by a signed commit.
    pub(crate) fn committed(&self) -> i64 {
        self.committed
    }

    /// Events up to `seq` were signed outside [`CaseFile::commit`] (bulk generation).
    pub(crate) fn set_committed(&mut self, seq: i64) {
        self.committed = seq;
    }

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
        // SQLite's allocator wipes every block it frees (`ffi::wipe_sqlite_memory`), this
        // database's buffer included, however the connection goes away. Only when SQLite could
        // not be given that allocator is the buffer wiped here, as a last resort.
        if ffi::wipe_sqlite_memory() {
            return;
        }
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
        email: member.email.clone(),
    }
}
