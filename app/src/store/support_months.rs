//! The post-support repurchase KPI per month (migration 0014): for every
//! combination of channel, category and team a month can be filtered by
//! (the cube's `dims`), the customers with a ticket in the month and those
//! of them who ordered within 90 days after one of those tickets. A month
//! then reads one row, however many tickets it holds.
//!
//! A customer's part depends on their tickets and their orders only, so
//! ingest takes out the part of every customer it is about to change, and
//! adds their part again at commit, computed from their rows as written.

use super::cube;
use super::customer_months::{rebuild_pays, REBUILD_FLOOR};
use super::names::Names;
use super::packed;
use super::read::REPURCHASE_WINDOW_SECONDS;
use super::sql::{batch_rows, bind_all, list_placeholders, values_placeholders, Params};
use super::zone::ReportingZone;
use super::{alongside, Db};
use crate::kpi::period::{date_of, day_number};
use crate::kpi::{Grain, Period};
use crate::models::{Dimension, Filters};
use rustc_hash::FxHashMap;
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, HashSet};

/// A row's key: month (`YYYY-MM`), dims, channel, category, team (blank
/// where `dims` leaves the dimension out).
type Key = (String, i64, String, String, String);

/// A [`Key`] as counted: the month's first day number, dims, and the
/// numbers of the three texts in [`Counts::names`].
type Packed = (i64, i64, u32, u32, u32);

/// Tickets read per page (at least: a page ends with a customer's last
/// ticket) by [`Counts::read_all`] in a rebuild.
const TICKETS_PER_PAGE: usize = 10_000;

/// Customers and repurchasing customers, per key: added, or taken out.
#[derive(Debug, Default)]
pub struct Counts {
    rows: FxHashMap<Packed, (i64, i64)>,
    names: Names,
    /// One customer's spans, kept between customers: made afresh for each,
    /// the map grew by rehashing (`reserve_rehash` was 14 % of a first
    /// import's rebuild in perf).
    spans: FxHashMap<Packed, (i64, i64)>,
    /// One customer's tickets with their texts numbered, kept between
    /// customers as `spans` is.
    numbered: Vec<(i64, [u32; 3])>,
}

/// One ticket of a customer: when, and its channel, category and team.
pub struct SupportTicket {
    pub created_at: i64,
    pub channel: String,
    pub category: String,
    pub team: String,
}

impl Counts {
    /// The counts by key in key order, leaving out keys whose changes cancelled out.
    pub(super) fn rows(&self) -> BTreeMap<Key, (i64, i64)> {
        let name = |id: u32| self.names.name(id).to_string();
        self.rows
            .iter()
            .filter(|(_, n)| **n != (0, 0))
            .map(|(&(month, dims, channel, category, team), &n)| {
                let month = Period::containing(Grain::Month, date_of(month)).to_string();
                ((month, dims, name(channel), name(category), name(team)), n)
            })
            .collect()
    }

    /// Counts whose texts are numbered as in `names`, for tickets whose
    /// texts `names` has numbered already ([`Self::add_numbered_customer`]).
    pub(super) fn numbering(names: Names) -> Counts {
        Counts { names, ..Counts::default() }
    }

    /// Adds one customer's part: `tickets` and their orders' times, sorted.
    pub fn add_customer(
        &mut self,
        tickets: &[SupportTicket],
        orders: &[i64],
        zone: ReportingZone,
        sign: i64,
    ) {
        let mut numbered = std::mem::take(&mut self.numbered);
        numbered.clear();
        for t in tickets {
            let ids = [&t.channel, &t.category, &t.team].map(|name| self.names.number(name));
            numbered.push((t.created_at, ids));
        }
        self.add_numbered_customer(&numbered, orders, zone, sign);
        self.numbered = numbered;
    }

