//! The committee's rules live in the history: every copy's replay judges every event against
//! what its author had seen, and keeps without applying what the rules forbid. Each attack is
//! built as a member would build it on their own laptop — `age -d`, `sqlite3`, `ssh-keygen -Y
//! sign`, `age -e` (see `common::forge`) — or with the stock command line where it reaches.
//! For each: the change is kept and not applied, named in `log` and in needs-attention, kept
//! out of exports, and every copy (a laptop that saw the file before, and one that never did)
//! derives the same state and `log --head`.

use crate::common;

use std::path::PathBuf;

use common::Laptop;
use common::committee::Members;
use common::forge::{Forged, Forgery};

/// Ada (chair), Bo, Cy and Mei, each on a laptop of their own. Case `sealed` is about Mei
/// (recorded as its reported party, so sealed from her) and is investigating; case `open` is
/// deliberating, nobody has voted on it.
struct Committee {
    members: Members,
    sealed: String,
    open: String,
}

impl std::ops::Deref for Committee {
    type Target = Members;
    fn deref(&self) -> &Members {
        &self.members
    }
}

fn committee() -> Option<Committee> {
    let members = Members::new(&["Ada", "Bo", "Cy", "Mei"])?;
    let (file, ada) = (&members.file, members.laptop("Ada"));
    let new_case = |title: &str| {
        ada.ok(&[&"case", &"new", file, &"--title", &title])
            .trim()
            .to_string()
    };
    let sealed = new_case("About a committee member zqxsealed");
    let open = new_case("Hostile replies zqxopen");
    for step in ["triage", "investigating"] {
        ada.ok(&[&"status", file, &sealed, &step]);
    }
    for step in ["triage", "investigating", "deliberating"] {
        ada.ok(&[&"status", file, &open, &step]);
    }
    ada.ok(&[
        &"party",
        &"add",
        file,
        &sealed,
        &"--role",
        &"reported",
        &"--name",
        &"Mei",
    ]);
    for laptop in members.others() {
        laptop.ok(&[&"info", file]);
    }
    Some(Committee {
        members,
        sealed,
        open,
    })
}

impl Committee {
    /// What every copy must show: Ada's laptop (which pinned the file before) and a laptop
    /// that never saw it derive the same head and state, and both name `why` in the case's
    /// log and list the case as needing attention.
    fn held_everywhere(&self, code: &str, why: &str) {
        let fresh = Laptop::with_key(self.key("Cy"));
        let mut heads = Vec::new();
        for laptop in [self.laptop("Ada"), &fresh] {
            let log = laptop.ok(&[&"log", &self.file, &code]);
            assert!(
                log.contains("not applied: ") && log.contains(why),
                "{why:?} in:\n{log}"
            );
            let queue = laptop.ok(&[&"case", &"list", &self.file, &"--queue", &"needs-attention"]);
            assert!(queue.contains(code), "{queue}\n{log}");
            heads.push(laptop.ok(&[&"log", &self.file, &"--head"]));
        }
        assert_eq!(heads[0], heads[1], "the copies do not converge");
    }

    fn status(&self, code: &str) -> String {
        let shown = self
            .laptop("Ada")
            .ok(&[&"case", &"show", &self.file, &code, &"--json"]);
        let shown: serde_json::Value = serde_json::from_str(&shown).unwrap();
        shown["case"]["status"].as_str().unwrap().to_string()
    }

