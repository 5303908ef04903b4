//! Verifying a file's signed history: schema objects, commit ids and parents, signatures (on
//! both cores), every event's hash and place, who could make each change, and the derived
//! tables (see [`super`]).

use casebook_core::describe::short_commit;
use std::collections::HashMap;
use std::path::Path;

use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha256};
use ssh_key::{LineEnding, PublicKey, SshSig};
use uuid::Uuid;

use super::replay::{CommitteeState, Replay, digest};
use super::{Body, FORMAT, NAMESPACE, Row, StoredCommit, hex};
use crate::{Error, store};
use casebook_core::engine::Dag;
use casebook_core::event::EventKind;
use casebook_core::history::Committee;
use casebook_core::roster::MemberId;

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
    /// The digest of every derived table (see `digest`).
    pub digest: String,
    /// The digest of every commit's signature, oldest first.
    pub signatures: String,
    /// Digests of every stored commit and event, as stored, in segments (see [`Segment`]).
    pub stored: Vec<Segment>,
    /// What of the derived tables differed from the history and was written again from it.
    pub repaired: Option<String>,
    /// The digest of what only this copy holds as it is (see `local_digest`).
    pub local: String,
}

/// The digest of the commits and events stored after the previous segment, up to commit
/// seq `commits` and event seq `events` inclusive. A save adds one segment for what it added,
/// so pinning after a save does not hash the whole history again.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Segment {
    /// The last commit seq covered.
    pub commits: i64,
    /// The last event seq covered.
    pub events: i64,
    /// SHA-256 of those rows, as stored.
    pub digest: String,
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
        stored: &'a [Segment],
        local: &'a str,
    },
    /// After a merge: every signature was checked as its commit came in, or made here; replay
    /// the whole history, check who could do what, and write the derived tables it gives.
    /// `stored` are the stored-row segments still valid (rows before the merge's first
    /// rewritten one).
    Rebuild { stored: &'a [Segment] },
}

