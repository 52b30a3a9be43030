//! Day status (BUDGET.md §4): green when the day is within plan, yellow when slightly over, red.

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DayStatus {
    Green,
    Yellow,
    Red,
    /// A day without any plan row.
    Neutral,
}

impl DayStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DayStatus::Green => "green",
            DayStatus::Yellow => "yellow",
            DayStatus::Red => "red",
            DayStatus::Neutral => "neutral",
        }
    }

    pub fn parse(s: &str) -> DayStatus {
        match s {
            "green" => DayStatus::Green,
            "yellow" => DayStatus::Yellow,
            "red" => DayStatus::Red,
            _ => DayStatus::Neutral,
        }
    }
}

/// The yellow band above the plan: 5 % of the planned amount, at least 2.00 and at most 25.00.
const TOLERANCE_PERCENT: i64 = 5;
const TOLERANCE_FLOOR: i64 = 200;
const TOLERANCE_CAP: i64 = 2_500;

/// `delta = spent − planned`: green if `delta ≤ 0`, yellow if `delta ≤ max(2.00, min(25.00,
/// 5 % of planned))`, else red. Cents throughout.
pub fn day_status(planned: i64, spent: i64) -> DayStatus {
    let delta = spent - planned;
    if delta <= 0 {
        return DayStatus::Green;
    }
    let tolerance = (planned.max(0) * TOLERANCE_PERCENT / 100)
        .clamp(0, TOLERANCE_CAP)
        .max(TOLERANCE_FLOOR);
    if delta <= tolerance {
        DayStatus::Yellow
    } else {
        DayStatus::Red
    }
}

/// [`day_status`] as an SQL `CASE` over the SQL expressions of the day's `planned` and `spent`
/// sums, for the statements that let the database write statuses (`postgres`: its `GREATEST`
/// and `LEAST`, else SQLite's `max` and `min`).
pub fn day_status_case(planned: &str, spent: &str, postgres: bool) -> String {
    let (max, min) = if postgres {
        ("GREATEST", "LEAST")
    } else {
        ("max", "min")
    };
    format!(
        "CASE WHEN {spent} - {planned} <= 0 THEN 'green' \
         WHEN {spent} - {planned} <= {max}({TOLERANCE_FLOOR}, {min}({TOLERANCE_CAP}, {max}({planned}, 0) * {TOLERANCE_PERCENT} / 100)) \
         THEN 'yellow' ELSE 'red' END"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_thresholds_follow_the_rule() {
        assert_eq!(day_status(10_000, 10_000), DayStatus::Green);
        assert_eq!(day_status(10_000, 10_200), DayStatus::Yellow, "2.00 floor");
        assert_eq!(
            day_status(10_000, 10_500),
            DayStatus::Yellow,
            "5 % of 100.00"
        );
        assert_eq!(day_status(10_000, 10_501), DayStatus::Red);
        assert_eq!(day_status(100_000, 102_500), DayStatus::Yellow, "25.00 cap");
        assert_eq!(day_status(100_000, 102_501), DayStatus::Red);
        assert_eq!(day_status(0, 200), DayStatus::Yellow);
        assert_eq!(day_status(0, 201), DayStatus::Red);
    }
}
