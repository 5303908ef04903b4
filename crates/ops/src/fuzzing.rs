//! The fuzz targets' bodies (`fuzz/fuzz_targets/*.rs` call these), here so that the tests
//! replaying what fuzzing found (`tests/it/fuzz_regressions.rs`) run exactly the same code on
//! stable Rust. Each takes arbitrary bytes, must never panic on them, and asserts what must
//! hold of its results (an `assert!` failing is a finding).

use std::collections::HashMap;

use chrono::{TimeZone, Utc};

use casebook_core::sanitize;
use casebook_export::{markdown, signature};

/// Every target, by the name of its folder under `fuzz/` (corpus, regressions).
pub const TARGETS: [&str; 8] = [
    "open_database",
    "merge_databases",
    "import_eml",
    "import_csv",
    "import_json",
    "signature",
    "allowed_signers",
    "sanitize",
];

/// The copy `merge_databases` merges into: a small committee's decrypted file (kept in
/// `fuzz/merge-base.db`; its fuzzed inputs are other copies of the same committee).
pub const MERGE_BASE: &str = "merge-base.db";

/// Run target `name` on `data`; `merge_base` is the bytes of [`MERGE_BASE`]. Unknown names do
/// nothing.
pub fn run(name: &str, data: &[u8], merge_base: &[u8]) {
    match name {
        "open_database" => open_database(data),
        "merge_databases" => merge_databases(merge_base, data),
        "import_eml" => import("report.eml", data),
        "import_csv" => import("form.csv", data),
        "import_json" => import("reports.json", data),
        "signature" => signature(data),
        "allowed_signers" => allowed_signers(data),
        "sanitize" => sanitize_text(data),
        _ => {}
    }
}

/// A decrypted database, opened down to the verification of its history.
pub fn open_database(data: &[u8]) {
    let _ = casebook_vault::fuzzing::open_plaintext(data);
}

/// A decrypted database, merged as another copy into `base` (see [`MERGE_BASE`]).
pub fn merge_databases(base: &[u8], data: &[u8]) {
    let _ = casebook_vault::fuzzing::merge_plaintext(base, data);
}

/// A report file as the import reads it. A CSV's first line may name a column to map.
pub fn import(name: &str, data: &[u8]) {
    let mut map = HashMap::new();
    if name.ends_with(".csv")
        && let Some(first) = std::str::from_utf8(data)
            .ok()
            .and_then(|t| t.lines().next())
        && let Some(column) = first.split(',').nth(1)
    {
        map.insert("body".to_string(), column.trim().to_string());
    }
    if let Ok(reports) = casebook_import::parse(name, data, &map) {
        assert!(
            !reports.is_empty(),
            "an import that succeeds holds a report"
        );
        for report in &reports {
            // What the import keeps is shown later: it must sanitise like anything else.
            sanitize_checks(&report.title);
            sanitize_checks(&report.body);
        }
    }
}

/// An SSHSIG signature (after the first NUL byte; the bytes before it are the message),
/// checked as `casebook verify` checks one.
pub fn signature(data: &[u8]) {
    let (message, pem) = split_at_nul(data);
    if let signature::Checked::Valid { key, fingerprint } =
        signature::check(message, &String::from_utf8_lossy(pem))
    {
        assert!(
            key.starts_with("ssh-"),
            "a valid signature names its key: {key}"
        );
        assert!(fingerprint.starts_with("SHA256:"), "{fingerprint}");
    }
}

/// An allowed_signers file (after the first NUL byte; the bytes before it are the key line
/// to judge, or a fixed key when empty), judged as `ssh-keygen -Y verify` judges.
pub fn allowed_signers(data: &[u8]) {
    let (key, file) = split_at_nul(data);
    let key = match String::from_utf8_lossy(key).trim() {
        "" => "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGmbAJpTYXLr1Bqo1Ou3Hrm4NEC6q7KDj6ETDpj8o5ec"
            .to_string(),
        given => given.to_string(),
    };
    let text = String::from_utf8_lossy(file);
    let lines = signature::parse_allowed_signers(&text);
    let at = Utc
        .with_ymd_and_hms(2026, 8, 3, 0, 0, 0)
        .single()
        .unwrap_or_default();
    let principals: Vec<String> = lines
        .iter()
        .filter_map(|line| match line {
            signature::Line::Signer(signer) => Some(signer.principals.clone()),
            signature::Line::Malformed { principals, .. } => principals.clone(),
        })
        .take(4)
        .collect();
    for principal in &principals {
        if let signature::Judged::Allowed(names) =
            signature::judge(&lines, &key, Some(principal), at)
        {
            assert_eq!(names.len(), 1, "-I admits through one line");
        }
    }
    let _ = signature::judge(&lines, &key, None, at);
    for word in text.split_whitespace().take(8) {
        let _ = signature::match_pattern_list(word, &text);
        let _ = signature::parse_openssh_time(word);
    }
}

fn split_at_nul(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|b| *b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (&b""[..], data),
    }
}

/// Untrusted text through the sanitiser and the Markdown escaper.
pub fn sanitize_text(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    sanitize_checks(&text);
}

fn sanitize_checks(text: &str) {
    let inline = sanitize::inline(text);
    assert!(
        !inline.chars().any(|c| sanitize::is_unsafe(c) || c == '\n'),
        "inline lets through {inline:?}"
    );
    let body = sanitize::body(text);
    assert!(
        !body.chars().any(|c| sanitize::is_unsafe(c) && c != '\n'),
        "body lets through {body:?}"
    );
    // JSON: the same value, written safely.
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
        let safe = sanitize::json(text);
        assert!(
            !safe
                .chars()
                .any(|c| sanitize::is_unsafe(c) && !matches!(c, '\n' | '\t' | '\r')),
            "json lets through {safe:?}"
        );
        let again: serde_json::Value =
            serde_json::from_str(&safe).unwrap_or(serde_json::Value::Null);
        assert_eq!(again, value, "json changed the value of {text:?}");
    }
    // Markdown text: one line, every character Markdown acts on escaped.
    let md = markdown::text(text);
    assert!(
        !md.contains(['\n', '\r']),
        "markdown text spans lines: {md:?}"
    );
    let mut chars = md.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            chars.next();
            continue;
        }
        assert!(
            !markdown::ALWAYS.contains(&c),
            "markdown text leaves {c:?} unescaped in {md:?}"
        );
    }
    // Markdown block: a fence nothing inside can close, every line indented.
    let indent = "  ";
    let block = markdown::block(text, indent);
    let lines: Vec<&str> = block.lines().collect();
    assert!(lines.len() >= 2, "a block has its fences: {block:?}");
    let fence = lines[0]
        .strip_prefix(indent)
        .and_then(|l| l.strip_suffix("text"))
        .unwrap_or_default();
    assert!(
        fence.len() >= 3 && fence.chars().all(|c| c == '`'),
        "{block:?}"
    );
    assert_eq!(
        lines[lines.len() - 1],
        format!("{indent}{fence}"),
        "{block:?}"
    );
    for line in &lines[1..lines.len() - 1] {
        let inner = line.strip_prefix(indent);
        assert!(
            inner.is_some(),
            "a line of the block is not indented: {line:?}"
        );
        let inner = inner.unwrap_or_default().trim_start_matches(' ');
        assert!(
            !inner.starts_with(fence),
            "a line inside closes the fence: {line:?} in {block:?}"
        );
    }
}
