//! Challenges (docs/challenges.md): the catalogue of `data/challenges.toml`, the user's attempts
//! (join, leave), and their progress computed from the user's own transactions and daily plan.
//!
//! An attempt is *settled* whenever its owner reads their challenges: every active attempt's
//! progress is recomputed ([`progress::progress`]) and one that is won or can no longer be won
//! becomes `completed` (earning its points) or `failed`, all in one transaction.

pub mod board;
pub mod catalogue;
pub mod progress;
pub mod views;

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};

use crate::db::Db;
use crate::error::{Code, Error, Result};
use crate::id::Id;
use crate::{on_db, on_tx};
use catalogue::{Challenge, Rule, catalogue};
use progress::{Day, Progress, State};

/// One attempt as stored.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, mita::db::lite::LiteRow)]
pub struct Participation {
    pub id: Id,
    pub challenge_id: String,
    pub started_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub status: String,
    pub progress: i32,
    pub points: i32,
    pub finished_at: Option<i64>,
    pub created_at: i64,
}

const COLUMNS: &str =
    "id, challenge_id, started_on, ends_on, status, progress, points, finished_at, created_at";

/// The catalogue entry of a path id: 422 for an id that cannot be one, 404 for an unknown one.
pub fn challenge(id: &str) -> Result<&'static Challenge> {
    if !catalogue::is_id(id) {
        return Err(Error::invalid(
            Code::Validation2011,
            "path.id",
            "format",
            "must be a challenge id (1 to 64 of a-z, 0-9, _ and -)",
        ));
    }
    catalogue().get(id).ok_or(Error::NotFound("Challenge"))
}

/// The user's days from `from` to `to` (both included): spends per category, and (when
/// `with_plan`) the plan's totals without goal reservations. 1 or 2 queries.
pub async fn days(
    db: &Db,
    user: Id,
    from: NaiveDate,
    to: NaiveDate,
    with_plan: bool,
) -> Result<BTreeMap<NaiveDate, Day>> {
    let mut out: BTreeMap<NaiveDate, Day> = BTreeMap::new();
    if from > to {
        return Ok(out);
    }
    let spends: Vec<(NaiveDate, String, i64)> = on_db!(db, pool => sqlx::query_as(
        "SELECT local_date, category, CAST(SUM(amount_cents) AS BIGINT) FROM transactions \
         WHERE user_id = $1 AND deleted_at IS NULL AND local_date >= $2 AND local_date <= $3 \
         GROUP BY local_date, category")
        .bind(user).bind(from).bind(to).fetch_all(pool).await)?;
    for (day, category, cents) in spends {
        out.entry(day).or_default().spent.insert(category, cents);
    }
    if with_plan {
        let plan: Vec<(NaiveDate, i64, i64)> = on_db!(db, pool => sqlx::query_as(
            "SELECT date, CAST(SUM(planned_cents) AS BIGINT), CAST(SUM(spent_cents) AS BIGINT) FROM daily_plan \
             WHERE user_id = $1 AND date >= $2 AND date <= $3 AND category <> 'goal_savings' GROUP BY date")
            .bind(user).bind(from).bind(to).fetch_all(pool).await)?;
        for (day, planned, spent) in plan {
            out.entry(day).or_default().plan = Some((planned, spent));
        }
    }
    Ok(out)
}

/// Progress of one attempt with the days loaded for it.
pub fn progress_of(
    p: &Participation,
    today: NaiveDate,
    days: &BTreeMap<NaiveDate, Day>,
) -> Option<Progress> {
    let ch = catalogue().get(&p.challenge_id)?;
    Some(progress::progress(ch, p.started_on, p.ends_on, today, days))
}

