//! The signed history: every event is part of a commit signed by its author's OpenSSH ed25519
//! key, and commits are hash-chained from the file's first commit (made by `init`).
//!
//! An event's hash covers its id, case, author, time, kind, what it amends and the SHA-256 of
//! its payload, not the payload itself, so a payload could one day be erased (retention)
//! while the history stays verifiable. A commit's body lists its parents, author, key, time
//! and the ids and hashes of its events; its id is the SHA-256 of the body and its signature
//! (SSHSIG, namespace `casebook-history`) is over the body.
//!
//! Opening a file verifies it (`verify`): only objects casebook creates are in the schema,
//! every event sits in exactly one commit in the order the commits list them, every hash
//! matches, every signature holds (except on history this laptop already verified), every
//! commit's author could make its changes at that point ([`casebook_core::history`]), and every
//! derived table equals what replaying the verified events gives.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ssh_key::{HashAlg, LineEnding};
use uuid::Uuid;

use super::store;
use super::{Error, Identity};
use casebook_core::case::CaseId;
use casebook_core::event::Event;
use casebook_core::roster::MemberId;

mod merge;
mod rederive;
mod replay;
#[cfg(test)]
mod tests;
mod verify;

pub(crate) use merge::merge;
pub use merge::{History, Merged};
#[cfg(debug_assertions)]
pub(crate) use rederive::check_against_replay;
pub(crate) use replay::{digest, write_committee};
use verify::signatures_digest;
pub(crate) use verify::{Depth, check_schema, check_unsigned, verify};
pub use verify::{Segment, Verified, fingerprint};

/// A case as a commit left it: its state, its timeline, and the roster and rules then.
pub type CaseAt = (
    casebook_core::case::Case,
    Vec<Event>,
    casebook_core::roster::Roster,
    casebook_core::process::Settings,
);

/// The SSHSIG namespace of commit signatures (exports use `casebook`, so neither can stand
/// for the other).
pub const NAMESPACE: &str = "casebook-history";

/// The format tag every commit body starts with.
const FORMAT: &str = "casebook-commit/1";

/// What a commit says; its stored JSON text is what is hashed and signed.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    format: String,
    parents: Vec<String>,
    author: MemberId,
    key: String,
    at: String,
    /// (event id, event hash), in the order the events were recorded.
    events: Vec<(Uuid, String)>,
    /// Set on the first commit of a file written before casebook signed its history: a chair
    /// adopts the whole existing history (events by every member) with their signature.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    adopts: bool,
    /// The summary ([`casebook_core::case::Case::sealed_summary`]) of each sealed case the
    /// commit changed, as its author, a reader of the case, derived it: what a copy the case
    /// is sealed from shows of it, signed (see [`signed_summaries`]). Any JSON: one that is
    /// not a summary is passed over, never a reason to refuse the history.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    summaries: BTreeMap<String, serde_json::Value>,
}

/// A claimed time as stored (RFC 3339), or the start of time when unreadable.
pub(crate) fn parse_time(text: &str) -> chrono::DateTime<chrono::Utc> {
    casebook_core::engine::dag::parse_time(text)
}

/// A commit as the `commits` table stores it.
#[derive(Clone, Debug)]
pub(super) struct StoredCommit {
    /// Its place in the stored order.
    pub(super) seq: i64,
    /// Its id: the SHA-256 of its body, in hex.
    pub(super) id: String,
    /// Its body, as signed (JSON).
    pub(super) body: String,
    /// Its signature (an OpenSSH signature, PEM); empty where a query does not read it.
    pub(super) signature: String,
}

impl StoredCommit {
    /// A row of `SELECT seq, id, body, signature FROM commits`.
    pub(super) fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredCommit> {
        Ok(StoredCommit {
            seq: row.get(0)?,
            id: row.get(1)?,
            body: row.get(2)?,
            signature: row.get(3)?,
        })
    }
}

/// The SHA-256 of `bytes`, as lowercase hex.
pub(crate) fn hex_digest(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    base16ct::lower::encode_string(bytes)
}

