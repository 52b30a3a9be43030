//! `--raw --filter`: the exposition text cut down to some metric families, otherwise unchanged.

use super::parse::sample_name;

/// The exposition lines of the metrics whose name starts with `prefix`, with their `# HELP` and
/// `# TYPE` lines. A histogram's `_bucket`, `_sum` and `_count` lines follow their family.
pub fn filter_exposition(text: &str, prefix: &str) -> String {
    let mut out = String::new();
    let mut family = "";
    for line in text.lines() {
        let keep = if let Some(comment) = line.strip_prefix('#') {
            let mut words = comment.split_whitespace();
            match (words.next(), words.next()) {
                (Some("HELP" | "TYPE"), Some(name)) => {
                    family = name;
                    name.starts_with(prefix)
                }
                _ => false,
            }
        } else {
            let name = sample_name(line.trim_start());
            !name.is_empty()
                && (name.starts_with(prefix)
                    || (name.starts_with(family) && family.starts_with(prefix)))
        };
        if keep {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"# HELP mita_http_requests_total HTTP requests answered
# TYPE mita_http_requests_total counter
mita_http_requests_total{endpoint="/api/goals/{id}",method="GET",status_code="200"} 7
# HELP mita_http_request_duration_seconds HTTP request latency
# TYPE mita_http_request_duration_seconds histogram
mita_http_request_duration_seconds_bucket{endpoint="/health",method="GET",le="0.1"} 3
mita_http_request_duration_seconds_bucket{endpoint="/health",method="GET",le="+Inf"} 4
mita_http_request_duration_seconds_sum{endpoint="/health",method="GET"} 0.5
mita_http_request_duration_seconds_count{endpoint="/health",method="GET"} 4
# HELP process_open_fds Number of open file descriptors.
# TYPE process_open_fds gauge
process_open_fds 12
"#;

    #[test]
    fn raw_filter_keeps_matching_families_with_their_help_and_type_lines() {
        let out = filter_exposition(TEXT, "mita_http_request_duration");

        let expected = r#"# HELP mita_http_request_duration_seconds HTTP request latency
# TYPE mita_http_request_duration_seconds histogram
mita_http_request_duration_seconds_bucket{endpoint="/health",method="GET",le="0.1"} 3
mita_http_request_duration_seconds_bucket{endpoint="/health",method="GET",le="+Inf"} 4
mita_http_request_duration_seconds_sum{endpoint="/health",method="GET"} 0.5
mita_http_request_duration_seconds_count{endpoint="/health",method="GET"} 4
"#;
        assert_eq!(out, expected);
    }

    #[test]
    fn raw_filter_matches_a_prefix_of_the_family_name() {
        let out = filter_exposition(TEXT, "process_");

        assert_eq!(
            out,
            "# HELP process_open_fds Number of open file descriptors.\n# TYPE process_open_fds gauge\nprocess_open_fds 12\n"
        );
    }

    #[test]
    fn raw_filter_with_a_prefix_matching_nothing_prints_nothing() {
        assert_eq!(filter_exposition(TEXT, "nope_"), "");
    }

    #[test]
    fn raw_filter_with_an_empty_prefix_keeps_every_line() {
        assert_eq!(filter_exposition(TEXT, ""), TEXT);
    }
}
