//! Issue 16 F1 and F14: far-past and zero dates are refused by every ingest
//! path (REST, file import, command line) and cannot take a page down once
//! stored; query dates stay inside 1990–2100; a panic answers 500. Also the
//! table of hostile text (sizes, control characters) run through the same paths.

use super::app::TestApp;
use super::support::{config, postgres, sqlite};
use app::import::run::{import, ImportError, ImportOptions};
use app::import::{sniff, Kind};
use app::models::{TicketRecord, TokenScope};
use app::store::ingest::{self, IngestError, TicketWriter};
use app::store::Db;
use reqwest::header::AUTHORIZATION;

/// Times no support history holds: each is refused wherever records enter,
/// as JSON (epoch seconds or RFC 3339) and as a CSV cell.
const HOSTILE_TIMES: [(&str, &str); 4] = [
    ("-10000000000000", "-10000000000000"),
    ("-9223372036854775808", "-9223372036854775808"),
    ("\"0001-01-01T00:00:00Z\"", "0001-01-01T00:00:00Z"),
    ("\"1989-12-31T23:59:59Z\"", "1989-12-31T23:59:59Z"),
];

fn ticket_json(id: &str, created_at: &str) -> String {
    format!(
        r#"{{"external_id":"{id}","created_at":{created_at},"channel":"chat","category":"billing","team":"Tier 1"}}"#
    )
}

async fn post_json(app: &TestApp, path: &str, token: &str, body: String) -> (u16, serde_json::Value) {
    let response = reqwest::Client::new()
        .post(format!("{}{path}", app.base))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or_default())
}

#[tokio::test]
async fn the_api_refuses_far_past_times_naming_the_record_and_the_field() {
    let app = TestApp::spawn().await;
    let token = app::store::tokens::create(&app.db, "test", "hourly", TokenScope::Ingest).await.unwrap();
    for (json, _) in HOSTILE_TIMES {
        let body =
            format!("[{},{}]", ticket_json("OK-1", "\"2025-03-14T09:30:00Z\""), ticket_json("BAD", json));
        let (status, answer) = post_json(&app, "/api/v1/tickets", &token, body).await;
        assert_eq!(status, 422, "{json}: {answer}");
        assert_eq!((answer["record"].as_i64(), answer["field"].as_str()), (Some(2), Some("created_at")));
        assert!(answer["error"].as_str().unwrap().contains("before 1990-01-01"), "{answer}");
    }
    let order = r#"{"external_id":"O-1","customer_id":"C-1","placed_at":"0001-01-01T00:00:00Z","amount":1,"currency":"USD"}"#;
    let (status, answer) = post_json(&app, "/api/v1/orders", &token, format!("{order}\n")).await;
    assert_eq!((status, answer["field"].as_str()), (422, Some("placed_at")), "{answer}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM tickets").await + app.count("SELECT COUNT(*) FROM orders").await,
        0
    );
}

fn record(id: &str, created_at: i64) -> TicketRecord {
    serde_json::from_str(&ticket_json(id, &created_at.to_string())).unwrap()
}

async fn the_store_refuses_far_past_times(db: Db) {
    for created_at in [-10_000_000_000_000, i64::MIN, -62_135_596_800] {
        let err = ingest::tickets(&db, &[record("BAD", created_at)]).await.unwrap_err();
        let IngestError::Invalid { record, error, .. } = err else { panic!("a validation error") };
        assert_eq!((record, error.field.as_str()), (1, "created_at"));
    }
    ingest::tickets(&db, &[record("OK", 631_152_000)]).await.expect("1990-01-01 itself is accepted");
}

