use chrono::{Duration, NaiveDate};
use proptest::prelude::*;

use super::*;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

fn row(d: u32, category: PlanCategory, planned: i64, spent: i64) -> PlanRow {
    PlanRow {
        date: day(d),
        category,
        planned,
        spent,
    }
}

#[test]
fn overspend_is_taken_from_discretionary_first_at_most_half_per_row() {
    let mut rows = vec![
        row(10, PlanCategory::Food, 2_000, 5_000),
        row(11, PlanCategory::Entertainment, 1_000, 0),
        row(12, PlanCategory::Entertainment, 1_000, 0),
        row(11, PlanCategory::Shopping, 10_000, 0),
        row(11, PlanCategory::Rent, 50_000, 0),
        row(9, PlanCategory::Entertainment, 8_000, 0),
    ];
    let c = cover(&mut rows, 0, day(10));
    assert_eq!(c.overspend, 3_000);
    assert_eq!(c.covered, 3_000);
    assert_eq!(c.transfers[0].from_category, PlanCategory::Entertainment);
    assert_eq!(
        c.transfers[0].amount, 1_000,
        "half of each future entertainment row"
    );
    assert_eq!(c.transfers[1].from_category, PlanCategory::Shopping);
    assert_eq!(c.transfers[1].amount, 2_000);
    assert_eq!(rows[0].planned, 5_000);
    assert_eq!(rows[4].planned, 50_000, "sacred rows never give");
    assert_eq!(rows[5].planned, 8_000, "past rows never give");
}

#[test]
fn what_cannot_be_covered_is_reported_uncovered() {
    let mut rows = vec![
        row(30, PlanCategory::Food, 1_000, 9_000),
        row(30, PlanCategory::Shopping, 4_000, 0),
    ];
    let c = cover(&mut rows, 0, day(30));
    assert_eq!(
        (c.covered, c.uncovered),
        (0, 8_000),
        "no future days left in the month"
    );
    assert!(!c.rebalanced() && !c.fully_covered());
}

#[test]
fn no_overspend_changes_nothing() {
    let mut rows = vec![
        row(5, PlanCategory::Food, 1_000, 900),
        row(6, PlanCategory::Shopping, 4_000, 0),
    ];
    let before = rows.clone();
    assert_eq!(cover(&mut rows, 0, day(5)), Cover::default());
    assert_eq!(rows, before);
}

fn arb_category() -> impl Strategy<Value = PlanCategory> {
    proptest::sample::select(PlanCategory::ALL.to_vec())
}

fn arb_rows() -> impl Strategy<Value = Vec<PlanRow>> {
    proptest::collection::vec(
        (1u32..=30, arb_category(), 0i64..200_000, 0i64..200_000),
        1..80,
    )
    .prop_map(|v| v.into_iter().map(|(d, c, p, s)| row(d, c, p, s)).collect())
}

proptest! {
    #[test]
    fn redistribution_keeps_every_invariant(mut rows in arb_rows(), target_seed in any::<prop::sample::Index>(), today_offset in 0i64..30) {
        let target = target_seed.index(rows.len());
        let today = day(1) + Duration::days(today_offset);
        let before = rows.clone();
        let total_before: i64 = rows.iter().map(|r| r.planned).sum();
        let c = cover(&mut rows, target, today);

        // R1 conservation
        prop_assert_eq!(rows.iter().map(|r| r.planned).sum::<i64>(), total_before);
        for (i, (b, a)) in before.iter().zip(&rows).enumerate() {
            if i == target { continue; }
            // R2 sacred and past rows (and rows not after the spend's day) never change
            if b.category.is_sacred() || b.date < today || b.date <= before[target].date {
                prop_assert_eq!(a.planned, b.planned);
            }
            // R3 never negative, never more than half taken
            prop_assert!(a.planned >= 0);
            prop_assert!(b.planned - a.planned <= b.planned / 2);
            prop_assert!(a.planned <= b.planned, "donors only lose");
        }
        // R4 accounting
        prop_assert_eq!(c.covered + c.uncovered, c.overspend);
        prop_assert_eq!(c.transfers.iter().map(|t| t.amount).sum::<i64>(), c.covered);
        prop_assert_eq!(rows[target].planned, before[target].planned + c.covered);
        prop_assert!(c.transfers.iter().all(|t| t.from_category != before[target].category && !t.from_category.is_sacred()));
    }

    #[test]
    fn a_second_run_after_full_cover_moves_nothing(mut rows in arb_rows(), target_seed in any::<prop::sample::Index>()) {
        let target = target_seed.index(rows.len());
        let first = cover(&mut rows, target, day(1));
        if first.fully_covered() || first.overspend == 0 {
            let again = cover(&mut rows, target, day(1));
            prop_assert_eq!(again.covered, 0);
        }
    }
}
