//! The behaviour routes' operations: load the caller's data in a fixed number of queries (the
//! user, one range of spends, at most one range of plan days), then run [`super::rules`].

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::rules::{
    self, Cluster, MonthFigures, MonthSpends, MonthTotal, Prediction, Trigger, Warning,
};
use crate::budget::TxCategory;
use crate::budget::views::{Ctx, day_totals, month_range, plan_cells, ratio};
use crate::db::Db;
use crate::error::{Code, Error, Result};
use crate::insights::data::{self, Spend, days_before};
use crate::insights::rules::anomalies::{self, Anomaly};
use crate::money::Money;

/// Days of history behind "usual" amounts (weekday averages, typical amount of a category).
pub const HISTORY_DAYS: u64 = 90;

/// The first day of the month `n` months before `day`'s month.
pub fn month_start_back(day: NaiveDate, n: u32) -> NaiveDate {
    let first = day.with_day(1).unwrap_or(day);
    first.checked_sub_months(Months::new(n)).unwrap_or(first)
}

/// The calendar months `first..=last` of the `n` months ending with `last_month_first`'s month.
pub fn months_back(last_month_first: NaiveDate, n: u32) -> Vec<(NaiveDate, NaiveDate)> {
    (0..n)
        .rev()
        .filter_map(|k| {
            let f = last_month_first.checked_sub_months(Months::new(k))?;
            month_range(f.year(), f.month()).ok()
        })
        .collect()
}

/// The selected month: its first day and the last day counted (today inside the current month).
/// A month after the current one is a 422.
pub fn counted(ctx: &Ctx, year: i32, month: u32) -> Result<(NaiveDate, NaiveDate)> {
    let (first, last) = month_range(year, month)?;
    if first > ctx.today {
        return Err(Error::invalid(
            Code::Validation2003,
            "query.month",
            "range",
            "must not be after the current month",
        ));
    }
    Ok((first, last.min(ctx.today)))
}

/// Spends from `first` to `last` (1 query).
pub async fn spends(db: &Db, ctx: &Ctx, first: NaiveDate, last: NaiveDate) -> Result<Vec<Spend>> {
    data::spends(db, ctx.user.id, first, last).await
}

/// `GET /api/behavior/patterns`.
#[derive(Clone, Debug, Serialize)]
pub struct PatternsAnswer {
    pub year: i32,
    pub month: u32,
    pub patterns: Vec<String>,
    pub analysis: MonthFigures,
}

/// `GET /api/behavior/triggers`.
#[derive(Clone, Debug, Serialize)]
pub struct TriggersAnswer {
    pub year: i32,
    pub month: u32,
    pub triggers: Vec<Trigger>,
    pub count: usize,
}

/// `GET /api/behavior/analysis`.
#[derive(Clone, Debug, Serialize)]
pub struct AnalysisAnswer {
    pub year: i32,
    pub month: u32,
    pub summary: String,
    pub spending: MonthFigures,
    pub patterns: Vec<String>,
    pub triggers: Vec<Trigger>,
    pub anomaly_count: usize,
    pub warning_count: usize,
}

/// The month figures, patterns and triggers of a selected month (1 query).
pub async fn month(
    db: &Db,
    ctx: &Ctx,
    year: i32,
    month: u32,
) -> Result<(MonthFigures, Vec<String>, Vec<Trigger>)> {
    let (first, last) = counted(ctx, year, month)?;
    let all = spends(db, ctx, first, last).await?;
    let m = MonthSpends::of(&all, first, last);
    let f = rules::figures(&m);
    let t = rules::triggers(&f, &m);
    let p = rules::pattern_sentences(&f);
    Ok((f, p, t))
}

