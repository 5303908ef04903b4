//! The signed history: every event is part of a commit signed by its author's OpenSSH ed25519
//! key, and commits are hash-chained from the file's first commit (made by `init`).
//!
//! An event's hash covers its id, case, author, time, kind, what it amends and the SHA-256 of
//! its payload, not the payload itself, so a payload could one day be erased (retention)
//! while the history stays verifiable. A commit's body lists its parents, author, key, time
//! and the ids and hashes of its events; its id is the SHA-256 of the body and its signature
//! (SSHSIG, namespace `casebook-history`) is over the body.
//!
//! Opening a file verifies it ([`verify`]): only objects casebook creates are in the schema,
//! every event sits in exactly one commit in the order the commits list them, every hash
//! matches, every signature holds (except on history this laptop already verified), every
//! commit's author could make its changes at that point ([`crate::core::history`]), and every
//! derived table equals what replaying the verified events gives.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ssh_key::{HashAlg, LineEnding, PublicKey, SshSig};
use uuid::Uuid;

use super::store;
use super::{Error, Identity};
use crate::core::case::{Case, CaseId};
use crate::core::event::{Event, EventKind};
use crate::core::history::Committee;
use crate::core::roster::MemberId;

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
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        text.push(DIGITS[usize::from(b >> 4)] as char);
        text.push(DIGITS[usize::from(b & 15)] as char);
    }
    text
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
        })
    }

    /// The event's hash: SHA-256 of its header, a compact JSON array, with the payload's own
    /// SHA-256 in it.
    fn hash(&self) -> String {
        let payload = hex(&Sha256::digest(self.payload.as_bytes()));
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

    fn event(&self) -> Result<Event, String> {
        let uuid = |t: &str| Uuid::parse_str(t).map_err(|e| e.to_string());
        Ok(Event {
            id: uuid(&self.id)?,
            case: self.case.as_deref().map(uuid).transpose()?.map(CaseId),
            author: MemberId(uuid(&self.author)?),
            at: chrono::DateTime::parse_from_rfc3339(&self.at)
                .map_err(|e| e.to_string())?
                .with_timezone(&chrono::Utc),
            amends: self.amends.as_deref().map(uuid).transpose()?,
            kind: serde_json::from_str(&self.payload).map_err(|e| e.to_string())?,
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

/// What the history of a file this laptop wrote itself holds, without verifying it again.
pub(crate) fn summary(conn: &Connection, path: &Path) -> Result<Verified, Error> {
    let db = |e| Error::database(path, e);
    let (root, founder_key) = root(conn).map_err(db)?;
    let rows: Vec<(String, String, String)> = conn
        .prepare("SELECT id, '', signature FROM commits ORDER BY seq")
        .and_then(|mut s| {
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect()
        })
        .map_err(db)?;
    let commits: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
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
    })
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
    /// Its events, oldest first.
    pub events: Vec<Event>,
}

/// The history, commit by commit, oldest first.
pub(crate) fn log(conn: &Connection) -> rusqlite::Result<Vec<LogEntry>> {
    let mut events: HashMap<String, Event> = HashMap::new();
    let mut stmt = conn.prepare(&format!("SELECT {} FROM events", Row::COLUMNS))?;
    for row in stmt.query_map([], Row::read)? {
        let row = row?;
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
            events: body
                .events
                .iter()
                .filter_map(|(e, _)| events.remove(&e.to_string()))
                .collect(),
        });
    }
    Ok(log)
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
    let key = signer
        .signing_key()
        .ok_or_else(|| Error::CannotSignHistory {
            identity: signer.label().to_path_buf(),
        })?;
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
        parents: head(conn).map_err(db)?.into_iter().collect(),
        author,
        key: signer.recipient().to_string(),
        at: store::timestamp(at),
        events,
        adopts,
    };
    let text = serde_json::to_string(&body)
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
    conn.execute(
        "INSERT INTO commits (id, body, signature) VALUES (?1, ?2, ?3)",
        params![id, text, signature],
    )
    .map_err(db)?;
    Ok(last)
}

