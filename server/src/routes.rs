//! One module per resource, each with a `router()` returning an `OpenApiRouter`.

pub mod admin;
pub mod analytics;
pub mod auth;
pub mod budget;
pub mod calendar;
pub mod dashboard;
pub mod errors;
pub mod onboarding;
pub mod ops;
pub mod transactions;
pub mod users;
