//! One module per screen.

pub mod actions;
pub mod admin_audit;
pub mod admin_tokens;
pub mod admin_users;
pub mod chart_gallery;
pub mod data;
pub mod docs;
pub mod early_warning;
pub mod events;
pub mod login;
pub mod matrix;
pub mod matrix_tickets;
pub mod not_found;
pub mod overview;
pub mod setup;
pub mod target_plan;
pub mod targets;
pub mod trends;
pub mod variance;
pub mod variance_register;
