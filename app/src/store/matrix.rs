//! A KPI across two dimensions over a date range (category × channel, team
//! × category…): the rollup cells of the range folded into one set of
//! ticket totals per cell, per row, per column and overall — exact sums and
//! merged sketches, so totals are true totals, not averages of cells.

use super::cube::{self, Level};
use super::dim_cumulative;
use super::dim_rollup;
use super::rollup::CellKey;
use super::Db;
use crate::kpi::period::{date_of, day_number};
use crate::kpi::sketch::Sketches;
use crate::kpi::{Grain, Period};
use crate::models::{Dimension, ExtraDimension, Filters};
use chrono::NaiveDate;

pub use crate::kpi::matrix::Grid as Matrix;

fn value_of(key: &CellKey, dimension: Dimension) -> &str {
    match dimension {
        Dimension::Channel => &key.channel,
        Dimension::Category => &key.category,
        Dimension::Team => &key.team,
    }
}

/// What a matrix of a quantile KPI (a median) needs of the cube.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantiles {
    /// The KPI is not a quantile: the database sums the rows, no sketches.
    No,
    /// Cells and totals are shown as read: where each is one cube row (a
    /// day, month, quarter or year), its stored medians answer and no
    /// sketch is read; else these sketches are.
    AsRead(Sketches),
    /// The caller merges cells (an "Other" line): these sketches always.
    Mergeable(Sketches),
}

impl Quantiles {
    /// The sketches a read that merges rows needs.
    pub fn sketches(self) -> Sketches {
        match self {
            Quantiles::No => Sketches::NONE,
            Quantiles::AsRead(s) | Quantiles::Mergeable(s) => s,
        }
    }
}

/// Ticket KPIs only: orders and financials are company-wide, not per cell.
/// Cells, row totals, column totals and the total each read their own
/// level of the cube, so totals are merged from a few rows, not from cells.
pub async fn load(
    db: &Db,
    (rows, cols): (Dimension, Dimension),
    (first, last): (NaiveDate, NaiveDate),
    filters: &Filters,
    quantiles: Quantiles,
) -> Result<Matrix, sqlx::Error> {
    let (first, last) = (day_number(first), day_number(last));
    let sketches = match quantiles {
        Quantiles::AsRead(_) if cube::one_row_per_group(first, last) => Sketches::NONE,
        _ => quantiles.sketches(),
    };
    let read = |group_by: Vec<Dimension>| async move {
        // Without quantiles the database sums the range: a row per cell, not per year or month.
        let cells = if quantiles == Quantiles::No {
            cube::sums(db, (first, last), filters, &group_by).await?
        } else {
            cube::cells(db, (first, last), Level::Year, filters, &group_by, sketches).await?
        };
        Ok::<_, sqlx::Error>(cells.into_iter().filter(|(_, c)| c.totals.tickets > 0))
    };
    // Four independent reads, on separate connections: the database works
    // on them at once instead of one after the other.
    let (cells, row_totals, col_totals, total) = futures_util::try_join!(
        read(vec![rows, cols]),
        read(vec![rows]),
        read(vec![cols]),
        read(Vec::new())
    )?;
    let mut m = Matrix::default();
    for (key, cell) in cells {
        let at = (value_of(&key, rows).to_string(), value_of(&key, cols).to_string());
        m.cells.entry(at).or_default().tickets.merge(&cell.totals);
    }
    for (key, cell) in row_totals {
        m.row_totals.entry(value_of(&key, rows).to_string()).or_default().tickets.merge(&cell.totals);
    }
    for (key, cell) in col_totals {
        m.col_totals.entry(value_of(&key, cols).to_string()).or_default().tickets.merge(&cell.totals);
    }
    for (_, cell) in total {
        m.total.tickets.merge(&cell.totals);
    }
    m.rows = m.row_totals.keys().cloned().collect();
    m.cols = m.col_totals.keys().cloned().collect();
    Ok(m)
}

