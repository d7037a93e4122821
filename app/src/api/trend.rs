//! Trend analysis: a KPI over time with its least-squares trend, a moving
//! average, the same periods a year earlier, period-over-period and
//! year-over-year change, confidence intervals for proportions, a forecast
//! (Holt-Winters when there is enough history) with its interval and
//! backtest, and the points that leave their control limits with the
//! segments that moved them. The page, `GET /api/v1/trends/{key}` and the
//! tests all call [`load`].

use super::query::RangeParams;
use crate::error::AppError;
use crate::kpi::forecast::Method;
use crate::kpi::{Direction, Grain, Unit};
use crate::models::Dimension;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Which KPI over which range (the last 12 months by default), the moving
/// average's window in periods (3 by default) and the minimum sample: a
/// period with fewer tickets (or responses) behind its value is marked
/// "too few to judge" and never flagged (30 by default).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TrendQuery {
    pub kpi: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_n: Option<String>,
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
    pub min_sample: i64,
    pub forecast: Vec<ForecastPoint>,
    /// How the forecast was made and why; its backtest error (MAPE, %) on
    /// the last `backtest_periods` periods held back.
    pub method: Option<Method>,
    pub method_reason: Option<String>,
    pub mape: Option<f64>,
    pub backtest_periods: i64,
    /// The company target in force for the last period, and published
    /// benchmark lines.
    pub target: Option<f64>,
    pub benchmarks: Vec<(String, f64)>,
    /// Notes and business events on the shown periods: (index in `points`, text).
    pub notes: Vec<(usize, String)>,
    /// The business events that overlap the shown periods.
    pub events: Vec<crate::api::events::EventInfo>,
    /// The unusual periods, latest first, with the segments that moved them.
    pub flagged: Vec<Flagged>,
    /// What the value leaves out, said on the page: orders imported without
    /// an amount are not in CLV's average order value.
    pub caveat: Option<String>,
}

/// An unusual period and the channels and categories behind its change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Flagged {
    pub period: String,
    pub label: String,
    pub value: f64,
    /// Mean and standard deviation of the baseline periods before it.
    pub mean: f64,
    pub sigma: f64,
    /// The largest contributions to the change from the baseline, largest
    /// first; empty for KPIs that have no value per segment.
    pub drivers: Vec<Driver>,
}

