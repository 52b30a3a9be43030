//! One module per resource, each with a `router()` returning an `OpenApiRouter`.

pub mod errors;
pub mod ops;
