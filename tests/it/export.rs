//! Signed decision records: stock `ssh-keygen -Y verify` accepts casebook's signatures and
//! casebook accepts `ssh-keygen -Y sign`'s; tampering is caught; each audience's record leaves
//! out what that audience must not see.

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{fails, have, ok, run};

use common::{as_member as as_, demo_key as key};

/// A committee with one decided case full of canaries; returns (dir, file, code).
fn decided_case() -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("c.cases.age");
    ok(&run(&[&"demo", &"--save-as", &f]));
    let c = ok(&as_(
        "robin",
        &[
            &"case",
            &"new",
            &f,
            &"--title",
            &"Threats in review comments",
            &"--summary",
            &"Repeated hostile comments on three pull requests.",
        ],
    ))
    .trim()
    .to_string();
    let add = |args: &[&str]| {
        let mut all: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"party", &"add", &f, &c];
        for a in args {
            all.push(a);
        }
        ok(&as_("robin", &all));
    };
    add(&[
        "--role",
        "reporter",
        "--name",
        "CANARY-REPORTER-NAME",
        "--handle",
        "@canary-reporter-handle",
        "--email",
        "canary-reporter@example.org",
    ]);
    add(&[
        "--role",
        "witness",
        "--name",
        "CANARY-WITNESS-NAME",
        "--email",
        "canary-witness@example.org",
    ]);
    add(&[
        "--role",
        "reported",
        "--name",
        "Quinn Reported",
        "--email",
        "canary-reported-private@example.org",
    ]);
    for s in ["triage", "deliberating"] {
        ok(&as_("robin", &[&"status", &f, &c, &s]));
    }
    ok(&as_(
        "robin",
        &[
            &"note",
            &"add",
            &f,
            &c,
            &"--kind",
            &"deliberation",
            &"--text",
            &"CANARY-DELIBERATION we disagree about the reporter's account",
        ],
    ));
    for m in ["robin", "tomas", "mei"] {
        ok(&as_(
            m,
            &[&"vote", &f, &c, &"--outcome", &"warning", &"--for"],
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
            &"Clear breach of the standards; a first occurrence.",
        ],
    ));
    ok(&as_(
        "robin",
        &[
            &"comms",
            &"log",
            &f,
            &c,
            &"--to",
            &"reported",
            &"--summary",
            &"Sent the warning",
        ],
    ));
    ok(&as_(
        "robin",
        &[
            &"comms",
            &"log",
            &f,
            &c,
            &"--to",
            &"reporter",
            &"--summary",
            &"Told the reporter the outcome",
        ],
    ));
    (dir, f, c)
}

fn export(f: &Path, c: &str, profile: &str, format: &str, out: &Path) {
    let stdout = ok(&as_(
        "robin",
        &[
            &"export",
            &"--without-text",
            &f,
            &c,
            &"--for",
            &profile,
            &"--format",
            &format,
            &"-o",
            &out,
        ],
    ));
    assert!(stdout.contains("ssh-keygen -Y verify"), "{stdout}");
}

fn ssh_verify(allowed: &Path, principal: &str, record: &Path, sig: &Path) -> bool {
    Command::new("ssh-keygen")
        .args(["-Y", "verify", "-f"])
        .arg(allowed)
        .args(["-I", principal, "-n", "casebook", "-s"])
        .arg(sig)
        .stdin(fs::File::open(record).unwrap())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success()
}

