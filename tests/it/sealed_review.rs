//! Adversarial review of sealed cases: each test builds an attack (or a legitimate sequence of
//! steps) with the tools an attacker or a member would use — the casebook binary, `age`,
//! `sqlite3`, copies of files — and asserts what the README claims. Each was a finding of an
//! adversarial review (or a defence that held), and stays as a regression test.

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::Laptop;
use common::committee::Members;

const TITLE: &str = "zqxtitle";
const SUMMARY: &str = "jqvsummary";
const NOTE: &str = "vqknote";

/// Members of a committee, each on a laptop of their own that has seen the file once.
struct Committee {
    members: Members,
}

impl std::ops::Deref for Committee {
    type Target = Members;
    fn deref(&self) -> &Members {
        &self.members
    }
}

impl Committee {
    /// Ada (chair, founder) and `others`, added by Ada, each laptop having opened the file;
    /// `None` when a tool the tests need is missing (see `common::have`).
    fn new(others: &[&str]) -> Option<Committee> {
        let names: Vec<&str> = std::iter::once("Ada")
            .chain(others.iter().copied())
            .collect();
        let members = Members::new(&names)?;
        for laptop in members.others() {
            laptop.ok(&[&"info", &members.file]);
        }
        Some(Committee { members })
    }

    /// A file listing every member's public key (for `age -R`).
    fn recipients(&self) -> PathBuf {
        let path = self.dir.join("all.recipients");
        let text: String = self
            .publics()
            .iter()
            .map(|public| fs::read_to_string(public).unwrap())
            .collect();
        fs::write(&path, text).unwrap();
        path
    }

    /// A copy of the shared file, as a laptop keeps one.
    fn copy(&self, name: &str) -> PathBuf {
        let copy = self.dir.join(name);
        fs::copy(&self.file, &copy).unwrap();
        copy
    }
}

/// A case opened by `by` with a title, a summary and a note.
fn canary_case(by: &Laptop, file: &Path) -> String {
    let code = by
        .ok(&[
            &"case",
            &"new",
            &file,
            &"--title",
            &TITLE,
            &"--summary",
            &SUMMARY,
        ])
        .trim()
        .to_string();
    by.ok(&[&"note", &"add", &file, &code, &"--text", &NOTE]);
    code
}

/// Decrypt `file` with `key`, run `sql` on it with `sqlite3`, and encrypt it again, with the
/// `age` CLI, to `recipients`, in place (what any member can do to a shared file).
fn tamper(key: &Path, file: &Path, recipients: &Path, sql: &str) {
    let db = file.with_extension("t.db");
    let _ = fs::remove_file(&db);
    common::age_decrypt(key, file, &db);
    common::sqlite(&db, sql);
    fs::remove_file(file).unwrap();
    common::age_encrypt(recipients, &db, file);
    fs::remove_file(&db).unwrap();
}

/// Every sealed part of `file` (decrypted with `key`) that `case_keys` (an age identity
/// file) opens, decrypted.
fn parts_opened_by(key: &Path, file: &Path, case_keys: &Path, dir: &Path) -> Vec<String> {
    let out = dir.join("parts");
    let _ = fs::remove_dir_all(&out);
    fs::create_dir_all(&out).unwrap();
    let db = dir.join("parts.db");
    let _ = fs::remove_file(&db);
    common::age_decrypt(key, file, &db);
    common::sqlite(
        &db,
        &format!(
            "SELECT writefile('{}/part' || rowid || '.age', data) FROM sealed",
            out.display()
        ),
    );
    fs::remove_file(&db).unwrap();
    let mut opened = Vec::new();
    for entry in fs::read_dir(&out).unwrap() {
        let part = entry.unwrap().path();
        let result = Command::new("age")
            .arg("-d")
            .arg("-i")
            .arg(case_keys)
            .arg(&part)
            .output()
            .unwrap();
        if result.status.success() {
            opened.push(String::from_utf8_lossy(&result.stdout).into_owned());
        }
    }
    opened
}

