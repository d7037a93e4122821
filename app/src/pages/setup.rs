//! First start: create the first admin (as Metabase and Grafana do).

use crate::api::auth::SetupAdmin;
use crate::components::form::{field_error, form_error, Field, FormAlert};
use crate::models::MIN_PASSWORD_LENGTH;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SetupPage() -> impl IntoView {
    view! {
        <Title text="Welcome"/>
        <section class="auth-card">
            <h1>"Welcome to Aftercare"</h1>
            <p class="muted">
                "Create the first administrator account. You can invite managers and viewers afterwards."
            </p>
            <SetupForm/>
        </section>
    }
}

/// The form, an island: field errors show without reloading the page.
#[island]
fn SetupForm() -> impl IntoView {
    let action = ServerAction::<SetupAdmin>::new();
    view! {
        <ActionForm action=action>
            <Field label="Username" name="username" autocomplete="username" required=true error=field_error(action, "username")/>
            <Field label=format!("Password (at least {MIN_PASSWORD_LENGTH} characters)") name="password" kind="password" autocomplete="new-password" required=true error=field_error(action, "password")/>
            <Field label="Repeat the password" name="confirm" kind="password" autocomplete="new-password" required=true error=field_error(action, "confirm")/>
            <FormAlert message=form_error(action)/>
            <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>"Create admin and continue"</button>
        </ActionForm>
    }
}
