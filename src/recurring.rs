//! Recurring transactions (docs/recurring.md): a definition — amount, category, payee, a
//! schedule (monthly on a day, weekly on a weekday, every N days, yearly on a month and day),
//! start date, optional end date or count — whose occurrences become transactions on their dates
//! through the spend path of a typed spend (`run`), exactly once per (definition, date) however
//! many instances run, and whose fixed-expense occurrences reserve their plan rows ahead.
//! This module holds the definition's input checks, its stored shape and the CRUD.

pub mod run;
pub mod schedule;

use chrono::{NaiveDate, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::budget::TxCategory;
use crate::budget::store::lock_user;
use crate::clock::{Clock, rfc3339};
use crate::db::{Db, Tx};
use crate::error::{Code, Error, FieldError, Result};
use crate::id::Id;
use crate::input::{Lines, nullable, text};
use crate::metrics::Metrics;
use crate::money::Money;
use crate::{on_db, on_tx};
use schedule::{Rule, Schedule};

/// A user holds at most this many live definitions.
pub const MAX_DEFINITIONS: i64 = 200;
/// The largest `count`.
pub const MAX_COUNT: i64 = 1000;
/// How far back a start date may be (days): the catch-up of a new definition is bounded.
pub const MAX_START_PAST_DAYS: i64 = 366;
/// How far ahead a start date may be (days).
pub const MAX_START_FUTURE_DAYS: i64 = 3660;

/// A create (every schedule field the frequency needs) or a PATCH (any field; `null` clears
/// `description`, `notes`, `end_date` and `count`).
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RecurringInput {
    /// 0.01 – 100,000.00.
    pub amount: Option<Money>,
    /// One of the 22 transaction categories; a fixed expense (rent, mortgage, utilities,
    /// insurance, subscriptions, education, childcare) reserves its plan rows ahead.
    pub category: Option<String>,
    /// 1–200 characters (the transaction's merchant).
    pub payee: Option<String>,
    /// ≤ 500 characters (the transaction's description; default the payee).
    #[serde(default, deserialize_with = "nullable")]
    pub description: Option<Option<String>>,
    /// ≤ 1000 characters.
    #[serde(default, deserialize_with = "nullable")]
    pub notes: Option<Option<String>>,
    /// 3 letters (default USD).
    pub currency: Option<String>,
    /// monthly, weekly, every_n_days or yearly.
    pub frequency: Option<String>,
    /// monthly and yearly: 1–31 (29–31 clamp to the month's last day; yearly: a day of the month).
    pub day_of_month: Option<i64>,
    /// weekly: monday … sunday.
    pub weekday: Option<String>,
    /// every_n_days: 1–366.
    pub interval_days: Option<i64>,
    /// yearly: 1–12.
    pub month: Option<i64>,
    /// YYYY-MM-DD, at most 366 days ago (a past start catches up, bounded per run).
    pub start_date: Option<String>,
    /// YYYY-MM-DD, on or after start_date; none after it.
    #[serde(default, deserialize_with = "nullable")]
    pub end_date: Option<Option<String>>,
    /// At most this many occurrences (1–1000).
    #[serde(default, deserialize_with = "nullable")]
    pub count: Option<Option<i64>>,
}

/// A stored definition.
#[derive(Clone, Debug, sqlx::FromRow, mita::db::lite::LiteRow)]
pub struct RecurringRow {
    pub id: Id,
    pub user_id: Id,
    pub amount_cents: i64,
    pub currency: String,
    pub category: String,
    pub payee: String,
    pub description: Option<String>,
    pub notes: Option<String>,
    pub frequency: String,
    pub day_of_month: Option<i32>,
    pub weekday: Option<i32>,
    pub interval_days: Option<i32>,
    pub month: Option<i32>,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub max_occurrences: Option<i32>,
    pub occurrences_done: i32,
    pub next_date: Option<NaiveDate>,
    pub reserved_through: Option<NaiveDate>,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
}

pub(crate) const COLUMNS: &str = "id, user_id, amount_cents, currency, category, payee, description, notes, frequency, \
    day_of_month, weekday, interval_days, month, start_date, end_date, max_occurrences, occurrences_done, next_date, \
    reserved_through, created_at, updated_at, deleted_at";

const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

fn weekday_of(n: i32) -> Option<Weekday> {
    Weekday::try_from(u8::try_from(n).ok()?).ok()
}

impl RecurringRow {
    /// The definition's schedule (stored values were checked on the way in).
    pub fn schedule(&self) -> Schedule {
        let day = self
            .day_of_month
            .and_then(|d| u32::try_from(d).ok())
            .unwrap_or(1);
        let rule = match self.frequency.as_str() {
            "weekly" => Rule::Weekly {
                weekday: self.weekday.and_then(weekday_of).unwrap_or(Weekday::Mon),
            },
            "every_n_days" => Rule::EveryNDays {
                days: self
                    .interval_days
                    .and_then(|d| u32::try_from(d).ok())
                    .unwrap_or(1),
            },
            "yearly" => Rule::Yearly {
                month: self.month.and_then(|m| u32::try_from(m).ok()).unwrap_or(1),
                day,
            },
            _ => Rule::Monthly { day },
        };
        Schedule {
            rule,
            start: self.start_date,
            end: self.end_date,
            count: self.max_occurrences.and_then(|c| u32::try_from(c).ok()),
        }
    }

    /// The transaction category (stored values were checked on the way in).
    pub fn tx_category(&self) -> TxCategory {
        self.category.parse().unwrap_or(TxCategory::Other)
    }

    /// The row as an input, for a PATCH to overlay and check whole.
    fn as_input(&self) -> RecurringInput {
        RecurringInput {
            amount: Some(Money::from_cents(self.amount_cents)),
            category: Some(self.category.clone()),
            payee: Some(self.payee.clone()),
            description: Some(self.description.clone()),
            notes: Some(self.notes.clone()),
            currency: Some(self.currency.clone()),
            frequency: Some(self.frequency.clone()),
            day_of_month: self.day_of_month.map(i64::from),
            weekday: self
                .weekday
                .and_then(|w| WEEKDAYS.get(usize::try_from(w).ok()?))
                .map(|w| (*w).to_string()),
            interval_days: self.interval_days.map(i64::from),
            month: self.month.map(i64::from),
            start_date: Some(self.start_date.to_string()),
            end_date: Some(self.end_date.map(|d| d.to_string())),
            count: Some(self.max_occurrences.map(i64::from)),
        }
    }
}

/// A definition as the API shows it.
#[derive(Clone, Debug, Serialize)]
pub struct RecurringView {
    pub id: Id,
    pub amount: Money,
    pub currency: String,
    pub category: String,
    pub payee: String,
    pub description: Option<String>,
    pub notes: Option<String>,
    pub frequency: String,
    pub day_of_month: Option<i32>,
    pub weekday: Option<&'static str>,
    pub interval_days: Option<i32>,
    pub month: Option<i32>,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub count: Option<i32>,
    pub occurrences_done: i32,
    /// The next date a transaction will be made on; null once the schedule is over.
    pub next_date: Option<NaiveDate>,
    /// A fixed expense (a sacred plan category): its occurrences reserve their plan rows ahead.
    pub reserves_plan: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&RecurringRow> for RecurringView {
    fn from(r: &RecurringRow) -> Self {
        RecurringView {
            id: r.id,
            amount: Money::from_cents(r.amount_cents),
            currency: r.currency.clone(),
            category: r.category.clone(),
            payee: r.payee.clone(),
            description: r.description.clone(),
            notes: r.notes.clone(),
            frequency: r.frequency.clone(),
            day_of_month: r.day_of_month,
            weekday: r
                .weekday
                .and_then(|w| WEEKDAYS.get(usize::try_from(w).ok()?).copied()),
            interval_days: r.interval_days,
            month: r.month,
            start_date: r.start_date,
            end_date: r.end_date,
            count: r.max_occurrences,
            occurrences_done: r.occurrences_done,
            next_date: r.next_date,
            reserves_plan: r.tx_category().plan().is_sacred(),
            created_at: rfc3339(r.created_at),
            updated_at: rfc3339(r.updated_at),
        }
    }
}

/// The checked values of an input, in the stored shape.
#[derive(Clone, Debug)]
struct Checked {
    amount_cents: i64,
    currency: String,
    category: TxCategory,
    payee: String,
    description: Option<String>,
    notes: Option<String>,
    frequency: &'static str,
    day_of_month: Option<i32>,
    weekday: Option<i32>,
    interval_days: Option<i32>,
    month: Option<i32>,
    start_date: NaiveDate,
    end_date: Option<NaiveDate>,
    count: Option<i32>,
}

fn int_in(
    v: Option<i64>,
    field: &str,
    lo: i64,
    hi: i64,
    errors: &mut Vec<FieldError>,
) -> Option<i32> {
    match v {
        None => {
            errors.push(FieldError::new(
                field,
                "missing",
                "is required for this frequency",
            ));
            None
        }
        Some(n) if !(lo..=hi).contains(&n) => {
            errors.push(FieldError::new(
                field,
                "range",
                format!("must be {lo} to {hi}"),
            ));
            None
        }
        Some(n) => i32::try_from(n).ok(),
    }
}

fn date_field(v: Option<&str>, field: &str, errors: &mut Vec<FieldError>) -> Option<NaiveDate> {
    match crate::time::parse_date(v?, field) {
        Ok(d) => Some(d),
        Err(Error::Validation { fields, .. }) => {
            errors.extend(fields);
            None
        }
        Err(_) => None,
    }
}

/// Checks a whole input (a create, or a PATCH overlaid on the stored definition). Every failing
/// field is named; the first failure's family gives the code.
fn check(input: &RecurringInput, today: NaiveDate) -> Result<Checked> {
    let mut errors = Vec::new();
    let mut code = Code::Validation2001;
    let mut first_code = |c: Code, errors: &Vec<FieldError>| {
        if errors.is_empty() {
            code = c;
        }
    };
    let amount_cents = match input.amount.map(Money::cents) {
        Some(c)
            if (crate::money::MIN_AMOUNT_CENTS..=crate::money::MAX_AMOUNT_CENTS).contains(&c) =>
        {
            Some(c)
        }
        other => {
            first_code(Code::Validation2006, &errors);
            errors.push(FieldError::new(
                "body.amount",
                if other.is_none() { "missing" } else { "range" },
                "must be 0.01 to 100000.00",
            ));
            None
        }
    };
    let category = match input.category.as_deref().map(str::trim) {
        Some(c) => c.parse::<TxCategory>().ok(),
        None => None,
    };
    if category.is_none() {
        first_code(Code::Validation2009, &errors);
        errors.push(FieldError::new(
            "body.category",
            "enum",
            "must be one of the 22 transaction categories",
        ));
    }
    if input.payee.is_none() {
        errors.push(FieldError::new("body.payee", "missing", "is required"));
    }
    let payee = text(
        input.payee.as_deref(),
        "body.payee",
        (1, 200),
        Lines::One,
        &mut errors,
    );
    let description = text(
        input.description.as_ref().and_then(|d| d.as_deref()),
        "body.description",
        (1, 500),
        Lines::One,
        &mut errors,
    );
    let notes = text(
        input.notes.as_ref().and_then(|d| d.as_deref()),
        "body.notes",
        (1, 1000),
        Lines::One,
        &mut errors,
    );
    let currency = input
        .currency
        .as_deref()
        .map(|c| c.trim().to_ascii_uppercase())
        .unwrap_or_else(|| "USD".into());
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_alphabetic()) {
        errors.push(FieldError::new(
            "body.currency",
            "format",
            "must be a 3-letter code",
        ));
    }
    let (mut day_of_month, mut weekday, mut interval_days, mut month) = (None, None, None, None);
    let frequency =
        match input.frequency.as_deref().map(str::trim) {
            Some("monthly") => {
                day_of_month = int_in(input.day_of_month, "body.day_of_month", 1, 31, &mut errors);
                "monthly"
            }
            Some("weekly") => {
                match input.weekday.as_deref().map(|w| w.trim().to_ascii_lowercase()) {
                Some(w) => match WEEKDAYS.iter().position(|x| *x == w) {
                    Some(i) => weekday = i32::try_from(i).ok(),
                    None => errors.push(FieldError::new(
                        "body.weekday",
                        "enum",
                        "must be monday, tuesday, wednesday, thursday, friday, saturday or sunday",
                    )),
                },
                None => errors.push(FieldError::new(
                    "body.weekday",
                    "missing",
                    "is required for this frequency",
                )),
            }
                "weekly"
            }
            Some("every_n_days") => {
                interval_days = int_in(
                    input.interval_days,
                    "body.interval_days",
                    1,
                    366,
                    &mut errors,
                );
                "every_n_days"
            }
            Some("yearly") => {
                month = int_in(input.month, "body.month", 1, 12, &mut errors);
                // The longest month of a leap year: 29 February is allowed (clamps in common years).
                let longest = month.map_or(31, |m| {
                    i64::from(crate::budget::days::days_in_month(2028, m.unsigned_abs()))
                });
                day_of_month = int_in(
                    input.day_of_month,
                    "body.day_of_month",
                    1,
                    longest,
                    &mut errors,
                );
                "yearly"
            }
            _ => {
                errors.push(FieldError::new(
                    "body.frequency",
                    "enum",
                    "must be monthly, weekly, every_n_days or yearly",
                ));
                "monthly"
            }
        };
    let start_date = match input.start_date.as_deref() {
        None => {
            errors.push(FieldError::new("body.start_date", "missing", "is required"));
            None
        }
        Some(s) => date_field(Some(s), "body.start_date", &mut errors),
    };
    if let Some(s) = start_date
        && ((today - s).num_days() > MAX_START_PAST_DAYS
            || (s - today).num_days() > MAX_START_FUTURE_DAYS)
    {
        first_code(Code::Validation2007, &errors);
        errors.push(FieldError::new(
            "body.start_date",
            "range",
            format!(
                "must be at most {MAX_START_PAST_DAYS} days ago and {MAX_START_FUTURE_DAYS} days ahead"
            ),
        ));
    }
    let end_date = date_field(
        input.end_date.as_ref().and_then(|d| d.as_deref()),
        "body.end_date",
        &mut errors,
    );
    if let (Some(s), Some(e)) = (start_date, end_date)
        && e < s
    {
        errors.push(FieldError::new(
            "body.end_date",
            "range",
            "must not be before start_date",
        ));
    }
    let count = match input.count.flatten() {
        None => None,
        Some(c) if (1..=MAX_COUNT).contains(&c) => i32::try_from(c).ok(),
        Some(_) => {
            errors.push(FieldError::new(
                "body.count",
                "range",
                format!("must be 1 to {MAX_COUNT}"),
            ));
            None
        }
    };
    match (amount_cents, category, payee, start_date) {
        (Some(amount_cents), Some(category), Some(payee), Some(start_date))
            if errors.is_empty() =>
        {
            let checked = Checked {
                amount_cents,
                currency,
                category,
                payee,
                description,
                notes,
                frequency,
                day_of_month,
                weekday,
                interval_days,
                month,
                start_date,
                end_date,
                count,
            };
            if checked.schedule().next_on_or_after(start_date).is_none() {
                return Err(Error::invalid(
                    Code::Validation2007,
                    "body.end_date",
                    "range",
                    "the schedule has no date between start_date and end_date",
                ));
            }
            Ok(checked)
        }
        _ => Err(Error::Validation {
            code,
            message: "Request validation failed".into(),
            fields: errors,
        }),
    }
}

impl Checked {
    fn row(&self, id: Id, user: Id, now: i64) -> RecurringRow {
        RecurringRow {
            id,
            user_id: user,
            amount_cents: self.amount_cents,
            currency: self.currency.clone(),
            category: self.category.as_str().to_string(),
            payee: self.payee.clone(),
            description: self.description.clone(),
            notes: self.notes.clone(),
            frequency: self.frequency.to_string(),
            day_of_month: self.day_of_month,
            weekday: self.weekday,
            interval_days: self.interval_days,
            month: self.month,
            start_date: self.start_date,
            end_date: self.end_date,
            max_occurrences: self.count,
            occurrences_done: 0,
            next_date: None,
            reserved_through: None,
            created_at: now,
            updated_at: now,
            deleted_at: None,
        }
    }

    fn schedule(&self) -> Schedule {
        self.row(Id::new(), Id::new(), 0).schedule()
    }
}

/// Who acts, and when.
pub struct RecurringCtx<'a> {
    pub db: &'a Db,
    pub clock: &'a Clock,
    pub metrics: &'a Metrics,
    pub user: Id,
    pub tz: Tz,
}

