//! Notices: one row per milestone, written in the same transaction as the change. The row is
//! both the in-app inbox entry (`Buzón`) and the email outbox entry (see `mail`).

use std::collections::HashSet;

use casia_domain::Lang;
use casia_domain::dto::NoticeView;
use casia_domain::model::NoticeKind;
use sea_orm::sea_query::{Expr, OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};

use crate::accounts::Caller;
use crate::clock::{display, now};
use crate::db::{found, insert_unless_present};
use crate::entity::{authorisation, case, notice, notice_read, user};
use crate::error::{ServiceError, ServiceResult};

/// Email delivery states of a notice.
pub use casia_domain::model::EmailStatus;

/// What a notice says besides its kind; rendered in the reader's language when shown.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticePayload {
    pub case_number: String,
    pub case_title: String,
    /// The processor's message, the reasons of a rejection or the resolution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Plazos: `Fecha límite para aportar la información` (`DD/MM/YYYY`) while asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_deadline: Option<String>,
}

/// Records the notice of `kind` for `case`. Whether an email goes out is decided now, from
/// the authorisation's contact data and consent at the time of the event.
pub async fn record(
    db: &impl ConnectionTrait,
    case: &case::Model,
    kind: NoticeKind,
    message: Option<String>,
) -> ServiceResult<notice::Model> {
    let auth = found::<authorisation::Entity>(db, case.authorisation_id).await?;
    // Mail in the language of the person who opened the case.
    let lang = user::Entity::find_by_id(case.opened_by)
        .one(db)
        .await?
        .and_then(|u| Lang::from_code(&u.lang))
        .unwrap_or_default();
    let email_to = auth
        .contact_email
        .filter(|e| !e.trim().is_empty() && auth.notices_consent);
    let payload = NoticePayload {
        case_number: casia_domain::model::case_number::format(case.number),
        case_title: case.title.clone(),
        message,
        answer_deadline: case
            .answer_deadline
            .filter(|_| crate::plazos::is_waiting(case.substate))
            .map(|d| crate::plazos::from_naive(d).display()),
    };
    let at = now();
    let webhook_message = payload.message.clone();
    let n = notice::ActiveModel {
        authorisation_id: Set(case.authorisation_id),
        case_id: Set(Some(case.id)),
        kind: Set(kind),
        lang: Set(lang.code().to_owned()),
        payload: Set(
            serde_json::to_string(&payload).map_err(|e| ServiceError::Internal(e.to_string()))?
        ),
        created_at: Set(at),
        email_status: Set(if email_to.is_some() {
            EmailStatus::Pending
        } else {
            EmailStatus::Skipped
        }),
        email_to: Set(email_to),
        attempts: Set(0),
        next_attempt_at: Set(Some(at)),
        locked_until: Set(None),
        sent_at: Set(None),
        last_error: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    // The authorisation's webhooks hear of it in the same transaction.
    crate::webhooks::enqueue(db, case, &n, webhook_message).await?;
    Ok(n)
}

/// Notices of an authorisation this user has not read yet (the header's counter).
pub async fn unread_count(
    db: &impl ConnectionTrait,
    authorisation_id: i64,
    user_id: i64,
) -> ServiceResult<u64> {
    let read_by_user = Query::select()
        .column(notice_read::Column::NoticeId)
        .from(notice_read::Entity)
        .and_where(Expr::col(notice_read::Column::UserId).eq(user_id))
        .to_owned();
    Ok(notice::Entity::find()
        .filter(notice::Column::AuthorisationId.eq(authorisation_id))
        .filter(notice::Column::Id.not_in_subquery(read_by_user))
        .count(db)
        .await?)
}

/// Largest inbox page.
pub const INBOX_PAGE_MAX: u64 = 100;

/// The inbox (`Buzón`) of the caller's current authorisation, newest first, in `lang`.
/// `before` is the id of the last notice of the previous page (keyset paging); `read` is
/// per person: each member of the authorisation reads for themself.
pub async fn inbox(
    db: &impl ConnectionTrait,
    caller: &Caller,
    lang: Lang,
    before: Option<i64>,
    limit: u64,
) -> ServiceResult<Vec<NoticeView>> {
    let scope = caller.user_scope()?;
    let mut q =
        notice::Entity::find().filter(notice::Column::AuthorisationId.eq(scope.authorisation_id));
    if let Some(before) = before {
        q = q.filter(notice::Column::Id.lt(before));
    }
    let rows = q
        .order_by_desc(notice::Column::Id)
        .limit(limit.clamp(1, INBOX_PAGE_MAX))
        .all(db)
        .await?;
    let read: HashSet<i64> = notice_read::Entity::find()
        .filter(notice_read::Column::UserId.eq(scope.user_id))
        .filter(notice_read::Column::NoticeId.is_in(rows.iter().map(|n| n.id)))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.notice_id)
        .collect();
    let mut views = Vec::with_capacity(rows.len());
    for n in rows {
        // A payload that cannot be read is logged and left out rather than breaking the page.
        // (A kind this service does not know fails the query itself: the column is typed.)
        let (kind, payload, text) = match crate::mail::decode(&n)
            .and_then(|(k, p)| Ok((k, p, crate::mail::render_for_inbox(&n, lang)?)))
        {
            Ok(parts) => parts,
            Err(e) => {
                tracing::error!(notice = n.id, error = %e, "notice left out of the inbox");
                continue;
            }
        };
        views.push(NoticeView {
            id: n.id,
            kind,
            case_number: Some(payload.case_number).filter(|c| !c.is_empty()),
            subject: text.subject,
            body: text.body,
            created_at: display(n.created_at),
            occurred_at: n.created_at.to_rfc3339(),
            read: read.contains(&n.id),
        });
    }
    Ok(views)
}

