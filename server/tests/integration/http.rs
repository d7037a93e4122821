//! The real app on port 0: complete server-rendered pages, the health route,
//! compression, security headers and the 404 status.

use super::app::TestApp;
use app::charts::ChartSpec;

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
    for month in ["2025-13", "1800-01", "9999-12"] {
        let response = app.get(&format!("/?month={month}"), Some(&cookie)).await;
        assert_eq!(response.status(), 400, "{month}");
        let text = response.text().await.unwrap();
        assert!(text.contains("from 1990-01 to 2100-12; write it like 2025-03"), "{month}: {text}");
    }
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
    let kinds: Vec<&str> = charts
        .iter()
        .map(|c| match c.spec {
            ChartSpec::Line(_) => "line",
            ChartSpec::Bar(_) => "bar",
            ChartSpec::Groups(ref g) if g.stacked => "stacked",
            ChartSpec::Groups(_) => "grouped",
            ChartSpec::Heatmap(_) => "heatmap",
            ChartSpec::Scatter(_) => "scatter",
            ChartSpec::Waterfall(_) => "waterfall",
        })
        .collect();
    assert_eq!(kinds, ["line", "bar", "stacked", "grouped", "heatmap", "scatter"]);
    for chart in &charts {
        assert!(chart.svg.starts_with("<svg"), "{}", chart.title);
        assert!(!chart.points.is_empty(), "{}", chart.title);
        assert!(!chart.table.rows.is_empty(), "{}", chart.title);
        assert_eq!(&chart.spec.render(), chart, "the spec redraws the same chart: {}", chart.title);
    }
    assert_eq!(charts[0].title, "CSAT by channel");
    assert!(charts[0].legend.len() >= 2, "all channels and each channel");
    let labels: Vec<&str> = charts[0].points.iter().map(|p| p.label.as_str()).collect();
    assert!(labels.iter().any(|l| l.starts_with("Target: ")), "{labels:?}");
    assert!(labels.iter().any(|l| l.contains(" p50 (2018): ")), "benchmark lines: {labels:?}");
    assert_eq!(labels.iter().filter(|l| l.starts_with("Forecast · ")).count(), 3);
}

#[tokio::test]
async fn a_chart_downloads_as_a_png_drawn_on_the_server() {
    let app = TestApp::spawn_with_demo().await;
    let cookie = app.signed_in("viewer").await;
    let charts: Vec<app::charts::Chart> =
        app.post("/api/chart_gallery", Some(&cookie), &[]).await.json().await.unwrap();
    let heatmap = charts.iter().find(|c| matches!(c.spec, ChartSpec::Heatmap(_))).unwrap();
    let spec = serde_json::to_string(&heatmap.spec).unwrap();

    assert_eq!(app.post("/api/v1/charts/png", None, &[("spec", &spec)]).await.status(), 401);
    let response = app.post("/api/v1/charts/png", Some(&cookie), &[("spec", &spec)]).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/png");
    let disposition = response.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(disposition.starts_with("attachment; filename=\"csat-by-category-and-channel-"), "{disposition}");
    let png = response.bytes().await.unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    // IHDR: width and height, big-endian, right after the signature and chunk header.
    let side = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    assert_eq!((side(16), side(20)), (heatmap.width, heatmap.height));

    let refused = app.post("/api/v1/charts/png", Some(&cookie), &[("spec", "{\"kind\":\"pie\"}")]).await;
    assert_eq!(refused.status(), 422);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().starts_with("spec: not a chart"), "{body}");
    // Two values near ±1e308 made the axis infinite, and its drawing never ended.
    let huge = ChartSpec::Line(app::charts::line::LineSpec {
        labels: vec!["Jan".into(), "Feb".into()],
        series: vec![("CSAT".into(), vec![Some(-1e308), Some(1e308)])],
        ..Default::default()
    });
    let huge = serde_json::to_string(&huge).unwrap();
    let form = [("spec", huge.as_str())];
    let answer = app.post("/api/v1/charts/svg", Some(&cookie), &form);
    let refused = tokio::time::timeout(std::time::Duration::from_secs(30), answer).await.expect("an answer");
    assert_eq!(refused.status(), 422);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "spec: -1e308 is beyond the ±1e15 a chart plots", "{body}");

    let svg = app.post("/api/v1/charts/svg", Some(&cookie), &[("spec", &spec)]).await;
    assert_eq!(svg.status(), 200);
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    let text = svg.text().await.unwrap();
    assert!(text.starts_with("<svg") && text.trim_end().ends_with("</svg>"), "{text}");
    assert_eq!(app.post("/api/v1/charts/gif", Some(&cookie), &[("spec", &spec)]).await.status(), 404);
}