impl RecurringCtx<'_> {
    fn today(&self) -> NaiveDate {
        crate::time::local_date(self.clock.now_ms(), self.tz)
    }
}

/// Loads a live definition of `user` (404 otherwise).
async fn load(tx: &mut Tx, user: Id, id: Id) -> Result<RecurringRow> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM recurring_transactions WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL"
    ));
    let row: Option<RecurringRow> = on_tx!(tx, conn => sqlx::query_as(sql).bind(id).bind(user).fetch_optional(&mut *conn).await)?;
    row.ok_or(Error::NotFound("Recurring transaction"))
}

/// Writes every field of `r`.
async fn save(tx: &mut Tx, r: &RecurringRow) -> Result<()> {
    on_tx!(tx, conn => sqlx::query(
        "UPDATE recurring_transactions SET amount_cents = $3, currency = $4, category = $5, payee = $6, description = $7, \
         notes = $8, frequency = $9, day_of_month = $10, weekday = $11, interval_days = $12, month = $13, start_date = $14, \
         end_date = $15, max_occurrences = $16, occurrences_done = $17, next_date = $18, reserved_through = $19, \
         updated_at = $20, deleted_at = $21 WHERE id = $1 AND user_id = $2")
        .bind(r.id).bind(r.user_id).bind(r.amount_cents).bind(&r.currency).bind(&r.category).bind(&r.payee)
        .bind(&r.description).bind(&r.notes).bind(&r.frequency).bind(r.day_of_month).bind(r.weekday)
        .bind(r.interval_days).bind(r.month).bind(r.start_date).bind(r.end_date).bind(r.max_occurrences)
        .bind(r.occurrences_done).bind(r.next_date).bind(r.reserved_through).bind(r.updated_at).bind(r.deleted_at)
        .execute(&mut *conn).await.map(|_| ()))?;
    Ok(())
}

