//! Named column mappings, saved so the next export from the same helpdesk
//! imports without mapping it again. Changes go to the audit log. The store
//! keeps a mapping as JSON text; the import module owns its shape.

use super::users::audit;
use super::Db;
use sqlx::Row;

/// The names of the presets for one kind of record, alphabetically.
pub async fn names(db: &Db, kind: &str) -> Result<Vec<String>, sqlx::Error> {
    let rows = sqlx::query("SELECT name FROM import_presets WHERE kind = $1 ORDER BY name")
        .bind(kind.to_string())
        .fetch_all(&db.pool)
        .await?;
    rows.iter().map(|r| r.try_get("name")).collect()
}

/// The mapping saved under `name`, as JSON.
pub async fn get(db: &Db, kind: &str, name: &str) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query("SELECT mapping FROM import_presets WHERE kind = $1 AND name = $2")
        .bind(kind.to_string())
        .bind(name.to_string())
        .fetch_optional(&db.pool)
        .await?;
    row.map(|r| r.try_get("mapping")).transpose()
}

/// Creates or replaces a preset.
pub async fn save(
    db: &Db,
    kind: &str,
    name: &str,
    mapping: &str,
    actor: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let old = get(db, kind, name).await?;
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO import_presets (name, kind, mapping, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (kind, name) DO UPDATE SET mapping = excluded.mapping, updated_by = excluded.updated_by, \
         updated_at = excluded.updated_at",
    )
    .bind(name.to_string())
    .bind(kind.to_string())
    .bind(mapping.to_string())
    .bind(actor.to_string())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let entity = format!("{kind} preset {name}");
    audit(&mut tx, actor, "import preset saved", &entity, old.as_deref().unwrap_or(""), mapping, now).await?;
    tx.commit().await?;
    Ok(())
}
