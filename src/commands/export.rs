//! Exports from the command line: write a signed record, co-sign one, verify one, and print
//! the roster as an OpenSSH allowed_signers file.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{Error, load_identity};
use crate::cli::Config;
use crate::core::roster::Member;
use crate::core::sanitize::inline;
use crate::export::signature::{self, Checked};
use crate::export::{self as records, Profile};
use crate::vault::{self, CaseFile, Identity, OpenMode, Recipient};

fn usage(message: String, hint: &str) -> Error {
    Error::Usage {
        message,
        hint: hint.to_string(),
    }
}

/// Write `bytes` to a new file (never overwriting), mode 0600.
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    Ok(vault::write_new(path, bytes, 0o600)?)
}

/// Sign `bytes` with the identity's SSH key (age X25519 identities cannot sign).
fn sign(identity: &Identity, bytes: &[u8]) -> Result<String, Error> {
    let key = identity.signing_key().ok_or_else(|| Error::CannotSign {
        identity: identity.label().to_path_buf(),
    })?;
    signature::sign(key, bytes).map_err(|e| usage(e.to_string(), "check your key"))
}

fn sig_path(record: &Path, n: usize) -> PathBuf {
    let suffix = if n == 1 {
        ".sig".to_string()
    } else {
        format!(".sig.{n}")
    };
    PathBuf::from(format!("{}{suffix}", record.display()))
}

/// Write `text` and its signature `sig` to `output` and `output.sig` (never overwriting
/// either): in plaintext, or age-encrypted to `encrypt_to`. Returns the signature's path.
fn write_signed(
    output: &Path,
    text: &str,
    sig: &str,
    encrypt_to: &[String],
) -> Result<PathBuf, Error> {
    let sig_file = sig_path(output, 1);
    for path in [output, sig_file.as_path()] {
        if path.exists() {
            return Err(Error::Vault(vault::Error::Exists {
                path: path.to_path_buf(),
            }));
        }
    }
    if encrypt_to.is_empty() {
        write_new(output, text.as_bytes())?;
        write_new(&sig_file, sig.as_bytes())?;
    } else {
        let recipients = encrypt_to
            .iter()
            .map(|r| Recipient::parse(r))
            .collect::<Result<Vec<_>, _>>()?;
        vault::encrypt_new_file(output, text.as_bytes(), &recipients)?;
        vault::encrypt_new_file(&sig_file, sig.as_bytes(), &recipients)?;
    }
    Ok(sig_file)
}

/// Say on stderr that a file has left the encryption (the interface asks before instead).
fn plaintext_note(output: &Path, audience: &str, encrypt_to: &[String]) {
    if encrypt_to.is_empty() {
        eprintln!(
            "note: {} is plaintext: it has left the encrypted case file. Share it only with {audience}.",
            output.display()
        );
    }
}

/// What an export or report wrote.
pub(crate) struct Written {
    /// The signature beside it.
    pub(crate) sig_file: PathBuf,
    /// For a record: the command that verifies it with stock OpenSSH.
    pub(crate) verify: Option<String>,
    /// For a report: cases received in the period and in the previous one.
    pub(crate) received: (u64, u64),
}

/// The signer as signed content names them: "Name (SHA256:...)"; only members with an SSH key
/// can sign.
fn signer_label(file: &CaseFile, identity: &Identity) -> Result<(Member, String), Error> {
    let me = file.me()?.ok_or_else(|| Error::NotAMember {
        file: PathBuf::from(file.label()),
    })?;
    if identity.signing_key().is_none() {
        return Err(Error::CannotSign {
            identity: identity.label().to_path_buf(),
        });
    }
    let label = format!(
        "{} ({})",
        inline(&me.name),
        vault::fingerprint(identity.recipient())
    );
    Ok((me, label))
}

/// Build, sign and write the transparency report for `from..=to` (dates as YYYY-MM-DD).
pub(crate) fn write_report(
    file: &mut CaseFile,
    identity: &Identity,
    from: &str,
    to: &str,
    format: &str,
    output: &Path,
    encrypt_to: &[String],
) -> Result<Written, Error> {
    let day = |value: &str| {
        chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
            usage(
                format!("{value:?} is not a date"),
                "write dates as YYYY-MM-DD",
            )
        })
    };
    let (from, to) = (day(from)?, day(to)?);
    if to < from {
        return Err(usage(
            format!("the period ends ({to}) before it starts ({from})"),
            "swap --from and --to",
        ));
    }
    if !matches!(format, "md" | "json" | "csv") {
        return Err(usage(
            format!("unknown format {format:?}"),
            "use --format md, json or csv",
        ));
    }
    let (_, signer) = signer_label(file, identity)?;
    let roster_hash = records::roster_hash(&file.roster()?);
    let report = records::report::build(file.cases()?.values(), from, to, &signer, roster_hash);
    let text = match format {
        "json" => report.to_json(),
        "csv" => report.to_csv(),
        _ => report.to_markdown(),
    };
    let sig = sign(identity, text.as_bytes())?;
    let sig_file = write_signed(output, &text, &sig, encrypt_to)?;
    Ok(Written {
        sig_file,
        verify: None,
        received: (report.current.received, report.previous.received),
    })
}

