//! Sealed cases: a member kept out of a case cannot read it, with casebook or without it.
//!
//! Each way of sealing is attacked as the excluded member would: with only the `age` CLI and
//! `sqlite3` on the case file, its backup and the file after a merge, every byte of the
//! decrypted database (every table, the text index's shadow tables, attachments, free pages)
//! is scanned for the case's canary strings. Members who may read the case read everything
//! through casebook.

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::Laptop;

/// Canaries that share no first letters with each other or with any other word stored, so
/// that the text index's prefix-compressed terms still hold them whole.
const TITLE: &str = "zqxtitle";
const SUMMARY: &str = "jqvsummary";
const NOTE: &str = "vqknote";
const PARTY: &str = "Wqyparty Tqzsurname";
const PARTY_EMAIL: &str = "xqhreporter@example.org";

struct Committee {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    file: PathBuf,
    ada: Laptop,
    bo: Laptop,
    mei: Laptop,
    mei_key: PathBuf,
    bo_key: PathBuf,
}

/// Ada (chair), Bo and Mei (members), each on a laptop of their own that has seen the file.
fn committee() -> Committee {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let key = |name: &str| common::member_key(&dir, name);
    let (ada_key, bo_key, mei_key) = (key("ada"), key("bo"), key("mei"));
    let ada = Laptop::with_key(&ada_key);
    let file = dir.join("committee.cases.age");
    ada.ok(&[&"init", &file, &"--name", &"Ada"]);
    for (name, k) in [("Bo", "bo.pub"), ("Mei", "mei.pub")] {
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
    let bo = Laptop::with_key(&bo_key);
    let mei = Laptop::with_key(&mei_key);
    bo.ok(&[&"info", &file]);
    mei.ok(&[&"info", &file]);
    Committee {
        _tmp: tmp,
        dir,
        file,
        ada,
        bo,
        mei,
        mei_key,
        bo_key,
    }
}

/// A case full of canaries, opened by `by`: title, summary, a note, a named reporter.
fn canary_case(by: &Laptop, file: &Path, extra: &[&dyn AsRef<std::ffi::OsStr>]) -> String {
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![
        &"case",
        &"new",
        &file,
        &"--title",
        &TITLE,
        &"--summary",
        &SUMMARY,
    ];
    args.extend_from_slice(extra);
    let code = by.ok(&args).trim().to_string();
    by.ok(&[&"note", &"add", &file, &code, &"--text", &NOTE]);
    by.ok(&[
        &"party",
        &"add",
        &file,
        &code,
        &"--role",
        &"reporter",
        &"--name",
        &PARTY,
        &"--email",
        &PARTY_EMAIL,
    ]);
    code
}

/// Decrypt `file` with the `age` CLI and `key`; the raw bytes of the database.
fn decrypted(key: &Path, file: &Path) -> Vec<u8> {
    let out = file.with_extension("scan.db");
    let _ = fs::remove_file(&out);
    common::age_decrypt(key, file, &out);
    // sqlite3 reads it as a database (so the scan below is of a real one).
    let tables = common::sqlite(&out, "SELECT count(*) FROM sqlite_schema");
    assert!(tables.trim().parse::<u32>().unwrap() > 5, "{tables}");
    let bytes = fs::read(&out).unwrap();
    fs::remove_file(&out).unwrap();
    bytes
}

/// The canaries found in `bytes`, in any letter case.
fn found(bytes: &[u8], canaries: &[&str]) -> Vec<String> {
    let lower: Vec<u8> = bytes.to_ascii_lowercase();
    canaries
        .iter()
        .filter(|c| {
            let c: &str = c;
            // Each word of a canary on its own too (the text index stores words).
            c.split(|ch: char| !ch.is_ascii_alphanumeric())
                .filter(|w| w.len() >= 6)
                .chain(std::iter::once(c))
                .any(|w| {
                    let w = w.to_ascii_lowercase();
                    lower.windows(w.len()).any(|win| win == w.as_bytes())
                })
        })
        .map(|c| c.to_string())
        .collect()
}

const ALL: [&str; 5] = [TITLE, SUMMARY, NOTE, PARTY, PARTY_EMAIL];

/// The excluded member, with `age -d` and `sqlite3` only, finds none of `canaries` in
/// `file` or its backup.
fn sealed_from(key: &Path, file: &Path, canaries: &[&str]) {
    if !common::have("age") || !common::have("sqlite3") {
        return;
    }
    let bytes = decrypted(key, file);
    assert_eq!(
        found(&bytes, canaries),
        Vec::<String>::new(),
        "in {}",
        file.display()
    );
    let backup = casebook_vault::backup_path(file);
    // A backup the member's key does not open (made before they joined) holds nothing for them.
    let opens = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(key)
        .arg("-o")
        .arg("/dev/null")
        .arg(&backup)
        .output()
        .is_ok_and(|o| o.status.success());
    if backup.exists() && opens {
        let bytes = decrypted(key, &backup);
        assert_eq!(
            found(&bytes, canaries),
            Vec::<String>::new(),
            "in the backup"
        );
    }
}

/// What a member who may read the case sees of it through casebook.
fn reads_everything(laptop: &Laptop, file: &Path, code: &str) {
    let shown = laptop.ok(&[&"case", &"show", &file, &code]);
    for canary in [TITLE, SUMMARY, NOTE, PARTY] {
        assert!(shown.contains(canary), "{canary} missing:\n{shown}");
    }
    let hits = laptop.ok(&[&"search", &file, &NOTE]);
    assert!(hits.contains(code), "{hits}");
    let hits = laptop.ok(&[&"search", &file, &"wqyparty"]);
    assert!(hits.contains(code), "{hits}");
}

#[test]
fn a_hard_conflict_seals_the_case_from_the_member_even_with_age_and_sqlite3() {
    let c = committee();
    let code = canary_case(&c.ada, &c.file, &[]);
    if common::have("age") {
        // Before: Mei reads everything with the age CLI (the attack works).
        let bytes = decrypted(&c.mei_key, &c.file);
        assert_eq!(found(&bytes, &ALL).len(), ALL.len());
    }
    let out = c.mei.ok(&[&"conflict", &c.file, &code, &"--hard"]);
    assert!(out.contains("hard"), "{out}");
    sealed_from(&c.mei_key, &c.file, &ALL);
    // Casebook shows Mei only what her copy holds.
    let shown = c.mei.ok(&[&"case", &"show", &c.file, &code]);
    assert!(shown.contains("sealed from you"), "{shown}");
    assert!(shown.contains("you declared a hard conflict"), "{shown}");
    assert!(!shown.contains(TITLE), "{shown}");
    let listed = c.mei.ok(&[&"case", &"list", &c.file]);
    assert!(
        listed.contains(&code) && !listed.contains(TITLE),
        "{listed}"
    );
    assert!(
        c.mei
            .ok(&[&"search", &c.file, &NOTE])
            .contains("nothing found")
    );
    // Nor can she sign a decision record of what her copy does not hold.
    let refused = common::fails(&c.mei.run(&[
        &"export",
        &c.file,
        &code,
        &"--for",
        &"internal",
        &"-o",
        &c.dir.join("record.md"),
    ]));
    assert!(refused.contains("is sealed from Mei"), "{refused}");
    // Bo and Ada read everything, and say since when and from whom it is sealed.
    reads_everything(&c.bo, &c.file, &code);
    let shown = c.ada.ok(&[&"case", &"show", &c.file, &code]);
    assert!(
        shown.contains("SEALED since") && shown.contains("from Mei (hard conflict of interest)"),
        "{shown}"
    );
    // Work goes on, sealed: a new note never reaches Mei's copy in plaintext.
    c.bo.ok(&[&"note", &"add", &c.file, &code, &"--text", &"yqjlater"]);
    sealed_from(&c.mei_key, &c.file, &["yqjlater"]);
    reads_everything(&c.ada, &c.file, &code);
    assert!(c.ada.ok(&[&"search", &c.file, &"yqjlater"]).contains(&code));
    // Mei's copy still verifies every commit, and says what it does not show.
    let log = c.mei.ok(&[&"log", &c.file]);
    assert!(log.contains("a case you may not see"), "{log}");
}

#[test]
fn the_reporter_asks_for_a_member_to_be_kept_out_at_intake() {
    let c = committee();
    let code = canary_case(&c.ada, &c.file, &[&"--exclude", &"Mei"]);
    sealed_from(&c.mei_key, &c.file, &ALL);
    // Mei's copy says it is sealed from her, and neither why nor who reads it: that alone
    // could tell a member they were reported.
    let shown = c.mei.ok(&[&"case", &"show", &c.file, &code]);
    assert!(shown.contains("sealed from you"), "{shown}");
    for hidden in ["request", "Ada", "Bo", "party", "conflict"] {
        assert!(!shown.contains(hidden), "{hidden} in:\n{shown}");
    }
    let json = c.mei.ok(&[&"case", &"show", &c.file, &code, &"--json"]);
    for hidden in ["request", "readers", "excluded", "party"] {
        assert!(!json.contains(hidden), "{hidden} in:\n{json}");
    }
    let log = c.mei.ok(&[&"log", &c.file]);
    assert!(
        !log.contains("sealed the case") && !log.contains("request"),
        "{log}"
    );
    assert!(log.contains("to a case you may not see"), "{log}");
    reads_everything(&c.bo, &c.file, &code);

    // An imported report, attachment included, sealed from the start.
    let eml = c.dir.join("report.eml");
    fs::write(
        &eml,
        "From: Pqzsender Name <pqzsender@example.org>\r\nTo: conduct@example.org\r\n\
         Subject: kqzsubject\r\nDate: Mon, 2 Nov 2026 18:42:00 +0000\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"sep\"\r\n\r\n--sep\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nbqzbody text\r\n--sep\r\n\
         Content-Type: text/plain; name=\"gqzfile.txt\"\r\n\
         Content-Disposition: attachment; filename=\"gqzfile.txt\"\r\n\r\nfqzattached\r\n\
         --sep--\r\n",
    )
    .unwrap();
    let out = c.ada.run(&[&"import", &c.file, &eml, &"--exclude", &"Mei"]);
    let stdout = common::ok(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("sealed from Mei"), "{stderr}");
    let imported = stdout.split_whitespace().next().unwrap().to_string();
    sealed_from(
        &c.mei_key,
        &c.file,
        &[
            "pqzsender",
            "kqzsubject",
            "bqzbody",
            "gqzfile",
            "fqzattached",
        ],
    );
    // Bo reads the report and saves its attachment as received.
    let shown = c.bo.ok(&[&"case", &"show", &c.file, &imported]);
    assert!(
        shown.contains("kqzsubject") && shown.contains("bqzbody"),
        "{shown}"
    );
    let saved = c.dir.join("saved.txt");
    c.bo.ok(&[
        &"attachment",
        &"save",
        &c.file,
        &imported,
        &"gqzfile.txt",
        &"-o",
        &saved,
    ]);
    assert!(fs::read_to_string(&saved).unwrap().contains("fqzattached"));
}

#[test]
fn a_member_recorded_as_the_reported_party_is_kept_out_at_once_and_two_readers_let_them_back() {
    let c = committee();
    let code = c
        .ada
        .ok(&[&"case", &"new", &c.file, &"--title", &TITLE])
        .trim()
        .to_string();
    // Named as the reported party (letter case aside): the case is sealed from Mei in the same
    // change, so no version she can read is ever saved.
    let out = c.ada.ok(&[
        &"party",
        &"add",
        &c.file,
        &code,
        &"--role",
        &"reported",
        &"--name",
        &"mei",
    ]);
    assert!(
        out.contains("sealed from Mei: the case records them as the reported party"),
        "{out}"
    );
    c.ada
        .ok(&[&"note", &"add", &c.file, &code, &"--text", &NOTE]);
    sealed_from(&c.mei_key, &c.file, &[TITLE, NOTE]);
    assert!(
        !c.mei
            .ok(&[&"case", &"show", &c.file, &code])
            .contains(TITLE)
    );
    // One reader alone does not give the case back to the member it is about.
    let out = c.ada.ok(&[&"case", &"give", &c.file, &code, &"Mei"]);
    assert!(out.contains("your request is recorded"), "{out}");
    sealed_from(&c.mei_key, &c.file, &[TITLE, NOTE]);
    let out = c.bo.ok(&[&"case", &"give", &c.file, &code, &"Mei"]);
    assert!(out.contains("Mei can read the case again"), "{out}");
    let shown = c.mei.ok(&[&"case", &"show", &c.file, &code]);
    assert!(shown.contains(TITLE) && shown.contains(NOTE), "{shown}");
}

#[test]
fn a_member_named_as_a_witness_is_kept_out_only_once_a_second_reader_approves() {
    let c = committee();
    let code = canary_case(&c.ada, &c.file, &[]);
    let out = c.ada.run(&[
        &"party", &"add", &c.file, &code, &"--role", &"witness", &"--name", &"Mei",
    ]);
    common::ok(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("looks like committee member Mei") && stderr.contains("casebook approve"),
        "{stderr}"
    );
    // Not yet: otherwise one member could shut another out by naming them.
    assert!(
        c.mei
            .ok(&[&"case", &"show", &c.file, &code])
            .contains(TITLE)
    );
    let item = stderr.rsplit("--item ").next().unwrap().trim().to_string();
    // Ada cannot approve her own; Mei cannot approve what is about her; Bo can.
    common::fails(&c.ada.run(&[&"approve", &c.file, &code, &"--item", &item]));
    let out = c.bo.ok(&[&"approve", &c.file, &code, &"--item", &item]);
    assert!(out.contains("takes effect now"), "{out}");
    sealed_from(&c.mei_key, &c.file, &ALL);
}

#[test]
fn withdrawing_a_conflict_and_being_given_access_reads_the_case_again() {
    let c = committee();
    let code = canary_case(&c.ada, &c.file, &[]);
    c.mei.ok(&[&"conflict", &c.file, &code, &"--hard"]);
    c.bo.ok(&[&"note", &"add", &c.file, &code, &"--text", &"yqjlater"]);
    // Access is not given back while the conflict stands.
    let refused = common::fails(&c.bo.run(&[&"case", &"give", &c.file, &code, &"Mei"]));
    assert!(refused.contains("hard conflict"), "{refused}");
    c.mei.ok(&[&"conflict", &c.file, &code, &"--withdraw"]);
    let out = c.bo.ok(&[&"case", &"give", &c.file, &code, &"Mei"]);
    assert!(out.contains("Mei can read the case again"), "{out}");
    reads_everything(&c.mei, &c.file, &code);
    assert!(c.mei.ok(&[&"search", &c.file, &"yqjlater"]).contains(&code));
    // Still sealed (to Ada, Bo and Mei): nobody reads it with the age CLI alone.
    sealed_from(&c.mei_key, &c.file, &ALL);
    let log = c.ada.ok(&[&"log", &c.file]);
    assert!(log.contains("gave Mei access to the sealed case"), "{log}");
}

#[test]
fn removing_a_member_takes_them_out_of_every_sealed_case_key() {
    if !common::have("age") || !common::have("sqlite3") {
        return;
    }
    let c = committee();
    let code = canary_case(&c.ada, &c.file, &[]);
    c.mei.ok(&[&"conflict", &c.file, &code, &"--hard"]);
    // Bo, a reader, keeps a copy of the file as it is now (with the case key wrapped to him).
    let old = c.dir.join("bo-kept.cases.age");
    fs::copy(&c.file, &old).unwrap();
    c.ada.ok(&[&"member", &"remove", &c.file, &"Bo"]);
    // The newest key of the case is not wrapped to Bo.
    let readers = common::query_decrypted(
        &c.dir.join("ada"),
        &c.file,
        "SELECT json_extract(payload, '$.readers') FROM events WHERE kind = 'case-sealed'
         ORDER BY seq DESC LIMIT 1",
    );
    let bo_id = common::query_decrypted(
        &c.dir.join("ada"),
        &c.file,
        "SELECT id FROM members WHERE name = 'Bo'",
    );
    assert!(!readers.contains(bo_id.trim()), "{readers}");
    // Every case key Bo could ever unwrap, from his old copy, with the age CLI.
    let dir = c.dir.join("attack");
    fs::create_dir(&dir).unwrap();
    let wraps = common::query_decrypted(
        &c.bo_key,
        &old,
        "SELECT json_extract(payload, '$.keys') FROM events WHERE kind = 'case-sealed'",
    );
    let mut stolen = String::new();
    for (n, wrap) in wraps.split("-----END AGE ENCRYPTED FILE-----").enumerate() {
        if !wrap.contains("BEGIN AGE") {
            continue;
        }
        let path = dir.join(format!("wrap{n}.age"));
        fs::write(
            &path,
            format!("{}\n-----END AGE ENCRYPTED FILE-----\n", wrap.trim()),
        )
        .unwrap();
        let out = Command::new("age")
            .arg("-d")
            .arg("-i")
            .arg(&c.bo_key)
            .arg(&path)
            .output()
            .unwrap();
        if out.status.success() {
            stolen.push_str(&String::from_utf8_lossy(&out.stdout));
            stolen.push('\n');
        }
    }
    assert!(
        stolen.contains("AGE-SECRET-KEY-1"),
        "Bo held the case key before: {wraps}"
    );
    let keys = dir.join("stolen.keys");
    fs::write(&keys, &stolen).unwrap();
    // The case's sealed content in the current file, taken out with sqlite3 by Ada (a
    // reader still, as Bo would need someone to): none of Bo's keys opens it.
    let db = dir.join("now.db");
    common::age_decrypt(&c.dir.join("ada"), &c.file, &db);
    common::sqlite(
        &db,
        &format!(
            "SELECT writefile('{}/part' || rowid || '.age', data) FROM sealed",
            dir.display()
        ),
    );
    let parts: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("part"))
        .collect();
    assert!(!parts.is_empty());
    for part in parts {
        let out = Command::new("age")
            .arg("-d")
            .arg("-i")
            .arg(&keys)
            .arg(&part)
            .output()
            .unwrap();
        assert!(
            !out.status.success(),
            "Bo's old case key opens {}",
            part.display()
        );
    }
    // Ada still reads everything.
    reads_everything(&c.ada, &c.file, &code);
}

