//! The behaviour rules (docs/insights.md, "Behaviour"): pure functions from the user's spends,
//! plan days, income and "today" to an answer. Same data, same answer. Money is integer cents,
//! ratios are basis points (10000 = 100 %).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;

use crate::budget::TxCategory;
use crate::budget::views::{DayTotals, ratio};
use crate::insights::data::{Spend, bp, median, weekday_name};
use crate::insights::rules::{CategoryShare, category_shares};
use crate::money::Money;

/// A spend at or below this is a small purchase (10.00).
pub const SMALL_PURCHASE: i64 = 1_000;
/// Small purchases in one month that make the "small frequent purchases" trigger.
pub const SMALL_PURCHASES_TRIGGER: i64 = 10;
/// Weekend daily average ÷ weekday daily average at or above this makes the weekend trigger.
pub const WEEKEND_TRIGGER_BP: i64 = 15_000;
/// Share of the month's spending in its first 7 days at or above this makes the month-start
/// trigger (only once at least 14 days of the month are over).
pub const MONTH_START_TRIGGER_BP: i64 = 4_000;
/// Share of discretionary categories at or above this makes the discretionary trigger.
pub const DISCRETIONARY_TRIGGER_BP: i64 = 3_000;
/// A month's change against the one before beyond ±this is a trend.
pub const TREND_BP: i64 = 1_000;
/// Share of discretionary spending a prediction counts as savings potential.
pub const SAVINGS_POTENTIAL_BP: i64 = 1_000;

/// Categories the user can most easily cut.
pub const DISCRETIONARY: [TxCategory; 7] = [
    TxCategory::Dining,
    TxCategory::Entertainment,
    TxCategory::Shopping,
    TxCategory::Clothing,
    TxCategory::Subscriptions,
    TxCategory::Travel,
    TxCategory::Gifts,
];

fn money(cents: i64) -> Money {
    Money::from_cents(cents)
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The spends of one month up to a day (the whole month when it is over).
#[derive(Clone, Debug)]
pub struct MonthSpends<'a> {
    pub year: i32,
    pub month: u32,
    pub first: NaiveDate,
    /// The last day counted: the month's last day, or today in the current month.
    pub last: NaiveDate,
    pub spends: Vec<&'a Spend>,
}

impl<'a> MonthSpends<'a> {
    /// The spends of `first..=last` out of `all`.
    pub fn of(all: &'a [Spend], first: NaiveDate, last: NaiveDate) -> MonthSpends<'a> {
        MonthSpends {
            year: first.year(),
            month: first.month(),
            first,
            last,
            spends: all
                .iter()
                .filter(|s| s.date >= first && s.date <= last)
                .collect(),
        }
    }

    pub fn total(&self) -> i64 {
        self.spends.iter().map(|s| s.amount).sum()
    }

    /// Days counted (at least 1 when `last >= first`; 0 for a month not begun).
    pub fn days(&self) -> i64 {
        ((self.last - self.first).num_days() + 1).max(0)
    }
}

/// The month's figures every behaviour answer starts from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MonthFigures {
    pub year: i32,
    pub month: u32,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub total: Money,
    pub transaction_count: i64,
    /// Total ÷ count.
    pub average_transaction: Money,
    /// Total ÷ days counted.
    pub daily_average: Money,
    /// Per weekday (Monday–Friday) and per weekend day counted.
    pub weekday_daily_average: Money,
    pub weekend_daily_average: Money,
    /// Weekend ÷ weekday daily average (null without weekday spending).
    pub weekend_ratio_bp: Option<i64>,
    /// Spends of at most 10.00.
    pub small_purchases: i64,
    /// Share of the discretionary categories (dining, entertainment, shopping, clothing,
    /// subscriptions, travel, gifts).
    pub discretionary_share_bp: i64,
    /// Share of the first 7 days of the month.
    pub first_week_share_bp: i64,
    pub top_categories: Vec<CategoryShare>,
}

