//! A whole case through the CLI, acted by several members of the (fictional) demo committee,
//! and every refusal along the way: illegal transitions, conflicted members, votes that do
//! not meet the rule, overrides, reviews of one's own emergency action, unknown code names.

use crate::common;

use std::path::{Path, PathBuf};

use casebook::core::case::Case;
use casebook_vault::{CaseFile, Identity, OpenMode, PassphraseSource};
use common::{fails, ok, run};

use common::{as_member as as_, demo_key as key};

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_str(&ok(out)).unwrap()
}

fn committee(dir: &Path) -> PathBuf {
    let file = dir.join("committee.cases.age");
    ok(&run(&[&"demo", &"--save-as", &file]));
    file
}

#[test]
fn a_case_from_report_to_closure_with_conflicts_votes_and_an_emergency_action() {
    let dir = tempfile::tempdir().unwrap();
    let f = committee(dir.path());
    let code = ok(&as_(
        "robin",
        &[
            &"case",
            &"new",
            &f,
            &"--title",
            &"Threats in a review thread",
            &"--channel",
            &"email",
        ],
    ));
    let code = code.trim().to_string();
    assert!(code.contains('-'), "a code name: {code}");
    let c = code.as_str();

    let queue = |member: &str, q: &str| -> Vec<String> {
        let v = json(&as_(
            member,
            &[&"case", &"list", &f, &"--queue", &q, &"--json"],
        ));
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| c["code_name"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(queue("robin", "needs-acknowledgement").contains(&code));

    // Only allowed transitions, and the message says which.
    let stderr = fails(&as_("robin", &[&"status", &f, &c, &"closed"]));
    assert!(stderr.contains(&format!("error: {code} is new; it cannot move to closed (allowed: triage, out-of-scope, transferred)")), "{stderr}");
    ok(&as_("robin", &[&"status", &f, &c, &"triage"]));
    assert!(!queue("robin", "needs-acknowledgement").contains(&code));
    assert!(queue("robin", "triage").contains(&code));

    // Sam is conflicted (hard): no content, no assignment, no vote. Priya (soft): no vote.
    ok(&as_(
        "sam",
        &[
            &"conflict",
            &f,
            &c,
            &"--hard",
            &"--reason",
            &"works with the reported person",
        ],
    ));
    ok(&as_("priya", &[&"conflict", &f, &c, &"--soft"]));
    let listed = json(&as_("sam", &[&"case", &"list", &f, &"--json"]));
    let mine = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code_name"] == code.as_str())
        .unwrap();
    assert_eq!(
        mine["title"],
        serde_json::Value::Null,
        "a hard-conflicted member sees no title"
    );
    assert_eq!(mine["hidden_by_conflict"], true);
    // The case is sealed from Sam: his copy shows only what it holds of it.
    let shown = ok(&as_("sam", &[&"case", &"show", &f, &c]));
    assert!(shown.contains("sealed from you"), "{shown}");
    assert!(!shown.contains("Threats in a review thread"), "{shown}");
    let stderr = fails(&as_("sam", &[&"note", &"add", &f, &c, &"--text", &"x"]));
    assert!(
        stderr.contains(&format!("{code} is sealed from Sam Lindqvist")),
        "{stderr}"
    );
    let stderr = fails(&as_("robin", &[&"assign", &f, &c, &"Sam Lindqvist"]));
    assert!(stderr.contains("hard conflict"), "{stderr}");
    ok(&as_("robin", &[&"assign", &f, &c, &"Tomás Ferreira"]));
    assert!(queue("tomas", "mine").contains(&code));

    // Parties, including the same person in two cases.
    ok(&as_(
        "robin",
        &[
            &"party",
            &"add",
            &f,
            &c,
            &"--role",
            &"reporter",
            &"--anonymous",
            &"--held-by",
            &"Mei Chen",
        ],
    ));
    ok(&as_(
        "robin",
        &[
            &"party",
            &"add",
            &f,
            &c,
            &"--role",
            &"reported",
            &"--name",
            &"Quinn Canary-Reported",
            &"--handle",
            &"@quinn",
        ],
    ));
    let other = ok(&as_(
        "robin",
        &[&"case", &"new", &f, &"--title", &"Second report"],
    ))
    .trim()
    .to_string();
    ok(&as_(
        "robin",
        &[
            &"party",
            &"add",
            &f,
            &other,
            &"--role",
            &"reported",
            &"--same-as",
            &format!("{code}:2"),
        ],
    ));
    let shown = ok(&as_("robin", &[&"case", &"show", &f, &other]));
    assert!(
        shown.contains("Quinn Canary-Reported (@quinn) (same person as elsewhere)"),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("[also in: {code} as reported]")),
        "{shown}"
    );

    // Emergency action: reviewed by someone else, and overdue meanwhile only after 24 hours.
    ok(&as_(
        "robin",
        &[
            &"emergency",
            &"record",
            &f,
            &c,
            &"--action",
            &"Removed from the review team pending decision",
        ],
    ));
    let stderr = fails(&as_(
        "robin",
        &[
            &"emergency",
            &"review",
            &f,
            &c,
            &"--note",
            &"fine",
            &"--result",
            &"upheld",
        ],
    ));
    assert!(
        stderr.contains("must be reviewed by another member"),
        "{stderr}"
    );
    ok(&as_(
        "tomas",
        &[
            &"emergency",
            &"review",
            &f,
            &c,
            &"--note",
            &"Proportionate",
            &"--result",
            &"upheld",
        ],
    ));

    // Notes, and a correction that amends one.
    ok(&as_(
        "tomas",
        &[
            &"note",
            &"add",
            &f,
            &c,
            &"--kind",
            &"interview",
            &"--text",
            &"Interviewed the reporter on a call.",
        ],
    ));
    let timeline = json(&as_("robin", &[&"case", &"show", &f, &c, &"--json"]));
    let note = timeline["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"]["kind"] == "note-added")
        .unwrap();
    let note_id = note["id"].as_str().unwrap()[..8].to_string();
    ok(&as_(
        "tomas",
        &[
            &"note",
            &"add",
            &f,
            &c,
            &"--amends",
            &note_id,
            &"--text",
            &"Correction: it was a video call.",
        ],
    ));
    let shown = ok(&as_("robin", &[&"case", &"show", &f, &c]));
    assert!(shown.contains(&format!("(amends {note_id})")), "{shown}");
    assert!(
        shown.contains("Interviewed the reporter")
            && shown.contains("Correction: it was a video call."),
        "both stay: {shown}"
    );

    // Voting: only while deliberating, only eligible members, only on the proposal.
    let stderr = fails(&as_(
        "robin",
        &[&"vote", &f, &c, &"--outcome", &"warning", &"--for"],
    ));
    assert!(
        stderr.contains("votes are cast while it is deliberating"),
        "{stderr}"
    );
    ok(&as_("robin", &[&"status", &f, &c, &"investigating"]));
    ok(&as_("robin", &[&"status", &f, &c, &"deliberating"]));
    ok(&as_(
        "robin",
        &[&"vote", &f, &c, &"--outcome", &"temporary-ban", &"--for"],
    ));
    assert!(queue("mei", "awaiting-my-vote").contains(&code));
    assert!(
        !queue("priya", "awaiting-my-vote").contains(&code),
        "soft conflicts owe no vote"
    );
    let stderr = fails(&as_(
        "priya",
        &[&"vote", &f, &c, &"--outcome", &"temporary-ban", &"--for"],
    ));
    assert!(
        stderr.contains("soft conflict of interest") && stderr.contains("may not vote"),
        "{stderr}"
    );
    let stderr = fails(&as_(
        "tomas",
        &[&"vote", &f, &c, &"--outcome", &"warning", &"--for"],
    ));
    assert!(
        stderr.contains("the outcome proposed on") && stderr.contains("is temporary-ban"),
        "{stderr}"
    );
    let stderr = fails(&as_(
        "tomas",
        &[
            &"vote",
            &f,
            &c,
            &"--outcome",
            &"banishment",
            &"--for",
            &"--propose",
        ],
    ));
    assert!(
        stderr.contains("is not an outcome of the contributor-covenant-2.1 ladder"),
        "{stderr}"
    );

    // Eligible: Robin, Tomás, Mei (3); simple majority needs 2.
    let stderr = fails(&as_(
        "tomas",
        &[
            &"decide",
            &f,
            &c,
            &"--outcome",
            &"temporary-ban",
            &"--rationale",
            &"r",
        ],
    ));
    assert!(
        stderr.contains("does not meet the simple-majority rule: 1 for, 2 needed of 3 eligible"),
        "{stderr}"
    );
    let stderr = fails(&as_(
        "tomas",
        &[
            &"decide",
            &f,
            &c,
            &"--outcome",
            &"temporary-ban",
            &"--rationale",
            &"r",
            &"--override",
            &"--reason",
            &"urgent",
        ],
    ));
    assert!(
        stderr.contains("only a chair may override the vote"),
        "{stderr}"
    );
    ok(&as_(
        "mei",
        &[&"vote", &f, &c, &"--outcome", &"temporary-ban", &"--for"],
    ));
    assert!(!queue("mei", "awaiting-my-vote").contains(&code));
    ok(&as_(
        "tomas",
        &[
            &"decide",
            &f,
            &c,
            &"--outcome",
            &"temporary-ban",
            &"--rationale",
            &"Threats are a serious breach.",
        ],
    ));

    // Decided but not yet communicated, then closed.
    assert!(queue("robin", "decided-not-communicated").contains(&code));
    ok(&as_(
        "robin",
        &[
            &"comms",
            &"log",
            &f,
            &c,
            &"--to",
            &"reported",
            &"--summary",
            &"Sent the decision and how to appeal",
        ],
    ));
    // The reporter is owed the outcome too: one message is not the loop closed.
    assert!(queue("robin", "decided-not-communicated").contains(&code));
    ok(&as_(
        "robin",
        &[
            &"comms",
            &"log",
            &f,
            &c,
            &"--to",
            &"reporter",
            &"--summary",
            &"Told them the outcome",
        ],
    ));
    assert!(!queue("robin", "decided-not-communicated").contains(&code));
    ok(&as_("robin", &[&"status", &f, &c, &"closed"]));
    assert!(queue("robin", "closed").contains(&code));

    // Search: ranked, with snippets; never a hard-conflicted member's case.
    let hits = json(&as_("robin", &[&"search", &f, &"video", &"--json"]));
    assert_eq!(hits[0]["code_name"], code.as_str());
    // The snippet is plain text; the matched words are listed beside it (no control
    // characters as markers).
    let snippet = hits[0]["snippet"].as_str().unwrap();
    assert!(
        snippet.contains("video") && !snippet.contains('\u{1}'),
        "{snippet}"
    );
    assert_eq!(hits[0]["matches"][0], "video");
    let hits = json(&as_("sam", &[&"search", &f, &"video", &"--json"]));
    assert!(
        hits.as_array()
            .unwrap()
            .iter()
            .all(|h| h["code_name"] != code.as_str())
    );
    let hits = json(&as_("robin", &[&"search", &f, &"canary-repor", &"--json"]));
    assert!(
        !hits.as_array().unwrap().is_empty(),
        "party names are searchable by prefix"
    );

    // The stored state of every case is exactly what replaying its events through the rules
    // engine gives.
    let identity = Identity::load(&key("robin"), &PassphraseSource::Terminal).unwrap();
    let mut file = CaseFile::open(&f, &identity, OpenMode::ReadOnly).unwrap();
    let cases: Vec<Case> = file.cases().unwrap().values().cloned().collect();
    assert!(cases.len() > 12);
    for case in cases {
        let replayed = file.replay_case(case.id).unwrap().unwrap();
        assert_eq!(replayed, case, "{}", case.code_name);
    }
}

