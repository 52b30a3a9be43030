//! `POST /api/installments/calculator`: is a new installment affordable? The rule is in
//! [`super::risk`]; this module gathers the caller's figures, words the answer the way the app's
//! `InstallmentCalculatorOutput` reads it, and records the calculation (the achievements count
//! them).

use serde::Serialize;

use super::InstallmentCtx;
use super::context::{self, Context};
use super::input::{CalculatorInput, CalculatorRequest};
use super::risk::{Assessment, Factor, Level, Proposal, Situation, assess};
use super::schedule::amortize;
use crate::error::{Code, Error, Result};
use crate::fixed::Fixed;
use crate::id::Id;
use crate::money::Money;
use crate::money::amount_text;
use crate::on_write;

/// One payment of the schedule (`payment_schedule[]`; the app reads `payment_number`, `amount`
/// and `interest`).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ScheduleItem {
    pub payment_number: i64,
    pub amount: Money,
    /// The same as `amount`.
    pub payment_amount: Money,
    pub principal: Money,
    pub interest: Money,
    pub remaining_balance: Money,
}

/// Another way to buy it (`alternative_recommendation`).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Alternative {
    pub recommendation_type: &'static str,
    pub title: String,
    pub description: String,
    pub savings_amount: Option<Money>,
    pub time_needed_days: Option<i64>,
}

/// The answer (the app's `InstallmentCalculatorOutput`, bare), plus the figures it used.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct CalculatorOutput {
    pub risk_level: Level,
    pub risk_score: i64,
    pub verdict: &'static str,
    pub affordable: bool,
    pub monthly_payment: Money,
    pub total_interest: Money,
    pub total_cost: Money,
    pub first_payment_amount: Money,
    pub payment_schedule: Vec<ScheduleItem>,
    /// Percent.
    pub dti_ratio: Fixed,
    /// Percent.
    pub payment_to_income_ratio: Fixed,
    pub remaining_monthly_funds: Money,
    pub balance_after_first_payment: Option<Money>,
    pub risk_factors: Vec<Factor>,
    pub personalized_message: String,
    pub alternative_recommendation: Option<Alternative>,
    pub warnings: Vec<String>,
    pub tips: Vec<String>,
    pub statistics: Vec<String>,
    pub potential_late_fee: Option<Money>,
    pub potential_overdraft: Option<Money>,
    pub hidden_cost_message: Option<String>,
    pub monthly_income: Money,
    /// `request`, `profile` (the financial profile) or `account` (the user's income: onboarding
    /// or `PATCH /api/users/me`).
    pub income_source: &'static str,
    pub monthly_obligations: Money,
    /// What the plan leaves for installments each month (`income − committed`).
    pub plan_capacity: Money,
    pub active_installments_count: i64,
    pub active_installments_monthly: Money,
}

/// The situation of a request: sent figures first, then the profile, the plan, the user.
/// `except` leaves one installment out of the existing ones (to judge it against the others);
/// `income_field` is the field a missing income is reported on.
pub fn situation(
    ctx: &Context,
    req: &CalculatorRequest,
    except: Option<Id>,
    income_field: &str,
) -> Result<(Situation, &'static str)> {
    let Some((income, source)) = ctx.income(req.monthly_income) else {
        return Err(Error::invalid(
            Code::Validation2006,
            income_field,
            "missing",
            "no income is known: send monthly_income, save a financial profile or complete onboarding",
        ));
    };
    let obligations = ctx.obligations(req.other_monthly_obligations);
    let (count, monthly) = ctx.active_load(except);
    let profile = ctx.profile.as_ref();
    Ok((
        Situation {
            income,
            balance: ctx.balance(req.current_balance),
            obligations,
            capacity: ctx.capacity(income, obligations),
            existing_count: count,
            existing_monthly: monthly,
            card_debt: req.credit_card_debt.unwrap_or_else(|| {
                profile
                    .and_then(|p| p.credit_card_debt_cents)
                    .is_some_and(|d| d > 0)
            }),
            age_group: req
                .age_group
                .clone()
                .or_else(|| profile.and_then(|p| p.age_group.clone())),
            planning_mortgage: req
                .planning_mortgage
                .unwrap_or_else(|| profile.is_some_and(|p| p.planning_mortgage)),
            currency: "USD".into(),
        },
        source,
    ))
}

fn verdict(level: Level) -> &'static str {
    match level {
        Level::Red => "We don't recommend this",
        Level::Orange => "This is risky",
        Level::Yellow => "Think it through",
        Level::Green => "You can afford this",
    }
}

