//! Categorisation rules (docs/rules.md): conditions on a spend (payee contains / matches a
//! regular expression, amount range, import account) and actions (set the category, set the
//! description, add a tag). Rules run in position order on a spend created without a category;
//! every matching rule acts, a field already set by an earlier rule is kept, tags accumulate.
//! Regular expressions use the `regex` crate (finite automata: matching is linear in the text,
//! no catastrophic backtracking) with bounded pattern length and compiled size.

use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};

use crate::budget::TxCategory;
use crate::clock::{Clock, rfc3339};
use crate::db::Db;
use crate::error::{Code, Error, FieldError, Result};
use crate::id::Id;
use crate::input::{Lines, text};
use crate::money::Money;
use crate::{on_db, on_write};

/// A user holds at most this many rules.
pub const MAX_RULES: i64 = 200;
/// Longest pattern of `payee_matches` (characters).
pub const MAX_PATTERN: usize = 200;
/// Compiled size limit of a pattern (bytes of automaton).
const REGEX_SIZE_LIMIT: usize = 256 * 1024;

/// A rule as sent (create and replace): at least one condition and one action.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewRule {
    /// 1–100 characters.
    pub name: String,
    /// Condition: the payee (merchant, else description) contains this text, any case.
    #[serde(default)]
    pub payee_contains: Option<String>,
    /// Condition: the payee matches this regular expression (≤ 200 characters, case-insensitive,
    /// linear-time engine).
    #[serde(default)]
    pub payee_matches: Option<String>,
    /// Condition: amount ≥ this (decimal, e.g. 4.50).
    #[serde(default)]
    pub min_amount: Option<Money>,
    /// Condition: amount ≤ this.
    #[serde(default)]
    pub max_amount: Option<Money>,
    /// Condition: the row comes from an import of this account (never true for a typed spend).
    #[serde(default)]
    pub account: Option<String>,
    /// Action: one of the 22 transaction categories.
    #[serde(default)]
    pub set_category: Option<String>,
    /// Action: the description (≤ 500).
    #[serde(default)]
    pub set_description: Option<String>,
    /// Action: add this tag (≤ 50).
    #[serde(default)]
    pub add_tag: Option<String>,
}

/// A stored rule as the API shows it.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, mita::db::lite::LiteRow)]
pub struct RuleRow {
    pub id: Id,
    pub name: String,
    pub position: i32,
    pub payee_contains: Option<String>,
    pub payee_matches: Option<String>,
    #[serde(skip)]
    pub min_cents: Option<i64>,
    #[serde(skip)]
    pub max_cents: Option<i64>,
    pub account: Option<String>,
    pub set_category: Option<String>,
    pub set_description: Option<String>,
    pub add_tag: Option<String>,
    #[serde(skip)]
    pub created_at: i64,
}

/// The API view: amounts as decimal numbers, times as RFC 3339.
#[derive(Clone, Debug, Serialize)]
pub struct RuleView {
    #[serde(flatten)]
    pub row: RuleRow,
    pub min_amount: Option<Money>,
    pub max_amount: Option<Money>,
    pub created_at: String,
}

impl From<RuleRow> for RuleView {
    fn from(row: RuleRow) -> Self {
        RuleView {
            min_amount: row.min_cents.map(Money::from_cents),
            max_amount: row.max_cents.map(Money::from_cents),
            created_at: rfc3339(row.created_at),
            row,
        }
    }
}

const COLUMNS: &str = "id, name, position, payee_contains, payee_matches, min_cents, max_cents, account, \
     set_category, set_description, add_tag, created_at";

/// Compiles a `payee_matches` pattern, case-insensitive, within the size limit.
pub fn compile(pattern: &str) -> std::result::Result<Regex, String> {
    RegexBuilder::new(pattern)
        .case_insensitive(true)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(_) => "pattern too large once compiled".to_string(),
            other => format!(
                "not a valid regular expression: {}",
                first_line(&other.to_string())
            ),
        })
}

fn first_line(s: &str) -> &str {
    s.lines().last().unwrap_or(s).trim()
}

/// The checked values of a [`NewRule`], in the stored shape.
struct CheckedRule {
    name: String,
    payee_contains: Option<String>,
    payee_matches: Option<String>,
    min_cents: Option<i64>,
    max_cents: Option<i64>,
    account: Option<String>,
    set_category: Option<String>,
    set_description: Option<String>,
    add_tag: Option<String>,
}

