//! Long work shows how far along it is: on a terminal, a progress bar on standard error once a
//! stage has taken half a second; never on standard output, and nothing when standard error
//! is not a terminal. The terminal is a real pseudo-terminal (`script`).

mod common;

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
    let command = format!(
        "{} -i {} --committee {fingerprint} {args} {}",
        env!("CARGO_BIN_EXE_casebook"),
        key.display(),
        file.display()
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
