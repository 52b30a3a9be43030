//! A small parser for the Prometheus text exposition format (0.0.4).
//!
//! Hand-written because prometheus-parse 0.2 finds labels with the regex `\{[^}]+\}`, so it drops
//! every sample whose label value contains `}`, and our `endpoint` label is a route template such
//! as `/api/goals/{id}`. It also splits label values on `,` and `=`.

use std::collections::{BTreeMap, HashMap};

use anyhow::{Context, bail};

/// Label names to values; ordered, so a label set prints and compares the same way every time.
pub type Labels = BTreeMap<String, String>;

/// The `# TYPE` of a metric family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Counter,
    Gauge,
    Histogram,
    Summary,
    Untyped,
}

/// One sample line: `name{labels} value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The family from `# TYPE` (`x` for the sample `x_bucket` of the histogram `x`).
    pub family: String,
    pub name: String,
    pub labels: Labels,
    pub value: f64,
}

/// Every sample of one scrape, with the kind of each family.
#[derive(Debug, Clone, Default)]
pub struct Scrape {
    kinds: HashMap<String, Kind>,
    samples: Vec<Sample>,
    index: HashMap<(String, Labels), usize>,
}

impl Scrape {
    /// Parses an exposition; a malformed sample line is an error naming its line number.
    pub fn parse(text: &str) -> anyhow::Result<Scrape> {
        let mut scrape = Scrape::default();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if let Some(comment) = line.strip_prefix('#') {
                let mut words = comment.split_whitespace();
                if let (Some("TYPE"), Some(name), Some(kind)) =
                    (words.next(), words.next(), words.next())
                {
                    scrape.kinds.insert(name.to_string(), kind_from(kind));
                }
                continue;
            }
            if line.is_empty() {
                continue;
            }
            let (name, labels, value) = parse_sample(line)
                .with_context(|| format!("malformed metrics line {}: {line}", n + 1))?;
            let family = scrape.family_of(&name);
            scrape.push(Sample {
                family,
                name,
                labels,
                value,
            });
        }
        Ok(scrape)
    }

    /// Only the families whose name starts with `prefix`.
    pub fn with_prefix(&self, prefix: &str) -> Scrape {
        let mut scrape = Scrape {
            kinds: self.kinds.clone(),
            ..Scrape::default()
        };
        for s in self.samples.iter().filter(|s| s.family.starts_with(prefix)) {
            scrape.push(s.clone());
        }
        scrape
    }

    /// The kind declared by `# TYPE`, `Untyped` when there was none.
    pub fn kind(&self, family: &str) -> Kind {
        self.kinds.get(family).copied().unwrap_or(Kind::Untyped)
    }

    /// All samples, in exposition order.
    pub fn all(&self) -> &[Sample] {
        &self.samples
    }

    /// The samples named exactly `name`.
    pub fn samples<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Sample> + 'a {
        self.samples.iter().filter(move |s| s.name == name)
    }

    /// The value of one series.
    pub fn get(&self, name: &str, labels: &Labels) -> Option<f64> {
        self.index
            .get(&(name.to_string(), labels.clone()))
            .map(|&i| self.samples[i].value)
    }

    fn push(&mut self, sample: Sample) {
        let key = (sample.name.clone(), sample.labels.clone());
        self.index.insert(key, self.samples.len());
        self.samples.push(sample);
    }

    fn family_of(&self, name: &str) -> String {
        if !self.kinds.contains_key(name) {
            for suffix in ["_bucket", "_sum", "_count"] {
                if let Some(base) = name.strip_suffix(suffix)
                    && matches!(self.kinds.get(base), Some(Kind::Histogram | Kind::Summary))
                {
                    return base.to_string();
                }
            }
        }
        name.to_string()
    }
}

fn kind_from(word: &str) -> Kind {
    match word {
        "counter" => Kind::Counter,
        "gauge" => Kind::Gauge,
        "histogram" => Kind::Histogram,
        "summary" => Kind::Summary,
        _ => Kind::Untyped,
    }
}

