//! The rollup cube: the daily rollup folded to every combination of its
//! dimensions ("all channels", "channel = chat", "chat × delivery"…), per
//! day, week, month, quarter and year (migration 0005). A question filtered or
//! grouped by any dimensions reads exactly one row per period and group, so
//! its cost follows the length of the answer, not the volume or age of the
//! data: a 36-month company trend is 36 rows, whatever the ticket count, and
//! a matrix over three whole years merges three rows per cell.
//!
//! Ingest keeps it current: after the daily rollup of some days is rebuilt,
//! those days, their months and weeks are refolded here from the daily
//! cells, and their quarters and years from the refolded months; a few new
//! tickets' cells are added to the rows they fall in instead ([`add`]); a
//! large first import hands over each month's cells as it writes them, and
//! the rows are folded from those ([`CubeFeed`]).

use super::names::Names;
use super::packed::{self, counters_of, AnyQuery, COUNTERS};
use super::read_cache;
use super::rollup::{self, Cell, CellKey, CellTable, GrowingCell};
use super::sql::{insert_rows, Params, Values};
use super::{alongside, Db};
use crate::kpi::period::{date_of, day_number, Grain, Period, FIRST_PLAUSIBLE_DAY};
use crate::kpi::sketch::Sketches;
use crate::kpi::StoredMedians;
use crate::models::{Dimension, Filters};
use chrono::{Datelike, NaiveDate};
use futures_util::future::BoxFuture;
use rustc_hash::FxHashMap;
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, BTreeSet};

/// How finely a cube row's bucket cuts time; a row's bucket is the first
/// day of its period. Weeks (Monday to Sunday) cut across months and years.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Day = 0,
    Month = 1,
    Year = 2,
    Week = 3,
    Quarter = 4,
}

impl Level {
    /// The first day of the bucket holding `day`.
    pub(super) fn start(self, day: i64) -> i64 {
        let date = date_of(day);
        match self {
            Level::Day => day,
            Level::Week => day_number(Period::containing(Grain::Week, date).start),
            Level::Month => day_number(Period::containing(Grain::Month, date).start),
            Level::Quarter => day_number(Period::containing(Grain::Quarter, date).start),
            Level::Year => day_number(date.with_ordinal(1).expect("every year has a first day")),
        }
    }

    /// The last day of the bucket holding `day`.
    pub(super) fn last(self, day: i64) -> i64 {
        match self {
            Level::Day => day,
            Level::Week => self.start(day) + 6,
            Level::Month => day_number(Period::containing(Grain::Month, date_of(day)).last_day()),
            Level::Quarter => day_number(Period::containing(Grain::Quarter, date_of(day)).last_day()),
            Level::Year => day_number(
                NaiveDate::from_ymd_opt(date_of(day).year(), 12, 31).expect("every year has a last day"),
            ),
        }
    }

    /// The level a range's ends, short of a whole bucket, are read at. A
    /// month's end is read as the whole weeks inside it, then days: a few
    /// rows instead of up to 30 (weeks cross months, but only weeks inside
    /// the range are read).
    fn finer(self) -> Option<Level> {
        match self {
            Level::Day => None,
            Level::Week => Some(Level::Day),
            Level::Month => Some(Level::Week),
            Level::Quarter => Some(Level::Month),
            Level::Year => Some(Level::Quarter),
        }
    }

    /// Days a bucket spans, about: what orders levels from fine to coarse.
    pub(super) fn days(self) -> i64 {
        match self {
            Level::Day => 1,
            Level::Week => 7,
            Level::Month => 30,
            Level::Quarter => 91,
            Level::Year => 365,
        }
    }
}

/// The bit of a dimension in a row's `dims`.
pub(super) fn bit(dimension: Dimension) -> i64 {
    match dimension {
        Dimension::Channel => 1,
        Dimension::Category => 2,
        Dimension::Team => 4,
    }
}

/// The cube's two tables, with the same keys: counters, and the sketches
/// kept apart so that reads of counters stay a few pages (migration 0018).
const TABLES: [&str; 2] = ["rollup_cube", "rollup_cube_sketches"];

/// The dims of the rows that keep every dimension.
const ALL_DIMS: usize = 7;

/// The rows that answer a question split by `group_by` and filtered by
/// `filters`: split by both, so that the filter can select them.
pub(super) fn dims_for(filters: &Filters, group_by: &[Dimension]) -> i64 {
    let filtered = [
        (Dimension::Channel, &filters.channel),
        (Dimension::Category, &filters.category),
        (Dimension::Team, &filters.team),
    ]
    .into_iter()
    .filter(|(_, value)| value.is_some())
    .map(|(d, _)| bit(d));
    group_by.iter().map(|&d| bit(d)).chain(filtered).fold(0, |all, b| all | b)
}

/// Refolds the cube rows of `days` and of their weeks, months, quarters and years.
pub async fn refresh(conn: &mut AnyConnection, days: &BTreeSet<i64>) -> Result<(), sqlx::Error> {
    refold(conn, days).await?;
    refold_quarters_and_years(conn, days).await
}