#[test]
fn a_note_added_on_a_copy_that_had_not_seen_the_sealing_is_sealed_by_the_merge() {
    let c = committee();
    let code = canary_case(&c.ada, &c.file, &[]);
    // Bo works on a copy made before the sealing.
    let bo_copy = c.dir.join("bo-copy.cases.age");
    fs::copy(&c.file, &bo_copy).unwrap();
    c.bo.ok(&[&"note", &"add", &bo_copy, &code, &"--text", &"hqwbonote"]);
    // Meanwhile the case is sealed from Mei on the shared file: asked by the reporter after it
    // was opened, so Ada's word waits for a second reader's approval, which Bo gives.
    let out = c.ada.ok(&[
        &"case", &"seal", &c.file, &code, &"--from", &"Mei", &"--why", &"request",
    ]);
    assert!(out.contains("waits for a second member"), "{out}");
    let item = out.rsplit("--item ").next().unwrap().trim().to_string();
    c.bo.ok(&[&"approve", &c.file, &code, &"--item", &item]);
    // Ada merges Bo's copy: his note is sealed too.
    c.ada.ok(&[&"merge", &c.file, &bo_copy]);
    sealed_from(&c.mei_key, &c.file, &[TITLE, NOTE, "hqwbonote"]);
    let shown = c.ada.ok(&[&"case", &"show", &c.file, &code]);
    assert!(
        shown.contains("hqwbonote") && shown.contains(TITLE),
        "{shown}"
    );
    assert!(
        c.ada
            .ok(&[&"search", &c.file, &"hqwbonote"])
            .contains(&code)
    );

    // Mei merges Bo's plaintext copy into her own sealed copy: what she keeps holds none of
    // it in plaintext (what she was given in Bo's copy, she could read there, as before).
    let mei_copy = c.dir.join("mei-copy.cases.age");
    fs::copy(&c.file, &mei_copy).unwrap();
    let bo_later = c.dir.join("bo-later.cases.age");
    fs::copy(&bo_copy, &bo_later).unwrap();
    c.bo.ok(&[&"note", &"add", &bo_later, &code, &"--text", &"lqwsecond"]);
    c.mei.ok(&[&"merge", &mei_copy, &bo_later]);
    sealed_from(
        &c.mei_key,
        &mei_copy,
        &[TITLE, NOTE, "hqwbonote", "lqwsecond"],
    );
    // And a reader who merges Mei's copy gets Bo's second note, sealed by Mei to the case key.
    c.ada.ok(&[&"merge", &c.file, &mei_copy]);
    let shown = c.ada.ok(&[&"case", &"show", &c.file, &code]);
    assert!(shown.contains("lqwsecond"), "{shown}");
    // Both copies converge on the same history.
    c.mei.ok(&[&"merge", &mei_copy, &c.file]);
    assert_eq!(
        c.ada.ok(&[&"log", &c.file, &"--head"]).lines().next(),
        c.mei.ok(&[&"log", &mei_copy, &"--head"]).lines().next()
    );
}

