//! The REST API under `/api/v1` (DESIGN.md §5). Every route but `health` and
//! `openapi.json` needs an API token of the right scope or a signed-in session.

use super::guard::{allowed, ApiCaller};
use app::api::early_warning::{self, EarlyWarningQuery};
use app::api::events::{self, EventInput};
use app::api::matrix::{self, MatrixQuery};
use app::api::query::RangeParams;
use app::api::register::{self as register_api, ActionInput, ActionsQuery};
use app::api::series::{self, SeriesQuery};
use app::api::targets::{self as target_api, TargetInput};
use app::api::tickets::{self, TicketQuery};
use app::api::trend::{self, TrendQuery};
use app::api::variance::{self, VarianceQuery};
use app::charts::{file_name, ChartSpec};
use app::error::AppError;
use app::kpi::Kpi;
use app::store::ingest::{self, IngestError, IngestReport};
use app::store::Db;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Form, Json, Router};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

pub fn routes(db: Db) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/openapi.json", get(|| async { Json(app::docs::openapi()) }))
        .route("/kpis", get(catalogue))
        .route("/kpis/{key}/series", get(series))
        .route("/matrix", get(matrix))
        .route("/trends/{key}", get(trend))
        .route("/early-warning", get(early_warning_list))
        .route("/events", get(list_events).merge(post(post_events)))
        .route("/variance", get(variance_report))
        .route("/targets", get(list_targets).merge(put(put_targets)))
        .route("/actions", get(list_actions).merge(post(post_actions)))
        .route("/tickets", get(ticket_list).post(tickets))
        .route("/orders", post(orders))
        .route("/financials", post(financials))
        .route("/charts/{format}", post(chart_file))
        .with_state(db)
}

/// Up only when the database answers (within two seconds); 503 otherwise,
/// so a load balancer takes the server out of rotation.
async fn health(State(db): State<Db>) -> Response {
    let answered = tokio::time::timeout(std::time::Duration::from_secs(2), db.ping()).await;
    match answered {
        Ok(Ok(())) => Json(json!({ "status": "ok", "database": db.backend.name() })).into_response(),
        _ => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "database": db.backend.name(), "error": "the database is unavailable" })),
        )
            .into_response(),
    }
}

/// The KPI catalogue: key, name, unit and direction of every KPI.
async fn catalogue(State(db): State<Db>, headers: HeaderMap) -> Response {
    if let Err(refusal) = allowed(&db, &headers, ApiCaller::can_read).await {
        return refusal;
    }
    let kpis: Vec<Value> = Kpi::ALL
        .iter()
        .map(|k| json!({ "key": k.key(), "name": k.name(), "unit": k.unit(), "direction": k.direction() }))
        .collect();
    Json(kpis).into_response()
}

/// Charts larger than this (in pixels) are refused rather than rasterised.
const MAX_CHART_PIXELS: u64 = 4_000_000;

#[derive(serde::Deserialize)]
struct ChartForm {
    /// A chart spec as JSON, as every chart on a page carries it.
    spec: String,
}

/// `POST /charts/png` and `/charts/svg` (form field `spec`): the chart as a
/// file, drawn on the server by the same code that draws the page's SVG.
async fn chart_file(
    State(db): State<Db>,
    Path(format): Path<String>,
    headers: HeaderMap,
    Form(form): Form<ChartForm>,
) -> Response {
    if let Err(refusal) = allowed(&db, &headers, ApiCaller::can_read).await {
        return refusal;
    }
    if format != "png" && format != "svg" {
        return problem(StatusCode::NOT_FOUND, format!("charts come as png or svg, not {format}"));
    }
    let spec: ChartSpec = match serde_json::from_str(&form.spec) {
        Ok(spec) => spec,
        Err(e) => return problem(StatusCode::UNPROCESSABLE_ENTITY, format!("spec: not a chart ({e})")),
    };
    if let Err(e) = spec.check() {
        return problem(StatusCode::UNPROCESSABLE_ENTITY, format!("spec: {e}"));
    }
    let (width, height) = spec.size();
    if u64::from(width) * u64::from(height) > MAX_CHART_PIXELS {
        return problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("spec: a {width} × {height} chart is too large"),
        );
    }
    let file = format!("{}.{format}", file_name(spec.title()));
    let attachment = |mime: &str, body: Vec<u8>| {
        (
            [
                (header::CONTENT_TYPE, mime.to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")),
            ],
            body,
        )
            .into_response()
    };
    // Drawing is CPU work: keep it off the async workers.
    let drawn = tokio::task::spawn_blocking(move || match format.as_str() {
        "svg" => Ok(("image/svg+xml", spec.render().svg.into_bytes())),
        _ => spec.png().map(|png| ("image/png", png)),
    })
    .await;
    match drawn {
        Ok(Ok((mime, body))) => attachment(mime, body),
        Ok(Err(e)) => problem(StatusCode::INTERNAL_SERVER_ERROR, format!("could not draw the chart: {e}")),
        Err(_) => problem(StatusCode::INTERNAL_SERVER_ERROR, "could not draw the chart".into()),
    }
}