/// Refolds the cube rows of `days` and of their weeks and months from the daily rollup.
pub(super) async fn refold(conn: &mut AnyConnection, days: &BTreeSet<i64>) -> Result<(), sqlx::Error> {
    if let (Some(&first), Some(&last)) = (days.first(), days.last()) {
        // Weeks, months, quarters and years hold their days: dropping the
        // cached buckets over these days drops theirs too.
        read_cache::bump(conn, (first, last)).await?;
    }
    let mut months: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for &day in days {
        let span = months.entry(Level::Month.start(day)).or_insert((day, day));
        span.0 = span.0.min(day);
        span.1 = span.1.max(day);
    }
    let weeks: BTreeSet<i64> = days.iter().map(|&day| Level::Week.start(day)).collect();
    let mut weeks_left = weeks.clone();
    // Each month is folded on a thread of its own while the database
    // writes the month before and reads the next.
    let mut folding = None;
    for (start, touched) in months {
        let last = Level::Month.last(start);
        // The days of a touched week that crosses the month's first or last
        // day are read with the month's, so that each daily row is read once
        // for its day, week and month (twice on such a week's edge).
        let (first_week, last_week) = (Level::Week.start(start), Level::Week.start(last));
        let from = if weeks.contains(&first_week) { first_week } else { start };
        let to = if weeks.contains(&last_week) { Level::Week.last(last_week) } else { last };
        let mut daily = BTreeMap::new();
        rollup::merge_rows(&mut daily, CellTable::Rollup, (from, to), conn).await?;
        let here: BTreeSet<i64> = weeks_left.range(first_week..=last).copied().collect();
        weeks_left.retain(|week| !here.contains(week));
        let next = alongside(move || MonthRefold::fold(start, touched, here, &daily));
        if let Some(done) = folding.replace(next) {
            done.await?.replace(conn).await?;
        }
    }
    if let Some(done) = folding {
        done.await?.replace(conn).await?;
    }
    Ok(())
}

/// Refolds the cube rows of the quarters and years of `days` from their
/// months, once those are folded.
pub(super) async fn refold_quarters_and_years(
    conn: &mut AnyConnection,
    days: &BTreeSet<i64>,
) -> Result<(), sqlx::Error> {
    for level in [Level::Quarter, Level::Year] {
        for bucket in days.iter().map(|&day| level.start(day)).collect::<BTreeSet<_>>() {
            let months = full_rows(conn, Level::Month, (bucket, level.last(bucket))).await?;
            replace_bucket(conn, level, bucket, &months).await?;
        }
    }
    Ok(())
}

/// One month's part of [`refresh`]: the rows of the month, of its touched
/// days and of the weeks refolded with it, folded from its daily cells.
struct MonthRefold {
    month: i64,
    /// The first and last touched day.
    touched: (i64, i64),
    weeks: BTreeSet<i64>,
    rows: CubeRows,
}

impl MonthRefold {
    /// Folds `daily`, the cells of the month starting on `month` and of the
    /// days of `weeks` outside it.
    fn fold(month: i64, touched: (i64, i64), weeks: BTreeSet<i64>, daily: &BTreeMap<CellKey, Cell>) -> Self {
        let mut rows = BTreeMap::new();
        let in_month = daily.iter().filter(|(key, _)| (month..=Level::Month.last(month)).contains(&key.day));
        fold(Level::Month, in_month.map(|(key, cell)| (month, key, cell)), &mut rows);
        let in_touched = daily.iter().filter(|(key, _)| (touched.0..=touched.1).contains(&key.day));
        fold(Level::Day, in_touched.map(|(key, cell)| (key.day, key, cell)), &mut rows);
        let in_weeks = daily
            .iter()
            .map(|(key, cell)| (Level::Week.start(key.day), key, cell))
            .filter(|(week, _, _)| weeks.contains(week));
        fold(Level::Week, in_weeks, &mut rows);
        MonthRefold { month, touched, weeks, rows }
    }

    /// Replaces the stored rows of the refolded buckets with these.
    async fn replace(self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        delete(conn, Level::Month, (self.month, self.month)).await?;
        delete(conn, Level::Day, self.touched).await?;
        for &week in &self.weeks {
            delete(conn, Level::Week, (week, week)).await?;
        }
        write(conn, &self.rows).await
    }
}

/// Folds the cube from daily cells handed over in day order, as an import
/// writes them into a daily rollup (and cube) that began empty: the rows of
/// every day, week and month come from the cells in memory, and none of the
/// daily rows just written is read back. The quarters and years are left
/// to [`refold_quarters_and_years`] over [`Self::finish`]'s days.
pub(super) struct CubeFeed {
    /// The last day of the cells handed over so far.
    through: i64,
    /// Every day handed over.
    days: BTreeSet<i64>,
    /// The fold of the last cells handed over, written at the next
    /// hand-over, with the cells of days whose week or month is not whole yet.
    folding: Option<BoxFuture<'static, Result<FoldedWhole, sqlx::Error>>>,
}

impl CubeFeed {
    pub(super) fn new() -> CubeFeed {
        CubeFeed { through: i64::MIN, days: BTreeSet::new(), folding: None }
    }

    /// Hands over the cells of the days after those handed over before, up
    /// to `through` (`i64::MAX`: every day left), each day's cells whole,
    /// once the rows of the cells before are written. Their fold runs on
    /// another thread while the import writes the next month's daily rows.
    pub(super) async fn add(
        &mut self,
        conn: &mut AnyConnection,
        cells: BTreeMap<CellKey, Cell>,
        through: i64,
    ) -> Result<(), sqlx::Error> {
        self.days.extend(cells.keys().map(|key| key.day));
        let (folded, mut open) = match self.folding.take() {
            Some(folding) => folding.await?,
            None => Default::default(),
        };
        // Written before the next fold starts, so that memory holds one month's rows, not two.
        write(conn, &folded).await?;
        drop(folded);
        open.extend(cells);
        let before = std::mem::replace(&mut self.through, through);
        self.folding = Some(Box::pin(alongside(move || fold_whole(open, before, through))));
        Ok(())
    }

    /// Writes the last fold, and gives the days handed over.
    pub(super) async fn finish(mut self, conn: &mut AnyConnection) -> Result<BTreeSet<i64>, sqlx::Error> {
        self.add(conn, BTreeMap::new(), i64::MAX).await?;
        if let Some(folding) = self.folding.take() {
            let (rows, _) = folding.await?;
            write(conn, &rows).await?;
        }
        if let (Some(&first), Some(&last)) = (self.days.first(), self.days.last()) {
            read_cache::bump(conn, (first, last)).await?;
        }
        Ok(self.days)
    }
}

