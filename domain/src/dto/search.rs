//! Opción 2 of `Gestión de Casos` (guide §4.2): the search form and its rows.

use serde::{Deserialize, Serialize};

use crate::model::{CaseType, State, Substate};

/// Opción 2 of `Gestión de Casos` (guide §4.2). Strings as typed; see `check_search`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchForm {
    /// `abierto`, `cerrado` or `todos`.
    pub state: String,
    pub from: String,
    pub to: String,
    pub substate: Option<String>,
    pub case_type: Option<String>,
    pub subject_id: Option<i64>,
    pub opened_by: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRow {
    pub number: i64,
    pub number_display: String,
    pub opened_at: String,
    pub case_type: CaseType,
    pub subject: String,
    pub title: String,
    pub state: State,
    pub substate: Substate,
    pub substate_at: String,
    pub opened_by: String,
    pub affects_current_period: bool,
    pub cancellation_pending: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResults {
    pub rows: Vec<CaseRow>,
    /// Opaque cursor for the next page (keyset pagination), if there are more rows.
    pub next: Option<String>,
}
