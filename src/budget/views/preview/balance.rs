//! The `balance` strategy of `POST /api/calendar/redistribute` (a preview, never saved).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::super::money;
use crate::budget::split_proportional;
use crate::error::{Code, Error, Result};
use crate::money::Money;

/// One day of a calendar sent for redistribution: `total` is what the day uses (spent or
/// scheduled), `limit` its budget.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DayLimit {
    pub total: Money,
    pub limit: Money,
}

/// `POST /api/calendar/redistribute` body.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RedistributeRequest {
    /// `{day: {total, limit}}`: `total` is what the day uses, `limit` its budget (≤ 366 days).
    pub calendar: BTreeMap<String, DayLimit>,
    /// `balance` (the default and only strategy).
    pub strategy: Option<String>,
}

/// The redistribution preview.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Redistributed {
    pub strategy: &'static str,
    /// Σ of the limits moved from under-limit days to over-limit days.
    pub moved: Money,
    pub updated_calendar: BTreeMap<String, DayLimit>,
}

/// Most days a redistribution preview accepts.
pub const MAX_PREVIEW_DAYS: usize = 366;

/// The `balance` strategy: `moved = min(Σ surplus, Σ overspend)` where a day's surplus is
/// `limit − total` of an under-limit day and its overspend `total − limit` of an over-limit day.
/// `moved` is taken from the under-limit days in proportion to their surplus and given to the
/// over-limit days in proportion to their overspend (largest remainder, exact cents), so Σ
/// limits is unchanged, no donor goes below its own total and no receiver above its total.
pub fn redistribute(req: &RedistributeRequest) -> Result<Redistributed> {
    match req.strategy.as_deref().map(str::trim) {
        None | Some("balance") | Some("") => {}
        Some(_) => {
            return Err(Error::invalid(
                Code::Validation2003,
                "body.strategy",
                "enum",
                "must be balance",
            ));
        }
    }
    if req.calendar.len() > MAX_PREVIEW_DAYS || req.calendar.keys().any(|k| k.chars().count() > 64)
    {
        return Err(Error::invalid(
            Code::Validation2003,
            "body.calendar",
            "length",
            "at most 366 days with keys of up to 64 characters",
        ));
    }
    if req
        .calendar
        .values()
        .any(|d| d.total.is_negative() || d.limit.is_negative())
    {
        return Err(Error::invalid(
            Code::Validation2006,
            "body.calendar",
            "range",
            "amounts must not be negative",
        ));
    }
    let days: Vec<(&String, DayLimit)> = req.calendar.iter().map(|(k, v)| (k, *v)).collect();
    let surplus: Vec<i64> = days
        .iter()
        .map(|(_, d)| (d.limit.cents() - d.total.cents()).max(0))
        .collect();
    let deficit: Vec<i64> = days
        .iter()
        .map(|(_, d)| (d.total.cents() - d.limit.cents()).max(0))
        .collect();
    let moved = surplus.iter().sum::<i64>().min(deficit.iter().sum::<i64>());
    let taken = split_proportional(moved, &surplus);
    let given = split_proportional(moved, &deficit);
    let updated_calendar = days
        .iter()
        .enumerate()
        .map(|(i, (key, d))| {
            (
                (*key).clone(),
                DayLimit {
                    total: d.total,
                    limit: money(d.limit.cents() - taken[i] + given[i]),
                },
            )
        })
        .collect();
    Ok(Redistributed {
        strategy: "balance",
        moved: money(moved),
        updated_calendar,
    })
}
