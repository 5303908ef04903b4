//! `-` for standard input on every free-text option: case text typed on the command line is
//! seen by `ps` and kept in shell history, text piped in is not. The values are replaced before
//! any work, so the commands only ever see the text.

use std::io::Read;

use super::subcommands::{
    CaseCommand, CommsCommand, EditArgs, EmergencyCommand, MemberCommand, NoteCommand,
    PartyCommand, SanctionCommand, TemplateCommand,
};
use super::{Command, ConfigError, RecordTextArgs};

/// Replace every free-text option given as `-` with what standard input holds.
pub(super) fn resolve(command: &mut Command) -> Result<(), ConfigError> {
    resolve_from(command, &mut || {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| ConfigError::Stdin(e.to_string()))?;
        Ok(text)
    })
}

/// [`resolve`], reading with `read` (tests give their own).
pub(super) fn resolve_from(
    command: &mut Command,
    read: &mut dyn FnMut() -> Result<String, ConfigError>,
) -> Result<(), ConfigError> {
    let mut fields: Vec<(&'static str, &mut String)> = Vec::new();
    collect(command, &mut fields);
    let mut dashes = fields
        .into_iter()
        .filter(|(_, value)| value.as_str() == "-");
    let Some((first, value)) = dashes.next() else {
        return Ok(());
    };
    if let Some((second, _)) = dashes.next() {
        return Err(ConfigError::StdinTwice {
            first: first.to_string(),
            second: second.to_string(),
        });
    }
    let text = read()?;
    // A trailing newline is the pipe's, not the text's.
    *value = text.strip_suffix('\n').unwrap_or(&text).to_string();
    Ok(())
}

fn some<'a>(
    fields: &mut Vec<(&'static str, &'a mut String)>,
    name: &'static str,
    value: &'a mut Option<String>,
) {
    if let Some(value) = value {
        fields.push((name, value));
    }
}

/// Every free-text option of `command`, by flag name.
fn collect<'a>(command: &'a mut Command, fields: &mut Vec<(&'static str, &'a mut String)>) {
    match command {
        Command::Case(CaseCommand::New { title, summary, .. }) => {
            fields.push(("--title", title));
            some(fields, "--summary", summary);
        }
        Command::Case(CaseCommand::Edit(edit)) => {
            let EditArgs {
                title,
                summary,
                venue,
                scope_reason,
                clauses,
                labels,
                ..
            } = &mut **edit;
            some(fields, "--title", title);
            some(fields, "--summary", summary);
            some(fields, "--venue", venue);
            some(fields, "--scope-reason", scope_reason);
            fields.extend(clauses.iter_mut().map(|c| ("--clause", c)));
            fields.extend(labels.iter_mut().map(|l| ("--label", l)));
        }
        Command::Note(NoteCommand::Add { text, .. }) => some(fields, "--text", text),
        Command::Conflict { reason, .. } => some(fields, "--reason", reason),
        Command::Decide(decide) => {
            fields.push(("--rationale", &mut decide.rationale));
            some(fields, "--reason", &mut decide.reason);
        }
        Command::Comms(CommsCommand::Log { summary, .. }) => some(fields, "--summary", summary),
        Command::Template(TemplateCommand::Set { text, .. }) => some(fields, "--text", text),
        Command::Emergency(EmergencyCommand::Record { action, .. }) => {
            fields.push(("--action", action))
        }
        Command::Emergency(EmergencyCommand::Review { note, .. }) => fields.push(("--note", note)),
        Command::Party(PartyCommand::Add {
            name,
            alias,
            handle,
            email,
            ..
        }) => {
            some(fields, "--name", name);
            some(fields, "--alias", alias);
            some(fields, "--handle", handle);
            some(fields, "--email", email);
        }
        Command::Member(MemberCommand::Remove { reason, .. }) => some(fields, "--reason", reason),
        Command::RecordText(args) => {
            let RecordTextArgs { title, summary, .. } = &mut **args;
            fields.push(("--title", title));
            fields.push(("--summary", summary));
        }
        Command::Resolve { note, .. } => fields.push(("--note", note)),
        Command::Sanction(SanctionCommand::Start {
            subject,
            conditions,
            ..
        }) => {
            fields.push(("--subject", subject));
            fields.push(("--conditions", conditions));
        }
        Command::Sanction(
            SanctionCommand::Review { note, .. }
            | SanctionCommand::Extend { note, .. }
            | SanctionCommand::Lift { note, .. }
            | SanctionCommand::Breach { note, .. },
        ) => fields.push(("--note", note)),
        Command::Appeal(args) => fields.push(("--note", &mut args.note)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::Args;

    fn parsed(args: &[&str]) -> Command {
        let mut all = vec!["casebook"];
        all.extend_from_slice(args);
        Args::try_parse_from(all).unwrap().command
    }

    #[test]
    fn a_dash_is_replaced_by_standard_input() {
        let mut command = parsed(&[
            "decide",
            "f",
            "c",
            "--outcome",
            "warning",
            "--rationale",
            "-",
        ]);
        resolve_from(&mut command, &mut || Ok("Because.\n".into())).unwrap();
        let Command::Decide(decide) = command else {
            panic!()
        };
        assert_eq!(decide.rationale, "Because.");
    }

    #[test]
    fn only_one_option_can_read_standard_input() {
        let mut command = parsed(&["case", "new", "f", "--title", "-", "--summary", "-"]);
        let err = resolve_from(&mut command, &mut || Ok(String::new())).unwrap_err();
        assert!(err.to_string().contains("--title"), "{err}");
    }

    #[test]
    fn every_free_text_option_takes_a_dash() {
        for args in [
            &["note", "add", "f", "c", "--text", "-"][..],
            &["case", "new", "f", "--title", "-"],
            &["case", "edit", "f", "c", "--summary", "-"],
            &["case", "edit", "f", "c", "--scope-reason", "-"],
            &[
                "comms",
                "log",
                "f",
                "c",
                "--to",
                "reporter",
                "--summary",
                "-",
            ],
            &["emergency", "record", "f", "c", "--action", "-"],
            &[
                "emergency",
                "review",
                "f",
                "c",
                "--note",
                "-",
                "--result",
                "upheld",
            ],
            &["conflict", "f", "c", "--hard", "--reason", "-"],
            &["party", "add", "f", "c", "--role", "witness", "--name", "-"],
            &["member", "remove", "f", "n", "--reason", "-"],
        ] {
            let mut command = parsed(args);
            let mut read = false;
            resolve_from(&mut command, &mut || {
                read = true;
                Ok("piped".into())
            })
            .unwrap();
            assert!(read, "{args:?}");
        }
    }
}
