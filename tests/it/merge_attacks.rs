//! Attacks on merging, each built with the tools an attacker would use: the `age` CLI to
//! decrypt and re-encrypt a copy, `sqlite3` to edit it, `ssh-keygen -Y sign` to sign forged
//! commit bodies. A hostile copy handed to `casebook merge` (a sync conflict copy, a git
//! merge driver's other version) must be refused with a message naming it and a hint, exit
//! code 1, and nothing written; what is merged must never undo a removal.

use crate::common::{self, Laptop};

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use sha2::{Digest, Sha256};

/// Ada (chair), Bo and Cy (members), each on a laptop of their own, with one case in
/// deliberation on which Bo has voted.
struct Committee {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    file: PathBuf,
    ada: Laptop,
    bo: Laptop,
    cy: Laptop,
    code: String,
}

fn committee() -> Committee {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let key = |name: &str| common::member_key(&dir, name);
    let (ada_key, bo_key, cy_key) = (key("ada"), key("bo"), key("cy"));
    let ada = Laptop::with_key(&ada_key);
    let file = dir.join("committee.cases.age");
    ada.ok(&[&"init", &file, &"--name", &"Ada"]);
    for (name, k) in [("Bo", "bo.pub"), ("Cy", "cy.pub")] {
        ada.ok(&[
            &"member",
            &"add",
            &file,
            &"--name",
            &name,
            &"--key",
            &dir.join(k),
        ]);
    }
    let code = ada
        .ok(&[&"case", &"new", &file, &"--title", &"Hostile replies"])
        .trim()
        .to_string();
    for step in ["triage", "investigating", "deliberating"] {
        ada.ok(&[&"status", &file, &code, &step]);
    }
    let bo = Laptop::with_key(&bo_key);
    let cy = Laptop::with_key(&cy_key);
    bo.ok(&[&"vote", &file, &code, &"--outcome", &"warning", &"--for"]);
    cy.ok(&[&"info", &file]);
    ada.ok(&[&"info", &file]);
    Committee {
        _tmp: tmp,
        dir,
        file,
        ada,
        bo,
        cy,
        code,
    }
}

impl Committee {
    fn key(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn pubs(&self, names: &[&str]) -> Vec<PathBuf> {
        names
            .iter()
            .map(|n| self.dir.join(format!("{n}.pub")))
            .collect()
    }

    /// A copy of the case file at `name` in the committee's folder.
    fn copy(&self, name: &str) -> PathBuf {
        let to = self.dir.join(name);
        fs::copy(&self.file, &to).unwrap();
        to
    }
}

fn skip() -> bool {
    !(common::have("age") && common::have("sqlite3") && common::have("ssh-keygen"))
}

/// Decrypt `file` with `key` (the age CLI) into a plaintext database beside it.
fn decrypt(key: &Path, file: &Path) -> PathBuf {
    let db = file.with_extension("db");
    let _ = fs::remove_file(&db);
    common::age_decrypt(key, file, &db);
    db
}

/// Run SQL on a plaintext database with the sqlite3 CLI.
fn sql(db: &Path, statements: &str) -> String {
    common::sqlite(db, statements)
}

/// Encrypt `db` to `recipients` (age CLI) as `file`, replacing it, and remove `db`.
fn encrypt(db: &Path, recipients: &[PathBuf], file: &Path) {
    let _ = fs::remove_file(file);
    let mut cmd = Command::new("age");
    cmd.arg("-e");
    for r in recipients {
        cmd.arg("-R").arg(r);
    }
    let status = cmd.arg("-o").arg(file).arg(db).status().unwrap();
    assert!(status.success(), "age -e");
    fs::remove_file(db).unwrap();
}

/// Sign `text` with `ssh-keygen -Y sign` and the private key `key`, in the history's
/// namespace; gives back the armored signature.
fn ssh_sign(dir: &Path, key: &Path, text: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let message = dir.join("body");
    fs::write(&message, text).unwrap();
    let _ = fs::remove_file(dir.join("body.sig"));
    let private = dir.join("signing-key");
    fs::copy(key, &private).unwrap();
    fs::set_permissions(&private, fs::Permissions::from_mode(0o600)).unwrap();
    let status = Command::new("ssh-keygen")
        .args(["-q", "-Y", "sign", "-n", "casebook-history", "-f"])
        .arg(&private)
        .arg(&message)
        .status()
        .unwrap();
    assert!(status.success());
    fs::read_to_string(dir.join("body.sig")).unwrap()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|x| format!("{x:02x}")).collect()
}

