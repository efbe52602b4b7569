//! Casia's rules in plain Rust.
//!
//! Everything here compiles both into the browser bundle (to show only the actions and
//! messages that apply) and into the server (to enforce them whatever the client sent).
//! No I/O, no database, no clock: callers pass in what the rules need.

pub mod audit;
pub mod dates;
pub mod deadlines;
pub mod dto;
pub mod i18n;
pub mod lifecycle;
pub mod model;
pub mod second_factor;
pub mod validation;

pub use i18n::{Lang, Msg};
pub use lifecycle::{Action, Actor, CaseStatus, Refusal, Transition};
pub use model::{CaseType, Channel, Role, State, Substate};
pub use validation::{FieldError, FieldProblem};
