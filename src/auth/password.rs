//! Password hashing with argon2id, off the async runtime, on a bounded pool.
//!
//! At most `workers` hashes run at once (default: the CPU count — more only slows each one down)
//! and at most `queue` more may wait. Beyond that the caller gets [`Error::Unavailable`] at once
//! (HTTP 503 + `Retry-After`) instead of joining an ever-growing backlog.

use std::sync::Arc;
use std::time::Instant;

use argon2::{Algorithm, Argon2, Params, PasswordHasher as _, PasswordVerifier as _, Version};
use tokio::sync::Semaphore;

use crate::config::AuthSettings;
use crate::error::{Error, FieldError, Result};
use crate::metrics::Metrics;

/// Common passwords refused at registration (lower-case, one per line).
const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// The hashing service. Cheap to clone.
#[derive(Clone)]
pub struct PasswordHasher {
    inner: Arc<Inner>,
}

struct Inner {
    params: Params,
    running: Semaphore,
    admitted: Semaphore,
    capacity: usize,
    /// A hash of a random password: unknown emails are verified against it, so they cost the
    /// same as a wrong password.
    dummy_hash: String,
    metrics: Arc<Metrics>,
}

fn argon(params: &Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
}

fn hash_blocking(params: &Params, password: &str) -> Result<String> {
    let salt: [u8; 16] = rand::random();
    argon(params)
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("argon2 hash: {e}")))
}

fn verify_blocking(params: &Params, password: &str, hash: &str) -> bool {
    argon(params)
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

impl PasswordHasher {
    /// Builds the pool from the settings (computes the dummy hash once, synchronously).
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
        let capacity = workers + settings.hash_queue;
        let random: [u8; 24] = rand::random();
        let dummy_hash = hash_blocking(&params, &format!("{random:?}"))?;
        Ok(PasswordHasher {
            inner: Arc::new(Inner {
                params,
                running: Semaphore::new(workers),
                admitted: Semaphore::new(capacity),
                capacity,
                dummy_hash,
                metrics,
            }),
        })
    }

    /// Runs `work` on the blocking pool once a worker is free; refuses at once when the pool
    /// and its queue are full.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Params) -> T + Send + 'static,
    ) -> Result<T> {
        let inner = self.inner.clone();
        let Ok(_admitted) = inner.admitted.try_acquire() else {
            return Err(Error::Unavailable {
                reason: "password hashing queue full".into(),
                retry_after_secs: 1,
            });
        };
        self.update_depth();
        let result = async {
            let _worker = inner
                .running
                .acquire()
                .await
                .map_err(|e| Error::Internal(e.to_string()))?;
            let inner2 = inner.clone();
            tokio::task::spawn_blocking(move || {
                let started = Instant::now();
                let out = work(&inner2.params);
                inner2
                    .metrics
                    .password_hash_duration_seconds
                    .with_label_values::<&str>(&[])
                    .observe(started.elapsed().as_secs_f64());
                out
            })
            .await
            .map_err(|e| Error::Internal(format!("hash task: {e}")))
        }
        .await;
        drop(_admitted);
        self.update_depth();
        result
    }

    fn update_depth(&self) {
        let in_use = self.inner.capacity - self.inner.admitted.available_permits();
        self.inner
            .metrics
            .password_hash_queue_depth
            .set(i64::try_from(in_use).unwrap_or(i64::MAX));
    }

    /// Hashes a new password (PHC string).
    pub async fn hash(&self, password: &str) -> Result<String> {
        let password = password.to_owned();
        self.run(move |params| hash_blocking(params, &password))
            .await?
    }

    /// Checks a password against a stored hash; `None` (no such user, or no password set)
    /// verifies against the dummy hash and returns false, at the same cost.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> Result<bool> {
        let password = password.to_owned();
        let (hash, real) = match hash {
            Some(h) => (h.to_owned(), true),
            None => (self.inner.dummy_hash.clone(), false),
        };
        let ok = self
            .run(move |params| verify_blocking(params, &password, &hash))
            .await?;
        Ok(ok && real)
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
            code: "VALIDATION_2005",
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
        let stored = h.hash("Correct1horse").await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(h.verify("Correct1horse", Some(&stored)).await.unwrap());
        assert!(!h.verify("Wrong1horse", Some(&stored)).await.unwrap());
        assert!(
            !h.verify("Correct1horse", None).await.unwrap(),
            "no user never verifies"
        );
    }

    #[tokio::test]
    async fn a_full_queue_refuses_at_once() {
        let settings = AuthSettings {
            hash_workers: 1,
            hash_queue: 0,
            ..fast()
        };
        let h = PasswordHasher::new(&settings, Arc::new(Metrics::new().unwrap())).unwrap();
        // Hold the only admission slot from outside, as a long-running hash would.
        let _slot = h.inner.admitted.try_acquire().unwrap();
        let err = h.hash("Correct1horse").await.unwrap_err();
        assert!(matches!(err, Error::Unavailable { .. }), "{err:?}");
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
