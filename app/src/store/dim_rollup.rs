//! The dimension rollup (migration 0011): per month, the ticket totals of
//! each agent, priority and product — alone and crossed with one of
//! channel, category or team. An agent × month matrix, or a quantile's,
//! reads one row per cell and month from here, never the raw tickets.
//!
//! Kept current by ingest (`store::ingest::delta`): new tickets are added
//! to their month's rows from the records; a month an update touched is
//! recomputed from the raw tickets (one streamed pass over its tickets).
//! Whoever changes it then refreshes its running totals
//! ([`super::dim_cumulative`]), from which matrices of sums are read.

use super::dim_cumulative;
use super::names::Names;
use super::packed;
use super::rollup::facts;
use super::rollup::RollupRules;
use super::sql::{batch_rows, values_placeholders, Params};
use super::Db;
use crate::kpi::period::{date_of, day_number, Grain, Period};
use crate::kpi::sketch::Sketches;
use crate::kpi::{TicketFacts, TicketTotals};
use crate::models::{Dimension, ExtraDimension, TicketRecord};
use futures_util::TryStreamExt;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, BTreeSet, HashMap};

pub use crate::models::NO_PRODUCT;

/// One row's key: the month (its first day's number), the extra dimension
/// and its value, and the crossed rollup dimension (`None`: alone) and its value.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct DimKey {
    pub month: i64,
    pub dim: ExtraDimension,
    pub value: String,
    pub base: Option<Dimension>,
    pub base_value: String,
}

fn month_start(day: i64) -> i64 {
    day_number(Period::containing(Grain::Month, date_of(day)).start)
}

/// The last day of the month whose first day is `month`.
pub(super) fn month_end(month: i64) -> i64 {
    day_number(Period::containing(Grain::Month, date_of(month)).end_exclusive()) - 1
}

/// The months (first days) of some days.
pub fn months_of(days: &BTreeSet<i64>) -> BTreeSet<i64> {
    days.iter().map(|&d| month_start(d)).collect()
}

fn base_name(base: Option<Dimension>) -> &'static str {
    base.map_or("", Dimension::column)
}

/// Dimension rows being counted, keyed by the numbers of their values.
#[derive(Default)]
pub(super) struct DimCells {
    names: Names,
    rows: HashMap<NumberedKey, TicketTotals>,
}

/// A [`DimKey`] whose values are numbers of [`DimCells::names`].
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct NumberedKey {
    month: i64,
    dim: ExtraDimension,
    value: u32,
    base: Option<Dimension>,
    base_value: u32,
}

impl DimCells {
    /// Adds a new ticket to the rows of the month it was created in.
    pub(super) fn add_record(&mut self, t: &TicketRecord, facts: &TicketFacts, rules: RollupRules) {
        let extra = ExtraDimension::ALL.map(|d| match d {
            ExtraDimension::Agent => t.agent.as_str(),
            ExtraDimension::Priority => t.priority.as_str(),
            ExtraDimension::Product => t.product.as_deref().unwrap_or(NO_PRODUCT),
        });
        let base = Dimension::ALL.map(|d| match d {
            Dimension::Channel => t.channel.as_str(),
            Dimension::Category => t.category.as_str(),
            Dimension::Team => t.team.as_str(),
        });
        let month = month_start(rules.zone.day_of(t.created_at));
        self.add(month, extra, base, facts, rules.sla_seconds);
    }

    /// Adds a stored ticket (a row of `tickets`) to the rows of `month`.
    fn add_row(
        &mut self,
        row: &AnyRow,
        month: i64,
        facts: &TicketFacts,
        sla_seconds: i64,
    ) -> Result<(), sqlx::Error> {
        let extra = ExtraDimension::ALL.map(|d| {
            row.try_get::<Option<String>, _>(d.column()).map(|v| v.unwrap_or_else(|| NO_PRODUCT.into()))
        });
        let base = Dimension::ALL.map(|d| row.try_get::<String, _>(d.column()));
        let [e0, e1, e2] = extra;
        let [b0, b1, b2] = base;
        let (extra, base) = ([e0?, e1?, e2?], [b0?, b1?, b2?]);
        self.add(
            month,
            extra.each_ref().map(String::as_str),
            base.each_ref().map(String::as_str),
            facts,
            sla_seconds,
        );
        Ok(())
    }

