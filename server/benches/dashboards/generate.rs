//! Synthetic helpdesk data for the benchmark: N tickets over 36 months
//! (2023-01 to 2025-12) across 5 channels × 7 categories × 6 teams, with
//! orders, written as canonical CSV files (the format the exports write and
//! the import reads without a mapping). Deterministic: the same seed and
//! size give the same bytes.
//!
//! The shapes are plausible rather than calibrated: volume grows over the
//! three years, response times are log-normal by channel, CSAT falls with
//! slow resolutions, about a third of tickets are rated, NPS and CES are
//! answered less often, and escalations, reopens and first-contact
//! resolutions depend on team and contacts.

use std::io::{BufWriter, Write};
use std::path::Path;

/// First day of the 36 months, 2023-01-01T00:00:00Z.
pub const START: i64 = 1_672_531_200;
/// The day after the last, 2026-01-01T00:00:00Z.
pub const END: i64 = 1_767_225_600;
pub const FIRST_DAY: &str = "2023-01-01";
pub const LAST_DAY: &str = "2025-12-31";

pub const CHANNELS: [(&str, f64); 5] =
    [("email", 35.0), ("chat", 30.0), ("phone", 18.0), ("social", 10.0), ("web form", 7.0)];
pub const CATEGORIES: [(&str, f64); 7] = [
    ("delivery", 24.0),
    ("returns & refunds", 18.0),
    ("billing", 14.0),
    ("product defect", 12.0),
    ("account", 10.0),
    ("order change", 12.0),
    ("other", 10.0),
];
pub const TEAMS: [(&str, f64); 6] = [
    ("Tier 1 North", 26.0),
    ("Tier 1 South", 24.0),
    ("Tier 2", 18.0),
    ("Billing", 12.0),
    ("Logistics", 14.0),
    ("Escalations", 6.0),
];
const PRIORITIES: [(&str, f64); 4] = [("low", 20.0), ("normal", 55.0), ("high", 20.0), ("urgent", 5.0)];
/// Agents (spread over the teams) and products, unless `BENCH_AGENTS` and
/// `BENCH_PRODUCTS` say otherwise: the agent and product matrices' size.
const AGENTS: u64 = 72;
const PRODUCTS: u64 = 400;

/// SplitMix64: small, fast and good enough for synthetic data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u = self.unit().max(1e-12);
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// Log-normal with the given median and spread (σ of the log).
    fn log_normal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }

    fn pick<'a>(&mut self, weighted: &[(&'a str, f64)]) -> (usize, &'a str) {
        let total: f64 = weighted.iter().map(|(_, w)| w).sum();
        let mut x = self.unit() * total;
        for (i, (name, w)) in weighted.iter().enumerate() {
            if x < *w {
                return (i, name);
            }
            x -= w;
        }
        (weighted.len() - 1, weighted[weighted.len() - 1].0)
    }

    /// A moment in the 36 months, volume growing linearly to twice the
    /// first month's, weekdays busier than weekends, office hours busiest.
    fn moment(&mut self) -> i64 {
        loop {
            // Density ∝ 1 + x on [0, 1): inverse of (x + x²/2) / 1.5.
            let x = -1.0 + (1.0 + 3.0 * self.unit()).sqrt();
            let day = START / 86_400 + (x * ((END - START) / 86_400) as f64) as i64;
            // 1970-01-01 was a Thursday: day % 7 == 2 is Saturday, 3 Sunday.
            if matches!(day.rem_euclid(7), 2 | 3) && self.chance(0.55) {
                continue;
            }
            let hour = (13.0 + 3.5 * self.normal()).clamp(0.0, 23.99);
            return day * 86_400 + (hour * 3600.0) as i64;
        }
    }
}

