//! Administration: accounts, authorisations, taxonomy and document types.

use serde::{Deserialize, Serialize};

use crate::model::CaseType;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeInput {
    pub name_es: String,
    pub name_en: String,
    pub help_es: String,
    pub help_en: String,
    pub technical: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub role: crate::model::Role,
    pub active: bool,
    pub created_at: String,
    /// Nº Autorización of each membership (authorised users).
    pub authorisations: Vec<String>,
}

/// One page of an administrator's list (accounts, authorisations): at most
/// `ADMIN_PAGE_SIZE` rows from `page` (0-based), and whether another page follows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminListPage<T> {
    pub items: Vec<T>,
    pub page: u64,
    pub has_next: bool,
}

pub const ADMIN_PAGE_SIZE: u64 = 50;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAccount {
    pub username: String,
    pub full_name: String,
    pub email: String,
    pub role: String,
    pub password: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub user_id: i64,
    pub username: String,
    pub full_name: String,
    pub main: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorisationAdminView {
    pub id: i64,
    pub number: String,
    pub company_name: String,
    pub nif: String,
    pub contact_email: Option<String>,
    pub consent: bool,
    pub contact_updated_at: Option<String>,
    pub active: bool,
    pub members: Vec<MemberView>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAuthorisationInput {
    pub number: String,
    pub company_name: String,
    pub nif: String,
    pub contact_email: String,
    pub consent: bool,
}

/// One taxonomy node in both languages (the administrator's editor).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminNode {
    pub id: i64,
    pub depth: i16,
    pub case_type: CaseType,
    pub name_es: String,
    pub name_en: String,
    pub help_es: String,
    pub help_en: String,
    pub technical: bool,
    pub active: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminDocumentType {
    pub id: i64,
    pub code: String,
    pub name_es: String,
    pub name_en: String,
    pub active: bool,
}
