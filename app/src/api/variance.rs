//! Variance: every KPI's actual against its target for a month and scope,
//! worst first; for one KPI the split by channel, category or team (which
//! segments pulled it off target), the mix vs rate decomposition of its
//! change since the month before, and 12 months of actual vs target. The
//! page, `GET /api/v1/variance` and the tests all call [`load`].

use crate::api::register::{KpiRegister, RegisterLine};
use crate::error::AppError;
use crate::kpi::variance::{MixRate, Variance};
use crate::kpi::{Direction, Unit};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Which month, scope and target version; and which KPI to split by what.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VarianceQuery {
    /// `2025-03`; the last month with data by default. REST calls it `period`.
    #[serde(default, alias = "period", skip_serializing_if = "Option::is_none")]
    pub month: Option<String>,
    /// channel, category or team: the scope's dimension (the company without one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The scope's value, e.g. `chat`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// `plan` (default) or `reforecast` (the plan where there is no re-forecast).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The KPI to split; the worst one with a target by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kpi: Option<String>,
    /// channel (default), category or team: what to split it by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// The table's order: `status` (worst first, the default), `kpi`,
    /// `actual`, `target`, `variance` or `variance_pct`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
    /// `asc` (default) or `desc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dir: Option<String>,
}

/// The columns the variance table sorts by.
pub const SORT_KEYS: [&str; 6] = ["status", "kpi", "actual", "target", "variance", "variance_pct"];

/// Orders rows (already worst first) by `sort`: `status` keeps worst first
/// (best first when descending); the other columns sort by their value,
/// rows without one last in either direction, ties kept worst first.
pub fn sort_rows(rows: &mut [VarianceRow], sort: &str, descending: bool) {
    type Key = fn(&VarianceRow) -> Option<f64>;
    let key: Option<Key> = match sort {
        "actual" => Some(|r| r.variance.actual),
        "target" => Some(|r| r.variance.target),
        "variance" => Some(|r| r.variance.variance),
        "variance_pct" => Some(|r| r.variance.variance_pct),
        _ => None,
    };
    match (sort, key) {
        ("kpi", _) => {
            rows.sort_by_key(|r| r.name.to_lowercase());
            if descending {
                rows.reverse();
            }
        }
        (_, Some(key)) => rows.sort_by(|a, b| match (key(a), key(b)) {
            (Some(x), Some(y)) if descending => y.total_cmp(&x),
            (Some(x), Some(y)) => x.total_cmp(&y),
            (x, y) => y.is_some().cmp(&x.is_some()),
        }),
        _ if descending => rows.reverse(),
        _ => {}
    }
}

/// One KPI's actual against its target.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VarianceRow {
    pub key: String,
    pub name: String,
    pub unit: Unit,
    pub direction: Direction,
    pub variance: Variance,
    /// The tolerance band in % of the target (the default when none was set).
    pub tolerance_pct: f64,
    /// The version the target comes from (`plan` or `reforecast`).
    pub target_version: Option<String>,
    pub note: Option<String>,
}

/// One segment of the chosen KPI.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentRow {
    pub segment: String,
    /// The tickets or responses its value rests on.
    pub n: i64,
    /// Against the segment's own target, or the scope's when it has none.
    pub variance: Variance,
    pub own_target: bool,
    /// Its part of the total's gap to target: share × (actual − target).
    pub impact: Option<f64>,
}

/// The chosen KPI split by a dimension.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Drill {
    pub key: String,
    pub name: String,
    pub unit: Unit,
    pub direction: Direction,
    /// channel, category or team
    pub by: String,
    /// Whether the KPI has a value per segment (company-wide KPIs do not).
    pub splittable: bool,
    /// Worst impact first.
    pub segments: Vec<SegmentRow>,
    /// The change since the previous month split into mix and rate;
    /// `None` for counts and KPIs without segments.
    pub mix_rate: Option<MixRate>,
    pub previous_label: String,
    /// Up to 12 months ending with the month, from the first with data:
    /// (label, actual, target in force).
    pub history: Vec<(String, Option<f64>, Option<f64>)>,
    /// The target of the month and its tolerance band, for the chart.
    pub target: Option<f64>,
    pub band: Option<(f64, f64)>,
    /// Markers on the chart: (index into `history`, text) of root causes,
    /// actions, notes and business events.
    pub notes: Vec<(usize, String)>,
    /// The root causes and actions recorded on this KPI's variance.
    pub register: KpiRegister,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VarianceReport {
    pub month: String,
    pub label: String,
    /// Every month with data, newest first: (value, label).
    pub months: Vec<(String, String)>,
    /// The scope: (dimension, value), or `None` for the whole company.
    pub scope: Option<(String, String)>,
    pub version: String,
    /// The table's order (see [`VarianceQuery::sort`]) and direction.
    pub sort: String,
    pub descending: bool,
    /// Every KPI, worst first (those without a target last) unless sorted otherwise.
    pub rows: Vec<VarianceRow>,
    /// How many KPIs have a target this month.
    pub with_target: usize,
    /// The variance register of the month: unfavourable variances beyond
    /// their KPI's materiality (needing an explanation) and those explained.
    pub register: Vec<RegisterLine>,
    pub drill: Option<Drill>,
}

