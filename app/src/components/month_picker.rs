//! Previous / next links and a month selector. Links and the form work
//! without JavaScript; with it, choosing a month loads it at once.

use leptos::either::Either;
use leptos::prelude::*;

#[island]
pub fn MonthPicker(
    /// The month shown, `2025-03`.
    month: String,
    /// (value, label) of every selectable month, newest first.
    months: Vec<(String, String)>,
    previous: Option<String>,
    next: Option<String>,
) -> impl IntoView {
    let on_change = move |ev: leptos::ev::Event| {
        let _ = window().location().set_href(&format!("/?month={}", event_target_value(&ev)));
    };
    let arrow = |target: Option<String>, label: &'static str, text: &'static str| match target {
        Some(m) => Either::Left(
            view! { <a href=format!("/?month={m}") class="btn btn-icon" aria-label=label>{text}</a> },
        ),
        None => Either::Right(view! { <span class="btn btn-icon disabled" aria-hidden="true">{text}</span> }),
    };
    view! {
        <div class="month-picker">
            {arrow(previous, "Previous month", "‹")}
            <form method="get" action="/">
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
            </form>
            {arrow(next, "Next month", "›")}
        </div>
    }
}
