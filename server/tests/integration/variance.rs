//! Targets and variance: the targets form refuses each bad input naming its
//! field and saves nothing; replacing a target keeps its history; viewers
//! and read tokens cannot set targets; the variance numbers equal a hand
//! computation over the raw tickets; REST and the server function agree.
//! Each test runs on SQLite and on Postgres.

use super::app::TestApp;
use super::support::{postgres, sqlite, with_demo};
use app::kpi::period::day_number;
use app::models::{TargetVersion, TokenScope};
use serde_json::{json, Value};
use sqlx::Row;

/// The demo (4 months to October 2025, company targets every month) on
/// both backends, each behind a running app.
async fn apps() -> Vec<TestApp> {
    let mut apps = Vec::new();
    for db in [with_demo(sqlite().await).await, with_demo(postgres().await).await] {
        apps.push(TestApp::spawn_with(db).await);
    }
    apps
}

/// A valid form for the targets' server function.
fn form() -> Vec<(&'static str, String)> {
    [
        ("kpi", "csat"),
        ("from", "2025-11"),
        ("to", "2026-01"),
        ("scope", ""),
        ("scope_value", ""),
        ("value", "82"),
        ("tolerance", "3"),
        ("note", "Q4 plan"),
        ("version", "plan"),
    ]
    .map(|(k, v)| (k, v.to_string()))
    .to_vec()
}

fn with(changes: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    let mut f = form();
    for (k, v) in changes {
        f.iter_mut().find(|(name, _)| name == k).expect("a field of the form").1 = v.to_string();
    }
    f
}

