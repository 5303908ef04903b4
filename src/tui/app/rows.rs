//! What the screens list, computed from the file's contents in pure code: the queue counts and
//! rows (which cases, in which order), the filter's choices, a case's screen data, the committee's rows. The runner calls
//! these with what it read; the benchmarks and snapshots call them directly.

use super::*;

/// Which cases the list shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only this severity.
    pub severity: Option<Severity>,
    /// Only cases assigned to this member (by name), or to nobody (`Some("")`).
    pub assignee: Option<String>,
    /// Only cases with this label.
    pub label: Option<String>,
}

impl Filter {
    /// Whether anything is filtered out.
    pub fn is_active(&self) -> bool {
        *self != Filter::default()
    }

    /// How the list's title describes it.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = self.severity {
            parts.push(format!("severity {}", s.as_str()));
        }
        match self.assignee.as_deref() {
            Some("") => parts.push("unassigned".to_string()),
            Some(name) => parts.push(format!("assigned to {name}")),
            None => {}
        }
        if let Some(label) = &self.label {
            parts.push(format!("label {label}"));
        }
        parts.join(", ")
    }
}

/// The case list's order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    /// Overdue first, then oldest first.
    #[default]
    Urgency,
    /// Most recently received first.
    Newest,
    /// Most severe first.
    Severity,
    /// By status, in the order of the process.
    Status,
    /// By code name.
    Code,
}

impl Sort {
    /// The next order (`o` cycles through them).
    pub fn next(self) -> Sort {
        match self {
            Sort::Urgency => Sort::Newest,
            Sort::Newest => Sort::Severity,
            Sort::Severity => Sort::Status,
            Sort::Status => Sort::Code,
            Sort::Code => Sort::Urgency,
        }
    }

    /// Its name.
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Urgency => "urgency",
            Sort::Newest => "newest",
            Sort::Severity => "severity",
            Sort::Status => "status",
            Sort::Code => "code",
        }
    }
}

/// Active members' names and the labels of the cases the member may see, for the filter.
pub fn choices<'a>(
    cases: impl IntoIterator<Item = &'a Case>,
    view: &View<'_>,
) -> (Vec<String>, Vec<String>) {
    let members = view.roster.active().map(|m| m.name.clone()).collect();
    let labels: std::collections::BTreeSet<String> = cases
        .into_iter()
        .filter(|c| view.may_see(c))
        .flat_map(|c| c.labels.iter().cloned())
        .collect();
    (members, labels.into_iter().collect())
}

/// Queue counts and the rows of `queue`, for the member in `view`.
pub fn snapshot<'a>(
    cases: impl IntoIterator<Item = &'a Case> + Clone,
    view: &View<'_>,
    queue: Queue,
    filter: &Filter,
    sort: Sort,
) -> (Vec<(Queue, usize)>, Vec<Row>) {
    let counts = crate::core::queue::counts(view, cases.clone());
    let name = |id: &MemberId| {
        view.roster
            .get(*id)
            .map(|m| m.name.clone())
            .unwrap_or_default()
    };
    let assignee = filter.assignee.as_deref().map(|name| {
        view.roster
            .members()
            .iter()
            .find(|m| m.name == name)
            .map(|m| m.id)
    });
    let wanted = |c: &Case| {
        filter.severity.is_none_or(|s| c.severity == Some(s))
            && filter
                .label
                .as_ref()
                .is_none_or(|l| c.labels.contains(l) && view.may_see(c))
            && match assignee {
                None => true,
                Some(None) => c.assignees.is_empty(),
                Some(Some(id)) => c.assignees.contains(&id),
            }
    };
    // Sort references (with what is due computed once per case), then build only the rows.
    let mut chosen: Vec<(&Case, Option<Due>)> = cases
        .into_iter()
        .filter(|c| queue.contains(view, c) && wanted(c))
        .map(|c| (c, process::due(view.settings, c)))
        .collect();
    let overdue = |due: &Option<Due>| due.is_some_and(|d| d.by < view.now);
    let rank = |c: &Case| Status::ALL.iter().position(|s| *s == c.status);
    chosen.sort_by(|(a, a_due), (b, b_due)| match sort {
        Sort::Urgency => pressing(b, overdue(b_due))
            .cmp(&pressing(a, overdue(a_due)))
            .then(a.received_at.cmp(&b.received_at))
            .then(a.code_name.cmp(&b.code_name)),
        Sort::Newest => b
            .received_at
            .cmp(&a.received_at)
            .then(a.code_name.cmp(&b.code_name)),
        Sort::Severity => b
            .severity
            .cmp(&a.severity)
            .then(overdue(b_due).cmp(&overdue(a_due)))
            .then(a.received_at.cmp(&b.received_at)),
        Sort::Status => rank(a)
            .cmp(&rank(b))
            .then(a.received_at.cmp(&b.received_at)),
        Sort::Code => a.code_name.cmp(&b.code_name),
    });
    let rows = chosen
        .into_iter()
        .map(|(c, due)| Row {
            code: c.code_name.clone(),
            title: view.may_see(c).then(|| c.title.clone()),
            sealed: view.me.is_some_and(|me| !c.readable_by(me)),
            status: c.status,
            severity: c.severity,
            age_days: (view.now - c.received_at).num_days(),
            assignees: c.assignees.iter().map(name).collect::<Vec<_>>().join(", "),
            due: due.map(|d| (d.what.to_string(), d.by < view.now)),
        })
        .collect();
    (counts, rows)
}

