//! Two scrapes and the time between them: counter totals and rates, gauges, histogram deltas.

use std::collections::BTreeMap;
use std::ops::AddAssign;

use serde::Serialize;

use super::histogram::Histogram;
use super::parse::{Labels, Sample, Scrape};

/// A counter's value at the second scrape and its rate between the two.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Count {
    pub total: f64,
    pub per_second: f64,
}

impl AddAssign for Count {
    fn add_assign(&mut self, other: Count) {
        self.total += other.total;
        self.per_second += other.per_second;
    }
}

/// The earlier and the later scrape, `elapsed` seconds apart.
#[derive(Debug, Clone, Copy)]
pub struct Window<'a> {
    pub before: &'a Scrape,
    pub after: &'a Scrape,
    pub elapsed: f64,
}

impl Window<'_> {
    /// How much one series of the later scrape grew. A series that is new counts from 0; one
    /// that went down was reset by a restart, so all of its value is new.
    pub fn increase(&self, s: &Sample) -> f64 {
        let old = self.before.get(&s.name, &s.labels).unwrap_or(0.0);
        if s.value >= old {
            s.value - old
        } else {
            s.value
        }
    }

    /// `increase` spread over the window, per second.
    pub fn rate(&self, increase: f64) -> f64 {
        if self.elapsed > 0.0 {
            increase / self.elapsed
        } else {
            0.0
        }
    }

    /// One series as a [`Count`].
    pub fn count_of(&self, s: &Sample) -> Count {
        Count {
            total: s.value,
            per_second: self.rate(self.increase(s)),
        }
    }

    /// The counter `name` summed over all its series; `None` when the scrape has none.
    pub fn counter(&self, name: &str) -> Option<Count> {
        let mut samples = self.after.samples(name).peekable();
        samples.peek()?;
        let mut total = Count::default();
        for s in samples {
            total += self.count_of(s);
        }
        Some(total)
    }

    /// The counter `name` summed by the value of `label` (series without it are left out).
    pub fn counter_by(&self, name: &str, label: &str) -> BTreeMap<String, Count> {
        let mut out: BTreeMap<String, Count> = BTreeMap::new();
        for s in self.after.samples(name) {
            if let Some(key) = s.labels.get(label) {
                *out.entry(key.clone()).or_default() += self.count_of(s);
            }
        }
        out
    }

    /// The gauge `name` at the later scrape, summed over its series.
    pub fn gauge(&self, name: &str) -> Option<f64> {
        self.after
            .samples(name)
            .map(|s| s.value)
            .reduce(|a, b| a + b)
    }

    /// The gauge `name` at the later scrape, summed by the value of `label`.
    pub fn gauge_by(&self, name: &str, label: &str) -> BTreeMap<String, f64> {
        let mut out: BTreeMap<String, f64> = BTreeMap::new();
        for s in self.after.samples(name) {
            if let Some(key) = s.labels.get(label) {
                *out.entry(key.clone()).or_default() += s.value;
            }
        }
        out
    }

    /// Each series of the histogram `family`: its cumulative state at the later scrape and what
    /// was observed during the window.
    pub fn histograms(&self, family: &str) -> BTreeMap<Labels, (Histogram, Histogram)> {
        let before = Histogram::all_in(self.before, family);
        Histogram::all_in(self.after, family)
            .into_iter()
            .map(|(labels, after)| {
                let delta = after.since(before.get(&labels));
                (labels, (after, delta))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BEFORE: &str = "# TYPE mita_login_attempts_total counter\n\
        mita_login_attempts_total{result=\"success\"} 10\n\
        mita_login_attempts_total{result=\"failure\"} 4\n\
        # TYPE mita_ocr_processing_total counter\n\
        mita_ocr_processing_total{status=\"completed\",engine=\"tesseract\"} 100\n";
    const AFTER: &str = "# TYPE mita_login_attempts_total counter\n\
        mita_login_attempts_total{result=\"success\"} 14\n\
        mita_login_attempts_total{result=\"failure\"} 4\n\
        mita_login_attempts_total{result=\"locked\"} 1\n\
        # TYPE mita_ocr_processing_total counter\n\
        mita_ocr_processing_total{status=\"completed\",engine=\"tesseract\"} 3\n\
        mita_ocr_processing_total{status=\"completed\",engine=\"google\"} 2\n";

    fn scrapes() -> (Scrape, Scrape) {
        (
            Scrape::parse(BEFORE).unwrap(),
            Scrape::parse(AFTER).unwrap(),
        )
    }

    #[test]
    fn rates_are_the_increase_between_scrapes_divided_by_the_elapsed_seconds() {
        let (before, after) = scrapes();
        let window = Window {
            before: &before,
            after: &after,
            elapsed: 2.0,
        };

        let logins = window.counter_by("mita_login_attempts_total", "result");

        assert_eq!(
            logins["success"],
            Count {
                total: 14.0,
                per_second: 2.0
            }
        );
        assert_eq!(
            logins["failure"],
            Count {
                total: 4.0,
                per_second: 0.0
            }
        );
        assert_eq!(
            window.counter("mita_login_attempts_total"),
            Some(Count {
                total: 19.0,
                per_second: 2.5
            })
        );
    }

    #[test]
    fn a_series_new_in_the_second_scrape_counts_from_zero() {
        let (before, after) = scrapes();
        let window = Window {
            before: &before,
            after: &after,
            elapsed: 0.5,
        };

        let logins = window.counter_by("mita_login_attempts_total", "result");

        assert_eq!(
            logins["locked"],
            Count {
                total: 1.0,
                per_second: 2.0
            }
        );
    }

    #[test]
    fn a_counter_that_went_down_was_reset_and_counts_whole() {
        let (before, after) = scrapes();
        let window = Window {
            before: &before,
            after: &after,
            elapsed: 1.0,
        };

        let ocr = window.counter_by("mita_ocr_processing_total", "status");

        // tesseract 100 -> 3 is a restart (3 new), google is new (2).
        assert_eq!(
            ocr["completed"],
            Count {
                total: 5.0,
                per_second: 5.0
            }
        );
    }

    #[test]
    fn a_missing_counter_is_none_and_a_zero_window_has_zero_rates() {
        let (before, after) = scrapes();
        let window = Window {
            before: &before,
            after: &after,
            elapsed: 0.0,
        };

        assert_eq!(window.counter("mita_nothing_total"), None);
        assert_eq!(
            window
                .counter("mita_login_attempts_total")
                .map(|c| c.per_second),
            Some(0.0)
        );
    }
}
