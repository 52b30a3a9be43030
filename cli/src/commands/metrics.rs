//! `mita metrics`: a running server's metrics at a glance.

use std::process::ExitCode;

use crate::cli::MetricsArgs;

pub async fn run(_args: &MetricsArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not implemented yet")
}