fn check(input: &NewRule) -> Result<CheckedRule> {
    let mut errors = Vec::new();
    let mut field = |v, name, max| text(v, name, (1, max), Lines::One, &mut errors);
    let name = field(Some(&input.name), "body.name", 100);
    let payee_contains = field(input.payee_contains.as_deref(), "body.payee_contains", 200);
    let payee_matches = field(
        input.payee_matches.as_deref(),
        "body.payee_matches",
        MAX_PATTERN,
    );
    let account = field(input.account.as_deref(), "body.account", 100);
    let set_description = field(
        input.set_description.as_deref(),
        "body.set_description",
        500,
    );
    let add_tag = field(input.add_tag.as_deref(), "body.add_tag", 50);
    if let Some(p) = &payee_matches
        && let Err(why) = compile(p)
    {
        errors.push(FieldError::new("body.payee_matches", "regex", why));
    }
    let mut set_category = None;
    if let Some(c) = &input.set_category {
        match c.trim().parse::<TxCategory>() {
            Ok(c) => set_category = Some(c.as_str().to_string()),
            Err(()) => errors.push(FieldError::new(
                "body.set_category",
                "enum",
                "must be one of the 22 transaction categories",
            )),
        }
    }
    let (min_cents, max_cents) = (
        input.min_amount.map(Money::cents),
        input.max_amount.map(Money::cents),
    );
    for (v, field) in [
        (min_cents, "body.min_amount"),
        (max_cents, "body.max_amount"),
    ] {
        if v.is_some_and(|c| c < 0) {
            errors.push(FieldError::new(field, "range", "must be at least 0"));
        }
    }
    if let (Some(lo), Some(hi)) = (min_cents, max_cents)
        && lo > hi
    {
        errors.push(FieldError::new(
            "body.max_amount",
            "range",
            "must be at least min_amount",
        ));
    }
    if payee_contains.is_none()
        && payee_matches.is_none()
        && min_cents.is_none()
        && max_cents.is_none()
        && account.is_none()
        && errors.is_empty()
    {
        errors.push(FieldError::new(
            "body",
            "missing",
            "give at least one condition: payee_contains, payee_matches, min_amount, max_amount or account",
        ));
    }
    if set_category.is_none() && set_description.is_none() && add_tag.is_none() && errors.is_empty()
    {
        errors.push(FieldError::new(
            "body",
            "missing",
            "give at least one action: set_category, set_description or add_tag",
        ));
    }
    if !errors.is_empty() {
        return Err(Error::Validation {
            code: Code::Validation2001,
            message: "Request validation failed".into(),
            fields: errors,
        });
    }
    Ok(CheckedRule {
        name: name.unwrap_or_default(),
        payee_contains,
        payee_matches,
        min_cents,
        max_cents,
        account,
        set_category,
        set_description,
        add_tag,
    })
}

/// Makes a rule at the end of the user's list (largest position + 1).
pub async fn create(db: &Db, clock: &Clock, user: Id, input: &NewRule) -> Result<RuleView> {
    let c = check(input)?;
    let count: i64 = on_db!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM categorisation_rules WHERE user_id = $1").bind(user).fetch_one(pool).await)?;
    if count >= MAX_RULES {
        return Err(Error::Business {
            code: Code::Business4011,
            message: format!("At most {MAX_RULES} rules; delete one first"),
        });
    }
    let now = clock.now_ms();
    let sql = format!(
        "INSERT INTO categorisation_rules (id, user_id, name, position, payee_contains, payee_matches, min_cents, max_cents, \
         account, set_category, set_description, add_tag, created_at, updated_at) \
         VALUES ($1, $2, $3, (SELECT COALESCE(MAX(position), 0) + 1 FROM categorisation_rules WHERE user_id = $2), \
         $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING {COLUMNS}"
    );
    let row: RuleRow = on_write!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(Id::new()).bind(user).bind(&c.name).bind(&c.payee_contains).bind(&c.payee_matches)
        .bind(c.min_cents).bind(c.max_cents).bind(&c.account).bind(&c.set_category)
        .bind(&c.set_description).bind(&c.add_tag).bind(now).fetch_one(pool).await)?;
    Ok(row.into())
}

/// The user's rules in the order they run. One query.
pub async fn list(db: &Db, user: Id) -> Result<Vec<RuleRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM categorisation_rules WHERE user_id = $1 ORDER BY position, created_at, id"
    );
    let rows: Vec<RuleRow> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(user).fetch_all(pool).await)?;
    Ok(rows)
}

