//! `Exportar CSV`: the cases a screen lists, as a file Excel in Spanish opens as it is
//! (UTF-8 with BOM, `;` between fields, dates and times in Spain's time zone as the screens
//! show them). Each export is scoped exactly like its screen, because it calls the same
//! service function page after page; the body is streamed one page at a time, so memory stays
//! the same whatever the number of rows.
//!
//! - `GET /api/casos.csv?estado=…` — an authorised user's `Gestión de Casos` Opción 2.
//! - `GET /api/tramitacion/bandeja.csv?bandeja=…` — a processor's queue with its filters.
//! - `GET /api/tramitacion/buscar.csv?texto=…` — a processor's `Buscar en los casos`.

use std::future::Future;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use casia_domain::dto::{CaseRow, CaseTextSearch, QueueFilter, QueueRow, SearchForm};
use casia_domain::i18n::{case_type_name, state_name, substate_name};
use casia_domain::model::Queue;
use casia_domain::{FieldProblem, Lang, Msg};
use casia_services::accounts::Caller;
use casia_services::{ServiceError, ServiceResult, Services};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::server::{AppState, SignedIn};

pub use crate::url::{CASES_CSV as CASES_PATH, QUEUE_CSV as QUEUE_PATH, SEARCH_CSV as SEARCH_PATH};

/// A page of an export: its rows as cells, and the cursor of the next page.
pub(crate) type CsvPage = (Vec<Vec<String>>, Option<String>);

/// A spreadsheet runs a cell that starts like a formula: such cells get a leading `'`
/// (OWASP "CSV injection"). Titles, names and usernames are whatever someone typed.
pub(crate) fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// Rows as CSV; with `header`, the BOM and the header row first.
pub(crate) fn csv_chunk(
    header: Option<&[String]>,
    rows: &[Vec<String>],
) -> std::io::Result<Vec<u8>> {
    let out = if header.is_some() {
        "\u{feff}".as_bytes().to_vec()
    } else {
        Vec::new()
    };
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    if let Some(h) = header {
        w.write_record(h)?;
    }
    for r in rows {
        w.write_record(r.iter().map(|c| cell(c)))?;
    }
    w.into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))
}

enum Step {
    First(CsvPage),
    After(String),
    Done,
}

/// The download: `first` (fetched before any byte is sent, so a bad filter is still a 422
/// naming its field), then `fetch(cursor)` until no page follows.
pub(crate) fn csv_download<F, Fut>(
    file_name: &'static str,
    header: Vec<String>,
    first: CsvPage,
    fetch: F,
) -> Response
where
    F: Fn(String) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = ServiceResult<CsvPage>> + Send + 'static,
{
    let stream = futures::stream::unfold(Step::First(first), move |step| {
        let (fetch, header) = (fetch.clone(), header.clone());
        async move {
            let ((rows, next), first) = match step {
                Step::Done => return None,
                Step::First(page) => (page, true),
                Step::After(cursor) => match fetch(cursor).await {
                    Ok(page) => (page, false),
                    Err(e) => {
                        // Headers are gone: the download ends short and the log says why.
                        tracing::error!(error = %casia_services::error::chain(&e), file_name, "CSV export stopped");
                        return Some((Err(std::io::Error::other("export failed")), Step::Done));
                    }
                },
            };
            let chunk = csv_chunk(first.then_some(header.as_slice()), &rows).map(Bytes::from);
            Some((chunk, next.map(Step::After).unwrap_or(Step::Done)))
        }
    });
    let h = crate::api::download_headers(
        HeaderValue::from_static("text/csv; charset=utf-8"),
        HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\""))
            .unwrap_or(HeaderValue::from_static("attachment")),
        "no-store",
    );
    (StatusCode::OK, h, Body::from_stream(stream)).into_response()
}

