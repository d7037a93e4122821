//! A ticket KPI across two dimensions (category × channel by default) over a
//! range of days, with true row and column totals (merged totals, never
//! averages of cells). The REST route `GET /api/v1/matrix`, the chart
//! gallery's heatmap and the tests all call [`load`].

use super::query::RangeParams;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MatrixQuery {
    /// A ticket KPI; CSAT by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kpi: Option<String>,
    /// The row and column dimensions: category and channel by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cols: Option<String>,
    /// The days (the last month with data by default) and filters.
    #[serde(flatten)]
    pub range: RangeParams,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MatrixResult {
    pub kpi: String,
    pub from: String,
    pub to: String,
    pub rows: Vec<String>,
    pub cols: Vec<String>,
    pub cells: Vec<MatrixCell>,
    pub row_totals: Vec<RowTotal>,
    pub col_totals: Vec<ColTotal>,
    pub total: Measure,
}

/// A value and the count behind it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Measure {
    pub value: Option<f64>,
    pub n: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MatrixCell {
    pub row: String,
    pub col: String,
    #[serde(flatten)]
    pub measure: Measure,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RowTotal {
    pub row: String,
    #[serde(flatten)]
    pub measure: Measure,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColTotal {
    pub col: String,
    #[serde(flatten)]
    pub measure: Measure,
}

impl MatrixResult {
    /// The measure of one cell, if it holds any ticket.
    pub fn cell(&self, row: &str, col: &str) -> Option<Measure> {
        self.cells.iter().find(|c| c.row == row && c.col == col).map(|c| c.measure)
    }
}

#[server(endpoint = "get_matrix")]
pub async fn get_matrix(query: MatrixQuery) -> Result<MatrixResult, AppError> {
    super::for_viewer(|db| async move { load(&db, &query).await }).await
}

#[cfg(feature = "ssr")]
pub use server::load;

#[cfg(feature = "ssr")]
mod server {
    use super::*;
    use crate::api::query::dimension;
    use crate::kpi::{compute, sample_size, Kpi, KpiInputs};
    use crate::models::Dimension;
    use crate::store::{kpi_values, matrix, Db};

    pub async fn load(db: &Db, query: &MatrixQuery) -> Result<MatrixResult, AppError> {
        let key = query.kpi.as_deref().unwrap_or("csat");
        let kpi = Kpi::from_key(key).ok_or_else(|| AppError::UnknownKpi(key.to_string()))?;
        if !kpi.needs().tickets_only() {
            return Err(AppError::invalid(
                "kpi",
                format!("kpi must be a ticket KPI: {key} is company-wide (orders, financials or backlog)"),
            ));
        }
        let rows = dimension(&query.rows, "rows", Dimension::Category)?;
        let cols = dimension(&query.cols, "cols", Dimension::Channel)?;
        if rows == cols {
            return Err(AppError::invalid("cols", "rows and cols must be two different dimensions"));
        }
        let days = query.range.days(kpi_values::latest_day(db).await?)?;
        let m = matrix::load(db, rows, cols, days.first, days.last, &days.filters).await?;
        let measure = |inputs: &KpiInputs| Measure {
            value: compute(kpi, inputs, &db.settings),
            n: sample_size(kpi, inputs),
        };
        Ok(MatrixResult {
            kpi: kpi.key().to_string(),
            from: days.first.to_string(),
            to: days.last.to_string(),
            cells: m
                .cells
                .iter()
                .map(|((row, col), i)| MatrixCell { row: row.clone(), col: col.clone(), measure: measure(i) })
                .collect(),
            row_totals: m
                .row_totals
                .iter()
                .map(|(row, i)| RowTotal { row: row.clone(), measure: measure(i) })
                .collect(),
            col_totals: m
                .col_totals
                .iter()
                .map(|(col, i)| ColTotal { col: col.clone(), measure: measure(i) })
                .collect(),
            total: measure(&m.total),
            rows: m.rows,
            cols: m.cols,
        })
    }
}
