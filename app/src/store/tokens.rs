//! API tokens: only their SHA-256 hash is stored.

use super::{users, Db};
use crate::models::{TokenInfo, TokenScope};
use crate::secrets::{new_token, token_hash};
use sqlx::Row;

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Creates a token and returns its secret, which is not kept.
pub async fn create(db: &Db, actor: &str, label: &str, scope: TokenScope) -> Result<String, sqlx::Error> {
    let token = new_token("ac_");
    let mut tx = db.begin().await?;
    sqlx::query("INSERT INTO api_tokens (token_hash, scope, label, created_by, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(token_hash(&token))
        .bind(scope.key().to_string())
        .bind(label.to_string())
        .bind(actor.to_string())
        .bind(now())
        .execute(&mut *tx)
        .await?;
    users::audit(&mut tx, actor, "token.create", label, "", scope.key(), now()).await?;
    tx.commit().await?;
    Ok(token)
}

pub async fn revoke(db: &Db, actor: &str, id: i64) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    let label: Option<String> =
        sqlx::query("SELECT label FROM api_tokens WHERE id = $1 AND revoked_at IS NULL")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get("label"))
            .transpose()?;
    if let Some(label) = label {
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2")
            .bind(now())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        users::audit(&mut tx, actor, "token.revoke", &label, "active", "revoked", now()).await?;
    }
    tx.commit().await
}

pub async fn list(db: &Db) -> Result<Vec<TokenInfo>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, label, scope, created_by, created_at, revoked_at FROM api_tokens ORDER BY id DESC",
    )
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            let scope: String = r.try_get("scope")?;
            Ok(TokenInfo {
                id: r.try_get("id")?,
                label: r.try_get("label")?,
                scope: TokenScope::parse(&scope).unwrap_or(TokenScope::Read),
                created_by: r.try_get("created_by")?,
                created_at: r.try_get("created_at")?,
                revoked: r.try_get::<Option<i64>, _>("revoked_at")?.is_some(),
            })
        })
        .collect()
}

/// The scope of a valid, unrevoked token.
pub async fn scope_of(db: &Db, token: &str) -> Result<Option<TokenScope>, sqlx::Error> {
    let row = sqlx::query("SELECT scope FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL")
        .bind(token_hash(token))
        .fetch_optional(&db.pool)
        .await?;
    Ok(row.and_then(|r| r.try_get::<String, _>("scope").ok()).and_then(|s| TokenScope::parse(&s)))
}