/// The export of a screen's list: `page(services, caller, search, cursor)` lists one page as cells,
/// scoped like the screen; the first page is fetched before the download starts.
pub(crate) async fn export_pages<S, F, Fut>(
    state: &AppState,
    caller: Caller,
    file_name: &'static str,
    header: Vec<String>,
    search: S,
    page: F,
) -> Result<Response, AppError>
where
    S: Clone + Send + Sync + 'static,
    F: Fn(Services, Caller, S, Option<String>) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = ServiceResult<CsvPage>> + Send + 'static,
{
    let services = state.services.clone();
    let fetch = move |cursor| page(services.clone(), caller.clone(), search.clone(), cursor);
    let first = fetch(None).await?;
    Ok(csv_download(file_name, header, first, move |c| {
        fetch(Some(c))
    }))
}

fn headers(lang: Lang, msgs: &[Msg]) -> Vec<String> {
    msgs.iter().map(|m| m.text(lang).to_owned()).collect()
}

/// An export's URL parameters; unreadable ones are a 422 naming `query`.
pub(crate) struct ExportQuery<T>(T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for ExportQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(q)) => Ok(ExportQuery(q)),
            Err(_) => Err(ServiceError::invalid("query", FieldProblem::InvalidChoice).into()),
        }
    }
}

/// What both lists show of a case, in this order: type, subject, title, state, substate.
fn summary_cells(r: &CaseRow, lang: Lang) -> [String; 5] {
    [
        case_type_name(r.case_type, lang).to_owned(),
        r.subject.clone(),
        r.title.clone(),
        state_name(r.state, lang).to_owned(),
        substate_name(r.substate, lang).to_owned(),
    ]
}

/// Opción 2's URL parameters (`pages::search`).
#[derive(Clone, Deserialize)]
pub(crate) struct CasesQuery {
    estado: Option<String>,
    desde: Option<String>,
    hasta: Option<String>,
    subestado: Option<String>,
    tipo: Option<String>,
    materia: Option<i64>,
    usuario: Option<i64>,
}

fn case_cells(r: &CaseRow, lang: Lang) -> Vec<String> {
    let mut cells = vec![r.number_display.clone(), r.opened_at.clone()];
    cells.extend(summary_cells(r, lang));
    cells.extend([r.substate_at.clone(), r.opened_by.clone()]);
    cells
}

const CASE_HEADER: &[Msg] = &[
    Msg::NumeroCaso,
    Msg::FechaHoraAlta,
    Msg::TipoCaso,
    Msg::Materia,
    Msg::Titulo,
    Msg::Estado,
    Msg::Subestado,
    Msg::FechaHoraSubestado,
    Msg::UsuarioAlta,
];

/// An authorised user's Opción 2 results (their authorisation, one month, the filters).
pub(crate) async fn export_cases(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    ExportQuery(q): ExportQuery<CasesQuery>,
) -> Result<Response, AppError> {
    let form = SearchForm {
        state: q.estado.unwrap_or_default(),
        from: q.desde.unwrap_or_default(),
        to: q.hasta.unwrap_or_default(),
        substate: q.subestado,
        case_type: q.tipo,
        subject_id: q.materia,
        opened_by: q.usuario,
    };
    let header = headers(caller.lang, CASE_HEADER);
    export_pages(
        &state,
        caller,
        "casos.csv",
        header,
        form,
        |s, caller, form, cursor| async move {
            let page =
                casia_services::cases::query::search(&s.db, &caller, &form, cursor.as_deref())
                    .await?;
            let cells = page.rows.iter().map(|r| case_cells(r, caller.lang));
            Ok((cells.collect(), page.next))
        },
    )
    .await
}

fn queue_cells(r: &QueueRow, lang: Lang) -> Vec<String> {
    let row = &r.row;
    let mut cells = vec![
        row.number_display.clone(),
        row.opened_at.clone(),
        r.authorisation_number.clone(),
    ];
    cells.extend(summary_cells(row, lang));
    cells.extend([
        r.deadline.resolution_deadline.display(),
        r.assigned_to.clone().unwrap_or_default(),
        row.opened_by.clone(),
    ]);
    cells
}

