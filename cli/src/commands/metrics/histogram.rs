//! Histograms read back from a scrape, their increase between two scrapes, and quantiles
//! estimated from the buckets the way Prometheus' `histogram_quantile` does.

use std::collections::BTreeMap;

use super::parse::{Labels, Scrape};

/// One cumulative bucket: `count` observations were `<= le`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    pub le: f64,
    pub count: f64,
}

/// One histogram series (one label set, without `le`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Histogram {
    /// Sorted by `le`; the last one is `+Inf` in a well-formed exposition.
    pub buckets: Vec<Bucket>,
    pub count: f64,
    pub sum: f64,
}

impl Histogram {
    /// Every series of the histogram `family`, keyed by its labels (without `le`).
    pub fn all_in(scrape: &Scrape, family: &str) -> BTreeMap<Labels, Histogram> {
        let mut out: BTreeMap<Labels, Histogram> = BTreeMap::new();
        for s in scrape.all().iter().filter(|s| s.family == family) {
            let mut labels = s.labels.clone();
            let le = labels.remove("le");
            let h = out.entry(labels).or_default();
            match s.name.strip_prefix(family) {
                Some("_bucket") => {
                    if let Some(le) = le.and_then(|le| le.parse::<f64>().ok()) {
                        h.buckets.push(Bucket { le, count: s.value });
                    }
                }
                Some("_count") => h.count = s.value,
                Some("_sum") => h.sum = s.value,
                _ => {}
            }
        }
        for h in out.values_mut() {
            h.buckets.sort_by(|a, b| a.le.total_cmp(&b.le));
        }
        out
    }

    /// The observations made since `before`. A histogram that shrank was reset (the server
    /// restarted), so everything it holds is new; so is one whose buckets changed.
    pub fn since(&self, before: Option<&Histogram>) -> Histogram {
        let Some(before) = before else {
            return self.clone();
        };
        let same_layout = before.buckets.len() == self.buckets.len()
            && before
                .buckets
                .iter()
                .zip(&self.buckets)
                .all(|(a, b)| a.le == b.le);
        if !same_layout || self.count < before.count {
            return self.clone();
        }
        Histogram {
            buckets: self
                .buckets
                .iter()
                .zip(&before.buckets)
                .map(|(now, then)| Bucket {
                    le: now.le,
                    count: (now.count - then.count).max(0.0),
                })
                .collect(),
            count: self.count - before.count,
            sum: self.sum - before.sum,
        }
    }

    /// The `q`-quantile (0..=1), interpolating linearly inside the bucket that holds it and
    /// assuming the first bucket starts at 0. A quantile that falls in the `+Inf` bucket is
    /// reported as the last finite bound. `None` without observations or without a `+Inf` bucket.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let b = &self.buckets;
        let n = b.len();
        if n < 2 || b[n - 1].le != f64::INFINITY {
            return None;
        }
        // Counts scraped mid-update can dip; cumulative counts never should.
        let counts: Vec<f64> = b
            .iter()
            .scan(0.0_f64, |max, bucket| {
                *max = max.max(bucket.count);
                Some(*max)
            })
            .collect();
        let total = counts[n - 1];
        if total <= 0.0 {
            return None;
        }
        let rank = q.clamp(0.0, 1.0) * total;
        let i = counts[..n - 1]
            .iter()
            .position(|&c| c >= rank)
            .unwrap_or(n - 1);
        if i == n - 1 {
            return Some(b[n - 2].le);
        }
        if i == 0 && b[0].le <= 0.0 {
            return Some(b[0].le);
        }
        let (start, below) = if i == 0 {
            (0.0, 0.0)
        } else {
            (b[i - 1].le, counts[i - 1])
        };
        let in_bucket = counts[i] - below;
        if in_bucket <= 0.0 {
            return Some(start);
        }
        Some(start + (b[i].le - start) * (rank - below) / in_bucket)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn histogram(pairs: &[(f64, f64)]) -> Histogram {
        let buckets: Vec<Bucket> = pairs
            .iter()
            .map(|&(le, count)| Bucket { le, count })
            .collect();
        let count = buckets.last().map_or(0.0, |b| b.count);
        Histogram {
            buckets,
            count,
            sum: 0.0,
        }
    }

