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
use super::{Body, FORMAT, Row, hex, insert_signed, store};
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

type StoredCommit = (i64, String, String, String);

/// The commits of `conn`, without their signatures (read where a commit moves).
fn commits(conn: &Connection) -> rusqlite::Result<Vec<StoredCommit>> {
    conn.prepare("SELECT seq, id, body, '' FROM commits ORDER BY seq")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
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
        .map(|id| stmt.query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))))
        .collect()
}

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
    let db = |e| Error::database(path, e);
    let theirs_db = |e| Error::database(other_label, e);
    let broken = |detail: String| Error::HistoryBroken {
        path: other_label.to_path_buf(),
        detail,
    };
    let mine = commits(conn).map_err(db)?;
    let theirs = commit_ids(other).map_err(theirs_db)?;
    let their_root = match theirs.first() {
        Some(id) => commits_among(other, &[id]).map_err(theirs_db)?.pop(),
        None => None,
    };
    let (Some(my_root), Some(their_root)) = (mine.first(), their_root.as_ref()) else {
        return Err(Error::UnsignedHistory {
            path: if mine.is_empty() {
                path.to_path_buf()
            } else {
                other_label.to_path_buf()
            },
        });
    };
    if my_root.1 != their_root.1 {
        let body = |text: &str| {
            serde_json::from_str::<Body>(text)
                .map(|b| b.key)
                .unwrap_or_default()
        };
        return Err(Error::NotSameCommittee {
            path: other_label.to_path_buf(),
            into: path.to_path_buf(),
            ours: super::fingerprint(&my_root.1, &body(&my_root.2)),
            theirs: super::fingerprint(&their_root.1, &body(&their_root.2)),
        });
    }
    let have: HashMap<&str, usize> = mine
        .iter()
        .enumerate()
        .map(|(i, c)| (c.1.as_str(), i))
        .collect();
    let missing: Vec<&String> = theirs
        .iter()
        .filter(|id| !have.contains_key(id.as_str()))
        .collect();
    let incoming: Vec<StoredCommit> = commits_among(other, &missing).map_err(theirs_db)?;
    if incoming.is_empty() {
        return Ok(Merged::default());
    }

    // Everything that comes in is checked as verification would check it.
    let mut bodies = Vec::with_capacity(incoming.len());
    let mut known_ids: HashSet<&str> = have.keys().copied().collect();
    for (_, id, text, _) in &incoming {
        if hex(&Sha256::digest(text.as_bytes())) != *id {
            return Err(broken(format!(
                "commit {} was changed after it was signed",
                short_commit(id)
            )));
        }
        let body: Body = serde_json::from_str(text)
            .map_err(|e| broken(format!("commit {} is unreadable: {e}", short_commit(id))))?;
        if body.format != FORMAT
            || body.adopts
            || body.parents.is_empty()
            || !body.parents.windows(2).all(|w| w[0] < w[1])
            || body.parents.iter().any(|p| !known_ids.contains(p.as_str()))
        {
            return Err(broken(format!(
                "commit {} does not extend the history before it",
                short_commit(id)
            )));
        }
        if !known_ids.insert(id) {
            return Err(broken(format!(
                "commit {} is stored twice",
                short_commit(id)
            )));
        }
        bodies.push(body);
    }
    let triples: Vec<(String, String, String)> = incoming
        .iter()
        .map(|(_, id, text, sig)| (id.clone(), text.clone(), sig.clone()))
        .collect();
    let all: Vec<usize> = (0..triples.len()).collect();
    check_signatures(&triples, &bodies, &all).map_err(broken)?;
    let mut new_events: Vec<Vec<Row>> = Vec::with_capacity(bodies.len());
    let mut by_author: HashMap<MemberId, usize> = HashMap::new();
    let mut seen_events: HashSet<Uuid> = HashSet::new();
    {
        let mut theirs_stmt = other
            // Payloads as the other copy holds them: unsealed where this member may read
            // them, a stub where the case is sealed from them.
            .prepare(&format!(
                "SELECT {} FROM events_open WHERE id = ?1",
                Row::COLUMNS
            ))
            .map_err(theirs_db)?;
        let mut mine_stmt = conn
            .prepare("SELECT 1 FROM events WHERE id = ?1")
            .map_err(db)?;
        for body in &bodies {
            let mut rows = Vec::with_capacity(body.events.len());
            for (id, hash) in &body.events {
                let text = id.to_string();
                let row = theirs_stmt
                    .query_row([&text], Row::read)
                    .optional()
                    .map_err(theirs_db)?
                    .ok_or_else(|| {
                        broken(format!("event {} of a commit is missing", &text[..8]))
                    })?;
                if row.id != text || row.hash() != *hash {
                    return Err(broken(format!(
                        "event {} was changed after it was signed",
                        &text[..8]
                    )));
                }
                if !seen_events.insert(*id) || mine_stmt.exists([&text]).map_err(db)? {
                    return Err(broken(format!(
                        "event {} is part of two commits",
                        &text[..8]
                    )));
                }
                rows.push(row);
            }
            *by_author.entry(body.author).or_default() += rows.len();
            new_events.push(rows);
        }
    }

    // The union, in canonical order: mine as stored up to the first commit whose place
    // changes, then the rest in their new order.
    let mut outlines: Vec<Outline<'_>> = Vec::with_capacity(mine.len() + incoming.len());
    for (_, id, text, _) in &mine {
        outlines.push(
            serde_json::from_str(text).map_err(|e| Error::HistoryBroken {
                path: path.to_path_buf(),
                detail: format!("commit {} is unreadable: {e}", short_commit(id)),
            })?,
        );
    }
    for body in &bodies {
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
    let ids: Vec<&str> = mine
        .iter()
        .map(|c| c.1.as_str())
        .chain(incoming.iter().map(|c| c.1.as_str()))
        .collect();
    let index: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let parents: Vec<Vec<usize>> = outlines
        .iter()
        .map(|h| h.parents.iter().map(|p| index[p.as_ref()]).collect())
        .collect();
    let keys: Vec<(&str, &str)> = outlines
        .iter()
        .zip(&ids)
        .map(|(h, id)| (h.at.as_ref(), *id))
        .collect();
    // Mine keep their places up to the first one a commit coming in could precede (before any
    // of those is placed, the order is mine, and one is placed only after all its parents):
    // only the rest is ordered again.
    let settled = (mine.len()..parents.len())
        .filter_map(|k| parents[k].iter().filter(|&&p| p < mine.len()).max())
        .min()
        .map_or(mine.len(), |p| p + 1);
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
        .unwrap_or(mine.len());

    // Moving rows would check every reference to each moved event by scanning the whole
    // history (`amends` has no index); the references are checked once, below, instead.
    conn.execute_batch("PRAGMA foreign_keys = OFF")
        .map_err(db)?;
    struct Restore<'a>(&'a Connection);
    impl Drop for Restore<'_> {
        fn drop(&mut self) {
            let _ = self.0.execute_batch("PRAGMA foreign_keys = ON");
        }
    }
    let _restore = Restore(conn);
    let tx = conn.unchecked_transaction().map_err(db)?;
    // The events of my commits from `fork` on move to their new places.
    let mut first_moved: Option<i64> = None;
    let moved_events: Vec<Row> = match mine.get(fork) {
        None => Vec::new(),
        Some(_) => {
            first_moved = mine[fork..]
                .iter()
                .find_map(|(_, _, text, _)| {
                    serde_json::from_str::<Body>(text)
                        .ok()
                        .and_then(|b| b.events.first().map(|e| e.0.to_string()))
                })
                .map(|id| tx.query_row("SELECT seq FROM events WHERE id = ?1", [id], |r| r.get(0)))
                .transpose()
                .map_err(db)?;
            match first_moved {
                None => Vec::new(),
                Some(from) => {
                    let rows = tx
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
                    rows
                }
            }
        }
    };
    let mut signatures: HashMap<i64, String> = HashMap::new();
    if let Some(first) = mine.get(fork) {
        signatures = tx
            .prepare("SELECT seq, signature FROM commits WHERE seq >= ?1")
            .and_then(|mut s| {
                s.query_map([first.0], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect()
            })
            .map_err(db)?;
        tx.execute("DELETE FROM commits WHERE seq >= ?1", [first.0])
            .map_err(db)?;
    }
    let mut moved: HashMap<String, Row> = moved_events
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect();
    let incoming_ids: HashSet<String> = new_events.iter().flatten().map(|r| r.id.clone()).collect();
    let mut incoming_rows: Vec<Option<Vec<Row>>> = new_events.into_iter().map(Some).collect();
    // The first event stored anew: derived state is settled from there (see `rederive`).
    let mut from_event: Option<i64> = None;
    for &c in &order[fork..] {
        let (id, text, signature, rows): (&str, &str, &str, Vec<Row>) = if c < mine.len() {
            let (seq, id, text, _) = &mine[c];
            let sig = signatures.get(seq).ok_or_else(|| Error::HistoryBroken {
                path: path.to_path_buf(),
                detail: format!(
                    "commit {} lost its signature while merging",
                    short_commit(id)
                ),
            })?;
            let rows = outlines[c]
                .events
                .iter()
                .map(|(e, _)| {
                    moved
                        .remove(e.as_ref())
                        .ok_or_else(|| Error::HistoryBroken {
                            path: path.to_path_buf(),
                            detail: format!(
                                "event {} is not where its commit says",
                                e.get(..8).unwrap_or(e)
                            ),
                        })
                })
                .collect::<Result<_, _>>()?;
            (id, text, sig, rows)
        } else {
            let k = c - mine.len();
            let (_, id, text, sig) = &incoming[k];
            (id, text, sig, incoming_rows[k].take().unwrap_or_default())
        };
        tx.execute(
            "INSERT INTO commits (id, body, signature) VALUES (?1, ?2, ?3)",
            params![id, text, signature],
        )
        .map_err(db)?;
        for row in rows {
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
            .map_err(db)?;
            from_event.get_or_insert_with(|| tx.last_insert_rowid());
            if c >= mine.len() && !row.sealed() {
                let event = row
                    .event()
                    .map_err(|e| broken(format!("event {} is unreadable: {e}", &row.id[..8])))?;
                if let Some(case) = event.case {
                    store::index_event(&tx, case, &event).map_err(db)?;
                }
                if let casebook_core::event::EventKind::ReportReceived { attachments, .. } =
                    &event.kind
                {
                    for a in attachments {
                        if !copy_attachment(other, &tx, &a.sha256).map_err(db)? {
                            return Err(broken(format!(
                                "the attachment stored under {} is not the one its report names",
                                short_commit(&a.sha256)
                            )));
                        }
                    }
                }
            }
        }
    }
    if !moved.is_empty() {
        return Err(Error::HistoryBroken {
            path: path.to_path_buf(),
            detail: "events outside any commit were found while merging".into(),
        });
    }

    // A merge commit when both copies had changes the other lacked (a copy that only brings
    // what this one has, or only merge commits, is taken as it is: copies then converge).
    let theirs_ids: HashSet<&str> = theirs.iter().map(String::as_str).collect();
    let mine_only_changes = mine.iter().zip(&outlines).any(|((_, id, _, _), outline)| {
        !theirs_ids.contains(id.as_str()) && !outline.events.is_empty()
    });
    let incoming_changes = bodies.iter().any(|b| !b.events.is_empty());
    let merge_commit = mine_only_changes && incoming_changes;

    // The merged history as its committee is replayed: every commit in its new place.
    let mut place = vec![0; order.len()];
    for (i, &c) in order.iter().enumerate() {
        place[c] = i;
    }
    let mut merged: Vec<Commit<'_>> = order
        .iter()
        .map(|&c| Commit {
            author: outlines[c].author,
            key: outlines[c].key.as_ref(),
            at: outlines[c].at.as_ref(),
            parents: parents[c].iter().map(|&p| place[p]).collect(),
            events: &outlines[c].events,
            adopts: outlines[c].adopts,
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
        .map(|(&c, _)| ids[c].to_string())
        .collect();
    tips.sort();
    // Known now, for signing the merge commit (which then is the one tip) and those after.
    let count = i64::try_from(merged.len()).unwrap_or(i64::MAX);
    super::remember_tips(&tx, &tips, count).map_err(db)?;
    let mut merge_commit_id = None;
    // Never dated before what it follows (a copy from a laptop whose clock ran ahead), as
    // any commit (see `CaseFile::record`).
    let at = casebook_core::engine::dag::dated_after(at, super::latest_time(&tx).map_err(db)?);
    let merge_at = store::timestamp(at);
    if merge_commit {
        let body = Body {
            format: FORMAT.into(),
            parents: tips.clone(),
            author: me,
            key: signer.recipient().to_string(),
            at: store::timestamp(at),
            events: Vec::new(),
            adopts: false,
            summaries: Default::default(),
        };
        merge_commit_id = Some(insert_signed(&tx, path, signer, &body)?);
        let at: HashMap<&str, usize> = order
            .iter()
            .enumerate()
            .map(|(i, &c)| (ids[c], i))
            .collect();
        merged.push(Commit {
            author: me,
            key: signer.recipient(),
            at: &merge_at,
            parents: tips.iter().map(|t| at[t.as_str()]).collect(),
            events: &[],
            adopts: false,
        });
    }

    let still_valid: Vec<Segment> = {
        let first_commit = mine.get(fork).map_or(i64::MAX, |c| c.0);
        let first_event = first_moved.unwrap_or(i64::MAX);
        known
            .iter()
            .take_while(|s| s.commits < first_commit && s.events < first_event)
            .cloned()
            .collect()
    };
    // What the other copy holds sealed from this member comes as it is; then what this member
    // may read of it is opened (the caller's keys).
    crate::sealing::bring_sealed(other, &tx).map_err(theirs_db)?;
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
        stored: stored_segments(&tx, &still_valid).map_err(db)?,
    };
    tx.commit().map_err(db)?;

    let kinds: HashSet<&str> = ["member-removed", "member-key-changed", "rekeyed"].into();
    let roster_changed = other_roster_changed(&incoming, other, &kinds).map_err(theirs_db)?;
    let mut by_author: Vec<(MemberId, usize)> =
        by_author.into_iter().filter(|(_, n)| *n > 0).collect();
    by_author.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(Merged {
        by_author,
        commits: incoming.len(),
        merge_commit,
        roster_changed,
        history: Some(history),
    })
}

/// Whether the incoming commits hold a removal, a key change or a re-encryption.
fn other_roster_changed(
    incoming: &[StoredCommit],
    other: &Connection,
    kinds: &HashSet<&str>,
) -> rusqlite::Result<bool> {
    let mut stmt = other.prepare("SELECT kind FROM events WHERE id = ?1")?;
    for (_, _, text, _) in incoming {
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