/// `ceil(a ÷ b)` for positive `b`.
fn ceil_div(a: i64, b: i64) -> i64 {
    if b <= 0 { 0 } else { (a + b - 1) / b }
}

/// What the user could set aside a month instead: what the plan leaves free, else 10 % of income.
fn monthly_saving(s: &Situation) -> i64 {
    let free = s.capacity - s.existing_monthly;
    if free > 0 { free } else { s.income / 10 }
}

fn alternative(s: &Situation, p: &Proposal, a: &Assessment) -> Option<Alternative> {
    let money = |c: i64| amount_text(c, &s.currency);
    let saving = monthly_saving(s);
    match a.level {
        Level::Red => {
            let months = ceil_div(p.price, saving);
            Some(Alternative {
                recommendation_type: "save_instead",
                title: "Save up instead".into(),
                description: format!(
                    "Set aside {} a month and you can pay {} in cash in {months} months, with no interest and no late fees.",
                    money(saving),
                    money(p.price)
                ),
                savings_amount: Some(Money::from_cents(saving)),
                time_needed_days: Some(months * 30),
            })
        }
        Level::Orange => {
            let half = p.price / 2;
            let months = ceil_div(half, saving);
            Some(Alternative {
                recommendation_type: "save_half",
                title: "Save half, then finance".into(),
                description: format!(
                    "Save {} first ({months} months at {} a month); financing the rest halves the payment to about {}.",
                    money(half),
                    money(saving),
                    money(a.monthly_payment / 2)
                ),
                savings_amount: Some(Money::from_cents(saving)),
                time_needed_days: Some(months * 30),
            })
        }
        Level::Yellow if p.payments > 6 => {
            let shorter = (p.payments / 2).max(4);
            let cheaper = amortize(p.price, p.rate_bp, shorter);
            let saved = a.schedule.total_interest - cheaper.total_interest;
            Some(Alternative {
                recommendation_type: "shorter_term",
                title: "Consider a shorter term".into(),
                description: format!(
                    "{shorter} payments of about {} instead of {}: debt-free sooner{}.",
                    money(cheaper.monthly_payment),
                    p.payments,
                    if saved > 0 {
                        format!(" and {} less interest", money(saved))
                    } else {
                        String::new()
                    }
                ),
                savings_amount: (saved > 0).then(|| Money::from_cents(saved)),
                time_needed_days: None,
            })
        }
        Level::Green if s.balance.is_some_and(|b| b >= p.price) => Some(Alternative {
            recommendation_type: "pay_cash",
            title: "Consider paying cash".into(),
            description: format!(
                "Your balance covers the price; paying {} now leaves no payments to track{}.",
                money(p.price),
                if a.schedule.total_interest > 0 {
                    format!(
                        " and saves {} of interest",
                        money(a.schedule.total_interest)
                    )
                } else {
                    String::new()
                }
            ),
            savings_amount: (a.schedule.total_interest > 0)
                .then(|| Money::from_cents(a.schedule.total_interest)),
            time_needed_days: None,
        }),
        _ => None,
    }
}

fn message(s: &Situation, a: &Assessment) -> String {
    let money = |c: i64| amount_text(c, &s.currency);
    let top = a
        .factors
        .first()
        .map(|f| f.message.clone())
        .unwrap_or_default();
    match a.level {
        Level::Red
            if a.factors
                .first()
                .is_some_and(|f| f.factor == "exceeds_plan") =>
        {
            format!(
                "Your plan leaves {} a month for installments and this one costs {}. Taking it would spend money your plan has already given to bills, savings or your daily budget.",
                money((s.capacity - s.existing_monthly).max(0)),
                money(a.monthly_payment)
            )
        }
        Level::Red => format!("{top} We advise against this installment."),
        Level::Orange => format!("{top} If you go ahead, keep every other payment on track first."),
        Level::Yellow => format!(
            "It fits your plan with {} a month to spare, but mind this: {top}",
            money(a.remaining_monthly)
        ),
        Level::Green => format!(
            "It fits your plan: after {} a month you still have {} free each month.",
            money(a.monthly_payment),
            money(a.remaining_monthly)
        ),
    }
}

