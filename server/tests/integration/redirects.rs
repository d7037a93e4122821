//! Issue 16 F2 and F3: the `next` of the login form never leaves the site,
//! whatever browsers would make of it, and never breaks the login.

use super::app::TestApp;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, LOCATION};

/// Signs in through the form with `next`; returns where the browser is sent.
async fn location_after_login(app: &TestApp, next: &str) -> String {
    let mut html = HeaderMap::new();
    html.insert(ACCEPT, HeaderValue::from_static("text/html"));
    let form = [("username", "viewer"), ("password", super::app::PASSWORD), ("next", next)];
    let response = app.post_with("/api/login", None, &form, html).await;
    assert!(response.status().is_redirection(), "{next:?}: {}", response.status());
    response.headers()[LOCATION].to_str().unwrap().to_string()
}

#[tokio::test]
async fn login_sends_hostile_next_values_home_and_keeps_local_paths() {
    let app = TestApp::spawn().await;
    app.add_user("viewer", "viewer").await;
    for hostile in [
        "/\t/evil.example",
        "/\n/evil.example",
        "/charts\r\nSet-Cookie: x=1",
        "//evil.example",
        "/\\evil.example",
    ] {
        assert_eq!(location_after_login(&app, hostile).await, "/", "{hostile:?}");
    }
    assert_eq!(location_after_login(&app, "/charts?x=1").await, "/charts?x=1");
}
