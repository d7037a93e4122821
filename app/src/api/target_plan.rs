//! A whole plan of targets as CSV (`kpi,period,scope,value,tolerance,note,
//! version`): pasted or chosen as a file on the targets page, or sent to
//! `PUT /api/v1/targets` as `text/csv`. Every row is checked like the form;
//! a bad row refuses the whole plan naming its row and column, and a good
//! plan is saved in one transaction.

use crate::api::targets::SetOutcome;
use crate::error::AppError;
use leptos::prelude::*;

/// The columns of a plan; `kpi`, `period` and `value` are required.
pub const COLUMNS: [&str; 7] = ["kpi", "period", "scope", "value", "tolerance", "note", "version"];
/// Rows one plan may hold: 20 KPIs × 12 months × a dozen scopes and more.
pub const MAX_ROWS: usize = 5_000;
/// The longest plan accepted, in bytes.
pub const MAX_BYTES: usize = 1_000_000;

/// Saves a pasted or chosen plan (managers and admins).
#[server(endpoint = "upload_plan")]
pub async fn upload_plan(csv: String) -> Result<SetOutcome, AppError> {
    super::respond(async move {
        let db = super::db()?;
        let user = crate::auth::session::require(&db, crate::models::Role::Manager).await?;
        server::save_csv(&db, &csv, &user.username, crate::auth::session::now()).await
    })
    .await
}

#[cfg(feature = "ssr")]
pub mod server {
    use super::*;
    use crate::api::targets::server::{check_input, save};
    use crate::api::targets::{ScopeInput, TargetInput};
    use crate::models::Target;
    use crate::store::Db;

    fn refused(row: usize, column: &str, message: impl std::fmt::Display) -> AppError {
        AppError::invalid("csv", format!("Row {row}, column {column}: {message}"))
    }

    /// `channel:chat` (or `channel=chat`) → a scope; empty or `all` → the company.
    fn scope(text: &str, row: usize) -> Result<Option<ScopeInput>, AppError> {
        let text = text.trim();
        if text.is_empty() || text.eq_ignore_ascii_case("all") {
            return Ok(None);
        }
        let (dimension, value) = text
            .split_once([':', '='])
            .ok_or_else(|| refused(row, "scope", "write the scope like channel:chat, or leave it empty"))?;
        Ok(Some(ScopeInput { dimension: dimension.trim().to_string(), value: value.trim().to_string() }))
    }