#[test]
fn a_chair_override_is_recorded_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let f = committee(dir.path());
    let c = ok(&as_("robin", &[&"case", &"new", &f, &"--title", &"Urgent"]))
        .trim()
        .to_string();
    for status in ["triage", "deliberating"] {
        ok(&as_("robin", &[&"status", &f, &c, &status]));
    }
    let stderr = fails(&as_(
        "robin",
        &[
            &"decide",
            &f,
            &c,
            &"--outcome",
            &"permanent-ban",
            &"--rationale",
            &"r",
        ],
    ));
    assert!(stderr.contains("0 for, 3 needed of 5 eligible"), "{stderr}");
    ok(&as_(
        "robin",
        &[
            &"decide",
            &f,
            &c,
            &"--outcome",
            &"permanent-ban",
            &"--rationale",
            &"Ongoing danger",
            &"--override",
            &"--reason",
            &"Safety: could not wait for the weekly call",
        ],
    ));
    let shown = ok(&as_("robin", &[&"case", &"show", &f, &c]));
    assert!(
        shown.contains("chair override: Safety: could not wait for the weekly call"),
        "{shown}"
    );
    assert!(
        shown.contains("DECISION: permanent-ban (chair override)"),
        "{shown}"
    );
}

#[test]
fn unknown_code_names_and_members_are_named_with_alternatives() {
    let dir = tempfile::tempdir().unwrap();
    let f = committee(dir.path());
    let stderr = fails(&as_("robin", &[&"case", &"show", &f, &"amber-kettel"]));
    assert!(
        stderr.contains("has no case named \"amber-kettel\" (similar: amber-kettle)"),
        "{stderr}"
    );
    let stderr = fails(&as_("robin", &[&"assign", &f, &"amber-kettle", &"Nobody"]));
    assert!(
        stderr.contains("no member named \"Nobody\" (members: Robin Okafor, Sam Lindqvist"),
        "{stderr}"
    );
    let stderr = fails(&as_("robin", &[&"status", &f, &"amber-kettle", &"decided"]));
    assert!(
        stderr.contains("becomes decided by recording a decision"),
        "{stderr}"
    );
}

