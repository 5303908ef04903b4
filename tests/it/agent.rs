//! `casebook agent`: the passphrase once per working session. The agent holds the unlocked key
//! in memory only, for the time set; commands and the git merge driver take it from there; it
//! forgets it on `--stop` and at the end of its time; its socket is private to the user.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{Laptop, fails, ok};

/// A laptop with a passphrase-protected key, its passphrase in a file (to start the agent
/// with), and a case file made with it.
struct Setup {
    laptop: Laptop,
    key: PathBuf,
    passphrase: PathBuf,
    file: PathBuf,
}

fn setup() -> Setup {
    let laptop = Laptop::new();
    let home = laptop.home.path().to_path_buf();
    let passphrase = home.join("passphrase");
    std::fs::write(&passphrase, "correct horse battery staple\n").unwrap();
    let key = home.join("member.key");
    ok(&laptop.run(&[&"--passphrase-file", &passphrase, &"keygen", &"-o", &key]));
    let file = home.join("committee.cases.age");
    ok(&laptop.run(&[
        &"-i",
        &key,
        &"--passphrase-file",
        &passphrase,
        &"init",
        &file,
        &"--name",
        &"Ada",
    ]));
    Setup {
        laptop,
        key,
        passphrase,
        file,
    }
}

impl Setup {
    /// casebook with the key and no terminal to ask a passphrase on.
    fn run(&self, args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
        let mut all: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"-i", &self.key];
        all.extend_from_slice(args);
        let mut cmd = common::casebook();
        cmd.env("HOME", self.laptop.home.path())
            .env("XDG_CONFIG_HOME", self.laptop.home.path().join("config"))
            .env("XDG_STATE_HOME", self.laptop.home.path().join("state"))
            .env("XDG_RUNTIME_DIR", self.runtime())
            .stdin(Stdio::null())
            .setsid_if_possible();
        for arg in all {
            cmd.arg(arg);
        }
        cmd.output().unwrap()
    }

    fn runtime(&self) -> PathBuf {
        self.laptop.home.path().join("runtime")
    }

    fn start(&self, minutes: &str) -> String {
        ok(&self.run(&[
            &"--passphrase-file",
            &self.passphrase,
            &"agent",
            &"--timeout",
            &minutes,
        ]))
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = self.run(&[&"agent", &"--stop"]);
    }
}

/// Run without a controlling terminal, so that a passphrase can only come from the agent.
trait Detached {
    fn setsid_if_possible(&mut self) -> &mut Self;
}

impl Detached for Command {
    fn setsid_if_possible(&mut self) -> &mut Self {
        use std::os::unix::process::CommandExt;
        self.process_group(0)
    }
}

#[test]
fn the_passphrase_is_typed_once_and_the_agent_forgets_it_on_stop() {
    let s = setup();
    // Without an agent (and without a terminal), the key's passphrase is needed.
    let refused = fails(&s.run(&[&"info", &s.file]));
    assert!(refused.contains("passphrase"), "{refused}");
    assert!(
        refused.contains("`casebook agent`"),
        "the hint names the agent: {refused}"
    );
    let said = s.start("5");
    assert!(said.contains("the agent holds"), "{said}");
    // From now on the commands take the key from the agent: no passphrase file, no terminal.
    let info = ok(&s.run(&[&"info", &s.file]));
    assert!(info.contains("Ada"), "{info}");
    let code = ok(&s.run(&[
        &"case",
        &"new",
        &s.file,
        &"--title",
        &"Opened with the agent",
    ]));
    ok(&s.run(&[
        &"note",
        &"add",
        &s.file,
        &code.trim(),
        &"--text",
        &"written with the agent's key",
    ]));
    let status = ok(&s.run(&[&"agent", &"--status"]));
    assert!(
        status.contains("an agent holds") && status.contains("member.key"),
        "{status}"
    );
    // Starting it again while one runs does nothing, and says so (no passphrase asked).
    let again = ok(&s.run(&[&"agent"]));
    assert!(
        again.contains("already holds") && again.contains("nothing to do"),
        "{again}"
    );
    // Stopped: forgotten, and the passphrase is needed again.
    assert!(ok(&s.run(&[&"agent", &"--stop"])).contains("forgot the key"));
    fails(&s.run(&[&"info", &s.file]));
    assert!(ok(&s.run(&[&"agent", &"--status"])).contains("no agent"));
}

