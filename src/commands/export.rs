//! Exports from the command line: write a signed record or report, co-sign one, verify one,
//! and print the roster as an OpenSSH allowed_signers file.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{Error, load_identity};
use crate::cli::{Config, ExportArgs, ReportArgs};
use crate::core::sanitize::inline;
use crate::export::signature::{self, Checked};
use crate::ops::export::{self as export_ops, RecordRequest, ReportRequest, sig_path};
use crate::vault::{self, OpenMode};

fn usage(message: String, hint: &str) -> Error {
    Error::Usage {
        message,
        hint: hint.to_string(),
    }
}

/// Say on stderr that a file has left the encryption (the interface asks before instead).
fn plaintext_note(output: &Path, audience: &str, encrypted: bool) {
    if !encrypted {
        eprintln!(
            "note: {} is plaintext: it has left the encrypted case file. Share it only with {audience}.",
            output.display()
        );
    }
}

/// `casebook report`
pub(super) fn report(config: &Config, args: &ReportArgs, out: &mut dyn Write) -> Result<(), Error> {
    let identity = load_identity(config)?;
    let mut case_file = super::open_file(config, &args.file, &identity, OpenMode::ReadOnly)?;
    let request = ReportRequest {
        from: args.from,
        to: args.to,
        format: args.format,
        output: args.output.clone(),
        encrypt_to: args.encrypt_to.clone(),
    };
    let written = export_ops::write_report(&mut case_file, &identity, &request)?;
    plaintext_note(&args.output, "the public, as intended", written.encrypted);
    writeln!(
        out,
        "wrote {} and {} ({} cases received, {} in the previous period)",
        args.output.display(),
        written.sig_file.display(),
        written.received.0,
        written.received.1
    )?;
    Ok(())
}

/// `casebook export`
pub(super) fn export(config: &Config, args: &ExportArgs, out: &mut dyn Write) -> Result<(), Error> {
    let identity = load_identity(config)?;
    let mut case_file = super::open_file(config, &args.file, &identity, OpenMode::ReadOnly)?;
    let request = RecordRequest {
        code: args.code.clone(),
        profile: args.profile,
        format: args.format,
        output: args.output.clone(),
        encrypt_to: args.encrypt_to.clone(),
    };
    let written = export_ops::write_record(&mut case_file, &identity, &request)?;
    plaintext_note(
        &args.output,
        &format!("its audience ({})", args.profile.as_str()),
        written.encrypted,
    );
    writeln!(
        out,
        "wrote {} and {}",
        args.output.display(),
        written.sig_file.display()
    )?;
    writeln!(
        out,
        "verify: {}",
        written.verify_command(&case_file.label())
    )?;
    Ok(())
}

/// `casebook sign`: co-sign an existing record.
pub(super) fn cosign(config: &Config, record: &Path, out: &mut dyn Write) -> Result<(), Error> {
    let identity = load_identity(config)?;
    let path = export_ops::cosign(&identity, record)?;
    writeln!(out, "wrote {}", path.display())?;
    Ok(())
}

/// `casebook verify`
pub(super) fn verify(
    config: &Config,
    record: &Path,
    case_file: Option<&Path>,
    allowed: Option<&Path>,
    sigs: &[PathBuf],
    out: &mut dyn Write,
) -> Result<(), Error> {
    let bytes = std::fs::read(record).map_err(|e| {
        Error::from(vault::Error::Read {
            path: record.to_path_buf(),
            source: e,
        })
    })?;
    // Who may sign: (name, key line, still on the roster).
    let signers: Vec<(String, String, bool)> = match (case_file, allowed) {
        (Some(file), _) => {
            let identity = load_identity(config)?;
            let case_file = super::open_file(config, file, &identity, OpenMode::ReadOnly)?;
            case_file
                .roster()?
                .members()
                .iter()
                .filter(|m| m.recipient.starts_with("ssh-"))
                .map(|m| (m.name.clone(), m.recipient.clone(), m.is_active()))
                .collect()
        }
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Error::from(vault::Error::Read {
                    path: path.to_path_buf(),
                    source: e,
                })
            })?;
            signature::allowed_signers(&text)
                .into_iter()
                .map(|(p, k)| (p, k, true))
                .collect()
        }
        (None, None) => {
            return Err(usage(
                "who may sign?".into(),
                "give the case file or --allowed-signers FILE",
            ));
        }
    };
    let sigs: Vec<PathBuf> = if sigs.is_empty() {
        (1..)
            .map(|n| sig_path(record, n))
            .take_while(|p| p.exists())
            .collect()
    } else {
        sigs.to_vec()
    };
    if sigs.is_empty() {
        return Err(Error::Verification(
            format!("no signature found for {}", record.display()),
            4,
        ));
    }
    let (mut invalid, mut unknown) = (0, 0);
    for sig in &sigs {
        let pem = std::fs::read_to_string(sig).unwrap_or_default();
        match signature::check(&bytes, &pem) {
            Checked::Valid { key, fingerprint } => match signers.iter().find(|(_, k, _)| *k == key)
            {
                Some((name, _, true)) => writeln!(
                    out,
                    "{}: valid, signed by {} ({fingerprint})",
                    sig.display(),
                    inline(name)
                )?,
                Some((name, _, false)) => {
                    unknown += 1;
                    writeln!(
                        out,
                        "{}: valid, but {} ({fingerprint}) is no longer on the roster",
                        sig.display(),
                        inline(name)
                    )?
                }
                None => {
                    unknown += 1;
                    writeln!(
                        out,
                        "{}: valid, but the signer ({fingerprint}) is not on the roster",
                        sig.display()
                    )?
                }
            },
            Checked::Invalid { reason } => {
                invalid += 1;
                writeln!(out, "{}: INVALID: {reason}", sig.display())?
            }
        }
    }
    if invalid > 0 {
        return Err(Error::Verification(
            format!("{invalid} of {} signatures are invalid", sigs.len()),
            4,
        ));
    }
    if unknown > 0 {
        return Err(Error::Verification(
            format!(
                "{unknown} of {} signers are not (or no longer) on the roster",
                sigs.len()
            ),
            3,
        ));
    }
    Ok(())
}

/// `casebook member list --allowed-signers`
pub(super) fn allowed_signers(
    config: &Config,
    file: &Path,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let identity = load_identity(config)?;
    let case_file = super::open_file(config, file, &identity, OpenMode::ReadOnly)?;
    for member in case_file
        .roster()?
        .active()
        .filter(|m| m.recipient.starts_with("ssh-"))
    {
        writeln!(
            out,
            "{} namespaces=\"casebook\" {}",
            member.principal(),
            member.recipient
        )?;
    }
    Ok(())
}
