//! What a write adds to the rollups, accumulated from the records as they
//! are written instead of read back from the tickets afterwards: a new
//! ticket only adds to its cells, so its contribution is known from the
//! record itself. An updated ticket's old contribution has to leave its old
//! cells, so the days an update touches are recomputed from the raw tickets.
//!
//! Memory follows the distinct cells (days × channel × category × team,
//! months × agent/priority/product × …) and their sketches, not the number
//! of tickets. Past [`MAX_BYTES`] the collected daily cells are set aside,
//! as they are, in the pending table, and collection starts again; at the
//! end they are folded into the rollup a day at a time, so memory stays
//! bounded and each stored row is rewritten once, however the file is
//! ordered. (Merging into the rollups at each bound instead rewrote every
//! month each time for a file out of time order.)
//!
//! The dimension rows are not set aside. At the bound they are added to
//! the rollup while the file comes in time order (most of their months new
//! to this write); once most of them are months added before, the file is
//! out of time order: the rows collected so far are added, and from then
//! on the new tickets are kept in files by month (`dim_spill`), and each
//! month's dimension rows and daily cells are counted from its file and
//! added once at the end. Into empty rollups (a first import) the tickets
//! are kept in files from the first, in whatever order they come; without
//! stored orders the customers' months are counted from the same files.
//! Set aside instead, the dimension rows were most of a large import's
//! work: a file out of time order touches most of its ~300,000 (month,
//! value) rows every few thousand tickets, so each round wrote about one
//! pending row per ticket and row, and the harness's 10M-ticket import
//! spent 38 % of its samples setting rows aside (perf) and peaked at 2.0
//! GB. Counting the months again from the stored tickets instead took a
//! third of that import. The daily cells of such a file were set aside
//! round after round, and folded at commit.

use super::super::cube::{self, CubeFeed};
use super::super::dim_spill::MonthSpill;
use super::super::rollup::{self, Cell, CellKey, CellTable, DayCells, ResolvedCounts, RollupRules};
use super::super::support_months::Counts;
use super::super::{dim_cumulative, dim_rollup};
use crate::models::TicketRecord;
use dim_rollup::DimCells;
use futures_util::StreamExt;
use sqlx::AnyConnection;
use std::collections::{BTreeMap, BTreeSet};

/// Memory the collected cells may take before they are set aside. The demo's
/// 1.1M tickets over 36 months collect ~270 MB of cells (dimension rows
/// hold month-long sketches of ~10 KB each).
const MAX_BYTES: usize = 48 << 20;

pub(super) struct RollupDelta {
    rules: RollupRules,
    cells: DayCells,
    dims: Dims,
    /// Months whose dimension rows were added to the rollup at a bound.
    added_months: BTreeSet<i64>,
    /// Months whose running totals those additions left to refresh.
    unsummed: BTreeSet<i64>,
    /// Collected memory after which the cells are set aside.
    max_bytes: usize,
    /// Days with cells set aside in the pending table.
    pending_days: BTreeSet<i64>,
    /// Days an update moved tickets on or off: recomputed from the tickets.
    recompute: BTreeSet<i64>,
    /// How this write moves the stored counts of tickets resolved on those
    /// days, which are kept, not recounted (`rollup::recompute_days`): the
    /// updates' old versions out, their new ones in, and the new tickets'
    /// cells of those days (left out of what is added) in.
    resolved_moves: ResolvedCounts,
    /// The daily rollup and the cube held no row when the write began: the
    /// cells this write adds are whole days, and the cube can be folded
    /// from them ([`CubeFeed`]). (Not the writer's `began_empty`, which is the tickets'.)
    rollups_began_empty: bool,
    /// Whether the customers' months are counted from the month files
    /// ([`Self::count_customers`]).
    customers: bool,
}

/// The dimension rows of new tickets: counted as they come, or for a file
/// out of time order, counted a month at a time at the end.
enum Dims {
    Counted(DimCells),
    Kept(MonthSpill),
}

