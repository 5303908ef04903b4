//! Retention and erasure: a case's content expunged by two members, provably, on every copy,
//! with no old copy able to bring it back. Every check here reads the file itself (the `age`
//! CLI decrypts it, `sqlite3` reads it) or a second laptop, not only what a command printed.

use crate::common;

use std::path::Path;

use chrono::Utc;
use common::Laptop;
use common::committee::Members;
use common::forge::{Forged, Forgery};

const MEMBERS: [&str; 4] = ["Ada", "Bo", "Cy", "Di"];

/// Canary words the expunged case holds, each in another place: title, summary, a note, a
/// party's name and address, an interview note, a message.
const CANARIES: [&str; 6] = [
    "zqxtitle",
    "zqxsummary",
    "zqxnote",
    "zqxperson",
    "zqxinterview",
    "zqxmessage",
];

/// Ada (chair), Bo, Cy and Di, each on a laptop of their own; case `code` holds the canaries
/// and is out of scope (the committee is done with it); case `other` holds `zqxkeep`.
struct Committee {
    members: Members,
    code: String,
    other: String,
}

impl std::ops::Deref for Committee {
    type Target = Members;

    fn deref(&self) -> &Members {
        &self.members
    }
}

fn committee() -> Option<Committee> {
    let members = Members::new(&MEMBERS)?;
    let file = members.file.clone();
    let ada = members.laptop("Ada");
    let new_case = |title: &str, summary: &str| {
        ada.ok(&[
            &"case",
            &"new",
            &file,
            &"--title",
            &title,
            &"--summary",
            &summary,
        ])
        .trim()
        .to_string()
    };
    let code = new_case("Threats zqxtitle", "What happened zqxsummary");
    let other = new_case("Another report zqxkeep", "It stays");
    ada.ok(&[
        &"note",
        &"add",
        &file,
        &code,
        &"--text",
        &"We met them zqxnote",
    ]);
    ada.ok(&[
        &"note",
        &"add",
        &file,
        &code,
        &"--kind",
        &"interview",
        &"--text",
        &"They said zqxinterview",
    ]);
    ada.ok(&[
        &"party",
        &"add",
        &file,
        &code,
        &"--role",
        &"reporter",
        &"--name",
        &"Pat zqxperson",
        &"--email",
        &"pat@zqxperson.example",
    ]);
    ada.ok(&[
        &"comms",
        &"log",
        &file,
        &code,
        &"--to",
        &"reporter",
        &"--summary",
        &"We told them zqxmessage",
    ]);
    ada.ok(&[&"status", &file, &code, &"triage"]);
    ada.ok(&[&"status", &file, &code, &"out-of-scope"]);
    for laptop in members.others() {
        laptop.ok(&[&"info", &file]);
    }
    Some(Committee {
        members,
        code,
        other,
    })
}

impl Committee {
    fn propose(&self, file: &Path) -> String {
        self.as_(
            "Ada",
            &[
                &"expunge",
                &file,
                &self.code,
                &"--reason",
                &"request",
                &"--note",
                &"the reporter asked for erasure",
            ],
        )
    }

    fn approve(&self, who: &str, file: &Path) -> std::process::Output {
        self.laptop(who)
            .run(&[&"expunge", &file, &self.code, &"--approve", &"--yes"])
    }

    /// Every byte of `file` decrypted with the `age` CLI.
    fn plaintext(&self, file: &Path) -> Vec<u8> {
        self.plaintext_as("Ada", file)
    }

    /// Every byte of `file` decrypted with the `age` CLI and `who`'s key.
    fn plaintext_as(&self, who: &str, file: &Path) -> Vec<u8> {
        let out = file.with_extension("scan.db");
        let _ = std::fs::remove_file(&out);
        common::age_decrypt(self.key(who), file, &out);
        let bytes = std::fs::read(&out).unwrap();
        std::fs::remove_file(&out).unwrap();
        bytes
    }

