//! Every chart type of the kit on one page, drawn from the real data.

use crate::api::gallery::chart_gallery;
use crate::components::chart::ChartView;
use crate::components::layout::PageHead;
use crate::components::states::{EmptyState, ErrorPanel};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ChartGalleryPage() -> impl IntoView {
    let charts = Resource::new(|| (), |_| chart_gallery());
    view! {
        <Title text="Chart gallery"/>
        <PageHead eyebrow="Chart kit" title="Chart gallery">
            "Hover or tab to a point for its exact value (arrow keys step between points); every chart shows as a table and downloads as SVG, PNG or CSV; time charts zoom by dragging."
        </PageHead>
        <Transition fallback=|| view! { <p class="muted">"Drawing charts…"</p> }>
            {move || Suspend::new(async move {
                match charts.await {
                    Ok(list) if list.is_empty() => view! {
                        <EmptyState title="No data yet"><p>"Load data to see the charts."</p></EmptyState>
                    }.into_any(),
                    Ok(list) => view! {
                        <div class="chart-grid">
                            {list.into_iter().map(|chart| view! { <ChartView chart/> }).collect_view()}
                        </div>
                    }.into_any(),
                    Err(e) => view! { <ErrorPanel message=e.to_string()/> }.into_any(),
                }
            })}
        </Transition>
    }
}