#[test]
fn settings_change_the_ladder_the_rule_and_the_promises() {
    let dir = tempfile::tempdir().unwrap();
    let f = committee(dir.path());
    let stderr = fails(&as_("sam", &[&"settings", &f, &"--quorum", &"unanimous"]));
    assert!(
        stderr.contains("only a chair may change the committee's rules"),
        "{stderr}"
    );
    ok(&as_(
        "robin",
        &[
            &"settings",
            &f,
            &"--ladder",
            &"django",
            &"--quorum",
            &"two-thirds",
            &"--acknowledge-hours",
            &"24",
        ],
    ));
    let settings = json(&as_("sam", &[&"settings", &f, &"--json"]));
    assert_eq!(settings["ladder"], "django");
    assert_eq!(settings["quorum"], "two-thirds");
    assert_eq!(settings["acknowledge_hours"], 24);
    let c = ok(&as_("robin", &[&"case", &"new", &f, &"--title", &"x"]))
        .trim()
        .to_string();
    ok(&as_("robin", &[&"status", &f, &c, &"triage"]));
    ok(&as_("robin", &[&"status", &f, &c, &"deliberating"]));
    let stderr = fails(&as_(
        "robin",
        &[&"vote", &f, &c, &"--outcome", &"warning", &"--for"],
    ));
    assert!(
        stderr.contains("imposed-vacation"),
        "the Django ladder's outcomes are offered: {stderr}"
    );
    ok(&as_(
        "robin",
        &[&"vote", &f, &c, &"--outcome", &"imposed-vacation", &"--for"],
    ));
}
