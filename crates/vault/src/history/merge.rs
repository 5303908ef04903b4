//! Merging another copy's history into this one: the union of both copies' signed commits,
//! stored in the canonical order (see [`super::dag`]), with the derived tables rebuilt from
//! the merged events. Nothing of either copy is dropped; what the other copy brings is
//! verified as it comes in (ids, signatures, event hashes and places, authority in each
//! commit's own past), and a copy of another committee is refused before anything changes.

use casebook_core::describe::short_commit;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::rederive::{Changed, Commit, after_merge};
use super::verify::{Segment, check_signatures, stored_segments};
use super::{Body, FORMAT, Row, StoredCommit, hex, insert_signed, store};
use crate::{Error, Identity};
use casebook_core::roster::MemberId;

/// The part of a commit body that names its parents (the rest is skipped).
#[derive(Deserialize)]
pub(super) struct Head {
    pub(super) parents: Vec<String>,
}

/// A commit body as the merge orders and replays it, read without copying its text (the
/// events' hashes are skipped: they were checked when this copy was verified).
#[derive(Deserialize)]
struct Outline<'a> {
    #[serde(borrow)]
    parents: Vec<Cow<'a, str>>,
    author: MemberId,
    #[serde(borrow)]
    key: Cow<'a, str>,
    #[serde(borrow)]
    at: Cow<'a, str>,
    #[serde(borrow)]
    events: Vec<(Cow<'a, str>, serde::de::IgnoredAny)>,
    #[serde(default)]
    adopts: bool,
}

/// What a merge brought in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Merged {
    /// The events that came in, by author, most first.
    pub by_author: Vec<(MemberId, usize)>,
    /// Commits that came in.
    pub commits: usize,
    /// Whether a merge commit was signed (both copies had changes the other lacked).
    pub merge_commit: bool,
    /// Whether a roster change came in (the next save must not leave a backup old keys open).
    pub roster_changed: bool,
    /// The history after the merge.
    pub history: Option<History>,
}

/// The merged history, as the next save pins it: its newest commit, how many commits it
/// has, and the digests of its rows as stored (see [`Segment`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    /// The newest commit's id.
    pub head: String,
    /// How many commits it has.
    pub commits: usize,
    /// Digests of every stored commit and event, as stored.
    pub stored: Vec<Segment>,
}

impl Merged {
    /// Nothing came in: the other copy's history was all here already.
    pub fn is_empty(&self) -> bool {
        self.commits == 0
    }

    /// How many events came in.
    pub fn events(&self) -> usize {
        self.by_author.iter().map(|(_, n)| n).sum()
    }
}

/// The commits of `conn`, without their signatures (read where a commit moves).
fn commits(conn: &Connection) -> rusqlite::Result<Vec<StoredCommit>> {
    conn.prepare("SELECT seq, id, body, '' FROM commits ORDER BY seq")?
        .query_map([], StoredCommit::read)?
        .collect()
}

/// The ids of the commits of `conn`, in stored order.
fn commit_ids(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    conn.prepare("SELECT id FROM commits ORDER BY seq")?
        .query_map([], |r| r.get(0))?
        .collect()
}

/// The commits of `conn` among `ids`, in stored order.
fn commits_among(conn: &Connection, ids: &[&String]) -> rusqlite::Result<Vec<StoredCommit>> {
    let mut stmt =
        conn.prepare_cached("SELECT seq, id, body, signature FROM commits WHERE id = ?1")?;
    ids.iter()
        .map(|id| stmt.query_row([id], StoredCommit::read))
        .collect()
}

/// The two copies a merge works on: this file's database and the other copy's, each with the
/// name its messages give it.
#[derive(Clone, Copy)]
struct Copies<'a> {
    conn: &'a Connection,
    path: &'a Path,
    other: &'a Connection,
    other_label: &'a Path,
}

impl Copies<'_> {
    /// An SQL error on this file.
    fn db(&self, e: rusqlite::Error) -> Error {
        Error::database(self.path, e)
    }

    /// An SQL error on the other copy.
    fn theirs_db(&self, e: rusqlite::Error) -> Error {
        Error::database(self.other_label, e)
    }

    /// The other copy's history does not hold.
    fn broken(&self, detail: String) -> Error {
        Error::HistoryBroken {
            path: self.other_label.to_path_buf(),
            detail,
        }
    }

    /// This file's history does not hold.
    fn mine_broken(&self, detail: String) -> Error {
        Error::HistoryBroken {
            path: self.path.to_path_buf(),
            detail,
        }
    }
}

