//! The real app on port 0: complete server-rendered pages, the health route,
//! compression, security headers and the 404 status.

use super::support::{sqlite, with_demo};
use leptos::prelude::LeptosOptions;

async fn spawn_app() -> String {
    let db = with_demo(sqlite().await).await;
    let options = LeptosOptions::builder()
        .output_name("aftercare")
        .site_root("target/site")
        .site_pkg_dir("pkg")
        .build();
    let app = server::http::router(db, options);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test]
async fn the_overview_html_holds_the_numbers_and_charts_before_any_javascript() {
    let base = spawn_app().await;
    let response = reqwest::get(format!("{base}/?month=2025-09")).await.unwrap();
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    let body_end = html.find("</html>").expect("a whole document");
    let tiles = html.matches("class=\"tile\"").count();
    assert_eq!(tiles, 10, "ten KPI tiles");
    assert!(html[..body_end].contains("September 2025"));
    assert!(html[..body_end].matches("<polyline").count() >= 10, "sparklines are in the HTML itself");
}

#[tokio::test]
async fn health_names_the_backend_and_headers_are_safe() {
    let base = spawn_app().await;
    let response = reqwest::get(format!("{base}/api/v1/health")).await.unwrap();
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
    let base = spawn_app().await;
    let response = reqwest::Client::new()
        .get(format!("{base}/"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-encoding"], "gzip");
}

#[tokio::test]
async fn an_unknown_page_is_a_404_with_a_way_back() {
    let base = spawn_app().await;
    let response = reqwest::get(format!("{base}/no/such/page")).await.unwrap();
    assert_eq!(response.status(), 404);
    assert!(response.text().await.unwrap().contains("Go to the overview"));
}

#[tokio::test]
async fn a_malformed_month_is_a_400_that_says_how_to_write_it() {
    let base = spawn_app().await;
    let response = reqwest::get(format!("{base}/?month=2025-13")).await.unwrap();
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("write it like 2025-03"));
}
