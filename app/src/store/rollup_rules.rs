//! Keeps the stored rollups in step with the rules they were computed with.
//! The SLA and the reporting time zone are settings of the server; the
//! rollups record which ones they follow (in `settings`), and a start with
//! other settings rebuilds them once instead of mixing two calendars.

use super::rollup::{rebuild_all, RollupRules};
use super::zone::ReportingZone;
use super::{customer_months, support_months, Db};
use sqlx::{AnyConnection, Row};

const ZONE_KEY: &str = "rollup_zone";
const SLA_KEY: &str = "rollup_sla_seconds";

/// What [`align`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Aligned {
    /// The rollups already follow the server's rules (or there is no data yet).
    Unchanged,
    /// The rollups were rebuilt; they had followed these rules before.
    Rebuilt { from_zone: String, from_sla_seconds: i64 },
}

/// Rebuilds the rollups (and, if the zone changed, the customer months) when
/// the server's rules differ from those they were computed with. Rollups
/// from before the rules were recorded followed UTC and, as far as anyone
/// can tell, the SLA configured now.
pub async fn align(db: &Db) -> Result<Aligned, sqlx::Error> {
    let rules = db.rollup_rules();
    let mut tx = db.begin().await?;
    let stored_zone =
        setting(&mut tx, ZONE_KEY).await?.unwrap_or_else(|| ReportingZone::UTC.name().to_string());
    let stored_sla =
        setting(&mut tx, SLA_KEY).await?.and_then(|v| v.parse().ok()).unwrap_or(rules.sla_seconds);
    let zone_changed = stored_zone != rules.zone.name();
    let outcome = if (!zone_changed && stored_sla == rules.sla_seconds) || is_empty(&mut tx).await? {
        Aligned::Unchanged
    } else {
        rebuild_all(&mut tx, rules).await?;
        if zone_changed {
            customer_months::rebuild_all(&mut tx, rules.zone).await?;
            support_months::rebuild_all(&mut tx, rules.zone).await?;
        }
        Aligned::Rebuilt { from_zone: stored_zone, from_sla_seconds: stored_sla }
    };
    record(&mut tx, rules).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// Rebuilds the rollups and the customer months with the server's rules,
/// whatever they were computed with before.
pub async fn rebuild(db: &Db) -> Result<(), sqlx::Error> {
    let rules = db.rollup_rules();
    let mut tx = db.begin().await?;
    rebuild_all(&mut tx, rules).await?;
    customer_months::rebuild_all(&mut tx, rules.zone).await?;
    support_months::rebuild_all(&mut tx, rules.zone).await?;
    record(&mut tx, rules).await?;
    tx.commit().await
}

async fn is_empty(conn: &mut AnyConnection) -> Result<bool, sqlx::Error> {
    let tickets = sqlx::query("SELECT 1 FROM tickets LIMIT 1").fetch_optional(&mut *conn).await?;
    let orders = sqlx::query("SELECT 1 FROM orders LIMIT 1").fetch_optional(&mut *conn).await?;
    Ok(tickets.is_none() && orders.is_none())
}

async fn setting(conn: &mut AnyConnection, key: &str) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
        .bind(key.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| r.try_get("value")).transpose()
}

async fn record(conn: &mut AnyConnection, rules: RollupRules) -> Result<(), sqlx::Error> {
    for (key, value) in [(ZONE_KEY, rules.zone.name().to_string()), (SLA_KEY, rules.sla_seconds.to_string())]
    {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key.to_string())
        .bind(value)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
