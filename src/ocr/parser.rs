//! From OCR text to a receipt: merchant, total, date, items, category, a confidence and the
//! fields a person should check. Robust to OCR noise (`T0TAL`, `5,99`, `$ 5.99`, several totals,
//! subtotal and tax lines) and total on any input: it never panics and works in bounded time
//! (the text is capped), which the unit table, a property test and a fuzz target check.

mod amount;
mod date;
mod lines;
mod merchant;

use chrono::NaiveDate;
use serde::Serialize;

use crate::budget::category::{PlanCategory, TxCategory};
use crate::money::Money;

use lines::{Kind, Line};

/// Text beyond this is ignored (a receipt is a few kilobytes).
const MAX_TEXT_BYTES: usize = 64 * 1024;
const MAX_LINES: usize = 500;
const MAX_LINE_CHARS: usize = 300;

/// One purchased line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Item {
    pub name: String,
    pub amount: Money,
}

/// What the parser read from a receipt.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Receipt {
    pub merchant: Option<String>,
    /// The total paid.
    pub amount: Option<Money>,
    pub date: Option<NaiveDate>,
    pub items: Vec<Item>,
    pub subtotal: Option<Money>,
    pub tax: Option<Money>,
    /// A transaction category (one of the 22).
    pub category: TxCategory,
    /// The plan category that category lands on.
    pub plan_category: PlanCategory,
    /// 0.0-1.0: how much of the receipt was understood and agrees with itself.
    pub confidence: f64, // f64-ok: a score, not money
    /// `merchant`, `amount`, `date`, `category`, `items`: what a person should check.
    pub fields_needing_review: Vec<&'static str>,
    /// The text the engine read (at most 64 KiB), for a person to compare with the fields.
    pub raw_text: String,
}

/// How the total was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    /// A total line that agrees with subtotal + tax (+ tip).
    Consistent,
    /// A line labelled as a total.
    Labelled,
    /// Computed from payments, subtotal and tax, or the items.
    Derived,
    None,
}

