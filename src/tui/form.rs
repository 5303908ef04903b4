//! Forms: the dialogs that collect what a change needs (who to assign, which outcome, the
//! rationale...). A form is data — fields with keys, a purpose — so that `update` stays free
//! of I/O; a choice carries a typed [`Value`] per option, and [`super::request`] turns a
//! submitted form into a typed request without comparing labels.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use super::action::Action;
use super::keymap::{self, Binding, Context};
use super::line::LineEdit;

use crate::core::case::{Channel, Severity};
use crate::core::decision::Ballot;
use crate::core::event::{Audience, ConflictKind, ExcludeWhy, ReviewResult};
use crate::core::party::PartyRole;
use crate::core::roster::Role;
use crate::export::Profile;
use crate::ops::export::{RecordFormat, ReportFormat};

/// Assign a member to a case, or take them off it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Assignment {
    /// Put them on the case.
    Assign,
    /// Take them off.
    TakeOff,
}

/// How a new party is known, as the party form offers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KnownAs {
    /// By name (and optionally handle and email).
    Named,
    /// By an alias.
    Pseudonymous,
    /// Not at all.
    Anonymous,
    /// As a party of another case.
    SameAs,
}

/// What a chosen option means. Each option of a choice carries one, so that reading a form
/// never compares the words shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// A name or an outcome, as chosen.
    Text(String),
    /// One label or name, or any (`None`); for the filter.
    Maybe(Option<String>),
    /// One severity, or any (`None`).
    Severity(Option<Severity>),
    /// Assign or take off.
    Assignment(Assignment),
    /// Hard or soft.
    Conflict(ConflictKind),
    /// A party's role.
    PartyRole(PartyRole),
    /// How a party is known.
    KnownAs(KnownAs),
    /// For, against, abstain.
    Ballot(Ballot),
    /// Who a message went to.
    Audience(Audience),
    /// How a report came in.
    Channel(Channel),
    /// Who a record is for.
    Profile(Profile),
    /// A record's format.
    RecordFormat(RecordFormat),
    /// A report's format.
    ReportFormat(ReportFormat),
    /// A member's role.
    Role(Role),
    /// A timeline entry.
    Entry(uuid::Uuid),
    /// Why a member is kept out of a sealed case.
    ExcludeWhy(ExcludeWhy),
    /// A party (or a sanction) of the case, by its number (from 1, as the case lists them).
    Party(usize),
    /// What a review of an emergency action found.
    ReviewResult(ReviewResult),
    /// A message template's step, or none.
    Template(Option<crate::core::comms::Step>),
    /// The grounds of an appeal.
    Ground(crate::core::sanction::Ground),
    /// Why a case is expunged.
    ExpungeReason(crate::core::retention::Reason),
    /// What happens to a sanction.
    SanctionStep(crate::core::sanction::Step),
}

impl Value {
    /// The letter that chooses this value in every form it appears in, whatever the other
    /// options are: `d` is always "reported" and `r` always "reporter", for a record, a
    /// message or a party alike. `None` for names, outcomes and entries, which are chosen
    /// by their first letter (or, in a list of sentences, by number).
    pub fn letter(&self) -> Option<char> {
        let letter = match self {
            Value::Profile(Profile::Internal) => 'i',
            Value::Profile(Profile::Reported)
            | Value::Audience(Audience::Reported)
            | Value::PartyRole(PartyRole::Reported) => 'd',
            Value::Profile(Profile::Reporter)
            | Value::Audience(Audience::Reporter)
            | Value::PartyRole(PartyRole::Reporter) => 'r',
            Value::Profile(Profile::Public) => 'p',
            Value::Audience(Audience::Other) | Value::PartyRole(PartyRole::Other) => 'o',
            Value::PartyRole(PartyRole::Witness) => 'w',
            Value::Ballot(Ballot::For) => 'f',
            Value::Ballot(Ballot::Against) => 'a',
            Value::Ballot(Ballot::Abstain) => 'b',
            Value::Conflict(ConflictKind::Soft) => 's',
            Value::Conflict(ConflictKind::Hard) => 'h',
            Value::Severity(None) => 'a',
            Value::Severity(Some(Severity::Low)) => 'l',
            Value::Severity(Some(Severity::Medium)) => 'm',
            Value::Severity(Some(Severity::High)) => 'h',
            Value::Severity(Some(Severity::Critical)) => 'c',
            Value::Channel(Channel::Email) => 'e',
            Value::Channel(Channel::Form) => 'f',
            Value::Channel(Channel::InPerson) => 'i',
            Value::Channel(Channel::Chat) => 'c',
            Value::Channel(Channel::EventStaff) => 'v',
            Value::Channel(Channel::Other) => 'o',
            Value::KnownAs(KnownAs::Named) => 'n',
            Value::KnownAs(KnownAs::Pseudonymous) => 'p',
            Value::KnownAs(KnownAs::Anonymous) => 'a',
            Value::KnownAs(KnownAs::SameAs) => 's',
            Value::Assignment(Assignment::Assign) => 'a',
            Value::Assignment(Assignment::TakeOff) => 't',
            Value::Role(Role::Member) => 'm',
            Value::Role(Role::Chair) => 'c',
            Value::RecordFormat(RecordFormat::Md) | Value::ReportFormat(ReportFormat::Md) => 'm',
            Value::RecordFormat(RecordFormat::Json) | Value::ReportFormat(ReportFormat::Json) => {
                'j'
            }
            Value::ReportFormat(ReportFormat::Csv) => 'c',
            Value::ExcludeWhy(ExcludeWhy::Request) => 'r',
            Value::ExcludeWhy(ExcludeWhy::Party) => 'p',
            Value::ExcludeWhy(ExcludeWhy::Conflict) => 'c',
            Value::ExcludeWhy(ExcludeWhy::Named) => 'n',
            Value::ReviewResult(ReviewResult::Upheld) => 'u',
            Value::ReviewResult(ReviewResult::Changed) => 'c',
            Value::ReviewResult(ReviewResult::Lifted) => 'l',
            Value::Template(None) => 'n',
            Value::Template(Some(crate::core::comms::Step::Acknowledgement)) => 'a',
            Value::Template(Some(crate::core::comms::Step::Update)) => 'u',
            Value::Template(Some(crate::core::comms::Step::Decision)) => 'd',
            Value::Template(Some(crate::core::comms::Step::AppealOutcome)) => 'p',
            Value::ExpungeReason(crate::core::retention::Reason::Retention) => 'e',
            Value::ExpungeReason(crate::core::retention::Reason::Request) => 'q',
            Value::ExpungeReason(crate::core::retention::Reason::Transfer) => 't',
            Value::Ground(crate::core::sanction::Ground::NewEvidence) => 'n',
            Value::Ground(crate::core::sanction::Ground::ProceduralError) => 'p',
            Value::Ground(crate::core::sanction::Ground::Disproportionate) => 'd',
            Value::Ground(crate::core::sanction::Ground::ConflictOfInterest) => 'c',
            Value::Ground(crate::core::sanction::Ground::FactualError) => 'f',
            Value::Ground(crate::core::sanction::Ground::Inconsistent) => 'i',
            Value::SanctionStep(crate::core::sanction::Step::Reviewed) => 'r',
            Value::SanctionStep(crate::core::sanction::Step::Extended) => 'e',
            Value::SanctionStep(crate::core::sanction::Step::Lifted) => 'l',
            Value::SanctionStep(crate::core::sanction::Step::Breached) => 'b',
            Value::Text(_) | Value::Maybe(_) | Value::Entry(_) | Value::Party(_) => return None,
        };
        Some(letter)
    }
}

