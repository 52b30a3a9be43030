//! `mita admin unlock <email>`: show the account's state, confirm, unlock.

use std::process::ExitCode;

use mita::auth::admin::{AccountState, UnlockOutcome};
use mita::services::Services;
use serde::Serialize;

use super::{account_table, confirm, find_user, meta, nothing_to_do, print_json, service_error};
use crate::cli::UnlockArgs;
use crate::outln;

/// The `--json` answer.
#[derive(Serialize)]
struct Report<'a> {
    email: &'a str,
    user_id: String,
    /// `unlocked`, `not_locked` (nothing changed) or `would_unlock` (dry run).
    result: &'static str,
    dry_run: bool,
    reason: Option<&'a str>,
    /// The account as it was before the command.
    account: &'a AccountState,
}

pub async fn run(services: &Services, args: &UnlockArgs) -> anyhow::Result<ExitCode> {
    let user = find_user(services, &args.email).await?;
    let state = services.auth.account_state(&user);
    let reason = args
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    let json = args.output.json;
    let report = |result| Report {
        email: &state.email,
        user_id: state.id.to_string(),
        result,
        dry_run: args.confirm.dry_run,
        reason,
        account: &state,
    };
    if !json {
        outln!("{}", account_table(&state));
    }

    if !state.locked {
        if json {
            print_json(&report("not_locked"))?;
        } else {
            outln!("Nothing to do: {} is not locked.", state.email);
        }
        return Ok(nothing_to_do());
    }
    if args.confirm.dry_run {
        if json {
            print_json(&report("would_unlock"))?;
        } else {
            outln!(
                "Dry run: would unlock {} and reset its failed-login counter; nothing changed.",
                state.email
            );
        }
        return Ok(ExitCode::SUCCESS);
    }

    confirm(
        format!("Unlock {}?", state.email),
        &args.confirm,
        "change the account",
    )
    .await?;
    let outcome = services
        .auth
        .unlock(user.id, reason, &meta())
        .await
        .map_err(service_error)?;
    match outcome {
        UnlockOutcome::Unlocked => {
            if json {
                print_json(&report("unlocked"))?;
            } else {
                outln!("Unlocked {}.", state.email);
            }
            Ok(ExitCode::SUCCESS)
        }
        UnlockOutcome::NotLocked => {
            // The lock expired (or someone else lifted it) since the state was read.
            if json {
                print_json(&report("not_locked"))?;
            } else {
                outln!("Nothing to do: {} is no longer locked.", state.email);
            }
            Ok(nothing_to_do())
        }
    }
}
