//! The real app on port 0: complete server-rendered pages, the health route,
//! compression, security headers and the 404 status.

use super::app::TestApp;

#[tokio::test]
async fn the_overview_html_holds_the_numbers_and_charts_before_any_javascript() {
    let app = TestApp::spawn_with_demo().await;
    let cookie = app.signed_in("viewer").await;
    let response = app.get("/?month=2025-09", Some(&cookie)).await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    let body_end = html.find("</html>").expect("a whole document");
    let tiles = html.matches("class=\"tile\"").count();
    assert_eq!(tiles, 10, "ten KPI tiles");
    assert!(html[..body_end].contains("September 2025"));
    assert!(html[..body_end].matches("<polyline").count() >= 10, "sparklines are in the HTML itself");
}

#[tokio::test]
async fn pages_allow_only_their_own_nonced_inline_scripts() {
    let app = TestApp::spawn().await;
    let response = app.get("/setup", None).await;
    let policy = response.headers()["content-security-policy"].to_str().unwrap().to_string();
    let html = response.text().await.unwrap();
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy");
    let script_src = policy.split(';').find(|d| d.trim().starts_with("script-src")).unwrap();
    assert!(!script_src.contains("unsafe-inline"), "{script_src}");
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "the hydration script carries the nonce");
}

#[tokio::test]
async fn health_names_the_backend_and_headers_are_safe() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/v1/health", None).await;
    let headers = response.headers().clone();
    assert_eq!(
        response.json::<serde_json::Value>().await.unwrap(),
        serde_json::json!({"status": "ok", "database": "sqlite"})
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
}

#[tokio::test]
async fn pages_are_compressed_for_browsers_that_accept_it() {
    let app = TestApp::spawn().await;
    let response = reqwest::Client::new()
        .get(format!("{}/setup", app.base))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-encoding"], "gzip");
}

#[tokio::test]
async fn an_unknown_page_is_a_404_with_a_way_back() {
    let app = TestApp::spawn().await;
    let cookie = app.signed_in("viewer").await;
    let response = app.get("/no/such/page", Some(&cookie)).await;
    assert_eq!(response.status(), 404);
    assert!(response.text().await.unwrap().contains("Go to the overview"));
}

#[tokio::test]
async fn a_malformed_month_is_a_400_that_says_how_to_write_it() {
    let app = TestApp::spawn_with_demo().await;
    let cookie = app.signed_in("viewer").await;
    let response = app.get("/?month=2025-13", Some(&cookie)).await;
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("write it like 2025-03"));
}

#[tokio::test]
async fn oversized_request_bodies_are_refused() {
    let app = TestApp::spawn().await;
    let huge = "x".repeat(2 * 1024 * 1024);
    let response = app.post("/api/login", None, &[("username", huge.as_str()), ("password", "p")]).await;
    assert_eq!(response.status(), 413);
}

#[tokio::test]
async fn the_chart_gallery_draws_every_chart_type_from_the_data() {
    let app = TestApp::spawn_with_demo().await;
    assert_eq!(app.post("/api/chart_gallery", None, &[]).await.status(), 401);
    let cookie = app.signed_in("viewer").await;
    let charts: Vec<app::charts::Chart> =
        app.post("/api/chart_gallery", Some(&cookie), &[]).await.json().await.unwrap();
    assert_eq!(charts.len(), 4);
    for chart in &charts {
        assert!(chart.svg.starts_with("<svg"), "{}", chart.title);
        assert!(!chart.points.is_empty(), "{}", chart.title);
        assert!(!chart.table.rows.is_empty(), "{}", chart.title);
    }
    assert_eq!(charts[0].title, "CSAT by channel");
    assert!(charts[0].legend.len() >= 2, "all channels and each channel");
}
