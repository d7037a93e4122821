//! Heatmap for matrices (channel × category, team × month, …): cells coloured
//! by how good their value is for the KPI's direction, a totals row and
//! column, and a legend. Column labels turn vertical when cells get narrow,
//! so 25 × 12 stays readable.

use super::canvas::{svg_of, Draw, Drawn, Layer};
use super::scale::{heat_colour, text_on, Rgb};
use super::{Chart, ChartSpec, DataTable, HitPoint};
use crate::kpi::format;
use crate::kpi::{Direction, Unit};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HeatmapSpec {
    pub title: String,
    pub unit: Unit,
    pub direction: Direction,
    pub rows: Vec<String>,
    pub cols: Vec<String>,
    /// `cells[r][c]`; `None` where the KPI has no value.
    pub cells: Vec<Vec<Option<f64>>>,
    pub row_totals: Vec<Option<f64>>,
    pub col_totals: Vec<Option<f64>>,
    pub total: Option<f64>,
}

/// Pixel layout of a heatmap.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    pub label_width: f64,
    pub header_height: f64,
    pub cell_width: f64,
    pub cell_height: f64,
    /// Whether column labels are written vertically.
    pub vertical_labels: bool,
    /// Whether values fit inside the cells.
    pub values_in_cells: bool,
}

pub const WIDTH: f64 = 860.0;
const CELL_HEIGHT: f64 = 34.0;
const LEGEND_HEIGHT: f64 = 40.0;
const EMPTY: Rgb = (0xf3, 0xf4, 0xf6);
const AXIS: Rgb = (0x5d, 0x66, 0x75);
const INK: Rgb = (0x1b, 0x1f, 0x27);

/// Where everything goes for `rows` × `cols` (plus one totals row and column).
pub fn layout(rows: usize, cols: usize, longest_col_label: usize) -> Layout {
    let label_width = 150.0;
    let cell_width = (WIDTH - label_width - 8.0) / (cols + 1) as f64;
    let vertical_labels = cell_width < (longest_col_label as f64 * 6.2 + 6.0);
    let header_height =
        if vertical_labels { (longest_col_label as f64 * 7.0 + 12.0).max(40.0) } else { 30.0 };
    Layout {
        width: WIDTH,
        height: header_height + CELL_HEIGHT * (rows + 1) as f64 + LEGEND_HEIGHT,
        label_width,
        header_height,
        cell_width,
        cell_height: CELL_HEIGHT,
        vertical_labels,
        values_in_cells: cell_width >= 44.0,
    }
}

fn rgb((r, g, b): Rgb) -> RGBColor {
    RGBColor(r, g, b)
}

impl HeatmapSpec {
    fn layout(&self) -> Layout {
        let longest = self.cols.iter().map(|c| c.chars().count()).max().unwrap_or(0).max(5);
        layout(self.rows.len(), self.cols.len(), longest)
    }

    /// The lowest and highest cell (totals excluded), for the colour scale.
    fn extent(&self) -> (f64, f64) {
        let present = self.cells.iter().flatten().flatten().copied();
        present.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)))
    }

    /// Every row with its cells and total, the totals row last.
    fn rows_with_totals(&self) -> Vec<(String, Vec<Option<f64>>, Option<f64>)> {
        let mut rows: Vec<_> = self
            .rows
            .iter()
            .enumerate()
            .map(|(r, name)| {
                (
                    name.clone(),
                    self.cells.get(r).cloned().unwrap_or_default(),
                    self.row_totals.get(r).copied().flatten(),
                )
            })
            .collect();
        rows.push(("Total".into(), self.col_totals.clone(), self.total));
        rows
    }
}

