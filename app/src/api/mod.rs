//! Server functions: thin — read the context, validate, call the store and
//! the KPI engine, return a typed result.

pub mod audit;
pub mod auth;
pub mod charts;
pub mod data;
pub mod gallery;
pub mod matrix;
pub mod overview;
pub mod query;
pub mod series;
pub mod tokens;
pub mod trend;
pub mod users;

#[cfg(feature = "ssr")]
pub(crate) fn db() -> Result<crate::store::Db, crate::error::AppError> {
    leptos::prelude::use_context::<crate::store::Db>().ok_or_else(|| {
        tracing::error!("no database in the Leptos context");
        crate::error::AppError::Database
    })
}

/// Runs a server function body; an error sets its HTTP status on the response.
#[cfg(feature = "ssr")]
pub(crate) async fn respond<T>(
    body: impl std::future::Future<Output = Result<T, crate::error::AppError>>,
) -> Result<T, crate::error::AppError> {
    body.await.map_err(crate::error::AppError::set_response_status)
}
