//! Files in an S3 bucket (`storage.backend = "s3"`), against a real S3-compatible server
//! (`s3s-fs`, signed requests, path-style): large uploads go up in parts and come back
//! streamed; the case's document lives in the bucket, not on the local disk.

use casia_services::ServiceError;
use casia_services::config::StorageConfig;
use casia_services::db_test;
use casia_services::files::Storage;
use casia_services::testing::s3::{BUCKET, S3Server};
use futures::StreamExt;
use sha2::{Digest, Sha256};

use crate::fixtures::{self, PDF_BYTES};

/// A PDF of `size` bytes: the header the kind check reads, then filler.
fn large_pdf(size: usize) -> Vec<u8> {
    let mut bytes = PDF_BYTES.to_vec();
    bytes.extend((0..size - PDF_BYTES.len()).map(|i| (i % 251) as u8));
    bytes
}

db_test!(a_case_document_goes_to_the_bucket_and_streams_back, |s| {
    let Some(server) = S3Server::start() else {
        return;
    };
    let s = casia_services::testing::with_s3(&s, &server);
    let auth = fixtures::authorisation(&s, "1000001", None, false).await;
    let ana = fixtures::member(&s, "ana", &auth, true).await;
    // 12 MiB: three parts of a multipart upload (5 MiB each at most).
    let content = large_pdf(12 * 1024 * 1024);
    let uploaded = fixtures::upload(&s, &ana, "nominas.pdf", &content)
        .await
        .unwrap();
    let form = fixtures::form_with_document(&s, uploaded.token.clone(), "Nóminas", "form-s3").await;
    let number = casia_services::cases::open::open_case(&s, &ana, form)
        .await
        .unwrap()
        .number;
    let doc = fixtures::first_document(&s, &ana, number).await;

    // In the bucket (s3s-fs keeps an object as a file under the bucket's folder)…
    let object = server.root.path().join(BUCKET).join(&doc.storage_key);
    assert_eq!(
        std::fs::metadata(&object).map(|m| m.len()).ok(),
        Some(content.len() as u64),
        "{}",
        object.display()
    );
    // …and not in the local directory.
    assert!(!s.config.storage_dir().join(&doc.storage_key).exists());

    // Downloads stream it back in chunks, byte for byte.
    let (size, mut chunks) = s.storage.stream(&doc.storage_key).await.unwrap();
    assert_eq!(size, content.len() as u64);
    let mut hasher = Sha256::new();
    let mut pieces = 0;
    while let Some(chunk) = chunks.next().await {
        hasher.update(chunk.unwrap());
        pieces += 1;
    }
    assert!(pieces > 1, "streamed, not read whole");
    assert_eq!(
        hex::encode(hasher.finalize()),
        hex::encode(Sha256::digest(&content))
    );

    // A refused upload (too large) leaves nothing behind in the bucket.
    let before = count_objects(&server);
    let mut small = (*s.config).clone();
    small.uploads.max_bytes = 6 * 1024 * 1024;
    let limited = casia_services::Services {
        config: std::sync::Arc::new(small),
        ..s.clone()
    };
    let refused = fixtures::upload(&limited, &ana, "grande.pdf", &content).await;
    assert!(
        matches!(refused, Err(ServiceError::Upload(_))),
        "{refused:?}"
    );
    assert_eq!(count_objects(&server), before);
});

/// Objects (files) in the test server's bucket.
fn count_objects(server: &S3Server) -> usize {
    fn walk(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| {
                        let p = e.path();
                        if p.is_dir() { walk(&p) } else { 1 }
                    })
                    .sum()
            })
            .unwrap_or(0)
    }
    walk(&server.root.path().join(BUCKET))
}

#[tokio::test]
async fn requests_are_signed_and_an_unreachable_bucket_is_told() {
    let Some(mut server) = S3Server::start() else {
        return;
    };
    let storage = Storage::s3(&server.config()).unwrap();
    storage.check_reachable().await.unwrap();
    storage.put("probe/a", b"hola".to_vec()).await.unwrap();
    assert_eq!(&storage.get("probe/a").await.unwrap()[..], b"hola");

    // The server checks the signature: a wrong secret is refused.
    let forged = Storage::s3(&StorageConfig {
        secret_access_key: "not-the-secret".into(),
        ..server.config()
    })
    .unwrap();
    assert!(forged.put("probe/b", b"x".to_vec()).await.is_err());
    assert!(matches!(
        forged.get("probe/a").await,
        Err(ServiceError::Storage(_))
    ));

    // No bucket named: a configuration error at start-up, not at the first upload.
    let unnamed = Storage::s3(&StorageConfig {
        bucket: String::new(),
        ..server.config()
    });
    assert!(unnamed.is_err());

    server.stop();
    assert!(
        storage.check_reachable().await.is_err(),
        "readiness sees it gone"
    );
}
