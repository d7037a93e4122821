//! Agent, priority and product in the matrix (the monthly dimension rollup)
//! and the repeat-contacts KPI, on SQLite and Postgres: every cell equals
//! an independent query over the raw tickets, combinations the rollup
//! cannot answer are refused naming the field, top-N folds columns, and a
//! rebuilt rollup gives the same answer.

use super::app::TestApp;
use super::matrix::{apps, rest, SEPTEMBER};
use super::support::{sqlite, with_demo};
use app::models::TokenScope;
use serde_json::Value;
use sqlx::Row;

/// `(value, n)` of a KPI over the raw tickets of September where `column1 =
/// $3` and `column2 = $4`; `kpi_sql` is `(numerator, denominator)` SQL.
async fn raw(app: &TestApp, kpi_sql: (&str, &str), where_sql: &str, binds: &[&str]) -> (Option<f64>, i64) {
    raw_in(app, SEPTEMBER, kpi_sql, where_sql, binds).await
}

/// [`raw`] over the tickets created in `[from, to)`.
async fn raw_in(
    app: &TestApp,
    (from, to): (i64, i64),
    kpi_sql: (&str, &str),
    where_sql: &str,
    binds: &[&str],
) -> (Option<f64>, i64) {
    let sql = format!(
        "SELECT CAST({} AS DOUBLE PRECISION) AS num, CAST({} AS BIGINT) AS den FROM tickets \
         WHERE created_at >= $1 AND created_at < $2 {where_sql}",
        kpi_sql.0, kpi_sql.1
    );
    let mut q = sqlx::query(&sql).bind(from).bind(to);
    for b in binds {
        q = q.bind(b.to_string());
    }
    let row = q.fetch_one(&app.db.pool).await.unwrap();
    let num: Option<f64> = row.try_get("num").unwrap();
    let den: i64 = row.try_get("den").unwrap();
    (if den == 0 { None } else { Some(100.0 * num.unwrap_or(0.0) / den as f64) }, den)
}

const CSAT: (&str, &str) = ("SUM(CASE WHEN csat >= 4 THEN 1 ELSE 0 END)", "COUNT(csat)");
const REPEAT: (&str, &str) = ("SUM(CASE WHEN contacts > 1 THEN 1 ELSE 0 END)", "COUNT(*)");
const ESCALATION: (&str, &str) = ("SUM(CASE WHEN escalated <> 0 THEN 1 ELSE 0 END)", "COUNT(*)");

fn close(actual: Option<f64>, expected: Option<f64>, what: &str) {
    match (actual, expected) {
        (Some(a), Some(e)) => assert!((a - e).abs() < 1e-9, "{what}: {a} != {e}"),
        (a, e) => assert_eq!(a, e, "{what}"),
    }
}

#[tokio::test]
async fn agent_priority_and_product_cells_equal_sql_over_the_raw_tickets_on_both_backends() {
    for (app, token) in apps().await {
        for (path, kpi, rows, cols) in [
            (
                "/matrix?kpi=csat&rows=agent&cols=category&from=2025-09-01&to=2025-09-30",
                CSAT,
                "agent",
                "category",
            ),
            (
                "/matrix?kpi=repeat_contact_rate&rows=channel&cols=priority&from=2025-09-01&to=2025-09-30",
                REPEAT,
                "channel",
                "priority",
            ),
            (
                "/matrix?kpi=escalation_rate&rows=product&cols=team&from=2025-09-01&to=2025-09-30",
                ESCALATION,
                "product",
                "team",
            ),
        ] {
            let (status, m) = rest(&app, path, &token).await;
            assert_eq!(status, 200, "{path}: {m}");
            let cells = m["cells"].as_array().unwrap();
            assert!(cells.len() > 4, "{path}: {m}");
            let where_sql = format!("AND {rows} = $3 AND {cols} = $4");
            for c in cells {
                let (row, col) = (c["row"].as_str().unwrap(), c["col"].as_str().unwrap());
                let (value, n) = raw(&app, kpi, &where_sql, &[row, col]).await;
                close(c["value"].as_f64(), value, &format!("{path}: {row} × {col}"));
                assert_eq!(c["n"].as_i64(), Some(n), "{path}: n of {row} × {col}");
            }
            // Totals are the KPI over the union of their tickets.
            let first = &m["row_totals"][0];
            let (value, n) =
                raw(&app, kpi, &format!("AND {rows} = $3"), &[first["row"].as_str().unwrap()]).await;
            close(first["value"].as_f64(), value, "row total");
            assert_eq!(first["n"].as_i64(), Some(n));
            let (value, _) = raw(&app, kpi, "", &[]).await;
            close(m["total"]["value"].as_f64(), value, "total");
        }
    }
}

