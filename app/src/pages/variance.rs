//! Variance: every KPI against its target for a month and scope, worst
//! first. The URL holds the view (`/variance?month=2025-10&segment=channel:chat
//! &version=plan&kpi=csat&by=category`); the filter form is a plain GET form.
//! A KPI's name drills down to its split by channel, category or team, the
//! mix vs rate decomposition of its change, and 12 months of actual vs target.

use crate::api::query::{filter_options, FilterChoices};
use crate::api::variance::{get_variance, Drill, VarianceQuery, VarianceReport, VarianceRow};
use crate::charts::line::{self, LineSpec};
use crate::charts::waterfall::{self, WaterfallSpec};
use crate::components::chart::ChartView;
use crate::components::layout::PageHead;
use crate::components::states::{EmptyState, ErrorPanel};
use crate::kpi::format::{delta, fixed, value};
use crate::kpi::{Status, Unit, Variance};
use crate::pages::variance_register::{About, KpiRegisterPanel, RegisterSummary};
use crate::url::percent_encode;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn VariancePage() -> impl IntoView {
    let query = use_query_map();
    let request = move || {
        let q = query.read();
        let get = |name: &str| q.get(name).filter(|v| !v.is_empty());
        // The form sends the scope as one `segment=channel:chat`; links and
        // the REST API may also write `scope=channel&value=chat`.
        let (scope, value) = match get("segment")
            .and_then(|s| s.split_once(':').map(|(d, v)| (d.to_string(), v.to_string())))
        {
            Some((d, v)) => (Some(d), Some(v)),
            None => (get("scope"), get("value")),
        };
        VarianceQuery {
            month: get("month"),
            scope,
            value,
            version: get("version"),
            kpi: get("kpi"),
            by: get("by"),
            sort: get("sort"),
            dir: get("dir"),
        }
    };
    let report = Resource::new(request, get_variance);
    let options = Resource::new(|| (), |_| filter_options());
    view! {
        <Title text="Variance"/>
        <PageHead eyebrow="Variance" title="Actual against target">
            "Every KPI against its target for the month, worst first: the variance, whether it is good news "
            "for that KPI, and its status against the tolerance band. Choose a KPI to see which segments caused it."
        </PageHead>
        <Suspense fallback=|| view! { <p class="muted">"Loading the variance…"</p> }>
            {move || Suspend::new(async move {
                match (report.await, options.await) {
                    (Ok(Some(r)), Ok(o)) => view! { <VarianceBody report=r options=o/> }.into_any(),
                    (Ok(None), _) => view! {
                        <EmptyState title="No data yet">
                            <p>"There are no tickets to compare with targets. Load the demo data with "
                                <code>"aftercare demo"</code>" or import your helpdesk export."</p>
                        </EmptyState>
                    }.into_any(),
                    (Err(e), _) | (_, Err(e)) => view! { <ErrorPanel message=e.to_string()/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The page's URL for the same month, scope and version.
fn base_link(r: &VarianceReport) -> String {
    let mut url = format!("/variance?month={}&version={}", r.month, r.version);
    if let Some((d, v)) = &r.scope {
        url.push_str(&format!("&segment={}", percent_encode(&format!("{d}:{v}"))));
    }
    url
}

/// The page's URL for the same view with `kpi` and `by` (and the table's order).
fn link(r: &VarianceReport, kpi: &str, by: &str) -> String {
    let mut url = base_link(r);
    if r.sort != "status" || r.descending {
        url.push_str(&format!("&sort={}&dir={}", r.sort, if r.descending { "desc" } else { "asc" }));
    }
    url.push_str(&format!("&kpi={}&by={by}#drill", percent_encode(kpi)));
    url
}

/// A column header that sorts the table by `key`; a second click reverses it.
fn sort_header(r: &VarianceReport, key: &'static str, label: &'static str, numeric: bool) -> impl IntoView {
    let current = r.sort == key;
    let descending = current && !r.descending;
    let mut href = format!("{}&sort={key}&dir={}", base_link(r), if descending { "desc" } else { "asc" });
    if let Some(d) = &r.drill {
        href.push_str(&format!("&kpi={}&by={}", percent_encode(&d.key), d.by));
    }
    let sorted = current.then_some(if r.descending { "descending" } else { "ascending" });
    let arrow = match (current, r.descending) {
        (false, _) => "",
        (true, false) => " ▲",
        (true, true) => " ▼",
    };
    view! {
        <th class:num=numeric aria-sort=sorted.unwrap_or("none")>
            <a href=href class="sort-link">{label}{arrow}</a>
        </th>
    }
}

pub(crate) fn status_badge(status: Status, has_target: bool) -> impl IntoView {
    let (class, text) = match status {
        Status::OnTarget => ("badge good", "On target"),
        Status::Watch => ("badge warn", "Within tolerance"),
        Status::OffTarget => ("badge bad", "Off target"),
        Status::NoData if has_target => ("badge", "Not judged"),
        Status::NoData => ("badge", "No target"),
    };
    view! { <span class=class data-status=format!("{status:?}")>{text}</span> }
}

fn tone(v: &Variance) -> &'static str {
    match v.favourable {
        Some(true) => "good",
        Some(false) => "bad",
        None => "",
    }
}

fn pct(p: Option<f64>) -> String {
    p.filter(|p| p.is_finite()).map_or("—".into(), |p| {
        let sign = if p > 0.0 {
            "+"
        } else if p < 0.0 {
            "−"
        } else {
            "±"
        };
        format!("{sign}{}%", fixed(p.abs(), 1))
    })
}

#[component]
fn VarianceBody(report: VarianceReport, options: FilterChoices) -> impl IntoView {
    let count = |s: Status| {
        report.rows.iter().filter(|r| r.variance.target.is_some() && r.variance.status == s).count()
    };
    let stats = [
        ("KPIs with a target", report.with_target.to_string(), ""),
        ("Off target", count(Status::OffTarget).to_string(), "bad"),
        ("Within tolerance", count(Status::Watch).to_string(), "warn"),
        ("On target", count(Status::OnTarget).to_string(), "good"),
    ];
    let scope_label =
        report.scope.as_ref().map_or("the whole company".to_string(), |(d, v)| format!("{d} {v}"));
    let version_label =
        if report.version == "reforecast" { "re-forecast (plan where none)" } else { "annual plan" };
    let no_targets = report.with_target == 0;
    let rows = report.rows.clone();
    let drill = report.drill.clone();
    let register_links: Vec<String> = report
        .register
        .iter()
        .map(|l| {
            link(&report, &l.key, drill.as_ref().map_or("channel", |d| d.by.as_str()))
                .replace("#drill", "#register")
        })
        .collect();
    let links: Vec<String> = rows
        .iter()
        .map(|r| link(&report, &r.key, drill.as_ref().map_or("channel", |d| d.by.as_str())))
        .collect();
    view! {
        <VarianceFilters report=report.clone() options/>
        <p class="muted variance-caption" data-testid="variance-caption">
            {format!("{} · {} · against the {}", report.label, scope_label, version_label)}
        </p>
        <div class="stats">
            {stats.into_iter().map(|(label, n, class)| view! {
                <div class="stat"><span class="muted">{label}</span><strong class=class>{n}</strong></div>
            }).collect_view()}
        </div>
        {no_targets.then(|| view! {
            <EmptyState title="No targets for this month">
                <p>"Nothing to compare yet: the KPIs below show their actuals only. "
                    <a href="/targets">"Set targets"</a>" for this month (managers and admins)."</p>
            </EmptyState>
        })}
        <section class="panel form-panel">
            <table class="data-table variance-table">
                <thead>
                    <tr>
                        {sort_header(&report, "kpi", "KPI", false)}
                        {sort_header(&report, "actual", "Actual", true)}
                        {sort_header(&report, "target", "Target", true)}
                        {sort_header(&report, "variance", "Variance", true)}
                        {sort_header(&report, "variance_pct", "Variance %", true)}
                        {sort_header(&report, "status", "Status", false)}
                        <th>"Target version · note"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().zip(links).map(|(row, href)| view! { <Row row href/> }).collect_view()}
                </tbody>
            </table>
            <p class="legend muted">
                "Variance is actual − target; variance % divides it by the target (“—” when the target is 0). "
                "Green is good news for that KPI, red is bad, whichever way it points. "
                "Within tolerance: worse than target by no more than the band (5 % of the target unless set)."
            </p>
        </section>
        <RegisterSummary lines=report.register.clone() links=register_links/>
        {drill.map(|d| view! { <DrillView drill=d report=report.clone()/> })}
    }
}

#[component]
fn Row(row: VarianceRow, href: String) -> impl IntoView {
    let v = row.variance.clone();
    let unit = row.unit;
    let has_target = v.target.is_some();
    let tone = tone(&v);
    let version = row.target_version.clone().map(|k| if k == "reforecast" { "Re-forecast" } else { "Plan" });
    let detail = match (version, row.note.clone()) {
        (Some(v), Some(n)) => format!("{v} · {n}"),
        (Some(v), None) => v.to_string(),
        _ => String::new(),
    };
    view! {
        <tr data-kpi=row.key.clone() data-status=format!("{:?}", v.status)>
            <td><a href=href>{row.name.clone()}</a></td>
            <td class="num">{value(v.actual, unit)}</td>
            <td class="num">{value(v.target, unit)}</td>
            <td class=format!("num {tone}")>{if has_target { delta(v.variance, unit) } else { "—".into() }}</td>
            <td class=format!("num {tone}")>{pct(v.variance_pct)}</td>
            <td>{status_badge(v.status, has_target)}</td>
            <td class="muted">{detail}</td>
        </tr>
    }
}

/// Month, scope and version as a GET form: it works without JavaScript and
/// puts the whole view in the URL.
#[component]
fn VarianceFilters(report: VarianceReport, options: FilterChoices) -> impl IntoView {
    let chosen_scope = report.scope.as_ref().map(|(d, v)| format!("{d}:{v}")).unwrap_or_default();
    let group = |label: &'static str, dim: &'static str, values: Vec<String>| {
        let chosen = chosen_scope.clone();
        view! {
            <optgroup label=label>
                {values.into_iter().map(|v| {
                    let key = format!("{dim}:{v}");
                    let selected = key == chosen;
                    view! { <option value=key selected=selected>{v}</option> }
                }).collect_view()}
            </optgroup>
        }
    };
    let drill = report.drill.clone();
    view! {
        <form class="panel form-panel filter-form" method="get" action="/variance">
            <div class="field">
                <label for="variance-month">"Month"</label>
                <select id="variance-month" name="month">
                    {report.months.iter().map(|(m, label)| {
                        let selected = *m == report.month;
                        view! { <option value=m.clone() selected=selected>{label.clone()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="variance-segment">"Scope"</label>
                <select id="variance-segment" name="segment">
                    <option value="" selected=chosen_scope.is_empty()>"Whole company"</option>
                    {group("Channel", "channel", options.channels)}
                    {group("Category", "category", options.categories)}
                    {group("Team", "team", options.teams)}
                </select>
            </div>
            <div class="field">
                <label for="variance-version">"Compare with"</label>
                <select id="variance-version" name="version">
                    <option value="plan" selected=report.version == "plan">"Annual plan"</option>
                    <option value="reforecast" selected=report.version == "reforecast">"Re-forecast"</option>
                </select>
            </div>
            {drill.map(|d| view! {
                <input type="hidden" name="kpi" value=d.key/>
                <input type="hidden" name="by" value=d.by/>
            })}
            <button type="submit" class="btn btn-primary">"Show"</button>
        </form>
    }
}

#[component]
fn DrillView(drill: Drill, report: VarianceReport) -> impl IntoView {
    let unit = drill.unit;
    let tabs = ["channel", "category", "team"].map(|by| {
        let current = by == drill.by;
        let href = link(&report, &drill.key, by);
        view! { <a href=href class="btn btn-small" class:btn-primary=current aria-current=current.then_some("true")>{format!("By {by}")}</a> }
    });
    let chart = line::render(&history_spec(&drill));
    let segments = if !drill.splittable {
        view! {
            <p class="muted">{format!("{} is company-wide (it reads orders or financials): it has no split by channel, category or team.", drill.name)}</p>
        }
        .into_any()
    } else if drill.segments.is_empty() {
        view! { <p class="muted">"No segment has a value this month."</p> }.into_any()
    } else {
        view! { <SegmentTable drill=drill.clone()/> }.into_any()
    };
    let mix = drill.mix_rate.clone().map(|m| {
        // Per segment when that fits on the chart (mix and rate of each), else the two parts.
        let steps: Vec<(String, f64)> = if m.segments.len() <= 4 {
            m.segments
                .iter()
                .flat_map(|s| [(format!("Mix: {}", s.name), s.mix), (format!("Rate: {}", s.name), s.rate)])
                .collect()
        } else {
            vec![("Mix (shift between segments)".into(), m.mix), ("Rate (within segments)".into(), m.rate)]
        };
        let spec = WaterfallSpec {
            title: format!("{}: why it moved since {}", drill.name, drill.previous_label),
            unit,
            direction: drill.direction,
            start: (drill.previous_label.clone(), m.before),
            steps,
            end_label: "This month".into(),
        };
        let chart = waterfall::render(&spec);
        let rows = m.segments.clone();
        view! {
            <section class="panel form-panel" data-testid="mix-rate">
                <h2>{format!("Why it moved: mix vs rate since {}", drill.previous_label)}</h2>
                <div class="stats">
                    <div class="stat"><span class="muted">{format!("{} (segment-weighted)", drill.previous_label)}</span><strong>{value(Some(m.before), unit)}</strong></div>
                    <div class="stat"><span class="muted">"This month (segment-weighted)"</span><strong>{value(Some(m.after), unit)}</strong></div>
                    <div class="stat"><span class="muted">"Mix: tickets moving between segments"</span><strong>{delta(Some(m.mix), unit)}</strong></div>
                    <div class="stat"><span class="muted">"Rate: performance within segments"</span><strong>{delta(Some(m.rate), unit)}</strong></div>
                </div>
                <ChartView chart/>
                <table class="data-table">
                    <thead><tr><th>{drill.by.clone()}</th><th class="num">"Share before"</th><th class="num">"Share now"</th><th class="num">"Value before"</th><th class="num">"Value now"</th><th class="num">"Mix"</th><th class="num">"Rate"</th></tr></thead>
                    <tbody>
                        {rows.into_iter().map(|s| view! {
                            <tr>
                                <td>{s.name}</td>
                                <td class="num">{format!("{}%", fixed(s.share_before * 100.0, 1))}</td>
                                <td class="num">{format!("{}%", fixed(s.share_after * 100.0, 1))}</td>
                                <td class="num">{value(s.rate_before, unit)}</td>
                                <td class="num">{value(s.rate_after, unit)}</td>
                                <td class="num">{delta(Some(s.mix), unit)}</td>
                                <td class="num">{delta(Some(s.rate), unit)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <p class="legend muted">
                    "Mix and rate add up exactly to the change of the segment-weighted value. For rates and means "
                    "that is the KPI itself; for medians it is the weighted mean of the segments' medians."
                </p>
            </section>
        }
    });
    let (scope, scope_value) = report.scope.clone().unwrap_or_default();
    let about = About {
        kpi: drill.key.clone(),
        kpi_name: drill.name.clone(),
        month: report.month.clone(),
        scope,
        scope_value,
    };
    let register = drill.register.clone();
    view! {
        <section class="panel form-panel drill" id="drill" data-testid="drill">
            <div class="drill-head">
                <h2>{format!("{}: which segments caused it", drill.name)}</h2>
                <div class="drill-tabs">{tabs}</div>
            </div>
            {segments}
        </section>
        <ChartView chart/>
        {mix}
        <KpiRegisterPanel register about/>
    }
}

#[component]
fn SegmentTable(drill: Drill) -> impl IntoView {
    let unit = drill.unit;
    let has_target = drill.target.is_some();
    view! {
        <table class="data-table">
            <thead>
                <tr>
                    <th>{drill.by.clone()}</th><th class="num">"Count"</th><th class="num">"Actual"</th><th class="num">"Target"</th>
                    <th class="num">"Variance"</th><th>"Status"</th><th class="num">"Part of the total's gap"</th>
                </tr>
            </thead>
            <tbody>
                {drill.segments.into_iter().map(|s| {
                    let v = s.variance.clone();
                    let tone = tone(&v);
                    let target_text = if s.own_target { format!("{} (own)", value(v.target, unit)) } else { value(v.target, unit) };
                    let impact_tone = match (s.impact, drill.direction) {
                        (Some(i), crate::kpi::Direction::Higher) if i < 0.0 => "bad",
                        (Some(i), crate::kpi::Direction::Lower) if i > 0.0 => "bad",
                        (Some(_), crate::kpi::Direction::Neutral) | (None, _) => "",
                        _ => "good",
                    };
                    view! {
                        <tr data-segment=s.segment.clone()>
                            <td>{s.segment.clone()}</td>
                            <td class="num">{value(Some(s.n as f64), Unit::Count)}</td>
                            <td class="num">{value(v.actual, unit)}</td>
                            <td class="num">{target_text}</td>
                            <td class=format!("num {tone}")>{if v.target.is_some() { delta(v.variance, unit) } else { "—".into() }}</td>
                            <td>{status_badge(v.status, v.target.is_some())}</td>
                            <td class=format!("num {impact_tone}")>{delta(s.impact, unit)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <p class="legend muted">
            {if has_target {
                "Part of the gap: the segment's share of the count × (its actual − the target). The parts add up to the total's variance (for medians, to the weighted mean's)."
            } else {
                "There is no target for this scope this month: the split shows the actuals only."
            }}
        </p>
    }
}

/// Actual and target over 12 months; a constant target is drawn as a
/// dashed line with its tolerance band, a changing one as a series.
fn history_spec(d: &Drill) -> LineSpec {
    let labels: Vec<String> = d.history.iter().map(|h| h.0.clone()).collect();
    let actual: Vec<Option<f64>> = d.history.iter().map(|h| h.1).collect();
    let targets: Vec<Option<f64>> = d.history.iter().map(|h| h.2).collect();
    let constant = d.target.is_some() && targets.iter().all(|t| t.is_none() || *t == d.target);
    let mut series = vec![("Actual".to_string(), actual)];
    if !constant && targets.iter().any(Option::is_some) {
        series.push(("Target".to_string(), targets));
    }
    LineSpec {
        title: format!("{}: actual vs target, 12 months", d.name),
        unit: d.unit,
        labels,
        series,
        target: if constant { d.target } else { None },
        target_band: if constant { d.band } else { None },
        annotations: d.notes.clone(),
        ..Default::default()
    }
}
