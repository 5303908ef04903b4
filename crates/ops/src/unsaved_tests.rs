//! Dropping unsaved changes, driven through the operations a member uses (moved here from the
//! vault, which must not depend on `ops`).

use crate::cases::{self, CaseChange};
use casebook_core::event::NoteKind;
use casebook_vault as vault;

fn note(body: &str) -> CaseChange {
    CaseChange::Note {
        kind: NoteKind::General,
        body: body.into(),
        amends: None,
    }
}

/// The demo saved in `dir` as the chair, with a new case titled `title` kept from
/// `exclude` at its opening: the file, the chair's key, where it is saved, the case's code.
fn demo_with_case(
    dir: &std::path::Path,
    title: &str,
    summary: &str,
    exclude: Vec<String>,
) -> (vault::CaseFile, vault::Identity, std::path::PathBuf, String) {
    let path = dir.join("c.cases.age");
    let (mut file, identity) = vault::demo::open().unwrap();
    file.save_as(&path, &identity).unwrap();
    let code = cases::open(
        crate::OpenFile::wrap(&mut file),
        cases::NewCase {
            title: title.into(),
            summary: summary.into(),
            channel: casebook_core::case::Channel::Email,
            received_at: None,
            exclude,
        },
    )
    .unwrap();
    (file, identity, path, code)
}

/// Dropping an unsaved change leaves exactly the state (every derived table, by digest)
/// that recording only the kept changes gives, and the file saves and opens again.
#[test]
fn dropping_an_unsaved_change_gives_the_state_of_never_recording_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.cases.age");
    let (mut file, identity) = vault::demo::open().unwrap();
    file.save_as(&path, &identity).unwrap();
    let codes: Vec<String> = file
        .cases()
        .unwrap()
        .values()
        .filter(|c| c.conflicts.is_empty())
        .map(|c| c.code_name.clone())
        .take(2)
        .collect();
    let (one, two) = (&codes[0], &codes[1]);
    let before = file.head().unwrap();
    let search_before = file.search("zanzibar", 10).unwrap().len();

    cases::change(
        crate::OpenFile::wrap(&mut file),
        one,
        note("zanzibar first"),
    )
    .unwrap();
    let dropped = cases::change(
        crate::OpenFile::wrap(&mut file),
        two,
        note("zanzibar dropped"),
    )
    .unwrap();
    cases::change(crate::OpenFile::wrap(&mut file), one, note("zanzibar kept")).unwrap();
    cases::change(
        crate::OpenFile::wrap(&mut file),
        two,
        note("zanzibar later, dropped too"),
    )
    .unwrap();
    assert_eq!(file.unsaved_events().unwrap().len(), 4);

    let gone = file.drop_unsaved(dropped.events[0].id).unwrap();
    assert_eq!(
        gone.len(),
        2,
        "the change and the later one on the same case"
    );
    let left = file.unsaved_events().unwrap();
    assert_eq!(left.len(), 2);
    let one_id = file.case_by_code(one).unwrap().id;
    assert!(left.iter().all(|e| e.case == Some(one_id)));
    let hits = file.search("zanzibar", 10).unwrap();
    assert_eq!(
        hits.len(),
        search_before + 2,
        "the dropped notes left the index"
    );
    assert_eq!(
        file.timeline(dropped.before.id).unwrap().len(),
        vault::demo::open()
            .unwrap()
            .0
            .timeline(dropped.before.id)
            .unwrap()
            .len()
    );

    // The same two notes recorded on a fresh copy give the same derived state.
    let (mut fresh, _) = vault::demo::open().unwrap();
    fresh
        .save_as(&dir.path().join("d.cases.age"), &identity)
        .unwrap();
    assert_eq!(fresh.head().unwrap(), before);
    for event in &left {
        fresh.record(std::slice::from_ref(event)).unwrap();
    }
    assert_eq!(file.head().unwrap().1, fresh.head().unwrap().1);

    // A saved change cannot be dropped; the file saves and opens again.
    file.save(&identity).unwrap();
    let err = file.drop_unsaved(left[0].id).unwrap_err();
    assert!(matches!(err, vault::Error::NotUnsaved { .. }), "{err}");
    let reopened = vault::CaseFile::open(&path, &identity, vault::OpenMode::ReadOnly).unwrap();
    assert_eq!(reopened.head().unwrap().1, file.head().unwrap().1);
}

