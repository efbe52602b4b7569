//! What crosses the wire between the server functions and the pages.
//!
//! Times are sent both machine-readable (RFC 3339, UTC) and already formatted in Spain's
//! time zone as the guide shows them (`DD/MM/YYYY HH:MM:SS`), so the browser needs no time
//! zone database.
//!
//! One file per concern; everything is re-exported here, so `dto::X` names every type.

mod admin;
mod api;
mod case;
mod deadlines;
mod files;
mod full_text;
mod new_case;
mod processor;
mod queue;
mod receipts;
mod search;
mod session;
mod taxonomy;

pub use admin::*;
pub use api::*;
pub use case::*;
pub use deadlines::*;
pub use files::*;
pub use full_text::*;
pub use new_case::*;
pub use processor::*;
pub use queue::*;
pub use receipts::*;
pub use search::*;
pub use session::*;
pub use taxonomy::*;
