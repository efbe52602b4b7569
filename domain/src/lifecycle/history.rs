//! What wrote a row of the case history (shown to the user, with a short note when the row
//! has no observations).

use super::Action;
use crate::i18n::Msg;
use crate::model::coded_traits;

/// What wrote a row of the case history: the opening of the case, or an action.
/// Stored as `open` or the action's code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HistoryAction {
    Open,
    Act(Action),
    /// Plazos: the resolution clock stopped (the user was asked, art. 22.1.a).
    Suspend,
    /// Plazos: the clock runs again; the deadline moved by the suspended business days.
    Resume,
    /// Plazos: the user's deadline passed unanswered.
    AnswerExpired,
}

impl HistoryAction {
    pub fn code(self) -> &'static str {
        match self {
            HistoryAction::Open => "open",
            HistoryAction::Suspend => "deadline_suspended",
            HistoryAction::Resume => "deadline_resumed",
            HistoryAction::AnswerExpired => "answer_expired",
            HistoryAction::Act(action) => action.code(),
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "open" => Some(HistoryAction::Open),
            "deadline_suspended" => Some(HistoryAction::Suspend),
            "deadline_resumed" => Some(HistoryAction::Resume),
            "answer_expired" => Some(HistoryAction::AnswerExpired),
            code => Action::from_code(code).map(HistoryAction::Act),
        }
    }

    /// The short text a history row without observations shows.
    pub fn note(self) -> Option<Msg> {
        match self {
            HistoryAction::Open => Some(Msg::NotaAlta),
            HistoryAction::Suspend => Some(Msg::PlazoSuspendido),
            HistoryAction::Resume => Some(Msg::PlazoReanudado),
            HistoryAction::AnswerExpired => Some(Msg::QueueAnswerExpired),
            HistoryAction::Act(Action::GrantMoreTime) => Some(Msg::NotaPlazoAmpliado),
            HistoryAction::Act(Action::ModifyInformation) => Some(Msg::NotaInformacionAportada),
            HistoryAction::Act(Action::Reclassify) => Some(Msg::NotaReclasificado),
            HistoryAction::Act(Action::RequestCancellation) => Some(Msg::NotaSolicitudAnulacion),
            HistoryAction::Act(Action::ApproveCancellation) => Some(Msg::NotaAnulacionAprobada),
            HistoryAction::Act(_) => None,
        }
    }
}

impl From<Action> for HistoryAction {
    fn from(action: Action) -> Self {
        HistoryAction::Act(action)
    }
}

coded_traits!(HistoryAction);