/// One stored event row, as text, exactly as hashed.
struct Row {
    seq: i64,
    id: String,
    case: Option<String>,
    author: String,
    at: String,
    kind: String,
    amends: Option<String>,
    payload: String,
    /// A `case-sealed` event as this copy reads it, its sealed reason opened (never hashed:
    /// the payload is; see [`crate::sealing`]).
    opened: Option<String>,
}

impl Row {
    const COLUMNS: &'static str = "seq, id, case_id, author, at, kind, amends, payload";

    fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
        Ok(Row {
            seq: row.get(0)?,
            id: row.get(1)?,
            case: row.get(2)?,
            author: row.get(3)?,
            at: row.get(4)?,
            kind: row.get(5)?,
            amends: row.get(6)?,
            payload: row.get(7)?,
            opened: None,
        })
    }

    /// The event's hash: SHA-256 of its header, a compact JSON array, with the payload's own
    /// SHA-256 in it (which a sealed event's stub names: see [`crate::sealing`]).
    fn hash(&self) -> String {
        let payload = match crate::sealing::stub_hash(&self.payload)
            .or_else(|| crate::expunge::marker_hash(&self.payload))
        {
            Some(hash) => hash.to_string(),
            None => hex(&Sha256::digest(self.payload.as_bytes())),
        };
        let header = (
            "casebook-event/1",
            &self.id,
            &self.case,
            &self.author,
            &self.at,
            &self.kind,
            &self.amends,
            payload,
        );
        // Serialising strings and nulls cannot fail.
        let bytes = serde_json::to_vec(&header).unwrap_or_default();
        hex(&Sha256::digest(&bytes))
    }

    /// Whether its payload is sealed from this copy (a stub, not the payload).
    fn sealed(&self) -> bool {
        crate::sealing::stub_hash(&self.payload).is_some()
    }

    /// Take what this copy holds of it in memory (`open`, by event id): a sealed payload, or
    /// a `case-sealed` event with its reason opened.
    fn take_open(&mut self, open: &mut HashMap<String, String>) {
        if let Some(payload) = open.remove(&self.id) {
            self.put_open(payload);
        }
    }

    /// [`Row::take_open`], from a map it leaves as it is.
    fn put_open(&mut self, payload: String) {
        if self.sealed() {
            self.payload = payload;
        } else if self.kind == "case-sealed" {
            self.opened = Some(payload);
        }
    }

    fn event(&self) -> Result<Event, String> {
        // Only the canonical form of an id: "ABC..." and "abc..." must not be two names for
        // one case, one shown in its timeline and one not.
        let uuid = |t: &str| match Uuid::parse_str(t) {
            Ok(id) if id.to_string() == t => Ok(id),
            Ok(_) => Err(format!("{t:?} is not a canonical id")),
            Err(e) => Err(e.to_string()),
        };
        let erased = crate::expunge::is_marker(&self.payload);
        if erased && self.case.is_none() {
            return Err("a committee-wide event's content was erased".into());
        }
        let kind: casebook_core::event::EventKind = if erased {
            casebook_core::event::EventKind::Erased {
                was: self.kind.clone(),
            }
        } else {
            serde_json::from_str(self.opened.as_deref().unwrap_or(&self.payload))
                .map_err(|e| e.to_string())?
        };
        // Queries select events by their kind column: it must say what the payload holds, or
        // that the payload holds it (in a sealed case, for the kinds no query selects).
        let hidden = self.kind == crate::sealing::HIDDEN_KIND
            && self.case.is_some()
            && crate::sealing::may_hide(kind.name());
        if kind.name() != self.kind && !hidden && !erased {
            return Err(format!(
                "its kind column says {:?} but it holds {:?}",
                self.kind.chars().take(40).collect::<String>(),
                kind.name()
            ));
        }
        Ok(Event {
            id: uuid(&self.id)?,
            case: self.case.as_deref().map(uuid).transpose()?.map(CaseId),
            author: MemberId(uuid(&self.author)?),
            at: chrono::DateTime::parse_from_rfc3339(&self.at)
                .map_err(|e| e.to_string())?
                .with_timezone(&chrono::Utc),
            amends: self.amends.as_deref().map(uuid).transpose()?,
            kind,
        })
    }
}

