//! Abuse limits: the public file verification answers any file at once and in little
//! memory, upload quotas per user, and idempotency keys that cannot reach another
//! authorisation's case.

use std::sync::Arc;
use std::time::{Duration, Instant};

use casia_domain::dto::{RateLimit, UploadProblem, Verification};
use casia_domain::{CaseType, FieldError, FieldProblem};
use casia_services::cases::{open::open_case, query, receipts};
use casia_services::entity::{authorisation_member, case};
use casia_services::{ServiceError, Services, db_test};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::fixtures::{self, PDF_BYTES};

/// A PDF bomb: 44 912 bytes whose 64 object streams inflate to 255 MiB each through
/// `[/FlateDecode /FlateDecode]`; parsing it took 13 s and 514 MiB.
const BOMB: &[u8] = include_bytes!("../fixtures/bomb-64x255.pdf");

/// Resident memory of this process, in bytes (Linux).
fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

/// A Trámite with one document, so it has a receipt; returns the receipt's PDF bytes.
async fn issued_receipt(s: &Services) -> Vec<u8> {
    let auth = fixtures::authorisation(s, "1000001", None, false).await;
    let ana = fixtures::member(s, "ana", &auth, true).await;
    let dni = fixtures::upload(s, &ana, "dni.pdf", PDF_BYTES)
        .await
        .unwrap();
    let form = fixtures::form_with_document(s, dni.token, "DNI", "k1").await;
    let opened = open_case(s, &ana, form).await.unwrap();
    let r = query::receipt_for(&s.db, &ana, opened.receipt.unwrap().id)
        .await
        .unwrap();
    s.storage.get(&r.storage_key).await.unwrap().to_vec()
}

/// Refused for the hour's upload bytes.
fn over_the_bytes<T>(r: &Result<T, ServiceError>) -> bool {
    matches!(
        r,
        Err(ServiceError::TooManyRequests {
            limit: RateLimit::UploadBytes { .. },
            ..
        })
    )
}