impl RollupDelta {
    pub(super) fn new(rules: RollupRules, rollups_began_empty: bool) -> RollupDelta {
        // Into empty rollups every ticket is kept in the files, whatever
        // the file's order: their months are counted at the end beside the
        // writes, and the cube is fed from them. (Counted as they came, a
        // 10M file in time order streamed in at 1.3 busy cores, not 1.8,
        // and took longer than the same file shuffled.)
        let dims = if rollups_began_empty {
            Dims::Kept(MonthSpill::new())
        } else {
            Dims::Counted(DimCells::default())
        };
        RollupDelta {
            rules,
            cells: DayCells::default(),
            dims,
            added_months: BTreeSet::new(),
            unsummed: BTreeSet::new(),
            max_bytes: MAX_BYTES,
            pending_days: BTreeSet::new(),
            recompute: BTreeSet::new(),
            resolved_moves: ResolvedCounts::new(),
            rollups_began_empty,
            customers: false,
        }
    }

    /// Counts the customers' months of the new tickets from the month
    /// files, for a write into empty tickets without stored orders (see
    /// `support_months::replace_all`); only where the files keep every
    /// ticket, from the first. [`Self::apply`] then returns them.
    pub(super) fn count_customers(&mut self) {
        self.customers = matches!(self.dims, Dims::Kept(_));
    }

    pub(super) fn inserted(&mut self, t: &TicketRecord) {
        match &mut self.dims {
            Dims::Counted(dims) => {
                let facts = t.facts();
                self.cells.add_record(t, &facts, self.rules);
                dims.add_record(t, &facts, self.rules);
            }
            // Its daily cells are counted from the file too.
            Dims::Kept(spill) => spill.push(t, dim_rollup::month_start(self.rules.zone.day_of(t.created_at))),
        }
    }

    /// An update moves the ticket off the days it counted on, onto its new ones.
    pub(super) fn updated(&mut self, old: &TicketRecord, new: &TicketRecord) {
        for (t, moved) in [(old, -1), (new, 1)] {
            let day_of = |at: i64| self.rules.zone.day_of(at);
            self.recompute.insert(day_of(t.created_at));
            if let Some(day) = t.resolved_at.map(day_of) {
                self.recompute.insert(day);
                let key = CellKey {
                    day,
                    channel: t.channel.clone(),
                    category: t.category.clone(),
                    team: t.team.clone(),
                };
                *self.resolved_moves.entry(key).or_default() += moved;
            }
        }
    }

    /// Sets the collected memory after which cells are set aside (tests
    /// use a tiny one to take that path on a few tickets).
    pub(super) fn set_aside_after(&mut self, bytes: usize) {
        self.max_bytes = bytes;
    }

    /// Sets the collected cells aside once they pass the bound.
    pub(super) async fn set_aside_if_large(&mut self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        if self.bytes() > self.max_bytes {
            self.set_aside(conn).await?;
        }
        Ok(())
    }

    /// Sets the daily cells aside, and adds the dimension rows to the
    /// rollup, keeping the next tickets by month once the file shows it is
    /// out of time order (see the module's comment).
    async fn set_aside(&mut self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        if let Dims::Counted(dims) = &mut self.dims {
            let rows = std::mem::take(dims).into_rows();
            let months: BTreeSet<i64> = rows.keys().map(|key| key.month).collect();
            let in_time_order = months.intersection(&self.added_months).count() * 2 <= months.len();
            self.unsummed.extend(dim_rollup::add(conn, rows).await?);
            self.added_months.extend(months);
            if !in_time_order {
                self.dims = Dims::Kept(MonthSpill::new());
            }
        }
        let cells = std::mem::take(&mut self.cells).into_cells();
        self.pending_days.extend(cells.keys().map(|k| k.day));
        rollup::write_cells(conn, CellTable::Pending, &cells).await
    }

    /// About what the collected cells hold, keys and map nodes included.
    fn bytes(&self) -> usize {
        self.cells.bytes() + if let Dims::Counted(dims) = &self.dims { dims.bytes() } else { 0 }
    }

