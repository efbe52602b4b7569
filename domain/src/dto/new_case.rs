//! `Nuevo Caso` (guide §4.1) and its confirmation.

use serde::{Deserialize, Serialize};

use super::files::DocumentToAttach;
use super::receipts::ReceiptView;

/// `Nuevo Caso` (guide §4.1).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCaseForm {
    pub case_type: String,
    pub subject_id: Option<i64>,
    pub category_id: Option<i64>,
    pub subcategory_id: Option<i64>,
    pub affects_current_period: Option<bool>,
    pub title: String,
    pub description: String,
    pub documents: Vec<DocumentToAttach>,
    /// Made by the page once per form: pressing twice, or a resend, opens one case.
    pub idempotency_key: String,
}

/// `Alta Confirmada` (guide §4.1.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseOpened {
    pub number: i64,
    pub number_display: String,
    pub opened_at: String,
    pub receipt: Option<ReceiptView>,
}
