//! `POST /api/v1/import/{kind}?mapping=…` (or `&preset=NAME`): a CSV file as
//! the request body, streamed to a private file in the data folder (large files are
//! normal here, so this route has its own size limit), then imported in one
//! transaction. Without a mapping or preset, the mapping is guessed from the
//! header as the Data page does (canonical column names always match).

use super::api_v1::problem;
use super::guard::{allowed, ApiCaller};
use super::spool::Spooled;
use app::import::run::{import, ImportError, ImportOptions};
use app::import::{sniff, Kind, Mapping};
use app::store::Db;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::json;
use std::collections::HashMap;
use std::io::Read;

pub fn routes(db: Db) -> Router {
    Router::new().route("/api/v1/import/{kind}", post(import_file)).with_state(db)
}

async fn import_file(
    State(db): State<Db>,
    Path(kind): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let actor = match allowed(&db, &headers, ApiCaller::can_ingest).await {
        Ok(caller) => caller.name(),
        Err(refusal) => return refusal,
    };
    let Some(kind) = Kind::from_key(&kind) else {
        return problem(
            StatusCode::NOT_FOUND,
            format!("'{kind}' cannot be imported: tickets, orders, financials, targets or benchmarks"),
        );
    };
    // Refused before the upload, which may take a while.
    if db.imports.is_running() {
        return app::error::AppError::Unavailable(ImportError::Busy.to_string()).into_response();
    }
    let spooled = match Spooled::from_body(body, &db.data_dir).await {
        Ok(file) => file,
        Err(refusal) => return refusal,
    };
    let mapping = match mapping_of(&db, kind, &params, &spooled).await {
        Ok(m) => m,
        Err(message) => return problem(StatusCode::BAD_REQUEST, message),
    };
    let options = ImportOptions { kind, mapping, actor, keep_valid: false };
    let file = match std::fs::File::open(&spooled.path) {
        Ok(f) => f,
        Err(e) => return problem(StatusCode::INTERNAL_SERVER_ERROR, format!("cannot read the upload: {e}")),
    };
    match import(&db, file, &options, None, |_| {}).await {
        Ok(report) => Json(report).into_response(),
        Err(ImportError::Rows(refusals)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({
                "error": format!("the file was not imported (nothing was changed): {refusals}"),
                "refused": refusals.total,
                "by_reason": refusals.by_reason,
                "errors": refusals.first,
            })),
        )
            .into_response(),
        Err(ImportError::Busy) => {
            app::error::AppError::Unavailable(ImportError::Busy.to_string()).into_response()
        }
        Err(ImportError::Database(e)) if app::store::is_unavailable(&e) => {
            app::error::AppError::from(e).into_response()
        }
        Err(ImportError::Database(e)) => {
            tracing::error!("import failed: {e}");
            problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the database refused the import; nothing was changed".into(),
            )
        }
        Err(other) => problem(StatusCode::UNPROCESSABLE_ENTITY, other.to_string()),
    }
}

/// The mapping to use: `mapping` (JSON) or a saved `preset`, else the
/// canonical columns found in the file's header.
async fn mapping_of(
    db: &Db,
    kind: Kind,
    params: &HashMap<String, String>,
    file: &Spooled,
) -> Result<Mapping, String> {
    if let Some(json) = params.get("mapping").filter(|m| !m.is_empty()) {
        return serde_json::from_str(json).map_err(|e| format!("mapping: {e}"));
    }
    if let Some(name) = params.get("preset").filter(|m| !m.is_empty()) {
        return app::api::data::find_preset(db, kind, name).await.map_err(|e| e.to_string());
    }
    let mut head = vec![0; 64 * 1024];
    let n = std::fs::File::open(&file.path).and_then(|mut f| f.read(&mut head)).map_err(|e| e.to_string())?;
    Ok(sniff::preview(kind, &String::from_utf8_lossy(&head[..n]))?.mapping)
}
