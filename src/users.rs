//! Users: the account record, lookups, registration rows and the profile (`/api/users/me`).

use serde::{Deserialize, Serialize};

use sqlx::types::Json;

use crate::clock::{Clock, rfc3339};
use crate::db::{Db, Tx};
use crate::error::{Code, Error, FieldError, Result};
use crate::fixed::Fixed;
use crate::id::Id;
use crate::money::Money;
use crate::{on_db, on_tx};

/// The columns of [`User`], in order.
pub const USER_COLUMNS: &str = "id, email, password_hash, google_sub, name, role, is_premium, country, state, \
    zip_code, phone, timezone, currency, region, monthly_income_cents, additional_income_cents, \
    annual_income_cents, savings_goal_cents, budget_method, notifications_enabled, dark_mode_enabled, \
    has_onboarded, email_verified, token_version, failed_login_attempts, account_locked_until, \
    last_login_at, created_at, updated_at, app_settings";

/// An account as stored.
#[derive(Clone, Debug, sqlx::FromRow, mita::db::lite::LiteRow)]
pub struct User {
    pub id: Id,
    pub email: String,
    pub password_hash: Option<String>,
    pub google_sub: Option<String>,
    pub name: Option<String>,
    pub role: String,
    pub is_premium: bool,
    pub country: String,
    pub state: Option<String>,
    pub zip_code: Option<String>,
    pub phone: Option<String>,
    pub timezone: String,
    pub currency: String,
    pub region: Option<String>,
    pub monthly_income_cents: Option<i64>,
    pub additional_income_cents: Option<i64>,
    pub annual_income_cents: Option<i64>,
    pub savings_goal_cents: Option<i64>,
    pub budget_method: Option<String>,
    pub notifications_enabled: bool,
    pub dark_mode_enabled: bool,
    pub has_onboarded: bool,
    pub email_verified: bool,
    pub token_version: i32,
    pub failed_login_attempts: i32,
    pub account_locked_until: Option<i64>,
    pub last_login_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub app_settings: Json<AppSettings>,
}

/// The mobile app's settings screen, stored as one JSON object (`users.app_settings`); a key
/// never set is absent and answered with the app's own default.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct AppSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biometric_auth: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_sync: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offline_mode: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_format: Option<String>,
    /// Hundredths of a percent (8000 = 80 %).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_alert_threshold_bp: Option<i64>,
}

impl AppSettings {
    /// `self` with every key `update` sets replaced.
    fn merged(&self, update: &AppSettings) -> AppSettings {
        AppSettings {
            biometric_auth: update.biometric_auth.or(self.biometric_auth),
            auto_sync: update.auto_sync.or(self.auto_sync),
            offline_mode: update.offline_mode.or(self.offline_mode),
            language: update.language.clone().or_else(|| self.language.clone()),
            date_format: update
                .date_format
                .clone()
                .or_else(|| self.date_format.clone()),
            budget_alert_threshold_bp: update
                .budget_alert_threshold_bp
                .or(self.budget_alert_threshold_bp),
        }
    }
}

impl User {
    /// Locked at `now` (the lock ends at `account_locked_until`).
    pub fn locked_at(&self, now_ms: i64) -> bool {
        self.account_locked_until
            .is_some_and(|until| until > now_ms)
    }
}

