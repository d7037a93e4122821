//! Trends: where a KPI is heading. The URL holds the view (`/trends?kpi=csat
//! &grain=week&from=…&channel=chat`), the filter form is a plain GET form,
//! and the chart is the kit's line chart with its interactive island.

use crate::api::query::{filter_options, FilterChoices, RangeParams};
use crate::api::trend::{get_trend, Trend, TrendQuery};
use crate::charts::line::{self, LineSpec};
use crate::components::chart::ChartView;
use crate::components::layout::PageHead;
use crate::components::states::{EmptyState, ErrorPanel};
use crate::kpi::format::{delta, value};
use crate::kpi::Kpi;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn TrendsPage() -> impl IntoView {
    let query = use_query_map();
    let request = move || {
        let q = query.read();
        let get = |name: &str| q.get(name).filter(|v| !v.is_empty());
        TrendQuery {
            kpi: get("kpi").unwrap_or_else(|| "csat".into()),
            window: get("window"),
            range: RangeParams {
                from: get("from"),
                to: get("to"),
                grain: get("grain"),
                channel: get("channel"),
                category: get("category"),
                team: get("team"),
            },
        }
    };
    let trend = Resource::new(request, get_trend);
    let options = Resource::new(|| (), |_| filter_options());
    view! {
        <Title text="Trends"/>
        <PageHead eyebrow="Trends" title="Where each KPI is heading">
            "A KPI by day, week, month or quarter with its trend, a moving average, last year for comparison, "
            "a three-period forecast and the periods outside their normal range."
        </PageHead>
        <Suspense fallback=|| view! { <p class="muted">"Loading the trend…"</p> }>
            {move || Suspend::new(async move {
                let filters = match options.await {
                    Ok(o) => view! { <TrendFilters query=request() options=o/> }.into_any(),
                    Err(e) => view! { <ErrorPanel message=e.to_string()/> }.into_any(),
                };
                let body = match trend.await {
                    Ok(t) if t.points.iter().all(|p| p.value.is_none()) => view! {
                        <EmptyState title="No values in this range">
                            <p>"Nothing to compute for these periods and filters: choose a longer range or fewer filters."</p>
                        </EmptyState>
                    }.into_any(),
                    Ok(t) => view! { <TrendBody trend=t/> }.into_any(),
                    Err(e) => view! { <ErrorPanel message=e.to_string()/> }.into_any(),
                };
                view! { {filters} {body} }
            })}
        </Suspense>
    }
}