/// Found in review (critical), now a regression test: two readers change who may read a case on two copies at about the
/// same time — Ada keeps Mei (a party) out on the shared file, Bo, on a copy that had not seen
/// that yet, keeps Cy out at the reporter's request. After Ada merges Bo's copy, the case
/// is readable by Mei again: `apply_sealing` takes the later event's `readers` as they are,
/// and Bo's copy computed them before Mei was kept out. Mei then reads, through casebook,
/// the note Ada wrote after keeping her out.
#[test]
fn concurrent_sealings_by_two_readers_do_not_give_the_excluded_member_access() {
    let Some(c) = Committee::new(&["Bo", "Cy", "Mei"]) else {
        return;
    };
    let (ada, bo, mei) = (c.laptop("Ada"), c.laptop("Bo"), c.laptop("Mei"));
    let code = canary_case(ada, &c.file);
    let bo_copy = c.copy("bo-copy.cases.age");
    ada.ok(&[
        &"party",
        &"add",
        &c.file,
        &code,
        &"--role",
        &"reported",
        &"--name",
        &"Mei",
    ]);
    ada.ok(&[&"note", &"add", &c.file, &code, &"--text", &"kqzafter"]);
    // Later in time, on Bo's copy (he had not seen the sealing yet).
    std::thread::sleep(std::time::Duration::from_millis(50));
    bo.ok(&[
        &"party",
        &"add",
        &bo_copy,
        &code,
        &"--role",
        &"reported",
        &"--name",
        &"Cy",
    ]);
    ada.ok(&[&"merge", &c.file, &bo_copy]);

    let shown = ada.ok(&[&"case", &"show", &c.file, &code]);
    assert!(shown.contains("kqzafter"), "{shown}");
    // What Mei's laptop shows her.
    let out = mei.run(&[&"case", &"show", &c.file, &code]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !stdout.contains("kqzafter") && !stdout.contains(TITLE),
        "Mei reads the case she was kept out of, including a note written after:\n{stdout}"
    );
}

