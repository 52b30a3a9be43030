//! The advisory goal routes: smart recommendations, schedule adjustments and savings
//! opportunities (income-based suggestions are in `suggestions`) — pure functions of
//! [`Facts`], so the same data always gives the same answer. Formulas: docs/goals.md §5.

use serde::Serialize;

use super::facts::{Advice, Facts};
use super::input::GoalInput;
use super::math::{self, after_months, months_to_reach, progress_bp, projected_completion};
use super::suggestions::{self, Suggestion, savings_rate_bp};
use crate::budget::allocation::tier_for;
use crate::money::Money;

/// A new goal the app can create as it is: its fields are those of `POST /api/goals`
/// (`title`, `category`, `target_amount`, `monthly_contribution`, `priority`, `description`,
/// `suggested_deadline` → `target_date`), and they pass the goal checks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GoalProposal {
    /// `emergency_fund`, `start_investing` or `vacation_fund`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub title: &'static str,
    /// A goal category (`Emergency`, `Investment`, `Travel`).
    pub category: &'static str,
    pub target_amount: Money,
    pub monthly_contribution: Money,
    /// `high`, `medium` or `low`.
    pub priority: &'static str,
    pub description: &'static str,
    /// The same as `description`.
    pub reasoning: &'static str,
    /// `YYYY-MM-DD` (today + ⌈months_to_goal × 30.44⌉ days); null without a contribution.
    pub suggested_deadline: Option<String>,
    pub months_to_goal: Option<i64>,
}

impl GoalProposal {
    fn of(s: &Suggestion) -> GoalProposal {
        GoalProposal {
            kind: s.kind,
            title: s.title,
            category: s.category,
            target_amount: s.target_amount,
            monthly_contribution: s.monthly_contribution,
            priority: s.priority,
            description: s.reason,
            reasoning: s.reason,
            suggested_deadline: s.target_date.clone(),
            months_to_goal: s.months_to_goal,
        }
    }

    /// The body the app posts to create it (`goals_provider.dart` `createGoalFromRecommendation`).
    pub fn as_goal_input(&self) -> GoalInput {
        GoalInput {
            title: Some(self.title.to_string()),
            description: Some(Some(self.description.to_string())),
            category: Some(Some(self.category.to_string())),
            target_amount: Some(self.target_amount),
            saved_amount: Some(Money::from_cents(0)),
            monthly_contribution: Some(Some(self.monthly_contribution)),
            target_date: Some(self.suggested_deadline.clone()),
            priority: Some(self.priority.to_string()),
            ..GoalInput::default()
        }
    }
}

/// `GET /api/goals/smart_recommendations`: new goals to create, and the advice about the
/// existing ones.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SmartRecommendations {
    /// The income-based suggestions (high → medium → low) that pass the goal checks.
    pub recommendations: Vec<GoalProposal>,
    /// [`smart`]: advice per active goal and about the goals together.
    pub advice: Vec<Advice>,
}

/// New goals sized from the income that the user has no goal of yet, each one creatable as it
/// is, and the advice about the goals the user has.
pub fn smart_recommendations(f: &Facts) -> SmartRecommendations {
    let recommendations = suggestions::income_based(f)
        .suggestions
        .iter()
        .map(GoalProposal::of)
        .filter(|p| {
            p.as_goal_input()
                .check(true, f.today, chrono_tz::Tz::UTC)
                .is_ok()
        })
        .collect();
    SmartRecommendations {
        recommendations,
        advice: smart(f),
    }
}

/// Recommendations per active goal, plus one about the goals together.
pub fn smart(f: &Facts) -> Vec<Advice> {
    let mut out = Vec::new();
    for g in f.active() {
        let contribution = g.contribution_cents();
        if g.is_overdue(f.today) {
            let msg = format!("'{}' is past its target date", g.title);
            out.push(
                Advice::new("overdue", "high", msg)
                    .goal(g)
                    .amount(g.remaining_cents()),
            );
            continue;
        }
        match math::required(g, f.today) {
            Some(need) if need > contribution => {
                let msg = format!(
                    "Save {} a month to finish '{}' on time",
                    Money::from_cents(need),
                    g.title
                );
                let mut a = Advice::new("increase_contribution", "high", msg).goal(g);
                a.suggested_monthly = Some(Money::from_cents(need));
                out.push(a);
            }
            Some(_) => {}
            None => {
                let msg = format!(
                    "Give '{}' a target date so it is reserved in your plan",
                    g.title
                );
                let mut a = Advice::new("set_target_date", "medium", msg).goal(g);
                a.suggested_target_date =
                    projected_completion(g, f.today, contribution).map(|d| d.to_string());
                out.push(a);
            }
        }
        let progress = progress_bp(g);
        if (8_000..10_000).contains(&progress) {
            let msg = format!(
                "'{}' is almost there: {} to go",
                g.title,
                Money::from_cents(g.remaining_cents())
            );
            out.push(
                Advice::new("almost_there", "low", msg)
                    .goal(g)
                    .amount(g.remaining_cents()),
            );
        }
    }
    let needed: i64 = f.active().map(|g| f.need(g)).sum();
    let available = f.available_for_goals();
    if needed > available && (f.income > 0 || f.savings_goal > 0) {
        let msg = format!(
            "Your goals ask {} a month; your budget leaves {}",
            Money::from_cents(needed),
            Money::from_cents(available)
        );
        out.push(Advice::new("too_many_goals", "high", msg).amount(needed - available));
    }
    if f.goals.is_empty() && f.income > 0 {
        let tier = tier_for(f.income.saturating_mul(12))
            .map(|t| t.name.as_str())
            .unwrap_or("low");
        let monthly = f.income * savings_rate_bp(tier) / 10_000;
        let msg = format!(
            "Create a first goal and save {} a month",
            Money::from_cents(monthly)
        );
        out.push(Advice::new("create_first_goal", "medium", msg).amount(monthly));
    }
    out
}

