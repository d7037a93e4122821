//! Rollup rows read as one value. Through sqlx's `Any` driver a row costs
//! about 30 µs (measured on agent matrices and a day-by-day series: each
//! row crosses a channel from SQLite's thread, and each of its ~25 values is
//! copied and converted twice), so a 1,000-row answer took 30 ms. The
//! database folds the rows into one JSON document instead, which is read as
//! one value and parsed here: `json_group_array` on SQLite; on Postgres the
//! same document spelled as text with `string_agg`, since its JSON
//! functions cost about 4 µs a row (1,080 dimension-rollup rows: 9.0 ms
//! with `json_agg`, 2.3 ms as text, measured in `psql`).
//!
//! Rows with quantile sketches ([`rows_with_sketches`]) carry each
//! sketch's length in the document, and a second column holds all their
//! bytes, split here: spelling them in hex inside the document doubled
//! Postgres's cost, and on SQLite encoding, parsing and decoding the hex
//! was a third of a cold 36-month median trend's work. Every sketch the
//! cube and the dimension rollup hold is in the compact stored form (two or
//! three bytes a bucket; migrations 0019 and 0020), and ingest's merges
//! read a few buckets a row.

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
    let sql = format!("SELECT {} FROM ({inner}) AS packed", packed_document(db.backend, keys, &[]));
    let document: Option<String> = bind(sqlx::query(&sql)).fetch_one(&db.pool).await?.try_get(0)?;
    let rows: Vec<PackedRow<K>> =
        serde_json::from_str(document.as_deref().unwrap_or("[]")).map_err(decode)?;
    Ok(rows.into_iter().map(|(key, counters)| (key, totals(counters))).collect())
}

/// As [`totals_rows`] with `frt_sketch` and `resolution_sketch` (`which`
/// of them: the others come empty), on a connection: for the cube's and the
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
    packed_rows_with_sketches(conn, inner, keys, which, bind).await?.decoded().collect()
}

/// As [`rows_with_sketches`], the sketches left in their stored form (two
/// or three bytes a bucket), to be decoded row by row as they are folded:
/// the months of a quarter at 10M tickets, all decoded at once, held
/// hundreds of MB.
pub(super) async fn packed_rows_with_sketches<K: DeserializeOwned>(
    conn: &mut AnyConnection,
    inner: &str,
    keys: &[&str],
    which: Sketches,
    bind: impl for<'q> FnOnce(AnyQuery<'q>) -> AnyQuery<'q>,
) -> Result<Packed<K>, sqlx::Error> {
    let backend = Backend::of(conn);
    let columns = [("frt_sketch", which.frt), ("resolution_sketch", which.resolution)];
    // A sketch left out comes as an empty one.
    let (length, absent) = match backend {
        Backend::Sqlite => ("length", "CAST('' AS BLOB)"),
        Backend::Postgres => ("octet_length", "''::bytea"),
    };
    let lengths =
        columns.map(|(column, wanted)| if wanted { format!("{length}({column})") } else { "0".into() });
    // Only the sketches wanted: `||` with an empty one copies the other.
    let wanted: Vec<&str> = columns.iter().filter(|(_, wanted)| *wanted).map(|(c, _)| *c).collect();
    let bytes = if wanted.is_empty() { absent.to_string() } else { wanted.join(" || ") };
    // SQLite has no aggregate of blobs: `group_concat` joins their bytes as
    // text, byte for byte, and the cast gives them back as a blob.
    let all_bytes = match backend {
        Backend::Sqlite => format!("CAST(group_concat({bytes}, '') AS BLOB)"),
        Backend::Postgres => format!("string_agg({bytes}, ''::bytea)"),
    };
    let sql =
        format!("SELECT {}, {all_bytes} FROM ({inner}) AS packed", packed_document(backend, keys, &lengths));
    let row = bind(sqlx::query(&sql)).fetch_one(&mut *conn).await?;
    let document: Option<String> = row.try_get(0)?;
    let bytes: Option<Vec<u8>> = row.try_get(1)?;
    let rows: Vec<(K, [i64; 18], usize, usize)> =
        serde_json::from_str(document.as_deref().unwrap_or("[]")).map_err(decode)?;
    Ok(Packed { rows, bytes: bytes.unwrap_or_default() })
}