/// The first commit's id and its signer's key: with them, the committee's identity.
pub(crate) fn root(conn: &Connection) -> rusqlite::Result<(String, String)> {
    let (id, text): (String, String) = conn.query_row(
        "SELECT id, body FROM commits ORDER BY seq LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let body: Body = serde_json::from_str(&text).map_err(store::conversion)?;
    Ok((id, body.key))
}

/// What the history of a file this laptop wrote itself holds, without verifying it again;
/// `known` are the stored-row segments verified or written before (rows are append-only).
pub(crate) fn summary(
    conn: &Connection,
    path: &Path,
    known: &[Segment],
) -> Result<Verified, Error> {
    let db = |e| Error::database(path, e);
    let (root, founder_key) = root(conn).map_err(db)?;
    let rows: Vec<StoredCommit> = conn
        .prepare("SELECT seq, id, '', signature FROM commits ORDER BY seq")
        .and_then(|mut s| s.query_map([], StoredCommit::read)?.collect())
        .map_err(db)?;
    let commits: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let text: String = conn
        .query_row(
            "SELECT body FROM commits ORDER BY seq DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .map_err(db)?;
    let last: Body = serde_json::from_str(&text)
        .map_err(store::conversion)
        .map_err(db)?;
    Ok(Verified {
        root,
        founder_key,
        head: commits.last().cloned().unwrap_or_default(),
        commits,
        head_author: last.author,
        head_at: last.at,
        digest: digest(conn).map_err(db)?,
        signatures: signatures_digest(&rows),
        stored: verify::stored_segments(conn, known).map_err(db)?,
        repaired: None,
        local: local_digest(conn).map_err(db)?,
    })
}

/// The digest of what a copy holds that only this laptop's pin vouches for, because copies
/// may hold it differently while agreeing on the history: the sealed parts (encrypted anew by
/// each saver), every entry of the text index (the shared digest counts them), the
/// summaries of sealed cases (the shared digest names them), and the full states of those
/// this copy reads. A later open that finds any of
/// it changed verifies the whole file again.
pub(crate) fn local_digest(conn: &Connection) -> rusqlite::Result<String> {
    let mut hash = Sha256::new();
    for (label, query) in [
        (
            "sealed",
            "SELECT case_id, part, data FROM main.sealed ORDER BY case_id, part",
        ),
        (
            "search",
            "SELECT id, c0, c1, c2 FROM main.search_content ORDER BY id",
        ),
        (
            "summaries",
            "SELECT id, code_name, status, state FROM main.cases
             WHERE state LIKE '%\"sealed\":{%' ORDER BY id",
        ),
        // The index the sealed cases' keys and reasons are found by (checked against the
        // events by a full verification).
        (
            "sealings",
            "SELECT case_id FROM main.events INDEXED BY events_sealings
             WHERE kind = 'case-sealed' ORDER BY case_id",
        ),
        // The full states of the sealed cases this copy reads, as memory holds them (taken
        // from their parts at a later open: a part written before a change it did not see
        // fails this, and the history is replayed).
        ("full", "SELECT id, state FROM temp.open_cases ORDER BY id"),
    ] {
        hash.update(label.as_bytes());
        let mut stmt = conn.prepare(query)?;
        let columns = stmt.column_count();
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            for i in 0..columns {
                let bytes: &[u8] = match row.get_ref(i)? {
                    rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => t,
                    rusqlite::types::ValueRef::Integer(n) => {
                        hash.update(n.to_le_bytes());
                        continue;
                    }
                    _ => &[],
                };
                hash.update((bytes.len() as u64).to_le_bytes());
                hash.update(bytes);
            }
        }
    }
    Ok(hex(&hash.finalize()))
}

/// The whole history as the engine needs it to replay a case on its own (see
/// [`Replayer::case`]): its commits as a graph, where each event sits, and who lost their
/// place on another copy at the same time. Read from the file, once, when a case must be
/// replayed outside a verification or a merge (a sealed case this copy was given access to).
pub(crate) struct Replayer {
    dag: casebook_core::engine::Dag,
    flagged: HashMap<usize, casebook_core::history::Loss>,
    commit_of: HashMap<String, usize>,
    index: HashMap<String, usize>,
}

impl Replayer {
    /// Read every commit and committee-wide event of `conn` (already verified).
    pub(crate) fn read(conn: &Connection) -> rusqlite::Result<Replayer> {
        let committee: HashMap<String, Event> = store::committee_events(conn)?
            .into_iter()
            .map(|e| (e.id.to_string(), e))
            .collect();
        let mut dag = casebook_core::engine::Dag::default();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut commit_of = HashMap::new();
        let mut stmt = conn.prepare("SELECT id, body FROM commits ORDER BY seq")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let id: String = row.get(0)?;
            let body: Body =
                serde_json::from_str(&row.get::<_, String>(1)?).map_err(store::conversion)?;
            let n = index.len();
            let parents: Vec<usize> = body
                .parents
                .iter()
                .filter_map(|p| index.get(p).copied())
                .collect();
            let events: Vec<Event> = body
                .events
                .iter()
                .filter_map(|(e, _)| committee.get(&e.to_string()).cloned())
                .collect();
            for (e, _) in &body.events {
                commit_of.insert(e.to_string(), n);
            }
            let adopts = body.adopts;
            dag.push(
                body.author,
                &body.key,
                parse_time(&body.at),
                parents,
                events,
                |events| {
                    if adopts {
                        casebook_core::history::Committee::adopted(body.author, &body.key, events)
                            .map(|c| (c, events.len()))
                    } else {
                        casebook_core::history::Committee::founded(&body.key, events)
                            .map(|c| (c, 2))
                    }
                },
            )
            .map_err(store::conversion)?;
            index.insert(id, n);
        }
        let flagged = dag.committee().flagged;
        Ok(Replayer {
            dag,
            flagged,
            commit_of,
            index,
        })
    }

    /// Case `case` as the history up to commit `commit` (its ancestors) gives it, with the
    /// events it was derived from and the roster then; `None` when that history does not
    /// hold the commit or the case.
    pub(crate) fn case_at(
        &self,
        conn: &Connection,
        case: CaseId,
        commit: &str,
    ) -> rusqlite::Result<Option<CaseAt>> {
        let Some(&at) = self.index.get(commit) else {
            return Ok(None);
        };
        let ancestry = self.dag.ancestry();
        let (events, placed): (Vec<Event>, Vec<usize>) = store::case_events(conn, case)?
            .into_iter()
            .filter_map(|e| {
                let n = self.commit_of.get(&e.id.to_string()).copied()?;
                ancestry.is_ancestor(n, at).then_some((e, n))
            })
            .unzip();
        let around = casebook_core::engine::Around {
            dag: &self.dag,
            flagged: &self.flagged,
        };
        let state = casebook_core::engine::replay_case(&events, &placed, &around).state;
        let committee = self.dag.after(at);
        Ok(state.map(|s| (s, events, committee.roster().clone(), committee.settings())))
    }

    /// Replay `case` from the events this copy holds of it, through the engine.
    pub(crate) fn case(
        &self,
        conn: &Connection,
        case: CaseId,
    ) -> rusqlite::Result<Option<casebook_core::case::Case>> {
        let events = store::case_events(conn, case)?;
        let placed: Vec<usize> = events
            .iter()
            .map(|e| self.commit_of.get(&e.id.to_string()).copied().unwrap_or(0))
            .collect();
        let around = casebook_core::engine::Around {
            dag: &self.dag,
            flagged: &self.flagged,
        };
        Ok(casebook_core::engine::replay_case(&events, &placed, &around).state)
    }
}

