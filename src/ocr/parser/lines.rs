//! What a receipt line is (an item, the subtotal, the tax, a total, a payment...), told from its
//! words with OCR confusions forgiven (`T0TAL`, `TOTA1`, `SUBT0TAL`, `TAX1`).

use super::amount::{Found, last_amount};

/// The role of one line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Subtotal,
    Tax,
    /// A total; the rank says how sure (3 "grand total"/"amount due", 2 "total", 1 "balance").
    Total(u8),
    /// Card, cash, tendered: what was paid, not what was bought.
    Payment,
    Change,
    Discount,
    Tip,
    /// "TOTAL ITEMS 3", store numbers, footers: never money we use.
    Info,
    /// An item, or text.
    Other,
}

/// One line of the receipt with its amount (the last one on the line) and role.
#[derive(Clone, Debug)]
pub struct Line {
    pub text: String,
    /// The text before the amount (the whole line when it has none).
    pub label: String,
    pub amount: Option<Found>,
    pub kind: Kind,
}

impl Line {
    pub fn new(text: &str) -> Line {
        let text = text.trim().to_string();
        let amount = last_amount(&text);
        let label = match amount {
            Some(f) => text.chars().take(f.start).collect(),
            None => text.clone(),
        };
        let kind = classify(&words(&label));
        Line {
            text,
            label,
            amount,
            kind,
        }
    }

    /// True when the label has letters (an item name, a keyword).
    pub fn has_letters(&self) -> bool {
        self.label.chars().filter(|c| c.is_alphabetic()).count() >= 2
    }
}

/// The words of a label, upper-cased (digits kept: they may be misread letters).
pub fn words(label: &str) -> Vec<String> {
    label
        .split(|c: char| !(c.is_alphanumeric() || c == '|'))
        .filter(|w| !w.is_empty())
        .map(str::to_uppercase)
        .collect()
}

/// Characters an OCR engine confuses, folded to one representative.
fn fold(c: char) -> char {
    match c {
        '0' | 'Q' => 'O',
        '1' | 'I' | '|' | '!' => 'L',
        '5' => 'S',
        '8' => 'B',
        other => other,
    }
}

/// `word` is `keyword` up to OCR confusions, or `keyword` followed by digits (`TAX1`).
pub fn is(word: &str, keyword: &str) -> bool {
    let same = |w: &str| {
        w.chars().count() == keyword.chars().count()
            && w.chars()
                .zip(keyword.chars())
                .all(|(a, b)| fold(a) == fold(b))
    };
    same(word) || {
        let stem = word.trim_end_matches(|c: char| c.is_ascii_digit());
        stem.len() != word.len() && same(stem)
    }
}

fn has(words: &[String], keywords: &[&str]) -> bool {
    words.iter().any(|w| keywords.iter().any(|k| is(w, k)))
}

fn has_pair(words: &[String], first: &str, second: &str) -> bool {
    words
        .windows(2)
        .any(|p| is(&p[0], first) && is(&p[1], second))
}

/// Words that only ever mean a payment (unlike "CARD", which may be a greeting card).
pub fn is_strong_payment(words: &[String]) -> bool {
    has(
        words,
        &[
            "VISA",
            "MASTERCARD",
            "AMEX",
            "DISCOVER",
            "DEBIT",
            "CASH",
            "TENDER",
            "TENDERED",
            "EBT",
        ],
    )
}

