//! The challenge objects the app reads: the catalogue with participation figures (available),
//! the running attempts with their progress (active), one attempt's progress.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use super::catalogue::{Challenge, Rule, catalogue};
use super::progress::{Day, Progress};
use super::{Participation, days, settle};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::fixed::Fixed;
use crate::id::Id;
use crate::money::Money;
use crate::on_db;

/// The days of history the savings estimate reads.
pub const HISTORY_DAYS: i64 = 30;

/// A challenge of the catalogue.
#[derive(Clone, Debug, Serialize)]
pub struct ChallengeView {
    pub id: String,
    pub title: String,
    /// Same as title (the older server's name for it).
    pub name: String,
    pub description: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub category: String,
    pub difficulty: String,
    pub rule: &'static str,
    pub duration_days: i64,
    pub target_value: i64,
    pub reward_points: i64,
    /// What the challenge would save the caller, from their last 30 days (docs/challenges.md).
    pub reward_amount: Money,
    /// Users with a running attempt.
    pub participants: i64,
    /// Completed ÷ (completed + failed) attempts of all users, 0–1; null before any finished.
    pub success_rate: Option<Fixed>,
}

/// The progress object (also part of an active challenge).
#[derive(Clone, Debug, Serialize)]
pub struct ProgressView {
    pub challenge_id: String,
    pub participation_id: Id,
    /// active, completed, failed or left.
    pub status: String,
    pub current_progress: i64,
    pub target_value: i64,
    /// 0–100.
    pub completion_percentage: Fixed,
    pub progress_percentage: Fixed,
    pub days_completed: i64,
    pub days_remaining: i64,
    pub current_streak: i64,
    pub best_streak: i64,
    /// category_cap only: spent in the window so far, and the cap.
    pub spent: Option<Money>,
    pub cap: Option<Money>,
    pub points_earned: i64,
    pub started_at: String,
    pub start_date: String,
    pub end_date: String,
    pub completed_at: Option<String>,
}

impl ProgressView {
    pub fn of(p: &Participation, pr: &Progress) -> ProgressView {
        let pct = Fixed::percent_capped(pr.current, pr.target);
        ProgressView {
            challenge_id: p.challenge_id.clone(),
            participation_id: p.id,
            status: p.status.clone(),
            current_progress: pr.current,
            target_value: pr.target,
            completion_percentage: pct,
            progress_percentage: pct,
            days_completed: pr.days_completed,
            days_remaining: if p.status == "active" {
                pr.days_remaining
            } else {
                0
            },
            current_streak: pr.current_streak,
            best_streak: pr.best_streak,
            spent: pr.spent_cents.map(Money::from_cents),
            cap: pr.cap_cents.map(Money::from_cents),
            points_earned: i64::from(p.points),
            started_at: p.started_on.to_string(),
            start_date: p.started_on.to_string(),
            end_date: p.ends_on.to_string(),
            completed_at: (p.status == "completed")
                .then_some(p.finished_at)
                .flatten()
                .map(crate::clock::rfc3339),
        }
    }
}

/// A running attempt: the challenge and its progress side by side.
#[derive(Clone, Debug, Serialize)]
pub struct ActiveView {
    #[serde(flatten)]
    pub challenge: ChallengeView,
    #[serde(flatten)]
    pub progress: ProgressView,
}

/// The savings estimate of a challenge from the user's last [`HISTORY_DAYS`] finished days.
pub fn reward_cents(ch: &Challenge, history: &BTreeMap<NaiveDate, Day>) -> i64 {
    let spent: i64 = history
        .values()
        .flat_map(|d| d.spent.iter())
        .filter(|(k, _)| ch.counts(k))
        .map(|(_, v)| *v)
        .sum();
    match ch.rule {
        Rule::NoSpendDays => spent * ch.target / HISTORY_DAYS,
        Rule::CategoryCap => (spent * ch.duration_days / HISTORY_DAYS - ch.cap_cents).max(0),
        Rule::WithinPlanStreak => {
            let over: i64 = history
                .values()
                .filter_map(|d| d.plan)
                .map(|(planned, spent)| (spent - planned).max(0))
                .sum();
            over * ch.target / HISTORY_DAYS
        }
    }
}

