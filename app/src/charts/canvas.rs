//! One drawing, two backends: every chart draws through [`Draw`] so the page
//! gets SVG and the PNG export gets the same chart rasterised on the server.

use super::HitPoint;
use plotters::coord::Shift;
use plotters::prelude::*;

/// What one drawing of a chart holds: everything (page and downloads), the
/// frame alone, or one series on a transparent layer with the same geometry.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Layer {
    Full,
    Frame,
    Series(usize),
}

/// What a drawing reports back in pixel coordinates.
#[derive(Default)]
pub struct Drawn {
    pub points: Vec<HitPoint>,
    /// Time charts: the x position of each period, for zooming by dragging.
    pub x_slots: Vec<f64>,
}

pub trait Draw {
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, layer: Layer) -> Drawn;
}

/// The chart (or one layer of it) as SVG text.
pub fn svg_of<D: Draw>(chart: &D, layer: Layer) -> (String, Drawn) {
    fonts::register();
    let mut svg = String::new();
    let drawn = {
        let root = SVGBackend::with_string(&mut svg, chart.size()).into_drawing_area();
        let drawn = chart.draw(&root, layer);
        let _ = root.present();
        drawn
    };
    (svg, drawn)
}

/// The whole chart as a PNG file, drawn on a white background.
#[cfg(not(target_arch = "wasm32"))]
pub fn png_of<D: Draw>(chart: &D) -> Result<Vec<u8>, String> {
    fonts::register();
    let (width, height) = chart.size();
    let mut rgb = vec![0u8; width as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        chart.draw(&root, Layer::Full);
        root.present().map_err(|e| e.to_string())?;
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    writer.write_image_data(&rgb).map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())?;
    Ok(out)
}

/// On the server plotters measures and draws text with an embedded font, so
/// layout and PNGs do not depend on the fonts a machine happens to have.
/// (In the browser plotters asks the browser instead.)
mod fonts {
    #[cfg(not(target_arch = "wasm32"))]
    pub fn register() {
        use plotters::style::{register_font, FontStyle};
        static ONCE: std::sync::Once = std::sync::Once::new();
        static SANS: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");
        ONCE.call_once(|| {
            for style in [FontStyle::Normal, FontStyle::Bold] {
                let registered = register_font("sans-serif", style, SANS);
                assert!(registered.is_ok(), "the embedded font is a valid TrueType file");
            }
        });
    }

    #[cfg(target_arch = "wasm32")]
    pub fn register() {}
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    struct Square;
    impl Draw for Square {
        fn size(&self) -> (u32, u32) {
            (40, 20)
        }
        fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, _: Layer) -> Drawn {
            let _ = root.draw(&Rectangle::new([(0, 0), (10, 10)], BLACK.filled()));
            let _ = root.draw(&Text::new("ok", (12, 2), ("sans-serif", 12)));
            Drawn::default()
        }
    }

    #[test]
    fn the_same_drawing_gives_svg_and_a_valid_png() {
        let (svg, _) = svg_of(&Square, Layer::Full);
        assert!(svg.starts_with("<svg") && svg.contains("<text") && svg.contains("ok"), "{svg}");
        let png = png_of(&Square).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let info = decoder.read_info().unwrap().info().clone();
        assert_eq!((info.width, info.height), (40, 20));
    }
}
