//! The customer × month table behind repeat-purchase and order-volume KPIs.
//! Ingest refreshes the rows of every customer it touched, from their
//! orders, or rebuilds the table when it touched a large share of them.

use super::sql::{self, batch_rows, bind_all, list_placeholders, Params};
use super::zone::ReportingZone;
use crate::kpi::period::date_of;
use crate::kpi::{Grain, Period};
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, BTreeSet};

/// One customer's month: orders, amount, and whether they had ordered before.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerMonth {
    pub month: String,
    pub orders: i64,
    /// The sum over the orders with a known amount.
    pub amount: f64,
    /// Orders with a known amount.
    pub priced_orders: i64,
    pub returning: bool,
}

/// Groups one customer's orders `(placed_at, amount)` by month of `zone`.
pub fn months_of(orders: &[(i64, Option<f64>)], zone: ReportingZone) -> Vec<CustomerMonth> {
    let mut by_month: BTreeMap<Period, (i64, f64, i64)> = BTreeMap::new();
    for (placed_at, amount) in orders {
        let month = Period::containing(Grain::Month, date_of(zone.day_of(*placed_at)));
        let entry = by_month.entry(month).or_default();
        entry.0 += 1;
        if let Some(amount) = amount {
            entry.1 += amount;
            entry.2 += 1;
        }
    }
    // Months come in order, so every month after the first is a returning one.
    by_month
        .into_iter()
        .enumerate()
        .map(|(i, (month, (orders, amount, priced_orders)))| CustomerMonth {
            month: month.to_string(),
            orders,
            amount,
            priced_orders,
            returning: i > 0,
        })
        .collect()
}

/// The trailing-year windows, named by their last month, that a customer
/// ordering in `months` counts in: each of those months and the 11 after it.
fn year_windows<'a>(months: impl IntoIterator<Item = &'a String>) -> BTreeSet<Period> {
    let mut windows = BTreeSet::new();
    for month in months.into_iter().filter_map(|m| Period::parse(m)) {
        windows.extend(std::iter::successors(Some(month), |p| Some(p.next())).take(12));
    }
    windows
}

/// Adds to `delta` how one customer's change of months moves each
/// trailing-year window's count of distinct customers.
fn add_year_delta(delta: &mut BTreeMap<Period, i64>, before: &BTreeSet<String>, after: &BTreeSet<String>) {
    let (before, after) = (year_windows(before), year_windows(after));
    for window in after.difference(&before) {
        *delta.entry(*window).or_default() += 1;
    }
    for window in before.difference(&after) {
        *delta.entry(*window).or_default() -= 1;
    }
}

/// Rebuilds the rows of `customers` from the orders table, then the monthly
/// totals of every month whose rows changed and the trailing-year counts of
/// every window they moved.
pub async fn refresh(
    conn: &mut AnyConnection,
    customers: &[String],
    zone: ReportingZone,
) -> Result<(), sqlx::Error> {
    let mut changed_months = BTreeSet::new();
    let mut year_delta = BTreeMap::new();
    for chunk in customers.chunks(batch_rows(5)) {
        let list = list_placeholders(Params::of(conn), chunk.len());
        let orders_sql = format!(
            "SELECT customer_id, placed_at, amount FROM orders WHERE customer_id IN ({list}) \
             ORDER BY customer_id, placed_at, external_id"
        );
        let mut fresh: BTreeMap<(String, String), CustomerMonth> = BTreeMap::new();
        let mut orders: BTreeMap<String, Vec<(i64, Option<f64>)>> = BTreeMap::new();
        for row in bind_all(sqlx::query(&orders_sql), chunk).fetch_all(&mut *conn).await? {
            orders
                .entry(row.try_get("customer_id")?)
                .or_default()
                .push((row.try_get("placed_at")?, row.try_get("amount")?));
        }
        for (customer, orders) in orders {
            for m in months_of(&orders, zone) {
                fresh.insert((customer.clone(), m.month.clone()), m);
            }
        }
        let stored_sql = format!(
            "SELECT customer_id, month, orders, amount, priced_orders, is_returning FROM customer_months \
             WHERE customer_id IN ({list})"
        );
        let mut after: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (customer, month) in fresh.keys() {
            after.entry(customer.clone()).or_default().insert(month.clone());
        }
        let mut before: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut stale = Vec::new();
        for row in bind_all(sqlx::query(&stored_sql), chunk).fetch_all(&mut *conn).await? {
            let key: (String, String) = (row.try_get("customer_id")?, row.try_get("month")?);
            before.entry(key.0.clone()).or_default().insert(key.1.clone());
            let stored = CustomerMonth {
                month: key.1.clone(),
                orders: row.try_get("orders")?,
                amount: row.try_get("amount")?,
                priced_orders: row.try_get("priced_orders")?,
                returning: row.try_get::<i64, _>("is_returning")? != 0,
            };
            if fresh.get(&key) == Some(&stored) {
                fresh.remove(&key);
            } else {
                stale.push(key);
            }
        }
        let none = BTreeSet::new();
        let touched: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
        for customer in touched {
            let (before, after) = (before.get(customer), after.get(customer));
            add_year_delta(&mut year_delta, before.unwrap_or(&none), after.unwrap_or(&none));
        }
        for (customer, month) in &stale {
            sqlx::query("DELETE FROM customer_months WHERE customer_id = $1 AND month = $2")
                .bind(customer.clone())
                .bind(month.clone())
                .execute(&mut *conn)
                .await?;
        }
        changed_months.extend(stale.into_iter().map(|(_, month)| month));
        changed_months.extend(fresh.values().map(|m| m.month.clone()));
        insert_rows(conn, fresh.into_iter().map(|((customer, _), m)| (customer, m)).collect()).await?;
    }
    for month in changed_months {
        refresh_month_totals(conn, &month).await?;
    }
    add_year_counts(conn, year_delta).await
}

