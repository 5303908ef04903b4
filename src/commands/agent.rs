//! `casebook agent`: unlock the key once, and let an agent process hold it for the working
//! session (see [`crate::ops::vault::agent`]).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{Error, load_identity_without_agent};
use crate::cli::Config;
use crate::core::sanitize::inline;
use crate::ops::vault::{self, agent};

/// `casebook agent [--timeout MINUTES] [--stop] [--status]`
pub(super) fn agent(
    config: &Config,
    minutes: f64,
    stop: bool,
    status: bool,
    serve: Option<&Path>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let lifetime = Duration::from_secs_f64(minutes * 60.0);
    if let Some(path) = serve {
        return Ok(agent::serve(path, &mut std::io::stdin().lock(), lifetime)?);
    }
    if stop {
        let said = if agent::stop()? {
            "the agent forgot the key and ended"
        } else {
            "no agent was running"
        };
        writeln!(out, "{said}")?;
        return Ok(());
    }
    if status {
        match agent::status()? {
            Some((key, left)) => writeln!(
                out,
                "an agent holds {} for {} more (socket {})",
                inline(&key.display().to_string()),
                minutes_left(left),
                agent::socket_path().display()
            )?,
            None => writeln!(out, "no agent is running")?,
        }
        return Ok(());
    }
    // Already running: nothing to do, and nothing asked (starting it twice is no mistake).
    if let Some((key, left)) = agent::status()? {
        writeln!(
            out,
            "an agent already holds {} for {} more; nothing to do (`casebook agent --stop` ends \
             it, to start one for another key or time)",
            inline(&key.display().to_string()),
            minutes_left(left)
        )?;
        return Ok(());
    }
    // The passphrase is asked here, once; the agent gets the unlocked key through a pipe.
    let identity = load_identity_without_agent(config)?;
    let key = identity.unlocked_bytes()?;
    let path = identity.label().to_path_buf();
    let exe = std::env::current_exe()?;
    let mut child = {
        use std::os::unix::process::CommandExt;
        Command::new(exe)
            .arg("agent")
            .arg("--timeout")
            .arg(minutes.to_string())
            .arg("--serve")
            .arg(&path)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            // Its own process group: Ctrl-C in this terminal does not end it.
            .process_group(0)
            .spawn()?
    };
    if let Some(mut pipe) = child.stdin.take() {
        pipe.write_all(&key)?;
    }
    drop(key);
    // Ready when it answers; if it ends first, say why.
    let started = Instant::now();
    loop {
        if agent::status()?.is_some() {
            break;
        }
        if let Some(status) = child.try_wait()? {
            let mut why = String::new();
            if let Some(mut err) = child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut err, &mut why);
            }
            return Err(Error::Usage {
                message: format!(
                    "the agent did not start ({status}): {}",
                    inline(why.trim().trim_start_matches("error: "))
                ),
                hint: "commands ask for the passphrase as before".into(),
            });
        }
        if started.elapsed() > Duration::from_secs(10) {
            return Err(Error::Ops(crate::ops::Error::Vault(vault::Error::Agent {
                socket: agent::socket_path(),
                detail: "it did not answer within 10 seconds".into(),
            })));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    writeln!(
        out,
        "the agent holds {} for {}; commands take it from there (socket {}). \
         `casebook agent --stop` forgets it.",
        inline(&path.display().to_string()),
        minutes_left(lifetime),
        agent::socket_path().display()
    )?;
    Ok(())
}

/// "45 minutes", "1 minute", "30 seconds".
fn minutes_left(left: Duration) -> String {
    let secs = left.as_secs();
    if secs < 120 {
        crate::core::describe::count(secs as usize, "second", "seconds")
    } else {
        crate::core::describe::count(secs.div_ceil(60) as usize, "minute", "minutes")
    }
}
