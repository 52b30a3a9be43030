//! The rules of the remaining `/api/ai/*` reads (docs/insights.md, "AI reads"): budget and
//! savings optimisation (O1, O2), spending prediction (SP1), personalised feedback (F1), the
//! financial profile (FP1), the month snapshot's grade (A1) and the goal analysis (G1). Pure:
//! the service loads the data.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::monthly::MonthlyReport;
use crate::budget::views::ratio;
use crate::fixed::Fixed;
use crate::goals::health::Health;
use crate::insights::Narrated;
use crate::insights::behavior::rules::{self as behavior, DISCRETIONARY, MonthFigures, Trigger};
use crate::insights::data::{Spend, bp, days_before};
use crate::money::Money;

/// The cut O1 proposes on a discretionary category, in basis points of its monthly mean.
pub const CUT_BP: i64 = 1_000;
/// Days of history behind the spending prediction.
pub const PREDICTION_DAYS: u64 = 90;
/// Longest prediction horizon, in days.
pub const MAX_DAYS_AHEAD: u32 = 365;

/// R2's confidence: 0.30 + 0.20 per period with data, at most 0.90; 0 without any.
fn confidence(periods: i64) -> Fixed {
    if periods == 0 {
        Fixed::new(0, 2)
    } else {
        Fixed::new((30 + 20 * periods).min(90), 2)
    }
}

/// One category of the budget optimisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CategoryCut {
    pub category: String,
    pub monthly_average: Money,
    pub optimized: Money,
    pub saving: Money,
}

/// `GET /api/ai/budget-optimization` (O1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Optimization {
    /// The complete months used (among the 3 before this one, those with spending).
    pub months_used: i64,
    /// Category → mean monthly spending over the months used.
    pub current_allocation: BTreeMap<String, Money>,
    /// The same with every discretionary category cut by 10 %.
    pub optimized_allocation: BTreeMap<String, Money>,
    pub expected_savings: Money,
    pub monthly_average: Money,
    /// 100 − the discretionary share in percent (100 without spending).
    pub overall_score: i64,
    pub confidence: Fixed,
    /// The cuts, largest saving first.
    pub cuts: Vec<CategoryCut>,
    pub suggestions: Vec<String>,
    /// The same as `suggestions` (the reference server's name).
    pub recommendations: Vec<String>,
    pub summary: String,
}

impl Narrated for Optimization {
    const KIND: &'static str = "budget_optimization";
    fn text(&self) -> &str {
        &self.summary
    }
    fn set_text(&mut self, text: String) {
        self.summary = text;
    }
}

/// O1 over `all` and the calendar `months` (the complete months to consider).
pub fn optimization(all: &[Spend], months: &[(NaiveDate, NaiveDate)]) -> Optimization {
    let used: Vec<&(NaiveDate, NaiveDate)> = months
        .iter()
        .filter(|(f, l)| all.iter().any(|s| s.date >= *f && s.date <= *l))
        .collect();
    let n = used.len() as i64;
    let mut sums: BTreeMap<String, i64> = BTreeMap::new();
    for s in all
        .iter()
        .filter(|s| used.iter().any(|(f, l)| s.date >= *f && s.date <= *l))
    {
        *sums.entry(s.category.as_str().to_string()).or_default() += s.amount;
    }
    let mean = |v: i64| if n == 0 { 0 } else { ratio(v, 1, n) };
    let current: BTreeMap<String, Money> = sums
        .iter()
        .map(|(c, v)| (c.clone(), Money::from_cents(mean(*v))))
        .collect();
    let mut cuts: Vec<CategoryCut> = Vec::new();
    let mut optimized = current.clone();
    for c in DISCRETIONARY {
        if let Some(avg) = current.get(c.as_str()) {
            let saving = ratio(avg.cents(), CUT_BP, 10_000);
            let after = Money::from_cents(avg.cents() - saving);
            optimized.insert(c.as_str().to_string(), after);
            cuts.push(CategoryCut {
                category: c.as_str().to_string(),
                monthly_average: *avg,
                optimized: after,
                saving: Money::from_cents(saving),
            });
        }
    }
    cuts.sort_by(|a, b| {
        b.saving
            .cents()
            .cmp(&a.saving.cents())
            .then(a.category.cmp(&b.category))
    });
    let total: i64 = current.values().map(|m| m.cents()).sum();
    let discretionary: i64 = cuts.iter().map(|c| c.monthly_average.cents()).sum();
    let savings: i64 = cuts.iter().map(|c| c.saving.cents()).sum();
    let overall_score = bp(discretionary, total).map_or(100, |b| 100 - ratio(b, 1, 100));
    let suggestions: Vec<String> = cuts
        .iter()
        .take(3)
        .filter(|c| c.saving.cents() > 0)
        .map(|c| {
            format!(
                "Bring {} from {} to {} a month.",
                c.category, c.monthly_average, c.optimized
            )
        })
        .collect();
    let summary = if n == 0 {
        "No complete month of spending yet: nothing to optimise.".to_string()
    } else {
        format!(
            "Over {n} month(s) you spent {} a month; 10% less on discretionary categories saves {}.",
            Money::from_cents(total),
            Money::from_cents(savings)
        )
    };
    Optimization {
        months_used: n,
        current_allocation: current,
        optimized_allocation: optimized,
        expected_savings: Money::from_cents(savings),
        monthly_average: Money::from_cents(total),
        overall_score,
        confidence: confidence(n),
        cuts,
        recommendations: suggestions.clone(),
        suggestions,
        summary,
    }
}

