//! The HTML shell and the router.

use crate::components::layout::Layout;
use crate::pages::{not_found::NotFound, overview::OverviewPage};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, StaticSegment};

/// The document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Marks the document once WASM runs, so no-JavaScript fallbacks can hide.
    Effect::new(|_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "");
        }
    });

    view! {
        <Stylesheet id="leptos" href="/pkg/aftercare.css"/>
        <Title formatter=|text| format!("{text} · Aftercare")/>
        <Router>
            <Layout>
                <Routes fallback=NotFound>
                    // Async: the page arrives complete, numbers and charts in the HTML.
                    <Route path=StaticSegment("") view=OverviewPage ssr=SsrMode::Async/>
                </Routes>
            </Layout>
        </Router>
    }
}