/// Anomalies flagged within the selected month (or the `days` days ending today), found over
/// the 90 days ending the month's last counted day (1 query).
pub async fn anomalies_between(
    db: &Db,
    ctx: &Ctx,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<Anomaly>> {
    let all = spends(db, ctx, days_before(last, anomalies::WINDOW_DAYS - 1), last).await?;
    Ok(anomalies::detect(&all, last, &ctx.user.currency)
        .into_iter()
        .filter(|a| a.date >= first && a.date <= last)
        .collect())
}

/// `GET /api/behavior/analysis` (3 queries after the user).
pub async fn analysis(db: &Db, ctx: &Ctx, year: i32, month_no: u32) -> Result<AnalysisAnswer> {
    let (f, p, t) = month(db, ctx, year, month_no).await?;
    let (first, last) = counted(ctx, year, month_no)?;
    let found = anomalies_between(db, ctx, first, last).await?;
    let w = warnings(db, ctx, year, month_no).await?;
    let summary = format!(
        "{} spent in {} purchases; {} trigger(s), {} unusual purchase(s), {} day(s) over plan.",
        f.total,
        f.transaction_count,
        t.len(),
        found.len(),
        w.iter().filter(|w| w.warning_type == "over_budget").count()
    );
    Ok(AnalysisAnswer {
        year,
        month: month_no,
        summary,
        spending: f,
        patterns: p,
        triggers: t,
        anomaly_count: found.len(),
        warning_count: w.len(),
    })
}

/// `GET /api/behavior/warnings`: the selected month's days (2 queries: history, plan).
pub async fn warnings(db: &Db, ctx: &Ctx, year: i32, month: u32) -> Result<Vec<Warning>> {
    let (first, last) = month_range(year, month)?;
    let history_first = days_before(ctx.today, HISTORY_DAYS - 1);
    let history = spends(db, ctx, history_first, ctx.today).await?;
    let usual = rules::weekday_averages(&history, history_first, ctx.today);
    let days = day_totals(&plan_cells(db, ctx.user.id, first, last).await?);
    Ok(rules::warnings(&days, &usual, ctx.today))
}

/// `GET /api/behavior/predictions`.
#[derive(Clone, Debug, Serialize)]
pub struct PredictionAnswer {
    #[serde(flatten)]
    pub prediction: Prediction,
    /// The three complete months before this one, oldest first.
    pub monthly_history: Vec<MonthTotal>,
}

/// Predicts next month (1 query: the 3 months before this one and this month so far).
pub async fn predictions(db: &Db, ctx: &Ctx) -> Result<PredictionAnswer> {
    let this_first = ctx.today.with_day(1).unwrap_or(ctx.today);
    let first = month_start_back(ctx.today, 3);
    let all = spends(db, ctx, first, ctx.today).await?;
    let complete = rules::month_totals(&all, &months_back(this_first, 4)[..3]);
    let this = MonthSpends::of(&all, this_first, ctx.today);
    let f = rules::figures(&this);
    // The discretionary share of the whole period read.
    let whole = MonthSpends::of(&all, first, ctx.today);
    let share = rules::figures(&whole).discretionary_share_bp;
    let (_, this_last) = month_range(this_first.year(), this_first.month())?;
    let days = i64::from(this_last.day());
    Ok(PredictionAnswer {
        prediction: rules::predict(&complete, &f, days, share, ctx.monthly_income()),
        monthly_history: complete,
    })
}

/// `GET /api/behavior/cluster`: the last 30 days (1 query).
pub async fn cluster(db: &Db, ctx: &Ctx) -> Result<Cluster> {
    let first = days_before(ctx.today, 29);
    let all = spends(db, ctx, first, ctx.today).await?;
    let m = MonthSpends::of(&all, first, ctx.today);
    let f = rules::figures(&m);
    let t = rules::triggers(&f, &m);
    Ok(rules::cluster(&f, &t, ctx.monthly_income()))
}

/// `GET /api/behavior/recommendations`.
#[derive(Clone, Debug, Serialize)]
pub struct Recommendations {
    pub recommendations: Vec<String>,
    pub count: usize,
    /// The rule behind each recommendation, in the same order.
    pub based_on: Vec<&'static str>,
}

/// Recommendations from this month's triggers, the prediction and the top category (2 queries).
pub async fn recommendations(db: &Db, ctx: &Ctx) -> Result<Recommendations> {
    let (f, _, t) = month(db, ctx, ctx.today.year(), ctx.today.month()).await?;
    let p = predictions(db, ctx).await?.prediction;
    let mut recs: Vec<(String, &'static str)> = Vec::new();
    for tr in &t {
        recs.push((trigger_tip(tr, &f), tr.trigger_type));
    }
    let income = ctx.monthly_income();
    if income > 0 && p.next_month_spending.cents() > income {
        recs.push((
            format!(
                "Keep next month under {}: the prediction {} is above your income.",
                p.recommended_budget, p.next_month_spending
            ),
            "prediction_above_income",
        ));
    }
    if let Some(top) = f.top_categories.first()
        && top.share_bp >= 4_000
    {
        recs.push((
            format!(
                "Set a limit for {}: it takes {}% of your spending.",
                top.category,
                ratio(top.share_bp, 1, 100)
            ),
            "top_category",
        ));
    }
    if p.savings_potential.cents() > 0 {
        recs.push((
            format!(
                "Cutting discretionary spending by 10% would save about {} a month.",
                p.savings_potential
            ),
            "savings_potential",
        ));
    }
    Ok(Recommendations {
        count: recs.len(),
        based_on: recs.iter().map(|r| r.1).collect(),
        recommendations: recs.into_iter().map(|r| r.0).collect(),
    })
}

/// The advice sentence of a trigger (T1–T4) from the figures of its period.
pub fn trigger_tip(tr: &Trigger, f: &MonthFigures) -> String {
    match tr.trigger_type {
        "weekend_spending" => format!(
            "Plan your weekends ahead: your weekend days cost {} against {} on weekdays.",
            f.weekend_daily_average, f.weekday_daily_average
        ),
        "small_frequent_purchases" => format!(
            "Group small purchases: {} purchases of 10.00 or less this month.",
            f.small_purchases
        ),
        "month_start_spending" => {
            "Spread large purchases over the month instead of its first week.".to_string()
        }
        _ => format!(
            "Cut discretionary spending: it is {}% of this month's total.",
            ratio(f.discretionary_share_bp, 1, 100)
        ),
    }
}

/// One metric of the progress screen.
#[derive(Clone, Debug, Serialize)]
pub struct Metric {
    pub name: &'static str,
    pub value: Money,
    /// up, down or stable: the last complete month against the one before.
    pub trend: &'static str,
}

/// `GET /api/behavior/progress?months=`.
#[derive(Clone, Debug, Serialize)]
pub struct Progress {
    pub months_tracked: u32,
    pub months: Vec<MonthTotal>,
    /// 50 plus half the percentage by which the last complete month's spending fell below the
    /// mean of the complete months before it, 0–100; 0 without two complete months of data.
    pub overall_score: i64,
    pub progress_message: String,
    pub metrics: Vec<Metric>,
    pub improvements: Vec<String>,
}

/// The last `months` calendar months, this one included (1 query).
pub async fn progress(db: &Db, ctx: &Ctx, months: u32) -> Result<Progress> {
    if !(1..=12).contains(&months) {
        return Err(Error::invalid(
            Code::Validation2003,
            "query.months",
            "range",
            "must be 1 to 12",
        ));
    }
    let this_first = ctx.today.with_day(1).unwrap_or(ctx.today);
    let first = month_start_back(ctx.today, months - 1);
    let all = spends(db, ctx, first, ctx.today).await?;
    let totals = rules::month_totals(&all, &months_back(this_first, months));
    let complete: Vec<&MonthTotal> = totals[..totals.len().saturating_sub(1)]
        .iter()
        .filter(|m| m.transaction_count > 0)
        .collect();
    let (score, message) = match complete.split_last() {
        Some((last, before)) if !before.is_empty() => {
            let mean = ratio(
                before.iter().map(|m| m.total.cents()).sum(),
                1,
                before.len() as i64,
            );
            let drop_pct = ratio(mean - last.total.cents(), 100, mean);
            let s = (50 + ratio(drop_pct, 1, 2)).clamp(0, 100);
            let msg = if last.total.cents() < mean {
                format!(
                    "{} spent {} against {} on average before: spending is going down.",
                    last.month,
                    last.total,
                    Money::from_cents(mean)
                )
            } else {
                format!(
                    "{} spent {} against {} on average before: spending is not going down.",
                    last.month,
                    last.total,
                    Money::from_cents(mean)
                )
            };
            (s, msg)
        }
        _ => (
            0,
            "Two complete months of spending are needed to measure progress.".to_string(),
        ),
    };
    let n = totals.len();
    let trend_of = |f: &dyn Fn(&MonthTotal) -> i64| -> &'static str {
        if n >= 3 {
            rules::trend(f(&totals[n - 3]), f(&totals[n - 2]))
        } else {
            "stable"
        }
    };
    let last_complete = if n >= 2 { Some(&totals[n - 2]) } else { None };
    let metrics = vec![
        Metric {
            name: "Monthly spending",
            value: last_complete.map_or(Money::from_cents(0), |m| m.total),
            trend: trend_of(&|m| m.total.cents()),
        },
        Metric {
            name: "Average purchase",
            value: Money::from_cents(
                last_complete.map_or(0, |m| ratio(m.total.cents(), 1, m.transaction_count)),
            ),
            trend: trend_of(&|m| ratio(m.total.cents(), 1, m.transaction_count)),
        },
    ];
    let mut improvements = Vec::new();
    if n >= 3 && totals[n - 2].total.cents() < totals[n - 3].total.cents() {
        improvements.push(format!(
            "Spending fell from {} in {} to {} in {}.",
            totals[n - 3].total,
            totals[n - 3].month,
            totals[n - 2].total,
            totals[n - 2].month
        ));
    }
    Ok(Progress {
        months_tracked: months,
        months: totals,
        overall_score: score,
        progress_message: message,
        metrics,
        improvements,
    })
}

/// `GET /api/behavior/category/{category}`.
#[derive(Clone, Debug, Serialize)]
pub struct CategoryAnswer {
    pub category: &'static str,
    pub year: i32,
    pub month: u32,
    pub total: Money,
    pub count: i64,
    pub average: Money,
    /// Share of the month's total spending.
    pub share_bp: i64,
    pub previous_month_total: Money,
    /// up, down or stable against the previous month.
    pub trend: &'static str,
    /// Median of the category's spends over the 90 days ending the month's last counted day.
    pub typical_amount: Money,
    pub largest: Option<Money>,
    pub insights: Vec<String>,
}

/// One category in the selected month (1 query).
pub async fn category(
    db: &Db,
    ctx: &Ctx,
    name: &str,
    year: i32,
    month_no: u32,
) -> Result<CategoryAnswer> {
    let cat: TxCategory = name.trim().to_ascii_lowercase().parse().map_err(|_| {
        Error::invalid(
            Code::Validation2009,
            "path.category",
            "enum",
            "must be one of the 22 transaction categories",
        )
    })?;
    let (first, last) = counted(ctx, year, month_no)?;
    let prev_first = month_start_back(first, 1);
    let from = prev_first.min(days_before(last, HISTORY_DAYS - 1));
    let all = spends(db, ctx, from, last).await?;
    let m = MonthSpends::of(&all, first, last);
    let mine: Vec<&Spend> = m
        .spends
        .iter()
        .copied()
        .filter(|s| s.category == cat)
        .collect();
    let total: i64 = mine.iter().map(|s| s.amount).sum();
    let count = mine.len() as i64;
    let (_, prev_last) = month_range(prev_first.year(), prev_first.month())?;
    let prev: i64 = all
        .iter()
        .filter(|s| s.category == cat && s.date >= prev_first && s.date <= prev_last)
        .map(|s| s.amount)
        .sum();
    let history: Vec<Spend> = all
        .iter()
        .filter(|s| s.date >= days_before(last, HISTORY_DAYS - 1))
        .cloned()
        .collect();
    let typical = rules::typical_amount(&history, cat);
    let share = data::bp(total, m.total()).unwrap_or(0);
    let t = rules::trend(prev, total);
    let mut insights = Vec::new();
    if count == 0 {
        insights.push(format!("No {} spending in this month.", cat.as_str()));
    } else {
        insights.push(format!(
            "{} purchases for {} ({}% of the month).",
            count,
            Money::from_cents(total),
            ratio(share, 1, 100)
        ));
        insights.push(match t {
            "up" => format!("More than last month ({}).", Money::from_cents(prev)),
            "down" => format!("Less than last month ({}).", Money::from_cents(prev)),
            _ => format!(
                "About the same as last month ({}).",
                Money::from_cents(prev)
            ),
        });
    }
    Ok(CategoryAnswer {
        category: cat.as_str(),
        year,
        month: month_no,
        total: Money::from_cents(total),
        count,
        average: Money::from_cents(ratio(total, 1, count)),
        share_bp: share,
        previous_month_total: Money::from_cents(prev),
        trend: t,
        typical_amount: Money::from_cents(typical),
        largest: mine.iter().map(|s| s.amount).max().map(Money::from_cents),
        insights,
    })
}

/// `POST /api/behavior/calendar` body (the logs the app sends are accepted and not used).
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarRequest {
    pub year: Option<i32>,
    pub month: Option<u32>,
}

/// One day of the behaviour calendar.
#[derive(Clone, Debug, Serialize)]
pub struct CalendarDay {
    pub date: NaiveDate,
    pub day: u32,
    pub weekday: &'static str,
    pub planned: Money,
    pub spent: Money,
    /// The usual spending of this weekday (last 90 days).
    pub expected: Money,
    /// high: expected above planned; medium: expected above 80 % of planned; low otherwise
    /// (none for a day without a plan).
    pub risk: &'static str,
}

/// `POST /api/behavior/calendar`.
#[derive(Clone, Debug, Serialize)]
pub struct Calendar {
    pub year: i32,
    pub month: u32,
    pub calendar: Vec<CalendarDay>,
    pub high_risk_days: usize,
}

/// Every day of a month with its plan, spending and usual weekday spending (2 queries).
pub async fn calendar(db: &Db, ctx: &Ctx, r: &CalendarRequest) -> Result<Calendar> {
    let (year, month_no) = ctx.month(r.year, r.month)?;
    let (first, last) = month_range(year, month_no)?;
    let history_first = days_before(ctx.today, HISTORY_DAYS - 1);
    let history = spends(db, ctx, history_first, ctx.today).await?;
    let usual = rules::weekday_averages(&history, history_first, ctx.today);
    let days = day_totals(&plan_cells(db, ctx.user.id, first, last).await?);
    let mut out = Vec::new();
    let mut d = first;
    while d <= last {
        let t = days.get(&d).cloned().unwrap_or_default();
        let expected = usual[d.weekday().num_days_from_monday() as usize];
        let risk = if !t.has_rows {
            "none"
        } else if expected > t.planned {
            "high"
        } else if expected * 10 > t.planned * 8 {
            "medium"
        } else {
            "low"
        };
        out.push(CalendarDay {
            date: d,
            day: d.day(),
            weekday: data::weekday_name(d.weekday()),
            planned: Money::from_cents(t.planned),
            spent: Money::from_cents(t.spent),
            expected: Money::from_cents(expected),
            risk,
        });
        match d.succ_opt() {
            Some(n) => d = n,
            None => break,
        }
    }
    Ok(Calendar {
        year,
        month: month_no,
        high_risk_days: out.iter().filter(|d| d.risk == "high").count(),
        calendar: out,
    })
}

/// `POST /api/behavior/expense_suggestions` body.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExpenseRequest {
    pub category: Option<String>,
    pub amount: Option<crate::money::RoundedMoney>,
    pub description: Option<String>,
    /// YYYY-MM-DD, default today.
    pub date: Option<String>,
}