/// The view's controls as a GET form: it works without JavaScript and puts
/// the whole state in the URL.
#[component]
fn TrendFilters(query: TrendQuery, options: FilterChoices) -> impl IntoView {
    let r = query.range.clone();
    let select = move |name: &'static str,
                       label: &'static str,
                       values: Vec<(String, String)>,
                       chosen: Option<String>| {
        let id = format!("trend-{name}");
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                <select id=id name=name>
                    {values
                        .into_iter()
                        .map(|(v, text)| {
                            let selected = chosen.as_deref() == Some(v.as_str());
                            view! { <option value=v selected=selected>{text}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
        }
    };
    let any = |all: &str, values: Vec<String>| {
        std::iter::once((String::new(), all.to_string()))
            .chain(values.into_iter().map(|v| (v.clone(), v)))
            .collect()
    };
    let kpis = Kpi::ALL.iter().map(|k| (k.key().to_string(), k.name().to_string())).collect();
    let grains = ["month", "week", "day", "quarter"].map(|g| (g.to_string(), g.to_string())).to_vec();
    let windows = [2, 3, 4, 6, 12].map(|w| (w.to_string(), format!("{w} periods"))).to_vec();
    view! {
        <form class="panel form-panel filter-form" method="get" action="/trends">
            {select("kpi", "KPI", kpis, Some(query.kpi.clone()))}
            {select("grain", "By", grains, r.grain.clone().or(Some("month".into())))}
            <div class="field">
                <label for="trend-from">"From"</label>
                <input id="trend-from" type="date" name="from" value=r.from.clone().unwrap_or_default()/>
            </div>
            <div class="field">
                <label for="trend-to">"To"</label>
                <input id="trend-to" type="date" name="to" value=r.to.clone().unwrap_or_default()/>
            </div>
            {select("channel", "Channel", any("All channels", options.channels), r.channel.clone())}
            {select("category", "Category", any("All categories", options.categories), r.category.clone())}
            {select("team", "Team", any("All teams", options.teams), r.team.clone())}
            {select("window", "Moving average", windows, query.window.clone().or(Some("3".into())))}
            <button type="submit" class="btn btn-primary">"Show"</button>
        </form>
    }
}

#[component]
fn TrendBody(trend: Trend) -> impl IntoView {
    let unit = trend.unit;
    let latest = trend.points.iter().rev().find_map(|p| p.value.map(|v| (p.label.clone(), v)));
    let stats = [
        (
            latest.as_ref().map_or("Latest".into(), |(l, _)| format!("Latest ({l})")),
            value(latest.as_ref().map(|(_, v)| *v), unit),
        ),
        ("Against the period before".to_string(), delta(trend.change, unit)),
        ("Against a year earlier".to_string(), delta(trend.year_over_year, unit)),
        (format!("Trend per {}", grain_name(trend.grain)), delta(trend.slope, unit)),
        (
            "Fit of the trend (R²)".to_string(),
            trend.r2.map_or("—".into(), |r| crate::kpi::format::fixed(r, 2)),
        ),
    ];
    let unusual: Vec<_> = trend.points.iter().filter_map(|p| p.unusual.map(|u| (p.clone(), u))).collect();
    let chart = line::render(&chart_spec(&trend));
    view! {
        <div class="stats">
            {stats.into_iter().map(|(label, text)| view! {
                <div class="stat"><span class="muted">{label}</span><strong>{text}</strong></div>
            }).collect_view()}
        </div>
        <ChartView chart/>
        <section class="panel form-panel">
            <h2>"Unusual periods"</h2>
            {if unusual.is_empty() {
                view! { <p class="muted">"None: every period is within three standard deviations of the six before it."</p> }.into_any()
            } else {
                view! {
                    <table class="data-table">
                        <thead><tr><th>"Period"</th><th>"Value"</th><th>"Normal range"</th></tr></thead>
                        <tbody>
                            {unusual.into_iter().map(|(p, (mean, sigma))| view! {
                                <tr>
                                    <td>{p.label}</td>
                                    <td>{value(p.value, unit)}</td>
                                    <td>{format!("{} to {}", value(Some(mean - 3.0 * sigma), unit), value(Some(mean + 3.0 * sigma), unit))}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

fn grain_name(grain: crate::kpi::Grain) -> &'static str {
    match grain {
        crate::kpi::Grain::Day => "day",
        crate::kpi::Grain::Week => "week",
        crate::kpi::Grain::Month => "month",
        crate::kpi::Grain::Quarter => "quarter",
    }
}

/// The KPI, its moving average and last year on one chart, with the trend,
/// the forecast band and a marker on each unusual period.
fn chart_spec(t: &Trend) -> LineSpec {
    let ahead = vec![None; t.forecast.len()];
    let with_room = |v: Vec<Option<f64>>| v.into_iter().chain(ahead.iter().copied()).collect::<Vec<_>>();
    let column =
        |f: fn(&crate::api::trend::TrendPoint) -> Option<f64>| with_room(t.points.iter().map(f).collect());
    let mut labels: Vec<String> = t.points.iter().map(|p| p.label.clone()).collect();
    labels.extend(t.forecast.iter().map(|f| f.label.clone()));
    let mut forecast = vec![None; t.points.len()];
    forecast.extend(t.forecast.iter().map(|f| Some((f.low, f.expected, f.high))));
    LineSpec {
        title: format!("{} by {}", t.name, grain_name(t.grain)),
        unit: t.unit,
        labels,
        series: vec![
            (t.name.clone(), column(|p| p.value)),
            (format!("{}-period average", t.window), column(|p| p.moving_average)),
            ("A year earlier".into(), column(|p| p.year_ago)),
        ],
        trend: true,
        forecast,
        annotations: t
            .points
            .iter()
            .enumerate()
            .filter(|(_, p)| p.unusual.is_some())
            .map(|(i, p)| (i, format!("Unusual: {} is outside its normal range", p.label)))
            .collect(),
        ..Default::default()
    }
}