    /// The canaries found in `file`'s decrypted bytes (free pages, the text index and every
    /// table included).
    fn canaries_in(&self, file: &Path) -> Vec<&'static str> {
        let bytes = self.plaintext(file);
        CANARIES
            .iter()
            .copied()
            .filter(|c| contains(&bytes, c.as_bytes()))
            .collect()
    }

    fn head(&self, laptop: &Laptop, file: &Path) -> String {
        laptop.ok(&[&"log", &file, &"--head"])
    }

    fn case_id(&self) -> String {
        self.members.case_id(&self.code)
    }

    fn tombstone(&self) -> String {
        common::query_decrypted(
            self.key("Ada"),
            &self.file,
            "SELECT id FROM events WHERE kind = 'case-expunged';",
        )
        .trim()
        .to_string()
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

#[test]
fn two_members_expunge_a_case_and_no_byte_of_it_is_left_on_any_copy() {
    let Some(c) = committee() else { return };
    let f = &c.file;
    assert_eq!(c.canaries_in(f), CANARIES.to_vec(), "the setup holds them");
    // Before anything is erased: the proposal says what goes and what stays.
    let proposed = c.propose(f);
    assert!(
        proposed.contains("expunge proposed (request)") && proposed.contains("7 changes"),
        "{proposed}"
    );
    assert_eq!(c.canaries_in(f), CANARIES.to_vec(), "nothing erased yet");
    let queue = c.as_("Bo", &[&"case", &"list", f, &"--queue", &"expunge-due"]);
    assert!(queue.contains(&c.code), "{queue}");
    // The proposer cannot approve it; without --yes, nothing changes.
    let refused = c.refused("Ada", &[&"expunge", f, &c.code, &"--approve", &"--yes"]);
    assert!(refused.contains("cannot approve it"), "{refused}");
    let preview = c.as_("Bo", &[&"expunge", f, &c.code, &"--approve"]);
    assert!(
        preview.contains("nothing changed") && preview.contains("Ada proposed"),
        "{preview}"
    );
    assert_eq!(c.canaries_in(f), CANARIES.to_vec());
    // Bo approves: the file and its backup hold none of it.
    let out = c.approve("Bo", f);
    let said = common::ok(&out);
    assert!(said.contains("expunged"), "{said}");
    let notes = String::from_utf8_lossy(&out.stderr);
    assert!(
        notes.contains("the content of 7 changes of expunged case")
            && notes.contains("backup was replaced"),
        "{notes}"
    );
    assert_eq!(c.canaries_in(f), Vec::<&str>::new(), "in the file");
    assert_eq!(
        c.canaries_in(&common::backup(f)),
        Vec::<&str>::new(),
        "in the backup"
    );
    assert!(
        contains(&c.plaintext(f), b"zqxkeep"),
        "the other case stays"
    );
    // What the file holds of it: headers and markers, the tombstone, its approval and Bo's
    // laptop saying it applied it; no search entry, no party.
    let id = c.case_id();
    let rows = common::query_decrypted(
        c.key("Ada"),
        f,
        &format!(
            "SELECT kind, substr(payload, 1, 13) FROM events WHERE case_id = '{id}' ORDER BY seq;
             SELECT 'search', count(*) FROM search_content WHERE c1 = '{id}';
             SELECT 'parties', count(*) FROM parties WHERE case_id = '{id}';"
        ),
    );
    for line in rows.lines() {
        let ok = line.starts_with("case-expunged|")
            || line.starts_with("expunge-approved|")
            || line.starts_with("expunge-applied|")
            || line.ends_with("|{\"expunged\":\"")
            || line == "search|0"
            || line == "parties|0";
        assert!(ok, "{line} in:\n{rows}");
    }
    assert_eq!(rows.matches("{\"expunged\":\"").count(), 7, "{rows}");
    // Every copy verifies it and converges: the proposer's, the approver's and a laptop that
    // never saw the case.
    let fresh = Laptop::with_key(c.key("Di"));
    let heads: Vec<String> = [c.laptop("Ada"), c.laptop("Bo"), &fresh]
        .iter()
        .map(|l| c.head(l, f))
        .collect();
    assert!(heads.windows(2).all(|w| w[0] == w[1]), "{heads:?}");
    let shown = c.as_("Cy", &[&"case", &"show", f, &c.code]);
    assert!(
        shown.contains("expunged") && shown.contains("approved by Bo"),
        "{shown}"
    );
    assert!(shown.contains("applied    on the laptops of Bo"), "{shown}");
    assert!(!CANARIES.iter().any(|w| shown.contains(w)), "{shown}");
    let found = c.as_("Cy", &[&"search", f, &"zqxnote"]);
    assert!(found.contains("nothing found"), "{found}");
    // Nothing more can be written on it.
    let refused = c.refused("Cy", &[&"note", &"add", f, &c.code, &"--text", &"more"]);
    assert!(refused.contains("was expunged"), "{refused}");
    // Expunging is one-way.
    let again = c.refused("Ada", &[&"expunge", f, &c.code, &"--reason", &"retention"]);
    assert!(again.contains("was expunged"), "{again}");
}

#[test]
fn an_old_copy_brings_nothing_back_and_a_tombstone_erases_an_old_copy_in_place() {
    let Some(c) = committee() else { return };
    let f = &c.file;
    c.propose(f);
    // Cy's copy from before the approval, with a note of its own on the case.
    let old = c.dir.join("cy-copy.cases.age");
    std::fs::copy(f, &old).unwrap();
    c.as_(
        "Cy",
        &[&"note", &"add", &old, &c.code, &"--text", &"Late zqxlate"],
    );
    common::ok(&c.approve("Bo", f));
    // Bo's laptop saw the expunge: it does not show the old copy at all.
    let out = c.laptop("Bo").run(&[&"case", &"list", &old]);
    let refused = common::fails_with(&out, 7);
    assert!(
        refused.contains("still holds the content of") && refused.contains("casebook merge"),
        "{refused}"
    );
    // Merged into the current file: nothing of the case comes back, Cy's late note included.
    let out = c.laptop("Ada").run(&[&"merge", f, &old]);
    let merged = common::ok(&out);
    assert!(merged.contains("merged into"), "{merged}");
    let notes = String::from_utf8_lossy(&out.stderr);
    assert!(
        notes.contains("the content of 1 change of expunged case"),
        "what the old copy brought is discarded, and said: {notes}"
    );
    assert_eq!(c.canaries_in(f), Vec::<&str>::new());
    assert!(!contains(&c.plaintext(f), b"zqxlate"), "the late note");
    // The tombstone merged into the old copy erases it in place.
    c.as_("Cy", &[&"merge", &old, f]);
    c.as_("Ada", &[&"merge", f, &old]);
    assert_eq!(c.canaries_in(&old), Vec::<&str>::new());
    assert!(!contains(&c.plaintext(&old), b"zqxlate"));
    assert_eq!(c.canaries_in(&common::backup(&old)), Vec::<&str>::new());
    assert!(
        contains(&c.plaintext(&old), b"zqxkeep"),
        "the other case stays"
    );
    // Both copies and a fresh laptop converge.
    let fresh = Laptop::with_key(c.key("Di"));
    let heads = [
        c.head(c.laptop("Ada"), f),
        c.head(c.laptop("Cy"), &old),
        c.head(&fresh, f),
        c.head(&fresh, &old),
    ];
    assert!(heads.windows(2).all(|w| w[0] == w[1]), "{heads:?}");
    // Cy's laptop applied it too.
    let shown = c.as_("Ada", &[&"case", &"show", f, &c.code]);
    assert!(
        shown.contains("applied    on the laptops of Bo, Ada, Cy; not yet said by Di"),
        "{shown}"
    );
}

#[test]
fn the_rules_hold_an_approval_the_proposer_a_party_or_a_conflicted_member_signed() {
    let Some(c) = committee() else { return };
    let f = &c.file;
    // Cy is recorded as a witness (once Bo approves) and Di declares a hard conflict.
    c.as_(
        "Ada",
        &[
            &"party", &"add", f, &c.code, &"--role", &"witness", &"--name", &"Cy",
        ],
    );
    let pending = c.as_("Bo", &[&"case", &"show", f, &c.code, &"--json"]);
    let pending: serde_json::Value = serde_json::from_str(&pending).unwrap();
    let item = pending["case"]["pending"][0]["id"].as_str().unwrap()[..8].to_string();
    let approved = c.as_("Bo", &[&"approve", f, &c.code, &"--item", &item]);
    assert!(approved.contains("approved"), "{approved}");
    c.as_(
        "Di",
        &[
            &"conflict",
            f,
            &c.code,
            &"--hard",
            &"--reason",
            &"my neighbour",
        ],
    );
    // Sealed from them now: a note on the tombstone would reach them; none is taken.
    let refused = c.refused(
        "Ada",
        &[
            &"expunge",
            f,
            &c.code,
            &"--reason",
            &"request",
            &"--note",
            &"why",
        ],
    );
    assert!(refused.contains("propose it without one"), "{refused}");
    c.as_("Ada", &[&"expunge", f, &c.code, &"--reason", &"request"]);
    let tombstone = c.tombstone();
    let refused = c.refused("Cy", &[&"expunge", f, &c.code, &"--approve", &"--yes"]);
    assert!(refused.contains("sealed from you"), "{refused}");
    // Signed without casebook: each is kept, named, and not applied; nothing is erased.
    for (n, who) in ["Ada", "Cy", "Di"].into_iter().enumerate() {
        let payload = serde_json::json!({
            "kind": "expunge-approved",
            "tombstone": tombstone,
        })
        .to_string();
        let id = c.case_id();
        c.forge(
            f,
            who,
            &now(),
            &[Forged {
                case: Some(&id),
                kind: "expunge-approved",
                payload,
            }],
        );
        let fresh = Laptop::with_key(c.key("Bo"));
        for laptop in [c.laptop("Bo"), &fresh] {
            let log = laptop.ok(&[&"log", f, &c.code]);
            assert_eq!(log.matches("not applied: ").count(), n + 1, "{who}: {log}");
            let shown = laptop.ok(&[&"case", &"show", f, &c.code]);
            assert!(
                shown.contains("zqxtitle") && shown.contains("zqxnote"),
                "{who}: {shown}"
            );
        }
        let parts = common::query_decrypted(c.key("Ada"), f, "SELECT count(*) FROM sealed;");
        assert_ne!(parts.trim(), "0", "{who}: its sealed content is kept");
    }
    // Bo approves it: the sealed parts go too, and the members kept out converge.
    common::ok(&c.approve("Bo", f));
    let parts = common::query_decrypted(c.key("Ada"), f, "SELECT count(*) FROM sealed;");
    assert_eq!(parts.trim(), "0");
    let heads: Vec<String> = ["Ada", "Cy", "Di"]
        .iter()
        .map(|n| c.head(c.laptop(n), f))
        .collect();
    assert!(heads.windows(2).all(|w| w[0] == w[1]), "{heads:?}");
}

#[test]
fn an_erased_payload_outside_an_approved_expunge_is_refused() {
    let Some(c) = committee() else { return };
    let f = &c.file;
    // A member replaces a note's payload with a marker of its hash: the event still checks,
    // but no approved expunge erased it.
    let id = c.case_id();
    let forgery = Forgery::open(c.key("Ada"), f);
    let db = forgery.db.clone();
    let (event, payload) = {
        let row = common::sqlite(
            &db,
            &format!(
                "SELECT id, payload FROM events WHERE case_id = '{id}' AND kind = 'note-added' LIMIT 1;"
            ),
        );
        let (event, payload) = row.trim().split_once('|').unwrap();
        (event.to_string(), payload.to_string())
    };
    use sha2::Digest;
    let hash: String = sha2::Sha256::digest(payload.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let trigger = common::sqlite(
        &db,
        "SELECT sql FROM sqlite_schema WHERE name = 'events_are_append_only_update';",
    );
    common::sqlite(
        &db,
        &format!(
            "DROP TRIGGER events_are_append_only_update;
             UPDATE events SET payload = '{{\"expunged\":\"{hash}\"}}' WHERE id = '{event}';
             {};",
            trigger.trim()
        ),
    );
    forgery.seal(&c.publics());
    let fresh = Laptop::with_key(c.key("Bo"));
    let refused = common::fails(&fresh.run(&[&"case", &"list", f]));
    assert!(
        refused.contains("erased without an approved expunge"),
        "{refused}"
    );
}

#[test]
fn a_case_in_its_appeal_window_under_a_legal_hold_or_still_open_is_not_expunged() {
    let Some(c) = committee() else { return };
    let f = &c.file;
    // Still open: the other case is new.
    let refused = c.refused("Ada", &[&"expunge", f, &c.other, &"--reason", &"retention"]);
    assert!(refused.contains("once it is decided"), "{refused}");
    // A legal hold stands until its day.
    let until = (Utc::now().date_naive() + chrono::Days::new(90)).to_string();
    let held = c.as_(
        "Bo",
        &[
            &"expunge",
            f,
            &c.code,
            &"--hold-until",
            &until,
            &"--why",
            &"litigation hold",
            &"--legal",
        ],
    );
    assert!(held.contains("legal hold until"), "{held}");
    let refused = c.refused("Ada", &[&"expunge", f, &c.code, &"--reason", &"retention"]);
    assert!(
        refused.contains("a legal hold stands until") && refused.contains("litigation hold"),
        "{refused}"
    );
    let shown = c.as_("Ada", &[&"case", &"show", f, &c.code]);
    assert!(shown.contains("legal hold until"), "{shown}");
    // A decision opens the appeal window: no expunge before it closes.
    c.as_("Ada", &[&"status", f, &c.other, &"triage"]);
    c.as_("Ada", &[&"status", f, &c.other, &"deliberating"]);
    for who in ["Ada", "Bo", "Cy"] {
        c.as_(
            who,
            &[&"vote", f, &c.other, &"--outcome", &"warning", &"--for"],
        );
    }
    c.as_(
        "Ada",
        &[
            &"decide",
            f,
            &c.other,
            &"--outcome",
            &"warning",
            &"--rationale",
            &"a warning",
        ],
    );
    let refused = c.refused("Ada", &[&"expunge", f, &c.other, &"--reason", &"retention"]);
    assert!(refused.contains("appeal window is open until"), "{refused}");
    // The schedule: a warning kept 12 months shows in expunge-due a year from now, not today.
    c.as_(
        "Ada",
        &[
            &"settings",
            f,
            &"--retain-months",
            &"24",
            &"--retain",
            &"warning=12",
        ],
    );
    let shown = c.as_("Ada", &[&"case", &"show", f, &c.other]);
    let due = (Utc::now().date_naive() + chrono::Months::new(12)).to_string();
    assert!(
        shown.contains(&format!("expunge    due on {due}")),
        "{shown}"
    );
    let queue = c.as_("Ada", &[&"case", &"list", f, &"--queue", &"expunge-due"]);
    assert!(!queue.contains(&c.other), "{queue}");
}

#[test]
fn the_transparency_report_for_the_period_is_the_same_after_the_expunge() {
    let Some(c) = committee() else { return };
    let f = &c.file;
    let today = Utc::now().date_naive();
    let from = (today - chrono::Days::new(30)).to_string();
    let to = today.to_string();
    let report = |name: &str| {
        let out = c.dir.join(name);
        c.as_(
            "Ada",
            &[
                &"report",
                f,
                &"--from",
                &from,
                &"--to",
                &to,
                &"--format",
                &"csv",
                &"--min-cell",
                &"1",
                &"--output",
                &out,
            ],
        );
        std::fs::read_to_string(out).unwrap()
    };
    let before = report("before.csv");
    c.propose(f);
    common::ok(&c.approve("Bo", f));
    let after = report("after.csv");
    assert!(before.contains("out-of-scope"), "{before}");
    assert_eq!(before, after);
    // What was signed before the expunge still verifies against the file after it.
    let checked = c.as_("Cy", &[&"verify", &c.dir.join("before.csv"), f]);
    assert!(checked.contains("valid"), "{checked}");
}

#[test]
fn a_subject_access_record_holds_the_person_and_not_what_others_wrote() {
    let Some(c) = committee() else { return };
    let f = &c.file;
    // Shown first, nothing written.
    let shown = c.as_(
        "Bo",
        &[
            &"person",
            f,
            &"pat@zqxperson.example",
            &"--export",
            &"pat.md",
        ],
    );
    assert!(shown.contains("nothing written"), "{shown}");
    assert!(
        shown.contains("name: Pat zqxperson") && shown.contains("role: reporter"),
        "{shown}"
    );
    assert!(shown.contains("We told them zqxmessage"), "{shown}");
    for other in ["zqxnote", "zqxinterview", "zqxsummary"] {
        assert!(!shown.contains(other), "{other} in:\n{shown}");
    }
    assert!(
        shown.contains("2 notes or reports on this case are not quoted"),
        "{shown}"
    );
    let out = c.dir.join("pat.md");
    assert!(!out.exists());
    // Written with --yes, signed: ssh-keygen checks it against the roster.
    let wrote = c.as_(
        "Bo",
        &[&"person", f, &"Pat zqxperson", &"--export", &out, &"--yes"],
    );
    assert!(wrote.contains("ssh-keygen -Y verify"), "{wrote}");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("## Case"), "{text}");
    let signers = c.dir.join("allowed_signers");
    let list = c.as_("Bo", &[&"member", &"list", f, &"--allowed-signers"]);
    std::fs::write(&signers, list).unwrap();
    let principal = wrote
        .split_whitespace()
        .skip_while(|w| *w != "-I")
        .nth(1)
        .unwrap()
        .to_string();
    let verified = std::process::Command::new("ssh-keygen")
        .args(["-Y", "verify", "-f"])
        .arg(&signers)
        .args(["-I", &principal, "-n", "casebook", "-s"])
        .arg(c.dir.join("pat.md.sig"))
        .stdin(std::fs::File::open(&out).unwrap())
        .output()
        .unwrap();
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );
    // Nobody by that name: refused, nothing written.
    let refused = c.refused(
        "Bo",
        &[&"person", f, &"Pat", &"--export", &"x.md", &"--yes"],
    );
    assert!(refused.contains("no party"), "{refused}");
}

