//! The chart gallery: every chart type of the kit drawn from the real data,
//! so each can be seen, hovered and downloaded in one place.

use crate::charts::Chart;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "chart_gallery")]
pub async fn chart_gallery() -> Result<Vec<Chart>, AppError> {
    super::for_viewer(|db| async move { server::gallery(&db).await }).await
}

#[cfg(feature = "ssr")]
mod server {
    use crate::api::markers;
    use crate::api::matrix::{self, MatrixQuery};
    use crate::api::query::RangeParams;
    use crate::charts::{bar, groups, heatmap, line, scatter, Chart};
    use crate::error::AppError;
    use crate::kpi::trend::linear_forecast;
    use crate::kpi::variance::{watch_band, DEFAULT_TOLERANCE_PCT};
    use crate::kpi::{Direction, Kpi, Period, Unit, Variance};
    use crate::models::{Dimension, Filters};
    use crate::store::{kpi_values, targets, Db, KpiQuery};

    fn query(kpis: &[Kpi], first: Period, last: Period, group_by: Vec<Dimension>) -> KpiQuery {
        KpiQuery { kpis: kpis.to_vec(), first, last, filters: Filters::default(), group_by }
    }

    pub async fn gallery(db: &Db) -> Result<Vec<Chart>, AppError> {
        let months = kpi_values::months_with_data(db).await?;
        let Some(last) = months.last().copied() else { return Ok(Vec::new()) };
        let first = months[months.len().saturating_sub(12)];
        let settings = db.settings;

        // Line: CSAT, all channels and each channel, with the target and trend.
        let total = kpi_values::load(db, &query(&[Kpi::Csat], first, last, vec![])).await?;
        let by_channel =
            kpi_values::load(db, &query(&[Kpi::Csat], first, last, vec![Dimension::Channel])).await?;
        let series_of = |t: &kpi_values::KpiTable, group: &[String]| -> Vec<Option<f64>> {
            t.periods.iter().map(|p| t.value(Kpi::Csat, group, p, &settings)).collect()
        };
        let all_channels = series_of(&total, &[]);
        let mut series = vec![("All channels".to_string(), all_channels.clone())];
        series.extend(by_channel.cells.keys().map(|g| (g[0].clone(), series_of(&by_channel, g))));
        let targets = targets::company(db, &last.to_string(), &last.to_string()).await?;
        let target_of = |kpi: Kpi| targets.get(&(kpi.key().to_string(), last.to_string())).copied();
        let line = line::render(&csat_line(db, &total.periods, series, target_of(Kpi::Csat)).await?);

        // Bar: this month's variance against target, signed so right is better.
        let overview = kpi_values::load(db, &query(Kpi::OVERVIEW, last, last, vec![])).await?;
        let bars = Kpi::OVERVIEW
            .iter()
            .map(|&kpi| {
                let v = Variance::new(
                    overview.value(kpi, &[], &last, &settings),
                    target_of(kpi),
                    kpi.direction(),
                    DEFAULT_TOLERANCE_PCT,
                );
                bar::Bar {
                    label: kpi.name().to_string(),
                    value: v.improvement_pct(kpi.direction()),
                    good: v.favourable,
                    href: Some(format!("/?month={last}")),
                }
            })
            .collect();
        let bar = bar::render(&bar::BarSpec {
            title: format!("Against target, {}", last.long_label()),
            unit: Unit::RelativePercent,
            bars,
        });

        // Heatmap: CSAT by category × channel for the month, with totals.
        let day = |d: chrono::NaiveDate| Some(d.to_string());
        let range = RangeParams { from: day(last.start), to: day(last.last_day()), ..Default::default() };
        let m = matrix::load(db, &MatrixQuery { range, ..Default::default() }).await?;
        let heatmap = heatmap::render(&heatmap::HeatmapSpec {
            title: format!("CSAT by category and channel, {}", last.long_label()),
            unit: Unit::Percent,
            direction: Direction::Higher,
            cells: m
                .rows
                .iter()
                .map(|row| m.cols.iter().map(|col| m.cell(row, col).and_then(|c| c.value)).collect())
                .collect(),
            row_totals: m.row_totals.iter().map(|t| t.measure.value).collect(),
            col_totals: m.col_totals.iter().map(|t| t.measure.value).collect(),
            total: m.total.value,
            rows: m.rows,
            cols: m.cols,
        });

        // Scatter: monthly CSAT against cost per contact.
        let all =
            kpi_values::load(db, &query(&[Kpi::Csat, Kpi::CostPerContact], months[0], last, vec![])).await?;
        let points = all
            .periods
            .iter()
            .filter_map(|p| {
                let x = all.value(Kpi::CostPerContact, &[], p, &settings)?;
                let y = all.value(Kpi::Csat, &[], p, &settings)?;
                Some((p.short_label(), x, y))
            })
            .collect();
        let scatter = scatter::render(&scatter::ScatterSpec {
            title: "Satisfaction against cost, by month".into(),
            x_name: "Cost per contact".into(),
            x_unit: Unit::Currency,
            y_name: "CSAT".into(),
            y_unit: Unit::Percent,
            points,
        });
        // Grouped and stacked bars: tickets by channel.
        let tickets = kpi_values::load(
            db,
            &query(&[Kpi::Tickets, Kpi::FrtMedianH], first, last, vec![Dimension::Channel]),
        )
        .await?;
        let channels: Vec<Vec<String>> = tickets.cells.keys().cloned().collect();
        let stacked = groups::render(&groups::GroupSpec {
            title: "Tickets by channel, by month".into(),
            unit: Unit::Count,
            categories: tickets.periods.iter().map(Period::short_label).collect(),
            series: channels
                .iter()
                .map(|g| {
                    let values = tickets.periods.iter().map(|p| tickets.value(Kpi::Tickets, g, p, &settings));
                    (g[0].clone(), values.collect())
                })
                .collect(),
            stacked: true,
            horizontal: false,
        });
        let previous = last.prev();
        let grouped = groups::render(&groups::GroupSpec {
            title: format!(
                "First response (median) by channel, {} against {}",
                last.long_label(),
                previous.long_label()
            ),
            unit: Unit::Hours,
            categories: channels.iter().map(|g| g[0].clone()).collect(),
            series: [previous, last]
                .iter()
                .map(|p| {
                    let values = channels.iter().map(|g| tickets.value(Kpi::FrtMedianH, g, p, &settings));
                    (p.long_label(), values.collect())
                })
                .collect(),
            stacked: false,
            horizontal: true,
        });
        Ok(vec![line, bar, stacked, grouped, heatmap, scatter])
    }

