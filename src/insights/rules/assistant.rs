//! The assistant: a question is matched to an intent by keywords and answered from the user's
//! data (spends of this and last month, today's plan); anything else gets a helpful fallback.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::budget::views::DayTotals;
use crate::budget::{PlanCategory, TxCategory};
use crate::insights::categorize::{keyword_candidates, normalize};
use crate::insights::data::{Spend, bp, days_before};
use crate::insights::{Narrated, amount_text, percent_text};
use crate::money::Money;

/// Example questions offered by the fallback answer.
pub const EXAMPLES: [&str; 4] = [
    "How much did I spend on food this month?",
    "Can I afford 40 on dining today?",
    "How much budget do I have left?",
    "What did I spend the most on last month?",
];

/// `POST /api/ai/assistant`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AssistantAnswer {
    pub answer: String,
    /// `spending`, `afford`, `remaining`, `savings`, `top_category` or `fallback`.
    pub intent: &'static str,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    /// The category the question was about, when one was recognised.
    pub category: Option<String>,
    /// The figure the answer is about (a total, a remaining budget...).
    pub amount: Option<Money>,
    pub suggestions: Vec<String>,
}

impl Narrated for AssistantAnswer {
    const KIND: &'static str = "assistant";
    fn text(&self) -> &str {
        &self.answer
    }
    fn set_text(&mut self, text: String) {
        self.answer = text;
    }
}

/// What the assistant can read.
pub struct Facts<'a> {
    /// Spends from the first day of last month to today.
    pub spends: &'a [Spend],
    /// Plan totals of this month's days.
    pub month_days: &'a BTreeMap<NaiveDate, DayTotals>,
    /// Today's plan per category: (category, planned, spent).
    pub today_plan: &'a [(PlanCategory, i64, i64)],
    pub income: i64,
    pub today: NaiveDate,
    pub currency: &'a str,
}

/// A category filter recognised in a question.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Filter {
    Tx(TxCategory),
    Plan(PlanCategory),
}

impl Filter {
    fn name(self) -> &'static str {
        match self {
            Filter::Tx(t) => t.as_str(),
            Filter::Plan(p) => p.as_str(),
        }
    }
    fn keeps(self, s: &Spend) -> bool {
        match self {
            Filter::Tx(t) => s.category == t,
            Filter::Plan(p) => s.category.plan() == p,
        }
    }
    fn plan(self) -> PlanCategory {
        match self {
            Filter::Tx(t) => t.plan(),
            Filter::Plan(p) => p,
        }
    }
}

/// Answers `question` from `facts`.
pub fn answer(question: &str, f: &Facts<'_>) -> AssistantAnswer {
    // Sentence dots are not part of words here ("today." is "today").
    let q = normalize(question).replace('.', " ");
    let has = |words: &[&str]| words.iter().any(|w| contains_word(&q, w));
    let filter = category_in(&q);
    let (first, last, label) = period_in(&q, f.today);
    let money = |c: i64| amount_text(c, f.currency);
    let mut out = AssistantAnswer {
        answer: String::new(),
        intent: "fallback",
        period_start: None,
        period_end: None,
        category: filter.map(|c| c.name().to_string()),
        amount: None,
        suggestions: Vec::new(),
    };
    if has(&["afford", "buy", "purchase"]) {
        out.intent = "afford";
        let rows = f
            .today_plan
            .iter()
            .filter(|r| filter.is_none_or(|c| c.plan() == r.0));
        let left: i64 = rows.map(|r| r.1 - r.2).sum();
        let what = filter.map_or("today".to_string(), |c| format!("for {} today", c.plan()));
        out.amount = Some(Money::from_cents(left));
        out.answer = match amount_in(question) {
            None => format!(
                "You have {} left {what}. Tell me the price to check a purchase.",
                money(left)
            ),
            Some(price) if price <= left => format!(
                "Yes: you have {} left {what}; {} would remain after spending {}.",
                money(left),
                money(left - price),
                money(price)
            ),
            Some(price) => format!(
                "Not within budget: you have {} left {what}, so {} would go over by {}.",
                money(left),
                money(price),
                money(price - left)
            ),
        };
    } else if has(&["left", "remaining", "remain", "budget"]) {
        out.intent = "remaining";
        let today: i64 = f.today_plan.iter().map(|r| r.1 - r.2).sum();
        let (planned, spent) = f
            .month_days
            .values()
            .fold((0, 0), |a, t| (a.0 + t.planned, a.1 + t.spent));
        out.amount = Some(Money::from_cents(today));
        out.answer = format!(
            "Today you have {} left; this month {} of the {} planned remains.",
            money(today),
            money(planned - spent),
            money(planned)
        );
    } else if has(&["save", "saving", "savings", "saved"]) {
        out.intent = "savings";
        let month_first = f.today.with_day(1).unwrap_or(f.today);
        let spent = total(f.spends, None, month_first, f.today);
        out.period_start = Some(month_first);
        out.period_end = Some(f.today);
        out.answer = match bp(f.income - spent, f.income).filter(|_| f.income > 0) {
            Some(rate) => {
                out.amount = Some(Money::from_cents(f.income - spent));
                format!(
                    "So far this month you kept {} of your {} income ({}).",
                    money(f.income - spent),
                    money(f.income),
                    percent_text(rate)
                )
            }
            None => format!(
                "You spent {} this month; add your income to your profile to see your savings.",
                money(spent)
            ),
        };
    } else if has(&["most", "biggest", "top", "largest"]) {
        out.intent = "top_category";
        (out.period_start, out.period_end) = (Some(first), Some(last));
        let mut by: BTreeMap<&str, i64> = BTreeMap::new();
        for s in f
            .spends
            .iter()
            .filter(|s| s.date >= first && s.date <= last)
        {
            *by.entry(s.category.as_str()).or_default() += s.amount;
        }
        let top = by
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)));
        out.answer = match top {
            Some((c, cents)) => {
                out.category = Some(c.to_string());
                out.amount = Some(Money::from_cents(cents));
                format!("You spent the most on {c} {label}: {}.", money(cents))
            }
            None => format!("You have no spending recorded {label}."),
        };
    } else if has(&["spend", "spent", "spending", "cost", "paid", "pay", "much"]) {
        out.intent = "spending";
        (out.period_start, out.period_end) = (Some(first), Some(last));
        let cents = total(f.spends, filter, first, last);
        let n = f
            .spends
            .iter()
            .filter(|s| s.date >= first && s.date <= last && filter.is_none_or(|c| c.keeps(s)))
            .count();
        out.amount = Some(Money::from_cents(cents));
        let on = filter.map_or(String::new(), |c| format!(" on {}", c.name()));
        out.answer = format!(
            "You spent {}{on} {label} ({n} transaction(s)).",
            money(cents)
        );
    } else {
        out.answer = "I can answer questions about your spending, your remaining budget, your savings and whether a purchase fits your budget.".to_string();
        out.suggestions = EXAMPLES.iter().map(|e| e.to_string()).collect();
    }
    out
}