async fn set(app: &TestApp, cookie: &str, form: &[(&'static str, String)]) -> (u16, Value) {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let response = app.post("/api/set_targets", Some(cookie), &pairs).await;
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn targets_and_history(app: &TestApp) -> (i64, i64) {
    (
        app.count("SELECT COUNT(*) AS n FROM targets").await,
        app.count("SELECT COUNT(*) AS n FROM target_history").await,
    )
}

#[tokio::test]
async fn the_target_form_refuses_each_bad_input_naming_its_field_and_saves_nothing() {
    for app in apps().await {
        let cookie = app.signed_in("manager").await;
        let before = targets_and_history(&app).await;
        let long_note = "n".repeat(101);
        let cases: Vec<(Vec<(&'static str, &str)>, &str)> = vec![
            (vec![("kpi", "happiness")], "kpi"),
            (vec![("from", "2025-13")], "from"),
            (vec![("from", "1989-12")], "from"),
            (vec![("to", "2101-01")], "to"),
            (vec![("to", "2025-10")], "to"),
            (vec![("to", "2028-01")], "to"),
            (vec![("value", "")], "value"),
            (vec![("value", "lots")], "value"),
            (vec![("value", "100.5")], "value"),
            (vec![("value", "-3")], "value"),
            (vec![("kpi", "resolution_median_h"), ("value", "-1")], "value"),
            (vec![("kpi", "backlog"), ("value", "1e13")], "value"),
            (vec![("tolerance", "101")], "tolerance"),
            (vec![("tolerance", "-1")], "tolerance"),
            (vec![("note", long_note.as_str())], "note"),
            (vec![("scope", "agent"), ("scope_value", "ana")], "scope"),
            (vec![("scope", "channel")], "scope_value"),
            (vec![("scope_value", "chat")], "scope"),
            (vec![("version", "draft")], "version"),
        ];
        for (changes, field) in cases {
            let (status, body) = set(&app, &cookie, &with(&changes)).await;
            assert_eq!(status, 422, "{changes:?}: {body}");
            assert_eq!(body["Invalid"]["field"], field, "{changes:?}: {body}");
            assert!(!body["Invalid"]["message"].as_str().unwrap().is_empty());
        }
        assert_eq!(targets_and_history(&app).await, before, "nothing was saved");
    }
}

#[tokio::test]
async fn a_quarter_is_saved_and_replacing_a_target_keeps_its_history() {
    for app in apps().await {
        let cookie = app.signed_in("manager").await;
        let (status, body) = set(&app, &cookie, &form()).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!((body["saved"].as_i64(), body["replaced"].as_i64()), (Some(3), Some(0)));
        // The demo's plan for October 2025 is 80: replace it twice.
        for value in ["85", "86"] {
            let (status, body) =
                set(&app, &cookie, &with(&[("from", "2025-10"), ("to", ""), ("value", value)])).await;
            assert_eq!(status, 200, "{body}");
            assert_eq!((body["saved"].as_i64(), body["replaced"].as_i64()), (Some(1), Some(1)));
        }
        let current = app::store::targets::list(&app.db, "2025-10", "2025-10", Some("csat")).await.unwrap();
        assert_eq!(current.len(), 1, "one target per key");
        assert_eq!((current[0].value, current[0].set_by.as_str()), (86.0, "manager"));
        assert_eq!((current[0].tolerance_pct, current[0].note.as_str()), (Some(3.0), "Q4 plan"));
        let history = app::store::targets::history(&app.db, Some("csat"), 50).await.unwrap();
        let october: Vec<_> = history.iter().filter(|c| c.target.period == "2025-10").collect();
        let values: Vec<(f64, Option<f64>, &str)> =
            october.iter().map(|c| (c.target.value, c.previous_value, c.target.set_by.as_str())).collect();
        assert_eq!(
            values,
            vec![(86.0, Some(85.0), "manager"), (85.0, Some(80.0), "manager"), (80.0, None, "demo")]
        );
        // A re-forecast sits beside the plan; the plan is kept.
        let (status, _) = set(
            &app,
            &cookie,
            &with(&[("from", "2025-10"), ("to", ""), ("value", "78"), ("version", "reforecast")]),
        )
        .await;
        assert_eq!(status, 200);
        let both = app::store::targets::list(&app.db, "2025-10", "2025-10", Some("csat")).await.unwrap();
        let versions: Vec<(TargetVersion, f64)> = both.iter().map(|t| (t.version, t.value)).collect();
        assert_eq!(versions, vec![(TargetVersion::Plan, 86.0), (TargetVersion::Reforecast, 78.0)]);
        let audited = app
            .count("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'target.set' AND actor = 'manager'")
            .await;
        assert_eq!(audited, 6);
    }
}

#[tokio::test]
async fn viewers_and_read_tokens_cannot_set_targets_but_write_tokens_and_managers_can() {
    for app in apps().await {
        let before = targets_and_history(&app).await;
        let viewer = app.signed_in("viewer").await;
        let (status, body) = set(&app, &viewer, &form()).await;
        assert_eq!(status, 403, "{body}");
        let put = |token: Option<String>, cookie: Option<String>, body: Value| {
            let mut request = reqwest::Client::new().put(format!("{}/api/v1/targets", app.base)).json(&body);
            if let Some(t) = token {
                request = request.bearer_auth(t);
            }
            if let Some(c) = cookie {
                request = request.header("cookie", c);
            }
            request.send()
        };
        let body = json!([{ "kpi": "fcr_rate", "period": "2025-12", "value": 65.0,
                            "scope": { "dimension": "channel", "value": "chat" }, "tolerance": 2.5,
                            "note": "chat push", "version": "reforecast" }]);
        let read = app::store::tokens::create(&app.db, "test", "reader", TokenScope::Read).await.unwrap();
        assert_eq!(put(Some(read), None, body.clone()).await.unwrap().status().as_u16(), 403);
        assert_eq!(put(None, Some(viewer.clone()), body.clone()).await.unwrap().status().as_u16(), 403);
        assert_eq!(put(None, None, body.clone()).await.unwrap().status().as_u16(), 401);
        assert_eq!(targets_and_history(&app).await, before, "nothing was saved");

        let write = app::store::tokens::create(&app.db, "test", "planner", TokenScope::Write).await.unwrap();
        let bad = json!([body[0].clone(), { "kpi": "fcr_rate", "period": "2025-12", "value": 120.0 }]);
        let response = put(Some(write.clone()), None, bad).await.unwrap();
        assert_eq!(response.status().as_u16(), 422);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["field"], "value");
        assert!(problem["error"].as_str().unwrap().starts_with("Target 2:"), "{problem}");
        assert_eq!(targets_and_history(&app).await, before, "one bad target refuses the whole array");

        let response = put(Some(write.clone()), None, body.clone()).await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let saved: Value = response.json().await.unwrap();
        assert_eq!(saved["saved"], 1);
        let listed: Value = reqwest::Client::new()
            .get(format!("{}/api/v1/targets?kpi=fcr_rate&from=2025-12&to=2025-12", app.base))
            .bearer_auth(&write)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
        assert_eq!(listed[0]["scope_value"], "chat");
        assert_eq!(
            (listed[0]["version"].as_str(), listed[0]["set_by"].as_str()),
            (Some("reforecast"), Some("api token"))
        );
        let manager = app.signed_in("manager").await;
        assert_eq!(put(None, Some(manager), body).await.unwrap().status().as_u16(), 200);
    }
}

#[tokio::test]
async fn a_target_worse_than_last_year_is_saved_with_a_warning() {
    for app in apps().await {
        let cookie = app.signed_in("admin").await;
        // The demo's October 2025 is a year before October 2026; a CSAT
        // target of 1 % is below any actual.
        let (status, body) =
            set(&app, &cookie, &with(&[("from", "2026-10"), ("to", ""), ("value", "1")])).await;
        assert_eq!(status, 200, "{body}");
        let warnings = body["warnings"].as_array().unwrap();
        assert_eq!(warnings.len(), 1, "{body}");
        assert!(warnings[0].as_str().unwrap().contains("less than last year's actual"), "{body}");
        let (_, body) = set(&app, &cookie, &with(&[("from", "2026-10"), ("to", ""), ("value", "100")])).await;
        assert!(body["warnings"].as_array().unwrap().is_empty(), "{body}");
    }
}

#[tokio::test]
async fn a_target_beyond_the_benchmark_p90_is_saved_with_a_warning() {
    for app in apps().await {
        sqlx::query(
            "INSERT INTO benchmarks (kpi, segment, p25, p50, p75, p90, unit, source, year) \
             VALUES ('fcr_rate', 'Test segment', 60, 72, 78, 85, '%', 'Test benchmark', 2030)",
        )
        .execute(&app.db.pool)
        .await
        .unwrap();
        let cookie = app.signed_in("manager").await;
        let fcr = |value: &'static str| {
            with(&[("kpi", "fcr_rate"), ("from", "2026-11"), ("to", ""), ("value", value)])
        };
        let (status, body) = set(&app, &cookie, &fcr("90")).await;
        assert_eq!(status, 200, "{body}");
        let warnings: Vec<&str> =
            body["warnings"].as_array().unwrap().iter().map(|w| w.as_str().unwrap()).collect();
        assert_eq!(warnings.len(), 1, "{body}");
        assert!(warnings[0].contains("beyond the benchmark's p90, 85.0% (Test benchmark, 2030)"), "{body}");
        let (_, body) = set(&app, &cookie, &fcr("85")).await;
        assert!(body["warnings"].as_array().unwrap().is_empty(), "p90 itself is not beyond: {body}");
        let view = app::api::targets::server::view(&app.db, Some("fcr_rate"), true).await.unwrap();
        assert_eq!(view.benchmark_p90, Some(("Test benchmark (Test segment)".to_string(), 85.0)));
    }
}

#[tokio::test]
async fn a_plan_in_csv_is_saved_whole_or_refused_naming_its_row_and_column() {
    for app in apps().await {
        let before = targets_and_history(&app).await;
        let cookie = app.signed_in("manager").await;
        let head = "kpi,period,scope,value,tolerance,note,version\n";
        let good = format!("{head}csat,2026-01,,83,2,plan row,\ncsat,2026-01,channel:chat,86,,,reforecast\nfcr_rate,2026-02,,70,,,\n");
        let bad = format!("{head}csat,2026-01,,83,,,\ncsat,2026-02,,lots,,,\n");
        let response = app.post("/api/upload_plan", Some(&cookie), &[("csv", bad.as_str())]).await;
        assert_eq!(response.status().as_u16(), 422);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["Invalid"]["field"], "csv", "{body}");
        assert!(body["Invalid"]["message"].as_str().unwrap().starts_with("Row 3, column value:"), "{body}");
        assert_eq!(targets_and_history(&app).await, before, "nothing was saved");

        let response = app.post("/api/upload_plan", Some(&cookie), &[("csv", good.as_str())]).await;
        assert_eq!(response.status().as_u16(), 200);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["saved"], 3, "{body}");
        let saved = app::store::targets::list(&app.db, "2026-01", "2026-02", None).await.unwrap();
        assert_eq!(saved.len(), 3);
        assert!(saved.iter().all(|t| t.set_by == "manager"));

        let put = |token: &str, body: String| {
            reqwest::Client::new()
                .put(format!("{}/api/v1/targets", app.base))
                .bearer_auth(token)
                .header("content-type", "text/csv; charset=utf-8")
                .body(body)
                .send()
        };
        let read = app::store::tokens::create(&app.db, "test", "reader", TokenScope::Read).await.unwrap();
        let write = app::store::tokens::create(&app.db, "test", "planner", TokenScope::Write).await.unwrap();
        assert_eq!(put(&read, good.clone()).await.unwrap().status().as_u16(), 403);
        let response = put(&write, format!("{head}csat,2026-03,team,80,,,\n")).await.unwrap();
        assert_eq!(response.status().as_u16(), 422);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["field"], "csv");
        assert!(problem["error"].as_str().unwrap().starts_with("Row 2, column scope:"), "{problem}");
        let response = put(&write, format!("{head}nps,2026-03,,20,,,\n")).await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let saved: Value = response.json().await.unwrap();
        assert_eq!(saved["saved"], 1);
        let nps = app::store::targets::list(&app.db, "2026-03", "2026-03", Some("nps")).await.unwrap();
        assert_eq!((nps[0].value, nps[0].set_by.as_str()), (20.0, "api token"));
    }
}

