//! The behaviour screen's switches (docs/insights.md, "Behaviour settings"): four preferences
//! and four notification switches, each a boolean with a documented default, one row per user in
//! `behavior_settings`. A PATCH sets the keys it names with a boolean; `null` leaves a key as it
//! is (the app sends every key, null when unset); unknown keys are ignored, a non-boolean value
//! of a known key is a 422.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use sqlx::types::Json;

use crate::db::Db;
use crate::error::{Code, Error, FieldError, Result};
use crate::id::Id;
use crate::{on_db, on_tx};

/// Preference keys and their defaults.
pub const PREFERENCES: [(&str, bool); 4] = [
    ("auto_insights", true),
    ("anomaly_detection", true),
    ("predictive_alerts", true),
    ("peer_comparison", false),
];

/// Notification switches and their defaults.
pub const NOTIFICATIONS: [(&str, bool); 4] = [
    ("pattern_alerts", true),
    ("anomaly_detection", true),
    ("budget_adaptation", true),
    ("weekly_insights", true),
];

/// Which of the two objects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    Preferences,
    Notifications,
}

impl Group {
    fn keys(self) -> &'static [(&'static str, bool); 4] {
        match self {
            Group::Preferences => &PREFERENCES,
            Group::Notifications => &NOTIFICATIONS,
        }
    }
}

type Stored = (Json<BTreeMap<String, bool>>, Json<BTreeMap<String, bool>>);

/// Every key of `group` with the stored value or its default.
fn complete(group: Group, stored: &BTreeMap<String, bool>) -> BTreeMap<String, bool> {
    group
        .keys()
        .iter()
        .map(|(k, d)| ((*k).to_string(), stored.get(*k).copied().unwrap_or(*d)))
        .collect()
}

/// The user's settings of `group`, defaults filled in. 1 statement.
pub async fn read(db: &Db, user: Id, group: Group) -> Result<BTreeMap<String, bool>> {
    let row: Option<Stored> = on_db!(db, conn => sqlx::query_as(
        "SELECT preferences, notification_settings FROM behavior_settings WHERE user_id = $1")
        .bind(user).fetch_optional(conn).await)?;
    Ok(complete(group, &stored_of(group, row)))
}

fn stored_of(group: Group, row: Option<Stored>) -> BTreeMap<String, bool> {
    match (group, row) {
        (_, None) => BTreeMap::new(),
        (Group::Preferences, Some((p, _))) => p.0,
        (Group::Notifications, Some((_, n))) => n.0,
    }
}

/// Sets the keys `body` names; answers every key afterwards. 2 statements in one transaction.
pub async fn update(
    db: &Db,
    user: Id,
    group: Group,
    body: &Map<String, Value>,
    now: i64,
) -> Result<BTreeMap<String, bool>> {
    let mut changes = BTreeMap::new();
    let mut errors = Vec::new();
    for (key, _) in group.keys() {
        match body.get(*key) {
            None | Some(Value::Null) => {}
            Some(Value::Bool(b)) => {
                changes.insert((*key).to_string(), *b);
            }
            Some(_) => errors.push(FieldError::new(
                format!("body.{key}"),
                "type",
                "must be true or false",
            )),
        }
    }
    if !errors.is_empty() {
        return Err(Error::Validation {
            code: Code::Validation2001,
            message: "Request validation failed".into(),
            fields: errors,
        });
    }
    let mut tx = db.begin().await?;
    let row: Option<Stored> = on_tx!(&mut tx, conn => sqlx::query_as(
        "SELECT preferences, notification_settings FROM behavior_settings WHERE user_id = $1")
        .bind(user).fetch_optional(&mut *conn).await)?;
    let (mut prefs, mut notes) = match row {
        Some((p, n)) => (p.0, n.0),
        None => (BTreeMap::new(), BTreeMap::new()),
    };
    let target = match group {
        Group::Preferences => &mut prefs,
        Group::Notifications => &mut notes,
    };
    target.extend(changes);
    let answer = complete(group, target);
    on_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO behavior_settings (user_id, preferences, notification_settings, updated_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO UPDATE SET preferences = excluded.preferences, \
         notification_settings = excluded.notification_settings, updated_at = excluded.updated_at")
        .bind(user).bind(Json(&prefs)).bind(Json(&notes)).bind(now)
        .execute(&mut *conn).await.map(|_| ()))?;
    tx.commit().await?;
    Ok(answer)
}
