//! Helpers shared by the integration tests: running the real binary in a clean environment,
//! making keys and case files, and requiring the independent tools (age, sqlite3, ssh-keygen).
#![allow(dead_code)]

pub mod tmux;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

pub mod committee;
pub mod forge;

/// A home directory with no keys and no config, so tests never pick up the machine's own.
fn empty_home() -> &'static Path {
    static HOME: OnceLock<tempfile::TempDir> = OnceLock::new();
    HOME.get_or_init(|| tempfile::tempdir().unwrap()).path()
}

/// The casebook binary, in a clean environment.
pub fn casebook() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_casebook"));
    cmd.env("HOME", empty_home())
        .env("XDG_CONFIG_HOME", empty_home().join(".config"))
        .env_remove("CASEBOOK_IDENTITY")
        .env_remove("CASEBOOK_AGENT_SOCK")
        // Never the machine's own key agent.
        .env("XDG_RUNTIME_DIR", empty_home().join("runtime"))
        .env_remove("SSH_AUTH_SOCK");
    cmd
}

/// Run casebook with `args`.
pub fn run(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    let mut cmd = casebook();
    for arg in args {
        cmd.arg(arg);
    }
    cmd.output().unwrap()
}

/// A member's laptop: a home, config and state (pins) of its own, so that what one laptop
/// verified never leaks into another's.
pub struct Laptop {
    /// Its home directory.
    pub home: tempfile::TempDir,
    /// The key passed as `-i` to every command, if any.
    pub key: Option<PathBuf>,
}

impl Laptop {
    /// A laptop that names its key in each command itself.
    pub fn new() -> Laptop {
        Laptop {
            home: tempfile::tempdir().unwrap(),
            key: None,
        }
    }

    /// A laptop whose commands all run with `-i key`.
    pub fn with_key(key: &Path) -> Laptop {
        Laptop {
            key: Some(key.to_path_buf()),
            ..Laptop::new()
        }
    }

    /// casebook on this laptop, with `args`, not started yet.
    pub fn command(&self, args: &[&dyn AsRef<std::ffi::OsStr>]) -> Command {
        let mut cmd = casebook();
        cmd.env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path().join("config"))
            .env("XDG_STATE_HOME", self.home.path().join("state"))
            .env("XDG_RUNTIME_DIR", self.home.path().join("runtime"));
        if let Some(key) = &self.key {
            cmd.arg("-i").arg(key);
        }
        for arg in args {
            cmd.arg(arg);
        }
        cmd
    }

    /// Run casebook on this laptop.
    pub fn run(&self, args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
        self.command(args).output().unwrap()
    }

    /// [`Laptop::run`], killed (and the test failed) if it has not ended after `limit`: a
    /// guard against a hang (a FIFO read forever), not a measure of speed.
    pub fn run_within(
        &self,
        limit: std::time::Duration,
        args: &[&dyn AsRef<std::ffi::OsStr>],
    ) -> Output {
        let mut child = self
            .command(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let start = std::time::Instant::now();
        while child.try_wait().unwrap().is_none() {
            if start.elapsed() > limit {
                child.kill().unwrap();
                child.wait().unwrap();
                panic!("casebook hung for {limit:?}");
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        child.wait_with_output().unwrap()
    }

    /// `casebook log FILE --head` on this laptop: the head commit and the history's digest.
    pub fn head(&self, file: &Path) -> String {
        self.ok(&[&"log", &file, &"--head"])
    }

    /// Run casebook on this laptop; it must succeed. Gives its standard output.
    pub fn ok(&self, args: &[&dyn AsRef<std::ffi::OsStr>]) -> String {
        ok(&self.run(args))
    }
}

/// Whether an external tool is installed. In CI (`CI=true`) a missing tool fails the test
/// loudly; locally the test is skipped with a printed reason.
pub fn have(tool: &str) -> bool {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !found {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{tool} is required in CI (.ci/run installs it)");
        }
        eprintln!("SKIPPED: {tool} is not installed");
    }
    found
}

/// Assert a command succeeded, showing its stderr otherwise.
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Assert a command failed with one of casebook's documented failure codes (1, 2, 5-9; see
/// the README's exit status table) and a hint, without panicking; return its stderr.
pub fn fails(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        matches!(out.status.code(), Some(1 | 2 | 5..=9)),
        "expected failure, got exit {:?}; stderr: {stderr}",
        out.status.code()
    );
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    assert!(stderr.contains("hint: "), "no hint: {stderr}");
    stderr
}

