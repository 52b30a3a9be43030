//! End-to-end tests of the real `mita` binary, on SQLite or PostgreSQL (`MITA_TEST_DATABASE_URL`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod admin;
mod completions;
mod config;
mod db;
mod doctor;
mod import;
mod metrics;
mod migrate;
mod ocr;
mod serve;
mod support;
