//! HTTP tests of `mita-server` over real loopback HTTP, on SQLite or PostgreSQL
//! (`MITA_TEST_DATABASE_URL`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod edge;
mod metrics;
mod ops;
mod ready;
mod reports;
mod support;
