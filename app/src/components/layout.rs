//! The app frame: header with the product name, navigation between screens,
//! and the main content area.

use leptos::prelude::*;
use leptos_router::components::A;

/// The screens of Aftercare; `live` ones have a page, the others are
/// announced in the navigation but not yet linked.
const SCREENS: &[(&str, &str, bool)] = &[
    ("/", "Overview", true),
    ("/variance", "Variance", false),
    ("/trends", "Trends", false),
    ("/matrix", "Matrix", false),
    ("/finance", "Finance", false),
    ("/benchmarks", "Benchmarks", false),
    ("/targets", "Targets", false),
    ("/data", "Data", false),
];

/// Wraps every page in the header and navigation.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    view! {
        <div class="app">
            <header class="topbar">
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true">"A"</span>
                    <span class="brand-name">"Aftercare"</span>
                </a>
                <nav class="nav" aria-label="Screens">
                    <ul>
                        {SCREENS
                            .iter()
                            .map(|(href, label, live)| {
                                if *live {
                                    view! {
                                        <li>
                                            <A href=*href exact=true>{*label}</A>
                                        </li>
                                    }
                                        .into_any()
                                } else {
                                    view! {
                                        <li>
                                            <span class="nav-soon" aria-disabled="true" title="Coming in a next release">
                                                {*label}
                                            </span>
                                        </li>
                                    }
                                        .into_any()
                                }
                            })
                            .collect_view()}
                    </ul>
                </nav>
            </header>
            <main class="content">{children()}</main>
            <footer class="footer">"Aftercare · post-purchase support analytics"</footer>
        </div>
    }
}