/// What the other copy brings: this file's commits, the other copy's ids, and its commits this
/// file lacks (`None` when it lacks none). A copy of another committee is refused.
type ComingIn = (Vec<StoredCommit>, Vec<String>, Vec<StoredCommit>);

/// The events of each incoming commit, and how many each author brought.
type IncomingEvents = (Vec<Vec<Row>>, HashMap<MemberId, usize>);

/// Bring every commit of `other` (another copy, decrypted) into `conn`, verified, and sign a
/// merge commit by `me` with `signer` when both copies had changes the other lacked. `known`
/// are the stored-row segments `conn` was verified with; `other_label` names the other copy in
/// messages. On any refusal `conn` is left as it was.
#[allow(clippy::too_many_arguments)]
pub(crate) fn merge(
    conn: &Connection,
    path: &Path,
    other: &Connection,
    other_label: &Path,
    signer: &Identity,
    me: MemberId,
    at: DateTime<Utc>,
    known: &[Segment],
    unseal: &mut dyn FnMut(&Connection) -> Result<(), Error>,
) -> Result<Merged, Error> {
    let c = Copies {
        conn,
        path,
        other,
        other_label,
    };
    let Some((mine, theirs, incoming)) = coming_in(&c)? else {
        return Ok(Merged::default());
    };
    let bodies = check_commits(&c, &mine, &incoming)?;
    let (new_events, by_author) = check_events(&c, &bodies)?;
    let outlines = outlines(&c, &mine, &bodies)?;
    let ids: Vec<&str> = mine
        .iter()
        .map(|c| c.id.as_str())
        .chain(incoming.iter().map(|c| c.id.as_str()))
        .collect();
    let (parents, order, fork) = canonical_order(&ids, &outlines, mine.len());

    // Moving rows would check every reference to each moved event by scanning the whole
    // history (`amends` has no index); the references are checked once, after, instead.
    let _off = ForeignKeysOff::on(conn).map_err(|e| c.db(e))?;
    let tx = conn.unchecked_transaction().map_err(|e| c.db(e))?;
    let moving = take_moving(&tx, &c, &mine, fork)?;
    let first_moved = moving.first_event;
    let incoming_ids: HashSet<String> = new_events.iter().flatten().map(|r| r.id.clone()).collect();
    let placed = Placing {
        mine: &mine,
        incoming: &incoming,
        outlines: &outlines,
        order: &order,
        fork,
    };
    let from_event = store_in_order(&tx, &c, &placed, moving, new_events)?;

    let merge_commit = both_changed(&mine, &theirs, &outlines, &bodies);
    let mut merge_at = String::new();
    let (merged, merge_commit_id) = replayed(
        &tx,
        &c,
        &placed,
        &ids,
        &parents,
        merge_commit.then_some((signer, me, at)),
        &mut merge_at,
    )?;

    // The stored rows before the first that moved are as they were verified.
    let first_commit = mine.get(fork).map_or(i64::MAX, |c| c.seq);
    let first_event = first_moved.unwrap_or(i64::MAX);
    let still_valid: Vec<Segment> = known
        .iter()
        .take_while(|s| s.commits < first_commit && s.events < first_event)
        .cloned()
        .collect();
    // What the other copy holds sealed from this member comes as it is; then what this member
    // may read of it is opened (the caller's keys).
    crate::sealing::bring_sealed(other, &tx).map_err(|e| c.theirs_db(e))?;
    unseal(&tx).map_err(|e| blame(e, path, other_label))?;
    // This file's history was verified when it was opened, and what the other copy brought
    // as it came in: the derived tables are settled from what changed, and what no longer
    // holds is what the other copy brought (a commit its author could not make in its past,
    // say).
    let changed = Changed {
        from: from_event.unwrap_or(i64::MAX),
        incoming: &incoming_ids,
    };
    after_merge(&tx, path, &merged, &changed).map_err(|e| blame(e, path, other_label))?;
    let history = History {
        head: match merge_commit_id {
            Some(id) => id,
            None => order
                .last()
                .map(|&c| ids[c].to_string())
                .unwrap_or_default(),
        },
        commits: merged.len(),
        stored: stored_segments(&tx, &still_valid).map_err(|e| c.db(e))?,
    };
    tx.commit().map_err(|e| c.db(e))?;

    let kinds: HashSet<&str> = ["member-removed", "member-key-changed", "rekeyed"].into();
    let roster_changed =
        other_roster_changed(&incoming, other, &kinds).map_err(|e| c.theirs_db(e))?;
    Ok(Merged {
        by_author: most_first(by_author),
        commits: incoming.len(),
        merge_commit,
        roster_changed,
        history: Some(history),
    })
}

