//! The insights service's operations, one per route: load the user's data (a fixed number of
//! queries each), run the rules, let the LLM enrich the text, store the analysis.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde_json::Value;

use super::data::{self, days_before};
use super::rules::anomalies::{self, Anomaly};
use super::rules::assistant::{self, AssistantAnswer};
use super::rules::day::{self, DayExplanation};
use super::rules::health::{self, HealthInput, HealthScore};
use super::rules::monthly::{self, MonthInput, MonthlyReport};
use super::rules::overview::{self, Overview};
use super::rules::patterns::{self, Patterns};
use super::rules::weekly::{self, WeeklyInsights};
use super::snapshots::{self, HistoryFilter, NewSnapshot, Snapshot};
use super::{Insights, Narrated, Origin, Sourced};
use crate::budget::PlanCategory;
use crate::budget::status::DayStatus;
use crate::budget::views::{Ctx, DayTotals, check_month, day_totals, month_range, plan_cells};
use crate::error::{Code, Error, Result};
use crate::id::Id;
use crate::input::{Lines, printable, text_error};

/// Longest accepted assistant question, in characters.
pub const MAX_QUESTION_CHARS: usize = 1_000;
/// Longest part of the assistant's `context` passed on to the LLM, in characters.
pub const MAX_CONTEXT_CHARS: usize = 2_000;

impl Insights {
    pub(crate) async fn ctx(&self, user: Id) -> Result<Ctx> {
        Ctx::load(&self.db, user, self.clock.now_ms()).await
    }

