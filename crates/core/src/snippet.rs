//! The few words around a search match, with the matched words marked: made here from the
//! indexed text rather than by SQLite's `snippet()`, which needs the full-text query evaluated
//! again for every hit (for a word in a quarter of a million entries, that is most of a
//! search's time).

/// Marks the start of a matched word in a snippet.
pub const MATCH_START: char = '\u{1}';
/// Marks the end of a matched word in a snippet.
pub const MATCH_END: char = '\u{2}';

/// Words shown around the best match.
const WINDOW: usize = 12;

/// A word folded as the search index folds it (`unicode61 remove_diacritics 2`): lower case,
/// and the common Latin letters with diacritics as their base letter.
pub fn fold(word: &str) -> String {
    word.chars()
        .flat_map(char::to_lowercase)
        .map(base_letter)
        .collect()
}

fn base_letter(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => 'c',
        'ď' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => 'e',
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => 'g',
        'ĥ' => 'h',
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' => 'i',
        'ĵ' => 'j',
        'ķ' => 'k',
        'ĺ' | 'ļ' | 'ľ' => 'l',
        'ñ' | 'ń' | 'ņ' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ō' | 'ŏ' | 'ő' => 'o',
        'ŕ' | 'ŗ' | 'ř' => 'r',
        'ś' | 'ŝ' | 'ş' | 'š' => 's',
        'ţ' | 'ť' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => 'u',
        'ŵ' => 'w',
        'ý' | 'ÿ' | 'ŷ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        other => other,
    }
}

/// The words of a query as the search matches them: folded; the last one a prefix once it
/// has three letters (as it is being typed).
pub struct Terms {
    words: Vec<String>,
    last_is_prefix: bool,
}

impl Terms {
    /// The terms of `query` (split at anything but letters and digits).
    pub fn new(query: &str) -> Terms {
        let words: Vec<String> = tokens(query).map(|(_, w)| fold(w)).collect();
        let last_is_prefix = words.last().is_some_and(|w| w.chars().count() >= 3);
        Terms {
            words,
            last_is_prefix,
        }
    }

    /// Whether there is nothing to look for.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Whether the (folded) word `word` matches one of the terms.
    pub fn matches(&self, word: &str) -> bool {
        let n = self.words.len();
        self.words.iter().enumerate().any(|(i, term)| {
            word == term || (i + 1 == n && self.last_is_prefix && word.starts_with(term.as_str()))
        })
    }

    /// Whether every term matches some word of `text` (the last as a prefix): how a code
    /// name, a party's label or a member's name is found.
    pub fn all_in(&self, text: &str) -> bool {
        let words: Vec<String> = tokens(text).map(|(_, w)| fold(w)).collect();
        let n = self.words.len();
        !self.words.is_empty()
            && self.words.iter().enumerate().all(|(i, term)| {
                words.iter().any(|w| {
                    w == term || (i + 1 == n && self.last_is_prefix && w.starts_with(term.as_str()))
                })
            })
    }
}

/// The words of `text` (runs of letters and digits) with their byte offsets.
fn tokens(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut rest = text.char_indices().peekable();
    std::iter::from_fn(move || {
        let (start, _) = rest.find(|(_, c)| c.is_alphanumeric())?;
        let mut end = text.len();
        while let Some(&(i, c)) = rest.peek() {
            if !c.is_alphanumeric() {
                end = i;
                break;
            }
            rest.next();
        }
        Some((start, &text[start..end]))
    })
}

/// About `WINDOW` words of `text` around its best stretch of matches of `terms`, matched
/// words between [`MATCH_START`] and [`MATCH_END`], `…` where text was left out.
pub fn snippet(text: &str, terms: &Terms) -> String {
    let words: Vec<(usize, &str)> = tokens(text).collect();
    if words.is_empty() {
        return text.chars().take(80).collect();
    }
    let matched: Vec<bool> = words.iter().map(|(_, w)| terms.matches(&fold(w))).collect();
    // The window with the most matches, starting a little before its first one.
    let start = (0..words.len())
        .filter(|i| matched[*i])
        .map(|i| i.saturating_sub(2))
        .max_by_key(|s| {
            let count = matched[*s..(*s + WINDOW).min(words.len())]
                .iter()
                .filter(|m| **m)
                .count();
            (count, std::cmp::Reverse(*s))
        })
        .unwrap_or(0);
    let end = (start + WINDOW).min(words.len());
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    for i in start..end {
        let (at, word) = words[i];
        if i > start {
            let previous_end = words[i - 1].0 + words[i - 1].1.len();
            out.push_str(&text[previous_end..at]);
        }
        if matched[i] {
            out.push(MATCH_START);
            out.push_str(word);
            out.push(MATCH_END);
        } else {
            out.push_str(word);
        }
    }
    let (last_at, last_word) = words[end - 1];
    let tail = &text[last_at + last_word.len()..];
    if end < words.len() {
        out.push('…');
    } else {
        out.push_str(tail);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matched_words_are_marked_and_the_rest_cut_with_an_ellipsis() {
        let text = "One two three four five six seven eight nine ten eleven twelve thirteen \
                    fourteen. The reporter wrote again about the warning, fifteen sixteen \
                    seventeen eighteen nineteen twenty twentyone twentytwo twentythree \
                    twentyfour twentyfive";
        let shown = snippet(text, &Terms::new("warn"));
        assert!(shown.starts_with('…') && shown.ends_with('…'), "{shown}");
        assert!(shown.contains("the \u{1}warning\u{2},"), "{shown}");
        assert_eq!(
            shown.trim_matches('…').split_whitespace().count(),
            WINDOW,
            "{shown}"
        );
        let short = snippet("A short note.", &Terms::new("short"));
        assert_eq!(short, "A \u{1}short\u{2} note.");
    }

    #[test]
    fn terms_match_whole_words_and_the_last_as_a_prefix_without_diacritics() {
        let terms = Terms::new("Tomas ferr");
        assert!(terms.all_in("Tomás Ferreira"));
        assert!(!terms.all_in("Tomás"));
        assert!(Terms::new("cedar").all_in("cedar-falcon"));
        assert!(Terms::new("falc").all_in("cedar-falcon"));
        assert!(
            !Terms::new("fa").all_in("cedar-falcon"),
            "two letters are not a prefix"
        );
        assert!(!Terms::new("").all_in("cedar-falcon"));
        assert_eq!(fold("Ångström"), "angstrom");
    }
}
