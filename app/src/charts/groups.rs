//! Grouped and stacked bars, vertical or horizontal: several series over the
//! same categories (tickets by channel per month, this month against last by
//! team). Each series is its own layer, so the legend can hide it.

use super::canvas::{svg_of, Draw, Drawn, Layer};
use super::scale::nice_range;
use super::theme::{AXIS_TEXT, GRID, NO_LINE};
use super::{series_legend, Chart, ChartSpec, DataTable, HitPoint, PALETTE};
use crate::kpi::format;
use crate::kpi::Unit;
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupSpec {
    pub title: String,
    pub unit: Unit,
    pub categories: Vec<String>,
    /// (name, one value per category).
    pub series: Vec<(String, Vec<Option<f64>>)>,
    /// Stack the series instead of setting them side by side.
    pub stacked: bool,
    /// Categories down the side instead of along the bottom.
    pub horizontal: bool,
}

pub const WIDTH: u32 = 760;
const HEIGHT: u32 = 320;
/// Vertical space per category when the bars run horizontally.
const ROW: u32 = 34;

/// One drawn bar: category, series, where it starts and ends on the value axis.
struct Segment {
    category: usize,
    series: usize,
    from: f64,
    to: f64,
    value: f64,
}

impl GroupSpec {
    fn value(&self, series: usize, category: usize) -> Option<f64> {
        self.series.get(series)?.1.get(category).copied().flatten()
    }

    fn total(&self, category: usize) -> Option<f64> {
        let values: Vec<f64> = (0..self.series.len()).filter_map(|s| self.value(s, category)).collect();
        (!values.is_empty()).then(|| values.iter().sum())
    }

    /// Every bar, stacked (positives up from zero, negatives down) or side by side.
    fn segments(&self) -> Vec<Segment> {
        let mut out = Vec::new();
        for category in 0..self.categories.len() {
            let (mut up, mut down) = (0.0, 0.0);
            for series in 0..self.series.len() {
                let Some(value) = self.value(series, category) else { continue };
                let base = match (self.stacked, value >= 0.0) {
                    (false, _) => 0.0,
                    (true, true) => {
                        up += value;
                        up - value
                    }
                    (true, false) => {
                        down += value;
                        down - value
                    }
                };
                out.push(Segment { category, series, from: base, to: base + value, value });
            }
        }
        out
    }

    /// The band a bar occupies on the category axis, in category units.
    fn band(&self, segment: &Segment) -> (f64, f64) {
        let centre = self.slot(segment.category);
        if self.stacked || self.series.len() <= 1 {
            return (centre - 0.34, centre + 0.34);
        }
        let width = 0.8 / self.series.len() as f64;
        // Read in legend order: left to right, or top to bottom.
        let place = if self.horizontal { self.series.len() - 1 - segment.series } else { segment.series };
        let start = centre - 0.4 + width * place as f64;
        (start + 0.04 * width, start + 0.96 * width)
    }

    /// Categories run left to right, or top to bottom when horizontal.
    fn slot(&self, category: usize) -> f64 {
        if self.horizontal {
            (self.categories.len() - 1 - category) as f64
        } else {
            category as f64
        }
    }

    /// A point in chart coordinates from (category position, value).
    fn at(&self, category: f64, value: f64) -> (f64, f64) {
        if self.horizontal {
            (value, category)
        } else {
            (category, value)
        }
    }
}