/// Computes [`MonthFigures`].
pub fn figures(m: &MonthSpends<'_>) -> MonthFigures {
    let total = m.total();
    let count = m.spends.len() as i64;
    let (mut wd_days, mut we_days) = (0i64, 0i64);
    let mut d = m.first;
    while d <= m.last {
        if is_weekend(d) {
            we_days += 1;
        } else {
            wd_days += 1;
        }
        match d.succ_opt() {
            Some(n) => d = n,
            None => break,
        }
    }
    let we_total: i64 = m
        .spends
        .iter()
        .filter(|s| is_weekend(s.date))
        .map(|s| s.amount)
        .sum();
    let wd_total = total - we_total;
    let wd_avg = ratio(wd_total, 1, wd_days);
    let we_avg = ratio(we_total, 1, we_days);
    let discretionary: i64 = m
        .spends
        .iter()
        .filter(|s| DISCRETIONARY.contains(&s.category))
        .map(|s| s.amount)
        .sum();
    let first_week: i64 = m
        .spends
        .iter()
        .filter(|s| s.date.day() <= 7)
        .map(|s| s.amount)
        .sum();
    let mut top = category_shares(m.spends.iter().copied());
    top.truncate(5);
    MonthFigures {
        year: m.year,
        month: m.month,
        period_start: m.first,
        period_end: m.last,
        total: money(total),
        transaction_count: count,
        average_transaction: money(ratio(total, 1, count)),
        daily_average: money(ratio(total, 1, m.days())),
        weekday_daily_average: money(wd_avg),
        weekend_daily_average: money(we_avg),
        weekend_ratio_bp: (wd_avg > 0).then(|| ratio(we_avg, 10_000, wd_avg)),
        small_purchases: m
            .spends
            .iter()
            .filter(|s| s.amount <= SMALL_PURCHASE)
            .count() as i64,
        discretionary_share_bp: bp(discretionary, total).unwrap_or(0),
        first_week_share_bp: bp(first_week, total).unwrap_or(0),
        top_categories: top,
    }
}

/// A spending trigger (`GET /api/behavior/triggers`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Trigger {
    /// weekend_spending, small_frequent_purchases, month_start_spending, discretionary_spending.
    pub trigger_type: &'static str,
    pub trigger_name: &'static str,
    pub description: String,
    /// How often it happened in the month, in words ("9 times").
    pub frequency: String,
    /// The money involved.
    pub amount: Money,
}

/// The triggers of a month, in a fixed order (rules T1–T4 of docs/insights.md).
pub fn triggers(f: &MonthFigures, m: &MonthSpends<'_>) -> Vec<Trigger> {
    let mut out = Vec::new();
    if let Some(r) = f.weekend_ratio_bp
        && r >= WEEKEND_TRIGGER_BP
        && f.weekend_daily_average.cents() > 0
    {
        let days: std::collections::BTreeSet<NaiveDate> = m
            .spends
            .iter()
            .filter(|s| is_weekend(s.date))
            .map(|s| s.date)
            .collect();
        let amount: i64 = m
            .spends
            .iter()
            .filter(|s| is_weekend(s.date))
            .map(|s| s.amount)
            .sum();
        out.push(Trigger {
            trigger_type: "weekend_spending",
            trigger_name: "Weekend spending",
            description: format!(
                "On weekend days you spend {}% of what you spend on a weekday ({} against {} a day).",
                ratio(r, 1, 100),
                f.weekend_daily_average,
                f.weekday_daily_average
            ),
            frequency: format!("{} weekend days", days.len()),
            amount: money(amount),
        });
    }
    if f.small_purchases >= SMALL_PURCHASES_TRIGGER {
        let amount: i64 = m
            .spends
            .iter()
            .filter(|s| s.amount <= SMALL_PURCHASE)
            .map(|s| s.amount)
            .sum();
        out.push(Trigger {
            trigger_type: "small_frequent_purchases",
            trigger_name: "Small frequent purchases",
            description: format!(
                "{} purchases of 10.00 or less add up to {}.",
                f.small_purchases,
                money(amount)
            ),
            frequency: format!("{} times", f.small_purchases),
            amount: money(amount),
        });
    }
    if m.days() >= 14 && f.first_week_share_bp >= MONTH_START_TRIGGER_BP {
        out.push(Trigger {
            trigger_type: "month_start_spending",
            trigger_name: "Start-of-month spending",
            description: format!(
                "{}% of the month's spending happened in its first 7 days.",
                ratio(f.first_week_share_bp, 1, 100)
            ),
            frequency: "monthly".to_string(),
            amount: money(ratio(f.total.cents(), f.first_week_share_bp, 10_000)),
        });
    }
    if f.discretionary_share_bp >= DISCRETIONARY_TRIGGER_BP {
        let n = m
            .spends
            .iter()
            .filter(|s| DISCRETIONARY.contains(&s.category))
            .count();
        out.push(Trigger {
            trigger_type: "discretionary_spending",
            trigger_name: "Discretionary spending",
            description: format!(
                "{}% of your spending went to dining, entertainment, shopping, clothing, subscriptions, travel and gifts.",
                ratio(f.discretionary_share_bp, 1, 100)
            ),
            frequency: format!("{n} times"),
            amount: money(ratio(f.total.cents(), f.discretionary_share_bp, 10_000)),
        });
    }
    out
}

