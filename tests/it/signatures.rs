//! Signatures mean exactly what they say: principals in the allowed_signers file cannot be
//! injected or shared, printed commands are shell-quoted, `casebook verify` and
//! `ssh-keygen -Y verify` reach the same verdict on every combination of record, signature,
//! allowed_signers line, principal and verify time, a rotated or removed member's key keeps
//! verifying what it signed while it was theirs, a decided vote is never recounted, and
//! `casebook sign` signs only casebook's own records, once per key.

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{as_member as as_, demo_key, demo_key_copy, fails, have, ok, run};

/// The demo, and its decided case slate-orchard exported for the reported person (decided on
/// 2026-08-03, so keys are judged at 2026-08-03T00:00:00Z).
fn demo_record(dir: &Path) -> (PathBuf, PathBuf) {
    let f = dir.join("demo.cases.age");
    ok(&run(&[&"demo", &"--save-as", &f]));
    let record = dir.join("r.json");
    ok(&as_(
        "robin",
        &[
            &"export",
            &"--without-text",
            &f,
            &"slate-orchard",
            &"--for",
            &"reported",
            &"--format",
            &"json",
            &"-o",
            &record,
        ],
    ));
    (f, record)
}

fn allowed_signers(f: &Path, dir: &Path) -> PathBuf {
    let path = dir.join(format!(
        "allowed_signers.{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    fs::write(
        &path,
        ok(&as_(
            "robin",
            &[&"member", &"list", &f, &"--allowed-signers"],
        )),
    )
    .unwrap();
    path
}

/// `ssh-keygen -Y verify`, in UTC; `time` is an `-Overify-time` value.
fn ssh_verify(
    allowed: &Path,
    principal: &str,
    record: &Path,
    sig: &Path,
    time: Option<&str>,
) -> bool {
    let mut cmd = Command::new("ssh-keygen");
    cmd.env("TZ", "UTC")
        .args(["-Y", "verify", "-f"])
        .arg(allowed)
        .args(["-I", principal, "-n", "casebook", "-s"])
        .arg(sig);
    if let Some(t) = time {
        cmd.arg(format!("-Overify-time={t}"));
    }
    cmd.stdin(fs::File::open(record).unwrap())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success()
}

/// `ssh-keygen -Y sign -n NAMESPACE` with a demo member's key, to `out`.
fn ssh_sign(member: &str, namespace: &str, record: &Path, out: &Path, dir: &Path) {
    let copy = dir.join(format!(
        "copy-{}",
        out.file_name().unwrap().to_string_lossy()
    ));
    fs::copy(record, &copy).unwrap();
    let status = Command::new("ssh-keygen")
        .args(["-Y", "sign", "-n", namespace, "-f"])
        .arg(demo_key_copy(member, dir))
        .arg(&copy)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    fs::rename(format!("{}.sig", copy.display()), out).unwrap();
}

fn pubkey(member: &str) -> String {
    let path = demo_key(member).with_extension("pub");
    let text = fs::read_to_string(path).unwrap();
    text.split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn principals_cannot_be_injected_or_shared() {
    if !have("ssh-keygen") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (f, record) = demo_record(dir.path());
    // Each attack on the address a principal is made from is refused.
    let eve = common::member_key(dir.path(), "eve");
    let eve_pub = eve.with_extension("pub");
    for (n, email) in [
        "sam@committee.example.org",
        "SAM@committee.example.org",
        "*",
        "*@committee.example.org",
        "eve@x.org\nrobin@committee.example.org namespaces=\"casebook\" ssh-ed25519 AAAA",
        "eve@x.org\u{1b}]52;c;cGF5bG9hZA==\u{7}",
        "q@x;touch${IFS}/tmp/PWNED;#",
        "eve@x.org,robin@committee.example.org",
        "!robin@committee.example.org",
        "eve @x.org",
    ]
    .iter()
    .enumerate()
    {
        let name = format!("Eve {n}");
        let stderr = fails(&as_(
            "robin",
            &[
                &"member", &"add", &f, &"--name", &name, &"--email", email, &"--key", &eve_pub,
            ],
        ));
        assert!(
            stderr.contains("address") || stderr.contains("not a plain email"),
            "{email:?}: {stderr}"
        );
    }
    // Without an address, the principal is derived from the name and the member id: a name
    // made of wildcards, control characters and shell syntax cannot become one.
    ok(&as_(
        "robin",
        &[
            &"member",
            &"add",
            &f,
            &"--name",
            &"* $(touch PWNED) \u{1b}[2J",
            &"--key",
            &eve_pub,
        ],
    ));
    let allowed = allowed_signers(&f, dir.path());
    let text = fs::read_to_string(&allowed).unwrap();
    let mut principals = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let principal = line.split(' ').next().unwrap();
        assert!(
            principal
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "@.-_+%".contains(c)),
            "{line:?}"
        );
        assert!(!line.chars().any(char::is_control), "{line:?}");
        principals.push(principal.to_string());
    }
    let eve_principal = principals
        .iter()
        .find(|p| !p.contains('@'))
        .expect("a derived principal")
        .clone();
    assert!(
        eve_principal.starts_with("touch-pwned-2j."),
        "{eve_principal}"
    );
    let mut unique = principals.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), principals.len(), "{text}");

    // Eve's signature verifies as Eve and as nobody else, with stock OpenSSH and casebook.
    let sig = dir.path().join("eve.sig");
    let copy = dir.path().join("eve-copy.json");
    fs::copy(&record, &copy).unwrap();
    let status = Command::new("ssh-keygen")
        .args(["-Y", "sign", "-n", "casebook", "-f"])
        .arg(&eve)
        .arg(&copy)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    fs::rename(format!("{}.sig", copy.display()), &sig).unwrap();
    for principal in &principals {
        let expected = *principal == eve_principal;
        assert_eq!(
            ssh_verify(&allowed, principal, &record, &sig, None),
            expected,
            "ssh-keygen, {principal}"
        );
        let out = run(&[
            &"verify",
            &record,
            &"--allowed-signers",
            &allowed,
            &"-I",
            principal,
            &"--sig",
            &sig,
        ]);
        assert_eq!(out.status.success(), expected, "casebook, {principal}");
    }
    for other in ["robin@committee.example.org", "*", "anyone"] {
        assert!(!ssh_verify(&allowed, other, &record, &sig, None), "{other}");
    }
}