/// Parses OCR text.
pub fn parse(text: &str) -> Receipt {
    let mut end = text.len().min(MAX_TEXT_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let text = &text[..end];
    let lines: Vec<Line> = text
        .lines()
        .take(MAX_LINES)
        .map(|l| Line::new(&l.chars().take(MAX_LINE_CHARS).collect::<String>()))
        .collect();
    let merchant = merchant::find(&lines);
    let date = date::find(text);
    let summary = lines
        .iter()
        .position(|l| {
            l.amount.is_some() && matches!(l.kind, Kind::Subtotal | Kind::Tax | Kind::Total(_))
        })
        .unwrap_or(lines.len());
    let (items, discounts) = items(&lines[..summary]);
    let positive = |kind: fn(&Kind) -> bool| -> Vec<Money> {
        lines[summary..]
            .iter()
            .filter(|l| kind(&l.kind))
            .filter_map(|l| l.amount.map(|a| a.value))
            .filter(|m| m.cents() > 0)
            .collect()
    };
    let subtotal = positive(|k| *k == Kind::Subtotal).first().copied();
    let tax = sum(&positive(|k| *k == Kind::Tax));
    let tip = sum(&positive(|k| *k == Kind::Tip));
    // A strong payment word ("VISA 23.40") counts even where no total line follows.
    let early_payments = lines[..summary]
        .iter()
        .filter(|l| l.kind == Kind::Payment && lines::is_strong_payment(&lines::words(&l.label)));
    let payments = sum(&early_payments
        .filter_map(|l| l.amount.map(|a| a.value))
        .filter(|m| m.cents() > 0)
        .chain(positive(|k| *k == Kind::Payment))
        .collect::<Vec<_>>());
    let change = sum(&positive(|k| *k == Kind::Change));
    let items_sum = sum(&items.iter().map(|i| i.amount).collect::<Vec<_>>())
        .and_then(|s| s.checked_add(discounts));

    let candidates: Vec<(u8, Money)> = lines
        .iter()
        .filter_map(|l| match (l.kind, l.amount) {
            (Kind::Total(rank), Some(a)) if a.value.cents() > 0 => Some((rank, a.value)),
            _ => None,
        })
        .collect();
    let expected = subtotal.and_then(|s| add(add(Some(s), tax), tip));
    let (amount, source) = if let Some(&(_, m)) = candidates.iter().find(|c| Some(c.1) == expected)
    {
        (Some(m), Source::Consistent)
    } else if let Some(rank) = candidates.iter().map(|c| c.0).max() {
        let best = candidates.iter().filter(|c| c.0 == rank).map(|c| c.1).max();
        (best, Source::Labelled)
    } else if let Some(paid) = payments.and_then(|p| p.checked_sub(change.unwrap_or(Money::ZERO)))
        && paid.cents() > 0
    {
        (Some(paid), Source::Derived)
    } else if let Some(e) = expected {
        (Some(e), Source::Derived)
    } else if let Some(s) = items_sum.filter(|s| s.cents() > 0) {
        (Some(s), Source::Derived)
    } else {
        (None, Source::None)
    };
    let items_agree = items_sum.is_some()
        && (items_sum == subtotal
            || amount.is_some_and(|a| Some(a) == add(add(items_sum, tax), tip)));

    let (category, category_sure) = category_of(merchant.as_deref(), &items);
    let mut score = 0u32;
    let mut review = Vec::new();
    if merchant.is_some() {
        score += 15;
    } else {
        review.push("merchant");
    }
    score += match source {
        Source::Consistent => 40,
        Source::Labelled if items_agree => 40,
        Source::Labelled => 30,
        Source::Derived => 15,
        Source::None => 0,
    };
    if matches!(source, Source::Derived | Source::None) {
        review.push("amount");
    }
    if date.is_some() {
        score += 15;
    } else {
        review.push("date");
    }
    if category_sure {
        score += 15;
    } else {
        score += 5;
        review.push("category");
    }
    if items.is_empty() {
        review.push("items");
    } else {
        score += if items_agree { 15 } else { 8 };
    }
    // A card number printed on the receipt is masked in everything stored (last four digits).
    let items = items
        .into_iter()
        .map(|i| Item {
            name: crate::pan::mask(&i.name).into_owned(),
            ..i
        })
        .collect();
    let merchant = merchant.map(|m| crate::pan::mask(&m).into_owned());
    Receipt {
        merchant,
        amount,
        date,
        items,
        subtotal,
        tax,
        category,
        plan_category: category.plan(),
        confidence: f64::from(score.min(100)) / 100.0, // f64-ok: a score, not money
        fields_needing_review: review,
        // Stored with the job: a receipt's card number is masked to its last four digits.
        raw_text: crate::pan::mask(text).into_owned(),
    }
}

/// The category by the keyword rules the whole app shares ([`crate::insights::categorize`]):
/// the merchant's name decides when it names one; otherwise the item names. True when a keyword
/// matched (a guess otherwise).
fn category_of(merchant: Option<&str>, items: &[Item]) -> (TxCategory, bool) {
    use crate::insights::categorize::categorize;
    let keyword = |s: &crate::insights::categorize::Suggestion| {
        s.suggestions.first().is_some_and(|c| c.reason == "keyword")
    };
    if let Some(name) = merchant {
        let by_name = categorize(name, None);
        if keyword(&by_name) {
            return (by_name.category, true);
        }
    }
    let names: Vec<&str> = items.iter().map(|i| i.name.as_str()).collect();
    let by_items = categorize(&names.join(" "), None);
    (by_items.category, keyword(&by_items))
}

/// The items of the lines before the summary, and the sum of the discounts among them (≤ 0).
fn items(lines: &[Line]) -> (Vec<Item>, Money) {
    let mut items = Vec::new();
    let mut discounts = Money::ZERO;
    // A name on a line of its own, priced on the next ("BANANAS" / "2 @ 0.59   1.18").
    let mut pending: Option<String> = None;
    for line in lines {
        let value = line.amount.map(|a| a.value);
        match (line.kind, value) {
            // A credit among the items ("COUPON -1.00", "2.00-").
            (Kind::Discount | Kind::Other | Kind::Payment, Some(v)) if v.cents() < 0 => {
                discounts = discounts.checked_add(v).unwrap_or(discounts);
                pending = None;
            }
            (Kind::Discount, Some(v)) => {
                discounts = discounts
                    .checked_add(Money::from_cents(-v.cents()))
                    .unwrap_or(discounts);
                pending = None;
            }
            // Before any total, "GREETING CARD 3.99" is an item, not a card payment.
            (Kind::Payment, Some(_)) if lines::is_strong_payment(&lines::words(&line.label)) => {
                pending = None;
            }
            (Kind::Other | Kind::Payment, Some(v)) if v.cents() > 0 => {
                let name = clean_name(&line.label);
                if name.chars().filter(|c| c.is_alphabetic()).count() >= 2 {
                    items.push(Item { name, amount: v });
                    pending = None;
                } else if let Some(name) = pending.take() {
                    items.push(Item { name, amount: v });
                }
            }
            (Kind::Other, None) if line.has_letters() => {
                pending = Some(clean_name(&line.label)).filter(|n| !n.is_empty());
            }
            _ => pending = None,
        }
    }
    (items, discounts)
}

/// An item name without quantities, unit prices, codes and decoration.
fn clean_name(label: &str) -> String {
    let mut text: Vec<char> = label.chars().collect();
    for found in amount::amounts(label).iter().rev() {
        text.drain(found.start..found.end.min(text.len()));
    }
    let text: String = text.into_iter().collect();
    let words: Vec<&str> = text
        .split_whitespace()
        .filter(|w| {
            let lower = w.to_ascii_lowercase();
            let digits = w.bytes().filter(u8::is_ascii_digit).count();
            let quantity = lower.trim_start_matches('x').trim_end_matches('x');
            let is_quantity = !quantity.is_empty()
                && quantity.len() <= 3
                && quantity.bytes().all(|b| b.is_ascii_digit());
            let code = digits >= 5 && digits * 2 > w.len();
            let noise = !w.chars().any(char::is_alphanumeric) && *w != "&";
            !(is_quantity
                || code
                || noise
                || matches!(lower.as_str(), "@" | "x" | "ea" | "/ea" | "qty"))
        })
        .collect();
    words
        .join(" ")
        .trim_matches(|c: char| !c.is_alphanumeric() && c != ')' && c != '%')
        .to_string()
}

fn sum(values: &[Money]) -> Option<Money> {
    if values.is_empty() {
        return None;
    }
    values
        .iter()
        .try_fold(Money::ZERO, |acc, v| acc.checked_add(*v))
}

/// `a + b`, where an absent `b` adds nothing and an absent `a` stays absent.
fn add(a: Option<Money>, b: Option<Money>) -> Option<Money> {
    match (a, b) {
        (Some(a), Some(b)) => a.checked_add(b),
        (a, None) => a,
        (None, Some(_)) => None,
    }
}

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