/// The keys that choose each option: the value's own letter where it has one (the same in
/// every form); else the first letter of what is shown that no other option of the field
/// took (`no-violation` n, `no-action` a), or, in a list of sentences (a compact choice),
/// its number.
fn choice_keys(options: &[String], values: &[Value]) -> Vec<char> {
    let sentences = options.iter().any(|o| o.chars().count() > COMPACT_OVER);
    let mut keys: Vec<Option<char>> = values.iter().map(Value::letter).collect();
    let digit = |n: usize| char::from_digit(((n + 1) % 10) as u32, 10).unwrap_or('0');
    for n in 0..options.len() {
        if keys[n].is_some() {
            continue;
        }
        let taken: Vec<char> = keys.iter().flatten().copied().collect();
        let free = |c: &char| !taken.contains(c);
        keys[n] = Some(if sentences {
            digit(n)
        } else {
            options[n]
                .chars()
                .filter(|c| c.is_alphanumeric())
                .filter_map(|c| c.to_lowercase().next())
                .find(free)
                .or_else(|| (0..10).map(digit).find(free))
                .unwrap_or(' ')
        });
    }
    keys.into_iter().map(|k| k.unwrap_or(' ')).collect()
}

/// The first letter or digit of `text`, lower case (`' '` when it has none).
fn first_letter(text: &str) -> char {
    text.chars()
        .find(|c| c.is_alphanumeric())
        .and_then(|c| c.to_lowercase().next())
        .unwrap_or(' ')
}

/// A choice whose options are longer than this shows only the chosen one (with arrows).
pub const COMPACT_OVER: usize = 24;

/// An option as shown with the key that chooses it: as it is when the key is its first
/// letter, the key marked in the word when it is in it (`reporte[d]`, `no-[a]ction`), else
/// before it (`[1] a status move...`).
pub fn with_key(option: &str, key: char) -> String {
    if first_letter(option) == key {
        return option.to_string();
    }
    match option
        .char_indices()
        .find(|(_, c)| c.to_lowercase().next() == Some(key))
    {
        Some((at, c)) => format!("{}[{c}]{}", &option[..at], &option[at + c.len_utf8()..]),
        None => format!("[{key}] {option}"),
    }
}

/// A type a choice's [`Value`] can be read back as.
pub trait Chosen: Sized {
    /// The value as this type, if it is one.
    fn from_value(value: &Value) -> Option<Self>;
}

macro_rules! chosen {
    ($($variant:ident($ty:ty)),* $(,)?) => {$(
        impl From<$ty> for Value {
            fn from(value: $ty) -> Value {
                Value::$variant(value)
            }
        }

        impl Chosen for $ty {
            fn from_value(value: &Value) -> Option<Self> {
                match value {
                    Value::$variant(v) => Some(v.clone()),
                    _ => None,
                }
            }
        }
    )*};
}

