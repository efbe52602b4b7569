//! Document storage and uploads.
//!
//! Files stream into an `object_store` (a local directory by default) under keys the server
//! makes up; a file's name is only ever kept as data. Each file's kind is decided from its
//! content, and must agree with the extension its name claims.

use std::sync::Arc;

use bytes::Bytes;
use casia_domain::dto::{RateLimit, UploadProblem, UploadedFile};
use chrono::{DateTime, Duration, Utc};
use futures::{Stream, StreamExt};
use object_store::local::LocalFileSystem;
use object_store::path::Path as StorePath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use sha2::{Digest, Sha256};

use crate::Services;
use crate::accounts::Caller;
use crate::clock::now;
use crate::config::UploadConfig;
use crate::entity::upload;
use crate::error::{ServiceError, ServiceResult};

/// How much of the start of a file is looked at to decide its kind.
const SNIFF_BYTES: usize = 64 * 1024;

#[derive(Clone)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
}

impl Storage {
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

    pub async fn get(&self, key: &str) -> ServiceResult<Bytes> {
        let result = self
            .store
            .get(&StorePath::from(key))
            .await
            .map_err(|e| match e {
                object_store::Error::NotFound { .. } => ServiceError::NotFound,
                other => ServiceError::Storage(other.to_string()),
            })?;
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
        let result = self
            .store
            .get(&StorePath::from(key))
            .await
            .map_err(|e| match e {
                object_store::Error::NotFound { .. } => ServiceError::NotFound,
                other => ServiceError::Storage(other.to_string()),
            })?;
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

/// The extension a name claims, lower-cased (`""` when none).
pub fn extension(file_name: &str) -> String {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    match base.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => String::new(),
    }
}

/// Decides the kind of a file from its first bytes and checks it against the extension.
/// Returns the media type that will be stored and sent with downloads.
pub fn classify(file_name: &str, head: &[u8]) -> Result<&'static str, UploadProblem> {
    if file_name.trim().is_empty() {
        return Err(UploadProblem::MissingName);
    }
    if head.is_empty() {
        return Err(UploadProblem::Empty);
    }
    let declared = extension(file_name);
    let accepted = |exts: &[&str]| exts.contains(&declared.as_str());
    let mismatch = |detected: &str| UploadProblem::ContentMismatch {
        declared: declared.clone(),
        detected: detected.to_owned(),
    };

    // Binary kinds, recognised by their signature.
    let detected: Option<(&'static str, &[&str], &str)> = if infer::doc::is_docx(head) {
        Some((
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            &["docx"],
            "DOCX",
        ))
    } else if infer::doc::is_xlsx(head) {
        Some((
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &["xlsx"],
            "XLSX",
        ))
    } else if infer::odf::is_odt(head) {
        Some(("application/vnd.oasis.opendocument.text", &["odt"], "ODT"))
    } else if infer::odf::is_ods(head) {
        Some((
            "application/vnd.oasis.opendocument.spreadsheet",
            &["ods"],
            "ODS",
        ))
    } else if infer::archive::is_pdf(head) {
        Some(("application/pdf", &["pdf"], "PDF"))
    } else if infer::image::is_jpeg(head) {
        Some(("image/jpeg", &["jpg", "jpeg"], "JPEG"))
    } else if infer::image::is_png(head) {
        Some(("image/png", &["png"], "PNG"))
    } else if infer::image::is_tiff(head) {
        Some(("image/tiff", &["tif", "tiff"], "TIFF"))
    } else {
        None
    };
    if let Some((media_type, exts, name)) = detected {
        return if accepted(exts) {
            Ok(media_type)
        } else if is_accepted_extension(&declared) {
            Err(mismatch(name))
        } else {
            Err(UploadProblem::TypeNotAllowed)
        };
    }
    // Any other recognised signature (executables, archives, audio…) is refused outright.
    if let Some(other) = infer::get(head)
        && !matches!(
            other.mime_type(),
            "text/xml" | "application/xml" | "text/plain"
        )
    {
        return if is_accepted_extension(&declared) {
            Err(mismatch(other.extension()))
        } else {
            Err(UploadProblem::TypeNotAllowed)
        };
    }
    // Text kinds have no signature: the content must be text.
    let text = looks_like_text(head);
    match declared.as_str() {
        "txt" | "csv" if text => Ok(if declared == "csv" {
            "text/csv"
        } else {
            "text/plain"
        }),
        "xml" if text && starts_like_xml(head) => Ok("application/xml"),
        "txt" | "csv" | "xml" => Err(mismatch(if text { "texto" } else { "binario" })),
        ext if is_accepted_extension(ext) => {
            Err(mismatch(if text { "texto" } else { "desconocido" }))
        }
        _ => Err(UploadProblem::TypeNotAllowed),
    }
}

fn is_accepted_extension(ext: &str) -> bool {
    casia_domain::dto::ACCEPTED_FILE_KINDS
        .iter()
        .any(|(exts, _)| exts.contains(&ext))
}

