//! The user's data the rules read: spends of a date range (one query) and small integer
//! statistics over cents (median, median absolute deviation, basis points).

use chrono::{Days, NaiveDate, Weekday};

use crate::budget::TxCategory;
use crate::budget::views::ratio;
use crate::db::Db;
use crate::error::Result;
use crate::id::Id;
use crate::on_db;

/// Upper bound of spends one analysis reads (far above any real person's 120 days).
const MAX_SPENDS: i64 = 50_000;

/// One non-deleted transaction, as the rules see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spend {
    pub id: Id,
    /// The user-local day of the spend.
    pub date: NaiveDate,
    pub category: TxCategory,
    /// Cents, > 0.
    pub amount: i64,
    pub merchant: Option<String>,
    pub description: Option<String>,
}

impl Spend {
    /// The merchant, else the description, trimmed (for texts and recurring-merchant grouping).
    pub fn label(&self) -> Option<&str> {
        self.merchant
            .as_deref()
            .or(self.description.as_deref())
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }
}

#[derive(sqlx::FromRow, mita::db::lite::LiteRow)]
struct SpendRow {
    id: Id,
    local_date: NaiveDate,
    category: String,
    amount_cents: i64,
    merchant: Option<String>,
    description: Option<String>,
}

/// The user's spends with `first <= local_date <= last`, oldest first (ties by creation time,
/// then id, so the order never depends on the backend). 1 query.
pub async fn spends(db: &Db, user: Id, first: NaiveDate, last: NaiveDate) -> Result<Vec<Spend>> {
    let rows: Vec<SpendRow> = on_db!(db, pool => sqlx::query_as(
        "SELECT id, local_date, category, amount_cents, merchant, description FROM transactions \
         WHERE user_id = $1 AND deleted_at IS NULL AND local_date >= $2 AND local_date <= $3 \
         ORDER BY local_date, spent_at, id LIMIT $4")
        .bind(user).bind(first).bind(last).bind(MAX_SPENDS).fetch_all(pool).await)?;
    Ok(rows
        .into_iter()
        .map(|r| Spend {
            id: r.id,
            date: r.local_date,
            category: r.category.parse().unwrap_or(TxCategory::Other),
            amount: r.amount_cents,
            merchant: r.merchant,
            description: r.description,
        })
        .collect())
}

/// `day` minus `n` days (saturating at the earliest date).
pub fn days_before(day: NaiveDate, n: u64) -> NaiveDate {
    day.checked_sub_days(Days::new(n)).unwrap_or(day)
}

/// The sum of the amounts of `spends` between `first` and `last` (inclusive).
pub fn total_between(spends: &[Spend], first: NaiveDate, last: NaiveDate) -> i64 {
    spends
        .iter()
        .filter(|s| s.date >= first && s.date <= last)
        .map(|s| s.amount)
        .sum()
}

/// The median of `values` (any order): the middle value, or for an even count the mean of the
/// two middle values rounded down. 0 for no values.
pub fn median(values: &[i64]) -> i64 {
    let mut v = values.to_vec();
    v.sort_unstable();
    let n = v.len();
    if n == 0 {
        return 0;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]).div_euclid(2)
    }
}

/// The median absolute deviation of `values` from `center`.
pub fn mad(values: &[i64], center: i64) -> i64 {
    let deviations: Vec<i64> = values.iter().map(|v| (v - center).abs()).collect();
    median(&deviations)
}

/// `part / whole` in basis points (10000 = 100 %), rounded half away from zero; `None` when
/// `whole` is 0.
pub fn bp(part: i64, whole: i64) -> Option<i64> {
    (whole != 0).then(|| ratio(part, 10_000, whole))
}

/// The weekday's lower-case English name.
pub fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "monday",
        Weekday::Tue => "tuesday",
        Weekday::Wed => "wednesday",
        Weekday::Thu => "thursday",
        Weekday::Fri => "friday",
        Weekday::Sat => "saturday",
        Weekday::Sun => "sunday",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_mad_are_integer_cents() {
        assert_eq!(median(&[]), 0);
        assert_eq!(median(&[300, 100, 200]), 200);
        assert_eq!(
            median(&[100, 200, 300, 401]),
            250,
            "mean of the middle pair"
        );
        assert_eq!(median(&[1, 2]), 1, "rounded down");
        assert_eq!(mad(&[100, 100, 100, 5_000], 100), 0);
        assert_eq!(mad(&[100, 200, 300], 200), 100);
    }

    #[test]
    fn basis_points_round_and_refuse_a_zero_whole() {
        assert_eq!(bp(1, 3), Some(3333));
        assert_eq!(bp(-5, 10), Some(-5000));
        assert_eq!(bp(5, 0), None);
    }
}
