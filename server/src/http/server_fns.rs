//! Server functions answer every error with 500, including arguments that
//! could not be read, which are the caller's mistake (a JSON body, a missing
//! field: issue 16 F15). Their body is an `AppError`; this gives such a
//! response the status of its error.

use app::error::AppError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

/// Error bodies are small; anything larger is left as it is.
const MAX_ERROR_BYTES: usize = 64 * 1024;

fn is_server_fn(path: &str) -> bool {
    path.starts_with("/api/") && !path.starts_with("/api/v1/")
}

pub async fn error_status(request: Request, next: Next) -> Response {
    let server_fn = is_server_fn(request.uri().path());
    let response = next.run(request).await;
    if !server_fn || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ERROR_BYTES).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = error.status();
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_functions_are_under_api_but_not_the_rest_api() {
        assert!(is_server_fn("/api/login"));
        assert!(!is_server_fn("/api/v1/kpis"));
        assert!(!is_server_fn("/charts"));
    }
}