/// Found in review (high, availability), now a regression test: Bo keeps Ada out of a case on his copy (she is reported,
/// say) while Ada, on the shared file, keeps Mei out of the same case. Both are legitimate.
/// Ada's merge of Bo's copy is then refused as tampering ("a sealed part ... does not open",
/// "someone changed it outside casebook"): `bring_sealed` copies the parts of a case sealed
/// from Ada in Bo's copy, then `unseal` (with Ada's stored summary, by which she is a reader)
/// insists on opening every part of the case. The two copies can never be merged there.
#[test]
fn a_copy_sealed_from_me_concurrently_with_my_own_sealing_still_merges() {
    let Some(c) = Committee::new(&["Bo", "Mei"]) else {
        return;
    };
    let (ada, bo) = (c.laptop("Ada"), c.laptop("Bo"));
    let code = canary_case(ada, &c.file);
    let bo_copy = c.copy("bo-copy.cases.age");
    bo.ok(&[
        &"party",
        &"add",
        &bo_copy,
        &code,
        &"--role",
        &"reported",
        &"--name",
        &"Ada",
    ]);
    bo.ok(&[&"note", &"add", &bo_copy, &code, &"--text", &"pqzbonote"]);
    ada.ok(&[
        &"party",
        &"add",
        &c.file,
        &code,
        &"--role",
        &"reported",
        &"--name",
        &"Mei",
    ]);
    let out = ada.run(&[&"merge", &c.file, &bo_copy]);
    assert!(
        out.status.success(),
        "two legitimate sealings on two copies cannot be merged: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Kept out by Bo's sealing, Ada still has the case (as its summary), on her laptop and on
    // one that verifies the merged file from scratch; Bo's note never reaches her.
    let fresh = common::Laptop::with_key(c.key("Ada"));
    let head = ada.ok(&[&"log", &c.file, &"--head"]);
    for laptop in [ada, &fresh] {
        assert_eq!(laptop.ok(&[&"log", &c.file, &"--head"]), head);
        let listed = laptop.ok(&[&"case", &"list", &c.file]);
        assert!(listed.contains(&code), "{listed}");
    }
    let shown = ada.run(&[&"case", &"show", &c.file, &code]);
    assert!(!String::from_utf8_lossy(&shown.stdout).contains("pqzbonote"));
    assert!(!String::from_utf8_lossy(&shown.stderr).contains("pqzbonote"));
}

/// The forged summary of `code` that the excluded `mei` writes into the shared file with
/// `sqlite3`: the case readable by her alone, under a case key she made with `age-keygen`.
/// Made canonical (as `store::write_state` writes it) so that it compares equal.
fn forged_summary(c: &Committee, code: &str, case_key_pub: &str) -> String {
    let mei = c.key("Mei");
    let state = common::query_decrypted(
        mei,
        &c.file,
        &format!("SELECT state FROM cases WHERE code_name = '{code}'"),
    );
    let mut case: casebook::core::case::Case = serde_json::from_str(state.trim()).unwrap();
    let members: Vec<(String, String)> =
        common::query_decrypted(mei, &c.file, "SELECT id, name FROM members")
            .lines()
            .map(|l| {
                let (id, name) = l.split_once('|').unwrap();
                (id.to_string(), name.to_string())
            })
            .collect();
    let id = |name: &str| {
        let id = &members.iter().find(|(_, n)| n == name).unwrap().0;
        casebook::core::roster::MemberId(uuid::Uuid::parse_str(id).unwrap())
    };
    let sealed = case.sealed.as_mut().expect("the case is sealed");
    sealed.readers = [id("Mei")].into();
    for other in ["Ada", "Bo"] {
        sealed
            .excluded
            .insert(id(other), Some(casebook::core::event::ExcludeWhy::Request));
    }
    sealed.recipient = case_key_pub.to_string();
    sealed.key_by = id("Mei");
    serde_json::to_string(&case).unwrap()
}

/// An age identity made with `age-keygen` in `dir`: (its file, its public key).
fn age_keygen(dir: &Path) -> (PathBuf, String) {
    let path = dir.join("mei-made-case.key");
    let out = Command::new("age-keygen")
        .arg("-o")
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = fs::read_to_string(&path).unwrap();
    let public = text
        .lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .unwrap()
        .to_string();
    (path, public)
}

/// The excluded member rewrites the stored summary of the sealed case (`cases.state`:
/// readers, excluded, recipient) with `sqlite3` and re-encrypts the shared file with `age`
/// (found in review: readers then took the summary's word for who reads the case). Who reads
/// a case is derived from its signed `case-sealed` events alone, on every copy.
#[test]
fn a_forged_summary_of_a_sealed_case_fools_no_reader_and_no_other_copy() {
    if !common::have("age") || !common::have("sqlite3") || !common::have("age-keygen") {
        return;
    }
    let Some(c) = Committee::new(&["Bo", "Mei"]) else {
        return;
    };
    let (ada, bo, mei) = (c.laptop("Ada"), c.laptop("Bo"), c.laptop("Mei"));
    let code = canary_case(ada, &c.file);
    mei.ok(&[&"conflict", &c.file, &code, &"--hard"]);
    ada.ok(&[&"note", &"add", &c.file, &code, &"--text", &"kqzafter"]);
    let (_, public) = age_keygen(&c.dir);
    let forged = forged_summary(&c, &code, &public);
    tamper(
        c.key("Mei"),
        &c.file,
        &c.recipients(),
        &format!(
            "UPDATE cases SET state = '{}' WHERE code_name = '{code}'",
            forged.replace('\'', "''")
        ),
    );
    // Ada last saved the file (her pin is at its head); Bo verifies it in full. Who reads
    // the case is what its signed sealing events say: neither is fooled, both read it all.
    for (name, laptop) in [("Ada", ada), ("Bo", bo)] {
        let shown = laptop.ok(&[&"case", &"show", &c.file, &code]);
        assert!(
            shown.contains("kqzafter") && !shown.contains("sealed from you"),
            "{name} was fooled by the forged summary:\n{shown}"
        );
    }
    // The next save by a reader puts the signed sealing back in the summary.
    ada.ok(&[&"note", &"add", &c.file, &code, &"--text", &"kqzlater"]);
    let state = common::query_decrypted(
        c.key("Ada"),
        &c.file,
        &format!("SELECT state FROM cases WHERE code_name = '{code}'"),
    );
    assert!(!state.contains(&public), "{state}");
    // The other copies it is sealed from refuse the forged summary.
    let forged_again = forged_summary(&c, &code, &public);
    tamper(
        c.key("Mei"),
        &c.file,
        &c.recipients(),
        &format!(
            "UPDATE cases SET state = '{}' WHERE code_name = '{code}'",
            forged_again.replace('\'', "''")
        ),
    );
    // Mei's copy cannot derive the case: it names the disagreement, repairs the summary from
    // the one a reader signed (who may read it as the signed sealing says, never the
    // forger's key), and stays usable.
    let out = mei.run(&[&"case", &"list", &c.file]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("the summary of case {code}")),
        "{stderr}"
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&code),
        "the case is still listed"
    );
}

