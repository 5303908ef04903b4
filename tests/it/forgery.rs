//! Attacks on the signed history, each built with the tools an attacker would use: the `age`
//! CLI to decrypt and re-encrypt, `sqlite3` to edit, `ssh-keygen -Y sign` to sign. Every one
//! must be refused with its own message, exit code 1, and the file's bytes left as they were.

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Laptop, have};
use sha2::{Digest, Sha256};

/// One member's laptop: its own home, config and state directory (where pins live).
/// Ada (chair) and Bo and Cy (members), each on a laptop of their own, with a decided case.
struct Committee {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    file: PathBuf,
    ada: PathBuf,
    bo: PathBuf,
    cy: PathBuf,
    ada_laptop: Laptop,
    code: String,
}

fn committee() -> Committee {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let ada_laptop = Laptop::new();
    let key = |name: &str| {
        let key = dir.join(name);
        ada_laptop.ok(&[&"keygen", &"-o", &key]);
        key
    };
    let (ada, bo, cy) = (key("ada"), key("bo"), key("cy"));
    let file = dir.join("committee.cases.age");
    let a = &ada_laptop;
    a.ok(&[&"-i", &ada, &"init", &file, &"--name", &"Ada"]);
    for (name, k) in [("Bo", "bo.pub"), ("Cy", "cy.pub")] {
        a.ok(&[
            &"-i",
            &ada,
            &"member",
            &"add",
            &file,
            &"--name",
            &name,
            &"--key",
            &dir.join(k),
        ]);
    }
    let code = a
        .ok(&[
            &"-i",
            &ada,
            &"case",
            &"new",
            &file,
            &"--title",
            &"Hostile replies",
        ])
        .trim()
        .to_string();
    for step in ["triage", "investigating"] {
        a.ok(&[&"-i", &ada, &"status", &file, &code, &step]);
    }
    a.ok(&[
        &"-i",
        &ada,
        &"note",
        &"add",
        &file,
        &code,
        &"--kind",
        &"deliberation",
        &"--text",
        &"canary-deliberation-note",
    ]);
    a.ok(&[&"-i", &ada, &"status", &file, &code, &"deliberating"]);
    // Bo and Cy vote on their own laptops (same file, as in a synced folder).
    let bo_laptop = Laptop::new();
    bo_laptop.ok(&[
        &"-i",
        &bo,
        &"vote",
        &file,
        &code,
        &"--outcome",
        &"warning",
        &"--for",
    ]);
    let cy_laptop = Laptop::new();
    cy_laptop.ok(&[
        &"-i",
        &cy,
        &"vote",
        &file,
        &code,
        &"--outcome",
        &"warning",
        &"--for",
    ]);
    a.ok(&[
        &"-i",
        &ada,
        &"vote",
        &file,
        &code,
        &"--outcome",
        &"warning",
        &"--for",
    ]);
    a.ok(&[
        &"-i",
        &ada,
        &"decide",
        &file,
        &code,
        &"--outcome",
        &"warning",
        &"--rationale",
        &"Repeated hostile replies",
    ]);
    Committee {
        _dir: tmp,
        dir,
        file,
        ada,
        bo,
        cy,
        ada_laptop,
        code,
    }
}

/// Decrypt `file` with `key` (the age CLI) into a plaintext database beside it.
fn decrypt(key: &Path, file: &Path) -> PathBuf {
    let db = file.with_extension("db");
    let status = Command::new("age")
        .args(["-d", "-i"])
        .arg(key)
        .arg("-o")
        .arg(&db)
        .arg(file)
        .status()
        .unwrap();
    assert!(status.success(), "age -d");
    db
}

