//! Importing files: a helpdesk export in its own columns and formats through
//! a mapping, whole-file refusal naming row and column, idempotent
//! re-imports, updates that move rollup contributions — on SQLite and
//! Postgres — and the HTTP route's scopes.

use super::app::TestApp;
use super::support::{postgres, sqlite};
use app::import::run::{import, ImportError, ImportOptions};
use app::import::{sniff, Kind, Mapping};
use app::models::TokenScope;
use app::store::Db;
use reqwest::header::AUTHORIZATION;

/// A helpdesk export: semicolons, day-first dates, hours to first reply,
/// satisfaction as words, its own column names.
const HELPDESK: &str = "Ticket ID;Created;First reply time (hrs);Via;Type;Group;Satisfaction\n\
                        H-1;25/03/2025 09:00;1,5;chat;delivery;Tier 1;good\n\
                        H-2;03/04/2025 14:30;;email;billing;Tier 2;bad\n\
                        H-3;04/04/2025 08:15;0,25;chat;billing;Tier 1;\n";

fn helpdesk_mapping() -> Mapping {
    let preview = sniff::preview(Kind::Tickets, HELPDESK).unwrap();
    assert_eq!(preview.mapping.fields["csat"].values["good"], "5", "the page proposes the word scores");
    preview.mapping
}

async fn run(db: &Db, csv: &str, mapping: Mapping) -> Result<app::import::ImportReport, ImportError> {
    let options = ImportOptions { kind: Kind::Tickets, mapping, actor: "test".into(), keep_valid: false };
    import(db, csv.as_bytes(), &options, None, |_| {}).await
}

async fn count(db: &Db, sql: &str) -> i64 {
    use sqlx::Row;
    sqlx::query(sql).fetch_one(&db.pool).await.unwrap().try_get(0).unwrap()
}

async fn imports_a_helpdesk_export_and_reimports_idempotently(db: Db) {
    let report = run(&db, HELPDESK, helpdesk_mapping()).await.unwrap();
    assert_eq!((report.rows, report.inserted, report.updated), (3, 3, 0));
    let again = run(&db, HELPDESK, helpdesk_mapping()).await.unwrap();
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 3), "re-importing changes nothing");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM tickets").await, 3);
    assert_eq!(count(&db, "SELECT CAST(SUM(tickets) AS BIGINT) FROM daily_rollup").await, 3);
    // 25 March 09:00 UTC plus 1.5 hours; "good" became 5 and "bad" 1.
    let first_reply = count(&db, "SELECT first_response_at FROM tickets WHERE external_id = 'H-1'").await;
    assert_eq!(first_reply, 1_742_893_200 + 5_400);
    assert_eq!(count(&db, "SELECT csat FROM tickets WHERE external_id = 'H-2'").await, 1);
}

async fn a_bad_row_refuses_the_file_and_changes_nothing(db: Db) {
    let bad = HELPDESK
        .replace("04/04/2025 08:15", "31/02/2025 08:15")
        .replace("H-2;03/04/2025 14:30;;", "H-2;03/04/2025 14:30;-2;");
    let Err(ImportError::Rows(refusals)) = run(&db, &bad, helpdesk_mapping()).await else {
        panic!("refused")
    };
    assert_eq!(refusals.total, 2);
    let errors = refusals.first;
    assert_eq!(
        (errors[0].row, errors[0].column.as_str(), errors[0].value.as_str()),
        (3, "First reply time (hrs)", "-2")
    );
    assert_eq!(errors[0].reason, "first_response_at is a negative duration");
    assert_eq!(
        (errors[1].row, errors[1].column.as_str(), errors[1].value.as_str()),
        (4, "Created", "31/02/2025 08:15")
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM tickets").await, 0, "nothing is half-imported");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM daily_rollup").await, 0);
}

async fn an_updated_ticket_moves_its_rollup_contribution(db: Db) {
    run(&db, HELPDESK, helpdesk_mapping()).await.unwrap();
    // H-1 moves from chat to email and from good to bad.
    let updated = HELPDESK.replace(
        "H-1;25/03/2025 09:00;1,5;chat;delivery;Tier 1;good",
        "H-1;25/03/2025 09:00;1,5;email;delivery;Tier 1;bad",
    );
    run(&db, &updated, helpdesk_mapping()).await.unwrap();
    for channel in ["chat", "email"] {
        let raw = count(&db, &format!("SELECT COUNT(*) FROM tickets WHERE channel = '{channel}'")).await;
        let rolled = count(
            &db,
            &format!("SELECT CAST(SUM(tickets) AS BIGINT) FROM daily_rollup WHERE channel = '{channel}'"),
        )
        .await;
        assert_eq!(rolled, raw, "{channel}");
    }
    let satisfied_raw = count(&db, "SELECT COUNT(*) FROM tickets WHERE csat >= 4").await;
    let satisfied_rolled = count(&db, "SELECT CAST(SUM(csat_satisfied) AS BIGINT) FROM daily_rollup").await;
    assert_eq!((satisfied_rolled, satisfied_raw), (0, 0), "the only good rating turned bad");
}

/// `rows` tickets in Aftercare's own columns, one a minute from 2025-03-01.
fn canonical_tickets(rows: usize) -> String {
    let mut csv = String::from("external_id,created_at,channel,category,priority,team,agent,status\n");
    for i in 0..rows {
        let at = chrono::DateTime::from_timestamp(1_740_787_200 + 60 * i as i64, 0).unwrap();
        csv += &format!("T-{i},{},email,delivery,normal,Tier 1,Ana,open\n", at.to_rfc3339());
    }
    csv
}