/// `POST /api/recurring`: stores the definition, then (same transaction) materialises the
/// occurrences already due (a start date in the past catches up, bounded) and reserves the
/// month's fixed-expense occurrences.
pub async fn create(ctx: &RecurringCtx<'_>, input: &RecurringInput) -> Result<RecurringView> {
    let now = ctx.clock.now_ms();
    let today = ctx.today();
    let checked = check(input, today)?;
    let mut tx = ctx.db.begin().await?;
    lock_user(&mut tx, ctx.user).await?;
    let live: i64 = on_tx!(&mut tx, conn => sqlx::query_scalar(
        "SELECT COUNT(*) FROM recurring_transactions WHERE user_id = $1 AND deleted_at IS NULL")
        .bind(ctx.user).fetch_one(&mut *conn).await)?;
    if live >= MAX_DEFINITIONS {
        return Err(Error::Business {
            code: Code::Business4012,
            message: format!("At most {MAX_DEFINITIONS} recurring transactions"),
        });
    }
    let mut row = checked.row(Id::new(), ctx.user, now);
    row.next_date = row.schedule().next_on_or_after(row.start_date);
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO recurring_transactions ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, \
         $14, $15, $16, $17, $18, $19, $20, $21, $22)"
    ));
    on_tx!(&mut tx, conn => sqlx::query(sql)
        .bind(row.id).bind(row.user_id).bind(row.amount_cents).bind(&row.currency).bind(&row.category).bind(&row.payee)
        .bind(&row.description).bind(&row.notes).bind(&row.frequency).bind(row.day_of_month).bind(row.weekday)
        .bind(row.interval_days).bind(row.month).bind(row.start_date).bind(row.end_date).bind(row.max_occurrences)
        .bind(row.occurrences_done).bind(row.next_date).bind(row.reserved_through).bind(row.created_at)
        .bind(row.updated_at).bind(row.deleted_at)
        .execute(&mut *conn).await.map(|_| ()))?;
    run::materialise_in(
        &mut tx,
        ctx.user,
        ctx.tz,
        now,
        ctx.metrics,
        run::MAX_PER_RUN,
    )
    .await?;
    let row = load(&mut tx, ctx.user, row.id).await?;
    tx.commit().await?;
    Ok(RecurringView::from(&row))
}