/// `GET /api/ai/savings-optimization` (O2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SavingsOptimization {
    pub potential_savings: Money,
    pub monthly_average: Money,
    pub income: Option<Money>,
    /// (income − monthly average) ÷ income; null without income or spending.
    pub savings_rate_bp: Option<i64>,
    /// The savings rate with the cuts made.
    pub optimized_savings_rate_bp: Option<i64>,
    pub suggestions: Vec<String>,
    pub cuts: Vec<CategoryCut>,
    pub months_used: i64,
    pub summary: String,
}

impl Narrated for SavingsOptimization {
    const KIND: &'static str = "savings_optimization";
    fn text(&self) -> &str {
        &self.summary
    }
    fn set_text(&mut self, text: String) {
        self.summary = text;
    }
}

/// O2 from O1 and the monthly income (cents, 0 when unknown).
pub fn savings(o: &Optimization, income: i64) -> SavingsOptimization {
    let avg = o.monthly_average.cents();
    let has = income > 0 && o.months_used > 0;
    let rate = has.then(|| bp(income - avg, income)).flatten();
    let optimized = has
        .then(|| bp(income - avg + o.expected_savings.cents(), income))
        .flatten();
    let mut suggestions: Vec<String> = o
        .cuts
        .iter()
        .filter(|c| c.saving.cents() > 0)
        .take(3)
        .map(|c| {
            format!(
                "Spend 10% less on {}: {} saved a month.",
                c.category, c.saving
            )
        })
        .collect();
    if let Some(r) = rate {
        suggestions.push(if r < 0 {
            format!(
                "Your average month costs {} more than your income.",
                Money::from_cents(avg - income)
            )
        } else {
            format!(
                "Your average month leaves {} of your income ({}%).",
                Money::from_cents(income - avg),
                ratio(r, 1, 100)
            )
        });
    }
    let summary = if o.months_used == 0 {
        "No complete month of spending yet: no savings to suggest.".to_string()
    } else {
        format!(
            "You could save about {} a month by spending 10% less on discretionary categories.",
            o.expected_savings
        )
    };
    SavingsOptimization {
        potential_savings: o.expected_savings,
        monthly_average: o.monthly_average,
        income: (income > 0).then(|| Money::from_cents(income)),
        savings_rate_bp: rate,
        optimized_savings_rate_bp: optimized,
        suggestions,
        cuts: o.cuts.clone(),
        months_used: o.months_used,
        summary,
    }
}

/// One category of the spending prediction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CategoryPrediction {
    pub predicted_amount: Money,
    pub confidence: Fixed,
    pub influencing_factors: Vec<String>,
    /// The last 30 days against the 30 before (R5's ±10 %).
    pub trend: &'static str,
}

