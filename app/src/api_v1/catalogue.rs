//! What a client needs to fill a case: the classification tree and the document types.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use casia_domain::CaseType;
use casia_domain::i18n::case_type_name;
use casia_domain::model::ApiScope;

use super::auth::ApiCaller;
use super::views::{CaseTypeNode, DocumentType, TaxonomyNode};
use crate::server::AppState;

/// The active nodes under `parent`, each with its own children.
fn children(t: &casia_domain::dto::Taxonomy, parent: i64) -> Vec<TaxonomyNode> {
    t.children(parent)
        .into_iter()
        .map(|n| TaxonomyNode {
            id: n.id,
            name: n.name.clone(),
            help: n.help.clone(),
            children: children(t, n.id),
        })
        .collect()
}

/// Tipo → Materia → Categoría → Subcategoría: the active classification, in the token user's
/// language.
#[utoipa::path(
    get, path = "/api/v1/taxonomy", tag = "catalogue",
    responses((status = 200, body = Vec<CaseTypeNode>)),
    security(("bearer" = ["cases:read"]))
)]
pub async fn taxonomy(State(state): State<AppState>, c: ApiCaller) -> Result<Response, Response> {
    c.require(ApiScope::CasesRead)?;
    let t = casia_services::taxonomy::load(&state.services.db, c.lang())
        .await
        .map_err(|e| c.fail(e))?;
    let tree: Vec<CaseTypeNode> = CaseType::ALL
        .iter()
        .map(|&case_type| CaseTypeNode {
            case_type,
            name: case_type_name(case_type, c.lang()).to_owned(),
            subjects: t
                .subjects(case_type)
                .into_iter()
                .map(|s| TaxonomyNode {
                    id: s.id,
                    name: s.name.clone(),
                    help: s.help.clone(),
                    children: children(&t, s.id),
                })
                .collect(),
        })
        .collect();
    Ok(axum::Json(tree).into_response())
}

/// The active document types.
#[utoipa::path(
    get, path = "/api/v1/document-types", tag = "catalogue",
    responses((status = 200, body = Vec<DocumentType>)),
    security(("bearer" = ["cases:read"]))
)]
pub async fn document_types(
    State(state): State<AppState>,
    c: ApiCaller,
) -> Result<Response, Response> {
    c.require(ApiScope::CasesRead)?;
    let types = casia_services::taxonomy::document_types(&state.services.db, c.lang())
        .await
        .map_err(|e| c.fail(e))?;
    let list: Vec<DocumentType> = types
        .into_iter()
        .filter(|t| t.active)
        .map(|t| DocumentType {
            id: t.id,
            code: t.code,
            name: t.name,
        })
        .collect();
    Ok(axum::Json(list).into_response())
}