/// Run SQL on a plaintext database with the sqlite3 CLI.
fn sql(db: &Path, statements: &str) -> String {
    let out = Command::new("sqlite3")
        .arg(db)
        .arg(statements)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "sqlite3: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Encrypt `db` back over `file` to the public keys `recipients` (age CLI).
fn encrypt(db: &Path, recipients: &[PathBuf], file: &Path) {
    let mut cmd = Command::new("age");
    cmd.arg("-e");
    for r in recipients {
        cmd.arg("-R").arg(r);
    }
    let status = cmd.arg("-o").arg(file).arg(db).status().unwrap();
    assert!(status.success(), "age -e");
    fs::remove_file(db).unwrap();
}

fn pubs(c: &Committee) -> Vec<PathBuf> {
    ["ada.pub", "bo.pub", "cy.pub"]
        .iter()
        .map(|p| c.dir.join(p))
        .collect()
}

/// Bo decrypts the file, runs `statements`, and re-encrypts it to everyone.
fn tamper(c: &Committee, statements: &str) {
    let db = decrypt(&c.bo, &c.file);
    sql(&db, statements);
    encrypt(&db, &pubs(c), &c.file);
}

/// Ada's next open is refused with `message`, both read-only and for a change, and her
/// attempted change writes nothing.
fn refused(c: &Committee, message: &str) {
    let before = fs::read(&c.file).unwrap();
    let attempts: [Vec<&dyn AsRef<std::ffi::OsStr>>; 2] = [
        vec![&"-i", &c.ada, &"info", &c.file],
        vec![
            &"-i", &c.ada, &"note", &"add", &c.file, &c.code, &"--text", &"more",
        ],
    ];
    for argv in attempts {
        let stderr = common::fails(&c.ada_laptop.run(&argv));
        assert!(
            stderr.contains(message),
            "expected {message:?} in: {stderr}"
        );
        assert_eq!(
            fs::read(&c.file).unwrap(),
            before,
            "the file must not change"
        );
    }
}

/// Ada's next open says that `what` disagreed with the signed history and was derived again
/// from it; the file opens (one member's edit must not lock the committee out), a change is
/// recorded, and the saved file, read with `age` and `sqlite3`, no longer holds `planted`
/// (an SQL query that must return nothing).
fn repaired(c: &Committee, what: &str, planted: &str) {
    let info = c.ada_laptop.run(&[&"-i", &c.ada, &"info", &c.file]);
    let stderr = String::from_utf8_lossy(&info.stderr).to_string();
    assert!(info.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("{what} disagreed with the signed history")),
        "expected {what:?} in: {stderr}"
    );
    c.ada_laptop.ok(&[
        &"-i", &c.ada, &"note", &"add", &c.file, &c.code, &"--text", &"more",
    ]);
    let db = decrypt(&c.ada, &c.file);
    assert_eq!(sql(&db, planted).trim(), "", "{planted}");
    fs::remove_file(&db).unwrap();
    // A laptop that never saw the file derives the same, without a word.
    let fresh = Laptop::new();
    let out = fresh.run(&[&"-i", &c.cy, &"info", &c.file]);
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!said.contains("disagreed"), "{said}");
}

/// The SQL of one of casebook's own triggers, to put it back after using the table.
fn trigger_sql(db: &Path, name: &str) -> String {
    sql(
        db,
        &format!("SELECT sql FROM sqlite_schema WHERE name = '{name}';"),
    )
    .trim()
    .to_string()
}

/// Run `statements` on the events table with its append-only triggers dropped and put back
/// exactly as they were (so the schema check alone cannot see it).
fn tamper_events(c: &Committee, statements: &str) {
    let db = decrypt(&c.bo, &c.file);
    let update = trigger_sql(&db, "events_are_append_only_update");
    let delete = trigger_sql(&db, "events_are_append_only_delete");
    sql(
        &db,
        &format!(
            "DROP TRIGGER events_are_append_only_update; DROP TRIGGER events_are_append_only_delete;
             {statements};
             {update}; {delete};"
        ),
    );
    encrypt(&db, &pubs(c), &c.file);
}

