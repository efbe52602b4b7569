//! Authorisations (`autorizaciones RED`): number, Razón Social, NIF, members, main user and
//! the contact data that notices are sent to.

use casia_domain::FieldProblem;
use casia_domain::dto::ContactData;
use casia_domain::validation::{Problems, check_contact};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};

use crate::accounts::{Caller, authorisation_view};
use crate::audit::{AuditAction, AuditEvent, Outcome};
use crate::clock::{display_opt, now};
use crate::config::LoginLimits;
use crate::db::found;
use crate::entity::{authorisation, authorisation_member, user};
use crate::error::{ServiceError, ServiceResult};

pub struct NewAuthorisation<'a> {
    pub number: &'a str,
    pub company_name: &'a str,
    pub nif: &'a str,
    pub contact_email: Option<&'a str>,
    pub notices_consent: bool,
}

/// A Spanish NIF/CIF/NIE shape check: 9 characters, letters and digits. (The check letter is
/// the Treasury's business; we only refuse what cannot be one.)
pub fn looks_like_nif(nif: &str) -> bool {
    let nif = nif.trim();
    nif.len() == 9 && nif.chars().all(|c| c.is_ascii_alphanumeric())
}

pub async fn create_authorisation(
    db: &impl ConnectionTrait,
    new: NewAuthorisation<'_>,
) -> ServiceResult<authorisation::Model> {
    let mut p = Problems::default();
    let number = new.number.trim();
    if number.is_empty() {
        p.add("number", FieldProblem::Required);
    } else if number.len() > 20 || !number.chars().all(|c| c.is_ascii_digit()) {
        p.add("number", FieldProblem::InvalidChoice);
    }
    p.required_text("company_name", new.company_name, 200);
    if !looks_like_nif(new.nif) {
        p.add("nif", FieldProblem::InvalidChoice);
    }
    let email = new.contact_email.unwrap_or("").trim();
    if let Err(errs) = check_contact(email, new.notices_consent) {
        for e in errs {
            p.add(&e.field, e.problem);
        }
    }
    p.finish()?;
    if authorisation::Entity::find()
        .filter(authorisation::Column::Number.eq(number))
        .one(db)
        .await?
        .is_some()
    {
        return Err(ServiceError::invalid("number", FieldProblem::AlreadyExists));
    }
    let at = now();
    Ok(authorisation::ActiveModel {
        number: Set(number.to_owned()),
        company_name: Set(new.company_name.trim().to_owned()),
        nif: Set(new.nif.trim().to_uppercase()),
        contact_email: Set(Some(email.to_owned()).filter(|e| !e.is_empty())),
        notices_consent: Set(new.notices_consent),
        contact_updated_at: Set(Some(at)),
        main_user_id: Set(None),
        active: Set(true),
        created_at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Adds an authorised user to an authorisation (idempotent); `main` makes them its main user.
pub async fn add_member(
    db: &impl ConnectionTrait,
    authorisation_id: i64,
    user_id: i64,
    main: bool,
) -> ServiceResult<()> {
    let u = found::<user::Entity>(db, user_id).await?;
    if u.role != casia_domain::Role::Autorizado {
        return Err(ServiceError::invalid(
            "user_id",
            FieldProblem::InvalidChoice,
        ));
    }
    let a = found::<authorisation::Entity>(db, authorisation_id).await?;
    if authorisation_member::Entity::find_by_id((authorisation_id, user_id))
        .one(db)
        .await?
        .is_none()
    {
        authorisation_member::ActiveModel {
            authorisation_id: Set(authorisation_id),
            user_id: Set(user_id),
            added_at: Set(now()),
        }
        .insert(db)
        .await?;
    }
    if main {
        let mut am: authorisation::ActiveModel = a.into();
        am.main_user_id = Set(Some(user_id));
        am.update(db).await?;
    }
    Ok(())
}

fn contact_data(a: &authorisation::Model, caller: &Caller) -> ContactData {
    ContactData {
        authorisation: authorisation_view(a, caller.is_main_user),
        email: a.contact_email.clone().unwrap_or_default(),
        consent: a.notices_consent,
        updated_at: display_opt(a.contact_updated_at),
        editable: caller.is_main_user,
    }
}

/// `Consulta/Modificación de datos de contacto`: every member may look.
pub async fn get_contact(caller: &Caller) -> ServiceResult<ContactData> {
    caller.user_scope()?;
    let a = caller
        .authorisation
        .as_ref()
        .ok_or(ServiceError::PickAuthorisation)?;
    Ok(contact_data(a, caller))
}

/// The password re-typed to change the notices address (see `recheck_password`).
async fn check_contact_password(
    db: &DatabaseConnection,
    limits: &LoginLimits,
    caller: &Caller,
    authorisation_id: i64,
    password: &str,
) -> ServiceResult<()> {
    crate::passwords::recheck_password(
        db,
        limits,
        caller,
        password,
        "password",
        |outcome, details| {
            AuditEvent::by(caller, AuditAction::ContactPasswordFailed, outcome)
                .on("authorisation", authorisation_id)
                .with_details(details)
        },
    )
    .await
}

/// Only the main user may change the contact data; changing the address needs the
/// password again (a stolen session must not redirect the notices).
pub async fn update_contact(
    db: &DatabaseConnection,
    limits: &LoginLimits,
    caller: &Caller,
    email: &str,
    consent: bool,
    password: &str,
) -> ServiceResult<ContactData> {
    caller.user_scope()?;
    let a = caller
        .authorisation
        .clone()
        .ok_or(ServiceError::PickAuthorisation)?;
    if !caller.is_main_user {
        return Err(ServiceError::Forbidden);
    }
    check_contact(email, consent)?;
    let email = email.trim();
    // The mail library must be able to write it too (it is what sends the notices).
    if !email.is_empty() && email.parse::<lettre::Address>().is_err() {
        return Err(ServiceError::invalid("email", FieldProblem::InvalidEmail));
    }
    let changes_address = a.contact_email.as_deref().unwrap_or("") != email;
    if changes_address {
        check_contact_password(db, limits, caller, a.id, password).await?;
    }
    let before = serde_json::json!({ "email": a.contact_email, "consent": a.notices_consent });
    let number = a.number.clone();
    let mut am: authorisation::ActiveModel = a.into();
    am.contact_email = Set(Some(email.to_owned()).filter(|e| !e.is_empty()));
    am.notices_consent = Set(consent);
    am.contact_updated_at = Set(Some(now()));
    let updated = crate::cases::in_transaction(db, async |tx| {
        let updated = am.update(tx).await?;
        let after = serde_json::json!({ "email": updated.contact_email, "consent": updated.notices_consent });
        let event = AuditEvent::by(caller, AuditAction::ContactChanged, Outcome::Success)
            .on("authorisation", &number)
            .with_details(serde_json::json!({ "before": before, "after": after }));
        crate::audit::record(tx, event).await?;
        Ok(updated)
    })
    .await?;
    Ok(contact_data(&updated, caller))
}

#[cfg(test)]
mod tests {
    use casia_domain::validation::is_valid_email;

    /// The domain's check (the forms', the browser's) accepts only addresses the mail library
    /// can write too, so an address saved anywhere can always be sent to.
    #[test]
    fn every_address_the_domain_accepts_is_one_lettre_accepts() {
        let mut candidates: Vec<String> = [
            "gestoria@example.es",
            "a.b+c@sub.dominio.es",
            "ñandú@correo.es",
            "o'neill@x.es",
            "a_b-c@x.es",
            "x@correo.españa.es",
            "1@2.es",
            "a-@x.es",
            "-a@x.es",
            "a@x-.es",
            "a@-x.es",
            "a@x.-es",
            "a@x--y.es",
            "a@1.2",
            "a@x.e",
        ]
        .map(str::to_owned)
        .to_vec();
        // Every printable ASCII character and a few others, alone and between letters, on
        // both sides of the `@`.
        let others = [
            'ñ', 'ü', 'ç', 'ß', 'ø', 'д', '漢', '٣', '\u{a0}', '\u{200b}', '\u{ff0e}',
        ];
        for c in (0x21u8..0x7f).map(char::from).chain(others) {
            candidates.extend([
                format!("{c}@x.es"),
                format!("a{c}b@x.es"),
                format!("ab@{c}.es"),
                format!("ab@x{c}y.es"),
                format!("ab@{c}x.es"),
                format!("ab@x{c}.es"),
                format!("ab@x.e{c}s"),
            ]);
        }
        // Lengths near the limits.
        candidates.push(format!("{}@x.es", "a".repeat(64)));
        candidates.push(format!("{}@x.es", "a".repeat(65)));
        candidates.push(format!("a@{}.es", "b".repeat(63)));
        candidates.push(format!("a@{}.es", "b".repeat(64)));
        candidates.push(format!("a@{}es", "b.".repeat(120)));
        let accepted: Vec<&String> = candidates.iter().filter(|a| is_valid_email(a)).collect();
        assert!(accepted.len() > 100, "the check accepts too little to test");
        let refused: Vec<&String> = accepted
            .into_iter()
            .filter(|a| a.parse::<lettre::Address>().is_err())
            .collect();
        assert!(
            refused.is_empty(),
            "the domain accepts these, the mail library does not: {refused:?}"
        );
    }
}
