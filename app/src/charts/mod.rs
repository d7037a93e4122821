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

    /// Refuses specs whose parts do not fit together (they come back from
    /// the browser for PNG downloads, so they are not trusted).
    pub fn check(&self) -> Result<(), String> {
        let fits = |what: &str, len: usize, limit: usize| {
            if len > limit {
                Err(format!("{what} has {len} values for {limit} places"))
            } else {
                Ok(())
            }
        };
        match self {
            ChartSpec::Line(s) => {
                for (name, values) in &s.series {
                    fits(name, values.len(), s.labels.len())?;
                }
                fits("the forecast", s.forecast.len(), s.labels.len())
            }
            ChartSpec::Groups(s) => {
                s.series.iter().try_for_each(|(name, values)| fits(name, values.len(), s.categories.len()))
            }
            ChartSpec::Heatmap(s) => {
                fits("the matrix", s.cells.len(), s.rows.len())?;
                s.cells.iter().try_for_each(|row| fits("a matrix row", row.len(), s.cols.len()))
            }
            ChartSpec::Waterfall(s) => fits("the waterfall", s.steps.len(), 50),
            ChartSpec::Bar(_) | ChartSpec::Scatter(_) => Ok(()),
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
    fn titles_are_inserted_into_the_svg_and_escaped() {
        let svg = with_title("<svg width=\"10\"><rect/></svg>".into(), "A < B", "d");
        assert_eq!(svg, "<svg width=\"10\" role=\"img\"><title>A &lt; B</title><desc>d</desc><rect/></svg>");
    }
}
