//! Untrusted text in Markdown: what a report, a name or a note says must render as the text it
//! is, never as a link, an image, HTML or a heading, wherever the record is viewed.
//!
//! One-line values are sanitised ([`casebook_core::sanitize::inline`]) and every character
//! Markdown could give a meaning is backslash-escaped (CommonMark lets any ASCII punctuation be
//! escaped); so is the `:` of `https://` and the `.` of `www.`, so no autolink forms, and
//! `$`, which some renderers take for mathematics. Longer text goes into a
//! fenced block longer than any run of backticks inside it, where nothing is interpreted.

use casebook_core::sanitize::{body, inline};

/// Characters escaped wherever they are.
pub const ALWAYS: &[char] = &[
    '\\', '`', '*', '_', '{', '}', '[', ']', '(', ')', '<', '>', '#', '!', '|', '~', '&', '$',
];

/// A one-line value as Markdown text.
pub fn text(value: &str) -> String {
    let value = inline(value);
    let mut out = String::with_capacity(value.len() + 8);
    let mut previous: Option<char> = None;
    for (i, c) in value.char_indices() {
        let at_start = i == 0;
        let escape = ALWAYS.contains(&c)
            // List markers and thematic breaks at the start, "1." / "1)" lists.
            || (at_start && matches!(c, '-' | '+' | '='))
            || (matches!(c, '.' | ')') && previous.is_some_and(|p| p.is_ascii_digit()) && value[..i].bytes().all(|b| b.is_ascii_digit()))
            // "scheme://" and "www." start GFM autolinks.
            || (c == ':' && value[i + 1..].starts_with('/'))
            || (c == '.' && value[..i].to_ascii_lowercase().ends_with("www"));
        if escape {
            out.push('\\');
        }
        out.push(c);
        previous = Some(c);
    }
    out
}

/// Multi-line text as a fenced block (indented by `indent`), so Markdown renders it verbatim.
pub fn block(value: &str, indent: &str) -> String {
    let value = body(value);
    let longest = value.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let mut out = format!("{indent}{fence}text\n");
    for line in value.lines() {
        out.push_str(indent);
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(indent);
    out.push_str(&fence);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_one_line_values_is_escaped() {
        assert_eq!(
            text("<img src=x onerror=alert(1)>"),
            "\\<img src=x onerror=alert\\(1\\)\\>"
        );
        assert_eq!(
            text("[click](https://evil.example)"),
            "\\[click\\]\\(https\\://evil.example\\)"
        );
        assert_eq!(text("# Heading"), "\\# Heading");
        assert_eq!(text("- item"), "\\- item");
        assert_eq!(text("1. item"), "1\\. item");
        assert_eq!(text("see www.evil.example"), "see www\\.evil.example");
        assert_eq!(text("a | b"), "a \\| b");
        assert_eq!(text("amber-kettle"), "amber-kettle");
        assert_eq!(text("x\ny"), "x⏎y");
    }

    #[test]
    fn blocks_cannot_be_closed_from_inside() {
        let b = block("```\n# not a heading\n````", "");
        assert!(b.starts_with("`````text\n"));
        assert!(b.ends_with("\n`````\n"));
    }
}