/// Participants and success rate per challenge id (every user). 1 query.
async fn figures(db: &Db) -> Result<BTreeMap<String, (i64, Option<Fixed>)>> {
    let rows: Vec<(String, String, i64)> = on_db!(db, pool => sqlx::query_as(
        "SELECT challenge_id, status, COUNT(*) FROM challenge_participations GROUP BY challenge_id, status")
        .fetch_all(pool).await)?;
    let mut counts: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
    for (id, status, n) in rows {
        let e = counts.entry(id).or_default();
        match status.as_str() {
            "active" => e.0 += n,
            "completed" => e.1 += n,
            "failed" => e.2 += n,
            _ => {}
        }
    }
    Ok(counts
        .into_iter()
        .map(|(id, (active, won, lost))| {
            let rate = (won + lost > 0).then(|| Fixed::ratio(won, won + lost, 2));
            (id, (active, rate))
        })
        .collect())
}

fn view(
    ch: &Challenge,
    history: &BTreeMap<NaiveDate, Day>,
    figures: &BTreeMap<String, (i64, Option<Fixed>)>,
) -> ChallengeView {
    let (participants, success_rate) = figures.get(&ch.id).cloned().unwrap_or((0, None));
    ChallengeView {
        id: ch.id.clone(),
        title: ch.title.clone(),
        name: ch.title.clone(),
        description: ch.description.clone(),
        kind: ch.kind.clone(),
        category: ch.category.clone(),
        difficulty: ch.difficulty.clone(),
        rule: ch.rule.as_str(),
        duration_days: ch.duration_days,
        target_value: ch.target_value(),
        reward_points: ch.reward_points,
        reward_amount: Money::from_cents(reward_cents(ch, history)),
        participants,
        success_rate,
    }
}

async fn history(db: &Db, user: Id, today: NaiveDate) -> Result<BTreeMap<NaiveDate, Day>> {
    days(
        db,
        user,
        today - Duration::days(HISTORY_DAYS),
        today - Duration::days(1),
        true,
    )
    .await
}

/// `GET /api/challenge/available`: the challenges the user is not running. 4–5 queries.
pub async fn available(
    db: &Db,
    user: Id,
    today: NaiveDate,
    now: i64,
) -> Result<Vec<ChallengeView>> {
    let running: BTreeSet<String> = settle(db, user, today, now)
        .await?
        .into_iter()
        .filter(|(p, _)| p.status == "active")
        .map(|(p, _)| p.challenge_id)
        .collect();
    let history = history(db, user, today).await?;
    let figures = figures(db).await?;
    Ok(catalogue()
        .challenges
        .iter()
        .filter(|c| !running.contains(&c.id))
        .map(|c| view(c, &history, &figures))
        .collect())
}

/// `GET /api/challenge/active`: the running attempts with their progress, oldest first.
/// 5–7 queries.
pub async fn active(db: &Db, user: Id, today: NaiveDate, now: i64) -> Result<Vec<ActiveView>> {
    let settled = settle(db, user, today, now).await?;
    let history = history(db, user, today).await?;
    let figures = figures(db).await?;
    Ok(settled
        .iter()
        .filter(|(p, _)| p.status == "active")
        .filter_map(|(p, pr)| {
            let ch = catalogue().get(&p.challenge_id)?;
            Some(ActiveView {
                challenge: view(ch, &history, &figures),
                progress: ProgressView::of(p, pr),
            })
        })
        .collect())
}

/// `GET /api/challenge/{id}/progress`: the user's running attempt, or their latest finished one;
/// 404 when they never joined. 3–6 queries.
pub async fn progress(
    db: &Db,
    user: Id,
    tz: chrono_tz::Tz,
    ch: &Challenge,
    now: i64,
) -> Result<ProgressView> {
    let today = crate::time::local_date(now, tz);
    let settled = settle(db, user, today, now).await?;
    if let Some((p, pr)) = settled.iter().find(|(p, _)| p.challenge_id == ch.id) {
        return Ok(ProgressView::of(p, pr));
    }
    let p = super::latest(db, user, &ch.id)
        .await?
        .ok_or(Error::NotFound("Challenge participation"))?;
    // A finished attempt: its window as of the day it finished.
    let as_of = p
        .finished_at
        .map(|ms| crate::time::local_date(ms, tz))
        .unwrap_or(today)
        .min(p.ends_on + Duration::days(1));
    let days = days(
        db,
        user,
        p.started_on,
        p.ends_on.min(as_of),
        ch.rule == Rule::WithinPlanStreak,
    )
    .await?;
    let pr = super::progress::progress(ch, p.started_on, p.ends_on, as_of, &days);
    Ok(ProgressView::of(&p, &pr))
}
