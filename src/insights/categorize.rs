//! Rule-based categorisation of a purchase description (a receipt's merchant line, a typed
//! description): keywords → one of the 22 transaction categories, with a confidence. Shared by
//! `POST /api/ai/category-suggestions` (which also weighs the user's own merchant history) and
//! OCR (`POST /api/ocr/categorize`, receipts).

use serde::{Serialize, Serializer};

use crate::budget::TxCategory;
use crate::money::Money;

/// Keywords per category, `|`-separated (lower case; a keyword matches a whole word, or a word prefix when it
/// is at least 5 letters long, e.g. `restaurant` matches `restaurants`).
const KEYWORDS: &[(TxCategory, &str)] = &[
    (
        TxCategory::Groceries,
        "grocery|groceries|supermarket|market|walmart|kroger|safeway|aldi|lidl|costco|trader|whole foods|produce|tesco",
    ),
    (
        TxCategory::Dining,
        "restaurant|cafe|coffee|starbucks|mcdonald|burger|pizza|sushi|diner|bistro|bar|pub|takeout|doordash|ubereats|grubhub|kfc|subway|lunch|dinner|breakfast",
    ),
    (TxCategory::Food, "food|bakery|snack|deli|butcher"),
    (
        TxCategory::Gas,
        "gas|fuel|petrol|shell|chevron|exxon|texaco|diesel",
    ),
    (
        TxCategory::PublicTransport,
        "metro|subway fare|bus|train|transit|tram|rail|mta|amtrak",
    ),
    (
        TxCategory::Transportation,
        "uber|lyft|taxi|cab|parking|toll|car wash|garage",
    ),
    (
        TxCategory::Entertainment,
        "cinema|movie|theater|theatre|concert|ticketmaster|game|steam|bowling|museum|netflix cinema",
    ),
    (
        TxCategory::Subscriptions,
        "netflix|spotify|hulu|disney|subscription|icloud|youtube premium|prime membership|patreon",
    ),
    (
        TxCategory::Clothing,
        "clothing|apparel|shoes|zara|h&m|uniqlo|nike|adidas|jeans|dress",
    ),
    (
        TxCategory::Shopping,
        "amazon|ebay|target|ikea|store|shop|mall|electronics|best buy",
    ),
    (
        TxCategory::Healthcare,
        "pharmacy|cvs|walgreens|doctor|dentist|clinic|hospital|medical|medicine|optician",
    ),
    (
        TxCategory::Insurance,
        "insurance|geico|allstate|premium policy",
    ),
    (
        TxCategory::Utilities,
        "electric|electricity|water bill|utility|utilities|internet|comcast|verizon|phone bill|heating",
    ),
    (TxCategory::Rent, "rent|landlord|lease"),
    (TxCategory::Mortgage, "mortgage"),
    (
        TxCategory::Education,
        "tuition|school|course|udemy|coursera|books|textbook|university",
    ),
    (
        TxCategory::Childcare,
        "daycare|babysitter|nanny|childcare|kindergarten",
    ),
    (
        TxCategory::Pets,
        "pet|vet|veterinary|petco|petsmart|dog|cat food",
    ),
    (
        TxCategory::Travel,
        "hotel|airbnb|airline|flight|booking.com|expedia|hostel|airport",
    ),
    (TxCategory::Gifts, "gift|flowers|florist"),
    (
        TxCategory::Charity,
        "charity|donation|donate|foundation|red cross|unicef",
    ),
];

/// Confidence of a category with no keyword match at all.
const FALLBACK_CONFIDENCE: u16 = 2_000;

/// One candidate category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Candidate {
    pub category: TxCategory,
    /// 0–1 with two decimals (kept as basis points inside).
    #[serde(serialize_with = "bp_as_fraction")]
    pub confidence: u16,
    /// Why: `keyword`, `history` (the user's own merchant), `amount`, `default` or `llm`.
    pub reason: &'static str,
}

/// The best category for a description, and the runners-up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    pub category: TxCategory,
    #[serde(serialize_with = "bp_as_fraction")]
    pub confidence: u16,
    /// Up to 3 candidates, best first (the first is `category`).
    pub suggestions: Vec<Candidate>,
}

