//! The REST API under `/api/v1` (DESIGN.md §5). Every route but `health`
//! needs an API token of the right scope or a signed-in session.

use super::guard::{api_caller, wrong_scope};
use app::kpi::Kpi;
use app::store::Db;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

pub fn routes(db: Db) -> Router {
    Router::new().route("/health", get(health)).route("/kpis", get(catalogue)).with_state(db)
}

async fn health(State(db): State<Db>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok", "database": db.backend.name() }))
}

/// The KPI catalogue: key, name, unit and direction of every KPI.
async fn catalogue(State(db): State<Db>, headers: HeaderMap) -> Response {
    match api_caller(&db, &headers).await {
        Ok(caller) if caller.can_read() => {}
        Ok(_) => return wrong_scope(),
        Err(refusal) => return refusal,
    }
    let kpis: Vec<serde_json::Value> = Kpi::ALL
        .iter()
        .map(|k| serde_json::json!({ "key": k.key(), "name": k.name(), "unit": k.unit(), "direction": k.direction() }))
        .collect();
    Json(kpis).into_response()
}
