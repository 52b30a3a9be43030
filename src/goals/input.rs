//! Goal create/update bodies and their checks. Unknown fields (`id`, `progress`, `user_id`...)
//! are ignored, never applied; `current_amount` and `deadline` are accepted as aliases of
//! `saved_amount` and `target_date`.

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::Deserialize;

use super::{CATEGORIES, MAX_GOAL_CENTS};
use crate::error::{Code, Error, Result};
use crate::input::{Checker, nullable};
use crate::money::Money;

/// Body of `POST /api/goals` (all fields) and `PATCH /api/goals/{id}` (any).
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GoalInput {
    /// Required on create.
    pub title: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub category: Option<Option<String>>,
    /// Required on create; > 0.
    pub target_amount: Option<Money>,
    pub saved_amount: Option<Money>,
    /// Alias of `saved_amount`.
    pub current_amount: Option<Money>,
    #[serde(default, deserialize_with = "nullable")]
    pub monthly_contribution: Option<Option<Money>>,
    /// YYYY-MM-DD; not in the past.
    #[serde(default, deserialize_with = "nullable")]
    pub target_date: Option<Option<String>>,
    /// Alias of `target_date`.
    #[serde(default, deserialize_with = "nullable")]
    pub deadline: Option<Option<String>>,
    pub priority: Option<String>,
    /// Update only: a state move (400 when not allowed).
    pub status: Option<String>,
}

/// Checked values (outer `None` = not given; `Some(None)` = cleared).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GoalChanges {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub category: Option<Option<String>>,
    pub target_cents: Option<i64>,
    pub saved_cents: Option<i64>,
    pub contribution_cents: Option<Option<i64>>,
    pub target_date: Option<Option<NaiveDate>>,
    pub priority: Option<String>,
    pub status: Option<String>,
}

/// A goal amount from `min` cents up to [`MAX_GOAL_CENTS`].
fn amount(c: &mut Checker, m: Money, field: &str, min: i64) -> Option<i64> {
    if m.cents() < min || m.cents() > MAX_GOAL_CENTS {
        let lower = if min > 0 { "above 0" } else { "at least 0" };
        let msg = format!("must be {lower} and at most 100000000.00");
        c.fail(field, "range", &msg, Code::Validation2006);
        return None;
    }
    Some(m.cents())
}

/// The canonical spelling of a goal category (case-insensitive match), if it is one.
pub fn canonical_category(raw: &str) -> Option<&'static str> {
    CATEGORIES
        .iter()
        .find(|c| c.eq_ignore_ascii_case(raw.trim()))
        .copied()
}

