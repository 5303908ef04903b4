//! Makes untrusted text safe to show: reports, names and imported email are written by people
//! outside the committee, sometimes hostile ones.
//!
//! Nothing that could steer a terminal survives: control characters, escape sequences (CSI,
//! OSC including clipboard writes, DCS), bidi overrides and isolates, zero-width and other
//! invisible characters are replaced by visible placeholders such as `␛[2J` or `<U+202E>`, so
//! a reader sees that something was there. Stored text is never altered; this runs when text is
//! displayed or exported. One sanitiser serves the terminal UI, the CLI and exports.

use std::borrow::Cow;

/// Whether line breaks are kept (bodies) or shown as a visible mark (one-line fields).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lines {
    /// Keep `\n` (and turn `\r\n` into `\n`); used for note and report bodies.
    Keep,
    /// Replace every line break with `⏎` so a field can never fake extra rows.
    Mark,
}

/// Sanitise a one-line field (a name, a title, a subject line).
pub fn inline(text: &str) -> Cow<'_, str> {
    sanitize(text, Lines::Mark)
}

/// Sanitise a multi-line body (a report, a note).
pub fn body(text: &str) -> Cow<'_, str> {
    sanitize(text, Lines::Keep)
}

/// Sanitise `text`, borrowing it unchanged when it is already safe.
pub fn sanitize(text: &str, lines: Lines) -> Cow<'_, str> {
    if text.chars().all(|c| is_plain(c, lines)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if is_plain(c, lines) {
            out.push(c);
            continue;
        }
        match c {
            '\r' if lines == Lines::Keep && chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => out.push('⏎'),
            '\t' => out.push_str("    "),
            // C0 controls and DEL have their own Control Pictures (␛, ␇, ␀, ␡ ...). What follows
            // an ESC ("[2J", "]52;c;...") is printable and stays visible after the ␛.
            '\u{0}'..='\u{1f}' => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('�')),
            '\u{7f}' => out.push('␡'),
            other => out.push_str(&format!("<U+{:04X}>", other as u32)),
        }
    }
    Cow::Owned(out)
}

/// Characters that can be sent to a terminal as they are.
fn is_plain(c: char, lines: Lines) -> bool {
    match c {
        '\n' => lines == Lines::Keep,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => false,
        _ => !is_invisible_or_directional(c),
    }
}

/// Format characters that reorder or hide text: bidi controls, zero-width characters, line and
/// paragraph separators, the soft hyphen, tag characters, interlinear annotations.
fn is_invisible_or_directional(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{34f}'
            | '\u{61c}'
            | '\u{115f}'..='\u{1160}'
            | '\u{17b4}'..='\u{17b5}'
            | '\u{180b}'..='\u{180f}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{3164}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff0}'..='\u{fffb}'
            | '\u{e0000}'..='\u{e0fff}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        let text = "Ada Lovelace — ümlaut, 日本語, emoji 🎉";
        assert!(matches!(inline(text), Cow::Borrowed(_)));
    }

    #[test]
    fn escape_sequences_become_visible() {
        assert_eq!(inline("a\u{1b}[2Jb"), "a␛[2Jb");
        assert_eq!(inline("\u{1b}]52;c;aGk=\u{7}"), "␛]52;c;aGk=␇");
        assert_eq!(
            inline("\u{1b}]8;;http://x\u{1b}\\link"),
            "␛]8;;http://x␛\\link"
        );
        assert_eq!(inline("\u{9b}2J"), "<U+009B>2J");
        assert_eq!(inline("nul\0del\u{7f}"), "nul␀del␡");
    }

    #[test]
    fn bidi_and_zero_width_characters_are_named() {
        assert_eq!(inline("abc\u{202e}fed"), "abc<U+202E>fed");
        assert_eq!(inline("a\u{2066}b\u{2069}"), "a<U+2066>b<U+2069>");
        assert_eq!(
            inline("zero\u{200b}width\u{feff}"),
            "zero<U+200B>width<U+FEFF>"
        );
    }

    #[test]
    fn one_line_fields_never_contain_a_line_break() {
        assert_eq!(inline("Title\nFake row\r\nmore"), "Title⏎Fake row⏎⏎more");
        assert_eq!(inline("a\u{2028}b"), "a<U+2028>b");
    }

    #[test]
    fn bodies_keep_lines_and_normalise_crlf() {
        assert_eq!(body("one\r\ntwo\nthree\rfour"), "one\ntwo\nthree⏎four");
        assert_eq!(body("tab\there"), "tab    here");
    }
}
