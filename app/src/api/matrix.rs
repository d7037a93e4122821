//! A ticket KPI across two dimensions (category × channel by default) over a
//! range of days, with true row and column totals (merged totals, never
//! averages of cells). The REST route `GET /api/v1/matrix`, the chart
//! gallery's heatmap and the tests all call [`load`].

use super::query::RangeParams;
use crate::error::AppError;
use crate::kpi::{Direction, Unit};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MatrixQuery {
    /// A ticket KPI or `share` (of volume); CSAT by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kpi: Option<String>,
    /// The row dimension (category by default) and the column dimension
    /// (channel by default; `month` or `week` for time). `agent`, `priority`
    /// and `product` pair with channel, category, team or `month` only, and
    /// read whole months.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cols: Option<String>,
    /// Order of rows and columns: name (default), value (worst first) or total.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
    /// Show the rows with the most tickets, the rest folded into "Other".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top: Option<String>,
    /// Show the columns with the most tickets, the rest folded into "Other"
    /// (not for time columns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_cols: Option<String>,
    /// Cells resting on fewer than this many tickets are marked, not coloured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_n: Option<String>,
    /// `previous` (the same span before) or a month `2025-09`: each cell
    /// also carries its value then and the change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compare: Option<String>,
    /// The days (the last month with data by default) and filters.
    #[serde(flatten)]
    pub range: RangeParams,
}

/// Cells under this many tickets are marked when the query names no `min_n`.
pub const DEFAULT_MIN_N: i64 = 30;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MatrixResult {
    pub kpi: String,
    pub name: String,
    pub unit: Unit,
    pub direction: Direction,
    /// The dimensions of rows and columns, as named in the query.
    pub row_dim: String,
    pub col_dim: String,
    pub from: String,
    pub to: String,
    /// The compared span, with `compare`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compare_from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compare_to: Option<String>,
    pub min_n: i64,
    /// Rows and columns in display order; the last row may be "Other (k)".
    pub rows: Vec<String>,
    pub cols: Vec<String>,
    /// The rows folded into "Other", with `top`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other: Vec<String>,
    /// The columns folded into "Other", with `top_cols`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_cols: Vec<String>,
    pub cells: Vec<MatrixCell>,
    pub row_totals: Vec<RowTotal>,
    pub col_totals: Vec<ColTotal>,
    pub total: Measure,
}

