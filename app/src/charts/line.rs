//! Line chart for time series: several series, an optional target line with
//! its tolerance band, benchmark lines, a least-squares trend, a forecast
//! band and annotation markers. Everything that is not data is dashed,
//! dotted or shaded, so it is never mistaken for a series.

use super::canvas::{svg_of, Draw, Drawn, Layer};
use super::scale::nice_range;
use super::theme::{AXIS_TEXT, GRID, NO_LINE};
use super::{series_legend, Chart, ChartSpec, DataTable, HitPoint, PALETTE};
use crate::kpi::format;
use crate::kpi::trend::{series_trend, Fit};
use crate::kpi::Unit;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LineSpec {
    pub title: String,
    pub unit: Unit,
    /// Period labels along the x axis (forecast periods included).
    pub labels: Vec<String>,
    /// (name, one value per label; `None` is a gap).
    pub series: Vec<(String, Vec<Option<f64>>)>,
    pub target: Option<f64>,
    /// The tolerance band around the target: (low, high).
    #[serde(default)]
    pub target_band: Option<(f64, f64)>,
    /// Draw the trend of the first series.
    pub trend: bool,
    /// Reference lines such as ("Industry p50", 78.0).
    #[serde(default)]
    pub benchmarks: Vec<(String, f64)>,
    /// Per label: (low, expected, high) where a forecast exists.
    #[serde(default)]
    pub forecast: Vec<Option<(f64, f64, f64)>>,
    /// Markers on the time axis: (label index, text).
    #[serde(default)]
    pub annotations: Vec<(usize, String)>,
}

pub const WIDTH: u32 = 760;
pub const HEIGHT: u32 = 300;
const TARGET: RGBColor = RGBColor(0x1b, 0x1f, 0x27);
const BENCHMARK: RGBColor = RGBColor(0x8e, 0x44, 0xad);
const NOTE: RGBColor = RGBColor(0xb4, 0x53, 0x09);

impl LineSpec {
    /// The periods `first..=last` only: what a zoomed chart shows. The trend
    /// is refitted to the visible range.
    pub fn slice(&self, first: usize, last: usize) -> LineSpec {
        let last = last.min(self.labels.len().saturating_sub(1));
        let first = first.min(last);
        let cut = |v: &[Option<f64>]| v.get(first..=last).map(<[_]>::to_vec).unwrap_or_default();
        LineSpec {
            labels: self.labels[first..=last].to_vec(),
            series: self.series.iter().map(|(n, v)| (n.clone(), cut(v))).collect(),
            forecast: self
                .forecast
                .get(first..=last.min(self.forecast.len().saturating_sub(1)))
                .map(<[_]>::to_vec)
                .unwrap_or_default(),
            annotations: self
                .annotations
                .iter()
                .filter(|(i, _)| (first..=last).contains(i))
                .map(|(i, t)| (i - first, t.clone()))
                .collect(),
            ..self.clone()
        }
    }
}

/// A spec with its axis range and trend worked out once for every layer.
struct Prepared<'a> {
    spec: &'a LineSpec,
    y_range: (f64, f64),
    trend: Option<Fit>,
}

pub fn render(spec: &LineSpec) -> Chart {
    let p = prepare(spec);
    let summary = summarise(spec, p.trend.map(|f| f.slope));
    let (svg, drawn) = svg_of(&p, Layer::Full);
    if drawn.points.is_empty() {
        return empty(spec);
    }
    // Layers let the legend hide and show each series in the browser.
    let (frame, _) = svg_of(&p, Layer::Frame);
    let layers = (0..spec.series.len()).map(|s| svg_of(&p, Layer::Series(s)).0).collect();
    let chart =
        Chart::new(ChartSpec::Line(spec.clone()), svg, summary, drawn.points, table(spec), legend(spec));
    Chart { x_slots: drawn.x_slots, key: key(spec), ..chart.with_layers(frame, layers) }
}

#[cfg(not(target_arch = "wasm32"))]
pub fn png(spec: &LineSpec) -> Result<Vec<u8>, String> {
    super::canvas::png_of(&prepare(spec))
}

