//! The daily rollup: day × channel × category × team → ticket totals. Ingest
//! adds new tickets to their cells and recomputes the days an update
//! touched from the raw tickets, so an updated ticket's old contribution
//! disappears with its old day's recomputation (`store::ingest::delta`);
//! the tickets resolved on those days are counted by moving the stored
//! counts (`recompute_days`).

use super::names::Names;
use super::packed::{counters_of, COUNTERS};
use super::sql::insert_rows;
use super::zone::ReportingZone;
use super::Db;
use crate::kpi::period::{date_of, FIRST_PLAUSIBLE_DAY, LAST_PLAUSIBLE_DAY};
use crate::kpi::{GrowingTotals, OneTicket, TicketFacts, TicketTotals};
use crate::models::TicketRecord;
use futures_util::TryStreamExt;
use rustc_hash::FxHashMap;
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, BTreeSet};

/// One rollup cell's key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellKey {
    pub day: i64,
    pub channel: String,
    pub category: String,
    pub team: String,
}

impl CellKey {
    /// Bytes held, inline and on the heap.
    pub fn bytes(&self) -> usize {
        std::mem::size_of::<CellKey>() + self.channel.len() + self.category.len() + self.team.len()
    }

    /// The first key of `day`: every key of that day or later sorts at or after it.
    pub(super) fn first_of(day: i64) -> CellKey {
        CellKey { day, channel: String::new(), category: String::new(), team: String::new() }
    }

    /// The key of `day` whose channel, category and team are numbered in `names`.
    pub(super) fn named(day: i64, [channel, category, team]: [u32; 3], names: &Names) -> CellKey {
        let name = |number: u32| names.name(number).to_string();
        CellKey { day, channel: name(channel), category: name(category), team: name(team) }
    }
}

/// One rollup cell: the totals of tickets created that day, and how many
/// tickets of the cell's dimensions were resolved that day.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cell {
    pub totals: TicketTotals,
    pub resolved_on_day: i64,
}

impl Cell {
    pub fn merge(&mut self, other: &Cell) {
        self.totals.merge(&other.totals);
        self.resolved_on_day += other.resolved_on_day;
    }
}

/// What the rollup's cells depend on besides the tickets: the resolution
/// SLA (`sla_met`) and the reporting time zone (which day a ticket is on).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RollupRules {
    pub sla_seconds: i64,
    pub zone: ReportingZone,
}

/// The longest run of days rebuilt in one pass, to bound memory.
const MAX_RUN_DAYS: i64 = 31;

/// Splits a set of days into inclusive runs of consecutive days.
pub fn day_runs(days: &BTreeSet<i64>) -> Vec<(i64, i64)> {
    let mut runs: Vec<(i64, i64)> = Vec::new();
    for &d in days {
        match runs.last_mut() {
            Some((start, end)) if *end + 1 == d && d - *start < MAX_RUN_DAYS => *end = d,
            _ => runs.push((d, d)),
        }
    }
    runs
}

/// Counts of tickets resolved on a day, by cell: what a cell's
/// `resolved_on_day` is, or how much a write moves it.
pub type ResolvedCounts = BTreeMap<CellKey, i64>;

/// Recomputes the rollup rows of `days` from the tickets table, then the
/// cube and dimension rows that fold them. The days' stored rows are gone:
/// `resolved` counts every ticket resolved on them.
async fn rebuild_days(
    conn: &mut AnyConnection,
    days: &BTreeSet<i64>,
    rules: RollupRules,
    resolved: &ResolvedCounts,
) -> Result<(), sqlx::Error> {
    recompute_days(conn, days, rules, resolved).await?;
    super::cube::refresh(conn, days).await?;
    let months = super::dim_rollup::months_of(days);
    super::dim_rollup::refresh(conn, &months, rules).await?;
    super::dim_rollup::refresh_summaries(conn, &months).await
}