chosen!(
    Text(String),
    Maybe(Option<String>),
    Severity(Option<Severity>),
    Assignment(Assignment),
    Conflict(ConflictKind),
    PartyRole(PartyRole),
    KnownAs(KnownAs),
    Ballot(Ballot),
    Audience(Audience),
    Channel(Channel),
    Profile(Profile),
    RecordFormat(RecordFormat),
    ReportFormat(ReportFormat),
    Role(Role),
    Entry(uuid::Uuid),
    ExcludeWhy(ExcludeWhy),
    Party(usize),
    ReviewResult(ReviewResult),
    Template(Option<crate::core::comms::Step>),
    Ground(crate::core::sanction::Ground),
    SanctionStep(crate::core::sanction::Step),
    ExpungeReason(crate::core::retention::Reason),
);

/// What a form is for; the runner carries it out with the form's values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Assign a member to the case, or take them off.
    Assign(String),
    /// Declare the member's own conflict of interest.
    Conflict(String),
    /// Withdraw the member's own conflict of interest.
    WithdrawConflict(String),
    /// Seal the case from a member.
    Seal(String),
    /// Give a member access to the sealed case.
    GiveAccess(String),
    /// Open the contact details of a party the member holds.
    OpenContact(String),
    /// Add a party to the case.
    Party(String),
    /// Record an emergency action.
    Emergency(String),
    /// Review a pending emergency action.
    Review(String),
    /// Vote (proposing the outcome if needed).
    Vote(String),
    /// Record the decision.
    Decide(String),
    /// Log a message sent to someone.
    Comms(String),
    /// Open a new case.
    NewCase,
    /// Import report files.
    Import,
    /// Export a signed decision record of the case.
    Export(String),
    /// Write a signed transparency report.
    Report,
    /// Add a member to the committee.
    AddMember,
    /// Remove a member (named) from the committee.
    RemoveMember(String),
    /// Choose which cases the list shows (handled by the model itself).
    Filter,
    /// Correct an earlier entry of the case: a note that amends the chosen entry.
    Amend(String),
    /// Resolve items needing attention on a case (or, `None`, the roster's); `items` are all
    /// of them, the choice "all" resolves.
    Resolve {
        /// The case, if it is one.
        code: Option<String>,
        /// Every item there.
        items: Vec<uuid::Uuid>,
    },
    /// Write the title and summary a record for one audience shows.
    RecordText(String),
    /// Save an attachment of the open case to a file.
    SaveAttachment {
        /// Its SHA-256.
        sha256: String,
        /// Its name as received.
        name: String,
    },
    /// Start a sanction on the case.
    Sanction(String),
    /// Record who was told of a sanction on the case.
    Tell(String),
    /// Record an appeal of the case's decision.
    Appeal(String),
    /// Propose to expunge the case.
    Expunge(String),
    /// Approve the expunge another member proposed (the member types the code name).
    ApproveExpunge(String),
    /// Review, extend or lift a sanction on the case, or record a breach.
    SanctionStep(String),
}

impl Purpose {
    /// Whether carrying it out writes plaintext outside the case file (asked about first).
    pub fn writes_plaintext(&self) -> bool {
        matches!(
            self,
            Purpose::Export(_) | Purpose::Report | Purpose::SaveAttachment { .. }
        )
    }
}

/// A key in a multi-line text (a note, a form's text field). Ctrl-J is a new line, as many
/// terminals send Enter (the text area would delete the line typed so far); Ctrl-Z undoes,
/// like Ctrl-U, so no key destroys text for good. Whether the text changed.
pub fn text_key(editor: &mut TextArea<'static>, key: KeyEvent) -> bool {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Char('j' | 'm') if ctrl => {
            editor.insert_newline();
            true
        }
        KeyCode::Char('z') if ctrl => editor.undo(),
        _ => editor.input(key),
    }
}

/// How a field is edited.
pub enum Input {
    /// One line of text.
    Line(LineEdit),
    /// One of a few options (←/→ or space to change, or the option's key).
    Choice {
        /// The options, as shown.
        options: Vec<String>,
        /// What each option means, in the same order.
        values: Vec<Value>,
        /// The key that chooses each option (see [`Value::letter`]).
        keys: Vec<char>,
        /// The chosen one.
        selected: usize,
    },
    /// Several lines of text.
    Text(Box<TextArea<'static>>),
}

/// One field.
pub struct Field {
    /// The key the runner reads it by.
    pub key: &'static str,
    /// Its label.
    pub label: &'static str,
    /// Its input.
    pub input: Input,
}

impl Field {
    /// A one-line text field, pre-filled with `value`.
    pub fn line(key: &'static str, label: &'static str, value: &str) -> Field {
        Field {
            key,
            label,
            input: Input::Line(LineEdit::new(value)),
        }
    }

    /// A choice among `options` (each as shown, and what it means), `selected` first.
    pub fn choice<L: Into<String>, V: Into<Value>>(
        key: &'static str,
        label: &'static str,
        options: impl IntoIterator<Item = (L, V)>,
        selected: usize,
    ) -> Field {
        let (options, values): (Vec<String>, Vec<Value>) = options
            .into_iter()
            .map(|(label, value)| (label.into(), value.into()))
            .unzip();
        Field {
            key,
            label,
            input: Input::Choice {
                selected: selected.min(options.len().saturating_sub(1)),
                keys: choice_keys(&options, &values),
                options,
                values,
            },
        }
    }

