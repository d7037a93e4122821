//! Mergeable aggregates: what the daily rollup stores and what every KPI is
//! computed from. Adding two totals gives the totals of the union, so a month
//! is the sum of its days and a channel total the sum of its cells.

use super::sketch::{Bucket, GrowingSketch, Sketch};

/// The facts of one ticket that the rollup needs; times in epoch seconds.
#[derive(Clone, Debug, PartialEq)]
pub struct TicketFacts {
    pub created_at: i64,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub csat: Option<i64>,
    pub nps: Option<i64>,
    pub ces: Option<i64>,
    pub first_contact_resolved: bool,
    pub reopened: bool,
    pub escalated: bool,
    /// How many times the customer got in touch about this ticket.
    pub contacts: i64,
}

/// Sums over the tickets created in a span. Durations are whole seconds so
/// that sums are exact integers on every backend.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TicketTotals {
    pub tickets: i64,
    pub resolved: i64,
    pub frt_n: i64,
    pub frt_sum_s: i64,
    pub resolution_sum_s: i64,
    pub sla_met: i64,
    pub fcr: i64,
    pub reopened: i64,
    pub escalated: i64,
    /// Tickets on which the customer got in touch more than once.
    pub repeat_contacts: i64,
    pub csat_n: i64,
    pub csat_satisfied: i64,
    pub csat_sum: i64,
    pub nps_n: i64,
    pub nps_promoters: i64,
    pub nps_detractors: i64,
    pub ces_n: i64,
    pub ces_sum: i64,
    /// First response times, hours.
    pub frt_sketch: Sketch,
    /// Resolution times, hours.
    pub resolution_sketch: Sketch,
    /// The medians stored with the one rollup row these totals were read
    /// from, when its sketches were not read: they hold for that row alone,
    /// so merging more tickets in drops them (see [`TicketTotals::merge`]).
    pub medians: Option<StoredMedians>,
}

/// A stored rollup row's medians, in hours; `None` where it has no times.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StoredMedians {
    pub frt_h: Option<f64>,
    pub resolution_h: Option<f64>,
}

impl TicketTotals {
    /// Bytes held, inline and on the heap.
    pub fn bytes(&self) -> usize {
        std::mem::size_of::<TicketTotals>()
            + self.frt_sketch.heap_bytes()
            + self.resolution_sketch.heap_bytes()
    }

    /// Adds one ticket. `sla_seconds` is the resolution SLA.
    pub fn add_ticket(&mut self, t: &TicketFacts, sla_seconds: i64) {
        let (frt_h, resolution_h) = self.count_ticket(t, sla_seconds);
        if let Some(hours) = frt_h {
            self.frt_sketch.add(hours);
        }
        if let Some(hours) = resolution_h {
            self.resolution_sketch.add(hours);
        }
    }

    /// Adds one ticket's counts, not its times: its first response and
    /// resolution times in hours are returned, for the sketches.
    fn count_ticket(&mut self, t: &TicketFacts, sla_seconds: i64) -> (Option<f64>, Option<f64>) {
        self.tickets += 1;
        let frt_h = t.first_response_at.map(|first| {
            let secs = first - t.created_at;
            self.frt_n += 1;
            self.frt_sum_s += secs;
            secs as f64 / 3600.0
        });
        let resolution_h = t.resolved_at.map(|resolved| {
            let secs = resolved - t.created_at;
            self.resolved += 1;
            self.resolution_sum_s += secs;
            self.sla_met += i64::from(secs <= sla_seconds);
            // FCR and reopen rates are shares of resolved tickets.
            self.fcr += i64::from(t.first_contact_resolved);
            self.reopened += i64::from(t.reopened);
            secs as f64 / 3600.0
        });
        self.escalated += i64::from(t.escalated);
        self.repeat_contacts += i64::from(t.contacts > 1);
        if let Some(score) = t.csat {
            self.csat_n += 1;
            self.csat_sum += score;
            self.csat_satisfied += i64::from(score >= 4);
        }
        if let Some(score) = t.nps {
            self.nps_n += 1;
            self.nps_promoters += i64::from(score >= 9);
            self.nps_detractors += i64::from(score <= 6);
        }
        if let Some(score) = t.ces {
            self.ces_n += 1;
            self.ces_sum += score;
        }
        (frt_h, resolution_h)
    }

