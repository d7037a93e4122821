//! Annotations: notes, root causes and corrective actions pinned to a KPI
//! and a period, shown as markers on time charts.

use super::Db;
use sqlx::Row;

#[derive(Clone, Debug, PartialEq)]
pub struct Annotation {
    pub kpi: String,
    /// A period key such as "2025-06".
    pub period: String,
    /// "root_cause", "corrective_action" or "note".
    pub kind: String,
    pub text: String,
    pub owner: String,
    /// "open", "in_progress" or "done".
    pub status: String,
    pub author: String,
}

pub async fn add(db: &Db, a: &Annotation, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO annotations (kpi, period, kind, text, owner, status, author, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&a.kpi)
    .bind(&a.period)
    .bind(&a.kind)
    .bind(&a.text)
    .bind(&a.owner)
    .bind(&a.status)
    .bind(&a.author)
    .bind(now)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// The annotations of `kpi` in periods `first..=last` (period keys of one
/// grain sort as text), oldest first.
pub async fn of_kpi(db: &Db, kpi: &str, first: &str, last: &str) -> Result<Vec<Annotation>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT kpi, period, kind, text, owner, status, author FROM annotations \
         WHERE kpi = $1 AND period >= $2 AND period <= $3 ORDER BY period, id",
    )
    .bind(kpi.to_string())
    .bind(first.to_string())
    .bind(last.to_string())
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Annotation {
                kpi: r.try_get("kpi")?,
                period: r.try_get("period")?,
                kind: r.try_get("kind")?,
                text: r.try_get("text")?,
                owner: r.try_get("owner")?,
                status: r.try_get("status")?,
                author: r.try_get("author")?,
            })
        })
        .collect()
}

/// An annotation as a chart marks it.
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    /// A period key of any grain: "2025-06", "2025-W23", "2025-06-14".
    pub period: String,
    pub kind: String,
    pub category: String,
    pub text: String,
    pub owner: String,
    pub status: String,
    /// A done action's completion day, `YYYY-MM-DD`, or empty.
    pub completed_on: String,
}

/// The annotations of `kpi` whose period key lies in the years
/// `first_year..=last_year`: every key starts with its year, so the keys of
/// those years sort from the first year's number to before the next year's
/// (in any collation: the digits decide). The caller keeps those in its date
/// range.
pub async fn markers_in_years(
    db: &Db,
    kpi: &str,
    first_year: i32,
    last_year: i32,
) -> Result<Vec<Marker>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT period, kind, category, text, owner, status, completed_on FROM annotations \
         WHERE kpi = $1 AND period >= $2 AND period < $3 ORDER BY period, id LIMIT 1000",
    )
    .bind(kpi.to_string())
    .bind(format!("{first_year:04}"))
    .bind(format!("{:04}", last_year + 1))
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Marker {
                period: r.try_get("period")?,
                kind: r.try_get("kind")?,
                category: r.try_get("category")?,
                text: r.try_get("text")?,
                owner: r.try_get("owner")?,
                status: r.try_get("status")?,
                completed_on: r.try_get("completed_on")?,
            })
        })
        .collect()
}
