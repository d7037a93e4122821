//! Aftercare: post-purchase support analytics. This crate is the whole app:
//! the pure KPI engine (`kpi`), the data layer (`store`, server only), the
//! server functions (`api`), and the Leptos UI (`pages`, `components`,
//! `charts`). Dependencies flow pages → components/charts → api → store → kpi.

pub mod api;
#[cfg(feature = "ssr")]
pub mod auth;
pub mod charts;
pub mod components;
pub mod error;
pub mod import;
pub mod kpi;
pub mod models;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod store;

mod app;

pub use app::{shell, App};