    /// The median first response time, hours: the stored one, or the sketch's.
    pub fn frt_median_h(&self) -> Option<f64> {
        self.medians.map_or_else(|| self.frt_sketch.quantile(0.5), |m| m.frt_h)
    }

    /// The median resolution time, hours: the stored one, or the sketch's.
    pub fn resolution_median_h(&self) -> Option<f64> {
        self.medians.map_or_else(|| self.resolution_sketch.quantile(0.5), |m| m.resolution_h)
    }

    /// Adds every count and sketch of `other`. Stored medians pass to empty
    /// totals and are dropped by any further tickets: what is left is the
    /// sketches' median.
    pub fn merge(&mut self, other: &TicketTotals) {
        self.merge_counts(other);
        self.frt_sketch.merge(&other.frt_sketch);
        self.resolution_sketch.merge(&other.resolution_sketch);
    }

    /// [`Self::merge`] without the sketches, for a fold that keeps its own.
    pub fn merge_counts(&mut self, other: &TicketTotals) {
        if other.tickets > 0 {
            self.medians = if self.tickets == 0 { other.medians } else { None };
        }
        self.add_counters(other);
    }

    /// Adds the counters of `other`, leaving the medians alone: for totals
    /// that never hold stored medians ([`GrowingTotals::add_one`], nine
    /// times a ticket in an import).
    fn add_counters(&mut self, other: &TicketTotals) {
        self.tickets += other.tickets;
        self.resolved += other.resolved;
        self.frt_n += other.frt_n;
        self.frt_sum_s += other.frt_sum_s;
        self.resolution_sum_s += other.resolution_sum_s;
        self.sla_met += other.sla_met;
        self.fcr += other.fcr;
        self.reopened += other.reopened;
        self.escalated += other.escalated;
        self.repeat_contacts += other.repeat_contacts;
        self.csat_n += other.csat_n;
        self.csat_satisfied += other.csat_satisfied;
        self.csat_sum += other.csat_sum;
        self.nps_n += other.nps_n;
        self.nps_promoters += other.nps_promoters;
        self.nps_detractors += other.nps_detractors;
        self.ces_n += other.ces_n;
        self.ces_sum += other.ces_sum;
    }
}

/// One ticket as totals are added up from it: counted once, and its times'
/// buckets found once, for the many rows it is added to
/// ([`GrowingTotals::add_one`]).
pub struct OneTicket {
    /// Its sketches stay empty.
    counts: TicketTotals,
    frt: Option<Bucket>,
    resolution: Option<Bucket>,
}

impl OneTicket {
    pub fn of(t: &TicketFacts, sla_seconds: i64) -> OneTicket {
        let mut counts = TicketTotals::default();
        let (frt_h, resolution_h) = counts.count_ticket(t, sla_seconds);
        OneTicket { counts, frt: frt_h.and_then(Bucket::of), resolution: resolution_h.and_then(Bucket::of) }
    }
}

/// Totals being added up from many: counters as in [`TicketTotals`],
/// sketches as dense counts ([`GrowingSketch`]), so that adding one costs
/// its own buckets, not those added before. (Merging sorted buckets walked
/// the sum's for every addition: 38 % of a 10M import's cube refold in perf.)
#[derive(Clone, Debug, Default)]
pub struct GrowingTotals {
    /// Its sketches stay empty.
    counts: TicketTotals,
    frt: GrowingSketch,
    resolution: GrowingSketch,
}

impl GrowingTotals {
    pub fn add(&mut self, other: &TicketTotals) {
        self.counts.merge_counts(other);
        self.frt.add(&other.frt_sketch);
        self.resolution.add(&other.resolution_sketch);
    }

    pub fn add_one(&mut self, one: &OneTicket) {
        self.counts.add_counters(&one.counts);
        if let Some(bucket) = one.frt {
            self.frt.add_one(bucket);
        }
        if let Some(bucket) = one.resolution {
            self.resolution.add_one(bucket);
        }
    }

    /// Bytes its sketches hold on the heap.
    pub fn heap_bytes(&self) -> usize {
        self.frt.heap_bytes() + self.resolution.heap_bytes()
    }

    pub fn into_totals(self) -> TicketTotals {
        TicketTotals {
            frt_sketch: self.frt.into_sketch(),
            resolution_sketch: self.resolution.into_sketch(),
            ..self.counts
        }
    }
}

