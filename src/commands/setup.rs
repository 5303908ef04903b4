//! The subcommands that set a committee up or hand a file to the interface: a key, a new
//! case file, opening one (read-only where nothing can be written beside it), adopting an
//! unsigned history, the demo, synthetic cases for benchmarks, shell completions and the
//! manual pages.

use std::io::Write;
use std::path::Path;

use chrono::Utc;

use super::{Error, Interactive, exit, info, load_identity, open_file, session};
use crate::cli::Config;
use crate::core::sanitize;
use crate::ops;
use crate::ops::OpenFile;
use crate::ops::vault::{self, Founder, Identity, OpenMode, PassphraseSource, Recipient};

/// `casebook init`: a new case file, founded by the member whose key opens it, with the
/// committee's fingerprint to send to the others.
pub(super) fn init(
    config: &Config,
    file: &Path,
    name: &str,
    email: Option<&str>,
    recipients: &[Recipient],
    armor: bool,
    out: &mut dyn Write,
) -> Result<(), Error> {
    if let Some(email) = email
        && !crate::core::roster::valid_email(email)
    {
        return Err(Error::Usage {
            message: format!("{email:?} is not a plain email address"),
            hint: "give your plain address, such as robin@example.org (it is how signatures \
                   name you)"
                .into(),
        });
    }
    let identity = load_identity(config)?;
    let founder = Founder {
        name: name.to_string(),
        email: email.map(str::to_string),
    };
    let case_file = OpenFile::create(file, &identity, &founder, recipients, armor, Utc::now())?;
    let summary = case_file.summary()?;
    writeln!(
        out,
        "created {} for {} (chair), encrypted to {} recipient{}",
        file.display(),
        sanitize::inline(name),
        summary.header_stanzas,
        if summary.header_stanzas == 1 { "" } else { "s" },
    )?;
    if let Some(fingerprint) = &case_file.trust().fingerprint {
        writeln!(
            out,
            "committee fingerprint: {fingerprint}\nsend it to each member over another \
             channel than the file; they check it on their first open (casebook \
             --committee {fingerprint} info FILE)"
        )?;
    }
    Ok(())
}

/// `casebook open`: the file for the interface, with how to load the same key again when the
/// screen is unlocked.
pub(super) fn open(config: &Config, file: &Path) -> Result<Interactive, Error> {
    let identity = load_identity(config)?;
    let case_file = match open_file(config, file, &identity, OpenMode::ReadWrite) {
        // Nothing can be written beside it: open it to read, and to save as.
        Err(Error::Ops(ops::Error::Vault(vault::Error::ReadOnlyFilesystem { .. }))) => {
            eprintln!(
                "note: {} is on a read-only filesystem: opened read-only (S saves under a new \
                 name elsewhere)",
                sanitize::inline(&file.display().to_string())
            );
            open_file(config, file, &identity, OpenMode::ReadOnly)?
        }
        other => other?,
    };
    // Unlocking after the screen lock loads the same key file again.
    let path = identity.label().to_path_buf();
    let configured = config.passphrases.clone();
    let reload = move |typed: PassphraseSource| match &configured {
        PassphraseSource::File(_) => Identity::load(&path, &configured),
        _ => Identity::load(&path, &typed),
    };
    Ok(Interactive {
        file: case_file,
        identity,
        reload: Box::new(reload),
    })
}

/// `casebook adopt`: a history from before signed history, signed by this member.
pub(super) fn adopt(config: &Config, file: &Path, out: &mut dyn Write) -> Result<(), Error> {
    let mut session = session::Session::open(config, file)?;
    session.file.adopt(&session.identity, Utc::now())?;
    let report = session.save(None)?;
    writeln!(
        out,
        "adopted the history of {} with your signature; it is now signed and verified",
        report.path.display()
    )?;
    Ok(())
}

