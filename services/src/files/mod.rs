//! Document storage and uploads.
//!
//! Files stream into an `object_store` (a local directory by default) under keys the server
//! makes up; a file's name is only ever kept as data. Each file's kind is decided from its
//! content, and must agree with the extension its name claims.

mod kinds;
mod storage;

use bytes::Bytes;
use casia_domain::dto::{RateLimit, UploadProblem, UploadedFile};
use chrono::{DateTime, Duration, Utc};
use futures::{Stream, StreamExt};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use sha2::Digest;

use crate::Services;
use crate::accounts::Caller;
use crate::clock::now;
use crate::config::UploadConfig;
use crate::entity::upload;
use crate::error::{ServiceError, ServiceResult};

use kinds::SNIFF_BYTES;
pub use kinds::{classify, extension};
pub use storage::{Storage, new_storage_key, random_id};

#[derive(Debug)]
pub enum UploadFailure {
    Refused(UploadProblem),
    Storage(String),
}

impl From<UploadFailure> for ServiceError {
    fn from(f: UploadFailure) -> Self {
        match f {
            UploadFailure::Refused(p) => ServiceError::Upload(p),
            UploadFailure::Storage(e) => ServiceError::Storage(e),
        }
    }
}

#[derive(Debug, Clone)]
pub struct StoredFile {
    pub size: i64,
    pub sha256: String,
    pub media_type: &'static str,
}

/// Receives one upload from `caller`: refuses before reading the body when the user has too
/// many uploads in progress or the hour's quota (counting the declared length) is used up,
/// streams it to storage, and records it (checking the quota again with the real size).
pub async fn receive_upload<S, E>(
    s: &Services,
    caller: &Caller,
    file_name: &str,
    declared_bytes: Option<u64>,
    body: S,
) -> ServiceResult<UploadedFile>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let config = &s.config.uploads;
    if file_name.trim().is_empty() {
        return Err(ServiceError::Upload(UploadProblem::MissingName));
    }
    if declared_bytes.is_some_and(|len| len > config.max_bytes) {
        return Err(ServiceError::Upload(UploadProblem::TooLarge {
            max_bytes: config.max_bytes,
        }));
    }
    let _in_progress = s
        .limits
        .uploads_in_progress
        .try_start(caller.user.id)
        .ok_or(ServiceError::TooManyRequests {
            limit: RateLimit::UploadsAtOnce {
                max: s.limits.uploads_in_progress.max(),
            },
            retry_after_seconds: 5,
        })?;
    check_upload_quota(&s.db, config, caller.user.id, declared_bytes.unwrap_or(0)).await?;
    let key = new_storage_key("uploads");
    let stored = s
        .storage
        .put_upload(&key, file_name, config.max_bytes, body)
        .await?;
    match record_upload(&s.db, config, caller, file_name, &key, &stored).await {
        Ok(uploaded) => Ok(uploaded),
        Err(e) => {
            let _ = s.storage.delete(&key).await;
            Err(e)
        }
    }
}

/// The hour's quota of `user_id` (`uploads.max_files_per_hour`, `uploads.max_bytes_per_hour`)
/// with `incoming` more bytes; `TooManyRequests` says when enough of it frees up.
pub async fn check_upload_quota(
    db: &impl ConnectionTrait,
    config: &UploadConfig,
    user_id: i64,
    incoming: u64,
) -> ServiceResult<()> {
    let at = now();
    let window = Duration::hours(1);
    // Oldest first; one more than the file quota is enough to know it is reached, and then
    // the byte count does not matter.
    let recent: Vec<(i64, DateTime<Utc>)> = upload::Entity::find()
        .select_only()
        .column(upload::Column::SizeBytes)
        .column(upload::Column::CreatedAt)
        .filter(upload::Column::UserId.eq(user_id))
        .filter(upload::Column::CreatedAt.gt(at - window))
        .order_by_asc(upload::Column::CreatedAt)
        .limit(config.max_files_per_hour + 1)
        .into_tuple()
        .all(db)
        .await?;
    let seconds_until = |t: Option<DateTime<Utc>>| {
        t.map_or(3600, |t| {
            (t + window - at).num_seconds().clamp(1, 3600) as u64
        })
    };
    if recent.len() as u64 >= config.max_files_per_hour {
        return Err(ServiceError::TooManyRequests {
            limit: RateLimit::UploadFiles {
                max: config.max_files_per_hour,
            },
            retry_after_seconds: seconds_until(recent.first().map(|r| r.1)),
        });
    }
    let used: u64 = recent.iter().map(|(size, _)| (*size).max(0) as u64).sum();
    if used.saturating_add(incoming) > config.max_bytes_per_hour {
        // Room comes back as the oldest uploads leave the window.
        let mut left = used;
        let freed_at = recent.iter().find_map(|(size, t)| {
            left -= (*size).max(0) as u64;
            (left.saturating_add(incoming) <= config.max_bytes_per_hour).then_some(*t)
        });
        return Err(ServiceError::TooManyRequests {
            limit: RateLimit::UploadBytes {
                max_bytes: config.max_bytes_per_hour,
            },
            retry_after_seconds: seconds_until(freed_at),
        });
    }
    Ok(())
}

