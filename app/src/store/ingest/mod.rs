//! Ingest: validate every record, then upsert by external id in one
//! transaction and rebuild the rollup days the change touched. A bad record
//! refuses the whole batch, naming the record and field; loading the same
//! records again changes nothing.

mod deferred_indexes;
mod delta;
mod existing;
mod reference;

pub use reference::{benchmarks, financials, targets};

use super::customer_months;
use super::sql::{batch_rows, insert_rows, values_placeholders, Params};
use super::support_months::{self, SupportDelta};
use super::zone::ReportingZone;
use super::{Backend, Db};
use crate::id_set::IdRows;
use crate::models::{FieldError, OrderRecord, TicketRecord};
use deferred_indexes::DeferredIndexes;
use delta::RollupDelta;
use existing::{change, Change};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use sqlx::{AnyPool, Row};
use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};

/// What an ingest did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngestReport {
    pub inserted: i64,
    pub updated: i64,
    /// Records already stored exactly so (not rewritten): re-sending the
    /// same records reports every one here.
    #[serde(default)]
    pub unchanged: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// Record numbers count from 1, as a person reads a file.
    #[error("record {record} ({external_id}): {error}")]
    Invalid { record: usize, external_id: String, error: FieldError },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

pub(super) fn check_all<T>(
    records: &[T],
    id: impl Fn(&T) -> String,
    check: impl Fn(&T) -> Result<(), FieldError>,
) -> Result<(), IngestError> {
    for (i, r) in records.iter().enumerate() {
        check(r).map_err(|error| IngestError::Invalid { record: i + 1, external_id: id(r), error })?;
    }
    Ok(())
}

/// Keeps the last record of each external id, so a batch never touches a
/// row twice. A batch without repeats (the usual case) is not copied.
pub(super) fn last_of_each<T: Clone>(records: &[T], id: impl Fn(&T) -> &str) -> Cow<'_, [T]> {
    let mut seen = HashSet::with_capacity(records.len());
    let keep: Vec<bool> = records.iter().rev().map(|r| seen.insert(id(r))).collect();
    if keep.iter().all(|&k| k) {
        return Cow::Borrowed(records);
    }
    let kept = records.iter().rev().zip(keep).filter(|(_, k)| *k);
    let mut out: Vec<T> = kept.map(|(r, _)| r.clone()).collect();
    out.reverse();
    Cow::Owned(out)
}

/// As [`last_of_each`], with `repeats` (whether each record's id came in an
/// earlier batch or earlier in this one) turned into whether each kept
/// record's id came in an earlier batch: the flag of its id's first record here.
fn last_of_each_noted<'a, T: Clone>(
    records: &'a [T],
    repeats: &'a [bool],
    id: impl Fn(&T) -> &str,
) -> (Cow<'a, [T]>, Cow<'a, [bool]>) {
    // The second record of an id is a repeat: without one, every id is new here.
    if !repeats.contains(&true) {
        return (Cow::Borrowed(records), Cow::Borrowed(repeats));
    }
    let kept = last_of_each(records, &id);
    if let Cow::Borrowed(_) = kept {
        return (kept, Cow::Borrowed(repeats));
    }
    let mut came_before: HashMap<&str, bool> = HashMap::with_capacity(records.len());
    for (record, &repeat) in records.iter().zip(repeats) {
        came_before.entry(id(record)).or_insert(repeat);
    }
    let flags = kept.iter().map(|record| came_before[id(record)]).collect();
    (kept, Cow::Owned(flags))
}

/// Which of `records` a writer wrote before, marking them written in its
/// table `ids`: for a writer used without an import.
fn mark_written<T>(ids: &mut IdRows, records: &[T], id: impl Fn(&T) -> &str) -> Vec<bool> {
    records.iter().map(|r| ids.mark_written(id(r))).collect()
}

pub(super) fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

const TICKET_COLUMNS: usize = 20;

/// Tickets a writer takes at a time (their ids marked, stored versions
/// read, rows written): several insert statements, so that
/// [`write_tickets`] binds one while the database executes another.
const STEP_ROWS: usize = 2_000;

/// Upserts tickets and brings the rollup up to date.
pub async fn tickets(db: &Db, records: &[TicketRecord]) -> Result<IngestReport, IngestError> {
    let now = now();
    check_all(records, |t| t.external_id.clone(), |t| t.validate(now))?;
    let mut writer = TicketWriter::begin(db).await?;
    writer.write(records).await?;
    Ok(writer.commit().await?)
}

