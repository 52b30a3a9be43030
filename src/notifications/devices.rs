//! Push devices: registered by push token (`push_token`, or `token` as older clients send it)
//! with platform, device id and app version. A token identifies one device: registering a token
//! already known moves it to the caller (the device changed hands) and answers `updated`.

use serde::{Deserialize, Serialize};

use crate::db::Db;
use crate::error::{Code, Error, FieldError, Result};
use crate::id::Id;
use crate::{on_tx, on_write};

/// Platforms a device may declare.
pub const PLATFORMS: [&str; 3] = ["ios", "android", "web"];

/// `POST /api/notifications/register-device`.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = DeviceRegistration))]
pub struct Registration {
    /// Required (or as `token`).
    pub push_token: Option<String>,
    pub token: Option<String>,
    /// Required: ios, android, web.
    pub platform: Option<String>,
    pub device_id: Option<String>,
    pub app_version: Option<String>,
}

/// `PATCH|POST /api/notifications/update-device`.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenChange {
    /// Required.
    pub old_push_token: Option<String>,
    /// Required.
    pub new_push_token: Option<String>,
    pub platform: Option<String>,
}

/// `DELETE|POST /api/notifications/unregister-device`.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Unregistration {
    /// Required (or as `token`).
    pub push_token: Option<String>,
    pub token: Option<String>,
}

/// The answer of a device route.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeviceAnswer {
    /// The stored device's id.
    pub device_id: Id,
    /// `registered`, `updated` or `unregistered`.
    pub status: &'static str,
}

fn token(v: Option<&str>, field: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    let Some(t) = v.map(str::trim) else {
        errors.push(FieldError::new(field, "missing", "field required"));
        return None;
    };
    if t.is_empty() || t.len() > 4096 || t.chars().any(char::is_control) {
        errors.push(FieldError::new(
            field,
            "length",
            "must be 1 to 4096 printable characters",
        ));
        return None;
    }
    Some(t.to_string())
}

fn platform(v: Option<&str>, required: bool, errors: &mut Vec<FieldError>) -> Option<String> {
    let Some(p) = v.map(|p| p.trim().to_ascii_lowercase()) else {
        if required {
            errors.push(FieldError::new(
                "body.platform",
                "missing",
                "field required",
            ));
        }
        return None;
    };
    if PLATFORMS.contains(&p.as_str()) {
        Some(p)
    } else {
        errors.push(FieldError::new(
            "body.platform",
            "enum",
            "must be ios, android or web",
        ));
        None
    }
}

fn short(v: Option<&str>, field: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    let t = v?.trim();
    if t.chars().count() > 200 || t.chars().any(char::is_control) {
        errors.push(FieldError::new(
            field,
            "length",
            "must be at most 200 printable characters",
        ));
        return None;
    }
    Some(t.to_string()).filter(|s| !s.is_empty())
}

fn refuse(errors: Vec<FieldError>) -> Result<()> {
    if errors.is_empty() {
        return Ok(());
    }
    Err(Error::Validation {
        code: Code::Validation2001,
        message: "Request validation failed".into(),
        fields: errors,
    })
}