    /// As [`Self::add_customer`], each ticket given as when it was created
    /// and the numbers of its channel, category and team in these counts' names.
    /// Within a month a customer's tickets lie less than 90 days apart, so
    /// their 90-day windows join into one, from the first ticket to 90 days
    /// after the last: whether any order falls in it is one search.
    pub(super) fn add_numbered_customer(
        &mut self,
        tickets: &[(i64, [u32; 3])],
        orders: &[i64],
        zone: ReportingZone,
        sign: i64,
    ) {
        let blank = self.names.number("");
        let mut spans = std::mem::take(&mut self.spans);
        spans.clear();
        for &(created_at, ids) in tickets {
            let month = day_number(Period::containing(Grain::Month, date_of(zone.day_of(created_at))).start);
            for dims in 0..8 {
                let keep = |d: Dimension, id: u32| if dims & cube::bit(d) != 0 { id } else { blank };
                let key = (
                    month,
                    dims,
                    keep(Dimension::Channel, ids[0]),
                    keep(Dimension::Category, ids[1]),
                    keep(Dimension::Team, ids[2]),
                );
                let span = spans.entry(key).or_insert((created_at, created_at));
                span.0 = span.0.min(created_at);
                span.1 = span.1.max(created_at);
            }
        }
        for (&key, &(first, last)) in &spans {
            // The first order after the first ticket, if it is within 90 days of the last.
            let next = orders.partition_point(|&o| o <= first);
            let repurchased = orders.get(next).is_some_and(|&o| o <= last + REPURCHASE_WINDOW_SECONDS);
            let entry = self.rows.entry(key).or_default();
            entry.0 += sign;
            entry.1 += sign * i64::from(repurchased);
        }
        // Not one customer's with thousands of tickets: clearing and walking
        // the map costs its capacity, for every customer after.
        if spans.capacity() <= 1024 {
            self.spans = spans;
        }
    }

    /// Adds the counts of `other`, whose texts may be numbered otherwise.
    pub(super) fn absorb(&mut self, other: Counts) {
        for ((month, dims, channel, category, team), (customers, repurchased)) in other.rows {
            let [channel, category, team] =
                [channel, category, team].map(|id| self.names.number(other.names.name(id)));
            let entry = self.rows.entry((month, dims, channel, category, team)).or_default();
            entry.0 += customers;
            entry.1 += repurchased;
        }
    }

    /// Adds the parts of `customers`, read from their tickets and, with
    /// `read_orders`, their orders.
    pub async fn read_customers(
        &mut self,
        conn: &mut AnyConnection,
        customers: &[String],
        zone: ReportingZone,
        sign: i64,
        read_orders: bool,
    ) -> Result<(), sqlx::Error> {
        for chunk in customers.chunks(batch_rows(5)) {
            let list = list_placeholders(Params::of(conn), chunk.len());
            let tickets_sql = format!(
                "SELECT customer_id, created_at, channel, category, team FROM tickets WHERE customer_id IN ({list})"
            );
            let mut tickets: BTreeMap<String, Vec<SupportTicket>> = BTreeMap::new();
            for row in bind_all(sqlx::query(&tickets_sql), chunk).fetch_all(&mut *conn).await? {
                tickets.entry(row.try_get("customer_id")?).or_default().push(SupportTicket {
                    created_at: row.try_get("created_at")?,
                    channel: row.try_get("channel")?,
                    category: row.try_get("category")?,
                    team: row.try_get("team")?,
                });
            }
            if tickets.is_empty() || !read_orders {
                for tickets in tickets.values() {
                    self.add_customer(tickets, &[], zone, sign);
                }
                continue;
            }
            let customers: Vec<String> = tickets.keys().cloned().collect();
            let list = list_placeholders(Params::of(conn), customers.len());
            let orders_sql = format!(
                "SELECT customer_id, placed_at FROM orders WHERE customer_id IN ({list}) ORDER BY customer_id, placed_at"
            );
            let mut orders: BTreeMap<String, Vec<i64>> = BTreeMap::new();
            for row in bind_all(sqlx::query(&orders_sql), &customers).fetch_all(&mut *conn).await? {
                orders.entry(row.try_get("customer_id")?).or_default().push(row.try_get("placed_at")?);
            }
            for (customer, tickets) in &tickets {
                let orders = orders.get(customer).map_or(&[][..], Vec::as_slice);
                self.add_customer(tickets, orders, zone, sign);
            }
        }
        Ok(())
    }

