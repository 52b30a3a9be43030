//! Every SQLite statement of the services runs through this layer, on rusqlite, with sqlx's call
//! shape: `query`, `query_as`, `query_scalar`, `.bind(...)`, `execute` / `fetch_one` /
//! `fetch_optional` / `fetch_all`.
//!
//! Why: sqlx runs each SQLite connection on a thread of its own and hands every statement over
//! to it and back; measured alone that costs 3–4× the SQLite work itself (docs/performance.md,
//! "What sqlx's SQLite hand-offs cost"). Here a statement runs where its connection lives:
//! - a write transaction's statements run on the thread that holds the transaction (the server
//!   runs every request that may write on the write thread, see [`super::write_thread`]), on the
//!   writer connection owned by [`super::group::GroupWriter`]: no hand-off at all;
//! - a read runs on one of the reader threads ([`super::blocking`]): one hand-off per statement.
//!
//! The SQLite arms of [`crate::on_db!`], [`crate::on_write!`] and [`crate::on_tx!`] bring this
//! module into scope under the name `sqlx`, so a call site is written once
//! (`sqlx::query_as(SQL).bind(user).fetch_all(conn)`) and runs on sqlx for PostgreSQL and here
//! for SQLite. Values are stored exactly as sqlx stores them on SQLite (ids as hyphenated text,
//! dates as `YYYY-MM-DD`, timestamps as RFC 3339 text, booleans as 0/1, JSON as text), so the
//! files written before this layer read the same. Errors are `sqlx::Error`s, SQLite failures
//! as `sqlx::Error::Database` with the extended result code, so `is_unique_violation()` and the
//! error mapping of [`crate::error`] do not change.

use std::borrow::Cow;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;

use chrono::{
    DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, TimeZone, Utc,
};
use rusqlite::types::{Value, ValueRef};
use sqlx::error::{BoxDynError, DatabaseError, ErrorKind};

pub use mita_derive::LiteRow;
pub use rusqlite;
pub use sqlx::AssertSqlSafe;

use crate::id::Id;

/// What a statement fails with (the same type sqlx answers with).
pub type Error = sqlx::Error;

/// A rusqlite result row, as [`FromRow`] reads it.
pub type Row<'a> = rusqlite::Row<'a>;

/// The types call sites name under `sqlx::types`.
pub mod types {
    pub use sqlx::types::Json;
}

// ---------------------------------------------------------------------------------------------
// SQL text

/// SQL a statement may run: a literal, or text the caller vouches for ([`AssertSqlSafe`]),
/// as sqlx's `SqlSafeStr`.
pub trait SqlText {
    fn into_sql(self) -> Cow<'static, str>;
}

impl SqlText for &'static str {
    fn into_sql(self) -> Cow<'static, str> {
        Cow::Borrowed(self)
    }
}

impl SqlText for AssertSqlSafe<String> {
    fn into_sql(self) -> Cow<'static, str> {
        Cow::Owned(self.0)
    }
}

impl SqlText for AssertSqlSafe<&'static str> {
    fn into_sql(self) -> Cow<'static, str> {
        Cow::Borrowed(self.0)
    }
}

// ---------------------------------------------------------------------------------------------
// Encoding: Rust values to SQLite values, as sqlx-sqlite stores them

/// A value that can be bound to a `$n` parameter.
pub trait Encode {
    fn encode(&self) -> Result<Value, BoxDynError>;
}

impl<T: Encode + ?Sized> Encode for &T {
    fn encode(&self) -> Result<Value, BoxDynError> {
        (**self).encode()
    }
}

impl<T: Encode> Encode for Option<T> {
    fn encode(&self) -> Result<Value, BoxDynError> {
        match self {
            Some(v) => v.encode(),
            None => Ok(Value::Null),
        }
    }
}

macro_rules! encode_integer {
    ($($t:ty),*) => {$(
        impl Encode for $t {
            fn encode(&self) -> Result<Value, BoxDynError> {
                Ok(Value::Integer(i64::from(*self)))
            }
        }
    )*};
}
encode_integer!(i8, i16, i32, i64, u8, u16, u32, bool);

