//! Heatmap for matrices (channel × category, team × month, …): cells coloured
//! by how good their value is for the KPI's direction, a totals row and
//! column, and a legend. Column labels turn vertical when cells get narrow,
//! so 25 × 12 stays readable.

use super::scale::{heat_colour, hex, text_on, Rgb};
use super::{escape, Chart, DataTable, HitPoint};
use crate::kpi::format;
use crate::kpi::{Direction, Unit};

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

pub fn render(spec: &HeatmapSpec) -> Chart {
    let longest = spec.cols.iter().map(|c| c.chars().count()).max().unwrap_or(0).max(5);
    let l = layout(spec.rows.len(), spec.cols.len(), longest);
    let present = spec.cells.iter().flatten().flatten().copied();
    let (lo, hi) = present.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let mut svg = format!(
        "<svg width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" \
         font-family=\"sans-serif\" font-size=\"12\">",
        w = l.width,
        h = l.height
    );
    let summary = summarise(spec);
    svg.push_str(&format!("<title>{}</title><desc>{}</desc>", escape(&spec.title), escape(&summary)));
    let mut points = Vec::new();
    let col_x = |c: usize| l.label_width + c as f64 * l.cell_width;
    let row_y = |r: usize| l.header_height + r as f64 * l.cell_height;
    let mut columns: Vec<String> = spec.cols.clone();
    columns.push("Total".into());
    for (c, name) in columns.iter().enumerate() {
        let x = col_x(c) + l.cell_width / 2.0;
        let weight = if c == spec.cols.len() { " font-weight=\"600\"" } else { "" };
        if l.vertical_labels {
            let y = l.header_height - 6.0;
            svg.push_str(&format!(
                "<text x=\"{x:.1}\" y=\"{y:.1}\" transform=\"rotate(-90 {x:.1} {y:.1})\" dominant-baseline=\"middle\" fill=\"#5d6675\"{weight}>{}</text>",
                escape(name)
            ));
        } else {
            svg.push_str(&format!(
                "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#5d6675\"{weight}>{}</text>",
                l.header_height - 10.0,
                escape(name)
            ));
        }
    }
    let mut rows: Vec<(String, Vec<Option<f64>>, Option<f64>)> = spec
        .rows
        .iter()
        .enumerate()
        .map(|(r, name)| {
            (
                name.clone(),
                spec.cells.get(r).cloned().unwrap_or_default(),
                spec.row_totals.get(r).copied().flatten(),
            )
        })
        .collect();
    rows.push(("Total".into(), spec.col_totals.clone(), spec.total));
    for (r, (name, cells, total)) in rows.iter().enumerate() {
        let y = row_y(r);
        let is_total_row = r == spec.rows.len();
        let weight = if is_total_row { " font-weight=\"600\"" } else { "" };
        svg.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" dominant-baseline=\"middle\" fill=\"#1b1f27\"{weight}>{}</text>",
            l.label_width - 8.0,
            y + l.cell_height / 2.0,
            escape(name)
        ));
        for (c, col_name) in columns.iter().enumerate() {
            let value = if c == spec.cols.len() { *total } else { cells.get(c).copied().flatten() };
            let totals = c == spec.cols.len() || is_total_row;
            let fill = match value {
                Some(v) if !totals => heat_colour(v, lo, hi, spec.direction),
                _ => EMPTY,
            };
            let x = col_x(c);
            svg.push_str(&format!(
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"3\" fill=\"{}\"/>",
                x + 1.0,
                y + 1.0,
                l.cell_width - 2.0,
                l.cell_height - 2.0,
                hex(fill)
            ));
            if l.values_in_cells || totals {
                let text = format::value(value, spec.unit);
                svg.push_str(&format!(
                    "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" dominant-baseline=\"middle\" fill=\"{}\"{weight}>{}</text>",
                    x + l.cell_width / 2.0,
                    y + l.cell_height / 2.0,
                    hex(text_on(fill)),
                    escape(&text)
                ));
            }
            let label = format!("{name} × {col_name}: {}", format::value(value, spec.unit));
            points.push(HitPoint {
                x: x + l.cell_width / 2.0,
                y: y + l.cell_height / 2.0,
                label,
                href: None,
                series: None,
            });
        }
    }
    legend(&mut svg, &l, spec, lo, hi);
    svg.push_str("</svg>");
    Chart {
        title: spec.title.clone(),
        summary,
        svg,
        frame: None,
        layers: Vec::new(),
        width: l.width as u32,
        height: l.height as u32,
        points,
        table: table(spec),
        legend: Vec::new(),
    }
}

/// "worse … better" ramp under the grid, with the end values.
fn legend(svg: &mut String, l: &Layout, spec: &HeatmapSpec, lo: f64, hi: f64) {
    if lo > hi {
        return;
    }
    let y = l.height - LEGEND_HEIGHT + 14.0;
    let x0 = l.label_width;
    let steps = 10;
    for i in 0..steps {
        let v = lo + (hi - lo) * i as f64 / (steps - 1) as f64;
        svg.push_str(&format!(
            "<rect x=\"{:.1}\" y=\"{y:.1}\" width=\"18\" height=\"10\" fill=\"{}\"/>",
            x0 + 40.0 + i as f64 * 18.0,
            hex(heat_colour(v, lo, hi, spec.direction))
        ));
    }
    let (left, right) = match spec.direction {
        Direction::Higher | Direction::Lower => ("worse", "better"),
        Direction::Neutral => ("low", "high"),
    };
    svg.push_str(&format!(
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" dominant-baseline=\"middle\" fill=\"#5d6675\">{left}</text>",
        x0 + 34.0,
        y + 5.0
    ));
    svg.push_str(&format!(
        "<text x=\"{:.1}\" y=\"{:.1}\" dominant-baseline=\"middle\" fill=\"#5d6675\">{right} (range {} – {})</text>",
        x0 + 46.0 + steps as f64 * 18.0,
        y + 5.0,
        escape(&format::value(Some(lo), spec.unit)),
        escape(&format::value(Some(hi), spec.unit))
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
        assert!(chart.svg.contains("rotate(-90"));
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
