//! One query vocabulary for every analysis: a range of dates at a grain and
//! filters on the rollup's dimensions. Pages and REST routes read it from
//! the same URL query string (serde); `periods` and `days` check it once and
//! turn it into typed values, or an `AppError` that names the field.

use crate::error::AppError;
use crate::kpi::period::{is_plausible, FIRST_PLAUSIBLE_DAY, LAST_PLAUSIBLE_DAY};
use crate::kpi::{Grain, Period};
use crate::models::{Dimension, Filters};
use chrono::{Datelike, NaiveDate};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Periods one answer may hold: three years of days, or any range of months.
pub const MAX_PERIODS: usize = 1_100;

/// A date range, grain and filters as written in a URL: every part optional.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RangeParams {
    /// First day, `2025-03-14`; defaults depend on the analysis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Last day, inclusive; defaults to the last day with data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// day, week, month or quarter; month by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grain: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
}

/// A checked range of whole periods, with its filters.
#[derive(Clone, Debug, PartialEq)]
pub struct Periods {
    pub first: Period,
    pub last: Period,
    pub filters: Filters,
}

/// A checked range of days, with its filters.
#[derive(Clone, Debug, PartialEq)]
pub struct Days {
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub filters: Filters,
}

impl RangeParams {
    /// The range as a page's URL holds it, read through `get` (empty
    /// values are absent): the same names as the REST query string.
    pub fn from_url(get: impl Fn(&str) -> Option<String>) -> RangeParams {
        RangeParams {
            from: get("from"),
            to: get("to"),
            grain: get("grain"),
            channel: get("channel"),
            category: get("category"),
            team: get("team"),
        }
    }

    /// The periods from `from` to `to` at the grain; without `from`, the
    /// `default_count` periods that end at `to` (or at `latest`, the last day
    /// with data).
    pub fn periods(&self, latest: NaiveDate, default_count: usize) -> Result<Periods, AppError> {
        let grain = match non_empty(&self.grain) {
            None => Grain::Month,
            Some(g) => Grain::parse(g).ok_or_else(|| {
                AppError::invalid("grain", format!("grain must be day, week, month or quarter, not '{g}'"))
            })?,
        };
        let (from, to) = self.dates()?;
        let last = Period::containing(grain, to.unwrap_or(latest));
        let first = match from {
            Some(d) => Period::containing(grain, d),
            None => (1..default_count.max(1)).fold(last, |p, _| p.prev()),
        };
        if first > last {
            return Err(AppError::invalid("to", "to is before from"));
        }
        if first.through(last).len() > MAX_PERIODS {
            return Err(AppError::invalid(
                "grain",
                format!(
                    "at most {MAX_PERIODS} periods per request; choose a coarser grain or a shorter range"
                ),
            ));
        }
        Ok(Periods { first, last, filters: self.filters() })
    }

    /// The days from `from` to `to`; by default the calendar month of `to`
    /// (or of `latest`) up to that day.
    pub fn days(&self, latest: NaiveDate) -> Result<Days, AppError> {
        let (from, to) = self.dates()?;
        let last = to.unwrap_or(latest);
        let first = from.unwrap_or_else(|| last.with_day(1).unwrap_or(last));
        if first > last {
            return Err(AppError::invalid("to", "to is before from"));
        }
        Ok(Days { first, last, filters: self.filters() })
    }

    fn dates(&self) -> Result<(Option<NaiveDate>, Option<NaiveDate>), AppError> {
        Ok((date(&self.from, "from")?, date(&self.to, "to")?))
    }

    fn filters(&self) -> Filters {
        let value = |v: &Option<String>| non_empty(v).map(str::to_string);
        Filters { channel: value(&self.channel), category: value(&self.category), team: value(&self.team) }
    }
}

/// A whole number written in the URL (`top=10`), within `range`; `None`
/// when absent or empty. The refusal names the field and the range.
pub fn whole_number(
    value: &Option<String>,
    field: &str,
    range: std::ops::RangeInclusive<i64>,
) -> Result<Option<i64>, AppError> {
    match non_empty(value) {
        None => Ok(None),
        Some(v) => v.parse::<i64>().ok().filter(|n| range.contains(n)).map(Some).ok_or_else(|| {
            AppError::invalid(
                field,
                format!(
                    "{field} must be a whole number from {} to {}, not '{v}'",
                    range.start(),
                    range.end()
                ),
            )
        }),
    }
}

