//! `mita admin ...`: support operations on accounts. Each command is a thin adapter over the
//! services behind `/api/admin/*` (`mita::auth::AuthService`, `mita::audit`); this module holds
//! what they share: the service lifecycle, finding a user, confirmation and output helpers.

mod audit;
mod create;
mod privacy;
mod security;
mod unlock;
mod users;

use std::process::ExitCode;

use comfy_table::Table;
use mita::audit::cli_actor;
use mita::auth::RequestMeta;
use mita::auth::admin::AccountState;
use mita::services::Services;
use mita::users::User;

pub(crate) use super::support::{confirm, print_json};
use crate::cli::{AdminCmd, GlobalArgs, UserCmd};
use crate::exit::{self};

pub async fn run(global: &GlobalArgs, cmd: &AdminCmd) -> anyhow::Result<ExitCode> {
    let services = super::open_services(global).await?;
    let result = match cmd {
        AdminCmd::Unlock(args) => unlock::run(&services, args).await,
        AdminCmd::Locked(output) => users::locked(&services, output).await,
        AdminCmd::User(UserCmd::Show { email, output }) => {
            users::show(&services, email, output).await
        }
        AdminCmd::User(UserCmd::Sessions { email, output }) => {
            security::sessions(&services, email, output).await
        }
        AdminCmd::User(UserCmd::ResetTwoFactor(args)) => {
            security::reset_two_factor(&services, args).await
        }
        AdminCmd::User(UserCmd::Export(args)) => privacy::export(&services, args).await,
        AdminCmd::User(UserCmd::Delete(args)) => privacy::delete(&services, args).await,
        AdminCmd::RevokeTokens(args) => users::revoke_tokens(&services, args).await,
        AdminCmd::SetRole(args) => users::set_role(&services, args).await,
        AdminCmd::CreateUser(args) => create::run(&services, args).await,
        AdminCmd::Audit(args) => audit::run(&services, args).await,
    };
    // The audit writer runs in the background: flush it before the process ends.
    services.shutdown().await;
    services.db.close().await;
    result
}

/// The origin recorded in audit events: the operator's OS user.
fn meta() -> RequestMeta {
    RequestMeta {
        actor: cli_actor(),
        ..Default::default()
    }
}

/// The account with this email; a missing one exits 3.
pub(crate) async fn find_user(services: &Services, email: &str) -> anyhow::Result<User> {
    services
        .auth
        .user_by_email(email)
        .await
        .map_err(|e| match e {
            mita::Error::NotFound(_) => exit::not_found(format!("no user with email {email}")),
            other => service_error(other),
        })
}

/// A core error as a CLI error: "not found" exits 3, validation problems name the field.
pub(crate) fn service_error(e: mita::Error) -> anyhow::Error {
    match e {
        mita::Error::NotFound(what) => exit::not_found(format!("{what} not found")),
        mita::Error::Validation {
            message, fields, ..
        } => {
            if fields.is_empty() {
                anyhow::anyhow!(message)
            } else {
                let problems: Vec<String> = fields
                    .iter()
                    .map(|f| format!("{}: {}", f.field, f.message))
                    .collect();
                anyhow::anyhow!(problems.join("; "))
            }
        }
        other => other.into(),
    }
}

fn nothing_to_do() -> ExitCode {
    ExitCode::from(exit::NOTHING_TO_DO)
}

fn new_table() -> Table {
    let mut t = Table::new();
    t.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
    t
}

/// One account as a two-column table.
fn account_table(state: &AccountState) -> Table {
    let mut t = new_table();
    let none = || "-".to_string();
    let rows = [
        ("email", state.email.clone()),
        ("id", state.id.to_string()),
        ("role", state.role.clone()),
        ("failed logins", state.failed_login_attempts.to_string()),
        (
            "locked",
            if state.locked { "yes" } else { "no" }.to_string(),
        ),
        (
            "locked until",
            state.locked_until.clone().unwrap_or_else(none),
        ),
        ("token version", state.token_version.to_string()),
        ("created", state.created_at.clone()),
        (
            "last login",
            state.last_login_at.clone().unwrap_or_else(none),
        ),
    ];
    for (key, value) in rows {
        t.add_row([key.to_string(), value]);
    }
    t
}