#[test]
fn the_agent_forgets_the_key_when_its_time_ends() {
    let s = setup();
    // Three seconds.
    s.start("0.05");
    ok(&s.run(&[&"info", &s.file]));
    let deadline = Instant::now() + Duration::from_secs(30);
    while ok(&s.run(&[&"agent", &"--status"])).contains("an agent holds") {
        assert!(Instant::now() < deadline, "the agent outlived its time");
        std::thread::sleep(Duration::from_millis(200));
    }
    fails(&s.run(&[&"info", &s.file]));
    // Its socket went with it.
    assert!(!s.runtime().join("casebook/agent.sock").exists());
}

#[test]
fn nothing_of_the_key_reaches_the_disk_and_the_socket_is_private() {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    let s = setup();
    let before = files_under(s.laptop.home.path());
    s.start("5");
    let after = files_under(s.laptop.home.path());
    let new: Vec<&PathBuf> = after.iter().filter(|p| !before.contains(p)).collect();
    // Only the socket (and its folder) appeared; no file holds anything.
    for path in &new {
        let meta = std::fs::symlink_metadata(path).unwrap();
        assert!(
            meta.file_type().is_socket() || meta.is_dir(),
            "{} appeared",
            path.display()
        );
    }
    let socket = s.runtime().join("casebook/agent.sock");
    let folder = std::fs::metadata(socket.parent().unwrap()).unwrap();
    assert_eq!(folder.permissions().mode() & 0o777, 0o700);
    let meta = std::fs::symlink_metadata(&socket).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    // The unlocked key is in no file anywhere under the home: unlocked here by ssh-keygen
    // (an independent reader of the key), outside the home, and its private lines looked for.
    if !common::have("ssh-keygen") {
        return;
    }
    let elsewhere = tempfile::tempdir().unwrap();
    let unlocked = elsewhere.path().join("unlocked");
    std::fs::copy(&s.key, &unlocked).unwrap();
    std::fs::set_permissions(&unlocked, std::fs::Permissions::from_mode(0o600)).unwrap();
    let done = Command::new("ssh-keygen")
        .args([
            "-q",
            "-p",
            "-P",
            "correct horse battery staple",
            "-N",
            "",
            "-f",
        ])
        .arg(&unlocked)
        .output()
        .unwrap();
    assert!(done.status.success(), "{done:?}");
    let seed = ed25519_seed(&unlocked);
    let hex: String = seed.iter().map(|b| format!("{b:02x}")).collect();
    for path in &after {
        if let Ok(bytes) = std::fs::read(path) {
            assert!(
                !bytes.windows(seed.len()).any(|w| w == seed),
                "{} holds the key's secret seed",
                path.display()
            );
            assert!(
                !String::from_utf8_lossy(&bytes).contains(&hex),
                "{} holds the key's secret seed in hex",
                path.display()
            );
        }
    }
}

/// The SSH wire string (a 4-byte big-endian length, then the bytes) at `at` in `buf`; `at`
/// moves past it.
fn ssh_string(buf: &[u8], at: &mut usize) -> Vec<u8> {
    let n = u32::from_be_bytes(buf[*at..*at + 4].try_into().unwrap()) as usize;
    let out = buf[*at + 4..*at + 4 + n].to_vec();
    *at += 4 + n;
    out
}

/// The 32-byte secret seed of an unencrypted OpenSSH ed25519 key (PROTOCOL.key: magic,
/// cipher "none", KDF "none", one public key, then the private section: two check words,
/// the key type, the public key, and seed || public key).
fn ed25519_seed(key: &Path) -> Vec<u8> {
    let text = std::fs::read_to_string(key).unwrap();
    let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    let mut decode = Command::new("base64")
        .arg("-d")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    decode
        .stdin
        .take()
        .unwrap()
        .write_all(body.as_bytes())
        .unwrap();
    let blob = decode.wait_with_output().unwrap().stdout;
    let magic = b"openssh-key-v1\0";
    assert!(blob.starts_with(magic), "not an OpenSSH key");
    let mut at = magic.len();
    assert_eq!(ssh_string(&blob, &mut at), b"none", "unencrypted");
    ssh_string(&blob, &mut at); // KDF
    ssh_string(&blob, &mut at); // KDF options
    at += 4; // one key
    ssh_string(&blob, &mut at); // its public key
    let private = ssh_string(&blob, &mut at);
    let mut at = 8; // the two check words
    assert_eq!(ssh_string(&private, &mut at), b"ssh-ed25519");
    ssh_string(&private, &mut at); // public key
    let pair = ssh_string(&private, &mut at);
    assert_eq!(pair.len(), 64);
    pair[..32].to_vec()
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            out.push(path.clone());
            if entry.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                out.extend(files_under(&path));
            }
        }
    }
    out
}

