//! Days as people write them: `2026-11-27`, `27.11.2026`, `11/27/2026`, `27 Nov 2026`,
//! `November 27, 2026`. A day written with slashes or dashes whose first two numbers could
//! each be the month (`03/04/2026`) is ambiguous: it is refused unless the member set which
//! order their committee writes (`date_order`), never guessed.

use chrono::{Datelike, NaiveDate};

/// Which number comes first in a day written `A/B/YYYY`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DateOrder {
    /// `27/11/2026`: day, month, year.
    DayMonthYear,
    /// `11/27/2026`: month, day, year.
    MonthDayYear,
}

impl std::str::FromStr for DateOrder {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "day-month-year" | "dmy" => Ok(DateOrder::DayMonthYear),
            "month-day-year" | "mdy" => Ok(DateOrder::MonthDayYear),
            other => Err(format!(
                "unknown date order {other:?} (orders: day-month-year, month-day-year)"
            )),
        }
    }
}

/// A day that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// Not a day in any form casebook reads.
    #[error("{0:?} is not a date; write it as YYYY-MM-DD (or 27 Nov 2026)")]
    Unreadable(String),
    /// Both numbers could be the month.
    #[error(
        "{text:?} is ambiguous: {first} or {second}? write it as YYYY-MM-DD, or set date_order \
         (day-month-year or month-day-year) in the config file"
    )]
    Ambiguous {
        /// As written.
        text: String,
        /// Read day first.
        first: String,
        /// Read month first.
        second: String,
    },
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// A day in words, as a reading is shown: "27 November 2026".
pub fn in_words(day: NaiveDate) -> String {
    let month = MONTHS[day.month0() as usize];
    let mut name = month.to_string();
    name[..1].make_ascii_uppercase();
    format!("{} {name} {}", day.day(), day.year())
}

/// The month a word names ("Nov", "november", "Sept.").
fn month_named(word: &str) -> Option<u32> {
    let word = word.trim_end_matches('.').to_lowercase();
    if word.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| m.starts_with(&word))
        .map(|i| i as u32 + 1)
}

fn number(part: &str) -> Option<u32> {
    (!part.is_empty() && part.len() <= 4 && part.chars().all(|c| c.is_ascii_digit()))
        .then(|| part.parse().ok())
        .flatten()
}

/// Read a day written as people write it; `order` settles `A/B/YYYY` when both could be the
/// month.
pub fn read_day(text: &str, order: Option<DateOrder>) -> Result<NaiveDate, DateError> {
    let trimmed = text.trim();
    let unreadable = || DateError::Unreadable(trimmed.to_string());
    // Words: "27 Nov 2026", "Nov 27, 2026", "27 November, 2026".
    let words: Vec<&str> = trimmed
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    if words.len() == 3 {
        let (d, m, y) = match (month_named(words[0]), month_named(words[1])) {
            (Some(m), None) => (words[1], m, words[2]),
            (None, Some(m)) => (words[0], m, words[2]),
            _ => return Err(unreadable()),
        };
        let d = d.trim_end_matches(|c: char| c.is_ascii_alphabetic()); // 27th
        let (Some(d), Some(y)) = (number(d), number(y).filter(|_| y.len() == 4)) else {
            return Err(unreadable());
        };
        return NaiveDate::from_ymd_opt(y as i32, m, d).ok_or_else(unreadable);
    }
    let separator = ['-', '/', '.']
        .into_iter()
        .find(|s| trimmed.contains(*s))
        .ok_or_else(unreadable)?;
    let parts: Vec<&str> = trimmed.split(separator).collect();
    let [a, b, c] = parts[..] else {
        return Err(unreadable());
    };
    let (Some(na), Some(nb), Some(nc)) = (number(a), number(b), number(c)) else {
        return Err(unreadable());
    };
    let day = |y: u32, m: u32, d: u32| NaiveDate::from_ymd_opt(y as i32, m, d);
    // Year first: 2026-11-27, 2026/11/27, 2026.11.27.
    if a.len() == 4 {
        return day(na, nb, nc).ok_or_else(unreadable);
    }
    if c.len() != 4 {
        return Err(unreadable());
    }
    // Dots are day first wherever they are written (27.11.2026).
    if separator == '.' {
        return day(nc, nb, na).ok_or_else(unreadable);
    }
    let day_first = day(nc, nb, na);
    let month_first = day(nc, na, nb);
    match (day_first, month_first) {
        (Some(d), None) => Ok(d),
        (None, Some(m)) => Ok(m),
        (Some(d), Some(m)) if d == m => Ok(d),
        (Some(d), Some(m)) => match order {
            Some(DateOrder::DayMonthYear) => Ok(d),
            Some(DateOrder::MonthDayYear) => Ok(m),
            None => Err(DateError::Ambiguous {
                text: trimmed.to_string(),
                first: in_words(d),
                second: in_words(m),
            }),
        },
        (None, None) => Err(unreadable()),
    }
}

