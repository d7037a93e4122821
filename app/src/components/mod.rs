//! Reusable view pieces.

pub mod chart;
pub mod form;
pub mod kpi_tile;
pub mod layout;
pub mod month_picker;
pub mod states;
pub mod time;