/// The rows [`fold_whole`] folded, and the cells it left open.
type FoldedWhole = (CubeRows, BTreeMap<CellKey, Cell>);

/// The rows of the days, weeks and months of `open` that end after
/// `before` and by `through`, and the cells still wanted: those of weeks
/// or months that end after `through`.
fn fold_whole(mut open: BTreeMap<CellKey, Cell>, before: i64, through: i64) -> FoldedWhole {
    let ends_by = |level: Level, day: i64| through == i64::MAX || level.last(day) <= through;
    let now_whole = |level: Level, day: i64| ends_by(level, day) && level.last(day) > before;
    let mut rows = CubeRows::new();
    for level in [Level::Day, Level::Week, Level::Month] {
        let whole = open.iter().filter(|(key, _)| now_whole(level, key.day));
        fold(level, whole.map(|(key, cell)| (level.start(key.day), key, cell)), &mut rows);
    }
    open.retain(|key, _| !(ends_by(Level::Week, key.day) && ends_by(Level::Month, key.day)));
    (rows, open)
}

/// Replaces the rows of the `level` bucket starting on `bucket` with the
/// fold of `cells`, all of which fall in it.
async fn replace_bucket(
    conn: &mut AnyConnection,
    level: Level,
    bucket: i64,
    cells: &BTreeMap<CellKey, Cell>,
) -> Result<(), sqlx::Error> {
    let mut folded = BTreeMap::new();
    fold(level, cells.iter().map(|(key, cell)| (bucket, key, cell)), &mut folded);
    delete(conn, level, (bucket, bucket)).await?;
    write(conn, &folded).await
}

