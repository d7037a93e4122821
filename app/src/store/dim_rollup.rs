//! The dimension rollup (migration 0011): per month, the ticket totals of
//! each agent, priority and product — alone and crossed with one of
//! channel, category or team. An agent × month matrix, or a quantile's,
//! reads one row per cell and month from here, never the raw tickets.
//!
//! Its months are folded into quarters and years (`dim_rollup_coarse`,
//! migration 0021), so that a quantile over three whole years merges three
//! rows per cell, not 36.
//!
//! Kept current by ingest (`store::ingest::delta`): new tickets are added
//! to their month's rows from the records; a month an update touched is
//! recomputed from the raw tickets (one streamed pass over its tickets).
//! Whoever changes it then calls [`refresh_summaries`]: the quarters and
//! years, and the running totals ([`super::dim_cumulative`]) from which
//! matrices of sums are read.

use super::cube::{self, Level};
use super::dim_cumulative;
use super::names::Names;
use super::packed::{self, COUNTERS};
use super::read_cache;
use super::rollup::RollupRules;
use super::sql::{insert_rows, Params};
use super::Db;
use crate::kpi::period::{date_of, day_number, Grain, Period};
use crate::kpi::sketch::Sketches;
use crate::kpi::{GrowingTotals, OneTicket, TicketFacts, TicketTotals};
use crate::models::{Dimension, ExtraDimension, TicketRecord};
use rustc_hash::FxHashMap;
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, BTreeSet};

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

/// The month (its first day) of a day.
pub(super) fn month_start(day: i64) -> i64 {
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
    /// Fx-hashed: an import adds each ticket to nine rows, and SipHash
    /// showed in its profile (about 3 % of the samples).
    rows: FxHashMap<NumberedKey, GrowingTotals>,
    /// What the rows take, kept as they grow (as `DayCells`' are).
    row_bytes: usize,
}

