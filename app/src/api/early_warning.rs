//! Early warning: the segments of one dimension whose share of tickets or
//! dissatisfaction rate rose faster than usual in a period, most alarming
//! first (the statistic is in `kpi::early_warning`). The Trends page,
//! `GET /api/v1/early-warning` and the tests call [`load`].

use crate::error::AppError;
use crate::kpi::early_warning::Warning;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A period (`2026-05-14`, `2026-W20` or `2026-05`; the week of the latest
/// data by default) and the dimension to rank (category by default).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EarlyWarningQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EarlyWarning {
    pub period: String,
    pub label: String,
    pub grain: crate::kpi::Grain,
    pub by: crate::models::Dimension,
    /// The baseline: this many periods just before `period`.
    pub baseline_periods: i64,
    pub min_sample: i64,
    pub warnings: Vec<SegmentWarning>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentWarning {
    #[serde(flatten)]
    pub warning: Warning,
    /// Tickets per period, baseline then the period itself (for a sparkline).
    pub history: Vec<i64>,
}

#[server(endpoint = "get_early_warning")]
pub async fn get_early_warning(query: EarlyWarningQuery) -> Result<EarlyWarning, AppError> {
    super::for_viewer(|db| async move { load(&db, &query).await }).await
}

#[cfg(feature = "ssr")]
pub use server::load;

#[cfg(feature = "ssr")]
mod server {
    use super::*;
    use crate::api::query::dimension;
    use crate::kpi::early_warning::{rank, Counts};
    use crate::kpi::period::is_plausible;
    use crate::kpi::{Grain, Kpi, KpiInputs, Period};
    use crate::models::{Dimension, Filters};
    use crate::store::{kpi_values, Db, KpiQuery};

    /// Periods of trailing baseline.
    const BASELINE: usize = 8;
    /// Tickets (or responses) a segment needs in the period to be judged.
    const MIN_SAMPLE: i64 = 30;

    pub async fn load(db: &Db, query: &EarlyWarningQuery) -> Result<EarlyWarning, AppError> {
        let by = dimension(&query.by, "by", Dimension::Category)?;
        let period = match query.period.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            None => Period::containing(Grain::Week, kpi_values::latest_day(db).await?),
            Some(text) => Period::parse(text)
                .filter(|p| matches!(p.grain, Grain::Day | Grain::Week | Grain::Month))
                .filter(|p| is_plausible(p.start) && is_plausible(p.last_day()))
                .ok_or_else(|| {
                    AppError::invalid(
                        "period",
                        format!(
                            "period must be a day (2026-05-14), an ISO week (2026-W20) or a month (2026-05) between 1990 and 2100, not '{text}'"
                        ),
                    )
                })?,
        };
        let first = (0..BASELINE).fold(period, |p, _| p.prev());
        let periods = first.through(period);
        let request = |group_by: Vec<Dimension>| KpiQuery {
            kpis: vec![Kpi::Tickets, Kpi::Csat],
            first,
            last: period,
            filters: Filters::default(),
            group_by,
        };
        let segments = kpi_values::load(db, &request(vec![by])).await?;
        let company = kpi_values::load(db, &request(vec![])).await?;
        let counts = |inputs: Option<&KpiInputs>| {
            inputs.map_or(Counts::default(), |i| Counts {
                tickets: i.tickets.tickets,
                rated: i.tickets.csat_n,
                dissatisfied: i.tickets.csat_n - i.tickets.csat_satisfied,
            })
        };
        let totals: Vec<Counts> = periods.iter().map(|p| counts(company.inputs(&[], p))).collect();
        let series: Vec<(String, Vec<Counts>)> = segments
            .cells
            .keys()
            .map(|group| {
                let name = group.first().cloned().unwrap_or_default();
                (name, periods.iter().map(|p| counts(segments.inputs(group, p))).collect())
            })
            .collect();
        let warnings = rank(&series, &totals, MIN_SAMPLE)
            .into_iter()
            .map(|warning| {
                let history = series
                    .iter()
                    .find(|(name, _)| *name == warning.segment)
                    .map(|(_, c)| c.iter().map(|c| c.tickets).collect())
                    .unwrap_or_default();
                SegmentWarning { warning, history }
            })
            .collect();
        Ok(EarlyWarning {
            period: period.to_string(),
            label: period.long_label(),
            grain: period.grain,
            by,
            baseline_periods: BASELINE as i64,
            min_sample: MIN_SAMPLE,
            warnings,
        })
    }
}
