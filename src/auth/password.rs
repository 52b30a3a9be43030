//! Password hashing with argon2id on a dedicated, bounded pool of threads.
//!
//! `workers` threads (default: the CPU count — more only slows each hash down) run the hashes.
//! Each running hash needs one argon2 memory area (19 MiB by default); areas are kept in a small
//! pool between hashes, so a burst does not page-fault 19 MiB per login, and released when no
//! hash has been asked for during `idle_release`: an idle server holds none. A request waiting
//! for a thread holds no area.
//!
//! **Admission by expected wait.** A new hash is admitted when it would finish within
//! `wait_budget`: with `n` hashes already waiting or running, it finishes after about
//! `(n / workers + 1) × d`, `d` being the recent duration of one hash on a busy pool (measured at
//! start with every thread hashing at once, then a moving average of the hashes done). Beyond the
//! budget the caller gets [`Error::Unavailable`] at once (HTTP 503) with a `Retry-After` of the
//! time the line ahead needs to drain. `queue` is only a hard cap on waiting hashes (memory
//! safety), far above what the budget admits. One account (keyed by the caller: an email, a reset
//! token) may have at most `per_account` hashes waiting or running: beyond that its own request
//! is refused with 429, so hammering one account cannot fill the line for everyone. The async
//! runtime never runs a hash.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::oneshot;

use crate::config::AuthSettings;
use crate::error::{Code, Error, FieldError, Result};
use crate::metrics::Metrics;

/// Common passwords refused at registration (lower-case, one per line).
const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// Work for a hashing thread: runs with that thread's reusable memory.
type Job = Box<dyn FnOnce(&mut Area) + Send>;

/// One argon2 memory area, in an anonymous mapping of its own: dropping it unmaps it, so an
/// idle pool's memory goes back to the system at once. (Allocated through the global allocator,
/// a freed 19 MiB area stayed resident in mimalloc's arena until later allocator activity
/// purged it; docs/performance.md.) It grows when a stored hash asks for more memory.
#[derive(Default)]
struct Area(Option<memmap2::MmapMut>);

impl Area {
    /// The first `n` blocks, mapping a larger area first if this one is smaller.
    fn blocks(&mut self, n: usize) -> std::io::Result<&mut [Block]> {
        let bytes = n * std::mem::size_of::<Block>();
        if self.bytes() < bytes {
            self.0 = None; // unmap the small area before mapping the larger one
            self.0 = Some(memmap2::MmapMut::map_anon(bytes.max(1))?);
        }
        let map = self.0.as_mut().expect("mapped above");
        // SAFETY: the mapping is page-aligned (Block needs 64 bytes), readable and writable,
        // and at least `n` blocks long; a Block is plain `u64`s, valid for any bytes (the fresh
        // zero pages included); the slice borrows `self` mutably, so nothing else aliases it.
        #[allow(unsafe_code)]
        let blocks = unsafe { std::slice::from_raw_parts_mut(map.as_mut_ptr().cast::<Block>(), n) };
        Ok(blocks)
    }

    fn bytes(&self) -> usize {
        self.0.as_ref().map_or(0, |m| m.len())
    }
}

/// The hashing service. Cheap to clone.
#[derive(Clone)]
pub struct PasswordHasher {
    inner: Arc<Inner>,
}

struct Inner {
    params: Params,
    jobs: Sender<Job>,
    /// Hashes waiting or running.
    in_system: AtomicUsize,
    /// Hashing threads.
    workers: usize,
    /// Hard cap on hashes waiting for a thread.
    max_waiting: usize,
    /// A hash admitted must be expected to finish within this.
    wait_budget: Duration,
    /// Recent duration of one hash on a busy pool, in nanoseconds (moving average).
    hash_nanos: AtomicU64,
    /// argon2 memory areas not in use (at most one per thread), dropped after an idle period.
    areas: Arc<Mutex<Vec<Area>>>,
    /// A hash of a random password: unknown emails are verified against it, so they cost the
    /// same as a wrong password.
    dummy_hash: String,
    metrics: Arc<Metrics>,
    /// Hashes waiting or running per account key (hashed); entries at 0 are removed.
    per_account: Mutex<HashMap<u64, usize>>,
    /// The most one account may have in the system (0 = no limit).
    account_limit: usize,
    keys: RandomState,
}

