//! Decision records cannot be turned against the people in them: reports imported with a
//! canary in every place a report can carry words (subject, body, the reporter's name and
//! address, the reported person's name, the venue, an attachment) leave no canary in any
//! record outside the committee's own, unless a member wrote it for that audience; and text
//! written to render as Markdown or HTML renders as text.

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{as_member as as_, ok, run};

const CANARIES: [&str; 9] = [
    "CANARY-SUBJECT",
    "CANARY-BODY",
    "CANARY-FROM-NAME",
    "canary-from@example.org",
    "CANARY-ATTACHMENT-NAME",
    "CANARY-JSON-TITLE",
    "CANARY-VENUE",
    "CANARY-JSON-REPORTER",
    "CANARY-REPORTED-NAME",
];

const EML: &str = "From: CANARY-FROM-NAME <canary-from@example.org>\r
To: conduct@project.example.org\r
Subject: Report from CANARY-SUBJECT about <img src=x onerror=alert(1)>\r
Date: Mon, 2 Nov 2026 18:42:00 +0000\r
MIME-Version: 1.0\r
Content-Type: multipart/mixed; boundary=\"sep\"\r
\r
--sep\r
Content-Type: text/plain; charset=utf-8\r
\r
CANARY-BODY at the evening social someone followed me. I do not want to be named.\r
[click here](https://evil.example/phish) <script>alert(1)</script>\r
```\r
# not a heading\r
--sep\r
Content-Type: text/plain; name=\"CANARY-ATTACHMENT-NAME.txt\"\r
Content-Disposition: attachment; filename=\"CANARY-ATTACHMENT-NAME.txt\"\r
\r
attachment text\r
--sep--\r
";

const JSON: &str = r##"{
  "casebook_reports": 1,
  "reports": [
    {
      "title": "CANARY-JSON-TITLE at the evening social someone followed me",
      "body": "CANARY-BODY again",
      "received_at": "2026-11-05T14:20:00Z",
      "channel": "chat",
      "venue": "CANARY-VENUE chat #help",
      "reporter": { "name": "CANARY-JSON-REPORTER", "handle": "@canary" }
    }
  ]
}"##;

/// Import both reports into the demo, add the reported person, decide both; gives the codes.
fn decided_imports(dir: &Path) -> (PathBuf, Vec<String>) {
    let f = dir.join("c.cases.age");
    ok(&run(&[&"demo", &"--save-as", &f]));
    let eml = dir.join("report.eml");
    let json = dir.join("reports.json");
    fs::write(&eml, EML).unwrap();
    fs::write(&json, JSON).unwrap();
    let out = ok(&as_("robin", &[&"import", &f, &eml, &json]));
    let codes: Vec<String> = out
        .lines()
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), 2, "{out}");
    for c in &codes {
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
                &"CANARY-REPORTED-NAME",
            ],
        ));
        for s in ["triage", "deliberating"] {
            ok(&as_("robin", &[&"status", &f, &c, &s]));
        }
        for m in ["robin", "tomas", "mei"] {
            ok(&as_(
                m,
                &[&"vote", &f, &c, &"--outcome", &"warning", &"--for"],
            ));
        }
        ok(&as_(
            "robin",
            &[
                &"decide",
                &f,
                &c,
                &"--outcome",
                &"warning",
                &"--rationale",
                &"The account of CANARY-FROM-NAME was credible.",
            ],
        ));
    }
    (f, codes)
}

fn export(dir: &Path, f: &Path, code: &str, profile: &str, format: &str) -> String {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let out = dir.join(format!("{code}.{profile}.{n}.{format}"));
    ok(&as_(
        "robin",
        &[
            &"export",
            &"--without-text",
            &f,
            &code,
            &"--for",
            &profile,
            &"--format",
            &format,
            &"-o",
            &out,
        ],
    ));
    fs::read_to_string(out).unwrap()
}

#[test]
fn no_imported_words_reach_a_record_outside_the_committee() {
    let dir = tempfile::tempdir().unwrap();
    let (f, codes) = decided_imports(dir.path());
    for format in ["md", "json"] {
        let internal: String = codes
            .iter()
            .map(|c| export(dir.path(), &f, c, "internal", format))
            .collect();
        for canary in CANARIES {
            assert!(
                internal.contains(canary),
                "internal {format} lacks {canary}"
            );
        }
        for profile in ["reported", "reporter", "public"] {
            for c in &codes {
                let text = export(dir.path(), &f, c, profile, format);
                for canary in CANARIES.iter().chain(&["CANARY"]) {
                    assert!(
                        !text.contains(canary),
                        "{profile} {format} of {c} leaks {canary}:\n{text}"
                    );
                }
                assert!(
                    text.contains(&format!("Decision record for {c}")),
                    "{profile} {format}: neutral title\n{text}"
                );
            }
        }
    }
    // A member may write a canary for one audience on purpose; only that audience sees it.
    let c = &codes[0];
    ok(&as_(
        "robin",
        &[
            &"record-text",
            &f,
            &c,
            &"--for",
            &"reporter",
            &"--title",
            &"Outcome of your report CANARY-WRITTEN",
            &"--summary",
            &"We acted on your report.",
        ],
    ));
    let reporter = export(dir.path(), &f, c, "reporter", "json");
    assert!(reporter.contains("CANARY-WRITTEN"), "{reporter}");
    for profile in ["reported", "public"] {
        let text = export(dir.path(), &f, c, profile, "json");
        assert!(!text.contains("CANARY"), "{profile}: {text}");
    }
}

#[test]
fn markup_in_reports_and_written_text_renders_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let (f, codes) = decided_imports(dir.path());
    let c = &codes[0];
    let internal = export(dir.path(), &f, c, "internal", "md");
    // Outside fenced blocks, no raw tag, link or autolink survives.
    // The open fence's length: CommonMark closes a fence only with one at least as long.
    let mut fence: Option<usize> = None;
    for line in internal.lines() {
        let trimmed = line.trim_start();
        let ticks = trimmed.len() - trimmed.trim_start_matches('`').len();
        match fence {
            None if ticks >= 3 => {
                fence = Some(ticks);
                continue;
            }
            Some(open) if ticks >= open && trimmed.trim_start_matches('`').trim().is_empty() => {
                fence = None;
                continue;
            }
            Some(_) => continue,
            None => {}
        }
        for raw in ["<img", "<script", "](http", "://"] {
            for (at, _) in line.match_indices(raw) {
                assert!(
                    at > 0 && line.as_bytes()[at - 1] == b'\\',
                    "raw {raw:?} in {line:?}\n{internal}"
                );
            }
        }
    }
    assert!(fence.is_none(), "every block is closed");
    assert!(
        internal.contains("\\<img src=x onerror=alert\\(1\\)\\>"),
        "{internal}"
    );
    // The report body sits in a fence longer than the backticks inside it.
    assert!(internal.contains("````text\n"), "{internal}");

    // Text a member writes for an audience is escaped too.
    ok(&as_(
        "robin",
        &[
            &"record-text",
            &f,
            &c,
            &"--for",
            &"reported",
            &"--title",
            &"# [Pay here](https://evil.example) <b>now</b>",
            &"--summary",
            &"<img src=https://tracker.example/pixel.gif>",
        ],
    ));
    let reported = export(dir.path(), &f, c, "reported", "md");
    assert!(
        reported.contains("## \\# \\[Pay here\\]\\(https\\://evil.example\\) \\<b\\>now\\</b\\>"),
        "{reported}"
    );
    assert!(
        reported.contains("```text\n<img src=https://tracker.example/pixel.gif>\n```"),
        "{reported}"
    );
}
