//! Matrix: a ticket KPI across two dimensions as a heatmap table, server
//! HTML only. The URL holds the view (`/matrix?kpi=csat&rows=category
//! &cols=channel&from=…&compare=previous&top=10`); the controls are a plain
//! GET form, and every cell and header links to its tickets.

use crate::api::matrix::{get_matrix, MatrixQuery, MatrixResult, Measure};
use crate::api::query::{filter_options, FilterChoices, RangeParams};
use crate::components::layout::PageHead;
use crate::components::states::{EmptyState, ErrorPanel};
use crate::kpi::format::{delta, value};
use crate::kpi::matrix::{shade, span, Metric};
use crate::kpi::{Direction, Kpi, Period, Unit};
use crate::url::percent_encode;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn MatrixPage() -> impl IntoView {
    let query = use_query_map();
    let request = move || {
        let q = query.read();
        let get = |name: &str| q.get(name).filter(|v| !v.is_empty());
        MatrixQuery {
            kpi: get("kpi"),
            rows: get("rows"),
            cols: get("cols"),
            sort: get("sort"),
            top: get("top"),
            top_cols: get("top_cols"),
            min_n: get("min_n"),
            compare: get("compare"),
            range: RangeParams::from_url(get),
        }
    };
    let matrix = Resource::new(request, get_matrix);
    let options = Resource::new(|| (), |_| filter_options());
    view! {
        <Title text="Matrix"/>
        <PageHead eyebrow="Matrix" title="Where a KPI is good or bad">
            "A ticket KPI by two dimensions: green is better, red is worse for that KPI. "
            "Compare with the period before to see what got worse; open any cell, row or column to see its tickets."
        </PageHead>
        <Suspense fallback=|| view! { <p class="muted">"Loading the matrix…"</p> }>
            {move || Suspend::new(async move {
                let filters = match options.await {
                    Ok(o) => view! { <MatrixForm query=request() options=o/> }.into_any(),
                    Err(e) => view! { <ErrorPanel message=e.to_string()/> }.into_any(),
                };
                let body = match matrix.await {
                    Ok(m) if m.cells.is_empty() => view! {
                        <EmptyState title="No tickets in this range">
                            <p>"No ticket matches these dates and filters: choose a longer range or fewer filters."</p>
                        </EmptyState>
                    }.into_any(),
                    Ok(m) => view! { <MatrixTable matrix=m query=request()/> }.into_any(),
                    Err(e) => view! { <ErrorPanel message=e.to_string()/> }.into_any(),
                };
                view! { {filters} {body} }
            })}
        </Suspense>
    }
}

fn choices(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(v, t)| (v.to_string(), t.to_string())).collect()
}