/// The variance of a month; `Ok(None)` when there is no data at all yet.
#[server(endpoint = "get_variance")]
pub async fn get_variance(query: VarianceQuery) -> Result<Option<VarianceReport>, AppError> {
    super::for_viewer(|db| async move { load(&db, &query).await }).await
}

#[cfg(feature = "ssr")]
pub use server::load;

#[cfg(feature = "ssr")]
mod server {
    use super::*;
    use crate::api::query::dimension;
    use crate::api::targets::server::filters_of;
    use crate::kpi::variance::{
        mix_rate, segment_impacts, watch_band, worst_first, Segment, DEFAULT_TOLERANCE_PCT,
    };
    use crate::kpi::{compute, sample_size, Kpi, Period};
    use crate::models::{Dimension, Target, TargetVersion, MAX_TEXT_CHARS};
    use crate::store::{kpi_values, targets, Db, KpiQuery};
    use std::collections::HashMap;

    /// Months on the chart.
    const HISTORY_MONTHS: usize = 12;

    fn text(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|v| !v.is_empty())
    }

    pub async fn load(db: &Db, query: &VarianceQuery) -> Result<Option<VarianceReport>, AppError> {
        let available = kpi_values::months_with_data(db).await?;
        let Some(latest) = available.last().copied() else {
            return Ok(None);
        };
        let month = match text(&query.month) {
            None => latest,
            Some(m) => crate::kpi::period::plausible_month(m).ok_or_else(|| {
                AppError::invalid("month", format!("'{m}' is not a month; write it like 2025-03"))
            })?,
        };
        let scope = match text(&query.scope) {
            None => None,
            Some(_) => {
                let dim = dimension(&query.scope, "scope", Dimension::Channel)?;
                let value =
                    text(&query.value).filter(|v| v.chars().count() <= MAX_TEXT_CHARS).ok_or_else(|| {
                        AppError::invalid("value", format!("name the {} of the scope", dim.column()))
                    })?;
                Some((dim.column().to_string(), value.to_string()))
            }
        };
        let version = match text(&query.version) {
            None => TargetVersion::Plan,
            Some(v) => TargetVersion::parse(v)
                .ok_or_else(|| AppError::invalid("version", "version must be plan or reforecast"))?,
        };
        let chosen = match text(&query.kpi) {
            None => None,
            Some(k) => Some(Kpi::from_key(k).ok_or_else(|| AppError::UnknownKpi(k.to_string()))?),
        };
        let by = dimension(&query.by, "by", Dimension::Channel)?;
        let sort = text(&query.sort).unwrap_or("status");
        if !SORT_KEYS.contains(&sort) {
            return Err(AppError::invalid("sort", format!("sort by one of {}", SORT_KEYS.join(", "))));
        }
        let descending = match text(&query.dir) {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(_) => return Err(AppError::invalid("dir", "dir must be asc or desc")),
        };
        let (dim, value) = scope.clone().unwrap_or_default();
        let filters = filters_of(&dim, &value);

        let first = (1..HISTORY_MONTHS).fold(month, |p, _| p.prev());
        let (first_month, last_month) = (first.to_string(), month.to_string());
        let query = KpiQuery {
            kpis: Kpi::ALL.to_vec(),
            first: month,
            last: month,
            filters: filters.clone(),
            group_by: Vec::new(),
        };
        let (all_targets, table) = futures_util::try_join!(
            targets::list(db, &first_month, &last_month, None),
            kpi_values::load(db, &query),
        )?;
        let in_force = targets::in_force(&all_targets, version);
        let target_of = |kpi: Kpi, period: &Period, d: &str, v: &str| -> Option<&Target> {
            in_force.get(&(kpi.key().to_string(), period.to_string(), d.to_string(), v.to_string()))
        };
        let inputs = table.inputs(&[], &month);
        let mut rows: Vec<VarianceRow> = Kpi::ALL
            .iter()
            .map(|&kpi| {
                let actual = inputs.and_then(|i| compute(kpi, i, &db.settings));
                let target = target_of(kpi, &month, &dim, &value);
                let tolerance = target.and_then(|t| t.tolerance_pct).unwrap_or(DEFAULT_TOLERANCE_PCT);
                VarianceRow {
                    key: kpi.key().to_string(),
                    name: kpi.name().to_string(),
                    unit: kpi.unit(),
                    direction: kpi.direction(),
                    variance: Variance::new(actual, target.map(|t| t.value), kpi.direction(), tolerance),
                    tolerance_pct: tolerance,
                    target_version: target.map(|t| t.version.key().to_string()),
                    note: target.map(|t| t.note.clone()).filter(|n| !n.is_empty()),
                }
            })
            .collect();
        // Worst first; a KPI without a target after every KPI with one.
        rows.sort_by(|a, b| {
            a.variance
                .target
                .is_none()
                .cmp(&b.variance.target.is_none())
                .then(worst_first((&a.variance, a.direction), (&b.variance, b.direction)))
        });
        let with_target = rows.iter().filter(|r| r.variance.target.is_some()).count();
        let drill_kpi = chosen.or_else(|| {
            rows.iter().find(|r| r.variance.target.is_some()).and_then(|r| Kpi::from_key(&r.key))
        });
        let drill = async {
            match drill_kpi {
                Some(kpi) => drill(db, kpi, by, (month, available[0]), (&dim, &value), version, &in_force)
                    .await
                    .map(Some),
                None => Ok(None),
            }
        };
        let (register, drill) = futures_util::try_join!(
            crate::api::register::server::lines(db, &rows, month, (&dim, &value)),
            drill,
        )?;
        sort_rows(&mut rows, sort, descending);
        Ok(Some(VarianceReport {
            month: month.to_string(),
            label: month.long_label(),
            months: available.iter().rev().map(|p| (p.to_string(), p.long_label())).collect(),
            scope,
            version: version.key().to_string(),
            sort: sort.to_string(),
            descending,
            rows,
            with_target,
            register,
            drill,
        }))
    }

    /// `months`: the month, and the first with data; `scope`: (dimension, value).
    async fn drill(
        db: &Db,
        kpi: Kpi,
        by: Dimension,
        (month, first_with_data): (Period, Period),
        (dim, value): (&str, &str),
        version: TargetVersion,
        in_force: &HashMap<(String, String, String, String), Target>,
    ) -> Result<Drill, AppError> {
        let filters = filters_of(dim, value);
        let target_of = |period: &Period, d: &str, v: &str| {
            in_force.get(&(kpi.key().to_string(), period.to_string(), d.to_string(), v.to_string()))
        };
        // Up to 12 months, none before the data begins.
        let first = (1..HISTORY_MONTHS).fold(month, |p, _| p.prev()).max(first_with_data.min(month));
        let splittable = kpi.needs().tickets_only();
        let previous = month.prev();
        let history_query =
            KpiQuery { kpis: vec![kpi], first, last: month, filters: filters.clone(), group_by: Vec::new() };
        let split = async {
            let query =
                KpiQuery { kpis: vec![kpi], first: previous, last: month, filters, group_by: vec![by] };
            if splittable {
                kpi_values::load(db, &query).await.map(Some)
            } else {
                Ok(None)
            }
        };
        let (series, split) = futures_util::try_join!(kpi_values::load(db, &history_query), split)?;
        let history = series
            .periods
            .iter()
            .map(|p| {
                (
                    p.short_label(),
                    series.value(kpi, &[], p, &db.settings),
                    target_of(p, dim, value).map(|t| t.value),
                )
            })
            .collect();
        let scope_target = target_of(&month, dim, value);
        let tolerance = scope_target.and_then(|t| t.tolerance_pct).unwrap_or(DEFAULT_TOLERANCE_PCT);
        let band = scope_target.and_then(|t| watch_band(t.value, kpi.direction(), tolerance));

        let mut segments = Vec::new();
        let mut mix = None;
        if let Some(split) = split {
            let weighted = kpi.unit() != Unit::Count;
            let segment_at = |period: &Period| -> Vec<Segment> {
                split
                    .cells
                    .iter()
                    .filter_map(|(group, cells)| {
                        let inputs = cells.get(period)?;
                        let rate = compute(kpi, inputs, &db.settings)?;
                        let n = sample_size(kpi, inputs);
                        (n > 0).then(|| Segment { name: group.join(" · "), volume: n as f64, rate })
                    })
                    .collect()
            };
            let now = segment_at(&month);
            let impacts: HashMap<String, f64> = match (weighted, scope_target) {
                (true, Some(t)) => segment_impacts(&now, t.value).into_iter().collect(),
                _ => HashMap::new(),
            };
            for s in &now {
                let own = target_of(&month, by.column(), &s.name);
                let target = own.or(scope_target);
                let tolerance = target.and_then(|t| t.tolerance_pct).unwrap_or(DEFAULT_TOLERANCE_PCT);
                segments.push(SegmentRow {
                    segment: s.name.clone(),
                    n: s.volume as i64,
                    variance: Variance::new(
                        Some(s.rate),
                        target.map(|t| t.value),
                        kpi.direction(),
                        tolerance,
                    ),
                    own_target: own.is_some(),
                    impact: impacts.get(&s.name).copied(),
                });
            }
            let sign = if kpi.direction() == Direction::Lower { -1.0 } else { 1.0 };
            segments.sort_by(|a, b| {
                let key = |r: &SegmentRow| r.impact.map_or(f64::INFINITY, |i| i * sign);
                key(a)
                    .total_cmp(&key(b))
                    .then(worst_first((&a.variance, kpi.direction()), (&b.variance, kpi.direction())))
            });
            if weighted {
                mix = mix_rate(&segment_at(&previous), &now);
            }
        }
        Ok(Drill {
            key: kpi.key().to_string(),
            name: kpi.name().to_string(),
            unit: kpi.unit(),
            direction: kpi.direction(),
            by: by.column().to_string(),
            splittable,
            segments,
            mix_rate: mix,
            previous_label: previous.long_label(),
            history,
            target: scope_target.map(|t| t.value),
            band,
            notes: crate::api::markers::notes(db, kpi, &series.periods).await?,
            register: crate::api::register::server::of_kpi(db, kpi, month, (dim, value), version).await?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, actual: Option<f64>, target: Option<f64>) -> VarianceRow {
        VarianceRow {
            key: name.to_lowercase(),
            name: name.into(),
            unit: Unit::Percent,
            direction: Direction::Higher,
            variance: Variance::new(actual, target, Direction::Higher, 5.0),
            tolerance_pct: 5.0,
            target_version: None,
            note: None,
        }
    }

    fn names(rows: &[VarianceRow]) -> Vec<&str> {
        rows.iter().map(|r| r.name.as_str()).collect()
    }

    #[test]
    fn the_table_sorts_by_any_column_with_missing_values_last() {
        // Worst first, as `load` orders them: B (−20 %), A (−10 %), C (+5 %), D (no target).
        let worst_first = vec![
            row("B", Some(64.0), Some(80.0)),
            row("A", Some(72.0), Some(80.0)),
            row("C", Some(84.0), Some(80.0)),
            row("D", Some(90.0), None),
        ];
        let sorted = |sort: &str, desc: bool| {
            let mut rows = worst_first.clone();
            sort_rows(&mut rows, sort, desc);
            names(&rows).join("")
        };
        assert_eq!(sorted("status", false), "BACD");
        assert_eq!(sorted("status", true), "DCAB");
        assert_eq!(sorted("kpi", false), "ABCD");
        assert_eq!(sorted("kpi", true), "DCBA");
        assert_eq!(sorted("actual", false), "BACD");
        assert_eq!(sorted("actual", true), "DCAB");
        // D has no variance: last both ways.
        assert_eq!(sorted("variance_pct", false), "BACD");
        assert_eq!(sorted("variance_pct", true), "CABD");
        assert_eq!(sorted("target", true), "BACD", "equal targets keep worst first");
    }
}