/// The round-three finding: on a case sealed and not saved yet, a dropped note was
/// saved and signed anyway. Dropping is refused, with nothing changed, until the sealing
/// is saved; after the save a note on the sealed case is dropped, and the file on disk,
/// opened again, holds the seal and the kept note, never the dropped one.
#[test]
fn a_note_on_a_case_sealed_since_the_last_save_is_not_dropped_half_way() {
    let dir = tempfile::tempdir().unwrap();
    let (mut file, identity, path, code) = demo_with_case(
        dir.path(),
        "Sealed from Sam",
        "",
        vec!["Sam Lindqvist".into()],
    );
    assert!(file.case_by_code(&code).unwrap().sealed.is_some());
    let early = cases::change(
        crate::OpenFile::wrap(&mut file),
        &code,
        note("zanzibar early"),
    )
    .unwrap();
    let before = file.unsaved_events().unwrap().len();
    let err = file.drop_unsaved(early.events[0].id).unwrap_err();
    assert!(matches!(err, vault::Error::SealedSinceSave { .. }), "{err}");
    assert!(err.to_string().contains(&code), "{err}");
    assert_eq!(
        file.unsaved_events().unwrap().len(),
        before,
        "nothing dropped"
    );
    file.save(&identity).unwrap();

    cases::change(
        crate::OpenFile::wrap(&mut file),
        &code,
        note("zanzibar kept"),
    )
    .unwrap();
    let dropped = cases::change(
        crate::OpenFile::wrap(&mut file),
        &code,
        note("zanzibar dropped"),
    )
    .unwrap();
    file.drop_unsaved(dropped.events[0].id).unwrap();
    file.save(&identity).unwrap();
    drop(file);

    let mut reopened = vault::CaseFile::open(&path, &identity, vault::OpenMode::ReadOnly).unwrap();
    let case = reopened.case_by_code(&code).unwrap();
    assert!(case.sealed.is_some());
    let bodies: Vec<String> = reopened
        .timeline(case.id)
        .unwrap()
        .iter()
        .filter_map(|e| match &e.kind {
            casebook_core::event::EventKind::NoteAdded { body, .. } => Some(body.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(bodies, vec!["zanzibar early", "zanzibar kept"]);
    let logged: Vec<String> = reopened
        .log()
        .unwrap()
        .iter()
        .flat_map(|c| c.events.iter().map(|e| format!("{:?}", e.kind)))
        .collect();
    assert!(!logged.iter().any(|k| k.contains("zanzibar dropped")));
}

fn priya() -> vault::Identity {
    vault::Identity::from_bytes(
        include_bytes!("../../../assets/demo/members/priya"),
        std::path::Path::new("priya"),
        &vault::PassphraseSource::Terminal,
    )
    .unwrap()
}

/// Found in review: an approval that makes a waiting keeping-out take effect seals the
/// case in memory as a keeping-out does; dropping the changes before it must be refused
/// the same way, or the saved file holds sealed content its history does not seal.
#[test]
fn nothing_is_dropped_after_an_approval_that_sealed_the_case() {
    let dir = tempfile::tempdir().unwrap();
    let (mut file, identity, path, code) =
        demo_with_case(dir.path(), "zanzibar title", "zanzibar summary", vec![]);
    file.save(&identity).unwrap();
    cases::change(
        crate::OpenFile::wrap(&mut file),
        &code,
        CaseChange::Exclude {
            members: vec!["Sam Lindqvist".into()],
            why: casebook_core::event::ExcludeWhy::Request,
        },
    )
    .unwrap();
    file.save(&identity).unwrap();
    let pending = file.case_by_code(&code).unwrap().pending.clone();
    assert_eq!(pending.len(), 1, "the late request waits");
    drop(file);
    // Priya, a second reader: a note, then the approval, both unsaved.
    let priya = priya();
    let mut file = vault::CaseFile::open(&path, &priya, vault::OpenMode::ReadWrite).unwrap();
    let before_note =
        cases::change(crate::OpenFile::wrap(&mut file), &code, note("before")).unwrap();
    crate::merge::approve(
        crate::OpenFile::wrap(&mut file),
        Some(&code),
        &pending[0].id.to_string(),
        false,
    )
    .unwrap();
    let unsaved = file.unsaved_events().unwrap();
    assert!(
        unsaved.iter().any(|e| file.seals_its_case(e)),
        "the approval seals"
    );
    let before = unsaved.len();
    let refused = file.drop_unsaved(before_note.events[0].id);
    assert!(
        matches!(refused, Err(vault::Error::SealedSinceSave { .. })),
        "{refused:?}"
    );
    assert_eq!(
        file.unsaved_events().unwrap().len(),
        before,
        "nothing dropped"
    );
    // Saved as it is, it opens again without anything found wrong.
    file.save(&priya).unwrap();
    drop(file);
    let mut again = vault::CaseFile::open(&path, &priya, vault::OpenMode::ReadOnly).unwrap();
    assert!(again.trust().pins_repaired.is_none());
    let case = again.case_by_code(&code).unwrap();
    assert!(case.pending.is_empty() && case.sealed.is_some());
}