    fn number(text: &str, row: usize, column: &str) -> Result<Option<f64>, AppError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        text.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .map(Some)
            .ok_or_else(|| refused(row, column, format!("'{text}' is not a number")))
    }

    /// Reads and checks a plan. Rows are numbered as in a spreadsheet (the
    /// header is row 1); the first bad row or column refuses the plan.
    pub fn parse(text: &str, actor: &str, now: i64) -> Result<Vec<Target>, AppError> {
        if text.len() > MAX_BYTES {
            return Err(AppError::invalid("csv", format!("A plan may hold at most {MAX_BYTES} bytes.")));
        }
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| AppError::invalid("csv", format!("The header row cannot be read: {e}")))?
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
            .collect();
        if let Some(unknown) = header.iter().find(|h| !COLUMNS.contains(&h.as_str())) {
            return Err(AppError::invalid(
                "csv",
                format!("Row 1: unknown column '{unknown}'; the columns are {}.", COLUMNS.join(", ")),
            ));
        }
        let column = |name: &str| header.iter().position(|h| h == name);
        let (Some(kpi), Some(period), Some(value)) = (column("kpi"), column("period"), column("value"))
        else {
            return Err(AppError::invalid("csv", "Row 1: the header must name kpi, period and value."));
        };
        let mut targets = Vec::new();
        for (i, record) in reader.records().enumerate() {
            let row = i + 2;
            let record =
                record.map_err(|e| AppError::invalid("csv", format!("Row {row} cannot be read: {e}")))?;
            if record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            if targets.len() >= MAX_ROWS {
                return Err(AppError::invalid("csv", format!("A plan may hold at most {MAX_ROWS} rows.")));
            }
            let cell =
                |c: Option<usize>| c.and_then(|c| record.get(c)).unwrap_or_default().trim().to_string();
            let input = TargetInput {
                kpi: cell(Some(kpi)),
                period: cell(Some(period)),
                scope: scope(&cell(column("scope")), row)?,
                value: number(&cell(Some(value)), row, "value")?
                    .ok_or_else(|| refused(row, "value", "enter the target"))?,
                tolerance: number(&cell(column("tolerance")), row, "tolerance")?,
                note: Some(cell(column("note"))).filter(|n| !n.is_empty()),
                version: Some(cell(column("version"))).filter(|v| !v.is_empty()),
            };
            let target = check_input(&input, actor, now).map_err(|e| match e {
                AppError::Invalid { field, message } => {
                    let column = if field == "scope_value" { "scope".to_string() } else { field };
                    refused(row, &column, message)
                }
                AppError::UnknownKpi(k) => refused(row, "kpi", format!("no KPI '{k}'")),
                other => other,
            })?;
            targets.push(target);
        }
        if targets.is_empty() {
            return Err(AppError::invalid("csv", "The plan has no rows under its header."));
        }
        Ok(targets)
    }

    /// Checks a plan, then saves all its targets in one transaction.
    pub async fn save_csv(db: &Db, text: &str, actor: &str, now: i64) -> Result<SetOutcome, AppError> {
        let targets = parse(text, actor, now)?;
        save(db, &targets).await
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::models::TargetVersion;

        fn message(text: &str) -> String {
            match parse(text, "ana", 0).unwrap_err() {
                AppError::Invalid { field, message } if field == "csv" => message,
                other => panic!("{other:?}"),
            }
        }

        #[test]
        fn a_plan_reads_every_column_in_any_order() {
            let text = "\u{feff}period,kpi,value,scope,tolerance,note,version\n\
                        2026-01,csat,82,,3,Q1,\n\
                        2026-01,csat,85,channel:chat,,,reforecast\n\
                        \n\
                        2026-02,frt_median_h,4.5,team=Tier 1,,,plan\n";
            let t = parse(text, "ana", 7).unwrap();
            assert_eq!(t.len(), 3);
            assert_eq!((t[0].value, t[0].tolerance_pct, t[0].note.as_str()), (82.0, Some(3.0), "Q1"));
            assert_eq!((t[1].scope_dim.as_str(), t[1].scope_value.as_str()), ("channel", "chat"));
            assert_eq!(t[1].version, TargetVersion::Reforecast);
            assert_eq!((t[2].scope_dim.as_str(), t[2].scope_value.as_str()), ("team", "Tier 1"));
            assert_eq!((t[2].set_by.as_str(), t[2].set_at), ("ana", 7));
        }

        #[test]
        fn a_bad_row_or_column_is_named() {
            let head = "kpi,period,scope,value,tolerance,note,version\n";
            let ok = "csat,2026-01,,80,,,\n";
            assert!(message(&format!("{head}{ok}csat,2026-13,,80,,,\n")).starts_with("Row 3, column period:"));
            assert!(
                message(&format!("{head}{ok}csat,2026-02,,lots,,,\n")).starts_with("Row 3, column value:")
            );
            assert!(message(&format!("{head}{ok}csat,2026-02,,101,,,\n")).starts_with("Row 3, column value:"));
            assert!(message(&format!("{head}mood,2026-02,,1,,,\n")).starts_with("Row 2, column kpi:"));
            assert!(message(&format!("{head}csat,2026-02,chat,1,,,\n")).starts_with("Row 2, column scope:"));
            assert!(
                message(&format!("{head}csat,2026-02,agent:x,1,,,\n")).starts_with("Row 2, column scope:")
            );
            assert!(
                message(&format!("{head}csat,2026-02,,1,200,,\n")).starts_with("Row 2, column tolerance:")
            );
            assert!(
                message(&format!("{head}csat,2026-02,,1,,,draft\n")).starts_with("Row 2, column version:")
            );
            assert!(message("kpi,period,target\ncsat,2026-01,80\n").contains("unknown column 'target'"));
            assert!(message("kpi,period\ncsat,2026-01\n").contains("must name kpi, period and value"));
            assert!(message(head).contains("no rows"));
        }
    }
}