/// What a new row takes before its sketches hold anything.
const ROW_BYTES: usize = size_of::<NumberedKey>() + size_of::<GrowingTotals>();

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
    /// Rows whose values are numbered as in `names`, for tickets whose
    /// texts `names` has numbered already ([`Self::add_numbered`]).
    pub(super) fn numbering(names: Names) -> DimCells {
        DimCells { names, ..DimCells::default() }
    }

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

    /// Adds a stored ticket, as [`refresh`] reads it, to the rows of `month`.
    pub(super) fn add_counted(&mut self, t: &CountedTicket, month: i64, sla_seconds: i64) {
        let extra = [t.agent.as_str(), t.priority.as_str(), t.product.as_deref().unwrap_or(NO_PRODUCT)];
        self.add(month, extra, t.base(), &t.facts(), sla_seconds);
    }

    /// Adds a ticket to the rows of each extra dimension's value (`extra`,
    /// in the order of [`ExtraDimension::ALL`]) crossed with each rollup
    /// dimension's (`base`, in the order of [`Dimension::ALL`]). The rows of
    /// a value alone are summed from its crossed rows in [`Self::into_rows`].
    fn add(&mut self, month: i64, extra: [&str; 3], base: [&str; 3], facts: &TicketFacts, sla_seconds: i64) {
        let extra = extra.map(|value| self.names.number(value));
        let base = base.map(|value| self.names.number(value));
        self.add_numbered(month, extra, base, &OneTicket::of(facts, sla_seconds));
    }

    /// As [`Self::add`], the values given as their numbers in these rows'
    /// names, and the ticket as counted once for all its rows.
    pub(super) fn add_numbered(&mut self, month: i64, extra: [u32; 3], base: [u32; 3], one: &OneTicket) {
        let [b0, b1, b2] = Dimension::ALL;
        let bases = [(b0, base[0]), (b1, base[1]), (b2, base[2])];
        for (dim, value) in ExtraDimension::ALL.into_iter().zip(extra) {
            for (base, base_value) in bases {
                let key = NumberedKey { month, dim, value, base: Some(base), base_value };
                let row_bytes = &mut self.row_bytes;
                let row = self.rows.entry(key).or_insert_with(|| {
                    *row_bytes += ROW_BYTES;
                    GrowingTotals::default()
                });
                let before = row.heap_bytes();
                row.add_one(one);
                // Turning dense can shrink a row as well as grow it.
                self.row_bytes = self.row_bytes - before + row.heap_bytes();
            }
        }
    }

    /// About what the rows hold, keys, values and sketches included.
    pub(super) fn bytes(&self) -> usize {
        self.names.bytes() + self.row_bytes
    }

    /// The rows, keyed by their values, with the rows of each value alone:
    /// the sum of its rows crossed with the first rollup dimension, since
    /// every ticket has one value of it. Summed here rather than counted per
    /// ticket, which saves a quarter of what an import counts per ticket.
    pub(super) fn into_rows(mut self) -> BTreeMap<DimKey, TicketTotals> {
        let blank = self.names.number("");
        let mut rows: FxHashMap<NumberedKey, TicketTotals> =
            self.rows.into_iter().map(|(key, row)| (key, row.into_totals())).collect();
        let mut alone: FxHashMap<NumberedKey, TicketTotals> = FxHashMap::default();
        for (key, totals) in &rows {
            if key.base == Some(Dimension::ALL[0]) {
                let key = NumberedKey { base: None, base_value: blank, ..*key };
                alone.entry(key).or_default().merge(totals);
            }
        }
        rows.extend(alone);
        let names = self.names;
        rows.into_iter()
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

/// The columns of a ticket the rows count, in the order of [`CountedTicket`]'s fields.
const COUNTED_COLUMNS: &str = "created_at, first_response_at, resolved_at, csat, nps, ces, \
    first_contact_resolved, reopened, escalated, contacts, channel, category, team, agent, priority, product";

/// A stored ticket as [`refresh`] reads it: one array of
/// [`COUNTED_COLUMNS`] in the document, its fields in that order.
#[derive(serde::Deserialize)]
pub(super) struct CountedTicket {
    pub(super) created_at: i64,
    pub(super) first_response_at: Option<i64>,
    pub(super) resolved_at: Option<i64>,
    pub(super) csat: Option<i64>,
    pub(super) nps: Option<i64>,
    pub(super) ces: Option<i64>,
    pub(super) first_contact_resolved: i64,
    pub(super) reopened: i64,
    pub(super) escalated: i64,
    pub(super) contacts: i64,
    pub(super) channel: String,
    pub(super) category: String,
    pub(super) team: String,
    pub(super) agent: String,
    pub(super) priority: String,
    pub(super) product: Option<String>,
}

impl CountedTicket {
    pub(super) fn facts(&self) -> TicketFacts {
        TicketFacts {
            created_at: self.created_at,
            first_response_at: self.first_response_at,
            resolved_at: self.resolved_at,
            csat: self.csat,
            nps: self.nps,
            ces: self.ces,
            first_contact_resolved: self.first_contact_resolved != 0,
            reopened: self.reopened != 0,
            escalated: self.escalated != 0,
            contacts: self.contacts,
        }
    }

    /// Its channel, category and team, in the order of [`Dimension::ALL`].
    pub(super) fn base(&self) -> [&str; 3] {
        [self.channel.as_str(), self.category.as_str(), self.team.as_str()]
    }
}

/// Recomputes the rows of `months` (first days) from the tickets created in them.
/// `rules` are the daily rollup's.
///
/// Each day's tickets are read as one document ([`packed::rows`]): a row
/// through the `Any` driver costs about 30 µs, which made a month of
/// 270,000 tickets take seconds. A day at a time keeps memory to a day's.
pub async fn refresh(
    conn: &mut AnyConnection,
    months: &BTreeSet<i64>,
    rules: RollupRules,
) -> Result<(), sqlx::Error> {
    bump_months(conn, months.iter().copied()).await?;
    let day_sql = format!("SELECT {COUNTED_COLUMNS} FROM tickets WHERE created_at >= $1 AND created_at < $2");
    for &month in months {
        let mut rows = DimCells::default();
        for day in month..=month_end(month) {
            let (from, before) = rules.zone.span(day, day);
            let tickets: Vec<CountedTicket> =
                packed::rows(conn, &day_sql, COUNTED_COLUMNS, |q| q.bind(from).bind(before)).await?;
            for ticket in &tickets {
                rows.add_counted(ticket, month, rules.sla_seconds);
            }
        }
        sqlx::query("DELETE FROM dim_rollup WHERE month = $1").bind(month).execute(&mut *conn).await?;
        write(conn, DimTable::Rollup, &rows.into_rows()).await?;
    }
    Ok(())
}

/// Adds `delta` (rows of new tickets) to the stored rows of its months,
/// and of their quarters and years: sums stay sums whatever their order, so
/// those take the delta as it is rather than being refolded from their
/// months (which read three months, then four quarters, of every value).
/// A small delta goes into the running totals too; otherwise the first
/// month whose running totals are left to [`dim_cumulative::refresh`]
/// comes back.
pub async fn add(
    conn: &mut AnyConnection,
    delta: BTreeMap<DimKey, TicketTotals>,
) -> Result<Option<i64>, sqlx::Error> {
    add_at(conn, &delta, &[Level::Month, Level::Quarter, Level::Year]).await?;
    let kept = dim_cumulative::add(conn, &delta).await?;
    Ok(if kept { None } else { delta.keys().map(|key| key.month).min() })
}

/// As [`add`] to the stored rows of the months alone: their quarters,
/// years and running totals are left to [`refresh_summaries`]. For a caller
/// adding to many months in turn, which would otherwise read and rewrite
/// each year's rows (the largest) once per month.
pub async fn add_to_months(
    conn: &mut AnyConnection,
    delta: BTreeMap<DimKey, TicketTotals>,
) -> Result<(), sqlx::Error> {
    add_at(conn, &delta, &[Level::Month]).await
}

/// Adds `delta` to the stored rows of its periods of each of `levels`
/// (months, quarters, years).
async fn add_at(
    conn: &mut AnyConnection,
    delta: &BTreeMap<DimKey, TicketTotals>,
    levels: &[Level],
) -> Result<(), sqlx::Error> {
    bump_months(conn, delta.keys().map(|key| key.month)).await?;
    for &level in levels {
        let table = if level == Level::Month { DimTable::Rollup } else { DimTable::Coarse(level) };
        let mut by_period: BTreeMap<i64, BTreeMap<DimKey, TicketTotals>> = BTreeMap::new();
        for (key, totals) in delta {
            let start = level.start(key.month);
            let key = DimKey { month: start, ..key.clone() };
            by_period.entry(start).or_default().entry(key).or_default().merge(totals);
        }
        for (start, rows) in by_period {
            add_to_period(conn, table, start, rows).await?;
        }
    }
    Ok(())
}

/// Deltas of at most this many rows are added row by row, to a period's
/// rows here and to the running totals ([`dim_cumulative::add`]): a ticket
/// posted through the API touches about a dozen of a month's ~500.
pub(super) const FEW_ROWS: usize = 64;

/// Adds `rows` (keyed to `start`) to the stored rows of `table`'s period
/// that starts on `start`.
async fn add_to_period(
    conn: &mut AnyConnection,
    table: DimTable,
    start: i64,
    mut rows: BTreeMap<DimKey, TicketTotals>,
) -> Result<(), sqlx::Error> {
    if rows.len() > FEW_ROWS {
        merge_rows(&mut rows, table, (start, start), conn).await?;
        return replace_period(conn, table, start, None, &rows).await;
    }
    let keys = ["dim", "value", "base", "base_value"];
    // The period's parameters come first: the key's follow them.
    let after = table.period_parameters();
    let inner = format!(
        "{} AND dim = ${} AND value = ${} AND base = ${} AND base_value = ${}",
        table.periods_between(),
        after + 1,
        after + 2,
        after + 3,
        after + 4
    );
    let delete = format!(
        "DELETE FROM {} AND dim = $2 AND value = $3 AND base = $4 AND base_value = $5",
        table.period_is()
    );
    for (key, totals) in &mut rows {
        let stored: Vec<((String, String, String, String), TicketTotals)> =
            packed::rows_with_sketches(conn, &inner, &keys, Sketches::BOTH, |q| {
                bind_key(table.bind_level(q.bind(start).bind(start)), key)
            })
            .await?;
        if let Some((_, stored)) = stored.into_iter().next() {
            totals.merge(&stored);
            bind_key(sqlx::query(&delete).bind(start), key).execute(&mut *conn).await?;
        }
    }
    write(conn, table, &rows).await
}

/// Marks the rows of `months` (first days) and of their quarters and years changed.
async fn bump_months(conn: &mut AnyConnection, months: impl Iterator<Item = i64>) -> Result<(), sqlx::Error> {
    let (first, last) = months.fold((i64::MAX, i64::MIN), |(lo, hi), m| (lo.min(m), hi.max(m)));
    if first > last {
        return Ok(());
    }
    read_cache::bump(conn, (first, month_end(last))).await
}

/// Where dimension rows are kept: the rollup's months, or its quarters or
/// years (migration 0021).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum DimTable {
    Rollup,
    Coarse(Level),
}

