//! KPI values read from the rollup equal an independent computation over the
//! raw tables, month by month and with filters.

use super::support::{month, sqlite, with_demo};
use app::kpi::period::day_number;
use app::kpi::{compute, Kpi, KpiSettings, Period};
use app::models::Filters;
use app::store::{kpi_values, Db, KpiQuery};
use sqlx::Row;

async fn scalar(db: &Db, sql: &str, p: &Period, channel: Option<&str>) -> Option<f64> {
    let (s, e) = (day_number(p.start) * 86_400, day_number(p.end_exclusive()) * 86_400);
    let row =
        sqlx::query(sql).bind(s).bind(e).bind(channel.map(String::from)).fetch_one(&db.pool).await.unwrap();
    row.try_get::<Option<f64>, _>(0).unwrap()
}

/// Independent SQL for each KPI with an exact formula; `$3` is the channel filter.
const DIRECT: &[(Kpi, &str)] = &[
    (Kpi::Tickets, "SELECT CAST(COUNT(*) AS REAL) FROM tickets WHERE created_at >= $1 AND created_at < $2 AND channel = COALESCE($3, channel)"),
    (Kpi::Csat, "SELECT 100.0 * SUM(CASE WHEN csat >= 4 THEN 1 ELSE 0 END) / COUNT(csat) FROM tickets WHERE created_at >= $1 AND created_at < $2 AND csat IS NOT NULL AND channel = COALESCE($3, channel)"),
    (Kpi::CsatMean, "SELECT AVG(CAST(csat AS REAL)) FROM tickets WHERE created_at >= $1 AND created_at < $2 AND channel = COALESCE($3, channel)"),
    (Kpi::Nps, "SELECT 100.0 * (SUM(CASE WHEN nps >= 9 THEN 1 ELSE 0 END) - SUM(CASE WHEN nps <= 6 THEN 1 ELSE 0 END)) / COUNT(nps) FROM tickets WHERE created_at >= $1 AND created_at < $2 AND nps IS NOT NULL AND channel = COALESCE($3, channel)"),
    (Kpi::CesMean, "SELECT AVG(CAST(ces AS REAL)) FROM tickets WHERE created_at >= $1 AND created_at < $2 AND channel = COALESCE($3, channel)"),
    (Kpi::FrtMeanH, "SELECT AVG((first_response_at - created_at) / 3600.0) FROM tickets WHERE created_at >= $1 AND created_at < $2 AND first_response_at IS NOT NULL AND channel = COALESCE($3, channel)"),
    (Kpi::ResolutionMeanH, "SELECT AVG((resolved_at - created_at) / 3600.0) FROM tickets WHERE created_at >= $1 AND created_at < $2 AND resolved_at IS NOT NULL AND channel = COALESCE($3, channel)"),
    (Kpi::SlaAttainment, "SELECT 100.0 * SUM(CASE WHEN resolved_at - created_at <= 86400 THEN 1 ELSE 0 END) / COUNT(*) FROM tickets WHERE created_at >= $1 AND created_at < $2 AND resolved_at IS NOT NULL AND channel = COALESCE($3, channel)"),
    (Kpi::FcrRate, "SELECT 100.0 * SUM(first_contact_resolved) / COUNT(*) FROM tickets WHERE created_at >= $1 AND created_at < $2 AND resolved_at IS NOT NULL AND channel = COALESCE($3, channel)"),
    (Kpi::ReopenRate, "SELECT 100.0 * SUM(reopened) / COUNT(*) FROM tickets WHERE created_at >= $1 AND created_at < $2 AND resolved_at IS NOT NULL AND channel = COALESCE($3, channel)"),
    (Kpi::EscalationRate, "SELECT 100.0 * SUM(escalated) / COUNT(*) FROM tickets WHERE created_at >= $1 AND created_at < $2 AND channel = COALESCE($3, channel)"),
    (Kpi::Backlog, "SELECT CAST(COUNT(*) AS REAL) FROM tickets WHERE created_at < $2 AND (resolved_at IS NULL OR resolved_at >= $2) AND channel = COALESCE($3, channel) AND $1 >= 0"),
    (Kpi::ContactRate, "SELECT 100.0 * (SELECT COUNT(*) FROM tickets WHERE created_at >= $1 AND created_at < $2 AND channel = COALESCE($3, channel)) / (SELECT COUNT(*) FROM orders WHERE placed_at >= $1 AND placed_at < $2)"),
];

