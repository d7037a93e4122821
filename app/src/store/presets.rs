//! Named column mappings, saved so the next export from the same helpdesk
//! imports without mapping it again. Changes go to the audit log.

use super::users::audit;
use super::Db;
use crate::import::{Kind, Mapping};
use sqlx::Row;

/// The names of the presets for one kind of record, alphabetically.
pub async fn names(db: &Db, kind: Kind) -> Result<Vec<String>, sqlx::Error> {
    let rows = sqlx::query("SELECT name FROM import_presets WHERE kind = $1 ORDER BY name")
        .bind(kind.key())
        .fetch_all(&db.pool)
        .await?;
    rows.iter().map(|r| r.try_get("name")).collect()
}

pub async fn get(db: &Db, kind: Kind, name: &str) -> Result<Option<Mapping>, sqlx::Error> {
    let row = sqlx::query("SELECT mapping FROM import_presets WHERE kind = $1 AND name = $2")
        .bind(kind.key())
        .bind(name.to_string())
        .fetch_optional(&db.pool)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let text: String = row.try_get("mapping")?;
    serde_json::from_str(&text).map(Some).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

/// Creates or replaces a preset.
pub async fn save(
    db: &Db,
    kind: Kind,
    name: &str,
    mapping: &Mapping,
    actor: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let text = serde_json::to_string(mapping).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let old = get(db, kind, name).await?.map(|m| serde_json::to_string(&m).unwrap_or_default());
    let mut tx = db.pool.begin().await?;
    sqlx::query(
        "INSERT INTO import_presets (name, kind, mapping, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (kind, name) DO UPDATE SET mapping = excluded.mapping, updated_by = excluded.updated_by, \
         updated_at = excluded.updated_at",
    )
    .bind(name.to_string())
    .bind(kind.key())
    .bind(text.clone())
    .bind(actor.to_string())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let entity = format!("{} preset {name}", kind.key());
    audit(&mut tx, actor, "import preset saved", &entity, old.as_deref().unwrap_or(""), &text, now).await?;
    tx.commit().await?;
    Ok(())
}