#[test]
fn an_approval_is_judged_on_the_case_as_it_stands_and_only_by_expunge() {
    let Some(c) = committee() else { return };
    let f = &c.file;
    c.propose(f);
    let tombstone = c.tombstone();
    // The generic approve and a withdrawal do not touch an expunge's proposal.
    let out = c
        .laptop("Bo")
        .run(&[&"approve", f, &c.code, &"--item", &&tombstone[..8]]);
    let refused = common::fails_with(&out, 9);
    assert!(refused.contains("expunge FILE CODE --approve"), "{refused}");
    let refused = c.refused(
        "Ada",
        &[
            &"approve",
            f,
            &c.code,
            &"--item",
            &&tombstone[..8],
            &"--withdraw",
        ],
    );
    assert!(refused.contains("postpone it instead"), "{refused}");
    // A legal hold placed after the proposal: the approval is refused, nothing erased.
    let until = (Utc::now().date_naive() + chrono::Days::new(30)).to_string();
    c.as_(
        "Cy",
        &[
            &"expunge",
            f,
            &c.code,
            &"--hold-until",
            &until,
            &"--why",
            &"litigation",
            &"--legal",
        ],
    );
    let refused = common::fails(&c.approve("Bo", f));
    assert!(refused.contains("a legal hold stands"), "{refused}");
    // The preview says so too, rather than offering it.
    let refused = c.refused("Bo", &[&"expunge", f, &c.code, &"--approve"]);
    assert!(refused.contains("a legal hold stands"), "{refused}");
    assert_eq!(c.canaries_in(f), CANARIES.to_vec());
    // Settings far out of range are taken without a panic anywhere.
    c.as_(
        "Ada",
        &[
            &"settings",
            f,
            &"--retain-months",
            &"1",
            &"--expunge-notice-days",
            &"4294967295",
            &"--notice-days",
            &"4294967295",
        ],
    );
    let queue = c.as_("Bo", &[&"case", &"list", f, &"--queue", &"counts"]);
    assert!(queue.contains("expunge-due"), "{queue}");
    let refused = c.refused("Ada", &[&"settings", f, &"--retain-months", &"1200000"]);
    assert!(refused.contains("at most 1200"), "{refused}");
}