/// `GET /api/ai/spending-prediction?days_ahead=` (SP1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SpendingPrediction {
    pub period_days: u32,
    pub predicted_amount: Money,
    pub confidence: Fixed,
    pub trend: &'static str,
    pub history_start: NaiveDate,
    pub history_end: NaiveDate,
    /// Category → its prediction.
    pub predictions: BTreeMap<String, CategoryPrediction>,
    pub summary: String,
}

impl Narrated for SpendingPrediction {
    const KIND: &'static str = "spending_prediction";
    fn text(&self) -> &str {
        &self.summary
    }
    fn set_text(&mut self, text: String) {
        self.summary = text;
    }
}

/// The three 30-day blocks of the 90 days ending `today`, oldest first.
fn blocks(today: NaiveDate) -> [(NaiveDate, NaiveDate); 3] {
    [
        (days_before(today, 89), days_before(today, 60)),
        (days_before(today, 59), days_before(today, 30)),
        (days_before(today, 29), today),
    ]
}

/// SP1: each category's spending of the 90 days ending `today` × `days_ahead` ÷ 90.
pub fn predict_spending(all: &[Spend], today: NaiveDate, days_ahead: u32) -> SpendingPrediction {
    let start = days_before(today, PREDICTION_DAYS - 1);
    let window: Vec<&Spend> = all
        .iter()
        .filter(|s| s.date >= start && s.date <= today)
        .collect();
    let b = blocks(today);
    let ahead = i64::from(days_ahead);
    let of = |list: &[&&Spend]| -> (i64, i64, &'static str) {
        let total: i64 = list.iter().map(|s| s.amount).sum();
        let with = b
            .iter()
            .filter(|(f, l)| list.iter().any(|s| s.date >= *f && s.date <= *l))
            .count() as i64;
        let sum_in = |(f, l): (NaiveDate, NaiveDate)| -> i64 {
            list.iter()
                .filter(|s| s.date >= f && s.date <= l)
                .map(|s| s.amount)
                .sum()
        };
        (total, with, behavior::trend(sum_in(b[1]), sum_in(b[2])))
    };
    let mut by: BTreeMap<&'static str, Vec<&&Spend>> = BTreeMap::new();
    for s in &window {
        by.entry(s.category.as_str()).or_default().push(s);
    }
    let mut predictions = BTreeMap::new();
    for (cat, list) in &by {
        let (total, with, trend) = of(list);
        predictions.insert(
            (*cat).to_string(),
            CategoryPrediction {
                predicted_amount: Money::from_cents(ratio(total, ahead, PREDICTION_DAYS as i64)),
                confidence: confidence(with),
                influencing_factors: vec![
                    format!(
                        "{} purchase(s), {} in the last 90 days",
                        list.len(),
                        Money::from_cents(total)
                    ),
                    format!("spending {trend} over the last 30 days"),
                ],
                trend,
            },
        );
    }
    let all_refs: Vec<&&Spend> = window.iter().collect();
    let (total, with, trend) = of(&all_refs);
    let predicted = Money::from_cents(ratio(total, ahead, PREDICTION_DAYS as i64));
    let summary = if total == 0 {
        "No spending in the last 90 days to predict from.".to_string()
    } else {
        format!(
            "At the pace of the last 90 days you will spend about {predicted} in the next {days_ahead} days."
        )
    };
    SpendingPrediction {
        period_days: days_ahead,
        predicted_amount: predicted,
        confidence: confidence(with),
        trend,
        history_start: start,
        history_end: today,
        predictions,
        summary,
    }
}

/// The days A1 grades: the green, yellow and red days of a month that has a plan (0 without).
pub fn planned_days(r: &MonthlyReport) -> i64 {
    if r.budget.planned.cents() > 0 {
        r.budget.days_green + r.budget.days_yellow + r.budget.days_red
    } else {
        0
    }
}

/// A1: the month snapshot's grade and risk from the monthly report: the share of green days
/// among the days counted when the month has a plan, else the savings rate, else `N/A`.
pub fn grade(r: &MonthlyReport) -> (&'static str, &'static str) {
    let days = planned_days(r);
    let rating = if days > 0 {
        match ratio(r.budget.days_green, 100, days) {
            80.. => "A",
            60..=79 => "B",
            40..=59 => "C",
            20..=39 => "D",
            _ => "F",
        }
    } else if let Some(rate) = r.savings_rate_bp {
        match rate {
            2_000.. => "A",
            1_000..=1_999 => "B",
            0..=999 => "C",
            _ => "D",
        }
    } else {
        return ("N/A", "unknown");
    };
    let risk = match rating {
        "A" | "B" => "low",
        "C" => "moderate",
        _ => "high",
    };
    (rating, risk)
}

