//! `mita` core library: configuration, storage, services and metrics shared by the HTTP server
//! (`mita-server`) and the command-line tool (`mita-cli`). This crate never depends on axum or clap.

pub mod build;
pub mod clock;
pub mod config;
pub mod db;
pub mod error;
pub mod health;
pub mod id;
pub mod metrics;
pub mod reports;
pub mod testing;

pub use error::{Error, Result};