/// What verifying a file's history established.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// The first commit's id: with the founder's key, the committee's identity.
    pub root: String,
    /// The founder's key.
    pub founder_key: String,
    /// The newest commit's id.
    pub head: String,
    /// Every commit id, oldest first.
    pub commits: Vec<String>,
    /// Who made the newest commit.
    pub head_author: MemberId,
    /// When (their claim).
    pub head_at: String,
    /// The digest of every derived table (see [`digest`]).
    pub digest: String,
    /// The digest of every commit's signature, oldest first.
    pub signatures: String,
}

impl Verified {
    /// The committee's fingerprint, to read out and compare: `SHA256:` and the base64 of the
    /// hash of the first commit and the founder's key.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.root, &self.founder_key)
    }
}

/// The fingerprint of the committee founded by `root`, signed with `founder_key`.
pub fn fingerprint(root: &str, founder_key: &str) -> String {
    use base64::Engine;
    let hash = Sha256::digest(format!("casebook-committee/1\n{root}\n{founder_key}").as_bytes());
    format!(
        "SHA256:{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(hash)
    )
}

/// How much of the history to check again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Depth<'a> {
    /// Everything: every signature, and every derived table replayed from the events.
    Full,
    /// History up to `head` was verified on this laptop with derived tables of `digest` and
    /// signatures of digest `signatures`: its signatures are not checked again unless their
    /// bytes changed. If the file's head is still `head`, derived tables are compared by
    /// digest; otherwise they are replayed.
    Known {
        head: &'a str,
        digest: &'a str,
        signatures: &'a str,
    },
}

