//! Sign-in: first-start setup of the first admin, login with rate limiting,
//! logout, and "who am I" for the page frame.

use crate::error::AppError;
use crate::models::UserInfo;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the page frame needs to know about the visitor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub user: Option<UserInfo>,
    /// True until the first admin exists.
    pub needs_setup: bool,
}

#[server(endpoint = "get_me")]
pub async fn get_me() -> Result<Me, AppError> {
    super::respond(async move {
        let db = super::db()?;
        let needs_setup = crate::store::users::count_users(&db).await? == 0;
        let user = crate::auth::session::current_user(&db).await?;
        Ok(Me { user, needs_setup })
    })
    .await
}

/// Creates the first admin and signs them in. Refused once any user exists.
#[server(endpoint = "setup_admin")]
pub async fn setup_admin(username: String, password: String, confirm: String) -> Result<(), AppError> {
    super::respond(async move {
        let db = super::db()?;
        let user_id = server::create_first_admin(&db, &username, &password, &confirm).await?;
        server::start_session(&db, user_id).await?;
        leptos_axum::redirect("/");
        Ok(())
    })
    .await
}

#[server(endpoint = "login")]
pub async fn login(username: String, password: String, next: Option<String>) -> Result<(), AppError> {
    super::respond(async move {
        let db = super::db()?;
        let ip = server::client_ip().await;
        let user_id = server::check_credentials(&db, &username, &password, &ip).await?;
        server::start_session(&db, user_id).await?;
        leptos_axum::redirect(&server::safe_next(next.as_deref()));
        Ok(())
    })
    .await
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    super::respond(async move {
        let db = super::db()?;
        server::end_session(&db).await?;
        leptos_axum::redirect("/login");
        Ok(())
    })
    .await
}

#[cfg(feature = "ssr")]
pub mod server {
    use crate::auth::client::{client_address, TrustedProxies};
    use crate::auth::session::{expired_cookie, now, session_cookie, SESSION_COOKIE, SESSION_SECONDS};
    use crate::error::AppError;
    use crate::models::normalise_username;
    use crate::secrets::{
        dummy_hash, hash_password, new_token, token_hash, verify_password, MIN_PASSWORD_LENGTH,
    };
    use crate::store::{login_limits, users, Db};
    use leptos::prelude::*;

    /// Sign-in attempts allowed per account at one address, and per address
    /// over all accounts, in a period. There is no limit per account alone:
    /// anyone could then lock a user out by guessing wrong (issue 16 F5).
    pub const MAX_ATTEMPTS_PER_ACCOUNT_AND_ADDRESS: i64 = 5;
    pub const MAX_ATTEMPTS_PER_ADDRESS: i64 = 20;
    /// The first period; after one that went over its limit the next is longer.
    pub const LIMIT_PERIOD_SECONDS: i64 = 15 * 60;

    /// Where to go after login: a local path only, never another site.
    pub fn safe_next(next: Option<&str>) -> String {
        match next {
            Some(n) if is_local_path(n) => n.to_string(),
            _ => "/".to_string(),
        }
    }

    /// One `/` not followed by another (`//host` is another site), no
    /// backslash (browsers read `/\host` the same way), and no control
    /// character: browsers drop tabs and newlines (`/\t/host` becomes
    /// `//host`) and a newline cannot go into a `Location` header.
    fn is_local_path(next: &str) -> bool {
        next.starts_with('/')
            && !next.starts_with("//")
            && !next.contains('\\')
            && !next.chars().any(char::is_control)
    }

    pub fn check_new_password(password: &str, confirm: &str) -> Result<(), AppError> {
        if password.chars().count() < MIN_PASSWORD_LENGTH {
            return Err(AppError::invalid(
                "password",
                format!("Use at least {MIN_PASSWORD_LENGTH} characters."),
            ));
        }
        if password != confirm {
            return Err(AppError::invalid("confirm", "The two passwords differ."));
        }
        Ok(())
    }

    pub async fn create_first_admin(
        db: &Db,
        username: &str,
        password: &str,
        confirm: &str,
    ) -> Result<i64, AppError> {
        let username = normalise_username(username).map_err(AppError::from)?;
        check_new_password(password, confirm)?;
        users::create_first_admin(db, &username, &hash_password(password), now())
            .await?
            .ok_or_else(|| AppError::Conflict("Setup is already done: sign in instead.".into()))
    }

