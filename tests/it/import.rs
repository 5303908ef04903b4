//! `casebook import`: emails, form exports and JSON become cases; hostile and broken inputs
//! get a clear message and change nothing.

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{age_decrypt, fails, have, ok, run, sqlite};
use sha2::Digest;

fn robin() -> PathBuf {
    common::demo_key("robin")
}

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/samples")
        .join(name)
}

fn committee(dir: &Path) -> PathBuf {
    let file = dir.join("committee.cases.age");
    ok(&run(&[&"demo", &"--save-as", &file]));
    file
}

/// How many cases the file holds.
fn demo_cases(k: &Path, f: &Path) -> usize {
    let listed = ok(&run(&[&"-i", &k, &"case", &"list", &f, &"--json"]));
    let cases: serde_json::Value = serde_json::from_str(&listed).unwrap();
    cases.as_array().unwrap().len()
}

#[test]
fn the_sample_reports_become_cases_with_reporters_and_attachments() {
    let dir = tempfile::tempdir().unwrap();
    let f = committee(dir.path());
    let k = robin();
    // The form's headers are recognised without --map, and the import says where each
    // column went.
    let out = ok(&run(&[
        &"-i",
        &k,
        &"import",
        &f,
        &sample("report.eml"),
        &sample("form-export.csv"),
        &sample("reports.json"),
    ]));
    assert!(out.contains("\"Where did it happen?\" -> venue"), "{out}");
    assert!(out.contains("\"When did it happen?\" -> incident"), "{out}");
    assert!(out.contains("\"What happened?\" -> body"), "{out}");
    let lines: Vec<&str> = out
        .lines()
        .filter(|l| !l.starts_with("columns of") && !l.starts_with("  "))
        .collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(
        lines[0].contains("Comments on my pull request") && lines[0].ends_with("(1 attachment)"),
        "{out}"
    );

    let code = lines[0].split_whitespace().next().unwrap();
    let shown = ok(&run(&[&"-i", &k, &"case", &"show", &f, &code]));
    assert!(shown.contains("status     new"), "{shown}");
    assert!(shown.contains("reporter  Jordan Example"), "{shown}");
    assert!(shown.contains("report received from Jordan Example <jordan@example.org>: Comments on my pull request (1 attachment)"), "{shown}");
    assert!(shown.contains("go back to tutorials"), "{shown}");

    let anonymous = lines[2].split_whitespace().next().unwrap();
    let shown = ok(&run(&[&"-i", &k, &"case", &"show", &f, &anonymous]));
    assert!(
        shown.contains("reporter  anonymous (no contact given)"),
        "an anonymous form gives no contact for anyone to hold: {shown}"
    );
    assert!(shown.contains("venue      Conference hallway"), "{shown}");
    assert!(shown.contains("incident   around 2026-10-28"), "{shown}");

    let json_case = lines[3].split_whitespace().next().unwrap();
    let shown = ok(&run(&[&"-i", &k, &"case", &"show", &f, &json_case]));
    assert!(shown.contains("channel chat"), "{shown}");

    // The same reports again: recognised, nothing new.
    let before = demo_cases(&k, &f);
    let again = ok(&run(&[
        &"-i",
        &k,
        &"import",
        &f,
        &sample("report.eml"),
        &sample("form-export.csv"),
        &sample("reports.json"),
    ]));
    assert_eq!(again.matches("already imported as").count(), 4, "{again}");
    assert!(
        again.contains(&format!("already imported as {code}")),
        "{again}"
    );
    assert!(again.contains("nothing new to import"), "{again}");
    assert_eq!(demo_cases(&k, &f), before, "no duplicate cases");

    // The email's attachment can be listed and saved, as it was received.
    let list = ok(&run(&[&"-i", &k, &"attachment", &"list", &f, &code]));
    assert!(list.contains("NAME") && list.lines().count() == 2, "{list}");
    let name = list
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_string();
    let saved = dir.path().join("saved-attachment");
    let out = run(&[
        &"-i",
        &k,
        &"attachment",
        &"save",
        &f,
        &code,
        &name,
        &"-o",
        &saved,
    ]);
    ok(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("plaintext"));
    assert_eq!(
        std::fs::read(&saved).unwrap(),
        b"(fictional sample) reviewer: have you even read the docs?"
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&saved).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // Never over an existing file.
    let out = run(&[
        &"-i",
        &k,
        &"attachment",
        &"save",
        &f,
        &code,
        &"1",
        &"-o",
        &saved,
    ]);
    assert!(!out.status.success());

    // The attachment is inside the encrypted file, by its SHA-256.
    if have("age") && have("sqlite3") {
        let plain = dir.path().join("plain.db");
        age_decrypt(&k, &f, &plain);
        let row = sqlite(&plain, "SELECT sha256, size FROM attachments");
        let expected =
            sha2::Sha256::digest(b"(fictional sample) reviewer: have you even read the docs?");
        let hex: String = expected.iter().map(|b| format!("{b:02x}")).collect();
        let expected_row = format!(
            "{hex}|{}",
            b"(fictional sample) reviewer: have you even read the docs?".len()
        );
        assert!(
            row.lines().any(|l| l == expected_row),
            "{row} lacks {expected_row}"
        );
    }
}

