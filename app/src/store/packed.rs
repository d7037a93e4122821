//! Rollup rows read as one value. Through sqlx's `Any` driver a row costs
//! about 30 µs (measured on agent matrices and a day-by-day series: each
//! row crosses a channel from SQLite's thread, and each of its ~25 values is
//! copied and converted twice), so a 1,000-row answer took 30 ms. The
//! database folds the rows into one JSON document instead
//! (`json_group_array` on SQLite, `json_agg` on Postgres), which is read as
//! one value and parsed here. Rows with quantile sketches still come one by
//! one: a sketch is a blob of kilobytes, which JSON could only carry as text.

use super::{Backend, Db};
use crate::kpi::TicketTotals;
use serde::de::DeserializeOwned;
use sqlx::any::AnyRow;
use sqlx::Row;

pub(super) type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// The counters of [`TicketTotals`], in the order [`totals`] reads them.
pub(super) const COUNTERS: &str =
    "tickets, resolved, frt_n, frt_sum_s, resolution_sum_s, sla_met, fcr, reopened, \
    escalated, repeat_contacts, csat_n, csat_satisfied, csat_sum, nps_n, nps_promoters, nps_detractors, \
    ces_n, ces_sum";

/// One packed row: its key columns, then the counters.
type PackedRow<K> = (K, [i64; 18]);

/// The rows of `inner`, a SELECT whose columns include `keys`, the
/// [`TicketTotals`] counters by name and, with `sketches`, `frt_sketch` and
/// `resolution_sketch`; each as its keys (deserialised as `K`, a tuple in
/// the order of `keys`) and totals. Without `sketches` the totals' sketches
/// are empty. `bind` binds `inner`'s parameters.
pub(super) async fn totals_rows<K: DeserializeOwned>(
    db: &Db,
    inner: &str,
    keys: &[&str],
    sketches: bool,
    bind: impl for<'q> FnOnce(AnyQuery<'q>) -> AnyQuery<'q>,
) -> Result<Vec<(K, TicketTotals)>, sqlx::Error> {
    if sketches {
        // A month's sketch is kilobytes: as hex inside JSON it cost more
        // than the row itself (the overview page took 5.2 ms instead of
        // 3.2), so rows with sketches come one by one, as blobs.
        let rows = bind(sqlx::query(inner)).fetch_all(&db.pool).await?;
        return rows.iter().map(|row| Ok((keys_of(row, keys)?, super::read::totals(row)?))).collect();
    }
    let sql = packed_sql(db.backend, inner, &keys.join(", "));
    let document: Option<String> = bind(sqlx::query(&sql)).fetch_one(&db.pool).await?.try_get(0)?;
    let rows: Vec<PackedRow<K>> =
        serde_json::from_str(document.as_deref().unwrap_or("[]")).map_err(decode)?;
    Ok(rows.into_iter().map(|(key, counters)| (key, totals(counters))).collect())
}

/// `inner`'s rows folded into one JSON array of [`PackedRow`]s.
fn packed_sql(backend: Backend, inner: &str, keys: &str) -> String {
    let (array, aggregate) = match backend {
        Backend::Sqlite => ("json_array", "json_group_array"),
        Backend::Postgres => ("json_build_array", "json_agg"),
    };
    format!("SELECT CAST({aggregate}({array}({array}({keys}), {array}({COUNTERS}))) AS TEXT) FROM ({inner}) AS packed")
}

/// A row's `keys` (integers or text) as `K`.
fn keys_of<K: DeserializeOwned>(row: &AnyRow, keys: &[&str]) -> Result<K, sqlx::Error> {
    let values = keys
        .iter()
        .map(|&key| match row.try_get::<i64, _>(key) {
            Ok(n) => Ok(serde_json::Value::from(n)),
            Err(_) => row.try_get::<String, _>(key).map(serde_json::Value::from),
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    serde_json::from_value(serde_json::Value::Array(values)).map_err(decode)
}

fn decode(e: serde_json::Error) -> sqlx::Error {
    sqlx::Error::Decode(format!("rollup rows: {e}").into())
}

fn totals(c: [i64; 18]) -> TicketTotals {
    let [tickets, resolved, frt_n, frt_sum_s, resolution_sum_s, sla_met, fcr, reopened, escalated, repeat_contacts, csat_n, csat_satisfied, csat_sum, nps_n, nps_promoters, nps_detractors, ces_n, ces_sum] =
        c;
    TicketTotals {
        tickets,
        resolved,
        frt_n,
        frt_sum_s,
        resolution_sum_s,
        sla_met,
        fcr,
        reopened,
        escalated,
        repeat_contacts,
        csat_n,
        csat_satisfied,
        csat_sum,
        nps_n,
        nps_promoters,
        nps_detractors,
        ces_n,
        ces_sum,
        ..TicketTotals::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_counters_are_read_in_order() {
        let c: [i64; 18] = std::array::from_fn(|i| i as i64 + 1);
        let t = totals(c);
        assert_eq!((t.tickets, t.resolved, t.escalated, t.repeat_contacts), (1, 2, 9, 10));
        assert_eq!((t.csat_n, t.csat_sum, t.nps_detractors, t.ces_sum), (11, 13, 16, 18));
        assert_eq!(COUNTERS.split(", ").count(), 18);
    }
}