/// Registers (or refreshes) a device for `user`. 2 statements in one transaction.
pub async fn register(db: &Db, user: Id, r: &Registration, now: i64) -> Result<DeviceAnswer> {
    let mut errors = Vec::new();
    let tok = token(
        r.push_token.as_deref().or(r.token.as_deref()),
        "body.push_token",
        &mut errors,
    );
    let plat = platform(r.platform.as_deref(), true, &mut errors);
    let device_id = short(r.device_id.as_deref(), "body.device_id", &mut errors);
    let app_version = short(r.app_version.as_deref(), "body.app_version", &mut errors);
    refuse(errors)?;
    let (Some(tok), Some(plat)) = (tok, plat) else {
        return Err(Error::Internal(
            "checked device lacks token or platform".into(),
        ));
    };
    let mut tx = db.begin().await?;
    let existing: Option<Id> = on_tx!(&mut tx, conn => sqlx::query_scalar(
        "SELECT id FROM push_devices WHERE push_token = $1")
        .bind(&tok).fetch_optional(&mut *conn).await)?;
    let id: Id = on_tx!(&mut tx, conn => sqlx::query_scalar(
        "INSERT INTO push_devices (id, user_id, push_token, platform, device_id, app_version, created_at, updated_at, last_seen_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $7) ON CONFLICT (push_token) DO UPDATE SET user_id = excluded.user_id, \
         platform = excluded.platform, device_id = excluded.device_id, app_version = excluded.app_version, \
         updated_at = excluded.updated_at, last_seen_at = excluded.last_seen_at RETURNING id")
        .bind(Id::new()).bind(user).bind(&tok).bind(&plat).bind(&device_id).bind(&app_version).bind(now)
        .fetch_one(&mut *conn).await)?;
    tx.commit().await?;
    Ok(DeviceAnswer {
        device_id: id,
        status: if existing.is_some() {
            "updated"
        } else {
            "registered"
        },
    })
}

/// Replaces the push token of one of the caller's devices (404 when the old token is not the
/// caller's). A row already holding the new token is replaced by this device.
pub async fn update_token(db: &Db, user: Id, c: &TokenChange, now: i64) -> Result<DeviceAnswer> {
    let mut errors = Vec::new();
    let old = token(
        c.old_push_token.as_deref(),
        "body.old_push_token",
        &mut errors,
    );
    let new = token(
        c.new_push_token.as_deref(),
        "body.new_push_token",
        &mut errors,
    );
    let plat = platform(c.platform.as_deref(), false, &mut errors);
    refuse(errors)?;
    let (Some(old), Some(new)) = (old, new) else {
        return Err(Error::Internal("checked tokens missing".into()));
    };
    let mut tx = db.begin().await?;
    let id: Option<Id> = on_tx!(&mut tx, conn => sqlx::query_scalar(
        "SELECT id FROM push_devices WHERE push_token = $1 AND user_id = $2")
        .bind(&old).bind(user).fetch_optional(&mut *conn).await)?;
    let Some(id) = id else {
        return Err(Error::NotFound("Device"));
    };
    on_tx!(&mut tx, conn => sqlx::query("DELETE FROM push_devices WHERE push_token = $1 AND id <> $2")
        .bind(&new).bind(id).execute(&mut *conn).await.map(|_| ()))?;
    on_tx!(&mut tx, conn => sqlx::query(
        "UPDATE push_devices SET push_token = $2, platform = COALESCE($3, platform), updated_at = $4, last_seen_at = $4 WHERE id = $1")
        .bind(id).bind(&new).bind(&plat).bind(now).execute(&mut *conn).await.map(|_| ()))?;
    tx.commit().await?;
    Ok(DeviceAnswer {
        device_id: id,
        status: "updated",
    })
}

/// Removes one of the caller's devices by token (404 when it is not the caller's). 1 statement.
pub async fn unregister(db: &Db, user: Id, u: &Unregistration) -> Result<DeviceAnswer> {
    let mut errors = Vec::new();
    let tok = token(
        u.push_token.as_deref().or(u.token.as_deref()),
        "body.push_token",
        &mut errors,
    );
    refuse(errors)?;
    let Some(tok) = tok else {
        return Err(Error::Internal("checked token missing".into()));
    };
    let id: Option<Id> = on_write!(db, pool => sqlx::query_scalar(
        "DELETE FROM push_devices WHERE push_token = $1 AND user_id = $2 RETURNING id")
        .bind(&tok).bind(user).fetch_optional(pool).await)?;
    let id = id.ok_or(Error::NotFound("Device"))?;
    Ok(DeviceAnswer {
        device_id: id,
        status: "unregistered",
    })
}