impl DimTable {
    fn name(self) -> &'static str {
        match self {
            DimTable::Rollup => "dim_rollup",
            DimTable::Coarse(_) => "dim_rollup_coarse",
        }
    }

    /// The columns of a row's period: its first day, after its level if the table has several.
    fn period_columns(self) -> &'static str {
        match self {
            DimTable::Rollup => "month",
            DimTable::Coarse(_) => "level, bucket",
        }
    }

    /// A filter on the rows whose periods start on days `$1..=$2` (and
    /// whose level is `$3`, if the table has several).
    fn periods_between(self) -> String {
        match self {
            DimTable::Rollup => format!("SELECT * FROM {} WHERE month >= $1 AND month <= $2", self.name()),
            DimTable::Coarse(_) => {
                format!("SELECT * FROM {} WHERE bucket >= $1 AND bucket <= $2 AND level = $3", self.name())
            }
        }
    }

    /// How many parameters [`Self::periods_between`] takes.
    fn period_parameters(self) -> usize {
        match self {
            DimTable::Rollup => 2,
            DimTable::Coarse(_) => 3,
        }
    }

    /// The table and a filter on the rows of the period starting on day
    /// `$1` (of this table's level, for quarters and years), after `FROM`.
    fn period_is(self) -> String {
        match self {
            DimTable::Coarse(level) => {
                format!("{} WHERE bucket = $1 AND level = {}", self.name(), level as i64)
            }
            DimTable::Rollup => format!("{} WHERE month = $1", self.name()),
        }
    }

    /// Binds the level of a table that has several.
    fn bind_level(self, query: packed::AnyQuery<'_>) -> packed::AnyQuery<'_> {
        match self {
            DimTable::Rollup => query,
            DimTable::Coarse(level) => query.bind(level as i64),
        }
    }
}