/// Rows read by [`packed_rows_with_sketches`], their sketches still in
/// their stored form.
pub(super) struct Packed<K> {
    rows: Vec<(K, [i64; 18], usize, usize)>,
    bytes: Vec<u8>,
}

impl<K> Packed<K> {
    /// The rows with their sketches decoded, one at a time. Each row's
    /// sketches are the next `frt` and `resolution` bytes of the blob,
    /// which the lengths must fill exactly.
    pub(super) fn decoded(self) -> impl Iterator<Item = Result<(K, TicketTotals), sqlx::Error>> {
        let Packed { rows, bytes } = self;
        let total = rows
            .iter()
            .try_fold(0usize, |sum, (_, _, frt, resolution)| sum.checked_add(*frt)?.checked_add(*resolution));
        let fits = total == Some(bytes.len());
        let mut at = 0;
        let mut next = move |len: usize| {
            let this = bytes.get(at..at + len).ok_or_else(malformed)?;
            at += len;
            Sketch::from_bytes(this).ok_or_else(malformed)
        };
        let refused = (!fits).then(|| Err(malformed()));
        let rows = if fits { rows } else { Vec::new() };
        refused.into_iter().chain(rows.into_iter().map(move |(key, counters, frt, resolution)| {
            Ok((key, with_sketches(counters, next(frt)?, next(resolution)?)))
        }))
    }
}

fn with_sketches(counters: [i64; 18], frt_sketch: Sketch, resolution_sketch: Sketch) -> TicketTotals {
    TicketTotals { frt_sketch, resolution_sketch, ..totals(counters) }
}

/// The rows of `inner` as `T`s, tuples of `columns` (integers or text),
/// read as one document: for reads of many small rows without totals.
pub(super) async fn rows<T: DeserializeOwned>(
    conn: &mut AnyConnection,
    inner: &str,
    columns: &str,
    bind: impl for<'q> FnOnce(AnyQuery<'q>) -> AnyQuery<'q>,
) -> Result<Vec<T>, sqlx::Error> {
    let sql = document_sql(Backend::of(conn), inner, columns, "");
    let document: Option<String> = bind(sqlx::query(&sql)).fetch_one(&mut *conn).await?.try_get(0)?;
    parse(document.as_deref().unwrap_or_default())
}

/// The document [`rows`] parses, left as text, to be parsed ([`parse`]) on
/// another thread while the database reads on; with how many rows it
/// holds, and the least and the greatest of their values of the text
/// column `key` as the database orders text (its collation), read in the
/// same statement. A page of the repurchase rebuild parsed where it was
/// read kept the database waiting (10M tickets: that rebuild took 7.2 s
/// so, 5.6–6.3 s parsed on the counting thread).
pub(super) async fn document(
    conn: &mut AnyConnection,
    inner: &str,
    columns: &str,
    key: &str,
    bind: impl for<'q> FnOnce(AnyQuery<'q>) -> AnyQuery<'q>,
) -> Result<Document, sqlx::Error> {
    let more = format!(", COUNT(*), MIN({key}), MAX({key})");
    let sql = document_sql(Backend::of(conn), inner, columns, &more);
    let row = bind(sqlx::query(&sql)).fetch_one(&mut *conn).await?;
    let text: Option<String> = row.try_get(0)?;
    let span = match (row.try_get(2)?, row.try_get(3)?) {
        (Some(least), Some(largest)) => Some((least, largest)),
        _ => None,
    };
    Ok(Document { text: text.unwrap_or_default(), rows: row.try_get(1)?, span })
}

/// Rows spelled as one document by [`document`].
pub(super) struct Document {
    pub text: String,
    pub rows: i64,
    /// The least and the greatest key; None without rows.
    pub span: Option<(String, String)>,
}

/// The rows of a [`Document`] as `T`s.
pub(super) fn parse<T: DeserializeOwned>(text: &str) -> Result<Vec<T>, sqlx::Error> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    serde_json::from_str(text).map_err(decode)
}

