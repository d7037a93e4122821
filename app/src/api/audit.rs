//! The audit log, for admins: every change to accounts, tokens and (as they
//! arrive) targets, annotations, financials and benchmarks.

use crate::error::AppError;
use crate::models::AuditEntry;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Entries per page.
pub const PAGE: i64 = 100;

/// One page of the log, newest first; `next_cursor` is absent on the last.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub next_cursor: Option<String>,
}

/// The page after entry `cursor` (an entry id from `next_cursor`), or the newest.
#[server(endpoint = "audit_log")]
pub async fn audit_log(cursor: Option<String>) -> Result<AuditPage, AppError> {
    super::respond(async move {
        let db = super::db()?;
        crate::auth::session::require(&db, crate::models::Role::Admin).await?;
        let before = super::tickets::parse_cursor(&cursor)?;
        let mut entries = crate::store::users::audit_page(&db, before, PAGE + 1).await?;
        let next_cursor = if entries.len() as i64 > PAGE {
            entries.truncate(PAGE as usize);
            entries.last().map(|e| e.id.to_string())
        } else {
            None
        };
        Ok(AuditPage { entries, next_cursor })
    })
    .await
}
