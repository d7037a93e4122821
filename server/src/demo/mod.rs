//! The demo company: a mid-size online retailer with ~24 months of tickets,
//! orders, financials, targets and benchmarks. Deterministic: the same seed
//! and settings give the same data. Loaded month by month through the normal
//! ingest path, so memory stays bounded and the rollup is built as in life.

pub mod export;
mod generate;
mod reference;
mod rng;
mod shape;

use app::kpi::{Grain, Period};
use app::store::{annotations, ingest, Db};
pub use generate::{Generator, MonthData};

/// What to generate.
#[derive(Clone, Debug, PartialEq)]
pub struct DemoConfig {
    pub seed: u64,
    pub months: u32,
    /// The last month of data.
    pub end: Period,
    /// 1.0 ≈ 6,500 tickets and 43,000 orders a month; tests use less.
    pub scale: f64,
}

impl DemoConfig {
    /// 24 months ending with the last complete month.
    pub fn standard(seed: u64) -> DemoConfig {
        let this_month = Period::containing(Grain::Month, chrono::Utc::now().date_naive());
        DemoConfig { seed, months: 24, end: this_month.prev(), scale: 1.0 }
    }

    pub fn first_month(&self) -> Period {
        (1..self.months).fold(self.end, |p, _| p.prev())
    }

    /// The delivery-delay incident strikes five months before the end.
    pub fn incident_month(&self) -> Period {
        (0..5).fold(self.end, |p, _| p.prev())
    }
}

/// Counts of what was loaded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub tickets: i64,
    pub orders: i64,
    pub months: i64,
}

/// Generates the demo data and loads it into `db`.
pub async fn load(db: &Db, config: &DemoConfig) -> Result<DemoSummary, ingest::IngestError> {
    let mut generator = Generator::new(config);
    let mut summary = DemoSummary::default();
    for month in config.first_month().through(config.end) {
        let data = generator.month(month);
        summary.tickets += ingest::tickets(db, &data.tickets).await?.inserted;
        summary.orders += ingest::orders(db, &data.orders).await?.inserted;
        ingest::financials(db, "demo", std::slice::from_ref(&data.financials)).await?;
        ingest::targets(db, &reference::targets(month)).await?;
        summary.months += 1;
    }
    ingest::benchmarks(db, "demo", &reference::benchmarks()).await?;
    // Loading the demo again must not repeat its notes.
    for note in reference::annotations(config.incident_month()) {
        let existing = annotations::of_kpi(db, &note.kpi, &note.period, &note.period).await?;
        if !existing.iter().any(|a| a.text == note.text) {
            annotations::add(db, &note, chrono::Utc::now().timestamp()).await?;
        }
    }
    Ok(summary)
}
