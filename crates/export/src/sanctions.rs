//! The need-to-know list: the sanctions in force that the people who run a space must
//! enforce. It names the person as the committee chose to (a handle or a name), the spaces,
//! until when, and whether it is a ban or a flag: nothing about any case, not even its code
//! name. Signed like every record, so an organiser can check it came from the committee.

use std::fmt::Write as _;

use chrono::NaiveDate;
use serde::Serialize;

use super::markdown;
use casebook_core::case::Case;
use casebook_core::sanitize::inline;

/// The schema of the JSON list.
pub const SCHEMA: &str = "casebook-sanctions/1";

/// The list's title line in Markdown, before its date.
pub const TITLE: &str = "# Sanctions in force, ";

/// The need-to-know list as of one day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SanctionList {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// The day it was true on.
    pub as_of: NaiveDate,
    /// The one space it was made for, if any.
    pub space: Option<String>,
    /// Who signed it (the member's principal).
    pub signed_by: String,
    /// Cases sealed from the member who made it (or on which they have a hard conflict):
    /// their sanctions are not in it.
    pub cases_not_read: usize,
    /// The sanctions, by person then first day.
    pub sanctions: Vec<Entry>,
}

/// One sanction in force.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The handle or name the committee chose to give.
    pub person: String,
    /// Where it applies (only the space asked for, when the list is for one).
    pub spaces: Vec<String>,
    /// Its first day.
    pub from: NaiveDate,
    /// Its last day; `None`: until the committee reviews it.
    pub until: Option<NaiveDate>,
    /// "ban": keep them out; "flag": let them in, and know.
    pub action: &'static str,
}

/// The sanctions in force on `today` in `cases`, for `space` when given (spaces compared
/// without regard to case).
pub fn build<'a>(
    cases: impl IntoIterator<Item = &'a Case>,
    today: NaiveDate,
    space: Option<&str>,
    signed_by: &str,
    cases_not_read: usize,
) -> SanctionList {
    let mut sanctions: Vec<Entry> = cases
        .into_iter()
        .flat_map(|case| case.sanctions.iter())
        .filter(|s| s.active_on(today))
        .map(|s| Entry {
            person: s.subject.clone(),
            spaces: s.spaces.clone(),
            from: s.starts,
            until: s.ends,
            action: if s.is_ban() { "ban" } else { "flag" },
        })
        .collect();
    sanctions.sort_by(|a, b| (&a.person, a.from).cmp(&(&b.person, b.from)));
    SanctionList {
        schema: SCHEMA,
        as_of: today,
        space: None,
        signed_by: signed_by.to_string(),
        cases_not_read,
        sanctions,
    }
    .only(space)
}

impl SanctionList {
    /// The list for `space` alone (compared without regard to case): the sanctions that
    /// apply there, each with that space only. `None` keeps it whole.
    pub fn only(mut self, space: Option<&str>) -> SanctionList {
        let Some(space) = space else { return self };
        let wanted = space.trim().to_lowercase();
        self.sanctions.retain_mut(|e| {
            e.spaces.retain(|sp| sp.trim().to_lowercase() == wanted);
            !e.spaces.is_empty()
        });
        self.space = Some(space.trim().to_string());
        self
    }

    /// Every space the list's sanctions name, in lower case, each once.
    pub fn spaces(&self) -> Vec<String> {
        let mut named: Vec<String> = self
            .sanctions
            .iter()
            .flat_map(|e| e.spaces.iter())
            .map(|s| s.trim().to_lowercase())
            .collect();
        named.sort();
        named.dedup();
        named
    }

    /// As JSON (text from members sanitised, as in Markdown).
    pub fn to_json(&self) -> String {
        let mut clean = self.clone();
        for entry in &mut clean.sanctions {
            entry.person = inline(&entry.person).into_owned();
            entry.spaces = entry
                .spaces
                .iter()
                .map(|s| inline(s).into_owned())
                .collect();
        }
        clean.space = clean.space.as_deref().map(|s| inline(s).into_owned());
        let mut text = serde_json::to_string_pretty(&clean).unwrap_or_default();
        text.push('\n');
        text
    }

    /// As Markdown.
    pub fn to_markdown(&self) -> String {
        let mut md = format!("{TITLE}{}\n\n", self.as_of);
        let _ = writeln!(
            md,
            "For the people who enforce the code of conduct{}. It says who is sanctioned, \
             where and until when; it says nothing about why. Keep it to those who need it.\n",
            match &self.space {
                Some(space) => format!(" in {}", markdown::text(space)),
                None => String::new(),
            }
        );
        let _ = writeln!(md, "| Schema | {SCHEMA} |");
        let _ = writeln!(md, "|---|---|");
        let _ = writeln!(md, "| As of | {} |", self.as_of);
        let _ = writeln!(md, "| Signed by | {} |\n", markdown::text(&self.signed_by));
        if self.cases_not_read > 0 {
            let _ = writeln!(
                md,
                "**Incomplete:** {} sealed from the member who made this list: the \
                 sanctions imposed in {} are not in it. Ask a member who reads {} for a whole \
                 list.\n",
                if self.cases_not_read == 1 {
                    "1 case is".to_string()
                } else {
                    format!("{} cases are", self.cases_not_read)
                },
                if self.cases_not_read == 1 {
                    "it"
                } else {
                    "them"
                },
                if self.cases_not_read == 1 {
                    "it"
                } else {
                    "them"
                },
            );
        }
        if self.sanctions.is_empty() {
            md.push_str("No sanction is in force.\n");
            return md;
        }
        md.push_str("| Person | Spaces | From | Until | Action |\n|---|---|---|---|---|\n");
        for e in &self.sanctions {
            let spaces: Vec<String> = e.spaces.iter().map(|s| markdown::text(s)).collect();
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} |",
                markdown::text(&e.person),
                spaces.join(", "),
                e.from,
                e.until
                    .map_or_else(|| "until reviewed".to_string(), |d| d.to_string()),
                e.action
            );
        }
        md.push_str(
            "\nA ban keeps the person out of these spaces; a flag lets them in and asks you to \
             know and tell the committee of any concern.\n",
        );
        md
    }
}

/// The day a list says it was true on, if `text` is one.
pub fn as_of(text: &str) -> Option<NaiveDate> {
    if text.starts_with('{') {
        #[derive(serde::Deserialize)]
        struct Head {
            schema: String,
            as_of: NaiveDate,
        }
        let head: Head = serde_json::from_str(text).ok()?;
        return (head.schema == SCHEMA).then_some(head.as_of);
    }
    let date = text.strip_prefix(TITLE)?.lines().next()?;
    if !text.contains(&format!("\n| Schema | {SCHEMA} |\n")) {
        return None;
    }
    date.trim().parse().ok()
}
