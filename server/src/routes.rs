//! One module per resource, each with a `router()` returning an `OpenApiRouter`.

pub mod admin;
pub mod auth;
pub mod errors;
pub mod ops;
pub mod transactions;
pub mod users;
