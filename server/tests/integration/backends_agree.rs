//! The same demo data gives the same KPI values on SQLite and on Postgres.

use super::support::{month, postgres, sqlite, with_demo};
use app::kpi::{Kpi, KpiSettings};
use app::models::{Dimension, Filters};
use app::store::{kpi_values, Db, KpiQuery};

async fn table(db: &Db, filters: Filters, group_by: Vec<Dimension>) -> kpi_values::KpiTable {
    let query = KpiQuery {
        kpis: Kpi::ALL.to_vec(),
        first: month("2025-07"),
        last: month("2025-10"),
        filters,
        group_by,
    };
    kpi_values::load(db, &query).await.unwrap()
}

fn same(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(1.0),
        (a, b) => a == b,
    }
}

#[tokio::test]
async fn sqlite_and_postgres_give_identical_kpis() {
    let (lite, pg) =
        tokio::join!(async { with_demo(sqlite().await).await }, async { with_demo(postgres().await).await });
    let slices = [
        (Filters::default(), vec![]),
        (Filters { channel: Some("email".into()), ..Filters::default() }, vec![]),
        (
            Filters {
                category: Some("delivery".into()),
                team: Some("Orders & delivery".into()),
                ..Filters::default()
            },
            vec![],
        ),
        (Filters::default(), vec![Dimension::Channel, Dimension::Category]),
    ];
    let settings = KpiSettings::default();
    let mut compared = 0;
    for (filters, group_by) in slices {
        let (a, b) =
            (table(&lite, filters.clone(), group_by.clone()).await, table(&pg, filters, group_by).await);
        assert_eq!(a.cells.keys().collect::<Vec<_>>(), b.cells.keys().collect::<Vec<_>>());
        for (group, periods) in &a.cells {
            for p in periods.keys() {
                for kpi in Kpi::ALL {
                    let (x, y) = (a.value(*kpi, group, p, &settings), b.value(*kpi, group, p, &settings));
                    assert!(same(x, y), "{} {p} {group:?}: sqlite {x:?} postgres {y:?}", kpi.key());
                    compared += usize::from(x.is_some());
                }
            }
        }
    }
    assert!(compared > 1_000, "only {compared} values compared");
}

#[tokio::test]
async fn postgres_reports_itself_in_health_and_holds_the_demo() {
    let pg = with_demo(postgres().await).await;
    assert_eq!(pg.backend.name(), "postgres");
    assert!(!pg.is_empty().await.unwrap());
}
