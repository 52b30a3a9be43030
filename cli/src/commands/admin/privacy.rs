//! `mita admin user export` and `mita admin user delete`: a data subject's access and erasure
//! requests, over the same core functions as `GET /api/users/me/export` and the app's
//! delete-account call (`mita::privacy`).

use std::collections::BTreeMap;
use std::io::Write as _;
use std::process::ExitCode;

use anyhow::Context as _;
use mita::services::Services;
use serde::Serialize;

use super::{confirm, find_user, meta, new_table, print_json, service_error};
use crate::cli::{UserDeleteArgs, UserExportArgs};
use crate::outln;

/// Rows per table as a two-column table (tables with no rows left out).
fn rows_table(rows: &BTreeMap<String, i64>) -> comfy_table::Table {
    let mut t = new_table();
    t.set_header(["table", "rows"]);
    for (name, n) in rows.iter().filter(|(_, n)| **n > 0) {
        t.add_row([name.clone(), n.to_string()]);
    }
    t
}

/// The summary printed after an export to a file.
#[derive(Serialize)]
struct ExportSummary<'a> {
    email: &'a str,
    user_id: String,
    file: String,
    bytes: usize,
    rows: BTreeMap<String, i64>,
}

/// `mita admin user export <email> [--output FILE]`.
pub async fn export(services: &Services, args: &UserExportArgs) -> anyhow::Result<ExitCode> {
    let user = find_user(services, &args.email).await?;
    let export = services
        .export_account(user.id)
        .await
        .map_err(service_error)?;
    let text = serde_json::to_string_pretty(&export)?;
    let Some(path) = &args.output else {
        outln!("{text}");
        return Ok(ExitCode::SUCCESS);
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.write_all(b"\n"))
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    let rows = export
        .tables
        .iter()
        .map(|(name, rows)| (name.clone(), rows.len() as i64))
        .collect();
    let summary = ExportSummary {
        email: &user.email,
        user_id: user.id.to_string(),
        file: path.display().to_string(),
        bytes: text.len() + 1,
        rows,
    };
    if args.json {
        print_json(&summary)?;
    } else {
        outln!(
            "Exported {} to {} ({} bytes):",
            user.email,
            summary.file,
            summary.bytes
        );
        outln!("{}", rows_table(&summary.rows));
    }
    Ok(ExitCode::SUCCESS)
}

/// The `--json` answer of `user delete`.
#[derive(Serialize)]
struct DeleteReport<'a> {
    email: &'a str,
    user_id: String,
    /// `erased` or `would_erase` (dry run).
    result: &'static str,
    /// The id the user's audit events carry from now on (absent in a dry run).
    pseudonym: Option<String>,
    rows: &'a BTreeMap<String, i64>,
    audit_events: i64,
    dry_run: bool,
}

/// `mita admin user delete <email>`.
pub async fn delete(services: &Services, args: &UserDeleteArgs) -> anyhow::Result<ExitCode> {
    let user = find_user(services, &args.email).await?;
    let meta = meta();
    let preview = services
        .erase_account(user.id, &meta, true)
        .await
        .map_err(service_error)?;
    if args.confirm.dry_run {
        if args.output.json {
            print_json(&DeleteReport {
                email: &user.email,
                user_id: user.id.to_string(),
                result: "would_erase",
                pseudonym: None,
                rows: &preview.rows,
                audit_events: preview.audit_events,
                dry_run: true,
            })?;
        } else {
            outln!(
                "Dry run: would erase {} ({} rows; {} audit events kept under a pseudonym); nothing changed.",
                user.email,
                preview.rows.values().sum::<i64>(),
                preview.audit_events
            );
            outln!("{}", rows_table(&preview.rows));
        }
        return Ok(ExitCode::SUCCESS);
    }
    if !args.output.json {
        outln!("{}", rows_table(&preview.rows));
    }
    confirm(
        format!(
            "Erase {} and all their data ({} rows)? This cannot be undone.",
            user.email,
            preview.rows.values().sum::<i64>()
        ),
        &args.confirm,
        "erase the account",
    )
    .await?;
    let erasure = services
        .erase_account(user.id, &meta, false)
        .await
        .map_err(service_error)?;
    let pseudonym = erasure.pseudonym.map(|p| p.to_string());
    if args.output.json {
        print_json(&DeleteReport {
            email: &user.email,
            user_id: user.id.to_string(),
            result: "erased",
            pseudonym,
            rows: &erasure.rows,
            audit_events: erasure.audit_events,
            dry_run: false,
        })?;
    } else {
        outln!(
            "Erased {}: {} rows removed; {} audit events kept under pseudonym {}.",
            user.email,
            erasure.rows.values().sum::<i64>(),
            erasure.audit_events,
            pseudonym.unwrap_or_default()
        );
    }
    Ok(ExitCode::SUCCESS)
}
