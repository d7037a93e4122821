//! User management (admins): create accounts, change roles, disable, reset
//! passwords. The server refuses to remove the last admin.

use crate::api::users::{list_users, CreateUser, UpdateUser};
use crate::components::form::{field_error, form_error, Field, FormAlert};
use crate::components::layout::PageHead;
use crate::components::states::ErrorPanel;
use crate::models::{Role, UserInfo};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    view! {
        <Title text="Users"/>
        <PageHead eyebrow="Administration" title="Users"/>
        <UsersAdmin/>
    }
}

/// The user list and its forms, an island: a change shows at once.
#[island]
fn UsersAdmin() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let update = ServerAction::<UpdateUser>::new();
    let users = Resource::new(move || (create.version().get(), update.version().get()), |_| list_users());
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading users…"</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(list) => view! {
                        <FormAlert message=form_error(update)/>
                        <UserTable users=list update/>
                        <section class="panel form-panel">
                            <h2>"Add a user"</h2>
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
                        </section>
                    }.into_any(),
                    Err(e) => view! { <ErrorPanel message=e.to_string()/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn UserTable(users: Vec<UserInfo>, update: ServerAction<UpdateUser>) -> impl IntoView {
    view! {
        <table class="data-table">
            <thead>
                <tr><th>"User"</th><th>"Role"</th><th>"Status"</th><th>"Reset password"</th></tr>
            </thead>
            <tbody>
                {users.into_iter().map(|u| view! { <UserRow user=u update/> }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn UserRow(user: UserInfo, update: ServerAction<UpdateUser>) -> impl IntoView {
    let (id_role, id_toggle, id_reset) = (user.id.to_string(), user.id.to_string(), user.id.to_string());
    let (row_key, name) = (user.username.clone(), user.username.clone());
    let (toggle_action, toggle_label) =
        if user.disabled { ("enable", "Enable") } else { ("disable", "Disable") };
    let (status_class, status_text) =
        if user.disabled { ("badge bad", "Disabled") } else { ("badge good", "Active") };
    let role_label = format!("Role of {}", user.username);
    let password_label = format!("New password for {}", user.username);
    let role_options =
        Role::ALL.map(|r| view! { <option value=r.key() selected=r == user.role>{r.key()}</option> });
    view! {
        <tr data-user=row_key>
            <td>{name}</td>
            <td>
                <ActionForm action=update attr:class="row-form">
                    <input type="hidden" name="id" value=id_role/>
                    <input type="hidden" name="action" value="role"/>
                    <select name="value" aria-label=role_label>{role_options}</select>
                    <button type="submit" class="btn">"Save"</button>
                </ActionForm>
            </td>
            <td>
                <ActionForm action=update attr:class="row-form">
                    <input type="hidden" name="id" value=id_toggle/>
                    <input type="hidden" name="action" value=toggle_action/>
                    <span class=status_class>{status_text}</span>
                    <button type="submit" class="btn">{toggle_label}</button>
                </ActionForm>
            </td>
            <td>
                <ActionForm action=update attr:class="row-form">
                    <input type="hidden" name="id" value=id_reset/>
                    <input type="hidden" name="action" value="password"/>
                    <input type="password" name="value" autocomplete="new-password" placeholder="New password" aria-label=password_label/>
                    <button type="submit" class="btn">"Reset"</button>
                </ActionForm>
            </td>
        </tr>
    }
}
