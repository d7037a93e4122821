//! Line chart for time series: several series, an optional target line and a
//! least-squares trend line (dashed, so it is never mistaken for data).

use super::scale::nice_range;
use super::theme::{AXIS_TEXT, GRID, NO_LINE};
use super::{with_title, Chart, DataTable, HitPoint, PALETTE};
use crate::kpi::format;
use crate::kpi::trend::{series_trend, Fit};
use crate::kpi::Unit;
use plotters::prelude::*;

pub struct LineSpec {
    pub title: String,
    pub unit: Unit,
    /// Period labels along the x axis.
    pub labels: Vec<String>,
    /// (name, one value per label; `None` is a gap).
    pub series: Vec<(String, Vec<Option<f64>>)>,
    pub target: Option<f64>,
    /// Draw the trend of the first series.
    pub trend: bool,
}

pub const WIDTH: u32 = 760;
pub const HEIGHT: u32 = 300;
const TARGET: RGBColor = RGBColor(0x1b, 0x1f, 0x27);

/// What one drawing of the chart holds: everything (for downloads), the
/// frame alone, or one series on a transparent layer with the same geometry.
#[derive(Clone, Copy, PartialEq)]
enum Layer {
    Full,
    Frame,
    Series(usize),
}

pub fn render(spec: &LineSpec) -> Chart {
    let values = spec.series.iter().flat_map(|(_, v)| v.iter().flatten().copied()).chain(spec.target);
    let y_range = nice_range(values, 5);
    let trend = if spec.trend { spec.series.first().and_then(|(_, v)| series_trend(v)) } else { None };
    let Some((svg, points)) = draw(spec, y_range, trend, Layer::Full) else { return empty(spec) };
    let summary = summarise(spec, trend.map(|f| f.slope));
    // Layers let the legend hide and show each series in the browser.
    let frame =
        draw(spec, y_range, trend, Layer::Frame).map(|(svg, _)| with_title(svg, &spec.title, &summary));
    let layers = (0..spec.series.len())
        .filter_map(|s| draw(spec, y_range, None, Layer::Series(s)).map(|l| l.0))
        .collect();
    Chart {
        title: spec.title.clone(),
        svg: with_title(svg, &spec.title, &summary),
        frame,
        layers,
        summary,
        width: WIDTH,
        height: HEIGHT,
        points,
        table: table(spec),
        legend: legend(spec),
    }
}

fn draw(
    spec: &LineSpec,
    (lo, hi): (f64, f64),
    trend: Option<Fit>,
    layer: Layer,
) -> Option<(String, Vec<HitPoint>)> {
    let n = spec.labels.len();
    let mut svg = String::new();
    let mut points = Vec::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        let x_range = -0.5..(n.max(1) as f64 - 0.5);
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(64)
            .build_cartesian_2d(x_range.clone(), lo..hi)
            .ok()?;
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
            let y_label = |y: &f64| format::value(Some(*y), spec.unit);
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
            if let Some(t) = spec.target {
                let line = vec![(x_range.start, t), (x_range.end, t)];
                let _ = chart.draw_series(DashedLineSeries::new(line, 6, 4, TARGET.stroke_width(1)));
            }
            if let Some(fit) = trend {
                let ends = vec![(0.0, fit.at(0.0)), ((n - 1) as f64, fit.at((n - 1) as f64))];
                let _ = chart.draw_series(DashedLineSeries::new(ends, 3, 3, AXIS_TEXT.stroke_width(1)));
            }
        }
        for (s, (name, values)) in spec.series.iter().enumerate() {
            if layer == Layer::Frame || matches!(layer, Layer::Series(only) if only != s) {
                continue;
            }
            let (r, g, b) = PALETTE[s % PALETTE.len()];
            let colour = RGBColor(r, g, b);
            for run in runs(values) {
                let _ = chart.draw_series(LineSeries::new(run, colour.stroke_width(2)));
            }
            for (i, v) in values.iter().enumerate() {
                let Some(v) = v else { continue };
                let _ = chart.draw_series(std::iter::once(Circle::new((i as f64, *v), 3, colour.filled())));
                let (px, py) = chart.backend_coord(&(i as f64, *v));
                let label = format!("{name} · {}: {}", spec.labels[i], format::value(Some(*v), spec.unit));
                points.push(HitPoint { x: px as f64, y: py as f64, label, href: None, series: Some(s) });
            }
        }
        let _ = root.present();
    }
    Some((svg, points))
}

fn empty(spec: &LineSpec) -> Chart {
    Chart {
        title: spec.title.clone(),
        summary: "No data to show.".into(),
        svg: String::new(),
        frame: None,
        layers: Vec::new(),
        width: WIDTH,
        height: HEIGHT,
        points: Vec::new(),
        table: table(spec),
        legend: legend(spec),
    }
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
    spec.series
        .iter()
        .enumerate()
        .map(|(i, (name, _))| {
            let (r, g, b) = PALETTE[i % PALETTE.len()];
            (name.clone(), format!("#{r:02x}{g:02x}{b:02x}"))
        })
        .collect()
}

fn table(spec: &LineSpec) -> DataTable {
    let mut columns = vec!["period".to_string()];
    columns.extend(spec.series.iter().map(|(name, _)| name.clone()));
    let rows = spec
        .labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let mut row = vec![label.clone()];
            row.extend(
                spec.series.iter().map(|(_, v)| format::value(v.get(i).copied().flatten(), spec.unit)),
            );
            row
        })
        .collect();
    DataTable { columns, rows }
}

/// "CSAT went from 81.0% to 84.0% over 12 periods; lowest in Mar 25."
fn summarise(spec: &LineSpec, slope: Option<f64>) -> String {
    let Some((name, values)) = spec.series.first() else { return "No data to show.".into() };
    let present: Vec<(usize, f64)> =
        values.iter().enumerate().filter_map(|(i, v)| v.map(|v| (i, v))).collect();
    let (Some(first), Some(last)) = (present.first(), present.last()) else {
        return "No data to show.".into();
    };
    let lowest = present.iter().min_by(|a, b| a.1.total_cmp(&b.1)).expect("non-empty");
    let verb = match slope {
        Some(s) if s > 0.0 => "rose",
        Some(s) if s < 0.0 => "fell",
        _ => "went",
    };
    format!(
        "{}: {name} {verb} from {} to {} over {} periods; lowest in {}.",
        spec.title,
        format::value(Some(first.1), spec.unit),
        format::value(Some(last.1), spec.unit),
        values.len(),
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
        }
    }

    #[test]
    fn every_present_value_is_a_hit_point_inside_the_chart() {
        let chart = render(&spec(vec![Some(81.0), None, Some(84.0), Some(79.0)]));
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
        assert_eq!(chart.summary, "CSAT: CSAT rose from 81.0% to 84.0% over 3 periods; lowest in M2.");
    }

    #[test]
    fn empty_and_single_point_series_still_draw() {
        assert_eq!(render(&spec(vec![None, None])).summary, "No data to show.");
        let one = render(&spec(vec![Some(50.0)]));
        assert_eq!(one.points.len(), 1);
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
}