impl Encode for u64 {
    fn encode(&self) -> Result<Value, BoxDynError> {
        Ok(Value::Integer(i64::try_from(*self)?))
    }
}

impl Encode for f64 {
    fn encode(&self) -> Result<Value, BoxDynError> {
        Ok(Value::Real(*self))
    }
}

impl Encode for f32 {
    fn encode(&self) -> Result<Value, BoxDynError> {
        Ok(Value::Real(f64::from(*self)))
    }
}

impl Encode for str {
    fn encode(&self) -> Result<Value, BoxDynError> {
        Ok(Value::Text(self.to_owned()))
    }
}

impl Encode for String {
    fn encode(&self) -> Result<Value, BoxDynError> {
        Ok(Value::Text(self.clone()))
    }
}

impl Encode for [u8] {
    fn encode(&self) -> Result<Value, BoxDynError> {
        Ok(Value::Blob(self.to_vec()))
    }
}

impl Encode for Vec<u8> {
    fn encode(&self) -> Result<Value, BoxDynError> {
        Ok(Value::Blob(self.clone()))
    }
}

impl Encode for Id {
    fn encode(&self) -> Result<Value, BoxDynError> {
        Ok(Value::Text(self.0.hyphenated().to_string()))
    }
}

impl Encode for NaiveDate {
    fn encode(&self) -> Result<Value, BoxDynError> {
        Ok(Value::Text(self.format("%F").to_string()))
    }
}

impl Encode for NaiveDateTime {
    fn encode(&self) -> Result<Value, BoxDynError> {
        Ok(Value::Text(self.format("%F %T%.f").to_string()))
    }
}

impl Encode for NaiveTime {
    fn encode(&self) -> Result<Value, BoxDynError> {
        Ok(Value::Text(self.format("%T%.f").to_string()))
    }
}

impl Encode for DateTime<Utc> {
    fn encode(&self) -> Result<Value, BoxDynError> {
        Ok(Value::Text(
            self.to_rfc3339_opts(SecondsFormat::AutoSi, false),
        ))
    }
}

impl Encode for DateTime<FixedOffset> {
    fn encode(&self) -> Result<Value, BoxDynError> {
        Ok(Value::Text(
            self.to_rfc3339_opts(SecondsFormat::AutoSi, false),
        ))
    }
}

impl<T: serde::Serialize> Encode for types::Json<T> {
    fn encode(&self) -> Result<Value, BoxDynError> {
        Ok(Value::Text(serde_json::to_string(&self.0)?))
    }
}

impl Encode for serde_json::Value {
    fn encode(&self) -> Result<Value, BoxDynError> {
        Ok(Value::Text(serde_json::to_string(self)?))
    }
}

// ---------------------------------------------------------------------------------------------
// Decoding: SQLite values to Rust values, as sqlx-sqlite reads them

/// A value that can be read from a result column.
pub trait Decode: Sized {
    fn decode(value: ValueRef<'_>) -> Result<Self, BoxDynError>;
}

fn unexpected(value: ValueRef<'_>, wanted: &str) -> BoxDynError {
    let found = match value {
        ValueRef::Null => "NULL",
        ValueRef::Integer(_) => "INTEGER",
        ValueRef::Real(_) => "REAL",
        ValueRef::Text(_) => "TEXT",
        ValueRef::Blob(_) => "BLOB",
    };
    format!("cannot read a {found} value as {wanted}").into()
}

impl<T: Decode> Decode for Option<T> {
    fn decode(value: ValueRef<'_>) -> Result<Self, BoxDynError> {
        match value {
            ValueRef::Null => Ok(None),
            v => T::decode(v).map(Some),
        }
    }
}

/// SQLite's own conversion to an integer (`sqlite3_value_int64`), which sqlx uses: text is read
/// as a number, reals are truncated.
fn integer(value: ValueRef<'_>) -> Result<i64, BoxDynError> {
    match value {
        ValueRef::Integer(i) => Ok(i),
        #[allow(
            clippy::cast_possible_truncation,
            reason = "SQLite truncates the same way"
        )]
        ValueRef::Real(f) => Ok(f as i64),
        ValueRef::Text(t) => Ok(std::str::from_utf8(t)?.trim().parse()?),
        other => Err(unexpected(other, "an integer")),
    }
}

