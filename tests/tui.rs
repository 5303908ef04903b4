//! The interface end to end, in a real terminal (tmux): what a member sees and types.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{demo_key, have, ok, run};

/// A tmux session running one command, on a private tmux server of its own (never the
/// shared default one), killed with its server on drop.
struct Tmux {
    name: String,
    socket: String,
}

impl Tmux {
    /// `tmux -L SOCKET`: every command goes to this test's own server.
    fn tmux(&self) -> Command {
        let mut cmd = Command::new("tmux");
        cmd.args(["-L", &self.socket]);
        cmd
    }

    fn start(name: &str, command: &str) -> Tmux {
        let tmux = Tmux {
            name: name.to_string(),
            socket: format!("casebook-test-{}-{name}", std::process::id()),
        };
        let status = tmux
            .tmux()
            .args(["new-session", "-d", "-x", "120", "-y", "32", "-s", name])
            .arg(format!("{command}; sleep 60"))
            .env("HOME", std::env::temp_dir())
            .status()
            .unwrap();
        assert!(status.success());
        tmux
    }

    /// The server's paste buffers (where an obeyed OSC 52 would land).
    fn buffers(&self) -> String {
        let out = self.tmux().arg("list-buffers").output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        for key in keys {
            let status = self
                .tmux()
                .args(["send-keys", "-t", &self.name, key])
                .status()
                .unwrap();
            assert!(status.success());
            std::thread::sleep(Duration::from_millis(120));
        }
    }

    fn text(&self, text: &str) {
        let status = self
            .tmux()
            .args(["send-keys", "-l", "-t", &self.name, text])
            .status()
            .unwrap();
        assert!(status.success());
    }

    fn screen(&self) -> String {
        let out = self
            .tmux()
            .args(["capture-pane", "-p", "-t", &self.name])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Wait until the screen shows `needle`.
    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if screen.contains(needle) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "never saw {needle:?}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.tmux().arg("kill-server").output();
    }
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_casebook")
}

