//! Real files in, right numbers out: event logs aggregated into tickets,
//! repeated ids refused in strict mode with their count, row numbers that do
//! not depend on line endings, refusals counted by reason and showing the
//! cell as written, priorities on the documented scale — on SQLite and
//! Postgres.

use super::support::{postgres, sqlite};
use app::import::run::{import, ImportError, ImportOptions};
use app::import::{FieldMap, ImportReport, Kind, Mapping, Repeated};
use app::store::Db;
use sqlx::Row;

/// A helpdesk event log: one row per event, the case's events not in order.
const EVENT_LOG: &str = "Case,Timestamp,Activity,Author,Topic,Status\n\
    C-1,2025-03-10 09:00:00,Message received,customer,Billing,open\n\
    C-2,2025-03-11 08:00:00,Message received,customer,Delivery,open\n\
    C-1,2025-03-10 15:30:00,Agent replied,agent,Refund,pending\n\
    C-1,2025-03-11 10:00:00,Message received,customer,Refund,open\n\
    C-1,2025-03-12 11:00:00,Ticket solved,agent,Refund,solved\n\
    C-2,2025-03-11 09:00:00,Agent replied,agent,Delivery,pending\n";

fn column(name: &str) -> FieldMap {
    FieldMap { column: Some(name.into()), ..FieldMap::default() }
}

fn constant(value: &str) -> FieldMap {
    FieldMap { value: Some(value.into()), ..FieldMap::default() }
}

fn event_mapping(repeated: Option<Repeated>) -> Mapping {
    let mut m = Mapping { repeated, ..Mapping::default() };
    m.fields.insert("external_id".into(), column("Case"));
    m.fields.insert("created_at".into(), column("Timestamp"));
    m.fields.insert("category".into(), column("Topic"));
    m.fields.insert("status".into(), column("Status"));
    m.fields.insert("channel".into(), constant("email"));
    m.fields.insert("team".into(), constant("Support"));
    let mut contacts = column("Author");
    contacts.values = [("customer".to_string(), "1".to_string()), ("agent".into(), "0".into())].into();
    m.fields.insert("contacts".into(), contacts);
    m
}

async fn run(db: &Db, csv: &str, mapping: Mapping, kind: Kind) -> Result<ImportReport, ImportError> {
    let options = ImportOptions { kind, mapping, actor: "test".into(), keep_valid: false };
    import(db, csv.as_bytes(), &options, None, |_| {}).await
}

async fn ticket(db: &Db, id: &str) -> (i64, Option<i64>, String, i64, String) {
    let row = sqlx::query(
        "SELECT created_at, resolved_at, category, contacts, status FROM tickets WHERE external_id = $1",
    )
    .bind(id)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    (
        row.try_get(0).unwrap(),
        row.try_get(1).unwrap(),
        row.try_get(2).unwrap(),
        row.try_get(3).unwrap(),
        row.try_get(4).unwrap(),
    )
}

fn utc(s: &str) -> i64 {
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap().and_utc().timestamp()
}

async fn an_event_log_becomes_one_ticket_per_case(db: Db) {
    let report = run(&db, EVENT_LOG, event_mapping(Some(Repeated::Events)), Kind::Tickets).await.unwrap();
    assert_eq!((report.rows, report.inserted, report.updated, report.repeated), (6, 2, 0, 4));
    assert_eq!(
        ticket(&db, "C-1").await,
        (utc("2025-03-10 09:00"), Some(utc("2025-03-12 11:00")), "Billing".into(), 2, "solved".into()),
        "created at the first event, solved at the solving event, 2 customer messages, topic of the first"
    );
    assert_eq!(
        ticket(&db, "C-2").await,
        (utc("2025-03-11 08:00"), None, "Delivery".into(), 1, "pending".into())
    );
    let again = run(&db, EVENT_LOG, event_mapping(Some(Repeated::Events)), Kind::Tickets).await.unwrap();
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 2), "re-importing changes nothing");
}

async fn repeated_ids_refuse_a_strict_import_with_their_count(db: Db) {
    let Err(ImportError::Repeated(message)) = run(&db, EVENT_LOG, event_mapping(None), Kind::Tickets).await
    else {
        panic!("refused")
    };
    assert!(
        message.starts_with("4 rows repeat the external id of an earlier row (row 4 repeats 'C-1' of row 2"),
        "{message}"
    );
    assert!(message.contains("repeated = \"events\""), "{message}");
    let none: i64 = sqlx::query("SELECT COUNT(*) FROM tickets").fetch_one(&db.pool).await.unwrap().get(0);
    assert_eq!(none, 0, "nothing is half-imported");
    // `last` wins: one ticket per case, each counted once.
    let mut last = event_mapping(Some(Repeated::Last));
    last.fields.remove("contacts");
    let report = run(&db, EVENT_LOG, last, Kind::Tickets).await.unwrap();
    assert_eq!((report.rows, report.inserted, report.updated, report.repeated), (6, 2, 0, 4));
    assert_eq!(ticket(&db, "C-1").await.0, utc("2025-03-12 11:00"), "the last row");
}

