//! Charts drawn with plotters into SVG text, always on the server: the HTML
//! carries finished charts, and the interactive island over them
//! (`components::chart`) uses the hit points each chart reports, in the
//! chart's own pixel coordinates.

pub mod bar;
pub mod canvas;
pub mod groups;
pub mod heatmap;
pub mod line;
pub mod parts;
pub mod scale;
pub mod scatter;
pub mod sparkline;
pub mod waterfall;

use serde::{Deserialize, Serialize};

/// One data point the interactive layer can hover, focus and click.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HitPoint {
    /// Position in the chart's pixel space (0..width, 0..height).
    pub x: f64,
    pub y: f64,
    /// What the tooltip and screen readers say, e.g. "CSAT · chat · Mar 2025: 81.2%".
    pub label: String,
    /// Where a click leads, if anywhere (a drill-down URL).
    pub href: Option<String>,
    /// The legend entry (series) the point belongs to, if it can be hidden.
    pub series: Option<usize>,
}

/// A chart's data as a table: for "show as table" and the CSV download.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DataTable {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl DataTable {
    /// RFC 4180 CSV: fields with commas, quotes or line breaks are quoted,
    /// and cells a spreadsheet would run as formulas are neutralised.
    pub fn to_csv(&self) -> String {
        let line = |cells: &[String]| {
            cells.iter().map(|c| csv_field(&crate::csv_cell::neutralise(c))).collect::<Vec<_>>().join(",")
        };
        let mut out = line(&self.columns);
        for row in &self.rows {
            out.push_str("\r\n");
            out.push_str(&line(row));
        }
        out.push_str("\r\n");
        out
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A drawn chart with everything the page needs around it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Chart {
    pub title: String,
    /// One sentence saying what the chart shows, for everyone.
    pub summary: String,
    /// The whole chart: shown when it has no layers, and downloaded.
    pub svg: String,
    /// With layers: the chart without its series (axes, target, trend)…
    pub frame: Option<String>,
    /// …and one transparent layer per legend entry, so series can be toggled.
    pub layers: Vec<String>,
    pub width: u32,
    pub height: u32,
    pub points: Vec<HitPoint>,
    pub table: DataTable,
    /// (series name, CSS colour) in drawing order.
    pub legend: Vec<(String, String)>,
    /// Time charts: the x pixel of each period, so a drag can pick a range.
    pub x_slots: Vec<f64>,
    /// What the lines and shades that are not data mean, e.g. "dashed: target 80.0%".
    pub key: Vec<String>,
    /// What the chart was drawn from: redrawn in the browser when zoomed,
    /// and sent back to the server for the PNG download.
    pub spec: ChartSpec,
}

impl Chart {
    /// A chart drawn in one piece; its title and summary go into the SVG.
    pub(crate) fn new(
        spec: ChartSpec,
        svg: String,
        summary: String,
        points: Vec<HitPoint>,
        table: DataTable,
        legend: Vec<(String, String)>,
    ) -> Chart {
        let title = spec.title().to_string();
        let (width, height) = spec.size();
        Chart {
            svg: with_title(svg, &title, &summary),
            title,
            summary,
            frame: None,
            layers: Vec::new(),
            width,
            height,
            points,
            table,
            legend,
            x_slots: Vec::new(),
            key: Vec::new(),
            spec,
        }
    }

    /// Adds the frame and one layer per series, so the legend can hide series.
    pub(crate) fn with_layers(mut self, frame: String, layers: Vec<String>) -> Chart {
        self.frame = Some(with_title(frame, &self.title, &self.summary));
        self.layers = layers;
        self
    }
}

/// (series name, CSS colour) for series drawn in palette order.
pub(crate) fn series_legend<'a>(names: impl Iterator<Item = &'a String>) -> Vec<(String, String)> {
    names.enumerate().map(|(i, name)| (name.clone(), scale::hex(PALETTE[i % PALETTE.len()]))).collect()
}

/// Most labels, categories, rows, columns, bars or points a chart may
/// have: the product's own charts stay far below (at most
/// `api::query::MAX_PERIODS` periods, a few thousand agents or products).
const MAX_PLACES: usize = 5_000;
/// Most series (or benchmarks) a line or grouped chart may have.
const MAX_SERIES: usize = 200;
/// Most values a chart may place (series × labels, rows × columns): a
/// spec of empty names within a 1 MB request could ask for billions.
const MAX_VALUES: usize = 100_000;
/// Largest value (either sign) a chart plots: far beyond any KPI, and far
/// from where an axis's span overflows (values near ±1e308 made it
/// infinite, and plotters then looped for ever placing the ticks).
const MAX_PLOTTED: f64 = 1e15;