    /// Adds a ticket to the rows of each extra dimension's value (`extra`,
    /// in the order of [`ExtraDimension::ALL`]), alone and crossed with
    /// each rollup dimension's (`base`, in the order of [`Dimension::ALL`]).
    fn add(&mut self, month: i64, extra: [&str; 3], base: [&str; 3], facts: &TicketFacts, sla_seconds: i64) {
        let [b0, b1, b2] = Dimension::ALL;
        let bases = [
            (None, self.names.number("")),
            (Some(b0), self.names.number(base[0])),
            (Some(b1), self.names.number(base[1])),
            (Some(b2), self.names.number(base[2])),
        ];
        let one = TicketTotals::of_ticket(facts, sla_seconds);
        for (dim, value) in ExtraDimension::ALL.into_iter().zip(extra) {
            let value = self.names.number(value);
            for (base, base_value) in bases {
                let key = NumberedKey { month, dim, value, base, base_value };
                self.rows.entry(key).or_default().merge(&one);
            }
        }
    }

    /// About what the rows hold, keys, values and sketches included.
    pub(super) fn bytes(&self) -> usize {
        self.names.bytes() + self.rows.values().map(|t| size_of::<NumberedKey>() + t.bytes()).sum::<usize>()
    }

    /// The rows, keyed by their values.
    pub(super) fn into_rows(self) -> BTreeMap<DimKey, TicketTotals> {
        let names = self.names;
        self.rows
            .into_iter()
            .map(|(k, totals)| {
                let key = DimKey {
                    month: k.month,
                    dim: k.dim,
                    value: names.name(k.value).to_string(),
                    base: k.base,
                    base_value: names.name(k.base_value).to_string(),
                };
                (key, totals)
            })
            .collect()
    }
}

/// Recomputes the rows of `months` (first days) from the tickets created in them.
/// `rules` are the daily rollup's.
pub async fn refresh(
    conn: &mut AnyConnection,
    months: &BTreeSet<i64>,
    rules: RollupRules,
) -> Result<(), sqlx::Error> {
    for &month in months {
        let (from, before) = rules.zone.span(month, month_end(month));
        let mut rows = DimCells::default();
        let mut created = sqlx::query(
            "SELECT created_at, first_response_at, resolved_at, channel, category, team, agent, priority, \
             product, csat, nps, ces, first_contact_resolved, reopened, escalated, contacts FROM tickets \
             WHERE created_at >= $1 AND created_at < $2",
        )
        .bind(from)
        .bind(before)
        .fetch(&mut *conn);
        while let Some(row) = created.try_next().await? {
            let facts = facts(&row)?;
            let month = month_start(rules.zone.day_of(facts.created_at));
            rows.add_row(&row, month, &facts, rules.sla_seconds)?;
        }
        drop(created);
        sqlx::query("DELETE FROM dim_rollup WHERE month = $1").bind(month).execute(&mut *conn).await?;
        write(conn, DimTable::Rollup, &rows.into_rows()).await?;
    }
    Ok(())
}

/// Adds `delta` (rows of new tickets) to the stored rows of its months.
pub async fn add(conn: &mut AnyConnection, delta: BTreeMap<DimKey, TicketTotals>) -> Result<(), sqlx::Error> {
    let mut by_month: BTreeMap<i64, BTreeMap<DimKey, TicketTotals>> = BTreeMap::new();
    for (key, totals) in delta {
        by_month.entry(key.month).or_default().insert(key, totals);
    }
    for (month, mut rows) in by_month {
        merge_rows(&mut rows, DimTable::Rollup, month, conn).await?;
        sqlx::query("DELETE FROM dim_rollup WHERE month = $1").bind(month).execute(&mut *conn).await?;
        write(conn, DimTable::Rollup, &rows).await?;
    }
    Ok(())
}

/// Where dimension rows are written: the rollup itself, or the pending
/// table an import sets rows aside in (migration 0015).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum DimTable {
    Rollup,
    Pending,
}

