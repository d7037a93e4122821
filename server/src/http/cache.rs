//! Caching and transport headers: nothing a session or token can read is kept
//! by a browser or proxy, and browsers keep to HTTPS once it is in use.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// Paths anyone may read and that hold no one's data: static files, the
/// health check and the API description. They keep their own caching.
fn may_be_cached(path: &str) -> bool {
    path.starts_with("/pkg/")
        || path == "/favicon.svg"
        || path == "/api/v1/health"
        || path == "/api/v1/openapi.json"
}

/// `Cache-Control: no-store` on every other response, so a shared computer's
/// back button or a proxy never shows one user's numbers to another.
pub async fn no_store(request: Request, next: Next) -> Response {
    let cacheable = may_be_cached(request.uri().path());
    let mut response = next.run(request).await;
    if !cacheable {
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// One year, as browsers and the HSTS preload list expect.
pub const HSTS: &str = "max-age=31536000";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_static_files_and_public_api_descriptions_may_be_cached() {
        assert!(may_be_cached("/pkg/aftercare.js"));
        assert!(may_be_cached("/api/v1/health"));
        for private in
            ["/", "/charts", "/api/get_me", "/api/v1/kpis", "/exports/review.csv", "/api/v1/healthz"]
        {
            assert!(!may_be_cached(private), "{private}");
        }
    }
}
