//! Corrective actions across every KPI, filtered by status and owner (a
//! plain GET form: the filters live in the URL and work without
//! JavaScript). Each done action says whether its KPI moved back toward
//! target in the months after it; managers update an action's status here.

use crate::api::auth::get_me;
use crate::api::register::{get_actions, ActionsQuery, ActionsView, UpdateAction};
use crate::components::form::url_error;
use crate::components::layout::PageHead;
use crate::components::states::{EmptyState, ErrorPanel};
use crate::kpi::register::STATUSES;
use crate::models::Role;
use crate::pages::variance_register::ActionsTable;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ActionsPage() -> impl IntoView {
    let query = use_query_map();
    let request = move || {
        let q = query.read();
        let get = |name: &str| q.get(name).filter(|v| !v.is_empty());
        ActionsQuery { status: get("status"), owner: get("owner"), kpi: get("kpi") }
    };
    let data = Resource::new(request, get_actions);
    let me = Resource::new(|| (), |_| get_me());
    let failed = url_error(UpdateAction::PATH).map(|e| e.to_string());
    view! {
        <Title text="Actions"/>
        <PageHead eyebrow="Variance register" title="Corrective actions">
            "Every corrective action recorded on a variance, across all KPIs: who owns it, its status and due date, "
            "and for a done one whether the KPI moved back toward target in the months after it."
        </PageHead>
        {failed.map(|m| view! { <p class="form-alert" role="alert">{m}</p> })}
        <Suspense fallback=|| view! { <p class="muted">"Loading actions…"</p> }>
            {move || Suspend::new(async move {
                let editable = me.await.ok().and_then(|m| m.user).is_some_and(|u| u.role >= Role::Manager);
                match data.await {
                    Ok(v) => view! { <ActionsBody data=v editable/> }.into_any(),
                    Err(e) => view! { <ErrorPanel message=e.to_string()/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ActionsBody(data: ActionsView, editable: bool) -> impl IntoView {
    let chosen_status = data.query.status.clone().unwrap_or_default();
    let chosen_owner = data.query.owner.clone().unwrap_or_default();
    let kpi = data.query.kpi.clone();
    let filtered = data.query.status.is_some() || data.query.owner.is_some() || kpi.is_some();
    view! {
        <form class="panel form-panel filter-form" method="get" action="/actions">
            <div class="field">
                <label for="actions-status">"Status"</label>
                <select id="actions-status" name="status">
                    <option value="" selected=chosen_status.is_empty()>"Any"</option>
                    {STATUSES.map(|(k, l)| view! { <option value=k selected=k == chosen_status>{l}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="actions-owner">"Owner"</label>
                <select id="actions-owner" name="owner">
                    <option value="" selected=chosen_owner.is_empty()>"Anyone"</option>
                    {data.owners.iter().map(|o| {
                        let selected = *o == chosen_owner;
                        view! { <option value=o.clone() selected=selected>{o.clone()}</option> }
                    }).collect_view()}
                </select>
            </div>
            {kpi.map(|k| view! { <input type="hidden" name="kpi" value=k/> })}
            <button type="submit" class="btn btn-primary">"Show"</button>
        </form>
        <section class="panel form-panel">
            {if data.actions.is_empty() {
                view! {
                    <EmptyState title=if filtered { "No action matches" } else { "No actions yet" }>
                        <p>"Corrective actions are added on the "<a href="/variance">"Variance"</a>" page, on a KPI's variance."</p>
                    </EmptyState>
                }.into_any()
            } else {
                view! { <ActionsTable actions=data.actions with_kpi=true editable/> }.into_any()
            }}
        </section>
    }
}
