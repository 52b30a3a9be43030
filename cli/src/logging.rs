//! Structured logs on stderr (`pretty` or `json`), filtered by `log.level` or `RUST_LOG`.

use mita::config::{LogFormat, Settings};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer as _;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

pub fn init(settings: &Settings) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&settings.log.level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    // Colour codes only for a person at a terminal: a file or journald gets plain text.
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour)
        // Card numbers never reach a log line (masked to their last four digits).
        .with_writer(|| mita::pan::MaskingWriter(std::io::stderr()));
    // With error tracking configured, log lines also become breadcrumbs of the request's
    // Sentry events (scrubbed before they leave; see mita_server::error_tracking). Errors are
    // breadcrumbs too, not events of their own: the 5xx or panic they belong to is the event.
    let on = settings.sentry.dsn.is_some();
    let _ = match settings.log.format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .finish()
            .with(breadcrumbs(on))
            .try_init(),
        LogFormat::Pretty => builder.compact().finish().with(breadcrumbs(on)).try_init(),
    };
}

/// With error tracking configured, log lines (info and above) become breadcrumbs of the
/// request's Sentry events (scrubbed before they leave; see `mita_server::error_tracking`).
/// Errors are breadcrumbs too, not events of their own: the 5xx or panic they belong to is the
/// event.
fn breadcrumbs<S>(on: bool) -> Option<impl tracing_subscriber::Layer<S>>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    on.then(|| {
        sentry::integrations::tracing::BreadcrumbLayer::new()
            .with_filter(tracing_subscriber::filter::LevelFilter::INFO)
    })
}