/// Sentences about a month (`patterns` of `GET /api/behavior/patterns`), rules P1–P3.
pub fn pattern_sentences(f: &MonthFigures) -> Vec<String> {
    let mut out = Vec::new();
    if f.transaction_count == 0 {
        out.push("No spending recorded in this period.".to_string());
        return out;
    }
    if let Some(top) = f.top_categories.first() {
        out.push(format!(
            "{} is your largest category: {} ({}% of the total).",
            top.category,
            top.total,
            ratio(top.share_bp, 1, 100)
        ));
    }
    if let Some(r) = f.weekend_ratio_bp {
        if r >= 11_000 {
            out.push(format!(
                "You spend more per day on weekends ({}) than on weekdays ({}).",
                f.weekend_daily_average, f.weekday_daily_average
            ));
        } else if r <= 9_000 {
            out.push(format!(
                "You spend less per day on weekends ({}) than on weekdays ({}).",
                f.weekend_daily_average, f.weekday_daily_average
            ));
        }
    }
    out.push(format!(
        "{} purchases averaging {}, {} a day.",
        f.transaction_count, f.average_transaction, f.daily_average
    ));
    out
}

/// A month's total (`progress`, `predictions`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MonthTotal {
    /// `YYYY-MM`.
    pub month: String,
    pub total: Money,
    pub transaction_count: i64,
}

/// Totals of consecutive calendar months `months` (oldest first).
pub fn month_totals(all: &[Spend], months: &[(NaiveDate, NaiveDate)]) -> Vec<MonthTotal> {
    months
        .iter()
        .map(|(first, last)| {
            let m = MonthSpends::of(all, *first, *last);
            MonthTotal {
                month: format!("{:04}-{:02}", first.year(), first.month()),
                total: money(m.total()),
                transaction_count: m.spends.len() as i64,
            }
        })
        .collect()
}

/// `up`, `down` or `stable`: `last` against `previous`, beyond ±10 %.
pub fn trend(previous: i64, last: i64) -> &'static str {
    match bp(last - previous, previous) {
        Some(c) if c > TREND_BP => "up",
        Some(c) if c < -TREND_BP => "down",
        None if last > 0 => "up",
        _ => "stable",
    }
}

/// `GET /api/behavior/predictions` (rules R1–R5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Prediction {
    /// The mean of the complete months (up to 3) with spending; without any, this month's pace.
    pub next_month_spending: Money,
    /// 0.30 with no complete month, +0.20 per complete month used, at most 0.90.
    pub confidence: crate::fixed::Fixed,
    /// The complete months the prediction used.
    pub months_used: i64,
    /// The prediction, capped at 90 % of the monthly income when one is known.
    pub recommended_budget: Money,
    /// 10 % of the discretionary part of the prediction.
    pub savings_potential: Money,
    /// up, down or stable: the last complete month against the one before.
    pub trend: &'static str,
    pub risk_factors: Vec<String>,
}

