use crate::error::Code;
use serde_json::json;

use super::*;

fn shell_req(body: serde_json::Value) -> ShellRequest {
    serde_json::from_value(body).unwrap()
}

#[test]
fn a_weighted_shell_allocates_exactly_and_every_category_adds_up() {
    let req = shell_req(
        json!({"income": 3000, "savings_target": 300, "fixed": {"rent": 1000},
        "weights": {"food": 0.2, "transportation": "10", "entertainment": 5}, "year": 2026, "month": 2}),
    );
    let out = shell(&req, (2026, 1)).unwrap();
    assert_eq!((out.year, out.month), (2026, 2));
    assert_eq!(out.calendar.len(), 28);
    assert_eq!(out.allocations[&PlanCategory::Food].cents(), 60_000);
    assert_eq!(
        out.allocations[&PlanCategory::Transportation].cents(),
        30_000
    );
    assert_eq!(
        out.allocations[&PlanCategory::Entertainment].cents(),
        15_000
    );
    assert_eq!(out.allocations[&PlanCategory::Rent].cents(), 100_000);
    assert_eq!(out.unallocated.cents(), 170_000 - 105_000);
    for (category, amount) in &out.allocations {
        let laid: i64 = out
            .calendar
            .iter()
            .filter_map(|d| d.planned_budget.get(category))
            .map(|c| c.planned.cents())
            .sum();
        assert_eq!(laid, amount.cents(), "{category}");
    }
}

#[test]
fn weights_above_the_discretionary_budget_scale_down_exactly() {
    let req = shell_req(
        json!({"income": 1000, "fixed": {"rent": 900}, "weights": {"food": 50, "other": 0.5}}),
    );
    let out = shell(&req, (2026, 4)).unwrap();
    let variable: i64 = out
        .allocations
        .iter()
        .filter(|(c, _)| !c.is_sacred())
        .map(|(_, m)| m.cents())
        .sum();
    assert_eq!(variable, 10_000);
    assert_eq!(out.unallocated.cents(), 0);
}

#[test]
fn shell_refuses_bad_keys_weights_and_fixed_above_income() {
    for body in [
        json!({"income": 1000, "fixed": {"food": 1}}),
        json!({"income": 1000, "weights": {"rent": 0.1}}),
        json!({"income": 1000, "weights": {"food": -0.1}}),
        json!({"income": 1000, "weights": {"food": 60, "other": 50}}),
        json!({"income": 1000, "weights": {"food": true}}),
        json!({"income": 1000, "month": 13}),
        json!({"income": 0}),
    ] {
        assert!(
            matches!(
                shell(&shell_req(body.clone()), (2026, 1)),
                Err(Error::Validation { .. })
            ),
            "{body}"
        );
    }
    let err = shell(
        &shell_req(json!({"income": 1000, "fixed": {"rent": "1000.01"}})),
        (2026, 1),
    )
    .unwrap_err();
    assert!(matches!(
        err,
        Error::Business {
            code: Code::Business4001,
            ..
        }
    ));
}

#[test]
fn balance_moves_surplus_to_overspent_days_and_conserves_the_total() {
    let req: RedistributeRequest = serde_json::from_value(json!({"calendar": {
        "1": {"total": 50, "limit": 100}, "2": {"total": 130, "limit": 100},
        "3": {"total": 90, "limit": 100}, "4": {"total": 100, "limit": 100}}}))
    .unwrap();
    let out = redistribute(&req).unwrap();
    assert_eq!(out.moved.cents(), 3_000);
    let limits: Vec<i64> = out
        .updated_calendar
        .values()
        .map(|d| d.limit.cents())
        .collect();
    assert_eq!(limits.iter().sum::<i64>(), 40_000, "Σ limits unchanged");
    assert_eq!(out.updated_calendar["2"].limit.cents(), 13_000);
    // 50 and 10 of surplus give 30 in proportion: 25 and 5.
    assert_eq!(out.updated_calendar["1"].limit.cents(), 7_500);
    assert_eq!(out.updated_calendar["3"].limit.cents(), 9_500);
    assert_eq!(out.updated_calendar["4"].limit.cents(), 10_000);
}

#[test]
fn balance_with_too_little_surplus_gives_everything_it_has() {
    let req: RedistributeRequest = serde_json::from_value(json!({"strategy": "balance", "calendar": {
        "a": {"total": 90, "limit": 100}, "b": {"total": 200, "limit": 100}, "c": {"total": 130, "limit": 100}}})).unwrap();
    let out = redistribute(&req).unwrap();
    assert_eq!(out.moved.cents(), 1_000);
    assert_eq!(out.updated_calendar["a"].limit.cents(), 9_000);
    let given: i64 =
        out.updated_calendar["b"].limit.cents() + out.updated_calendar["c"].limit.cents() - 20_000;
    assert_eq!(given, 1_000);
}

#[test]
fn unknown_strategies_and_negative_amounts_are_refused() {
    let bad: RedistributeRequest =
        serde_json::from_value(json!({"strategy": "greedy", "calendar": {}})).unwrap();
    assert!(redistribute(&bad).is_err());
    let neg: RedistributeRequest =
        serde_json::from_value(json!({"calendar": {"1": {"total": -1, "limit": 1}}})).unwrap();
    assert!(redistribute(&neg).is_err());
}