/// Verify the whole history of `conn` (see the module documentation).
pub(crate) fn verify(conn: &Connection, path: &Path, depth: Depth<'_>) -> Result<Verified, Error> {
    let broken = |detail: String| Error::HistoryBroken {
        path: path.to_path_buf(),
        detail,
    };
    let db = |e| Error::database(path, e);
    check_schema(conn, path)?;

    let commits: Vec<(String, String, String)> = conn
        .prepare("SELECT id, body, signature FROM commits ORDER BY seq")
        .and_then(|mut s| {
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect()
        })
        .map_err(db)?;
    if commits.is_empty() {
        return Err(broken("it has no commits".into()));
    }
    // Ids are hashes of the bodies; parents come before children.
    let mut seen: HashSet<&str> = HashSet::new();
    let mut bodies = Vec::with_capacity(commits.len());
    for (n, (id, text, _)) in commits.iter().enumerate() {
        if hex(&Sha256::digest(text.as_bytes())) != *id {
            return Err(broken(format!(
                "commit {} was changed after it was signed",
                short(id)
            )));
        }
        let body: Body = serde_json::from_str(text)
            .map_err(|e| broken(format!("commit {} is unreadable: {e}", short(id))))?;
        if body.format != FORMAT {
            return Err(broken(format!(
                "commit {} has an unknown format",
                short(id)
            )));
        }
        let expected_parents = if n == 0 { 0 } else { 1 };
        if n > 0 && body.adopts {
            return Err(broken(format!(
                "commit {} adopts history in the middle of it",
                short(id)
            )));
        }
        if body.parents.len() != expected_parents
            || body.parents.iter().any(|p| !seen.contains(p.as_str()))
            || (n > 0 && body.parents[0] != commits[n - 1].0)
        {
            return Err(broken(format!(
                "commit {} does not extend the history before it",
                short(id)
            )));
        }
        seen.insert(id);
        bodies.push(body);
    }
    let known = match depth {
        Depth::Known {
            head, signatures, ..
        } => commits
            .iter()
            .position(|(id, _, _)| id == head)
            // A signature replaced since: check them all again.
            .filter(|&k| signatures_digest(&commits[..=k]) == signatures),
        Depth::Full => None,
    };
    // Signatures, on both cores; history this laptop verified before is not checked again.
    let unchecked: Vec<usize> = (known.map_or(0, |k| k + 1)..commits.len()).collect();
    check_signatures(&commits, &bodies, &unchecked).map_err(broken)?;

    // Events: each in exactly one commit, in the commits' order, with matching hashes; each
    // commit's author could make its changes at that point.
    let full_state = match depth {
        Depth::Full => true,
        Depth::Known { head, .. } => commits.last().map(|c| c.0.as_str()) != Some(head),
    };
    // SQLite reads the events on this thread while the other hashes and checks them.
    let (committee, replay) = std::thread::scope(|scope| {
        let (batches, received) = std::sync::mpsc::sync_channel::<Vec<Row>>(8);
        let bodies = &bodies;
        let checker = scope
            .spawn(move || check_events(received.into_iter().flatten(), bodies, path, full_state));
        let read = (|| -> rusqlite::Result<()> {
            let mut stmt =
                conn.prepare(&format!("SELECT {} FROM events ORDER BY seq", Row::COLUMNS))?;
            let mut rows = stmt.query_map([], Row::read)?;
            loop {
                let batch = rows
                    .by_ref()
                    .take(1024)
                    .collect::<rusqlite::Result<Vec<Row>>>()?;
                if batch.is_empty() || batches.send(batch).is_err() {
                    return Ok(());
                }
            }
        })();
        drop(batches);
        let checked = checker
            .join()
            .unwrap_or_else(|_| Err(broken("the history check failed".into())));
        read.map_err(db)?;
        checked
    })?;
    let digest = digest(conn).map_err(db)?;
    if let Some(replay) = replay {
        replay.compare(conn, path, &committee)?;
    } else if let Depth::Known { digest: known, .. } = depth
        && digest != known
    {
        // Changed since this laptop verified it: replay everything to say what.
        verify(conn, path, Depth::Full)?;
        return Err(Error::DerivedMismatch {
            path: path.to_path_buf(),
            what: "the search index".into(),
        });
    }
    let root = commits[0].0.clone();
    let last = bodies
        .last()
        .ok_or_else(|| broken("it has no commits".into()))?;
    Ok(Verified {
        root,
        founder_key: bodies[0].key.clone(),
        head: commits[commits.len() - 1].0.clone(),
        commits: commits.iter().map(|c| c.0.clone()).collect(),
        head_author: last.author,
        head_at: last.at.clone(),
        digest,
        signatures: signatures_digest(&commits),
    })
}

/// Check every event against the commits that list them, in order (see [`verify`]), and
/// replay who could do what; with `full_state`, replay the derived state too.
fn check_events(
    mut rows: impl Iterator<Item = Row>,
    bodies: &[Body],
    path: &Path,
    full_state: bool,
) -> Result<(Committee, Option<Replay>), Error> {
    let broken = |detail: String| Error::HistoryBroken {
        path: path.to_path_buf(),
        detail,
    };
    let mut committee: Option<Committee> = None;
    let mut replay = full_state.then(Replay::default);
    for (n, body) in bodies.iter().enumerate() {
        let author = body.author.to_string();
        let mut committee_events = Vec::new();
        for (id, hash) in &body.events {
            let row = rows
                .next()
                .ok_or_else(|| broken(format!("event {} of a commit is missing", short_id(id))))?;
            if Uuid::parse_str(&row.id).ok() != Some(*id) || row.id.len() != 36 {
                return Err(broken(format!(
                    "event {} is missing, or events were reordered",
                    short_id(id)
                )));
            }
            if row.hash() != *hash {
                return Err(broken(format!(
                    "event {} was changed after it was signed",
                    short_id(id)
                )));
            }
            if !body.adopts && row.author != author {
                return Err(broken(format!(
                    "event {} names another author than the member who signed it",
                    short_id(id)
                )));
            }
            // Committee-wide events always decide who may do what; case events are read
            // only when their derived state is replayed.
            if row.case.is_none() || replay.is_some() {
                let event = row
                    .event()
                    .map_err(|e| broken(format!("event {} is unreadable: {e}", short_id(id))))?;
                if let Some(replay) = replay.as_mut() {
                    replay.apply(&event);
                }
                if event.case.is_none() {
                    committee_events.push(event);
                }
            }
        }
        let unauthorized = |source| Error::Unauthorized {
            path: path.to_path_buf(),
            source,
        };
        match committee.as_mut() {
            None => {
                if n != 0 || !body.parents.is_empty() {
                    return Err(broken("the history has no start".into()));
                }
                committee = Some(
                    if body.adopts {
                        Committee::adopted(body.author, &body.key, &committee_events)
                    } else {
                        Committee::founded(&body.key, &committee_events)
                    }
                    .map_err(unauthorized)?,
                );
            }
            Some(c) => {
                c.admit(body.author, &body.key).map_err(unauthorized)?;
                for event in &committee_events {
                    c.apply_event(body.author, event).map_err(unauthorized)?;
                }
            }
        }
    }
    if let Some(row) = rows.next() {
        return Err(broken(format!(
            "event {} is not part of any signed commit",
            short(&row.id)
        )));
    }
    let committee = committee.ok_or_else(|| broken("it has no commits".into()))?;
    Ok((committee, replay))
}

