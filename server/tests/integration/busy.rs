//! Issue 16 F6, F16 and the token check under load: a database that cannot
//! answer now (busy with an import, or out of connections) is a 503 with
//! `Retry-After` and a clear message, never a 500 or a 401; signing in works
//! while an import runs; uploads live in the data folder and a killed
//! server's leftovers are removed at the next start.

use super::app::{TestApp, PASSWORD};
use super::support::{config, sqlite};
use app::models::TokenScope;
use reqwest::header::{AUTHORIZATION, COOKIE, RETRY_AFTER};
use std::time::{Duration, Instant};

const TICKETS: &str =
    "external_id,created_at,channel,category,team\nT-1,2025-03-14T09:30:00Z,chat,billing,Tier 1\n";

async fn import_file(app: &TestApp, token: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/api/v1/import/tickets", app.base))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .body(TICKETS)
        .send()
        .await
        .unwrap()
}

/// An import in progress as the server sees it: its turn taken, and a write
/// transaction holding SQLite's write lock on the main file.
#[tokio::test]
async fn while_an_import_runs_sign_ins_work_and_writes_answer_503_with_retry_after() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin").await;
    app.add_user("vera", "viewer").await;
    let token = app::store::tokens::create(&app.db, "test", "nightly", TokenScope::Ingest).await.unwrap();

    let turn = app.db.imports.try_enter().unwrap();
    let mut import = app.db.begin().await.unwrap();
    sqlx::query("INSERT INTO settings (key, value) VALUES ('held', '1')")
        .execute(&mut *import)
        .await
        .unwrap();

    let started = Instant::now();
    let login = app.login_with("vera", PASSWORD).await;
    assert_eq!(login.status(), 200, "{}", login.text().await.unwrap());
    let wrong = app.login_with("vera", "wrong password!").await;
    assert_eq!(wrong.status(), 422, "a wrong password is still just wrong");
    assert!(started.elapsed() < Duration::from_secs(5), "sign-ins do not wait for the import");

    let second = import_file(&app, &token).await;
    assert_eq!(second.status(), 503);
    assert!(second.headers().contains_key(RETRY_AFTER));
    let body: serde_json::Value = second.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("an import is running"), "{body}");

    let write = app
        .post(
            "/api/create_user",
            Some(&admin),
            &[("username", "nina"), ("role", "viewer"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(write.status(), 503);
    assert!(write.headers().contains_key(RETRY_AFTER));
    assert!(write.text().await.unwrap().contains("try again in a minute"));

    import.commit().await.unwrap();
    drop(turn);
    assert_eq!(import_file(&app, &token).await.status(), 200, "the next import runs once the first is done");
}

#[tokio::test]
async fn a_token_or_session_checked_against_a_database_without_a_free_connection_gets_503_not_401() {
    let app = TestApp::spawn().await;
    let cookie = app.signed_in("viewer").await;
    let token = app::store::tokens::create(&app.db, "test", "dash", TokenScope::Read).await.unwrap();
    // Every connection of the pool is busy elsewhere (as under 32 clients on a slow query).
    let mut held = Vec::new();
    while let Ok(Ok(conn)) = tokio::time::timeout(Duration::from_millis(500), app.db.pool.acquire()).await {
        held.push(conn);
    }
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let by_token = client
        .get(format!("{}/api/v1/kpis", app.base))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    let by_session =
        client.get(format!("{}/api/v1/kpis", app.base)).header(COOKIE, &cookie).send().await.unwrap();
    let page = client.get(format!("{}/charts", app.base)).header(COOKIE, &cookie).send().await.unwrap();
    let server_fn = app.post("/api/get_me", Some(&cookie), &[]).await;
    for (what, response) in
        [("token", by_token), ("session", by_session), ("page", page), ("server fn", server_fn)]
    {
        assert_eq!(response.status(), 503, "{what}");
        assert!(response.headers().contains_key(RETRY_AFTER), "{what}");
        assert!(response.text().await.unwrap().contains("unavailable"), "{what}");
    }
    drop(held);
}

#[tokio::test]
async fn uploads_are_spooled_in_the_data_folder_and_a_killed_servers_leftovers_removed_at_start() {
    let dir = std::env::temp_dir().join(format!("aftercare-spool-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let uploads = dir.join("uploads");
    std::fs::create_dir_all(&uploads).unwrap();
    // No process has this id (above the kernel's maximum); ours is alive.
    let dead = uploads.join("aftercare-import-4194305-0.csv");
    let alive = uploads.join(format!("aftercare-import-{}-999.csv", std::process::id()));
    let other = uploads.join("notes.txt");
    for file in [&dead, &alive, &other] {
        std::fs::write(file, "x").unwrap();
    }
    let config = config(format!("sqlite://{}", dir.join("aftercare.db").display()));
    let db = config.open_database().await.unwrap();
    assert_eq!(db.data_dir, dir);
    assert!(!dead.exists(), "a dead server's upload is removed");
    assert!(alive.exists() && other.exists(), "a live server's upload and other files stay");

    let app = TestApp::spawn_with(db).await;
    let token = app::store::tokens::create(&app.db, "test", "nightly", TokenScope::Ingest).await.unwrap();
    assert_eq!(import_file(&app, &token).await.status(), 200);
    let left: Vec<_> = std::fs::read_dir(&uploads).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 2, "the finished upload is removed: {left:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_second_import_on_the_same_server_is_refused_at_once_with_a_clear_message() {
    let db = sqlite().await;
    let _turn = db.imports.try_enter().unwrap();
    let mapping = app::import::sniff::preview(app::import::Kind::Tickets, TICKETS).unwrap().mapping;
    let options = app::import::run::ImportOptions {
        kind: app::import::Kind::Tickets,
        mapping,
        actor: "test".into(),
        keep_valid: false,
    };
    let started = Instant::now();
    let err = app::import::run::import(&db, TICKETS.as_bytes(), &options, None, |_| {}).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(err.to_string(), "an import is running: try again in a minute");
}

/// The same with a real import: sign-ins made while a 60,000-row file is
/// imported succeed, and a write either waits its turn or gets a 503.
#[tokio::test]
async fn sign_ins_succeed_during_a_real_import() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin").await;
    app.add_user("vera", "viewer").await;
    let token = app::store::tokens::create(&app.db, "test", "nightly", TokenScope::Ingest).await.unwrap();
    let mut big = String::from("external_id,created_at,channel,category,team\n");
    for i in 0..60_000 {
        big.push_str(&format!("B-{i},2025-03-{:02}T10:00:00Z,chat,billing,Tier 1\n", 1 + i % 28));
    }
    let started = Instant::now();
    let upload = reqwest::Client::new()
        .post(format!("{}/api/v1/import/tickets", app.base))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .body(big)
        .send();
    let during = async {
        let mut answers = Vec::new();
        while !app.db.imports.is_running() && started.elapsed() < Duration::from_secs(30) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        for _ in 0..3 {
            let t = Instant::now();
            let status = app.login_with("vera", PASSWORD).await.status().as_u16();
            answers.push((status, t.elapsed(), app.db.imports.is_running()));
        }
        let form = [("username", "nina"), ("role", "viewer"), ("password", PASSWORD)];
        let write = app.post("/api/create_user", Some(&admin), &form).await.status().as_u16();
        (answers, write)
    };
    let (imported, (answers, write)) = tokio::join!(upload, during);
    let imported = imported.unwrap();
    println!("import {:?}, sign-ins during it {answers:?}, write {write}", started.elapsed());
    assert_eq!(imported.status(), 200);
    assert!(answers.iter().all(|(status, _, _)| *status == 200), "{answers:?}");
    assert!(
        answers.iter().any(|(_, _, running)| *running),
        "a sign-in happened during the import: {answers:?}"
    );
    assert!(write == 200 || write == 503, "{write}");
}
