//! After the decision: sanctions that end, the people who must be told of them, the list the
//! people who enforce them get, and appeals heard by members who did not decide. Every rule
//! here is the replay's: a change made without casebook (`common::forge`) that breaks one is
//! kept, named, and not applied, on every copy.

use crate::common;

use std::path::PathBuf;

use chrono::{Days, Utc};
use common::Laptop;
use common::committee::Members;
use common::forge::{Forged, Forgery};

const MEMBERS: [&str; 5] = ["Ada", "Bo", "Cy", "Di", "Ed"];

/// Ada (chair), Bo, Cy, Di and Ed, each on a laptop of their own, and case `code`, decided
/// `temporary-ban` by the votes of Ada, Bo and Cy; its title, summary and rationale hold the
/// canary word `zqxcase`.
struct Committee {
    members: Members,
    code: String,
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
    let code = ada
        .ok(&[
            &"case",
            &"new",
            &file,
            &"--title",
            &"Threats at the meetup zqxcase",
            &"--summary",
            &"What the reporter said zqxcase",
        ])
        .trim()
        .to_string();
    for step in ["triage", "deliberating"] {
        ada.ok(&[&"status", &file, &code, &step]);
    }
    let c = Committee { members, code };
    for name in ["Ada", "Bo", "Cy"] {
        c.as_(
            name,
            &[
                &"vote",
                &c.file,
                &c.code,
                &"--outcome",
                &"temporary-ban",
                &"--for",
            ],
        );
    }
    c.as_(
        "Ada",
        &[
            &"decide",
            &c.file,
            &c.code,
            &"--outcome",
            &"temporary-ban",
            &"--rationale",
            &"Repeated threats zqxcase",
        ],
    );
    for laptop in c.others() {
        laptop.ok(&[&"info", &c.file]);
    }
    Some(c)
}

impl Committee {
    fn queue(&self, name: &str, queue: &str) -> String {
        self.as_(name, &[&"case", &"list", &self.file, &"--queue", &queue])
    }

    fn case_id(&self) -> String {
        self.members.case_id(&self.code)
    }

    /// A laptop that saw the file before and one that never did both name `why` in the
    /// case's log, list the case as needing attention, and derive the same head.
    fn held_everywhere(&self, why: &str) {
        let fresh = Laptop::with_key(self.key("Ed"));
        let mut heads = Vec::new();
        for laptop in [self.laptop("Ada"), &fresh] {
            let log = laptop.ok(&[&"log", &self.file, &self.code]);
            assert!(
                log.contains("not applied: ") && log.contains(why),
                "{why:?} in:\n{log}"
            );
            let queue = laptop.ok(&[&"case", &"list", &self.file, &"--queue", &"needs-attention"]);
            assert!(queue.contains(&self.code), "{queue}\n{log}");
            heads.push(laptop.ok(&[&"log", &self.file, &"--head"]));
        }
        assert_eq!(heads[0], heads[1], "the copies do not converge");
    }

