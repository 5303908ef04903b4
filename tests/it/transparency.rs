//! Transparency reports never single out a case: a venue (or channel, status, outcome) with
//! fewer than k cases is counted under "other", and the CSV is one a spreadsheet opens as
//! data, never as formulas.

use crate::common;

use std::fs;
use std::path::Path;

use common::{as_member as as_, ok, run};

fn report(f: &Path, out: &Path, format: &str, extra: &[&str]) -> String {
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![
        &"report",
        &f,
        &"--from",
        &"2020-01-01",
        &"--to",
        &"2099-12-31",
        &"--format",
        &format,
        &"-o",
        &out,
    ];
    for e in extra {
        args.push(e);
    }
    ok(&as_("robin", &args));
    fs::read_to_string(out).unwrap()
}

#[test]
fn small_cells_are_folded_and_csv_formulas_neutralised() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("c.cases.age");
    ok(&run(&[&"demo", &"--save-as", &f]));
    let new_case = |title: &str, venue: &str| {
        let c = ok(&as_("robin", &[&"case", &"new", &f, &"--title", &title]))
            .trim()
            .to_string();
        ok(&as_(
            "robin",
            &[&"case", &"edit", &f, &c, &"--venue", &venue],
        ));
    };
    new_case("one", "chat #help");
    for n in 0..3 {
        new_case(
            &format!("f{n}"),
            "=HYPERLINK(\"https://evil.example\",\"x\")",
        );
    }

    let md = report(&f, &dir.path().join("r.md"), "md", &[]);
    assert!(!md.contains("help"), "a venue of one case is named:\n{md}");
    assert!(md.contains("| other |"), "{md}");
    assert!(md.contains("fewer than 3 cases"), "{md}");
    let json = report(&f, &dir.path().join("r.json"), "json", &[]);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    for table in ["by_channel", "by_status", "by_outcome", "by_venue"] {
        for (name, n) in value["current"][table].as_object().unwrap() {
            let n = n.as_u64().unwrap();
            assert!(n >= 3 || name == "other", "{table} {name}: {n}");
        }
    }
    assert_eq!(value["min_cell"], 3);

    // k = 1 shows every value; the formula-looking venue is a text cell, quoted away.
    let csv_text = report(&f, &dir.path().join("r.csv"), "csv", &["--min-cell", "1"]);
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let mut venues = Vec::new();
    for row in reader.records() {
        let row = row.unwrap();
        assert_eq!(row.len(), 5, "{csv_text}");
        for cell in row.iter().take(2) {
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "a formula cell: {cell:?}\n{csv_text}"
            );
        }
        if &row[0] == "venue" {
            venues.push(row[1].to_string());
        }
    }
    assert!(venues.contains(&"chat #help".to_string()), "{csv_text}");
    assert!(
        venues.contains(&"'=hyperlink(\"https://evil.example\",\"x\")".to_string()),
        "{venues:?}"
    );
    // A report is a casebook export: its period says when its signer's key is judged.
    ok(&as_("robin", &[&"verify", &dir.path().join("r.csv"), &f]));
    assert_eq!(
        run(&[
            &"report",
            &f,
            &"--from",
            &"2020-01-01",
            &"--to",
            &"2020-01-02",
            &"--min-cell",
            &"0",
            &"-o",
            &dir.path().join("x.md")
        ])
        .status
        .code(),
        Some(2)
    );
}
