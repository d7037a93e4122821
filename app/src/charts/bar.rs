//! Horizontal bar chart for signed comparisons (variances, gaps): bars right
//! of zero are better when `good` says so, and every bar is coloured by
//! whether it is good news, with the sign written in its label.

use super::canvas::{svg_of, Draw, Drawn, Layer};
use super::scale::{diverging, hex, nice_range};
use super::theme::{AXIS_TEXT, GRID, NO_LINE};
use super::{Chart, ChartSpec, DataTable, HitPoint};
use crate::kpi::format;
use crate::kpi::Unit;
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    pub label: String,
    pub value: Option<f64>,
    /// Whether the value is good news; `None` for neutral.
    pub good: Option<bool>,
    pub href: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BarSpec {
    pub title: String,
    pub unit: Unit,
    pub bars: Vec<Bar>,
}

pub const WIDTH: u32 = 760;
const ROW: u32 = 30;

fn colour(good: Option<bool>) -> (u8, u8, u8) {
    match good {
        Some(true) => diverging(0.95),
        Some(false) => diverging(0.05),
        None => (0x8a, 0x93, 0xa3),
    }
}

impl Draw for BarSpec {
    fn size(&self) -> (u32, u32) {
        (WIDTH, 50 + ROW * self.bars.len().max(1) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, _: Layer) -> Drawn {
        let spec = self;
        let n = spec.bars.len();
        let (lo, hi) = nice_range(spec.bars.iter().filter_map(|b| b.value).chain([0.0]), 6);
        let mut drawn = Drawn::default();
        let Ok(mut chart) = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(26)
            .y_label_area_size(200)
            .build_cartesian_2d(lo..hi, -0.5..(n.max(1) as f64 - 0.5))
        else {
            return drawn;
        };
        let y_label = |y: &f64| {
            let i = y.round();
            let near = (y - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n;
            if near {
                spec.bars[n - 1 - i as usize].label.clone()
            } else {
                String::new()
            }
        };
        let x_label = |x: &f64| format::tick(*x, spec.unit);
        let _ = chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n.max(2))
            .y_label_formatter(&y_label)
            .x_labels(7)
            .x_label_formatter(&x_label)
            .light_line_style(NO_LINE)
            .bold_line_style(GRID)
            .axis_style(GRID)
            .label_style(("sans-serif", 12).into_font().color(&AXIS_TEXT))
            .draw();
        let _ = chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
            AXIS_TEXT,
        )));
        for (i, bar) in spec.bars.iter().enumerate() {
            let Some(v) = bar.value else { continue };
            let y = (n - 1 - i) as f64;
            let (r, g, b) = colour(bar.good);
            let rect = Rectangle::new([(0.0, y - 0.32), (v, y + 0.32)], RGBColor(r, g, b).filled());
            let _ = chart.draw_series(std::iter::once(rect));
            let (px, py) = chart.backend_coord(&(v, y));
            let verdict = match bar.good {
                Some(true) => " (better)",
                Some(false) => " (worse)",
                None => "",
            };
            let label = format!("{}: {}{verdict}", bar.label, format::delta(Some(v), spec.unit));
            drawn.points.push(HitPoint {
                x: px as f64,
                y: py as f64,
                label,
                href: bar.href.clone(),
                series: None,
            });
        }
        drawn
    }
}

pub fn render(spec: &BarSpec) -> Chart {
    let (svg, drawn) = svg_of(spec, Layer::Full);
    let summary = summarise(spec);
    let table = DataTable {
        columns: vec!["item".into(), "value".into(), "verdict".into()],
        rows: spec
            .bars
            .iter()
            .map(|b| {
                let verdict = match b.good {
                    Some(true) => "better",
                    Some(false) => "worse",
                    None => "",
                };
                vec![b.label.clone(), format::delta(b.value, spec.unit), verdict.into()]
            })
            .collect(),
    };
    let legend = vec![("better".into(), hex(colour(Some(true)))), ("worse".into(), hex(colour(Some(false))))];
    Chart::new(ChartSpec::Bar(spec.clone()), svg, summary, drawn.points, table, legend)
}

fn summarise(spec: &BarSpec) -> String {
    let worse = spec.bars.iter().filter(|b| b.good == Some(false)).count();
    let better = spec.bars.iter().filter(|b| b.good == Some(true)).count();
    format!("{better} of {} better than the reference, {worse} worse.", spec.bars.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, value: f64, good: bool) -> Bar {
        Bar { label: label.into(), value: Some(value), good: Some(good), href: None }
    }

    #[test]
    fn positive_bars_end_right_of_negative_ones_and_say_their_verdict() {
        let chart = render(&BarSpec {
            title: "Variance".into(),
            unit: Unit::Percent,
            bars: vec![bar("CSAT", 2.0, true), bar("Reopen rate", -1.0, false)],
        });
        assert_eq!(chart.points.len(), 2);
        assert!(chart.points[0].x > chart.points[1].x);
        assert!(chart.points[0].y < chart.points[1].y, "first bar on top");
        assert_eq!(chart.points[1].label, "Reopen rate: −1.0 pts (worse)");
        assert_eq!(chart.summary, "1 of 2 better than the reference, 1 worse.");
    }

    #[test]
    fn red_and_green_follow_good_news_not_the_sign() {
        assert_eq!(colour(Some(false)), diverging(0.05));
        assert_ne!(colour(Some(true)), colour(Some(false)));
    }
}
