//! Rollup reads kept in the process between requests, one entry per
//! bucket (a day, week, month, quarter or year of the rollup): dashboards
//! ask for the same periods again and again, and reading and decoding
//! their rows (their sketches above all) was most of a long range's cost.
//! A read takes the buckets it finds here and reads only the others, in one
//! statement.
//!
//! The entries belong to a data version kept in the database (the one row
//! of `data_version`). Each transaction that rewrites the cube or the
//! dimension rollup adds one to it and logs the days it rewrote
//! (`data_changes`). Every cached read first reads the version (one row by
//! primary key); when it has moved, the entries of the logged days are
//! dropped and the rest kept. So a change committed through any server or
//! the CLI is in the next answer of every server on the same database, and
//! a ticket posted today leaves last year's buckets cached. The cache is
//! bounded in bytes; the oldest entries leave first.

use super::cube::Level;
use super::Db;
use sqlx::{AnyConnection, Row};
use std::any::Any;
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};

/// Bytes of reads a process keeps at most.
const CAPACITY_BYTES: usize = 32 << 20;

/// Changes kept in the log: a server further behind than this drops all it keeps.
const LOGGED_CHANGES: i64 = 1_000;

/// One bucket of one kind of read.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    read: &'static str,
    /// Everything else the read depends on: its filters, dimensions and sketches.
    params: Arc<str>,
    level: Level,
    bucket: i64,
}

struct Entry {
    rows: Arc<dyn Any + Send + Sync>,
    bytes: usize,
    /// The days the bucket covers: a change on any of them drops it.
    days: (i64, i64),
    /// When it was kept, to tell it from a later entry of the same key.
    serial: u64,
}

/// The reads kept for one data version.
#[derive(Default)]
pub struct ReadCache {
    entries: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    version: i64,
    by_key: HashMap<Key, Entry>,
    oldest_first: VecDeque<(Key, u64)>,
    bytes: usize,
    serial: u64,
}

impl std::fmt::Debug for ReadCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReadCache")
    }
}

impl ReadCache {
    /// A lock poisoned by a panic elsewhere still holds consistent entries.
    fn lock(&self) -> MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(super) fn forget(&self) {
        let mut entries = self.lock();
        *entries = Entries { version: entries.version, ..Entries::default() };
    }

    fn version(&self) -> i64 {
        self.lock().version
    }

    /// Moves the entries to `version`, given the changes logged after
    /// `from` up to it as (version, first day, last day).
    fn advance(&self, from: i64, version: i64, changes: &[(i64, i64, i64)]) {
        let mut entries = self.lock();
        if version < from {
            // The database went back (restored from a backup): nothing kept fits it.
            *entries = Entries { version, ..Entries::default() };
            return;
        }
        if entries.version >= version {
            return;
        }
        let since = entries.version;
        let changes: Vec<(i64, i64)> =
            changes.iter().filter(|(v, _, _)| *v > since).map(|&(_, first, last)| (first, last)).collect();
        if since < from || changes.len() as i64 != version - since {
            // The log no longer covers every change since the entries were read.
            *entries = Entries { version, ..Entries::default() };
            return;
        }
        let mut freed = 0;
        entries.by_key.retain(|_, entry| {
            let changed = changes.iter().any(|&(first, last)| first <= entry.days.1 && entry.days.0 <= last);
            if changed {
                freed += entry.bytes;
            }
            !changed
        });
        entries.bytes -= freed;
        entries.version = version;
    }

    fn get(&self, version: i64, keys: &[Key]) -> Vec<Option<Arc<dyn Any + Send + Sync>>> {
        let entries = self.lock();
        keys.iter()
            .map(|key| {
                let entry = entries.by_key.get(key).filter(|_| entries.version == version)?;
                Some(entry.rows.clone())
            })
            .collect()
    }

    fn put(&self, version: i64, key: Key, days: (i64, i64), rows: Arc<dyn Any + Send + Sync>, bytes: usize) {
        let mut entries = self.lock();
        // A read that began before a newer version was seen may hold older data.
        if entries.version != version || bytes > CAPACITY_BYTES / 4 {
            return;
        }
        while entries.bytes + bytes > CAPACITY_BYTES {
            let Some((oldest, serial)) = entries.oldest_first.pop_front() else { break };
            if entries.by_key.get(&oldest).is_some_and(|e| e.serial == serial) {
                let freed = entries.by_key.remove(&oldest).map_or(0, |e| e.bytes);
                entries.bytes -= freed;
            }
        }
        entries.serial += 1;
        let serial = entries.serial;
        if let Some(replaced) = entries.by_key.insert(key.clone(), Entry { rows, bytes, days, serial }) {
            entries.bytes -= replaced.bytes;
        }
        entries.bytes += bytes;
        entries.oldest_first.push_back((key, serial));
        // Entries dropped by a change leave their place in the queue behind.
        if entries.oldest_first.len() > 2 * entries.by_key.len() + 64 {
            let Entries { by_key, oldest_first, .. } = &mut *entries;
            oldest_first.retain(|(key, serial)| by_key.get(key).is_some_and(|e| e.serial == *serial));
        }
    }
}

