//! OFX and QFX statements (docs/import.md "OFX/QFX"): OFX 1.x (SGML: a header of `KEY:VALUE`
//! lines, leaf elements without end tags) and OFX 2.x (XML) read by one tokenizer that keeps
//! line numbers. Only what a spend needs is read: each `<STMTTRN>` of a bank or credit-card
//! statement (TRNTYPE, DTPOSTED, TRNAMT, FITID, NAME or PAYEE's NAME, MEMO, CURRENCY's CURSYM),
//! and per statement its ACCTID and CURDEF.
//!
//! A tag followed by text is a leaf (its end tag optional); a tag followed directly by another
//! tag opens an aggregate, which must be closed (OFX 1.x requires end tags on aggregates too).
//! A broken tag, an end tag that closes nothing, an unclosed `<STMTTRN>` or a file without
//! `<OFX>` is a malformed file (422 naming the line); a transaction with a bad date or amount is
//! a rejected row and the rest goes on.

use chrono::NaiveDate;

use super::{ParsedRow, Rejected, clean, file_error, limit, parse_cents, spend};
use crate::error::Result;

/// The fields of one `<STMTTRN>`.
#[derive(Default)]
struct Txn {
    line: u64,
    depth: usize,
    dtposted: Option<String>,
    trnamt: Option<String>,
    trntype: Option<String>,
    fitid: Option<String>,
    name: Option<String>,
    memo: Option<String>,
    cursym: Option<String>,
}

