//! The advisory formulas on hand-made facts (docs/goals.md §5).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use chrono_tz::Tz;

use super::facts::{Facts, PlanSums};
use super::math::after_months;
use super::{GoalRow, MAX_GOAL_CENTS, advice, budget, health, suggestions};
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
    assert_eq!(s.savings.recommended_savings_rate.to_string(), "10.00");
    assert_eq!(s.savings.recommended_monthly_savings.cents(), 30_000);
    let titles: Vec<&str> = s.suggestions.iter().map(|x| x.title).collect();
    assert_eq!(titles, vec!["Start investing", "Vacation fund"]);
    assert_eq!(s.suggestions[1].target_amount.cents(), 150_000);
    for x in &s.suggestions {
        assert_eq!(x.description, x.reason);
        assert_eq!(x.monthly_target, x.monthly_contribution);
    }
}

#[test]
fn smart_recommendations_are_new_goals_the_app_can_create_as_they_are() {
    // Income 3000 (low tier, 10 %: 300 a month), no plan: essentials = half the income.
    let f = facts(vec![], &[]);
    let r = advice::smart_recommendations(&f);
    let got: Vec<(&str, &str, &str, i64, i64)> = r
        .recommendations
        .iter()
        .map(|p| {
            (
                p.kind,
                p.category,
                p.priority,
                p.target_amount.cents(),
                p.monthly_contribution.cents(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("emergency_fund", "Emergency", "high", 900_000, 15_000),
            ("start_investing", "Investment", "medium", 108_000, 9_000),
            ("vacation_fund", "Travel", "low", 150_000, 6_000),
        ]
    );
    let first = &r.recommendations[0];
    assert_eq!(first.description, first.reasoning);
    assert_eq!(first.months_to_goal, Some(60));
    assert_eq!(
        first.suggested_deadline,
        Some(after_months(f.today, 60).to_string())
    );
    for p in &r.recommendations {
        let checked = p.as_goal_input().check(true, f.today, Tz::UTC).unwrap();
        assert_eq!(checked.category, Some(Some(p.category.to_string())));
    }
    // The advice about the (missing) goals is kept beside them.
    assert_eq!(
        r.advice.iter().map(|a| a.kind).collect::<Vec<_>>(),
        vec!["create_first_goal"]
    );

    // A proposal the goal checks would refuse (a target above 100,000,000.00) is left out.
    let rich = Facts {
        income: MAX_GOAL_CENTS,
        ..facts(vec![], &[])
    };
    let r = advice::smart_recommendations(&rich);
    assert!(!r.recommendations.is_empty());
    assert!(
        r.recommendations
            .iter()
            .all(|p| p.target_amount.cents() <= MAX_GOAL_CENTS),
        "{:?}",
        r.recommendations
    );
    assert!(r.recommendations.iter().all(|p| p.kind != "emergency_fund"));

    // No income, nothing to size a goal from.
    let broke = Facts {
        income: 0,
        ..facts(vec![], &[])
    };
    assert!(
        advice::smart_recommendations(&broke)
            .recommendations
            .is_empty()
    );
}

#[test]
fn adjustments_carry_the_current_and_suggested_monthly_and_the_date_in_their_text() {
    let late_idle = goal(
        "late idle",
        "high",
        100_000,
        10_000,
        Some(day(2026, 11, 1)),
        0,
    );
    let late_saving = goal(
        "late saving",
        "high",
        100_000,
        0,
        Some(day(2026, 11, 2)),
        20_000,
    );
    // 1000 over 365 days needs 83.40 a month; 50 a month finishes in 20 months.
    let behind = goal(
        "behind",
        "medium",
        100_000,
        0,
        Some(day(2027, 11, 10)),
        5_000,
    );
    let f = facts(vec![late_idle, late_saving, behind], &[]);
    let a = advice::adjustments(&f);
    let got: Vec<(&str, &str, i64, i64)> = a
        .iter()
        .map(|x| {
            (
                x.kind,
                x.goal_title.as_deref().unwrap(),
                x.current_monthly.unwrap().cents(),
                x.suggested_monthly.unwrap().cents(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            // 900 missing without a contribution: a third a month (3 months).
            ("overdue", "late idle", 0, 30_000),
            ("overdue", "late saving", 20_000, 20_000),
            ("behind_schedule", "behind", 5_000, 8_340),
        ]
    );
    for x in &a {
        assert_eq!(x.reason.as_deref(), Some(x.message.as_str()));
        let date = x.suggested_target_date.as_deref().unwrap();
        assert!(x.message.ends_with(&format!(" to {date}")), "{}", x.message);
    }
    assert_eq!(
        a[0].suggested_target_date.as_deref(),
        Some(after_months(f.today, 3).to_string().as_str())
    );
}

#[test]
fn opportunities_name_the_goal_they_feed_or_a_label() {
    let plan = [(PlanCategory::Food, 30_000), (PlanCategory::Rent, 100_000)];
    let top = goal("Car", "high", 100_000, 25_000, None, 0);
    let with_goal = advice::opportunities(&facts(vec![top], &plan));
    assert!(!with_goal.is_empty());
    for x in &with_goal {
        assert_eq!(x.suggested_goal.as_deref(), Some("Car"));
        assert_eq!(x.reason.as_deref(), Some(x.message.as_str()));
        assert_eq!(x.monthly_contribution, x.amount);
        assert_eq!(x.target_amount.map(|m| m.cents()), Some(75_000));
    }

    let alone = advice::opportunities(&facts(vec![], &plan));
    let named: Vec<(&str, &str, i64, i64)> = alone
        .iter()
        .map(|x| {
            (
                x.kind,
                x.suggested_goal.as_deref().unwrap(),
                x.monthly_contribution.unwrap().cents(),
                x.target_amount.unwrap().cents(),
            )
        })
        .collect();
    // Unplanned income 3000 − 1300; food 100 unspent so far; 10 % of 500 on entertainment.
    assert_eq!(
        named,
        vec![
            ("unassigned_income", "Monthly savings", 170_000, 2_040_000),
            ("underspent_category", "Savings from food", 10_000, 120_000),
            (
                "reduce_spending",
                "Savings from entertainment",
                5_000,
                60_000
            ),
        ]
    );
}

/// Epoch ms of `d` at noon UTC.
fn noon(d: NaiveDate) -> i64 {
    d.and_hms_opt(12, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp_millis()
}

#[test]
fn a_goal_the_contribution_cannot_finish_on_time_is_not_on_track_from_its_first_day() {
    let today = day(2026, 11, 10);
    let mut g = goal(
        "New car",
        "high",
        1_200_000,
        300_000,
        Some(day(2027, 11, 10)),
        20_000,
    );
    g.created_at = noon(today);
    let h = health::assess(&g, today, Tz::UTC);
    assert!(
        !h.on_track,
        "200 a month finishes in 2030, the target is 2027"
    );
    assert_eq!(h.health_score, 100, "progress matches the straight line");
    assert_eq!(h.predicted_completion_date.as_deref(), Some("2030-08-11"));
    assert_eq!(h.predicted_completion_date, h.projected_completion_date);
    assert_eq!(
        h.insights,
        vec![
            "You have saved 25.00% of 12000.00: 9000.00 to go.",
            "365 days (11.99 months) left until 2027-11-10.",
            "You are 25.00 points ahead of schedule (0.00% expected by today).",
            "You save 200.00 a month; 750.58 a month reaches the target on time.",
            "At 200.00 a month you finish on 2030-08-11 — 1005 days after the target date.",
        ]
    );

    // Saving what the date asks: on track, on time.
    g.monthly_contribution_cents = Some(75_058);
    let h = health::assess(&g, today, Tz::UTC);
    assert!(h.on_track);
    assert!(h.insights[4].ends_with(" — on time."), "{:?}", h.insights);
}

#[test]
fn health_insights_of_late_undated_and_finished_goals() {
    let today = day(2026, 11, 10);
    let mut late = goal("Late", "high", 100_000, 50_000, Some(day(2026, 11, 1)), 0);
    late.created_at = noon(day(2026, 1, 1));
    let h = health::assess(&late, today, Tz::UTC);
    assert!(!h.on_track && h.is_overdue);
    assert_eq!(
        h.insights,
        vec![
            "You have saved 50.00% of 1000.00: 500.00 to go.",
            "The target date 2026-11-01 passed 9 days ago.",
            "You are 50.00 points behind schedule (100.00% expected by today).",
            "Without a monthly contribution there is no completion date.",
        ]
    );

    let undated = goal("Someday", "low", 100_000, 0, None, 10_000);
    let h = health::assess(&undated, today, Tz::UTC);
    assert!(h.on_track);
    assert_eq!(
        h.insights,
        vec![
            "You have saved 0.00% of 1000.00: 1000.00 to go.",
            "At 100.00 a month you finish on 2027-09-11.",
        ]
    );

    let mut done = undated.clone();
    done.status = "completed".into();
    assert_eq!(
        health::assess(&done, today, Tz::UTC).insights,
        vec!["Goal completed."]
    );
    done.status = "cancelled".into();
    assert_eq!(
        health::assess(&done, today, Tz::UTC).insights,
        vec!["Goal cancelled."]
    );
}
