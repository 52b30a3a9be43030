//! `/api/analytics/monthly` and `/api/analytics/trend`: spending by category and by day, from
//! the non-deleted transactions by their user-local day (`local_date`).

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use serde::Serialize;

use super::{Ctx, money, month_range};
use crate::db::Db;
use crate::error::{Code, Error, Result};
use crate::id::Id;
use crate::money::Money;
use crate::on_db;

/// One category's total.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct CategoryTotal {
    /// A transaction category (the app's 22).
    pub category: String,
    pub total: Money,
}

/// `GET /api/analytics/monthly`.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Monthly {
    pub year: i32,
    pub month: u32,
    pub total: Money,
    /// Largest first (ties by name).
    pub categories: Vec<CategoryTotal>,
}

async fn by_category(
    db: &Db,
    user: Id,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<(String, i64)>> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT category, CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM transactions \
         WHERE user_id = $1 AND deleted_at IS NULL AND local_date >= $2 AND local_date <= $3 GROUP BY category")
        .bind(user).bind(first).bind(last).fetch_all(pool).await)?)
}

/// Spending per transaction category for a month (1 query).
pub async fn monthly(db: &Db, ctx: &Ctx, year: i32, month: u32) -> Result<Monthly> {
    let (first, last) = month_range(year, month)?;
    let mut rows = by_category(db, ctx.user.id, first, last).await?;
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(Monthly {
        year,
        month,
        total: money(rows.iter().map(|r| r.1).sum()),
        categories: rows
            .into_iter()
            .map(|(category, cents)| CategoryTotal {
                category,
                total: money(cents),
            })
            .collect(),
    })
}

/// One day of the trend.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct TrendPoint {
    pub date: NaiveDate,
    pub amount: Money,
}

/// `GET /api/analytics/trend`.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Trend {
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub total: Money,
    /// Every day of the period, oldest first (0 on days without spending).
    pub trend: Vec<TrendPoint>,
}

/// Default and maximum length of the trend, in days.
pub const TREND_DEFAULT_DAYS: u32 = 30;
pub const TREND_MAX_DAYS: u32 = 366;

/// Daily spending over the last `days` days, today included (1 query).
pub async fn trend(db: &Db, ctx: &Ctx, days: Option<u32>) -> Result<Trend> {
    let days = days.unwrap_or(TREND_DEFAULT_DAYS);
    if !(1..=TREND_MAX_DAYS).contains(&days) {
        return Err(Error::invalid(
            Code::Validation2003,
            "query.days",
            "range",
            "must be between 1 and 366",
        ));
    }
    let end = ctx.today;
    let start = end
        .checked_sub_days(Days::new(u64::from(days - 1)))
        .unwrap_or(end);
    let rows: Vec<(NaiveDate, i64)> = on_db!(db, pool => sqlx::query_as(
        "SELECT local_date, CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM transactions \
         WHERE user_id = $1 AND deleted_at IS NULL AND local_date >= $2 AND local_date <= $3 GROUP BY local_date")
        .bind(ctx.user.id).bind(start).bind(end).fetch_all(pool).await)?;
    let by_day: BTreeMap<NaiveDate, i64> = rows.into_iter().collect();
    let trend: Vec<TrendPoint> = start
        .iter_days()
        .take_while(|d| *d <= end)
        .map(|date| TrendPoint {
            date,
            amount: money(by_day.get(&date).copied().unwrap_or(0)),
        })
        .collect();
    Ok(Trend {
        start_date: start,
        end_date: end,
        total: money(by_day.values().sum()),
        trend,
    })
}
