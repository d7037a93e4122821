//! The reporting time zone decides the day, and so the month, of a ticket
//! and an order; starting with another zone rebuilds the rollups once.

use super::support::{month, postgres, sqlite};
use app::kpi::period::day_number;
use app::kpi::{Kpi, KpiSettings};
use app::models::{Filters, OrderRecord, TicketRecord};
use app::store::rollup_rules::{align, Aligned};
use app::store::zone::ReportingZone;
use app::store::{ingest, kpi_values, Db, KpiQuery};
use sqlx::Row;

/// 2025-01-31 23:30 UTC: still January in London, already February in Berlin.
fn late_january() -> i64 {
    day_number(chrono::NaiveDate::from_ymd_opt(2025, 1, 31).unwrap()) * 86_400 + 23 * 3600 + 1800
}

fn berlin() -> ReportingZone {
    ReportingZone::parse("Europe/Berlin").unwrap()
}

fn ticket() -> TicketRecord {
    let at = late_january();
    TicketRecord {
        external_id: "TZ-1".into(),
        created_at: at,
        first_response_at: Some(at + 600),
        resolved_at: Some(at + 7200),
        channel: "email".into(),
        category: "delivery".into(),
        priority: "normal".into(),
        team: "Tier 1".into(),
        agent: "Ana".into(),
        status: "solved".into(),
        csat: Some(5),
        nps: None,
        ces: None,
        contacts: 1,
        first_contact_resolved: true,
        reopened: false,
        escalated: false,
        customer_id: Some("C-1".into()),
        order_id: None,
        product: None,
    }
}

fn order() -> OrderRecord {
    OrderRecord {
        external_id: "O-1".into(),
        customer_id: "C-1".into(),
        placed_at: late_january(),
        amount: Some(40.0),
        currency: "EUR".into(),
    }
}

async fn tickets_in(db: &Db, m: &str) -> f64 {
    let query = KpiQuery {
        kpis: vec![Kpi::Tickets],
        first: month(m),
        last: month(m),
        filters: Filters::default(),
        group_by: vec![],
    };
    let table = kpi_values::load(db, &query).await.unwrap();
    table.value(Kpi::Tickets, &[], &month(m), &KpiSettings::default()).unwrap_or(0.0)
}

async fn order_months(db: &Db) -> Vec<String> {
    sqlx::query("SELECT month FROM customer_months ORDER BY month")
        .fetch_all(&db.pool)
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get("month").unwrap())
        .collect()
}

async fn a_new_zone_moves_tickets_and_orders_to_its_calendar(mut db: Db) {
    assert_eq!(align(&db).await.unwrap(), Aligned::Unchanged, "a fresh database follows the server at once");
    ingest::tickets(&db, &[ticket()]).await.unwrap();
    ingest::orders(&db, &[order()]).await.unwrap();
    assert_eq!((tickets_in(&db, "2025-01").await, tickets_in(&db, "2025-02").await), (1.0, 0.0));
    assert_eq!(order_months(&db).await, ["2025-01"]);

    db.zone = berlin();
    assert_eq!(
        align(&db).await.unwrap(),
        Aligned::Rebuilt { from_zone: "UTC".into(), from_sla_seconds: db.sla_seconds }
    );
    assert_eq!((tickets_in(&db, "2025-01").await, tickets_in(&db, "2025-02").await), (0.0, 1.0));
    assert_eq!(order_months(&db).await, ["2025-02"]);
    assert_eq!(align(&db).await.unwrap(), Aligned::Unchanged, "the rebuild is recorded");

    db.sla_seconds = 3600;
    assert_eq!(
        align(&db).await.unwrap(),
        Aligned::Rebuilt { from_zone: "Europe/Berlin".into(), from_sla_seconds: 86_400 }
    );
    let query = KpiQuery {
        kpis: vec![Kpi::SlaAttainment],
        first: month("2025-02"),
        last: month("2025-02"),
        filters: Filters::default(),
        group_by: vec![],
    };
    let sla = kpi_values::load(&db, &query).await.unwrap().value(
        Kpi::SlaAttainment,
        &[],
        &month("2025-02"),
        &KpiSettings::default(),
    );
    assert_eq!(sla, Some(0.0), "resolved in 2 h against a 1 h SLA");
}

async fn an_import_in_a_zone_counts_on_its_days_from_the_start(mut db: Db) {
    db.zone = berlin();
    assert_eq!(align(&db).await.unwrap(), Aligned::Unchanged);
    ingest::tickets(&db, &[ticket()]).await.unwrap();
    ingest::orders(&db, &[order()]).await.unwrap();
    assert_eq!((tickets_in(&db, "2025-01").await, tickets_in(&db, "2025-02").await), (0.0, 1.0));
    assert_eq!(order_months(&db).await, ["2025-02"]);
}

#[tokio::test]
async fn a_new_zone_moves_tickets_and_orders_to_its_calendar_on_sqlite() {
    a_new_zone_moves_tickets_and_orders_to_its_calendar(sqlite().await).await;
}

#[tokio::test]
async fn a_new_zone_moves_tickets_and_orders_to_its_calendar_on_postgres() {
    a_new_zone_moves_tickets_and_orders_to_its_calendar(postgres().await).await;
}

#[tokio::test]
async fn an_import_in_a_zone_counts_on_its_days_from_the_start_on_sqlite() {
    an_import_in_a_zone_counts_on_its_days_from_the_start(sqlite().await).await;
}

#[tokio::test]
async fn an_import_in_a_zone_counts_on_its_days_from_the_start_on_postgres() {
    an_import_in_a_zone_counts_on_its_days_from_the_start(postgres().await).await;
}
