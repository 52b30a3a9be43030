//! Bodies of the installment routes and their checks. Unknown fields (`id`, `user_id`,
//! `created_at`, the computed dates...) are ignored, never applied; every refusal names its field.

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::Deserialize;

use super::schedule::Frequency;
use super::{CATEGORIES, MAX_PAYMENTS, MAX_TOTAL_CENTS};
use crate::error::{Code, Error, Result};
use crate::input::{Checker, nullable};
use crate::money::{MAX_AMOUNT_CENTS, Money, RoundedMoney};

/// An installment category (any case), lowercased.
fn category(c: &mut Checker, raw: &str, field: &str) -> Option<String> {
    let v = raw.trim().to_ascii_lowercase();
    c.one_of(v, field, &CATEGORIES, Code::Validation2009)
}

/// One of the app's [`AGE_GROUPS`].
fn age_group(c: &mut Checker, raw: &str, field: &str) -> Option<String> {
    c.one_of(
        raw.trim().to_string(),
        field,
        &AGE_GROUPS,
        Code::Validation2001,
    )
}

/// The app's age groups (`AgeGroup.toJson`).
pub const AGE_GROUPS: [&str; 4] = ["18-24", "25-34", "35-44", "45+"];

/// Body of `POST /api/installments` (the app's `Installment.toJson`) and of
/// `PATCH /api/installments/{id}`.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InstallmentInput {
    /// Create: required; 1–200 characters.
    pub item_name: Option<String>,
    /// Create: required.
    pub category: Option<String>,
    /// Create only: required; 0.01 – 100,000,000.00; more than payment_amount × (total_payments − 1).
    pub total_amount: Option<Money>,
    /// Create only: required; 0.01 – 100,000.00.
    pub payment_amount: Option<Money>,
    /// Create only: annual percent 0–100 (default 0); the app's double arithmetic is rounded to
    /// 0.01 %.
    pub interest_rate: Option<RoundedMoney>,
    /// Create only: required; 1–360.
    pub total_payments: Option<i64>,
    /// 0 – total_payments (default 0). On update, raising it records each new payment as a
    /// transaction; lowering it undoes the payments recorded through the app.
    pub payments_made: Option<i64>,
    /// Create only: monthly (default) or biweekly.
    pub payment_frequency: Option<String>,
    /// Create only: required; a date or a date-time (local when without offset).
    pub first_payment_date: Option<String>,
    /// Update only: active (resume a cancelled one), cancelled, completed (only when all is paid).
    pub status: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub notes: Option<Option<String>>,
}

/// A checked create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewInstallment {
    pub item_name: String,
    pub category: String,
    pub total_cents: i64,
    pub payment_cents: i64,
    pub rate_bp: i64,
    pub total_payments: i32,
    pub payments_made: i32,
    pub frequency: Frequency,
    pub first_payment_date: NaiveDate,
    pub notes: Option<String>,
}

/// A checked update (`None` = not given; `notes: Some(None)` clears them).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InstallmentChanges {
    pub item_name: Option<String>,
    pub category: Option<String>,
    pub payments_made: Option<i32>,
    pub status: Option<String>,
    pub notes: Option<Option<String>>,
}

fn to_i32(v: i64) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

