//! `casebook expunge`: propose, approve or hold off a case's expunge.

use std::io::Write;

use super::Error;
use super::session::Session;
use crate::cli::{Config, ExpungeArgs, PersonArgs};
use crate::core::event::EventKind;
use crate::core::sanitize::inline;
use crate::ops::cases::CaseChange;

pub(super) fn expunge(
    config: &Config,
    args: &ExpungeArgs,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let mut session = Session::open(config, &args.file)?;
    let case = session.file.case_by_code(&args.code)?;
    let name = inline(&case.code_name).into_owned();
    if let Some(until) = args.hold_until {
        let legal = args.legal;
        session.change_case(
            &args.code,
            CaseChange::HoldExpunge {
                until,
                reason: args.why.clone().unwrap_or_default(),
                legal,
            },
            args.save_as.as_deref(),
        )?;
        if legal {
            writeln!(
                out,
                "{name}: legal hold until {until}; it cannot be expunged before then"
            )?;
        } else {
            writeln!(out, "{name}: expunging postponed until {until}")?;
        }
        return Ok(());
    }
    if let Some(reason) = args.reason {
        let changed = session.change_case(
            &args.code,
            CaseChange::Expunge {
                reason,
                note: args.note.clone(),
            },
            args.save_as.as_deref(),
        )?;
        let count = changed
            .events
            .iter()
            .find_map(|e| match &e.kind {
                EventKind::CaseExpunged { manifest, .. } => Some(manifest.count),
                _ => None,
            })
            .unwrap_or_default();
        writeln!(
            out,
            "{name}: expunge proposed ({}); it takes effect when a second member approves \
             (`casebook expunge FILE {name} --approve`)",
            reason.as_str()
        )?;
        writeln!(out, "{}", crate::core::retention::what_goes(count as usize))?;
        return Ok(());
    }
    if !args.approve {
        return Err(Error::Usage {
            message: "say what to do with the case".into(),
            hint: "--reason R to propose an expunge, --approve to approve one, or \
                   --hold-until DATE --why TEXT to hold one off"
                .into(),
        });
    }
    if case.expunged.is_some() {
        return Err(crate::core::process::RuleError::Expunged {
            case: case.code_name.clone(),
        }
        .into());
    }
    if !case.readable_by(session.me.id) {
        return Err(crate::core::process::RuleError::ExpungeApproval {
            case: case.code_name.clone(),
            why: "the case is sealed from you; a member who reads it approves its expunge".into(),
        }
        .into());
    }
    let Some((tombstone, by, count, reason, note)) =
        case.pending.iter().find_map(|p| match &p.kind {
            EventKind::CaseExpunged {
                manifest,
                reason,
                note,
                ..
            } => Some((p.id, p.author, manifest.count, *reason, note.clone())),
            _ => None,
        })
    else {
        return Err(crate::core::process::RuleError::ExpungeApproval {
            case: case.code_name.clone(),
            why: "no expunge waits for approval".into(),
        }
        .into());
    };
    // What the rules say of the approval now, before anything is shown as approvable (a
    // legal hold, a reopening, the proposer themselves).
    session.file.as_member(|actor| {
        crate::core::process::after_decision(
            actor,
            &case,
            EventKind::ExpungeApproved { tombstone },
            chrono::Utc::now(),
        )
    })?;
    let roster = session.file.roster()?;
    let proposer = roster
        .get(by)
        .map(|m| inline(&m.name).into_owned())
        .unwrap_or_else(|| "a former member".into());
    if !args.yes {
        writeln!(
            out,
            "{name}: {proposer} proposed to expunge it ({}){}",
            reason.as_str(),
            if note.is_empty() {
                String::new()
            } else {
                format!(": {}", inline(&note))
            }
        )?;
        writeln!(out, "{}", crate::core::retention::what_goes(count as usize))?;
        writeln!(
            out,
            "nothing changed; approve with `casebook expunge FILE {name} --approve --yes` \
             (it cannot be undone)"
        )?;
        return Ok(());
    }
    session.change_case(
        &args.code,
        CaseChange::ApproveExpunge,
        args.save_as.as_deref(),
    )?;
    writeln!(
        out,
        "{name}: expunged; its content is erased from this copy and from every copy that \
         merges it; it keeps its retained record"
    )?;
    Ok(())
}

/// `casebook person FILE REFERENCE --export OUT [--yes]`: a subject-access record.
pub(super) fn person(config: &Config, args: &PersonArgs, out: &mut dyn Write) -> Result<(), Error> {
    let identity = super::load_identity(config)?;
    let mut file = super::open_file(
        config,
        &args.file,
        &identity,
        crate::ops::vault::OpenMode::ReadOnly,
    )?;
    let record = crate::ops::person::gather(&mut file, &args.reference)?;
    let output = super::export::placed(config, Some(&args.export), "person.md")?;
    if !args.yes {
        write!(out, "{}", record.to_markdown(chrono::Utc::now()))?;
        writeln!(
            out,
            "\nnothing written: this is what the record would hold; add --yes to write it, \
             signed, to {}",
            inline(&output.display().to_string())
        )?;
        return Ok(());
    }
    let written = crate::ops::person::write(&file, &identity, &record, &output, &args.encrypt_to)?;
    super::export::plaintext_note(&written.path, "the person it is about", written.encrypted);
    if !written.encrypted {
        super::export::warn_exposure(&written.path, "the person it is about");
    }
    super::export::wrote(&written, &file.label(), out)
}