    /// A choice among names (or outcomes) that mean themselves.
    pub fn names<S: AsRef<str>>(
        key: &'static str,
        label: &'static str,
        names: &[S],
        selected: usize,
    ) -> Field {
        let names = names.iter().map(|n| (n.as_ref(), n.as_ref().to_string()));
        Field::choice(key, label, names, selected)
    }

    /// What the chosen option means (for a choice).
    pub fn chosen(&self) -> Option<&Value> {
        match &self.input {
            Input::Choice {
                values, selected, ..
            } => values.get(*selected),
            _ => None,
        }
    }

    /// A multi-line text field.
    pub fn text(key: &'static str, label: &'static str, placeholder: &str) -> Field {
        let mut editor = TextArea::default();
        editor.set_placeholder_text(placeholder);
        editor.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
        Field {
            key,
            label,
            input: Input::Text(Box::new(editor)),
        }
    }

    /// The text as typed, untrimmed (`None` for a choice).
    pub fn typed(&self) -> Option<String> {
        match &self.input {
            Input::Line(line) => Some(line.text().to_string()),
            Input::Text(editor) => Some(editor.lines().join("\n")),
            Input::Choice { .. } => None,
        }
    }

    /// Replace the text of a text field (a choice is left as it is), the cursor at its end.
    pub fn set_text(&mut self, text: &str) {
        match &mut self.input {
            Input::Line(line) => *line = LineEdit::new(text),
            Input::Text(editor) => {
                let placeholder = editor.placeholder_text().to_string();
                let mut fresh = TextArea::new(text.lines().map(str::to_string).collect());
                fresh.set_placeholder_text(placeholder);
                fresh.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
                fresh.move_cursor(ratatui_textarea::CursorMove::Bottom);
                fresh.move_cursor(ratatui_textarea::CursorMove::End);
                **editor = fresh;
            }
            Input::Choice { .. } => {}
        }
    }

    /// The field's value as text.
    pub fn value(&self) -> String {
        match &self.input {
            Input::Line(text) => text.text().trim().to_string(),
            Input::Choice {
                options, selected, ..
            } => options.get(*selected).cloned().unwrap_or_default(),
            Input::Text(editor) => editor.lines().join("\n").trim_end().to_string(),
        }
    }
}

/// What a key press did to a form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reply {
    /// Still editing.
    Editing,
    /// Esc: the form is abandoned.
    Cancel,
    /// Ctrl-D (or Enter on the last one-line field): carry it out.
    Submit,
}

/// A form being filled in.
pub struct Form {
    /// The dialog's title.
    pub title: String,
    /// What submitting it does.
    pub purpose: Purpose,
    /// Lines shown above the fields (what the change means, its limits).
    pub notes: Vec<String>,
    /// The fields.
    pub fields: Vec<Field>,
    /// Index of the field with the cursor.
    pub focus: usize,
    /// Why the last submission was refused, if it was.
    pub error: Option<String>,
    /// Something was typed or chosen since it opened (Esc then asks before dropping it).
    pub touched: bool,
    /// Fields written once per option of a choice (the record text: once per audience).
    pub tabs: Option<Tabs>,
    /// The record the text is written for, shown as it will read (the record-text form).
    pub preview: Option<Preview>,
}

/// Fields a form holds once per option of one of its choices, shown as a tab strip: choosing
/// another option keeps what was typed for the one shown and shows the other's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tabs {
    /// The choice whose options are the tabs.
    pub by: &'static str,
    /// The fields written once per tab.
    pub fields: Vec<&'static str>,
    /// Per tab, in the choice's order: the text of each of `fields`, as last typed there.
    pub texts: Vec<Vec<String>>,
    /// Per tab: the text it was opened with (a tab whose text differs was edited).
    pub filled: Vec<Vec<String>>,
    /// The tab whose text the fields show.
    pub shown: usize,
}

/// What a form's text will read as once recorded: the decision record of each audience (or
/// why it cannot be made), and the member writing it.
#[derive(Clone, Debug)]
pub struct Preview {
    /// Per option of the tabbed choice, in its order: the record as it stands.
    pub records: Vec<Result<crate::export::Record, String>>,
    /// Who writes the text (the record adds the day).
    pub by: String,
}

/// A form's values as typed, to be put back after the screen lock: by field key, the text of
/// a text field or the index of a choice.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FormDraft {
    /// The field with the cursor.
    pub focus: usize,
    /// Each field's value.
    pub values: Vec<(String, FieldDraft)>,
    /// A tabbed form's text per tab (see [`Tabs`]), as typed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tabs: Vec<Vec<String>>,
}

/// One field's value in a [`FormDraft`].
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum FieldDraft {
    /// What was typed.
    Text(String),
    /// Which option was chosen.
    Chosen(usize),
}

/// A submitted form's values, by field key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submission {
    /// What to do.
    pub purpose: Purpose,
    /// The values as text (for a choice, the option as shown).
    pub values: BTreeMap<&'static str, String>,
    /// For choices: what the chosen option means.
    pub chosen: BTreeMap<&'static str, Value>,
    /// A tabbed form's tabs that were edited, the one shown included, in the choice's order:
    /// what the tab's option means, and its fields' values (trimmed, as `values`).
    pub edited_tabs: Vec<(Value, BTreeMap<&'static str, String>)>,
}

