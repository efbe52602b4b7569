//! What crosses the wire between the server functions and the pages.
//!
//! Times are sent both machine-readable (RFC 3339, UTC) and already formatted in Spain's
//! time zone as the guide shows them (`DD/MM/YYYY HH:MM:SS`), so the browser needs no time
//! zone database.

use serde::{Deserialize, Serialize};

use crate::dates::CalendarDate;
use crate::i18n::Lang;
use crate::lifecycle::{Action, CaseStatus};
use crate::model::{CaseType, Channel, NoticeKind, Role, State, Substate};

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

/// What the login page needs before anyone is signed in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicContext {
    pub lang: Lang,
    pub now: String,
    pub today: CalendarDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxonomyNode {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub case_type: CaseType,
    /// 1 Materia, 2 Categoría, 3 Subcategoría.
    pub depth: i16,
    pub name: String,
    pub help: String,
    /// For Error/Incidencia: a technical problem of the RED system, which shows
    /// `Ayuda Documentación` (guide §4.1.1).
    pub technical: bool,
    pub active: bool,
    pub position: i32,
    /// Cases use this node (it can then be deactivated but never deleted).
    pub in_use: bool,
}

/// The whole classification tree in the caller's language, active nodes first by position.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Taxonomy {
    pub nodes: Vec<TaxonomyNode>,
}

impl Taxonomy {
    pub fn node(&self, id: i64) -> Option<&TaxonomyNode> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// Active subjects of a case type.
    pub fn subjects(&self, case_type: CaseType) -> Vec<&TaxonomyNode> {
        self.nodes
            .iter()
            .filter(|n| n.active && n.depth == 1 && n.case_type == case_type)
            .collect()
    }

    /// Active children of a node.
    pub fn children(&self, parent: i64) -> Vec<&TaxonomyNode> {
        self.nodes
            .iter()
            .filter(|n| n.active && n.parent_id == Some(parent))
            .collect()
    }

    /// Checks a chosen path against the tree (see `validation::check_classification`).
    pub fn facts(
        &self,
        case_type: &str,
        subject: Option<i64>,
        category: Option<i64>,
        subcategory: Option<i64>,
    ) -> crate::validation::ClassificationFacts {
        let ty = CaseType::from_code(case_type);
        let fits = |id: Option<i64>, depth: i16, parent: Option<i64>| -> bool {
            id.and_then(|id| self.node(id)).is_some_and(|n| {
                n.active
                    && n.depth == depth
                    && Some(n.case_type) == ty
                    && (depth == 1 || n.parent_id == parent)
            })
        };
        let subject_fits = fits(subject, 1, None);
        let category_fits = subject_fits && fits(category, 2, subject);
        crate::validation::ClassificationFacts {
            subject_fits,
            category_fits,
            subcategory_fits: subcategory.map(|_| category_fits && fits(subcategory, 3, category)),
            category_has_subcategories: category.is_some_and(|c| !self.children(c).is_empty()),
        }
    }

