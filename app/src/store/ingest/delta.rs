//! What a write adds to the rollups, accumulated from the records as they
//! are written instead of read back from the tickets afterwards: a new
//! ticket only adds to its cells, so its contribution is known from the
//! record itself. An updated ticket's old contribution has to leave its old
//! cells, so the days an update touches are recomputed from the raw tickets.
//!
//! Memory follows the distinct cells (days × channel × category × team,
//! months × agent/priority/product × …) and their sketches, not the number
//! of tickets. Past [`MAX_BYTES`] the collected cells are set aside, as they
//! are, in the pending tables, and collection starts again: a round. At the
//! end the pending cells are folded into the rollups one day or month at a
//! time (a month's dimension rows round by round), so memory stays bounded
//! and each stored row is rewritten once, however the file is ordered. (Merging into the rollups at each bound instead rewrote every
//! month each time for a file out of time order.)

use super::super::rollup::{self, CellTable, DayCells, RollupRules};
use super::super::{cube, dim_cumulative, dim_rollup};
use crate::models::TicketRecord;
use dim_rollup::{DimCells, DimTable};
use sqlx::AnyConnection;
use std::collections::{BTreeMap, BTreeSet};

/// Memory the collected cells may take before they are set aside. The demo's
/// 1.1M tickets over 36 months collect ~270 MB of cells (dimension rows
/// hold month-long sketches of ~10 KB each).
const MAX_BYTES: usize = 48 << 20;

pub(super) struct RollupDelta {
    rules: RollupRules,
    cells: DayCells,
    dims: DimCells,
    /// Collected memory after which the cells are set aside.
    max_bytes: usize,
    /// Days with cells set aside in the pending tables.
    pending_days: BTreeSet<i64>,
    /// How many times cells were set aside.
    rounds: i64,
    /// Days an update moved tickets on or off: recomputed from the tickets.
    recompute: BTreeSet<i64>,
}

impl RollupDelta {
    pub(super) fn new(rules: RollupRules) -> RollupDelta {
        RollupDelta {
            rules,
            cells: DayCells::default(),
            dims: DimCells::default(),
            max_bytes: MAX_BYTES,
            pending_days: BTreeSet::new(),
            rounds: 0,
            recompute: BTreeSet::new(),
        }
    }

    pub(super) fn inserted(&mut self, t: &TicketRecord) {
        let facts = t.facts();
        self.cells.add_record(t, &facts, self.rules);
        self.dims.add_record(t, &facts, self.rules);
    }

    /// An update moves the ticket off the days it counted on, onto its new ones.
    pub(super) fn updated(&mut self, old: &TicketRecord, new: &TicketRecord) {
        for t in [old, new] {
            let day_of = |at: i64| self.rules.zone.day_of(at);
            self.recompute.insert(day_of(t.created_at));
            self.recompute.extend(t.resolved_at.map(day_of));
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

    async fn set_aside(&mut self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        let cells = std::mem::take(&mut self.cells).into_cells();
        let dims = std::mem::take(&mut self.dims);
        // Every ticket adds to the cell of the day it was created, so these
        // days' months hold every dimension row set aside too.
        self.pending_days.extend(cells.keys().map(|k| k.day));
        rollup::write_cells(conn, CellTable::Pending, &cells).await?;
        dim_rollup::write(conn, DimTable::Pending(self.rounds), &dims.into_rows()).await?;
        self.rounds += 1;
        Ok(())
    }

    /// About what the collected cells hold, keys and map nodes included.
    fn bytes(&self) -> usize {
        self.cells.bytes() + self.dims.bytes()
    }

    /// Brings the daily rollup, the cube and the dimension rollup up to
    /// date. Cells of days (and months) to be recomputed are left out: the
    /// recomputation counts them.
    pub(super) async fn apply(mut self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        if !self.pending_days.is_empty() {
            self.set_aside(conn).await?;
        }
        let RollupDelta { rules, cells, dims, pending_days, rounds, recompute, .. } = self;
        let (mut cells, mut dims) = (cells.into_cells(), dims.into_rows());
        let recomputed_months = dim_rollup::months_of(&recompute);
        cells.retain(|key, _| !recompute.contains(&key.day));
        dims.retain(|key, _| !recomputed_months.contains(&key.month));
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
        unsummed.extend(dim_rollup::add(conn, dims).await?);
        if !pending_days.is_empty() {
            tracing::debug!(rounds, days = pending_days.len(), "folding the rollup cells set aside");
            unsummed.extend(fold_pending(conn, &pending_days, rounds, &recompute).await?);
        }
        rollup::recompute_days(conn, &recompute, rules).await?;
        cube::refresh(conn, &refold).await?;
        dim_rollup::refresh(conn, &recomputed_months, rules).await?;
        // `add` kept the quarters and years of what it added.
        dim_rollup::refresh_quarters_and_years(conn, &recomputed_months).await?;
        dim_cumulative::refresh(conn, &unsummed).await
    }
}

/// Adds the cells set aside on `days` in `rounds` rounds to the rollups,
/// leaving out those of days (and months) to be recomputed, then empties
/// the pending tables. Returns the months whose running totals are left to
/// refresh.
///
/// A file out of time order sets every period's cells aside once per round,
/// so what is pending for one period grows with the file: a month of daily
/// cells read at once was most of such an import's peak, and so was a
/// month of dimension rows (2.0 GB for 10M tickets). Daily cells are folded
/// a day at a time; dimension rows a month at a time, read round by round.
async fn fold_pending(
    conn: &mut AnyConnection,
    days: &BTreeSet<i64>,
    rounds: i64,
    recompute: &BTreeSet<i64>,
) -> Result<BTreeSet<i64>, sqlx::Error> {
    let mut unsummed = BTreeSet::new();
    let recomputed_months = dim_rollup::months_of(recompute);
    for &day in days.difference(recompute) {
        let mut cells = BTreeMap::new();
        rollup::merge_rows(&mut cells, CellTable::Pending, (day, day), conn).await?;
        rollup::add_cells(conn, &cells).await?;
    }
    for month in dim_rollup::months_of(days) {
        if !recomputed_months.contains(&month) {
            let mut dims = BTreeMap::new();
            for round in 0..rounds {
                dim_rollup::merge_rows(&mut dims, DimTable::Pending(round), (month, month), conn).await?;
            }
            unsummed.extend(dim_rollup::add(conn, dims).await?);
        }
    }
    sqlx::query("DELETE FROM daily_rollup_pending").execute(&mut *conn).await?;
    sqlx::query("DELETE FROM dim_rollup_pending").execute(&mut *conn).await?;
    Ok(unsummed)
}
