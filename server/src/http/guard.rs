//! Request guards: pages need a signed-in user (and lead to the one-time
//! setup while there is none), state-changing requests must come from our own
//! origin, and `/api/v1` needs a token of the right scope or a session.

use app::auth::session::{cookie_value, user_of_session, SESSION_COOKIE};
use app::error::AppError;
use app::models::{Role, TokenScope, UserInfo};
use app::store::{tokens, users, Db};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Paths that pass without a session: static files, the API, server
/// functions and downloads (each checks its caller itself, and scripts use
/// tokens there).
fn is_public(path: &str) -> bool {
    path.starts_with("/pkg/")
        || path.starts_with("/api/")
        || path.starts_with("/exports/")
        || path == "/favicon.svg"
}

fn session_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| cookie_value(h, SESSION_COOKIE))
}

/// The signed-in user, if any; a database that cannot answer is an error
/// (503), never "not signed in" (which would send users to the login page).
async fn session_user(db: &Db, headers: &HeaderMap) -> Result<Option<UserInfo>, Response> {
    let Some(token) = session_token(headers) else { return Ok(None) };
    user_of_session(db, token).await.map_err(database_failure)
}

/// A failed lookup: 503 "the database is unavailable" with `Retry-After`.
fn database_failure(error: sqlx::Error) -> Response {
    AppError::from(error).into_response()
}

/// What the page guard needs: the database, and whether a user exists yet.
/// Users never drop back to zero (the last admin cannot be removed), so once
/// one exists the check is skipped.
#[derive(Clone, Debug)]
pub struct PageGuard {
    db: Db,
    has_users: Arc<AtomicBool>,
}

impl PageGuard {
    pub fn new(db: Db) -> PageGuard {
        PageGuard { db, has_users: Arc::new(AtomicBool::new(false)) }
    }

    async fn has_users(&self) -> Result<bool, Response> {
        if self.has_users.load(Ordering::Relaxed) {
            return Ok(true);
        }
        let exists = users::count_users(&self.db).await.map_err(database_failure)? > 0;
        self.has_users.store(exists, Ordering::Relaxed);
        Ok(exists)
    }
}

/// Pages: setup first, then sign-in, then the page.
pub async fn require_session(State(guard): State<PageGuard>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    if request.method() != Method::GET || is_public(&path) {
        return next.run(request).await;
    }
    let has_users = match guard.has_users().await {
        Ok(has) => has,
        Err(failure) => return failure,
    };
    if !has_users {
        return if path == "/setup" {
            next.run(request).await
        } else {
            Redirect::to("/setup").into_response()
        };
    }
    let signed_in = match session_user(&guard.db, request.headers()).await {
        Ok(user) => user.is_some(),
        Err(failure) => return failure,
    };
    match (path.as_str(), signed_in) {
        ("/setup" | "/login", true) => Redirect::to("/").into_response(),
        ("/setup", false) => Redirect::to("/login").into_response(),
        ("/login", false) | (_, true) => next.run(request).await,
        (_, false) => {
            let wanted = request.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
            Redirect::to(&format!("/login?next={}", percent_encode(wanted))).into_response()
        }
    }
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Refuses state-changing requests sent by another site (CSRF). Browsers
/// send `Sec-Fetch-Site`; older ones at least `Origin`. Scripts that send a
/// token and no session cookie are not checked: without the cookie a
/// cross-site request cannot act as anyone.
pub async fn reject_cross_site(request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let headers = request.headers();
    if safe || (bearer_token(headers).is_some() && !has_session_cookie(headers)) {
        return next.run(request).await;
    }
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        if site != "same-origin" && site != "none" {
            return forbidden("cross-site request refused");
        }
    } else if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or(origin);
        if origin_host != host {
            return forbidden("cross-origin request refused");
        }
    }
    next.run(request).await
}

fn forbidden(message: &str) -> Response {
    (StatusCode::FORBIDDEN, Json(serde_json::json!({ "error": message }))).into_response()
}

