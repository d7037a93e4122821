//! The axum application: Leptos pages and server functions, static files,
//! the REST API, request guards, compression and security headers.

mod api_v1;
mod cache;
mod exports;
pub mod guard;
mod import;
mod server_fns;
pub mod spool;
pub mod ticket_csv;

use app::auth::client::TrustedProxies;
use app::store::Db;
use app::{shell, App};
use axum::http::{header, HeaderValue};
use axum::{middleware, Router};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::net::SocketAddr;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// Request bodies above this are refused (imports have their own limit).
const BODY_LIMIT_BYTES: usize = 1024 * 1024;

/// Builds the whole application around one database handle. With
/// `secure_cookies` (served over TLS) browsers are told to keep to HTTPS.
pub fn router(db: Db, options: LeptosOptions, secure_cookies: bool) -> Router {
    router_behind(db, options, secure_cookies, TrustedProxies::default())
}

/// [`router`] behind reverse proxies whose `X-Forwarded-For` names the client.
pub fn router_behind(
    db: Db,
    options: LeptosOptions,
    secure_cookies: bool,
    proxies: TrustedProxies,
) -> Router {
    let routes = generate_route_list(App);
    let pkg_dir = std::path::Path::new(&*options.site_root).join(&*options.site_pkg_dir);
    // Unhashed file names: browsers revalidate (Last-Modified → 304) instead of guessing.
    let pkg = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .service(ServeDir::new(pkg_dir));
    let context_db = db.clone();
    let app = Router::new()
        .leptos_routes_with_context(
            &options,
            routes,
            move || {
                provide_context(context_db.clone());
                provide_context(proxies.clone());
            },
            {
                let options = options.clone();
                move || shell(options.clone())
            },
        )
        .nest_service(&format!("/{}", options.site_pkg_dir), pkg)
        .fallback(leptos_axum::file_and_error_handler(shell))
        .with_state(options)
        .nest("/api/v1", api_v1::routes(db.clone()))
        .merge(exports::routes(db.clone()))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES))
        // Imports stream large files to disk under their own limit.
        .merge(import::routes(db.clone()))
        .layer(middleware::from_fn(server_fns::error_status))
        .layer(middleware::from_fn_with_state(guard::PageGuard::new(db), guard::require_session))
        .layer(middleware::from_fn(guard::reject_cross_site))
        .layer(middleware::from_fn(guard::reject_dot_segments))
        .layer(catch_panics())
        .layer(middleware::from_fn(cache::no_store))
        .layer(CompressionLayer::new())
        .layer(header_layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header_layer(header::REFERRER_POLICY, "same-origin"))
        .layer(header_layer(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header_layer(
            header::CONTENT_SECURITY_POLICY,
            // Pages replace this with a policy that carries their script nonce.
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
             img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'self'; \
             form-action 'self'",
        ));
    if secure_cookies {
        app.layer(header_layer(header::STRICT_TRANSPORT_SECURITY, cache::HSTS))
    } else {
        app
    }
}

/// Turns a panic in any handler into a logged 500 with a plain message, so a
/// bug answers the request instead of dropping the connection.
pub fn catch_panics() -> CatchPanicLayer<fn(Box<dyn std::any::Any + Send>) -> axum::response::Response> {
    CatchPanicLayer::custom(panic_response)
}

fn panic_response(panic: Box<dyn std::any::Any + Send>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message");
    tracing::error!(panic = message, "a request panicked");
    let body = axum::Json(serde_json::json!({ "error": "internal error" }));
    (axum::http::StatusCode::INTERNAL_SERVER_ERROR, body).into_response()
}

fn header_layer(name: header::HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// Serves until Ctrl-C or SIGTERM, then lets requests in flight finish.
pub async fn serve(app: Router, addr: SocketAddr) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| match e.kind() {
        std::io::ErrorKind::AddrInUse => format!(
            "{addr} is already in use: stop the program that holds it, or choose another address with LEPTOS_SITE_ADDR=127.0.0.1:3001"
        ),
        _ => format!("cannot listen on {addr}: {e}"),
    })?;
    tracing::info!("Aftercare is serving http://{addr}");
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| format!("server error: {e}"))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
