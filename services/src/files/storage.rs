//! Where files live: an `object_store` under keys the server makes up.

use std::sync::Arc;

use bytes::Bytes;
use casia_domain::dto::UploadProblem;
use futures::{Stream, StreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as StorePath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::clock::now;
use crate::config::{StorageBackend, StorageConfig};
use crate::error::{ServiceError, ServiceResult};

use super::{SNIFF_BYTES, StoredFile, UploadFailure, classify};

#[derive(Clone)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
}

impl Storage {
    /// The store `storage.*` names: `local_dir` for `local`, the bucket for `s3`.
    pub fn from_config(
        config: &StorageConfig,
        local_dir: &std::path::Path,
    ) -> ServiceResult<Storage> {
        match config.backend {
            StorageBackend::Local => Storage::local(local_dir),
            StorageBackend::S3 => Storage::s3(config),
        }
    }

    /// An S3 bucket (AWS or compatible). Credentials and anything not set here come from the
    /// standard `AWS_*` environment variables.
    pub fn s3(config: &StorageConfig) -> ServiceResult<Storage> {
        if config.bucket.trim().is_empty() {
            return Err(ServiceError::Storage(
                "storage.bucket must be set when storage.backend = \"s3\"".into(),
            ));
        }
        let mut builder = AmazonS3Builder::from_env()
            .with_bucket_name(config.bucket.trim())
            .with_virtual_hosted_style_request(!config.path_style);
        let endpoint = config.endpoint.trim();
        if !endpoint.is_empty() {
            // Plain http only when the operator wrote it (a server on the same host or network).
            let plain = endpoint
                .get(..7)
                .is_some_and(|s| s.eq_ignore_ascii_case("http://"));
            builder = builder.with_endpoint(endpoint).with_allow_http(plain);
        }
        if !config.region.trim().is_empty() {
            builder = builder.with_region(config.region.trim());
        }
        if !config.access_key_id.is_empty() {
            builder = builder
                .with_access_key_id(&config.access_key_id)
                .with_secret_access_key(&config.secret_access_key);
        }
        // Transient failures are retried, but for seconds, not the default minutes: a request
        // waiting on its file is bounded by the request deadline anyway.
        let builder = builder.with_retry(object_store::RetryConfig {
            max_retries: 3,
            retry_timeout: std::time::Duration::from_secs(15),
            ..object_store::RetryConfig::default()
        });
        let store = builder
            .build()
            .map_err(|e| ServiceError::Storage(format!("storage (s3): {e}")))?;
        Ok(Storage {
            store: Arc::new(store),
        })
    }

    /// Whether the store answers within a few seconds (for `/readyz`): a missing object is
    /// an answer.
    pub async fn check_reachable(&self) -> ServiceResult<()> {
        let key = StorePath::from("casia-readiness-probe");
        let probe = self.store.head(&key);
        match tokio::time::timeout(std::time::Duration::from_secs(5), probe).await {
            Ok(Ok(_) | Err(object_store::Error::NotFound { .. })) => Ok(()),
            Ok(Err(e)) => Err(ServiceError::Storage(e.to_string())),
            Err(_) => Err(ServiceError::Storage("no answer within 5 s".into())),
        }
    }

    pub fn local(dir: &std::path::Path) -> ServiceResult<Storage> {
        std::fs::create_dir_all(dir)
            .map_err(|e| ServiceError::Storage(format!("creating {}: {e}", dir.display())))?;
        let store = LocalFileSystem::new_with_prefix(dir)
            .map_err(|e| ServiceError::Storage(e.to_string()))?;
        Ok(Storage {
            store: Arc::new(store),
        })
    }

    pub async fn put(&self, key: &str, data: Vec<u8>) -> ServiceResult<()> {
        self.store
            .put(&StorePath::from(key), PutPayload::from(data))
            .await
            .map_err(|e| ServiceError::Storage(e.to_string()))?;
        Ok(())
    }

    /// The stored object, or `NotFound`.
    async fn fetch(&self, key: &str) -> ServiceResult<object_store::GetResult> {
        self.store
            .get(&StorePath::from(key))
            .await
            .map_err(|e| match e {
                object_store::Error::NotFound { .. } => ServiceError::NotFound,
                other => ServiceError::Storage(other.to_string()),
            })
    }

