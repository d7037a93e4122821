//! The home page: leadership's monthly overview. The month lives in the URL
//! (`/?month=2025-03`), so a view can be shared and bookmarked.

use crate::api::overview::{get_overview, Overview};
use crate::components::kpi_tile::KpiTileView;
use crate::components::month_picker::MonthPicker;
use crate::components::states::{EmptyState, ErrorPanel, LoadingTiles};
use crate::kpi::format;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn OverviewPage() -> impl IntoView {
    let query = use_query_map();
    let month = move || query.read().get("month");
    let overview = Resource::new(month, get_overview);

    view! {
        <Title text="Monthly overview"/>
        <Transition fallback=|| view! { <LoadingTiles/> }>
            <div class="page">
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(Some(data)) => view! { <OverviewBody data/> }.into_any(),
                        Ok(None) => view! {
                            <EmptyState title="No data yet">
                                <p>"Aftercare has no tickets to report on. Load the demo data with "
                                    <code>"aftercare demo"</code>" or import your helpdesk export."</p>
                            </EmptyState>
                        }.into_any(),
                        Err(e) => view! { <ErrorPanel message=e.to_string()/> }.into_any(),
                    }
                })}
            </div>
        </Transition>
    }
}

#[component]
fn OverviewBody(data: Overview) -> impl IntoView {
    let Overview { month, label, months, previous_month, next_month, tickets, tiles } = data;
    let (csv, xlsx) =
        (format!("/exports/review.csv?month={month}"), format!("/exports/review.xlsx?month={month}"));
    view! {
        <div class="page-head">
            <div>
                <p class="eyebrow">"Monthly overview"</p>
                <h1 data-testid="month-label">{label}</h1>
                <p class="muted">{format!("{} tickets created this month", format::value(Some(tickets as f64), crate::kpi::Unit::Count))}</p>
            </div>
            <MonthPicker month months previous=previous_month next=next_month/>
        </div>
        <div class="tiles">
            {tiles.into_iter().map(|tile| view! { <KpiTileView tile/> }).collect_view()}
        </div>
        <p class="legend muted">
            "Green is better and red is worse, whichever way the KPI points; ▲▼ show the sign of each change. "
            "“—” means the month has no value (nothing to divide by)."
        </p>
        <p class="exports">
            "Download this review: "
            <a href=csv download>"CSV"</a>
            " · "
            <a href=xlsx download>"Excel workbook"</a>
        </p>
    }
}
