//! Formats and API: every file format with its columns, types and examples,
//! the REST routes, and the command line — rendered from the same tables as
//! the import and the OpenAPI document.

use crate::components::layout::PageHead;
use crate::docs::{Body, ENDPOINTS};
use crate::import::Kind;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DocsPage() -> impl IntoView {
    let formats = Kind::ALL
        .iter()
        .map(|kind| {
            let example_header = kind.fields().iter().map(|f| f.name).collect::<Vec<_>>().join(",");
            let example_row = kind.fields().iter().map(|f| csv_cell(f.example)).collect::<Vec<_>>().join(",");
            view! {
                <section class="panel form-panel" id=kind.key()>
                    <h2>{kind.key()}</h2>
                    <div class="table-scroll"><table class="data-table">
                        <thead><tr><th>"Column"</th><th>"Type"</th><th>"Required"</th><th>"Meaning"</th><th>"Example"</th></tr></thead>
                        <tbody>
                            {kind.fields().iter().map(|f| view! {
                                <tr>
                                    <td><code>{f.name}</code></td>
                                    <td>{f.ty.describe()}</td>
                                    <td>{if f.required { "yes" } else { "" }}</td>
                                    <td>{f.description}</td>
                                    <td>{(!f.example.is_empty()).then(|| view! { <code>{f.example}</code> })}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table></div>
                    <pre class="example"><code>{format!("{example_header}\n{example_row}")}</code></pre>
                </section>
            }
        })
        .collect_view();
    let routes = ENDPOINTS
        .iter()
        .map(|e| {
            let body = e.body.map(|b| match b {
                Body::Records(kind) => format!("{} records: a JSON array or NDJSON", kind.key()),
                Body::Csv => "a CSV file".to_string(),
                Body::ChartForm => "form field spec: a chart spec as JSON".to_string(),
                Body::Events => {
                    "a JSON array of {kind, title, starts_on, ends_on?}, or CSV with those columns (Content-Type: text/csv)"
                        .to_string()
                }
                Body::Targets => {
                    "a JSON array of {kpi, period, scope?: {dimension, value}, value, tolerance?, note?, version?}, or a plan as CSV (Content-Type: text/csv)"
                        .to_string()
                }
                Body::Actions => {
                    "one {kpi, period, scope?: {dimension, value}, text, owner, due_on, status?, completed_on?}, or a JSON array of them"
                        .to_string()
                }
            });
            view! {
                <tr>
                    <td><code>{format!("{} /api/v1{}", e.method.to_uppercase(), e.path)}</code></td>
                    <td>
                        {e.summary}
                        {(!e.params.is_empty()).then(|| view! {
                            <ul class="params">
                                {e.params.iter().map(|(name, meaning)| view! { <li><code>{*name}</code>" — "{*meaning}</li> }).collect_view()}
                            </ul>
                        })}
                        {body.map(|b| view! { <p class="muted">"Body: "{b}</p> })}
                        <p class="muted">"Returns "<code>{e.returns}</code></p>
                    </td>
                    <td>{e.scope}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Title text="Formats and API"/>
        <PageHead eyebrow="Reference" title="Formats and API">
            "The canonical CSV and JSON formats, the REST API ("
            <a href="/api/v1/openapi.json">"OpenAPI 3 document"</a>
            ") and the command line."
        </PageHead>
        <section class="panel form-panel">
            <h2>"Files"</h2>
            <p>
                "A CSV in the canonical format has one column per field below, named as the field; times are "
                "RFC 3339 (" <code>"2025-03-14T09:30:00Z"</code> ") or epoch seconds, booleans true/false, and an empty "
                "cell is no value. JSON records use the same names. Files in other layouts import through a column "
                "mapping on the " <a href="/data">"Data"</a> " page, or with " <code>"--mapping"</code> " on the command line. "
                "Re-importing a file updates by " <code>"external_id"</code> " (month for financials) and changes nothing else."
            </p>
        </section>
        {formats}
        <section class="panel form-panel">
            <h2>"REST API"</h2>
            <p>"Send " <code>"Authorization: Bearer <token>"</code> " with a token from " <a href="/admin/tokens">"Tokens"</a> " (read or ingest scope). Errors are JSON: " <code>"{\"error\": …}"</code> "."</p>
            <div class="table-scroll"><table class="data-table api-table">
                <thead><tr><th>"Route"</th><th>"What it does"</th><th>"Scope"</th></tr></thead>
                <tbody>{routes}</tbody>
            </table></div>
        </section>
        <section class="panel form-panel">
            <h2>"Settings"</h2>
            <p>"Environment variables of " <code>"aftercare serve"</code> "."</p>
            <div class="table-scroll"><table class="data-table api-table">
                <thead><tr><th>"Variable"</th><th>"Default"</th><th>"Meaning"</th></tr></thead>
                <tbody>
                    {crate::docs::SETTINGS
                        .iter()
                        .map(|(name, default, meaning)| view! { <tr><td><code>{*name}</code></td><td>{*default}</td><td>{*meaning}</td></tr> })
                        .collect_view()}
                </tbody>
            </table></div>
        </section>
        <section class="panel form-panel">
            <h2>"Command line"</h2>
            <pre class="example"><code>{COMMANDS}</code></pre>
        </section>
    }
}

const COMMANDS: &str =
    "aftercare import tickets export.csv --mapping zendesk.toml   # strict: all rows or none
aftercare import tickets export.csv --mapping zendesk.toml --rejects refused.csv
aftercare import orders orders.csv                 # canonical columns need no mapping
aftercare demo --export demo-csv/                 # the demo data set as canonical CSV files
aftercare token create --scope ingest --label hourly

# zendesk.toml
timezone = \"Europe/Berlin\"

[fields.external_id]
column = \"Ticket ID\"

[fields.created_at]
column = \"Created\"
format = \"%d/%m/%Y %H:%M\"

[fields.first_response_at]
column = \"First reply time (hrs)\"
duration = \"hours\"

[fields.csat]
column = \"Satisfaction\"
values = { good = \"5\", bad = \"1\" }";

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