    /// Adds the part of every customer with a ticket, a page of customers
    /// at a time: each page's tickets and orders come as one document (see
    /// [`packed`]), so memory holds one page, and no row crosses from the
    /// database on its own (read row by row, the 100k demo sample's
    /// customers took a second). Reading a large share of the customers
    /// this way is several times faster than looking them up.
    pub async fn read_all(
        &mut self,
        conn: &mut AnyConnection,
        zone: ReportingZone,
        tickets_per_page: usize,
    ) -> Result<(), sqlx::Error> {
        let mut start = Some(PageStart::first());
        // Each page is parsed and counted on a thread of its own while the database reads the next.
        let mut counting = None;
        loop {
            let page = next_page(conn, &mut start, tickets_per_page).await?;
            if let Some(counted) = counting.take() {
                *self = counted.await??;
            }
            let Some(page) = page else { return Ok(()) };
            let mut counts = std::mem::take(self);
            counting = Some(alongside(move || {
                counts.add_page(page.rows()?, zone);
                Ok::<_, sqlx::Error>(counts)
            }));
        }
    }

    /// Adds the part of every customer of a page read by [`next_page`].
    fn add_page(&mut self, rows: Vec<PageRow>, zone: ReportingZone) {
        let mut customers: FxHashMap<String, (Vec<SupportTicket>, Vec<i64>)> = FxHashMap::default();
        for (customer, kind, at, channel, category, team) in rows {
            let (tickets, orders) = customers.entry(customer).or_default();
            if kind == 1 {
                orders.push(at);
            } else {
                tickets.push(SupportTicket { created_at: at, channel, category, team });
            }
        }
        for (tickets, mut orders) in customers.into_values() {
            orders.sort_unstable();
            self.add_customer(&tickets, &orders, zone, 1);
        }
    }

    /// Adds the counts to the stored rows, and drops rows left with no customer.
    pub async fn apply(self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        let changed: Vec<(Key, (i64, i64))> = self.rows().into_iter().collect();
        for chunk in changed.chunks(batch_rows(7)) {
            let sql = format!(
                "INSERT INTO support_months (month, dims, channel, category, team, customers, repurchased) \
                 VALUES {} ON CONFLICT (month, dims, channel, category, team) DO UPDATE SET \
                 customers = support_months.customers + excluded.customers, \
                 repurchased = support_months.repurchased + excluded.repurchased",
                values_placeholders(Params::of(conn), chunk.len(), 7)
            );
            let mut insert = sqlx::query(&sql);
            for ((month, dims, channel, category, team), (customers, repurchased)) in chunk {
                insert = insert
                    .bind(month.clone())
                    .bind(*dims)
                    .bind(channel.clone())
                    .bind(category.clone())
                    .bind(team.clone())
                    .bind(*customers)
                    .bind(*repurchased);
            }
            insert.execute(&mut *conn).await?;
        }
        if !changed.is_empty() {
            sqlx::query("DELETE FROM support_months WHERE customers = 0").execute(conn).await?;
        }
        Ok(())
    }
}

/// A ticket (kind 0: when, channel, category, team) or an order (kind 1:
/// when it was placed) of a customer, as [`next_page`] reads them.
type PageRow = (String, i64, i64, String, String, String);

const PAGE_COLUMNS: &str = "customer_id, kind, at, channel, category, team";
const TICKET_ROWS: &str =
    "SELECT customer_id, CAST(0 AS BIGINT) AS kind, created_at AS at, channel, category, team FROM tickets";

/// Where the next page of customers starts: at `customer` (the first page,
/// at the lowest id, which may be empty; or the customer a page was cut
/// before), or just after it (a customer read whole).
struct PageStart {
    customer: String,
    inclusive: bool,
}

impl PageStart {
    fn first() -> PageStart {
        PageStart { customer: String::new(), inclusive: true }
    }

