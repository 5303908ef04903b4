//! What is possible now, for this member and this case: the key hints, the help and the
//! palette show it, and an action that cannot succeed says why before any form opens.

use super::*;

/// One action as the palette lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaletteEntry {
    /// The action.
    pub action: Action,
    /// Its keys here, as the help writes them (empty when it has none here).
    pub keys: String,
    /// Why it cannot run now, if it cannot.
    pub unavailable: Option<String>,
}

/// How well `query` matches `text` as a subsequence (case-insensitive): `None` when it does
/// not; higher is better (consecutive letters and word starts count more).
pub fn fuzzy_score(query: &str, text: &str) -> Option<i64> {
    let text: Vec<char> = text.to_lowercase().chars().collect();
    let mut score = 0i64;
    let mut at = 0usize;
    let mut previous: Option<usize> = None;
    for q in query.to_lowercase().chars().filter(|c| !c.is_whitespace()) {
        let found = (at..text.len()).find(|i| text[*i] == q)?;
        score += 1;
        if previous.is_some_and(|p| p + 1 == found) {
            score += 5;
        }
        if found == 0 || !text[found - 1].is_alphanumeric() {
            score += 3;
        }
        score -= (found - at).min(10) as i64 / 3;
        previous = Some(found);
        at = found + 1;
    }
    Some(score)
}

/// How well a code name matches what was typed after `:`: the whole name first, then names
/// starting with it, then names with a word starting with it, then any that hold its letters
/// in order (fuzzy); `None` when the letters are not all there.
pub fn code_score(query: &str, code: &str) -> Option<i64> {
    let query = query.trim().to_lowercase();
    let code = code.to_lowercase();
    if query.is_empty() {
        return Some(0);
    }
    let fuzzy = fuzzy_score(&query, &code)?;
    let tier = if code == query {
        4
    } else if code.starts_with(&query) {
        3
    } else if code.split('-').any(|w| w.starts_with(&query)) {
        2
    } else if code.contains(&query) {
        1
    } else {
        0
    };
    Some(tier * 10_000 + fuzzy * 10 - code.len() as i64)
}

impl App {
    /// The code names that match `query` for `:`, best first (at most 50).
    pub fn jump_matches(&self, query: &str) -> Vec<&str> {
        let mut scored: Vec<(i64, &str)> = self
            .codes
            .iter()
            .filter_map(|code| Some((code_score(query, code)?, code.as_str())))
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        scored.into_iter().take(50).map(|(_, code)| code).collect()
    }

    /// Why `action` cannot succeed now, for this member on this screen; `None` when it can
    /// (or when it is not about the case's state at all).
    pub fn unavailable(&self, action: Action) -> Option<String> {
        match (&self.screen, action) {
            (Screen::Case { data, .. }, action) => case_unavailable(data, action, self.dirty),
            (Screen::Roster { .. }, Action::AddMember | Action::RemoveMember | Action::Rekey)
                if self.role.is_some_and(|r| r != Role::Chair) =>
            {
                Some("only a chair changes the committee".into())
            }
            _ => None,
        }
    }

    /// The actions that can run on this screen (global ones included), in the help's order.
    fn here(&self) -> Vec<(Action, String)> {
        let context = self.context();
        let mut seen: Vec<(Action, String)> = Vec::new();
        for action in Action::ALL {
            let keys: Vec<String> = self
                .bindings
                .iter()
                .filter(|b| {
                    b.action == action && (b.context == context || b.context == Context::Global)
                })
                .map(keymap::label)
                .collect();
            if !keys.is_empty() {
                seen.push((action, keys.join(" ")));
            }
        }
        seen
    }

    /// The palette's entries matching `query`, best first: by how well the action's name
    /// matches (the whole name, its start, a word's start), then its description's words, then
    /// the name's letters in order; of two equally good, the one that can run now first. Cursor
    /// moves are not listed (they are keys, not things to run by name).
    pub fn palette(&self, query: &str) -> Vec<PaletteEntry> {
        let mut scored: Vec<((i64, bool, i64), PaletteEntry)> = self
            .here()
            .into_iter()
            .filter(|(action, _)| !matches!(action, Action::Palette) && !is_move(*action))
            .filter_map(|(action, keys)| {
                let score = palette_score(query, action)?;
                let unavailable = self.unavailable(action);
                Some((
                    (score.0, unavailable.is_none(), score.1),
                    PaletteEntry {
                        action,
                        keys,
                        unavailable,
                    },
                ))
            })
            .collect();
        scored.sort_by_key(|s| std::cmp::Reverse(s.0));
        scored.into_iter().map(|(_, e)| e).collect()
    }
}