pub(super) fn problem(status: StatusCode, message: String) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

/// Answers with `T` as JSON, or the error with its status.
fn answer<T: serde::Serialize>(result: Result<T, AppError>) -> Response {
    result.map(Json).into_response()
}

/// `GET /kpis/{key}/series?from&to&grain&channel&category&team`: an adapter
/// of the series analysis.
async fn series(
    State(db): State<Db>,
    headers: HeaderMap,
    Path(kpi): Path<String>,
    Query(range): Query<RangeParams>,
) -> Response {
    if let Err(refusal) = allowed(&db, &headers, ApiCaller::can_read).await {
        return refusal;
    }
    answer(series::load(&db, &SeriesQuery { kpi, range }).await)
}

/// `GET /trends/{key}?from&to&grain&window&min_n&channel&category&team`: an
/// adapter of the trend analysis.
async fn trend(
    State(db): State<Db>,
    headers: HeaderMap,
    Path(kpi): Path<String>,
    Query(query): Query<TrendParams>,
) -> Response {
    if let Err(refusal) = allowed(&db, &headers, ApiCaller::can_read).await {
        return refusal;
    }
    let TrendParams { window, min_n, range } = query;
    answer(trend::load(&db, &TrendQuery { kpi, window, min_n, range }).await)
}

/// A trend's query string: the range, the moving average's window and the
/// minimum sample.
#[derive(serde::Deserialize)]
struct TrendParams {
    window: Option<String>,
    min_n: Option<String>,
    #[serde(flatten)]
    range: RangeParams,
}

/// `GET /early-warning?period&by`: an adapter of the early-warning list.
async fn early_warning_list(
    State(db): State<Db>,
    headers: HeaderMap,
    Query(query): Query<EarlyWarningQuery>,
) -> Response {
    if let Err(refusal) = allowed(&db, &headers, ApiCaller::can_read).await {
        return refusal;
    }
    answer(early_warning::load(&db, &query).await)
}

/// `GET /events?from&to`: the business events overlapping the range (the
/// last 12 months by default).
async fn list_events(State(db): State<Db>, headers: HeaderMap, Query(range): Query<RangeParams>) -> Response {
    if let Err(refusal) = allowed(&db, &headers, ApiCaller::can_read).await {
        return refusal;
    }
    let listed = async {
        let latest = app::store::kpi_values::latest_day(&db).await?;
        // Without `from`, the year that ends at `to` (or at the latest data),
        // cut at the first plausible day: a `from` not sent is never refused.
        let end = RangeParams { from: None, ..range.clone() }.days(latest)?.last;
        let year_before = (end - chrono::Days::new(365)).max(app::kpi::period::FIRST_PLAUSIBLE_DAY);
        let from = range.from.clone().or_else(|| Some(year_before.to_string()));
        let days = RangeParams { from, ..range }.days(latest)?;
        events::server::list(&db, days.first, days.last).await
    };
    answer(listed.await)
}

/// `POST /events`: a JSON array of `{kind, title, starts_on, ends_on?}`, or
/// CSV with those columns (`Content-Type: text/csv`); all saved in one
/// transaction or none. Needs a write token, or a manager or admin.
async fn post_events(State(db): State<Db>, headers: HeaderMap, body: String) -> Response {
    let caller = match allowed(&db, &headers, ApiCaller::can_write_targets).await {
        Ok(caller) => caller,
        Err(refusal) => return refusal,
    };
    let csv = headers
        .get(header::CONTENT_TYPE)
        .and_then(|c| c.to_str().ok())
        .is_some_and(|c| c.starts_with("text/csv"));
    let inputs: Vec<EventInput> = if csv {
        match events::server::parse_csv(&body) {
            Ok(inputs) => inputs,
            Err(e) => return e.into_response(),
        }
    } else {
        match serde_json::from_str(&body) {
            Ok(inputs) => inputs,
            Err(e) => return problem(StatusCode::UNPROCESSABLE_ENTITY, format!("invalid JSON: {e}")),
        }
    };
    let received = inputs.len();
    answer(
        events::server::save(&db, &inputs, &caller.name())
            .await
            .map(|new| json!({ "received": received, "new": new })),
    )
}