/// CSAT of October 2025 straight from the raw tickets: satisfied (4 or 5)
/// over responses, per channel as (channel, responses, satisfied).
async fn csat_by_channel(app: &TestApp, month: &str) -> Vec<(String, i64, i64)> {
    let p = app::kpi::Period::parse(month).unwrap();
    let (s, e) = (day_number(p.start) * 86_400, day_number(p.end_exclusive()) * 86_400);
    let rows = sqlx::query(
        "SELECT channel, COUNT(csat) AS n, SUM(CASE WHEN csat >= 4 THEN 1 ELSE 0 END) AS ok FROM tickets \
         WHERE created_at >= $1 AND created_at < $2 AND csat IS NOT NULL GROUP BY channel ORDER BY channel",
    )
    .bind(s)
    .bind(e)
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    rows.iter()
        .map(|r| (r.try_get("channel").unwrap(), r.try_get("n").unwrap(), r.try_get("ok").unwrap()))
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9 * b.abs().max(1.0)
}

#[tokio::test]
async fn variance_numbers_equal_a_hand_computation_and_rest_agrees_with_the_server_function() {
    for app in apps().await {
        let token = app::store::tokens::create(&app.db, "test", "reader", TokenScope::Read).await.unwrap();
        let get = |path: String| {
            let request =
                reqwest::Client::new().get(format!("{}/api/v1{path}", app.base)).bearer_auth(&token);
            async move {
                let response = request.send().await.unwrap();
                (response.status().as_u16(), response.json::<Value>().await.unwrap())
            }
        };
        let (status, report) = get("/variance?period=2025-10&kpi=csat&by=channel".into()).await;
        assert_eq!(status, 200, "{report}");
        let rows = report["rows"].as_array().unwrap();
        assert_eq!(rows.len(), app::kpi::Kpi::ALL.len());
        assert_eq!(report["with_target"], 10, "the demo sets 10 company targets a month");
        // KPIs with a target come first, worst first.
        let rank =
            |s: &str| ["off_target", "watch", "on_target", "no_data"].iter().position(|x| *x == s).unwrap();
        let ranks: Vec<usize> =
            rows[..10].iter().map(|r| rank(r["variance"]["status"].as_str().unwrap())).collect();
        assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");
        assert!(rows[10..].iter().all(|r| r["variance"]["target"].is_null()));

        // CSAT by hand: target 80 (demo), tolerance 5 %.
        let channels = csat_by_channel(&app, "2025-10").await;
        let (n, ok) = channels.iter().fold((0, 0), |(n, ok), c| (n + c.1, ok + c.2));
        let actual = 100.0 * ok as f64 / n as f64;
        let csat = rows.iter().find(|r| r["key"] == "csat").unwrap();
        let v = &csat["variance"];
        assert!(close(v["actual"].as_f64().unwrap(), actual), "{v} vs {actual}");
        assert_eq!(v["target"], 80.0);
        assert!(close(v["variance"].as_f64().unwrap(), actual - 80.0));
        assert!(close(v["variance_pct"].as_f64().unwrap(), (actual - 80.0) / 80.0 * 100.0));
        assert_eq!(v["favourable"], actual >= 80.0);
        let status = if actual >= 80.0 {
            "on_target"
        } else if (80.0 - actual) / 80.0 * 100.0 <= 5.0 {
            "watch"
        } else {
            "off_target"
        };
        assert_eq!(v["status"], status);

        // The split by channel: each channel's CSAT and its part of the gap,
        // share × (actual − 80), adding up to the total's variance.
        let drill = &report["drill"];
        assert_eq!((drill["key"].as_str(), drill["by"].as_str()), (Some("csat"), Some("channel")));
        let segments = drill["segments"].as_array().unwrap();
        assert_eq!(segments.len(), channels.len());
        let mut sum = 0.0;
        for (channel, n_c, ok_c) in &channels {
            let s = segments.iter().find(|s| s["segment"] == channel.as_str()).unwrap();
            let rate = 100.0 * *ok_c as f64 / *n_c as f64;
            assert_eq!(s["n"].as_i64(), Some(*n_c));
            assert!(close(s["variance"]["actual"].as_f64().unwrap(), rate));
            let impact = *n_c as f64 / n as f64 * (rate - 80.0);
            assert!(close(s["impact"].as_f64().unwrap(), impact));
            sum += s["impact"].as_f64().unwrap();
        }
        assert!(close(sum, actual - 80.0), "{sum} vs {}", actual - 80.0);
        // Mix and rate add up to the change since September.
        let m = &drill["mix_rate"];
        let sep = csat_by_channel(&app, "2025-09").await;
        let (n9, ok9) = sep.iter().fold((0, 0), |(n, ok), c| (n + c.1, ok + c.2));
        assert!(close(m["before"].as_f64().unwrap(), 100.0 * ok9 as f64 / n9 as f64));
        assert!(close(m["after"].as_f64().unwrap(), actual));
        let (mix, rate) = (m["mix"].as_f64().unwrap(), m["rate"].as_f64().unwrap());
        assert!(close(mix + rate, actual - 100.0 * ok9 as f64 / n9 as f64));
        // The chart: the demo's 4 months (not 12: none before the data), the target in each.
        let history = drill["history"].as_array().unwrap();
        assert_eq!(history.len(), 4);
        assert_eq!(history[0][0], "Jul 25");
        assert!(history.iter().all(|h| h[2] == 80.0 && h[1].is_number()), "{history:?}");

        // The same answer through the page's server function.
        let cookie = app.signed_in("viewer").await;
        let form = [("query[month]", "2025-10"), ("query[kpi]", "csat"), ("query[by]", "channel")];
        let response = app.post("/api/get_variance", Some(&cookie), &form).await;
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.json::<Value>().await.unwrap(), report);

        // Bad parameters name their field.
        let (status, problem) = get("/variance?period=2025-13".into()).await;
        assert_eq!((status, problem["field"].as_str()), (422, Some("month")));
        let (status, problem) = get("/variance?scope=channel".into()).await;
        assert_eq!((status, problem["field"].as_str()), (422, Some("value")));
        let (status, problem) = get("/variance?version=draft".into()).await;
        assert_eq!((status, problem["field"].as_str()), (422, Some("version")));
    }
}

