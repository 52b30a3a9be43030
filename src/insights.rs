//! Insights: the `/api/ai/*` and `/api/insights/*` answers, computed by deterministic rules over
//! the user's own data (docs/insights.md has every formula), and — when an OpenAI-compatible chat
//! API is configured — enriched by it: the LLM rewrites the answer's text from the rule figures,
//! behind a timeout and a circuit breaker. When it fails, is slow, or its breaker is open, the
//! rule-based answer is returned as it is. Every answer says which source produced it.
//!
//! Figures are integers: money in cents ([`Money`]), ratios in basis points (`*_bp`, 10000 =
//! 100 %), scores 0–100.

pub mod behavior;
pub mod categorize;
pub mod data;
pub mod llm;
pub mod reads;
pub mod rules;
pub mod service;
pub mod snapshots;
pub mod suggest;

use std::sync::Arc;

use serde::Serialize;

pub use categorize::{Suggestion, categorize};

use crate::clock::Clock;
use crate::config::LlmSettings;
use crate::db::Db;
use crate::error::Result;
use crate::id::Id;
use crate::metrics::Metrics;
use crate::resilience::{BreakerState, HourlyQuota};
use llm::LlmClient;

/// Which source produced an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The deterministic rules alone.
    Rules,
    /// The rules' figures with text written by the configured LLM.
    Llm,
}

impl Source {
    /// `rules` or `llm` (the `ai_snapshots.source` value).
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Rules => "rules",
            Source::Llm => "llm",
        }
    }
}

/// Where an answer came from: `source`, and `model` when the LLM wrote its text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Origin {
    pub source: Source,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
}

impl Origin {
    /// The rules alone.
    pub const RULES: Origin = Origin {
        source: Source::Rules,
        model: None,
    };
}

/// An answer with its [`Origin`] fields (`source`, `model`) beside its own.
#[derive(Clone, Debug, Serialize)]
pub struct Sourced<T> {
    #[serde(flatten)]
    pub body: T,
    #[serde(flatten)]
    pub origin: Origin,
}

/// A rule answer whose text the LLM may rewrite.
pub trait Narrated: Serialize {
    /// What the analysis is (the snapshot kind, and a hint to the LLM).
    const KIND: &'static str;
    /// The text the LLM rewrites (summary, explanation or answer).
    fn text(&self) -> &str;
    /// Replaces the text with the LLM's.
    fn set_text(&mut self, text: String);
}

/// Instructions sent with every enrichment request.
const SYSTEM_PROMPT: &str = "You are MITA, a personal-finance assistant inside a budgeting app. \
You receive an analysis computed from the user's own data (JSON facts, amounts in the user's \
currency, ratios in basis points where 10000 = 100%) and the rule-based text. Write a short, \
friendly answer for the user (at most 4 sentences). Use only the facts given; never invent \
numbers; no markdown.";

/// The largest facts text sent to the LLM (characters).
const MAX_FACTS_CHARS: usize = 12_000;

/// The insights service: rules over the database, optionally enriched by an LLM.
pub struct Insights {
    db: Db,
    clock: Clock,
    llm: Option<LlmClient>,
    /// LLM calls per user and hour (`llm.calls_per_user_per_hour`).
    llm_quota: HourlyQuota,
}

impl std::fmt::Debug for Insights {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Insights").field("llm", &self.llm).finish()
    }
}

impl Insights {
    /// Wires the service; the LLM client exists only when `llm.base_url` is set.
    pub fn new(
        db: Db,
        settings: &LlmSettings,
        clock: Clock,
        metrics: Arc<Metrics>,
    ) -> Result<Self> {
        let llm = LlmClient::from_settings(settings, clock.clone(), metrics)?;
        Ok(Insights {
            db,
            clock,
            llm,
            llm_quota: HourlyQuota::new(settings.calls_per_user_per_hour),
        })
    }

    /// True when an LLM is configured.
    pub fn llm_configured(&self) -> bool {
        self.llm.is_some()
    }

    /// The LLM breaker's state (`closed` when no LLM is configured), for `/health`.
    pub fn llm_circuit(&self) -> BreakerState {
        self.llm
            .as_ref()
            .map_or(BreakerState::Closed, LlmClient::breaker_state)
    }

    /// Lets the LLM rewrite the text of `body` from its facts; on any failure (or without an
    /// LLM, or when `user` used up their hourly LLM calls) the rule answer is returned
    /// unchanged with source `rules`.
    pub async fn enrich<T: Narrated>(
        &self,
        user: Id,
        mut body: T,
        question: Option<&str>,
    ) -> Sourced<T> {
        let Some(llm) = self.llm_for(user) else {
            return Sourced {
                body,
                origin: Origin::RULES,
            };
        };
        let facts: String = serde_json::to_string(&body)
            .unwrap_or_default()
            .chars()
            .take(MAX_FACTS_CHARS)
            .collect();
        let mut message = format!("Analysis: {}\n", T::KIND);
        if let Some(q) = question {
            message.push_str(&format!("The user asked: {q}\n"));
        }
        message.push_str(&format!(
            "Facts (JSON): {facts}\nRule-based text: {}",
            body.text()
        ));
        match llm.chat(SYSTEM_PROMPT, &message).await {
            Ok(text) => {
                body.set_text(text);
                Sourced {
                    body,
                    origin: Origin {
                        source: Source::Llm,
                        model: Some(llm.model().to_string()),
                    },
                }
            }
            Err(_) => Sourced {
                body,
                origin: Origin::RULES,
            },
        }
    }

    /// The LLM for a call on `user`'s behalf, when one is configured and the user's hourly
    /// quota has room (the call is counted).
    pub(crate) fn llm_for(&self, user: Id) -> Option<&LlmClient> {
        let llm = self.llm.as_ref()?;
        self.llm_quota
            .take(user, self.clock.now_ms())
            .then_some(llm)
    }
}

pub use crate::money::amount_text;

/// Basis points as a whole percentage text, rounded half away from zero (`1250` → `13%`).
pub fn percent_text(bp: i64) -> String {
    format!("{}%", crate::budget::views::ratio(bp, 1, 100))
}
