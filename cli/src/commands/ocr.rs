//! `mita ocr ...`: the receipt OCR queue. Thin adapters over `mita::ocr::OcrService`, the same
//! service as `/api/ocr/*` and `/api/admin/ocr/jobs`; this module holds what the commands share.

mod list;
mod replay;

use std::io::IsTerminal as _;
use std::process::ExitCode;

use comfy_table::Table;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mita::id::Id;
use mita::services::Services;

pub(crate) use super::support::{confirm, print_json};
use crate::cli::{GlobalArgs, OcrCmd};
use crate::exit::{self};

pub async fn run(global: &GlobalArgs, cmd: &OcrCmd) -> anyhow::Result<ExitCode> {
    let services = super::open_services(global).await?;
    let result = match cmd {
        OcrCmd::List(args) => list::run(&services, args).await,
        OcrCmd::Replay(args) => replay::run(&services, args).await,
    };
    // The audit writer runs in the background: flush it before the process ends.
    services.shutdown().await;
    services.db.close().await;
    result
}

/// The id of the user with this email; a missing one exits 3.
async fn user_id(services: &Services, email: &str) -> anyhow::Result<Id> {
    match services.auth.user_by_email(email).await {
        Ok(user) => Ok(user.id),
        Err(mita::Error::NotFound(_)) => {
            Err(exit::not_found(format!("no user with email {email}")))
        }
        Err(e) => Err(e.into()),
    }
}

/// `--since` resolved against the clock.
fn since_ms(services: &Services, since: Option<&str>) -> anyhow::Result<Option<i64>> {
    since
        .map(|s| mita::audit::parse_since(s, services.clock.now_ms()))
        .transpose()
        .map_err(anyhow::Error::new)
}

/// A progress bar on a terminal (stderr), hidden otherwise or when the output is JSON.
fn progress(len: usize, json: bool, message: &'static str) -> ProgressBar {
    let bar = ProgressBar::new(len as u64);
    if json || !std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    if let Ok(style) = ProgressStyle::with_template("{msg:>10} [{bar:30}] {pos}/{len} {elapsed}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(message);
    bar
}

fn new_table() -> Table {
    let mut t = Table::new();
    t.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
    t
}
