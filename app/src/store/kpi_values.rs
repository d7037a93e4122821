//! Assembles the inputs of every requested KPI per period (and per group)
//! from the store's reads; the KPI engine then computes the values.

use super::Db;
use super::{cube, read};
use crate::kpi::period::{date_of, day_number, Grain, Period};
use crate::kpi::sketch::Sketches;
use crate::kpi::{compute, FinanceTotals, Kpi, KpiInputs, KpiSettings, Needs, OrderTotals, TicketTotals};
use crate::models::{Dimension, Filters};
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashMap};

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

/// Loads the inputs for `query`: a handful of statements whatever the
/// number of periods, each reading one row per period and group. A period
/// of a group is one cube row, whose stored medians answer: its
/// sketches are not read, so its inputs must not be merged with others'
/// (see [`load_mergeable`]).
pub async fn load(db: &Db, query: &KpiQuery) -> Result<KpiTable, sqlx::Error> {
    load_with(db, query, query.first.through(query.last), Sketches::NONE).await
}

/// As [`load`] for `periods` of the query's range only, with every period's
/// sketches, for callers that merge periods' inputs (a trend's baseline):
/// merging drops stored medians. A running count (the backlog) needs every
/// period before the last, so with it the whole range is read.
pub async fn load_mergeable(db: &Db, query: &KpiQuery, periods: &[Period]) -> Result<KpiTable, sqlx::Error> {
    let periods = match query.needs().backlog {
        true => query.first.through(query.last),
        false => {
            let mut periods = periods.to_vec();
            periods.sort();
            periods.dedup();
            periods
        }
    };
    let sketches = query.kpis.iter().fold(Sketches::NONE, |all, k| all.and(k.sketches()));
    load_with(db, query, periods, sketches).await
}

