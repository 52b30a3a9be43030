//! Category suggestions for a description: the keyword rules, the user's own history (which
//! category they gave the same merchant or description before), and — when configured — the
//! LLM's pick among the 22 categories.

use std::collections::BTreeMap;

use super::categorize::{Candidate, keyword_candidates, normalize};
use super::{Insights, Origin, Source};
use crate::budget::TxCategory;
use crate::error::{Code, Error, Result};
use crate::id::Id;
use crate::money::Money;
use crate::money::{MAX_AMOUNT_CENTS, MIN_AMOUNT_CENTS};
use crate::on_db;

/// Longest accepted description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 500;
/// Most suggestions returned.
pub const MAX_SUGGESTIONS: usize = 3;
/// Distinct (label, category) pairs of history read at most.
const MAX_HISTORY_ROWS: i64 = 5_000;

/// Instructions for the LLM's pick.
const PICK_PROMPT: &str = "You categorise purchases for a budgeting app. Reply with exactly one \
category name from the list, nothing else.";

impl Insights {
    /// `POST /api/ai/category-suggestions`: up to 3 candidates, best first. 1 query.
    pub async fn category_suggestions(
        &self,
        user: Id,
        description: &str,
        amount: Option<Money>,
    ) -> Result<(Vec<Candidate>, Origin)> {
        let text = description.trim();
        if text.is_empty()
            || text.chars().count() > MAX_DESCRIPTION_CHARS
            || text.chars().any(char::is_control)
        {
            return Err(Error::invalid(
                Code::Validation2003,
                "body.description",
                "length",
                "must be 1 to 500 printable characters",
            ));
        }
        if amount.is_some_and(|a| !(MIN_AMOUNT_CENTS..=MAX_AMOUNT_CENTS).contains(&a.cents())) {
            return Err(Error::invalid(
                Code::Validation2006,
                "body.amount",
                "range",
                "must be between 0.01 and 100000.00",
            ));
        }
        let history: Vec<(String, String, i64)> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT lower(COALESCE(merchant, description)) AS label, category, COUNT(*) AS n FROM transactions \
             WHERE user_id = $1 AND deleted_at IS NULL AND COALESCE(merchant, description) IS NOT NULL \
             GROUP BY lower(COALESCE(merchant, description)), category ORDER BY label, category LIMIT $2")
            .bind(user).bind(MAX_HISTORY_ROWS).fetch_all(pool).await)?;
        let mut candidates = merge(
            history_candidates(text, &history),
            keyword_candidates(text, amount),
        );
        let Some(llm) = self.llm_for(user) else {
            return Ok((candidates, Origin::RULES));
        };
        let names: Vec<&str> = TxCategory::ALL.iter().map(|c| c.as_str()).collect();
        let amount_text = amount.map_or(String::new(), |a| format!("; amount {a}"));
        let message = format!(
            "Categories: {}\nPurchase: {text}{amount_text}",
            names.join(", ")
        );
        let picked = llm
            .chat(PICK_PROMPT, &message)
            .await
            .ok()
            .and_then(|answer| parse_category(&answer));
        let Some(category) = picked else {
            return Ok((candidates, Origin::RULES));
        };
        let top = candidates.first().map_or(0, |c| c.confidence);
        candidates.retain(|c| c.category != category);
        candidates.insert(
            0,
            Candidate {
                category,
                confidence: top.max(8_000),
                reason: "llm",
            },
        );
        candidates.truncate(MAX_SUGGESTIONS);
        let origin = Origin {
            source: Source::Llm,
            model: Some(llm.model().to_string()),
        };
        Ok((candidates, origin))
    }
}

/// For each history label matching the text (equal, or one contains the other as whole words,
/// labels of at least 3 characters), the category the user gave it most often; confidence
/// min(95 %, 60 % + 10 % × times used).
pub fn history_candidates(text: &str, history: &[(String, String, i64)]) -> Vec<Candidate> {
    let wanted = format!(" {} ", normalize(text));
    let mut best: BTreeMap<String, (i64, TxCategory)> = BTreeMap::new();
    for (label, category, n) in history {
        let label = normalize(label);
        let padded = format!(" {label} ");
        let matched = label.chars().count() >= 3
            && (wanted.contains(&padded)
                || (wanted.trim().chars().count() >= 3 && padded.contains(&wanted)));
        let Ok(category) = category.parse::<TxCategory>() else {
            continue;
        };
        if matched {
            let e = best.entry(label).or_insert((*n, category));
            if *n > e.0 || (*n == e.0 && category < e.1) {
                *e = (*n, category);
            }
        }
    }
    best.into_values()
        .map(|(n, category)| Candidate {
            category,
            confidence: u16::try_from((6_000 + 1_000 * n).min(9_500)).unwrap_or(9_500),
            reason: "history",
        })
        .collect()
}

/// One candidate per category (the most confident; history wins a tie), best first (ties in
/// category order), at most [`MAX_SUGGESTIONS`].
pub fn merge(history: Vec<Candidate>, keywords: Vec<Candidate>) -> Vec<Candidate> {
    let mut by: BTreeMap<TxCategory, Candidate> = BTreeMap::new();
    for c in history.into_iter().chain(keywords) {
        match by.get(&c.category) {
            Some(existing) if existing.confidence >= c.confidence => {}
            _ => {
                by.insert(c.category, c);
            }
        }
    }
    let mut out: Vec<Candidate> = by.into_values().collect();
    out.sort_by(|a, b| {
        b.confidence
            .cmp(&a.confidence)
            .then(a.category.cmp(&b.category))
    });
    if out.len() > 1 {
        // The no-match fallback is only a candidate when nothing else is.
        out.retain(|c| c.reason != "default");
    }
    out.truncate(MAX_SUGGESTIONS);
    out
}

/// The category named in an LLM answer (`Dining`, `"dining".`, `public transport`...).
fn parse_category(answer: &str) -> Option<TxCategory> {
    let t = normalize(answer).replace('.', "").replace(' ', "_");
    t.parse().ok()
}
