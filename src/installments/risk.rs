//! The affordability rule of a new installment (docs/installments.md §3): the payment schedule,
//! the figures it is judged by (share of income, debt-to-income, what the plan has left) and the
//! risk factors that set the level and the score. Pure integer arithmetic.

use serde::Serialize;

use super::schedule::{Amortized, amortize};
use crate::fixed::Fixed;
use crate::money::amount_text;

/// Green (low), yellow (moderate), orange (high) or red (critical) — the app's `RiskLevel`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Green,
    Yellow,
    Orange,
    Red,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Green => "green",
            Level::Yellow => "yellow",
            Level::Orange => "orange",
            Level::Red => "red",
        }
    }

    /// Green and yellow: the installment fits.
    pub fn affordable(self) -> bool {
        self <= Level::Yellow
    }
}

/// How much a factor weighs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Points towards the risk score.
    fn points(self) -> i64 {
        match self {
            Severity::Low => 3,
            Severity::Medium => 10,
            Severity::High => 20,
            Severity::Critical => 40,
        }
    }
}

/// One triggered factor (the app's `RiskFactor`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Factor {
    pub factor: &'static str,
    pub severity: &'static str,
    pub message: String,
    pub stat: Option<String>,
    #[serde(skip)]
    pub weight: Severity,
}

/// The caller's money as the rule sees it (cents; docs/installments.md §3).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Situation {
    /// Monthly income (> 0).
    pub income: i64,
    pub balance: Option<i64>,
    /// Other monthly obligations (rent, loans, cards...).
    pub obligations: i64,
    /// The monthly money the plan leaves for installments (`income − committed`).
    pub capacity: i64,
    /// Active installments: their number and monthly cost.
    pub existing_count: i64,
    pub existing_monthly: i64,
    pub card_debt: bool,
    pub age_group: Option<String>,
    pub planning_mortgage: bool,
    pub currency: String,
}

/// The installment being judged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    pub price: i64,
    pub rate_bp: i64,
    pub payments: u32,
    pub category: String,
}

/// The judgement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assessment {
    pub level: Level,
    /// 0–100.
    pub score: i64,
    pub factors: Vec<Factor>,
    pub schedule: Amortized,
    pub monthly_payment: i64,
    pub first_payment: i64,
    pub total_cost: i64,
    /// Payment ÷ income, percent.
    pub payment_share: Fixed,
    /// (payment + installments + obligations) ÷ income, percent.
    pub dti: Fixed,
    /// `capacity − installments − payment`.
    pub remaining_monthly: i64,
    pub balance_after_first: Option<i64>,
}

/// Percent of `part ÷ whole` in basis points (hundredths of a percent).
fn bp(part: i64, whole: i64) -> i64 {
    Fixed::percent(part, whole).units()
}

fn pct(bp: i64) -> String {
    format!("{}%", Fixed::new(bp, 2))
}