    /// Events of `kind` in the file itself, as `sqlite3` reads it after `age -d`.
    fn stored(&self, kind: &str) -> usize {
        common::query_decrypted(
            self.key("Ada"),
            &self.file,
            &format!("SELECT count(*) FROM events WHERE kind = '{kind}';"),
        )
        .trim()
        .parse()
        .unwrap()
    }
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

fn in_days(days: u64) -> String {
    (Utc::now().date_naive() + Days::new(days)).to_string()
}

#[test]
fn a_ban_ending_soon_shows_its_checklist_and_reaches_the_organisers_list_until_lifted() {
    let Some(c) = committee() else { return };
    let (f, code) = (&c.file, c.code.as_str());
    // A step off the ladder, an end before the start, no space: refused, nothing written.
    let refused = c.refused(
        "Bo",
        &[
            &"sanction",
            &"start",
            f,
            &code,
            &"--step",
            &"banishment",
            &"--subject",
            &"@dana",
            &"--space",
            &"chat",
            &"--ends",
            &in_days(10),
        ],
    );
    assert!(
        refused.contains("\"banishment\" is not a step of the contributor-covenant-2.1 ladder"),
        "{refused}"
    );
    let refused = c.refused(
        "Bo",
        &[
            &"sanction",
            &"start",
            f,
            &code,
            &"--step",
            &"warning",
            &"--subject",
            &"@dana",
            &"--space",
            &"chat",
            &"--starts",
            &in_days(5),
            &"--ends",
            &in_days(1),
        ],
    );
    assert!(refused.contains("cannot end on"), "{refused}");
    assert_eq!(c.stored("sanction-started"), 0);

    let started = c.as_(
        "Bo",
        &[
            &"sanction",
            &"start",
            f,
            &code,
            &"--step",
            &"temporary-ban",
            &"--subject",
            &"@dana",
            &"--space",
            &"chat",
            &"--space",
            &"events",
            &"--ends",
            &in_days(10),
            &"--conditions",
            &"A written apology",
        ],
    );
    assert!(
        started.contains("sanction 1 started: temporary-ban (ban) for @dana in chat, events"),
        "{started}"
    );
    assert!(
        started.contains("to tell: chat, events, reported person"),
        "{started}"
    );
    assert_eq!(c.stored("sanction-started"), 1, "in the file itself");

    // It ends within the 14 days' notice: in sanctions-ending, and to tell.
    assert!(c.queue("Di", "sanctions-ending").contains(code));
    assert!(c.queue("Di", "sanctions-to-tell").contains(code));
    // Later than the notice: not yet; a committee giving 30 days' notice sees it.
    c.as_(
        "Ada",
        &[
            &"sanction",
            &"extend",
            f,
            &code,
            &"1",
            &"--ends",
            &in_days(20),
            &"--note",
            &"Second incident",
        ],
    );
    assert!(!c.queue("Di", "sanctions-ending").contains(code));
    c.as_("Ada", &[&"settings", f, &"--notice-days", &"30"]);
    assert!(c.queue("Di", "sanctions-ending").contains(code));

    // The checklist: one at a time, never twice, never someone not on it.
    c.as_(
        "Cy",
        &[&"sanction", &"tell", f, &code, &"1", &"--whom", &"chat"],
    );
    let twice = c.refused(
        "Cy",
        &[&"sanction", &"tell", f, &code, &"1", &"--whom", &"chat"],
    );
    assert!(
        twice.contains("\"chat\" was told already (still to tell: events, reported person)"),
        "{twice}"
    );
    let stranger = c.refused(
        "Cy",
        &[&"sanction", &"tell", f, &code, &"1", &"--whom", &"forum"],
    );
    assert!(
        stranger.contains("is not on the sanction's checklist"),
        "{stranger}"
    );
    let rest = c.as_("Cy", &[&"sanction", &"tell", f, &code, &"1"]);
    assert!(
        rest.contains("told events") && rest.contains("told reported person"),
        "{rest}"
    );
    assert!(!c.queue("Di", "sanctions-to-tell").contains(code));
    let listed = c.as_("Di", &[&"sanction", &"list", f, &code]);
    assert!(
        listed.contains("told chat (Cy,") && listed.contains("[in force]"),
        "{listed}"
    );

    // The organisers' list: who, where, until when, ban or flag; signed; nothing of the case.
    let out = c.dir.join("events-list.md");
    c.as_(
        "Di",
        &[
            &"sanctions",
            f,
            &"--active",
            &"--for",
            &"events",
            &"--export",
            &out,
        ],
    );
    let list = std::fs::read_to_string(&out).unwrap();
    assert!(
        list.contains(&format!(
            "| @dana | events | {} | {} | ban |",
            in_days(0),
            in_days(20)
        )),
        "{list}"
    );
    assert!(!list.contains("chat"), "only the space asked for: {list}");
    for secret in ["zqxcase", code, "apology", "Threats", "temporary-ban"] {
        assert!(
            !list.contains(secret),
            "{secret:?} in the organisers' list:\n{list}"
        );
    }
    let signers = c.dir.join("allowed_signers");
    std::fs::write(
        &signers,
        c.as_("Ada", &[&"member", &"list", f, &"--allowed-signers"]),
    )
    .unwrap();
    let principal = std::fs::read_to_string(&signers)
        .unwrap()
        .lines()
        .find(|l| l.starts_with("di."))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_string();
    let verified = std::process::Command::new("ssh-keygen")
        .args(["-Y", "verify", "-f"])
        .arg(&signers)
        .args(["-I", &principal, "-n", "casebook", "-s"])
        .arg(out.with_extension("md.sig"))
        .stdin(std::fs::File::open(&out).unwrap())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&verified.stdout).into_owned()
        + &String::from_utf8_lossy(&verified.stderr);
    assert!(
        verified.status.success() && said.contains("Good \"casebook\" signature"),
        "{said}\n{}",
        std::fs::read_to_string(&signers).unwrap()
    );