#[tokio::test]
async fn agent_by_month_shows_the_volume_behind_each_number_and_honours_one_filter() {
    for (app, token) in apps().await {
        let (status, m) = rest(
            &app,
            "/matrix?kpi=tickets&rows=agent&cols=month&from=2025-07-10&to=2025-09-30&channel=chat",
            &token,
        )
        .await;
        assert_eq!(status, 200, "{m}");
        assert_eq!(m["from"], "2025-07-01", "agent matrices read whole months");
        assert_eq!(m["cols"], serde_json::json!(["2025-07", "2025-08", "2025-09"]));
        for c in m["cells"].as_array().unwrap().iter().filter(|c| c["col"] == "2025-09") {
            let (_, n) =
                raw(&app, REPEAT, "AND agent = $3 AND channel = 'chat'", &[c["row"].as_str().unwrap()]).await;
            assert_eq!(c["n"].as_i64(), Some(n));
            assert_eq!(c["value"].as_f64(), Some(n as f64));
        }
    }
}

#[tokio::test]
async fn combinations_the_rollups_cannot_answer_are_refused_naming_the_field() {
    let app = TestApp::spawn_with(with_demo(sqlite().await).await).await;
    let token = app::store::tokens::create(&app.db, "test", "reader", TokenScope::Read).await.unwrap();
    for (path, field) in [
        ("/matrix?rows=agent&cols=product", "cols"),
        ("/matrix?rows=agent&cols=week", "cols"),
        ("/matrix?rows=priority&cols=category&channel=chat", "channel"),
        ("/matrix?rows=agent&cols=month&channel=chat&team=t", "team"),
        ("/matrix?rows=week", "rows"),
        ("/matrix?rows=channel&cols=week&from=1990-01-01&to=2025-09-30", "cols"),
        ("/matrix?top_cols=0", "top_cols"),
    ] {
        let (status, body) = rest(&app, path, &token).await;
        assert_eq!((status, body["field"].as_str()), (422, Some(field)), "{path}: {body}");
    }
}

#[tokio::test]
async fn top_columns_fold_the_rest_into_an_other_column_with_the_true_total() {
    for (app, token) in apps().await {
        let base = "/matrix?kpi=tickets&rows=channel&cols=product&from=2025-09-01&to=2025-09-30";
        let (_, all) = rest(&app, base, &token).await;
        let (status, top) = rest(&app, &format!("{base}&top_cols=2"), &token).await;
        assert_eq!(status, 200, "{top}");
        let cols = top["cols"].as_array().unwrap();
        assert_eq!(cols.len(), 3);
        assert!(cols[2].as_str().unwrap().starts_with("Other ("));
        assert_eq!(top["other_cols"].as_array().unwrap().len(), all["cols"].as_array().unwrap().len() - 2);
        let sum: f64 =
            top["col_totals"].as_array().unwrap().iter().map(|c| c["value"].as_f64().unwrap()).sum();
        assert_eq!(Some(sum), all["total"]["value"].as_f64());
    }
}

/// The spreadsheet median of the resolution hours of the tickets created in
/// `[from, to)` whose `column` is `value` (every ticket when `None`).
async fn raw_resolution_median(app: &TestApp, (from, to): (i64, i64), filter: Option<(&str, &str)>) -> f64 {
    let (column, value) = filter.unwrap_or(("channel", ""));
    let sql = format!(
        "SELECT resolved_at - created_at AS s FROM tickets WHERE created_at >= $1 AND created_at < $2 \
         AND resolved_at IS NOT NULL AND ({column} = $3 OR $3 = '')"
    );
    let rows =
        sqlx::query(&sql).bind(from).bind(to).bind(value.to_string()).fetch_all(&app.db.pool).await.unwrap();
    let mut hours: Vec<f64> = rows.iter().map(|r| r.get::<i64, _>("s") as f64 / 3600.0).collect();
    hours.sort_by(f64::total_cmp);
    let h = (hours.len() - 1) as f64 / 2.0;
    (hours[h.floor() as usize] + hours[h.ceil() as usize]) / 2.0
}