db_test!(
    a_decompression_bomb_is_answered_at_once_in_little_memory,
    |s| {
        let pdf = issued_receipt(&s).await;
        let before = resident_bytes();
        let started = Instant::now();
        let v = receipts::verify_file(&s.db, BOMB).await.unwrap();
        let took = started.elapsed();
        let grown = resident_bytes().saturating_sub(before);
        assert_eq!(v, Verification::NotAReceipt);
        // A safety bound, not a benchmark: parsing it used to take 13 s.
        assert!(took < Duration::from_secs(1), "the bomb took {took:?}");
        assert!(
            grown < 64 * 1024 * 1024,
            "resident memory grew by {} MiB",
            grown / (1024 * 1024)
        );

        // The right answers still come for the real receipt, an altered copy and noise.
        assert!(matches!(
            receipts::verify_file(&s.db, &pdf).await.unwrap(),
            Verification::Authentic(_)
        ));
        let mut altered = pdf.clone();
        let at = altered.len() / 2;
        altered[at] ^= 0x20;
        assert_eq!(
            receipts::verify_file(&s.db, &altered).await.unwrap(),
            Verification::Altered
        );
        let mut appended = pdf.clone();
        appended.extend_from_slice(b"\n% added later\n");
        assert_eq!(
            receipts::verify_file(&s.db, &appended).await.unwrap(),
            Verification::Altered
        );
        let noise: Vec<u8> = (0..200_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        assert_eq!(
            receipts::verify_file(&s.db, &noise).await.unwrap(),
            Verification::NotAReceipt
        );
        // A PDF naming a code that was never issued is not one of ours either.
        let forged = b"%PDF-1.5\n1 0 obj << /CasiaCEA (0000-0000-0000-0000-0000) >> endobj\n";
        assert_eq!(
            receipts::verify_file(&s.db, forged).await.unwrap(),
            Verification::NotAReceipt
        );
    }
);

db_test!(an_empty_code_is_a_problem_of_the_cea_field, |s| {
    for blank in ["", "   ", "\t"] {
        match receipts::verify_cea(&s.db, blank).await {
            Err(ServiceError::Invalid(errors)) => {
                assert_eq!(errors, vec![FieldError::new("cea", FieldProblem::Required)])
            }
            other => panic!("{blank:?}: {other:?}"),
        }
    }
    assert_eq!(
        receipts::verify_cea(&s.db, "not a code").await.unwrap(),
        Verification::Unknown
    );
});

db_test!(verification_is_limited_per_client_address, |s| {
    let per_minute = s.config.verification.per_minute;
    for _ in 0..per_minute {
        assert_eq!(
            receipts::verify_cea_for(&s, "192.0.2.7", "0000-0000-0000-0000-0000")
                .await
                .unwrap(),
            Verification::Unknown
        );
    }
    match receipts::verify_cea_for(&s, "192.0.2.7", "0000-0000-0000-0000-0000").await {
        Err(ServiceError::TooManyRequests {
            limit: RateLimit::Verification,
            retry_after_seconds,
        }) => assert!(retry_after_seconds >= 1),
        other => panic!("{other:?}"),
    }
    // The file route shares the allowance; another address has its own.
    assert!(matches!(
        receipts::admit_file_check(&s, "192.0.2.7"),
        Err(ServiceError::TooManyRequests { .. })
    ));
    assert!(
        receipts::verify_cea_for(&s, "192.0.2.8", "0000-0000-0000-0000-0000")
            .await
            .is_ok()
    );
    // Files checked at once are capped for everyone together, and refused without waiting.
    let max = s.config.verification.max_concurrent_files;
    let permits: Vec<_> = (0..max)
        .map(|i| receipts::admit_file_check(&s, &format!("198.51.100.{i}")).unwrap())
        .collect();
    assert!(matches!(
        receipts::admit_file_check(&s, "198.51.100.200"),
        Err(ServiceError::TooManyRequests {
            limit: RateLimit::VerificationBusy,
            ..
        })
    ));
    drop(permits);
    assert!(receipts::admit_file_check(&s, "198.51.100.200").is_ok());
});

/// The same services with other upload settings (and fresh in-memory limits).
fn with_uploads(
    s: &Services,
    change: impl FnOnce(&mut casia_services::config::UploadConfig),
) -> Services {
    let mut config = (*s.config).clone();
    change(&mut config.uploads);
    let limits = Arc::new(casia_services::rate_limit::Limits::from_config(&config));
    Services {
        config: Arc::new(config),
        limits,
        ..s.clone()
    }
}

db_test!(uploads_beyond_the_hourly_file_quota_are_refused, |s| {
    let s = with_uploads(&s, |u| u.max_files_per_hour = 3);
    let auth = fixtures::authorisation(&s, "1000001", None, false).await;
    let ana = fixtures::member(&s, "ana", &auth, true).await;
    let luis = fixtures::member(&s, "luis", &auth, false).await;
    for i in 0..3 {
        fixtures::upload(&s, &ana, &format!("f{i}.pdf"), PDF_BYTES)
            .await
            .unwrap();
    }
    match fixtures::upload(&s, &ana, "f3.pdf", PDF_BYTES).await {
        Err(ServiceError::TooManyRequests {
            limit: RateLimit::UploadFiles { max: 3 },
            retry_after_seconds,
        }) => {
            assert!(
                (3000..=3600).contains(&retry_after_seconds),
                "{retry_after_seconds}"
            )
        }
        other => panic!("{other:?}"),
    }
    // Another user of the same authorisation has their own quota.
    fixtures::upload(&s, &luis, "suyo.pdf", PDF_BYTES)
        .await
        .unwrap();
    // Uploads older than an hour no longer count.
    use sea_orm::sea_query::Expr;
    casia_services::entity::upload::Entity::update_many()
        .col_expr(
            casia_services::entity::upload::Column::CreatedAt,
            Expr::value(casia_services::clock::now() - chrono::Duration::minutes(61)),
        )
        .exec(&s.db)
        .await
        .unwrap();
    fixtures::upload(&s, &ana, "f4.pdf", PDF_BYTES)
        .await
        .unwrap();
});

db_test!(
    uploads_beyond_the_hourly_byte_quota_are_refused_before_and_after_streaming,
    |s| {
        let bytes = PDF_BYTES.len() as u64;
        let s = with_uploads(&s, |u| u.max_bytes_per_hour = bytes * 2 + bytes / 2);
        let auth = fixtures::authorisation(&s, "1000001", None, false).await;
        let ana = fixtures::member(&s, "ana", &auth, true).await;
        fixtures::upload(&s, &ana, "a.pdf", PDF_BYTES)
            .await
            .unwrap();
        fixtures::upload(&s, &ana, "b.pdf", PDF_BYTES)
            .await
            .unwrap();
        // Refused on its declared length, before any byte is read.
        let never_read = futures::stream::poll_fn(
            |_| -> std::task::Poll<Option<Result<bytes::Bytes, std::io::Error>>> {
                panic!("the body must not be read")
            },
        );
        let refused =
            casia_services::files::receive_upload(&s, &ana, "c.pdf", Some(bytes), never_read).await;
        assert!(over_the_bytes(&refused), "{refused:?}");
        // Without a declared length it is streamed, then refused when recorded, and not kept.
        let body = futures::stream::iter(vec![Ok::<_, std::io::Error>(bytes::Bytes::from_static(
            PDF_BYTES,
        ))]);
        let refused = casia_services::files::receive_upload(&s, &ana, "c.pdf", None, body).await;
        assert!(over_the_bytes(&refused), "{refused:?}");
        assert_eq!(
            casia_services::entity::upload::Entity::find()
                .count(&s.db)
                .await
                .unwrap(),
            2
        );
        let stored = walk_files(&s.config.storage_dir().join("uploads"));
        assert_eq!(stored, 2, "the refused file was deleted from storage");
    }
);

fn walk_files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    if e.path().is_dir() {
                        walk_files(&e.path())
                    } else {
                        1
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

db_test!(a_user_has_at_most_a_few_uploads_in_progress, |s| {
    let auth = fixtures::authorisation(&s, "1000001", None, false).await;
    let ana = fixtures::member(&s, "ana", &auth, true).await;
    let max = s.config.uploads.max_concurrent_per_user;
    let running: Vec<_> = (0..max)
        .map(|_| s.limits.uploads_in_progress.try_start(ana.user.id).unwrap())
        .collect();
    match fixtures::upload(&s, &ana, "otro.pdf", PDF_BYTES).await {
        Err(ServiceError::TooManyRequests {
            limit: RateLimit::UploadsAtOnce { max: m },
            ..
        }) => assert_eq!(m, max),
        other => panic!("{other:?}"),
    }
    drop(running);
    fixtures::upload(&s, &ana, "otro.pdf", PDF_BYTES)
        .await
        .unwrap();
    // Declared too large: refused before anything else.
    let body = futures::stream::empty::<Result<bytes::Bytes, std::io::Error>>();
    let refused = casia_services::files::receive_upload(
        &s,
        &ana,
        "big.pdf",
        Some(s.config.uploads.max_bytes + 1),
        body,
    )
    .await;
    assert!(
        matches!(
            refused,
            Err(ServiceError::Upload(UploadProblem::TooLarge { .. }))
        ),
        "{refused:?}"
    );
});

db_test!(
    a_replayed_key_never_shows_a_case_of_an_authorisation_the_user_left,
    |s| {
        let a = fixtures::authorisation(&s, "1000001", None, false).await;
        let b = fixtures::authorisation(&s, "1000002", None, false).await;
        let ana = fixtures::member(&s, "ana", &a, false).await;
        let form = fixtures::new_case_form(
            CaseType::Tramite,
            fixtures::tramite_path(&s).await,
            "k-replayed",
        );
        let opened = open_case(&s, &ana, form.clone()).await.unwrap();
        assert!(opened.receipt.is_some());
        // The same form again, still in A: the same answer (a resend, not a new case).
        assert_eq!(
            open_case(&s, &ana, form.clone()).await.unwrap().number,
            opened.number
        );

        // Ana leaves A and now acts for B only.
        casia_services::authorisations::add_member(&s.db, b.id, ana.user.id, false)
            .await
            .unwrap();
        authorisation_member::Entity::delete_by_id((a.id, ana.user.id))
            .exec(&s.db)
            .await
            .unwrap();
        let (_, ana_in_b) = fixtures::login(&s, "ana").await;
        assert_eq!(ana_in_b.authorisation.as_ref().map(|x| x.id), Some(b.id));

        let replay = open_case(&s, &ana_in_b, form).await;
        assert!(
            matches!(replay, Err(ServiceError::Conflict)),
            "A's case (number, CEA) must not come back: {replay:?}"
        );
        let in_b = case::Entity::find()
            .filter(case::Column::AuthorisationId.eq(b.id))
            .count(&s.db)
            .await
            .unwrap();
        assert_eq!(in_b, 0, "no case was opened in B under the old key");
        // Modificar Información looks the case up in the current authorisation before any key.
        let modify = casia_domain::dto::ModifyInformationForm {
            information: "x".into(),
            version: 0,
            idempotency_key: "k-replayed".into(),
            ..Default::default()
        };
        let replay = casia_services::cases::user_actions::modify_information(
            &s,
            &ana_in_b,
            opened.number,
            modify,
        )
        .await;
        assert!(matches!(replay, Err(ServiceError::NotFound)), "{replay:?}");
    }
);

db_test!(
    a_case_with_very_many_records_shows_the_latest_within_a_cap,
    |s| {
        use casia_domain::dto::CASE_LIST_MAX;
        use casia_services::entity::{case_history, case_message};
        use sea_orm::{ActiveModelTrait, Set};
        let auth = fixtures::authorisation(&s, "1000001", None, false).await;
        let ana = fixtures::member(&s, "ana", &auth, true).await;
        let number = fixtures::open(&s, &ana, CaseType::Consulta).await;
        let c = casia_services::cases::find_by_number(&s.db, number)
            .await
            .unwrap();
        let start = casia_services::clock::now();
        let extra = CASE_LIST_MAX as i64 + 10;
        for i in 1..=extra {
            let at = start + chrono::Duration::seconds(i);
            case_history::ActiveModel {
                case_id: Set(c.id),
                state: Set("abierto".parse().unwrap()),
                substate: Set("presentado".parse().unwrap()),
                at: Set(at),
                observations: Set(format!("estado {i}")),
                action: Set("modify_information".parse().unwrap()),
                actor_id: Set(Some(ana.user.id)),
                ..Default::default()
            }
            .insert(&s.db)
            .await
            .unwrap();
            case_message::ActiveModel {
                case_id: Set(c.id),
                kind: Set("user_information".parse().unwrap()),
                author_id: Set(ana.user.id),
                body: Set(format!("mensaje {i}")),
                at: Set(at),
                ..Default::default()
            }
            .insert(&s.db)
            .await
            .unwrap();
        }
        let history = query::history_for_user(&s.db, &ana, number).await.unwrap();
        assert!(history.capped);
        assert_eq!(history.rows.len() as u64, CASE_LIST_MAX);
        assert_eq!(
            history.rows.last().unwrap().observations,
            format!("estado {extra}"),
            "the latest are kept, oldest first"
        );
        let detail = query::detail_for_user(&s.db, &ana, number).await.unwrap();
        assert!(detail.capped);
        assert_eq!(detail.messages.len() as u64, CASE_LIST_MAX);
        assert_eq!(
            detail.messages.last().unwrap().body,
            format!("mensaje {extra}")
        );
        assert_eq!(
            detail.messages.first().unwrap().body,
            format!("mensaje {}", extra - CASE_LIST_MAX as i64 + 1)
        );
        // An ordinary case is not capped.
        let other = fixtures::open(&s, &ana, CaseType::Consulta).await;
        assert!(
            !query::detail_for_user(&s.db, &ana, other)
                .await
                .unwrap()
                .capped
        );
        assert!(
            !query::history_for_user(&s.db, &ana, other)
                .await
                .unwrap()
                .capped
        );
    }
);