/// Marks one notice of the caller's authorisation as read by the caller (again is fine).
/// Another authorisation's notice is "not found", like one that does not exist.
pub async fn mark_read(
    db: &impl ConnectionTrait,
    caller: &Caller,
    notice_id: i64,
) -> ServiceResult<()> {
    let scope = caller.user_scope()?;
    let Some(n) = notice::Entity::find_by_id(notice_id).one(db).await? else {
        return Err(crate::audit::not_found(db, caller, "notice", notice_id, "missing").await);
    };
    if n.authorisation_id != scope.authorisation_id {
        return Err(crate::audit::not_found(
            db,
            caller,
            "notice",
            notice_id,
            "other_authorisation",
        )
        .await);
    }
    let read = notice_read::ActiveModel {
        notice_id: Set(notice_id),
        user_id: Set(scope.user_id),
        read_at: Set(now()),
    };
    let key = [notice_read::Column::NoticeId, notice_read::Column::UserId];
    insert_unless_present(db, read, key).await?;
    Ok(())
}

/// Marks every notice of the caller's authorisation as read by the caller, in one
/// statement. Returns how many were unread.
pub async fn mark_all_read(db: &impl ConnectionTrait, caller: &Caller) -> ServiceResult<u64> {
    let scope = caller.user_scope()?;
    let read_by_user = Query::select()
        .column(notice_read::Column::NoticeId)
        .from(notice_read::Entity)
        .and_where(Expr::col(notice_read::Column::UserId).eq(scope.user_id))
        .to_owned();
    let unread = Query::select()
        .column(notice::Column::Id)
        .expr(Expr::value(scope.user_id))
        .expr(Expr::value(now()))
        .from(notice::Entity)
        .and_where(Expr::col(notice::Column::AuthorisationId).eq(scope.authorisation_id))
        .and_where(Expr::col(notice::Column::Id).not_in_subquery(read_by_user))
        .to_owned();
    let insert = Query::insert()
        .into_table(notice_read::Entity)
        .columns([notice_read::Column::NoticeId, notice_read::Column::UserId, notice_read::Column::ReadAt])
        .select_from(unread)
        .map_err(|e| ServiceError::Internal(format!("mark all read: {e}")))?
        // A concurrent "mark read" of the same notice is not an error.
        .on_conflict(OnConflict::columns([notice_read::Column::NoticeId, notice_read::Column::UserId]).do_nothing().to_owned())
        .to_owned();
    Ok(db.execute(&insert).await?.rows_affected())
}