#[test]
fn a_copy_the_case_is_sealed_from_erases_it_and_converges() {
    let Some(c) = committee() else { return };
    let f = &c.file;
    c.as_(
        "Cy",
        &[
            &"conflict",
            f,
            &c.code,
            &"--hard",
            &"--reason",
            &"my neighbour",
        ],
    );
    // Cy's copy, from before the expunge: the case's content is sealed from Cy there.
    let cy_copy = c.dir.join("cy-copy.cases.age");
    std::fs::copy(f, &cy_copy).unwrap();
    c.as_("Ada", &[&"expunge", f, &c.code, &"--reason", &"request"]);
    common::ok(&c.approve("Bo", f));
    // Cy's laptop merges the expunge into its copy: the encrypted parts go, and the case
    // is replayed from its tombstone.
    let out = c.laptop("Cy").run(&[&"merge", &cy_copy, f]);
    common::ok(&out);
    let parts = common::query_decrypted(c.key("Cy"), &cy_copy, "SELECT count(*) FROM sealed;");
    assert_eq!(parts.trim(), "0");
    c.as_("Bo", &[&"merge", f, &cy_copy]);
    // Every laptop, fresh ones too, reads both copies alike and warns of nothing.
    let mut heads = Vec::new();
    for key in ["Ada", "Cy"] {
        let fresh = Laptop::with_key(c.key(key));
        for file in [f, &cy_copy] {
            let out = fresh.run(&[&"log", file, &"--head"]);
            let said = String::from_utf8_lossy(&out.stderr).into_owned();
            assert!(!said.contains("WARNING"), "{said}");
            heads.push(common::ok(&out));
        }
    }
    assert!(heads.windows(2).all(|w| w[0] == w[1]), "{heads:?}");
    let shown = c.as_("Cy", &[&"case", &"show", &cy_copy, &c.code]);
    assert!(shown.contains("expunged"), "{shown}");
}

