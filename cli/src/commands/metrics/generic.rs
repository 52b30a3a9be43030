//! Generic sections: every `mita_*` series without a section of its own, so metrics added later
//! show up without a change here.

use serde::Serialize;

use super::endpoints::{Basis, Quantiles};
use super::parse::{Kind, Labels};
use super::summary::SHOWN;
use super::window::{Count, Window};

/// One counter series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CounterSeries {
    pub name: String,
    pub labels: Labels,
    #[serde(flatten)]
    pub count: Count,
}

/// One gauge series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GaugeSeries {
    pub name: String,
    pub labels: Labels,
    pub value: f64,
}

/// One histogram series: observations and their percentiles (in the metric's own unit).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistogramSeries {
    pub name: String,
    pub labels: Labels,
    pub count: f64,
    pub per_second: f64,
    #[serde(flatten)]
    pub quantiles: Quantiles,
    /// What the percentiles were computed over.
    pub quantiles_over: Basis,
}

fn unshown<'a>(w: &'a Window<'_>, kind: Kind) -> impl Iterator<Item = &'a str> + 'a {
    let mut families: Vec<&str> = w
        .after
        .all()
        .iter()
        .map(|s| s.family.as_str())
        .filter(move |f| f.starts_with("mita_") && !SHOWN.contains(f) && w.after.kind(f) == kind)
        .collect();
    families.sort_unstable();
    families.dedup();
    families.into_iter()
}

/// Counter series outside the dedicated sections.
pub fn counters(w: &Window<'_>) -> Vec<CounterSeries> {
    unshown(w, Kind::Counter)
        .flat_map(|family| w.after.samples(family))
        .map(|s| CounterSeries {
            name: s.name.clone(),
            labels: s.labels.clone(),
            count: w.count_of(s),
        })
        .collect()
}

/// Gauge series outside the dedicated sections.
pub fn gauges(w: &Window<'_>) -> Vec<GaugeSeries> {
    unshown(w, Kind::Gauge)
        .flat_map(|family| w.after.samples(family))
        .map(|s| GaugeSeries {
            name: s.name.clone(),
            labels: s.labels.clone(),
            value: s.value,
        })
        .collect()
}

/// Histogram series outside the dedicated sections.
pub fn histograms(w: &Window<'_>) -> Vec<HistogramSeries> {
    let mut out = Vec::new();
    for family in unshown(w, Kind::Histogram) {
        for (labels, (cumulative, delta)) in w.histograms(family) {
            let (quantiles, quantiles_over) = Quantiles::of(&cumulative, &delta);
            out.push(HistogramSeries {
                name: family.to_string(),
                labels,
                count: cumulative.count,
                per_second: w.rate(delta.count),
                quantiles,
                quantiles_over,
            });
        }
    }
    out
}
