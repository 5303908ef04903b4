//! What a member must be told about their own laptop's state, in one wording for the command
//! line and the interface: a pins file that was damaged and repaired.

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