/// Marks the rollups of days `first..=last` changed, inside the transaction
/// that changes them.
pub(super) async fn bump(conn: &mut AnyConnection, (first, last): (i64, i64)) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE data_version SET version = version + 1 WHERE id = 1").execute(&mut *conn).await?;
    sqlx::query(
        "INSERT INTO data_changes (version, first_day, last_day) \
         SELECT version, $1, $2 FROM data_version WHERE id = 1",
    )
    .bind(first)
    .bind(last)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "DELETE FROM data_changes WHERE version <= (SELECT version FROM data_version WHERE id = 1) - $1",
    )
    .bind(LOGGED_CHANGES)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Every day: what a rebuild of the whole rollup changes.
pub(super) const ALL_DAYS: (i64, i64) = (i64::MIN, i64::MAX);

/// The data version as committed now, the cache moved to it.
async fn current(db: &Db) -> Result<i64, sqlx::Error> {
    let version: i64 = sqlx::query("SELECT version FROM data_version WHERE id = 1")
        .fetch_one(&db.pool)
        .await?
        .try_get("version")?;
    let known = db.reads.version();
    if version < known {
        db.reads.advance(known, version, &[]);
    } else if version > known {
        let changes = sqlx::query(
            "SELECT version, first_day, last_day FROM data_changes WHERE version > $1 AND version <= $2",
        )
        .bind(known)
        .bind(version)
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("version")?, r.try_get("first_day")?, r.try_get("last_day")?)))
        .collect::<Result<Vec<(i64, i64, i64)>, sqlx::Error>>()?;
        db.reads.advance(known, version, &changes);
    }
    Ok(version)
}