async fn add_year_counts(conn: &mut AnyConnection, delta: BTreeMap<Period, i64>) -> Result<(), sqlx::Error> {
    for (window, n) in delta.into_iter().filter(|(_, n)| *n != 0) {
        sqlx::query(
            "INSERT INTO order_years (month, customers) VALUES ($1, $2) \
             ON CONFLICT (month) DO UPDATE SET customers = order_years.customers + excluded.customers",
        )
        .bind(window.to_string())
        .bind(n)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query("DELETE FROM order_years WHERE customers = 0").execute(conn).await?;
    Ok(())
}

/// Touched customers below which a write never rebuilds a customer table.
pub(super) const REBUILD_FLOOR: usize = 50_000;

/// Whether a write that touched `touched` of `all` customers should rebuild
/// a customer table rather than read each of them again: a lookup by
/// customer costs about six times a customer's share of one sorted pass
/// (measured on 1.1M tickets and 900,000 customers on SQLite).
pub(super) fn rebuild_pays(touched: usize, all: usize) -> bool {
    touched > REBUILD_FLOOR && touched * 6 > all
}

/// Brings the rows of `customers` up to date after their orders changed:
/// by [`refresh`], or by [`rebuild_all`] when they are a large share of all.
pub async fn update(
    conn: &mut AnyConnection,
    customers: &[String],
    zone: ReportingZone,
) -> Result<(), sqlx::Error> {
    if customers.len() > REBUILD_FLOOR {
        let row =
            sqlx::query("SELECT COUNT(DISTINCT customer_id) AS n FROM orders").fetch_one(&mut *conn).await?;
        if rebuild_pays(customers.len(), usize::try_from(row.try_get::<i64, _>("n")?).unwrap_or(0)) {
            return rebuild_all(conn, zone).await;
        }
    }
    refresh(conn, customers, zone).await
}

/// Orders read per page of a rebuild (a page ends with a whole customer).
const PAGE_ORDERS: i64 = 20_000;

/// Recomputes the whole table from the orders: after the reporting zone
/// changed, or after a write that touched a large share of the customers.
/// The orders are read a page at a time in customer order, each page a
/// range of the customer index, so memory holds one page.
pub async fn rebuild_all(conn: &mut AnyConnection, zone: ReportingZone) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM customer_months").execute(&mut *conn).await?;
    sqlx::query("DELETE FROM order_months").execute(&mut *conn).await?;
    sqlx::query("DELETE FROM order_years").execute(&mut *conn).await?;
    let mut windows: BTreeMap<Period, i64> = BTreeMap::new();
    // Validation refuses a blank customer id, so '' is below every stored one.
    let mut after = String::new();
    loop {
        // The page ends with the customer of its last order, taken whole.
        let end: Option<String> = sqlx::query(
            "SELECT customer_id FROM orders WHERE customer_id > $1 ORDER BY customer_id LIMIT 1 OFFSET $2",
        )
        .bind(after.clone())
        .bind(PAGE_ORDERS - 1)
        .fetch_optional(&mut *conn)
        .await?
        .map(|row| row.try_get("customer_id"))
        .transpose()?;
        let page = match &end {
            Some(end) => sqlx::query(
                "SELECT customer_id, placed_at, amount FROM orders WHERE customer_id > $1 AND customer_id <= $2 \
                 ORDER BY customer_id, placed_at, external_id",
            )
            .bind(after.clone())
            .bind(end.clone()),
            None => sqlx::query(
                "SELECT customer_id, placed_at, amount FROM orders WHERE customer_id > $1 \
                 ORDER BY customer_id, placed_at, external_id",
            )
            .bind(after.clone()),
        }
        .fetch_all(&mut *conn)
        .await?;
        let mut orders: BTreeMap<String, Vec<(i64, Option<f64>)>> = BTreeMap::new();
        for row in &page {
            orders
                .entry(row.try_get("customer_id")?)
                .or_default()
                .push((row.try_get("placed_at")?, row.try_get("amount")?));
        }
        let mut rows = Vec::new();
        for (customer, orders) in orders {
            let months = months_of(&orders, zone);
            for window in year_windows(months.iter().map(|m| &m.month)) {
                *windows.entry(window).or_default() += 1;
            }
            rows.extend(months.into_iter().map(|m| (customer.clone(), m)));
        }
        insert_rows(conn, rows).await?;
        match end {
            Some(end) => after = end,
            None => break,
        }
    }
    sqlx::query(&format!("INSERT INTO order_months {MONTH_TOTALS} GROUP BY month"))
        .execute(&mut *conn)
        .await?;
    add_year_counts(conn, windows).await
}

