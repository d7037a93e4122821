//! Each analysis has one loader: its REST route and its server function give
//! the same answer for the same query, on SQLite and on Postgres, and a bad
//! parameter is refused with the field it is about.

use super::app::TestApp;
use super::support::{postgres, sqlite, with_demo};
use app::models::TokenScope;
use serde_json::Value;

/// The demo on both backends, each behind a running app, with a read token.
async fn apps() -> Vec<(TestApp, String)> {
    let mut apps = Vec::new();
    for db in [with_demo(sqlite().await).await, with_demo(postgres().await).await] {
        let app = TestApp::spawn_with(db).await;
        let token = app::store::tokens::create(&app.db, "test", "reader", TokenScope::Read).await.unwrap();
        apps.push((app, token));
    }
    apps
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

/// A server function called as the page's client calls it (form-encoded).
async fn server_fn(app: &TestApp, cookie: &str, name: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let response = app.post(&format!("/api/{name}"), Some(cookie), form).await;
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn the_series_route_and_the_series_server_function_agree_on_both_backends() {
    for (app, token) in apps().await {
        let cookie = app.signed_in("viewer").await;
        let (status, by_rest) =
            rest(&app, "/kpis/frt_median_h/series?from=2025-07-01&to=2025-10-31&channel=email", &token).await;
        assert_eq!(status, 200, "{by_rest}");
        let form = [
            ("query[kpi]", "frt_median_h"),
            ("query[from]", "2025-07-01"),
            ("query[to]", "2025-10-31"),
            ("query[channel]", "email"),
        ];
        let (status, by_fn) = server_fn(&app, &cookie, "get_series", &form).await;
        assert_eq!(status, 200, "{by_fn}");
        assert_eq!(by_rest, by_fn);
        assert_eq!(by_rest["points"].as_array().unwrap().len(), 4);
        assert!(by_rest["points"][0]["value"].as_f64().unwrap() > 0.0);
    }
}

#[tokio::test]
async fn the_matrix_route_and_the_matrix_server_function_agree_on_both_backends() {
    for (app, token) in apps().await {
        let cookie = app.signed_in("viewer").await;
        let (status, by_rest) =
            rest(&app, "/matrix?kpi=fcr_rate&rows=team&cols=channel&from=2025-08-01&to=2025-09-30", &token)
                .await;
        assert_eq!(status, 200, "{by_rest}");
        let form = [
            ("query[kpi]", "fcr_rate"),
            ("query[rows]", "team"),
            ("query[cols]", "channel"),
            ("query[from]", "2025-08-01"),
            ("query[to]", "2025-09-30"),
        ];
        let (status, by_fn) = server_fn(&app, &cookie, "get_matrix", &form).await;
        assert_eq!(status, 200, "{by_fn}");
        assert_eq!(by_rest, by_fn);
        assert!(!by_rest["cells"].as_array().unwrap().is_empty());
    }
}

#[tokio::test]
async fn each_bad_parameter_is_refused_as_json_naming_its_field() {
    let app = TestApp::spawn_with(sqlite().await).await;
    let token = app::store::tokens::create(&app.db, "test", "reader", TokenScope::Read).await.unwrap();
    for (path, field) in [
        ("/kpis/csat/series?grain=year", "grain"),
        ("/kpis/csat/series?from=2025-13-01", "from"),
        ("/kpis/csat/series?grain=week&from=-262143-01-01&to=-262143-01-10", "from"),
        ("/kpis/csat/series?from=2025-05-01&to=2025-01-01", "to"),
        ("/matrix?rows=agents", "rows"),
        ("/matrix?kpi=cac", "kpi"),
        ("/matrix?rows=team&cols=team", "cols"),
        ("/matrix?to=3000-01-01", "to"),
    ] {
        let (status, body) = rest(&app, path, &token).await;
        assert_eq!((status, body["field"].as_str()), (422, Some(field)), "{path}: {body}");
        assert!(body["error"].as_str().unwrap().contains(field), "{path}: {body}");
    }

    let cookie = app.signed_in("viewer").await;
    let (status, body) =
        server_fn(&app, &cookie, "get_series", &[("query[kpi]", "csat"), ("query[grain]", "year")]).await;
    assert_eq!(status, 422);
    assert_eq!(body["Invalid"]["field"], "grain", "{body}");
}

#[tokio::test]
async fn the_trend_route_and_server_function_agree_and_build_on_the_series() {
    for (app, token) in apps().await {
        let cookie = app.signed_in("viewer").await;
        let (status, trend) = rest(&app, "/trends/csat?from=2025-07-01&to=2025-10-31&window=2", &token).await;
        assert_eq!(status, 200, "{trend}");
        let form = [
            ("query[kpi]", "csat"),
            ("query[window]", "2"),
            ("query[from]", "2025-07-01"),
            ("query[to]", "2025-10-31"),
        ];
        let (status, by_fn) = server_fn(&app, &cookie, "get_trend", &form).await;
        assert_eq!((status, &by_fn), (200, &trend));

        let (_, series) = rest(&app, "/kpis/csat/series?from=2025-07-01&to=2025-10-31", &token).await;
        let values: Vec<f64> =
            series["points"].as_array().unwrap().iter().map(|p| p["value"].as_f64().unwrap()).collect();
        let points = trend["points"].as_array().unwrap();
        assert_eq!(points.len(), 4);
        for (i, p) in points.iter().enumerate() {
            assert_eq!(p["value"].as_f64(), Some(values[i]));
            // The demo starts in July: nothing a year earlier.
            assert!(p["year_ago"].is_null());
        }
        assert!(points[0]["moving_average"].is_null(), "the window is not full yet");
        let average = points[3]["moving_average"].as_f64().unwrap();
        assert!((average - (values[2] + values[3]) / 2.0).abs() < 1e-9);
        assert!((trend["change"].as_f64().unwrap() - (values[3] - values[2])).abs() < 1e-9);
        assert_eq!(trend["forecast"].as_array().unwrap().len(), 3);
        assert_eq!(trend["forecast"][0]["period"], "2025-11");

        let (status, refused) = rest(&app, "/trends/csat?window=0", &token).await;
        assert_eq!((status, refused["field"].as_str()), (422, Some("window")), "{refused}");
    }
}
