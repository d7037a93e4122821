//! Integration tests: the real store on a real SQLite file and a real
//! Postgres server (started by `with-postgres.sh`), and the real app on port 0.

mod analyses;
mod api;
mod app;
mod auth;
mod backends_agree;
mod busy;
mod caching;
mod csv_injection;
mod hostile_dates;
mod http;
mod import;
mod import_files;
mod incremental_rollup;
mod ingest;
mod kpi_matches_sql;
mod login_limits;
mod matrix;
mod matrix_dims;
mod redirects;
mod register;
mod scale_out;
mod statuses;
mod stored_medians;
mod support;
mod support_months;
mod time_zone;
mod trailing_year;
mod trends;
mod variance;
