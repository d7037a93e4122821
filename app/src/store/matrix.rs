//! A KPI across two dimensions over a date range (category × channel, team
//! × category…): the rollup cells of the range folded into one set of
//! ticket totals per cell, per row, per column and overall — exact sums and
//! merged sketches, so totals are true totals, not averages of cells.

use super::cube;
use super::rollup::CellKey;
use super::Db;
use crate::kpi::period::day_number;
use crate::kpi::KpiInputs;
use crate::models::{Dimension, Filters};
use chrono::NaiveDate;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Matrix {
    pub rows: Vec<String>,
    pub cols: Vec<String>,
    pub cells: BTreeMap<(String, String), KpiInputs>,
    pub row_totals: BTreeMap<String, KpiInputs>,
    pub col_totals: BTreeMap<String, KpiInputs>,
    pub total: KpiInputs,
}

fn value_of(key: &CellKey, dimension: Dimension) -> &str {
    match dimension {
        Dimension::Channel => &key.channel,
        Dimension::Category => &key.category,
        Dimension::Team => &key.team,
    }
}

/// Ticket KPIs only: orders and financials are company-wide, not per cell.
/// Cells, row totals, column totals and the total each read their own
/// level of the cube, so totals are merged from a few rows, not from cells.
pub async fn load(
    db: &Db,
    rows: Dimension,
    cols: Dimension,
    first: NaiveDate,
    last: NaiveDate,
    filters: &Filters,
) -> Result<Matrix, sqlx::Error> {
    let (first, last) = (day_number(first), day_number(last));
    let read = |group_by: Vec<Dimension>| async move {
        let cells = cube::cells(db, first, last, true, filters, &group_by).await?;
        Ok::<_, sqlx::Error>(cells.into_iter().filter(|(_, c)| c.totals.tickets > 0))
    };
    let mut m = Matrix::default();
    for (key, cell) in read(vec![rows, cols]).await? {
        let at = (value_of(&key, rows).to_string(), value_of(&key, cols).to_string());
        m.cells.entry(at).or_default().tickets.merge(&cell.totals);
    }
    for (key, cell) in read(vec![rows]).await? {
        m.row_totals.entry(value_of(&key, rows).to_string()).or_default().tickets.merge(&cell.totals);
    }
    for (key, cell) in read(vec![cols]).await? {
        m.col_totals.entry(value_of(&key, cols).to_string()).or_default().tickets.merge(&cell.totals);
    }
    for (_, cell) in read(Vec::new()).await? {
        m.total.tickets.merge(&cell.totals);
    }
    m.rows = m.row_totals.keys().cloned().collect();
    m.cols = m.col_totals.keys().cloned().collect();
    Ok(m)
}
