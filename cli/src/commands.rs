//! One module per subcommand, each with a `run` function.

pub mod admin;
pub mod completions;
pub mod config;
pub mod db;
pub mod doctor;
pub mod import;
pub mod metrics;
pub mod migrate;
pub mod ocr;
pub mod serve;
pub mod support;

use std::sync::Arc;

use anyhow::Context;
use mita::clock::Clock;
use mita::config::{LogFormat, Overrides, Secret, Settings};
use mita::db::Db;
use mita::metrics::Metrics;
use mita::services::Services;

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

/// The services a one-shot command needs (settings, logging, database, audit writer), the same
/// wiring `mita serve` uses. Refuses a database with pending migrations. The caller must call
/// `services.shutdown()` (flushes the audit log) and then `services.db.close()`.
pub async fn open_services(global: &GlobalArgs) -> anyhow::Result<Services> {
    let mut settings = load_settings(global, Overrides::default())?;
    crate::logging::init(&settings);
    if settings.auth.jwt_secret.is_none() {
        // The CLI never issues or checks tokens; an ephemeral secret satisfies the token
        // service without writing a development secret file next to the database.
        settings.auth.jwt_secret = Some(Secret::new(ephemeral_secret()));
    }
    let db = Db::connect(&settings.database).await?;
    match db.migrations_current().await {
        Ok(true) => {}
        Ok(false) => {
            db.close().await;
            anyhow::bail!(
                "the database has pending migrations: run `mita migrate` first (or start `mita serve`, which migrates SQLite)"
            );
        }
        Err(e) => {
            db.close().await;
            return Err(
                anyhow::Error::new(e).context("cannot read the database's migration status")
            );
        }
    }
    let services = Metrics::new()
        .map_err(anyhow::Error::new)
        .and_then(|m| {
            Services::new(db.clone(), settings, Arc::new(m), Clock::system())
                .map_err(anyhow::Error::new)
        })
        .context("cannot start the services");
    if services.is_err() {
        db.close().await;
    }
    services
}

fn ephemeral_secret() -> String {
    use rand::Rng as _;
    let bytes: [u8; 32] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
