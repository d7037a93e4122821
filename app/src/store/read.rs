//! Reads for the KPI engine. Ticket measures come from the daily rollup;
//! orders and financials from their own tables; only the post-support
//! repurchase KPI of a day, week or quarter joins raw tickets to orders,
//! through indexes (a month reads `support_months`).

use super::Db;
use crate::kpi::period::{day_number, Grain, Period};
use crate::kpi::FinanceTotals;
use crate::models::{BenchmarkRecord, Filters};
use sqlx::Row;
use std::collections::HashMap;

/// Binds the optional filters in the order every query here expects:
/// channel, category, team.
trait BindFilters {
    fn bind_filters(self, filters: &Filters) -> Self;
}

impl<'q> BindFilters for sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    fn bind_filters(self, f: &Filters) -> Self {
        self.bind(f.channel.clone()).bind(f.category.clone()).bind(f.team.clone())
    }
}

/// The [`TicketTotals`] counters summed over a group of rollup rows, by
/// name, without sketches (a sum cannot merge them): for reads of KPIs that need none.
pub(super) const SUMMED_TOTALS: &str = "CAST(SUM(tickets) AS BIGINT) AS tickets, \
    CAST(SUM(resolved) AS BIGINT) AS resolved, CAST(SUM(frt_n) AS BIGINT) AS frt_n, \
    CAST(SUM(frt_sum_s) AS BIGINT) AS frt_sum_s, CAST(SUM(resolution_sum_s) AS BIGINT) AS resolution_sum_s, \
    CAST(SUM(sla_met) AS BIGINT) AS sla_met, CAST(SUM(fcr) AS BIGINT) AS fcr, \
    CAST(SUM(reopened) AS BIGINT) AS reopened, CAST(SUM(escalated) AS BIGINT) AS escalated, \
    CAST(SUM(repeat_contacts) AS BIGINT) AS repeat_contacts, CAST(SUM(csat_n) AS BIGINT) AS csat_n, \
    CAST(SUM(csat_satisfied) AS BIGINT) AS csat_satisfied, CAST(SUM(csat_sum) AS BIGINT) AS csat_sum, \
    CAST(SUM(nps_n) AS BIGINT) AS nps_n, CAST(SUM(nps_promoters) AS BIGINT) AS nps_promoters, \
    CAST(SUM(nps_detractors) AS BIGINT) AS nps_detractors, CAST(SUM(ces_n) AS BIGINT) AS ces_n, \
    CAST(SUM(ces_sum) AS BIGINT) AS ces_sum";

/// The UTC timestamps `[from, before)` of a period's local days.
fn bounds(db: &Db, period: &Period) -> (i64, i64) {
    db.zone.span(day_number(period.start), day_number(period.end_exclusive()) - 1)
}

/// Orders, amount, distinct customers and orders with a known amount
/// (`amount` is the sum over those) of a period.
pub async fn order_volume(db: &Db, period: &Period) -> Result<(i64, f64, i64, i64), sqlx::Error> {
    let (start, end) = bounds(db, period);
    let row = sqlx::query(
        "SELECT COUNT(*) AS n, SUM(amount) AS amount, COUNT(DISTINCT customer_id) AS customers, \
         COUNT(amount) AS priced \
         FROM orders WHERE placed_at >= $1 AND placed_at < $2",
    )
    .bind(start)
    .bind(end)
    .fetch_one(&db.pool)
    .await?;
    Ok((
        row.try_get("n")?,
        row.try_get::<Option<f64>, _>("amount")?.unwrap_or(0.0),
        row.try_get("customers")?,
        row.try_get("priced")?,
    ))
}

/// Per month of `first..=last` (`YYYY-MM`): orders, amount, distinct
/// customers, returning customers and orders with a known amount, from the
/// monthly order totals kept by ingest. Months without orders are absent.
pub async fn month_orders(
    db: &Db,
    first: &Period,
    last: &Period,
) -> Result<HashMap<String, (i64, f64, i64, i64, i64)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT month, orders, amount, customers, returning_customers, priced_orders FROM order_months \
         WHERE month >= $1 AND month <= $2",
    )
    .bind(first.to_string())
    .bind(last.to_string())
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("month")?,
                (
                    r.try_get("orders")?,
                    r.try_get("amount")?,
                    r.try_get("customers")?,
                    r.try_get("returning_customers")?,
                    r.try_get("priced_orders")?,
                ),
            ))
        })
        .collect()
}

/// Customers ordering in the period who had ordered before it.
pub async fn returning_customers(db: &Db, period: &Period) -> Result<i64, sqlx::Error> {
    let (start, end) = bounds(db, period);
    sqlx::query(
        "SELECT COUNT(DISTINCT o.customer_id) AS n FROM orders o WHERE o.placed_at >= $1 AND o.placed_at < $2 \
         AND EXISTS (SELECT 1 FROM orders p WHERE p.customer_id = o.customer_id AND p.placed_at < $1)",
    )
    .bind(start)
    .bind(end)
    .fetch_one(&db.pool)
    .await?
    .try_get("n")
}