impl Draw for HeatmapSpec {
    fn size(&self) -> (u32, u32) {
        let l = self.layout();
        (l.width as u32, l.height as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, _: Layer) -> Drawn {
        let spec = self;
        let l = spec.layout();
        let (lo, hi) = spec.extent();
        let mut drawn = Drawn::default();
        let font = |bold: bool, colour: Rgb| {
            let style = if bold { FontStyle::Bold } else { FontStyle::Normal };
            ("sans-serif", 12, style).into_font().color(&rgb(colour))
        };
        let text = |s: &str, x: f64, y: f64, style: TextStyle<'_>| {
            let _ = root.draw(&Text::new(s.to_string(), (x as i32, y as i32), style));
        };
        let col_x = |c: usize| l.label_width + c as f64 * l.cell_width;
        let row_y = |r: usize| l.header_height + r as f64 * l.cell_height;
        let mut columns: Vec<String> = spec.cols.clone();
        columns.push("Total".into());
        for (c, name) in columns.iter().enumerate() {
            let x = col_x(c) + l.cell_width / 2.0;
            let style = font(c == spec.cols.len(), AXIS);
            if l.vertical_labels {
                let style =
                    style.transform(FontTransform::Rotate270).pos(Pos::new(HPos::Right, VPos::Center));
                text(name, x, l.header_height - 6.0, style);
            } else {
                text(name, x, l.header_height - 10.0, style.pos(Pos::new(HPos::Center, VPos::Bottom)));
            }
        }
        for (r, (name, cells, total)) in spec.rows_with_totals().iter().enumerate() {
            let y = row_y(r);
            let is_total_row = r == spec.rows.len();
            let middle = y + l.cell_height / 2.0;
            let label_style = font(is_total_row, INK).pos(Pos::new(HPos::Right, VPos::Center));
            text(name, l.label_width - 8.0, middle, label_style);
            for (c, col_name) in columns.iter().enumerate() {
                let value = if c == spec.cols.len() { *total } else { cells.get(c).copied().flatten() };
                let totals = c == spec.cols.len() || is_total_row;
                let fill = match value {
                    Some(v) if !totals => heat_colour(v, lo, hi, spec.direction),
                    _ => EMPTY,
                };
                let x = col_x(c);
                let corners = [
                    (x as i32 + 1, y as i32 + 1),
                    ((x + l.cell_width) as i32 - 1, (y + l.cell_height) as i32 - 1),
                ];
                let _ = root.draw(&Rectangle::new(corners, rgb(fill).filled()));
                let centre = x + l.cell_width / 2.0;
                if l.values_in_cells || totals {
                    let style = font(is_total_row, text_on(fill)).pos(Pos::new(HPos::Center, VPos::Center));
                    text(&format::value(value, spec.unit), centre, middle, style);
                }
                let label = format!("{name} × {col_name}: {}", format::value(value, spec.unit));
                drawn.points.push(HitPoint { x: centre, y: middle, label, href: None, series: None });
            }
        }
        if lo <= hi {
            draw_legend(root, &l, spec, lo, hi);
        }
        drawn
    }
}

pub fn render(spec: &HeatmapSpec) -> Chart {
    let summary = summarise(spec);
    let (svg, drawn) = svg_of(spec, Layer::Full);
    Chart::new(ChartSpec::Heatmap(spec.clone()), svg, summary, drawn.points, table(spec), Vec::new())
}

/// "worse … better" ramp under the grid, with the end values.
fn draw_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    l: &Layout,
    spec: &HeatmapSpec,
    lo: f64,
    hi: f64,
) {
    let y = (l.height - LEGEND_HEIGHT + 14.0) as i32;
    let x0 = l.label_width as i32;
    let steps = 10;
    for i in 0..steps {
        let v = lo + (hi - lo) * i as f64 / (steps - 1) as f64;
        let x = x0 + 40 + i * 18;
        let _ = root.draw(&Rectangle::new(
            [(x, y), (x + 18, y + 10)],
            rgb(heat_colour(v, lo, hi, spec.direction)).filled(),
        ));
    }
    let (left, right) = match spec.direction {
        Direction::Higher | Direction::Lower => ("worse", "better"),
        Direction::Neutral => ("low", "high"),
    };
    let style = ("sans-serif", 12).into_font().color(&rgb(AXIS));
    let _ = root.draw(&Text::new(left, (x0 + 34, y + 5), style.pos(Pos::new(HPos::Right, VPos::Center))));
    let range = format!(
        "{right} (range {} – {})",
        format::value(Some(lo), spec.unit),
        format::value(Some(hi), spec.unit)
    );
    let _ = root.draw(&Text::new(
        range,
        (x0 + 46 + steps * 18, y + 5),
        style.pos(Pos::new(HPos::Left, VPos::Center)),
    ));
}