#[test]
fn a_reporter_identity_held_by_one_member_is_sealed_to_them() {
    let c = committee();
    let code = c
        .ada
        .ok(&[&"case", &"new", &c.file, &"--title", &"Held contact"])
        .trim()
        .to_string();
    c.ada.ok(&[
        &"party",
        &"add",
        &c.file,
        &code,
        &"--role",
        &"reporter",
        &"--name",
        &PARTY,
        &"--email",
        &PARTY_EMAIL,
        &"--custodian",
        &"Ada",
    ]);
    let shown = c.bo.ok(&[&"case", &"show", &c.file, &code]);
    assert!(shown.contains("contact held by Ada"), "{shown}");
    assert!(!shown.contains("Wqyparty"), "{shown}");
    // Bo reads the case, but not the reporter's identity, even with the age CLI.
    sealed_from(&c.bo_key, &c.file, &[PARTY, PARTY_EMAIL]);
    let refused = common::fails(&c.bo.run(&[&"party", &"contact", &c.file, &code, &"1"]));
    assert!(refused.contains("held by Ada"), "{refused}");
    // Ada opens it; that is recorded.
    let details = c.ada.ok(&[&"party", &"contact", &c.file, &code, &"1"]);
    assert!(
        details.contains(PARTY) && details.contains(PARTY_EMAIL),
        "{details}"
    );
    let log = c.bo.ok(&[&"log", &c.file]);
    assert!(
        log.contains("opened a party's sealed contact details"),
        "{log}"
    );
}

