//! Synthetic case data of any size, for benchmarks and the tests that need a sizeable file
//! (crash safety, no plaintext on disk). Text is made of common words so it compresses and
//! indexes like real notes; a canary string can be planted to search the disk for.

use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::params;
use uuid::Uuid;

use super::store::timestamp;
use super::{CaseFile, Error};
use crate::core::case::{Channel, Status};
use crate::core::event::{EventKind, NoteKind};

/// What to generate.
#[derive(Clone, Debug)]
pub struct Spec {
    /// Number of cases.
    pub cases: usize,
    /// Events per case (the first opens the case; the rest are notes).
    pub events_per_case: usize,
    /// Approximate length of each note, in bytes.
    pub note_bytes: usize,
    /// A string planted in every case title and first note.
    pub canary: Option<String>,
    /// Seed for the generator.
    pub seed: u64,
}

const WORDS: [&str; 32] = [
    "the",
    "committee",
    "report",
    "member",
    "channel",
    "meeting",
    "review",
    "comment",
    "behaviour",
    "thread",
    "community",
    "project",
    "reply",
    "message",
    "event",
    "moderator",
    "asked",
    "noted",
    "said",
    "followed",
    "contact",
    "interview",
    "decision",
    "warning",
    "context",
    "evidence",
    "later",
    "again",
    "public",
    "private",
    "impact",
    "response",
];

/// Add `spec.cases` synthetic cases, authored by the member who opened the file, then rebuild
/// every index (an index-heavy operation, as a large import or migration would be).
pub fn fill(file: &mut CaseFile, spec: &Spec, now: DateTime<Utc>) -> Result<(), Error> {
    let label = file.label();
    let db = |e: rusqlite::Error| Error::Database {
        path: label.clone().into(),
        source: e,
    };
    let author = file
        .me()?
        .map(|m| m.id.to_string())
        .ok_or_else(|| Error::ReadOnly {
            label: file.label(),
        })?;
    let conn = file.connection();
    // Mix in how many cases exist, so that filling the same file twice adds different cases.
    let existing: i64 = conn
        .query_row("SELECT count(*) FROM cases", [], |row| row.get(0))
        .map_err(db)?;
    let mut rng = StdRng::seed_from_u64(spec.seed ^ (existing as u64).rotate_left(32));
    let tx = conn.unchecked_transaction().map_err(db)?;
    {
        let mut insert_event = tx
            .prepare(
                "INSERT INTO events (id, case_id, author, at, kind, payload)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .map_err(db)?;
        let mut insert_case = tx
            .prepare(
                "INSERT INTO cases (id, code_name, title, status, received_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            )
            .map_err(db)?;
        let canary = spec.canary.as_deref().unwrap_or("");
        for _ in 0..spec.cases {
            let case = Uuid::from_u128(rng.r#gen()).to_string();
            let received = now - Duration::minutes(rng.gen_range(0..500_000));
            let at = timestamp(received);
            let code_name = format!("synthetic-{}", &case[..13]);
            let title = format!("{} {canary}", sentence(&mut rng, 60));
            let status = Status::ALL[rng.gen_range(0..Status::ALL.len())];
            insert_case
                .execute(params![case, code_name, title, status.as_str(), at])
                .map_err(db)?;
            let opened = EventKind::CaseOpened {
                code_name,
                title,
                summary: String::new(),
                channel: Channel::Form,
                received_at: received,
            };
            let payload = serde_json::to_string(&opened).unwrap_or_default();
            let id = Uuid::from_u128(rng.r#gen()).to_string();
            insert_event
                .execute(params![id, case, author, at, opened.name(), payload])
                .map_err(db)?;
            for n in 1..spec.events_per_case {
                let mut body = sentence(&mut rng, spec.note_bytes);
                if n == 1 {
                    body.push(' ');
                    body.push_str(canary);
                }
                let note = EventKind::NoteAdded {
                    body,
                    note: NoteKind::General,
                };
                let payload = serde_json::to_string(&note).unwrap_or_default();
                let id = Uuid::from_u128(rng.r#gen()).to_string();
                insert_event
                    .execute(params![id, case, author, at, note.name(), payload])
                    .map_err(db)?;
            }
        }
    }
    if spec.cases > 0 {
        tx.execute_batch("REINDEX;").map_err(db)?;
    }
    tx.commit().map_err(db)?;
    file.mark_dirty();
    Ok(())
}

fn sentence(rng: &mut StdRng, bytes: usize) -> String {
    let mut text = String::with_capacity(bytes + 16);
    while text.len() < bytes {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(WORDS[rng.gen_range(0..WORDS.len())]);
    }
    text
}
