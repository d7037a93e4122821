//! Targets: managers set a KPI's target for a month or a range of months,
//! for the company or one channel, category or team, in the plan or the
//! re-forecast, with an optional tolerance band and a note. Every input is
//! checked on the server and refused naming its field; a target that asks
//! for less than last year achieved is saved with a warning. The targets
//! page, `GET/PUT /api/v1/targets` and the tests call the same loaders.

// The form's server function takes one argument per field, so that a plain
// HTML form posts to it; the client stub the macro generates has as many.
#![allow(clippy::too_many_arguments)]

use crate::error::AppError;
use crate::kpi::{Direction, Unit};
use crate::models::{Target, TargetChange};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Months one submission may cover: two years.
pub const MAX_MONTHS: usize = 24;
/// Longest note on a target.
pub const MAX_NOTE_CHARS: usize = 100;

/// One target as a script sends it (`PUT /api/v1/targets` takes an array).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetInput {
    pub kpi: String,
    /// The month, `2025-03`.
    pub period: String,
    /// A channel, category or team; the whole company when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<ScopeInput>,
    pub value: f64,
    /// The tolerance band in % of the target, 0–100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// `plan` (default) or `reforecast`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScopeInput {
    /// channel, category or team
    pub dimension: String,
    pub value: String,
}

/// What a submission saved, and what the manager should double-check.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SetOutcome {
    pub saved: usize,
    /// How many replaced an earlier target (kept in the history).
    pub replaced: usize,
    pub warnings: Vec<String>,
}

/// One target on the targets page, with last year's actual of its month.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetRow {
    pub target: Target,
    pub last_year: Option<f64>,
    pub worse_than_last_year: bool,
}

/// Everything the targets page shows for one KPI.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetsView {
    pub kpi: String,
    pub name: String,
    pub unit: Unit,
    pub direction: Direction,
    /// (key, name) of every KPI.
    pub kpis: Vec<(String, String)>,
    /// Whether the viewer may set targets (manager or admin).
    pub can_edit: bool,
    /// The last 6 months with data, oldest first: (label, actual).
    pub recent: Vec<(String, Option<f64>)>,
    /// The least-squares change per month over those 6 months.
    pub trend_per_month: Option<f64>,
    /// The newest published benchmark median: (source, p50).
    pub benchmark: Option<(String, f64)>,
    /// The newest published p90: (source, p90); a target beyond it is saved with a warning.
    pub benchmark_p90: Option<(String, f64)>,
    pub suggestion: Option<f64>,
    pub suggestion_rule: String,
    /// The month the form proposes: the one after the last month with data.
    pub next_month: String,
    pub channels: Vec<String>,
    pub categories: Vec<String>,
    pub teams: Vec<String>,
    /// This KPI's targets from a year back to two years ahead.
    pub targets: Vec<TargetRow>,
    /// The latest changes of this KPI's targets, newest first.
    pub history: Vec<TargetChange>,
}

/// The targets page of `kpi` (CSAT by default).
#[server(endpoint = "get_targets")]
pub async fn get_targets(kpi: Option<String>) -> Result<TargetsView, AppError> {
    super::respond(async move {
        let db = super::db()?;
        let user = crate::auth::session::require(&db, crate::models::Role::Viewer).await?;
        server::view(&db, kpi.as_deref(), user.role >= crate::models::Role::Manager).await
    })
    .await
}

/// Sets a target for the months `from..=to` (`to` empty: `from` only).
/// Managers and admins only.
#[server(endpoint = "set_targets")]
pub async fn set_targets(
    kpi: String,
    from: String,
    to: String,
    scope: String,
    scope_value: String,
    value: String,
    tolerance: String,
    note: String,
    version: String,
) -> Result<SetOutcome, AppError> {
    super::respond(async move {
        let db = super::db()?;
        let user = crate::auth::session::require(&db, crate::models::Role::Manager).await?;
        let form = server::TargetForm { kpi, from, to, scope, scope_value, value, tolerance, note, version };
        let targets = server::check_form(&form, &user.username, crate::auth::session::now())?;
        server::save(&db, &targets).await
    })
    .await
}

