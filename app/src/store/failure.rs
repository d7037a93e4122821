//! Which database errors mean "not now" rather than "wrong": callers answer
//! them with 503 and `Retry-After`, never with a 500 or a 401.

/// No answer in time: no connection to be had (pool timeout, server down),
/// a broken link, or a lock held by another writer.
pub fn is_unavailable(e: &sqlx::Error) -> bool {
    use sqlx::Error::*;
    matches!(e, PoolTimedOut | PoolClosed | Io(_) | Tls(_) | WorkerCrashed) || is_busy(e)
}

/// Another writer holds the lock past the busy timeout: SQLite's "database
/// is locked" (SQLITE_BUSY 5, SQLITE_LOCKED 6, with their extended codes),
/// Postgres' lock timeout (55P03). On SQLite this means an import is running.
pub fn is_busy(e: &sqlx::Error) -> bool {
    let sqlx::Error::Database(db) = e else { return false };
    match db.code().as_deref() {
        Some("55P03") => true,
        // Postgres' SQLSTATE codes are five characters, some of them all
        // digits (42501, 22021): only SQLite's shorter numeric codes count.
        Some(code) if code.len() < 5 => code.parse::<i32>().is_ok_and(|c| matches!(c & 0xff, 5 | 6)),
        Some(_) => false,
        None => db.message().contains("database is locked"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pool_timeout_is_unavailable_and_a_missing_row_is_not() {
        assert!(is_unavailable(&sqlx::Error::PoolTimedOut));
        assert!(!is_unavailable(&sqlx::Error::RowNotFound));
        assert!(!is_busy(&sqlx::Error::PoolTimedOut));
    }
}
