//! The variance register: root causes and corrective actions (rows of
//! `annotations`), each change kept in `annotation_history` and the audit
//! log, and the materiality threshold of each KPI.

use super::{users, Db};
use crate::models::{RegisterChange, RegisterEntry};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashMap;

const COLUMNS: &str = "id, kpi, period, scope_dim, scope_value, kind, category, text, owner, status, \
                       due_on, completed_on, author, created_at, updated_at";

fn entry(r: &AnyRow) -> Result<RegisterEntry, sqlx::Error> {
    Ok(RegisterEntry {
        id: r.try_get("id")?,
        kpi: r.try_get("kpi")?,
        period: r.try_get("period")?,
        scope_dim: r.try_get("scope_dim")?,
        scope_value: r.try_get("scope_value")?,
        kind: r.try_get("kind")?,
        category: r.try_get("category")?,
        text: r.try_get("text")?,
        owner: r.try_get("owner")?,
        status: r.try_get("status")?,
        due_on: r.try_get("due_on")?,
        completed_on: r.try_get("completed_on")?,
        author: r.try_get("author")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// "csat 2025-10 (Whole company)": how the audit log names an entry.
fn entity(e: &RegisterEntry) -> String {
    format!("{} {} ({})", e.kpi, e.period, e.scope_label())
}

async fn history(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    actor: &str,
    change: &str,
    old: &str,
    new: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO annotation_history (annotation_id, at, actor, change, old_value, new_value) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(now)
    .bind(actor.to_string())
    .bind(change.to_string())
    .bind(old.to_string())
    .bind(new.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// Saves checked entries (each one's `author` and `created_at` are the
/// change's actor and time) with their history and audit lines, in one
/// transaction; returns their ids.
pub async fn add(db: &Db, entries: &[RegisterEntry]) -> Result<Vec<i64>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let mut ids = Vec::with_capacity(entries.len());
    for e in entries {
        let id: i64 = sqlx::query(
            "INSERT INTO annotations (kpi, period, scope_dim, scope_value, kind, category, text, owner, status, \
             due_on, completed_on, author, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
        )
        .bind(e.kpi.clone())
        .bind(e.period.clone())
        .bind(e.scope_dim.clone())
        .bind(e.scope_value.clone())
        .bind(e.kind.clone())
        .bind(e.category.clone())
        .bind(e.text.clone())
        .bind(e.owner.clone())
        .bind(e.status.clone())
        .bind(e.due_on.clone())
        .bind(e.completed_on.clone())
        .bind(e.author.clone())
        .bind(e.created_at)
        .bind(e.created_at)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        history(&mut tx, id, &e.author, "created", "", &e.text, e.created_at).await?;
        let action = if e.is_action() { "action.add" } else { "root_cause.add" };
        users::audit(&mut tx, &e.author, action, &entity(e), "", &e.text, e.created_at).await?;
        ids.push(id);
    }
    tx.commit().await?;
    Ok(ids)
}

/// Sets an action's status and completion date (empty unless done); the
/// changed fields go to its history and the audit log. `None` when there
/// is no action `id`.
pub async fn set_status(
    db: &Db,
    id: i64,
    status: &str,
    completed_on: &str,
    actor: &str,
    now: i64,
) -> Result<Option<RegisterEntry>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let found = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM annotations WHERE id = $1 AND kind = 'corrective_action'"
    ))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(old) = found.as_ref().map(entry).transpose()? else { return Ok(None) };
    sqlx::query("UPDATE annotations SET status = $1, completed_on = $2, updated_at = $3 WHERE id = $4")
        .bind(status.to_string())
        .bind(completed_on.to_string())
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if old.status != status {
        history(&mut tx, id, actor, "status", &old.status, status, now).await?;
        users::audit(&mut tx, actor, "action.status", &entity(&old), &old.status, status, now).await?;
    }
    if old.completed_on != completed_on {
        history(&mut tx, id, actor, "completed_on", &old.completed_on, completed_on, now).await?;
    }
    tx.commit().await?;
    Ok(Some(RegisterEntry {
        status: status.to_string(),
        completed_on: completed_on.to_string(),
        updated_at: now,
        ..old
    }))
}

/// Which entries to list; `None` matches any.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub kpi: Option<String>,
    pub period: Option<String>,
    pub scope: Option<(String, String)>,
    /// `root_cause` or `corrective_action`.
    pub kind: Option<String>,
    pub status: Option<String>,
    pub owner: Option<String>,
}

