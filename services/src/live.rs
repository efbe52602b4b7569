//! Live updates: every committed change to a case is a `case_events` row, written in the
//! change's own transaction (so no page hears of a change that did not commit). Each instance
//! runs one pump that reads the new rows and hands them to its open event streams, each of
//! which keeps those its caller may see (their authorisation's cases; processors: all).
//!
//! The pump is woken by PostgreSQL `NOTIFY casia_events` (sent in the same transaction, so
//! delivered on commit, to every instance) and otherwise looks every `POLL` (SQLite: one
//! process, nothing else writes). No broker: the database is the bus.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use tokio::sync::{Notify, broadcast};

use crate::Services;
use crate::clock::now;
use crate::entity::{case, case_event};
use crate::error::ServiceResult;

/// The PostgreSQL channel that says "new events committed".
const CHANNEL: &str = "casia_events";
/// How often the pump looks without being woken.
const POLL: Duration = Duration::from_millis(250);
/// Rows read per look.
const BATCH: u64 = 500;
/// Rows below the highest id seen that are looked at again, if written in the last
/// `RECHECK_SECONDS`: a transaction that took its id before another but committed after it
/// (PostgreSQL, several writers) is not skipped.
const LOOKBACK: i64 = 1000;
const RECHECK_SECONDS: i64 = 10;
/// Events a stream may fall behind before it is told to reload instead.
const CHANNEL_CAPACITY: usize = 1024;
/// Events a reconnecting page may catch up on; more and it reloads.
pub const MAX_MISSED: u64 = 200;
/// Events kept for reconnecting pages.
const KEEP_HOURS: i64 = 24;

/// Prometheus: event streams open in this instance.
pub const OPEN_STREAMS: &str = "casia_sse_streams_open";

/// Writes the event of a change to `c` in the change's transaction.
pub async fn record(
    tx: &impl ConnectionTrait,
    c: &case::Model,
    staff_only: bool,
) -> ServiceResult<()> {
    case_event::ActiveModel {
        case_id: Set(c.id),
        case_number: Set(c.number),
        authorisation_id: Set(c.authorisation_id),
        staff_only: Set(staff_only),
        at: Set(now()),
        ..Default::default()
    }
    .insert(tx)
    .await?;
    if tx.get_database_backend() == DbBackend::Postgres {
        // Delivered when (and only if) the transaction commits.
        tx.execute_unprepared(&format!("NOTIFY {CHANNEL}")).await?;
    }
    Ok(())
}

/// Who a stream is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// An authorised user working for this authorisation.
    Authorisation(i64),
    /// Processors and supervisors: every case.
    Staff,
}

impl Audience {
    pub fn sees(&self, e: &case_event::Model) -> bool {
        match self {
            Audience::Authorisation(id) => e.authorisation_id == *id && !e.staff_only,
            Audience::Staff => true,
        }
    }
}

/// This instance's side of the events: the pump's output and the streams' accounting.
pub struct Hub {
    sender: broadcast::Sender<Arc<case_event::Model>>,
    wake: Notify,
    open: AtomicUsize,
    per_user: Mutex<HashMap<i64, usize>>,
    max_streams: usize,
    max_per_user: usize,
}

/// One open stream's place; given back when the stream ends.
pub struct StreamSlot {
    hub: Arc<Hub>,
    user_id: i64,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        self.hub.open.fetch_sub(1, Ordering::SeqCst);
        let mut per_user = self.hub.per_user.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = per_user.get_mut(&self.user_id) {
            *n -= 1;
            if *n == 0 {
                per_user.remove(&self.user_id);
            }
        }
        metrics::gauge!(OPEN_STREAMS).set(self.hub.open.load(Ordering::SeqCst) as f64);
    }
}

impl Hub {
    pub fn new(max_streams: usize, max_per_user: usize) -> Arc<Hub> {
        Arc::new(Hub {
            sender: broadcast::channel(CHANNEL_CAPACITY).0,
            wake: Notify::new(),
            open: AtomicUsize::new(0),
            per_user: Mutex::new(HashMap::new()),
            max_streams,
            max_per_user,
        })
    }

    /// A place for one more stream of `user_id`, or `None` when this instance or this user
    /// has as many as allowed.
    pub fn open_stream(self: &Arc<Hub>, user_id: i64) -> Option<StreamSlot> {
        let mut per_user = self.per_user.lock().unwrap_or_else(|e| e.into_inner());
        let mine = per_user.get(&user_id).copied().unwrap_or(0);
        if mine >= self.max_per_user || self.open.load(Ordering::SeqCst) >= self.max_streams {
            return None;
        }
        per_user.insert(user_id, mine + 1);
        let open = self.open.fetch_add(1, Ordering::SeqCst) + 1;
        metrics::gauge!(OPEN_STREAMS).set(open as f64);
        Some(StreamSlot {
            hub: self.clone(),
            user_id,
        })
    }