/// Recomputes the daily rollup rows of `days`: the tickets created on them
/// from the tickets table; those resolved on them as the stored rows
/// count them, moved by `moved` (what a write changed there).
///
/// The resolved side is kept, not recounted, so that no index of
/// resolution times is needed: the tickets resolved on a day were created
/// on any day before it, and building that index was a fifth of a large
/// import's index builds.
pub async fn recompute_days(
    conn: &mut AnyConnection,
    days: &BTreeSet<i64>,
    rules: RollupRules,
    moved: &ResolvedCounts,
) -> Result<(), sqlx::Error> {
    for (first, last) in day_runs(days) {
        let mut cells = compute_run(conn, first, last, rules).await?;
        let moved_in_run = moved.range(CellKey::first_of(first)..CellKey::first_of(last + 1));
        let stored = stored_resolved(conn, (first, last)).await?;
        for (key, n) in stored.into_iter().chain(moved_in_run.map(|(key, n)| (key.clone(), *n))) {
            cells.entry(key).or_default().resolved_on_day += n;
        }
        // A cell that only ever held a count that moved away is no row.
        cells.retain(|_, cell| cell.totals.tickets > 0 || cell.resolved_on_day != 0);
        replace_days(conn, (first, last), &cells).await?;
    }
    Ok(())
}

/// The stored rows' `resolved_on_day` on days `first..=last`.
async fn stored_resolved(
    conn: &mut AnyConnection,
    (first, last): (i64, i64),
) -> Result<ResolvedCounts, sqlx::Error> {
    let mut rows = sqlx::query(
        "SELECT day, channel, category, team, resolved_on_day FROM daily_rollup \
         WHERE day >= $1 AND day <= $2 AND resolved_on_day <> 0",
    )
    .bind(first)
    .bind(last)
    .fetch(&mut *conn);
    let mut counts = ResolvedCounts::new();
    while let Some(row) = rows.try_next().await? {
        counts.insert(cell_key(row.try_get("day")?, &row)?, row.try_get("resolved_on_day")?);
    }
    Ok(counts)
}

/// Every ticket resolved, counted by the cell of the day it was resolved
/// on: one pass over the tickets for a whole rebuild.
async fn count_resolved(conn: &mut AnyConnection, rules: RollupRules) -> Result<ResolvedCounts, sqlx::Error> {
    let mut rows =
        sqlx::query("SELECT resolved_at, channel, category, team FROM tickets WHERE resolved_at IS NOT NULL")
            .fetch(&mut *conn);
    let mut counts = ResolvedCounts::new();
    while let Some(row) = rows.try_next().await? {
        *counts.entry(cell_key(rules.zone.day_of(row.try_get("resolved_at")?), &row)?).or_default() += 1;
    }
    Ok(counts)
}

/// Replaces the stored cells of days `first..=last` with `cells`.
async fn replace_days(
    conn: &mut AnyConnection,
    (first, last): (i64, i64),
    cells: &BTreeMap<CellKey, Cell>,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM daily_rollup WHERE day >= $1 AND day <= $2")
        .bind(first)
        .bind(last)
        .execute(&mut *conn)
        .await?;
    write_cells(conn, CellTable::Rollup, cells).await
}

/// Recomputes the whole rollup in one transaction.
pub async fn rebuild(db: &Db) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    rebuild_all(&mut tx, db.rollup_rules()).await?;
    tx.commit().await
}

pub async fn rebuild_all(conn: &mut AnyConnection, rules: RollupRules) -> Result<(), sqlx::Error> {
    let row = sqlx::query(
        "SELECT MIN(created_at) AS lo, MAX(COALESCE(resolved_at, created_at)) AS hi FROM tickets",
    )
    .fetch_one(&mut *conn)
    .await?;
    let (Some(lo), Some(hi)) = (row.try_get::<Option<i64>, _>("lo")?, row.try_get::<Option<i64>, _>("hi")?)
    else {
        sqlx::query("DELETE FROM daily_rollup").execute(&mut *conn).await?;
        super::dim_rollup::clear(conn).await?;
        return super::cube::clear(conn).await;
    };
    let days: BTreeSet<i64> = (rules.zone.day_of(lo)..=rules.zone.day_of(hi)).collect();
    sqlx::query("DELETE FROM daily_rollup").execute(&mut *conn).await?;
    super::cube::clear(conn).await?;
    super::dim_rollup::clear(conn).await?;
    let resolved = count_resolved(conn, rules).await?;
    rebuild_days(conn, &days, rules, &resolved).await
}

