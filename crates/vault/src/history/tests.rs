//! Random signed histories verify; any flipped byte fails.
use chrono::{Duration, TimeZone, Utc};
use proptest::prelude::*;

use super::*;
use crate::{CaseFile, Founder, PassphraseSource};
use casebook_core::case::Channel;
use casebook_core::event::{EventKind, NoteKind};
use casebook_core::roster::{Member, Role};

fn key(bytes: &[u8], name: &str) -> Identity {
    Identity::from_bytes(bytes, Path::new(name), &PassphraseSource::Terminal).unwrap()
}

/// Three members (the demo's keys), a case, and `steps` commits of (author, notes).
fn history(steps: &[(usize, usize)]) -> CaseFile {
    let robin = key(include_bytes!("../../../../assets/demo/identity"), "robin");
    let others = [
        key(include_bytes!("../../../../assets/demo/members/sam"), "sam"),
        key(
            include_bytes!("../../../../assets/demo/members/priya"),
            "priya",
        ),
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
    let robin = key(include_bytes!("../../../../assets/demo/identity"), "robin");
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

#[test]
fn what_a_full_verification_pins_is_recognised_unchanged_and_after_a_commit() {
    let mut file = history(&[(1, 2), (2, 1)]);
    let verified = verify_all(&file).unwrap();
    let known = Depth::Known {
        head: &verified.head,
        digest: &verified.digest,
        signatures: &verified.signatures,
        stored: &verified.stored,
        local: &verified.local,
    };
    let again = verify::unchanged_for_tests(file.connection(), known).unwrap();
    assert_eq!(again.as_ref().map(|v| &v.head), Some(&verified.head));
    // One more commit: a segment is added for it alone, and the result is recognised too.
    let robin = key(include_bytes!("../../../../assets/demo/identity"), "robin");
    let me = file.me().unwrap().unwrap().id;
    let case = *file.cases().unwrap().keys().next().unwrap();
    file.record(&[Event {
        id: Uuid::new_v4(),
        case: Some(case),
        author: me,
        at: Utc::now(),
        amends: None,
        kind: EventKind::NoteAdded {
            body: "later".into(),
            note: NoteKind::General,
        },
    }])
    .unwrap();
    file.commit(&robin, Utc::now()).unwrap();
    let after = summary(file.connection(), Path::new("test"), &verified.stored).unwrap();
    assert_eq!(after.stored.len(), 2);
    assert_eq!(after.stored[0], verified.stored[0]);
    let known = Depth::Known {
        head: &after.head,
        digest: &after.digest,
        signatures: &after.signatures,
        stored: &after.stored,
        local: &after.local,
    };
    assert!(
        verify::unchanged_for_tests(file.connection(), known)
            .unwrap()
            .is_some()
    );
    // A full verification pins the whole history as one segment.
    let full = verify_all(&file).unwrap();
    assert_eq!(full.stored.len(), 1);
}
