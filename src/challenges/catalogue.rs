//! The challenges and badges on offer, read from `data/challenges.toml` (part of the binary).

use std::sync::OnceLock;

use serde::Deserialize;

use crate::budget::TxCategory;

/// How a challenge's progress is computed (docs/challenges.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// `target` days without a spend in the challenge's categories.
    NoSpendDays,
    /// At most `cap_cents` spent in the challenge's categories over the window.
    CategoryCap,
    /// `target` days in a row whose spending stays within the day's plan.
    WithinPlanStreak,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::NoSpendDays => "no_spend_days",
            Rule::CategoryCap => "category_cap",
            Rule::WithinPlanStreak => "within_plan_streak",
        }
    }
}

/// One challenge of the catalogue.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Challenge {
    pub id: String,
    pub title: String,
    pub description: String,
    /// The app's challenge type label (spending_freeze, category_cap, savings_streak).
    #[serde(rename = "type")]
    pub kind: String,
    /// The app's display category.
    pub category: String,
    pub difficulty: String,
    pub duration_days: i64,
    pub reward_points: i64,
    pub rule: Rule,
    /// Days to reach (no_spend_days, within_plan_streak).
    #[serde(default)]
    pub target: i64,
    /// The most that may be spent (category_cap).
    #[serde(default)]
    pub cap_cents: i64,
    /// Transaction categories the rule looks at; empty = every category.
    #[serde(default)]
    pub categories: Vec<String>,
}

impl Challenge {
    /// The rule's target value: days for the day-counting rules, the window's length for a cap.
    pub fn target_value(&self) -> i64 {
        match self.rule {
            Rule::CategoryCap => self.duration_days,
            Rule::NoSpendDays | Rule::WithinPlanStreak => self.target,
        }
    }

    /// Whether a spend of transaction category `category` counts for this challenge.
    pub fn counts(&self, category: &str) -> bool {
        self.categories.is_empty() || self.categories.iter().any(|c| c == category)
    }
}

/// A badge, earned from the user's finished challenges.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Badge {
    pub id: String,
    pub name: String,
    pub description: String,
    pub rarity: String,
    pub icon: String,
    #[serde(default, skip_serializing)]
    pub completed_at_least: Option<i64>,
    #[serde(default, skip_serializing)]
    pub points_at_least: Option<i64>,
}

impl Badge {
    /// Earned with `completed` finished-and-won challenges and `points` points in all.
    pub fn earned(&self, completed: i64, points: i64) -> bool {
        self.completed_at_least.is_none_or(|n| completed >= n)
            && self.points_at_least.is_none_or(|n| points >= n)
    }
}

/// The whole file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    pub points_per_level: i64,
    #[serde(rename = "challenge")]
    pub challenges: Vec<Challenge>,
    #[serde(rename = "badge")]
    pub badges: Vec<Badge>,
}

impl Catalogue {
    /// Parses and checks a catalogue (ids unique and slug-like, categories known, figures > 0).
    pub fn parse(text: &str) -> Result<Catalogue, String> {
        let c: Catalogue = toml::from_str(text).map_err(|e| e.to_string())?;
        if c.points_per_level <= 0 {
            return Err("points_per_level must be > 0".into());
        }
        let mut ids = std::collections::BTreeSet::new();
        for ch in &c.challenges {
            if !is_id(&ch.id) || !ids.insert(ch.id.as_str()) {
                return Err(format!("challenge id {:?} is not a unique slug", ch.id));
            }
            if ch.duration_days <= 0 || ch.reward_points < 0 {
                return Err(format!("{}: duration_days and reward_points", ch.id));
            }
            let target_ok = match ch.rule {
                Rule::CategoryCap => ch.cap_cents >= 0,
                Rule::NoSpendDays | Rule::WithinPlanStreak => {
                    ch.target > 0 && ch.target <= ch.duration_days
                }
            };
            if !target_ok {
                return Err(format!("{}: target out of the window", ch.id));
            }
            if let Some(bad) = ch
                .categories
                .iter()
                .find(|k| k.parse::<TxCategory>().is_err())
            {
                return Err(format!("{}: unknown category {bad}", ch.id));
            }
        }
        Ok(c)
    }

    /// The challenge with this id.
    pub fn get(&self, id: &str) -> Option<&Challenge> {
        self.challenges.iter().find(|c| c.id == id)
    }

    /// The level of a points total, the points that reach the next one.
    pub fn level(&self, points: i64) -> (i64, i64) {
        let level = points.max(0) / self.points_per_level + 1;
        (level, level * self.points_per_level)
    }
}

/// A challenge id as the catalogue writes them: 1 to 64 of `a-z`, `0-9`, `_`, `-`.
pub fn is_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// The catalogue built into the binary.
pub fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        // The file is part of the binary and a unit test parses it; a broken edit fails it.
        Catalogue::parse(include_str!("../../data/challenges.toml")).unwrap_or_else(|_| Catalogue {
            points_per_level: 250,
            challenges: Vec::new(),
            badges: Vec::new(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_catalogue_parses_and_checks() {
        let c = Catalogue::parse(include_str!("../../data/challenges.toml")).unwrap();
        assert!(c.challenges.len() >= 6);
        for rule in [Rule::NoSpendDays, Rule::CategoryCap, Rule::WithinPlanStreak] {
            assert!(c.challenges.iter().any(|ch| ch.rule == rule));
        }
        assert!(!c.badges.is_empty());
        assert_eq!(c.level(0), (1, 250));
        assert_eq!(c.level(249), (1, 250));
        assert_eq!(c.level(250), (2, 500));
    }

    #[test]
    fn a_broken_catalogue_is_refused() {
        let bad = r#"points_per_level = 100
badge = []
[[challenge]]
id = "x"
title = "t"
description = "d"
type = "t"
category = "c"
difficulty = "easy"
duration_days = 3
reward_points = 10
rule = "no_spend_days"
target = 5
"#;
        assert!(Catalogue::parse(bad).is_err());
        assert!(!is_id("Bad Id"));
        assert!(is_id("plan_streak_7"));
    }
}