/// The rows of `spans` (each a level and its first and last bucket), bucket
/// by bucket in the order of `spans`: those kept for the current data from
/// the cache, the others from `fetch`, called once with the spans left to
/// read. `read` names the kind of read and `params` what else its rows
/// depend on; `bucket_of` gives a row's bucket (its first day) and
/// `bytes_of` what it holds in memory.
pub(super) async fn by_bucket<T, Fut>(
    db: &Db,
    (read, params): (&'static str, String),
    spans: &[(Level, i64, i64)],
    bucket_of: impl Fn(&T) -> i64,
    bytes_of: impl Fn(&T) -> usize,
    fetch: impl FnOnce(Vec<(Level, i64, i64)>) -> Fut,
) -> Result<Vec<T>, sqlx::Error>
where
    T: Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<Vec<T>, sqlx::Error>>,
{
    // The version is read before the data: data read after it is at least
    // as new, so an entry never holds data older than its version.
    let version = current(db).await?;
    let params: Arc<str> = params.into();
    let keys: Vec<Key> = spans
        .iter()
        .flat_map(|&(level, first, last)| {
            std::iter::successors(Some(first), move |&b| Some(level.last(b) + 1).filter(|&n| n <= last))
                .map(move |bucket| (level, bucket))
        })
        .map(|(level, bucket)| Key { read, params: params.clone(), level, bucket })
        .collect();
    let mut found: Vec<Option<Arc<Vec<T>>>> =
        db.reads.get(version, &keys).into_iter().map(|rows| rows.and_then(|r| r.downcast().ok())).collect();

    let missing: Vec<usize> = (0..keys.len()).filter(|&i| found[i].is_none()).collect();
    if !missing.is_empty() {
        // Consecutive buckets of a level read as one span.
        let mut to_read: Vec<(Level, i64, i64)> = Vec::new();
        for &i in &missing {
            let Key { level, bucket, .. } = keys[i];
            match to_read.last_mut() {
                Some((l, _, last)) if *l == level && level.last(*last) + 1 == bucket => *last = bucket,
                _ => to_read.push((level, bucket, bucket)),
            }
        }
        // The spans cover different days, so a bucket's first day names it.
        let mut read_rows: HashMap<i64, Vec<T>> =
            missing.iter().map(|&i| (keys[i].bucket, Vec::new())).collect();
        for row in fetch(to_read).await? {
            if let Some(rows) = read_rows.get_mut(&bucket_of(&row)) {
                rows.push(row);
            }
        }
        for i in missing {
            let key = &keys[i];
            let rows = Arc::new(read_rows.remove(&key.bucket).unwrap_or_default());
            let bytes = std::mem::size_of::<Entry>() + rows.iter().map(&bytes_of).sum::<usize>();
            let days = (key.bucket, key.level.last(key.bucket));
            db.reads.put(version, key.clone(), days, rows.clone(), bytes);
            found[i] = Some(rows);
        }
    }
    let mut out = Vec::with_capacity(found.iter().flatten().map(|rows| rows.len()).sum());
    for rows in found.into_iter().flatten() {
        out.extend(rows.iter().cloned());
    }
    Ok(out)
}

/// The rows of one read over days `first..=last` as a whole, for reads
/// the database sums over the range (running totals, sums of cube rows)
/// rather than bucket by bucket: kept for the current data, else from
/// `fetch`. A change on any day of the range drops them.
pub(super) async fn whole_range<T, Fut>(
    db: &Db,
    (read, params): (&'static str, String),
    (first, last): (i64, i64),
    bytes_of: impl Fn(&T) -> usize,
    fetch: impl FnOnce() -> Fut,
) -> Result<Vec<T>, sqlx::Error>
where
    T: Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<Vec<T>, sqlx::Error>>,
{
    let version = current(db).await?;
    // Keyed by its first day as a day's bucket, its last day with the params.
    let key = Key { read, params: format!("{params}|to {last}").into(), level: Level::Day, bucket: first };
    if let Some(rows) = db.reads.get(version, std::slice::from_ref(&key))[0].take() {
        if let Ok(rows) = rows.downcast::<Vec<T>>() {
            return Ok(rows.as_ref().clone());
        }
    }
    let rows = fetch().await?;
    let bytes = std::mem::size_of::<Entry>() + rows.iter().map(&bytes_of).sum::<usize>();
    db.reads.put(version, key, (first, last), Arc::new(rows.clone()), bytes);
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(bucket: i64) -> Key {
        Key { read: "test", params: "".into(), level: Level::Day, bucket }
    }

    fn put(cache: &ReadCache, version: i64, bucket: i64, bytes: usize) {
        cache.put(version, key(bucket), (bucket, bucket), Arc::new(vec![bucket]), bytes);
    }

    fn kept(cache: &ReadCache, version: i64, bucket: i64) -> bool {
        cache.get(version, &[key(bucket)])[0].is_some()
    }

    #[test]
    fn a_change_drops_only_the_buckets_of_its_days() {
        let cache = ReadCache::default();
        for bucket in 1..=5 {
            put(&cache, 0, bucket, 10);
        }
        cache.advance(0, 2, &[(1, 2, 2), (2, 4, 4)]);
        assert!(!kept(&cache, 0, 1), "an older version is never answered");
        let left: Vec<i64> = (1..=5).filter(|&b| kept(&cache, 2, b)).collect();
        assert_eq!(left, vec![1, 3, 5]);
        assert_eq!(cache.lock().bytes, 30);
    }

    #[test]
    fn a_gap_in_the_log_drops_everything() {
        let cache = ReadCache::default();
        put(&cache, 0, 1, 10);
        cache.advance(0, 3, &[(3, 9, 9)]);
        assert!(!kept(&cache, 3, 1));
        assert_eq!(cache.lock().version, 3);
    }

    #[test]
    fn a_database_gone_back_drops_everything() {
        let cache = ReadCache::default();
        cache.advance(0, 9, &(1..=9).map(|v| (v, 100, 100)).collect::<Vec<_>>());
        put(&cache, 9, 1, 10);
        cache.advance(9, 4, &[]);
        cache.advance(4, 9, &(5..=9).map(|v| (v, 100, 100)).collect::<Vec<_>>());
        assert!(!kept(&cache, 9, 1), "kept from the data before the restore");
    }

    #[test]
    fn a_read_older_than_the_cache_is_not_kept() {
        let cache = ReadCache::default();
        cache.advance(0, 1, &[(1, 7, 7)]);
        put(&cache, 0, 1, 10);
        assert!(!kept(&cache, 1, 1));
    }

    #[test]
    fn the_oldest_entries_leave_when_the_cache_is_full() {
        let cache = ReadCache::default();
        let quarter = CAPACITY_BYTES / 4;
        for bucket in 1..=5 {
            put(&cache, 0, bucket, quarter);
        }
        assert!(!kept(&cache, 0, 1));
        assert!(kept(&cache, 0, 2) && kept(&cache, 0, 5));
        put(&cache, 0, 9, quarter + 1);
        assert!(!kept(&cache, 0, 9), "an answer over a quarter of the cache is not kept");
    }

    #[test]
    fn a_bucket_dropped_and_kept_again_keeps_its_new_place() {
        let cache = ReadCache::default();
        let quarter = CAPACITY_BYTES / 4;
        put(&cache, 0, 1, quarter);
        put(&cache, 0, 2, quarter);
        cache.advance(0, 1, &[(1, 1, 1)]);
        put(&cache, 1, 1, quarter);
        put(&cache, 1, 3, quarter);
        put(&cache, 1, 4, quarter);
        put(&cache, 1, 5, quarter);
        assert!(!kept(&cache, 1, 2), "the oldest left first");
        assert!(kept(&cache, 1, 1), "bucket 1 was kept again after bucket 2");
    }
}
