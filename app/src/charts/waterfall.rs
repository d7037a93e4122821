//! Waterfall chart: a start value, the steps that moved it (floating bars,
//! green when good news for the KPI's direction, red when bad) and the end
//! value, which is the start plus every step, so the parts add up exactly
//! to the total change. The value axis is fitted to the levels reached (not
//! to zero), so a few points' movement on a rate near 80 % stays visible.

use super::canvas::{svg_of, Draw, Drawn, Layer};
use super::scale::{diverging, hex, nice_range};
use super::theme::{AXIS_TEXT, GRID, NO_LINE};
use super::{Chart, ChartSpec, DataTable, HitPoint};
use crate::kpi::format;
use crate::kpi::{Direction, Unit};
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WaterfallSpec {
    pub title: String,
    pub unit: Unit,
    /// Which way is good news, for the steps' colours.
    pub direction: Direction,
    /// (label, value) of the first bar.
    pub start: (String, f64),
    /// (label, change) of each step.
    pub steps: Vec<(String, f64)>,
    /// The label of the last bar, whose value is the start plus every step.
    pub end_label: String,
}

pub const WIDTH: u32 = 760;
pub const HEIGHT: u32 = 320;
const TOTAL: RGBColor = RGBColor(0x5d, 0x66, 0x75);

impl WaterfallSpec {
    /// The end value: the start plus every step.
    pub fn end(&self) -> f64 {
        self.start.1 + self.steps.iter().map(|s| s.1).sum::<f64>()
    }

    /// Each bar as (label, from, to): the start and end from the axis'
    /// floor, each step from the level before it to the level after.
    fn bars(&self, floor: f64) -> Vec<(String, f64, f64)> {
        let mut level = self.start.1;
        let mut bars = vec![(self.start.0.clone(), floor, level)];
        for (label, change) in &self.steps {
            bars.push((label.clone(), level, level + change));
            level += change;
        }
        bars.push((self.end_label.clone(), floor, self.end()));
        bars
    }

    fn good(&self, change: f64) -> Option<bool> {
        match self.direction {
            Direction::Higher => Some(change >= 0.0),
            Direction::Lower => Some(change <= 0.0),
            Direction::Neutral => None,
        }
    }

    fn levels(&self) -> Vec<f64> {
        let mut level = self.start.1;
        let mut out = vec![level];
        for (_, change) in &self.steps {
            level += change;
            out.push(level);
        }
        out
    }
}

fn colour(good: Option<bool>) -> RGBColor {
    let (r, g, b) = match good {
        Some(true) => diverging(0.95),
        Some(false) => diverging(0.05),
        None => (0x8a, 0x93, 0xa3),
    };
    RGBColor(r, g, b)
}

impl Draw for WaterfallSpec {
    fn size(&self) -> (u32, u32) {
        (WIDTH, HEIGHT)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, _: Layer) -> Drawn {
        let mut drawn = Drawn::default();
        let levels = self.levels();
        let (lo, hi) = nice_range(levels.iter().copied(), 6);
        // Room below the lowest level, so the start and end bars show a height.
        let floor = lo - (hi - lo) * 0.1;
        let bars = self.bars(floor);
        let n = bars.len();
        let Ok(mut chart) = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d(-0.5..(n as f64 - 0.5), floor..hi)
        else {
            return drawn;
        };
        let x_label = |x: &f64| {
            let i = x.round();
            let near = (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n;
            if near {
                short(&bars[i as usize].0)
            } else {
                String::new()
            }
        };
        let y_label = |y: &f64| format::tick(*y, self.unit);
        let _ = chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n + 1)
            .x_label_formatter(&x_label)
            .y_labels(6)
            .y_label_formatter(&y_label)
            .light_line_style(NO_LINE)
            .bold_line_style(GRID)
            .axis_style(GRID)
            .label_style(("sans-serif", 11).into_font().color(&AXIS_TEXT))
            .draw();
        for (i, (label, from, to)) in bars.iter().enumerate() {
            let x = i as f64;
            let total = i == 0 || i == n - 1;
            let fill = if total { TOTAL } else { colour(self.good(to - from)) };
            let rect = Rectangle::new([(x - 0.32, *from), (x + 0.32, *to)], fill.filled());
            let _ = chart.draw_series(std::iter::once(rect));
            // A thin rule carries each level on to the next bar.
            if i + 1 < n {
                let rule =
                    PathElement::new(vec![(x + 0.32, *to), (x + 0.68, *to)], AXIS_TEXT.stroke_width(1));
                let _ = chart.draw_series(std::iter::once(rule));
            }
            let (px, py) = chart.backend_coord(&(x, from.max(*to)));
            let text = if total {
                format!("{label}: {}", format::value(Some(*to), self.unit))
            } else {
                format!("{label}: {}", format::delta(Some(to - from), self.unit))
            };
            drawn.points.push(HitPoint { x: px as f64, y: py as f64, label: text, href: None, series: None });
        }
        drawn
    }
}

