//! Issue 16 F13: nothing behind a session or token is cached, static files
//! keep their caching, and HTTPS is remembered when cookies are secure.

use super::app::TestApp;
use app::models::TokenScope;
use reqwest::header::AUTHORIZATION;

#[tokio::test]
async fn private_answers_are_never_stored_and_static_files_keep_their_caching() {
    let app = TestApp::spawn_with_demo().await;
    let cookie = app.signed_in("admin").await;
    let token = app::store::tokens::create(&app.db, "test", "reader", TokenScope::Read).await.unwrap();
    for path in ["/", "/charts", "/login", "/exports/review.csv", "/exports/audit.csv", "/api/v1/matrix"] {
        let response = app.get(path, Some(&cookie)).await;
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
    }
    let api = reqwest::Client::new()
        .get(format!("{}/api/v1/kpis", app.base))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(api.headers()["cache-control"], "no-store");
    let server_function = app.post("/api/get_me", Some(&cookie), &[]).await;
    assert_eq!(server_function.headers()["cache-control"], "no-store");
    assert!(app.get("/api/v1/health", None).await.headers().get("cache-control").is_none());
    assert_eq!(app.get("/pkg/aftercare.js", None).await.headers()["cache-control"], "no-cache");
}

#[tokio::test]
async fn strict_transport_security_is_sent_only_when_cookies_are_secure() {
    let plain = TestApp::spawn().await;
    assert!(plain.get("/login", None).await.headers().get("strict-transport-security").is_none());
    let tls = TestApp::spawn_secure().await;
    assert_eq!(tls.get("/login", None).await.headers()["strict-transport-security"], "max-age=31536000");
}