macro_rules! decode_integer {
    ($($t:ty),*) => {$(
        impl Decode for $t {
            fn decode(value: ValueRef<'_>) -> Result<Self, BoxDynError> {
                Ok(<$t>::try_from(integer(value)?)?)
            }
        }
    )*};
}
decode_integer!(i8, i16, i32, i64, u8, u16, u32, u64);

impl Decode for bool {
    fn decode(value: ValueRef<'_>) -> Result<Self, BoxDynError> {
        Ok(integer(value)? != 0)
    }
}

impl Decode for f64 {
    fn decode(value: ValueRef<'_>) -> Result<Self, BoxDynError> {
        match value {
            ValueRef::Real(f) => Ok(f),
            #[allow(clippy::cast_precision_loss, reason = "SQLite converts the same way")]
            ValueRef::Integer(i) => Ok(i as f64),
            ValueRef::Text(t) => Ok(std::str::from_utf8(t)?.trim().parse()?),
            other => Err(unexpected(other, "a real")),
        }
    }
}

fn text(value: ValueRef<'_>) -> Result<Cow<'_, str>, BoxDynError> {
    match value {
        ValueRef::Text(t) | ValueRef::Blob(t) => Ok(Cow::Borrowed(std::str::from_utf8(t)?)),
        ValueRef::Integer(i) => Ok(Cow::Owned(i.to_string())),
        ValueRef::Real(f) => Ok(Cow::Owned(f.to_string())),
        ValueRef::Null => Err(unexpected(value, "text")),
    }
}

impl Decode for String {
    fn decode(value: ValueRef<'_>) -> Result<Self, BoxDynError> {
        Ok(text(value)?.into_owned())
    }
}

impl Decode for Vec<u8> {
    fn decode(value: ValueRef<'_>) -> Result<Self, BoxDynError> {
        match value {
            ValueRef::Blob(b) | ValueRef::Text(b) => Ok(b.to_vec()),
            other => Err(unexpected(other, "bytes")),
        }
    }
}

impl Decode for Id {
    fn decode(value: ValueRef<'_>) -> Result<Self, BoxDynError> {
        Ok(text(value)?.parse()?)
    }
}

impl Decode for NaiveDate {
    fn decode(value: ValueRef<'_>) -> Result<Self, BoxDynError> {
        Ok(NaiveDate::parse_from_str(&text(value)?, "%F")?)
    }
}

impl Decode for NaiveTime {
    fn decode(value: ValueRef<'_>) -> Result<Self, BoxDynError> {
        let t = text(value)?;
        for format in ["%T%.f", "%R", "%RZ", "%T%.fZ", "%R%:z", "%T%.f%:z"] {
            if let Ok(time) = NaiveTime::parse_from_str(&t, format) {
                return Ok(time);
            }
        }
        Err(format!("invalid time: {t}").into())
    }
}

/// The timestamp forms SQLite and sqlx write, tried after RFC 3339.
const DATETIME_FORMATS: [&str; 12] = [
    "%F %T%.f",
    "%F %R",
    "%F %RZ",
    "%F %R%:z",
    "%F %T%.fZ",
    "%F %T%.f%:z",
    "%FT%R",
    "%FT%RZ",
    "%FT%R%:z",
    "%FT%T%.f",
    "%FT%T%.fZ",
    "%FT%T%.f%:z",
];

fn datetime(value: ValueRef<'_>) -> Result<DateTime<FixedOffset>, BoxDynError> {
    let utc = FixedOffset::east_opt(0).expect("UTC is a valid offset");
    match value {
        ValueRef::Integer(seconds) => utc
            .timestamp_opt(seconds, 0)
            .single()
            .ok_or_else(|| format!("invalid timestamp: {seconds}").into()),
        ValueRef::Real(julian) => {
            // A Julian day number, as SQLite's `julianday()` gives.
            let seconds = (julian - 2_440_587.5) * 86_400.0;
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "a finite number of seconds since 1970"
            )]
            let at = seconds.is_finite().then(|| {
                utc.timestamp_opt(seconds.trunc() as i64, (seconds.fract().abs() * 1e9) as u32)
                    .single()
            });
            at.flatten()
                .ok_or_else(|| format!("invalid timestamp: {julian}").into())
        }
        other => {
            let t = text(other)?;
            if let Ok(at) = DateTime::parse_from_rfc3339(&t) {
                return Ok(at);
            }
            for format in DATETIME_FORMATS {
                if let Ok(at) = DateTime::parse_from_str(&t, format) {
                    return Ok(at);
                }
                if let Ok(at) = NaiveDateTime::parse_from_str(&t, format) {
                    return Ok(utc.from_utc_datetime(&at));
                }
            }
            Err(format!("invalid timestamp: {t}").into())
        }
    }
}

