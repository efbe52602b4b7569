//! The audit trail: who did what, when, from where, and how it ended (ASVS V16.2, V16.3).
//!
//! Each event is one row of the append-only `audit_log` table, written with the same
//! connection or transaction as the change it records, so a change that rolls back leaves no
//! event and an event never goes missing for a change that committed. Refusals and failed
//! logins, which change nothing, are written on their own.
//!
//! Never put a password, a second-factor code, a recovery code, a session token or an API
//! token in an event: `details` carries what changed (before/after) and why something was
//! refused, nothing secret.

use casia_domain::audit::{AuditFilter, AuditPage, AuditRow, PAGE_SIZE};
use casia_domain::{FieldProblem, Role};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::{Value, json};

use crate::accounts::Caller;
use crate::clock::{display, now, start_of_day_in_spain};
use crate::entity::audit_log;
use crate::error::{ServiceError, ServiceResult};

/// What happened and how it ended: the codes live in `casia_domain::audit`, which the audit
/// page's filter shares.
pub use casia_domain::audit::{AuditAction, Outcome};

/// One event, built with the `with_*` methods and written by [`record`].
#[derive(Clone, Debug)]
pub struct AuditEvent {
    pub action: AuditAction,
    pub outcome: Outcome,
    pub actor_user_id: Option<i64>,
    pub actor_username: String,
    pub actor_role: Option<Role>,
    pub authorisation_id: Option<i64>,
    pub client: String,
    pub target: Option<(String, String)>,
    pub details: Option<Value>,
}

impl AuditEvent {
    /// An event by a signed-in caller (their user, role and current authorisation).
    pub fn by(caller: &Caller, action: AuditAction, outcome: Outcome) -> Self {
        AuditEvent {
            action,
            outcome,
            actor_user_id: Some(caller.user.id),
            actor_username: caller.user.username.clone(),
            actor_role: Some(caller.role),
            authorisation_id: caller.authorisation.as_ref().map(|a| a.id),
            client: caller.client.clone(),
            target: None,
            details: None,
        }
    }

    /// An event of someone not (yet) signed in, known only by the username they typed.
    pub fn anonymous(username: &str, action: AuditAction, outcome: Outcome) -> Self {
        AuditEvent {
            action,
            outcome,
            actor_user_id: None,
            actor_username: username.chars().take(128).collect(),
            actor_role: None,
            authorisation_id: None,
            client: String::new(),
            target: None,
            details: None,
        }
    }

    /// The user the event is about, once known (a login that succeeded).
    pub fn with_user(mut self, user_id: i64, role: Role) -> Self {
        self.actor_user_id = Some(user_id);
        self.actor_role = Some(role);
        self
    }

    /// The client address (as the login rate limit sees it).
    pub fn from_client(mut self, client: &str) -> Self {
        self.client = client.chars().take(64).collect();
        self
    }

    /// What was acted on: a kind (`case`, `account`, `authorisation`, `document`,
    /// `taxonomy_node`, `document_type`, `session`, `token`…) and its id or number.
    pub fn on(mut self, kind: &str, id: impl ToString) -> Self {
        self.target = Some((kind.to_owned(), id.to_string()));
        self
    }

    /// Before/after of a change or the reason of a refusal (JSON; never a secret).
    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }
}

