//! The variance register: root causes and corrective actions recorded on a
//! KPI's variance (a month and scope), the materiality threshold of each
//! KPI, and the actions list across KPIs. The variance page's forms, the
//! `/actions` page, `GET/POST /api/v1/actions` and the tests call the same
//! checks and loaders. Writing needs a manager (or a write token).

// The forms' server functions take one argument per field, so that a plain
// HTML form posts to them; the client stubs the macro generates have as many.
#![allow(clippy::too_many_arguments)]

use crate::error::AppError;
use crate::kpi::register::BeforeAfter;
use crate::kpi::Unit;
use crate::models::{RegisterChange, RegisterEntry};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Longest root cause or action text.
pub const MAX_TEXT: usize = 300;
/// Longest owner name.
pub const MAX_OWNER: usize = 60;
/// Entries one REST request may send, and rows one listing shows.
pub const MAX_ENTRIES: usize = 500;

/// The actions list's filters (URL query and REST parameters).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ActionsQuery {
    /// `open`, `in_progress` or `done`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kpi: Option<String>,
}

/// A register entry with what the page shows beside it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EntryView {
    pub entry: RegisterEntry,
    pub kpi_name: String,
    pub unit: Unit,
    /// For a done action: did the KPI move back toward target after it?
    pub recovery: Option<BeforeAfter>,
}

/// The actions list across KPIs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionsView {
    pub actions: Vec<EntryView>,
    /// Every owner, for the filter.
    pub owners: Vec<String>,
    pub query: ActionsQuery,
}

/// One KPI of the month in the register: an unfavourable variance beyond
/// its materiality (or one already explained).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegisterLine {
    pub key: String,
    pub name: String,
    pub variance_pct: Option<f64>,
    pub materiality_pct: f64,
    /// Beyond materiality and unfavourable.
    pub material: bool,
    pub root_causes: i64,
    pub actions: i64,
}

impl RegisterLine {
    /// Explained once a root cause is recorded.
    pub fn explained(&self) -> bool {
        self.root_causes > 0
    }
}

/// The register of the drilled KPI for the month and scope.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KpiRegister {
    pub materiality_pct: f64,
    pub entries: Vec<EntryView>,
    /// The latest changes of this KPI's entries, newest first.
    pub changes: Vec<RegisterChange>,
}

/// One corrective action as a script sends it (`POST /api/v1/actions`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionInput {
    pub kpi: String,
    /// The month of the variance, `2025-10`.
    pub period: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<crate::api::targets::ScopeInput>,
    pub text: String,
    pub owner: String,
    pub due_on: String,
    /// `open` (default), `in_progress` or `done`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// When done: the day it was completed (today by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_on: Option<String>,
}

/// Records a root cause of a KPI's variance (managers and admins).
#[server(endpoint = "add_root_cause")]
pub async fn add_root_cause(
    kpi: String,
    month: String,
    scope: String,
    scope_value: String,
    category: String,
    text: String,
) -> Result<(), AppError> {
    super::respond(async move {
        let db = super::db()?;
        let user = crate::auth::session::require(&db, crate::models::Role::Manager).await?;
        let form = server::EntryForm { kpi, month, scope, scope_value, category, text, ..Default::default() };
        let entry = server::check_root_cause(&form, &user.username, crate::auth::session::now())?;
        server::save(&db, &[entry]).await.map(|_| ())
    })
    .await
}

/// Adds a corrective action to a KPI's variance (managers and admins).
#[server(endpoint = "add_action")]
pub async fn add_action(
    kpi: String,
    month: String,
    scope: String,
    scope_value: String,
    text: String,
    owner: String,
    due_on: String,
) -> Result<(), AppError> {
    super::respond(async move {
        let db = super::db()?;
        let user = crate::auth::session::require(&db, crate::models::Role::Manager).await?;
        let form =
            server::EntryForm { kpi, month, scope, scope_value, text, owner, due_on, ..Default::default() };
        let entry = server::check_action(&form, &user.username, crate::auth::session::now())?;
        server::save(&db, &[entry]).await.map(|_| ())
    })
    .await
}

/// Moves an action to `status`; done takes `completed_on` (today when empty).
#[server(endpoint = "update_action")]
pub async fn update_action(id: String, status: String, completed_on: String) -> Result<(), AppError> {
    super::respond(async move {
        let db = super::db()?;
        let user = crate::auth::session::require(&db, crate::models::Role::Manager).await?;
        server::update(&db, &id, &status, &completed_on, &user.username, crate::auth::session::now()).await
    })
    .await
}