async fn line_endings_do_not_move_row_numbers(db: Db) {
    let lf = "external_id,created_at,channel,category,team\n\
              A,2025-03-14T09:30:00Z,chat,billing,Tier 1\n\
              B,\"2099-06-01 01:57:40\",chat,billing,Tier 1\n\
              C,yesterday,chat,billing,Tier 1\n";
    let crlf = lf.replace('\n', "\r\n");
    let mapping = app::import::sniff::preview(Kind::Tickets, lf).unwrap().mapping;
    let mut seen = Vec::new();
    for file in [lf.to_string(), crlf] {
        let Err(ImportError::Rows(refusals)) = run(&db, &file, mapping.clone(), Kind::Tickets).await else {
            panic!("refused")
        };
        let rows: Vec<(u64, u64)> = refusals.first.iter().map(|e| (e.row, e.data_row)).collect();
        assert_eq!(rows, [(3, 2), (4, 3)]);
        assert_eq!(refusals.first[0].value, "2099-06-01 01:57:40", "the cell as written, not epoch seconds");
        assert_eq!(refusals.total, 2);
        assert_eq!(refusals.by_reason.len(), 2);
        seen.push(refusals.first[0].to_string());
    }
    assert_eq!(seen[0], seen[1]);
    assert!(seen[0].starts_with("row 3 (data row 2), column 'created_at'"), "{}", seen[0]);
}

async fn priorities_land_on_the_scale_or_are_refused(db: Db) {
    let file = "external_id,created_at,channel,category,team,priority\n\
                A,2025-03-14T09:30:00Z,chat,billing,Tier 1,Critical\n\
                B,2025-03-14T09:30:00Z,chat,billing,Tier 1,Medium\n";
    let mapping = app::import::sniff::preview(Kind::Tickets, file).unwrap().mapping;
    run(&db, file, mapping.clone(), Kind::Tickets).await.unwrap();
    let stored: Vec<String> = sqlx::query("SELECT priority FROM tickets ORDER BY external_id")
        .fetch_all(&db.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(stored, ["urgent", "normal"]);
    let Err(ImportError::Rows(refusals)) =
        run(&db, &file.replace("Medium", "Whenever"), mapping, Kind::Tickets).await
    else {
        panic!("refused")
    };
    assert_eq!(refusals.first[0].value, "Whenever");
    assert!(refusals.first[0].reason.contains("low, normal, high or urgent"));
}

async fn orders_without_an_amount_are_stored_as_unknown(db: Db) {
    // A marketplace export: no amount column at all.
    let file = "order_id,customer_unique_id,order_purchase_timestamp,currency\n\
                O-1,C-1,2025-03-14 09:30:00,BRL\n\
                O-2,C-1,2025-03-20 10:00:00,BRL\n";
    let mut m = Mapping::default();
    for (field, col) in [
        ("external_id", "order_id"),
        ("customer_id", "customer_unique_id"),
        ("placed_at", "order_purchase_timestamp"),
    ] {
        m.fields.insert(field.into(), column(col));
    }
    m.fields.insert("currency".into(), column("currency"));
    let report = run(&db, file, m, Kind::Orders).await.unwrap();
    assert_eq!(report.inserted, 2);
    let row = sqlx::query("SELECT COUNT(*), COUNT(amount) FROM orders").fetch_one(&db.pool).await.unwrap();
    assert_eq!((row.get::<i64, _>(0), row.get::<i64, _>(1)), (2, 0), "stored as unknown, not 0");
    let row = sqlx::query("SELECT orders, priced_orders FROM order_months WHERE month = '2025-03'")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!((row.get::<i64, _>(0), row.get::<i64, _>(1)), (2, 0), "counted as orders, not as priced ones");
}

#[tokio::test]
async fn orders_without_amounts_on_sqlite_and_postgres() {
    for db in [sqlite().await, postgres().await] {
        orders_without_an_amount_are_stored_as_unknown(db).await;
    }
}

#[tokio::test]
async fn event_logs_and_repeated_ids_on_sqlite_and_postgres() {
    for db in [sqlite().await, postgres().await] {
        an_event_log_becomes_one_ticket_per_case(db).await;
    }
    for db in [sqlite().await, postgres().await] {
        repeated_ids_refuse_a_strict_import_with_their_count(db).await;
    }
}

#[tokio::test]
async fn row_numbers_refusals_and_priorities_on_sqlite_and_postgres() {
    for db in [sqlite().await, postgres().await] {
        line_endings_do_not_move_row_numbers(db).await;
    }
    for db in [sqlite().await, postgres().await] {
        priorities_land_on_the_scale_or_are_refused(db).await;
    }
}

/// A Shopify export through its built-in preset: one row per line item.
async fn line_item_rows_keep_the_first_row_of_each_order(db: Db) {
    let mapping = app::import::presets::get(Kind::Orders, "Shopify orders (built-in)").unwrap();
    let file = "Name,Email,Financial Status,Currency,Total,Created at,Lineitem name\n\
                #1001,kim@example.com,paid,EUR,101.15,2025-03-03 09:00:00 +0100,Mug\n\
                #1001,,,,,2025-03-03 09:00:00 +0100,Teapot\n\
                #1002,lee@example.com,paid,EUR,23.80,2025-03-04 11:59:00 +0100,Spoon\n";
    let report = run(&db, file, mapping.clone(), Kind::Orders).await.unwrap();
    assert_eq!((report.rows, report.inserted, report.repeated), (3, 2, 1));
    let total: f64 = sqlx::query("SELECT amount FROM orders WHERE external_id = '#1001'")
        .fetch_one(&db.pool)
        .await
        .unwrap()
        .get(0);
    assert_eq!(total, 101.15);
    let again = run(&db, file, mapping, Kind::Orders).await.unwrap();
    assert_eq!((again.inserted, again.updated, again.unchanged, again.repeated), (0, 0, 2, 1));
}

#[tokio::test]
async fn line_item_exports_on_sqlite_and_postgres() {
    for db in [sqlite().await, postgres().await] {
        line_item_rows_keep_the_first_row_of_each_order(db).await;
    }
}
