//! The advisory goal routes: smart recommendations, schedule adjustments and savings
//! opportunities (income-based suggestions are in `suggestions`) — pure functions of
//! [`Facts`], so the same data always gives the same answer. Formulas: docs/goals.md §5.

use super::facts::{Advice, Facts};
use super::math::{self, after_months, months_to_reach, progress_bp, projected_completion};
use super::suggestions::savings_rate_bp;
use crate::budget::allocation::tier_for;
use crate::money::Money;

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
            let msg = format!("Move the target date of '{}'", g.title);
            let mut a = Advice::new("overdue", "high", msg).goal(g);
            a.suggested_target_date = Some(after_months(f.today, months).to_string());
            out.push(a);
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
            out.push(a);
        } else if contribution < need {
            let msg = format!(
                "'{}' is behind schedule: save {} a month or move the date",
                g.title,
                Money::from_cents(need)
            );
            let mut a = Advice::new("behind_schedule", "high", msg).goal(g);
            a.suggested_monthly = Some(Money::from_cents(need));
            a.suggested_target_date =
                projected_completion(g, f.today, contribution).map(|d| d.to_string());
            out.push(a);
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
            out.push(a);
        }
    }
    out
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
    out
}