/// A value and the count behind it; with a comparison, the value then and
/// the change (now − then).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Measure {
    pub value: Option<f64>,
    pub n: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_n: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delta: Option<f64>,
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
    use crate::api::query::MAX_PERIODS;
    use crate::kpi::matrix::{arrange, cell, line_total, previous_span, Grid, Line, Metric, Order};
    use crate::kpi::{Grain, KpiInputs, Period};
    use crate::models::{Dimension, ExtraDimension, Filters};
    use crate::store::matrix::{Cross, Quantiles};
    use crate::store::{kpi_values, matrix, Db};
    use chrono::NaiveDate;

    /// One side of the matrix: a dimension of the cube, one outside it
    /// (agent, priority, product: the dimension rollup), or periods of time.
    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Axis {
        Dim(Dimension),
        Extra(ExtraDimension),
        Time(Grain),
    }

    impl Axis {
        fn name(self) -> &'static str {
            match self {
                Axis::Dim(d) => d.column(),
                Axis::Extra(e) => e.column(),
                Axis::Time(Grain::Week) => "week",
                Axis::Time(_) => "month",
            }
        }
    }

    pub async fn load(db: &Db, query: &MatrixQuery) -> Result<MatrixResult, AppError> {
        let key = query.kpi.as_deref().map(str::trim).filter(|k| !k.is_empty()).unwrap_or("csat");
        let metric = Metric::parse(key).ok_or_else(|| AppError::UnknownKpi(key.to_string()))?;
        if let Metric::Kpi(kpi) = metric {
            if !kpi.needs().tickets_only() {
                return Err(AppError::invalid(
                    "kpi",
                    format!(
                        "kpi must be a ticket KPI: {key} is company-wide (orders, financials or backlog)"
                    ),
                ));
            }
        }
        let rows = axis(&query.rows, "rows", Axis::Dim(Dimension::Category))?;
        let cols = axis(&query.cols, "cols", Axis::Dim(Dimension::Channel))?;
        let order = parsed(&query.sort, "sort", "name, value or total", Order::parse)?.unwrap_or_default();
        let top = number(&query.top, "top", 1, 100)?.map(|t| t as usize);
        let top_cols = number(&query.top_cols, "top_cols", 1, 100)?.map(|t| t as usize);
        let min_n = number(&query.min_n, "min_n", 0, 1_000_000)?.unwrap_or(DEFAULT_MIN_N);
        let mut days = query.range.days(kpi_values::latest_day(db).await?)?;
        let extra = check_pair(rows, cols, &days.filters)?;
        check_time_columns(cols, days.first, days.last)?;
        if extra {
            (days.first, days.last) = whole_months(days.first, days.last);
        }
        let compare = compare_span(&query.compare, days.first, days.last, cols)?.map(|(f, l)| {
            if extra {
                whole_months(f, l)
            } else {
                (f, l)
            }
        });
        // An "Other" line merges cells, which needs their sketches.
        let quantiles = match (metric.sketches(), top.is_some() || top_cols.is_some()) {
            (s, _) if !s.any() => Quantiles::No,
            (s, false) => Quantiles::AsRead(s),
            (s, true) => Quantiles::Mergeable(s),
        };
        let grid = read(db, (rows, cols), (days.first, days.last), &days.filters, quantiles).await?;
        let before = match compare {
            Some(span) => Some(read(db, (rows, cols), span, &days.filters, quantiles).await?),
            None => None,
        };
        let settings = db.settings;
        let direction = metric.direction();
        let row_lines = arrange(&grid.rows, &grid.row_totals, order, top, direction, |i| {
            metric.value(i, &grid.total, &settings)
        });
        let col_lines = match cols {
            Axis::Time(_) => grid.cols.iter().cloned().map(Line::One).collect(),
            _ => arrange(&grid.cols, &grid.col_totals, order, top_cols, direction, |i| {
                metric.value(i, &grid.total, &settings)
            }),
        };
        // One measure read the same way from now and, if compared, from then.
        let measure = |pick: &dyn Fn(&Grid) -> Option<KpiInputs>| {
            let now = pick(&grid);
            let value = now.as_ref().and_then(|i| metric.value(i, &grid.total, &settings));
            let then = before.as_ref().map(|b| {
                let i = pick(b);
                (i.as_ref().and_then(|i| metric.value(i, &b.total, &settings)), i.map_or(0, |i| metric.n(&i)))
            });
            let before_value = then.and_then(|(v, _)| v);
            Measure {
                value,
                n: now.as_ref().map_or(0, |i| metric.n(i)),
                before: before_value,
                before_n: then.map(|(_, n)| n),
                delta: value.zip(before_value).map(|(a, b)| a - b),
            }
        };
        let mut cells = Vec::new();
        for r in &row_lines {
            for c in &col_lines {
                if cell(&grid, r, c).is_some() {
                    let m = measure(&|g: &Grid| cell(g, r, c));
                    cells.push(MatrixCell { row: r.label(), col: c.label(), measure: m });
                }
            }
        }
        Ok(MatrixResult {
            kpi: metric.key().to_string(),
            name: metric.name().to_string(),
            unit: metric.unit(),
            direction,
            row_dim: rows.name().to_string(),
            col_dim: cols.name().to_string(),
            from: days.first.to_string(),
            to: days.last.to_string(),
            compare_from: compare.map(|(f, _)| f.to_string()),
            compare_to: compare.map(|(_, l)| l.to_string()),
            min_n,
            rows: row_lines.iter().map(Line::label).collect(),
            cols: col_lines.iter().map(Line::label).collect(),
            other: folded(&row_lines),
            other_cols: folded(&col_lines),
            cells,
            row_totals: row_lines
                .iter()
                .map(|r| RowTotal {
                    row: r.label(),
                    measure: measure(&|g: &Grid| line_total(&g.row_totals, r)),
                })
                .collect(),
            col_totals: col_lines
                .iter()
                .map(|c| ColTotal {
                    col: c.label(),
                    measure: measure(&|g: &Grid| line_total(&g.col_totals, c)),
                })
                .collect(),
            total: measure(&|g: &Grid| Some(g.total.clone()).filter(|t| t.tickets.tickets > 0)),
        })
    }

    /// The values folded into the "Other" line, if any.
    fn folded(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .find_map(|l| match l {
                Line::Other(rest) => Some(rest.clone()),
                Line::One(_) => None,
            })
            .unwrap_or_default()
    }

    /// The first and last day of the months that hold `first` and `last`.
    fn whole_months(first: NaiveDate, last: NaiveDate) -> (NaiveDate, NaiveDate) {
        (Period::containing(Grain::Month, first).start, Period::containing(Grain::Month, last).last_day())
    }

    /// The grid of `rows` × `cols`. Matrices by time and of agents,
    /// priorities or products merge rows into their totals: any quantile
    /// reads sketches there.
    async fn read(
        db: &Db,
        (rows, cols): (Axis, Axis),
        (first, last): (NaiveDate, NaiveDate),
        filters: &Filters,
        quantiles: Quantiles,
    ) -> Result<Grid, AppError> {
        let filter = set_filters(filters).into_iter().next();
        let sketches = quantiles.sketches();
        Ok(match (rows, cols) {
            (Axis::Dim(r), Axis::Dim(c)) => {
                matrix::load(db, (r, c), (first, last), filters, quantiles).await?
            }
            (Axis::Dim(r), Axis::Time(g)) => {
                matrix::load_by_time(db, (r, g), (first, last), filters, sketches).await?
            }
            (Axis::Extra(e), other) | (other, Axis::Extra(e)) => {
                let cross = match other {
                    Axis::Dim(d) => Cross::Dim(d),
                    _ => Cross::Month,
                };
                let extra_rows = rows == Axis::Extra(e);
                matrix::load_extra(db, (e, extra_rows), cross, (first, last), filter, sketches).await?
            }
            (Axis::Time(_), _) => return Err(AppError::invalid("rows", "rows cannot be time")),
        })
    }

    /// The filters that are set, as (dimension, value).
    fn set_filters(filters: &Filters) -> Vec<(Dimension, &str)> {
        [
            (Dimension::Channel, &filters.channel),
            (Dimension::Category, &filters.category),
            (Dimension::Team, &filters.team),
        ]
        .into_iter()
        .filter_map(|(d, v)| v.as_deref().map(|v| (d, v)))
        .collect()
    }

    /// Time columns are bounded as a series' periods are: a range of decades
    /// by week would be thousands of columns, too many to draw or read.
    fn check_time_columns(cols: Axis, first: NaiveDate, last: NaiveDate) -> Result<(), AppError> {
        let Axis::Time(grain) = cols else { return Ok(()) };
        let columns = Period::containing(grain, first).through(Period::containing(grain, last)).len();
        if columns > MAX_PERIODS {
            let or_months = if grain == Grain::Week { " or month columns" } else { "" };
            return Err(AppError::invalid(
                "cols",
                format!("at most {MAX_PERIODS} {} columns; choose a shorter range{or_months}", cols.name()),
            ));
        }
        Ok(())
    }

    const EXTRA_PAIRS: &str = "agent, priority and product pair with channel, category, team or month";

    /// Whether the two sides can be read without scanning raw tickets, and
    /// whether one is an agent, priority or product (read by whole months).
    /// A refusal names the field to change.
    fn check_pair(rows: Axis, cols: Axis, filters: &Filters) -> Result<bool, AppError> {
        if rows == cols {
            return Err(AppError::invalid("cols", "rows and cols must be two different dimensions"));
        }
        let (extra, other) = match (rows, cols) {
            (Axis::Extra(_), Axis::Extra(_)) => {
                return Err(AppError::invalid("cols", format!("{EXTRA_PAIRS}, not with each other")))
            }
            (Axis::Extra(e), other) | (other, Axis::Extra(e)) => (e, other),
            _ => return Ok(false),
        };
        if other == Axis::Time(Grain::Week) {
            return Err(AppError::invalid(
                "cols",
                format!("{} is summed by month: choose month columns, not week", extra.column()),
            ));
        }
        let set = set_filters(filters);
        let refused = match other {
            Axis::Dim(d) => set.iter().find(|(f, _)| *f != d),
            _ => set.get(1),
        };
        if let Some((field, _)) = refused {
            let allowed = match other {
                Axis::Dim(d) => format!("only a {} filter", d.column()),
                _ => "at most one of the channel, category and team filters".to_string(),
            };
            return Err(AppError::invalid(
                field.column(),
                format!(
                    "a matrix by {} takes {allowed}: remove the {} filter",
                    extra.column(),
                    field.column()
                ),
            ));
        }
        Ok(true)
    }

    /// A side of the matrix as the URL names it. Rows cannot be time.
    fn axis(value: &Option<String>, field: &str, default: Axis) -> Result<Axis, AppError> {
        let text = value.as_deref().map(str::trim).unwrap_or("");
        let parsed = match text {
            "" => Some(default),
            "month" if field == "cols" => Some(Axis::Time(Grain::Month)),
            "week" if field == "cols" => Some(Axis::Time(Grain::Week)),
            _ => {
                Dimension::parse(text).map(Axis::Dim).or_else(|| ExtraDimension::parse(text).map(Axis::Extra))
            }
        };
        let time = if field == "cols" { ", month or week" } else { "" };
        parsed.ok_or_else(|| {
            AppError::invalid(
                field,
                format!(
                    "{field} must be channel, category, team, agent, priority, product{time}, not '{text}'"
                ),
            )
        })
    }

    /// The span to compare with, if any: `previous` or a month `YYYY-MM`.
    fn compare_span(
        value: &Option<String>,
        first: NaiveDate,
        last: NaiveDate,
        cols: Axis,
    ) -> Result<Option<(NaiveDate, NaiveDate)>, AppError> {
        let Some(text) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
        if matches!(cols, Axis::Time(_)) {
            return Err(AppError::invalid("compare", "compare needs two dimensions, not time columns"));
        }
        let refused = || {
            AppError::invalid(
                "compare",
                format!("compare must be previous or a month like 2025-09, not '{text}'"),
            )
        };
        let span = if text == "previous" {
            previous_span(first, last)
        } else {
            let month = Period::parse(text).filter(|p| p.grain == Grain::Month).ok_or_else(refused)?;
            Some((month.start, month.last_day()))
        };
        span.filter(|(f, l)| crate::kpi::period::is_plausible(*f) && crate::kpi::period::is_plausible(*l))
            .map(Some)
            .ok_or_else(refused)
    }

    fn parsed<T>(
        value: &Option<String>,
        field: &str,
        expected: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>, AppError> {
        match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => parse(v)
                .map(Some)
                .ok_or_else(|| AppError::invalid(field, format!("{field} must be {expected}, not '{v}'"))),
        }
    }

    fn number(value: &Option<String>, field: &str, lo: i64, hi: i64) -> Result<Option<i64>, AppError> {
        crate::api::query::whole_number(value, field, lo..=hi)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn field_of(e: AppError) -> String {
            match e {
                AppError::Invalid { field, .. } => field,
                other => panic!("not a field error: {other:?}"),
            }
        }

        fn some(s: &str) -> Option<String> {
            Some(s.to_string())
        }

        #[test]
        fn agent_priority_and_product_are_axes_and_rows_cannot_be_time() {
            let rows = Axis::Dim(Dimension::Category);
            assert_eq!(axis(&some("agent"), "rows", rows).unwrap(), Axis::Extra(ExtraDimension::Agent));
            assert_eq!(axis(&None, "cols", rows).unwrap(), rows);
            assert_eq!(axis(&some("month"), "cols", rows).unwrap(), Axis::Time(Grain::Month));
            assert_eq!(field_of(axis(&some("month"), "rows", rows).unwrap_err()), "rows");
            assert_eq!(field_of(axis(&some("agents"), "cols", rows).unwrap_err()), "cols");
        }

        #[test]
        fn pairs_the_rollups_cannot_answer_are_refused_naming_the_field() {
            let agent = Axis::Extra(ExtraDimension::Agent);
            let product = Axis::Extra(ExtraDimension::Product);
            let category = Axis::Dim(Dimension::Category);
            let none = Filters::default();
            let chat = Filters { channel: some("chat"), ..Default::default() };
            let chat_and_team = Filters { team: some("t"), ..chat.clone() };
            assert!(!check_pair(category, Axis::Dim(Dimension::Channel), &chat).unwrap());
            assert!(check_pair(agent, Axis::Time(Grain::Month), &chat).unwrap());
            assert!(check_pair(category, agent, &Filters { category: some("x"), ..none.clone() }).unwrap());
            assert_eq!(field_of(check_pair(agent, product, &none).unwrap_err()), "cols");
            assert_eq!(field_of(check_pair(agent, Axis::Time(Grain::Week), &none).unwrap_err()), "cols");
            assert_eq!(field_of(check_pair(agent, category, &chat).unwrap_err()), "channel");
            assert_eq!(
                field_of(check_pair(agent, Axis::Time(Grain::Month), &chat_and_team).unwrap_err()),
                "team"
            );
        }

        #[test]
        fn an_agent_matrix_reads_the_whole_months_of_its_range() {
            let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
            assert_eq!(whole_months(d(2025, 7, 10), d(2025, 9, 3)), (d(2025, 7, 1), d(2025, 9, 30)));
        }
    }
}
