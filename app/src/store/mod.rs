//! The data layer (server only): one sqlx `AnyPool` over SQLite or Postgres,
//! the migrations of each dialect, ingest with the daily rollup, and the
//! reads that feed the KPI engine. SQL is portable (`$n` placeholders, epoch
//! integers, `ON CONFLICT … DO UPDATE`); the one dialect difference, the
//! migrations, is chosen in [`Db::migrate`].

pub mod annotations;
mod checkpoints;
pub mod cube;
pub mod customer_months;
pub mod dim_cumulative;
pub mod dim_rollup;
mod dim_spill;
pub mod events;
mod failure;
pub mod import_gate;
pub mod ingest;
pub mod kpi_values;
pub mod login_limits;
pub mod matrix;
mod names;
mod packed;
pub mod presets;
pub mod read;
mod read_cache;
pub mod register;
pub mod rollup;
pub mod rollup_rules;
mod sql;
pub mod support_months;
pub mod targets;
pub mod tickets;
pub mod tokens;
pub mod users;
pub mod zone;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};
use std::str::FromStr;

pub use failure::{is_busy, is_unavailable};
pub use import_gate::ImportGate;
pub use kpi_values::{KpiQuery, KpiTable};

/// Which database engine a pool talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a connection talks to.
    pub fn of(conn: &sqlx::AnyConnection) -> Backend {
        if conn.backend_name().eq_ignore_ascii_case("sqlite") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// The shared handle to the database, created once at start-up.
#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// The resolution SLA that the rollup's `sla_met` counts against.
    pub sla_seconds: i64,
    /// The calendar in which tickets and orders fall on days and months.
    pub zone: zone::ReportingZone,
    /// The settings every KPI is computed with.
    pub settings: crate::kpi::KpiSettings,
    /// Where the server keeps its own files (uploads being imported): the
    /// SQLite file's folder, or `data` on Postgres unless configured.
    pub data_dir: std::path::PathBuf,
    /// One import at a time per server (see [`import_gate`]).
    pub imports: ImportGate,
    /// Rollup reads kept for the current data version ([`read_cache`]).
    reads: std::sync::Arc<read_cache::ReadCache>,
    /// SQLite's checkpoints, while any handle to the database lives.
    _checkpoints: Option<std::sync::Arc<checkpoints::Checkpoints>>,
}

/// The default resolution SLA (DESIGN.md §3).
pub const DEFAULT_SLA_HOURS: i64 = 24;

/// The SQLite file used when `DATABASE_URL` is unset.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/aftercare.db";

impl Db {
    /// What the stored rollups are computed with.
    pub fn rollup_rules(&self) -> rollup::RollupRules {
        rollup::RollupRules { sla_seconds: self.sla_seconds, zone: self.zone }
    }

