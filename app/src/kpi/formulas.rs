//! One exact formula per KPI (DESIGN.md §3). A zero denominator gives `None`,
//! never 0 and never NaN.

use super::aggregate::KpiInputs;
use super::catalogue::Kpi;

/// Settings that enter a formula.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KpiSettings {
    /// Expected customer lifetime in years, for CLV.
    pub customer_lifetime_years: f64,
}

impl Default for KpiSettings {
    fn default() -> Self {
        KpiSettings { customer_lifetime_years: 3.0 }
    }
}

/// `num ÷ den`, or `None` when the denominator is zero or the result is not finite.
pub fn ratio(num: f64, den: f64) -> Option<f64> {
    if den == 0.0 {
        return None;
    }
    Some(num / den).filter(|v| v.is_finite())
}

fn percent(num: i64, den: i64) -> Option<f64> {
    ratio(num as f64 * 100.0, den as f64)
}

/// The value of `kpi` for one period's inputs.
pub fn compute(kpi: Kpi, inputs: &KpiInputs, settings: &KpiSettings) -> Option<f64> {
    let t = &inputs.tickets;
    let orders = inputs.orders.as_ref();
    let finance = inputs.finance.as_ref();
    match kpi {
        Kpi::Tickets => Some(t.tickets as f64),
        Kpi::ContactRate => orders.and_then(|o| percent(t.tickets, o.orders)),
        Kpi::FrtMedianH => t.frt_median_h(),
        Kpi::FrtMeanH => ratio(t.frt_sum_s as f64 / 3600.0, t.frt_n as f64),
        Kpi::ResolutionMedianH => t.resolution_median_h(),
        Kpi::ResolutionMeanH => ratio(t.resolution_sum_s as f64 / 3600.0, t.resolved as f64),
        Kpi::SlaAttainment => percent(t.sla_met, t.resolved),
        Kpi::FcrRate => percent(t.fcr, t.resolved),
        Kpi::Csat => percent(t.csat_satisfied, t.csat_n),
        Kpi::CsatMean => ratio(t.csat_sum as f64, t.csat_n as f64),
        Kpi::Nps => percent(t.nps_promoters - t.nps_detractors, t.nps_n),
        Kpi::CesMean => ratio(t.ces_sum as f64, t.ces_n as f64),
        Kpi::ReopenRate => percent(t.reopened, t.resolved),
        Kpi::EscalationRate => percent(t.escalated, t.tickets),
        // Tickets whose customer got in touch more than once (contacts > 1).
        Kpi::RepeatContactRate => percent(t.repeat_contacts, t.tickets),
        Kpi::Backlog => inputs.backlog.map(|b| b as f64),
        Kpi::RepeatPurchaseRate => orders.and_then(|o| percent(o.returning_customers, o.customers)),
        Kpi::PostSupportRepurchase => {
            orders.and_then(|o| percent(o.ticket_customers_repurchased, o.ticket_customers))
        }
        Kpi::CostPerContact => finance.and_then(|f| ratio(f.support_cost, t.tickets as f64)),
        Kpi::SupportCostRatio => finance.and_then(|f| ratio(f.support_cost * 100.0, f.revenue)),
        Kpi::ProfitMargin => finance.and_then(|f| ratio(f.net_income * 100.0, f.revenue)),
        Kpi::OpexRatio => finance.and_then(|f| ratio(f.operating_expenses * 100.0, f.revenue)),
        Kpi::Cac => finance.and_then(|f| ratio(f.marketing_spend, f.new_customers as f64)),
        Kpi::Clv => clv(inputs, settings),
    }
}

/// The count a KPI's value rests on: its denominator, or what it counts.
pub fn sample_size(kpi: Kpi, inputs: &KpiInputs) -> i64 {
    let t = &inputs.tickets;
    let orders = inputs.orders.as_ref();
    let finance = inputs.finance.as_ref();
    match kpi {
        Kpi::Tickets | Kpi::EscalationRate | Kpi::RepeatContactRate | Kpi::CostPerContact => t.tickets,
        Kpi::FrtMedianH | Kpi::FrtMeanH => t.frt_n,
        Kpi::ResolutionMedianH
        | Kpi::ResolutionMeanH
        | Kpi::SlaAttainment
        | Kpi::FcrRate
        | Kpi::ReopenRate => t.resolved,
        Kpi::Csat | Kpi::CsatMean => t.csat_n,
        Kpi::Nps => t.nps_n,
        Kpi::CesMean => t.ces_n,
        Kpi::Backlog => inputs.backlog.unwrap_or(0),
        Kpi::ContactRate => orders.map_or(0, |o| o.orders),
        // Orders without a known amount are not behind a money KPI.
        Kpi::Clv => orders.map_or(0, |o| o.priced_orders),
        Kpi::RepeatPurchaseRate => orders.map_or(0, |o| o.customers),
        Kpi::PostSupportRepurchase => orders.map_or(0, |o| o.ticket_customers),
        Kpi::SupportCostRatio | Kpi::ProfitMargin | Kpi::OpexRatio => finance.map_or(0, |f| f.months),
        Kpi::Cac => finance.map_or(0, |f| f.new_customers),
    }
}

/// Average order value × orders per customer per year × gross margin ratio ×
/// expected lifetime. Orders per customer per year are taken over the 12
/// months ending with the period, so a single month is not annualised naively.
/// The average order value is over orders with a known amount only.
fn clv(inputs: &KpiInputs, settings: &KpiSettings) -> Option<f64> {
    let o = inputs.orders.as_ref()?;
    let f = inputs.finance.as_ref()?;
    let average_order_value = ratio(o.amount, o.priced_orders as f64)?;
    let orders_per_customer_year = ratio(o.trailing_year_orders as f64, o.trailing_year_customers as f64)?;
    let margin_ratio = ratio(f.gross_margin?, f.revenue)?;
    Some(average_order_value * orders_per_customer_year * margin_ratio * settings.customer_lifetime_years)
}

#[cfg(test)]
mod tests;