/// One account's slot in the hashing system, released on drop.
struct AccountSlot {
    inner: Arc<Inner>,
    key: u64,
}

impl Drop for AccountSlot {
    fn drop(&mut self) {
        if let Ok(mut map) = self.inner.per_account.lock()
            && let Some(n) = map.get_mut(&self.key)
        {
            *n -= 1;
            if *n == 0 {
                map.remove(&self.key);
            }
        }
    }
}

fn argon(params: Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes into a PHC string with the thread's memory.
fn hash_with(params: &Params, password: &str, memory: &mut Area) -> Result<String> {
    let salt: [u8; 16] = rand::random();
    let mut out = [0u8; 32];
    let blocks = memory
        .blocks(params.block_count())
        .map_err(|e| Error::Internal(format!("argon2 memory: {e}")))?;
    argon(params.clone())
        .hash_password_into_with_memory(password.as_bytes(), &salt, &mut out, blocks)
        .map_err(|e| Error::Internal(format!("argon2 hash: {e}")))?;
    let phc = |e: argon2::password_hash::phc::Error| Error::Internal(format!("argon2 phc: {e}"));
    let hash = PasswordHash {
        algorithm: argon2::ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params)
            .map_err(|e| Error::Internal(format!("argon2 params: {e}")))?,
        salt: Some(Salt::new(&salt).map_err(phc)?),
        hash: Some(Output::new(&out).map_err(phc)?),
    };
    Ok(hash.to_string())
}

/// Verifies against a PHC string (its own parameters), with the thread's memory.
fn verify_with(password: &str, stored: &str, memory: &mut Area) -> bool {
    let Ok(hash) = PasswordHash::new(stored) else {
        return false;
    };
    let (Ok(algorithm), Some(salt), Some(expected)) = (
        Algorithm::new(hash.algorithm.as_str()),
        hash.salt.as_ref(),
        hash.hash.as_ref(),
    ) else {
        return false;
    };
    let Ok(params) = Params::try_from(&hash) else {
        return false;
    };
    let version = hash
        .version
        .and_then(|v| Version::try_from(v).ok())
        .unwrap_or_default();
    let mut out = vec![0u8; expected.len()];
    let Ok(blocks) = memory.blocks(params.block_count()) else {
        return false;
    };
    let computed = Argon2::new(algorithm, version, params).hash_password_into_with_memory(
        password.as_bytes(),
        salt.as_ref(),
        &mut out,
        blocks,
    );
    computed.is_ok() && constant_time_eq(&out, expected.as_bytes())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn spawn_worker(
    index: usize,
    jobs: Arc<Mutex<Receiver<Job>>>,
    areas: Arc<Mutex<Vec<Area>>>,
    idle_release: Duration,
) -> Result<()> {
    std::thread::Builder::new()
        .name(format!("mita-argon2-{index}"))
        .spawn(move || {
            loop {
                // One thread at a time waits on the receiver (the others wait for the lock), so
                // a timeout means no job came for `idle_release`: the pool is idle.
                let job = match jobs.lock() {
                    Ok(rx) => rx.recv_timeout(idle_release),
                    Err(_) => return,
                };
                match job {
                    Ok(job) => {
                        let mut memory = areas
                            .lock()
                            .ok()
                            .and_then(|mut a| a.pop())
                            .unwrap_or_default();
                        job(&mut memory);
                        if let Ok(mut a) = areas.lock() {
                            a.push(memory);
                        }
                    }
                    Err(RecvTimeoutError::Timeout) => {
                        if let Ok(mut a) = areas.lock() {
                            a.clear();
                        }
                    }
                    Err(RecvTimeoutError::Disconnected) => return, // the service was dropped
                }
            }
        })
        .map(|_| ())
        .map_err(|e| Error::Internal(format!("cannot start a hashing thread: {e}")))
}

/// The wall time of `workers` hashes run at once, one per thread: the duration of one hash on a
/// busy pool, the admission's first estimate.
fn calibrate(params: &Params, workers: usize) -> Result<(Duration, String)> {
    let started = Instant::now();
    let mut hashes = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let random: [u8; 24] = rand::random();
                    hash_with(params, &format!("{random:?}"), &mut Area::default())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .map_err(|_| Error::Internal("calibration hash panicked".into()))?
            })
            .collect::<Result<Vec<String>>>()
    })?;
    let dummy = hashes
        .pop()
        .ok_or_else(|| Error::Internal("no hashing thread".into()))?;
    Ok((started.elapsed(), dummy))
}

