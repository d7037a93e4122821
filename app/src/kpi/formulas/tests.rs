//! Every formula against numbers computed by hand from four tickets, one
//! period of orders and one month of financials.

use super::*;
use crate::kpi::aggregate::{FinanceTotals, OrderTotals, TicketFacts, TicketTotals};
use rstest::rstest;

const HOUR: i64 = 3600;
const SLA_24H: i64 = 24 * HOUR;

fn ticket(frt_h: Option<i64>, res_h: Option<i64>) -> TicketFacts {
    TicketFacts {
        created_at: 1_000_000,
        first_response_at: frt_h.map(|h| 1_000_000 + h * HOUR),
        resolved_at: res_h.map(|h| 1_000_000 + h * HOUR),
        csat: None,
        nps: None,
        ces: None,
        first_contact_resolved: false,
        reopened: false,
        escalated: false,
        contacts: 1,
    }
}

/// T1: answered in 1 h, solved in 2 h at first contact, csat 5, nps 10, ces 2.
/// T2: answered in 3 h, solved in 30 h, reopened, escalated, csat 3, nps 7, ces 4,
/// three customer contacts.
/// T3: answered in 2 h, open, nps 3. T4: unanswered, open, nps 9.
fn the_four() -> [TicketFacts; 4] {
    [
        TicketFacts {
            csat: Some(5),
            nps: Some(10),
            ces: Some(2),
            first_contact_resolved: true,
            ..ticket(Some(1), Some(2))
        },
        TicketFacts {
            csat: Some(3),
            nps: Some(7),
            ces: Some(4),
            reopened: true,
            escalated: true,
            contacts: 3,
            ..ticket(Some(3), Some(30))
        },
        TicketFacts { nps: Some(3), ..ticket(Some(2), None) },
        TicketFacts { nps: Some(9), ..ticket(None, None) },
    ]
}

fn totals_of(tickets: &[TicketFacts]) -> TicketTotals {
    let mut totals = TicketTotals::default();
    for t in tickets {
        totals.add_ticket(t, SLA_24H);
    }
    totals
}

fn four_tickets() -> TicketTotals {
    totals_of(&the_four())
}

fn full_inputs() -> KpiInputs {
    KpiInputs {
        tickets: four_tickets(),
        backlog: Some(7),
        orders: Some(OrderTotals {
            orders: 50,
            amount: 2500.0,
            priced_orders: 50,
            customers: 40,
            returning_customers: 10,
            trailing_year_orders: 600,
            trailing_year_customers: 400,
            ticket_customers: 3,
            ticket_customers_repurchased: 1,
            repurchase_provisional: false,
        }),
        finance: Some(FinanceTotals {
            months: 1,
            revenue: 100_000.0,
            net_income: 8_000.0,
            operating_expenses: 30_000.0,
            support_cost: 2_000.0,
            marketing_spend: 5_000.0,
            new_customers: 100,
            gross_margin: Some(40_000.0),
        }),
    }
}

#[rstest]
#[case(Kpi::Tickets, 4.0)]
#[case(Kpi::ContactRate, 8.0)] // 4 tickets / 50 orders × 100
#[case(Kpi::FrtMeanH, 2.0)] // (1 + 3 + 2) / 3
#[case(Kpi::ResolutionMeanH, 16.0)] // (2 + 30) / 2
#[case(Kpi::SlaAttainment, 50.0)] // 2 h within 24 h, 30 h not
#[case(Kpi::FcrRate, 50.0)] // 1 of 2 resolved
#[case(Kpi::Csat, 50.0)] // one 4–5 of two rated
#[case(Kpi::CsatMean, 4.0)] // (5 + 3) / 2
#[case(Kpi::Nps, 25.0)] // promoters 10, 9; detractor 3; of 4 rated
#[case(Kpi::CesMean, 3.0)] // (2 + 4) / 2
#[case(Kpi::ReopenRate, 50.0)] // 1 of 2 resolved
#[case(Kpi::EscalationRate, 25.0)] // 1 of 4
#[case(Kpi::RepeatContactRate, 25.0)] // T2's 3 contacts, of 4 tickets
#[case(Kpi::Backlog, 7.0)]
#[case(Kpi::RepeatPurchaseRate, 25.0)] // 10 of 40 customers
#[case(Kpi::CostPerContact, 500.0)] // 2000 / 4
#[case(Kpi::SupportCostRatio, 2.0)] // 2000 / 100000
#[case(Kpi::ProfitMargin, 8.0)]
#[case(Kpi::OpexRatio, 30.0)]
#[case(Kpi::Cac, 50.0)] // 5000 / 100
#[case(Kpi::Clv, 90.0)] // AOV 50 × 1.5 orders/yr × 0.4 margin × 3 years
fn each_kpi_matches_the_hand_computed_value(#[case] kpi: Kpi, #[case] expected: f64) {
    let value = compute(kpi, &full_inputs(), &KpiSettings::default()).unwrap();
    assert!((value - expected).abs() < 1e-9, "{}: {value} != {expected}", kpi.key());
}

