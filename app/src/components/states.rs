//! Loading, empty and error states shared by the pages.

use leptos::prelude::*;

/// Placeholder cards shown while a page's data loads.
#[component]
pub fn LoadingTiles(#[prop(default = 10)] count: usize) -> impl IntoView {
    view! {
        <div class="tiles" aria-busy="true" aria-label="Loading">
            {(0..count).map(|_| view! { <div class="tile tile-skeleton"></div> }).collect_view()}
        </div>
    }
}

/// A friendly panel for "nothing here yet".
#[component]
pub fn EmptyState(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <section class="panel empty-state">
            <h2>{title}</h2>
            <div>{children()}</div>
        </section>
    }
}

/// Shows an error the user can act on.
#[component]
pub fn ErrorPanel(message: String) -> impl IntoView {
    view! {
        <section class="panel error-state" role="alert">
            <h2>"Something went wrong"</h2>
            <p>{message}</p>
            <p><a href="/">"Back to the latest month"</a></p>
        </section>
    }
}