#[test]
fn printed_commands_are_shell_quoted_and_run_as_printed() {
    if !have("ssh-keygen") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    fs::create_dir(&work).unwrap();
    let f = work.join("c;touch PWNED-FILE;'.cases.age");
    ok(&run(&[&"demo", &"--save-as", &f]));
    let name = "rec $(touch PWNED-SUB);`touch PWNED-TICK` 'q'.md";
    let out = work.join(name);
    let stdout = ok(&as_(
        "robin",
        &[
            &"export",
            &"--without-text",
            &f,
            &"slate-orchard",
            &"--for",
            &"reported",
            &"-o",
            &out,
        ],
    ));
    let commands: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("  "))
        .collect();
    assert_eq!(commands.len(), 2, "{stdout}");
    let bin = Path::new(env!("CARGO_BIN_EXE_casebook")).parent().unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let home = dir.path().join("home");
    fs::create_dir(&home).unwrap();
    let script = commands.join(" && ");
    let status = Command::new("sh")
        .arg("-c")
        .arg(&script)
        .current_dir(dir.path())
        .env("PATH", path)
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_STATE_HOME", home.join(".state"))
        .env("CASEBOOK_IDENTITY", demo_key("robin"))
        .status()
        .unwrap();
    assert!(status.success(), "{script}");
    for dir in [dir.path(), work.as_path()] {
        for entry in fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap().file_name();
            assert!(
                !entry.to_string_lossy().starts_with("PWNED"),
                "a pasted command ran {entry:?}: {script}"
            );
        }
    }
}