/// Sets the materiality of a KPI: the unfavourable variance, in % of
/// target, beyond which it needs an explanation.
#[server(endpoint = "set_materiality")]
pub async fn set_materiality(kpi: String, threshold: String) -> Result<(), AppError> {
    super::respond(async move {
        let db = super::db()?;
        let user = crate::auth::session::require(&db, crate::models::Role::Manager).await?;
        server::materiality(&db, &kpi, &threshold, &user.username, crate::auth::session::now()).await
    })
    .await
}

/// The actions list, filtered.
#[server(endpoint = "get_actions")]
pub async fn get_actions(query: ActionsQuery) -> Result<ActionsView, AppError> {
    super::for_viewer(|db| async move { server::load_actions(&db, &query).await }).await
}

#[cfg(feature = "ssr")]
pub mod server {
    use super::*;
    use crate::api::targets::server::{check_scope, filters_of, month};
    use crate::kpi::period::{date_of, day_of_timestamp, is_plausible};
    use crate::kpi::register::{
        before_after, MonthGap, CATEGORIES, DEFAULT_MATERIALITY_PCT, STATUSES, WINDOW_MONTHS,
    };
    use crate::kpi::{Grain, Kpi, Period};
    use crate::models::TargetVersion;
    use crate::store::register::{self as store, Filter};
    use crate::store::{kpi_values, targets, Db, KpiQuery};
    use chrono::NaiveDate;

