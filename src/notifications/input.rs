//! The body of `POST /api/notifications/create` and its checks.

use serde::Deserialize;
use serde_json::Value;

use crate::error::{Code, Error, FieldError, Result};
use crate::input::{Lines, text};

/// The notification types of the app's model.
pub const TYPES: [&str; 7] = [
    "alert",
    "warning",
    "info",
    "tip",
    "achievement",
    "reminder",
    "recommendation",
];
/// Priorities, lowest first.
pub const PRIORITIES: [&str; 4] = ["low", "medium", "high", "critical"];
/// Delivery channels.
pub const CHANNELS: [&str; 3] = ["push", "email", "in_app"];

/// Largest `data` object (serialized), in bytes.
const MAX_DATA_BYTES: usize = 8 * 1024;

/// `POST /api/notifications/create` (`body` is accepted for `message`, `notification_type` for
/// `type`).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct NotificationInput {
    pub title: Option<String>,
    pub message: Option<String>,
    pub body: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub notification_type: Option<String>,
    pub priority: Option<String>,
    pub image_url: Option<String>,
    pub action_url: Option<String>,
    pub data: Option<Value>,
    pub channel: Option<String>,
    pub scheduled_for: Option<String>,
    pub expires_at: Option<String>,
    pub category: Option<String>,
    pub group_key: Option<String>,
}

/// Checked values of a [`NotificationInput`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Checked {
    pub title: String,
    pub message: String,
    pub kind: String,
    pub priority: String,
    pub image_url: Option<String>,
    pub action_url: Option<String>,
    pub data: Option<Value>,
    pub channel: Option<String>,
    pub scheduled_for: Option<i64>,
    pub expires_at: Option<i64>,
    pub category: Option<String>,
    pub group_key: Option<String>,
}

fn one_of(
    v: Option<&str>,
    field: &str,
    allowed: &[&str],
    default: &str,
    errors: &mut Vec<FieldError>,
) -> String {
    let Some(v) = v else {
        return default.to_string();
    };
    let v = v.trim().to_ascii_lowercase();
    if allowed.contains(&v.as_str()) {
        v
    } else {
        errors.push(FieldError::new(
            field,
            "enum",
            format!("must be one of {}", allowed.join(", ")),
        ));
        default.to_string()
    }
}

impl NotificationInput {
    /// Validates the body: `title` and `message` required; `type`, `priority`, `channel` from
    /// their vocabularies; `data` an object; `expires_at` (RFC 3339) in the future.
    /// `tz`: the user's timezone, in which date-times without an offset are read.
    pub fn check(&self, now: i64, tz: chrono_tz::Tz) -> Result<Checked> {
        let mut errors = Vec::new();
        let mut field = |v, name, max| text(v, name, (1, max), Lines::Many, &mut errors);
        let raw_message = self.message.as_deref().or(self.body.as_deref());
        let title = field(self.title.as_deref(), "body.title", 200);
        let message = field(raw_message, "body.message", 2000);
        let image_url = field(self.image_url.as_deref(), "body.image_url", 2048);
        let action_url = field(self.action_url.as_deref(), "body.action_url", 2048);
        let category = field(self.category.as_deref(), "body.category", 50);
        let group_key = field(self.group_key.as_deref(), "body.group_key", 100);
        if self.title.is_none() {
            errors.push(FieldError::new("body.title", "missing", "field required"));
        }
        if raw_message.is_none() {
            errors.push(FieldError::new("body.message", "missing", "field required"));
        }
        let kind = self.kind.as_deref().or(self.notification_type.as_deref());
        let kind = one_of(kind, "body.type", &TYPES, "info", &mut errors);
        let priority = one_of(
            self.priority.as_deref(),
            "body.priority",
            &PRIORITIES,
            "medium",
            &mut errors,
        );
        let channel = self
            .channel
            .as_deref()
            .map(|c| one_of(Some(c), "body.channel", &CHANNELS, "in_app", &mut errors));
        let data = match &self.data {
            None | Some(Value::Null) => None,
            Some(Value::Object(o))
                if serde_json::to_string(o)
                    .map(|s| s.len())
                    .unwrap_or(usize::MAX)
                    <= MAX_DATA_BYTES =>
            {
                Some(Value::Object(o.clone()))
            }
            Some(_) => {
                errors.push(FieldError::new(
                    "body.data",
                    "type",
                    "must be an object of at most 8 KiB",
                ));
                None
            }
        };
        let mut instant = |v: &Option<String>, field: &str| -> Option<i64> {
            let v = v.as_deref()?;
            match crate::time::parse_instant(v, field, tz) {
                Ok(ms) => Some(ms),
                Err(_) => {
                    errors.push(FieldError::new(
                        field,
                        "date",
                        "must be an RFC 3339 date-time",
                    ));
                    None
                }
            }
        };
        let scheduled_for = instant(&self.scheduled_for, "body.scheduled_for");
        let expires_at = instant(&self.expires_at, "body.expires_at");
        if expires_at.is_some_and(|at| at <= now) {
            errors.push(FieldError::new(
                "body.expires_at",
                "range",
                "must be in the future",
            ));
        }
        match (title, message) {
            (Some(title), Some(message)) if errors.is_empty() => Ok(Checked {
                title,
                message,
                kind,
                priority,
                image_url,
                action_url,
                data,
                channel,
                scheduled_for,
                expires_at,
                category,
                group_key,
            }),
            _ => Err(Error::Validation {
                code: Code::Validation2001,
                message: "Request validation failed".into(),
                fields: errors,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> NotificationInput {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn title_and_message_are_required_and_vocabularies_enforced() {
        assert!(parse("{}").check(0, chrono_tz::Tz::UTC).is_err());
        assert!(
            parse(r#"{"title": "t", "message": "m", "type": "spam"}"#)
                .check(0, chrono_tz::Tz::UTC)
                .is_err()
        );
        assert!(
            parse(r#"{"title": "t", "message": "m", "data": [1]}"#)
                .check(0, chrono_tz::Tz::UTC)
                .is_err()
        );
        assert!(
            parse(r#"{"title": "t", "message": "m", "expires_at": "2000-01-01T00:00:00Z"}"#)
                .check(2_000_000_000_000, chrono_tz::Tz::UTC)
                .is_err()
        );
        let ok = parse(
            r#"{"title": " Hi ", "body": "there", "notification_type": "TIP", "data": {"a": 1}}"#,
        )
        .check(0, chrono_tz::Tz::UTC)
        .unwrap();
        assert_eq!(
            (ok.title.as_str(), ok.message.as_str(), ok.kind.as_str()),
            ("Hi", "there", "tip")
        );
        assert_eq!(ok.priority, "medium");
    }
}
