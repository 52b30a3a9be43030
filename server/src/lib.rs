//! `mita-server`: the HTTP API of MITA (axum). Thin adapters over the `mita` core services.

pub mod app;
pub mod application;
pub mod envelope;
pub mod error;
pub mod error_tracking;
pub mod extract;
pub mod middleware;
pub mod ratelimit;
pub mod routes;
pub mod state;

pub use app::{ServeOptions, app};
pub use application::{Application, Background};
pub use error::ApiError;
pub use state::AppState;
