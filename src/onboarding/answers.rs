//! The submitted onboarding answers: the body of `POST /api/onboarding/submit`, its checks,
//! and the normalised form stored in `onboarding_answers.answers`.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use super::questions;
use crate::budget::PlanCategory;
use crate::budget::allocation::SpendingHabits;
use crate::error::{Code, Error, FieldError, Result};
use crate::money::Money;
use crate::users;

/// `income` of the submit body.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Income {
    /// > 0.
    pub monthly_income: Money,
    #[serde(default)]
    pub additional_income: Money,
}

/// `goals` of the submit body.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Goals {
    #[serde(default)]
    pub savings_goal_amount_per_month: Money,
}

/// `POST /api/onboarding/submit` body (amounts are numbers or strings with at most 2 decimals).
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Submission {
    #[serde(deserialize_with = "object")]
    pub income: Income,
    /// `{category: amount}`; keys: rent, mortgage, utilities, insurance, subscriptions,
    /// education, childcare, debt_payments, and the app's own `internet` (into utilities),
    /// `car_payment` and `loan_payment` (into debt_payments); keys landing on one category are
    /// added up.
    #[serde(default)]
    pub fixed_expenses: BTreeMap<String, Money>,
    /// Counts 0–1000.
    #[serde(default, deserialize_with = "object")]
    pub spending_habits: SpendingHabits,
    #[serde(default, deserialize_with = "object")]
    pub goals: Goals,
    pub region: Option<String>,
    /// IANA timezone name.
    pub timezone: Option<String>,
}

/// Deserialises a struct from a JSON object only (serde alone also accepts an array of the
/// struct's fields, which is never a meaningful answer).
fn object<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> std::result::Result<T, D::Error> {
    struct ObjectVisitor<T>(PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> std::result::Result<T, A::Error> {
            T::deserialize(MapAccessDeserializer::new(map))
        }
    }
    d.deserialize_map(ObjectVisitor(PhantomData))
}

/// The answers as stored (`onboarding_answers.answers`): checked and normalised.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct Answers {
    pub income: Income,
    pub fixed_expenses: BTreeMap<PlanCategory, Money>,
    #[serde(default)]
    pub spending_habits: SpendingHabits,
    #[serde(default)]
    pub goals: Goals,
    pub region: Option<String>,
    pub timezone: Option<String>,
}

impl Submission {
    /// Checks everything that does not need the database; returns the normalised answers.
    pub fn check(self) -> Result<Answers> {
        let mut errors = Vec::new();
        let mut fixed = BTreeMap::new();
        for (key, amount) in self.fixed_expenses {
            // The key is not echoed: it is user input of any length.
            let Some(category) = PlanCategory::from_fixed_expense_key(&key) else {
                errors.push(FieldError::new(
                    "body.fixed_expenses",
                    "category",
                    PlanCategory::FIXED_EXPENSE_KEYS,
                ));
                continue;
            };
            // `internet` and `utilities` (or car and loan payments) share one plan category.
            let total: &mut Money = fixed.entry(category).or_default();
            match total.checked_add(amount) {
                Some(sum) => *total = sum,
                None => errors.push(FieldError::new(
                    "body.fixed_expenses",
                    "range",
                    "is out of range",
                )),
            }
        }
        let h = &self.spending_habits;
        let counts = [
            h.dining_out_per_month,
            h.coffee_per_week,
            h.transport_per_month,
            h.entertainment_per_month,
            h.clothing_per_month,
            h.travel_per_year,
        ];
        if counts.iter().any(|n| *n > questions::MAX_HABIT_COUNT) {
            errors.push(FieldError::new(
                "body.spending_habits",
                "range",
                "counts must be at most 1000",
            ));
        }
        let region = self
            .region
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty());
        let max_region = usize::try_from(questions::MAX_REGION_CHARS).unwrap_or(100);
        if region
            .as_ref()
            .is_some_and(|r| r.chars().count() > max_region || r.chars().any(char::is_control))
        {
            errors.push(FieldError::new(
                "body.region",
                "length",
                "must be at most 100 printable characters",
            ));
        }
        let timezone = match self
            .timezone
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            Some(t) if t.len() <= 64 => match users::parse_timezone(t, "body.timezone") {
                Ok(tz) => Some(tz),
                Err(Error::Validation { fields, .. }) => {
                    errors.extend(fields);
                    None
                }
                Err(e) => return Err(e),
            },
            Some(_) => {
                errors.push(FieldError::new(
                    "body.timezone",
                    "timezone",
                    "must be an IANA timezone such as Europe/Berlin",
                ));
                None
            }
            None => None,
        };
        if !errors.is_empty() {
            return Err(Error::Validation {
                code: Code::Validation2001,
                message: "Request validation failed".into(),
                fields: errors,
            });
        }
        Ok(Answers {
            income: self.income,
            fixed_expenses: fixed,
            spending_habits: self.spending_habits,
            goals: self.goals,
            region,
            timezone,
        })
    }
}
