//! `mita-bench`: the Rust half of the load benchmark (`bench/run.sh` is the other half).
//!
//! `run.sh` drives the HTTP scenarios with `wrk`/`oha`; this binary does what those tools cannot:
//! seeding users through the API, the 200-concurrent-login burst (P3, counting 503 shedding
//! separately), the two raw ceilings (single-writer inserts, argon2 hashes/s), the cost of sqlx's
//! SQLite hand-offs alone, and the report that merges every measurement into one table and one
//! JSON document.

mod burst;
mod ceiling;
mod handoff;
mod report;
mod seed;

use std::path::Path;

use anyhow::Context;
use clap::{Parser, Subcommand};

/// Load benchmark helpers for mita (see `bench/run.sh`).
#[derive(Parser, Debug)]
#[command(name = "mita-bench", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Registers users, onboards them and posts transactions spread over the current month.
    Seed(seed::SeedArgs),
    /// P3: N concurrent logins with correct passwords, repeated for a few rounds.
    LoginBurst(burst::BurstArgs),
    /// Raw single-writer insert rate of the `transactions` row shape (one commit per insert).
    InsertCeiling(ceiling::InsertArgs),
    /// Raw argon2id hashes per second with the server's default parameters.
    Argon2Ceiling(ceiling::Argon2Args),
    /// CPU per write transaction through sqlx's SQLite worker thread against rusqlite on the
    /// calling thread: the cost of the hand-offs, alone.
    SqliteHandoff(handoff::HandoffArgs),
    /// Merges the measurements of one or more result directories into a table and JSON.
    Report(report::ReportArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Argon2Ceiling(args) => ceiling::argon2(&args),
        Command::Report(args) => report::run(&args),
        command => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .context("starting the tokio runtime")?;
            runtime.block_on(async move {
                match command {
                    Command::Seed(args) => seed::run(&args).await,
                    Command::LoginBurst(args) => burst::run(&args).await,
                    Command::InsertCeiling(args) => ceiling::insert(&args).await,
                    Command::SqliteHandoff(args) => handoff::run(&args).await,
                    Command::Argon2Ceiling(_) | Command::Report(_) => Ok(()),
                }
            })
        }
    }
}

/// Writes `value` as pretty JSON to `path` (creating parent directories).
pub fn write_json(path: &Path, value: &serde_json::Value) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let text = serde_json::to_string_pretty(value)?;
    std::fs::write(path, text + "\n").with_context(|| format!("writing {}", path.display()))
}

/// Reads a JSON file.
pub fn read_json(path: &Path) -> anyhow::Result<serde_json::Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

/// The `p`-th percentile (0–100) of sorted samples, nearest-rank; 0 for no samples.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn percentiles_use_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), 50.0);
        assert_eq!(percentile(&v, 99.0), 99.0);
        assert_eq!(percentile(&v, 100.0), 100.0);
        assert_eq!(percentile(&[], 50.0), 0.0);
        assert_eq!(percentile(&[7.0], 99.0), 7.0);
    }
}