#[test]
fn ssh_keygen_verifies_every_profile_and_format_and_we_verify_ssh_keygen() {
    if !have("ssh-keygen") {
        return;
    }
    let (dir, f, c) = decided_case();
    let allowed = dir.path().join("allowed_signers");
    fs::write(
        &allowed,
        ok(&as_(
            "robin",
            &[&"member", &"list", &f, &"--allowed-signers"],
        )),
    )
    .unwrap();
    for profile in ["internal", "reported", "reporter", "public"] {
        for format in ["md", "json"] {
            let out = dir.path().join(format!("{profile}.{format}"));
            export(&f, &c, profile, format, &out);
            let sig = PathBuf::from(format!("{}.sig", out.display()));
            assert!(
                ssh_verify(&allowed, "robin@committee.example.org", &out, &sig),
                "{profile} {format}"
            );
            assert!(
                !ssh_verify(&allowed, "sam@committee.example.org", &out, &sig),
                "bound to the signer"
            );
            ok(&run(&[&"verify", &out, &"--allowed-signers", &allowed]));
        }
    }
    // The other way round: a signature made by ssh-keygen is checked by casebook. ssh-keygen
    // writes FILE.sig, so casebook's own signature is moved aside first.
    for record in ["internal.md", "reported.json"] {
        let record = dir.path().join(record);
        let ours = PathBuf::from(format!("{}.sig", record.display()));
        let robin = dir.path().join("robin.sig");
        fs::rename(&ours, &robin).unwrap();
        let status = Command::new("ssh-keygen")
            .args(["-Y", "sign", "-n", "casebook", "-f"])
            .arg(common::demo_key_copy("mei", dir.path()))
            .arg(&record)
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
        let stdout = ok(&as_(
            "robin",
            &[&"verify", &record, &f, &"--sig", &ours, &"--sig", &robin],
        ));
        assert!(stdout.contains("valid, signed by Mei Chen"), "{stdout}");
        assert!(stdout.contains("valid, signed by Robin Okafor"), "{stdout}");
        fs::remove_file(&robin).unwrap();
    }
}

#[test]
fn tampering_other_namespaces_and_removed_signers_are_caught() {
    if !have("ssh-keygen") {
        return;
    }
    let (dir, f, c) = decided_case();
    let record = dir.path().join("r.md");
    export(&f, &c, "reported", "md", &record);
    let original = fs::read_to_string(&record).unwrap();
    let check = |text: &str| -> (Option<i32>, String) {
        fs::write(&record, text).unwrap();
        let out = as_("robin", &[&"verify", &record, &f]);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    assert_eq!(check(&original).0, Some(0));
    let one_byte = original.replacen("warning", "warninG", 1);
    let whitespace = original.replacen("\n\n", "\n \n", 1);
    let crlf = original.replace('\n', "\r\n");
    let replayed = original.replace(&c, "amber-kettle");
    for (what, text) in [
        ("one byte", one_byte),
        ("whitespace", whitespace),
        ("CRLF", crlf),
        ("another code name", replayed),
    ] {
        let (code, stdout) = check(&text);
        assert_eq!(code, Some(4), "{what}: {stdout}");
        assert!(
            stdout.contains("INVALID: the signature does not match these bytes"),
            "{what}: {stdout}"
        );
    }
    fs::write(&record, &original).unwrap();

    // A signature for another namespace (ssh-keygen writes r.md.sig: move ours aside).
    let ours = dir.path().join("r.md.sig");
    let robin = dir.path().join("robin.sig");
    fs::rename(&ours, &robin).unwrap();
    let status = Command::new("ssh-keygen")
        .args(["-Y", "sign", "-n", "file", "-f"])
        .arg(common::demo_key_copy("sam", dir.path()))
        .arg(&record)
        .stderr(Stdio::null())
        .status();
    assert!(status.unwrap().success());
    let out = as_("robin", &[&"verify", &record, &f, &"--sig", &ours]);
    assert_eq!(out.status.code(), Some(4));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("signed for namespace \"file\", not \"casebook\""),
        "{stdout}"
    );
    fs::rename(&robin, &ours).unwrap();

    // A co-signature by a member who is then removed keeps verifying: the key was theirs when
    // the record was made, and the verdict says when they left.
    ok(&as_("sam", &[&"sign", &f, &record]));
    ok(&as_("robin", &[&"verify", &record, &f]));
    ok(&as_("robin", &[&"member", &"remove", &f, &"Sam Lindqvist"]));
    let stdout = ok(&as_("robin", &[&"verify", &record, &f]));
    assert!(stdout.contains("valid, signed by Robin Okafor"), "{stdout}");
    assert!(
        stdout.contains("valid, signed by Sam Lindqvist")
            && stdout.contains("who left the committee on"),
        "{stdout}"
    );
    // Judged at a moment after he left, the same signature no longer speaks for the committee.
    let out = as_(
        "robin",
        &[&"verify", &record, &f, &"--at", &"2999-01-01T00:00:00Z"],
    );
    assert_eq!(out.status.code(), Some(3));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("valid, but by Sam Lindqvist's key")
            && stdout.contains("removed with them on"),
        "{stdout}"
    );
}