/// The inputs of `periods` (in order; with the backlog, consecutive).
async fn load_with(
    db: &Db,
    query: &KpiQuery,
    periods: Vec<Period>,
    sketches: Sketches,
) -> Result<KpiTable, sqlx::Error> {
    let Some(first_day) = periods.first().map(|p| day_number(p.start)) else {
        return Ok(KpiTable::default());
    };
    // Runs of consecutive periods, each read as one range of days.
    let mut ranges: Vec<(i64, i64)> = Vec::new();
    for (i, p) in periods.iter().enumerate() {
        let (start, end) = (day_number(p.start), day_number(p.last_day()));
        match ranges.last_mut() {
            Some((_, run_end)) if periods[i - 1].next() == *p => *run_end = end,
            _ => ranges.push((start, end)),
        }
    }
    let grain = query.first.grain;
    let needs = query.needs();
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

    // The coarsest cube rows no period cuts.
    let coarsest = match grain {
        Grain::Day => cube::Level::Day,
        Grain::Week => cube::Level::Week,
        Grain::Month => cube::Level::Month,
        Grain::Quarter => cube::Level::Quarter,
    };
    let mut ticket_cells: BTreeMap<Vec<String>, BTreeMap<Period, TicketTotals>> = BTreeMap::new();
    if query.group_by.is_empty() {
        ticket_cells.insert(Vec::new(), BTreeMap::new());
    }
    // Per group and period: tickets created minus tickets resolved.
    let mut net_opened: BTreeMap<Vec<String>, BTreeMap<Period, i64>> = BTreeMap::new();
    // The three reads are independent: on separate connections they wait
    // for the database together, not one after the other.
    let opening = async {
        if needs.backlog {
            cube::open_before(db, first_day, &query.filters, &query.group_by).await.map(Some)
        } else {
            Ok(None)
        }
    };
    let (cells, opening, company) = futures_util::try_join!(
        cube::cells_over(db, &ranges, coarsest, &query.filters, &query.group_by, sketches),
        opening,
        company_inputs(db, query, &periods),
    )?;
    for (key, cell) in cells {
        let period = Period::containing(grain, date_of(key.day));
        let group = group_of(&key);
        *net_opened.entry(group.clone()).or_default().entry(period).or_default() +=
            cell.totals.tickets - cell.resolved_on_day;
        if cell.totals.tickets > 0 {
            // The first row of a group and period is moved in, not merged
            // into an empty one: a copy of every sketch read.
            match ticket_cells.entry(group).or_default().entry(period) {
                Entry::Vacant(vacant) => {
                    vacant.insert(cell.totals);
                }
                Entry::Occupied(mut occupied) => occupied.get_mut().merge(&cell.totals),
            }
        }
    }

    let backlogs = opening.map(|opening| {
        let opening = opening.iter().map(|(key, open)| (group_of(key), *open));
        running_backlog(opening, &net_opened, &periods)
    });

    let mut table = KpiTable { periods: periods.clone(), cells: BTreeMap::new() };
    for (group, by_period) in ticket_cells {
        let cells = periods
            .iter()
            .zip(&company)
            .map(|(p, (orders, finance))| {
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

/// Open tickets at the end of each period, per group: the tickets open
/// before the first period plus each period's created minus resolved.
fn running_backlog(
    opening: impl Iterator<Item = (Vec<String>, i64)>,
    net_opened: &BTreeMap<Vec<String>, BTreeMap<Period, i64>>,
    periods: &[Period],
) -> BTreeMap<(Vec<String>, Period), i64> {
    let mut open: BTreeMap<Vec<String>, i64> = BTreeMap::new();
    for (group, n) in opening {
        *open.entry(group).or_default() += n;
    }
    for group in net_opened.keys() {
        open.entry(group.clone()).or_default();
    }
    let mut out = BTreeMap::new();
    for (group, mut n) in open {
        for period in periods {
            n += net_opened.get(&group).and_then(|by| by.get(period)).copied().unwrap_or(0);
            out.insert((group.clone(), *period), n);
        }
    }
    out
}

/// Orders and financials of each period: company-wide, whatever the filters.
/// Months and quarters read one statement each for the whole range.
async fn company_inputs(
    db: &Db,
    query: &KpiQuery,
    periods: &[Period],
) -> Result<Vec<(Option<OrderTotals>, Option<FinanceTotals>)>, sqlx::Error> {
    let needs = query.needs();
    let first_month = Period::containing(Grain::Month, query.first.start);
    let last_month = Period::containing(Grain::Month, query.last.last_day());
    let month_orders = async {
        if needs.orders && query.first.grain == Grain::Month {
            read::month_orders(db, &first_month, &last_month).await
        } else {
            Ok(HashMap::new())
        }
    };
    let finance_months = async {
        if needs.finance {
            read::finance_months(db, &first_month.to_string(), &last_month.to_string()).await
        } else {
            Ok(HashMap::new())
        }
    };
    let (month_orders, finance_months) = futures_util::try_join!(month_orders, finance_months)?;
    let mut out = Vec::with_capacity(periods.len());
    for period in periods {
        let orders =
            if needs.orders { Some(order_totals(db, query, period, &month_orders).await?) } else { None };
        let finance = if needs.finance { read::finance_totals(period, &finance_months) } else { None };
        out.push((orders, finance));
    }
    Ok(out)
}

/// The order facts the requested KPIs need. Months read the monthly order
/// totals; other grains count distinct customers over the orders themselves.
async fn order_totals(
    db: &Db,
    query: &KpiQuery,
    period: &Period,
    month_orders: &HashMap<String, (i64, f64, i64, i64, i64)>,
) -> Result<OrderTotals, sqlx::Error> {
    let mut o = OrderTotals::default();
    if period.grain == Grain::Month {
        (o.orders, o.amount, o.customers, o.returning_customers, o.priced_orders) =
            month_orders.get(&period.to_string()).copied().unwrap_or((0, 0.0, 0, 0, 0));
    } else {
        (o.orders, o.amount, o.customers, o.priced_orders) = read::order_volume(db, period).await?;
        if query.wants(Kpi::RepeatPurchaseRate) {
            o.returning_customers = read::returning_customers(db, period).await?;
        }
    }
    if query.wants(Kpi::Clv) {
        (o.trailing_year_orders, o.trailing_year_customers) = read::trailing_year_orders(db, period).await?;
    }
    if query.wants(Kpi::PostSupportRepurchase) {
        (o.ticket_customers, o.ticket_customers_repurchased) = if period.grain == Grain::Month {
            super::support_months::month(db, period, &query.filters).await?
        } else {
            read::ticket_customers(db, period, &query.filters).await?
        };
        let window_end =
            db.zone.day_start(day_number(period.end_exclusive())) + read::REPURCHASE_WINDOW_SECONDS;
        o.repurchase_provisional = window_end > chrono::Utc::now().timestamp();
    }
    Ok(o)
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
        Dimension::Channel => {
            "SELECT DISTINCT channel AS v FROM rollup_cube WHERE level = 1 AND dims = 1 ORDER BY v"
        }
        Dimension::Category => {
            "SELECT DISTINCT category AS v FROM rollup_cube WHERE level = 1 AND dims = 2 ORDER BY v"
        }
        Dimension::Team => {
            "SELECT DISTINCT team AS v FROM rollup_cube WHERE level = 1 AND dims = 4 ORDER BY v"
        }
    };
    use sqlx::Row;
    let rows = sqlx::query(sql).fetch_all(&db.pool).await?;
    rows.iter().map(|r| r.try_get("v")).collect()
}
