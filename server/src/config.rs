//! Settings from the environment, the same for the server and the CLI.

use app::store::{DEFAULT_DATABASE_URL, DEFAULT_SLA_HOURS};

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// `DATABASE_URL`; unset means the SQLite file `data/aftercare.db`.
    pub database_url: String,
    /// `AFTERCARE_DEMO=0` keeps an empty database empty on first start.
    pub load_demo_when_empty: bool,
    /// `AFTERCARE_SLA_HOURS`: the resolution SLA, 24 by default.
    pub sla_hours: i64,
    /// `AFTERCARE_SECURE_COOKIES=1` when served over TLS: cookies are
    /// `Secure` and responses carry `Strict-Transport-Security`.
    pub secure_cookies: bool,
}

impl Config {
    pub fn from_env() -> Result<Config, String> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let sla_hours = match var("AFTERCARE_SLA_HOURS") {
            Some(v) => v
                .parse()
                .ok()
                .filter(|h| *h > 0)
                .ok_or(format!("AFTERCARE_SLA_HOURS must be a positive number of hours, not '{v}'"))?,
            None => DEFAULT_SLA_HOURS,
        };
        Ok(Config {
            database_url: var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string()),
            load_demo_when_empty: var("AFTERCARE_DEMO").is_none_or(|v| v != "0" && v != "false"),
            sla_hours,
            secure_cookies: var("AFTERCARE_SECURE_COOKIES").is_some_and(|v| v == "1" || v == "true"),
        })
    }

    /// Connects, applies the migrations and sets the SLA.
    pub async fn open_database(&self) -> Result<app::store::Db, String> {
        let mut db = app::store::Db::connect(&self.database_url)
            .await
            .map_err(|e| format!("cannot open the database: {e}"))?;
        db.migrate().await.map_err(|e| format!("cannot apply the migrations: {e}"))?;
        db.sla_seconds = self.sla_hours * 3600;
        Ok(db)
    }
}
