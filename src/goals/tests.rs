//! The advisory formulas on hand-made facts (docs/goals.md §5).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::facts::{Facts, PlanSums};
use super::{GoalRow, advice, budget, suggestions};
use crate::budget::PlanCategory;
use crate::id::Id;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn goal(
    title: &str,
    priority: &str,
    target: i64,
    saved: i64,
    date: Option<NaiveDate>,
    contribution: i64,
) -> GoalRow {
    GoalRow {
        id: Id::new(),
        user_id: Id::new(),
        title: title.into(),
        description: None,
        category: None,
        target_amount_cents: target,
        saved_amount_cents: saved,
        monthly_contribution_cents: Some(contribution),
        currency: "USD".into(),
        status: "active".into(),
        priority: priority.into(),
        target_date: date,
        goal_milestones_notified: 0,
        created_at: 0,
        updated_at: 0,
        completed_at: None,
        deleted_at: None,
    }
}

fn facts(goals: Vec<GoalRow>, plan: &[(PlanCategory, i64)]) -> Facts {
    let mut goals = goals;
    goals.sort_by_key(super::math::importance);
    Facts {
        today: day(2026, 11, 10),
        year: 2026,
        month: 11,
        income: 300_000,
        savings_goal: 20_000,
        goals,
        plan: plan
            .iter()
            .map(|(c, p)| {
                (
                    *c,
                    PlanSums {
                        planned_month: *p,
                        planned_to_date: *p / 3,
                        spent_to_date: 0,
                    },
                )
            })
            .collect::<BTreeMap<_, _>>(),
        spent_30d: BTreeMap::from([(PlanCategory::Entertainment, 50_000)]),
    }
}

#[test]
fn the_most_important_goal_is_funded_first_and_shortfalls_are_suggested_away() {
    // Income 3000, planned 2800: 200 for goals. A high goal needs 150 a month (no date, its
    // contribution), a low one 100.
    let f = facts(
        vec![
            goal("low", "low", 100_000, 0, None, 10_000),
            goal("high", "high", 100_000, 0, None, 15_000),
        ],
        &[
            (PlanCategory::Rent, 200_000),
            (PlanCategory::Entertainment, 40_000),
            (PlanCategory::Shopping, 40_000),
        ],
    );
    let a = budget::allocate(&f);
    assert_eq!(a.available_for_goals.cents(), 20_000);
    let got: Vec<(&str, i64, bool)> = a
        .allocations
        .iter()
        .map(|x| (x.title.as_str(), x.allocated.cents(), x.fully_funded))
        .collect();
    assert_eq!(got, vec![("high", 15_000, true), ("low", 5_000, false)]);
    assert_eq!(a.unallocated.cents(), 0);

    let s = budget::adjustment_suggestions(&f);
    let kinds: Vec<&str> = s.iter().map(|x| x.kind).collect();
    assert_eq!(kinds, vec!["extend_target_date", "reduce_category"]);
    // 1000 missing at 50 a month: 20 months.
    assert_eq!(s[0].suggested_target_date.as_deref(), Some("2028-07-11"));
    // Shortfall 50: a quarter of the larger flexible category, capped at the shortfall.
    assert_eq!(s[1].amount.map(|m| m.cents()), Some(5_000));
    assert_eq!(
        advice::smart(&f)
            .iter()
            .filter(|x| x.kind == "too_many_goals")
            .count(),
        1
    );
}

#[test]
fn opportunities_point_at_the_top_goal_and_sort_by_amount() {
    let top = goal("top", "high", 100_000, 0, Some(day(2027, 11, 10)), 0);
    let f = facts(
        vec![goal("other", "medium", 1_000, 0, None, 0), top.clone()],
        &[(PlanCategory::Food, 30_000), (PlanCategory::Rent, 100_000)],
    );
    let o = advice::opportunities(&f);
    assert!(o.iter().all(|x| x.goal_id == Some(top.id)));
    let amounts: Vec<i64> = o
        .iter()
        .filter_map(|x| x.amount.map(|m| m.cents()))
        .collect();
    let mut sorted = amounts.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(amounts, sorted);
    // Food: 100 planned to date, nothing spent; entertainment: 10 % of 500.
    assert!(o.iter().any(|x| x.kind == "underspent_category" && x.amount.map(|m| m.cents()) == Some(10_000)));
    assert!(
        o.iter()
            .any(|x| x.kind == "reduce_spending" && x.amount.map(|m| m.cents()) == Some(5_000))
    );
    assert!(
        o.iter().all(|x| x.category != Some(PlanCategory::Rent)),
        "fixed categories give nothing"
    );
}

#[test]
fn income_suggestions_follow_the_tier_and_skip_categories_the_user_has() {
    let mut emergency = goal("e", "high", 1_000, 0, None, 0);
    emergency.category = Some("Emergency".into());
    let f = facts(vec![emergency], &[]);
    let s = suggestions::income_based(&f);
    // 36,000 a year is the low tier: 10 %.
    assert_eq!(s.recommended_savings_rate.to_string(), "10.00");
    assert_eq!(s.recommended_monthly_savings.cents(), 30_000);
    let titles: Vec<&str> = s.suggestions.iter().map(|x| x.title).collect();
    assert_eq!(titles, vec!["Start investing", "Vacation fund"]);
    assert_eq!(s.suggestions[1].target_amount.cents(), 150_000);
}