impl Submission {
    /// The value of field `key` (empty if there is no such field).
    pub fn get(&self, key: &str) -> &str {
        self.values.get(key).map(String::as_str).unwrap_or_default()
    }

    /// The value of field `key`, or `None` when it was left empty.
    pub fn optional(&self, key: &str) -> Option<String> {
        Some(self.get(key).to_string()).filter(|v| !v.is_empty())
    }

    /// What the option chosen in field `key` means, as a `T`; `None` when the choice had no
    /// options (or is not a choice of `T`s).
    pub fn choice<T: Chosen>(&self, key: &str) -> Option<T> {
        self.chosen.get(key).and_then(T::from_value)
    }
}

impl Form {
    /// A form with `fields`, the cursor on the first.
    pub fn new(title: impl Into<String>, purpose: Purpose, fields: Vec<Field>) -> Form {
        Form {
            title: title.into(),
            purpose,
            notes: Vec::new(),
            fields,
            focus: 0,
            error: None,
            touched: false,
            tabs: None,
            preview: None,
        }
    }

    /// The same form with `fields` written once per option of the choice `by`: `filled`
    /// holds, per option, the text each field opens with. The fields show the selected
    /// option's.
    pub fn with_tabs(
        mut self,
        by: &'static str,
        fields: Vec<&'static str>,
        filled: Vec<Vec<String>>,
    ) -> Form {
        let shown = self.selected_in(by).unwrap_or(0);
        self.tabs = Some(Tabs {
            by,
            fields,
            texts: filled.clone(),
            filled,
            shown,
        });
        self.show_tab();
        self
    }

    /// The same form with a preview of what it writes.
    pub fn with_preview(mut self, preview: Preview) -> Form {
        self.preview = Some(preview);
        self
    }

    /// After a key: when the tab choice now selects another tab, keep what the fields hold
    /// for the tab they showed and fill them with the selected tab's text.
    fn switch_tab(&mut self) {
        let Some(tabs) = &self.tabs else { return };
        let Some(selected) = self.selected_in(tabs.by).filter(|s| *s != tabs.shown) else {
            return;
        };
        let typed = self.typed_in(&tabs.fields);
        if let Some(tabs) = &mut self.tabs {
            if let Some(slot) = tabs.texts.get_mut(tabs.shown) {
                *slot = typed;
            }
            tabs.shown = selected;
        }
        self.show_tab();
    }

