//! The core's integration tests, one test binary (one link instead of six); each module is one
//! area. Helpers come from `mita::testing` (the `testing` feature, on for dev-dependencies).

#![allow(clippy::unwrap_used)]

mod audit;
mod db;
mod email;
mod google;
mod lists;
mod no_floats;
mod ocr;