/// Axis labels stay short; the full label is in the tooltip and the table.
fn short(label: &str) -> String {
    let mut s: String = label.chars().take(16).collect();
    if label.chars().count() > 16 {
        s.push('…');
    }
    s
}

pub fn render(spec: &WaterfallSpec) -> Chart {
    let (svg, drawn) = svg_of(spec, Layer::Full);
    let mut rows =
        vec![vec![spec.start.0.clone(), String::new(), format::value(Some(spec.start.1), spec.unit)]];
    let mut level = spec.start.1;
    for (label, change) in &spec.steps {
        level += change;
        rows.push(vec![
            label.clone(),
            format::delta(Some(*change), spec.unit),
            format::value(Some(level), spec.unit),
        ]);
    }
    rows.push(vec![spec.end_label.clone(), String::new(), format::value(Some(spec.end()), spec.unit)]);
    let table = DataTable { columns: vec!["step".into(), "change".into(), "level".into()], rows };
    let summary = format!(
        "From {} to {}: {} in {} steps that add up to the change.",
        format::value(Some(spec.start.1), spec.unit),
        format::value(Some(spec.end()), spec.unit),
        format::delta(Some(spec.end() - spec.start.1), spec.unit),
        spec.steps.len()
    );
    let legend = vec![
        ("better".into(), hex(diverging(0.95))),
        ("worse".into(), hex(diverging(0.05))),
        ("start and end".into(), hex((TOTAL.0, TOTAL.1, TOTAL.2))),
    ];
    Chart::new(ChartSpec::Waterfall(spec.clone()), svg, summary, drawn.points, table, legend)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> WaterfallSpec {
        // 70 → mix −7.5 → rate +5 → 67.5 (the mix/rate example of kpi::variance).
        WaterfallSpec {
            title: "CSAT: why it moved".into(),
            unit: Unit::Percent,
            direction: Direction::Higher,
            start: ("September".into(), 70.0),
            steps: vec![("Mix".into(), -7.5), ("Rate".into(), 5.0)],
            end_label: "October".into(),
        }
    }

    #[test]
    fn the_end_is_the_start_plus_every_step() {
        assert_eq!(spec().end(), 67.5);
        let bars = spec().bars(60.0);
        assert_eq!(
            bars,
            vec![
                ("September".to_string(), 60.0, 70.0),
                ("Mix".to_string(), 70.0, 62.5),
                ("Rate".to_string(), 62.5, 67.5),
                ("October".to_string(), 60.0, 67.5)
            ]
        );
    }

    #[test]
    fn each_bar_is_drawn_and_says_its_value_and_the_steps_are_coloured_by_direction() {
        let chart = render(&spec());
        let labels: Vec<&str> = chart.points.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels, ["September: 70.0%", "Mix: −7.5 pts", "Rate: +5.0 pts", "October: 67.5%"]);
        assert!(chart.points.windows(2).all(|w| w[0].x < w[1].x), "left to right");
        assert_eq!(chart.table.rows[3][2], "67.5%");
        assert_eq!(chart.summary, "From 70.0% to 67.5%: −2.5 pts in 2 steps that add up to the change.");
        let lower = WaterfallSpec { direction: Direction::Lower, ..spec() };
        assert_eq!((lower.good(-1.0), lower.good(1.0)), (Some(true), Some(false)));
    }
}