/// The metric name a sample line starts with.
pub fn sample_name(line: &str) -> &str {
    let end = line
        .find(|c: char| c == '{' || c.is_whitespace())
        .unwrap_or(line.len());
    &line[..end]
}

fn parse_sample(line: &str) -> anyhow::Result<(String, Labels, f64)> {
    let name = sample_name(line);
    if name.is_empty() {
        bail!("no metric name");
    }
    let mut rest = &line[name.len()..];
    let mut labels = Labels::new();
    if let Some(inner) = rest.strip_prefix('{') {
        (labels, rest) = parse_labels(inner)?;
    }
    let value = rest.split_whitespace().next().context("no value")?;
    // Rust's float parser already reads the Go spellings `+Inf`, `-Inf` and `NaN`.
    let value = value
        .parse::<f64>()
        .with_context(|| format!("bad value {value:?}"))?;
    Ok((name.to_string(), labels, value))
}

/// Reads `k="v",...}` (the text after `{`) and returns the labels and the text after `}`.
fn parse_labels(mut s: &str) -> anyhow::Result<(Labels, &str)> {
    let mut labels = Labels::new();
    loop {
        s = s.trim_start();
        if let Some(rest) = s.strip_prefix('}') {
            return Ok((labels, rest));
        }
        let eq = s.find('=').context("label without '='")?;
        let key = s[..eq].trim().to_string();
        s = s[eq + 1..]
            .trim_start()
            .strip_prefix('"')
            .context("label value without quotes")?;
        let mut value = String::new();
        let mut chars = s.char_indices();
        let end = loop {
            match chars.next().context("unterminated label value")? {
                (i, '"') => break i,
                (_, '\\') => match chars.next().context("unterminated escape")?.1 {
                    'n' => value.push('\n'),
                    other => value.push(other),
                },
                (_, c) => value.push(c),
            }
        };
        labels.insert(key, value);
        s = s[end + 1..].trim_start();
        s = s.strip_prefix(',').unwrap_or(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"# HELP mita_http_requests_total HTTP requests answered
# TYPE mita_http_requests_total counter
mita_http_requests_total{endpoint="/api/goals/{id}",method="GET",status_code="200"} 7
mita_http_requests_total{endpoint="/a,b=\"c\"",method="POST",status_code="500"} 1
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

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn label_values_with_braces_commas_and_escaped_quotes_are_kept_whole() {
        let scrape = Scrape::parse(TEXT).unwrap();

        let goals = labels(&[
            ("endpoint", "/api/goals/{id}"),
            ("method", "GET"),
            ("status_code", "200"),
        ]);
        let odd = labels(&[
            ("endpoint", "/a,b=\"c\""),
            ("method", "POST"),
            ("status_code", "500"),
        ]);
        assert_eq!(scrape.get("mita_http_requests_total", &goals), Some(7.0));
        assert_eq!(scrape.get("mita_http_requests_total", &odd), Some(1.0));
    }

    #[test]
    fn histogram_lines_belong_to_their_family_and_infinity_parses() {
        let scrape = Scrape::parse(TEXT).unwrap();

        let buckets: Vec<&Sample> = scrape
            .samples("mita_http_request_duration_seconds_bucket")
            .collect();
        assert_eq!(buckets.len(), 2);
        assert!(
            buckets
                .iter()
                .all(|s| s.family == "mita_http_request_duration_seconds")
        );
        assert_eq!(
            buckets[1].labels.get("le").map(String::as_str),
            Some("+Inf")
        );
        assert_eq!(
            scrape.kind("mita_http_request_duration_seconds"),
            Kind::Histogram
        );
        assert_eq!(scrape.kind("process_open_fds"), Kind::Gauge);
    }

    #[test]
    fn a_malformed_line_is_an_error_naming_its_line_number() {
        let err = Scrape::parse("ok 1\nbroken{le=\"1\" 2\n").unwrap_err();

        assert!(format!("{err:#}").contains("line 2"), "{err:#}");
    }

    #[test]
    fn with_prefix_keeps_whole_families() {
        let scrape = Scrape::parse(TEXT)
            .unwrap()
            .with_prefix("mita_http_request_duration");

        assert_eq!(scrape.all().len(), 4);
    }
}
