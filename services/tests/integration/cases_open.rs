//! Nuevo Caso: numbering, documents, receipts, duplicates, bad files, verification.

use casia_domain::dto::{DocumentToAttach, ReceiptKind, UploadProblem, Verification};
use casia_domain::{CaseType, FieldProblem, Substate};
use casia_services::cases::{open::open_case, query, receipts};
use casia_services::entity::{case, case_history, document, notice};
use casia_services::error::ServiceError;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::fixtures::{self, PDF_BYTES, PNG_BYTES};
use casia_services::db_test;

db_test!(
    a_tramite_with_two_documents_gets_a_number_a_receipt_and_a_notice,
    |s| {
        let auth =
            fixtures::authorisation(&s, "1000001", Some("avisos@gestoria.example"), true).await;
        let user = fixtures::member(&s, "ana", &auth, true).await;
        let dni = fixtures::upload(&s, &user, "dni.pdf", PDF_BYTES)
            .await
            .unwrap();
        let shot = fixtures::upload(&s, &user, "captura.png", PNG_BYTES)
            .await
            .unwrap();
        let type_id = fixtures::document_type_id(&s).await;
        let mut form =
            fixtures::new_case_form(CaseType::Tramite, fixtures::tramite_path(&s).await, "k1");
        form.documents = vec![
            DocumentToAttach {
                document_type_id: Some(type_id),
                title: "DNI del trabajador".into(),
                upload_token: dni.token,
            },
            DocumentToAttach {
                document_type_id: Some(type_id),
                title: "Captura".into(),
                upload_token: shot.token,
            },
        ];
        let opened = open_case(&s, &user, form).await.unwrap();
        assert!(
            opened.number_display.ends_with("-0000001"),
            "{}",
            opened.number_display
        );
        let receipt = opened.receipt.expect("a Trámite has a receipt");
        assert_eq!(receipt.kind, ReceiptKind::Solicitud);

        let c = case::Entity::find()
            .filter(case::Column::Number.eq(opened.number))
            .one(&s.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (c.state.code(), c.substate.code()),
            ("abierto", "presentado")
        );
        let docs = document::Entity::find()
            .filter(document::Column::CaseId.eq(c.id))
            .all(&s.db)
            .await
            .unwrap();
        assert_eq!(docs.len(), 2);
        assert!(docs.iter().all(|d| d.receipt_id == Some(receipt.id)));
        assert_eq!(docs[1].media_type, "image/png");
        assert_eq!(docs[0].sha256.len(), 64);
        let history = case_history::Entity::find()
            .filter(case_history::Column::CaseId.eq(c.id))
            .all(&s.db)
            .await
            .unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].substate.code(), "presentado");
        let notices = notice::Entity::find()
            .filter(notice::Column::CaseId.eq(c.id))
            .all(&s.db)
            .await
            .unwrap();
        assert_eq!(notices.len(), 1);
        assert_eq!(notices[0].kind.code(), "case_opened");
        assert_eq!(
            notices[0].email_status,
            casia_domain::model::EmailStatus::Pending
        );
        assert_eq!(
            notices[0].email_to.as_deref(),
            Some("avisos@gestoria.example")
        );

        // The receipt verifies by its CEA (typed loosely) and by its own bytes.
        let v = receipts::verify_cea(&s.db, &receipt.cea.to_lowercase())
            .await
            .unwrap();
        let Verification::Authentic(found) = v else {
            panic!("{v:?}")
        };
        assert_eq!(found.case_number, opened.number_display);
        assert_eq!(found.documents.len(), 2);
        assert_eq!(found.documents[0].file_name, "dni.pdf");
        let r = query::receipt_for(&s.db, &user, receipt.id).await.unwrap();
        let pdf = s.storage.get(&r.storage_key).await.unwrap();
        // Read back with a real PDF reader: what a person sees in the file.
        let text = pdf_text(&pdf);
        for expected in [
            opened.number_display.as_str(),
            "Justificante de solicitud de trámite",
            "DNI del trabajador",
            "captura.png",
            receipt.cea.as_str(),
            "Empresa 1000001, S.L.",
        ] {
            assert!(
                text.contains(expected),
                "{expected:?} missing from:\n{text}"
            );
        }
        assert!(matches!(
            receipts::verify_file(&s.db, &pdf).await.unwrap(),
            Verification::Authentic(_)
        ));
        // One changed byte: the file names a real CEA but is not the issued receipt.
        let mut altered = pdf.to_vec();
        let last = altered.len() - 10;
        altered[last] ^= 0x01;
        let v = receipts::verify_file(&s.db, &altered).await.unwrap();
        assert!(
            matches!(v, Verification::Altered | Verification::NotAReceipt),
            "{v:?}"
        );
        assert_eq!(
            receipts::verify_file(&s.db, PDF_BYTES).await.unwrap(),
            Verification::NotAReceipt
        );
        assert_eq!(
            receipts::verify_cea(&s.db, "0000-0000-0000-0000-0000")
                .await
                .unwrap(),
            Verification::Unknown
        );
    }
);

