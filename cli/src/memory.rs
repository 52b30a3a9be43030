//! Gives the allocator's free memory back to the system on idle async workers.
//!
//! mimalloc keeps the pages a thread frees in that thread's heap and returns them to the system
//! only on that thread's later allocator activity; a tokio worker that goes idle after a burst
//! (1000 connections' buffers) makes none, so the memory stays resident for as long as the
//! server is quiet. Every `PERIOD` a tick advances an epoch and wakes the workers; a worker that
//! parks (has nothing to do) and has not collected in this epoch collects its heap once. Under
//! load that is one collection per worker per period; idle, one per worker after the load.
//!
//! The same tick gives the program's mapped code back when the whole process was quiet for a
//! period (less than 1 % of a core; [`mita::memory::QuietWatch`]), and `collect_now` does it
//! once at start, when the code that only startup runs (configuration, migrations) is done.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

const PERIOD: Duration = Duration::from_secs(10);

static EPOCH: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static COLLECTED: Cell<u64> = const { Cell::new(0) };
}

/// The runtime's `on_thread_park` hook: one collection per epoch per worker.
pub fn on_park() {
    let epoch = EPOCH.load(Ordering::Relaxed);
    if COLLECTED.with(|c| c.replace(epoch)) != epoch {
        collect_this_thread();
    }
}

/// Gives this thread's free allocator pages back to the system.
pub fn collect_this_thread() {
    // SAFETY: mi_collect has no preconditions; it only walks this thread's own heap.
    #[allow(unsafe_code)]
    unsafe {
        libmimalloc_sys::mi_collect(true)
    };
}

/// Collects this thread's heap now and has every worker collect on its next park: `mita serve`
/// calls it once its router is built, so the memory that startup freed (the router's OpenAPI
/// document among it) leaves at start rather than at the first tick.
pub fn collect_now() {
    EPOCH.fetch_add(1, Ordering::Relaxed);
    collect_this_thread();
    drop_code();
}

/// Unmaps the process's clean code pages ([`mita::memory::drop_clean_code`]) and returns the
/// resident file bytes after it.
fn drop_code() -> Option<u64> {
    match mita::memory::drop_clean_code() {
        Ok(bytes) => tracing::debug!(bytes, "mapped code given back"),
        Err(e) => tracing::debug!(error = %e, "cannot read this process's mappings"),
    }
    mita::memory::resident_file_bytes()
}

/// Advances the epoch every `PERIOD` and wakes `workers` workers to collect (spawned tasks wake
/// parked workers to steal them). Runs for the life of the runtime.
pub async fn tick(workers: usize) {
    let mut every = tokio::time::interval(PERIOD);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut quiet = mita::memory::QuietWatch::default();
    loop {
        every.tick().await;
        if let (Some(cpu), Some(file)) = (
            mita::memory::process_cpu_time(),
            mita::memory::resident_file_bytes(),
        ) && quiet.sample(cpu, PERIOD, file)
            && let Some(after) = drop_code()
        {
            quiet.dropped(after);
        }
        EPOCH.fetch_add(1, Ordering::Relaxed);
        for _ in 0..workers {
            tokio::spawn(tokio::task::yield_now());
        }
    }
}