/// Found in review (critical), now a regression test, the consequence of the one above: with the forged summary in place, Bo
/// hands Ada the copy he worked on offline before the sealing (a note in it that Mei never
/// had). Ada's merge seals his note — to the case key Mei made. Mei takes the part out with
/// `sqlite3` and reads it with `age -d` and her own key.
#[test]
fn after_a_forged_summary_a_merge_never_seals_content_to_the_forgers_key() {
    if !common::have("age") || !common::have("sqlite3") || !common::have("age-keygen") {
        return;
    }
    let Some(c) = Committee::new(&["Bo", "Mei"]) else {
        return;
    };
    let (ada, bo, mei) = (c.laptop("Ada"), c.laptop("Bo"), c.laptop("Mei"));
    let code = canary_case(ada, &c.file);
    // Bo's laptop copy, from before the sealing; he adds a note there, offline.
    let bo_copy = c.dir.join("bo-offline.cases.age");
    fs::copy(&c.file, &bo_copy).unwrap();
    bo.ok(&[&"note", &"add", &bo_copy, &code, &"--text", &"hqwoffline"]);
    mei.ok(&[&"conflict", &c.file, &code, &"--hard"]);
    let (case_key, public) = age_keygen(&c.dir);
    let forged = forged_summary(&c, &code, &public);
    tamper(
        c.key("Mei"),
        &c.file,
        &c.recipients(),
        &format!(
            "UPDATE cases SET state = '{}' WHERE code_name = '{code}'",
            forged.replace('\'', "''")
        ),
    );
    // Ada merges Bo's copy (by hand here; a save that finds the file changed does the same).
    let _ = ada.run(&[&"merge", &c.file, &bo_copy]);
    let leaked: Vec<String> = parts_opened_by(c.key("Mei"), &c.file, &case_key, &c.dir)
        .into_iter()
        .filter(|p| p.contains("hqwoffline"))
        .collect();
    assert!(
        leaked.is_empty(),
        "Mei opens a sealed part with the key she made, holding Bo's note: {leaked:?}"
    );
}

/// Found in review (critical, integrity and availability), now a regression test: the member a report is about seals it from
/// the whole committee. Ada names Mei as the reported party (casebook only proposes sealing
/// it from her); before anyone does, Mei runs `casebook case seal FILE CODE --from Ada --from
/// Bo`. `process::exclude` lets any reader of an unsealed case keep out every other member
/// (only "someone must be left"), the backup is replaced, nothing needs attention, and the
/// committee has lost the report about Mei: only her key opens it, and only a reader (Mei)
/// can change who may.
#[test]
fn the_reported_member_cannot_seal_the_report_from_everyone_else() {
    let Some(c) = Committee::new(&["Bo", "Mei"]) else {
        return;
    };
    let (ada, bo, mei) = (c.laptop("Ada"), c.laptop("Bo"), c.laptop("Mei"));
    let code = canary_case(ada, &c.file);
    ada.ok(&[
        &"party",
        &"add",
        &c.file,
        &code,
        &"--role",
        &"reported",
        &"--name",
        &"Mei",
    ]);
    let _ = mei.run(&[
        &"case", &"seal", &c.file, &code, &"--from", &"Ada", &"--from", &"Bo", &"--why", &"request",
    ]);
    for (name, laptop) in [("Ada", ada), ("Bo", bo)] {
        let shown = laptop.ok(&[&"case", &"show", &c.file, &code]);
        assert!(
            shown.contains(NOTE) && shown.contains(TITLE),
            "{name} lost the report about Mei (Mei sealed it from the committee):\n{shown}"
        );
    }
}