impl InstallmentInput {
    /// Checks a create: item name, category, amounts, number of payments and first payment date
    /// are required; the last payment (`total − payment × (n − 1)`) must be positive and at most
    /// a transaction's maximum (each payment becomes a transaction).
    pub fn check_create(&self, tz: Tz) -> Result<NewInstallment> {
        let mut c = Checker::new();
        let item_name = match &self.item_name {
            Some(t) => c.text(t, "body.item_name", 1, 200),
            None => {
                c.missing("body.item_name", Code::Validation2001);
                None
            }
        };
        let category = match &self.category {
            Some(t) => category(&mut c, t, "body.category"),
            None => {
                c.missing("body.category", Code::Validation2009);
                None
            }
        };
        let total = match self.total_amount {
            Some(m) => c.amount(m, "body.total_amount", 1, MAX_TOTAL_CENTS),
            None => {
                c.missing("body.total_amount", Code::Validation2006);
                None
            }
        };
        let payment = match self.payment_amount {
            Some(m) => c.amount(m, "body.payment_amount", 1, MAX_AMOUNT_CENTS),
            None => {
                c.missing("body.payment_amount", Code::Validation2006);
                None
            }
        };
        let rate = match self.interest_rate {
            Some(m) => c.rate(m.0, "body.interest_rate"),
            None => Some(0),
        };
        let count = match self.total_payments {
            Some(n) => c.count(n, "body.total_payments", 1, MAX_PAYMENTS),
            None => {
                c.missing("body.total_payments", Code::Validation2003);
                None
            }
        };
        let made = c.count(
            self.payments_made.unwrap_or(0),
            "body.payments_made",
            0,
            count.unwrap_or(MAX_PAYMENTS),
        );
        let frequency = match self.payment_frequency.as_deref().map(Frequency::parse) {
            None => Some(Frequency::Monthly),
            Some(Some(f)) => Some(f),
            Some(None) => {
                let msg = "must be monthly or biweekly";
                c.fail("body.payment_frequency", "enum", msg, Code::Validation2001);
                None
            }
        };
        let first = match &self.first_payment_date {
            Some(t) => match crate::time::parse_day(t, "body.first_payment_date", tz) {
                Ok(d) => Some(d),
                Err(_) => {
                    let msg = "must be a date (YYYY-MM-DD) or a date-time";
                    c.fail("body.first_payment_date", "date", msg, Code::Validation2007);
                    None
                }
            },
            None => {
                c.missing("body.first_payment_date", Code::Validation2007);
                None
            }
        };
        let notes = match &self.notes {
            Some(Some(n)) => c.text(n, "body.notes", 0, 1000).filter(|n| !n.is_empty()),
            _ => None,
        };
        if let (Some(total), Some(payment), Some(count)) = (total, payment, count) {
            let last = i128::from(total) - i128::from(payment) * i128::from(count - 1);
            if last <= 0 {
                let msg = "must be more than payment_amount × (total_payments − 1): the last payment would be 0 or less";
                c.fail("body.total_amount", "range", msg, Code::Validation2006);
            } else if last > i128::from(MAX_AMOUNT_CENTS) {
                let msg = "leaves a last payment above 100000.00 (each payment is recorded as a transaction)";
                c.fail("body.total_amount", "range", msg, Code::Validation2006);
            }
        }
        let checked = match (
            item_name, category, total, payment, rate, count, made, frequency, first,
        ) {
            (
                Some(item_name),
                Some(category),
                Some(total_cents),
                Some(payment_cents),
                Some(rate_bp),
                Some(count),
                Some(made),
                Some(frequency),
                Some(first_payment_date),
            ) => Some(NewInstallment {
                item_name,
                category,
                total_cents,
                payment_cents,
                rate_bp,
                total_payments: to_i32(count),
                payments_made: to_i32(made),
                frequency,
                first_payment_date,
                notes,
            }),
            _ => None,
        };
        match checked {
            Some(v) => c.finish(v),
            None => c
                .finish(())
                .and_then(|_| Err(Error::Internal("unchecked installment".into()))),
        }
    }

    /// Checks an update: `payments_made` (0 or more; its upper bound is the installment's
    /// number of payments), `status` (`active`, `cancelled`, `completed`), `notes`,
    /// `item_name`, `category`. Other fields are ignored.
    pub fn check_update(&self) -> Result<InstallmentChanges> {
        let mut c = Checker::new();
        let mut out = InstallmentChanges::default();
        if let Some(t) = &self.item_name {
            out.item_name = c.text(t, "body.item_name", 1, 200);
        }
        if let Some(t) = &self.category {
            out.category = category(&mut c, t, "body.category");
        }
        if let Some(n) = self.payments_made {
            out.payments_made = c
                .count(n, "body.payments_made", 0, MAX_PAYMENTS)
                .map(to_i32);
        }
        if let Some(s) = &self.status {
            let s = s.trim().to_ascii_lowercase();
            match s.as_str() {
                "active" | "cancelled" | "completed" => out.status = Some(s),
                "overdue" => c.fail(
                    "body.status",
                    "enum",
                    "overdue is computed from the due dates; use active, cancelled or completed",
                    Code::Validation2001,
                ),
                _ => c.fail(
                    "body.status",
                    "enum",
                    "must be active, cancelled or completed",
                    Code::Validation2001,
                ),
            }
        }
        if let Some(n) = &self.notes {
            out.notes = match n {
                Some(n) => c
                    .text(n, "body.notes", 0, 1000)
                    .map(|t| (!t.is_empty()).then_some(t)),
                None => Some(None),
            };
        }
        c.finish(out)
    }
}