#[test]
fn a_copy_that_held_part_of_the_case_takes_the_rest_erased_and_converges() {
    let Some(c) = committee() else { return };
    let f = &c.file;
    // Cy's copy from when the other case was in triage: it never saw it closed or proposed.
    c.as_("Ada", &[&"status", f, &c.other, &"triage"]);
    let old = c.dir.join("cy-old.cases.age");
    std::fs::copy(f, &old).unwrap();
    c.as_("Ada", &[&"status", f, &c.other, &"out-of-scope"]);
    c.as_("Ada", &[&"expunge", f, &c.other, &"--reason", &"retention"]);
    common::ok(
        &c.laptop("Bo")
            .run(&[&"expunge", f, &c.other, &"--approve", &"--yes"]),
    );
    // Cy merges the erased file into the old copy: the closing and the proposal come in as
    // markers only, and the copy erases what it held of the case.
    let merged = c.as_("Cy", &[&"merge", &old, f]);
    assert!(merged.contains("merged into"), "{merged}");
    assert!(!contains(&c.plaintext(&old), b"zqxkeep"));
    let fresh = Laptop::with_key(c.key("Di"));
    let mut heads = Vec::new();
    for file in [f, &old] {
        let out = fresh.run(&[&"log", file, &"--head"]);
        let said = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!said.contains("WARNING"), "{said}");
        heads.push(common::ok(&out));
    }
    c.as_("Ada", &[&"merge", f, &old]);
    heads.push(c.head(&fresh, f));
    assert!(heads[1..].windows(2).all(|w| w[0] == w[1]), "{heads:?}");
}