/// The digest of the signatures of `commits` (id, body, signature), in order.
fn signatures_digest(commits: &[(String, String, String)]) -> String {
    let mut hash = Sha256::new();
    for (_, _, signature) in commits {
        hash.update((signature.len() as u64).to_le_bytes());
        hash.update(signature.as_bytes());
    }
    hex(&hash.finalize())
}

fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

fn short_id(id: &Uuid) -> String {
    id.to_string()[..8].to_string()
}

/// Check the signatures of the commits at `indexes`, split over two threads.
fn check_signatures(
    commits: &[(String, String, String)],
    bodies: &[Body],
    indexes: &[usize],
) -> Result<(), String> {
    let check = |n: usize| -> Result<(), String> {
        let (id, text, pem) = &commits[n];
        let bad = || format!("commit {} has an invalid signature", short(id));
        let signature = SshSig::from_pem(pem).map_err(|_| bad())?;
        // Exactly as casebook writes it: PEM framing is lenient, and a stored signature
        // that differs in any byte is not the one that was verified.
        if signature.to_pem(LineEnding::LF).ok().as_deref() != Some(pem.as_str())
            || signature.namespace() != NAMESPACE
        {
            return Err(bad());
        }
        let key = PublicKey::from_openssh(&bodies[n].key).map_err(|_| bad())?;
        if key.key_data() != signature.public_key() {
            return Err(bad());
        }
        key.verify(NAMESPACE, text.as_bytes(), &signature)
            .map_err(|_| bad())
    };
    let (first, second) = indexes.split_at(indexes.len() / 2);
    std::thread::scope(|scope| {
        let other = scope.spawn(|| second.iter().try_for_each(|&n| check(n)));
        let mine = first.iter().try_for_each(|&n| check(n));
        let theirs = other
            .join()
            .unwrap_or_else(|_| Err("signature check failed".into()));
        mine.and(theirs)
    })
}

/// A schema object: type, name, table, SQL.
type SchemaObject = (String, String, String, Option<String>);

/// The schema a casebook database of this version has, to compare a file's against.
fn expected_schema() -> rusqlite::Result<Vec<SchemaObject>> {
    let conn = Connection::open_in_memory()?;
    super::schema::create(&conn)?;
    schema_objects(&conn)
}

fn schema_objects(conn: &Connection) -> rusqlite::Result<Vec<SchemaObject>> {
    conn.prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect()
}