#[test]
fn hostile_text_is_stored_as_received_and_shown_defused() {
    let dir = tempfile::tempdir().unwrap();
    let f = committee(dir.path());
    let k = robin();
    let eml = dir.path().join("hostile.eml");
    fs::write(
        &eml,
        "From: Mallory <m@example.org>\r\nSubject: Totally normal \u{1b}]52;c;cm0gLXJmIH4=\u{7} subject\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nBody \u{1b}[2J\u{1b}[31mred\u{202e}gnp.exe\r\n",
    )
    .unwrap();
    let out = ok(&run(&[&"-i", &k, &"import", &f, &eml]));
    assert!(!out.contains('\u{1b}'), "{out:?}");
    let code = out.split_whitespace().next().unwrap();
    let shown = ok(&run(&[&"-i", &k, &"case", &"show", &f, &code]));
    assert!(
        !shown.contains('\u{1b}') && !shown.contains('\u{202e}') && !shown.contains('\u{7}'),
        "{shown:?}"
    );
    assert!(shown.contains("␛]52;c;cm0gLXJmIH4=␇"), "{shown}");
    assert!(
        shown.contains("Body ␛[2J␛[31mred<U+202E>gnp.exe"),
        "{shown}"
    );
    // Stored raw: the JSON export of the case carries the original characters.
    let json = ok(&run(&[&"-i", &k, &"case", &"show", &f, &code, &"--json"]));
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let body = value["timeline"][1]["kind"]["body"].as_str().unwrap();
    assert!(
        body.contains("\u{1b}[2J") && body.contains('\u{202e}'),
        "{body:?}"
    );
}

#[test]
fn broken_and_oversized_reports_import_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let f = committee(dir.path());
    let k = robin();
    let before = fs::read(&f).unwrap();

    let bad = dir.path().join("latin1.csv");
    fs::write(&bad, b"title,body\nCaf\xe9,text\n").unwrap();
    // A good file alongside a bad one: still nothing is imported.
    let stderr = fails(&run(&[
        &"-i",
        &k,
        &"import",
        &f,
        &sample("reports.json"),
        &bad,
    ]));
    assert!(
        stderr.contains("latin1.csv is not valid UTF-8 text"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was imported"), "{stderr}");
    assert_eq!(fs::read(&f).unwrap(), before);

    let huge = dir.path().join("huge.eml");
    let mut bytes = b"From: a@example.org\r\nSubject: big\r\n\r\n".to_vec();
    bytes.resize(50 << 20, b'a');
    fs::write(&huge, &bytes).unwrap();
    let stderr = fails(&run(&[&"-i", &k, &"import", &f, &huge]));
    assert!(
        stderr
            .contains("huge.eml is 52428800 bytes; casebook imports reports up to 33554432 bytes"),
        "{stderr}"
    );
    assert_eq!(fs::read(&f).unwrap(), before);

    let junk = dir.path().join("junk.json");
    fs::write(&junk, "{\"reports\": 1").unwrap();
    let stderr = fails(&run(&[&"-i", &k, &"import", &f, &junk]));
    assert!(
        stderr.contains("junk.json does not follow casebook's report schema"),
        "{stderr}"
    );

    let unknown = dir.path().join("notes.txt");
    fs::write(&unknown, "hello").unwrap();
    let stderr = fails(&run(&[&"-i", &k, &"import", &f, &unknown]));
    assert!(
        stderr.contains(
            "notes.txt has an unknown type; casebook imports .eml, .csv and .json reports"
        ),
        "{stderr}"
    );
    assert_eq!(fs::read(&f).unwrap(), before);
}

/// A report imported sealed from a member (the reporter asked) is recognised when it comes
/// again, as any other: its `report-received` event keeps its kind column, which the check
/// for repeats reads (the other events of a sealed case hide theirs).
#[test]
fn a_report_imported_sealed_is_recognised_when_imported_again() {
    let dir = tempfile::tempdir().unwrap();
    let f = committee(dir.path());
    let k = robin();
    let first = ok(&run(&[
        &"-i",
        &k,
        &"import",
        &f,
        &sample("report.eml"),
        &"--exclude",
        &"Mei Chen",
    ]));
    let before = demo_cases(&k, &f);
    let again = ok(&run(&[
        &"-i",
        &k,
        &"import",
        &f,
        &sample("report.eml"),
        &"--exclude",
        &"Mei Chen",
    ]));
    assert!(again.contains("already imported as"), "{first}\n{again}");
    assert_eq!(demo_cases(&k, &f), before, "{again}");
}
