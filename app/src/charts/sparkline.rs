//! The small trend line of a KPI tile: no axes and no text, so its SVG is the
//! same wherever it is drawn.

use plotters::prelude::*;

pub const WIDTH: u32 = 240;
pub const HEIGHT: u32 = 48;
const LINE: RGBColor = RGBColor(0x2f, 0x5d, 0xd8);

/// Draws `values` (gaps are `None`) as a sparkline; the last value is marked.
/// Returns an empty string when there is nothing to draw.
pub fn render(values: &[Option<f64>]) -> String {
    let present: Vec<(usize, f64)> =
        values.iter().enumerate().filter_map(|(i, v)| v.filter(|v| v.is_finite()).map(|v| (i, v))).collect();
    if present.is_empty() {
        return String::new();
    }
    let (lo, hi) = y_range(present.iter().map(|(_, v)| *v));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        let x_max = (values.len().max(2) - 1) as f64;
        let chart = ChartBuilder::on(&root).margin(5).build_cartesian_2d(0.0..x_max, lo..hi);
        let Ok(mut chart) = chart else { return String::new() };
        for run in runs(values) {
            let _ = chart.draw_series(LineSeries::new(run, LINE.stroke_width(2)));
        }
        if let Some((i, v)) = present.last() {
            let _ = chart.draw_series(std::iter::once(Circle::new((*i as f64, *v), 3, LINE.filled())));
        }
        let _ = root.present();
    }
    svg
}

/// The y range with a little headroom; a flat series gets a band around it.
pub fn y_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let span = hi - lo;
    if span.abs() < 1e-9 {
        let pad = (lo.abs() * 0.05).max(1.0);
        return (lo - pad, hi + pad);
    }
    (lo - span * 0.1, hi + span * 0.1)
}

/// Consecutive present points, split at gaps.
fn runs(values: &[Option<f64>]) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for (i, v) in values.iter().enumerate() {
        match v.filter(|v| v.is_finite()) {
            Some(v) => out.last_mut().expect("one run").push((i as f64, v)),
            None if !out.last().expect("one run").is_empty() => out.push(Vec::new()),
            None => {}
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_to_draw_gives_no_svg() {
        assert_eq!(render(&[None, None]), "");
    }

    #[test]
    fn a_series_draws_a_line_and_marks_the_last_point() {
        let svg = render(&[Some(1.0), Some(3.0), Some(2.0)]);
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("<polyline"));
        assert!(svg.contains("<circle"));
    }

    #[test]
    fn a_single_point_is_drawn_as_a_dot() {
        let svg = render(&[None, Some(5.0)]);
        assert!(svg.contains("<circle"));
    }

    #[test]
    fn gaps_split_the_line() {
        assert_eq!(runs(&[Some(1.0), None, Some(2.0), Some(3.0)]).len(), 2);
    }

    #[test]
    fn flat_series_get_a_visible_band() {
        assert_eq!(y_range([50.0, 50.0].into_iter()), (47.5, 52.5));
    }
}
