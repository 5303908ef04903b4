//! Exports from the command line: write a signed record or report, write the text a record
//! shows its audience, co-sign one, verify one, and print the roster's keys (with their
//! history) as an OpenSSH allowed_signers file.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::session::Session;
use super::{Error, load_identity};
use crate::cli::{Config, ExportArgs, RecordTextArgs, ReportArgs, VerifyArgs};
use crate::core::roster::{HeldKey, KeyEnd, Roster, key_history};
use crate::core::sanitize::inline;
use crate::export::signature::{self, Checked, Judged, Line, Refused};
use crate::export::{self as records};
use crate::ops::cases::{CaseChange, RecordText};
use crate::ops::export::{self as export_ops, RecordRequest, ReportRequest, Written, sig_path};
use crate::ops::vault::{self, OpenMode};

fn usage(message: String, hint: &str) -> Error {
    Error::Usage {
        message,
        hint: hint.to_string(),
    }
}

/// Say on stderr that a file has left the encryption (the interface asks before instead).
pub(super) fn plaintext_note(output: &Path, audience: &str, encrypted: bool) {
    if !encrypted {
        eprintln!(
            "note: {} is plaintext: it has left the encrypted case file. Share it only with {audience}.",
            inline(&output.display().to_string())
        );
    }
}

/// Where an export goes: `-o` as [`export_ops::place`] reads it, in the private export
/// folder (created 0700) unless a path was typed.
pub(super) fn placed(
    config: &Config,
    typed: Option<&Path>,
    fallback: &str,
) -> Result<PathBuf, Error> {
    let dir = &config.interface.export_dir;
    let typed = typed.map(|p| p.to_string_lossy().into_owned());
    let path = export_ops::place(typed.as_deref(), dir, fallback);
    if path.parent() == Some(dir.as_path()) {
        crate::ops::cases::private_dir(dir)?;
    }
    Ok(path)
}

/// Warn on stderr when plaintext for `audience` lands where more people may get it.
pub(super) fn warn_exposure(path: &Path, audience: &str) {
    if let Some(exposure) = export_ops::exposure(path) {
        eprintln!(
            "warning: {} is for {audience} only, but {exposure}; move it out, or export \
             without -o (to the private export folder)",
            inline(&path.display().to_string())
        );
    }
}

/// Ask on the terminal; `false` without one.
fn ask(question: &str) -> bool {
    use std::io::IsTerminal;
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return false;
    }
    eprint!("{question} [y/N] ");
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer).is_ok()
        && matches!(answer.trim().to_lowercase().as_str(), "y" | "yes")
}

/// Print what was written and how to check it.
pub(super) fn wrote(written: &Written, case_file: &str, out: &mut dyn Write) -> Result<(), Error> {
    writeln!(
        out,
        "wrote {} and {}",
        inline(&written.path.display().to_string()),
        inline(&written.sig_file.display().to_string())
    )?;
    if written.encrypted {
        writeln!(
            out,
            "they are age-encrypted; to check the signature, decrypt both with your identity, then verify:"
        )?;
    } else {
        writeln!(out, "verify:")?;
    }
    for command in written.verify_commands(case_file) {
        writeln!(out, "  {command}")?;
    }
    Ok(())
}

/// `casebook report`
pub(super) fn report(config: &Config, args: &ReportArgs, out: &mut dyn Write) -> Result<(), Error> {
    let identity = load_identity(config)?;
    let mut case_file = super::open_file(config, &args.file, &identity, OpenMode::ReadOnly)?;
    let output = placed(
        config,
        args.output.as_deref(),
        &format!(
            "transparency-{}-{}.{}",
            args.from,
            args.to,
            args.format.as_str()
        ),
    )?;
    let request = ReportRequest {
        from: args.from,
        to: args.to,
        format: args.format,
        output,
        encrypt_to: args.encrypt_to.clone(),
    };
    let written =
        export_ops::write_report_with(&mut case_file, &identity, &request, args.min_cell)?;
    plaintext_note(&written.path, "the public, as intended", written.encrypted);
    if !written.encrypted {
        warn_exposure(&written.path, "publication by the committee");
    }
    writeln!(
        out,
        "{} cases received, {} in the previous period; values with fewer than {} cases are counted as \"other\"",
        written.received.0, written.received.1, args.min_cell
    )?;
    wrote(&written, &case_file.label(), out)
}