/// One commit of the history, as `casebook log` shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LogEntry {
    /// The commit's id.
    pub id: String,
    /// Who signed it.
    pub author: MemberId,
    /// When (their claim).
    pub at: String,
    /// Whether it adopted a history from before signed history.
    pub adopts: bool,
    /// How many commits it follows (two or more: it merged copies).
    pub parents: usize,
    /// Its events, oldest first.
    pub events: Vec<Event>,
    /// The ids of its events sealed from this copy (in a case sealed from its member), which
    /// it verifies without holding what they say.
    pub sealed: Vec<Uuid>,
    /// How many sealed cases' summaries it signs (see `Body::summaries`).
    pub summaries: usize,
}

/// The history, commit by commit, oldest first.
pub(crate) fn log(conn: &Connection) -> rusqlite::Result<Vec<LogEntry>> {
    let mut events: HashMap<String, Event> = HashMap::new();
    let mut sealed: std::collections::HashSet<String> = Default::default();
    let mut reasons = crate::sealing::opened_reasons(conn)?;
    let mut stmt = conn.prepare(&format!("SELECT {} FROM events_open", Row::COLUMNS))?;
    for row in stmt.query_map([], Row::read)? {
        let mut row = row?;
        row.take_open(&mut reasons);
        // What is sealed from this copy is only counted.
        if row.sealed() {
            sealed.insert(row.id);
            continue;
        }
        let event = row
            .event()
            .map_err(|e| store::conversion(std::io::Error::other(e)))?;
        events.insert(row.id, event);
    }
    let mut stmt = conn.prepare("SELECT id, body FROM commits ORDER BY seq")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut log = Vec::new();
    for row in rows {
        let (id, text) = row?;
        let body: Body = serde_json::from_str(&text).map_err(store::conversion)?;
        log.push(LogEntry {
            id,
            author: body.author,
            at: body.at,
            adopts: body.adopts,
            parents: body.parents.len(),
            events: body
                .events
                .iter()
                .filter_map(|(e, _)| events.remove(&e.to_string()))
                .collect(),
            summaries: body.summaries.len(),
            sealed: body
                .events
                .iter()
                .map(|(e, _)| *e)
                .filter(|e| sealed.contains(&e.to_string()))
                .collect(),
        });
    }
    Ok(log)
}