const QUEUE_HEADER: &[Msg] = &[
    Msg::NumeroCaso,
    Msg::FechaHoraAlta,
    Msg::NumAutorizacion,
    Msg::TipoCaso,
    Msg::Materia,
    Msg::Titulo,
    Msg::Estado,
    Msg::Subestado,
    Msg::FechaLimiteResolucion,
    Msg::AsignadoA,
    Msg::UsuarioAlta,
];

/// A queue's (or a search's) URL parameters (`pages::workspace`, `pages::case_search`).
#[derive(Clone, Deserialize)]
pub(crate) struct QueueQuery {
    texto: Option<String>,
    bandeja: Option<String>,
    tipo: Option<String>,
    materia: Option<i64>,
    autorizacion: Option<String>,
    desde: Option<String>,
    hasta: Option<String>,
    orden: Option<String>,
}

impl QueueQuery {
    fn filter(&self) -> QueueFilter {
        QueueFilter {
            case_type: self.tipo.clone(),
            subject_id: self.materia,
            authorisation: self.autorizacion.clone(),
            from: self.desde.clone(),
            to: self.hasta.clone(),
            sort: self.orden.clone(),
        }
    }
}

/// A processor's queue, in the screen's order, with its filters.
pub(crate) async fn export_queue(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    ExportQuery(q): ExportQuery<QueueQuery>,
) -> Result<Response, AppError> {
    let queue = match q.bandeja.as_deref() {
        None | Some("") => Queue::Unassigned,
        Some(code) => Queue::from_code(code).ok_or(ServiceError::invalid(
            "bandeja",
            FieldProblem::InvalidChoice,
        ))?,
    };
    let header = headers(caller.lang, QUEUE_HEADER);
    let search = (queue, q.filter());
    export_pages(
        &state,
        caller,
        "bandeja.csv",
        header,
        search,
        |s, caller, (queue, filter), cursor| async move {
            let page = casia_services::cases::processor::queue(
                &s.db,
                &caller,
                queue,
                &filter,
                cursor.as_deref(),
            )
            .await?;
            let cells = page.rows.iter().map(|r| queue_cells(r, caller.lang));
            Ok((cells.collect(), page.next))
        },
    )
    .await
}

/// A processor's `Buscar en los casos`, best match first (as many results as the screen can
/// page through).
pub(crate) async fn export_search(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    ExportQuery(q): ExportQuery<QueueQuery>,
) -> Result<Response, AppError> {
    let search = CaseTextSearch {
        text: q.texto.clone().unwrap_or_default(),
        queue: q.bandeja.clone().filter(|b| !b.is_empty()),
        filter: QueueFilter {
            sort: None,
            ..q.filter()
        },
    };
    let header = headers(caller.lang, QUEUE_HEADER);
    export_pages(
        &state,
        caller,
        "busqueda.csv",
        header,
        search,
        |s, caller, search, cursor| async move {
            let page = casia_services::cases::full_text::search_for_processor(
                &s.db,
                &caller,
                &search,
                cursor.as_deref(),
            )
            .await?;
            let cells = page.hits.iter().map(|h| queue_cells(&h.row, caller.lang));
            Ok((cells.collect(), page.next))
        },
    )
    .await
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

    #[test]
    fn the_first_chunk_has_the_bom_and_the_header() {
        let header = vec!["Número".to_owned(), "Título".to_owned()];
        let rows = vec![vec!["2026-0000001".to_owned(), "Uno; \"dos\"".to_owned()]];
        let first = String::from_utf8(csv_chunk(Some(&header), &rows).unwrap()).unwrap();
        assert_eq!(
            first,
            "\u{feff}Número;Título\r\n2026-0000001;\"Uno; \"\"dos\"\"\"\r\n"
        );
        let next = String::from_utf8(csv_chunk(None, &rows).unwrap()).unwrap();
        assert!(!next.starts_with('\u{feff}'));
    }
}