/// The worded answer of an assessment.
pub fn output(
    s: &Situation,
    p: &Proposal,
    a: &Assessment,
    source: &'static str,
) -> CalculatorOutput {
    let money = |c: i64| amount_text(c, &s.currency);
    let interest = a.schedule.total_interest;
    let mut warnings = Vec::new();
    if interest > 0 {
        warnings.push(format!(
            "Interest adds {} to the price: {} in total.",
            money(interest),
            money(a.total_cost)
        ));
    }
    if a.remaining_monthly < 0 {
        warnings.push(
            "This payment is more than your plan can carry: it would come out of your bills, savings or daily budget."
                .into(),
        );
    }
    if a.balance_after_first.is_some_and(|b| b < 0) {
        warnings.push("Your balance does not cover the first payment.".into());
    }
    let mut tips = vec![
        "Once you commit, add it under Installments: mita reserves each payment in your daily plan on its due date."
            .to_string(),
    ];
    if a.level.affordable() {
        tips.push("Pay on the due date: a late payment usually costs a fee and can hurt your credit score.".into());
    }
    if p.rate_bp == 0 {
        tips.push("At 0% the price is the same as paying cash; only the timing changes.".into());
    }
    let statistics = vec![
        format!(
            "This payment: {}% of your monthly income ({}).",
            a.payment_share,
            money(s.income)
        ),
        format!("Debt-to-income after it: {}%.", a.dti),
        format!(
            "Your plan leaves {} a month for installments; {} of it already goes to {} installment(s).",
            money(s.capacity.max(0)),
            money(s.existing_monthly),
            s.existing_count
        ),
        format!(
            "Left each month after this one: {}.",
            money(a.remaining_monthly)
        ),
    ];
    CalculatorOutput {
        risk_level: a.level,
        risk_score: a.score,
        verdict: verdict(a.level),
        affordable: a.level.affordable(),
        monthly_payment: Money::from_cents(a.monthly_payment),
        total_interest: Money::from_cents(interest),
        total_cost: Money::from_cents(a.total_cost),
        first_payment_amount: Money::from_cents(a.first_payment),
        payment_schedule: a
            .schedule
            .payments
            .iter()
            .map(|x| ScheduleItem {
                payment_number: i64::from(x.number),
                amount: Money::from_cents(x.amount),
                payment_amount: Money::from_cents(x.amount),
                principal: Money::from_cents(x.principal),
                interest: Money::from_cents(x.interest),
                remaining_balance: Money::from_cents(x.remaining_balance),
            })
            .collect(),
        dti_ratio: a.dti,
        payment_to_income_ratio: a.payment_share,
        remaining_monthly_funds: Money::from_cents(a.remaining_monthly),
        balance_after_first_payment: a.balance_after_first.map(Money::from_cents),
        risk_factors: a.factors.clone(),
        personalized_message: message(s, a),
        alternative_recommendation: alternative(s, p, a),
        warnings,
        tips,
        statistics,
        potential_late_fee: None,
        potential_overdraft: None,
        hidden_cost_message: (interest > 0).then(|| {
            format!(
                "Interest costs {} over {} payments ({}% of the price).",
                money(interest),
                p.payments,
                Fixed::percent(interest, p.price)
            )
        }),
        monthly_income: Money::from_cents(s.income),
        income_source: source,
        monthly_obligations: Money::from_cents(s.obligations),
        plan_capacity: Money::from_cents(s.capacity),
        active_installments_count: s.existing_count,
        active_installments_monthly: Money::from_cents(s.existing_monthly),
    }
}

/// Runs the calculator for the caller and records the calculation. 4 queries.
pub async fn calculate(
    ctx: &InstallmentCtx<'_>,
    input: &CalculatorInput,
) -> Result<CalculatorOutput> {
    let req = input.check()?;
    let context = context::load(ctx.db, ctx.user).await?;
    let (situation, source) = situation(&context, &req, None, "body.monthly_income")?;
    let proposal = Proposal {
        price: req.price,
        rate_bp: req.rate_bp,
        payments: req.payments,
        category: req.category.clone(),
    };
    let a = assess(&situation, &proposal);
    let (now, _) = ctx.now();
    on_write!(ctx.db, pool => sqlx::query(
        "INSERT INTO installment_calculations (id, user_id, purchase_amount_cents, category, num_payments, interest_rate_bp, \
         monthly_payment_cents, total_interest_cents, risk_level, risk_score, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
        .bind(Id::new()).bind(ctx.user).bind(req.price).bind(&req.category).bind(i32::try_from(req.payments).unwrap_or(i32::MAX))
        .bind(req.rate_bp).bind(a.monthly_payment).bind(a.schedule.total_interest).bind(a.level.as_str())
        .bind(i32::try_from(a.score).unwrap_or(100)).bind(now).execute(pool).await.map(|_| ()))?;
    Ok(output(&situation, &proposal, &a, source))
}
