//! The key agent: a member unlocks their key once per working session, and the commands (the
//! git merge driver among them) get it from the agent instead of asking for the passphrase
//! every time.
//!
//! The agent is a process of its own that holds the unlocked key in locked memory (never
//! swapped, never in a core dump, not attachable by a debugger) for a time the member sets,
//! and forgets it on `casebook agent --stop` or when that time ends. Nothing of it reaches the
//! disk: the key comes to the agent through a pipe and goes to a command through a Unix
//! socket, in a folder only the member can enter, and the agent answers only processes of the
//! member's own user (`SO_PEERCRED`). ssh-agent cannot do this job (it signs, but cannot
//! decrypt age files), and an OS keyring keeps secrets on disk.
//!
//! The protocol is one line asking, one answer: `KEY <path>` gives the key loaded from
//! `<path>` (`KEY <length>` and the bytes) or `NONE`; `STATUS` gives `HOLDING <seconds
//! left> <path>`; `STOP` gives `STOPPED` and the agent wipes the key and exits.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

use super::Error;
use super::ffi::{LockedBuffer, harden_agent_process, own_uid, peer_uid};

/// The largest key the agent holds (an ed25519 OpenSSH key is about 400 bytes).
const MAX_KEY: usize = 16 * 1024;

/// How long a command waits for the agent's answer.
const ANSWER: Duration = Duration::from_secs(5);

/// Where the agent listens: `$CASEBOOK_AGENT_SOCK`, else `agent.sock` in
/// `$XDG_RUNTIME_DIR/casebook` (memory, private to the user), else in `/tmp/casebook-UID`.
pub fn socket_path() -> PathBuf {
    if let Some(path) = std::env::var_os("CASEBOOK_AGENT_SOCK").filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    let dir = match std::env::var_os("XDG_RUNTIME_DIR").filter(|p| !p.is_empty()) {
        Some(runtime) => PathBuf::from(runtime).join("casebook"),
        None => std::env::temp_dir().join(format!("casebook-{}", own_uid())),
    };
    dir.join("agent.sock")
}

fn agent_error(socket: &Path, detail: impl Into<String>) -> Error {
    Error::Agent {
        socket: socket.to_path_buf(),
        detail: detail.into(),
    }
}

/// Make the socket's folder if missing (0700), and refuse one that someone else owns, that
/// others may enter, or that is a link: whoever controls the folder could stand in for the
/// agent.
fn private_folder(socket: &Path) -> Result<(), Error> {
    let Some(dir) = socket.parent() else {
        return Err(agent_error(socket, "the socket has no folder"));
    };
    if !dir.exists() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| agent_error(socket, format!("cannot make {}: {e}", dir.display())))?;
    }
    let meta = std::fs::symlink_metadata(dir)
        .map_err(|e| agent_error(socket, format!("cannot read {}: {e}", dir.display())))?;
    if !meta.is_dir() {
        return Err(agent_error(
            socket,
            format!("{} is not a folder (a link?)", dir.display()),
        ));
    }
    if meta.uid() != own_uid() {
        return Err(agent_error(
            socket,
            format!("{} belongs to another user", dir.display()),
        ));
    }
    if meta.permissions().mode() & 0o077 != 0 {
        return Err(agent_error(
            socket,
            format!(
                "{} can be entered by other users (mode {:o}); it must be 0700",
                dir.display(),
                meta.permissions().mode() & 0o777
            ),
        ));
    }
    Ok(())
}

/// Ask the agent one line; its answer's first line and the reader (for a key's bytes).
/// `None` when no agent listens there.
fn ask(socket: &Path, request: &str) -> Result<Option<(String, BufReader<UnixStream>)>, Error> {
    if !socket.exists() {
        return Ok(None);
    }
    let Ok(mut stream) = UnixStream::connect(socket) else {
        // A socket nobody listens on: the agent has ended.
        return Ok(None);
    };
    // Only our own agent: a socket put there by another user is not asked for anything.
    let uid = peer_uid(&stream).map_err(|e| agent_error(socket, e.to_string()))?;
    if uid != own_uid() {
        return Err(agent_error(
            socket,
            format!("the process listening there runs as user {uid}, not as you"),
        ));
    }
    let io = |e: std::io::Error| agent_error(socket, e.to_string());
    // An agent whose time ended as it was asked closes the connection unanswered: no agent.
    let ended = |e: &std::io::Error| {
        matches!(
            e.kind(),
            std::io::ErrorKind::ConnectionReset
                | std::io::ErrorKind::BrokenPipe
                | std::io::ErrorKind::UnexpectedEof
        )
    };
    stream.set_read_timeout(Some(ANSWER)).map_err(io)?;
    stream.set_write_timeout(Some(ANSWER)).map_err(io)?;
    match stream.write_all(format!("{request}\n").as_bytes()) {
        Err(e) if ended(&e) => return Ok(None),
        other => other.map_err(io)?,
    }
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    match reader.read_line(&mut line) {
        Ok(0) => return Ok(None),
        Err(e) if ended(&e) => return Ok(None),
        other => {
            other.map_err(io)?;
        }
    }
    Ok(Some((line.trim_end().to_string(), reader)))
}

