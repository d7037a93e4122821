//! What time charts draw besides the KPI itself: published benchmark lines
//! and the notes pinned to periods. Shared by every analysis with a chart.

use crate::kpi::{Grain, Kpi, Period};
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

/// The notes on `kpi` within `periods`, as (index of the period that holds
/// the note's start, text). Notes are kept per month, day or week; each
/// lands on the chart's period that contains it, whatever the chart's grain.
pub async fn notes(db: &Db, kpi: Kpi, periods: &[Period]) -> Result<Vec<(usize, String)>, sqlx::Error> {
    let (Some(first), Some(last)) = (periods.first(), periods.last()) else { return Ok(Vec::new()) };
    let month = |d| Period::containing(Grain::Month, d).to_string();
    let found = annotations::of_kpi(db, kpi.key(), &month(first.start), &month(last.last_day())).await?;
    Ok(found
        .into_iter()
        .filter_map(|a| {
            let start = Period::parse(&a.period)?.start;
            let i = periods.iter().position(|p| p.start <= start && start < p.end_exclusive())?;
            Some((i, a.text))
        })
        .collect())
}
