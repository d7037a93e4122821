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

/// The customer tables as stored: customer × month rows, monthly totals and
/// trailing-year counts.
async fn customer_tables(db: &Db) -> Vec<String> {
    let customer_months = sqlx::query(
        "SELECT customer_id, month, orders, amount, priced_orders, is_returning FROM customer_months \
         ORDER BY customer_id, month",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let order_months = sqlx::query(
        "SELECT month, orders, amount, customers, returning_customers, priced_orders FROM order_months ORDER BY month",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let mut out: Vec<String> = customer_months
        .iter()
        .map(|r| {
            let (id, month): (String, String) = (r.get("customer_id"), r.get("month"));
            let (orders, amount, priced): (i64, f64, i64) =
                (r.get("orders"), r.get("amount"), r.get("priced_orders"));
            format!("{id} {month} {orders} {amount} {priced} {}", r.get::<i64, _>("is_returning"))
        })
        .collect();
    out.extend(order_months.iter().map(|r| {
        let (month, orders, amount): (String, i64, f64) = (r.get("month"), r.get("orders"), r.get("amount"));
        let (customers, returning, priced): (i64, i64, i64) =
            (r.get("customers"), r.get("returning_customers"), r.get("priced_orders"));
        format!("{month} {orders} {amount} {customers} {returning} {priced}")
    }));
    out.extend(year_counts(db).await.into_iter().map(|(month, n)| format!("{month} {n}")));
    out
}

/// A rebuild reads the orders a page (20,000 orders) at a time; with more
/// orders than a page, it writes the rows ingest kept customer by customer.
async fn a_paged_rebuild_writes_what_ingest_kept(db: Db) {
    let orders: Vec<OrderRecord> = (0..25_000)
        .map(|i| OrderRecord { customer_id: format!("C-{}", i * 7 % 3_001), ..order(i, 0) })
        .collect();
    ingest::orders(&db, &orders).await.unwrap();
    let kept = customer_tables(&db).await;
    assert!(kept.len() > 10_000, "{} rows", kept.len());
    let mut conn = db.pool.acquire().await.unwrap();
    customer_months::rebuild_all(&mut conn, db.zone).await.unwrap();
    drop(conn);
    assert_eq!(customer_tables(&db).await, kept);
}

#[tokio::test]
async fn a_paged_rebuild_writes_what_ingest_kept_on_sqlite() {
    a_paged_rebuild_writes_what_ingest_kept(sqlite().await).await;
}

#[tokio::test]
async fn a_paged_rebuild_writes_what_ingest_kept_on_postgres() {
    a_paged_rebuild_writes_what_ingest_kept(postgres().await).await;
}