/// The caller's live definitions, oldest first, after materialising what is due (one run).
pub async fn list(ctx: &RecurringCtx<'_>) -> Result<Vec<RecurringView>> {
    run::materialise_user(
        ctx.db,
        ctx.clock,
        ctx.metrics,
        ctx.user,
        ctx.tz,
        run::MAX_PER_RUN,
    )
    .await?;
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM recurring_transactions WHERE user_id = $1 AND deleted_at IS NULL ORDER BY created_at, id"
    ));
    let rows: Vec<RecurringRow> =
        on_db!(ctx.db, pool => sqlx::query_as(sql).bind(ctx.user).fetch_all(pool).await)?;
    Ok(rows.iter().map(RecurringView::from).collect())
}

/// One materialised occurrence.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, mita::db::lite::LiteRow)]
pub struct Materialised {
    pub date: NaiveDate,
    pub transaction_id: Option<Id>,
}

/// A definition with its latest materialised occurrences.
#[derive(Clone, Debug, Serialize)]
pub struct RecurringDetail {
    #[serde(flatten)]
    pub definition: RecurringView,
    /// The latest 100 transactions it made, newest first.
    pub materialised: Vec<Materialised>,
}

/// One live definition of the caller (404 otherwise). 2 queries.
pub async fn get(db: &Db, user: Id, id: Id) -> Result<RecurringDetail> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM recurring_transactions WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL"
    ));
    let row: Option<RecurringRow> =
        on_db!(db, pool => sqlx::query_as(sql).bind(id).bind(user).fetch_optional(pool).await)?;
    let row = row.ok_or(Error::NotFound("Recurring transaction"))?;
    let materialised: Vec<Materialised> = on_db!(db, pool => sqlx::query_as(
        "SELECT occurrence_date AS date, transaction_id FROM recurring_occurrences \
         WHERE definition_id = $1 AND user_id = $2 AND materialised_at IS NOT NULL ORDER BY occurrence_date DESC LIMIT 100")
        .bind(id).bind(user).fetch_all(pool).await)?;
    Ok(RecurringDetail {
        definition: RecurringView::from(&row),
        materialised,
    })
}

