//! Running totals of the dimension rollup (migration 0016): the sums of a
//! value's monthly rows from its first month through each month that holds
//! tickets. The sums over months `a..=b` are the row at `b` minus the row
//! before `a`, so a matrix of sums reads two rows per cell whatever the
//! range. Rows are dense over the months of the rollup: every value seen
//! by a month has a row at that month and at every later one.
//!
//! Kept by whoever changes `dim_rollup`: after a change to some months,
//! [`refresh`] rewrites the rows from the first of them onward (an import
//! of recent tickets rewrites the last month or two).

use super::packed::{self, COUNTERS};
use super::Db;
use crate::kpi::TicketTotals;
use crate::models::{Dimension, ExtraDimension};
use sqlx::{AnyConnection, Row};
use std::collections::BTreeSet;

/// Brings the rows up to date after `dim_rollup` changed in `months` (first
/// days): rewrites them from the first of those months onward.
pub async fn refresh(conn: &mut AnyConnection, months: &BTreeSet<i64>) -> Result<(), sqlx::Error> {
    match months.first() {
        Some(&first) => rebuild_from(conn, first).await,
        None => Ok(()),
    }
}

/// Rewrites the rows of `month` (a first day) and every later month from
/// `dim_rollup`, carrying on from the row each value has before `month`.
pub(super) async fn rebuild_from(conn: &mut AnyConnection, month: i64) -> Result<(), sqlx::Error> {
    let bounds = sqlx::query(
        "SELECT (SELECT MAX(month) FROM dim_cumulative WHERE month < $1) AS carried, \
         (SELECT MIN(month) FROM dim_rollup WHERE month >= $1) AS first",
    )
    .bind(month)
    .fetch_one(&mut *conn)
    .await?;
    let carried: Option<i64> = bounds.try_get("carried")?;
    let first: Option<i64> = bounds.try_get("first")?;
    sqlx::query("DELETE FROM dim_cumulative WHERE month >= $1").bind(month).execute(&mut *conn).await?;
    let Some(first) = first else { return Ok(()) };
    // Every value × every month from `first` on (the dense grid), with the
    // month's own sums plus, at `first`, the total carried from before.
    let sql = format!(
        "INSERT INTO dim_cumulative (dim, base, month, value, base_value, {COUNTERS}) \
         SELECT dim, base, month, value, base_value, {running} FROM ( \
           SELECT g.dim, g.base, g.month, g.value, g.base_value, {month_sums} FROM ( \
             SELECT k.dim, k.base, m.month, k.value, k.base_value FROM ( \
               SELECT dim, base, value, base_value FROM dim_rollup WHERE month >= $1 \
               UNION SELECT dim, base, value, base_value FROM dim_cumulative WHERE month = $2 \
             ) AS k CROSS JOIN (SELECT DISTINCT month FROM dim_rollup WHERE month >= $1) AS m \
           ) AS g \
           LEFT JOIN dim_rollup r ON r.dim = g.dim AND r.base = g.base AND r.month = g.month \
             AND r.value = g.value AND r.base_value = g.base_value \
           LEFT JOIN dim_cumulative p ON p.month = $2 AND g.month = $3 AND p.dim = g.dim \
             AND p.base = g.base AND p.value = g.value AND p.base_value = g.base_value \
         ) AS grid \
         WINDOW running AS (PARTITION BY dim, base, value, base_value ORDER BY month)",
        running = counters(|c| format!("SUM({c}) OVER running")),
        month_sums = counters(|c| format!("COALESCE(r.{c}, 0) + COALESCE(p.{c}, 0) AS {c}")),
    );
    sqlx::query(&sql).bind(month).bind(carried.unwrap_or(i64::MIN)).bind(first).execute(&mut *conn).await?;
    Ok(())
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
    let base = base.map_or("", Dimension::column);
    let bounds = sqlx::query(
        "SELECT (SELECT MAX(month) FROM dim_cumulative WHERE dim = $1 AND base = $2 AND month <= $3) AS upto, \
         (SELECT MAX(month) FROM dim_cumulative WHERE dim = $1 AND base = $2 AND month < $4) AS before",
    )
    .bind(dim.column())
    .bind(base)
    .bind(last)
    .bind(first)
    .fetch_one(&db.pool)
    .await?;
    let (upto, before): (Option<i64>, Option<i64>) = (bounds.try_get("upto")?, bounds.try_get("before")?);
    let Some(upto) = upto.filter(|&u| Some(u) != before) else { return Ok(Vec::new()) };
    // Two seeks, one per month: for `month IN ($3, $4)` Postgres scanned
    // every month of the dimension while the table had no statistics.
    let rows_at = |month: &str, sign: &str| {
        format!(
            "SELECT value, base_value, {} FROM dim_cumulative WHERE dim = $1 AND base = $2 AND month = {month} \
             AND base_value = COALESCE($5, base_value)",
            counters(|c| format!("{sign}{c} AS {c}"))
        )
    };
    let sql = format!(
        "SELECT value, base_value, {} FROM ({} UNION ALL {}) AS d GROUP BY value, base_value",
        super::read::SUMMED_TOTALS,
        rows_at("$3", ""),
        rows_at("$4", "-")
    );
    let before = before.unwrap_or(i64::MIN);
    let rows = packed::totals_rows(db, &sql, &["value", "base_value"], false, |q| {
        q.bind(dim.column()).bind(base).bind(upto).bind(before).bind(base_value.map(str::to_string))
    })
    .await?;
    Ok(rows.into_iter().map(|((value, base_value), totals)| (value, base_value, totals)).collect())
}

/// `f` of each counter column, joined into a select list.
fn counters(f: impl Fn(&str) -> String) -> String {
    COUNTERS.split(", ").map(f).collect::<Vec<_>>().join(", ")
}