    /// The comparison that keeps the customers from here on.
    fn from(&self) -> &'static str {
        if self.inclusive {
            ">="
        } else {
            ">"
        }
    }
}

/// The tickets and orders of the next page of customers from `start`,
/// which then becomes where the page after starts; None after the last.
///
/// A page is the next `tickets_per_page` tickets in customer order, as the
/// customer index holds them, less those of its last customer, who may have
/// more beyond: that customer starts the next page. The database names
/// that customer (its collation orders the ids). (Walking the index to the
/// page's end first, then reading the page, read it twice: the walks took
/// 0.5 s of a 10M-ticket import. Ending a page after a number of distinct
/// customers, inside a first import before Postgres had statistics of the
/// tickets, it planned that `DISTINCT` as a scan of every later ticket,
/// once per page: importing 1.1M tickets took 154 s with it, 39 s without.)
async fn next_page(
    conn: &mut AnyConnection,
    start: &mut Option<PageStart>,
    tickets_per_page: usize,
) -> Result<Option<Page>, sqlx::Error> {
    let Some(page_start) = start.take() else { return Ok(None) };
    let (from, lower) = (page_start.from(), page_start.customer);
    let limit = tickets_per_page.max(1);
    let read = format!("{TICKET_ROWS} WHERE customer_id {from} $1 ORDER BY customer_id LIMIT {limit}");
    let tickets =
        packed::document(conn, &read, PAGE_COLUMNS, "customer_id", |q| q.bind(lower.clone())).await?;
    let Some((first, last)) = tickets.span else { return Ok(None) };
    let mut page = Page { documents: vec![tickets.text], without: None };
    // The orders of the customers read: those up to `last`, or before it.
    let mut orders_to = "<=";
    if tickets.rows == limit as i64 {
        if first == last {
            // One customer fills the page: read all of theirs.
            let whole = format!("{TICKET_ROWS} WHERE customer_id = $1");
            page.documents[0] =
                packed::document(conn, &whole, PAGE_COLUMNS, "customer_id", |q| q.bind(last.clone()))
                    .await?
                    .text;
            *start = Some(PageStart { customer: last.clone(), inclusive: false });
        } else {
            orders_to = "<";
            page.without = Some(last.clone());
            *start = Some(PageStart { customer: last.clone(), inclusive: true });
        }
    }
    let orders = format!(
        "SELECT customer_id, CAST(1 AS BIGINT) AS kind, placed_at AS at, '' AS channel, '' AS category, \
         '' AS team FROM orders WHERE customer_id {from} $1 AND customer_id {orders_to} $2"
    );
    let orders = packed::document(conn, &orders, PAGE_COLUMNS, "customer_id", |q| {
        q.bind(lower.clone()).bind(last.clone())
    })
    .await?;
    page.documents.push(orders.text);
    Ok(Some(page))
}

/// A page of customers' tickets and orders as the database spelled them.
struct Page {
    documents: Vec<String>,
    /// The customer whose tickets are left to the next page.
    without: Option<String>,
}

impl Page {
    fn rows(self) -> Result<Vec<PageRow>, sqlx::Error> {
        let mut rows = Vec::new();
        for document in &self.documents {
            rows.extend(packed::parse::<PageRow>(document)?);
        }
        if let Some(without) = &self.without {
            rows.retain(|row| &row.0 != without);
        }
        Ok(rows)
    }
}

/// What a writer changes: each customer's part is taken out before the
/// writer first touches them, and added back at commit. Once the writer
/// has touched a large share of the customers, the whole table is rebuilt
/// at commit instead: one streamed pass costs less than reading that many
/// customers one by one, and nothing is kept per customer meanwhile.
pub struct SupportDelta {
    zone: ReportingZone,
    counts: Counts,
    touched: HashSet<String>,
    rebuild: bool,
    /// Customers with a ticket, counted once the touched ones pass
    /// [`REBUILD_FLOOR`].
    customers: Option<usize>,
    /// Whether a customer touched can have stored orders (see
    /// [`Self::with_no_orders_stored`]).
    orders_stored: bool,
}