    /// Connects to `url` (`sqlite://…` or `postgres://…`); a SQLite file and
    /// its folder are created if missing.
    pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(sqlx::Error::Configuration(
                format!("DATABASE_URL must start with sqlite: or postgres:, not {url:.12}…").into(),
            ));
        };
        let mut data_dir = std::path::PathBuf::from("data");
        let pool = match backend {
            Backend::Sqlite => {
                let options = sqlx::sqlite::SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
                    .busy_timeout(std::time::Duration::from_secs(10))
                    .page_size(SQLITE_PAGE_BYTES);
                if let Some(dir) = std::path::Path::new(options.get_filename()).parent() {
                    if !dir.as_os_str().is_empty() {
                        std::fs::create_dir_all(dir).map_err(|e| {
                            sqlx::Error::Configuration(
                                format!("cannot create the folder {}: {e}", dir.display()).into(),
                            )
                        })?;
                    }
                }
                // The Any driver opens SQLite through its URL; the file now exists.
                let file = options.get_filename().to_path_buf();
                // Options such as `?mode=ro` still apply.
                let query = url.split_once('?').map(|(_, q)| format!("?{q}")).unwrap_or_default();
                let url = format!("sqlite://{}{query}", file.display());
                sqlx::sqlite::SqlitePool::connect_with(options).await?.close().await;
                // Created here: ATTACH opens files as the main one was opened, without "create".
                let auth = auth_file(&file);
                let auth_options = sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(&auth)
                    .create_if_missing(true)
                    .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal);
                sqlx::sqlite::SqlitePool::connect_with(auth_options).await?.close().await;
                let pool = pool_options(8)
                    .after_connect(move |conn, _| {
                        let auth = auth.clone();
                        Box::pin(async move { sqlite_settings(conn, &auth).await })
                    })
                    .connect(&url)
                    .await?;
                data_dir = file.parent().map(std::path::Path::to_path_buf).unwrap_or_default();
                pool
            }
            Backend::Postgres => pool_options(16).connect(url).await?,
        };
        Ok(Db {
            backend,
            sla_seconds: DEFAULT_SLA_HOURS * 3600,
            zone: zone::ReportingZone::UTC,
            settings: Default::default(),
            data_dir,
            imports: ImportGate::default(),
            reads: Default::default(),
            _checkpoints: (backend == Backend::Sqlite)
                .then(|| std::sync::Arc::new(checkpoints::Checkpoints::start(pool.clone()))),
            pool,
        })
    }

    /// Applies the migrations of this backend's dialect, then builds the
    /// rollup cube and the dimension rollup if the database predates them.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("../migrations/sqlite").run(&self.pool).await?,
            Backend::Postgres => sqlx::migrate!("../migrations/postgres").run(&self.pool).await?,
        }
        if self.backend == Backend::Sqlite {
            sqlx::raw_sql(SQLITE_AUTH_TABLES).execute(&self.pool).await?;
        }
        cube::build_if_missing(self).await.map_err(sqlx::migrate::MigrateError::Execute)?;
        dim_rollup::build_if_missing(self).await.map_err(sqlx::migrate::MigrateError::Execute)?;
        dim_cumulative::build_if_missing(self).await.map_err(sqlx::migrate::MigrateError::Execute)?;
        support_months::build_if_missing(self).await.map_err(sqlx::migrate::MigrateError::Execute)
    }

    /// Refuses to start on a database that cannot be written (a read-only
    /// file, a read-only Postgres role or replica): otherwise every sign-in
    /// would fail later with a vague message. Writes and deletes one row.
    pub async fn check_writable(&self) -> Result<(), sqlx::Error> {
        sqlx::query("INSERT INTO settings (key, value) VALUES ('write_check', '1') ON CONFLICT (key) DO UPDATE SET value = '1'")
            .execute(&self.pool)
            .await?;
        sqlx::query("DELETE FROM settings WHERE key = 'write_check'").execute(&self.pool).await?;
        if self.backend == Backend::Sqlite {
            sqlx::query("DELETE FROM login_limits WHERE key = 'write_check'").execute(&self.pool).await?;
        }
        Ok(())
    }

    /// Starts a transaction: writes grouped through it land together or not at all.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(Tx(self.pool.begin().await?))
    }

    /// Starts a transaction that reads the main database before it writes
    /// to it. On SQLite its first statement takes that database's write
    /// lock, waiting for another writer through the busy timeout: a
    /// transaction that has read is refused at its first write, without
    /// waiting, while another holds the lock ("database is locked"), as an
    /// import begun just after another was given up, before that one's
    /// rollback had run, was. (`BEGIN IMMEDIATE` would lock the attached
    /// sign-in database too, and hold sign-ins up for a whole import.)
    pub(crate) async fn begin_writing(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Sqlite {
            // Deletes nothing: a write all the same, so it takes the lock.
            sqlx::query("DELETE FROM tickets WHERE 0 = 1").execute(&mut *tx).await?;
        }
        Ok(tx)
    }

    /// Drops the rollup reads this process keeps, as a change of the data
    /// does: for measuring reads as the first after a change.
    pub fn forget_reads(&self) {
        self.reads.forget();
    }

    /// Copies the WAL into the main file (SQLite), as the checkpoint task
    /// would have had the process lived, and closes every connection: for
    /// a command that is done with the database. (Closing alone left a
    /// 177 MB WAL beside the file after a CLI import of 100k tickets.)
    pub async fn close(&self) {
        if self.backend == Backend::Sqlite {
            // Nothing is lost if it fails: the WAL is copied at the next start.
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&self.pool).await {
                tracing::warn!("the WAL was not copied into the database file: {e}");
            }
        }
        self.pool.close().await;
    }

    /// Answers when the database does: for the health check.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(|_| ())
    }

    /// True when no ticket has been loaded yet (first start).
    pub async fn is_empty(&self) -> Result<bool, sqlx::Error> {
        let row: AnyRow = sqlx::query("SELECT COUNT(*) AS n FROM tickets").fetch_one(&self.pool).await?;
        Ok(row.try_get::<i64, _>("n")? == 0)
    }
}

