//! The interface in a real terminal: a tmux session on a private server of its own.
#![allow(dead_code)]

use std::process::Command;
use std::time::{Duration, Instant};

/// A tmux session running one command, on a private tmux server of its own (never the
/// shared default one), killed with its server on drop.
pub struct Tmux {
    name: String,
    socket: String,
}

/// A number for each tmux server this process starts (server names stay unique when many
/// tests share one binary).
fn next_server() -> usize {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl Tmux {
    /// `tmux -L SOCKET`: every command goes to this test's own server.
    pub fn tmux(&self) -> Command {
        let mut cmd = Command::new("tmux");
        cmd.args(["-L", &self.socket]);
        cmd
    }

    pub fn start(name: &str, command: &str) -> Tmux {
        let tmux = Tmux {
            name: name.to_string(),
            socket: format!(
                "casebook-test-{}-{}-{name}",
                std::process::id(),
                next_server()
            ),
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
    pub fn buffers(&self) -> String {
        let out = self.tmux().arg("list-buffers").output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn keys(&self, keys: &[&str]) {
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

    pub fn text(&self, text: &str) {
        let status = self
            .tmux()
            .args(["send-keys", "-l", "-t", &self.name, text])
            .status()
            .unwrap();
        assert!(status.success());
    }

    pub fn screen(&self) -> String {
        let out = self
            .tmux()
            .args(["capture-pane", "-p", "-t", &self.name])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Wait until the screen shows `needle`.
    pub fn wait_for(&self, needle: &str) -> String {
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

impl Tmux {
    /// Start `command` with extra environment variables (`NAME=value` pairs, as `env` takes
    /// them), at `width` x `height`.
    pub fn start_sized(name: &str, command: &str, width: u16, height: u16) -> Tmux {
        let tmux = Tmux {
            name: name.to_string(),
            socket: format!(
                "casebook-test-{}-{}-{name}",
                std::process::id(),
                next_server()
            ),
        };
        let status = tmux
            .tmux()
            .args([
                "new-session",
                "-d",
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
            ])
            .args(["-s", name])
            .arg(format!("{command}; sleep 60"))
            .env("HOME", std::env::temp_dir())
            .status()
            .unwrap();
        assert!(status.success());
        tmux
    }

    /// Send a bracketed paste of `text` (tmux `paste-buffer -p`).
    pub fn paste(&self, text: &str) {
        let status = self
            .tmux()
            .args(["set-buffer", "--", text])
            .status()
            .unwrap();
        assert!(status.success());
        let status = self
            .tmux()
            .args(["paste-buffer", "-p", "-t", &self.name])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Wait until the screen no longer shows `needle`.
    pub fn wait_gone(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if !screen.contains(needle) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "{needle:?} never went; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}
