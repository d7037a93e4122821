//! The variance register: its forms refuse each bad input naming its field
//! and save nothing; a root cause explains a material variance; an action
//! done is marked on the KPI's chart and kept in the history; viewers and
//! read tokens cannot write; `GET/POST /api/v1/actions` filter and check like
//! the forms; notes of any grain are marked by their dates. Each test runs
//! on SQLite and on Postgres.

use super::app::TestApp;
use super::support::{month, postgres, sqlite, with_demo};
use app::api::variance::{load, VarianceQuery, VarianceReport};
use app::models::TokenScope;
use serde_json::{json, Value};

async fn apps() -> Vec<TestApp> {
    let mut apps = Vec::new();
    for db in [with_demo(sqlite().await).await, with_demo(postgres().await).await] {
        apps.push(TestApp::spawn_with(db).await);
    }
    apps
}

/// The variance form fields of CSAT, October 2025, channel chat.
fn about() -> Vec<(&'static str, String)> {
    [("kpi", "csat"), ("month", "2025-10"), ("scope", "channel"), ("scope_value", "chat")]
        .map(|(k, v)| (k, v.to_string()))
        .to_vec()
}

fn with(base: Vec<(&'static str, String)>, changes: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    let mut f = base;
    for (k, v) in changes {
        match f.iter_mut().find(|(name, _)| name == k) {
            Some(field) => field.1 = v.to_string(),
            None => f.push((k, v.to_string())),
        }
    }
    f
}

fn cause() -> Vec<(&'static str, String)> {
    with(about(), &[("category", "mix"), ("text", "More chat tickets from the carrier delays")])
}

fn action() -> Vec<(&'static str, String)> {
    with(
        about(),
        &[("text", "Coach the chat team on delay replies"), ("owner", "Ana"), ("due_on", "2025-11-30")],
    )
}

async fn post(app: &TestApp, cookie: &str, path: &str, form: &[(&'static str, String)]) -> (u16, Value) {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let response = app.post(path, Some(cookie), &pairs).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn saved(app: &TestApp) -> (i64, i64) {
    (
        app.count("SELECT COUNT(*) AS n FROM annotations").await,
        app.count("SELECT COUNT(*) AS n FROM annotation_history").await,
    )
}

async fn chat_report(app: &TestApp) -> VarianceReport {
    let query = VarianceQuery {
        month: Some("2025-10".into()),
        scope: Some("channel".into()),
        value: Some("chat".into()),
        kpi: Some("csat".into()),
        ..Default::default()
    };
    load(&app.db, &query).await.unwrap().unwrap()
}

#[tokio::test]
async fn the_register_forms_refuse_each_bad_input_naming_its_field_and_save_nothing() {
    for app in apps().await {
        let cookie = app.signed_in("manager").await;
        let before = saved(&app).await;
        let long = "x".repeat(301);
        let causes: Vec<(Vec<(&'static str, &str)>, &str)> = vec![
            (vec![("kpi", "happiness")], "kpi"),
            (vec![("month", "2025-13")], "month"),
            (vec![("month", "1989-12")], "month"),
            (vec![("scope", "agent")], "scope"),
            (vec![("scope_value", "")], "scope_value"),
            (vec![("category", "bad luck")], "category"),
            (vec![("text", " ")], "text"),
            (vec![("text", long.as_str())], "text"),
        ];
        for (changes, field) in causes {
            let (status, body) = post(&app, &cookie, "/api/add_root_cause", &with(cause(), &changes)).await;
            assert_eq!(status, 422, "{changes:?}: {body}");
            assert_eq!(body["Invalid"]["field"], field, "{changes:?}: {body}");
            assert!(!body["Invalid"]["message"].as_str().unwrap().is_empty());
        }
        let actions: Vec<(Vec<(&'static str, &str)>, &str)> = vec![
            (vec![("kpi", "")], "kpi"),
            (vec![("text", "")], "text"),
            (vec![("owner", "")], "owner"),
            (vec![("due_on", "soon")], "due_on"),
            (vec![("due_on", "2101-01-01")], "due_on"),
        ];
        for (changes, field) in actions {
            let (status, body) = post(&app, &cookie, "/api/add_action", &with(action(), &changes)).await;
            assert_eq!(status, 422, "{changes:?}: {body}");
            assert_eq!(body["Invalid"]["field"], field, "{changes:?}: {body}");
        }
        let update = |id: &str, status: &str, day: &str| {
            vec![("id", id.to_string()), ("status", status.to_string()), ("completed_on", day.to_string())]
        };
        let (status, body) = post(&app, &cookie, "/api/update_action", &update("x", "done", "")).await;
        assert_eq!((status, &body["Invalid"]["field"]), (422, &json!("id")), "{body}");
        let (status, body) = post(&app, &cookie, "/api/update_action", &update("1", "finished", "")).await;
        assert_eq!((status, &body["Invalid"]["field"]), (422, &json!("status")), "{body}");
        let (status, body) =
            post(&app, &cookie, "/api/update_action", &update("1", "done", "2999-01-01")).await;
        assert_eq!((status, &body["Invalid"]["field"]), (422, &json!("completed_on")), "{body}");
        let (status, _) = post(&app, &cookie, "/api/update_action", &update("999999", "done", "")).await;
        assert_eq!(status, 404);
        let threshold = vec![("kpi", "csat".to_string()), ("threshold", "120".to_string())];
        let (status, body) = post(&app, &cookie, "/api/set_materiality", &threshold).await;
        assert_eq!((status, &body["Invalid"]["field"]), (422, &json!("threshold")), "{body}");
        assert_eq!(saved(&app).await, before, "nothing was saved");
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM kpi_materiality").await, 0);
    }
}

#[tokio::test]
async fn a_root_cause_explains_a_material_variance_and_a_done_action_is_marked_on_the_chart() {
    for app in apps().await {
        let cookie = app.signed_in("manager").await;
        // A chat CSAT target of 100 %: October falls short by more than 5 %.
        let target = [
            ("kpi", "csat"),
            ("from", "2025-10"),
            ("to", ""),
            ("scope", "channel"),
            ("scope_value", "chat"),
            ("value", "100"),
            ("tolerance", ""),
            ("note", ""),
            ("version", "plan"),
        ];
        assert_eq!(app.post("/api/set_targets", Some(&cookie), &target).await.status().as_u16(), 200);
        let report = chat_report(&app).await;
        let line = report.register.iter().find(|l| l.key == "csat").expect("CSAT is in the register");
        assert!(line.material && !line.explained(), "{line:?}");
        assert_eq!(line.materiality_pct, 5.0);

        assert_eq!(post(&app, &cookie, "/api/add_root_cause", &cause()).await.0, 200);
        assert_eq!(post(&app, &cookie, "/api/add_action", &action()).await.0, 200);
        let report = chat_report(&app).await;
        let line = report.register.iter().find(|l| l.key == "csat").unwrap();
        assert!(line.explained(), "{line:?}");
        assert_eq!((line.root_causes, line.actions), (1, 1));
        let drill = report.drill.unwrap();
        let entries = &drill.register.entries;
        assert_eq!(entries.len(), 2);
        let id = entries.iter().find(|e| e.entry.is_action()).unwrap().entry.id;

        // Done on 20 October: marked on the chart at October (the 4th month shown).
        let done =
            vec![("id", id.to_string()), ("status", "done".into()), ("completed_on", "2025-10-20".into())];
        assert_eq!(post(&app, &cookie, "/api/update_action", &done).await.0, 200);
        let drill = chat_report(&app).await.drill.unwrap();
        assert_eq!(drill.history.len(), 4);
        assert!(
            drill.notes.contains(&(
                3,
                "Action (done 2025-10-20, owner Ana): Coach the chat team on delay replies".into()
            )),
            "{:?}",
            drill.notes
        );
        assert!(drill
            .notes
            .contains(&(3, "Root cause (mix): More chat tickets from the carrier delays".into())));
        let action = drill.register.entries.iter().find(|e| e.entry.id == id).unwrap();
        let recovery = action.recovery.as_ref().expect("a done action is compared before and after");
        assert_eq!(
            recovery.outcome,
            app::kpi::register::Recovery::NotEnoughData,
            "no month after October yet"
        );

        // Who changed what, when; and the audit log.
        let changes = app::store::register::changes(&app.db, "csat", 10).await.unwrap();
        let what: Vec<(&str, &str, &str)> =
            changes.iter().map(|c| (c.change.as_str(), c.old_value.as_str(), c.new_value.as_str())).collect();
        assert_eq!(
            what[..2],
            [("completed_on", "", "2025-10-20"), ("status", "open", "done")],
            "{changes:?}"
        );
        assert!(changes.iter().all(|c| c.actor == "manager"));
        let audited = app
            .count(
                "SELECT COUNT(*) AS n FROM audit_log WHERE actor = 'manager' \
                 AND action IN ('root_cause.add', 'action.add', 'action.status')",
            )
            .await;
        assert_eq!(audited, 3);

        // Materiality 60 %: no longer material, but still listed as explained.
        let threshold = vec![("kpi", "csat".to_string()), ("threshold", "60".to_string())];
        assert_eq!(post(&app, &cookie, "/api/set_materiality", &threshold).await.0, 200);
        let report = chat_report(&app).await;
        let line = report.register.iter().find(|l| l.key == "csat").unwrap();
        assert_eq!((line.material, line.materiality_pct), (false, 60.0));
    }
}

#[tokio::test]
async fn viewers_and_read_tokens_cannot_write_the_register() {
    for app in apps().await {
        let before = saved(&app).await;
        let viewer = app.signed_in("viewer").await;
        assert_eq!(post(&app, &viewer, "/api/add_root_cause", &cause()).await.0, 403);
        assert_eq!(post(&app, &viewer, "/api/add_action", &action()).await.0, 403);
        let threshold = vec![("kpi", "csat".to_string()), ("threshold", "10".to_string())];
        assert_eq!(post(&app, &viewer, "/api/set_materiality", &threshold).await.0, 403);
        let body = json!({ "kpi": "csat", "period": "2025-10", "text": "x", "owner": "Ana", "due_on": "2025-11-30" });
        let read = app::store::tokens::create(&app.db, "test", "reader", TokenScope::Read).await.unwrap();
        let send = |token: Option<&str>| {
            let mut request = reqwest::Client::new().post(format!("{}/api/v1/actions", app.base)).json(&body);
            if let Some(t) = token {
                request = request.bearer_auth(t);
            }
            request.send()
        };
        assert_eq!(send(Some(&read)).await.unwrap().status().as_u16(), 403);
        assert_eq!(send(None).await.unwrap().status().as_u16(), 401);
        assert_eq!(saved(&app).await, before, "nothing was saved");
    }
}

#[tokio::test]
async fn actions_over_rest_are_checked_like_the_form_and_listed_by_status_and_owner() {
    for app in apps().await {
        let before = saved(&app).await;
        let write = app::store::tokens::create(&app.db, "test", "planner", TokenScope::Write).await.unwrap();
        let read = app::store::tokens::create(&app.db, "test", "reader", TokenScope::Read).await.unwrap();
        let post = |body: Value| {
            reqwest::Client::new()
                .post(format!("{}/api/v1/actions", app.base))
                .bearer_auth(&write)
                .json(&body)
                .send()
        };
        let get = |query: &str| {
            reqwest::Client::new()
                .get(format!("{}/api/v1/actions{query}", app.base))
                .bearer_auth(&read)
                .send()
        };
        let good = json!({ "kpi": "frt_median_h", "period": "2025-10", "text": "Second shift on Mondays",
                           "owner": "Bo", "due_on": "2025-12-15",
                           "scope": { "dimension": "team", "value": "Tier 1" } });
        let bad = json!([good.clone(), { "kpi": "csat", "period": "2025-10", "text": "x", "owner": "", "due_on": "2025-12-01" }]);
        let response = post(bad).await.unwrap();
        assert_eq!(response.status().as_u16(), 422);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["field"], "owner", "{problem}");
        assert!(problem["error"].as_str().unwrap().starts_with("Action 2:"), "{problem}");
        let response = post(
            json!({ "kpi": "csat", "period": "Oct", "text": "x", "owner": "A", "due_on": "2025-12-01" }),
        )
        .await
        .unwrap();
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["field"], "period", "{problem}");
        assert_eq!(saved(&app).await, before, "one bad action refuses them all");

        let done = json!({ "kpi": "csat", "period": "2025-09", "text": "Delay e-mails", "owner": "Ana",
                           "due_on": "2025-10-01", "status": "done", "completed_on": "2025-09-25" });
        let response = post(json!([good, done])).await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["saved"], 2, "{body}");

        let listed: Value = get("?status=open").await.unwrap().json().await.unwrap();
        let texts: Vec<&str> = listed["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["entry"]["text"].as_str().unwrap())
            .collect();
        assert_eq!(texts, ["Second shift on Mondays"]);
        let listed: Value = get("?owner=Ana").await.unwrap().json().await.unwrap();
        let ana = listed["actions"].as_array().unwrap();
        assert_eq!(ana.len(), 1);
        assert_eq!(ana[0]["entry"]["author"], "api token");
        assert_eq!(ana[0]["recovery"]["outcome"], "not_enough_data", "one month after September");
        assert_eq!(listed["owners"], json!(["Ana", "Bo", "Support lead"]), "the demo has one action");
        let response = get("?status=finished").await.unwrap();
        assert_eq!(response.status().as_u16(), 422);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["field"], "status");
    }
}

#[tokio::test]
async fn notes_of_a_day_or_a_week_are_marked_by_their_dates() {
    for db in [sqlite().await, postgres().await] {
        let note = |period: &str, text: &str| app::store::annotations::Annotation {
            kpi: "csat".into(),
            period: period.into(),
            kind: "note".into(),
            text: text.into(),
            owner: String::new(),
            status: "open".into(),
            author: "test".into(),
        };
        for (period, text) in [
            ("2025-10-15", "a day"),
            ("2025-W38", "a week"),
            ("2025-08", "a month"),
            ("2025-06-30", "before"),
        ] {
            app::store::annotations::add(&db, &note(period, text), 0).await.unwrap();
        }
        let periods = month("2025-07").through(month("2025-10"));
        let notes = app::api::markers::notes(&db, app::kpi::Kpi::Csat, &periods).await.unwrap();
        // Week 38 of 2025 begins on Monday 15 September.
        assert_eq!(notes, vec![(1, "a month".into()), (2, "a week".into()), (3, "a day".into())]);
    }
}

#[tokio::test]
async fn the_register_pages_show_their_forms_to_managers_only_and_a_refusal_comes_back_by_field() {
    let app = TestApp::spawn_with_demo().await;
    let manager = app.signed_in("manager").await;
    let viewer = app.signed_in("viewer").await;
    let page = |path: &'static str, cookie: String| {
        let app = &app;
        async move {
            let response = app.get(path, Some(&cookie)).await;
            assert_eq!(response.status().as_u16(), 200, "{path}");
            response.text().await.unwrap()
        }
    };
    let variance = "/variance?month=2025-10&kpi=csat&by=channel";
    let html = page(variance, manager.clone()).await;
    for text in ["Variance register", "Record root cause", "Add action", "Save materiality", "sort=actual"] {
        assert!(html.contains(text), "{text}");
    }
    assert!(html.contains("data-chart=\"csat-why-it-moved-since-september-2025\""), "the waterfall");
    let html = page(variance, viewer.clone()).await;
    assert!(html.contains("Variance register") && !html.contains("Add action"));
    assert!(page("/actions", viewer.clone()).await.contains("Corrective actions"));
    assert!(page("/targets?kpi=csat", manager.clone()).await.contains("Upload plan"));
    assert!(!page("/targets?kpi=csat", viewer.clone()).await.contains("Upload plan"));

    // Without JavaScript a refusal comes back in the URL and shows by its field.
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("accept", "text/html".parse().unwrap());
    headers.insert("referer", format!("{}{variance}", app.base).parse().unwrap());
    let form = [
        ("kpi", "csat"),
        ("month", "2025-10"),
        ("scope", ""),
        ("scope_value", ""),
        ("text", "Call back every delayed order"),
        ("owner", ""),
        ("due_on", "2025-11-30"),
    ];
    let response = app.post_with("/api/add_action", Some(&manager), &form, headers).await;
    assert!(response.status().is_redirection(), "{}", response.status());
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert!(location.contains("__err"), "{location}");
    let path = location.strip_prefix(&app.base).unwrap_or(&location).to_string();
    let html = app.get(&path, Some(&manager)).await.text().await.unwrap();
    assert!(html.contains("Write who owns the action in 1 to 60 characters."), "the owner's error");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM annotation_history").await, 0);
}
