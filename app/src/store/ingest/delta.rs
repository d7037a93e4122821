//! What a write adds to the rollups, accumulated from the records as they
//! are written instead of read back from the tickets afterwards: a new
//! ticket only adds to its cells, so its contribution is known from the
//! record itself. An updated ticket's old contribution has to leave its old
//! cells, so the days an update touches are recomputed from the raw tickets.
//!
//! Memory follows the distinct cells (days × channel × category × team,
//! months × agent/priority/product × …) and their sketches, not the number
//! of tickets. Past [`MAX_BYTES`] the collected cells are added to the
//! stored ones and collection starts again: a file in time order stores
//! each month about once; one out of order rereads stored rows more often,
//! but memory stays bounded.

use super::super::rollup::{self, Cell, CellKey, RollupRules};
use super::super::{cube, dim_rollup};
use crate::kpi::TicketTotals;
use crate::models::TicketRecord;
use dim_rollup::DimKey;
use sqlx::AnyConnection;
use std::collections::{BTreeMap, BTreeSet};

/// Memory the collected cells may take before they are stored. The demo's
/// 1.1M tickets over 36 months collect ~270 MB of cells (dimension rows
/// hold month-long sketches of ~10 KB each).
const MAX_BYTES: usize = 48 << 20;

pub(super) struct RollupDelta {
    rules: RollupRules,
    cells: BTreeMap<CellKey, Cell>,
    dims: BTreeMap<DimKey, TicketTotals>,
    /// Days whose daily cells were stored along the way: their cube rows
    /// are refolded at the end.
    stored_days: BTreeSet<i64>,
    /// Days an update moved tickets on or off: recomputed from the tickets.
    recompute: BTreeSet<i64>,
}

impl RollupDelta {
    pub(super) fn new(rules: RollupRules) -> RollupDelta {
        RollupDelta {
            rules,
            cells: BTreeMap::new(),
            dims: BTreeMap::new(),
            stored_days: BTreeSet::new(),
            recompute: BTreeSet::new(),
        }
    }

    pub(super) fn inserted(&mut self, t: &TicketRecord) {
        let facts = t.facts();
        rollup::add_ticket(&mut self.cells, t, &facts, self.rules);
        dim_rollup::add_ticket(&mut self.dims, t, &facts, self.rules);
    }

    /// An update moves the ticket off the days it counted on, onto its new ones.
    pub(super) fn updated(&mut self, old: &TicketRecord, new: &TicketRecord) {
        for t in [old, new] {
            let day_of = |at: i64| self.rules.zone.day_of(at);
            self.recompute.insert(day_of(t.created_at));
            self.recompute.extend(t.resolved_at.map(day_of));
        }
    }

    /// Stores the collected cells once they pass [`MAX_BYTES`].
    pub(super) async fn store_if_large(&mut self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        if self.bytes() > MAX_BYTES {
            self.store(conn).await?;
        }
        Ok(())
    }

    /// About what the collected cells hold, keys and map nodes included.
    fn bytes(&self) -> usize {
        let cells = self.cells.iter().map(|(key, cell)| {
            size_of::<(CellKey, Cell)>()
                + key.channel.capacity()
                + key.category.capacity()
                + key.team.capacity()
                + cell.totals.bytes()
        });
        let dims = self.dims.iter().map(|(key, totals)| {
            size_of::<DimKey>() + key.value.capacity() + key.base_value.capacity() + totals.bytes()
        });
        cells.chain(dims).sum()
    }

    /// Adds the collected cells to the stored ones. Cells of days (and
    /// months) to be recomputed are left out: the recomputation counts them.
    /// A day stored now and updated later is recomputed then, which
    /// replaces what was stored.
    async fn store(&mut self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        let recomputed_months = dim_rollup::months_of(&self.recompute);
        let mut cells = std::mem::take(&mut self.cells);
        let mut dims = std::mem::take(&mut self.dims);
        cells.retain(|key, _| !self.recompute.contains(&key.day));
        dims.retain(|key, _| !recomputed_months.contains(&key.month));
        self.stored_days.extend(cells.keys().map(|k| k.day));
        rollup::add_cells(conn, &cells).await?;
        dim_rollup::add(conn, dims).await
    }

    /// Brings the daily rollup, the cube and the dimension rollup up to date.
    pub(super) async fn apply(mut self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        self.store(conn).await?;
        let RollupDelta { rules, stored_days, recompute, .. } = self;
        rollup::recompute_days(conn, &recompute, rules).await?;
        cube::refresh(conn, &stored_days.union(&recompute).copied().collect()).await?;
        dim_rollup::refresh(conn, &dim_rollup::months_of(&recompute), rules).await
    }
}