/// `GET /matrix?kpi&rows&cols&from&to&channel&category&team`: an adapter of
/// the matrix analysis.
async fn matrix(State(db): State<Db>, headers: HeaderMap, Query(query): Query<MatrixQuery>) -> Response {
    if let Err(refusal) = allowed(&db, &headers, ApiCaller::can_read).await {
        return refusal;
    }
    answer(matrix::load(&db, &query).await)
}

/// `GET /tickets?from&to&channel&category&team&agent&priority&product&sort
/// &cursor&limit`: a page of the tickets behind a matrix cell, as JSON; with
/// `Accept: text/csv` (or `format=csv`) every ticket from the cursor on, as
/// CSV, streamed (see [`super::ticket_csv`]).
async fn ticket_list(
    State(db): State<Db>,
    headers: HeaderMap,
    Query(query): Query<TicketListParams>,
) -> Response {
    if let Err(refusal) = allowed(&db, &headers, ApiCaller::can_read).await {
        return refusal;
    }
    let wants_csv = query.format.as_deref() == Some("csv")
        || headers.get(header::ACCEPT).and_then(|a| a.to_str().ok()).is_some_and(|a| a.contains("text/csv"));
    if let Some(f) = query.format.as_deref().filter(|f| !matches!(*f, "csv" | "json" | "")) {
        return AppError::invalid("format", format!("format must be csv or json, not '{f}'")).into_response();
    }
    if !wants_csv {
        return answer(tickets::load(&db, &query.tickets).await);
    }
    let checked = match tickets::check(&db, &query.tickets).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let rows = super::ticket_csv::stream(db, checked, super::ticket_csv::MAX_CSV_TICKETS);
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"tickets.csv\"".to_string()),
        ],
        axum::body::Body::from_stream(rows),
    )
        .into_response()
}

#[derive(serde::Deserialize)]
struct TicketListParams {
    format: Option<String>,
    #[serde(flatten)]
    tickets: TicketQuery,
}

/// `GET /variance?period&scope&value&version&kpi&by`: an adapter of the
/// variance analysis.
async fn variance_report(
    State(db): State<Db>,
    headers: HeaderMap,
    Query(query): Query<VarianceQuery>,
) -> Response {
    if let Err(refusal) = allowed(&db, &headers, ApiCaller::can_read).await {
        return refusal;
    }
    answer(
        variance::load(&db, &query)
            .await
            .and_then(|report| report.ok_or_else(|| AppError::NotFound("Ticket data".into()))),
    )
}