/// Entries matching `filter`, by KPI, month (newest first) and id; at most `limit`.
pub async fn list(db: &Db, filter: &Filter, limit: i64) -> Result<Vec<RegisterEntry>, sqlx::Error> {
    let (dim, value) = filter.scope.clone().unzip();
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM annotations \
         WHERE kind IN ('root_cause', 'corrective_action') AND kpi = COALESCE($1, kpi) \
         AND period = COALESCE($2, period) AND scope_dim = COALESCE($3, scope_dim) \
         AND scope_value = COALESCE($4, scope_value) AND kind = COALESCE($5, kind) \
         AND status = COALESCE($6, status) AND owner = COALESCE($7, owner) \
         ORDER BY period DESC, kpi, id LIMIT $8"
    ))
    .bind(filter.kpi.clone())
    .bind(filter.period.clone())
    .bind(dim)
    .bind(value)
    .bind(filter.kind.clone())
    .bind(filter.status.clone())
    .bind(filter.owner.clone())
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(entry).collect()
}

/// The owners of corrective actions, alphabetically: the owner filter's choices.
pub async fn owners(db: &Db) -> Result<Vec<String>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT DISTINCT owner FROM annotations WHERE kind = 'corrective_action' AND owner <> '' \
         ORDER BY owner LIMIT 500",
    )
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(|r| r.try_get("owner")).collect()
}

/// The latest changes of one KPI's entries, newest first.
pub async fn changes(db: &Db, kpi: &str, limit: i64) -> Result<Vec<RegisterChange>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT h.annotation_id, a.kpi, h.at, h.actor, h.change, h.old_value, h.new_value \
         FROM annotation_history h JOIN annotations a ON a.id = h.annotation_id \
         WHERE a.kpi = $1 ORDER BY h.id DESC LIMIT $2",
    )
    .bind(kpi.to_string())
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(RegisterChange {
                entry_id: r.try_get("annotation_id")?,
                kpi: r.try_get("kpi")?,
                at: r.try_get("at")?,
                actor: r.try_get("actor")?,
                change: r.try_get("change")?,
                old_value: r.try_get("old_value")?,
                new_value: r.try_get("new_value")?,
            })
        })
        .collect()
}

/// The materiality of every KPI that has one set, in % of target.
pub async fn materiality(db: &Db) -> Result<HashMap<String, f64>, sqlx::Error> {
    let rows = sqlx::query("SELECT kpi, threshold_pct FROM kpi_materiality").fetch_all(&db.pool).await?;
    rows.iter().map(|r| Ok((r.try_get("kpi")?, r.try_get("threshold_pct")?))).collect()
}

/// Sets a KPI's materiality, with an audit line naming the old value.
pub async fn set_materiality(
    db: &Db,
    kpi: &str,
    threshold_pct: f64,
    actor: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    let old: Option<f64> = sqlx::query("SELECT threshold_pct FROM kpi_materiality WHERE kpi = $1")
        .bind(kpi.to_string())
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.try_get("threshold_pct"))
        .transpose()?;
    sqlx::query(
        "INSERT INTO kpi_materiality (kpi, threshold_pct, set_by, set_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (kpi) DO UPDATE SET threshold_pct = excluded.threshold_pct, set_by = excluded.set_by, \
         set_at = excluded.set_at",
    )
    .bind(kpi.to_string())
    .bind(threshold_pct)
    .bind(actor.to_string())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let old = old.map(|v| v.to_string()).unwrap_or_default();
    users::audit(&mut tx, actor, "materiality.set", kpi, &old, &threshold_pct.to_string(), now).await?;
    tx.commit().await?;
    Ok(())
}