async fn rollup_values(db: &Db, first: &str, last: &str, filters: Filters) -> kpi_values::KpiTable {
    let query = KpiQuery {
        kpis: Kpi::ALL.to_vec(),
        first: month(first),
        last: month(last),
        filters,
        group_by: Vec::new(),
    };
    kpi_values::load(db, &query).await.unwrap()
}

#[tokio::test]
async fn rollup_kpis_equal_direct_sql_over_raw_tickets() {
    let db = with_demo(sqlite().await).await;
    for channel in [None, Some("chat"), Some("email")] {
        let filters = Filters { channel: channel.map(String::from), ..Filters::default() };
        let table = rollup_values(&db, "2025-07", "2025-10", filters).await;
        for p in &table.periods {
            for (kpi, sql) in DIRECT {
                let expected = scalar(&db, sql, p, channel).await;
                let actual = table.value(*kpi, &[], p, &KpiSettings::default());
                match (actual, expected) {
                    (Some(a), Some(e)) => assert!(
                        (a - e).abs() < 1e-9 * e.abs().max(1.0),
                        "{} {p} {channel:?}: rollup {a} != sql {e}",
                        kpi.key()
                    ),
                    (a, e) => assert_eq!(a, e, "{} {p} {channel:?}", kpi.key()),
                }
            }
        }
    }
}

/// The median of the raw durations in hours, as a spreadsheet computes it.
async fn raw_median(db: &Db, column: &str, p: &Period) -> f64 {
    let sql = match column {
        "frt" => "SELECT first_response_at - created_at AS d FROM tickets WHERE created_at >= $1 AND created_at < $2 AND first_response_at IS NOT NULL ORDER BY d",
        _ => "SELECT resolved_at - created_at AS d FROM tickets WHERE created_at >= $1 AND created_at < $2 AND resolved_at IS NOT NULL ORDER BY d",
    };
    let (s, e) = (day_number(p.start) * 86_400, day_number(p.end_exclusive()) * 86_400);
    let rows = sqlx::query(sql).bind(s).bind(e).fetch_all(&db.pool).await.unwrap();
    let values: Vec<i64> = rows.iter().map(|r| r.try_get("d").unwrap()).collect();
    let n = values.len();
    (values[(n - 1) / 2] + values[n / 2]) as f64 / 2.0 / 3600.0
}

#[tokio::test]
async fn medians_from_sketches_are_within_one_percent_of_the_raw_median() {
    let db = with_demo(sqlite().await).await;
    let table = rollup_values(&db, "2025-08", "2025-10", Filters::default()).await;
    for p in &table.periods {
        for (kpi, column) in [(Kpi::FrtMedianH, "frt"), (Kpi::ResolutionMedianH, "resolution")] {
            let exact = raw_median(&db, column, p).await;
            let approx = table.value(kpi, &[], p, &KpiSettings::default()).unwrap();
            assert!((approx - exact).abs() / exact <= 0.01, "{} {p}: {approx} vs {exact}", kpi.key());
        }
    }
}