/// HELD (regression): what the excluded member can make casebook print about a sealed case —
/// `info`, `log --json`, `case list --json`, `case show --json`, `search`, `attachment list`,
/// `attention`, a transparency report — holds none of its content.
#[test]
fn nothing_the_excluded_member_prints_holds_the_sealed_content() {
    let Some(c) = Committee::new(&["Bo", "Mei"]) else {
        return;
    };
    let (ada, mei) = (c.laptop("Ada"), c.laptop("Mei"));
    let code = canary_case(ada, &c.file);
    ada.ok(&[
        &"party",
        &"add",
        &c.file,
        &code,
        &"--role",
        &"reporter",
        &"--name",
        &"Wqyparty Tqzsurname",
        &"--email",
        &"xqhreporter@example.org",
    ]);
    ada.ok(&[
        &"party",
        &"add",
        &c.file,
        &code,
        &"--role",
        &"reported",
        &"--name",
        &"Mei",
    ]);
    ada.ok(&[&"note", &"add", &c.file, &code, &"--text", &"kqzafter"]);
    let report = c.dir.join("report.md");
    let outputs = [
        mei.run(&[&"info", &c.file]),
        mei.run(&[&"log", &c.file, &"--json"]),
        mei.run(&[&"log", &c.file]),
        mei.run(&[&"case", &"list", &c.file, &"--json"]),
        mei.run(&[&"case", &"show", &c.file, &code, &"--json"]),
        mei.run(&[&"search", &c.file, &"kqz"]),
        mei.run(&[&"search", &c.file, &"tqzsurname"]),
        mei.run(&[&"attachment", &"list", &c.file, &code]),
        mei.run(&[&"attention", &c.file]),
        mei.run(&[
            &"report",
            &c.file,
            &"--from",
            &"2000-01-01",
            &"--to",
            &"2999-12-31",
            &"-o",
            &report,
        ]),
    ];
    let mut text = String::new();
    for out in &outputs {
        text.push_str(&String::from_utf8_lossy(&out.stdout));
        text.push_str(&String::from_utf8_lossy(&out.stderr));
    }
    if let Ok(r) = fs::read_to_string(&report) {
        text.push_str(&r);
    }
    // The search commands echo their own query; take those lines out.
    let text: String = text
        .lines()
        .filter(|l| !l.starts_with("nothing found for"))
        .collect::<Vec<_>>()
        .join("\n")
        .to_lowercase();
    for canary in [
        TITLE,
        SUMMARY,
        NOTE,
        "kqzafter",
        "wqyparty",
        "tqzsurname",
        "xqhreporter",
    ] {
        assert!(!text.contains(canary), "{canary} printed to Mei:\n{text}");
    }
}

