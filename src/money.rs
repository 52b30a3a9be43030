//! Money in integer cents. Parsed from JSON numbers or strings with at most two decimals and
//! formatted back as JSON numbers — never through a float. (serde_json's `arbitrary_precision`
//! keeps a JSON number's digits as text, so `42.10` reaches us as the text `42.10`.)

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Largest amount accepted anywhere (1e13 cents = 100 billion): far above any real need and far
/// below `i64::MAX`, so sums of many amounts cannot overflow.
pub const MAX_CENTS: i64 = 10_000_000_000_000;
/// Smallest and largest amount of one transaction (0.01 – 100,000.00): a spend, an installment
/// payment, a transfer to a goal.
pub const MIN_AMOUNT_CENTS: i64 = 1;
pub const MAX_AMOUNT_CENTS: i64 = 10_000_000;

/// An amount of money in cents (may be negative where a rule allows it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i64);

/// Why a text is not an amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MoneyError {
    Empty,
    NotANumber,
    TooManyDecimals,
    OutOfRange,
}

impl fmt::Display for MoneyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MoneyError::Empty => "must not be empty",
            MoneyError::NotANumber => "must be a number with at most two decimals",
            MoneyError::TooManyDecimals => "must have at most two decimals",
            MoneyError::OutOfRange => "is out of range",
        })
    }
}

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_cents(cents: i64) -> Money {
        Money(cents)
    }

    pub const fn cents(self) -> i64 {
        self.0
    }

    /// Parses `123`, `-4.5`, `0.07`, `1e2`-free decimal text. Rejects more than two decimals,
    /// exponents, NaN/Infinity, and magnitudes above [`MAX_CENTS`].
    pub fn parse(text: &str) -> Result<Money, MoneyError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(MoneyError::Empty);
        }
        let (negative, digits) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        let (whole, frac) = match digits.split_once('.') {
            Some((w, f)) => (w, f),
            None => (digits, ""),
        };
        if whole.is_empty() && frac.is_empty() {
            return Err(MoneyError::NotANumber);
        }
        if !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MoneyError::NotANumber);
        }
        if digits.contains('.') && frac.is_empty() {
            return Err(MoneyError::NotANumber);
        }
        // Trailing zeros beyond two decimals carry no value ("1.500" is 1.50).
        let frac = frac.trim_end_matches('0');
        if frac.len() > 2 {
            return Err(MoneyError::TooManyDecimals);
        }
        let whole = whole.trim_start_matches('0');
        if whole.len() > 15 {
            return Err(MoneyError::OutOfRange);
        }
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| MoneyError::OutOfRange)?
        };
        let frac_cents: i64 = match frac.len() {
            0 => 0,
            1 => i64::from(frac.as_bytes()[0] - b'0') * 10,
            _ => frac.parse().map_err(|_| MoneyError::NotANumber)?,
        };
        let cents = whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(frac_cents))
            .ok_or(MoneyError::OutOfRange)?;
        if cents > MAX_CENTS {
            return Err(MoneyError::OutOfRange);
        }
        Ok(Money(if negative { -cents } else { cents }))
    }

    /// Parses like [`Money::parse`], but rounds further decimals to the cent, half away from
    /// zero (`200.20000000000002` → 200.20, `149.99949999999998` → 150.00) — the text of a
    /// client's double arithmetic. Only where the amount is a preview input, never a record.
    pub fn parse_rounded(text: &str) -> Result<Money, MoneyError> {
        let t = text.trim();
        let Some((whole, frac)) = t.split_once('.') else {
            return Money::parse(t);
        };
        if frac.len() <= 2 {
            return Money::parse(t);
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MoneyError::NotANumber);
        }
        let truncated = Money::parse(&format!("{whole}.{}", &frac[..2]))?;
        let up = frac.as_bytes()[2] >= b'5';
        let negative = whole.trim_start().starts_with('-');
        let cents = match (up, negative) {
            (false, _) => truncated.0,
            (true, false) => truncated.0 + 1,
            (true, true) => truncated.0 - 1,
        };
        if cents.abs() > MAX_CENTS {
            return Err(MoneyError::OutOfRange);
        }
        Ok(Money(cents))
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).map(Money)
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }
}

