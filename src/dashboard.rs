//! `GET /api/dashboard`: the main screen of the app. It reads the plan (`budget::views`), the
//! transactions and the goals, so it sits above all three.

use chrono::{Datelike, Days, NaiveDate};
use serde::Serialize;

use crate::budget::category::PlanCategory;
use crate::budget::views::stats::{Bounds, month_and_today_spent};
use crate::budget::views::{Ctx, Pace, day_totals, money, pace, plan_cells, ratio};
use crate::db::Db;
use crate::error::Result;
use crate::money::Money;
use crate::transactions::{self, TransactionView};

/// One category of today's plan.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct DailyTarget {
    pub category: PlanCategory,
    pub limit: Money,
    pub spent: Money,
    /// A Material icon name the app shows.
    pub icon: &'static str,
    /// `#RRGGBB`.
    pub color: &'static str,
}

/// One of the last seven days (today last).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct WeekDay {
    /// `Mon` … `Sun`.
    pub day: String,
    pub date: NaiveDate,
    pub status: Pace,
    pub spent: Money,
    pub budget: Money,
}

/// A one-line hint about the month so far.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct InsightPreview {
    pub title: &'static str,
    pub text: String,
}

/// Active goals at a glance.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct GoalsSummary {
    pub total_active: i64,
    pub near_completion: i64,
    pub overdue: i64,
}

/// `GET /api/dashboard`.
#[derive(Clone, Debug, Serialize)]
pub struct Dashboard {
    /// Monthly income − Σ non-deleted transactions since the start of the user-local month.
    pub balance: Money,
    /// Σ of today's (user-local) non-deleted transactions.
    pub spent: Money,
    pub daily_targets: Vec<DailyTarget>,
    pub week: Vec<WeekDay>,
    /// The last 10 transactions, newest first.
    pub transactions: Vec<TransactionView>,
    pub insights_preview: InsightPreview,
    pub user_income: Money,
    pub goals_summary: GoalsSummary,
}

/// Icon and colour of a plan category.
pub fn look(category: PlanCategory) -> (&'static str, &'static str) {
    use PlanCategory as P;
    match category {
        P::Food => ("restaurant", "#4CAF50"),
        P::Transportation => ("directions_car", "#2196F3"),
        P::Healthcare => ("local_hospital", "#F44336"),
        P::Entertainment => ("movie", "#9C27B0"),
        P::Shopping => ("shopping_bag", "#FF9800"),
        P::Travel => ("flight", "#00BCD4"),
        P::Utilities => ("power", "#607D8B"),
        P::Rent | P::Mortgage => ("home", "#795548"),
        P::Insurance => ("security", "#3F51B5"),
        P::Subscriptions => ("subscriptions", "#E91E63"),
        P::Education => ("school", "#8BC34A"),
        P::Childcare => ("child_care", "#FFC107"),
        P::DebtPayments => ("payment", "#5D4037"),
        P::GoalSavings => ("savings", "#009688"),
        P::Other => ("category", "#9E9E9E"),
    }
}

fn insight(month_spent: i64, income: i64) -> InsightPreview {
    if month_spent == 0 {
        return InsightPreview {
            title: "Getting Started",
            text: "Track your expenses to receive personalized insights".into(),
        };
    }
    if income <= 0 {
        return InsightPreview {
            title: "Set Your Income",
            text: "Add your monthly income to compare spending with it".into(),
        };
    }
    let percent = ratio(month_spent, 100, income);
    if percent > 80 {
        InsightPreview {
            title: "Budget Alert",
            text: format!(
                "You've spent {percent}% of your monthly income. Consider reducing discretionary spending."
            ),
        }
    } else if percent > 60 {
        InsightPreview {
            title: "On Track",
            text: format!("{percent}% of your monthly income used. Keep monitoring your spending."),
        }
    } else {
        InsightPreview {
            title: "Excellent",
            text: format!("Only {percent}% of your monthly income used. You're managing well."),
        }
    }
}

/// The dashboard of `ctx.today` (4 queries: transaction sums, plan of the last 7 days, the last
/// 10 transactions, goal counts).
pub async fn dashboard(db: &Db, ctx: &Ctx) -> Result<Dashboard> {
    let user = ctx.user.id;
    let (month_spent, today_spent) = month_and_today_spent(db, user, Bounds::of(ctx)).await?;
    let week_start = ctx
        .today
        .checked_sub_days(Days::new(6))
        .unwrap_or(ctx.today);
    let cells = plan_cells(db, user, week_start, ctx.today).await?;
    let recent = transactions::recent(db, user, 10).await?;
    // One source for goal figures: the goals service (soft-deleted goals excluded).
    let goals_summary = crate::goals::summary(db, user, ctx.today).await?;

    let daily_targets = cells
        .iter()
        .filter(|c| c.date == ctx.today && !c.is_goal() && (c.planned > 0 || c.spent > 0))
        .filter_map(|c| {
            let category = c.plan_category()?;
            let (icon, color) = look(category);
            Some(DailyTarget {
                category,
                limit: money(c.planned),
                spent: money(c.spent),
                icon,
                color,
            })
        })
        .collect();
    let totals = day_totals(&cells);
    let week = week_start
        .iter_days()
        .take_while(|d| *d <= ctx.today)
        .map(|date| {
            let t = totals.get(&date).copied().unwrap_or_default();
            WeekDay {
                day: date.weekday().to_string(),
                date,
                status: pace(t.planned, t.spent),
                spent: money(t.spent),
                budget: money(t.planned),
            }
        })
        .collect();
    let income = ctx.monthly_income();
    Ok(Dashboard {
        balance: money(income - month_spent),
        spent: money(today_spent),
        daily_targets,
        week,
        transactions: recent,
        insights_preview: insight(month_spent, income),
        user_income: money(income),
        goals_summary: GoalsSummary {
            total_active: goals_summary.total_active,
            near_completion: goals_summary.near_completion,
            overdue: goals_summary.overdue,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insights_follow_the_share_of_income_spent() {
        assert_eq!(insight(0, 100).title, "Getting Started");
        assert_eq!(insight(81, 100).title, "Budget Alert");
        assert_eq!(insight(61, 100).title, "On Track");
        assert_eq!(insight(10, 100).title, "Excellent");
        assert_eq!(insight(10, 0).title, "Set Your Income");
    }

    #[test]
    fn every_category_has_a_look() {
        for c in PlanCategory::ALL {
            assert!(look(c).1.starts_with('#'));
        }
    }
}
