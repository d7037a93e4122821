//! Ingest refuses bad batches whole, is idempotent, and keeps the rollup true
//! when a ticket changes.

use super::support::{config, month, open, sqlite, sqlite_url};
use app::import::Kind;
use app::kpi::period::day_number;
use app::kpi::{Kpi, KpiSettings};
use app::models::{Filters, TicketRecord};
use app::store::ingest::{self, IngestError};
use app::store::{kpi_values, Db, KpiQuery};
use sqlx::Row;

/// A ticket created at 09:00 on `day` (`YYYY-MM-DD`), answered 10 minutes later.
pub(super) fn ticket(id: &str, day: &str, resolved_after_h: Option<i64>, csat: Option<i64>) -> TicketRecord {
    let created_at =
        day_number(chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap()) * 86_400 + 9 * 3600;
    TicketRecord {
        external_id: id.into(),
        created_at,
        first_response_at: Some(created_at + 600),
        resolved_at: resolved_after_h.map(|h| created_at + h * 3600),
        channel: "email".into(),
        category: "delivery".into(),
        team: "Tier 1".into(),
        agent: "Ana".into(),
        status: "solved".into(),
        csat,
        // Normal priority, one contact, no scores, flags or links.
        ..TicketRecord::default()
    }
}

async fn count(db: &Db, table: &str) -> i64 {
    sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
        .fetch_one(&db.pool)
        .await
        .unwrap()
        .try_get("n")
        .unwrap()
}

async fn kpi(db: &Db, kpi: Kpi, m: &str) -> Option<f64> {
    let query = KpiQuery {
        kpis: vec![kpi],
        first: month(m),
        last: month(m),
        filters: Filters::default(),
        group_by: vec![],
    };
    kpi_values::load(db, &query).await.unwrap().value(kpi, &[], &month(m), &KpiSettings::default())
}

#[tokio::test]
async fn a_batch_with_one_bad_record_is_refused_whole_and_names_it() {
    let db = sqlite().await;
    let good = ticket("A", "2025-03-02", Some(2), Some(5));
    let bad = TicketRecord { csat: Some(9), ..ticket("B", "2025-03-03", Some(2), None) };
    let err = ingest::tickets(&db, &[good, bad]).await.unwrap_err();
    let IngestError::Invalid { record, external_id, error } = err else {
        panic!("expected a validation error")
    };
    assert_eq!((record, external_id.as_str(), error.field.as_str()), (2, "B", "csat"));
    assert_eq!(count(&db, "tickets").await, 0);
    assert_eq!(count(&db, "daily_rollup").await, 0);
}

/// The texts of `column` in the rows `sql` returns.
async fn texts(db: &Db, sql: &str, column: &str) -> Vec<String> {
    sqlx::query(sql)
        .fetch_all(&db.pool)
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get(column).unwrap())
        .collect()
}

/// The definitions of the tickets' own indexes (not those behind constraints).
async fn ticket_indexes(db: &Db) -> Vec<String> {
    let sql = "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tickets' AND sql IS NOT NULL ORDER BY name";
    texts(db, sql, "sql").await
}

#[tokio::test]
async fn a_first_import_builds_the_tickets_indexes_again_and_a_dropped_one_keeps_them() {
    let db = sqlite().await;
    let indexes = ticket_indexes(&db).await;
    assert!(indexes.len() >= 3, "{indexes:?}");
    // A first import drops them while it writes; dropped unfinished, it rolls back.
    let mut writer = ingest::TicketWriter::begin(&db).await.unwrap();
    writer.write(&[ticket("A", "2025-03-02", Some(2), Some(5))]).await.unwrap();
    drop(writer);
    assert_eq!(ticket_indexes(&db).await, indexes);
    assert_eq!(count(&db, "tickets").await, 0);
    let mut writer = ingest::TicketWriter::begin(&db).await.unwrap();
    writer.write(&[ticket("A", "2025-03-02", Some(2), Some(5))]).await.unwrap();
    writer.commit().await.unwrap();
    assert_eq!(ticket_indexes(&db).await, indexes);
    // The repurchase rollup reads a customer's tickets from the index alone.
    let read = "EXPLAIN QUERY PLAN SELECT created_at, channel, category, team FROM tickets WHERE customer_id = 'C-1'";
    let plan = texts(&db, read, "detail").await;
    assert!(plan.iter().any(|step| step.contains("COVERING INDEX tickets_customer")), "{plan:?}");
}