impl DimTable {
    fn name(self) -> &'static str {
        match self {
            DimTable::Rollup => "dim_rollup",
            DimTable::Pending => "dim_rollup_pending",
        }
    }
}

/// Merges into `rows` the rows of `table` for `month` (its first day).
pub(super) async fn merge_rows(
    rows: &mut BTreeMap<DimKey, TicketTotals>,
    table: DimTable,
    month: i64,
    conn: &mut AnyConnection,
) -> Result<(), sqlx::Error> {
    let sql = format!("SELECT * FROM {} WHERE month = $1", table.name());
    let keys = ["dim", "value", "base", "base_value"];
    let stored: Vec<((String, String, String, String), TicketTotals)> =
        packed::rows_with_sketches(conn, &sql, &keys, Sketches::BOTH, |q| q.bind(month)).await?;
    for ((dim, value, base, base_value), totals) in stored {
        let unknown = || sqlx::Error::Decode(format!("dim_rollup: unknown dimension {dim}/{base}").into());
        let key = DimKey {
            month,
            dim: ExtraDimension::parse(&dim).ok_or_else(unknown)?,
            value,
            base: if base.is_empty() { None } else { Some(Dimension::parse(&base).ok_or_else(unknown)?) },
            base_value,
        };
        rows.entry(key).or_default().merge(&totals);
    }
    Ok(())
}

/// Empties the table and its running totals (before the whole rollup is rebuilt).
pub async fn clear(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM dim_rollup").execute(&mut *conn).await?;
    dim_cumulative::clear(conn).await
}

/// Fills the table of a database whose tickets predate it.
pub async fn build_if_missing(db: &Db) -> Result<(), sqlx::Error> {
    let built = sqlx::query("SELECT 1 AS x FROM dim_rollup LIMIT 1").fetch_optional(&db.pool).await?;
    if built.is_some() {
        return Ok(());
    }
    let row = sqlx::query("SELECT MIN(created_at) AS lo, MAX(created_at) AS hi FROM tickets")
        .fetch_one(&db.pool)
        .await?;
    let (Some(lo), Some(hi)) = (row.try_get::<Option<i64>, _>("lo")?, row.try_get::<Option<i64>, _>("hi")?)
    else {
        return Ok(());
    };
    let days: BTreeSet<i64> = (db.zone.day_of(lo)..=db.zone.day_of(hi)).collect();
    let mut tx = db.begin().await?;
    refresh(&mut tx, &months_of(&days), db.rollup_rules()).await?;
    dim_cumulative::rebuild_from(&mut tx, i64::MIN).await?;
    tx.commit().await
}

const COLUMNS: usize = 25;