/// `GET /api/ai/personalized-feedback?year=&month=` (F1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Feedback {
    pub year: i32,
    pub month: u32,
    pub feedback: String,
    pub tips: Vec<String>,
    /// The month's largest category (null without spending).
    pub category_focus: Option<String>,
    pub total: Money,
    pub triggers: Vec<&'static str>,
}

impl Narrated for Feedback {
    const KIND: &'static str = "personalized_feedback";
    fn text(&self) -> &str {
        &self.feedback
    }
    fn set_text(&mut self, text: String) {
        self.feedback = text;
    }
}

/// The tips of a period: one per trigger (T1–T4), then the largest category when it holds at
/// least 40 %.
pub fn tips(f: &MonthFigures, triggers: &[Trigger]) -> Vec<String> {
    let mut out: Vec<String> = triggers
        .iter()
        .map(|t| crate::insights::behavior::service::trigger_tip(t, f))
        .collect();
    if let Some(top) = f.top_categories.first()
        && top.share_bp >= 4_000
    {
        out.push(format!(
            "Set a limit for {}: it takes {}% of your spending.",
            top.category,
            ratio(top.share_bp, 1, 100)
        ));
    }
    out
}

/// F1: the month's pattern sentences as the feedback, its tips.
pub fn feedback(f: &MonthFigures, patterns: &[String], triggers: &[Trigger]) -> Feedback {
    Feedback {
        year: f.year,
        month: f.month,
        feedback: patterns.join(" "),
        tips: tips(f, triggers),
        category_focus: f.top_categories.first().map(|c| c.category.clone()),
        total: f.total,
        triggers: triggers.iter().map(|t| t.trigger_type).collect(),
    }
}

/// `GET /api/ai/profile?year=&month=` (FP1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Profile {
    pub year: i32,
    pub month: u32,
    /// The cluster id of C1 over the month.
    pub spending_personality: &'static str,
    pub personality_name: &'static str,
    pub description: &'static str,
    pub key_traits: Vec<String>,
    pub key_strengths: Vec<String>,
    /// The same as `key_strengths` (the name the behaviour screen reads).
    pub strengths: Vec<String>,
    pub improvement_areas: Vec<String>,
    pub recommended_strategies: Vec<String>,
    pub spending_to_income_bp: Option<i64>,
    pub summary: String,
}

impl Narrated for Profile {
    const KIND: &'static str = "financial_profile";
    fn text(&self) -> &str {
        &self.summary
    }
    fn set_text(&mut self, text: String) {
        self.summary = text;
    }
}

/// FP1: C1 over the month's figures; strengths are the T1/T2/T4 rules that do not hold and a
/// spending share of income ≤ 70 %; improvement areas are the triggers that hold.
pub fn profile(f: &MonthFigures, triggers: &[Trigger], income: i64) -> Profile {
    let c = behavior::cluster(f, triggers, income);
    let has = |k: &str| triggers.iter().any(|t| t.trigger_type == k);
    let mut strengths = Vec::new();
    if f.transaction_count > 0 {
        if !has("weekend_spending") && f.weekend_ratio_bp.is_some() {
            strengths.push("Weekend days cost no more than 1.5× a weekday".to_string());
        }
        if !has("small_frequent_purchases") {
            strengths.push(format!(
                "Few small purchases: {} of 10.00 or less",
                f.small_purchases
            ));
        }
        if !has("discretionary_spending") {
            strengths.push(format!(
                "Discretionary spending is {}% of the total",
                ratio(f.discretionary_share_bp, 1, 100)
            ));
        }
        if let Some(share) = c.spending_to_income_bp
            && share <= 7_000
        {
            strengths.push(format!(
                "You spend {}% of your income",
                ratio(share, 1, 100)
            ));
        }
    }
    let summary = format!("{}: {}", c.cluster_name, c.description);
    Profile {
        year: f.year,
        month: f.month,
        spending_personality: c.cluster_id,
        personality_name: c.cluster_name,
        description: c.description,
        key_traits: c.characteristics.clone(),
        strengths: strengths.clone(),
        key_strengths: strengths,
        improvement_areas: triggers
            .iter()
            .map(|t| format!("{}: {}", t.trigger_name, t.description))
            .collect(),
        recommended_strategies: tips(f, triggers),
        spending_to_income_bp: c.spending_to_income_bp,
        summary,
    }
}

