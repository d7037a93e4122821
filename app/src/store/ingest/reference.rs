//! Ingest of the slowly changing reference data: monthly financials, targets
//! and benchmarks. Each change is written to the audit log with the value it
//! replaced; loading the same values again records nothing.

use super::{check_all, last_of_each, now, IngestError, IngestReport};
use crate::models::{BenchmarkRecord, FinancialMonth, TargetRecord};
use crate::store::{users, Db};
use sqlx::{AnyConnection, Row};

/// Counts a record as inserted or updated, and audits it if it changed.
async fn record_change(
    conn: &mut AnyConnection,
    report: &mut IngestReport,
    (actor, action, entity): (&str, &str, &str),
    old: Option<String>,
    new: String,
) -> Result<(), sqlx::Error> {
    match &old {
        Some(_) => report.updated += 1,
        None => report.inserted += 1,
    }
    if old.as_deref() != Some(new.as_str()) {
        users::audit(conn, actor, action, entity, old.as_deref().unwrap_or(""), &new, now()).await?;
    }
    Ok(())
}

fn describe_financials(f: &FinancialMonth) -> String {
    format!(
        "revenue {}; net income {}; opex {}; support cost {}; marketing {}; new customers {}; gross margin {}",
        f.revenue,
        f.net_income,
        f.operating_expenses,
        f.support_cost,
        f.marketing_spend,
        f.new_customers,
        f.gross_margin.map_or("—".to_string(), |g| g.to_string())
    )
}

/// Upserts months of financials (and their per-channel support cost).
pub async fn financials(
    db: &Db,
    actor: &str,
    records: &[FinancialMonth],
) -> Result<IngestReport, IngestError> {
    check_all(records, |f| f.month.clone(), |f| f.validate())?;
    let mut tx = db.begin().await?;
    let mut report = IngestReport::default();
    for f in last_of_each(records, |f| &f.month).iter() {
        let old = sqlx::query(
            "SELECT revenue, net_income, operating_expenses, support_cost, marketing_spend, new_customers, \
             gross_margin FROM financials WHERE month = $1",
        )
        .bind(f.month.clone())
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| -> Result<String, sqlx::Error> {
            Ok(describe_financials(&FinancialMonth {
                month: f.month.clone(),
                revenue: r.try_get("revenue")?,
                net_income: r.try_get("net_income")?,
                operating_expenses: r.try_get("operating_expenses")?,
                support_cost: r.try_get("support_cost")?,
                marketing_spend: r.try_get("marketing_spend")?,
                new_customers: r.try_get("new_customers")?,
                gross_margin: r.try_get("gross_margin")?,
                support_cost_by_channel: Vec::new(),
            }))
        })
        .transpose()?;
        sqlx::query(
            "INSERT INTO financials (month, revenue, net_income, operating_expenses, support_cost, marketing_spend, \
             new_customers, gross_margin) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (month) DO UPDATE SET \
             revenue = excluded.revenue, net_income = excluded.net_income, \
             operating_expenses = excluded.operating_expenses, support_cost = excluded.support_cost, \
             marketing_spend = excluded.marketing_spend, new_customers = excluded.new_customers, \
             gross_margin = excluded.gross_margin",
        )
        .bind(f.month.clone())
        .bind(f.revenue)
        .bind(f.net_income)
        .bind(f.operating_expenses)
        .bind(f.support_cost)
        .bind(f.marketing_spend)
        .bind(f.new_customers)
        .bind(f.gross_margin)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM financial_channel_costs WHERE month = $1")
            .bind(f.month.clone())
            .execute(&mut *tx)
            .await?;
        for (channel, cost) in &f.support_cost_by_channel {
            sqlx::query(
                "INSERT INTO financial_channel_costs (month, channel, support_cost) VALUES ($1, $2, $3)",
            )
            .bind(f.month.clone())
            .bind(channel.clone())
            .bind(*cost)
            .execute(&mut *tx)
            .await?;
        }
        record_change(&mut tx, &mut report, (actor, "financials.set", &f.month), old, describe_financials(f))
            .await?;
    }
    tx.commit().await?;
    Ok(report)
}

