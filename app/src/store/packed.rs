//! Rollup rows read as one value. Through sqlx's `Any` driver a row costs
//! about 30 µs (measured on agent matrices and a day-by-day series: each
//! row crosses a channel from SQLite's thread, and each of its ~25 values is
//! copied and converted twice), so a 1,000-row answer took 30 ms. The
//! database folds the rows into one JSON document instead
//! (`json_group_array` on SQLite, `json_agg` on Postgres), which is read as
//! one value and parsed here. Rows with quantile sketches carry them in
//! hex ([`rows_with_sketches`]): every sketch the cube and the dimension
//! rollup hold is in the compact stored form (two or three bytes a bucket;
//! migrations 0019 and 0020), and ingest's merges read a few buckets a row.

use super::{Backend, Db};
use crate::kpi::sketch::{Sketch, Sketches};
use crate::kpi::TicketTotals;
use serde::de::DeserializeOwned;
use sqlx::{AnyConnection, Row};

pub(super) type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// The counters of [`TicketTotals`], in the order [`totals`] reads them.
pub(super) const COUNTERS: &str =
    "tickets, resolved, frt_n, frt_sum_s, resolution_sum_s, sla_met, fcr, reopened, \
    escalated, repeat_contacts, csat_n, csat_satisfied, csat_sum, nps_n, nps_promoters, nps_detractors, \
    ces_n, ces_sum";

/// One packed row: its key columns, then the counters.
type PackedRow<K> = (K, [i64; 18]);

/// The rows of `inner`, a SELECT whose columns include `keys` and the
/// [`TicketTotals`] counters by name; each as its keys (deserialised as
/// `K`, a tuple in the order of `keys`) and totals, without sketches.
/// `bind` binds `inner`'s parameters.
pub(super) async fn totals_rows<K: DeserializeOwned>(
    db: &Db,
    inner: &str,
    keys: &[&str],
    bind: impl for<'q> FnOnce(AnyQuery<'q>) -> AnyQuery<'q>,
) -> Result<Vec<(K, TicketTotals)>, sqlx::Error> {
    let sql = packed_sql(db.backend, inner, &keys.join(", "), "");
    let document: Option<String> = bind(sqlx::query(&sql)).fetch_one(&db.pool).await?.try_get(0)?;
    let rows: Vec<PackedRow<K>> =
        serde_json::from_str(document.as_deref().unwrap_or("[]")).map_err(decode)?;
    Ok(rows.into_iter().map(|(key, counters)| (key, totals(counters))).collect())
}

/// As [`totals_rows`] with `frt_sketch` and `resolution_sketch` (`which`
/// of them: the others come empty), on a connection, the sketches carried in hex: for the cube's and the
/// dimension rollup's rows, and for ingest, which reads back the stored
/// rows of the days and months it touched and the cells it set aside,
/// thousands of rows with a few buckets each (the benchmark's 20k-ticket
/// file set aside 63,822 day rows: read one by one, 2.3 s). `keys` may
/// include integer columns besides the key, such as a day row's
/// `resolved_on_day`.
pub(super) async fn rows_with_sketches<K: DeserializeOwned>(
    conn: &mut AnyConnection,
    inner: &str,
    keys: &[&str],
    which: Sketches,
    bind: impl for<'q> FnOnce(AnyQuery<'q>) -> AnyQuery<'q>,
) -> Result<Vec<(K, TicketTotals)>, sqlx::Error> {
    let backend = Backend::of(conn);
    // A sketch left out comes as an empty one.
    let hex = |column: &str, wanted: bool| match backend {
        _ if !wanted => "''".to_string(),
        Backend::Sqlite => format!("hex({column})"),
        Backend::Postgres => format!("encode({column}, 'hex')"),
    };
    let row = format!("{}, {}", hex("frt_sketch", which.frt), hex("resolution_sketch", which.resolution));
    let sql = packed_sql(backend, inner, &keys.join(", "), &row);
    let document: Option<String> = bind(sqlx::query(&sql)).fetch_one(&mut *conn).await?.try_get(0)?;
    // The sketches' hex is borrowed from the document, not copied.
    let rows: Vec<(K, [i64; 18], &str, &str)> =
        serde_json::from_str(document.as_deref().unwrap_or("[]")).map_err(decode)?;
    rows.into_iter()
        .map(|(key, counters, frt, resolution)| {
            let totals = TicketTotals {
                frt_sketch: sketch(frt)?,
                resolution_sketch: sketch(resolution)?,
                ..totals(counters)
            };
            Ok((key, totals))
        })
        .collect()
}

