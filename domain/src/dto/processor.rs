//! The administration's side: a processor's case, actions and the supervisor dashboard.

use serde::{Deserialize, Serialize};

use super::case::{CaseDetail, CaseHistory};
use super::files::DocumentToAttach;
use super::session::AuthorisationView;
use crate::lifecycle::Action;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteView {
    pub at: String,
    pub author: String,
    pub body: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessorCase {
    pub detail: CaseDetail,
    pub authorisation: AuthorisationView,
    pub assigned_to: Option<(i64, String)>,
    pub notes: Vec<NoteView>,
    pub history: CaseHistory,
    /// Processors and supervisors the case can be assigned to.
    pub assignable: Vec<(i64, String)>,
    /// What this processor may do now (the lifecycle's `decide()` on the server, which
    /// knows who is working the case).
    pub allowed: Vec<Action>,
}

/// A processor's action as the page sends it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessorInput {
    pub action: String,
    pub version: i32,
    /// Message to the user, resolution, reasons, or the note.
    pub text: String,
    /// For `assign`.
    pub target_user_id: Option<i64>,
    /// Documents attached to a resolution or request.
    pub documents: Vec<DocumentToAttach>,
}

/// Most cases one bulk action takes (a queue page).
pub const BULK_MAX: usize = 50;

/// A case picked in a queue, at the version the page showed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkCase {
    pub number: i64,
    pub version: i32,
}

/// A bulk action: `take`, `assign` (to `target_user_id`) or `escalate`, on the picked cases.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkInput {
    pub action: String,
    pub cases: Vec<BulkCase>,
    pub target_user_id: Option<i64>,
    /// Escalation reasons (an internal note on each case), optional.
    pub text: String,
}

/// Supervisor dashboard figures.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    /// Open cases per substate (every open substate, zeros included).
    pub open_by_substate: Vec<(crate::model::Substate, i64)>,
    /// Open cases by age: (label code, count) for <1d, 1–3d, 3–7d, 7–30d, >30d.
    pub backlog_age: Vec<(String, i64)>,
    pub pending_cancellations: i64,
    /// Over cases resolved in the last 30 days.
    pub resolved_last_30_days: i64,
    pub mean_hours_to_resolution: Option<f64>,
    /// Ratings of the last 90 days: count per score 1..=5 and the mean.
    pub ratings: Vec<(i16, i64)>,
    pub mean_rating: Option<f64>,
    /// Cases opened per day over the last 14 days (Spain dates, oldest first).
    pub opened_per_day: Vec<(String, i64)>,
    /// Plazos: on-time rate by month, cases at risk, median business days to resolve.
    #[serde(default)]
    pub deadlines: super::DeadlineFigures,
}