    async fn days(
        &self,
        user: Id,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Result<BTreeMap<NaiveDate, DayTotals>> {
        Ok(day_totals(&plan_cells(&self.db, user, first, last).await?))
    }

    /// Stores an analysis (see [`snapshots::store`]).
    pub(crate) async fn keep<T: Narrated>(
        &self,
        user: Id,
        answer: &Sourced<T>,
        period: (NaiveDate, NaiveDate),
        grade: Option<(&str, &str)>,
    ) -> Result<()> {
        let snapshot = NewSnapshot {
            kind: T::KIND,
            period: Some(period),
            rating: grade.map(|g| g.0.to_string()),
            risk: grade.map(|g| g.1.to_string()),
            summary: Some(answer.body.text().to_string()),
            data: serde_json::to_value(answer).map_err(|e| Error::Internal(e.to_string()))?,
            origin: &answer.origin,
        };
        snapshots::store(&self.db, user, &snapshot, self.clock.now_ms()).await
    }

    /// The user's moods over the patterns' window, added to them (1 query).
    async fn add_moods(
        &self,
        ctx: &Ctx,
        found: &mut Patterns,
        spends: &[data::Spend],
    ) -> Result<()> {
        let moods: Vec<(chrono::NaiveDate, i32)> =
            crate::mood::between(&self.db, ctx.user.id, found.period_start, found.period_end)
                .await?
                .into_iter()
                .map(|m| (m.date, m.mood))
                .collect();
        super::rules::mood::add(found, spends, &moods, &ctx.user.currency);
        Ok(())
    }

    /// The rule parts of the health score, anomalies and patterns, with the moods (4 queries).
    async fn analyses(&self, ctx: &Ctx) -> Result<(HealthScore, Vec<Anomaly>, Patterns)> {
        let start = days_before(
            ctx.today,
            anomalies::WINDOW_DAYS.max(patterns::WINDOW_DAYS) - 1,
        );
        let spends = data::spends(&self.db, ctx.user.id, start, ctx.today).await?;
        let month_first = ctx.today.with_day(1).unwrap_or(ctx.today);
        let month_days = self.days(ctx.user.id, month_first, ctx.today).await?;
        let health = health::score(&HealthInput {
            spends: &spends,
            month_days: &month_days,
            income: ctx.monthly_income(),
            today: ctx.today,
            currency: &ctx.user.currency,
        });
        let found = anomalies::detect(&spends, ctx.today, &ctx.user.currency);
        let mut patterns = patterns::find(&spends, ctx.today, &ctx.user.currency);
        self.add_moods(ctx, &mut patterns, &spends).await?;
        Ok((health, found, patterns))
    }

    /// `GET /api/ai/financial-health-score`.
    pub async fn health_score(&self, user: Id) -> Result<Sourced<HealthScore>> {
        let ctx = self.ctx(user).await?;
        let (health, _, _) = self.analyses(&ctx).await?;
        let period = (health.period_start, health.period_end);
        let answer = self.enrich(user, health, None).await;
        let grade = (answer.body.grade, answer.body.risk);
        self.keep(user, &answer, period, Some(grade)).await?;
        Ok(answer)
    }

    /// `GET /api/ai/spending-anomalies`: rule-based only (a list has no text to rewrite).
    pub async fn anomalies(&self, user: Id) -> Result<(Vec<Anomaly>, Origin)> {
        let ctx = self.ctx(user).await?;
        let start = days_before(ctx.today, anomalies::WINDOW_DAYS - 1);
        let spends = data::spends(&self.db, user, start, ctx.today).await?;
        let found = anomalies::detect(&spends, ctx.today, &ctx.user.currency);
        let snapshot = NewSnapshot {
            kind: "spending_anomalies",
            period: Some((
                days_before(ctx.today, anomalies::RECENT_DAYS - 1),
                ctx.today,
            )),
            rating: None,
            risk: None,
            summary: Some(format!(
                "{} unusual spend(s) in the last 30 days.",
                found.len()
            )),
            data: serde_json::to_value(&found).map_err(|e| Error::Internal(e.to_string()))?,
            origin: &Origin::RULES,
        };
        snapshots::store(&self.db, user, &snapshot, self.clock.now_ms()).await?;
        Ok((found, Origin::RULES))
    }

    /// `GET /api/ai/spending-patterns`.
    pub async fn patterns(&self, user: Id) -> Result<Sourced<Patterns>> {
        let ctx = self.ctx(user).await?;
        let start = days_before(ctx.today, patterns::WINDOW_DAYS - 1);
        let spends = data::spends(&self.db, user, start, ctx.today).await?;
        let mut found = patterns::find(&spends, ctx.today, &ctx.user.currency);
        self.add_moods(&ctx, &mut found, &spends).await?;
        let period = (found.period_start, found.period_end);
        let answer = self.enrich(user, found, None).await;
        self.keep(user, &answer, period, None).await?;
        Ok(answer)
    }

    /// `GET /api/ai/monthly-report` for a month (default: the user's current month).
    pub async fn monthly_report(
        &self,
        user: Id,
        year: Option<i32>,
        month: Option<u32>,
    ) -> Result<Sourced<MonthlyReport>> {
        let ctx = self.ctx(user).await?;
        let report = self.month_report(&ctx, year, month).await?;
        let (first, last) = (report.period_start, report.period_end);
        let answer = self.enrich(user, report, None).await;
        self.keep(user, &answer, (first, last), None).await?;
        Ok(answer)
    }

    /// The monthly report's rules for a month (default: the user's current month). 2 queries.
    pub(crate) async fn month_report(
        &self,
        ctx: &Ctx,
        year: Option<i32>,
        month: Option<u32>,
    ) -> Result<MonthlyReport> {
        let user = ctx.user.id;
        let (year, month) = check_month(
            year.unwrap_or(ctx.today.year()),
            month.unwrap_or(ctx.today.month()),
        )?;
        let (first, last) = month_range(year, month)?;
        let before = days_before(first, 1);
        let spends =
            data::spends(&self.db, user, before.with_day(1).unwrap_or(before), last).await?;
        let days = self.days(user, first, last).await?;
        Ok(monthly::report(&MonthInput {
            first,
            last,
            spends: &spends,
            days: &days,
            income: ctx.monthly_income(),
            today: ctx.today,
            currency: &ctx.user.currency,
        }))
    }

    /// `GET /api/ai/weekly-insights`: the last 7 days against the 7 before.
    pub async fn weekly_insights(&self, user: Id) -> Result<Sourced<WeeklyInsights>> {
        let ctx = self.ctx(user).await?;
        let spends = data::spends(&self.db, user, days_before(ctx.today, 13), ctx.today).await?;
        let plan = self
            .days(user, days_before(ctx.today, 6), ctx.today)
            .await?;
        let week = weekly::week(&spends, &plan, ctx.today, &ctx.user.currency);
        let period = (week.period_start, week.period_end);
        let answer = self.enrich(user, week, None).await;
        self.keep(user, &answer, period, None).await?;
        Ok(answer)
    }

    /// `/api/ai/day-status-explanation` for `date` (default: the user's today).
    pub async fn day_explanation(
        &self,
        user: Id,
        date: Option<NaiveDate>,
        requested: Option<&str>,
    ) -> Result<Sourced<DayExplanation>> {
        let requested = requested.map(parse_status).transpose()?;
        let ctx = self.ctx(user).await?;
        let date = date.unwrap_or(ctx.today);
        let cells = plan_cells(&self.db, user, date, date).await?;
        let spends = data::spends(&self.db, user, date, date).await?;
        let explained = day::explain(date, &cells, &spends, requested, &ctx.user.currency);
        Ok(self.enrich(user, explained, None).await)
    }

    /// `POST /api/ai/assistant`.
    pub async fn assistant(
        &self,
        user: Id,
        question: &str,
        context: Option<&Value>,
    ) -> Result<Sourced<AssistantAnswer>> {
        let Some(question) = printable(question, 1, MAX_QUESTION_CHARS, Lines::Many) else {
            let e = text_error("body.question", 1, MAX_QUESTION_CHARS);
            return Err(Error::invalid(
                Code::Validation2003,
                &e.field,
                &e.kind,
                &e.message,
            ));
        };
        let ctx = self.ctx(user).await?;
        let month_first = ctx.today.with_day(1).unwrap_or(ctx.today);
        let before = days_before(month_first, 1);
        let spends = data::spends(
            &self.db,
            user,
            before.with_day(1).unwrap_or(before),
            ctx.today,
        )
        .await?;
        let (_, month_last) = month_range(ctx.today.year(), ctx.today.month())?;
        let cells = plan_cells(&self.db, user, month_first, month_last).await?;
        let today_plan: Vec<(PlanCategory, i64, i64)> = cells
            .iter()
            .filter(|c| c.date == ctx.today && !c.is_goal())
            .filter_map(|c| Some((c.plan_category()?, c.planned, c.spent)))
            .collect();
        let answer = assistant::answer(
            question,
            &assistant::Facts {
                spends: &spends,
                month_days: &day_totals(&cells),
                today_plan: &today_plan,
                income: ctx.monthly_income(),
                today: ctx.today,
                currency: &ctx.user.currency,
            },
        );
        let mut asked = question.to_string();
        if let Some(c) = context.filter(|c| !c.is_null()) {
            let c: String = c.to_string().chars().take(MAX_CONTEXT_CHARS).collect();
            asked.push_str(&format!("\nContext from the app: {c}"));
        }
        Ok(self.enrich(user, answer, Some(&asked)).await)
    }

    /// `GET /api/insights`: the current insights as cards.
    pub async fn overview(&self, user: Id) -> Result<Sourced<Overview>> {
        let ctx = self.ctx(user).await?;
        let (health, found, patterns) = self.analyses(&ctx).await?;
        let cards = overview::build(&health, &found, &patterns);
        let period = (health.period_start, health.period_end);
        let answer = self.enrich(user, cards, None).await;
        self.keep(user, &answer, period, None).await?;
        Ok(answer)
    }

    /// `GET /api/ai/latest-snapshots`: the newest stored analysis of each kind.
    pub async fn latest_snapshots(&self, user: Id) -> Result<Vec<Snapshot>> {
        snapshots::latest(&self.db, user).await
    }

    /// `GET /api/insights/history`: stored analyses, newest first.
    pub async fn history(&self, user: Id, filter: &HistoryFilter) -> Result<Vec<Snapshot>> {
        snapshots::history(&self.db, user, filter).await
    }
}

/// `green`, `yellow`, `red` or `neutral` (any case); anything else → 422.
fn parse_status(text: &str) -> Result<DayStatus> {
    let s = text.trim().to_ascii_lowercase();
    match s.as_str() {
        "green" | "yellow" | "red" | "neutral" => Ok(DayStatus::parse(&s)),
        _ => Err(Error::invalid(
            Code::Validation2003,
            "body.status",
            "enum",
            "must be green, yellow, red or neutral",
        )),
    }
}