#[test]
fn an_excluded_member_cannot_plant_content_or_forge_a_seal_with_sqlite3() {
    if !common::have("age") || !common::have("sqlite3") {
        return;
    }
    let c = committee();
    let code = canary_case(&c.ada, &c.file, &[]);
    let other = c
        .ada
        .ok(&[&"case", &"new", &c.file, &"--title", &"Open case"])
        .trim()
        .to_string();
    c.mei.ok(&[&"conflict", &c.file, &code, &"--hard"]);
    let attempt = |name: &str, sql: &str| {
        let db = c.dir.join(format!("{name}.db"));
        common::age_decrypt(&c.mei_key, &c.file, &db);
        common::sqlite(&db, sql);
        let forged = c.dir.join(format!("{name}.cases.age"));
        let recipients = c.dir.join("recipients");
        fs::write(
            &recipients,
            ["ada.pub", "bo.pub", "mei.pub"]
                .iter()
                .map(|k| fs::read_to_string(c.dir.join(k)).unwrap())
                .collect::<String>(),
        )
        .unwrap();
        common::age_encrypt(&recipients, &db, &forged);
        common::fails(&c.bo.run(&[&"case", &"list", &forged]))
    };
    // Mei replaces the sealed part with content of her own (encrypted to the case's public
    // key, which anyone can read): the payloads do not match their signed events.
    let recipient = common::query_decrypted(
        &c.mei_key,
        &c.file,
        "SELECT json_extract(payload, '$.recipient') FROM events WHERE kind = 'case-sealed'",
    );
    let fake = c.dir.join("fake.json");
    fs::write(&fake, "{\"case\":\"x\",\"payloads\":[],\"attachments\":[]}").unwrap();
    let fake_age = c.dir.join("fake.age");
    let status = Command::new("age")
        .arg("-r")
        .arg(recipient.trim())
        .arg("-o")
        .arg(&fake_age)
        .arg(&fake)
        .status()
        .unwrap();
    assert!(status.success());
    let err = attempt(
        "planted",
        &format!(
            "UPDATE sealed SET data = readfile('{}')",
            fake_age.display()
        ),
    );
    assert!(err.contains("sealed part"), "{err}");
    // Mei stubs out an event of a case that is not sealed (hiding it from everyone).
    let err = attempt(
        "stubbed",
        &format!(
            "DROP TRIGGER events_are_append_only_update;
             UPDATE events SET payload = '{{\"sealed\":\"' || lower(hex(randomblob(32))) || '\"}}'
             WHERE case_id = (SELECT id FROM cases WHERE code_name = '{other}')
               AND kind = 'case-opened';
             CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events\n\
             BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;"
        ),
    );
    assert!(
        err.contains("changed after it was signed") || err.contains("outside a sealed case"),
        "{err}"
    );
}

