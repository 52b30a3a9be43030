//! Giving free memory back to the system when a thread of the core goes idle.
//!
//! Two allocators hold a server's memory. Rust values live in the binary's global allocator
//! (`mita` uses mimalloc, whose per-thread heaps keep freed pages until that thread allocates
//! again). SQLite's page caches live in the C library's malloc, which keeps freed chunks in one
//! arena per thread that allocated them and gives back only the top of an arena on its own.
//! After a burst, both stay resident for as long as the server is quiet. The core's own
//! threads (the SQLite readers and the write thread) call [`release`] once when they go idle,
//! after SQLite has dropped its caches (`PRAGMA shrink_memory`).
//!
//! The core does not know the binary's allocator: the binary registers how to collect the
//! calling thread's heap with [`set_thread_collector`] (`mita` passes mimalloc's collection).

use std::cell::Cell;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

static THREAD_COLLECTOR: OnceLock<fn()> = OnceLock::new();

/// Registers how to give the calling thread's free allocator pages back (once per process;
/// later calls are ignored).
pub fn set_thread_collector(collect: fn()) {
    let _ = THREAD_COLLECTOR.set(collect);
}

/// Gives back the C heap's free pages (every arena) and the calling thread's free pages of
/// the global allocator. Costs a walk of the heaps: call it when going idle, not per request.
pub fn release() {
    trim_c_heap();
    collect_thread();
}

/// The calling thread's free pages of the global allocator only (cheap enough for a
/// runtime's park hook, throttled by [`collect_on_park`]).
fn collect_thread() {
    if let Some(collect) = THREAD_COLLECTOR.get() {
        collect();
    }
}

/// How often at most a runtime thread collects its heap when it parks.
const PARK_PERIOD: Duration = Duration::from_secs(10);

thread_local! {
    static LAST_PARK_COLLECTION: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// An `on_thread_park` hook for the core's own runtimes (the write thread): collects the
/// thread's heap when it parks, at most once per `PARK_PERIOD`, so a thread that goes quiet
/// after a burst does not keep the burst's pages.
pub fn collect_on_park() {
    let now = Instant::now();
    let due = LAST_PARK_COLLECTION.with(|last| match last.get() {
        Some(at) if now.duration_since(at) < PARK_PERIOD => false,
        _ => {
            last.set(Some(now));
            true
        }
    });
    if due {
        collect_thread();
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim_c_heap() {
    // SAFETY: malloc_trim has no preconditions; it only returns free pages of the C heap.
    #[allow(unsafe_code)]
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim_c_heap() {}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        // Per thread: reader threads of other tests may call `release` at any time.
        static COLLECTED: Cell<usize> = const { Cell::new(0) };
    }

    fn count() {
        COLLECTED.with(|c| c.set(c.get() + 1));
    }

    #[test]
    fn release_runs_the_registered_collector_and_parking_is_throttled() {
        set_thread_collector(count);
        release();
        assert_eq!(COLLECTED.with(Cell::get), 1);
        // On a fresh thread: the first park collects, the next ones within the period do not.
        std::thread::spawn(|| {
            collect_on_park();
            collect_on_park();
            collect_on_park();
            assert_eq!(COLLECTED.with(Cell::get), 1);
        })
        .join()
        .unwrap();
    }
}