/// Everything the case screen needs.
pub fn case_data(
    case: Case,
    timeline: Vec<Event>,
    roster: &Roster,
    settings: &Settings,
) -> CaseData {
    let names = roster
        .members()
        .iter()
        .map(|m| (m.id, m.name.clone()))
        .collect();
    let order = threaded(&timeline);
    let attachments = timeline
        .iter()
        .flat_map(|e| match &e.kind {
            EventKind::ReportReceived { attachments, .. } => attachments.clone(),
            _ => Vec::new(),
        })
        .collect();
    CaseData {
        order,
        me: None,
        attachments,
        due: process::due(settings, &case),
        tally: process::current_tally(roster, settings, &case),
        eligible: process::eligible_voters(roster, &case),
        active: roster.active().map(|m| m.name.clone()).collect(),
        members: roster.active().map(|m| (m.id, m.name.clone())).collect(),
        elsewhere: Vec::new(),
        settings: settings.clone(),
        case,
        timeline,
        names,
    }
}

/// The timeline in the order shown, each amendment right after what it amends (one level
/// deeper): indexes into `timeline`, with the depth.
pub fn threaded(timeline: &[Event]) -> Vec<(usize, usize)> {
    let ids: std::collections::HashSet<uuid::Uuid> = timeline.iter().map(|e| e.id).collect();
    let mut children: std::collections::HashMap<uuid::Uuid, Vec<usize>> = Default::default();
    let mut roots = Vec::new();
    for (i, event) in timeline.iter().enumerate() {
        match event.amends {
            Some(target) if ids.contains(&target) && target != event.id => {
                children.entry(target).or_default().push(i)
            }
            _ => roots.push(i),
        }
    }
    let mut out = Vec::with_capacity(timeline.len());
    let mut stack: Vec<(usize, usize)> = roots.into_iter().rev().map(|i| (i, 0)).collect();
    while let Some((i, depth)) = stack.pop() {
        out.push((i, depth));
        if let Some(kids) = children.remove(&timeline[i].id) {
            stack.extend(kids.into_iter().rev().map(|k| (k, depth + 1)));
        }
    }
    out
}

/// How pressing a case is, for the urgency order: overdue first, then an emergency action
/// awaiting review, a safety risk, the severity (highest first).
fn pressing(c: &Case, overdue: bool) -> (bool, bool, bool, Option<Severity>) {
    (
        overdue,
        c.unreviewed_emergencies().next().is_some(),
        c.safety_risk,
        c.severity,
    )
}

/// The roster screen's rows, from the file's summary.
pub fn roster_rows(members: Vec<crate::ops::vault::MemberSummary>) -> Vec<RosterRow> {
    use crate::ops::vault::EncryptedTo;
    members
        .into_iter()
        .map(|m| RosterRow {
            state: match m.removed_at {
                Some(at) => format!("removed {}", at.format("%Y-%m-%d")),
                None => format!("since {}", m.added_at.format("%Y-%m-%d")),
            },
            encrypted_to: match m.encrypted_to {
                EncryptedTo::Yes => "yes",
                EncryptedTo::No => "no",
                EncryptedTo::Unknown => "unknown",
            }
            .into(),
            name: m.name,
            email: m.email,
            role: m.role.as_str().into(),
            key_type: m.key_type.into(),
            fingerprint: m.fingerprint,
            active: m.active,
        })
        .collect()
}
