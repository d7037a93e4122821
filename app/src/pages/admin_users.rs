//! User management (admins): create accounts, change roles, disable, reset
//! passwords. The server refuses to remove the last admin. The table and its
//! row forms are plain server-rendered HTML (a change reloads the list, a
//! refusal comes back in the URL); adding a user is an island that shows
//! field errors in place.

use crate::api::users::{create_user, list_users, CreateUser, UpdateUser};
use crate::components::form::{
    field_error, form_error, reload, submit, url_error, Field, FormAlert, FormFields,
};
use crate::components::layout::PageHead;
use crate::components::states::ErrorPanel;
use crate::error::AppError;
use crate::models::{Role, UserInfo};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let users = Resource::new(|| (), |_| list_users());
    let (update_failed, create_failed) = (url_error(UpdateUser::PATH), url_error(CreateUser::PATH));
    view! {
        <Title text="Users"/>
        <PageHead eyebrow="Administration" title="Users"/>
        <FormAlert message=update_failed.map(|e| e.to_string())/>
        <Suspense fallback=|| view! { <p class="muted">"Loading users…"</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(list) => view! { <UserTable users=list/> }.into_any(),
                    Err(e) => view! { <ErrorPanel message=e.to_string()/> }.into_any(),
                }
            })}
        </Suspense>
        <section class="panel form-panel">
            <h2>"Add a user"</h2>
            <AddUserForm failed=create_failed/>
        </section>
    }
}

#[component]
fn UserTable(users: Vec<UserInfo>) -> impl IntoView {
    view! {
        <table class="data-table">
            <thead>
                <tr><th>"User"</th><th>"Role"</th><th>"Status"</th><th>"Reset password"</th></tr>
            </thead>
            <tbody>
                {users.into_iter().map(|user| view! { <UserRow user/> }).collect_view()}
            </tbody>
        </table>
    }
}

/// One user with the three forms of the row: role, enable/disable, new password.
#[component]
fn UserRow(user: UserInfo) -> impl IntoView {
    let id = user.id.to_string();
    let fields = move |action: &'static str| {
        view! {
            <input type="hidden" name="id" value=id.clone()/>
            <input type="hidden" name="action" value=action/>
        }
    };
    let (toggle_action, toggle_label) =
        if user.disabled { ("enable", "Enable") } else { ("disable", "Disable") };
    let (status_class, status_text) =
        if user.disabled { ("badge bad", "Disabled") } else { ("badge good", "Active") };
    let role_options =
        Role::ALL.map(|r| view! { <option value=r.key() selected=r == user.role>{r.key()}</option> });
    let (role_fields, toggle_fields, password_fields) =
        (fields("role"), fields(toggle_action), fields("password"));
    let role_label = format!("Role of {}", user.username);
    let password_label = format!("New password for {}", user.username);
    view! {
        <tr data-user=user.username.clone()>
            <td>{user.username.clone()}</td>
            <td>
                <form class="row-form" action=UpdateUser::PATH method="post">
                    {role_fields}
                    <select name="value" aria-label=role_label>{role_options}</select>
                    <button type="submit" class="btn">"Save"</button>
                </form>
            </td>
            <td>
                <form class="row-form" action=UpdateUser::PATH method="post">
                    {toggle_fields}
                    <span class=status_class>{status_text}</span>
                    <button type="submit" class="btn">{toggle_label}</button>
                </form>
            </td>
            <td>
                <form class="row-form" action=UpdateUser::PATH method="post">
                    {password_fields}
                    <input type="password" name="value" autocomplete="new-password" placeholder="New password" aria-label=password_label/>
                    <button type="submit" class="btn">"Reset"</button>
                </form>
            </td>
        </tr>
    }
}

/// Adds an account; the list reloads to show it.
#[island]
fn AddUserForm(failed: Option<AppError>) -> impl IntoView {
    let (error, pending) = (RwSignal::new(failed), RwSignal::new(false));
    let send = |f: FormFields| create_user(f.get("username"), f.get("role"), f.get("password"));
    view! {
        <form class="inline-form" action=CreateUser::PATH method="post" on:submit=submit(error, pending, send, |_| reload())>
            <Field label="Username" name="username" required=true error=field_error(error, "username")/>
            <div class="field">
                <label for="new-role">"Role"</label>
                <select id="new-role" name="role">
                    <option value="viewer">"Viewer — reads dashboards"</option>
                    <option value="manager">"Manager — also sets targets"</option>
                    <option value="admin">"Admin — also manages users"</option>
                </select>
            </div>
            <Field label="Initial password" name="password" kind="password" autocomplete="new-password" required=true error=field_error(error, "password")/>
            <button type="submit" class="btn btn-primary" disabled=move || pending.get()>"Add user"</button>
        </form>
        <FormAlert message=form_error(error)/>
    }
}