/// Whether both copies had changes the other lacked: then a merge commit is signed (a copy
/// that only brings what this one has, or only merge commits, is taken as it is: copies then
/// converge).
fn both_changed(
    mine: &[StoredCommit],
    theirs: &[String],
    outlines: &[Outline<'_>],
    bodies: &[Body],
) -> bool {
    let theirs: HashSet<&str> = theirs.iter().map(String::as_str).collect();
    let mine_only_changes = mine.iter().zip(outlines).any(|(commit, outline)| {
        !theirs.contains(commit.id.as_str()) && !outline.events.is_empty()
    });
    mine_only_changes && bodies.iter().any(|b| !b.events.is_empty())
}

/// How many events each author brought, most first (none left out but those with none).
fn most_first(by_author: HashMap<MemberId, usize>) -> Vec<(MemberId, usize)> {
    let mut by_author: Vec<(MemberId, usize)> =
        by_author.into_iter().filter(|(_, n)| *n > 0).collect();
    by_author.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    by_author
}

/// Foreign keys off on a connection until this is dropped.
struct ForeignKeysOff<'a>(&'a Connection);

impl<'a> ForeignKeysOff<'a> {
    /// Turn them off on `conn`.
    fn on(conn: &'a Connection) -> rusqlite::Result<ForeignKeysOff<'a>> {
        conn.execute_batch("PRAGMA foreign_keys = OFF")?;
        Ok(ForeignKeysOff(conn))
    }
}

impl Drop for ForeignKeysOff<'_> {
    fn drop(&mut self) {
        let _ = self.0.execute_batch("PRAGMA foreign_keys = ON");
    }
}

/// This file's commits, the other copy's commit ids, and the other copy's commits this file
/// lacks; `None` when it lacks none. Refused: an unsigned history, and another committee's.
fn coming_in(c: &Copies<'_>) -> Result<Option<ComingIn>, Error> {
    let mine = commits(c.conn).map_err(|e| c.db(e))?;
    let theirs = commit_ids(c.other).map_err(|e| c.theirs_db(e))?;
    let their_root = match theirs.first() {
        Some(id) => commits_among(c.other, &[id])
            .map_err(|e| c.theirs_db(e))?
            .pop(),
        None => None,
    };
    let (Some(my_root), Some(their_root)) = (mine.first(), their_root.as_ref()) else {
        return Err(Error::UnsignedHistory {
            path: if mine.is_empty() {
                c.path.to_path_buf()
            } else {
                c.other_label.to_path_buf()
            },
        });
    };
    if my_root.id != their_root.id {
        let body = |text: &str| {
            serde_json::from_str::<Body>(text)
                .map(|b| b.key)
                .unwrap_or_default()
        };
        return Err(Error::NotSameCommittee {
            path: c.other_label.to_path_buf(),
            into: c.path.to_path_buf(),
            ours: super::fingerprint(&my_root.id, &body(&my_root.body)),
            theirs: super::fingerprint(&their_root.id, &body(&their_root.body)),
        });
    }
    let have: HashSet<&str> = mine.iter().map(|c| c.id.as_str()).collect();
    let missing: Vec<&String> = theirs
        .iter()
        .filter(|id| !have.contains(id.as_str()))
        .collect();
    let incoming: Vec<StoredCommit> =
        commits_among(c.other, &missing).map_err(|e| c.theirs_db(e))?;
    if incoming.is_empty() {
        return Ok(None);
    }
    Ok(Some((mine, theirs, incoming)))
}

