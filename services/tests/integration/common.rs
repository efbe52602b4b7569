//! The two-database harness lives in `casia_services::testing`.