#[test]
fn post_support_repurchase_is_one_in_three() {
    let value = compute(Kpi::PostSupportRepurchase, &full_inputs(), &KpiSettings::default()).unwrap();
    assert!((value - 100.0 / 3.0).abs() < 1e-9);
}

#[rstest]
#[case(Kpi::FrtMedianH, 2.0)] // median of 1, 2, 3
#[case(Kpi::ResolutionMedianH, 16.0)] // median of 2 and 30: their mean
fn medians_come_from_the_sketch_within_one_percent(#[case] kpi: Kpi, #[case] expected: f64) {
    let value = compute(kpi, &full_inputs(), &KpiSettings::default()).unwrap();
    assert!((value - expected).abs() / expected <= 0.01, "{value}");
}

#[test]
fn every_kpi_but_the_ticket_count_has_no_value_on_empty_data() {
    let empty = KpiInputs {
        orders: Some(OrderTotals::default()),
        finance: Some(FinanceTotals::default()),
        ..KpiInputs::default()
    };
    for kpi in Kpi::ALL {
        let value = compute(*kpi, &empty, &KpiSettings::default());
        match kpi {
            Kpi::Tickets => assert_eq!(value, Some(0.0)),
            _ => assert_eq!(value, None, "{} should have no value", kpi.key()),
        }
    }
}

#[test]
fn csat_counts_only_rated_tickets() {
    let mut totals = TicketTotals::default();
    totals.add_ticket(&TicketFacts { csat: Some(4), ..ticket(None, None) }, SLA_24H);
    totals.add_ticket(&ticket(None, None), SLA_24H);
    let inputs = KpiInputs { tickets: totals, ..KpiInputs::default() };
    assert_eq!(compute(Kpi::Csat, &inputs, &KpiSettings::default()), Some(100.0));
}

#[test]
fn a_repeat_contact_is_more_than_one_contact_and_rests_on_every_ticket() {
    let totals = totals_of(&[
        TicketFacts { contacts: 0, ..ticket(None, None) },
        TicketFacts { contacts: 1, ..ticket(None, None) },
        TicketFacts { contacts: 2, ..ticket(None, None) },
    ]);
    let inputs = KpiInputs { tickets: totals, ..KpiInputs::default() };
    let value = compute(Kpi::RepeatContactRate, &inputs, &KpiSettings::default()).unwrap();
    assert!((value - 100.0 / 3.0).abs() < 1e-9, "{value}");
    assert_eq!(sample_size(Kpi::RepeatContactRate, &inputs), 3);
}

#[test]
fn clv_needs_a_gross_margin() {
    let mut inputs = full_inputs();
    inputs.finance.as_mut().unwrap().gross_margin = None;
    assert_eq!(compute(Kpi::Clv, &inputs, &KpiSettings::default()), None);
}

#[test]
fn ratio_never_returns_nan_or_infinity() {
    assert_eq!(ratio(0.0, 0.0), None);
    assert_eq!(ratio(1.0, 0.0), None);
    assert_eq!(ratio(f64::INFINITY, 1.0), None);
    assert_eq!(ratio(1.0, 4.0), Some(0.25));
}

#[test]
fn totals_merge_like_one_pass_over_all_tickets() {
    let four = the_four();
    let mut halves = totals_of(&four[..2]);
    halves.merge(&totals_of(&four[2..]));
    assert_eq!(halves, four_tickets());
}

#[rstest]
#[case(Kpi::Tickets, 4)]
#[case(Kpi::Csat, 2)]
#[case(Kpi::Nps, 4)]
#[case(Kpi::FrtMedianH, 3)]
#[case(Kpi::FcrRate, 2)]
#[case(Kpi::ContactRate, 50)]
#[case(Kpi::RepeatPurchaseRate, 40)]
#[case(Kpi::ProfitMargin, 1)]
fn the_sample_size_is_what_the_value_rests_on(#[case] kpi: Kpi, #[case] n: i64) {
    assert_eq!(sample_size(kpi, &full_inputs()), n);
}
