//! Reading cases: `Gestión de Casos` search (guide §4.2), the detail, `Consulta Histórico`
//! and the files behind them. Every query for an authorised user is scoped to the
//! authorisation they act for.

mod search;

use std::collections::HashMap;

use casia_domain::dto::{
    CASE_LIST_MAX, CaseDetail, CaseHistory, DocumentView, HistoryRow, MessageView, RatingView,
};
use casia_domain::model::case_number;
use casia_domain::{Lang, Role};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::receipts::receipt_view;
use super::{find_for_user, status_of};
use crate::accounts::Caller;
use crate::clock::{display, display_opt};
use crate::entity::{
    authorisation_member, case, case_history, case_message, document, document_type, receipt,
    taxonomy_node, user,
};
use crate::error::{ServiceError, ServiceResult};

pub use search::{PAGE_SIZE, count, decode_cursor, encode_cursor, page, rows_of, search};

/// `Tipo / Materia / Categoría / Subcategoría` in one line.
pub async fn classification_text(
    db: &impl ConnectionTrait,
    c: &case::Model,
    lang: Lang,
) -> ServiceResult<String> {
    let ids: Vec<i64> = [Some(c.subject_id), Some(c.category_id), c.subcategory_id]
        .into_iter()
        .flatten()
        .collect();
    let nodes = node_names(db, &ids, lang).await?;
    let mut parts = vec![casia_domain::i18n::case_type_name(c.case_type, lang).to_owned()];
    parts.extend(ids.iter().filter_map(|id| nodes.get(id).cloned()));
    Ok(parts.join(" / "))
}

async fn node_names(
    db: &impl ConnectionTrait,
    ids: &[i64],
    lang: Lang,
) -> ServiceResult<HashMap<i64, String>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(taxonomy_node::Entity::find()
        .filter(taxonomy_node::Column::Id.is_in(ids.to_vec()))
        .all(db)
        .await?
        .into_iter()
        .map(|n| (n.id, crate::taxonomy::node_name(&n, lang)))
        .collect())
}

async fn user_names(db: &impl ConnectionTrait, ids: &[i64]) -> ServiceResult<HashMap<i64, String>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids.to_vec()))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.full_name))
        .collect())
}