/// A dimension named in the URL (`rows=channel`), or `default`.
pub fn dimension(value: &Option<String>, field: &str, default: Dimension) -> Result<Dimension, AppError> {
    match non_empty(value) {
        None => Ok(default),
        Some(v) => Dimension::parse(v).ok_or_else(|| {
            AppError::invalid(field, format!("{field} must be channel, category or team, not '{v}'"))
        }),
    }
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// A `YYYY-MM-DD` date inside the plausible window (outside it no data can
/// be, and period arithmetic would overflow).
fn date(value: &Option<String>, field: &str) -> Result<Option<NaiveDate>, AppError> {
    let Some(text) = non_empty(value) else { return Ok(None) };
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        AppError::invalid(field, format!("{field} must be a date like 2025-03-14, not '{text}'"))
    })?;
    if !is_plausible(date) {
        return Err(AppError::invalid(
            field,
            format!("{field} must lie between {FIRST_PLAUSIBLE_DAY} and {LAST_PLAUSIBLE_DAY}"),
        ));
    }
    Ok(Some(date))
}

/// The values each filter can take: every channel, category and team in the
/// data, for the filter forms.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FilterChoices {
    pub channels: Vec<String>,
    pub categories: Vec<String>,
    pub teams: Vec<String>,
}

#[server(endpoint = "filter_options")]
pub async fn filter_options() -> Result<FilterChoices, AppError> {
    super::for_viewer(|db| async move {
        let values = |d| crate::store::kpi_values::dimension_values(&db, d);
        Ok(FilterChoices {
            channels: values(Dimension::Channel).await?,
            categories: values(Dimension::Category).await?,
            teams: values(Dimension::Team).await?,
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> RangeParams {
        let mut p = RangeParams::default();
        for (k, v) in pairs {
            let v = Some(v.to_string());
            match *k {
                "from" => p.from = v,
                "to" => p.to = v,
                "grain" => p.grain = v,
                "channel" => p.channel = v,
                _ => unreachable!(),
            }
        }
        p
    }

    fn latest() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 10, 17).unwrap()
    }

    fn field_of(e: AppError) -> String {
        match e {
            AppError::Invalid { field, .. } => field,
            other => panic!("not a field error: {other:?}"),
        }
    }

    #[test]
    fn without_parameters_a_range_is_the_last_months_with_data() {
        let p = params(&[]).periods(latest(), 12).unwrap();
        assert_eq!((p.first.to_string(), p.last.to_string()), ("2024-11".into(), "2025-10".into()));
        assert_eq!(p.filters, Filters::default());
    }

    #[test]
    fn dates_grain_and_filters_are_read() {
        let p =
            params(&[("from", "2025-03-03"), ("to", "2025-03-20"), ("grain", "week"), ("channel", "chat")])
                .periods(latest(), 12)
                .unwrap();
        assert_eq!((p.first.to_string(), p.last.to_string()), ("2025-W10".into(), "2025-W12".into()));
        assert_eq!(p.filters.channel.as_deref(), Some("chat"));
    }

    #[test]
    fn each_bad_parameter_is_refused_with_its_field() {
        let refused = |pairs: &[(&str, &str)]| field_of(params(pairs).periods(latest(), 12).unwrap_err());
        assert_eq!(refused(&[("grain", "year")]), "grain");
        assert_eq!(refused(&[("from", "14/03/2025")]), "from");
        assert_eq!(refused(&[("to", "-262143-01-10")]), "to");
        assert_eq!(refused(&[("from", "1900-01-01")]), "from");
        assert_eq!(refused(&[("from", "2025-05-01"), ("to", "2025-04-01")]), "to");
        assert_eq!(refused(&[("from", "1990-01-01"), ("grain", "day")]), "grain");
    }

    #[test]
    fn a_day_range_defaults_to_the_month_so_far() {
        let d = params(&[]).days(latest()).unwrap();
        assert_eq!((d.first.to_string(), d.last.to_string()), ("2025-10-01".into(), "2025-10-17".into()));
    }

    #[test]
    fn dimensions_are_named_or_refused() {
        assert_eq!(dimension(&None, "rows", Dimension::Team).unwrap(), Dimension::Team);
        assert_eq!(dimension(&Some("channel".into()), "rows", Dimension::Team).unwrap(), Dimension::Channel);
        assert_eq!(field_of(dimension(&Some("agent".into()), "cols", Dimension::Team).unwrap_err()), "cols");
    }
}