/// Sets targets (imports set the plan version), keeping every change in the
/// history and the audit log.
pub async fn targets(db: &Db, records: &[TargetRecord]) -> Result<IngestReport, IngestError> {
    check_all(records, |t| format!("{} {}", t.kpi, t.period), |t| t.validate())?;
    let set_at = now();
    let mut tx = db.begin().await?;
    let mut report = IngestReport::default();
    for t in records {
        let old: Option<f64> = sqlx::query(
            "SELECT value FROM targets WHERE kpi = $1 AND period = $2 AND scope_dim = $3 AND scope_value = $4 \
             AND version = 'plan'",
        )
        .bind(t.kpi.clone())
        .bind(t.period.clone())
        .bind(t.scope_dim.clone())
        .bind(t.scope_value.clone())
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.try_get("value"))
        .transpose()?;
        for sql in [CURRENT_TARGET, TARGET_HISTORY] {
            sqlx::query(sql)
                .bind(t.kpi.clone())
                .bind(t.period.clone())
                .bind(t.scope_dim.clone())
                .bind(t.scope_value.clone())
                .bind(t.value)
                .bind(t.set_by.clone())
                .bind(set_at)
                .bind(t.note.clone())
                .execute(&mut *tx)
                .await?;
        }
        let scope = if t.scope_dim.is_empty() {
            "all".to_string()
        } else {
            format!("{}={}", t.scope_dim, t.scope_value)
        };
        let entity = format!("{} {} ({scope})", t.kpi, t.period);
        let change = (t.set_by.as_str(), "target.set", entity.as_str());
        record_change(&mut tx, &mut report, change, old.map(|v| v.to_string()), t.value.to_string()).await?;
    }
    tx.commit().await?;
    Ok(report)
}

const CURRENT_TARGET: &str = "INSERT INTO targets (kpi, period, scope_dim, scope_value, value, set_by, set_at, note) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (kpi, period, scope_dim, scope_value, version) \
     DO UPDATE SET value = excluded.value, set_by = excluded.set_by, set_at = excluded.set_at, note = excluded.note";

const TARGET_HISTORY: &str =
    "INSERT INTO target_history (kpi, period, scope_dim, scope_value, value, set_by, \
     set_at, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

fn describe_benchmark(p: [Option<f64>; 4], unit: &str) -> String {
    let show = |v: Option<f64>| v.map_or("—".to_string(), |v| v.to_string());
    format!("p25 {}; p50 {}; p75 {}; p90 {} {unit}", show(p[0]), show(p[1]), show(p[2]), show(p[3]))
}

/// Upserts benchmark rows by KPI, segment, source and year.
pub async fn benchmarks(
    db: &Db,
    actor: &str,
    records: &[BenchmarkRecord],
) -> Result<IngestReport, IngestError> {
    check_all(records, |b| format!("{} {}", b.kpi, b.segment), |b| b.validate())?;
    let mut tx = db.begin().await?;
    let mut report = IngestReport::default();
    for b in records {
        let old = sqlx::query(
            "SELECT p25, p50, p75, p90, unit FROM benchmarks WHERE kpi = $1 AND segment = $2 AND source = $3 \
             AND year = $4",
        )
        .bind(b.kpi.clone())
        .bind(b.segment.clone())
        .bind(b.source.clone())
        .bind(b.year)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| -> Result<String, sqlx::Error> {
            let p = [r.try_get("p25")?, r.try_get("p50")?, r.try_get("p75")?, r.try_get("p90")?];
            Ok(describe_benchmark(p, &r.try_get::<String, _>("unit")?))
        })
        .transpose()?;
        sqlx::query(
            "INSERT INTO benchmarks (kpi, segment, p25, p50, p75, p90, unit, source, year) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (kpi, segment, source, year) DO UPDATE SET \
             p25 = excluded.p25, p50 = excluded.p50, p75 = excluded.p75, p90 = excluded.p90, unit = excluded.unit",
        )
        .bind(b.kpi.clone())
        .bind(b.segment.clone())
        .bind(b.p25)
        .bind(b.p50)
        .bind(b.p75)
        .bind(b.p90)
        .bind(b.unit.clone())
        .bind(b.source.clone())
        .bind(b.year)
        .execute(&mut *tx)
        .await?;
        let entity = format!("{} · {} · {} {}", b.kpi, b.segment, b.source, b.year);
        let new = describe_benchmark([b.p25, b.p50, b.p75, b.p90], &b.unit);
        record_change(&mut tx, &mut report, (actor, "benchmark.set", &entity), old, new).await?;
    }
    tx.commit().await?;
    Ok(report)
}