/// The cells of the tickets created on days `first..=last`, without what
/// was resolved on them.
async fn compute_run(
    conn: &mut AnyConnection,
    first: i64,
    last: i64,
    rules: RollupRules,
) -> Result<BTreeMap<CellKey, Cell>, sqlx::Error> {
    let (start, end) = rules.zone.span(first, last);
    let mut cells: BTreeMap<CellKey, Cell> = BTreeMap::new();
    // Rows are streamed, not collected: memory holds the cells, not the tickets.
    let mut created = sqlx::query(
        "SELECT created_at, first_response_at, resolved_at, channel, category, team, csat, nps, ces, \
         first_contact_resolved, reopened, escalated, contacts FROM tickets \
         WHERE created_at >= $1 AND created_at < $2",
    )
    .bind(start)
    .bind(end)
    .fetch(&mut *conn);
    while let Some(row) = created.try_next().await? {
        let facts = facts(&row)?;
        let key = cell_key(rules.zone.day_of(facts.created_at), &row)?;
        cells.entry(key).or_default().totals.add_ticket(&facts, rules.sla_seconds);
    }
    Ok(cells)
}

/// The facts of a ticket row that selects the columns of [`TicketFacts`].
pub(super) fn facts(row: &sqlx::any::AnyRow) -> Result<TicketFacts, sqlx::Error> {
    Ok(TicketFacts {
        created_at: row.try_get("created_at")?,
        first_response_at: row.try_get("first_response_at")?,
        resolved_at: row.try_get("resolved_at")?,
        csat: row.try_get("csat")?,
        nps: row.try_get("nps")?,
        ces: row.try_get("ces")?,
        first_contact_resolved: row.try_get::<i64, _>("first_contact_resolved")? != 0,
        reopened: row.try_get::<i64, _>("reopened")? != 0,
        escalated: row.try_get::<i64, _>("escalated")? != 0,
        contacts: row.try_get("contacts")?,
    })
}

fn cell_key(day: i64, row: &sqlx::any::AnyRow) -> Result<CellKey, sqlx::Error> {
    Ok(CellKey {
        day,
        channel: row.try_get("channel")?,
        category: row.try_get("category")?,
        team: row.try_get("team")?,
    })
}

/// A cell while tickets or cells are added to it: its sketches as dense
/// counts ([`GrowingTotals`]), so that each addition costs its own buckets
/// rather than a walk over (or a shift of) those added before.
#[derive(Default)]
pub(super) struct GrowingCell {
    totals: GrowingTotals,
    resolved_on_day: i64,
}

impl GrowingCell {
    pub(super) fn add(&mut self, other: &Cell) {
        self.totals.add(&other.totals);
        self.resolved_on_day += other.resolved_on_day;
    }

    pub(super) fn into_cell(self) -> Cell {
        Cell { totals: self.totals.into_totals(), resolved_on_day: self.resolved_on_day }
    }
}

/// Daily cells being counted from new tickets, keyed by day and the
/// numbers of their channel, category and team.
#[derive(Default)]
pub(super) struct DayCells {
    names: Names,
    cells: FxHashMap<(i64, [u32; 3]), GrowingCell>,
    /// What the cells take, kept as they grow: an import asks after every
    /// chunk, and walking every cell each time was about 2 % of its profile.
    cell_bytes: usize,
}

/// What a new cell takes before its sketches hold anything.
const CELL_BYTES: usize = size_of::<((i64, [u32; 3]), GrowingCell)>();

impl DayCells {
    /// Adds a new ticket to the cell of the day it was created, and to the
    /// one of the day it was resolved: what [`compute_run`] would count.
    pub(super) fn add_record(&mut self, t: &TicketRecord, facts: &TicketFacts, rules: RollupRules) {
        let texts = [&t.channel, &t.category, &t.team].map(|name| self.names.number(name));
        self.add_numbered(texts, facts, &OneTicket::of(facts, rules.sla_seconds), rules.zone);
    }

    /// Cells whose texts are numbered as in `names`, for tickets whose
    /// texts `names` has numbered already ([`Self::add_numbered`]).
    pub(super) fn numbering(names: Names) -> DayCells {
        DayCells { names, ..DayCells::default() }
    }

