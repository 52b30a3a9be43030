//! The financial calculators (`/api/financial/*`, docs/installments.md §8–10): installment
//! evaluations (the calculator's rule applied to the caller's active installments, or to a
//! proposed purchase), and the income-relative thresholds and housing ratios the app asks for.
//! Every amount is cents, every ratio a [`Fixed`].

pub mod thresholds;

use serde::Serialize;

use crate::db::Db;
use crate::error::Result;
use crate::fixed::Fixed;
use crate::id::Id;
use crate::installments::calculator::situation;
use crate::installments::context;
use crate::installments::input::CalculatorRequest;
use crate::installments::risk::{Level, Proposal, assess};
use crate::money::Money;

/// One evaluation (`GET /api/financial/installment-evaluate`, `data[]`).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Evaluation {
    /// The installment judged; null for a proposed purchase.
    pub installment_id: Option<Id>,
    pub item_name: String,
    pub monthly_payment: Money,
    pub remaining_payments: i64,
    pub remaining_balance: Money,
    pub total_cost: Money,
    pub total_interest: Money,
    /// Percent.
    pub payment_to_income_ratio: Fixed,
    /// Percent.
    pub debt_to_income_ratio: Fixed,
    pub remaining_monthly_funds: Money,
    pub risk_level: Level,
    pub risk_score: i64,
    pub can_afford: bool,
    /// `within_limits` or `exceeds_limits`.
    pub budget_impact_assessment: &'static str,
    pub reason: String,
    pub recommendations: Vec<String>,
}

/// A proposed purchase (the query of the evaluate route).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposed {
    pub price: i64,
    pub down_payment: i64,
    pub months: u32,
    pub rate_bp: i64,
}

fn request(price: i64, months: u32, rate_bp: i64, income: Option<i64>) -> CalculatorRequest {
    CalculatorRequest {
        price,
        category: "other".into(),
        payments: months,
        rate_bp,
        monthly_income: income,
        current_balance: None,
        age_group: None,
        credit_card_debt: None,
        other_monthly_obligations: None,
        planning_mortgage: None,
    }
}

/// Evaluates the proposed purchase, or else each of the caller's active installments against
/// the others (its remaining payments at its own payment). `income` overrides the known one.
/// 3 queries.
pub async fn evaluate(
    db: &Db,
    user: Id,
    proposed: Option<&Proposed>,
    income: Option<i64>,
) -> Result<Vec<Evaluation>> {
    let ctx = context::load(db, user).await?;
    let mut out = Vec::new();
    if let Some(p) = proposed {
        let financed = p.price - p.down_payment;
        let req = request(financed, p.months, p.rate_bp, income);
        let (s, _) = situation(&ctx, &req, None, "query.monthly_income")?;
        let proposal = Proposal {
            price: financed,
            rate_bp: p.rate_bp,
            payments: p.months,
            category: "other".into(),
        };
        let a = assess(&s, &proposal);
        let cost = a.total_cost;
        out.push(judged(
            None,
            "Proposed purchase",
            p.months,
            (financed, cost),
            &a,
        ));
        return Ok(out);
    }
    for row in ctx.installments.iter().filter(|r| r.status == "active") {
        let terms = row.terms();
        let left = terms.count - row.made().min(terms.count);
        let balance = row.total_amount_cents - terms.paid_through(row.made());
        let req = request(balance.max(1), left.max(1), 0, income);
        let (s, _) = situation(&ctx, &req, Some(row.id), "query.monthly_income")?;
        // Judged at its own monthly cost: the remaining balance over the remaining payments,
        // interest already included in the payments.
        let proposal = Proposal {
            price: row.monthly_cents() * i64::from(left.max(1)),
            rate_bp: 0,
            payments: left.max(1),
            category: row.category.clone(),
        };
        let a = assess(&s, &proposal);
        // What is left to pay is the remaining balance (any interest is in the payments).
        out.push(judged(
            Some(row.id),
            &row.item_name,
            left,
            (balance, balance),
            &a,
        ));
    }
    Ok(out)
}

/// The evaluation of an assessment; `(balance, cost)` = what is still owed and what it costs
/// in total from now on.
fn judged(
    id: Option<Id>,
    name: &str,
    left: u32,
    (balance, cost): (i64, i64),
    a: &crate::installments::risk::Assessment,
) -> Evaluation {
    let affordable = a.level.affordable();
    let reason = a.factors.first().map_or_else(
        || "It fits your plan and income with room to spare.".to_string(),
        |f| f.message.clone(),
    );
    let mut recommendations: Vec<String> = a
        .factors
        .iter()
        .filter(|f| f.severity != "low")
        .map(|f| f.message.clone())
        .take(3)
        .collect();
    if recommendations.is_empty() {
        recommendations
            .push("Keep paying on the due dates; mita reserves each payment in your plan.".into());
    }
    Evaluation {
        installment_id: id,
        item_name: name.to_string(),
        monthly_payment: Money::from_cents(a.monthly_payment),
        remaining_payments: i64::from(left),
        remaining_balance: Money::from_cents(balance),
        total_cost: Money::from_cents(cost),
        total_interest: Money::from_cents(cost - balance),
        payment_to_income_ratio: a.payment_share,
        debt_to_income_ratio: a.dti,
        remaining_monthly_funds: Money::from_cents(a.remaining_monthly),
        risk_level: a.level,
        risk_score: a.score,
        can_afford: affordable,
        budget_impact_assessment: if affordable {
            "within_limits"
        } else {
            "exceeds_limits"
        },
        reason,
        recommendations,
    }
}
