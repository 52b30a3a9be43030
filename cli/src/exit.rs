//! Exit codes (documented in `--help` and docs/operations.md) and error reporting.

use std::process::ExitCode;

pub const OK: u8 = 0;
pub const ERROR: u8 = 1;
#[allow(dead_code)] // clap exits with 2 on usage errors itself
pub const USAGE: u8 = 2;
pub const NOT_FOUND: u8 = 3;
#[allow(dead_code)] // used by the admin and ocr commands
pub const NOTHING_TO_DO: u8 = 4;
#[allow(dead_code)]
pub const INTERRUPTED: u8 = 130;

/// An error that carries its own exit code (e.g. "not found" → 3).
#[derive(Debug)]
pub struct Exit {
    pub code: u8,
    pub message: String,
}

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Exit {}

#[allow(dead_code)]
pub fn not_found(message: impl Into<String>) -> anyhow::Error {
    Exit {
        code: NOT_FOUND,
        message: message.into(),
    }
    .into()
}

/// Prints the error chain once on stderr and turns the result into an exit code. A closed
/// stdout (`mita ... | head`) is not an error.
pub fn report(result: anyhow::Result<ExitCode>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(e) => {
            if let Some(exit) = e.downcast_ref::<Exit>() {
                if !exit.message.is_empty() {
                    eprintln!("{}", mita::pan::mask(&exit.message));
                }
                return ExitCode::from(exit.code);
            }
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::from(OK);
            }
            eprintln!("error: {}", mita::pan::mask(&format!("{e:#}")));
            ExitCode::from(ERROR)
        }
    }
}

/// Writes to stdout, treating a closed pipe as a normal end.
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        writeln!(out, $($arg)*)?;
    }};
}
