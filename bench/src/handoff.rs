//! `sqlite-handoff`: what sqlx's hand-offs cost a write transaction on SQLite.
//!
//! The same transaction of the create path's shape — `BEGIN IMMEDIATE`, a read, an insert, an
//! upsert that re-sums the (user, day, category), a day-wide update, `COMMIT` — run back to back
//! on one SQLite file, once through an sqlx connection (each statement handed to sqlx's worker
//! thread and its answer handed back) and once through a rusqlite connection on the calling
//! thread (no hand-off), alternating rounds. CPU time is the whole process's (both threads);
//! `synchronous = NORMAL` leaves fsync out, so what differs is the hand-offs. No part of the
//! server runs: this isolates one cost named in docs/performance.md.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::json;
use sqlx::{Connection, SqliteConnection};

const SCHEMA: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
    CREATE TABLE IF NOT EXISTS spends (id INTEGER PRIMARY KEY, user_id TEXT NOT NULL, day TEXT NOT NULL,
        category TEXT NOT NULL, amount INTEGER NOT NULL, created_at INTEGER NOT NULL);
    CREATE INDEX IF NOT EXISTS spends_day ON spends (user_id, day, category, amount);
    CREATE TABLE IF NOT EXISTS plan (user_id TEXT NOT NULL, day TEXT NOT NULL, category TEXT NOT NULL,
        planned INTEGER NOT NULL, spent INTEGER NOT NULL, status TEXT NOT NULL,
        PRIMARY KEY (user_id, day, category));";

/// The five statements between `BEGIN IMMEDIATE` and `COMMIT`.
const PREFLIGHT: &str = "SELECT COUNT(*) FROM plan WHERE user_id = $1 AND day = $2";
const INSERT: &str =
    "INSERT INTO spends (user_id, day, category, amount, created_at) VALUES ($1, $2, $3, $4, $5)";
const ACCRUE: &str = "INSERT INTO plan (user_id, day, category, planned, spent, status) VALUES ($1, $2, $3, 5000, $4, 'neutral')
    ON CONFLICT (user_id, day, category) DO UPDATE SET spent =
    (SELECT SUM(amount) FROM spends WHERE user_id = $1 AND day = $2 AND category = $3)";
const STATUS: &str =
    "UPDATE plan SET status = CASE WHEN spent <= planned THEN 'green' ELSE 'red' END
    WHERE user_id = $1 AND day = $2";

/// Arguments of `sqlite-handoff`.
#[derive(clap::Args, Debug)]
pub struct HandoffArgs {
    /// Directory for the SQLite file (on disk, like the server's).
    #[arg(long, default_value = "/var/tmp")]
    pub dir: PathBuf,
    /// Rounds per client; the two alternate.
    #[arg(long, default_value_t = 4)]
    pub rounds: u32,
    /// Length of each round.
    #[arg(long, default_value_t = 3)]
    pub seconds: u64,
    /// Where to write the result JSON.
    #[arg(long)]
    pub out: PathBuf,
}

/// The process's CPU time so far (user + system, all threads).
fn cpu_time() -> anyhow::Result<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = stat.rsplit_once(')').context("/proc/self/stat")?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>()? + fields[12].parse::<u64>()?;
    // CLK_TCK is 100 on Linux.
    Ok(Duration::from_millis(ticks * 10))
}

/// The day and category of the `i`-th transaction: 16 users × 30 days × 8 categories.
fn key(i: u64) -> (String, String, String) {
    (
        format!("user-{}", i % 16),
        format!("2026-11-{:02}", 1 + (i / 16) % 30),
        format!("cat-{}", (i / 480) % 8),
    )
}

/// One round: transactions per second and CPU µs per transaction.
struct Round {
    transactions: u64,
    wall: Duration,
    cpu: Duration,
}

impl Round {
    fn cpu_us_per_transaction(&self) -> f64 {
        self.cpu.as_secs_f64() * 1e6 / self.transactions as f64
    }

    fn per_second(&self) -> f64 {
        self.transactions as f64 / self.wall.as_secs_f64()
    }
}

/// The clocks of a round being run.
struct Timer {
    cpu: Duration,
    at: Instant,
    first: u64,
}

impl Timer {
    fn start(first: u64) -> anyhow::Result<Timer> {
        Ok(Timer {
            cpu: cpu_time()?,
            at: Instant::now(),
            first,
        })
    }

    fn running(&self, length: Duration) -> bool {
        self.at.elapsed() < length
    }

    /// The round, ended before transaction `next`.
    fn stop(self, next: u64) -> anyhow::Result<Round> {
        Ok(Round {
            transactions: next - self.first,
            wall: self.at.elapsed(),
            cpu: cpu_time()? - self.cpu,
        })
    }
}

