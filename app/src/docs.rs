//! The REST API and the file formats, described once: the docs page renders
//! this, and `GET /api/v1/openapi.json` is generated from it and from the
//! field tables of `import::fields`, so the two cannot drift apart.

use crate::import::{FieldType, Kind};
use crate::kpi::Kpi;
use serde_json::{json, Map, Value};

/// One query parameter: name, meaning.
pub type Param = (&'static str, &'static str);

pub struct Endpoint {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    /// "none", "read", "ingest" or "write": the token scope it needs.
    pub scope: &'static str,
    pub params: &'static [Param],
    /// The records the body carries, if any.
    pub body: Option<Body>,
    pub returns: &'static str,
}

#[derive(Clone, Copy)]
pub enum Body {
    Records(Kind),
    Csv,
    ChartForm,
    /// A JSON array of targets.
    Targets,
    /// A JSON array of business events, or CSV.
    Events,
    /// One corrective action, or a JSON array of them.
    Actions,
}

const RANGE: [Param; 2] =
    [("from", "first day, YYYY-MM-DD (inclusive)"), ("to", "last day, YYYY-MM-DD (inclusive)")];
const FILTERS: [Param; 3] =
    [("channel", "only this channel"), ("category", "only this category"), ("team", "only this team")];

/// The server's settings (environment variables): name, default, meaning.
/// README's configuration table says the same.
pub const SETTINGS: &[(&str, &str, &str)] = &[
    ("DATABASE_URL", "sqlite://data/aftercare.db", "postgres://user@host/db runs the same app on Postgres. On SQLite, sessions and sign-in counters are kept next to the database in <name>-auth.db, so that signing in never waits for an import. The server refuses to start on a database it cannot write, naming it and the cause."),
    ("AFTERCARE_DEMO", "1", "0 keeps an empty database empty on first start"),
    ("AFTERCARE_SLA_HOURS", "24", "the resolution SLA behind sla_attainment"),
    ("AFTERCARE_TIME_ZONE", "UTC", "the IANA time zone (Europe/Berlin, America/New_York) whose calendar decides on which day, week and month a ticket or an order falls; timestamps are stored in UTC. A start with another SLA or time zone than the rollups were built with rebuilds them once."),
    ("AFTERCARE_SECURE_COOKIES", "0", "1 marks the session cookie Secure and sends Strict-Transport-Security (set it when served over TLS)"),
    ("AFTERCARE_TRUSTED_PROXIES", "(none)", "reverse proxies, as addresses or networks separated by commas (127.0.0.1, 10.0.0.0/8): only when a request comes from one of them does its X-Forwarded-For name the client for the sign-in limits. Unset, the peer address is the client; behind a proxy every user would then share the proxy's limit."),
    ("AFTERCARE_DATA_DIR", "the SQLite file's folder, or data", "where uploads are kept while they are imported (in uploads/); a server stopped mid-import leaves its upload there and the next start removes it"),
];

pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        method: "get",
        path: "/health",
        summary: "Liveness and the database in use.",
        scope: "none",
        params: &[],
        body: None,
        returns: r#"{"status":"ok","database":"sqlite"|"postgres"}"#,
    },
    Endpoint {
        method: "get",
        path: "/kpis",
        summary: "The KPI catalogue.",
        scope: "read",
        params: &[],
        body: None,
        returns: r#"[{"key","name","unit","direction"}]"#,
    },
    Endpoint {
        method: "get",
        path: "/kpis/{key}/series",
        summary: "One KPI per period, from the daily rollup; defaults to the last 12 months with data.",
        scope: "read",
        params: &[
            ("key", "a KPI key of the catalogue (path)"),
            RANGE[0],
            RANGE[1],
            ("grain", "day, week, month (default) or quarter"),
            FILTERS[0],
            FILTERS[1],
            FILTERS[2],
        ],
        body: None,
        returns: r#"{"kpi","grain","points":[{"period","value","n"}]} — value null when there is none; n is the count behind it"#,
    },
    Endpoint {
        method: "get",
        path: "/matrix",
        summary: "A ticket KPI (or share of volume) across two dimensions over a date range, with true row and column totals (the KPI over all their tickets, not averages of cells); defaults to CSAT, category × channel, the last month with data. With compare, each value also carries its value then and the change.",
        scope: "read",
        params: &[
            ("kpi", "a ticket KPI key (default csat) or share (of volume)"),
            ("rows", "channel, category (default), team, agent, priority or product"),
            ("cols", "channel (default), category, team, month, week, agent, priority or product; agent, priority and product pair only with channel, category, team or month, read whole months, and take at most one filter (the crossed dimension's, or any one by month): anything else is a 422 naming the field"),
            ("sort", "rows and columns by name (default), value (worst first) or total (tickets, most first)"),
            ("top", "1–100: the rows with the most tickets; the rest are folded into one \"Other (k)\" row"),
            ("top_cols", "1–100: the same for columns (not for time columns)"),
            ("min_n", "0–1,000,000 (default 30): the page marks cells resting on fewer"),
            ("compare", "previous (the same span before) or a month YYYY-MM; not with time columns"),
            RANGE[0],
            RANGE[1],
            FILTERS[0],
            FILTERS[1],
            FILTERS[2],
        ],
        body: None,
        returns: r#"{"kpi","name","unit","direction","row_dim","col_dim","from","to","compare_from"?,"compare_to"?,"min_n","rows","cols","other"?,"other_cols"?,"cells":[{"row","col","value","n","before"?,"before_n"?,"delta"?}],"row_totals":[{"row","value","n",…}],"col_totals":[{"col","value","n",…}],"total":{"value","n",…}}"#,
    },
    Endpoint {
        method: "get",
        path: "/tickets",
        summary: "The tickets behind a matrix cell: created in the range (the last month with data by default) and matching every filter given, one page at a time by keyset. Each page but the last has next_cursor; pass it as cursor for the next. With Accept: text/csv (or format=csv) every ticket from the cursor on as CSV, streamed, at most 100,000: a longer list ends with a line '# cut at 100000 tickets…'.",
        scope: "read",
        params: &[
            RANGE[0],
            RANGE[1],
            FILTERS[0],
            FILTERS[1],
            FILTERS[2],
            ("agent", "only this agent's tickets"),
            ("priority", "only this priority"),
            ("product", "only this product"),
            ("sort", "-created_at (default, newest first), created_at, external_id or -external_id"),
            ("cursor", "the next_cursor of the page before"),
            ("limit", "tickets per page, 1–500 (default 50)"),
            ("format", "json (default) or csv"),
        ],
        body: None,
        returns: r#"{"from","to","sort","tickets":[{"id","external_id","created_at","first_response_at","resolved_at","channel","category","priority","team","agent","status","csat","nps","ces","contacts","first_contact_resolved","reopened","escalated","product"}],"next_cursor"?}"#,
    },
    Endpoint {
        method: "get",
        path: "/trends/{key}",
        summary: "A KPI over time with its least-squares trend (slope per period, R²), a moving average, the same periods a year earlier, the change against the period before and a year earlier, a 95 % Wilson interval for proportions, the target and benchmark lines, a three-period forecast with its 95 % interval (Holt-Winters with two seasons of history, Holt's linear method with fewer, a straight line below 8 periods; the method, the reason and the backtest MAPE are given), and the periods outside mean ± 3σ of the six before them, latest first, with the channels and categories that moved them. Periods with fewer than min_n behind their value are marked too_few and never flagged.",
        scope: "read",
        params: &[
            ("key", "a KPI key from GET /kpis (path)"),
            RANGE[0],
            RANGE[1],
            ("grain", "day, week, month (default) or quarter"),
            ("window", "the moving average's window, 1 to 24 periods (default 3)"),
            ("min_n", "the minimum sample behind a judged value, 1 to 100000 (default 30)"),
            FILTERS[0],
            FILTERS[1],
            FILTERS[2],
        ],
        body: None,
        returns: r#"{"kpi","name","unit","direction","grain","window","min_sample","points":[{"period","label","value","n","moving_average","year_ago","unusual","interval","too_few"}],"slope","r2","change","year_over_year","forecast":[{"period","label","low","expected","high"}],"method","method_reason","mape","backtest_periods","target","benchmarks","notes","flagged":[{"period","label","value","mean","sigma","drivers":[{"dimension","segment","before","after","n","part"}]}]}"#,
    },
    Endpoint {
        method: "get",
        path: "/early-warning",
        summary: "The segments of one dimension rising faster than usual in a period, most alarming first: each segment's share of all tickets, and its share of unhappy CSAT answers in excess of all tickets', as z-scores of the period against the 8 periods before it (standard error: the larger of the baseline's period-to-period deviation and the binomial error, times √(1 + 1/k) for a baseline of k periods; 3 or more is significant). Segments with fewer than 30 tickets or answers, or fewer than 3 baseline periods with data, are not scored.",
        scope: "read",
        params: &[
            ("period", "a day (2026-05-14), ISO week (2026-W20) or month (2026-05); default: the week of the latest data"),
            ("by", "category (default), channel or team"),
        ],
        body: None,
        returns: r#"{"period","label","grain","by","baseline_periods","min_sample","warnings":[{"segment","tickets","baseline_tickets","share","baseline_share","share_z","dissatisfaction","baseline_dissatisfaction","dissatisfaction_z","score","signal","significant","history"}]}"#,
    },
    Endpoint {
        method: "get",
        path: "/events",
        summary: "The business events (promotions, outages, releases, price changes) that overlap a range of days, earliest first; every time chart marks them at the period they begin.",
        scope: "read",
        params: &[
            ("from", "first day, YYYY-MM-DD (default: a year before the latest data)"),
            RANGE[1],
        ],
        body: None,
        returns: r#"[{"kind","title","starts_on","ends_on","author"}]"#,
    },
    Endpoint {
        method: "post",
        path: "/events",
        summary: "Adds business events, all in one transaction or none: a JSON array of {kind, title, starts_on, ends_on?}, or CSV with a header row naming kind, title, starts_on and optionally ends_on (Content-Type: text/csv). kind is promotion, outage, release, price_change or other; titles up to 100 characters; dates YYYY-MM-DD from 1990 to 2100; an event lasts at most 366 days (ends_on defaults to starts_on). An event of the same kind, title and first day is updated, so sending a file twice changes nothing. A refusal names the field, e.g. events[2].starts_on for the third event (the fourth line of a CSV file).",
        scope: "write",
        params: &[],
        body: Some(Body::Events),
        returns: r#"{"received","new"}"#,
    },
    Endpoint {
        method: "get",
        path: "/variance",
        summary: "Every KPI's actual against its target for a month and scope, worst first (KPIs without a target last), with variance, variance % (null when the target is 0), favourable by the KPI's direction and status against the tolerance band; for one KPI its split by a dimension with each segment's part of the gap, the mix vs rate decomposition of its change since the month before, and up to 12 months of actual vs target (none before the data begins).",
        scope: "read",
        params: &[
            ("period", "the month, YYYY-MM (default: the last month with data)"),
            ("scope", "channel, category or team: judge one segment against its own targets (default: the company)"),
            ("value", "the scope's value, e.g. chat (required with scope)"),
            ("version", "plan (default) or reforecast (the plan where there is no re-forecast)"),
            ("kpi", "the KPI to split (default: the worst one with a target)"),
            ("by", "channel (default), category or team: what to split it by"),
        ],
        body: None,
        returns: r#"{"month","label","scope","version","with_target","rows":[{"key","name","unit","direction","variance":{"actual","target","variance","variance_pct","favourable","status"},"tolerance_pct","target_version","note"}],"drill":{"key","by","segments":[{"segment","n","variance","own_target","impact"}],"mix_rate":{"before","after","mix","rate","segments"},"history":[[label,actual,target]],"target","band"}}; status is on_target, watch (within tolerance), off_target or no_data"#,
    },
    Endpoint {
        method: "get",
        path: "/targets",
        summary: "The stored targets (every scope and version), by KPI, month, scope and version.",
        scope: "read",
        params: &[
            ("kpi", "only this KPI"),
            ("from", "first month, YYYY-MM"),
            ("to", "last month, YYYY-MM"),
        ],
        body: None,
        returns: r#"[{"kpi","period","scope_dim","scope_value","version","value","tolerance_pct","set_by","set_at","note"}]"#,
    },
    Endpoint {
        method: "put",
        path: "/targets",
        summary: "Set targets (1 to 5,000 a request): each replaces the one of the same KPI, month, scope and version, and the change is kept in the history. All are checked first; one wrong field refuses the whole array. Warns when a target asks for less than the same month's actual a year earlier or lies beyond the newest benchmark's p90. With Content-Type text/csv the body is a whole plan, columns kpi,period,scope,value,tolerance,note,version (scope empty or like channel:chat); a bad row is refused as {\"field\":\"csv\"} naming its row and column.",
        scope: "write",
        params: &[],
        body: Some(Body::Targets),
        returns: r#"{"saved","replaced","warnings":[…]}, or 422 {"error","field"}"#,
    },
    Endpoint {
        method: "get",
        path: "/actions",
        summary: "The corrective actions of the variance register across KPIs, newest month first; each done one says whether its KPI's gap to target narrowed in the 3 months after its completion month against the 3 before (toward, away, unchanged, or not_enough_data with fewer than 2 months a side).",
        scope: "read",
        params: &[
            ("status", "open, in_progress or done"),
            ("owner", "only this owner"),
            ("kpi", "only this KPI"),
        ],
        body: None,
        returns: r#"{"actions":[{"entry":{"id","kpi","period","scope_dim","scope_value","kind","text","owner","status","due_on","completed_on","author","created_at","updated_at"},"kpi_name","unit","recovery":{"before","after","months_before","months_after","outcome"}|null}],"owners":[…],"query"}"#,
    },
    Endpoint {
        method: "post",
        path: "/actions",
        summary: "Add corrective actions to KPIs' variances, checked like the variance page's form; one wrong field refuses them all, naming the action (from 1) and the field.",
        scope: "write",
        params: &[],
        body: Some(Body::Actions),
        returns: r#"{"saved","ids":[…]}, or 422 {"error","field"}"#,
    },
    Endpoint {
        method: "post",
        path: "/tickets",
        summary: "Upsert tickets by external_id; the batch is refused whole if any record is invalid.",
        scope: "ingest",
        params: &[],
        body: Some(Body::Records(Kind::Tickets)),
        returns: r#"{"inserted","updated","unchanged"}, or 422 {"error","record","field"}"#,
    },
    Endpoint {
        method: "post",
        path: "/orders",
        summary: "Upsert orders by external_id.",
        scope: "ingest",
        params: &[],
        body: Some(Body::Records(Kind::Orders)),
        returns: r#"{"inserted","updated","unchanged"}, or 422 {"error","record","field"}"#,
    },
    Endpoint {
        method: "post",
        path: "/financials",
        summary: "Upsert monthly financials by month.",
        scope: "ingest",
        params: &[],
        body: Some(Body::Records(Kind::Financials)),
        returns: r#"{"inserted","updated","unchanged"}, or 422 {"error","record","field"}"#,
    },
    Endpoint {
        method: "post",
        path: "/import/{kind}",
        summary: "Import a CSV file (any size up to 1 GB) in one transaction, through a column mapping; without one the file is read in the canonical format. One import at a time: while one runs, another is refused with 503 and Retry-After.",
        scope: "ingest",
        params: &[
            ("kind", "tickets, orders, financials, targets or benchmarks (path)"),
            ("mapping", "the column mapping as JSON (see the Data page or the mapping files of the CLI)"),
            ("preset", "the name of a mapping saved on the Data page"),
        ],
        body: Some(Body::Csv),
        returns: r#"{"rows","inserted","updated","unchanged","repeated","repeated_first","rejected"}, or 422 {"error","refused","by_reason","errors":[{"row","data_row","column","value","reason"}]}"#,
    },
    Endpoint {
        method: "post",
        path: "/charts/{format}",
        summary: "A chart spec (as every chart on a page carries it) drawn as a PNG or SVG file.",
        scope: "read",
        params: &[("format", "png or svg (path)")],
        body: Some(Body::ChartForm),
        returns: r#"image/png or image/svg+xml, or 422 {"error"} for a spec whose parts do not fit together, larger than 5,000 labels, rows, columns, bars or points, 200 series or 100,000 values, or plotting a value beyond ±1e15"#,
    },
];

