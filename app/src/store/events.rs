//! Business events: promotions, outages, releases, price changes — date
//! ranges that every time chart marks.

use super::Db;
use sqlx::Row;

#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// promotion, outage, release, price_change or other.
    pub kind: String,
    pub title: String,
    /// First and last day, `YYYY-MM-DD`.
    pub starts_on: String,
    pub ends_on: String,
    pub author: String,
}

/// Saves the events in one transaction. An event of the same kind, title
/// and first day is updated, so importing the same file twice changes
/// nothing. Returns how many were new.
pub async fn save(db: &Db, events: &[Event], now: i64) -> Result<usize, sqlx::Error> {
    let mut tx = db.begin().await?;
    let mut new = 0;
    for e in events {
        let known = sqlx::query("SELECT id FROM events WHERE kind = $1 AND title = $2 AND starts_on = $3")
            .bind(e.kind.clone())
            .bind(e.title.clone())
            .bind(e.starts_on.clone())
            .fetch_optional(&mut *tx)
            .await?;
        new += usize::from(known.is_none());
        sqlx::query(
            "INSERT INTO events (kind, title, starts_on, ends_on, author, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (kind, title, starts_on) DO UPDATE SET ends_on = excluded.ends_on",
        )
        .bind(e.kind.clone())
        .bind(e.title.clone())
        .bind(e.starts_on.clone())
        .bind(e.ends_on.clone())
        .bind(e.author.clone())
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(new)
}

/// The events that overlap the days `first..=last` (`YYYY-MM-DD` sorts as
/// text), earliest first.
pub async fn overlapping(db: &Db, first: &str, last: &str) -> Result<Vec<Event>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT kind, title, starts_on, ends_on, author FROM events \
         WHERE starts_on <= $1 AND ends_on >= $2 ORDER BY starts_on, id LIMIT 500",
    )
    .bind(last.to_string())
    .bind(first.to_string())
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Event {
                kind: r.try_get("kind")?,
                title: r.try_get("title")?,
                starts_on: r.try_get("starts_on")?,
                ends_on: r.try_get("ends_on")?,
                author: r.try_get("author")?,
            })
        })
        .collect()
}