    /// Brings the daily rollup, the cube and the dimension rollup up to
    /// date. Cells of days (and months) to be recomputed are left out: the
    /// recomputation counts them. Returns the customers' months if they
    /// were to be counted ([`Self::count_customers`]) and no ticket was
    /// updated (the files keep each ticket as first written).
    pub(super) async fn apply(mut self, conn: &mut AnyConnection) -> Result<Option<Counts>, sqlx::Error> {
        if !self.pending_days.is_empty() {
            self.set_aside(conn).await?;
        }
        let RollupDelta {
            rules,
            cells,
            dims,
            pending_days,
            recompute,
            mut resolved_moves,
            unsummed: added_unsummed,
            rollups_began_empty,
            customers: count_customers,
            ..
        } = self;
        let count_customers = count_customers && recompute.is_empty();
        let mut customers = Counts::default();
        let mut cells = cells.into_cells();
        let recomputed_months = dim_rollup::months_of(&recompute);
        leave_out_days(&mut cells, &recompute, &mut resolved_moves);
        rollup::add_cells(conn, &cells).await?;
        // Before any refold below: a refold writes what it reads, delta included.
        let mut refold = pending_days.clone();
        refold.extend(&recompute);
        if cells.len() <= cube::FEW_CELLS {
            cube::add(conn, &cells).await?;
        } else {
            refold.extend(cells.keys().map(|key| key.day));
        }
        // The months whose running totals are left to refresh.
        let mut unsummed = recomputed_months.clone();
        unsummed.extend(added_unsummed);
        // The months whose quarters and years are left to refold: one pass
        // for all of them, rather than rewriting a year's rows per month.
        let mut months_to_refold = recomputed_months.clone();
        // Days whose cells set aside are left to add to the rollup.
        let mut unfolded: BTreeSet<i64> = pending_days.difference(&recompute).copied().collect();
        // Days whose cube rows were folded from the cells as they were written.
        let mut fed = BTreeSet::new();
        match dims {
            Dims::Counted(dims) => {
                let mut rows = dims.into_rows();
                rows.retain(|key, _| !recomputed_months.contains(&key.month));
                unsummed.extend(dim_rollup::add(conn, rows).await?);
            }
            Dims::Kept(mut spill) => {
                // Cells of days after the month counted (resolved then) wait for their month.
                let mut later: BTreeMap<CellKey, Cell> = BTreeMap::new();
                // The cells set aside before the file showed its order join
                // their days' cells as those are written: each day is written
                // once, not read back, merged and written again.
                let mut set_aside: BTreeSet<i64> = std::mem::take(&mut unfolded);
                // Into an empty rollup, each month's cells as written are the
                // whole of its days: the cube is folded from them, not read back.
                let mut feed = (rollups_began_empty && cells.is_empty()).then(CubeFeed::new);
                if feed.is_some() {
                    refold.retain(|day| recompute.contains(day));
                }
                let kept: BTreeSet<i64> = spill.months().collect();
                // The months of cells set aside come in turn too, kept or
                // not: added with the first kept month, every day set aside
                // before it was in memory at once (1.6 GB for a 10M file
                // that showed its order late).
                let aside = set_aside.iter().map(|&day| dim_rollup::month_start(day));
                let months: BTreeSet<i64> = kept.iter().copied().chain(aside).collect();
                let files = months.iter().map(|&month| spill.take(month)).collect::<Result<Vec<_>, _>>();
                // Each month is counted on another thread while the one before is written.
                let mut counted = futures_util::stream::iter(files.map_err(sqlx::Error::Io)?)
                    .map(|file| tokio::task::spawn_blocking(move || file.count(rules, count_customers)))
                    .buffered(2);
                for month in months {
                    let Some(rows) = counted.next().await else { break };
                    let rows = rows
                        .map_err(|e| sqlx::Error::Io(std::io::Error::other(e)))?
                        .map_err(sqlx::Error::Io)?;
                    if kept.contains(&month) && !recomputed_months.contains(&month) {
                        dim_rollup::add_to_months(conn, rows.dims).await?;
                        months_to_refold.insert(month);
                    }
                    for (key, cell) in rows.days {
                        later.entry(key).or_default().merge(&cell);
                    }
                    if let Some(counted) = rows.customers {
                        customers.absorb(counted);
                    }
                    let next_month = dim_rollup::month_end(month) + 1;
                    let later_cells = later.split_off(&CellKey::first_of(next_month));
                    let due = std::mem::replace(&mut later, later_cells);
                    let later_aside = set_aside.split_off(&next_month);
                    let due_aside = std::mem::replace(&mut set_aside, later_aside);
                    let through = next_month - 1;
                    let recomputed = (&recompute, &mut resolved_moves);
                    add_cells_but(conn, due, &due_aside, recomputed, &mut refold, feed.as_mut(), through)
                        .await?;
                }
                let recomputed = (&recompute, &mut resolved_moves);
                add_cells_but(conn, later, &set_aside, recomputed, &mut refold, feed.as_mut(), i64::MAX)
                    .await?;
                if let Some(feed) = feed {
                    fed = feed.finish(conn).await?;
                }
            }
        }
        fold_pending(conn, &unfolded).await?;
        if !pending_days.is_empty() {
            // What was set aside on the days recomputed is counted there.
            for &day in pending_days.intersection(&recompute) {
                let mut cells = BTreeMap::new();
                rollup::merge_rows(&mut cells, CellTable::Pending, (day, day), conn).await?;
                leave_out_days(&mut cells, &recompute, &mut resolved_moves);
            }
            sqlx::query("DELETE FROM daily_rollup_pending").execute(&mut *conn).await?;
        }
        rollup::recompute_days(conn, &recompute, rules, &resolved_moves).await?;
        cube::refold(conn, &refold).await?;
        fed.extend(&refold);
        cube::refold_quarters_and_years(conn, &fed).await?;
        dim_rollup::refresh(conn, &recomputed_months, rules).await?;
        // `add` kept the quarters and years of what it added; `add_to_months` left them.
        dim_rollup::refresh_quarters_and_years(conn, &months_to_refold).await?;
        unsummed.extend(months_to_refold);
        dim_cumulative::refresh(conn, &unsummed).await?;
        Ok(count_customers.then_some(customers))
    }
}