    /// The user id for valid credentials; refuses with a clear message after
    /// too many attempts for the account from this address, or from the
    /// address. Each attempt is counted before the password is checked, in
    /// one statement per key, so parallel guesses cannot outrun the count.
    pub async fn check_credentials(
        db: &Db,
        username: &str,
        password: &str,
        ip: &str,
    ) -> Result<i64, AppError> {
        let now = now();
        let period = LIMIT_PERIOD_SECONDS;
        let address_key = format!("address:{ip}");
        let address = login_limits::take(db, &address_key, now, MAX_ATTEMPTS_PER_ADDRESS, period).await?;
        if address.attempts > MAX_ATTEMPTS_PER_ADDRESS {
            return Err(AppError::TooManyAttempts((address.period_end - now).div_euclid(60) + 1));
        }
        // A name no account can have is wrong without a per-account count,
        // so junk names cannot fill the limits table.
        let Ok(username) = crate::models::normalise_username(username) else {
            let _ = verify_password(password, dummy_hash());
            return Err(AppError::invalid("password", "Wrong username or password."));
        };
        let pair_key = format!("pair:{username}|{ip}");
        let pair =
            login_limits::take(db, &pair_key, now, MAX_ATTEMPTS_PER_ACCOUNT_AND_ADDRESS, period).await?;
        if pair.attempts > MAX_ATTEMPTS_PER_ACCOUNT_AND_ADDRESS {
            return Err(AppError::TooManyAttempts((pair.period_end - now).div_euclid(60) + 1));
        }
        let record = users::find_by_username(db, &username).await?;
        let valid = match &record {
            Some(r) if !r.info.disabled => verify_password(password, &r.password_hash),
            _ => {
                // Spend the same time whether or not the account exists.
                let _ = verify_password(password, dummy_hash());
                false
            }
        };
        match record {
            Some(r) if valid => {
                login_limits::clear(db, &pair_key).await?;
                login_limits::give_back(db, &address_key).await?;
                Ok(r.info.id)
            }
            _ => {
                login_limits::prune(db, now).await?;
                Err(AppError::invalid("password", "Wrong username or password."))
            }
        }
    }

    /// Creates a session and sets its cookie on the response.
    pub async fn start_session(db: &Db, user_id: i64) -> Result<(), AppError> {
        let token = new_token("s_");
        users::insert_session(db, &token_hash(&token), user_id, now(), now() + SESSION_SECONDS).await?;
        set_cookie(&session_cookie(&token, secure_cookies()));
        Ok(())
    }

    pub async fn end_session(db: &Db) -> Result<(), AppError> {
        if let Some(parts) = use_context::<http::request::Parts>() {
            for header in parts.headers.get_all(http::header::COOKIE).iter().filter_map(|v| v.to_str().ok()) {
                if let Some(token) = crate::auth::session::cookie_value(header, SESSION_COOKIE) {
                    users::delete_session(db, &token_hash(token)).await?;
                }
            }
        }
        set_cookie(&expired_cookie());
        Ok(())
    }

    fn set_cookie(value: &str) {
        if let (Some(response), Ok(value)) =
            (use_context::<leptos_axum::ResponseOptions>(), http::HeaderValue::from_str(value))
        {
            response.append_header(http::header::SET_COOKIE, value);
        }
    }

    /// `AFTERCARE_SECURE_COOKIES=1` when served over TLS.
    fn secure_cookies() -> bool {
        std::env::var("AFTERCARE_SECURE_COOKIES").is_ok_and(|v| v == "1" || v == "true")
    }

    /// The client's address, for sign-in limits: the peer, or what a trusted
    /// proxy says in `X-Forwarded-For` (see `auth::client`).
    pub async fn client_ip() -> String {
        use axum::extract::ConnectInfo;
        let Ok(ConnectInfo(peer)) = leptos_axum::extract::<ConnectInfo<std::net::SocketAddr>>().await else {
            return "unknown".to_string();
        };
        let proxies = use_context::<TrustedProxies>().unwrap_or_default();
        let parts = use_context::<http::request::Parts>();
        let forwarded = parts
            .iter()
            .flat_map(|p| p.headers.get_all("x-forwarded-for").iter())
            .filter_map(|v| v.to_str().ok());
        limit_key(client_address(peer.ip(), forwarded, &proxies))
    }

    /// The address a sign-in limit is kept for: an IPv4 address, or the /64
    /// network of an IPv6 one (one subscriber usually holds a whole /64).
    fn limit_key(ip: std::net::IpAddr) -> String {
        match ip {
            std::net::IpAddr::V4(v4) => v4.to_string(),
            std::net::IpAddr::V6(v6) => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn next_is_a_local_path_only() {
            assert_eq!(safe_next(Some("/?month=2025-03")), "/?month=2025-03");
            assert_eq!(safe_next(Some("//evil.example")), "/");
            assert_eq!(safe_next(Some("https://evil.example")), "/");
            assert_eq!(safe_next(None), "/");
        }

        #[test]
        fn next_with_a_second_slash_backslash_or_control_character_goes_home() {
            for hostile in [
                "/\t/evil.example",
                "/\n/evil.example",
                "/charts\r\nSet-Cookie: x=1",
                "//evil",
                "/\\evil",
                "/\u{7f}/evil",
                "/\u{85}/evil",
                "",
                "charts",
            ] {
                assert_eq!(safe_next(Some(hostile)), "/", "{hostile:?}");
            }
        }

        #[test]
        fn next_keeps_an_ordinary_path_with_its_query() {
            assert_eq!(safe_next(Some("/charts?x=1")), "/charts?x=1");
            assert_eq!(safe_next(Some("/")), "/");
        }

        #[test]
        fn new_passwords_need_length_and_a_matching_confirmation() {
            assert!(check_new_password("short", "short").is_err());
            assert!(check_new_password("long enough pw", "long enough pX").is_err());
            assert!(check_new_password("long enough pw", "long enough pw").is_ok());
        }
    }
}
