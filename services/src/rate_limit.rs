//! In-memory limits for requests that anyone (or any one account) could repeat without end:
//! a per-key rate (requests per minute, GCRA from `governor`) and a per-key cap on work in
//! progress. The key is whatever identifies the client: an address for the public
//! verification, a user id for uploads, a token for an API.
//!
//! The state lives in this process: several instances behind a balancer each allow the rate.
//! Both maps are bounded, so a flood of distinct keys cannot grow memory without end.

use std::collections::HashMap;
use std::hash::Hash;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Keys remembered before idle ones are dropped.
pub const DEFAULT_MAX_KEYS: usize = 100_000;

/// At most `per_minute` requests per key per minute (bursts up to that number, then one
/// every `60/per_minute` seconds).
pub struct KeyedLimiter {
    quota: Quota,
    max_keys: usize,
    limiter: RwLock<DefaultKeyedRateLimiter<String>>,
}

impl KeyedLimiter {
    pub fn per_minute(per_minute: u32, max_keys: usize) -> Self {
        let quota = Quota::per_minute(NonZeroU32::new(per_minute.max(1)).expect("at least one"));
        KeyedLimiter {
            quota,
            max_keys: max_keys.max(1),
            limiter: RwLock::new(RateLimiter::keyed(quota)),
        }
    }

    /// Counts one request for `key`. `Err(wait)` when over the limit: the request must be
    /// refused and may be retried after `wait`.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        let over_capacity = {
            let limiter = self.limiter.read().unwrap_or_else(|e| e.into_inner());
            if let Err(not_until) = limiter.check_key(&key.to_owned()) {
                return Err(not_until.wait_time_from(limiter.clock().now()));
            }
            limiter.len() > self.max_keys
        };
        if over_capacity {
            self.prune();
        }
        Ok(())
    }

    /// Seconds to wait, rounded up, for a `Retry-After` header.
    pub fn check_seconds(&self, key: &str) -> Result<(), u64> {
        self.check(key)
            .map_err(|wait| wait.as_secs() + u64::from(wait.subsec_nanos() > 0))
    }

    /// Keys remembered now (for tests and metrics).
    pub fn len(&self) -> usize {
        self.limiter.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn prune(&self) {
        let mut limiter = self.limiter.write().unwrap_or_else(|e| e.into_inner());
        // Keys whose allowance has fully refilled are indistinguishable from new ones.
        limiter.retain_recent();
        limiter.shrink_to_fit();
        if limiter.len() > self.max_keys * 3 / 4 {
            // Still full of busy keys (a flood of addresses): forget them all rather than
            // grow without bound or prune again on every request.
            tracing::warn!(
                keys = limiter.len(),
                "rate limiter full of active keys; starting afresh"
            );
            *limiter = RateLimiter::keyed(self.quota);
        }
    }
}

/// At most `max` operations in progress per key; the guard ends one when dropped. Keys with
/// nothing in progress are not kept, so the map holds only what is running.
pub struct KeyedConcurrency<K> {
    max: u64,
    running: Arc<Mutex<HashMap<K, u64>>>,
}

pub struct InProgress<K: Eq + Hash> {
    key: K,
    running: Arc<Mutex<HashMap<K, u64>>>,
}

impl<K: Eq + Hash + Clone> KeyedConcurrency<K> {
    pub fn new(max: u64) -> Self {
        KeyedConcurrency {
            max: max.max(1),
            running: Arc::default(),
        }
    }

    pub fn max(&self) -> u64 {
        self.max
    }

    /// Starts one operation for `key`, or `None` when `key` already has `max` running.
    pub fn try_start(&self, key: K) -> Option<InProgress<K>> {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        let count = running.entry(key.clone()).or_insert(0);
        if *count >= self.max {
            return None;
        }
        *count += 1;
        Some(InProgress {
            key,
            running: self.running.clone(),
        })
    }
}

impl<K: Eq + Hash> Drop for InProgress<K> {
    fn drop(&mut self) {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = running.get_mut(&self.key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                running.remove(&self.key);
            }
        }
    }
}

/// The limits shared by every request of this process.
pub struct Limits {
    /// `Verificación de Documentos` (by code and by file), per client address.
    pub verification: KeyedLimiter,
    /// Receipt files being checked at once, all clients together (each holds up to 5 MiB).
    pub verification_files: Arc<tokio::sync::Semaphore>,
    /// Uploads in progress per user.
    pub uploads_in_progress: KeyedConcurrency<i64>,
    /// Integration API requests, per token.
    pub api: KeyedLimiter,
}

impl Limits {
    pub fn from_config(config: &crate::Config) -> Limits {
        Limits {
            verification: KeyedLimiter::per_minute(
                config.verification.per_minute,
                DEFAULT_MAX_KEYS,
            ),
            verification_files: Arc::new(tokio::sync::Semaphore::new(
                config.verification.max_concurrent_files.max(1),
            )),
            uploads_in_progress: KeyedConcurrency::new(config.uploads.max_concurrent_per_user),
            api: KeyedLimiter::per_minute(config.api.requests_per_minute, DEFAULT_MAX_KEYS),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_after_the_allowance_waits_and_other_keys_do_not() {
        let limiter = KeyedLimiter::per_minute(3, 100);
        for _ in 0..3 {
            assert_eq!(limiter.check("10.0.0.1"), Ok(()));
        }
        let wait = limiter.check_seconds("10.0.0.1").unwrap_err();
        assert!(
            (1..=20).contains(&wait),
            "one request refills every 20 s: {wait}"
        );
        assert_eq!(
            limiter.check("10.0.0.2"),
            Ok(()),
            "another client has its own allowance"
        );
    }

    #[test]
    fn a_flood_of_keys_does_not_grow_the_map_without_bound() {
        let limiter = KeyedLimiter::per_minute(5, 1000);
        for i in 0..10_000 {
            let _ = limiter.check(&format!("key-{i}"));
        }
        assert!(limiter.len() <= 1001, "{} keys kept", limiter.len());
    }

    #[test]
    fn concurrency_is_capped_per_key_and_released_on_drop() {
        let uploads = KeyedConcurrency::new(2);
        let a = uploads.try_start(1).unwrap();
        let _b = uploads.try_start(1).unwrap();
        assert!(uploads.try_start(1).is_none());
        assert!(
            uploads.try_start(2).is_some(),
            "another user is not affected"
        );
        drop(a);
        assert!(uploads.try_start(1).is_some());
        assert!(
            uploads.running.lock().unwrap().len() <= 1,
            "finished keys are forgotten"
        );
    }
}
