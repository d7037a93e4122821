//! Targets: managers and admins set a KPI's target for a month or a range
//! of months (a quarter, a year), for the company or one channel, category
//! or team, in the annual plan or a re-forecast, with a tolerance band and a
//! note. Beside the form: the last 6 actuals, their trend, the benchmark and
//! a suggested target with its rule. Below: the KPI's targets (flagged when
//! one asks for less than last year) and who changed what, when.
//!
//! The page is rendered on the server; the form is an island that shows
//! field errors and warnings in place, and without JavaScript it posts to
//! the server function, which comes back with its error in the URL.

use crate::api::target_plan::UploadPlan;
use crate::api::targets::{get_targets, set_targets, SetOutcome, SetTargets, TargetsView};
use crate::components::form::{field_error, form_error, reload, submit, url_error, FormAlert, FormFields};
use crate::components::layout::PageHead;
use crate::components::states::{EmptyState, ErrorPanel};
use crate::components::time::date_time;
use crate::error::AppError;
use crate::kpi::format::{delta, value};
use crate::pages::target_plan::PlanSection;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn TargetsPage() -> impl IntoView {
    let query = use_query_map();
    let kpi = move || query.read().get("kpi").filter(|v| !v.is_empty());
    let data = Resource::new(kpi, get_targets);
    let failed = url_error(SetTargets::PATH);
    let plan_failed = url_error(UploadPlan::PATH);
    view! {
        <Title text="Targets"/>
        <PageHead eyebrow="Targets" title="Targets by KPI and month">
            "Set what each KPI should reach, for a month, a quarter or a year, for the whole company or one channel, "
            "category or team. Setting a target again replaces it; every change is kept below."
        </PageHead>
        <Suspense fallback=|| view! { <p class="muted">"Loading targets…"</p> }>
            {move || {
                let (failed, plan_failed) = (failed.clone(), plan_failed.clone());
                Suspend::new(async move {
                    match data.await {
                        Ok(v) => view! { <TargetsBody data=v failed plan_failed/> }.into_any(),
                        Err(e) => view! { <ErrorPanel message=e.to_string()/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn TargetsBody(data: TargetsView, failed: Option<AppError>, plan_failed: Option<AppError>) -> impl IntoView {
    let plan = data.can_edit.then(|| view! { <PlanSection failed=plan_failed/> });
    let unit = data.unit;
    let kpi_choice = data
        .kpis
        .iter()
        .map(|(k, name)| {
            let selected = *k == data.kpi;
            view! { <option value=k.clone() selected=selected>{name.clone()}</option> }
        })
        .collect_view();
    let mut scope_values: Vec<String> =
        data.channels.iter().chain(&data.categories).chain(&data.teams).cloned().collect();
    scope_values.sort();
    scope_values.dedup();
    let decimals = match unit {
        crate::kpi::Unit::Score | crate::kpi::Unit::Currency => 2,
        _ => 1,
    };
    let suggestion_text = data.suggestion.map(|s| crate::kpi::format::fixed(s, decimals));
    let form = if data.can_edit {
        view! {
            <SetTargetForm
                kpi=data.kpi.clone()
                kpis=data.kpis.clone()
                month=data.next_month.clone()
                suggestion=suggestion_text.clone()
                scope_values
                failed
            />
        }
        .into_any()
    } else {
        view! {
            <p class="muted" data-testid="read-only">
                "Only managers and admins set targets. You can read every target and its history here."
            </p>
        }
        .into_any()
    };
    let recent = data.recent.clone();
    let context = view! {
        <aside class="panel form-panel target-context" data-testid="target-context">
            <h2>{format!("{}: recent months", data.name)}</h2>
            <table class="data-table compact">
                <thead><tr><th>"Month"</th><th class="num">"Actual"</th></tr></thead>
                <tbody>
                    {recent.into_iter().map(|(label, v)| view! {
                        <tr><td>{label}</td><td class="num">{value(v, unit)}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            <dl class="facts">
                <dt>"Trend"</dt>
                <dd>{data.trend_per_month.map_or("—".to_string(), |t| format!("{} per month", delta(Some(t), unit)))}</dd>
                <dt>"Benchmark (median)"</dt>
                <dd>{data.benchmark.clone().map_or("None on file".to_string(), |(source, p50)| format!("{} — {}", value(Some(p50), unit), source))}</dd>
                <dt>"Benchmark p90"</dt>
                <dd>{data.benchmark_p90.clone().map_or("None on file".to_string(), |(source, p90)| format!("{} — {}", value(Some(p90), unit), source))}</dd>
                <dt>"Suggested target"</dt>
                <dd data-testid="suggestion"><strong>{value(data.suggestion, unit)}</strong></dd>
            </dl>
            <p class="muted small">{format!("Suggested: {}.", data.suggestion_rule)}</p>
        </aside>
    };
    view! {
        <form class="panel form-panel filter-form" method="get" action="/targets">
            <div class="field">
                <label for="targets-kpi">"KPI"</label>
                <select id="targets-kpi" name="kpi">{kpi_choice}</select>
            </div>
            <button type="submit" class="btn btn-primary">"Show"</button>
        </form>
        <div class="target-layout">
            <section class="panel form-panel">
                <h2>{format!("Set a target for {}", data.name)}</h2>
                {form}
            </section>
            {context}
        </div>
        {plan}
        <TargetTable data=data.clone()/>
        <HistoryTable data/>
    }
}

#[component]
fn TargetTable(data: TargetsView) -> impl IntoView {
    let unit = data.unit;
    if data.targets.is_empty() {
        return view! {
            <EmptyState title="No targets yet">
                <p>{format!("{} has no target from a year ago to two years ahead. Set one above, or import a plan on the Data page.", data.name)}</p>
            </EmptyState>
        }
        .into_any();
    }
    view! {
        <section class="panel form-panel">
            <h2 class="table-title">{format!("Targets of {}", data.name)}</h2>
            <table class="data-table" data-testid="targets-table">
                <thead>
                    <tr>
                        <th>"Month"</th><th>"Scope"</th><th>"Version"</th><th class="num">"Target"</th><th class="num">"Tolerance"</th>
                        <th class="num">"Last year"</th><th>"Note"</th><th>"Set by"</th>
                    </tr>
                </thead>
                <tbody>
                    {data.targets.into_iter().map(|row| {
                        let t = row.target;
                        view! {
                            <tr data-period=t.period.clone() data-version=t.version.key()>
                                <td>{t.period.clone()}</td>
                                <td>{t.scope_label()}</td>
                                <td>{t.version.label()}</td>
                                <td class="num">{value(Some(t.value), unit)}</td>
                                <td class="num">{t.tolerance_pct.map_or("5% (default)".to_string(), |p| format!("{}%", crate::kpi::format::fixed(p, 1)))}</td>
                                <td class="num">
                                    {value(row.last_year, unit)}
                                    {row.worse_than_last_year.then(|| view! { " " <span class="badge warn" title="This target asks for less than the same month achieved a year earlier">"Below last year"</span> })}
                                </td>
                                <td>{t.note.clone()}</td>
                                <td class="muted">{format!("{} · {}", t.set_by, date_time(t.set_at))}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
    .into_any()
}

#[component]
fn HistoryTable(data: TargetsView) -> impl IntoView {
    let unit = data.unit;
    view! {
        <section class="panel form-panel">
            <h2 class="table-title">"History"</h2>
            {if data.history.is_empty() {
                view! { <p class="muted table-title">"No target of this KPI has been set yet."</p> }.into_any()
            } else {
                view! {
                    <table class="data-table" data-testid="target-history">
                        <thead><tr><th>"When"</th><th>"Who"</th><th>"Month"</th><th>"Scope"</th><th>"Version"</th><th class="num">"Was"</th><th class="num">"Set to"</th><th>"Note"</th></tr></thead>
                        <tbody>
                            {data.history.into_iter().map(|c| {
                                let t = c.target;
                                view! {
                                    <tr>
                                        <td>{date_time(t.set_at)}</td>
                                        <td>{t.set_by.clone()}</td>
                                        <td>{t.period.clone()}</td>
                                        <td>{t.scope_label()}</td>
                                        <td>{t.version.label()}</td>
                                        <td class="num">{value(c.previous_value, unit)}</td>
                                        <td class="num">{value(Some(t.value), unit)}</td>
                                        <td>{t.note.clone()}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

/// A labelled input with a starting value and its error underneath.
fn input(
    label: &'static str,
    name: &'static str,
    kind: &'static str,
    start: String,
    placeholder: String,
    list: Option<&'static str>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let id = format!("target-{name}");
    let error_id = format!("{id}-error");
    view! {
        <div class="field" class:has-error=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            <input
                id=id
                name=name
                type=kind
                value=start
                placeholder=placeholder
                list=list
                autocomplete="off"
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=error_id.clone()
            />
            <p class="field-error" id=error_id role="alert">{move || error.get()}</p>
        </div>
    }
}

/// The target form: a refusal shows next to its field, a success reloads
/// the lists, or shows its warnings first.
#[island]
fn SetTargetForm(
    kpi: String,
    /// (key, name) of every KPI.
    kpis: Vec<(String, String)>,
    /// The month proposed, `2025-11`.
    month: String,
    suggestion: Option<String>,
    /// Every channel, category and team, for the scope's value.
    scope_values: Vec<String>,
    failed: Option<AppError>,
) -> impl IntoView {
    let (error, pending) = (RwSignal::new(failed), RwSignal::new(false));
    let outcome = RwSignal::new(None::<SetOutcome>);
    let send = |f: FormFields| {
        set_targets(
            f.get("kpi"),
            f.get("from"),
            f.get("to"),
            f.get("scope"),
            f.get("scope_value"),
            f.get("value"),
            f.get("tolerance"),
            f.get("note"),
            f.get("version"),
        )
    };
    let done = move |o: SetOutcome| {
        if o.warnings.is_empty() {
            reload();
        } else {
            outcome.set(Some(o));
        }
    };
    let select_error = |field: &'static str| {
        let message = field_error(error, field);
        view! { <p class="field-error" role="alert">{move || message.get()}</p> }
    };
    view! {
        <form class="target-form" action=SetTargets::PATH method="post" on:submit=submit(error, pending, send, done)>
            <div class="field">
                <label for="target-kpi">"KPI"</label>
                <select id="target-kpi" name="kpi">
                    {kpis.into_iter().map(|(k, name)| {
                        let selected = k == kpi;
                        view! { <option value=k selected=selected>{name}</option> }
                    }).collect_view()}
                </select>
                {select_error("kpi")}
            </div>
            {input("First month", "from", "month", month, "2025-11".into(), None, field_error(error, "from"))}
            {input("Last month (for a range)", "to", "month", String::new(), "optional".into(), None, field_error(error, "to"))}
            <div class="field">
                <label for="target-scope">"Scope"</label>
                <select id="target-scope" name="scope">
                    <option value="">"Whole company"</option>
                    <option value="channel">"One channel"</option>
                    <option value="category">"One category"</option>
                    <option value="team">"One team"</option>
                </select>
                {select_error("scope")}
            </div>
            {input("Channel, category or team", "scope_value", "text", String::new(), "e.g. chat".into(), Some("target-scope-values"), field_error(error, "scope_value"))}
            <datalist id="target-scope-values">
                {scope_values.into_iter().map(|v| view! { <option value=v></option> }).collect_view()}
            </datalist>
            {input("Target", "value", "text", String::new(), suggestion.map_or(String::new(), |s| format!("suggested {s}")), None, field_error(error, "value"))}
            {input("Tolerance (% of target)", "tolerance", "text", String::new(), "5".into(), None, field_error(error, "tolerance"))}
            <div class="field">
                <label for="target-version">"Version"</label>
                <select id="target-version" name="version">
                    <option value="plan">"Annual plan"</option>
                    <option value="reforecast">"Re-forecast"</option>
                </select>
                {select_error("version")}
            </div>
            {input("Note", "note", "text", String::new(), "up to 100 characters".into(), None, field_error(error, "note"))}
            <button type="submit" class="btn btn-primary" disabled=move || pending.get()>"Save target"</button>
        </form>
        <FormAlert message=form_error(error)/>
        {move || outcome.get().map(|o| view! {
            <div class="form-warning" role="status" data-testid="target-warnings">
                <p>{format!("Saved {} target(s). Please double-check:", o.saved)}</p>
                <ul>{o.warnings.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}</ul>
                <button type="button" class="btn btn-small" on:click=move |_| reload()>"Show the updated list"</button>
            </div>
        })}
    }
}