/// An approval that comes in with a sync conflict copy, merged when a chair opens the file to
/// change the roster: the roster change's save erases the case, and does all that every
/// erasing save does (deletes the copy it merged, says what it erased, signs that this laptop
/// applied it). Then a chair who removes themselves at such a save: the removal and the
/// erasure stand, the command says so and succeeds, and the laptop does not sign for a
/// committee it has left.
#[test]
fn a_roster_change_that_erases_an_expunged_case_does_what_every_erasing_save_does() {
    let Some(c) = committee() else { return };
    let f = &c.file;
    let conflict = |n: u32| {
        c.dir.join(format!(
            "committee.cases.sync-conflict-2026120{n}-101500-ABCDEF7.age"
        ))
    };
    // Bo approves on a copy that reaches Ada's folder as a conflict copy.
    c.propose(f);
    std::fs::copy(f, conflict(1)).unwrap();
    common::ok(&c.approve("Bo", &conflict(1)));
    assert_eq!(c.canaries_in(f), CANARIES.to_vec(), "not erased here yet");
    let out = c
        .laptop("Ada")
        .run(&[&"member", &"role", f, &"Cy", &"chair"]);
    let said = common::ok(&out);
    let notes = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("Cy is now"), "{said}");
    assert!(
        notes.contains("the content of 7 changes of expunged case"),
        "{notes}"
    );
    assert!(!conflict(1).exists(), "the merged copy is deleted");
    assert_eq!(c.canaries_in(f), Vec::<&str>::new(), "in the file");
    assert_eq!(c.canaries_in(&common::backup(f)), Vec::<&str>::new());
    let shown = c.as_("Di", &[&"case", &"show", f, &c.code]);
    assert!(shown.contains("applied    on the laptops of"), "{shown}");
    assert!(shown.contains("Ada") && shown.contains("Bo"), "{shown}");

    // A second case, expunged the same way; Ada removes herself as the approval comes in.
    let other = c.other.clone();
    c.as_("Ada", &[&"status", f, &other, &"triage"]);
    c.as_("Ada", &[&"status", f, &other, &"out-of-scope"]);
    c.as_("Ada", &[&"expunge", f, &other, &"--reason", &"request"]);
    std::fs::copy(f, conflict(2)).unwrap();
    common::ok(
        &c.laptop("Bo")
            .run(&[&"expunge", &conflict(2), &other, &"--approve", &"--yes"]),
    );
    let out = c
        .laptop("Ada")
        .run(&[&"member", &"remove", f, &"Ada", &"--allow-self-removal"]);
    let said = common::ok(&out);
    let notes = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("removed Ada"), "{said}");
    assert!(
        notes.contains("expunged case") && notes.contains("no longer on the committee's roster"),
        "{notes}"
    );
    assert!(!conflict(2).exists(), "the merged copy is deleted");
    assert!(
        !contains(&c.plaintext_as("Cy", f), b"zqxkeep"),
        "the second case is erased"
    );
    let roster = c.as_("Cy", &[&"member", &"list", f]);
    assert!(roster.contains("removed"), "{roster}");
}