/// `casebook export`
pub(super) fn export(config: &Config, args: &ExportArgs, out: &mut dyn Write) -> Result<(), Error> {
    let identity = load_identity(config)?;
    let mut case_file = super::open_file(config, &args.file, &identity, OpenMode::ReadOnly)?;
    let profile = args.profile.as_str();
    if !args.without_text && !export_ops::has_record_text(&mut case_file, &args.code, args.profile)?
    {
        let question = format!(
            "No member wrote the {profile} record's text for {}: it will say only \"Decision \
             record for {}\", the outcome and dates. Export it anyway?",
            inline(&args.code),
            inline(&args.code)
        );
        if !ask(&question) {
            return Err(usage(
                format!(
                    "no member wrote the text of the {profile} record of {}; it was not exported",
                    inline(&args.code)
                ),
                &format!(
                    "write it first: casebook record-text FILE {} --for {profile} --title \"...\" \
                     --summary - ; or export the neutral record with --without-text",
                    crate::ops::export::shell_quote(&args.code)
                ),
            ));
        }
    }
    let output = placed(
        config,
        args.output.as_deref(),
        &format!(
            "{}-{profile}.{}",
            crate::ops::export::safe_file_name(&args.code),
            args.format.as_str()
        ),
    )?;
    let request = RecordRequest {
        code: args.code.clone(),
        profile: args.profile,
        format: args.format,
        output,
        encrypt_to: args.encrypt_to.clone(),
    };
    let written = export_ops::write_record(&mut case_file, &identity, &request)?;
    let audience = format!("its audience ({profile})");
    plaintext_note(&written.path, &audience, written.encrypted);
    if !written.encrypted {
        warn_exposure(&written.path, &format!("the {profile} audience"));
    }
    wrote(&written, &case_file.label(), out)
}

/// `casebook record-text`
pub(super) fn record_text(
    config: &Config,
    args: &RecordTextArgs,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let change = CaseChange::RecordText(vec![RecordText {
        profile: args.profile,
        title: args.title.clone(),
        summary: args.summary.clone(),
    }]);
    let changed = Session::open(config, &args.file)?.change_case(
        &args.code,
        change,
        args.save_as.as_deref(),
    )?;
    writeln!(
        out,
        "{}: the {} record now shows this title{}",
        changed.before.code_name,
        args.profile.as_str(),
        if args.summary.is_empty() {
            " and no summary"
        } else {
            " and summary"
        }
    )?;
    Ok(())
}

/// `casebook sign`: co-sign an existing record.
pub(super) fn cosign(
    config: &Config,
    file: &Path,
    record: &Path,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let identity = load_identity(config)?;
    let mut case_file = super::open_file(
        config,
        file,
        &identity,
        crate::ops::vault::OpenMode::ReadOnly,
    )?;
    let path = export_ops::cosign(&mut case_file, &identity, record)?;
    writeln!(out, "wrote {}", inline(&path.display().to_string()))?;
    Ok(())
}

/// Who may sign, as the case file's history of keys says.
struct History {
    roster: Roster,
    keys: Vec<HeldKey>,
}

/// What one valid signature means.
enum Signer {
    /// A key the signer held at the record's moment: the words to say.
    Known(String),
    /// Valid, but not a key that could sign for the committee then: the words to say.
    Unknown(String),
}

