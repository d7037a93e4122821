//! The Aftercare server: configuration, the axum router around the Leptos
//! app, the first-run demo data and the command line.

pub mod cli;
pub mod cli_help;
pub mod config;
pub mod demo;
pub mod http;
pub mod import_cli;
