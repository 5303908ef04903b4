//! The interface end to end in tmux (each test on a private tmux server, with a home, config,
//! data and state folder of its own): what issue 27 asked of it, as a member would notice.

use crate::common;

use std::fs;
use std::path::Path;

use common::tmux::Tmux;
use common::{demo_key, fails, have, ok, run};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_casebook")
}

/// A copy of the demo in `dir`, and the command that opens it as Robin with `config` as the
/// config file; every folder casebook uses is inside `dir`.
fn open_demo(dir: &Path, config: &str) -> String {
    let file = dir.join("c.cases.age");
    ok(&run(&[&"demo", &"--save-as", &file]));
    fs::create_dir_all(dir.join("config/casebook")).unwrap();
    fs::write(dir.join("config/casebook/config.toml"), config).unwrap();
    format!(
        "HOME='{d}' XDG_CONFIG_HOME='{d}/config' XDG_DATA_HOME='{d}/data' \
         XDG_STATE_HOME='{d}/state' '{}' -i '{}' open '{}'",
        bin(),
        demo_key("robin").display(),
        file.display(),
        d = dir.display(),
    )
}

/// Open the demo in tmux and wait for the queues.
fn started(name: &str, dir: &Path, config: &str) -> Tmux {
    let tmux = Tmux::start(name, &open_demo(dir, config));
    tmux.wait_for("all (37)");
    // A fresh laptop: the committee's fingerprint is shown first.
    tmux.wait_for("has not opened this committee before");
    tmux.keys(&["Enter"]);
    tmux.wait_gone("has not opened this committee before");
    tmux
}

/// Open case `code` with `:` (jump to a case), its name typed in full.
fn open_case(tmux: &Tmux, code: &str) {
    tmux.keys(&[":"]);
    tmux.wait_for("Jump to a case");
    tmux.text(code);
    tmux.keys(&["Enter"]);
    // The case's details, near its top (its timeline may be below the fold).
    tmux.wait_for("received ");
}

#[test]
fn the_same_letter_chooses_the_same_audience_in_every_form() {
    if !have("tmux") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let tmux = started("r3-letters", dir.path(), "");
    open_case(&tmux, "linen-falcon");
    // T: the record text form lists reported first; r is the reporter there too.
    tmux.keys(&["T"]);
    tmux.wait_for("Record text of linen-falcon");
    tmux.keys(&["r"]);
    let screen = tmux.screen();
    let row = screen.lines().find(|l| l.contains("▶ for")).unwrap();
    assert!(row.contains("reporte[d]"), "the key is shown: {row}");
    tmux.keys(&["Escape"]);
    // e: the export form lists internal first; r is still the reporter, d the reported.
    tmux.keys(&["e"]);
    tmux.wait_for("Export a signed decision record");
    tmux.keys(&["d", "Tab", "Tab", "Tab", "Tab"]);
    tmux.keys(&["C-d"]);
    let screen = tmux.wait_for("Write it?");
    assert!(
        screen.contains("No member wrote the text of the reported record"),
        "{screen}"
    );
}

#[test]
fn ctrl_j_is_a_new_line_in_a_note_and_ctrl_c_over_it_asks_about_the_note_only() {
    if !have("tmux") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let tmux = started("r3-ctrlj", dir.path(), "");
    open_case(&tmux, "ember-tundra");
    tmux.keys(&["n"]);
    tmux.wait_for("Ctrl-D adds it");
    tmux.text("line one of three");
    tmux.keys(&["C-j"]);
    tmux.text("line two of three");
    tmux.keys(&["C-j"]);
    tmux.text("line three of three");
    let screen = tmux.wait_for("line three of three");
    assert!(
        screen.contains("line one of three") && screen.contains("line two of three"),
        "{screen}"
    );
    tmux.keys(&["C-c"]);
    tmux.wait_for("Drop the note you are writing?");
    tmux.keys(&["y"]);
    // The note is gone, the interface is not.
    let screen = tmux.wait_gone("Ctrl-D adds it");
    assert!(screen.contains("ember-tundra"), "{screen}");
    assert!(!screen.contains("line one of three"), "{screen}");
}