#[tokio::test]
async fn repeat_purchase_rate_equals_a_count_over_raw_orders() {
    let db = with_demo(sqlite().await).await;
    let rows = sqlx::query("SELECT customer_id, placed_at FROM orders").fetch_all(&db.pool).await.unwrap();
    let orders: Vec<(String, i64)> =
        rows.iter().map(|r| (r.try_get(0).unwrap(), r.try_get(1).unwrap())).collect();
    let p = month("2025-09");
    let (s, e) = (day_number(p.start) * 86_400, day_number(p.end_exclusive()) * 86_400);
    let buyers: std::collections::HashSet<&str> =
        orders.iter().filter(|(_, t)| (s..e).contains(t)).map(|(c, _)| c.as_str()).collect();
    let returning = buyers.iter().filter(|c| orders.iter().any(|(o, t)| o == *c && *t < s)).count();
    let expected = 100.0 * returning as f64 / buyers.len() as f64;

    let table = rollup_values(&db, "2025-09", "2025-09", Filters::default()).await;
    let actual = table.value(Kpi::RepeatPurchaseRate, &[], &p, &KpiSettings::default()).unwrap();
    assert!((actual - expected).abs() < 1e-9, "{actual} vs {expected}");
}

#[tokio::test]
async fn financial_kpis_use_the_month_of_financials() {
    let db = with_demo(sqlite().await).await;
    let p = month("2025-10");
    let row = sqlx::query("SELECT support_cost, revenue FROM financials WHERE month = '2025-10'")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let (cost, revenue): (f64, f64) = (row.try_get(0).unwrap(), row.try_get(1).unwrap());
    let table = rollup_values(&db, "2025-10", "2025-10", Filters::default()).await;
    let inputs = table.inputs(&[], &p).unwrap();
    let tickets = inputs.tickets.tickets as f64;
    assert_eq!(compute(Kpi::CostPerContact, inputs, &KpiSettings::default()), Some(cost / tickets));
    assert_eq!(compute(Kpi::SupportCostRatio, inputs, &KpiSettings::default()), Some(cost * 100.0 / revenue));
}

/// Tickets, CSAT and backlog per team for one category, at a grain, as
/// independent SQL over the raw tickets of each period.
async fn raw_by_team(db: &Db, p: &Period, team: &str) -> (f64, Option<f64>, f64) {
    let (s, e) = (day_number(p.start) * 86_400, day_number(p.end_exclusive()) * 86_400);
    let row = sqlx::query(
        "SELECT CAST(COUNT(*) AS DOUBLE PRECISION) AS n, \
         CAST(100.0 * SUM(CASE WHEN csat >= 4 THEN 1 ELSE 0 END) / NULLIF(COUNT(csat), 0) AS DOUBLE PRECISION) AS csat, \
         (SELECT CAST(COUNT(*) AS DOUBLE PRECISION) FROM tickets WHERE created_at < $2 AND (resolved_at IS NULL OR resolved_at >= $2) \
          AND category = 'delivery' AND team = $3) AS backlog \
         FROM tickets WHERE created_at >= $1 AND created_at < $2 AND category = 'delivery' AND team = $3",
    )
    .bind(s)
    .bind(e)
    .bind(team.to_string())
    .fetch_one(&db.pool)
    .await
    .unwrap();
    (row.try_get("n").unwrap(), row.try_get("csat").unwrap(), row.try_get("backlog").unwrap())
}

/// Every grain reads the cube at its own level (days for days and weeks,
/// months for months and quarters, partial months day by day); grouped
/// and filtered answers must still equal the raw tickets, on both backends.
#[tokio::test]
async fn grouped_and_filtered_answers_equal_direct_sql_at_every_grain() {
    for db in [with_demo(sqlite().await).await, with_demo(super::support::postgres().await).await] {
        for (first, last) in [
            ("2025-08-03", "2025-08-12"),
            ("2025-W30", "2025-W39"),
            ("2025-07", "2025-10"),
            ("2025-Q3", "2025-Q4"),
        ] {
            let query = KpiQuery {
                kpis: vec![Kpi::Tickets, Kpi::Csat, Kpi::Backlog],
                first: Period::parse(first).unwrap(),
                last: Period::parse(last).unwrap(),
                filters: Filters { category: Some("delivery".into()), ..Filters::default() },
                group_by: vec![app::models::Dimension::Team],
            };
            let table = kpi_values::load(&db, &query).await.unwrap();
            assert!(table.cells.len() > 1, "{first}: several teams");
            for group in table.cells.keys() {
                for p in &table.periods {
                    let (n, csat, backlog) = raw_by_team(&db, p, &group[0]).await;
                    let settings = KpiSettings::default();
                    let tickets = table.value(Kpi::Tickets, group, p, &settings).unwrap_or(0.0);
                    assert_eq!(tickets, n, "tickets {group:?} {p}");
                    let got = table.value(Kpi::Csat, group, p, &settings);
                    assert!(
                        got.zip(csat).map_or(got.is_none() && csat.is_none(), |(a, b)| (a - b).abs() < 1e-9),
                        "csat {group:?} {p}: {got:?} != {csat:?}"
                    );
                    assert_eq!(
                        table.value(Kpi::Backlog, group, p, &settings),
                        Some(backlog),
                        "backlog {group:?} {p}"
                    );
                }
            }
        }
    }
}