/// Orders and distinct customers in the 12 months ending with the period.
/// A month or a quarter reads the monthly order totals and the trailing-year
/// counts kept by ingest; a week or a day counts over the orders themselves.
pub async fn trailing_year_orders(db: &Db, period: &Period) -> Result<(i64, i64), sqlx::Error> {
    if matches!(period.grain, Grain::Month | Grain::Quarter) {
        let last = Period::containing(Grain::Month, period.last_day());
        let first = (1..12).fold(last, |p, _| p.prev());
        let row = sqlx::query(
            "SELECT (SELECT CAST(COALESCE(SUM(orders), 0) AS BIGINT) FROM order_months \
             WHERE month >= $1 AND month <= $2) AS n, \
             (SELECT COALESCE(MAX(customers), 0) FROM order_years WHERE month = $2) AS customers",
        )
        .bind(first.to_string())
        .bind(last.to_string())
        .fetch_one(&db.pool)
        .await?;
        return Ok((row.try_get("n")?, row.try_get("customers")?));
    }
    let end = period.end_exclusive();
    let start = end - chrono::Months::new(12);
    let row = sqlx::query(
        "SELECT COUNT(*) AS n, COUNT(DISTINCT customer_id) AS customers FROM orders \
         WHERE placed_at >= $1 AND placed_at < $2",
    )
    .bind(db.zone.day_start(day_number(start)))
    .bind(db.zone.day_start(day_number(end)))
    .fetch_one(&db.pool)
    .await?;
    Ok((row.try_get("n")?, row.try_get("customers")?))
}

/// 90 days, the window of the post-support repurchase KPI.
pub const REPURCHASE_WINDOW_SECONDS: i64 = 90 * 86_400;

/// Customers with a ticket in the period, and those who ordered within 90
/// days after one of those tickets, counted over the raw rows.
pub async fn ticket_customers(
    db: &Db,
    period: &Period,
    filters: &Filters,
) -> Result<(i64, i64), sqlx::Error> {
    let (start, end) = bounds(db, period);
    let row = sqlx::query(
        "SELECT COUNT(DISTINCT t.customer_id) AS customers, COUNT(DISTINCT CASE WHEN EXISTS (SELECT 1 FROM orders o \
         WHERE o.customer_id = t.customer_id AND o.placed_at > t.created_at AND o.placed_at <= t.created_at + $3) \
         THEN t.customer_id END) AS repurchased FROM tickets t WHERE t.created_at >= $1 AND t.created_at < $2 \
         AND t.customer_id IS NOT NULL AND t.channel = COALESCE($4, t.channel) \
         AND t.category = COALESCE($5, t.category) AND t.team = COALESCE($6, t.team)",
    )
    .bind(start)
    .bind(end)
    .bind(REPURCHASE_WINDOW_SECONDS)
    .bind_filters(filters)
    .fetch_one(&db.pool)
    .await?;
    Ok((row.try_get("customers")?, row.try_get("repurchased")?))
}

/// The financials of each month from `first` to `last` (months, `YYYY-MM`),
/// one statement for the whole range.
pub async fn finance_months(
    db: &Db,
    first: &str,
    last: &str,
) -> Result<HashMap<String, FinanceTotals>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT month, revenue, net_income, operating_expenses, support_cost, marketing_spend, new_customers, \
         gross_margin FROM financials WHERE month >= $1 AND month <= $2",
    )
    .bind(first.to_string())
    .bind(last.to_string())
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|row| {
            let month = FinanceTotals {
                months: 1,
                revenue: row.try_get("revenue")?,
                net_income: row.try_get("net_income")?,
                operating_expenses: row.try_get("operating_expenses")?,
                support_cost: row.try_get("support_cost")?,
                marketing_spend: row.try_get("marketing_spend")?,
                new_customers: row.try_get("new_customers")?,
                gross_margin: row.try_get("gross_margin")?,
            };
            Ok((row.try_get("month")?, month))
        })
        .collect()
}

/// The financials of the whole months inside a period, summed; `None` when
/// the period is not made of whole months or a month is missing.
pub fn finance_totals(period: &Period, months: &HashMap<String, FinanceTotals>) -> Option<FinanceTotals> {
    use crate::kpi::Grain;
    if !matches!(period.grain, Grain::Month | Grain::Quarter) {
        return None;
    }
    let mut f = FinanceTotals { gross_margin: Some(0.0), ..FinanceTotals::default() };
    for month in Period::containing(Grain::Month, period.start)
        .through(Period::containing(Grain::Month, period.last_day()))
    {
        let m = months.get(&month.to_string())?;
        f.months += 1;
        f.revenue += m.revenue;
        f.net_income += m.net_income;
        f.operating_expenses += m.operating_expenses;
        f.support_cost += m.support_cost;
        f.marketing_spend += m.marketing_spend;
        f.new_customers += m.new_customers;
        f.gross_margin = f.gross_margin.zip(m.gross_margin).map(|(a, b)| a + b);
    }
    Some(f)
}

/// The published benchmarks of one KPI, newest first.
pub async fn benchmarks(db: &Db, kpi: &str) -> Result<Vec<BenchmarkRecord>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT kpi, segment, p25, p50, p75, p90, unit, source, year FROM benchmarks \
         WHERE kpi = $1 ORDER BY year DESC, source",
    )
    .bind(kpi.to_string())
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(BenchmarkRecord {
                kpi: r.try_get("kpi")?,
                segment: r.try_get("segment")?,
                p25: r.try_get("p25")?,
                p50: r.try_get("p50")?,
                p75: r.try_get("p75")?,
                p90: r.try_get("p90")?,
                unit: r.try_get("unit")?,
                source: r.try_get("source")?,
                year: r.try_get("year")?,
            })
        })
        .collect()
}
