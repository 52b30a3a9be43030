//! Optional error tracking with Sentry (`SENTRY_DSN`; unset = off, and then nothing here costs
//! more than one check per request).
//!
//! What is reported: panics (Sentry's panic integration, with the request's tags) and every 5xx
//! answer (one event per request: status, error code, route template, method, request id), with
//! the request's log lines as breadcrumbs. What never is: request or response bodies, headers
//! (tokens, cookies), the user, client addresses, emails or card numbers — the event carries no
//! request data at all, and [`scrub`] runs over every string of every event and breadcrumb
//! before it leaves the process (card numbers masked as in the logs, email addresses and bearer
//! tokens replaced), whatever a log line or panic message happened to contain.

use std::borrow::Cow;
use std::sync::Arc;

use axum::http::StatusCode;
use mita::config::Settings;
use mita::error::Code;
use sentry::protocol::{Breadcrumb, Event, Value as SentryValue};
use sentry::{ClientInitGuard, Hub, Level};
use serde_json::Value;

/// A response that came from a caught panic (already reported by the panic integration).
#[derive(Clone, Copy, Debug)]
pub struct Panicked;

/// The API error code of a response, for the report of a 5xx.
#[derive(Clone, Copy, Debug)]
pub struct ErrorCode(pub Code);

/// Starts the Sentry client when `sentry.dsn` (`SENTRY_DSN`) is set; keep the guard for the
/// life of the process (dropping it flushes what is queued).
pub fn init(settings: &Settings) -> Option<ClientInitGuard> {
    let dsn = settings.sentry.dsn.as_ref()?;
    let dsn = match dsn.expose().parse::<sentry::types::Dsn>() {
        Ok(dsn) => dsn,
        Err(e) => {
            tracing::error!(error = %e, "SENTRY_DSN is not a valid DSN; error tracking is off");
            return None;
        }
    };
    let environment = settings
        .sentry
        .environment
        .clone()
        .unwrap_or_else(|| settings.env.as_str().to_string());
    Some(start(options(dsn, environment)))
}

/// Starts the client with `options`. Sentry's own panic hook flushes the whole queue after each
/// panic, which would block a runtime worker for up to the shutdown timeout while the handler's
/// panic is being caught; this hook only queues the panic's event (with its backtrace) on the
/// panicking request's hub, then runs the hook that was there before.
pub fn start(options: sentry::ClientOptions) -> ClientInitGuard {
    let previous = std::panic::take_hook();
    let guard = sentry::init(options);
    let integration = sentry::integrations::panic::PanicIntegration::new();
    std::panic::set_hook(Box::new(move |info| {
        Hub::with_active(|hub| {
            hub.capture_event(integration.event_from_panic_info(info));
        });
        previous(info);
    }));
    guard
}

/// The client options: no personal data, everything scrubbed.
pub fn options(dsn: sentry::types::Dsn, environment: String) -> sentry::ClientOptions {
    let mut options = sentry::ClientOptions::default();
    options.dsn = Some(dsn);
    options.release = Some(Cow::Borrowed(env!("CARGO_PKG_VERSION")));
    options.environment = Some(Cow::Owned(environment));
    options.send_default_pii = false;
    // The host name is not personal, but neither is it needed.
    options.server_name = None;
    options.max_breadcrumbs = 50;
    options.attach_stacktrace = false;
    options.before_send = Some(Arc::new(|event| Some(scrub_event(event))));
    options.before_breadcrumb = Some(Arc::new(|crumb| Some(scrub_breadcrumb(crumb))));
    options
}

/// True when a client is bound (error tracking is on).
pub fn enabled() -> bool {
    Hub::current().client().is_some_and(|c| c.is_enabled())
}

/// A hub of its own for one request: the request's tags, and its log lines as breadcrumbs.
pub fn request_hub(request_id: &str, method: &str, route: &str) -> Arc<Hub> {
    let hub = Arc::new(Hub::new_from_top(Hub::current()));
    hub.configure_scope(|scope| {
        scope.set_tag("request_id", request_id);
        scope.set_tag("method", method);
        scope.set_tag("route", route);
    });
    hub
}

/// Reports a 5xx answer (not one from a panic: that one is reported already).
pub fn report_server_error(hub: &Hub, status: StatusCode, code: Option<Code>) {
    hub.with_scope(
        |scope| {
            scope.set_tag("status", status.as_u16());
            if let Some(code) = code {
                scope.set_tag("error_code", code.as_str());
            }
        },
        || {
            hub.capture_message(
                &format!("HTTP {} {}", status.as_u16(), code.map_or("", Code::as_str)),
                Level::Error,
            )
        },
    );
}

