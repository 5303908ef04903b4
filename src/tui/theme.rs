//! Styles. The default uses the terminal's own 16 colours (foreground only, always bold where
//! it carries meaning, and never yellow or white, which fade on light backgrounds), so it follows
//! the palette the member chose and reads on dark and light backgrounds alike; `mono` (and any
//! non-empty `NO_COLOR`) uses bold, dim and reverse video only; `plain` is `mono` for a screen
//! reader: no box drawing or decorative symbols, dialogs alone on the screen, one item a line.

use ratatui::style::{Color, Modifier, Style};

/// The interface's styles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    colour: bool,
    plain: bool,
}

impl Default for Theme {
    fn default() -> Self {
        Theme {
            colour: true,
            plain: false,
        }
    }
}

/// A theme name the config file may use.
pub const NAMES: [&str; 3] = ["default", "mono", "plain"];

impl Theme {
    /// The theme called `name` (see [`NAMES`]), unless `no_color` forces monochrome.
    pub fn named(name: &str, no_color: bool) -> Option<Theme> {
        let (colour, plain) = match name {
            "default" => (true, false),
            "mono" => (false, false),
            "plain" => (false, true),
            _ => return None,
        };
        Some(Theme {
            colour: colour && !no_color,
            plain,
        })
    }

    /// Monochrome.
    pub fn mono() -> Theme {
        Theme {
            colour: false,
            plain: false,
        }
    }

    /// For a screen reader (see the module's words).
    pub fn plain() -> Theme {
        Theme {
            colour: false,
            plain: true,
        }
    }

    /// Whether the screen is drawn for a screen reader.
    pub fn is_plain(self) -> bool {
        self.plain
    }

    fn fg(self, colour: Color) -> Style {
        if self.colour {
            Style::new().fg(colour)
        } else {
            Style::new()
        }
    }

    /// The selected row or tab.
    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }

    /// Headings and code names.
    pub fn heading(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// Secondary text: dates, hints, notes in forms.
    pub fn muted(self) -> Style {
        Style::new().add_modifier(Modifier::DIM)
    }

    /// A promise the committee has broken (overdue).
    pub fn overdue(self) -> Style {
        if self.colour {
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
        } else {
            // Not reversed: that is how the selected row looks.
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        }
    }

    /// Something that needs attention now: an emergency action awaiting review.
    pub fn alert(self) -> Style {
        self.fg(Color::Red)
            .add_modifier(Modifier::BOLD | Modifier::REVERSED)
    }

    /// Decisions and met quorums.
    pub fn decision(self) -> Style {
        self.fg(Color::Green).add_modifier(Modifier::BOLD)
    }

    /// Deliberation notes and votes.
    pub fn deliberation(self) -> Style {
        self.fg(Color::Magenta).add_modifier(Modifier::BOLD)
    }

    /// Reports received and messages sent.
    pub fn report(self) -> Style {
        self.fg(Color::Blue).add_modifier(Modifier::BOLD)
    }

    /// Unsaved changes, the idle countdown, a person seen in other cases. (Not yellow:
    /// it fades on light backgrounds.)
    pub fn warning(self) -> Style {
        self.fg(Color::Magenta).add_modifier(Modifier::BOLD)
    }

    /// Errors.
    pub fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
}
