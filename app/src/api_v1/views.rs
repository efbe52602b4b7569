//! What the API sends: JSON with RFC 3339 times (UTC, `Z`), codes for every vocabulary, the
//! case number as the guide writes it (`2026-0000001`).

use casia_domain::dto::{HistoryRow, NoticeView};
use casia_domain::lifecycle::HistoryAction;
use casia_domain::model::{CaseType, NoticeKind, ReceiptKind, case_number};
use casia_domain::{State, Substate};
use casia_services::entity::{case, receipt, webhook_delivery};
use casia_services::webhooks::WebhookView;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// A case of the token's authorisation.
#[derive(Serialize, ToSchema)]
pub struct Case {
    /// `2026-0000001`.
    pub number: String,
    #[schema(value_type = String, example = "consulta")]
    pub case_type: CaseType,
    /// `abierto` or `cerrado`.
    #[schema(value_type = String, example = "abierto")]
    pub state: State,
    /// `presentado`, `asignado`, `escalado`, `solicitada_informacion`,
    /// `solicitada_reclasificacion`, `resuelto` or `anulado`.
    #[schema(value_type = String, example = "presentado")]
    pub substate: Substate,
    pub opened_at: DateTime<Utc>,
    pub substate_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub subject_id: i64,
    pub category_id: i64,
    pub subcategory_id: Option<i64>,
    pub affects_current_period: bool,
    pub title: String,
    pub description: String,
    pub cancellation_pending: bool,
    pub resolution: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// 1 to 5, once rated.
    pub rating: Option<i16>,
    /// `Fecha límite de resolución` (a date).
    #[schema(value_type = String, format = Date)]
    pub resolution_deadline: String,
    /// `Fecha límite para aportar la información`, while the case waits for the user.
    #[schema(value_type = Option<String>, format = Date)]
    pub answer_deadline: Option<String>,
    /// Changes with every change of the case; send it back to refuse a change to a case
    /// that changed meanwhile (`409`).
    pub version: i32,
}

impl From<&case::Model> for Case {
    fn from(c: &case::Model) -> Case {
        Case {
            number: case_number::format(c.number),
            case_type: c.case_type,
            state: c.state,
            substate: c.substate,
            opened_at: c.opened_at,
            substate_at: c.substate_at,
            closed_at: c.closed_at,
            subject_id: c.subject_id,
            category_id: c.category_id,
            subcategory_id: c.subcategory_id,
            affects_current_period: c.affects_current_period,
            title: c.title.clone(),
            description: c.description.clone(),
            cancellation_pending: c.cancellation_pending,
            resolution: c.resolution.clone(),
            resolved_at: c.resolved_at,
            rating: c.rating,
            resolution_deadline: c.resolution_deadline.to_string(),
            answer_deadline: c.answer_deadline.map(|d| d.to_string()),
            version: c.version,
        }
    }
}

