//! The audit log, for admins: every change to accounts, tokens and (as they
//! arrive) targets, annotations, financials and benchmarks.

use crate::error::AppError;
use crate::models::AuditEntry;
use leptos::prelude::*;

/// The newest entries first.
#[server(endpoint = "audit_log")]
pub async fn audit_log() -> Result<Vec<AuditEntry>, AppError> {
    super::respond(async move {
        let db = super::db()?;
        crate::auth::session::require(&db, crate::models::Role::Admin).await?;
        Ok(crate::store::users::audit_entries(&db, 500).await?)
    })
    .await
}
