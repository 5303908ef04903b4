//! Synthetic case data of any size, for benchmarks and the tests that need a sizeable file
//! (crash safety, no plaintext on disk). Text is made of common words so it compresses and
//! indexes like real notes; a canary string can be planted to search the disk for.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use super::Identity;
use super::{CaseFile, Error, store};
use casebook_core::case::{CaseId, Channel};
use casebook_core::codename;
use casebook_core::event::{Event, EventKind, NoteKind};

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
pub fn fill(
    file: &mut CaseFile,
    spec: &Spec,
    now: DateTime<Utc>,
    signer: &Identity,
) -> Result<(), Error> {
    let label = file.label();
    let db = |e: rusqlite::Error| Error::Database {
        path: label.clone().into(),
        source: e,
    };
    let author = file.me()?.map(|m| m.id).ok_or_else(|| Error::ReadOnly {
        label: file.label(),
    })?;
    // Mix in how many cases exist, so that filling the same file twice adds different cases.
    let existing = file.cases()?.len() as u64;
    let mut rng = StdRng::seed_from_u64(spec.seed ^ existing.rotate_left(32));
    let mut taken: HashSet<String> = file
        .cases()?
        .values()
        .map(|c| c.code_name.clone())
        .collect();
    let mut names = Vec::with_capacity(spec.cases);
    for _ in 0..spec.cases {
        let name = codename::generate(&mut rng, |n| taken.contains(n));
        taken.insert(name.clone());
        names.push(name);
    }
    let canary = spec.canary.as_deref().unwrap_or("");
    // What was recorded before is signed first; then one commit per case, as members work.
    file.commit(signer, now)?;
    let mut committed = file.committed();
    let path = std::path::PathBuf::from(file.label());
    let conn = file.connection();
    let tx = conn.unchecked_transaction().map_err(db)?;
    for code_name in names {
        let case = CaseId(Uuid::from_u128(rng.r#gen()));
        let received = now - Duration::minutes(rng.gen_range(0..500_000));
        let mut text = StdRng::seed_from_u64(rng.r#gen());
        let mut events = Vec::with_capacity(spec.events_per_case);
        let mut event = |kind: EventKind, at: DateTime<Utc>| Event {
            id: Uuid::from_u128(rng.r#gen()),
            case: Some(case),
            author,
            at,
            amends: None,
            kind,
        };
        let title = format!("{} {canary}", sentence(&mut text, 60));
        events.push(event(
            EventKind::CaseOpened {
                code_name,
                title,
                summary: String::new(),
                channel: Channel::Form,
                received_at: received,
            },
            now,
        ));
        for n in 1..spec.events_per_case {
            let mut body = sentence(&mut text, spec.note_bytes);
            if n == 1 {
                body.push(' ');
                body.push_str(canary);
            }
            let at = now;
            events.push(event(
                EventKind::NoteAdded {
                    body,
                    note: NoteKind::General,
                },
                at,
            ));
        }
        store::append_case(&tx, &events).map_err(db)?;
        // Commits of up to ten events, as members work.
        let last = store::last_seq(&tx).map_err(db)?;
        while committed < last {
            committed =
                super::history::commit_some(&tx, &path, signer, author, committed, now, 10)?;
        }
    }
    if spec.cases > 0 {
        tx.execute_batch("REINDEX;").map_err(db)?;
    }
    tx.commit().map_err(db)?;
    file.set_committed(committed);
    file.forget_index();
    file.mark_dirty();
    Ok(())
}

/// Text with a vocabulary shaped like real notes: half the words are common function words;
/// the rest are drawn, Zipf-like, from [`CONTENT_WORDS`] made-up content words, so some words
/// are everywhere and most are rare.
fn sentence(rng: &mut StdRng, bytes: usize) -> String {
    let mut text = String::with_capacity(bytes + 16);
    while text.len() < bytes {
        if !text.is_empty() {
            text.push(' ');
        }
        if rng.gen_bool(0.5) {
            text.push_str(WORDS[rng.gen_range(0..WORDS.len())]);
        } else {
            // Rank r is drawn with probability proportional to 1/r (inverse-CDF of a
            // continuous Zipf law with exponent 1).
            let u: f64 = rng.r#gen();
            let rank = (CONTENT_WORDS as f64).powf(u) as usize;
            text.push_str(&content_word(rank.clamp(1, CONTENT_WORDS)));
        }
    }
    text
}

/// Size of the made-up content vocabulary.
pub const CONTENT_WORDS: usize = 20_000;

/// The content word of a frequency rank (1 = most frequent): pronounceable and unique.
pub fn content_word(rank: usize) -> String {
    const SYLLABLES: [&str; 20] = [
        "ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "bra", "dor", "fen", "gal", "hir",
        "jun", "kel", "mor", "pil", "ros", "tal",
    ];
    let mut n = rank;
    let mut word = String::new();
    loop {
        word.push_str(SYLLABLES[n % SYLLABLES.len()]);
        n /= SYLLABLES.len();
        if n == 0 {
            break;
        }
    }
    word
}