/// A page of a search, and how many cases the whole search finds.
#[derive(Serialize, ToSchema)]
pub struct CasePage {
    pub items: Vec<Case>,
    pub total: u64,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct HistoryEntry {
    #[schema(value_type = String)]
    pub state: State,
    #[schema(value_type = String)]
    pub substate: Substate,
    #[schema(value_type = String, format = DateTime)]
    pub at: String,
    /// What wrote the row (`opened`, an action's code, …).
    #[schema(value_type = String)]
    pub action: HistoryAction,
    pub observations: String,
}

impl From<HistoryRow> for HistoryEntry {
    fn from(r: HistoryRow) -> HistoryEntry {
        HistoryEntry {
            state: r.state,
            substate: r.substate,
            at: r.occurred_at,
            action: r.action,
            observations: r.observations,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct History {
    pub number: String,
    /// Oldest first.
    pub entries: Vec<HistoryEntry>,
    /// More rows exist than are listed (the latest are).
    pub capped: bool,
}

/// A receipt (`justificante`); its PDF at `/api/v1/receipts/{id}`.
#[derive(Serialize, ToSchema)]
pub struct Receipt {
    pub id: i64,
    #[schema(value_type = String, example = "solicitud")]
    pub kind: ReceiptKind,
    /// The verification code printed on it (`Verificación de Documentos`).
    pub cea: String,
    pub issued_at: DateTime<Utc>,
    /// SHA-256 (hex) of the PDF.
    pub pdf_sha256: String,
}

impl From<&receipt::Model> for Receipt {
    fn from(r: &receipt::Model) -> Receipt {
        Receipt {
            id: r.id,
            kind: r.kind,
            cea: r.cea.clone(),
            issued_at: r.issued_at,
            pdf_sha256: r.pdf_sha256.clone(),
        }
    }
}

/// What `POST /api/v1/cases/{number}/information` did.
#[derive(Serialize, ToSchema)]
pub struct InformationAdded {
    pub case: Case,
    /// A Trámite's receipt for the documents added.
    pub receipt: Option<Receipt>,
}

/// A file received, to attach by its `id` (within `uploads.stale_hours`).
#[derive(Serialize, ToSchema)]
pub struct Upload {
    pub id: String,
    pub file_name: String,
    pub size: i64,
    pub media_type: String,
}

/// One level of the classification: a Materia, Categoría or Subcategoría.
#[derive(Serialize, ToSchema)]
pub struct TaxonomyNode {
    pub id: i64,
    pub name: String,
    pub help: String,
    #[schema(no_recursion)]
    pub children: Vec<TaxonomyNode>,
}

/// A `Tipo de Caso` and its Materias.
#[derive(Serialize, ToSchema)]
pub struct CaseTypeNode {
    #[schema(value_type = String, example = "tramite")]
    pub case_type: CaseType,
    pub name: String,
    pub subjects: Vec<TaxonomyNode>,
}

#[derive(Serialize, ToSchema)]
pub struct DocumentType {
    pub id: i64,
    pub code: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct Notice {
    pub id: i64,
    #[schema(value_type = String, example = "case_opened")]
    pub kind: NoticeKind,
    pub case_number: Option<String>,
    pub subject: String,
    pub body: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: String,
    /// Read by the token's user.
    pub read: bool,
}

impl From<NoticeView> for Notice {
    fn from(n: NoticeView) -> Notice {
        Notice {
            id: n.id,
            kind: n.kind,
            case_number: n.case_number,
            subject: n.subject,
            body: n.body,
            created_at: n.occurred_at,
            read: n.read,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct NoticePage {
    pub items: Vec<Notice>,
    /// Pass as `before` for the next (older) page; absent on the last.
    pub next_before: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    #[schema(value_type = Vec<String>)]
    pub events: Vec<NoticeKind>,
    pub created_at: DateTime<Utc>,
    /// The HMAC key of `X-Casia-Signature`: only in the answer to its creation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl Webhook {
    pub fn of(w: WebhookView, with_secret: bool) -> Webhook {
        Webhook {
            id: w.row.id,
            url: w.row.url,
            events: w.events,
            created_at: w.row.created_at,
            secret: with_secret.then_some(w.row.secret),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Delivery {
    /// Also the `X-Casia-Delivery` header.
    pub id: i64,
    pub event: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// The receiver's last HTTP status.
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
}

impl From<webhook_delivery::Model> for Delivery {
    fn from(d: webhook_delivery::Model) -> Delivery {
        let pending = d.status == casia_domain::model::DeliveryStatus::Pending;
        Delivery {
            id: d.id,
            event: d.event,
            status: d.status.code().to_owned(),
            attempts: d.attempts,
            created_at: d.created_at,
            next_attempt_at: pending.then_some(d.next_attempt_at),
            delivered_at: d.delivered_at,
            last_status: d.last_status,
            last_error: d.last_error,
        }
    }
}

/// A file's bytes, as the request or response body itself (not JSON). Only described: the
/// handlers stream the bytes and never build one.
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(value_type = String, format = Binary)]
pub struct FileBytes(Vec<u8>);
