//! The Aftercare server: configuration, the axum router around the Leptos
//! app, the first-run demo data and the command line.

pub mod cli;
pub mod cli_help;
pub mod config;
pub mod demo;
pub mod http;
pub mod import_cli;

/// mimalloc (its version 2) instead of glibc's allocator, for the server,
/// the command line and the benchmark alike. glibc kept what an import
/// freed for the rest of the process's life: in the benchmark's smoke run a
/// Postgres server that had imported 20,000 tickets served 32 clients at
/// 209 MB, against 145 MB with mimalloc, which hands freed memory back. It
/// costs up to 30 MB more at an import's peak (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
