//! Password-guessing throttle (ASVS V6.1.1, V6.3.1), shared by every place a password is
//! checked: the login, the current password in `/cuenta` and the contact-data re-check.
//!
//! No hard lock (anyone could keep a known username locked for ever). Instead, failures are
//! counted in `login_failures` over `window_minutes` and turned into waits:
//! - per (username, client): the first `free_failures` are answered at once; after the n-th
//!   failure the next attempt waits 2^(n - free_failures) seconds, up to `max_delay_seconds`;
//! - per username over all clients: past `username_free_failures` a shared wait that grows the
//!   same way but stops at `username_max_delay_seconds`, so guesses from many addresses are
//!   slowed without keeping the real user out longer than that;
//! - per client over all usernames: past `client_max_failures` the client waits for the
//!   window to pass.
//!
//! The attempt is written before it is checked and counts as a failure until the password
//! proves right: guesses sent all at once see each other, instead of all passing while the
//! slow password check runs.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Select, Set,
};

use crate::clock::now;
use crate::config::LoginLimits;
use crate::entity::login_failure;
use crate::error::{ServiceError, ServiceResult};

/// An attempt that passed the throttle; until [`Attempt::succeeded`] it counts as a failure.
#[must_use]
pub struct Attempt {
    id: i64,
    username: String,
    client: String,
}

impl Attempt {
    /// The password could not be checked (the service was busy): this was no guess.
    pub async fn abandon(self, db: &DatabaseConnection) -> ServiceResult<()> {
        login_failure::Entity::delete_by_id(self.id)
            .exec(db)
            .await?;
        Ok(())
    }

    /// The password was right: this client's failures for the username are forgotten (other
    /// clients' are not: a stranger's guesses keep counting against the stranger).
    pub async fn succeeded(self, db: &DatabaseConnection) -> ServiceResult<()> {
        login_failure::Entity::delete_many()
            .filter(login_failure::Column::Username.eq(&self.username))
            .filter(login_failure::Column::Client.eq(&self.client))
            .exec(db)
            .await?;
        Ok(())
    }
}

/// The wait after `failures` earlier failures: none for the first `free`, then 1, 2, 4… s.
pub fn delay_after(failures: u64, free: u64, max_seconds: i64) -> Duration {
    if failures < free {
        return Duration::zero();
    }
    let exponent = (failures - free).min(40) as u32;
    Duration::seconds(2i64.saturating_pow(exponent).min(max_seconds.max(0)))
}

/// Whole seconds until `ready`, at least 1 (what the person is told to wait).
fn seconds_until(ready: DateTime<Utc>, at: DateTime<Utc>) -> i64 {
    let ms = (ready - at).num_milliseconds().max(0);
    ((ms + 999) / 1000).max(1)
}

/// Records an attempt of `username` from `client` and decides whether it may go on to the
/// password check. Refused attempts are not kept (waiting does not make the wait longer).
pub async fn begin(
    db: &DatabaseConnection,
    limits: &LoginLimits,
    username: &str,
    client: &str,
) -> ServiceResult<Attempt> {
    let at = now();
    let since = at - Duration::minutes(limits.window_minutes);
    let own = login_failure::ActiveModel {
        username: Set(username.to_owned()),
        client: Set(client.to_owned()),
        at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await?;
    // Every other failure in the window, including attempts still in flight.
    let others = || {
        login_failure::Entity::find()
            .filter(login_failure::Column::At.gt(since))
            .filter(login_failure::Column::Id.ne(own.id))
    };
    let wait = wait_for(db, limits, at, others, username, client).await;
    match wait {
        Ok(None) => Ok(Attempt {
            id: own.id,
            username: username.to_owned(),
            client: client.to_owned(),
        }),
        Ok(Some(seconds)) => {
            login_failure::Entity::delete_by_id(own.id).exec(db).await?;
            Err(ServiceError::TooManyAttempts {
                retry_after_seconds: seconds,
            })
        }
        Err(e) => {
            login_failure::Entity::delete_by_id(own.id)
                .exec(db)
                .await
                .ok();
            Err(e)
        }
    }
}

/// Seconds the attempt must still wait under the strictest rule, if any.
async fn wait_for(
    db: &DatabaseConnection,
    limits: &LoginLimits,
    at: DateTime<Utc>,
    others: impl Fn() -> Select<login_failure::Entity>,
    username: &str,
    client: &str,
) -> ServiceResult<Option<i64>> {
    let mut longest: Option<i64> = None;
    let mut consider = |ready: DateTime<Utc>| {
        if at < ready {
            let s = seconds_until(ready, at);
            longest = Some(longest.map_or(s, |l| l.max(s)));
        }
    };
    // Per (username, client) and per username: a wait after the latest failure.
    let pair = || {
        others()
            .filter(login_failure::Column::Username.eq(username))
            .filter(login_failure::Column::Client.eq(client))
    };
    let name = || others().filter(login_failure::Column::Username.eq(username));
    for (query, free, max) in [
        (pair(), limits.free_failures, limits.max_delay_seconds),
        (
            name(),
            limits.username_free_failures,
            limits.username_max_delay_seconds,
        ),
    ] {
        let failures = query.clone().count(db).await?;
        let delay = delay_after(failures, free, max);
        if delay > Duration::zero()
            && let Some(latest) = query
                .order_by_desc(login_failure::Column::At)
                .one(db)
                .await?
        {
            consider(latest.at + delay);
        }
    }
    // Per client over all usernames: wait until enough of them leave the window.
    let by_client = || others().filter(login_failure::Column::Client.eq(client));
    let failures = by_client().count(db).await?;
    if failures >= limits.client_max_failures.max(1)
        && let Some(oldest) = by_client()
            .order_by_asc(login_failure::Column::At)
            .one(db)
            .await?
    {
        consider(oldest.at + Duration::minutes(limits.window_minutes));
    }
    Ok(longest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_start_after_the_free_failures_and_double_up_to_the_cap() {
        let secs = |n| delay_after(n, 5, 300).num_seconds();
        assert_eq!((0..5).map(secs).collect::<Vec<_>>(), [0, 0, 0, 0, 0]);
        assert_eq!((5..10).map(secs).collect::<Vec<_>>(), [1, 2, 4, 8, 16]);
        assert_eq!(secs(14), 300);
        assert_eq!(secs(10_000), 300);
    }

    #[test]
    fn the_wait_is_told_in_whole_seconds_rounded_up() {
        let at = now();
        assert_eq!(seconds_until(at + Duration::milliseconds(1), at), 1);
        assert_eq!(seconds_until(at + Duration::milliseconds(4001), at), 5);
        assert_eq!(seconds_until(at, at), 1);
    }
}