fn rfc3339(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// Writes `tickets` tickets to `path` in the canonical ticket format;
/// `customers` distinct customers, `orders` orders to link to.
pub fn write_tickets(path: &Path, seed: u64, tickets: u64, orders: u64) -> std::io::Result<u64> {
    let mut rng = Rng::new(seed);
    let customers = (tickets / 3).max(1);
    let agents_per_team = (crate::env("BENCH_AGENTS", AGENTS) / TEAMS.len() as u64).max(1);
    let products = crate::env("BENCH_PRODUCTS", PRODUCTS).max(1);
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(
        out,
        "external_id,created_at,first_response_at,resolved_at,channel,category,priority,team,agent,status,\
         csat,nps,ces,contacts,first_contact_resolved,reopened,escalated,customer_id,order_id,product"
    )?;
    for i in 0..tickets {
        let created = rng.moment();
        let (c, channel) = rng.pick(&CHANNELS);
        let (_, category) = rng.pick(&CATEGORIES);
        let (t, team) = rng.pick(&TEAMS);
        let (_, priority) = rng.pick(&PRIORITIES);
        let agent = format!("agent-{}-{:02}", t + 1, rng.below(agents_per_team) + 1);
        // First response: minutes on chat and phone, hours in writing.
        let frt_median_s = [4.0 * 3600.0, 180.0, 60.0, 2.0 * 3600.0, 6.0 * 3600.0][c];
        let responded = !rng.chance(0.04);
        let frt = responded.then(|| rng.log_normal(frt_median_s, 1.0).clamp(10.0, 14.0 * 86_400.0) as i64);
        let escalated = rng.chance(if team == "Escalations" { 0.35 } else { 0.06 });
        let contacts = 1 + (rng.unit().powi(3) * 5.0) as i64;
        // Recent tickets are still open more often.
        let open_chance = if created > END - 7 * 86_400 { 0.45 } else { 0.03 };
        let resolved = (!rng.chance(open_chance)).then(|| {
            let median = 18.0 * 3600.0 * contacts as f64 * if escalated { 2.5 } else { 1.0 };
            created + frt.unwrap_or(0) + rng.log_normal(median, 1.1).clamp(60.0, 60.0 * 86_400.0) as i64
        });
        let slow = resolved.is_some_and(|r| r - created > 3 * 86_400);
        let csat = rng.chance(0.33).then(|| {
            let scores = if slow || escalated {
                [("1", 18.0), ("2", 14.0), ("3", 18.0), ("4", 26.0), ("5", 24.0)]
            } else {
                [("1", 6.0), ("2", 5.0), ("3", 10.0), ("4", 27.0), ("5", 52.0)]
            };
            rng.pick(&scores).1
        });
        let nps = rng.chance(0.12).then(|| {
            let score = 10.0 - rng.unit().powf(0.7) * 10.9 * if slow { 1.2 } else { 0.8 };
            score.clamp(0.0, 10.0).round() as i64
        });
        let ces = rng.chance(0.18).then(|| (1 + rng.below(4) + if slow { 3 } else { 0 }).min(7));
        let fcr = resolved.is_some() && contacts == 1 && !escalated && rng.chance(0.85);
        let reopened = resolved.is_some() && rng.chance(if fcr { 0.02 } else { 0.09 });
        let customer = rng.below(customers);
        let order = (orders > 0 && rng.chance(0.6)).then(|| rng.below(orders));
        let product = rng.chance(0.7).then(|| rng.below(products));
        writeln!(
            out,
            "T-{i},{},{},{},{channel},{},{priority},{team},{agent},{},{},{},{},{contacts},{fcr},{reopened},{escalated},C-{customer},{},{}",
            rfc3339(created),
            frt.map(|f| rfc3339(created + f)).unwrap_or_default(),
            resolved.map(rfc3339).unwrap_or_default(),
            // The canonical CSV quotes cells with separators or quotes.
            if category.contains(',') { format!("\"{category}\"") } else { category.to_string() },
            if resolved.is_some() { "solved" } else { "open" },
            csat.unwrap_or(""),
            nps.map(|n| n.to_string()).unwrap_or_default(),
            ces.map(|n| n.to_string()).unwrap_or_default(),
            order.map(|o| format!("O-{o}")).unwrap_or_default(),
            product.map(|p| format!("P-{p:03}")).unwrap_or_default(),
        )?;
    }
    out.flush()?;
    Ok(std::fs::metadata(path)?.len())
}

/// Writes `orders` orders to `path` in the canonical order format.
pub fn write_orders(path: &Path, seed: u64, orders: u64, customers: u64) -> std::io::Result<u64> {
    let mut rng = Rng::new(seed ^ 0x5EED_0F0E_DE85);
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(out, "external_id,customer_id,placed_at,amount,currency")?;
    for j in 0..orders {
        let placed = rng.moment();
        let amount = rng.log_normal(58.0, 0.7).clamp(2.0, 5_000.0);
        writeln!(out, "O-{j},C-{},{},{amount:.2},EUR", rng.below(customers.max(1)), rfc3339(placed))?;
    }
    out.flush()?;
    Ok(std::fs::metadata(path)?.len())
}