/// One segment's part in a change: for counts, its own change in tickets;
/// for rates and means, its share-weighted change (mix and rate together),
/// so the parts of all segments add up to the change of the whole. For
/// medians the parts are the same weighting applied to the segments'
/// medians: a guide to who moved, not an exact sum.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Driver {
    pub dimension: Dimension,
    pub segment: String,
    pub before: Option<f64>,
    pub after: Option<f64>,
    pub n: i64,
    pub part: f64,
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
    /// 95 % confidence interval of a proportion (Wilson), in percent.
    pub interval: Option<(f64, f64)>,
    /// Fewer than the minimum sample behind the value: not judged.
    pub too_few: bool,
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
    use crate::api::markers;
    use crate::api::query::whole_number;
    use crate::kpi::forecast::outlook;
    use crate::kpi::trend::{moving_average, proportion_interval, series_trend, unusual_points, Unusual};
    use crate::kpi::variance::{mix_rate, Segment};
    use crate::kpi::{compute, sample_size, Kpi, KpiInputs, KpiSettings, Period};
    use crate::store::{kpi_values, targets, Db, KpiQuery, KpiTable};

    /// Periods shown when the query names no start, and forecast ahead.
    const DEFAULT_PERIODS: usize = 12;
    const HORIZON: usize = 3;
    /// Periods before a point that set its control limits.
    const BASELINE: usize = 6;
    const DEFAULT_MIN_SAMPLE: i64 = 30;
    /// Flagged periods explained, and segments named per dimension.
    const EXPLAINED: usize = 5;
    const DRIVERS: usize = 3;

    /// Periods in a year at each grain, for the year-ago comparison.
    fn per_year(grain: Grain) -> usize {
        match grain {
            Grain::Day => 364,
            Grain::Week => 52,
            Grain::Month => 12,
            Grain::Quarter => 4,
        }
    }

    /// The seasonal cycle the forecast looks for: the week in days, the year otherwise.
    fn season(grain: Grain) -> usize {
        match grain {
            Grain::Day => 7,
            _ => per_year(grain),
        }
    }

    pub async fn load(db: &Db, query: &TrendQuery) -> Result<Trend, AppError> {
        let kpi = Kpi::from_key(&query.kpi).ok_or_else(|| AppError::UnknownKpi(query.kpi.clone()))?;
        let window = whole_number(&query.window, "window", 1..=24)?.unwrap_or(3) as usize;
        let min_sample = whole_number(&query.min_n, "min_n", 1..=100_000)?.unwrap_or(DEFAULT_MIN_SAMPLE);
        let range = query.range.periods(kpi_values::latest_day(db).await?, DEFAULT_PERIODS)?;
        let grain = range.first.grain;
        // Two years more in front: the year-ago values, the baselines, and
        // two seasons of history for the forecast.
        let year = per_year(grain);
        let first = (0..2 * year).fold(range.first, |p, _| p.prev());
        let kpi_query = KpiQuery {
            kpis: vec![kpi],
            first,
            last: range.last,
            filters: range.filters.clone(),
            group_by: vec![],
        };
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
        // History starts with the first period that has data: the empty
        // periods before it have no value (a count there is not a zero).
        let start = all.iter().position(|(_, _, n)| *n > 0).unwrap_or(all.len());
        let values: Vec<Option<f64>> =
            all.iter().enumerate().map(|(i, (_, v, _))| v.filter(|_| i >= start)).collect();
        // Small samples neither raise a flag nor set anyone's limits.
        let judged: Vec<Option<f64>> = all.iter().map(|(_, v, n)| v.filter(|_| *n >= min_sample)).collect();
        let averages = moving_average(&values, window);
        let unusual = unusual_points(&judged, BASELINE);
        let shown = 2 * year..all.len();
        let points: Vec<TrendPoint> = shown
            .clone()
            .map(|i| {
                let ((period, _, n), value) = (all[i], values[i]);
                TrendPoint {
                    period: period.to_string(),
                    label: period.short_label(),
                    value,
                    n,
                    moving_average: averages[i],
                    year_ago: values[i - year],
                    unusual: unusual.iter().find(|u| u.index == i).map(|u| (u.mean, u.sigma)),
                    interval: value.filter(|_| kpi.is_proportion()).and_then(|v| proportion_interval(v, n)),
                    too_few: value.is_some() && n < min_sample,
                }
            })
            .collect();
        let shown_values = &values[shown.clone()];
        let fit = series_trend(shown_values);
        let last = points.last();
        let before = points.len().checked_sub(2).map(|i| &points[i]);
        let outlook = outlook(&values[start..], season(grain), HORIZON);
        let forecast = outlook
            .iter()
            .flat_map(|o| o.points.iter())
            .scan(range.last, |p, f| {
                *p = p.next();
                Some(ForecastPoint {
                    period: p.to_string(),
                    label: p.short_label(),
                    // A count, a time or a rate per order is never below zero.
                    low: if matches!(kpi.unit(), Unit::Count | Unit::Hours | Unit::TicketsPer100Orders) {
                        f.low.max(0.0)
                    } else {
                        f.low
                    },
                    expected: f.expected,
                    high: f.high,
                })
            })
            .collect();
        let explained: Vec<&Unusual> =
            unusual.iter().rev().filter(|u| shown.contains(&u.index)).take(EXPLAINED).collect();
        let shown_periods = &table.periods[shown.clone()];
        // The reads left are independent: on separate connections they
        // wait for the database together, not one after the other.
        let target = async {
            if range.filters == Default::default() && grain == Grain::Month {
                let month = range.last.to_string();
                let targets = targets::company(db, &month, &month).await?;
                Ok(targets.get(&(kpi.key().to_string(), month)).copied())
            } else {
                Ok(None)
            }
        };
        let (flagged, target, benchmarks, notes, events) = futures_util::try_join!(
            flagged(db, kpi, &kpi_query, &all, &explained, min_sample),
            target,
            async { Ok::<_, AppError>(markers::benchmark_lines(db, kpi).await?) },
            async { Ok::<_, AppError>(markers::notes(db, kpi, shown_periods).await?) },
            crate::api::events::server::list(db, shown_periods[0].start, range.last.last_day()),
        )?;
        let caveat = (kpi == Kpi::Clv).then(|| unpriced_orders(&table, shown_periods)).flatten();
        Ok(Trend {
            caveat,
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
            min_sample,
            forecast,
            method: outlook.as_ref().map(|o| o.method),
            method_reason: outlook.as_ref().map(|o| o.reason.clone()),
            mape: outlook.as_ref().and_then(|o| o.mape),
            backtest_periods: outlook.as_ref().map_or(0, |o| o.backtest_periods as i64),
            target,
            benchmarks,
            notes,
            events,
            flagged,
            points,
        })
    }

    /// "12 of 4,310 orders …" when some orders of `periods` have no amount.
    fn unpriced_orders(table: &KpiTable, periods: &[Period]) -> Option<String> {
        let (orders, priced) = periods
            .iter()
            .filter_map(|p| table.inputs(&[], p)?.orders.as_ref())
            .fold((0, 0), |(n, priced), o| (n + o.orders, priced + o.priced_orders));
        (orders > priced).then(|| {
            format!(
                "{} of {orders} orders in these periods have no amount: they count as orders, but CLV's average order value is taken over the {priced} with one.",
                orders - priced
            )
        })
    }

    /// Each unusual period with the channels and categories that moved it
    /// most against its baseline (the `BASELINE` periods before it).
    async fn flagged(
        db: &Db,
        kpi: Kpi,
        query: &KpiQuery,
        all: &[(Period, Option<f64>, i64)],
        unusual: &[&Unusual],
        min_sample: i64,
    ) -> Result<Vec<Flagged>, AppError> {
        // Drivers compare each unusual period with its baseline: only those
        // periods are read, with their sketches.
        let compared: Vec<Period> = unusual
            .iter()
            .flat_map(|u| baseline(all, u.index, min_sample).into_iter().chain([all[u.index].0]))
            .collect();
        let span = compared.iter().min().zip(compared.iter().max());
        let filters = &query.filters;
        let split_by = [(Dimension::Channel, &filters.channel), (Dimension::Category, &filters.category)];
        let reads = split_by.into_iter().filter(|(_, fixed)| fixed.is_none()).filter_map(|(dimension, _)| {
            let (&first, &last) = span.filter(|_| kpi.needs().tickets_only())?;
            let by = KpiQuery { group_by: vec![dimension], first, last, ..query.clone() };
            let compared = &compared;
            // Drivers merge the baseline periods' inputs.
            Some(async move {
                Ok::<_, sqlx::Error>((dimension, kpi_values::load_mergeable(db, &by, compared).await?))
            })
        });
        // Each dimension's read on a connection of its own, at once.
        let tables = futures_util::future::try_join_all(reads).await?;
        Ok(unusual
            .iter()
            .filter_map(|u| {
                let (period, value, _) = all[u.index];
                let baseline = baseline(all, u.index, min_sample);
                let mut drivers: Vec<Driver> = tables
                    .iter()
                    .flat_map(|(dimension, table)| {
                        let mut parts =
                            segment_parts(kpi, *dimension, table, &baseline, period, &db.settings);
                        parts.sort_by(|a, b| b.part.abs().total_cmp(&a.part.abs()));
                        parts.truncate(DRIVERS);
                        parts
                    })
                    .collect();
                drivers.sort_by(|a, b| b.part.abs().total_cmp(&a.part.abs()));
                Some(Flagged {
                    period: period.to_string(),
                    label: period.long_label(),
                    value: value?,
                    mean: u.mean,
                    sigma: u.sigma,
                    drivers,
                })
            })
            .collect())
    }

    /// The periods that set the limits of the period at `index`: the last
    /// judged ones before it.
    fn baseline(all: &[(Period, Option<f64>, i64)], index: usize, min_sample: i64) -> Vec<Period> {
        all[..index]
            .iter()
            .rev()
            .filter(|(_, v, n)| v.is_some() && *n >= min_sample)
            .take(BASELINE)
            .map(|(p, _, _)| *p)
            .collect()
    }

    /// Every segment's part in the change from the baseline periods (merged,
    /// and for counts taken per period) to `period`.
    fn segment_parts(
        kpi: Kpi,
        dimension: Dimension,
        table: &KpiTable,
        baseline: &[Period],
        period: Period,
        settings: &KpiSettings,
    ) -> Vec<Driver> {
        let merged = |group: &Vec<String>| {
            let mut sum = KpiInputs::default();
            for p in baseline {
                if let Some(i) = table.inputs(group, p) {
                    sum.tickets.merge(&i.tickets);
                }
            }
            sum
        };
        let empty = KpiInputs::default();
        let sides: Vec<(String, KpiInputs, &KpiInputs)> = table
            .cells
            .keys()
            .map(|g| {
                (
                    g.first().cloned().unwrap_or_default(),
                    merged(g),
                    table.inputs(g, &period).unwrap_or(&empty),
                )
            })
            .collect();
        if kpi == Kpi::Tickets {
            let periods = baseline.len().max(1) as f64;
            return sides
                .into_iter()
                .map(|(segment, before, after)| {
                    let mean = before.tickets.tickets as f64 / periods;
                    Driver {
                        dimension,
                        segment,
                        before: Some(mean),
                        after: Some(after.tickets.tickets as f64),
                        n: after.tickets.tickets,
                        part: after.tickets.tickets as f64 - mean,
                    }
                })
                .collect();
        }
        let segment = |name: &str, inputs: &KpiInputs| {
            compute(kpi, inputs, settings).map(|rate| Segment {
                name: name.to_string(),
                volume: sample_size(kpi, inputs) as f64,
                rate,
            })
        };
        let before: Vec<Segment> = sides.iter().filter_map(|(n, b, _)| segment(n, b)).collect();
        let after: Vec<Segment> = sides.iter().filter_map(|(n, _, a)| segment(n, a)).collect();
        let Some(split) = mix_rate(&before, &after) else { return Vec::new() };
        split
            .segments
            .into_iter()
            .map(|e| {
                let n = after.iter().find(|s| s.name == e.name).map_or(0, |s| s.volume as i64);
                Driver {
                    dimension,
                    before: e.rate_before,
                    after: e.rate_after,
                    n,
                    part: e.mix + e.rate,
                    segment: e.name,
                }
            })
            .collect()
    }
}
