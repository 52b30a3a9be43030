//! The two raw ceilings the HTTP figures are compared with:
//!
//! - `insert-ceiling`: one writer connection inserting rows of the `transactions` shape (every
//!   column bound) as fast as it can, one commit per row — `BEGIN IMMEDIATE … COMMIT` on SQLite
//!   with the server's journal mode and `synchronous` setting, autocommit on PostgreSQL. This is
//!   what the storage can do for P2 with no HTTP, no JSON and no plan bookkeeping.
//! - `argon2-ceiling`: `--threads` threads hashing with the server's argon2id parameters for a
//!   fixed time. This is what the CPU can do for P3 with no HTTP and no database.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use argon2::{Algorithm, Argon2, Block, Params, Version};
use mita::clock::Clock;
use mita::config::{AuthSettings, DatabaseSettings, Synchronous};
use mita::db::{Backend, Db};
use mita::id::Id;
use mita::users::{Email, NewUser};
use serde_json::json;
use sqlx::types::Json;

/// The server's insert, without `RETURNING` (the ceiling sends no answer anywhere).
const INSERT: &str = "INSERT INTO transactions (id, user_id, goal_id, category, amount_cents, currency, description, \
    merchant, location, tags, is_recurring, confidence_score, receipt_url, notes, spent_at, local_date, created_at, updated_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)";

/// Arguments of `insert-ceiling`.
#[derive(clap::Args, Debug)]
pub struct InsertArgs {
    /// Database to insert into (migrated first; a bench user is created in it).
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: String,
    /// SQLite `synchronous` setting (the server's default is `full`).
    #[arg(long, env = "MITA_DATABASE__SYNCHRONOUS", default_value = "full")]
    pub synchronous: String,
    /// How long to insert.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Where to write the result JSON.
    #[arg(long)]
    pub out: PathBuf,
}

/// Arguments of `argon2-ceiling`.
#[derive(clap::Args, Debug)]
pub struct Argon2Args {
    /// Hashing threads.
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// How long to hash.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Hash into one preallocated block buffer per thread instead of allocating 19 MiB per hash
    /// (what the server's `argon2` calls do).
    #[arg(long)]
    pub reuse_memory: bool,
    /// Where to write the result JSON.
    #[arg(long)]
    pub out: PathBuf,
}

/// Describes the durability the inserts ran with.
async fn durability(db: &Db, sync: Synchronous) -> anyhow::Result<String> {
    Ok(match db {
        Db::Sqlite(_) => format!("sqlite WAL, synchronous={sync:?}").to_lowercase(),
        Db::Postgres(pool) => {
            let fsync: String = sqlx::query_scalar("SHOW fsync").fetch_one(pool).await?;
            let commit: String = sqlx::query_scalar("SHOW synchronous_commit")
                .fetch_one(pool)
                .await?;
            format!("postgres autocommit, fsync={fsync}, synchronous_commit={commit}")
        }
    })
}

/// Inserts one row of the server's shape (a small spend today).
async fn insert_one(db: &Db, user: Id, now: i64) -> anyhow::Result<()> {
    let day = mita::time::local_date(now, mita::time::tz("UTC"));
    macro_rules! bound {
        () => {
            sqlx::query(INSERT)
                .bind(Id::new())
                .bind(user)
                .bind(None::<Id>)
                .bind("food")
                .bind(1234_i64)
                .bind("USD")
                .bind(Some("bench ceiling"))
                .bind(None::<String>)
                .bind(None::<String>)
                .bind(Json(Vec::<String>::new()))
                .bind(false)
                .bind(None::<f64>) // f64-ok: confidence score, not money
                .bind(None::<String>)
                .bind(None::<String>)
                .bind(now)
                .bind(day)
                .bind(now)
        };
    }
    match db {
        Db::Sqlite(_) => {
            // Exactly like the server: BEGIN IMMEDIATE on the single writer, one commit per row.
            let mut tx = db.begin().await?;
            mita::on_tx!(&mut tx, conn => bound!().execute(&mut *conn).await.map(|_| ()))?;
            tx.commit().await?;
        }
        Db::Postgres(pool) => {
            bound!().execute(pool).await.map(|_| ())?;
        }
    }
    Ok(())
}