impl History {
    fn judge(&self, key: &str, fingerprint: &str, at: DateTime<Utc>) -> Signer {
        let name = |id| {
            self.roster
                .get(id)
                .map(|m| inline(&m.name).into_owned())
                .unwrap_or_else(|| "?".into())
        };
        let day = |t: DateTime<Utc>| t.format("%Y-%m-%d").to_string();
        let held: Vec<&HeldKey> = self.keys.iter().filter(|k| k.key == key).collect();
        // A key counts for what its holder signed before it was retired (as `valid-before`).
        if let Some(k) = held
            .iter()
            .find(|k| k.until.is_none_or(|(until, _)| at <= until))
        {
            let who = name(k.member);
            return Signer::Known(match k.until {
                None => format!("signed by {who} ({fingerprint})"),
                Some((until, KeyEnd::Rotated)) => format!(
                    "signed by {who}'s previous key (rotated on {}) ({fingerprint})",
                    day(until)
                ),
                Some((until, KeyEnd::Removed)) => format!(
                    "signed by {who} ({fingerprint}), who left the committee on {}",
                    day(until)
                ),
            });
        }
        match held.last() {
            Some(k) => {
                let (until, why) = k.until.unwrap_or((at, KeyEnd::Rotated));
                let why = match why {
                    KeyEnd::Rotated => "rotated",
                    KeyEnd::Removed => "removed with them",
                };
                Signer::Unknown(format!(
                    "but by {}'s key {fingerprint}, {why} on {}, before the record's date ({})",
                    name(k.member),
                    day(until),
                    day(at)
                ))
            }
            None => Signer::Unknown(format!(
                "but the signer ({fingerprint}) is not on the roster"
            )),
        }
    }
}

/// Where signers come from.
enum Signers {
    History(History),
    Allowed {
        lines: Vec<Line>,
        principal: Option<String>,
    },
}

fn read_text(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| {
        Error::from(vault::Error::Read {
            path: path.to_path_buf(),
            source: e,
        })
    })
}

/// `casebook verify`
pub(super) fn verify(config: &Config, args: &VerifyArgs, out: &mut dyn Write) -> Result<(), Error> {
    let record = args.record.as_path();
    let signers = match (&args.case_file, &args.allowed_signers) {
        (Some(file), _) => {
            let identity = load_identity(config)?;
            let case_file = super::open_file(config, file, &identity, OpenMode::ReadOnly)?;
            Signers::History(History {
                roster: case_file.roster()?,
                keys: key_history(&case_file.committee_events()?),
            })
        }
        (None, Some(path)) => Signers::Allowed {
            lines: signature::parse_allowed_signers(&read_text(path)?),
            principal: args.principal.clone(),
        },
        (None, None) => {
            return Err(usage(
                "who may sign?".into(),
                "give the case file or --allowed-signers FILE",
            ));
        }
    };
    let bytes = std::fs::read(record).map_err(|e| {
        Error::from(vault::Error::Read {
            path: record.to_path_buf(),
            source: e,
        })
    })?;
    // The moment keys are judged at: as asked, else the one the record states.
    let recognised = records::recognise(&bytes);
    let at = args
        .at
        .or(recognised.as_ref().map(|r| r.as_of))
        .unwrap_or_else(Utc::now);
    let sigs: Vec<PathBuf> = if args.sigs.is_empty() {
        (1..)
            .map(|n| sig_path(record, n))
            .take_while(|p| p.exists())
            .collect()
    } else {
        args.sigs.clone()
    };
    if sigs.is_empty() {
        return Err(Error::Verification(
            format!(
                "no signature found for {}",
                inline(&record.display().to_string())
            ),
            4,
        ));
    }
    let (mut invalid, mut unknown) = (0, 0);
    for sig in &sigs {
        let shown = inline(&sig.display().to_string()).into_owned();
        let pem = match std::fs::read_to_string(sig) {
            Ok(pem) => pem,
            Err(e) => {
                invalid += 1;
                writeln!(out, "{shown}: INVALID: cannot read it ({e})")?;
                continue;
            }
        };
        let (key, fingerprint) = match signature::check(&bytes, &pem) {
            Checked::Valid { key, fingerprint } => (key, fingerprint),
            Checked::Invalid { reason } => {
                invalid += 1;
                writeln!(out, "{shown}: INVALID: {reason}")?;
                continue;
            }
        };
        match &signers {
            Signers::History(history) => match history.judge(&key, &fingerprint, at) {
                Signer::Known(words) => writeln!(out, "{shown}: valid, {words}")?,
                Signer::Unknown(words) => {
                    unknown += 1;
                    writeln!(out, "{shown}: valid, {words}")?
                }
            },
            Signers::Allowed { lines, principal } => {
                match signature::judge(lines, &key, principal.as_deref(), at) {
                    Judged::Allowed(principals) => {
                        let principals: Vec<String> =
                            principals.iter().map(|p| inline(p).into_owned()).collect();
                        writeln!(
                            out,
                            "{shown}: valid, signed by {} ({fingerprint})",
                            principals.join(" / ")
                        )?
                    }
                    Judged::Refused(why) => {
                        unknown += 1;
                        let why = match why {
                            Some(Refused::CertAuthority) => {
                                " (its line is a cert-authority, which admits no plain key)"
                                    .to_string()
                            }
                            Some(Refused::Namespace) => {
                                format!(
                                    " (its line does not allow namespace {})",
                                    signature::NAMESPACE
                                )
                            }
                            Some(Refused::NotYetValid(t)) => format!(" (valid only after {t})"),
                            Some(Refused::Expired(t)) => format!(" (valid only until {t})"),
                            Some(Refused::OtherKey) | None => String::new(),
                        };
                        let whom = match principal {
                            Some(p) => format!(" for {}", inline(p)),
                            None => String::new(),
                        };
                        writeln!(
                            out,
                            "{shown}: valid, but the signer ({fingerprint}) is not allowed{whom} at {at}{why}"
                        )?
                    }
                }
            }
        }
    }
    if invalid > 0 {
        return Err(Error::Verification(
            match sigs.len() {
                1 => "the signature is invalid".to_string(),
                n => format!("{invalid} of {n} signatures are invalid"),
            },
            4,
        ));
    }
    if unknown > 0 {
        let message = match args
            .principal
            .as_deref()
            .filter(|_| matches!(signers, Signers::Allowed { .. }))
        {
            Some(p) => format!(
                "{unknown} of {} signers are not allowed as {} (or not, or no longer, on the \
                 roster)",
                sigs.len(),
                inline(p)
            ),
            None => format!(
                "{unknown} of {} signers are not (or no longer) on the roster",
                sigs.len()
            ),
        };
        return Err(Error::Verification(message, 3));
    }
    Ok(())
}