/// Any chart of the kit, as data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChartSpec {
    Line(line::LineSpec),
    Bar(bar::BarSpec),
    Groups(groups::GroupSpec),
    Heatmap(heatmap::HeatmapSpec),
    Scatter(scatter::ScatterSpec),
    Waterfall(waterfall::WaterfallSpec),
}

impl ChartSpec {
    pub fn title(&self) -> &str {
        match self {
            ChartSpec::Line(s) => &s.title,
            ChartSpec::Bar(s) => &s.title,
            ChartSpec::Groups(s) => &s.title,
            ChartSpec::Heatmap(s) => &s.title,
            ChartSpec::Scatter(s) => &s.title,
            ChartSpec::Waterfall(s) => &s.title,
        }
    }

    /// Refuses specs whose parts do not fit together, that are larger than
    /// any chart of the product, or that plot a value no KPI reaches (they
    /// come back from the browser for PNG downloads and zooms, so they are
    /// not trusted).
    pub fn check(&self) -> Result<(), String> {
        let fits = |what: &str, len: usize, limit: usize| {
            if len > limit {
                Err(format!("{what} has {len} values for {limit} places"))
            } else {
                Ok(())
            }
        };
        let at_most = |what: &str, len: usize, limit: usize| {
            if len > limit {
                Err(format!("{len} {what}, at most {limit}"))
            } else {
                Ok(())
            }
        };
        if let Some(v) = self.numbers().find(|v| !v.is_finite() || v.abs() > MAX_PLOTTED) {
            return Err(format!("{v:e} is beyond the ±{MAX_PLOTTED:e} a chart plots"));
        }
        match self {
            ChartSpec::Line(s) => {
                at_most("labels", s.labels.len(), MAX_PLACES)?;
                at_most("series", s.series.len(), MAX_SERIES)?;
                at_most("benchmarks", s.benchmarks.len(), MAX_SERIES)?;
                at_most("notes", s.annotations.len(), MAX_PLACES)?;
                at_most("values (labels × series)", s.labels.len() * s.series.len(), MAX_VALUES)?;
                for (name, values) in &s.series {
                    fits(name, values.len(), s.labels.len())?;
                }
                fits("the forecast", s.forecast.len(), s.labels.len())
            }
            ChartSpec::Groups(s) => {
                at_most("categories", s.categories.len(), MAX_PLACES)?;
                at_most("series", s.series.len(), MAX_SERIES)?;
                at_most("values (categories × series)", s.categories.len() * s.series.len(), MAX_VALUES)?;
                s.series.iter().try_for_each(|(name, values)| fits(name, values.len(), s.categories.len()))
            }
            ChartSpec::Heatmap(s) => {
                at_most("rows", s.rows.len(), MAX_PLACES)?;
                at_most("columns", s.cols.len(), MAX_PLACES)?;
                at_most("cells (rows × columns)", s.rows.len() * s.cols.len(), MAX_VALUES)?;
                fits("the matrix", s.cells.len(), s.rows.len())?;
                fits("the row totals", s.row_totals.len(), s.rows.len())?;
                fits("the column totals", s.col_totals.len(), s.cols.len())?;
                s.cells.iter().try_for_each(|row| fits("a matrix row", row.len(), s.cols.len()))
            }
            ChartSpec::Waterfall(s) => fits("the waterfall", s.steps.len(), 50),
            ChartSpec::Bar(s) => at_most("bars", s.bars.len(), MAX_PLACES),
            ChartSpec::Scatter(s) => at_most("points", s.points.len(), MAX_PLACES),
        }
    }