/// The JSON Schema of one field type.
fn schema_of(ty: FieldType) -> Value {
    match ty {
        FieldType::Text => json!({ "type": "string" }),
        FieldType::Timestamp => json!({
            "oneOf": [{ "type": "string", "format": "date-time" }, { "type": "integer", "description": "epoch seconds" }]
        }),
        FieldType::Integer => json!({ "type": "integer" }),
        FieldType::Decimal => json!({ "type": "number" }),
        FieldType::Boolean => json!({ "type": "boolean" }),
        FieldType::Month => json!({ "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$" }),
        FieldType::Score { lo, hi } => json!({ "type": "integer", "minimum": lo, "maximum": hi }),
    }
}

/// The schema of one record kind, from its field table.
pub fn record_schema(kind: Kind) -> Value {
    let mut properties = Map::new();
    for f in kind.fields() {
        let mut schema = schema_of(f.ty);
        schema["description"] = Value::from(f.description);
        if !f.example.is_empty() {
            schema["example"] = Value::from(f.example);
        }
        properties.insert(f.name.to_string(), schema);
    }
    let required: Vec<&str> = kind.fields().iter().filter(|f| f.required).map(|f| f.name).collect();
    json!({ "type": "object", "properties": properties, "required": required })
}

/// The OpenAPI 3 document of `/api/v1`.
pub fn openapi() -> Value {
    let mut paths = Map::new();
    for e in ENDPOINTS {
        let parameters: Vec<Value> = e
            .params
            .iter()
            .map(|(name, description)| {
                let in_path = e.path.contains(&format!("{{{name}}}"));
                json!({
                    "name": name,
                    "in": if in_path { "path" } else { "query" },
                    "required": in_path,
                    "description": description,
                    "schema": { "type": "string" },
                })
            })
            .collect();
        let mut operation = json!({
            "summary": e.summary,
            "parameters": parameters,
            "responses": { "200": { "description": e.returns } },
        });
        if e.scope != "none" {
            operation["security"] = json!([{ "token": [] }]);
            operation["description"] =
                Value::from(format!("Needs a token with the {} scope, or a signed-in session.", e.scope));
            operation["responses"]["401"] = json!({ "description": "no valid token or session" });
            operation["responses"]["403"] =
                json!({ "description": "the token's scope (or the user's role) does not allow this route" });
        }
        if let Some(body) = e.body {
            operation["requestBody"] = request_body(body);
            operation["responses"]["422"] =
                json!({ "description": "invalid input, naming the record (or row) and field" });
        }
        paths
            .entry(e.path.to_string())
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .expect("a path item is an object")
            .insert(e.method.to_string(), operation);
    }
    let mut schemas = Map::new();
    for kind in Kind::ALL {
        schemas.insert(kind.key().to_string(), record_schema(kind));
    }
    schemas.insert(
        "kpi_key".into(),
        json!({ "type": "string", "enum": Kpi::ALL.iter().map(|k| k.key()).collect::<Vec<_>>() }),
    );
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Aftercare API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Post-purchase support analytics. Periods are written 2025-03-14 (day), 2025-W11 (ISO week), 2025-03 (month), 2025-Q1 (quarter); a KPI with no value is null.",
        },
        "servers": [{ "url": "/api/v1" }],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": { "token": { "type": "http", "scheme": "bearer" } },
        },
    })
}

