//! What time charts draw besides the KPI itself: published benchmark lines
//! and the notes pinned to periods. Shared by every analysis with a chart.

use crate::api::events::EventInfo;
use crate::kpi::{Grain, Kpi, Period};
use crate::store::events as store_events;
use crate::store::{annotations, read, Db};

/// The first published benchmark's p50 and p75 for `kpi`, labelled with
/// publisher and year ("Zendesk p50 (2024)").
pub async fn benchmark_lines(db: &Db, kpi: Kpi) -> Result<Vec<(String, f64)>, sqlx::Error> {
    Ok(read::benchmarks(db, kpi.key())
        .await?
        .into_iter()
        .flat_map(|b| {
            let source = b.source.split_whitespace().next().unwrap_or_default().to_string();
            [("p50", b.p50), ("p75", b.p75)]
                .into_iter()
                .filter_map(move |(name, v)| Some((format!("{source} {name} ({})", b.year), v?)))
        })
        .take(2)
        .collect())
}

/// The notes on `kpi` and the business events within `periods`, as (index
/// of the period that holds the note's or event's start, text). Notes are
/// kept per month, day or week; each lands on the chart's period that
/// contains it, whatever the chart's grain.
pub async fn notes(db: &Db, kpi: Kpi, periods: &[Period]) -> Result<Vec<(usize, String)>, sqlx::Error> {
    let (Some(first), Some(last)) = (periods.first(), periods.last()) else { return Ok(Vec::new()) };
    let month = |d| Period::containing(Grain::Month, d).to_string();
    let found = annotations::of_kpi(db, kpi.key(), &month(first.start), &month(last.last_day())).await?;
    let index =
        |day: chrono::NaiveDate| periods.iter().position(|p| p.start <= day && day < p.end_exclusive());
    let mut notes: Vec<(usize, String)> =
        found.into_iter().filter_map(|a| Some((index(Period::parse(&a.period)?.start)?, a.text))).collect();
    let (from, to) = (first.start.to_string(), last.last_day().to_string());
    for event in store_events::overlapping(db, &from, &to).await?.into_iter().map(EventInfo::from) {
        let start = chrono::NaiveDate::parse_from_str(&event.starts_on, "%Y-%m-%d").ok();
        // An event that began before the chart is marked at its first period.
        let i = start.and_then(index).unwrap_or(0);
        notes.push((i, event.describe()));
    }
    notes.sort_by_key(|(i, _)| *i);
    Ok(notes)
}
