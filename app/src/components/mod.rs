//! Reusable view pieces.

pub mod kpi_tile;
pub mod layout;
pub mod month_picker;
pub mod states;