/// Verify the whole history of `conn` (see the module documentation).
pub(crate) fn verify(conn: &Connection, path: &Path, depth: Depth<'_>) -> Result<Verified, Error> {
    let broken = |detail: String| Error::HistoryBroken {
        path: path.to_path_buf(),
        detail,
    };
    let db = |e| Error::database(path, e);
    check_schema(conn, path)?;
    if let Depth::Known {
        head,
        digest,
        stored,
        local,
        ..
    } = depth
        && let Some(verified) = unchanged(conn, head, digest, local, stored).map_err(db)?
    {
        return Ok(verified);
    }

    let sealed_here = crate::sealing::sealed_here(conn).map_err(db)?;
    // The stored rows are hashed as they are read, for the pin (see `stored_segments`).
    let mut stored = Sha256::new();
    let commits: Vec<StoredCommit> = (|| -> rusqlite::Result<_> {
        let mut stmt = conn.prepare("SELECT seq, id, body, signature FROM commits ORDER BY seq")?;
        let mut rows = stmt.query([])?;
        let mut commits = Vec::new();
        while let Some(row) = rows.next()? {
            for i in 0..4 {
                feed(&mut stored, row.get_ref(i)?);
            }
            commits.push(StoredCommit::read(row)?);
        }
        Ok(commits)
    })()
    .map_err(db)?;
    if commits.is_empty() {
        return Err(broken("it has no commits".into()));
    }
    // Ids are hashes of the bodies; parents come before children, and the commits are
    // stored in the history's canonical order (see `dag`).
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut bodies = Vec::with_capacity(commits.len());
    let mut parents: Vec<Vec<usize>> = Vec::with_capacity(commits.len());
    for (n, StoredCommit { id, body: text, .. }) in commits.iter().enumerate() {
        if hex(&Sha256::digest(text.as_bytes())) != *id {
            return Err(broken(format!(
                "commit {} was changed after it was signed",
                short_commit(id)
            )));
        }
        let body: Body = serde_json::from_str(text)
            .map_err(|e| broken(format!("commit {} is unreadable: {e}", short_commit(id))))?;
        if body.format != FORMAT {
            return Err(broken(format!(
                "commit {} has an unknown format",
                short_commit(id)
            )));
        }
        if n > 0 && body.adopts {
            return Err(broken(format!(
                "commit {} adopts history in the middle of it",
                short_commit(id)
            )));
        }
        let indexes: Option<Vec<usize>> = body
            .parents
            .iter()
            .map(|p| seen.get(p.as_str()).copied())
            .collect();
        let well_formed =
            (n == 0) == body.parents.is_empty() && body.parents.windows(2).all(|w| w[0] < w[1]);
        let (Some(indexes), true) = (indexes, well_formed) else {
            return Err(broken(format!(
                "commit {} does not extend the history before it",
                short_commit(id)
            )));
        };
        if seen.insert(id, n).is_some() {
            return Err(broken(format!(
                "commit {} is stored twice",
                short_commit(id)
            )));
        }
        parents.push(indexes);
        bodies.push(body);
    }
    let keys: Vec<(&str, &str)> = bodies
        .iter()
        .zip(&commits)
        .map(|(b, c)| (b.at.as_str(), c.id.as_str()))
        .collect();
    if casebook_core::engine::dag::canonical(&parents, &keys)
        .iter()
        .enumerate()
        .any(|(i, &c)| i != c)
    {
        return Err(broken(
            "its commits are not stored in the history's order".into(),
        ));
    }
    let known = match depth {
        Depth::Known {
            head, signatures, ..
        } => commits
            .iter()
            .position(|c| c.id == head)
            // A signature replaced since: check them all again.
            .filter(|&k| signatures_digest(&commits[..=k]) == signatures),
        Depth::Full => None,
        Depth::Rebuild { .. } => commits.len().checked_sub(1),
    };
    // Signatures, on both cores; history this laptop verified before is not checked again.
    let unchecked: Vec<usize> = (known.map_or(0, |k| k + 1)..commits.len()).collect();
    check_signatures(&commits, &bodies, &unchecked).map_err(broken)?;

    // Events: each in exactly one commit, in the commits' order, with matching hashes; each
    // commit's author could make its changes at that point.
    // Past the fast path, something differs from what this laptop verified (or nothing was
    // verified): every derived table is replayed and compared.
    let full_state = true;
    // SQLite reads the events on this thread while the other hashes and checks them.
    let checked = std::thread::scope(|scope| {
        let (batches, received) = std::sync::mpsc::sync_channel::<Vec<Row>>(8);
        let bodies = &bodies;
        let parents = &parents;
        let sealed_here = &sealed_here;
        let checker = scope.spawn(move || {
            check_events(
                received.into_iter().flatten(),
                bodies,
                parents,
                path,
                full_state,
                sealed_here,
            )
        });
        let stored = &mut stored;
        let read = (|| -> rusqlite::Result<()> {
            // Each row as stored (a sealed event's stub) is what the pin hashes; its payload
            // as this copy holds it (unsealed in memory when it may read it) is checked.
            let mut open = crate::sealing::open_payloads(conn)?;
            let mut stmt =
                conn.prepare(&format!("SELECT {} FROM events ORDER BY seq", Row::COLUMNS))?;
            let mut rows = stmt.query([])?;
            loop {
                let mut batch = Vec::with_capacity(1024);
                while batch.len() < 1024 {
                    let Some(row) = rows.next()? else { break };
                    for i in 0..8 {
                        feed(stored, row.get_ref(i)?);
                    }
                    let mut row = Row::read(row)?;
                    row.take_open(&mut open);
                    batch.push(row);
                }
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
    // Opening found the sealed cases' keys and reasons through the index of sealings: it must
    // name exactly the cases the events seal (an index written by hand could hide one).
    let indexed: std::collections::HashSet<String> = conn
        .prepare(crate::sealing::SEALED_IN_HISTORY)
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(db)?;
    if indexed != checked.sealed_in_history {
        return Err(broken(
            "its index of sealed cases does not match its events".into(),
        ));
    }
    let settled = checked.dag.committee();
    let committee = CommitteeState {
        committee: &settled.committee,
        attention: &settled.attention,
        held: settled.held.clone(),
    };
    let mut repaired = None;
    if let Some(mut replay) = checked.replay {
        replay.sign_summaries(conn, &checked.dag).map_err(db)?;
        replay
            .finish(conn, &checked.dag, &settled.flagged, &|ids| {
                commits_of(&bodies, ids)
            })
            .map_err(db)?;
        if let Some(case) = replay.erased_without_expunge() {
            return Err(broken(format!(
                "the content of case {} was erased without an approved expunge",
                short_commit(&case.to_string())
            )));
        }
        crate::sealing::hold_states(conn, replay.readable_sealed()).map_err(db)?;
        if let Depth::Rebuild { stored } = depth {
            replay.write(conn, &committee).map_err(db)?;
            // What the caller pins is summarised from the rebuilt tables (see `summary`).
            return super::summary(conn, path, stored);
        }
        match replay.compare(conn, path, &committee) {
            Ok(()) => {}
            // Derived tables are a cache of the history: what differs is written again from
            // it, and said (one member must not be able to make the file unusable).
            Err(Error::DerivedMismatch { what, .. }) => {
                replay.repair(conn, &committee).map_err(db)?;
                repaired = Some(what);
            }
            Err(e) => return Err(e),
        }
    }
    let digest = digest(conn).map_err(db)?;
    let root = commits[0].id.clone();
    let last = bodies
        .last()
        .ok_or_else(|| broken("it has no commits".into()))?;
    Ok(Verified {
        root,
        founder_key: bodies[0].key.clone(),
        head: commits[commits.len() - 1].id.clone(),
        commits: commits.iter().map(|c| c.id.clone()).collect(),
        head_author: last.author,
        head_at: last.at.clone(),
        digest,
        repaired,
        local: super::local_digest(conn).map_err(db)?,
        signatures: signatures_digest(&commits),
        stored: {
            let (commits, events) = newest(conn).map_err(db)?;
            vec![Segment {
                commits,
                events,
                digest: hex(&stored.finalize()),
            }]
        },
    })
}

/// A key a committee-wide event gives must be a key, in the form casebook stores (so two
/// spellings of one key cannot pass for two keys).
pub(super) fn check_key(kind: &EventKind) -> Result<(), String> {
    let recipient = match kind {
        EventKind::MemberAdded { recipient, .. }
        | EventKind::MemberKeyChanged { recipient, .. }
        | EventKind::MemberRejoined { recipient, .. }
        | EventKind::RecipientAdded { recipient } => recipient,
        _ => return Ok(()),
    };
    match crate::Recipient::parse(recipient) {
        Ok(parsed) if parsed.as_str() == recipient => Ok(()),
        _ => Err(format!(
            "{:?} is not a member's key in its normal form",
            recipient.chars().take(40).collect::<String>()
        )),
    }
}

/// Check a history nobody signed (written before casebook signed its history) before a chair
/// adopts it: every case's stored state must be what its events give, taken as they are
/// (nobody signed them; the chair's commit adopts them, and later opens judge them).
pub(crate) fn check_unsigned(conn: &Connection, path: &Path) -> Result<(), Error> {
    let db = |e| Error::database(path, e);
    let mut stmt = conn
        .prepare(&format!(
            "SELECT {} FROM events WHERE case_id IS NOT NULL ORDER BY seq",
            Row::COLUMNS
        ))
        .map_err(db)?;
    let rows = stmt.query_map([], Row::read).map_err(db)?;
    let mut cases: std::collections::BTreeMap<
        casebook_core::case::CaseId,
        casebook_core::case::Case,
    > = Default::default();
    for row in rows {
        let row = row.map_err(db)?;
        let event = row.event().map_err(|e| Error::HistoryBroken {
            path: path.to_path_buf(),
            detail: format!("event {} is unreadable: {e}", short_commit(&row.id)),
        })?;
        let Some(id) = event.case else { continue };
        match cases.get_mut(&id) {
            Some(case) => case.apply(&event),
            None => {
                if let Some(case) = casebook_core::case::Case::opened(id, &event) {
                    cases.insert(id, case);
                }
            }
        }
    }
    drop(stmt);
    let plain = |mut case: casebook_core::case::Case| {
        if let Some(d) = case.decision.as_mut() {
            d.event = Uuid::nil();
            d.tally = None;
        }
        case
    };
    let committee = Committee::replayed(&store::committee_events(conn).map_err(db)?);
    let mut members = store::roster(conn).map_err(db)?.members().to_vec();
    let mut expected = committee.members().to_vec();
    members.sort_by_key(|m| m.id);
    expected.sort_by_key(|m| m.id);
    if members != expected {
        return Err(Error::DerivedMismatch {
            path: path.to_path_buf(),
            what: "the roster".into(),
        });
    }
    let stored = store::cases(conn).map_err(db)?;
    let same = stored.len() == cases.len()
        && stored
            .into_iter()
            .all(|c| cases.get(&c.id).cloned().map(plain) == Some(plain(c)));
    if same {
        Ok(())
    } else {
        Err(Error::DerivedMismatch {
            path: path.to_path_buf(),
            what: "the list of cases".into(),
        })
    }
}

/// Feed one stored value to `hash`: its type, length and bytes.
fn feed(hash: &mut Sha256, value: rusqlite::types::ValueRef<'_>) {
    use rusqlite::types::ValueRef;
    let (tag, bytes): (u8, &[u8]) = match value {
        ValueRef::Null => (0, &[]),
        ValueRef::Integer(n) => {
            hash.update([1]);
            hash.update(n.to_le_bytes());
            return;
        }
        ValueRef::Real(x) => {
            hash.update([2]);
            hash.update(x.to_le_bytes());
            return;
        }
        ValueRef::Text(t) => (3, t),
        ValueRef::Blob(b) => (4, b),
    };
    hash.update([tag]);
    hash.update((bytes.len() as u64).to_le_bytes());
    hash.update(bytes);
}

pub(super) const STORED_COMMITS: &str =
    "SELECT seq, id, body, signature FROM commits WHERE seq > ?1 AND seq <= ?2 ORDER BY seq";
const STORED_EVENTS: &str = "SELECT seq, id, case_id, author, at, kind, amends, payload
     FROM events WHERE seq > ?1 AND seq <= ?2 ORDER BY seq";

/// The digest of the commits and events stored after `from` (commit seq, event seq) up to
/// `to`, exactly as stored.
fn segment(conn: &Connection, from: (i64, i64), to: (i64, i64)) -> rusqlite::Result<String> {
    let mut hash = Sha256::new();
    for (query, columns, range) in [
        (STORED_COMMITS, 4, (from.0, to.0)),
        (STORED_EVENTS, 8, (from.1, to.1)),
    ] {
        let mut stmt = conn.prepare(query)?;
        let mut rows = stmt.query([range.0, range.1])?;
        while let Some(row) = rows.next()? {
            for i in 0..columns {
                feed(&mut hash, row.get_ref(i)?);
            }
        }
    }
    Ok(hex(&hash.finalize()))
}

/// The newest commit seq and event seq.
fn newest(conn: &Connection) -> rusqlite::Result<(i64, i64)> {
    conn.query_row(
        "SELECT (SELECT coalesce(max(seq), 0) FROM commits),
                (SELECT coalesce(max(seq), 0) FROM events)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// The stored-row segments of the whole history: `known` (segments already computed for the
/// rows they cover, which are append-only) and one more for anything stored after them.
pub(crate) fn stored_segments(
    conn: &Connection,
    known: &[Segment],
) -> rusqlite::Result<Vec<Segment>> {
    let end = newest(conn)?;
    let mut segments = known.to_vec();
    let from = segments.last().map_or((0, 0), |s| (s.commits, s.events));
    if end != from || segments.is_empty() {
        segments.push(Segment {
            commits: end.0,
            events: end.1,
            digest: segment(conn, from, end)?,
        });
    }
    Ok(segments)
}

/// [`unchanged`] for a [`Depth::Known`], for tests.
#[cfg(test)]
pub(super) fn unchanged_for_tests(
    conn: &Connection,
    depth: Depth<'_>,
) -> rusqlite::Result<Option<Verified>> {
    match depth {
        Depth::Known {
            head,
            digest,
            stored,
            local,
            ..
        } => unchanged(conn, head, digest, local, stored),
        Depth::Full | Depth::Rebuild { .. } => Ok(None),
    }
}

/// The file is exactly what this laptop verified (its newest commit is `head`, its commits
/// and events are stored as they were, its derived tables have digest `digest`): what
/// verification established then still holds. `None` when anything differs.
fn unchanged(
    conn: &Connection,
    head: &str,
    digest: &str,
    local: &str,
    stored: &[Segment],
) -> rusqlite::Result<Option<Verified>> {
    let Some(end) = stored.last() else {
        return Ok(None);
    };
    if super::head(conn)?.as_deref() != Some(head) || newest(conn)? != (end.commits, end.events) {
        return Ok(None);
    }
    let mut from = (0, 0);
    for part in stored {
        let to = (part.commits, part.events);
        if segment(conn, from, to)? != part.digest {
            return Ok(None);
        }
        from = to;
    }
    if super::replay::digest(conn)? != digest
        || local.is_empty()
        || super::local_digest(conn)? != local
    {
        return Ok(None);
    }
    let mut ids = Vec::new();
    let mut signatures = Sha256::new();
    let mut first = None;
    let last;
    {
        let mut stmt = conn.prepare("SELECT id, body, signature FROM commits ORDER BY seq")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let signature = row.get_ref(2)?.as_bytes()?;
            signatures.update((signature.len() as u64).to_le_bytes());
            signatures.update(signature);
            ids.push(row.get::<_, String>(0)?);
            if first.is_none() {
                first = Some(row.get::<_, String>(1)?);
            }
        }
        last = conn
            .query_row(
                "SELECT body FROM commits ORDER BY seq DESC LIMIT 1",
                [],
                |r| r.get::<_, String>(0),
            )
            .optional()?;
    }
    let (Some(first), Some(last)) = (first, last) else {
        return Ok(None);
    };
    let parse = |text: &str| serde_json::from_str::<Body>(text).ok();
    let (Some(first), Some(last)) = (parse(&first), parse(&last)) else {
        return Ok(None);
    };
    Ok(Some(Verified {
        root: ids[0].clone(),
        founder_key: first.key,
        head: head.to_string(),
        commits: ids,
        head_author: last.author,
        head_at: last.at,
        digest: digest.to_string(),
        signatures: hex(&signatures.finalize()),
        stored: stored.to_vec(),
        repaired: None,
        local: local.to_string(),
    }))
}

/// What checking the events established: the commits as a graph, with who could do what at
/// each, and the replayed derived state.
pub(super) struct Checked {
    pub(super) dag: Dag,
    pub(super) replay: Option<Replay>,
    /// The cases a `case-sealed` event names, read from every event.
    pub(super) sealed_in_history: std::collections::HashSet<String>,
}

/// Check every event against the commits that list them, in order (see [`verify`]), and
/// replay who could do what; with `full_state`, feed every case event through the engine too.
pub(super) fn check_events(
    mut rows: impl Iterator<Item = Row>,
    bodies: &[Body],
    parents: &[Vec<usize>],
    path: &Path,
    full_state: bool,
    sealed_here: &HashMap<String, bool>,
) -> Result<Checked, Error> {
    let broken = |detail: String| Error::HistoryBroken {
        path: path.to_path_buf(),
        detail,
    };
    let mut dag = Dag::default();
    let mut replay = full_state.then(Replay::default);
    // The cases the history seals (their `case-sealed` events are never sealed themselves).
    let mut sealed_in_history: std::collections::HashSet<String> = Default::default();
    let progress = crate::progress::stage(
        "checking every change against the committee's rules",
        bodies.len() as u64,
    );
    for (n, body) in bodies.iter().enumerate() {
        progress.step();
        let mut committee_events = Vec::new();
        let mut case_events = Vec::new();
        for (id, hash) in &body.events {
            let row = rows.next().ok_or_else(|| {
                broken(format!(
                    "event {} of a commit is missing",
                    casebook_core::describe::short_event(id)
                ))
            })?;
            if Uuid::parse_str(&row.id).ok() != Some(*id) || row.id.len() != 36 {
                return Err(broken(format!(
                    "event {} is missing, or events were reordered",
                    casebook_core::describe::short_event(id)
                )));
            }
            if row.hash() != *hash {
                return Err(broken(format!(
                    "event {} was changed after it was signed",
                    casebook_core::describe::short_event(id)
                )));
            }
            if row.kind == "case-sealed"
                && let Some(case) = &row.case
            {
                sealed_in_history.insert(case.clone());
            }
            // A sealed payload this copy does not hold: only in a case sealed from it (whose
            // summary is taken as stored), never missing from one it may read.
            if row.sealed() {
                let case = row.case.as_deref().unwrap_or_default();
                match sealed_here.get(case) {
                    Some(false) => {
                        if let (Some(replay), Ok(id)) = (replay.as_mut(), Uuid::parse_str(case)) {
                            replay.sealed_from_here(casebook_core::case::CaseId(id));
                        }
                        continue;
                    }
                    Some(true) => {
                        return Err(broken(format!(
                            "the sealed content of event {} is missing",
                            casebook_core::describe::short_event(id)
                        )));
                    }
                    None => {
                        return Err(broken(format!(
                            "event {} holds a sealed payload outside a sealed case",
                            casebook_core::describe::short_event(id)
                        )));
                    }
                }
            }
            // Committee-wide events always decide who may do what; case events are read
            // only when their derived state is replayed.
            if row.case.is_none() || row.kind == "case-sealed" || replay.is_some() {
                let event = row.event().map_err(|e| {
                    broken(format!(
                        "event {} is unreadable: {e}",
                        casebook_core::describe::short_event(id)
                    ))
                })?;
                if event.case.is_none() {
                    check_key(&event.kind).map_err(broken)?;
                    committee_events.push(event);
                } else {
                    if Committee::follows(&event) {
                        committee_events.push(event.clone());
                    }
                    if replay.is_some() {
                        case_events.push(event);
                    }
                }
            }
        }
        if n == 0 && !body.parents.is_empty() {
            return Err(broken("the history has no start".into()));
        }
        dag.push(
            body.author,
            &body.key,
            super::parse_time(&body.at),
            parents[n].clone(),
            committee_events,
            |events| {
                if body.adopts {
                    Committee::adopted(body.author, &body.key, events).map(|c| (c, events.len()))
                } else {
                    Committee::founded(&body.key, events).map(|c| (c, 2))
                }
            },
        )
        .map_err(|source| Error::Unauthorized {
            path: path.to_path_buf(),
            source,
        })?;
        if let Some(replay) = replay.as_mut() {
            // A case sealed from this copy is not derived here (its summary stands for it):
            // the events of it this copy holds in plaintext (its sealings) are not judged.
            case_events.retain(|e| {
                e.case
                    .is_none_or(|c| sealed_here.get(&c.to_string()) != Some(&false))
            });
            for (i, event) in case_events.iter().enumerate() {
                replay.feed(n, event, &case_events[i + 1..], &dag);
            }
        }
    }
    if let Some(row) = rows.next() {
        return Err(broken(format!(
            "event {} is not part of any signed commit",
            short_commit(&row.id)
        )));
    }
    if bodies.is_empty() {
        return Err(broken("it has no commits".into()));
    }
    if let Some(case) = sealed_here.keys().find(|c| !sealed_in_history.contains(*c)) {
        return Err(broken(format!(
            "it holds sealed content for case {}, which its history never sealed",
            short_commit(case)
        )));
    }
    Ok(Checked {
        dag,
        replay,
        sealed_in_history,
    })
}

/// The commit of each event among `ids`, by index in `bodies` (the commits in stored order).
pub(super) fn commits_of(
    bodies: &[Body],
    ids: &std::collections::HashSet<String>,
) -> HashMap<String, usize> {
    let mut found = HashMap::with_capacity(ids.len());
    for (n, body) in bodies.iter().enumerate() {
        for (id, _) in &body.events {
            let text = id.to_string();
            if ids.contains(&text) {
                found.insert(text, n);
            }
        }
    }
    found
}

/// The digest of the signatures of `commits`, in order.
pub(super) fn signatures_digest(commits: &[StoredCommit]) -> String {
    let mut hash = Sha256::new();
    for StoredCommit { signature, .. } in commits {
        hash.update((signature.len() as u64).to_le_bytes());
        hash.update(signature.as_bytes());
    }
    hex(&hash.finalize())
}

/// Check the signatures of the commits at `indexes`, split over two threads.
pub(super) fn check_signatures(
    commits: &[StoredCommit],
    bodies: &[Body],
    indexes: &[usize],
) -> Result<(), String> {
    let check = |n: usize| -> Result<(), String> {
        let StoredCommit {
            id,
            body: text,
            signature: pem,
            ..
        } = &commits[n];
        let bad = || format!("commit {} has an invalid signature", short_commit(id));
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
    let progress = crate::progress::stage("checking signatures", indexes.len() as u64);
    let check = |n: usize| {
        progress.step();
        check(n)
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
    crate::ffi::wipe_sqlite_memory();
    let conn = Connection::open_in_memory()?;
    crate::schema::create(&conn)?;
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
