//! Running totals of the dimension rollup (migrations 0016 and 0017): the
//! sums of a value's monthly rows from its first month through each month
//! that holds tickets. The sums over months `a..=b` are the row at `b` minus
//! the row before `a`, so a matrix of sums reads two rows per cell whatever
//! the range. Rows are dense over the months of the rollup from a value's
//! first month: a value seen by a month has a row at that month and at every
//! later month that holds tickets.
//!
//! Kept by whoever changes `dim_rollup`: after a change to some months,
//! [`refresh`] rewrites the rows from the first of them onward (an import
//! of recent tickets rewrites the last month or two); [`add`] adds a few
//! new tickets' rows to the rows they change.

use super::dim_rollup::{DimKey, FEW_ROWS};
use super::packed::{self, COUNTERS};
use super::read_cache;
use super::Db;
use crate::kpi::TicketTotals;
use crate::models::{Dimension, ExtraDimension};
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, BTreeSet};

/// Brings the rows up to date after `dim_rollup` changed in `months` (first
/// days): rewrites them from the first of those months onward.
pub async fn refresh(conn: &mut AnyConnection, months: &BTreeSet<i64>) -> Result<(), sqlx::Error> {
    match months.first() {
        Some(&first) => rebuild_from(conn, first).await,
        None => Ok(()),
    }
}

/// Rewrites the rows of `month` (a first day) and every later month from
/// `dim_rollup`, a month at a time: each month's rows are the previous
/// month's plus the month's own sums, and values first seen in the month.
pub(super) async fn rebuild_from(conn: &mut AnyConnection, month: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM dim_cumulative WHERE month >= $1").bind(month).execute(&mut *conn).await?;
    // What is left ends before `month`: its last month is carried on.
    let carried: Option<i64> = sqlx::query("SELECT MAX(month) AS m FROM dim_cumulative")
        .fetch_one(&mut *conn)
        .await?
        .try_get("m")?;
    let months = months_from(conn, "dim_rollup", month).await?;
    let same_key = |a: &str, b: &str| {
        format!("{b}.dim = {a}.dim AND {b}.base = {a}.base AND {b}.value = {a}.value AND {b}.base_value = {a}.base_value")
    };
    let sql = format!(
        "INSERT INTO dim_cumulative (month, dim, base, value, base_value, {COUNTERS}) \
         SELECT CAST($1 AS BIGINT), p.dim, p.base, p.value, p.base_value, {carried_plus_month} \
           FROM dim_cumulative p LEFT JOIN dim_rollup r ON r.month = $1 AND {r_is_p} WHERE p.month = $2 \
         UNION ALL \
         SELECT CAST($1 AS BIGINT), r.dim, r.base, r.value, r.base_value, {month_only} FROM dim_rollup r \
           WHERE r.month = $1 AND NOT EXISTS (SELECT 1 FROM dim_cumulative p WHERE p.month = $2 AND {r_is_p})",
        carried_plus_month = counters(|c| format!("p.{c} + COALESCE(r.{c}, 0)")),
        month_only = counters(|c| format!("r.{c}")),
        r_is_p = same_key("p", "r"),
    );
    let mut previous = carried.unwrap_or(i64::MIN);
    for month in months {
        sqlx::query(&sql).bind(month).bind(previous).execute(&mut *conn).await?;
        previous = month;
    }
    Ok(())
}

/// Adds `delta`, new tickets' rows just added to `dim_rollup`, to the rows
/// of their months and every later month, one row at a time, when it is
/// small and its months already have rows; returns whether it did (if not,
/// [`refresh`] from its first month). A ticket created three years ago
/// changes a dozen values' rows in each later month, where a rebuild from
/// its month rewrites every value's.
pub async fn add(
    conn: &mut AnyConnection,
    delta: &BTreeMap<DimKey, TicketTotals>,
) -> Result<bool, sqlx::Error> {
    let Some(first) = delta.keys().map(|key| key.month).min() else { return Ok(true) };
    if delta.len() > FEW_ROWS {
        return Ok(false);
    }
    let months = months_from(conn, "dim_cumulative", first).await?;
    // A month new to the rollup needs every value's row carried into it.
    if delta.keys().any(|key| months.binary_search(&key.month).is_err()) {
        return Ok(false);
    }
    let key = "month = $19 AND dim = $20 AND base = $21 AND value = $22 AND base_value = $23";
    let update =
        format!("UPDATE dim_cumulative SET {} WHERE {key}", numbered(|c, n| format!("{c} = {c} + ${n}")));
    let insert = format!(
        "INSERT INTO dim_cumulative ({COUNTERS}, month, dim, base, value, base_value) VALUES ({}, $19, $20, $21, $22, $23)",
        numbered(|_, n| format!("${n}"))
    );
    for (key, totals) in delta {
        let counters = packed::counters_of(totals);
        let row = |sql, month: i64| {
            counters
                .iter()
                .fold(sqlx::query(sql), |q, &c| q.bind(c))
                .bind(month)
                .bind(key.dim.column())
                .bind(key.base.map_or("", Dimension::column))
                .bind(key.value.clone())
                .bind(key.base_value.clone())
        };
        for &month in months.iter().filter(|&&m| m >= key.month) {
            // No row: the value first appears later, or never did, so its
            // sums through this month are the delta's alone (rows are dense).
            if row(&update, month).execute(&mut *conn).await?.rows_affected() == 0 {
                row(&insert, month).execute(&mut *conn).await?;
            }
        }
    }
    Ok(true)
}

