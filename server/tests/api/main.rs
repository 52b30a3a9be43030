//! HTTP tests of `mita-server` over real loopback HTTP, on SQLite or PostgreSQL
//! (`MITA_TEST_DATABASE_URL`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod admin;
mod auditing;
mod auth;
mod budget_views;
mod edge;
mod google;
mod hashing;
mod lockout;
mod metrics;
mod onboarding;
mod ops;
mod ratelimit;
mod ready;
mod reports;
mod reset;
mod support;
mod tokens;
mod transactions;
