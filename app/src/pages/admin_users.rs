//! User management (admins): create accounts, change roles, disable, reset
//! passwords. The server refuses to remove the last admin. The table is
//! rendered on the server; its forms are small islands that show the
//! server's message in place and reload the list after a change.

use crate::api::users::{list_users, CreateUser, UpdateUser};
use crate::components::form::{field_error, form_error, reload_after_success, Field, FormAlert};
use crate::components::layout::PageHead;
use crate::components::states::ErrorPanel;
use crate::models::{Role, UserInfo};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let users = Resource::new(|| (), |_| list_users());
    view! {
        <Title text="Users"/>
        <PageHead eyebrow="Administration" title="Users"/>
        <Suspense fallback=|| view! { <p class="muted">"Loading users…"</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(list) => view! {
                        <UserTable users=list/>
                        <section class="panel form-panel">
                            <h2>"Add a user"</h2>
                            <AddUserForm/>
                        </section>
                    }.into_any(),
                    Err(e) => view! { <ErrorPanel message=e.to_string()/> }.into_any(),
                }
            })}
        </Suspense>
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
                <UpdateUserForm>
                    {role_fields}
                    <select name="value" aria-label=role_label>{role_options}</select>
                    <button type="submit" class="btn">"Save"</button>
                </UpdateUserForm>
            </td>
            <td>
                <UpdateUserForm>
                    {toggle_fields}
                    <span class=status_class>{status_text}</span>
                    <button type="submit" class="btn">{toggle_label}</button>
                </UpdateUserForm>
            </td>
            <td>
                <UpdateUserForm>
                    {password_fields}
                    <input type="password" name="value" autocomplete="new-password" placeholder="New password" aria-label=password_label/>
                    <button type="submit" class="btn">"Reset"</button>
                </UpdateUserForm>
            </td>
        </tr>
    }
}

#[island]
fn AddUserForm() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    reload_after_success(create);
    view! {
        <ActionForm action=create attr:class="inline-form">
            <Field label="Username" name="username" required=true error=field_error(create, "username")/>
            <div class="field">
                <label for="new-role">"Role"</label>
                <select id="new-role" name="role">
                    <option value="viewer">"Viewer — reads dashboards"</option>
                    <option value="manager">"Manager — also sets targets"</option>
                    <option value="admin">"Admin — also manages users"</option>
                </select>
            </div>
            <Field label="Initial password" name="password" kind="password" autocomplete="new-password" required=true error=field_error(create, "password")/>
            <button type="submit" class="btn btn-primary">"Add user"</button>
        </ActionForm>
        <FormAlert message=form_error(create)/>
    }
}

/// A form of a user's row; its fields come rendered from the server.
#[island]
fn UpdateUserForm(children: Children) -> impl IntoView {
    let update = ServerAction::<UpdateUser>::new();
    reload_after_success(update);
    view! {
        <ActionForm action=update attr:class="row-form">{children()}</ActionForm>
        <FormAlert message=form_error(update)/>
    }
}
