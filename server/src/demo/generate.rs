//! Month-by-month generation of the demo data. State that spans months (the
//! customer base, follow-up orders promised by support) lives in `Generator`.

use super::rng::Rng;
use super::shape::{self, CATEGORIES, CHANNELS, DELIVERY};
use super::DemoConfig;
use app::kpi::period::day_number;
use app::kpi::Period;
use app::models::{FinancialMonth, OrderRecord, TicketRecord};
use chrono::{Days, NaiveDate};
use std::collections::{BTreeMap, HashMap};

/// Orders per day at scale 1 before seasonality and growth.
const BASE_ORDERS_PER_DAY: f64 = 1_400.0;
/// Tickets per 100 orders in a normal week.
const BASE_CONTACT_RATE: f64 = 0.15;
/// Orders from customers who ordered before.
const RETURNING_SHARE: f64 = 0.42;
/// Fixed monthly support cost (tools, management) at scale 1.
const FIXED_SUPPORT_COST: f64 = 6_000.0;

/// One month of generated records.
pub struct MonthData {
    pub tickets: Vec<TicketRecord>,
    pub orders: Vec<OrderRecord>,
    pub financials: FinancialMonth,
}

pub struct Generator {
    rng: Rng,
    scale: f64,
    first_day: i64,
    total_days: f64,
    /// The last moment of data: tickets are not resolved after it.
    data_end: i64,
    incident: Period,
    customers: u64,
    /// Customers who ordered in roughly the last month: they write tickets.
    recent: Vec<u64>,
    /// Follow-up orders promised by earlier tickets, by day.
    follow_ups: BTreeMap<i64, Vec<u64>>,
    next_order: u64,
    next_ticket: u64,
}

impl Generator {
    pub fn new(config: &DemoConfig) -> Generator {
        let first = config.first_month();
        let first_day = day_number(first.start);
        let last_day = day_number(config.end.end_exclusive());
        Generator {
            rng: Rng::new(config.seed),
            scale: config.scale,
            first_day,
            total_days: (last_day - first_day) as f64,
            data_end: last_day * 86_400 - 1,
            incident: config.incident_month(),
            customers: 0,
            recent: Vec::new(),
            follow_ups: BTreeMap::new(),
            next_order: 0,
            next_ticket: 0,
        }
    }

    /// The records of one month.
    pub fn month(&mut self, month: Period) -> MonthData {
        let mut tickets = Vec::new();
        let mut orders = Vec::new();
        let mut new_customers = 0;
        let mut date = month.start;
        while date < month.end_exclusive() {
            new_customers += self.orders_of_day(date, &mut orders);
            self.tickets_of_day(date, month, &mut tickets);
            date = date + Days::new(1);
        }
        let financials = self.financials(month, &orders, &tickets, new_customers);
        MonthData { tickets, orders, financials }
    }

    fn progress(&self, date: NaiveDate) -> f64 {
        (day_number(date) - self.first_day) as f64 / self.total_days
    }

    fn in_incident(&self, date: NaiveDate) -> bool {
        use chrono::Datelike;
        Period::containing(self.incident.grain, date) == self.incident && (8..=21).contains(&date.day())
    }

    /// Generates the day's orders; returns how many customers were new.
    fn orders_of_day(&mut self, date: NaiveDate, out: &mut Vec<OrderRecord>) -> i64 {
        let growth = 1.0 + 0.15 * self.progress(date);
        let mean = BASE_ORDERS_PER_DAY
            * self.scale
            * shape::weekday_factor(date)
            * shape::season_factor(date)
            * growth;
        let day = day_number(date);
        let mut buyers: Vec<u64> = self.follow_ups.remove(&day).unwrap_or_default();
        let mut new_customers = 0;
        for _ in 0..self.rng.count_around(mean) {
            if self.customers > 0 && self.rng.chance(RETURNING_SHARE) {
                buyers.push(self.rng.below(self.customers));
            } else {
                buyers.push(self.customers);
                self.customers += 1;
                new_customers += 1;
            }
        }
        for customer in buyers {
            let placed_at = day * 86_400 + self.rng.below(86_400) as i64;
            self.next_order += 1;
            out.push(OrderRecord {
                external_id: format!("O-{:07}", self.next_order),
                customer_id: format!("C-{customer:07}"),
                placed_at,
                amount: Some((self.rng.log_normal(82.0, 0.55) * 100.0).round() / 100.0),
                currency: "USD".to_string(),
            });
            self.recent.push(customer);
        }
        // Keep about a month of recent buyers.
        let keep = (BASE_ORDERS_PER_DAY * self.scale * 30.0) as usize;
        if self.recent.len() > keep * 2 {
            self.recent.drain(..self.recent.len() - keep);
        }
        new_customers
    }