/// A KPI by `rows` × periods of `grain` (week or month) as columns. Cells
/// and column totals come from week or month rows of the cube by the period
/// their bucket falls in; row totals and the total from the coarsest rows
/// that fit the range, as in [`load`]. A whole period is one row per cell,
/// whose stored medians answer, so only the range's ragged ends carry
/// `sketches` ([`cube::period_cells`]).
pub async fn load_by_time(
    db: &Db,
    (rows, grain): (Dimension, Grain),
    (first, last): (NaiveDate, NaiveDate),
    filters: &Filters,
    sketches: Sketches,
) -> Result<Matrix, sqlx::Error> {
    let (first, last) = (day_number(first), day_number(last));
    let coarsest = if grain == Grain::Week { Level::Week } else { Level::Month };
    let period = |bucket: i64| Period::containing(grain, date_of(bucket)).to_string();
    let by_period = |group_by: Vec<Dimension>| async move {
        let cells = cube::period_cells(db, (first, last), coarsest, filters, &group_by, sketches).await?;
        Ok::<_, sqlx::Error>(cells.into_iter().filter(|(_, c)| c.totals.tickets > 0))
    };
    let range_sketches = if cube::one_row_per_group(first, last) { Sketches::NONE } else { sketches };
    let over_range = |group_by: Vec<Dimension>| async move {
        let cells = cube::cells(db, (first, last), Level::Year, filters, &group_by, range_sketches).await?;
        Ok::<_, sqlx::Error>(cells.into_iter().filter(|(_, c)| c.totals.tickets > 0))
    };
    let (cells, col_totals, row_totals, total) = futures_util::try_join!(
        by_period(vec![rows]),
        by_period(Vec::new()),
        over_range(vec![rows]),
        over_range(Vec::new())
    )?;
    let mut m = Matrix::default();
    for (key, cell) in cells {
        let row = value_of(&key, rows).to_string();
        m.cells.entry((row, period(key.day))).or_default().tickets.merge(&cell.totals);
    }
    for (key, cell) in col_totals {
        m.col_totals.entry(period(key.day)).or_default().tickets.merge(&cell.totals);
    }
    for (key, cell) in row_totals {
        m.row_totals.entry(value_of(&key, rows).to_string()).or_default().tickets.merge(&cell.totals);
    }
    for (_, cell) in total {
        m.total.tickets.merge(&cell.totals);
    }
    m.rows = m.row_totals.keys().cloned().collect();
    m.cols = m.col_totals.keys().cloned().collect();
    Ok(m)
}

/// What an agent, priority or product is crossed with in a matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cross {
    Dim(Dimension),
    Month,
}

/// A KPI by `extra` (agent, priority or product) × `cross`, over the whole
/// months from the one of `first` to the one of `last`, read from the
/// dimension rollup: a row per cell and month, or per cell and whole
/// quarter or year when crossed with a dimension. With `extra_rows` the extra
/// dimension is the rows, else the columns. `filter` is at most one rollup
/// dimension's value: the crossed one, or any one by month (the caller
/// refuses the rest). Totals are merged from the cells (the KPI over their
/// union), so they agree with the cells shown. Totals carry only the
/// `sketches` read (see [`dim_rollup::cells`]).
pub async fn load_extra(
    db: &Db,
    (extra, extra_rows): (ExtraDimension, bool),
    cross: Cross,
    (first, last): (NaiveDate, NaiveDate),
    filter: Option<(Dimension, &str)>,
    sketches: Sketches,
) -> Result<Matrix, sqlx::Error> {
    let month_of = |d: NaiveDate| day_number(Period::containing(Grain::Month, d).start);
    let base = match cross {
        Cross::Dim(d) => Some(d),
        Cross::Month => filter.map(|(d, _)| d),
    };
    let base_value = filter.filter(|(d, _)| Some(*d) == base).map(|(_, v)| v);
    let span = (month_of(first), month_of(last));
    // By month each month is a column; crossed with a dimension, whole
    // quarters and years are read as one row each.
    let coarsest = if cross == Cross::Month { Level::Month } else { Level::Year };
    let rows = match cross {
        // Without sketches the running totals give each cell's sums: two
        // rows, whatever the range. One month is its own rows.
        Cross::Dim(_) if !sketches.any() && span.0 != span.1 => {
            dim_cumulative::sums(db, extra, (base, base_value), span)
                .await?
                .into_iter()
                .map(|(value, base_value, totals)| (span.0, value, base_value, totals))
                .collect()
        }
        _ => dim_rollup::cells(db, extra, (base, base_value), span, coarsest, sketches).await?,
    };
    let mut m = Matrix::default();
    for (month, value, base_value, totals) in rows.into_iter().filter(|r| r.3.tickets > 0) {
        let other = match cross {
            Cross::Dim(_) => base_value,
            Cross::Month => Period::containing(Grain::Month, date_of(month)).to_string(),
        };
        let (row, col) = if extra_rows { (value, other) } else { (other, value) };
        m.cells.entry((row, col)).or_default().tickets.merge(&totals);
    }
    // A long range has many rows per cell: totals merge the cells, not the rows.
    for ((row, col), cell) in &m.cells {
        m.row_totals.entry(row.clone()).or_default().tickets.merge(&cell.tickets);
        m.col_totals.entry(col.clone()).or_default().tickets.merge(&cell.tickets);
        m.total.tickets.merge(&cell.tickets);
    }
    m.rows = m.row_totals.keys().cloned().collect();
    m.cols = m.col_totals.keys().cloned().collect();
    Ok(m)
}
