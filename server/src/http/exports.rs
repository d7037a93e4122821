//! Downloads: the monthly review as `GET /exports/review.csv?month=2025-10`
//! (numbers as numbers, for scripts and spreadsheets) and as
//! `GET /exports/review.xlsx?month=…` (a formatted workbook with the review
//! and the 12-month history), for any signed-in user; the audit log as
//! `GET /exports/audit.csv`, for admins.

use super::guard::{allowed, ApiCaller};
use app::api::overview::{self, Overview};
use app::csv_cell::neutralise_all;
use app::kpi::variance::Status;
use app::kpi::Unit;
use app::store::Db;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::collections::HashMap;

pub fn routes(db: Db) -> Router {
    Router::new()
        .route("/exports/review.csv", get(review_csv))
        .route("/exports/review.xlsx", get(review_xlsx))
        .route("/exports/audit.csv", get(audit_csv))
        .with_state(db)
}

const COLUMNS: [&str; 11] = [
    "kpi",
    "name",
    "unit",
    "actual",
    "target",
    "variance",
    "variance_pct",
    "status",
    "previous",
    "change",
    "better",
];

fn status(s: Status) -> &'static str {
    match s {
        Status::OnTarget => "on target",
        Status::Watch => "watch",
        Status::OffTarget => "off target",
        Status::NoData => "no data",
    }
}

fn better(improved: Option<bool>) -> &'static str {
    match improved {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    }
}

/// The review of the requested month, or the response to send instead.
async fn review(
    db: &Db,
    headers: &HeaderMap,
    params: &HashMap<String, String>,
) -> Result<Overview, Response> {
    allowed(db, headers, ApiCaller::can_read).await?;
    match overview::load(db, params.get("month").map(String::as_str)).await {
        Ok(Some(o)) => Ok(o),
        Ok(None) => Err((StatusCode::NOT_FOUND, "no data yet").into_response()),
        Err(e) => Err((e.status(), e.to_string()).into_response()),
    }
}

fn attachment(content_type: &'static str, file: String, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")),
        ],
        body,
    )
        .into_response()
}

async fn review_csv(
    State(db): State<Db>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let o = match review(&db, &headers, &params).await {
        Ok(o) => o,
        Err(refusal) => return refusal,
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    let number = |v: Option<f64>| v.map(|v| format!("{v}")).unwrap_or_default();
    let _ = w.write_record(COLUMNS);
    for t in &o.tiles {
        let v = &t.variance;
        let unit = serde_json::to_value(t.unit)
            .ok()
            .and_then(|u| u.as_str().map(str::to_string))
            .unwrap_or_default();
        let _ = w.write_record(neutralise_all([
            t.key.clone(),
            t.name.clone(),
            unit,
            number(v.actual),
            number(v.target),
            number(v.variance),
            number(v.variance_pct),
            status(v.status).to_string(),
            number(t.previous),
            number(t.change),
            better(t.improved).to_string(),
        ]));
    }
    let body = w.into_inner().unwrap_or_default();
    attachment("text/csv; charset=utf-8", format!("aftercare-review-{}.csv", o.month), body)
}

async fn review_xlsx(
    State(db): State<Db>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let o = match review(&db, &headers, &params).await {
        Ok(o) => o,
        Err(refusal) => return refusal,
    };
    match workbook(&o) {
        Ok(bytes) => attachment(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            format!("aftercare-review-{}.xlsx", o.month),
            bytes,
        ),
        Err(e) => {
            (StatusCode::INTERNAL_SERVER_ERROR, format!("could not write the workbook: {e}")).into_response()
        }
    }
}

/// The whole audit log, newest first, with times in RFC 3339 UTC.
async fn audit_csv(State(db): State<Db>, headers: HeaderMap) -> Response {
    if let Err(refusal) = allowed(&db, &headers, ApiCaller::is_admin).await {
        return refusal;
    }
    let entries = match app::store::users::audit_entries(&db, i64::MAX).await {
        Ok(e) => e,
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["at", "actor", "action", "item", "old_value", "new_value"]);
    for e in entries {
        let at = chrono::DateTime::from_timestamp(e.at, 0)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default();
        // Actors, items and values are people's text (a token label, a username).
        let _ = w.write_record(neutralise_all([at, e.actor, e.action, e.entity, e.old_value, e.new_value]));
    }
    attachment(
        "text/csv; charset=utf-8",
        "aftercare-audit-log.csv".into(),
        w.into_inner().unwrap_or_default(),
    )
}

/// Excel number formats that show each unit as the page does.
fn number_format(unit: Unit) -> &'static str {
    match unit {
        Unit::Count => "#,##0",
        Unit::Percent => "0.0\"%\"",
        Unit::Hours => "0.0\" h\"",
        Unit::Score => "0.00",
        Unit::Points => "0.0",
        Unit::Currency => "#,##0.00",
        Unit::TicketsPer100Orders => "0.00",
        Unit::RelativePercent => "0.0\"%\"",
    }
}

fn workbook(o: &Overview) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let title = Format::new().set_bold().set_font_size(14);
    let sheet = book.add_worksheet();
    sheet.set_name("Review")?;
    sheet.write_string_with_format(0, 0, format!("Aftercare monthly review, {}", o.label), &title)?;
    let header =
        ["KPI", "Actual", "Target", "Variance", "Variance %", "Status", "Previous month", "Change", "Better"];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string_with_format(2, c as u16, *h, &bold)?;
    }
    let pct = Format::new().set_num_format("0.0\"%\"");
    for (i, t) in o.tiles.iter().enumerate() {
        let row = 3 + i as u32;
        let unit = Format::new().set_num_format(number_format(t.unit));
        let v = &t.variance;
        sheet.write_string(row, 0, &t.name)?;
        let cells =
            [(1, v.actual, &unit), (2, v.target, &unit), (3, v.variance, &unit), (4, v.variance_pct, &pct)];
        for (col, value, format) in cells {
            match value {
                Some(x) => sheet.write_number_with_format(row, col, x, format)?,
                None => sheet.write_string(row, col, "—")?,
            };
        }
        sheet.write_string(row, 5, status(v.status))?;
        for (col, value) in [(6, t.previous), (7, t.change)] {
            match value {
                Some(x) => sheet.write_number_with_format(row, col, x, &unit)?,
                None => sheet.write_string(row, col, "—")?,
            };
        }
        sheet.write_string(row, 8, better(t.improved))?;
    }
    sheet.set_column_width(0, 30)?;
    for col in 1..9 {
        sheet.set_column_width(col, 14)?;
    }

    let history = book.add_worksheet();
    history.set_name("History")?;
    history.write_string_with_format(0, 0, "KPI", &bold)?;
    if let Some(first) = o.tiles.first() {
        for (c, (period, _)) in first.history.iter().enumerate() {
            history.write_string_with_format(0, 1 + c as u16, period, &bold)?;
        }
    }
    for (i, t) in o.tiles.iter().enumerate() {
        let row = 1 + i as u32;
        let unit = Format::new().set_num_format(number_format(t.unit));
        history.write_string(row, 0, &t.name)?;
        for (c, (_, value)) in t.history.iter().enumerate() {
            if let Some(x) = value {
                history.write_number_with_format(row, 1 + c as u16, *x, &unit)?;
            }
        }
    }
    history.set_column_width(0, 30)?;
    book.save_to_buffer()
}
