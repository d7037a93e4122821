//! Aftercare: post-purchase support analytics. This crate is the whole app:
//! the pure KPI engine (`kpi`), the data layer (`store`, server only), the
//! server functions (`api`), and the Leptos UI (`pages`, `components`,
//! `charts`). Dependencies flow pages → components/charts → api → store → kpi.

// Leptos view types nest deeply; release builds of the larger pages need room.
#![recursion_limit = "256"]

pub mod api;
#[cfg(feature = "ssr")]
pub mod auth;
pub mod charts;
pub mod components;
pub mod csv_cell;
pub mod docs;
pub mod error;
pub mod id_set;
pub mod import;
pub mod kpi;
pub mod models;
pub mod pages;
/// Password and token hashing (server only); below both `auth` and `store`.
#[cfg(feature = "ssr")]
pub mod secrets;
#[cfg(feature = "ssr")]
pub mod store;
pub mod url;

mod app;

pub use app::{shell, App};
