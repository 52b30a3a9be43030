//! `mita admin audit`: the audit trail, newest first, as a table or JSON.

use std::collections::HashMap;
use std::process::ExitCode;

use mita::audit::{AuditFilter, AuditRecord, list, parse_since};
use mita::id::Id;
use mita::services::Services;
use serde_json::Value;

use super::{find_user, new_table, print_json, service_error};
use crate::cli::AuditArgs;
use crate::outln;

pub async fn run(services: &Services, args: &AuditArgs) -> anyhow::Result<ExitCode> {
    let user_id = match &args.user {
        Some(email) => Some(find_user(services, email).await?.id),
        None => None,
    };
    let since_ms = match &args.since {
        Some(s) => Some(parse_since(s, services.clock.now_ms()).map_err(service_error)?),
        None => None,
    };
    let filter = AuditFilter {
        event_type: args.event.clone(),
        user_id,
        since_ms,
        limit: args.limit,
    };
    let records = list(&services.db, &filter).await.map_err(service_error)?;
    if args.output.json {
        print_json(&records)?;
        return Ok(ExitCode::SUCCESS);
    }
    if records.is_empty() {
        outln!("No audit events match.");
        return Ok(ExitCode::SUCCESS);
    }
    let emails = emails_of(services, &records).await;
    let mut t = new_table();
    t.set_header(["time", "event", "outcome", "user", "actor", "ip", "details"]);
    for r in &records {
        let user = r
            .user_id
            .map(|id| emails.get(&id).cloned().unwrap_or_else(|| id.to_string()))
            .unwrap_or_default();
        t.add_row([
            r.time.clone(),
            r.event_type.clone(),
            r.outcome.clone(),
            user,
            r.actor.clone(),
            r.client_ip.clone().unwrap_or_default(),
            details(&r.details),
        ]);
    }
    outln!("{t}");
    Ok(ExitCode::SUCCESS)
}

/// Emails of the users the events mention (a deleted user keeps showing as its id).
async fn emails_of(services: &Services, records: &[AuditRecord]) -> HashMap<Id, String> {
    let mut emails = HashMap::new();
    for id in records.iter().filter_map(|r| r.user_id) {
        if emails.contains_key(&id) {
            continue;
        }
        if let Ok(user) = services.auth.user_by_id(id).await {
            emails.insert(id, user.email);
        }
    }
    emails
}

/// `key=value` pairs, strings unquoted.
fn details(details: &Value) -> String {
    match details {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => format!("{k}={s}"),
                other => format!("{k}={other}"),
            })
            .collect::<Vec<_>>()
            .join(", "),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}