/// One suggestion.
#[derive(Clone, Debug, Serialize)]
pub struct Suggestion {
    /// above_usual, over_day_budget, within_budget, usual_amount.
    pub suggestion_type: &'static str,
    pub message: String,
}

/// `POST /api/behavior/expense_suggestions`.
#[derive(Clone, Debug, Serialize)]
pub struct ExpenseSuggestions {
    pub category: Option<&'static str>,
    pub date: NaiveDate,
    pub typical_amount: Option<Money>,
    /// The day's planned minus spent over every category (null without a plan that day).
    pub remaining_today: Option<Money>,
    pub suggestions: Vec<Suggestion>,
}

/// Suggestions for an expense being entered (2 queries).
pub async fn expense_suggestions(
    db: &Db,
    ctx: &Ctx,
    r: &ExpenseRequest,
) -> Result<ExpenseSuggestions> {
    let cat = match r
        .category
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        None => None,
        Some(c) => Some(c.to_ascii_lowercase().parse::<TxCategory>().map_err(|_| {
            Error::invalid(
                Code::Validation2009,
                "body.category",
                "enum",
                "must be one of the 22 transaction categories",
            )
        })?),
    };
    let amount = match &r.amount {
        None => None,
        Some(a) => {
            let c = a.0.cents();
            if c <= 0 {
                return Err(Error::invalid(
                    Code::Validation2006,
                    "body.amount",
                    "range",
                    "must be greater than 0",
                ));
            }
            Some(c)
        }
    };
    let date = match r.date.as_deref() {
        None => ctx.today,
        Some(t) => crate::time::parse_day(t, "body.date", ctx.tz)?,
    };
    let history_first = days_before(ctx.today, HISTORY_DAYS - 1);
    let history = spends(db, ctx, history_first, ctx.today).await?;
    let day = day_totals(&plan_cells(db, ctx.user.id, date, date).await?)
        .remove(&date)
        .filter(|t| t.has_rows);
    let remaining = day.map(|t| t.planned - t.spent);
    let typical = cat.map(|c| rules::typical_amount(&history, c));
    let mut out = Vec::new();
    if let (Some(a), Some(t)) = (amount, typical)
        && t > 0
    {
        if a > 2 * t {
            out.push(Suggestion {
                suggestion_type: "above_usual",
                message: format!(
                    "{} is more than twice your usual {} purchase of {}.",
                    Money::from_cents(a),
                    cat.map_or("", TxCategory::as_str),
                    Money::from_cents(t)
                ),
            });
        } else {
            out.push(Suggestion {
                suggestion_type: "usual_amount",
                message: format!(
                    "Your usual {} purchase is {}.",
                    cat.map_or("", TxCategory::as_str),
                    Money::from_cents(t)
                ),
            });
        }
    }
    if let (Some(a), Some(rem)) = (amount, remaining) {
        if a > rem {
            out.push(Suggestion {
                suggestion_type: "over_day_budget",
                message: format!(
                    "This exceeds what is left for {date} ({}).",
                    Money::from_cents(rem.max(0))
                ),
            });
        } else {
            out.push(Suggestion {
                suggestion_type: "within_budget",
                message: format!("{} would be left for {date}.", Money::from_cents(rem - a)),
            });
        }
    }
    Ok(ExpenseSuggestions {
        category: cat.map(TxCategory::as_str),
        date,
        typical_amount: typical.map(Money::from_cents),
        remaining_today: remaining.map(Money::from_cents),
        suggestions: out,
    })
}