fn request_body(body: Body) -> Value {
    match body {
        Body::Records(kind) => {
            let reference = json!({ "$ref": format!("#/components/schemas/{}", kind.key()) });
            json!({
                "required": true,
                "content": {
                    "application/json": { "schema": { "type": "array", "items": reference } },
                    "application/x-ndjson": { "schema": reference },
                },
            })
        }
        Body::Csv => {
            json!({ "required": true, "content": { "text/csv": { "schema": { "type": "string" } } } })
        }
        Body::Targets => json!({
            "required": true,
            "content": { "application/json": { "schema": { "type": "array", "items": {
                "type": "object",
                "properties": {
                    "kpi": { "$ref": "#/components/schemas/kpi_key" },
                    "period": { "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$" },
                    "scope": { "type": "object", "properties": {
                        "dimension": { "type": "string", "enum": ["channel", "category", "team"] },
                        "value": { "type": "string", "maxLength": 100 },
                    }, "required": ["dimension", "value"] },
                    "value": { "type": "number", "description": "percentages 0–100, times and counts ≥ 0, NPS −100–100" },
                    "tolerance": { "type": "number", "minimum": 0, "maximum": 100, "description": "% of the target" },
                    "note": { "type": "string", "maxLength": 100 },
                    "version": { "type": "string", "enum": ["plan", "reforecast"] },
                },
                "required": ["kpi", "period", "value"],
            } } },
            "text/csv": { "schema": { "type": "string", "description": "kpi,period,scope,value,tolerance,note,version" } } },
        }),
        Body::Events => {
            let event = json!({
                "type": "object",
                "properties": {
                    "kind": { "type": "string", "enum": ["promotion", "outage", "release", "price_change", "other"] },
                    "title": { "type": "string", "minLength": 1, "maxLength": 100 },
                    "starts_on": { "type": "string", "format": "date" },
                    "ends_on": { "type": "string", "format": "date" },
                },
                "required": ["kind", "title", "starts_on"],
            });
            json!({
                "required": true,
                "content": {
                    "application/json": { "schema": { "type": "array", "items": event } },
                    "text/csv": { "schema": { "type": "string" } },
                },
            })
        }
        Body::Actions => {
            let action = json!({
                "type": "object",
                "properties": {
                    "kpi": { "$ref": "#/components/schemas/kpi_key" },
                    "period": { "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$" },
                    "scope": { "type": "object", "properties": {
                        "dimension": { "type": "string", "enum": ["channel", "category", "team"] },
                        "value": { "type": "string", "maxLength": 100 },
                    }, "required": ["dimension", "value"] },
                    "text": { "type": "string", "minLength": 1, "maxLength": 300 },
                    "owner": { "type": "string", "minLength": 1, "maxLength": 60 },
                    "due_on": { "type": "string", "format": "date" },
                    "status": { "type": "string", "enum": ["open", "in_progress", "done"] },
                    "completed_on": { "type": "string", "format": "date", "description": "when done; today by default" },
                },
                "required": ["kpi", "period", "text", "owner", "due_on"],
            });
            json!({
                "required": true,
                "content": { "application/json": { "schema": { "oneOf": [action, { "type": "array", "items": action }] } } },
            })
        }
        Body::ChartForm => json!({
            "required": true,
            "content": { "application/x-www-form-urlencoded": {
                "schema": { "type": "object", "properties": { "spec": { "type": "string" } }, "required": ["spec"] }
            } },
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_endpoint_is_in_the_document_with_its_parameters_and_schemas() {
        let doc = openapi();
        for e in ENDPOINTS {
            let op = &doc["paths"][e.path][e.method];
            assert!(op.is_object(), "{} {}", e.method, e.path);
            assert_eq!(op["parameters"].as_array().unwrap().len(), e.params.len());
        }
        let series = &doc["paths"]["/kpis/{key}/series"]["get"]["parameters"];
        assert_eq!(series[0]["in"], "path");
        assert_eq!(series[1]["in"], "query");
        let tickets = &doc["components"]["schemas"]["tickets"];
        assert_eq!(tickets["properties"]["csat"]["maximum"], 5);
        assert!(tickets["required"].as_array().unwrap().contains(&Value::from("external_id")));
        assert!(doc["paths"]["/health"]["get"]["security"].is_null(), "health needs no token");
    }
}
