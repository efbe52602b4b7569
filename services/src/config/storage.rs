//! `[storage]` and `[uploads]`: where files are kept and how much one person may upload.

use serde::{Deserialize, Serialize};

/// Where documents, receipts and uploads are kept.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageConfig {
    pub backend: StorageBackend,
    /// `s3`: the bucket (it must exist).
    pub bucket: String,
    /// `s3`: the service's URL for S3-compatible servers (MinIO, Ceph, a provider's);
    /// empty for AWS itself. `http://` is accepted only when written so.
    pub endpoint: String,
    /// `s3`: the region; empty: `AWS_REGION` / `AWS_DEFAULT_REGION`, else `us-east-1`.
    pub region: String,
    /// `s3`: `http://endpoint/bucket/key` instead of `http://bucket.endpoint/key` (what most
    /// S3-compatible servers need).
    pub path_style: bool,
    /// `s3`: the access key. Leave it out of files: the standard `AWS_ACCESS_KEY_ID` /
    /// `AWS_SECRET_ACCESS_KEY` (/ `AWS_SESSION_TOKEN`) variables, or the instance's role, are
    /// used when these are empty; `CASIA_STORAGE__ACCESS_KEY_ID` /
    /// `CASIA_STORAGE__SECRET_ACCESS_KEY` when the AWS names are taken by something else.
    pub access_key_id: String,
    pub secret_access_key: String,
}

/// `local` by default; `s3` keeps every file in one bucket, shared by all instances.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StorageBackend {
    /// Files under `data_dir/files` (one instance, or a shared file system).
    #[default]
    Local,
    S3,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct UploadConfig {
    /// Largest accepted document, in bytes.
    pub max_bytes: u64,
    /// Uploaded files never attached to a case are deleted after this long.
    pub stale_hours: i64,
    /// Files one user may upload in an hour (attached or not).
    pub max_files_per_hour: u64,
    /// Bytes one user may upload in an hour.
    pub max_bytes_per_hour: u64,
    /// Uploads one user may have in progress at the same time.
    pub max_concurrent_per_user: u64,
}

impl Default for UploadConfig {
    fn default() -> Self {
        UploadConfig {
            max_bytes: 20 * 1024 * 1024,
            stale_hours: 24,
            max_files_per_hour: 100,
            max_bytes_per_hour: 500 * 1024 * 1024,
            max_concurrent_per_user: 3,
        }
    }
}
