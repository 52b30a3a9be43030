//! `mita admin create-user`: the password comes from a file (or stdin) or is generated, never
//! from the command line, where it would show in `ps` and in shell history.

use std::io::BufRead as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use mita::auth::admin::AccountState;
use mita::auth::password::check_strength;
use mita::services::Services;
use rand::Rng as _;
use rand::seq::SliceRandom as _;
use serde::Serialize;

use super::{meta, print_json, service_error};
use crate::cli::CreateUserArgs;
use crate::outln;

const GENERATED_LEN: usize = 20;
// Without look-alikes (0/O, 1/l/I) so a password read off a screen can be typed.
const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
const DIGITS: &[u8] = b"23456789";
const SYMBOLS: &[u8] = b"-_.+=";

/// The `--json` answer.
#[derive(Serialize)]
struct Report<'a> {
    /// False when the account already existed (`--if-not-exists`): nothing changed.
    created: bool,
    account: AccountState,
    /// The generated password (only with `--random-password`, only when created).
    #[serde(skip_serializing_if = "Option::is_none")]
    password: Option<&'a str>,
}

pub async fn run(services: &Services, args: &CreateUserArgs) -> anyhow::Result<ExitCode> {
    let (password, generated) = match &args.password_file {
        Some(path) => (read_password(path).await?, false),
        None => (generate_password()?, true),
    };
    let result = services
        .auth
        .create_user(
            &args.email,
            args.role.as_str(),
            &password,
            args.if_not_exists,
            &meta(),
        )
        .await;
    let (user, created) = match result {
        Ok(v) => v,
        Err(mita::Error::Conflict { .. }) => anyhow::bail!(
            "an account with email {} already exists (pass --if-not-exists to accept that)",
            args.email
        ),
        Err(e) => return Err(service_error(e)),
    };
    let account = services.auth.account_state(&user);
    // A generated password was only set if the account was created by this call.
    let shown = (created && generated).then_some(password.as_str());
    if args.output.json {
        print_json(&Report {
            created,
            account,
            password: shown,
        })?;
    } else if created {
        outln!("Created {} (role {}).", account.email, account.role);
        if let Some(p) = shown {
            outln!("Password (shown once, store it now): {p}");
        }
    } else {
        outln!("{} already exists; nothing changed.", account.email);
    }
    Ok(ExitCode::SUCCESS)
}

/// The first line of the file (or of stdin for `-`), without its line ending.
async fn read_password(path: &Path) -> anyhow::Result<String> {
    let path = path.to_path_buf();
    let text = tokio::task::spawn_blocking(move || -> anyhow::Result<String> {
        if path.as_os_str() == "-" {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("cannot read the password from stdin")?;
            Ok(line)
        } else {
            std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read the password file {}", path.display()))
        }
    })
    .await??;
    let first = text.lines().next().unwrap_or_default().to_string();
    if first.is_empty() {
        anyhow::bail!("the password file is empty (the password is its first line)");
    }
    Ok(first)
}

/// A random password with upper- and lower-case letters, digits and symbols.
fn generate_password() -> anyhow::Result<String> {
    let mut rng = rand::rng();
    let all: Vec<u8> = [UPPER, LOWER, DIGITS, SYMBOLS].concat();
    let mut pick = |set: &[u8]| char::from(set[rng.random_range(0..set.len())]);
    // One of each required class, the rest from everything, then shuffled.
    let mut chars: Vec<char> = vec![pick(UPPER), pick(LOWER), pick(DIGITS)];
    while chars.len() < GENERATED_LEN {
        chars.push(pick(&all));
    }
    chars.shuffle(&mut rng);
    let password: String = chars.into_iter().collect();
    check_strength(&password, "password").map_err(service_error)?;
    Ok(password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_pass_the_strength_rules_and_differ() {
        let a = generate_password().unwrap();
        let b = generate_password().unwrap();
        assert_eq!(a.chars().count(), GENERATED_LEN);
        assert!(check_strength(&a, "password").is_ok());
        assert_ne!(a, b);
    }
}
