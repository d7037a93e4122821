//! Accounts and sessions, server side: the role check every server function
//! starts with.

pub mod session;