/// The members of the caller's authorisation (choices of `Usuario de Alta`).
pub async fn authorisation_users(
    db: &impl ConnectionTrait,
    caller: &Caller,
) -> ServiceResult<Vec<(i64, String)>> {
    let scope = caller.user_scope()?;
    let ids: Vec<i64> = authorisation_member::Entity::find()
        .filter(authorisation_member::Column::AuthorisationId.eq(scope.authorisation_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    let mut users: Vec<(i64, String)> = user_names(db, &ids).await?.into_iter().collect();
    users.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(users)
}

/// The detail every viewer shares (what each may do is decided where it is shown: the
/// user's page runs `decide()`, the processor's gets `allowed_actions` with its case).
pub async fn build_detail(
    db: &impl ConnectionTrait,
    c: &case::Model,
    lang: Lang,
) -> ServiceResult<CaseDetail> {
    let ids: Vec<i64> = [Some(c.subject_id), Some(c.category_id), c.subcategory_id]
        .into_iter()
        .flatten()
        .collect();
    let nodes = node_names(db, &ids, lang).await?;
    // Each list is capped (one more row is read to know it was).
    let mut docs = document::Entity::find()
        .filter(document::Column::CaseId.eq(c.id))
        .order_by_asc(document::Column::AttachedAt)
        .order_by_asc(document::Column::Id)
        .limit(CASE_LIST_MAX + 1)
        .all(db)
        .await?;
    let mut capped = docs.len() as u64 > CASE_LIST_MAX;
    docs.truncate(CASE_LIST_MAX as usize);
    let types: HashMap<i64, String> = document_type::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, crate::taxonomy::document_type_name(&t, lang)))
        .collect();
    let mut receipts = receipt::Entity::find()
        .filter(receipt::Column::CaseId.eq(c.id))
        .order_by_asc(receipt::Column::Id)
        .limit(CASE_LIST_MAX + 1)
        .all(db)
        .await?;
    capped |= receipts.len() as u64 > CASE_LIST_MAX;
    receipts.truncate(CASE_LIST_MAX as usize);
    // The latest messages, shown oldest first.
    let mut messages = case_message::Entity::find()
        .filter(case_message::Column::CaseId.eq(c.id))
        .order_by_desc(case_message::Column::At)
        .order_by_desc(case_message::Column::Id)
        .limit(CASE_LIST_MAX + 1)
        .all(db)
        .await?;
    capped |= messages.len() as u64 > CASE_LIST_MAX;
    messages.truncate(CASE_LIST_MAX as usize);
    messages.reverse();
    // Names and roles of the opener and of every author, in one query.
    let people: HashMap<i64, (String, Role)> = user::Entity::find()
        .filter(
            user::Column::Id.is_in(
                messages
                    .iter()
                    .map(|m| m.author_id)
                    .chain([c.opened_by])
                    .collect::<Vec<_>>(),
            ),
        )
        .select_only()
        .column(user::Column::Id)
        .column(user::Column::FullName)
        .column(user::Column::Role)
        .into_tuple::<(i64, String, Role)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, name, role)| (id, (name, role)))
        .collect();
    let name_of = |id: i64| {
        people
            .get(&id)
            .map(|(name, _)| name.clone())
            .unwrap_or_default()
    };
    let is_staff = |id: i64| {
        people
            .get(&id)
            .is_some_and(|(_, role)| *role != Role::Autorizado)
    };
    let substate = c.substate;
    let status = status_of(c);
    let calendar = crate::plazos::calendar_for(db, c.authorisation_id).await?;
    let deadlines = crate::plazos::view(c, crate::plazos::today(), &calendar);
    Ok(CaseDetail {
        capped,
        number: c.number,
        number_display: case_number::format(c.number),
        opened_by: name_of(c.opened_by),
        opened_at: display(c.opened_at),
        channel: c.channel,
        state: substate.state(),
        substate,
        substate_at: display(c.substate_at),
        case_type: c.case_type,
        subject_id: c.subject_id,
        subject: nodes.get(&c.subject_id).cloned().unwrap_or_default(),
        category_id: c.category_id,
        category: nodes.get(&c.category_id).cloned().unwrap_or_default(),
        subcategory_id: c.subcategory_id,
        subcategory: c.subcategory_id.and_then(|id| nodes.get(&id).cloned()),
        affects_current_period: c.affects_current_period,
        title: c.title.clone(),
        description: c.description.clone(),
        documents: docs
            .into_iter()
            .map(|d| DocumentView {
                id: d.id,
                attached_at: display(d.attached_at),
                type_name: types.get(&d.document_type_id).cloned().unwrap_or_default(),
                title: d.title,
                file_name: d.original_name,
                size: d.size_bytes,
                media_type: d.media_type,
                sha256: d.sha256,
                from_processor: d.from_processor,
            })
            .collect(),
        receipts: receipts.iter().map(receipt_view).collect(),
        messages: messages
            .into_iter()
            .map(|m| {
                let staff = is_staff(m.author_id);
                MessageView {
                    at: display(m.at),
                    kind: m.kind,
                    // The administration speaks as an institution to the authorised user.
                    author: if staff {
                        "TGSS".to_owned()
                    } else {
                        name_of(m.author_id)
                    },
                    body: m.body,
                }
            })
            .collect(),
        resolution: c.resolution.clone(),
        resolved_at: display_opt(c.resolved_at),
        rating: c.rating.map(|score| RatingView {
            score,
            observations: c.rating_observations.clone().unwrap_or_default(),
            rated_at: display_opt(c.rated_at).unwrap_or_default(),
        }),
        status: (&status).into(),
        version: c.version,
        deadlines,
    })
}

/// The detail for an authorised user of the case's authorisation.
pub async fn detail_for_user(
    db: &impl ConnectionTrait,
    caller: &Caller,
    number: i64,
) -> ServiceResult<CaseDetail> {
    let scope = caller.user_scope()?;
    let c = find_for_user(db, caller, scope, number).await?;
    build_detail(db, &c, caller.lang).await
}

