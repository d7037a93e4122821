//! API tokens (admins): create one for a script, see it once, revoke it.
//! The list and its revoke buttons are plain server-rendered HTML; creating
//! a token is an island, since the token is shown once, in place.

use crate::api::tokens::{create_token, list_tokens, CreateToken, RevokeToken};
use crate::components::form::{
    field_error, form_error, reload, submit, url_error, Field, FormAlert, FormFields,
};
use crate::components::layout::PageHead;
use crate::components::states::ErrorPanel;
use crate::components::time::date_time;
use crate::error::AppError;
use crate::models::TokenInfo;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

#[component]
pub fn AdminTokensPage() -> impl IntoView {
    let tokens = Resource::new(|| (), |_| list_tokens());
    let (create_failed, revoke_failed) = (url_error(CreateToken::PATH), url_error(RevokeToken::PATH));
    view! {
        <Title text="API tokens"/>
        <PageHead eyebrow="Administration" title="API tokens">
            "Scripts use a token as " <code>"Authorization: Bearer …"</code> " on " <code>"/api/v1"</code> "."
        </PageHead>
        <section class="panel form-panel">
            <h2>"Create a token"</h2>
            <CreateTokenForm failed=create_failed/>
        </section>
        <FormAlert message=revoke_failed.map(|e| e.to_string())/>
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
fn CreateTokenForm(failed: Option<AppError>) -> impl IntoView {
    let (error, pending) = (RwSignal::new(failed), RwSignal::new(false));
    let new_token = RwSignal::new(None::<String>);
    let send = |f: FormFields| create_token(f.get("label"), f.get("scope"));
    view! {
        <form class="inline-form" action=CreateToken::PATH method="post" on:submit=submit(error, pending, send, move |t| new_token.set(Some(t)))>
            <Field label="Name" name="label" required=true error=field_error(error, "label")/>
            <div class="field">
                <label for="token-scope">"Scope"</label>
                <select id="token-scope" name="scope">
                    <option value="read">"read — KPIs, series, matrices"</option>
                    <option value="ingest">"ingest — push tickets, orders, financials"</option>
                    <option value="write">"write — set targets"</option>
                </select>
            </div>
            <button type="submit" class="btn btn-primary" disabled=move || pending.get()>"Create token"</button>
        </form>
        <FormAlert message=form_error(error)/>
        {move || new_token.get().map(|token| view! {
            <div class="secret" role="status">
                <p>"Copy this token now: it will not be shown again."</p>
                <code data-testid="new-token">{token}</code>
                <p><button type="button" class="btn" on:click=|_| reload()>"Done"</button></p>
            </div>
        })}
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
                                <form class="row-form" action=RevokeToken::PATH method="post">
                                    <input type="hidden" name="id" value=t.id.to_string()/>
                                    <button type="submit" class="btn">"Revoke"</button>
                                </form>
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