fn table(spec: &HeatmapSpec) -> DataTable {
    let mut columns = vec![String::new()];
    columns.extend(spec.cols.iter().cloned());
    columns.push("Total".into());
    let mut rows: Vec<Vec<String>> = spec
        .rows
        .iter()
        .enumerate()
        .map(|(r, name)| {
            let mut row = vec![name.clone()];
            row.extend(spec.cols.iter().enumerate().map(|(c, _)| {
                format::value(spec.cells.get(r).and_then(|cells| cells.get(c).copied().flatten()), spec.unit)
            }));
            row.push(format::value(spec.row_totals.get(r).copied().flatten(), spec.unit));
            row
        })
        .collect();
    let mut totals = vec!["Total".to_string()];
    totals.extend(spec.col_totals.iter().map(|v| format::value(*v, spec.unit)));
    totals.push(format::value(spec.total, spec.unit));
    rows.push(totals);
    DataTable { columns, rows }
}

fn summarise(spec: &HeatmapSpec) -> String {
    let mut cells: Vec<(usize, usize, f64)> = Vec::new();
    for (r, row) in spec.cells.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if let Some(v) = v {
                cells.push((r, c, *v));
            }
        }
    }
    let worst = match spec.direction {
        Direction::Lower => cells.iter().max_by(|a, b| a.2.total_cmp(&b.2)),
        _ => cells.iter().min_by(|a, b| a.2.total_cmp(&b.2)),
    };
    match worst {
        Some((r, c, v)) if spec.direction != Direction::Neutral => format!(
            "{} rows × {} columns; weakest cell: {} × {} at {}.",
            spec.rows.len(),
            spec.cols.len(),
            spec.rows[*r],
            spec.cols[*c],
            format::value(Some(*v), spec.unit)
        ),
        Some(_) => format!("{} rows × {} columns.", spec.rows.len(), spec.cols.len()),
        None => "No data to show.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(rows: usize, cols: usize) -> HeatmapSpec {
        HeatmapSpec {
            title: "CSAT".into(),
            unit: Unit::Percent,
            direction: Direction::Higher,
            rows: (0..rows).map(|r| format!("row {r}")).collect(),
            cols: (0..cols).map(|c| format!("Mar {c:02}")).collect(),
            cells: (0..rows).map(|r| (0..cols).map(|c| Some((r * cols + c) as f64)).collect()).collect(),
            row_totals: vec![Some(1.0); rows],
            col_totals: vec![Some(2.0); cols],
            total: Some(3.0),
        }
    }

    #[test]
    fn a_small_matrix_writes_values_in_horizontal_labelled_cells() {
        let l = layout(7, 7, 12);
        assert!(!l.vertical_labels && l.values_in_cells);
    }

    #[test]
    fn a_wide_matrix_turns_column_labels_and_keeps_values_in_tooltips() {
        let l = layout(12, 25, 6);
        assert!(l.vertical_labels && !l.values_in_cells);
        assert!(l.cell_width > 20.0);
        let chart = render(&spec(12, 25));
        assert_eq!(chart.points.len(), 13 * 26, "every cell and total can be hovered");
        assert!(chart.svg.contains("rotate(270"));
    }

    #[test]
    fn the_weakest_cell_is_named_and_the_table_has_totals() {
        let chart = render(&spec(2, 2));
        assert_eq!(chart.summary, "2 rows × 2 columns; weakest cell: row 0 × Mar 00 at 0.0%.");
        assert_eq!(chart.table.rows.len(), 3);
        assert_eq!(chart.table.rows[2][0], "Total");
        assert_eq!(chart.points[0].label, "row 0 × Mar 00: 0.0%");
    }
}
