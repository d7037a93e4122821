//! The shape of the demo company: channels, categories, teams and how volume
//! and service vary over the week, the year and the holiday peak.

use chrono::{Datelike, NaiveDate, Weekday};

pub struct Channel {
    pub name: &'static str,
    pub share: f64,
    /// Median first response in hours, and the cost of one contact.
    pub frt_median_h: f64,
    pub cost_per_contact: f64,
    pub fcr_chance: f64,
}

pub const CHANNELS: &[Channel] = &[
    Channel { name: "email", share: 35.0, frt_median_h: 6.0, cost_per_contact: 4.4, fcr_chance: 0.58 },
    Channel { name: "chat", share: 28.0, frt_median_h: 0.05, cost_per_contact: 3.8, fcr_chance: 0.74 },
    Channel { name: "phone", share: 17.0, frt_median_h: 0.03, cost_per_contact: 6.5, fcr_chance: 0.78 },
    Channel { name: "social", share: 8.0, frt_median_h: 2.5, cost_per_contact: 4.0, fcr_chance: 0.55 },
    Channel { name: "self-service", share: 12.0, frt_median_h: 9.0, cost_per_contact: 0.6, fcr_chance: 0.62 },
];

pub struct Category {
    pub name: &'static str,
    pub share: f64,
    /// Median hours from first response to resolution.
    pub work_median_h: f64,
    pub team: &'static str,
    /// How much a ticket of this kind pulls satisfaction down (0 = not at all).
    pub friction: f64,
}

pub const DELIVERY: &str = "delivery";

pub const CATEGORIES: &[Category] = &[
    Category { name: DELIVERY, share: 26.0, work_median_h: 14.0, team: "Orders & delivery", friction: 0.10 },
    Category {
        name: "returns & refunds",
        share: 20.0,
        work_median_h: 22.0,
        team: "Returns desk",
        friction: 0.12,
    },
    Category { name: "billing", share: 10.0, work_median_h: 8.0, team: "Billing", friction: 0.08 },
    Category {
        name: "product defect",
        share: 12.0,
        work_median_h: 30.0,
        team: "Product care",
        friction: 0.18,
    },
    Category { name: "warranty", share: 6.0, work_median_h: 48.0, team: "Product care", friction: 0.15 },
    Category { name: "how-to", share: 16.0, work_median_h: 1.5, team: "Tier 1", friction: 0.0 },
    Category { name: "account", share: 10.0, work_median_h: 3.0, team: "Tier 1", friction: 0.03 },
];

pub const ESCALATION_TEAM: &str = "Tier 2";
pub const PRIORITIES: &[(&str, f64)] = &[("low", 20.0), ("normal", 60.0), ("high", 15.0), ("urgent", 5.0)];
pub const AGENT_NAMES: &[&str] = &["Ana", "Ben", "Chloé", "Dev", "Emeka", "Fatima", "Goran", "Hana"];
pub const PRODUCTS: &[&str] =
    &["Aurora sofa", "Breeze fan", "Cinder kettle", "Drift lamp", "Echo speaker", "Fable rug"];

/// Volume factor of a weekday: Mondays are busiest, weekends quiet.
pub fn weekday_factor(date: NaiveDate) -> f64 {
    match date.weekday() {
        Weekday::Mon => 1.25,
        Weekday::Tue => 1.12,
        Weekday::Wed | Weekday::Thu => 1.05,
        Weekday::Fri => 0.95,
        Weekday::Sat => 0.75,
        Weekday::Sun => 0.68,
    }
}

/// Volume factor of the season: the holiday peak from late November to the
/// end of December, returns in January, a summer lull.
pub fn season_factor(date: NaiveDate) -> f64 {
    let yearly = 1.0 + 0.08 * (2.0 * std::f64::consts::PI * (date.ordinal() as f64 - 80.0) / 365.0).cos();
    let peak = match (date.month(), date.day()) {
        (11, d) if d >= 24 => 1.55,
        (12, d) if d <= 24 => 1.45,
        (12, _) => 1.2,
        (1, d) if d <= 20 => 1.25,
        _ => 1.0,
    };
    yearly * peak
}
