//! One case as the authorised user sees it: detail, conversation, history, `Modificar Información`.

use serde::{Deserialize, Serialize};

use super::files::DocumentToAttach;
use super::receipts::ReceiptView;
use crate::lifecycle::{Action, Actor, CaseStatus, HistoryAction, decide};
pub use crate::model::MessageKind;
use crate::model::{CaseType, Channel, Role, State, Substate};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentView {
    pub id: i64,
    pub attached_at: String,
    pub type_name: String,
    pub title: String,
    pub file_name: String,
    pub size: i64,
    pub media_type: String,
    pub sha256: String,
    /// Attached by the administration (for example with the resolution).
    pub from_processor: bool,
}

/// One entry of the conversation between the authorised user and the administration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageView {
    pub at: String,
    pub kind: MessageKind,
    /// The user's name for their own entries; "TGSS" for the administration's.
    pub author: String,
    pub body: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingView {
    pub score: i16,
    pub observations: String,
    pub rated_at: String,
}

/// The case as the authorised user sees it (guide §4.2.1 screen).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseDetail {
    pub number: i64,
    pub number_display: String,
    /// `Autorizado`: who opened it (`Usuario de Alta`).
    pub opened_by: String,
    pub opened_at: String,
    pub channel: Channel,
    pub state: State,
    pub substate: Substate,
    pub substate_at: String,
    pub case_type: CaseType,
    pub subject_id: i64,
    pub subject: String,
    pub category_id: i64,
    pub category: String,
    pub subcategory_id: Option<i64>,
    pub subcategory: Option<String>,
    pub affects_current_period: bool,
    pub title: String,
    pub description: String,
    pub documents: Vec<DocumentView>,
    pub receipts: Vec<ReceiptView>,
    pub messages: Vec<MessageView>,
    /// The case has more documents, receipts or messages than `CASE_LIST_MAX`: the first
    /// documents and receipts and the latest messages are shown.
    #[serde(default)]
    pub capped: bool,
    pub resolution: Option<String>,
    pub resolved_at: Option<String>,
    pub rating: Option<RatingView>,
    pub status: UserCaseStatus,
    /// Optimistic-concurrency token: an action on a stale page is refused, not lost.
    pub version: i32,
    /// Plazos: the resolution deadline and, while asked, the user's.
    pub deadlines: super::DeadlineView,
}

/// What the authorised user's rules look at besides the substate. Not who is working the
/// case: the user's pages never get a processor's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserCaseStatus {
    pub cancellation_pending: bool,
    pub rated: bool,
}

impl From<&CaseStatus> for UserCaseStatus {
    fn from(s: &CaseStatus) -> Self {
        UserCaseStatus {
            cancellation_pending: s.cancellation_pending,
            rated: s.rated,
        }
    }
}

impl UserCaseStatus {
    /// Whether the authorised user may do `action` on a case in `substate`: the lifecycle's own
    /// `decide()`, run where it is needed (the server decides again on every action). The
    /// user's rules do not depend on who is working the case.
    pub fn allows(&self, substate: Substate, action: Action) -> bool {
        let status = CaseStatus {
            substate,
            assigned_to: None,
            cancellation_pending: self.cancellation_pending,
            rated: self.rated,
            answer_overdue: false,
        };
        let actor = Actor {
            user_id: 0,
            role: Role::Autorizado,
        };
        action.is_user_action() && decide(&status, &actor, action).is_ok()
    }
}

impl CaseDetail {
    /// Whether the authorised user may do `action` now (see `UserCaseStatus::allows`).
    pub fn user_may(&self, action: Action) -> bool {
        self.status.allows(self.substate, action)
    }

    /// The text of the latest request for information or reclassification, if any.
    pub fn last_request(&self) -> Option<String> {
        self.messages
            .iter()
            .rev()
            .find(|m| {
                matches!(
                    m.kind,
                    MessageKind::InformationRequest | MessageKind::ReclassificationRequest
                )
            })
            .map(|m| m.body.clone())
    }
}

/// `Consulta Histórico` (guide §4.2.3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryRow {
    pub state: State,
    pub substate: Substate,
    pub at: String,
    /// RFC 3339, UTC (the API's form of `at`).
    #[serde(default)]
    pub occurred_at: String,
    pub observations: String,
    /// What wrote the row: the opening, or an action.
    pub action: HistoryAction,
    /// Shown to processors only.
    pub actor: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseHistory {
    pub number: i64,
    pub number_display: String,
    pub opened_at: String,
    pub rows: Vec<HistoryRow>,
    /// More than `CASE_LIST_MAX` rows: only the latest are shown.
    #[serde(default)]
    pub capped: bool,
}

/// Most rows of one kind (documents, receipts, messages, history) a case's pages show.
pub const CASE_LIST_MAX: u64 = 500;

/// `Modificar Información` (guide §4.2.1).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModifyInformationForm {
    pub information: String,
    pub documents: Vec<DocumentToAttach>,
    /// Only while `Solicitada Reclasificación`.
    pub reclassification: Option<Reclassification>,
    pub version: i32,
    pub idempotency_key: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reclassification {
    pub case_type: String,
    pub subject_id: Option<i64>,
    pub category_id: Option<i64>,
    pub subcategory_id: Option<i64>,
}

impl Reclassification {
    /// A case's classification as the form would send it.
    pub fn of(
        case_type: crate::model::CaseType,
        subject_id: i64,
        category_id: i64,
        subcategory_id: Option<i64>,
    ) -> Self {
        Reclassification {
            case_type: case_type.code().to_owned(),
            subject_id: Some(subject_id),
            category_id: Some(category_id),
            subcategory_id,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModificationDone {
    pub substate: Substate,
    pub receipt: Option<ReceiptView>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::allowed_actions;

    /// The page's buttons are what the server allows the user, whoever works the case.
    #[test]
    fn the_user_page_offers_what_the_lifecycle_allows() {
        let ana = Actor {
            user_id: 3,
            role: Role::Autorizado,
        };
        for substate in Substate::ALL.iter().copied() {
            for (pending, rated, assigned_to) in [
                (false, false, None),
                (true, false, Some(7)),
                (false, true, Some(7)),
                (true, true, None),
            ] {
                let full = CaseStatus {
                    substate,
                    assigned_to,
                    cancellation_pending: pending,
                    rated,
                    answer_overdue: false,
                };
                let allowed = allowed_actions(&full, &ana);
                let status = UserCaseStatus::from(&full);
                for action in Action::ALL.iter().copied() {
                    assert_eq!(
                        status.allows(substate, action),
                        allowed.contains(&action),
                        "{substate:?} pending={pending} rated={rated} {action:?}"
                    );
                }
            }
        }
    }
}