impl Draw for GroupSpec {
    fn size(&self) -> (u32, u32) {
        let height = if self.horizontal { 60 + ROW * self.categories.len().max(1) as u32 } else { HEIGHT };
        (WIDTH, height)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, layer: Layer) -> Drawn {
        let n = self.categories.len();
        let segments = self.segments();
        let (lo, hi) = nice_range(segments.iter().flat_map(|s| [s.from, s.to]).chain([0.0]), 5);
        let cats = -0.5..(n.max(1) as f64 - 0.5);
        let mut drawn = Drawn::default();
        let mut builder = ChartBuilder::on(root);
        builder.margin(12);
        let built = if self.horizontal {
            builder.x_label_area_size(28).y_label_area_size(150).build_cartesian_2d(lo..hi, cats.clone())
        } else {
            builder.x_label_area_size(28).y_label_area_size(64).build_cartesian_2d(cats.clone(), lo..hi)
        };
        let Ok(mut chart) = built else { return drawn };
        if !matches!(layer, Layer::Series(_)) {
            let category_label = |c: &f64| {
                let i = c.round();
                let near = (c - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n;
                let index = if self.horizontal { n.wrapping_sub(1 + i as usize) } else { i as usize };
                if near {
                    self.categories.get(index).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            };
            let value_label = |v: &f64| format::tick(*v, self.unit);
            let mut mesh = chart.configure_mesh();
            mesh.light_line_style(NO_LINE)
                .bold_line_style(GRID)
                .axis_style(GRID)
                .label_style(("sans-serif", 12).into_font().color(&AXIS_TEXT));
            if self.horizontal {
                mesh.disable_y_mesh()
                    .y_labels(n.max(2))
                    .y_label_formatter(&category_label)
                    .x_labels(7)
                    .x_label_formatter(&value_label);
            } else {
                mesh.disable_x_mesh()
                    .x_labels(n.clamp(2, 14))
                    .x_label_formatter(&category_label)
                    .y_labels(6)
                    .y_label_formatter(&value_label);
            }
            let _ = mesh.draw();
            let zero = [self.at(cats.start, 0.0), self.at(cats.end, 0.0)];
            let _ = chart.draw_series(std::iter::once(PathElement::new(zero.to_vec(), AXIS_TEXT)));
        }
        for segment in &segments {
            if layer == Layer::Frame || matches!(layer, Layer::Series(only) if only != segment.series) {
                continue;
            }
            let (a, b) = self.band(segment);
            let (r, g, bl) = PALETTE[segment.series % PALETTE.len()];
            let rect = Rectangle::new(
                [self.at(a, segment.from), self.at(b, segment.to)],
                RGBColor(r, g, bl).filled(),
            );
            let _ = chart.draw_series(std::iter::once(rect));
            let (px, py) = chart.backend_coord(&self.at((a + b) / 2.0, segment.to));
            let name = &self.series[segment.series].0;
            let category = &self.categories[segment.category];
            let mut label = format!("{name} · {category}: {}", format::value(Some(segment.value), self.unit));
            if self.stacked {
                label.push_str(&format!(
                    " (total {})",
                    format::value(self.total(segment.category), self.unit)
                ));
            }
            drawn.points.push(HitPoint {
                x: px as f64,
                y: py as f64,
                label,
                href: None,
                series: Some(segment.series),
            });
        }
        drawn
    }
}

pub fn render(spec: &GroupSpec) -> Chart {
    let (svg, drawn) = svg_of(spec, Layer::Full);
    let (frame, _) = svg_of(spec, Layer::Frame);
    let layers = (0..spec.series.len()).map(|s| svg_of(spec, Layer::Series(s)).0).collect();
    let summary = summarise(spec);
    let legend = series_legend(spec.series.iter().map(|(name, _)| name));
    Chart::new(ChartSpec::Groups(spec.clone()), svg, summary, drawn.points, table(spec), legend)
        .with_layers(frame, layers)
}

fn table(spec: &GroupSpec) -> DataTable {
    let mut columns = vec![String::new()];
    columns.extend(spec.series.iter().map(|(name, _)| name.clone()));
    if spec.stacked {
        columns.push("Total".into());
    }
    let rows = (0..spec.categories.len())
        .map(|c| {
            let mut row = vec![spec.categories[c].clone()];
            row.extend((0..spec.series.len()).map(|s| format::value(spec.value(s, c), spec.unit)));
            if spec.stacked {
                row.push(format::value(spec.total(c), spec.unit));
            }
            row
        })
        .collect();
    DataTable { columns, rows }
}

/// "5 series over 12 categories; largest total: Dec 24 at 9,120."
fn summarise(spec: &GroupSpec) -> String {
    let shape = format!("{} series over {} categories", spec.series.len(), spec.categories.len());
    if spec.stacked {
        let largest = (0..spec.categories.len())
            .filter_map(|c| spec.total(c).map(|t| (c, t)))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        return match largest {
            Some((c, t)) => format!(
                "{shape}; largest total: {} at {}.",
                spec.categories[c],
                format::value(Some(t), spec.unit)
            ),
            None => "No data to show.".into(),
        };
    }
    let highest = spec.segments().into_iter().max_by(|a, b| a.value.total_cmp(&b.value));
    match highest {
        Some(s) => format!(
            "{shape}; highest: {} · {} at {}.",
            spec.series[s.series].0,
            spec.categories[s.category],
            format::value(Some(s.value), spec.unit)
        ),
        None => "No data to show.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(stacked: bool, horizontal: bool) -> GroupSpec {
        GroupSpec {
            title: "Tickets".into(),
            unit: Unit::Count,
            categories: vec!["Jan".into(), "Feb".into()],
            series: vec![
                ("chat".into(), vec![Some(10.0), Some(25.0)]),
                ("email".into(), vec![Some(20.0), None]),
            ],
            stacked,
            horizontal,
        }
    }

    #[test]
    fn stacked_segments_start_where_the_previous_one_ends() {
        let s = spec(true, false);
        let bounds: Vec<(usize, usize, f64, f64)> =
            s.segments().iter().map(|g| (g.category, g.series, g.from, g.to)).collect();
        assert_eq!(bounds, vec![(0, 0, 0.0, 10.0), (0, 1, 10.0, 30.0), (1, 0, 0.0, 25.0)]);
        let chart = render(&s);
        assert_eq!(chart.points[1].label, "email · Jan: 20 (total 30)");
        assert_eq!(chart.summary, "2 series over 2 categories; largest total: Jan at 30.");
        assert_eq!(chart.table.rows[1], vec!["Feb".to_string(), "25".into(), "—".into(), "25".into()]);
    }

    #[test]
    fn grouped_bars_sit_side_by_side_within_their_category() {
        let chart = render(&spec(false, false));
        let (chat_jan, email_jan, chat_feb) = (&chart.points[0], &chart.points[1], &chart.points[2]);
        assert!(chat_jan.x < email_jan.x && email_jan.x < chat_feb.x);
        assert!(email_jan.y < chat_jan.y, "20 reaches higher than 10");
        assert_eq!(chart.layers.len(), 2);
        assert!(chart.layers[1].matches("<rect").count() < chart.layers[0].matches("<rect").count());
    }

    #[test]
    fn horizontal_bars_grow_to_the_right_with_the_first_category_on_top() {
        let chart = render(&spec(false, true));
        let (chat_jan, chat_feb) = (&chart.points[0], &chart.points[2]);
        assert!(chat_feb.x > chat_jan.x, "25 reaches further right than 10");
        assert!(chat_jan.y < chat_feb.y, "Jan is drawn above Feb");
        assert!(chart.points[0].y < chart.points[1].y, "the first series above the second");
        assert_eq!(chart.height, 60 + 2 * ROW);
    }

    #[test]
    fn no_values_means_no_bars_and_says_so() {
        let mut s = spec(true, false);
        s.series.iter_mut().for_each(|(_, v)| v.iter_mut().for_each(|x| *x = None));
        let chart = render(&s);
        assert!(chart.points.is_empty());
        assert_eq!(chart.summary, "No data to show.");
    }
}