impl PasswordHasher {
    /// Starts the pool and computes the dummy hash once, synchronously.
    pub fn new(settings: &AuthSettings, metrics: Arc<Metrics>) -> Result<Self> {
        let params = Params::new(
            settings.argon2_memory_kib,
            settings.argon2_iterations,
            settings.argon2_parallelism,
            None,
        )
        .map_err(|e| Error::Config(format!("invalid argon2 parameters: {e}")))?;
        let workers = if settings.hash_workers == 0 {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2)
        } else {
            settings.hash_workers
        };
        let (tx, rx) = channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let areas = Arc::new(Mutex::new(Vec::with_capacity(workers)));
        let idle_release = Duration::from_secs(settings.hash_idle_release_secs.max(1));
        for i in 0..workers {
            spawn_worker(i, rx.clone(), areas.clone(), idle_release)?;
        }
        let (per_hash, dummy_hash) = calibrate(&params, workers)?;
        Ok(PasswordHasher {
            inner: Arc::new(Inner {
                params,
                jobs: tx,
                in_system: AtomicUsize::new(0),
                workers,
                max_waiting: settings.hash_queue,
                wait_budget: Duration::from_millis(settings.hash_wait_budget_ms),
                hash_nanos: AtomicU64::new(nanos(per_hash)),
                areas,
                dummy_hash,
                metrics,
                per_account: Mutex::new(HashMap::new()),
                account_limit: settings.hash_per_account,
                keys: RandomState::new(),
            }),
        })
    }

    /// Bytes of argon2 memory the pool holds between hashes (0 once idle).
    pub fn idle_memory_bytes(&self) -> usize {
        self.inner
            .areas
            .lock()
            .map_or(0, |a| a.iter().map(Area::bytes).sum())
    }

    /// The admission's current estimate of one hash on a busy pool.
    pub fn hash_estimate(&self) -> Duration {
        Duration::from_nanos(self.inner.hash_nanos.load(Ordering::Relaxed))
    }

    /// Sets the estimate (tests that need a known one).
    #[doc(hidden)]
    pub fn set_hash_estimate(&self, d: Duration) {
        self.inner.hash_nanos.store(nanos(d), Ordering::Relaxed);
    }

    /// Takes a slot for `account`, or refuses (429) when it already has its share.
    fn account_slot(&self, account: &str) -> Result<AccountSlot> {
        let key = self.inner.keys.hash_one(account.trim().to_lowercase());
        let mut map = self
            .inner
            .per_account
            .lock()
            .map_err(|_| Error::Internal("hashing account table poisoned".into()))?;
        let n = map.entry(key).or_insert(0);
        if self.inner.account_limit > 0 && *n >= self.inner.account_limit {
            if *n == 0 {
                map.remove(&key);
            }
            return Err(Error::RateLimited {
                retry_after_secs: 1,
            });
        }
        *n += 1;
        Ok(AccountSlot {
            inner: self.inner.clone(),
            key,
        })
    }

    /// Runs `work` for `account` on a hashing thread; refuses at once when the account has its
    /// share in the system (429) or the hash would not finish within the wait budget (503).
    async fn run<T: Send + 'static>(
        &self,
        account: &str,
        work: impl FnOnce(&Params, &mut Area) -> T + Send + 'static,
    ) -> Result<T> {
        self.run_job(account, true, work).await
    }

    /// [`Self::run`]; `measured` false keeps the job's duration out of the estimate (a job that
    /// is not a hash).
    async fn run_job<T: Send + 'static>(
        &self,
        account: &str,
        measured: bool,
        work: impl FnOnce(&Params, &mut Area) -> T + Send + 'static,
    ) -> Result<T> {
        let _slot = self.account_slot(account)?;
        let inner = self.inner.clone();
        let (done, result) = oneshot::channel();
        let worker_inner = inner.clone();
        let job: Job = Box::new(move |memory| {
            let started = Instant::now();
            let out = work(&worker_inner.params, memory);
            let took = started.elapsed();
            worker_inner
                .metrics
                .password_hash_duration_seconds
                .observe((), took.as_secs_f64());
            if measured {
                worker_inner.observe(took);
            }
            worker_inner.in_system.fetch_sub(1, Ordering::SeqCst);
            worker_inner.update_depth();
            let _ = done.send(out);
        });
        let ahead = inner.in_system.fetch_add(1, Ordering::SeqCst);
        if let Err(e) = inner.admit(ahead) {
            inner.in_system.fetch_sub(1, Ordering::SeqCst);
            inner.update_depth();
            return Err(e);
        }
        inner.update_depth();
        if inner.jobs.send(job).is_err() {
            inner.in_system.fetch_sub(1, Ordering::SeqCst);
            inner.update_depth();
            return Err(Error::Internal("hashing threads stopped".into()));
        }
        result
            .await
            .map_err(|_| Error::Internal("hashing thread stopped".into()))
    }

    /// Occupies one hashing thread until the returned guard is dropped. For tests that must
    /// line concurrent requests up behind a busy hasher, deterministically.
    #[doc(hidden)]
    pub fn hold(&self) -> HoldGuard {
        let (release, released) = std::sync::mpsc::channel::<()>();
        let hasher = self.clone();
        tokio::spawn(async move {
            let _ = hasher
                .run_job("mita:hold", false, move |_, _| {
                    let _ = released.recv();
                })
                .await;
        });
        HoldGuard(release)
    }

    /// Hashes a new password (PHC string) for `account` (the key of its fair share).
    pub async fn hash(&self, account: &str, password: &str) -> Result<String> {
        let password = password.to_owned();
        self.run(account, move |params, memory| {
            hash_with(params, &password, memory)
        })
        .await?
    }

    /// Checks a password of `account` against a stored hash; `None` (no such user, or no
    /// password set) verifies against the dummy hash and returns false, at the same cost.
    pub async fn verify(&self, account: &str, password: &str, hash: Option<&str>) -> Result<bool> {
        let password = password.to_owned();
        let (hash, real) = match hash {
            Some(h) => (h.to_owned(), true),
            None => (self.inner.dummy_hash.clone(), false),
        };
        let ok = self
            .run(account, move |_, memory| {
                verify_with(&password, &hash, memory)
            })
            .await?;
        Ok(ok && real)
    }
}