    /// Every number the spec plots.
    fn numbers(&self) -> Box<dyn Iterator<Item = f64> + '_> {
        match self {
            ChartSpec::Line(s) => Box::new(
                series_values(&s.series)
                    .chain(s.target)
                    .chain(s.target_band.into_iter().flat_map(|(lo, hi)| [lo, hi]))
                    .chain(s.benchmarks.iter().map(|(_, value)| *value))
                    .chain(s.forecast.iter().flatten().flat_map(|&(lo, mid, hi)| [lo, mid, hi])),
            ),
            ChartSpec::Bar(s) => Box::new(s.bars.iter().filter_map(|bar| bar.value)),
            ChartSpec::Groups(s) => Box::new(series_values(&s.series)),
            ChartSpec::Heatmap(s) => Box::new(
                s.cells
                    .iter()
                    .flatten()
                    .chain(&s.row_totals)
                    .chain(&s.col_totals)
                    .chain([&s.total])
                    .filter_map(|value| *value),
            ),
            ChartSpec::Scatter(s) => Box::new(s.points.iter().flat_map(|&(_, x, y)| [x, y])),
            ChartSpec::Waterfall(s) => {
                Box::new([s.start.1].into_iter().chain(s.steps.iter().map(|(_, v)| *v)))
            }
        }
    }

    /// Width and height in pixels.
    pub fn size(&self) -> (u32, u32) {
        use canvas::Draw;
        match self {
            ChartSpec::Line(_) => (line::WIDTH, line::HEIGHT),
            ChartSpec::Bar(s) => s.size(),
            ChartSpec::Groups(s) => s.size(),
            ChartSpec::Heatmap(s) => s.size(),
            ChartSpec::Scatter(s) => s.size(),
            ChartSpec::Waterfall(s) => s.size(),
        }
    }

    pub fn render(&self) -> Chart {
        match self {
            ChartSpec::Line(s) => line::render(s),
            ChartSpec::Bar(s) => bar::render(s),
            ChartSpec::Groups(s) => groups::render(s),
            ChartSpec::Heatmap(s) => heatmap::render(s),
            ChartSpec::Scatter(s) => scatter::render(s),
            ChartSpec::Waterfall(s) => waterfall::render(s),
        }
    }

    /// The chart as a PNG image, drawn by the same code as the SVG.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn png(&self) -> Result<Vec<u8>, String> {
        use canvas::png_of;
        match self {
            ChartSpec::Line(s) => line::png(s),
            ChartSpec::Bar(s) => png_of(s),
            ChartSpec::Groups(s) => png_of(s),
            ChartSpec::Heatmap(s) => png_of(s),
            ChartSpec::Scatter(s) => png_of(s),
            ChartSpec::Waterfall(s) => png_of(s),
        }
    }
}

/// The values of every series, in order.
fn series_values(series: &[(String, Vec<Option<f64>>)]) -> impl Iterator<Item = f64> + '_ {
    series.iter().flat_map(|(_, values)| values.iter().flatten().copied())
}

/// The colours every plotters chart shares with the app's stylesheet.
pub(crate) mod theme {
    use plotters::style::{RGBAColor, RGBColor};

    pub const GRID: RGBColor = RGBColor(0xe8, 0xeb, 0xf0);
    pub const AXIS_TEXT: RGBColor = RGBColor(0x5d, 0x66, 0x75);
    /// Minor grid lines are left out: the major ones are enough to read values.
    pub const NO_LINE: RGBAColor = RGBAColor(0, 0, 0, 0.0);
}

/// Series colours, distinguishable for common colour-vision deficiencies.
pub const PALETTE: [(u8, u8, u8); 6] = [
    (0x2f, 0x5d, 0xd8),
    (0xe0, 0x8a, 0x00),
    (0x0f, 0x9d, 0x8a),
    (0x8e, 0x44, 0xad),
    (0x5d, 0x66, 0x75),
    (0xc2, 0x18, 0x5b),
];

/// A `data:` URL for a download link, percent-encoded.
pub fn data_url(mime: &str, content: &str) -> String {
    format!("data:{mime};charset=utf-8,{}", crate::url::percent_encode(content))
}

/// A file name for downloads: "CSAT by channel" → "csat-by-channel".
pub fn file_name(title: &str) -> String {
    let slug: String =
        title.to_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    slug.split('-').filter(|s| !s.is_empty()).collect::<Vec<_>>().join("-")
}