/// 2025-07-01 to 2025-10-01, UTC.
const JULY_TO_SEPTEMBER: (i64, i64) = (1_751_328_000, 1_759_276_800);

/// 2025-07-01 to 2025-11-01, UTC.
const JULY_TO_OCTOBER: (i64, i64) = (1_751_328_000, 1_761_955_200);

/// Over several months: a quantile merges each cell's sketches, of a whole
/// quarter's row and of single months', and the totals merge the cells
/// (within the sketch's error of the raw median); a KPI of sums equals SQL
/// over the raw tickets in every cell.
#[tokio::test]
async fn a_product_matrix_over_months_equals_the_raw_tickets() {
    for (app, token) in apps().await {
        for (to, range) in [("2025-09-30", JULY_TO_SEPTEMBER), ("2025-10-31", JULY_TO_OCTOBER)] {
            let path = format!(
                "/matrix?kpi=resolution_median_h&rows=product&cols=channel&from=2025-07-01&to={to}&top=3"
            );
            let (status, m) = rest(&app, &path, &token).await;
            assert_eq!(status, 200, "{m}");
            let near = |actual: &Value, expected: f64, what: &str| {
                let actual = actual.as_f64().unwrap_or_else(|| panic!("{what}: no value"));
                assert!(
                    (actual - expected).abs() <= 0.011 * expected,
                    "{what} to {to}: {actual} against {expected}"
                );
            };
            let product = m["rows"][0].as_str().unwrap();
            let row = m["row_totals"].as_array().unwrap().iter().find(|r| r["row"] == product).unwrap();
            near(
                &row["value"],
                raw_resolution_median(&app, range, Some(("product", product))).await,
                product,
            );
            let col = &m["col_totals"][0];
            let channel = col["col"].as_str().unwrap();
            near(
                &col["value"],
                raw_resolution_median(&app, range, Some(("channel", channel))).await,
                channel,
            );
            near(&m["total"]["value"], raw_resolution_median(&app, range, None).await, "total");
        }

        // A KPI of sums: the database adds the months up, cell by cell.
        let path = "/matrix?kpi=csat&rows=product&cols=channel&from=2025-07-01&to=2025-09-30";
        let (_, m) = rest(&app, path, &token).await;
        let cells = m["cells"].as_array().unwrap();
        assert!(cells.len() > 10, "{} cells", cells.len());
        for cell in cells {
            let (product, channel) = (cell["row"].as_str().unwrap(), cell["col"].as_str().unwrap());
            let where_sql = "AND product = $3 AND channel = $4";
            let (expected, n) = raw_in(&app, JULY_TO_SEPTEMBER, CSAT, where_sql, &[product, channel]).await;
            assert_eq!(cell["n"].as_i64(), Some(n), "n of {product} × {channel}");
            close(cell["value"].as_f64(), expected, &format!("{product} × {channel}"));
        }
    }
}

#[tokio::test]
async fn a_dimension_rollup_rebuilt_at_start_up_gives_the_same_matrix() {
    for (app, token) in apps().await {
        let path = "/matrix?kpi=resolution_median_h&rows=agent&cols=priority&from=2025-08-01&to=2025-09-30";
        let (_, before) = rest(&app, path, &token).await;
        sqlx::query("DELETE FROM dim_rollup").execute(&app.db.pool).await.unwrap();
        app::store::dim_rollup::build_if_missing(&app.db).await.unwrap();
        let (_, after) = rest(&app, path, &token).await;
        assert_eq!(before, after);
    }
}

