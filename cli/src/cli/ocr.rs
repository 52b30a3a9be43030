//! The clap types of `mita ocr` (kept beside `cli.rs` so that file stays short).

use clap::{Args, Subcommand, ValueEnum};

use super::{Confirm, OutputArgs};

/// The `mita ocr` subcommands (the group's help text is on `Command::Ocr`).
#[derive(Debug, Subcommand)]
pub enum OcrCmd {
    /// List OCR jobs, newest first.
    List(OcrListArgs),
    /// Put failed OCR jobs back in the queue; the running server's workers process them again.
    ///
    /// Choose jobs by id, or --all-failed (narrowed by --since, --user, --error-reason,
    /// --limit). Each job keeps its history and attempt count; jobs that are not failed, or whose
    /// image is no longer kept, are skipped and listed with the reason. Asks for confirmation on
    /// a terminal (--yes otherwise). With --wait, follows the jobs until they finish.
    ///
    /// Exit codes: 0 replayed, 1 error (or refused without --yes, or with --wait a job failed
    /// again or did not finish in time), 3 no such job or user, 4 nothing to replay.
    Replay(OcrReplayArgs),
}

/// A job status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum JobStatusArg {
    /// Waiting for a worker.
    Pending,
    /// Leased by a worker.
    Processing,
    /// Read and parsed.
    Completed,
    /// Given up (replayable while the image is kept).
    Failed,
}

impl JobStatusArg {
    /// The service's status.
    pub fn status(self) -> mita::ocr::JobStatus {
        match self {
            JobStatusArg::Pending => mita::ocr::JobStatus::Pending,
            JobStatusArg::Processing => mita::ocr::JobStatus::Processing,
            JobStatusArg::Completed => mita::ocr::JobStatus::Completed,
            JobStatusArg::Failed => mita::ocr::JobStatus::Failed,
        }
    }
}

/// Arguments of `mita ocr list`.
#[derive(Debug, Args)]
pub struct OcrListArgs {
    /// Only jobs in this state.
    #[arg(long, value_enum)]
    pub status: Option<JobStatusArg>,
    /// Only jobs created since a duration ago (30m, 24h, 7d) or an RFC 3339 instant.
    #[arg(long, value_name = "WHEN", value_parser = since_value)]
    pub since: Option<String>,
    /// Only jobs of this user.
    #[arg(long, value_name = "EMAIL")]
    pub user: Option<String>,
    /// Only jobs that failed for this reason (circuit_open, engine_error, timeout, no_text...).
    #[arg(long, value_name = "REASON")]
    pub error_reason: Option<String>,
    /// Most jobs to show (1-1000).
    #[arg(long, value_name = "N", default_value_t = mita::ocr::DEFAULT_LIST_LIMIT,
        value_parser = clap::value_parser!(i64).range(1..=mita::ocr::MAX_LIST_LIMIT))]
    pub limit: i64,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Arguments of `mita ocr replay`.
#[derive(Debug, Args)]
#[command(group(
    clap::ArgGroup::new("selection")
        .required(true)
        .multiple(true)
        .args(["job_ids", "all_failed"])
))]
pub struct OcrReplayArgs {
    /// Ids of the failed jobs to replay.
    #[arg(value_name = "JOB_ID", value_parser = job_id)]
    pub job_ids: Vec<mita::id::Id>,
    /// Replay every failed job (narrowed by --since, --user, --error-reason, --limit).
    #[arg(long)]
    pub all_failed: bool,
    /// With --all-failed: only jobs created since a duration ago (24h, 7d) or an RFC 3339 instant.
    #[arg(long, value_name = "WHEN", value_parser = since_value, requires = "all_failed")]
    pub since: Option<String>,
    /// With --all-failed: only jobs of this user.
    #[arg(long, value_name = "EMAIL", requires = "all_failed")]
    pub user: Option<String>,
    /// With --all-failed: only jobs that failed for this reason (e.g. circuit_open).
    #[arg(long, value_name = "REASON", requires = "all_failed")]
    pub error_reason: Option<String>,
    /// With --all-failed: most jobs to replay (1-1000).
    #[arg(long, value_name = "N", default_value_t = mita::ocr::DEFAULT_LIST_LIMIT,
        value_parser = clap::value_parser!(i64).range(1..=mita::ocr::MAX_LIST_LIMIT))]
    pub limit: i64,
    /// Why the jobs are replayed (stored with each job and in the audit event).
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Follow the replayed jobs until they finish (or --timeout); exit 1 if any fails again.
    #[arg(long)]
    pub wait: bool,
    /// Seconds --wait follows the jobs.
    #[arg(long, value_name = "SECS", default_value_t = 300, requires = "wait")]
    pub timeout: u64,
    #[command(flatten)]
    pub confirm: Confirm,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Checks a `--since` value at parse time (a typo is a usage error, exit 2).
fn since_value(raw: &str) -> Result<String, String> {
    mita::audit::parse_since(raw, 0)
        .map(|_| raw.to_string())
        .map_err(|_| "expected a duration such as 30m, 24h or 7d, or an RFC 3339 timestamp".into())
}

fn job_id(raw: &str) -> Result<mita::id::Id, String> {
    raw.trim()
        .parse()
        .map_err(|_| "expected a job id (a UUID)".to_string())
}