impl Decode for DateTime<Utc> {
    fn decode(value: ValueRef<'_>) -> Result<Self, BoxDynError> {
        Ok(datetime(value)?.with_timezone(&Utc))
    }
}

impl Decode for DateTime<FixedOffset> {
    fn decode(value: ValueRef<'_>) -> Result<Self, BoxDynError> {
        datetime(value)
    }
}

impl Decode for NaiveDateTime {
    fn decode(value: ValueRef<'_>) -> Result<Self, BoxDynError> {
        Ok(datetime(value)?.naive_local())
    }
}

impl<T: serde::de::DeserializeOwned> Decode for types::Json<T> {
    fn decode(value: ValueRef<'_>) -> Result<Self, BoxDynError> {
        match value {
            ValueRef::Text(b) | ValueRef::Blob(b) => Ok(types::Json(serde_json::from_slice(b)?)),
            other => Ok(types::Json(serde_json::from_str(&text(other)?)?)),
        }
    }
}

impl Decode for serde_json::Value {
    fn decode(value: ValueRef<'_>) -> Result<Self, BoxDynError> {
        Ok(<types::Json<serde_json::Value>>::decode(value)?.0)
    }
}

// ---------------------------------------------------------------------------------------------
// Rows

/// A type read from a whole result row: tuples by position, structs with
/// `#[derive(LiteRow)]` by column name (each name looked up once per statement, not per row).
pub trait FromRow: Sized {
    /// Where each field's column is in the statement's result.
    type Columns;

    fn columns(st: &rusqlite::Statement<'_>) -> Result<Self::Columns, Error>;

    fn from_row(row: &Row<'_>, columns: &Self::Columns) -> Result<Self, Error>;
}

/// Decodes the column at `index` (used by tuples and scalars).
pub fn at<T: Decode>(row: &Row<'_>, index: usize) -> Result<T, Error> {
    let value = row
        .get_ref(index)
        .map_err(|_| Error::ColumnIndexOutOfBounds {
            index,
            len: row.as_ref().column_count(),
        })?;
    T::decode(value).map_err(|source| Error::ColumnDecode {
        index: format!("{index}"),
        source,
    })
}

/// The position of the column named `name` (used by `#[derive(LiteRow)]`, once per statement).
pub fn index_of(st: &rusqlite::Statement<'_>, name: &str) -> Result<usize, Error> {
    st.column_index(name)
        .map_err(|_| Error::ColumnNotFound(name.to_owned()))
}

/// Decodes the column `name` found at `index` (used by `#[derive(LiteRow)]`).
pub fn column<T: Decode>(row: &Row<'_>, index: usize, name: &str) -> Result<T, Error> {
    let value = row
        .get_ref(index)
        .map_err(|_| Error::ColumnNotFound(name.to_owned()))?;
    T::decode(value).map_err(|source| Error::ColumnDecode {
        index: format!("{name:?}"),
        source,
    })
}

macro_rules! tuple_from_row {
    ($($t:ident $i:tt),+) => {
        impl<$($t: Decode),+> FromRow for ($($t,)+) {
            type Columns = ();

            fn columns(_: &rusqlite::Statement<'_>) -> Result<(), Error> {
                Ok(())
            }

            fn from_row(row: &Row<'_>, (): &()) -> Result<Self, Error> {
                Ok(($(at::<$t>(row, $i)?,)+))
            }
        }
    };
}
tuple_from_row!(A 0);
tuple_from_row!(A 0, B 1);
tuple_from_row!(A 0, B 1, C 2);
tuple_from_row!(A 0, B 1, C 2, D 3);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);

// ---------------------------------------------------------------------------------------------
// Errors

/// A failure reported by SQLite, shaped as sqlx-sqlite reports it.
#[derive(Debug)]
pub struct SqliteError {
    /// The extended result code (`2067` for a unique constraint...).
    code: i32,
    message: String,
}

impl std::fmt::Display for SqliteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "(code: {}) {}", self.code, self.message)
    }
}