/// `casebook demo`: the built-in demo, in the interface on a terminal, saved with `--save-as`,
/// summarised otherwise.
pub(super) fn demo(
    save_as: Option<&Path>,
    json: bool,
    out: &mut dyn Write,
) -> Result<Option<Interactive>, Error> {
    let (mut case_file, identity) = OpenFile::demo()?;
    if let Some(path) = save_as {
        let report = case_file.save_as(path, &identity)?;
        writeln!(
            out,
            "saved the demo as {} ({} bytes, encrypted to {} recipients)",
            report.path.display(),
            report.bytes,
            report.recipients
        )?;
    } else if !json && std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        return Ok(Some(Interactive {
            file: case_file,
            identity,
            reload: Box::new(|_| vault::demo_identity()),
        }));
    } else {
        info::print(&case_file.summary()?, json, out)?;
    }
    Ok(None)
}

/// `casebook synth`: synthetic cases added to a file, for benchmarks and tests.
pub(super) fn synth(
    config: &Config,
    file: &Path,
    spec: &ops::SeedSpec,
    save_as: Option<&Path>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let mut session = session::Session::open(config, file)?;
    ops::seed(&mut session.file, spec, Utc::now(), &session.identity)?;
    let report = session.save(save_as)?;
    writeln!(
        out,
        "added {} cases; {} is {} bytes",
        spec.cases,
        report.path.display(),
        report.bytes
    )?;
    Ok(())
}

/// `casebook completions`: the shell's completion script.
pub(super) fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> Result<(), Error> {
    let mut command = <crate::cli::Args as clap::CommandFactory>::command();
    // Written whole, then sent: clap_complete panics on a write error (a reader that left,
    // `| head`), which the written-out script reports as the pipe it is.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "casebook", &mut script);
    out.write_all(&script)?;
    Ok(())
}

/// `casebook man`: one page, or every page into a folder.
pub(super) fn man(
    subcommand: &[String],
    dir: Option<&Path>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let mut command =
        <crate::cli::Args as clap::CommandFactory>::command().disable_help_subcommand(true);
    // Built, so that every subcommand has its full name (casebook-member-add), as the pages
    // that list them refer to.
    command.build();
    if let Some(dir) = dir {
        crate::ops::cases::private_dir(dir)?;
        clap_mangen::generate_to(command.clone(), dir)?;
        // The main page with its EXIT STATUS section, which clap does not write.
        let mut main = Vec::new();
        main_page(command, &mut main)?;
        std::fs::write(dir.join("casebook.1"), main)?;
        writeln!(out, "wrote the manual pages to {}", dir.display())?;
        return Ok(());
    }
    if subcommand.is_empty() {
        return main_page(command, out);
    }
    let mut page = command;
    for name in subcommand {
        let found = page
            .get_subcommands()
            .find(|s| s.get_name() == name && !s.is_hide_set())
            .cloned();
        page = found.ok_or_else(|| Error::Usage {
            message: format!(
                "there is no manual page for {:?}",
                sanitize::inline(&subcommand.join(" "))
            ),
            hint: "`casebook man` lists the subcommands; for example `casebook man member add`"
                .to_string(),
        })?;
    }
    clap_mangen::Man::new(page).render(out)?;
    Ok(())
}

/// casebook's own page: clap's sections, and the exit status by class.
fn main_page(command: clap::Command, out: &mut dyn Write) -> Result<(), Error> {
    let man = clap_mangen::Man::new(command);
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    man.render_subcommands_section(out)?;
    out.write_all(exit::man_section().as_bytes())?;
    man.render_version_section(out)?;
    Ok(())
}

/// `casebook keygen`: a new member key, its public half printed.
pub(super) fn keygen(
    output: &Path,
    protect: bool,
    comment: &str,
    passphrases: &PassphraseSource,
    out: &mut dyn Write,
) -> Result<(), Error> {
    // A passphrase file given on keygen's command line means "protect the new key with
    // this"; one from the environment or the config file is for opening keys, never put on a
    // new one (it may be the chair's, and the key another member's).
    let secret = if protect {
        Some(passphrases.new_passphrase(output)?)
    } else {
        None
    };
    let public = vault::keygen(output, comment, secret.as_ref())?;
    writeln!(out, "{public}")?;
    eprintln!(
        "wrote {} (private, mode 0600{}) and {}",
        sanitize::inline(&output.display().to_string()),
        if protect {
            ", passphrase-protected"
        } else {
            ""
        },
        sanitize::inline(&vault::public_key_path(output).display().to_string())
    );
    Ok(())
}