/// Valid tickets written in chunks inside one transaction, so a file of any
/// size is imported whole or not at all; what they change in the rollups
/// is collected as they are written and stored at commit.
pub struct TicketWriter {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    rollups: RollupDelta,
    report: IngestReport,
    /// Ids written through [`Self::write`]: a later record of the same id
    /// (an update within one file) is not counted a second time. An import
    /// notes the ids itself and says which records repeat one
    /// ([`Self::write_noted`]); this table then stays empty.
    ids: IdRows,
    /// The table held no ticket when the writer began (a first import):
    /// then only ids this writer has written can be stored already.
    began_empty: bool,
    support: SupportDelta,
    /// On Postgres, the pool to refresh the rollups' statistics with after a large commit.
    analyze: Option<AnyPool>,
    /// Indexes of the tickets dropped for this writer, built again at commit.
    indexes: DeferredIndexes,
    /// For a write into stored tickets on SQLite, the tickets it changes
    /// before it sees whether to drop their other indexes
    /// ([`TicketWriter::defer_indexes_if_large`]); `None` once they are dropped.
    defer_after: Option<i64>,
    /// The tickets stored before this writer, counted once it reaches `defer_after`.
    stored: Option<i64>,
}

/// Tickets a write into stored tickets changes before it counts them.
const DEFER_INDEXES_FLOOR: i64 = 50_000;

/// Tickets a writer must change before Postgres is asked to refresh the
/// statistics of the tables dashboards read, once committed. Without them
/// (a first import) its planner chose a plan that took 565 ms for an FRT
/// median matrix over 2023-02-15 to 2025-11-20 at 22,015 tickets, 22.5 ms
/// after `ANALYZE`; autovacuum does the same, but up to a minute later.
const ANALYZE_AFTER_CHANGES: i64 = 1_000;

/// Whether the daily rollup or the cube holds a row.
const ROLLED_UP: &str = "SELECT 1 AS x FROM daily_rollup UNION ALL SELECT 1 AS x FROM rollup_cube LIMIT 1";

/// The tables a ticket import writes and dashboards read.
const ANALYZE_ROLLUPS: &str = "ANALYZE daily_rollup, rollup_cube, rollup_cube_sketches, dim_rollup, \
                               dim_rollup_coarse, dim_cumulative, support_months, customer_months";

impl TicketWriter {
    pub async fn begin(db: &Db) -> Result<TicketWriter, sqlx::Error> {
        let mut tx = db.begin_writing().await?;
        serialise_writers(&mut tx, db).await?;
        let any = sqlx::query("SELECT 1 AS x FROM tickets LIMIT 1").fetch_optional(&mut *tx).await?;
        let indexes = DeferredIndexes::for_writer(&mut tx, db.backend, "tickets", any.is_none()).await?;
        let rolled_up = sqlx::query(ROLLED_UP).fetch_optional(&mut *tx).await?;
        let mut rollups = RollupDelta::new(db.rollup_rules(), rolled_up.is_none());
        // Every customer is this writer's, and none has an order: their
        // months are counted from the rollups' month files.
        if any.is_none()
            && sqlx::query("SELECT 1 AS x FROM orders LIMIT 1").fetch_optional(&mut *tx).await?.is_none()
        {
            rollups.count_customers();
        }
        Ok(TicketWriter {
            tx,
            rollups,
            report: IngestReport::default(),
            ids: IdRows::default(),
            began_empty: any.is_none(),
            support: SupportDelta::new(db.zone, any.is_none()),
            analyze: (db.backend == Backend::Postgres).then(|| db.pool.clone()),
            indexes,
            defer_after: (db.backend == Backend::Sqlite && any.is_some()).then_some(DEFER_INDEXES_FLOOR),
            stored: None,
        })
    }

    /// Sets the tickets changed after which a write into stored tickets
    /// sees whether to drop their other indexes; tests use 1.
    pub fn defer_indexes_after(&mut self, changed: i64) {
        if self.defer_after.is_some() {
            self.defer_after = Some(changed);
        }
    }

