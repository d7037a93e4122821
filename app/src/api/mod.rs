//! One module per analysis (typed query, typed result, an ssr `load` and a
//! thin server function that the page calls; REST routes, exports and tests
//! call the same `load`), plus the server functions of accounts and imports.

pub mod audit;
pub mod auth;
pub mod charts;
pub mod data;
pub mod early_warning;
pub mod events;
pub mod gallery;
#[cfg(feature = "ssr")]
pub mod markers;
pub mod matrix;
pub mod overview;
pub mod query;
pub mod register;
pub mod series;
pub mod target_plan;
pub mod targets;
pub mod tickets;
pub mod tokens;
pub mod trend;
pub mod users;
pub mod variance;

#[cfg(feature = "ssr")]
pub(crate) fn db() -> Result<crate::store::Db, crate::error::AppError> {
    leptos::prelude::use_context::<crate::store::Db>().ok_or_else(|| {
        tracing::error!("no database in the Leptos context");
        crate::error::AppError::Database
    })
}

/// The body of a dashboard's server function: a signed-in viewer, then `read`.
#[cfg(feature = "ssr")]
pub(crate) async fn for_viewer<T, Fut>(
    read: impl FnOnce(crate::store::Db) -> Fut,
) -> Result<T, crate::error::AppError>
where
    Fut: std::future::Future<Output = Result<T, crate::error::AppError>>,
{
    respond(async move {
        let db = db()?;
        crate::auth::session::require(&db, crate::models::Role::Viewer).await?;
        read(db).await
    })
    .await
}

/// Runs a server function body; an error sets its HTTP status on the
/// response — except for a plain form post, whose error goes back to the page
/// in a redirect (`?__err=…`) that the status must not replace.
#[cfg(feature = "ssr")]
pub(crate) async fn respond<T>(
    body: impl std::future::Future<Output = Result<T, crate::error::AppError>>,
) -> Result<T, crate::error::AppError> {
    body.await.map_err(|e| if from_plain_form() { e } else { e.set_response_status() })
}

/// A server function called by an HTML form without JavaScript: the browser
/// posted to `/api/…` and asks for a page back.
#[cfg(feature = "ssr")]
fn from_plain_form() -> bool {
    leptos::prelude::use_context::<http::request::Parts>().is_some_and(|request| {
        let html = request.headers.get(http::header::ACCEPT).and_then(|a| a.to_str().ok());
        request.uri.path().starts_with("/api/") && html.is_some_and(|a| a.contains("text/html"))
    })
}
