//! `mita admin user sessions` and `mita admin user reset-2fa`.

use std::process::ExitCode;

use mita::services::Services;
use serde::Serialize;

use super::{confirm, find_user, meta, new_table, nothing_to_do, print_json, service_error};
use crate::cli::{OutputArgs, ResetTwoFactorArgs};
use crate::outln;

/// `mita admin user sessions <email>`: the account's active logins.
pub async fn sessions(
    services: &Services,
    email: &str,
    output: &OutputArgs,
) -> anyhow::Result<ExitCode> {
    let user = find_user(services, email).await?;
    let sessions = services
        .auth
        .list_sessions(user.id, None)
        .await
        .map_err(service_error)?;
    if output.json {
        print_json(&sessions)?;
    } else if sessions.is_empty() {
        outln!("{} has no active session.", user.email);
    } else {
        let mut t = new_table();
        t.set_header(["id", "started", "last used", "user agent", "network"]);
        for s in &sessions {
            t.add_row([
                s.id.to_string(),
                s.created_at.clone(),
                s.last_used_at.clone(),
                s.user_agent.clone().unwrap_or_else(|| "-".into()),
                s.approximate_address.clone().unwrap_or_else(|| "-".into()),
            ]);
        }
        outln!("{t}");
    }
    Ok(ExitCode::SUCCESS)
}

/// The `--json` answer of `reset-2fa`.
#[derive(Serialize)]
struct ResetReport<'a> {
    email: &'a str,
    user_id: String,
    /// `reset`, `not_enabled` or `would_reset` (dry run).
    result: &'static str,
    dry_run: bool,
}

/// `mita admin user reset-2fa <email>`: removes the account's two-factor sign-in.
pub async fn reset_two_factor(
    services: &Services,
    args: &ResetTwoFactorArgs,
) -> anyhow::Result<ExitCode> {
    let user = find_user(services, &args.email).await?;
    let report = |result| ResetReport {
        email: &user.email,
        user_id: user.id.to_string(),
        result,
        dry_run: args.confirm.dry_run,
    };
    let status = services
        .auth
        .two_factor_status(user.id)
        .await
        .map_err(service_error)?;
    if !status.enabled && !status.pending {
        if args.output.json {
            print_json(&report("not_enabled"))?;
        } else {
            outln!("Nothing to do: {} has no two-factor sign-in.", user.email);
        }
        return Ok(nothing_to_do());
    }
    if args.confirm.dry_run {
        if args.output.json {
            print_json(&report("would_reset"))?;
        } else {
            outln!(
                "Dry run: would turn off two-factor sign-in of {}; nothing changed.",
                user.email
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    confirm(
        format!(
            "Turn off two-factor sign-in of {} (the password alone will sign in)?",
            user.email
        ),
        &args.confirm,
        "change the account",
    )
    .await?;
    let removed = services
        .auth
        .admin_reset_two_factor(user.id, &meta())
        .await
        .map_err(service_error)?;
    if !removed {
        if args.output.json {
            print_json(&report("not_enabled"))?;
        } else {
            outln!("Nothing to do: {} has no two-factor sign-in.", user.email);
        }
        return Ok(nothing_to_do());
    }
    if args.output.json {
        print_json(&report("reset"))?;
    } else {
        outln!("Turned off two-factor sign-in of {}.", user.email);
    }
    Ok(ExitCode::SUCCESS)
}