pub(super) async fn write(
    conn: &mut AnyConnection,
    table: DimTable,
    rows: &BTreeMap<DimKey, TicketTotals>,
) -> Result<(), sqlx::Error> {
    let entries: Vec<_> = rows.iter().collect();
    for chunk in entries.chunks(batch_rows(COLUMNS)) {
        let sql = format!(
            "INSERT INTO {} (month, dim, value, base, base_value, tickets, resolved, frt_n, frt_sum_s, \
             resolution_sum_s, sla_met, fcr, reopened, escalated, repeat_contacts, csat_n, csat_satisfied, \
             csat_sum, nps_n, nps_promoters, nps_detractors, ces_n, ces_sum, frt_sketch, resolution_sketch) \
             VALUES {}",
            table.name(),
            values_placeholders(Params::of(conn), chunk.len(), COLUMNS)
        );
        let mut query = sqlx::query(&sql);
        for (key, t) in chunk {
            query = query
                .bind(key.month)
                .bind(key.dim.column())
                .bind(key.value.clone())
                .bind(base_name(key.base))
                .bind(key.base_value.clone())
                .bind(t.tickets)
                .bind(t.resolved)
                .bind(t.frt_n)
                .bind(t.frt_sum_s)
                .bind(t.resolution_sum_s)
                .bind(t.sla_met)
                .bind(t.fcr)
                .bind(t.reopened)
                .bind(t.escalated)
                .bind(t.repeat_contacts)
                .bind(t.csat_n)
                .bind(t.csat_satisfied)
                .bind(t.csat_sum)
                .bind(t.nps_n)
                .bind(t.nps_promoters)
                .bind(t.nps_detractors)
                .bind(t.ces_n)
                .bind(t.ces_sum)
                .bind(t.frt_sketch.to_bytes())
                .bind(t.resolution_sketch.to_bytes());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The rows of `dim` crossed with `base` (`None`: alone) for the months
/// whose first days are `first..=last`; with `base_value`, only that value
/// of `base`. Each comes back as (month, value, base value, totals). The
/// totals' sketches outside `sketches` are left empty: reading and merging
/// them is most of the cost of a long range, and only quantiles need them.
pub async fn cells(
    db: &Db,
    dim: ExtraDimension,
    (base, base_value): (Option<Dimension>, Option<&str>),
    (first, last): (i64, i64),
    sketches: Sketches,
) -> Result<Vec<(i64, String, String, TicketTotals)>, sqlx::Error> {
    let sql = "SELECT * FROM dim_rollup WHERE dim = $1 AND base = $2 AND month >= $3 AND month <= $4 \
               AND base_value = COALESCE($5, base_value)";
    let keys = ["month", "value", "base_value"];
    let base_value = base_value.map(str::to_string);
    let rows = if sketches.any() {
        let mut conn = db.pool.acquire().await?;
        packed::rows_with_sketches(&mut conn, sql, &keys, sketches, |q| {
            q.bind(dim.column()).bind(base_name(base)).bind(first).bind(last).bind(base_value)
        })
        .await?
    } else {
        packed::totals_rows(db, sql, &keys, |q| {
            q.bind(dim.column()).bind(base_name(base)).bind(first).bind(last).bind(base_value)
        })
        .await?
    };
    Ok(rows
        .into_iter()
        .map(|((month, value, base_value), totals)| (month, value, base_value, totals))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_fold_into_their_months() {
        let day = |y, m, d| day_number(chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap());
        let days: BTreeSet<i64> = [day(2025, 1, 3), day(2025, 1, 31), day(2025, 2, 1)].into_iter().collect();
        let months: Vec<i64> = months_of(&days).into_iter().collect();
        assert_eq!(months, vec![day(2025, 1, 1), day(2025, 2, 1)]);
    }

    #[test]
    fn each_ticket_counts_once_in_each_of_its_twelve_rows() {
        let rules = RollupRules { sla_seconds: 3600, zone: super::super::zone::ReportingZone::UTC };
        // Created 2023-11-14, with a first response.
        let ticket = |agent: &str, product: Option<&str>| TicketRecord {
            agent: agent.into(),
            product: product.map(str::to_string),
            ..crate::models::tests::ticket()
        };
        let mut cells = DimCells::default();
        for t in [ticket("ana", None), ticket("ana", Some("Sofa")), ticket("ben", None)] {
            cells.add_record(&t, &t.facts(), rules);
        }
        let rows = cells.into_rows();
        let month = day_number(chrono::NaiveDate::from_ymd_opt(2023, 11, 1).unwrap());
        let tickets = |dim, value: &str, base, base_value: &str| {
            let key = DimKey { month, dim, value: value.into(), base, base_value: base_value.into() };
            rows[&key].tickets
        };
        assert_eq!(tickets(ExtraDimension::Agent, "ana", None, ""), 2);
        assert_eq!(tickets(ExtraDimension::Agent, "ana", Some(Dimension::Channel), "email"), 2);
        assert_eq!(tickets(ExtraDimension::Agent, "ben", Some(Dimension::Team), "Tier 1"), 1);
        assert_eq!(tickets(ExtraDimension::Priority, "normal", Some(Dimension::Category), "delivery"), 3);
        assert_eq!(tickets(ExtraDimension::Product, NO_PRODUCT, None, ""), 2);
        assert_eq!(tickets(ExtraDimension::Product, "Sofa", Some(Dimension::Category), "delivery"), 1);
        // Two agents, one priority and two products, each alone and with three crossings.
        assert_eq!(rows.len(), 5 * 4);
        assert_eq!(rows.values().map(|t| t.frt_n).sum::<i64>(), 3 * 12);
    }
}
