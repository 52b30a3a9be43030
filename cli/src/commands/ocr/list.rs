//! `mita ocr list`: OCR jobs, newest first, as a table or JSON.

use std::process::ExitCode;

use mita::ocr::JobFilter;
use mita::services::Services;

use super::{new_table, print_json, since_ms, user_id};
use crate::cli::OcrListArgs;
use crate::outln;

pub async fn run(services: &Services, args: &OcrListArgs) -> anyhow::Result<ExitCode> {
    let user = match &args.user {
        Some(email) => Some(user_id(services, email).await?),
        None => None,
    };
    let filter = JobFilter {
        status: args.status.map(|s| s.status()),
        user_id: user,
        since_ms: since_ms(services, args.since.as_deref())?,
        error_reason: args.error_reason.clone(),
        limit: args.limit,
    };
    let jobs = services.ocr.list(&filter).await?;
    if args.output.json {
        print_json(&jobs)?;
        return Ok(ExitCode::SUCCESS);
    }
    if jobs.is_empty() {
        outln!("No OCR jobs match.");
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = new_table();
    t.set_header([
        "id", "created", "status", "engine", "attempts", "replays", "reason", "image",
    ]);
    for j in &jobs {
        t.add_row([
            j.id.to_string(),
            j.created_at.clone(),
            j.status.to_string(),
            j.engine.clone().unwrap_or_default(),
            format!("{}/{}", j.attempts, j.max_attempts),
            j.replay_count.to_string(),
            j.error_reason.clone().unwrap_or_default(),
            if j.image_kept { "kept" } else { "removed" }.to_string(),
        ]);
    }
    outln!("{t}");
    Ok(ExitCode::SUCCESS)
}