    /// Fill the tabbed fields with the shown tab's text.
    fn show_tab(&mut self) {
        let Some(tabs) = &self.tabs else { return };
        let Some(texts) = tabs.texts.get(tabs.shown) else {
            return;
        };
        let pairs: Vec<(&'static str, String)> = tabs
            .fields
            .iter()
            .copied()
            .zip(texts.iter().cloned())
            .collect();
        for (key, text) in pairs {
            if let Some(field) = self.fields.iter_mut().find(|f| f.key == key) {
                field.set_text(&text);
            }
        }
    }

    /// Per tab, the text as it stands: the shown tab's from the fields, the others' as kept.
    pub fn tab_texts(&self) -> Vec<Vec<String>> {
        let Some(tabs) = &self.tabs else {
            return Vec::new();
        };
        let mut texts = tabs.texts.clone();
        if let Some(slot) = texts.get_mut(tabs.shown) {
            *slot = self.typed_in(&tabs.fields);
        }
        texts
    }

    /// Per tab: whether its text differs from what it opened with.
    pub fn tabs_changed(&self) -> Vec<bool> {
        let Some(tabs) = &self.tabs else {
            return Vec::new();
        };
        self.tab_texts()
            .iter()
            .enumerate()
            .map(|(n, text)| tabs.filled.get(n) != Some(text))
            .collect()
    }

    /// The option chosen in the choice field `key`, if it is one.
    fn selected_in(&self, key: &str) -> Option<usize> {
        self.fields
            .iter()
            .find(|f| f.key == key)
            .and_then(|f| match &f.input {
                Input::Choice { selected, .. } => Some(*selected),
                _ => None,
            })
    }

    /// The text typed in each of the fields `keys` (empty for one that is not there).
    fn typed_in(&self, keys: &[&'static str]) -> Vec<String> {
        keys.iter()
            .map(|key| {
                self.fields
                    .iter()
                    .find(|f| f.key == *key)
                    .and_then(Field::typed)
                    .unwrap_or_default()
            })
            .collect()
    }

    /// Whether anything was typed into it (a draft that must not be dropped silently).
    pub fn has_draft(&self) -> bool {
        self.touched
            && self.fields.iter().any(|f| match &f.input {
                Input::Line(line) => !line.text().trim().is_empty(),
                Input::Text(editor) => editor.lines().iter().any(|l| !l.trim().is_empty()),
                Input::Choice { .. } => false,
            })
    }

    /// The values as typed, to keep across the screen lock.
    pub fn draft(&self) -> FormDraft {
        FormDraft {
            focus: self.focus,
            values: self
                .fields
                .iter()
                .map(|f| {
                    let value = match &f.input {
                        Input::Line(line) => FieldDraft::Text(line.text().to_string()),
                        Input::Text(editor) => FieldDraft::Text(editor.lines().join("\n")),
                        Input::Choice { selected, .. } => FieldDraft::Chosen(*selected),
                    };
                    (f.key.to_string(), value)
                })
                .collect(),
            tabs: self.tab_texts(),
        }
    }

    /// Put values kept by [`Form::draft`] back (fields it does not know are left as they are).
    pub fn restore(&mut self, draft: &FormDraft) {
        for (key, value) in &draft.values {
            let Some(field) = self.fields.iter_mut().find(|f| f.key == key) else {
                continue;
            };
            match (&mut field.input, value) {
                (Input::Line(_) | Input::Text(_), FieldDraft::Text(text)) => field.set_text(text),
                (
                    Input::Choice {
                        options, selected, ..
                    },
                    FieldDraft::Chosen(n),
                ) => {
                    *selected = (*n).min(options.len().saturating_sub(1));
                }
                _ => {}
            }
        }
        let selected = self.tabs.as_ref().and_then(|t| self.selected_in(t.by));
        if let Some(tabs) = &mut self.tabs {
            // The fields as restored are the selected tab's; the others' text comes from the
            // draft when it kept them (a draft from before tabs kept only the fields).
            tabs.shown = selected.unwrap_or(0);
            if draft.tabs.len() == tabs.texts.len() {
                tabs.texts = draft.tabs.clone();
                self.show_tab();
            }
        }
        self.focus = draft.focus.min(self.fields.len().saturating_sub(1));
        self.touched = true;
    }

    /// A paste: text, never keys. It goes whole into the field with the cursor (line breaks
    /// kept in a text field, spaces in a one-line field); over a choice it goes to the next
    /// text field, so nothing pasted is lost.
    pub fn paste(&mut self, text: &str) {
        let target = (0..self.fields.len())
            .map(|step| (self.focus + step) % self.fields.len().max(1))
            .find(|i| !matches!(self.fields[*i].input, Input::Choice { .. }));
        let Some(i) = target else { return };
        self.focus = i;
        self.touched = true;
        match &mut self.fields[i].input {
            Input::Line(line) => line.insert(text),
            Input::Text(editor) => {
                editor.insert_str(text.replace("\r\n", "\n").replace('\r', "\n"));
            }
            Input::Choice { .. } => {}
        }
    }

    /// The same form with explanatory lines above the fields.
    pub fn with_notes(mut self, notes: Vec<String>) -> Form {
        self.notes = notes;
        self
    }

    /// The values, by key.
    pub fn submission(&self) -> Submission {
        Submission {
            purpose: self.purpose.clone(),
            values: self.fields.iter().map(|f| (f.key, f.value())).collect(),
            chosen: self
                .fields
                .iter()
                .filter_map(|f| Some((f.key, f.chosen()?.clone())))
                .collect(),
            edited_tabs: self.edited_tabs(),
        }
    }

    /// The edited tabs: what each one's option means, and its text.
    fn edited_tabs(&self) -> Vec<(Value, BTreeMap<&'static str, String>)> {
        let Some(tabs) = &self.tabs else {
            return Vec::new();
        };
        let Some(Input::Choice { values, .. }) = self
            .fields
            .iter()
            .find(|f| f.key == tabs.by)
            .map(|f| &f.input)
        else {
            return Vec::new();
        };
        let changed = self.tabs_changed();
        self.tab_texts()
            .iter()
            .enumerate()
            .filter(|(n, _)| changed.get(*n) == Some(&true))
            .filter_map(|(n, text)| {
                let value = values.get(n)?.clone();
                let fields = tabs
                    .fields
                    .iter()
                    .copied()
                    .zip(text.iter().map(|t| t.trim().to_string()))
                    .collect();
                Some((value, fields))
            })
            .collect()
    }

    /// The value of the field `key`.
    pub fn value(&self, key: &str) -> String {
        self.fields
            .iter()
            .find(|f| f.key == key)
            .map(Field::value)
            .unwrap_or_default()
    }

    fn move_focus(&mut self, forward: bool) {
        let n = self.fields.len().max(1);
        self.focus = if forward {
            (self.focus + 1) % n
        } else {
            (self.focus + n - 1) % n
        };
    }

    /// Handle a key press, with the default keys.
    pub fn on_key(&mut self, key: KeyEvent) -> Reply {
        self.on_key_with(keymap::DEFAULT, key)
    }

    /// Handle a key press: the form's own keys (cancel, done, next and previous field) as
    /// `bindings` say; any other key edits the field with the cursor.
    pub fn on_key_with(&mut self, bindings: &[Binding], key: KeyEvent) -> Reply {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match keymap::lookup(bindings, Context::Form, key) {
            Some(Action::Back) => return Reply::Cancel,
            Some(Action::Done) => return Reply::Submit,
            Some(Action::NextField) => {
                self.move_focus(true);
                return Reply::Editing;
            }
            Some(Action::PreviousField) => {
                self.move_focus(false);
                return Reply::Editing;
            }
            _ => {}
        }
        let focus = self.focus;
        let last = focus + 1 == self.fields.len();
        let Some(field) = self.fields.get_mut(focus) else {
            return match key.code {
                KeyCode::Enter => Reply::Submit,
                _ => Reply::Editing,
            };
        };
        match &mut field.input {
            Input::Text(editor) => {
                if text_key(editor, key) {
                    self.touched = true;
                }
            }
            Input::Line(text) => match key.code {
                // Enter moves on; only on the last field does it carry the form out.
                KeyCode::Enter if last => return Reply::Submit,
                KeyCode::Enter | KeyCode::Down => self.move_focus(true),
                KeyCode::Up => self.move_focus(false),
                _ => {
                    if text.on_key(key) {
                        self.touched = true;
                    }
                }
            },
            Input::Choice {
                options,
                selected,
                keys,
                ..
            } => match key.code {
                KeyCode::Enter if last => return Reply::Submit,
                KeyCode::Enter | KeyCode::Down => self.move_focus(true),
                KeyCode::Up => self.move_focus(false),
                KeyCode::Left => *selected = selected.saturating_sub(1),
                KeyCode::Right | KeyCode::Char(' ') => {
                    *selected = (*selected + 1) % options.len().max(1)
                }
                // An option's key chooses it, the same value in every form (`d`: reported);
                // a key two options share goes to the next of them.
                KeyCode::Char(c) if !ctrl => {
                    let n = keys.len();
                    let c = c.to_lowercase().next().unwrap_or(c);
                    if let Some(i) = (1..=n)
                        .map(|step| (*selected + step) % n)
                        .find(|i| keys[*i] == c)
                    {
                        *selected = i;
                    }
                }
                _ => {}
            },
        }
        self.switch_tab();
        Reply::Editing
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(form: &mut Form, code: KeyCode) -> Reply {
        form.on_key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    fn sample() -> Form {
        Form::new(
            "t",
            Purpose::Comms("amber-kettle".into()),
            vec![
                Field::choice("to", "to", Audience::ALL.map(|a| (a.as_str(), a)), 0),
                Field::line("summary", "summary", ""),
                Field::text("body", "body", ""),
            ],
        )
    }

    #[test]
    fn typing_choosing_and_moving_between_fields() {
        let mut form = sample();
        press(&mut form, KeyCode::Right);
        assert_eq!(form.value("to"), "reported");
        press(&mut form, KeyCode::Char('o'));
        assert_eq!(form.value("to"), "other", "a letter jumps to its option");
        press(&mut form, KeyCode::Left);
        press(&mut form, KeyCode::Tab);
        for c in "sent outcome ".chars() {
            press(&mut form, KeyCode::Char(c));
        }
        press(&mut form, KeyCode::Backspace);
        press(&mut form, KeyCode::Down);
        press(&mut form, KeyCode::Char('x'));
        assert_eq!(
            press(&mut form, KeyCode::Enter),
            Reply::Editing,
            "Enter is a new line in a text field"
        );
        press(&mut form, KeyCode::Char('y'));
        let submission = form.submission();
        assert_eq!(submission.get("to"), "reported");
        assert_eq!(submission.choice("to"), Some(Audience::Reported));
        assert_eq!(submission.get("summary"), "sent outcome");
        assert_eq!(submission.get("body"), "x\ny");
        assert_eq!(submission.optional("nothing"), None);
        assert_eq!(
            form.on_key(KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL)),
            Reply::Submit
        );
    }

    #[test]
    fn letters_choose_options_even_h_and_l() {
        let mut form = Form::new(
            "t",
            Purpose::Conflict("amber-kettle".into()),
            vec![Field::choice(
                "kind",
                "kind",
                [("soft", ConflictKind::Soft), ("hard", ConflictKind::Hard)],
                0,
            )],
        );
        press(&mut form, KeyCode::Char('h'));
        assert_eq!(form.submission().choice("kind"), Some(ConflictKind::Hard));
        assert_eq!(
            press(&mut form, KeyCode::Enter),
            Reply::Submit,
            "the last field"
        );
    }

    #[test]
    fn a_paste_is_text_in_the_field_not_keys() {
        let mut form = sample();
        form.paste("one\ns two\n");
        assert_eq!(
            form.focus, 1,
            "a paste over a choice goes to the next text field"
        );
        assert_eq!(
            form.value("to"),
            "reporter",
            "no letter of it chose anything"
        );
        form.focus = 2;
        form.paste("line one s\nline two\n");
        assert_eq!(form.value("summary"), "one s two");
        assert_eq!(form.value("body"), "line one s\nline two");
        assert!(form.has_draft());
        let draft = form.draft();
        let mut again = sample();
        again.restore(&draft);
        assert_eq!(again.submission(), form.submission());
    }

    #[test]
    fn enter_moves_to_the_next_field_and_esc_cancels() {
        let mut form = sample();
        assert_eq!(press(&mut form, KeyCode::Enter), Reply::Editing);
        assert_eq!(form.focus, 1, "Enter on a choice moves on");
        assert_eq!(press(&mut form, KeyCode::Enter), Reply::Editing);
        assert_eq!(form.focus, 2, "Enter on a one-line field moves on");
        press(&mut form, KeyCode::BackTab);
        press(&mut form, KeyCode::BackTab);
        press(&mut form, KeyCode::BackTab);
        assert_eq!(form.focus, 2, "Shift-Tab wraps to the last field");
        assert_eq!(press(&mut form, KeyCode::Esc), Reply::Cancel);
    }
}

#[cfg(test)]
mod letters {
    use super::*;

    fn keys(field: &Field) -> Vec<char> {
        let Input::Choice { keys, .. } = &field.input else {
            panic!()
        };
        keys.clone()
    }

    #[test]
    fn each_option_has_its_own_key_and_shows_it_when_not_its_first_letter() {
        let profiles = Field::choice("for", "for", Profile::ALL.map(|p| (p.as_str(), p)), 0);
        assert_eq!(keys(&profiles), ['i', 'd', 'r', 'p']);
        assert_eq!(with_key("reported", 'd'), "reporte[d]");
        assert_eq!(with_key("reporter", 'r'), "reporter");
        let outcomes = Field::names(
            "outcome",
            "outcome",
            &[
                "warning",
                "no-violation",
                "out-of-scope",
                "no-action",
                "other",
            ],
            0,
        );
        assert_eq!(keys(&outcomes), ['w', 'n', 'o', 'a', 't']);
        assert_eq!(with_key("no-action", 'a'), "no-[a]ction");
        let names = Field::names("member", "member", &["Sam", "Sofia", "Mei"], 0);
        assert_eq!(keys(&names), ['s', 'o', 'm']);
        assert_eq!(with_key("Sofia", 'o'), "S[o]fia");
        // Sentences are chosen by number.
        let sentences = Field::names(
            "item",
            "item",
            &[
                "a status move made on one copy while another had moved it",
                "a vote by a member who declared a conflict on another copy",
            ],
            0,
        );
        assert_eq!(keys(&sentences), ['1', '2']);
        assert_eq!(with_key("a status move", '1'), "[1] a status move");
    }

    #[test]
    fn a_key_chooses_its_option() {
        let mut form = Form::new(
            "t",
            Purpose::Assign("c".into()),
            vec![Field::names(
                "member",
                "member",
                &["Sam", "Mei", "Sofia"],
                0,
            )],
        );
        form.on_key(KeyEvent::new(KeyCode::Char('o'), KeyModifiers::NONE));
        assert_eq!(form.value("member"), "Sofia");
        form.on_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::NONE));
        assert_eq!(form.value("member"), "Sam");
    }

    fn press(form: &mut Form, code: KeyCode) -> Reply {
        form.on_key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    fn tabbed() -> Form {
        use crate::export::Profile;
        Form::new(
            "t",
            Purpose::RecordText("amber-kettle".into()),
            vec![
                Field::choice(
                    "profile",
                    "for",
                    [Profile::Reported, Profile::Reporter].map(|p| (p.as_str(), p)),
                    0,
                ),
                Field::line("title", "title", ""),
                Field::text("summary", "summary", ""),
            ],
        )
        .with_tabs(
            "profile",
            vec!["title", "summary"],
            vec![
                vec!["Told".into(), "old".into()],
                vec!["Default".into(), String::new()],
            ],
        )
    }

    fn type_text(form: &mut Form, text: &str) {
        for c in text.chars() {
            press(form, KeyCode::Char(c));
        }
    }

    #[test]
    fn each_tab_keeps_its_own_text_and_only_edited_tabs_are_submitted() {
        let mut form = tabbed();
        assert_eq!(
            form.value("title"),
            "Told",
            "the shown tab opens with its text"
        );
        press(&mut form, KeyCode::Tab);
        type_text(&mut form, " you");
        // Another tab: its own text; the first is kept.
        form.focus = 0;
        press(&mut form, KeyCode::Char('r'));
        assert_eq!(form.value("title"), "Default");
        assert_eq!(form.value("summary"), "");
        let submitted = form.submission();
        assert_eq!(
            submitted.edited_tabs.len(),
            1,
            "{:?}",
            submitted.edited_tabs
        );
        assert_eq!(submitted.edited_tabs[0].1["title"], "Told you");
        assert_eq!(submitted.edited_tabs[0].1["summary"], "old");
        // An untouched tab is not submitted, shown or not.
        press(&mut form, KeyCode::Char('d'));
        assert_eq!(form.value("title"), "Told you");
        assert_eq!(form.submission().edited_tabs.len(), 1);
        press(&mut form, KeyCode::Char('r'));
        form.focus = 1;
        type_text(&mut form, "!");
        assert_eq!(form.submission().edited_tabs.len(), 2);
    }

    #[test]
    fn a_draft_without_tabs_keeps_its_text_on_the_tab_it_was_typed_for() {
        let mut form = tabbed();
        form.focus = 0;
        press(&mut form, KeyCode::Char('r'));
        form.focus = 1;
        type_text(&mut form, "?");
        let mut draft = form.draft();
        draft.tabs.clear();
        let mut again = tabbed();
        again.restore(&draft);
        assert_eq!(again.value("title"), "Default?");
        // Choosing another tab keeps it where it was typed.
        again.focus = 0;
        press(&mut again, KeyCode::Char('d'));
        assert_eq!(again.value("title"), "Told");
        assert_eq!(again.tab_texts()[1][0], "Default?");
    }

    #[test]
    fn a_tabbed_draft_brings_every_tab_back_after_the_lock() {
        let mut form = tabbed();
        press(&mut form, KeyCode::Tab);
        type_text(&mut form, "!");
        form.focus = 0;
        press(&mut form, KeyCode::Char('r'));
        form.focus = 1;
        type_text(&mut form, "?");
        let draft = form.draft();
        let mut again = tabbed();
        again.restore(&draft);
        assert_eq!(again.value("title"), "Default?");
        assert_eq!(
            again.tab_texts()[0],
            vec!["Told!".to_string(), "old".into()]
        );
        assert_eq!(again.submission().edited_tabs.len(), 2);
    }
}