    /// Once a write into stored tickets has changed an eighth as many as
    /// the table held, drops their indexes but the ids' (SQLite), to build
    /// them at commit (see `deferred_indexes`). The customers' months are
    /// then rebuilt at commit: a customer is no longer looked up by index.
    async fn defer_indexes_if_large(&mut self) -> Result<(), sqlx::Error> {
        let Some(floor) = self.defer_after else { return Ok(()) };
        let changed = self.report.inserted + self.report.updated;
        if changed < floor {
            return Ok(());
        }
        let stored = match self.stored {
            Some(stored) => stored,
            None => {
                let row = sqlx::query("SELECT COUNT(*) AS n FROM tickets").fetch_one(&mut *self.tx).await?;
                *self.stored.insert(row.try_get::<i64, _>("n")? - self.report.inserted)
            }
        };
        if changed * 8 >= stored {
            self.support.rebuild_at_commit();
            self.indexes = DeferredIndexes::drop_all_but(&mut self.tx, "tickets", UNIQUE_IDS).await?;
            self.defer_after = None;
        }
        Ok(())
    }

    /// Sets the memory the collected rollup cells may take before they are
    /// set aside until commit (48 MB by default); tests use a tiny bound to
    /// take that path on a few tickets.
    pub fn set_aside_rollups_after(&mut self, bytes: usize) {
        self.rollups.set_aside_after(bytes);
    }

    /// Upserts records that have passed `TicketRecord::validate`; records
    /// equal to their stored version are counted and left alone.
    pub async fn write(&mut self, records: &[TicketRecord]) -> Result<(), sqlx::Error> {
        let records = last_of_each(records, |t| &t.external_id);
        let written_before = mark_written(&mut self.ids, &records, |t| &t.external_id);
        self.write_new(&records, &written_before).await
    }

    /// As [`Self::write`], for an import, which notes every id it reads:
    /// `repeats[i]` says that a record written before, or earlier in
    /// `records`, had the id of `records[i]`.
    pub async fn write_noted(
        &mut self,
        records: &[TicketRecord],
        repeats: &[bool],
    ) -> Result<(), sqlx::Error> {
        let (records, written_before) = last_of_each_noted(records, repeats, |t| &t.external_id);
        self.write_new(&records, &written_before).await
    }

    /// Writes `records`, one per id, of which `written_before` tell those
    /// whose id this writer has written before.
    async fn write_new(
        &mut self,
        records: &[TicketRecord],
        written_before: &[bool],
    ) -> Result<(), sqlx::Error> {
        for (chunk, written_before) in records.chunks(STEP_ROWS).zip(written_before.chunks(STEP_ROWS)) {
            if written_before.contains(&true) {
                // A repeated id: its stored row is looked up and upserted through the index.
                self.indexes.build_now(&mut self.tx, UNIQUE_IDS).await?;
            }
            // Until then each id is new to a table that began empty: a plain insert.
            let upsert = !self.indexes.defers(UNIQUE_IDS);
            let lookup = may_be_stored(chunk, self.began_empty, written_before);
            let stored = existing::tickets(&mut self.tx, &lookup).await?;
            let mut changed = Vec::with_capacity(chunk.len());
            for (t, &before) in chunk.iter().zip(written_before) {
                let how = change(stored.get(&t.external_id), t);
                count(&mut self.report, before, how);
                if how != Change::Unchanged {
                    changed.push(t);
                }
            }
            if !changed.is_empty() {
                let customers =
                    changed.iter().copied().chain(changed.iter().filter_map(|t| stored.get(&t.external_id)));
                self.support.touch(&mut self.tx, customers.filter_map(|t| t.customer_id.as_ref())).await?;
                // The rollup cells are counted while the database writes the
                // rows: its driver works on a thread of its own (SQLite) or
                // on the server (Postgres), so two cores are busy, not one.
                let rollups = &mut self.rollups;
                let count_cells = async {
                    for &t in &changed {
                        match stored.get(&t.external_id) {
                            Some(old) => rollups.updated(old, t),
                            None => rollups.inserted(t),
                        }
                    }
                };
                let (written, ()) =
                    futures_util::join!(write_tickets(&mut self.tx, &changed, upsert), count_cells);
                written?;
            }
            self.rollups.set_aside_if_large(&mut self.tx).await?;
            self.defer_indexes_if_large().await?;
        }
        Ok(())
    }

