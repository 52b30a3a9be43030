//! Card numbers (PANs) never reach logs, the audit log, stored error reports or stored OCR
//! text: anything that looks like one — 13 to 19 digits, optionally grouped by single spaces or
//! dashes, that passes the Luhn check — is masked down to its last four digits
//! (`4111 1111 1111 1111` → `**** **** **** 1111`), keeping the separators. Digits that are
//! part of a longer token — glued to a letter, or joined by a dash to more letters or digits, as
//! in a UUID (`01a24ddf-23d8-7478-8769-9071016d6d1f`) — are an identifier, not a card number.

use std::borrow::Cow;

/// Shortest and longest card numbers (ISO/IEC 7812).
const MIN_DIGITS: usize = 13;
const MAX_DIGITS: usize = 19;
/// Digits left visible at the end.
const KEEP: usize = 4;

/// The Luhn check over ASCII digits.
fn luhn(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, d) in digits.iter().rev().enumerate() {
        let mut v = u32::from(d - b'0');
        if !i.is_multiple_of(2) {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum.is_multiple_of(10)
}

/// Whether the digit at `start` continues a token: right after a letter or digit, or after a
/// dash that follows one (`ab-1234`, `12-34`).
fn continues_token(bytes: &[u8], start: usize) -> bool {
    match start.checked_sub(1).map(|p| bytes[p]) {
        Some(b) if b.is_ascii_alphanumeric() => true,
        Some(b'-') => start >= 2 && bytes[start - 2].is_ascii_alphanumeric(),
        _ => false,
    }
}

/// Whether a token goes on at `end` (the byte after a candidate's last digit): a letter or
/// digit right there, or a dash followed by one.
fn token_goes_on(bytes: &[u8], end: usize) -> bool {
    match bytes.get(end) {
        Some(b) if b.is_ascii_alphanumeric() => true,
        Some(b'-') => bytes.get(end + 1).is_some_and(u8::is_ascii_alphanumeric),
        _ => false,
    }
}

/// `text` with every card number masked (borrowed when there is none).
pub fn mask(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    // Cheap exit: fewer than 13 digits in all cannot hold a card number.
    if bytes.iter().filter(|b| b.is_ascii_digit()).count() < MIN_DIGITS {
        return Cow::Borrowed(text);
    }
    let mut out: Option<Vec<u8>> = None;
    let mut i = 0;
    while i < bytes.len() {
        // A run starts at a digit that does not continue a longer number or token.
        if !bytes[i].is_ascii_digit() || continues_token(bytes, i) {
            i += 1;
            continue;
        }
        // Digits, each separated from the next by at most one space or dash.
        let mut positions = Vec::new();
        let mut j = i;
        while j < bytes.len() {
            if bytes[j].is_ascii_digit() {
                positions.push(j);
                j += 1;
            } else if matches!(bytes[j], b' ' | b'-')
                && j + 1 < bytes.len()
                && bytes[j + 1].is_ascii_digit()
                && j > i
            {
                j += 1;
            } else {
                break;
            }
        }
        // The longest Luhn-valid card-length prefix of the run is the number.
        let mut masked = false;
        let longest = positions.len().min(MAX_DIGITS);
        for n in (MIN_DIGITS..=longest).rev() {
            let digits: Vec<u8> = positions[..n].iter().map(|&p| bytes[p]).collect();
            // A run longer than a card number is some other identifier, unless it is exactly
            // grouped (e.g. a number followed by more digits after a space).
            if positions.len() > n && positions[n] == positions[n - 1] + 1 {
                continue;
            }
            if token_goes_on(bytes, positions[n - 1] + 1) {
                continue;
            }
            if luhn(&digits) {
                let buf = out.get_or_insert_with(|| bytes.to_vec());
                for &p in &positions[..n - KEEP] {
                    buf[p] = b'*';
                }
                masked = true;
                i = positions[n - 1] + 1;
                break;
            }
        }
        if !masked {
            i = j.max(i + 1);
        }
    }
    match out {
        // Only ASCII digits were replaced by ASCII '*': still valid UTF-8.
        Some(buf) => Cow::Owned(
            String::from_utf8(buf)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        ),
        None => Cow::Borrowed(text),
    }
}

/// Masks card numbers in every string of a JSON value, keys included; a number that is a card
/// number becomes its masked text.
pub fn mask_json(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::String(s) => {
            if let Cow::Owned(m) = mask(s) {
                *s = m;
            }
        }
        Value::Number(n) => {
            if let Cow::Owned(m) = mask(&n.to_string()) {
                *value = Value::String(m);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_json),
        Value::Object(map) => {
            let masked: serde_json::Map<String, Value> = std::mem::take(map)
                .into_iter()
                .map(|(k, mut v)| {
                    mask_json(&mut v);
                    (mask(&k).into_owned(), v)
                })
                .collect();
            *map = masked;
        }
        _ => {}
    }
}

/// An `io::Write` that masks card numbers in what passes through (log lines).
pub struct MaskingWriter<W>(pub W);

impl<W: std::io::Write> std::io::Write for MaskingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match std::str::from_utf8(buf) {
            Ok(text) => {
                self.0.write_all(mask(text).as_bytes())?;
                Ok(buf.len())
            }
            Err(_) => self.0.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_card_numbers_are_masked_in_every_usual_format() {
        for (raw, masked) in [
            ("4111111111111111", "************1111"),
            ("4111 1111 1111 1111", "**** **** **** 1111"),
            ("4111-1111-1111-1111", "****-****-****-1111"),
            ("5500 0000 0000 0004", "**** **** **** 0004"),
            ("3782 822463 10005", "**** ****** *0005"),
            ("6011111111111117", "************1117"),
            (
                "paid with 4242424242424242 today",
                "paid with ************4242 today",
            ),
            ("pan=4111-1111-1111-1111;", "pan=****-****-****-1111;"),
            ("(4111 1111 1111 1111)", "(**** **** **** 1111)"),
        ] {
            assert_eq!(mask(raw), masked, "{raw}");
        }
    }

    #[test]
    fn other_numbers_stay() {
        for keep in [
            "4111111111111112",        // not Luhn-valid
            "order 123456789012",      // 12 digits
            "TOTAL 10.15 VISA 10.15",  // amounts
            "2026-12-04 12:31",        // dates
            "41111111111111111111111", // 23 digits: some other identifier
            "tel +1 555 0100 call 2x", // few digits
            "receipt 0b7f7a39-8a6e-4a3c-9d2e-3f1c2b4a5d6e",
            // UUIDs whose digit groups hold a Luhn-valid card-length run (the first one was
            // masked in an audit record once).
            "01a24ddf-23d8-7478-8769-9071016d6d1f",
            "pat 01a24ddf-23d8-7478-8769-9071016d6d1f.",
            "41111111-1111-1111-1111-abcdef012345",
            "ref4111111111111111",
            "4111111111111111x",
        ] {
            assert_eq!(mask(keep), keep, "{keep}");
        }
    }

    #[test]
    fn json_strings_and_keys_are_masked_and_the_writer_masks_log_lines() {
        let mut v = serde_json::json!({"note": "card 4111 1111 1111 1111",
            "list": ["5500000000000004"], "4111111111111111": 1, "n": 4111111111111111_u64});
        mask_json(&mut v);
        let text = v.to_string();
        assert!(!text.contains("4111 1111 1111 1111") && !text.contains("5500000000000004"));
        assert!(!text.contains("4111111111111111"), "numbers too: {text}");
        assert!(text.contains("************1111"), "{text}");
        let mut out = MaskingWriter(Vec::new());
        std::io::Write::write_all(&mut out, b"login failed for 4111111111111111\n").unwrap();
        assert_eq!(
            String::from_utf8(out.0).unwrap(),
            "login failed for ************1111\n"
        );
    }
}