/// The view's controls as a GET form: no JavaScript, the state in the URL.
#[component]
fn MatrixForm(query: MatrixQuery, options: FilterChoices) -> impl IntoView {
    let r = query.range.clone();
    let select =
        |name: &'static str, label: &'static str, values: Vec<(String, String)>, chosen: Option<String>| {
            let id = format!("matrix-{name}");
            view! {
                <div class="field">
                    <label for=id.clone()>{label}</label>
                    <select id=id name=name>
                        {values.into_iter().map(|(v, text)| {
                            let selected = chosen.as_deref().unwrap_or("") == v;
                            view! { <option value=v selected=selected>{text}</option> }
                        }).collect_view()}
                    </select>
                </div>
            }
        };
    let any = |all: &str, values: Vec<String>| {
        std::iter::once((String::new(), all.to_string()))
            .chain(values.into_iter().map(|v| (v.clone(), v)))
            .collect()
    };
    let kpis = std::iter::once(Metric::Share)
        .chain(Kpi::ALL.iter().filter(|k| k.needs().tickets_only()).map(|k| Metric::Kpi(*k)))
        .map(|m| (m.key().to_string(), m.name().to_string()))
        .collect();
    // Agent, priority and product read whole months and pair with one of
    // the others or with months (agent × month is the coaching view).
    let extra = [("agent", "Agent"), ("priority", "Priority"), ("product", "Product")];
    let mut dims = choices(&[("category", "Category"), ("channel", "Channel"), ("team", "Team")]);
    dims.extend(choices(&extra));
    let mut col_dims = choices(&[("channel", "Channel"), ("category", "Category"), ("team", "Team")]);
    col_dims.extend(choices(&[("month", "Month"), ("week", "Week")]));
    col_dims.extend(choices(&extra));
    let compare = choices(&[("", "No comparison"), ("previous", "Change from the period before")]);
    let sorts =
        choices(&[("name", "Name"), ("value", "Value, worst first"), ("total", "Tickets, most first")]);
    let tops = choices(&[
        ("", "All rows"),
        ("5", "Top 5 + other"),
        ("10", "Top 10 + other"),
        ("20", "Top 20 + other"),
    ]);
    view! {
        <form class="panel form-panel filter-form" method="get" action="/matrix">
            {select("kpi", "KPI", kpis, query.kpi.clone().or(Some("csat".into())))}
            {select("rows", "Rows", dims, query.rows.clone().or(Some("category".into())))}
            {select("cols", "Columns", col_dims, query.cols.clone().or(Some("channel".into())))}
            <div class="field">
                <label for="matrix-from">"From"</label>
                <input id="matrix-from" type="date" name="from" value=r.from.clone().unwrap_or_default()/>
            </div>
            <div class="field">
                <label for="matrix-to">"To"</label>
                <input id="matrix-to" type="date" name="to" value=r.to.clone().unwrap_or_default()/>
            </div>
            {select("compare", "Compare", compare, query.compare.clone())}
            {select("channel", "Channel", any("All channels", options.channels), r.channel.clone())}
            {select("category", "Category", any("All categories", options.categories), r.category.clone())}
            {select("team", "Team", any("All teams", options.teams), r.team.clone())}
            {select("sort", "Sort by", sorts, query.sort.clone())}
            {select("top", "Rows shown", tops.clone(), query.top.clone())}
            {select("top_cols", "Columns shown", top_cols(tops), query.top_cols.clone())}
            <div class="field">
                <label for="matrix-min-n">"Minimum sample"</label>
                <input id="matrix-min-n" type="number" min="0" max="1000000" name="min_n"
                    value=query.min_n.clone().unwrap_or_default() placeholder="30"/>
            </div>
            <button type="submit" class="btn btn-primary">"Show"</button>
        </form>
    }
}

/// The "Rows shown" choices, worded for columns.
fn top_cols(tops: Vec<(String, String)>) -> Vec<(String, String)> {
    tops.into_iter().map(|(v, t)| (v, t.replace("rows", "columns"))).collect()
}

/// `name=value&…` of the non-empty pairs, percent-encoded.
fn query_string(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Where a cell, row or column drills to: its tickets, with the matrix view
/// kept in the URL for the way back. `None` for the "Other" row.
struct Drill<'a> {
    m: &'a MatrixResult,
    query: &'a MatrixQuery,
}