/// Schedule adjustments of active dated goals.
pub fn adjustments(f: &Facts) -> Vec<Advice> {
    let mut out = Vec::new();
    for g in f.active() {
        let Some(date) = g.target_date else { continue };
        let contribution = g.contribution_cents();
        if date < f.today {
            let months = months_to_reach(g.remaining_cents(), contribution).unwrap_or(3);
            let new_date = after_months(f.today, months);
            let msg = format!("Move the target date of '{}' to {new_date}", g.title);
            let mut a = Advice::new("overdue", "high", msg).goal(g);
            a.suggested_target_date = Some(new_date.to_string());
            // The date above is reckoned with this amount: the contribution, else a third of
            // what is missing (3 months), rounded up.
            let monthly = if contribution > 0 {
                contribution
            } else {
                (g.remaining_cents() + 2) / 3
            };
            a.suggested_monthly = Some(Money::from_cents(monthly));
            out.push(adjustment(a, contribution));
            continue;
        }
        let need = math::required(g, f.today).unwrap_or(0);
        if need == 0 {
            continue;
        }
        if contribution == 0 {
            let msg = format!(
                "Set a monthly contribution of {} for '{}'",
                Money::from_cents(need),
                g.title
            );
            let mut a = Advice::new("no_contribution", "medium", msg).goal(g);
            a.suggested_monthly = Some(Money::from_cents(need));
            out.push(adjustment(a, contribution));
        } else if contribution < need {
            let projected = projected_completion(g, f.today, contribution);
            let msg = format!(
                "'{}' is behind schedule: save {} a month or move the date{}",
                g.title,
                Money::from_cents(need),
                projected.map_or(String::new(), |d| format!(" to {d}"))
            );
            let mut a = Advice::new("behind_schedule", "high", msg).goal(g);
            a.suggested_monthly = Some(Money::from_cents(need));
            a.suggested_target_date = projected.map(|d| d.to_string());
            out.push(adjustment(a, contribution));
        } else if contribution * 100 >= need * 120 {
            let msg = format!(
                "'{}' is ahead of schedule: {} a month would do",
                g.title,
                Money::from_cents(need)
            );
            let mut a = Advice::new("ahead_of_schedule", "low", msg)
                .goal(g)
                .amount(contribution - need);
            a.suggested_monthly = Some(Money::from_cents(need));
            a.suggested_target_date =
                projected_completion(g, f.today, contribution).map(|d| d.to_string());
            out.push(adjustment(a, contribution));
        }
    }
    out
}

/// The fields the app's adjustment card reads: `current_monthly` (the goal's contribution) and
/// `reason` (the message).
fn adjustment(mut a: Advice, contribution: i64) -> Advice {
    a.current_monthly = Some(Money::from_cents(contribution));
    a.reason = Some(a.message.clone());
    a
}

/// The fields the app's opportunity card reads: `suggested_goal`, `reason` (the message),
/// `monthly_contribution` (the amount) and `target_amount` (what the top goal still misses, else
/// a year of the amount).
fn opportunity(mut a: Advice, top: Option<&super::GoalRow>) -> Advice {
    let amount = a.amount.map_or(0, Money::cents);
    a.suggested_goal = Some(match (top, a.category) {
        (Some(g), _) => g.title.clone(),
        (None, Some(category)) => format!("Savings from {category}"),
        (None, None) => "Monthly savings".to_string(),
    });
    a.reason = Some(a.message.clone());
    a.monthly_contribution = Some(Money::from_cents(amount));
    a.target_amount = Some(Money::from_cents(match top {
        Some(g) => g.remaining_cents(),
        None => amount.saturating_mul(12),
    }));
    a
}

/// Money that could go to the most important active goal: plan money not spent so far this
/// month, 10 % of the last 30 days' discretionary spending, and income no goal asks for.
pub fn opportunities(f: &Facts) -> Vec<Advice> {
    let top = f.active().next();
    let with_goal = |a: Advice| match top {
        Some(g) => a.goal(g),
        None => a,
    };
    let mut out = Vec::new();
    for (category, sums) in &f.plan {
        if category.is_sacred() {
            continue;
        }
        let surplus = sums.planned_to_date - sums.spent_to_date;
        if surplus >= 100 {
            let msg = format!(
                "{} of your {category} budget is unspent so far this month",
                Money::from_cents(surplus)
            );
            let mut a =
                with_goal(Advice::new("underspent_category", "medium", msg).amount(surplus));
            a.category = Some(*category);
            out.push(a);
        }
    }
    for category in Facts::flexible_categories() {
        let spent = f.spent_30d.get(&category).copied().unwrap_or(0);
        let cut = spent / 10;
        if cut >= 100 {
            let msg = format!(
                "Spending 10% less on {category} frees {} a month",
                Money::from_cents(cut)
            );
            let mut a = with_goal(Advice::new("reduce_spending", "low", msg).amount(cut));
            a.category = Some(category);
            out.push(a);
        }
    }
    let needed: i64 = f.active().map(|g| f.need(g)).sum();
    let spare = f.available_for_goals() - needed;
    if spare >= 100 && f.has_plan() {
        let msg = format!(
            "{} of this month's income is not planned for anything",
            Money::from_cents(spare)
        );
        out.push(with_goal(
            Advice::new("unassigned_income", "medium", msg).amount(spare),
        ));
    }
    out.sort_by(|a, b| {
        b.amount
            .cmp(&a.amount)
            .then(a.kind.cmp(b.kind))
            .then(a.category.cmp(&b.category))
    });
    out.into_iter().map(|a| opportunity(a, top)).collect()
}