/// A validated, normalised (trimmed, lower-case) email address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str, field: &str) -> Result<Email> {
        let email = raw.trim().to_lowercase();
        let valid = email.len() <= 254
            && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            && match email.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && local.len() <= 64
                        && !domain.contains('@')
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                        && !domain.contains("..")
                }
                None => false,
            };
        if valid {
            Ok(Email(email))
        } else {
            Err(Error::invalid(
                Code::Validation2004,
                field,
                "format",
                "must be a valid email address",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Checks an IANA timezone name.
pub fn parse_timezone(raw: &str, field: &str) -> Result<String> {
    raw.trim()
        .parse::<chrono_tz::Tz>()
        .map(|tz| tz.name().to_string())
        .map_err(|_| {
            Error::invalid(
                Code::Validation2003,
                field,
                "timezone",
                "must be an IANA timezone such as Europe/Berlin",
            )
        })
}

/// Maps a unique-constraint violation on the email to 409.
pub fn email_conflict(e: sqlx::Error) -> Error {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => Error::Conflict {
            code: Code::Resource3002,
            message: "Email already registered".into(),
        },
        _ => Error::Database(e),
    }
}

pub async fn by_id(db: &Db, id: Id) -> Result<Option<User>> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"));
    Ok(on_db!(db, pool => sqlx::query_as::<_, User>(sql).bind(id).fetch_optional(pool).await)?)
}

pub async fn by_email(db: &Db, email: &Email) -> Result<Option<User>> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1"));
    Ok(
        on_db!(db, pool => sqlx::query_as::<_, User>(sql).bind(email.as_str()).fetch_optional(pool).await)?,
    )
}

/// Reads a user inside a write transaction (sees the transaction's own writes).
pub async fn by_id_tx(tx: &mut Tx, id: Id) -> Result<Option<User>> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"));
    Ok(
        on_tx!(tx, conn => sqlx::query_as::<_, User>(sql).bind(id).fetch_optional(&mut *conn).await)?,
    )
}

/// A new account's fields.
#[derive(Clone, Debug, Default)]
pub struct NewUser {
    pub email: Option<Email>,
    pub password_hash: Option<String>,
    pub google_sub: Option<String>,
    pub name: Option<String>,
    pub role: String,
    pub country: String,
    pub timezone: String,
    pub state: Option<String>,
    pub zip_code: Option<String>,
    pub phone: Option<String>,
    pub annual_income: Option<Money>,
    pub email_verified: bool,
}

/// Inserts an account; a taken email is 409.
pub async fn insert(db: &Db, clock: &Clock, new: NewUser) -> Result<Id> {
    let mut tx = db.begin().await?;
    let id = insert_in(&mut tx, clock, new).await?;
    tx.commit().await?;
    Ok(id)
}

/// Inserts an account inside a write transaction; a taken email is 409.
pub async fn insert_in(tx: &mut Tx, clock: &Clock, new: NewUser) -> Result<Id> {
    let id = Id::new();
    let now = clock.now_ms();
    let email = new
        .email
        .as_ref()
        .map(|e| e.as_str().to_string())
        .unwrap_or_default();
    let annual = new.annual_income.map(Money::cents);
    let monthly = annual.map(|a| a / 12);
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO users (id, email, password_hash, google_sub, name, role, is_premium, country, timezone, state, \
         zip_code, phone, annual_income_cents, monthly_income_cents, email_verified, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)")
        .bind(id).bind(&email).bind(&new.password_hash).bind(&new.google_sub).bind(&new.name)
        .bind(&new.role).bind(new.role == "premium_user").bind(&new.country).bind(&new.timezone)
        .bind(&new.state).bind(&new.zip_code).bind(&new.phone).bind(annual).bind(monthly)
        .bind(new.email_verified).bind(now)
        .execute(&mut *conn).await.map(|_| ()))
    .map_err(email_conflict)?;
    Ok(id)
}

