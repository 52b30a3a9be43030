//! Auto-adaptation of the month's plan to the user's spending pace (docs/budget-automation.md):
//! categories heading over their plan receive from categories heading under it, on days after
//! today, keeping every BUDGET.md invariant (Σ planned unchanged, sacred and past rows unchanged,
//! no row below 0 nor losing more than half its planned).
//!
//! With `D` days in the month and `d` days elapsed (today included), a variable category's
//! projection is `spent + round(spent ÷ d) × (D − d)` (the forecast's rule). `need = projected −
//! planned` when positive; `surplus = planned − projected` when positive, of which a donor gives
//! at most Σ over its rows after today of ⌊planned ÷ 2⌋.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::category::PlanCategory;
use super::days::days_in_month;
use super::views::ratio;
use super::{split_even, split_proportional};
use crate::id::Id;
use crate::money::Money;

/// One plain plan row of the month (no goal or installment row).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, mita::db::lite::LiteRow)]
pub struct Row {
    pub id: Id,
    pub date: NaiveDate,
    pub category: String,
    pub planned_cents: i64,
    pub spent_cents: i64,
}

/// A variable category's month: planned, spent and projected at the current pace.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Projection {
    pub planned: Money,
    pub spent: Money,
    pub projected: Money,
    /// `over` (projected above planned), `under` (below), `on_track`.
    pub status: &'static str,
}

/// One move of planned money between categories.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Move {
    pub from_category: PlanCategory,
    pub to_category: PlanCategory,
    pub amount: Money,
    /// The first days the amount leaves and reaches.
    pub from_day: NaiveDate,
    pub to_day: NaiveDate,
}

/// What adapting would do: the moves and the new planned of every changed row.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub moves: Vec<Move>,
    pub rows: Vec<(Id, i64)>,
}

/// Days of the month elapsed as of `today` (today included): the whole month for a past month,
/// 0 for a future one.
pub fn elapsed(year: i32, month: u32, today: NaiveDate) -> i64 {
    let total = i64::from(days_in_month(year, month));
    match (year, month).cmp(&(today.year(), today.month())) {
        std::cmp::Ordering::Less => total,
        std::cmp::Ordering::Equal => i64::from(today.day()),
        std::cmp::Ordering::Greater => 0,
    }
}

/// (planned, spent, projected) per variable category from the month's rows.
pub fn projections(
    rows: &[Row],
    days: i64,
    elapsed: i64,
) -> BTreeMap<PlanCategory, (i64, i64, i64)> {
    let mut out: BTreeMap<PlanCategory, (i64, i64, i64)> = BTreeMap::new();
    for r in rows {
        let Ok(cat) = r.category.parse::<PlanCategory>() else {
            continue;
        };
        if !PlanCategory::DONOR_ORDER.contains(&cat) {
            continue;
        }
        let e = out.entry(cat).or_default();
        e.0 += r.planned_cents;
        e.1 += r.spent_cents;
    }
    for e in out.values_mut() {
        e.2 = if elapsed <= 0 {
            e.1
        } else {
            e.1 + ratio(e.1, 1, elapsed) * (days - elapsed).max(0)
        };
    }
    out
}

/// The projection view of one category.
pub fn projection((planned, spent, projected): (i64, i64, i64)) -> Projection {
    Projection {
        planned: Money::from_cents(planned),
        spent: Money::from_cents(spent),
        projected: Money::from_cents(projected),
        status: match projected.cmp(&planned) {
            std::cmp::Ordering::Greater => "over",
            std::cmp::Ordering::Less => "under",
            std::cmp::Ordering::Equal => "on_track",
        },
    }
}

/// Computes the adaptation of the current month's `rows` as of `today` (pure).
pub fn plan(rows: &[Row], today: NaiveDate) -> Plan {
    let days = i64::from(days_in_month(today.year(), today.month()));
    let proj = projections(rows, days, i64::from(today.day()));
    let future = |cat: PlanCategory| -> Vec<&Row> {
        let mut v: Vec<&Row> = rows
            .iter()
            .filter(|r| r.date > today && r.category == cat.as_str())
            .collect();
        v.sort_by_key(|r| (r.date, r.id));
        v
    };
    let mut need: Vec<(PlanCategory, i64)> = proj
        .iter()
        .filter(|(c, p)| p.2 > p.0 && !future(**c).is_empty())
        .map(|(c, p)| (*c, p.2 - p.0))
        .collect();
    need.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut available: BTreeMap<PlanCategory, i64> = PlanCategory::DONOR_ORDER
        .iter()
        .filter_map(|c| {
            let p = proj.get(c)?;
            let half: i64 = future(*c).iter().map(|r| r.planned_cents / 2).sum();
            let give = (p.0 - p.2).min(half);
            (give > 0).then_some((*c, give))
        })
        .collect();
    let mut taken: BTreeMap<PlanCategory, i64> = BTreeMap::new();
    let mut given: BTreeMap<PlanCategory, i64> = BTreeMap::new();
    let mut moves = Vec::new();
    for (to, mut left) in need {
        for from in PlanCategory::DONOR_ORDER {
            if left == 0 {
                break;
            }
            let Some(a) = available.get_mut(&from).filter(|a| **a > 0) else {
                continue;
            };
            let t = left.min(*a);
            *a -= t;
            left -= t;
            *taken.entry(from).or_default() += t;
            *given.entry(to).or_default() += t;
            let first = |c| future(c).first().map(|r| r.date).unwrap_or(today);
            moves.push(Move {
                from_category: from,
                to_category: to,
                amount: Money::from_cents(t),
                from_day: first(from),
                to_day: first(to),
            });
        }
    }
    let mut changed = Vec::new();
    for (cat, t) in taken {
        let rows = future(cat);
        let weights: Vec<i64> = rows.iter().map(|r| r.planned_cents / 2).collect();
        for (r, part) in rows.iter().zip(split_proportional(t, &weights)) {
            if part > 0 {
                changed.push((r.id, r.planned_cents - part));
            }
        }
    }
    for (cat, g) in given {
        let rows = future(cat);
        for (r, part) in rows.iter().zip(split_even(g, rows.len())) {
            if part > 0 {
                changed.push((r.id, r.planned_cents + part));
            }
        }
    }
    Plan {
        moves,
        rows: changed,
    }
}

#[cfg(test)]
mod tests;
