//! Sign in. `?next=` brings the user back to the page they asked for.

use crate::api::auth::Login;
use crate::components::form::{field_error, form_error, Field, FormAlert};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let next = use_query_map().read_untracked().get("next").unwrap_or_default();
    view! {
        <Title text="Sign in"/>
        <section class="auth-card">
            <h1>"Sign in"</h1>
            <p class="muted">"Aftercare: post-purchase support analytics."</p>
            <LoginForm next/>
        </section>
    }
}

/// The form, an island: field errors show without reloading the page.
#[island]
fn LoginForm(next: String) -> impl IntoView {
    let action = ServerAction::<Login>::new();
    view! {
        <ActionForm action=action>
            <input type="hidden" name="next" value=next/>
            <Field label="Username" name="username" autocomplete="username" required=true error=field_error(action, "username")/>
            <Field label="Password" name="password" kind="password" autocomplete="current-password" required=true error=field_error(action, "password")/>
            <FormAlert message=form_error(action)/>
            <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>"Sign in"</button>
        </ActionForm>
    }
}
