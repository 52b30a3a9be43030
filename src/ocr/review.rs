//! Checking and completing a parsed receipt the app sends back (`POST
//! /api/transactions/receipt/validate` and `POST /api/ocr/enhance`, docs/ocr.md "Receipt
//! review"): rules V1–V5 over the fields themselves, nothing stored, no other data read.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::budget::TxCategory;
use crate::error::{Code, Error, Result};
use crate::insights::categorize;
use crate::money::{Money, RoundedMoney};

/// Items accepted in one receipt.
pub const MAX_ITEMS: usize = 200;
/// Longest text field, in characters (raw text: 20,000).
pub const MAX_TEXT: usize = 1_000;
pub const MAX_RAW_TEXT: usize = 20_000;
/// Days back before a date is only a warning.
pub const OLD_DAYS: i64 = 365;

/// One item as the app sends it (`ReceiptItem.toJson`).
#[derive(Clone, Debug, Deserialize)]
pub struct ItemIn {
    pub name: Option<String>,
    pub price: Option<RoundedMoney>,
    pub category: Option<String>,
}

/// The app's `OCRResult.toJson`.
#[derive(Clone, Debug, Deserialize)]
pub struct ReceiptIn {
    pub merchant: Option<String>,
    pub total: Option<RoundedMoney>,
    pub date: Option<String>,
    pub category: Option<String>,
    #[serde(default)]
    pub items: Vec<ItemIn>,
    pub raw_text: Option<String>,
    pub is_premium_processing: Option<bool>,
    pub receipt_image_path: Option<String>,
    pub metadata: Option<Value>,
}

/// One item of the answer (`ReceiptItem.fromJson`).
#[derive(Clone, Debug, Serialize)]
pub struct ItemOut {
    pub name: String,
    pub price: Money,
    pub confidence: &'static str,
    pub category: Option<String>,
}

/// A correction V made.
#[derive(Clone, Debug, Serialize)]
pub struct Correction {
    pub field: &'static str,
    pub from: Value,
    pub to: Value,
}

/// The checked receipt, in the names `OCRResult.fromJson` reads, with the findings.
#[derive(Clone, Debug, Serialize)]
pub struct Reviewed {
    pub merchant: String,
    pub total: Money,
    pub date: Option<String>,
    pub category: String,
    pub items: Vec<ItemOut>,
    pub merchant_confidence: &'static str,
    pub total_confidence: &'static str,
    pub date_confidence: &'static str,
    pub category_confidence: &'static str,
    pub raw_text: String,
    pub is_premium_processing: bool,
    pub receipt_image_path: Option<String>,
    pub metadata: Value,
    /// No error (warnings allowed).
    pub is_valid: bool,
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
    pub corrections: Vec<Correction>,
    /// The sum of the item prices.
    pub items_total: Money,
}

fn too_long(field: &str, max: usize) -> Error {
    Error::invalid(
        Code::Validation2003,
        field,
        "length",
        format!("must be at most {max} characters"),
    )
}

