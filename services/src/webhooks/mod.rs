//! Webhooks: an authorisation's receivers of its cases' milestones. Each milestone that
//! records a notice (`notices::record`) also writes, in the same transaction, one delivery
//! row per webhook that listens to its kind; the worker (`worker`) sends them with retries.

pub mod worker;

use std::net::IpAddr;

use casia_domain::model::{DeliveryStatus, NoticeKind, case_number};
use casia_domain::{FieldProblem, State, Substate};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

use crate::accounts::{Caller, random_token};
use crate::clock::now;
use crate::config::WebhookConfig;
use crate::entity::{authorisation, case, notice, webhook, webhook_delivery};
use crate::error::{ServiceError, ServiceResult};

pub const URL_MAX: usize = 2000;
/// Webhooks one authorisation may have.
pub const PER_AUTHORISATION_MAX: u64 = 20;
/// Deliveries shown in a webhook's log.
pub const LOG_MAX: u64 = 100;

/// The body of every delivery (and what its signature covers).
#[derive(Clone, Debug, Serialize)]
pub struct Event {
    /// A `NoticeKind` code: `case_opened`, `information_requested`, …
    pub event: NoticeKind,
    /// The notice's id: the same event has the same id in every webhook's delivery.
    pub event_id: i64,
    pub occurred_at: DateTime<Utc>,
    /// Nº Autorización.
    pub authorisation: String,
    pub case: EventCase,
    /// The processor's message, the reasons or the resolution, when the milestone has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct EventCase {
    /// `2026-0000001`.
    pub number: String,
    pub title: String,
    pub state: State,
    pub substate: Substate,
}

/// A webhook as its owner sees it (the secret only when created).
#[derive(Clone, Debug)]
pub struct WebhookView {
    pub row: webhook::Model,
    pub events: Vec<NoticeKind>,
}

fn events_of(row: &webhook::Model) -> Vec<NoticeKind> {
    row.events
        .split(',')
        .filter_map(NoticeKind::from_code)
        .collect()
}

fn view(row: webhook::Model) -> WebhookView {
    WebhookView {
        events: events_of(&row),
        row,
    }
}

/// Checks a receiver's address: absolute `https://` (or `http://` when private targets are
/// allowed), with a host whose every address is public unless the operator allows private
/// ones. Checked when the webhook is made and again before each delivery (DNS may change).
pub async fn check_url(config: &WebhookConfig, raw: &str) -> ServiceResult<url::Url> {
    let invalid = || ServiceError::invalid("url", FieldProblem::InvalidUrl);
    let raw = raw.trim();
    if raw.len() > URL_MAX {
        return Err(ServiceError::invalid(
            "url",
            FieldProblem::TooLong { max: URL_MAX },
        ));
    }
    let url = url::Url::parse(raw).map_err(|_| invalid())?;
    let scheme_ok =
        url.scheme() == "https" || (config.allow_private_targets && url.scheme() == "http");
    if !scheme_ok || !url.username().is_empty() || url.password().is_some() {
        return Err(invalid());
    }
    let host = url.host_str().ok_or_else(invalid)?.to_owned();
    let port = url.port_or_known_default().ok_or_else(invalid)?;
    if config.allow_private_targets {
        return Ok(url);
    }
    // `[::1]` comes bracketed from `host_str`; the resolver wants it bare.
    let bare = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let addresses: Vec<IpAddr> = tokio::net::lookup_host((bare.as_str(), port))
        .await
        .map_err(|_| invalid())?
        .map(|a| a.ip())
        .collect();
    if addresses.is_empty() {
        return Err(invalid());
    }
    if addresses.iter().any(|ip| !is_public(*ip)) {
        return Err(ServiceError::invalid("url", FieldProblem::PrivateAddress));
    }
    Ok(url)
}

/// Whether an address is on the public internet: not loopback, private (RFC 1918, unique
/// local), link-local, shared (CGNAT), documentation, multicast, unspecified or broadcast.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0)
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