#[test]
fn a_member_who_joins_later_is_not_given_sealed_cases() {
    let c = committee();
    let code = canary_case(&c.ada, &c.file, &[&"--exclude", &"Mei"]);
    let dan_key = common::member_key(&c.dir, "dan");
    c.ada.ok(&[
        &"member",
        &"add",
        &c.file,
        &"--name",
        &"Dan",
        &"--key",
        &c.dir.join("dan.pub"),
    ]);
    let dan = Laptop::with_key(&dan_key);
    let shown = dan.ok(&[&"case", &"show", &c.file, &code]);
    assert!(shown.contains("sealed from you"), "{shown}");
    assert!(!shown.contains("Ada") && !shown.contains("Bo"), "{shown}");
    sealed_from(&dan_key, &c.file, &ALL);
    // Given it, Dan reads everything; Mei still does not.
    c.bo.ok(&[&"case", &"give", &c.file, &code, &"Dan"]);
    reads_everything(&dan, &c.file, &code);
    sealed_from(&c.mei_key, &c.file, &ALL);
}

/// A report that names a committee member anywhere (here in the form's "who was involved"
/// answer, not as its reporter), imported without a terminal, is sealed from that member from
/// the start; a report naming someone who only looks close (a near miss) is not.
#[test]
fn an_imported_report_naming_a_member_anywhere_is_sealed_from_them() {
    let c = committee();
    let csv = c.dir.join("form.csv");
    fs::write(
        &csv,
        "Timestamp,Title,What happened,Who was involved,Your email\n\
         2026-11-02 18:42,kqzfirst,bqzonebody,\"MEI, a committee member\",pqzone@example.org\n\
         2026-11-03 10:00,kqzsecond,bqztwobody,Meilin (not on the committee),pqztwo@example.org\n",
    )
    .unwrap();
    let out = c.ada.run(&[&"import", &c.file, &csv]);
    let stdout = common::ok(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let code_of = |title: &str| {
        stdout
            .lines()
            .find(|l| l.contains(title))
            .and_then(|l| l.split_whitespace().next())
            .unwrap_or_else(|| panic!("{title} not imported:\n{stdout}"))
            .to_string()
    };
    let (first, second) = (code_of("kqzfirst"), code_of("kqzsecond"));
    assert!(
        stderr.contains(&format!("{first} is sealed from Mei")),
        "{stderr}"
    );
    assert!(!stderr.contains(&format!("{second} is sealed")), "{stderr}");
    // Mei's copy, decrypted with the age CLI, holds nothing of the first report.
    sealed_from(&c.mei_key, &c.file, &["kqzfirst", "bqzonebody", "pqzone"]);
    let shown = c.mei.ok(&[&"case", &"show", &c.file, &second]);
    assert!(shown.contains("kqzsecond"), "{shown}");
    let shown = c.bo.ok(&[&"case", &"show", &c.file, &first]);
    assert!(
        shown.contains("kqzfirst") && shown.contains("named in the report"),
        "{shown}"
    );
}

/// The member a case is about turns the text index's secure-delete off with `sqlite3` before
/// the case is sealed from them. The next open puts the index back as casebook made it (and
/// says so), so the sealing still leaves no word of the case in any byte of their copy.
#[test]
fn a_planted_search_setting_leaves_nothing_behind_after_sealing() {
    if !common::have("age") || !common::have("sqlite3") {
        return;
    }
    let c = committee();
    let code = canary_case(&c.ada, &c.file, &[]);
    let plain = c.file.with_extension("planted.db");
    common::age_decrypt(&c.mei_key, &c.file, &plain);
    common::sqlite(
        &plain,
        // The shadow table written directly (this sqlite3 may predate the FTS5 command).
        "INSERT OR REPLACE INTO search_config (k, v) VALUES ('secure-delete', 0);",
    );
    assert_eq!(
        common::sqlite(
            &plain,
            "SELECT v FROM search_config WHERE k = 'secure-delete';"
        )
        .trim(),
        "0"
    );
    let recipients = c.dir.join("recipients.txt");
    let keys: Vec<String> = ["ada.pub", "bo.pub", "mei.pub"]
        .iter()
        .map(|k| {
            fs::read_to_string(c.dir.join(k))
                .unwrap()
                .trim()
                .to_string()
        })
        .collect();
    fs::write(&recipients, keys.join("\n")).unwrap();
    fs::remove_file(&c.file).unwrap();
    common::age_encrypt(&recipients, &plain, &c.file);
    fs::remove_file(&plain).unwrap();

    // Ada's next command says the index was put back.
    let out = c.ada.run(&[&"info", &c.file]);
    common::ok(&out);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("the search index's settings"), "{said}");
    // Bo seals the case from Mei (she is recorded as the reported party).
    c.bo.ok(&[
        &"party",
        &"add",
        &c.file,
        &code,
        &"--role",
        &"reported",
        &"--name",
        &"Mei",
    ]);
    sealed_from(&c.mei_key, &c.file, &ALL);
    let plain = c.file.with_extension("check.db");
    common::age_decrypt(&c.mei_key, &c.file, &plain);
    assert_eq!(
        common::sqlite(
            &plain,
            "SELECT v FROM search_config WHERE k = 'secure-delete';"
        )
        .trim(),
        "1"
    );
    fs::remove_file(&plain).unwrap();
}

