//! Long work shows how far along it is: on a terminal, a progress bar on standard error once a
//! stage has taken half a second; never on standard output, and nothing when standard error
//! is not a terminal. The terminal is a real pseudo-terminal (`script`).

use crate::common;

use std::path::Path;
use std::process::Command;

use common::Laptop;

/// A committee file with a few cases, and the laptop that made it.
fn file() -> (Laptop, std::path::PathBuf) {
    let laptop = Laptop::new();
    let key = laptop.home.path().join("ada.key");
    laptop.ok(&[&"keygen", &"-o", &key]);
    let laptop = Laptop {
        key: Some(key),
        ..laptop
    };
    let file = laptop.home.path().join("committee.cases.age");
    laptop.ok(&[&"init", &file, &"--name", &"Ada"]);
    for title in ["One", "Two", "Three"] {
        laptop.ok(&[&"case", &"new", &file, &"--title", &title]);
    }
    (laptop, file)
}

/// `casebook ARGS` on a pseudo-terminal, as a laptop that never opened the file (so that it
/// verifies every signature); everything the terminal showed.
fn on_terminal(laptop: &Laptop, file: &Path, after_ms: Option<u64>, args: &str) -> String {
    let key = laptop.key.as_ref().unwrap();
    let info = laptop.ok(&[&"info", &file]);
    let fingerprint = info
        .lines()
        .find_map(|l| l.strip_prefix("committee  "))
        .unwrap()
        .trim()
        .to_string();
    let fresh = tempfile::tempdir().unwrap();
    // ARGS name the file as {file}; otherwise it comes last.
    let args = if args.contains("{file}") {
        args.replace("{file}", &file.display().to_string())
    } else {
        format!("{args} {}", file.display())
    };
    let command = format!(
        "{} -i {} --committee {fingerprint} {args}",
        env!("CARGO_BIN_EXE_casebook"),
        key.display(),
    );
    let mut cmd = Command::new("script");
    cmd.args(["-q", "-e", "-c", &command, "/dev/null"])
        .env("HOME", laptop.home.path())
        .env("XDG_CONFIG_HOME", laptop.home.path().join("config"))
        .env("XDG_STATE_HOME", fresh.path())
        .env_remove("CASEBOOK_PROGRESS_AFTER_MS");
    if let Some(ms) = after_ms {
        cmd.env("CASEBOOK_PROGRESS_AFTER_MS", ms.to_string());
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_long_open_shows_its_progress_on_a_terminal_and_only_there() {
    if !common::have("script") {
        return;
    }
    let (laptop, file) = file();
    // A stage that runs longer than the threshold (zero here) shows its bar, then clears it.
    let shown = on_terminal(&laptop, &file, Some(0), "case list");
    assert!(shown.contains("checking signatures"), "{shown:?}");
    assert!(
        shown.contains("\u{1b}[2K"),
        "the bar is not cleared: {shown:?}"
    );
    assert!(shown.contains("Three"), "{shown:?}");
    // Work that ends within half a second shows nothing.
    let quick = on_terminal(&laptop, &file, None, "case list");
    assert!(!quick.contains("checking signatures"), "{quick:?}");
    assert!(quick.contains("Three"), "{quick:?}");
    // Piped (no terminal), even at a zero threshold: no bar on either stream, and the JSON on
    // standard output is whole.
    let fresh = tempfile::tempdir().unwrap();
    let out = common::casebook()
        .env("HOME", laptop.home.path())
        .env("XDG_STATE_HOME", fresh.path())
        .env("CASEBOOK_PROGRESS_AFTER_MS", "0")
        .arg("-i")
        .arg(laptop.key.as_ref().unwrap())
        .args(["case", "list", "--json"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("checking"), "{stderr}");
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed.as_array().map(Vec::len), Some(3), "{listed}");
}

#[test]
fn saving_rekeying_and_importing_show_their_stages_too() {
    if !common::have("script") {
        return;
    }
    let (laptop, file) = file();
    // Re-keying encrypts the whole file again (and its backup): "encrypting".
    let shown = on_terminal(&laptop, &file, Some(0), "rekey");
    assert!(shown.contains("encrypting"), "{shown:?}");
    // Importing many reports: "reading reports", then the save.
    let reports: Vec<String> = (0..3)
        .map(|n| {
            let path = laptop.home.path().join(format!("report-{n}.eml"));
            std::fs::write(
                &path,
                format!(
                    "From: Reporter {n} <r{n}@example.org>\r\nSubject: Report {n}\r\n\
                     Date: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nWhat happened, {n}.\r\n"
                ),
            )
            .unwrap();
            path.display().to_string()
        })
        .collect();
    let shown = on_terminal(
        &laptop,
        &file,
        Some(0),
        &format!("import {{file}} {}", reports.join(" ")),
    );
    assert!(shown.contains("reading reports"), "{shown:?}");
    assert!(shown.contains("encrypting"), "{shown:?}");
    // The file holds them: nothing shown was instead of done.
    let listed = laptop.ok(&[&"case", &"list", &file]);
    for n in 0..3 {
        assert!(listed.contains(&format!("Report {n}")), "{listed}");
    }
}