/// Exit codes by class, as the README's table gives them.
pub mod exit {
    /// Any other error.
    pub const FAILURE: i32 = 1;
    /// The command line is wrong.
    pub const USAGE: i32 = 2;
    /// A file is missing or cannot be read.
    pub const UNREADABLE: i32 = 5;
    /// Locked, or changed while the command ran: try again.
    pub const BUSY: i32 = 6;
    /// An older copy.
    pub const OLDER_COPY: i32 = 7;
    /// Verification failed: do not trust it.
    pub const UNTRUSTED: i32 = 8;
    /// The committee's rules refused the change.
    pub const RULE_REFUSED: i32 = 9;
}

/// [`fails`], with exactly exit code `code` (see [`exit`]).
pub fn fails_with(out: &Output, code: i32) -> String {
    let stderr = fails(out);
    assert_eq!(out.status.code(), Some(code), "{stderr}");
    stderr
}

/// A fresh member key in `dir` (no passphrase).
pub fn member_key(dir: &Path, name: &str) -> PathBuf {
    let key = dir.join(name);
    ok(&run(&[&"keygen", &"-o", &key]));
    key
}

/// A new case file in `dir` created with `key`.
pub fn case_file(dir: &Path, key: &Path) -> PathBuf {
    let file = dir.join("committee.cases.age");
    ok(&run(&[
        &"-i",
        &key,
        &"init",
        &file,
        &"--name",
        &"Ada Chair",
    ]));
    file
}

/// Decrypt `file` with the `age` CLI (the independent implementation) into `out`.
pub fn age_decrypt(identity: &Path, file: &Path, out: &Path) {
    let status = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(identity)
        .arg("-o")
        .arg(out)
        .arg(file)
        .status()
        .unwrap();
    assert!(status.success(), "age -d failed on {}", file.display());
}

/// Encrypt `input` with the `age` CLI to the recipients in `recipients_file` (for example a
/// key's `.pub`), writing `out` (which must not exist).
pub fn age_encrypt(recipients_file: &Path, input: &Path, out: &Path) {
    let status = Command::new("age")
        .arg("-R")
        .arg(recipients_file)
        .arg("-o")
        .arg(out)
        .arg(input)
        .status()
        .unwrap();
    assert!(status.success(), "age -e failed on {}", input.display());
}

/// Run `sql` on the plaintext database `db` with the `sqlite3` CLI and return its output.
pub fn sqlite(db: &Path, sql: &str) -> String {
    let out = Command::new("sqlite3").arg(db).arg(sql).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `sqlite3` on `file` decrypted (with the `age` CLI) with `key`: the output of `sql`. The
/// plaintext copy beside the file is removed afterwards.
pub fn query_decrypted(key: &Path, file: &Path, sql: &str) -> String {
    let db = file.with_extension("q.db");
    let _ = std::fs::remove_file(&db);
    age_decrypt(key, file, &db);
    let out = sqlite(&db, sql);
    std::fs::remove_file(&db).unwrap();
    out
}

/// The key of a fictional demo member: robin (the chair), sam, priya, tomas or mei.
pub fn demo_key(member: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    if member == "robin" {
        root.join("identity")
    } else {
        root.join("members").join(member)
    }
}

/// Run casebook with `args` as a demo member.
pub fn as_member(member: &str, args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    let key = demo_key(member);
    let mut all: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"-i", &key];
    all.extend_from_slice(args);
    run(&all)
}

/// A private copy (mode 0600) of a demo member's key, for `ssh-keygen`, which refuses keys
/// that others can read (git checks files out 0644).
pub fn demo_key_copy(member: &str, dir: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let copy = dir.join(format!("{member}.key"));
    std::fs::copy(demo_key(member), &copy).unwrap();
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o600)).unwrap();
    copy
}

/// `FILE.bak` beside `file`.
pub fn backup(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".bak");
    PathBuf::from(name)
}