    fn assert_close(actual: Option<f64>, expected: f64) {
        let actual = actual.unwrap();
        assert!(
            (actual - expected).abs() < 1e-9,
            "expected {expected}, got {actual}"
        );
    }

    const INF: f64 = f64::INFINITY;

    #[test]
    fn quantiles_interpolate_linearly_inside_their_bucket() {
        let h = histogram(&[(1.0, 10.0), (2.0, 30.0), (4.0, 40.0), (INF, 40.0)]);

        // p50: rank 20 lies in (1, 2], 10 of its 20 observations in: 1 + 1 * 10/20.
        assert_close(h.quantile(0.5), 1.5);
        // p95: rank 38 lies in (2, 4], 8 of 10 in: 2 + 2 * 8/10.
        assert_close(h.quantile(0.95), 3.6);
        // p99: rank 39.6: 2 + 2 * 9.6/10.
        assert_close(h.quantile(0.99), 3.92);
    }

    #[test]
    fn the_first_bucket_is_interpolated_from_zero() {
        let h = histogram(&[(0.1, 8.0), (0.2, 10.0), (INF, 10.0)]);

        // rank 5 of the 8 observations in [0, 0.1].
        assert_close(h.quantile(0.5), 0.0625);
    }

    #[test]
    fn a_quantile_above_the_last_finite_bucket_reports_that_bound() {
        let h = histogram(&[(1.0, 10.0), (2.5, 20.0), (INF, 40.0)]);

        assert_close(h.quantile(0.99), 2.5);
        assert_close(h.quantile(0.5), 2.5);
    }

    #[test]
    fn a_histogram_without_observations_has_no_quantiles() {
        let h = histogram(&[(1.0, 0.0), (INF, 0.0)]);

        assert_eq!(h.quantile(0.5), None);
    }

    #[test]
    fn a_histogram_without_an_infinity_bucket_has_no_quantiles() {
        let h = histogram(&[(1.0, 3.0), (2.0, 5.0)]);

        assert_eq!(h.quantile(0.5), None);
    }

    #[test]
    fn since_subtracts_bucket_by_bucket() {
        let before = histogram(&[(1.0, 5.0), (2.0, 5.0), (INF, 6.0)]);
        let after = histogram(&[(1.0, 5.0), (2.0, 9.0), (INF, 10.0)]);

        let delta = after.since(Some(&before));

        assert_eq!(delta, histogram(&[(1.0, 0.0), (2.0, 4.0), (INF, 4.0)]));
        assert_close(delta.quantile(0.5), 1.5);
    }

    #[test]
    fn since_treats_a_shrunken_histogram_as_a_restart() {
        let before = histogram(&[(1.0, 50.0), (INF, 60.0)]);
        let after = histogram(&[(1.0, 2.0), (INF, 3.0)]);

        assert_eq!(after.since(Some(&before)), after);
    }

    #[test]
    fn all_in_groups_bucket_sum_and_count_lines_by_labels() {
        let text = "# TYPE h histogram\n\
            h_bucket{m=\"a\",le=\"1\"} 1\nh_bucket{m=\"a\",le=\"+Inf\"} 2\nh_sum{m=\"a\"} 3.5\nh_count{m=\"a\"} 2\n\
            h_bucket{m=\"b\",le=\"+Inf\"} 0\nh_sum{m=\"b\"} 0\nh_count{m=\"b\"} 0\n";
        let scrape = Scrape::parse(text).unwrap();

        let all = Histogram::all_in(&scrape, "h");

        let a: Labels = [("m".to_string(), "a".to_string())].into();
        assert_eq!(all.len(), 2);
        assert_eq!(
            all[&a],
            Histogram {
                buckets: histogram(&[(1.0, 1.0), (INF, 2.0)]).buckets,
                count: 2.0,
                sum: 3.5
            }
        );
    }
}
