//! Trends and early warning on real data: the demo's delivery incident is
//! found, seasonality is not, and the page's server functions equal REST.

use crate::app::TestApp;
use crate::support::{postgres, sqlite, with_demo};
use app::api::early_warning::{self, EarlyWarningQuery};
use app::api::query::RangeParams;
use app::api::trend::{self, TrendQuery};
use app::kpi::early_warning::Signal;
use app::kpi::forecast::Method;
use app::kpi::Period;
use app::models::TokenScope;
use serde_json::Value;
use server::demo::{self, DemoConfig};

/// 14 months ending October 2025: the incident strikes five months before
/// the end, in May 2025, from the 8th to the 21st.
async fn year_of_demo() -> app::store::Db {
    let db = sqlite().await;
    let config = DemoConfig { seed: 7, months: 14, end: Period::parse("2025-10").unwrap(), scale: 0.1 };
    demo::load(&db, &config).await.unwrap();
    db
}

fn warn(period: &str, by: &str) -> EarlyWarningQuery {
    EarlyWarningQuery { period: Some(period.into()), by: Some(by.into()) }
}

#[tokio::test]
async fn the_delivery_incident_tops_the_early_warning_and_seasonality_raises_nothing() {
    let db = year_of_demo().await;
    let may = early_warning::load(&db, &warn("2025-05", "category")).await.unwrap();
    let top = &may.warnings[0].warning;
    assert_eq!(top.segment, "delivery", "{:#?}", may.warnings);
    assert!(top.significant && top.signal == Some(Signal::Share), "{top:?}");
    assert!(may.warnings[1..].iter().all(|w| !w.warning.significant), "only delivery: {:#?}", may.warnings);
    assert_eq!(may.warnings[0].history.len(), 9, "eight baseline months and May");

    // The incident's second week, by week.
    let week = early_warning::load(&db, &warn("2025-W20", "category")).await.unwrap();
    assert_eq!(week.warnings[0].warning.segment, "delivery");
    assert!(week.warnings[0].warning.significant);

    // Ordinary months, the December peak among them, raise no alarm by any dimension.
    for month in ["2024-12", "2025-03", "2025-09"] {
        for by in ["category", "channel", "team"] {
            let list = early_warning::load(&db, &warn(month, by)).await.unwrap();
            let alarms: Vec<_> = list.warnings.iter().filter(|w| w.warning.significant).collect();
            assert!(alarms.is_empty(), "{month} by {by}: {alarms:#?}");
        }
    }
}

#[tokio::test]
async fn the_trend_explains_its_forecast_and_its_unusual_periods() {
    let db = year_of_demo().await;
    let range = RangeParams {
        from: Some("2024-09-01".into()),
        to: Some("2025-10-31".into()),
        ..RangeParams::default()
    };
    let tickets = trend::load(
        &db,
        &TrendQuery { kpi: "tickets".into(), window: None, min_n: None, range: range.clone() },
    )
    .await
    .unwrap();
    // 14 months are fewer than two yearly seasons: Holt's method, and why.
    assert_eq!(tickets.method, Some(Method::Holt));
    assert!(tickets.method_reason.as_deref().unwrap().contains("fewer than two seasons"));
    assert_eq!(tickets.backtest_periods, 3);
    assert!(tickets.mape.is_some());

    // By week, the incident's weeks are unusual, and delivery drove the change.
    let weeks = RangeParams {
        from: Some("2025-03-01".into()),
        to: Some("2025-06-30".into()),
        grain: Some("week".into()),
        ..RangeParams::default()
    };
    let query = TrendQuery { kpi: "tickets".into(), window: None, min_n: None, range: weeks };
    let by_week = trend::load(&db, &query).await.unwrap();
    let incident = by_week.flagged.iter().find(|f| f.period == "2025-W20").expect("week 20 is flagged");
    assert_eq!(incident.drivers[0].segment, "delivery", "{incident:#?}");
    assert!(incident.drivers[0].part > 0.0);
    // Its parts from the raw tickets: delivery's tickets in week 20 (from
    // 2025-05-12) against their weekly mean over the six weeks before.
    let delivery = |from: &str, to: &str| {
        let epoch =
            |day: &str| day.parse::<chrono::NaiveDate>().unwrap().and_time(Default::default()).and_utc();
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM tickets WHERE category = 'delivery' AND created_at >= $1 AND created_at < $2",
        )
        .bind(epoch(from).timestamp())
        .bind(epoch(to).timestamp())
        .fetch_one(&db.pool)
    };
    assert_eq!(incident.drivers[0].after, Some(delivery("2025-05-12", "2025-05-19").await.unwrap() as f64));
    assert_eq!(
        incident.drivers[0].before,
        Some(delivery("2025-03-31", "2025-05-12").await.unwrap() as f64 / 6.0)
    );

    // CSAT carries a Wilson interval around each value.
    let csat =
        trend::load(&db, &TrendQuery { kpi: "csat".into(), window: None, min_n: None, range }).await.unwrap();
    for p in csat.points.iter().filter(|p| p.value.is_some()) {
        let (low, high) = p.interval.expect("an interval");
        assert!(low < p.value.unwrap() && p.value.unwrap() < high, "{p:?}");
    }
}