/// Predicts next month from the complete months before this one (`complete`, oldest first,
/// at most 3 used) and this month so far.
pub fn predict(
    complete: &[MonthTotal],
    this_month: &MonthFigures,
    days_in_month: i64,
    discretionary_share_bp: i64,
    income: i64,
) -> Prediction {
    let used: Vec<&MonthTotal> = complete
        .iter()
        .rev()
        .take(3)
        .filter(|m| m.transaction_count > 0)
        .collect();
    let next = if used.is_empty() {
        this_month.daily_average.cents() * days_in_month
    } else {
        ratio(
            used.iter().map(|m| m.total.cents()).sum(),
            1,
            used.len() as i64,
        )
    };
    let confidence_bp = (3_000 + 2_000 * used.len() as i64).min(9_000);
    let recommended = if income > 0 {
        next.min(ratio(income, 9_000, 10_000))
    } else {
        next
    };
    let t = match complete {
        [.., a, b] => trend(a.total.cents(), b.total.cents()),
        _ => "stable",
    };
    let mut risks = Vec::new();
    if income > 0 && next > income {
        risks.push(format!(
            "Predicted spending {} is above your monthly income {}.",
            money(next),
            money(income)
        ));
    }
    if t == "up" {
        risks.push("Your spending rose by more than 10% last month.".to_string());
    }
    if discretionary_share_bp >= DISCRETIONARY_TRIGGER_BP {
        risks.push(format!(
            "{}% of your spending is discretionary.",
            ratio(discretionary_share_bp, 1, 100)
        ));
    }
    Prediction {
        next_month_spending: money(next),
        confidence: crate::fixed::Fixed::new(confidence_bp, 4),
        months_used: used.len() as i64,
        recommended_budget: money(recommended),
        savings_potential: money(ratio(
            ratio(next, discretionary_share_bp, 10_000),
            SAVINGS_POTENTIAL_BP,
            10_000,
        )),
        trend: t,
        risk_factors: risks,
    }
}

/// `GET /api/behavior/cluster` (rule C1: the first matching row of the table in
/// docs/insights.md).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cluster {
    pub cluster_id: &'static str,
    pub cluster_name: &'static str,
    pub description: &'static str,
    pub characteristics: Vec<String>,
    /// Spending of the last 30 days ÷ monthly income (null without income).
    pub spending_to_income_bp: Option<i64>,
}

/// Classifies from the last 30 days' figures and the monthly income.
pub fn cluster(f: &MonthFigures, triggers: &[Trigger], income: i64) -> Cluster {
    let to_income = (income > 0).then(|| ratio(f.total.cents(), 10_000, income));
    let has = |t: &str| triggers.iter().any(|x| x.trigger_type == t);
    let (id, name, description) = if f.transaction_count == 0 {
        (
            "getting_started",
            "Getting Started",
            "Not enough spending recorded yet to see a pattern.",
        )
    } else if to_income.is_some_and(|r| r > 10_000) {
        (
            "overspender",
            "Overspender",
            "You spent more than your income in the last 30 days.",
        )
    } else if has("small_frequent_purchases") {
        (
            "impulse_buyer",
            "Impulse Buyer",
            "Many small purchases make up a good part of your spending.",
        )
    } else if has("weekend_spending") {
        (
            "weekend_spender",
            "Weekend Spender",
            "Your spending concentrates on weekends.",
        )
    } else if to_income.is_some_and(|r| r <= 7_000) {
        (
            "saver",
            "Saver",
            "You keep at least 30% of your income unspent.",
        )
    } else {
        (
            "balanced",
            "Balanced Spender",
            "Your spending is steady and within your means.",
        )
    };
    let mut characteristics = Vec::new();
    if let Some(r) = to_income {
        characteristics.push(format!(
            "Spent {}% of monthly income in the last 30 days",
            ratio(r, 1, 100)
        ));
    }
    if let Some(top) = f.top_categories.first() {
        characteristics.push(format!(
            "Largest category: {} ({}%)",
            top.category,
            ratio(top.share_bp, 1, 100)
        ));
    }
    for t in triggers {
        characteristics.push(t.trigger_name.to_string());
    }
    Cluster {
        cluster_id: id,
        cluster_name: name,
        description,
        characteristics,
        spending_to_income_bp: to_income,
    }
}

/// One day over its plan (`GET /api/behavior/warnings`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub date: NaiveDate,
    /// over_budget (spent above planned), or high_risk_day (a future day whose weekday usually
    /// costs more than its plan).
    pub warning_type: &'static str,
    pub severity: &'static str,
    pub planned: Money,
    pub spent: Money,
    pub expected: Money,
    pub message: String,
}

/// The weekday's usual spending: total per weekday of `history` ÷ the number of such weekdays
/// from `first` to `last` (Monday first).
pub fn weekday_averages(history: &[Spend], first: NaiveDate, last: NaiveDate) -> [i64; 7] {
    let mut totals = [0i64; 7];
    let mut days = [0i64; 7];
    let mut d = first;
    while d <= last {
        days[d.weekday().num_days_from_monday() as usize] += 1;
        match d.succ_opt() {
            Some(n) => d = n,
            None => break,
        }
    }
    for s in history.iter().filter(|s| s.date >= first && s.date <= last) {
        totals[s.date.weekday().num_days_from_monday() as usize] += s.amount;
    }
    let mut out = [0i64; 7];
    for i in 0..7 {
        out[i] = ratio(totals[i], 1, days[i]);
    }
    out
}