/// Keeps a hashing thread busy until dropped ([`PasswordHasher::hold`]).
#[doc(hidden)]
pub struct HoldGuard(#[allow(dead_code)] std::sync::mpsc::Sender<()>);

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX).max(1)
}

impl Inner {
    /// When a hash with `ahead` others waiting or running is expected to finish.
    fn expected_finish(&self, ahead: usize) -> Duration {
        let rounds = u32::try_from(ahead / self.workers + 1).unwrap_or(u32::MAX);
        Duration::from_nanos(self.hash_nanos.load(Ordering::Relaxed)).saturating_mul(rounds)
    }

    /// Admits a hash that has `ahead` others before it, or says when to come back. A free
    /// thread always admits: the hash starts at once, whatever the estimate (on a loaded machine
    /// one hash alone may take longer than the budget).
    fn admit(&self, ahead: usize) -> Result<()> {
        let finish = self.expected_finish(ahead);
        let waiting = ahead.saturating_sub(self.workers);
        if ahead < self.workers || (finish <= self.wait_budget && waiting < self.max_waiting.max(1))
        {
            return Ok(());
        }
        // The line ahead drains in about (ahead / workers) × d.
        let drain = self.expected_finish(ahead.saturating_sub(self.workers));
        Err(Error::Unavailable {
            reason: "password hashing is at capacity".into(),
            retry_after_secs: drain.as_secs_f64().ceil().max(1.0) as u64,
        })
    }

