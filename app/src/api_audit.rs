//! `GET /api/administracion/auditoria.csv`: the audit log with the page's filters, as a CSV
//! file Excel in Spanish opens as it is (UTF-8 with BOM, `;` between fields). Administrators
//! only. Streamed page by page: memory stays the same whatever the number of rows.

use axum::extract::{Query, State};
use axum::response::Response;
use casia_domain::audit::{AuditFilter, AuditRow};
use casia_domain::i18n::{audit_action_name, audit_outcome_name, role_name};
use casia_domain::{Lang, Msg, Role};
use casia_services::audit;
use serde::Deserialize;

use crate::api_csv::export_pages;
use crate::error::AppError;
use crate::server::{AppState, SignedIn};

pub const CSV_PATH: &str = "/api/administracion/auditoria.csv";

/// The page's URL parameters (`pages::admin::audit::PARAMS`).
#[derive(Deserialize)]
pub(crate) struct CsvQuery {
    usuario: Option<String>,
    accion: Option<String>,
    resultado: Option<String>,
    desde: Option<String>,
    hasta: Option<String>,
}

impl From<CsvQuery> for AuditFilter {
    fn from(q: CsvQuery) -> Self {
        AuditFilter {
            username: q.usuario,
            action: q.accion,
            outcome: q.resultado,
            from: q.desde,
            to: q.hasta,
        }
    }
}

pub(crate) async fn export_csv(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    query: Result<Query<CsvQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, AppError> {
    if caller.role != Role::Administrador {
        let details = serde_json::json!({ "required": [Role::Administrador.code()] });
        let refused =
            audit::forbidden(&state.services.db, &caller, "endpoint", CSV_PATH, details).await;
        return Err(refused.into());
    }
    let Ok(Query(query)) = query else {
        return Err(casia_services::ServiceError::invalid(
            "query",
            casia_domain::FieldProblem::InvalidChoice,
        )
        .into());
    };
    let filter = AuditFilter::from(query);
    let header = [
        Msg::AuditFechaHora,
        Msg::AuditUsuario,
        Msg::AuditRol,
        Msg::AuditDireccion,
        Msg::AuditAccion,
        Msg::AuditResultado,
        Msg::AuditObjeto,
        Msg::AuditDetalles,
    ]
    .iter()
    .map(|m| m.text(caller.lang).to_owned())
    .chain([code_header(caller.lang).to_owned()])
    .collect();
    export_pages(
        &state,
        caller,
        "auditoria.csv",
        header,
        filter,
        |s, caller, filter, cursor| async move {
            let page = audit::search(&s.db, &caller, &filter, cursor.as_deref()).await?;
            let cells = page.rows.iter().map(|r| audit_cells(r, caller.lang));
            Ok((cells.collect(), page.next))
        },
    )
    .await
}

fn audit_cells(r: &AuditRow, lang: Lang) -> Vec<String> {
    let role = r.role.map(|role| role_name(role, lang)).unwrap_or("");
    vec![
        r.at.clone(),
        r.username.clone(),
        role.to_owned(),
        r.client.clone(),
        audit_action_name(r.action.code(), lang).to_string(),
        audit_outcome_name(r.outcome.code(), lang).to_string(),
        r.target.clone().unwrap_or_default(),
        r.details.clone().unwrap_or_default(),
        r.action.code().to_owned(),
    ]
}

/// The last column: the stable action code (for filtering in the spreadsheet).
fn code_header(lang: Lang) -> &'static str {
    if lang == Lang::Es {
        "Código de acción"
    } else {
        "Action code"
    }
}