impl std::error::Error for SqliteError {}

impl DatabaseError for SqliteError {
    fn message(&self) -> &str {
        &self.message
    }

    fn code(&self) -> Option<Cow<'_, str>> {
        Some(Cow::Owned(self.code.to_string()))
    }

    fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        self
    }

    fn kind(&self) -> ErrorKind {
        use rusqlite::ffi;
        match self.code {
            ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                ErrorKind::UniqueViolation
            }
            ffi::SQLITE_CONSTRAINT_FOREIGNKEY => ErrorKind::ForeignKeyViolation,
            ffi::SQLITE_CONSTRAINT_NOTNULL => ErrorKind::NotNullViolation,
            ffi::SQLITE_CONSTRAINT_CHECK => ErrorKind::CheckViolation,
            _ => ErrorKind::Other,
        }
    }
}

/// A rusqlite failure as the `sqlx::Error` sqlx would have given for it.
pub fn error(e: rusqlite::Error) -> Error {
    match e {
        rusqlite::Error::SqliteFailure(failure, message) => {
            Error::Database(Box::new(SqliteError {
                code: failure.extended_code,
                message: message.unwrap_or_else(|| failure.to_string()),
            }))
        }
        rusqlite::Error::ToSqlConversionFailure(source) => Error::Encode(source),
        other => Error::Database(Box::new(SqliteError {
            code: rusqlite::ffi::SQLITE_MISUSE,
            message: other.to_string(),
        })),
    }
}

// ---------------------------------------------------------------------------------------------
// Statements

/// A statement with its bound values, ready to run on a connection.
#[derive(Debug)]
pub struct Statement {
    sql: Cow<'static, str>,
    args: Vec<Value>,
    /// The first value that could not be encoded (reported when the statement runs).
    failed: Option<String>,
}

impl Statement {
    fn new(sql: impl SqlText) -> Self {
        Statement {
            sql: sql.into_sql(),
            args: Vec::new(),
            failed: None,
        }
    }

    fn bind(&mut self, value: &dyn Encode) {
        match value.encode() {
            Ok(v) => self.args.push(v),
            Err(e) => {
                self.args.push(Value::Null);
                self.failed.get_or_insert_with(|| e.to_string());
            }
        }
    }

