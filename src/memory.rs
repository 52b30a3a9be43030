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
//!
//! The third part of an idle server's resident memory is the program's own code: every page of
//! the executable that ran once stays mapped (and counted in RSS) for the life of the process,
//! startup's migrations and configuration code included. [`drop_clean_code`] unmaps the pages
//! of the process's read-only file mappings that were never written, exactly what the kernel
//! does when it reclaims them under memory pressure: they stay in the page cache, and the next
//! use maps them again with a minor fault. [`QuietWatch`] tells when the process is quiet
//! enough for that.

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

/// One read-only private file mapping of this process, from `/proc/self/smaps`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CleanMapping {
    start: usize,
    len: usize,
    /// Resident bytes of the mapping when it was read.
    rss: u64,
}

/// The mappings [`drop_clean_code`] may unmap: backed by a file that still exists, private,
/// not writable, resident, and with no page ever written (`Anonymous: 0 kB`, so the dynamic
/// loader's relocated read-only data is never among them). Dropping such a page loses
/// nothing: the next access reads the same bytes from the page cache.
fn clean_file_mappings(smaps: &str) -> Vec<CleanMapping> {
    struct Entry {
        mapping: CleanMapping,
        eligible: bool,
        anonymous: Option<u64>,
    }
    fn finish(entry: Option<Entry>, out: &mut Vec<CleanMapping>) {
        if let Some(e) = entry
            && e.eligible
            && e.anonymous == Some(0)
            && e.mapping.rss > 0
        {
            out.push(e.mapping);
        }
    }
    let kib = |rest: &str| -> Option<u64> {
        let n = rest.trim().strip_suffix("kB")?.trim();
        n.parse::<u64>().ok().map(|k| k * 1024)
    };
    let mut out = Vec::new();
    let mut current: Option<Entry> = None;
    for line in smaps.lines() {
        let mut fields = line.split_ascii_whitespace();
        let Some(first) = fields.next() else { continue };
        if let Some((start, end)) = first.split_once('-')
            && let (Ok(start), Ok(end)) = (
                usize::from_str_radix(start, 16),
                usize::from_str_radix(end, 16),
            )
        {
            finish(current.take(), &mut out);
            let perms = fields.next().unwrap_or("");
            // offset, device, inode, then the path (which may contain spaces).
            let path = line
                .splitn(6, char::is_whitespace)
                .nth(5)
                .unwrap_or("")
                .trim();
            let eligible = (perms == "r-xp" || perms == "r--p")
                && path.starts_with('/')
                && !path.ends_with("(deleted)");
            current = Some(Entry {
                mapping: CleanMapping {
                    start,
                    len: end.saturating_sub(start),
                    rss: 0,
                },
                eligible,
                anonymous: None,
            });
        } else if let Some(e) = current.as_mut() {
            if let Some(rest) = line.strip_prefix("Rss:") {
                e.mapping.rss = kib(rest).unwrap_or(0);
            } else if let Some(rest) = line.strip_prefix("Anonymous:") {
                e.anonymous = kib(rest);
            }
        }
    }
    finish(current, &mut out);
    out
}

/// Unmaps the resident pages of this process's clean read-only file mappings (the program's
/// code and constant data, the C library's code) and returns how many bytes were resident in
/// them. The pages stay in the system's page cache; whatever runs next maps what it needs again
/// (a minor fault per 64 KiB window). Costs a read of `/proc/self/smaps`: call it when the
/// process is quiet, not per request. Does nothing (returns 0) off Linux.
pub fn drop_clean_code() -> std::io::Result<u64> {
    #[cfg(target_os = "linux")]
    {
        let smaps = std::fs::read_to_string("/proc/self/smaps")?;
        let mut dropped = 0;
        for m in clean_file_mappings(&smaps) {
            // SAFETY: the range is a whole mapping of this process as the kernel listed it, read
            // only and never written (no anonymous page), so MADV_DONTNEED only unmaps pages
            // that the next access maps again from the same file with the same bytes. Nothing
            // in this process holds a reference into the page tables. A mapping that went away
            // since the read makes madvise fail (ENOMEM), which is ignored.
            #[allow(unsafe_code)]
            let rc =
                unsafe { libc::madvise(m.start as *mut libc::c_void, m.len, libc::MADV_DONTNEED) };
            if rc == 0 {
                dropped += m.rss;
            }
        }
        Ok(dropped)
    }
    #[cfg(not(target_os = "linux"))]
    Ok(0)
}