/// Replaces the XML/SGML character references OFX files use.
fn unescape(value: &str) -> String {
    if !value.contains('&') {
        return value.to_string();
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let end = tail.find(';').filter(|e| *e <= 10);
        let decoded = end.and_then(|e| {
            let entity = &tail[1..e];
            match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            }
        });
        match (decoded, end) {
            (Some(c), Some(e)) => {
                out.push(c);
                rest = &tail[e + 1..];
            }
            _ => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn newlines(s: &str) -> u64 {
    s.bytes().filter(|b| *b == b'\n').count() as u64
}

/// DTPOSTED is `YYYYMMDD[HHMMSS[.XXX]][[offset:TZ]]`: the day as the bank writes it.
fn ofx_date(value: &str) -> Option<NaiveDate> {
    let day = value.get(..8)?;
    if !day.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::parse_from_str(day, "%Y%m%d").ok()
}

/// A 3-letter currency code, upper-cased.
fn currency(code: Option<&str>) -> Option<String> {
    code.map(|c| c.trim().to_ascii_uppercase())
        .filter(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_alphabetic()))
}

/// Parses an OFX/QFX text into rows and rejected transactions.
pub fn parse(text: &str) -> Result<(Vec<ParsedRow>, Vec<Rejected>)> {
    let mut rows = Vec::new();
    let mut rejected = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    let mut last_leaf: Option<String> = None;
    let mut seen_ofx = false;
    let mut acctid: Option<String> = None;
    let mut curdef: Option<String> = None;
    let mut trn: Option<Txn> = None;
    let mut line: u64 = 1;
    let mut pos = 0;
    while let Some(offset) = text[pos..].find('<') {
        line += newlines(&text[pos..pos + offset]);
        let start = pos + offset;
        let tag_line = line;
        let tail = &text[start..];
        if tail.starts_with("<!--") {
            let end = tail
                .find("-->")
                .ok_or_else(|| file_error(tag_line, "a comment is never closed"))?;
            line += newlines(&tail[..end]);
            pos = start + end + 3;
            continue;
        }
        let close = tail
            .find('>')
            .ok_or_else(|| file_error(tag_line, "a tag is not closed with '>'"))?;
        let inner = &tail[1..close];
        if inner.contains('<') || inner.contains('\n') {
            return Err(file_error(tag_line, "a tag is not closed with '>'"));
        }
        pos = start + close + 1;
        if inner.starts_with('?') || inner.starts_with('!') {
            continue; // <?xml ...?>, <?OFX ...?>, <!DOCTYPE ...>
        }
        let next = text[pos..].find('<').map_or(text.len(), |o| pos + o);
        let value = text[pos..next].trim();
        let inner = inner.trim();
        if let Some(closing) = inner.strip_prefix('/') {
            let name = closing.trim().to_ascii_uppercase();
            if last_leaf.take().as_deref() == Some(name.as_str()) {
                continue; // the end tag of a leaf (OFX 2.x, or an OFX 1.x file that writes them)
            }
            let Some(at) = stack.iter().rposition(|t| *t == name) else {
                return Err(file_error(
                    tag_line,
                    format!("</{name}> closes no open <{name}>"),
                ));
            };
            if let Some(t) = &trn {
                if at < t.depth {
                    return Err(file_error(
                        tag_line,
                        format!(
                            "</{name}> before the </STMTTRN> of the transaction at line {}",
                            t.line
                        ),
                    ));
                }
                if at == t.depth {
                    let t = trn.take().unwrap_or_default();
                    limit(t.line, rows.len() + rejected.len())?;
                    match row(t, acctid.as_deref(), curdef.as_deref()) {
                        Ok(r) => rows.push(r),
                        Err(r) => rejected.push(r),
                    }
                }
            }
            stack.truncate(at);
            continue;
        }
        if inner.ends_with('/') {
            last_leaf = None;
            continue; // <MEMO/>: an empty element
        }
        let name = inner
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_')
        {
            return Err(file_error(tag_line, format!("<{inner}> is not an OFX tag")));
        }
        if value.is_empty() {
            // An aggregate (or an empty leaf, which is harmless on the stack).
            last_leaf = None;
            if name == "OFX" {
                seen_ofx = true;
            }
            if name == "STMTTRN" {
                if let Some(t) = &trn {
                    return Err(file_error(
                        tag_line,
                        format!(
                            "<STMTTRN> inside the <STMTTRN> of line {} (a missing </STMTTRN>?)",
                            t.line
                        ),
                    ));
                }
                trn = Some(Txn {
                    line: tag_line,
                    depth: stack.len(),
                    ..Txn::default()
                });
            }
            stack.push(name);
            continue;
        }
        let value = unescape(value);
        match &mut trn {
            Some(t) => {
                // Inside <CURRENCY> the amount is in CURSYM; inside <ORIGCURRENCY> it was
                // converted to the statement's CURDEF already.
                let in_currency = stack[t.depth..]
                    .iter()
                    .rev()
                    .find(|s| *s == "CURRENCY" || *s == "ORIGCURRENCY")
                    .is_some_and(|s| s == "CURRENCY");
                match name.as_str() {
                    "DTPOSTED" => t.dtposted = Some(value),
                    "TRNAMT" => t.trnamt = Some(value),
                    "TRNTYPE" => t.trntype = Some(value),
                    "FITID" => t.fitid = Some(value),
                    "NAME" if t.name.is_none() => t.name = Some(value),
                    "MEMO" => t.memo = Some(value),
                    "CURSYM" if in_currency => t.cursym = Some(value),
                    _ => {}
                }
            }
            None => match name.as_str() {
                "ACCTID" => acctid = Some(value),
                "CURDEF" => curdef = Some(value),
                _ => {}
            },
        }
        last_leaf = Some(name);
    }
    if let Some(t) = trn {
        return Err(file_error(t.line, "<STMTTRN> is never closed"));
    }
    if !seen_ofx {
        return Err(file_error(1, "no <OFX> element: not an OFX file"));
    }
    Ok((rows, rejected))
}

/// One transaction as a row, or the reason it is left out.
fn row(
    t: Txn,
    acctid: Option<&str>,
    curdef: Option<&str>,
) -> std::result::Result<ParsedRow, Rejected> {
    let reject = |reason: String| Rejected {
        line: t.line,
        reason,
    };
    let date = match t.dtposted.as_deref() {
        None => return Err(reject("no DTPOSTED (the date)".into())),
        Some(d) => ofx_date(d).ok_or_else(|| reject(format!("DTPOSTED {d:?} is not a date")))?,
    };
    let amount = t
        .trnamt
        .as_deref()
        .ok_or_else(|| reject("no TRNAMT (the amount)".into()))?;
    // Some banks write a decimal comma.
    let decimal = if amount.contains(',') && !amount.contains('.') {
        ','
    } else {
        '.'
    };
    let cents = parse_cents(amount, decimal)
        .ok_or_else(|| reject(format!("TRNAMT {amount:?} is not a number")))?;
    // Money out is negative in OFX.
    let cents = spend(t.line, -cents)?;
    let external_id = match t.fitid.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
        Some(f) if f.chars().count() > 255 => {
            return Err(reject("FITID is longer than 255 characters".into()));
        }
        Some(f) => Some(match acctid.map(str::trim).filter(|a| !a.is_empty()) {
            Some(a) => format!("{}:{f}", clean(a)),
            None => f.to_string(),
        }),
        None => None,
    };
    let name = t.name.as_deref().map(clean).filter(|n| !n.is_empty());
    let memo = t.memo.as_deref().map(clean).filter(|m| !m.is_empty());
    let payee = name
        .clone()
        .or_else(|| memo.clone())
        .or_else(|| t.trntype.as_deref().map(clean))
        .unwrap_or_default();
    Ok(ParsedRow {
        line: t.line,
        date,
        cents,
        payee,
        currency: currency(t.cursym.as_deref())
            .or_else(|| currency(curdef))
            .unwrap_or_else(|| "USD".into()),
        external_id,
        memo: if name.is_some() { memo } else { None },
        account: acctid.map(clean).filter(|a| !a.is_empty()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_and_dates() {
        assert_eq!(unescape("A&amp;B &lt;x&gt; &#233;"), "A&B <x> é");
        assert_eq!(unescape("AT&T"), "AT&T");
        assert_eq!(
            ofx_date("20251231120000.000[-5:EST]"),
            NaiveDate::from_ymd_opt(2025, 12, 31)
        );
        assert_eq!(ofx_date("2025123"), None);
    }
}
