//! `mita serve`: run the HTTP API until SIGTERM/Ctrl-C, then drain and exit 0.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use mita::config::Overrides;
use mita::db::{Backend, Db};
use mita_server::{Application, ServeOptions};
use tokio::net::TcpListener;

use crate::cli::{GlobalArgs, ServeArgs};

pub async fn run(global: &GlobalArgs, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let overrides = Overrides {
        bind: args.bind.clone(),
        metrics_bind: args.metrics_bind.clone(),
        shutdown_timeout_secs: args.shutdown_timeout,
        ..Overrides::default()
    };
    let mut settings = super::load_settings(global, overrides)?;
    crate::logging::init(&settings);
    // Error tracking (SENTRY_DSN); the guard flushes queued events when serve returns.
    let _sentry = mita_server::error_tracking::init(&settings);
    if let Some(path) = settings.ensure_jwt_secret()? {
        tracing::warn!(
            file = %path.display(),
            "JWT_SECRET is not set: using a development secret stored in this file (set JWT_SECRET in production)"
        );
    }
    if let Some(path) = settings.ensure_totp_key()? {
        tracing::warn!(
            file = %path.display(),
            "MITA_AUTH__TOTP_KEY is not set: two-factor secrets are encrypted with a development key stored in this file (set it in production)"
        );
    }

    // Handlers installed before anything announces the server: a SIGTERM right after
    // "listening on" must already mean a graceful shutdown, not the default death.
    let stop_signals = StopSignals::install()?;
    raise_open_files_limit();
    let db = Db::connect(&settings.database).await?;
    prepare_schema(&db, args.migrate, settings.database.allow_newer_schema).await?;

    let listener = TcpListener::bind(&settings.server.bind)
        .await
        .with_context(|| format!("cannot listen on {}", settings.server.bind))?;
    let metrics_listener = match &settings.server.metrics_bind {
        Some(addr) => Some(
            TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr} (metrics)"))?,
        ),
        None => None,
    };
    let local = listener.local_addr()?;
    // On stdout so scripts and tests can read the actual port (e.g. after --bind 127.0.0.1:0).
    println!("listening on http://{local}");
    if let Some(m) = &metrics_listener {
        println!("metrics on http://{}/metrics", m.local_addr()?);
    }
    tracing::info!(addr = %local, backend = db.backend().name(), version = mita::build::VERSION, "mita serve started");

    let options = ServeOptions {
        metrics_listener,
        shutdown_timeout: Duration::from_secs(settings.server.shutdown_timeout_secs),
        extra_routes: None,
        after_build: Some(Box::new(crate::memory::collect_now)),
    };
    let clock = settings.clock()?;
    if let Some(start) = &settings.clock_start {
        tracing::warn!(clock_start = %start, "the clock starts at clock_start, not at the real date (benchmarks and demos only)");
    }
    Application::build(db, settings, clock)?
        .run(listener, options, stop_signals.recv())
        .await
        .context("server error")?;
    tracing::info!("shutdown complete");
    Ok(ExitCode::SUCCESS)
}

/// Each open connection is a file descriptor. Many systems start services with a soft limit of
/// 1024 open files (systemd's default), which a thousand clients exhaust: accepting then fails
/// with EMFILE and the accept loop backs off for a second at a time. The soft limit may be raised
/// up to the hard one without privileges, as most servers do at start; below
/// [`FEW_OPEN_FILES`] after that, a warning names the setting to change.
fn raise_open_files_limit() {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, getrlimit, setrlimit};
        let before = getrlimit(Resource::Nofile);
        let mut raised = before;
        raised.current = before.maximum;
        if before.current != before.maximum
            && let Err(e) = setrlimit(Resource::Nofile, raised)
        {
            tracing::warn!(error = %e, "cannot raise the open-files limit");
        }
        let now = getrlimit(Resource::Nofile).current;
        match now {
            Some(n) if n < FEW_OPEN_FILES => tracing::warn!(
                open_files = n,
                "the open-files limit is low: each connection needs one (raise LimitNOFILE / ulimit -Hn)"
            ),
            _ => tracing::info!(
                open_files = now.map_or_else(|| "unlimited".to_string(), |n| n.to_string()),
                "open-files limit"
            ),
        }
    }
}

/// Open files below which `serve` warns at start: a thousand connections and the database's.
#[cfg(unix)]
const FEW_OPEN_FILES: u64 = 4096;

/// SQLite migrates itself; PostgreSQL needs `--migrate` (or `mita migrate`) when behind. A
/// PostgreSQL server that cannot be reached yet does not stop startup: `/ready` reports it.
/// A database a newer mita migrated is refused unless `allow_newer`; then nothing is applied
/// (this binary has nothing newer) and every migration it knows must be there.
async fn prepare_schema(db: &Db, migrate: bool, allow_newer: bool) -> anyhow::Result<()> {
    // An unreachable database is reported by the steps below.
    if let Ok(unknown) = db.unknown_migrations().await
        && !unknown.is_empty()
    {
        let versions = unknown
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let known = mita::db::migrate::latest_version(db.backend());
        if !allow_newer {
            anyhow::bail!(
                "the database was migrated by a newer mita (migrations {versions} are unknown to this binary, which knows up to {known}): \
                 run the newer binary, or set database.allow_newer_schema = true (MITA_DATABASE__ALLOW_NEWER_SCHEMA=true) \
                 to run this one on the newer schema, safe while those migrations are additive"
            );
        }
        tracing::warn!(unknown = %versions, known, "serving a database migrated by a newer mita (database.allow_newer_schema)");
        if db.migrations_current().await? {
            return Ok(());
        }
        anyhow::bail!(
            "the database was migrated by a newer mita but lacks migrations this binary carries: run `mita migrate` with the newer binary"
        );
    }
    if db.backend() == Backend::Sqlite || migrate {
        for m in db.migrate().await.context("applying migrations")? {
            tracing::info!(version = m.version, description = %m.description, "migration applied");
        }
        return Ok(());
    }
    match db.migrations_current().await {
        Ok(true) => Ok(()),
        Ok(false) => anyhow::bail!(
            "the database has pending migrations: run `mita migrate` first, or start with `mita serve --migrate`"
        ),
        Err(e) if e.is_unavailable() => {
            tracing::error!(error = %e, "database unreachable at startup; serving with /ready = 503 until it answers");
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

/// SIGTERM and SIGINT (Ctrl-C), registered when installed.
struct StopSignals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
}

impl StopSignals {
    fn install() -> anyhow::Result<StopSignals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(StopSignals {
                term: signal(SignalKind::terminate()).context("cannot handle SIGTERM")?,
                int: signal(SignalKind::interrupt()).context("cannot handle SIGINT")?,
            })
        }
        #[cfg(not(unix))]
        Ok(StopSignals {})
    }

    /// Resolves on the first of them.
    async fn recv(mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.term.recv() => {},
            _ = self.int.recv() => {},
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
