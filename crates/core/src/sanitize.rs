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
        _ => !is_unsafe(c),
    }
}

/// Characters that reorder or hide text, derived from the Unicode Character Database (through
/// ICU4X's compiled data, so the set follows Unicode rather than a hand-kept list): every
/// Default_Ignorable_Code_Point (zero-width characters, variation selectors, tag characters,
/// Hangul fillers...), every Bidi_Control, every format character (General_Category Cf: soft
/// hyphen, Egyptian hieroglyph and musical-symbol format controls...), and the line and
/// paragraph separators.
pub fn is_invisible_or_directional(c: char) -> bool {
    use icu_properties::props::{BidiControl, DefaultIgnorableCodePoint, GeneralCategory};
    use icu_properties::{CodePointMapData, CodePointSetData};
    if c.is_ascii() {
        return false;
    }
    CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c)
        || CodePointSetData::new::<BidiControl>().contains(c)
        || matches!(
            CodePointMapData::<GeneralCategory>::new().get(c),
            GeneralCategory::Format
                | GeneralCategory::Control
                | GeneralCategory::LineSeparator
                | GeneralCategory::ParagraphSeparator
        )
}

/// Whether `c` must never reach a terminal raw: C0 and C1 controls, DEL, and everything
/// [`is_invisible_or_directional`] names.
pub fn is_unsafe(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}') || is_invisible_or_directional(c)
}

/// Make JSON text safe to print: every [`is_unsafe`] character (which JSON only has inside
/// strings) becomes its `\uXXXX` escape (a surrogate pair beyond the BMP). The JSON means the
/// same afterwards; only how it is written changes.
pub fn json(text: &str) -> Cow<'_, str> {
    // Line breaks and tabs between values are JSON's own whitespace (inside strings serde has
    // escaped them already).
    let escaped = |c: char| is_unsafe(c) && !matches!(c, '\n' | '\t' | '\r');
    if !text.chars().any(escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut units = [0u16; 2];
    for c in text.chars() {
        if escaped(c) {
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
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
    fn format_controls_a_hand_kept_list_missed_are_named() {
        // Musical symbol beam and slur controls, Egyptian hieroglyph format controls.
        assert_eq!(inline("a\u{1d173}b"), "a<U+1D173>b");
        assert_eq!(inline("a\u{1d17a}b"), "a<U+1D17A>b");
        assert_eq!(inline("a\u{13430}b\u{1343f}"), "a<U+13430>b<U+1343F>");
        assert_eq!(inline("x\u{110bd}y"), "x<U+110BD>y");
    }

    #[test]
    fn json_escapes_what_serde_leaves_raw() {
        let value =
            serde_json::json!({ "name": "a\u{1b}]52;c;x\u{7}\u{202e}\u{85}\u{200b}\u{e0041}b" });
        let text = serde_json::to_string_pretty(&value).unwrap();
        let safe = json(&text);
        assert!(!safe.chars().any(|c| is_unsafe(c) && c != '\n'), "{safe}");
        assert!(
            safe.contains("\\u202e") && safe.contains("\\udb40\\udc41"),
            "{safe}"
        );
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, value, "the same JSON, only written differently");
    }

    proptest::proptest! {
        #[test]
        fn nothing_unsafe_survives_and_safe_text_is_kept(text in "\\PC*|.*", extra in proptest::collection::vec(proptest::char::any(), 0..8)) {
            let mut text = text;
            text.extend(extra);
            for lines in [Lines::Keep, Lines::Mark] {
                let shown = sanitize(&text, lines);
                proptest::prop_assert!(!shown.chars().any(|c| is_unsafe(c) && c != '\n'), "{:?}", shown);
                if lines == Lines::Mark {
                    proptest::prop_assert!(!shown.contains('\n'));
                }
            }
            // Characters that are safe pass through unchanged.
            let safe: String = text.chars().filter(|&c| !is_unsafe(c) && c != '\t' && c != '\n' && c != '\r').collect();
            let shown = sanitize(&safe, Lines::Mark).into_owned();
            proptest::prop_assert_eq!(shown, safe);
        }

        #[test]
        fn the_set_is_what_unicode_says(c in proptest::char::any()) {
            use icu_properties::props::{BidiControl, DefaultIgnorableCodePoint, GeneralCategory};
            use icu_properties::{CodePointMapData, CodePointSetData};
            let gc = CodePointMapData::<GeneralCategory>::new().get(c);
            let expected = CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c)
                || CodePointSetData::new::<BidiControl>().contains(c)
                || matches!(gc, GeneralCategory::Format | GeneralCategory::Control
                    | GeneralCategory::LineSeparator | GeneralCategory::ParagraphSeparator);
            proptest::prop_assert_eq!(is_unsafe(c), expected);
            if is_unsafe(c) {
                proptest::prop_assert!(inline(&c.to_string()).chars().all(|s| !is_unsafe(s)));
            }
        }

        #[test]
        fn json_escaping_keeps_the_value(text in proptest::collection::vec(proptest::char::any(), 0..32)) {
            let text: String = text.into_iter().collect();
            let encoded = serde_json::to_string_pretty(&vec![text.clone()]).unwrap();
            let safe = json(&encoded);
            proptest::prop_assert!(!safe.chars().any(|c| is_unsafe(c) && c != '\n'));
            let back: Vec<String> = serde_json::from_str(&safe).unwrap();
            proptest::prop_assert_eq!(back, vec![text]);
        }
    }

    #[test]
    fn bodies_keep_lines_and_normalise_crlf() {
        assert_eq!(body("one\r\ntwo\nthree\rfour"), "one\ntwo\nthree⏎four");
        assert_eq!(body("tab\there"), "tab    here");
    }
}
