//! `mita` core library: configuration, storage, services and metrics shared by the HTTP server
//! (`mita-server`) and the command-line tool (`mita-cli`). This crate never depends on axum or clap.

// `#[derive(LiteRow)]` names `::mita::...`, inside this crate too.
extern crate self as mita;

pub mod app_events;
pub mod audit;
pub mod auth;
pub mod budget;
pub mod build;
pub mod challenges;
pub mod clock;
pub mod cluster;
pub mod cohort;
pub mod config;
pub mod dashboard;
pub mod db;
pub mod doctor;
pub mod email;
pub mod envelope;
pub mod error;
pub mod financial;
pub mod fixed;
pub mod goals;
pub mod google;
pub mod habits;
pub mod health;
pub mod id;
pub mod idempotency;
pub mod import;
pub mod input;
pub mod insights;
pub mod installments;
pub mod memory;
pub mod metrics;
pub mod money;
pub mod mood;
pub mod notifications;
pub mod ocr;
pub mod onboarding;
pub mod page;
pub mod pan;
pub mod plan;
pub mod premium;
pub mod privacy;
pub mod recurring;
pub mod referral;
pub mod reports;
pub mod resilience;
pub mod rules;
pub mod services;
/// Test helpers for every crate's tests (a fresh database per test, fakes, fixtures): behind
/// the `testing` feature, which only dev-dependencies turn on, so the release library and
/// binary do not carry them.
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod time;
pub mod transactions;
pub mod users;

pub use error::{Error, Result};