/// Records a finished upload and hands back its token (within the hour's quota).
pub async fn record_upload(
    db: &impl ConnectionTrait,
    config: &UploadConfig,
    caller: &Caller,
    file_name: &str,
    key: &str,
    stored: &StoredFile,
) -> ServiceResult<UploadedFile> {
    check_upload_quota(db, config, caller.user.id, stored.size.max(0) as u64).await?;
    let token = random_id(20);
    let name = clean_file_name(file_name);
    upload::ActiveModel {
        token: Set(token.clone()),
        user_id: Set(caller.user.id),
        original_name: Set(name.clone()),
        size_bytes: Set(stored.size),
        media_type: Set(stored.media_type.to_owned()),
        sha256: Set(stored.sha256.clone()),
        storage_key: Set(key.to_owned()),
        created_at: Set(now()),
        attached_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(UploadedFile {
        token,
        file_name: name,
        size: stored.size,
        media_type: stored.media_type.to_owned(),
    })
}

/// Keeps the last path component, at most 200 characters, without control characters and
/// without invisible format characters (bidi overrides and isolates, zero-width spaces and
/// joiners, BOM, soft hyphen…) or line/paragraph separators: what a processor reads is what
/// the name is. `contrato\u{202E}xcod.pdf` must not look like `contratofdp.docx`.
pub fn clean_file_name(name: &str) -> String {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base
        .chars()
        .filter(|c| {
            !matches!(
                c.general_category(),
                GeneralCategory::Control
                    | GeneralCategory::Format
                    | GeneralCategory::LineSeparator
                    | GeneralCategory::ParagraphSeparator
            )
        })
        .take(200)
        .collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() {
        "documento".into()
    } else {
        cleaned.to_owned()
    }
}

/// An upload the caller made and has not attached yet.
pub async fn claim_upload(
    db: &impl ConnectionTrait,
    caller_id: i64,
    token: &str,
) -> ServiceResult<upload::Model> {
    upload::Entity::find()
        .filter(upload::Column::Token.eq(token.trim()))
        .filter(upload::Column::UserId.eq(caller_id))
        .filter(upload::Column::AttachedAt.is_null())
        .one(db)
        .await?
        .ok_or(ServiceError::Upload(UploadProblem::UnknownUpload))
}

/// Stale uploads handled per round of `purge_stale_uploads`.
const PURGE_BATCH: u64 = 200;

/// Deletes uploads never attached within `stale_hours` (and their files), a batch at a time
/// so a large backlog is never loaded at once.
pub async fn purge_stale_uploads(
    db: &impl ConnectionTrait,
    storage: &Storage,
    stale_hours: i64,
) -> ServiceResult<u64> {
    let cutoff = now() - Duration::hours(stale_hours);
    let mut removed = 0;
    let mut after_id = 0;
    loop {
        let batch = upload::Entity::find()
            .filter(upload::Column::AttachedAt.is_null())
            .filter(upload::Column::CreatedAt.lt(cutoff))
            .filter(upload::Column::Id.gt(after_id))
            .order_by_asc(upload::Column::Id)
            .limit(PURGE_BATCH)
            .all(db)
            .await?;
        let Some(last) = batch.last() else { break };
        after_id = last.id;
        let full = batch.len() as u64 == PURGE_BATCH;
        for u in batch {
            storage.delete(&u.storage_key).await?;
            upload::Entity::delete_by_id(u.id).exec(db).await?;
            removed += 1;
        }
        if !full {
            break;
        }
    }
    Ok(removed)
}
