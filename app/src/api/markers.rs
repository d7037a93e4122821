//! What time charts draw besides the KPI itself: published benchmark lines
//! and the notes pinned to periods. Shared by every analysis with a chart.

use crate::api::events::EventInfo;
use crate::kpi::register::{label_of, CATEGORIES, STATUSES};
use crate::kpi::{Kpi, Period};
use crate::store::events as store_events;
use crate::store::{annotations, read, Db};
use chrono::Datelike;

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
/// kept per month, day or week, and kept here by their dates: each one that
/// overlaps the chart lands on the chart's period holding its start (or on
/// the first period), whatever the chart's grain. A done corrective action
/// is marked at its completion day.
pub async fn notes(db: &Db, kpi: Kpi, periods: &[Period]) -> Result<Vec<(usize, String)>, sqlx::Error> {
    let (Some(first), Some(last)) = (periods.first(), periods.last()) else { return Ok(Vec::new()) };
    let (from_day, to_day) = (first.start, last.last_day());
    // Every period key starts with its year; a week of one ISO year may begin in the year before.
    let found = annotations::markers_in_years(db, kpi.key(), from_day.year() - 1, to_day.year() + 1).await?;
    let index =
        |day: chrono::NaiveDate| periods.iter().position(|p| p.start <= day && day < p.end_exclusive());
    let mut notes: Vec<(usize, String)> = found
        .into_iter()
        .filter_map(|m| {
            let period = Period::parse(&m.period)?;
            let done = chrono::NaiveDate::parse_from_str(&m.completed_on, "%Y-%m-%d").ok();
            let (start, end) = match done {
                Some(day) => (day, day),
                None => (period.start, period.last_day()),
            };
            if start > to_day || end < from_day {
                return None;
            }
            Some((index(start.max(from_day))?, marker_text(&m)))
        })
        .collect();
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

/// "Root cause (mix): …", "Action (done 2025-10-20, owner Ana): …"; a plain note is its text.
fn marker_text(m: &annotations::Marker) -> String {
    match m.kind.as_str() {
        "root_cause" if !m.category.is_empty() => {
            format!("Root cause ({}): {}", label_of(&CATEGORIES, &m.category).to_lowercase(), m.text)
        }
        "corrective_action" => {
            let mut state = label_of(&STATUSES, &m.status).to_lowercase();
            if !m.completed_on.is_empty() {
                state.push_str(&format!(" {}", m.completed_on));
            }
            if !m.owner.is_empty() {
                state.push_str(&format!(", owner {}", m.owner));
            }
            format!("Action ({state}): {}", m.text)
        }
        _ => m.text.clone(),
    }
}
