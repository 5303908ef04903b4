//! Whether an open file's history can be trusted, and keeping it signed: verification on open
//! against what this laptop pinned, a commit signed by the saver for what they recorded, and
//! the pin moved forward after each save.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::CaseFile;
use crate::history::{self, Depth, Verified};
use crate::pins::{CommitteePin, PathPin, Pins};
use crate::{Error, Identity, store};
use casebook_core::event::{Event, EventKind};
use casebook_core::roster::MemberId;

/// What opening established about a file's history.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trust {
    /// The committee's fingerprint; `None` for a file from before signed history.
    pub fingerprint: Option<String>,
    /// This laptop had never opened this committee before.
    pub first_open: bool,
    /// The newest commit's id.
    pub head: Option<String>,
    /// How many commits the history has.
    pub commits: usize,
    /// When this laptop had last verified history at this path (before this open).
    pub last_verified: Option<DateTime<Utc>>,
    /// The file lacks history this laptop verified at its path (shown read-only): why.
    pub older: Option<String>,
    /// Written before casebook signed its history: nothing is recorded until a chair adopts
    /// it ([`CaseFile::adopt`]).
    pub unsigned: bool,
    /// What of the derived tables disagreed with the history, which was derived again from
    /// it (they had been changed outside casebook); not said of a file an older casebook
    /// wrote, whose tables are derived again by the newer rules.
    pub repaired: Option<String>,
    /// What this laptop pinned at the file's path, while the file lacks it: nothing is saved
    /// over it until merges bring that history back (see [`CaseFile::catch_up`]).
    pub(super) behind: Option<PathPin>,
    /// Copies merged to bring that history back, which did not hold it.
    pub(super) tried: Vec<PathBuf>,
    /// This laptop's pins file was found damaged on this open, and repaired: what trust was
    /// lost is the member's to know.
    pub pins_repaired: Option<crate::pins::Repair>,
    /// The stored-row segments verified on open (or written since), to pin after a save.
    pub(super) stored: Vec<history::Segment>,
}

/// What a caller expects of a file's committee.
#[derive(Clone, Debug, Default)]
pub struct Expect {
    /// The committee's fingerprint, as the chair sent it.
    pub committee: Option<String>,
    /// How long a writer waits for another writer's lock before giving up (`None`: not at
    /// all).
    pub wait: Option<std::time::Duration>,
}