    pub async fn commit(mut self) -> Result<IngestReport, sqlx::Error> {
        // Before the rollups: their refresh reads tickets by customer and day.
        std::mem::take(&mut self.indexes).build(&mut self.tx).await?;
        match self.rollups.apply(&mut self.tx).await? {
            Some(customers) => support_months::replace_all(&mut self.tx, customers).await?,
            None => self.support.apply(&mut self.tx).await?,
        }
        self.tx.commit().await?;
        let changed = self.report.inserted + self.report.updated;
        if let Some(pool) = self.analyze.filter(|_| changed >= ANALYZE_AFTER_CHANGES) {
            // The tickets are in: a failure here costs speed, not data.
            if let Err(e) = refresh_statistics(&pool, changed).await {
                tracing::warn!("statistics of the rollups not refreshed after an import: {e}");
            }
        }
        Ok(self.report)
    }
}

/// Asks Postgres to refresh the rollups' statistics if a write that changed
/// `changed` tickets calls for it ([`calls_for_statistics`]).
async fn refresh_statistics(pool: &AnyPool, changed: i64) -> Result<(), sqlx::Error> {
    // Postgres's count of the tickets at its last look; negative before the first.
    let counted: f64 = sqlx::query(
        "SELECT CAST(reltuples AS DOUBLE PRECISION) FROM pg_class WHERE oid = 'tickets'::regclass",
    )
    .fetch_one(pool)
    .await?
    .try_get(0)?;
    if calls_for_statistics(changed, counted) {
        sqlx::query(ANALYZE_ROLLUPS).execute(pool).await?;
    }
    Ok(())
}

/// Autovacuum's own rule, applied at once: new statistics after changes to
/// a tenth of the tickets Postgres last counted, or to a table it never
/// counted (a first import); never for fewer than [`ANALYZE_AFTER_CHANGES`].
/// `ANALYZE` takes about 2 s at 1.1M tickets, so a REST client posting
/// batches of a thousand does not pay it on every batch.
fn calls_for_statistics(changed: i64, counted: f64) -> bool {
    changed >= ANALYZE_AFTER_CHANGES && (counted <= 0.0 || changed as f64 >= 0.1 * counted)
}

/// The records of `chunk` that can be stored already: all of them, or when
/// the table was empty as the writer began, those it has written before.
fn may_be_stored<'a, T: Clone>(chunk: &'a [T], began_empty: bool, written_before: &[bool]) -> Cow<'a, [T]> {
    if began_empty {
        Cow::Owned(
            chunk.iter().zip(written_before).filter(|(_, &before)| before).map(|(r, _)| r.clone()).collect(),
        )
    } else {
        Cow::Borrowed(chunk)
    }
}

/// Makes concurrent ticket and order writers take turns. Each adds to
/// stored rollup rows read inside its transaction, so two at once could
/// each write back a total without the other's part. SQLite has one writer
/// per file anyway; on Postgres (several servers, or an API write during an
/// import) a transaction-scoped advisory lock gives the turn.
async fn serialise_writers(tx: &mut AnyConnection, db: &Db) -> Result<(), sqlx::Error> {
    if db.backend == Backend::Postgres {
        // The function returns void, which the Any driver cannot decode: select a constant.
        const TURN: &str = "SELECT 1 AS x FROM (SELECT pg_advisory_xact_lock(1104)) AS turn";
        sqlx::query(TURN).execute(&mut *tx).await?;
    }
    Ok(())
}

/// Counts a record once per id and writer, by how it compares with the stored one.
fn count(report: &mut IngestReport, written_before: bool, how: Change) {
    if written_before {
        return;
    }
    match how {
        Change::Inserted => report.inserted += 1,
        Change::Updated => report.updated += 1,
        Change::Unchanged => report.unchanged += 1,
    }
}

/// The clause that turns a ticket insert into an upsert by external id.
const TICKET_UPSERT: &str = " ON CONFLICT (external_id) DO UPDATE SET created_at = excluded.created_at, \
    first_response_at = excluded.first_response_at, resolved_at = excluded.resolved_at, \
    channel = excluded.channel, category = excluded.category, priority = excluded.priority, \
    team = excluded.team, agent = excluded.agent, status = excluded.status, csat = excluded.csat, \
    nps = excluded.nps, ces = excluded.ces, contacts = excluded.contacts, \
    first_contact_resolved = excluded.first_contact_resolved, reopened = excluded.reopened, \
    escalated = excluded.escalated, customer_id = excluded.customer_id, order_id = excluded.order_id, \
    product = excluded.product";

