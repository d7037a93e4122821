//! The KPI catalogue and the analyses: pure functions over aggregates.
//! Nothing here touches a database, the network or Leptos, so every formula
//! is unit-tested with hand-computed numbers.

pub mod aggregate;
pub mod catalogue;
pub mod early_warning;
pub mod forecast;
pub mod format;
pub mod formulas;
pub mod matrix;
pub mod period;
pub mod register;
pub mod sketch;
pub mod trend;
pub mod variance;

pub use aggregate::{
    FinanceTotals, GrowingTotals, KpiInputs, OneTicket, OrderTotals, StoredMedians, TicketFacts, TicketTotals,
};
pub use catalogue::{Direction, Kpi, Needs, Unit};
pub use formulas::{compute, sample_size, KpiSettings};
pub use period::{Grain, Period};
pub use variance::{Status, Variance};
