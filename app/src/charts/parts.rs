//! A chart split for the page: the drawing, which stays in the server's
//! HTML, and the small data the interactive island gets as props.

use super::{Chart, DataTable, HitPoint};
use serde::{Deserialize, Serialize};

/// What the interactive layer needs of a chart: everything but the drawing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChartControls {
    pub summary: String,
    pub width: i64,
    pub height: i64,
    pub points: Vec<HitPoint>,
    pub table: DataTable,
    /// Time charts: the x pixel of each period, so a drag can pick a range.
    pub x_slots: Vec<f64>,
    pub key: Vec<String>,
    /// The chart's spec as JSON: posted back for the SVG and PNG downloads
    /// and for zooming.
    pub spec: String,
}

impl ChartControls {
    pub fn of(chart: &Chart) -> ChartControls {
        ChartControls {
            summary: chart.summary.clone(),
            width: chart.width.into(),
            height: chart.height.into(),
            points: chart.points.clone(),
            table: chart.table.clone(),
            x_slots: chart.x_slots.clone(),
            key: chart.key.clone(),
            spec: serde_json::to_string(&chart.spec).unwrap_or_default(),
        }
    }
}

/// A zoomed chart as the server draws it for the island.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ZoomedChart {
    /// The drawing's markup, see [`drawing_html`].
    pub drawing: String,
    pub controls: ChartControls,
}

/// The chart's SVG as HTML: whole, or a frame with one layer per legend
/// entry, each carrying its index so the legend can hide it.
pub fn drawing_html(chart: &Chart) -> String {
    match &chart.frame {
        Some(frame) => {
            let layers = chart
                .layers
                .iter()
                .enumerate()
                .map(|(i, layer)| format!("<div class=\"chart-layer\" data-layer=\"{i}\">{layer}</div>"));
            format!("<div class=\"chart-svg\">{frame}</div>{}", layers.collect::<String>())
        }
        None => format!("<div class=\"chart-svg\">{}</div>", chart.svg),
    }
}