/// Merges into `rows` the rows of `table` whose periods start on days
/// `first..=last`, each keyed to `first`: one period's rows as they are,
/// or the months of a quarter folded into it.
pub(super) async fn merge_rows(
    rows: &mut BTreeMap<DimKey, TicketTotals>,
    table: DimTable,
    span: (i64, i64),
    conn: &mut AnyConnection,
) -> Result<(), sqlx::Error> {
    let stored = stored_rows(table, span, None, conn).await?;
    each_row(stored, |key, totals| rows.entry(key).or_default().merge(&totals))
}

/// The rows of `table` whose periods start on days `first..=last` (of
/// `slice`, if given), as stored: their sketches are decoded one row at a
/// time as [`fold`] merges them.
struct StoredRows {
    first: i64,
    packed: packed::Packed<(String, String, String, String)>,
}

async fn stored_rows(
    table: DimTable,
    (first, last): (i64, i64),
    slice: Option<Slice>,
    conn: &mut AnyConnection,
) -> Result<StoredRows, sqlx::Error> {
    let keys = ["dim", "value", "base", "base_value"];
    let sql = table.periods_between() + &Slice::filter(slice, table.period_parameters());
    let packed = packed::packed_rows_with_sketches(conn, &sql, &keys, Sketches::BOTH, |q| {
        Slice::bind(slice, table.bind_level(q.bind(first).bind(last)))
    })
    .await?;
    Ok(StoredRows { first, packed })
}