async fn sqlx_round(
    conn: &mut SqliteConnection,
    length: Duration,
    start: u64,
) -> anyhow::Result<Round> {
    let timer = Timer::start(start)?;
    let mut i = start;
    while timer.running(length) {
        let (user, day, category) = key(i);
        sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
        let _: i64 = sqlx::query_scalar(PREFLIGHT)
            .bind(&user)
            .bind(&day)
            .fetch_one(&mut *conn)
            .await?;
        sqlx::query(INSERT)
            .bind(&user)
            .bind(&day)
            .bind(&category)
            .bind(450_i64)
            .bind(i as i64)
            .execute(&mut *conn)
            .await?;
        sqlx::query(ACCRUE)
            .bind(&user)
            .bind(&day)
            .bind(&category)
            .bind(450_i64)
            .execute(&mut *conn)
            .await?;
        sqlx::query(STATUS)
            .bind(&user)
            .bind(&day)
            .execute(&mut *conn)
            .await?;
        sqlx::query("COMMIT").execute(&mut *conn).await?;
        i += 1;
    }
    timer.stop(i)
}

fn rusqlite_round(
    conn: &rusqlite::Connection,
    length: Duration,
    start: u64,
) -> anyhow::Result<Round> {
    let timer = Timer::start(start)?;
    let mut i = start;
    while timer.running(length) {
        let (user, day, category) = key(i);
        conn.prepare_cached("BEGIN IMMEDIATE")?.execute([])?;
        let _: i64 = conn
            .prepare_cached(PREFLIGHT)?
            .query_row((&user, &day), |r| r.get(0))?;
        conn.prepare_cached(INSERT)?
            .execute((&user, &day, &category, 450_i64, i as i64))?;
        conn.prepare_cached(ACCRUE)?
            .execute((&user, &day, &category, 450_i64))?;
        conn.prepare_cached(STATUS)?.execute((&user, &day))?;
        conn.prepare_cached("COMMIT")?.execute([])?;
        i += 1;
    }
    timer.stop(i)
}

fn summary(rounds: &[Round]) -> serde_json::Value {
    let per_tx: Vec<f64> = rounds.iter().map(Round::cpu_us_per_transaction).collect();
    let rate: Vec<f64> = rounds.iter().map(Round::per_second).collect();
    json!({"cpu_us_per_transaction": per_tx, "transactions_per_second": rate})
}

pub async fn run(args: &HandoffArgs) -> anyhow::Result<()> {
    let dir = tempfile_dir(&args.dir)?;
    let path = dir.join("handoff.db");
    let direct = rusqlite::Connection::open(&path)?;
    direct.execute_batch(SCHEMA)?;
    let url = format!("sqlite://{}", path.display());
    let mut through = SqliteConnection::connect(&url).await?;
    sqlx::query("PRAGMA synchronous = NORMAL")
        .execute(&mut through)
        .await?;
    let (mut via_sqlx, mut via_rusqlite) = (Vec::new(), Vec::new());
    let mut next = 0;
    for round in 0..args.rounds {
        let length = Duration::from_secs(args.seconds);
        let s = sqlx_round(&mut through, length, next).await?;
        next += s.transactions;
        let r = rusqlite_round(&direct, length, next)?;
        next += r.transactions;
        eprintln!(
            "sqlite-handoff round {}: sqlx {:.1} µs CPU/transaction ({:.0}/s), rusqlite {:.1} µs ({:.0}/s)",
            round + 1,
            s.cpu_us_per_transaction(),
            s.per_second(),
            r.cpu_us_per_transaction(),
            r.per_second(),
        );
        via_sqlx.push(s);
        via_rusqlite.push(r);
    }
    through.close().await?;
    drop(direct);
    std::fs::remove_dir_all(&dir).ok();
    crate::write_json(
        &args.out,
        &json!({"statements_per_transaction": 6, "synchronous": "NORMAL",
                "sqlx": summary(&via_sqlx), "rusqlite": summary(&via_rusqlite)}),
    )
}

/// A fresh directory under `parent` (removed at the end).
fn tempfile_dir(parent: &std::path::Path) -> anyhow::Result<PathBuf> {
    let dir = parent.join(format!("mita-handoff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both clients commit every transaction they count, and the upsert keeps each cell's
    /// `spent` equal to the sum of its spends: the two run the same work.
    #[tokio::test]
    async fn both_clients_commit_the_same_work() -> anyhow::Result<()> {
        let dir = tempfile_dir(&std::env::temp_dir())?;
        let path = dir.join("handoff.db");
        let direct = rusqlite::Connection::open(&path)?;
        direct.execute_batch(SCHEMA)?;
        let mut through =
            SqliteConnection::connect(&format!("sqlite://{}", path.display())).await?;
        let length = Duration::from_millis(200);
        let s = sqlx_round(&mut through, length, 0).await?;
        let r = rusqlite_round(&direct, length, s.transactions)?;
        through.close().await?;
        assert!(s.transactions > 0 && r.transactions > 0);
        let rows: i64 = direct.query_row("SELECT COUNT(*) FROM spends", [], |row| row.get(0))?;
        assert_eq!(rows as u64, s.transactions + r.transactions);
        let wrong: i64 = direct.query_row(
            "SELECT COUNT(*) FROM plan p WHERE spent != (SELECT SUM(amount) FROM spends s \
             WHERE s.user_id = p.user_id AND s.day = p.day AND s.category = p.category)",
            [],
            |row| row.get(0),
        )?;
        assert_eq!(wrong, 0);
        drop(direct);
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }
}