/// `PATCH /api/recurring/{id}`: overlays the fields sent and checks the whole again. Occurrences
/// already due are materialised first under the old terms; the new terms apply from today on
/// (no back-fill of dates a changed schedule would have had in the past). Reservations are
/// released and laid out again.
pub async fn update(
    ctx: &RecurringCtx<'_>,
    id: Id,
    patch: &RecurringInput,
) -> Result<RecurringView> {
    let now = ctx.clock.now_ms();
    let today = ctx.today();
    let mut tx = ctx.db.begin().await?;
    lock_user(&mut tx, ctx.user).await?;
    let old = load(&mut tx, ctx.user, id).await?;
    let mut merged = old.as_input();
    macro_rules! overlay {
        ($($f:ident),*) => { $(if patch.$f.is_some() { merged.$f = patch.$f.clone(); })* };
    }
    overlay!(
        amount,
        category,
        payee,
        description,
        notes,
        currency,
        frequency,
        day_of_month,
        weekday,
        interval_days,
        month,
        start_date,
        end_date,
        count
    );
    let checked = check(&merged, today)?;
    run::materialise_in(
        &mut tx,
        ctx.user,
        ctx.tz,
        now,
        ctx.metrics,
        run::MAX_PER_RUN,
    )
    .await?;
    let old = load(&mut tx, ctx.user, id).await?;
    run::release(&mut tx, &old, today, now).await?;
    let mut row = checked.row(old.id, ctx.user, old.created_at);
    row.occurrences_done = old.occurrences_done;
    row.updated_at = now;
    let last_done: Option<NaiveDate> = on_tx!(&mut tx, conn => sqlx::query_scalar(
        "SELECT MAX(occurrence_date) FROM recurring_occurrences WHERE definition_id = $1 AND materialised_at IS NOT NULL")
        .bind(id).fetch_one(&mut *conn).await)?;
    let schedule = row.schedule();
    let mut from = row.start_date.max(today);
    if let Some(last) = last_done.and_then(|d| d.succ_opt()) {
        from = from.max(last);
    }
    let done_enough = schedule
        .count
        .is_some_and(|c| u32::try_from(row.occurrences_done).unwrap_or(0) >= c);
    row.next_date = if done_enough {
        None
    } else {
        schedule.next_on_or_after(from)
    };
    save(&mut tx, &row).await?;
    run::materialise_in(
        &mut tx,
        ctx.user,
        ctx.tz,
        now,
        ctx.metrics,
        run::MAX_PER_RUN,
    )
    .await?;
    let row = load(&mut tx, ctx.user, id).await?;
    tx.commit().await?;
    Ok(RecurringView::from(&row))
}

