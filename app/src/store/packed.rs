//! Rollup rows read as one value. Through sqlx's `Any` driver a row costs
//! about 30 µs (measured on agent matrices and a day-by-day series: each
//! row crosses a channel from SQLite's thread, and each of its ~25 values is
//! copied and converted twice), so a 1,000-row answer took 30 ms. The
//! database folds the rows into one JSON document instead
//! (`json_group_array` on SQLite, `json_agg` on Postgres), which is read as
//! one value and parsed here.

use super::{Backend, Db};
use crate::kpi::sketch::Sketch;
use crate::kpi::TicketTotals;
use serde::de::DeserializeOwned;
use sqlx::Row;

pub(super) type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// The counters of [`TicketTotals`], in the order [`totals`] reads them.
pub(super) const COUNTERS: &str =
    "tickets, resolved, frt_n, frt_sum_s, resolution_sum_s, sla_met, fcr, reopened, \
    escalated, repeat_contacts, csat_n, csat_satisfied, csat_sum, nps_n, nps_promoters, nps_detractors, \
    ces_n, ces_sum";

/// One packed row: its key columns, the counters, the two sketches in hex.
type PackedRow<K> = (K, [i64; 18], Option<String>, Option<String>);

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
    let sql = packed_sql(db.backend, inner, &keys.join(", "), sketches);
    let document: Option<String> = bind(sqlx::query(&sql)).fetch_one(&db.pool).await?.try_get(0)?;
    let rows: Vec<PackedRow<K>> = serde_json::from_str(document.as_deref().unwrap_or("[]"))
        .map_err(|e| sqlx::Error::Decode(format!("packed rollup rows: {e}").into()))?;
    rows.into_iter()
        .map(|(key, counters, frt, resolution)| Ok((key, totals(counters, frt, resolution)?)))
        .collect()
}

/// `inner`'s rows folded into one JSON array of [`PackedRow`]s.
fn packed_sql(backend: Backend, inner: &str, keys: &str, sketches: bool) -> String {
    let (array, aggregate) = match backend {
        Backend::Sqlite => ("json_array", "json_group_array"),
        Backend::Postgres => ("json_build_array", "json_agg"),
    };
    let hex = |column: &str| match (sketches, backend) {
        (false, _) => "NULL".to_string(),
        (true, Backend::Sqlite) => format!("hex({column})"),
        (true, Backend::Postgres) => format!("encode({column}, 'hex')"),
    };
    format!(
        "SELECT CAST({aggregate}({array}({array}({keys}), {array}({COUNTERS}), {}, {})) AS TEXT) \
         FROM ({inner}) AS packed",
        hex("frt_sketch"),
        hex("resolution_sketch")
    )
}

fn totals(
    c: [i64; 18],
    frt: Option<String>,
    resolution: Option<String>,
) -> Result<TicketTotals, sqlx::Error> {
    let [tickets, resolved, frt_n, frt_sum_s, resolution_sum_s, sla_met, fcr, reopened, escalated, repeat_contacts, csat_n, csat_satisfied, csat_sum, nps_n, nps_promoters, nps_detractors, ces_n, ces_sum] =
        c;
    Ok(TicketTotals {
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
        frt_sketch: sketch(frt.as_deref())?,
        resolution_sketch: sketch(resolution.as_deref())?,
    })
}

/// A sketch stored as bytes and read back in hex; none (a read without
/// sketches) or empty is an empty sketch.
fn sketch(hex: Option<&str>) -> Result<Sketch, sqlx::Error> {
    let malformed = || sqlx::Error::Decode("malformed sketch in a packed rollup row".into());
    let hex = hex.unwrap_or_default().as_bytes();
    if !hex.len().is_multiple_of(2) {
        return Err(malformed());
    }
    let digit = |d: u8| (d as char).to_digit(16).map(|d| d as u8);
    let bytes = hex
        .chunks_exact(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(malformed)?;
    Sketch::from_bytes(&bytes).ok_or_else(malformed)
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
        assert_eq!(sketch(Some(&hex)).unwrap(), s);
        assert_eq!(sketch(Some(&hex.to_lowercase())).unwrap(), s);
        assert_eq!(sketch(None).unwrap(), Sketch::new());
        assert_eq!(sketch(Some("")).unwrap(), Sketch::new());
        assert!(sketch(Some("0G")).is_err());
        assert!(sketch(Some("ABC")).is_err());
    }

    #[test]
    fn the_counters_are_read_in_order() {
        let c: [i64; 18] = std::array::from_fn(|i| i as i64 + 1);
        let t = totals(c, None, None).unwrap();
        assert_eq!((t.tickets, t.resolved, t.escalated, t.repeat_contacts), (1, 2, 9, 10));
        assert_eq!((t.csat_n, t.csat_sum, t.nps_detractors, t.ces_sum), (11, 13, 16, 18));
        assert_eq!(COUNTERS.split(", ").count(), 18);
    }
}
