//! The matrix and its drill-through on SQLite and Postgres: a cell equals an
//! independent query over the raw tickets, a comparison is the difference of
//! two plain matrices, keyset pages list every ticket exactly once, REST
//! equals the server function, bad parameters name their field, and only
//! signed-in readers get in.

use super::app::TestApp;
use super::support::{postgres, sqlite, with_demo};
use app::kpi::Period;
use app::models::TokenScope;
use chrono::NaiveDate;
use serde_json::Value;
use sqlx::Row;
use std::collections::HashSet;

/// September 2025 in epoch seconds, [from, to).
pub(super) const SEPTEMBER: (i64, i64) = (1_756_684_800, 1_759_276_800);

pub(super) async fn apps() -> Vec<(TestApp, String)> {
    let mut apps = Vec::new();
    for db in [with_demo(sqlite().await).await, with_demo(postgres().await).await] {
        let app = TestApp::spawn_with(db).await;
        let token = app::store::tokens::create(&app.db, "test", "reader", TokenScope::Read).await.unwrap();
        apps.push((app, token));
    }
    apps
}

pub(super) async fn rest(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .get(format!("{}/api/v1{path}", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn raw_f64(app: &TestApp, sql: &str, binds: &[&str]) -> Option<f64> {
    let mut q = sqlx::query(sql).bind(SEPTEMBER.0).bind(SEPTEMBER.1);
    for b in binds {
        q = q.bind(b.to_string());
    }
    q.fetch_one(&app.db.pool).await.unwrap().try_get::<Option<f64>, _>(0).unwrap()
}

#[tokio::test]
async fn a_cell_and_its_totals_equal_sql_over_the_raw_tickets_on_both_backends() {
    let csat = "SELECT 100.0 * CAST(SUM(CASE WHEN csat >= 4 THEN 1 ELSE 0 END) AS DOUBLE PRECISION) / COUNT(csat) FROM tickets \
                WHERE created_at >= $1 AND created_at < $2 AND csat IS NOT NULL \
                AND category = COALESCE($3, category) AND channel = COALESCE($4, channel)";
    for (app, token) in apps().await {
        let (status, m) =
            rest(&app, "/matrix?kpi=csat&rows=category&cols=channel&from=2025-09-01&to=2025-09-30", &token)
                .await;
        assert_eq!(status, 200, "{m}");
        let cells = m["cells"].as_array().unwrap();
        assert!(cells.len() > 4);
        for c in cells {
            let (row, col) = (c["row"].as_str().unwrap(), c["col"].as_str().unwrap());
            let expected = raw_f64(&app, csat, &[row, col]).await;
            let actual = c["value"].as_f64();
            match (actual, expected) {
                (Some(a), Some(e)) => assert!((a - e).abs() < 1e-9, "{row} × {col}: {a} != {e}"),
                (a, e) => assert_eq!(a, e, "{row} × {col}"),
            }
        }
        // A row total is the KPI over the row's tickets, not a mean of its cells.
        let row = &m["row_totals"][0];
        let sql = "SELECT 100.0 * CAST(SUM(CASE WHEN csat >= 4 THEN 1 ELSE 0 END) AS DOUBLE PRECISION) / COUNT(csat) FROM tickets \
                   WHERE created_at >= $1 AND created_at < $2 AND csat IS NOT NULL AND category = $3";
        let expected = raw_f64(&app, sql, &[row["row"].as_str().unwrap()]).await.unwrap();
        assert!((row["value"].as_f64().unwrap() - expected).abs() < 1e-9);

        // Share of volume: a cell's tickets over all the matrix's tickets.
        let (_, share) =
            rest(&app, "/matrix?kpi=share&rows=team&cols=channel&from=2025-09-01&to=2025-09-30", &token)
                .await;
        let sum: f64 =
            share["row_totals"].as_array().unwrap().iter().map(|r| r["value"].as_f64().unwrap()).sum();
        assert!((sum - 100.0).abs() < 1e-9, "shares add up to 100 %: {sum}");
        assert_eq!(share["total"]["value"].as_f64(), Some(100.0));
    }
}

#[tokio::test]
async fn top_n_folds_the_rest_into_other_and_keeps_the_true_total() {
    for (app, token) in apps().await {
        let base = "/matrix?kpi=tickets&rows=category&cols=channel&from=2025-09-01&to=2025-09-30";
        let (_, all) = rest(&app, base, &token).await;
        let (status, top) = rest(&app, &format!("{base}&top=2&sort=total"), &token).await;
        assert_eq!(status, 200, "{top}");
        let rows = top["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 3);
        assert!(rows[2].as_str().unwrap().starts_with("Other ("));
        assert_eq!(top["other"].as_array().unwrap().len(), all["rows"].as_array().unwrap().len() - 2);
        let sum: f64 =
            top["row_totals"].as_array().unwrap().iter().map(|r| r["value"].as_f64().unwrap()).sum();
        assert_eq!(Some(sum), all["total"]["value"].as_f64());
        assert_eq!(top["total"], all["total"]);
        // A median's "Other" line merges the folded rows' sketches: without
        // them its values would be "—" (null).
        let median = base.replace("kpi=tickets", "kpi=frt_median_h");
        let (status, top) = rest(&app, &format!("{median}&top=2&sort=total"), &token).await;
        assert_eq!(status, 200, "{top}");
        let other = top["row_totals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["row"].as_str().unwrap().starts_with("Other ("));
        assert!(other.unwrap()["value"].as_f64().is_some_and(|v| v > 0.0), "{top}");
        let other_cells = top["cells"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["row"].as_str().unwrap().starts_with("Other ("))
            .collect::<Vec<_>>();
        assert!(other_cells.len() >= 3);
        assert!(other_cells.iter().all(|c| c["value"].as_f64().is_some()), "{top}");
    }
}

#[tokio::test]
async fn a_comparison_is_the_change_from_the_plain_matrix_of_the_period_before() {
    for (app, token) in apps().await {
        let now = "/matrix?kpi=fcr_rate&rows=team&cols=channel&from=2025-09-01&to=2025-09-30";
        let (status, delta) = rest(&app, &format!("{now}&compare=previous"), &token).await;
        assert_eq!(status, 200, "{delta}");
        assert_eq!(
            (delta["compare_from"].as_str(), delta["compare_to"].as_str()),
            (Some("2025-08-01"), Some("2025-08-31"))
        );
        let (_, before) =
            rest(&app, "/matrix?kpi=fcr_rate&rows=team&cols=channel&from=2025-08-01&to=2025-08-31", &token)
                .await;
        let (_, by_month) = rest(&app, &format!("{now}&compare=2025-08"), &token).await;
        assert_eq!(delta, by_month);
        for c in delta["cells"].as_array().unwrap() {
            let then = before["cells"]
                .as_array()
                .unwrap()
                .iter()
                .find(|b| b["row"] == c["row"] && b["col"] == c["col"]);
            let Some(then) = then else { continue };
            assert_eq!(c["before"].as_f64(), then["value"].as_f64());
            let expected = c["value"].as_f64().unwrap() - then["value"].as_f64().unwrap();
            assert!((c["delta"].as_f64().unwrap() - expected).abs() < 1e-9);
        }
    }
}

#[tokio::test]
async fn months_as_columns_split_the_range_by_calendar_month() {
    for (app, token) in apps().await {
        let (status, m) =
            rest(&app, "/matrix?kpi=tickets&rows=channel&cols=month&from=2025-07-15&to=2025-09-30", &token)
                .await;
        assert_eq!(status, 200, "{m}");
        assert_eq!(m["cols"], serde_json::json!(["2025-07", "2025-08", "2025-09"]));
        let july: i64 =
            sqlx::query("SELECT COUNT(*) FROM tickets WHERE created_at >= $1 AND created_at < $2")
                .bind(1_752_537_600i64) // 2025-07-15
                .bind(1_754_006_400i64) // 2025-08-01
                .fetch_one(&app.db.pool)
                .await
                .unwrap()
                .try_get(0)
                .unwrap();
        assert_eq!(m["col_totals"][0]["value"].as_f64(), Some(july as f64));
    }
}

/// The spreadsheet median of the resolution hours of the tickets created in
/// `[from, to)` on `channel` (every channel when empty); `None` when none
/// was resolved.
async fn raw_resolution_median(app: &TestApp, (from, to): (i64, i64), channel: &str) -> Option<f64> {
    let rows = sqlx::query(
        "SELECT resolved_at - created_at AS s FROM tickets WHERE created_at >= $1 AND created_at < $2 \
         AND resolved_at IS NOT NULL AND (channel = $3 OR $3 = '')",
    )
    .bind(from)
    .bind(to)
    .bind(channel.to_string())
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    let mut hours: Vec<f64> = rows.iter().map(|r| r.get::<i64, _>("s") as f64 / 3600.0).collect();
    hours.sort_by(f64::total_cmp);
    let h = hours.len().checked_sub(1)? as f64 / 2.0;
    Some((hours[h.floor() as usize] + hours[h.ceil() as usize]) / 2.0)
}

/// A median by channel × week over a range that starts and ends mid-week:
/// whole weeks answer from their stored medians, the ragged ends from
/// merged day sketches, row totals and the total from the range's coarsest
/// rows; each within the sketch's error of the raw tickets' median.
#[tokio::test]
async fn a_median_by_week_equals_the_raw_tickets_in_every_cell_and_total() {
    let at = |date: NaiveDate| date.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    // Wednesday 2025-07-16 to Wednesday 2025-09-24.
    let range = (at(day("2025-07-16")), at(day("2025-09-25")));
    let week = |label: &str| {
        let week = Period::parse(label).unwrap();
        (at(week.start).max(range.0), at(week.end_exclusive()).min(range.1))
    };
    let near = |actual: &Value, expected: Option<f64>, what: &str| match (actual.as_f64(), expected) {
        (Some(a), Some(e)) => assert!((a - e).abs() <= 0.011 * e, "{what}: {a} against {e}"),
        (a, e) => assert_eq!(a, e, "{what}"),
    };
    for (app, token) in apps().await {
        let path = "/matrix?kpi=resolution_median_h&rows=channel&cols=week&from=2025-07-16&to=2025-09-24";
        let (status, m) = rest(&app, path, &token).await;
        assert_eq!(status, 200, "{m}");
        let cells = m["cells"].as_array().unwrap();
        assert!(cells.len() >= 4 * 11, "{} cells", cells.len());
        for cell in cells {
            let (channel, label) = (cell["row"].as_str().unwrap(), cell["col"].as_str().unwrap());
            let expected = raw_resolution_median(&app, week(label), channel).await;
            near(&cell["value"], expected, &format!("{channel} × {label}"));
        }
        let cols = m["col_totals"].as_array().unwrap();
        assert_eq!(cols.len(), 11, "{m}");
        for col in cols {
            let label = col["col"].as_str().unwrap();
            near(&col["value"], raw_resolution_median(&app, week(label), "").await, label);
        }
        for row in m["row_totals"].as_array().unwrap() {
            let channel = row["row"].as_str().unwrap();
            near(&row["value"], raw_resolution_median(&app, range, channel).await, channel);
        }
        near(&m["total"]["value"], raw_resolution_median(&app, range, "").await, "total");
    }
}

/// Every page of a sweep, following `next_cursor` until it is absent.
async fn sweep(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let mut all = Vec::new();
    let mut cursor = String::new();
    loop {
        let (status, page) = rest(app, &format!("/tickets?{query}{cursor}"), token).await;
        assert_eq!(status, 200, "{page}");
        let tickets = page["tickets"].as_array().unwrap();
        assert!(tickets.len() <= 500);
        all.extend(tickets.iter().cloned());
        match page.get("next_cursor").and_then(Value::as_str) {
            Some(next) => {
                assert!(!tickets.is_empty());
                cursor = format!("&cursor={next}");
            }
            None => return all,
        }
    }
}

#[tokio::test]
async fn keyset_pages_list_every_ticket_of_the_cell_exactly_once_in_order() {
    for (app, token) in apps().await {
        let expected: i64 = sqlx::query(
            "SELECT COUNT(*) FROM tickets WHERE created_at >= $1 AND created_at < $2 AND channel = 'email'",
        )
        .bind(SEPTEMBER.0)
        .bind(SEPTEMBER.1)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
        assert!(expected > 120, "enough tickets for several pages: {expected}");
        for sort in ["-created_at", "created_at", "external_id", "-external_id"] {
            let all = sweep(
                &app,
                &token,
                &format!("from=2025-09-01&to=2025-09-30&channel=email&limit=37&sort={sort}"),
            )
            .await;
            assert_eq!(all.len() as i64, expected, "{sort}");
            let ids: HashSet<i64> = all.iter().map(|t| t["id"].as_i64().unwrap()).collect();
            assert_eq!(ids.len() as i64, expected, "{sort}: no ticket twice");
            assert!(all.iter().all(|t| t["channel"] == "email"));
            let key = |t: &Value| {
                (t["created_at"].as_i64().unwrap(), t["external_id"].as_str().unwrap().to_string())
            };
            let ordered = all.windows(2).all(|w| match sort {
                "-created_at" => key(&w[0]).0 >= key(&w[1]).0,
                "created_at" => key(&w[0]).0 <= key(&w[1]).0,
                "external_id" => key(&w[0]).1 < key(&w[1]).1,
                _ => key(&w[0]).1 > key(&w[1]).1,
            });
            assert!(ordered, "{sort}");
        }
        // The raw-only filters narrow the list further.
        let agent: String = sqlx::query("SELECT agent FROM tickets ORDER BY id LIMIT 1")
            .fetch_one(&app.db.pool)
            .await
            .unwrap()
            .try_get(0)
            .unwrap();
        let mine = sweep(
            &app,
            &token,
            &format!("from=2025-07-01&to=2025-10-31&limit=500&agent={}", app::url::percent_encode(&agent)),
        )
        .await;
        assert!(!mine.is_empty(), "{agent}");
        assert!(mine.iter().all(|t| t["agent"] == agent.as_str()), "{agent}");
    }
}

#[tokio::test]
async fn the_ticket_list_by_rest_equals_the_server_function_and_exports_csv() {
    for (app, token) in apps().await {
        let cookie = app.signed_in("viewer").await;
        let (status, by_rest) = rest(
            &app,
            "/tickets?from=2025-09-01&to=2025-09-30&category=delivery&sort=created_at&limit=20",
            &token,
        )
        .await;
        assert_eq!(status, 200, "{by_rest}");
        let form = [
            ("query[from]", "2025-09-01"),
            ("query[to]", "2025-09-30"),
            ("query[category]", "delivery"),
            ("query[sort]", "created_at"),
            ("query[limit]", "20"),
        ];
        let response = app.post("/api/get_tickets", Some(&cookie), &form).await;
        assert_eq!(response.status().as_u16(), 200);
        let by_fn: Value = response.json().await.unwrap();
        assert_eq!(by_rest, by_fn);
        assert_eq!(by_rest["tickets"].as_array().unwrap().len(), 20);

        let all = sweep(&app, &token, "from=2025-09-01&to=2025-09-30&category=delivery&limit=500").await;
        let csv = reqwest::Client::new()
            .get(format!("{}/api/v1/tickets?from=2025-09-01&to=2025-09-30&category=delivery", app.base))
            .bearer_auth(&token)
            .header("Accept", "text/csv")
            .send()
            .await
            .unwrap();
        assert_eq!(csv.status().as_u16(), 200);
        assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let text = csv.text().await.unwrap();
        let mut lines = text.lines();
        assert!(lines.next().unwrap().starts_with("external_id,created_at,"));
        assert_eq!(lines.count(), all.len(), "the CSV holds every ticket, not one page");
    }
}

#[tokio::test]
async fn bad_matrix_and_ticket_parameters_are_refused_naming_the_field() {
    let app = TestApp::spawn_with(with_demo(sqlite().await).await).await;
    let token = app::store::tokens::create(&app.db, "test", "reader", TokenScope::Read).await.unwrap();
    for (path, field) in [
        ("/tickets?limit=0", "limit"),
        ("/tickets?limit=501", "limit"),
        ("/tickets?cursor=abc", "cursor"),
        ("/tickets?cursor=-4", "cursor"),
        ("/tickets?sort=agent", "sort"),
        ("/tickets?from=2025-13-01", "from"),
        ("/tickets?from=2025-09-02&to=2025-09-01", "to"),
        ("/tickets?format=xml", "format"),
        ("/matrix?top=0", "top"),
        ("/matrix?top=many", "top"),
        ("/matrix?min_n=-1", "min_n"),
        ("/matrix?sort=size", "sort"),
        ("/matrix?compare=lastyear", "compare"),
        ("/matrix?cols=month&compare=previous", "compare"),
        ("/matrix?cols=agents", "cols"),
    ] {
        let (status, body) = rest(&app, path, &token).await;
        assert_eq!((status, body["field"].as_str()), (422, Some(field)), "{path}: {body}");
    }
}

#[tokio::test]
async fn a_viewer_reads_tickets_and_no_session_gets_a_401() {
    let app = TestApp::spawn_with(with_demo(sqlite().await).await).await;
    let path = "/api/v1/tickets?from=2025-09-01&to=2025-09-30";
    assert_eq!(app.get(path, None).await.status().as_u16(), 401);
    assert_eq!(app.post("/api/get_tickets", None, &[("query[limit]", "5")]).await.status().as_u16(), 401);
    let cookie = app.signed_in("viewer").await;
    assert_eq!(app.get(path, Some(&cookie)).await.status().as_u16(), 200);
    let page = app.get("/matrix/tickets?from=2025-09-01&to=2025-09-30&channel=chat", Some(&cookie)).await;
    let html = page.text().await.unwrap();
    assert!(html.contains("Next page") && html.contains("Download CSV"), "the drill page lists tickets");
    let matrix = app.get("/matrix?from=2025-09-01&to=2025-09-30", Some(&cookie)).await.text().await.unwrap();
    assert!(
        matrix.contains("<table class=\"data-table matrix-table\"") && matrix.contains("/matrix/tickets?")
    );
}

#[tokio::test]
async fn the_audit_log_comes_a_page_at_a_time() {
    let app = TestApp::spawn_with(sqlite().await).await;
    let cookie = app.signed_in("admin").await;
    let mut conn = app.db.pool.acquire().await.unwrap();
    for i in 0..230 {
        app::store::users::audit(&mut conn, "admin", "test", &format!("e{i}"), "", "", i).await.unwrap();
    }
    drop(conn);
    let mut seen = HashSet::new();
    let mut form: Vec<(&str, String)> = Vec::new();
    loop {
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let page: Value = app.post("/api/audit_log", Some(&cookie), &pairs).await.json().await.unwrap();
        let entries = page["entries"].as_array().unwrap();
        assert!(entries.len() <= 100);
        seen.extend(entries.iter().map(|e| e["id"].as_i64().unwrap()));
        match page["next_cursor"].as_str() {
            Some(c) => form = vec![("cursor", c.to_string())],
            None => break,
        }
    }
    let total = app.count("SELECT COUNT(*) FROM audit_log").await;
    assert_eq!(seen.len() as i64, total);
}
