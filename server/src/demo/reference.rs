//! The demo's targets, a starter benchmark library and notes on its incident.
//! Benchmarks are published figures from shared/reference/published-benchmarks.md,
//! each with its publisher, report and year; single published averages fill
//! p50 only.

use app::kpi::Period;
use app::models::{BenchmarkRecord, TargetRecord};
use app::store::annotations::Annotation;

/// The company's targets for one month.
pub fn targets(month: Period) -> Vec<TargetRecord> {
    [
        ("csat", 80.0),
        ("nps", 25.0),
        ("frt_median_h", 1.0),
        ("resolution_median_h", 12.0),
        ("fcr_rate", 60.0),
        ("sla_attainment", 75.0),
        ("contact_rate", 14.0),
        ("reopen_rate", 6.0),
        ("cost_per_contact", 5.0),
        ("repeat_purchase_rate", 45.0),
    ]
    .into_iter()
    .map(|(kpi, value)| TargetRecord {
        kpi: kpi.to_string(),
        period: month.to_string(),
        scope_dim: String::new(),
        scope_value: String::new(),
        value,
        set_by: "demo".to_string(),
        note: "Demo target".to_string(),
    })
    .collect()
}

fn p50(kpi: &str, segment: &str, value: f64, unit: &str, source: &str, year: i64) -> BenchmarkRecord {
    BenchmarkRecord {
        kpi: kpi.to_string(),
        segment: segment.to_string(),
        p25: None,
        p50: Some(value),
        p75: None,
        p90: None,
        unit: unit.to_string(),
        source: source.to_string(),
        year,
    }
}

pub fn benchmarks() -> Vec<BenchmarkRecord> {
    vec![
        p50("csat", "All industries (Zendesk customers)", 82.0, "%", "Zendesk Benchmark Q3 2013", 2013),
        p50(
            "csat",
            "Live chat, all industries",
            83.54,
            "%",
            "LiveChat Inc. Customer Service Report 2018",
            2018,
        ),
        p50("csat", "Live chat, all industries", 80.68, "%", "Comm100 Live Chat Benchmark Report 2018", 2018),
        p50("fcr_rate", "Call centers", 72.0, "%", "SQM Group, Top 5 reasons to improve FCR", 2017),
        p50(
            "frt_median_h",
            "Email, US retailers (average)",
            7.85,
            "h",
            "Eptica 2015 Retail Customer Experience Study",
            2015,
        ),
        p50(
            "frt_median_h",
            "Email, 1,000 companies (average)",
            12.0,
            "h",
            "SuperOffice Customer Service Benchmark Report",
            2018,
        ),
        p50(
            "cost_per_contact",
            "Live (assisted) channels",
            8.01,
            "USD",
            "Gartner Customer Service & Support Leader poll",
            2019,
        ),
        p50("nps", "Retail, US consumers", 28.4, "points", "XM Institute US consumer NPS benchmark", 2022),
    ]
}

/// What a support lead would have written about the delivery-delay incident:
/// its root cause, and the corrective action the month after.
pub fn annotations(incident: Period) -> Vec<Annotation> {
    let note = |period: Period, kind: &str, text: &str, status: &str| Annotation {
        kpi: "csat".into(),
        period: period.to_string(),
        kind: kind.into(),
        text: text.into(),
        owner: "Support lead".into(),
        status: status.into(),
        author: "demo".into(),
    };
    vec![
        note(incident, "root_cause", "Carrier delays from the 8th to the 21st: delivery tickets up", "done"),
        note(incident.next(), "corrective_action", "Proactive delay e-mails and a second carrier", "done"),
    ]
}