    fn tickets_of_day(&mut self, date: NaiveDate, month: Period, out: &mut Vec<TicketRecord>) {
        let growth = 1.0 + 0.15 * self.progress(date);
        let load = shape::weekday_factor(date) * shape::season_factor(date);
        let mean = BASE_ORDERS_PER_DAY * self.scale * BASE_CONTACT_RATE * load * growth;
        let incident = self.in_incident(date);
        let mut count = self.rng.count_around(mean);
        let extra_delivery = if incident { self.rng.count_around(mean * 0.55) } else { 0 };
        count += extra_delivery;
        for i in 0..count {
            let forced_delivery = i >= count - extra_delivery;
            let ticket = self.ticket(date, month, load, incident, forced_delivery);
            out.push(ticket);
        }
    }

    fn ticket(
        &mut self,
        date: NaiveDate,
        month: Period,
        load: f64,
        incident: bool,
        forced_delivery: bool,
    ) -> TicketRecord {
        let rng = &mut self.rng;
        let channel = &CHANNELS[rng.weighted(&CHANNELS.iter().map(|c| c.share).collect::<Vec<_>>())];
        let category = if forced_delivery {
            CATEGORIES.iter().find(|c| c.name == DELIVERY).expect("delivery exists")
        } else {
            &CATEGORIES[rng.weighted(&CATEGORIES.iter().map(|c| c.share).collect::<Vec<_>>())]
        };
        let priority =
            shape::PRIORITIES[rng.weighted(&shape::PRIORITIES.iter().map(|p| p.1).collect::<Vec<_>>())].0;
        let hot = incident && category.name == DELIVERY;
        // Business hours carry most of the volume.
        let hour = if rng.chance(0.8) { 8 + rng.below(10) } else { rng.below(24) };
        let created_at = day_number(date) * 86_400 + (hour * 3600 + rng.below(3600)) as i64;

        // Email is the channel that slowly improves: its replies get twice as fast.
        let improving = if channel.name == "email" {
            1.0 - 0.5 * (day_number(date) - self.first_day) as f64 / self.total_days
        } else {
            1.0
        };
        let urgency = match priority {
            "urgent" => 0.4,
            "high" => 0.7,
            _ => 1.0,
        };
        let strain = load.powf(1.3) * if hot { 2.2 } else { 1.0 };
        let unanswered = rng.chance(if channel.name == "self-service" { 0.06 } else { 0.02 });
        let frt_h = rng.log_normal(channel.frt_median_h * improving * urgency * strain, 0.9);
        let first_response_at = (!unanswered)
            .then(|| created_at + (frt_h * 3600.0).round() as i64)
            .filter(|t| *t <= self.data_end);
        let work_h = rng.log_normal(category.work_median_h * strain, 1.0);
        let resolved_at = first_response_at
            .map(|f| f + (work_h * 3600.0).round() as i64)
            .filter(|t| *t <= self.data_end && !rng.chance(0.01));
        let resolved = resolved_at.is_some();
        let resolution_h = resolved_at.map(|r| (r - created_at) as f64 / 3600.0);

        let escalated = rng.chance(0.03 + category.friction * 0.4);
        let fcr = resolved && !escalated && rng.chance(channel.fcr_chance - category.friction * 0.5);
        let reopened = resolved && rng.chance(0.04 + category.friction * 0.2 + if hot { 0.06 } else { 0.0 });
        let slowness = 0.25 * (1.0 - (-resolution_h.unwrap_or(96.0) / 48.0).exp());
        let p_satisfied = (0.95
            - category.friction
            - slowness
            - if reopened { 0.25 } else { 0.0 }
            - if hot { 0.18 } else { 0.0 }
            + if channel.name == "chat" { 0.03 } else { 0.0 })
        .clamp(0.05, 0.98);
        let satisfied = rng.chance(p_satisfied);
        let csat = rng.chance(0.42).then(|| {
            if satisfied {
                if rng.chance(0.62) {
                    5
                } else {
                    4
                }
            } else {
                [3, 3, 2, 1][rng.below(4) as usize]
            }
        });
        let nps = rng.chance(0.22).then(|| {
            let bucket = rng.weighted(if satisfied { &[0.12, 0.3, 0.58] } else { &[0.62, 0.28, 0.10] });
            [rng.below(7) as i64, 7 + rng.below(2) as i64, 9 + rng.below(2) as i64][bucket]
        });
        let ces =
            rng.chance(0.18)
                .then(|| if satisfied { 1 + rng.below(3) as i64 } else { 3 + rng.below(5) as i64 });

        let team = if escalated { shape::ESCALATION_TEAM } else { category.team };
        let team_index = team.bytes().map(u64::from).sum::<u64>();
        let agent =
            shape::AGENT_NAMES[((team_index + rng.below(5)) % shape::AGENT_NAMES.len() as u64) as usize];
        let customer = if self.recent.is_empty() {
            None
        } else {
            Some(self.recent[rng.below(self.recent.len() as u64) as usize])
        };
        // Happy customers come back more often: what support returns.
        if let Some(c) = customer {
            let p_return = match csat {
                Some(s) if s >= 4 => 0.30,
                Some(s) if s <= 2 => 0.08,
                _ => 0.18,
            };
            if rng.chance(p_return * self.scale.min(1.0)) {
                let day = day_number(date) + 1 + rng.below(89) as i64;
                self.follow_ups.entry(day).or_default().push(c);
            }
        }
        self.next_ticket += 1;
        TicketRecord {
            external_id: format!("T-{}-{:06}", month, self.next_ticket),
            created_at,
            first_response_at,
            resolved_at,
            channel: channel.name.to_string(),
            category: category.name.to_string(),
            priority: priority.to_string(),
            team: team.to_string(),
            agent: format!("{agent} ({team})"),
            status: if resolved {
                "solved"
            } else if first_response_at.is_some() {
                "pending"
            } else {
                "new"
            }
            .to_string(),
            csat: csat.map(i64::from),
            nps,
            ces,
            contacts: if fcr { 1 } else { 2 + rng.below(3) as i64 },
            first_contact_resolved: fcr,
            reopened,
            escalated,
            customer_id: customer.map(|c| format!("C-{c:07}")),
            order_id: None,
            product: Some(shape::PRODUCTS[rng.below(shape::PRODUCTS.len() as u64) as usize].to_string()),
        }
    }

