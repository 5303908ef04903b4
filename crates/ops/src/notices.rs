//! What a member must be told about their own laptop's state, in one wording for the command
//! line and the interface: a pins file that was damaged and repaired, a version of the file
//! that turned up while it was being saved, a clock behind the file's newest change.

use casebook_core::sanitize::inline;
use casebook_vault::pins::Repair;

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
    report: &casebook_vault::SaveReport,
    roster: &casebook_core::roster::Roster,
) -> Vec<String> {
    let file = inline(&report.path.display().to_string()).into_owned();
    report
        .displaced
        .iter()
        .map(|d| {
            let copy = inline(&d.copy.display().to_string()).into_owned();
            match (&d.merged, d.deleted) {
                (Ok(merged), deleted) => format!(
                    "note: another version of {file} was put in place while this one was saved \
                     (a sync tool?); it was kept as {copy}, merged ({}) and saved{}",
                    super::merge::came_in(merged, roster),
                    if deleted {
                        ", then deleted (the file holds everything it held)"
                    } else {
                        ""
                    },
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

/// How far this laptop's clock (`now`) is behind the newest change `file` holds, when it is:
/// what it signs now would be dated before a change it follows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClockBehind {
    /// The newest change's claimed time.
    pub newest: chrono::DateTime<chrono::Utc>,
    /// Who signed it.
    pub by: String,
    /// How far behind this clock is.
    pub by_how_much: chrono::Duration,
}

/// Whether this laptop's clock is earlier than the newest change in `file` (see
/// [`ClockBehind`]); `None` when it is not (or the file has no signed history).
pub fn clock_behind(
    file: &crate::OpenFile,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<ClockBehind>, casebook_vault::Error> {
    let file = &file.file;
    let Some((newest, author)) = file.newest_commit()? else {
        return Ok(None);
    };
    // Within the clocks' tolerance nothing changes: the change is dated by this clock.
    if casebook_core::engine::dag::too_early(now, newest).is_none() {
        return Ok(None);
    }
    let by = file.roster()?.get(author).map_or_else(
        || "a former member".to_string(),
        |m| inline(&m.name).into_owned(),
    );
    Ok(Some(ClockBehind {
        newest,
        by,
        by_how_much: newest - now,
    }))
}

/// "3 days 4 hours", "12 minutes", "40 seconds": the largest two units.
pub fn span(duration: chrono::Duration) -> String {
    let seconds = duration.num_seconds().max(1);
    let units = [
        (365 * 86_400, "year"),
        (86_400, "day"),
        (3_600, "hour"),
        (60, "minute"),
        (1, "second"),
    ];
    let mut parts = Vec::new();
    let mut left = seconds;
    for (size, name) in units {
        if left >= size && parts.len() < 2 {
            let n = left / size;
            left %= size;
            parts.push(format!("{n} {name}{}", if n == 1 { "" } else { "s" }));
        } else if !parts.is_empty() {
            break;
        }
    }
    parts.join(" ")
}

/// The warning given before signing with a clock behind the file's newest change.
pub fn clock_warning(file: &str, behind: &ClockBehind) -> String {
    format!(
        "this laptop's clock is {} behind the newest change in {} (by {}, dated {}): what you \
         sign now is dated as that change, since a change never claims a time before what it \
         follows. Check this laptop's clock (or whether that change's author's clock was \
         ahead)",
        span(behind.by_how_much),
        inline(file),
        behind.by,
        behind.newest.format("%Y-%m-%d %H:%M:%S UTC")
    )
}

#[cfg(test)]
mod tests {
    use super::span;
    use chrono::Duration;

    #[test]
    fn spans_say_the_two_largest_units() {
        assert_eq!(span(Duration::seconds(40)), "40 seconds");
        assert_eq!(span(Duration::seconds(61)), "1 minute 1 second");
        assert_eq!(span(Duration::hours(76)), "3 days 4 hours");
        assert_eq!(span(Duration::days(800)), "2 years 70 days");
        assert_eq!(span(Duration::days(2)), "2 days");
        assert_eq!(span(Duration::days(1) + Duration::minutes(3)), "1 day");
        assert_eq!(span(Duration::zero()), "1 second");
    }
}