/// Sign `text` as an attacker would, with `ssh-keygen -Y sign` and the private key `key`, in
/// the history's namespace; gives back the armored signature.
fn ssh_sign(c: &Committee, key: &Path, text: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let message = c.dir.join("body");
    fs::write(&message, text).unwrap();
    let _ = fs::remove_file(c.dir.join("body.sig"));
    let private = c.dir.join("signing-key");
    fs::copy(key, &private).unwrap();
    fs::set_permissions(&private, fs::Permissions::from_mode(0o600)).unwrap();
    let status = Command::new("ssh-keygen")
        .args(["-q", "-Y", "sign", "-n", "casebook-history", "-f"])
        .arg(&private)
        .arg(&message)
        .status()
        .unwrap();
    assert!(status.success());
    fs::read_to_string(c.dir.join("body.sig")).unwrap()
}

fn skip() -> bool {
    !(have("age") && have("sqlite3") && have("ssh-keygen"))
}

#[test]
fn an_untouched_file_opens_and_its_history_is_logged() {
    if skip() {
        return;
    }
    let c = committee();
    let log = c.ada_laptop.ok(&[&"-i", &c.ada, &"log", &c.file]);
    assert!(
        log.contains("Bo") && log.contains("voted for on warning"),
        "{log}"
    );
    let info = c.ada_laptop.ok(&[&"-i", &c.ada, &"info", &c.file]);
    assert!(info.contains("committee  SHA256:"), "{info}");
}

#[test]
fn an_edited_decision_in_the_derived_state_is_derived_again() {
    if skip() {
        return;
    }
    let c = committee();
    tamper(
        &c,
        "UPDATE cases SET state = replace(state, '\"outcome\":\"warning\"', '\"outcome\":\"no-violation\"');",
    );
    repaired(
        &c,
        &format!("the state of case {}", c.code),
        "SELECT id FROM cases WHERE state LIKE '%no-violation%';",
    );
}

#[test]
fn a_deleted_event_is_refused() {
    if skip() {
        return;
    }
    let c = committee();
    tamper_events(&c, "DELETE FROM events WHERE kind = 'note-added'");
    refused(&c, "is missing, or events were reordered");
}

#[test]
fn an_edited_event_is_refused() {
    if skip() {
        return;
    }
    let c = committee();
    tamper_events(
        &c,
        "UPDATE events SET payload = replace(payload, 'canary-deliberation-note', 'nothing to see') WHERE kind = 'note-added'",
    );
    refused(&c, "was changed after it was signed");
}

#[test]
fn reordered_events_are_refused() {
    if skip() {
        return;
    }
    let c = committee();
    tamper_events(
        &c,
        "CREATE TEMP TABLE m AS SELECT max(seq) AS hi FROM events;
         UPDATE events SET seq = -1 WHERE seq = (SELECT hi FROM m);
         UPDATE events SET seq = (SELECT hi FROM m) WHERE seq = (SELECT hi FROM m) - 1;
         UPDATE events SET seq = (SELECT hi FROM m) - 1 WHERE seq = -1",
    );
    refused(&c, "is missing, or events were reordered");
}

#[test]
fn a_forged_vote_in_another_members_name_is_refused() {
    if skip() {
        return;
    }
    let c = committee();
    // Bo flips Cy's vote: an edit of an event Cy signed.
    let db = decrypt(&c.bo, &c.file);
    let cy_id = sql(&db, "SELECT id FROM members WHERE name = 'Cy';")
        .trim()
        .to_string();
    fs::remove_file(&db).unwrap();
    tamper_events(
        &c,
        &format!(
            "UPDATE events SET payload = replace(payload, '\"ballot\":\"for\"', '\"ballot\":\"against\"') WHERE kind = 'vote-cast' AND author = '{cy_id}'"
        ),
    );
    refused(&c, "was changed after it was signed");
}

