//! Properties: the parser never panics on any text, and amounts written in any of the usual
//! formats come back exact to the cent.

use proptest::prelude::*;

use super::*;

const NAMES: &[&str] = &[
    "MILK",
    "SOURDOUGH BREAD",
    "BANANAS",
    "COFFEE BEANS",
    "OLIVE OIL",
    "GREEK YOGURT",
    "PASTA",
    "CHEDDAR",
    "APPLES",
    "SPINACH",
    "RICE",
    "EGGS",
    "TOMATOES",
    "ALMONDS",
    "HONEY",
    "DISH SOAP",
];

/// How amounts are printed on one receipt.
#[derive(Clone, Copy, Debug)]
enum Style {
    Plain,
    Dollar,
    DollarSpace,
    Comma,
    Grouped,
    EuroGrouped,
}

fn render(cents: i64, style: Style) -> String {
    let (whole, frac) = (cents / 100, cents % 100);
    let grouped = |sep: char| {
        let digits = whole.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(sep);
            }
            out.push(c);
        }
        out
    };
    match style {
        Style::Plain => format!("{whole}.{frac:02}"),
        Style::Dollar => format!("${whole}.{frac:02}"),
        Style::DollarSpace => format!("$ {whole}.{frac:02}"),
        Style::Comma => format!("{whole},{frac:02}"),
        Style::Grouped => format!("{}.{frac:02}", grouped(',')),
        Style::EuroGrouped => format!("{},{frac:02}", grouped('.')),
    }
}

fn style() -> impl Strategy<Value = Style> {
    prop_oneof![
        Just(Style::Plain),
        Just(Style::Dollar),
        Just(Style::DollarSpace),
        Just(Style::Comma),
        Just(Style::Grouped),
        Just(Style::EuroGrouped),
    ]
}

fn total_label() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("TOTAL"),
        Just("T0TAL"),
        Just("Total:"),
        Just("TOTA1"),
        Just("AMOUNT DUE"),
        Just("GRAND TOTAL"),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn parsing_never_panics(text in "\\PC{0,400}") {
        let _ = parse(&text);
    }

    #[test]
    fn parsing_never_panics_on_receipt_like_noise(
        text in "[A-Za-z0-9 .,$:/@#%()\\-\\n]{0,600}"
    ) {
        let r = parse(&text);
        prop_assert!((0.0..=1.0).contains(&r.confidence));
    }

    #[test]
    fn totals_and_items_come_back_exact(
        items in prop::collection::vec((0..NAMES.len(), 1i64..=250_000), 1..8),
        tax in prop::option::of(0i64..=20_000),
        style in style(),
        label in total_label(),
    ) {
        let mut text = String::from("CORNER MARKET\n03/14/2026\n");
        let mut sum = 0;
        for (name, cents) in &items {
            text.push_str(&format!("{} {}\n", NAMES[*name], render(*cents, style)));
            sum += cents;
        }
        let mut total = sum;
        if let Some(tax) = tax {
            text.push_str(&format!("SUBTOTAL {}\nTAX {}\n", render(sum, style), render(tax, style)));
            total += tax;
        }
        text.push_str(&format!("{label} {}\n", render(total, style)));

        let r = parse(&text);
        prop_assert_eq!(r.amount, Some(Money::from_cents(total)), "{}", text);
        let got: Vec<(String, i64)> = r.items.iter().map(|i| (i.name.clone(), i.amount.cents())).collect();
        let want: Vec<(String, i64)> = items.iter().map(|(n, c)| (NAMES[*n].to_string(), *c)).collect();
        prop_assert_eq!(got, want, "{}", text);
        prop_assert!(r.fields_needing_review.iter().all(|f| *f != "amount"), "{:?}", r);
    }
}
