//! `casebook info` (and the demo until the interface lands): what a case file holds and who
//! can read it. Names come from the file, so they go through the sanitiser.

use std::io::Write;

use crate::core::sanitize::inline;
use crate::ops::vault::{EncryptedTo, Summary};

use super::Error;

/// Print `summary` as text or JSON.
pub(super) fn print(summary: &Summary, json: bool, out: &mut dyn Write) -> Result<(), Error> {
    if json {
        writeln!(out, "{}", super::json(summary)?)?;
        return Ok(());
    }
    writeln!(out, "file       {}", inline(&summary.file))?;
    writeln!(out, "schema     version {}", summary.schema_version)?;
    match &summary.opened_as {
        Some(name) => writeln!(out, "opened as  {}", inline(name))?,
        None => writeln!(out, "opened as  (a key that is not on the active roster)")?,
    }
    writeln!(out, "cases      {}", summary.case_count)?;
    match &summary.committee {
        Some(fingerprint) => writeln!(out, "committee  {fingerprint}")?,
        None => writeln!(
            out,
            "committee  (written before signed history: not verified)"
        )?,
    }
    if let Some(head) = &summary.head {
        writeln!(
            out,
            "history    {}, verified; newest {}",
            crate::core::describe::count(summary.commits, "commit", "commits"),
            crate::core::describe::short_commit(head)
        )?;
    }
    match summary.last_verified {
        Some(at) => writeln!(
            out,
            "this laptop last verified it here {}",
            at.format("%Y-%m-%d %H:%M UTC")
        )?,
        None if summary.committee.is_some() => {
            writeln!(out, "this laptop had not verified it here before")?
        }
        None => {}
    }
    if let Some(older) = &summary.older_copy {
        writeln!(out, "WARNING    {}", inline(older))?;
    }
    writeln!(out)?;

    let active = summary.members.iter().filter(|m| m.active).count();
    writeln!(
        out,
        "roster: {} ({active} active)",
        crate::core::describe::count(summary.members.len(), "member", "members")
    )?;
    let rows: Vec<[String; 5]> = summary
        .members
        .iter()
        .map(|m| {
            [
                inline(&m.name).into_owned(),
                m.role.to_string(),
                format!("{} {}", m.key_type, m.fingerprint),
                if m.active {
                    "active".into()
                } else {
                    "removed".into()
                },
                encrypted(m.encrypted_to).into(),
            ]
        })
        .collect();
    table(
        out,
        ["NAME", "ROLE", "KEY", "STATUS", "FILE ENCRYPTED TO THEM"],
        &rows,
    )?;

    if !summary.extra_recipients.is_empty() {
        writeln!(out)?;
        writeln!(out, "other recipients (not members):")?;
        let rows: Vec<[String; 2]> = summary
            .extra_recipients
            .iter()
            .map(|r| {
                [
                    format!("{} {}", r.key_type, r.fingerprint),
                    encrypted(r.encrypted_to).into(),
                ]
            })
            .collect();
        table(out, ["KEY", "FILE ENCRYPTED TO IT"], &rows)?;
    }
    writeln!(
        out,
        "the file's header holds {} recipient stanza{}",
        summary.header_stanzas,
        if summary.header_stanzas == 1 { "" } else { "s" }
    )?;

    writeln!(out)?;
    writeln!(out, "cases by status:")?;
    for entry in &summary.cases_by_status {
        writeln!(out, "  {:<14} {:>6}", entry.status.as_str(), entry.count)?;
    }
    Ok(())
}

fn encrypted(to: EncryptedTo) -> &'static str {
    match to {
        EncryptedTo::Yes => "yes",
        EncryptedTo::No => "NO",
        EncryptedTo::Unknown => "unknown (age X25519 stanzas are anonymous)",
    }
}

/// Left-aligned columns, two spaces apart, indented by two.
fn table<const N: usize>(
    out: &mut dyn Write,
    header: [&str; N],
    rows: &[[String; N]],
) -> std::io::Result<()> {
    let mut widths = header.map(|h| h.chars().count());
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell}{}", " ".repeat(width - cell.chars().count())))
            .collect();
        format!("  {}", padded.join("  ").trim_end())
    };
    writeln!(out, "{}", line(header.to_vec()))?;
    for row in rows {
        writeln!(out, "{}", line(row.iter().map(String::as_str).collect()))?;
    }
    Ok(())
}
