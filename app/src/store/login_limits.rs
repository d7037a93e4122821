//! Sign-in limits, one row per key (an account at an address, or an
//! address). Counting an attempt and reading the count is one statement, so
//! parallel attempts cannot all pass the check (issue 16 F4): each gets its
//! own number, and only the first `max` of a period are evaluated.
//!
//! A period starts with the first attempt after the last one ended. When a
//! period went over the limit, the next one is longer (2, 3, then 4 times
//! `period`): a slowing-down rather than a fixed lock.

use super::Db;
use sqlx::Row;

/// The count of a key after taking one attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Count {
    pub attempts: i64,
    /// When the count starts again from zero (epoch seconds).
    pub period_end: i64,
}

/// Counts one attempt against `key`, returning the count including it.
pub async fn take(db: &Db, key: &str, now: i64, max: i64, period: i64) -> Result<Count, sqlx::Error> {
    let row = sqlx::query(
        "INSERT INTO login_limits (key, attempts, period_end, strikes) VALUES ($1, 1, $2 + $4, 0) \
         ON CONFLICT (key) DO UPDATE SET \
           attempts = CASE WHEN login_limits.period_end > $2 THEN login_limits.attempts + 1 ELSE 1 END, \
           strikes = CASE WHEN login_limits.period_end > $2 THEN login_limits.strikes \
                          WHEN login_limits.attempts > $3 THEN login_limits.strikes + 1 ELSE 0 END, \
           period_end = CASE WHEN login_limits.period_end > $2 THEN login_limits.period_end \
                          WHEN login_limits.attempts <= $3 THEN $2 + $4 \
                          WHEN login_limits.strikes < 2 THEN $2 + $4 * (login_limits.strikes + 2) \
                          ELSE $2 + $4 * 4 END \
         RETURNING attempts, period_end",
    )
    .bind(key.to_string())
    .bind(now)
    .bind(max)
    .bind(period)
    .fetch_one(&db.pool)
    .await?;
    Ok(Count { attempts: row.try_get("attempts")?, period_end: row.try_get("period_end")? })
}

/// Takes back an attempt that succeeded, so only failures use up the limit.
pub async fn give_back(db: &Db, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE login_limits SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0")
        .bind(key.to_string())
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Forgets a key: a correct password proves the account's owner is here.
pub async fn clear(db: &Db, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_limits WHERE key = $1").bind(key.to_string()).execute(&db.pool).await?;
    Ok(())
}

/// Drops keys whose period ended more than a day ago.
pub async fn prune(db: &Db, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_limits WHERE period_end < $1")
        .bind(now - 86_400)
        .execute(&db.pool)
        .await?;
    Ok(())
}