fn has_session_cookie(headers: &HeaderMap) -> bool {
    let cookies = headers.get_all(header::COOKIE);
    cookies.iter().filter_map(|v| v.to_str().ok()).any(|h| cookie_value(h, SESSION_COOKIE).is_some())
}

/// Refuses paths with dot segments (`/api/../admin/users`, also written
/// `%2e%2e`): the guards and the router must see the same path, and no page
/// or route has one.
pub async fn reject_dot_segments(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_ascii_lowercase().replace("%2e", ".");
    if path.split('/').any(|segment| segment == "." || segment == "..") {
        let error = serde_json::json!({ "error": "the path may not contain . or .. segments" });
        return (StatusCode::BAD_REQUEST, Json(error)).into_response();
    }
    next.run(request).await
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

/// Who calls the REST API.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiCaller {
    Token(TokenScope),
    User(UserInfo),
}

impl ApiCaller {
    /// Who to record as the author of a change.
    pub fn name(&self) -> String {
        match self {
            ApiCaller::Token(_) => "api token".to_string(),
            ApiCaller::User(user) => user.username.clone(),
        }
    }

    /// Read routes: a read token, or any signed-in user.
    pub fn can_read(&self) -> bool {
        matches!(self, ApiCaller::Token(TokenScope::Read) | ApiCaller::User(_))
    }

    /// Admin-only downloads: a signed-in admin (tokens never).
    pub fn is_admin(&self) -> bool {
        matches!(self, ApiCaller::User(user) if user.role == Role::Admin)
    }

    /// Setting targets: a write token, or a manager or admin.
    pub fn can_write_targets(&self) -> bool {
        match self {
            ApiCaller::Token(scope) => *scope == TokenScope::Write,
            ApiCaller::User(user) => user.role >= Role::Manager,
        }
    }

    /// Reading targets: whoever may read, or set them.
    pub fn can_read_targets(&self) -> bool {
        self.can_read() || self.can_write_targets()
    }

    /// Ingest routes: an ingest token, or an admin.
    pub fn can_ingest(&self) -> bool {
        match self {
            ApiCaller::Token(scope) => *scope == TokenScope::Ingest,
            ApiCaller::User(user) => user.role == Role::Admin,
        }
    }
}

/// The caller if it `may` use the route, else the 401 or 403 to send.
pub async fn allowed(
    db: &Db,
    headers: &HeaderMap,
    may: fn(&ApiCaller) -> bool,
) -> Result<ApiCaller, Response> {
    let caller = api_caller(db, headers).await?;
    if may(&caller) {
        Ok(caller)
    } else {
        Err(wrong_scope())
    }
}

/// The caller of an `/api/v1` request, or the 401 to send.
pub async fn api_caller(db: &Db, headers: &HeaderMap) -> Result<ApiCaller, Response> {
    if let Some(token) = bearer_token(headers) {
        return match tokens::scope_of(db, token).await {
            Ok(Some(scope)) => Ok(ApiCaller::Token(scope)),
            Ok(None) => Err(unauthorized()),
            Err(error) => Err(database_failure(error)),
        };
    }
    session_user(db, headers).await?.map(ApiCaller::User).ok_or_else(unauthorized)
}

pub fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Bearer")],
        Json(serde_json::json!({ "error": "a valid API token or session is required" })),
    )
        .into_response()
}

pub fn wrong_scope() -> Response {
    forbidden("this token's scope (or your role) does not allow this route")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_percent_encoded() {
        assert_eq!(percent_encode("/?month=2025-03&x=1"), "/%3Fmonth%3D2025-03%26x%3D1");
    }

    #[test]
    fn static_files_and_server_functions_are_public() {
        assert!(is_public("/pkg/aftercare.wasm"));
        assert!(is_public("/api/login"));
        assert!(!is_public("/admin/users"));
    }
}