#[tokio::test]
async fn the_last_day_with_tickets_is_one_seek_past_days_that_hold_only_later_resolutions() {
    let db = sqlite().await;
    // Resolved a month later: the rollup's last days hold resolutions only.
    let late = |id, day| ticket(id, day, Some(30 * 24), None);
    ingest::tickets(&db, &[late("A", "2025-03-02"), late("B", "2025-03-05")]).await.unwrap();
    assert_eq!(count(&db, "daily_rollup WHERE tickets = 0").await, 2, "two days of resolutions only");
    let day = |d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
    assert_eq!(kpi_values::latest_day(&db).await.unwrap(), day("2025-03-05"));
    assert_eq!(kpi_values::months_with_data(&db).await.unwrap(), vec![month("2025-03")]);
    let plan = texts(&db, &format!("EXPLAIN QUERY PLAN {}", app::store::rollup::DATA_SPAN), "detail").await;
    let seeks = plan.iter().filter(|step| step.contains("INDEX daily_rollup_ticket_days")).count();
    assert_eq!(seeks, 2, "{plan:?}");
}

#[tokio::test]
async fn loading_the_same_tickets_twice_changes_nothing() {
    let db = sqlite().await;
    let batch = vec![ticket("A", "2025-03-02", Some(2), Some(5)), ticket("B", "2025-03-03", None, Some(2))];
    let first = ingest::tickets(&db, &batch).await.unwrap();
    let csat = kpi(&db, Kpi::Csat, "2025-03").await;
    let second = ingest::tickets(&db, &batch).await.unwrap();
    assert_eq!((first.inserted, first.updated), (2, 0));
    assert_eq!((second.inserted, second.updated, second.unchanged), (0, 0, 2));
    assert_eq!(count(&db, "tickets").await, 2);
    assert_eq!(kpi(&db, Kpi::Csat, "2025-03").await, csat);
    assert_eq!(csat, Some(50.0));
}

#[tokio::test]
async fn an_updated_ticket_moves_its_contribution_in_the_rollup() {
    let db = sqlite().await;
    ingest::tickets(
        &db,
        &[ticket("A", "2025-03-31", None, Some(1)), ticket("B", "2025-03-15", Some(1), Some(5))],
    )
    .await
    .unwrap();
    assert_eq!(kpi(&db, Kpi::Csat, "2025-03").await, Some(50.0));
    assert_eq!(kpi(&db, Kpi::Backlog, "2025-03").await, Some(1.0));
    // A is re-dated into April, rated again and resolved.
    ingest::tickets(&db, &[ticket("A", "2025-04-02", Some(3), Some(5))]).await.unwrap();
    assert_eq!(kpi(&db, Kpi::Csat, "2025-03").await, Some(100.0));
    assert_eq!(kpi(&db, Kpi::Tickets, "2025-03").await, Some(1.0));
    assert_eq!(kpi(&db, Kpi::Backlog, "2025-03").await, Some(0.0));
    assert_eq!(kpi(&db, Kpi::Tickets, "2025-04").await, Some(1.0));
    assert_eq!(kpi(&db, Kpi::ResolutionMeanH, "2025-04").await, Some(3.0));
}

#[tokio::test]
async fn a_month_without_tickets_has_no_rates_not_zero() {
    let db = sqlite().await;
    ingest::tickets(&db, &[ticket("A", "2025-03-02", Some(2), None)]).await.unwrap();
    assert_eq!(kpi(&db, Kpi::Csat, "2025-03").await, None);
    assert_eq!(kpi(&db, Kpi::FcrRate, "2025-05").await, None);
    assert_eq!(kpi(&db, Kpi::Tickets, "2025-05").await, Some(0.0));
}

fn target(value: f64) -> app::models::TargetRecord {
    app::models::TargetRecord {
        kpi: "csat".into(),
        period: "2025-03".into(),
        scope_dim: String::new(),
        scope_value: String::new(),
        value,
        set_by: "ana".into(),
        note: String::new(),
    }
}