/// Adds `cells`, with the cells set aside on the days `set_aside`, to the
/// daily rollup, leaving out those of days to be recomputed, and hands
/// them to the cube's feed (as the days up to `through`), or without one
/// notes their days for the cube's refold.
async fn add_cells_but(
    conn: &mut AnyConnection,
    mut cells: BTreeMap<CellKey, Cell>,
    set_aside: &BTreeSet<i64>,
    (recompute, resolved_moves): (&BTreeSet<i64>, &mut ResolvedCounts),
    refold: &mut BTreeSet<i64>,
    feed: Option<&mut CubeFeed>,
    through: i64,
) -> Result<(), sqlx::Error> {
    // A day at a time, as in `fold_pending`.
    for &day in set_aside {
        rollup::merge_rows(&mut cells, CellTable::Pending, (day, day), conn).await?;
    }
    leave_out_days(&mut cells, recompute, resolved_moves);
    rollup::add_cells(conn, &cells).await?;
    match feed {
        Some(feed) => feed.add(conn, cells, through).await,
        None => {
            refold.extend(cells.keys().map(|key| key.day));
            Ok(())
        }
    }
}

/// Leaves out of `cells` those of the days to be recomputed, keeping what
/// they count as resolved on those days in `resolved_moves`: the
/// recomputation counts their created tickets from the tickets table, but
/// not their resolved ones.
fn leave_out_days(
    cells: &mut BTreeMap<CellKey, Cell>,
    recompute: &BTreeSet<i64>,
    resolved_moves: &mut ResolvedCounts,
) {
    cells.retain(|key, cell| {
        let kept = !recompute.contains(&key.day);
        if !kept && cell.resolved_on_day != 0 {
            *resolved_moves.entry(key.clone()).or_default() += cell.resolved_on_day;
        }
        kept
    });
}

/// Adds the cells set aside on `days` to the daily rollup.
///
/// A day at a time: a file out of time order sets every day's cells aside
/// once per round, so what is pending for one day grows with the file, and
/// a month of daily cells read at once was most of such an import's peak.
async fn fold_pending(conn: &mut AnyConnection, days: &BTreeSet<i64>) -> Result<(), sqlx::Error> {
    for &day in days {
        let mut cells = BTreeMap::new();
        rollup::merge_rows(&mut cells, CellTable::Pending, (day, day), conn).await?;
        rollup::add_cells(conn, &cells).await?;
    }
    Ok(())
}
