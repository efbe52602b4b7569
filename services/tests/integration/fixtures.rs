//! Small builders shared by the integration tests.

use casia_domain::{Lang, Role};
use casia_services::Services;
use casia_services::accounts::{self, Caller, NewUser};
use casia_services::authorisations::{self, NewAuthorisation};
use casia_services::entity::{authorisation, user};

pub const PASSWORD: &str = "una-clave-segura";

pub async fn user(s: &Services, username: &str, role: Role) -> user::Model {
    accounts::create_user(
        &s.db,
        NewUser {
            username,
            full_name: &format!("Nombre {username}"),
            email: None,
            password: PASSWORD,
            role,
            lang: Lang::Es,
        },
    )
    .await
    .expect("create user")
}

pub async fn authorisation(
    s: &Services,
    number: &str,
    email: Option<&str>,
    consent: bool,
) -> authorisation::Model {
    authorisations::create_authorisation(
        &s.db,
        NewAuthorisation {
            number,
            company_name: &format!("Empresa {number}, S.L."),
            nif: "B12345678",
            contact_email: email,
            notices_consent: consent,
        },
    )
    .await
    .expect("create authorisation")
}

/// One login attempt from `client`, as the login form makes it.
pub async fn attempt(
    s: &Services,
    username: &str,
    password: &str,
    client: &str,
) -> casia_services::ServiceResult<accounts::LoggedIn> {
    accounts::login(
        &s.db,
        &s.config.login,
        &s.config.session,
        username,
        password,
        client,
    )
    .await
}

/// Logs in and returns the session's caller, as a request carrying the cookie would see it.
pub async fn login(s: &Services, username: &str) -> (String, Caller) {
    let logged = attempt(s, username, PASSWORD, "test").await.expect("login");
    let caller = accounts::caller_from_token(&s.db, &s.config.session, &logged.token)
        .await
        .expect("caller");
    (logged.token, caller)
}

/// An authorised user who belongs to one authorisation (already chosen at login).
pub async fn member(
    s: &Services,
    username: &str,
    auth: &authorisation::Model,
    main: bool,
) -> Caller {
    let u = user(s, username, Role::Autorizado).await;
    authorisations::add_member(&s.db, auth.id, u.id, main)
        .await
        .expect("add member");
    login(s, username).await.1
}

pub async fn staff(s: &Services, username: &str, role: Role) -> Caller {
    user(s, username, role).await;
    login(s, username).await.1
}

/// Streams `bytes` as an upload of `name` by `caller`, as the upload endpoint does.
pub async fn upload(
    s: &Services,
    caller: &Caller,
    name: &str,
    bytes: &[u8],
) -> Result<casia_domain::dto::UploadedFile, casia_services::ServiceError> {
    let chunks: Vec<Result<bytes::Bytes, std::io::Error>> = bytes
        .chunks(16 * 1024)
        .map(|c| Ok(bytes::Bytes::copy_from_slice(c)))
        .collect();
    casia_services::files::receive_upload(
        s,
        caller,
        name,
        Some(bytes.len() as u64),
        futures::stream::iter(chunks),
    )
    .await
}

pub const PDF_BYTES: &[u8] =
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";
pub const PNG_BYTES: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde";

/// The first active Trámite path of the seeded taxonomy: (subject, category, subcategory).
pub async fn tramite_path(s: &Services) -> (i64, i64, Option<i64>) {
    path_for(s, casia_domain::CaseType::Tramite).await
}

pub async fn path_for(s: &Services, t: casia_domain::CaseType) -> (i64, i64, Option<i64>) {
    let tree = casia_services::taxonomy::load(&s.db, Lang::Es)
        .await
        .unwrap();
    let subject = tree.subjects(t)[0].id;
    let category = tree.children(subject)[0].id;
    let sub = tree.children(category).first().map(|n| n.id);
    (subject, category, sub)
}

pub async fn document_type_id(s: &Services) -> i64 {
    casia_services::taxonomy::document_types(&s.db, Lang::Es)
        .await
        .unwrap()[0]
        .id
}

