//! The Trends page's business events: the ones in the shown range, and a
//! plain form for managers to add one (it works without JavaScript; a
//! refusal comes back in the URL and is shown by its field).

use crate::api::auth::get_me;
use crate::api::events::{AddEvent, EventInfo, KINDS};
use crate::components::form::url_error;
use crate::models::Role;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

#[component]
pub fn EventsPanel(events: Vec<EventInfo>) -> impl IntoView {
    let me = Resource::new(|| (), |_| get_me());
    let error = url_error(AddEvent::PATH);
    view! {
        <section class="panel form-panel events" aria-labelledby="events-title">
            <h2 id="events-title">"Business events"</h2>
            <p class="muted">
                "Promotions, outages, releases and price changes, marked on every time chart at the period they begin. "
                "Send many at once as JSON or CSV to POST /api/v1/events."
            </p>
            {if events.is_empty() {
                view! { <p class="muted">"No events in this range."</p> }.into_any()
            } else {
                view! {
                    <table class="data-table compact">
                        <thead><tr><th>"Event"</th><th>"From"</th><th>"To"</th><th>"Entered by"</th></tr></thead>
                        <tbody>
                            {events.into_iter().map(|e| view! {
                                <tr>
                                    <td><strong>{e.kind_name()}</strong> ": " {e.title}</td>
                                    <td>{e.starts_on}</td>
                                    <td>{e.ends_on}</td>
                                    <td>{e.author}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <Suspense fallback=|| ()>
                {move || {
                    let error = error.clone();
                    Suspend::new(async move {
                    let may_add = me.await.ok().and_then(|m| m.user).is_some_and(|u| u.role >= Role::Manager);
                    may_add.then(|| view! { <AddEventForm error/> })
                    })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn AddEventForm(error: Option<crate::error::AppError>) -> impl IntoView {
    let message = error.map(|e| e.to_string());
    let open = message.is_some();
    view! {
        <details class="add-event" open=open>
            <summary>"Add an event"</summary>
            <form class="inline-form" method="post" action=AddEvent::PATH>
                <div class="field">
                    <label for="event-kind">"Kind"</label>
                    <select id="event-kind" name="kind">
                        {KINDS.map(|(key, name)| view! { <option value=key>{name}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="event-title">"Title"</label>
                    <input id="event-title" name="title" maxlength="100" required/>
                </div>
                <div class="field">
                    <label for="event-starts">"From"</label>
                    <input id="event-starts" type="date" name="starts_on" required/>
                </div>
                <div class="field">
                    <label for="event-ends">"To (optional)"</label>
                    <input id="event-ends" type="date" name="ends_on"/>
                </div>
                <button type="submit" class="btn btn-primary">"Add event"</button>
            </form>
            {message.map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
        </details>
    }
}