impl fmt::Display for Money {
    /// `42.5` → `42.50`; always two decimals.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl Serialize for Money {
    /// A JSON number with the exact decimal digits (`42.5` is written `42.50`, `1500` as
    /// `1500.00`). With serde_json's `arbitrary_precision` a number is a one-field struct named
    /// by its marker token holding the digits as text (the same device `rust_decimal` uses), so
    /// the digits go out as they are — no float, and no parsing on the hot path.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let text = self.to_string();
        let mut st = s.serialize_struct(NUMBER_TOKEN, 1)?;
        st.serialize_field(NUMBER_TOKEN, &text)?;
        st.end()
    }
}

/// serde_json's marker key for a number kept as text under `arbitrary_precision`.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// Reads an amount; `rounded` takes more than two decimals and rounds them (see
/// [`Money::parse_rounded`]).
struct MoneyVisitor {
    rounded: bool,
}

impl<'de> Visitor<'de> for MoneyVisitor {
    type Value = Money;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an amount: a number or a string with at most two decimals")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Money, E> {
        v.checked_mul(100)
            .filter(|c| c.abs() <= MAX_CENTS)
            .map(Money)
            .ok_or_else(|| E::custom("mita: is out of range"))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Money, E> {
        i64::try_from(v)
            .map_err(|_| E::custom("mita: is out of range"))
            .and_then(|v| self.visit_i64(v))
    }

    fn visit_f64<E: de::Error>(self, _v: f64) -> Result<Money, E> {
        // f64-ok: refuses floats
        // Only reachable from non-JSON formats; refusing keeps floats off the money path.
        Err(E::custom("mita: must be a decimal number, not a float"))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Money, E> {
        let parsed = if self.rounded {
            Money::parse_rounded(v)
        } else {
            Money::parse(v)
        };
        parsed.map_err(|e| E::custom(format!("mita: {e}")))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Money, A::Error> {
        match map.next_key::<String>()? {
            Some(k) if k == NUMBER_TOKEN => {
                let text: String = map.next_value()?;
                self.visit_str(&text)
            }
            _ => Err(de::Error::custom("mita: must be a number")),
        }
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        d.deserialize_any(MoneyVisitor { rounded: false })
    }
}

/// An amount whose decimals beyond the cent are rounded instead of refused
/// ([`Money::parse_rounded`]): for preview inputs computed by the client's floating point
/// (`POST /api/calendar/shell`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RoundedMoney(pub Money);

impl<'de> Deserialize<'de> for RoundedMoney {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RoundedMoney, D::Error> {
        d.deserialize_any(MoneyVisitor { rounded: true })
            .map(RoundedMoney)
    }
}

/// In `/openapi.json` an amount is a number (or a string holding one): `Money` with at most two
/// decimals, `RoundedMoney` rounded to the cent.
#[cfg(feature = "openapi")]
macro_rules! amount_schema {
    ($($ty:ty => $description:literal),+) => {$(
        impl utoipa::PartialSchema for $ty {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::Number)
                    .description(Some($description))
                    .into()
            }
        }
        impl utoipa::ToSchema for $ty {}
    )+};
}

#[cfg(feature = "openapi")]
amount_schema! {
    Money => "An amount: a JSON number or a string holding one, at most 2 decimals",
    RoundedMoney => "An amount: a JSON number or a string holding one (rounded to the cent)"
}

/// `cents` as text with the currency code, e.g. `42.50 USD`.
pub fn amount_text(cents: i64, currency: &str) -> String {
    format!("{} {currency}", Money::from_cents(cents))
}

#[cfg(test)]
mod tests;
