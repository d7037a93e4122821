//! The HTML shell and the router.

use crate::components::layout::Layout;
use crate::pages::actions::ActionsPage;
use crate::pages::admin_audit::AdminAuditPage;
use crate::pages::admin_tokens::AdminTokensPage;
use crate::pages::admin_users::AdminUsersPage;
use crate::pages::chart_gallery::ChartGalleryPage;
use crate::pages::data::DataPage;
use crate::pages::docs::DocsPage;
use crate::pages::matrix::MatrixPage;
use crate::pages::matrix_tickets::MatrixTicketsPage;
use crate::pages::targets::TargetsPage;
use crate::pages::trends::TrendsPage;
use crate::pages::variance::VariancePage;
use crate::pages::{login::LoginPage, not_found::NotFound, overview::OverviewPage, setup::SetupPage};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode, StaticSegment};

/// The document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// A Content-Security-Policy whose only inline scripts are the ones Leptos
/// marks with this response's nonce; WASM may compile, nothing may frame us.
#[cfg(feature = "ssr")]
fn set_content_security_policy() {
    let (Some(nonce), Some(response)) =
        (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>())
    else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'self'; \
         form-action 'self'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Stylesheet id="leptos" href="/pkg/aftercare.css"/>
        <Title formatter=|text| format!("{text} · Aftercare")/>
        <Router>
            <Layout>
                <Routes fallback=NotFound>
                    // Async: the page arrives complete, numbers and charts in the HTML.
                    <Route path=StaticSegment("") view=OverviewPage ssr=SsrMode::Async/>
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("/setup") view=SetupPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/users") view=AdminUsersPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/tokens") view=AdminTokensPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/audit") view=AdminAuditPage ssr=SsrMode::Async/>
                    <Route path=path!("/charts") view=ChartGalleryPage ssr=SsrMode::Async/>
                    <Route path=path!("/data") view=DataPage ssr=SsrMode::Async/>
                    <Route path=path!("/trends") view=TrendsPage ssr=SsrMode::Async/>
                    <Route path=path!("/variance") view=VariancePage ssr=SsrMode::Async/>
                    <Route path=path!("/matrix") view=MatrixPage ssr=SsrMode::Async/>
                    <Route path=path!("/matrix/tickets") view=MatrixTicketsPage ssr=SsrMode::Async/>
                    <Route path=path!("/targets") view=TargetsPage ssr=SsrMode::Async/>
                    <Route path=path!("/actions") view=ActionsPage ssr=SsrMode::Async/>
                    <Route path=path!("/docs") view=DocsPage/>
                </Routes>
            </Layout>
        </Router>
    }
}
