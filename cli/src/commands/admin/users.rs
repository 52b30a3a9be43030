//! `mita admin locked`, `user show`, `revoke-tokens` and `set-role`.

use std::process::ExitCode;

use mita::auth::admin::parse_role;
use mita::services::Services;
use serde::Serialize;

use super::{
    account_table, confirm, find_user, meta, new_table, nothing_to_do, print_json, service_error,
};
use crate::cli::{OutputArgs, RevokeTokensArgs, SetRoleArgs};
use crate::outln;

/// `mita admin locked`: the accounts locked right now.
pub async fn locked(services: &Services, output: &OutputArgs) -> anyhow::Result<ExitCode> {
    let accounts: Vec<_> = services
        .auth
        .locked_accounts()
        .await
        .map_err(service_error)?
        .iter()
        .map(|u| services.auth.account_state(u))
        .collect();
    if output.json {
        print_json(&accounts)?;
    } else if accounts.is_empty() {
        outln!("No account is locked.");
    } else {
        let mut t = new_table();
        t.set_header(["email", "failed logins", "locked until", "id"]);
        for a in &accounts {
            t.add_row([
                a.email.clone(),
                a.failed_login_attempts.to_string(),
                a.locked_until.clone().unwrap_or_default(),
                a.id.to_string(),
            ]);
        }
        outln!("{t}");
    }
    Ok(ExitCode::SUCCESS)
}

/// `mita admin user show <email>`.
pub async fn show(
    services: &Services,
    email: &str,
    output: &OutputArgs,
) -> anyhow::Result<ExitCode> {
    let user = find_user(services, email).await?;
    let state = services.auth.account_state(&user);
    if output.json {
        print_json(&state)?;
    } else {
        outln!("{}", account_table(&state));
    }
    Ok(ExitCode::SUCCESS)
}

/// The `--json` answer of `revoke-tokens`.
#[derive(Serialize)]
struct RevokeReport<'a> {
    email: &'a str,
    user_id: String,
    /// `revoked` or `would_revoke` (dry run).
    result: &'static str,
    dry_run: bool,
}

/// `mita admin revoke-tokens <email>`: ends every session.
pub async fn revoke_tokens(
    services: &Services,
    args: &RevokeTokensArgs,
) -> anyhow::Result<ExitCode> {
    let user = find_user(services, &args.email).await?;
    let report = |result| RevokeReport {
        email: &user.email,
        user_id: user.id.to_string(),
        result,
        dry_run: args.confirm.dry_run,
    };
    if args.confirm.dry_run {
        if args.output.json {
            print_json(&report("would_revoke"))?;
        } else {
            outln!(
                "Dry run: would end every session of {}; nothing changed.",
                user.email
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    confirm(
        format!("End every session of {} (all devices)?", user.email),
        &args.confirm,
        "change the account",
    )
    .await?;
    services
        .auth
        .admin_revoke_tokens(user.id, &meta())
        .await
        .map_err(service_error)?;
    if args.output.json {
        print_json(&report("revoked"))?;
    } else {
        outln!("Ended every session of {}.", user.email);
    }
    Ok(ExitCode::SUCCESS)
}

/// The `--json` answer of `set-role`.
#[derive(Serialize)]
struct RoleReport<'a> {
    email: &'a str,
    user_id: String,
    from: &'a str,
    to: &'a str,
    /// `changed`, `unchanged` (already that role) or `would_change` (dry run).
    result: &'static str,
    dry_run: bool,
}

/// `mita admin set-role <email> <role>`.
pub async fn set_role(services: &Services, args: &SetRoleArgs) -> anyhow::Result<ExitCode> {
    let user = find_user(services, &args.email).await?;
    let to = parse_role(args.role.as_str()).map_err(service_error)?;
    let report = |result| RoleReport {
        email: &user.email,
        user_id: user.id.to_string(),
        from: &user.role,
        to,
        result,
        dry_run: args.confirm.dry_run,
    };
    let unchanged = |report: RoleReport<'_>| -> anyhow::Result<ExitCode> {
        if args.output.json {
            print_json(&report)?;
        } else {
            outln!("Nothing to do: {} already has role {}.", user.email, to);
        }
        Ok(nothing_to_do())
    };
    if user.role == to {
        return unchanged(report("unchanged"));
    }
    if args.confirm.dry_run {
        if args.output.json {
            print_json(&report("would_change"))?;
        } else {
            outln!(
                "Dry run: would change the role of {} from {} to {} and end its sessions; nothing changed.",
                user.email,
                user.role,
                to
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    confirm(
        format!(
            "Change the role of {} from {} to {} (ends its sessions)?",
            user.email, user.role, to
        ),
        &args.confirm,
        "change the account",
    )
    .await?;
    let changed = services
        .auth
        .set_role(user.id, to, &meta())
        .await
        .map_err(service_error)?;
    if !changed {
        return unchanged(report("unchanged"));
    }
    if args.output.json {
        print_json(&report("changed"))?;
    } else {
        outln!(
            "Changed the role of {} from {} to {}.",
            user.email,
            user.role,
            to
        );
    }
    Ok(ExitCode::SUCCESS)
}
