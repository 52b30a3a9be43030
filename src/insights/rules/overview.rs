//! `GET /api/insights`: the current insights as cards, built from the health score, the unusual
//! spends and the spending patterns.

use serde::Serialize;

use super::anomalies::Anomaly;
use super::health::HealthScore;
use super::patterns::Patterns;
use crate::insights::Narrated;

/// Unusual spends shown as cards (the newest).
pub const MAX_ANOMALY_CARDS: usize = 3;

/// One insight.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Card {
    /// `health`, `improvement`, `anomaly` or `pattern`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub title: String,
    pub message: String,
    /// `positive`, `info` or `warning`.
    pub severity: &'static str,
}

/// The overview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Overview {
    pub health_score: i64,
    pub grade: &'static str,
    pub anomaly_count: i64,
    pub insights: Vec<Card>,
    pub summary: String,
}

impl Narrated for Overview {
    const KIND: &'static str = "insights";
    fn text(&self) -> &str {
        &self.summary
    }
    fn set_text(&mut self, text: String) {
        self.summary = text;
    }
}

/// Cards in a fixed order: the score, one per improvement, the newest unusual spends, then one
/// per observed pattern.
pub fn build(health: &HealthScore, anomalies: &[Anomaly], patterns: &Patterns) -> Overview {
    let mut cards = vec![Card {
        kind: "health",
        title: format!("Financial health {}/100", health.score),
        message: health.summary.clone(),
        severity: if health.score >= 65 {
            "positive"
        } else {
            "warning"
        },
    }];
    cards.extend(health.improvements.iter().map(|advice| Card {
        kind: "improvement",
        title: "Something to improve".to_string(),
        message: advice.clone(),
        severity: "info",
    }));
    cards.extend(anomalies.iter().take(MAX_ANOMALY_CARDS).map(|a| Card {
        kind: "anomaly",
        title: format!("Unusual {} spend", a.category),
        message: a.description.clone(),
        severity: "warning",
    }));
    cards.extend(patterns.patterns.iter().map(|p| Card {
        kind: "pattern",
        title: "Spending pattern".to_string(),
        message: p.clone(),
        severity: "info",
    }));
    let anomaly_count = i64::try_from(anomalies.len()).unwrap_or(i64::MAX);
    let summary = format!(
        "Health score {}/100 ({}); {anomaly_count} unusual spend(s) in the last 30 days. {}",
        health.score, health.grade, patterns.summary
    );
    Overview {
        health_score: health.score,
        grade: health.grade,
        anomaly_count,
        insights: cards,
        summary,
    }
}