db_test!(consultas_have_no_receipt_and_numbers_increase, |s| {
    let auth = fixtures::authorisation(&s, "1000001", None, false).await;
    let user = fixtures::member(&s, "ana", &auth, true).await;
    let first = fixtures::open(&s, &user, CaseType::Consulta).await;
    let second = fixtures::open(&s, &user, CaseType::Incidencia).await;
    assert_eq!(second, first + 1);
    // Without contact data the notice stays in the inbox only.
    let n = notice::Entity::find().all(&s.db).await.unwrap();
    assert!(
        n.iter()
            .all(|n| n.email_status == casia_domain::model::EmailStatus::Skipped)
    );
});

db_test!(
    twenty_concurrent_openings_get_twenty_distinct_consecutive_numbers,
    |s| {
        let auth = fixtures::authorisation(&s, "1000001", None, false).await;
        let user = fixtures::member(&s, "ana", &auth, true).await;
        let path = fixtures::path_for(&s, CaseType::Consulta).await;
        let mut tasks = Vec::new();
        for i in 0..20 {
            let (s, user) = (s.clone(), user.clone());
            tasks.push(tokio::spawn(async move {
                open_case(
                    &s,
                    &user,
                    fixtures::new_case_form(CaseType::Consulta, path, &format!("key-{i}")),
                )
                .await
            }));
        }
        let mut numbers = Vec::new();
        for t in tasks {
            numbers.push(t.await.unwrap().expect("every opening succeeds").number);
        }
        numbers.sort();
        numbers.dedup();
        assert_eq!(numbers.len(), 20);
        assert_eq!(numbers[19] - numbers[0], 19, "no gaps: {numbers:?}");
    }
);

db_test!(the_same_form_sent_twice_opens_one_case, |s| {
    let auth = fixtures::authorisation(&s, "1000001", None, false).await;
    let user = fixtures::member(&s, "ana", &auth, true).await;
    let path = fixtures::tramite_path(&s).await;
    let a = open_case(
        &s,
        &user,
        fixtures::new_case_form(CaseType::Tramite, path, "same"),
    )
    .await
    .unwrap();
    let b = open_case(
        &s,
        &user,
        fixtures::new_case_form(CaseType::Tramite, path, "same"),
    )
    .await
    .unwrap();
    assert_eq!(a, b);
    // And at the same time (a double click that both reach the server).
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let (s, user) = (s.clone(), user.clone());
        tasks.push(tokio::spawn(async move {
            open_case(
                &s,
                &user,
                fixtures::new_case_form(CaseType::Tramite, path, "twice"),
            )
            .await
            .unwrap()
            .number
        }));
    }
    let mut got = Vec::new();
    for t in tasks {
        got.push(t.await.unwrap());
    }
    got.dedup();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(case::Entity::find().count(&s.db).await.unwrap(), 2);
});