#[derive(serde::Deserialize)]
struct TargetsParams {
    kpi: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// `GET /targets?kpi&from&to`: the stored targets.
async fn list_targets(State(db): State<Db>, headers: HeaderMap, Query(q): Query<TargetsParams>) -> Response {
    if let Err(refusal) = allowed(&db, &headers, ApiCaller::can_read_targets).await {
        return refusal;
    }
    answer(target_api::server::list(&db, q.kpi.as_deref(), q.from.as_deref(), q.to.as_deref()).await)
}

/// `PUT /targets` with a JSON array of targets, or a whole plan as
/// `text/csv` (`kpi,period,scope,value,tolerance,note,version`): all are
/// checked, then saved together (replacing those of the same key, keeping
/// the history).
async fn put_targets(State(db): State<Db>, headers: HeaderMap, body: String) -> Response {
    let caller = match allowed(&db, &headers, ApiCaller::can_write_targets).await {
        Ok(caller) => caller,
        Err(refusal) => return refusal,
    };
    let csv = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/csv"));
    if csv {
        let now = app::auth::session::now();
        return answer(app::api::target_plan::server::save_csv(&db, &body, &caller.name(), now).await);
    }
    let inputs: Vec<TargetInput> = match serde_json::from_str(&body) {
        Ok(inputs) => inputs,
        Err(e) => return problem(StatusCode::UNPROCESSABLE_ENTITY, format!("invalid JSON: {e}")),
    };
    let now = app::auth::session::now();
    let result = match target_api::server::check_inputs(&inputs, &caller.name(), now) {
        Ok(targets) => target_api::server::save(&db, &targets).await,
        Err(e) => Err(e),
    };
    answer(result)
}

/// `GET /actions?status&owner&kpi`: the corrective actions across KPIs,
/// each done one with its before/after (the `/actions` page's loader).
async fn list_actions(State(db): State<Db>, headers: HeaderMap, Query(q): Query<ActionsQuery>) -> Response {
    if let Err(refusal) = allowed(&db, &headers, ApiCaller::can_read_targets).await {
        return refusal;
    }
    answer(register_api::server::load_actions(&db, &q).await)
}

/// `POST /actions` with one action or a JSON array of them: all are
/// checked like the variance page's form, then saved together.
async fn post_actions(State(db): State<Db>, headers: HeaderMap, body: String) -> Response {
    let caller = match allowed(&db, &headers, ApiCaller::can_write_targets).await {
        Ok(caller) => caller,
        Err(refusal) => return refusal,
    };
    let parsed = if body.trim_start().starts_with('[') {
        serde_json::from_str::<Vec<ActionInput>>(&body)
    } else {
        serde_json::from_str::<ActionInput>(&body).map(|a| vec![a])
    };
    let inputs = match parsed {
        Ok(inputs) => inputs,
        Err(e) => return problem(StatusCode::UNPROCESSABLE_ENTITY, format!("invalid JSON: {e}")),
    };
    let now = app::auth::session::now();
    let result = match register_api::server::check_inputs(&inputs, &caller.name(), now) {
        Ok(entries) => register_api::server::save(&db, &entries).await,
        Err(e) => Err(e),
    };
    answer(result.map(|ids| json!({ "saved": ids.len(), "ids": ids })))
}

async fn tickets(State(db): State<Db>, headers: HeaderMap, body: String) -> Response {
    match accept(&db, &headers, &body).await {
        Ok(records) => report(ingest::tickets(&db, &records).await),
        Err(refusal) => refusal,
    }
}

async fn orders(State(db): State<Db>, headers: HeaderMap, body: String) -> Response {
    match accept(&db, &headers, &body).await {
        Ok(records) => report(ingest::orders(&db, &records).await),
        Err(refusal) => refusal,
    }
}

async fn financials(State(db): State<Db>, headers: HeaderMap, body: String) -> Response {
    match accept(&db, &headers, &body).await {
        Ok(records) => report(ingest::financials(&db, "api", &records).await),
        Err(refusal) => refusal,
    }
}

/// Checks the caller may ingest, then reads the records.
async fn accept<T: DeserializeOwned>(db: &Db, headers: &HeaderMap, body: &str) -> Result<Vec<T>, Response> {
    allowed(db, headers, ApiCaller::can_ingest).await?;
    parse_records(body).map_err(|problem| (StatusCode::UNPROCESSABLE_ENTITY, Json(problem)).into_response())
}

/// A JSON array, or NDJSON (one record per line). Errors name the record
/// (counted from 1) and what is wrong with it.
pub fn parse_records<T: DeserializeOwned>(body: &str) -> Result<Vec<T>, Value> {
    let records: Vec<T> = if body.trim_start().starts_with('[') {
        serde_json::from_str(body).map_err(
            |e| json!({ "error": format!("invalid JSON: {e}"), "line": e.line(), "column": e.column() }),
        )?
    } else {
        body.lines()
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(i, line)| {
                serde_json::from_str(line)
                    .map_err(|e| json!({ "error": format!("record {}: {e}", i + 1), "record": i + 1 }))
            })
            .collect::<Result<_, _>>()?
    };
    if records.is_empty() {
        return Err(json!({ "error": "no records: send a JSON array or one JSON object per line" }));
    }
    Ok(records)
}

fn report(result: Result<IngestReport, IngestError>) -> Response {
    match result {
        Ok(report) => Json(report).into_response(),
        Err(IngestError::Invalid { record, external_id, error }) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({
                "error": format!("record {record} ({external_id}): {} {}", error.field, error.message),
                "record": record,
                "external_id": external_id,
                "field": error.field,
            })),
        )
            .into_response(),
        Err(IngestError::Database(error)) if app::store::is_unavailable(&error) => {
            tracing::warn!(%error, "ingest waited too long for the database");
            AppError::from(error).into_response()
        }
        Err(IngestError::Database(error)) => {
            tracing::error!(%error, "ingest failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Json(json!({ "error": "the database did not answer; nothing was saved" })),
            )
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct R {
        id: i64,
    }

    #[test]
    fn arrays_and_ndjson_both_read() {
        assert_eq!(parse_records::<R>(r#"[{"id":1},{"id":2}]"#).unwrap(), vec![R { id: 1 }, R { id: 2 }]);
        assert_eq!(parse_records::<R>("{\"id\":1}\n\n{\"id\":2}\n").unwrap(), vec![R { id: 1 }, R { id: 2 }]);
    }

    #[test]
    fn a_bad_line_is_named_and_empty_bodies_refused() {
        let e = parse_records::<R>("{\"id\":1}\n{\"id\":\"x\"}").unwrap_err();
        assert_eq!(e["record"], 2);
        assert!(parse_records::<R>("  ").unwrap_err()["error"].as_str().unwrap().contains("no records"));
    }
}
