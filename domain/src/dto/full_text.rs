//! `Buscar en los casos`: full-text search over the cases a caller may see.

use serde::{Deserialize, Serialize};

use super::queue::{QueueFilter, QueueRow};
use super::search::CaseRow;
use crate::model::Queue;

/// Most characters a search text may have.
pub const SEARCH_TEXT_MAX: usize = 200;
/// Results a page shows, and the most pages (ranked results are paged by offset).
pub const TEXT_SEARCH_PAGE: u64 = 50;
pub const TEXT_SEARCH_MAX_PAGES: u64 = 20;

/// A piece of a result's fragment; `hit` pieces matched the search.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FragmentPart {
    pub text: String,
    pub hit: bool,
}

impl FragmentPart {
    pub fn plain(text: &str) -> FragmentPart {
        FragmentPart {
            text: text.to_owned(),
            hit: false,
        }
    }
}

/// A processor's search: the text, optionally within one queue, with the queue filters
/// (`sort` is ignored: results are ranked).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseTextSearch {
    pub text: String,
    /// Its code; none (or unknown) searches every case, closed ones too.
    pub queue: Option<String>,
    #[serde(default)]
    pub filter: QueueFilter,
}

impl CaseTextSearch {
    pub fn queue(&self) -> Option<Queue> {
        self.queue.as_deref().and_then(Queue::from_code)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextHit<R> {
    pub row: R,
    pub fragment: Vec<FragmentPart>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextResults<R> {
    pub hits: Vec<TextHit<R>>,
    /// Opaque cursor of the next page, if there are more results.
    pub next: Option<String>,
}

pub type ProcessorTextResults = TextResults<QueueRow>;
pub type UserTextResults = TextResults<CaseRow>;