/// A matrix over a range that starts and ends mid-month counts exactly the
/// tickets of the range, cell by cell, row by row and in total.
#[tokio::test]
async fn a_matrix_over_partial_months_counts_the_raw_tickets_of_its_range() {
    use app::models::Dimension;
    for db in [with_demo(sqlite().await).await, with_demo(super::support::postgres().await).await] {
        let (first, last) =
            (month("2025-07").start + chrono::Days::new(19), month("2025-09").start + chrono::Days::new(9));
        let filters = Filters { team: Some("Tier 1".into()), ..Filters::default() };
        let dims = (Dimension::Channel, Dimension::Category);
        let matrix =
            app::store::matrix::load(&db, dims, (first, last), &filters, app::store::matrix::Quantiles::No)
                .await
                .unwrap();
        let rows = sqlx::query(
            "SELECT channel, category, COUNT(*) AS n FROM tickets WHERE created_at >= $1 AND created_at < $2 \
             AND team = $3 GROUP BY channel, category",
        )
        .bind(day_number(first) * 86_400)
        .bind((day_number(last) + 1) * 86_400)
        .bind("Tier 1".to_string())
        .fetch_all(&db.pool)
        .await
        .unwrap();
        assert!(!rows.is_empty(), "the demo has Tier 1 tickets in the range");
        let mut total = 0;
        for row in &rows {
            let key: (String, String) = (row.try_get("channel").unwrap(), row.try_get("category").unwrap());
            let n: i64 = row.try_get("n").unwrap();
            total += n;
            assert_eq!(matrix.cells[&key].tickets.tickets, n, "{key:?}");
        }
        assert_eq!(matrix.cells.len(), rows.len());
        assert_eq!(matrix.total.tickets.tickets, total);
    }
}

/// Every pooled SQLite connection runs with the settings the store asks for.
#[tokio::test]
async fn every_pooled_sqlite_connection_keeps_its_settings() {
    let db = sqlite().await;
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut conn = db.pool.acquire().await.unwrap();
        let sync: i64 =
            sqlx::query("PRAGMA synchronous").fetch_one(&mut *conn).await.unwrap().try_get(0).unwrap();
        let busy: i64 =
            sqlx::query("PRAGMA busy_timeout").fetch_one(&mut *conn).await.unwrap().try_get(0).unwrap();
        let journal: String =
            sqlx::query("PRAGMA journal_mode").fetch_one(&mut *conn).await.unwrap().try_get(0).unwrap();
        let checkpoint_after: i64 =
            sqlx::query("PRAGMA wal_autocheckpoint").fetch_one(&mut *conn).await.unwrap().try_get(0).unwrap();
        let page: i64 =
            sqlx::query("PRAGMA page_size").fetch_one(&mut *conn).await.unwrap().try_get(0).unwrap();
        let cache: i64 =
            sqlx::query("PRAGMA cache_size").fetch_one(&mut *conn).await.unwrap().try_get(0).unwrap();
        assert_eq!(
            (sync, busy, journal.as_str(), checkpoint_after, page, cache),
            (1, 10_000, "wal", 0, 16_384, -8_192),
            "NORMAL, 10 s, WAL, no commit checkpoints (the database's task runs them), \
             a new file's 16 KB pages, an 8 MB page cache"
        );
        held.push(conn);
    }
}