/// The guessing attack: the member a case is sealed from hashes every payload a short event
/// could have (each status move, each assignee, each outcome proposed or voted, each ballot)
/// and compares them with the hashes their copy keeps of the sealed events. New payloads are
/// salted, so none matches, though the dictionary holds the unsalted form of every change the
/// committee made.
#[test]
fn the_hashes_kept_of_sealed_events_cannot_be_guessed() {
    use casebook::core::case::Status;
    use casebook::core::decision::Ballot;
    use casebook::core::event::EventKind;
    use casebook::core::roster::MemberId;
    use sha2::{Digest, Sha256};
    if !common::have("age") || !common::have("sqlite3") {
        return;
    }
    let c = committee();
    let code = canary_case(&c.ada, &c.file, &[&"--exclude", &"Mei"]);
    for step in ["triage", "investigating", "deliberating"] {
        c.ada.ok(&[&"status", &c.file, &code, &step]);
    }
    c.ada.ok(&[&"assign", &c.file, &code, &"Bo"]);
    c.ada.ok(&[
        &"vote",
        &c.file,
        &code,
        &"--outcome",
        &"permanent-ban",
        &"--for",
        &"--propose",
    ]);
    c.bo.ok(&[
        &"vote",
        &c.file,
        &code,
        &"--outcome",
        &"permanent-ban",
        &"--against",
    ]);

    // Mei's laptop: the age CLI and sqlite3 only.
    let plain = c.file.with_extension("guess.db");
    common::age_decrypt(&c.mei_key, &c.file, &plain);
    let id = common::sqlite(
        &plain,
        &format!("SELECT id FROM cases WHERE code_name = '{code}';"),
    );
    let members: Vec<MemberId> = common::sqlite(&plain, "SELECT id FROM members;")
        .lines()
        .map(|l| MemberId(l.trim().parse().unwrap()))
        .collect();
    let stubs: Vec<String> = common::sqlite(
        &plain,
        &format!(
            "SELECT payload FROM events WHERE case_id = '{}';",
            id.trim()
        ),
    )
    .lines()
    .filter_map(|l| {
        l.as_bytes()
            .windows(64)
            .find(|w| {
                w.iter()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            })
            .map(|w| String::from_utf8(w.to_vec()).unwrap())
    })
    .collect();
    fs::remove_file(&plain).unwrap();
    assert!(stubs.len() >= 7, "the sealed events' hashes: {stubs:?}");

    let mut dictionary: Vec<EventKind> = Vec::new();
    for from in Status::ALL {
        for to in Status::ALL {
            dictionary.push(EventKind::StatusChanged { from, to });
        }
    }
    for member in &members {
        dictionary.push(EventKind::Assigned { member: *member });
    }
    for outcome in [
        "no-violation",
        "no-action",
        "correction",
        "warning",
        "temporary-ban",
        "permanent-ban",
    ] {
        dictionary.push(EventKind::OutcomeProposed {
            outcome: outcome.into(),
        });
        for ballot in [Ballot::For, Ballot::Against, Ballot::Abstain] {
            dictionary.push(EventKind::VoteCast {
                outcome: outcome.into(),
                ballot,
            });
        }
    }
    // The form an unsalted payload had: the kind's JSON, keys sorted.
    let hashes: Vec<String> = dictionary
        .iter()
        .map(|kind| {
            let text = serde_json::to_value(kind).unwrap().to_string();
            Sha256::digest(text.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        })
        .collect();
    // The control: an open case's status move, read in plaintext, its salt taken out, is in
    // the dictionary; so a miss below is the salt's doing, not the dictionary's.
    let unsalted = |payload: &str| {
        let mut value: serde_json::Value = serde_json::from_str(payload).unwrap();
        value.as_object_mut().unwrap().remove("salt");
        Sha256::digest(value.to_string().as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let open = c
        .ada
        .ok(&[&"case", &"new", &c.file, &"--title", &"An open case"])
        .trim()
        .to_string();
    c.ada.ok(&[&"status", &c.file, &open, &"triage"]);
    common::age_decrypt(&c.mei_key, &c.file, &plain);
    let moved = common::sqlite(
        &plain,
        &format!(
            "SELECT payload FROM events WHERE kind = 'status-changed' AND case_id = \
             (SELECT id FROM cases WHERE code_name = '{open}');"
        ),
    );
    fs::remove_file(&plain).unwrap();
    assert!(moved.contains("\"salt\""), "{moved}");
    assert!(hashes.contains(&unsalted(moved.trim())), "{moved}");
    let guessed: Vec<&String> = stubs.iter().filter(|s| hashes.contains(s)).collect();
    assert!(guessed.is_empty(), "guessed: {guessed:?}");
}

/// Found by the merge property test on copies an older casebook wrote: two readers keep
/// themselves out of one case at the same time on two copies, while a request to keep a third
/// member out waits for a second reader. Each copy wrapped its new case key to the other's
/// member; the merge took that key for a sign that the member still read the case, and refused
/// the copy as broken. Now every copy merges, and the case stays with its readers.
#[test]
fn two_readers_keeping_themselves_out_at_once_on_two_copies_still_merge() {
    let c = committee();
    let cy_key = common::member_key(&c.dir, "cy");
    c.ada.ok(&[
        &"member",
        &"add",
        &c.file,
        &"--name",
        &"Cy",
        &"--key",
        &c.dir.join("cy.pub"),
    ]);
    let cy = Laptop::with_key(&cy_key);
    let code = canary_case(&c.ada, &c.file, &[]);
    // A request recorded after the case opened waits for a second reader.
    let waiting = c
        .ada
        .ok(&[&"case", &"seal", &c.file, &code, &"--from", &"Mei"]);
    assert!(waiting.contains("casebook approve"), "{waiting}");
    let bo_copy = c.dir.join("bo.cases.age");
    fs::copy(&c.file, &bo_copy).unwrap();
    c.ada.ok(&[&"conflict", &"--hard", &c.file, &code]);
    c.bo.ok(&[&"conflict", &"--hard", &bo_copy, &code]);
    c.ada.ok(&[&"merge", &c.file, &bo_copy]);
    c.bo.ok(&[&"merge", &bo_copy, &c.file]);
    let heads: Vec<String> = [(&c.ada, &c.file), (&c.bo, &bo_copy), (&cy, &c.file)]
        .iter()
        .map(|(laptop, file)| laptop.ok(&[&"log", file, &"--head"]))
        .collect();
    assert_eq!(heads[0], heads[1]);
    assert_eq!(heads[0], heads[2]);
    // Cy still reads everything; Ada and Bo read it no more, with casebook or without.
    reads_everything(&cy, &c.file, &code);
    for (laptop, file) in [(&c.ada, &c.file), (&c.bo, &bo_copy)] {
        let shown = laptop.ok(&[&"case", &"show", file, &code]);
        assert!(shown.contains("sealed from you"), "{shown}");
    }
    sealed_from(&c.bo_key, &bo_copy, &[NOTE, SUMMARY]);
}

/// What the member a case is sealed from finds of why, with only `age -d` and `sqlite3` on
/// their own laptop, and through casebook: who was kept out (every copy needs that to verify
/// and to follow the committee), never why; and of what was done in the case since it was
/// sealed, that something was done, never what kind of change it was. On a case sealed from
/// the start (at the reporter's request) and on one sealed later (Mei recorded as the reported
/// party). The readers still see why.
#[test]
fn the_member_a_case_is_sealed_from_learns_neither_why_nor_what_kind_of_change() {
    if !common::have("age") || !common::have("sqlite3") {
        return;
    }
    let c = committee();
    let from_start = canary_case(&c.ada, &c.file, &[&"--exclude", &"Mei"]);
    let later = c
        .ada
        .ok(&[&"case", &"new", &c.file, &"--title", &TITLE])
        .trim()
        .to_string();
    c.ada.ok(&[
        &"party",
        &"add",
        &c.file,
        &later,
        &"--role",
        &"reported",
        &"--name",
        &"mei",
    ]);
    for code in [&from_start, &later] {
        c.ada.ok(&[&"status", &c.file, code, &"triage"]);
        c.bo.ok(&[&"note", &"add", &c.file, code, &"--text", &NOTE]);
        c.ada.ok(&[&"assign", &c.file, code, &"Bo"]);
    }
    // The readers see why.
    for code in [&from_start, &later] {
        let shown = c.bo.ok(&[&"case", &"show", &c.file, code]);
        assert!(shown.contains("Mei ("), "{shown}");
    }
    let log = c.bo.ok(&[&"log", &c.file]);
    assert!(
        log.contains("sealed the case from Mei (a party to the case)"),
        "{log}"
    );

    // Mei's laptop, the age CLI and sqlite3 only.
    let ids: Vec<String> = [&from_start, &later]
        .iter()
        .map(|code| {
            common::query_decrypted(
                &c.mei_key,
                &c.file,
                &format!("SELECT id FROM cases WHERE code_name = '{code}';"),
            )
            .trim()
            .to_string()
        })
        .collect();
    for id in &ids {
        // Every change since the sealing shows as a change to the case, of no kind.
        let kinds = common::query_decrypted(
            &c.mei_key,
            &c.file,
            &format!(
                "SELECT kind FROM events WHERE case_id = '{id}' AND seq > \
                 (SELECT min(seq) FROM events WHERE case_id = '{id}' AND kind = 'case-sealed') \
                 ORDER BY seq;"
            ),
        );
        let kinds: Vec<&str> = kinds.lines().collect();
        assert!(kinds.len() >= 3, "{kinds:?}");
        assert!(
            kinds.iter().all(|k| *k == "sealed"),
            "kinds after the sealing: {kinds:?}"
        );
        // The sealing: who, never why.
        let sealings = common::query_decrypted(
            &c.mei_key,
            &c.file,
            &format!("SELECT payload FROM events WHERE case_id = '{id}' AND kind = 'case-sealed';"),
        );
        for line in sealings.lines() {
            let payload: serde_json::Value = serde_json::from_str(line).unwrap();
            let access = &payload["access"];
            assert_eq!(access["change"], "excluded", "{line}");
            assert!(access.get("why").is_none(), "a reason in plaintext: {line}");
            assert!(
                access["why_sealed"]
                    .as_str()
                    .is_some_and(|s| s.starts_with("-----BEGIN AGE ENCRYPTED FILE-----")),
                "{line}"
            );
        }
        // The summary: who is kept out, no reason.
        let state = common::query_decrypted(
            &c.mei_key,
            &c.file,
            &format!("SELECT state FROM cases WHERE id = '{id}';"),
        );
        let state: serde_json::Value = serde_json::from_str(state.trim()).unwrap();
        let excluded = state["sealed"]["excluded"].as_object().unwrap();
        assert_eq!(excluded.len(), 1, "{state}");
        assert!(excluded.values().all(|v| v.is_null()), "{state}");
    }
    // And through casebook on Mei's laptop: the log, its JSON, the case.
    let words = [
        "party", "request", "conflict", "named", "status", "note", "assign",
    ];
    let log = c.mei.ok(&[&"log", &c.file]);
    let json = c.mei.ok(&[&"log", &c.file, &"--json"]);
    for code in [&from_start, &later] {
        let shown = c.mei.ok(&[&"case", &"show", &c.file, code]);
        let shown_json = c.mei.ok(&[&"case", &"show", &c.file, code, &"--json"]);
        for word in ["party", "request", "conflict", "named"] {
            assert!(!shown.contains(word), "{word} in:\n{shown}");
        }
        // The JSON names its fields ("you_declared_a_hard_conflict": false, of Mei's own).
        for word in [
            "\"party\"",
            "\"request\"",
            "\"conflict\"",
            "\"named\"",
            "a party to the case",
            "reporter's request",
            "hard conflict of interest",
        ] {
            assert!(!shown_json.contains(word), "{word} in:\n{shown_json}");
        }
    }
    let hidden: Vec<&str> = log
        .lines()
        .filter(|l| l.contains(&from_start) || l.contains(&later))
        .collect();
    for line in &hidden {
        for word in words {
            assert!(!line.contains(word), "{word} in: {line}");
        }
    }
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let changes = json.to_string();
    for word in [
        "a party to the case",
        "at the reporter's request",
        "\"party\"",
        "request\"",
    ] {
        assert!(!changes.contains(word), "{word} in the log's JSON");
    }
    // A fresh laptop of Bo's verifies it all, and still reads why.
    let fresh = Laptop::with_key(&c.bo_key);
    let shown = fresh.ok(&[&"case", &"show", &c.file, &later]);
    assert!(shown.contains("Mei (a party to the case)"), "{shown}");
}

#[test]
fn an_approved_late_request_seals_the_case_in_the_save_that_approves_it() {
    if !common::have("age") || !common::have("sqlite3") {
        return;
    }
    let c = committee();
    let code = canary_case(&c.ada, &c.file, &[]);
    let out = c.ada.ok(&[
        &"case", &"seal", &c.file, &code, &"--from", &"Mei", &"--why", &"request",
    ]);
    assert!(out.contains("waits for a second member"), "{out}");
    let item = out.rsplit("--item ").next().unwrap().trim().to_string();
    let out = c.bo.ok(&[&"approve", &c.file, &code, &"--item", &item]);
    assert!(out.contains("takes effect now"), "{out}");
    // The file Bo saved: nothing of the case in plaintext for Mei, right away.
    sealed_from(&c.mei_key, &c.file, &ALL);
    // And the approval's kind is not readable to her: it is the sealing's commit.
    let db = c.dir.join("mei-reads.db");
    common::age_decrypt(&c.mei_key, &c.file, &db);
    let kinds = common::sqlite(
        &db,
        "SELECT kind FROM events WHERE case_id IS NOT NULL ORDER BY seq DESC LIMIT 1",
    );
    assert_eq!(kinds.trim(), "sealed", "{kinds}");
    // A fresh laptop of any member opens it without finding its derived state wrong.
    for key in [&c.mei_key, &c.bo_key] {
        let fresh = Laptop::with_key(key);
        let out = fresh.run(&[&"case", &"list", &c.file]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert!(!stderr.contains("disagreed"), "{stderr}");
    }
    let shown = c.ada.ok(&[&"case", &"show", &c.file, &code]);
    assert!(shown.contains(TITLE) && shown.contains(NOTE), "{shown}");
}