/// The member a case is sealed from rewrites its stored summary on their own laptop with
/// `sqlite3` (the status "closed", as if the committee had finished) and re-encrypts the file
/// with `age`. The summary a copy it is sealed from shows is the newest one a reader signed
/// in the history: the rewrite is named at the next open and repaired from it, on that laptop
/// and on a fresh one, and the file stays usable. Two of Mei's laptops show the same status.
#[test]
fn a_rewritten_summary_is_repaired_from_the_one_a_reader_signed() {
    if !common::have("age") || !common::have("sqlite3") {
        return;
    }
    let Some(c) = Committee::new(&["Bo", "Mei"]) else {
        return;
    };
    let (ada, bo, mei) = (c.laptop("Ada"), c.laptop("Bo"), c.laptop("Mei"));
    let code = canary_case(ada, &c.file);
    ada.ok(&[
        &"party",
        &"add",
        &c.file,
        &code,
        &"--role",
        &"reported",
        &"--name",
        &"Mei",
    ]);
    ada.ok(&[&"status", &c.file, &code, &"triage"]);
    bo.ok(&[&"status", &c.file, &code, &"investigating"]);
    let shown = mei.ok(&[&"case", &"show", &c.file, &code]);
    assert!(shown.contains("status     investigating"), "{shown}");
    tamper(
        c.key("Mei"),
        &c.file,
        &c.recipients(),
        &format!(
            "UPDATE cases SET status = 'closed', state = json_set(state, '$.status', 'closed') \
             WHERE code_name = '{code}'"
        ),
    );
    let stored = common::query_decrypted(
        c.key("Mei"),
        &c.file,
        &format!("SELECT status FROM cases WHERE code_name = '{code}'"),
    );
    assert_eq!(stored.trim(), "closed");
    let fresh = common::Laptop::with_key(c.key("Mei"));
    for laptop in [mei, &fresh] {
        let out = laptop.run(&[&"case", &"show", &c.file, &code]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{stderr}");
        assert!(
            stderr.contains(&format!("the summary of case {code}")),
            "the rewrite is not named: {stderr}"
        );
        assert!(stdout.contains("status     investigating"), "{stdout}");
    }
    // The readers never took the stored summary's word.
    let shown = bo.ok(&[&"case", &"show", &c.file, &code]);
    assert!(
        shown.contains("investigating") && shown.contains(TITLE),
        "{shown}"
    );
    // Mei's next save writes the summary back as the readers signed it.
    mei.ok(&[&"case", &"new", &c.file, &"--title", &"Another case"]);
    let stored = common::query_decrypted(
        c.key("Mei"),
        &c.file,
        &format!("SELECT status FROM cases WHERE code_name = '{code}'"),
    );
    assert_eq!(stored.trim(), "investigating");
}

/// Two readers change a sealed case at once on two copies (Ada moves it on, Bo adds a note a
/// moment later on his), each signing the summary of their own copy; Ada merges. Neither
/// signed summary is the merged case: the save after the merge signs it, so the copies it is
/// sealed from show the status the readers see, not the one of whichever copy sorts last.
#[test]
fn after_a_merge_the_copies_a_case_is_sealed_from_show_what_its_readers_see() {
    if !common::have("age") || !common::have("sqlite3") {
        return;
    }
    let Some(c) = Committee::new(&["Bo", "Mei"]) else {
        return;
    };
    let (ada, bo, mei) = (c.laptop("Ada"), c.laptop("Bo"), c.laptop("Mei"));
    let code = canary_case(ada, &c.file);
    ada.ok(&[
        &"party",
        &"add",
        &c.file,
        &code,
        &"--role",
        &"reported",
        &"--name",
        &"Mei",
    ]);
    ada.ok(&[&"status", &c.file, &code, &"triage"]);
    let bo_copy = c.copy("bo-copy.cases.age");
    ada.ok(&[&"status", &c.file, &code, &"investigating"]);
    std::thread::sleep(std::time::Duration::from_millis(20));
    bo.ok(&[&"note", &"add", &bo_copy, &code, &"--text", &"pqznote"]);
    ada.ok(&[&"merge", &c.file, &bo_copy]);
    let shown = ada.ok(&[&"case", &"show", &c.file, &code]);
    assert!(
        shown.contains("investigating") && shown.contains("pqznote"),
        "{shown}"
    );
    let log = ada.ok(&[&"log", &c.file]);
    assert!(
        log.contains("signed what copies a sealed case is kept from show of 1 case"),
        "{log}"
    );
    let fresh = common::Laptop::with_key(c.key("Mei"));
    for laptop in [mei, &fresh] {
        let out = laptop.run(&[&"case", &"show", &c.file, &code]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success());
        assert!(stdout.contains("status     investigating"), "{stdout}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("WARNING"), "{stderr}");
    }
}

/// The summaries a copy a case is sealed from shows, in two cases where a reader's own
/// derivation and that copy's differ in who reads the case: a member who keeps themselves out
/// (a hard conflict) still sees that they declared it, from the summary they signed as they
/// left; and a request to keep another member out, waiting for a second reader (which a
/// reader's summary leaves out and that copy cannot judge), raises no warning there.
#[test]
fn the_excluded_copys_summary_keeps_its_own_conflict_and_raises_no_false_alarm() {
    if !common::have("age") || !common::have("sqlite3") {
        return;
    }
    let Some(c) = Committee::new(&["Bo", "Mei", "Cy", "Dee"]) else {
        return;
    };
    let (ada, mei) = (c.laptop("Ada"), c.laptop("Mei"));
    let code = canary_case(ada, &c.file);
    // Sealed already (from Bo, the reported party): readers' commits sign its summary.
    ada.ok(&[
        &"party",
        &"add",
        &c.file,
        &code,
        &"--role",
        &"reported",
        &"--name",
        &"Bo",
    ]);
    ada.ok(&[&"status", &c.file, &code, &"triage"]);
    mei.ok(&[&"conflict", &c.file, &code, &"--hard"]);
    let fresh = common::Laptop::with_key(c.key("Mei"));
    for laptop in [mei, &fresh] {
        let out = laptop.run(&[&"case", &"show", &c.file, &code]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success());
        assert!(
            stdout.contains("(you declared a hard conflict)"),
            "{stdout}"
        );
        assert!(!stderr.contains("WARNING"), "{stderr}");
    }
    // A reader works on the case (its summary then holds Mei's conflict), and asks that Cy be
    // kept out too (it waits for a second reader). Mei's copies show the reader's summary, her
    // conflict in it, and no alarm; nor does Cy's copy, which judges the waiting request as
    // the readers' copies do (its reason is sealed to Cy too while it waits).
    ada.ok(&[&"note", &"add", &c.file, &code, &"--text", &"pqzlater"]);
    let out = ada.ok(&[
        &"case", &"seal", &c.file, &code, &"--from", &"Cy", &"--why", &"request",
    ]);
    assert!(out.contains("waits for a second member"), "{out}");
    for laptop in [mei, &fresh] {
        let out = laptop.run(&[&"case", &"show", &c.file, &code]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert!(!stderr.contains("WARNING"), "{stderr}");
        assert!(
            stdout.contains("(you declared a hard conflict)"),
            "{stdout}"
        );
        assert!(stdout.contains("status     triage"), "{stdout}");
    }
    let cy_fresh = common::Laptop::with_key(c.key("Cy"));
    for laptop in [c.laptop("Cy"), &cy_fresh] {
        let out = laptop.run(&[&"case", &"show", &c.file, &code]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert!(!stderr.contains("WARNING"), "{stderr}");
        assert!(!stdout.contains("not applied"), "{stdout}");
        // Cy still reads it (the request waits), in whatever order the readers are listed.
        let readable = stdout
            .lines()
            .find_map(|l| l.split_once("readable by ").map(|(_, r)| r.to_string()))
            .unwrap_or_default();
        for name in ["Ada", "Cy", "Dee"] {
            assert!(readable.contains(name), "{stdout}");
        }
    }
    // And after Mei saves, Ada's copy raises none either.
    mei.ok(&[&"case", &"new", &c.file, &"--title", &"Another case"]);
    let out = ada.run(&[&"case", &"show", &c.file, &code]);
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("WARNING"));
}

/// Bo opens, on his copy, a case under `name` (the random pick of two copies can meet: the
/// event is Bo's own, only its name chosen), and saves it as casebook would.
fn bo_opens_a_case_named(c: &Committee, copy: &Path, name: &str) {
    opens_a_case_named(c, "Bo", copy, name, uuid::Uuid::new_v4());
}

/// `who` opens, on `copy`, case `case` under `name`, signed by their own key (only the name
/// and id are chosen), and saves it as casebook would.
fn opens_a_case_named(c: &Committee, who: &str, copy: &Path, name: &str, case: uuid::Uuid) {
    use common::forge::{Forged, Forgery};
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
    let case = case.to_string();
    let payload = serde_json::json!({
        "kind": "case-opened",
        "code_name": name,
        "title": "Bo's own case",
        "summary": "",
        "channel": "other",
        "received_at": at,
        "salt": "00112233445566778899aabbccddeeff",
    })
    .to_string();
    let mut forgery = Forgery::open(c.key(who), copy);
    forgery.commit(
        who,
        c.key(who),
        &at,
        &[Forged {
            case: Some(&case),
            kind: "case-opened",
            payload,
        }],
    );
    let recipients: Vec<PathBuf> = ["ada", "bo", "mei"]
        .iter()
        .map(|n| c.dir.join(format!("{n}.pub")))
        .collect();
    forgery.seal(&recipients);
    // Their casebook derives its tables again (the forgery wrote events only).
    c.laptop(who)
        .ok(&[&"note", &"add", &copy, &name, &"--text", &"a note"]);
}

#[test]
fn a_sealed_case_named_like_a_renamed_one_never_stops_my_copy_opening() {
    if !common::have("age") || !common::have("sqlite3") || !common::have("ssh-keygen") {
        return;
    }
    let Some(c) = Committee::new(&["Bo", "Mei"]) else {
        return;
    };
    // Ada, by hand, opens a case named as a clash would rename it ("foo-" and the start of
    // its own id), seals it from Mei, then opens a second case under that very name.
    let first = uuid::Uuid::parse_str("abcd0000-0000-4000-8000-000000000001").unwrap();
    opens_a_case_named(&c, "Ada", &c.file, "foo-abcd", first);
    c.laptop("Ada").ok(&[
        &"party",
        &"add",
        &c.file,
        &"foo-abcd",
        &"--role",
        &"reported",
        &"--name",
        &"Mei",
    ]);
    opens_a_case_named(&c, "Ada", &c.file, "foo-abcd", uuid::Uuid::new_v4());
    // Mei's laptop, and a fresh one, open the file and list both cases under two names.
    for laptop in [c.laptop("Mei"), &Laptop::with_key(c.key("Mei"))] {
        let listed = laptop.ok(&[&"case", &"list", &c.file, &"--json"]);
        let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
        let names: Vec<&str> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["code_name"].as_str().unwrap())
            .collect();
        assert_eq!(names.len(), 2, "{listed}");
        assert_ne!(names[0], names[1], "{listed}");
    }
}

#[test]
fn a_code_name_shared_with_a_case_sealed_from_me_never_fails_my_merge() {
    if !common::have("age") || !common::have("sqlite3") || !common::have("ssh-keygen") {
        return;
    }
    // Whichever copy Mei merges first, the sealed case or Bo's is the one renamed.
    shared_code_name(false);
    shared_code_name(true);
}

fn shared_code_name(bo_first: bool) {
    let Some(c) = Committee::new(&["Bo", "Mei"]) else {
        return;
    };
    let (ada_copy, bo_copy, mei_copy) = (
        c.dir.join("ada.cases.age"),
        c.dir.join("bo.cases.age"),
        c.dir.join("mei.cases.age"),
    );
    for copy in [&ada_copy, &bo_copy, &mei_copy] {
        fs::copy(&c.file, copy).unwrap();
    }
    // Ada opens a case sealed from Mei; Bo, on his copy, opens one under the same name.
    let name = c
        .laptop("Ada")
        .ok(&[
            &"case",
            &"new",
            &ada_copy,
            &"--title",
            &TITLE,
            &"--exclude",
            &"Mei",
        ])
        .trim()
        .to_string();
    bo_opens_a_case_named(&c, &bo_copy, &name);
    // Mei merges both copies: both merges succeed, two cases, two names.
    let mei = c.laptop("Mei");
    let (first, second) = if bo_first {
        (&bo_copy, &ada_copy)
    } else {
        (&ada_copy, &bo_copy)
    };
    mei.ok(&[&"merge", &mei_copy, first]);
    let out = mei.run(&[&"merge", &mei_copy, second]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = mei.ok(&[&"case", &"list", &mei_copy, &"--json"]);
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let names: Vec<String> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code_name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names.len(), 2, "{listed}");
    assert_ne!(names[0], names[1], "{listed}");
    assert!(names.iter().all(|n| n.starts_with(&name)), "{names:?}");
    // Her copy opens again, on her laptop and a fresh one, without finding anything wrong.
    for laptop in [mei, &Laptop::with_key(c.key("Mei"))] {
        let out = laptop.run(&[&"case", &"list", &mei_copy]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert!(!stderr.contains("disagreed"), "{stderr}");
        assert!(!stderr.to_lowercase().contains("warning"), "{stderr}");
    }
    // Nothing of the sealed case reached her.
    let db = c.dir.join("mei-scan.db");
    common::age_decrypt(c.key("Mei"), &mei_copy, &db);
    let bytes = fs::read(&db).unwrap();
    assert!(!bytes.windows(TITLE.len()).any(|w| w == TITLE.as_bytes()));
    // A reader merging the same copies converges with her on one history.
    let ada = c.laptop("Ada");
    ada.ok(&[&"merge", &ada_copy, &bo_copy]);
    ada.ok(&[&"merge", &ada_copy, &mei_copy]);
    mei.ok(&[&"merge", &mei_copy, &ada_copy]);
    assert_eq!(
        ada.ok(&[&"log", &ada_copy, &"--head"]).lines().next(),
        mei.ok(&[&"log", &mei_copy, &"--head"]).lines().next()
    );
    // And on the same names: the reader's copy renamed the same case.
    let named = |laptop: &Laptop, file: &Path| {
        let listed = laptop.ok(&[&"case", &"list", &file, &"--json"]);
        let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
        let mut names: Vec<(String, String)> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["id"].as_str().unwrap_or_default().to_string(),
                    c["code_name"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        names.sort();
        names
    };
    assert_eq!(named(ada, &ada_copy), named(mei, &mei_copy));
}