    fn financials(
        &mut self,
        month: Period,
        orders: &[OrderRecord],
        tickets: &[TicketRecord],
        new_customers: i64,
    ) -> FinancialMonth {
        let revenue: f64 = orders.iter().filter_map(|o| o.amount).sum();
        let mut by_channel: HashMap<&str, f64> = HashMap::new();
        for t in tickets {
            let channel = CHANNELS.iter().find(|c| c.name == t.channel).expect("known channel");
            *by_channel.entry(channel.name).or_default() += channel.cost_per_contact;
        }
        let fixed = FIXED_SUPPORT_COST * self.scale;
        let variable: f64 = by_channel.values().sum();
        let support_cost_by_channel: Vec<(String, f64)> = CHANNELS
            .iter()
            .map(|c| {
                let cost = by_channel.get(c.name).copied().unwrap_or(0.0);
                let share = if variable > 0.0 { cost / variable } else { 0.0 };
                (c.name.to_string(), round2(cost + fixed * share))
            })
            .collect();
        let support_cost = support_cost_by_channel.iter().map(|(_, c)| c).sum::<f64>();
        let gross_margin = round2(revenue * 0.41);
        let marketing_spend = round2(revenue * 0.08);
        let operating_expenses = round2(revenue * 0.22 + support_cost + marketing_spend);
        FinancialMonth {
            month: month.to_string(),
            revenue: round2(revenue),
            net_income: round2(gross_margin - operating_expenses),
            operating_expenses,
            support_cost: round2(support_cost),
            marketing_spend,
            new_customers,
            gross_margin: Some(gross_margin),
            support_cost_by_channel,
        }
    }
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> DemoConfig {
        DemoConfig { seed: 3, months: 2, end: Period::parse("2025-02").unwrap(), scale: 0.05 }
    }

    #[test]
    fn the_same_seed_gives_the_same_data() {
        let month = Period::parse("2025-01").unwrap();
        let a = Generator::new(&small()).month(month);
        let b = Generator::new(&small()).month(month);
        assert_eq!(a.tickets, b.tickets);
        assert_eq!(a.orders, b.orders);
    }

    #[test]
    fn generated_tickets_pass_the_ingest_invariants() {
        let data = Generator::new(&small()).month(Period::parse("2025-01").unwrap());
        assert!(!data.tickets.is_empty());
        for t in &data.tickets {
            t.validate(i64::MAX / 2).unwrap();
        }
    }
}
