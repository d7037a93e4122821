//! API tokens for scripts: created by admins, shown once, stored hashed,
//! revocable.

use crate::error::AppError;
use crate::models::TokenInfo;
use leptos::prelude::*;

#[server(endpoint = "list_tokens")]
pub async fn list_tokens() -> Result<Vec<TokenInfo>, AppError> {
    super::respond(async move {
        let db = super::db()?;
        crate::auth::session::require(&db, crate::models::Role::Admin).await?;
        Ok(crate::store::tokens::list(&db).await?)
    })
    .await
}

/// Returns the new token: the only time it is shown.
#[server(endpoint = "create_token")]
pub async fn create_token(label: String, scope: String) -> Result<String, AppError> {
    super::respond(async move {
        let db = super::db()?;
        let admin = crate::auth::session::require(&db, crate::models::Role::Admin).await?;
        let scope = crate::models::TokenScope::parse(&scope)
            .ok_or_else(|| AppError::invalid("scope", "Choose read, ingest or write."))?;
        let label = label.trim();
        if label.is_empty() || label.chars().count() > 80 {
            return Err(AppError::invalid(
                "label",
                "Name the token (up to 80 characters), e.g. 'nightly import'.",
            ));
        }
        Ok(crate::store::tokens::create(&db, &admin.username, label, scope).await?)
    })
    .await
}

#[server(endpoint = "revoke_token")]
pub async fn revoke_token(id: i64) -> Result<(), AppError> {
    super::respond(async move {
        let db = super::db()?;
        let admin = crate::auth::session::require(&db, crate::models::Role::Admin).await?;
        Ok(crate::store::tokens::revoke(&db, &admin.username, id).await?)
    })
    .await
}
