//! Where and how the `dwa` binary logs: to stderr, as plain text (the default, for a terminal or
//! the journal) or as one JSON object a line (`--log-format json`, for a log shipper). The
//! filter is `RUST_LOG` when set; by default warnings and errors, the commands' own notes (what
//! `dwa serve` serves) and the API's access log (one line per request, target
//! [`dwa_api::access_log::TARGET`]).

/// How log lines are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines (colours only on a terminal).
    #[default]
    Text,
    /// One JSON object a line: `timestamp`, `level`, `target`, the event's fields flattened,
    /// and the request's span (`span.request_id`, `span.role`, `span.token_id`).
    Json,
}

/// Install the process's log subscriber, once, before anything logs.
pub fn init(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| format!("warn,dwa_cli=info,{}=info", dwa_api::access_log::TARGET).into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder
            // Colour codes only for a terminal: logs written to files and pipes stay plain text.
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init(),
        // The request's span (its id, the caller's role and token id) rides on every line; the
        // list of enclosing spans would only repeat it.
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
}
