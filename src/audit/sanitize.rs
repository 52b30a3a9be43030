//! Neutralising untrusted text before it is stored: control characters, line breaks and
//! bidirectional overrides become U+FFFD (so nobody can forge a log line or hide text), lengths are
//! capped, card numbers are masked, and detail keys that look like credentials have their value
//! replaced.

use serde_json::{Map, Value};

use super::AuditEvent;

/// What a sensitive detail's value is replaced with.
pub const REDACTED: &str = "[redacted]";

/// A detail key containing any of these (case-insensitive) never has its value stored.
const SENSITIVE_KEY_PARTS: [&str; 12] = [
    "password",
    "otp",
    "code",
    "challenge",
    "recovery",
    "passwd",
    "token",
    "secret",
    "authorization",
    "cookie",
    "api_key",
    "apikey",
];

const MAX_ACTOR: usize = 128;
const MAX_CLIENT_IP: usize = 64;
const MAX_USER_AGENT: usize = 512;
const MAX_REQUEST_ID: usize = 128;
const MAX_DETAIL_KEY: usize = 64;
const MAX_DETAIL_TEXT: usize = 1024;
/// Entries kept per detail object or array.
const MAX_ITEMS: usize = 64;
/// Nesting kept inside `details`; anything deeper becomes [`TOO_DEEP`].
const MAX_DEPTH: usize = 4;
const TOO_DEEP: &str = "[truncated]";

/// Sanitises every string of an event.
pub(super) fn event(mut e: AuditEvent) -> AuditEvent {
    e.actor = text(&e.actor, MAX_ACTOR);
    if e.actor.is_empty() {
        e.actor = super::ACTOR_SYSTEM.to_owned();
    }
    e.client_ip = optional(e.client_ip, MAX_CLIENT_IP);
    e.user_agent = optional(e.user_agent, MAX_USER_AGENT);
    e.request_id = optional(e.request_id, MAX_REQUEST_ID);
    e.details = object(std::mem::take(&mut e.details), 0);
    e
}

/// True for characters that must not reach a log line as they are.
fn is_dangerous(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// `s` with dangerous characters replaced and at most `max_chars` characters (the last one an
/// ellipsis when it was cut).
pub(super) fn text(s: &str, max_chars: usize) -> String {
    // Card numbers never reach the audit log (masked to their last four digits).
    let s = crate::pan::mask(s);
    let mut out = String::with_capacity(s.len().min(max_chars.saturating_mul(4)));
    for (count, c) in s.chars().enumerate() {
        if count == max_chars {
            out.pop();
            out.push('…');
            break;
        }
        out.push(if is_dangerous(c) { '\u{fffd}' } else { c });
    }
    out
}

fn optional(s: Option<String>, max_chars: usize) -> Option<String> {
    s.map(|s| text(&s, max_chars)).filter(|s| !s.is_empty())
}

fn is_sensitive(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    SENSITIVE_KEY_PARTS.iter().any(|part| key.contains(part))
}

fn object(map: Map<String, Value>, depth: usize) -> Map<String, Value> {
    map.into_iter()
        .take(MAX_ITEMS)
        .map(|(key, value)| {
            let value = if is_sensitive(&key) {
                Value::String(REDACTED.to_owned())
            } else {
                self::value(value, depth + 1)
            };
            (text(&key, MAX_DETAIL_KEY), value)
        })
        .collect()
}

fn value(v: Value, depth: usize) -> Value {
    match v {
        Value::String(s) => Value::String(text(&s, MAX_DETAIL_TEXT)),
        Value::Array(items) if depth < MAX_DEPTH => Value::Array(
            items
                .into_iter()
                .take(MAX_ITEMS)
                .map(|v| value(v, depth + 1))
                .collect(),
        ),
        Value::Object(map) if depth < MAX_DEPTH => Value::Object(object(map, depth)),
        Value::Array(_) | Value::Object(_) => Value::String(TOO_DEEP.to_owned()),
        mut number @ Value::Number(_) => {
            crate::pan::mask_json(&mut number);
            number
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_numbers_in_details_are_masked() {
        let masked = object(
            serde_json::json!({"note": "card 4111 1111 1111 1111", "pan": 4242424242424242_u64})
                .as_object()
                .cloned()
                .unwrap_or_default(),
            0,
        );
        let text = serde_json::to_string(&masked).unwrap_or_default();
        assert!(
            text.contains("**** **** **** 1111") && text.contains("************4242"),
            "{text}"
        );
    }

    #[test]
    fn long_text_is_cut_to_the_cap_with_an_ellipsis() {
        assert_eq!(text("abcdef", 4), "abc…");
        assert_eq!(text("abcd", 4), "abcd");
        assert_eq!(text("ééééé", 3).chars().count(), 3);
    }

    #[test]
    fn line_breaks_controls_and_bidi_overrides_are_replaced() {
        assert_eq!(
            text("a\r\nb\u{1b}[31m\u{7f}\u{85}\u{2028}\u{202e}c\td", 100),
            "a\u{fffd}\u{fffd}b\u{fffd}[31m\u{fffd}\u{fffd}\u{fffd}\u{fffd}c\u{fffd}d"
        );
    }

    #[test]
    fn sensitive_keys_are_recognised_case_insensitively() {
        for key in [
            "password",
            "newPassword",
            "ACCESS_TOKEN",
            "client_secret",
            "Cookie",
        ] {
            assert!(is_sensitive(key), "{key}");
        }
        for key in ["source", "action", "family", "role"] {
            assert!(!is_sensitive(key), "{key}");
        }
    }

    #[test]
    fn nesting_beyond_the_limit_is_truncated() {
        let deep = serde_json::json!({"a": {"b": {"c": {"d": {"e": 1}}}}});
        let Value::Object(map) = deep else {
            unreachable!()
        };
        let out = Value::Object(object(map, 0));
        assert_eq!(out["a"]["b"]["c"]["d"], Value::String(TOO_DEEP.into()));
    }
}