/// Writes the event with `db`: pass the transaction of the change it records.
pub async fn record(db: &impl ConnectionTrait, event: AuditEvent) -> ServiceResult<()> {
    let (target_kind, target_id) = match event.target {
        Some((k, i)) => (Some(k), Some(i)),
        None => (None, None),
    };
    audit_log::ActiveModel {
        at: Set(now()),
        actor_user_id: Set(event.actor_user_id),
        actor_username: Set(event.actor_username),
        actor_role: Set(event.actor_role),
        authorisation_id: Set(event.authorisation_id),
        client: Set(event.client),
        action: Set(event.action),
        outcome: Set(event.outcome),
        target_kind: Set(target_kind),
        target_id: Set(target_id),
        details: Set(event.details.map(|d| d.to_string())),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Writes a refusal, which changes nothing and so has no transaction of its own to join. A
/// failure to write it is logged and does not change the answer the caller gets.
pub async fn record_refusal(db: &impl ConnectionTrait, event: AuditEvent) {
    let action = event.action.code();
    if let Err(e) = record(db, event).await {
        tracing::error!(action, error = %e, "audit event not written");
    }
}

/// `access.not_found`: the caller asked for something of another authorisation, or for
/// something that does not exist (`reason` says which; the caller is told neither).
pub async fn not_found(
    db: &impl ConnectionTrait,
    caller: &Caller,
    kind: &str,
    id: impl ToString,
    reason: &str,
) -> ServiceError {
    record_refusal(
        db,
        AuditEvent::by(caller, AuditAction::AccessNotFound, Outcome::Refused)
            .on(kind, id)
            .with_details(json!({ "reason": reason })),
    )
    .await;
    ServiceError::NotFound
}

/// `access.forbidden`: the caller's role may not do what they asked.
pub async fn forbidden(
    db: &impl ConnectionTrait,
    caller: &Caller,
    kind: &str,
    id: impl ToString,
    details: Value,
) -> ServiceError {
    record_refusal(
        db,
        AuditEvent::by(caller, AuditAction::AccessForbidden, Outcome::Refused)
            .on(kind, id)
            .with_details(details),
    )
    .await;
    ServiceError::Forbidden
}

/// Keyset cursor over (at, id), newest first.
fn encode_cursor(r: &audit_log::Model) -> String {
    format!("{}.{}", r.at.timestamp_micros(), r.id)
}

fn decode_cursor(s: &str) -> Option<(DateTime<Utc>, i64)> {
    let (at, id) = s.split_once('.')?;
    Some((
        DateTime::from_timestamp_micros(at.parse().ok()?)?,
        id.parse().ok()?,
    ))
}

/// One page of the audit log, newest first (administrators only). `cursor` is the `next` of
/// the page before; a cursor that is not one is refused with the field named.
pub async fn search(
    db: &impl ConnectionTrait,
    caller: &Caller,
    filter: &AuditFilter,
    cursor: Option<&str>,
) -> ServiceResult<AuditPage> {
    caller.require_role(&[Role::Administrador])?;
    let f = filter.check()?;
    let mut q = audit_log::Entity::find();
    if let Some(username) = f.username {
        // Accounts' usernames are lower case; a failed login keeps what was typed.
        let lower = username.to_lowercase();
        q = q.filter(audit_log::Column::ActorUsername.is_in([username, lower]));
    }
    if let Some(action) = f.action {
        q = q.filter(audit_log::Column::Action.eq(action));
    }
    if let Some(outcome) = f.outcome {
        q = q.filter(audit_log::Column::Outcome.eq(outcome));
    }
    if let Some(from) = f.from {
        q = q.filter(audit_log::Column::At.gte(start_of_day_in_spain(from)));
    }
    if let Some(to) = f.to {
        q = q.filter(audit_log::Column::At.lt(start_of_day_in_spain(to.next_day())));
    }
    if let Some(text) = cursor.filter(|c| !c.is_empty()) {
        let (at, id) = decode_cursor(text)
            .ok_or(ServiceError::invalid("cursor", FieldProblem::InvalidChoice))?;
        q = q.filter(
            Condition::any().add(audit_log::Column::At.lt(at)).add(
                Condition::all()
                    .add(audit_log::Column::At.eq(at))
                    .add(audit_log::Column::Id.lt(id)),
            ),
        );
    }
    let mut rows = q
        .order_by_desc(audit_log::Column::At)
        .order_by_desc(audit_log::Column::Id)
        .limit(PAGE_SIZE + 1)
        .all(db)
        .await?;
    let next = if rows.len() as u64 > PAGE_SIZE {
        rows.truncate(PAGE_SIZE as usize);
        rows.last().map(encode_cursor)
    } else {
        None
    };
    Ok(AuditPage {
        rows: rows
            .into_iter()
            .map(|r| AuditRow {
                id: r.id,
                at: display(r.at),
                username: r.actor_username,
                role: r.actor_role,
                client: r.client,
                action: r.action,
                outcome: r.outcome,
                target: match (r.target_kind, r.target_id) {
                    (Some(kind), Some(id)) => Some(format!("{kind} {id}")),
                    (Some(kind), None) => Some(kind),
                    _ => None,
                },
                details: r.details,
            })
            .collect(),
        next,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_to_its_action() {
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::from_code(a.code()), Some(*a));
        }
        let mut codes: Vec<_> = AuditAction::ALL.iter().map(|a| a.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), AuditAction::ALL.len(), "codes are unique");
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_no_cursor() {
        let at = DateTime::from_timestamp_micros(1_790_000_000_123_456).unwrap();
        assert_eq!(
            decode_cursor(&format!("{}.{}", at.timestamp_micros(), 9)),
            Some((at, 9))
        );
        assert_eq!(decode_cursor("x.1"), None);
        assert_eq!(decode_cursor("17"), None);
    }
}
