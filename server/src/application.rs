//! `Application::build`: the one wiring of a server process, used by `mita serve` and by the
//! tests' `spawn_app`, so the tests run what production runs: the core services over a database,
//! the HTTP state, the background work (OCR workers, housekeeping, the recurring-transactions
//! job) and the shutdown order (requests drain, then the workers stop, then the pool closes).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use mita::clock::Clock;
use mita::config::Settings;
use mita::db::Db;
use mita::metrics::Metrics;
use mita::services::Services;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::app::{ServeOptions, serve};
use crate::state::AppState;

/// A server process, built and not yet running.
pub struct Application {
    state: AppState,
    background: Background,
}

/// The background work [`Application::run`] starts beside the HTTP server. `mita serve` runs
/// all of it (the default). The switches exist for tests that must see the database as the
/// requests left it, which a worker would change behind their back; each such test says why.
#[derive(Clone, Copy, Debug)]
pub struct Background {
    /// The OCR workers and their maintenance (requeue, gauges, image purge). Off for a test that
    /// looks at a job while it is still queued: a worker claims an upload at once.
    pub ocr_workers: bool,
    /// Housekeeping, which runs at start and then every 10 minutes. Off for a test that drives
    /// its steps by hand (e.g. the image-directory check) and asserts the state before them.
    pub housekeeping: bool,
}

impl Default for Background {
    fn default() -> Self {
        Background {
            ocr_workers: true,
            housekeeping: true,
        }
    }
}

impl Application {
    /// Wires the services over an open, migrated database. `settings.auth.jwt_secret` must be
    /// set (`Settings::ensure_jwt_secret`). Starts the audit writer; nothing else runs until
    /// [`Application::run`].
    pub fn build(db: Db, settings: Settings, clock: Clock) -> mita::Result<Application> {
        let metrics = Arc::new(Metrics::new()?);
        let services = Services::new(db, settings, metrics, clock)?;
        Ok(Application {
            state: AppState::new(services)?,
            background: Background::default(),
        })
    }

    /// Replaces the background work to run (tests; see [`Background`]).
    pub fn background(mut self, background: Background) -> Application {
        self.background = background;
        self
    }

    /// The state every handler sees (cheap to clone).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves on `listener` with the background work until `shutdown` resolves. Then the OCR
    /// workers stop claiming at once, in-flight requests drain (up to the deadline), the workers
    /// finish their job or give it back, housekeeping stops (every run is idempotent), the audit
    /// log is flushed and the database pool closed.
    pub async fn run(
        self,
        listener: TcpListener,
        options: ServeOptions,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let Application { state, background } = self;
        let (stop_tx, stop_rx) = watch::channel(false);
        let signal = {
            let stop_tx = stop_tx.clone();
            tokio::spawn(async move {
                shutdown.await;
                let _ = stop_tx.send(true);
            })
        };
        let stopped = |mut rx: watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|stop| *stop).await;
        };
        let ocr = background
            .ocr_workers
            .then(|| mita::ocr::WorkerPool::start(state.ocr.clone(), stop_rx.clone()));
        let housekeeping = background
            .housekeeping
            .then(|| tokio::spawn(housekeeping(state.clone())));
        let recurring = tokio::spawn(recurring_job(state.clone(), stopped(stop_rx.clone())));
        let deadline = options.shutdown_timeout;
        let served = serve(state.clone(), listener, options, stopped(stop_rx)).await;
        let _ = stop_tx.send(true);
        signal.abort();
        // Workers finish their job or give it back to the queue before the database closes.
        if let Some(ocr) = ocr {
            ocr.join().await;
        }
        if tokio::time::timeout(deadline, recurring).await.is_err() {
            tracing::warn!("the recurring job did not stop in time");
        }
        if let Some(housekeeping) = housekeeping {
            housekeeping.abort();
        }
        state.services.shutdown().await;
        state.db.close().await;
        served
    }
}

/// How often the recurring-transactions job runs, and how long after start it first runs.
const RECURRING_EVERY: Duration = Duration::from_secs(300);
const RECURRING_FIRST: Duration = Duration::from_secs(60);

/// The recurring-transactions job (docs/recurring.md §3): materialises every user's due
/// occurrences and reserves new months, until `stop`. It runs in every instance with no lease:
/// the unique key on (definition, date) makes each occurrence one transaction however many
/// instances tick at once, and each user's run takes their row lock.
async fn recurring_job(state: AppState, stop: impl Future<Output = ()>) {
    let mut tick = tokio::time::interval_at(
        tokio::time::Instant::now() + RECURRING_FIRST,
        RECURRING_EVERY,
    );
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => return,
            _ = tick.tick() => {
                match mita::recurring::run::tick(&state.db, &state.clock, &state.metrics).await {
                    Ok(t) if t.materialised > 0 => tracing::info!(users = t.users, transactions = t.materialised, "recurring transactions made"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "recurring job failed"),
                }
            }
        }
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
                    let images = state.settings.ocr_image_dir();
                    n += mita::cluster::purge_markers(&state.db, &images, now).await?;
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
                let days = state.settings.audit.retention_days;
                let (db, audit, metrics) = (&state.db, &state.audit, &state.metrics);
                match mita::audit::purge_expired(db, audit, metrics, days, now).await {
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