/// Rules W1 (past days over plan) and W2 (days from today whose usual weekday spending is above
/// their plan).
pub fn warnings(
    days: &BTreeMap<NaiveDate, DayTotals>,
    usual: &[i64; 7],
    today: NaiveDate,
) -> Vec<Warning> {
    let mut out = Vec::new();
    for (date, t) in days {
        if !t.has_rows {
            continue;
        }
        let expected = usual[date.weekday().num_days_from_monday() as usize];
        if *date <= today && t.spent > t.planned {
            let over = t.spent - t.planned;
            out.push(Warning {
                date: *date,
                warning_type: "over_budget",
                severity: if bp(over, t.planned).is_none_or(|r| r >= 5_000) {
                    "high"
                } else {
                    "medium"
                },
                planned: money(t.planned),
                spent: money(t.spent),
                expected: money(expected),
                message: format!(
                    "Spent {} over the plan of {}.",
                    money(over),
                    money(t.planned)
                ),
            });
        } else if *date >= today && expected > t.planned && expected > t.spent {
            out.push(Warning {
                date: *date,
                warning_type: "high_risk_day",
                severity: "medium",
                planned: money(t.planned),
                spent: money(t.spent),
                expected: money(expected),
                message: format!(
                    "You usually spend {} on a {}, above this day's plan of {}.",
                    money(expected),
                    weekday_name(date.weekday()),
                    money(t.planned)
                ),
            });
        }
    }
    out
}

/// The usual amount of a category: the median of its spends in `history` (0 without any).
pub fn typical_amount(history: &[Spend], category: TxCategory) -> i64 {
    let v: Vec<i64> = history
        .iter()
        .filter(|s| s.category == category)
        .map(|s| s.amount)
        .collect();
    median(&v)
}

/// Months with spending the seasonal patterns need.
pub const SEASONAL_MIN_MONTHS: usize = 3;

/// `GET /api/analytics/seasonal-patterns`.
#[derive(Clone, Debug, Serialize)]
pub struct Seasonal {
    pub months_analyzed: usize,
    /// Month number ("1"–"12") → that month's total ÷ the mean of the months with spending.
    pub monthly_patterns: BTreeMap<String, crate::fixed::Fixed>,
    /// Category → month number → the category's month total ÷ its mean over the same months.
    pub category_seasonality: BTreeMap<String, BTreeMap<String, crate::fixed::Fixed>>,
    pub highest_month: Option<String>,
    pub lowest_month: Option<String>,
    pub message: String,
}