impl Drill<'_> {
    fn href(&self, row: Option<&str>, col: Option<&str>) -> Option<String> {
        // "Other" folds several rows or columns: no single filter selects its tickets.
        let other_row =
            !self.m.other.is_empty() && row.is_some() && self.m.rows.last().map(String::as_str) == row;
        let other_col =
            !self.m.other_cols.is_empty() && col.is_some() && self.m.cols.last().map(String::as_str) == col;
        let no_product =
            |dim: &str, v: Option<&str>| dim == "product" && v == Some(crate::models::NO_PRODUCT);
        if other_row || other_col || no_product(&self.m.row_dim, row) || no_product(&self.m.col_dim, col) {
            return None;
        }
        let r = &self.query.range;
        let mut pairs: Vec<(&str, String)> = vec![
            ("from", self.m.from.clone()),
            ("to", self.m.to.clone()),
            ("channel", r.channel.clone().unwrap_or_default()),
            ("category", r.category.clone().unwrap_or_default()),
            ("team", r.team.clone().unwrap_or_default()),
            ("agent", String::new()),
            ("priority", String::new()),
            ("product", String::new()),
        ];
        let mut set = |dim: &str, v: &str| {
            if let Some(p) = pairs.iter_mut().find(|(k, _)| *k == dim) {
                p.1 = v.to_string();
            }
        };
        if let Some(row) = row {
            set(&self.m.row_dim, row);
        }
        if let Some(col) = col {
            match Period::parse(col).filter(|_| matches!(self.m.col_dim.as_str(), "month" | "week")) {
                // A time column: its days within the matrix's range.
                Some(p) => {
                    let start = p.start.to_string().max(self.m.from.clone());
                    let end = p.last_day().to_string().min(self.m.to.clone());
                    set("from", &start);
                    set("to", &end);
                }
                None => set(&self.m.col_dim, col),
            }
        }
        let view: Vec<(&str, String)> =
            [("kpi", &self.query.kpi), ("rows", &self.query.rows), ("cols", &self.query.cols)]
                .into_iter()
                .map(|(k, v)| (k, v.clone().unwrap_or_default()))
                .collect();
        pairs.extend(view);
        Some(format!("/matrix/tickets?{}", query_string(&pairs)))
    }
}

