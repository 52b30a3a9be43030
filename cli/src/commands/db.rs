//! `mita db backup|verify`: the backup module of the core, with a spinner on a terminal.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use comfy_table::Table;
use indicatif::{ProgressBar, ProgressDrawTarget};
use mita::db::backup;

use crate::cli::{DbCmd, GlobalArgs};
use crate::exit;
use crate::outln;

/// A spinner on a terminal (stderr), hidden otherwise or when the output is JSON.
fn spinner(json: bool, message: &'static str) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    if json || !std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar.set_message(message);
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

pub async fn run(global: &GlobalArgs, cmd: &DbCmd) -> anyhow::Result<ExitCode> {
    let settings = super::load_settings(global, Default::default())?;
    match cmd {
        DbCmd::Backup { file, json } => {
            let bar = spinner(*json, "backing up");
            let manifest = backup::backup(&settings.database, file).await;
            bar.finish_and_clear();
            let manifest = manifest?;
            if *json {
                outln!("{}", serde_json::to_string_pretty(&manifest)?);
            } else {
                let rows: i64 = manifest.tables.values().sum();
                outln!(
                    "backup written: {} ({} bytes, {} tables, {rows} rows, schema {}); manifest {}",
                    file.display(),
                    manifest.bytes,
                    manifest.tables.len(),
                    manifest.schema_version,
                    backup::manifest_path(file).display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        DbCmd::Verify { file, json } => {
            let bar = spinner(*json, "verifying");
            let found = backup::verify(&settings.database, file).await;
            bar.finish_and_clear();
            let found = found?;
            if *json {
                outln!("{}", serde_json::to_string_pretty(&found)?);
            } else {
                let mut t = Table::new();
                t.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
                t.set_header(["backup", "backend", "schema", "tables", "rows", "verdict"]);
                t.add_row([
                    file.display().to_string(),
                    found.backend.clone(),
                    found.schema_version.to_string(),
                    found.tables.to_string(),
                    found.rows.to_string(),
                    if found.ok {
                        "ok".into()
                    } else {
                        "MISMATCH".into()
                    },
                ]);
                outln!("{t}");
                for p in &found.problems {
                    outln!("- {p}");
                }
            }
            Ok(ExitCode::from(if found.ok {
                exit::OK
            } else {
                exit::ERROR
            }))
        }
    }
}