/// The rows of one extra dimension alone or crossed with one base
/// dimension: a period's rows are refolded a slice at a time.
#[derive(Clone, Copy)]
struct Slice {
    dim: ExtraDimension,
    base: Option<Dimension>,
}

impl Slice {
    /// Every slice: together they hold every row.
    fn all() -> impl Iterator<Item = Slice> {
        let bases = || std::iter::once(None).chain(Dimension::ALL.map(Some));
        ExtraDimension::ALL.into_iter().flat_map(move |dim| bases().map(move |base| Slice { dim, base }))
    }

    /// What keeps a statement to the rows of `slice` (all rows for None),
    /// its parameters numbered after the statement's first `after`.
    fn filter(slice: Option<Slice>, after: usize) -> String {
        match slice {
            Some(_) => format!(" AND dim = ${} AND base = ${}", after + 1, after + 2),
            None => String::new(),
        }
    }

    /// Binds the parameters of [`Slice::filter`].
    fn bind(slice: Option<Slice>, query: packed::AnyQuery<'_>) -> packed::AnyQuery<'_> {
        match slice {
            Some(slice) => query.bind(slice.dim.column()).bind(base_name(slice.base)),
            None => query,
        }
    }
}

/// Hands each row of `stored` to `add`, keyed to the first day read.
fn each_row(stored: StoredRows, mut add: impl FnMut(DimKey, TicketTotals)) -> Result<(), sqlx::Error> {
    let StoredRows { first, packed } = stored;
    for row in packed.decoded() {
        let ((dim, value, base, base_value), totals) = row?;
        let unknown = || sqlx::Error::Decode(format!("dim_rollup: unknown dimension {dim}/{base}").into());
        let key = DimKey {
            month: first,
            dim: ExtraDimension::parse(&dim).ok_or_else(unknown)?,
            value,
            base: if base.is_empty() { None } else { Some(Dimension::parse(&base).ok_or_else(unknown)?) },
            base_value,
        };
        add(key, totals);
    }
    Ok(())
}

/// Brings what is derived from the rollup's months up to date after the
/// rows of `months` (first days) changed: their quarters and years, and
/// the running totals.
pub async fn refresh_summaries(conn: &mut AnyConnection, months: &BTreeSet<i64>) -> Result<(), sqlx::Error> {
    refresh_quarters_and_years(conn, months).await?;
    dim_cumulative::refresh(conn, months).await
}

/// Refolds the quarters and years of `months` (first days) from their months.
///
/// Year by year and [`Slice`] by slice: each quarter holding one of
/// `months` is folded from its months, each other quarter of the year read
/// as stored, and the year folded from its four quarters as they are in
/// memory, not read back. A whole year's rows at once, decoded beside the
/// quarter being folded, were the peak of a 10M-ticket import (sampled
/// 544–578 MB in this step; 241–251 MB a slice at a time).
///
/// Folding (decoding and merging sketches) runs on a thread of its own
/// while the database reads the next quarter: at 10M tickets this step
/// kept one core busy, merging and reading in turn (perf).
pub async fn refresh_quarters_and_years(
    conn: &mut AnyConnection,
    months: &BTreeSet<i64>,
) -> Result<(), sqlx::Error> {
    bump_months(conn, months.iter().copied()).await?;
    let touched: BTreeSet<i64> = months.iter().map(|&month| Level::Quarter.start(month)).collect();
    // A touched quarter is folded from its months, any other read as stored.
    let source = |quarter| {
        if touched.contains(&quarter) {
            DimTable::Rollup
        } else {
            DimTable::Coarse(Level::Quarter)
        }
    };
    for year in months.iter().map(|&month| Level::Year.start(month)).collect::<BTreeSet<_>>() {
        let quarters: Vec<i64> = std::iter::successors(Some(year), |&q| Some(Level::Quarter.last(q) + 1))
            .take_while(|&q| q <= Level::Year.last(year))
            .collect();
        let span = |quarter| (quarter, Level::Quarter.last(quarter));
        for slice in Slice::all() {
            let mut stored = Some(stored_rows(source(year), span(year), Some(slice), conn).await?);
            let mut year_rows = BTreeMap::new();
            for (i, &quarter) in quarters.iter().enumerate() {
                let Some(this) = stored.take() else { break };
                let folding = super::alongside(move || fold_quarter(year, this, year_rows));
                // The next quarter is read while this one is folded.
                stored = match quarters.get(i + 1) {
                    Some(&next) => Some(stored_rows(source(next), span(next), Some(slice), conn).await?),
                    None => None,
                };
                let rows;
                (rows, year_rows) = folding.await??;
                if touched.contains(&quarter) {
                    replace_period(conn, DimTable::Coarse(Level::Quarter), quarter, Some(slice), &rows)
                        .await?;
                }
            }
            let year_rows = year_rows.into_iter().map(|(key, row)| (key, row.into_totals())).collect();
            replace_period(conn, DimTable::Coarse(Level::Year), year, Some(slice), &year_rows).await?;
        }
    }
    Ok(())
}

/// A period's dimension rows by key.
type Rows = BTreeMap<DimKey, TicketTotals>;

/// Rows being added up from several periods' (as dense counts: merging
/// sorted sketches into the sum was half of this step's folding, perf).
type GrowingRows = BTreeMap<DimKey, GrowingTotals>;

/// A quarter's rows folded from `stored` (its months', or its own), and
/// `year_rows` with them added, keyed to `year`.
fn fold_quarter(
    year: i64,
    stored: StoredRows,
    mut year_rows: GrowingRows,
) -> Result<(Rows, GrowingRows), sqlx::Error> {
    let mut quarter = GrowingRows::new();
    each_row(stored, |key, totals| quarter.entry(key).or_default().add(&totals))?;
    let rows: Rows = quarter.into_iter().map(|(key, row)| (key, row.into_totals())).collect();
    for (key, totals) in &rows {
        year_rows.entry(DimKey { month: year, ..key.clone() }).or_default().add(totals);
    }
    Ok((rows, year_rows))
}

/// Replaces the stored rows of `table`'s period starting on `start` (of
/// `slice`, if given) with `rows`.
async fn replace_period(
    conn: &mut AnyConnection,
    table: DimTable,
    start: i64,
    slice: Option<Slice>,
    rows: &BTreeMap<DimKey, TicketTotals>,
) -> Result<(), sqlx::Error> {
    let delete = format!("DELETE FROM {}{}", table.period_is(), Slice::filter(slice, 1));
    Slice::bind(slice, sqlx::query(&delete).bind(start)).execute(&mut *conn).await?;
    write(conn, table, rows).await
}

/// Empties the table, its quarters and years and its running totals
/// (before the whole rollup is rebuilt).
pub async fn clear(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    read_cache::bump(conn, read_cache::ALL_DAYS).await?;
    sqlx::query("DELETE FROM dim_rollup").execute(&mut *conn).await?;
    sqlx::query("DELETE FROM dim_rollup_coarse").execute(&mut *conn).await?;
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
    let months = months_of(&(db.zone.day_of(lo)..=db.zone.day_of(hi)).collect());
    let mut tx = db.begin().await?;
    refresh(&mut tx, &months, db.rollup_rules()).await?;
    refresh_summaries(&mut tx, &months).await?;
    tx.commit().await
}

/// Binds a row's key after its period's parameters.
fn bind_key<'q>(query: packed::AnyQuery<'q>, key: &DimKey) -> packed::AnyQuery<'q> {
    query
        .bind(key.dim.column())
        .bind(key.value.clone())
        .bind(base_name(key.base))
        .bind(key.base_value.clone())
}