/// The profile the app reads from `GET /api/users/me`.
#[derive(Clone, Debug, Serialize)]
pub struct Profile {
    pub id: Id,
    pub email: String,
    pub name: Option<String>,
    pub country: String,
    pub timezone: String,
    pub income: Option<Money>,
    pub savings_goal: Option<Money>,
    pub budget_method: Option<String>,
    pub currency: String,
    pub region: Option<String>,
    pub notifications_enabled: bool,
    pub dark_mode_enabled: bool,
    pub has_onboarded: bool,
    pub email_verified: bool,
    pub is_premium: bool,
    pub role: String,
    pub created_at: String,
    pub member_since: String,
    /// Percent of the optional profile fields that are filled in.
    pub profile_completion: u8,
    /// The same as `email_verified` (the profile screen's name).
    pub verified_email: bool,
    /// Where the user is: the region when set, else the country.
    pub location: String,
    /// The settings screen's preferences (the app's defaults until set).
    pub biometric_auth: bool,
    pub auto_sync: bool,
    pub offline_mode: bool,
    pub language: String,
    pub date_format: String,
    /// Percent of a budget used before an alert (0–100, two decimals).
    pub budget_alert_threshold: Fixed,
}

impl From<&User> for Profile {
    fn from(u: &User) -> Profile {
        let optional = [
            u.name.is_some(),
            u.monthly_income_cents.is_some(),
            u.savings_goal_cents.is_some(),
            u.budget_method.is_some(),
            u.region.is_some(),
            u.timezone != "UTC",
            u.has_onboarded,
        ];
        let filled = optional.iter().filter(|b| **b).count();
        let completion = u8::try_from(filled * 100 / optional.len()).unwrap_or(100);
        let s = &u.app_settings.0;
        Profile {
            id: u.id,
            email: u.email.clone(),
            name: u.name.clone(),
            country: u.country.clone(),
            timezone: u.timezone.clone(),
            income: u.monthly_income_cents.map(Money::from_cents),
            savings_goal: u.savings_goal_cents.map(Money::from_cents),
            budget_method: u.budget_method.clone(),
            currency: u.currency.clone(),
            region: u.region.clone(),
            notifications_enabled: u.notifications_enabled,
            dark_mode_enabled: u.dark_mode_enabled,
            has_onboarded: u.has_onboarded,
            email_verified: u.email_verified,
            is_premium: u.is_premium,
            role: u.role.clone(),
            created_at: rfc3339(u.created_at),
            member_since: rfc3339(u.created_at),
            profile_completion: completion,
            verified_email: u.email_verified,
            location: u.region.clone().unwrap_or_else(|| u.country.clone()),
            biometric_auth: s.biometric_auth.unwrap_or(false),
            auto_sync: s.auto_sync.unwrap_or(true),
            offline_mode: s.offline_mode.unwrap_or(true),
            language: s.language.clone().unwrap_or_else(|| "English".into()),
            date_format: s.date_format.clone().unwrap_or_else(|| "MM/dd/yyyy".into()),
            budget_alert_threshold: Fixed::new(s.budget_alert_threshold_bp.unwrap_or(8_000), 2),
        }
    }
}

/// `PATCH /api/users/me`: only these fields; anything else in the body is ignored. The settings
/// screen's names `dark_mode` and `notifications` are accepted for the `*_enabled` fields.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfileUpdate {
    pub name: Option<String>,
    /// Accepted only when it is the current address (the app sends it with every save); a
    /// different one is 422 `VALIDATION_2004` and nothing is applied: the address changes with
    /// `POST /api/users/me/email`.
    pub email: Option<String>,
    pub country: Option<String>,
    pub timezone: Option<String>,
    pub income: Option<Money>,
    pub savings_goal: Option<Money>,
    pub budget_method: Option<String>,
    pub currency: Option<String>,
    pub region: Option<String>,
    /// Also accepted as `notifications`.
    #[serde(alias = "notifications")]
    pub notifications_enabled: Option<bool>,
    /// Also accepted as `dark_mode`.
    #[serde(alias = "dark_mode")]
    pub dark_mode_enabled: Option<bool>,
    pub biometric_auth: Option<bool>,
    pub auto_sync: Option<bool>,
    pub offline_mode: Option<bool>,
    /// At most 32 characters.
    pub language: Option<String>,
    /// At most 20 characters.
    pub date_format: Option<String>,
    /// A percent 0–100 with at most two decimals (number or text).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f64>))]
    pub budget_alert_threshold: Option<serde_json::Value>,
}

