//! API tokens (admins): create one for a script, see it once, revoke it.
//! The list is rendered on the server; the forms are small islands.

use crate::api::tokens::{list_tokens, CreateToken, RevokeToken};
use crate::components::form::{field_error, form_error, reload_after_success, Field, FormAlert};
use crate::components::layout::PageHead;
use crate::components::states::ErrorPanel;
use crate::components::time::date_time;
use crate::models::TokenInfo;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminTokensPage() -> impl IntoView {
    let tokens = Resource::new(|| (), |_| list_tokens());
    view! {
        <Title text="API tokens"/>
        <PageHead eyebrow="Administration" title="API tokens">
            "Scripts use a token as " <code>"Authorization: Bearer …"</code> " on " <code>"/api/v1"</code> "."
        </PageHead>
        <section class="panel form-panel">
            <h2>"Create a token"</h2>
            <CreateTokenForm/>
        </section>
        <Suspense fallback=|| view! { <p class="muted">"Loading tokens…"</p> }>
            {move || Suspend::new(async move {
                match tokens.await {
                    Ok(list) if list.is_empty() => view! { <p class="muted">"No tokens yet."</p> }.into_any(),
                    Ok(list) => view! { <TokenTable tokens=list/> }.into_any(),
                    Err(e) => view! { <ErrorPanel message=e.to_string()/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Creates a token and shows it once; "Done" reloads the list.
#[island]
fn CreateTokenForm() -> impl IntoView {
    let create = ServerAction::<CreateToken>::new();
    let new_token = move || create.value().get().and_then(|r| r.ok());
    view! {
        <ActionForm action=create attr:class="inline-form">
            <Field label="Name" name="label" required=true error=field_error(create, "label")/>
            <div class="field">
                <label for="token-scope">"Scope"</label>
                <select id="token-scope" name="scope">
                    <option value="read">"read — KPIs, series, matrices"</option>
                    <option value="ingest">"ingest — push tickets, orders, financials"</option>
                </select>
            </div>
            <button type="submit" class="btn btn-primary">"Create token"</button>
        </ActionForm>
        <FormAlert message=form_error(create)/>
        <Show when=move || new_token().is_some()>
            <div class="secret" role="status">
                <p>"Copy this token now: it will not be shown again."</p>
                <code data-testid="new-token">{new_token}</code>
                <p>
                    <button type="button" class="btn" on:click=|_| _ = window().location().reload()>
                        "Done"
                    </button>
                </p>
            </div>
        </Show>
    }
}

#[component]
fn TokenTable(tokens: Vec<TokenInfo>) -> impl IntoView {
    view! {
        <table class="data-table">
            <thead><tr><th>"Name"</th><th>"Scope"</th><th>"Created by"</th><th>"Created"</th><th></th></tr></thead>
            <tbody>
                {tokens
                    .into_iter()
                    .map(|t| {
                        let state = if t.revoked {
                            view! { <span class="badge bad">"Revoked"</span> }.into_any()
                        } else {
                            view! {
                                <RevokeTokenForm>
                                    <input type="hidden" name="id" value=t.id.to_string()/>
                                    <button type="submit" class="btn">"Revoke"</button>
                                </RevokeTokenForm>
                            }
                            .into_any()
                        };
                        view! {
                            <tr>
                                <td>{t.label}</td>
                                <td>{t.scope.key()}</td>
                                <td>{t.created_by}</td>
                                <td>{date_time(t.created_at)}</td>
                                <td>{state}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// Revokes one token; its fields come rendered from the server.
#[island]
fn RevokeTokenForm(children: Children) -> impl IntoView {
    let revoke = ServerAction::<RevokeToken>::new();
    reload_after_success(revoke);
    view! {
        <ActionForm action=revoke attr:class="row-form">{children()}</ActionForm>
        <FormAlert message=form_error(revoke)/>
    }
}