/// A file is written in chunks of 2,000 inside one transaction: one refused
/// by its last row leaves nothing of the chunks already written, and a good
/// one arrives whole through several chunks.
async fn a_file_of_many_chunks_is_written_whole_or_not_at_all(db: Db) {
    let good = canonical_tickets(5_000);
    let mapping = sniff::preview(Kind::Tickets, &good).unwrap().mapping;
    let bad = format!("{good}T-last,not a date,email,delivery,normal,Tier 1,Ana,open\n");
    let Err(ImportError::Rows(refusals)) = run(&db, &bad, mapping.clone()).await else { panic!("refused") };
    assert_eq!((refusals.total, refusals.first[0].row), (1, 5_002));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM tickets").await, 0, "nothing is half-imported");
    let report = run(&db, &good, mapping).await.unwrap();
    assert_eq!((report.rows, report.inserted), (5_000, 5_000));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM tickets").await, 5_000);
    assert_eq!(count(&db, "SELECT CAST(SUM(tickets) AS BIGINT) FROM daily_rollup").await, 5_000);
}

#[tokio::test]
async fn imports_on_sqlite_and_postgres() {
    for db in [sqlite().await, postgres().await] {
        imports_a_helpdesk_export_and_reimports_idempotently(db).await;
    }
    for db in [sqlite().await, postgres().await] {
        a_bad_row_refuses_the_file_and_changes_nothing(db).await;
    }
    for db in [sqlite().await, postgres().await] {
        an_updated_ticket_moves_its_rollup_contribution(db).await;
    }
    for db in [sqlite().await, postgres().await] {
        a_file_of_many_chunks_is_written_whole_or_not_at_all(db).await;
    }
}

/// An import begun while another writer holds SQLite's write lock waits for
/// it: it read the table before its first write, and such a transaction
/// was refused at once ("database is locked"), as a retry right after a
/// refused import sometimes was, before that one's rollback had run.
#[tokio::test]
async fn an_import_waits_for_another_writer_on_sqlite() {
    let db = sqlite().await;
    let mut holder = db.pool.begin_with("BEGIN IMMEDIATE").await.unwrap();
    sqlx::query("DELETE FROM tickets").execute(&mut *holder).await.unwrap();
    let release = tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        holder.rollback().await.unwrap();
    });
    let report = run(&db, HELPDESK, helpdesk_mapping()).await.unwrap();
    assert_eq!(report.inserted, 3);
    release.await.unwrap();
}

#[tokio::test]
async fn keep_valid_imports_the_rest_and_writes_the_refused_rows_with_reasons() {
    let db = sqlite().await;
    let bad = HELPDESK.replace("Tier 2;bad", "Tier 2;meh");
    let options = ImportOptions {
        kind: Kind::Tickets,
        mapping: helpdesk_mapping(),
        actor: "t".into(),
        keep_valid: true,
    };
    let mut rejects = Vec::new();
    let report = import(&db, bad.as_bytes(), &options, Some(&mut rejects), |_| {}).await.unwrap();
    assert_eq!((report.rows, report.inserted, report.rejected), (3, 2, 1));
    let text = String::from_utf8(rejects).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "row,column,reason,Ticket ID,Created,First reply time (hrs),Via,Type,Group,Satisfaction"
    );
    assert!(lines[1].starts_with("3,Satisfaction,csat is not a number 1–5"), "{}", lines[1]);
    assert!(lines[1].ends_with(",H-2,03/04/2025 14:30,,email,billing,Tier 2,meh"), "{}", lines[1]);
}

#[tokio::test]
async fn the_import_route_takes_files_with_an_ingest_token() {
    let app = TestApp::spawn().await;
    let ingest = app::store::tokens::create(&app.db, "test", "nightly", TokenScope::Ingest).await.unwrap();
    let read = app::store::tokens::create(&app.db, "test", "reader", TokenScope::Read).await.unwrap();
    let mapping = serde_json::to_string(&helpdesk_mapping()).unwrap();
    let send = |token: Option<String>, kind: &str, body: String| {
        let mut request = reqwest::Client::new()
            .post(format!("{}/api/v1/import/{kind}", app.base))
            .query(&[("mapping", mapping.as_str())])
            .body(body);
        if let Some(t) = token {
            request = request.header(AUTHORIZATION, format!("Bearer {t}"));
        }
        async move {
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.json::<serde_json::Value>().await.unwrap_or_default())
        }
    };
    assert_eq!(send(None, "tickets", HELPDESK.into()).await.0, 401);
    assert_eq!(send(Some(read), "tickets", HELPDESK.into()).await.0, 403);
    assert_eq!(send(Some(ingest.clone()), "customers", HELPDESK.into()).await.0, 404);

    let (status, body) = send(Some(ingest.clone()), "tickets", HELPDESK.into()).await;
    assert_eq!((status, body["inserted"].as_i64()), (200, Some(3)), "{body}");

    let (status, body) =
        send(Some(ingest.clone()), "tickets", HELPDESK.replace("H-3;04/04/2025", "H-3;04/04/2099")).await;
    assert_eq!(status, 422);
    assert_eq!(
        (body["errors"][0]["row"].as_i64(), body["errors"][0]["column"].as_str()),
        (Some(4), Some("Created"))
    );
    assert_eq!(body["errors"][0]["reason"], "created_at lies in the future");

    // A file bigger than the 1 MiB limit of other routes streams in.
    let mut big = String::from("external_id,created_at,channel,category,team\n");
    for i in 0..30_000 {
        big.push_str(&format!("B-{i},2025-03-{:02}T10:00:00Z,chat,billing,Tier 1\n", 1 + i % 28));
    }
    assert!(big.len() > 1024 * 1024);
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/import/tickets", app.base))
        .header(AUTHORIZATION, format!("Bearer {ingest}"))
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["inserted"].as_i64(), Some(30_000));
}
