//! Charts drawn with plotters into SVG text. The server draws them, so the
//! HTML carries finished charts and hydration sees the very same markup.

pub mod sparkline;
