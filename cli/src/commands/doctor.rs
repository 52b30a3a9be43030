//! `mita doctor`: the installation's checks as a table (or JSON); exit 1 when one fails.

use std::process::ExitCode;

use comfy_table::Table;
use mita::doctor::{self, Check, Status};

use crate::cli::{DoctorArgs, GlobalArgs};
use crate::exit;
use crate::outln;

pub async fn run(global: &GlobalArgs, args: &DoctorArgs) -> anyhow::Result<ExitCode> {
    let checks = match super::load_settings(global, Default::default()) {
        Ok(settings) => doctor::run(&settings).await,
        // Nothing else can be checked without a configuration.
        Err(e) => vec![Check {
            check: "configuration",
            status: Status::Fail,
            detail: format!("{e:#}"),
        }],
    };
    if args.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "passed": doctor::passed(&checks),
                "checks": checks,
            }))?
        );
    } else {
        let mut t = Table::new();
        t.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
        t.set_header(["check", "status", "detail"]);
        for c in &checks {
            let status = match c.status {
                Status::Ok => "ok",
                Status::Warn => "warn",
                Status::Fail => "FAIL",
            };
            t.add_row([c.check, status, &c.detail]);
        }
        outln!("{t}");
    }
    Ok(ExitCode::from(if doctor::passed(&checks) {
        exit::OK
    } else {
        exit::ERROR
    }))
}
