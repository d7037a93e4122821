//! The REST ingest routes: scopes, JSON and NDJSON, a refused batch that
//! names its bad record and changes nothing, and idempotent re-posts.

use super::app::TestApp;
use app::models::TokenScope;
use reqwest::header::AUTHORIZATION;

const TWO_TICKETS: &str = r#"[
  {"external_id":"Z-1","created_at":"2025-03-14T09:30:00Z","resolved_at":"2025-03-14T11:30:00Z","channel":"chat","category":"billing","team":"Tier 1","csat":5},
  {"external_id":"Z-2","created_at":1741944600,"channel":"email","category":"delivery","team":"Tier 1"}
]"#;

async fn post(app: &TestApp, path: &str, token: Option<&str>, body: &str) -> (u16, serde_json::Value) {
    let mut request =
        reqwest::Client::new().post(format!("{}/api/v1{path}", app.base)).body(body.to_string());
    if let Some(t) = token {
        request = request.header(AUTHORIZATION, format!("Bearer {t}"));
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or_default())
}

#[tokio::test]
async fn a_script_pushes_tickets_with_an_ingest_token_and_reposts_change_nothing() {
    let app = TestApp::spawn().await;
    let ingest = app::store::tokens::create(&app.db, "test", "hourly", TokenScope::Ingest).await.unwrap();
    let read = app::store::tokens::create(&app.db, "test", "reader", TokenScope::Read).await.unwrap();
    assert_eq!(post(&app, "/tickets", None, TWO_TICKETS).await.0, 401);
    assert_eq!(post(&app, "/tickets", Some(&read), TWO_TICKETS).await.0, 403);

    let (status, body) = post(&app, "/tickets", Some(&ingest), TWO_TICKETS).await;
    assert_eq!((status, body), (200, serde_json::json!({"inserted": 2, "updated": 0, "unchanged": 0})));
    let (_, again) = post(&app, "/tickets", Some(&ingest), TWO_TICKETS).await;
    assert_eq!(again, serde_json::json!({"inserted": 0, "updated": 0, "unchanged": 2}));
    assert_eq!(app.count("SELECT COUNT(*) FROM tickets").await, 2);
    assert_eq!(app.count("SELECT CAST(SUM(tickets) AS BIGINT) FROM daily_rollup").await, 2);
}

#[tokio::test]
async fn ndjson_orders_are_accepted() {
    let app = TestApp::spawn().await;
    let token = app::store::tokens::create(&app.db, "test", "shop", TokenScope::Ingest).await.unwrap();
    let body = "{\"external_id\":\"O-1\",\"customer_id\":\"C-1\",\"placed_at\":\"2025-03-01T10:00:00Z\",\"amount\":42.5,\"currency\":\"USD\"}\n\
                {\"external_id\":\"O-2\",\"customer_id\":\"C-1\",\"placed_at\":1741000000,\"amount\":10,\"currency\":\"USD\"}\n";
    let (status, body) = post(&app, "/orders", Some(&token), body).await;
    assert_eq!((status, body["inserted"].as_i64()), (200, Some(2)));
}

#[tokio::test]
async fn a_bad_record_refuses_the_whole_batch_and_names_record_and_field() {
    let app = TestApp::spawn().await;
    let token = app::store::tokens::create(&app.db, "test", "hourly", TokenScope::Ingest).await.unwrap();
    let bad = TWO_TICKETS.replace("\"team\":\"Tier 1\"}\n]", "\"team\":\"Tier 1\",\"nps\":12}\n]");
    let (status, body) = post(&app, "/tickets", Some(&token), &bad).await;
    assert_eq!(status, 422);
    assert_eq!((body["record"].as_i64(), body["field"].as_str()), (Some(2), Some("nps")));
    assert_eq!(app.count("SELECT COUNT(*) FROM tickets").await, 0);

    let (status, body) = post(&app, "/tickets", Some(&token), "{\"external_id\":1").await;
    assert_eq!(status, 422);
    assert!(body["error"].as_str().unwrap().contains("record 1"));
}

async fn get(app: &TestApp, path: &str, token: Option<&str>) -> (u16, serde_json::Value) {
    let mut request = reqwest::Client::new().get(format!("{}/api/v1{path}", app.base));
    if let Some(t) = token {
        request = request.header(AUTHORIZATION, format!("Bearer {t}"));
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or_default())
}

#[tokio::test]
async fn a_kpi_series_matches_the_store_and_names_its_sample_size() {
    let app = TestApp::spawn_with_demo().await;
    let read = app::store::tokens::create(&app.db, "test", "reader", TokenScope::Read).await.unwrap();
    let path = "/kpis/csat/series?from=2025-08-01&to=2025-10-31&grain=month&channel=chat";
    assert_eq!(get(&app, path, None).await.0, 401);
    let (status, body) = get(&app, path, Some(&read)).await;
    assert_eq!(status, 200);
    assert_eq!((body["kpi"].as_str(), body["grain"].as_str()), (Some("csat"), Some("month")));
    let points = body["points"].as_array().unwrap();
    assert_eq!(
        points.iter().map(|p| p["period"].as_str().unwrap()).collect::<Vec<_>>(),
        ["2025-08", "2025-09", "2025-10"]
    );

    let query = app::store::KpiQuery {
        kpis: vec![app::kpi::Kpi::Csat],
        first: app::kpi::Period::parse("2025-08").unwrap(),
        last: app::kpi::Period::parse("2025-10").unwrap(),
        filters: app::models::Filters { channel: Some("chat".into()), ..Default::default() },
        group_by: vec![],
    };
    let table = app::store::kpi_values::load(&app.db, &query).await.unwrap();
    for (point, period) in points.iter().zip(&table.periods) {
        let inputs = table.inputs(&[], period).unwrap();
        assert_eq!(
            point["value"].as_f64(),
            app::kpi::compute(app::kpi::Kpi::Csat, inputs, &Default::default())
        );
        assert_eq!(point["n"].as_i64(), Some(inputs.tickets.csat_n));
    }
}

