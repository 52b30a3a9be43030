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
use serde::Serialize;

use crate::cli::{Confirm, GlobalArgs, OcrCmd};
use crate::exit::{self, Exit};
use crate::outln;

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

/// Proceeds with `--yes`, asks on a terminal, and refuses (exit 1) otherwise.
async fn confirm(prompt: String, confirm: &Confirm) -> anyhow::Result<()> {
    if confirm.yes {
        return Ok(());
    }
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(Exit {
            code: exit::ERROR,
            message: "refusing to replay without confirmation: stdin is not a terminal; pass \
                      --yes (or --dry-run to only look)"
                .into(),
        }
        .into());
    }
    // A plain thread: on Ctrl-C the prompt is abandoned mid-read, and the runtime would wait for
    // a blocking task forever.
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let _ = tx.send(
            dialoguer::Confirm::new()
                .with_prompt(prompt)
                .default(false)
                .interact(),
        );
    });
    let answer = tokio::select! {
        answer = rx => answer?,
        _ = tokio::signal::ctrl_c() => {
            eprintln!("\x1b[?25h");
            return Err(Exit { code: exit::INTERRUPTED, message: "interrupted: nothing changed".into() }.into());
        }
    };
    match answer {
        Ok(true) => Ok(()),
        Ok(false) => Err(Exit {
            code: exit::ERROR,
            message: "aborted: nothing changed".into(),
        }
        .into()),
        Err(e) => Err(anyhow::Error::new(e).context("cannot read the confirmation")),
    }
}

/// Prints one JSON document on stdout.
fn print_json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    outln!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

fn new_table() -> Table {
    let mut t = Table::new();
    t.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
    t
}