#[tokio::test]
async fn a_scope_is_judged_against_its_own_targets_and_a_reforecast_replaces_the_plan_when_chosen() {
    for app in apps().await {
        let cookie = app.signed_in("manager").await;
        let chat =
            [("from", "2025-10"), ("to", ""), ("scope", "channel"), ("scope_value", "chat"), ("value", "90")];
        assert_eq!(set(&app, &cookie, &with(&chat)).await.0, 200);
        let reforecast = [("from", "2025-10"), ("to", ""), ("value", "70"), ("version", "reforecast")];
        assert_eq!(set(&app, &cookie, &with(&reforecast)).await.0, 200);
        let load = |month: &str, scope: Option<(&str, &str)>, version: Option<&str>| {
            app::api::variance::VarianceQuery {
                month: Some(month.into()),
                scope: scope.map(|s| s.0.to_string()),
                value: scope.map(|s| s.1.to_string()),
                version: version.map(String::from),
                ..Default::default()
            }
        };
        let target_of = |r: &app::api::variance::VarianceReport| {
            r.rows.iter().find(|r| r.key == "csat").and_then(|r| r.variance.target)
        };
        let chat_report =
            app::api::variance::load(&app.db, &load("2025-10", Some(("channel", "chat")), None))
                .await
                .unwrap()
                .unwrap();
        assert_eq!(target_of(&chat_report), Some(90.0));
        assert_eq!(chat_report.with_target, 1, "only CSAT has a chat target");
        let chat = csat_by_channel(&app, "2025-10").await.into_iter().find(|c| c.0 == "chat").unwrap();
        let actual = chat_report.rows.iter().find(|r| r.key == "csat").unwrap().variance.actual.unwrap();
        assert!(close(actual, 100.0 * chat.2 as f64 / chat.1 as f64));
        let plan =
            app::api::variance::load(&app.db, &load("2025-10", None, Some("plan"))).await.unwrap().unwrap();
        assert_eq!(target_of(&plan), Some(80.0));
        let re = app::api::variance::load(&app.db, &load("2025-10", None, Some("reforecast")))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(target_of(&re), Some(70.0));
        let row = re.rows.iter().find(|r| r.key == "csat").unwrap();
        assert_eq!((row.target_version.as_deref(), row.tolerance_pct), (Some("reforecast"), 3.0));
        // Other KPIs fall back to the plan.
        assert_eq!(re.with_target, 10);
    }
}
