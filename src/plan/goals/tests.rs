use chrono::NaiveDate;

use super::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn goal(target: i64, saved: i64, date: Option<NaiveDate>, status: &str) -> GoalRow {
    GoalRow {
        id: Id::new(),
        user_id: Id::new(),
        title: "g".into(),
        description: None,
        category: None,
        target_amount_cents: target,
        saved_amount_cents: saved,
        monthly_contribution_cents: None,
        currency: "USD".into(),
        status: status.into(),
        priority: "medium".into(),
        target_date: date,
        goal_milestones_notified: 0,
        created_at: 0,
        updated_at: 0,
        completed_at: None,
        deleted_at: None,
    }
}

#[test]
fn required_monthly_divides_by_months_left_and_never_by_less_than_one() {
    // 304.40 days = 10 months: 1000.00 a month.
    assert_eq!(required_monthly(1_000_000, 304), 100_000 * 3044 / 3040 + 1);
    // 3044 days = exactly 100 months.
    assert_eq!(required_monthly(1_000_000, 3044), 10_000);
    // Less than a month left: everything now.
    assert_eq!(required_monthly(50_000, 10), 50_000);
    assert_eq!(required_monthly(50_000, 0), 50_000);
    assert_eq!(required_monthly(0, 100), 0);
    // Rounded up to the cent.
    assert_eq!(required_monthly(100, 3044 * 3 / 100 + 1), 33 + 1);
}

#[test]
fn rows_cover_today_to_the_months_end_with_remainders_on_the_earliest_days() {
    let today = day(2026, 11, 20);
    let g = goal(600_000, 0, Some(day(2027, 11, 20)), "active");
    let rows = reservation_rows(&g, today);
    assert_eq!(rows.len(), 11, "20th to 30th November");
    assert_eq!(rows[0].0, today);
    assert_eq!(rows[10].0, day(2026, 11, 30));
    let monthly = required_monthly(600_000, 365);
    let full = split_even(monthly, 30);
    assert_eq!(
        rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        full[19..].to_vec()
    );
}

#[test]
fn only_active_goals_with_a_future_date_and_money_missing_reserve() {
    let today = day(2026, 11, 20);
    let future = Some(day(2027, 1, 1));
    assert!(reservation_rows(&goal(1000, 0, future, "paused"), today).is_empty());
    assert!(reservation_rows(&goal(1000, 0, future, "completed"), today).is_empty());
    assert!(reservation_rows(&goal(1000, 1000, future, "active"), today).is_empty());
    assert!(reservation_rows(&goal(1000, 0, None, "active"), today).is_empty());
    assert!(reservation_rows(&goal(1000, 0, Some(today), "active"), today).is_empty());
    assert!(!reservation_rows(&goal(1000, 0, future, "active"), today).is_empty());
}