async fn insert_rows(
    conn: &mut AnyConnection,
    rows: Vec<(String, CustomerMonth)>,
) -> Result<(), sqlx::Error> {
    let statement = |values: &str| {
        format!(
            "INSERT INTO customer_months (month, customer_id, orders, amount, priced_orders, is_returning) \
             VALUES {values}"
        )
    };
    sql::insert_rows(conn, &rows, 6, statement, |v, (customer, m)| {
        v.add(m.month.as_str())
            .add(customer.as_str())
            .add(m.orders)
            .add(m.amount)
            .add(m.priced_orders)
            .add(i64::from(m.returning));
    })
    .await
}

/// `order_months`' columns and their totals over `customer_months`, to be
/// followed by a filter and `GROUP BY month`.
const MONTH_TOTALS: &str = "(month, orders, amount, customers, returning_customers, priced_orders) \
     SELECT month, CAST(SUM(orders) AS BIGINT), SUM(amount), COUNT(*), CAST(SUM(is_returning) AS BIGINT), \
     CAST(SUM(priced_orders) AS BIGINT) FROM customer_months";

/// Recomputes one month's row of `order_months`.
async fn refresh_month_totals(conn: &mut AnyConnection, month: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM order_months WHERE month = $1")
        .bind(month.to_string())
        .execute(&mut *conn)
        .await?;
    sqlx::query(&format!("INSERT INTO order_months {MONTH_TOTALS} WHERE month = $1 GROUP BY month"))
        .bind(month.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    #[test]
    fn a_customer_is_new_in_their_first_month_and_returning_after() {
        // 2025-01-01 is day 20089.
        let jan = 20_089 * DAY;
        let months = months_of(
            &[
                (jan, Some(10.0)),
                (jan + 3 * DAY, Some(5.0)),
                (jan + 4 * DAY, None),
                (jan + 40 * DAY, Some(7.5)),
            ],
            ReportingZone::UTC,
        );
        assert_eq!(
            months,
            vec![
                CustomerMonth {
                    month: "2025-01".into(),
                    orders: 3,
                    amount: 15.0,
                    priced_orders: 2,
                    returning: false
                },
                CustomerMonth {
                    month: "2025-02".into(),
                    orders: 1,
                    amount: 7.5,
                    priced_orders: 1,
                    returning: true
                },
            ]
        );
    }

    #[test]
    fn an_order_falls_in_the_month_of_the_reporting_zone() {
        // 2025-01-31 23:30 UTC is 2025-02-01 00:30 in Berlin.
        let late_january = 20_119 * DAY + 23 * 3600 + 1800;
        let month = |zone| months_of(&[(late_january, Some(1.0))], zone)[0].month.clone();
        assert_eq!(month(ReportingZone::UTC), "2025-01");
        assert_eq!(month(ReportingZone::parse("Europe/Berlin").unwrap()), "2025-02");
    }

    #[test]
    fn a_customer_moving_months_leaves_the_windows_only_the_old_month_opened() {
        let set = |months: &[&str]| months.iter().map(|m| m.to_string()).collect::<BTreeSet<_>>();
        let mut delta = BTreeMap::new();
        // January and November open windows ending 2025-01 to 2026-10.
        add_year_delta(&mut delta, &set(&["2025-01", "2025-11"]), &set(&["2025-03", "2025-11"]));
        let delta: Vec<(String, i64)> = delta.into_iter().map(|(p, n)| (p.to_string(), n)).collect();
        assert_eq!(delta, [("2025-01".to_string(), -1), ("2025-02".to_string(), -1)]);

        let mut first = BTreeMap::new();
        add_year_delta(&mut first, &BTreeSet::new(), &set(&["2025-12"]));
        assert_eq!(first.len(), 12);
        assert_eq!(first.keys().last().unwrap().to_string(), "2026-11");
    }
}