/// Replaces what could identify a person or unlock an account in `text`: card numbers (masked
/// as in the logs), email addresses, bearer tokens and JWTs.
pub fn scrub(text: &str) -> Cow<'_, str> {
    let masked = mita::pan::mask(text);
    let needs_more = masked.contains('@') || masked.contains("eyJ") || masked.contains("earer ");
    if !needs_more {
        return masked;
    }
    let mut out = String::with_capacity(masked.len());
    let mut redact_next = false;
    for word in masked.split_inclusive(char::is_whitespace) {
        let (core, tail) = split_trailing_space(word);
        if redact_next && !core.is_empty() {
            out.push_str("[token]");
            out.push_str(tail);
            redact_next = false;
            continue;
        }
        if core.eq_ignore_ascii_case("bearer") {
            redact_next = true;
            out.push_str(word);
        } else if looks_like_email(core) {
            out.push_str("[email]");
            out.push_str(tail);
        } else if core.contains("eyJ") {
            out.push_str("[token]");
            out.push_str(tail);
        } else {
            out.push_str(word);
        }
    }
    Cow::Owned(out)
}

fn split_trailing_space(word: &str) -> (&str, &str) {
    let end = word.trim_end().len();
    word.split_at(end)
}

/// `local@domain.tld` somewhere in the word (quotes and punctuation around it allowed).
fn looks_like_email(word: &str) -> bool {
    let Some(at) = word.find('@') else {
        return false;
    };
    let (local, domain) = (&word[..at], &word[at + 1..]);
    local.chars().any(|c| c.is_alphanumeric()) && domain.contains('.')
}

/// Identifiers the SDK generates (random hex, never personal) and must parse back: a trace id
/// with 16 digits in a row looked like a card number, was masked, and the whole event was
/// dropped (seen once in ~40 runs of the error-tracking test).
const SDK_IDS: [&str; 4] = ["event_id", "trace_id", "span_id", "parent_span_id"];

fn scrub_value(value: &mut Value) {
    match value {
        Value::String(s) => {
            if let Cow::Owned(clean) = scrub(s) {
                *s = clean;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(scrub_value),
        Value::Object(map) => map
            .iter_mut()
            .filter(|(key, _)| !SDK_IDS.contains(&key.as_str()))
            .for_each(|(_, v)| scrub_value(v)),
        _ => {}
    }
}

/// Every string of the event scrubbed; no request data, no user.
fn scrub_event(mut event: Event<'static>) -> Event<'static> {
    event.request = None;
    event.user = None;
    event.server_name = None;
    match serde_json::to_value(&event) {
        Ok(mut value) => {
            scrub_value(&mut value);
            serde_json::from_value(value).unwrap_or_else(|_| dropped_event())
        }
        Err(_) => dropped_event(),
    }
}

/// What is sent when an event cannot be scrubbed: that something happened, nothing else.
fn dropped_event() -> Event<'static> {
    Event {
        message: Some("an error event that could not be scrubbed was dropped".into()),
        level: Level::Error,
        ..Default::default()
    }
}

fn scrub_breadcrumb(mut crumb: Breadcrumb) -> Breadcrumb {
    if let Some(message) = &crumb.message
        && let Cow::Owned(clean) = scrub(message)
    {
        crumb.message = Some(clean);
    }
    for value in crumb.data.values_mut() {
        let mut json: Value = serde_json::to_value(&*value).unwrap_or(Value::Null);
        scrub_value(&mut json);
        *value = serde_json::from_value::<SentryValue>(json).unwrap_or(SentryValue::Null);
    }
    crumb
}

#[cfg(test)]
mod tests {
    use super::scrub;

    /// A trace id whose hex holds a Luhn-valid run of 16 digits is an id, not a card: the event
    /// keeps it (and is not dropped as unscrubbable), while a card in its message is masked.
    #[test]
    fn sdk_ids_that_look_like_card_numbers_are_kept() {
        use sentry::protocol::{Context, Event, TraceContext};
        let trace_id = "4111111111111111abcdefabcdefabcd";
        let mut event = Event {
            message: Some("card 4111 1111 1111 1111".into()),
            ..Default::default()
        };
        event.contexts.insert(
            "trace".into(),
            Context::Trace(Box::new(TraceContext {
                trace_id: trace_id.parse().unwrap(),
                ..Default::default()
            })),
        );
        let scrubbed = super::scrub_event(event);
        let message = scrubbed.message.clone().unwrap_or_default();
        assert!(!message.contains("dropped"), "{message}");
        assert!(!message.contains("4111 1111 1111 1111"), "{message}");
        match scrubbed.contexts.get("trace") {
            Some(Context::Trace(trace)) => assert_eq!(trace.trace_id.to_string(), trace_id),
            other => panic!("trace context lost: {other:?}"),
        }
    }

    #[test]
    fn scrub_masks_cards_emails_and_tokens_and_keeps_the_rest() {
        let text = "charge 4111 1111 1111 1111 for \"ann@example.com\", Authorization: Bearer abc.def \
                    then eyJhbGciOi.x.y done";
        let clean = scrub(text);
        assert!(!clean.contains("4111 1111 1111 1111"), "{clean}");
        assert!(clean.contains("1111"), "last four kept: {clean}");
        assert!(!clean.contains("ann@example.com"), "{clean}");
        assert!(!clean.contains("abc.def"), "{clean}");
        assert!(!clean.contains("eyJhbGciOi"), "{clean}");
        assert!(clean.starts_with("charge "), "{clean}");
        assert!(clean.ends_with(" done"), "{clean}");
        assert_eq!(scrub("nothing to see"), "nothing to see");
    }
}