    /// As [`Self::add_record`], the channel, category and team given as
    /// their numbers in these cells' names, and the ticket as counted once
    /// for all the rows it is added to (`one`, of `facts`).
    pub(super) fn add_numbered(
        &mut self,
        texts: [u32; 3],
        facts: &TicketFacts,
        one: &OneTicket,
        zone: ReportingZone,
    ) {
        let created = self.cell((zone.day_of(facts.created_at), texts));
        let before = created.totals.heap_bytes();
        created.totals.add_one(one);
        let after = created.totals.heap_bytes();
        // Turning dense can shrink a cell as well as grow it.
        self.cell_bytes = self.cell_bytes - before + after;
        if let Some(resolved_at) = facts.resolved_at {
            self.cell((zone.day_of(resolved_at), texts)).resolved_on_day += 1;
        }
    }

    fn cell(&mut self, key: (i64, [u32; 3])) -> &mut GrowingCell {
        self.cells.entry(key).or_insert_with(|| {
            self.cell_bytes += CELL_BYTES;
            GrowingCell::default()
        })
    }

    /// About what the cells hold, keys and sketches included.
    pub(super) fn bytes(&self) -> usize {
        self.names.bytes() + self.cell_bytes
    }

    /// The cells, keyed by their texts.
    pub(super) fn into_cells(self) -> BTreeMap<CellKey, Cell> {
        let names = self.names;
        self.cells
            .into_iter()
            .map(|((day, texts), cell)| (CellKey::named(day, texts, &names), cell.into_cell()))
            .collect()
    }
}

/// Adds `delta` (the cells of new tickets) to the stored cells of its days.
pub async fn add_cells(conn: &mut AnyConnection, delta: &BTreeMap<CellKey, Cell>) -> Result<(), sqlx::Error> {
    let days: BTreeSet<i64> = delta.keys().map(|k| k.day).collect();
    for (first, last) in day_runs(&days) {
        let from = CellKey::first_of(first);
        let mut cells: BTreeMap<CellKey, Cell> = delta
            .range(from..)
            .take_while(|(k, _)| k.day <= last)
            .map(|(k, c)| (k.clone(), c.clone()))
            .collect();
        merge_rows(&mut cells, CellTable::Rollup, (first, last), conn).await?;
        replace_days(conn, (first, last), &cells).await?;
    }
    Ok(())
}

/// Where cells are written: the rollup itself, or the pending table an
/// import sets cells aside in (migration 0015).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum CellTable {
    Rollup,
    Pending,
}

impl CellTable {
    fn name(self) -> &'static str {
        match self {
            CellTable::Rollup => "daily_rollup",
            CellTable::Pending => "daily_rollup_pending",
        }
    }
}

/// Merges into `cells` the rows of `table` on days `first..=last`.
pub(super) async fn merge_rows(
    cells: &mut BTreeMap<CellKey, Cell>,
    table: CellTable,
    (first, last): (i64, i64),
    conn: &mut AnyConnection,
) -> Result<(), sqlx::Error> {
    let sql = format!("SELECT * FROM {} WHERE day >= $1 AND day <= $2", table.name());
    let keys = ["day", "channel", "category", "team", "resolved_on_day"];
    let rows =
        super::packed::rows_with_sketches(conn, &sql, &keys, crate::kpi::sketch::Sketches::BOTH, |q| {
            q.bind(first).bind(last)
        })
        .await?;
    for ((day, channel, category, team, resolved_on_day), totals) in rows {
        let key = CellKey { day, channel, category, team };
        cells.entry(key).or_default().merge(&Cell { totals, resolved_on_day });
    }
    Ok(())
}

const CELL_COLUMNS: usize = 25;

pub(super) async fn write_cells(
    conn: &mut AnyConnection,
    table: CellTable,
    cells: &BTreeMap<CellKey, Cell>,
) -> Result<(), sqlx::Error> {
    let entries: Vec<_> = cells.iter().collect();
    let statement = |values: &str| {
        format!(
            "INSERT INTO {} (day, channel, category, team, resolved_on_day, {COUNTERS}, frt_sketch, \
             resolution_sketch) VALUES {values}",
            table.name(),
        )
    };
    insert_rows(conn, &entries, CELL_COLUMNS, statement, |v, (key, cell)| {
        let t = &cell.totals;
        v.add(key.day)
            .add(key.channel.as_str())
            .add(key.category.as_str())
            .add(key.team.as_str())
            .add(cell.resolved_on_day);
        for counter in counters_of(t) {
            v.add(counter);
        }
        v.add(t.frt_sketch.to_bytes()).add(t.resolution_sketch.to_bytes());
    })
    .await
}