/// The unique index of the tickets' external ids (SQLite, migration 0026).
const UNIQUE_IDS: &str = "tickets_external_id";

/// Inserts the tickets of `chunk`, or with `upsert` updates those whose
/// external id is stored already (that needs the index of the ids).
async fn write_tickets(
    conn: &mut AnyConnection,
    chunk: &[&TicketRecord],
    upsert: bool,
) -> Result<(), sqlx::Error> {
    let statement = |values: &str| {
        format!(
            "INSERT INTO tickets (external_id, created_at, first_response_at, resolved_at, channel, category, \
             priority, team, agent, status, csat, nps, ces, contacts, first_contact_resolved, reopened, \
             escalated, customer_id, order_id, product) VALUES {values}{}",
            if upsert { TICKET_UPSERT } else { "" }
        )
    };
    insert_rows(conn, chunk, TICKET_COLUMNS, statement, |v, t| {
        v.add(t.external_id.as_str())
            .add(t.created_at)
            .add(t.first_response_at)
            .add(t.resolved_at)
            .add(t.channel.as_str())
            .add(t.category.as_str())
            .add(t.priority.as_str())
            .add(t.team.as_str())
            .add(t.agent.as_str())
            .add(t.status.as_str())
            .add(t.csat)
            .add(t.nps)
            .add(t.ces)
            .add(t.contacts)
            .add(i64::from(t.first_contact_resolved))
            .add(i64::from(t.reopened))
            .add(i64::from(t.escalated))
            .add(t.customer_id.as_deref())
            .add(t.order_id.as_deref())
            .add(t.product.as_deref());
    })
    .await
}

const ORDER_COLUMNS: usize = 5;

/// Upserts orders by external id.
pub async fn orders(db: &Db, records: &[OrderRecord]) -> Result<IngestReport, IngestError> {
    let now = now();
    check_all(records, |o| o.external_id.clone(), |o| o.validate(now))?;
    let mut writer = OrderWriter::begin(db).await?;
    writer.write(records).await?;
    Ok(writer.commit().await?)
}

/// Valid orders written in chunks inside one transaction; the customer ×
/// month table is refreshed for every customer touched at commit.
pub struct OrderWriter {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    customers: BTreeSet<String>,
    report: IngestReport,
    /// As [`TicketWriter`]'s.
    ids: IdRows,
    /// As [`TicketWriter`]'s: the table held no order when the writer began.
    began_empty: bool,
    zone: ReportingZone,
    /// None while no ticket names a customer: orders alone change no
    /// post-support repurchase.
    support: Option<SupportDelta>,
    /// As [`TicketWriter`]'s: the orders' indexes, built again at commit.
    indexes: DeferredIndexes,
}