    pub async fn get(&self, key: &str) -> ServiceResult<Bytes> {
        let result = self.fetch(key).await?;
        result
            .bytes()
            .await
            .map_err(|e| ServiceError::Storage(e.to_string()))
    }

    /// The file as a stream of chunks, for downloads that must not be held in memory.
    pub async fn stream(
        &self,
        key: &str,
    ) -> ServiceResult<(
        u64,
        impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static,
    )> {
        let result = self.fetch(key).await?;
        let size = result.meta.size;
        Ok((
            size,
            result
                .into_stream()
                .map(|r| r.map_err(std::io::Error::other)),
        ))
    }

    pub async fn delete(&self, key: &str) -> ServiceResult<()> {
        match self.store.delete(&StorePath::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(ServiceError::Storage(e.to_string())),
        }
    }

    /// Streams `body` to `key`, never holding more than a few chunks in memory. Checks the
    /// size limit as bytes arrive and the kind once the first bytes are in.
    pub async fn put_upload<S, E>(
        &self,
        key: &str,
        file_name: &str,
        max_bytes: u64,
        mut body: S,
    ) -> Result<StoredFile, UploadFailure>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let path = StorePath::from(key);
        let mut head: Vec<u8> = Vec::new();
        let mut media_type: Option<&'static str> = None;
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        let mut writer: Option<WriteMultipart> = None;

        let fail = |p: UploadProblem| UploadFailure::Refused(p);
        loop {
            let next = body.next().await;
            let chunk = match next {
                Some(Ok(chunk)) => chunk,
                Some(Err(e)) => {
                    tracing::info!(error = %e, "upload interrupted");
                    if let Some(w) = writer.take() {
                        let _ = w.abort().await;
                    }
                    return Err(fail(UploadProblem::Incomplete));
                }
                None => break,
            };
            size += chunk.len() as u64;
            if size > max_bytes {
                if let Some(w) = writer.take() {
                    let _ = w.abort().await;
                }
                return Err(fail(UploadProblem::TooLarge { max_bytes }));
            }
            hasher.update(&chunk);
            match &mut writer {
                Some(w) => w.write(&chunk),
                None => {
                    head.extend_from_slice(&chunk);
                    if head.len() >= SNIFF_BYTES {
                        media_type = Some(classify(file_name, &head).map_err(fail)?);
                        let upload = self
                            .store
                            .put_multipart(&path)
                            .await
                            .map_err(|e| UploadFailure::Storage(e.to_string()))?;
                        let mut w = WriteMultipart::new_with_chunk_size(upload, 5 * 1024 * 1024);
                        w.write(&head);
                        head = Vec::new();
                        writer = Some(w);
                    }
                }
            }
            // Back-pressure: wait for in-flight parts before reading more.
            if let Some(w) = &mut writer {
                w.wait_for_capacity(2)
                    .await
                    .map_err(|e| UploadFailure::Storage(e.to_string()))?;
            }
        }
        if size == 0 {
            return Err(fail(UploadProblem::Empty));
        }
        match writer {
            Some(w) => {
                w.finish()
                    .await
                    .map_err(|e| UploadFailure::Storage(e.to_string()))?;
            }
            None => {
                media_type = Some(classify(file_name, &head).map_err(fail)?);
                self.store
                    .put(&path, PutPayload::from(head))
                    .await
                    .map_err(|e| UploadFailure::Storage(e.to_string()))?;
            }
        }
        Ok(StoredFile {
            size: size as i64,
            sha256: hex::encode(hasher.finalize()),
            media_type: media_type.unwrap_or("application/octet-stream"),
        })
    }
}

/// A random, URL-safe identifier (for storage keys and upload tokens).
pub fn random_id(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    data_encoding::BASE32_NOPAD.encode(&buf).to_lowercase()
}

/// Storage keys are made up here, grouped by month; the person's file name never enters them.
pub fn new_storage_key(prefix: &str) -> String {
    let at = now();
    format!("{prefix}/{}/{}", at.format("%Y/%m"), random_id(20))
}