#[test]
fn colon_jumps_to_a_case_with_fuzzy_completion_and_slash_finds_code_names() {
    if !have("tmux") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let tmux = started("r3-jump", dir.path(), "");
    tmux.keys(&[":"]);
    tmux.wait_for("Jump to a case");
    tmux.text("cdfal");
    let screen = tmux.wait_for(":cdfal");
    let mut lines = screen.lines().skip_while(|l| !l.contains(":cdfal")).skip(1);
    // Inside the dialog (the list behind it shows through on either side).
    let mut inside = || {
        lines
            .next()
            .unwrap()
            .split('│')
            .nth(2)
            .unwrap()
            .trim()
            .to_string()
    };
    assert_eq!(inside(), "cedar-falcon", "{screen}");
    assert_eq!(inside(), "", "only what matches: {screen}");
    tmux.keys(&["Tab"]);
    tmux.wait_for(":cedar-falcon");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("Timeline");
    assert!(
        screen.contains("cedar-falcon  Off-topic personal remarks"),
        "{screen}"
    );
    // `/` finds a code name too (it said "no matches" before).
    tmux.keys(&["Escape"]);
    tmux.wait_for("all (37)");
    tmux.keys(&["/"]);
    tmux.text("cedar");
    let screen = tmux.wait_for("code name:");
    assert!(screen.contains("cedar-falcon"), "{screen}");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Timeline");
}

#[test]
fn the_message_log_holds_every_result_in_full_and_ctrl_l_locks_and_clears_it() {
    if !have("tmux") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let tmux = started("r3-log", dir.path(), "");
    open_case(&tmux, "ember-tundra");
    tmux.keys(&["n"]);
    tmux.wait_for("Ctrl-D adds it");
    tmux.text("A note whose whole message the log keeps");
    tmux.keys(&["C-d"]);
    tmux.wait_for("unsaved");
    tmux.keys(&["@"]);
    let screen = tmux.wait_for("Messages of this session");
    let first = screen
        .lines()
        .skip_while(|l| !l.contains("Messages of this session"))
        .nth(1)
        .unwrap();
    assert!(first.contains("ember-tundra"), "{screen}");
    tmux.keys(&["Escape"]);
    // Ctrl-L over a half-typed form: locked at once, the form kept.
    tmux.keys(&["m"]);
    tmux.wait_for("Log a message sent on ember-tundra");
    tmux.keys(&["Tab"]);
    tmux.text("typed before Ctrl-L");
    tmux.keys(&["C-l"]);
    let screen = tmux.wait_for("casebook is locked");
    assert!(!screen.contains("typed before Ctrl-L"), "{screen}");
    assert!(!screen.contains("ember-tundra  Insults"), "{screen}");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("typed before Ctrl-L");
    assert!(
        screen.contains("Log a message sent on ember-tundra"),
        "{screen}"
    );
    tmux.keys(&["Escape"]);
    tmux.wait_for("Drop what you typed");
    tmux.keys(&["y"]);
    tmux.wait_gone("Log a message sent");
    // The lock cleared the log.
    tmux.keys(&["@"]);
    let screen = tmux.wait_for("Messages of this session");
    let log: Vec<&str> = screen
        .lines()
        .skip_while(|l| !l.contains("Messages of this session"))
        .take_while(|l| !l.contains("closes"))
        .collect();
    assert!(
        !log.iter().any(|l| l.contains("ember-tundra: note")),
        "{screen}"
    );
    assert!(log.iter().any(|l| l.contains("unlocked")), "{screen}");
}

#[test]
fn the_privacy_key_blanks_case_text_until_pressed_again() {
    if !have("tmux") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let tmux = started("r3-privacy", dir.path(), "");
    open_case(&tmux, "cedar-falcon");
    tmux.keys(&["C-b"]);
    let screen = tmux.wait_for("Case text is hidden");
    assert!(!screen.contains("Off-topic personal remarks"), "{screen}");
    assert!(!screen.contains("cedar-falcon"), "{screen}");
    // Nothing acts unseen meanwhile.
    tmux.keys(&["n"]);
    let screen = tmux.wait_for("Ctrl-B shows it again");
    assert!(!screen.contains("Ctrl-D adds it"), "{screen}");
    tmux.keys(&["C-b"]);
    let screen = tmux.wait_for("Off-topic personal remarks");
    assert!(!screen.contains("Ctrl-D adds it"), "{screen}");
}