/// A percent 0–100 with at most two decimals, in hundredths (`80.5` → 8050).
fn percent_bp(v: &serde_json::Value, field: &str, errors: &mut Vec<FieldError>) -> Option<i64> {
    let text = match v {
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::String(s) => s.clone(),
        _ => String::new(),
    };
    match Money::parse(&text) {
        Ok(m) if (0..=10_000).contains(&m.cents()) => Some(m.cents()),
        _ => {
            errors.push(FieldError::new(
                field,
                "range",
                "must be a percent from 0 to 100 with at most two decimals",
            ));
            None
        }
    }
}

fn short_text(
    v: &Option<String>,
    field: &str,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let v = v.as_ref()?.trim().to_string();
    if v.chars().count() > max || v.chars().any(char::is_control) {
        errors.push(FieldError::new(
            field,
            "length",
            format!("must be at most {max} printable characters"),
        ));
        return None;
    }
    Some(v)
}

/// The answer to a profile update that tries to change the address (422 `VALIDATION_2004`).
pub fn email_change_elsewhere() -> Error {
    Error::Validation {
        code: Code::Validation2004,
        message: "The email address cannot be changed here".into(),
        fields: vec![FieldError::new(
            "body.email",
            "email_change",
            "is changed with POST /api/users/me/email (the current password, then a link sent to the new address)",
        )],
    }
}