/// Build, sign and write the decision record of case `code` for `profile`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn write_record(
    file: &mut CaseFile,
    identity: &Identity,
    code: &str,
    profile: &str,
    format: &str,
    output: &Path,
    encrypt_to: &[String],
) -> Result<Written, Error> {
    let profile: Profile = profile
        .parse()
        .map_err(|e: String| usage(e, "choose the audience with --for"))?;
    if !matches!(format, "md" | "json") {
        return Err(usage(
            format!("unknown format {format:?}"),
            "use --format md or --format json",
        ));
    }
    let (me, signer) = signer_label(file, identity)?;
    let case = file.case_by_code(code)?;
    if case.conflict_of(me.id) == Some(crate::core::event::ConflictKind::Hard) {
        return Err(Error::Rule(crate::core::process::RuleError::HardConflict {
            case: case.code_name.clone(),
            member: me.name.clone(),
        }));
    }
    let roster = file.roster()?;
    let timeline = file.timeline(case.id)?;
    let record = records::record(&case, &timeline, &roster, profile, &signer)?;
    let text = if format == "json" {
        record.to_json()
    } else {
        record.to_markdown()
    };
    let sig = sign(identity, text.as_bytes())?;
    let sig_file = write_signed(output, &text, &sig, encrypt_to)?;
    let verify = format!(
        "casebook member list {} --allowed-signers > allowed_signers && ssh-keygen -Y verify -f allowed_signers -I {} -n casebook -s {} < {}",
        file.label(),
        me.principal(),
        sig_file.display(),
        output.display()
    );
    Ok(Written {
        sig_file,
        verify: Some(verify),
        received: (0, 0),
    })
}

/// `casebook report`
#[allow(clippy::too_many_arguments)]
pub(super) fn report(
    config: &Config,
    file: &Path,
    from: &str,
    to: &str,
    format: &str,
    output: &Path,
    encrypt_to: &[String],
    out: &mut dyn Write,
) -> Result<(), Error> {
    let identity = load_identity(config)?;
    let mut case_file = CaseFile::open(file, &identity, OpenMode::ReadOnly)?;
    let written = write_report(
        &mut case_file,
        &identity,
        from,
        to,
        format,
        output,
        encrypt_to,
    )?;
    plaintext_note(output, "the public, as intended", encrypt_to);
    writeln!(
        out,
        "wrote {} and {} ({} cases received, {} in the previous period)",
        output.display(),
        written.sig_file.display(),
        written.received.0,
        written.received.1
    )?;
    Ok(())
}

/// `casebook export`
#[allow(clippy::too_many_arguments)]
pub(super) fn export(
    config: &Config,
    file: &Path,
    code: &str,
    profile: &str,
    format: &str,
    output: &Path,
    encrypt_to: &[String],
    out: &mut dyn Write,
) -> Result<(), Error> {
    let identity = load_identity(config)?;
    let mut case_file = CaseFile::open(file, &identity, OpenMode::ReadOnly)?;
    let written = write_record(
        &mut case_file,
        &identity,
        code,
        profile,
        format,
        output,
        encrypt_to,
    )?;
    plaintext_note(output, &format!("its audience ({profile})"), encrypt_to);
    writeln!(
        out,
        "wrote {} and {}",
        output.display(),
        written.sig_file.display()
    )?;
    if let Some(verify) = written.verify {
        writeln!(out, "verify: {verify}")?;
    }
    Ok(())
}

/// `casebook sign`: co-sign an existing record.
pub(super) fn cosign(config: &Config, record: &Path, out: &mut dyn Write) -> Result<(), Error> {
    let identity = load_identity(config)?;
    let bytes = std::fs::read(record).map_err(|e| {
        Error::Vault(vault::Error::Read {
            path: record.to_path_buf(),
            source: e,
        })
    })?;
    let sig = sign(&identity, &bytes)?;
    let path = (1..)
        .map(|n| sig_path(record, n))
        .find(|p| !p.exists())
        .unwrap_or_else(|| sig_path(record, 1));
    write_new(&path, sig.as_bytes())?;
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
        Error::Vault(vault::Error::Read {
            path: record.to_path_buf(),
            source: e,
        })
    })?;
    // Who may sign: (name, key line, still on the roster).
    let signers: Vec<(String, String, bool)> = match (case_file, allowed) {
        (Some(file), _) => {
            let identity = load_identity(config)?;
            let case_file = CaseFile::open(file, &identity, OpenMode::ReadOnly)?;
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
                Error::Vault(vault::Error::Read {
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
    let case_file = CaseFile::open(file, &identity, OpenMode::ReadOnly)?;
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