/// The commits that come in, checked as verification would check them: each one's id is the
/// hash of its body, it extends the history before it, it is stored once, and it is signed by
/// the key it names.
fn check_commits(
    c: &Copies<'_>,
    mine: &[StoredCommit],
    incoming: &[StoredCommit],
) -> Result<Vec<Body>, Error> {
    let mut bodies = Vec::with_capacity(incoming.len());
    let mut known_ids: HashSet<&str> = mine.iter().map(|c| c.id.as_str()).collect();
    for StoredCommit { id, body: text, .. } in incoming {
        if hex(&Sha256::digest(text.as_bytes())) != *id {
            return Err(c.broken(format!(
                "commit {} was changed after it was signed",
                short_commit(id)
            )));
        }
        let body: Body = serde_json::from_str(text)
            .map_err(|e| c.broken(format!("commit {} is unreadable: {e}", short_commit(id))))?;
        if body.format != FORMAT
            || body.adopts
            || body.parents.is_empty()
            || !body.parents.windows(2).all(|w| w[0] < w[1])
            || body.parents.iter().any(|p| !known_ids.contains(p.as_str()))
        {
            return Err(c.broken(format!(
                "commit {} does not extend the history before it",
                short_commit(id)
            )));
        }
        if !known_ids.insert(id) {
            return Err(c.broken(format!("commit {} is stored twice", short_commit(id))));
        }
        bodies.push(body);
    }
    let all: Vec<usize> = (0..incoming.len()).collect();
    check_signatures(incoming, &bodies, &all).map_err(|e| c.broken(e))?;
    Ok(bodies)
}

/// The events of the commits that come in, as the other copy holds them (unsealed where this
/// member may read them, a stub where the case is sealed from them), each checked against its
/// commit's hash and found in no other commit; with how many each author brought.
fn check_events(c: &Copies<'_>, bodies: &[Body]) -> Result<IncomingEvents, Error> {
    let mut new_events: Vec<Vec<Row>> = Vec::with_capacity(bodies.len());
    let mut by_author: HashMap<MemberId, usize> = HashMap::new();
    let mut seen_events: HashSet<Uuid> = HashSet::new();
    let mut theirs_stmt = c
        .other
        .prepare(&format!(
            "SELECT {} FROM events_open WHERE id = ?1",
            Row::COLUMNS
        ))
        .map_err(|e| c.theirs_db(e))?;
    let mut mine_stmt = c
        .conn
        .prepare("SELECT 1 FROM events WHERE id = ?1")
        .map_err(|e| c.db(e))?;
    for body in bodies {
        let mut rows = Vec::with_capacity(body.events.len());
        for (id, hash) in &body.events {
            let text = id.to_string();
            let short = casebook_core::describe::short_event(id);
            let row = theirs_stmt
                .query_row([&text], Row::read)
                .optional()
                .map_err(|e| c.theirs_db(e))?
                .ok_or_else(|| c.broken(format!("event {short} of a commit is missing")))?;
            if row.id != text || row.hash() != *hash {
                return Err(c.broken(format!("event {short} was changed after it was signed")));
            }
            if !seen_events.insert(*id) || mine_stmt.exists([&text]).map_err(|e| c.db(e))? {
                return Err(c.broken(format!("event {short} is part of two commits")));
            }
            rows.push(row);
        }
        *by_author.entry(body.author).or_default() += rows.len();
        new_events.push(rows);
    }
    Ok((new_events, by_author))
}

/// Every commit of the union, mine as stored then the incoming, read as the order needs them.
fn outlines<'a>(
    c: &Copies<'_>,
    mine: &'a [StoredCommit],
    bodies: &'a [Body],
) -> Result<Vec<Outline<'a>>, Error> {
    let mut outlines: Vec<Outline<'_>> = Vec::with_capacity(mine.len() + bodies.len());
    for StoredCommit { id, body: text, .. } in mine {
        outlines.push(serde_json::from_str(text).map_err(|e| {
            c.mine_broken(format!("commit {} is unreadable: {e}", short_commit(id)))
        })?);
    }
    for body in bodies {
        outlines.push(Outline {
            parents: body
                .parents
                .iter()
                .map(|p| Cow::Borrowed(p.as_str()))
                .collect(),
            author: body.author,
            key: Cow::Borrowed(body.key.as_str()),
            at: Cow::Borrowed(body.at.as_str()),
            events: body
                .events
                .iter()
                .map(|(id, _)| (Cow::Owned(id.to_string()), serde::de::IgnoredAny))
                .collect(),
            adopts: body.adopts,
        });
    }
    Ok(outlines)
}

