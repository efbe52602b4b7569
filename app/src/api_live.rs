//! `GET /api/eventos`: the live updates of one browser tab, as Server-Sent Events. Each event
//! names a case that changed (`event: case`, `data: {"case":"2026-0000042"}`, `id:` the
//! event's); `event: reset` asks the page to reload what it shows (it fell too far behind).
//!
//! Who may listen, and what they hear, is decided as for the queries: an authorised user hears
//! their current authorisation's cases (never that an internal note was written), processors
//! and supervisors every case, administrators nothing (403). The session is read without
//! counting as use (an open tab must not keep an idle session alive) and read again every
//! minute: a stream ends with its session, at shutdown, and after `live.stream_minutes` (the
//! browser reconnects, sending `Last-Event-ID`, and is checked from scratch). Streams are
//! counted per person and per instance (`live.*`).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use casia_domain::dto::RateLimit;
use casia_domain::model::case_number;
use casia_domain::{FieldProblem, Role};
use casia_services::accounts::Caller;
use casia_services::entity::case_event;
use casia_services::live::{self, Audience, StreamSlot};
use casia_services::{ServiceError, Services};
use serde::Deserialize;
use tokio::sync::broadcast;
use tokio::time::Instant;

use crate::error::AppError;
use crate::server::{AppState, client_address_of, session_token_of};

pub const EVENTS_PATH: &str = "/api/eventos";

/// How often an open stream re-reads its session.
const SESSION_CHECK: Duration = Duration::from_secs(60);

/// No parameters: anything in the query is a mistake (and named).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EventsQuery {}

pub(crate) async fn events(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    query: Result<Query<EventsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, AppError> {
    let s = state.services;
    if query.is_err() {
        return Err(ServiceError::invalid("query", FieldProblem::InvalidChoice).into());
    }
    let token = session_token_of(&headers, &s.config).ok_or(AppError::NotSignedIn)?;
    let mut caller = watcher(&s, &token).await?;
    caller.client = client_address_of(&headers, &extensions);
    let audience = match caller.role {
        Role::Autorizado => Audience::Authorisation(caller.user_scope()?.authorisation_id),
        Role::Tramitador | Role::Supervisor => Audience::Staff,
        Role::Administrador => {
            let details = serde_json::json!({ "role": caller.role.code() });
            let refused =
                casia_services::audit::forbidden(&s.db, &caller, "endpoint", EVENTS_PATH, details)
                    .await;
            return Err(refused.into());
        }
    };
    let resume = match headers.get("last-event-id") {
        None => None,
        Some(v) => Some(
            v.to_str()
                .ok()
                .and_then(|t| t.trim().parse::<i64>().ok())
                .filter(|id| *id >= 0)
                .ok_or(ServiceError::invalid("Last-Event-ID", FieldProblem::InvalidChoice))?,
        ),
    };
    let slot = s
        .live
        .open_stream(caller.user.id)
        .ok_or(AppError::TooManyRequests {
            limit: RateLimit::LiveStreams,
            retry_after_seconds: 60,
        })?;
    // Subscribed before the catch-up is read: nothing can fall between the two.
    let receiver = s.live.subscribe();
    // Live events up to `last_sent` are covered: by the catch-up, or by the page's own load.
    let (backlog, last_sent) = match resume {
        Some(after) => match live::missed(&s.db, audience, after).await? {
            Some(rows) => {
                let last = rows.last().map_or(after, |e| e.id);
                (rows.iter().map(case_event).collect(), last)
            }
            None => (VecDeque::from([reset()]), live::latest_id(&s.db).await?),
        },
        None => (VecDeque::new(), live::latest_id(&s.db).await?),
    };
    let now = Instant::now();
    let watch = Watch {
        ends_at: now + Duration::from_secs(s.config.live.stream_minutes.max(1) * 60),
        next_check: now + SESSION_CHECK,
        s,
        token,
        audience,
        receiver,
        backlog,
        last_sent,
        _slot: slot,
    };
    let stream = futures::stream::unfold(watch, |mut w| async move {
        w.next().await.map(|event| (Ok::<_, Infallible>(event), w))
    });
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response())
}

/// The session behind `token`, with the checks every route makes, without touching it.
async fn watcher(s: &Services, token: &str) -> Result<Caller, AppError> {
    let caller = casia_services::accounts::watcher_from_token(&s.db, &s.config.session, token)
        .await?;
    caller.second_factor_gate(s.config.auth.staff_mfa)?;
    if caller.password_change_required {
        return Err(AppError::PasswordChangeRequired);
    }
    Ok(caller)
}

struct Watch {
    s: Services,
    token: String,
    audience: Audience,
    receiver: broadcast::Receiver<Arc<case_event::Model>>,
    backlog: VecDeque<Event>,
    /// Live events at or below this id were sent already (or are in the catch-up).
    last_sent: i64,
    ends_at: Instant,
    next_check: Instant,
    _slot: StreamSlot,
}

impl Watch {
    /// The next event to send, or `None` when the stream ends.
    async fn next(&mut self) -> Option<Event> {
        if let Some(e) = self.backlog.pop_front() {
            return Some(e);
        }
        loop {
            tokio::select! {
                got = self.receiver.recv() => match got {
                    Ok(e) if e.id > self.last_sent && self.audience.sees(&e) => {
                        self.last_sent = e.id;
                        return Some(case_event(&e));
                    }
                    Ok(_) => {}
                    // Fell behind the pump: reload rather than miss something.
                    Err(broadcast::error::RecvError::Lagged(_)) => return Some(reset()),
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                () = tokio::time::sleep_until(self.next_check.min(self.ends_at)) => {
                    if Instant::now() >= self.ends_at {
                        return None;
                    }
                    if watcher(&self.s, &self.token).await.is_err() {
                        return None;
                    }
                    self.next_check = Instant::now() + SESSION_CHECK;
                }
                () = self.s.shutdown.cancelled() => return None,
            }
        }
    }
}

fn case_event(e: &case_event::Model) -> Event {
    Event::default()
        .event("case")
        .id(e.id.to_string())
        .data(serde_json::json!({ "case": case_number::format(e.case_number) }).to_string())
}

fn reset() -> Event {
    Event::default().event("reset").data("{}")
}