/// The hash of an event row as the signed history defines it (see `vault::history`).
fn event_hash(row: &[&str; 7]) -> String {
    let [id, case, author, at, kind, amends, payload] = *row;
    let or_null = |s: &str| {
        if s.is_empty() {
            serde_json::Value::Null
        } else {
            s.into()
        }
    };
    let header = serde_json::json!([
        "casebook-event/1",
        id,
        or_null(case),
        author,
        at,
        kind,
        or_null(amends),
        hex(&Sha256::digest(payload.as_bytes()))
    ]);
    hex(&Sha256::digest(header.to_string().as_bytes()))
}

fn one(db: &Path, query: &str) -> String {
    sql(db, query).trim().to_string()
}

fn member_id(db: &Path, name: &str) -> String {
    one(
        db,
        &format!("SELECT id FROM members WHERE name = '{name}';"),
    )
}

fn head_of(db: &Path) -> String {
    one(db, "SELECT id FROM commits ORDER BY seq DESC LIMIT 1;")
}

/// One event to forge: (id, case, kind column, payload).
struct Forged<'a> {
    id: &'a str,
    case: Option<&'a str>,
    kind: &'a str,
    payload: &'a str,
}

/// Append to the decrypted database `db` a commit by the member `author` (an id) with `key`
/// in its body, signed with the private key `signer` by `ssh-keygen`, naming `parents` and
/// listing `listed` (event id, hash) after the events of `events`, which are inserted as rows.
/// What a member who decrypts a copy can make without casebook. Gives the commit's id.
#[allow(clippy::too_many_arguments)]
fn forge(
    dir: &Path,
    db: &Path,
    author: &str,
    key: &Path,
    signer: &Path,
    parents: &[String],
    events: &[Forged<'_>],
    listed: &[(String, String)],
) -> String {
    let public = fs::read_to_string(format!("{}.pub", key.display())).unwrap();
    let public = public
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    let at = "2026-12-02T00:00:00.000000000Z";
    let mut entries: Vec<(String, String)> = Vec::new();
    for (n, e) in events.iter().enumerate() {
        let hash = event_hash(&[
            e.id,
            e.case.unwrap_or(""),
            author,
            at,
            e.kind,
            "",
            e.payload,
        ]);
        entries.push((e.id.to_string(), hash));
        let payload_file = dir.join(format!("payload-{n}.txt"));
        fs::write(&payload_file, e.payload).unwrap();
        let case = e
            .case
            .map(|c| format!("'{c}'"))
            .unwrap_or_else(|| "NULL".into());
        sql(
            db,
            &format!(
                "INSERT INTO events (id, case_id, author, at, kind, payload) VALUES
                 ('{}', {case}, '{author}', '{at}', '{}', CAST(readfile('{}') AS TEXT));",
                e.id,
                e.kind,
                payload_file.display()
            ),
        );
    }
    entries.extend(listed.iter().cloned());
    let parents = serde_json::to_string(parents).unwrap();
    let events = serde_json::to_string(&entries).unwrap();
    let body = format!(
        r#"{{"format":"casebook-commit/1","parents":{parents},"author":"{author}","key":"{public}","at":"{at}","events":{events}}}"#
    );
    let signature = ssh_sign(dir, signer, &body);
    let commit_id = hex(&Sha256::digest(body.as_bytes()));
    let body_file = dir.join("body.txt");
    fs::write(&body_file, &body).unwrap();
    sql(
        db,
        &format!(
            "INSERT INTO commits (id, body, signature)
             VALUES ('{commit_id}', CAST(readfile('{}') AS TEXT), '{signature}');",
            body_file.display()
        ),
    );
    commit_id
}

/// A note on `case` as an event payload.
fn note_payload(text: &str) -> String {
    format!(r#"{{"kind":"note-added","body":"{text}","note":"general"}}"#)
}

/// Ada's `merge FILE OTHER` is refused with `message` (exit 1, a hint), and neither file
/// changes; gives stderr.
fn merge_refused(c: &Committee, other: &Path, message: &str) -> String {
    let before = fs::read(&c.file).unwrap();
    // Read only a regular file (a FIFO would block the test itself).
    let regular = || fs::metadata(other).is_ok_and(|m| m.is_file());
    let theirs = regular().then(|| fs::read(other).unwrap());
    let stderr = common::fails(&c.ada.run(&[&"merge", &c.file, &other]));
    assert!(
        stderr.contains(message),
        "expected {message:?} in: {stderr}"
    );
    assert_eq!(fs::read(&c.file).unwrap(), before, "FILE was written");
    assert_eq!(
        regular().then(|| fs::read(other).unwrap()),
        theirs,
        "OTHER was written"
    );
    stderr
}

/// Whether `key` decrypts `file` (age CLI).
fn age_decrypts(key: &Path, file: &Path) -> bool {
    Command::new("age")
        .args(["-d", "-o", "/dev/null", "-i"])
        .arg(key)
        .arg(file)
        .status()
        .unwrap()
        .success()
}

const EVENT_A: &str = "00000000-0000-4000-8000-0000000000a1";
const EVENT_B: &str = "00000000-0000-4000-8000-0000000000b2";

#[test]
fn a_forged_merge_commit_in_the_chairs_name_is_refused() {
    if skip() {
        return;
    }
    let c = committee();
    let other = c.copy("bo.cases.age");
    let db = decrypt(&c.key("bo"), &other);
    let ada = member_id(&db, "Ada");
    let head = head_of(&db);
    // An empty commit "by Ada" (her key in the body), signed by Bo.
    forge(
        &c.dir,
        &db,
        &ada,
        &c.key("ada"),
        &c.key("bo"),
        &[head],
        &[],
        &[],
    );
    encrypt(&db, &c.pubs(&["ada", "bo", "cy"]), &other);
    let stderr = merge_refused(&c, &other, "has an invalid signature");
    assert!(stderr.contains("bo.cases.age"), "{stderr}");

    // Bo's key in the body, Ada as author: the signature holds, the key is not Ada's.
    let other = c.copy("bo2.cases.age");
    let db = decrypt(&c.key("bo"), &other);
    let head = head_of(&db);
    forge(
        &c.dir,
        &db,
        &ada,
        &c.key("bo"),
        &c.key("bo"),
        &[head],
        &[],
        &[],
    );
    encrypt(&db, &c.pubs(&["ada", "bo", "cy"]), &other);
    // Signed by a member in another's name: kept (it is evidence), applied to nothing; the file
    // stays usable for everyone.
    let roster = c.ada.ok(&[&"member", &"list", &c.file]);
    c.ada.ok(&[&"merge", &c.file, &other]);
    assert_eq!(c.ada.ok(&[&"member", &"list", &c.file]), roster);
    Laptop::with_key(&c.key("cy")).ok(&[&"info", &c.file]);
}

#[test]
fn commits_whose_parents_are_out_of_order_unknown_or_missing_are_refused() {
    if skip() {
        return;
    }
    let c = committee();
    let probe = decrypt(&c.key("ada"), &c.copy("probe.cases.age"));
    let head = head_of(&probe);
    let mut two: Vec<String> = sql(&probe, "SELECT id FROM commits ORDER BY seq DESC LIMIT 2;")
        .lines()
        .map(str::to_string)
        .collect();
    two.sort();
    two.reverse();
    let unknown = hex(&Sha256::digest(b"no such commit"));
    for (n, parents) in [
        vec![head.clone(), head.clone()],
        two,
        vec![unknown],
        Vec::new(),
    ]
    .into_iter()
    .enumerate()
    {
        let other = c.copy(&format!("bo-{n}.cases.age"));
        let db = decrypt(&c.key("bo"), &other);
        let bo = member_id(&db, "Bo");
        let case = one(&db, "SELECT id FROM cases;");
        let payload = note_payload("parents");
        forge(
            &c.dir,
            &db,
            &bo,
            &c.key("bo"),
            &c.key("bo"),
            &parents,
            &[Forged {
                id: EVENT_A,
                case: Some(&case),
                kind: "note-added",
                payload: &payload,
            }],
            &[],
        );
        encrypt(&db, &c.pubs(&["ada", "bo", "cy"]), &other);
        merge_refused(&c, &other, "does not extend the history before it");
    }
}

#[test]
fn a_child_stored_before_its_parent_is_refused() {
    if skip() {
        return;
    }
    // A cycle cannot be built (a commit's id is the hash of a body naming its parents), but
    // a copy can store a child before its parent.
    let c = committee();
    let other = c.copy("bo.cases.age");
    let db = decrypt(&c.key("bo"), &other);
    let bo = member_id(&db, "Bo");
    let case = one(&db, "SELECT id FROM cases;");
    let head = head_of(&db);
    let (p1, p2) = (note_payload("first"), note_payload("second"));
    let first = forge(
        &c.dir,
        &db,
        &bo,
        &c.key("bo"),
        &c.key("bo"),
        &[head],
        &[Forged {
            id: EVENT_A,
            case: Some(&case),
            kind: "note-added",
            payload: &p1,
        }],
        &[],
    );
    let second = forge(
        &c.dir,
        &db,
        &bo,
        &c.key("bo"),
        &c.key("bo"),
        std::slice::from_ref(&first),
        &[Forged {
            id: EVENT_B,
            case: Some(&case),
            kind: "note-added",
            payload: &p2,
        }],
        &[],
    );
    sql(
        &db,
        &format!(
            "UPDATE commits SET seq = -1 WHERE id = '{first}';
             UPDATE commits SET seq = (SELECT max(seq) + 1 FROM commits) WHERE id = '{first}';"
        ),
    );
    let _ = second;
    encrypt(&db, &c.pubs(&["ada", "bo", "cy"]), &other);
    merge_refused(&c, &other, "does not extend the history before it");
}

#[test]
fn an_event_listed_again_under_a_new_commit_is_refused() {
    if skip() {
        return;
    }
    let c = committee();
    for (n, whose) in ["Bo", "Ada"].into_iter().enumerate() {
        let other = c.copy(&format!("bo-{n}.cases.age"));
        let db = decrypt(&c.key("bo"), &other);
        let bo = member_id(&db, "Bo");
        let author = member_id(&db, whose);
        // An event already in the history (Bo's vote, or Ada's status change), listed again.
        let row = sql(
            &db,
            &format!(
                "SELECT id, coalesce(case_id, ''), author, at, kind, coalesce(amends, ''), payload
                 FROM events WHERE author = '{author}' AND case_id IS NOT NULL
                 ORDER BY seq DESC LIMIT 1;"
            ),
        );
        let fields: Vec<&str> = row.trim_end().splitn(7, '|').collect();
        let hash = event_hash(&[
            fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], fields[6],
        ]);
        let head = head_of(&db);
        forge(
            &c.dir,
            &db,
            &bo,
            &c.key("bo"),
            &c.key("bo"),
            &[head],
            &[],
            &[(fields[0].to_string(), hash)],
        );
        encrypt(&db, &c.pubs(&["ada", "bo", "cy"]), &other);
        let _ = whose;
        merge_refused(&c, &other, "is part of two commits");
    }
}

#[test]
fn a_copy_storing_commits_out_of_the_canonical_order_merges_to_the_canonical_result() {
    if skip() {
        return;
    }
    let c = committee();
    // Bo and Cy each add a note on their own copy; Bo merges Cy's: two concurrent commits.
    let bo_copy = c.copy("bo.cases.age");
    let cy_copy = c.copy("cy.cases.age");
    c.bo.ok(&[&"note", &"add", &bo_copy, &c.code, &"--text", &"from Bo"]);
    c.cy.ok(&[&"note", &"add", &cy_copy, &c.code, &"--text", &"from Cy"]);
    c.bo.ok(&[&"merge", &bo_copy, &cy_copy]);
    // The same copy with those two commits (and their events) swapped where they are stored.
    let swapped = c.dir.join("swapped.cases.age");
    let db = decrypt(&c.key("bo"), &bo_copy);
    let update = one(
        &db,
        "SELECT sql FROM sqlite_schema WHERE name = 'events_are_append_only_update';",
    );
    let seqs: Vec<String> = sql(&db, "SELECT seq FROM commits ORDER BY seq DESC LIMIT 3;")
        .lines()
        .map(str::to_string)
        .collect();
    let (a, b) = (&seqs[1], &seqs[2]);
    let ev: Vec<String> = sql(&db, "SELECT seq FROM events ORDER BY seq DESC LIMIT 2;")
        .lines()
        .map(str::to_string)
        .collect();
    let (x, y) = (&ev[0], &ev[1]);
    sql(
        &db,
        &format!(
            "DROP TRIGGER events_are_append_only_update;
             UPDATE commits SET seq = -1 WHERE seq = {a};
             UPDATE commits SET seq = {a} WHERE seq = {b};
             UPDATE commits SET seq = {b} WHERE seq = -1;
             UPDATE events SET seq = -1 WHERE seq = {x};
             UPDATE events SET seq = {x} WHERE seq = {y};
             UPDATE events SET seq = {y} WHERE seq = -1;
             {update};"
        ),
    );
    encrypt(&db, &c.pubs(&["ada", "bo", "cy"]), &swapped);
    // Opened as a case file it is refused: its stored order is not the history's.
    let stderr = common::fails(&c.cy.run(&[&"info", &swapped]));
    assert!(
        stderr.contains("not stored in the history's order"),
        "{stderr}"
    );
    // Merged, what it holds is stored in the canonical order: the same result as the
    // untampered copy gives.
    let plain = c.copy("ada-plain.cases.age");
    c.ada.ok(&[&"merge", &c.file, &swapped]);
    c.ada.ok(&[&"merge", &plain, &bo_copy]);
    assert_eq!(c.ada.head(&c.file), c.ada.head(&plain));
    assert_eq!(c.ada.head(&c.file), c.bo.head(&bo_copy));
    let fresh = Laptop::with_key(&c.key("cy"));
    fresh.ok(&[&"info", &c.file]);
}

#[test]
fn a_removed_members_commit_after_the_removal_is_kept_and_not_applied() {
    if skip() {
        return;
    }
    let c = committee();
    c.ada.ok(&[&"member", &"remove", &c.file, &"Bo"]);
    // Cy colludes: a copy of the file after the removal, with a commit Bo signs on top of it.
    let other = c.copy("cy.cases.age");
    let db = decrypt(&c.key("cy"), &other);
    let bo = member_id(&db, "Bo");
    let case = one(&db, "SELECT id FROM cases;");
    let code = one(&db, "SELECT code_name FROM cases;");
    let head = head_of(&db);
    let payload = note_payload("after my removal");
    forge(
        &c.dir,
        &db,
        &bo,
        &c.key("bo"),
        &c.key("bo"),
        &[head],
        &[Forged {
            id: EVENT_A,
            case: Some(&case),
            kind: "note-added",
            payload: &payload,
        }],
        &[],
    );
    encrypt(&db, &c.pubs(&["ada", "cy"]), &other);
    // Kept, not applied, named: on this laptop and on one that verifies everything.
    c.ada.ok(&[&"merge", &c.file, &other]);
    for laptop in [&c.ada, &Laptop::with_key(&c.key("cy"))] {
        let log = laptop.ok(&[&"log", &c.file]);
        assert!(
            log.contains("not applied: signed by Bo, who had been removed from the committee"),
            "{log}"
        );
        let shown = laptop.ok(&[&"case", &"show", &c.file, &code]);
        assert!(shown.contains("NEEDS ATTENTION"), "{shown}");
    }
    assert!(!age_decrypts(&c.key("bo"), &c.file), "Bo decrypts it");
}

#[test]
fn a_commit_parented_before_a_removal_is_flagged_and_never_reopens_the_file() {
    if skip() {
        return;
    }
    let c = committee();
    let old = c.copy("bo-old.cases.age");
    let before_removal = head_of(&decrypt(&c.key("ada"), &c.copy("probe.cases.age")));
    c.ada.ok(&[&"member", &"remove", &c.file, &"Bo"]);
    // After the removal, Bo signs a note and a rotation to a new key of his on his old copy,
    // naming the history before the removal as their past.
    let bo_new = common::member_key(&c.dir, "bo-new");
    let db = decrypt(&c.key("bo"), &old);
    let bo = member_id(&db, "Bo");
    let case = one(&db, "SELECT id FROM cases;");
    assert_eq!(head_of(&db), before_removal);
    let note = note_payload("written after my removal");
    let new_key = fs::read_to_string(c.dir.join("bo-new.pub")).unwrap();
    let new_key = new_key
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    let rotate =
        format!(r#"{{"kind":"member-key-changed","member":"{bo}","recipient":"{new_key}"}}"#);
    forge(
        &c.dir,
        &db,
        &bo,
        &c.key("bo"),
        &c.key("bo"),
        &[before_removal],
        &[
            Forged {
                id: EVENT_A,
                case: Some(&case),
                kind: "note-added",
                payload: &note,
            },
            Forged {
                id: EVENT_B,
                case: None,
                kind: "member-key-changed",
                payload: &rotate,
            },
        ],
        &[],
    );
    encrypt(&db, &c.pubs(&["ada", "bo", "cy"]), &old);
    // Timestamps are claims: Bo's commit is concurrent with the removal, so it is kept, held
    // for attention, and neither his old nor his new key opens the merged file.
    let said = c.ada.ok(&[&"merge", &c.file, &old]);
    assert!(
        said.contains("need attention") || said.contains("needs attention"),
        "{said}"
    );
    for key in [c.key("bo"), bo_new.clone()] {
        assert!(
            !age_decrypts(&key, &c.file),
            "{} decrypts it",
            key.display()
        );
        let backup = PathBuf::from(format!("{}.bak", c.file.display()));
        if backup.exists() {
            assert!(!age_decrypts(&key, &backup), "the backup opens");
        }
    }
    let attention = c.ada.ok(&[&"attention", &c.file]);
    assert!(
        attention.contains("removed from the committee on another copy"),
        "{attention}"
    );
    let members = c.ada.ok(&[&"member", &"list", &c.file]);
    assert!(members.contains("removed"), "{members}");
    // The merge is the same on a laptop that verifies everything.
    Laptop::with_key(&c.key("cy")).ok(&[&"info", &c.file]);
}

#[test]
fn another_committee_with_the_same_names_and_keys_is_refused() {
    if skip() {
        return;
    }
    let c = committee();
    let mallory_key = common::member_key(&c.dir, "mallory");
    let mallory = Laptop::with_key(&mallory_key);
    let fake = c.dir.join("fake.cases.age");
    mallory.ok(&[&"init", &fake, &"--name", &"Ada"]);
    for (name, k) in [("Bo", "bo.pub"), ("Cy", "cy.pub"), ("Ada Two", "ada.pub")] {
        mallory.ok(&[
            &"member",
            &"add",
            &fake,
            &"--name",
            &name,
            &"--key",
            &c.dir.join(k),
        ]);
    }
    let stderr = merge_refused(&c, &fake, "is a copy of another committee");
    assert!(stderr.contains("fake.cases.age"), "{stderr}");
    // Its events carried into a copy of ours under our root are refused as well: they are not
    // in any commit of ours.
}

#[test]
fn garbage_and_huge_copies_are_refused_quickly() {
    if skip() {
        return;
    }
    let c = committee();
    let garbage = c.dir.join("garbage.cases.age");
    fs::write(
        &garbage,
        b"not an age file at all, just text\n".repeat(1000),
    )
    .unwrap();
    merge_refused(&c, &garbage, "garbage.cases.age");
    let empty = c.dir.join("empty.cases.age");
    fs::write(&empty, b"").unwrap();
    merge_refused(&c, &empty, "empty.cases.age");
    // An age file the chair can decrypt that holds no SQLite database.
    let text = c.dir.join("text.txt");
    fs::write(&text, "hello").unwrap();
    let wrapped = c.dir.join("wrapped.cases.age");
    common::age_encrypt(&c.dir.join("ada.pub"), &text, &wrapped);
    merge_refused(&c, &wrapped, "wrapped.cases.age");
    // An SQLite database that is not a case file.
    let db = c.dir.join("plain.db");
    sql(&db, "CREATE TABLE t (x); INSERT INTO t VALUES (1);");
    let foreign = c.dir.join("foreign.cases.age");
    common::age_encrypt(&c.dir.join("ada.pub"), &db, &foreign);
    merge_refused(&c, &foreign, "foreign.cases.age");
    // A huge file: a real header, then 4 GiB of nothing.
    let huge = c.dir.join("huge.cases.age");
    fs::copy(&c.file, &huge).unwrap();
    fs::OpenOptions::new()
        .write(true)
        .open(&huge)
        .unwrap()
        .set_len(4 << 30)
        .unwrap();
    // Refused, and nothing written; how fast is not asserted here (no wall clock in tests).
    merge_refused(&c, &huge, "huge.cases.age");
}

#[test]
fn a_planted_trigger_in_the_other_copy_does_not_come_in() {
    if skip() {
        return;
    }
    let c = committee();
    let other = c.copy("bo.cases.age");
    c.bo.ok(&[&"note", &"add", &other, &c.code, &"--text", &"from Bo"]);
    let db = decrypt(&c.key("bo"), &other);
    sql(
        &db,
        "CREATE TRIGGER zz AFTER INSERT ON events BEGIN DELETE FROM members; END;
         CREATE TABLE zz_table (x);",
    );
    encrypt(&db, &c.pubs(&["ada", "bo", "cy"]), &other);
    c.ada.ok(&[&"merge", &c.file, &other]);
    let merged = decrypt(&c.key("ada"), &c.file);
    assert_eq!(
        one(
            &merged,
            "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'zz%';"
        ),
        "0"
    );
    Laptop::with_key(&c.key("cy")).ok(&[&"info", &c.file]);
}

#[test]
fn an_attachment_swapped_in_the_other_copy_is_refused() {
    if skip() {
        return;
    }
    let c = committee();
    let other = c.copy("bo.cases.age");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/samples/report.eml");
    c.bo.ok(&[&"import", &other, &sample]);
    let db = decrypt(&c.key("bo"), &other);
    assert_eq!(one(&db, "SELECT count(*) FROM attachments;"), "1");
    sql(
        &db,
        "UPDATE attachments SET data = CAST('forged bytes' AS BLOB), size = 12;",
    );
    encrypt(&db, &c.pubs(&["ada", "bo", "cy"]), &other);
    merge_refused(&c, &other, "attachment");
}

#[test]
fn an_event_whose_kind_column_disagrees_with_its_payload_is_refused() {
    if skip() {
        return;
    }
    let c = committee();
    let other = c.copy("bo.cases.age");
    let db = decrypt(&c.key("bo"), &other);
    let bo = member_id(&db, "Bo");
    let case = one(&db, "SELECT id FROM cases;");
    let head = head_of(&db);
    let payload = note_payload("labelled as a report");
    forge(
        &c.dir,
        &db,
        &bo,
        &c.key("bo"),
        &c.key("bo"),
        &[head],
        &[Forged {
            id: EVENT_A,
            case: Some(&case),
            kind: "settings-changed",
            payload: &payload,
        }],
        &[],
    );
    encrypt(&db, &c.pubs(&["ada", "bo", "cy"]), &other);
    merge_refused(&c, &other, "kind");
}

#[test]
fn a_commit_stored_twice_in_the_other_copy_is_refused_naming_it() {
    if skip() {
        return;
    }
    let c = committee();
    let other = c.copy("bo.cases.age");
    let db = decrypt(&c.key("bo"), &other);
    let bo = member_id(&db, "Bo");
    let head = head_of(&db);
    let id = forge(
        &c.dir,
        &db,
        &bo,
        &c.key("bo"),
        &c.key("bo"),
        &[head],
        &[],
        &[],
    );
    // The copy's schema is the attacker's: without the unique index a commit can be there twice.
    sql(
        &db,
        &format!(
            "CREATE TABLE commits2 (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, body TEXT NOT NULL, signature TEXT NOT NULL);
             INSERT INTO commits2 (id, body, signature) SELECT id, body, signature FROM commits ORDER BY seq;
             INSERT INTO commits2 (id, body, signature) SELECT id, body, signature FROM commits WHERE id = '{id}';
             DROP TABLE commits; ALTER TABLE commits2 RENAME TO commits;"
        ),
    );
    encrypt(&db, &c.pubs(&["ada", "bo", "cy"]), &other);
    merge_refused(&c, &other, "bo.cases.age");
}

#[test]
fn the_merge_driver_refuses_a_hostile_other_version_and_leaves_ours() {
    if skip() {
        return;
    }
    let c = committee();
    let ours = c.copy("ours.cases.age");
    let base = c.copy("base.cases.age");
    let garbage = c.dir.join("theirs-garbage");
    fs::write(&garbage, vec![0u8; 1 << 20]).unwrap();
    let mallory_key = common::member_key(&c.dir, "mallory");
    let mallory = Laptop::with_key(&mallory_key);
    let fake = c.dir.join("theirs-fake");
    mallory.ok(&[&"init", &fake, &"--name", &"Ada"]);
    mallory.ok(&[
        &"member",
        &"add",
        &fake,
        &"--name",
        &"Ada Two",
        &"--key",
        &c.dir.join("ada.pub"),
    ]);
    let fifo = c.dir.join("theirs-fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for theirs in [&garbage, &fake, &fifo] {
        let before = fs::read(&ours).unwrap();
        let out = c.ada.run_within(
            Duration::from_secs(60),
            &[&"merge-driver", &base, &ours, theirs],
        );
        let stderr = common::fails(&out);
        assert!(
            stderr.contains(&*theirs.file_name().unwrap().to_string_lossy()),
            "{stderr}"
        );
        assert_eq!(fs::read(&ours).unwrap(), before, "ours was written");
    }
}

#[test]
fn a_conflict_copy_that_is_a_symlink_or_fifo_is_not_followed() {
    if skip() {
        return;
    }
    let c = committee();
    // A symlink named like a Syncthing conflict copy, to another committee's file, and a FIFO
    // named like a Dropbox one.
    let mallory_key = common::member_key(&c.dir, "mallory");
    let mallory = Laptop::with_key(&mallory_key);
    let fake = c.dir.join("elsewhere.cases.age");
    mallory.ok(&[&"init", &fake, &"--name", &"Mal"]);
    let link = c
        .dir
        .join("committee.cases.sync-conflict-20261201-101500-ABCDEF7.age");
    std::os::unix::fs::symlink(&fake, &link).unwrap();
    let fifo = c
        .dir
        .join("committee.cases (Mal's conflicted copy 2026-12-01).age");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let out = c.ada.run_within(
        Duration::from_secs(60),
        &[&"note", &"add", &c.file, &c.code, &"--text", &"still here"],
    );
    common::ok(&out);
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(fs::symlink_metadata(&fifo).is_ok());
    // Named on the command line, neither hangs nor merges.
    let stderr = merge_refused(&c, &fifo, "conflicted copy");
    assert!(stderr.contains("is a FIFO"), "{stderr}");
}

#[test]
fn an_older_copy_left_as_a_conflict_copy_never_undoes_a_removal() {
    if skip() {
        return;
    }
    let c = committee();
    let elsewhere = tempfile::tempdir().unwrap();
    let bo_old = elsewhere.path().join("committee.cases.age");
    fs::copy(&c.file, &bo_old).unwrap();
    let plain_old = elsewhere.path().join("plain-old.cases.age");
    fs::copy(&c.file, &plain_old).unwrap();
    c.ada.ok(&[&"member", &"remove", &c.file, &"Bo"]);
    // Bo keeps working on his older copy, which the sync tool then leaves beside the file, with
    // an untouched older copy too.
    c.bo.ok(&[&"note", &"add", &bo_old, &c.code, &"--text", &"offline"]);
    let dropbox = c
        .dir
        .join("committee.cases (Bo's conflicted copy 2026-12-01).age");
    fs::copy(&bo_old, &dropbox).unwrap();
    let syncthing = c
        .dir
        .join("committee.cases.sync-conflict-20261201-101500-ABCDEF7.age");
    fs::copy(&plain_old, &syncthing).unwrap();
    c.cy.ok(&[&"note", &"add", &c.file, &c.code, &"--text", &"Cy's"]);
    assert!(!dropbox.exists() && !syncthing.exists());
    assert!(!age_decrypts(&c.key("bo"), &c.file), "Bo decrypts it");
    let backup = PathBuf::from(format!("{}.bak", c.file.display()));
    if backup.exists() {
        assert!(
            !age_decrypts(&c.key("bo"), &backup),
            "Bo decrypts the backup"
        );
    }
    let members = c.cy.ok(&[&"member", &"list", &c.file]);
    assert!(members.contains("removed"), "{members}");
    let shown = c.cy.ok(&[&"case", &"show", &c.file, &c.code]);
    assert!(
        shown.contains("offline") && shown.contains("Cy's"),
        "{shown}"
    );
}

#[test]
fn concurrent_saves_on_two_laptops_never_lose_a_change() {
    if skip() {
        return;
    }
    let c = committee();
    let mut written = Vec::new();
    for round in 0..4 {
        let texts = [format!("ada-{round}"), format!("cy-{round}")];
        let children: Vec<_> = [&c.ada, &c.cy]
            .iter()
            .zip(&texts)
            .map(|(laptop, text)| {
                laptop
                    .command(&[&"note", &"add", &c.file, &c.code, &"--text", text])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for (child, text) in children.into_iter().zip(&texts) {
            let out = child.wait_with_output().unwrap();
            if out.status.success() {
                written.push(text.clone());
            } else {
                let stderr = common::fails(&out);
                assert!(!stderr.contains("panicked"), "{stderr}");
            }
        }
    }
    assert!(!written.is_empty());
    let shown = c.ada.ok(&[&"case", &"show", &c.file, &c.code]);
    for text in &written {
        assert!(shown.contains(text.as_str()), "{text} lost: {shown}");
    }
    Laptop::with_key(&c.key("bo")).ok(&[&"info", &c.file]);
    let leftovers: Vec<_> = fs::read_dir(&c.dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp") || n.starts_with(".committee"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn two_chairs_removing_each_other_at_once_remove_nobody_without_a_majority() {
    if skip() {
        return;
    }
    let c = committee();
    c.ada.ok(&[&"member", &"role", &c.file, &"Bo", &"chair"]);
    let bo_copy = c.copy("bo.cases.age");
    c.ada.ok(&[&"member", &"remove", &c.file, &"Bo"]);
    c.bo.ok(&[&"member", &"remove", &bo_copy, &"Ada"]);
    // Bo, removed, removes on his older copy the chair who removed him: neither removal may
    // be undone by the other.
    let bo_side = c.dir.join("bo-side.cases.age");
    fs::copy(&bo_copy, &bo_side).unwrap();
    // One chair removes another only with a majority: each removal is a motion, and neither
    // has one. Nobody is locked out, on every copy.
    c.cy.ok(&[&"merge", &c.file, &bo_copy]);
    for key in ["ada", "bo", "cy"] {
        assert!(age_decrypts(&c.key(key), &c.file), "{key} is locked out");
    }
    let members = c.cy.ok(&[&"member", &"list", &c.file]);
    assert_eq!(members.matches("active since").count(), 3, "{members}");
    assert_eq!(
        members.matches("waits for a majority").count(),
        2,
        "{members}"
    );
    // Merged the other way round, the same result.
    c.cy.ok(&[&"merge", &bo_side, &c.file]);
    assert_eq!(c.cy.head(&bo_side), c.cy.head(&c.file));
    Laptop::with_key(&c.key("cy")).ok(&[&"info", &c.file]);
}