#[test]
fn a_new_unsigned_event_is_refused() {
    if skip() {
        return;
    }
    let c = committee();
    let db = decrypt(&c.bo, &c.file);
    let cy_id = sql(&db, "SELECT id FROM members WHERE name = 'Cy';")
        .trim()
        .to_string();
    let case = sql(&db, "SELECT id FROM cases;").trim().to_string();
    sql(
        &db,
        &format!(
            "INSERT INTO events (id, case_id, author, at, kind, payload) VALUES
             ('00000000-0000-4000-8000-000000000001', '{case}', '{cy_id}',
              '2026-12-01T00:00:00.000000000Z', 'note-added', '{{\"kind\":\"note-added\",\"body\":\"Cy says\"}}');"
        ),
    );
    encrypt(&db, &pubs(&c), &c.file);
    refused(&c, "is not part of any signed commit");
}

#[test]
fn promoting_oneself_to_chair_in_the_roster_table_changes_nothing() {
    if skip() {
        return;
    }
    let c = committee();
    tamper(&c, "UPDATE members SET role = 'chair' WHERE name = 'Bo';");
    repaired(
        &c,
        "the roster",
        "SELECT name FROM members WHERE name = 'Bo' AND role = 'chair';",
    );
}

#[test]
fn an_outsider_recipient_is_dropped() {
    if skip() {
        return;
    }
    let c = committee();
    let outsider = c.dir.join("outsider");
    c.ada_laptop.ok(&[&"keygen", &"-o", &outsider]);
    let key = fs::read_to_string(c.dir.join("outsider.pub")).unwrap();
    tamper(
        &c,
        &format!(
            "INSERT INTO extra_recipients (recipient, added_at) VALUES ('{}', '2026-12-01T00:00:00.000000000Z');",
            key.trim()
        ),
    );
    repaired(
        &c,
        "the list of recipients",
        "SELECT recipient FROM extra_recipients;",
    );
    // The file saved after it is not encrypted to the outsider.
    let out = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(&outsider)
        .arg(&c.file)
        .output()
        .unwrap();
    assert!(!out.status.success(), "the outsider decrypts the file");
}

#[test]
fn a_planted_trigger_view_or_table_is_refused() {
    if skip() {
        return;
    }
    for (plant, message) in [
        (
            "CREATE TRIGGER zz AFTER UPDATE OF removed_at ON members BEGIN UPDATE members SET removed_at = NULL; END;",
            "contains a trigger casebook did not create: zz",
        ),
        (
            "CREATE VIEW zz_view AS SELECT * FROM members;",
            "contains a view casebook did not create: zz_view",
        ),
        (
            "CREATE TABLE zz_table (x);",
            "contains a table casebook did not create: zz_table",
        ),
    ] {
        let c = committee();
        tamper(&c, plant);
        refused(&c, message);
    }
}

#[test]
fn a_bad_signature_is_refused() {
    if skip() {
        return;
    }
    let c = committee();
    // Re-sign Cy's vote commit with Bo's key: a valid SSH signature, by the wrong member.
    let db = decrypt(&c.bo, &c.file);
    let cy_id = sql(&db, "SELECT id FROM members WHERE name = 'Cy';")
        .trim()
        .to_string();
    let body = sql(
        &db,
        &format!("SELECT body FROM commits WHERE body LIKE '%\"author\":\"{cy_id}\"%';"),
    );
    let signature = ssh_sign(&c, &c.bo, body.trim_end_matches('\n'));
    sql(
        &db,
        &format!(
            "UPDATE commits SET signature = '{signature}' WHERE body LIKE '%\"author\":\"{cy_id}\"%';"
        ),
    );
    encrypt(&db, &pubs(&c), &c.file);
    refused(&c, "has an invalid signature");
}