/// The union in canonical order: each commit's parents (as indexes into `ids`), the order,
/// and the first place it differs from mine. Mine (the first `mine` of `ids`) keep their
/// places up to the first one a commit coming in could precede (before any of those is
/// placed, the order is mine, and one is placed only after all its parents): only the rest
/// is ordered again.
fn canonical_order(
    ids: &[&str],
    outlines: &[Outline<'_>],
    mine: usize,
) -> (Vec<Vec<usize>>, Vec<usize>, usize) {
    let index: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let parents: Vec<Vec<usize>> = outlines
        .iter()
        .map(|h| h.parents.iter().map(|p| index[p.as_ref()]).collect())
        .collect();
    let keys: Vec<(&str, &str)> = outlines
        .iter()
        .zip(ids)
        .map(|(h, id)| (h.at.as_ref(), *id))
        .collect();
    let settled = (mine..parents.len())
        .filter_map(|k| parents[k].iter().filter(|&&p| p < mine).max())
        .min()
        .map_or(mine, |p| p + 1);
    let rest: Vec<Vec<usize>> = parents[settled..]
        .iter()
        .map(|ps| {
            ps.iter()
                .filter(|&&p| p >= settled)
                .map(|p| p - settled)
                .collect()
        })
        .collect();
    let order: Vec<usize> = (0..settled)
        .chain(
            casebook_core::engine::dag::canonical(&rest, &keys[settled..])
                .into_iter()
                .map(|c| c + settled),
        )
        .collect();
    let fork = order
        .iter()
        .enumerate()
        .position(|(i, &c)| i != c)
        .unwrap_or(mine);
    (parents, order, fork)
}

/// My commits from the fork on, taken out of the tables to be stored again in their new
/// places: their events (by id) and signatures (by stored place), and where the first event
/// was stored.
struct Moving {
    first_event: Option<i64>,
    events: HashMap<String, Row>,
    signatures: HashMap<i64, String>,
}

/// Take my commits from `fork` on, and their events, out of the tables (see [`Moving`]).
fn take_moving(
    tx: &Connection,
    c: &Copies<'_>,
    mine: &[StoredCommit],
    fork: usize,
) -> Result<Moving, Error> {
    let db = |e| c.db(e);
    let Some(first) = mine.get(fork) else {
        return Ok(Moving {
            first_event: None,
            events: HashMap::new(),
            signatures: HashMap::new(),
        });
    };
    let first_event: Option<i64> = mine[fork..]
        .iter()
        .find_map(|commit| {
            serde_json::from_str::<Body>(&commit.body)
                .ok()
                .and_then(|b| b.events.first().map(|e| e.0.to_string()))
        })
        .map(|id| tx.query_row("SELECT seq FROM events WHERE id = ?1", [id], |r| r.get(0)))
        .transpose()
        .map_err(db)?;
    let mut events = Vec::new();
    if let Some(from) = first_event {
        events = tx
            .prepare(&format!(
                "SELECT {} FROM events WHERE seq >= ?1 ORDER BY seq",
                Row::COLUMNS
            ))
            .and_then(|mut s| s.query_map([from], Row::read)?.collect())
            .map_err(db)?;
        let trigger: String = tx
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE name = 'events_are_append_only_delete'",
                [],
                |r| r.get(0),
            )
            .map_err(db)?;
        tx.execute_batch("DROP TRIGGER events_are_append_only_delete")
            .map_err(db)?;
        tx.execute("DELETE FROM events WHERE seq >= ?1", [from])
            .map_err(db)?;
        tx.execute_batch(&trigger).map_err(db)?;
    }
    let signatures = tx
        .prepare("SELECT seq, signature FROM commits WHERE seq >= ?1")
        .and_then(|mut s| {
            s.query_map([first.seq], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect()
        })
        .map_err(db)?;
    tx.execute("DELETE FROM commits WHERE seq >= ?1", [first.seq])
        .map_err(db)?;
    Ok(Moving {
        first_event,
        events: events.into_iter().map(|r| (r.id.clone(), r)).collect(),
        signatures,
    })
}

/// The union's commits and where they go: mine then the incoming (indexes into `outlines`),
/// in `order`, which differs from mine from `fork` on.
struct Placing<'a, 'b> {
    mine: &'a [StoredCommit],
    incoming: &'a [StoredCommit],
    outlines: &'a [Outline<'b>],
    order: &'a [usize],
    fork: usize,
}