fn prepare(spec: &LineSpec) -> Prepared<'_> {
    let forecast = spec.forecast.iter().flatten().flat_map(|&(lo, mid, hi)| [lo, mid, hi]);
    let band = spec.target_band.into_iter().flat_map(|(lo, hi)| [lo, hi]);
    let values = spec
        .series
        .iter()
        .flat_map(|(_, v)| v.iter().flatten().copied())
        .chain(spec.target)
        .chain(band)
        .chain(spec.benchmarks.iter().map(|b| b.1))
        .chain(forecast);
    let trend = if spec.trend { spec.series.first().and_then(|(_, v)| series_trend(v)) } else { None };
    Prepared { spec, y_range: nice_range(values, 5), trend }
}

impl Draw for Prepared<'_> {
    fn size(&self) -> (u32, u32) {
        (WIDTH, HEIGHT)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, layer: Layer) -> Drawn {
        let spec = self.spec;
        let (lo, hi) = self.y_range;
        let n = spec.labels.len();
        let mut drawn = Drawn::default();
        let x_range = -0.5..(n.max(1) as f64 - 0.5);
        let Ok(mut chart) = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(64)
            .build_cartesian_2d(x_range.clone(), lo..hi)
        else {
            return drawn;
        };
        drawn.x_slots = (0..n).map(|i| chart.backend_coord(&(i as f64, lo)).0 as f64).collect();
        // A series layer holds only its series, on the same geometry.
        if !matches!(layer, Layer::Series(_)) {
            let x_label = |x: &f64| {
                let i = x.round();
                let near = (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n;
                if near {
                    spec.labels[i as usize].clone()
                } else {
                    String::new()
                }
            };
            let y_label = |y: &f64| format::tick(*y, spec.unit);
            let _ = chart
                .configure_mesh()
                .disable_x_mesh()
                .x_labels(n.clamp(2, 12))
                .x_label_formatter(&x_label)
                .y_labels(6)
                .y_label_formatter(&y_label)
                .light_line_style(NO_LINE)
                .bold_line_style(GRID)
                .axis_style(GRID)
                .label_style(("sans-serif", 12).into_font().color(&AXIS_TEXT))
                .draw();
            if let Some((band_lo, band_hi)) = spec.target_band {
                let rect = Rectangle::new(
                    [(x_range.start, band_lo), (x_range.end, band_hi)],
                    TARGET.mix(0.06).filled(),
                );
                let _ = chart.draw_series(std::iter::once(rect));
            }
            if let Some(t) = spec.target {
                let line = vec![(x_range.start, t), (x_range.end, t)];
                let _ = chart.draw_series(DashedLineSeries::new(line, 6, 4, TARGET.stroke_width(1)));
                let (px, py) = chart.backend_coord(&(x_range.start, t));
                let label = format!("Target: {}", format::value(Some(t), spec.unit));
                drawn.points.push(HitPoint {
                    x: px as f64 + 8.0,
                    y: py as f64,
                    label,
                    href: None,
                    series: None,
                });
            }
            for (name, value) in &spec.benchmarks {
                let line = vec![(x_range.start, *value), (x_range.end, *value)];
                let _ = chart.draw_series(DashedLineSeries::new(line, 2, 3, BENCHMARK.stroke_width(1)));
                let (px, py) = chart.backend_coord(&(x_range.end, *value));
                let style =
                    ("sans-serif", 11).into_font().color(&BENCHMARK).pos(Pos::new(HPos::Right, VPos::Bottom));
                let _ = root.draw(&Text::new(name.clone(), (px - 4, py - 2), style));
                let label = format!("{name}: {}", format::value(Some(*value), spec.unit));
                drawn.points.push(HitPoint {
                    x: px as f64 - 8.0,
                    y: py as f64,
                    label,
                    href: None,
                    series: None,
                });
            }
            if let Some(fit) = self.trend {
                let last = spec.series.first().and_then(|(_, v)| v.iter().rposition(Option::is_some));
                let last = last.unwrap_or(0);
                let ends = vec![(0.0, fit.at(0.0)), (last as f64, fit.at(last as f64))];
                let _ = chart.draw_series(DashedLineSeries::new(ends, 3, 3, AXIS_TEXT.stroke_width(1)));
            }
            self.draw_forecast(&mut chart, &mut drawn);
            self.draw_annotations(&mut chart, &mut drawn);
        }
        for (s, (name, values)) in spec.series.iter().enumerate() {
            if layer == Layer::Frame || matches!(layer, Layer::Series(only) if only != s) {
                continue;
            }
            let colour = series_colour(s);
            for run in runs(values) {
                let _ = chart.draw_series(LineSeries::new(run, colour.stroke_width(2)));
            }
            for (i, v) in values.iter().enumerate() {
                let Some(v) = v else { continue };
                let _ = chart.draw_series(std::iter::once(Circle::new((i as f64, *v), 3, colour.filled())));
                let (px, py) = chart.backend_coord(&(i as f64, *v));
                let label = format!("{name} · {}: {}", spec.labels[i], format::value(Some(*v), spec.unit));
                drawn.points.push(HitPoint {
                    x: px as f64,
                    y: py as f64,
                    label,
                    href: None,
                    series: Some(s),
                });
            }
        }
        drawn
    }
}