/// Runs `insert-ceiling`.
pub async fn insert(args: &InsertArgs) -> anyhow::Result<()> {
    let synchronous = match args.synchronous.to_lowercase().as_str() {
        "normal" => Synchronous::Normal,
        _ => Synchronous::Full,
    };
    let settings = DatabaseSettings {
        url: args.database_url.clone().into(),
        synchronous,
        ..DatabaseSettings::default()
    };
    // Setting up (migrations take a lock on one connection and read on another) uses a pool;
    // the measurement uses a single connection.
    let setup = Db::connect(&settings).await.context("connecting")?;
    setup.migrate().await.context("migrating")?;
    let clock = Clock::system();
    let email = format!("ceiling-{}@example.com", clock.now_ms());
    let user = mita::users::insert(
        &setup,
        &clock,
        NewUser {
            email: Some(Email::parse(&email, "email")?),
            // Never logs in; the schema only requires some credential.
            password_hash: Some("bench-ceiling-no-login".into()),
            role: "basic_user".into(),
            country: "US".into(),
            timezone: "UTC".into(),
            ..NewUser::default()
        },
    )
    .await?;
    setup.close().await;
    let db = Db::connect(&DatabaseSettings {
        max_connections: 1,
        ..settings
    })
    .await
    .context("connecting")?;
    let mode = durability(&db, synchronous).await?;

    let mut latencies = Vec::new();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.seconds);
    while Instant::now() < deadline {
        let t = Instant::now();
        insert_one(&db, user, clock.now_ms()).await?;
        latencies.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let seconds = started.elapsed().as_secs_f64();
    let n = latencies.len();
    latencies.sort_by(f64::total_cmp);
    let rate = n as f64 / seconds;
    eprintln!("insert-ceiling: {n} inserts in {seconds:.1}s = {rate:.0}/s ({mode})");
    let backend = db.backend();
    db.close().await;
    crate::write_json(
        &args.out,
        &json!({
            "backend": match backend { Backend::Sqlite => "sqlite", Backend::Postgres => "postgres" },
            "durability": mode, "connections": 1, "inserts": n, "seconds": seconds, "rate": rate,
            "p50_ms": crate::percentile(&latencies, 50.0), "p99_ms": crate::percentile(&latencies, 99.0),
        }),
    )
}

/// Runs `argon2-ceiling` (plain threads: hashing is CPU-bound).
pub fn argon2(args: &Argon2Args) -> anyhow::Result<()> {
    let auth = AuthSettings::default();
    let params = Params::new(
        auth.argon2_memory_kib,
        auth.argon2_iterations,
        auth.argon2_parallelism,
        None,
    )
    .map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let started = Instant::now();
    let per_thread: Vec<anyhow::Result<Vec<f64>>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..args.threads.max(1))
            .map(|_| {
                let (params, reuse) = (params.clone(), args.reuse_memory);
                s.spawn(move || -> anyhow::Result<Vec<f64>> {
                    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
                    let mut times = Vec::new();
                    let mut out = [0u8; 32];
                    let mut blocks =
                        vec![Block::default(); if reuse { params.block_count() } else { 0 }];
                    while Instant::now() < deadline {
                        let salt: [u8; 16] = rand::random();
                        let t = Instant::now();
                        let pwd = b"Bench-Passw0rd";
                        if reuse {
                            argon.hash_password_into_with_memory(pwd, &salt, &mut out, &mut blocks)
                        } else {
                            argon.hash_password_into(pwd, &salt, &mut out)
                        }
                        .map_err(|e| anyhow::anyhow!("argon2: {e}"))?;
                        times.push(t.elapsed().as_secs_f64() * 1e3);
                    }
                    Ok(times)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("hash thread panicked")))
            })
            .collect()
    });
    let seconds = started.elapsed().as_secs_f64();
    let mut times = Vec::new();
    for t in per_thread {
        times.extend(t?);
    }
    times.sort_by(f64::total_cmp);
    let rate = times.len() as f64 / seconds;
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    eprintln!(
        "argon2-ceiling: {} hashes on {} threads ({cpus} CPUs allowed) in {seconds:.1}s = {rate:.1}/s",
        times.len(),
        args.threads
    );
    crate::write_json(
        &args.out,
        &json!({
            "threads": args.threads, "cpus_allowed": cpus, "reuse_memory": args.reuse_memory, "hashes": times.len(), "seconds": seconds,
            "rate": rate, "per_hash_p50_ms": crate::percentile(&times, 50.0),
            "params": {"algorithm": "argon2id", "m_kib": auth.argon2_memory_kib,
                       "t": auth.argon2_iterations, "p": auth.argon2_parallelism},
        }),
    )
}
