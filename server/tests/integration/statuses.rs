//! Issue 16 F15: every refusal is a 4xx with a message naming what to fix,
//! and a database that cannot be written is named at start-up.

use super::app::TestApp;
use super::support::{config, sqlite};
use app::import::run::{import, ImportError, ImportOptions};
use app::import::{sniff, Kind};
use app::models::TokenScope;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};

#[tokio::test]
async fn a_server_function_called_with_a_json_body_is_a_400_not_a_500() {
    let app = TestApp::spawn().await;
    app.add_user("vera", "viewer").await;
    let response = reqwest::Client::new()
        .post(format!("{}/api/login", app.base))
        .header(CONTENT_TYPE, "application/json")
        .body(r#"{"username":"vera","password":"x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let text = response.text().await.unwrap();
    assert!(!text.contains("Transport") && text.contains("form"), "{text}");
}

#[tokio::test]
async fn a_channel_given_twice_in_financials_is_a_422_naming_it() {
    let app = TestApp::spawn().await;
    let token = app::store::tokens::create(&app.db, "test", "books", TokenScope::Ingest).await.unwrap();
    let month = r#"{"month":"2025-03","revenue":1000,"net_income":100,"operating_expenses":500,"support_cost":50,"marketing_spend":20,"new_customers":3,"support_cost_by_channel":[["email",20],["chat",10],["email",20]]}"#;
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/financials", app.base))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .body(month)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["field"], "support_cost_by_channel");
    assert!(body["error"].as_str().unwrap().contains("'email' is given twice"), "{body}");
    assert_eq!(app.count("SELECT COUNT(*) FROM financials").await, 0);
}

#[tokio::test]
async fn a_bad_utf8_byte_on_line_2_is_reported_as_row_2() {
    let db = sqlite().await;
    let head = "external_id,created_at,channel,category,team\n";
    let mapping = sniff::preview(Kind::Tickets, head).unwrap().mapping;
    let options = ImportOptions { kind: Kind::Tickets, mapping, actor: "test".into(), keep_valid: false };
    let mut file = head.as_bytes().to_vec();
    file.extend_from_slice(b"T-1,2025-03-14T09:30:00Z,ch\xffat,billing,Tier 1\n");
    let Err(ImportError::Rows(errors)) = import(&db, file.as_slice(), &options, None, |_| {}).await else {
        panic!("refused")
    };
    assert_eq!(errors.first[0].row, 2, "{:?}", errors.first[0]);
    assert!(errors.first[0].reason.contains("UTF-8"));
}

#[tokio::test]
async fn a_database_that_cannot_be_written_stops_the_start_naming_the_path_and_the_cause() {
    let dir = std::env::temp_dir().join(format!("aftercare-unwritable-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("aftercare.db");
    config(format!("sqlite://{}", path.display())).open_database().await.unwrap().pool.close().await;
    // Read-only: as a file the server's user may not write (the tests run as root, who may).
    let message = config(format!("sqlite://{}?mode=ro", path.display())).open_database().await.unwrap_err();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains("cannot be written") && message.contains("readonly"), "{message}");

    // A folder that is a regular file.
    let file = dir.join("plain-file");
    std::fs::write(&file, "x").unwrap();
    let message =
        config(format!("sqlite://{}/sub/aftercare.db", file.display())).open_database().await.unwrap_err();
    assert!(message.contains(&format!("{}/sub", file.display())), "{message}");
    assert!(message.contains("Not a directory"), "{message}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_data_page_answers_a_viewer_403_like_the_other_admin_pages() {
    let app = TestApp::spawn().await;
    let viewer = app.signed_in("viewer").await;
    assert_eq!(app.get("/admin/users", Some(&viewer)).await.status(), 403);
    assert_eq!(app.get("/data", Some(&viewer)).await.status(), 403);
    let admin = app.signed_in("admin").await;
    assert_eq!(app.get("/data", Some(&admin)).await.status(), 200);
}
