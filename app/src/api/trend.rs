//! Trend analysis: a KPI over time with its least-squares trend, a moving
//! average, the same periods a year earlier, period-over-period and
//! year-over-year change, a forecast with its interval and the points that
//! leave their control limits. The page, `GET /api/v1/trends/{key}` and the
//! tests all call [`load`].

use super::query::RangeParams;
use crate::error::AppError;
use crate::kpi::{Direction, Grain, Unit};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Which KPI over which range (the last 12 months by default), and the
/// moving average's window in periods (3 by default).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TrendQuery {
    pub kpi: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<String>,
    #[serde(flatten)]
    pub range: RangeParams,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trend {
    pub kpi: String,
    pub name: String,
    pub unit: Unit,
    pub direction: Direction,
    pub grain: Grain,
    pub window: i64,
    pub points: Vec<TrendPoint>,
    /// Least-squares slope per period and its R² (`None` without a trend).
    pub slope: Option<f64>,
    pub r2: Option<f64>,
    /// The last period against the one before, and against a year earlier.
    pub change: Option<f64>,
    pub year_over_year: Option<f64>,
    pub forecast: Vec<ForecastPoint>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    pub period: String,
    pub label: String,
    pub value: Option<f64>,
    pub n: i64,
    pub moving_average: Option<f64>,
    /// The same period a year earlier.
    pub year_ago: Option<f64>,
    /// Outside mean ± 3σ of the periods before it: (mean, σ).
    pub unusual: Option<(f64, f64)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForecastPoint {
    pub period: String,
    pub label: String,
    pub low: f64,
    pub expected: f64,
    pub high: f64,
}

#[server(endpoint = "get_trend")]
pub async fn get_trend(query: TrendQuery) -> Result<Trend, AppError> {
    super::for_viewer(|db| async move { load(&db, &query).await }).await
}

#[cfg(feature = "ssr")]
pub use server::load;

#[cfg(feature = "ssr")]
mod server {
    use super::*;
    use crate::kpi::trend::{linear_forecast, moving_average, series_trend, unusual_points};
    use crate::kpi::{compute, sample_size, Kpi, Period};
    use crate::store::{kpi_values, Db, KpiQuery};

    /// Periods shown when the query names no start, and forecast ahead.
    const DEFAULT_PERIODS: usize = 12;
    const HORIZON: usize = 3;
    /// Periods before a point that set its control limits.
    const BASELINE: usize = 6;

    /// Periods in a year at each grain, for the year-ago comparison.
    fn per_year(grain: Grain) -> usize {
        match grain {
            Grain::Day => 364,
            Grain::Week => 52,
            Grain::Month => 12,
            Grain::Quarter => 4,
        }
    }

    pub async fn load(db: &Db, query: &TrendQuery) -> Result<Trend, AppError> {
        let kpi = Kpi::from_key(&query.kpi).ok_or_else(|| AppError::UnknownKpi(query.kpi.clone()))?;
        let window = match query.window.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
            None => 3,
            Some(w) => w.parse::<usize>().ok().filter(|w| (1..=24).contains(w)).ok_or_else(|| {
                AppError::invalid("window", format!("window must be 1 to 24 periods, not '{w}'"))
            })?,
        };
        let range = query.range.periods(kpi_values::latest_day(db).await?, DEFAULT_PERIODS)?;
        let grain = range.first.grain;
        // A year more in front, for the year-ago values and the baselines.
        let year = per_year(grain);
        let first = (0..year).fold(range.first, |p, _| p.prev());
        let kpi_query =
            KpiQuery { kpis: vec![kpi], first, last: range.last, filters: range.filters, group_by: vec![] };
        let table = kpi_values::load(db, &kpi_query).await?;
        let all: Vec<(Period, Option<f64>, i64)> = table
            .periods
            .iter()
            .map(|p| {
                let inputs = table.inputs(&[], p);
                (
                    *p,
                    inputs.and_then(|i| compute(kpi, i, &db.settings)),
                    inputs.map_or(0, |i| sample_size(kpi, i)),
                )
            })
            .collect();
        let values: Vec<Option<f64>> = all.iter().map(|(_, v, _)| *v).collect();
        let averages = moving_average(&values, window);
        let unusual = unusual_points(&values, BASELINE);
        let shown = year..all.len();
        let points: Vec<TrendPoint> = shown
            .clone()
            .map(|i| {
                let (period, value, n) = all[i];
                TrendPoint {
                    period: period.to_string(),
                    label: period.short_label(),
                    value,
                    n,
                    moving_average: averages[i],
                    year_ago: values[i - year],
                    unusual: unusual.iter().find(|u| u.index == i).map(|u| (u.mean, u.sigma)),
                }
            })
            .collect();
        let shown_values = &values[shown];
        let fit = series_trend(shown_values);
        let last = points.last();
        let before = points.len().checked_sub(2).map(|i| &points[i]);
        let forecast = linear_forecast(shown_values, HORIZON)
            .into_iter()
            .scan(range.last, |p, f| {
                *p = p.next();
                Some(ForecastPoint {
                    period: p.to_string(),
                    label: p.short_label(),
                    low: f.low,
                    expected: f.expected,
                    high: f.high,
                })
            })
            .collect();
        Ok(Trend {
            kpi: kpi.key().to_string(),
            name: kpi.name().to_string(),
            unit: kpi.unit(),
            direction: kpi.direction(),
            grain,
            window: window as i64,
            slope: fit.map(|f| f.slope),
            r2: fit.and_then(|f| f.r2),
            change: last.and_then(|l| l.value).zip(before.and_then(|b| b.value)).map(|(l, b)| l - b),
            year_over_year: last.and_then(|l| l.value.zip(l.year_ago)).map(|(l, y)| l - y),
            forecast,
            points,
        })
    }
}
