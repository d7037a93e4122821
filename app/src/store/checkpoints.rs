//! SQLite's WAL checkpoints, run on a task of their own instead of inside
//! the commit that passes SQLite's threshold. A commit copies nothing
//! into the main file then: a large import's commit was followed by
//! copying all of its pages (some GB at 10M tickets) there and waiting for
//! the disk before the import could answer (in `sqlite3`, 1.4 GB written
//! in one transaction: its COMMIT took 7.4 s with the automatic checkpoint
//! and 0.7 s without). Readers see the rows in the WAL meanwhile, and a
//! crash of the process loses nothing: until copied, the WAL is the data.

use sqlx::AnyPool;
use std::time::Duration;

/// How often the WAL is copied into the main file: it holds at most about
/// this long of writes beyond what a reader's snapshot keeps.
const EVERY: Duration = Duration::from_secs(1);

/// The checkpointing task of one database; stopped when dropped, that is
/// when the last handle to the database is.
#[derive(Debug)]
pub(super) struct Checkpoints(tokio::task::JoinHandle<()>);

impl Checkpoints {
    /// Starts checkpointing `pool`'s file, whose connections were opened
    /// with `PRAGMA wal_autocheckpoint = 0` ([`super::sqlite_settings`]).
    pub(super) fn start(pool: AnyPool) -> Checkpoints {
        Checkpoints(tokio::spawn(async move {
            let mut ticks = tokio::time::interval(EVERY);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                if pool.is_closed() {
                    return;
                }
                // PASSIVE: copies what no reader still needs, never waits
                // for one; nothing to copy costs a few microseconds.
                if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
                    tracing::debug!("WAL checkpoint skipped: {e}");
                }
            }
        }))
    }
}

impl Drop for Checkpoints {
    fn drop(&mut self) {
        self.0.abort();
    }
}
