//! A fresh database per test, on either backend, optionally with demo data.

use app::kpi::Period;
use app::store::Db;
use server::demo::{self, DemoConfig};
use std::sync::atomic::{AtomicU32, Ordering};

/// The small, fixed demo the tests share: 4 months ending October 2025.
pub fn small_demo() -> DemoConfig {
    DemoConfig { seed: 42, months: 4, end: Period::parse("2025-10").unwrap(), scale: 0.1 }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique_name() -> String {
    format!("t{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst))
}

/// A migrated, empty SQLite database in a new file.
pub async fn sqlite() -> Db {
    open(&sqlite_url()).await
}

/// The address of a new SQLite file, for tests that open it more than once.
pub fn sqlite_url() -> String {
    let dir = std::env::temp_dir().join("aftercare-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}.db", unique_name()));
    let _ = std::fs::remove_file(&path);
    format!("sqlite://{}", path.display())
}

/// A migrated, empty database on the throwaway Postgres server.
pub async fn postgres() -> Db {
    open(&postgres_url().await).await
}

/// The address of a new, empty database on the throwaway Postgres server,
/// for tests that connect to it more than once.
pub async fn postgres_url() -> String {
    let url = std::env::var("AFTERCARE_TEST_POSTGRES_URL").expect(
        "AFTERCARE_TEST_POSTGRES_URL is not set: run these tests with `make integration`, which starts Postgres",
    );
    let name = unique_name();
    let admin = Db::connect(&url).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&admin.pool).await.unwrap();
    admin.pool.close().await;
    let base = url.rsplit_once('/').unwrap().0;
    format!("{base}/{name}")
}

pub async fn open(url: &str) -> Db {
    let db = Db::connect(url).await.unwrap();
    db.migrate().await.unwrap();
    db
}

pub async fn with_demo(db: Db) -> Db {
    demo::load(&db, &small_demo()).await.unwrap();
    db
}

pub fn month(s: &str) -> Period {
    Period::parse(s).unwrap()
}

/// A small deterministic generator, so tests need no dependency.
pub struct Lcg(pub u64);

impl Lcg {
    /// The next number below `n`.
    pub fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// The settings of a command or server on `database_url`, without demo data.
pub fn config(database_url: String) -> server::config::Config {
    server::config::Config {
        database_url,
        load_demo_when_empty: false,
        sla_hours: 24,
        time_zone: Default::default(),
        secure_cookies: false,
        trusted_proxies: Default::default(),
        data_dir: None,
    }
}