pub fn new_case_form(
    case_type: casia_domain::CaseType,
    path: (i64, i64, Option<i64>),
    key: &str,
) -> casia_domain::dto::NewCaseForm {
    casia_domain::dto::NewCaseForm {
        case_type: case_type.code().into(),
        subject_id: Some(path.0),
        category_id: Some(path.1),
        subcategory_id: path.2,
        affects_current_period: Some(true),
        title: "Baja de trabajador por fin de contrato".into(),
        description: "Solicito tramitar la baja con efectos del día 31.".into(),
        documents: vec![],
        idempotency_key: key.into(),
    }
}

/// A Trámite's form (idempotency `key`) with one uploaded document, titled `title`.
pub async fn form_with_document(
    s: &Services,
    upload_token: String,
    title: &str,
    key: &str,
) -> casia_domain::dto::NewCaseForm {
    let mut form = new_case_form(casia_domain::CaseType::Tramite, tramite_path(s).await, key);
    form.documents = vec![casia_domain::dto::DocumentToAttach {
        document_type_id: Some(document_type_id(s).await),
        title: title.into(),
        upload_token,
    }];
    form
}

/// The first document of case `number`, as `caller` reads it.
pub async fn first_document(
    s: &Services,
    caller: &Caller,
    number: i64,
) -> casia_services::entity::document::Model {
    let detail = casia_services::cases::query::detail_for_user(&s.db, caller, number)
        .await
        .unwrap();
    casia_services::cases::query::document_for(&s.db, caller, detail.documents[0].id)
        .await
        .unwrap()
}

/// Opens a case of `case_type` for `caller` and returns its number.
pub async fn open(s: &Services, caller: &Caller, case_type: casia_domain::CaseType) -> i64 {
    let path = path_for(s, case_type).await;
    let form = new_case_form(case_type, path, &uuid::Uuid::new_v4().to_string());
    casia_services::cases::open::open_case(s, caller, form)
        .await
        .expect("open case")
        .number
}

/// The case's current version (what a freshly loaded page would send).
pub async fn version_of(s: &Services, number: i64) -> i32 {
    casia_services::cases::find_by_number(&s.db, number)
        .await
        .unwrap()
        .version
}

/// Kinds of every notice, oldest first.
pub async fn notice_kinds(s: &Services) -> Vec<String> {
    use sea_orm::{EntityTrait, QueryOrder};
    casia_services::entity::notice::Entity::find()
        .order_by_asc(casia_services::entity::notice::Column::Id)
        .all(&s.db)
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.kind.code().to_owned())
        .collect()
}

/// The processor `who` does `action` on case `number` at its current version.
pub async fn try_act(
    s: &Services,
    who: &Caller,
    number: i64,
    action: &str,
    text: &str,
) -> Result<(), casia_services::error::ServiceError> {
    let version = version_of(s, number).await;
    casia_services::cases::processor::act(
        s,
        who,
        number,
        casia_domain::dto::ProcessorInput {
            action: action.into(),
            version,
            text: text.into(),
            ..casia_domain::dto::ProcessorInput::default()
        },
    )
    .await
}

/// `try_act`, which must succeed.
pub async fn act(s: &Services, who: &Caller, number: i64, action: &str, text: &str) {
    try_act(s, who, number, action, text)
        .await
        .unwrap_or_else(|e| panic!("{action} on {number}: {e:?}"));
}

/// `act` for each of `steps` (action, text) in turn.
pub async fn acts(s: &Services, who: &Caller, number: i64, steps: &[(&str, &str)]) {
    for (action, text) in steps {
        act(s, who, number, action, text).await;
    }
}

/// Whether a request carrying `token` is signed in.
pub async fn session_works(s: &Services, token: &str) -> bool {
    accounts::caller_from_token(&s.db, &s.config.session, token)
        .await
        .is_ok()
}

/// The lifecycle's refusal, if that is how `result` failed.
pub fn refusal<T>(
    result: Result<T, casia_services::error::ServiceError>,
) -> Option<casia_domain::Refusal> {
    match result {
        Err(casia_services::error::ServiceError::Refused(r)) => Some(r),
        _ => None,
    }
}

/// The contact data changed as the form does it, under the configured login limits.
pub async fn update_contact(
    s: &Services,
    caller: &Caller,
    email: &str,
    consent: bool,
    password: &str,
) -> casia_services::ServiceResult<casia_domain::dto::ContactData> {
    authorisations::update_contact(&s.db, &s.config.login, caller, email, consent, password).await
}
