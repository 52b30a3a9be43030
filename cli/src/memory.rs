//! Gives the allocator's free memory back to the system on idle async workers.
//!
//! mimalloc keeps the pages a thread frees in that thread's heap and returns them to the system
//! only on that thread's later allocator activity; a tokio worker that goes idle after a burst
//! (1000 connections' buffers) makes none, so the memory stays resident for as long as the
//! server is quiet. Every `PERIOD` a tick advances an epoch and wakes the workers; a worker that
//! parks (has nothing to do) and has not collected in this epoch collects its heap once. Under
//! load that is one collection per worker per period; idle, one per worker after the load.

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
}

/// Advances the epoch every `PERIOD` and wakes `workers` workers to collect (spawned tasks wake
/// parked workers to steal them). Runs for the life of the runtime.
pub async fn tick(workers: usize) {
    let mut every = tokio::time::interval(PERIOD);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        EPOCH.fetch_add(1, Ordering::Relaxed);
        for _ in 0..workers {
            tokio::spawn(tokio::task::yield_now());
        }
    }
}