    fn decision(&self, code: &str) -> serde_json::Value {
        let shown = self
            .laptop("Ada")
            .ok(&[&"case", &"show", &self.file, &code, &"--json"]);
        let shown: serde_json::Value = serde_json::from_str(&shown).unwrap();
        shown["case"]["decision"].clone()
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

#[test]
fn the_member_a_sealed_case_is_about_cannot_close_decide_or_write_its_record() {
    let Some(c) = committee() else { return };
    let case = c.case_id(&c.sealed);
    let at = now();
    c.forge(
        &c.file,
        "Mei",
        &at,
        &[
            Forged {
                case: Some(&case),
                kind: "status-changed",
                payload: r#"{"kind":"status-changed","from":"investigating","to":"out-of-scope"}"#
                    .into(),
            },
            Forged {
                case: Some(&case),
                kind: "record-text-written",
                payload: r#"{"kind":"record-text-written","profile":"reported","title":"All clear","summary":"zqxforgedtext"}"#.into(),
            },
        ],
    );
    c.held_everywhere(&c.sealed, "is sealed from Mei");
    assert_eq!(c.status(&c.sealed), "investigating");
    // The record text never reaches an export (the case is decided by the committee later).
    let ada = c.laptop("Ada");
    ada.ok(&[&"status", &c.file, &c.sealed, &"deliberating"]);
    ada.ok(&[
        &"decide",
        &c.file,
        &c.sealed,
        &"--outcome",
        &"warning",
        &"--rationale",
        &"r",
        &"--override",
        &"--reason",
        &"urgent",
    ]);
    let out = c.dir.join("reported.md");
    // Held text is no text: the export asks for one first, as for a record nobody wrote.
    let refused = common::fails(&ada.run(&[
        &"export",
        &c.file,
        &c.sealed,
        &"--for",
        &"reported",
        &"-o",
        &out,
    ]));
    assert!(
        refused.contains("no member wrote the text of the reported record"),
        "{refused}"
    );
    ada.ok(&[
        &"export",
        &c.file,
        &c.sealed,
        &"--for",
        &"reported",
        &"--without-text",
        &"-o",
        &out,
    ]);
    let record = std::fs::read_to_string(&out).unwrap();
    assert!(
        !record.contains("zqxforgedtext") && !record.contains("All clear"),
        "{record}"
    );
}

#[test]
fn a_reported_member_sealed_out_cannot_vote_or_propose_and_is_not_counted() {
    let Some(c) = committee() else { return };
    c.laptop("Ada")
        .ok(&[&"status", &c.file, &c.sealed, &"deliberating"]);
    c.laptop("Bo").ok(&[
        &"vote",
        &c.file,
        &c.sealed,
        &"--outcome",
        &"warning",
        &"--for",
    ]);
    // With the stock command line: refused with the rule's reason.
    let refused = common::fails(&c.laptop("Mei").run(&[
        &"vote",
        &c.file,
        &c.sealed,
        &"--outcome",
        &"no-violation",
        &"--against",
        &"--propose",
    ]));
    assert!(refused.contains("sealed from Mei"), "{refused}");
    // Signed with ssh-keygen outside casebook: kept, not applied.
    let case = c.case_id(&c.sealed);
    c.forge(
        &c.file,
        "Mei",
        &now(),
        &[
            Forged {
                case: Some(&case),
                kind: "outcome-proposed",
                payload: r#"{"kind":"outcome-proposed","outcome":"no-violation"}"#.into(),
            },
            Forged {
                case: Some(&case),
                kind: "vote-cast",
                payload: r#"{"kind":"vote-cast","outcome":"no-violation","ballot":"against"}"#
                    .into(),
            },
        ],
    );
    c.held_everywhere(&c.sealed, "sealed from Mei");
    let shown = c
        .laptop("Ada")
        .ok(&[&"case", &"show", &c.file, &c.sealed, &"--json"]);
    let shown: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(shown["case"]["proposal"]["outcome"], "warning", "{shown}");
    // Mei is not eligible: Ada, Bo and Cy are.
    assert_eq!(shown["tally"]["eligible"], 3, "{shown}");
}

#[test]
fn a_member_not_yet_recorded_as_a_party_cannot_seal_the_report_from_the_others() {
    let Some(c) = committee() else { return };
    let fresh = c
        .laptop("Ada")
        .ok(&[
            &"case",
            &"new",
            &c.file,
            &"--title",
            &"Reported: Mei zqxfresh",
        ])
        .trim()
        .to_string();
    let mei = c.laptop("Mei");
    let refused = common::fails(&mei.run(&[
        &"case", &"seal", &c.file, &fresh, &"--from", &"Ada", &"--why", &"party",
    ]));
    assert!(refused.contains("records no party as them"), "{refused}");
    // "At the reporter's request", after the report was opened: it waits for a second reader.
    let out = mei.ok(&[
        &"case", &"seal", &c.file, &fresh, &"--from", &"Ada", &"--why", &"request",
    ]);
    assert!(out.contains("waits for a second member"), "{out}");
    let shown = c.laptop("Ada").ok(&[&"case", &"show", &c.file, &fresh]);
    assert!(shown.contains("zqxfresh"), "Ada still reads it: {shown}");
}

#[test]
fn one_member_alone_does_not_give_the_reported_party_the_report() {
    let Some(c) = committee() else { return };
    let out = c
        .laptop("Bo")
        .ok(&[&"case", &"give", &c.file, &c.sealed, &"Mei"]);
    assert!(out.contains("your request is recorded"), "{out}");
    let shown = c.laptop("Mei").ok(&[&"case", &"show", &c.file, &c.sealed]);
    assert!(!shown.contains("zqxsealed"), "{shown}");
    // Bo's access given with ssh-keygen, without a second reader: kept, not applied. (Its
    // key, wrapped to Mei, would open nothing: the case's content is not sealed to it.)
    let case = c.case_id(&c.sealed);
    let mei_id = {
        let f = Forgery::open(c.key("Ada"), &c.file);
        let id = f.member("Mei");
        std::fs::remove_file(&f.db).unwrap();
        id
    };
    let payload = format!(
        r#"{{"kind":"case-sealed","access":{{"change":"given","member":"{mei_id}"}},"readers":[],"recipient":"age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq","keys":""}}"#
    );
    // Bo, who asked, gives it himself: the same reader twice is one reader.
    c.forge(
        &c.file,
        "Bo",
        &now(),
        &[Forged {
            case: Some(&case),
            kind: "case-sealed",
            payload,
        }],
    );
    c.held_everywhere(&c.sealed, "a second reader must agree");
    let shown = c.laptop("Mei").ok(&[&"case", &"show", &c.file, &c.sealed]);
    assert!(!shown.contains("zqxsealed"), "{shown}");
    // What the readers write afterwards is never sealed to the key the refused change gave:
    // Mei finds none of it with `age -d`, in the file or its backup.
    c.laptop("Ada").ok(&[
        &"note",
        &"add",
        &c.file,
        &c.sealed,
        &"--text",
        &"zqxafterwards",
    ]);
    for file in [
        c.file.clone(),
        PathBuf::from(format!("{}.bak", c.file.display())),
    ] {
        let out = c.dir.join("mei-view.db");
        let _ = std::fs::remove_file(&out);
        common::age_decrypt(c.key("Mei"), &file, &out);
        let bytes = std::fs::read(&out).unwrap();
        std::fs::remove_file(&out).unwrap();
        for canary in [&b"zqxafterwards"[..], b"zqxsealed"] {
            assert!(
                !bytes.windows(canary.len()).any(|w| w == canary),
                "Mei reads {} in {}",
                String::from_utf8_lossy(canary),
                file.display()
            );
        }
    }
}

#[test]
fn a_decision_with_an_invented_tally_does_not_decide_the_case() {
    let Some(c) = committee() else { return };
    let case = c.case_id(&c.open);
    c.forge(
        &c.file,
        "Bo",
        &now(),
        &[Forged {
            case: Some(&case),
            kind: "decision-recorded",
            payload: r#"{"kind":"decision-recorded","outcome":"no-violation","rationale":"zqxinvented","tally":{"eligible":5,"for":5,"against":0,"abstain":0,"needed":3,"rule":"unanimous","met":true},"override_reason":null}"#.into(),
        }],
    );
    c.held_everywhere(&c.open, "does not meet the simple-majority rule");
    assert!(c.decision(&c.open).is_null());
    assert_eq!(c.status(&c.open), "deliberating");
    let refused = common::fails(&c.laptop("Ada").run(&[
        &"export",
        &c.file,
        &c.open,
        &"--for",
        &"internal",
        &"-o",
        &c.dir.join("x.md"),
    ]));
    assert!(
        refused.contains("not decided") || refused.contains("no decision"),
        "{refused}"
    );
}

#[test]
fn a_decision_backdated_on_another_copy_does_not_displace_the_committees() {
    let Some(c) = committee() else { return };
    let copy = c.dir.join("old.cases.age");
    std::fs::copy(&c.file, &copy).unwrap();
    c.laptop("Ada").ok(&[
        &"decide",
        &c.file,
        &c.open,
        &"--outcome",
        &"warning",
        &"--rationale",
        &"the real one",
        &"--override",
        &"--reason",
        &"urgent",
    ]);
    let case = c.case_id(&c.open);
    c.forge(
        &copy,
        "Ada",
        "2001-01-01T00:00:00.000000000Z",
        &[Forged {
            case: Some(&case),
            kind: "decision-recorded",
            payload: r#"{"kind":"decision-recorded","outcome":"no-violation","rationale":"zqxbackdated","tally":{"eligible":4,"for":0,"against":0,"abstain":0,"needed":3,"rule":"simple-majority","met":false},"override_reason":"backdated"}"#.into(),
        }],
    );
    c.laptop("Ada").ok(&[&"merge", &c.file, &copy]);
    c.held_everywhere(&c.open, "earlier than the history it follows");
    assert_eq!(c.decision(&c.open)["outcome"], "warning");
}

#[test]
fn an_outcome_off_the_ladder_never_decides_and_never_reaches_a_record() {
    let Some(c) = committee() else { return };
    let case = c.case_id(&c.open);
    c.forge(
        &c.file,
        "Ada",
        &now(),
        &[Forged {
            case: Some(&case),
            kind: "decision-recorded",
            payload: r#"{"kind":"decision-recorded","outcome":"other: Jane Doe zqxname reported it","rationale":"r","tally":{"eligible":4,"for":0,"against":0,"abstain":0,"needed":3,"rule":"simple-majority","met":false},"override_reason":"chair"}"#.into(),
        }],
    );
    c.held_everywhere(&c.open, "is not an outcome of the");
    assert!(c.decision(&c.open).is_null());
}

#[test]
fn a_member_removed_on_one_copy_changes_nothing_on_another_made_at_the_same_time() {
    let Some(c) = committee() else { return };
    let copy = c.dir.join("bo.cases.age");
    std::fs::copy(&c.file, &copy).unwrap();
    // On his copy, Bo moves the case back to investigating (allowed where he made it).
    c.laptop("Bo")
        .ok(&[&"status", &copy, &c.open, &"investigating"]);
    c.laptop("Ada").ok(&[&"member", &"remove", &c.file, &"Bo"]);
    c.laptop("Ada").ok(&[&"merge", &c.file, &copy]);
    assert_eq!(c.status(&c.open), "deliberating");
    let attention = c.laptop("Ada").ok(&[&"attention", &c.file]);
    assert!(
        attention.contains("removed from the committee"),
        "{attention}"
    );
    // The committee goes on with the case as it stood.
    c.laptop("Ada")
        .ok(&[&"status", &c.file, &c.open, &"investigating"]);
}

#[test]
fn a_backdated_key_rotation_is_kept_and_not_applied() {
    let Some(c) = committee() else { return };
    let fresh_key = common::member_key(&c.dir, "cy-new");
    let public = std::fs::read_to_string(c.dir.join("cy-new.pub")).unwrap();
    let public: Vec<&str> = public.split_whitespace().take(2).collect();
    let cy = {
        let f = Forgery::open(c.key("Ada"), &c.file);
        let id = f.member("Cy");
        std::fs::remove_file(&f.db).unwrap();
        id
    };
    let _ = fresh_key;
    let members = c.laptop("Ada").ok(&[&"member", &"list", &c.file]);
    c.forge(
        &c.file,
        "Cy",
        "2001-01-01T00:00:00.000000000Z",
        &[Forged {
            case: None,
            kind: "member-key-changed",
            payload: format!(
                r#"{{"kind":"member-key-changed","member":"{cy}","recipient":"{}"}}"#,
                public.join(" ")
            ),
        }],
    );
    assert_eq!(c.laptop("Ada").ok(&[&"member", &"list", &c.file]), members);
    let log = c.laptop("Ada").ok(&[&"log", &c.file]);
    assert!(log.contains("earlier than the history it follows"), "{log}");
    let attention = c.laptop("Ada").ok(&[&"attention", &c.file]);
    assert!(attention.contains("not applied"), "{attention}");
}

#[test]
fn a_change_dated_in_the_future_is_applied_and_warned_of_in_the_log() {
    let Some(c) = committee() else { return };
    let case = c.case_id(&c.open);
    c.forge(
        &c.file,
        "Bo",
        "2099-01-01T00:00:00.000000000Z",
        &[Forged {
            case: Some(&case),
            kind: "note-added",
            payload: r#"{"kind":"note-added","body":"zqxfuture","note":"general"}"#.into(),
        }],
    );
    let fresh = Laptop::with_key(c.key("Cy"));
    for laptop in [c.laptop("Ada"), &fresh] {
        let log = laptop.ok(&[&"log", &c.file, &c.open]);
        assert!(
            log.contains("WARNING: dated after this laptop's clock"),
            "{log}"
        );
        assert!(!log.contains("not applied"), "{log}");
        let json = laptop.ok(&[&"log", &c.file, &"--json"]);
        let commits: serde_json::Value = serde_json::from_str(&json).unwrap();
        let future: Vec<bool> = commits
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["dated_in_the_future"].as_bool().unwrap())
            .collect();
        assert_eq!(future.iter().filter(|f| **f).count(), 1, "{json}");
        assert!(*future.last().unwrap());
        // Applied: the note is on the case (the time is a claim, not a rule).
        let shown = laptop.ok(&[&"case", &"show", &c.file, &c.open]);
        assert!(shown.contains("zqxfuture"), "{shown}");
    }
}

/// Found in review: a member who is not a chair resolved their own rule-breaking roster change
/// in the same commit, and it left the needs-attention queue. Only a chair resolves what the
/// roster needs attention for: the resolution is kept and not applied, and the change stays
/// listed on every copy.
#[test]
fn a_member_cannot_resolve_their_own_rule_breaking_change_away() {
    let Some(c) = committee() else { return };
    let mei = Forgery::open(c.key("Mei"), &c.file);
    let me = mei.member("Mei");
    std::fs::remove_file(&mei.db).unwrap();
    let promotion = uuid::Uuid::new_v4();
    let mut forgery = Forgery::open(c.key("Mei"), &c.file);
    // The role change is forged with a known id, so the resolution can name it.
    forgery.commit_with_ids(
        "Mei",
        c.key("Mei"),
        &now(),
        &[
            (
                promotion,
                Forged {
                    case: None,
                    kind: "member-role-changed",
                    payload: format!(
                        r#"{{"kind":"member-role-changed","member":"{me}","role":"chair"}}"#
                    ),
                },
            ),
            (
                uuid::Uuid::new_v4(),
                Forged {
                    case: None,
                    kind: "attention-resolved",
                    payload: format!(
                        r#"{{"kind":"attention-resolved","events":["{promotion}"],"note":"fine"}}"#
                    ),
                },
            ),
        ],
    );
    forgery.seal(&c.publics());
    let fresh = Laptop::with_key(c.key("Cy"));
    for laptop in [c.laptop("Ada"), &fresh] {
        let listed = laptop.ok(&[&"attention", &c.file]);
        assert!(listed.contains(&promotion.to_string()[..8]), "{listed}");
        let log = laptop.ok(&[&"log", &c.file]);
        assert!(
            log.contains("changed what needs attention on the roster without being a chair"),
            "{log}"
        );
        let members = laptop.ok(&[&"member", &"list", &c.file]);
        assert!(
            !members
                .lines()
                .any(|l| l.contains("Mei") && l.contains("chair")),
            "{members}"
        );
    }
}

/// Found in review: a reader signed a "new key" for a sealed case naming only himself as its
/// reader, and the case was taken from the other readers. A sealing must name the readers its
/// change gives: this one is kept and not applied, and the others still read the case.
#[test]
fn a_sealing_that_names_other_readers_than_its_change_gives_is_not_applied() {
    let Some(c) = committee() else { return };
    let forgery = Forgery::open(c.key("Bo"), &c.file);
    let bo = forgery.member("Bo");
    let case = forgery.case(&c.sealed);
    let last = forgery.one(&format!(
        "SELECT payload FROM events WHERE case_id = '{case}' AND kind = 'case-sealed' \
         ORDER BY seq DESC LIMIT 1;"
    ));
    std::fs::remove_file(&forgery.db).unwrap();
    let mut sealing: serde_json::Value = serde_json::from_str(&last).unwrap();
    let sealing = sealing.as_object_mut().unwrap();
    sealing.remove("salt");
    sealing.insert("access".into(), serde_json::json!({"change": "rekeyed"}));
    sealing.insert("readers".into(), serde_json::json!([bo]));
    c.forge(
        &c.file,
        "Bo",
        &now(),
        &[Forged {
            case: Some(&case),
            kind: "case-sealed",
            payload: serde_json::Value::Object(sealing.clone()).to_string(),
        }],
    );
    c.held_everywhere(&c.sealed, "the sealing names Bo as its readers");
    // Ada and Cy still read it.
    for name in ["Ada", "Cy"] {
        let shown = Laptop::with_key(c.key(name)).ok(&[&"case", &"show", &c.file, &c.sealed]);
        assert!(!shown.contains("sealed from you"), "{name}: {shown}");
        assert!(shown.contains("zqxsealed"), "{name}: {shown}");
    }
}

/// Found in review: the member a sealed case is about chose which of two decisions stands by
/// signing a resolution. Choosing a decision is deciding: a resolution by a member who may
/// not act on the case is kept and not applied.
#[test]
fn a_party_cannot_choose_which_decision_stands() {
    let Some(c) = committee() else { return };
    let case = c.case_id(&c.sealed);
    c.forge(
        &c.file,
        "Mei",
        &now(),
        &[Forged {
            case: Some(&case),
            kind: "attention-resolved",
            payload: format!(
                r#"{{"kind":"attention-resolved","events":["{}"],"note":"mine","keep":"{}"}}"#,
                uuid::Uuid::new_v4(),
                uuid::Uuid::new_v4()
            ),
        }],
    );
    c.held_everywhere(&c.sealed, "is sealed from Mei");
}

#[test]
fn a_chair_kept_out_of_a_case_takes_none_of_its_readers_away_alone() {
    let Some(c) = committee() else { return };
    // Mei, whom the sealed case is about, is a chair too.
    c.laptop("Ada")
        .ok(&[&"member", &"role", &c.file, &"Mei", &"chair"]);
    let active = |laptop: &Laptop, name: &str| {
        let list = laptop.ok(&[&"member", &"list", &c.file]);
        list.lines()
            .any(|l| l.starts_with(name) && l.contains("active since"))
    };
    // With the stock command line, removing a reader of the case is a motion, not a removal.
    let proposed = c.laptop("Mei").ok(&[&"member", &"remove", &c.file, &"Bo"]);
    assert!(proposed.contains("waits for a majority"), "{proposed}");
    assert!(proposed.contains("kept out of"), "{proposed}");
    // Written by hand, a removal of another reader and a new key for a third fare no better.
    let (bo, cy) = {
        let f = Forgery::open(c.key("Ada"), &c.file);
        let ids = (f.member("Bo"), f.member("Cy"));
        std::fs::remove_file(&f.db).unwrap();
        ids
    };
    let _ = common::member_key(&c.dir, "bo-new");
    let public = std::fs::read_to_string(c.dir.join("bo-new.pub")).unwrap();
    let public: Vec<&str> = public.split_whitespace().take(2).collect();
    c.forge(
        &c.file,
        "Mei",
        &now(),
        &[
            Forged {
                case: None,
                kind: "member-removed",
                payload: format!(r#"{{"kind":"member-removed","member":"{cy}","reason":null}}"#),
            },
            Forged {
                case: None,
                kind: "member-key-changed",
                payload: format!(
                    r#"{{"kind":"member-key-changed","member":"{bo}","recipient":"{}"}}"#,
                    public.join(" ")
                ),
            },
        ],
    );
    let fresh = Laptop::with_key(c.key("Cy"));
    let mut heads = Vec::new();
    for laptop in [c.laptop("Ada"), &fresh] {
        assert!(active(laptop, "Bo") && active(laptop, "Cy"));
        let log = laptop.ok(&[&"log", &c.file]);
        assert!(
            log.contains("not applied: ")
                && log.contains("who reads a sealed case Mei is kept out of"),
            "{log}"
        );
        let attention = laptop.ok(&[&"attention", &c.file]);
        assert!(attention.contains("replaced the key of Bo"), "{attention}");
        // Both removals wait for a majority, as motions every member sees.
        let members = laptop.ok(&[&"member", &"list", &c.file]);
        assert!(
            members
                .contains("removed Bo from the committee (proposed by Mei): waits for a majority")
                && members.contains(
                    "removed Cy from the committee (proposed by Mei): waits for a majority"
                ),
            "{members}"
        );
        heads.push(laptop.ok(&[&"log", &c.file, &"--head"]));
    }
    assert_eq!(heads[0], heads[1], "the copies do not converge");
    // Mei's own copy, which cannot read the case, derives the same committee.
    assert_eq!(
        c.laptop("Mei").ok(&[&"member", &"list", &c.file]),
        c.laptop("Ada").ok(&[&"member", &"list", &c.file])
    );
    // Bo's key still opens the file; the forged one does not.
    c.laptop("Bo").ok(&[&"info", &c.file]);
    // A majority can still remove a reader: Ada and Cy approve Mei's motion.
    let motion = c.laptop("Ada").ok(&[&"member", &"list", &c.file]);
    let item = motion
        .lines()
        .find(|l| l.contains("removed Bo"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_string();
    for name in ["Ada", "Cy"] {
        c.laptop(name).ok(&[&"approve", &c.file, &"--item", &item]);
    }
    assert!(!active(c.laptop("Ada"), "Bo"));
}

/// Mei, whom case `sealed` is about, signs a commit of her own (a note on another case) that
/// carries a summary of `sealed` saying it is closed: the summary a copy the case is sealed
/// from shows is the newest one a reader signed, and Mei never read it. Her laptops, one that
/// saw the file before and a fresh one, keep showing what the readers signed.
#[test]
fn a_summary_signed_by_a_member_the_case_is_sealed_from_counts_for_nothing() {
    let Some(c) = committee() else { return };
    let case = c.case_id(&c.sealed);
    let open = c.case_id(&c.open);
    let mei = c.laptop("Mei");
    let shown = mei.ok(&[&"case", &"show", &c.file, &c.sealed, &"--json"]);
    let shown: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(shown["case"]["status"], "investigating");
    let mut forgery = Forgery::open(c.key("Mei"), &c.file);
    let stored = forgery.one(&format!("SELECT state FROM cases WHERE id = '{case}';"));
    let mut summary: serde_json::Value = serde_json::from_str(&stored).unwrap();
    summary["status"] = "closed".into();
    forgery.summaries = Some(serde_json::json!({ case.clone(): summary }));
    forgery.commit(
        "Mei",
        c.key("Mei"),
        &now(),
        &[Forged {
            case: Some(&open),
            kind: "note-added",
            payload: r#"{"kind":"note-added","body":"zqxmeinote","note":"general"}"#.into(),
        }],
    );
    forgery.seal(&c.publics());
    let fresh = Laptop::with_key(c.key("Mei"));
    for laptop in [mei, &fresh] {
        let shown = laptop.ok(&[&"case", &"show", &c.file, &c.sealed, &"--json"]);
        let shown: serde_json::Value = serde_json::from_str(&shown).unwrap();
        assert_eq!(shown["case"]["status"], "investigating", "{shown}");
        assert_eq!(shown["case"]["sealed_from_you"], true, "{shown}");
    }
    // Her note on the other case is hers to make: applied.
    let shown = c.laptop("Ada").ok(&[&"case", &"show", &c.file, &c.open]);
    assert!(shown.contains("zqxmeinote"), "{shown}");
    assert_eq!(c.status(&c.sealed), "investigating");
}

/// Summaries a commit carries are never a reason to refuse the history: a key that names no
/// case, a summary that is no summary, one for a case that does not exist. Every copy opens
/// the file and passes them over.
#[test]
fn summaries_that_are_no_summaries_are_passed_over() {
    let Some(c) = committee() else { return };
    let open = c.case_id(&c.open);
    let mut forgery = Forgery::open(c.key("Mei"), &c.file);
    forgery.summaries = Some(serde_json::json!({
        "not-a-case": {"status": "closed"},
        "00000000-0000-4000-8000-000000000000": 42,
        uuid::Uuid::new_v4().to_string(): {"id": "x"},
    }));
    forgery.commit(
        "Mei",
        c.key("Mei"),
        &now(),
        &[Forged {
            case: Some(&open),
            kind: "note-added",
            payload: r#"{"kind":"note-added","body":"zqxgarbage","note":"general"}"#.into(),
        }],
    );
    forgery.seal(&c.publics());
    let fresh = Laptop::with_key(c.key("Mei"));
    for laptop in [c.laptop("Ada"), c.laptop("Mei"), &fresh] {
        let shown = laptop.ok(&[&"case", &"show", &c.file, &c.sealed]);
        assert!(shown.contains("investigating"), "{shown}");
    }
    assert!(
        c.laptop("Bo")
            .ok(&[&"case", &"show", &c.file, &c.open])
            .contains("zqxgarbage")
    );
}
