//! Targets by KPI, month, scope and version, each change kept in the history
//! (who, when, the value it replaced) and in the audit log.

use super::{users, Db};
use crate::models::{Target, TargetChange, TargetVersion};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashMap;

const COLUMNS: &str =
    "kpi, period, scope_dim, scope_value, version, value, tolerance_pct, set_by, set_at, note";

/// Statements that bind a nullable number are not cached: through the Any
/// driver a NULL is bound with another type than a number, and Postgres
/// refuses a number in a statement prepared for that type.
const NULLABLE_7: &str = "CAST($7 AS DOUBLE PRECISION)";

fn target(row: &AnyRow) -> Result<Target, sqlx::Error> {
    let version: String = row.try_get("version")?;
    Ok(Target {
        kpi: row.try_get("kpi")?,
        period: row.try_get("period")?,
        scope_dim: row.try_get("scope_dim")?,
        scope_value: row.try_get("scope_value")?,
        version: TargetVersion::parse(&version).unwrap_or_default(),
        value: row.try_get("value")?,
        tolerance_pct: row.try_get("tolerance_pct")?,
        set_by: row.try_get("set_by")?,
        set_at: row.try_get("set_at")?,
        note: row.try_get("note")?,
    })
}

/// Sets each target (replacing the one of the same KPI, month, scope and
/// version) in one transaction; `set_by` and `set_at` come from the caller.
/// Returns how many replaced an earlier value.
pub async fn set(db: &Db, targets: &[Target]) -> Result<usize, sqlx::Error> {
    let mut tx = db.begin().await?;
    let mut replaced = 0;
    for t in targets {
        let previous: Option<f64> = sqlx::query(
            "SELECT value FROM targets WHERE kpi = $1 AND period = $2 AND scope_dim = $3 AND scope_value = $4 \
             AND version = $5",
        )
        .bind(t.kpi.clone())
        .bind(t.period.clone())
        .bind(t.scope_dim.clone())
        .bind(t.scope_value.clone())
        .bind(t.version.key())
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.try_get("value"))
        .transpose()?;
        replaced += usize::from(previous.is_some());
        sqlx::query(&format!(
            "INSERT INTO targets ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, {NULLABLE_7}, $8, $9, $10) \
             ON CONFLICT (kpi, period, scope_dim, scope_value, version) DO UPDATE SET value = excluded.value, \
             tolerance_pct = excluded.tolerance_pct, set_by = excluded.set_by, set_at = excluded.set_at, \
             note = excluded.note"
        ))
        .persistent(false)
        .bind(t.kpi.clone())
        .bind(t.period.clone())
        .bind(t.scope_dim.clone())
        .bind(t.scope_value.clone())
        .bind(t.version.key())
        .bind(t.value)
        .bind(t.tolerance_pct)
        .bind(t.set_by.clone())
        .bind(t.set_at)
        .bind(t.note.clone())
        .execute(&mut *tx)
        .await?;
        sqlx::query(&format!(
            "INSERT INTO target_history ({COLUMNS}, previous_value) \
             VALUES ($1, $2, $3, $4, $5, $6, {NULLABLE_7}, $8, $9, $10, CAST($11 AS DOUBLE PRECISION))"
        ))
        .persistent(false)
        .bind(t.kpi.clone())
        .bind(t.period.clone())
        .bind(t.scope_dim.clone())
        .bind(t.scope_value.clone())
        .bind(t.version.key())
        .bind(t.value)
        .bind(t.tolerance_pct)
        .bind(t.set_by.clone())
        .bind(t.set_at)
        .bind(t.note.clone())
        .bind(previous)
        .execute(&mut *tx)
        .await?;
        let entity = format!("{} {} ({}, {})", t.kpi, t.period, t.scope_label(), t.version.key());
        let old = previous.map(|v| v.to_string()).unwrap_or_default();
        users::audit(&mut tx, &t.set_by, "target.set", &entity, &old, &t.value.to_string(), t.set_at).await?;
    }
    tx.commit().await?;
    Ok(replaced)
}

/// Every target of months `first..=last` (`2025-01`), of one KPI or all,
/// every scope and version, by KPI, month, scope and version.
pub async fn list(
    db: &Db,
    first_month: &str,
    last_month: &str,
    kpi: Option<&str>,
) -> Result<Vec<Target>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM targets WHERE period >= $1 AND period <= $2 AND kpi = COALESCE($3, kpi) \
         ORDER BY kpi, period, scope_dim, scope_value, version"
    ))
    .bind(first_month.to_string())
    .bind(last_month.to_string())
    .bind(kpi.map(str::to_string))
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(target).collect()
}

/// The latest changes, newest first, of one KPI or all.
pub async fn history(db: &Db, kpi: Option<&str>, limit: i64) -> Result<Vec<TargetChange>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS}, previous_value FROM target_history WHERE kpi = COALESCE($1, kpi) \
         ORDER BY set_at DESC, id DESC LIMIT $2"
    ))
    .bind(kpi.map(str::to_string))
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| Ok(TargetChange { target: target(r)?, previous_value: r.try_get("previous_value")? }))
        .collect()
}

/// The target in force for each version choice: the plan, or the
/// re-forecast where there is one and the plan elsewhere.
pub fn in_force(
    targets: &[Target],
    version: TargetVersion,
) -> HashMap<(String, String, String, String), Target> {
    let mut out: HashMap<_, Target> = HashMap::new();
    for t in targets {
        if version == TargetVersion::Plan && t.version != TargetVersion::Plan {
            continue;
        }
        let key = (t.kpi.clone(), t.period.clone(), t.scope_dim.clone(), t.scope_value.clone());
        let replaces = out.get(&key).is_none_or(|old| t.version == version && old.version != version);
        if replaces {
            out.insert(key, t.clone());
        }
    }
    out
}

/// Company-wide targets in force of the given months: (kpi key, month) →
/// value; the re-forecast where there is one, else the plan.
pub async fn company(
    db: &Db,
    first_month: &str,
    last_month: &str,
) -> Result<HashMap<(String, String), f64>, sqlx::Error> {
    let all = list(db, first_month, last_month, None).await?;
    Ok(in_force(&all, TargetVersion::Reforecast)
        .into_iter()
        .filter(|((_, _, dim, _), _)| dim.is_empty())
        .map(|((kpi, period, _, _), t)| ((kpi, period), t.value))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(version: TargetVersion, value: f64) -> Target {
        Target {
            kpi: "csat".into(),
            period: "2025-10".into(),
            scope_dim: String::new(),
            scope_value: String::new(),
            version,
            value,
            tolerance_pct: None,
            set_by: "ana".into(),
            set_at: 0,
            note: String::new(),
        }
    }

    #[test]
    fn a_reforecast_replaces_the_plan_only_when_asked_for() {
        let both = [t(TargetVersion::Reforecast, 78.0), t(TargetVersion::Plan, 80.0)];
        let value = |v| in_force(&both, v).values().next().map(|t| t.value);
        assert_eq!(value(TargetVersion::Plan), Some(80.0));
        assert_eq!(value(TargetVersion::Reforecast), Some(78.0));
        let plan_only = [t(TargetVersion::Plan, 80.0)];
        assert_eq!(
            in_force(&plan_only, TargetVersion::Reforecast).values().next().map(|t| t.value),
            Some(80.0)
        );
    }
}
