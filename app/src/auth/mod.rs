//! Accounts and sessions, server side: password and token hashing, and the
//! role check every server function starts with.

pub mod secrets;
pub mod session;
