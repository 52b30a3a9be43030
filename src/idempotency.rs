//! `Idempotency-Key` (API.md §1): the same key with the same body replays the first answer
//! (status and body) without a second write; the same key with another body → 422; a key whose
//! first request is still running → 409. The key is claimed and completed inside the caller's
//! write transaction, so the write and its stored answer commit together — or neither does, and
//! a retry may run again. Keys are per user and kept 24 hours.
//!
//! Every idempotent write goes through [`begin`] (transaction, user lock, claim, replay and its
//! metrics) and [`commit`] (the answer stored with the write), and answers an [`Answer`] that
//! carries its HTTP status, replayed or fresh.

use sha2::{Digest, Sha256};

use crate::db::{Db, Tx};
use crate::error::{Code, Error, Result};
use crate::id::Id;
use crate::metrics::{IdempotencyOutcome, Metrics};
use crate::on_tx;

/// How long a key is remembered.
pub const TTL_MS: i64 = 24 * 60 * 60 * 1000;
pub const MAX_KEY_LEN: usize = 255;

/// A key presented with a request, and a fingerprint of the request it came with.
#[derive(Clone, Debug)]
pub struct IdempotencyKey {
    pub key: String,
    pub route: String,
    pub request_hash: String,
}

impl IdempotencyKey {
    /// Validates the header value and fingerprints the request body.
    pub fn new(key: &str, route: &str, body: &[u8]) -> Result<Self> {
        let key = key.trim();
        if key.is_empty() || key.len() > MAX_KEY_LEN || key.chars().any(char::is_control) {
            return Err(Error::BadRequest {
                code: Code::Validation2002,
                message: "Idempotency-Key must be 1 to 255 printable characters".into(),
            });
        }
        let digest = Sha256::digest(body);
        Ok(IdempotencyKey {
            key: key.to_string(),
            route: route.to_string(),
            request_hash: digest.iter().map(|b| format!("{b:02x}")).collect(),
        })
    }
}

/// What to do with a request that carries a key.
#[derive(Debug, PartialEq, Eq)]
pub enum Claim {
    /// First time: do the work, then [`complete`] in the same transaction.
    Proceed,
    /// Seen before with the same body: answer this again.
    Replay { status: u16, body: String },
    /// Seen before with a different body or route.
    Mismatch,
    /// The first request with this key has not finished.
    InFlight,
}

#[derive(sqlx::FromRow, mita::db::lite::LiteRow)]
struct Stored {
    route: String,
    request_hash: String,
    status: String,
    response_status: Option<i32>,
    response_body: Option<String>,
    expires_at: i64,
}

/// Claims `key` for `user` inside `tx`. On PostgreSQL a concurrent request with the same key
/// waits on the row until the first commits, then replays its answer.
async fn claim(tx: &mut Tx, user: Id, key: &IdempotencyKey, now: i64) -> Result<Claim> {
    let inserted: Option<String> = on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO idempotency_keys (user_id, key, route, request_hash, status, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, 'in_flight', $5, $6) ON CONFLICT (user_id, key) DO NOTHING RETURNING key")
        .bind(user).bind(&key.key).bind(&key.route).bind(&key.request_hash).bind(now).bind(now + TTL_MS)
        .fetch_optional(&mut *conn).await)?;
    if inserted.is_some() {
        return Ok(Claim::Proceed);
    }
    let stored: Option<Stored> = on_tx!(tx, conn => sqlx::query_as(
        "SELECT route, request_hash, status, response_status, response_body, expires_at FROM idempotency_keys \
         WHERE user_id = $1 AND key = $2")
        .bind(user).bind(&key.key).fetch_optional(&mut *conn).await)?;
    let Some(stored) = stored else {
        return Ok(Claim::InFlight);
    };
    if stored.expires_at < now {
        // An expired key is a new key.
        on_tx!(tx, conn => sqlx::query(
            "UPDATE idempotency_keys SET route = $3, request_hash = $4, status = 'in_flight', response_status = NULL, \
             response_body = NULL, created_at = $5, expires_at = $6 WHERE user_id = $1 AND key = $2")
            .bind(user).bind(&key.key).bind(&key.route).bind(&key.request_hash).bind(now).bind(now + TTL_MS)
            .execute(&mut *conn).await.map(|_| ()))?;
        return Ok(Claim::Proceed);
    }
    if stored.route != key.route || stored.request_hash != key.request_hash {
        return Ok(Claim::Mismatch);
    }
    match (
        stored.status.as_str(),
        stored.response_status,
        stored.response_body,
    ) {
        ("completed", Some(status), Some(body)) => Ok(Claim::Replay {
            status: u16::try_from(status).unwrap_or(200),
            body,
        }),
        _ => Ok(Claim::InFlight),
    }
}