    /// CSAT over the months with its target and watch band, the published
    /// benchmarks, the trend, three months of forecast and the annotations.
    async fn csat_line(
        db: &Db,
        periods: &[Period],
        mut series: Vec<(String, Vec<Option<f64>>)>,
        target: Option<f64>,
    ) -> Result<line::LineSpec, AppError> {
        const AHEAD: usize = 3;
        let Some(last) = periods.last() else {
            return Err(AppError::NotFound("no months with data".into()));
        };
        let future: Vec<Period> = (0..AHEAD)
            .scan(*last, |p, _| {
                *p = p.next();
                Some(*p)
            })
            .collect();
        let mut labels: Vec<String> = periods.iter().map(Period::short_label).collect();
        labels.extend(future.iter().map(Period::short_label));
        let mut forecast = vec![None; periods.len()];
        let expected = linear_forecast(&series[0].1, AHEAD);
        forecast.extend(expected.iter().map(|f| Some((f.low, f.expected, f.high))));
        for (_, values) in &mut series {
            values.resize(labels.len(), None);
        }
        let benchmarks = markers::benchmark_lines(db, Kpi::Csat).await?;
        let annotations = markers::notes(db, Kpi::Csat, periods).await?;
        Ok(line::LineSpec {
            title: "CSAT by channel".into(),
            unit: Unit::Percent,
            labels,
            series,
            target,
            target_band: target.and_then(|t| watch_band(t, Kpi::Csat.direction(), DEFAULT_TOLERANCE_PCT)),
            trend: true,
            benchmarks,
            forecast,
            annotations,
        })
    }
}
