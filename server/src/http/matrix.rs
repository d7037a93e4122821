//! `GET /api/v1/matrix?kpi&rows&cols&from&to&channel&category&team`: a
//! ticket KPI across two dimensions over a date range, with row and column
//! totals computed from the merged totals (not averages of cells).

use super::api_v1::{date_param, problem};
use super::guard::{allowed, ApiCaller};
use app::kpi::{compute, sample_size, Kpi, KpiInputs, KpiSettings};
use app::models::{Dimension, Filters};
use app::store::{matrix, rollup, Db};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{Datelike, NaiveDate};
use serde_json::{json, Value};
use std::collections::HashMap;

/// KPIs that need orders, financials or a running backlog: company-wide
/// figures with no meaning per cell.
const NOT_PER_CELL: [Kpi; 10] = [
    Kpi::ContactRate,
    Kpi::RepeatPurchaseRate,
    Kpi::PostSupportRepurchase,
    Kpi::Clv,
    Kpi::CostPerContact,
    Kpi::SupportCostRatio,
    Kpi::ProfitMargin,
    Kpi::OpexRatio,
    Kpi::Cac,
    Kpi::Backlog,
];

pub async fn matrix(
    State(db): State<Db>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    if let Err(refusal) = allowed(&db, &headers, ApiCaller::can_read).await {
        return refusal;
    }
    let request = match read_request(&params, &db).await {
        Ok(r) => r,
        Err((status, message)) => return problem(status, message),
    };
    let (kpi, rows, cols, from, to, filters) = request;
    let m = match matrix::load(&db, rows, cols, from, to, &filters).await {
        Ok(m) => m,
        Err(error) => {
            tracing::error!(%error, "matrix failed");
            return problem(StatusCode::INTERNAL_SERVER_ERROR, "the database did not answer".into());
        }
    };
    let settings = KpiSettings::default();
    let measure = |inputs: &KpiInputs| (compute(kpi, inputs, &settings), sample_size(kpi, inputs));
    let cells: Vec<Value> = m
        .cells
        .iter()
        .map(|((row, col), inputs)| {
            let (value, n) = measure(inputs);
            json!({ "row": row, "col": col, "value": value, "n": n })
        })
        .collect();
    let totals = |t: &std::collections::BTreeMap<String, KpiInputs>, name: &str| -> Vec<Value> {
        t.iter()
            .map(|(key, inputs)| {
                let (value, n) = measure(inputs);
                json!({ name: key, "value": value, "n": n })
            })
            .collect()
    };
    let (total, n) = measure(&m.total);
    Json(json!({
        "kpi": kpi.key(),
        "from": from.to_string(),
        "to": to.to_string(),
        "rows": m.rows,
        "cols": m.cols,
        "cells": cells,
        "row_totals": totals(&m.row_totals, "row"),
        "col_totals": totals(&m.col_totals, "col"),
        "total": { "value": total, "n": n },
    }))
    .into_response()
}

type Request = (Kpi, Dimension, Dimension, NaiveDate, NaiveDate, Filters);

/// Defaults: CSAT, category × channel, the last calendar month with data.
async fn read_request(params: &HashMap<String, String>, db: &Db) -> Result<Request, (StatusCode, String)> {
    let invalid = |m: String| (StatusCode::UNPROCESSABLE_ENTITY, m);
    let key = params.get("kpi").map_or("csat", String::as_str);
    let kpi = Kpi::from_key(key)
        .ok_or_else(|| (StatusCode::NOT_FOUND, format!("no KPI '{key}'; GET /api/v1/kpis lists them")))?;
    if NOT_PER_CELL.contains(&kpi) {
        return Err(invalid(format!(
            "{key} is company-wide (orders, financials or backlog); a matrix needs a ticket KPI"
        )));
    }
    let dimension = |name: &str, default: Dimension| -> Result<Dimension, (StatusCode, String)> {
        match params.get(name) {
            None => Ok(default),
            Some(v) => Dimension::parse(v)
                .ok_or_else(|| invalid(format!("{name} must be channel, category or team, not '{v}'"))),
        }
    };
    let (rows, cols) = (dimension("rows", Dimension::Category)?, dimension("cols", Dimension::Channel)?);
    if rows == cols {
        return Err(invalid("rows and cols must be two different dimensions".into()));
    }
    let from = date_param(params, "from").map_err(invalid)?;
    let to = match date_param(params, "to").map_err(invalid)? {
        Some(d) => d,
        None => match rollup::data_span(&db.pool).await {
            Ok(Some((_, last))) => last,
            _ => chrono::Utc::now().date_naive(),
        },
    };
    let from = match from {
        Some(d) => d,
        None => to.with_day(1).expect("the first of a month exists"),
    };
    if from > to {
        return Err(invalid("from must not be after to".into()));
    }
    let filter = |name: &str| params.get(name).filter(|v| !v.is_empty()).cloned();
    let filters = Filters { channel: filter("channel"), category: filter("category"), team: filter("team") };
    Ok((kpi, rows, cols, from, to, filters))
}
