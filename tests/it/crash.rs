//! Crash safety: a writer killed with SIGKILL at any point during a save leaves a case file
//! that decrypts and opens, holding either the old or the new content, never something else.

use crate::common;

use std::path::Path;
use std::process::Stdio;
use std::time::Instant;

use common::{case_file, casebook, member_key, ok, run};

const ADDED: u64 = 20;
const KILLS: usize = 60;

fn case_count(key: &Path, file: &Path) -> u64 {
    let json = ok(&run(&[&"-i", &key, &"info", &file, &"--json"]));
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value["case_count"].as_u64().unwrap()
}

/// Add `ADDED` cases and save, returning the child process.
fn writer(key: &Path, file: &Path, seed: usize) -> std::process::Child {
    casebook()
        .arg("-i")
        .arg(key)
        .arg("synth")
        .arg(file)
        .args(["--cases", &ADDED.to_string(), "--seed", &seed.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn kill_9_during_saves_never_leaves_a_broken_file() {
    let dir = tempfile::tempdir().unwrap();
    let key = member_key(dir.path(), "k");
    let file = case_file(dir.path(), &key);
    // A sizeable file (about 10 MB), so a save takes long enough to be interrupted inside.
    ok(&run(&[&"-i", &key, &"synth", &file, &"--cases", &"1500"]));
    let mut expected = case_count(&key, &file);

    // How long one whole run takes; kills land uniformly inside that window.
    let started = Instant::now();
    let status = writer(&key, &file, 0).wait().unwrap();
    assert!(status.success());
    let full_run = started.elapsed();
    expected += ADDED;
    assert_eq!(case_count(&key, &file), expected);

    let mut state = 0x2545_f491_4f6c_dd1du64;
    let (mut before_save, mut after_save) = (0, 0);
    for round in 0..KILLS {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let delay = full_run.mul_f64((state % 1000) as f64 / 1000.0);
        let mut child = writer(&key, &file, round + 1);
        std::thread::sleep(delay);
        let _ = child.kill();
        child.wait().unwrap();

        let found = case_count(&key, &file);
        assert!(
            found == expected || found == expected + ADDED,
            "round {round}: {found} cases, expected {expected} or {}",
            expected + ADDED
        );
        if found == expected {
            before_save += 1;
        } else {
            after_save += 1;
        }
        expected = found;
    }
    eprintln!("{KILLS} kills: {before_save} before the new version landed, {after_save} after");
    assert!(
        before_save > 0,
        "no kill landed before a save completed; the test proves nothing"
    );

    // The backup is a complete earlier version too, and leftovers are cleaned by the next save.
    case_count(&key, &dir.path().join("committee.cases.age.bak"));
    ok(&run(&[&"-i", &key, &"synth", &file, &"--cases", &"1"]));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
