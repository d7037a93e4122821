//! Forms. Every form is a real `<form>` that posts to its server function,
//! so it works without JavaScript: the server function redirects back, with
//! its error in the URL (`?__err=…`), which the page shows through
//! [`url_error`]. Where a form is an island, [`submit`] sends it with a
//! server-function call instead and shows the error in place.
//!
//! Islands use `submit` rather than Leptos' `ActionForm`: the action
//! machinery and the form decoding it brings weighed tens of KB of WASM.

use crate::error::AppError;
use leptos::prelude::*;
use std::future::Future;

/// The error a server function at `path` (e.g. `/api/login`) sent back in
/// the URL after a form post without JavaScript.
pub fn url_error(path: &str) -> Option<AppError> {
    let query = leptos_router::hooks::use_query_map();
    let query = query.read_untracked();
    (query.get("__path").as_deref() == Some(path))
        .then(|| query.get("__err"))
        .flatten()
        .map(|e| leptos::server_fn::error::ServerFnUrlError::<AppError>::decode_err(&e))
}

/// The message for `field` in `error`.
pub fn field_error(error: RwSignal<Option<AppError>>, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || error.with(|e| e.as_ref().and_then(|e| e.field_message(field))))
}

/// The message of an error that no field shows.
pub fn form_error(error: RwSignal<Option<AppError>>) -> Signal<Option<String>> {
    Signal::derive(move || {
        error.with(|e| e.as_ref().filter(|e| !matches!(e, AppError::Invalid { .. })).map(|e| e.to_string()))
    })
}

/// The fields of a submitted form, by name.
pub struct FormFields(web_sys::FormData);

impl FormFields {
    /// The field's text; empty when the form has no such field.
    pub fn get(&self, name: &str) -> String {
        self.0.get(name).as_string().unwrap_or_default()
    }
}

/// A submit handler: sends the form's fields through `call` (a server
/// function) without a page load; an error goes to `error`, a success to
/// `done`. `pending` is true while the call runs.
pub fn submit<T, Fut>(
    error: RwSignal<Option<AppError>>,
    pending: RwSignal<bool>,
    call: impl Fn(FormFields) -> Fut + Copy + 'static,
    done: impl Fn(T) + Copy + 'static,
) -> impl Fn(leptos::ev::SubmitEvent) + Copy + 'static
where
    Fut: Future<Output = Result<T, AppError>> + 'static,
    T: 'static,
{
    move |ev: leptos::ev::SubmitEvent| {
        use wasm_bindgen::JsCast;
        let form = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok());
        let Some(fields) = form.and_then(|f| web_sys::FormData::new_with_form(&f).ok()) else { return };
        ev.prevent_default();
        pending.set(true);
        leptos::task::spawn_local(async move {
            let result = call(FormFields(fields)).await;
            pending.set(false);
            match result {
                Ok(value) => {
                    error.set(None);
                    done(value);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    }
}

/// Reloads the page, so that the lists the server rendered show a change.
pub fn reload() {
    let _ = window().location().reload();
}

/// A labelled input with its error underneath.
#[component]
pub fn Field(
    #[prop(into)] label: String,
    /// The server function argument this input fills.
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] required: bool,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    view! {
        <div class="field" class:has-error=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                required=required
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=error_id.clone()
            />
            <p class="field-error" id=error_id role="alert">{move || error.get()}</p>
        </div>
    }
}

/// An alert for errors that belong to no single field.
#[component]
pub fn FormAlert(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || message.get().map(|m| view! { <p class="form-alert" role="alert">{m}</p> })
}