/// The months from `month` on that `table` (one of two constants: no SQL
/// from input) has rows for, in order.
async fn months_from(conn: &mut AnyConnection, table: &str, month: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query(&format!("SELECT DISTINCT month FROM {table} WHERE month >= $1 ORDER BY month"))
        .bind(month)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|row| row.try_get("month"))
        .collect()
}

/// `f` of each counter column and its parameter's number (1 to 18), joined by commas.
fn numbered(f: impl Fn(&str, usize) -> String) -> String {
    COUNTERS.split(", ").enumerate().map(|(i, c)| f(c, i + 1)).collect::<Vec<_>>().join(", ")
}

/// Empties the table (before the whole rollup is rebuilt).
pub async fn clear(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM dim_cumulative").execute(&mut *conn).await.map(|_| ())
}

/// Fills the table of a database whose dimension rollup predates it.
pub async fn build_if_missing(db: &Db) -> Result<(), sqlx::Error> {
    let any = |table: &str| format!("SELECT 1 AS x FROM {table} LIMIT 1");
    let built = sqlx::query(&any("dim_cumulative")).fetch_optional(&db.pool).await?.is_some();
    if built || sqlx::query(&any("dim_rollup")).fetch_optional(&db.pool).await?.is_none() {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    // Answers kept while the table was empty are dropped.
    read_cache::bump(&mut tx, read_cache::ALL_DAYS).await?;
    rebuild_from(&mut tx, i64::MIN).await?;
    tx.commit().await
}

/// The sums of `dim` crossed with `base` (`None`: alone) over the months
/// whose first days are `first..=last`, per value and base value (with
/// `base_value`, only that one); sketches empty. Values without tickets in
/// the range come back with zero tickets.
pub async fn sums(
    db: &Db,
    dim: ExtraDimension,
    (base, base_value): (Option<Dimension>, Option<&str>),
    (first, last): (i64, i64),
) -> Result<Vec<(String, String, TicketTotals)>, sqlx::Error> {
    let base_value = base_value.map(str::to_string);
    let params = format!("{dim:?}|{base:?}|{base_value:?}");
    let days = (first, super::dim_rollup::month_end(last));
    let bytes_of = |(value, base_value, totals): &(String, String, TicketTotals)| {
        value.len() + base_value.len() + totals.bytes()
    };
    read_cache::whole_range(db, ("running totals", params), days, bytes_of, || {
        read_sums(db, dim, (base.map_or("", Dimension::column), base_value), (first, last))
    })
    .await
}

/// [`sums`] as read from the database.
async fn read_sums(
    db: &Db,
    dim: ExtraDimension,
    (base, base_value): (&'static str, Option<String>),
    (first, last): (i64, i64),
) -> Result<Vec<(String, String, TicketTotals)>, sqlx::Error> {
    // The latest month at or before each end, as one backward seek each:
    // for MAX(month) Postgres read every index entry up to the month.
    let latest = |end: &str| {
        format!("(SELECT month FROM dim_cumulative WHERE dim = $1 AND base = $2 AND month {end} ORDER BY month DESC LIMIT 1)")
    };
    let bounds = sqlx::query(&format!("SELECT {} AS upto, {} AS before", latest("<= $3"), latest("< $4")))
        .bind(dim.column())
        .bind(base)
        .bind(last)
        .bind(first)
        .fetch_one(&db.pool)
        .await?;
    let (upto, before): (Option<i64>, Option<i64>) = (bounds.try_get("upto")?, bounds.try_get("before")?);
    let Some(upto) = upto.filter(|&u| Some(u) != before) else { return Ok(Vec::new()) };
    // Each row at `upto` less its row at `before`, which it has if the value
    // was seen by then (rows are dense): integer differences, where summing
    // the rows of both months took Postgres most of this read in `numeric`.
    let sql = format!(
        "SELECT u.value, u.base_value, {} FROM dim_cumulative u LEFT JOIN dim_cumulative b \
           ON b.month = $4 AND b.dim = u.dim AND b.base = u.base AND b.value = u.value AND b.base_value = u.base_value \
         WHERE u.dim = $1 AND u.base = $2 AND u.month = $3 AND u.base_value = COALESCE($5, u.base_value)",
        counters(|c| format!("u.{c} - COALESCE(b.{c}, 0) AS {c}"))
    );
    let before = before.unwrap_or(i64::MIN);
    let rows = packed::totals_rows(db, &sql, &["value", "base_value"], |q| {
        q.bind(dim.column()).bind(base).bind(upto).bind(before).bind(base_value)
    })
    .await?;
    Ok(rows.into_iter().map(|((value, base_value), totals)| (value, base_value, totals)).collect())
}

/// `f` of each counter column, joined into a select list.
fn counters(f: impl Fn(&str) -> String) -> String {
    COUNTERS.split(", ").map(f).collect::<Vec<_>>().join(", ")
}
