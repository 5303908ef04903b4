//! The command line's rough edges a new committee met (issue 27), each with the real binary
//! and, where a command changes the file, a look at the file afterwards.

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::{Laptop, demo_key, fails, ok};

/// The demo committee saved in `laptop`'s home, opened as Robin (the chair).
fn demo(laptop: &Laptop) -> PathBuf {
    let file = laptop.home.path().join("work").join("demo.cases.age");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    ok(&laptop.run(&[&"demo", &"--save-as", &file]));
    file
}

fn robin() -> Laptop {
    Laptop::with_key(&demo_key("robin"))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn init_prints_the_committee_fingerprint_and_committee_takes_the_bare_hash() {
    let laptop = Laptop::new();
    let key = common::member_key(laptop.home.path(), "chair");
    let file = laptop.home.path().join("c.cases.age");
    let said = ok(&laptop.run(&[&"-i", &key, &"init", &file, &"--name", &"Ada"]));
    let fingerprint = said
        .split_whitespace()
        .find(|w| w.starts_with("SHA256:"))
        .unwrap_or_else(|| panic!("no fingerprint in {said}"))
        .trim_end_matches([',', '.', ')'])
        .to_string();
    let info = ok(&laptop.run(&[&"-i", &key, &"info", &file]));
    assert!(info.contains(&fingerprint), "init and info agree: {info}");

    // The hash alone, as someone copies it from a chat message, is the same fingerprint.
    let bare = fingerprint.trim_start_matches("SHA256:");
    let other = Laptop::new();
    ok(&other.run(&[&"-i", &key, &"--committee", &bare, &"info", &file]));
    ok(&other.run(&[
        &"-i",
        &key,
        &"--committee",
        &format!("sha256:{bare}"),
        &"info",
        &file,
    ]));
    // Another committee's hash is refused, and the two shown differ visibly.
    let wrong = format!("{}A", &bare[..bare.len() - 1]);
    let wrong = if wrong == bare {
        format!("{}B", &bare[..bare.len() - 1])
    } else {
        wrong
    };
    let refused = fails(&other.run(&[&"-i", &key, &"--committee", &wrong, &"info", &file]));
    assert!(
        refused.contains(&fingerprint) && refused.contains(&format!("SHA256:{wrong}")),
        "{refused}"
    );
    // Not a fingerprint at all: said so before anything is opened.
    let out = other.run(&[&"-i", &key, &"--committee", &"abc", &"info", &file]);
    assert_eq!(out.status.code(), Some(2), "a usage error");
    assert!(stderr(&out).contains("not a committee fingerprint"));
}

#[test]
fn rotate_key_says_how_to_update_the_identity_setting_and_the_old_key_is_told_why() {
    let laptop = Laptop::new();
    let old = common::member_key(laptop.home.path(), "old");
    let new = laptop.home.path().join("new");
    ok(&laptop.run(&[&"keygen", &"-o", &new]));
    let config_dir = laptop.home.path().join("config").join("casebook");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(
        config_dir.join("config.toml"),
        format!("identity = {:?}\n", old.display().to_string()),
    )
    .unwrap();
    let file = laptop.home.path().join("c.cases.age");
    ok(&laptop.run(&[&"init", &file, &"--name", &"Ada"]));
    let said = ok(&laptop.run(&[&"member", &"rotate-key", &file, &"--new-identity", &new]));
    assert!(
        said.contains("config.toml")
            && said.contains(&format!("identity = {:?}", new.display().to_string())),
        "{said}"
    );
    // The config file still names the old key: the message says where it came from and why.
    let refused = fails(&laptop.run(&[&"info", &file]));
    assert!(
        refused.contains("set as identity in") && refused.contains("rotate-key"),
        "{refused}"
    );
}

#[test]
fn removing_a_member_takes_them_off_their_cases_and_says_so() {
    if !common::have("age") || !common::have("sqlite3") {
        return;
    }
    let laptop = robin();
    let file = demo(&laptop);
    let before = ok(&laptop.run(&[&"case", &"show", &file, &"flint-island"]));
    assert!(before.contains("assignees  Tomás Ferreira"), "{before}");
    let said = ok(&laptop.run(&[&"member", &"remove", &file, &"Tomás Ferreira"]));
    assert!(
        said.contains("took Tomás Ferreira off 1 case: flint-island"),
        "{said}"
    );
    // The file holds the unassignment as a signed event.
    let kinds = common::query_decrypted(
        &demo_key("robin"),
        &file,
        "SELECT kind FROM events ORDER BY seq DESC LIMIT 2",
    );
    assert_eq!(
        kinds.lines().collect::<Vec<_>>(),
        ["member-removed", "unassigned"]
    );
    let after = ok(&laptop.run(&[&"case", &"show", &file, &"flint-island"]));
    assert!(!after.contains("assignees  Tomás Ferreira"), "{after}");
    assert!(
        after.contains("took Tomás Ferreira off the case"),
        "{after}"
    );
}

#[test]
fn usage_lines_name_the_arguments_in_their_real_order() {
    let help = ok(&common::run(&[&"verify", &"--help"]));
    let usage = help.lines().find(|l| l.starts_with("Usage:")).unwrap();
    let record = usage.find("<RECORD>").expect("RECORD in the usage");
    let case_file = usage.find("[CASE_FILE]").expect("CASE_FILE in the usage");
    assert!(record < case_file, "{usage}");
    let refused = fails(&common::run(&[&"verify", &"record.md"]));
    assert!(refused.contains("who may sign"), "{refused}");
}

#[test]
fn common_date_forms_are_read_and_the_reading_is_said() {
    let laptop = robin();
    let file = demo(&laptop);
    let out = laptop.run(&[
        &"case",
        &"edit",
        &file,
        &"ember-tundra",
        &"--incident",
        &"11/27/2026",
    ]);
    ok(&out);
    assert!(
        stderr(&out).contains("read 11/27/2026 = 27 November 2026 (2026-11-27)"),
        "{}",
        stderr(&out)
    );
    let shown = ok(&laptop.run(&[&"case", &"show", &file, &"ember-tundra", &"--json"]));
    assert!(shown.contains("2026-11-27"), "{shown}");

    // 03/04/2026: the 3rd of April, or March 4th? Refused, naming both.
    let out = laptop.run(&[
        &"case",
        &"edit",
        &file,
        &"ember-tundra",
        &"--review",
        &"03/04/2026",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let said = stderr(&out);
    assert!(
        said.contains("3 April 2026")
            && said.contains("4 March 2026")
            && said.contains("date_order"),
        "{said}"
    );
    // With the committee's order set, it is read that way.
    let config = laptop.home.path().join("config").join("casebook");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.toml"),
        "date_order = \"day-month-year\"\n",
    )
    .unwrap();
    ok(&laptop.run(&[
        &"case",
        &"edit",
        &file,
        &"ember-tundra",
        &"--review",
        &"03/04/2026",
    ]));
    let shown = ok(&laptop.run(&[&"case", &"show", &file, &"ember-tundra", &"--json"]));
    assert!(shown.contains("2026-04-03"), "{shown}");
}

#[test]
fn a_form_exports_incident_date_as_form_tools_write_it_is_read() {
    let laptop = robin();
    let file = demo(&laptop);
    let csv = laptop.home.path().join("form.csv");
    std::fs::write(
        &csv,
        "Timestamp,What happened?,When did it happen?\n\
         11/28/2026 14:03:12,Someone shouted at me,11/27/2026\n\
         11/29/2026 09:00:00,Another thing,03/04/2026\n",
    )
    .unwrap();
    let out = laptop.run(&[&"import", &file, &csv]);
    let listed = ok(&out);
    let said = stderr(&out);
    assert!(said.contains("11/27/2026 = 27 November 2026"), "{said}");
    assert!(said.contains("ambiguous"), "{said}");
    let first = listed
        .lines()
        .find(|l| l.contains("Someone shouted"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap();
    let shown = ok(&laptop.run(&[&"case", &"show", &file, &first, &"--json"]));
    assert!(
        shown.contains("2026-11-27") && shown.contains("2026-11-28T14:03:12"),
        "{shown}"
    );
    // The ambiguous date stayed in the report's text, nothing dropped.
    let second = listed
        .lines()
        .find(|l| l.contains("Another thing"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap();
    let shown = ok(&laptop.run(&[&"case", &"show", &file, &second]));
    assert!(shown.contains("When did it happen?: 03/04/2026"), "{shown}");
}

#[test]
fn man_pages_exist_for_every_subcommand_they_refer_to() {
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("man");
    ok(&common::run(&[&"man", &"--dir", &pages]));
    let main = std::fs::read_to_string(pages.join("casebook.1"))
        .unwrap()
        .replace("\\-", "-");
    // Every page the main one refers to (casebook-init(1), ...) was written.
    let mut referred = 0;
    for word in main.split(|c: char| c.is_whitespace() || c == '\\') {
        if let Some(name) = word
            .strip_suffix("(1)")
            .filter(|w| w.starts_with("casebook-"))
        {
            referred += 1;
            assert!(
                pages.join(format!("{name}.1")).is_file(),
                "{name}.1 missing"
            );
        }
    }
    assert!(referred > 20, "{referred} pages referred to");
    for page in [
        "casebook-member-add.1",
        "casebook-case-new.1",
        "casebook-verify.1",
    ] {
        let text = std::fs::read_to_string(pages.join(page)).unwrap();
        assert!(text.contains(".TH casebook-"), "{page}");
    }
    let one = ok(&common::run(&[&"man", &"member", &"add"]));
    assert!(
        one.contains(".TH casebook-member-add"),
        "{}",
        &one[..200.min(one.len())]
    );
    fails(&common::run(&[&"man", &"no-such"]));
}

/// The private export folder on `laptop`.
fn exports(laptop: &Laptop) -> PathBuf {
    laptop
        .home
        .path()
        .join(".local")
        .join("share")
        .join("casebook")
        .join("exports")
}

#[test]
fn exports_go_to_the_private_folder_unless_a_path_is_typed() {
    let laptop = robin();
    let file = demo(&laptop);
    // No -o: the private folder, made 0700.
    let said = ok(&laptop.run(&[&"export", &file, &"slate-orchard", &"--for", &"internal"]));
    let record = exports(&laptop).join("slate-orchard-internal.md");
    assert!(record.is_file(), "{said}");
    assert!(record.with_extension("md.sig").is_file());
    let mode = std::fs::metadata(exports(&laptop))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o700);
    assert!(said.contains(&record.display().to_string()), "{said}");

    // A bare name goes there too, never into the folder the member stands in.
    let out = laptop.run(&[
        &"export",
        &file,
        &"slate-orchard",
        &"--for",
        &"internal",
        &"--format",
        &"json",
        &"-o",
        &"record.json",
    ]);
    ok(&out);
    assert!(exports(&laptop).join("record.json").is_file());
    assert!(!Path::new("record.json").exists());

    // A path beside the case file (the synced folder) is used, with a warning naming the
    // audience.
    let beside = file.with_file_name("slate-orchard.md");
    let out = laptop.run(&[
        &"export",
        &file,
        &"slate-orchard",
        &"--for",
        &"internal",
        &"-o",
        &beside,
    ]);
    ok(&out);
    assert!(beside.is_file());
    let said = stderr(&out);
    assert!(
        said.contains("warning:")
            && said.contains("internal audience")
            && said.contains("holds the case file"),
        "{said}"
    );

    // A folder a sync tool manages is named as such.
    let synced = laptop.home.path().join("Sync");
    std::fs::create_dir_all(synced.join(".stfolder")).unwrap();
    let out = laptop.run(&[
        &"report",
        &file,
        &"--from",
        &"2026-01-01",
        &"--to",
        &"2026-12-31",
        &"-o",
        &synced.join("h1.md"),
    ]);
    ok(&out);
    assert!(stderr(&out).contains("Syncthing"), "{}", stderr(&out));
}

#[test]
fn exporting_for_an_audience_without_its_own_text_asks_first() {
    let laptop = robin();
    let file = demo(&laptop);
    // Without a terminal to ask on, it is refused, and nothing is written.
    let refused = fails(&laptop.run(&[&"export", &file, &"linen-falcon", &"--for", &"reported"]));
    assert!(
        refused.contains("no member wrote the text of the reported record")
            && refused.contains("record-text")
            && refused.contains("--without-text"),
        "{refused}"
    );
    assert!(!exports(&laptop).join("linen-falcon-reported.md").exists());
    ok(&laptop.run(&[
        &"export",
        &file,
        &"linen-falcon",
        &"--for",
        &"reported",
        &"--without-text",
    ]));
    let neutral =
        std::fs::read_to_string(exports(&laptop).join("linen-falcon-reported.md")).unwrap();
    assert!(neutral.contains("Decision record for linen-falcon"));
    // With text written for the audience, no question.
    ok(&laptop.run(&[
        &"record-text",
        &file,
        &"linen-falcon",
        &"--for",
        &"reporter",
        &"--title",
        &"What we decided",
    ]));
    ok(&laptop.run(&[&"export", &file, &"linen-falcon", &"--for", &"reporter"]));
    let written =
        std::fs::read_to_string(exports(&laptop).join("linen-falcon-reporter.md")).unwrap();
    assert!(written.contains("What we decided"));
}

#[test]
fn search_finds_code_names_party_labels_and_members() {
    let laptop = robin();
    let file = demo(&laptop);
    let search = |query: &str| -> Vec<serde_json::Value> {
        serde_json::from_str(&ok(&laptop.run(&[&"search", &file, &query, &"--json"]))).unwrap()
    };
    // A code name, whole or by a word of it.
    let found = search("cedar-falcon");
    assert_eq!(found[0]["code_name"], "cedar-falcon");
    assert_eq!(found[0]["matched"], "code-name");
    let found = search("cedar");
    assert_eq!(found[0]["code_name"], "cedar-falcon", "{found:?}");
    // A party by name, and a case by the member assigned to it.
    let found = search("Drew");
    assert!(
        found
            .iter()
            .any(|f| f["code_name"] == "ember-tundra" && f["matched"] == "party"),
        "{found:?}"
    );
    let found = search("Tomás");
    assert!(
        found
            .iter()
            .any(|f| f["code_name"] == "flint-island" && f["matched"] == "assignee"),
        "{found:?}"
    );
    // The plain listing says what matched.
    let listed = ok(&laptop.run(&[&"search", &file, &"cedar"]));
    assert!(
        listed.lines().next().unwrap().starts_with("cedar-falcon")
            && listed.contains("code name")
            && listed.contains("[cedar]-falcon"),
        "{listed}"
    );
}

#[test]
fn member_list_columns_line_up_under_their_headers() {
    let laptop = robin();
    let file = demo(&laptop);
    let listed = ok(&laptop.run(&[&"member", &"list", &file]));
    let mut lines = listed.lines();
    let header = lines.next().unwrap();
    let at = |line: &str, needle: &str| line.find(needle).unwrap_or(usize::MAX);
    let (print, state) = (at(header, "FINGERPRINT"), at(header, "STATE"));
    let rows: Vec<&str> = lines.take_while(|l| l.contains("SHA256:")).collect();
    assert_eq!(rows.len(), 5, "{listed}");
    for row in rows {
        // Byte offsets: the names before hold one accent at most, counted alike in both.
        let shift = row.len() - row.chars().count();
        assert_eq!(at(row, "SHA256:") - shift, print, "{listed}");
        assert_eq!(at(row, "active since") - shift, state, "{listed}");
    }
}

#[test]
fn a_member_is_found_by_name_whatever_its_case() {
    let laptop = robin();
    let file = demo(&laptop);
    let said = ok(&laptop.run(&[&"assign", &file, &"amber-kettle", &" mei chen"]));
    assert!(said.contains("Mei Chen assigned to amber-kettle"), "{said}");
    // The file says so, not only the command.
    let shown = ok(&laptop.run(&[&"case", &"show", &file, &"amber-kettle"]));
    let assigned = shown.lines().find(|l| l.contains("assigned")).unwrap_or("");
    assert!(assigned.contains("Mei Chen"), "{shown}");
    // A name nobody has is still refused, with the roster.
    let refused = fails(&laptop.run(&[&"assign", &file, &"amber-kettle", &"mei chan"]));
    assert!(refused.contains("Mei Chen"), "{refused}");
}

#[test]
fn case_show_says_what_is_next_for_me_and_follows_what_i_do() {
    let laptop = robin();
    let file = demo(&laptop);
    let next = |code: &str| {
        let shown = ok(&laptop.run(&[&"case", &"show", &file, &code]));
        let mut lines = shown.lines().skip_while(|l| !l.starts_with("next for you"));
        lines.next();
        lines
            .take_while(|l| l.starts_with("  ·"))
            .map(|l| l.trim_start_matches("  · ").to_string())
            .collect::<Vec<_>>()
    };
    // A vote is owed, and the decision is the committee's (nobody is assigned).
    let items = next("willow-compass");
    assert!(
        items[0].starts_with("your vote on warning is owed"),
        "{items:?}"
    );
    assert!(
        items[1].starts_with("decide: the committee (nobody assigned), by "),
        "{items:?}"
    );
    // Assigned to Robin: the decision is his.
    let items = next("cedar-falcon");
    assert!(
        items.iter().any(|i| i.starts_with("decide: you, by ")),
        "{items:?}"
    );
    // Once he votes, the file no longer owes his vote.
    ok(&laptop.run(&[
        &"vote",
        &file,
        &"willow-compass",
        &"--outcome",
        &"warning",
        &"--for",
    ]));
    let items = next("willow-compass");
    assert!(!items.iter().any(|i| i.contains("your vote")), "{items:?}");
}