/// [`data_span`]'s statement: two seeks, one round trip.
pub const DATA_SPAN: &str = "SELECT (SELECT day FROM daily_rollup WHERE tickets > 0 ORDER BY day LIMIT 1) AS first, \
                             (SELECT day FROM daily_rollup WHERE tickets > 0 ORDER BY day DESC LIMIT 1) AS last";

/// The first and last day that hold any ticket, as dates, kept inside the
/// plausible window so that a stray stored date cannot stretch every report
/// over centuries. Each end is one step along the index of the days with
/// tickets (`daily_rollup_ticket_days`), however large the rollup.
pub async fn data_span(db: &Db) -> Result<Option<(chrono::NaiveDate, chrono::NaiveDate)>, sqlx::Error> {
    let row = sqlx::query(DATA_SPAN).fetch_one(&db.pool).await?;
    let (first, last): (Option<i64>, Option<i64>) = (row.try_get("first")?, row.try_get("last")?);
    let window = |day: i64| date_of(day).clamp(FIRST_PLAUSIBLE_DAY, LAST_PLAUSIBLE_DAY);
    Ok(first.zip(last).map(|(f, l)| (window(f), window(l))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consecutive_days_form_runs_of_at_most_a_month() {
        let days: BTreeSet<i64> = [1, 2, 3, 7, 8].into_iter().collect();
        assert_eq!(day_runs(&days), vec![(1, 3), (7, 8)]);
        let long: BTreeSet<i64> = (0..40).collect();
        assert_eq!(day_runs(&long), vec![(0, 30), (31, 39)]);
    }

    #[test]
    fn the_cells_bytes_kept_as_they_grow_equal_a_walk_over_them() {
        let rules = RollupRules { sla_seconds: 3600, zone: super::super::zone::ReportingZone::UTC };
        let base = crate::models::tests::ticket();
        let mut cells = DayCells::default();
        for i in 0..500_i64 {
            let created_at = base.created_at + (i % 40) * 86_400;
            let t = TicketRecord {
                external_id: format!("T-{i}"),
                created_at,
                first_response_at: Some(created_at + 60 * (1 + i * i % 997)),
                resolved_at: Some(created_at + 3_600 * (1 + i % 50)),
                channel: ["chat", "email", "phone"][i as usize % 3].into(),
                ..base.clone()
            };
            cells.add_record(&t, &t.facts(), rules);
        }
        let walked: usize = cells.cells.values().map(|cell| CELL_BYTES + cell.totals.heap_bytes()).sum();
        assert_eq!(cells.bytes(), cells.names.bytes() + walked);
        assert!(walked > cells.cells.len() * CELL_BYTES, "the sketches hold buckets");
    }

    #[test]
    fn the_cells_counted_equal_each_ticket_added_to_the_totals_of_its_days() {
        let rules = RollupRules { sla_seconds: 36 * 3600, zone: super::super::zone::ReportingZone::UTC };
        let base = crate::models::tests::ticket();
        let (mut cells, mut expected) = (DayCells::default(), BTreeMap::<CellKey, Cell>::new());
        // 2,500 tickets a cell (4 a day, 3 days): past a growing sketch's turn to dense counts.
        for i in 0..30_000_i64 {
            let created_at = base.created_at + (i % 3) * 86_400;
            let t = TicketRecord {
                external_id: format!("T-{i}"),
                created_at,
                first_response_at: (i % 7 != 0).then_some(created_at + 30 * (1 + i * i % 4_001)),
                resolved_at: (i % 5 != 0).then_some(created_at + 600 * (1 + i * 31 % 997)),
                channel: ["chat", "email"][i as usize % 2].into(),
                team: ["North", "South"][i as usize / 2 % 2].into(),
                ..base.clone()
            };
            let facts = t.facts();
            cells.add_record(&t, &facts, rules);
            let key = |at: i64| CellKey {
                day: rules.zone.day_of(at),
                channel: t.channel.clone(),
                category: t.category.clone(),
                team: t.team.clone(),
            };
            expected.entry(key(t.created_at)).or_default().totals.add_ticket(&facts, rules.sla_seconds);
            if let Some(resolved_at) = t.resolved_at {
                expected.entry(key(resolved_at)).or_default().resolved_on_day += 1;
            }
        }
        assert_eq!(cells.into_cells(), expected);
    }
}