/// Body of `POST /api/installments/profile` (the app's `UserFinancialProfile.toJson`): the
/// profile is replaced by what is sent; a null or absent amount is unknown.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfileInput {
    pub monthly_income: Option<Money>,
    pub current_balance: Option<Money>,
    /// 18-24, 25-34, 35-44, 45+.
    pub age_group: Option<String>,
    pub credit_card_debt: Option<Money>,
    pub credit_card_payment: Option<Money>,
    pub other_loans_payment: Option<Money>,
    pub rent_payment: Option<Money>,
    pub subscriptions_payment: Option<Money>,
    pub planning_mortgage: Option<bool>,
}

/// A checked profile (cents; `None` = unknown).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Profile {
    pub monthly_income: Option<i64>,
    pub current_balance: Option<i64>,
    pub age_group: Option<String>,
    pub credit_card_debt: Option<i64>,
    pub credit_card_payment: Option<i64>,
    pub other_loans_payment: Option<i64>,
    pub rent_payment: Option<i64>,
    pub subscriptions_payment: Option<i64>,
    pub planning_mortgage: bool,
}

impl ProfileInput {
    /// Amounts 0 – 100,000,000.00 (the balance may be negative: an overdrawn account).
    pub fn check(&self) -> Result<Profile> {
        let mut c = Checker::new();
        let mut amount = |m: Option<Money>, field: &str, min: i64| {
            m.and_then(|m| c.amount(m, field, min, MAX_TOTAL_CENTS))
        };
        let mut p = Profile {
            monthly_income: amount(self.monthly_income, "body.monthly_income", 0),
            current_balance: amount(
                self.current_balance,
                "body.current_balance",
                -MAX_TOTAL_CENTS,
            ),
            age_group: None,
            credit_card_debt: amount(self.credit_card_debt, "body.credit_card_debt", 0),
            credit_card_payment: amount(self.credit_card_payment, "body.credit_card_payment", 0),
            other_loans_payment: amount(self.other_loans_payment, "body.other_loans_payment", 0),
            rent_payment: amount(self.rent_payment, "body.rent_payment", 0),
            subscriptions_payment: amount(
                self.subscriptions_payment,
                "body.subscriptions_payment",
                0,
            ),
            planning_mortgage: self.planning_mortgage.unwrap_or(false),
        };
        if let Some(a) = &self.age_group {
            p.age_group = age_group(&mut c, a, "body.age_group");
        }
        c.finish(p)
    }
}

/// Body of `POST /api/installments/calculator` (the app's `InstallmentCalculatorInput.toJson`).
/// Amounts come from the app's double arithmetic (obligations are sums of doubles), so decimals
/// beyond the cent are rounded here (a preview, never a record).
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalculatorInput {
    /// Required; 0.01 – 100,000,000.00.
    pub purchase_amount: Option<RoundedMoney>,
    /// Required: electronics, clothing, furniture, travel, education, health, groceries,
    /// utilities, other.
    pub category: Option<String>,
    /// Required; 1–360 monthly payments.
    pub num_payments: Option<i64>,
    /// Annual percent 0–100 (default 0).
    pub interest_rate: Option<RoundedMoney>,
    /// Else the profile's, else the onboarding income.
    pub monthly_income: Option<RoundedMoney>,
    /// Else the profile's; unknown without either.
    pub current_balance: Option<RoundedMoney>,
    /// 18-24, 25-34, 35-44, 45+.
    pub age_group: Option<String>,
    /// Ignored: the server counts the caller's active installments itself.
    pub active_installments_count: Option<i64>,
    /// Ignored, as `active_installments_count`.
    pub active_installments_monthly: Option<RoundedMoney>,
    /// An amount (the app) or a yes/no flag.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f64>))]
    // f64-ok: the document's number type; the value is never a float here
    pub credit_card_debt: Option<serde_json::Value>,
    /// Else the profile's obligations, else the plan's fixed expenses.
    pub other_monthly_obligations: Option<RoundedMoney>,
    pub planning_mortgage: Option<bool>,
}