    /// `Ayuda Documentación` is offered for Trámite and for technical Error/Incidencia cases.
    pub fn shows_documentation_help(&self, case_type: CaseType, category: Option<i64>) -> bool {
        match case_type {
            CaseType::Tramite => true,
            CaseType::Incidencia => category
                .and_then(|c| self.node(c))
                .is_some_and(|n| n.technical),
            CaseType::Consulta => false,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentTypeView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub active: bool,
}

/// A file already streamed to the server, waiting to be attached by a form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadedFile {
    pub token: String,
    pub file_name: String,
    pub size: i64,
    pub media_type: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentToAttach {
    pub document_type_id: Option<i64>,
    pub title: String,
    /// Token returned by the upload endpoint.
    pub upload_token: String,
}

/// `Nuevo Caso` (guide §4.1).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCaseForm {
    pub case_type: String,
    pub subject_id: Option<i64>,
    pub category_id: Option<i64>,
    pub subcategory_id: Option<i64>,
    pub affects_current_period: Option<bool>,
    pub title: String,
    pub description: String,
    pub documents: Vec<DocumentToAttach>,
    /// Made by the page once per form: pressing twice, or a resend, opens one case.
    pub idempotency_key: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptKind {
    /// `Justificante de solicitud de trámite`.
    Solicitud,
    /// `Justificante de documentación complementaria anexada`.
    Complementaria,
}

impl ReceiptKind {
    pub fn code(self) -> &'static str {
        match self {
            ReceiptKind::Solicitud => "solicitud",
            ReceiptKind::Complementaria => "complementaria",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "solicitud" => Some(ReceiptKind::Solicitud),
            "complementaria" => Some(ReceiptKind::Complementaria),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptView {
    pub id: i64,
    pub kind: ReceiptKind,
    pub cea: String,
    pub issued_at: String,
}

/// `Alta Confirmada` (guide §4.1.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseOpened {
    pub number: i64,
    pub number_display: String,
    pub opened_at: String,
    pub receipt: Option<ReceiptView>,
}

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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// The authorised user added information (`Modificar Información`).
    UserInformation,
    InformationRequest,
    ReclassificationRequest,
    CancellationRequest,
    CancellationRejection,
    Resolution,
}

impl MessageKind {
    pub fn code(self) -> &'static str {
        match self {
            MessageKind::UserInformation => "user_information",
            MessageKind::InformationRequest => "information_request",
            MessageKind::ReclassificationRequest => "reclassification_request",
            MessageKind::CancellationRequest => "cancellation_request",
            MessageKind::CancellationRejection => "cancellation_rejection",
            MessageKind::Resolution => "resolution",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [
            MessageKind::UserInformation,
            MessageKind::InformationRequest,
            MessageKind::ReclassificationRequest,
            MessageKind::CancellationRequest,
            MessageKind::CancellationRejection,
            MessageKind::Resolution,
        ]
        .into_iter()
        .find(|k| k.code() == code)
    }
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
    pub status: CaseStatus,
    /// Optimistic-concurrency token: an action on a stale page is refused, not lost.
    pub version: i32,
    /// What the caller may do now (computed by the lifecycle on the server).
    pub allowed: Vec<Action>,
}

/// `Consulta Histórico` (guide §4.2.3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryRow {
    pub state: State,
    pub substate: Substate,
    pub at: String,
    pub observations: String,
    /// The action that wrote the row (`lifecycle::Action` code, or `open`).
    pub action: String,
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

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModificationDone {
    pub substate: Substate,
    pub receipt: Option<ReceiptView>,
}

/// What the public `Verificación de Documentos` page may show: nothing beyond the receipt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verification {
    Authentic(VerifiedReceipt),
    /// The CEA is unknown.
    Unknown,
    /// A file was given: it carries a known CEA but its bytes differ from the issued receipt.
    Altered,
    /// A file was given that is not a receipt of Casia at all.
    NotAReceipt,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifiedReceipt {
    pub kind: ReceiptKind,
    pub cea: String,
    pub case_number: String,
    pub case_opened_at: String,
    pub issued_at: String,
    pub documents: Vec<ReceiptDocument>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptDocument {
    pub type_name: String,
    pub title: String,
    pub file_name: String,
    pub size: i64,
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

/// Why an uploaded file was refused (shown next to the file input).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UploadProblem {
    Empty,
    TooLarge {
        max_bytes: u64,
    },
    /// The file's content is of a kind the service does not accept.
    TypeNotAllowed,
    /// The content is an accepted kind, but not the one its name says (e.g. a PNG named `.pdf`).
    ContentMismatch {
        declared: String,
        detected: String,
    },
    MissingName,
    /// The upload was interrupted before the whole file arrived.
    Incomplete,
    /// The upload token is unknown, expired, used, or not the caller's.
    UnknownUpload,
}

/// A limit a request ran into: refused for now (HTTP 429, or 503 when the service is busy),
/// with a `Retry-After`. Quotas give their maximum so the message can say it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RateLimit {
    /// `Verificación de Documentos`: too many checks from one address in a minute.
    Verification,
    /// Too many receipt files are being checked right now (all clients together).
    VerificationBusy,
    /// Files uploaded by one user in the last hour.
    UploadFiles { max: u64 },
    /// Bytes uploaded by one user in the last hour.
    UploadBytes { max_bytes: u64 },
    /// Uploads one user has in progress at the same time.
    UploadsAtOnce { max: u64 },
}

/// File kinds accepted as case documents: (extensions, description).
pub const ACCEPTED_FILE_KINDS: &[(&[&str], &str)] = &[
    (&["pdf"], "PDF"),
    (&["jpg", "jpeg"], "JPEG"),
    (&["png"], "PNG"),
    (&["tif", "tiff"], "TIFF"),
    (&["docx"], "Word (DOCX)"),
    (&["xlsx"], "Excel (XLSX)"),
    (&["odt"], "OpenDocument (ODT)"),
    (&["ods"], "OpenDocument (ODS)"),
    (&["txt", "csv"], "Texto (TXT, CSV)"),
    (&["xml"], "XML"),
];

/// `accept` attribute for file inputs.
pub fn accept_attribute() -> String {
    ACCEPTED_FILE_KINDS
        .iter()
        .flat_map(|(exts, _)| exts.iter().map(|e| format!(".{e}")))
        .collect::<Vec<_>>()
        .join(",")
}

/// `12,3 MB` style sizes, as Spanish screens write them.
pub fn human_size(bytes: i64) -> String {
    const KB: f64 = 1024.0;
    let b = bytes as f64;
    let (value, unit) = if b >= KB * KB * KB {
        (b / (KB * KB * KB), "GB")
    } else if b >= KB * KB {
        (b / (KB * KB), "MB")
    } else if b >= KB {
        (b / KB, "KB")
    } else {
        return format!("{bytes} B");
    };
    format!("{value:.1} {unit}").replace('.', ",")
}

// ---- The administration's side ----------------------------------------------------------

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
}

// ---- Administration ----------------------------------------------------------------------

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeInput {
    pub name_es: String,
    pub name_en: String,
    pub help_es: String,
    pub help_en: String,
    pub technical: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub role: crate::model::Role,
    pub active: bool,
    pub created_at: String,
    /// Nº Autorización of each membership (authorised users).
    pub authorisations: Vec<String>,
}

/// One page of an administrator's list (accounts, authorisations): at most
/// `ADMIN_PAGE_SIZE` rows from `page` (0-based), and whether another page follows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminListPage<T> {
    pub items: Vec<T>,
    pub page: u64,
    pub has_next: bool,
}

pub const ADMIN_PAGE_SIZE: u64 = 50;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAccount {
    pub username: String,
    pub full_name: String,
    pub email: String,
    pub role: String,
    pub password: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub user_id: i64,
    pub username: String,
    pub full_name: String,
    pub main: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorisationAdminView {
    pub id: i64,
    pub number: String,
    pub company_name: String,
    pub nif: String,
    pub contact_email: Option<String>,
    pub consent: bool,
    pub contact_updated_at: Option<String>,
    pub active: bool,
    pub members: Vec<MemberView>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAuthorisationInput {
    pub number: String,
    pub company_name: String,
    pub nif: String,
    pub contact_email: String,
    pub consent: bool,
}

/// One taxonomy node in both languages (the administrator's editor).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminNode {
    pub id: i64,
    pub depth: i16,
    pub case_type: CaseType,
    pub name_es: String,
    pub name_en: String,
    pub help_es: String,
    pub help_en: String,
    pub technical: bool,
    pub active: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminDocumentType {
    pub id: i64,
    pub code: String,
    pub name_es: String,
    pub name_en: String,
    pub active: bool,
}