impl GoalInput {
    /// Validates every given field. `create` requires `title` and `target_amount`; a target date
    /// must not be before `today` (the user's) nor more than 100 years ahead.
    pub fn check(&self, create: bool, today: NaiveDate, tz: Tz) -> Result<GoalChanges> {
        let mut c = Checker::new();
        let mut out = GoalChanges::default();
        match &self.title {
            Some(t) => out.title = c.text(t, "body.title", 1, 200),
            None if create => c.fail(
                "body.title",
                "missing",
                "field required",
                Code::Validation2001,
            ),
            None => {}
        }
        if let Some(d) = &self.description {
            out.description = match d {
                Some(d) => c.text(d, "body.description", 0, 1000).map(Some),
                None => Some(None),
            };
        }
        if let Some(cat) = &self.category {
            out.category = match cat.as_deref().map(canonical_category) {
                Some(Some(canonical)) => Some(Some(canonical.to_string())),
                Some(None) => {
                    let msg = "must be one of Savings, Travel, Emergency, Technology, Education, Health, Home, Vehicle, Investment, Other";
                    c.fail("body.category", "enum", msg, Code::Validation2009);
                    None
                }
                None => Some(None),
            };
        }
        match self.target_amount {
            Some(m) => out.target_cents = amount(&mut c, m, "body.target_amount", 1),
            None if create => c.fail(
                "body.target_amount",
                "missing",
                "field required",
                Code::Validation2006,
            ),
            None => {}
        }
        if let Some(m) = self.saved_amount.or(self.current_amount) {
            out.saved_cents = amount(&mut c, m, "body.saved_amount", 0);
        }
        if let Some(m) = &self.monthly_contribution {
            out.contribution_cents = match m {
                Some(m) => amount(&mut c, *m, "body.monthly_contribution", 0).map(Some),
                None => Some(None),
            };
        }
        if let Some(d) = self.target_date.as_ref().or(self.deadline.as_ref()) {
            out.target_date = match d {
                None => Some(None),
                Some(text) => match crate::time::parse_day(text, "body.target_date", tz) {
                    Ok(day) if day < today => {
                        let msg = "must not be in the past";
                        c.fail("body.target_date", "range", msg, Code::Validation2007);
                        None
                    }
                    Ok(day) if (day - today).num_days() > 36_600 => {
                        let msg = "must be within 100 years";
                        c.fail("body.target_date", "range", msg, Code::Validation2007);
                        None
                    }
                    Ok(day) => Some(Some(day)),
                    Err(_) => {
                        let msg = "must be a date (YYYY-MM-DD)";
                        c.fail("body.target_date", "date", msg, Code::Validation2007);
                        None
                    }
                },
            };
        }
        if let Some(p) = &self.priority {
            let p = p.trim().to_ascii_lowercase();
            if matches!(p.as_str(), "high" | "medium" | "low") {
                out.priority = Some(p);
            } else {
                let msg = "must be high, medium or low";
                c.fail("body.priority", "enum", msg, Code::Validation2001);
            }
        }
        if let Some(s) = &self.status {
            let s = s.trim().to_ascii_lowercase();
            if matches!(s.as_str(), "active" | "paused" | "completed" | "cancelled") {
                out.status = Some(s);
            } else {
                let msg = "must be active, paused, completed or cancelled";
                c.fail("body.status", "enum", msg, Code::Validation2001);
            }
        }
        c.finish(out)
    }
}

/// Body of `add_savings` and `auto_transfer`: `{amount > 0}`.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AmountInput {
    /// Required; > 0, at most 2 decimals.
    pub amount: Option<Money>,
}

impl AmountInput {
    /// The amount in cents: 0.01 – 100,000,000.00.
    pub fn check(&self, max_cents: i64) -> Result<i64> {
        match self.amount {
            Some(m) if m.cents() >= 1 && m.cents() <= max_cents => Ok(m.cents()),
            Some(_) => Err(Error::invalid(
                Code::Validation2006,
                "body.amount",
                "range",
                format!("must be between 0.01 and {}", Money::from_cents(max_cents)),
            )),
            None => Err(Error::invalid(
                Code::Validation2006,
                "body.amount",
                "missing",
                "field required",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    fn parse(json: &str) -> GoalInput {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn create_needs_a_title_and_a_positive_target() {
        assert!(parse("{}").check(true, today(), Tz::UTC).is_err());
        assert!(
            parse(r#"{"title": "Bike", "target_amount": 0}"#)
                .check(true, today(), Tz::UTC)
                .is_err()
        );
        let ok = parse(r#"{"title": " Bike ", "target_amount": "500.5", "deadline": "2027-01-01", "category": "travel"}"#)
            .check(true, today(), Tz::UTC)
            .unwrap();
        assert_eq!(ok.title.as_deref(), Some("Bike"));
        assert_eq!(ok.target_cents, Some(50_050));
        assert_eq!(ok.category, Some(Some("Travel".into())));
        assert_eq!(
            ok.target_date,
            Some(Some(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()))
        );
    }

    #[test]
    fn past_dates_unknown_categories_and_bad_priorities_are_refused() {
        for body in [
            r#"{"target_date": "2020-01-01"}"#,
            r#"{"category": "Yachts"}"#,
            r#"{"priority": "urgent"}"#,
            r#"{"status": "archived"}"#,
            r#"{"saved_amount": -1}"#,
            r#"{"title": ""}"#,
        ] {
            assert!(
                parse(body).check(false, today(), Tz::UTC).is_err(),
                "{body}"
            );
        }
    }

    #[test]
    fn null_clears_and_absent_keeps() {
        let c = parse(r#"{"target_date": null, "description": null}"#)
            .check(false, today(), Tz::UTC)
            .unwrap();
        assert_eq!(c.target_date, Some(None));
        assert_eq!(c.description, Some(None));
        assert_eq!(c.category, None);
    }
}