#[cfg(feature = "ssr")]
pub mod server {
    use super::*;
    use crate::kpi::period::{is_plausible, plausible_months, FIRST_PLAUSIBLE_DAY, LAST_PLAUSIBLE_DAY};
    use crate::kpi::variance::{beyond_p90, suggest_target, worse_than, SUGGESTION_RULE};
    use crate::kpi::{compute, Grain, Kpi, Period};
    use crate::models::{Dimension, Filters, TargetVersion, MAX_AMOUNT, MAX_TEXT_CHARS};
    use crate::store::{kpi_values, read, targets, Db, KpiQuery};
    use std::collections::{BTreeMap, HashMap};

    /// The targets form as posted: every field as text.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct TargetForm {
        pub kpi: String,
        pub from: String,
        pub to: String,
        pub scope: String,
        pub scope_value: String,
        pub value: String,
        pub tolerance: String,
        pub note: String,
        pub version: String,
    }

    fn kpi_of(key: &str) -> Result<Kpi, AppError> {
        Kpi::from_key(key.trim()).ok_or_else(|| AppError::invalid("kpi", "Choose a KPI of the catalogue."))
    }

    pub(crate) fn month(text: &str, field: &str) -> Result<Period, AppError> {
        let text = text.trim();
        let period = Period::parse(text).filter(|p| p.grain == Grain::Month).ok_or_else(|| {
            AppError::invalid(field, format!("Write the month like 2025-03, not '{text}'."))
        })?;
        if !is_plausible(period.start) {
            let (first, last) = plausible_months();
            return Err(AppError::invalid(field, format!("The month must lie between {first} and {last}.")));
        }
        Ok(period)
    }

    /// The range a KPI's target may take, in words for the error.
    fn value_range(kpi: Kpi) -> (f64, f64, &'static str) {
        match kpi.unit() {
            Unit::Percent if kpi == Kpi::ProfitMargin => (-100.0, 100.0, "a margin between −100 and 100 (%)"),
            Unit::Percent => (0.0, 100.0, "a percentage between 0 and 100"),
            Unit::Points => (-100.0, 100.0, "a score between −100 and 100"),
            Unit::Hours => (0.0, MAX_AMOUNT, "a time of 0 hours or more"),
            _ => (0.0, MAX_AMOUNT, "0 or more"),
        }
    }

    fn check_value(kpi: Kpi, value: f64) -> Result<f64, AppError> {
        if !value.is_finite() || value.abs() > MAX_AMOUNT {
            return Err(AppError::invalid("value", "The target must be a number within ±1,000,000,000,000."));
        }
        let (lo, hi, words) = value_range(kpi);
        if !(lo..=hi).contains(&value) {
            return Err(AppError::invalid("value", format!("A {} target must be {words}.", kpi.name())));
        }
        Ok(value)
    }

    fn number(text: &str, field: &str, what: &str) -> Result<Option<f64>, AppError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        text.replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .map(Some)
            .ok_or_else(|| AppError::invalid(field, format!("{what} must be a number, not '{text}'.")))
    }

    fn check_tolerance(tolerance: Option<f64>) -> Result<Option<f64>, AppError> {
        match tolerance {
            Some(t) if !(0.0..=100.0).contains(&t) || !t.is_finite() => {
                Err(AppError::invalid("tolerance", "The tolerance is a percentage of the target, 0 to 100."))
            }
            t => Ok(t),
        }
    }

    pub(crate) fn check_scope(dimension: &str, value: &str) -> Result<(String, String), AppError> {
        let (dimension, value) = (dimension.trim(), value.trim());
        if dimension.is_empty() {
            if !value.is_empty() {
                return Err(AppError::invalid("scope", "Choose channel, category or team for this value."));
            }
            return Ok((String::new(), String::new()));
        }
        let dim = Dimension::parse(dimension).ok_or_else(|| {
            AppError::invalid(
                "scope",
                format!("The scope must be channel, category or team, not '{dimension}'."),
            )
        })?;
        if value.is_empty() {
            return Err(AppError::invalid(
                "scope_value",
                format!("Name the {} the target is for.", dim.column()),
            ));
        }
        if value.chars().count() > MAX_TEXT_CHARS {
            return Err(AppError::invalid("scope_value", format!("At most {MAX_TEXT_CHARS} characters.")));
        }
        Ok((dim.column().to_string(), value.to_string()))
    }

    fn check_note(note: &str) -> Result<String, AppError> {
        let note = note.trim();
        if note.chars().count() > MAX_NOTE_CHARS {
            return Err(AppError::invalid("note", format!("Keep the note to {MAX_NOTE_CHARS} characters.")));
        }
        Ok(note.to_string())
    }

    fn check_version(version: &str) -> Result<TargetVersion, AppError> {
        match version.trim() {
            "" => Ok(TargetVersion::Plan),
            v => TargetVersion::parse(v)
                .ok_or_else(|| AppError::invalid("version", "The version is plan or reforecast.")),
        }
    }

    /// The targets of a form submission, one per month of the range; the
    /// first wrong field refuses the whole submission.
    pub fn check_form(form: &TargetForm, actor: &str, now: i64) -> Result<Vec<Target>, AppError> {
        let kpi = kpi_of(&form.kpi)?;
        let first = month(&form.from, "from")?;
        let last = if form.to.trim().is_empty() { first } else { month(&form.to, "to")? };
        if last < first {
            return Err(AppError::invalid("to", "The last month comes before the first."));
        }
        let months = first.through(last);
        if months.len() > MAX_MONTHS {
            return Err(AppError::invalid("to", format!("At most {MAX_MONTHS} months in one go.")));
        }
        let (scope_dim, scope_value) = check_scope(&form.scope, &form.scope_value)?;
        let value = number(&form.value, "value", "The target")?
            .ok_or_else(|| AppError::invalid("value", "Enter the target."))?;
        let value = check_value(kpi, value)?;
        let tolerance_pct = check_tolerance(number(&form.tolerance, "tolerance", "The tolerance")?)?;
        let note = check_note(&form.note)?;
        let version = check_version(&form.version)?;
        Ok(months
            .into_iter()
            .map(|p| Target {
                kpi: kpi.key().to_string(),
                period: p.to_string(),
                scope_dim: scope_dim.clone(),
                scope_value: scope_value.clone(),
                version,
                value,
                tolerance_pct,
                set_by: actor.to_string(),
                set_at: now,
                note: note.clone(),
            })
            .collect())
    }

    /// The targets of a REST submission; an error names the record (from 1).
    pub fn check_inputs(inputs: &[TargetInput], actor: &str, now: i64) -> Result<Vec<Target>, AppError> {
        // As many as a plan may hold: each is three statements in the write.
        let most = crate::api::target_plan::MAX_ROWS;
        if inputs.is_empty() || inputs.len() > most {
            return Err(AppError::BadRequest(format!("Send a JSON array of 1 to {most} targets.")));
        }
        inputs
            .iter()
            .enumerate()
            .map(|(i, input)| {
                check_input(input, actor, now).map_err(|e| match e {
                    AppError::Invalid { field, message } => {
                        AppError::Invalid { field, message: format!("Target {}: {message}", i + 1) }
                    }
                    other => other,
                })
            })
            .collect()
    }

    pub(crate) fn check_input(input: &TargetInput, actor: &str, now: i64) -> Result<Target, AppError> {
        let kpi = kpi_of(&input.kpi)?;
        let period = month(&input.period, "period")?;
        let (scope_dim, scope_value) = match &input.scope {
            Some(s) => check_scope(&s.dimension, &s.value)?,
            None => (String::new(), String::new()),
        };
        Ok(Target {
            kpi: kpi.key().to_string(),
            period: period.to_string(),
            scope_dim,
            scope_value,
            version: check_version(input.version.as_deref().unwrap_or_default())?,
            value: check_value(kpi, input.value)?,
            tolerance_pct: check_tolerance(input.tolerance)?,
            set_by: actor.to_string(),
            set_at: now,
            note: check_note(input.note.as_deref().unwrap_or_default())?,
        })
    }

    /// The stored targets of months `from..=to` (all when left out), of one
    /// KPI or all: the REST listing.
    pub async fn list(
        db: &Db,
        kpi: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Vec<Target>, AppError> {
        fn given(v: Option<&str>) -> Option<&str> {
            v.map(str::trim).filter(|v| !v.is_empty())
        }
        let kpi = match given(kpi) {
            Some(k) => Some(Kpi::from_key(k).ok_or_else(|| AppError::UnknownKpi(k.to_string()))?),
            None => None,
        };
        let first = match given(from) {
            Some(m) => month(m, "from")?.to_string(),
            None => FIRST_PLAUSIBLE_DAY.to_string()[..7].to_string(),
        };
        let last = match given(to) {
            Some(m) => month(m, "to")?.to_string(),
            None => LAST_PLAUSIBLE_DAY.to_string()[..7].to_string(),
        };
        Ok(targets::list(db, &first, &last, kpi.map(Kpi::key)).await?)
    }

    /// Saves checked targets (replacing those of the same key, keeping the
    /// history) and warns where one asks for less than last year achieved or
    /// lies beyond the newest benchmark's p90.
    pub async fn save(db: &Db, targets: &[Target]) -> Result<SetOutcome, AppError> {
        let replaced = targets::set(db, targets).await?;
        let mut warnings = Vec::new();
        let mut groups: BTreeMap<(String, String, String), Vec<&Target>> = BTreeMap::new();
        for t in targets {
            groups.entry((t.kpi.clone(), t.scope_dim.clone(), t.scope_value.clone())).or_default().push(t);
        }
        for ((kpi, dim, value), group) in groups {
            let Some(kpi) = Kpi::from_key(&kpi) else { continue };
            let months: Vec<String> = group.iter().map(|t| t.period.clone()).collect();
            let last_year = last_year(db, kpi, &dim, &value, &months).await?;
            let benchmark = read::benchmarks(db, kpi.key()).await?.into_iter().find(|b| b.p90.is_some());
            for t in group {
                if let Some(b) = benchmark.as_ref().filter(|b| beyond_p90(t.value, b.p50, b.p75, b.p90)) {
                    warnings.push(format!(
                        "{} {} ({}): the target {} lies beyond the benchmark's p90, {} ({}, {}): fewer than 1 in 10 \
                         of its companies get there.",
                        kpi.name(),
                        t.period,
                        t.scope_label(),
                        crate::kpi::format::value(Some(t.value), kpi.unit()),
                        crate::kpi::format::value(b.p90, kpi.unit()),
                        b.source,
                        b.year,
                    ));
                }
                if let Some(actual) = last_year.get(&t.period) {
                    if worse_than(t.value, *actual, kpi.direction()) {
                        warnings.push(format!(
                            "{} {} ({}): the target {} asks for less than last year's actual, {}.",
                            kpi.name(),
                            t.period,
                            t.scope_label(),
                            crate::kpi::format::value(Some(t.value), kpi.unit()),
                            crate::kpi::format::value(Some(*actual), kpi.unit()),
                        ));
                    }
                }
            }
        }
        Ok(SetOutcome { saved: targets.len(), replaced, warnings })
    }

    /// Filters for a target's scope.
    pub fn filters_of(dim: &str, value: &str) -> Filters {
        let v = Some(value.to_string());
        match Dimension::parse(dim) {
            Some(Dimension::Channel) => Filters { channel: v, ..Default::default() },
            Some(Dimension::Category) => Filters { category: v, ..Default::default() },
            Some(Dimension::Team) => Filters { team: v, ..Default::default() },
            None => Filters::default(),
        }
    }

    /// The actual of the same month a year earlier, for each month
    /// (`2025-03` → the value of 2024-03), where there is one.
    pub async fn last_year(
        db: &Db,
        kpi: Kpi,
        dim: &str,
        value: &str,
        months: &[String],
    ) -> Result<HashMap<String, f64>, AppError> {
        let periods: Vec<Period> = months.iter().filter_map(|m| Period::parse(m)).collect();
        let (Some(first), Some(last)) = (periods.iter().min(), periods.iter().max()) else {
            return Ok(HashMap::new());
        };
        let query = KpiQuery {
            kpis: vec![kpi],
            first: first.year_ago(),
            last: last.year_ago(),
            filters: filters_of(dim, value),
            group_by: Vec::new(),
        };
        let table = kpi_values::load(db, &query).await?;
        Ok(periods
            .iter()
            .filter_map(|p| table.value(kpi, &[], &p.year_ago(), &db.settings).map(|v| (p.to_string(), v)))
            .collect())
    }

    /// Months of actuals next to the form.
    const RECENT: usize = 6;

    pub async fn view(db: &Db, kpi: Option<&str>, can_edit: bool) -> Result<TargetsView, AppError> {
        let kpi = match kpi.map(str::trim).filter(|k| !k.is_empty()) {
            Some(k) => Kpi::from_key(k).ok_or_else(|| AppError::UnknownKpi(k.to_string()))?,
            None => Kpi::Csat,
        };
        let months = kpi_values::months_with_data(db).await?;
        let latest = match months.last() {
            Some(p) => *p,
            None => Period::containing(Grain::Month, kpi_values::latest_day(db).await?),
        };
        let first_recent = (1..RECENT).fold(latest, |p, _| p.prev());
        let query = KpiQuery {
            kpis: vec![kpi],
            first: first_recent,
            last: latest,
            filters: Filters::default(),
            group_by: Vec::new(),
        };
        let table = kpi_values::load(db, &query).await?;
        let recent: Vec<(String, Option<f64>)> = table
            .periods
            .iter()
            .map(|p| (p.short_label(), table.inputs(&[], p).and_then(|i| compute(kpi, i, &db.settings))))
            .collect();
        let values: Vec<Option<f64>> = recent.iter().map(|(_, v)| *v).collect();
        let actuals: Vec<f64> = values.iter().flatten().copied().collect();
        let benchmarks = read::benchmarks(db, kpi.key()).await?;
        let benchmark =
            benchmarks.iter().find_map(|b| b.p50.map(|p50| (format!("{} ({})", b.source, b.segment), p50)));
        let benchmark_p90 =
            benchmarks.iter().find_map(|b| b.p90.map(|p90| (format!("{} ({})", b.source, b.segment), p90)));
        let listed = targets::list(
            db,
            &(1..12).fold(latest, |p, _| p.prev()).to_string(),
            &(0..MAX_MONTHS).fold(latest, |p, _| p.next()).to_string(),
            Some(kpi.key()),
        )
        .await?;
        let mut rows = Vec::with_capacity(listed.len());
        let mut by_scope: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for t in &listed {
            by_scope.entry((t.scope_dim.clone(), t.scope_value.clone())).or_default().push(t.period.clone());
        }
        let mut last_years = HashMap::new();
        for ((dim, value), months) in by_scope {
            let found = last_year(db, kpi, &dim, &value, &months).await?;
            last_years.insert((dim, value), found);
        }
        for t in listed {
            let last_year = last_years
                .get(&(t.scope_dim.clone(), t.scope_value.clone()))
                .and_then(|m| m.get(&t.period))
                .copied();
            let worse = last_year.is_some_and(|a| worse_than(t.value, a, kpi.direction()));
            rows.push(TargetRow { target: t, last_year, worse_than_last_year: worse });
        }
        let values_of = |d| kpi_values::dimension_values(db, d);
        Ok(TargetsView {
            kpi: kpi.key().to_string(),
            name: kpi.name().to_string(),
            unit: kpi.unit(),
            direction: kpi.direction(),
            kpis: Kpi::ALL.iter().map(|k| (k.key().to_string(), k.name().to_string())).collect(),
            can_edit,
            trend_per_month: crate::kpi::trend::series_trend(&values).map(|f| f.slope),
            suggestion: suggest_target(&actuals, kpi.direction(), kpi.unit() == Unit::Percent),
            suggestion_rule: SUGGESTION_RULE.to_string(),
            recent,
            benchmark,
            benchmark_p90,
            next_month: latest.next().to_string(),
            channels: values_of(Dimension::Channel).await?,
            categories: values_of(Dimension::Category).await?,
            teams: values_of(Dimension::Team).await?,
            targets: rows,
            history: targets::history(db, Some(kpi.key()), 30).await?,
        })
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn form() -> TargetForm {
            TargetForm {
                kpi: "csat".into(),
                from: "2026-01".into(),
                to: "2026-03".into(),
                value: "82.5".into(),
                tolerance: "4".into(),
                note: "Q1 plan".into(),
                ..Default::default()
            }
        }

        fn refused(f: TargetForm) -> String {
            match check_form(&f, "ana", 0).unwrap_err() {
                AppError::Invalid { field, .. } => field,
                other => panic!("not a field error: {other:?}"),
            }
        }

        #[test]
        fn a_quarter_is_three_targets() {
            let t = check_form(&form(), "ana", 7).unwrap();
            let months: Vec<&str> = t.iter().map(|t| t.period.as_str()).collect();
            assert_eq!(months, ["2026-01", "2026-02", "2026-03"]);
            assert_eq!(
                (t[0].value, t[0].tolerance_pct, t[0].version),
                (82.5, Some(4.0), TargetVersion::Plan)
            );
            assert_eq!((t[0].set_by.as_str(), t[0].set_at, t[0].scope_dim.as_str()), ("ana", 7, ""));
        }

        #[test]
        fn each_bad_field_is_named() {
            assert_eq!(refused(TargetForm { kpi: "happiness".into(), ..form() }), "kpi");
            assert_eq!(refused(TargetForm { from: "2026-13".into(), ..form() }), "from");
            assert_eq!(refused(TargetForm { from: "1980-01".into(), ..form() }), "from");
            assert_eq!(refused(TargetForm { to: "2025-12".into(), ..form() }), "to");
            assert_eq!(refused(TargetForm { to: "2028-12".into(), ..form() }), "to");
            assert_eq!(refused(TargetForm { value: "".into(), ..form() }), "value");
            assert_eq!(refused(TargetForm { value: "abc".into(), ..form() }), "value");
            assert_eq!(refused(TargetForm { value: "101".into(), ..form() }), "value");
            assert_eq!(refused(TargetForm { value: "-1".into(), ..form() }), "value");
            assert_eq!(
                refused(TargetForm { kpi: "frt_median_h".into(), value: "-0.5".into(), ..form() }),
                "value"
            );
            assert_eq!(
                refused(TargetForm { kpi: "tickets".into(), value: "2e12".into(), ..form() }),
                "value"
            );
            assert_eq!(refused(TargetForm { tolerance: "150".into(), ..form() }), "tolerance");
            assert_eq!(refused(TargetForm { note: "x".repeat(101), ..form() }), "note");
            assert_eq!(
                refused(TargetForm { scope: "agent".into(), scope_value: "x".into(), ..form() }),
                "scope"
            );
            assert_eq!(refused(TargetForm { scope: "channel".into(), ..form() }), "scope_value");
            assert_eq!(refused(TargetForm { scope_value: "chat".into(), ..form() }), "scope");
            assert_eq!(refused(TargetForm { version: "draft".into(), ..form() }), "version");
        }

        #[test]
        fn nps_may_be_negative_and_times_may_be_zero() {
            assert!(
                check_form(&TargetForm { kpi: "nps".into(), value: "-20".into(), ..form() }, "a", 0).is_ok()
            );
            assert!(check_form(
                &TargetForm { kpi: "frt_median_h".into(), value: "0".into(), ..form() },
                "a",
                0
            )
            .is_ok());
        }

        #[test]
        fn rest_errors_name_the_record() {
            let ok = TargetInput {
                kpi: "csat".into(),
                period: "2026-01".into(),
                scope: Some(ScopeInput { dimension: "channel".into(), value: "chat".into() }),
                value: 80.0,
                tolerance: None,
                note: None,
                version: Some("reforecast".into()),
            };
            let t = check_inputs(std::slice::from_ref(&ok), "api", 0).unwrap();
            assert_eq!((t[0].scope_dim.as_str(), t[0].version), ("channel", TargetVersion::Reforecast));
            let bad = TargetInput { value: 120.0, ..ok.clone() };
            match check_inputs(&[ok.clone(), bad], "api", 0).unwrap_err() {
                AppError::Invalid { field, message } => {
                    assert_eq!(field, "value");
                    assert!(message.starts_with("Target 2:"), "{message}");
                }
                other => panic!("{other:?}"),
            }
            let most = crate::api::target_plan::MAX_ROWS;
            assert_eq!(check_inputs(&vec![ok.clone(); most], "api", 0).unwrap().len(), most);
            match check_inputs(&vec![ok; most + 1], "api", 0).unwrap_err() {
                AppError::BadRequest(message) => {
                    assert_eq!(message, "Send a JSON array of 1 to 5000 targets.")
                }
                other => panic!("{other:?}"),
            }
        }
    }
}
