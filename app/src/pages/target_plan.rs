//! The targets page's plan upload: a whole plan as CSV, chosen as a file
//! (read in the browser into the paste box) or pasted. An island: with
//! JavaScript a refusal or the warnings show in place; without it the form
//! posts to the server function, which comes back with its error in the URL.

use crate::api::target_plan::{upload_plan, UploadPlan, COLUMNS};
use crate::api::targets::SetOutcome;
use crate::components::form::{field_error, form_error, reload, submit, FormAlert, FormFields};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// The upload form; `failed` is a refusal that came back in the URL.
#[island]
pub fn PlanUpload(failed: Option<AppError>) -> impl IntoView {
    let (error, pending) = (RwSignal::new(failed), RwSignal::new(false));
    let outcome = RwSignal::new(None::<SetOutcome>);
    let text = RwSignal::new(String::new());
    let send = |f: FormFields| upload_plan(f.get("csv"));
    let done = move |o: SetOutcome| {
        if o.warnings.is_empty() {
            reload();
        } else {
            outcome.set(Some(o));
        }
    };
    let chosen = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let input = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        let Some(file) = input.and_then(|i| i.files()).and_then(|list| list.get(0)) else { return };
        leptos::task::spawn_local(async move {
            let read = wasm_bindgen_futures::JsFuture::from(file.text()).await;
            if let Some(content) = read.ok().and_then(|v| v.as_string()) {
                text.set(content);
            }
        });
    };
    let message = field_error(error, "csv");
    view! {
        <form class="plan-form" action=UploadPlan::PATH method="post" on:submit=submit(error, pending, send, done)>
            <div class="field">
                <label for="plan-file">"Plan file (CSV)"</label>
                <input id="plan-file" type="file" accept=".csv,text/csv" on:change=chosen/>
            </div>
            <div class="field" class:has-error=move || message.get().is_some()>
                <label for="plan-csv">"Or paste the plan"</label>
                <textarea id="plan-csv" name="csv" rows="6" placeholder=COLUMNS.join(",") prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev)) aria-describedby="plan-csv-error"></textarea>
                <p class="field-error" id="plan-csv-error" role="alert">{move || message.get()}</p>
            </div>
            <button type="submit" class="btn btn-primary" disabled=move || pending.get()>"Upload plan"</button>
        </form>
        <FormAlert message=form_error(error)/>
        {move || outcome.get().map(|o| view! {
            <div class="form-warning" role="status" data-testid="plan-warnings">
                <p>{format!("Saved {} target(s). Please double-check:", o.saved)}</p>
                <ul>{o.warnings.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}</ul>
                <button type="button" class="btn btn-small" on:click=move |_| reload()>"Show the updated list"</button>
            </div>
        })}
    }
}

/// The section around the form, with the format.
#[component]
pub fn PlanSection(failed: Option<AppError>) -> impl IntoView {
    view! {
        <section class="panel form-panel" aria-labelledby="plan-title">
            <h2 id="plan-title">"Upload a whole plan"</h2>
            <p class="muted">
                "One row per target, with the header "<code>{COLUMNS.join(",")}</code>". "
                "Scope is empty for the whole company or like "<code>"channel:chat"</code>"; version is plan (default) or reforecast. "
                "Every row is checked like the form: a bad row refuses the whole plan, naming its row and column. "
                "Scripts send the same file to "<code>"PUT /api/v1/targets"</code>" with "<code>"Content-Type: text/csv"</code>"."
            </p>
            <PlanUpload failed/>
        </section>
    }
}