/// Whether `text` is already the plain `YYYY-MM-DD` form (nothing to say about its reading).
pub fn is_iso(text: &str) -> bool {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").is_ok() && text.trim().len() == 10
}

/// How a day was read, for showing: `11/27/2026 = 27 November 2026`; `None` for a day
/// already written `YYYY-MM-DD`.
pub fn reading(text: &str, day: NaiveDate) -> Option<String> {
    (!is_iso(text)).then(|| format!("{} = {} ({day})", text.trim(), in_words(day)))
}

/// `days` days after `day`, or the last day there is when that is past it (a committee's
/// setting signed outside casebook may hold any number).
pub fn plus_days(day: NaiveDate, days: u32) -> NaiveDate {
    day.checked_add_days(chrono::Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn common_forms_are_read() {
        for (text, day) in [
            ("2026-11-27", d(2026, 11, 27)),
            ("2026/11/27", d(2026, 11, 27)),
            ("11/27/2026", d(2026, 11, 27)),
            ("27/11/2026", d(2026, 11, 27)),
            ("27.11.2026", d(2026, 11, 27)),
            ("27-11-2026", d(2026, 11, 27)),
            ("27 Nov 2026", d(2026, 11, 27)),
            ("Nov 27, 2026", d(2026, 11, 27)),
            ("November 27th 2026", d(2026, 11, 27)),
            ("27 november, 2026", d(2026, 11, 27)),
            ("4/4/2026", d(2026, 4, 4)),
            (" 2026-01-05 ", d(2026, 1, 5)),
        ] {
            assert_eq!(read_day(text, None), Ok(day), "{text}");
        }
    }

    #[test]
    fn an_ambiguous_day_is_refused_unless_the_order_is_set() {
        let err = read_day("03/04/2026", None).unwrap_err();
        assert!(
            err.to_string().contains("3 April 2026") && err.to_string().contains("4 March 2026"),
            "{err}"
        );
        assert_eq!(
            read_day("03/04/2026", Some(DateOrder::DayMonthYear)),
            Ok(d(2026, 4, 3))
        );
        assert_eq!(
            read_day("03/04/2026", Some(DateOrder::MonthDayYear)),
            Ok(d(2026, 3, 4))
        );
    }

    #[test]
    fn what_is_not_a_day_is_refused() {
        for text in [
            "last Tuesday",
            "2026-13-01",
            "31/02/2026",
            "11/27/26",
            "",
            "2026",
            "1/2/3/2026",
        ] {
            assert!(read_day(text, None).is_err(), "{text}");
        }
    }

    #[test]
    fn a_reading_is_shown_unless_the_day_was_plain() {
        assert_eq!(reading("2026-11-27", d(2026, 11, 27)), None);
        assert_eq!(
            reading("11/27/2026", d(2026, 11, 27)).unwrap(),
            "11/27/2026 = 27 November 2026 (2026-11-27)"
        );
    }
}