/// Refuse any table, index, trigger or view that casebook did not create, and any of its
/// own that was changed or dropped.
pub(crate) fn check_schema(conn: &Connection, path: &Path) -> Result<(), Error> {
    let db = |e| Error::database(path, e);
    let expected = expected_schema().map_err(db)?;
    let found = schema_objects(conn).map_err(db)?;
    let foreign =
        |(kind, name, ..): &(String, String, String, Option<String>)| Error::ForeignSchema {
            path: path.to_path_buf(),
            what: format!("a {kind}"),
            name: name.clone(),
        };
    if let Some(extra) = found.iter().find(|o| !expected.contains(o)) {
        return Err(foreign(extra));
    }
    if let Some((kind, name, ..)) = expected.iter().find(|o| !found.contains(o)) {
        return Err(Error::HistoryBroken {
            path: path.to_path_buf(),
            detail: format!("the {kind} {name} casebook creates is missing"),
        });
    }
    Ok(())
}

/// A digest of every derived table but the text index: the roster, the extra recipients,
/// the rules, every case's state and the party index, plus the number of index entries.
pub(crate) fn digest(conn: &Connection) -> rusqlite::Result<String> {
    let mut hash = Sha256::new();
    let queries = [
        "SELECT id, name, email, role, recipient, added_at, removed_at FROM members ORDER BY id",
        "SELECT recipient, added_at, NULL, NULL, NULL, NULL, NULL FROM extra_recipients ORDER BY recipient",
        "SELECT key, value, NULL, NULL, NULL, NULL, NULL FROM settings ORDER BY key",
        "SELECT id, code_name, status, received_at, updated_at, state, NULL FROM cases ORDER BY id",
        "SELECT party_id, case_id, person_id, role, NULL, NULL, NULL FROM parties ORDER BY party_id",
        "SELECT count(*), NULL, NULL, NULL, NULL, NULL, NULL FROM search",
    ];
    for query in queries {
        hash.update(query.as_bytes());
        let mut stmt = conn.prepare(query)?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            for i in 0..7 {
                let value: rusqlite::types::Value = row.get(i)?;
                let text = match value {
                    rusqlite::types::Value::Null => "\u{0}null".to_string(),
                    rusqlite::types::Value::Integer(n) => n.to_string(),
                    rusqlite::types::Value::Real(x) => x.to_string(),
                    rusqlite::types::Value::Text(t) => t,
                    rusqlite::types::Value::Blob(b) => hex(&b),
                };
                hash.update((text.len() as u64).to_le_bytes());
                hash.update(text.as_bytes());
            }
        }
    }
    Ok(hex(&hash.finalize()))
}

/// The derived state, replayed from verified events.
#[derive(Default)]
struct Replay {
    cases: BTreeMap<CaseId, Case>,
    parties: Vec<(String, String, String, String)>,
    /// Hashes of (text, case, event) of every index entry.
    search: Vec<[u8; 32]>,
}

fn search_entry(text: &str, case: &str, event: &str) -> [u8; 32] {
    let mut hash = Sha256::new();
    for part in [text, case, event] {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part.as_bytes());
    }
    hash.finalize().into()
}

impl Replay {
    fn apply(&mut self, event: &Event) {
        let Some(id) = event.case else { return };
        match self.cases.get_mut(&id) {
            Some(case) => case.apply(event),
            None => {
                if let Some(case) = Case::opened(id, event) {
                    self.cases.insert(id, case);
                }
            }
        }
        if let Some(text) = event.kind.search_text() {
            self.search
                .push(search_entry(&text, &id.to_string(), &event.id.to_string()));
        }
        if let EventKind::PartyAdded { party } = &event.kind {
            self.parties.push((
                party.id.0.to_string(),
                id.to_string(),
                party.person.0.to_string(),
                party.role.as_str().to_string(),
            ));
        }
    }