    pub fn open_streams(&self) -> usize {
        self.open.load(Ordering::SeqCst)
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<case_event::Model>> {
        self.sender.subscribe()
    }
}

/// What `audience` missed after event `after`, oldest first; `None` when it is more than a
/// page should catch up on (it reloads instead).
pub async fn missed(
    db: &DatabaseConnection,
    audience: Audience,
    after: i64,
) -> ServiceResult<Option<Vec<case_event::Model>>> {
    let mut q = case_event::Entity::find()
        .filter(case_event::Column::Id.gt(after))
        .order_by_asc(case_event::Column::Id)
        .limit(MAX_MISSED + 1);
    if let Audience::Authorisation(id) = audience {
        q = q
            .filter(case_event::Column::AuthorisationId.eq(id))
            .filter(case_event::Column::StaffOnly.eq(false));
    }
    let rows = q.all(db).await?;
    Ok((rows.len() as u64 <= MAX_MISSED).then_some(rows))
}

/// The newest event id (where a fresh stream starts).
pub async fn latest_id(db: &DatabaseConnection) -> ServiceResult<i64> {
    let id: Option<i64> = case_event::Entity::find()
        .select_only()
        .column_as(Expr::col(case_event::Column::Id).max(), "id")
        .into_tuple()
        .one(db)
        .await?
        .flatten();
    Ok(id.unwrap_or(0))
}

/// Removes events older than a day (reconnecting pages need minutes of them).
pub async fn purge_old(db: &DatabaseConnection) -> ServiceResult<u64> {
    let cutoff = now() - chrono::Duration::hours(KEEP_HOURS);
    Ok(case_event::Entity::delete_many()
        .filter(case_event::Column::At.lt(cutoff))
        .exec(db)
        .await?
        .rows_affected)
}

/// Starts this instance's pump (and, on PostgreSQL, its listener); both end at shutdown.
pub fn spawn(services: &Services, jobs: &mut tokio::task::JoinSet<()>) {
    let s = services.clone();
    jobs.spawn(async move {
        let mut cursor = match latest_id(&s.db).await {
            Ok(id) => id,
            Err(e) => {
                tracing::error!(error = %e, "live updates not started");
                return;
            }
        };
        let mut seen = BTreeSet::new();
        loop {
            tokio::select! {
                () = s.live.wake.notified() => {}
                () = tokio::time::sleep(POLL) => {}
                () = s.shutdown.cancelled() => break,
            }
            match pump_once(&s, &mut cursor, &mut seen).await {
                Ok(()) => {}
                Err(e) => tracing::warn!(error = %e, "reading live events failed"),
            }
        }
    });
    if s_is_postgres(services) {
        let s = services.clone();
        jobs.spawn(async move { listen(s).await });
    }
}

fn s_is_postgres(s: &Services) -> bool {
    s.db.get_database_backend() == DbBackend::Postgres
}

/// Hands the rows committed since the last look to this instance's streams.
async fn pump_once(
    s: &Services,
    cursor: &mut i64,
    seen: &mut BTreeSet<i64>,
) -> ServiceResult<()> {
    loop {
        // New rows, and the last seconds' again (cheap: few rows, by the `at` index).
        let recent = now() - chrono::Duration::seconds(RECHECK_SECONDS);
        let rows = case_event::Entity::find()
            .filter(case_event::Column::Id.gt(*cursor - LOOKBACK))
            .filter(
                sea_orm::Condition::any()
                    .add(case_event::Column::Id.gt(*cursor))
                    .add(case_event::Column::At.gt(recent)),
            )
            .order_by_asc(case_event::Column::Id)
            .limit(BATCH + LOOKBACK as u64)
            .all(&s.db)
            .await?;
        let mut fresh = 0_u64;
        for row in rows {
            if !seen.insert(row.id) {
                continue;
            }
            fresh += 1;
            *cursor = (*cursor).max(row.id);
            // No stream open: nobody to tell (not an error).
            let _ = s.live.sender.send(Arc::new(row));
        }
        // Forget what the look-back no longer reaches.
        let floor = *cursor - LOOKBACK;
        while seen.first().is_some_and(|id| *id <= floor) {
            seen.pop_first();
        }
        if fresh < BATCH {
            return Ok(());
        }
    }
}

/// PostgreSQL: wakes the pump on every `NOTIFY casia_events` from any instance.
async fn listen(s: Services) {
    use sea_orm::sqlx::postgres::PgListener;
    let pool = s.db.get_postgres_connection_pool().clone();
    loop {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "live updates: cannot listen; polling meanwhile");
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_secs(2)) => continue,
                    () = s.shutdown.cancelled() => return,
                }
            }
        };
        if let Err(e) = listener.listen(CHANNEL).await {
            tracing::warn!(error = %e, "live updates: LISTEN failed");
            tokio::time::sleep(Duration::from_secs(2)).await;
            continue;
        }
        loop {
            tokio::select! {
                got = listener.recv() => match got {
                    Ok(_) => s.live.wake.notify_one(),
                    Err(e) => {
                        tracing::warn!(error = %e, "live updates: listener lost; reconnecting");
                        break;
                    }
                },
                () = s.shutdown.cancelled() => return,
            }
        }
    }
}