/// The heatmap: a value and its sample per cell, row and column totals, a
/// colour only where the sample is large enough.
#[component]
fn MatrixTable(matrix: MatrixResult, query: MatrixQuery) -> impl IntoView {
    let m = matrix;
    let unit = m.unit;
    let comparing = m.compare_from.is_some();
    let shown = |x: &Measure| if comparing { x.delta } else { x.value };
    let enough = |x: &Measure| x.n >= m.min_n && (!comparing || x.before_n.unwrap_or(0) >= m.min_n);
    let values: Vec<f64> =
        m.cells.iter().map(|c| &c.measure).filter(|x| enough(x)).filter_map(shown).collect();
    let range = span(values.iter().copied()).map(|(lo, hi)| {
        if comparing {
            let wide = lo.abs().max(hi.abs());
            (-wide, wide)
        } else {
            (lo, hi)
        }
    });
    let direction =
        if comparing && m.direction == Direction::Neutral { Direction::Neutral } else { m.direction };
    let drill = Drill { m: &m, query: &query };
    let metric_name = m.name.clone();
    let cell_view = |x: Option<&Measure>, href: Option<String>, coloured: bool| -> AnyView {
        let Some(x) = x else {
            return view! { <td class="num heat-empty"><span aria-label="no tickets">"—"</span></td> }
                .into_any();
        };
        let low = !enough(x);
        let class = match (shown(x), range, coloured && !low) {
            (Some(v), Some(r), true) => format!("num heat {}", shade(v, r, direction).class()),
            _ if low => "num heat heat-low".to_string(),
            _ => "num heat".to_string(),
        };
        let main = if comparing { delta(x.delta, unit) } else { value(x.value, unit) };
        let sub = if comparing {
            format!("{} · was {}", value(x.value, unit), value(x.before, unit))
        } else {
            format!("n = {}", value(Some(x.n as f64), Unit::Count))
        };
        let marker =
            low.then(|| view! { <span class="low-mark" title="Too few to be meaningful">"*"</span> });
        let inner = view! { <span class="heat-value">{main}{marker}</span><span class="heat-n">{sub}</span> };
        match href {
            Some(h) => view! { <td class=class><a href=h>{inner}</a></td> }.into_any(),
            None => view! { <td class=class><span class="heat-cell">{inner}</span></td> }.into_any(),
        }
    };
    let header = |label: String, href: Option<String>| match href {
        Some(h) => view! { <a href=h>{label}</a> }.into_any(),
        None => view! { <span>{label}</span> }.into_any(),
    };
    let caption = format!(
        "{} by {} and {}, {} to {}{}",
        m.name,
        m.row_dim,
        m.col_dim,
        m.from,
        m.to,
        m.compare_from
            .as_ref()
            .map(|f| format!(", change since {f} to {}", m.compare_to.clone().unwrap_or_default()))
            .unwrap_or_default()
    );
    let head_cells = m
        .cols
        .iter()
        .map(|c| view! { <th scope="col" class="num">{header(c.clone(), drill.href(None, Some(c)))}</th> })
        .collect_view();
    let body_rows = m
        .rows
        .iter()
        .map(|r| {
            let cells = m
                .cols
                .iter()
                .map(|c| {
                    let x = m.cells.iter().find(|x| &x.row == r && &x.col == c).map(|x| &x.measure);
                    cell_view(x, drill.href(Some(r), Some(c)), true)
                })
                .collect_view();
            let total = m.row_totals.iter().find(|t| &t.row == r).map(|t| &t.measure);
            view! {
                <tr>
                    <th scope="row">{header(r.clone(), drill.href(Some(r), None))}</th>
                    {cells}
                    {cell_view(total, drill.href(Some(r), None), false)}
                </tr>
            }
        })
        .collect_view();
    let foot_cells = m
        .cols
        .iter()
        .map(|c| {
            cell_view(
                m.col_totals.iter().find(|t| &t.col == c).map(|t| &t.measure),
                drill.href(None, Some(c)),
                false,
            )
        })
        .collect_view();
    let grand = cell_view(Some(&m.total), drill.href(None, None), false);
    let trend_kpi = Metric::parse(&m.kpi).map_or("tickets", |x| x.trend_kpi().key());
    let r = &query.range;
    let trend_href = format!(
        "/trends?{}",
        query_string(&[
            ("kpi", trend_kpi.to_string()),
            ("channel", r.channel.clone().unwrap_or_default()),
            ("category", r.category.clone().unwrap_or_default()),
            ("team", r.team.clone().unwrap_or_default()),
        ])
    );
    let other = (!m.other.is_empty()).then(|| {
        view! { <p class="muted small">{format!("Other: {}.", m.other.join(", "))}</p> }
    });
    let other_cols = (!m.other_cols.is_empty()).then(|| {
        view! { <p class="muted small">{format!("Other columns: {}.", m.other_cols.join(", "))}</p> }
    });
    // Agent, priority and product come from the monthly dimension rollup.
    let by_month = ["agent", "priority", "product"].iter().any(|d| *d == m.row_dim || *d == m.col_dim);
    let months_note = by_month.then(|| {
        view! {
            <p class="muted small matrix-volume-note">
                {format!(
                    "Whole months ({} to {}). Each number shows the tickets behind it (n); a value on fewer than {} tickets is marked * and not coloured: read it as a conversation starter, not a verdict.",
                    m.from, m.to, m.min_n
                )}
            </p>
        }
    });
    view! {
        <section class="panel form-panel matrix-panel">
            <h2 class="table-title" aria-hidden="true">{caption.clone()}</h2>
            <div class="table-scroll">
                <table class="data-table matrix-table">
                    <caption class="visually-hidden">{caption}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{format!("{} \\ {}", m.row_dim, m.col_dim)}</th>
                            {head_cells}
                            <th scope="col" class="num">"Total"</th>
                        </tr>
                    </thead>
                    <tbody>{body_rows}</tbody>
                    <tfoot>
                        <tr>
                            <th scope="row">"Total"</th>
                            {foot_cells}
                            {grand}
                        </tr>
                    </tfoot>
                </table>
            </div>
            {other}
            {other_cols}
            {months_note}
            <p class="legend muted small">
                {if m.direction == Direction::Neutral && !comparing {
                    view! { <span class="swatch heat-level-1"></span>" fewer " <span class="swatch heat-level-4"></span>" more " }.into_any()
                } else {
                    view! { <span class="swatch heat-good-3"></span>" better " <span class="swatch heat-bad-3"></span>" worse " }.into_any()
                }}
                {format!(
                    "· n = the count behind each value ({metric_name}); * fewer than {} (not coloured) · — no tickets · totals are the KPI over all their tickets, not averages of cells. ",
                    m.min_n
                )}
                <a href=trend_href>"Trend of this KPI"</a>
            </p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kpi::Unit;

    fn result(col_dim: &str, cols: &[&str], other: &[&str]) -> MatrixResult {
        let mut rows = vec!["chat".to_string()];
        if !other.is_empty() {
            rows.push(format!("Other ({})", other.len()));
        }
        MatrixResult {
            kpi: "csat".into(),
            name: "CSAT".into(),
            unit: Unit::Percent,
            direction: Direction::Higher,
            row_dim: "channel".into(),
            col_dim: col_dim.into(),
            from: "2025-07-15".into(),
            to: "2025-09-30".into(),
            compare_from: None,
            compare_to: None,
            min_n: 30,
            rows,
            cols: cols.iter().map(|c| c.to_string()).collect(),
            other: other.iter().map(|c| c.to_string()).collect(),
            other_cols: Vec::new(),
            cells: Vec::new(),
            row_totals: Vec::new(),
            col_totals: Vec::new(),
            total: Measure { value: None, n: 0, before: None, before_n: None, delta: None },
        }
    }

    #[test]
    fn a_cell_drills_to_its_row_and_column_with_the_view_kept() {
        let m = result("category", &["delivery & returns"], &[]);
        let query = MatrixQuery { kpi: Some("csat".into()), ..Default::default() };
        let href = Drill { m: &m, query: &query }.href(Some("chat"), Some("delivery & returns")).unwrap();
        assert_eq!(
            href,
            "/matrix/tickets?from=2025-07-15&to=2025-09-30&channel=chat&category=delivery%20%26%20returns&kpi=csat"
        );
    }

    #[test]
    fn a_month_column_drills_to_its_days_within_the_range_and_other_does_not_drill() {
        let m = result("month", &["2025-07", "2025-08"], &["email", "phone"]);
        let query = MatrixQuery::default();
        let drill = Drill { m: &m, query: &query };
        assert_eq!(
            drill.href(None, Some("2025-07")).unwrap(),
            "/matrix/tickets?from=2025-07-15&to=2025-07-31"
        );
        assert_eq!(drill.href(Some("Other (2)"), Some("2025-08")), None);
        assert!(drill.href(Some("chat"), None).unwrap().ends_with("channel=chat"));
    }

    #[test]
    fn an_agent_cell_drills_to_the_agent_and_an_other_column_does_not_drill() {
        let mut m = result("month", &["2025-08", "Other (3)"], &[]);
        m.row_dim = "agent".into();
        m.other_cols = vec!["a".into(), "b".into(), "c".into()];
        let query = MatrixQuery::default();
        let drill = Drill { m: &m, query: &query };
        assert_eq!(
            drill.href(Some("Ana Ruiz"), Some("2025-08")).unwrap(),
            "/matrix/tickets?from=2025-08-01&to=2025-08-31&agent=Ana%20Ruiz"
        );
        assert_eq!(drill.href(Some("Ana Ruiz"), Some("Other (3)")), None);
        m.col_dim = "product".into();
        let drill = Drill { m: &m, query: &query };
        assert_eq!(drill.href(Some("Ana Ruiz"), Some(crate::models::NO_PRODUCT)), None);
        assert!(drill.href(Some("Ana Ruiz"), Some("P-001")).unwrap().contains("product=P-001"));
    }
}