/// Store every commit from the fork on in its new place, with its events (mine moved, the
/// incoming indexed and their attachments copied); gives where the first event was stored.
fn store_in_order(
    tx: &Connection,
    c: &Copies<'_>,
    placed: &Placing<'_, '_>,
    mut moving: Moving,
    new_events: Vec<Vec<Row>>,
) -> Result<Option<i64>, Error> {
    let mine = placed.mine;
    let mut incoming_rows: Vec<Option<Vec<Row>>> = new_events.into_iter().map(Some).collect();
    // The first event stored anew: derived state is settled from there (see `rederive`).
    let mut from_event: Option<i64> = None;
    for &k in &placed.order[placed.fork..] {
        let (id, text, signature, rows): (&str, &str, &str, Vec<Row>) = if k < mine.len() {
            let StoredCommit {
                seq,
                id,
                body: text,
                ..
            } = &mine[k];
            let sig = moving.signatures.get(seq).ok_or_else(|| {
                c.mine_broken(format!(
                    "commit {} lost its signature while merging",
                    short_commit(id)
                ))
            })?;
            let rows = placed.outlines[k]
                .events
                .iter()
                .map(|(e, _)| {
                    moving.events.remove(e.as_ref()).ok_or_else(|| {
                        c.mine_broken(format!(
                            "event {} is not where its commit says",
                            e.get(..8).unwrap_or(e)
                        ))
                    })
                })
                .collect::<Result<_, _>>()?;
            (id, text, sig, rows)
        } else {
            let n = k - mine.len();
            let StoredCommit {
                id,
                body: text,
                signature: sig,
                ..
            } = &placed.incoming[n];
            (id, text, sig, incoming_rows[n].take().unwrap_or_default())
        };
        tx.execute(
            "INSERT INTO commits (id, body, signature) VALUES (?1, ?2, ?3)",
            params![id, text, signature],
        )
        .map_err(|e| c.db(e))?;
        for row in rows {
            let stored = store_event(tx, c, &row, k >= mine.len())?;
            from_event.get_or_insert(stored);
        }
    }
    if !moving.events.is_empty() {
        return Err(c.mine_broken("events outside any commit were found while merging".into()));
    }
    Ok(from_event)
}

/// Store one event row; one that came in (and is not sealed from this member) is indexed, and
/// the attachments its report names are copied from the other copy. Gives where it was stored.
fn store_event(tx: &Connection, c: &Copies<'_>, row: &Row, came_in: bool) -> Result<i64, Error> {
    tx.execute(
        "INSERT INTO events (id, case_id, author, at, kind, amends, payload)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            row.id,
            row.case,
            row.author,
            row.at,
            row.kind,
            row.amends,
            row.payload
        ],
    )
    .map_err(|e| c.db(e))?;
    let stored = tx.last_insert_rowid();
    if !came_in || row.sealed() {
        return Ok(stored);
    }
    let event = row.event().map_err(|e| {
        c.broken(format!(
            "event {} is unreadable: {e}",
            row.id.get(..8).unwrap_or(&row.id)
        ))
    })?;
    if let Some(case) = event.case {
        store::index_event(tx, case, &event).map_err(|e| c.db(e))?;
    }
    if let casebook_core::event::EventKind::ReportReceived { attachments, .. } = &event.kind {
        for a in attachments {
            if !copy_attachment(c.other, tx, &a.sha256).map_err(|e| c.db(e))? {
                return Err(c.broken(format!(
                    "the attachment stored under {} is not the one its report names",
                    short_commit(&a.sha256)
                )));
            }
        }
    }
    Ok(stored)
}