#[test]
fn verify_agrees_with_ssh_keygen_on_every_combination() {
    if !have("ssh-keygen") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (f, record) = demo_record(dir.path());
    let (robin, sam) = (pubkey("robin"), pubkey("sam"));
    let d = dir.path();
    let mut sigs = vec![PathBuf::from(format!("{}.sig", record.display()))];
    for (member, namespace) in [
        ("sam", "casebook"),
        ("sam", "file"),
        ("robin", "casebook-test"),
    ] {
        let out = d.join(format!("{member}-{namespace}.sig"));
        ssh_sign(member, namespace, &record, &out, d);
        sigs.push(out);
    }
    let garbage = d.join("garbage.sig");
    fs::write(&garbage, "not a signature\n").unwrap();
    let unreadable = d.join("a-directory.sig");
    fs::create_dir(&unreadable).unwrap();
    sigs.extend([garbage, unreadable, d.join("missing.sig")]);

    let mut files = vec![allowed_signers(&f, d)];
    let variants = [
        format!("robin@x {robin}\nsam@x {sam}"),
        format!("robin@x namespaces=\"casebook-test\" {robin}"),
        format!("robin@x namespaces=\"case*\" {robin}"),
        format!("robin@x namespaces=\"*,!casebook\" {robin}"),
        format!("robin@x namespaces=\"file,casebook\" {robin}"),
        format!("robin@x NAMESPACES=\"casebook\" {robin}"),
        format!("robin@x valid-before=\"20260101Z\" {robin}"),
        format!("robin@x valid-before=\"20260803000000Z\" {robin}"),
        format!("robin@x valid-before=\"20260802235959Z\" {robin}"),
        format!("robin@x valid-after=\"20300101\" {robin}"),
        format!("robin@x valid-after=\"20260803\",valid-before=\"20260804\" {robin}"),
        format!("robin@x namespaces=\"casebook\",valid-after=\"202608030001Z\" {robin}"),
        format!("robin@x cert-authority {robin}"),
        format!("robin@x cert-authority,namespaces=\"casebook\" {robin}"),
        format!("* {robin}"),
        format!("*,!sam@x {robin}\nsam@x {sam}"),
        format!("r?bin@x {robin}"),
        format!("robin@x bogus=\"1\" {robin}"),
        format!("robin@x\nrobin@x {robin}"),
        format!("sam@x bogus\nrobin@x {robin}"),
        format!("robin@x valid-before=\"yesterday\" {robin}"),
        format!("sam@x {robin}"),
        format!("robin@x\t{robin} a comment"),
        format!("# robin@x {robin}\n\n  robin@x   {sam}"),
        format!("robin@x,sam@x namespaces=\"casebook\" {robin}\nsam@x {sam}"),
    ];
    for (n, text) in variants.iter().enumerate() {
        let path = d.join(format!("variant-{n}"));
        fs::write(&path, format!("{text}\n")).unwrap();
        files.push(path);
    }
    let principals = [
        "robin@x",
        "sam@x",
        "nobody@x",
        "robin@committee.example.org",
        "sam@committee.example.org",
    ];
    let times = [
        ("2026-08-03T00:00:00Z", "20260803000000Z"),
        ("2031-01-01T00:00:00Z", "20310101000000Z"),
    ];
    let mut checked = 0;
    for file in &files {
        for sig in &sigs {
            for principal in principals {
                for (ours, theirs) in times {
                    let expected = ssh_verify(file, principal, &record, sig, Some(theirs));
                    let out = common::casebook()
                        .env("TZ", "UTC")
                        .args(["verify"])
                        .arg(&record)
                        .arg("--allowed-signers")
                        .arg(file)
                        .args(["-I", principal, "--at", ours, "--sig"])
                        .arg(sig)
                        .output()
                        .unwrap();
                    let stdout = String::from_utf8_lossy(&out.stdout);
                    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
                    assert_eq!(
                        out.status.success(),
                        expected,
                        "casebook and ssh-keygen disagree: {} {} -I {principal} at {ours}\n{}\n{stdout}",
                        file.display(),
                        sig.display(),
                        fs::read_to_string(file).unwrap()
                    );
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(
        checked,
        files.len() * sigs.len() * principals.len() * times.len()
    );

    // Without --at, a record is judged at the moment it states, as the printed command does.
    let before = d.join("variant-8");
    let printed_time = "20260803000000Z";
    let sig = &sigs[0];
    assert!(ssh_verify(
        &d.join("variant-7"),
        "robin@x",
        &record,
        sig,
        Some(printed_time)
    ));
    assert!(!ssh_verify(
        &before,
        "robin@x",
        &record,
        sig,
        Some(printed_time)
    ));
    ok(&run(&[
        &"verify",
        &record,
        &"--allowed-signers",
        &d.join("variant-7"),
        &"-I",
        &"robin@x",
    ]));
    assert_eq!(
        run(&[
            &"verify",
            &record,
            &"--allowed-signers",
            &before,
            &"-I",
            &"robin@x"
        ])
        .status
        .code(),
        Some(3)
    );
    // An unreadable signature is reported as unreadable, not as a malformed one.
    let out = as_("robin", &[&"verify", &record, &f, &"--sig", &sigs[5]]);
    assert_eq!(out.status.code(), Some(4));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("INVALID: cannot read it"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// The tally line `case show` prints.
fn tally_line(f: &Path, code: &str) -> String {
    let shown = ok(&as_("robin", &[&"case", &"show", &f, &code]));
    shown
        .lines()
        .find(|l| l.contains(" for, ") && l.contains("eligible"))
        .unwrap_or_else(|| panic!("no tally in {shown}"))
        .to_string()
}

#[test]
fn rotation_and_removal_keep_earlier_signatures_valid_and_tallies_frozen() {
    if !have("ssh-keygen") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let f = d.join("c.cases.age");
    ok(&run(&[&"demo", &"--save-as", &f]));
    let c = ok(&as_("robin", &[&"case", &"new", &f, &"--title", &"A case"]))
        .trim()
        .to_string();
    for s in ["triage", "deliberating"] {
        ok(&as_("robin", &[&"status", &f, &c, &s]));
    }
    for (m, ballot) in [
        ("robin", "--for"),
        ("sam", "--for"),
        ("tomas", "--for"),
        ("mei", "--against"),
    ] {
        ok(&as_(
            m,
            &[&"vote", &f, &c, &"--outcome", &"warning", &ballot],
        ));
    }
    ok(&as_(
        "robin",
        &[
            &"decide",
            &f,
            &c,
            &"--outcome",
            &"warning",
            &"--rationale",
            &"r",
        ],
    ));
    let decided = tally_line(&f, &c);
    assert!(
        decided.contains("3 for, 1 against, 0 abstain: 3 needed of 5 eligible"),
        "{decided}"
    );

    let record = d.join("r.md");
    ok(&as_(
        "robin",
        &[&"export", &f, &c, &"--for", &"internal", &"-o", &record],
    ));
    ok(&as_("sam", &[&"sign", &f, &record]));
    ok(&as_("mei", &[&"sign", &f, &record]));
    let before_rotation = allowed_signers(&f, d);

    // Sam rotates his key; Mei leaves the committee.
    let sam_new = common::member_key(d, "sam-new");
    let sam_old = demo_key_copy("sam", d);
    ok(&run(&[
        &"-i",
        &sam_old,
        &"member",
        &"rotate-key",
        &f,
        &"--new-identity",
        &sam_new,
    ]));
    ok(&as_("robin", &[&"member", &"remove", &f, &"Mei Chen"]));

    // The decided vote is as it was counted.
    assert_eq!(tally_line(&f, &c), decided);
    let shown = ok(&as_("robin", &[&"case", &"show", &f, &c]));
    assert!(
        shown.contains("Mei Chen") && shown.contains("against"),
        "{shown}"
    );

    // casebook verify, from the case file's history of keys.
    let stdout = ok(&as_("robin", &[&"verify", &record, &f]));
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert!(stdout.contains("valid, signed by Robin Okafor"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "valid, signed by Sam Lindqvist's previous key (rotated on {today})"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("who left the committee on {today}"))
            && stdout.contains("Mei Chen"),
        "{stdout}"
    );

    // The regenerated allowed_signers file keeps the retired keys, limited by valid-before,
    // and stock OpenSSH agrees at the record's moment.
    let after = allowed_signers(&f, d);
    let text = fs::read_to_string(&after).unwrap();
    let sam_old_pub = pubkey("sam");
    let old_line = text
        .lines()
        .find(|l| l.contains(&sam_old_pub))
        .unwrap_or_else(|| panic!("Sam's old key is gone:\n{text}"));
    assert!(
        old_line.starts_with("sam@committee.example.org namespaces=\"casebook\",valid-before=\""),
        "{old_line}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("mei@") && l.contains("valid-before=")),
        "{text}"
    );
    let record_time = format!("{}000000Z", today.replace('-', ""));
    for (principal, sig) in [
        ("robin@committee.example.org", "r.md.sig"),
        ("sam@committee.example.org", "r.md.sig.2"),
        ("mei@committee.example.org", "r.md.sig.3"),
    ] {
        let sig = d.join(sig);
        assert!(
            ssh_verify(&after, principal, &record, &sig, Some(&record_time)),
            "{principal}"
        );
        assert!(
            ssh_verify(&before_rotation, principal, &record, &sig, None),
            "{principal}"
        );
        ok(&run(&[
            &"verify",
            &record,
            &"--allowed-signers",
            &after,
            &"-I",
            &principal,
            &"--sig",
            &sig,
        ]));
    }
    // Judged now (after the rotation), the old key no longer speaks for Sam.
    assert!(!ssh_verify(
        &after,
        "sam@committee.example.org",
        &record,
        &d.join("r.md.sig.2"),
        Some("20990101000000Z")
    ));
    // A new record is signed with Sam's new key, which the same file admits.
    let second = d.join("second.md");
    ok(&as_(
        "robin",
        &[
            &"export",
            &f,
            &c,
            &"--for",
            &"reported",
            &"--without-text",
            &"-o",
            &second,
        ],
    ));
    ok(&run(&[&"-i", &sam_new, &"sign", &f, &second]));
    let after = allowed_signers(&f, d);
    assert!(ssh_verify(
        &after,
        "sam@committee.example.org",
        &second,
        &d.join("second.md.sig.2"),
        Some(&record_time)
    ));
    let stdout = ok(&as_("robin", &[&"verify", &second, &f]));
    assert!(
        stdout.contains("valid, signed by Sam Lindqvist (SHA256:"),
        "{stdout}"
    );
}

#[test]
fn sign_takes_only_casebook_records_once_per_key() {
    let dir = tempfile::tempdir().unwrap();
    let (f, record) = demo_record(dir.path());
    let text = dir.path().join("notes.txt");
    fs::write(&text, "I owe Sam 20 euros.\n").unwrap();
    let stderr = fails(&as_("sam", &[&"sign", &f, &text]));
    assert!(
        stderr.contains("is not a decision record or transparency report"),
        "{stderr}"
    );
    assert!(!dir.path().join("notes.txt.sig").exists());
    // A record with a forged schema line is not one either.
    let fake = dir.path().join("fake.json");
    fs::write(&fake, "{\"schema\": \"casebook-decision-record/2\"}\n").unwrap();
    fails(&as_("sam", &[&"sign", &f, &fake]));

    let stderr = fails(&as_("robin", &[&"sign", &f, &record]));
    assert!(stderr.contains("already signed with this key"), "{stderr}");
    ok(&as_("sam", &[&"sign", &f, &record]));
    let stderr = fails(&as_("sam", &[&"sign", &f, &record]));
    assert!(stderr.contains("already signed with this key"), "{stderr}");
    assert!(dir.path().join("r.json.sig.2").exists());
    assert!(!dir.path().join("r.json.sig.3").exists());
}

#[test]
fn a_record_is_co_signed_only_as_the_history_gives_it_at_the_commit_it_names() {
    let dir = tempfile::tempdir().unwrap();
    let (f, record) = demo_record(dir.path());
    let original = fs::read_to_string(&record).unwrap();
    assert!(original.contains("\"commit\""), "{original}");
    // Changed after it was exported: refused, with the difference named.
    let tampered = dir.path().join("tampered.json");
    fs::write(
        &tampered,
        original.replace("\"outcome\": \"", "\"outcome\": \"no-"),
    )
    .unwrap();
    let stderr = fails(&as_("sam", &[&"sign", &f, &tampered]));
    assert!(
        stderr.contains("is not what") && stderr.contains("where the history gives"),
        "{stderr}"
    );
    assert!(!dir.path().join("tampered.json.sig.2").exists());
    // A record naming a commit the history does not hold: never exported from it.
    let invented = dir.path().join("invented.json");
    let commit = original
        .lines()
        .find_map(|l| l.trim().strip_prefix("\"commit\": \""))
        .unwrap()
        .trim_end_matches("\",")
        .to_string();
    fs::write(&invented, original.replace(&commit, &"0".repeat(64))).unwrap();
    let stderr = fails(&as_("sam", &[&"sign", &f, &invented]));
    assert!(stderr.contains("holds no such commit"), "{stderr}");
    // Later changes to the case do not stop the record from being co-signed: it is derived
    // at its own commit.
    ok(&as_(
        "robin",
        &[
            &"note",
            &"add",
            &f,
            &"slate-orchard",
            &"--text",
            &"a later note",
        ],
    ));
    ok(&as_("sam", &[&"sign", &f, &record]));
}
