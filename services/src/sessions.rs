//! One's own sessions (ASVS V7.4.3, V7.5.2): where each was opened (device, address), when it
//! was last used, and ending one or all the others. Always scoped to the caller's user: a
//! session is named by an id derived from its hashed token, never by a counter, and only
//! looked up among the caller's own.

use casia_domain::dto::OwnSessionView;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::accounts::{Caller, session_id};
use crate::audit::{self, AuditAction, AuditEvent, Outcome};
use crate::clock::display;
use crate::entity::session;
use crate::error::{ServiceError, ServiceResult};

/// "Chrome · Linux" from a User-Agent: enough for a person to recognise their own devices.
/// A few rules in the order that matters (Edge and Opera also say Chrome; Chrome also says
/// Safari; Android also says Linux); anything else is shown as it came, shortened.
pub fn describe_user_agent(ua: &str) -> String {
    let has = |s: &str| ua.contains(s);
    let browser = if has("Edg/") || has("Edge/") {
        Some("Edge")
    } else if has("OPR/") || has("Opera") {
        Some("Opera")
    } else if has("Firefox/") || has("FxiOS/") {
        Some("Firefox")
    } else if has("Chrome/") || has("Chromium/") || has("CriOS/") {
        Some("Chrome")
    } else if has("Safari/") {
        Some("Safari")
    } else {
        None
    };
    let system = if has("Windows") {
        Some("Windows")
    } else if has("Android") {
        Some("Android")
    } else if has("iPhone") || has("iPad") || has("iPod") {
        Some("iOS")
    } else if has("CrOS") {
        Some("ChromeOS")
    } else if has("Mac OS X") || has("Macintosh") {
        Some("macOS")
    } else if has("Linux") {
        Some("Linux")
    } else {
        None
    };
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} · {s}"),
        (Some(one), None) | (None, Some(one)) => one.to_owned(),
        // A script or a tool: its own name (e.g. "curl/8.5.0"), without control characters.
        (None, None) => ua
            .split_whitespace()
            .next()
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_control())
            .take(40)
            .collect(),
    }
}

/// The id a session is shown with: derived from its stored (already hashed) id, so it opens
/// nothing, and unguessable without it.
pub fn public_id(stored_id: &str) -> String {
    hex::encode(&Sha256::digest(format!("casia-session-public:{stored_id}").as_bytes())[..16])
}

/// Records the device of the session just opened with `token` (at login).
pub async fn set_device(
    db: &DatabaseConnection,
    token: &str,
    user_agent: &str,
) -> ServiceResult<()> {
    session::Entity::update_many()
        .col_expr(
            session::Column::Device,
            Expr::value(describe_user_agent(user_agent)),
        )
        .filter(session::Column::Id.eq(session_id(token)))
        .exec(db)
        .await?;
    Ok(())
}

async fn own_sessions(
    db: &DatabaseConnection,
    caller: &Caller,
) -> ServiceResult<Vec<session::Model>> {
    Ok(session::Entity::find()
        .filter(session::Column::UserId.eq(caller.user.id))
        .order_by_desc(session::Column::LastSeenAt)
        .all(db)
        .await?)
}

/// The caller's sessions, most recently used first, the current one marked.
pub async fn list(db: &DatabaseConnection, caller: &Caller) -> ServiceResult<Vec<OwnSessionView>> {
    Ok(own_sessions(db, caller)
        .await?
        .into_iter()
        .map(|s| OwnSessionView {
            id: public_id(&s.id),
            current: s.id == caller.session_id,
            device: s.device,
            client: s.client,
            started: display(s.created_at),
            last_used: display(s.last_seen_at),
        })
        .collect())
}

/// "Cerrar esta sesión" on another of the caller's sessions. Another user's session, or one
/// that no longer exists, is "not found"; the current one is ended by logging out.
pub async fn end(db: &DatabaseConnection, caller: &Caller, public: &str) -> ServiceResult<()> {
    let target = own_sessions(db, caller)
        .await?
        .into_iter()
        .find(|s| public_id(&s.id) == public && s.id != caller.session_id)
        .ok_or(ServiceError::NotFound)?;
    let txn = db.begin().await?;
    session::Entity::delete_many()
        .filter(session::Column::Id.eq(target.id.clone()))
        .filter(session::Column::UserId.eq(caller.user.id))
        .exec(&txn)
        .await?;
    let event = AuditEvent::by(caller, AuditAction::SessionEnded, Outcome::Success)
        .on("session", public)
        .with_details(json!({ "device": target.device, "client": target.client }));
    audit::record(&txn, event).await?;
    txn.commit().await?;
    Ok(())
}

/// Deletes every session of the caller but this one, in the caller's transaction, and records
/// `action` with the details `details(how many ended)`. Returns how many ended.
pub(crate) async fn end_others_in(
    txn: &impl sea_orm::ConnectionTrait,
    caller: &Caller,
    action: AuditAction,
    details: impl FnOnce(u64) -> serde_json::Value,
) -> ServiceResult<u64> {
    let ended = session::Entity::delete_many()
        .filter(session::Column::UserId.eq(caller.user.id))
        .filter(session::Column::Id.ne(caller.session_id.clone()))
        .exec(txn)
        .await?
        .rows_affected;
    let event = AuditEvent::by(caller, action, Outcome::Success)
        .on("account", caller.user.id)
        .with_details(details(ended));
    audit::record(txn, event).await?;
    Ok(ended)
}

/// "Cerrar todas las demás": every session of the caller but this one. Returns how many ended.
pub async fn end_others(db: &DatabaseConnection, caller: &Caller) -> ServiceResult<u64> {
    crate::db::settle(db.begin().await?, async |txn| {
        end_others_in(
            txn,
            caller,
            AuditAction::OtherSessionsEnded,
            |ended| json!({ "ended": ended }),
        )
        .await
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agents_read_as_browser_and_system() {
        let cases = [
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
                "Chrome · Linux",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
                "Edge · Windows",
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
                "Safari · macOS",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
                "Safari · iOS",
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
                "Chrome · Android",
            ),
            (
                "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
                "Firefox · Linux",
            ),
            ("curl/8.5.0", "curl/8.5.0"),
            ("", ""),
        ];
        for (ua, expected) in cases {
            assert_eq!(describe_user_agent(ua), expected, "{ua}");
        }
    }

    #[test]
    fn public_ids_are_stable_and_not_the_stored_id() {
        let stored = session_id("some-token");
        assert_eq!(public_id(&stored), public_id(&stored));
        assert_ne!(public_id(&stored), stored);
        assert_eq!(public_id(&stored).len(), 32);
    }
}