    // Encrypted to the organiser's key: `age -d` opens it, and the signature holds.
    let organiser = common::member_key(&c.dir, "organiser");
    let recipient = std::fs::read_to_string(organiser.with_extension("pub")).unwrap();
    let sealed = c.dir.join("sealed-list.json");
    c.as_(
        "Di",
        &[
            &"sanctions",
            f,
            &"--active",
            &"--format",
            &"json",
            &"--export",
            &sealed,
            &"--encrypt-to",
            &recipient.trim(),
        ],
    );
    assert!(
        !sealed.exists(),
        "no plaintext list beside the encrypted one"
    );
    let opened = c.dir.join("opened.json");
    common::age_decrypt(
        &organiser,
        &PathBuf::from(format!("{}.age", sealed.display())),
        &opened,
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&opened).unwrap()).unwrap();
    assert_eq!(json["schema"], "casebook-sanctions/1");
    assert_eq!(json["sanctions"][0]["person"], "@dana");
    assert_eq!(json["sanctions"][0]["action"], "ban");

    // The reported party's record states the sanction and the committee's real window.
    c.as_("Ada", &[&"settings", f, &"--appeal-days", &"45"]);
    c.as_(
        "Ada",
        &[
            &"record-text",
            f,
            &code,
            &"--for",
            &"reported",
            &"--title",
            &"Your ban",
            &"--summary",
            &"You were banned.",
        ],
    );
    let record = c.dir.join("reported.md");
    c.as_(
        "Ada",
        &[&"export", f, &code, &"--for", &"reported", &"-o", &record],
    );
    let text = std::fs::read_to_string(&record).unwrap();
    assert!(
        text.contains("## Sanctions") && text.contains("temporary-ban in chat, events"),
        "{text}"
    );
    assert!(text.contains("within 45 days (by "), "{text}");
    assert!(!text.contains("30 days"), "{text}");
    // The reporter's record states the sanction, not what the person must do to return.
    let reporter = c.dir.join("reporter.md");
    c.as_(
        "Ada",
        &[
            &"export",
            f,
            &code,
            &"--for",
            &"reporter",
            &"--without-text",
            &"-o",
            &reporter,
        ],
    );
    let text = std::fs::read_to_string(&reporter).unwrap();
    assert!(
        text.contains("## Sanctions") && !text.contains("apology"),
        "{text}"
    );

    // Lifted: off the organisers' list at once, and the checklist opens again for the news.
    let lifted = c.as_(
        "Ada",
        &[
            &"sanction",
            &"lift",
            f,
            &code,
            &"1",
            &"--note",
            &"Apology received",
        ],
    );
    assert!(
        lifted.contains("sanction 1 lifted")
            && lifted.contains("to tell: chat, events, reported person"),
        "{lifted}"
    );
    assert_eq!(
        c.as_("Di", &[&"sanctions", f, &"--active"]).trim(),
        "no sanction is in force"
    );
    assert!(c.queue("Di", "sanctions-to-tell").contains(code));
    assert!(!c.queue("Di", "sanctions-ending").contains(code));
    let again = c.refused(
        "Ada",
        &[&"sanction", &"lift", f, &code, &"1", &"--note", &"again"],
    );
    assert!(
        again.contains("is lifted; start a new sanction instead"),
        "{again}"
    );
    assert_eq!(c.stored("sanction-lifted"), 1, "in the file itself");
}

