//! Files uploaded for a form that was never sent are removed by the housekeeping job; files
//! attached to a case stay.

use casia_services::ServiceError;
use casia_services::db_test;
use casia_services::entity::upload;
use casia_services::files::purge_stale_uploads;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::fixtures::{self, PDF_BYTES};

db_test!(
    unattached_uploads_are_removed_after_the_configured_hours,
    |s| {
        let auth = fixtures::authorisation(&s, "1000001", None, false).await;
        let ana = fixtures::member(&s, "ana", &auth, true).await;
        let forgotten = fixtures::upload(&s, &ana, "olvidado.pdf", PDF_BYTES)
            .await
            .unwrap();
        let recent = fixtures::upload(&s, &ana, "reciente.pdf", PDF_BYTES)
            .await
            .unwrap();
        // A case with its own document (attached, so never purged).
        let attached = fixtures::upload(&s, &ana, "contrato.pdf", PDF_BYTES)
            .await
            .unwrap();
        let form =
            fixtures::form_with_document(&s, attached.token.clone(), "Contrato", "form-1").await;
        let number = casia_services::cases::open::open_case(&s, &ana, form)
            .await
            .unwrap()
            .number;

        // The first upload was made two days ago; the attached one too.
        let two_days_ago = casia_services::clock::now() - chrono::Duration::hours(48);
        upload::Entity::update_many()
            .col_expr(upload::Column::CreatedAt, Expr::value(two_days_ago))
            .filter(upload::Column::Token.ne(recent.token.clone()))
            .exec(&s.db)
            .await
            .unwrap();
        let key = upload::Entity::find()
            .filter(upload::Column::Token.eq(forgotten.token.clone()))
            .one(&s.db)
            .await
            .unwrap()
            .unwrap()
            .storage_key;
        assert!(s.storage.get(&key).await.is_ok());

        assert_eq!(purge_stale_uploads(&s.db, &s.storage, 24).await.unwrap(), 1);
        assert!(
            matches!(s.storage.get(&key).await, Err(ServiceError::NotFound)),
            "the file is gone"
        );
        let left: Vec<String> = upload::Entity::find()
            .all(&s.db)
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.token)
            .collect();
        assert!(left.contains(&recent.token) && !left.contains(&forgotten.token));
        // The case's document is still there and still downloads.
        let doc = fixtures::first_document(&s, &ana, number).await;
        assert!(s.storage.get(&doc.storage_key).await.is_ok());
        // Nothing else to do on a second run.
        assert_eq!(purge_stale_uploads(&s.db, &s.storage, 24).await.unwrap(), 0);
    }
);