/// `DELETE /api/recurring/{id}`: no more occurrences from now on; the transactions already made
/// stay, the reservations ahead are released.
pub async fn delete(ctx: &RecurringCtx<'_>, id: Id) -> Result<()> {
    let now = ctx.clock.now_ms();
    let today = ctx.today();
    let mut tx = ctx.db.begin().await?;
    lock_user(&mut tx, ctx.user).await?;
    let mut row = load(&mut tx, ctx.user, id).await?;
    run::release(&mut tx, &row, today, now).await?;
    row.deleted_at = Some(now);
    row.updated_at = now;
    row.next_date = None;
    save(&mut tx, &row).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 5).unwrap()
    }

    fn input() -> RecurringInput {
        RecurringInput {
            amount: Some(Money::from_cents(1599)),
            category: Some("subscriptions".into()),
            payee: Some("Streaming".into()),
            frequency: Some("monthly".into()),
            day_of_month: Some(31),
            start_date: Some("2026-12-01".into()),
            ..RecurringInput::default()
        }
    }

    fn fields(e: Error) -> Vec<String> {
        match e {
            Error::Validation { fields, .. } => fields.into_iter().map(|f| f.field).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_monthly_definition_checks_and_keeps_only_its_schedule_fields() {
        let mut i = input();
        i.weekday = Some("friday".into());
        let c = check(&i, today()).unwrap();
        assert_eq!((c.day_of_month, c.weekday), (Some(31), None));
    }

    #[test]
    fn bad_schedules_name_the_field() {
        let mut i = input();
        i.day_of_month = Some(32);
        assert_eq!(
            fields(check(&i, today()).unwrap_err()),
            ["body.day_of_month"]
        );
        i = input();
        i.frequency = Some("weekly".into());
        i.weekday = Some("someday".into());
        assert_eq!(fields(check(&i, today()).unwrap_err()), ["body.weekday"]);
        i = input();
        i.frequency = Some("yearly".into());
        i.month = Some(4);
        i.day_of_month = Some(31);
        assert_eq!(
            fields(check(&i, today()).unwrap_err()),
            ["body.day_of_month"]
        );
        i.month = Some(2);
        i.day_of_month = Some(29);
        assert!(check(&i, today()).is_ok(), "29 February is a yearly date");
        i = input();
        i.end_date = Some(Some("2026-11-30".into()));
        assert_eq!(fields(check(&i, today()).unwrap_err()), ["body.end_date"]);
        i.end_date = Some(Some("2026-12-20".into()));
        assert_eq!(
            fields(check(&i, today()).unwrap_err()),
            ["body.end_date"],
            "no 31st (clamped) before the end"
        );
        i = input();
        i.start_date = Some("2024-01-01".into());
        assert_eq!(fields(check(&i, today()).unwrap_err()), ["body.start_date"]);
    }
}