/// The page size of a new SQLite file (a file keeps the size it was made
/// with): 16 KB instead of SQLite's 4 KB. A large import goes through every
/// page of the tickets several times (their rows, each index build's scan,
/// the WAL and its checkpoint), and each page costs a lookup in the WAL and
/// a frame of its own there. A 10M-ticket import took 56.8 and 61.7 s with
/// 16 KB pages against 60.8 and 67.2 s with 4 KB, run by turns.
const SQLITE_PAGE_BYTES: u32 = 16_384;

/// Settings SQLite keeps per connection, so every pooled connection sets
/// them: commits wait for the WAL, not for the disk (durable across a
/// process crash, and much faster), and a writer waits for a lock rather
/// than failing. Reads never wait for a write in WAL mode. No commit
/// copies the WAL into the main file: [`checkpoints`] does, apart.
///
/// Each connection caches 8 MB of pages, about 500 of 16 KB, where
/// SQLite's default 2 MB holds 125: with those, the dashboards' reads of
/// the dimension rollup at 10M tickets had a p95 of 8 to 10 ms against a
/// p50 near 2 ms, in five harness runs out of five; with 8 MB, 1.9 ms.
///
/// SQLite has one writer per file, and an import holds the main file's
/// write lock for its whole transaction (nothing is half-imported). Sessions
/// and sign-in limits therefore live in a second file, attached as `auth`:
/// writing them takes only that file's lock, so signing in works while an
/// import runs. Unqualified names find them there once the main file no
/// longer has these tables (migration 0007), so the SQL is the same as on
/// Postgres.
async fn sqlite_settings(conn: &mut sqlx::AnyConnection, auth: &str) -> Result<(), sqlx::Error> {
    use sqlx::Executor;
    conn.execute(
        "PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; \
         PRAGMA wal_autocheckpoint = 0; PRAGMA cache_size = -8192",
    )
    .await?;
    sqlx::query("ATTACH DATABASE $1 AS auth").bind(auth.to_string()).execute(&mut *conn).await?;
    conn.execute("PRAGMA auth.synchronous = NORMAL").await?;
    Ok(())
}

/// `data/aftercare.db` keeps its sessions in `data/aftercare-auth.db`.
fn auth_file(main: &std::path::Path) -> String {
    let stem = main.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    main.with_file_name(format!("{stem}-auth.db")).display().to_string()
}

/// The attached file's tables: throwaway state (sessions, counters), so they
/// are created whenever missing rather than migrated.
const SQLITE_AUTH_TABLES: &str = "
CREATE TABLE IF NOT EXISTS auth.sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS auth.login_limits (
    key TEXT PRIMARY KEY,
    attempts BIGINT NOT NULL,
    period_end BIGINT NOT NULL,
    strikes BIGINT NOT NULL
);";

/// Pool settings: a request waits at most a few seconds for a connection,
/// so an unreachable database answers quickly instead of hanging.
fn pool_options(max_connections: u32) -> AnyPoolOptions {
    AnyPoolOptions::new().max_connections(max_connections).acquire_timeout(std::time::Duration::from_secs(5))
}

/// A write transaction owned by the store: code outside `store/` groups
/// writes through it without touching sqlx.
pub struct Tx(sqlx::Transaction<'static, sqlx::Any>);

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.0.commit().await
    }
}

impl std::ops::Deref for Tx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

/// Starts `work` on a blocking thread of its own and returns its result
/// when awaited: a rebuild counts one part there while the database's
/// thread reads or writes the next, so both cores are busy, not one.
pub(crate) fn alongside<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> impl std::future::Future<Output = Result<T, sqlx::Error>> {
    let handle = tokio::task::spawn_blocking(work);
    async move { handle.await.map_err(|e| sqlx::Error::Io(std::io::Error::other(e))) }
}