/// Categorises `text` by keywords. Score of a category = Σ over its matched keywords of the
/// keyword's length in letters (a longer keyword is more specific); confidence = min(95 %,
/// 50 % + 10 % × score ÷ 4). Ties go to the category listed first in the keyword table. With no
/// match: `amount` ≤ 15.00 → food (25 %), else other (20 %).
pub fn categorize(text: &str, amount: Option<Money>) -> Suggestion {
    let candidates = keyword_candidates(text, amount);
    let best = candidates.first().cloned().unwrap_or(Candidate {
        category: TxCategory::Other,
        confidence: FALLBACK_CONFIDENCE,
        reason: "default",
    });
    Suggestion {
        category: best.category,
        confidence: best.confidence,
        suggestions: candidates,
    }
}

/// The keyword candidates of `text`, best first, at most 3; never empty.
pub fn keyword_candidates(text: &str, amount: Option<Money>) -> Vec<Candidate> {
    let normalized = normalize(text);
    let words: Vec<&str> = normalized.split(' ').filter(|w| !w.is_empty()).collect();
    let mut scored: Vec<(usize, TxCategory, u32)> = Vec::new();
    for (order, (category, keywords)) in KEYWORDS.iter().enumerate() {
        let score: u32 = keywords
            .split('|')
            .filter(|k| matches(&normalized, &words, k))
            .map(|k| u32::try_from(k.chars().filter(|c| c.is_alphanumeric()).count()).unwrap_or(0))
            .sum();
        if score > 0 {
            scored.push((order, *category, score));
        }
    }
    scored.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    let mut out: Vec<Candidate> = scored
        .into_iter()
        .take(3)
        .map(|(_, category, score)| Candidate {
            category,
            confidence: u16::try_from((5_000 + 1_000 * score / 4).min(9_500)).unwrap_or(9_500),
            reason: "keyword",
        })
        .collect();
    if out.is_empty() {
        let small = amount.is_some_and(|a| a.cents() > 0 && a.cents() <= 1_500);
        out.push(if small {
            Candidate {
                category: TxCategory::Food,
                confidence: 2_500,
                reason: "amount",
            }
        } else {
            Candidate {
                category: TxCategory::Other,
                confidence: FALLBACK_CONFIDENCE,
                reason: "default",
            }
        });
    }
    out
}

/// Lower case, every run of characters other than letters, digits, `&` and `.` turned into one
/// space.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '&' || c == '.' {
            out.push(c);
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    out.trim().to_string()
}

/// A multi-word keyword matches as a phrase; a single word matches a whole word, or a word's
/// start when the keyword has at least 5 letters.
fn matches(normalized: &str, words: &[&str], keyword: &str) -> bool {
    if keyword.contains(' ') {
        return format!(" {normalized} ").contains(&format!(" {keyword} "));
    }
    words
        .iter()
        .any(|w| *w == keyword || (keyword.len() >= 5 && w.starts_with(keyword)))
}

/// Basis points as a JSON number with two decimals (`8500` → `0.85`).
fn bp_as_fraction<S: Serializer>(bp: &u16, s: S) -> Result<S::Ok, S::Error> {
    let hundredths = (u32::from(*bp) + 50) / 100;
    let text = format!("{}.{:02}", hundredths / 100, hundredths % 100);
    match serde_json::from_str::<serde_json::Number>(&text) {
        Ok(n) => n.serialize(s),
        Err(_) => s.serialize_str(&text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_pick_the_category_and_a_confidence() {
        let s = categorize("STARBUCKS #1234 Seattle", None);
        assert_eq!(s.category, TxCategory::Dining);
        assert_eq!(s.confidence, 7_250);
        assert_eq!(s.suggestions[0].reason, "keyword");
        assert_eq!(categorize("Shell Oil 5512", None).category, TxCategory::Gas);
        assert_eq!(
            categorize("Whole Foods Market", None).category,
            TxCategory::Groceries
        );
        assert_eq!(
            categorize("Restaurants of NY", None).category,
            TxCategory::Dining
        );
    }

    #[test]
    fn without_a_keyword_the_amount_or_the_default_decides() {
        let small = categorize("xq-77", Some(Money::from_cents(450)));
        assert_eq!(
            (small.category, small.confidence),
            (TxCategory::Food, 2_500)
        );
        let big = categorize("xq-77", Some(Money::from_cents(90_000)));
        assert_eq!((big.category, big.confidence), (TxCategory::Other, 2_000));
        assert_eq!(categorize("", None).suggestions.len(), 1);
    }

    #[test]
    fn confidence_is_written_as_a_fraction() {
        let json = serde_json::to_string(&categorize("netflix", None)).unwrap();
        assert!(json.contains("\"confidence\":0.68"), "{json}");
    }
}
