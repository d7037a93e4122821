//! CLV's trailing-year orders and distinct customers: ingest keeps a count
//! per 12-month window, and after orders are added and moved across months
//! and customers it equals a count over the orders themselves, on both
//! backends; a rebuild and the migration's backfill write the same counts.

use super::support::{month, postgres, sqlite, Lcg};
use app::kpi::period::day_number;
use app::kpi::Period;
use app::models::OrderRecord;
use app::store::{customer_months, ingest, read, Db};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};

/// Order `i` of version `version`: 30 customers over two years.
fn order(i: u64, version: u64) -> OrderRecord {
    let mut rng = Lcg(i * 7919 + version * 104_729 + 3);
    let day = day_number(chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()) + rng.next(730) as i64;
    OrderRecord {
        external_id: format!("O-{i}"),
        customer_id: format!("C-{}", rng.next(30)),
        placed_at: day * 86_400 + rng.next(86_400) as i64,
        amount: Some(10.0 + rng.next(90) as f64),
        currency: "EUR".into(),
    }
}

/// Orders and distinct customers of the 12 months ending with `last`, counted
/// over the records (the test's time zone is UTC).
fn expected(orders: &BTreeMap<String, OrderRecord>, last: Period) -> (i64, i64) {
    let end = day_number(last.end_exclusive()) * 86_400;
    let start = day_number(last.end_exclusive() - chrono::Months::new(12)) * 86_400;
    let within: Vec<&OrderRecord> =
        orders.values().filter(|o| o.placed_at >= start && o.placed_at < end).collect();
    let customers: BTreeSet<&str> = within.iter().map(|o| o.customer_id.as_str()).collect();
    (within.len() as i64, customers.len() as i64)
}

async fn year_counts(db: &Db) -> Vec<(String, i64)> {
    let rows = sqlx::query("SELECT month, customers FROM order_years ORDER BY month")
        .fetch_all(&db.pool)
        .await
        .unwrap();
    rows.iter().map(|r| (r.get("month"), r.get("customers"))).collect()
}

async fn trailing_year_counts_equal_the_orders(db: Db, migration: &str) {
    let mut all = BTreeMap::new();
    let mut import = async |orders: Vec<OrderRecord>| {
        ingest::orders(&db, &orders).await.unwrap();
        all.extend(orders.into_iter().map(|o| (o.external_id.clone(), o)));
    };
    import((0..300).map(|i| order(i, 0)).collect()).await;
    // New orders, and old ones moved to another month and customer.
    import((300..360).map(|i| order(i, 0)).chain((0..80).map(|i| order(i, 1))).collect()).await;

    let months = month("2024-01").through(month("2026-02"));
    for last in &months {
        let got = read::trailing_year_orders(&db, last).await.unwrap();
        assert_eq!(got, expected(&all, *last), "the 12 months ending {last}");
    }
    // A quarter's window is the 12 months ending with its last month.
    let quarter = Period::parse("2025-Q2").unwrap();
    assert_eq!(read::trailing_year_orders(&db, &quarter).await.unwrap(), expected(&all, month("2025-06")));

    let kept = year_counts(&db).await;
    assert!(kept.len() >= 24, "{} windows", kept.len());
    let mut conn = db.pool.acquire().await.unwrap();
    customer_months::rebuild_all(&mut conn, db.zone).await.unwrap();
    drop(conn);
    assert_eq!(year_counts(&db).await, kept, "a rebuild");

    sqlx::query("DROP TABLE order_years").execute(&db.pool).await.unwrap();
    sqlx::raw_sql(migration).execute(&db.pool).await.unwrap();
    assert_eq!(year_counts(&db).await, kept, "the migration's backfill");
}

#[tokio::test]
async fn trailing_year_counts_equal_the_orders_on_sqlite() {
    let migration = include_str!("../../../migrations/sqlite/0013_order_years.sql");
    trailing_year_counts_equal_the_orders(sqlite().await, migration).await;
}

#[tokio::test]
async fn trailing_year_counts_equal_the_orders_on_postgres() {
    let migration = include_str!("../../../migrations/postgres/0013_order_years.sql");
    trailing_year_counts_equal_the_orders(postgres().await, migration).await;
}