/// Anomalies of the last `days` days (1–90), newest first (1 query).
pub async fn recent_anomalies(db: &Db, ctx: &Ctx, days: u32) -> Result<Vec<Anomaly>> {
    if !(1..=90).contains(&days) {
        return Err(Error::invalid(
            Code::Validation2003,
            "query.days",
            "range",
            "must be 1 to 90",
        ));
    }
    anomalies_between(
        db,
        ctx,
        days_before(ctx.today, u64::from(days) - 1),
        ctx.today,
    )
    .await
}

/// Months of history behind the seasonal patterns (complete months before the current one).
pub const SEASONAL_MONTHS: u32 = 12;
pub use super::rules::{SEASONAL_MIN_MONTHS, Seasonal};

/// Seasonal factors of the 12 complete months before this one (1 query).
pub async fn seasonal(db: &Db, ctx: &Ctx) -> Result<Seasonal> {
    let this_first = ctx.today.with_day(1).unwrap_or(ctx.today);
    let first = month_start_back(ctx.today, SEASONAL_MONTHS);
    let last = days_before(this_first, 1);
    let all = spends(db, ctx, first, last).await?;
    Ok(rules::seasonal(
        &all,
        &months_back(month_start_back(last, 0), SEASONAL_MONTHS),
    ))
}

