use serde_json::json;

use super::*;
use crate::budget::PlanCategory;

fn submission(body: serde_json::Value) -> Submission {
    serde_json::from_value(body).unwrap()
}

#[test]
fn answers_are_normalised_and_fixed_keys_must_be_sacred() {
    let a = submission(json!({"income": {"monthly_income": 6000}, "fixed_expenses": {"Rent": 1500, "utilities": "200"},
        "region": "  Bavaria ", "timezone": "Europe/Berlin"}))
    .check()
    .unwrap();
    assert_eq!(a.fixed_expenses[&PlanCategory::Rent].cents(), 150_000);
    assert_eq!(a.region.as_deref(), Some("Bavaria"));
    assert_eq!(a.timezone.as_deref(), Some("Europe/Berlin"));
    for bad in [
        json!({"income": {"monthly_income": 1}, "fixed_expenses": {"food": 1}}),
        json!({"income": {"monthly_income": 1}, "fixed_expenses": {"goal_savings": 1}}),
        json!({"income": {"monthly_income": 1}, "timezone": "Mars/Olympus"}),
        json!({"income": {"monthly_income": 1}, "region": "x".repeat(101)}),
        json!({"income": {"monthly_income": 1}, "spending_habits": {"coffee_per_week": 1001}}),
    ] {
        assert!(
            matches!(
                submission(bad.clone()).check(),
                Err(Error::Validation { .. })
            ),
            "{bad}"
        );
    }
}

#[test]
fn stored_answers_round_trip_through_json() {
    let a = submission(json!({"income": {"monthly_income": "6000.10", "additional_income": 5},
        "fixed_expenses": {"rent": 1500}, "spending_habits": {"coffee_per_week": 3}, "goals": {"savings_goal_amount_per_month": 400}}))
    .check()
    .unwrap();
    let text = serde_json::to_string(&a).unwrap();
    assert_eq!(serde_json::from_str::<Answers>(&text).unwrap(), a);
    let plan = plan_for(&a).unwrap();
    let text = serde_json::to_string(&plan).unwrap();
    assert_eq!(serde_json::from_str::<BudgetPlan>(&text).unwrap(), plan);
}

#[test]
fn sections_must_be_objects_not_arrays() {
    assert!(serde_json::from_str::<Submission>(r#"{"income": [6000]}"#).is_err());
    assert!(
        serde_json::from_str::<Submission>(r#"{"income": {"monthly_income": 1}, "goals": [5]}"#)
            .is_err()
    );
    let ok: Submission =
        serde_json::from_str(r#"{"income": {"monthly_income": 6000.10}, "goals": {}}"#).unwrap();
    assert_eq!(ok.income.monthly_income.cents(), 600_010);
}
