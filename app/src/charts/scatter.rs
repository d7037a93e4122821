//! Scatter plot with a least-squares line and Pearson's r: how one KPI moves
//! with another (satisfaction against cost, repurchase against CSAT).

use super::canvas::{svg_of, Draw, Drawn, Layer};
use super::scale::nice_range;
use super::theme::{AXIS_TEXT, GRID, NO_LINE};
use super::{Chart, ChartSpec, DataTable, HitPoint, PALETTE};
use crate::kpi::format;
use crate::kpi::trend::{least_squares, pearson};
use crate::kpi::Unit;
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScatterSpec {
    pub title: String,
    pub x_name: String,
    pub x_unit: Unit,
    pub y_name: String,
    pub y_unit: Unit,
    /// (label, x, y)
    pub points: Vec<(String, f64, f64)>,
}

pub const WIDTH: u32 = 760;
pub const HEIGHT: u32 = 320;

impl Draw for ScatterSpec {
    fn size(&self) -> (u32, u32) {
        (WIDTH, HEIGHT)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, _: Layer) -> Drawn {
        let spec = self;
        let (x0, x1) = nice_range(spec.points.iter().map(|p| p.1), 6);
        let (y0, y1) = nice_range(spec.points.iter().map(|p| p.2), 5);
        let mut drawn = Drawn::default();
        let Ok(mut chart) = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d(x0..x1, y0..y1)
        else {
            return drawn;
        };
        let x_label = |x: &f64| format::tick(*x, spec.x_unit);
        let y_label = |y: &f64| format::tick(*y, spec.y_unit);
        let _ = chart
            .configure_mesh()
            .x_desc(spec.x_name.as_str())
            .y_desc(spec.y_name.as_str())
            .x_labels(7)
            .x_label_formatter(&x_label)
            .y_labels(6)
            .y_label_formatter(&y_label)
            .light_line_style(NO_LINE)
            .bold_line_style(GRID)
            .axis_style(GRID)
            .label_style(("sans-serif", 12).into_font().color(&AXIS_TEXT))
            .axis_desc_style(("sans-serif", 12).into_font().color(&AXIS_TEXT))
            .draw();
        if let Some(fit) = least_squares(&xy(spec)) {
            let line = vec![(x0, fit.at(x0)), (x1, fit.at(x1))];
            let _ = chart.draw_series(DashedLineSeries::new(line, 6, 4, AXIS_TEXT.stroke_width(1)));
        }
        let (r, g, b) = PALETTE[0];
        for (label, x, y) in &spec.points {
            let _ = chart.draw_series(std::iter::once(Circle::new((*x, *y), 4, RGBColor(r, g, b).filled())));
            let (px, py) = chart.backend_coord(&(*x, *y));
            let text = format!(
                "{label}: {} {}, {} {}",
                spec.x_name,
                format::value(Some(*x), spec.x_unit),
                spec.y_name,
                format::value(Some(*y), spec.y_unit)
            );
            drawn.points.push(HitPoint { x: px as f64, y: py as f64, label: text, href: None, series: None });
        }
        drawn
    }
}

fn xy(spec: &ScatterSpec) -> Vec<(f64, f64)> {
    spec.points.iter().map(|p| (p.1, p.2)).collect()
}

pub fn render(spec: &ScatterSpec) -> Chart {
    let (svg, drawn) = svg_of(spec, Layer::Full);
    let r = pearson(&xy(spec));
    let points = drawn.points;
    let summary = match r {
        Some(r) => {
            format!(
                "{} and {} across {} points: correlation r = {r:.2}.",
                spec.y_name,
                spec.x_name,
                spec.points.len()
            )
        }
        None => format!("Too few varying points to relate {} and {}.", spec.y_name, spec.x_name),
    };
    let table = DataTable {
        columns: vec!["point".into(), spec.x_name.clone(), spec.y_name.clone()],
        rows: spec
            .points
            .iter()
            .map(|(l, x, y)| {
                vec![l.clone(), format::value(Some(*x), spec.x_unit), format::value(Some(*y), spec.y_unit)]
            })
            .collect(),
    };
    Chart::new(ChartSpec::Scatter(spec.clone()), svg, summary, points, table, Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_falling_relation_reports_a_negative_r() {
        let chart = render(&ScatterSpec {
            title: "CSAT vs cost".into(),
            x_name: "Cost per contact".into(),
            x_unit: Unit::Currency,
            y_name: "CSAT".into(),
            y_unit: Unit::Percent,
            points: vec![("Jan".into(), 4.0, 84.0), ("Feb".into(), 5.0, 82.0), ("Mar".into(), 6.0, 80.0)],
        });
        assert_eq!(chart.summary, "CSAT and Cost per contact across 3 points: correlation r = -1.00.");
        assert_eq!(chart.points.len(), 3);
        assert!(chart.points[0].x < chart.points[2].x && chart.points[0].y < chart.points[2].y);
    }
}
