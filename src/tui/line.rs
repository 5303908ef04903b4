//! One line of text being typed (a form's field, a file name, the search, the palette): a
//! cursor that moves within the line, and a window that scrolls so the cursor stays in view.
//! A paste goes in whole at the cursor; its line breaks become spaces, so no line is lost.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use unicode_width::UnicodeWidthChar;

/// A one-line text with a cursor (a character index).
#[derive(Clone, Debug, Default)]
pub struct LineEdit {
    text: String,
    /// The cursor, in characters from the start.
    cursor: usize,
    /// The text and cursor before each deletion, newest last: Ctrl-Z puts them back, so no
    /// key destroys text for good.
    undo: Vec<(String, usize)>,
}

/// Deletions remembered for Ctrl-Z.
const UNDO_DEPTH: usize = 100;

impl PartialEq for LineEdit {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text && self.cursor == other.cursor
    }
}

impl Eq for LineEdit {}

impl LineEdit {
    /// A line holding `text`, the cursor at its end.
    pub fn new(text: &str) -> LineEdit {
        LineEdit {
            text: text.to_string(),
            cursor: text.chars().count(),
            undo: Vec::new(),
        }
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The cursor, in characters.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    fn byte(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map(|(i, _)| i)
            .unwrap_or(self.text.len())
    }

    /// Insert `text` at the cursor; line breaks become spaces and other control characters
    /// are left out (they are never typed into a one-line field).
    pub fn insert(&mut self, text: &str) {
        let clean: String = text
            .replace("\r\n", "\n")
            .chars()
            .map(|c| {
                if c == '\n' || c == '\r' || c == '\t' {
                    ' '
                } else {
                    c
                }
            })
            .filter(|c| !c.is_control())
            .collect();
        let at = self.byte(self.cursor);
        self.text.insert_str(at, &clean);
        self.cursor += clean.chars().count();
    }

    /// Empty it.
    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
    }

    /// Remember the text before a deletion.
    fn remember(&mut self) {
        if self.undo.len() == UNDO_DEPTH {
            self.undo.remove(0);
        }
        self.undo.push((self.text.clone(), self.cursor));
    }

    /// Edit with a key: letters are typed at the cursor, ←/→/Home/End (and Ctrl-A/E) move,
    /// Backspace/Delete remove, Ctrl-U empties, Ctrl-W removes the word before the cursor,
    /// Ctrl-Z undoes the last removal. Whether the key was an edit or a move (`false`: not one
    /// of these keys).
    pub fn on_key(&mut self, key: KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let len = self.text.chars().count();
        let deletes = match key.code {
            KeyCode::Char('u' | 'w') => ctrl && !self.text.is_empty(),
            KeyCode::Backspace => self.cursor > 0,
            KeyCode::Delete => self.cursor < len,
            _ => false,
        };
        if deletes {
            self.remember();
        }
        match key.code {
            KeyCode::Char('z') if ctrl => {
                if let Some((text, cursor)) = self.undo.pop() {
                    self.text = text;
                    self.cursor = cursor;
                }
            }
            KeyCode::Left if self.cursor > 0 => self.cursor -= 1,
            KeyCode::Right if self.cursor < len => self.cursor += 1,
            KeyCode::Left | KeyCode::Right => {}
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = len,
            KeyCode::Char('a') if ctrl => self.cursor = 0,
            KeyCode::Char('e') if ctrl => self.cursor = len,
            KeyCode::Char('u') if ctrl => self.clear(),
            KeyCode::Char('w') if ctrl => {
                let before: Vec<char> = self.text.chars().take(self.cursor).collect();
                let mut start = self.cursor;
                while start > 0 && before[start - 1] == ' ' {
                    start -= 1;
                }
                while start > 0 && before[start - 1] != ' ' {
                    start -= 1;
                }
                let (from, to) = (self.byte(start), self.byte(self.cursor));
                self.text.replace_range(from..to, "");
                self.cursor = start;
            }
            KeyCode::Backspace if self.cursor > 0 => {
                let (from, to) = (self.byte(self.cursor - 1), self.byte(self.cursor));
                self.text.replace_range(from..to, "");
                self.cursor -= 1;
            }
            KeyCode::Delete if self.cursor < len => {
                let (from, to) = (self.byte(self.cursor), self.byte(self.cursor + 1));
                self.text.replace_range(from..to, "");
            }
            KeyCode::Backspace | KeyCode::Delete => {}
            KeyCode::Char(c) if !ctrl && !c.is_control() => {
                let at = self.byte(self.cursor);
                self.text.insert(at, c);
                self.cursor += 1;
            }
            _ => return false,
        }
        true
    }

    /// What to show in `width` columns: the text (already made safe by `show`) scrolled so
    /// that the cursor is in view, and the cursor's column. `…` marks text cut on either side.
    pub fn window(&self, width: usize, show: impl Fn(&str) -> String) -> (String, usize) {
        let width = width.max(2);
        let before = show(&self.text.chars().take(self.cursor).collect::<String>());
        let after = show(&self.text.chars().skip(self.cursor).collect::<String>());
        let w = |s: &str| s.chars().map(|c| c.width().unwrap_or(0)).sum::<usize>();
        // Keep the cursor's column within the width (one column for the cursor itself).
        let mut head: Vec<char> = before.chars().collect();
        let mut cut_left = false;
        while w(&head.iter().collect::<String>()) + 1 + usize::from(cut_left) > width {
            head.remove(0);
            cut_left = true;
        }
        let mut shown: String = if cut_left {
            "…".into()
        } else {
            String::new()
        };
        shown.extend(head.iter());
        let column = w(&shown);
        let room = width.saturating_sub(column + 1);
        let mut tail = String::new();
        for c in after.chars() {
            if w(&tail) + c.width().unwrap_or(0) > room {
                tail.pop();
                tail.push('…');
                break;
            }
            tail.push(c);
        }
        if w(&tail) > room.max(1) {
            tail = tail.chars().take(room).collect();
        }
        // The cursor sits on the character after it (or past the end).
        let mut text = shown;
        text.push_str(&tail);
        (text, column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn edits_in_the_middle_and_pastes_whole_lines() {
        let mut line = LineEdit::new("ac");
        line.on_key(key(KeyCode::Left));
        line.on_key(key(KeyCode::Char('b')));
        assert_eq!(line.text(), "abc");
        line.on_key(key(KeyCode::Home));
        line.on_key(key(KeyCode::Delete));
        assert_eq!(line.text(), "bc");
        line.on_key(key(KeyCode::End));
        line.insert("first\nsecond s\r\nthird");
        assert_eq!(line.text(), "bcfirst second s third");
        line.on_key(KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL));
        assert_eq!(line.text(), "bcfirst second s ");
    }

    #[test]
    fn the_window_follows_the_cursor() {
        let mut line = LineEdit::new("abcdefghijklmnopqrstuvwxyz");
        let (shown, column) = line.window(10, str::to_string);
        assert!(shown.starts_with('…') && shown.ends_with('z'), "{shown}");
        assert_eq!(column, 9);
        line.on_key(key(KeyCode::Home));
        let (shown, column) = line.window(10, str::to_string);
        assert!(shown.starts_with('a') && shown.ends_with('…'), "{shown}");
        assert_eq!(column, 0);
    }
}