type Cartesian<'a, DB> = ChartContext<
    'a,
    DB,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

impl Prepared<'_> {
    /// The expected path dashed in the first series' colour over a shaded
    /// interval, joined to the last actual value.
    fn draw_forecast<DB: DrawingBackend>(&self, chart: &mut Cartesian<'_, DB>, drawn: &mut Drawn) {
        let spec = self.spec;
        let band: Vec<(usize, (f64, f64, f64))> =
            spec.forecast.iter().enumerate().filter_map(|(i, f)| f.map(|f| (i, f))).collect();
        let Some(&(start, _)) = band.first() else { return };
        let colour = series_colour(0);
        let anchor = spec
            .series
            .first()
            .and_then(|(_, v)| v.get(..start)?.iter().enumerate().rev().find_map(|(i, v)| v.map(|v| (i, v))));
        let mut upper: Vec<(f64, f64)> = anchor.iter().map(|&(i, v)| (i as f64, v)).collect();
        let mut lower = upper.clone();
        let mut mid = upper.clone();
        for &(i, (lo, m, hi)) in &band {
            upper.push((i as f64, hi));
            lower.push((i as f64, lo));
            mid.push((i as f64, m));
        }
        lower.reverse();
        upper.extend(lower);
        let _ = chart.draw_series(std::iter::once(Polygon::new(upper, colour.mix(0.14).filled())));
        let _ = chart.draw_series(DashedLineSeries::new(mid, 5, 4, colour.stroke_width(2)));
        for &(i, (lo, m, hi)) in &band {
            let (px, py) = chart.backend_coord(&(i as f64, m));
            let label = format!(
                "Forecast · {}: {} ({} – {})",
                spec.labels[i],
                format::value(Some(m), spec.unit),
                format::value(Some(lo), spec.unit),
                format::value(Some(hi), spec.unit)
            );
            drawn.points.push(HitPoint { x: px as f64, y: py as f64, label, href: None, series: None });
        }
    }

    /// A dotted rule and a triangle on the time axis for each annotation.
    fn draw_annotations<DB: DrawingBackend>(&self, chart: &mut Cartesian<'_, DB>, drawn: &mut Drawn) {
        let (lo, hi) = self.y_range;
        for (i, text) in &self.spec.annotations {
            let Some(period) = self.spec.labels.get(*i) else { continue };
            let x = *i as f64;
            let _ =
                chart.draw_series(DashedLineSeries::new(vec![(x, lo), (x, hi)], 2, 4, NOTE.stroke_width(1)));
            let _ = chart.draw_series(std::iter::once(TriangleMarker::new((x, lo), 6, NOTE.filled())));
            let (px, py) = chart.backend_coord(&(x, lo));
            let label = format!("Note · {period}: {text}");
            drawn.points.push(HitPoint { x: px as f64, y: py as f64 - 4.0, label, href: None, series: None });
        }
    }
}

fn series_colour(s: usize) -> RGBColor {
    let (r, g, b) = PALETTE[s % PALETTE.len()];
    RGBColor(r, g, b)
}

fn empty(spec: &LineSpec) -> Chart {
    let summary = "No data to show.".to_string();
    Chart::new(ChartSpec::Line(spec.clone()), String::new(), summary, Vec::new(), table(spec), legend(spec))
}

fn runs(values: &[Option<f64>]) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => out.last_mut().expect("a run").push((i as f64, *v)),
            None => out.push(Vec::new()),
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

fn legend(spec: &LineSpec) -> Vec<(String, String)> {
    series_legend(spec.series.iter().map(|(name, _)| name))
}

