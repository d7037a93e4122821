//! The real app on port 0 with a fresh SQLite database, and a small client
//! that signs in like a browser form does.

use super::support::{sqlite, with_demo};
use app::store::Db;
use leptos::prelude::LeptosOptions;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, COOKIE, SET_COOKIE};
use std::net::SocketAddr;

pub const PASSWORD: &str = "a long enough password";

pub struct TestApp {
    pub base: String,
    pub db: Db,
    client: reqwest::Client,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(sqlite().await).await
    }

    pub async fn spawn_with_demo() -> TestApp {
        Self::spawn_with(with_demo(sqlite().await).await).await
    }

    /// The app on a database of the caller's (e.g. Postgres).
    pub async fn spawn_with(db: Db) -> TestApp {
        Self::start(db, false).await
    }

    /// The app as served over TLS (`AFTERCARE_SECURE_COOKIES=1`).
    pub async fn spawn_secure() -> TestApp {
        Self::start(sqlite().await, true).await
    }

    /// The app behind a reverse proxy on 127.0.0.1 (`AFTERCARE_TRUSTED_PROXIES`):
    /// a test names the client in `X-Forwarded-For`.
    pub async fn spawn_behind_proxy(db: Db) -> TestApp {
        let proxies = app::auth::client::TrustedProxies::parse("127.0.0.1").unwrap();
        Self::start_with(db, false, proxies).await
    }

    async fn start(db: Db, secure_cookies: bool) -> TestApp {
        Self::start_with(db, secure_cookies, Default::default()).await
    }

    async fn start_with(db: Db, secure_cookies: bool, proxies: app::auth::client::TrustedProxies) -> TestApp {
        let options = LeptosOptions::builder()
            .output_name("aftercare")
            .site_root("target/site")
            .site_pkg_dir("pkg")
            .build();
        let app = server::http::router_behind(db.clone(), options, secure_cookies, proxies);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await.unwrap()
        });
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        TestApp { base: format!("http://{addr}"), db, client }
    }

    /// Creates an account directly in the store.
    pub async fn add_user(&self, username: &str, role: &str) {
        app::api::users::server::create(&self.db, "test", username, role, PASSWORD).await.unwrap();
    }

    /// Signs in through the login form as a browser without JavaScript does
    /// (and is redirected); returns the `Cookie` header value.
    pub async fn login(&self, username: &str) -> String {
        let mut html = HeaderMap::new();
        html.insert(ACCEPT, HeaderValue::from_static("text/html"));
        let form = [("username", username), ("password", PASSWORD), ("next", "/")];
        let response = self.post_with("/api/login", None, &form, html).await;
        assert!(response.status().is_redirection(), "login of {username}: {}", response.status());
        session_cookie(response.headers()).expect("a session cookie")
    }

    /// Signs in as the app's own client does: errors keep their status.
    pub async fn login_with(&self, username: &str, password: &str) -> reqwest::Response {
        self.post("/api/login", None, &[("username", username), ("password", password), ("next", "/")]).await
    }

    /// A user of `role` named after it, signed in.
    pub async fn signed_in(&self, role: &str) -> String {
        self.add_user(role, role).await;
        self.login(role).await
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> reqwest::Response {
        let mut request = self.client.get(format!("{}{path}", self.base));
        if let Some(c) = cookie {
            request = request.header(COOKIE, c);
        }
        request.send().await.unwrap()
    }

    /// A form POST, as a browser without JavaScript sends to a server function.
    pub async fn post(&self, path: &str, cookie: Option<&str>, form: &[(&str, &str)]) -> reqwest::Response {
        self.post_with(path, cookie, form, HeaderMap::new()).await
    }

    pub async fn post_with(
        &self,
        path: &str,
        cookie: Option<&str>,
        form: &[(&str, &str)],
        headers: HeaderMap,
    ) -> reqwest::Response {
        let mut request = self.client.post(format!("{}{path}", self.base)).headers(headers).form(form);
        if let Some(c) = cookie {
            request = request.header(COOKIE, c);
        }
        request.send().await.unwrap()
    }

    pub async fn count(&self, sql: &str) -> i64 {
        use sqlx::Row;
        sqlx::query(sql).fetch_one(&self.db.pool).await.unwrap().try_get(0).unwrap()
    }
}

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("aftercare_session=") && !v.starts_with("aftercare_session=;"))
        .map(|v| v.split(';').next().unwrap().to_string())
}