#[test]
fn a_file_founded_by_an_outsider_at_a_known_path_is_refused() {
    if skip() {
        return;
    }
    let c = committee();
    // The outsider knows the members' public keys: a committee of their own, same names, same
    // keys on the roster, encrypted to everyone.
    let mallory_laptop = Laptop::new();
    let mallory = c.dir.join("mallory");
    mallory_laptop.ok(&[&"keygen", &"-o", &mallory]);
    let fake = c.dir.join("fake.cases.age");
    mallory_laptop.ok(&[&"-i", &mallory, &"init", &fake, &"--name", &"Ada"]);
    for (name, k) in [("Bo", "bo.pub"), ("Cy", "cy.pub"), ("Ada Two", "ada.pub")] {
        mallory_laptop.ok(&[
            &"-i",
            &mallory,
            &"member",
            &"add",
            &fake,
            &"--name",
            &name,
            &"--key",
            &c.dir.join(k),
        ]);
    }
    fs::copy(&fake, &c.file).unwrap();
    refused(&c, "holds a different committee");
}

#[test]
fn the_committee_fingerprint_can_be_required() {
    if skip() {
        return;
    }
    let c = committee();
    let new_laptop = Laptop::new();
    let first = new_laptop.run(&[&"-i", &c.bo, &"info", &c.file]);
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(
        stderr.contains("first time this laptop opens this committee"),
        "{stderr}"
    );
    let fingerprint = stderr
        .split_whitespace()
        .find(|w| w.starts_with("SHA256:"))
        .unwrap()
        .trim_end_matches(['.', ')'])
        .to_string();
    let again = Laptop::new();
    again.ok(&[&"--committee", &fingerprint, &"-i", &c.bo, &"info", &c.file]);
    let other = format!("SHA256:{}", "A".repeat(43));
    let wrong =
        common::fails(&again.run(&[&"--committee", &other, &"-i", &c.bo, &"info", &c.file]));
    assert!(
        wrong.contains(&format!("not the expected {other}")),
        "{wrong}"
    );
}

#[test]
fn an_older_copy_copied_back_after_a_removal_is_refused() {
    if skip() {
        return;
    }
    let c = committee();
    let old_copy = c.dir.join("bo-kept.cases.age");
    fs::copy(&c.file, &old_copy).unwrap();
    c.ada_laptop
        .ok(&[&"-i", &c.ada, &"member", &"remove", &c.file, &"Bo"]);
    // Bo puts his old copy back into the shared folder (the sync tool writes it beside the
    // file and renames it into place).
    let synced = c.dir.join(".syncing.tmp");
    fs::copy(&old_copy, &synced).unwrap();
    fs::rename(&synced, &c.file).unwrap();
    // Ada's next change finds the backup holding the newer history and merges it back: the
    // removal holds, nothing is lost, and she is told.
    let backup = c.dir.join("committee.cases.age.bak");
    let kept_backup = c.dir.join("kept.bak");
    fs::copy(&backup, &kept_backup).unwrap();
    let out = c.ada_laptop.run(&[
        &"-i", &c.ada, &"note", &"add", &c.file, &c.code, &"--text", &"after",
    ]);
    let said = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("lacked history") && said.contains(".bak"),
        "{said}"
    );
    let members = c
        .ada_laptop
        .ok(&[&"-i", &c.ada, &"member", &"list", &c.file]);
    assert!(members.contains("removed"), "{members}");
    // Without a copy that holds the newer history, the older copy is refused for changes.
    fs::copy(&old_copy, &c.file).unwrap();
    fs::remove_file(&backup).unwrap();
    let before = fs::read(&c.file).unwrap();
    let stderr = common::fails(&c.ada_laptop.run(&[
        &"-i", &c.ada, &"note", &"add", &c.file, &c.code, &"--text", &"after",
    ]));
    assert!(stderr.contains("is an older copy"), "{stderr}");
    assert!(stderr.contains("last change by Ada"), "{stderr}");
    assert_eq!(fs::read(&c.file).unwrap(), before);
    let _ = kept_backup;
    // Read-only, it is shown with a warning.
    let out = c.ada_laptop.run(&[&"-i", &c.ada, &"info", &c.file]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("WARNING"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("older copy"));
}

