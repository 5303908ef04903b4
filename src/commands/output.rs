//! The last guard between the command line's output and the terminal: whatever a command
//! prints passes through [`SafeOutput`], which shows every control, escape, bidi or invisible
//! character visibly instead of sending it raw. Commands still sanitise each field themselves
//! (so a one-line field cannot fake a new row); this catches whatever one of them misses.

use std::io::{self, Write};

use crate::core::sanitize;

/// A writer that passes text through, with unsafe characters made visible (line breaks and
/// tabs are kept; bytes that are not UTF-8 become U+FFFD).
pub struct SafeOutput<W: Write> {
    inner: W,
    /// The start of a UTF-8 sequence split across writes.
    pending: Vec<u8>,
}

impl<W: Write> SafeOutput<W> {
    /// Guard `inner`.
    pub fn new(inner: W) -> Self {
        SafeOutput {
            inner,
            pending: Vec::new(),
        }
    }

    fn emit(&mut self, text: &str) -> io::Result<()> {
        let mut start = 0;
        for (at, c) in text.char_indices() {
            if c != '\n' && c != '\t' && sanitize::is_unsafe(c) {
                self.inner.write_all(&text.as_bytes()[start..at])?;
                let shown = sanitize::inline(&text[at..at + c.len_utf8()]).into_owned();
                self.inner.write_all(shown.as_bytes())?;
                start = at + c.len_utf8();
            }
        }
        self.inner.write_all(&text.as_bytes()[start..])
    }
}

impl<W: Write> Write for SafeOutput<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        let bytes = std::mem::take(&mut self.pending);
        let mut rest: &[u8] = &bytes;
        loop {
            match std::str::from_utf8(rest) {
                Ok(text) => {
                    self.emit(text)?;
                    rest = &[];
                    break;
                }
                Err(e) => {
                    let (valid, after) = rest.split_at(e.valid_up_to());
                    // `valid` is what from_utf8 just checked, so this cannot fail.
                    self.emit(std::str::from_utf8(valid).unwrap_or_default())?;
                    match e.error_len() {
                        Some(bad) => {
                            self.emit("\u{fffd}")?;
                            rest = &after[bad..];
                        }
                        // An incomplete sequence at the end: wait for the rest.
                        None => {
                            rest = after;
                            break;
                        }
                    }
                }
            }
        }
        self.pending = rest.to_vec();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            let pending = std::mem::take(&mut self.pending);
            self.emit(&String::from_utf8_lossy(&pending))?;
        }
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_shown_not_sent() {
        let mut out = SafeOutput::new(Vec::new());
        write!(out, "case \u{1b}]52;c;aGk=\u{7} \u{202e}x\u{9b}\nnext\tcol").unwrap();
        out.flush().unwrap();
        let text = String::from_utf8(out.inner).unwrap();
        assert_eq!(text, "case ␛]52;c;aGk=␇ <U+202E>x<U+009B>\nnext\tcol");
    }

    #[test]
    fn a_character_split_across_writes_is_kept() {
        let mut out = SafeOutput::new(Vec::new());
        let bytes = "é\u{202e}".as_bytes();
        for b in bytes {
            out.write_all(&[*b]).unwrap();
        }
        out.write_all(b"\xff").unwrap();
        out.flush().unwrap();
        assert_eq!(String::from_utf8(out.inner).unwrap(), "é<U+202E>\u{fffd}");
    }
}