/// What the marks that are not series mean.
fn key(spec: &LineSpec) -> Vec<String> {
    let mut key = Vec::new();
    if let Some(t) = spec.target {
        key.push(format!("long dashes: target {}", format::value(Some(t), spec.unit)));
    }
    if spec.target_band.is_some() {
        key.push("grey band: worse than target but within tolerance".into());
    }
    if !spec.benchmarks.is_empty() {
        key.push("purple dots: published benchmarks".into());
    }
    if spec.trend {
        key.push(format!("thin dashes: trend of {}", spec.series.first().map_or("", |s| s.0.as_str())));
    }
    if spec.forecast.iter().any(Option::is_some) {
        key.push("blue band: forecast with its 95 % interval".into());
    }
    if !spec.annotations.is_empty() {
        key.push("▲ notes: hover or tab for the text".into());
    }
    key
}

fn table(spec: &LineSpec) -> DataTable {
    let mut columns = vec!["period".to_string()];
    columns.extend(spec.series.iter().map(|(name, _)| name.clone()));
    let has_forecast = spec.forecast.iter().any(Option::is_some);
    if has_forecast {
        columns.extend(["forecast".into(), "forecast low".into(), "forecast high".into()]);
    }
    let rows = spec
        .labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let mut row = vec![label.clone()];
            row.extend(
                spec.series.iter().map(|(_, v)| format::value(v.get(i).copied().flatten(), spec.unit)),
            );
            if has_forecast {
                let f = spec.forecast.get(i).copied().flatten();
                row.extend(
                    [f.map(|f| f.1), f.map(|f| f.0), f.map(|f| f.2)].map(|v| format::value(v, spec.unit)),
                );
            }
            row
        })
        .collect();
    DataTable { columns, rows }
}

