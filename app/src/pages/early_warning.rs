//! The early-warning panel of the Trends page: the segments rising faster
//! than usual in a period, most alarming first, each with a sparkline of its
//! tickets and a link to its trend. Its own GET form picks the period and
//! the dimension and carries the trend's view along in hidden fields.

use crate::api::early_warning::{get_early_warning, EarlyWarning, EarlyWarningQuery, SegmentWarning};
use crate::api::trend::TrendQuery;
use crate::charts::sparkline;
use crate::components::states::ErrorPanel;
use crate::kpi::early_warning::{Signal, ALARM_Z};
use crate::kpi::format::{fixed, value};
use crate::kpi::{Grain, Unit};
use crate::url::percent_encode;
use leptos::prelude::*;

/// Rows shown: the most alarming segments.
const SHOWN: usize = 6;

#[component]
pub fn EarlyWarningPanel(query: EarlyWarningQuery, trend: TrendQuery) -> impl IntoView {
    let list = Resource::new(move || query.clone(), get_early_warning);
    view! {
        <section class="panel form-panel early-warning" aria-labelledby="early-warning-title">
            <Suspense fallback=|| view! { <p class="muted">"Looking for what is rising…"</p> }>
                {move || {
                    let trend = trend.clone();
                    Suspend::new(async move {
                        match list.await {
                            Ok(list) => view! { <WarningList list trend/> }.into_any(),
                            Err(e) => view! {
                                <h2 id="early-warning-title">"Early warning"</h2>
                                <ErrorPanel message=e.to_string()/>
                            }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn WarningList(list: EarlyWarning, trend: TrendQuery) -> impl IntoView {
    let by = list.by.column();
    let alarms = list.warnings.iter().filter(|w| w.warning.significant).count();
    let summary = match alarms {
        0 => "Nothing is rising faster than usual.".to_string(),
        1 => "One segment is rising faster than usual.".to_string(),
        n => format!("{n} segments are rising faster than usual."),
    };
    let grain = list.grain;
    let rows: Vec<SegmentWarning> = list.warnings.into_iter().take(SHOWN).collect();
    view! {
        <div class="panel-head">
            <div>
                <h2 id="early-warning-title">{format!("Early warning: {}", list.label)}</h2>
                <p class="muted">
                    {summary} " Each " {by} "'s share of tickets and its share of unhappy CSAT answers are compared "
                    "with the " {list.baseline_periods} " periods before (z-score; " {fixed(ALARM_Z, 0)}
                    " or more is an alarm). Shares do not move with the seasons, so a busy month alone raises nothing; "
                    "segments with fewer than " {list.min_sample} " tickets or answers are not judged."
                </p>
            </div>
            <WarningForm list_period=list.period.clone() by=by trend=trend/>
        </div>
        {if rows.is_empty() {
            view! { <p class="muted">"No tickets in this period or its baseline."</p> }.into_any()
        } else {
            view! {
                <div class="table-scroll">
                    <table class="data-table warnings">
                        <thead>
                            <tr>
                                <th>{capitalised(by)}</th>
                                <th>"Signal"</th>
                                <th class="num">"Tickets"</th>
                                <th class="num">"Share (usual)"</th>
                                <th class="num">"Unhappy (usual)"</th>
                                <th class="num">"z"</th>
                                <th>"Tickets per period"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {rows.into_iter().map(|row| view! { <WarningRow row by grain/> }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
    }
}

#[component]
fn WarningRow(row: SegmentWarning, by: &'static str, grain: Grain) -> impl IntoView {
    let w = row.warning;
    let (badge, text) = match (w.significant, w.signal) {
        (true, Some(Signal::Share)) => ("badge bad", "Share rising"),
        (true, Some(Signal::Dissatisfaction)) => ("badge bad", "Unhappier"),
        (false, _) if w.share_z.is_none() && w.dissatisfaction_z.is_none() => ("badge", "Too few to judge"),
        _ => ("badge good", "Usual"),
    };
    let pair = |now: Option<f64>, usual: Option<f64>| {
        format!("{} ({})", value(now, Unit::Percent), value(usual, Unit::Percent))
    };
    let kpi = if w.signal == Some(Signal::Dissatisfaction) { "csat" } else { "tickets" };
    let grain_key = match grain {
        Grain::Day => "day",
        Grain::Week => "week",
        _ => "month",
    };
    let href = format!("/trends?kpi={kpi}&grain={grain_key}&{by}={}", percent_encode(&w.segment));
    let history: Vec<Option<f64>> = row.history.iter().map(|n| Some(*n as f64)).collect();
    let label = format!("{} tickets per period, latest last: {:?}", w.segment, row.history);
    view! {
        <tr class:alarm=w.significant>
            <td><a href=href>{w.segment.clone()}</a></td>
            <td><span class=badge>{text}</span></td>
            <td class="num">{w.tickets}</td>
            <td class="num">{pair(w.share, w.baseline_share)}</td>
            <td class="num">{pair(w.dissatisfaction, w.baseline_dissatisfaction)}</td>
            <td class="num">{if w.signal.is_some() { fixed(w.score, 1) } else { "—".to_string() }}</td>
            <td><div class="sparkline mini" role="img" aria-label=label inner_html=sparkline::render(&history)></div></td>
        </tr>
    }
}

/// Period and dimension as a GET form; the trend's own view rides along.
#[component]
fn WarningForm(list_period: String, by: &'static str, trend: TrendQuery) -> impl IntoView {
    let r = &trend.range;
    let kept = [
        ("kpi", Some(trend.kpi.clone())),
        ("window", trend.window.clone()),
        ("min_n", trend.min_n.clone()),
        ("grain", r.grain.clone()),
        ("from", r.from.clone()),
        ("to", r.to.clone()),
        ("channel", r.channel.clone()),
        ("category", r.category.clone()),
        ("team", r.team.clone()),
    ];
    view! {
        <form class="inline-form" method="get" action="/trends">
            {kept
                .into_iter()
                .filter_map(|(name, v)| v.filter(|v| !v.is_empty()).map(|v| view! { <input type="hidden" name=name value=v/> }))
                .collect_view()}
            <div class="field">
                <label for="warn-period">"Period"</label>
                <input id="warn-period" name="warn_period" value=list_period placeholder="2026-W20, 2026-05 or 2026-05-14"/>
            </div>
            <div class="field">
                <label for="warn-by">"Rank by"</label>
                <select id="warn-by" name="warn_by">
                    {["category", "channel", "team"].map(|d| view! { <option value=d selected=d == by>{d}</option> }).collect_view()}
                </select>
            </div>
            <button type="submit" class="btn">"Check"</button>
        </form>
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}