/// The hash of an event row as the signed history defines it (see `vault::history`).
fn event_hash(row: &[&str; 7]) -> String {
    let [id, case, author, at, kind, amends, payload] = *row;
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let null = |s: &str| {
        if s.is_empty() {
            serde_json::Value::Null
        } else {
            s.into()
        }
    };
    let (case, amends) = (null(case), null(amends));
    let payload_hash = hex(&Sha256::digest(payload.as_bytes()));
    let header = serde_json::json!([
        "casebook-event/1",
        id,
        case,
        author,
        at,
        kind,
        amends,
        payload_hash
    ]);
    hex(&Sha256::digest(header.to_string().as_bytes()))
}

/// Append one event of `kind` with `payload` (on `case`, or committee-wide) and a commit for
/// it by the member `name`, signed with their key `key` by `ssh-keygen`, to the decrypted
/// database `db`: what a member who decrypts the file can make without casebook.
fn forge_commit(
    c: &Committee,
    db: &Path,
    name: &str,
    key: &Path,
    case: Option<&str>,
    kind: &str,
    payload: &str,
) {
    let author = sql(
        db,
        &format!("SELECT id FROM members WHERE name = '{name}';"),
    )
    .trim()
    .to_string();
    let head = sql(db, "SELECT id FROM commits ORDER BY seq DESC LIMIT 1;")
        .trim()
        .to_string();
    let public = fs::read_to_string(format!("{}.pub", key.display())).unwrap();
    let public = public
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    let (id, at) = (
        "00000000-0000-4000-8000-0000000000b0",
        "2026-12-02T00:00:00.000000000Z",
    );
    let hash = event_hash(&[id, case.unwrap_or(""), &author, at, kind, "", payload]);
    let body = format!(
        r#"{{"format":"casebook-commit/1","parents":["{head}"],"author":"{author}","key":"{public}","at":"{at}","events":[["{id}","{hash}"]]}}"#
    );
    let signature = ssh_sign(c, key, &body);
    let commit_id: String = Sha256::digest(body.as_bytes())
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect();
    fs::write(c.dir.join("body.txt"), &body).unwrap();
    fs::write(c.dir.join("payload.txt"), payload).unwrap();
    let case = case
        .map(|c| format!("'{c}'"))
        .unwrap_or_else(|| "NULL".into());
    sql(
        db,
        &format!(
            "INSERT INTO events (id, case_id, author, at, kind, payload) VALUES
             ('{id}', {case}, '{author}', '{at}', '{kind}', CAST(readfile('{}') AS TEXT));
             INSERT INTO commits (id, body, signature)
             VALUES ('{commit_id}', CAST(readfile('{}') AS TEXT), '{signature}');",
            c.dir.join("payload.txt").display(),
            c.dir.join("body.txt").display()
        ),
    );
}