#[tokio::test]
async fn a_minimum_sample_marks_small_periods_instead_of_flagging_them() {
    let db = year_of_demo().await;
    let range = RangeParams {
        from: Some("2024-09-01".into()),
        grain: Some("month".into()),
        ..RangeParams::default()
    };
    let query = TrendQuery { kpi: "tickets".into(), window: None, min_n: Some("100000".into()), range };
    let t = trend::load(&db, &query).await.unwrap();
    assert!(t.points.iter().filter(|p| p.value.is_some()).all(|p| p.too_few && p.unusual.is_none()));
    assert!(t.flagged.is_empty());
    let refused = trend::load(&db, &TrendQuery { min_n: Some("0".into()), ..query }).await.unwrap_err();
    assert!(refused.field_message("min_n").is_some(), "{refused:?}");
}

async fn rest(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .get(format!("{}/api/v1{path}", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn the_early_warning_route_and_server_function_agree_and_refuse_bad_input() {
    for db in [with_demo(sqlite().await).await, with_demo(postgres().await).await] {
        let app = TestApp::spawn_with(db).await;
        let token = app::store::tokens::create(&app.db, "test", "reader", TokenScope::Read).await.unwrap();
        let (status, listed) = rest(&app, "/early-warning?period=2025-10&by=channel", &token).await;
        assert_eq!(status, 200, "{listed}");
        assert_eq!((listed["period"].as_str(), listed["by"].as_str()), (Some("2025-10"), Some("channel")));
        assert!(!listed["warnings"].as_array().unwrap().is_empty());
        let cookie = app.signed_in("viewer").await;
        let form = [("query[period]", "2025-10"), ("query[by]", "channel")];
        let response = app.post("/api/get_early_warning", Some(&cookie), &form).await;
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.json::<Value>().await.unwrap(), listed);

        for (query, field) in [("period=2025-13", "period"), ("period=1800-01", "period"), ("by=agent", "by")]
        {
            let (status, refused) = rest(&app, &format!("/early-warning?{query}"), &token).await;
            assert_eq!((status, refused["field"].as_str()), (422, Some(field)), "{query}: {refused}");
        }
        let anonymous = reqwest::get(format!("{}/api/v1/early-warning", app.base)).await.unwrap();
        assert_eq!(anonymous.status().as_u16(), 401);
    }
}

#[tokio::test]
async fn events_come_in_as_json_or_csv_once_and_mark_the_trend() {
    for db in [with_demo(sqlite().await).await, with_demo(postgres().await).await] {
        let app = TestApp::spawn_with(db).await;
        let writer = app::store::tokens::create(&app.db, "test", "plan", TokenScope::Write).await.unwrap();
        let reader = app::store::tokens::create(&app.db, "test", "reader", TokenScope::Read).await.unwrap();
        let client = reqwest::Client::new();
        let post = |token: &str, body: &str, csv: bool| {
            client
                .post(format!("{}/api/v1/events", app.base))
                .bearer_auth(token)
                .header("content-type", if csv { "text/csv" } else { "application/json" })
                .body(body.to_string())
                .send()
        };
        let json =
            r#"[{"kind":"promotion","title":"Autumn sale","starts_on":"2025-09-15","ends_on":"2025-09-21"}]"#;
        let answer: Value = post(&writer, json, false).await.unwrap().json().await.unwrap();
        assert_eq!(answer, serde_json::json!({"received": 1, "new": 1}));
        let csv = "kind,title,starts_on,ends_on\noutage,Carrier outage,2025-10-02,2025-10-03\npromotion,Autumn sale,2025-09-15,2025-09-21\n";
        let answer: Value = post(&writer, csv, true).await.unwrap().json().await.unwrap();
        assert_eq!(answer, serde_json::json!({"received": 2, "new": 1}), "the sale was there already");
        // Sending the same file again changes nothing.
        let again: Value = post(&writer, csv, true).await.unwrap().json().await.unwrap();
        assert_eq!(again["new"], 0);

        // One bad row refuses the whole file, naming it; nothing is saved.
        let bad = "kind,title,starts_on\nrelease,App 2.0,2025-10-10\nparty,Office party,2025-10-11\n";
        let refused = post(&writer, bad, true).await.unwrap();
        assert_eq!(refused.status().as_u16(), 422);
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["field"], "events[1].kind", "{body}");
        // A read token may list but not write.
        assert_eq!(post(&reader, json, false).await.unwrap().status().as_u16(), 403);
        let (status, listed) = rest(&app, "/events?from=2025-09-01&to=2025-10-31", &reader).await;
        assert_eq!(status, 200);
        let titles: Vec<&str> =
            listed.as_array().unwrap().iter().map(|e| e["title"].as_str().unwrap()).collect();
        assert_eq!(titles, ["Autumn sale", "Carrier outage"]);
        // Without `from`, the year up to `to`, cut at the first plausible day;
        // a `to` out of the window is refused by its own name.
        let (status, listed) = rest(&app, "/events?to=1990-03-01", &reader).await;
        assert_eq!((status, listed), (200, serde_json::json!([])));
        let (status, refused) = rest(&app, "/events?to=1989-12-31", &reader).await;
        assert_eq!((status, refused["field"].as_str()), (422, Some("to")), "{refused}");

        // The trend lists them and marks them on its chart at their months.
        let (_, trend) = rest(&app, "/trends/csat?from=2025-07-01&to=2025-10-31", &reader).await;
        assert_eq!(trend["events"].as_array().unwrap().len(), 2);
        let notes = trend["notes"].as_array().unwrap();
        assert!(
            notes.iter().any(|n| n[0] == 2 && n[1].as_str().unwrap().starts_with("Promotion: Autumn sale")),
            "{notes:?}"
        );
        assert!(notes
            .iter()
            .any(|n| n[0] == 3 && n[1].as_str().unwrap().starts_with("Outage: Carrier outage")));
    }
}

#[tokio::test]
async fn the_clv_trend_says_when_orders_have_no_amount() {
    let db = with_demo(sqlite().await).await;
    let range = RangeParams {
        from: Some("2025-07-01".into()),
        to: Some("2025-10-31".into()),
        ..RangeParams::default()
    };
    let query = TrendQuery { kpi: "clv".into(), window: None, min_n: None, range };
    assert_eq!(trend::load(&db, &query).await.unwrap().caveat, None, "the demo's orders all have amounts");
    let order: app::models::OrderRecord = serde_json::from_value(serde_json::json!({
        "external_id": "NO-AMOUNT-1", "customer_id": "C-NEW", "placed_at": "2025-10-05T10:00:00Z", "currency": "EUR"
    }))
    .unwrap();
    app::store::ingest::orders(&db, &[order]).await.unwrap();
    let caveat = trend::load(&db, &query).await.unwrap().caveat.expect("a caveat");
    assert!(caveat.starts_with("1 of "), "{caveat}");
}