    /// A register form as posted: every field as text.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct EntryForm {
        pub kpi: String,
        pub month: String,
        pub scope: String,
        pub scope_value: String,
        pub category: String,
        pub text: String,
        pub owner: String,
        pub due_on: String,
        pub status: String,
        pub completed_on: String,
    }

    fn kpi_of(key: &str) -> Result<Kpi, AppError> {
        Kpi::from_key(key.trim()).ok_or_else(|| AppError::invalid("kpi", "Choose a KPI of the catalogue."))
    }

    fn text(value: &str, field: &str, max: usize, what: &str) -> Result<String, AppError> {
        let value = value.trim();
        if value.is_empty() || value.chars().count() > max || value.chars().any(char::is_control) {
            return Err(AppError::invalid(field, format!("Write {what} in 1 to {max} characters.")));
        }
        Ok(value.to_string())
    }

    fn date(value: &str, field: &str) -> Result<NaiveDate, AppError> {
        let value = value.trim();
        NaiveDate::parse_from_str(value, "%Y-%m-%d").ok().filter(|d| is_plausible(*d)).ok_or_else(|| {
            AppError::invalid(field, format!("Write the date like 2025-11-30 (1990 to 2100), not '{value}'."))
        })
    }

    fn today(now: i64) -> NaiveDate {
        date_of(day_of_timestamp(now))
    }

    /// The status and completion day: done takes a day (today when empty),
    /// not in the future; the other states have none.
    pub fn check_status(status: &str, completed_on: &str, now: i64) -> Result<(String, String), AppError> {
        let status = match status.trim() {
            "" => "open",
            s => s,
        };
        if !STATUSES.iter().any(|(k, _)| *k == status) {
            return Err(AppError::invalid("status", "The status is open, in_progress or done."));
        }
        if status != "done" {
            return Ok((status.to_string(), String::new()));
        }
        let day = match completed_on.trim() {
            "" => today(now),
            d => date(d, "completed_on")?,
        };
        if day > today(now) {
            return Err(AppError::invalid("completed_on", "An action cannot be completed in the future."));
        }
        Ok((status.to_string(), day.to_string()))
    }

    /// The KPI, month and scope every entry names.
    fn base(form: &EntryForm, kind: &str, actor: &str, now: i64) -> Result<RegisterEntry, AppError> {
        let kpi = kpi_of(&form.kpi)?;
        let month = month(&form.month, "month")?;
        let (scope_dim, scope_value) = check_scope(&form.scope, &form.scope_value)?;
        Ok(RegisterEntry {
            kpi: kpi.key().to_string(),
            period: month.to_string(),
            scope_dim,
            scope_value,
            kind: kind.to_string(),
            author: actor.to_string(),
            created_at: now,
            updated_at: now,
            ..Default::default()
        })
    }

    /// A root cause from its form; the first wrong field refuses it.
    pub fn check_root_cause(form: &EntryForm, actor: &str, now: i64) -> Result<RegisterEntry, AppError> {
        let entry = base(form, "root_cause", actor, now)?;
        let category = form.category.trim();
        if !CATEGORIES.iter().any(|(k, _)| *k == category) {
            let keys: Vec<&str> = CATEGORIES.iter().map(|(k, _)| *k).collect();
            return Err(AppError::invalid(
                "category",
                format!("The category is one of {}.", keys.join(", ")),
            ));
        }
        Ok(RegisterEntry {
            category: category.to_string(),
            text: text(&form.text, "text", MAX_TEXT, "the root cause")?,
            status: "done".into(),
            ..entry
        })
    }

    /// A corrective action from its form; the first wrong field refuses it.
    pub fn check_action(form: &EntryForm, actor: &str, now: i64) -> Result<RegisterEntry, AppError> {
        let entry = base(form, "corrective_action", actor, now)?;
        let text = text(&form.text, "text", MAX_TEXT, "the action")?;
        let owner = text_owner(&form.owner)?;
        let due_on = date(&form.due_on, "due_on")?.to_string();
        let (status, completed_on) = check_status(&form.status, &form.completed_on, now)?;
        Ok(RegisterEntry { text, owner, due_on, status, completed_on, ..entry })
    }

    fn text_owner(owner: &str) -> Result<String, AppError> {
        text(owner, "owner", MAX_OWNER, "who owns the action")
    }

    /// Actions sent to the REST API; an error names the action (from 1).
    pub fn check_inputs(
        inputs: &[ActionInput],
        actor: &str,
        now: i64,
    ) -> Result<Vec<RegisterEntry>, AppError> {
        if inputs.is_empty() || inputs.len() > MAX_ENTRIES {
            return Err(AppError::BadRequest(format!("Send 1 to {MAX_ENTRIES} actions.")));
        }
        inputs
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let (scope, scope_value) =
                    a.scope.as_ref().map(|s| (s.dimension.clone(), s.value.clone())).unwrap_or_default();
                let form = EntryForm {
                    kpi: a.kpi.clone(),
                    month: a.period.clone(),
                    scope,
                    scope_value,
                    text: a.text.clone(),
                    owner: a.owner.clone(),
                    due_on: a.due_on.clone(),
                    status: a.status.clone().unwrap_or_default(),
                    completed_on: a.completed_on.clone().unwrap_or_default(),
                    ..Default::default()
                };
                check_action(&form, actor, now).map_err(|e| match e {
                    AppError::Invalid { field, message } => {
                        let field = if field == "month" { "period".to_string() } else { field };
                        AppError::Invalid { field, message: format!("Action {}: {message}", i + 1) }
                    }
                    other => other,
                })
            })
            .collect()
    }

    /// Saves checked entries in one transaction; returns their ids.
    pub async fn save(db: &Db, entries: &[RegisterEntry]) -> Result<Vec<i64>, AppError> {
        Ok(store::add(db, entries).await?)
    }

    /// Moves action `id` to a new status.
    pub async fn update(
        db: &Db,
        id: &str,
        status: &str,
        completed_on: &str,
        actor: &str,
        now: i64,
    ) -> Result<(), AppError> {
        let id: i64 =
            id.trim().parse().map_err(|_| AppError::invalid("id", "Choose an action of the register."))?;
        let (status, completed_on) = check_status(status, completed_on, now)?;
        match store::set_status(db, id, &status, &completed_on, actor, now).await? {
            Some(_) => Ok(()),
            None => Err(AppError::NotFound(format!("Action {id}"))),
        }
    }

    /// Checks and sets a KPI's materiality (0–100 % of target).
    pub async fn materiality(
        db: &Db,
        kpi: &str,
        threshold: &str,
        actor: &str,
        now: i64,
    ) -> Result<(), AppError> {
        let kpi = kpi_of(kpi)?;
        let value = threshold
            .trim()
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && (0.0..=100.0).contains(v))
            .ok_or_else(|| {
                AppError::invalid("threshold", "The materiality is a percentage of the target, 0 to 100.")
            })?;
        Ok(store::set_materiality(db, kpi.key(), value, actor, now).await?)
    }

    /// The materiality of `kpi`: its setting, or the default.
    pub fn materiality_of(settings: &std::collections::HashMap<String, f64>, kpi: &str) -> f64 {
        settings.get(kpi).copied().unwrap_or(DEFAULT_MATERIALITY_PCT)
    }

    fn given(v: &Option<String>) -> Option<String> {
        v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string)
    }

    /// The actions list, newest month first, each done one with its before/after.
    pub async fn load_actions(db: &Db, query: &ActionsQuery) -> Result<ActionsView, AppError> {
        let status = given(&query.status);
        if let Some(s) = &status {
            if !STATUSES.iter().any(|(k, _)| k == s) {
                return Err(AppError::invalid("status", "The status is open, in_progress or done."));
            }
        }
        let kpi = match given(&query.kpi) {
            Some(k) => Some(Kpi::from_key(&k).ok_or(AppError::UnknownKpi(k))?.key().to_string()),
            None => None,
        };
        let owner = given(&query.owner).filter(|o| o.chars().count() <= MAX_OWNER);
        let filter = Filter {
            kind: Some("corrective_action".into()),
            status: status.clone(),
            owner: owner.clone(),
            kpi: kpi.clone(),
            ..Default::default()
        };
        let found = store::list(db, &filter, MAX_ENTRIES as i64).await?;
        Ok(ActionsView {
            actions: views(db, found, TargetVersion::Plan).await?,
            owners: store::owners(db).await?,
            query: ActionsQuery { status, owner, kpi },
        })
    }

    async fn views(
        db: &Db,
        found: Vec<RegisterEntry>,
        version: TargetVersion,
    ) -> Result<Vec<EntryView>, AppError> {
        let mut out = Vec::with_capacity(found.len());
        for entry in found {
            let Some(kpi) = Kpi::from_key(&entry.kpi) else { continue };
            let recovery = match completion_month(&entry) {
                Some(done) => Some(recovery(db, kpi, &entry, done, version).await?),
                None => None,
            };
            out.push(EntryView { kpi_name: kpi.name().to_string(), unit: kpi.unit(), entry, recovery });
        }
        Ok(out)
    }

    fn completion_month(e: &RegisterEntry) -> Option<Period> {
        let day = NaiveDate::parse_from_str(&e.completed_on, "%Y-%m-%d").ok()?;
        (e.is_action() && e.status == "done").then(|| Period::containing(Grain::Month, day))
    }

    /// The KPI's gap to target, in its scope, around the completion month.
    async fn recovery(
        db: &Db,
        kpi: Kpi,
        entry: &RegisterEntry,
        done: Period,
        version: TargetVersion,
    ) -> Result<BeforeAfter, AppError> {
        let first = (0..WINDOW_MONTHS).fold(done, |p, _| p.prev());
        let last = (0..WINDOW_MONTHS).fold(done, |p, _| p.next());
        let query = KpiQuery {
            kpis: vec![kpi],
            first,
            last,
            filters: filters_of(&entry.scope_dim, &entry.scope_value),
            group_by: Vec::new(),
        };
        let table = kpi_values::load(db, &query).await?;
        let listed = targets::list(db, &first.to_string(), &last.to_string(), Some(kpi.key())).await?;
        let in_force = targets::in_force(&listed, version);
        let months: Vec<MonthGap> = first
            .through(last)
            .into_iter()
            .map(|p| MonthGap {
                month: p,
                actual: table.value(kpi, &[], &p, &db.settings),
                target: in_force
                    .get(&(
                        kpi.key().to_string(),
                        p.to_string(),
                        entry.scope_dim.clone(),
                        entry.scope_value.clone(),
                    ))
                    .map(|t| t.value),
            })
            .collect();
        Ok(before_after(&months, done, kpi.direction()))
    }

    /// The register of one KPI, month and scope: its materiality, entries and latest changes.
    pub async fn of_kpi(
        db: &Db,
        kpi: Kpi,
        month: Period,
        scope: (&str, &str),
        version: TargetVersion,
    ) -> Result<KpiRegister, AppError> {
        let filter = Filter {
            kpi: Some(kpi.key().to_string()),
            period: Some(month.to_string()),
            scope: Some((scope.0.to_string(), scope.1.to_string())),
            ..Default::default()
        };
        let found = store::list(db, &filter, MAX_ENTRIES as i64).await?;
        Ok(KpiRegister {
            materiality_pct: materiality_of(&store::materiality(db).await?, kpi.key()),
            entries: views(db, found, version).await?,
            changes: store::changes(db, kpi.key(), 20).await?,
        })
    }

    /// The month's register lines: every KPI whose variance is unfavourable
    /// beyond its materiality, or that already has an entry; those needing
    /// an explanation first.
    pub async fn lines(
        db: &Db,
        rows: &[crate::api::variance::VarianceRow],
        month: Period,
        scope: (&str, &str),
    ) -> Result<Vec<RegisterLine>, AppError> {
        let settings = store::materiality(db).await?;
        let filter = Filter {
            period: Some(month.to_string()),
            scope: Some((scope.0.to_string(), scope.1.to_string())),
            ..Default::default()
        };
        let entries = store::list(db, &filter, MAX_ENTRIES as i64).await?;
        let count = |key: &str, action: bool| {
            entries.iter().filter(|e| e.kpi == key && e.is_action() == action).count() as i64
        };
        let mut lines: Vec<RegisterLine> = rows
            .iter()
            .filter_map(|r| {
                let materiality_pct = materiality_of(&settings, &r.key);
                let material = crate::kpi::register::is_material(&r.variance, materiality_pct);
                let (root_causes, actions) = (count(&r.key, false), count(&r.key, true));
                (material || root_causes + actions > 0).then(|| RegisterLine {
                    key: r.key.clone(),
                    name: r.name.clone(),
                    variance_pct: r.variance.variance_pct,
                    materiality_pct,
                    material,
                    root_causes,
                    actions,
                })
            })
            .collect();
        lines.sort_by_key(|l| (!l.material || l.explained(), !l.material));
        Ok(lines)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn form() -> EntryForm {
            EntryForm {
                kpi: "csat".into(),
                month: "2025-10".into(),
                category: "mix".into(),
                text: "More chat tickets".into(),
                owner: "Ana".into(),
                due_on: "2025-11-30".into(),
                ..Default::default()
            }
        }

        fn field(result: Result<RegisterEntry, AppError>) -> String {
            match result.unwrap_err() {
                AppError::Invalid { field, .. } => field,
                other => panic!("not a field error: {other:?}"),
            }
        }

        /// 2025-11-15 12:00 UTC.
        const NOW: i64 = 1_763_208_000;

        #[test]
        fn a_root_cause_and_an_action_from_good_forms() {
            let cause = check_root_cause(&form(), "mona", NOW).unwrap();
            assert_eq!(
                (cause.kind.as_str(), cause.category.as_str(), cause.period.as_str()),
                ("root_cause", "mix", "2025-10")
            );
            let action = check_action(&form(), "mona", NOW).unwrap();
            assert_eq!(
                (action.status.as_str(), action.completed_on.as_str(), action.owner.as_str()),
                ("open", "", "Ana")
            );
            let done = check_action(&EntryForm { status: "done".into(), ..form() }, "mona", NOW).unwrap();
            assert_eq!(done.completed_on, "2025-11-15", "done today by default");
        }

        #[test]
        fn each_bad_field_is_named() {
            assert_eq!(field(check_root_cause(&EntryForm { kpi: "mood".into(), ..form() }, "m", NOW)), "kpi");
            assert_eq!(
                field(check_root_cause(&EntryForm { month: "2025-13".into(), ..form() }, "m", NOW)),
                "month"
            );
            assert_eq!(
                field(check_root_cause(&EntryForm { category: "luck".into(), ..form() }, "m", NOW)),
                "category"
            );
            assert_eq!(field(check_root_cause(&EntryForm { text: " ".into(), ..form() }, "m", NOW)), "text");
            assert_eq!(
                field(check_root_cause(&EntryForm { text: "x".repeat(301), ..form() }, "m", NOW)),
                "text"
            );
            assert_eq!(
                field(check_root_cause(&EntryForm { scope: "channel".into(), ..form() }, "m", NOW)),
                "scope_value"
            );
            assert_eq!(field(check_action(&EntryForm { owner: "".into(), ..form() }, "m", NOW)), "owner");
            assert_eq!(
                field(check_action(&EntryForm { due_on: "tomorrow".into(), ..form() }, "m", NOW)),
                "due_on"
            );
            assert_eq!(
                field(check_action(&EntryForm { due_on: "2200-01-01".into(), ..form() }, "m", NOW)),
                "due_on"
            );
            assert_eq!(
                field(check_action(&EntryForm { status: "maybe".into(), ..form() }, "m", NOW)),
                "status"
            );
            let future = EntryForm { status: "done".into(), completed_on: "2025-11-16".into(), ..form() };
            assert_eq!(field(check_action(&future, "m", NOW)), "completed_on");
        }

        #[test]
        fn rest_errors_name_the_action_and_the_period() {
            let ok = ActionInput {
                kpi: "csat".into(),
                period: "2025-10".into(),
                scope: None,
                text: "Coach chat agents".into(),
                owner: "Ana".into(),
                due_on: "2025-12-01".into(),
                status: None,
                completed_on: None,
            };
            assert_eq!(check_inputs(std::slice::from_ref(&ok), "api", NOW).unwrap().len(), 1);
            let bad = ActionInput { period: "October".into(), ..ok.clone() };
            match check_inputs(&[ok, bad], "api", NOW).unwrap_err() {
                AppError::Invalid { field, message } => {
                    assert_eq!(field, "period");
                    assert!(message.starts_with("Action 2:"), "{message}");
                }
                other => panic!("{other:?}"),
            }
        }
    }
}
