//! Assembles the inputs of every requested KPI per period (and per group)
//! from the store's reads; the KPI engine then computes the values.

use super::read;
use super::Db;
use crate::kpi::period::{date_of, day_number, Grain, Period};
use crate::kpi::{compute, Kpi, KpiInputs, KpiSettings, Needs, OrderTotals, TicketTotals};
use crate::models::{Dimension, Filters};
use std::collections::{BTreeMap, BTreeSet};

/// Which KPIs, over which periods, for which slice of the data.
#[derive(Clone, Debug, PartialEq)]
pub struct KpiQuery {
    pub kpis: Vec<Kpi>,
    /// The first and last period, of the same grain.
    pub first: Period,
    pub last: Period,
    pub filters: Filters,
    /// Up to two dimensions; empty for company totals.
    pub group_by: Vec<Dimension>,
}

/// The inputs of each (group, period); the group is the values of `group_by`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KpiTable {
    pub periods: Vec<Period>,
    pub cells: BTreeMap<Vec<String>, BTreeMap<Period, KpiInputs>>,
}

impl KpiTable {
    /// The value of `kpi` for a group and period; `None` when there is none.
    pub fn value(&self, kpi: Kpi, group: &[String], period: &Period, settings: &KpiSettings) -> Option<f64> {
        let inputs = self.cells.get(group)?.get(period)?;
        compute(kpi, inputs, settings)
    }

    /// The inputs of a group and period (empty inputs if the group had no tickets).
    pub fn inputs(&self, group: &[String], period: &Period) -> Option<&KpiInputs> {
        self.cells.get(group)?.get(period)
    }
}

impl KpiQuery {
    /// What the requested KPIs read, together.
    fn needs(&self) -> Needs {
        self.kpis.iter().fold(Needs::default(), |all, k| {
            let n = k.needs();
            Needs {
                orders: all.orders || n.orders,
                finance: all.finance || n.finance,
                backlog: all.backlog || n.backlog,
            }
        })
    }

    fn wants(&self, kpi: Kpi) -> bool {
        self.kpis.contains(&kpi)
    }
}

/// Loads the inputs for `query`.
pub async fn load(db: &Db, query: &KpiQuery) -> Result<KpiTable, sqlx::Error> {
    let periods = query.first.through(query.last);
    let (first_day, last_day) = (day_number(query.first.start), day_number(query.last.last_day()));
    let grain = query.first.grain;
    let group_of = |key: &super::rollup::CellKey| -> Vec<String> {
        query
            .group_by
            .iter()
            .map(|d| match d {
                Dimension::Channel => key.channel.clone(),
                Dimension::Category => key.category.clone(),
                Dimension::Team => key.team.clone(),
            })
            .collect()
    };

    let mut ticket_cells: BTreeMap<Vec<String>, BTreeMap<Period, TicketTotals>> = BTreeMap::new();
    if query.group_by.is_empty() {
        ticket_cells.insert(Vec::new(), BTreeMap::new());
    }
    for (key, totals) in read::rollup_cells(db, first_day, last_day, &query.filters).await? {
        let period = Period::containing(grain, date_of(key.day));
        ticket_cells.entry(group_of(&key)).or_default().entry(period).or_default().merge(&totals);
    }

    let backlogs = if query.needs().backlog {
        Some(backlog_by_period(db, query, &periods, last_day).await?)
    } else {
        None
    };
    let mut company = BTreeMap::new();
    for period in &periods {
        company.insert(*period, company_inputs(db, query, period).await?);
    }

    let mut table = KpiTable { periods: periods.clone(), cells: BTreeMap::new() };
    for (group, by_period) in ticket_cells {
        let cells = periods
            .iter()
            .map(|p| {
                let (orders, finance): &(Option<OrderTotals>, _) = &company[p];
                let inputs = KpiInputs {
                    tickets: by_period.get(p).cloned().unwrap_or_default(),
                    backlog: backlogs.as_ref().map(|b| b.get(&(group.clone(), *p)).copied().unwrap_or(0)),
                    orders: orders.clone(),
                    finance: finance.clone(),
                };
                (*p, inputs)
            })
            .collect();
        table.cells.insert(group, cells);
    }
    Ok(table)
}

