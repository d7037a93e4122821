//! Post-support repurchase per month (`support_months`): after tickets and
//! orders are imported in any order, updated, moved to other customers,
//! months and channels, every month under every filter equals the count
//! over the raw tickets and orders, on both backends; a rebuild and the
//! start-up backfill write the same rows.

use super::support::{month, postgres, sqlite, Lcg};
use app::kpi::period::day_number;
use app::models::{Filters, OrderRecord, TicketRecord};
use app::store::{ingest, read, support_months, Backend, Db};
use sqlx::Row;

/// Day `n` after 2025-01-01, in epoch seconds, at a varying time of day.
fn time(rng: &mut Lcg, days: u64) -> i64 {
    let start = day_number(chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap());
    (start + rng.next(days) as i64) * 86_400 + rng.next(86_400) as i64
}

fn ticket(i: u64, version: u64) -> TicketRecord {
    let mut rng = Lcg(i * 7919 + version * 104_729 + 5);
    let created_at = time(&mut rng, 150);
    TicketRecord {
        external_id: format!("T-{i}"),
        created_at,
        first_response_at: None,
        resolved_at: None,
        channel: ["email", "chat"][rng.next(2) as usize].into(),
        category: ["delivery", "returns"][rng.next(2) as usize].into(),
        priority: "normal".into(),
        team: ["Tier 1", "Tier 2"][rng.next(2) as usize].into(),
        agent: "Ana".into(),
        status: "open".into(),
        csat: None,
        nps: None,
        ces: None,
        contacts: 1,
        first_contact_resolved: false,
        reopened: false,
        escalated: false,
        customer_id: (rng.next(6) > 0).then(|| format!("C-{}", rng.next(25))),
        order_id: None,
        product: None,
    }
}

fn order(i: u64, version: u64) -> OrderRecord {
    let mut rng = Lcg(i * 6271 + version * 99_991 + 11);
    OrderRecord {
        external_id: format!("O-{i}"),
        customer_id: format!("C-{}", rng.next(25)),
        placed_at: time(&mut rng, 240),
        amount: Some(20.0),
        currency: "EUR".into(),
    }
}

fn filters() -> Vec<Filters> {
    let f = |channel: Option<&str>, category: Option<&str>, team: Option<&str>| Filters {
        channel: channel.map(str::to_string),
        category: category.map(str::to_string),
        team: team.map(str::to_string),
    };
    vec![
        f(None, None, None),
        f(Some("chat"), None, None),
        f(None, Some("returns"), None),
        f(None, None, Some("Tier 2")),
        f(Some("email"), Some("delivery"), None),
        f(Some("chat"), Some("returns"), Some("Tier 1")),
    ]
}

async fn assert_equals_raw(db: &Db, step: &str) {
    let mut repurchased = 0;
    for period in month("2024-12").through(month("2025-07")) {
        for f in filters() {
            let kept = support_months::month(db, &period, &f).await.unwrap();
            let raw = read::ticket_customers(db, &period, &f).await.unwrap();
            assert_eq!(kept, raw, "{step}: {period} with {f:?}");
            repurchased += kept.1;
        }
    }
    assert!(repurchased > 0, "{step}: some customers repurchase");
}