impl SupportDelta {
    /// `nothing_stored`: no stored ticket can be a customer's yet (the
    /// first import of tickets), so every customer is the writer's.
    pub fn new(zone: ReportingZone, nothing_stored: bool) -> SupportDelta {
        SupportDelta {
            zone,
            counts: Counts::default(),
            touched: HashSet::new(),
            rebuild: nothing_stored,
            customers: None,
            orders_stored: true,
        }
    }

    /// For an orders writer that began on an empty table: a customer is
    /// touched before the first of their orders is written, so their
    /// stored part has no order, and none is read. (The table's customer
    /// index is built at commit: read without it, each look-up was a scan.)
    pub fn with_no_orders_stored(self) -> SupportDelta {
        SupportDelta { orders_stored: false, ..self }
    }

    /// Takes out the stored part of the customers among `customers` not
    /// touched yet; call it before writing their rows.
    pub async fn touch<'a>(
        &mut self,
        conn: &mut AnyConnection,
        customers: impl IntoIterator<Item = &'a String>,
    ) -> Result<(), sqlx::Error> {
        if self.rebuild {
            return Ok(());
        }
        let new: Vec<String> =
            customers.into_iter().filter(|c| self.touched.insert((*c).clone())).cloned().collect();
        if self.touched.len() > REBUILD_FLOOR {
            let all = match self.customers {
                Some(all) => all,
                None => {
                    let row = sqlx::query("SELECT COUNT(DISTINCT customer_id) AS n FROM tickets")
                        .fetch_one(&mut *conn)
                        .await?;
                    *self.customers.insert(usize::try_from(row.try_get::<i64, _>("n")?).unwrap_or(0))
                }
            };
            if rebuild_pays(self.touched.len(), all) {
                self.rebuild_at_commit();
                return Ok(());
            }
        }
        if !new.is_empty() {
            self.counts.read_customers(conn, &new, self.zone, -1, self.orders_stored).await?;
        }
        Ok(())
    }

    /// Rebuilds the table at commit instead of reading each customer
    /// touched: for a write that no longer keeps the tickets' customer index.
    pub fn rebuild_at_commit(&mut self) {
        (self.rebuild, self.counts, self.touched) = (true, Counts::default(), HashSet::new());
    }

    /// Adds back the part of every touched customer, as written, and stores
    /// the change; or rebuilds the table.
    pub async fn apply(mut self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        if self.rebuild {
            return rebuild_all(conn, self.zone).await;
        }
        let touched: Vec<String> = self.touched.into_iter().collect();
        self.counts.read_customers(conn, &touched, self.zone, 1, true).await?;
        self.counts.apply(conn).await
    }
}

/// Recomputes the whole table: after the reporting zone changed, or after a
/// write that touched a large share of the customers.
pub async fn rebuild_all(conn: &mut AnyConnection, zone: ReportingZone) -> Result<(), sqlx::Error> {
    rebuild_in_pages(conn, zone, TICKETS_PER_PAGE).await
}

/// [`rebuild_all`], reading pages of `tickets_per_page` tickets (rounded up
/// to a customer's last): tests use small pages to cross many boundaries.
#[doc(hidden)]
pub async fn rebuild_in_pages(
    conn: &mut AnyConnection,
    zone: ReportingZone,
    tickets_per_page: usize,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM support_months").execute(&mut *conn).await?;
    let mut counts = Counts::default();
    counts.read_all(conn, zone, tickets_per_page).await?;
    counts.apply(conn).await
}

/// Replaces the table with `counts`, every customer's part counted apart:
/// a first import without stored orders counts them from the files it
/// keeps its tickets in by month (`dim_spill`), instead of reading every
/// ticket back by customer (a tenth of a 10M-ticket import, perf).
pub(super) async fn replace_all(conn: &mut AnyConnection, counts: Counts) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM support_months").execute(&mut *conn).await?;
    counts.apply(conn).await
}