fn total(spends: &[Spend], filter: Option<Filter>, first: NaiveDate, last: NaiveDate) -> i64 {
    spends
        .iter()
        .filter(|s| s.date >= first && s.date <= last && filter.is_none_or(|c| c.keeps(s)))
        .map(|s| s.amount)
        .sum()
}

fn contains_word(normalized: &str, word: &str) -> bool {
    format!(" {normalized} ").contains(&format!(" {word} "))
}

/// A transaction category that is not also a plan category, else a plan category, else the
/// best keyword match of the question.
fn category_in(q: &str) -> Option<Filter> {
    let specific = TxCategory::ALL.into_iter().find(|t| {
        t.as_str().parse::<PlanCategory>().is_err()
            && contains_word(q, &t.as_str().replace('_', " "))
    });
    if let Some(t) = specific {
        return Some(Filter::Tx(t));
    }
    // "other" is too common a word to mean the category.
    let plan = PlanCategory::ALL
        .into_iter()
        .filter(|p| *p != PlanCategory::Other);
    if let Some(p) = plan
        .into_iter()
        .find(|p| contains_word(q, &p.as_str().replace('_', " ")))
    {
        return Some(Filter::Plan(p));
    }
    keyword_candidates(q, None)
        .into_iter()
        .find(|c| c.reason == "keyword")
        .map(|c| Filter::Tx(c.category))
}

/// today / yesterday / this week (last 7 days) / last week / last month / this month (default).
fn period_in(q: &str, today: NaiveDate) -> (NaiveDate, NaiveDate, &'static str) {
    let month_first = today.with_day(1).unwrap_or(today);
    if contains_word(q, "today") {
        (today, today, "today")
    } else if contains_word(q, "yesterday") {
        let y = days_before(today, 1);
        (y, y, "yesterday")
    } else if q.contains("last week") {
        (days_before(today, 13), days_before(today, 7), "last week")
    } else if q.contains("this week") || contains_word(q, "week") {
        (days_before(today, 6), today, "in the last 7 days")
    } else if q.contains("last month") {
        let last = days_before(month_first, 1);
        (last.with_day(1).unwrap_or(last), last, "last month")
    } else {
        (month_first, today, "this month")
    }
}

/// The first amount in the text (`40`, `$12.50`, `1,200`), in cents.
fn amount_in(text: &str) -> Option<i64> {
    let cleaned: String = text.chars().filter(|c| *c != ',').collect();
    let mut token = String::new();
    for c in cleaned.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() || (c == '.' && !token.is_empty()) {
            token.push(c);
        } else if !token.is_empty() {
            let t = token.trim_end_matches('.');
            if let Ok(m) = Money::parse(t) {
                return Some(m.cents()).filter(|c| *c > 0);
            }
            token.clear();
        }
    }
    None
}