#[test]
fn a_member_cannot_rotate_to_something_that_is_not_a_key() {
    if skip() {
        return;
    }
    let c = committee();
    let db = decrypt(&c.bo, &c.file);
    let bo = sql(&db, "SELECT id FROM members WHERE name = 'Bo';")
        .trim()
        .to_string();
    let payload =
        format!(r#"{{"kind":"member-key-changed","member":"{bo}","recipient":"not a key"}}"#);
    forge_commit(&c, &db, "Bo", &c.bo, None, "member-key-changed", &payload);
    sql(
        &db,
        &format!("UPDATE members SET recipient = 'not a key' WHERE id = '{bo}';"),
    );
    encrypt(&db, &pubs(&c), &c.file);
    refused(&c, "is not a member's key in its normal form");
}

#[test]
fn a_commit_by_a_removed_member_is_kept_and_not_applied() {
    if skip() {
        return;
    }
    let c = committee();
    c.ada_laptop
        .ok(&[&"-i", &c.ada, &"member", &"remove", &c.file, &"Bo"]);
    // Cy colludes: decrypts the current file; Bo appends a note and a commit he signs himself.
    let db = decrypt(&c.cy, &c.file);
    let case = sql(&db, "SELECT id FROM cases;").trim().to_string();
    let payload = r#"{"kind":"note-added","body":"Bo was here","note":"general"}"#;
    forge_commit(&c, &db, "Bo", &c.bo, Some(&case), "note-added", payload);
    // Re-encrypted to the remaining members.
    encrypt(&db, &[c.dir.join("ada.pub"), c.dir.join("cy.pub")], &c.file);
    // Every laptop keeps it (it is signed evidence), applies none of it, and names it.
    for (laptop, key) in [(&c.ada_laptop, &c.ada), (&Laptop::new(), &c.cy)] {
        let log = laptop.ok(&[&"-i", key, &"log", &c.file, &c.code]);
        assert!(
            log.contains("not applied: signed by Bo, who had been removed from the committee"),
            "{log}"
        );
        let show = laptop.ok(&[&"-i", key, &"case", &"show", &c.file, &c.code, &"--json"]);
        assert!(!show.contains("\"notes\":2"), "{show}");
        let queue = laptop.ok(&[
            &"-i",
            key,
            &"case",
            &"list",
            &c.file,
            &"--queue",
            &"needs-attention",
        ]);
        assert!(queue.contains(&c.code), "{queue}");
    }
}

#[test]
fn the_state_directory_is_private_and_holds_no_case_content() {
    if skip() {
        return;
    }
    let c = committee();
    let state = c.ada_laptop.home.path().join("state/casebook");
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(&state).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
    for entry in fs::read_dir(&state).unwrap() {
        let text = fs::read_to_string(entry.unwrap().path()).unwrap_or_default();
        for canary in [
            "canary-deliberation-note",
            "Hostile replies",
            "Repeated hostile",
        ] {
            assert!(!text.contains(canary), "{canary} in the state directory");
        }
    }
}

#[test]
fn an_edited_search_index_is_found_at_the_next_open_and_derived_again() {
    if skip() {
        return;
    }
    let c = committee();
    tamper(
        &c,
        "UPDATE search SET text = 'planted-words ' || text WHERE rowid = (SELECT min(rowid) FROM search);",
    );
    // This laptop verified the same head before: its pin covers the index's rows, not only
    // their number, so the fast open does not pass it.
    let out = c
        .ada_laptop
        .run(&[&"-i", &c.ada, &"search", &c.file, &"planted-words"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("the search index disagreed"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("nothing found") && !stdout.contains(&c.code),
        "the planted words are not found: {stdout}"
    );
    repaired(
        &c,
        "the search index",
        "SELECT id FROM search_content WHERE c0 LIKE '%planted%';",
    );
}

#[test]
fn a_file_whose_commits_were_removed_is_not_taken_for_an_old_unsigned_one() {
    if skip() {
        return;
    }
    let c = committee();
    // Without commits the file would look like one from before signed history, which a
    // chair's save adopts: the forged state would then be signed by the chair.
    tamper(
        &c,
        "DELETE FROM commits; UPDATE members SET role = 'chair' WHERE name = 'Bo';",
    );
    refused(&c, "its commits were removed");
    let fresh = Laptop::new();
    let stderr = common::fails(&fresh.run(&[
        &"-i", &c.ada, &"note", &"add", &c.file, &c.code, &"--text", &"x",
    ]));
    assert!(stderr.contains("its commits were removed"), "{stderr}");
}

#[test]
fn a_signed_file_passed_off_as_an_unsigned_one_is_not_adopted() {
    if skip() {
        return;
    }
    let c = committee();
    let info = c.ada_laptop.ok(&[&"-i", &c.ada, &"info", &c.file]);
    let fingerprint = info
        .lines()
        .find_map(|l| l.strip_prefix("committee  "))
        .unwrap()
        .to_string();
    // Bo removes the signed history and says the file is of schema 2.
    tamper(
        &c,
        "DROP TABLE commits; PRAGMA user_version = 2; UPDATE members SET role = 'chair' WHERE name = 'Bo';",
    );
    // Ada's laptop verified signed history there: an older copy, read-only.
    let stderr = common::fails(&c.ada_laptop.run(&[&"-i", &c.ada, &"adopt", &c.file]));
    assert!(stderr.contains("is an older copy"), "{stderr}");
    // A new laptop told the fingerprint refuses it.
    let fresh = Laptop::new();
    let stderr =
        common::fails(&fresh.run(&[&"--committee", &fingerprint, &"-i", &c.cy, &"info", &c.file]));
    assert!(
        stderr.contains("none (written before signed history)"),
        "{stderr}"
    );
    // And a chair on a new laptop cannot adopt what the events do not give.
    let stderr = common::fails(&fresh.run(&[&"-i", &c.ada, &"adopt", &c.file]));
    assert!(stderr.contains("the roster disagrees"), "{stderr}");
}

#[test]
fn addresses_that_would_forge_a_principal_are_refused() {
    if skip() {
        return;
    }
    let c = committee();
    let dee = c.dir.join("dee");
    c.ada_laptop.ok(&[&"keygen", &"-o", &dee]);
    for (email, message) in [
        ("*", "is not a plain email address"),
        (
            "ada@x.org\nCy namespaces=\"casebook\" ssh-ed25519 AAAA",
            "is not a plain email address",
        ),
        (
            "q@x;touch${IFS}/tmp/PWNED;#",
            "is not a plain email address",
        ),
    ] {
        let stderr = common::fails(&c.ada_laptop.run(&[
            &"-i",
            &c.ada,
            &"member",
            &"add",
            &c.file,
            &"--name",
            &"Dee",
            &"--email",
            &email,
            &"--key",
            &c.dir.join("dee.pub"),
        ]));
        assert!(stderr.contains(message), "{email:?}: {stderr}");
    }
    c.ada_laptop.ok(&[
        &"-i",
        &c.ada,
        &"member",
        &"add",
        &c.file,
        &"--name",
        &"Dee",
        &"--email",
        &"dee@x.org",
        &"--key",
        &c.dir.join("dee.pub"),
    ]);
    let eve = c.dir.join("eve");
    c.ada_laptop.ok(&[&"keygen", &"-o", &eve]);
    let stderr = common::fails(&c.ada_laptop.run(&[
        &"-i",
        &c.ada,
        &"member",
        &"add",
        &c.file,
        &"--name",
        &"Eve",
        &"--email",
        &"DEE@x.org",
        &"--key",
        &c.dir.join("eve.pub"),
    ]));
    assert!(stderr.contains("is already Dee's address"), "{stderr}");
}

#[test]
fn a_derived_column_beside_the_state_is_compared_too() {
    if skip() {
        return;
    }
    let c = committee();
    tamper(
        &c,
        "UPDATE cases SET status = 'closed', received_at = '2020-01-01T00:00:00Z';",
    );
    repaired(
        &c,
        &format!("the state of case {}", c.code),
        "SELECT id FROM cases WHERE status = 'closed' OR received_at LIKE '2020%';",
    );
}

#[test]
fn a_promise_too_long_for_a_calendar_never_crashes_a_listing() {
    if skip() {
        return;
    }
    let c = committee();
    c.ada_laptop.ok(&[
        &"-i",
        &c.ada,
        &"settings",
        &c.file,
        &"--decide-days",
        &"4294967295",
        &"--acknowledge-hours",
        &"4294967295",
    ]);
    let list = c.ada_laptop.ok(&[&"-i", &c.ada, &"case", &"list", &c.file]);
    assert!(list.contains(&c.code), "{list}");
}
