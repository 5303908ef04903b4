//! `casebook import`: every report file is read and parsed before anything is recorded, so a
//! bad file leaves the case file as it was.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::Error;
use super::session::Session;
use crate::cli::{AttachmentCommand, Config};
use crate::core::event::{AttachmentRef, EventKind};
use crate::core::sanitize::inline;
use crate::ops::import::{self, Opened, Skipped};
use crate::ops::vault::OpenMode;

/// `casebook import`
pub(super) fn import(
    config: &Config,
    file: &Path,
    paths: &[PathBuf],
    map: &[(String, String)],
    keep: &import::Keep<'_>,
    save_as: Option<&Path>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let map = map.iter().cloned().collect();
    let reports = import::read_reports(paths, &map, config.date_order)?;
    let mut session = Session::open(config, file)?;
    let me = session.me.clone();
    let imported = import::open_reports(&mut session.file, &me, &reports, keep)?;
    for Skipped { path, title, code } in &imported.skipped {
        writeln!(
            out,
            "skipped  {}  from {}: already imported as {code}",
            inline(title),
            inline(&path.display().to_string())
        )?;
    }
    if imported.opened.is_empty() {
        writeln!(
            out,
            "nothing new to import; {} is unchanged",
            file.display()
        )?;
        return Ok(());
    }
    session.save(save_as)?;
    // Which column of each form export went where, once per file.
    let mut explained: Vec<&PathBuf> = Vec::new();
    for opened in &imported.opened {
        if opened.columns.is_empty() || explained.contains(&&opened.path) {
            continue;
        }
        explained.push(&opened.path);
        writeln!(
            out,
            "columns of {}:",
            inline(&opened.path.display().to_string())
        )?;
        for (header, field) in &opened.columns {
            match field {
                Some(field) => writeln!(out, "  {:?} -> {field}", inline(header).as_ref())?,
                None => writeln!(
                    out,
                    "  {:?} -> kept in the report text",
                    inline(header).as_ref()
                )?,
            }
        }
    }
    for Opened {
        path,
        code,
        title,
        attachments,
        readings,
        sealed_from,
        linked,
        ..
    } in &imported.opened
    {
        for reading in readings {
            eprintln!("note: {code}: read {}", inline(reading));
        }
        let names = |names: &[String]| {
            names
                .iter()
                .map(|n| inline(n).into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !sealed_from.is_empty() {
            eprintln!(
                "note: {code} is sealed from {}: their copy never holds it",
                names(sealed_from)
            );
        }
        if !linked.is_empty() {
            eprintln!(
                "note: {code}'s report names committee member {}, who can read it (you chose \
                 not to seal it from them); to record them as a party, which keeps the \
                 reported one out at once: casebook party add {} {code} --role reported \
                 --name NAME",
                names(linked),
                crate::ops::export::shell_quote(&file.display().to_string()),
            );
        }
        let extra = if *attachments > 0 {
            format!(
                " ({})",
                crate::core::describe::count(*attachments, "attachment", "attachments")
            )
        } else {
            String::new()
        };
        writeln!(
            out,
            "{code}  {}  from {}{extra}",
            inline(title),
            inline(&path.display().to_string())
        )?;
    }
    Ok(())
}

/// Whether to seal the case opened for the report in `path` from the committee members it
/// names: yes without a terminal to ask on (a report about a member must never reach them
/// by default), else the member's answer, yes unless they say no.
pub(super) fn ask_to_seal(path: &Path, title: &str, names: &[String]) -> bool {
    use std::io::IsTerminal;
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return true;
    }
    let names: Vec<String> = names.iter().map(|n| inline(n).into_owned()).collect();
    eprint!(
        "{} ({}) names committee member {}. Seal the case from {} from the start? [Y/n] ",
        inline(&path.display().to_string()),
        inline(title),
        names.join(", "),
        if names.len() == 1 { "them" } else { "each" }
    );
    let mut answer = String::new();
    if std::io::stdin().read_line(&mut answer).is_err() {
        return true;
    }
    !matches!(answer.trim().to_lowercase().as_str(), "n" | "no")
}

/// The attachments of case `code`'s reports, in the order they arrived.
fn attachments_of(
    config: &Config,
    file: &Path,
    code: &str,
) -> Result<(crate::ops::OpenFile, String, Vec<AttachmentRef>), Error> {
    let identity = super::load_identity(config)?;
    let mut case_file = super::open_file(config, file, &identity, OpenMode::ReadOnly)?;
    let case = case_file.readable(code)?;
    let listed = case_file
        .timeline(case.id)?
        .into_iter()
        .flat_map(|event| match event.kind {
            EventKind::ReportReceived { attachments, .. } => attachments,
            _ => Vec::new(),
        })
        .collect();
    Ok((case_file, case.code_name, listed))
}

/// `casebook attachment ...`
pub(super) fn attachment(
    config: &Config,
    command: &AttachmentCommand,
    out: &mut dyn Write,
) -> Result<(), Error> {
    match command {
        AttachmentCommand::List { file, code, json } => {
            let (_, code, listed) = attachments_of(config, file, code)?;
            if *json {
                let rows: Vec<_> = listed
                    .iter()
                    .enumerate()
                    .map(|(n, a)| {
                        serde_json::json!({
                            "number": n + 1,
                            "name": a.name,
                            "content_type": a.content_type,
                            "size": a.size,
                            "sha256": a.sha256,
                        })
                    })
                    .collect();
                writeln!(out, "{}", super::json(&rows)?)?;
                return Ok(());
            }
            if listed.is_empty() {
                writeln!(out, "{code} has no attachments")?;
                return Ok(());
            }
            writeln!(
                out,
                "{:>3}  {:<32}  {:<24}  {:>10}",
                "#", "NAME", "TYPE", "BYTES"
            )?;
            for (n, a) in listed.iter().enumerate() {
                writeln!(
                    out,
                    "{:>3}  {:<32}  {:<24}  {:>10}",
                    n + 1,
                    inline(&a.name),
                    inline(&a.content_type),
                    a.size
                )?;
            }
        }
        AttachmentCommand::Save {
            file,
            code,
            name,
            output,
        } => {
            let (case_file, code, listed) = attachments_of(config, file, code)?;
            let by_number = name
                .parse::<usize>()
                .ok()
                .and_then(|n| n.checked_sub(1))
                .and_then(|i| listed.get(i));
            let Some(found) = listed.iter().find(|a| a.name == *name).or(by_number) else {
                return Err(usage(
                    format!("{code} has no attachment named {name:?}"),
                    "list them with `casebook attachment list FILE CODE`",
                ));
            };
            let data = case_file.attachment(&found.sha256)?.ok_or_else(|| {
                usage(
                    format!(
                        "the bytes of {:?} are not in {}",
                        found.name,
                        file.display()
                    ),
                    "the copy that imported it may still hold them; ask that member",
                )
            })?;
            let typed = output.as_ref().map(|p| p.to_string_lossy().into_owned());
            let dir = &config.interface.export_dir;
            let output = &crate::ops::export::place(
                typed.as_deref(),
                dir,
                &crate::ops::export::safe_file_name(&found.name),
            );
            if output.parent() == Some(dir.as_path()) {
                crate::ops::cases::private_dir(dir)?;
            }
            crate::ops::vault::write_new(output, &data, 0o600)?;
            super::export::warn_exposure(output, "the committee");
            writeln!(
                out,
                "wrote {} ({} bytes) from {code}",
                output.display(),
                data.len()
            )?;
            eprintln!(
                "note: {} is plaintext: it has left the encrypted case file. Delete it securely \
                 when you no longer need it.",
                inline(&output.display().to_string())
            );
        }
    }
    Ok(())
}

fn usage(message: String, hint: &str) -> Error {
    Error::Usage {
        message,
        hint: hint.to_string(),
    }
}
