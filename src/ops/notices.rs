//! What a member must be told about their own laptop's state, in one wording for the command
//! line and the interface: a pins file that was damaged and repaired, a version of the file
//! that turned up while it was being saved.

use crate::core::sanitize::inline;
use crate::vault::pins::Repair;

/// What happened to a damaged pins file, and what trust this laptop lost with it.
pub fn pins_repaired(repair: &Repair) -> String {
    let file = inline(&repair.file.display().to_string()).into_owned();
    let moved = inline(&repair.moved_to.display().to_string()).into_owned();
    let damage = inline(&repair.damage).into_owned();
    match &repair.restored_from {
        Some((backup, saved)) => {
            let when = saved.map_or_else(String::new, |at| {
                format!(" (written {})", at.format("%Y-%m-%d %H:%M UTC"))
            });
            format!(
                "this laptop's pins file {file} was damaged ({damage}); it was moved to {moved} \
                 and restored from its backup {}{when}. What was pinned after that backup is \
                 lost (at most the last case file this laptop opened or saved): that file's \
                 next open trusts the history it finds there as newest",
                inline(&backup.display().to_string())
            )
        }
        None => format!(
            "this laptop's pins file {file} was damaged ({damage}) and had no usable backup; it \
             was moved to {moved}. Every committee and case file this laptop had verified is \
             forgotten: each next open is a first open (check the committee's fingerprint with \
             your chair again), and an older copy put in a file's place is not noticed until \
             then"
        ),
    }
}

/// What a save did with versions of the file that someone else put in place while it put its
/// own there, one line each ("note: ..." when merged and saved, "warning: ..." when left as a
/// conflict copy).
pub fn displaced(
    report: &crate::vault::SaveReport,
    roster: &crate::core::roster::Roster,
) -> Vec<String> {
    let file = inline(&report.path.display().to_string()).into_owned();
    report
        .displaced
        .iter()
        .map(|d| {
            let copy = inline(&d.copy.display().to_string()).into_owned();
            match (&d.merged, &d.moved_to) {
                (Ok(merged), moved) => format!(
                    "note: another version of {file} was put in place while this one was saved \
                     (a sync tool?); it was kept as {copy}, merged ({}) and saved{}",
                    super::merge::came_in(merged, roster),
                    moved.as_ref().map_or_else(String::new, |to| format!(
                        ", and moved to {}",
                        inline(&to.display().to_string())
                    )),
                ),
                (Err(why), _) => format!(
                    "warning: another version of {file} was put in place while this one was \
                     saved (a sync tool?); it was kept as {copy}, not merged yet ({}): the \
                     next change merges it, or run `casebook merge` on it",
                    inline(why)
                ),
            }
        })
        .collect()
}