#[tokio::test]
async fn running_totals_filled_at_start_up_give_the_same_matrix() {
    for (app, token) in apps().await {
        let path = "/matrix?kpi=csat&rows=product&cols=team&from=2025-08-01&to=2025-10-31";
        let (_, before) = rest(&app, path, &token).await;
        assert!(before["cells"].as_array().unwrap().len() > 4, "{before}");
        sqlx::query("DELETE FROM dim_cumulative").execute(&app.db.pool).await.unwrap();
        app::store::dim_cumulative::build_if_missing(&app.db).await.unwrap();
        let (_, after) = rest(&app, path, &token).await;
        assert_eq!(before, after);
    }
}

#[tokio::test]
async fn repeat_contacts_over_the_cube_equal_sql_on_both_backends() {
    for (app, token) in apps().await {
        let (status, m) = rest(
            &app,
            "/matrix?kpi=repeat_contact_rate&rows=category&cols=channel&from=2025-09-01&to=2025-09-30",
            &token,
        )
        .await;
        assert_eq!(status, 200, "{m}");
        for c in m["cells"].as_array().unwrap() {
            let (row, col) = (c["row"].as_str().unwrap(), c["col"].as_str().unwrap());
            let (value, n) = raw(&app, REPEAT, "AND category = $3 AND channel = $4", &[row, col]).await;
            close(c["value"].as_f64(), value, &format!("{row} × {col}"));
            assert_eq!(c["n"].as_i64(), Some(n));
        }
    }
}

/// The stream behind `GET /api/v1/tickets` for September, cut after `cap` tickets.
async fn september_stream(
    app: &TestApp,
    cap: i64,
) -> impl futures_util::Stream<Item = Result<axum::body::Bytes, std::io::Error>> {
    let range = app::api::query::RangeParams {
        from: Some("2025-09-01".into()),
        to: Some("2025-09-30".into()),
        ..Default::default()
    };
    let query = app::api::tickets::TicketQuery { range, ..Default::default() };
    let checked = app::api::tickets::check(&app.db, &query).await.unwrap();
    server::http::ticket_csv::stream(app.db.clone(), checked, cap)
}

/// The ticket CSV of September, as its lines.
async fn september_csv(app: &TestApp, cap: i64) -> Vec<String> {
    use futures_util::TryStreamExt;
    let chunks: Vec<_> = september_stream(app, cap).await.try_collect().await.unwrap();
    String::from_utf8(chunks.concat()).unwrap().lines().map(str::to_string).collect()
}

#[tokio::test]
async fn a_ticket_csv_longer_than_its_cap_says_so_on_its_last_line() {
    for (app, _) in apps().await {
        let count: i64 =
            sqlx::query("SELECT COUNT(*) FROM tickets WHERE created_at >= $1 AND created_at < $2")
                .bind(SEPTEMBER.0)
                .bind(SEPTEMBER.1)
                .fetch_one(&app.db.pool)
                .await
                .unwrap()
                .try_get(0)
                .unwrap();
        assert!(count > 20, "{count}");
        // Several pages, the last one partial, then the cut.
        let cap = count - 7;
        let cut = september_csv(&app, cap).await;
        assert_eq!(cut.len() as i64, 1 + cap + 1);
        assert!(cut[0].starts_with("external_id,created_at,"));
        assert_eq!(cut.last().unwrap(), server::http::ticket_csv::cut_line(cap).trim_end());
        assert!(cut.last().unwrap().starts_with(&format!("# cut at {cap} tickets")));
        // A list within the cap is whole, with no cut line.
        let whole = september_csv(&app, count).await;
        assert_eq!(whole.len() as i64, 1 + count);
        assert!(!whole.iter().any(|l| l.starts_with("# cut")));
        let ids: std::collections::HashSet<_> =
            whole[1..].iter().map(|l| l.split(',').next().unwrap()).collect();
        assert_eq!(ids.len() as i64, count, "every ticket once");
    }
}

#[tokio::test]
async fn a_ticket_csv_can_be_polled_after_its_end() {
    use futures_util::StreamExt;
    for (app, _) in apps().await {
        let mut csv = Box::pin(september_stream(&app, 50).await);
        while csv.next().await.is_some() {}
        // The compression layer polls once more after the end (a panic there cut gzip downloads).
        assert!(csv.next().await.is_none());
    }
}