#[test]
fn a_member_opens_the_demo_adds_a_note_saves_as_and_finds_it_again() {
    if !have("tmux") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("mine.cases.age");
    let tmux = Tmux::start("casebook-e2e", &format!("'{}' demo", bin()));
    let screen = tmux.wait_for("all (37)");
    assert!(screen.contains("deliberating 5"), "{screen}");
    tmux.keys(&["Down", "Down", "Enter"]);
    let screen = tmux.wait_for("Timeline");
    let code = screen
        .lines()
        .nth(2)
        .and_then(|l| l.trim_start_matches('│').split_whitespace().next())
        .unwrap()
        .to_string();
    tmux.keys(&["n"]);
    tmux.wait_for("Ctrl-D adds it");
    tmux.text("Called the reporter; they are safe.");
    tmux.keys(&["Enter"]);
    tmux.text("Follow-up on Friday.");
    tmux.keys(&["C-d"]);
    let screen = tmux.wait_for("unsaved");
    assert!(
        screen.contains("Called the reporter; they are safe."),
        "{screen}"
    );
    tmux.keys(&["C-s"]);
    tmux.wait_for("S saves it under a new name");
    tmux.keys(&["S"]);
    tmux.wait_for("New file name");
    tmux.text(saved.to_str().unwrap());
    tmux.keys(&["Enter"]);
    tmux.wait_for("saved as");
    tmux.keys(&["q"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while tmux.screen().contains("saved as") {
        assert!(Instant::now() < deadline, "the interface did not quit");
        std::thread::sleep(Duration::from_millis(100));
    }

    let shown = ok(&run(&[
        &"-i",
        &demo_key("robin"),
        &"case",
        &"show",
        &saved,
        &code,
    ]));
    assert!(
        shown.contains("Called the reporter; they are safe.")
            && shown.contains("Follow-up on Friday."),
        "{shown}"
    );
    drop(tmux);

    // Reopen the saved file in the interface and find the note by searching for it.
    let command = format!(
        "'{}' -i '{}' open '{}'",
        bin(),
        demo_key("robin").display(),
        saved.display()
    );
    let tmux = Tmux::start("casebook-e2e-reopen", &command);
    tmux.wait_for("all (37)");
    tmux.keys(&["/"]);
    tmux.text("Friday");
    tmux.wait_for(&code);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("Follow-up on Friday.");
    assert!(
        screen.contains("Called the reporter; they are safe.") && screen.contains(&code),
        "{screen}"
    );
    tmux.keys(&["q"]);
}

#[test]
fn hostile_text_reaches_the_terminal_only_as_visible_placeholders() {
    if !have("tmux") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.cases.age");
    ok(&run(&[&"demo", &"--save-as", &file]));
    let eml = dir.path().join("hostile.eml");
    fs::write(
        &eml,
        "From: Mallory <m@example.org>\r\nSubject: Hostile\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\nBEFORE\u{1b}[2JAFTER \u{1b}]52;c;cHduZWQ=\u{7} flip\u{202e}txt.exe END\r\n",
    )
    .unwrap();
    let out = ok(&run(&[&"-i", &demo_key("robin"), &"import", &file, &eml]));
    let code = out.split_whitespace().next().unwrap().to_string();

    let command = format!(
        "'{}' -i '{}' open '{}'",
        bin(),
        demo_key("robin").display(),
        Path::new(&file).display()
    );
    let tmux = Tmux::start("casebook-hostile", &command);
    tmux.wait_for("all (38)");
    // The imported case is the newest: go to the bottom of the needs-acknowledgement queue.
    tmux.keys(&["Tab", "G"]);
    tmux.wait_for(&code);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("Timeline");
    assert!(
        screen.contains("BEFORE␛[2JAFTER"),
        "the escape is shown, not obeyed:\n{screen}"
    );
    assert!(screen.contains("␛]52;c;cHduZWQ=␇"), "{screen}");
    assert!(screen.contains("flip<U+202E>txt.exe END"), "{screen}");
    assert!(
        screen.contains("Timeline") && screen.contains(&code),
        "the screen was not cleared:\n{screen}"
    );
    // Nothing reached tmux's clipboard (OSC 52) either.
    assert!(
        !tmux.buffers().contains("pwned"),
        "OSC 52 reached the clipboard"
    );
    tmux.keys(&["Escape", "q"]);
}

#[test]
fn idle_lock_asks_for_the_passphrase_and_a_file_changed_on_disk_is_not_overwritten() {
    if !have("tmux") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("ana.key");
    let passphrase = dir.path().join("pass");
    fs::write(&passphrase, "correct horse\n").unwrap();
    ok(&run(&[
        &"keygen",
        &"-o",
        &key,
        &"--passphrase",
        &"--passphrase-file",
        &passphrase,
    ]));
    let file = dir.path().join("c.cases.age");
    ok(&run(&[
        &"-i",
        &key,
        &"--passphrase-file",
        &passphrase,
        &"init",
        &file,
        &"--name",
        &"Ana",
    ]));
    ok(&run(&[
        &"-i",
        &key,
        &"--passphrase-file",
        &passphrase,
        &"case",
        &"new",
        &file,
        &"--title",
        &"Canary title for the lock",
        &"--channel",
        &"email",
    ]));
    // Lock after three seconds.
    let config = dir.path().join("config");
    fs::create_dir_all(config.join("casebook")).unwrap();
    fs::write(
        config.join("casebook/config.toml"),
        "idle_lock_minutes = 0.05\n",
    )
    .unwrap();
    let command = format!(
        "XDG_CONFIG_HOME='{}' '{}' -i '{}' open '{}'",
        config.display(),
        bin(),
        key.display(),
        file.display()
    );
    let tmux = Tmux::start("casebook-lock", &command);
    tmux.wait_for("Passphrase for");
    tmux.text("correct horse");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Canary title for the lock");
    let screen = tmux.wait_for("casebook is locked");
    assert!(
        !screen.contains("Canary title"),
        "case text stays on screen:\n{screen}"
    );
    tmux.text("wrong");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("wrong passphrase for");
    assert!(screen.contains("casebook is locked"), "{screen}");
    tmux.text("correct horse");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Canary title for the lock");

    // Someone (a sync tool, say) replaces the file behind casebook's back.
    let before = fs::read(&file).unwrap();
    let other = dir.path().join("other.cases.age");
    ok(&run(&[&"demo", &"--save-as", &other]));
    fs::copy(&other, &file).unwrap();
    tmux.wait_for("changed on disk");
    tmux.keys(&["C-s"]);
    tmux.wait_for("New file name");
    tmux.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(300));
    assert_ne!(fs::read(&file).unwrap(), before);
    assert_eq!(
        fs::read(&file).unwrap(),
        fs::read(&other).unwrap(),
        "the replaced file was not overwritten"
    );
}