/// Stores the answer given for a claimed key (same transaction as the write).
async fn complete(
    tx: &mut Tx,
    user: Id,
    key: &IdempotencyKey,
    status: u16,
    body: &str,
) -> Result<()> {
    on_tx!(tx, conn => sqlx::query(
        "UPDATE idempotency_keys SET status = 'completed', response_status = $3, response_body = $4 WHERE user_id = $1 AND key = $2")
        .bind(user).bind(&key.key).bind(i32::from(status)).bind(body).execute(&mut *conn).await.map(|_| ()))?;
    Ok(())
}

/// The errors for a key that cannot proceed.
fn refusal(claim: &Claim) -> Option<Error> {
    match claim {
        Claim::Mismatch => Some(Error::Validation {
            code: Code::Validation2001,
            message: "Idempotency-Key was used with a different request".into(),
            fields: vec![crate::error::FieldError::new(
                "header.Idempotency-Key",
                "idempotency",
                "was already used with a different body",
            )],
        }),
        Claim::InFlight => Some(Error::Conflict {
            code: Code::Resource3003,
            message: "A request with this Idempotency-Key is still in progress".into(),
        }),
        _ => None,
    }
}

/// The answer of an idempotent write: its HTTP status and the exact envelope text; a replay
/// carries the status and text stored with the first answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

impl Answer {
    /// A fresh 200 answer.
    pub fn ok(body: String) -> Answer {
        Answer { status: 200, body }
    }

    /// A fresh 201 answer.
    pub fn created(body: String) -> Answer {
        Answer { status: 201, body }
    }
}

/// How an idempotent write starts.
pub enum Begun {
    /// Do the write in this transaction, then [`commit`] it with its answer.
    Write(Tx),
    /// The key's first answer, to give again.
    Replay(Answer),
}

/// Starts an idempotent write: a transaction holding the user lock, with `key` (when given)
/// claimed. A replay commits at once — on SQLite the stored answer may be a concurrent write's,
/// committed with this one's batch: it is answered once it is on disk. A key used with another
/// body (422) or still in flight (409) is an error. Each outcome but a first use is counted in
/// `mita_idempotency_replays_total`.
pub async fn begin(
    db: &Db,
    user: Id,
    key: Option<&IdempotencyKey>,
    now: i64,
    metrics: &Metrics,
) -> Result<Begun> {
    let mut tx = db.begin().await?;
    crate::db::lock_user(&mut tx, user).await?;
    let Some(key) = key else {
        return Ok(Begun::Write(tx));
    };
    let claimed = claim(&mut tx, user, key, now).await?;
    let outcome = match &claimed {
        Claim::Proceed => return Ok(Begun::Write(tx)),
        Claim::Replay { .. } => IdempotencyOutcome::Replayed,
        Claim::Mismatch => IdempotencyOutcome::Mismatch,
        Claim::InFlight => IdempotencyOutcome::Conflict,
    };
    metrics.idempotency_replays_total.inc(outcome);
    if let Claim::Replay { status, body } = claimed {
        tx.commit().await?;
        return Ok(Begun::Replay(Answer { status, body }));
    }
    Err(refusal(&claimed).unwrap_or_else(|| Error::Internal("claim".into())))
}

/// Stores `answer` for `key` (when given) in the write's transaction and commits both.
pub async fn commit(
    mut tx: Tx,
    user: Id,
    key: Option<&IdempotencyKey>,
    answer: Answer,
) -> Result<Answer> {
    if let Some(key) = key {
        complete(&mut tx, user, key, answer.status, &answer.body).await?;
    }
    tx.commit().await?;
    Ok(answer)
}
