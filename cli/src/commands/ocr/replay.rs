//! `mita ocr replay`: choose failed jobs, confirm, move them back to pending (progress bar on a
//! terminal), record one audit event, optionally follow them to the end, and summarise.

use std::process::ExitCode;
use std::time::Duration;

use mita::audit::cli_actor;
use mita::id::Id;
use mita::ocr::ReplaySelection;
use mita::services::Services;
use serde::Serialize;

use super::{confirm, new_table, print_json, progress, since_ms, user_id};
use crate::cli::OcrReplayArgs;
use crate::exit::{self, Exit};
use crate::outln;

/// How often `--wait` looks at the jobs.
const POLL: Duration = Duration::from_millis(500);

/// One job of the summary.
#[derive(Serialize)]
struct Row {
    job_id: Id,
    user_id: Option<Id>,
    /// Why it failed before the replay.
    previous_reason: Option<String>,
    attempts: i32,
    /// `replayed`, `would_replay` (dry run) or `skipped`.
    result: &'static str,
    /// Why it was skipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped_because: Option<String>,
    /// With `--wait`: the status it reached (`completed`, `failed`, or `pending`/`processing`
    /// when the wait ran out).
    #[serde(skip_serializing_if = "Option::is_none")]
    final_status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    final_error_reason: Option<String>,
}

/// The `--json` answer.
#[derive(Serialize)]
struct Report<'a> {
    dry_run: bool,
    replayed: usize,
    skipped: usize,
    reason: Option<&'a str>,
    /// With `--wait`: jobs that failed again, and jobs that had not finished when it gave up.
    #[serde(skip_serializing_if = "Option::is_none")]
    failed_again: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unfinished: Option<usize>,
    jobs: &'a [Row],
}

pub async fn run(services: &Services, args: &OcrReplayArgs) -> anyhow::Result<ExitCode> {
    let reason = args
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    let user = match &args.user {
        Some(email) => Some(user_id(services, email).await?),
        None => None,
    };
    let selection = ReplaySelection {
        job_ids: args.job_ids.clone(),
        all_failed: args.all_failed,
        user_id: user,
        since_ms: since_ms(services, args.since.as_deref())?,
        error_reason: args.error_reason.clone(),
        limit: args.limit,
    };
    let candidates = services.ocr.replay_candidates(&selection).await?;
    let mut rows: Vec<Row> = candidates
        .iter()
        .map(|c| Row {
            job_id: c.job_id,
            user_id: c.user_id,
            previous_reason: c.error_reason.clone(),
            attempts: c.attempts,
            result: if c.skip.is_some() {
                "skipped"
            } else {
                "would_replay"
            },
            skipped_because: c.skip.clone(),
            final_status: None,
            final_error_reason: None,
        })
        .collect();
    let todo: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].result != "skipped")
        .collect();
    let json = args.output.json;

    if todo.is_empty() {
        print(&rows, args.confirm.dry_run, reason, json, None)?;
        let all_missing = !rows.is_empty()
            && rows
                .iter()
                .all(|r| r.skipped_because.as_deref() == Some("no such job"));
        let message = if rows.is_empty() {
            "no failed jobs match"
        } else {
            "no job can be replayed"
        };
        return Err(Exit {
            code: if all_missing {
                exit::NOT_FOUND
            } else {
                exit::NOTHING_TO_DO
            },
            message: if json {
                String::new()
            } else {
                format!("Nothing to do: {message}.")
            },
        }
        .into());
    }
    if args.confirm.dry_run {
        print(&rows, true, reason, json, None)?;
        return Ok(ExitCode::SUCCESS);
    }
    if !json && !args.confirm.yes {
        outln!("{}", table(&rows));
    }
    confirm(
        format!("Replay {} failed OCR job(s)?", todo.len()),
        &args.confirm,
        "replay",
    )
    .await?;

    let bar = progress(todo.len(), json, "replaying");
    let mut replayed = Vec::new();
    for &i in &todo {
        let row = &mut rows[i];
        if services.ocr.replay_job(row.job_id, reason).await? {
            row.result = "replayed";
            replayed.push(row.job_id);
        } else {
            row.result = "skipped";
            row.skipped_because = Some("it changed since it was listed".into());
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    let skipped = rows.len() - replayed.len();
    services
        .ocr
        .audit_replay(&cli_actor(), &replayed, skipped, reason);

    let mut outcome = None;
    if args.wait && !replayed.is_empty() {
        outcome = Some(follow(services, &mut rows, Duration::from_secs(args.timeout), json).await?);
    }
    print(&rows, false, reason, json, outcome)?;
    Ok(match outcome {
        Some((failed, unfinished)) if failed + unfinished > 0 => ExitCode::from(exit::ERROR),
        _ => ExitCode::SUCCESS,
    })
}

/// Polls the replayed jobs until each is completed or failed, or `timeout`; returns
/// (failed again, unfinished).
async fn follow(
    services: &Services,
    rows: &mut [Row],
    timeout: Duration,
    json: bool,
) -> anyhow::Result<(usize, usize)> {
    let mut waiting: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].result == "replayed")
        .collect();
    let bar = progress(waiting.len(), json, "finishing");
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let mut still = Vec::new();
        for i in waiting {
            let job = services.ocr.get(rows[i].job_id).await?;
            rows[i].final_status = Some(job.status.to_string());
            rows[i].final_error_reason = job
                .error_reason
                .filter(|_| job.status == mita::ocr::JobStatus::Failed);
            if job.status.is_terminal() {
                bar.inc(1);
            } else {
                still.push(i);
            }
        }
        waiting = still;
        if waiting.is_empty() || tokio::time::Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep(POLL).await;
    }
    bar.finish_and_clear();
    let failed = rows
        .iter()
        .filter(|r| r.final_status.as_deref() == Some("failed"))
        .count();
    Ok((failed, waiting.len()))
}

fn print(
    rows: &[Row],
    dry_run: bool,
    reason: Option<&str>,
    json: bool,
    waited: Option<(usize, usize)>,
) -> anyhow::Result<()> {
    let replayed = rows.iter().filter(|r| r.result != "skipped").count();
    let skipped = rows.len() - replayed;
    if json {
        return print_json(&Report {
            dry_run,
            replayed,
            skipped,
            reason,
            failed_again: waited.map(|w| w.0),
            unfinished: waited.map(|w| w.1),
            jobs: rows,
        });
    }
    if !rows.is_empty() {
        outln!("{}", table(rows));
    }
    let verb = if dry_run {
        "Dry run: would replay"
    } else {
        "Replayed"
    };
    outln!("{verb} {replayed}, skipped {skipped}.");
    if let Some((failed, unfinished)) = waited {
        outln!("After waiting: {failed} failed again, {unfinished} not finished.");
    }
    Ok(())
}

fn table(rows: &[Row]) -> comfy_table::Table {
    let mut t = new_table();
    t.set_header(["job", "user", "failed with", "attempts", "result", "detail"]);
    for r in rows {
        let detail = match (&r.skipped_because, &r.final_status) {
            (Some(why), _) => why.clone(),
            (None, Some(status)) => match &r.final_error_reason {
                Some(why) => format!("{status} ({why})"),
                None => status.clone(),
            },
            (None, None) => String::new(),
        };
        t.add_row([
            r.job_id.to_string(),
            r.user_id.map(|u| u.to_string()).unwrap_or_default(),
            r.previous_reason.clone().unwrap_or_default(),
            r.attempts.to_string(),
            r.result.to_string(),
            detail,
        ]);
    }
    t
}