/// Judges `p` against `s` (docs/installments.md §3, the factor table).
pub fn assess(s: &Situation, p: &Proposal) -> Assessment {
    let schedule = amortize(p.price, p.rate_bp, p.payments);
    let m = schedule.monthly_payment;
    let first = schedule.payments.first().map_or(0, |x| x.amount);
    let total_cost = p.price + schedule.total_interest;
    let share = bp(m, s.income);
    let dti = bp(m + s.existing_monthly + s.obligations, s.income);
    let remaining = s.capacity - s.existing_monthly - m;
    let after_first = s.balance.map(|b| b - first);
    let money = |c: i64| amount_text(c, &s.currency);
    let mut f: Vec<Factor> = Vec::new();
    let mut add = |factor, weight: Severity, message: String, stat: Option<String>| {
        f.push(Factor {
            factor,
            severity: weight.as_str(),
            message,
            stat,
            weight,
        });
    };

    if remaining < 0 {
        add(
            "exceeds_plan",
            Severity::Critical,
            format!(
                "Your plan leaves {} a month for installments; this one would need {} more.",
                money((s.capacity - s.existing_monthly).max(0)),
                money(-remaining)
            ),
            Some(format!(
                "Income {} − committed {} − installments {}",
                money(s.income),
                money(s.income - s.capacity),
                money(s.existing_monthly)
            )),
        );
    } else if remaining * 20 < s.income {
        add(
            "tight_plan",
            Severity::Medium,
            format!(
                "After this payment your plan has {} a month left (under 5% of your income).",
                money(remaining)
            ),
            None,
        );
    }
    match dti {
        d if d > 5_000 => add(
            "critical_dti",
            Severity::Critical,
            format!("Your debt payments would take {} of your income.", pct(d)),
            Some("Above 50% of income, one surprise expense means a missed payment".into()),
        ),
        d if d > 4_300 => add(
            "high_dti",
            Severity::High,
            format!("Your debt payments would take {} of your income.", pct(d)),
            Some("43% is the highest debt-to-income most lenders accept".into()),
        ),
        d if d > 3_600 => add(
            "moderate_dti",
            Severity::Medium,
            format!("Your debt payments would take {} of your income.", pct(d)),
            Some("36% is the usual ceiling for comfortable debt".into()),
        ),
        _ => {}
    }
    match share {
        sh if sh > 1_500 => add(
            "high_payment_share",
            Severity::High,
            format!("This payment alone is {} of your monthly income.", pct(sh)),
            None,
        ),
        sh if sh > 800 => add(
            "moderate_payment_share",
            Severity::Medium,
            format!("This payment is {} of your monthly income.", pct(sh)),
            None,
        ),
        _ => {}
    }
    if let Some(after) = after_first {
        if after < 0 {
            add(
                "balance_short",
                Severity::Critical,
                format!(
                    "Your balance does not cover the first payment of {}.",
                    money(first)
                ),
                None,
            );
        } else if after < m + s.existing_monthly + s.obligations {
            add(
                "thin_buffer",
                Severity::Medium,
                format!(
                    "After the first payment {} is left, less than one month of your obligations.",
                    money(after)
                ),
                None,
            );
        }
    }
    match s.existing_count {
        n if n >= 3 => add(
            "too_many_installments",
            Severity::High,
            format!("You already repay {n} installments."),
            None,
        ),
        2 => add(
            "multiple_installments",
            Severity::Medium,
            "You already repay 2 installments.".into(),
            None,
        ),
        1 => add(
            "one_installment",
            Severity::Low,
            "You already repay 1 installment.".into(),
            None,
        ),
        _ => {}
    }
    if matches!(p.category.as_str(), "groceries" | "utilities") {
        add(
            "essentials_on_credit",
            Severity::High,
            format!(
                "Paying for {} in installments means the month does not cover them.",
                p.category
            ),
            None,
        );
    }
    if s.card_debt {
        add(
            "credit_card_debt",
            Severity::High,
            "You carry credit card debt; repay it before taking on more.".into(),
            None,
        );
    }
    if s.planning_mortgage {
        add(
            "mortgage_planned",
            Severity::Medium,
            "You plan a mortgage: lenders count every installment.".into(),
            None,
        );
    }
    match p.rate_bp {
        r if r > 2_000 => add(
            "high_interest",
            Severity::Medium,
            format!(
                "{} a year adds {} of interest.",
                pct(r),
                money(schedule.total_interest)
            ),
            None,
        ),
        r if r > 0 => add(
            "interest_charged",
            Severity::Low,
            format!(
                "{} a year adds {} of interest.",
                pct(r),
                money(schedule.total_interest)
            ),
            None,
        ),
        _ => {}
    }
    if s.age_group.as_deref() == Some("18-24") {
        add(
            "young_borrower",
            Severity::Low,
            "Late payments at 18–24 weigh on a credit history for years.".into(),
            None,
        );
    }

    let worst = f.iter().map(|x| x.weight).max();
    let level = match worst {
        Some(Severity::Critical) => Level::Red,
        Some(Severity::High) => Level::Orange,
        Some(Severity::Medium) => Level::Yellow,
        _ => Level::Green,
    };
    let score = f.iter().map(|x| x.weight.points()).sum::<i64>().min(100);
    f.sort_by_key(|x| std::cmp::Reverse(x.weight));
    Assessment {
        level,
        score,
        factors: f,
        monthly_payment: m,
        first_payment: first,
        total_cost,
        schedule,
        payment_share: Fixed::new(share, 2),
        dti: Fixed::new(dti, 2),
        remaining_monthly: remaining,
        balance_after_first: after_first,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked case: income 6000, plan committing 5040 (unallocated 960), rent+utilities 1700.
    fn worked() -> Situation {
        Situation {
            income: 600_000,
            balance: Some(500_000),
            obligations: 170_000,
            capacity: 96_000,
            currency: "USD".into(),
            ..Situation::default()
        }
    }

    fn phone(price: i64, payments: u32) -> Proposal {
        Proposal {
            price,
            rate_bp: 0,
            payments,
            category: "electronics".into(),
        }
    }

    #[test]
    fn a_small_interest_free_purchase_that_fits_the_plan_is_green() {
        let a = assess(&worked(), &phone(120_000, 4));
        assert_eq!(a.monthly_payment, 30_000);
        assert_eq!(a.remaining_monthly, 66_000);
        assert_eq!(a.payment_share.to_string(), "5.00");
        assert_eq!(a.dti.to_string(), "33.33");
        assert_eq!(a.level, Level::Green);
        assert_eq!(a.score, 0);
        assert!(a.level.affordable());
    }

    #[test]
    fn more_than_the_plan_leaves_is_red() {
        let a = assess(&worked(), &phone(480_000, 4));
        assert_eq!(a.remaining_monthly, -24_000);
        assert_eq!(a.level, Level::Red);
        assert_eq!(a.factors[0].factor, "exceeds_plan");
        assert_eq!(a.factors[0].severity, "critical");
        assert!(a.score >= 40);
        assert!(!a.level.affordable());
    }

    #[test]
    fn existing_installments_and_interest_raise_the_level() {
        let mut s = worked();
        s.existing_count = 3;
        s.existing_monthly = 30_000;
        let a = assess(
            &s,
            &Proposal {
                price: 60_000,
                rate_bp: 2_400,
                payments: 12,
                category: "furniture".into(),
            },
        );
        let names: Vec<&str> = a.factors.iter().map(|f| f.factor).collect();
        assert!(names.contains(&"too_many_installments"), "{names:?}");
        assert!(names.contains(&"high_interest"), "{names:?}");
        assert_eq!(a.level, Level::Orange);
        assert_eq!(a.score, 20 + 10);
        assert_eq!(a.total_cost, 60_000 + a.schedule.total_interest);
    }

    #[test]
    fn a_balance_below_the_first_payment_is_red_and_a_thin_one_yellow() {
        let mut s = worked();
        s.balance = Some(10_000);
        assert_eq!(assess(&s, &phone(120_000, 4)).level, Level::Red);
        s.balance = Some(200_000);
        let a = assess(&s, &phone(120_000, 4));
        assert_eq!(a.balance_after_first, Some(170_000));
        assert_eq!(
            a.level,
            Level::Yellow,
            "170 000 < 30 000 + 170 000 of obligations"
        );
    }
}