    /// Folds one hash's duration into the estimate (a moving average, 1/8 weight).
    fn observe(&self, took: Duration) {
        let new = nanos(took);
        let _ = self
            .hash_nanos
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |old| {
                Some(old - old / 8 + new / 8)
            });
    }

    fn update_depth(&self) {
        let depth = self.in_system.load(Ordering::SeqCst);
        self.metrics
            .password_hash_queue_depth
            .set(i64::try_from(depth).unwrap_or(i64::MAX));
    }
}

/// The password rules of API.md: 8–128 characters, upper and lower case and a digit, not a
/// common password. `field` names the field in the error.
pub fn check_strength(password: &str, field: &str) -> Result<()> {
    let len = password.chars().count();
    let problem = if !(8..=128).contains(&len) {
        Some("must be 8 to 128 characters long")
    } else if !password.chars().any(char::is_uppercase)
        || !password.chars().any(char::is_lowercase)
        || !password.chars().any(|c| c.is_ascii_digit())
    {
        Some("must contain an upper-case letter, a lower-case letter and a digit")
    } else if is_common(password) {
        Some("is too common; choose another")
    } else {
        None
    };
    match problem {
        None => Ok(()),
        Some(message) => Err(Error::Validation {
            code: Code::Validation2005,
            message: "Password does not meet the requirements".into(),
            fields: vec![FieldError::new(field, "weak_password", message)],
        }),
    }
}

fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    COMMON_PASSWORDS.lines().any(|p| p == lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast() -> AuthSettings {
        AuthSettings {
            argon2_memory_kib: 64,
            argon2_iterations: 1,
            hash_queue: 2,
            hash_workers: 1,
            ..Default::default()
        }
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let h = PasswordHasher::new(&fast(), Arc::new(Metrics::new().unwrap())).unwrap();
        let stored = h.hash("a@x.io", "Correct1horse").await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(
            h.verify("a@x.io", "Correct1horse", Some(&stored))
                .await
                .unwrap()
        );
        assert!(
            !h.verify("a@x.io", "Wrong1horse", Some(&stored))
                .await
                .unwrap()
        );
        assert!(
            !h.verify("a@x.io", "Correct1horse", None).await.unwrap(),
            "no user never verifies"
        );
    }

    #[tokio::test]
    async fn a_full_queue_refuses_at_once() {
        let settings = AuthSettings {
            hash_workers: 1,
            hash_queue: 1,
            ..fast()
        };
        let h = PasswordHasher::new(&settings, Arc::new(Metrics::new().unwrap())).unwrap();
        // Jobs that hold the only thread until the gate opens (the sender is dropped).
        let (open, gate) = std::sync::mpsc::channel::<()>();
        let gate = Arc::new(Mutex::new(gate));
        let mut tasks = Vec::new();
        for i in 0..5 {
            let (h, gate) = (h.clone(), gate.clone());
            tasks.push(tokio::spawn(async move {
                h.run(&format!("user{i}"), move |_, _| {
                    let _ = gate.lock().map(|g| g.recv());
                })
                .await
            }));
        }
        // One running plus one waiting at most: the rest are refused without waiting.
        let mut refused = 0;
        let deadline = Instant::now() + std::time::Duration::from_secs(10);
        while refused < 3 {
            assert!(Instant::now() < deadline, "the excess was not refused");
            refused = tasks.iter().filter(|t| t.is_finished()).count();
            tokio::task::yield_now().await;
        }
        drop(open);
        let mut unavailable = 0;
        for t in tasks {
            if let Err(Error::Unavailable { .. }) = t.await.unwrap() {
                unavailable += 1;
            }
        }
        assert!((3..=4).contains(&unavailable), "{unavailable}");
    }

    /// Polls `cond` with a bound (no fixed sleep).
    async fn eventually(what: &str, cond: impl Fn() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !cond() {
            assert!(Instant::now() < deadline, "{what}");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    #[tokio::test]
    async fn admission_is_by_expected_wait_and_retry_after_comes_from_the_line() {
        let settings = AuthSettings {
            hash_workers: 1,
            hash_queue: 1000,
            hash_wait_budget_ms: 2000,
            ..fast()
        };
        let h = PasswordHasher::new(&settings, Arc::new(Metrics::new().unwrap())).unwrap();
        let in_system = |h: &PasswordHasher| h.inner.in_system.load(Ordering::SeqCst);
        let hold = h.hold();
        eventually("the hold takes the thread", || in_system(&h) == 1).await;
        // One hash takes 400 ms on the busy pool: with k ahead, a new one ends after (k+1) × 400
        // ms, so 4 may wait behind the running one (5 × 400 = 2000 ms), the 5th may not.
        h.set_hash_estimate(Duration::from_millis(400));
        let mut admitted = Vec::new();
        for i in 0..4 {
            let h2 = h.clone();
            admitted.push(tokio::spawn(async move {
                h2.hash(&format!("user{i}"), "Correct1horse").await
            }));
            eventually("the hash waits in line", || in_system(&h) == i + 2).await;
        }
        for i in 0..3 {
            match h.hash(&format!("late{i}"), "Correct1horse").await {
                Err(Error::Unavailable {
                    retry_after_secs, ..
                }) => {
                    // The 4 waiting drain in 4 × 400 ms → 2 s (rounded up).
                    assert_eq!(retry_after_secs, 2);
                }
                other => panic!("expected 503, got {other:?}"),
            }
        }
        assert_eq!(in_system(&h), 5, "a refusal takes no place in line");
        // An estimate beyond the budget refuses a hash that would wait...
        h.set_hash_estimate(Duration::from_secs(5));
        assert!(matches!(
            h.hash("slow", "Correct1horse").await,
            Err(Error::Unavailable { .. })
        ));
        // A shorter estimate admits more: the same line now ends well within the budget.
        h.set_hash_estimate(Duration::from_millis(10));
        let late = h.hash("late", "Correct1horse");
        drop(hold);
        assert!(late.await.unwrap().starts_with("$argon2id$"));
        for t in admitted {
            assert!(t.await.unwrap().unwrap().starts_with("$argon2id$"));
        }
    }

    #[tokio::test]
    async fn a_free_thread_admits_whatever_the_estimate() {
        let settings = AuthSettings {
            hash_workers: 1,
            hash_wait_budget_ms: 100,
            ..fast()
        };
        let h = PasswordHasher::new(&settings, Arc::new(Metrics::new().unwrap())).unwrap();
        // A loaded machine measured one hash at 5 s, far beyond the 100 ms budget: with nothing
        // ahead the hash still runs (refusing it would help no one).
        h.set_hash_estimate(Duration::from_secs(5));
        assert!(
            h.hash("alone", "Correct1horse")
                .await
                .unwrap()
                .starts_with("$argon2id$")
        );
    }

    #[tokio::test]
    async fn argon2_memory_is_released_after_an_idle_period() {
        let settings = AuthSettings {
            argon2_memory_kib: 8192,
            hash_workers: 2,
            hash_idle_release_secs: 2,
            ..fast()
        };
        let h = PasswordHasher::new(&settings, Arc::new(Metrics::new().unwrap())).unwrap();
        assert_eq!(
            h.idle_memory_bytes(),
            0,
            "nothing held before the first hash"
        );
        h.hash("a@x.io", "Correct1horse").await.unwrap();
        eventually("the area goes back to the pool", || {
            h.idle_memory_bytes() >= 8192 * 1024
        })
        .await;
        // A second hash reuses the kept area instead of allocating another.
        h.hash("a@x.io", "Correct1horse").await.unwrap();
        eventually("one area is kept", || h.idle_memory_bytes() == 8192 * 1024).await;
        eventually("the idle pool lets its memory go", || {
            h.idle_memory_bytes() == 0
        })
        .await;
    }

    #[tokio::test]
    async fn one_account_gets_at_most_its_share_and_others_still_get_in() {
        let settings = AuthSettings {
            hash_workers: 1,
            hash_queue: 8,
            hash_per_account: 2,
            ..fast()
        };
        let h = PasswordHasher::new(&settings, Arc::new(Metrics::new().unwrap())).unwrap();
        let (open, gate) = std::sync::mpsc::channel::<()>();
        let gate = Arc::new(Mutex::new(gate));
        let mut tasks = Vec::new();
        for _ in 0..5 {
            let (h, gate) = (h.clone(), gate.clone());
            tasks.push(tokio::spawn(async move {
                h.run("Greedy@x.io", move |_, _| {
                    let _ = gate.lock().map(|g| g.recv());
                })
                .await
            }));
        }
        let deadline = Instant::now() + std::time::Duration::from_secs(10);
        while tasks.iter().filter(|t| t.is_finished()).count() < 3 {
            assert!(Instant::now() < deadline, "the excess was not refused");
            tokio::task::yield_now().await;
        }
        // Another account still has room while the greedy one holds its two slots.
        let other = {
            let h = h.clone();
            tokio::spawn(async move { h.run("other@x.io", |_, _| ()).await })
        };
        drop(open);
        let mut limited = 0;
        for t in tasks {
            if let Err(Error::RateLimited { .. }) = t.await.unwrap() {
                limited += 1;
            }
        }
        assert_eq!(limited, 3, "the same account, whatever its case");
        assert!(other.await.unwrap().is_ok());
        // Slots are given back: the account may hash again.
        assert!(h.run("greedy@x.io", |_, _| ()).await.is_ok());
        assert!(h.inner.per_account.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn hashes_made_by_the_argon2_crate_still_verify() {
        use argon2::PasswordHasher as _;
        let h = PasswordHasher::new(&fast(), Arc::new(Metrics::new().unwrap())).unwrap();
        let params = Params::new(128, 1, 1, None).unwrap();
        let legacy = argon(params)
            .hash_password_with_salt(b"Correct1horse", b"somesaltsomesalt")
            .unwrap()
            .to_string();
        assert!(
            h.verify("a@x.io", "Correct1horse", Some(&legacy))
                .await
                .unwrap(),
            "other parameters, other memory size"
        );
        assert!(
            !h.verify("a@x.io", "Wrong1horse", Some(&legacy))
                .await
                .unwrap()
        );
        assert!(
            !h.verify("a@x.io", "Correct1horse", Some("not a phc string"))
                .await
                .unwrap()
        );
    }

    #[test]
    fn strength_rules_follow_the_api() {
        assert!(check_strength("Str0ngEnough", "p").is_ok());
        for weak in [
            "Sh0rt",
            "alllowercase1",
            "ALLUPPERCASE1",
            "NoDigitsHere",
            "Password1",
            &"Aa1".repeat(50),
        ] {
            assert!(check_strength(weak, "p").is_err(), "{weak}");
        }
    }
}