/// `Consulta Histórico`, oldest first. Processors also see who acted.
pub async fn history_rows(
    db: &impl ConnectionTrait,
    c: &case::Model,
    with_actors: bool,
) -> ServiceResult<CaseHistory> {
    // The latest rows, shown oldest first.
    let mut rows = case_history::Entity::find()
        .filter(case_history::Column::CaseId.eq(c.id))
        .order_by_desc(case_history::Column::At)
        .order_by_desc(case_history::Column::Id)
        .limit(CASE_LIST_MAX + 1)
        .all(db)
        .await?;
    let capped = rows.len() as u64 > CASE_LIST_MAX;
    rows.truncate(CASE_LIST_MAX as usize);
    rows.reverse();
    let actors = if with_actors {
        user_names(
            db,
            &rows.iter().filter_map(|r| r.actor_id).collect::<Vec<_>>(),
        )
        .await?
    } else {
        HashMap::new()
    };
    Ok(CaseHistory {
        capped,
        number: c.number,
        number_display: case_number::format(c.number),
        opened_at: display(c.opened_at),
        rows: rows
            .into_iter()
            .map(|r| HistoryRow {
                state: r.state,
                substate: r.substate,
                at: display(r.at),
                occurred_at: r.at.to_rfc3339(),
                observations: r.observations,
                action: r.action,
                actor: r.actor_id.and_then(|id| actors.get(&id).cloned()),
            })
            .collect(),
    })
}

pub async fn history_for_user(
    db: &impl ConnectionTrait,
    caller: &Caller,
    number: i64,
) -> ServiceResult<CaseHistory> {
    let scope = caller.user_scope()?;
    let c = find_for_user(db, caller, scope, number).await?;
    history_rows(db, &c, false).await
}

/// The receipts of a case of the caller's authorisation, oldest first.
pub async fn receipts_for_user(
    db: &impl ConnectionTrait,
    caller: &Caller,
    number: i64,
) -> ServiceResult<Vec<receipt::Model>> {
    let scope = caller.user_scope()?;
    let c = find_for_user(db, caller, scope, number).await?;
    Ok(receipt::Entity::find()
        .filter(receipt::Column::CaseId.eq(c.id))
        .order_by_asc(receipt::Column::IssuedAt)
        .order_by_asc(receipt::Column::Id)
        .limit(CASE_LIST_MAX)
        .all(db)
        .await?)
}

/// A document the caller may download: of their authorisation's case (authorised users) or
/// of any case (processors).
pub async fn document_for(
    db: &impl ConnectionTrait,
    caller: &Caller,
    document_id: i64,
) -> ServiceResult<document::Model> {
    let Some(d) = document::Entity::find_by_id(document_id).one(db).await? else {
        return Err(crate::audit::not_found(db, caller, "document", document_id, "missing").await);
    };
    visible_case(db, caller, d.case_id, ("document", document_id)).await?;
    Ok(d)
}

pub async fn receipt_for(
    db: &impl ConnectionTrait,
    caller: &Caller,
    receipt_id: i64,
) -> ServiceResult<receipt::Model> {
    let Some(r) = receipt::Entity::find_by_id(receipt_id).one(db).await? else {
        return Err(crate::audit::not_found(db, caller, "receipt", receipt_id, "missing").await);
    };
    visible_case(db, caller, r.case_id, ("receipt", receipt_id)).await?;
    Ok(r)
}

/// A receipt and the file name it is downloaded as (`justificante-2026-0000001-solicitud.pdf`).
pub async fn receipt_download(
    db: &impl ConnectionTrait,
    caller: &Caller,
    receipt_id: i64,
) -> ServiceResult<(receipt::Model, String)> {
    let Some(r) = receipt::Entity::find_by_id(receipt_id).one(db).await? else {
        return Err(crate::audit::not_found(db, caller, "receipt", receipt_id, "missing").await);
    };
    let c = visible_case(db, caller, r.case_id, ("receipt", receipt_id)).await?;
    let name = format!(
        "justificante-{}-{}.pdf",
        case_number::format(c.number),
        r.kind
    );
    Ok((r, name))
}

/// The case behind a file the caller asked for (`target`), if they may see it; refusals are
/// written to the audit trail with that target.
async fn visible_case(
    db: &impl ConnectionTrait,
    caller: &Caller,
    case_id: i64,
    target: (&str, i64),
) -> ServiceResult<case::Model> {
    let (kind, id) = target;
    let Some(c) = case::Entity::find_by_id(case_id).one(db).await? else {
        return Err(crate::audit::not_found(db, caller, kind, id, "missing").await);
    };
    if caller.role.is_processor() {
        return Ok(c);
    }
    let scope = match caller.user_scope() {
        Ok(scope) => scope,
        Err(ServiceError::Forbidden) => {
            let details = serde_json::json!({ "role": caller.role.code() });
            return Err(crate::audit::forbidden(db, caller, kind, id, details).await);
        }
        Err(e) => return Err(e),
    };
    if c.authorisation_id != scope.authorisation_id {
        return Err(crate::audit::not_found(db, caller, kind, id, "other_authorisation").await);
    }
    Ok(c)
}
