//! The mobile app's own requests (issue 17: the `MISMATCH` rows of the contract's
//! `app-calls-detail.tsv`): each test sends the body the client builds, as it builds it, and
//! asserts the fields the client reads.

mod affordability;
mod errors;
mod goals;
mod insights;
mod onboarding;
mod receipt;
