//! `mita import FILE --user EMAIL`: the service behind `POST /api/import` and its commit
//! (`mita::import`), without HTTP. `--dry-run` previews without storing anything.

use std::io::IsTerminal as _;
use std::process::ExitCode;

use anyhow::Context;
use comfy_table::Table;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mita::import::{self, Mapping};
use serde_json::json;

use super::admin::{find_user, service_error};
use crate::cli::{GlobalArgs, ImportArgs};
use crate::exit;
use crate::outln;

/// The mapping: the JSON file's, with the flags given on top.
fn mapping(args: &ImportArgs) -> anyhow::Result<Mapping> {
    let mut m: Mapping = match &args.mapping {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            serde_json::from_str(&text)
                .with_context(|| format!("{} is not a mapping", path.display()))?
        }
        None => Mapping::default(),
    };
    let set = |slot: &mut Option<String>, v: &Option<String>| {
        if v.is_some() {
            slot.clone_from(v);
        }
    };
    set(&mut m.format, &args.format);
    set(&mut m.amount, &args.amount);
    set(&mut m.debit, &args.debit);
    set(&mut m.credit, &args.credit);
    set(&mut m.currency, &args.currency);
    set(&mut m.id, &args.id);
    set(&mut m.date_format, &args.date_format);
    set(&mut m.decimal, &args.decimal);
    set(&mut m.delimiter, &args.delimiter);
    set(&mut m.encoding, &args.encoding);
    set(&mut m.account, &args.account);
    if let Some(d) = &args.date {
        m.date.clone_from(d);
    }
    if let Some(p) = &args.payee {
        m.payee.clone_from(p);
    }
    m.spends_positive |= args.spends_positive;
    Ok(m)
}

pub async fn run(global: &GlobalArgs, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let map = mapping(args)?;
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let services = super::open_services(global).await?;
    let result = run_with(&services, args, &map, &bytes).await;
    services.shutdown().await;
    services.db.close().await;
    result
}

async fn run_with(
    services: &mita::services::Services,
    args: &ImportArgs,
    map: &Mapping,
    bytes: &[u8],
) -> anyhow::Result<ExitCode> {
    let user = find_user(services, &args.user).await?;
    let tz = mita::time::tz(&user.timezone);
    let (db, clock) = (&services.db, &services.clock);
    if args.dry_run {
        let p = import::prepare(db, clock, user.id, tz, bytes, map)
            .await
            .map_err(service_error)?;
        if args.json {
            super::support::print_json(&json!({"dry_run": true, "preview": p}))?;
        } else {
            let mut rows = new_table();
            rows.set_header([
                "line",
                "date",
                "amount",
                "currency",
                "payee",
                "category",
                "duplicate",
            ]);
            for r in &p.rows {
                rows.add_row([
                    r.line.to_string(),
                    r.date.to_string(),
                    r.amount.to_string(),
                    r.currency.clone(),
                    r.payee.clone(),
                    r.category.clone(),
                    if r.duplicate { "yes" } else { "" }.to_string(),
                ]);
            }
            outln!("{rows}");
            for r in &p.rejected {
                outln!("rejected line {}: {}", r.line, r.reason);
            }
            outln!("{}", summary(&p, None));
            outln!("dry run: nothing was written");
        }
        return Ok(ExitCode::from(if p.new_rows == 0 {
            exit::NOTHING_TO_DO
        } else {
            exit::OK
        }));
    }
    let name = args.file.file_name().and_then(|n| n.to_str());
    let preview = import::preview(db, clock, user.id, tz, name, bytes, map)
        .await
        .map_err(service_error)?;
    let bar = ProgressBar::new(preview.prepared.new_rows as u64);
    if args.json || !std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    if let Ok(style) = ProgressStyle::with_template("importing [{bar:30}] {pos}/{len} {elapsed}") {
        bar.set_style(style.progress_chars("=> "));
    }
    let tick = bar.clone();
    let done = import::commit_with_progress(
        db,
        clock,
        &services.metrics,
        user.id,
        tz,
        preview.import_id,
        &move |n, _| tick.set_position(n as u64),
    )
    .await
    .map_err(service_error)?;
    bar.finish_and_clear();
    if args.json {
        super::support::print_json(&json!({"preview": preview, "commit": done}))?;
    } else {
        for r in &preview.prepared.rejected {
            outln!("rejected line {}: {}", r.line, r.reason);
        }
        outln!("{}", summary(&preview.prepared, Some(&done)));
    }
    Ok(ExitCode::from(if done.inserted == 0 {
        exit::NOTHING_TO_DO
    } else {
        exit::OK
    }))
}

fn new_table() -> Table {
    let mut t = Table::new();
    t.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
    t
}

fn summary(p: &import::Prepared, done: Option<&import::Committed>) -> Table {
    let mut t = new_table();
    t.add_row(["format", p.format]);
    t.add_row(["encoding", p.encoding]);
    t.add_row(["rows parsed", &p.rows_parsed.to_string()]);
    t.add_row(["new rows", &p.new_rows.to_string()]);
    t.add_row(["duplicates", &p.duplicates.to_string()]);
    t.add_row(["rejected", &p.rejected.len().to_string()]);
    if let Some(d) = done {
        t.add_row(["inserted", &d.inserted.to_string()]);
        t.add_row(["days affected", &d.days_affected.to_string()]);
    }
    t
}