fn clean(text: Option<&str>, field: &str, max: usize) -> Result<String> {
    let t = text.unwrap_or("");
    if t.chars().count() > max {
        return Err(too_long(field, max));
    }
    Ok(t.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn level(confidence_bp: u16) -> &'static str {
    match confidence_bp {
        8_000.. => "high",
        6_000..=7_999 => "medium",
        _ => "low",
    }
}

/// V1–V5 on `r` as of the user's `today`. Bad shapes (too many items, too long texts, a
/// negative price) are 422 naming the field.
pub fn review(r: &ReceiptIn, today: NaiveDate) -> Result<Reviewed> {
    if r.items.len() > MAX_ITEMS {
        return Err(Error::invalid(
            Code::Validation2003,
            "body.items",
            "length",
            format!("must hold at most {MAX_ITEMS} items"),
        ));
    }
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut corrections = Vec::new();
    // V1 merchant: whitespace collapsed; required.
    let merchant = clean(r.merchant.as_deref(), "body.merchant", MAX_TEXT)?;
    if r.merchant.as_deref().is_some_and(|m| m != merchant) && !merchant.is_empty() {
        corrections.push(Correction {
            field: "merchant",
            from: Value::from(r.merchant.clone().unwrap_or_default()),
            to: Value::from(merchant.clone()),
        });
    }
    if merchant.is_empty() {
        errors.push("The merchant is missing.".to_string());
    }
    let mut items = Vec::new();
    let mut sum = 0i64;
    for (i, it) in r.items.iter().enumerate() {
        let name = clean(
            it.name.as_deref(),
            &format!("body.items[{i}].name"),
            MAX_TEXT,
        )?;
        let price = it.price.map_or(Money::from_cents(0), |p| p.0);
        if price.is_negative() {
            return Err(Error::invalid(
                Code::Validation2003,
                &format!("body.items[{i}].price"),
                "range",
                "must not be negative",
            ));
        }
        sum += price.cents();
        items.push(ItemOut {
            confidence: if name.is_empty() || price.cents() == 0 {
                "low"
            } else {
                "high"
            },
            name,
            price,
            category: it.category.clone(),
        });
    }
    // V2 total: required and > 0; without one the items' sum is taken; a total below the
    // items' sum is a warning (a discount is possible), a gap above it too (tax, tip).
    let mut total = r.total.map_or(0, |t| t.0.cents());
    let mut total_confidence = "high";
    if total <= 0 && sum > 0 {
        corrections.push(Correction {
            field: "total",
            from: r.total.map_or(Value::Null, |t| serde_json::json!(t.0)),
            to: serde_json::json!(Money::from_cents(sum)),
        });
        total = sum;
        total_confidence = "medium";
    } else if total <= 0 {
        errors.push("The total is missing or not above 0.".to_string());
        total_confidence = "low";
    } else if !items.is_empty() && total != sum {
        warnings.push(format!(
            "The items add up to {}, the total is {}.",
            Money::from_cents(sum),
            Money::from_cents(total)
        ));
        total_confidence = "medium";
    }
    // V3 date: a calendar day (the date part of an ISO date-time); not after today; older than
    // a year is a warning.
    let parsed = r
        .date
        .as_deref()
        .and_then(|d| d.get(..10))
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let date_confidence = match parsed {
        None => {
            errors.push("The date is missing or not a date.".to_string());
            "low"
        }
        Some(d) if d > today => {
            errors.push(format!("The date {d} is after today."));
            "low"
        }
        Some(d) if (today - d).num_days() > OLD_DAYS => {
            warnings.push(format!("The date {d} is more than a year ago."));
            "medium"
        }
        Some(_) => "high",
    };
    // V4 category: one of the 22; otherwise the keyword rule over the merchant and the items.
    let given = r
        .category
        .as_deref()
        .map(str::trim)
        .and_then(|c| c.to_ascii_lowercase().parse::<TxCategory>().ok());
    let text = std::iter::once(merchant.as_str())
        .chain(items.iter().map(|i| i.name.as_str()))
        .collect::<Vec<_>>()
        .join(" ");
    let suggestion = categorize(&text, (total > 0).then(|| Money::from_cents(total)));
    let (category, category_confidence) = match given {
        Some(c) => (c, "high"),
        None => {
            corrections.push(Correction {
                field: "category",
                from: r.category.clone().map_or(Value::Null, Value::from),
                to: Value::from(suggestion.category.as_str()),
            });
            (suggestion.category, level(suggestion.confidence))
        }
    };
    // V5 texts: bounded.
    let raw_text = r.raw_text.clone().unwrap_or_default();
    if raw_text.chars().count() > MAX_RAW_TEXT {
        return Err(too_long("body.raw_text", MAX_RAW_TEXT));
    }
    Ok(Reviewed {
        merchant_confidence: if merchant.is_empty() {
            "low"
        } else if merchant.chars().count() < 3 {
            "medium"
        } else {
            "high"
        },
        merchant,
        total: Money::from_cents(total),
        date: parsed.map(|d| d.to_string()),
        category: category.as_str().to_string(),
        items,
        total_confidence,
        date_confidence,
        category_confidence,
        raw_text,
        is_premium_processing: r.is_premium_processing.unwrap_or(false),
        receipt_image_path: r.receipt_image_path.clone(),
        metadata: r.metadata.clone().unwrap_or_else(|| serde_json::json!({})),
        is_valid: errors.is_empty(),
        errors,
        warnings,
        corrections,
        items_total: Money::from_cents(sum),
    })
}

/// `POST /api/ocr/enhance`: the review plus what the category tells (E1).
#[derive(Clone, Debug, Serialize)]
pub struct Enhanced {
    #[serde(flatten)]
    pub reviewed: Reviewed,
    pub enhanced: bool,
    /// The transaction category the keyword rule finds for the merchant alone.
    pub merchant_type: String,
    /// The plan category the receipt's category counts in.
    pub spending_category: String,
    /// Up to 3 keyword candidates for the whole receipt.
    pub category_suggestions: Vec<Value>,
}

/// E1: V1–V5, then the merchant's own category, the plan category and the candidates.
pub fn enhance(r: &ReceiptIn, today: NaiveDate) -> Result<Enhanced> {
    let reviewed = review(r, today)?;
    let merchant_type = categorize(&reviewed.merchant, None).category;
    let category: TxCategory = reviewed.category.parse().unwrap_or(TxCategory::Other);
    let text = std::iter::once(reviewed.merchant.as_str())
        .chain(reviewed.items.iter().map(|i| i.name.as_str()))
        .collect::<Vec<_>>()
        .join(" ");
    let s = categorize(&text, Some(reviewed.total));
    Ok(Enhanced {
        enhanced: true,
        merchant_type: merchant_type.as_str().to_string(),
        spending_category: category.plan().as_str().to_string(),
        category_suggestions: s
            .suggestions
            .iter()
            .filter_map(|c| serde_json::to_value(c).ok())
            .collect(),
        reviewed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn input(v: Value) -> ReceiptIn {
        serde_json::from_str(&v.to_string()).unwrap()
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 5).unwrap()
    }

    #[test]
    fn v1_to_v4_correct_what_the_fields_allow_and_report_the_rest() {
        let r = input(
            json!({"merchant": "  Whole   Foods ", "date": "2026-12-04T10:00:00.000",
            "category": "Groceries-ish", "items": [{"name": "Milk", "price": 2.5}, {"name": "Bread", "price": 3.25}]}),
        );
        let v = review(&r, today()).unwrap();
        assert_eq!(v.merchant, "Whole Foods");
        assert_eq!(v.total.cents(), 575, "no total: the items' sum");
        assert_eq!(v.total_confidence, "medium");
        assert_eq!(v.date.as_deref(), Some("2026-12-04"));
        assert!(v.is_valid);
        let fields: Vec<&str> = v.corrections.iter().map(|c| c.field).collect();
        assert_eq!(fields, ["merchant", "total", "category"]);
        let r = input(json!({"merchant": "", "total": 10.0, "date": "2026-12-09",
            "category": "food", "items": [{"name": "x", "price": 4.0}]}));
        let v = review(&r, today()).unwrap();
        assert!(!v.is_valid);
        assert_eq!(v.errors.len(), 2, "{:?}", v.errors);
        assert_eq!(v.warnings.len(), 1);
        assert_eq!(v.category, "food");
        let bad = input(json!({"items": [{"name": "x", "price": -1}]}));
        assert!(review(&bad, today()).is_err());
    }
}
