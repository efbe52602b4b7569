//! Demo data (README "Demo accounts"): loaded into an empty database by `casia serve` and by
//! `casia demo`. Password for every account: `casia-demo`.

use casia_domain::{Lang, Role};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait, TransactionTrait};

use crate::accounts::{NewUser, create_demo_user};
use crate::authorisations::{NewAuthorisation, add_member, create_authorisation};
use crate::entity::user;
use crate::error::ServiceResult;

pub const DEMO_PASSWORD: &str = "casia-demo";

/// (username, full name, role) of every demo account.
pub const DEMO_USERS: &[(&str, &str, Role)] = &[
    ("autorizado1", "Juan Español Español", Role::Autorizado),
    ("autorizado2", "María López García", Role::Autorizado),
    ("tramitador1", "Pedro Martín Ruiz", Role::Tramitador),
    ("tramitador2", "Lucía Fernández Gil", Role::Tramitador),
    ("supervisor1", "Carmen Navarro Soto", Role::Supervisor),
    ("admin", "Administrador del Servicio", Role::Administrador),
];

/// Whether the database has no accounts yet.
pub async fn is_empty(db: &DatabaseConnection) -> ServiceResult<bool> {
    Ok(user::Entity::find().count(db).await? == 0)
}

/// Creates the demo accounts and authorisations. Returns false if accounts already exist.
pub async fn load(services: &crate::Services) -> ServiceResult<bool> {
    let db = &services.db;
    if !is_empty(db).await? {
        return Ok(false);
    }
    let tx = db.begin().await?;
    let mut ids = std::collections::HashMap::new();
    for (username, full_name, role) in DEMO_USERS {
        // Demo only: `casia-demo` does not meet the password policy (12+ characters, not
        // guessable) and does not have to: it is public, and only demo databases get it.
        let u = create_demo_user(
            &tx,
            NewUser {
                username,
                full_name,
                email: None,
                password: DEMO_PASSWORD,
                role: *role,
                lang: Lang::Es,
            },
        )
        .await?;
        ids.insert(*username, u.id);
    }
    let gestoria = create_authorisation(
        &tx,
        NewAuthorisation {
            number: "0123456",
            company_name: "Gestoría Española Asesores, S.L.",
            nif: "B12345678",
            contact_email: Some("avisos@gestoria-espanola.example"),
            notices_consent: true,
        },
    )
    .await?;
    let laboral = create_authorisation(
        &tx,
        NewAuthorisation {
            number: "0654321",
            company_name: "Laboral Norte Consultores, S.A.",
            nif: "A87654321",
            contact_email: None,
            notices_consent: false,
        },
    )
    .await?;
    // autorizado1: main user of the first, member of both (sees the picker).
    add_member(&tx, gestoria.id, ids["autorizado1"], true).await?;
    add_member(&tx, laboral.id, ids["autorizado1"], false).await?;
    // autorizado2: only the second, and its main user (the picker is skipped).
    add_member(&tx, laboral.id, ids["autorizado2"], true).await?;
    tx.commit().await?;
    Ok(true)
}