/// The rows of `inner` as `T`s, tuples of `columns` (integers or text),
/// read as one document: for reads of many small rows without totals.
pub(super) async fn rows<T: DeserializeOwned>(
    conn: &mut AnyConnection,
    inner: &str,
    columns: &str,
    bind: impl for<'q> FnOnce(AnyQuery<'q>) -> AnyQuery<'q>,
) -> Result<Vec<T>, sqlx::Error> {
    let sql = document_sql(Backend::of(conn), inner, columns);
    let document: Option<String> = bind(sqlx::query(&sql)).fetch_one(&mut *conn).await?.try_get(0)?;
    serde_json::from_str(document.as_deref().unwrap_or("[]")).map_err(decode)
}

/// The JSON array and array-aggregate functions of a backend.
fn json_functions(backend: Backend) -> (&'static str, &'static str) {
    match backend {
        Backend::Sqlite => ("json_array", "json_group_array"),
        Backend::Postgres => ("json_build_array", "json_agg"),
    }
}

/// `inner`'s rows folded into one JSON array of arrays of `items`.
fn document_sql(backend: Backend, inner: &str, items: &str) -> String {
    let (array, aggregate) = json_functions(backend);
    format!("SELECT CAST({aggregate}({array}({items})) AS TEXT) FROM ({inner}) AS packed")
}

/// `inner`'s rows folded into one JSON array of [`PackedRow`]s, each
/// followed by `more` (a select list) when given.
fn packed_sql(backend: Backend, inner: &str, keys: &str, more: &str) -> String {
    let (array, _) = json_functions(backend);
    let more = if more.is_empty() { String::new() } else { format!(", {more}") };
    document_sql(backend, inner, &format!("{array}({keys}), {array}({COUNTERS}){more}"))
}

/// A sketch's stored bytes, read back from hex (either case).
fn sketch(hex: &str) -> Result<Sketch, sqlx::Error> {
    let malformed = || sqlx::Error::Decode("malformed sketch in a packed rollup row".into());
    let hex = hex.as_bytes();
    if !hex.len().is_multiple_of(2) {
        return Err(malformed());
    }
    let mut bytes = Vec::with_capacity(hex.len() / 2);
    for pair in hex.chunks_exact(2) {
        let (Some(high), Some(low)) = (nibble(pair[0]), nibble(pair[1])) else {
            return Err(malformed());
        };
        bytes.push((high << 4) | low);
    }
    Sketch::from_bytes(&bytes).ok_or_else(malformed)
}

/// The value of one hex digit.
fn nibble(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

fn decode(e: serde_json::Error) -> sqlx::Error {
    sqlx::Error::Decode(format!("packed rows: {e}").into())
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
    fn a_sketch_comes_back_from_its_hex() {
        let mut s = Sketch::new();
        for v in [0.0, 0.5, 2.0, 2.0, 90.0] {
            s.add(v);
        }
        let hex: String = s.to_bytes().iter().map(|b| format!("{b:02X}")).collect();
        assert_eq!(sketch(&hex).unwrap(), s);
        assert_eq!(sketch(&hex.to_lowercase()).unwrap(), s);
        assert_eq!(sketch("").unwrap(), Sketch::new());
        assert!(sketch("0G").is_err());
        assert!(sketch("ABC").is_err());
    }

    #[test]
    fn the_counters_are_read_in_order() {
        let c: [i64; 18] = std::array::from_fn(|i| i as i64 + 1);
        let t = totals(c);
        assert_eq!((t.tickets, t.resolved, t.escalated, t.repeat_contacts), (1, 2, 9, 10));
        assert_eq!((t.csat_n, t.csat_sum, t.nps_detractors, t.ces_sum), (11, 13, 16, 18));
        assert_eq!(COUNTERS.split(", ").count(), 18);
    }
}
