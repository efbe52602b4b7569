//! Pieces shared by several screens.

pub mod case_cells;
pub mod case_view;
pub mod classification;
pub mod deadline;
pub mod document_form;
pub mod documents;
pub mod forms;
pub mod fragment;
pub mod guard;
pub mod header;
pub mod input_field;
pub mod loaded;
pub mod more_rows;
pub mod queue_filters;

pub use forms::{ErrorBanner, FieldMessage};
pub use guard::{FailedPage, Guarded, StatusPage};
pub use header::Header;
pub use loaded::{ErrorAlert, Loaded};
