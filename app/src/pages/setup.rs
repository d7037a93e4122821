//! First start: create the first admin (as Metabase and Grafana do).

use crate::api::auth::{setup_admin, SetupAdmin};
use crate::components::form::{field_error, form_error, submit, url_error, Field, FormAlert};
use crate::error::AppError;
use crate::models::MIN_PASSWORD_LENGTH;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

#[component]
pub fn SetupPage() -> impl IntoView {
    let failed = url_error(SetupAdmin::PATH);
    view! {
        <Title text="Welcome"/>
        <section class="auth-card">
            <h1>"Welcome to Aftercare"</h1>
            <p class="muted">
                "Create the first administrator account. You can invite managers and viewers afterwards."
            </p>
            <SetupForm failed/>
        </section>
    }
}

/// The form, an island: field errors show without reloading the page.
#[island]
fn SetupForm(failed: Option<AppError>) -> impl IntoView {
    let (error, pending) = (RwSignal::new(failed), RwSignal::new(false));
    // A success redirects to the overview through the server function.
    let send = |f: crate::components::form::FormFields| {
        setup_admin(f.get("username"), f.get("password"), f.get("confirm"))
    };
    view! {
        <form action=SetupAdmin::PATH method="post" on:submit=submit(error, pending, send, |_| ())>
            <Field label="Username" name="username" autocomplete="username" required=true error=field_error(error, "username")/>
            <Field label=format!("Password (at least {MIN_PASSWORD_LENGTH} characters)") name="password" kind="password" autocomplete="new-password" required=true error=field_error(error, "password")/>
            <Field label="Repeat the password" name="confirm" kind="password" autocomplete="new-password" required=true error=field_error(error, "confirm")/>
            <FormAlert message=form_error(error)/>
            <button type="submit" class="btn btn-primary" disabled=move || pending.get()>"Create admin and continue"</button>
        </form>
    }
}
