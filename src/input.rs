//! The checks every request body shares: the one rule for text fields and a collector of field
//! errors whose first code becomes the answer's code. Domain rules (a goal's amount range, a
//! transaction's category) stay with their modules and report through these.

use serde::{Deserialize, Deserializer};

use crate::error::{Code, Error, FieldError, Result};
use crate::money::Money;

/// For `#[serde(default, deserialize_with = "nullable")]`: a field that may be absent (`None`),
/// explicitly null (`Some(None)`, clearing it) or set.
pub fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> std::result::Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// Whether a text field may hold line breaks (notes and descriptions may; names and patterns not).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Lines {
    One,
    Many,
}

/// `v` without surrounding whitespace, when it has `min ..= max` characters and no control
/// character (a newline only with [`Lines::Many`]).
pub fn printable(v: &str, min: usize, max: usize, lines: Lines) -> Option<&str> {
    let t = v.trim();
    let n = t.chars().count();
    let bad = |c: char| c.is_control() && !(lines == Lines::Many && c == '\n');
    (n >= min && n <= max && !t.chars().any(bad)).then_some(t)
}

/// The refusal of a text field that [`printable`] did not accept.
pub fn text_error(field: &str, min: usize, max: usize) -> FieldError {
    let message = if min == 0 {
        format!("must be at most {max} printable characters")
    } else {
        format!("must be {min} to {max} printable characters")
    };
    FieldError::new(field, "length", message)
}

/// A text field checked by [`printable`]; a refusal is pushed to `errors`. An absent value is
/// no error (the caller decides whether it was required).
pub fn text(
    v: Option<&str>,
    field: &str,
    (min, max): (usize, usize),
    lines: Lines,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let v = v?;
    match printable(v, min, max, lines) {
        Some(t) => Some(t.to_string()),
        None => {
            errors.push(text_error(field, min, max));
            None
        }
    }
}

/// Collects field errors; the first one's code is the answer's code.
pub struct Checker {
    pub errors: Vec<FieldError>,
    code: Code,
}

impl Default for Checker {
    fn default() -> Self {
        Checker::new()
    }
}

impl Checker {
    pub fn new() -> Checker {
        Checker {
            errors: Vec::new(),
            code: Code::Validation2001,
        }
    }

    pub fn fail(&mut self, field: &str, kind: &str, message: &str, code: Code) {
        if self.errors.is_empty() {
            self.code = code;
        }
        self.errors.push(FieldError::new(field, kind, message));
    }

    pub fn missing(&mut self, field: &str, code: Code) {
        self.fail(field, "missing", "field required", code);
    }

    /// A text of `min ..= max` characters that may hold line breaks ([`printable`]).
    pub fn text(&mut self, v: &str, field: &str, min: usize, max: usize) -> Option<String> {
        let t = printable(v, min, max, Lines::Many);
        if t.is_none() {
            let e = text_error(field, min, max);
            self.fail(field, &e.kind, &e.message, Code::Validation2001);
        }
        t.map(str::to_string)
    }

    /// An amount in `min ..= max` cents.
    pub fn amount(&mut self, m: Money, field: &str, min: i64, max: i64) -> Option<i64> {
        if m.cents() < min || m.cents() > max {
            let msg = format!(
                "must be between {} and {}",
                Money::from_cents(min),
                Money::from_cents(max)
            );
            self.fail(field, "range", &msg, Code::Validation2006);
            return None;
        }
        Some(m.cents())
    }

    /// A count in `min ..= max`.
    pub fn count(&mut self, v: i64, field: &str, min: i64, max: i64) -> Option<i64> {
        if v < min || v > max {
            let msg = format!("must be between {min} and {max}");
            self.fail(field, "range", &msg, Code::Validation2003);
            return None;
        }
        Some(v)
    }

    /// An annual interest rate in percent (0–100, read to two decimals) as basis points.
    pub fn rate(&mut self, m: Money, field: &str) -> Option<i64> {
        if (0..=10_000).contains(&m.cents()) {
            return Some(m.cents());
        }
        let msg = "must be a percentage between 0 and 100";
        self.fail(field, "range", msg, Code::Validation2006);
        None
    }

    /// `value` if it is one of `allowed`, else a refusal listing them with `code`.
    pub fn one_of(
        &mut self,
        value: String,
        field: &str,
        allowed: &[&str],
        code: Code,
    ) -> Option<String> {
        if allowed.contains(&value.as_str()) {
            return Some(value);
        }
        let msg = format!("must be one of {}", allowed.join(", "));
        self.fail(field, "enum", &msg, code);
        None
    }

    /// `value` when no field was refused, else the validation error naming every refused field.
    pub fn finish<T>(self, value: T) -> Result<T> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(Error::Validation {
                code: self.code,
                message: "Request validation failed".into(),
                fields: self.errors,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_trims_and_counts_characters_not_bytes() {
        assert_eq!(printable("  café  ", 1, 4, Lines::One), Some("café"));
        assert_eq!(printable("cafés", 1, 4, Lines::One), None);
        assert_eq!(printable("   ", 1, 4, Lines::One), None);
        assert_eq!(printable("   ", 0, 4, Lines::One), Some(""));
    }

    #[test]
    fn newlines_only_where_allowed_and_other_controls_never() {
        assert_eq!(printable("a\nb", 1, 9, Lines::Many), Some("a\nb"));
        assert_eq!(printable("a\nb", 1, 9, Lines::One), None);
        assert_eq!(printable("a\tb", 1, 9, Lines::Many), None);
        assert_eq!(printable("a\u{7}b", 1, 9, Lines::Many), None);
    }

    #[test]
    fn the_first_refusal_sets_the_code() {
        let mut c = Checker::new();
        c.count(0, "body.n", 1, 2);
        c.amount(Money::from_cents(0), "body.m", 1, 2);
        let Err(Error::Validation { code, fields, .. }) = c.finish(()) else {
            panic!("expected a validation error")
        };
        assert_eq!(code, Code::Validation2003);
        assert_eq!(fields.len(), 2);
    }

    #[test]
    fn text_errors_name_the_range() {
        let mut errors = Vec::new();
        assert_eq!(
            text(Some("x\u{0}"), "body.a", (0, 5), Lines::Many, &mut errors),
            None
        );
        assert_eq!(text(None, "body.b", (1, 5), Lines::Many, &mut errors), None);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].message, "must be at most 5 printable characters");
        assert_eq!(
            text_error("f", 1, 5).message,
            "must be 1 to 5 printable characters"
        );
    }
}
