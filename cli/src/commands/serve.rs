//! `mita serve`: run the HTTP API until SIGTERM/Ctrl-C, then drain and exit 0.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use mita::config::Overrides;
use mita::db::{Backend, Db};
use mita::metrics::Metrics;
use mita::services::Services;
use mita_server::{AppState, ServeOptions};
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
    let db = Db::connect(&settings.database).await?;
    prepare_schema(&db, args.migrate).await?;

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
    };
    let metrics = Arc::new(Metrics::new()?);
    let clock = settings.clock()?;
    if let Some(start) = &settings.clock_start {
        tracing::warn!(clock_start = %start, "the clock starts at clock_start, not at the real date (benchmarks and demos only)");
    }
    let services = Services::new(db.clone(), settings, metrics, clock)?;
    let state = AppState::new(services.clone())?;
    let housekeeping = tokio::spawn(housekeeping(state.clone()));
    // One stop signal for the HTTP server and the OCR workers: the workers stop claiming at
    // once, while in-flight requests drain.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let signal = {
        let stop_tx = stop_tx.clone();
        tokio::spawn(async move {
            stop_signals.recv().await;
            let _ = stop_tx.send(true);
        })
    };
    let ocr_workers = mita::ocr::WorkerPool::start(services.ocr.clone(), stop_rx.clone());
    let mut http_stop = stop_rx;
    let served = mita_server::serve(state, listener, options, async move {
        let _ = http_stop.wait_for(|stop| *stop).await;
    })
    .await;
    let _ = stop_tx.send(true);
    signal.abort();
    // Workers finish their job or give it back to the queue before the database closes.
    ocr_workers.join().await;
    housekeeping.abort();
    services.shutdown().await;
    db.close().await;
    served.context("server error")?;
    tracing::info!("shutdown complete");
    Ok(ExitCode::SUCCESS)
}

/// SQLite migrates itself; PostgreSQL needs `--migrate` (or `mita migrate`) when behind. A
/// PostgreSQL server that cannot be reached yet does not stop startup: `/ready` reports it.
async fn prepare_schema(db: &Db, migrate: bool) -> anyhow::Result<()> {
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

/// Periodic clean-up: expired revoked tokens, logins, reset tokens, idempotency keys and
/// uncommitted import previews, empty shared rate-limit buckets and old instance markers — once
/// per cluster, under a lease; idle in-memory rate-limit entries and this instance's
/// image-directory marker — on every instance.
/// Every run is idempotent, so aborting it at shutdown loses nothing.
async fn housekeeping(state: AppState) {
    const EVERY: Duration = Duration::from_secs(600);
    let mut tick = tokio::time::interval(EVERY);
    loop {
        tick.tick().await;
        let now = state.clock.now_ms();
        let ttl = i64::try_from(EVERY.as_millis()).unwrap_or(i64::MAX) * 9 / 10;
        match mita::cluster::lease(&state.db, "housekeeping", now, ttl).await {
            Ok(true) => {
                let purged = async {
                    let mut n = state.auth.purge_expired().await?;
                    n += mita::cluster::purge_rate_limits(&state.db, now).await?;
                    n += mita::import::purge_expired(&state.db, now).await?;
                    n += mita::cluster::purge_markers(
                        &state.db,
                        &state.settings.ocr_image_dir(),
                        now,
                    )
                    .await?;
                    Ok::<u64, mita::Error>(n)
                };
                match purged.await {
                    Ok(n) if n > 0 => tracing::info!(rows = n, "housekeeping purged expired rows"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "housekeeping failed"),
                }
            }
            Ok(false) => {} // another instance holds it this round
            Err(e) => tracing::warn!(error = %e, "housekeeping lease failed"),
        }
        // The audit retention purge: once a day in the whole cluster.
        match mita::cluster::lease_once(&state.db, "audit_purge", now, 86_400_000).await {
            Ok(true) => {
                let purged = mita::audit::purge_expired(
                    &state.db,
                    &state.audit,
                    &state.metrics,
                    state.settings.audit.retention_days,
                    now,
                )
                .await;
                match purged {
                    Ok(n) if n > 0 => {
                        tracing::info!(events = n, "audit events past their retention removed")
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "audit retention purge failed"),
                }
            }
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "audit purge lease failed"),
        }
        state.limits.retain_recent();
        if let Err(e) = state.ocr.check_shared_dir().await {
            tracing::warn!(error = %e, "cannot check the receipt image directory");
        }
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
