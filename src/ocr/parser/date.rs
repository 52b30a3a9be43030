//! The purchase date: `MM/DD/YYYY`, `MM/DD/YY`, `YYYY-MM-DD`, `DD.MM.YYYY`, `DD/MM/YYYY` (when the
//! day is above 12), `Jan 5, 2026`, `05 JAN 2026`, `5-Jan-26`, with `O`/`l` misread for digits.
//! Slashes and dashes with two small numbers first read month first (the app's default country is
//! the US); dots read day first.

use chrono::NaiveDate;

use super::amount::digit_of;

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

/// The first plausible date in the text (years 2000-2099).
pub fn find(text: &str) -> Option<NaiveDate> {
    text.lines()
        .find_map(|line| numeric(line).or_else(|| named(line)))
}

/// A run like `12/25/2026` or `2026-12-25` in one line.
fn numeric(line: &str) -> Option<NaiveDate> {
    let chars: Vec<char> = line.chars().collect();
    let in_run = |c: char| digit_of(c).is_some() || matches!(c, '/' | '-' | '.');
    let mut i = 0;
    while i < chars.len() {
        if !in_run(chars[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && in_run(chars[i]) {
            i += 1;
        }
        let run: String = chars[start..i]
            .iter()
            .map(|&c| digit_of(c).unwrap_or(c))
            .collect();
        let run = run.trim_matches(|c| matches!(c, '/' | '-' | '.'));
        if let Some(date) = numeric_run(run) {
            return Some(date);
        }
    }
    None
}

fn numeric_run(run: &str) -> Option<NaiveDate> {
    let sep = run.chars().find(|c| matches!(c, '/' | '-' | '.'))?;
    let parts: Vec<&str> = run.split(sep).collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let n = |s: &str| s.parse::<u32>().ok();
    let (a, b, c) = (n(parts[0])?, n(parts[1])?, n(parts[2])?);
    let lens = (parts[0].len(), parts[1].len(), parts[2].len());
    match lens {
        (4, 1..=2, 1..=2) => ymd(a as i32, b, c),
        (1..=2, 1..=2, 2 | 4) => {
            let year = full_year(c, lens.2)?;
            let day_first = sep == '.' || a > 12;
            if day_first {
                ymd(year, b, a)
            } else {
                ymd(year, a, b).or_else(|| ymd(year, b, a))
            }
        }
        _ => None,
    }
}

/// `Jan 5, 2026`, `05 JAN 2026`, `5-Jan-26`, `January 5 2026`.
fn named(line: &str) -> Option<NaiveDate> {
    let tokens: Vec<String> = line
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '-' | '/' | '.'))
        .filter(|t| !t.is_empty())
        .map(|t| t.to_uppercase())
        .collect();
    for (k, token) in tokens.iter().enumerate() {
        let Some(month) = month_of(token) else {
            continue;
        };
        let number = |i: usize| -> Option<(u32, usize)> {
            let t = tokens.get(i)?;
            let digits: String = t
                .chars()
                .map(|c| digit_of(c).unwrap_or(c))
                .take_while(char::is_ascii_digit)
                .collect();
            // "5TH" is a day; "2026" a year.
            let rest = &t[digits.len().min(t.len())..];
            if digits.is_empty() || !(rest.is_empty() || ["ST", "ND", "RD", "TH"].contains(&rest)) {
                return None;
            }
            Some((digits.parse().ok()?, digits.len()))
        };
        // Month first: "JAN 5 2026"; day first: "5 JAN 2026".
        let month_first = number(k + 1).zip(number(k + 2));
        let day_first = k.checked_sub(1).and_then(number).zip(number(k + 1));
        for ((day, day_len), (year, year_len)) in [month_first, day_first].into_iter().flatten() {
            if day_len <= 2
                && let Some(year) = full_year(year, year_len)
                && let Some(date) = ymd(year, month, day)
            {
                return Some(date);
            }
        }
    }
    None
}

fn month_of(token: &str) -> Option<u32> {
    const NAMES: [&str; 12] = [
        "JANUARY",
        "FEBRUARY",
        "MARCH",
        "APRIL",
        "MAY",
        "JUNE",
        "JULY",
        "AUGUST",
        "SEPTEMBER",
        "OCTOBER",
        "NOVEMBER",
        "DECEMBER",
    ];
    // Only a month's abbreviation or full name: "MAYO" and "MARKET" are not months.
    let index = MONTHS
        .iter()
        .position(|m| *m == token)
        .or_else(|| NAMES.iter().position(|m| *m == token))
        .or_else(|| (token == "SEPT").then_some(8))?;
    u32::try_from(index).ok().map(|i| i + 1)
}

fn full_year(value: u32, len: usize) -> Option<i32> {
    let year = match len {
        2 => 2000 + value,
        4 => value,
        _ => return None,
    };
    (2000..=2099).contains(&year).then_some(year as i32)
}

fn ymd(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    if !(2000..=2099).contains(&year) {
        return None;
    }
    NaiveDate::from_ymd_opt(year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Option<String> {
        find(text).map(|d| d.to_string())
    }

    #[test]
    fn the_usual_receipt_date_formats_are_read() {
        assert_eq!(d("DATE: 03/14/2026 12:31"), Some("2026-03-14".into()));
        assert_eq!(d("03/14/26"), Some("2026-03-14".into()));
        assert_eq!(d("2026-03-14 08:00"), Some("2026-03-14".into()));
        assert_eq!(d("14.03.2026"), Some("2026-03-14".into()));
        assert_eq!(d("25/12/2026"), Some("2026-12-25".into()));
        assert_eq!(d("Mar 14, 2026"), Some("2026-03-14".into()));
        assert_eq!(d("14 MARCH 2026"), Some("2026-03-14".into()));
        assert_eq!(d("5-Jan-26"), Some("2026-01-05".into()));
        assert_eq!(d("O3/l4/2O26"), Some("2026-03-14".into()));
    }

    #[test]
    fn impossible_or_missing_dates_are_none() {
        assert_eq!(d("02/30/2026"), None);
        assert_eq!(d("TOTAL 12.50"), None);
        assert_eq!(d("TEL 555-123-4567"), None);
        assert_eq!(d("MARKET STREET 5"), None);
        assert_eq!(d("MAYO 2.99"), None);
        assert_eq!(d(""), None);
    }
}
