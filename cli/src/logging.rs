//! Structured logs on stderr (`pretty` or `json`), filtered by `log.level` or `RUST_LOG`.

use mita::config::{LogFormat, Settings};
use tracing_subscriber::EnvFilter;

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
    let _ = match settings.log.format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
        LogFormat::Pretty => builder.compact().try_init(),
    };
}
