//! Category weights as exact decimals: `0.15` (a fraction) and `15` (a percent) both mean
//! 1,500 basis points. Parsed from the number's text, never through a float.

/// Millionths in one unit.
const MICRO: i64 = 1_000_000;

/// Parses a non-negative decimal into millionths (`0.15` → 150,000), dropping further digits.
fn parse_micro(text: &str) -> Option<i64> {
    let t = text.trim();
    let t = t.strip_prefix('+').unwrap_or(t);
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    if !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Digits beyond the sixth decimal are dropped (a client's `9 / 37` is 0.24324324324324326).
    let frac = frac.get(..6).unwrap_or(frac).trim_end_matches('0');
    let whole = whole.trim_start_matches('0');
    if whole.len() > 4 {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut frac_micro: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    for _ in frac.len()..6 {
        frac_micro *= 10;
    }
    Some(whole * MICRO + frac_micro)
}

/// A weight in basis points (10,000 = 100 %): values up to 1 are fractions, values above 1 are
/// percents (so `1` is 100 % and `1.5` is 1.5 %). Digits beyond a basis point are dropped.
/// Negative values, exponents and weights above 100 % are refused (`None`).
pub fn parse_weight(text: &str) -> Option<i64> {
    let micro = parse_micro(text)?;
    let bp = if micro <= MICRO {
        micro / 100
    } else {
        micro / 10_000
    };
    (bp <= 10_000).then_some(bp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_and_percents_mean_the_same_weight() {
        assert_eq!(parse_weight("0.15"), Some(1_500));
        assert_eq!(parse_weight("15"), Some(1_500));
        assert_eq!(parse_weight("15.25"), Some(1_525));
        assert_eq!(parse_weight("0.1525"), Some(1_525));
        assert_eq!(parse_weight("1"), Some(10_000));
        assert_eq!(parse_weight("100"), Some(10_000));
        assert_eq!(parse_weight("0"), Some(0));
        assert_eq!(parse_weight(".5"), Some(5_000));
        assert_eq!(
            parse_weight("0.24324324324324326"),
            Some(2_432),
            "9 / 37 from the app"
        );
        assert_eq!(parse_weight("0.1234567"), Some(1_234));
    }

    #[test]
    fn nonsense_is_refused() {
        for bad in ["", ".", "-0.1", "1e2", "abc", "100.01", "NaN", "99999"] {
            assert_eq!(parse_weight(bad), None, "{bad}");
        }
    }
}
