//! The behaviour screens (docs/insights.md, "Behaviour"): the user's switches, and analyses of
//! their own transactions, plan and habits by the rules written down there.

pub mod rules;
pub mod service;
pub mod settings;