#[test]
fn a_breach_opens_a_linked_case() {
    let Some(c) = committee() else { return };
    let (f, code) = (&c.file, c.code.as_str());
    c.as_(
        "Bo",
        &[
            &"sanction",
            &"start",
            f,
            &code,
            &"--step",
            &"warning",
            &"--subject",
            &"@dana",
            &"--space",
            &"chat",
            &"--until-reviewed",
        ],
    );
    let said = c.as_(
        "Bo",
        &[
            &"sanction",
            &"breach",
            f,
            &code,
            &"1",
            &"--note",
            &"Posted again in chat",
        ],
    );
    assert!(said.contains("breach recorded; case "), "{said}");
    let opened = said
        .split("breach recorded; case ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    let shown = c.as_("Di", &[&"case", &"show", f, &opened]);
    assert!(
        shown.contains(&format!(
            "Breach of the warning from {} on {code}",
            in_days(0)
        )),
        "{shown}"
    );
    assert!(shown.contains("Posted again in chat"), "{shown}");
    let listed = c.as_("Di", &[&"sanction", &"list", f, &code]);
    assert!(
        listed.contains("breached by Bo on") && listed.contains("until reviewed"),
        "{listed}"
    );
}

#[test]
fn an_appeal_is_decided_without_the_members_who_decided_on_every_copy() {
    let Some(c) = committee() else { return };
    let (f, code) = (&c.file, c.code.as_str());
    let opened = c.as_(
        "Di",
        &[
            &"appeal",
            f,
            &code,
            &"--grounds",
            &"disproportionate",
            &"--note",
            &"Too long for a first incident",
        ],
    );
    assert!(
        opened.contains(
            "left out of the appeal's vote and quorum (they voted on or decided it): Ada, Bo, Cy"
        ),
        "{opened}"
    );
    assert!(
        opened.contains("2 members can vote on the appeal"),
        "{opened}"
    );
    let twice = c.refused(
        "Ed",
        &[
            &"appeal",
            f,
            &code,
            &"--grounds",
            &"new-evidence",
            &"--note",
            &"again",
        ],
    );
    assert!(twice.contains("was appealed already"), "{twice}");
    c.as_("Di", &[&"status", f, &code, &"deliberating"]);
    // The command refuses a member who decided...
    let refused = c.refused(
        "Bo",
        &[
            &"vote",
            f,
            &code,
            &"--outcome",
            &"warning",
            &"--for",
            &"--propose",
        ],
    );
    assert!(
        refused.contains("Bo voted on or decided the decision of"),
        "{refused}"
    );
    c.as_(
        "Di",
        &[&"vote", f, &code, &"--outcome", &"warning", &"--for"],
    );
    // ...and every copy keeps, names and does not count a vote Bo signs himself, on an old
    // copy merged in.
    let old = c.dir.join("old.cases.age");
    std::fs::copy(f, &old).unwrap();
    let case = c.case_id();
    c.forge(
        &old,
        "Bo",
        &now(),
        &[Forged {
            case: Some(&case),
            kind: "vote-cast",
            payload: r#"{"kind":"vote-cast","outcome":"warning","ballot":"for"}"#.into(),
        }],
    );
    c.as_("Ada", &[&"merge", f, &old]);
    c.held_everywhere("voted on or decided the decision");
    let short = c.refused(
        "Di",
        &[
            &"decide",
            f,
            &code,
            &"--outcome",
            &"warning",
            &"--rationale",
            &"r",
        ],
    );
    assert!(
        short.contains("1 for, 2 needed of 2 eligible"),
        "Bo's vote does not count: {short}"
    );
    c.as_(
        "Ed",
        &[&"vote", f, &code, &"--outcome", &"warning", &"--for"],
    );
    c.as_(
        "Di",
        &[
            &"decide",
            f,
            &code,
            &"--outcome",
            &"warning",
            &"--rationale",
            &"Proportionate",
        ],
    );
    let shown = c.as_("Ed", &[&"case", &"show", f, &code]);
    assert!(
        shown.contains("decided warning") && shown.contains("the decision appealed: temporary-ban"),
        "{shown}"
    );
    c.as_(
        "Ada",
        &[
            &"record-text",
            f,
            &code,
            &"--for",
            &"reported",
            &"--title",
            &"Appeal",
            &"--summary",
            &"Changed.",
        ],
    );
    let record = c.dir.join("appeal.md");
    c.as_(
        "Ada",
        &[&"export", f, &code, &"--for", &"reported", &"-o", &record],
    );
    let text = std::fs::read_to_string(&record).unwrap();
    assert!(text.contains("This decision was made on appeal"), "{text}");
    // The transparency report counts the appeal by what became of it, and times the first
    // decision, not the appeal's.
    let report = c.dir.join("report.json");
    let today = in_days(0);
    c.as_(
        "Ada",
        &[
            &"report",
            f,
            &"--from",
            &today,
            &"--to",
            &today,
            &"--format",
            &"json",
            &"--min-cell",
            &"1",
            &"-o",
            &report,
        ],
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(report["current"]["appeals"]["changed"], 1, "{report}");
    assert_eq!(
        report["current"]["timing"]["decide"]["cases"], 1,
        "{report}"
    );
    assert!(
        report["current"]["timing"]["decide"]["median_hours"].is_i64(),
        "{report}"
    );
}

#[test]
fn a_sanction_without_a_decision_or_an_appeal_out_of_time_is_not_applied() {
    let Some(c) = committee() else { return };
    let (f, code) = (&c.file, c.code.as_str());
    let undecided = c
        .as_("Ada", &[&"case", &"new", f, &"--title", &"Another report"])
        .trim()
        .to_string();
    let refused = c.refused(
        "Bo",
        &[
            &"sanction",
            &"start",
            f,
            &undecided,
            &"--step",
            &"warning",
            &"--subject",
            &"@x",
            &"--space",
            &"chat",
            &"--until-reviewed",
        ],
    );
    assert!(
        refused.contains("has no decision yet; a sanction follows a decision"),
        "{refused}"
    );
    // An appeal signed outside casebook, claiming a day past the window: kept, not applied.
    c.as_("Ada", &[&"settings", f, &"--appeal-days", &"0"]);
    let case = c.case_id();
    let mut forgery = Forgery::open(c.key("Bo"), f);
    let late = (Utc::now() + chrono::Duration::days(2))
        .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
    forgery.commit(
        "Bo",
        c.key("Bo"),
        &late,
        &[Forged {
            case: Some(&case),
            kind: "appeal-opened",
            payload: r#"{"kind":"appeal-opened","grounds":"new-evidence","note":"late"}"#.into(),
        }],
    );
    forgery.seal(&c.publics());
    c.held_everywhere("the appeal window of");
    let shown = c.as_("Ada", &[&"case", &"show", f, &code, &"--json"]);
    let shown: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(shown["case"]["status"], "decided");
    assert!(shown["case"]["appeal"].is_null());
}

#[test]
fn a_message_to_the_reported_person_carries_only_what_their_record_may_show() {
    let Some(c) = committee() else { return };
    let (f, code) = (&c.file, c.code.as_str());
    c.as_(
        "Bo",
        &[
            &"note",
            &"add",
            f,
            &code,
            &"--text",
            &"The reporter said zqxreporter",
        ],
    );
    c.as_(
        "Bo",
        &[
            &"party",
            &"add",
            f,
            &code,
            &"--role",
            &"reporter",
            &"--name",
            &"Rae zqxname",
        ],
    );
    c.as_(
        "Bo",
        &[
            &"sanction",
            &"start",
            f,
            &code,
            &"--step",
            &"temporary-ban",
            &"--subject",
            &"@dana",
            &"--space",
            &"events",
            &"--ends",
            &in_days(30),
            &"--conditions",
            &"A written apology",
        ],
    );
    // Only chairs set templates, and only with what the audience may see.
    let member = c.refused(
        "Bo",
        &[
            &"template",
            &"set",
            f,
            &"--to",
            &"reported",
            &"--step",
            &"decision",
            &"--text",
            &"{outcome}",
        ],
    );
    assert!(
        member.contains("only a chair may change the committee's message templates"),
        "{member}"
    );
    let leaky = c.refused(
        "Ada",
        &[
            &"template",
            &"set",
            f,
            &"--to",
            &"reported",
            &"--step",
            &"decision",
            &"--text",
            &"{outcome} because {rationale}; {reporter}",
        ],
    );
    assert!(
        leaky.contains("a message to the reported person may not show {rationale}, {reporter}"),
        "{leaky}"
    );
    let other = c.refused(
        "Ada",
        &[
            &"template",
            &"set",
            f,
            &"--to",
            &"other",
            &"--step",
            &"decision",
            &"--text",
            &"{outcome}",
        ],
    );
    assert!(other.contains("may not show {outcome}"), "{other}");
    c.as_(
        "Ada",
        &[
            &"template",
            &"set",
            f,
            &"--to",
            &"reported",
            &"--step",
            &"decision",
            &"--text",
            &"About {code}: {title}. {summary}\n\n{sanctions}\n\n{appeal}",
        ],
    );
    let listed = c.as_("Di", &[&"template", &"list", f]);
    assert!(
        listed.contains("decision (the committee's):") && listed.contains("About {code}: {title}."),
        "{listed}"
    );
    c.as_(
        "Ada",
        &[
            &"record-text",
            f,
            &code,
            &"--for",
            &"reported",
            &"--title",
            &"Your conduct at the meetup",
            &"--summary",
            &"You threatened another attendee.",
        ],
    );
    let sent = c.as_(
        "Di",
        &[
            &"comms",
            &"log",
            f,
            &code,
            &"--to",
            &"reported",
            &"--template",
            &"decision",
        ],
    );
    assert!(
        sent.contains(&format!(
            "About {code}: Your conduct at the meetup. You threatened another attendee."
        )),
        "{sent}"
    );
    assert!(
        sent.contains("temporary ban in events") && sent.contains("to return: A written apology"),
        "{sent}"
    );
    assert!(sent.contains("You may appeal this decision once"), "{sent}");
    assert!(
        !sent.contains("zqx"),
        "the reporter's words reached the reported person: {sent}"
    );
    // What the file logged is the same text, and holds no canary either.
    let logged = common::query_decrypted(
        c.key("Ada"),
        f,
        "SELECT payload FROM events WHERE kind = 'communication-logged';",
    );
    assert!(
        logged.contains("You threatened another attendee.") && !logged.contains("zqx"),
        "{logged}"
    );
    // casebook's own template for the reporter, with the next update it promises.
    let sent = c.as_(
        "Di",
        &[
            &"comms",
            &"log",
            f,
            &code,
            &"--to",
            &"reporter",
            &"--template",
            &"update",
            &"--next-update-by",
            &in_days(7),
        ],
    );
    assert!(
        sent.contains(&format!("We will write again by {}.", in_days(7))),
        "{sent}"
    );
    assert!(
        sent.contains(&format!("it promises the next update by {}", in_days(7))),
        "{sent}"
    );
    // A template a member signs outside casebook is kept, and not the committee's.
    let mut forgery = Forgery::open(c.key("Bo"), f);
    forgery.commit(
        "Bo",
        c.key("Bo"),
        &now(),
        &[Forged {
            case: None,
            kind: "template-set",
            payload: r#"{"kind":"template-set","to":"reported","step":"update","text":"{code}: zqxforged"}"#.into(),
        }],
    );
    forgery.seal(&c.publics());
    let listed = c.as_("Di", &[&"template", &"list", f]);
    assert!(!listed.contains("zqxforged"), "{listed}");
    let log = c.as_("Di", &[&"log", f]);
    assert!(
        log.contains("not applied") && log.contains("without being a chair"),
        "{log}"
    );
}

#[test]
fn the_committees_checklist_says_who_is_told_of_a_sanction_in_each_space() {
    let Some(c) = committee() else { return };
    let (f, code) = (&c.file, c.code.as_str());
    let member = c.refused(
        "Bo",
        &[
            &"space",
            &"set",
            f,
            &"events",
            &"--tell",
            &"event organisers",
        ],
    );
    assert!(
        member.contains("only a chair may change the committee's checklist"),
        "{member}"
    );
    c.as_(
        "Ada",
        &[
            &"space",
            &"set",
            f,
            &"Events",
            &"--tell",
            &"event organisers",
            &"--tell",
            &"venue security",
        ],
    );
    assert_eq!(
        c.as_("Di", &[&"space", &"list", f]).trim(),
        "events: event organisers, venue security"
    );
    let started = c.as_(
        "Bo",
        &[
            &"sanction",
            &"start",
            f,
            &code,
            &"--step",
            &"temporary-ban",
            &"--subject",
            &"@dana",
            &"--space",
            &"events",
            &"--space",
            &"chat",
            &"--until-reviewed",
        ],
    );
    assert!(
        started.contains("to tell: event organisers, venue security, chat, reported person"),
        "{started}"
    );
    // A checklist changed later is for sanctions started later: this one keeps its own.
    c.as_("Ada", &[&"space", &"set", f, &"events"]);
    let listed = c.as_("Di", &[&"sanction", &"list", f, &code]);
    assert!(
        listed.contains("to tell: event organisers, venue security, chat, reported person"),
        "{listed}"
    );
    c.as_(
        "Cy",
        &[
            &"sanction",
            &"tell",
            f,
            &code,
            &"1",
            &"--whom",
            &"venue security",
        ],
    );
    let listed = c.as_("Di", &[&"sanction", &"list", f, &code]);
    assert!(
        listed.contains("to tell: event organisers, chat, reported person"),
        "{listed}"
    );
}

#[test]
fn a_message_for_review_counts_as_sent_only_once_another_member_approves_it() {
    let Some(c) = committee() else { return };
    let (f, code) = (&c.file, c.code.as_str());
    c.as_(
        "Bo",
        &[
            &"party",
            &"add",
            f,
            &code,
            &"--role",
            &"reporter",
            &"--alias",
            &"R",
        ],
    );
    let said = c.as_(
        "Bo",
        &[
            &"comms",
            &"log",
            f,
            &code,
            &"--to",
            &"reporter",
            &"--summary",
            &"Told them the outcome",
            &"--review",
        ],
    );
    assert!(
        said.contains("waits for another member's review: casebook approve"),
        "{said}"
    );
    let item = said.split("--item ").nth(1).unwrap().trim().to_string();
    // Not sent yet: the decision is still owed to the reporter.
    assert!(c.queue("Di", "decided-not-communicated").contains(code));
    let own = c.refused("Bo", &[&"approve", f, &code, &"--item", &item]);
    assert!(own.contains("approve"), "{own}");
    c.as_("Cy", &[&"approve", f, &code, &"--item", &item]);
    assert!(!c.queue("Di", "decided-not-communicated").contains(code));
    let shown = c.as_("Di", &[&"case", &"show", f, &code]);
    assert!(
        shown.contains("(for a second member's review): Told them the outcome"),
        "{shown}"
    );
}

#[test]
fn the_sanction_and_appeal_rules_refuse_what_makes_no_sense_and_say_why() {
    let Some(c) = committee() else { return };
    let (f, code) = (&c.file, c.code.as_str());
    // (A permanent ban with a last day is refused too: see the rules' unit tests; this case
    // was decided a temporary ban, so no permanent one follows it.)
    let early = c.refused(
        "Bo",
        &[
            &"sanction",
            &"start",
            f,
            &code,
            &"--step",
            &"warning",
            &"--subject",
            &"@dana",
            &"--space",
            &"chat",
            &"--starts",
            &"2020-01-01",
            &"--until-reviewed",
        ],
    );
    assert!(early.contains("before its report arrived"), "{early}");
    // Chat and chat are one space; a checklist entry is found whatever its case.
    let started = c.as_(
        "Bo",
        &[
            &"sanction",
            &"start",
            f,
            &code,
            &"--step",
            &"temporary-ban",
            &"--subject",
            &"@dana",
            &"--space",
            &"Chat",
            &"--space",
            &"chat",
            &"--until-reviewed",
        ],
    );
    assert!(started.contains("in Chat, from"), "{started}");
    c.as_(
        "Bo",
        &[
            &"sanction",
            &"tell",
            f,
            &code,
            &"1",
            &"--whom",
            &"REPORTED PERSON",
        ],
    );
    assert!(
        c.as_("Bo", &[&"sanction", &"list", f, &code])
            .contains("to tell: Chat\n")
    );
    let extended = c.as_(
        "Bo",
        &[
            &"sanction",
            &"extend",
            f,
            &code,
            &"1",
            &"--ends",
            &in_days(40),
            &"--note",
            &"Set an end",
        ],
    );
    assert!(extended.contains("sanction 1 now ends on"), "{extended}");
    // No decision yet, no decision message; no decided appeal, no appeal-outcome message.
    let undecided = c
        .as_("Ada", &[&"case", &"new", f, &"--title", &"Another"])
        .trim()
        .to_string();
    let early = c.refused(
        "Ada",
        &[
            &"comms",
            &"log",
            f,
            &undecided,
            &"--to",
            &"reporter",
            &"--template",
            &"decision",
        ],
    );
    assert!(early.contains("has no decision yet"), "{early}");
    let early = c.refused(
        "Ada",
        &[
            &"comms",
            &"log",
            f,
            &code,
            &"--to",
            &"reported",
            &"--template",
            &"appeal-outcome",
        ],
    );
    assert!(early.contains("has no decided appeal"), "{early}");
    // An open appeal: the reported person is told it is heard, not offered another.
    c.as_(
        "Di",
        &[
            &"appeal",
            f,
            &code,
            &"--grounds",
            &"new-evidence",
            &"--note",
            &"A new witness",
        ],
    );
    let sent = c.as_(
        "Di",
        &[
            &"comms",
            &"log",
            f,
            &code,
            &"--to",
            &"reported",
            &"--template",
            &"decision",
        ],
    );
    assert!(
        sent.contains("This decision is under appeal") && !sent.contains("You may appeal"),
        "{sent}"
    );
    // Three members can hear it: the chair who decided cannot record it, override or not.
    c.as_("Di", &[&"status", f, &code, &"deliberating"]);
    let overridden = c.refused(
        "Ada",
        &[
            &"decide",
            f,
            &code,
            &"--outcome",
            &"warning",
            &"--rationale",
            &"r",
            &"--override",
            &"--reason",
            &"urgent",
        ],
    );
    assert!(
        overridden.contains("Ada voted on or decided the decision of"),
        "{overridden}"
    );
    c.as_(
        "Di",
        &[&"vote", f, &code, &"--outcome", &"warning", &"--for"],
    );
    let shown = c.as_("Di", &[&"case", &"show", f, &code]);
    assert!(
        shown.contains("not eligible (took part in the decision appealed)"),
        "{shown}"
    );
    // A chair's template, then casebook's own again.
    c.as_(
        "Ada",
        &[
            &"template",
            &"set",
            f,
            &"--to",
            &"reporter",
            &"--step",
            &"update",
            &"--text",
            &"Still on {code}.",
        ],
    );
    c.as_(
        "Ada",
        &[
            &"template",
            &"set",
            f,
            &"--to",
            &"reporter",
            &"--step",
            &"update",
            &"--default",
        ],
    );
    let listed = c.as_("Ada", &[&"template", &"list", f]);
    assert!(
        !listed.contains("Still on {code}.") && !listed.contains("(the committee's)"),
        "{listed}"
    );
}

#[test]
fn review_fixes_sanctions_follow_the_decision_and_deciders_never_steer_the_appeal() {
    let Some(c) = committee() else { return };
    let (f, code) = (&c.file, c.code.as_str());
    // Decided temporary-ban: no member imposes more.
    let harsher = c.refused(
        "Bo",
        &[
            &"sanction",
            &"start",
            f,
            &code,
            &"--step",
            &"permanent-ban",
            &"--subject",
            &"@dana",
            &"--space",
            &"chat",
            &"--until-reviewed",
        ],
    );
    assert!(
        harsher.contains("a permanent-ban is harsher than the temporary-ban decided"),
        "{harsher}"
    );
    // Ed has a hard conflict: the case is sealed from him, and so is the case a breach opens;
    // his organisers' list says it is incomplete.
    c.as_(
        "Ed",
        &[&"conflict", f, &code, &"--hard", &"--reason", &"my friend"],
    );
    c.as_(
        "Bo",
        &[
            &"sanction",
            &"start",
            f,
            &code,
            &"--step",
            &"temporary-ban",
            &"--subject",
            &"@zqxsubject",
            &"--space",
            &"chat",
            &"--until-reviewed",
        ],
    );
    let said = c.as_(
        "Bo",
        &[
            &"sanction",
            &"breach",
            f,
            &code,
            &"1",
            &"--note",
            &"Back in chat",
        ],
    );
    let opened = said
        .split("breach recorded; case ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let sealed = c.as_("Ed", &[&"case", &"show", f, &opened]);
    assert!(sealed.contains("(sealed from you)"), "{sealed}");
    assert!(
        !sealed.contains("Back in chat") && !sealed.contains(code),
        "{sealed}"
    );
    let list = c.dir.join("ed-list.md");
    c.as_("Ed", &[&"sanctions", f, &"--export", &list]);
    let text = std::fs::read_to_string(&list).unwrap();
    assert!(
        text.contains("**Incomplete:** 2 cases are sealed from the member who made this list"),
        "{text}"
    );
    assert!(!text.contains("zqxsubject"), "{text}");
    // The appeal: the deciders neither move it nor end it, and stay out once it is decided.
    c.as_(
        "Di",
        &[
            &"appeal",
            f,
            &code,
            &"--grounds",
            &"disproportionate",
            &"--note",
            &"Too long",
        ],
    );
    let moved = c.refused("Ada", &[&"status", f, &code, &"triage"]);
    assert!(
        moved.contains("Ada voted on or decided the decision of"),
        "{moved}"
    );
    c.as_("Di", &[&"status", f, &code, &"triage"]);
    let ended = c.refused("Di", &[&"status", f, &code, &"out-of-scope"]);
    assert!(
        ended.contains("the appeal ends with its decision"),
        "{ended}"
    );
    c.as_("Di", &[&"status", f, &code, &"deliberating"]);
    c.as_(
        "Di",
        &[&"vote", f, &code, &"--outcome", &"warning", &"--for"],
    );
    // Only Di can hear it (Ed's hard conflict, the deciders out). The chair who decided
    // records nothing without an override (with one, a panel this small would let her).
    let plain = c.refused(
        "Ada",
        &[
            &"decide",
            f,
            &code,
            &"--outcome",
            &"warning",
            &"--rationale",
            &"r",
        ],
    );
    assert!(plain.contains("Ada voted on or decided"), "{plain}");
    c.as_(
        "Di",
        &[
            &"decide",
            f,
            &code,
            &"--outcome",
            &"warning",
            &"--rationale",
            &"Proportionate",
        ],
    );
    // Reopened later, the deciders of the appealed decision still do not vote on it.
    for step in ["closed", "reopened", "deliberating"] {
        c.as_("Di", &[&"status", f, &code, &step]);
    }
    let again = c.refused(
        "Bo",
        &[
            &"vote",
            f,
            &code,
            &"--outcome",
            &"temporary-ban",
            &"--for",
            &"--propose",
        ],
    );
    assert!(
        again.contains("Bo voted on or decided the decision of"),
        "{again}"
    );
}

#[test]
fn two_copies_that_told_the_same_people_merge_without_a_conflict() {
    let Some(c) = committee() else { return };
    let (f, code) = (&c.file, c.code.as_str());
    c.as_(
        "Bo",
        &[
            &"sanction",
            &"start",
            f,
            &code,
            &"--step",
            &"warning",
            &"--subject",
            &"@dana",
            &"--space",
            &"chat",
            &"--until-reviewed",
        ],
    );
    let other = c.dir.join("other.cases.age");
    std::fs::copy(f, &other).unwrap();
    c.as_(
        "Cy",
        &[&"sanction", &"tell", f, &code, &"1", &"--whom", &"chat"],
    );
    c.as_(
        "Di",
        &[
            &"sanction",
            &"tell",
            &other,
            &code,
            &"1",
            &"--whom",
            &"chat",
        ],
    );
    c.as_("Ada", &[&"merge", f, &other]);
    assert!(!c.queue("Ada", "needs-attention").contains(code));
    let listed = c.as_("Ada", &[&"sanction", &"list", f, &code]);
    assert!(
        listed.contains("told chat (") && listed.contains("to tell: reported person"),
        "{listed}"
    );
}

#[test]
fn an_appeal_is_heard_on_the_grounds_the_committee_chose_and_its_record_says_which() {
    let Some(c) = committee() else { return };
    let (f, code) = (&c.file, c.code.as_str());
    let member = c.refused("Bo", &[&"settings", f, &"--grounds", &"new-evidence"]);
    assert!(member.contains("only a chair"), "{member}");
    let shown = c.as_(
        "Ada",
        &[&"settings", f, &"--grounds", &"new-evidence,factual-error"],
    );
    assert!(
        shown.contains("appeal grounds     new-evidence, factual-error"),
        "{shown}"
    );
    let refused = c.refused(
        "Di",
        &[
            &"appeal",
            f,
            &code,
            &"--grounds",
            &"disproportionate",
            &"--note",
            &"Too long",
        ],
    );
    assert!(
        refused.contains(
            "the committee hears appeals on new-evidence, factual-error, not on disproportionate"
        ),
        "{refused}"
    );
    c.as_(
        "Ada",
        &[
            &"record-text",
            f,
            &code,
            &"--for",
            &"reported",
            &"--title",
            &"Your ban",
            &"--summary",
            &"Banned.",
        ],
    );
    let record = c.dir.join("grounds.md");
    c.as_(
        "Ada",
        &[&"export", f, &code, &"--for", &"reported", &"-o", &record],
    );
    let text = std::fs::read_to_string(&record).unwrap();
    assert!(
        text.contains("on the grounds of new evidence or a factual error."),
        "{text}"
    );
    c.as_(
        "Di",
        &[
            &"appeal",
            f,
            &code,
            &"--grounds",
            &"factual-error",
            &"--note",
            &"It was not him",
        ],
    );
}