#[test]
fn the_git_merge_driver_uses_the_agent() {
    let s = setup();
    let ours = s.laptop.home.path().join("ours.cases.age");
    let theirs = s.laptop.home.path().join("theirs.cases.age");
    std::fs::copy(&s.file, &ours).unwrap();
    std::fs::copy(&s.file, &theirs).unwrap();
    s.start("5");
    ok(&s.run(&[&"case", &"new", &theirs, &"--title", &"Only on their copy"]));
    // git runs the driver with no terminal: the agent's key opens both copies.
    let merged = s.run(&[&"merge-driver", &s.file, &ours, &theirs]);
    ok(&merged);
    let list = ok(&s.run(&[&"case", &"list", &ours]));
    assert!(list.contains("Only on their copy"), "{list}");
}

/// Run `command` as user `nobody` (65534), when this test runs as root (`setpriv`) or may use
/// sudo without a password; `None` otherwise.
fn as_nobody(args: &[&str], env: &[(&str, &Path)]) -> Option<Output> {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .ok()
        .is_some_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let mut cmd = if root && common_tool("setpriv") {
        let mut cmd = Command::new("setpriv");
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"]);
        cmd
    } else if Command::new("sudo")
        .args(["-n", "true"])
        .status()
        .is_ok_and(|s| s.success())
    {
        let mut cmd = Command::new("sudo");
        cmd.args(["-n", "-u", "nobody", "--preserve-env", "--"]);
        cmd
    } else {
        return None;
    };
    cmd.args(args).env_remove("CASEBOOK_AGENT_SOCK");
    for (name, value) in env {
        cmd.env(name, value);
    }
    Some(cmd.output().unwrap())
}

fn common_tool(tool: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn another_user_cannot_reach_the_agent() {
    use std::os::unix::fs::PermissionsExt;
    let s = setup();
    // The home (and so the agent's folder's parent) open to others, the secrets in it not:
    // what stops another user must be the agent's own folder, socket and peer check.
    let open = std::fs::Permissions::from_mode(0o755);
    std::fs::set_permissions(s.laptop.home.path(), open.clone()).unwrap();
    std::fs::set_permissions(&s.passphrase, std::fs::Permissions::from_mode(0o600)).unwrap();
    s.start("5");
    let socket = s.runtime().join("casebook/agent.sock");
    std::fs::set_permissions(s.runtime(), open.clone()).unwrap();
    // Another user points casebook straight at the socket and asks for the key.
    let bin = env!("CARGO_BIN_EXE_casebook");
    let key = s.key.display().to_string();
    let Some(out) = as_nobody(
        &[bin, "-i", &key, "agent", "--status"],
        &[
            ("CASEBOOK_AGENT_SOCK", &socket),
            ("HOME", Path::new("/nonexistent")),
        ],
    ) else {
        eprintln!("SKIPPED: needs root or passwordless sudo to act as another user");
        return;
    };
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !said.contains("an agent holds"),
        "another user reached the agent: {said}"
    );
    // Nor can it connect with a socket client of its own (Python's, where there is one).
    if !common_tool("python3") {
        eprintln!("SKIPPED the raw socket client: no python3");
        return;
    }
    let raw = |socket: &Path| {
        let out = as_nobody(
            &[
                "sh",
                "-c",
                &format!(
                    "printf 'KEY {key}\\n' | python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(sys.stdin.buffer.read()); print(s.recv(100))' {}",
                    socket.display()
                ),
            ],
            &[],
        )
        .unwrap();
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    };
    // The agent's folder (0700) stops it first.
    let said = raw(&socket);
    assert!(!said.contains("KEY "), "{said}");
    assert!(said.contains("Permission denied"), "{said}");
    // With the folder and the socket opened to everyone (a mistake of the member's, say), the
    // agent itself refuses a process of another user: it checks the peer's user.
    std::fs::set_permissions(socket.parent().unwrap(), open).unwrap();
    std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o666)).unwrap();
    let said = raw(&socket);
    assert!(!said.contains("KEY "), "{said}");
    assert!(said.contains("REFUSED"), "the agent's own check: {said}");
    // Its own user is still served.
    let status = ok(&s.run(&[&"agent", &"--status"]));
    assert!(status.contains("an agent holds"), "{status}");
}
