//! Server functions: thin — read the context, validate, call the store and
//! the KPI engine, return a typed result.

pub mod overview;

#[cfg(feature = "ssr")]
pub(crate) fn db() -> Result<crate::store::Db, crate::error::AppError> {
    leptos::prelude::use_context::<crate::store::Db>().ok_or_else(|| {
        tracing::error!("no database in the Leptos context");
        crate::error::AppError::Database
    })
}
