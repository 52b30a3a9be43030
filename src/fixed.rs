//! Fixed-point decimals for percentages and ratios (goal progress, completion rates), computed
//! from integers and written as JSON numbers with a fixed number of decimals — so the same data
//! always gives the same digits, with no float on the way.

use std::fmt;

use serde::{Serialize, Serializer};

/// `units ÷ 10^scale`, e.g. `Fixed::new(4250, 2)` is `42.50`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fixed {
    units: i64,
    scale: u32,
}

impl Fixed {
    /// A value of `units ÷ 10^scale`.
    pub const fn new(units: i64, scale: u32) -> Fixed {
        Fixed { units, scale }
    }

    /// `numerator ÷ denominator × 10^scale`, rounded half away from zero (0 when the denominator
    /// is not positive).
    pub fn ratio(numerator: i64, denominator: i64, scale: u32) -> Fixed {
        if denominator <= 0 {
            return Fixed::new(0, scale);
        }
        let factor = 10_i128.pow(scale);
        let n = i128::from(numerator) * factor;
        let d = i128::from(denominator);
        let rounded = (2 * n.abs() + d) / (2 * d);
        let signed = if n < 0 { -rounded } else { rounded };
        Fixed::new(i64::try_from(signed).unwrap_or(i64::MAX), scale)
    }

    /// `part ÷ whole` as a percent with two decimals (`12.34`).
    pub fn percent(part: i64, whole: i64) -> Fixed {
        Fixed::ratio(
            i64::try_from(i128::from(part) * 100).unwrap_or(i64::MAX),
            whole,
            2,
        )
    }

    /// `part ÷ whole` as a percent with two decimals, capped to `0..=100`.
    pub fn percent_capped(part: i64, whole: i64) -> Fixed {
        let p = Fixed::percent(part.max(0), whole);
        if p.units > 10_000 {
            Fixed::new(10_000, 2)
        } else {
            p
        }
    }

    /// `part ÷ whole` as a fraction with four decimals (`0.3333`), capped to `0..=1`.
    pub fn fraction_capped(part: i64, whole: i64) -> Fixed {
        let f = Fixed::ratio(part.max(0), whole, 4);
        if f.units > 10_000 {
            Fixed::new(10_000, 4)
        } else {
            f
        }
    }

    /// The stored integer (`units`) — e.g. hundredths of a percent for [`Fixed::percent`].
    pub const fn units(self) -> i64 {
        self.units
    }

    /// The integer part, truncated towards zero.
    pub fn whole(self) -> i64 {
        self.units / 10_i64.pow(self.scale)
    }
}

impl fmt::Display for Fixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.units < 0 { "-" } else { "" };
        let abs = self.units.unsigned_abs();
        if self.scale == 0 {
            return write!(f, "{sign}{abs}");
        }
        let factor = 10_u64.pow(self.scale);
        let width = usize::try_from(self.scale).unwrap_or(0);
        write!(f, "{sign}{}.{:0width$}", abs / factor, abs % factor)
    }
}

impl Serialize for Fixed {
    /// A JSON number with exactly `scale` decimals (serde_json keeps the digits).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text = self.to_string();
        match serde_json::from_str::<serde_json::Number>(&text) {
            Ok(n) => n.serialize(s),
            Err(_) => s.serialize_str(&text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_half_up_and_print_two_decimals() {
        assert_eq!(Fixed::percent(1, 3).to_string(), "33.33");
        assert_eq!(Fixed::percent(2, 3).to_string(), "66.67");
        assert_eq!(Fixed::percent(5, 10).to_string(), "50.00");
        assert_eq!(Fixed::percent(1, 0).to_string(), "0.00");
        assert_eq!(Fixed::percent_capped(30, 10).to_string(), "100.00");
        assert_eq!(Fixed::fraction_capped(1, 3).to_string(), "0.3333");
        assert_eq!(Fixed::fraction_capped(3, 3).to_string(), "1.0000");
        assert_eq!(Fixed::new(-5, 2).to_string(), "-0.05");
        assert_eq!(Fixed::new(7, 0).to_string(), "7");
    }

    #[test]
    fn serializes_as_a_json_number_with_its_digits() {
        let v = serde_json::to_string(&Fixed::percent(1, 4)).unwrap();
        assert_eq!(v, "25.00");
    }
}
