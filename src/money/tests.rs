use proptest::prelude::*;
use serde_json::json;

use super::*;

#[test]
fn numbers_and_strings_parse_exactly() {
    let m: Money = serde_json::from_str("42.5").unwrap();
    assert_eq!(m.cents(), 4250);
    let m: Money = serde_json::from_str("\"42.50\"").unwrap();
    assert_eq!(m.cents(), 4250);
    let m: Money = serde_json::from_str("1500").unwrap();
    assert_eq!(m.cents(), 150_000);
    let m: Money = serde_json::from_str("0.07").unwrap();
    assert_eq!(m.cents(), 7);
    let m: Money = serde_json::from_str("-3.1").unwrap();
    assert_eq!(m.cents(), -310);
    let m: Money = serde_json::from_str("1.500").unwrap();
    assert_eq!(m.cents(), 150, "trailing zeros carry no value");
}

#[test]
fn bad_amounts_are_refused() {
    for bad in [
        "1.234",
        "\"1.234\"",
        "1e308",
        "1e2",
        "\"NaN\"",
        "\"abc\"",
        "\"\"",
        "\"1.\"",
        "\".\"",
        "true",
        "null",
        "[1]",
        "12345678901234567890",
        "\"99999999999999999.99\"",
    ] {
        assert!(
            serde_json::from_str::<Money>(bad).is_err(),
            "{bad} should be refused"
        );
    }
}

#[test]
fn money_serializes_as_a_json_number_with_two_decimals() {
    let v = serde_json::to_value(json!({"a": Money::from_cents(4250)})).unwrap();
    assert_eq!(v.to_string(), r#"{"a":42.50}"#);
    assert_eq!(
        serde_json::to_string(&Money::from_cents(-5)).unwrap(),
        "-0.05"
    );
    assert_eq!(
        serde_json::to_string(&Money::from_cents(150_000)).unwrap(),
        "1500.00"
    );
}

#[test]
fn ten_dimes_make_exactly_one_dollar() {
    let dime: Money = serde_json::from_str("0.10").unwrap();
    let total = (0..10).fold(Money::ZERO, |acc, _| acc.checked_add(dime).unwrap());
    assert_eq!(total, Money::from_cents(100));
    assert_eq!(serde_json::to_string(&total).unwrap(), "1.00");
}

proptest! {
    #[test]
    fn format_then_parse_round_trips(cents in -MAX_CENTS..=MAX_CENTS) {
        let m = Money::from_cents(cents);
        let text = serde_json::to_string(&m).unwrap();
        let back: Money = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(back, m);
        let back: Money = serde_json::from_str(&format!("\"{m}\"")).unwrap();
        prop_assert_eq!(back, m);
    }

    #[test]
    fn sums_of_many_small_amounts_are_exact(amounts in proptest::collection::vec(0i64..10_000, 0..500)) {
        let expected: i64 = amounts.iter().sum();
        let parsed: Vec<Money> = amounts.iter().map(|c| Money::parse(&Money::from_cents(*c).to_string()).unwrap()).collect();
        let total = parsed.iter().fold(Money::ZERO, |a, b| a.checked_add(*b).unwrap());
        prop_assert_eq!(total.cents(), expected);
    }

    #[test]
    fn parsing_arbitrary_text_never_panics(s in "\\PC{0,40}") {
        let _ = Money::parse(&s);
    }
}

#[test]
fn rounded_amounts_round_the_clients_float_noise_half_away_from_zero() {
    let r = |s: &str| serde_json::from_str::<RoundedMoney>(s).map(|m| m.0.cents());
    assert_eq!(r("200.20000000000002").unwrap(), 20_020);
    assert_eq!(r("300.59999999999997").unwrap(), 30_060);
    assert_eq!(r("149.99949999999998").unwrap(), 15_000);
    assert_eq!(r("370.368").unwrap(), 37_037);
    assert_eq!(r("0.005").unwrap(), 1);
    assert_eq!(r("0.0049").unwrap(), 0);
    assert_eq!(r("-1.005").unwrap(), -101);
    assert_eq!(r("\"12.345\"").unwrap(), 1_235);
    assert_eq!(r("42").unwrap(), 4_200);
    for bad in ["1e2", "\"abc\"", "\"1.2x5\"", "true"] {
        assert!(r(bad).is_err(), "{bad}");
    }
    assert!(
        serde_json::from_str::<Money>("200.20000000000002").is_err(),
        "plain Money still refuses"
    );
}
