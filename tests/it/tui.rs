//! The interface end to end, in a real terminal (tmux): what a member sees and types.

use crate::common;

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
            socket: format!("casebook-test-{}-tui-{name}", std::process::id()),
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
    assert!(screen.contains("closed 8"), "{screen}");
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
    // q on a case goes back to the queues; q there quits.
    tmux.keys(&["q"]);
    tmux.wait_for("all (37)");
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
    // From "all" (the last queue), Tab wraps to needs-acknowledgement.
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
    tmux.wait_for("no longer the version you opened");
    tmux.keys(&["s"]);
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

impl Tmux {
    /// Paste `text` as a terminal would: a bracketed paste (tmux sends it bracketed only to an
    /// application that asked for it).
    fn paste(&self, text: &str) {
        let status = self
            .tmux()
            .args(["set-buffer", "-b", "casebook-paste", text])
            .status()
            .unwrap();
        assert!(status.success());
        let status = self
            .tmux()
            .args([
                "paste-buffer",
                "-p",
                "-b",
                "casebook-paste",
                "-t",
                &self.name,
            ])
            .status()
            .unwrap();
        assert!(status.success());
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A saved copy of the demo, opened as Robin; `config` is written as the config file.
fn demo_copy(dir: &Path, config: &str) -> String {
    let file = dir.join("c.cases.age");
    ok(&run(&[&"demo", &"--save-as", &file]));
    let home = dir.join("config");
    fs::create_dir_all(home.join("casebook")).unwrap();
    fs::write(home.join("casebook/config.toml"), config).unwrap();
    format!(
        "XDG_CONFIG_HOME='{}' XDG_DATA_HOME='{}' '{}' -i '{}' open '{}'",
        home.display(),
        dir.join("data").display(),
        bin(),
        demo_key("robin").display(),
        file.display()
    )
}

#[test]
fn a_multi_line_paste_is_text_in_a_message_and_a_note_never_commands() {
    if !have("tmux") {
        return;
    }
    let tmux = Tmux::start("casebook-paste", &format!("'{}' demo", bin()));
    tmux.wait_for("all (37)");
    tmux.keys(&["Down", "Down", "Enter"]);
    tmux.wait_for("Timeline");
    // Into a message's one-line field: every line kept, the `s` and the line breaks are text.
    tmux.keys(&["m"]);
    tmux.wait_for("Log a message sent");
    tmux.keys(&["Tab"]);
    tmux.paste("Called them s\nthen wrote\n");
    let screen = tmux.screen();
    assert!(
        !screen.contains("Move to"),
        "the paste ran a command:\n{screen}"
    );
    assert!(screen.contains("Called them s then wrote"), "{screen}");
    tmux.keys(&["C-d"]);
    tmux.wait_for("message to");
    // Into a note: all lines kept, with their line breaks.
    tmux.keys(&["n"]);
    tmux.wait_for("Ctrl-D adds it");
    tmux.paste("Pasted line one s\nPasted line two\n\nPasted line three q");
    let screen = tmux.screen();
    assert!(!screen.contains("Move to"), "{screen}");
    assert!(
        screen.contains("Pasted line one s") && screen.contains("Pasted line three q"),
        "{screen}"
    );
    tmux.keys(&["C-d"]);
    let screen = tmux.wait_for("unsaved");
    assert!(
        screen.contains("Pasted line one s")
            && screen.contains("Pasted line two")
            && screen.contains("Pasted line three q"),
        "every line is in the note:\n{screen}"
    );
    assert!(screen.contains("Called them s then wrote"), "{screen}");
}

#[test]
fn ctrl_c_with_a_draft_asks_and_keeps_it() {
    if !have("tmux") {
        return;
    }
    let tmux = Tmux::start("casebook-ctrlc", &format!("'{}' demo", bin()));
    tmux.wait_for("all (37)");
    tmux.keys(&["Down", "Enter"]);
    tmux.wait_for("Timeline");
    tmux.keys(&["n"]);
    tmux.wait_for("Ctrl-D adds it");
    tmux.text("A draft I must not lose");
    tmux.keys(&["C-c"]);
    tmux.wait_for("Drop the note you are writing?");
    tmux.keys(&["Escape"]);
    let screen = tmux.wait_for("Ctrl-D adds it");
    assert!(screen.contains("A draft I must not lose"), "{screen}");
    // Esc asks too.
    tmux.keys(&["Escape"]);
    tmux.wait_for("Drop the note you are writing?");
    tmux.keys(&["n"]);
    let screen = tmux.wait_for("Ctrl-D adds it");
    assert!(screen.contains("A draft I must not lose"), "{screen}");
}

#[test]
fn the_idle_lock_keeps_an_open_decision_form_and_restores_it_on_its_case() {
    if !have("tmux") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let command = demo_copy(dir.path(), "idle_lock_minutes = 0.05\n");
    let tmux = Tmux::start("casebook-lock-form", &command);
    tmux.wait_for("all (37)");
    // From `all`, eight queues back is `deliberating` (past needs-attention, closed,
    // expunge-due, review-due, sanctions-ending, sanctions-to-tell and
    // decided-not-communicated).
    tmux.keys(&["h", "h", "h", "h", "h", "h", "h", "h"]);
    tmux.wait_for("deliberating (5)");
    tmux.keys(&["Enter", "d"]);
    tmux.wait_for("Record the decision on");
    tmux.keys(&["Tab"]);
    tmux.text("Rationale canary typed before the lock");
    let screen = tmux.wait_for("casebook is locked");
    assert!(!screen.contains("Rationale canary"), "{screen}");
    assert!(screen.contains("seconds"), "{screen}");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("Rationale canary typed before the lock");
    assert!(screen.contains("Record the decision on"), "{screen}");
}

#[test]
fn a_search_opens_a_decided_case_on_its_rationale() {
    if !have("tmux") {
        return;
    }
    let tmux = Tmux::start("casebook-rationale", &format!("'{}' demo", bin()));
    tmux.wait_for("all (37)");
    tmux.keys(&["/"]);
    tmux.text("clarifies the official accounts");
    tmux.wait_for("zinc-saddle");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("found in the entry marked");
    assert!(
        screen.contains("Referred to the platform; our statement clarifies the official accounts"),
        "the rationale is on screen:\n{screen}"
    );
    assert!(screen.contains("DECISION: other"), "{screen}");
    tmux.keys(&["q"]);
    tmux.wait_for("all (37)");
}

#[test]
fn the_export_dialogs_verify_command_works_when_pasted_into_a_shell() {
    if !have("tmux") || !have("ssh-keygen") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let exports = dir.path().join("private exports");
    let command = demo_copy(
        dir.path(),
        &format!("export_dir = '{}'\n", exports.display()),
    );
    let tmux = Tmux::start("casebook-export-verify", &command);
    tmux.wait_for("all (37)");
    tmux.keys(&["/"]);
    tmux.text("clarifies the official accounts");
    tmux.wait_for("zinc-saddle");
    tmux.keys(&["Enter"]);
    tmux.wait_for("found in the entry marked");
    tmux.keys(&["e"]);
    tmux.wait_for("Export a signed decision record");
    tmux.keys(&["C-d"]);
    tmux.wait_for("PLAINTEXT");
    tmux.keys(&["y"]);
    let screen = tmux.wait_for("paste the lines into a shell");
    // The folder is private.
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(&exports).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "the export folder is private");
    let lines: Vec<&str> = screen.lines().map(str::trim_end).collect();
    let start = lines
        .iter()
        .position(|l| l.starts_with("casebook -i"))
        .unwrap_or_else(|| panic!("no command:\n{screen}"));
    let mut command = Vec::new();
    for line in &lines[start..] {
        command.push(*line);
        if !line.ends_with('\\') {
            break;
        }
    }
    let script = command.join("\n");
    let path = format!(
        "{}:{}",
        Path::new(bin()).parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(&script)
        .env("PATH", path)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the pasted command failed:\n{script}\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Good"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // The dialog stays until dismissed.
    tmux.keys(&["x"]);
    tmux.wait_for("paste the lines into a shell");
}

/// A sync tool replaces the open file with another member's copy while the interface runs:
/// the interface notices, Ctrl-S offers merge, and merging keeps both members' notes, saved,
/// saying what came in.
#[test]
fn a_file_replaced_under_the_running_interface_is_merged_on_save() {
    use std::os::unix::fs::PermissionsExt;
    if !have("tmux") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.cases.age");
    fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo/demo.cases.age"),
        &file,
    )
    .unwrap();
    fs::set_permissions(&file, fs::Permissions::from_mode(0o600)).unwrap();
    let command = format!(
        "'{}' -i '{}' open '{}'",
        bin(),
        demo_key("robin").display(),
        file.display()
    );
    let tmux = Tmux::start("casebook-merge-e2e", &command);
    tmux.wait_for("all (37)");
    if tmux
        .screen()
        .contains("This laptop has not opened this committee")
    {
        tmux.keys(&["Escape"]);
    }
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
    tmux.text("Robin wrote this in the interface.");
    tmux.keys(&["C-d"]);
    tmux.wait_for("unsaved");

    // Sam's laptop: the same file, another note, synced back over Robin's.
    let sams = dir.path().join("sams-laptop.cases.age");
    fs::copy(&file, &sams).unwrap();
    ok(&common::as_member(
        "sam",
        &[
            &"note",
            &"add",
            &sams,
            &code,
            &"--text",
            &"Sam wrote this on his laptop.",
        ],
    ));
    fs::rename(&sams, &file).unwrap();

    tmux.wait_for("changed on disk");
    tmux.keys(&["C-s"]);
    tmux.wait_for("m  merge that copy");
    tmux.keys(&["m"]);
    let screen = tmux.wait_for("merged 1 change from Sam Lindqvist");
    assert!(screen.contains("saved"), "{screen}");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("Sam wrote this on his laptop.");
    assert!(
        screen.contains("Robin wrote this in the interface."),
        "{screen}"
    );
    assert!(!screen.contains("● unsaved"), "{screen}");
    tmux.keys(&["q", "q"]);
    let shown = ok(&run(&[
        &"-i",
        &demo_key("robin"),
        &"case",
        &"show",
        &file,
        &code,
    ]));
    assert!(
        shown.contains("Robin wrote this in the interface.")
            && shown.contains("Sam wrote this on his laptop."),
        "{shown}"
    );
}