/// Verify the history of a freshly decrypted file. `path` is `None` for the built-in demo
/// (verified in full, never pinned). Gives the trust established and the last committed seq.
pub(super) fn verify_on_open(
    conn: &rusqlite::Connection,
    written_as: i64,
    path: &Path,
    pinned_path: Option<&Path>,
    writing: bool,
    expect: &Expect,
) -> Result<(Trust, i64), Error> {
    let db = |e| Error::database(path, e);
    let pins = pinned_path.and_then(|_| Pins::default_location());
    let pins_repaired = match &pins {
        Some(pins) => pins.check()?,
        None => None,
    };
    if !history::is_signed(conn).map_err(db)? {
        // A file of the signed schema always has its first commit: no commits means they
        // were removed, and a chair's save must not adopt what is left.
        if written_as >= SIGNED_SCHEMA {
            return Err(Error::HistoryBroken {
                path: path.to_path_buf(),
                detail: "its commits were removed".into(),
            });
        }
        // Written before signed history: readable, adopted by a chair, but never where this
        // laptop already verified signed history, nor when a committee is expected.
        history::check_schema(conn, path)?;
        if let Some(expected) = &expect.committee {
            return Err(Error::UnexpectedCommittee {
                path: path.to_path_buf(),
                expected: expected.clone(),
                found: "none (written before signed history)".into(),
            });
        }
        let mut trust = Trust {
            unsigned: true,
            pins_repaired,
            ..Trust::default()
        };
        if let (Some(pins), Some(at)) = (&pins, pinned_path)
            && let Some(pin) = pins.pinned_at(at)?
        {
            let refusal = rollback(path, &pin, Vec::new());
            if writing {
                return Err(refusal);
            }
            trust.older = Some(refusal.to_string());
            trust.behind = Some(pin);
        }
        return Ok((trust, 0));
    }
    let (root, founder_key) = history::root(conn).map_err(db)?;
    let fingerprint = history::fingerprint(&root, &founder_key);
    if let Some(expected) = &expect.committee
        && *expected != fingerprint
    {
        return Err(Error::UnexpectedCommittee {
            path: path.to_path_buf(),
            expected: expected.clone(),
            found: fingerprint,
        });
    }
    let (known_committee, known_path) = match (&pins, pinned_path) {
        (Some(pins), Some(at)) => pins.lookup(&fingerprint, at)?,
        _ => (None, None),
    };
    if let Some(pin) = &known_path
        && pin.committee != fingerprint
    {
        return Err(Error::OtherCommittee {
            path: path.to_path_buf(),
            pinned: pin.committee.clone(),
            found: fingerprint,
        });
    }
    let depth = match &known_path {
        // A file an older casebook wrote is derived again under this one's rules.
        Some(_) if written_as < crate::schema::SCHEMA_VERSION => Depth::Full,
        Some(pin) => Depth::Known {
            head: &pin.head,
            digest: &pin.digest,
            signatures: &pin.signatures,
            stored: &pin.stored,
            local: &pin.local,
        },
        None => Depth::Full,
    };
    let search_repaired =
        crate::schema::repair_search_settings(conn).map_err(|e| Error::database(path, e))?;
    let verified = history::verify(conn, path, depth)?;
    let repaired = verified
        .repaired
        .clone()
        .filter(|_| written_as >= crate::schema::SCHEMA_VERSION);
    let repaired = match (search_repaired, repaired) {
        (false, repaired) => repaired,
        (true, None) => Some("the search index's settings".to_string()),
        (true, Some(what)) => Some(format!("the search index's settings and {what}")),
    };
    let mut trust = Trust {
        repaired,
        fingerprint: Some(fingerprint.clone()),
        // The built-in demo is never pinned, and never new.
        first_open: pinned_path.is_some() && known_committee.is_none(),
        head: Some(verified.head.clone()),
        commits: verified.commits.len(),
        last_verified: known_path.as_ref().map(|p| p.verified_at),
        older: None,
        unsigned: false,
        behind: None,
        tried: Vec::new(),
        pins_repaired,
        stored: verified.stored.clone(),
    };
    // A copy from before an expunge this laptop saw: its content of the case is never shown,
    // not even read-only (merged into the current file, it is discarded).
    if let Some(committee) = &known_committee {
        let stale = crate::expunge::stale(conn, &committee.expunged).map_err(db)?;
        if !stale.is_empty() {
            return Err(Error::PredatesExpunge {
                path: path.to_path_buf(),
                cases: stale,
            });
        }
    }
    if let Some(pin) = &known_path
        && !verified.commits.contains(&pin.head)
    {
        let refusal = rollback(path, pin, Vec::new());
        if writing {
            return Err(refusal);
        }
        trust.older = Some(refusal.to_string());
        trust.behind = Some(pin.clone());
        let last = store::last_seq(conn).map_err(db)?;
        return Ok((trust, last));
    }
    if let (Some(pins), Some(at)) = (&pins, pinned_path) {
        remember(pins, conn, at, &verified)?;
    }
    let last = store::last_seq(conn).map_err(db)?;
    Ok((trust, last))
}

/// The first schema version with signed history.
const SIGNED_SCHEMA: i64 = 3;

/// The refusal of a file at `path` that lacks the history `pin` says was verified there;
/// `tried` are the copies beside it that were merged and did not bring that history back.
pub(super) fn rollback(path: &Path, pin: &PathPin, tried: Vec<PathBuf>) -> Error {
    Error::Rollback {
        path: path.to_path_buf(),
        verified: pin.verified_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        author: pin.head_author.clone(),
        at: pin
            .head_at
            .get(..16)
            .unwrap_or(&pin.head_at)
            .replace('T', " "),
        tried,
    }
}

/// Pin `verified` as the newest history at `path`.
fn remember(
    pins: &Pins,
    conn: &rusqlite::Connection,
    path: &Path,
    verified: &Verified,
) -> Result<(), Error> {
    let roster = store::roster(conn).ok();
    let author = roster
        .as_ref()
        .and_then(|r| r.get(verified.head_author).map(|m| m.name.clone()))
        .unwrap_or_else(|| verified.head_author.to_string());
    let members = roster
        .map(|r| {
            r.members()
                .iter()
                .map(|m| crate::pins::PinnedMember {
                    id: m.id.to_string(),
                    name: m.name.clone(),
                    recipient: m.recipient.clone(),
                    removed: m.removed_at,
                })
                .collect()
        })
        .unwrap_or_default();
    let now = Utc::now();
    pins.remember(
        &verified.fingerprint(),
        CommitteePin {
            root: verified.root.clone(),
            founder_key: verified.founder_key.clone(),
            first_seen: now,
            expunged: crate::expunge::expunged_cases(conn)
                .unwrap_or_default()
                .into_iter()
                .map(|c| c.to_string())
                .collect(),
        },
        path,
        PathPin {
            committee: verified.fingerprint(),
            head: verified.head.clone(),
            head_author: author,
            head_at: verified.head_at.clone(),
            verified_at: now,
            digest: verified.digest.clone(),
            signatures: verified.signatures.clone(),
            stored: verified.stored.clone(),
            local: verified.local.clone(),
            members,
        },
    )
}

