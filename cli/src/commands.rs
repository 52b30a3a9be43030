//! One module per subcommand, each with a `run` function.

pub mod completions;
pub mod config;
pub mod metrics;
pub mod migrate;
pub mod serve;

use mita::config::{LogFormat, Overrides, Settings};

use crate::cli::{GlobalArgs, LogFormatArg};

/// Loads the settings with the global flags (and any command-specific overrides) applied last.
pub fn load_settings(global: &GlobalArgs, mut overrides: Overrides) -> anyhow::Result<Settings> {
    if overrides.database_url.is_none() {
        overrides.database_url = global.database_url.clone();
    }
    if let Some(f) = global.log_format {
        overrides.log_format = Some(match f {
            LogFormatArg::Pretty => LogFormat::Pretty,
            LogFormatArg::Json => LogFormat::Json,
        });
    }
    Ok(Settings::load(global.config.as_deref(), &overrides)?)
}