/// The columns of a row besides its period's.
const COLUMNS: usize = 24;

pub(super) async fn write(
    conn: &mut AnyConnection,
    table: DimTable,
    rows: &BTreeMap<DimKey, TicketTotals>,
) -> Result<(), sqlx::Error> {
    let entries: Vec<_> = rows.iter().collect();
    let columns = COLUMNS + table.period_columns().split(',').count();
    let statement = |values: &str| {
        format!(
            "INSERT INTO {} ({}, dim, value, base, base_value, {COUNTERS}, frt_sketch, resolution_sketch) \
             VALUES {values}",
            table.name(),
            table.period_columns(),
        )
    };
    insert_rows(conn, &entries, columns, statement, |v, (key, t)| {
        if let DimTable::Coarse(level) = table {
            v.add(level as i64);
        }
        v.add(key.month)
            .add(key.dim.column())
            .add(key.value.as_str())
            .add(base_name(key.base))
            .add(key.base_value.as_str());
        for counter in packed::counters_of(t) {
            v.add(counter);
        }
        v.add(t.frt_sketch.to_bytes()).add(t.resolution_sketch.to_bytes());
    })
    .await
}

/// The rows of `dim` crossed with `base` (`None`: alone) for the months
/// whose first days are `first..=last`; with `base_value`, only that value
/// of `base`. Each comes back as (period, value, base value, totals): the
/// whole quarters and years of the range as one row each (keyed by their
/// first day) when `coarsest` allows them, else months. The totals'
/// sketches outside `sketches` are left empty: reading and merging them is
/// most of the cost of a long range, and only quantiles need them.
pub async fn cells(
    db: &Db,
    dim: ExtraDimension,
    (base, base_value): (Option<Dimension>, Option<&str>),
    (first, last): (i64, i64),
    coarsest: Level,
    sketches: Sketches,
) -> Result<Vec<(i64, String, String, TicketTotals)>, sqlx::Error> {
    // Coarsest rows first: a finer row's sketch merged into theirs mostly
    // finds its buckets there. A range of whole months splits into years,
    // quarters and months only.
    let mut spans = cube::spans(first, month_end(last), coarsest);
    spans.sort_by_key(|(level, _, _)| std::cmp::Reverse(level.days()));
    if spans.is_empty() {
        return Ok(Vec::new());
    }
    let base_value = base_value.map(str::to_string);
    let key = (dim, base, &base_value);
    let keys = ["month", "value", "base_value"];
    let read = |spans: Vec<(Level, i64, i64)>| async move {
        let sql = over_spans(Params::of_backend(db.backend), &spans);
        let rows = if sketches.any() {
            let mut conn = db.pool.acquire().await?;
            packed::rows_with_sketches(&mut conn, &sql, &keys, sketches, |q| bind_spans(q, key, &spans))
                .await?
        } else {
            packed::totals_rows(db, &sql, &keys, |q| bind_spans(q, key, &spans)).await?
        };
        Ok(rows
            .into_iter()
            .map(|((month, value, base_value), totals)| (month, value, base_value, totals))
            .collect())
    };
    read_cache::by_bucket(
        db,
        ("dimension cells", format!("{dim:?}|{base:?}|{base_value:?}|{sketches:?}")),
        &spans,
        |(month, ..): &(i64, String, String, TicketTotals)| *month,
        |(_, value, base, totals)| value.len() + base.len() + totals.bytes(),
        read,
    )
    .await
}