/// A new webhook of the caller's authorisation; the answer carries its secret, shown once.
pub async fn create(
    db: &impl ConnectionTrait,
    config: &WebhookConfig,
    caller: &Caller,
    url: &str,
    events: &[NoticeKind],
) -> ServiceResult<WebhookView> {
    let scope = caller.user_scope()?;
    let url = check_url(config, url).await?;
    if events.is_empty() {
        return Err(ServiceError::invalid("events", FieldProblem::Required));
    }
    let existing = webhook::Entity::find()
        .filter(webhook::Column::AuthorisationId.eq(scope.authorisation_id))
        .count(db)
        .await?;
    if existing >= PER_AUTHORISATION_MAX {
        return Err(ServiceError::invalid(
            "url",
            FieldProblem::OutOfRange {
                min: 1,
                max: PER_AUTHORISATION_MAX as i64,
            },
        ));
    }
    let mut codes: Vec<&str> = Vec::new();
    for e in events {
        if !codes.contains(&e.code()) {
            codes.push(e.code());
        }
    }
    let row = webhook::ActiveModel {
        authorisation_id: Set(scope.authorisation_id),
        created_by: Set(scope.user_id),
        url: Set(url.to_string()),
        secret: Set(random_token()),
        events: Set(codes.join(",")),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(view(row))
}

/// The authorisation's webhooks, oldest first.
pub async fn list(db: &impl ConnectionTrait, caller: &Caller) -> ServiceResult<Vec<WebhookView>> {
    let scope = caller.user_scope()?;
    Ok(webhook::Entity::find()
        .filter(webhook::Column::AuthorisationId.eq(scope.authorisation_id))
        .order_by_asc(webhook::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(view)
        .collect())
}

/// A webhook of the caller's authorisation; another's is not found.
pub async fn find(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: i64,
) -> ServiceResult<webhook::Model> {
    let scope = caller.user_scope()?;
    match webhook::Entity::find_by_id(id).one(db).await? {
        Some(w) if w.authorisation_id == scope.authorisation_id => Ok(w),
        Some(_) => {
            Err(crate::audit::not_found(db, caller, "webhook", id, "other_authorisation").await)
        }
        None => Err(crate::audit::not_found(db, caller, "webhook", id, "missing").await),
    }
}

/// Removes a webhook, its pending deliveries and its log.
pub async fn delete(db: &impl ConnectionTrait, caller: &Caller, id: i64) -> ServiceResult<()> {
    let w = find(db, caller, id).await?;
    webhook_delivery::Entity::delete_many()
        .filter(webhook_delivery::Column::WebhookId.eq(w.id))
        .exec(db)
        .await?;
    webhook::Entity::delete_by_id(w.id).exec(db).await?;
    Ok(())
}

/// A webhook's delivery log, newest first.
pub async fn deliveries(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: i64,
) -> ServiceResult<Vec<webhook_delivery::Model>> {
    let w = find(db, caller, id).await?;
    Ok(webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::WebhookId.eq(w.id))
        .order_by_desc(webhook_delivery::Column::Id)
        .limit(LOG_MAX)
        .all(db)
        .await?)
}

/// Writes a delivery for every webhook of the case's authorisation that listens to this
/// notice's kind. Called by `notices::record`, inside the milestone's transaction: the
/// deliveries exist exactly when the change does.
pub(crate) async fn enqueue(
    db: &impl ConnectionTrait,
    case: &case::Model,
    n: &notice::Model,
    message: Option<String>,
) -> ServiceResult<()> {
    let hooks: Vec<webhook::Model> = webhook::Entity::find()
        .filter(webhook::Column::AuthorisationId.eq(case.authorisation_id))
        .all(db)
        .await?
        .into_iter()
        .filter(|w| events_of(w).contains(&n.kind))
        .collect();
    if hooks.is_empty() {
        return Ok(());
    }
    let auth = crate::db::found::<authorisation::Entity>(db, case.authorisation_id).await?;
    let event = Event {
        event: n.kind,
        event_id: n.id,
        occurred_at: n.created_at,
        authorisation: auth.number,
        case: EventCase {
            number: case_number::format(case.number),
            title: case.title.clone(),
            state: case.state,
            substate: case.substate,
        },
        message,
    };
    let payload = serde_json::to_string(&event).map_err(|e| ServiceError::failed("event", e))?;
    for w in hooks {
        webhook_delivery::ActiveModel {
            webhook_id: Set(w.id),
            event: Set(n.kind.code().to_owned()),
            payload: Set(payload.clone()),
            created_at: Set(n.created_at),
            status: Set(DeliveryStatus::Pending),
            attempts: Set(0),
            next_attempt_at: Set(n.created_at),
            locked_until: Set(None),
            delivered_at: Set(None),
            last_status: Set(None),
            last_error: Set(None),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["8.8.8.8", "2a00:1450:4003::1", "151.101.1.1"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[tokio::test]
    async fn a_webhook_must_be_https_to_a_public_host_unless_the_operator_allows_it() {
        let strict = WebhookConfig::default();
        let field = |r: ServiceResult<url::Url>| match r {
            Err(ServiceError::Invalid(e)) => e[0].problem.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(check_url(&strict, "http://8.8.8.8/hook").await),
            FieldProblem::InvalidUrl
        );
        assert_eq!(
            field(check_url(&strict, "https://127.0.0.1/hook").await),
            FieldProblem::PrivateAddress
        );
        assert_eq!(
            field(check_url(&strict, "https://[::1]:8443/hook").await),
            FieldProblem::PrivateAddress
        );
        assert_eq!(
            field(check_url(&strict, "https://localhost/hook").await),
            FieldProblem::PrivateAddress
        );
        assert_eq!(
            field(check_url(&strict, "not a url").await),
            FieldProblem::InvalidUrl
        );
        assert!(check_url(&strict, "https://8.8.8.8/hook").await.is_ok());
        let open = WebhookConfig {
            allow_private_targets: true,
            ..WebhookConfig::default()
        };
        assert!(check_url(&open, "http://127.0.0.1:9/hook").await.is_ok());
    }
}