impl OrderWriter {
    pub async fn begin(db: &Db) -> Result<OrderWriter, sqlx::Error> {
        let mut tx = db.begin_writing().await?;
        serialise_writers(&mut tx, db).await?;
        let any = sqlx::query("SELECT 1 AS x FROM orders LIMIT 1").fetch_optional(&mut *tx).await?;
        let support = sqlx::query("SELECT 1 AS x FROM tickets WHERE customer_id IS NOT NULL LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?
            .map(|_| match any {
                None => SupportDelta::new(db.zone, false).with_no_orders_stored(),
                Some(_) => SupportDelta::new(db.zone, false),
            });
        // 2M orders into an empty table beside 10M tickets: 89-97 s with the
        // indexes kept up row by row, 51-63 s with them built at commit.
        let indexes = DeferredIndexes::for_writer(&mut tx, db.backend, "orders", any.is_none()).await?;
        Ok(OrderWriter {
            tx,
            customers: BTreeSet::new(),
            report: IngestReport::default(),
            ids: IdRows::default(),
            began_empty: any.is_none(),
            zone: db.zone,
            support,
            indexes,
        })
    }

    /// Upserts records that have passed `OrderRecord::validate`; records
    /// equal to their stored version are counted and left alone.
    pub async fn write(&mut self, records: &[OrderRecord]) -> Result<(), sqlx::Error> {
        let records = last_of_each(records, |o| &o.external_id);
        let written_before = mark_written(&mut self.ids, &records, |o| &o.external_id);
        self.write_new(&records, &written_before).await
    }

    /// As [`TicketWriter::write_noted`].
    pub async fn write_noted(
        &mut self,
        records: &[OrderRecord],
        repeats: &[bool],
    ) -> Result<(), sqlx::Error> {
        let (records, written_before) = last_of_each_noted(records, repeats, |o| &o.external_id);
        self.write_new(&records, &written_before).await
    }

    /// As [`TicketWriter`]'s.
    async fn write_new(
        &mut self,
        records: &[OrderRecord],
        written_before: &[bool],
    ) -> Result<(), sqlx::Error> {
        let rows = batch_rows(ORDER_COLUMNS);
        for (chunk, written_before) in records.chunks(rows).zip(written_before.chunks(rows)) {
            let lookup = may_be_stored(chunk, self.began_empty, written_before);
            let stored = existing::orders(&mut self.tx, &lookup).await?;
            let mut changed = Vec::with_capacity(chunk.len());
            for (o, &before) in chunk.iter().zip(written_before) {
                let old = stored.get(&o.external_id);
                let how = change(old, o);
                count(&mut self.report, before, how);
                if how != Change::Unchanged {
                    // An order that moves to another customer changes both customers' months.
                    self.customers.extend(old.map(|old| old.customer_id.clone()));
                    self.customers.insert(o.customer_id.clone());
                    changed.push(o);
                }
            }
            if changed.is_empty() {
                continue;
            }
            if let Some(support) = &mut self.support {
                let customers =
                    changed.iter().copied().chain(changed.iter().filter_map(|o| stored.get(&o.external_id)));
                support.touch(&mut self.tx, customers.map(|o| &o.customer_id)).await?;
            }
            let sql = format!(
                "INSERT INTO orders (external_id, customer_id, placed_at, amount, currency) VALUES {} \
                 ON CONFLICT (external_id) DO UPDATE SET customer_id = excluded.customer_id, \
                 placed_at = excluded.placed_at, amount = excluded.amount, currency = excluded.currency",
                values_placeholders(Params::of(&self.tx), changed.len(), ORDER_COLUMNS)
            );
            let mut query = sqlx::query(&sql);
            for o in &changed {
                query = query
                    .bind(o.external_id.as_str())
                    .bind(o.customer_id.as_str())
                    .bind(o.placed_at)
                    .bind(o.amount)
                    .bind(o.currency.as_str());
            }
            query.execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    pub async fn commit(mut self) -> Result<IngestReport, sqlx::Error> {
        // Before the customers' months, which read their orders by customer.
        std::mem::take(&mut self.indexes).build(&mut self.tx).await?;
        let customers: Vec<String> = std::mem::take(&mut self.customers).into_iter().collect();
        customer_months::update(&mut self.tx, &customers, self.zone).await?;
        if let Some(support) = self.support {
            support.apply(&mut self.tx).await?;
        }
        self.tx.commit().await?;
        Ok(self.report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_record_was_written_before_when_the_first_of_its_id_here_repeats_an_earlier_batch() {
        // B is new to this batch and repeated in it; A came in an earlier batch.
        let records = [("A", 1), ("B", 2), ("B", 3), ("A", 4), ("C", 5)];
        let (kept, before) = last_of_each_noted(&records, &[true, false, true, true, false], |r| r.0);
        assert_eq!(kept.as_ref(), [("B", 3), ("A", 4), ("C", 5)]);
        assert_eq!(before.as_ref(), [false, true, false]);
        // Without a repeat, nothing is copied.
        let (kept, before) = last_of_each_noted(&records[..2], &[false, false], |r| r.0);
        assert!(matches!((kept, before), (Cow::Borrowed(_), Cow::Borrowed(_))));
    }

    #[test]
    fn statistics_are_refreshed_after_changes_to_a_tenth_of_the_tickets_or_a_first_import() {
        // A first import: Postgres never counted the table.
        assert!(calls_for_statistics(1_000, -1.0));
        assert!(!calls_for_statistics(999, -1.0));
        // A tenth of what Postgres last counted.
        assert!(calls_for_statistics(110_000, 1_100_000.0));
        assert!(!calls_for_statistics(109_999, 1_100_000.0));
        assert!(!calls_for_statistics(1_000, 1_100_000.0));
    }
}