/// Orders and financials of a period: company-wide, whatever the filters.
async fn company_inputs(
    db: &Db,
    query: &KpiQuery,
    period: &Period,
) -> Result<(Option<OrderTotals>, Option<crate::kpi::FinanceTotals>), sqlx::Error> {
    let needs = query.needs();
    let orders = if needs.orders { Some(order_totals(db, query, period).await?) } else { None };
    let finance = if needs.finance { read::finance_totals(db, period).await? } else { None };
    Ok((orders, finance))
}

/// The order facts the requested KPIs need. Months read the customer × month
/// table; other grains count distinct customers over the orders themselves.
async fn order_totals(db: &Db, query: &KpiQuery, period: &Period) -> Result<OrderTotals, sqlx::Error> {
    let mut o = OrderTotals::default();
    if period.grain == Grain::Month {
        (o.orders, o.amount, o.customers, o.returning_customers) = read::month_orders(db, period).await?;
    } else {
        (o.orders, o.amount, o.customers) = read::order_volume(db, period).await?;
        if query.wants(Kpi::RepeatPurchaseRate) {
            o.returning_customers = read::returning_customers(db, period).await?;
        }
    }
    if query.wants(Kpi::Clv) {
        (o.trailing_year_orders, o.trailing_year_customers) = read::trailing_year_orders(db, period).await?;
    }
    if query.wants(Kpi::PostSupportRepurchase) {
        (o.ticket_customers, o.ticket_customers_repurchased) =
            read::ticket_customers(db, period, &query.filters).await?;
        let window_end = day_number(period.end_exclusive()) * 86_400 + read::REPURCHASE_WINDOW_SECONDS;
        o.repurchase_provisional = window_end > chrono::Utc::now().timestamp();
    }
    Ok(o)
}

/// Open tickets at the end of each period, per group.
async fn backlog_by_period(
    db: &Db,
    query: &KpiQuery,
    periods: &[Period],
    last_day: i64,
) -> Result<BTreeMap<(Vec<String>, Period), i64>, sqlx::Error> {
    let days = read::created_and_resolved(db, last_day, &query.filters, &query.group_by).await?;
    let ends: BTreeSet<(i64, Period)> = periods.iter().map(|p| (day_number(p.last_day()), *p)).collect();
    let mut open: BTreeMap<Vec<String>, i64> = BTreeMap::new();
    let mut out = BTreeMap::new();
    let mut pending = ends.iter().peekable();
    let record = |open: &BTreeMap<Vec<String>, i64>, period: Period, out: &mut BTreeMap<_, _>| {
        for (group, n) in open {
            out.insert((group.clone(), period), *n);
        }
    };
    for (day, group, created, resolved) in days {
        while let Some((end, period)) = pending.peek() {
            if *end < day {
                record(&open, *period, &mut out);
                pending.next();
            } else {
                break;
            }
        }
        *open.entry(group).or_default() += created - resolved;
    }
    for (_, period) in pending {
        record(&open, *period, &mut out);
    }
    Ok(out)
}

/// The months that hold ticket data, oldest first.
pub async fn months_with_data(db: &Db) -> Result<Vec<Period>, sqlx::Error> {
    Ok(match super::rollup::data_span(db).await? {
        Some((first, last)) => {
            Period::containing(Grain::Month, first).through(Period::containing(Grain::Month, last))
        }
        None => Vec::new(),
    })
}

/// The last day with tickets, or today when there are none yet.
pub async fn latest_day(db: &Db) -> Result<chrono::NaiveDate, sqlx::Error> {
    Ok(match super::rollup::data_span(db).await? {
        Some((_, last)) => last,
        None => chrono::Utc::now().date_naive(),
    })
}

/// Every value of a dimension in the data, alphabetically.
pub async fn dimension_values(db: &Db, dimension: Dimension) -> Result<Vec<String>, sqlx::Error> {
    // One fixed statement per dimension: no SQL is built from text.
    let sql = match dimension {
        Dimension::Channel => "SELECT DISTINCT channel AS v FROM daily_rollup ORDER BY v",
        Dimension::Category => "SELECT DISTINCT category AS v FROM daily_rollup ORDER BY v",
        Dimension::Team => "SELECT DISTINCT team AS v FROM daily_rollup ORDER BY v",
    };
    use sqlx::Row;
    let rows = sqlx::query(sql).fetch_all(&db.pool).await?;
    rows.iter().map(|r| r.try_get("v")).collect()
}