/// UTF-8 (allowing a cut multi-byte character at the end of the sample) or Latin-1 text
/// without control characters other than tab, line feeds and form feed.
fn looks_like_text(head: &[u8]) -> bool {
    let no_controls = head
        .iter()
        .all(|&b| b >= 0x20 || matches!(b, b'\t' | b'\n' | b'\r' | 0x0c));
    if !no_controls {
        return false;
    }
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() || !head.iter().any(|&b| (0x80..0xa0).contains(&b)),
    }
}

fn starts_like_xml(head: &[u8]) -> bool {
    let head = head.strip_prefix(&[0xEF, 0xBB, 0xBF][..]).unwrap_or(head);
    head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<')
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

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n";
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";
    const JPEG: &[u8] = b"\xff\xd8\xff\xe0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0";
    const EXE: &[u8] = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0\xb8\0\0\0\0\0\0\0@\0\0\0\0\0\0\0";

    #[test]
    fn accepted_kinds_pass_when_name_and_content_agree() {
        assert_eq!(classify("justificante.PDF", PDF), Ok("application/pdf"));
        assert_eq!(classify("captura.png", PNG), Ok("image/png"));
        assert_eq!(classify("foto.jpeg", JPEG), Ok("image/jpeg"));
        assert_eq!(classify("foto.jpg", JPEG), Ok("image/jpeg"));
        assert_eq!(
            classify("remesa.txt", "Línea con acentos: año\n".as_bytes()),
            Ok("text/plain")
        );
        assert_eq!(
            classify("datos.csv", b"naf;nombre\n281234567890;Ana\n"),
            Ok("text/csv")
        );
        assert_eq!(
            classify("fichero.xml", b"\xef\xbb\xbf<?xml version=\"1.0\"?><a/>"),
            Ok("application/xml")
        );
        // Latin-1 text (common in files from older systems).
        assert_eq!(classify("antiguo.txt", b"Espa\xf1a\n"), Ok("text/plain"));
    }

    #[test]
    fn content_that_contradicts_the_name_is_refused() {
        assert_eq!(
            classify("contrato.pdf", PNG),
            Err(UploadProblem::ContentMismatch {
                declared: "pdf".into(),
                detected: "PNG".into()
            })
        );
        assert_eq!(
            classify("foto.png", PDF),
            Err(UploadProblem::ContentMismatch {
                declared: "png".into(),
                detected: "PDF".into()
            })
        );
        assert!(matches!(
            classify("factura.pdf", b"just some text"),
            Err(UploadProblem::ContentMismatch { .. })
        ));
        assert!(matches!(
            classify("notas.txt", EXE),
            Err(UploadProblem::ContentMismatch { .. })
        ));
        assert!(matches!(
            classify("datos.xml", b"no es xml"),
            Err(UploadProblem::ContentMismatch { .. })
        ));
    }

    #[test]
    fn other_kinds_are_not_accepted() {
        assert_eq!(
            classify("programa.exe", EXE),
            Err(UploadProblem::TypeNotAllowed)
        );
        assert_eq!(
            classify("script.sh", b"#!/bin/sh\necho hi\n"),
            Err(UploadProblem::TypeNotAllowed)
        );
        assert_eq!(
            classify("sin-extension", PDF),
            Err(UploadProblem::TypeNotAllowed)
        );
        assert_eq!(classify("", PDF), Err(UploadProblem::MissingName));
        assert_eq!(classify("vacio.pdf", b""), Err(UploadProblem::Empty));
    }

    #[test]
    fn file_names_are_kept_only_as_data() {
        assert_eq!(extension("../../etc/passwd.PDF"), "pdf");
        assert_eq!(extension(".bashrc"), "");
        assert_eq!(
            clean_file_name("C:\\Users\\ana\\DNI escaneado.pdf"),
            "DNI escaneado.pdf"
        );
        assert_eq!(clean_file_name("../../secreto\u{0}.txt"), "secreto.txt");
        assert_eq!(clean_file_name("   "), "documento");
        // Bidi overrides would show this PDF to a processor as "contratofdp.docx".
        assert_eq!(
            clean_file_name("contrato\u{202E}xcod.pdf"),
            "contratoxcod.pdf"
        );
        assert_eq!(
            clean_file_name(
                "\u{FEFF}dni\u{200B}\u{200D}\u{2066}escaneado\u{2069}\u{2060}.pdf\u{2028}"
            ),
            "dniescaneado.pdf"
        );
        assert_eq!(
            clean_file_name("a\u{202A}b\u{202B}c\u{202C}d\u{202D}e\u{200E}f\u{200F}g\u{00AD}h.txt"),
            "abcdefgh.txt"
        );
        assert_eq!(clean_file_name("\u{202E}\u{200B}"), "documento");
        // Letters of other scripts, accents and emoji are kept.
        assert_eq!(
            clean_file_name("Nómina ñandú 日本 ✅.pdf"),
            "Nómina ñandú 日本 ✅.pdf"
        );
        let key = new_storage_key("documents");
        assert!(key.starts_with("documents/"));
        assert!(!key.contains(".."));
    }
}
