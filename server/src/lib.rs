#![recursion_limit = "512"]
//! The server binary's pieces, as a library so that tests drive the real router.

pub mod cli;
pub mod csrf;
pub mod metrics;
pub mod telemetry;
pub mod web;