async fn a_file_with_a_zero_date_is_refused_naming_row_and_column(db: Db) {
    for (_, cell) in HOSTILE_TIMES {
        let csv = format!(
            "external_id,created_at,channel,category,team\nOK-1,2025-03-14T09:30:00Z,chat,billing,Tier 1\nBAD,{cell},chat,billing,Tier 1\n"
        );
        let mapping = sniff::preview(Kind::Tickets, &csv).unwrap().mapping;
        let options = ImportOptions { kind: Kind::Tickets, mapping, actor: "test".into(), keep_valid: false };
        let Err(ImportError::Rows(refusals)) = import(&db, csv.as_bytes(), &options, None, |_| {}).await
        else {
            panic!("{cell} must be refused")
        };
        let first = &refusals.first[0];
        assert_eq!((first.row, first.data_row, first.column.as_str()), (3, 2, "created_at"), "{cell}");
        assert_eq!(first.value, cell.trim(), "the cell as written");
    }
}

#[tokio::test]
async fn every_ingest_path_refuses_far_past_times_on_sqlite_and_postgres() {
    for db in [sqlite().await, postgres().await] {
        the_store_refuses_far_past_times(db).await;
    }
    for db in [sqlite().await, postgres().await] {
        a_file_with_a_zero_date_is_refused_naming_row_and_column(db).await;
    }
}

#[tokio::test]
async fn the_command_line_import_refuses_a_zero_date_naming_the_row() {
    let dir = std::env::temp_dir().join("aftercare-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let (file, database) = (
        dir.join(format!("zero-{}.csv", std::process::id())),
        dir.join(format!("cli-{}.db", std::process::id())),
    );
    std::fs::write(
        &file,
        "external_id,created_at,channel,category,team\nZ-1,0001-01-01T00:00:00Z,chat,billing,Tier 1\n",
    )
    .unwrap();
    let config = config(format!("sqlite://{}", database.display()));
    let message = server::import_cli::run(&config, Kind::Tickets, file.to_str().unwrap(), None, None)
        .await
        .unwrap_err();
    assert!(message.contains("row 2") && message.contains("created_at"), "{message}");
    assert!(message.contains("before 1990-01-01"), "{message}");
}

/// Stores tickets as an older Aftercare accepted them, past today's checks.
async fn store_unchecked(db: &Db, records: &[TicketRecord]) {
    let mut writer = TicketWriter::begin(db).await.unwrap();
    writer.write(records).await.unwrap();
    writer.commit().await.unwrap();
}

async fn pages_survive_far_past_stored_tickets(app: TestApp) {
    store_unchecked(
        &app.db,
        &[record("NOW", 1_741_944_600), record("ZERO", -62_135_596_800), record("FAR", -10_000_000_000_000)],
    )
    .await;
    let cookie = app.signed_in("viewer").await;
    for path in [
        "/",
        "/charts",
        "/exports/review.csv",
        "/api/v1/kpis/csat/series",
        "/api/v1/kpis/csat/series?grain=week",
        "/api/v1/matrix",
    ] {
        // Before the fix some of these never answered: fail rather than hang.
        let answer = tokio::time::timeout(std::time::Duration::from_secs(30), app.get(path, Some(&cookie)));
        let response = answer.await.unwrap_or_else(|_| panic!("{path} did not answer within 30 s"));
        assert_eq!(response.status(), 200, "{path}");
        assert!(response.text().await.unwrap().len() < 1_000_000, "{path} stays small");
    }
}

#[tokio::test]
async fn far_past_tickets_stored_earlier_take_no_page_down_on_sqlite_and_postgres() {
    pages_survive_far_past_stored_tickets(TestApp::spawn().await).await;
    pages_survive_far_past_stored_tickets(TestApp::spawn_with(postgres().await).await).await;
}

/// A handler with a bug.
async fn boom() -> &'static str {
    panic!("a bug")
}

#[tokio::test]
async fn a_panicking_handler_answers_a_plain_500_instead_of_dropping_the_connection() {
    let app =
        axum::Router::new().route("/boom", axum::routing::get(boom)).layer(server::http::catch_panics());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let response =
        reqwest::get(format!("http://{addr}/boom")).await.expect("an answer, not a dropped connection");
    assert_eq!(response.status(), 500);
    assert_eq!(
        response.json::<serde_json::Value>().await.unwrap(),
        serde_json::json!({"error": "internal error"})
    );
}