/// A checked calculator request (cents; `None` = not sent).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalculatorRequest {
    pub price: i64,
    pub category: String,
    pub payments: u32,
    pub rate_bp: i64,
    pub monthly_income: Option<i64>,
    pub current_balance: Option<i64>,
    pub age_group: Option<String>,
    /// `Some(true)` when the app says there is credit card debt (a positive amount or `true`).
    pub credit_card_debt: Option<bool>,
    pub other_monthly_obligations: Option<i64>,
    pub planning_mortgage: Option<bool>,
}

impl CalculatorInput {
    /// Price 0.01 – 100,000,000.00, 1 – 360 payments, rate 0 – 100 %; income and obligations
    /// at least 0.
    pub fn check(&self) -> Result<CalculatorRequest> {
        let mut c = Checker::new();
        let price = match self.purchase_amount {
            Some(m) => c.amount(m.0, "body.purchase_amount", 1, MAX_TOTAL_CENTS),
            None => {
                c.missing("body.purchase_amount", Code::Validation2006);
                None
            }
        };
        let category = match &self.category {
            Some(t) => category(&mut c, t, "body.category"),
            None => {
                c.missing("body.category", Code::Validation2009);
                None
            }
        };
        let payments = match self.num_payments {
            Some(n) => c.count(n, "body.num_payments", 1, MAX_PAYMENTS),
            None => {
                c.missing("body.num_payments", Code::Validation2003);
                None
            }
        };
        let rate = match self.interest_rate {
            Some(m) => c.rate(m.0, "body.interest_rate"),
            None => Some(0),
        };
        let monthly_income = self
            .monthly_income
            .and_then(|m| c.amount(m.0, "body.monthly_income", 0, MAX_TOTAL_CENTS));
        let current_balance = self.current_balance.and_then(|m| {
            c.amount(
                m.0,
                "body.current_balance",
                -MAX_TOTAL_CENTS,
                MAX_TOTAL_CENTS,
            )
        });
        let other = self
            .other_monthly_obligations
            .and_then(|m| c.amount(m.0, "body.other_monthly_obligations", 0, MAX_TOTAL_CENTS));
        let age_group = self
            .age_group
            .as_deref()
            .and_then(|a| age_group(&mut c, a, "body.age_group"));
        let credit_card_debt = match &self.credit_card_debt {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::Bool(b)) => Some(*b),
            Some(serde_json::Value::Number(n)) => match Money::parse_rounded(&n.to_string()) {
                Ok(m) if m.cents() >= 0 => Some(m.cents() > 0),
                _ => {
                    let msg = "must be an amount of at least 0 (or true/false)";
                    c.fail("body.credit_card_debt", "range", msg, Code::Validation2006);
                    None
                }
            },
            Some(_) => {
                let msg = "must be an amount (or true/false)";
                c.fail("body.credit_card_debt", "type", msg, Code::Validation2006);
                None
            }
        };
        let req = match (price, category, payments, rate) {
            (Some(price), Some(category), Some(payments), Some(rate_bp)) => {
                Some(CalculatorRequest {
                    price,
                    category,
                    payments: u32::try_from(payments).unwrap_or(1),
                    rate_bp,
                    monthly_income,
                    current_balance,
                    age_group,
                    credit_card_debt,
                    other_monthly_obligations: other,
                    planning_mortgage: self.planning_mortgage,
                })
            }
            _ => None,
        };
        match req {
            Some(r) => c.finish(r),
            None => c
                .finish(())
                .and_then(|_| Err(Error::Internal("unchecked calculator input".into()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create(json: &str) -> Result<NewInstallment> {
        serde_json::from_str::<InstallmentInput>(json)
            .unwrap()
            .check_create(Tz::UTC)
    }

    fn fields(e: Error) -> Vec<String> {
        match e {
            Error::Validation { fields, .. } => fields.into_iter().map(|f| f.field).collect(),
            other => panic!("not a validation error: {other}"),
        }
    }

    #[test]
    fn the_apps_own_create_body_is_accepted() {
        let n = create(
            r#"{"id": "", "user_id": "", "item_name": " Laptop ", "category": "electronics", "total_amount": 1200.0,
                "payment_amount": 100.0, "interest_rate": 0.0, "total_payments": 12, "payments_made": 0,
                "payment_frequency": "monthly", "first_payment_date": "2026-12-15T00:00:00.000",
                "next_payment_date": "2026-12-15T00:00:00.000", "final_payment_date": "2027-11-15T00:00:00.000",
                "status": "active", "created_at": "2026-11-10T09:00:00.000", "updated_at": "2026-11-10T09:00:00.000"}"#,
        )
        .unwrap();
        assert_eq!(n.item_name, "Laptop");
        assert_eq!(n.total_cents, 120_000);
        assert_eq!(n.total_payments, 12);
        assert_eq!(
            n.first_payment_date,
            NaiveDate::from_ymd_opt(2026, 12, 15).unwrap()
        );
        assert_eq!(n.frequency, Frequency::Monthly);
    }

    #[test]
    fn refusals_name_their_fields() {
        let e = create(r#"{"category": "yachts", "total_amount": 0, "total_payments": 0}"#)
            .unwrap_err();
        let f = fields(e);
        for want in [
            "body.item_name",
            "body.category",
            "body.total_amount",
            "body.payment_amount",
            "body.total_payments",
            "body.first_payment_date",
        ] {
            assert!(f.contains(&want.to_string()), "{want} in {f:?}");
        }
        let e = create(
            r#"{"item_name": "x", "category": "other", "total_amount": 100, "payment_amount": 60,
                "total_payments": 3, "first_payment_date": "2026-12-01"}"#,
        )
        .unwrap_err();
        assert_eq!(
            fields(e),
            vec!["body.total_amount"],
            "the last payment would be negative"
        );
        let e = create(
            r#"{"item_name": "x", "category": "other", "total_amount": 100, "payment_amount": 50,
                "total_payments": 2, "payments_made": 3, "first_payment_date": "2026-12-01"}"#,
        )
        .unwrap_err();
        assert_eq!(fields(e), vec!["body.payments_made"]);
    }

    #[test]
    fn updates_refuse_a_stored_overdue_status() {
        let u: InstallmentInput = serde_json::from_str(r#"{"status": "overdue"}"#).unwrap();
        assert_eq!(fields(u.check_update().unwrap_err()), vec!["body.status"]);
        let u: InstallmentInput =
            serde_json::from_str(r#"{"payments_made": 3, "notes": null}"#).unwrap();
        let c = u.check_update().unwrap();
        assert_eq!(c.payments_made, Some(3));
        assert_eq!(c.notes, Some(None));
    }

    #[test]
    fn the_calculator_rounds_double_noise_and_reads_card_debt_as_amount_or_flag() {
        let c: CalculatorInput = serde_json::from_str(
            r#"{"purchase_amount": 1200.0, "category": "electronics", "num_payments": 4, "interest_rate": 0.0,
                "other_monthly_obligations": 0.30000000000000004, "credit_card_debt": 250.5}"#,
        )
        .unwrap();
        let r = c.check().unwrap();
        assert_eq!(r.other_monthly_obligations, Some(30));
        assert_eq!(r.credit_card_debt, Some(true));
        let c: CalculatorInput = serde_json::from_str(
            r#"{"purchase_amount": 10, "category": "other", "num_payments": 4, "credit_card_debt": false}"#,
        )
        .unwrap();
        assert_eq!(c.check().unwrap().credit_card_debt, Some(false));
        let c: CalculatorInput = serde_json::from_str(
            r#"{"category": "other", "num_payments": 0, "interest_rate": 120}"#,
        )
        .unwrap();
        assert_eq!(
            fields(c.check().unwrap_err()),
            vec![
                "body.purchase_amount",
                "body.num_payments",
                "body.interest_rate"
            ]
        );
    }
}
