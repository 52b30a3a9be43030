//! `mita config show|example`.

use std::process::ExitCode;

use mita::config::EXAMPLE_TOML;

use crate::cli::{ConfigCmd, GlobalArgs};
use crate::outln;

pub fn run(global: &GlobalArgs, cmd: &ConfigCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        ConfigCmd::Show => {
            let settings = super::load_settings(global, Default::default())?;
            outln!("{}", settings.to_redacted_toml()?);
        }
        ConfigCmd::Example => outln!("{}", EXAMPLE_TOML.trim_end()),
    }
    Ok(ExitCode::SUCCESS)
}