#[tokio::test]
async fn target_changes_are_kept_in_history_and_audited_with_old_and_new_values() {
    let db = sqlite().await;
    ingest::targets(&db, &[target(80.0)]).await.unwrap();
    ingest::targets(&db, &[target(80.0)]).await.unwrap();
    ingest::targets(&db, &[target(82.5)]).await.unwrap();
    assert_eq!(count(&db, "target_history").await, 3);
    let row = sqlx::query(
        "SELECT actor, old_value, new_value FROM audit_log WHERE action = 'target.set' ORDER BY id DESC",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(row.len(), 2, "the unchanged reload is not audited");
    let (actor, old, new): (String, String, String) =
        (row[0].try_get(0).unwrap(), row[0].try_get(1).unwrap(), row[0].try_get(2).unwrap());
    assert_eq!((actor.as_str(), old.as_str(), new.as_str()), ("ana", "80", "82.5"));
}

#[tokio::test]
async fn an_invalid_target_is_refused_and_names_the_field() {
    let db = sqlite().await;
    let bad = app::models::TargetRecord { kpi: "happiness".into(), ..target(1.0) };
    let IngestError::Invalid { error, .. } = ingest::targets(&db, &[target(80.0), bad]).await.unwrap_err()
    else {
        panic!("expected a validation error")
    };
    assert_eq!(error.field, "kpi");
    assert_eq!(count(&db, "targets").await, 0);
}

#[tokio::test]
async fn a_rebuilt_rollup_counts_the_sla_with_the_new_hours() {
    let mut db = sqlite().await;
    ingest::tickets(
        &db,
        &[ticket("A", "2025-03-02", Some(30), None), ticket("B", "2025-03-03", Some(2), None)],
    )
    .await
    .unwrap();
    assert_eq!(kpi(&db, Kpi::SlaAttainment, "2025-03").await, Some(50.0));
    db.sla_seconds = 48 * 3600;
    let mut tx = db.pool.begin().await.unwrap();
    app::store::rollup::rebuild_all(&mut tx, db.rollup_rules()).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(kpi(&db, Kpi::SlaAttainment, "2025-03").await, Some(100.0));
}

/// Manual `ANALYZE`s of the cube on Postgres so far.
async fn cube_analyses(db: &Db) -> i64 {
    sqlx::query("SELECT analyze_count AS n FROM pg_stat_user_tables WHERE relname = 'rollup_cube'")
        .fetch_one(&db.pool)
        .await
        .unwrap()
        .try_get("n")
        .unwrap()
}

/// Without statistics (a first import) Postgres planned range reads 25
/// times slower: a large write refreshes them at commit, a small one not.
#[tokio::test]
async fn a_large_write_refreshes_the_rollups_statistics_on_postgres() {
    let db = super::support::open(&super::support::postgres_url().await).await;
    let small: Vec<TicketRecord> =
        (0..10).map(|i| ticket(&format!("S{i}"), "2025-03-03", Some(2), None)).collect();
    ingest::tickets(&db, &small).await.unwrap();
    assert_eq!(cube_analyses(&db).await, 0, "ten tickets do not call for new statistics");
    let large: Vec<TicketRecord> =
        (0..1_000).map(|i| ticket(&format!("L{i}"), "2025-03-04", Some(2), Some(4))).collect();
    ingest::tickets(&db, &large).await.unwrap();
    assert_eq!(cube_analyses(&db).await, 1);
}

/// A SQLite commit leaves its pages in the WAL (a large import's commit
/// copied GBs into the main file before it returned; pooled connections
/// have no automatic checkpoint, see `kpi_matches_sql`); the database's
/// own task copies them in within a few seconds.
#[tokio::test]
async fn sqlite_copies_committed_pages_into_the_main_file_apart_from_the_commit() {
    let url = sqlite_url();
    let db = open(&url).await;
    let pragma = |name: &'static str| {
        let pool = db.pool.clone();
        async move {
            let row = sqlx::query(&format!("PRAGMA {name}")).fetch_one(&pool).await.unwrap();
            row.try_get::<i64, _>(0).unwrap()
        }
    };
    let tickets: Vec<TicketRecord> =
        (0..3_000).map(|i| ticket(&format!("T-{i}"), "2025-03-04", Some(2), Some(5))).collect();
    ingest::tickets(&db, &tickets).await.unwrap();
    assert_eq!(count(&db, "tickets").await, 3_000, "committed rows are read at once");
    // The database as readers see it, WAL included; the main file holds all of it once copied.
    let pages = pragma("page_count").await * pragma("page_size").await;
    assert!(pages > 100_000, "{pages} bytes");
    let file = url.trim_start_matches("sqlite://").to_string();
    let waited = std::time::Instant::now();
    while std::fs::metadata(&file).unwrap().len() < pages as u64 {
        assert!(waited.elapsed().as_secs() < 10, "the WAL was not copied into the main file in 10 s");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// A command-line import ends with the WAL copied into the main file: its
/// process does not live on to let the checkpoint task do it.
#[tokio::test]
async fn a_command_line_import_leaves_no_wal_behind() {
    let dir = std::env::temp_dir().join("aftercare-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let (file, database) = (
        dir.join(format!("wal-{}.csv", std::process::id())),
        dir.join(format!("cli-wal-{}.db", std::process::id())),
    );
    let _ = std::fs::remove_file(&database);
    let rows: String =
        (0..500).map(|i| format!("W-{i},2025-03-04T09:00:00Z,chat,billing,Tier 1\n")).collect();
    std::fs::write(&file, format!("external_id,created_at,channel,category,team\n{rows}")).unwrap();
    let url = format!("sqlite://{}", database.display());
    server::import_cli::run(&config(url.clone()), Kind::Tickets, file.to_str().unwrap(), None, None)
        .await
        .unwrap();
    let wal = std::fs::metadata(format!("{}-wal", database.display())).map_or(0, |m| m.len());
    assert_eq!(wal, 0, "bytes left in the WAL");
    let db = open(&url).await;
    assert_eq!(count(&db, "tickets").await, 500);
}