#[test]
fn the_emergency_review_form_records_what_the_review_found() {
    if !have("tmux") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let tmux = started("r3-review", dir.path(), "");
    open_case(&tmux, "saffron-bridge");
    tmux.keys(&["r"]);
    let screen = tmux.wait_for("Review the emergency action on saffron-bridge");
    // The result is chosen by its letter: upheld, changed or lifted.
    assert!(screen.contains("result"), "{screen}");
    tmux.keys(&["l"]);
    let screen = tmux.screen();
    let row = screen.lines().find(|l| l.contains("result")).unwrap();
    assert!(row.contains("lifted"), "{row}");
    tmux.keys(&["Tab"]);
    tmux.text("The ban was too broad; lifted after talking to them.");
    tmux.keys(&["C-d"]);
    tmux.wait_gone("Review the emergency action on saffron-bridge");
    tmux.keys(&["C-s"]);
    tmux.wait_for("saved");
    // The file itself holds the review and its result.
    let file = dir.path().join("c.cases.age");
    let shown = ok(&run(&[
        &"-i",
        &demo_key("robin"),
        &"case",
        &"show",
        &file,
        &"saffron-bridge",
        &"--json",
    ]));
    let shown: serde_json::Value = serde_json::from_str(&shown).unwrap();
    let reviewed: Vec<&serde_json::Value> = shown["case"]["emergencies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| !e["review_result"].is_null())
        .collect();
    assert_eq!(reviewed.len(), 1, "{shown}");
    assert_eq!(reviewed[0]["review_result"], "lifted", "{shown}");
}

#[test]
fn the_party_form_gives_a_named_partys_contact_to_one_custodian_and_drops_nothing_silently() {
    if !have("tmux") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let tmux = started("r3-custodian", dir.path(), "");
    open_case(&tmux, "ember-tundra");
    // An anonymous party with an email typed: refused in the form, nothing dropped.
    tmux.keys(&["p"]);
    tmux.wait_for("Add a party to ember-tundra");
    tmux.keys(&["r", "Tab", "a", "Tab", "Tab", "Tab"]);
    tmux.text("kqzhidden@example.org");
    tmux.keys(&["C-d"]);
    let screen = tmux.wait_for("an anonymous party has no name");
    assert!(screen.contains("Add a party to ember-tundra"), "{screen}");
    tmux.keys(&["Escape"]);
    tmux.wait_for("Drop");
    tmux.keys(&["y"]);
    tmux.wait_gone("Add a party to ember-tundra");
    // A named reporter whose details only Sam holds.
    tmux.keys(&["p"]);
    tmux.wait_for("Add a party to ember-tundra");
    tmux.keys(&["r", "Tab", "n", "Tab"]);
    tmux.text("Kqz Reporter");
    tmux.keys(&["Tab", "Tab"]);
    tmux.text("kqzreporter@example.org");
    tmux.keys(&["Tab", "Tab", "s"]);
    let screen = tmux.screen();
    let row = screen
        .lines()
        .find(|l| l.contains("contact held by") && !l.contains("encrypted"))
        .unwrap();
    assert!(row.contains("Sam"), "{screen}");
    tmux.keys(&["C-d"]);
    tmux.wait_gone("Add a party to ember-tundra");
    tmux.keys(&["C-s"]);
    tmux.wait_for("saved");
    // In the file: the others see who holds the contact, not the contact; Sam opens it.
    let file = dir.path().join("c.cases.age");
    let shown = ok(&run(&[
        &"-i",
        &demo_key("robin"),
        &"case",
        &"show",
        &file,
        &"ember-tundra",
    ]));
    assert!(!shown.contains("kqzreporter@example.org"), "{shown}");
    let line = shown
        .lines()
        .find(|l| l.contains("contact held by Sam"))
        .unwrap_or_else(|| panic!("{shown}"));
    let number = line.trim().split('.').next().unwrap().to_string();
    // The interface holds the file while it runs: it ends first.
    drop(tmux);
    let opened = ok(&run(&[
        &"-i",
        &demo_key("sam"),
        &"--wait",
        &"10",
        &"party",
        &"contact",
        &file,
        &"ember-tundra",
        &number,
    ]));
    assert!(opened.contains("kqzreporter@example.org"), "{opened}");
}

#[test]
fn the_record_text_form_has_a_tab_per_audience_keeps_each_and_previews_the_record() {
    if !have("tmux") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let tmux = Tmux::start_sized("r3-tabs", &open_demo(dir.path(), ""), 120, 40);
    tmux.wait_for("has not opened this committee before");
    tmux.keys(&["Enter"]);
    open_case(&tmux, "russet-quill");
    tmux.keys(&["T"]);
    let screen = tmux.wait_for("Record text of russet-quill");
    // Each audience's record opens with the text it shows now, and is previewed below.
    assert!(
        screen.contains("── the reported record as it will read"),
        "{screen}"
    );
    assert!(
        screen.contains("## Decision record for russet-quill"),
        "{screen}"
    );
    // The reported tab: a title and a summary of its own.
    tmux.keys(&["Tab", "C-u"]);
    tmux.text("Outcome of the report about you");
    tmux.keys(&["Tab"]);
    tmux.text("You were warned twice and then banned for a month.");
    let screen = tmux.wait_for("## What happened");
    assert!(
        screen.contains("## Outcome of the report about you"),
        "the preview follows the typing: {screen}"
    );
    // The reporter tab (r): its own text, and the reported tab marked as changed.
    tmux.keys(&["BTab", "BTab", "r"]);
    let screen = tmux.wait_for("── the reporter record as it will read");
    assert!(screen.contains("reporte[d] ✎"), "{screen}");
    assert!(
        !screen.contains("Outcome of the report about you"),
        "the reporter tab shows its own text: {screen}"
    );
    tmux.keys(&["Tab", "C-u"]);
    tmux.text("What we did about your report");
    // Back to the reported tab: what was typed there is still there.
    tmux.keys(&["BTab", "d"]);
    let screen = tmux.wait_for("── the reported record as it will read");
    assert!(
        screen.contains("You were warned twice and then banned for a month."),
        "{screen}"
    );
    // Ctrl-D records both tabs; Ctrl-S saves.
    tmux.keys(&["C-d"]);
    tmux.wait_gone("Record text of russet-quill");
    tmux.keys(&["C-s"]);
    tmux.wait_for("saved");
    // The file itself: each audience's exported record carries its own text.
    let file = dir.path().join("c.cases.age");
    for (audience, title, summary) in [
        (
            "reported",
            "Outcome of the report about you",
            Some("You were warned twice and then banned for a month."),
        ),
        ("reporter", "What we did about your report", None),
    ] {
        let out = dir.path().join(format!("{audience}.md"));
        ok(&run(&[
            &"-i",
            &demo_key("robin"),
            &"export",
            &file,
            &"russet-quill",
            &"--for",
            &audience,
            &"-o",
            &out,
        ]));
        let record = fs::read_to_string(&out).unwrap();
        assert!(record.contains(&format!("## {title}")), "{record}");
        if let Some(summary) = summary {
            assert!(record.contains(summary), "{record}");
        }
        assert!(
            record.contains("Written for this record by Robin Okafor"),
            "{record}"
        );
    }
    // The public tab was not touched, so nothing was written for it.
    let said = fails(&run(&[
        &"-i",
        &demo_key("robin"),
        &"export",
        &file,
        &"russet-quill",
        &"--for",
        &"public",
    ]));
    assert!(
        said.contains("no member wrote the text of the public record"),
        "{said}"
    );
}

#[test]
fn long_work_shows_a_progress_line_in_the_interface_and_never_the_command_lines_bar() {
    if !have("tmux") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let command = open_demo(dir.path(), "");
    // A sync tool's conflict copy beside the file, with a note Mei added there.
    let file = dir.path().join("c.cases.age");
    let copy = dir
        .path()
        .join("c.cases.sync-conflict-20261201-101500-ABCDEF7.age");
    fs::copy(&file, &copy).unwrap();
    ok(&common::as_member(
        "mei",
        &[
            &"note",
            &"add",
            &copy,
            &"ivory-raven",
            &"--text",
            &"canary-progress-note",
        ],
    ));
    // Every stage shown at once (no half-second wait), so that a small file shows it too.
    let tmux = Tmux::start(
        "r3-progress",
        &format!("CASEBOOK_PROGRESS_AFTER_MS=0 {command}"),
    );
    tmux.wait_for("has not opened this committee before");
    // Everything written to the terminal from now on, to see lines drawn and drawn over.
    let log = dir.path().join("terminal.log");
    let piped = tmux
        .tmux()
        .args(["pipe-pane", "-t", "r3-progress", "-o"])
        .arg(format!("cat >> '{}'", log.display()))
        .status()
        .unwrap();
    assert!(piped.success());
    tmux.keys(&["Enter"]);
    tmux.wait_for("conflict copy of this file beside it");
    tmux.keys(&["y"]);
    let screen = tmux.wait_for("merged");
    // The line was drawn while the copy was read and checked, on the interface's bottom row,
    // and the next frame drew over it.
    let written = String::from_utf8_lossy(&fs::read(&log).unwrap()).into_owned();
    assert!(
        written.contains(" working: checking signatures"),
        "no progress line was drawn: {written:?}"
    );
    assert!(!screen.contains("working:"), "{screen}");
    // The command line's bar (indicatif's template) never drew over the interface.
    assert!(!written.contains("left)"), "{written:?}");
    // The file holds what the copy brought.
    let shown = ok(&run(&[
        &"-i",
        &demo_key("robin"),
        &"case",
        &"show",
        &file,
        &"ivory-raven",
    ]));
    assert!(shown.contains("canary-progress-note"), "{shown}");
    assert!(!copy.exists(), "the merged copy is deleted once saved");
}

#[test]
fn the_plain_theme_draws_for_a_screen_reader_no_boxes_one_item_a_line_dialogs_alone() {
    if !have("tmux") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let tmux = Tmux::start("r3-plain", &open_demo(dir.path(), "theme = \"plain\"\n"));
    // The committee's fingerprint first, alone on the screen.
    let screen = tmux.wait_for("has not opened this committee before");
    assert!(!screen.contains("saffron-bridge"), "{screen}");
    tmux.keys(&["Enter"]);
    tmux.wait_for("all (37)");
    let boxes = |screen: &str| {
        screen
            .chars()
            .filter(|c| ('\u{2500}'..='\u{259F}').contains(c) || "▶●‹›✎·".contains(*c))
            .collect::<String>()
    };
    let screen = tmux.screen();
    assert_eq!(boxes(&screen), "", "{screen}");
    assert!(screen.contains("saffron-bridge"), "{screen}");
    open_case(&tmux, "russet-quill");
    let screen = tmux.screen();
    assert_eq!(boxes(&screen), "", "{screen}");
    // Details that sit side by side elsewhere are one a line.
    let lines: Vec<&str> = screen.lines().map(str::trim).collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("channel ") && !l.contains("received")),
        "{screen}"
    );
    assert!(lines.iter().any(|l| l.starts_with("received ")), "{screen}");
    // A dialog is alone on the screen: its lines hold nothing of the case behind it.
    tmux.keys(&["T"]);
    let screen = tmux.wait_for("Record text of russet-quill");
    assert_eq!(boxes(&screen), "", "{screen}");
    assert!(!screen.contains("Timeline"), "{screen}");
    let title = screen.lines().find(|l| l.contains("title")).unwrap();
    assert!(
        title.contains("Decision record for russet-quill"),
        "{title}"
    );
    // The selected field is marked with a plain >.
    let row = screen.lines().find(|l| l.contains("reporte[d]")).unwrap();
    assert!(row.trim_start().starts_with("> for"), "{row}");
}

#[test]
fn the_palette_runs_the_action_named_first_and_lists_no_cursor_moves() {
    if !have("tmux") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let tmux = started("r3-palette", dir.path(), "");
    open_case(&tmux, "willow-compass");
    tmux.keys(&["C-p"]);
    tmux.wait_for("Run an action");
    tmux.text("vote");
    let screen = tmux.wait_for("> vote");
    // The first entry listed is voting itself; nothing moves the cursor.
    let listed: Vec<&str> = screen
        .lines()
        .skip_while(|l| !l.contains("> vote"))
        .skip(2)
        .take_while(|l| !l.contains('└'))
        .collect();
    assert!(listed[0].contains("vote"), "{screen}");
    assert!(
        !listed
            .iter()
            .any(|l| l.contains("previous timeline entry") || l.contains("next timeline entry")),
        "{screen}"
    );
    tmux.keys(&["Enter"]);
    tmux.wait_for("Vote on willow-compass");
    tmux.keys(&["Escape"]);
    tmux.wait_gone("Vote on willow-compass");
    // Lock is an action by name too.
    tmux.keys(&["C-p"]);
    tmux.wait_for("Run an action");
    tmux.text("lock");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Locked");
}
