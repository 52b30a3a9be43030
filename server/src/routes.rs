//! One module per resource, each with a `router()` returning an `OpenApiRouter`.

pub mod admin;
pub mod ai;
pub mod analytics;
pub mod auth;
pub mod budget;
pub mod calendar;
pub mod dashboard;
pub mod errors;
pub mod financial;
pub mod goal_moves;
pub mod goals;
pub mod goals_advice;
pub mod habits;
pub mod insights;
pub mod installment_tools;
pub mod installments;
pub mod notification_devices;
pub mod notifications;
pub mod ocr;
pub mod onboarding;
pub mod ops;
pub mod rules;
pub mod security;
pub mod tokens;
pub mod transactions;
pub mod users;