#[tokio::test]
async fn query_dates_outside_1990_to_2100_are_a_422_naming_the_field() {
    let app = TestApp::spawn_with_demo().await;
    let cookie = app.signed_in("viewer").await;
    for (path, field) in [
        ("/api/v1/kpis/csat/series?grain=week&from=-262143-01-01&to=-262143-01-10", "from"),
        ("/api/v1/kpis/csat/series?grain=day&from=2025-01-01&to=%2B262142-12-31", "to"),
        ("/api/v1/matrix?from=1800-01-01&to=2025-01-01", "from"),
        ("/api/v1/matrix?from=2025-01-01&to=2101-01-01", "to"),
    ] {
        let response = app.get(path, Some(&cookie)).await;
        assert_eq!(response.status(), 422, "{path}");
        let error =
            response.json::<serde_json::Value>().await.unwrap()["error"].as_str().unwrap().to_string();
        assert!(error.starts_with(&format!("{field} must lie between 1990-01-01 and 2100-12-31")), "{error}");
    }
}

/// Issue 16's table of hostile text: (what, the cell, the start of the
/// refusal). Every ingest path runs through it; formula cells are accepted
/// and neutralised on the way out (csv_injection.rs).
fn hostile_text() -> Vec<(&'static str, String, &'static str)> {
    vec![
        ("a 101-character category", "x".repeat(101), "has 101 characters"),
        ("a 5,000-character category", "y".repeat(5_000), "has 5000 characters"),
        ("a NUL", "bill\u{0}ing".into(), "contains the control character U+0000"),
        ("an escape sequence", "\u{1b}[31mred".into(), "contains the control character U+001B"),
        ("a line break", "bill\ning".into(), "contains the control character U+000A"),
        ("a C1 control", "bill\u{85}ing".into(), "contains the control character U+0085"),
    ]
}

#[tokio::test]
async fn the_api_refuses_each_hostile_text_naming_record_and_field() {
    let app = TestApp::spawn().await;
    let token = app::store::tokens::create(&app.db, "test", "hourly", TokenScope::Ingest).await.unwrap();
    for (what, cell, refusal) in hostile_text() {
        let mut bad: serde_json::Value = serde_json::from_str(&ticket_json("BAD", "1741944600")).unwrap();
        bad["category"] = serde_json::Value::String(cell);
        let body = format!("[{},{bad}]", ticket_json("OK-1", "1741944600"));
        let (status, answer) = post_json(&app, "/api/v1/tickets", &token, body).await;
        assert_eq!(status, 422, "{what}: {answer}");
        assert_eq!(
            (answer["record"].as_i64(), answer["field"].as_str()),
            (Some(2), Some("category")),
            "{what}"
        );
        assert!(answer["error"].as_str().unwrap().contains(refusal), "{what}: {answer}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM tickets").await, 0);
}

#[tokio::test]
async fn a_file_import_refuses_each_hostile_text_naming_row_and_column() {
    let db = sqlite().await;
    for (what, cell, refusal) in hostile_text() {
        let csv = format!(
            "external_id,created_at,channel,category,team\nOK-1,2025-03-14T09:30:00Z,chat,billing,Tier 1\nBAD,2025-03-14T09:30:00Z,chat,\"{cell}\",Tier 1\n"
        );
        let mapping = sniff::preview(Kind::Tickets, &csv).unwrap().mapping;
        let options = ImportOptions { kind: Kind::Tickets, mapping, actor: "test".into(), keep_valid: false };
        let Err(ImportError::Rows(errors)) = import(&db, csv.as_bytes(), &options, None, |_| {}).await else {
            panic!("{what}: refused")
        };
        assert_eq!((errors.first[0].row, errors.first[0].column.as_str()), (3, "category"), "{what}");
        assert!(errors.first[0].reason.contains(refusal), "{what}: {}", errors.first[0].reason);
    }
}
