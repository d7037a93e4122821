//! The variance page's register: the month's unfavourable variances beyond
//! their KPI's materiality ("needs explanation" until a root cause is
//! recorded), and for the drilled KPI its root causes, corrective actions
//! (with whether the KPI recovered after each done one) and their history.
//! The forms are plain HTML forms posting to server functions: they work
//! without JavaScript, and a refusal comes back in the URL, shown by its field.

use crate::api::auth::get_me;
use crate::api::register::{
    AddAction, AddRootCause, EntryView, KpiRegister, RegisterLine, SetMateriality, UpdateAction,
};
use crate::components::form::url_error;
use crate::components::time::date_time;
use crate::error::AppError;
use crate::kpi::format::{delta, fixed};
use crate::kpi::register::{label_of, Recovery, CATEGORIES, STATUSES};
use crate::models::Role;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// The month's register: every KPI that needs or has an explanation.
#[component]
pub fn RegisterSummary(
    lines: Vec<RegisterLine>,
    /// The drill-down link of each line, in the same order.
    links: Vec<String>,
) -> impl IntoView {
    let body = if lines.is_empty() {
        view! { <p class="muted">"No unfavourable variance beyond its KPI's materiality this month: nothing needs an explanation."</p> }
            .into_any()
    } else {
        view! {
            <table class="data-table" data-testid="register">
                <thead><tr><th>"KPI"</th><th class="num">"Variance %"</th><th class="num">"Materiality"</th><th>"Register"</th><th class="num">"Root causes"</th><th class="num">"Actions"</th></tr></thead>
                <tbody>
                    {lines.into_iter().zip(links).map(|(l, href)| {
                        let (class, text) = match (l.material, l.explained()) {
                            (true, false) => ("badge bad", "Needs explanation"),
                            (_, true) => ("badge good", "Explained"),
                            (false, false) => ("badge", "Actions only"),
                        };
                        view! {
                            <tr data-kpi=l.key.clone()>
                                <td><a href=href>{l.name.clone()}</a></td>
                                <td class="num">{l.variance_pct.map_or("—".to_string(), |p| format!("{}%", fixed(p, 1)))}</td>
                                <td class="num">{format!("{}%", fixed(l.materiality_pct, 1))}</td>
                                <td><span class=class>{text}</span></td>
                                <td class="num">{l.root_causes}</td>
                                <td class="num">{l.actions}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <section class="panel form-panel" aria-labelledby="register-title">
            <h2 id="register-title">"Variance register"</h2>
            <p class="muted">"Unfavourable variances beyond their KPI's materiality need an explanation: open the KPI to record a root cause and corrective actions."</p>
            {body}
        </section>
    }
}

/// Where a register form posts, and the variance it is about.
#[derive(Clone, Debug, PartialEq)]
pub struct About {
    pub kpi: String,
    pub kpi_name: String,
    pub month: String,
    pub scope: String,
    pub scope_value: String,
}

/// The drilled KPI's register: entries, forms (managers and admins) and history.
#[component]
pub fn KpiRegisterPanel(register: KpiRegister, about: About) -> impl IntoView {
    let me = Resource::new(|| (), |_| get_me());
    let errors = [
        url_error(AddRootCause::PATH),
        url_error(AddAction::PATH),
        url_error(UpdateAction::PATH),
        url_error(SetMateriality::PATH),
    ];
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let (errors, about, register) = (errors.clone(), about.clone(), register.clone());
                Suspend::new(async move {
                    let may_edit = me.await.ok().and_then(|m| m.user).is_some_and(|u| u.role >= Role::Manager);
                    view! { <PanelBody register about errors may_edit/> }
                })
            }}
        </Suspense>
    }
}

#[component]
fn PanelBody(
    register: KpiRegister,
    about: About,
    errors: [Option<AppError>; 4],
    may_edit: bool,
) -> impl IntoView {
    let (causes, actions): (Vec<EntryView>, Vec<EntryView>) =
        register.entries.into_iter().partition(|e| !e.entry.is_action());
    let materiality = register.materiality_pct;
    let update_error = errors[2].as_ref().map(|e| e.to_string());
    view! {
        <section class="panel form-panel register" id="register" data-testid="kpi-register">
            <h2>{format!("{}: root causes and corrective actions", about.kpi_name)}</h2>
            <p class="muted">{format!(
                "Materiality: an unfavourable variance beyond {}% of the target needs an explanation.",
                fixed(materiality, 1)
            )}</p>
            <h3>"Root causes"</h3>
            {if causes.is_empty() {
                view! { <p class="muted">"None recorded for this month and scope."</p> }.into_any()
            } else {
                view! {
                    <table class="data-table compact" data-testid="root-causes">
                        <thead><tr><th>"Category"</th><th>"Root cause"</th><th>"By"</th></tr></thead>
                        <tbody>
                            {causes.into_iter().map(|c| view! {
                                <tr>
                                    <td>{label_of(&CATEGORIES, &c.entry.category)}</td>
                                    <td>{c.entry.text.clone()}</td>
                                    <td class="muted">{format!("{} · {}", c.entry.author, date_time(c.entry.created_at))}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <h3>"Corrective actions"</h3>
            {update_error.map(|m| view! { <p class="form-alert" role="alert">{m}</p> })}
            <ActionsTable actions editable=may_edit/>
            {may_edit.then(|| view! { <RegisterForms about errors materiality/> })}
            <ChangesTable changes=register.changes/>
        </section>
    }
}

/// Actions with their owner, status, dates and, once done, whether the KPI
/// recovered; `editable` adds a status form to each.
#[component]
pub fn ActionsTable(
    actions: Vec<EntryView>,
    #[prop(optional)] with_kpi: bool,
    #[prop(optional)] editable: bool,
) -> impl IntoView {
    if actions.is_empty() {
        return view! { <p class="muted">"No corrective action."</p> }.into_any();
    }
    view! {
        <table class="data-table compact" data-testid="actions">
            <thead>
                <tr>
                    {with_kpi.then(|| view! { <th>"KPI"</th><th>"Month"</th><th>"Scope"</th> })}
                    <th>"Action"</th><th>"Owner"</th><th>"Status"</th><th>"Due"</th><th>"Done"</th><th>"After it"</th>
                    {editable.then(|| view! { <th>"Update"</th> })}
                </tr>
            </thead>
            <tbody>
                {actions.into_iter().map(|a| {
                    let e = a.entry.clone();
                    view! {
                        <tr data-action=e.id data-status=e.status.clone()>
                            {with_kpi.then(|| view! { <td>{a.kpi_name.clone()}</td><td>{e.period.clone()}</td><td>{e.scope_label()}</td> })}
                            <td>{e.text.clone()}</td>
                            <td>{e.owner.clone()}</td>
                            <td>{label_of(&STATUSES, &e.status)}</td>
                            <td>{e.due_on.clone()}</td>
                            <td>{e.completed_on.clone()}</td>
                            <td>{recovery_text(&a)}</td>
                            {editable.then(|| view! { <td>{status_form(&e)}</td> })}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// A small form moving one action to another status (done today, or on
/// the day given).
fn status_form(e: &crate::models::RegisterEntry) -> impl IntoView {
    let label = format!("Status of action {}", e.id);
    let day_label = format!("Completed on (action {})", e.id);
    view! {
        <form class="status-form" method="post" action=UpdateAction::PATH>
            <input type="hidden" name="id" value=e.id/>
            <select name="status" aria-label=label>
                {STATUSES.map(|(k, l)| view! { <option value=k selected=k == e.status>{l}</option> }).collect_view()}
            </select>
            <input type="date" name="completed_on" aria-label=day_label value=e.completed_on.clone()/>
            <button type="submit" class="btn btn-small">"Update"</button>
        </form>
    }
}

/// "Moved toward target (gap −8.0 pts → +0.5 pts)", or "—" for an action not done.
fn recovery_text(a: &EntryView) -> AnyView {
    let Some(r) = &a.recovery else { return view! { <span class="muted">"—"</span> }.into_any() };
    let class = match r.outcome {
        Recovery::Toward => "badge good",
        Recovery::Away => "badge bad",
        Recovery::Unchanged | Recovery::NotEnoughData => "badge",
    };
    let detail = match (r.before, r.after) {
        (Some(b), Some(after)) => {
            format!(
                " gap to target {} → {} (3 months each side)",
                delta(Some(b), a.unit),
                delta(Some(after), a.unit)
            )
        }
        _ => format!(" ({} and {} months with data before and after)", r.months_before, r.months_after),
    };
    view! { <span><span class=class data-recovery=format!("{:?}", r.outcome)>{r.outcome.label()}</span><span class="muted small">{detail}</span></span> }
        .into_any()
}

#[component]
fn ChangesTable(changes: Vec<crate::models::RegisterChange>) -> impl IntoView {
    (!changes.is_empty()).then(|| {
        view! {
            <details class="register-history">
                <summary>"History of this KPI's register"</summary>
                <table class="data-table compact" data-testid="register-history">
                    <thead><tr><th>"When"</th><th>"Who"</th><th>"Entry"</th><th>"Change"</th><th>"Was"</th><th>"Now"</th></tr></thead>
                    <tbody>
                        {changes.into_iter().map(|c| view! {
                            <tr>
                                <td>{date_time(c.at)}</td>
                                <td>{c.actor}</td>
                                <td>{format!("#{}", c.entry_id)}</td>
                                <td>{c.change}</td>
                                <td>{c.old_value}</td>
                                <td>{c.new_value}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </details>
        }
    })
}

/// The message of `error` for `field`, or for no field when `field` is empty.
fn message(error: &Option<AppError>, field: &str) -> Option<String> {
    error.as_ref().and_then(|e| match e {
        AppError::Invalid { field: f, message } if f == field => Some(message.clone()),
        AppError::Invalid { .. } => None,
        other if field.is_empty() => Some(other.to_string()),
        _ => None,
    })
}

/// An input with its label and the error of its field underneath.
fn field(
    form: &'static str,
    label: &'static str,
    name: &'static str,
    kind: &'static str,
    error: &Option<AppError>,
) -> impl IntoView {
    let id = format!("{form}-{name}");
    let failed = message(error, name);
    let has_error = failed.is_some();
    view! {
        <div class="field" class:has-error=has_error>
            <label for=id.clone()>{label}</label>
            <input id=id.clone() name=name type=kind aria-invalid=has_error.to_string() aria-describedby=format!("{id}-error")/>
            <p class="field-error" id=format!("{id}-error") role="alert">{failed}</p>
        </div>
    }
}

/// The variance the forms are about, as hidden fields.
fn hidden(about: &About) -> impl IntoView {
    view! {
        <input type="hidden" name="kpi" value=about.kpi.clone()/>
        <input type="hidden" name="month" value=about.month.clone()/>
        <input type="hidden" name="scope" value=about.scope.clone()/>
        <input type="hidden" name="scope_value" value=about.scope_value.clone()/>
    }
}

/// The errors of the form fields that hidden inputs carry (a tampered post).
fn hidden_errors(error: &Option<AppError>) -> impl IntoView {
    let text = ["kpi", "month", "scope", "scope_value", ""].iter().find_map(|f| message(error, f));
    text.map(|t| view! { <p class="form-alert" role="alert">{t}</p> })
}

#[component]
fn RegisterForms(about: About, errors: [Option<AppError>; 4], materiality: f64) -> impl IntoView {
    let [cause, action, _, threshold] = errors;
    let category_error = message(&cause, "category");
    let category_failed = category_error.is_some();
    let threshold_failed = message(&threshold, "threshold").is_some();
    view! {
        <div class="register-forms">
            <form class="inline-form register-form" method="post" action=AddRootCause::PATH aria-label="Record a root cause">
                {hidden(&about)}
                <div class="field" class:has-error=category_failed>
                    <label for="cause-category">"Category"</label>
                    <select id="cause-category" name="category">
                        {CATEGORIES.map(|(k, l)| view! { <option value=k>{l}</option> }).collect_view()}
                    </select>
                    <p class="field-error" role="alert">{category_error}</p>
                </div>
                {field("cause", "Root cause", "text", "text", &cause)}
                <button type="submit" class="btn btn-primary">"Record root cause"</button>
            </form>
            {hidden_errors(&cause)}
            <form class="inline-form register-form" method="post" action=AddAction::PATH aria-label="Add a corrective action">
                {hidden(&about)}
                {field("action", "Corrective action", "text", "text", &action)}
                {field("action", "Owner", "owner", "text", &action)}
                {field("action", "Due", "due_on", "date", &action)}
                <button type="submit" class="btn btn-primary">"Add action"</button>
            </form>
            {hidden_errors(&action)}
            <form class="inline-form register-form" method="post" action=SetMateriality::PATH aria-label="Set the materiality">
                <input type="hidden" name="kpi" value=about.kpi.clone()/>
                <div class="field" class:has-error=threshold_failed>
                    <label for="materiality-threshold">"Materiality (% of target)"</label>
                    <input id="materiality-threshold" name="threshold" type="text" value=fixed(materiality, 1)/>
                    <p class="field-error" role="alert">{message(&threshold, "threshold")}</p>
                </div>
                <button type="submit" class="btn">"Save materiality"</button>
            </form>
            {hidden_errors(&threshold)}
        </div>
    }
}