/// Escapes text for SVG and HTML.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Adds `<title>` and `<desc>` (and an image role) to an SVG from plotters.
pub fn with_title(svg: String, title: &str, desc: &str) -> String {
    match svg.find('>') {
        Some(end) if svg.starts_with("<svg") => format!(
            "{} role=\"img\"><title>{}</title><desc>{}</desc>{}",
            &svg[..end],
            escape(title),
            escape(desc),
            &svg[end + 1..]
        ),
        _ => svg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_that_would_run_as_formulas_are_neutralised_but_numbers_kept() {
        let t = DataTable {
            columns: vec!["channel".into(), "change".into()],
            rows: vec![vec!["=1+1".into(), "-3.5".into()], vec!["@x".into(), "-12".into()]],
        };
        assert_eq!(t.to_csv(), "channel,change\r\n'=1+1,-3.5\r\n'@x,-12\r\n");
    }

    #[test]
    fn csv_quotes_only_what_needs_quoting() {
        let t = DataTable {
            columns: vec!["period".into(), "value".into()],
            rows: vec![vec!["Mar 2025".into(), "1,5".into()], vec!["say \"hi\"".into(), "2".into()]],
        };
        assert_eq!(t.to_csv(), "period,value\r\nMar 2025,\"1,5\"\r\n\"say \"\"hi\"\"\",2\r\n");
    }

    #[test]
    fn downloads_get_encoded_urls_and_tidy_names() {
        assert_eq!(data_url("text/csv", "a,b\r\n"), "data:text/csv;charset=utf-8,a%2Cb%0D%0A");
        assert_eq!(file_name("CSAT by channel × category"), "csat-by-channel-category");
    }

    #[test]
    fn specs_whose_parts_do_not_fit_are_refused() {
        let line = |values: usize| {
            ChartSpec::Line(line::LineSpec {
                labels: vec!["Jan".into(), "Feb".into()],
                series: vec![("CSAT".into(), vec![Some(1.0); values])],
                ..Default::default()
            })
        };
        assert_eq!(line(2).check(), Ok(()));
        assert_eq!(line(3).check(), Err("CSAT has 3 values for 2 places".to_string()));
    }

    #[test]
    fn specs_larger_than_any_chart_or_plotting_values_no_kpi_reaches_are_refused() {
        let line = |labels: usize, series: usize, value: f64| {
            ChartSpec::Line(line::LineSpec {
                labels: vec![String::new(); labels],
                series: vec![(String::new(), vec![Some(value)]); series],
                ..Default::default()
            })
        };
        // The largest the product draws: days over three years, a series per channel.
        assert_eq!(line(1_100, 50, -1e15).check(), Ok(()));
        // Two values near ±1e308 made the axis infinite and plotters loop for ever.
        assert_eq!(line(2, 1, 1e308).check(), Err("1e308 is beyond the ±1e15 a chart plots".to_string()));
        assert_eq!(line(2, 1, -1.5e15).check(), Err("-1.5e15 is beyond the ±1e15 a chart plots".to_string()));
        assert_eq!(line(5_001, 1, 1.0).check(), Err("5001 labels, at most 5000".to_string()));
        assert_eq!(line(1_000, 201, 1.0).check(), Err("201 series, at most 200".to_string()));
        assert_eq!(
            line(1_000, 150, 1.0).check(),
            Err("150000 values (labels × series), at most 100000".to_string())
        );
        let heatmap = |rows: usize, cols: usize, total: f64| {
            ChartSpec::Heatmap(heatmap::HeatmapSpec {
                title: String::new(),
                unit: crate::kpi::Unit::Percent,
                direction: crate::kpi::Direction::Higher,
                rows: vec![String::new(); rows],
                cols: vec![String::new(); cols],
                cells: Vec::new(),
                row_totals: Vec::new(),
                col_totals: Vec::new(),
                total: Some(total),
            })
        };
        assert_eq!(heatmap(100, 1_000, 1.0).check(), Ok(()));
        assert_eq!(heatmap(130, 300_000, 1.0).check(), Err("300000 columns, at most 5000".to_string()));
        assert_eq!(
            heatmap(400, 400, 1.0).check(),
            Err("160000 cells (rows × columns), at most 100000".to_string())
        );
        assert_eq!(heatmap(2, 2, 1e300).check(), Err("1e300 is beyond the ±1e15 a chart plots".to_string()));
    }

    #[test]
    fn titles_are_inserted_into_the_svg_and_escaped() {
        let svg = with_title("<svg width=\"10\"><rect/></svg>".into(), "A < B", "d");
        assert_eq!(svg, "<svg width=\"10\" role=\"img\"><title>A &lt; B</title><desc>d</desc><rect/></svg>");
    }
}
