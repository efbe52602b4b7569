//! `GET /api/administracion/auditoria.csv`: the audit log with the page's filters, as a CSV
//! file Excel in Spanish opens as it is (UTF-8 with BOM, `;` between fields). Administrators
//! only. Streamed page by page: memory stays the same whatever the number of rows.

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use casia_domain::audit::{AuditFilter, AuditPage, AuditRow};
use casia_domain::i18n::{audit_action_name, audit_outcome_name, role_name};
use casia_domain::{Lang, Msg, Role};
use casia_services::audit;
use serde::Deserialize;

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

enum Step {
    First(AuditPage),
    After(String),
    Done,
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
    // The first page before any byte is sent: a bad filter is still a 422 naming its field.
    let first = audit::search(&state.services.db, &caller, &filter, None).await?;
    let db = state.services.db.clone();
    let lang = caller.lang;
    let stream = futures::stream::unfold(Step::First(first), move |step| {
        let (db, caller, filter) = (db.clone(), caller.clone(), filter.clone());
        async move {
            let (page, first) = match step {
                Step::Done => return None,
                Step::First(page) => (page, true),
                Step::After(cursor) => {
                    match audit::search(&db, &caller, &filter, Some(&cursor)).await {
                        Ok(page) => (page, false),
                        Err(e) => {
                            // Headers are gone: the download ends short and the log says why.
                            tracing::error!(error = %casia_services::error::chain(&e), "audit CSV export stopped");
                            return Some((
                                Err(std::io::Error::other("audit export failed")),
                                Step::Done,
                            ));
                        }
                    }
                }
            };
            let next = page.next.clone().map(Step::After).unwrap_or(Step::Done);
            Some((csv_chunk(lang, first, &page.rows).map(Bytes::from), next))
        }
    });
    let h = crate::api::download_headers(
        HeaderValue::from_static("text/csv; charset=utf-8"),
        HeaderValue::from_static("attachment; filename=\"auditoria.csv\""),
        "no-store",
    );
    Ok((StatusCode::OK, h, Body::from_stream(stream)).into_response())
}

/// A spreadsheet runs a cell that starts like a formula: such cells get a leading `'`
/// (OWASP "CSV injection"). Usernames of failed logins are whatever someone typed.
fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// One page as CSV; the first also carries the BOM and the header row.
fn csv_chunk(lang: Lang, first: bool, rows: &[AuditRow]) -> std::io::Result<Vec<u8>> {
    let out = if first {
        "\u{feff}".as_bytes().to_vec()
    } else {
        Vec::new()
    };
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    if first {
        let header = [
            Msg::AuditFechaHora,
            Msg::AuditUsuario,
            Msg::AuditRol,
            Msg::AuditDireccion,
            Msg::AuditAccion,
            Msg::AuditResultado,
            Msg::AuditObjeto,
            Msg::AuditDetalles,
        ];
        w.write_record(
            header
                .iter()
                .map(|m| m.text(lang))
                .chain([code_header(lang)]),
        )?;
    }
    for r in rows {
        let role = r.role.map(|role| role_name(role, lang)).unwrap_or("");
        w.write_record([
            cell(&r.at),
            cell(&r.username),
            cell(role),
            cell(&r.client),
            cell(&audit_action_name(r.action.code(), lang)),
            cell(&audit_outcome_name(r.outcome.code(), lang)),
            cell(r.target.as_deref().unwrap_or("")),
            cell(r.details.as_deref().unwrap_or("")),
            cell(r.action.code()),
        ])?;
    }
    w.into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))
}

/// The last column: the stable action code (for filtering in the spreadsheet).
fn code_header(lang: Lang) -> &'static str {
    if lang == Lang::Es {
        "Código de acción"
    } else {
        "Action code"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_look_like_formulas_are_neutralised() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("admin"), "admin");
        assert_eq!(cell("{\"before\":1}"), "{\"before\":1}");
    }
}
