//! The onboarding questions the app shows (`GET /api/onboarding/questions`): a static,
//! structured list whose `field` paths match the body of `POST /api/onboarding/submit`.

use serde::Serialize;

/// The kind of answer a question expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerKind {
    /// An amount of money (number or string, at most two decimals).
    Money,
    /// A whole count.
    Count,
    /// Free text.
    Text,
    /// An IANA timezone name.
    Timezone,
}

/// One question.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Question {
    /// Stable identifier.
    pub id: &'static str,
    /// Group shown together: income, fixed_expenses, spending_habits, goals, profile.
    pub section: &'static str,
    /// Where the answer goes in the submit body (dotted path).
    pub field: &'static str,
    #[serde(rename = "type")]
    pub kind: AnswerKind,
    pub label: &'static str,
    pub required: bool,
    /// Smallest accepted value (money in currency units, counts as whole numbers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<u32>,
    /// Largest accepted value (counts) or length (text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
}

const fn q(
    id: &'static str,
    section: &'static str,
    field: &'static str,
    kind: AnswerKind,
    label: &'static str,
    required: bool,
    max: Option<u32>,
) -> Question {
    Question {
        id,
        section,
        field,
        kind,
        label,
        required,
        min: Some(0),
        max,
    }
}

/// Largest count accepted for a spending habit.
pub const MAX_HABIT_COUNT: u32 = 1000;
/// Longest region name accepted.
pub const MAX_REGION_CHARS: u32 = 100;

const H: Option<u32> = Some(MAX_HABIT_COUNT);

/// The onboarding questions, in the order the app asks them.
pub fn questions() -> Vec<Question> {
    use AnswerKind::{Count, Money, Text, Timezone};
    vec![
        q(
            "monthly_income",
            "income",
            "income.monthly_income",
            Money,
            "What is your monthly take-home income?",
            true,
            None,
        ),
        q(
            "additional_income",
            "income",
            "income.additional_income",
            Money,
            "Any additional monthly income?",
            false,
            None,
        ),
        q(
            "rent",
            "fixed_expenses",
            "fixed_expenses.rent",
            Money,
            "Monthly rent",
            false,
            None,
        ),
        q(
            "mortgage",
            "fixed_expenses",
            "fixed_expenses.mortgage",
            Money,
            "Monthly mortgage payment",
            false,
            None,
        ),
        q(
            "utilities",
            "fixed_expenses",
            "fixed_expenses.utilities",
            Money,
            "Utilities (power, water, internet)",
            false,
            None,
        ),
        q(
            "insurance",
            "fixed_expenses",
            "fixed_expenses.insurance",
            Money,
            "Insurance premiums",
            false,
            None,
        ),
        q(
            "subscriptions",
            "fixed_expenses",
            "fixed_expenses.subscriptions",
            Money,
            "Subscriptions",
            false,
            None,
        ),
        q(
            "education",
            "fixed_expenses",
            "fixed_expenses.education",
            Money,
            "Education",
            false,
            None,
        ),
        q(
            "childcare",
            "fixed_expenses",
            "fixed_expenses.childcare",
            Money,
            "Childcare",
            false,
            None,
        ),
        q(
            "debt_payments",
            "fixed_expenses",
            "fixed_expenses.debt_payments",
            Money,
            "Loan and car payments",
            false,
            None,
        ),
        q(
            "dining_out_per_month",
            "spending_habits",
            "spending_habits.dining_out_per_month",
            Count,
            "How often do you eat out per month?",
            false,
            H,
        ),
        q(
            "coffee_per_week",
            "spending_habits",
            "spending_habits.coffee_per_week",
            Count,
            "How many coffees do you buy per week?",
            false,
            H,
        ),
        q(
            "transport_per_month",
            "spending_habits",
            "spending_habits.transport_per_month",
            Count,
            "How many paid trips (taxi, transit, fuel) per month?",
            false,
            H,
        ),
        q(
            "entertainment_per_month",
            "spending_habits",
            "spending_habits.entertainment_per_month",
            Count,
            "How many outings (cinema, events) per month?",
            false,
            H,
        ),
        q(
            "clothing_per_month",
            "spending_habits",
            "spending_habits.clothing_per_month",
            Count,
            "How many shopping trips per month?",
            false,
            H,
        ),
        q(
            "travel_per_year",
            "spending_habits",
            "spending_habits.travel_per_year",
            Count,
            "How many trips do you take per year?",
            false,
            H,
        ),
        q(
            "savings_goal",
            "goals",
            "goals.savings_goal_amount_per_month",
            Money,
            "How much do you want to save each month?",
            false,
            None,
        ),
        q(
            "region",
            "profile",
            "region",
            Text,
            "Where do you live (region or state)?",
            false,
            Some(MAX_REGION_CHARS),
        ),
        Question {
            min: None,
            ..q(
                "timezone",
                "profile",
                "timezone",
                Timezone,
                "Your timezone",
                false,
                None,
            )
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fixed_expense_question_is_a_sacred_category() {
        use crate::budget::PlanCategory;
        for question in questions().iter().filter(|q| q.section == "fixed_expenses") {
            let category: PlanCategory = question.id.parse().unwrap();
            assert!(category.is_sacred() && category != PlanCategory::GoalSavings);
        }
        assert_eq!(questions().iter().filter(|q| q.required).count(), 1);
    }
}
