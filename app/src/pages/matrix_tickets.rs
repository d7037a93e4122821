//! The tickets behind a matrix cell, row or column: a page of the raw
//! tickets with their fields, sortable, paged by keyset (`cursor` in the
//! URL), downloadable as CSV, with the way back to the matrix and to the
//! cell's trend. Server HTML and links only.

use crate::api::query::RangeParams;
use crate::api::tickets::{get_tickets, TicketPage, TicketQuery, TicketRow, TicketSort};
use crate::components::layout::PageHead;
use crate::components::states::{EmptyState, ErrorPanel};
use crate::components::time::date_time;
use crate::kpi::format::fixed;
use crate::kpi::matrix::Metric;
use crate::url::percent_encode;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The list's own parameters, and the matrix view it came from.
const FILTERS: [&str; 8] = ["from", "to", "channel", "category", "team", "agent", "priority", "product"];
const VIEW: [&str; 3] = ["kpi", "rows", "cols"];

#[component]
pub fn MatrixTicketsPage() -> impl IntoView {
    let query = use_query_map();
    let params = move || {
        let q = query.read();
        FILTERS
            .iter()
            .chain(VIEW.iter())
            .chain(["sort", "cursor", "limit"].iter())
            .filter_map(|k| q.get(k).filter(|v| !v.is_empty()).map(|v| (k.to_string(), v)))
            .collect::<Vec<(String, String)>>()
    };
    let request = move || {
        let p = params();
        let get = |name: &str| p.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        TicketQuery {
            agent: get("agent"),
            priority: get("priority"),
            product: get("product"),
            sort: get("sort"),
            cursor: get("cursor"),
            limit: get("limit"),
            range: RangeParams::from_url(get),
        }
    };
    let page = Resource::new(request, get_tickets);
    view! {
        <Title text="Tickets"/>
        <PageHead eyebrow="Matrix" title="The tickets behind the cell">
            "Every ticket created in the range that matches the cell's filters, with its fields."
        </PageHead>
        <Suspense fallback=|| view! { <p class="muted">"Loading the tickets…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <TicketList page=p params=params()/> }.into_any(),
                    Err(e) => view! { <ErrorPanel message=e.to_string()/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn link(base: &str, pairs: &[(String, String)]) -> String {
    let q: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={}", percent_encode(v))).collect();
    format!("{base}?{}", q.join("&"))
}

/// `pairs` with `key` set to `value` (or removed when empty).
fn with(pairs: &[(String, String)], key: &str, value: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = pairs.iter().filter(|(k, _)| k != key).cloned().collect();
    if !value.is_empty() {
        out.push((key.to_string(), value.to_string()));
    }
    out
}

fn only(pairs: &[(String, String)], keys: &[&str]) -> Vec<(String, String)> {
    pairs.iter().filter(|(k, _)| keys.contains(&k.as_str())).cloned().collect()
}

fn hours(from: i64, to: Option<i64>) -> String {
    to.map_or("—".into(), |t| fixed((t - from) as f64 / 3600.0, 1))
}

fn yes(flag: bool) -> &'static str {
    if flag {
        "yes"
    } else {
        ""
    }
}

#[component]
fn TicketList(page: TicketPage, params: Vec<(String, String)>) -> impl IntoView {
    let filters = only(&params, &FILTERS[2..]);
    let summary = if filters.is_empty() {
        "All tickets".to_string()
    } else {
        filters.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(" · ")
    };
    let summary = format!("{summary} · created {} to {}", page.from, page.to);
    let back = link(
        "/matrix",
        &only(&params, &["kpi", "rows", "cols", "from", "to", "channel", "category", "team"]),
    );
    let kpi = params.iter().find(|(k, _)| k == "kpi").map_or("csat", |(_, v)| v.as_str());
    let trend_kpi = Metric::parse(kpi).map_or("tickets", |m| m.trend_kpi().key());
    let mut trend = only(&params, &["channel", "category", "team"]);
    trend.insert(0, ("kpi".into(), trend_kpi.into()));
    let trend = link("/trends", &trend);
    let unpaged = with(&params, "cursor", "");
    let csv =
        link("/api/v1/tickets", &with(&with(&only(&unpaged, &FILTERS), "sort", &page.sort), "format", "csv"));
    let sorted = |asc: TicketSort, desc: TicketSort, label: &'static str| {
        let next = if page.sort == desc.key() { asc } else { desc };
        let mark = match page.sort.as_str() {
            s if s == asc.key() => " ↑",
            s if s == desc.key() => " ↓",
            _ => "",
        };
        let aria = match mark {
            " ↑" => "ascending",
            " ↓" => "descending",
            _ => "none",
        };
        view! {
            <th scope="col" aria-sort=aria><a href=link("/matrix/tickets", &with(&unpaged, "sort", next.key()))>{label}{mark}</a></th>
        }
    };
    let first_page = params.iter().any(|(k, _)| k == "cursor").then(|| {
        view! { <a class="btn" href=link("/matrix/tickets", &unpaged)>"First page"</a> }
    });
    let next = page.next_cursor.clone().map(|c| {
        view! { <a class="btn btn-primary" rel="next" href=link("/matrix/tickets", &with(&params, "cursor", &c))>"Next page"</a> }
    });
    let count = page.tickets.len();
    view! {
        <div class="drill-head">
            <p class="muted">{summary}</p>
            <div class="drill-tabs">
                <a class="btn" href=back>"Back to the matrix"</a>
                <a class="btn" href=trend>"Trend of this cell"</a>
                <a class="btn" href=csv download>"Download CSV"</a>
            </div>
        </div>
        <RawFilters params=params.clone()/>
        {if page.tickets.is_empty() {
            view! {
                <EmptyState title="No tickets">
                    <p>"No ticket matches these filters in the range."</p>
                </EmptyState>
            }.into_any()
        } else {
            view! {
                <div class="table-scroll">
                    <table class="data-table ticket-table">
                        <caption class="visually-hidden">{format!("{count} tickets")}</caption>
                        <thead>
                            <tr>
                                {sorted(TicketSort::ExternalIdAsc, TicketSort::ExternalIdDesc, "Ticket")}
                                {sorted(TicketSort::OldestFirst, TicketSort::NewestFirst, "Created (UTC)")}
                                <th scope="col">"Channel"</th>
                                <th scope="col">"Category"</th>
                                <th scope="col">"Team"</th>
                                <th scope="col">"Agent"</th>
                                <th scope="col">"Priority"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col" class="num">"First response (h)"</th>
                                <th scope="col" class="num">"Resolution (h)"</th>
                                <th scope="col" class="num">"CSAT"</th>
                                <th scope="col" class="num">"NPS"</th>
                                <th scope="col">"FCR"</th>
                                <th scope="col">"Reopened"</th>
                                <th scope="col">"Escalated"</th>
                            </tr>
                        </thead>
                        <tbody>{page.tickets.into_iter().map(ticket_row).collect_view()}</tbody>
                    </table>
                </div>
            }.into_any()
        }}
        <nav class="pager" aria-label="Pages">
            {first_page}
            <span class="muted small">{format!("{count} tickets on this page")}</span>
            {next}
        </nav>
    }
}

fn ticket_row(t: TicketRow) -> impl IntoView {
    let score = |v: Option<i64>| v.map_or(String::new(), |v| v.to_string());
    view! {
        <tr>
            <td>{t.external_id}</td>
            <td>{date_time(t.created_at)}</td>
            <td>{t.channel}</td>
            <td>{t.category}</td>
            <td>{t.team}</td>
            <td>{t.agent}</td>
            <td>{t.priority}</td>
            <td>{t.status}</td>
            <td class="num">{hours(t.created_at, t.first_response_at)}</td>
            <td class="num">{hours(t.created_at, t.resolved_at)}</td>
            <td class="num">{score(t.csat)}</td>
            <td class="num">{score(t.nps)}</td>
            <td>{yes(t.first_contact_resolved)}</td>
            <td>{yes(t.reopened)}</td>
            <td>{yes(t.escalated)}</td>
        </tr>
    }
}

/// Agent, priority and product: not in the rollup, so they narrow this list
/// of raw tickets only. A GET form that keeps the rest of the URL.
#[component]
fn RawFilters(params: Vec<(String, String)>) -> impl IntoView {
    let raw = ["agent", "priority", "product"];
    let kept: Vec<(String, String)> =
        params.iter().filter(|(k, _)| !raw.contains(&k.as_str()) && k != "cursor").cloned().collect();
    let current =
        |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    view! {
        <form class="panel form-panel filter-form" method="get" action="/matrix/tickets">
            {kept.into_iter().map(|(k, v)| view! { <input type="hidden" name=k value=v/> }).collect_view()}
            {raw.into_iter().map(|name| {
                let id = format!("drill-{name}");
                let label = match name {
                    "agent" => "Agent",
                    "priority" => "Priority",
                    _ => "Product",
                };
                view! {
                    <div class="field">
                        <label for=id.clone()>{label}</label>
                        <input id=id type="text" name=name value=current(name) maxlength="200"/>
                    </div>
                }
            }).collect_view()}
            <button type="submit" class="btn btn-primary">"Filter"</button>
        </form>
    }
}
