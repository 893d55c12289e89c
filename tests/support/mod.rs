//! Shared support code for the integration tests.

pub mod fake_discord;
pub mod files;
pub mod harness;