/// What an expunge of `case` erases, as this copy holds it: how many events, and one SHA-256
/// over `id:hash` lines of each (its event hash), sorted by id (see
/// [`casebook_core::retention::Manifest`]).
pub(crate) fn manifest(
    conn: &Connection,
    case: CaseId,
) -> rusqlite::Result<casebook_core::retention::Manifest> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {} FROM events e WHERE e.case_id = ?1 AND e.kind NOT IN ({})",
        Row::COLUMNS,
        crate::expunge::kept_list()
    ))?;
    let mut pairs: Vec<(String, String)> = stmt
        .query_map([case.to_string()], Row::read)?
        .map(|row| row.map(|r| (r.id.clone(), r.hash())))
        .collect::<rusqlite::Result<_>>()?;
    pairs.sort();
    let mut hash = Sha256::new();
    for (id, event) in &pairs {
        hash.update(format!("{id}:{event}\n").as_bytes());
    }
    Ok(casebook_core::retention::Manifest {
        count: pairs.len() as u64,
        hash: hex(&hash.finalize()),
    })
}

/// The newest commit's id, if there is any commit.
pub(crate) fn head(conn: &Connection) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT id FROM commits ORDER BY seq DESC LIMIT 1",
        [],
        |r| r.get(0),
    )
    .optional()
}

/// Whether the file has a signed history at all (files written before it have none).
pub(crate) fn is_signed(conn: &Connection) -> rusqlite::Result<bool> {
    Ok(head(conn)?.is_some())
}