    /// Prepares (from the connection's cache) and binds `$1, $2...` by number, as sqlx does:
    /// SQLite numbers parameters in the order they first appear, so `$2` is not always the
    /// second. As in sqlx, a parameter with no value bound is NULL.
    fn prepare<'c>(
        &self,
        conn: &'c rusqlite::Connection,
    ) -> Result<rusqlite::CachedStatement<'c>, Error> {
        if let Some(failed) = &self.failed {
            return Err(Error::Encode(failed.clone().into()));
        }
        let mut st = conn.prepare_cached(&self.sql).map_err(error)?;
        let mut anonymous = 0;
        for index in 1..=st.parameter_count() {
            let number = match st.parameter_name(index) {
                Some(name) => name
                    .strip_prefix('$')
                    .or_else(|| name.strip_prefix('?'))
                    .and_then(|n| n.parse::<usize>().ok())
                    .ok_or_else(|| Error::Protocol(format!("unsupported SQL parameter: {name}")))?,
                None => {
                    anonymous += 1;
                    anonymous
                }
            };
            if let Some(value) = number.checked_sub(1).and_then(|i| self.args.get(i)) {
                st.raw_bind_parameter(index, value).map_err(error)?;
            }
        }
        Ok(st)
    }

    /// Runs the statement to its end; the rows it changed.
    pub fn execute_on(&self, conn: &rusqlite::Connection) -> Result<u64, Error> {
        let mut st = self.prepare(conn)?;
        let mut rows = st.raw_query();
        while rows.next().map_err(error)?.is_some() {}
        drop(rows);
        Ok(conn.changes())
    }

    /// Runs the statement and reads at most `limit` rows with `read`.
    pub fn rows_on<T>(
        &self,
        conn: &rusqlite::Connection,
        limit: usize,
        read: impl Fn(&Row<'_>) -> Result<T, Error>,
    ) -> Result<Vec<T>, Error> {
        self.rows_with(conn, limit, |_| Ok(read))
    }

    /// Runs the statement and reads at most `limit` rows as `T`.
    pub fn decode_on<T: FromRow>(
        &self,
        conn: &rusqlite::Connection,
        limit: usize,
    ) -> Result<Vec<T>, Error> {
        self.rows_with(conn, limit, |st| {
            let columns = T::columns(st)?;
            Ok(move |row: &Row<'_>| T::from_row(row, &columns))
        })
    }

    /// Runs the statement and reads at most `limit` rows with the reader `start` makes from
    /// the prepared statement.
    fn rows_with<T, R: Fn(&Row<'_>) -> Result<T, Error>>(
        &self,
        conn: &rusqlite::Connection,
        limit: usize,
        start: impl FnOnce(&rusqlite::Statement<'_>) -> Result<R, Error>,
    ) -> Result<Vec<T>, Error> {
        let mut st = self.prepare(conn)?;
        let read = start(&st)?;
        let mut rows = st.raw_query();
        let mut out = Vec::new();
        while out.len() < limit {
            match rows.next().map_err(error)? {
                Some(row) => out.push(read(row)?),
                None => break,
            }
        }
        Ok(out)
    }
}

/// What `execute` answers.
#[derive(Clone, Copy, Debug, Default)]
pub struct QueryResult {
    rows_affected: u64,
}

impl QueryResult {
    pub fn rows_affected(&self) -> u64 {
        self.rows_affected
    }
}

/// Where a statement runs: a connection the caller holds (runs at once, on the caller's
/// thread) or a set of connections on threads of their own (one hand-off).
pub trait Executor {
    /// Always [`Lite`]: ties the `DB` of [`query_as`] and [`query_scalar`] to the executor,
    /// as in sqlx, so that `query_as::<_, Row>` is inferred.
    type Database: Database;

    fn run<T, F>(self, work: F) -> impl Future<Output = Result<T, Error>> + Send
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Connection) -> Result<T, Error> + Send + 'static;
}

/// The reader threads: each read is one job on one of them.
impl Executor for &Arc<super::blocking::BlockingReaders> {
    type Database = Lite;

    fn run<T, F>(self, work: F) -> impl Future<Output = Result<T, Error>> + Send
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Connection) -> Result<T, Error> + Send + 'static,
    {
        let readers = Arc::clone(self);
        async move { readers.run(work).await }
    }
}

fn first_column<T: Decode>(row: &Row<'_>) -> Result<T, Error> {
    at(row, 0)
}

/// A statement whose rows (if any) are not read.
#[must_use = "a query does nothing until it is executed"]
pub struct Query(Statement);

/// `sqlx::query`.
pub fn query(sql: impl SqlText) -> Query {
    Query(Statement::new(sql))
}

impl Query {
    pub fn bind<T: Encode>(mut self, value: T) -> Self {
        self.0.bind(&value);
        self
    }

    pub async fn execute<E: Executor>(self, on: E) -> Result<QueryResult, Error> {
        let st = self.0;
        let rows_affected = on.run(move |conn| st.execute_on(conn)).await?;
        Ok(QueryResult { rows_affected })
    }
}

/// A statement whose rows are read as `O` (a [`FromRow`]).
#[must_use = "a query does nothing until it is executed"]
pub struct QueryAs<DB, O> {
    st: Statement,
    _row: PhantomData<fn() -> (DB, O)>,
}

/// The one database type [`query_as`] and [`query_scalar`] are generic over (so call sites
/// written for sqlx, `query_as::<_, Row>`, infer it).
pub enum Lite {}

/// Implemented by [`Lite`] only.
pub trait Database {}
impl Database for Lite {}

