//! `Buscar en los casos` (full-text search over cases): how text becomes terms, the index
//! kept in each change's transaction, the ranked query and the highlighted fragment.

mod analysis;
mod fragment;
mod index;
mod query;

pub use index::{backfill, refresh};
pub use query::{search_for_processor, search_for_user};
