//! Who is asking: the signed-in user of the current request (session cookie)
//! and the role checks every server function starts with.

use crate::error::AppError;
use crate::models::{Role, UserInfo};
use crate::secrets::token_hash;
use crate::store::{users, Db};
use leptos::prelude::*;

pub const SESSION_COOKIE: &str = "aftercare_session";
/// Sessions last a week.
pub const SESSION_SECONDS: i64 = 7 * 86_400;

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The value of cookie `name` in a `Cookie` header.
pub fn cookie_value<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').filter_map(|pair| pair.trim().split_once('=')).find(|(k, _)| *k == name).map(|(_, v)| v)
}

/// The session token sent with the current request, if any.
fn request_session_token() -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| cookie_value(h, SESSION_COOKIE).map(String::from))
}

/// The user of a session token, if the session is valid.
pub async fn user_of_session(db: &Db, token: &str) -> Result<Option<UserInfo>, sqlx::Error> {
    users::session_user(db, &token_hash(token), now()).await
}

/// The signed-in user of the current request.
pub async fn current_user(db: &Db) -> Result<Option<UserInfo>, AppError> {
    match request_session_token() {
        Some(token) => Ok(user_of_session(db, &token).await?),
        None => Ok(None),
    }
}

/// The signed-in user if they hold at least `role`; 401 or 403 otherwise.
pub async fn require(db: &Db, role: Role) -> Result<UserInfo, AppError> {
    match current_user(db).await? {
        None => Err(AppError::Unauthorized),
        Some(user) if user.role < role => Err(AppError::Forbidden(role)),
        Some(user) => Ok(user),
    }
}

/// The `Set-Cookie` value that starts a session.
pub fn session_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={SESSION_SECONDS}{secure}")
}

/// The `Set-Cookie` value that ends it.
pub fn expired_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_session_among_other_cookies() {
        assert_eq!(cookie_value("a=1; aftercare_session=xyz; b=2", SESSION_COOKIE), Some("xyz"));
        assert_eq!(cookie_value("a=1", SESSION_COOKIE), None);
    }

    #[test]
    fn the_session_cookie_is_http_only_and_same_site() {
        let c = session_cookie("t", true);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Secure"));
        assert!(!session_cookie("t", false).contains("Secure"));
    }
}
