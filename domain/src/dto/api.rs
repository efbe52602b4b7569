//! `Tokens de acceso`: the integration API's tokens as the page lists them.

use serde::{Deserialize, Serialize};

use crate::model::ApiScope;

/// One token of the caller's authorisation (never the token itself: only its hash is kept).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenView {
    pub id: i64,
    pub name: String,
    /// The owner's full name and username.
    pub owner: String,
    pub mine: bool,
    pub scopes: Vec<ApiScope>,
    /// `DD/MM/YYYY HH:MM:SS`, Spain's time.
    pub created_at: String,
    pub expires_at: Option<String>,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
    /// Past its expiry date.
    pub expired: bool,
}

/// The `Tokens de acceso` page: the caller's tokens, and for a main user everyone's in the
/// authorisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenList {
    pub tokens: Vec<TokenView>,
    pub is_main_user: bool,
}