/// A cursor move: a key, never something to run from the palette.
fn is_move(action: Action) -> bool {
    matches!(
        action,
        Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom
            | Action::NextQueue
            | Action::PreviousQueue
            | Action::NextEntry
            | Action::PreviousEntry
            | Action::NextField
            | Action::PreviousField
    )
}

/// How well `query` names `action`: (tier, fuzzy score); `None` when it does not.
fn palette_score(query: &str, action: Action) -> Option<(i64, i64)> {
    let query = query.trim().to_lowercase();
    if query.is_empty() {
        return Some((0, 0));
    }
    let name = action.name().to_lowercase();
    let words = action.describe().to_lowercase();
    let starts_a_word = |text: &str| {
        text.split(|c: char| !c.is_alphanumeric())
            .any(|w| w.starts_with(&query))
    };
    let tier = if name == query {
        6
    } else if name.starts_with(&query) {
        5
    } else if starts_a_word(&name) {
        4
    } else if starts_a_word(&words) {
        3
    } else if name.contains(&query) {
        2
    } else if words.contains(&query) {
        1
    } else {
        0
    };
    match (tier, fuzzy_score(&query, &name)) {
        (0, None) => fuzzy_score(&query, &format!("{name} {words}")).map(|f| (-1, f)),
        (tier, fuzzy) => Some((tier, fuzzy.unwrap_or(0))),
    }
}

/// The actions that read or write a case's content: none of them runs on a case sealed from
/// the member, or on an expunged one.
const CONTENT_ACTIONS: [Action; 23] = [
    Action::AddNote,
    Action::ChangeStatus,
    Action::Assign,
    Action::Conflict,
    Action::AddParty,
    Action::Emergency,
    Action::ReviewEmergency,
    Action::Vote,
    Action::Decide,
    Action::Comms,
    Action::Export,
    Action::Amend,
    Action::Attachments,
    Action::Resolve,
    Action::RecordText,
    Action::Sanction,
    Action::Tell,
    Action::Appeal,
    Action::Expunge,
    Action::SanctionStep,
    Action::Seal,
    Action::GiveAccess,
    Action::OpenContact,
];

