//! Who is signed in, their account and sessions, contact data and notices.

use serde::{Deserialize, Serialize};

use crate::dates::CalendarDate;
use crate::i18n::Lang;
use crate::model::{NoticeKind, Role};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub role: Role,
}

/// An `autorización RED` as the header of the guide's screens shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorisationView {
    pub id: i64,
    /// `Nº Autorización`.
    pub number: String,
    /// `Razón Social`.
    pub company_name: String,
    pub nif: String,
    /// The caller is the authorisation's `usuario principal`.
    pub is_main_user: bool,
}

/// Who is signed in and for which authorisation: drives the header and every page guard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub user: UserView,
    pub authorisation: Option<AuthorisationView>,
    pub authorisation_count: usize,
    pub lang: Lang,
    pub unread_notices: u64,
    /// `Fecha y Hora Actual` when the page was made.
    pub now: String,
    /// Today in Spain (default search month).
    pub today: CalendarDate,
    /// An administrator reset the password: only `/cuenta` is open until it is changed.
    #[serde(default)]
    pub password_change_required: bool,
}

impl SessionView {
    /// An authorised user must pick an authorisation before anything else (guide §3).
    pub fn needs_authorisation(&self) -> bool {
        self.user.role == Role::Autorizado && self.authorisation.is_none()
    }
}

/// One of the caller's own sessions, as `/cuenta` lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnSessionView {
    /// A random-looking id derived from the session (not its token, not a counter): it only
    /// ever names a session of the caller's own.
    pub id: String,
    /// Browser and system, e.g. "Chrome · Linux" (empty when unknown).
    pub device: String,
    pub client: String,
    pub started: String,
    pub last_used: String,
    /// The session this page was loaded with.
    pub current: bool,
}

/// `/cuenta` ("Mi cuenta").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyAccount {
    pub username: String,
    pub full_name: String,
    pub password_change_required: bool,
    /// Newest first; the current one included.
    pub sessions: Vec<OwnSessionView>,
}

/// One notice in the `Buzón`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeView {
    pub id: i64,
    pub kind: NoticeKind,
    pub case_number: Option<String>,
    pub subject: String,
    pub body: String,
    pub created_at: String,
    /// RFC 3339, UTC (the API's form of `created_at`).
    pub occurred_at: String,
    pub read: bool,
}

/// `Consulta/Modificación de datos de contacto`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactData {
    pub authorisation: AuthorisationView,
    pub email: String,
    pub consent: bool,
    pub updated_at: Option<String>,
    /// Only the main user may change it.
    pub editable: bool,
}