pub(super) async fn rows(db: &Db) -> Vec<String> {
    let all = sqlx::query(
        "SELECT month, dims, channel, category, team, customers, repurchased FROM support_months \
         ORDER BY month, dims, channel, category, team",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    all.iter()
        .map(|r| {
            let text = |c: &str| r.get::<String, _>(c);
            let int = |c: &str| r.get::<i64, _>(c);
            format!(
                "{} {} {} {} {} {} {}",
                text("month"),
                int("dims"),
                text("channel"),
                text("category"),
                text("team"),
                int("customers"),
                int("repurchased")
            )
        })
        .collect()
}

async fn repurchase_counts_equal_the_raw_rows(db: Db) {
    ingest::orders(&db, &(0..60).map(|i| order(i, 0)).collect::<Vec<_>>()).await.unwrap();
    ingest::tickets(&db, &(0..120).map(|i| ticket(i, 0)).collect::<Vec<_>>()).await.unwrap();
    assert_equals_raw(&db, "orders, then tickets").await;
    ingest::orders(&db, &(60..140).map(|i| order(i, 0)).collect::<Vec<_>>()).await.unwrap();
    assert_equals_raw(&db, "more orders").await;
    // Tickets moved to other customers, months and channels; new ones.
    let tickets: Vec<TicketRecord> =
        (0..50).map(|i| ticket(i, 1)).chain((120..160).map(|i| ticket(i, 0))).collect();
    ingest::tickets(&db, &tickets).await.unwrap();
    assert_equals_raw(&db, "tickets updated").await;
    ingest::orders(&db, &(0..70).map(|i| order(i, 1)).collect::<Vec<_>>()).await.unwrap();
    assert_equals_raw(&db, "orders moved").await;

    let kept = rows(&db).await;
    assert!(kept.len() > 100, "{} rows", kept.len());
    let mut conn = db.pool.acquire().await.unwrap();
    support_months::rebuild_all(&mut conn, db.zone).await.unwrap();
    assert_eq!(rows(&db).await, kept, "a rebuild");
    // Pages of a few tickets (each rounded up to its last customer's last
    // ticket), so that each customer is read at a page's start, middle or end.
    for per_page in [1, 2, 7] {
        support_months::rebuild_in_pages(&mut conn, db.zone, per_page).await.unwrap();
        assert_eq!(rows(&db).await, kept, "a rebuild reading pages of {per_page} tickets");
    }
    drop(conn);
    sqlx::query("DELETE FROM support_months").execute(&db.pool).await.unwrap();
    support_months::build_if_missing(&db).await.unwrap();
    assert_eq!(rows(&db).await, kept, "the start-up backfill");
}

#[tokio::test]
async fn repurchase_counts_equal_the_raw_rows_on_sqlite() {
    repurchase_counts_equal_the_raw_rows(sqlite().await).await;
}

#[tokio::test]
async fn repurchase_counts_equal_the_raw_rows_on_postgres() {
    repurchase_counts_equal_the_raw_rows(postgres().await).await;
}

/// Orders into an empty table after the tickets: on SQLite the orders'
/// indexes are built at commit, and the customers touched meanwhile are
/// read without orders. Then orders into the table they filled.
async fn a_first_orders_import_after_the_tickets_equals_the_raw_rows(db: Db) {
    ingest::tickets(&db, &(0..120).map(|i| ticket(i, 0)).collect::<Vec<_>>()).await.unwrap();
    // Ten ids again, at other customers and times: the last of each is kept.
    let orders: Vec<OrderRecord> = (0..60).map(|i| order(i, 0)).chain((0..10).map(|i| order(i, 1))).collect();
    let report = ingest::orders(&db, &orders).await.unwrap();
    assert_eq!(report.inserted, 60);
    assert_equals_raw(&db, "tickets, then orders into an empty table").await;
    if db.backend == Backend::Sqlite {
        let indexes: Vec<String> = sqlx::query(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'orders' AND sql IS NOT NULL \
             ORDER BY name",
        )
        .fetch_all(&db.pool)
        .await
        .unwrap()
        .iter()
        .map(|row| row.get("name"))
        .collect();
        assert_eq!(indexes, ["orders_customer", "orders_placed_at"], "built again at commit");
    }
    ingest::orders(&db, &(40..100).map(|i| order(i, 2)).collect::<Vec<_>>()).await.unwrap();
    assert_equals_raw(&db, "more orders, some moved").await;
}

#[tokio::test]
async fn a_first_orders_import_after_the_tickets_equals_the_raw_rows_on_sqlite() {
    a_first_orders_import_after_the_tickets_equals_the_raw_rows(sqlite().await).await;
}

#[tokio::test]
async fn a_first_orders_import_after_the_tickets_equals_the_raw_rows_on_postgres() {
    a_first_orders_import_after_the_tickets_equals_the_raw_rows(postgres().await).await;
}
