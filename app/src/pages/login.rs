//! Sign in. `?next=` brings the user back to the page they asked for.

use crate::api::auth::{login, Login};
use crate::components::form::{field_error, form_error, submit, url_error, Field, FormAlert};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let next = use_query_map().read_untracked().get("next").unwrap_or_default();
    let failed = url_error(Login::PATH);
    view! {
        <Title text="Sign in"/>
        <section class="auth-card">
            <h1>"Sign in"</h1>
            <p class="muted">"Aftercare: post-purchase support analytics."</p>
            <LoginForm next failed/>
        </section>
    }
}

/// The form, an island: a refusal shows without reloading the page.
#[island]
fn LoginForm(next: String, failed: Option<AppError>) -> impl IntoView {
    let (error, pending) = (RwSignal::new(failed), RwSignal::new(false));
    // A success redirects (to `next`) through the server function.
    let send = |f: crate::components::form::FormFields| {
        login(f.get("username"), f.get("password"), Some(f.get("next")))
    };
    view! {
        <form action=Login::PATH method="post" on:submit=submit(error, pending, send, |_| ())>
            <input type="hidden" name="next" value=next/>
            <Field label="Username" name="username" autocomplete="username" required=true error=field_error(error, "username")/>
            <Field label="Password" name="password" kind="password" autocomplete="current-password" required=true error=field_error(error, "password")/>
            <FormAlert message=form_error(error)/>
            <button type="submit" class="btn btn-primary" disabled=move || pending.get()>"Sign in"</button>
        </form>
    }
}