impl CaseFile {
    /// What opening established about this file's history.
    pub fn trust(&self) -> &Trust {
        &self.trust
    }

    /// The signed history, commit by commit, oldest first (what was recorded since the last
    /// save is not in it yet).
    pub fn log(&self) -> Result<Vec<history::LogEntry>, Error> {
        history::log(&self.conn).map_err(|e| Error::database(Path::new(&self.label()), e))
    }

    /// The newest commit and the digest of every derived table: two copies that have seen the
    /// same history show the same pair.
    pub fn head(&self) -> Result<(Option<String>, String), Error> {
        let label = PathBuf::from(self.label());
        let db = |e| Error::database(&label, e);
        Ok((
            history::head(&self.conn).map_err(db)?,
            history::digest(&self.conn).map_err(db)?,
        ))
    }

    /// What an expunge of `case` would erase (see `history::manifest`), with the newest
    /// commit this copy holds.
    pub fn expunge_manifest(
        &self,
        case: casebook_core::case::CaseId,
    ) -> Result<(casebook_core::retention::Manifest, String), Error> {
        let label = PathBuf::from(self.label());
        let db = |e| Error::database(&label, e);
        Ok((
            history::manifest(&self.conn, case).map_err(db)?,
            history::head(&self.conn).map_err(db)?.unwrap_or_default(),
        ))
    }

    /// Sign what was recorded since the last commit as one commit by the member whose key
    /// `signer` is. A file from before signed history must be adopted first.
    pub fn commit(&mut self, signer: &Identity, at: DateTime<Utc>) -> Result<(), Error> {
        if self.trust.unsigned {
            return Err(Error::UnsignedHistory {
                path: PathBuf::from(self.label()),
            });
        }
        self.sign(signer, at)?;
        if std::mem::take(&mut self.summaries_due) {
            let label = PathBuf::from(self.label());
            if let Some(me) = self.roster()?.active_by_recipient(signer.recipient()) {
                let at = casebook_core::engine::dag::dated_after(
                    at,
                    history::latest_time(&self.conn).map_err(|e| Error::database(&label, e))?,
                );
                history::sign_summaries(&self.conn, &label, signer, me.id, at)?;
            }
        }
        Ok(())
    }

    /// Adopt a file written before casebook signed its history: its events, checked against
    /// the derived tables they must give, become the first commit, signed by `chair`. Only a
    /// chair adopts, and only a copy they trust: nothing before it was signed.
    pub fn adopt(&mut self, chair: &Identity, at: DateTime<Utc>) -> Result<(), Error> {
        if !self.trust.unsigned {
            return Ok(());
        }
        self.trust.unsigned = false;
        if let Err(refused) = self.sign(chair, at) {
            self.trust.unsigned = true;
            return Err(refused);
        }
        self.dirty = true;
        Ok(())
    }

