//! The audit log (admins): who changed what, when, from what to what.

use crate::api::audit::audit_log;
use crate::components::layout::PageHead;
use crate::components::states::ErrorPanel;
use crate::components::time::date_time;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminAuditPage() -> impl IntoView {
    let entries = Resource::new(|| (), |_| audit_log());
    view! {
        <Title text="Audit log"/>
        <PageHead eyebrow="Administration" title="Audit log">
            "The latest 500 changes; " <a href="/exports/audit.csv" download>"download the whole log as CSV"</a> "."
        </PageHead>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match entries.await {
                    Ok(list) if list.is_empty() => view! { <p class="muted">"No changes recorded yet."</p> }.into_any(),
                    Ok(list) => view! {
                        <table class="data-table">
                            <thead><tr><th>"When (UTC)"</th><th>"Who"</th><th>"What"</th><th>"Item"</th><th>"Before"</th><th>"After"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|e| view! {
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
                    }.into_any(),
                    Err(e) => view! { <ErrorPanel message=e.to_string()/> }.into_any(),
                }
            })}
        </Transition>
    }
}
