//! The audit log (admins): who changed what, when, from what to what.

use crate::api::audit::audit_log;
use crate::components::layout::PageHead;
use crate::components::states::ErrorPanel;
use crate::components::time::date_time;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// A page of 100 entries at a time, keyset on the entry id (`?cursor=` in
/// the URL), so the page stays short however long the log grows.
#[component]
pub fn AdminAuditPage() -> impl IntoView {
    let query = use_query_map();
    let cursor = move || query.read().get("cursor").filter(|c| !c.is_empty());
    let entries = Resource::new(cursor, audit_log);
    view! {
        <Title text="Audit log"/>
        <PageHead eyebrow="Administration" title="Audit log">
            "The latest changes, 100 a page; " <a href="/exports/audit.csv" download>"download the whole log as CSV"</a> "."
        </PageHead>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match entries.await {
                    Ok(page) if page.entries.is_empty() => view! { <p class="muted">"No changes recorded yet."</p> }.into_any(),
                    Ok(page) => view! {
                        <table class="data-table">
                            <thead><tr><th>"When (UTC)"</th><th>"Who"</th><th>"What"</th><th>"Item"</th><th>"Before"</th><th>"After"</th></tr></thead>
                            <tbody>
                                {page.entries.into_iter().map(|e| view! {
                                    <tr>
                                        <td>{date_time(e.at)}</td>
                                        <td>{e.actor}</td>
                                        <td>{e.action}</td>
                                        <td>{e.entity}</td>
                                        <td>{e.old_value}</td>
                                        <td>{e.new_value}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        <nav class="pager" aria-label="Pages">
                            {cursor().map(|_| view! { <a class="btn" href="/admin/audit">"Newest"</a> })}
                            <span class="muted small"></span>
                            {page.next_cursor.map(|c| view! {
                                <a class="btn btn-primary" rel="next" href=format!("/admin/audit?cursor={c}")>"Older entries"</a>
                            })}
                        </nav>
                    }.into_any(),
                    Err(e) => view! { <ErrorPanel message=e.to_string()/> }.into_any(),
                }
            })}
        </Transition>
    }
}