    fn sign(&mut self, signer: &Identity, at: DateTime<Utc>) -> Result<(), Error> {
        let label = PathBuf::from(self.label());
        let db = |e| Error::database(&label, e);
        let last = store::last_seq(&self.conn).map_err(db)?;
        if last <= self.committed {
            return Ok(());
        }
        let roster = self.roster()?;
        let unsigned = !history::is_signed(&self.conn).map_err(db)?;
        let member = if unsigned {
            // Adopting a history from before signing: the adopter is whoever signs.
            roster.active_by_recipient(signer.recipient()).cloned()
        } else {
            // The author of what waits to be signed (the roster may already show a key this
            // very commit rotates to, so the member is found by id, not by key).
            let author: String = self
                .conn
                .query_row(
                    "SELECT author FROM events WHERE seq > ?1 ORDER BY seq LIMIT 1",
                    [self.committed],
                    |r| r.get(0),
                )
                .map_err(db)?;
            roster
                .members()
                .iter()
                .find(|m| m.id.to_string() == author)
                .cloned()
        }
        .ok_or_else(|| Error::CannotSignHistory {
            identity: signer.label().to_path_buf(),
        })?;
        if signer.signing_key().is_none() {
            return Err(Error::CannotSignHistory {
                identity: signer.label().to_path_buf(),
            });
        }
        if unsigned {
            if member.role != casebook_core::roster::Role::Chair {
                return Err(Error::UnsignedHistory { path: label });
            }
            // Old files kept members' addresses only in the roster table: record those the
            // history lacks, so the roster replayed from it has them too.
            let in_history = store::emails_in_history(&self.conn).map_err(db)?;
            let events: Vec<Event> = roster
                .members()
                .iter()
                .filter(|m| m.email.is_some() && in_history.get(&m.id) != Some(&m.email))
                .map(|m| Event {
                    id: uuid::Uuid::new_v4(),
                    case: None,
                    author: member.id,
                    at,
                    amends: None,
                    kind: EventKind::MemberEmailChanged {
                        member: m.id,
                        email: m.email.clone(),
                    },
                })
                .collect();
            if !events.is_empty() {
                self.record(&events)?;
            }
            // Nothing before this was signed: the tables must at least be what the events
            // give, so what the chair signs is one consistent history.
            history::check_unsigned(&self.conn, &label)?;
        }
        let after = if unsigned { 0 } else { self.committed };
        // Never dated before what it follows (see `CaseFile::record`).
        let at = casebook_core::engine::dag::dated_after(
            at,
            history::latest_time(&self.conn).map_err(db)?,
        );
        // What this commit signs, by case, for the debug check below.
        #[cfg(debug_assertions)]
        let touched: std::collections::BTreeSet<casebook_core::case::CaseId> =
            store::events_after(&self.conn, after)
                .map_err(db)?
                .iter()
                .filter_map(|e| e.case)
                .collect();
        self.committed = history::commit(&self.conn, &label, signer, member.id, after, at)?;
        if unsigned {
            self.trust = Trust {
                fingerprint: history::root(&self.conn)
                    .ok()
                    .map(|(root, key)| history::fingerprint(&root, &key)),
                ..Trust::default()
            };
        }
        #[cfg(debug_assertions)]
        if !unsigned {
            self.check_against_replay(&touched)?;
        }
        Ok(())
    }

    /// Debug builds (every test): each case a commit touched, as recording derived it step by
    /// step, equals a full replay of its signed events by the engine every copy runs. Sealed
    /// cases are left out (their content is held apart in memory).
    #[cfg(debug_assertions)]
    fn check_against_replay(
        &mut self,
        touched: &std::collections::BTreeSet<casebook_core::case::CaseId>,
    ) -> Result<(), Error> {
        let recorded = self.cases()?.clone();
        for id in touched {
            let Some(stored) = recorded.get(id) else {
                continue;
            };
            if stored.sealed.is_some() {
                continue;
            }
            let replayed = self.replay_case(*id)?;
            debug_assert_eq!(
                Some(stored),
                replayed.as_ref(),
                "case {} as recorded differs from a replay of its signed events",
                stored.code_name
            );
        }
        Ok(())
    }

    /// After a save to `path`: pin the history just written as the newest there.
    pub(super) fn pin_saved(&mut self, path: &Path) -> Result<(), Error> {
        let Some(pins) = Pins::default_location() else {
            return Ok(());
        };
        // This laptop just wrote it: what it holds is known without verifying again.
        let verified = history::summary(&self.conn, path, &self.trust.stored)?;
        self.trust.stored = verified.stored.clone();
        self.trust.head = Some(verified.head.clone());
        self.trust.commits = verified.commits.len();
        self.trust.fingerprint = Some(verified.fingerprint());
        remember(&pins, &self.conn, path, &verified)
    }

    /// The newest commit this file holds, by its claimed time: when, and who signed it. A
    /// laptop whose clock is earlier than that would sign a change dated before it.
    pub fn newest_commit(&self) -> Result<Option<(DateTime<Utc>, MemberId)>, Error> {
        let label = PathBuf::from(self.label());
        let newest: Option<(String, String)> = self
            .conn
            .query_row(
                "SELECT json_extract(body, '$.at'), json_extract(body, '$.author') FROM commits \
                 ORDER BY json_extract(body, '$.at') DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })
            .map_err(|e| Error::database(&label, e))?;
        Ok(newest.and_then(|(at, author)| {
            let at = DateTime::parse_from_rfc3339(&at).ok()?.to_utc();
            let author = uuid::Uuid::parse_str(&author).ok()?;
            Some((at, MemberId(author)))
        }))
    }

    /// Whether the member whose key opened the file can sign what they record.
    pub(super) fn check_signing(&self) -> Result<(), Error> {
        if self.opener.starts_with("ssh-ed25519 ") {
            Ok(())
        } else {
            Err(Error::CannotSignHistory {
                identity: self.opener_label.clone(),
            })
        }
    }
}