/// Bytes of this process's resident memory that map files (`RssFile` of
/// `/proc/self/status`), or `None` where that is not known.
pub fn resident_file_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("RssFile:"))?;
    let kib: u64 = line
        .trim_start_matches("RssFile:")
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// CPU time this process has used so far, all threads (`None` where it cannot be read).
pub fn process_cpu_time() -> Option<Duration> {
    #[cfg(unix)]
    {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: clock_gettime writes only into the timespec it is given.
        #[allow(unsafe_code)]
        let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
        (rc == 0).then(|| Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
    }
    #[cfg(not(unix))]
    None
}

/// Decides, from the process's CPU time sampled once per period, when the process is quiet
/// enough to give its mapped code back: a period in which it used less than 1 % of one core,
/// and the mapped file pages grew by at least `QuietWatch::REGROWTH` since the last drop (so a
/// server that stays idle does not read its smaps again every period).
#[derive(Debug, Default)]
pub struct QuietWatch {
    last_cpu: Option<Duration>,
    file_after_drop: Option<u64>,
}

impl QuietWatch {
    /// Growth of mapped file pages that makes a quiet period drop them again.
    pub const REGROWTH: u64 = 1024 * 1024;

    /// One sample: the process's CPU time now, the period since the last sample, and the
    /// resident file bytes now. True when the caller should run [`drop_clean_code`] (then it
    /// reports the resident file bytes after it with [`QuietWatch::dropped`]).
    pub fn sample(&mut self, cpu: Duration, period: Duration, resident_file: u64) -> bool {
        let quiet = self
            .last_cpu
            .replace(cpu)
            .is_some_and(|last| cpu.saturating_sub(last) < period / 100);
        let grown = self
            .file_after_drop
            .is_none_or(|after| resident_file >= after + Self::REGROWTH);
        quiet && grown
    }

    /// Records the resident file bytes right after a drop.
    pub fn dropped(&mut self, resident_file_after: u64) {
        self.file_after_drop = Some(resident_file_after);
    }
}

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

    const SMAPS: &str = "\
55d0a0000000-55d0a1000000 r--p 00000000 fd:01 1234                       /usr/bin/mita
Size:              16384 kB
Rss:                3500 kB
Anonymous:             0 kB
55d0a1000000-55d0a3000000 r-xp 01000000 fd:01 1234                       /usr/bin/mita
Size:              32768 kB
Rss:               18800 kB
Anonymous:             0 kB
55d0a3000000-55d0a3200000 r--p 03000000 fd:01 1234                       /usr/bin/mita
Size:               2048 kB
Rss:                1800 kB
Anonymous:          1800 kB
55d0a3200000-55d0a3210000 rw-p 03200000 fd:01 1234                       /usr/bin/mita
Rss:                  64 kB
Anonymous:            64 kB
7f0000000000-7f0000100000 rw-p 00000000 00:00 0
Rss:                1024 kB
Anonymous:          1024 kB
7f0000100000-7f0000200000 r-xp 00000000 fd:01 99                         /usr/lib/libc.so.6
Rss:                1000 kB
Anonymous:             0 kB
7f0000200000-7f0000300000 r-xp 00000000 fd:01 98                         /old/bin (deleted)
Rss:                 500 kB
Anonymous:             0 kB
7f0000300000-7f0000400000 r--s 00000000 fd:01 97                         /data/shared
Rss:                 100 kB
Anonymous:             0 kB
7f0000400000-7f0000500000 r-xp 00000000 fd:01 96                         /not/resident
Rss:                   0 kB
Anonymous:             0 kB
7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0                          [vdso]
Rss:                   8 kB
Anonymous:             0 kB
";

    #[test]
    fn only_resident_clean_private_read_only_file_mappings_are_dropped() {
        let found = clean_file_mappings(SMAPS);
        let starts: Vec<usize> = found.iter().map(|m| m.start).collect();
        assert_eq!(
            starts,
            vec![0x55d0a0000000, 0x55d0a1000000, 0x7f0000100000],
            "code and constant data of files, not the relocated data, writable, shared, deleted, \
             unmapped or anonymous ones"
        );
        assert_eq!(found[1].len, 0x2000000);
        assert_eq!(found[1].rss, 18800 * 1024);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn dropping_clean_code_lowers_the_mapped_file_pages_and_the_code_still_runs() {
        let before = resident_file_bytes().expect("RssFile");
        let dropped = drop_clean_code().unwrap();
        let after = resident_file_bytes().expect("RssFile");
        assert!(dropped > 0, "this test binary's code was resident");
        assert!(
            after < before,
            "RssFile fell: {before} -> {after} bytes ({dropped} dropped)"
        );
        // The code runs again after its pages were unmapped: parsing and formatting touch
        // pages that were dropped a moment ago.
        assert_eq!(clean_file_mappings(SMAPS).len(), 3);
        assert_eq!(format!("{:?}", Duration::from_millis(1500)), "1.5s");
    }

    #[test]
    fn a_quiet_period_with_regrown_code_asks_for_a_drop_and_a_busy_one_does_not() {
        let period = Duration::from_secs(10);
        let mut w = QuietWatch::default();
        let mib = 1024 * 1024;
        assert!(
            !w.sample(Duration::from_secs(1), period, 30 * mib),
            "no earlier sample"
        );
        assert!(
            !w.sample(Duration::from_secs(3), period, 30 * mib),
            "2 s of CPU in 10 s is busy"
        );
        assert!(
            w.sample(Duration::from_millis(3050), period, 30 * mib),
            "50 ms in 10 s is quiet"
        );
        w.dropped(2 * mib);
        assert!(
            !w.sample(Duration::from_millis(3060), period, 2 * mib + 512 * 1024),
            "quiet, but the code grew less than REGROWTH since the drop"
        );
        assert!(
            w.sample(Duration::from_millis(3070), period, 4 * mib),
            "grew again"
        );
    }
}
