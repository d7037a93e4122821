//! Previous / next links and a month selector. Links and the form work
//! without JavaScript; after hydration a change navigates in place.

use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_navigate;

#[component]
pub fn MonthPicker(
    /// The month shown, `2025-03`.
    month: String,
    /// (value, label) of every selectable month, newest first.
    months: Vec<(String, String)>,
    previous: Option<String>,
    next: Option<String>,
) -> impl IntoView {
    let navigate = use_navigate();
    let on_change = move |ev: leptos::ev::Event| {
        navigate(&format!("/?month={}", event_target_value(&ev)), Default::default());
    };
    let arrow = |target: Option<String>, label: &'static str, text: &'static str| {
        match target {
            // A plain link: the router still navigates in place, without marking it current.
            Some(m) => {
                view! { <a href=format!("/?month={m}") class="btn btn-icon" aria-label=label>{text}</a> }
                    .into_any()
            }
            None => view! { <span class="btn btn-icon disabled" aria-hidden="true">{text}</span> }.into_any(),
        }
    };
    view! {
        <div class="month-picker">
            {arrow(previous, "Previous month", "‹")}
            <Form method="GET" action="/">
                <label class="visually-hidden" for="month-select">"Month"</label>
                <select id="month-select" name="month" on:change=on_change>
                    {months
                        .into_iter()
                        .map(|(value, label)| {
                            let selected = value == month;
                            view! { <option value=value.clone() selected=selected>{label}</option> }
                        })
                        .collect_view()}
                </select>
                <button type="submit" class="btn no-js-only">"Show"</button>
            </Form>
            {arrow(next, "Next month", "›")}
        </div>
    }
}
