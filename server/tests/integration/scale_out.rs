//! Several app servers behind a load balancer, one Postgres: nothing is
//! cached in a server's process, so an import through one server is in the
//! next answer of every other.

use super::app::TestApp;
use super::support::{open, postgres_url, with_demo};
use app::models::TokenScope;
use reqwest::header::AUTHORIZATION;
use std::time::{Duration, Instant};

const PATH: &str = "/api/v1/kpis/tickets/series?from=2025-10-01&to=2025-10-31&grain=month";

async fn october_tickets(app: &TestApp, token: &str) -> i64 {
    let response = reqwest::Client::new()
        .get(format!("{}{PATH}", app.base))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    body["points"][0]["value"].as_f64().map_or(0, |v| v as i64)
}

#[tokio::test]
async fn an_import_through_one_server_is_seen_through_another_within_a_second() {
    let url = postgres_url().await;
    let first = TestApp::spawn_with(with_demo(open(&url).await).await).await;
    let second = TestApp::spawn_with(open(&url).await).await;
    let ingest = app::store::tokens::create(&first.db, "test", "nightly", TokenScope::Ingest).await.unwrap();
    let read = app::store::tokens::create(&first.db, "test", "reader", TokenScope::Read).await.unwrap();
    let before = october_tickets(&second, &read).await;
    assert!(before > 0);
    assert_eq!(before, october_tickets(&first, &read).await);

    let mut file = String::from("external_id,created_at,channel,category,team\n");
    for i in 0..25 {
        file.push_str(&format!("SCALE-{i},2025-10-{:02}T10:00:00Z,chat,billing,Tier 1\n", 1 + i % 28));
    }
    let imported = reqwest::Client::new()
        .post(format!("{}/api/v1/import/tickets", first.base))
        .header(AUTHORIZATION, format!("Bearer {ingest}"))
        .body(file)
        .send()
        .await
        .unwrap();
    assert_eq!(imported.status(), 200);

    let committed = Instant::now();
    let mut seen = october_tickets(&second, &read).await;
    while seen != before + 25 && committed.elapsed() < Duration::from_secs(1) {
        tokio::time::sleep(Duration::from_millis(50)).await;
        seen = october_tickets(&second, &read).await;
    }
    assert_eq!(seen, before + 25, "the second server still answers {seen} after {:?}", committed.elapsed());
}
