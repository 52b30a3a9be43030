//! QIF (Quicken Interchange Format, docs/import.md "QIF"): sections opened by `!Type:...`
//! header lines, records of one-letter fields (`D` date, `T` or `U` amount, `P` payee, `M`
//! memo...) ended by `^`. The transactions of `Bank`, `CCard`, `Cash`, `Oth A` and `Oth L`
//! sections are read; other sections (`!Account` lists, `Invst`, `Cat`, `Class`, memorised
//! transactions) and split lines (`S`, `E`, `$`: the record's `T` is the total) are skipped.

use chrono::NaiveDate;

use super::{Mapping, ParsedRow, Rejected, clean, file_error, limit, parse_cents, spend};
use crate::error::Result;

#[derive(Default)]
struct Record {
    line: Option<u64>,
    date: Option<String>,
    t: Option<String>,
    u: Option<String>,
    payee: Option<String>,
    memo: Option<String>,
}

/// A QIF date: `12/31'25` and `1/ 5'25` (Quicken: the apostrophe means 20yy), `12/31/2025`,
/// `12/31/25`, `12-31-2025` (month first), `31.12.2025` (day first), `2025-12-31`; or the
/// mapping's `date_format` when given.
pub fn qif_date(value: &str, format: Option<&str>) -> Option<NaiveDate> {
    let s = value.trim();
    if let Some(f) = format {
        return NaiveDate::parse_from_str(s, f).ok();
    }
    let apostrophe = s.contains('\'');
    let parts: Vec<&str> = s.split(['/', '-', '.', '\'']).map(str::trim).collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let n: Vec<u32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
    let (year, year_text, month, day) = if parts[0].len() == 4 {
        (n[0], parts[0], n[1], n[2])
    } else if s.contains('.') && !apostrophe {
        (n[2], parts[2], n[1], n[0])
    } else {
        (n[2], parts[2], n[0], n[1])
    };
    let year = match year_text.len() {
        1 | 2 if apostrophe || year < 70 => 2000 + year,
        1 | 2 => 1900 + year,
        4 => year,
        _ => return None,
    };
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

/// Parses a QIF text into rows and rejected records.
pub fn parse(text: &str, map: &Mapping, decimal: char) -> Result<(Vec<ParsedRow>, Vec<Rejected>)> {
    let mut rows = Vec::new();
    let mut rejected = Vec::new();
    // None before the first header; Some(true) in a section of transactions.
    let mut section: Option<bool> = None;
    let mut rec = Record::default();
    let finish =
        |rec: &mut Record, rows: &mut Vec<ParsedRow>, rejected: &mut Vec<Rejected>| -> Result<()> {
            let r = std::mem::take(rec);
            let Some(line) = r.line else {
                return Ok(());
            };
            limit(line, rows.len() + rejected.len())?;
            match row(line, r, map, decimal) {
                Ok(row) => rows.push(row),
                Err(reason) => rejected.push(Rejected { line, reason }),
            }
            Ok(())
        };
    for (i, raw) in text.lines().enumerate() {
        let line = i as u64 + 1;
        let l = raw.trim_end();
        if l.trim().is_empty() {
            continue;
        }
        if let Some(header) = l.trim_start().strip_prefix('!') {
            // A record left without its ^ ends at the next header.
            if section == Some(true) {
                finish(&mut rec, &mut rows, &mut rejected)?;
            }
            rec = Record::default();
            let h = header.trim().to_ascii_lowercase();
            section = Some(match h.strip_prefix("type:") {
                Some(t) => matches!(t.trim(), "bank" | "ccard" | "cash" | "oth a" | "oth l"),
                None => false,
            });
            continue;
        }
        let Some(in_transactions) = section else {
            return Err(file_error(
                line,
                "expected a header line such as !Type:Bank first",
            ));
        };
        let mut chars = l.chars();
        let code = chars.next().unwrap_or('^');
        let value = chars.as_str();
        if !(code.is_ascii_uppercase() || matches!(code, '^' | '$' | '%')) {
            return Err(file_error(
                line,
                "not a QIF field (a letter code and its value, or ^)",
            ));
        }
        if !in_transactions {
            continue;
        }
        if code == '^' {
            finish(&mut rec, &mut rows, &mut rejected)?;
            continue;
        }
        rec.line.get_or_insert(line);
        let v = Some(value.trim().to_string());
        match code {
            'D' => rec.date = v,
            'T' => rec.t = v,
            'U' => rec.u = v,
            'P' => rec.payee = v,
            'M' => rec.memo = v,
            _ => {} // N check number, C cleared, L category, A address, S/E/$ splits...
        }
    }
    if section == Some(true) {
        finish(&mut rec, &mut rows, &mut rejected)?;
    }
    if section.is_none() {
        return Err(file_error(1, "no !Type: header: not a QIF file"));
    }
    Ok((rows, rejected))
}

fn row(
    line: u64,
    r: Record,
    map: &Mapping,
    decimal: char,
) -> std::result::Result<ParsedRow, String> {
    let date_text = r.date.as_deref().ok_or("no D line (the date)")?;
    let date = qif_date(date_text, map.date_format.as_deref())
        .ok_or_else(|| format!("date {date_text:?} is not a QIF date"))?;
    let amount =
        r.t.as_deref()
            .or(r.u.as_deref())
            .ok_or("no T line (the amount)")?;
    let cents = parse_cents(amount, decimal)
        .ok_or_else(|| format!("the amount {amount:?} is not a number"))?;
    // Money out is negative in QIF.
    let cents = spend(line, -cents).map_err(|r| r.reason)?;
    let payee = r.payee.as_deref().map(clean).filter(|p| !p.is_empty());
    let memo = r.memo.as_deref().map(clean).filter(|m| !m.is_empty());
    Ok(ParsedRow {
        line,
        date,
        cents,
        payee: payee.clone().or_else(|| memo.clone()).unwrap_or_default(),
        currency: "USD".into(),
        external_id: None,
        memo: if payee.is_some() { memo } else { None },
        account: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quicken_dates() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd);
        assert_eq!(qif_date("12/31'25", None), d(2025, 12, 31));
        assert_eq!(qif_date("1/ 5'25", None), d(2025, 1, 5));
        assert_eq!(qif_date("12/31/2025", None), d(2025, 12, 31));
        assert_eq!(qif_date("12/31/25", None), d(2025, 12, 31));
        assert_eq!(qif_date("31.12.2025", None), d(2025, 12, 31));
        assert_eq!(qif_date("2025-12-31", None), d(2025, 12, 31));
        assert_eq!(qif_date("31/12/2025", Some("%d/%m/%Y")), d(2025, 12, 31));
        assert_eq!(qif_date("13/31/2025", None), None);
        assert_eq!(qif_date("yesterday", None), None);
    }
}