/// Order facts of a period. Customer counts are distinct customers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OrderTotals {
    pub orders: i64,
    /// The sum over the orders with a known amount (`priced_orders`).
    pub amount: f64,
    /// Orders whose amount is known: an order imported without one is
    /// counted in `orders` but left out of every money KPI.
    pub priced_orders: i64,
    pub customers: i64,
    /// Customers ordering in the period who had ordered before it.
    pub returning_customers: i64,
    /// Orders and distinct customers over the 12 months ending with the period.
    pub trailing_year_orders: i64,
    pub trailing_year_customers: i64,
    /// Customers with a ticket in the period, and those of them who ordered
    /// within 90 days after such a ticket.
    pub ticket_customers: i64,
    pub ticket_customers_repurchased: i64,
    /// True while the 90-day window of some ticket in the period is not over.
    pub repurchase_provisional: bool,
}

/// Monthly financials summed over the months of a period.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FinanceTotals {
    pub months: i64,
    pub revenue: f64,
    pub net_income: f64,
    pub operating_expenses: f64,
    pub support_cost: f64,
    pub marketing_spend: f64,
    pub new_customers: i64,
    /// Gross margin amount; `None` if any month lacks it.
    pub gross_margin: Option<f64>,
}

/// Everything a KPI of a period may need.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KpiInputs {
    pub tickets: TicketTotals,
    /// Open tickets at the end of the period.
    pub backlog: Option<i64>,
    pub orders: Option<OrderTotals>,
    pub finance: Option<FinanceTotals>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Totals of `n` tickets with first responses of `hours`, as read from
    /// a stored row: sketches filled, stored medians `stored`.
    fn row(hours: &[f64], stored: Option<f64>) -> TicketTotals {
        let mut t = TicketTotals { tickets: hours.len() as i64, ..TicketTotals::default() };
        hours.iter().for_each(|&h| t.frt_sketch.add(h));
        t.medians = stored.map(|m| StoredMedians { frt_h: Some(m), resolution_h: None });
        t
    }

    #[test]
    fn stored_medians_hold_for_one_row_and_drop_when_rows_merge() {
        // A stored median that differs from its sketch's shows which one answers.
        let one = row(&[1.0, 2.0, 3.0], Some(7.0));
        let mut period = TicketTotals::default();
        period.merge(&row(&[], None));
        period.merge(&one);
        assert_eq!(period.frt_median_h(), Some(7.0));
        assert_eq!(period.resolution_median_h(), None);
        // A row without tickets changes nothing.
        period.merge(&row(&[], Some(9.0)));
        assert_eq!(period.frt_median_h(), Some(7.0));
        // A second row with tickets: the merged sketch answers.
        period.merge(&row(&[4.0, 5.0], Some(8.0)));
        assert_eq!(period.medians, None);
        assert_eq!(period.frt_median_h(), period.frt_sketch.quantile(0.5));
        assert!((period.frt_median_h().unwrap() - 3.0).abs() <= 3.0 * 0.01);
    }

    #[test]
    fn tickets_added_by_their_buckets_give_the_totals_of_adding_them_whole() {
        let ticket = |i: i64| TicketFacts {
            created_at: 1_700_000_000,
            // An instant reply, then replies and resolutions of growing length; some missing.
            first_response_at: (i % 5 != 4).then_some(1_700_000_000 + i * i * 61),
            resolved_at: (i % 3 != 2).then_some(1_700_000_000 + i * 7_200),
            csat: (i % 2 == 0).then_some(i % 5 + 1),
            nps: (i % 4 == 1).then_some(i % 11),
            ces: (i % 6 == 0).then_some(i % 7 + 1),
            first_contact_resolved: i % 2 == 1,
            reopened: i % 7 == 3,
            escalated: i % 9 == 0,
            contacts: i % 3 + 1,
        };
        let (mut whole, mut by_buckets) = (TicketTotals::default(), GrowingTotals::default());
        // More tickets than a growing sketch keeps one by one, so it turns dense midway.
        for i in 0..2_500 {
            whole.add_ticket(&ticket(i), 86_400);
            by_buckets.add_one(&OneTicket::of(&ticket(i), 86_400));
        }
        assert_eq!(by_buckets.into_totals(), whole);
        assert_eq!(whole.tickets, 2_500);
        assert_eq!(whole.resolved, 1_667);
    }
}