/// `inner`'s rows folded into one JSON array of arrays of `items`, then
/// `more` (empty, or further aggregates, each after a comma).
fn document_sql(backend: Backend, inner: &str, items: &str, more: &str) -> String {
    let (array, aggregate) = match backend {
        Backend::Sqlite => ("json_array", "json_group_array"),
        Backend::Postgres => ("json_build_array", "json_agg"),
    };
    format!("SELECT CAST({aggregate}({array}({items})) AS TEXT){more} FROM ({inner}) AS packed")
}

/// The aggregate that folds `inner`'s rows (as `packed`) into one JSON
/// array of [`PackedRow`]s, each followed by `more`: a select list of
/// values already spelled as JSON (numbers).
fn packed_document(backend: Backend, keys: &[&str], more: &[String]) -> String {
    match backend {
        Backend::Sqlite => {
            let more: String = more.iter().map(|m| format!(", {m}")).collect();
            format!(
                "CAST(json_group_array(json_array(json_array({}), json_array({COUNTERS}){more})) AS TEXT)",
                keys.join(", ")
            )
        }
        Backend::Postgres => {
            // Counters are never NULL (the document's reader refuses a
            // short row); a key may be, so keys go through `to_json`.
            let keys = keys
                .iter()
                .map(|k| format!("COALESCE(to_json({k})::text, 'null')"))
                .collect::<Vec<_>>()
                .join(", ',', ");
            let more: String = more.iter().map(|m| format!(", ',', {m}")).collect();
            format!(
                "'[' || string_agg(concat('[[', {keys}, '],[', concat_ws(',', {COUNTERS}), ']'{more}, ']'), ',') || ']'"
            )
        }
    }
}

fn malformed() -> sqlx::Error {
    sqlx::Error::Decode("malformed sketch in a packed rollup row".into())
}

fn decode(e: serde_json::Error) -> sqlx::Error {
    sqlx::Error::Decode(format!("packed rows: {e}").into())
}

/// The counters of `t`, in the order of [`COUNTERS`]: [`totals`] reversed.
pub(super) fn counters_of(t: &TicketTotals) -> [i64; 18] {
    [
        t.tickets,
        t.resolved,
        t.frt_n,
        t.frt_sum_s,
        t.resolution_sum_s,
        t.sla_met,
        t.fcr,
        t.reopened,
        t.escalated,
        t.repeat_contacts,
        t.csat_n,
        t.csat_satisfied,
        t.csat_sum,
        t.nps_n,
        t.nps_promoters,
        t.nps_detractors,
        t.ces_n,
        t.ces_sum,
    ]
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
    fn counters_come_back_as_the_totals_they_were_taken_from() {
        let c: [i64; 18] = std::array::from_fn(|i| 10 + i as i64);
        assert_eq!(counters_of(&totals(c)), c);
    }

    #[test]
    fn sketches_are_split_from_their_bytes_by_length() {
        let sketch_of = |values: &[f64]| {
            let mut s = Sketch::new();
            values.iter().for_each(|&v| s.add(v));
            s
        };
        let (a, b, c) = (sketch_of(&[1.0, 5.0]), sketch_of(&[300.0]), sketch_of(&[0.5, 0.5, 7200.0]));
        let (a_bytes, b_bytes, c_bytes) = (a.to_bytes(), b.to_bytes(), c.to_bytes());
        let bytes = [a_bytes.clone(), b_bytes.clone(), c_bytes.clone()].concat();
        let counters = [0; 18];
        let rows = vec![("x", counters, a_bytes.len(), 0), ("y", counters, b_bytes.len(), c_bytes.len())];
        let split_sketches = |rows, bytes: &[u8]| {
            Packed { rows, bytes: bytes.to_vec() }.decoded().collect::<Result<Vec<_>, _>>()
        };
        let split = split_sketches(rows.clone(), &bytes).unwrap();
        assert_eq!(split[0].1.frt_sketch, a);
        assert_eq!(split[0].1.resolution_sketch, Sketch::new());
        assert_eq!((split[1].1.frt_sketch.clone(), split[1].1.resolution_sketch.clone()), (b, c));
        // Bytes left over or missing mean the lengths and bytes disagree.
        assert!(split_sketches(rows.clone(), &[bytes.as_slice(), &[0]].concat()).is_err());
        assert!(split_sketches(rows, &bytes[..bytes.len() - 1]).is_err());
        assert!(split_sketches(Vec::new(), &[0]).is_err(), "bytes without a row");
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
