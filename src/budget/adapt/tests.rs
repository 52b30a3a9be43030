use std::collections::BTreeMap;

use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

fn row(n: u128, d: u32, category: PlanCategory, planned: i64, spent: i64) -> Row {
    Row {
        id: Id::from(uuid::Uuid::from_u128(n)),
        date: day(d),
        category: category.as_str().to_string(),
        planned_cents: planned,
        spent_cents: spent,
    }
}

/// Applies a plan to the rows.
fn applied(rows: &[Row], plan: &Plan) -> Vec<Row> {
    let new: BTreeMap<Id, i64> = plan.rows.iter().copied().collect();
    rows.iter()
        .map(|r| Row {
            planned_cents: new.get(&r.id).copied().unwrap_or(r.planned_cents),
            ..r.clone()
        })
        .collect()
}

#[test]
fn a_category_ahead_of_pace_receives_from_one_behind_it_on_future_days_only() {
    // 10 days of 30 elapsed: food spent 300.00 of 600.00 → projected 900.00 (need 300.00);
    // entertainment spent nothing of 400.00 → surplus 400.00, at most half of its future rows.
    let mut rows = Vec::new();
    let mut n = 0;
    for d in 1..=30 {
        n += 1;
        let spent = if d <= 10 { 3_000 } else { 0 };
        rows.push(row(n, d, PlanCategory::Food, 2_000, spent));
    }
    rows.push(row(100, 5, PlanCategory::Entertainment, 10_000, 0));
    rows.push(row(101, 20, PlanCategory::Entertainment, 15_000, 0));
    rows.push(row(102, 27, PlanCategory::Entertainment, 15_000, 0));
    rows.push(row(103, 1, PlanCategory::Rent, 150_000, 150_000));
    let plan = plan(&rows, day(10));
    let after = applied(&rows, &plan);
    let total = |rs: &[Row]| rs.iter().map(|r| r.planned_cents).sum::<i64>();
    assert_eq!(total(&rows), total(&after));
    assert_eq!(plan.moves.len(), 1);
    let m = &plan.moves[0];
    assert_eq!(
        (m.from_category, m.to_category),
        (PlanCategory::Entertainment, PlanCategory::Food)
    );
    // Entertainment's rows after the 10th can give half: 75.00 + 75.00.
    assert_eq!(m.amount.cents(), 15_000);
    assert_eq!((m.from_day, m.to_day), (day(20), day(11)));
    for (before, now) in rows.iter().zip(&after) {
        if before.date <= day(10) || before.category == "rent" {
            assert_eq!(before, now);
        }
    }
}

fn arb_rows() -> impl Strategy<Value = Vec<Row>> {
    let cats = prop::sample::select(PlanCategory::ALL.to_vec());
    prop::collection::vec((1u32..=30, cats, 0i64..50_000, 0i64..80_000), 1..80).prop_map(|v| {
        let mut seen = std::collections::BTreeSet::new();
        v.into_iter()
            .enumerate()
            .filter(|(_, (d, c, _, _))| seen.insert((*d, *c)))
            .map(|(i, (d, c, p, s))| row(i as u128 + 1, d, c, p, s))
            .collect()
    })
}

proptest! {
    #[test]
    fn adapting_keeps_the_budget_invariants(rows in arb_rows(), today in 1u32..=30) {
        let plan = plan(&rows, day(today));
        let after = applied(&rows, &plan);
        // R1 conservation.
        let total = |rs: &[Row]| rs.iter().map(|r| r.planned_cents).sum::<i64>();
        prop_assert_eq!(total(&rows), total(&after));
        let moved: i64 = plan.moves.iter().map(|m| m.amount.cents()).sum();
        let lost: i64 = rows.iter().zip(&after).map(|(b, a)| (b.planned_cents - a.planned_cents).max(0)).sum();
        prop_assert_eq!(moved, lost);
        for (b, a) in rows.iter().zip(&after) {
            let cat: PlanCategory = b.category.parse().unwrap();
            // R2 sacred, past and today's rows never change.
            if cat.is_sacred() || b.date <= day(today) {
                prop_assert_eq!(b, a);
            }
            // R3 never negative, never more than half lost.
            prop_assert!(a.planned_cents >= 0);
            prop_assert!(b.planned_cents - a.planned_cents <= b.planned_cents / 2);
        }
    }
}