/// Seasonal factors (rule S1 of docs/insights.md) over the calendar `months`: each month with
/// spending → its total ÷ the mean of those months (2 decimals), keyed by month number; the
/// same per category over the months in which the category has spending. Fewer than 3 months
/// with spending → no factors.
pub fn seasonal(all: &[Spend], months: &[(NaiveDate, NaiveDate)]) -> Seasonal {
    use crate::fixed::Fixed;
    let mut totals: BTreeMap<u32, i64> = BTreeMap::new();
    let mut by_cat: BTreeMap<&'static str, BTreeMap<u32, i64>> = BTreeMap::new();
    for (first, last) in months {
        for s in all.iter().filter(|s| s.date >= *first && s.date <= *last) {
            *totals.entry(first.month()).or_default() += s.amount;
            *by_cat
                .entry(s.category.as_str())
                .or_default()
                .entry(first.month())
                .or_default() += s.amount;
        }
    }
    let factors = |m: &BTreeMap<u32, i64>| -> BTreeMap<String, Fixed> {
        let n = m.len() as i64;
        let sum: i64 = m.values().sum();
        m.iter()
            .map(|(k, v)| (k.to_string(), Fixed::ratio(v * n, sum, 2)))
            .collect()
    };
    if totals.len() < SEASONAL_MIN_MONTHS {
        return Seasonal {
            months_analyzed: totals.len(),
            monthly_patterns: BTreeMap::new(),
            category_seasonality: BTreeMap::new(),
            highest_month: None,
            lowest_month: None,
            message: "At least 3 months of spending are needed for seasonal patterns.".to_string(),
        };
    }
    let name = |m: u32| {
        chrono::Month::try_from(u8::try_from(m).unwrap_or(1))
            .map_or(String::new(), |x| x.name().to_string())
    };
    let highest = totals
        .iter()
        .max_by_key(|(k, v)| (**v, std::cmp::Reverse(**k)))
        .map(|(k, _)| name(*k));
    let lowest = totals
        .iter()
        .min_by_key(|(k, v)| (**v, **k))
        .map(|(k, _)| name(*k));
    Seasonal {
        months_analyzed: totals.len(),
        monthly_patterns: factors(&totals),
        category_seasonality: by_cat
            .iter()
            .map(|(c, m)| ((*c).to_string(), factors(m)))
            .collect(),
        message: format!(
            "{} months analysed; {} costs the most, {} the least.",
            totals.len(),
            highest.clone().unwrap_or_default(),
            lowest.clone().unwrap_or_default()
        ),
        highest_month: highest,
        lowest_month: lowest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::Id;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn spend(date: NaiveDate, cat: TxCategory, cents: i64) -> Spend {
        Spend {
            id: Id::new(),
            date,
            category: cat,
            amount: cents,
            merchant: None,
            description: None,
        }
    }

    // November 2026: the 1st is a Sunday; weekends 1, 7, 8, 14, 15, 21, 22, 28, 29 (9 days).
    #[test]
    fn figures_split_weekdays_and_weekends_and_count_small_and_discretionary_spends() {
        let all = vec![
            spend(d(11, 2), TxCategory::Groceries, 10_000), // Monday
            spend(d(11, 7), TxCategory::Dining, 9_000),     // Saturday
            spend(d(11, 8), TxCategory::Shopping, 900),     // Sunday, small
        ];
        let m = MonthSpends::of(&all, d(11, 1), d(11, 30));
        let f = figures(&m);
        assert_eq!(f.total.cents(), 19_900);
        assert_eq!(f.weekday_daily_average.cents(), ratio(10_000, 1, 21));
        assert_eq!(f.weekend_daily_average.cents(), 1_100);
        assert_eq!(f.weekend_ratio_bp, Some(ratio(1_100, 10_000, 476)));
        assert_eq!(f.small_purchases, 1);
        assert_eq!(f.discretionary_share_bp, bp(9_900, 19_900).unwrap());
        assert_eq!(f.first_week_share_bp, bp(19_000, 19_900).unwrap());
        assert_eq!(f.top_categories[0].category, "groceries");
    }

    #[test]
    fn t1_weekend_trigger_needs_weekend_days_at_150_percent_of_weekdays() {
        // 21 weekdays × 10.00 against 9 weekend days × 15.00: exactly 150 %.
        let mut all = Vec::new();
        for day in 1..=30 {
            let date = d(11, day);
            let cents = if is_weekend(date) { 1_500 } else { 1_000 };
            all.push(spend(date, TxCategory::Groceries, cents));
        }
        let m = MonthSpends::of(&all, d(11, 1), d(11, 30));
        let t = triggers(&figures(&m), &m);
        assert!(t.iter().any(|t| t.trigger_type == "weekend_spending"));
        assert_eq!(t[0].frequency, "9 weekend days");
        assert_eq!(t[0].amount.cents(), 9 * 1_500);
        // At 149 % it does not fire.
        all.retain(|s| s.date != d(11, 1));
        all.push(spend(d(11, 1), TxCategory::Groceries, 1_400));
        let m = MonthSpends::of(&all, d(11, 1), d(11, 30));
        let t = triggers(&figures(&m), &m);
        assert!(!t.iter().any(|t| t.trigger_type == "weekend_spending"));
    }

    #[test]
    fn t2_small_frequent_purchases_fire_at_ten() {
        let mut all: Vec<Spend> = (2..=10)
            .map(|day| spend(d(11, day), TxCategory::Food, 1_000))
            .collect();
        all.push(spend(d(11, 20), TxCategory::Rent, 100_000));
        let m = MonthSpends::of(&all, d(11, 1), d(11, 30));
        assert!(
            !triggers(&figures(&m), &m)
                .iter()
                .any(|t| t.trigger_type == "small_frequent_purchases")
        );
        all.push(spend(d(11, 11), TxCategory::Food, 999));
        let m = MonthSpends::of(&all, d(11, 1), d(11, 30));
        let t = triggers(&figures(&m), &m);
        let small = t
            .iter()
            .find(|t| t.trigger_type == "small_frequent_purchases")
            .unwrap();
        assert_eq!(small.amount.cents(), 9_999);
        assert_eq!(small.frequency, "10 times");
    }

    #[test]
    fn t3_month_start_needs_two_weeks_and_forty_percent_in_the_first_week() {
        let all = vec![
            spend(d(11, 3), TxCategory::Rent, 4_000),
            spend(d(11, 20), TxCategory::Rent, 6_000),
        ];
        let full = MonthSpends::of(&all, d(11, 1), d(11, 30));
        assert!(
            triggers(&figures(&full), &full)
                .iter()
                .any(|t| t.trigger_type == "month_start_spending")
        );
        let early = MonthSpends::of(&all, d(11, 1), d(11, 13));
        assert!(
            !triggers(&figures(&early), &early)
                .iter()
                .any(|t| t.trigger_type == "month_start_spending"),
            "13 days are too few"
        );
    }

    #[test]
    fn t4_discretionary_fires_at_thirty_percent() {
        let all = vec![
            spend(d(11, 10), TxCategory::Entertainment, 3_000),
            spend(d(11, 10), TxCategory::Rent, 7_000),
        ];
        let m = MonthSpends::of(&all, d(11, 9), d(11, 30));
        let t = triggers(&figures(&m), &m);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].trigger_type, "discretionary_spending");
        assert_eq!(t[0].amount.cents(), 3_000);
    }

    #[test]
    fn p_sentences_name_the_top_category_and_the_weekend_difference() {
        let all = vec![
            spend(d(11, 2), TxCategory::Groceries, 10_000),
            spend(d(11, 7), TxCategory::Dining, 9_000),
        ];
        let m = MonthSpends::of(&all, d(11, 1), d(11, 30));
        let s = pattern_sentences(&figures(&m));
        assert!(s[0].starts_with("groceries is your largest category: 100.00"));
        assert!(s[1].starts_with("You spend more per day on weekends"));
        let empty = MonthSpends::of(&[], d(11, 1), d(11, 30));
        assert_eq!(
            pattern_sentences(&figures(&empty)),
            vec!["No spending recorded in this period."]
        );
    }

    fn total(month: &str, cents: i64, n: i64) -> MonthTotal {
        MonthTotal {
            month: month.into(),
            total: money(cents),
            transaction_count: n,
        }
    }

    #[test]
    fn r_prediction_is_the_mean_of_up_to_three_complete_months_capped_by_income() {
        let empty = MonthSpends::of(&[], d(12, 1), d(12, 5));
        let f = figures(&empty);
        let months = [
            total("2026-08", 90_000, 5),
            total("2026-09", 100_000, 5),
            total("2026-10", 100_000, 5),
            total("2026-11", 130_000, 5),
        ];
        let p = predict(&months, &f, 31, 5_000, 120_000);
        assert_eq!(p.months_used, 3);
        assert_eq!(p.next_month_spending.cents(), 110_000);
        assert_eq!(p.confidence, crate::fixed::Fixed::new(9_000, 4));
        assert_eq!(p.recommended_budget.cents(), 108_000, "90 % of income");
        assert_eq!(
            p.savings_potential.cents(),
            5_500,
            "10 % of the 50 % discretionary"
        );
        assert_eq!(p.trend, "up");
        assert_eq!(p.risk_factors.len(), 2, "{:?}", p.risk_factors);
        // No complete month: this month's pace, confidence 0.30.
        let all = vec![spend(d(12, 2), TxCategory::Food, 5_000)];
        let m = MonthSpends::of(&all, d(12, 1), d(12, 5));
        let p = predict(&[], &figures(&m), 31, 0, 0);
        assert_eq!(p.next_month_spending.cents(), 1_000 * 31);
        assert_eq!(p.confidence, crate::fixed::Fixed::new(3_000, 4));
        assert_eq!(p.trend, "stable");
    }

    #[test]
    fn c1_cluster_takes_the_first_matching_rule() {
        let all = vec![spend(d(11, 10), TxCategory::Rent, 50_000)];
        let m = MonthSpends::of(&all, d(11, 1), d(11, 30));
        let f = figures(&m);
        assert_eq!(cluster(&f, &[], 40_000).cluster_id, "overspender");
        assert_eq!(cluster(&f, &[], 100_000).cluster_id, "saver");
        assert_eq!(cluster(&f, &[], 60_000).cluster_id, "balanced");
        assert_eq!(cluster(&f, &[], 0).cluster_id, "balanced");
        let t = triggers(&f, &m);
        assert!(t.is_empty());
        let weekend = Trigger {
            trigger_type: "weekend_spending",
            trigger_name: "Weekend spending",
            description: String::new(),
            frequency: String::new(),
            amount: money(0),
        };
        assert_eq!(
            cluster(&f, &[weekend], 100_000).cluster_id,
            "weekend_spender"
        );
        let none = MonthSpends::of(&[], d(11, 1), d(11, 30));
        assert_eq!(
            cluster(&figures(&none), &[], 0).cluster_id,
            "getting_started"
        );
    }

    #[test]
    fn w_warnings_flag_past_days_over_plan_and_future_days_whose_weekday_costs_more() {
        let mut days = BTreeMap::new();
        let t = |planned, spent| DayTotals {
            planned,
            spent,
            goal: 0,
            has_rows: true,
        };
        days.insert(d(11, 2), t(1_000, 1_600)); // Monday, past, 60 % over → high
        days.insert(d(11, 3), t(1_000, 1_200)); // Tuesday, past, 20 % over → medium
        days.insert(d(11, 9), t(1_000, 0)); // Monday, future
        days.insert(d(11, 10), t(1_000, 0)); // Tuesday, future
        let mut usual = [0; 7];
        usual[0] = 1_500; // Mondays usually cost 15.00
        let w = warnings(&days, &usual, d(11, 5));
        assert_eq!(w.len(), 3);
        assert_eq!((w[0].warning_type, w[0].severity), ("over_budget", "high"));
        assert_eq!(
            (w[1].warning_type, w[1].severity),
            ("over_budget", "medium")
        );
        assert_eq!(w[2].warning_type, "high_risk_day");
        assert_eq!(w[2].date, d(11, 9));
    }

    #[test]
    fn weekday_averages_divide_by_the_days_of_the_window_and_typical_is_the_median() {
        let all = vec![
            spend(d(11, 2), TxCategory::Food, 1_000),
            spend(d(11, 9), TxCategory::Food, 3_000),
            spend(d(11, 16), TxCategory::Food, 9_000),
        ];
        let a = weekday_averages(&all, d(11, 1), d(11, 14));
        assert_eq!(
            a[0], 2_000,
            "two Mondays in the window, the third spend outside"
        );
        assert_eq!(typical_amount(&all, TxCategory::Food), 3_000);
        assert_eq!(typical_amount(&all, TxCategory::Rent), 0);
    }

    #[test]
    fn trend_is_beyond_ten_percent() {
        assert_eq!(trend(100, 111), "up");
        assert_eq!(trend(100, 110), "stable");
        assert_eq!(trend(100, 89), "down");
        assert_eq!(trend(0, 5), "up");
        assert_eq!(trend(0, 0), "stable");
    }

    #[test]
    fn s1_seasonal_factors_divide_each_month_by_the_mean_of_the_months_with_spending() {
        let all = vec![
            spend(d(9, 3), TxCategory::Rent, 10_000),
            spend(d(10, 3), TxCategory::Rent, 10_000),
            spend(d(11, 3), TxCategory::Rent, 10_000),
            spend(d(11, 4), TxCategory::Gifts, 30_000),
        ];
        let months: Vec<_> = (8..=11)
            .map(|m| crate::budget::views::month_range(2026, m).unwrap())
            .collect();
        let s = seasonal(&all, &months);
        assert_eq!(s.months_analyzed, 3, "August had no spending");
        // Mean 200.00: September 0.5, October 0.5, November 2.0.
        assert_eq!(s.monthly_patterns["9"], crate::fixed::Fixed::new(50, 2));
        assert_eq!(s.monthly_patterns["11"], crate::fixed::Fixed::new(200, 2));
        assert_eq!(
            s.category_seasonality["rent"]["9"],
            crate::fixed::Fixed::new(100, 2)
        );
        assert_eq!(
            s.category_seasonality["gifts"]["11"],
            crate::fixed::Fixed::new(100, 2)
        );
        assert_eq!(s.highest_month.as_deref(), Some("November"));
        assert_eq!(s.lowest_month.as_deref(), Some("September"));
        let two = seasonal(&all[..2], &months);
        assert!(two.monthly_patterns.is_empty());
    }
}
