//! `mita migrate [--dry-run] [--json]` and `mita migrate status [--json]`.

use std::process::ExitCode;

use comfy_table::Table;
use mita::db::Db;
use mita::db::migrate::{MigrationInfo, MigrationState};

use crate::cli::{GlobalArgs, MigrateArgs, MigrateCmd};
use crate::outln;

pub async fn run(global: &GlobalArgs, args: &MigrateArgs) -> anyhow::Result<ExitCode> {
    let settings = super::load_settings(global, Default::default())?;
    crate::logging::init(&settings);
    let db = Db::connect(&settings.database).await?;
    let result = run_on(&db, args).await;
    db.close().await;
    result
}

async fn run_on(db: &Db, args: &MigrateArgs) -> anyhow::Result<ExitCode> {
    if let Some(MigrateCmd::Status { json }) = &args.command {
        let status = db.migration_status().await?;
        if *json || args.json {
            outln!("{}", serde_json::to_string_pretty(&status)?);
        } else {
            outln!("{}", table(&status));
        }
        return Ok(ExitCode::SUCCESS);
    }
    if args.dry_run {
        let pending: Vec<MigrationInfo> = db
            .migration_status()
            .await?
            .into_iter()
            .filter(|m| m.state == MigrationState::Pending)
            .collect();
        if args.json {
            outln!(
                "{}",
                serde_json::to_string_pretty(
                    &serde_json::json!({"dry_run": true, "would_apply": pending})
                )?
            );
        } else if pending.is_empty() {
            outln!("Nothing to do: the database is up to date.");
        } else {
            for m in &pending {
                outln!("would apply {} {}", m.version, m.description);
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let applied = db.migrate().await?;
    if args.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({"applied": applied}))?
        );
    } else if applied.is_empty() {
        outln!("Nothing to do: the database is up to date.");
    } else {
        for m in &applied {
            outln!("applied {} {}", m.version, m.description);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn table(status: &[MigrationInfo]) -> Table {
    let mut t = Table::new();
    t.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
    t.set_header(["version", "description", "state"]);
    for m in status {
        let state = match m.state {
            MigrationState::Applied => "applied",
            MigrationState::Pending => "pending",
            MigrationState::Modified => "MODIFIED (file changed after it was applied)",
        };
        t.add_row([
            m.version.to_string(),
            m.description.clone(),
            state.to_string(),
        ]);
    }
    t
}