/// The key the agent holds for the identity file at `path`, if an agent runs and holds it.
pub fn key_for(path: &Path) -> Result<Option<Zeroizing<Vec<u8>>>, Error> {
    let socket = socket_path();
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let Some((answer, mut reader)) = ask(&socket, &format!("KEY {}", path.display()))? else {
        return Ok(None);
    };
    let Some(length) = answer.strip_prefix("KEY ") else {
        return Ok(None);
    };
    let length: usize = length
        .parse()
        .ok()
        .filter(|n| *n <= MAX_KEY)
        .ok_or_else(|| agent_error(&socket, "its answer is not a key"))?;
    let mut key = Zeroizing::new(vec![0u8; length]);
    reader
        .read_exact(&mut key)
        .map_err(|e| agent_error(&socket, e.to_string()))?;
    Ok(Some(key))
}

/// What a running agent holds: the key's path and the time left. `None` when none runs.
pub fn status() -> Result<Option<(PathBuf, Duration)>, Error> {
    let socket = socket_path();
    let Some((answer, _)) = ask(&socket, "STATUS")? else {
        return Ok(None);
    };
    let parsed = answer.strip_prefix("HOLDING ").and_then(|rest| {
        let (secs, path) = rest.split_once(' ')?;
        Some((PathBuf::from(path), Duration::from_secs(secs.parse().ok()?)))
    });
    parsed
        .map(Some)
        .ok_or_else(|| agent_error(&socket, format!("unexpected answer {answer:?}")))
}

/// Tell a running agent to forget its key and end. Whether one was running.
pub fn stop() -> Result<bool, Error> {
    let socket = socket_path();
    match ask(&socket, "STOP")? {
        Some((answer, _)) if answer == "STOPPED" => Ok(true),
        Some((answer, _)) => Err(agent_error(
            &socket,
            format!("unexpected answer {answer:?}"),
        )),
        None => Ok(false),
    }
}

/// Run the agent in this process: read the unlocked key of `path` from `key` (a pipe) into
/// locked memory, then answer on the socket until `lifetime` has passed or it is stopped.
/// Returns when it ends, the key wiped.
pub fn serve(path: &Path, key: &mut dyn Read, lifetime: Duration) -> Result<(), Error> {
    let socket = socket_path();
    harden_agent_process();
    let mut held = LockedBuffer::new(MAX_KEY).ok_or_else(|| {
        agent_error(
            &socket,
            "memory cannot be locked here (the system's limit on locked memory, ulimit -l), \
             and the key must not be swappable",
        )
    })?;
    held.fill(key)
        .map_err(|e| agent_error(&socket, format!("reading the key: {e}")))?;
    if held.as_slice().is_empty() {
        return Err(agent_error(&socket, "no key was given"));
    }
    private_folder(&socket)?;
    if ask(&socket, "STATUS")?.is_some() {
        return Err(agent_error(&socket, "an agent already runs there"));
    }
    // A socket left by an agent that ended without removing it.
    let _ = std::fs::remove_file(&socket);
    let listener = UnixListener::bind(&socket).map_err(|e| agent_error(&socket, e.to_string()))?;
    std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| agent_error(&socket, e.to_string()))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| agent_error(&socket, e.to_string()))?;
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let until = Instant::now() + lifetime;
    let me = own_uid();
    while Instant::now() < until {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
            Err(_) => continue,
        };
        if answer(stream, me, &path, &held, until) == Handled::Stop {
            break;
        }
    }
    // The socket goes; the key is wiped when `held` drops.
    let _ = std::fs::remove_file(&socket);
    drop(held);
    Ok(())
}

#[derive(PartialEq, Eq)]
enum Handled {
    Served,
    Stop,
}

/// Answer one connection: only a process of the agent's own user is answered.
fn answer(
    mut stream: UnixStream,
    me: u32,
    path: &Path,
    held: &LockedBuffer,
    until: Instant,
) -> Handled {
    if peer_uid(&stream).ok() != Some(me) {
        let _ = stream.write_all(b"REFUSED\n");
        return Handled::Served;
    }
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(ANSWER));
    let _ = stream.set_write_timeout(Some(ANSWER));
    let mut line = String::new();
    {
        let Ok(reader) = stream.try_clone() else {
            return Handled::Served;
        };
        let mut reader = BufReader::new(reader.take(4096));
        if reader.read_line(&mut line).is_err() {
            return Handled::Served;
        }
    }
    let request = line.trim_end();
    if request == "STOP" {
        let _ = stream.write_all(b"STOPPED\n");
        return Handled::Stop;
    }
    if request == "STATUS" {
        let left = until.saturating_duration_since(Instant::now()).as_secs();
        let _ = stream.write_all(format!("HOLDING {left} {}\n", path.display()).as_bytes());
        return Handled::Served;
    }
    match request.strip_prefix("KEY ") {
        Some(asked) if Path::new(asked) == path => {
            let key = held.as_slice();
            let _ = stream.write_all(format!("KEY {}\n", key.len()).as_bytes());
            let _ = stream.write_all(key);
        }
        _ => {
            let _ = stream.write_all(b"NONE\n");
        }
    }
    Handled::Served
}
