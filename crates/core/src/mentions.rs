//! Whether a report names a committee member: the one rule `import` and `party add` use to
//! recognise a member in what a reporter wrote (every field: their own name, handle and
//! address, the title, the text, the form's answers such as "who was involved").
//!
//! A member is recognised in a text when it holds
//!
//! - their whole address, letter case aside, not inside a longer address: `mei@example.org`
//!   is found in `<MEI@Example.org>` and in `mail mei@example.org.`, not in
//!   `amei@example.org` or `mei@example.org.uk`;
//! - or their whole name: every word of it, in order, each a whole word, letter case and
//!   accents aside, with only spaces or punctuation between them: `Tomás Ferreira` is found
//!   in `TOMAS FERREIRA`, `tomas-ferreira` and `Tomás  Ferreira's`, not in `Tomás` alone,
//!   `Ferreira, Tomás` (another order), `Tomás Ferreiras` or `TomásFerreira`;
//! - or, for a member whose name is one word, that word as a whole word (a committee that
//!   records members by one name accepts that it is found more often).
//!
//! A first or last name alone, a handle that is not the member's address, and an address's
//! local part alone are not enough: they match too many people who are not the member. A
//! member recognised is a proposal until a member decides (see `ops::import`): a near miss
//! costs a question, a miss costs a report read by the person it is about.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::roster::Member;

/// The members of `members` that `texts` name (see the module's rule), in roster order.
pub fn members_named_in<'a>(texts: &[&str], members: &'a [Member]) -> Vec<&'a Member> {
    let texts_words: Vec<Vec<String>> = texts.iter().map(|t| words(t)).collect();
    let addresses: Vec<Vec<String>> = texts.iter().map(|t| addresses(t)).collect();
    members
        .iter()
        .filter(|member| {
            let by_address = member.email.as_deref().is_some_and(|email| {
                let email = fold(email.trim());
                !email.is_empty() && addresses.iter().flatten().any(|a| *a == email)
            });
            let name = words(&member.name);
            let by_name = !name.is_empty()
                && texts_words
                    .iter()
                    .any(|text| text.windows(name.len()).any(|w| w == name.as_slice()));
            by_address || by_name
        })
        .collect()
}

/// Lower case, accents taken off (`Tomás` → `tomas`).
fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The whole words of `text`, folded: runs of letters and digits.
fn words(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// The addresses in `text`, folded: runs of the characters an address holds around an `@`,
/// without the dots that end a sentence.
fn addresses(text: &str) -> Vec<String> {
    let part = |c: char| c.is_alphanumeric() || "._%+-@".contains(c);
    fold(text)
        .split(|c: char| !part(c))
        .filter(|t| t.contains('@'))
        .map(|t| t.trim_matches('.').to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roster::{MemberId, Role};

    fn member(name: &str, email: Option<&str>) -> Member {
        Member {
            id: MemberId(uuid::Uuid::new_v4()),
            name: name.into(),
            role: Role::Member,
            recipient: String::new(),
            email: email.map(str::to_string),
            added_at: chrono::Utc::now(),
            removed_at: None,
        }
    }

    fn named(text: &str, m: &Member) -> bool {
        !members_named_in(&[text], std::slice::from_ref(m)).is_empty()
    }

    #[test]
    fn a_members_whole_name_or_address_is_recognised_anywhere() {
        let tomas = member("Tomás Ferreira", Some("tomas@example.org"));
        for text in [
            "Tomás Ferreira",
            "the person was TOMAS FERREIRA, a maintainer",
            "tomas-ferreira",
            "Tomás  Ferreira's comments",
            "Who was involved: Tomás\nFerreira",
            "mail <Tomas@Example.org>",
            "write to tomas@example.org.",
            "(tomas@example.org)",
        ] {
            assert!(named(text, &tomas), "{text:?} names Tomás");
        }
    }

    #[test]
    fn near_misses_are_not_a_member() {
        let tomas = member("Tomás Ferreira", Some("tomas@example.org"));
        for text in [
            "Tomás",
            "Ferreira",
            "Ferreira, Tomás",
            "Tomás Ferreiras",
            "TomásFerreira",
            "Tomás da Ferreira",
            "atomas@example.org",
            "tomas@example.org.uk",
            "tomas@example.orgs",
            "tomas",
            "@tomas",
            "",
        ] {
            assert!(!named(text, &tomas), "{text:?} does not name Tomás");
        }
        let mei = member("Mei Chen", None);
        for text in ["Meichen", "Mei Cheng", "Chen Mei", "mei", "Mei-Ling Chen"] {
            assert!(!named(text, &mei), "{text:?} does not name Mei Chen");
        }
    }

    #[test]
    fn a_one_word_name_is_a_whole_word() {
        let sam = member("Sam", None);
        assert!(named("it was sam, again", &sam));
        assert!(!named("Samuel", &sam));
        assert!(!named("same", &sam));
    }
}
