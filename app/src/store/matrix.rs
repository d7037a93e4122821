//! A KPI across two dimensions over a date range (category × channel, team
//! × category…): the rollup cells of the range folded into one set of
//! ticket totals per cell, per row, per column and overall — one query,
//! exact sums and merged sketches, so totals are true totals, not averages
//! of cells.

use super::cube;
use super::rollup::CellKey;
use super::Db;
use crate::kpi::period::day_number;
use crate::kpi::{KpiInputs, TicketTotals};
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
pub async fn load(
    db: &Db,
    rows: Dimension,
    cols: Dimension,
    first: NaiveDate,
    last: NaiveDate,
    filters: &Filters,
) -> Result<Matrix, sqlx::Error> {
    let mut m = Matrix::default();
    let add = |inputs: &mut KpiInputs, totals: &TicketTotals| inputs.tickets.merge(totals);
    let cells = cube::cells(db, day_number(first), day_number(last), true, filters, &[rows, cols]).await?;
    for (key, totals) in cells.into_iter().filter(|(_, c)| c.totals.tickets > 0).map(|(k, c)| (k, c.totals)) {
        let (row, col) = (value_of(&key, rows).to_string(), value_of(&key, cols).to_string());
        add(m.cells.entry((row.clone(), col.clone())).or_default(), &totals);
        add(m.row_totals.entry(row).or_default(), &totals);
        add(m.col_totals.entry(col).or_default(), &totals);
        add(&mut m.total, &totals);
    }
    m.rows = m.row_totals.keys().cloned().collect();
    m.cols = m.col_totals.keys().cloned().collect();
    Ok(m)
}
