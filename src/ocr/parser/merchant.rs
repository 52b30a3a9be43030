//! The merchant: the first line of the header that reads like a name (not an address, a phone
//! number, a date, a web address or a store number).

use super::date;
use super::lines::{Line, words};

/// Header lines looked at (the name is printed first, rarely below a logo line or two).
const HEADER_LINES: usize = 6;

const SKIP_WORDS: [&str; 12] = [
    "RECEIPT",
    "INVOICE",
    "TEL",
    "PHONE",
    "FAX",
    "CASHIER",
    "REGISTER",
    "THANK",
    "COPY",
    "DUPLICATE",
    "ORDER",
    "TABLE",
];

const STREET_WORDS: [&str; 16] = [
    "ST", "STREET", "AVE", "AVENUE", "RD", "ROAD", "BLVD", "HWY", "HIGHWAY", "SUITE", "STE", "DR",
    "DRIVE", "LN", "WAY", "PLAZA",
];

/// The merchant's name, cleaned; `None` when no header line reads like one.
pub fn find(lines: &[Line]) -> Option<String> {
    for line in lines
        .iter()
        .filter(|l| !l.text.is_empty())
        .take(HEADER_LINES)
    {
        if line.amount.is_some() {
            break; // the items have started
        }
        // ASCII upper-casing keeps byte offsets, so `i` indexes `line.text` too.
        let upper = line.text.to_ascii_uppercase();
        if let Some(i) = upper.find("WELCOME TO ") {
            let name = clean(line.text.get(i + "WELCOME TO ".len()..).unwrap_or_default());
            if letters(&name) >= 2 {
                return Some(name);
            }
            continue;
        }
        if looks_like_a_name(line) {
            let name = clean(&line.text);
            if letters(&name) >= 3 {
                return Some(name);
            }
        }
    }
    None
}

fn looks_like_a_name(line: &Line) -> bool {
    let text = &line.text;
    let upper = text.to_uppercase();
    let w = words(text);
    // Store numbers ("#1234") do not make a name look like a number.
    let cleaned = clean(text);
    let digits = cleaned.chars().filter(char::is_ascii_digit).count();
    if letters(&cleaned) < 3 || digits * 2 > letters(&cleaned) {
        return false;
    }
    if date::find(text).is_some()
        || ["WWW", "HTTP", ".COM", "@"]
            .iter()
            .any(|s| upper.contains(s))
        || w.iter().any(|x| SKIP_WORDS.contains(&x.as_str()))
        || upper.trim() == "WELCOME"
    {
        return false;
    }
    // An address: a house number followed by a street word, or a ZIP code.
    let starts_with_number = w
        .first()
        .is_some_and(|x| x.bytes().all(|b| b.is_ascii_digit()));
    let street = w.iter().any(|x| STREET_WORDS.contains(&x.as_str()));
    let zip = w
        .iter()
        .any(|x| x.len() == 5 && x.bytes().all(|b| b.is_ascii_digit()));
    !(zip || starts_with_number && street)
}

fn letters(text: &str) -> usize {
    text.chars().filter(|c| c.is_alphabetic()).count()
}

/// Trims decoration (`*** NAME ***`) and store numbers (`#1234`), and collapses spaces.
fn clean(text: &str) -> String {
    let kept: Vec<&str> = text
        .split_whitespace()
        .filter(|w| {
            let store_number = w.starts_with('#') && w[1..].bytes().all(|b| b.is_ascii_digit());
            let decoration = !w.chars().any(char::is_alphanumeric);
            !store_number && !decoration
        })
        .collect();
    let joined = kept.join(" ");
    joined
        .trim_matches(|c: char| !(c.is_alphanumeric() || c == '&' || c == '\'' || c == ')'))
        .trim_end_matches(|c: char| c.is_ascii_digit() || c == '#' || c == ' ')
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merchant(text: &str) -> Option<String> {
        let lines: Vec<Line> = text.lines().map(Line::new).collect();
        find(&lines)
    }

    #[test]
    fn the_first_name_like_header_line_is_the_merchant() {
        assert_eq!(
            merchant("*** CORNER MARKET ***\n12 MAIN ST\n"),
            Some("CORNER MARKET".into())
        );
        assert_eq!(
            merchant("WELCOME TO JOE'S DINER\n555-123-4567"),
            Some("JOE'S DINER".into())
        );
        assert_eq!(
            merchant("123 MAIN STREET\nSPRINGFIELD IL 62704\nBLUE BOTTLE COFFEE\n"),
            Some("BLUE BOTTLE COFFEE".into())
        );
        assert_eq!(merchant("TARGET #1234\n"), Some("TARGET".into()));
        assert_eq!(merchant("03/14/2026\nMILK 3.49\nSHOP\n"), None);
    }
}
