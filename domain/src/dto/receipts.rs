//! Receipts (`justificantes`) and the public `Verificación de Documentos`.

use serde::{Deserialize, Serialize};

pub use crate::model::ReceiptKind;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptView {
    pub id: i64,
    pub kind: ReceiptKind,
    pub cea: String,
    pub issued_at: String,
    /// The classification the receipt shows: the names when it was issued, which a later
    /// renaming of the taxonomy does not change.
    #[serde(default)]
    pub classification: Option<String>,
}

/// What the public `Verificación de Documentos` page may show: nothing beyond the receipt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verification {
    Authentic(VerifiedReceipt),
    /// The CEA is unknown.
    Unknown,
    /// A file was given: it carries a known CEA but its bytes differ from the issued receipt.
    Altered,
    /// A file was given that is not a receipt of Casia at all.
    NotAReceipt,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifiedReceipt {
    pub kind: ReceiptKind,
    pub cea: String,
    pub case_number: String,
    pub case_opened_at: String,
    pub issued_at: String,
    /// As printed on the receipt (see `ReceiptView::classification`).
    #[serde(default)]
    pub classification: Option<String>,
    pub documents: Vec<ReceiptDocument>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptDocument {
    pub type_name: String,
    pub title: String,
    pub file_name: String,
    pub size: i64,
}