/// Fills the table of a database whose tickets predate it.
pub async fn build_if_missing(db: &Db) -> Result<(), sqlx::Error> {
    let built = sqlx::query("SELECT 1 AS x FROM support_months LIMIT 1").fetch_optional(&db.pool).await?;
    let needed = sqlx::query("SELECT 1 AS x FROM tickets WHERE customer_id IS NOT NULL LIMIT 1")
        .fetch_optional(&db.pool)
        .await?;
    if built.is_some() || needed.is_none() {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    rebuild_all(&mut tx, db.zone).await?;
    tx.commit().await
}

/// Customers with a ticket in `month` matching `filters`, and those of them
/// who ordered within 90 days after one of those tickets.
pub async fn month(db: &Db, month: &Period, filters: &Filters) -> Result<(i64, i64), sqlx::Error> {
    let row = sqlx::query(
        "SELECT customers, repurchased FROM support_months \
         WHERE month = $1 AND dims = $2 AND channel = $3 AND category = $4 AND team = $5",
    )
    .bind(month.to_string())
    .bind(cube::dims_for(filters, &[]))
    .bind(filters.channel.clone().unwrap_or_default())
    .bind(filters.category.clone().unwrap_or_default())
    .bind(filters.team.clone().unwrap_or_default())
    .fetch_optional(&db.pool)
    .await?;
    match row {
        Some(row) => Ok((row.try_get("customers")?, row.try_get("repurchased")?)),
        None => Ok((0, 0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;
    /// 2025-01-01 00:00 UTC.
    const JAN: i64 = 20_089 * DAY;

    fn ticket(created_at: i64, channel: &str) -> SupportTicket {
        SupportTicket {
            created_at,
            channel: channel.into(),
            category: "delivery".into(),
            team: "Tier 1".into(),
        }
    }

    fn get(counts: &Counts, month: &str, dims: i64, channel: &str) -> (i64, i64) {
        let category = if dims & 2 != 0 { "delivery" } else { "" };
        let team = if dims & 4 != 0 { "Tier 1" } else { "" };
        let key = (month.to_string(), dims, channel.to_string(), category.to_string(), team.to_string());
        counts.rows().get(&key).copied().unwrap_or_default()
    }

    #[test]
    fn an_order_within_90_days_after_any_ticket_of_the_month_counts_once() {
        let mut counts = Counts::default();
        // Tickets on 2 and 20 January; the order 100 days after the first
        // but 82 after the second. One customer, repurchased.
        let tickets = [ticket(JAN + DAY, "chat"), ticket(JAN + 19 * DAY, "email")];
        counts.add_customer(&tickets, &[JAN + 101 * DAY], ReportingZone::UTC, 1);
        assert_eq!(get(&counts, "2025-01", 0, ""), (1, 1));
        // By channel: chat's own window ends on 2 April, before the order.
        assert_eq!(get(&counts, "2025-01", 1, "chat"), (1, 0));
        assert_eq!(get(&counts, "2025-01", 1, "email"), (1, 1));
    }

    #[test]
    fn an_order_before_the_ticket_or_at_its_time_does_not_count() {
        let mut counts = Counts::default();
        let at = JAN + 5 * DAY;
        counts.add_customer(&[ticket(at, "chat")], &[at - DAY, at], ReportingZone::UTC, 1);
        assert_eq!(get(&counts, "2025-01", 0, ""), (1, 0));
        let mut exactly = Counts::default();
        exactly.add_customer(&[ticket(at, "chat")], &[at + REPURCHASE_WINDOW_SECONDS], ReportingZone::UTC, 1);
        assert_eq!(get(&exactly, "2025-01", 0, ""), (1, 1));
    }

    #[test]
    fn taking_a_part_out_cancels_adding_it() {
        let mut counts = Counts::default();
        let tickets = [ticket(JAN, "chat"), ticket(JAN + 40 * DAY, "chat")];
        counts.add_customer(&tickets, &[JAN + 50 * DAY], ReportingZone::UTC, 1);
        assert_eq!(get(&counts, "2025-02", 7, "chat"), (1, 1));
        counts.add_customer(&tickets, &[JAN + 50 * DAY], ReportingZone::UTC, -1);
        assert!(counts.rows().is_empty());
    }
}
