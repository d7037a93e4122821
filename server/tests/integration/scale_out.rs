//! Several app servers behind a load balancer, one Postgres: each server
//! keeps rollup reads only for the data version stored in the database, so
//! an import through one server is in the next answer of every other.

use super::app::TestApp;
use super::ingest::ticket;
use super::support::{open, postgres_url, sqlite_url, with_demo};
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

/// What five dashboards answer: ticket counts by month (cube rows), the
/// FRT median by channel and category over a range of days, weeks and
/// months (cube rows with sketches), tickets by the same (cube rows summed),
/// tickets by agent and month (the dimension rollup), and by priority and
/// channel (its running totals).
async fn answers(db: &app::store::Db) -> serde_json::Value {
    use app::api::matrix::{self, MatrixQuery};
    use app::api::query::RangeParams;
    use app::api::series::{self, SeriesQuery};
    let range = |from: &str, to: &str, grain: &str| RangeParams {
        from: Some(from.into()),
        to: Some(to.into()),
        grain: Some(grain.into()),
        ..RangeParams::default()
    };
    let series = SeriesQuery { kpi: "tickets".into(), range: range("2025-07-01", "2025-10-31", "month") };
    let medians = MatrixQuery {
        kpi: Some("frt_median_h".into()),
        range: range("2025-07-10", "2025-10-20", ""),
        ..MatrixQuery::default()
    };
    let agents = MatrixQuery {
        kpi: Some("tickets".into()),
        rows: Some("agent".into()),
        cols: Some("month".into()),
        range: range("2025-07-01", "2025-10-31", ""),
        ..MatrixQuery::default()
    };
    // Without quantiles: the cube's rows and the running totals, summed by the database.
    let tickets = MatrixQuery { kpi: Some("tickets".into()), ..medians.clone() };
    let priorities = MatrixQuery {
        kpi: Some("tickets".into()),
        rows: Some("priority".into()),
        cols: Some("channel".into()),
        ..agents.clone()
    };
    serde_json::json!({
        "series": series::load(db, &series).await.unwrap(),
        "tickets": matrix::load(db, &tickets).await.unwrap(),
        "priorities": matrix::load(db, &priorities).await.unwrap(),
        "medians": matrix::load(db, &medians).await.unwrap(),
        "agents": matrix::load(db, &agents).await.unwrap(),
    })
}

/// Two handles on one database stand for two servers: what the first keeps
/// in memory follows the tickets imported through the second, on both
/// backends, and equals what a third handle that kept nothing answers.
#[tokio::test]
async fn reads_kept_in_memory_follow_changes_made_through_another_server() {
    for url in [sqlite_url(), postgres_url().await] {
        let reader = with_demo(open(&url).await).await;
        let writer = open(&url).await;
        let before = answers(&reader).await;
        assert_eq!(before, answers(&reader).await, "{url}: asked again");

        // Two on an old day (July), one inside the median matrix's ragged end.
        let late = [
            ticket("CACHE-1", "2025-07-15", Some(96), Some(2)),
            ticket("CACHE-2", "2025-07-12", Some(96), Some(2)),
            ticket("CACHE-3", "2025-10-18", Some(96), Some(2)),
        ];
        app::store::ingest::tickets(&writer, &late).await.unwrap();

        let after = answers(&reader).await;
        assert_ne!(after, before, "{url}: the change is seen");
        assert_eq!(after, answers(&open(&url).await).await, "{url}: as a server that kept nothing answers");
    }
}
