//! Output and confirmation helpers shared by the support commands (`mita admin`, `mita ocr`).

use std::io::IsTerminal as _;

use serde::Serialize;

use crate::cli::Confirm;
use crate::exit::{self, Exit};
use crate::outln;

/// Proceeds with `--yes`, asks on a terminal, and refuses (exit 1) otherwise. `action` completes
/// the refusal message ("change the account", "replay").
pub async fn confirm(prompt: String, confirm: &Confirm, action: &str) -> anyhow::Result<()> {
    if confirm.yes {
        return Ok(());
    }
    // dialoguer reads stdin and draws on stderr: both must be a terminal.
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(Exit {
            code: exit::ERROR,
            message: format!(
                "refusing to {action} without confirmation: stdin is not a terminal; pass --yes (or --dry-run to only look)"
            ),
        }
        .into());
    }
    // A plain thread, not spawn_blocking: on Ctrl-C the prompt is abandoned mid-read, and the
    // runtime would wait for a blocking task forever.
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let _ = tx.send(
            dialoguer::Confirm::new()
                .with_prompt(prompt)
                .default(false)
                .interact(),
        );
    });
    let answer = tokio::select! {
        answer = rx => answer?,
        _ = tokio::signal::ctrl_c() => {
            // dialoguer hides the cursor while it waits: show it again.
            eprintln!("\x1b[?25h");
            return Err(interrupted());
        }
    };
    match answer {
        Ok(true) => Ok(()),
        Ok(false) => Err(Exit {
            code: exit::ERROR,
            message: "aborted: nothing changed".into(),
        }
        .into()),
        Err(dialoguer::Error::IO(e)) if e.kind() == std::io::ErrorKind::Interrupted => {
            Err(interrupted())
        }
        Err(e) => Err(anyhow::Error::new(e).context("cannot read the confirmation")),
    }
}

fn interrupted() -> anyhow::Error {
    Exit {
        code: exit::INTERRUPTED,
        message: "interrupted: nothing changed".into(),
    }
    .into()
}

/// Prints one JSON document on stdout.
pub fn print_json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    outln!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}