/// The role of a line, from the words of its label. Order matters: "TOTAL TAX" is tax,
/// "TOTAL SAVINGS" a discount, "TOTAL TENDERED" a payment, "SUBTOTAL" not a total.
pub fn classify(words: &[String]) -> Kind {
    let total_word = has(words, &["TOTAL", "TTL", "TOT"]);
    if has(
        words,
        &["ITEMS", "ITEM", "QTY", "QUANTITY", "COUNT", "UNITS"],
    ) || (has(words, &["NO", "NUMBER"]) && has(words, &["ITEMS", "ARTICLES"]))
    {
        return Kind::Info;
    }
    if has(words, &["SUBTOTAL", "SUBTTL", "SUBTOT", "NETTOTAL"])
        || has_pair(words, "SUB", "TOTAL")
        || has_pair(words, "SUB", "TTL")
    {
        return Kind::Subtotal;
    }
    let including = has(words, &["INCL", "INCLUDING", "INCLUDED", "WITH"]);
    if has(words, &["TAX", "VAT", "GST", "HST", "PST", "QST"]) && !(total_word && including) {
        return Kind::Tax;
    }
    if has(words, &["CHANGE"]) {
        return Kind::Change;
    }
    if has(
        words,
        &[
            "DISCOUNT", "SAVINGS", "SAVED", "SAVE", "COUPON", "PROMO", "REWARD", "REWARDS",
        ],
    ) {
        return Kind::Discount;
    }
    if has(words, &["TIP", "GRATUITY"]) {
        return Kind::Tip;
    }
    if has(
        words,
        &[
            "VISA",
            "MASTERCARD",
            "AMEX",
            "DISCOVER",
            "DEBIT",
            "CREDIT",
            "CARD",
            "CASH",
            "TENDER",
            "TENDERED",
            "PAID",
            "PAYMENT",
            "EBT",
            "APPLEPAY",
        ],
    ) {
        return Kind::Payment;
    }
    if has(words, &["GRAND"]) && total_word
        || has_pair(words, "AMOUNT", "DUE")
        || has_pair(words, "BALANCE", "DUE")
        || has_pair(words, "TOTAL", "DUE")
        || has_pair(words, "TOTAL", "AMOUNT")
        || has_pair(words, "TOTAL", "SALE")
    {
        return Kind::Total(3);
    }
    if total_word {
        return Kind::Total(2);
    }
    if has(words, &["BALANCE", "AMOUNT", "SUM", "SUMME", "DUE"]) {
        return Kind::Total(1);
    }
    if has(
        words,
        &[
            "AUTH", "APPROVAL", "APPROVED", "REF", "ACCOUNT", "ACCT", "TERMINAL", "TEL", "PHONE",
        ],
    ) {
        return Kind::Info;
    }
    Kind::Other
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(label: &str) -> Kind {
        classify(&words(label))
    }

    #[test]
    fn keywords_survive_ocr_confusions() {
        assert_eq!(kind("T0TAL"), Kind::Total(2));
        assert_eq!(kind("TOTA1"), Kind::Total(2));
        assert_eq!(kind("Total:"), Kind::Total(2));
        assert_eq!(kind("SUBT0TAL"), Kind::Subtotal);
        assert_eq!(kind("Sub-Total"), Kind::Subtotal);
        assert_eq!(kind("TAX1 8.25%"), Kind::Tax);
        assert_eq!(kind("SALES TAX"), Kind::Tax);
        assert_eq!(kind("AMOUNT DUE"), Kind::Total(3));
        assert_eq!(kind("GRAND TOTAL"), Kind::Total(3));
        assert_eq!(kind("BALANCE"), Kind::Total(1));
    }

    #[test]
    fn lines_that_mention_total_are_not_always_the_total() {
        assert_eq!(kind("TOTAL ITEMS"), Kind::Info);
        assert_eq!(kind("TOTAL TAX"), Kind::Tax);
        assert_eq!(kind("TOTAL SAVINGS"), Kind::Discount);
        assert_eq!(kind("TOTAL TENDERED"), Kind::Payment);
        assert_eq!(kind("TOTAL INCL. TAX"), Kind::Total(2));
        assert_eq!(kind("CHANGE DUE"), Kind::Change);
        assert_eq!(kind("VISA ****1234"), Kind::Payment);
        assert_eq!(kind("TAXI RIDE"), Kind::Other);
        assert_eq!(kind("ORGANIC MILK"), Kind::Other);
    }
}