#[test]
fn each_audience_sees_only_what_it_may() {
    let (dir, f, c) = decided_case();
    let reporter_identity = [
        "CANARY-REPORTER-NAME",
        "canary-reporter-handle",
        "canary-reporter@example.org",
    ];
    let witness = ["CANARY-WITNESS-NAME", "canary-witness@example.org"];
    let deliberation = "CANARY-DELIBERATION";
    let reported_private = "canary-reported-private@example.org";
    for format in ["md", "json"] {
        let read = |profile: &str| {
            let out = dir.path().join(format!("{profile}.{format}"));
            export(&f, &c, profile, format, &out);
            fs::read_to_string(out).unwrap()
        };
        let internal = read("internal");
        for canary in reporter_identity
            .iter()
            .chain(&witness)
            .chain([&deliberation, &reported_private])
        {
            assert!(internal.contains(canary), "internal lacks {canary}");
        }
        let reported = read("reported");
        for canary in reporter_identity
            .iter()
            .chain(&witness)
            .chain([&deliberation])
        {
            assert!(
                !reported.contains(canary),
                "reported {format} leaks {canary}"
            );
        }
        // Nobody wrote text for the reported person yet: a neutral title, nothing the report
        // or the committee's deliberation said.
        for internal_only in [
            "Threats in review comments",
            "Repeated hostile comments",
            "Clear breach of the standards",
        ] {
            assert!(
                !reported.contains(internal_only),
                "reported {format} shows {internal_only}"
            );
        }
        assert!(
            reported.contains(&format!("Decision record for {c}")) && reported.contains("appeal"),
            "{reported}"
        );
        assert!(
            reported.contains("Sent the warning") && !reported.contains("Told the reporter"),
            "{reported}"
        );
        let reporter = read("reporter");
        for canary in witness
            .iter()
            .chain([&deliberation, &reported_private, &"Quinn Reported"])
        {
            assert!(
                !reporter.contains(canary),
                "reporter {format} leaks {canary}"
            );
        }
        assert!(
            reporter.contains("warning") && reporter.contains("Told the reporter the outcome"),
            "{reporter}"
        );
        for internal_only in ["Threats in review comments", "Repeated hostile comments"] {
            assert!(
                !reporter.contains(internal_only),
                "reporter {format} shows {internal_only}"
            );
        }
        let public = read("public");
        for canary in reporter_identity.iter().chain(&witness).chain([
            &deliberation,
            &reported_private,
            &"Threats in review comments",
            &"Quinn",
        ]) {
            assert!(!public.contains(canary), "public {format} leaks {canary}");
        }
        assert!(
            public.contains(&c) && public.contains("warning"),
            "{public}"
        );
    }
    // What a member writes for an audience is what that audience's record says.
    ok(&as_(
        "robin",
        &[
            &"record-text",
            &f,
            &c,
            &"--for",
            &"reported",
            &"--title",
            &"Your comments on pull requests",
            &"--summary",
            &"Several of your review comments were hostile; this is a warning.",
        ],
    ));
    let out = dir.path().join("reported-written.md");
    export(&f, &c, "reported", "md", &out);
    let text = fs::read_to_string(&out).unwrap();
    assert!(
        text.contains("## Your comments on pull requests")
            && text.contains("Several of your review comments were hostile")
            && text.contains("Written for this record by Robin Okafor on"),
        "{text}"
    );
    let internal = dir.path().join("internal-after.md");
    export(&f, &c, "internal", "md", &internal);
    let internal = fs::read_to_string(&internal).unwrap();
    assert!(
        internal.contains("The reported record says (written by Robin Okafor"),
        "{internal}"
    );
    // The committee's own record has no per-audience text.
    fails(&as_(
        "robin",
        &[
            &"record-text",
            &f,
            &c,
            &"--for",
            &"internal",
            &"--title",
            &"x",
        ],
    ));
    // Cases the committee marked as not anonymisable never get a public record.
    ok(&as_(
        "robin",
        &[&"case", &"edit", &f, &c, &"--anonymisable", &"no"],
    ));
    let out = dir.path().join("refused.md");
    let stderr = fails(&as_(
        "robin",
        &[
            &"export",
            &f,
            &c,
            &"--for",
            &"public",
            &"--without-text",
            &"-o",
            &out,
        ],
    ));
    assert!(stderr.contains("is marked as not anonymisable"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn encrypted_exports_and_reports_leave_no_plaintext_and_still_verify() {
    if !have("age") || !have("ssh-keygen") {
        return;
    }
    let (dir, f, c) = decided_case();
    let recipient = fs::read_to_string(key("sam").with_extension("pub")).unwrap();
    let out = dir.path().join("for-sam.md");
    let stdout = ok(&as_(
        "robin",
        &[
            &"export",
            &f,
            &c,
            &"--for",
            &"internal",
            &"-o",
            &out,
            &"--encrypt-to",
            &recipient.trim(),
        ],
    ));
    assert!(stdout.contains("wrote"), "{stdout}");
    // The encrypted files are named for what they are; the plaintext names stay free for
    // the recipient, and the printed commands decrypt first, then verify the plaintext.
    assert!(!out.exists() && !dir.path().join("for-sam.md.sig").exists());
    let sig = dir.path().join("for-sam.md.sig.age");
    let out = dir.path().join("for-sam.md.age");
    assert!(
        stdout.contains(&format!(
            "age -d -i YOUR_IDENTITY -o {} {}",
            dir.path().join("for-sam.md").display(),
            out.display()
        )) && stdout.contains(&format!(
            "-s {}.sig < {}",
            dir.path().join("for-sam.md").display(),
            dir.path().join("for-sam.md").display()
        )),
        "{stdout}"
    );
    for path in [&out, &sig] {
        assert!(
            fs::read(path)
                .unwrap()
                .starts_with(b"age-encryption.org/v1\n"),
            "{} is encrypted",
            path.display()
        );
    }
    let plain = dir.path().join("plain.md");
    let plain_sig = dir.path().join("plain.md.sig");
    common::age_decrypt(&key("sam"), &out, &plain);
    common::age_decrypt(&key("sam"), &sig, &plain_sig);
    assert!(
        fs::read_to_string(&plain)
            .unwrap()
            .contains("CANARY-DELIBERATION")
    );
    let allowed = dir.path().join("allowed_signers");
    fs::write(
        &allowed,
        ok(&as_(
            "robin",
            &[&"member", &"list", &f, &"--allowed-signers"],
        )),
    )
    .unwrap();
    assert!(ssh_verify(
        &allowed,
        "robin@committee.example.org",
        &plain,
        &plain_sig
    ));

    // A transparency report counts without describing; a case that cannot be anonymised
    // appears without its venue.
    ok(&as_(
        "robin",
        &[
            &"case",
            &"edit",
            &f,
            &c,
            &"--venue",
            &"CANARY-VENUE private repo",
            &"--anonymisable",
            &"no",
        ],
    ));
    let report = dir.path().join("report.json");
    ok(&as_(
        "robin",
        &[
            &"report",
            &f,
            &"--from",
            &"2026-01-01",
            &"--to",
            &"2026-12-31",
            &"--format",
            &"json",
            &"--min-cell",
            &"1",
            &"-o",
            &report,
        ],
    ));
    let text = fs::read_to_string(&report).unwrap();
    for canary in ["CANARY", "Threats in review comments", "Quinn"] {
        assert!(
            !text.contains(canary),
            "the report describes a case: {canary}"
        );
    }
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(
        value["current"]["by_venue"]["not disclosed"]
            .as_u64()
            .unwrap()
            >= 1,
        "{text}"
    );
    assert!(ssh_verify(
        &allowed,
        "robin@committee.example.org",
        &report,
        &dir.path().join("report.json.sig")
    ));
}