/// `casebook member list --allowed-signers`: every signing key each member held, the current
/// one open-ended and each earlier one (rotated, or removed with its member) limited by
/// `valid-before` to the moment it was retired, so old records keep verifying with
/// `ssh-keygen -Overify-time`. Principals are unique; a file that would give one principal to
/// two members is refused.
pub(super) fn allowed_signers(
    config: &Config,
    file: &Path,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let identity = load_identity(config)?;
    let case_file = super::open_file(config, file, &identity, OpenMode::ReadOnly)?;
    let roster = case_file.roster()?;
    let keys = key_history(&case_file.committee_events()?);
    let mut principals: Vec<(String, crate::core::roster::MemberId)> = Vec::new();
    for member in roster.members() {
        let principal = member.principal();
        if let Some((_, other)) = principals
            .iter()
            .find(|(p, id)| p.eq_ignore_ascii_case(&principal) && *id != member.id)
        {
            let other = roster
                .get(*other)
                .map(|m| m.name.clone())
                .unwrap_or_default();
            return Err(usage(
                format!(
                    "{} and {} would share the principal {}",
                    inline(&member.name),
                    inline(&other),
                    inline(&principal)
                ),
                "give each member an address of their own with `casebook member` commands",
            ));
        }
        principals.push((principal, member.id));
    }
    writeln!(
        out,
        "# casebook members' signing keys; a line with valid-before is a key retired then: check \
         records made before with ssh-keygen -Overify-time"
    )?;
    let mut lines: Vec<(bool, String)> = Vec::new();
    for held in keys.iter().filter(|k| k.key.starts_with("ssh-")) {
        let Some(member) = roster.get(held.member) else {
            continue;
        };
        let key: String = held
            .key
            .split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ");
        let options = match held.until {
            None => format!("namespaces=\"{}\"", signature::NAMESPACE),
            Some((until, _)) => format!(
                "namespaces=\"{}\",valid-before=\"{}\"",
                signature::NAMESPACE,
                signature::openssh_time(until)
            ),
        };
        lines.push((
            held.until.is_some(),
            format!("{} {options} {key}", member.principal()),
        ));
    }
    // Current keys first, then retired ones, each in the order they were given.
    lines.sort_by_key(|(retired, _)| *retired);
    for (_, line) in lines {
        writeln!(out, "{line}")?;
    }
    Ok(())
}
