//! The KPI catalogue of DESIGN.md §3: key, name, unit and direction.

use super::sketch::Sketches;
use serde::{Deserialize, Serialize};

/// Whether a rise is good news.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Higher,
    Lower,
    Neutral,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    #[default]
    Count,
    Percent,
    Hours,
    Score,
    Points,
    Currency,
    TicketsPer100Orders,
    /// A change relative to a reference, e.g. variance as % of target.
    RelativePercent,
}

macro_rules! catalogue {
    ($($variant:ident => $key:literal, $name:literal, $unit:ident, $dir:ident;)*) => {
        /// One KPI of the catalogue.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Kpi { $($variant,)* }

        impl Kpi {
            /// Every KPI, in catalogue order.
            pub const ALL: &'static [Kpi] = &[$(Kpi::$variant,)*];

            pub fn key(self) -> &'static str {
                match self { $(Kpi::$variant => $key,)* }
            }

            pub fn name(self) -> &'static str {
                match self { $(Kpi::$variant => $name,)* }
            }

            pub fn unit(self) -> Unit {
                match self { $(Kpi::$variant => Unit::$unit,)* }
            }

            pub fn direction(self) -> Direction {
                match self { $(Kpi::$variant => Direction::$dir,)* }
            }

            pub fn from_key(key: &str) -> Option<Kpi> {
                match key { $($key => Some(Kpi::$variant),)* _ => None }
            }
        }
    };
}

catalogue! {
    Tickets => "tickets", "Tickets", Count, Neutral;
    ContactRate => "contact_rate", "Contact rate", TicketsPer100Orders, Lower;
    FrtMedianH => "frt_median_h", "First response (median)", Hours, Lower;
    FrtMeanH => "frt_mean_h", "First response (mean)", Hours, Lower;
    ResolutionMedianH => "resolution_median_h", "Resolution time (median)", Hours, Lower;
    ResolutionMeanH => "resolution_mean_h", "Resolution time (mean)", Hours, Lower;
    SlaAttainment => "sla_attainment", "SLA attainment", Percent, Higher;
    FcrRate => "fcr_rate", "First contact resolution", Percent, Higher;
    Csat => "csat", "CSAT", Percent, Higher;
    CsatMean => "csat_mean", "CSAT (mean score)", Score, Higher;
    Nps => "nps", "NPS", Points, Higher;
    CesMean => "ces_mean", "Customer effort (mean)", Score, Lower;
    ReopenRate => "reopen_rate", "Reopen rate", Percent, Lower;
    EscalationRate => "escalation_rate", "Escalation rate", Percent, Lower;
    RepeatContactRate => "repeat_contact_rate", "Repeat contacts", Percent, Lower;
    Backlog => "backlog", "Backlog", Count, Lower;
    RepeatPurchaseRate => "repeat_purchase_rate", "Repeat purchase rate", Percent, Higher;
    PostSupportRepurchase => "post_support_repurchase", "Repurchase after support", Percent, Higher;
    CostPerContact => "cost_per_contact", "Cost per contact", Currency, Lower;
    SupportCostRatio => "support_cost_ratio", "Support cost ratio", Percent, Lower;
    ProfitMargin => "profit_margin", "Profit margin", Percent, Higher;
    OpexRatio => "opex_ratio", "Opex ratio", Percent, Lower;
    Cac => "cac", "Customer acquisition cost", Currency, Lower;
    Clv => "clv", "Customer lifetime value", Currency, Higher;
}

impl Kpi {
    /// The KPIs of leadership's monthly overview, in tile order.
    pub const OVERVIEW: &'static [Kpi] = &[
        Kpi::Csat,
        Kpi::Nps,
        Kpi::FrtMedianH,
        Kpi::ResolutionMedianH,
        Kpi::FcrRate,
        Kpi::SlaAttainment,
        Kpi::ContactRate,
        Kpi::ReopenRate,
        Kpi::CostPerContact,
        Kpi::RepeatPurchaseRate,
    ];

    /// A share of yes/no outcomes (satisfied, resolved first time…), in
    /// percent of its sample: it has a binomial confidence interval.
    pub fn is_proportion(self) -> bool {
        use Kpi::*;
        matches!(
            self,
            SlaAttainment
                | FcrRate
                | Csat
                | ReopenRate
                | EscalationRate
                | RepeatContactRate
                | RepeatPurchaseRate
                | PostSupportRepurchase
        )
    }

    /// The sketch a quantile KPI is read from, merged: other ticket KPIs
    /// need only the exact sums, and reads skip the sketches.
    pub fn sketches(self) -> Sketches {
        Sketches { frt: self == Kpi::FrtMedianH, resolution: self == Kpi::ResolutionMedianH }
    }

    /// The data this KPI is computed from beyond the ticket rollup.
    pub fn needs(self) -> Needs {
        use Kpi::*;
        Needs {
            orders: matches!(self, ContactRate | RepeatPurchaseRate | PostSupportRepurchase | Clv),
            finance: matches!(self, CostPerContact | SupportCostRatio | ProfitMargin | OpexRatio | Cac | Clv),
            backlog: self == Backlog,
        }
    }
}

/// What a KPI reads besides the daily ticket rollup.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    /// Company-wide orders of the period (and customers, trailing year).
    pub orders: bool,
    /// The month's financials.
    pub finance: bool,
    /// Tickets still open at the end of the period (a running count).
    pub backlog: bool,
}

impl Needs {
    /// A KPI of tickets alone: it has a value per channel × category cell.
    pub fn tickets_only(self) -> bool {
        self == Needs::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_reads_back_to_its_kpi() {
        for kpi in Kpi::ALL {
            assert_eq!(Kpi::from_key(kpi.key()), Some(*kpi));
        }
        assert_eq!(Kpi::ALL.len(), 24);
    }

    #[test]
    fn company_wide_kpis_say_what_they_read() {
        assert!(Kpi::Csat.needs().tickets_only());
        assert!(Kpi::ContactRate.needs().orders);
        assert_eq!(Kpi::Clv.needs(), Needs { orders: true, finance: true, backlog: false });
        assert!(!Kpi::Backlog.needs().tickets_only());
        assert_eq!(Kpi::ALL.iter().filter(|k| k.needs().tickets_only()).count(), 14);
    }

    #[test]
    fn serde_uses_the_catalogue_key() {
        assert_eq!(serde_json::to_string(&Kpi::FrtMedianH).unwrap(), "\"frt_median_h\"");
    }
}
