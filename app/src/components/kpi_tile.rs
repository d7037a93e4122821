//! One KPI tile: actual, target and variance coloured by the KPI's
//! direction, change against last month with an arrow, and a sparkline.

use crate::api::overview::KpiTile;
use crate::kpi::format;
use crate::kpi::{Status, Unit};
use leptos::prelude::*;

/// "good", "bad" or "neutral": the colour class of a signed change.
fn tone(good: Option<bool>) -> &'static str {
    match good {
        Some(true) => "good",
        Some(false) => "bad",
        None => "neutral",
    }
}

fn status_label(status: Status) -> (&'static str, &'static str) {
    match status {
        Status::OnTarget => ("On target", "good"),
        Status::Watch => ("Watch", "warn"),
        Status::OffTarget => ("Off target", "bad"),
        Status::NoData => ("No target", "neutral"),
    }
}

/// ▲ or ▼ for a change that shows as non-zero, so sign never rests on colour alone.
fn arrow(change: Option<f64>, unit: Unit) -> &'static str {
    match format::significant_sign(change, unit) {
        Some(true) => "▲",
        Some(false) => "▼",
        None => "",
    }
}

/// The colour class of a change: neutral when it shows as zero.
fn change_tone(change: Option<f64>, unit: Unit, good: Option<bool>) -> &'static str {
    format::significant_sign(change, unit).map_or("neutral", |_| tone(good))
}

/// A sentence for screen readers describing the 12-month history.
fn history_summary(tile: &KpiTile) -> String {
    let values: Vec<f64> = tile.history.iter().filter_map(|(_, v)| *v).collect();
    match (values.first(), values.last()) {
        (Some(first), Some(last)) => format!(
            "{} over the last {} months: from {} to {}",
            tile.name,
            tile.history.len(),
            format::value(Some(*first), tile.unit),
            format::value(Some(*last), tile.unit)
        ),
        _ => format!("{}: no history", tile.name),
    }
}

#[component]
pub fn KpiTileView(tile: KpiTile) -> impl IntoView {
    let v = &tile.variance;
    let (status_text, status_tone) = status_label(v.status);
    let target_text = match v.target {
        Some(_) => format!("Target {}", format::value(v.target, tile.unit)),
        None => "No target set".to_string(),
    };
    let variance_text = format!("{} {}", arrow(v.variance, tile.unit), format::delta(v.variance, tile.unit));
    let change_text = format!("{} {}", arrow(tile.change, tile.unit), format::delta(tile.change, tile.unit));
    let variance_tone = change_tone(v.variance, tile.unit, v.favourable);
    let change_tone = change_tone(tile.change, tile.unit, tile.improved);
    let summary = history_summary(&tile);
    view! {
        <article class="tile" data-kpi=tile.key.clone()>
            <header class="tile-head">
                <h3>{tile.name.clone()}</h3>
                <span class=format!("badge {status_tone}")>{status_text}</span>
            </header>
            <p class="tile-value" data-testid="actual">{format::value(v.actual, tile.unit)}</p>
            <dl class="tile-facts">
                <div>
                    <dt>{target_text}</dt>
                    <dd class=variance_tone>{if v.target.is_some() { variance_text } else { String::new() }}</dd>
                </div>
                <div>
                    <dt>"vs last month"</dt>
                    <dd class=change_tone>{change_text}</dd>
                </div>
            </dl>
            <div class="sparkline" role="img" aria-label=summary inner_html=tile.sparkline_svg.clone()></div>
        </article>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrows_show_the_sign_not_only_colour() {
        assert_eq!(arrow(Some(2.0), Unit::Percent), "▲");
        assert_eq!(arrow(Some(-0.1), Unit::Percent), "▼");
        assert_eq!(arrow(Some(0.01), Unit::Percent), "");
        assert_eq!(arrow(None, Unit::Percent), "");
    }
}
