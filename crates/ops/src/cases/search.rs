//! Search across the cases the member may read.

use crate::OpenFile;
use uuid::Uuid;

use crate::Error;
use casebook_core::case::Case;
use casebook_core::event::ConflictKind;

/// What a search found in a case.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Matched {
    /// The case's code name.
    CodeName,
    /// A party's name, handle or alias.
    Party,
    /// A member assigned to the case.
    Assignee,
    /// A timeline entry's text.
    Entry,
}

impl Matched {
    /// What matched, in words.
    pub fn describe(&self) -> &'static str {
        match self {
            Matched::CodeName => "code name",
            Matched::Party => "party",
            Matched::Assignee => "assigned to",
            Matched::Entry => "entry",
        }
    }
}

/// A search hit in a case the member may read.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Found {
    /// The case's code name.
    pub code_name: String,
    /// The matching timeline entry (`None` when the case itself matched).
    pub event: Option<Uuid>,
    /// The matching text, raw, the match between \u{1} and \u{2}.
    pub snippet: String,
    /// What matched.
    pub matched: Matched,
}

/// Search every case the member may read; never a case they have a hard conflict on. Cases
/// whose code name matches come first (the whole name, then its words), then cases a party
/// or an assigned member of which matches, then timeline entries by rank. Code names are
/// found for every case in the member's list (a case sealed from them opens as what their
/// copy holds); parties and members only where the member reads the case.
pub fn search(file: &mut OpenFile, query: &str, limit: usize) -> Result<Vec<Found>, Error> {
    let file = &mut file.file;
    use casebook_core::snippet::{Terms, snippet};
    let me = file.me()?.map(|m| m.id);
    let terms = Terms::new(query);
    let roster = file.roster()?;
    let hits = file.search(query, limit)?;
    let cases = file.cases()?;
    let hidden =
        |case: &Case| me.is_some_and(|me| case.conflict_of(me) == Some(ConflictKind::Hard));
    let readable = |case: &Case| !hidden(case) && me.is_none_or(|me| case.readable_by(me));
    let mut found: Vec<(u8, Found)> = Vec::new();
    if !terms.is_empty() {
        let whole = query.trim().to_lowercase();
        for case in cases.values().filter(|c| !hidden(c)) {
            let code = &case.code_name;
            if code.to_lowercase() == whole || terms.all_in(code) {
                let exact = u8::from(code.to_lowercase() != whole);
                found.push((
                    exact,
                    Found {
                        code_name: code.clone(),
                        event: None,
                        snippet: snippet(code, &terms),
                        matched: Matched::CodeName,
                    },
                ));
                continue;
            }
            if !readable(case) {
                continue;
            }
            let party = case.parties.iter().find_map(|p| {
                let label = match &p.identity {
                    casebook_core::party::Disclosure::Named { .. }
                    | casebook_core::party::Disclosure::Pseudonymous { .. } => p.label(),
                    _ => return None,
                };
                terms
                    .all_in(&label)
                    .then(|| format!("{} ({})", snippet(&label, &terms), p.role))
            });
            let assignee = || {
                case.assignees.iter().find_map(|id| {
                    let name = &roster.get(*id)?.name;
                    terms.all_in(name).then(|| snippet(name, &terms))
                })
            };
            let (matched, text) = match (party, assignee()) {
                (Some(text), _) => (Matched::Party, text),
                (None, Some(text)) => (Matched::Assignee, text),
                (None, None) => continue,
            };
            found.push((
                2,
                Found {
                    code_name: code.clone(),
                    event: None,
                    snippet: text,
                    matched,
                },
            ));
        }
    }
    found.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| a.1.code_name.cmp(&b.1.code_name))
    });
    let mut found: Vec<Found> = found.into_iter().map(|(_, f)| f).collect();
    found.extend(hits.into_iter().filter_map(|hit| {
        let case = cases.get(&hit.case)?;
        if !readable(case) {
            return None;
        }
        Some(Found {
            code_name: case.code_name.clone(),
            event: Some(hit.event),
            snippet: hit.snippet,
            matched: Matched::Entry,
        })
    }));
    found.truncate(limit);
    Ok(found)
}