/// One card of `GET /api/analytics/behavioral-insights`.
#[derive(Clone, Debug, Serialize)]
pub struct InsightCard {
    pub id: String,
    /// pattern, trend, anomaly, optimization.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub title: String,
    pub message: String,
    pub category: Option<String>,
    /// high, medium, low.
    pub impact: &'static str,
    pub confidence: crate::fixed::Fixed,
    pub actionable: bool,
    pub recommendations: Vec<String>,
    pub related_patterns: Vec<String>,
    pub timeframe: &'static str,
}

/// `GET /api/analytics/behavioral-insights`.
#[derive(Clone, Debug, Serialize)]
pub struct BehavioralInsights {
    pub insights: Vec<InsightCard>,
    pub count: usize,
}

/// Cards from the last 30 days: one per trigger (T1–T4), the spending trend of R5 against the
/// previous 30 days, and one per anomaly of the last 30 days (2 queries).
pub async fn behavioral_insights(db: &Db, ctx: &Ctx) -> Result<BehavioralInsights> {
    let first = days_before(ctx.today, 29);
    let before = days_before(ctx.today, anomalies::WINDOW_DAYS - 1);
    let all = spends(db, ctx, before, ctx.today).await?;
    let m = MonthSpends::of(&all, first, ctx.today);
    let f = rules::figures(&m);
    let t = rules::triggers(&f, &m);
    let mut cards = Vec::new();
    for tr in &t {
        cards.push(InsightCard {
            id: tr.trigger_type.to_string(),
            kind: if tr.trigger_type == "discretionary_spending" {
                "optimization"
            } else {
                "pattern"
            },
            title: tr.trigger_name.to_string(),
            message: tr.description.clone(),
            category: None,
            impact: "medium",
            confidence: crate::fixed::Fixed::new(10_000, 4),
            actionable: true,
            recommendations: Vec::new(),
            related_patterns: vec![tr.trigger_type.to_string()],
            timeframe: "last_30_days",
        });
    }
    let prev = MonthSpends::of(&all, days_before(first, 30), days_before(first, 1)).total();
    let trend = rules::trend(prev, m.total());
    if trend != "stable" {
        cards.push(InsightCard {
            id: format!("spending_trend_{trend}"),
            kind: "trend",
            title: if trend == "up" {
                "Spending is rising".to_string()
            } else {
                "Spending is falling".to_string()
            },
            message: format!(
                "{} in the last 30 days against {} in the 30 days before.",
                f.total,
                Money::from_cents(prev)
            ),
            category: None,
            impact: if trend == "up" { "high" } else { "low" },
            confidence: crate::fixed::Fixed::new(10_000, 4),
            actionable: trend == "up",
            recommendations: Vec::new(),
            related_patterns: Vec::new(),
            timeframe: "last_30_days",
        });
    }
    for a in anomalies::detect(&all, ctx.today, &ctx.user.currency) {
        cards.push(InsightCard {
            id: a.id.to_string(),
            kind: "anomaly",
            title: format!("Unusual {} purchase", a.category.as_str()),
            message: a.description.clone(),
            category: Some(a.category.as_str().to_string()),
            impact: if a.severity == "high" {
                "high"
            } else {
                "medium"
            },
            confidence: a.confidence,
            actionable: false,
            recommendations: a.possible_causes.clone(),
            related_patterns: Vec::new(),
            timeframe: "last_30_days",
        });
    }
    Ok(BehavioralInsights {
        count: cards.len(),
        insights: cards,
    })
}