#[tokio::test]
async fn series_requests_with_bad_parameters_say_what_to_fix() {
    let app = TestApp::spawn().await;
    let read = app::store::tokens::create(&app.db, "test", "reader", TokenScope::Read).await.unwrap();
    let (status, body) = get(&app, "/kpis/happiness/series", Some(&read)).await;
    assert_eq!(status, 404);
    assert!(body["error"].as_str().unwrap().contains("no KPI 'happiness'"));
    assert_eq!(get(&app, "/kpis/csat/series?grain=year", Some(&read)).await.0, 422);
    assert_eq!(get(&app, "/kpis/csat/series?from=2025-05-01&to=2025-01-01", Some(&read)).await.0, 422);
    assert_eq!(
        get(&app, "/kpis/csat/series?from=2020-01-01&to=2025-01-01&grain=day", Some(&read)).await.0,
        422
    );
    let (status, body) = get(&app, "/kpis/csat/series?to=2025-03-31", Some(&read)).await;
    assert_eq!(status, 200);
    assert_eq!(body["points"].as_array().unwrap().len(), 12);
    assert!(body["points"][0]["value"].is_null(), "no data is null, never 0");
}

#[tokio::test]
async fn a_matrix_has_cells_and_true_totals_that_match_the_raw_tickets() {
    let app = TestApp::spawn_with_demo().await;
    let read = app::store::tokens::create(&app.db, "test", "reader", TokenScope::Read).await.unwrap();
    let path = "/matrix?kpi=tickets&rows=category&cols=channel&from=2025-09-01&to=2025-09-30";
    assert_eq!(get(&app, path, None).await.0, 401);
    let (status, body) = get(&app, path, Some(&read)).await;
    assert_eq!(status, 200, "{body}");
    let (from, to) = (1_756_684_800i64, 1_759_276_800i64); // 2025-09-01 and 2025-10-01, UTC
    let raw = |sql: String| {
        let db = app.db.clone();
        async move {
            use sqlx::Row;
            sqlx::query(&sql)
                .bind(from)
                .bind(to)
                .fetch_one(&db.pool)
                .await
                .unwrap()
                .try_get::<i64, _>(0)
                .unwrap()
        }
    };
    let total = raw("SELECT COUNT(*) FROM tickets WHERE created_at >= $1 AND created_at < $2".into()).await;
    assert_eq!(body["total"]["value"].as_f64(), Some(total as f64));
    for cell in body["cells"].as_array().unwrap() {
        let (row, col) = (cell["row"].as_str().unwrap(), cell["col"].as_str().unwrap());
        let sql = format!(
            "SELECT COUNT(*) FROM tickets WHERE created_at >= $1 AND created_at < $2 \
             AND category = '{}' AND channel = '{}'",
            row.replace('\'', "''"),
            col.replace('\'', "''")
        );
        assert_eq!(cell["value"].as_f64(), Some(raw(sql).await as f64), "{row} × {col}");
    }
    let row_sum: f64 =
        body["row_totals"].as_array().unwrap().iter().map(|r| r["value"].as_f64().unwrap()).sum();
    assert_eq!(row_sum, total as f64);
    assert_eq!(body["rows"].as_array().unwrap().len(), body["row_totals"].as_array().unwrap().len());

    let (status, csat) = get(&app, "/matrix?from=2025-09-01&to=2025-09-30", Some(&read)).await;
    assert_eq!((status, csat["kpi"].as_str()), (200, Some("csat")));
    let n: i64 = csat["cells"].as_array().unwrap().iter().map(|c| c["n"].as_i64().unwrap()).sum();
    assert_eq!(n, csat["total"]["n"].as_i64().unwrap(), "every rating counts in exactly one cell");

    assert_eq!(get(&app, "/matrix?kpi=cac", Some(&read)).await.0, 422);
    assert_eq!(get(&app, "/matrix?kpi=joy", Some(&read)).await.0, 404);
    assert_eq!(get(&app, "/matrix?rows=channel&cols=channel", Some(&read)).await.0, 422);
}

#[tokio::test]
async fn huge_amounts_and_overlong_text_are_refused_naming_record_and_field() {
    let app = TestApp::spawn().await;
    let token = app::store::tokens::create(&app.db, "test", "pusher", TokenScope::Ingest).await.unwrap();
    let order = r#"{"external_id":"O-1","customer_id":"C-1","placed_at":"2025-03-01T10:00:00Z","amount":1e308,"currency":"USD"}"#;
    let (status, body) = post(&app, "/orders", Some(&token), order).await;
    assert_eq!((status, body["field"].as_str()), (422, Some("amount")), "{body}");

    let long = "x".repeat(10_000);
    let ticket = format!(
        r#"{{"external_id":"T-1","created_at":"2025-03-01T10:00:00Z","channel":"chat","category":"{long}","team":"t","contacts":1}}"#
    );
    let (status, body) = post(&app, "/tickets", Some(&token), &ticket).await;
    assert_eq!((status, body["field"].as_str()), (422, Some("category")), "{body}");
    assert_eq!(app.count("SELECT COUNT(*) FROM tickets").await, 0);
}
