//! Money in OCR text: `5.99`, `5,99`, `$ 5.99`, `1,234.56`, `1.234,56`, `(2.00)`, `2.00-`, and
//! digits misread as letters (`l0.5O`). Always parsed as text into cents, never through a float.
//! Only amounts with exactly two decimals count, so quantities, phone numbers, times and most
//! dates are not mistaken for money.

use crate::money::Money;

/// One amount found in a line: where it is (char indices) and its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Found {
    pub start: usize,
    pub end: usize,
    pub value: Money,
}

/// Letters OCR engines print for digits, and the digit they stand for.
pub fn digit_of(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        'O' | 'o' | 'Q' => Some('0'),
        'l' | 'I' | '|' => Some('1'),
        _ => None,
    }
}

fn in_token(c: char) -> bool {
    digit_of(c).is_some() || c == '.' || c == ','
}

/// Every amount in `line`, left to right.
pub fn amounts(line: &str) -> Vec<Found> {
    let chars: Vec<char> = line.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !in_token(chars[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && in_token(chars[i]) {
            i += 1;
        }
        let token = &chars[start..i];
        // A token without a real digit is a word ("OIL", "..."), and one glued to letters on its
        // left ("SKU123.45") is not a price either.
        if !token.iter().any(char::is_ascii_digit) {
            continue;
        }
        if start > 0 && chars[start - 1].is_alphabetic() && !token[0].is_ascii_digit() {
            continue;
        }
        if chars.get(i).is_some_and(|c| matches!(c, '%' | '/')) {
            continue; // a rate ("8.25%") or a unit price ("2.99/lb")
        }
        let Some(cents) = parse_token(token) else {
            continue;
        };
        let negative = is_negative(&chars, start, i);
        let cents = if negative { -cents } else { cents };
        found.push(Found {
            start,
            end: i,
            value: Money::from_cents(cents),
        });
    }
    found
}

/// The last amount of a line (the price column of a receipt).
pub fn last_amount(line: &str) -> Option<Found> {
    amounts(line).pop()
}

/// `-5.00`, `- $5.00`, `5.00-`, `(5.00)`.
fn is_negative(chars: &[char], start: usize, end: usize) -> bool {
    let mut j = start;
    while j > 0 && matches!(chars[j - 1], ' ' | '$' | '€' | '£') {
        j -= 1;
    }
    let before = j.checked_sub(1).map(|k| chars[k]);
    let after = chars.get(end).copied();
    before == Some('-') || after == Some('-') || (before == Some('(') && after == Some(')'))
}

/// Cents of one token such as `1,234.56`, or `None` when it is not an amount with two decimals.
fn parse_token(token: &[char]) -> Option<i64> {
    let digits: Vec<char> = token.iter().map(|&c| digit_of(c).unwrap_or(c)).collect();
    // Trailing punctuation ends a sentence, not a number ("5.99.").
    let mut end = digits.len();
    while end > 0 && matches!(digits[end - 1], '.' | ',') {
        end -= 1;
    }
    let digits = &digits[..end];
    let sep = digits.iter().rposition(|c| matches!(c, '.' | ','))?;
    let frac = &digits[sep + 1..];
    if frac.len() != 2 || !frac.iter().all(char::is_ascii_digit) {
        return None;
    }
    let whole = &digits[..sep];
    let mut groups = whole.split(|c| matches!(c, '.' | ','));
    let first = groups.next().unwrap_or_default();
    if first.len() > 9 {
        return None; // a long number with decimals is an id, not a receipt amount
    }
    let mut int = String::with_capacity(whole.len());
    int.extend(first.iter());
    let mut grouped = false;
    for g in groups {
        // Thousands separators: the first group has 1-3 digits and every later group exactly 3.
        if g.len() != 3 || first.is_empty() || first.len() > 3 {
            return None;
        }
        grouped = true;
        int.extend(g.iter());
    }
    // "1.234,56" and "1,234.56" use two different separators; "1,234,56" would be ambiguous.
    if grouped && whole.iter().any(|c| *c == digits[sep]) {
        return None;
    }
    let int: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let frac: i64 = frac.iter().collect::<String>().parse().ok()?;
    int.checked_mul(100)?.checked_add(frac)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cents(line: &str) -> Option<i64> {
        last_amount(line).map(|f| f.value.cents())
    }

    #[test]
    fn common_receipt_amounts_are_read_exactly() {
        assert_eq!(cents("MILK 5.99"), Some(599));
        assert_eq!(cents("MILK 5,99"), Some(599));
        assert_eq!(cents("TOTAL $ 5.99"), Some(599));
        assert_eq!(cents("TOTAL $5.99"), Some(599));
        assert_eq!(cents("TOTAL USD 1,234.56"), Some(123_456));
        assert_eq!(cents("SUMME 1.234,56"), Some(123_456));
        assert_eq!(cents("TOTAL .99"), Some(99));
        assert_eq!(cents("T0TAL l0.5O"), Some(1050));
        assert_eq!(cents("TOTAL 12.50."), Some(1250));
    }

    #[test]
    fn credits_are_negative() {
        assert_eq!(cents("COUPON -2.00"), Some(-200));
        assert_eq!(cents("COUPON 2.00-"), Some(-200));
        assert_eq!(cents("SAVINGS (1.50)"), Some(-150));
        assert_eq!(cents("DISCOUNT - $3.00"), Some(-300));
    }

    #[test]
    fn things_that_are_not_money_are_ignored() {
        assert_eq!(cents("TAX RATE 8.25%"), None);
        assert_eq!(cents("12/25/2026 10:45"), None);
        assert_eq!(cents("01.05.26"), None);
        assert_eq!(cents("TEL 555-123-4567"), None);
        assert_eq!(cents("QTY 3"), None);
        assert_eq!(cents("5.999"), None);
        assert_eq!(cents("1,234,56"), None);
        assert_eq!(cents("BANANAS 2.99/lb"), None);
        assert_eq!(cents("OIL"), None);
    }
}
