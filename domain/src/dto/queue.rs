//! The processors' queues (`Bandeja de trabajo`): the filters and a page of rows. The queue
//! itself is [`crate::model::Queue`].

use serde::{Deserialize, Serialize};

use super::search::CaseRow;
use crate::model::Queue;

/// Most rows a queue page shows.
pub const QUEUE_PAGE: u64 = 50;

/// Filters of a queue; all optional, strings as typed (the server checks them).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueFilter {
    pub case_type: Option<String>,
    pub subject_id: Option<i64>,
    /// Nº Autorización.
    pub authorisation: Option<String>,
    /// Opened from/to (`YYYY-MM-DD`, inclusive).
    pub from: Option<String>,
    pub to: Option<String>,
    /// `newest` or `oldest` by opening time; by resolution deadline otherwise (Plazos).
    pub sort: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueRow {
    pub row: CaseRow,
    pub authorisation_number: String,
    pub assigned_to: Option<String>,
    /// The case's version, sent back with a bulk action (a case changed since is refused).
    pub version: i32,
    /// Plazos: `Fecha límite de resolución` and its status.
    pub deadline: super::DeadlineView,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    /// Opaque cursor for the next page (keyset pagination), if there are more rows.
    pub next: Option<String>,
}

/// A queue page as the workspace asks for it: which queue, and its filters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueQuery {
    /// Sent as its code. An unknown code is the unassigned queue, as a hand-edited URL gets.
    #[serde(with = "queue_code")]
    pub queue: Queue,
    #[serde(default)]
    pub filter: QueueFilter,
}

mod queue_code {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::model::Queue;

    pub fn serialize<S: Serializer>(queue: &Queue, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(queue.code())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Queue, D::Error> {
        let code = String::deserialize(deserializer)?;
        Ok(Queue::from_code(&code).unwrap_or(Queue::Unassigned))
    }
}
