//! Covering an overspend from future days of less important categories (BUDGET.md §5).
//!
//! Pure: works on the month's rows in memory; the caller loads and stores them in the same
//! database transaction as the spend. Invariants (property-tested in `tests`):
//! R1 Σ planned over the month is unchanged; R2 sacred rows, past rows and rows on or before the
//! spend's day never change (the overspent row itself receives the cover); R3 no planned goes
//! negative and no donor row loses more than half its planned; R4 covered + uncovered =
//! overspend and the transfers sum to covered.

use chrono::NaiveDate;
use serde::Serialize;

use super::category::PlanCategory;
use super::split_proportional;

/// One plan row as the engine sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanRow {
    pub date: NaiveDate,
    pub category: PlanCategory,
    pub planned: i64,
    pub spent: i64,
}

/// What one donor category gave.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Transfer {
    pub from_category: PlanCategory,
    pub to_category: PlanCategory,
    pub amount: i64,
    /// The earliest donor day.
    pub from_day: NaiveDate,
    /// The overspent day.
    pub to_day: NaiveDate,
    /// (row index, cents taken) of each donor row.
    #[serde(skip)]
    pub rows: Vec<(usize, i64)>,
}

/// The result of covering one row.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Cover {
    pub overspend: i64,
    pub covered: i64,
    pub uncovered: i64,
    pub transfers: Vec<Transfer>,
}

impl Cover {
    pub fn rebalanced(&self) -> bool {
        self.covered > 0
    }
    pub fn fully_covered(&self) -> bool {
        self.overspend > 0 && self.uncovered == 0
    }
}

/// Covers the overspend of `rows[target]` (if any) from eligible donors, changing `rows` in
/// place. Run once per spend.
pub fn cover(rows: &mut [PlanRow], target: usize, today: NaiveDate) -> Cover {
    let Some(t) = rows.get(target).cloned() else {
        return Cover::default();
    };
    let overspend = (t.spent - t.planned).max(0);
    let mut remaining = overspend;
    let mut transfers = Vec::new();
    for donor in PlanCategory::DONOR_ORDER {
        if remaining == 0 {
            break;
        }
        if donor == t.category {
            continue;
        }
        let eligible: Vec<usize> = rows
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                r.category == donor && r.date > t.date && r.date >= today && r.planned > 0
            })
            .map(|(i, _)| i)
            .collect();
        // No row gives more than half its planned.
        let caps: Vec<i64> = eligible.iter().map(|i| rows[*i].planned / 2).collect();
        let cap_total: i64 = caps.iter().sum();
        let take = remaining.min(cap_total);
        if take <= 0 {
            continue;
        }
        let shares = split_proportional(take, &caps);
        let mut taken_rows = Vec::new();
        for ((i, share), cap) in eligible.iter().zip(shares).zip(&caps) {
            let share = share.min(*cap);
            if share > 0 {
                rows[*i].planned -= share;
                taken_rows.push((*i, share));
            }
        }
        let amount: i64 = taken_rows.iter().map(|(_, s)| s).sum();
        if amount == 0 {
            continue;
        }
        let from_day = taken_rows
            .iter()
            .map(|(i, _)| rows[*i].date)
            .min()
            .unwrap_or(t.date);
        remaining -= amount;
        transfers.push(Transfer {
            from_category: donor,
            to_category: t.category,
            amount,
            from_day,
            to_day: t.date,
            rows: taken_rows,
        });
    }
    let covered = overspend - remaining;
    rows[target].planned += covered;
    Cover {
        overspend,
        covered,
        uncovered: remaining,
        transfers,
    }
}

#[cfg(test)]
mod tests;
