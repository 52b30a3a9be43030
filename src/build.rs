//! Build identity: version and commit, as reported by `/health` and `mita_build_info`.

/// The crate version of this build.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The git commit this binary was built from (`unknown` outside a git checkout).
pub const COMMIT: &str = match option_env!("MITA_GIT_COMMIT") {
    Some(c) => c,
    None => "unknown",
};

/// The service name used in health answers.
pub const SERVICE: &str = "mita-finance-api";
