//! Leadership's monthly overview: one tile per main KPI with actual, target,
//! variance, change against the previous month and a 12-month sparkline.

use crate::error::AppError;
use crate::kpi::{Direction, Unit, Variance};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One KPI tile of the overview.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KpiTile {
    pub key: String,
    pub name: String,
    pub unit: Unit,
    pub direction: Direction,
    pub variance: Variance,
    /// The previous month's value and the change to this month.
    pub previous: Option<f64>,
    pub change: Option<f64>,
    /// Whether the change is good news, by the KPI's direction.
    pub improved: Option<bool>,
    /// The last 12 months, oldest first: (period, value).
    pub history: Vec<(String, Option<f64>)>,
    /// The sparkline of `history`, drawn on the server.
    pub sparkline_svg: String,
}

/// The overview of one month.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    /// The month shown, `2025-03`, and its label, "March 2025".
    pub month: String,
    pub label: String,
    /// Every month with data, newest first, for the month picker.
    pub months: Vec<(String, String)>,
    pub previous_month: Option<String>,
    pub next_month: Option<String>,
    pub tickets: i64,
    pub tiles: Vec<KpiTile>,
}

/// The overview of `month` (`2025-03`), or of the latest month with data.
/// `Ok(None)` when there is no data at all yet.
#[server(endpoint = "get_overview")]
pub async fn get_overview(month: Option<String>) -> Result<Option<Overview>, AppError> {
    super::for_viewer(|db| async move { load(&db, month.as_deref()).await }).await
}

#[cfg(feature = "ssr")]
pub use server::load;

#[cfg(feature = "ssr")]
mod server {
    use super::*;
    use crate::charts::sparkline;
    use crate::kpi::period::{plausible_month, plausible_months};
    use crate::kpi::variance::{is_improvement, DEFAULT_TOLERANCE_PCT};
    use crate::kpi::{compute, Kpi};
    use crate::store::{kpi_values, targets, Db, KpiQuery};

    /// Months of history on each sparkline.
    const HISTORY_MONTHS: usize = 12;

    /// The overview of `month` for the page, the exports and the tests.
    pub async fn load(db: &Db, month: Option<&str>) -> Result<Option<Overview>, AppError> {
        let available = kpi_values::months_with_data(db).await?;
        let Some(latest) = available.last().copied() else {
            return Ok(None);
        };
        let period = match month.filter(|m| !m.is_empty()) {
            Some(m) => plausible_month(m).ok_or_else(|| {
                let (first, last) = plausible_months();
                AppError::BadRequest(format!(
                    "'{m}' is not a month from {first} to {last}; write it like 2025-03"
                ))
            })?,
            None => latest,
        };
        let first = (0..HISTORY_MONTHS - 1).fold(period, |p, _| p.prev());
        let query = KpiQuery {
            kpis: Kpi::OVERVIEW.to_vec(),
            first,
            last: period,
            filters: Default::default(),
            group_by: Vec::new(),
        };
        let month = period.to_string();
        let (table, targets) =
            futures_util::try_join!(kpi_values::load(db, &query), targets::company(db, &month, &month))?;
        let settings = db.settings;
        let inputs = table.inputs(&[], &period);
        let tickets = inputs.map(|i| i.tickets.tickets).unwrap_or(0);
        let tiles = Kpi::OVERVIEW
            .iter()
            .map(|&kpi| {
                let history: Vec<(String, Option<f64>)> = table
                    .periods
                    .iter()
                    .map(|p| (p.to_string(), table.value(kpi, &[], p, &settings)))
                    .collect();
                let actual = inputs.and_then(|i| compute(kpi, i, &settings));
                let previous = table.value(kpi, &[], &period.prev(), &settings);
                let target = targets.get(&(kpi.key().to_string(), period.to_string())).copied();
                let change = actual.zip(previous).map(|(a, p)| a - p);
                KpiTile {
                    key: kpi.key().to_string(),
                    name: kpi.name().to_string(),
                    unit: kpi.unit(),
                    direction: kpi.direction(),
                    variance: Variance::new(actual, target, kpi.direction(), DEFAULT_TOLERANCE_PCT),
                    previous,
                    change,
                    improved: actual.zip(previous).and_then(|(a, p)| is_improvement(p, a, kpi.direction())),
                    sparkline_svg: sparkline::render(&history.iter().map(|(_, v)| *v).collect::<Vec<_>>()),
                    history,
                }
            })
            .collect();
        let next = period.next();
        Ok(Some(Overview {
            month: period.to_string(),
            label: period.long_label(),
            months: available.iter().rev().map(|p| (p.to_string(), p.long_label())).collect(),
            previous_month: (period.prev() >= available[0]).then(|| period.prev().to_string()),
            next_month: (next <= latest).then(|| next.to_string()),
            tickets,
            tiles,
        }))
    }
}