    /// Compare the stored derived tables with the replayed ones.
    fn compare(
        mut self,
        conn: &Connection,
        path: &Path,
        committee: &Committee,
    ) -> Result<(), Error> {
        let db = |e| Error::database(path, e);
        let mismatch = |what: String| Error::DerivedMismatch {
            path: path.to_path_buf(),
            what,
        };
        let mut stored = store::roster(conn).map_err(db)?.members().to_vec();
        let mut expected = committee.members().to_vec();
        stored.sort_by_key(|m| m.id);
        expected.sort_by_key(|m| m.id);
        if stored != expected {
            return Err(mismatch("the roster".into()));
        }
        let mut extra = store::extra_recipients(conn).map_err(db)?;
        let mut expected_extra: Vec<String> = committee
            .extra_recipients()
            .iter()
            .map(|(r, _)| r.clone())
            .collect();
        extra.sort();
        expected_extra.sort();
        if extra != expected_extra {
            return Err(mismatch("the list of recipients".into()));
        }
        if store::settings(conn).map_err(db)? != committee.settings() {
            return Err(mismatch("the committee's rules".into()));
        }
        let stored_cases: HashMap<String, (String, String)> = conn
            .prepare("SELECT id, code_name, state FROM cases")
            .and_then(|mut s| {
                s.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
                    .collect()
            })
            .map_err(db)?;
        if stored_cases.len() != self.cases.len() {
            return Err(mismatch("the list of cases".into()));
        }
        for (id, case) in &self.cases {
            let expected = serde_json::to_string(case)
                .map_err(store::conversion)
                .map_err(db)?;
            match stored_cases.get(&id.to_string()) {
                Some((code, state)) if *state == expected && *code == case.code_name => {}
                _ => return Err(mismatch(format!("the state of case {}", case.code_name))),
            }
        }
        let mut parties: Vec<(String, String, String, String)> = conn
            .prepare("SELECT party_id, case_id, person_id, role FROM parties")
            .and_then(|mut s| {
                s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                    .collect()
            })
            .map_err(db)?;
        parties.sort();
        self.parties.sort();
        self.parties.dedup_by(|a, b| a.0 == b.0);
        if parties != self.parties {
            return Err(mismatch("the index of parties".into()));
        }
        let mut search: Vec<[u8; 32]> = conn
            .prepare("SELECT text, case_id, event_id FROM search")
            .and_then(|mut s| {
                s.query_map([], |r| {
                    let (t, c, e): (String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
                    Ok(search_entry(&t, &c, &e))
                })?
                .collect()
            })
            .map_err(db)?;
        search.sort_unstable();
        self.search.sort_unstable();
        if search != self.search {
            return Err(mismatch("the search index".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};
    use proptest::prelude::*;

    use super::*;
    use crate::core::case::Channel;
    use crate::core::event::NoteKind;
    use crate::core::roster::{Member, Role};
    use crate::vault::{CaseFile, Founder, PassphraseSource};

    fn key(bytes: &[u8], name: &str) -> Identity {
        Identity::from_bytes(bytes, Path::new(name), &PassphraseSource::Terminal).unwrap()
    }

    /// Three members (the demo's keys), a case, and `steps` commits of (author, notes).
    fn history(steps: &[(usize, usize)]) -> CaseFile {
        let robin = key(include_bytes!("../../assets/demo/identity"), "robin");
        let others = [
            key(include_bytes!("../../assets/demo/members/sam"), "sam"),
            key(include_bytes!("../../assets/demo/members/priya"), "priya"),
        ];
        let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let founder = Founder {
            name: "Robin".into(),
            email: None,
        };
        let mut file =
            CaseFile::new_in_memory(&robin, &founder, &[], start, &mut Uuid::new_v4).unwrap();
        let chair = file.me().unwrap().unwrap().id;
        let mut ids = vec![chair];
        for (n, identity) in others.iter().enumerate() {
            let member = Member {
                id: MemberId(Uuid::new_v4()),
                name: format!("Member {n}"),
                email: Some(format!("m{n}@example.org")),
                role: Role::Member,
                recipient: identity.recipient().to_string(),
                added_at: start,
                removed_at: None,
            };
            ids.push(member.id);
            file.add_member(&member, chair, Uuid::new_v4(), start)
                .unwrap();
            file.commit(&robin, start).unwrap();
        }
        let keys = [&robin, &others[0], &others[1]];
        let case = CaseId(Uuid::new_v4());
        let event = |author, kind| Event {
            id: Uuid::new_v4(),
            case: Some(case),
            author,
            at: start + Duration::minutes(1),
            amends: None,
            kind,
        };
        let opened = EventKind::CaseOpened {
            code_name: "amber-kettle".into(),
            title: "canary title".into(),
            summary: String::new(),
            channel: Channel::Email,
            received_at: start,
        };
        file.record(&[event(chair, opened)]).unwrap();
        file.commit(&robin, start).unwrap();
        for &(who, notes) in steps {
            let events: Vec<Event> = (0..notes)
                .map(|n| {
                    let body = format!("note {n} by {who}");
                    let kind = EventKind::NoteAdded {
                        body,
                        note: NoteKind::General,
                    };
                    event(ids[who], kind)
                })
                .collect();
            file.record(&events).unwrap();
            file.commit(keys[who], start).unwrap();
        }
        file
    }

    fn verify_all(file: &CaseFile) -> Result<Verified, Error> {
        verify(file.connection(), Path::new("test"), Depth::Full)
    }

    /// Flip one byte of one stored value, keeping casebook's own triggers as they were.
    fn flip(conn: &Connection, table: &str, column: &str, row: usize, at: usize, mask: u8) {
        let rows: Vec<(i64, Vec<u8>)> = conn
            .prepare(&format!(
                "SELECT rowid, CAST({column} AS BLOB) FROM {table} WHERE {column} IS NOT NULL
                 ORDER BY rowid"
            ))
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let (rowid, mut bytes) = rows[row % rows.len()].clone();
        let i = at % bytes.len();
        bytes[i] ^= mask;
        let triggers: Vec<String> = conn
            .prepare("SELECT sql FROM sqlite_schema WHERE type = 'trigger'")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        // As an attacker with sqlite3 would: no foreign keys, no append-only triggers.
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             DROP TRIGGER events_are_append_only_update; DROP TRIGGER events_are_append_only_delete;",
        )
        .unwrap();
        let value = match String::from_utf8(bytes.clone()) {
            Ok(text) => rusqlite::types::Value::Text(text),
            Err(_) => rusqlite::types::Value::Blob(bytes),
        };
        conn.execute(
            &format!("UPDATE {table} SET {column} = ?1 WHERE rowid = ?2"),
            params![value, rowid],
        )
        .unwrap();
        for sql in triggers {
            conn.execute_batch(&sql).unwrap();
        }
    }

    const TARGETS: [(&str, &str); 9] = [
        ("events", "id"),
        ("events", "case_id"),
        ("events", "author"),
        ("events", "at"),
        ("events", "kind"),
        ("events", "payload"),
        ("commits", "id"),
        ("commits", "body"),
        ("commits", "signature"),
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn random_histories_verify_and_any_flipped_byte_fails(
            steps in proptest::collection::vec((0usize..3, 1usize..4), 0..5),
            target in 0usize..TARGETS.len(),
            row in 0usize..64,
            at in 0usize..4096,
            mask in 1u8..=255,
        ) {
            let file = history(&steps);
            prop_assert!(verify_all(&file).is_ok());
            let (table, column) = TARGETS[target];
            flip(file.connection(), table, column, row, at, mask);
            prop_assert!(verify_all(&file).is_err(), "{table}.{column} flipped and still verified");
        }
    }

    #[test]
    fn a_commit_with_events_by_two_members_cannot_be_made() {
        let file = history(&[(1, 1)]);
        let robin = key(include_bytes!("../../assets/demo/identity"), "robin");
        let roster = file.roster().unwrap();
        let sam = roster.members()[1].id;
        let mut file = file;
        let kind = EventKind::Rekeyed;
        let event = |author| Event {
            id: Uuid::new_v4(),
            case: None,
            author,
            at: Utc::now(),
            amends: None,
            kind: kind.clone(),
        };
        let me = file.me().unwrap().unwrap().id;
        file.record(&[event(me), event(sam)]).unwrap();
        assert!(file.commit(&robin, Utc::now()).is_err());
    }
}