/// `GET /api/ai/goal-analysis?goal_id=` (G1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GoalAnalysis {
    /// The goal asked for (null for all active goals).
    pub goal_id: Option<String>,
    pub goals: Vec<Health>,
    /// Every goal analysed is on track (true without goals).
    pub on_track: bool,
    /// The latest projected completion among the goals (null when one has none).
    pub projected_completion: Option<String>,
    pub adjustments_needed: Vec<String>,
    pub insights: Vec<String>,
    pub summary: String,
}

impl Narrated for GoalAnalysis {
    const KIND: &'static str = "goal_analysis";
    fn text(&self) -> &str {
        &self.summary
    }
    fn set_text(&mut self, text: String) {
        self.summary = text;
    }
}

/// G1 over the goals' health (docs/goals.md).
pub fn goal_analysis(goal_id: Option<String>, goals: Vec<Health>) -> GoalAnalysis {
    let on_track = goals.iter().all(|g| g.on_track);
    let projected = if goals.is_empty() {
        None
    } else {
        goals
            .iter()
            .map(|g| g.projected_completion_date.clone())
            .collect::<Option<Vec<String>>>()
            .and_then(|v| v.into_iter().max())
    };
    let adjustments: Vec<String> = goals
        .iter()
        .filter(|g| !g.on_track)
        .map(|g| match g.required_monthly {
            Some(r) if r.cents() > g.monthly_contribution.cents() => format!(
                "{}: save {} a month instead of {} to finish by {}.",
                g.title,
                r,
                g.monthly_contribution,
                g.target_date.clone().unwrap_or_default()
            ),
            _ => format!(
                "{}: set a monthly contribution to get a completion date.",
                g.title
            ),
        })
        .collect();
    let insights: Vec<String> = goals
        .iter()
        .filter_map(|g| g.insights.first().map(|i| format!("{}: {i}", g.title)))
        .collect();
    let behind = goals.iter().filter(|g| !g.on_track).count();
    let summary = if goals.is_empty() {
        "You have no active goal to analyse.".to_string()
    } else {
        format!(
            "{} goal(s) analysed, {} on track, {behind} behind.",
            goals.len(),
            goals.len() - behind
        )
    };
    GoalAnalysis {
        goal_id,
        on_track,
        projected_completion: projected,
        adjustments_needed: adjustments,
        insights,
        goals,
        summary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::TxCategory;
    use crate::id::Id;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn spend(date: NaiveDate, category: TxCategory, amount: i64) -> Spend {
        Spend {
            id: Id::new(),
            date,
            category,
            amount,
            merchant: None,
            description: None,
        }
    }

    fn months() -> Vec<(NaiveDate, NaiveDate)> {
        (9..=11)
            .map(|m| crate::budget::views::month_range(2026, m).unwrap())
            .collect()
    }

    #[test]
    fn o1_averages_the_months_with_spending_and_cuts_discretionary_categories_by_ten_percent() {
        // September empty; October rent 500 + dining 100; November rent 500 + dining 300.
        let all = vec![
            spend(d(10, 1), TxCategory::Rent, 50_000),
            spend(d(10, 5), TxCategory::Dining, 10_000),
            spend(d(11, 1), TxCategory::Rent, 50_000),
            spend(d(11, 5), TxCategory::Dining, 30_000),
        ];
        let o = optimization(&all, &months());
        assert_eq!(o.months_used, 2);
        assert_eq!(o.current_allocation["dining"].cents(), 20_000);
        assert_eq!(o.optimized_allocation["dining"].cents(), 18_000);
        assert_eq!(o.optimized_allocation["rent"].cents(), 50_000);
        assert_eq!(o.expected_savings.cents(), 2_000);
        // Dining is 200 of 700: 28.57 % → score 71.
        assert_eq!(o.overall_score, 71);
        assert_eq!(o.confidence, Fixed::new(70, 2));
        assert_eq!(o.suggestions.len(), 1);
        // O2 with an income of 1000: 300 left (30 %), 320 with the cut (32 %).
        let s = savings(&o, 100_000);
        assert_eq!(s.potential_savings.cents(), 2_000);
        assert_eq!(s.savings_rate_bp, Some(3_000));
        assert_eq!(s.optimized_savings_rate_bp, Some(3_200));
        assert!(s.suggestions[1].contains("300.00"));
        let none = optimization(&[], &months());
        assert_eq!((none.months_used, none.overall_score), (0, 100));
        assert_eq!(none.confidence, Fixed::new(0, 2));
        assert_eq!(savings(&none, 100_000).savings_rate_bp, None);
    }

    #[test]
    fn sp1_scales_each_categorys_ninety_days_to_the_horizon() {
        let today = d(12, 5);
        // 90.00 of food spread over the three blocks, 30.00 of taxi in the last one only.
        let all = vec![
            spend(d(9, 10), TxCategory::Food, 3_000),
            spend(d(10, 20), TxCategory::Food, 3_000),
            spend(d(11, 20), TxCategory::Food, 3_000),
            spend(d(12, 1), TxCategory::Transportation, 3_000),
            // Outside the 90 days: ignored.
            spend(d(9, 1), TxCategory::Food, 99_000),
        ];
        let p = predict_spending(&all, today, 30);
        assert_eq!(p.predicted_amount.cents(), 4_000);
        assert_eq!(p.predictions["food"].predicted_amount.cents(), 3_000);
        assert_eq!(p.predictions["food"].confidence, Fixed::new(90, 2));
        assert_eq!(
            p.predictions["transportation"].confidence,
            Fixed::new(50, 2)
        );
        assert_eq!(p.predictions["transportation"].trend, "up");
        assert_eq!(p.predictions["food"].trend, "stable");
        assert_eq!(
            predict_spending(&all, today, 9).predicted_amount.cents(),
            1_200
        );
        assert!(predict_spending(&[], today, 30).predictions.is_empty());
    }

    fn report(planned: i64, days: (i64, i64, i64), rate: Option<i64>) -> MonthlyReport {
        MonthlyReport {
            year: 2026,
            month: 11,
            period_start: d(11, 1),
            period_end: d(11, 30),
            total_spent: Money::from_cents(80_000),
            transaction_count: 4,
            income: rate.map(|_| Money::from_cents(600_000)),
            net: None,
            savings_rate_bp: rate,
            average_per_day: Money::from_cents(0),
            categories: Vec::new(),
            previous_month_total: Money::from_cents(0),
            change_bp: None,
            largest_transaction: None,
            budget: super::super::monthly::BudgetSide {
                planned: Money::from_cents(planned),
                spent: Money::from_cents(80_000),
                days_green: days.0,
                days_yellow: days.1,
                days_red: days.2,
            },
            highlights: Vec::new(),
            recommendations: Vec::new(),
            summary: String::new(),
        }
    }

    #[test]
    fn a1_grades_green_days_with_a_plan_else_the_savings_rate_else_nothing() {
        // 24 green of 30 = 80 % → A; 17 of 30 = 57 % → C.
        assert_eq!(grade(&report(100_000, (24, 3, 3), None)), ("A", "low"));
        assert_eq!(
            grade(&report(100_000, (17, 3, 10), Some(9_000))),
            ("C", "moderate")
        );
        // Red days without a plan do not count: the savings rate grades.
        assert_eq!(grade(&report(0, (0, 0, 2), Some(1_500))), ("B", "low"));
        assert_eq!(grade(&report(0, (0, 0, 2), Some(-100))), ("D", "high"));
        assert_eq!(grade(&report(0, (0, 0, 0), None)), ("N/A", "unknown"));
    }

    #[test]
    fn g1_is_on_track_only_when_every_goal_is_and_names_the_adjustments() {
        let a = goal_analysis(None, Vec::new());
        assert!(a.on_track);
        assert_eq!(a.projected_completion, None);
        assert!(a.adjustments_needed.is_empty());
    }
}