/// Settles the user's active attempts as of `today` and returns every attempt that was active,
/// with its progress (their `status` as now stored). 2–3 queries, plus one transaction when an
/// attempt's stored figures change.
pub async fn settle(
    db: &Db,
    user: Id,
    today: NaiveDate,
    now: i64,
) -> Result<Vec<(Participation, Progress)>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM challenge_participations WHERE user_id = $1 AND status = 'active' \
         ORDER BY created_at, id"
    ));
    let active: Vec<Participation> =
        on_db!(db, pool => sqlx::query_as(sql).bind(user).fetch_all(pool).await)?;
    let Some(from) = active.iter().map(|p| p.started_on).min() else {
        return Ok(Vec::new());
    };
    let to = active
        .iter()
        .map(|p| p.ends_on)
        .max()
        .unwrap_or(from)
        .min(today);
    let with_plan = active.iter().any(|p| {
        catalogue()
            .get(&p.challenge_id)
            .is_some_and(|c| c.rule == Rule::WithinPlanStreak)
    });
    let days = days(db, user, from, to, with_plan).await?;
    let mut out = Vec::with_capacity(active.len());
    let mut changed = Vec::new();
    for mut p in active {
        let Some(pr) = progress_of(&p, today, &days) else {
            continue; // a challenge removed from the catalogue: left as it is
        };
        let value = i32::try_from(pr.current).unwrap_or(i32::MAX);
        if pr.state != State::Active || value != p.progress {
            p.progress = value;
            if pr.state != State::Active {
                p.status = pr.state.as_str().to_string();
                p.finished_at = Some(now);
                p.points = if pr.state == State::Completed {
                    catalogue()
                        .get(&p.challenge_id)
                        .map_or(0, |c| i32::try_from(c.reward_points).unwrap_or(0))
                } else {
                    0
                };
            }
            changed.push(p.clone());
        }
        out.push((p, pr));
    }
    if !changed.is_empty() {
        let mut tx = db.begin().await?;
        for p in &changed {
            on_tx!(&mut tx, conn => sqlx::query(
                "UPDATE challenge_participations SET status = $3, progress = $4, points = $5, finished_at = $6, \
                 updated_at = $7 WHERE id = $1 AND user_id = $2 AND status = 'active'")
                .bind(p.id).bind(user).bind(&p.status).bind(p.progress).bind(p.points)
                .bind(p.finished_at).bind(now).execute(&mut *conn).await.map(|_| ()))?;
        }
        tx.commit().await?;
    }
    Ok(out)
}

/// The answer of joining.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Joined {
    pub joined: bool,
    /// `joined` or `already_joined`.
    pub status: &'static str,
    pub challenge_id: String,
    pub participation_id: Id,
    pub started_at: String,
    pub end_date: String,
}

/// Joins a challenge from `today` for its duration. Joining one already running answers
/// `already_joined` and changes nothing. 1–2 statements.
pub async fn join(db: &Db, user: Id, ch: &Challenge, today: NaiveDate, now: i64) -> Result<Joined> {
    let ends = today + Duration::days(ch.duration_days - 1);
    let id = Id::new();
    let inserted: Option<Id> = crate::on_write!(db, pool => sqlx::query_scalar(
        "INSERT INTO challenge_participations (id, user_id, challenge_id, started_on, ends_on, status, progress, \
         points, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'active', 0, 0, $6, $6) \
         ON CONFLICT (user_id, challenge_id) WHERE status = 'active' DO NOTHING RETURNING id")
        .bind(id).bind(user).bind(&ch.id).bind(today).bind(ends).bind(now).fetch_optional(pool).await)?;
    let row = match inserted {
        Some(_) => None,
        None => Some(
            active(db, user, &ch.id)
                .await?
                .ok_or(Error::NotFound("Challenge"))?,
        ),
    };
    Ok(match row {
        None => Joined {
            joined: true,
            status: "joined",
            challenge_id: ch.id.clone(),
            participation_id: id,
            started_at: today.to_string(),
            end_date: ends.to_string(),
        },
        Some(p) => Joined {
            joined: false,
            status: "already_joined",
            challenge_id: ch.id.clone(),
            participation_id: p.id,
            started_at: p.started_on.to_string(),
            end_date: p.ends_on.to_string(),
        },
    })
}

/// The user's running attempt at a challenge. 1 query.
pub async fn active(db: &Db, user: Id, challenge: &str) -> Result<Option<Participation>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM challenge_participations WHERE user_id = $1 AND challenge_id = $2 AND status = 'active'"
    ));
    Ok(
        on_db!(db, pool => sqlx::query_as(sql).bind(user).bind(challenge).fetch_optional(pool).await)?,
    )
}

/// The user's latest attempt at a challenge (running or finished). 1 query.
pub async fn latest(db: &Db, user: Id, challenge: &str) -> Result<Option<Participation>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM challenge_participations WHERE user_id = $1 AND challenge_id = $2 \
         ORDER BY (status = 'active') DESC, created_at DESC, id LIMIT 1"
    ));
    Ok(
        on_db!(db, pool => sqlx::query_as(sql).bind(user).bind(challenge).fetch_optional(pool).await)?,
    )
}

/// Every attempt of the user, oldest first. 1 query.
pub async fn all_of(db: &Db, user: Id) -> Result<Vec<Participation>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM challenge_participations WHERE user_id = $1 ORDER BY created_at, id"
    ));
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(user).fetch_all(pool).await)?)
}

/// Leaves the user's running attempt (404 when there is none). 1 statement.
pub async fn leave(db: &Db, user: Id, challenge: &str, now: i64) -> Result<()> {
    let n = crate::on_write!(db, pool => sqlx::query(
        "UPDATE challenge_participations SET status = 'left', finished_at = $3, updated_at = $3 \
         WHERE user_id = $1 AND challenge_id = $2 AND status = 'active'")
        .bind(user).bind(challenge).bind(now).execute(pool).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(Error::NotFound("Challenge participation"));
    }
    Ok(())
}