/// Validates and applies a profile update; returns the new profile. `email` may only repeat
/// the current address ([`email_change_elsewhere`] otherwise).
pub async fn update_profile(
    db: &Db,
    clock: &Clock,
    id: Id,
    update: ProfileUpdate,
) -> Result<Profile> {
    let mut errors = Vec::new();
    let name = short_text(&update.name, "body.name", 100, &mut errors);
    let country =
        short_text(&update.country, "body.country", 2, &mut errors).map(|c| c.to_uppercase());
    if country
        .as_ref()
        .is_some_and(|c| c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_alphabetic()))
    {
        errors.push(FieldError::new(
            "body.country",
            "format",
            "must be a two-letter country code",
        ));
    }
    let region = short_text(&update.region, "body.region", 100, &mut errors);
    let settings = AppSettings {
        biometric_auth: update.biometric_auth,
        auto_sync: update.auto_sync,
        offline_mode: update.offline_mode,
        language: short_text(&update.language, "body.language", 32, &mut errors),
        date_format: short_text(&update.date_format, "body.date_format", 20, &mut errors),
        budget_alert_threshold_bp: update
            .budget_alert_threshold
            .as_ref()
            .and_then(|v| percent_bp(v, "body.budget_alert_threshold", &mut errors)),
    };
    let budget_method = short_text(&update.budget_method, "body.budget_method", 50, &mut errors);
    let currency =
        short_text(&update.currency, "body.currency", 3, &mut errors).map(|c| c.to_uppercase());
    if currency
        .as_ref()
        .is_some_and(|c| c.len() != 3 || !c.chars().all(|ch| ch.is_ascii_alphabetic()))
    {
        errors.push(FieldError::new(
            "body.currency",
            "format",
            "must be a three-letter currency code",
        ));
    }
    for (field, m) in [
        ("body.income", update.income),
        ("body.savings_goal", update.savings_goal),
    ] {
        if m.is_some_and(Money::is_negative) {
            errors.push(FieldError::new(field, "range", "must not be negative"));
        }
    }
    let timezone = match &update.timezone {
        Some(tz) => match parse_timezone(tz, "body.timezone") {
            Ok(tz) => Some(tz),
            Err(Error::Validation { fields, .. }) => {
                errors.extend(fields);
                None
            }
            Err(e) => return Err(e),
        },
        None => None,
    };
    let email = match &update.email {
        Some(e) => match Email::parse(e, "body.email") {
            Ok(e) => Some(e.as_str().to_string()),
            Err(Error::Validation { fields, .. }) => {
                errors.extend(fields);
                None
            }
            Err(e) => return Err(e),
        },
        None => None,
    };
    if !errors.is_empty() {
        return Err(Error::Validation {
            code: Code::Validation2001,
            message: "Request validation failed".into(),
            fields: errors,
        });
    }
    let now = clock.now_ms();
    let income = update.income.map(Money::cents);
    let annual = income.map(|m| m.saturating_mul(12));
    // One transaction: the settings object is read, merged and written back under the user's
    // lock, so concurrent updates of different keys do not undo each other.
    let mut tx = db.begin().await?;
    crate::db::lock_user(&mut tx, id).await?;
    let current = by_id_tx(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("User"))?;
    // The settings screen sends the current address with every save: that one is accepted as
    // it is. A different one is refused whole (nothing is applied), so the app cannot show a
    // change as saved that never happened: a change needs the confirmed flow.
    if email.as_ref().is_some_and(|e| *e != current.email) {
        tx.rollback().await?;
        return Err(email_change_elsewhere());
    }
    let app_settings = Json(current.app_settings.0.merged(&settings));
    on_tx!(&mut tx, conn => sqlx::query(
        "UPDATE users SET name = COALESCE($2, name), country = COALESCE($3, country), \
         timezone = COALESCE($4, timezone), monthly_income_cents = COALESCE($5, monthly_income_cents), \
         annual_income_cents = COALESCE($6, annual_income_cents), savings_goal_cents = COALESCE($7, savings_goal_cents), \
         budget_method = COALESCE($8, budget_method), currency = COALESCE($9, currency), region = COALESCE($10, region), \
         notifications_enabled = COALESCE($11, notifications_enabled), dark_mode_enabled = COALESCE($12, dark_mode_enabled), \
         app_settings = $13, updated_at = $14 WHERE id = $1")
        .bind(id).bind(&name).bind(&country).bind(&timezone).bind(income).bind(annual)
        .bind(update.savings_goal.map(Money::cents)).bind(&budget_method).bind(&currency).bind(&region)
        .bind(update.notifications_enabled).bind(update.dark_mode_enabled).bind(&app_settings).bind(now)
        .execute(&mut *conn).await.map(|_| ()))?;
    let user = by_id_tx(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("User"))?;
    tx.commit().await?;
    Ok(Profile::from(&user))
}

pub async fn by_google_sub(db: &Db, sub: &str) -> Result<Option<User>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users WHERE google_sub = $1"
    ));
    Ok(on_db!(db, pool => sqlx::query_as::<_, User>(sql).bind(sub).fetch_optional(pool).await)?)
}

/// Links a Google account to an existing user that has none yet (false when it has one).
pub async fn link_google(tx: &mut Tx, clock: &Clock, id: Id, sub: &str) -> Result<bool> {
    let linked = on_tx!(tx, conn => sqlx::query(
        "UPDATE users SET google_sub = $2, email_verified = TRUE, updated_at = $3 \
         WHERE id = $1 AND (google_sub IS NULL OR google_sub = $2)")
        .bind(id).bind(sub).bind(clock.now_ms()).execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    Ok(linked > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Ann@Example.COM ", "e").unwrap().as_str(),
            "ann@example.com"
        );
        for bad in [
            "", "a", "a@b", "@b.c", "a@@b.c", "a b@c.d", "a@b..c", "a@.b.c", "a@b.c.",
        ] {
            assert!(Email::parse(bad, "e").is_err(), "{bad}");
        }
    }

    #[test]
    fn timezones_are_iana_names() {
        assert_eq!(
            parse_timezone("Europe/Berlin", "tz").unwrap(),
            "Europe/Berlin"
        );
        assert!(parse_timezone("Mars/Olympus", "tz").is_err());
    }
}
