//! The data layer (server only): one sqlx `AnyPool` over SQLite or Postgres,
//! the migrations of each dialect, ingest with the daily rollup, and the
//! reads that feed the KPI engine. SQL is portable (`$n` placeholders, epoch
//! integers, `ON CONFLICT … DO UPDATE`); the one dialect difference, the
//! migrations, is chosen in [`Db::migrate`].

pub mod annotations;
pub mod cube;
pub mod customer_months;
pub mod ingest;
pub mod kpi_values;
pub mod matrix;
pub mod presets;
pub mod read;
pub mod rollup;
mod sql;
pub mod targets;
pub mod tickets;
pub mod tokens;
pub mod users;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};
use std::str::FromStr;

pub use kpi_values::{KpiQuery, KpiTable};

/// Which database engine a pool talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
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
    /// The settings every KPI is computed with.
    pub settings: crate::kpi::KpiSettings,
}

/// The default resolution SLA (DESIGN.md §3).
pub const DEFAULT_SLA_HOURS: i64 = 24;

/// The SQLite file used when `DATABASE_URL` is unset.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/aftercare.db";

impl Db {
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
        let pool = match backend {
            Backend::Sqlite => {
                let options = sqlx::sqlite::SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
                    .busy_timeout(std::time::Duration::from_secs(10));
                if let Some(dir) = std::path::Path::new(options.get_filename()).parent() {
                    if !dir.as_os_str().is_empty() {
                        std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
                    }
                }
                // The Any driver opens SQLite through its URL; the file now exists.
                let url = format!("sqlite://{}", options.get_filename().display());
                sqlx::sqlite::SqlitePool::connect_with(options).await?.close().await;
                pool_options(8).after_connect(|conn, _| Box::pin(sqlite_settings(conn))).connect(&url).await?
            }
            Backend::Postgres => pool_options(16).connect(url).await?,
        };
        Ok(Db { pool, backend, sla_seconds: DEFAULT_SLA_HOURS * 3600, settings: Default::default() })
    }

    /// Applies the migrations of this backend's dialect, then builds the
    /// rollup cube if the database predates it.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("../migrations/sqlite").run(&self.pool).await?,
            Backend::Postgres => sqlx::migrate!("../migrations/postgres").run(&self.pool).await?,
        }
        cube::build_if_missing(self).await.map_err(sqlx::migrate::MigrateError::Execute)
    }

    /// Starts a transaction: writes grouped through it land together or not at all.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(Tx(self.pool.begin().await?))
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

/// Settings SQLite keeps per connection, so every pooled connection sets
/// them: commits wait for the WAL, not for the disk (durable across a
/// process crash, and much faster), and a writer waits for a lock rather
/// than failing. Reads never wait for a write in WAL mode.
async fn sqlite_settings(conn: &mut sqlx::AnyConnection) -> Result<(), sqlx::Error> {
    use sqlx::Executor;
    conn.execute("PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON")
        .await?;
    Ok(())
}

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