/// Deletes the rows of `level` whose buckets start in `first..=last`.
async fn delete(
    conn: &mut AnyConnection,
    level: Level,
    (first, last): (i64, i64),
) -> Result<(), sqlx::Error> {
    for table in TABLES {
        // The table's name is one of two constants: no SQL from input.
        let sql = format!(
            "DELETE FROM {table} WHERE level = $1 AND dims IN (0, 1, 2, 3, 4, 5, 6, 7) \
             AND bucket >= $2 AND bucket <= $3"
        );
        sqlx::query(&sql).bind(level as i64).bind(first).bind(last).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Cube rows of one level and dims: by bucket and the numbers of their
/// channel, category and team.
type Keyed<T> = FxHashMap<(i64, [u32; 3]), T>;

/// Cube rows by level, dims and key.
type CubeRows = BTreeMap<(Level, i64, CellKey), Cell>;

/// A cube row while it is folded. A row of one cell (a day's row that
/// keeps every dimension, most of a month's) is that cell, copied when
/// done rather than grown into dense counts and shrunk back.
enum Folding<'a> {
    One(&'a Cell),
    Many(Box<GrowingCell>),
}

impl<'a> Folding<'a> {
    fn add(&mut self, cell: &'a Cell) {
        match self {
            Folding::One(first) => {
                let mut many = Box::<GrowingCell>::default();
                many.add(first);
                many.add(cell);
                *self = Folding::Many(many);
            }
            Folding::Many(many) => many.add(cell),
        }
    }

    fn into_cell(self) -> Cell {
        match self {
            Folding::One(cell) => cell.clone(),
            Folding::Many(many) => many.into_cell(),
        }
    }
}

/// Folds `cells`, rows that keep every dimension each given with the
/// bucket it falls in, into the rows of `level` of every dims, added to `out`.
///
/// Only the rows that keep all three dimensions are folded from the cells;
/// every other dims is folded from the rows of a dims with one more
/// dimension. Sums and sketch merges give the same totals either way, and
/// those rows are fewer: merging every daily cell into all eight month rows
/// it belongs to was most of an import's cost here. Rows are keyed by
/// numbered texts while folding ([`Names`]).
fn fold<'a>(level: Level, cells: impl IntoIterator<Item = (i64, &'a CellKey, &'a Cell)>, out: &mut CubeRows) {
    let mut names = Names::default();
    let blank = names.number("");
    let mut all: Keyed<Folding> = FxHashMap::default();
    for (bucket, key, cell) in cells {
        let ids = [&key.channel, &key.category, &key.team].map(|name| names.number(name));
        all.entry((bucket, ids)).and_modify(|row| row.add(cell)).or_insert(Folding::One(cell));
    }
    let mut folded: [Keyed<Cell>; 8] = Default::default();
    folded[ALL_DIMS] = finish(all);
    for dims in (0..ALL_DIMS).rev() {
        // Keep one more dimension: the lowest one `dims` leaves out.
        let finer = dims | (!dims & (dims + 1));
        let mut coarse: Keyed<Folding> = FxHashMap::default();
        for (&(bucket, ids), cell) in &folded[finer] {
            // `ids` are in the order of the bits of [`bit`]: channel 1, category 2, team 4.
            let kept = [0, 1, 2].map(|i| if dims & (1 << i) != 0 { ids[i] } else { blank });
            coarse.entry((bucket, kept)).and_modify(|row| row.add(cell)).or_insert(Folding::One(cell));
        }
        folded[dims] = finish(coarse);
    }
    for (dims, rows) in folded.into_iter().enumerate() {
        for ((bucket, ids), cell) in rows {
            out.insert((level, dims as i64, CellKey::named(bucket, ids, &names)), cell);
        }
    }
}

fn finish(rows: Keyed<Folding>) -> Keyed<Cell> {
    rows.into_iter().map(|(key, row)| (key, row.into_cell())).collect()
}

/// Empties the cube (before the whole rollup is rebuilt).
pub async fn clear(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    read_cache::bump(conn, read_cache::ALL_DAYS).await?;
    for table in TABLES {
        sqlx::query(&format!("DELETE FROM {table}")).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Builds the cube of a database whose rollup predates it.
pub async fn build_if_missing(db: &Db) -> Result<(), sqlx::Error> {
    let cube = sqlx::query("SELECT 1 AS x FROM rollup_cube LIMIT 1").fetch_optional(&db.pool).await?;
    if cube.is_some() {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    let rows = sqlx::query("SELECT DISTINCT day FROM daily_rollup").fetch_all(&mut *tx).await?;
    let days = rows.iter().map(|r| r.try_get("day")).collect::<Result<BTreeSet<i64>, _>>()?;
    refresh(&mut tx, &days).await?;
    tx.commit().await
}

/// Writes the rows' counters and, into a table of their own, their sketches.
async fn write(
    conn: &mut AnyConnection,
    cells: &BTreeMap<(Level, i64, CellKey), Cell>,
) -> Result<(), sqlx::Error> {
    let entries: Vec<_> = cells.iter().collect();
    let counters = |values: &str| {
        format!(
            "INSERT INTO rollup_cube (level, dims, bucket, channel, category, team, resolved_on_day, \
             {COUNTERS}, frt_median_h_bits, resolution_median_h_bits) VALUES {values}"
        )
    };
    insert_rows(conn, &entries, 27, counters, |v, ((level, dims, key), cell)| {
        let t = &cell.totals;
        add_key(v, *level, *dims, key).add(cell.resolved_on_day);
        for counter in counters_of(t) {
            v.add(counter);
        }
        v.add(t.frt_sketch.quantile(0.5).map(median_bits))
            .add(t.resolution_sketch.quantile(0.5).map(median_bits));
    })
    .await?;
    let sketches = |values: &str| {
        format!(
            "INSERT INTO rollup_cube_sketches (level, dims, bucket, channel, category, team, frt_sketch, \
             resolution_sketch) VALUES {values}"
        )
    };
    insert_rows(conn, &entries, 8, sketches, |v, ((level, dims, key), cell)| {
        let t = &cell.totals;
        add_key(v, *level, *dims, key).add(t.frt_sketch.to_bytes()).add(t.resolution_sketch.to_bytes());
    })
    .await
}

/// A median as stored: the bits of its `f64`, which JSON carries exactly
/// as an integer (SQLite writes a REAL into JSON with 15 digits).
fn median_bits(hours: f64) -> i64 {
    hours.to_bits() as i64
}

/// Adds a row's key: level, dims, bucket, channel, category, team.
fn add_key<'v, 'q>(
    values: &'v mut Values<'q>,
    level: Level,
    dims: i64,
    key: &'q CellKey,
) -> &'v mut Values<'q> {
    values
        .add(level as i64)
        .add(dims)
        .add(key.day)
        .add(key.channel.as_str())
        .add(key.category.as_str())
        .add(key.team.as_str())
}

/// Binds a row's key: level, dims, bucket, channel, category, team.
fn bind_key<'q>(query: AnyQuery<'q>, level: Level, dims: i64, key: &CellKey) -> AnyQuery<'q> {
    query
        .bind(level as i64)
        .bind(dims)
        .bind(key.day)
        .bind(key.channel.clone())
        .bind(key.category.clone())
        .bind(key.team.clone())
}

/// `select`, a SELECT of cube rows up to its WHERE, over each of `spans`
/// spans, then `tail` (a GROUP BY, or nothing), joined by UNION ALL: one
/// statement instead of one per span, each of which cost a round trip to
/// the database's thread. Each span's filter takes its level, dims, first
/// and last bucket and the three filters ([`bind_spans`]).
fn over_spans(params: Params, select: &str, tail: &str, spans: usize) -> String {
    (0..spans)
        .map(|i| {
            let p = |n: usize| params.placeholder(7 * i + n);
            format!(
                "{select} WHERE level = {} AND dims = {} AND bucket >= {} AND bucket <= {} \
                 AND channel = COALESCE({}, channel) AND category = COALESCE({}, category) \
                 AND team = COALESCE({}, team) {tail}",
                p(1),
                p(2),
                p(3),
                p(4),
                p(5),
                p(6),
                p(7)
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
}

/// Binds the parameters of [`over_spans`].
fn bind_spans<'q>(
    query: AnyQuery<'q>,
    spans: &[(Level, i64, i64)],
    dims: i64,
    filters: &Filters,
) -> AnyQuery<'q> {
    spans.iter().fold(query, |query, &(level, from, to)| {
        query
            .bind(level as i64)
            .bind(dims)
            .bind(from)
            .bind(to)
            .bind(filters.channel.clone())
            .bind(filters.category.clone())
            .bind(filters.team.clone())
    })
}

/// The cube rows of `spans` with their totals, read packed (see
/// [`packed`]): `select` and `tail` as [`over_spans`] takes them, selecting
/// the `sketches` wanted.
async fn read_spans_totals(
    db: &Db,
    (select, tail): (&str, &str),
    spans: &[(Level, i64, i64)],
    dims: i64,
    filters: &Filters,
    sketches: Sketches,
) -> Result<Vec<(CellKey, Cell)>, sqlx::Error> {
    if spans.is_empty() {
        return Ok(Vec::new());
    }
    let keys = [
        "bucket",
        "channel",
        "category",
        "team",
        "resolved_on_day",
        "frt_median_h_bits",
        "resolution_median_h_bits",
    ];
    let sql = over_spans(Params::of_backend(db.backend), select, tail, spans.len());
    let rows = if sketches.any() {
        let mut conn = db.pool.acquire().await?;
        packed::rows_with_sketches(&mut conn, &sql, &keys, sketches, |q| bind_spans(q, spans, dims, filters))
            .await?
    } else {
        packed::totals_rows(db, &sql, &keys, |q| bind_spans(q, spans, dims, filters)).await?
    };
    let median = |bits: Option<i64>| bits.map(|b| f64::from_bits(b as u64));
    Ok(rows
        .into_iter()
        .map(|((day, channel, category, team, resolved_on_day, frt, resolution), mut totals)| {
            totals.medians = Some(StoredMedians { frt_h: median(frt), resolution_h: median(resolution) });
            (CellKey { day, channel, category, team }, Cell { totals, resolved_on_day })
        })
        .collect())
}

/// A cube row's key and counters.
macro_rules! cell_columns {
    () => {
        "SELECT bucket, channel, category, team, tickets, resolved, resolved_on_day, frt_n, frt_sum_s, \
         resolution_sum_s, sla_met, fcr, reopened, escalated, csat_n, csat_satisfied, csat_sum, nps_n, \
         nps_promoters, nps_detractors, ces_n, ces_sum, repeat_contacts, frt_median_h_bits, \
         resolution_median_h_bits"
    };
}

/// Cube rows with their counters alone, for [`over_spans`] to filter.
const CELLS: &str = concat!(cell_columns!(), " FROM rollup_cube");

/// Cube rows with their sketches, joined by key, for [`over_spans`] to filter.
const CELLS_WITH_SKETCHES: &str = concat!(
    cell_columns!(),
    ", frt_sketch, resolution_sketch FROM rollup_cube \
     JOIN rollup_cube_sketches USING (level, dims, bucket, channel, category, team)"
);

/// The rows of `level` that keep every dimension, with their sketches, on
/// buckets `first..=last`: what a coarser level is folded from.
async fn full_rows(
    conn: &mut AnyConnection,
    level: Level,
    (first, last): (i64, i64),
) -> Result<BTreeMap<CellKey, Cell>, sqlx::Error> {
    const SQL: &str = concat!(
        cell_columns!(),
        ", frt_sketch, resolution_sketch FROM rollup_cube \
         JOIN rollup_cube_sketches USING (level, dims, bucket, channel, category, team) \
         WHERE level = $1 AND dims = $2 AND bucket >= $3 AND bucket <= $4"
    );
    let keys = ["bucket", "channel", "category", "team", "resolved_on_day"];
    let rows = packed::rows_with_sketches(conn, SQL, &keys, Sketches::BOTH, |q| {
        q.bind(level as i64).bind(ALL_DIMS as i64).bind(first).bind(last)
    })
    .await?;
    Ok(rows
        .into_iter()
        .map(|((day, channel, category, team, resolved_on_day), totals)| {
            (CellKey { day, channel, category, team }, Cell { totals, resolved_on_day })
        })
        .collect())
}

/// Deltas of at most this many daily cells are added to the cube row by
/// row ([`add`]): a ticket posted through the API is one cell.
pub(super) const FEW_CELLS: usize = 8;

/// Adds `delta` (the cells of new tickets, at most [`FEW_CELLS`]) to the
/// cube rows of their days, weeks, months, quarters and years, row by row.
/// Sums stay sums: a few new tickets need not refold their month from its
/// every daily cell, which was most of what posting one ticket cost.
pub async fn add(conn: &mut AnyConnection, delta: &BTreeMap<CellKey, Cell>) -> Result<(), sqlx::Error> {
    // Keys are ordered by day first.
    let (Some((first, _)), Some((last, _))) = (delta.first_key_value(), delta.last_key_value()) else {
        return Ok(());
    };
    read_cache::bump(conn, (first.day, last.day)).await?;
    let mut rows = CubeRows::new();
    for level in [Level::Day, Level::Week, Level::Month, Level::Quarter, Level::Year] {
        fold(level, delta.iter().map(|(key, cell)| (level.start(key.day), key, cell)), &mut rows);
    }
    const ROW: &str = concat!(
        cell_columns!(),
        ", frt_sketch, resolution_sketch FROM rollup_cube \
         JOIN rollup_cube_sketches USING (level, dims, bucket, channel, category, team) \
         WHERE level = $1 AND dims = $2 AND bucket = $3 AND channel = $4 AND category = $5 AND team = $6"
    );
    for ((level, dims, key), cell) in &mut rows {
        let stored: Vec<((i64,), _)> =
            packed::rows_with_sketches(conn, ROW, &["resolved_on_day"], Sketches::BOTH, |q| {
                bind_key(q, *level, *dims, key)
            })
            .await?;
        if let Some(((resolved_on_day,), totals)) = stored.into_iter().next() {
            cell.merge(&Cell { totals, resolved_on_day });
            for table in TABLES {
                // The table's name is one of two constants: no SQL from input.
                let sql = format!(
                    "DELETE FROM {table} WHERE level = $1 AND dims = $2 AND bucket = $3 \
                     AND channel = $4 AND category = $5 AND team = $6"
                );
                bind_key(sqlx::query(&sql), *level, *dims, key).execute(&mut *conn).await?;
            }
        }
    }
    write(conn, &rows).await
}

/// The cube rows of days `first..=last` for a question filtered by `filters`
/// and split by `group_by`: each whole bucket of `coarsest` inside the
/// range as one row (keyed by its first day), the ends finer ([`spans`]).
/// A caller passes the coarsest level whose buckets its periods never cut:
/// days for days, weeks for weeks, months for months, quarters for
/// quarters, years for a single range. Dimensions outside
/// `group_by` and `filters` come back blank. Rows may hold no created
/// tickets, only tickets resolved that day. The cells' sketches outside
/// `sketches` are left empty: only quantiles need them, each its own, and
/// reading and merging them is most of the cost of a long range. Every cell carries its
/// row's stored medians, which answer for as long as it is not merged.
pub async fn cells(
    db: &Db,
    (first, last): (i64, i64),
    coarsest: Level,
    filters: &Filters,
    group_by: &[Dimension],
    sketches: Sketches,
) -> Result<Vec<(CellKey, Cell)>, sqlx::Error> {
    cells_over(db, &[(first, last)], coarsest, filters, group_by, sketches).await
}

/// As [`cells`] over several ranges of days (apart, in order), in one read.
pub async fn cells_over(
    db: &Db,
    ranges: &[(i64, i64)],
    coarsest: Level,
    filters: &Filters,
    group_by: &[Dimension],
    sketches: Sketches,
) -> Result<Vec<(CellKey, Cell)>, sqlx::Error> {
    let spans = ranges.iter().flat_map(|&(first, last)| spans(first, last, coarsest)).collect();
    read_cells(db, spans, dims_for(filters, group_by), filters, sketches).await
}

/// As [`cells`] for a question by periods of `coarsest` (weeks or months),
/// in two reads at once: the whole periods without sketches, since each is
/// one row per group whose stored medians answer, and the range's ragged
/// ends, which merge into their periods, with `sketches`.
pub async fn period_cells(
    db: &Db,
    (first, last): (i64, i64),
    coarsest: Level,
    filters: &Filters,
    group_by: &[Dimension],
    sketches: Sketches,
) -> Result<Vec<(CellKey, Cell)>, sqlx::Error> {
    let dims = dims_for(filters, group_by);
    let (whole, ends): (Vec<_>, Vec<_>) =
        spans(first, last, coarsest).into_iter().partition(|&(level, _, _)| level == coarsest);
    let (mut whole, ends) = futures_util::try_join!(
        read_cells(db, whole, dims, filters, Sketches::NONE),
        read_cells(db, ends, dims, filters, sketches),
    )?;
    whole.extend(ends);
    Ok(whole)
}

/// The cube rows of `spans` for `dims` and `filters`, with `sketches`.
async fn read_cells(
    db: &Db,
    mut spans: Vec<(Level, i64, i64)>,
    dims: i64,
    filters: &Filters,
    sketches: Sketches,
) -> Result<Vec<(CellKey, Cell)>, sqlx::Error> {
    // Coarsest rows first: a finer row's sketch merged into theirs mostly
    // finds its buckets there, so the merge adds counts instead of
    // inserting buckets.
    spans.sort_by_key(|(level, _, _)| std::cmp::Reverse(level.days()));
    let select = if sketches.any() { CELLS_WITH_SKETCHES } else { CELLS };
    read_cache::by_bucket(
        db,
        ("cube cells", format!("{dims}|{filters:?}|{sketches:?}")),
        &spans,
        |(key, _): &(CellKey, Cell)| key.day,
        |(key, cell)| key.bytes() + cell.totals.bytes(),
        |spans| async move { read_spans_totals(db, (select, ""), &spans, dims, filters, sketches).await },
    )
    .await
}

/// The cube rows [`cells`] would read for `first..=last`, summed by the
/// database per group: a few rows however long the range, without sketches.
/// Each comes back keyed by the first bucket it sums.
pub async fn sums(
    db: &Db,
    (first, last): (i64, i64),
    filters: &Filters,
    group_by: &[Dimension],
) -> Result<Vec<(CellKey, Cell)>, sqlx::Error> {
    let dims = dims_for(filters, group_by);
    let select = format!(
        "SELECT MIN(bucket) AS bucket, channel, category, team, {}, \
         CAST(SUM(resolved_on_day) AS BIGINT) AS resolved_on_day, CAST(NULL AS BIGINT) AS frt_median_h_bits, \
         CAST(NULL AS BIGINT) AS resolution_median_h_bits FROM rollup_cube",
        super::read::SUMMED_TOTALS
    );
    let spans = spans(first, last, Level::Year);
    let by_group = "GROUP BY channel, category, team";
    read_cache::whole_range(
        db,
        ("cube sums", format!("{dims}|{filters:?}")),
        (first, last),
        |(key, cell): &(CellKey, Cell)| key.bytes() + cell.totals.bytes(),
        || read_spans_totals(db, (&select, by_group), &spans, dims, filters, Sketches::NONE),
    )
    .await
}

/// Per group: tickets created before `day` and not resolved before it, as
/// sums in the database over one row per year and group. Each comes back
/// keyed by the first plausible day.
pub async fn open_before(
    db: &Db,
    day: i64,
    filters: &Filters,
    group_by: &[Dimension],
) -> Result<Vec<(CellKey, i64)>, sqlx::Error> {
    let dims = dims_for(filters, group_by);
    let first = day_number(FIRST_PLAUSIBLE_DAY);
    let spans = spans(first, day - 1, Level::Year);
    if spans.is_empty() {
        return Ok(Vec::new());
    }
    let select = "SELECT channel, category, team, CAST(SUM(tickets - resolved_on_day) AS BIGINT) AS open \
                  FROM rollup_cube";
    let sql =
        over_spans(Params::of_backend(db.backend), select, "GROUP BY channel, category, team", spans.len());
    let rows = bind_spans(sqlx::query(&sql), &spans, dims, filters).fetch_all(&db.pool).await?;
    rows.iter()
        .map(|row| {
            let key = CellKey {
                day: first,
                channel: row.try_get("channel")?,
                category: row.try_get("category")?,
                team: row.try_get("team")?,
            };
            Ok((key, row.try_get("open")?))
        })
        .collect()
}

/// Whether [`cells`] reads `first..=last` at years as one row per group:
/// a single day, month, quarter or year.
pub fn one_row_per_group(first: i64, last: i64) -> bool {
    matches!(spans(first, last, Level::Year)[..], [(_, from, to)] if from == to)
}

/// Splits `first..=last` into the levels and bucket ranges to read: the
/// whole buckets of `coarsest` inside it, and the ends before and after
/// them split the same way at the next finer level, down to days.
pub(super) fn spans(first: i64, last: i64, coarsest: Level) -> Vec<(Level, i64, i64)> {
    if first > last {
        return Vec::new();
    }
    let Some(finer) = coarsest.finer() else {
        return vec![(Level::Day, first, last)];
    };
    // The first day of the first whole bucket, and the last day of the last one.
    let from = if coarsest.start(first) == first { first } else { coarsest.last(first) + 1 };
    let to = if coarsest.last(last) == last { last } else { coarsest.start(last) - 1 };
    if from > to {
        return spans(first, last, finer);
    }
    let mut out = spans(first, from - 1, finer);
    out.push((coarsest, from, coarsest.start(to)));
    out.extend(spans(to + 1, last, finer));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ops::RangeInclusive;

    fn day(y: i32, m: u32, d: u32) -> i64 {
        day_number(NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    #[test]
    fn cells_handed_over_a_month_at_a_time_fold_as_all_at_once() {
        let cell = |day: i64| {
            let key = CellKey { day, channel: "chat".into(), category: "returns".into(), team: "T1".into() };
            (key, Cell { resolved_on_day: day % 7 + 1, ..Cell::default() })
        };
        // 2025-01-27 is a Monday: its week runs into February.
        let january: BTreeMap<CellKey, Cell> = (day(2025, 1, 20)..=day(2025, 1, 31)).map(cell).collect();
        let february: BTreeMap<CellKey, Cell> = (day(2025, 2, 1)..=day(2025, 2, 10)).map(cell).collect();
        let (mut fed, mut open) = fold_whole(january.clone(), i64::MIN, day(2025, 1, 31));
        let has = |rows: &CubeRows, level: Level, bucket: i64| {
            rows.keys().any(|(l, _, k)| (*l, k.day) == (level, bucket))
        };
        assert!(has(&fed, Level::Month, day(2025, 1, 1)) && has(&fed, Level::Week, day(2025, 1, 20)));
        assert!(!has(&fed, Level::Week, day(2025, 1, 27)), "a week not whole yet");
        assert_eq!(
            open.keys().map(|k| k.day).collect::<Vec<_>>(),
            (day(2025, 1, 27)..=day(2025, 1, 31)).collect::<Vec<_>>()
        );
        open.extend(february.clone());
        let (rest, open) = fold_whole(open, day(2025, 1, 31), i64::MAX);
        assert!(open.is_empty());
        let fed_twice = rest.keys().filter(|key| fed.contains_key(key)).count();
        assert_eq!(fed_twice, 0);
        fed.extend(rest);
        let mut all = january;
        all.extend(february);
        let mut at_once = CubeRows::new();
        for level in [Level::Day, Level::Week, Level::Month] {
            fold(level, all.iter().map(|(key, cell)| (level.start(key.day), key, cell)), &mut at_once);
        }
        let counts = |rows: &CubeRows| {
            rows.iter().map(|(key, cell)| (key.clone(), cell.resolved_on_day)).collect::<Vec<_>>()
        };
        assert_eq!(counts(&fed), counts(&at_once));
    }

    #[test]
    fn a_range_reads_whole_months_as_months_and_the_edges_as_weeks_and_days() {
        // 2025-01-20 is a Monday; no whole week runs from 2025-04-01 to 04-10.
        let spans = spans(day(2025, 1, 20), day(2025, 4, 10), Level::Month);
        assert_eq!(
            spans,
            vec![
                (Level::Week, day(2025, 1, 20), day(2025, 1, 20)),
                (Level::Day, day(2025, 1, 27), day(2025, 1, 31)),
                (Level::Month, day(2025, 2, 1), day(2025, 3, 1)),
                (Level::Day, day(2025, 4, 1), day(2025, 4, 10)),
            ]
        );
        assert_eq!(
            super::spans(day(2025, 2, 1), day(2025, 2, 28), Level::Month),
            vec![(Level::Month, day(2025, 2, 1), day(2025, 2, 1))]
        );
        assert_eq!(
            super::spans(day(2025, 2, 3), day(2025, 2, 20), Level::Month),
            vec![
                (Level::Week, day(2025, 2, 3), day(2025, 2, 10)),
                (Level::Day, day(2025, 2, 17), day(2025, 2, 20))
            ]
        );
        assert_eq!(
            super::spans(day(2025, 2, 3), day(2025, 5, 20), Level::Day),
            vec![(Level::Day, day(2025, 2, 3), day(2025, 5, 20))]
        );
    }

    #[test]
    fn a_long_range_reads_whole_years_then_quarters_months_weeks_and_days() {
        assert_eq!(
            spans(day(2022, 10, 20), day(2025, 5, 3), Level::Year),
            vec![
                // 2022-10-20 is a Thursday: its week's end, a week, then a day.
                (Level::Day, day(2022, 10, 20), day(2022, 10, 23)),
                (Level::Week, day(2022, 10, 24), day(2022, 10, 24)),
                (Level::Day, day(2022, 10, 31), day(2022, 10, 31)),
                (Level::Month, day(2022, 11, 1), day(2022, 12, 1)),
                (Level::Year, day(2023, 1, 1), day(2024, 1, 1)),
                (Level::Quarter, day(2025, 1, 1), day(2025, 1, 1)),
                (Level::Month, day(2025, 4, 1), day(2025, 4, 1)),
                (Level::Day, day(2025, 5, 1), day(2025, 5, 3)),
            ]
        );
        // Inside one year: quarters, months and days only.
        assert_eq!(
            spans(day(2024, 3, 1), day(2024, 12, 31), Level::Year),
            vec![
                (Level::Month, day(2024, 3, 1), day(2024, 3, 1)),
                (Level::Quarter, day(2024, 4, 1), day(2024, 10, 1)),
            ]
        );
        assert_eq!(Level::Quarter.last(day(2024, 11, 5)), day(2024, 12, 31));
        assert_eq!(
            spans(day(2024, 1, 1), day(2024, 12, 31), Level::Year),
            vec![(Level::Year, day(2024, 1, 1), day(2024, 1, 1))]
        );
        assert!(one_row_per_group(day(2024, 1, 1), day(2024, 12, 31)));
        assert!(one_row_per_group(day(2024, 3, 1), day(2024, 3, 31)));
        assert!(one_row_per_group(day(2024, 4, 1), day(2024, 6, 30)));
        assert!(one_row_per_group(day(2024, 3, 5), day(2024, 3, 5)));
        assert!(!one_row_per_group(day(2024, 3, 1), day(2024, 4, 30)));
        assert!(!one_row_per_group(day(2024, 3, 5), day(2024, 3, 6)));
    }

    #[test]
    fn weeks_run_monday_to_sunday_across_months_and_years() {
        // 2024-12-30 is a Monday; its week ends on 2025-01-05.
        assert_eq!(
            spans(day(2024, 12, 28), day(2025, 1, 19), Level::Week),
            vec![
                (Level::Day, day(2024, 12, 28), day(2024, 12, 29)),
                (Level::Week, day(2024, 12, 30), day(2025, 1, 13)),
            ]
        );
        assert_eq!(Level::Week.start(day(2025, 1, 1)), day(2024, 12, 30));
        assert_eq!(Level::Week.last(day(2025, 1, 1)), day(2025, 1, 5));
        assert_eq!(Level::Year.last(day(2024, 6, 30)), day(2024, 12, 31));
        assert_eq!(Level::Month.last(day(2024, 2, 10)), day(2024, 2, 29));
    }

    #[test]
    fn spans_are_read_in_one_statement_their_parameters_numbered_on() {
        let sql = over_spans(Params::Numbered, "SELECT x FROM rollup_cube", "GROUP BY x", 2);
        let branches: Vec<&str> = sql.split(" UNION ALL ").collect();
        assert_eq!(branches.len(), 2);
        assert!(branches[0].starts_with("SELECT x FROM rollup_cube WHERE level = $1 AND dims = $2"));
        assert!(branches[0].ends_with("team = COALESCE($7, team) GROUP BY x"));
        assert!(branches[1].contains("level = $8 AND dims = $9 AND bucket >= $10 AND bucket <= $11"));
        assert!(branches[1].ends_with("team = COALESCE($14, team) GROUP BY x"));
        let anonymous = over_spans(Params::Anonymous, "SELECT x FROM rollup_cube", "", 3);
        assert_eq!(anonymous.matches('?').count(), 21);
    }

    #[test]
    fn rows_are_split_by_the_grouped_and_the_filtered_dimensions() {
        let filters = Filters { team: Some("t".into()), ..Default::default() };
        assert_eq!(dims_for(&Filters::default(), &[]), 0);
        assert_eq!(dims_for(&filters, &[Dimension::Channel]), 1 | 4);
    }

    /// The fold as first written: every daily cell into each of the eight
    /// rows it belongs to, with the dimensions outside `dims` blanked.
    fn fold_each_cell_into_every_row(
        daily: &BTreeMap<CellKey, Cell>,
        start: i64,
        touched: RangeInclusive<i64>,
    ) -> BTreeMap<(Level, i64, CellKey), Cell> {
        let mut out: BTreeMap<(Level, i64, CellKey), Cell> = BTreeMap::new();
        for (key, cell) in daily {
            for dims in 0..8 {
                let keep = |bit: i64, v: &String| if dims & bit != 0 { v.clone() } else { String::new() };
                let blanked = |bucket| CellKey {
                    day: bucket,
                    channel: keep(1, &key.channel),
                    category: keep(2, &key.category),
                    team: keep(4, &key.team),
                };
                out.entry((Level::Month, dims, blanked(start))).or_default().merge(cell);
                if touched.contains(&key.day) {
                    out.entry((Level::Day, dims, blanked(key.day))).or_default().merge(cell);
                }
            }
        }
        out
    }

    #[test]
    fn each_dims_folded_from_a_finer_one_equals_every_cell_folded_into_it() {
        let start = day(2025, 3, 1);
        let mut daily = BTreeMap::new();
        let mut seed = 7_i64;
        for d in 0..5 {
            for (channel, category, team) in [
                ("chat", "delivery", "t1"),
                ("email", "delivery", "t2"),
                ("chat", "refund", "t2"),
                ("phone", "", "t1"),
            ] {
                seed = (seed * 31 + 11) % 997;
                let mut cell = Cell { resolved_on_day: seed % 3, ..Default::default() };
                for n in 0..(seed % 4) {
                    let facts = crate::kpi::TicketFacts {
                        created_at: 0,
                        first_response_at: Some(60 * (seed + n * 17)),
                        resolved_at: (n % 2 == 0).then_some(3600 * (seed + n)),
                        csat: Some(1 + (seed + n) % 5),
                        nps: None,
                        ces: None,
                        first_contact_resolved: n == 0,
                        reopened: false,
                        escalated: n == 1,
                        contacts: 1 + n,
                    };
                    cell.totals.add_ticket(&facts, 86_400);
                }
                let key = CellKey {
                    day: start + d,
                    channel: channel.into(),
                    category: category.into(),
                    team: team.into(),
                };
                daily.insert(key, cell);
            }
        }
        let touched = start + 1..=start + 3;
        let mut folded = BTreeMap::new();
        fold(Level::Month, daily.iter().map(|(key, cell)| (start, key, cell)), &mut folded);
        let days = daily.iter().filter(|(key, _)| touched.contains(&key.day));
        fold(Level::Day, days.map(|(key, cell)| (key.day, key, cell)), &mut folded);
        assert_eq!(folded, fold_each_cell_into_every_row(&daily, start, touched));
        let all = &folded[&(
            Level::Month,
            0,
            CellKey { day: start, channel: "".into(), category: "".into(), team: "".into() },
        )];
        assert_eq!(all.totals.tickets, daily.values().map(|c| c.totals.tickets).sum::<i64>());
    }
}