#[tokio::test]
async fn the_api_describes_itself_and_the_docs_page_lists_formats_and_routes() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(response.status(), 200);
    let doc: serde_json::Value = response.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.0.3");
    for path in ["/kpis/{key}/series", "/matrix", "/tickets", "/import/{kind}", "/charts/{format}"] {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
    assert_eq!(doc["components"]["schemas"]["orders"]["required"][0], "external_id");

    let cookie = app.signed_in("viewer").await;
    let html = app.get("/docs", Some(&cookie)).await.text().await.unwrap();
    assert!(html.contains("first_response_at") && html.contains("/api/v1/matrix"));
}

#[tokio::test]
async fn the_monthly_review_downloads_as_csv_and_as_an_excel_workbook() {
    let app = TestApp::spawn_with_demo().await;
    let anonymous = app.get("/exports/review.csv?month=2025-09", None).await;
    assert_ne!(anonymous.status(), 200);
    let cookie = app.signed_in("viewer").await;
    let csv = app.get("/exports/review.csv?month=2025-09", Some(&cookie)).await;
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-disposition"].to_str().unwrap().contains("aftercare-review-2025-09.csv"));
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "kpi,name,unit,actual,target,variance,variance_pct,status,previous,change,better");
    let overview = app::api::overview::load(&app.db, Some("2025-09")).await.unwrap().unwrap();
    assert_eq!(lines.len(), 1 + overview.tiles.len());
    let csat = lines.iter().find(|l| l.starts_with("csat,")).unwrap();
    let actual: f64 = csat.split(',').nth(3).unwrap().parse().unwrap();
    assert_eq!(Some(actual), overview.tiles.iter().find(|t| t.key == "csat").unwrap().variance.actual);

    let xlsx = app.get("/exports/review.xlsx?month=2025-09", Some(&cookie)).await;
    assert_eq!(xlsx.status(), 200);
    let bytes = xlsx.bytes().await.unwrap();
    assert_eq!(&bytes[..4], b"PK\x03\x04", "an XLSX file is a zip archive");
    assert!(bytes.windows(19).any(|w| w == b"xl/worksheets/sheet"), "with worksheets");
}

#[tokio::test]
async fn admins_download_the_whole_audit_log() {
    let app = TestApp::spawn().await;
    let viewer = app.signed_in("viewer").await;
    assert_eq!(app.get("/exports/audit.csv", Some(&viewer)).await.status(), 403);
    let admin = app.signed_in("admin").await;
    let response = app.get("/exports/audit.csv", Some(&admin)).await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(text.starts_with("at,actor,action,item,old_value,new_value"));
    assert!(text.lines().count() >= 2, "creating the test users was audited: {text}");
}

#[tokio::test]
async fn health_says_unavailable_when_the_database_does_not_answer() {
    let app = TestApp::spawn().await;
    app.db.pool.close().await;
    let response = app.get("/api/v1/health", None).await;
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["error"], "the database is unavailable");
}

/// Sends `path` as written, without the client's path normalisation.
async fn raw_status(app: &TestApp, method: &str, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = app.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let request = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer.lines().next().unwrap_or_default().to_string()
}

#[tokio::test]
async fn dot_segments_are_refused_before_any_guard_or_route() {
    let app = TestApp::spawn_with_demo().await;
    for path in [
        "/api/../admin/users",
        "/exports/../charts",
        "/api/%2e%2e/admin/audit",
        "/api/%2E%2E/admin/audit",
        "/./charts",
    ] {
        for method in ["GET", "HEAD"] {
            let status = raw_status(&app, method, path).await;
            assert!(status.starts_with("HTTP/1.1 400"), "{method} {path}: {status}");
        }
    }
    assert!(raw_status(&app, "GET", "/api/v1/health").await.starts_with("HTTP/1.1 200"));
}