db_test!(missing_and_inconsistent_fields_are_named, |s| {
    let auth = fixtures::authorisation(&s, "1000001", None, false).await;
    let user = fixtures::member(&s, "ana", &auth, true).await;
    let mut form =
        fixtures::new_case_form(CaseType::Tramite, fixtures::tramite_path(&s).await, "k");
    form.title = " ".into();
    form.affects_current_period = None;
    // A subject of another case type.
    form.subject_id = Some(fixtures::path_for(&s, CaseType::Consulta).await.0);
    let Err(ServiceError::Invalid(errors)) = open_case(&s, &user, form).await else {
        panic!("must be refused")
    };
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "subject_id",
            "category_id",
            "affects_current_period",
            "title"
        ]
    );
    assert_eq!(errors[0].problem, FieldProblem::InvalidChoice);
    assert_eq!(
        case::Entity::find().count(&s.db).await.unwrap(),
        0,
        "nothing was written"
    );
});

db_test!(bad_files_are_refused_with_the_reason, |s| {
    let auth = fixtures::authorisation(&s, "1000001", None, false).await;
    let user = fixtures::member(&s, "ana", &auth, true).await;
    let exe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0\xb8\0\0\0\0\0\0\0@\0";
    assert!(matches!(
        fixtures::upload(&s, &user, "programa.exe", exe).await,
        Err(ServiceError::Upload(UploadProblem::TypeNotAllowed))
    ));
    assert!(matches!(
        fixtures::upload(&s, &user, "contrato.pdf", PNG_BYTES).await,
        Err(ServiceError::Upload(UploadProblem::ContentMismatch { .. }))
    ));
    let big = vec![b'a'; (s.config.uploads.max_bytes + 1) as usize];
    assert!(matches!(
        fixtures::upload(&s, &user, "grande.txt", &big).await,
        Err(ServiceError::Upload(UploadProblem::TooLarge { .. }))
    ));
    assert!(matches!(
        fixtures::upload(&s, &user, "vacio.pdf", b"").await,
        Err(ServiceError::Upload(UploadProblem::Empty))
    ));
    // A large accepted file streams through (several multipart chunks).
    let mut large = PDF_BYTES.to_vec();
    large.resize(12 * 1024 * 1024, b' ');
    let up = fixtures::upload(&s, &user, "escrito.pdf", &large)
        .await
        .unwrap();
    assert_eq!(up.size, 12 * 1024 * 1024);
});

db_test!(uploads_are_personal_and_single_use, |s| {
    let auth = fixtures::authorisation(&s, "1000001", None, false).await;
    let ana = fixtures::member(&s, "ana", &auth, true).await;
    let luis = fixtures::member(&s, "luis", &auth, false).await;
    let up = fixtures::upload(&s, &ana, "dni.pdf", PDF_BYTES)
        .await
        .unwrap();
    let type_id = fixtures::document_type_id(&s).await;
    let doc = DocumentToAttach {
        document_type_id: Some(type_id),
        title: "DNI".into(),
        upload_token: up.token.clone(),
    };
    let path = fixtures::tramite_path(&s).await;
    // Another user cannot attach Ana's upload.
    let mut form = fixtures::new_case_form(CaseType::Tramite, path, "l1");
    form.documents = vec![doc.clone()];
    assert!(matches!(
        open_case(&s, &luis, form).await,
        Err(ServiceError::Upload(UploadProblem::UnknownUpload))
    ));
    // Ana can, once.
    let mut form = fixtures::new_case_form(CaseType::Tramite, path, "a1");
    form.documents = vec![doc.clone()];
    open_case(&s, &ana, form).await.unwrap();
    let mut form = fixtures::new_case_form(CaseType::Tramite, path, "a2");
    form.documents = vec![doc];
    assert!(matches!(
        open_case(&s, &ana, form).await,
        Err(ServiceError::Upload(UploadProblem::UnknownUpload))
    ));
});

db_test!(
    only_authorised_users_with_an_authorisation_open_cases,
    |s| {
        let processor = fixtures::staff(&s, "tram", casia_domain::Role::Tramitador).await;
        let form = fixtures::new_case_form(
            CaseType::Consulta,
            fixtures::path_for(&s, CaseType::Consulta).await,
            "k",
        );
        assert!(matches!(
            open_case(&s, &processor, form).await,
            Err(ServiceError::Forbidden)
        ));
        let _ = Substate::Presentado;
    }
);

/// The text of a PDF as `pdftotext` (poppler) extracts it.
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is installed by scripts/setup.sh --tests");
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
