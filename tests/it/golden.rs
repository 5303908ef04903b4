//! Golden files: one decision record per profile and one transparency report, exported from
//! the built-in demo by its chair. Ed25519 signatures are deterministic, so the signatures are
//! golden too. Regenerate after an intended change with
//! `CASEBOOK_REGENERATE_GOLDEN=1 cargo test --test it golden::`, and review the diff.

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{have, ok, run};

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

fn compare(produced: &Path, name: &str) {
    let bytes = fs::read(produced).unwrap();
    if std::env::var_os("CASEBOOK_REGENERATE_GOLDEN").is_some() {
        fs::write(golden(name), &bytes).unwrap();
        return;
    }
    let expected = fs::read(golden(name)).unwrap_or_default();
    assert!(
        bytes == expected,
        "{name} differs from tests/golden/{name}:\n{}",
        String::from_utf8_lossy(&bytes)
    );
}

#[test]
fn exports_of_the_demo_match_the_golden_files() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("demo.cases.age");
    ok(&run(&[&"demo", &"--save-as", &f]));
    let key = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo/identity");
    for (profile, format) in [
        ("internal", "md"),
        ("reported", "md"),
        ("reporter", "json"),
        ("public", "json"),
    ] {
        let name = format!("slate-orchard.{profile}.{format}");
        let out = dir.path().join(&name);
        ok(&run(&[
            &"-i",
            &key,
            &"export",
            &"--without-text",
            &f,
            &"slate-orchard",
            &"--for",
            &profile,
            &"--format",
            &format,
            &"-o",
            &out,
        ]));
        compare(&out, &name);
        compare(
            &dir.path().join(format!("{name}.sig")),
            &format!("{name}.sig"),
        );
    }
    for format in ["md", "csv"] {
        let name = format!("report-2026-h2.{format}");
        let out = dir.path().join(&name);
        ok(&run(&[
            &"-i",
            &key,
            &"report",
            &f,
            &"--from",
            &"2026-07-01",
            &"--to",
            &"2026-12-31",
            &"--format",
            &format,
            &"-o",
            &out,
        ]));
        compare(&out, &name);
    }
    // The golden signatures verify with stock OpenSSH.
    if have("ssh-keygen") {
        let allowed = dir.path().join("allowed_signers");
        fs::write(
            &allowed,
            ok(&run(&[
                &"-i",
                &key,
                &"member",
                &"list",
                &f,
                &"--allowed-signers",
            ])),
        )
        .unwrap();
        let record = golden("slate-orchard.internal.md");
        let status = std::process::Command::new("ssh-keygen")
            .args(["-Y", "verify", "-f"])
            .arg(&allowed)
            .args(["-I", "robin@committee.example.org", "-n", "casebook", "-s"])
            .arg(golden("slate-orchard.internal.md.sig"))
            .stdin(fs::File::open(record).unwrap())
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
    }
}