/// Sign the events recorded after seq `after` as one commit by `author`, whose key
/// `signer` is. Gives back the new watermark (the last seq committed), unchanged if there was
/// nothing to commit.
pub(crate) fn commit(
    conn: &Connection,
    path: &Path,
    signer: &Identity,
    author: MemberId,
    after: i64,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<i64, Error> {
    commit_some(conn, path, signer, author, after, at, i64::MAX)
}

/// [`commit`], of at most `most` events (bulk generation makes commits of the size members
/// really make).
pub(crate) fn commit_some(
    conn: &Connection,
    path: &Path,
    signer: &Identity,
    author: MemberId,
    after: i64,
    at: chrono::DateTime<chrono::Utc>,
    most: i64,
) -> Result<i64, Error> {
    let adopts = !is_signed(conn).map_err(|e| Error::database(path, e))? && after == 0 && {
        // A history that does not start with this member founding the file is adopted.
        let first: Option<String> = conn
            .query_row("SELECT author FROM events ORDER BY seq LIMIT 1", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| Error::database(path, e))?;
        let by_others: bool = conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM events WHERE author != ?1)",
                [author.to_string()],
                |r| r.get(0),
            )
            .map_err(|e| Error::database(path, e))?;
        by_others || first.is_some_and(|a| a != author.to_string())
    };
    let db = |e| Error::database(path, e);
    if signer.signing_key().is_none() {
        return Err(Error::CannotSignHistory {
            identity: signer.label().to_path_buf(),
        });
    }
    let mut stmt = conn
        .prepare(&format!(
            "SELECT {} FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            Row::COLUMNS
        ))
        .map_err(db)?;
    let rows = stmt
        .query_map([after, most], Row::read)
        .map_err(db)?
        .collect::<rusqlite::Result<Vec<Row>>>()
        .map_err(db)?;
    let Some(last) = rows.last().map(|r| r.seq) else {
        return Ok(after);
    };
    let author_text = author.to_string();
    if !adopts && rows.iter().any(|r| r.author != author_text) {
        return Err(Error::HistoryBroken {
            path: path.to_path_buf(),
            detail: "changes by several members wait to be signed by one".into(),
        });
    }
    let events = rows
        .iter()
        .map(|r| {
            Uuid::parse_str(&r.id)
                .map(|id| (id, r.hash()))
                .map_err(|e| Error::HistoryBroken {
                    path: path.to_path_buf(),
                    detail: format!("event id {:?}: {e}", r.id),
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let body = Body {
        format: FORMAT.into(),
        parents: tips(conn).map_err(db)?,
        author,
        key: signer.recipient().to_string(),
        at: store::timestamp(at),
        events,
        adopts,
        summaries: summaries_of(conn, &rows).map_err(db)?,
    };
    insert_signed(conn, path, signer, &body)?;
    Ok(last)
}

/// The summaries a commit of `rows` carries: of each sealed case they change that this copy
/// reads, or read until these changes (a member who kept themselves out with them derived
/// the case first), as stored (see `Body::summaries`).
fn summaries_of(
    conn: &Connection,
    rows: &[Row],
) -> rusqlite::Result<BTreeMap<String, serde_json::Value>> {
    let cases: BTreeSet<&str> = rows.iter().filter_map(|r| r.case.as_deref()).collect();
    let mut summaries = BTreeMap::new();
    for case in cases {
        let resealed = rows
            .iter()
            .any(|r| r.case.as_deref() == Some(case) && r.kind == "case-sealed");
        match crate::sealing::here(conn, case)? {
            crate::sealing::Here::Readable => {}
            crate::sealing::Here::SealedFrom if resealed => {}
            _ => continue,
        }
        let Ok(id) = Uuid::parse_str(case).map(CaseId) else {
            continue;
        };
        let state: Option<String> = conn
            .prepare_cached("SELECT state FROM main.cases WHERE id = ?1")?
            .query_row([case], |r| r.get(0))
            .optional()?;
        if let Some(state) = state {
            summaries.insert(
                id.to_string(),
                serde_json::from_str(&state).map_err(store::conversion)?,
            );
        }
    }
    Ok(summaries)
}

/// The summaries one commit carries (see `Body::summaries`).
struct Carried {
    /// The commit's place in stored order.
    at: usize,
    /// Who signed it.
    author: MemberId,
    /// Its summaries, by case (keys that name no case are passed over).
    summaries: Vec<(CaseId, serde_json::Value)>,
}

/// Every commit that carries summaries, in stored order (a body that does not read as one
/// carries none: the history's own check refuses what it must).
fn carried_summaries(conn: &Connection) -> rusqlite::Result<Vec<Carried>> {
    #[derive(Deserialize)]
    struct Text {
        author: MemberId,
        #[serde(default)]
        summaries: BTreeMap<String, serde_json::Value>,
    }
    let mut stmt = conn.prepare(
        "SELECT CASE WHEN instr(body, '\"summaries\":') > 0 THEN body END
         FROM commits ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut carried = Vec::new();
    let mut at = 0;
    while let Some(row) = rows.next()? {
        if let Some(text) = row.get::<_, Option<String>>(0)?
            && let Ok(text) = serde_json::from_str::<Text>(&text)
        {
            carried.push(Carried {
                at,
                author: text.author,
                summaries: text
                    .summaries
                    .into_iter()
                    .filter_map(|(id, summary)| Some((CaseId(Uuid::parse_str(&id).ok()?), summary)))
                    .collect(),
            });
        }
        at += 1;
    }
    Ok(carried)
}

/// After a merge: sign, in a commit of no events, the summary of each sealed case this copy
/// reads whose newest signed summary is not the one it derived (two readers changed it on two
/// copies at once, and each signed the summary of their own copy). Nothing when none differs.
pub(crate) fn sign_summaries(
    conn: &Connection,
    path: &Path,
    signer: &Identity,
    author: MemberId,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), Error> {
    let db = |e| Error::database(path, e);
    let read: Vec<(String, String)> = conn
        .prepare(
            "SELECT c.id, c.state FROM main.cases c JOIN temp.sealed_here h ON h.case_id = c.id
             WHERE h.readable",
        )
        .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .map_err(db)?;
    if read.is_empty() {
        return Ok(());
    }
    let newest: HashMap<CaseId, serde_json::Value> = carried_summaries(conn)
        .map_err(db)?
        .into_iter()
        .flat_map(|carried| carried.summaries)
        .collect();
    let mut summaries = BTreeMap::new();
    for (id, state) in read {
        let (Ok(id), Ok(state)) = (
            Uuid::parse_str(&id).map(CaseId),
            serde_json::from_str::<serde_json::Value>(&state),
        ) else {
            continue;
        };
        if newest.get(&id) != Some(&state) {
            summaries.insert(id.to_string(), state);
        }
    }
    if summaries.is_empty() {
        return Ok(());
    }
    let body = Body {
        format: FORMAT.into(),
        parents: tips(conn).map_err(db)?,
        author,
        key: signer.recipient().to_string(),
        at: store::timestamp(at),
        events: Vec::new(),
        adopts: false,
        summaries,
    };
    insert_signed(conn, path, signer, &body)?;
    Ok(())
}

/// The newest summary a reader signed of each of `cases` (see [`Body::summaries`]): from the
/// commits in stored order, `dag` giving the committee after each. A summary counts only when
/// its author reads the case in the whole history as every copy follows it, or kept
/// themselves out with that very commit and stays out (a hard conflict: their summary holds
/// it). A member kept out by others signs none that counts, not even on a branch from before
/// they were kept out. A copy the case is sealed from shows it,
/// repaired from it when the stored one was changed.
pub(crate) fn signed_summaries(
    conn: &Connection,
    dag: &casebook_core::engine::Dag,
    cases: &BTreeSet<CaseId>,
) -> rusqlite::Result<HashMap<CaseId, casebook_core::case::Case>> {
    let mut found = HashMap::new();
    if cases.is_empty() {
        return Ok(found);
    }
    let settled = dag.committee().committee;
    for signed in carried_summaries(conn)? {
        let at = signed.at;
        if at >= dag.commits() {
            break;
        }
        if dag.author(at) != signed.author || dag.refused(at).is_some() {
            continue;
        }
        for (case, summary) in signed.summaries {
            let author = signed.author;
            let reads = settled.reads(case, author);
            let left_with_it = !dag.after(at).reads(case, author)
                && settled.kept_out_of(case, author)
                && dag
                    .ancestry()
                    .parents(at)
                    .iter()
                    .any(|&p| dag.after(p).reads(case, author));
            if !cases.contains(&case) || !(reads || left_with_it) {
                continue;
            }
            if let Ok(summary) = serde_json::from_value::<casebook_core::case::Case>(summary)
                && summary.id == case
            {
                found.insert(case, summary);
            }
        }
    }
    Ok(found)
}

/// The latest time the history's tips claim: what the next commit follows, and so the
/// earliest time it may claim (beyond a few minutes for clocks that differ). `None` for a
/// history without commits.
pub(crate) fn latest_time(
    conn: &Connection,
) -> rusqlite::Result<Option<chrono::DateTime<chrono::Utc>>> {
    let mut latest = None;
    let mut stmt = conn.prepare_cached("SELECT body FROM commits WHERE id = ?1")?;
    for tip in tips(conn)? {
        let text: String = stmt.query_row([&tip], |r| r.get(0))?;
        let body: Body = serde_json::from_str(&text).map_err(store::conversion)?;
        let at = parse_time(&body.at);
        latest = latest.max(Some(at));
    }
    Ok(latest)
}

/// The commits no other commit names as a parent (one, unless copies were merged without a
/// merge commit), sorted. Kept for the connection in a temporary table (in memory, never
/// saved) while the number of commits is what it was computed for, so that signing one
/// commit after another does not read every commit each time.
pub(crate) fn tips(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    conn.execute_batch("CREATE TEMP TABLE IF NOT EXISTS casebook_tips (id TEXT, commits INTEGER)")?;
    let count: i64 = conn.query_row("SELECT count(*) FROM commits", [], |r| r.get(0))?;
    let cached: Vec<String> = conn
        .prepare("SELECT id FROM temp.casebook_tips WHERE commits = ?1 ORDER BY id")?
        .query_map([count], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if !cached.is_empty() {
        return Ok(cached);
    }
    let mut stmt = conn.prepare("SELECT id, body FROM commits ORDER BY seq")?;
    let mut ids = Vec::new();
    let mut named = std::collections::HashSet::new();
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        let text: String = row.get(1)?;
        let head: merge::Head = serde_json::from_str(&text).map_err(store::conversion)?;
        named.extend(head.parents);
        ids.push(id);
    }
    let mut tips: Vec<String> = ids.into_iter().filter(|id| !named.contains(id)).collect();
    tips.sort();
    remember_tips(conn, &tips, count)?;
    Ok(tips)
}

fn remember_tips(conn: &Connection, tips: &[String], commits: i64) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS casebook_tips (id TEXT, commits INTEGER);
         DELETE FROM temp.casebook_tips;",
    )?;
    for tip in tips {
        conn.execute(
            "INSERT INTO temp.casebook_tips (id, commits) VALUES (?1, ?2)",
            params![tip, commits],
        )?;
    }
    Ok(())
}

/// Sign `body` with `signer` and store it as the newest commit; gives its id.
fn insert_signed(
    conn: &Connection,
    path: &Path,
    signer: &Identity,
    body: &Body,
) -> Result<String, Error> {
    let db = |e| Error::database(path, e);
    let key = signer
        .signing_key()
        .ok_or_else(|| Error::CannotSignHistory {
            identity: signer.label().to_path_buf(),
        })?;
    let text = serde_json::to_string(body)
        .map_err(store::conversion)
        .map_err(db)?;
    let id = hex(&Sha256::digest(text.as_bytes()));
    let signature = key
        .sign(NAMESPACE, HashAlg::Sha512, text.as_bytes())
        .and_then(|s| s.to_pem(LineEnding::LF))
        .map_err(|e| Error::HistoryBroken {
            path: path.to_path_buf(),
            detail: format!(
                "cannot sign the commit with {}: {e}",
                signer.label().display()
            ),
        })?;
    // Its parents are the tips before it (see `tips`): it is now the only one.
    let named_all = tips(conn).map_err(db)? == body.parents;
    conn.execute(
        "INSERT INTO commits (id, body, signature) VALUES (?1, ?2, ?3)",
        params![id, text, signature],
    )
    .map_err(db)?;
    if named_all {
        let count: i64 = conn
            .query_row("SELECT count(*) FROM commits", [], |r| r.get(0))
            .map_err(db)?;
        remember_tips(conn, std::slice::from_ref(&id), count).map_err(db)?;
    }
    Ok(id)
}
