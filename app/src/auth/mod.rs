//! Accounts and sessions, server side: the role check every server function
//! starts with, and the client address that sign-in limits count against.

pub mod client;
pub mod session;