/// The merged history as its committee is replayed: every commit in its new place, and the
/// merge commit, signed now as `signing` says (signer, member, time; its stored time is
/// written into `merge_at`) when both copies had changes the other lacked; with the merge
/// commit's id. The tips it follows are remembered.
fn replayed<'a>(
    tx: &Connection,
    c: &Copies<'_>,
    placed: &Placing<'a, 'a>,
    ids: &[&str],
    parents: &[Vec<usize>],
    signing: Option<(&'a Identity, MemberId, DateTime<Utc>)>,
    merge_at: &'a mut String,
) -> Result<(Vec<Commit<'a>>, Option<String>), Error> {
    let (order, outlines) = (placed.order, placed.outlines);
    let mut place = vec![0; order.len()];
    for (i, &k) in order.iter().enumerate() {
        place[k] = i;
    }
    let mut merged: Vec<Commit<'a>> = order
        .iter()
        .map(|&k| Commit {
            author: outlines[k].author,
            key: outlines[k].key.as_ref(),
            at: outlines[k].at.as_ref(),
            parents: parents[k].iter().map(|&p| place[p]).collect(),
            events: &outlines[k].events,
            adopts: outlines[k].adopts,
        })
        .collect();
    let mut named = vec![false; merged.len()];
    for commit in &merged {
        for &p in &commit.parents {
            named[p] = true;
        }
    }
    let mut tips: Vec<String> = order
        .iter()
        .zip(&named)
        .filter(|(_, named)| !**named)
        .map(|(&k, _)| ids[k].to_string())
        .collect();
    tips.sort();
    // Known now, for signing the merge commit (which then is the one tip) and those after.
    let count = i64::try_from(merged.len()).unwrap_or(i64::MAX);
    super::remember_tips(tx, &tips, count).map_err(|e| c.db(e))?;
    let Some((signer, me, at)) = signing else {
        return Ok((merged, None));
    };
    // Never dated before what it follows (a copy from a laptop whose clock ran ahead), as
    // any commit (see `CaseFile::record`); read once the tips are remembered (the tips'
    // cache is then current).
    let latest = super::latest_time(tx).map_err(|e| c.db(e))?;
    *merge_at = store::timestamp(casebook_core::engine::dag::dated_after(at, latest));
    let at: &'a String = merge_at;
    let body = Body {
        format: FORMAT.into(),
        parents: tips.clone(),
        author: me,
        key: signer.recipient().to_string(),
        at: at.to_string(),
        events: Vec::new(),
        adopts: false,
        summaries: Default::default(),
    };
    let id = insert_signed(tx, c.path, signer, &body)?;
    let places: HashMap<&str, usize> = order
        .iter()
        .enumerate()
        .map(|(i, &k)| (ids[k], i))
        .collect();
    merged.push(Commit {
        author: me,
        key: signer.recipient(),
        at,
        parents: tips.iter().map(|t| places[t.as_str()]).collect(),
        events: &[],
        adopts: false,
    });
    Ok((merged, Some(id)))
}

/// Whether the incoming commits hold a removal, a key change or a re-encryption.
fn other_roster_changed(
    incoming: &[StoredCommit],
    other: &Connection,
    kinds: &HashSet<&str>,
) -> rusqlite::Result<bool> {
    let mut stmt = other.prepare("SELECT kind FROM events WHERE id = ?1")?;
    for StoredCommit { body: text, .. } in incoming {
        let Ok(body) = serde_json::from_str::<Body>(text) else {
            continue;
        };
        for (id, _) in &body.events {
            let kind: Option<String> = stmt.query_row([id.to_string()], |r| r.get(0)).optional()?;
            if kind.is_some_and(|k| kinds.contains(k.as_str())) {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Copy the attachment stored under `sha256` in `from` (if any) to `to`; false when its bytes
/// are not the ones the hash (named in a signed report) says: the attachments table is not
/// signed, so another copy could hold anything there.
fn copy_attachment(from: &Connection, to: &Connection, sha256: &str) -> rusqlite::Result<bool> {
    let found: Option<Vec<u8>> = from
        .query_row(
            "SELECT data FROM attachments WHERE sha256 = ?1",
            [sha256],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(data) = found {
        let data = zeroize::Zeroizing::new(data);
        if hex(&Sha256::digest(data.as_slice())) != sha256 {
            return Ok(false);
        }
        let size = i64::try_from(data.len()).unwrap_or(i64::MAX);
        to.execute(
            "INSERT OR IGNORE INTO attachments (sha256, size, data) VALUES (?1, ?2, ?3)",
            params![sha256, size, data.as_slice()],
        )?;
    }
    Ok(true)
}

/// `e`, about the merged history of `path`, said of the copy `other` that was merged in.
fn blame(e: Error, path: &Path, other: &Path) -> Error {
    match e {
        Error::HistoryBroken { path: p, detail } if p == path => Error::HistoryBroken {
            path: other.to_path_buf(),
            detail,
        },
        Error::Unauthorized { path: p, source } if p == path => Error::Unauthorized {
            path: other.to_path_buf(),
            source,
        },
        Error::DerivedMismatch { path: p, what } if p == path => Error::DerivedMismatch {
            path: other.to_path_buf(),
            what,
        },
        e => e,
    }
}