/// One of the user's rules; another user's or an unknown one is 404.
pub async fn get(db: &Db, user: Id, id: Id) -> Result<RuleView> {
    let sql = format!("SELECT {COLUMNS} FROM categorisation_rules WHERE id = $1 AND user_id = $2");
    let row: Option<RuleRow> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id).bind(user).fetch_optional(pool).await)?;
    row.map(RuleView::from).ok_or(Error::NotFound("Rule"))
}

/// Replaces one of the user's rules (same checks as a create; the position is kept).
pub async fn replace(
    db: &Db,
    clock: &Clock,
    user: Id,
    id: Id,
    input: &NewRule,
) -> Result<RuleView> {
    let c = check(input)?;
    let sql = format!(
        "UPDATE categorisation_rules SET name = $3, payee_contains = $4, payee_matches = $5, min_cents = $6, \
         max_cents = $7, account = $8, set_category = $9, set_description = $10, add_tag = $11, updated_at = $12 \
         WHERE id = $1 AND user_id = $2 RETURNING {COLUMNS}"
    );
    let row: Option<RuleRow> = on_write!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id).bind(user).bind(&c.name).bind(&c.payee_contains).bind(&c.payee_matches)
        .bind(c.min_cents).bind(c.max_cents).bind(&c.account).bind(&c.set_category)
        .bind(&c.set_description).bind(&c.add_tag).bind(clock.now_ms()).fetch_optional(pool).await)?;
    row.map(RuleView::from).ok_or(Error::NotFound("Rule"))
}

/// Deletes one of the user's rules; another user's or an unknown one is 404.
pub async fn delete(db: &Db, user: Id, id: Id) -> Result<()> {
    let done = on_write!(db, pool => sqlx::query(
        "DELETE FROM categorisation_rules WHERE id = $1 AND user_id = $2")
        .bind(id).bind(user).execute(pool).await.map(|r| r.rows_affected()))?;
    if done == 0 {
        return Err(Error::NotFound("Rule"));
    }
    Ok(())
}

/// What a rule looks at.
#[derive(Clone, Debug, Default)]
pub struct Subject<'a> {
    /// The merchant, or else the description.
    pub payee: &'a str,
    pub cents: i64,
    /// The account of an import; none for a typed spend.
    pub account: Option<&'a str>,
}

/// What the matching rules decided.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub category: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<String>,
    /// Ids of the rules that matched, in order.
    pub matched: Vec<Id>,
}

/// The rules, compiled once per request or import.
pub struct RuleSet {
    rules: Vec<(RuleRow, Option<Regex>)>,
}

impl RuleSet {
    pub fn new(rows: Vec<RuleRow>) -> Self {
        // A stored pattern compiled when it was saved; one that no longer does never matches.
        let rules = rows
            .into_iter()
            .filter_map(|r| match r.payee_matches.as_deref().map(compile) {
                Some(Ok(re)) => Some((r, Some(re))),
                Some(Err(_)) => None,
                None => Some((r, None)),
            })
            .collect();
        RuleSet { rules }
    }

    /// The user's rules, loaded and compiled (one query).
    pub async fn load(db: &Db, user: Id) -> Result<Self> {
        Ok(Self::new(list(db, user).await?))
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Runs every rule in order on `s`.
    pub fn apply(&self, s: &Subject<'_>) -> Outcome {
        let mut out = Outcome::default();
        let payee = s.payee.to_lowercase();
        for (r, re) in &self.rules {
            let holds = r
                .payee_contains
                .as_ref()
                .is_none_or(|p| payee.contains(&p.to_lowercase()))
                && re.as_ref().is_none_or(|re| re.is_match(s.payee))
                && r.min_cents.is_none_or(|lo| s.cents >= lo)
                && r.max_cents.is_none_or(|hi| s.cents <= hi)
                && r.account
                    .as_ref()
                    .is_none_or(|a| s.account.is_some_and(|b| a.eq_ignore_ascii_case(b)));
            if !holds {
                continue;
            }
            out.matched.push(r.id);
            if out.category.is_none() {
                out.category.clone_from(&r.set_category);
            }
            if out.description.is_none() {
                out.description.clone_from(&r.set_description);
            }
            if let Some(t) = &r.add_tag
                && !out.tags.contains(t)
            {
                out.tags.push(t.clone());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_quantifiers_compile_and_match_in_linear_time() {
        let re = compile("(a+)+$").unwrap();
        let text = "a".repeat(50_000) + "b";
        let started = std::time::Instant::now();
        assert!(!re.is_match(&text));
        assert!(started.elapsed().as_secs() < 2);
        assert!(compile("(").is_err());
        assert!(compile("a{1000}{1000}").is_err());
    }
}
