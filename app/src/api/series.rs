//! A KPI as a time series: one value per period with the count behind it,
//! for a range, grain and filters. The page, `GET /api/v1/kpis/{key}/series`
//! and the tests all call [`load`].

use super::query::RangeParams;
use crate::error::AppError;
use crate::kpi::Grain;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Which KPI, over which range (the last 12 months with data by default).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SeriesQuery {
    /// A KPI key from the catalogue, e.g. `csat`.
    pub kpi: String,
    #[serde(flatten)]
    pub range: RangeParams,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub kpi: String,
    pub grain: Grain,
    pub points: Vec<SeriesPoint>,
}

/// One period: its value (`None` when nothing to divide by) and the number
/// of tickets, orders or months behind it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesPoint {
    pub period: String,
    pub value: Option<f64>,
    pub n: i64,
}

#[server(endpoint = "get_series")]
pub async fn get_series(query: SeriesQuery) -> Result<Series, AppError> {
    super::for_viewer(|db| async move { load(&db, &query).await }).await
}

#[cfg(feature = "ssr")]
pub use server::load;

#[cfg(feature = "ssr")]
mod server {
    use super::*;
    use crate::kpi::{compute, sample_size, Kpi};
    use crate::store::{kpi_values, Db, KpiQuery};

    /// Periods in a series when the query names no start.
    const DEFAULT_PERIODS: usize = 12;

    pub async fn load(db: &Db, query: &SeriesQuery) -> Result<Series, AppError> {
        let kpi = Kpi::from_key(&query.kpi).ok_or_else(|| AppError::UnknownKpi(query.kpi.clone()))?;
        let range = query.range.periods(kpi_values::latest_day(db).await?, DEFAULT_PERIODS)?;
        let grain = range.first.grain;
        let (first, last, filters) = (range.first, range.last, range.filters);
        let table =
            kpi_values::load(db, &KpiQuery { kpis: vec![kpi], first, last, filters, group_by: vec![] })
                .await?;
        let points = table
            .periods
            .iter()
            .map(|p| {
                let inputs = table.inputs(&[], p);
                SeriesPoint {
                    period: p.to_string(),
                    value: inputs.and_then(|i| compute(kpi, i, &db.settings)),
                    n: inputs.map_or(0, |i| sample_size(kpi, i)),
                }
            })
            .collect();
        Ok(Series { kpi: kpi.key().to_string(), grain, points })
    }
}
