//! Settings from the environment, the same for the server and the CLI.

use app::auth::client::TrustedProxies;
use app::store::zone::ReportingZone;
use app::store::{DEFAULT_DATABASE_URL, DEFAULT_SLA_HOURS};

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// `DATABASE_URL`; unset means the SQLite file `data/aftercare.db`.
    pub database_url: String,
    /// `AFTERCARE_DEMO=0` keeps an empty database empty on first start.
    pub load_demo_when_empty: bool,
    /// `AFTERCARE_SLA_HOURS`: the resolution SLA, 24 by default.
    pub sla_hours: i64,
    /// `AFTERCARE_TIME_ZONE`: the IANA zone whose calendar cuts days and
    /// months (`UTC` by default).
    pub time_zone: ReportingZone,
    /// `AFTERCARE_SECURE_COOKIES=1` when served over TLS: cookies are
    /// `Secure` and responses carry `Strict-Transport-Security`.
    pub secure_cookies: bool,
    /// `AFTERCARE_TRUSTED_PROXIES`: reverse proxies (addresses or networks,
    /// comma-separated) whose `X-Forwarded-For` names the client for the
    /// sign-in limits. Unset: the peer address is the client.
    pub trusted_proxies: TrustedProxies,
    /// `AFTERCARE_DATA_DIR`: where uploads are kept while they are imported;
    /// unset means the SQLite file's folder, or `data` on Postgres.
    pub data_dir: Option<std::path::PathBuf>,
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
            time_zone: match var("AFTERCARE_TIME_ZONE") {
                Some(v) => ReportingZone::parse(&v).map_err(|e| format!("AFTERCARE_TIME_ZONE: {e}"))?,
                None => ReportingZone::UTC,
            },
            secure_cookies: var("AFTERCARE_SECURE_COOKIES").is_some_and(|v| v == "1" || v == "true"),
            trusted_proxies: TrustedProxies::parse(&var("AFTERCARE_TRUSTED_PROXIES").unwrap_or_default())?,
            data_dir: var("AFTERCARE_DATA_DIR").map(Into::into),
        })
    }

    /// Connects, applies the migrations, checks that the database can be
    /// written, sets the SLA and the time zone (rebuilding the rollups if
    /// they followed others) and removes uploads a killed server left behind.
    /// Errors name the database (a SQLite path; never a Postgres password).
    pub async fn open_database(&self) -> Result<app::store::Db, String> {
        let name = self.database_name();
        let mut db = app::store::Db::connect(&self.database_url)
            .await
            .map_err(|e| format!("cannot open the database {name}: {e}"))?;
        // The rules first: a rollup built at start-up counts with them.
        db.sla_seconds = self.sla_hours * 3600;
        db.zone = self.time_zone;
        db.migrate().await.map_err(|e| format!("cannot apply the migrations to {name}: {e}"))?;
        db.check_writable().await.map_err(|e| {
            format!("the database {name} cannot be written ({e}): check its permissions and free disk space")
        })?;
        match app::store::rollup_rules::align(&db).await {
            Ok(app::store::rollup_rules::Aligned::Unchanged) => {}
            Ok(app::store::rollup_rules::Aligned::Rebuilt { from_zone, from_sla_seconds }) => tracing::info!(
                from_zone,
                from_sla_hours = from_sla_seconds / 3600,
                zone = db.zone.name(),
                sla_hours = self.sla_hours,
                "rebuilt the rollups for a new time zone or SLA"
            ),
            Err(e) => return Err(format!("cannot bring the rollups of {name} up to date: {e}")),
        }
        if let Some(dir) = &self.data_dir {
            db.data_dir = dir.clone();
        }
        let removed = crate::http::spool::remove_leftovers(&db.data_dir);
        if removed > 0 {
            tracing::info!(removed, "removed uploads left by a server that stopped mid-import");
        }
        Ok(db)
    }

    /// The SQLite file, or the Postgres server and database without credentials.
    fn database_name(&self) -> String {
        let url = &self.database_url;
        match url.split_once("://") {
            Some((scheme, rest)) if scheme.starts_with("sqlite") => {
                rest.split('?').next().unwrap_or(rest).to_string()
            }
            Some((_, rest)) => rest.rsplit_once('@').map_or(rest, |(_, host)| host).to_string(),
            None => url.clone(),
        }
    }
}