/// `sqlx::query_as`.
pub fn query_as<DB: Database, O: FromRow>(sql: impl SqlText) -> QueryAs<DB, O> {
    QueryAs {
        st: Statement::new(sql),
        _row: PhantomData,
    }
}

/// A statement whose first column is read as `O` (a [`Decode`]).
#[must_use = "a query does nothing until it is executed"]
pub struct QueryScalar<DB, O> {
    st: Statement,
    _row: PhantomData<fn() -> (DB, O)>,
}

/// `sqlx::query_scalar`.
pub fn query_scalar<DB: Database, O: Decode>(sql: impl SqlText) -> QueryScalar<DB, O> {
    QueryScalar {
        st: Statement::new(sql),
        _row: PhantomData,
    }
}

macro_rules! fetchers {
    ($builder:ident, $bound:ident, $read:expr) => {
        impl<DB: Database, O: $bound + Send + 'static> $builder<DB, O> {
            pub fn bind<T: Encode>(mut self, value: T) -> Self {
                self.st.bind(&value);
                self
            }

            pub async fn fetch_all<E: Executor<Database = DB>>(
                self,
                on: E,
            ) -> Result<Vec<O>, Error> {
                let st = self.st;
                on.run(move |conn| $read(&st, conn, usize::MAX)).await
            }

            pub async fn fetch_optional<E: Executor<Database = DB>>(
                self,
                on: E,
            ) -> Result<Option<O>, Error> {
                let st = self.st;
                on.run(move |conn| $read(&st, conn, 1))
                    .await
                    .map(|rows| rows.into_iter().next())
            }

            pub async fn fetch_one<E: Executor<Database = DB>>(self, on: E) -> Result<O, Error> {
                self.fetch_optional(on).await?.ok_or(Error::RowNotFound)
            }

            pub async fn execute<E: Executor>(self, on: E) -> Result<QueryResult, Error> {
                Query(self.st).execute(on).await
            }
        }
    };
}
fetchers!(QueryAs, FromRow, Statement::decode_on::<O>);
fetchers!(QueryScalar, Decode, |st: &Statement, conn, limit| st
    .rows_on(conn, limit, first_column::<O>));

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> rusqlite::Connection {
        rusqlite::Connection::open_in_memory().unwrap()
    }

    fn roundtrip<T: Encode + Decode>(value: &T) -> T {
        let c = conn();
        let st = {
            let mut st = Statement::new("SELECT $1");
            st.bind(value);
            st
        };
        st.rows_on(&c, 1, first_column::<T>).unwrap().remove(0)
    }

    #[test]
    fn values_are_stored_as_sqlx_stores_them_on_sqlite() {
        let c = conn();
        let when = Utc.with_ymd_and_hms(2026, 12, 7, 3, 4, 5).unwrap()
            + chrono::Duration::microseconds(120);
        let id: Id = "0190a3c4-1111-7000-8000-000000000001".parse().unwrap();
        let mut st = Statement::new("SELECT $1, $2, $3, $4, $5");
        for v in [
            &when as &dyn Encode,
            &NaiveDate::from_ymd_opt(2026, 2, 3).unwrap(),
            &id,
            &true,
            &types::Json(vec!["a", "b"]),
        ] {
            st.bind(v);
        }
        let texts = st
            .rows_on(&c, 1, |r| {
                Ok((
                    at::<String>(r, 0)?,
                    at::<String>(r, 1)?,
                    at::<String>(r, 2)?,
                    at::<i64>(r, 3)?,
                    at::<String>(r, 4)?,
                ))
            })
            .unwrap()
            .remove(0);
        assert_eq!(
            texts,
            (
                "2026-12-07T03:04:05.000120+00:00".to_owned(),
                "2026-02-03".to_owned(),
                "0190a3c4-1111-7000-8000-000000000001".to_owned(),
                1,
                r#"["a","b"]"#.to_owned()
            )
        );
        assert_eq!(roundtrip(&when), when);
        assert_eq!(roundtrip(&id), id);
        assert_eq!(roundtrip(&Some(7_i64)), Some(7));
        assert_eq!(roundtrip(&None::<String>), None);
    }

    #[test]
    fn timestamps_written_by_sqlite_itself_are_read() {
        let c = conn();
        let got = Statement::new("SELECT '2026-12-07 03:04:05', 1765076645, 2461016.5")
            .rows_on(&c, 1, |r| {
                Ok((
                    at::<DateTime<Utc>>(r, 0)?,
                    at::<DateTime<Utc>>(r, 1)?,
                    at::<DateTime<Utc>>(r, 2)?,
                ))
            })
            .unwrap()
            .remove(0);
        assert_eq!(got.0, Utc.with_ymd_and_hms(2026, 12, 7, 3, 4, 5).unwrap());
        assert_eq!(got.1, Utc.timestamp_opt(1_765_076_645, 0).unwrap());
        // Julian day 2440587.5 is the Unix epoch; 2461016.5 is 20429 days later.
        assert_eq!(got.2, DateTime::UNIX_EPOCH + chrono::Duration::days(20_429));
    }

    #[test]
    fn parameters_bind_by_number_whatever_their_order() {
        let c = conn();
        let mut st = Statement::new("SELECT $2 || '-' || $1 || '-' || $2");
        st.bind(&"one");
        st.bind(&"two");
        let got = st.rows_on(&c, 1, first_column::<String>).unwrap();
        assert_eq!(got, ["two-one-two"]);
        // As in sqlx: a parameter without a value is NULL (and the cached statement does not
        // keep the value of its last run).
        let unbound = Statement::new("SELECT $2 || '-' || $1")
            .rows_on(&c, 1, first_column::<Option<String>>)
            .unwrap();
        assert_eq!(unbound, [None]);
        let mut first = Statement::new("SELECT $1");
        first.bind(&5_i64);
        assert_eq!(first.rows_on(&c, 1, first_column::<i64>).unwrap(), [5]);
        let again = Statement::new("SELECT $1")
            .rows_on(&c, 1, first_column::<Option<i64>>)
            .unwrap();
        assert_eq!(again, [None]);
    }

    #[test]
    fn constraint_failures_keep_sqlx_kinds_and_codes() {
        let c = conn();
        c.execute_batch("CREATE TABLE t (n INTEGER PRIMARY KEY, s TEXT NOT NULL UNIQUE)")
            .unwrap();
        let insert = |n: i64, s: Option<&str>| {
            let mut st = Statement::new("INSERT INTO t (n, s) VALUES ($1, $2)");
            st.bind(&n);
            st.bind(&s);
            st.execute_on(&c)
        };
        assert_eq!(insert(1, Some("a")).unwrap(), 1);
        let Err(Error::Database(unique)) = insert(2, Some("a")) else {
            panic!("a duplicate must fail")
        };
        assert!(unique.is_unique_violation());
        assert_eq!(unique.code().as_deref(), Some("2067"));
        let Err(Error::Database(null)) = insert(3, None) else {
            panic!("a NULL must fail")
        };
        assert_eq!(null.kind(), ErrorKind::NotNullViolation);
    }

    #[derive(Debug, PartialEq, LiteRow)]
    struct Pair {
        b: i64,
        #[sqlx(rename = "first")]
        a: i64,
    }

    #[derive(Debug, LiteRow)]
    struct N {
        #[allow(dead_code, reason = "only decoded")]
        n: i64,
    }

    #[test]
    fn derived_rows_find_their_columns_by_name_in_any_order() {
        let c = conn();
        let got: Vec<Pair> = Statement::new("SELECT 1 AS first, 2 AS b UNION ALL SELECT 3, 4")
            .decode_on(&c, usize::MAX)
            .unwrap();
        assert_eq!(got, [Pair { b: 2, a: 1 }, Pair { b: 4, a: 3 }]);
        let missing = Statement::new("SELECT 1 AS m")
            .decode_on::<N>(&c, 1)
            .unwrap_err();
        assert!(
            matches!(missing, Error::ColumnNotFound(ref c) if c == "n"),
            "{missing:?}"
        );
        let bad = Statement::new("SELECT 'x' AS n")
            .decode_on::<N>(&c, 1)
            .unwrap_err();
        assert!(
            matches!(bad, Error::ColumnDecode { ref index, .. } if index == "\"n\""),
            "{bad:?}"
        );
    }
}