/// One statement reading the rows of each span of [`cells`], joined by
/// UNION ALL. Each span's parameters, in order ([`bind_spans`]): its level
/// (quarters and years only), the dimension, the base, the first and last
/// period, the base value.
fn over_spans(params: Params, spans: &[(Level, i64, i64)]) -> String {
    let mut n = 0;
    let mut p = || {
        n += 1;
        params.placeholder(n)
    };
    spans
        .iter()
        .map(|&(level, _, _)| {
            let (source, period) = match level {
                Level::Month => ("dim_rollup WHERE".to_string(), "month"),
                _ => (format!("dim_rollup_coarse WHERE level = {} AND", p()), "bucket"),
            };
            format!(
                "SELECT {period} AS month, value, base_value, {COUNTERS}, frt_sketch, resolution_sketch \
                 FROM {source} dim = {} AND base = {} AND {period} >= {} AND {period} <= {} \
                 AND base_value = COALESCE({}, base_value)",
                p(),
                p(),
                p(),
                p(),
                p()
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
}

/// Binds the parameters of [`over_spans`].
fn bind_spans<'q>(
    query: packed::AnyQuery<'q>,
    (dim, base, base_value): (ExtraDimension, Option<Dimension>, &Option<String>),
    spans: &[(Level, i64, i64)],
) -> packed::AnyQuery<'q> {
    spans.iter().fold(query, |query, &(level, from, to)| {
        let query = if level == Level::Month { query } else { query.bind(level as i64) };
        query.bind(dim.column()).bind(base_name(base)).bind(from).bind(to).bind(base_value.clone())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_of_months_reads_its_whole_years_and_quarters_as_one_row_each() {
        let day = |y, m| day_number(chrono::NaiveDate::from_ymd_opt(y, m, 1).unwrap());
        let spans = cube::spans(day(2023, 2), month_end(day(2025, 11)), Level::Year);
        assert_eq!(
            spans,
            vec![
                (Level::Month, day(2023, 2), day(2023, 3)),
                (Level::Quarter, day(2023, 4), day(2023, 10)),
                (Level::Year, day(2024, 1), day(2024, 1)),
                (Level::Quarter, day(2025, 1), day(2025, 7)),
                (Level::Month, day(2025, 10), day(2025, 11)),
            ]
        );
        // Eleven rows per cell instead of 34 months, in one statement whose
        // placeholders follow the binding order: a level for each span but months.
        let sql = over_spans(Params::Numbered, &spans[..2]);
        assert!(sql.contains("FROM dim_rollup WHERE dim = $1 AND base = $2 AND month >= $3 AND month <= $4 AND base_value = COALESCE($5, base_value)"), "{sql}");
        assert!(sql.contains("FROM dim_rollup_coarse WHERE level = $6 AND dim = $7 AND base = $8 AND bucket >= $9 AND bucket <= $10 AND base_value = COALESCE($11, base_value)"), "{sql}");
        assert_eq!(over_spans(Params::Anonymous, &spans).matches('?').count(), 5 * 5 + 3);
    }

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
        let walked: usize = cells.rows.values().map(|t| ROW_BYTES + t.heap_bytes()).sum();
        assert_eq!(cells.bytes(), cells.names.bytes() + walked, "the bytes kept as the rows grew");
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

    #[test]
    fn the_bytes_kept_follow_rows_whose_sketches_turn_dense() {
        let rules = RollupRules { sla_seconds: 3600, zone: super::super::zone::ReportingZone::UTC };
        let base = crate::models::tests::ticket();
        let mut cells = DimCells::default();
        // More values than a growing sketch keeps one by one, all in a bucket
        // or two: turning dense shrinks the rows.
        for i in 0..2_500 {
            let t = TicketRecord { first_response_at: Some(base.created_at + 600 + i % 2), ..base.clone() };
            cells.add_record(&t, &t.facts(), rules);
        }
        let walked: usize = cells.rows.values().map(|t| ROW_BYTES + t.heap_bytes()).sum();
        assert_eq!(cells.bytes(), cells.names.bytes() + walked);
    }

    #[test]
    fn a_value_alone_holds_its_tickets_of_every_channel() {
        let rules = RollupRules { sla_seconds: 3600, zone: super::super::zone::ReportingZone::UTC };
        let base = crate::models::tests::ticket();
        let chat = TicketRecord {
            channel: "chat".into(),
            first_response_at: Some(base.created_at + 9_000),
            ..base.clone()
        };
        let mut cells = DimCells::default();
        for t in [&base, &chat, &chat] {
            cells.add_record(t, &t.facts(), rules);
        }
        let rows = cells.into_rows();
        let month = day_number(chrono::NaiveDate::from_ymd_opt(2023, 11, 1).unwrap());
        let row = |base, base_value: &str| {
            let key = DimKey {
                month,
                dim: ExtraDimension::Agent,
                value: "ana".into(),
                base,
                base_value: base_value.into(),
            };
            rows[&key].clone()
        };
        let mut by_channel = row(Some(Dimension::Channel), "email");
        by_channel.merge(&row(Some(Dimension::Channel), "chat"));
        let alone = row(None, "");
        assert_eq!((alone.tickets, alone.frt_n, alone.frt_sum_s), (3, 3, 1_000 + 2 * 9_000));
        assert_eq!(alone, by_channel);
        assert_eq!(
            alone.frt_sketch.quantile(0.5),
            row(Some(Dimension::Team), "Tier 1").frt_sketch.quantile(0.5)
        );
    }
}
