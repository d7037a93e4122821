//! Trends: what is rising faster than usual, and where a KPI is heading.
//! The URL holds the view (`/trends?kpi=csat&grain=week&from=…&channel=chat
//! &warn_by=channel`), the forms are plain GET forms, and the chart is the
//! kit's line chart with its interactive island.

use crate::api::early_warning::EarlyWarningQuery;
use crate::api::query::{filter_options, FilterChoices, RangeParams};
use crate::api::trend::{get_trend, Flagged, Trend, TrendQuery};
use crate::charts::line::{self, LineSpec};
use crate::components::chart::ChartView;
use crate::components::layout::PageHead;
use crate::components::states::{EmptyState, ErrorPanel};
use crate::kpi::forecast::Method;
use crate::kpi::format::{delta, fixed, value};
use crate::kpi::variance::{watch_band, DEFAULT_TOLERANCE_PCT};
use crate::kpi::Kpi;
use crate::pages::early_warning::EarlyWarningPanel;
use crate::pages::events::EventsPanel;
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
            min_n: get("min_n"),
            range: RangeParams::from_url(get),
        }
    };
    let warning = move || {
        let q = query.read();
        let get = |name: &str| q.get(name).filter(|v| !v.is_empty());
        EarlyWarningQuery { period: get("warn_period"), by: get("warn_by") }
    };
    // More KPIs as small multiples under the main chart: `also=nps&also=fcr_rate`.
    let also = move || {
        let main = request().kpi;
        let mut keys: Vec<String> = query.read().get_all("also").unwrap_or_default();
        keys.retain(|k| !k.is_empty() && *k != main);
        keys.dedup();
        keys.truncate(MAX_ALSO);
        keys
    };
    let trend = Resource::new(request, get_trend);
    let options = Resource::new(|| (), |_| filter_options());
    view! {
        <Title text="Trends"/>
        <PageHead eyebrow="Trends" title="Where each KPI is heading">
            "What is rising faster than usual, then any KPI by day, week, month or quarter with its trend, "
            "a moving average, last year for comparison, a forecast and the periods outside their normal range."
        </PageHead>
        <EarlyWarningPanel query=warning() trend=request()/>
        <Suspense fallback=|| view! { <p class="muted">"Loading the trend…"</p> }>
            {move || Suspend::new(async move {
                let filters = match options.await {
                    Ok(o) => view! { <TrendFilters query=request() options=o also=also()/> }.into_any(),
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
        <SmallMultiples kpis=also() base=request()/>
    }
}

/// Extra KPIs shown under the main chart.
const MAX_ALSO: usize = 4;

/// The other chosen KPIs over the same periods and filters, one chart each,
/// so their movements can be read against each other.
#[component]
fn SmallMultiples(kpis: Vec<String>, base: TrendQuery) -> impl IntoView {
    let empty = kpis.is_empty();
    let trends = Resource::new(
        move || (kpis.clone(), base.clone()),
        |(kpis, base)| async move {
            let mut out = Vec::new();
            for kpi in kpis {
                out.push(get_trend(TrendQuery { kpi, ..base.clone() }).await);
            }
            out
        },
    );
    (!empty).then(|| {
        view! {
            <section class="multiples" aria-label="More KPIs">
                <Suspense fallback=|| view! { <p class="muted">"Loading the other KPIs…"</p> }>
                    {move || Suspend::new(async move {
                        trends.await.into_iter().map(|t| match t {
                            Ok(t) => {
                                let summary = format!(
                                    "Latest {} · trend {} per {}",
                                    value(t.points.iter().rev().find_map(|p| p.value), t.unit),
                                    delta(t.slope, t.unit),
                                    grain_name(t.grain)
                                );
                                let chart = line::render(&chart_spec(&t));
                                view! {
                                    <div class="multiple">
                                        <p class="muted">{summary}</p>
                                        <ChartView chart/>
                                    </div>
                                }.into_any()
                            }
                            Err(e) => view! { <ErrorPanel message=e.to_string()/> }.into_any(),
                        }).collect_view()
                    })}
                </Suspense>
            </section>
        }
    })
}

/// The view's controls as a GET form: it works without JavaScript and puts
/// the whole state in the URL.
#[component]
fn TrendFilters(query: TrendQuery, options: FilterChoices, also: Vec<String>) -> impl IntoView {
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
            <AlsoShow chosen=also/>
            <div class="field">
                <label for="trend-min-n">"Minimum sample"</label>
                <input id="trend-min-n" type="number" min="1" max="100000" name="min_n" value=query.min_n.clone().unwrap_or_else(|| "30".into())/>
            </div>
            <button type="submit" class="btn btn-primary">"Show"</button>
        </form>
    }
}

/// The KPIs drawn as small multiples, as checkboxes in a drop-down that
/// opens without JavaScript (`details`); the summary names what is chosen.
#[component]
fn AlsoShow(chosen: Vec<String>) -> impl IntoView {
    let names: Vec<&str> =
        Kpi::ALL.iter().filter(|k| chosen.iter().any(|c| c == k.key())).map(|k| k.name()).collect();
    let summary = if names.is_empty() { "None".to_string() } else { names.join(", ") };
    view! {
        <div class="field">
            <span class="field-label" id="trend-also-label">"Also show"</span>
            <details class="multi-pick">
                <summary aria-describedby="trend-also-label">{summary}</summary>
                <fieldset aria-labelledby="trend-also-label">
                    {Kpi::ALL
                        .iter()
                        .map(|k| {
                            let checked = chosen.iter().any(|c| c == k.key());
                            view! {
                                <label>
                                    <input type="checkbox" name="also" value=k.key() checked=checked/>
                                    {k.name()}
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
            </details>
        </div>
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
        ("Fit of the trend (R²)".to_string(), trend.r2.map_or("—".into(), |r| fixed(r, 2))),
        (
            "Forecast error (backtest)".to_string(),
            trend.mape.map_or("—".into(), |m| format!("{} %", fixed(m, 1))),
        ),
    ];
    let chart = line::render(&chart_spec(&trend));
    let flagged = trend.flagged.clone();
    view! {
        <div class="stats">
            {stats.into_iter().map(|(label, text)| view! {
                <div class="stat"><span class="muted">{label}</span><strong>{text}</strong></div>
            }).collect_view()}
        </div>
        <ChartView chart/>
        {trend.caveat.clone().map(|c| view! { <p class="form-warning caveat" role="note">{c}</p> })}
        <ForecastNote trend=trend.clone()/>
        <section class="panel form-panel">
            <h2>"Unusual periods"</h2>
            {if flagged.is_empty() {
                view! { <p class="muted">{format!(
                    "None: every period with at least {} behind its value is within three standard deviations of the six before it.",
                    trend.min_sample
                )}</p> }.into_any()
            } else {
                view! {
                    <p class="muted">"Outside the mean ± 3σ of the six periods before; latest first, with the channels and categories that moved most."</p>
                    {flagged.into_iter().map(|f| view! { <FlaggedPeriod flagged=f unit/> }).collect_view()}
                }.into_any()
            }}
        </section>
        <EventsPanel events=trend.events.clone()/>
        <PeriodTable trend/>
    }
}

/// Which forecast method was used, why, and how far to trust it.
#[component]
fn ForecastNote(trend: Trend) -> impl IntoView {
    let method = match trend.method {
        Some(Method::HoltWinters { season }) => format!("Holt-Winters (additive, a season of {season} periods)"),
        Some(Method::Holt) => "Holt's linear method (level and trend)".to_string(),
        Some(Method::Linear) => "a least-squares line".to_string(),
        None => return view! { <p class="muted forecast-note">"No forecast: fewer than three periods of history."</p> }.into_any(),
    };
    let reason = trend.method_reason.unwrap_or_default();
    let backtest = match trend.mape {
        Some(m) => format!(
            " Forecasting the last {} periods from the ones before, it was off by {} % on average (MAPE).",
            trend.backtest_periods,
            fixed(m, 1)
        ),
        None => " Too little history to backtest it.".to_string(),
    };
    view! {
        <p class="muted forecast-note">
            {format!("Forecast by {method}: {reason}. The band is its 95 % prediction interval.{backtest}")}
        </p>
    }
    .into_any()
}

#[component]
fn FlaggedPeriod(flagged: Flagged, unit: crate::kpi::Unit) -> impl IntoView {
    let range = format!(
        "{} to {}",
        value(Some(flagged.mean - 3.0 * flagged.sigma), unit),
        value(Some(flagged.mean + 3.0 * flagged.sigma), unit)
    );
    view! {
        <div class="flagged">
            <h3>{flagged.label.clone()} ": " {value(Some(flagged.value), unit)} <span class="muted">{format!(" (normal range {range})")}</span></h3>
            {if flagged.drivers.is_empty() {
                view! { <p class="muted">"This KPI has no value per channel or category to break down."</p> }.into_any()
            } else {
                view! {
                    <table class="data-table compact">
                        <thead><tr><th>"Segment"</th><th class="num">"Before"</th><th class="num">"Then"</th><th class="num">"Tickets"</th><th class="num">"Part of the change"</th></tr></thead>
                        <tbody>
                            {flagged.drivers.into_iter().map(|d| view! {
                                <tr>
                                    <td>{d.segment} <span class="muted">{format!(" {}", d.dimension.column())}</span></td>
                                    <td class="num">{value(d.before, unit)}</td>
                                    <td class="num">{value(d.after, unit)}</td>
                                    <td class="num">{d.n}</td>
                                    <td class="num">{delta(Some(d.part), unit)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </div>
    }
}

/// Every shown period with the count behind it, a confidence interval for
/// proportions, and whether it was judged.
#[component]
fn PeriodTable(trend: Trend) -> impl IntoView {
    let unit = trend.unit;
    let has_interval = trend.points.iter().any(|p| p.interval.is_some());
    view! {
        <details class="panel form-panel periods">
            <summary>"Every period, with the count behind it"</summary>
            <table class="data-table compact">
                <thead>
                    <tr>
                        <th>"Period"</th>
                        <th class="num">"Value"</th>
                        <th class="num">"n"</th>
                        {has_interval.then(|| view! { <th class="num">"95 % interval"</th> })}
                        <th class="num">"A year earlier"</th>
                        <th>"Status"</th>
                    </tr>
                </thead>
                <tbody>
                    {trend.points.into_iter().map(|p| {
                        let status = if p.too_few {
                            view! { <span class="badge warn">"Too few to judge"</span> }.into_any()
                        } else if p.unusual.is_some() {
                            view! { <span class="badge bad">"Unusual"</span> }.into_any()
                        } else {
                            view! { <span class="muted">"—"</span> }.into_any()
                        };
                        let interval = p.interval.map_or("—".to_string(), |(l, h)| {
                            format!("{} – {}", value(Some(l), unit), value(Some(h), unit))
                        });
                        view! {
                            <tr>
                                <td>{p.period}</td>
                                <td class="num">{value(p.value, unit)}</td>
                                <td class="num">{p.n}</td>
                                {has_interval.then(|| view! { <td class="num">{interval}</td> })}
                                <td class="num">{value(p.year_ago, unit)}</td>
                                <td>{status}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </details>
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
        target: t.target,
        target_band: t.target.and_then(|v| watch_band(v, t.direction, DEFAULT_TOLERANCE_PCT)),
        benchmarks: t.benchmarks.clone(),
        annotations: t
            .points
            .iter()
            .enumerate()
            .filter(|(_, p)| p.unusual.is_some())
            .map(|(i, p)| (i, format!("Unusual: {} is outside its normal range", p.label)))
            .chain(t.notes.iter().cloned())
            .collect(),
    }
}