/// "CSAT rose from 81.0% to 84.0% over 12 periods (trend rising); lowest in Mar 25."
fn summarise(spec: &LineSpec, slope: Option<f64>) -> String {
    let Some((name, values)) = spec.series.first() else { return "No data to show.".into() };
    let present: Vec<(usize, f64)> =
        values.iter().enumerate().filter_map(|(i, v)| v.map(|v| (i, v))).collect();
    let (Some(first), Some(last)) = (present.first(), present.last()) else {
        return "No data to show.".into();
    };
    let lowest = present.iter().min_by(|a, b| a.1.total_cmp(&b.1)).expect("non-empty");
    let verb = match first.1.total_cmp(&last.1) {
        std::cmp::Ordering::Less => "rose",
        std::cmp::Ordering::Greater => "fell",
        std::cmp::Ordering::Equal => "held",
    };
    let trend = match slope {
        Some(s) if s > 0.0 => " (trend rising)",
        Some(s) if s < 0.0 => " (trend falling)",
        _ => "",
    };
    let forecast = spec.forecast.iter().enumerate().rev().find_map(|(i, f)| f.map(|f| (i, f)));
    let outlook = forecast.map_or(String::new(), |(i, (lo, mid, hi))| {
        format!(
            " Forecast for {}: {} ({} – {}).",
            spec.labels[i],
            format::value(Some(mid), spec.unit),
            format::value(Some(lo), spec.unit),
            format::value(Some(hi), spec.unit)
        )
    });
    format!(
        "{}: {name} {verb} from {} to {} over {} periods{trend}; lowest in {}.{outlook}",
        spec.title,
        format::value(Some(first.1), spec.unit),
        format::value(Some(last.1), spec.unit),
        last.0 - first.0 + 1,
        spec.labels[lowest.0]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(values: Vec<Option<f64>>) -> LineSpec {
        LineSpec {
            title: "CSAT".into(),
            unit: Unit::Percent,
            labels: (1..=values.len()).map(|m| format!("M{m}")).collect(),
            series: vec![("CSAT".into(), values)],
            target: Some(80.0),
            trend: true,
            ..Default::default()
        }
    }

    #[test]
    fn every_present_value_is_a_hit_point_inside_the_chart() {
        let chart = render(&spec(vec![Some(81.0), None, Some(84.0), Some(79.0)]));
        assert_eq!(chart.points[0].label, "Target: 80.0%");
        let chart =
            Chart { points: chart.points.into_iter().filter(|p| p.series.is_some()).collect(), ..chart };
        assert_eq!(chart.points.len(), 3);
        assert!(chart
            .points
            .iter()
            .all(|p| p.x > 0.0 && p.x < WIDTH as f64 && p.y > 0.0 && p.y < HEIGHT as f64));
        assert!(chart.points[0].x < chart.points[1].x);
        assert!(chart.points[1].y < chart.points[0].y, "84 is drawn above 81");
        assert_eq!(chart.points[1].label, "CSAT · M3: 84.0%");
        assert!(chart.svg.contains("<title>CSAT</title>"));
    }

    #[test]
    fn each_series_gets_a_layer_drawn_on_the_same_geometry() {
        let mut two = spec(vec![Some(81.0), Some(84.0)]);
        two.series.push(("chat".into(), vec![Some(70.0), Some(75.0)]));
        let chart = render(&two);
        assert_eq!(chart.layers.len(), 2);
        assert!(chart.frame.as_deref().is_some_and(|f| !f.contains("<circle")), "the frame holds no series");
        assert!(chart.layers.iter().all(|l| l.matches("<circle").count() == 2));
        assert_eq!(chart.points.iter().filter(|p| p.series == Some(1)).count(), 2);
    }

    #[test]
    fn the_summary_says_where_it_went_and_the_low_point() {
        let chart = render(&spec(vec![Some(81.0), Some(79.0), Some(84.0)]));
        assert_eq!(
            chart.summary,
            "CSAT: CSAT rose from 81.0% to 84.0% over 3 periods (trend rising); lowest in M2."
        );
    }

    #[test]
    fn empty_and_single_point_series_still_draw() {
        assert_eq!(render(&spec(vec![None, None])).summary, "No data to show.");
        let one = render(&spec(vec![Some(50.0)]));
        assert_eq!(one.points.iter().filter(|p| p.series.is_some()).count(), 1);
        assert!(one.svg.starts_with("<svg"));
    }

    #[test]
    fn the_table_has_a_row_per_period_with_dashes_for_gaps() {
        let chart = render(&spec(vec![Some(81.0), None]));
        assert_eq!(
            chart.table.rows,
            vec![vec!["M1".to_string(), "81.0%".into()], vec!["M2".into(), "—".into()]]
        );
    }

    #[test]
    fn benchmarks_forecast_and_notes_are_drawn_and_can_be_hovered() {
        let mut s = spec(vec![Some(81.0), Some(82.0), Some(83.0), None]);
        s.benchmarks = vec![("Industry p50".into(), 78.0)];
        s.forecast = vec![None, None, None, Some((82.0, 84.0, 86.0))];
        s.annotations = vec![(1, "Carrier delay".into())];
        let chart = render(&s);
        let labels: Vec<&str> = chart.points.iter().map(|p| p.label.as_str()).collect();
        assert!(labels.contains(&"Industry p50: 78.0%"));
        assert!(labels.contains(&"Forecast · M4: 84.0% (82.0% – 86.0%)"));
        assert!(labels.contains(&"Note · M2: Carrier delay"));
        assert!(chart.svg.contains("<polygon"), "the forecast interval is shaded");
        assert!(chart.summary.ends_with("Forecast for M4: 84.0% (82.0% – 86.0%)."), "{}", chart.summary);
        assert_eq!(chart.table.columns.last().map(String::as_str), Some("forecast high"));
        assert_eq!(chart.x_slots.len(), 4);
        assert!(chart.x_slots.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn a_zoomed_slice_keeps_its_periods_notes_and_forecast_in_step() {
        let mut s = spec(vec![Some(81.0), Some(82.0), Some(83.0), None]);
        s.forecast = vec![None, None, None, Some((82.0, 84.0, 86.0))];
        s.annotations = vec![(0, "early".into()), (2, "late".into())];
        let zoomed = s.slice(1, 3);
        assert_eq!(zoomed.labels, ["M2", "M3", "M4"]);
        assert_eq!(zoomed.series[0].1, [Some(82.0), Some(83.0), None]);
        assert_eq!(zoomed.forecast, [None, None, Some((82.0, 84.0, 86.0))]);
        assert_eq!(zoomed.annotations, [(1, "late".to_string())]);
        assert_eq!(s.slice(2, 99).labels, ["M3", "M4"], "out-of-range ends are clamped");
    }
}
