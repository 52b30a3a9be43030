//! The caller's challenge statistics and the leaderboard. The leaderboard shows other users by
//! rank and a pseudonym only ([`pseudonym`]): no email, name or id.

use chrono::{Datelike, Duration, NaiveDate};
use chrono_tz::Tz;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::catalogue::{Badge, catalogue};
use super::progress::streaks;
use super::{all_of, days, settle};
use crate::db::Db;
use crate::error::{Code, Error, Result};
use crate::fixed::Fixed;
use crate::id::Id;
use crate::on_db;

/// The days of plan history the day streaks of the stats read.
pub const STREAK_HISTORY_DAYS: i64 = 365;

/// Entries of the leaderboard's top list.
pub const TOP: usize = 10;

/// A leaderboard period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    Weekly,
    Monthly,
    AllTime,
}

impl Period {
    /// `weekly` (default), `monthly`, `all_time`; anything else → 422 `query.period`.
    pub fn parse(text: Option<&str>) -> Result<Period> {
        match text.map(str::trim) {
            None | Some("" | "weekly" | "week") => Ok(Period::Weekly),
            Some("monthly" | "month") => Ok(Period::Monthly),
            Some("all_time" | "alltime" | "all") => Ok(Period::AllTime),
            Some(_) => Err(Error::invalid(
                Code::Validation2003,
                "query.period",
                "enum",
                "must be weekly, monthly or all_time",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Period::Weekly => "weekly",
            Period::Monthly => "monthly",
            Period::AllTime => "all_time",
        }
    }

    /// The first day of the period containing `today` (None: all time).
    pub fn start(self, today: NaiveDate) -> Option<NaiveDate> {
        match self {
            Period::Weekly => {
                Some(today - Duration::days(i64::from(today.weekday().num_days_from_monday())))
            }
            Period::Monthly => today.with_day(1),
            Period::AllTime => None,
        }
    }
}

/// The caller's figures.
#[derive(Clone, Debug, Serialize)]
pub struct Stats {
    pub total_points: i64,
    pub total_points_earned: i64,
    pub current_level: i64,
    pub next_level_points: i64,
    pub points_to_next_level: i64,
    pub completed_challenges: i64,
    pub total_challenges_completed: i64,
    pub failed_challenges: i64,
    pub active_challenges: i64,
    /// Days in a row (ending yesterday) within the daily plan, and the longest such run in the
    /// last 365 days.
    pub current_streak: i64,
    pub best_streak: i64,
    /// Completed ÷ (completed + failed), 0–1 (0 before any finished).
    pub success_rate: Fixed,
    pub badges_earned: Vec<Badge>,
    /// All-time rank on the leaderboard; null without a completed challenge.
    pub leaderboard_position: Option<i64>,
    pub rank: Option<i64>,
    pub points_this_week: i64,
    pub challenges_completed_this_month: i64,
}

/// `GET /api/challenge/stats`. 6–9 queries.
pub async fn stats(db: &Db, user: Id, tz: Tz, now: i64, key: &[u8]) -> Result<Stats> {
    let today = crate::time::local_date(now, tz);
    settle(db, user, today, now).await?;
    let all = all_of(db, user).await?;
    let week = crate::time::day_start_ms(Period::Weekly.start(today).unwrap_or(today), tz);
    let month = crate::time::day_start_ms(Period::Monthly.start(today).unwrap_or(today), tz);
    let completed: Vec<_> = all.iter().filter(|p| p.status == "completed").collect();
    let won = i64::try_from(completed.len()).unwrap_or(0);
    let lost = i64::try_from(all.iter().filter(|p| p.status == "failed").count()).unwrap_or(0);
    let points: i64 = completed.iter().map(|p| i64::from(p.points)).sum();
    let since = |from: i64| {
        completed
            .iter()
            .filter(move |p| p.finished_at.unwrap_or(0) >= from)
    };
    let (level, next) = catalogue().level(points);
    let history = days(
        db,
        user,
        today - Duration::days(STREAK_HISTORY_DAYS),
        today - Duration::days(1),
        true,
    )
    .await?;
    let met: Vec<bool> = (1..=STREAK_HISTORY_DAYS)
        .rev()
        .map(|back| {
            history
                .get(&(today - Duration::days(back)))
                .and_then(|d| d.plan)
                .is_some_and(|(planned, spent)| spent <= planned)
        })
        .collect();
    let (current_streak, best_streak) = streaks(&met);
    let board = leaderboard(db, user, tz, now, Period::AllTime, key).await?;
    Ok(Stats {
        total_points: points,
        total_points_earned: points,
        current_level: level,
        next_level_points: next,
        points_to_next_level: next - points,
        completed_challenges: won,
        total_challenges_completed: won,
        failed_challenges: lost,
        active_challenges: i64::try_from(all.iter().filter(|p| p.status == "active").count())
            .unwrap_or(0),
        current_streak,
        best_streak,
        success_rate: Fixed::ratio(won, won + lost, 2),
        badges_earned: catalogue()
            .badges
            .iter()
            .filter(|b| b.earned(won, points))
            .cloned()
            .collect(),
        leaderboard_position: board.user_rank,
        rank: board.user_rank,
        points_this_week: since(week).map(|p| i64::from(p.points)).sum(),
        challenges_completed_this_month: i64::try_from(since(month).count()).unwrap_or(0),
    })
}

/// One line of the leaderboard.
#[derive(Clone, Debug, Serialize)]
pub struct Entry {
    pub rank: i64,
    /// A stable pseudonym (never the user's name or email).
    pub username: String,
    /// Points of completed challenges in the period.
    pub points: i64,
    /// Level from all-time points.
    pub level: i64,
    pub challenges_completed: i64,
    pub badges_count: i64,
    pub avatar_url: Option<String>,
    pub is_current_user: bool,
}

/// The leaderboard answer.
#[derive(Clone, Debug, Serialize)]
pub struct Board {
    /// The top entries, then the caller's own when it is not among them.
    pub top_users: Vec<Entry>,
    pub user_rank: Option<i64>,
    pub total_participants: i64,
    pub period: &'static str,
    pub period_start: Option<String>,
}

/// `GET /api/challenge/leaderboard`: users ranked by the points of the challenges they completed
/// in the period (ties share a rank; then more challenges first). 1 query.
pub async fn leaderboard(
    db: &Db,
    user: Id,
    tz: Tz,
    now: i64,
    period: Period,
    key: &[u8],
) -> Result<Board> {
    let today = crate::time::local_date(now, tz);
    let start = period.start(today);
    let from = start.map_or(i64::MIN, |d| crate::time::day_start_ms(d, tz));
    let rows: Vec<(Id, i64, i64, i64, i64)> = on_db!(db, pool => sqlx::query_as(
        "SELECT user_id, CAST(SUM(points) AS BIGINT), CAST(COUNT(*) AS BIGINT), \
         CAST(SUM(CASE WHEN finished_at >= $1 THEN points ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN finished_at >= $1 THEN 1 ELSE 0 END) AS BIGINT) \
         FROM challenge_participations WHERE status = 'completed' GROUP BY user_id")
        .bind(from).fetch_all(pool).await)?;
    let mut entries: Vec<(Id, Entry)> = rows
        .into_iter()
        .filter(|r| r.4 > 0)
        .map(|(id, all_points, all_won, points, won)| {
            let badges = catalogue()
                .badges
                .iter()
                .filter(|b| b.earned(all_won, all_points))
                .count();
            (
                id,
                Entry {
                    rank: 0,
                    username: pseudonym(key, id),
                    points,
                    level: catalogue().level(all_points).0,
                    challenges_completed: won,
                    badges_count: i64::try_from(badges).unwrap_or(0),
                    avatar_url: None,
                    is_current_user: id == user,
                },
            )
        })
        .collect();
    entries.sort_by(|a, b| {
        (b.1.points, b.1.challenges_completed)
            .cmp(&(a.1.points, a.1.challenges_completed))
            .then_with(|| a.1.username.cmp(&b.1.username))
    });
    for (i, (_, e)) in entries.iter_mut().enumerate() {
        e.rank = i64::try_from(i).unwrap_or(0) + 1;
    }
    // Ties share the rank of the first of them.
    for i in 1..entries.len() {
        let same = entries[i].1.points == entries[i - 1].1.points
            && entries[i].1.challenges_completed == entries[i - 1].1.challenges_completed;
        if same {
            entries[i].1.rank = entries[i - 1].1.rank;
        }
    }
    let user_rank = entries
        .iter()
        .find(|(id, _)| *id == user)
        .map(|(_, e)| e.rank);
    let total = i64::try_from(entries.len()).unwrap_or(0);
    let mut top: Vec<Entry> = entries.iter().take(TOP).map(|(_, e)| e.clone()).collect();
    if !top.iter().any(|e| e.is_current_user)
        && let Some((_, me)) = entries.iter().find(|(id, _)| *id == user)
    {
        top.push(me.clone());
    }
    Ok(Board {
        top_users: top,
        user_rank,
        total_participants: total,
        period: period.as_str(),
        period_start: start.map(|d| d.to_string()),
    })
}

const ADJECTIVES: [&str; 16] = [
    "Steady", "Thrifty", "Clever", "Calm", "Bright", "Bold", "Careful", "Nimble", "Patient",
    "Quiet", "Savvy", "Swift", "Wise", "Frugal", "Keen", "Lucky",
];
const ANIMALS: [&str; 16] = [
    "Otter", "Falcon", "Badger", "Heron", "Fox", "Owl", "Beaver", "Lynx", "Panda", "Koala",
    "Robin", "Turtle", "Wolf", "Squirrel", "Dolphin", "Hare",
];

/// A user's leaderboard name: an adjective, an animal and a number drawn from a keyed hash of
/// the user id (the server's secret is the key), so it is stable, and it cannot be computed
/// from an id without the secret nor leads back to the person.
pub fn pseudonym(key: &[u8], user: Id) -> String {
    let mut h = Sha256::new();
    h.update(b"mita-leaderboard-pseudonym\0");
    h.update(key);
    h.update(user.to_string().as_bytes());
    let d = h.finalize();
    format!(
        "{}{}{}",
        ADJECTIVES[usize::from(d[0] % 16)],
        ANIMALS[usize::from(d[1] % 16)],
        u16::from_be_bytes([d[2], d[3]]) % 100
    )
}