/// Why an action on the open case cannot succeed now (before any form opens).
fn case_unavailable(data: &CaseData, action: Action, dirty: bool) -> Option<String> {
    let case = &data.case;
    let me = data.me.map(|(id, _)| id);
    let my_conflict = me.and_then(|id| case.conflict_of(id));
    let finished = case.status.is_finished();
    if data.sealed_from_me() {
        // Nothing of its content is in this copy: only one's own conflict can be withdrawn.
        return match action {
            Action::Conflict if my_conflict.is_some() => None,
            action if CONTENT_ACTIONS.contains(&action) => {
                Some("the case is sealed from you: its content is not in your copy".into())
            }
            _ => None,
        };
    }
    if case.expunged.is_some() {
        // Only its retained record is left: nothing more is written on it.
        return match action {
            Action::Expunge => Some("its content was expunged already".into()),
            action if CONTENT_ACTIONS.contains(&action) => {
                Some("the case was expunged: only its retained record is left".into())
            }
            _ => None,
        };
    }
    let today = chrono::Utc::now().date_naive();
    let why = match action {
        Action::Expunge
            if let Some(hold) = crate::core::retention::legal_hold_on(case, today) =>
        {
            format!(
                "a legal hold stands until {} ({})",
                hold.until,
                crate::core::sanitize::inline(&hold.reason)
            )
        }
        Action::ChangeStatus if !case.status.next().iter().any(|s| *s != Status::Decided) => {
            format!("{} is a final status", case.status)
        }
        Action::Vote | Action::Decide
            if case.decision.is_some()
                && case.status != Status::Reopened
                && !case.appeal.as_ref().is_some_and(|a| a.is_open()) =>
        {
            format!(
                "already decided: {}",
                crate::core::sanitize::inline(&case.decision.as_ref()?.outcome)
            )
        }
        Action::Vote | Action::Decide if case.status != Status::Deliberating => format!(
            "only while deliberating (the case is {}: s moves it on)",
            case.status
        ),
        Action::Vote if my_conflict.is_some() => format!(
            "you declared a {} conflict of interest: you may not vote",
            crate::core::describe::conflict_kind(my_conflict?)
        ),
        Action::ReviewEmergency => {
            let pending: Vec<_> = case.unreviewed_emergencies().collect();
            if pending.is_empty() {
                "no emergency action awaits review".into()
            } else if pending.iter().all(|e| Some(e.by) == me) {
                "you recorded it: another member reviews it".into()
            } else {
                return None;
            }
        }
        Action::Emergency if finished => format!("the case is {}", case.status),
        Action::Seal if !data.members.iter().any(|(id, _)| Some(*id) != me && case.readable_by(*id)) => {
            "no other member reads it".into()
        }
        Action::GiveAccess if case.sealed.is_none() => "the case is not sealed".into(),
        Action::GiveAccess if data.members.iter().all(|(id, _)| case.readable_by(*id)) => {
            "every member can read it already".into()
        }
        Action::OpenContact
            if !case.parties.iter().any(|p| {
                matches!(p.identity, crate::core::party::Disclosure::Held { held_by, .. } if Some(held_by) == me)
            }) =>
        {
            "you hold no party's contact details on it".into()
        }
        Action::Export if case.decision.is_none() => "record the decision (d) first".into(),
        Action::Export if dirty => {
            "save first (Ctrl-S): a record is signed over saved history only".into()
        }
        Action::Amend
            if !data.timeline.iter().any(|e| {
                matches!(
                    e.kind,
                    EventKind::NoteAdded { .. } | EventKind::ReportReceived { .. }
                )
            }) =>
        {
            "no note or report to correct".into()
        }
        Action::Attachments if data.attachments.is_empty() => "the case has none".into(),
        Action::Resolve if case.attention.is_empty() => "nothing on it needs attention".into(),
        Action::RecordText if case.decision.is_none() => {
            "record the decision (d) first: the text is for its record".into()
        }
        Action::Expunge if !crate::core::retention::finished(case) => format!(
            "the case is {}: a case is expunged once the committee is done with it",
            case.status
        ),
        Action::Expunge
            if case.pending.iter().any(|p| {
                matches!(p.kind, EventKind::CaseExpunged { .. }) && Some(p.author) == me
            }) =>
        {
            "you proposed its expunge: a second member approves it".into()
        }
        Action::Sanction | Action::Appeal if case.decision.is_none() => {
            "record the decision (d) first".into()
        }
        Action::Sanction | Action::Appeal
            if !matches!(case.status, Status::Decided | Status::Closed) =>
        {
            format!("the case is {}: wait for its decision", case.status)
        }
        Action::Appeal if case.appeal.is_some() => "its decision was appealed already".into(),
        Action::Appeal
            if case.decision.as_ref().is_some_and(|d| {
                crate::core::dates::plus_days(d.at.date_naive(), data.settings.appeal_days)
                    < chrono::Utc::now().date_naive()
            }) =>
        {
            format!(
                "the appeal window closed on {} ({} days after the decision)",
                crate::core::dates::plus_days(
                    case.decision.as_ref()?.at.date_naive(),
                    data.settings.appeal_days
                ),
                data.settings.appeal_days
            )
        }
        Action::SanctionStep
            if !case
                .sanctions
                .iter()
                .any(|s| s.lifted.is_none() && !s.over_on(chrono::Utc::now().date_naive())) =>
        {
            "no sanction of it is in force".into()
        }
        Action::Tell if case.sanctions.is_empty() => "it has no sanctions (b starts one)".into(),
        Action::Tell if case.sanctions.iter().all(|s| s.to_tell().is_empty()) => {
            "nobody is left to tell of its sanctions".into()
        }
        _ => return None,
    };
    Some(why)
}
